"""The benchmark's four measures written by hand in DuckDB SQL, and the check
that two results files agree on every numerator and denominator.

    python benches/duckdb_measures.py run DATA_DIR OUT.parquet --year 2025
    python benches/duckdb_measures.py compare KVALITET.parquet OTHER.parquet

`run` computes, for the 12 months of the year, at kommune and plejeenhed
level, with the strata of the rules in rules/:

  po.2a.revurderet-tilstand-6mdr   proportion, strata alle, 67+, 80+
  po.4c.skaermbesoeg               proportion, stratum alle
  po.2.forebyggelige-indlaeggelser rate per 1000, strata 65+, 80+
  sp.3b.uth-pr-maaned              count, stratum alle and one per type

and writes one row per measure × month × unit × stratum (measure_id,
period_start, unit_level, unit_code, stratum, numerator, denominator).
Units are attributed as kvalitet does (src/runner/units.rs): a row's own
plejeenhed_id, else the citizen's kommune and, as of the month's last day,
the plejeenhed of the latest tilknytning started by then (none when it
ended before that day and the citizen is alive); ages on the last day.

`compare` joins two such files (the first may be any kvalitet results
file: its rows of the four measures at kommune and plejeenhed level in the
second file's years are taken) on measure, period, level, unit and stratum
and prints every row whose numerator or denominator differ or that only
one file has; exit code 1 when any does, or when the second is empty.
"""

import argparse
import calendar
import datetime as dt
import pathlib
import sys

import duckdb

MEASURES = [
    "po.2a.revurderet-tilstand-6mdr",
    "po.4c.skaermbesoeg",
    "po.2.forebyggelige-indlaeggelser",
    "sp.3b.uth-pr-maaned",
]


def months_back(day: dt.date, months: int) -> dt.date:
    """`day` moved back by whole months, clamped to the month's last day
    (as chrono's checked_sub_months, which kvalitet's windows use)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def months_table(year: int) -> str:
    """The months of `year` as SQL VALUES: start, last day, the day after,
    and the first day of the 6-month window ending on the last day."""
    rows = []
    for month in range(1, 13):
        start = dt.date(year, month, 1)
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        after = end + dt.timedelta(days=1)
        window = months_back(end, 6) + dt.timedelta(days=1)
        rows.append(f"(DATE '{start}', DATE '{end}', DATE '{after}', DATE '{window}')")
    return "(VALUES " + ", ".join(rows) + ") AS m(ps, pe, nxt, w6)"


def table(data: pathlib.Path, name: str) -> str:
    """A table of the data directory: one file, or a folder of part files."""
    folder = data / name
    if folder.is_dir():
        return f"read_parquet('{folder}/*.parquet')"
    return f"read_parquet('{data / (name + '.parquet')}')"


# Citizens' attributes per month: kommune, age and plejeenhed on the last day.
CITIZENS = """
placement AS (
    SELECT m.ps, t.borger_id, t.plejeenhed_id AS p, t.slut AS s
    FROM months m JOIN tilknytning t ON t.start <= m.pe
    QUALIFY row_number() OVER (PARTITION BY m.ps, t.borger_id ORDER BY t.start DESC) = 1
),
citizen AS (
    SELECT m.ps, b.borger_id, b.kommune_kode AS kommune,
        year(m.pe) - year(b.foedselsdato)
            - CASE WHEN month(b.foedselsdato) > month(m.pe)
                    OR (month(b.foedselsdato) = month(m.pe) AND day(b.foedselsdato) > day(m.pe))
                   THEN 1 ELSE 0 END AS alder,
        CASE WHEN pl.s IS NOT NULL AND pl.s < m.pe AND (b.doedsdato IS NULL OR b.doedsdato > m.pe)
             THEN NULL ELSE pl.p END AS plejeenhed
    FROM months m CROSS JOIN borgere b
    LEFT JOIN placement pl ON pl.ps = m.ps AND pl.borger_id = b.borger_id
)
"""


def grouped(measure: str, source: str, strata: str, numerator: str, denominator: str) -> str:
    """Rows of `source` (ps, kommune, plejeenhed, alder and the counted
    columns) grouped by month × unit level × unit × stratum."""
    return f"""
    SELECT '{measure}' AS measure_id, ps AS period_start, 'kommune' AS unit_level, kommune AS unit_code,
        stratum, {numerator} AS numerator, {denominator} AS denominator
    FROM {source} JOIN {strata} ON alder >= min_age OR min_age IS NULL
    WHERE kommune IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT '{measure}', ps, 'plejeenhed', plejeenhed, stratum, {numerator}, {denominator}
    FROM {source} JOIN {strata} ON alder >= min_age OR min_age IS NULL
    WHERE plejeenhed IS NOT NULL GROUP BY ALL
    """


def queries(data: pathlib.Path, year: int) -> str:
    tables = ["borgere", "tilknytning", "indsatser", "tilstande", "vurderinger", "indlaeggelser", "uth",
              "plejeenheder", "besoeg"]
    views = "".join(f"CREATE OR REPLACE VIEW {t} AS SELECT * FROM {table(data, t)};\n" for t in tables)
    views += f"CREATE OR REPLACE TABLE months AS SELECT * FROM {months_table(year)};\n"
    views += "CREATE OR REPLACE TABLE s_alle AS SELECT * FROM (VALUES ('alle', NULL)) AS s(stratum, min_age);\n"
    views += ("CREATE OR REPLACE TABLE s_alle_67_80 AS SELECT * FROM "
              "(VALUES ('alle', NULL), ('67+', 67), ('80+', 80)) AS s(stratum, min_age);\n")
    views += ("CREATE OR REPLACE TABLE s_65_80 AS SELECT * FROM "
              "(VALUES ('65+', 65), ('80+', 80)) AS s(stratum, min_age);\n")
    po2a = f"""
    WITH {CITIZENS},
    modtagere AS (
        SELECT DISTINCT m.ps, m.pe, i.borger_id FROM months m JOIN indsatser i
            ON i.lovgrundlag IN ('SEL83', 'SEL83a', 'AEL') AND i.start <= m.pe AND (i.slut IS NULL OR i.slut >= m.pe)
    ),
    revurderet AS (
        SELECT DISTINCT m.ps, v.borger_id FROM months m JOIN vurderinger v ON v.vurderet >= m.w6 AND v.vurderet < m.nxt
        WHERE v.tilstand_id IN (SELECT tilstand_id FROM tilstande WHERE omraade = 'funktionsevne')
    ),
    rows AS (
        SELECT d.ps, c.kommune, c.plejeenhed, c.alder, r.borger_id IS NOT NULL AS taeller
        FROM modtagere d
        LEFT JOIN borgere b ON b.borger_id = d.borger_id
        LEFT JOIN revurderet r ON r.ps = d.ps AND r.borger_id = d.borger_id
        LEFT JOIN citizen c ON c.ps = d.ps AND c.borger_id = d.borger_id
        WHERE b.doedsdato IS NULL OR b.doedsdato > d.pe
    )
    {grouped(MEASURES[0], "rows", "s_alle_67_80", "count_if(taeller)::DOUBLE", "count(*)::DOUBLE")}
    """
    po4c = f"""
    WITH {CITIZENS},
    leveret AS (
        SELECT m.ps, v.indsats_id, any_value(v.borger_id) AS borger_id, bool_or(v.skaermbesoeg) AS skaerm
        FROM besoeg v JOIN months m ON date_trunc('month', v.tidspunkt)::DATE = m.ps
        WHERE v.indsats_id IS NOT NULL GROUP BY ALL
    ),
    rows AS (
        SELECT l.ps, c.kommune, c.plejeenhed, c.alder, l.skaerm
        FROM leveret l LEFT JOIN citizen c ON c.ps = l.ps AND c.borger_id = l.borger_id
    )
    {grouped(MEASURES[1], "rows", "s_alle", "count_if(skaerm)::DOUBLE", "count(*)::DOUBLE")}
    """
    po2 = f"""
    WITH {CITIZENS},
    haendelser AS (
        SELECT m.ps, c.kommune, c.plejeenhed, c.alder
        FROM indlaeggelser i JOIN months m ON date_trunc('month', i.indlagt)::DATE = m.ps
        LEFT JOIN citizen c ON c.ps = m.ps AND c.borger_id = i.borger_id
        WHERE i.forebyggelig
    ),
    befolkning AS (
        SELECT m.ps, c.kommune, c.plejeenhed, c.alder
        FROM months m JOIN borgere b ON b.foedselsdato <= m.pe AND (b.doedsdato IS NULL OR b.doedsdato >= m.ps)
        JOIN citizen c ON c.ps = m.ps AND c.borger_id = b.borger_id
    ),
    n AS ({grouped(MEASURES[2], "haendelser", "s_65_80", "count(*)::DOUBLE", "NULL::DOUBLE")}),
    d AS ({grouped(MEASURES[2], "befolkning", "s_65_80", "NULL::DOUBLE", "count(*)::DOUBLE")})
    SELECT d.measure_id, d.period_start, d.unit_level, d.unit_code, d.stratum,
        coalesce(n.numerator, 0) AS numerator, d.denominator
    FROM d LEFT JOIN n USING (measure_id, period_start, unit_level, unit_code, stratum)
    """
    sp3b = f"""
    WITH rows AS (
        SELECT m.ps, e.kommune_kode AS kommune, u.plejeenhed_id AS plejeenhed, u.type
        FROM uth u JOIN months m ON u.dato >= m.ps AND u.dato < m.nxt
        LEFT JOIN plejeenheder e ON e.plejeenhed_id = u.plejeenhed_id
    ),
    strata AS (
        SELECT ps, kommune, plejeenhed, 'alle' AS stratum FROM rows
        UNION ALL SELECT ps, kommune, plejeenhed, 'type=' || coalesce(type, 'ukendt') FROM rows
    )
    SELECT '{MEASURES[3]}', ps, 'kommune', kommune, stratum, count(*)::DOUBLE, NULL::DOUBLE
    FROM strata WHERE kommune IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT '{MEASURES[3]}', ps, 'plejeenhed', plejeenhed, stratum, count(*)::DOUBLE, NULL::DOUBLE
    FROM strata WHERE plejeenhed IS NOT NULL GROUP BY ALL
    """
    union = " UNION ALL ".join(f"SELECT * FROM ({q})" for q in [po2a, po4c, po2, sp3b])
    return views, union


def run(data: pathlib.Path, out: pathlib.Path, year: int, threads: int | None) -> None:
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    views, union = queries(data, year)
    con.execute(views)
    con.execute(f"COPY ({union}) TO '{out}' (FORMAT parquet)")


def compare(ours: pathlib.Path, other: pathlib.Path) -> int:
    con = duckdb.connect()
    differ = con.execute(f"""
        WITH b AS (SELECT * REPLACE (period_start::DATE AS period_start) FROM read_parquet('{other}')),
        a AS (
            SELECT measure_id, period_start::DATE AS period_start, unit_level, unit_code, stratum, numerator,
                denominator FROM read_parquet('{ours}')
            WHERE measure_id IN ({", ".join(f"'{m}'" for m in MEASURES)})
                AND unit_level IN ('kommune', 'plejeenhed')
                AND year(period_start) IN (SELECT DISTINCT year(period_start) FROM b)
        )
        SELECT measure_id, period_start, unit_level, unit_code, stratum,
            a.numerator AS a_numerator, b.numerator AS b_numerator,
            a.denominator AS a_denominator, b.denominator AS b_denominator
        FROM a FULL OUTER JOIN b USING (measure_id, period_start, unit_level, unit_code, stratum)
        WHERE a.numerator IS DISTINCT FROM b.numerator OR a.denominator IS DISTINCT FROM b.denominator
        ORDER BY ALL
    """).fetchall()
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{other}')").fetchone()[0]
    for row in differ[:20]:
        print("differs:", row)
    print(f"{rows} rows compared, {len(differ)} differ")
    return 1 if differ or rows == 0 else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("data", type=pathlib.Path)
    r.add_argument("out", type=pathlib.Path)
    r.add_argument("--year", type=int, default=2025)
    r.add_argument("--threads", type=int)
    c = sub.add_parser("compare")
    c.add_argument("ours", type=pathlib.Path)
    c.add_argument("other", type=pathlib.Path)
    args = parser.parse_args()
    if args.command == "run":
        run(args.data, args.out, args.year, args.threads)
        return 0
    return compare(args.ours, args.other)


if __name__ == "__main__":
    sys.exit(main())
