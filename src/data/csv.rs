//! Reading CSV exports, Danish style included: `;` or `,` or tab separators
//! (detected from the header line), decimal commas, `dd-mm-yyyy` dates, and
//! UTF-8 (with or without BOM) or Latin-1/Windows-1252 text.
//!
//! Every column is read as text; [`super::validate`] turns text into typed
//! values so that a bad value can be reported with its line number.

use polars::prelude::*;
use std::io::Cursor;
use std::path::Path;

/// Reads a CSV file into a frame of text columns.
pub fn read_text_columns(path: &Path) -> Result<DataFrame, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let text = decode(&bytes);
    let header = text.lines().next().unwrap_or_default();
    let separator = detect_separator(header);
    let options = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|o| o.with_separator(separator).with_truncate_ragged_lines(false));
    options
        .into_reader_with_file_handle(Cursor::new(text.into_bytes()))
        .finish()
        .map_err(|e| format!("cannot parse it as CSV: {}", crate::data::polars_message(&e)))
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

/// The most frequent of `;`, tab and `,` in the header line.
fn detect_separator(header: &str) -> u8 {
    [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|sep| (header.bytes().filter(|b| b == sep).count(), *sep == b','))
        .unwrap_or(b',')
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
        assert_eq!(detect_separator("a;b;c"), b';');
        assert_eq!(detect_separator("a,b,c"), b',');
        assert_eq!(detect_separator("a\tb"), b'\t');
        assert_eq!(detect_separator("single"), b',');
    }
}
