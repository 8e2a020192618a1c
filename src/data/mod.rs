//! Input tables: finding them in a data directory, reading Parquet, Arrow
//! IPC and CSV, validating them against the schema and handing them to the
//! engine as lazy frames.
//!
//! A data directory holds one file per table (`borgere.parquet`,
//! `indsatser.csv`, `uth.arrow`) or one folder of files per table
//! (`besoeg/2024.parquet`, `besoeg/2025.parquet`). Parquet and IPC files are
//! scanned lazily; CSV files are read and typed at load. A table that fails
//! validation is kept as an error: rules that read it fail with that error,
//! the other rules run.

pub mod csv;
pub mod schema;
pub mod validate;

pub use schema::{ColumnType, Schema, TableSchema};

use polars::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use validate::RowNumbering;

/// Why `table("name")` has no table to give.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableUnavailable {
    /// No data directory is open (a notebook before `use_data`).
    #[error(
        "no data is open to read table \"{name}\" from; choose data with use_data(\"demo\") or use_data(\"/path/to/data\")"
    )]
    NoData { name: String },
    /// No file or folder of that name in the data directory.
    #[error("no table \"{name}\" in {}; tables found: {}", dir.display(), if found.is_empty() { "none".to_string() } else { found.join(", ") })]
    Missing {
        name: String,
        /// The data directory.
        dir: PathBuf,
        /// The tables it has.
        found: Vec<String>,
    },
    /// A standard table the data directory does not have: the measures
    /// that read it cannot be computed with these data.
    #[error("not computable with these data: there is no table \"{name}\" in {}", dir.display())]
    Absent {
        name: String,
        /// The data directory.
        dir: PathBuf,
    },
    /// The table is there but did not validate (its errors are reported
    /// once, when the data is opened).
    #[error(
        "table \"{name}\" is unavailable: it did not load (see the data error above for {})",
        errors.first().map(|e| e.file.display().to_string()).unwrap_or_default()
    )]
    Invalid {
        name: String,
        /// What was wrong with it.
        errors: Vec<DataError>,
    },
}

/// Where `table("name")` finds its tables: what the rule engine reads.
pub trait TableSource {
    /// The lazy table of that name, or why there is none.
    fn table(&self, name: &str) -> Result<LazyFrame, TableUnavailable>;

    /// The columns that identify a row of that table, if known.
    fn key(&self, _name: &str) -> Option<Vec<String>> {
        None
    }
}

/// The first line of a Polars error, which is the part worth showing, in
/// the user's terms where Polars' words are known to mislead (it says
/// "rows" for the fields of a CSV line).
pub fn polars_message(error: &PolarsError) -> String {
    let first = error.to_string().lines().next().unwrap_or_default().trim().to_string();
    let translated = if first.contains("found more fields than defined in 'Schema'") {
        "a line has more fields than the header (a missing line break, or an unquoted separator)".to_string()
    } else if let Some(counts) = first.strip_prefix("expected ").filter(|_| first.contains(" rows, actual ")) {
        format!("a line has another number of fields than the header ({})", counts.replace("rows", "fields"))
    } else {
        first
    };
    clip(&translated)
}

/// Text longer than this is cut in messages.
const LONGEST_QUOTED: usize = 120;

/// Text from data as a message shows it: whole when short, otherwise its
/// start and how long it is, so that a broken export with a value of
/// megabytes does not flood the terminal.
pub fn clip(text: &str) -> String {
    let length = text.chars().count();
    if length <= LONGEST_QUOTED {
        return text.to_string();
    }
    let start: String = text.chars().take(LONGEST_QUOTED / 2).collect();
    format!("{start}… ({length} characters in all)")
}

/// A value from data in quotes, cut like [`clip`]: `"31-02-1950"`, or
/// `"99999…" (a value of 5000000 characters)`.
pub fn quote(text: &str) -> String {
    let length = text.chars().count();
    if length <= LONGEST_QUOTED {
        return format!("\"{text}\"");
    }
    let start: String = text.chars().take(LONGEST_QUOTED / 2).collect();
    format!("\"{start}…\" (a value of {length} characters)")
}

/// Lower-case hex of bytes (for SHA-256 digests).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A problem with input data, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    pub file: PathBuf,
    /// `line 14` for CSV, `row 14` for Parquet/IPC, `rows 3, 17` for keys.
    pub row: Option<String>,
    pub column: Option<String>,
    pub message: String,
}

impl DataError {
    /// A problem with a file as a whole.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Self { file: file.to_path_buf(), row: None, column: None, message: message.into() }
    }

    /// A problem with a column of a file.
    pub fn column(file: &Path, column: &str, message: impl Into<String>) -> Self {
        Self { file: file.to_path_buf(), row: None, column: Some(column.to_string()), message: message.into() }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(row) = &self.row {
            write!(f, ", {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DataError {}

/// The file formats a table can come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Ipc,
    Csv,
}

impl Format {
    /// The format of a file, by its extension.
    pub fn of(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "parquet" | "pq" => Some(Self::Parquet),
            "arrow" | "ipc" | "feather" => Some(Self::Ipc),
            "csv" | "txt" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// Each file read once: SHA-256 over every file (name and content) in name
/// order, and per table over its files.
fn hash_files(found: &BTreeMap<String, Vec<PathBuf>>) -> std::io::Result<InputHashes> {
    let mut files: Vec<(&PathBuf, &str)> =
        found.iter().flat_map(|(name, files)| files.iter().map(move |f| (f, name.as_str()))).collect();
    files.sort();
    let mut all = Sha256::new();
    let mut per_table: BTreeMap<&str, Sha256> = BTreeMap::new();
    for (file, table) in files {
        let mut hasher = Sha256::new();
        let mut reader = std::fs::File::open(file)?;
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let n = reader.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
        }
        let name = file.file_name().map(|n| n.as_encoded_bytes()).unwrap_or_default();
        let digest = hasher.finalize();
        all.update(name);
        all.update(digest);
        let table = per_table.entry(table).or_default();
        table.update(name);
        table.update(digest);
    }
    Ok(InputHashes {
        all: hex(&all.finalize()),
        tables: per_table.into_iter().map(|(name, h)| (name.to_string(), hex(&h.finalize()))).collect(),
    })
}

/// SHA-256 hashes of a data directory's files.
#[derive(Debug, Clone)]
pub struct InputHashes {
    /// Over every file, name and content, in name order.
    pub all: String,
    /// Per table, over its files.
    pub tables: BTreeMap<String, String>,
}

/// A loaded, validated table.
pub struct LoadedTable {
    /// The table as read from its files, types checked.
    scan: LazyFrame,
    /// The table collected into memory, while it is held.
    held: std::sync::RwLock<Option<LazyFrame>>,
    pub files: Vec<PathBuf>,
    /// Whether the table has no rows (a header only).
    pub empty: bool,
    /// Whether it is small enough to hold in memory (else scanned from its
    /// files by every plan, see [`IN_MEMORY_LIMIT`]).
    pub in_memory: bool,
}

impl LoadedTable {
    /// The table: held in memory, or else scanned from its files.
    pub fn frame(&self) -> LazyFrame {
        let held = self.held.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        held.clone().unwrap_or_else(|| self.scan.clone())
    }
}

/// (table, sha256 of its files) pairs that validated: what
/// [`DataSource::open_checked`] need not check again.
pub type Validated = BTreeSet<(String, String)>;

/// The tables of one data directory.
pub struct DataSource {
    pub dir: PathBuf,
    tables: BTreeMap<String, Result<LoadedTable, Vec<DataError>>>,
    /// The validated keys of the standard tables found.
    keys: BTreeMap<String, Vec<String>>,
    /// The standard tables, to tell an absent one from a misspelt name.
    schema: Schema,
    hashes: InputHashes,
    /// Tables whose value checks were skipped: their files are those that
    /// validated before.
    checked_before: Vec<String>,
}

impl DataSource {
    /// Finds, reads and validates every table in `dir` against `schema`.
    /// Problems with single tables are kept per table (see
    /// [`DataSource::problems`]); only an unreadable directory is an error.
    pub fn open(dir: &Path, schema: &Schema) -> Result<Self, DataError> {
        Self::open_checked(dir, schema, &Validated::new())
    }

    /// As [`DataSource::open`], but a table whose files hash to a hash
    /// `checked` holds for it (it validated then, see
    /// [`DataSource::valid_tables`]) is typed without its value checks
    /// being run again.
    pub fn open_checked(dir: &Path, schema: &Schema, checked: &Validated) -> Result<Self, DataError> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| DataError::file(dir, format!("cannot read the data directory: {e}")))?;
        let mut found: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                    .map_err(|e| DataError::file(&path, format!("cannot read the folder: {e}")))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| Format::of(p).is_some())
                    .collect();
                files.sort();
                if let (Some(name), false) = (path.file_name().and_then(|n| n.to_str()), files.is_empty()) {
                    found.entry(name.to_string()).or_default().extend(files);
                }
            } else if Format::of(&path).is_some()
                && let Some(name) = path.file_stem().and_then(|n| n.to_str())
            {
                found.entry(name.to_string()).or_default().push(path.clone());
            }
        }
        let keys = found.keys().filter_map(|name| Some((name.clone(), schema.tables.get(name)?.key.clone()))).collect();
        let hashes = hash_files(&found).map_err(|e| DataError::file(dir, format!("cannot read the data: {e}")))?;
        let mut checked_before = Vec::new();
        let tables = found
            .into_iter()
            .map(|(name, files)| {
                let unchanged = hashes.tables.get(&name).is_some_and(|h| checked.contains(&(name.clone(), h.clone())));
                if unchanged {
                    checked_before.push(name.clone());
                }
                let loaded = load_table(&name, &files, schema.tables.get(&name), unchanged);
                (name, loaded)
            })
            .collect();
        Ok(Self { dir: dir.to_path_buf(), tables, keys, schema: schema.clone(), hashes, checked_before })
    }

    /// A source without a data directory (for checking rules without
    /// data, or a notebook before it chooses data).
    pub fn empty() -> Self {
        Self {
            dir: PathBuf::new(),
            tables: BTreeMap::new(),
            keys: BTreeMap::new(),
            schema: Schema::default(),
            // Hashing no files reads nothing and cannot fail.
            hashes: hash_files(&BTreeMap::new()).expect("no files to read"),
            checked_before: Vec::new(),
        }
    }

    /// Whether this source has a data directory ([`DataSource::empty`] has
    /// none).
    pub fn has_dir(&self) -> bool {
        !self.dir.as_os_str().is_empty()
    }

    /// The names of all tables found, valid or not.
    pub fn table_names(&self) -> Vec<String> {
        self.tables.keys().cloned().collect()
    }

    /// The validated table of that name.
    pub fn get(&self, name: &str) -> Option<&LoadedTable> {
        self.tables.get(name)?.as_ref().ok()
    }

    /// The standard tables that have no rows: measures that read them have
    /// no data, and are not to be reported as zero.
    pub fn empty_tables(&self) -> std::collections::BTreeSet<String> {
        self.tables
            .iter()
            .filter(|(name, t)| self.keys.contains_key(*name) && t.as_ref().is_ok_and(|t| t.empty))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Warnings about tables that loaded but will not give numbers: a
    /// standard table without rows.
    pub fn warnings(&self) -> Vec<DataError> {
        self.empty_tables()
            .iter()
            .filter_map(|name| self.get(name))
            .map(|t| {
                DataError::file(
                    &t.files[0],
                    "the table is empty (a header and no rows); measures that read it have no data and are left \
                     out of the results",
                )
            })
            .collect()
    }

    /// The standard table that lacks `column`, an optional column of its
    /// schema, among the tables that loaded: a rule that needs the column
    /// is not computable with these data.
    pub fn lacking_optional_column(&self, column: &str) -> Option<&str> {
        self.schema.tables.iter().find_map(|(name, table)| {
            let optional = table.column(column).is_some_and(|c| c.optional);
            let mut frame = self.get(name)?.frame();
            let lacks = optional && frame.collect_schema().is_ok_and(|s| s.get(column).is_none());
            lacks.then_some(name.as_str())
        })
    }

    /// Every problem found while loading, in table order.
    pub fn problems(&self) -> Vec<DataError> {
        self.tables.values().filter_map(|t| t.as_ref().err()).flatten().cloned().collect()
    }

    /// Standard tables the schema lists that the directory does not have.
    pub fn missing_standard_tables<'a>(&self, schema: &'a Schema) -> Vec<&'a str> {
        schema.tables.keys().filter(|name| !self.tables.contains_key(*name)).map(String::as_str).collect()
    }

    /// The inputs' hashes: over every file, and per table (what a run
    /// compares to skip the rules whose tables did not change), as read
    /// when the source was opened.
    pub fn hashes(&self) -> &InputHashes {
        &self.hashes
    }

    /// Lets go of the tables held in memory: plans made after this scan
    /// them from their files again. A batch run does so once its rules have
    /// run, so that the statistics have that memory.
    pub fn release_held_tables(&self) {
        for table in self.tables.values().flatten() {
            *table.held.write().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        }
    }

    /// Whether a table is too large to hold in memory (national `besoeg`).
    pub fn has_large_tables(&self) -> bool {
        self.tables.values().any(|t| t.as_ref().is_ok_and(|t| !t.in_memory))
    }

    /// The tables that loaded and validated without a problem, with their
    /// hashes: what a later open may take as checked
    /// ([`DataSource::open_checked`]).
    pub fn valid_tables(&self) -> BTreeMap<String, String> {
        self.tables
            .iter()
            .filter(|(_, t)| t.is_ok())
            .filter_map(|(name, _)| Some((name.clone(), self.hashes.tables.get(name)?.clone())))
            .collect()
    }

    /// The tables whose value checks were skipped as checked before.
    pub fn checked_before(&self) -> &[String] {
        &self.checked_before
    }
}

impl TableSource for DataSource {
    fn key(&self, name: &str) -> Option<Vec<String>> {
        self.keys.get(name).cloned()
    }

    fn table(&self, name: &str) -> Result<LazyFrame, TableUnavailable> {
        match self.tables.get(name) {
            Some(Ok(table)) => Ok(table.frame()),
            Some(Err(errors)) => Err(TableUnavailable::Invalid { name: name.to_string(), errors: errors.clone() }),
            None if !self.has_dir() => Err(TableUnavailable::NoData { name: name.to_string() }),
            None if self.schema.tables.contains_key(name) => {
                Err(TableUnavailable::Absent { name: name.to_string(), dir: self.dir.clone() })
            }
            None => Err(TableUnavailable::Missing {
                name: name.to_string(),
                dir: self.dir.clone(),
                found: self.table_names(),
            }),
        }
    }
}

/// Reads and types every file of one table; unless `checked` (the same
/// files validated before), runs its value checks and checks its key.
fn load_table(
    name: &str,
    files: &[PathBuf],
    schema: Option<&TableSchema>,
    checked: bool,
) -> Result<LoadedTable, Vec<DataError>> {
    let formats: Vec<Format> = files.iter().filter_map(|f| Format::of(f)).collect();
    if formats.windows(2).any(|w| w[0] != w[1]) {
        return Err(vec![DataError::file(
            &files[0],
            format!("table {name} mixes file formats; keep one format per table"),
        )]);
    }
    let mut frames = Vec::new();
    let mut errors = Vec::new();
    let mut numbering = RowNumbering::Row;
    for file in files {
        let frame = match open_file(file) {
            Ok((frame, file_numbering)) => {
                numbering = file_numbering;
                frame
            }
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        match validate::validate_file(file, frame, schema, numbering, checked) {
            Ok(frame) => frames.push(frame),
            Err(mut found) => errors.append(&mut found),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(error) = disagreeing_parts(name, files, &mut frames) {
        return Err(vec![error]);
    }
    let frame = if frames.len() == 1 {
        frames.pop().expect("one frame")
    } else {
        concat(frames, UnionArgs::default()).map_err(|e| {
            vec![DataError::file(
                &files[0],
                format!("the files of table {name} do not fit together: {}", polars_message(&e)),
            )]
        })?
    };
    if let Some(schema) = schema.filter(|_| !checked) {
        // Row numbers are per file only when there is one file.
        let numbering = if files.len() == 1 { numbering } else { RowNumbering::Row };
        validate::check_unique_key(name, files, &frame, &schema.key, numbering).map_err(|e| vec![e])?;
    }
    let small = in_memory(files);
    let (held, empty) = if small {
        let typed = frame.clone().collect().map_err(|e| vec![DataError::file(&files[0], polars_message(&e))])?;
        let empty = typed.height() == 0;
        (Some(typed.lazy()), empty)
    } else {
        (None, false)
    };
    Ok(LoadedTable { scan: frame, held: held.into(), files: files.to_vec(), empty, in_memory: small })
}

/// The first part file of a table folder whose columns or types differ
/// from the first file's, named together with it: parts that disagree
/// would be read as one table by chance.
fn disagreeing_parts(name: &str, files: &[PathBuf], frames: &mut [LazyFrame]) -> Option<DataError> {
    let mut schemas = Vec::with_capacity(frames.len());
    for (file, frame) in files.iter().zip(frames.iter_mut()) {
        match frame.collect_schema() {
            Ok(schema) => schemas.push(schema),
            Err(e) => return Some(DataError::file(file, polars_message(&e))),
        }
    }
    let first = schemas.first()?;
    for (file, schema) in files.iter().zip(&schemas).skip(1) {
        let difference = if let Some(missing) = first.iter_names().find(|n| schema.get(n).is_none()) {
            format!("it has no column {missing}")
        } else if let Some(extra) = schema.iter_names().find(|n| first.get(n).is_none()) {
            format!("it has a column {extra} that the first file has not")
        } else if let Some((column, dtype)) = schema.iter().find(|(n, t)| first.get(n) != Some(*t)) {
            format!(
                "its column {column} is {dtype} where the first file's is {}",
                first.get(column).expect("the same names")
            )
        } else {
            continue;
        };
        return Some(DataError::file(
            file,
            format!("the part files of table {name} disagree with {}: {difference}", files[0].display()),
        ));
    }
    None
}

/// Tables whose files are at most this large are read into memory once,
/// typed, at load; larger ones are scanned lazily by every plan that uses
/// them (reading only the columns and rows it needs).
pub const IN_MEMORY_LIMIT: u64 = 256 * 1024 * 1024;

/// Whether a table is kept in memory: always for CSV (already read as
/// text, typed once here instead of in every plan), else by size.
fn in_memory(files: &[PathBuf]) -> bool {
    let size: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    files.iter().all(|f| Format::of(f) == Some(Format::Csv)) || size <= IN_MEMORY_LIMIT
}

/// Opens one file lazily (Parquet, IPC) or reads it as text (CSV).
fn open_file(path: &Path) -> Result<(LazyFrame, RowNumbering), DataError> {
    let path_text = path.to_str().ok_or_else(|| DataError::file(path, "the file name is not valid UTF-8"))?;
    match Format::of(path) {
        Some(Format::Parquet) => LazyFrame::scan_parquet(PlRefPath::new(path_text), ScanArgsParquet::default())
            .map(|f| (f, RowNumbering::Row))
            .map_err(|e| DataError::file(path, format!("cannot read it as Parquet: {}", polars_message(&e)))),
        Some(Format::Ipc) => {
            LazyFrame::scan_ipc(PlRefPath::new(path_text), IpcScanOptions::default(), UnifiedScanArgs::default())
                .map(|f| (f, RowNumbering::Row))
                .map_err(|e| DataError::file(path, format!("cannot read it as Arrow IPC: {}", polars_message(&e))))
        }
        Some(Format::Csv) => csv::read_text_columns(path).map(|df| (df.lazy(), RowNumbering::CsvLine)),
        None => Err(DataError::file(path, "unknown file type; use .parquet, .arrow/.ipc or .csv")),
    }
}
