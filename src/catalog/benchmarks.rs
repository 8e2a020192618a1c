//! Published results as benchmark data (`catalog/benchmarks/<year>.csv`):
//! one row per indicator × unit (the whole country, a region or a
//! municipality) × year, with the value, or no value and the reason the
//! report gives.
//!
//! The files are plain CSV (comma-separated, `"` quoting, `.` decimals,
//! UTF-8) with the header
//! `indicator_id,unit_level,unit_code,unit_name,region_code,year,value,missing_reason`.
//! They are small, so they are read by hand here; errors name the line.

use super::error::{CatalogError, Problem};
use serde::Serialize;

/// The header every benchmark file starts with.
pub const HEADER: [&str; 8] =
    ["indicator_id", "unit_level", "unit_code", "unit_name", "region_code", "year", "value", "missing_reason"];

/// One published value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Benchmark {
    /// A national indicator's id.
    pub indicator_id: String,
    /// Country, region or municipality.
    pub unit_level: BenchmarkLevel,
    /// `DK`, a region code (`1081`–`1085`) or a municipality code (`101`).
    pub unit_code: String,
    /// The unit's name as in `catalog/kommuner.toml`.
    pub unit_name: String,
    /// The region of a region or municipality; none for the country.
    pub region_code: Option<String>,
    /// The data year.
    pub year: i32,
    /// The value; none when the report shows "-" or nothing.
    pub value: Option<f64>,
    /// Why the value is missing (from the report's footnotes).
    pub missing_reason: Option<String>,
    /// The line in the file (1 = the header), for messages.
    #[serde(skip)]
    pub line: usize,
}

/// The unit levels of the published results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BenchmarkLevel {
    /// The whole country ("Hele landet"), code `DK`.
    Land,
    /// One of the 5 regions.
    Region,
    /// One of the 98 municipalities.
    Kommune,
}

impl BenchmarkLevel {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "land" => Some(BenchmarkLevel::Land),
            "region" => Some(BenchmarkLevel::Region),
            "kommune" => Some(BenchmarkLevel::Kommune),
            _ => None,
        }
    }
}

/// Parses one benchmark file; `file` names it in errors. Every bad line is
/// reported.
pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<Benchmark>, CatalogError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(CatalogError::Syntax { file: file.into(), message: "the file is empty".into() });
    };
    let header = split(header.trim_start_matches('\u{feff}'))
        .map_err(|message| CatalogError::Syntax { file: file.into(), message: format!("line 1: {message}") })?;
    if header != HEADER {
        return Err(CatalogError::Syntax {
            file: file.into(),
            message: format!("line 1: the header must be {}", HEADER.join(",")),
        });
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in lines {
        match row(line, n) {
            Ok(row) => rows.push(row),
            Err(message) => {
                problems.push(CatalogError::entry(file, format!("line {n}"), Problem::Inconsistent(message)))
            }
        }
    }
    CatalogError::from_list(problems)?;
    Ok(rows)
}

fn row(line: &str, n: usize) -> Result<Benchmark, String> {
    let fields = split(line)?;
    let [indicator_id, level, unit_code, unit_name, region_code, year, value, reason]: [String; 8] =
        fields.try_into().map_err(|f: Vec<String>| format!("{} fields, expected {}", f.len(), HEADER.len()))?;
    let unit_level = BenchmarkLevel::parse(&level)
        .ok_or_else(|| format!("unknown unit_level \"{level}\"; expected land, region or kommune"))?;
    let year = year.parse().map_err(|_| format!("year \"{year}\" is not a year"))?;
    let value = match value.as_str() {
        "" => None,
        v => Some(v.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
            format!("value \"{v}\" is not a number (write 12.5 with a decimal point; leave it empty when missing)")
        })?),
    };
    let nonempty = |s: String| if s.is_empty() { None } else { Some(s) };
    let missing_reason = nonempty(reason);
    if value.is_none() == missing_reason.is_none() {
        return Err(if value.is_none() {
            "a missing value needs its missing_reason".into()
        } else {
            "a row with a value has no missing_reason".into()
        });
    }
    Ok(Benchmark {
        indicator_id,
        unit_level,
        unit_code,
        unit_name,
        region_code: nonempty(region_code),
        year,
        value,
        missing_reason,
        line: n,
    })
}

/// Splits one CSV line: `,` separated, fields optionally in `"…"` with `""`
/// for a quote inside.
fn split(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                    None => return Err("a quoted field is not closed".into()),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(c) => return Err(format!("unexpected {c:?} after a quoted field")),
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some(',') => break,
                    Some('"') => return Err("a quote inside an unquoted field".into()),
                    Some(c) => field.push(c),
                }
            }
            fields.push(field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        assert_eq!(split("a,\"b, c\",,\"d \"\"e\"\"\"").unwrap(), ["a", "b, c", "", "d \"e\""]);
        assert_eq!(split("a,").unwrap(), ["a", ""]);
        assert!(split("a,\"b").is_err());
    }

    #[test]
    fn rows_and_their_errors() {
        let head = HEADER.join(",");
        let text = format!(
            "{head}\nnm.x,kommune,101,København,1084,2017,88.5,\nnm.x,land,DK,Hele landet,,2017,,\"Ikke vist, fordi\"\n"
        );
        let rows = parse("b.csv", &text).unwrap();
        assert_eq!(rows[0].value, Some(88.5));
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].region_code, None);
        assert_eq!(rows[1].missing_reason.as_deref(), Some("Ikke vist, fordi"));

        let bad = format!("{head}\nnm.x,kommune,101,København,1084,2017,88;5,\nnm.x,amt,1,A,,2017,1,\n");
        let err = parse("b.csv", &bad).unwrap_err().to_string();
        assert!(err.contains("b.csv: line 2: value \"88;5\" is not a number"), "{err}");
        assert!(err.contains("b.csv: line 3: unknown unit_level \"amt\""), "{err}");
    }
}
