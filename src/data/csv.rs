//! Reading CSV exports, Danish style included: `;` or `,` or tab separators
//! (detected from the header line), decimal commas, `dd-mm-yyyy` dates, and
//! UTF-8 (with or without BOM) or Latin-1/Windows-1252 text.
//!
//! Every column is read as text; [`super::validate`] turns text into typed
//! values so that a bad value can be reported with its line number. Before
//! Polars parses the file, the header and the records are checked here, so
//! that a broken export is described in the user's terms: a separator that
//! cannot be told, two columns with one name, a line with more or fewer
//! fields than the header (a missing line break, an unquoted separator).

use super::DataError;
use polars::prelude::*;
use std::io::Cursor;
use std::path::Path;

/// The separators a CSV file may use, in the order they are tried.
const SEPARATORS: [(u8, &str); 3] = [(b';', "';'"), (b'\t', "tab"), (b',', "','")];

/// Reads a CSV file into a frame of text columns.
pub fn read_text_columns(path: &Path) -> Result<DataFrame, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::file(path, format!("cannot read the file: {e}")))?;
    let text = decode(&bytes);
    let header = text.lines().next().unwrap_or_default();
    let separator = detect_separator(header).map_err(|message| DataError::file(path, message))?;
    check_header(header, separator).map_err(|message| DataError::file(path, message))?;
    check_records(&text, separator).map_err(|(line, message)| DataError {
        file: path.to_path_buf(),
        row: Some(format!("line {line}")),
        column: None,
        message,
    })?;
    let options = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|o| o.with_separator(separator).with_truncate_ragged_lines(false));
    options
        .into_reader_with_file_handle(Cursor::new(text.into_bytes()))
        .finish()
        .map_err(|e| DataError::file(path, format!("cannot parse it as CSV: {}", super::polars_message(&e))))
}

/// UTF-8 text without a byte order mark; bytes that are not valid UTF-8 are
/// read as Windows-1252 (a superset of Latin-1, as Danish Excel exports use).
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The separator of the header line: the most frequent of `;`, tab and
/// `,`. A header with none of them is one column; a header where two of
/// them are equally frequent cannot be told apart and is refused, and so is
/// a header that uses `|` instead.
fn detect_separator(header: &str) -> Result<u8, String> {
    let counts: Vec<(u8, &str, usize)> =
        SEPARATORS.iter().map(|&(sep, name)| (sep, name, header.bytes().filter(|b| *b == sep).count())).collect();
    let best = counts.iter().map(|c| c.2).max().unwrap_or(0);
    let tried = || SEPARATORS.iter().map(|s| s.1).collect::<Vec<_>>().join(", ");
    if best == 0 {
        if header.contains('|') {
            return Err(format!(
                "cannot tell the separator: the header line is split by '|', which is not one of those tried ({}); \
                 export the file with ';'",
                tried()
            ));
        }
        return Ok(b',');
    }
    let tied: Vec<&str> = counts.iter().filter(|c| c.2 == best).map(|c| c.1).collect();
    if tied.len() > 1 {
        return Err(format!(
            "cannot tell the separator: the header line has {best} of each of {}; tried {}",
            tied.join(" and "),
            tried()
        ));
    }
    Ok(counts.iter().find(|c| c.2 == best).map(|c| c.0).expect("the best count belongs to a separator"))
}

/// The header's column names, split at `separator` (quotes removed).
fn header_names(header: &str, separator: u8) -> Vec<String> {
    header.split(separator as char).map(|n| n.trim().trim_matches('"').to_string()).collect()
}

/// Refuses a header that names a column twice: which one a rule would read
/// cannot be told.
fn check_header(header: &str, separator: u8) -> Result<(), String> {
    let names = header_names(header, separator);
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|other| other == name) {
            return Err(format!(
                "columns {} and {} of the header are both named \"{}\"; give each column its own name",
                j + 1,
                i + 1,
                super::clip(name)
            ));
        }
    }
    Ok(())
}

/// Checks that every record has as many fields as the header; returns the
/// first line that does not, and what is wrong with it. Quoted fields may
/// hold separators and line breaks.
fn check_records(text: &str, separator: u8) -> Result<(), (usize, String)> {
    let mut expected = None;
    let (mut fields, mut quoted, mut line, mut record_line, mut empty) = (1usize, false, 1usize, 1usize, true);
    let mut finish = |fields: usize, record_line: usize, empty: bool| -> Result<(), (usize, String)> {
        if empty {
            return Ok(());
        }
        match expected {
            None => expected = Some(fields),
            Some(wanted) if wanted != fields => {
                let hint = if fields > wanted {
                    "a line break is missing, or a value holds an unquoted separator"
                } else {
                    "the line is cut short, or a value holds an unquoted line break"
                };
                return Err((
                    record_line,
                    format!("the line has {fields} fields where the header has {wanted}; {hint}"),
                ));
            }
            Some(_) => {}
        }
        Ok(())
    };
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => {
                quoted = !quoted;
                empty = false;
            }
            b'\n' if !quoted => {
                finish(fields, record_line, empty)?;
                line += 1;
                record_line = line;
                fields = 1;
                empty = true;
            }
            b'\n' => line += 1,
            b'\r' if !quoted && bytes.get(i + 1) == Some(&b'\n') => {}
            sep if sep == separator && !quoted => {
                fields += 1;
                empty = false;
            }
            _ => empty = false,
        }
    }
    finish(fields, record_line, empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_and_bom_decode_to_the_same_text() {
        let latin1 = b"navn;by\nS\xf8ren;\xc6r\xf8sk\xf8bing\n";
        let utf8_bom = "\u{feff}navn;by\nSøren;Ærøskøbing\n".as_bytes();
        assert_eq!(decode(latin1), decode(utf8_bom));
        assert_eq!(decode(latin1), "navn;by\nSøren;Ærøskøbing\n");
    }

    #[test]
    fn separator_follows_the_header() {
        assert_eq!(detect_separator("a;b;c"), Ok(b';'));
        assert_eq!(detect_separator("a,b,c"), Ok(b','));
        assert_eq!(detect_separator("a\tb"), Ok(b'\t'));
        assert_eq!(detect_separator("single"), Ok(b','));
        assert_eq!(
            detect_separator("a;b,c"),
            Err("cannot tell the separator: the header line has 1 of each of ';' and ','; tried ';', tab, ','".into())
        );
        assert!(detect_separator("a|b|c").unwrap_err().contains("split by '|'"));
    }

    #[test]
    fn a_column_named_twice_is_refused() {
        assert_eq!(
            check_header("uth_id;type;dato;type", b';'),
            Err("columns 2 and 4 of the header are both named \"type\"; give each column its own name".into())
        );
        assert_eq!(check_header("a;b;c", b';'), Ok(()));
    }

    #[test]
    fn a_line_with_other_field_counts_is_named() {
        // Line 3 is two records run together: 4 fields against the header's 2.
        let text = "a;b\n1;2\n3;4;5;6\n7;8\n";
        assert_eq!(
            check_records(text, b';'),
            Err((3, "the line has 4 fields where the header has 2; a line break is missing, or a value holds an unquoted separator".into()))
        );
        // Quoted separators and line breaks are part of the value; an empty
        // last line and CRLF endings are fine.
        assert_eq!(check_records("a;b\r\n\"x;y\";\"line\nbreak\"\r\n3;4\r\n\n", b';'), Ok(()));
        assert_eq!(check_records("a;b;c\n1;2\n", b';').unwrap_err().0, 2);
    }
}
