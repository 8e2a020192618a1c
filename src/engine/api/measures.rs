//! Measure constructors — `proportion`, `rate`, `count`, `mean`, `median` —
//! and their options: population roles (`exclusions`, `exceptions`), the
//! member key, strata and a breakdown column.

use super::tables::check_column;
use super::{Api, Res, column_names, def, error};
use crate::engine::measure::{Measure, MeasureKind, Stratum, Table};
use rhai::{Array, Dynamic, FLOAT, INT, ImmutableString};

fn measure_with_strata(mut m: Measure, strata: Array) -> Res<Measure> {
    let mut parsed = Vec::new();
    for item in strata {
        let name = item
            .clone()
            .try_cast::<ImmutableString>()
            .ok_or_else(|| error(format!("strata are names in quotes, found {}", item.type_name())))?;
        let stratum = Stratum::parse(&name)
            .ok_or_else(|| error(format!("unknown stratum \"{name}\"; expected {}", Stratum::HELP)))?;
        parsed.push(stratum);
    }
    if parsed.is_empty() {
        return Err(error("strata([]) is empty; give at least \"alle\""));
    }
    m.strata = parsed;
    Ok(m)
}

fn rate(events: Table, population: Table, per: FLOAT) -> Res<Measure> {
    if per.is_nan() || per <= 0.0 {
        return Err(error(format!("rate(..) needs a positive `per` such as 1000, found {per}")));
    }
    let mut m = Measure::new(MeasureKind::Rate { per }, population);
    m.numerator = Some(events);
    Ok(m)
}

fn require_proportion(m: &Measure, what: &str) -> Res<()> {
    if m.kind == MeasureKind::Proportion {
        Ok(())
    } else {
        Err(error(format!("{what}(..) applies to proportion(..) measures, not to {}(..)", m.kind.name())))
    }
}

pub(super) fn register(api: &mut Api) {
    def!(
        api,
        "proportion",
        "proportion(numerator: Table, denominator: Table) -> Measure",
        "Distinct members of the numerator over distinct members of the denominator, in percent; the numerator must lie inside the denominator.",
        |numerator: Table, denominator: Table| {
            let mut m = Measure::new(MeasureKind::Proportion, denominator);
            m.numerator = Some(numerator);
            m
        }
    );
    def!(
        api,
        "rate",
        "rate(events: Table, population: Table, per) -> Measure",
        "Events per `per` (e.g. 1000) of the population: rows of events over rows of the population (or the sum of its `antal` column).",
        |events: Table, population: Table, per: INT| -> Res<Measure> { rate(events, population, per as FLOAT) }
    );
    def!(api, "rate", "rate(events, population, per: float) -> Measure", "", |events: Table,
                                                                              population: Table,
                                                                              per: FLOAT|
     -> Res<Measure> {
        rate(events, population, per)
    });
    def!(api, "count", "count(table) -> Measure", "The number of rows (or the sum of `antal`).", |t: Table| {
        Measure::new(MeasureKind::Count, t)
    });
    def!(
        api,
        "mean",
        "mean(table, column) -> Measure",
        "The mean of a column, with a t interval.",
        |t: Table, column: ImmutableString| -> Res<Measure> {
            check_column(&t, &column, "mean")?;
            let mut m = Measure::new(MeasureKind::Mean, t);
            m.column = Some(column.to_string());
            Ok(m)
        }
    );
    def!(
        api,
        "median",
        "median(table, column) -> Measure",
        "The median of a column, with an order-statistic interval.",
        |t: Table, column: ImmutableString| -> Res<Measure> {
            check_column(&t, &column, "median")?;
            let mut m = Measure::new(MeasureKind::Median, t);
            m.column = Some(column.to_string());
            Ok(m)
        }
    );
    def!(
        api,
        "exclusions",
        "measure.exclusions(table) -> Measure",
        "Denominator exclusions: members removed from the denominator whatever the numerator says (e.g. citizens who died).",
        |mut m: Measure, t: Table| -> Res<Measure> {
            require_proportion(&m, "exclusions")?;
            m.exclusions = Some(t);
            Ok(m)
        }
    );
    def!(
        api,
        "exceptions",
        "measure.exceptions(table) -> Measure",
        "Denominator exceptions: members removed only when they are not in the numerator (e.g. a documented reason not to act).",
        |mut m: Measure, t: Table| -> Res<Measure> {
            require_proportion(&m, "exceptions")?;
            m.exceptions = Some(t);
            Ok(m)
        }
    );
    def!(
        api,
        "key",
        "measure.key(columns) -> Measure",
        "What identifies a member of a proportion (default borger_id), e.g. `.key(\"triage_id\")`.",
        |mut m: Measure, columns: Dynamic| -> Res<Measure> {
            m.key = column_names(&columns)?;
            Ok(m)
        }
    );
    def!(
        api,
        "strata",
        "measure.strata([names]) -> Measure",
        "The strata to report: alle, an age band such as 65+, plejebolig, eget_hjem, midlertidig or demens.",
        measure_with_strata
    );
    def!(
        api,
        "breakdown",
        "measure.breakdown(column) -> Measure",
        "Also report one stratum per value of a column (type=fald, type=medicinering …).",
        |mut m: Measure, column: ImmutableString| -> Res<Measure> {
            check_column(&m.base, &column, "breakdown")?;
            m.breakdown = Some(column.to_string());
            Ok(m)
        }
    );
}
