//! The kernel's language: Rhai cells evaluated by a workspace session
//! ([`Session`]), their values turned into MIME bundles, and the editor's
//! questions answered — completion (the rule language's functions and
//! methods, the cell functions, variables, table and column names),
//! inspection (a function's documentation, a variable, a table's columns)
//! and completeness (an unfinished block asks for more lines).

use super::evaluator::{Completeness, Completion, EvalError, ExecContext, Language, OutputSink};
use crate::display;
use crate::engine::RulesSource;
use crate::error::Error;
use crate::results::{ResultRow, UnitLevel};
use crate::runner::RuleRef;
use crate::workspace::session::{self, ChartKind, Session, Value};
use crate::workspace::{Request, Sources, Workspace};
use jupyter_protocol::{Media, MediaType};
use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Rhai's keywords, offered by completion.
const KEYWORDS: [&str; 16] = [
    "let", "const", "fn", "if", "else", "for", "in", "while", "loop", "break", "continue", "return", "import", "as",
    "true", "false",
];

/// The cells of one kernel.
pub struct Cells {
    session: Session,
    /// Where `print` writes while a cell runs.
    output: Rc<RefCell<Option<OutputSink>>>,
}

impl Cells {
    /// A session with the built-in catalogue and rules and no data yet
    /// (`use_data` chooses it); `interrupt` stops a running cell.
    pub fn new(interrupt: Arc<AtomicBool>) -> Self {
        let sources = Sources { data: None, catalog: None, rules: RulesSource::Standard };
        let workspace = Workspace::open(&sources).expect("the built-in catalogue and rules open without data");
        let mut session = Session::with_interrupt(workspace, interrupt);
        let output: Rc<RefCell<Option<OutputSink>>> = Rc::new(RefCell::new(None));
        let sink = output.clone();
        session.on_print(move |text| {
            if let Some(sink) = sink.borrow().as_ref() {
                sink.stdout(format!("{text}\n"));
            }
        });
        let sink = output.clone();
        session.on_debug(move |text| {
            if let Some(sink) = sink.borrow().as_ref() {
                sink.stderr(format!("{text}\n"));
            }
        });
        Self { session, output }
    }

    /// Evaluates a cell and renders its displays and its value; a Polars
    /// query aborted by an interrupt ends as an interrupt, like a stopped
    /// script.
    fn run(&mut self, code: &str, ctx: &mut ExecContext<'_>) -> Result<Option<Media>, EvalError> {
        let outcome = polars::error::abort::catch_polars_abort(AssertUnwindSafe(|| {
            let value = self.session.eval(code).map_err(|e| error(&e, code))?;
            for shown in self.session.take_displays() {
                if let Some(media) = self.render(shown).map_err(|e| error(&e, code))? {
                    ctx.display(media);
                }
            }
            self.render(value).map_err(|e| error(&e, code))
        }));
        outcome.unwrap_or_else(|_| Err(EvalError::interrupted()))
    }

    /// A value as a MIME bundle: `text/plain` always, HTML or SVG where the
    /// value has a picture.
    fn render(&self, value: Value) -> Result<Option<Media>, Error> {
        let catalog = self.session.catalog();
        let bundle = match value {
            Value::Nothing => return Ok(None),
            Value::Table(table) => display::table_preview(&table)?,
            Value::Expr(expr) => display::preformatted("Udtryk", &format!("{:?}", expr.0)),
            Value::Measure(measure, period) => {
                let workspace = self.session.workspace();
                let request = Request::new(vec![period], vec![UnitLevel::Kommune, UnitLevel::Plejeenhed]);
                let built = (*measure).clone();
                let label = self.session.cell_label();
                let rule = RuleRef { id: &label, path: Path::new(&label) };
                let results = workspace.evaluate_measure(rule, "", &move |_| Ok(built.clone()), &request)?;
                display::results_table(&results.rows, &catalog)
            }
            Value::Results(results) => display::results_table(&results.rows, &catalog),
            Value::Rule(rule) => display::preformatted(&rule.path.display().to_string(), &rule.source),
            Value::Members(members) => {
                let mut bundle = display::frame_table(&members.listing);
                let unit =
                    members.unit.as_deref().map(|u| format!(" {} {u}", members.level.name())).unwrap_or_default();
                let mut heading =
                    format!("{} · {}{unit}", members.measure_id, display::format::period(&members.period));
                if let Some(c) = members.counts {
                    heading.push_str(&format!(
                        " · tæller {} / nævner {} ({} udelukket, {} undtagelser)",
                        c.numerator, c.denominator, c.excluded, c.exceptions
                    ));
                }
                bundle.plain = format!("{heading}\n{}", bundle.plain);
                bundle.html = bundle.html.map(|h| format!("<div><b>{}</b></div>{h}", display::html::escape(&heading)));
                bundle
            }
            Value::Chart(chart) => {
                let rows: Vec<&ResultRow> = chart.rows.iter().collect();
                match chart.kind {
                    ChartKind::Run => display::run_chart(&rows, &catalog),
                    ChartKind::Funnel => display::funnel_plot(&rows, &catalog),
                    ChartKind::Bars => display::bar_chart(&rows, &catalog),
                }
            }
            Value::CatalogEntry(id) => display::catalog_entry(&catalog, &id),
            Value::Plan(text) => display::preformatted("Polars-plan (optimeret)", &text),
            Value::Integer(i) => return Ok(Some(plain(i.to_string()))),
            Value::Float(f) => return Ok(Some(plain(f.to_string()))),
            Value::Bool(b) => return Ok(Some(plain(b.to_string()))),
            Value::Text(text) => return Ok(Some(plain(format!("{text:?}")))),
            Value::Other { text, .. } => return Ok(Some(plain(text))),
        };
        Ok(Some(media(bundle)))
    }

    /// The names completion offers, with their kind: the language's
    /// functions, the cell functions, what earlier cells defined, and what
    /// `code` itself declares with `let`, `const` or `fn`.
    fn names(&self, code: &str) -> Vec<(String, &'static str)> {
        let mut names: Vec<(String, &'static str)> = Vec::new();
        let words: Vec<&str> =
            code.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
        for pair in words.windows(2) {
            match pair[0] {
                "let" | "const" => names.push((pair[1].to_string(), "instance")),
                "fn" => names.push((pair[1].to_string(), "function")),
                _ => {}
            }
        }
        for doc in crate::engine::api::docs().iter().chain(&session::docs()) {
            if doc.name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                names.push((doc.name.to_string(), "function"));
            }
        }
        names.extend(self.session.functions().into_iter().map(|f| (f, "function")));
        names.extend(self.session.variables().into_iter().map(|v| (v, "instance")));
        names.extend(KEYWORDS.iter().map(|k| (k.to_string(), "keyword")));
        names.sort();
        names.dedup();
        names
    }

    /// The columns of the tables `code` reads (or of every table when it
    /// names none), with their types.
    fn columns(&self, code: &str) -> Vec<(String, String)> {
        let workspace = self.session.workspace();
        let data = workspace.data();
        let named: Vec<String> =
            data.table_names().into_iter().filter(|t| code.contains(&format!("table(\"{t}\")"))).collect();
        let tables = if named.is_empty() { data.table_names() } else { named };
        let mut columns = Vec::new();
        for table in tables {
            if let Some(mut frame) = data.get(&table).map(crate::data::LoadedTable::frame)
                && let Ok(schema) = frame.collect_schema()
            {
                columns.extend(schema.iter().map(|(name, dtype)| (name.to_string(), dtype.to_string())));
            }
        }
        columns.sort();
        columns.dedup();
        columns
    }
}

/// Text as a MIME bundle.
fn plain(text: String) -> Media {
    Media::from(MediaType::Plain(text))
}

/// A display bundle as Jupyter's MIME bundle.
fn media(bundle: display::Bundle) -> Media {
    let mut content = vec![MediaType::Plain(bundle.plain)];
    content.extend(bundle.html.map(MediaType::Html));
    content.extend(bundle.svg.map(MediaType::Svg));
    Media::new(content)
}

/// A library error as the notebook shows it: the kind, the message, and a
/// traceback naming the cell's line and column with the line itself.
fn error(error: &Error, code: &str) -> EvalError {
    let (ename, evalue) = match error {
        Error::Interrupted => return EvalError::interrupted(),
        Error::Rule(e) => ("RuleError", e.message.clone()),
        Error::Data(e) => ("DataError", e.to_string()),
        Error::Catalog(e) => ("CatalogError", e.to_string()),
        other => ("Error", other.to_string()),
    };
    let mut traceback = Vec::new();
    if let Error::Rule(e) = error {
        let place = match (e.line, e.column) {
            (Some(line), Some(column)) => format!("{}, line {line}, column {column}", e.path.display()),
            (Some(line), None) => format!("{}, line {line}", e.path.display()),
            _ => e.path.display().to_string(),
        };
        traceback.push(format!("{place}: {evalue}"));
        if let Some(line) = e.line.filter(|_| e.path.to_string_lossy().starts_with("cell "))
            && let Some(text) = code.lines().nth(line - 1)
        {
            traceback.push(format!("{line:>4} | {text}"));
            if let Some(column) = e.column {
                traceback.push(format!("     | {}^", " ".repeat(column.saturating_sub(1))));
            }
        }
    } else {
        traceback.push(format!("{ename}: {evalue}"));
    }
    EvalError { ename: ename.to_string(), evalue, traceback }
}

/// The identifier around code point `cursor`: (start, end) in code points.
fn word_at(chars: &[char], cursor: usize) -> (usize, usize) {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let cursor = cursor.min(chars.len());
    let mut start = cursor;
    while start > 0 && ident(chars[start - 1]) {
        start -= 1;
    }
    let mut end = cursor;
    while end < chars.len() && ident(chars[end]) {
        end += 1;
    }
    (start, end)
}

/// When the cursor is inside the string argument of `call("…`, the part
/// typed so far and where it starts.
fn string_argument<'a>(before: &'a str, call: &str) -> Option<&'a str> {
    let opened = before.rfind(&format!("{call}(\""))?;
    let typed = &before[opened + call.len() + 2..];
    (!typed.contains('"')).then_some(typed)
}

impl Language for Cells {
    fn execute(&mut self, code: &str, ctx: &mut ExecContext<'_>) -> Result<Option<Media>, EvalError> {
        *self.output.borrow_mut() = Some(ctx.output());
        let result = self.run(code, ctx);
        *self.output.borrow_mut() = None;
        result
    }

    fn eval_expression(&mut self, expr: &str, ctx: &mut ExecContext<'_>) -> Result<Media, EvalError> {
        self.execute(expr, ctx).map(|m| m.unwrap_or_else(|| plain(String::new())))
    }

    fn complete(&mut self, code: &str, cursor_pos: usize) -> Completion {
        let chars: Vec<char> = code.chars().collect();
        let cursor = cursor_pos.min(chars.len());
        let before: String = chars[..cursor].iter().collect();
        // Inside table("…" or col("…": table and column names.
        let quoted = |typed: &str, names: Vec<String>, kind: &'static str| {
            let start = cursor - typed.chars().count();
            let kinds: Vec<(String, &'static str)> =
                names.into_iter().filter(|n| n.starts_with(typed)).map(|n| (n, kind)).collect();
            Completion {
                matches: kinds.iter().map(|(n, _)| n.clone()).collect(),
                cursor_start: start,
                cursor_end: cursor,
                kinds,
            }
        };
        if let Some(at) = before.rfind("import \"")
            && !before[at + 8..].contains('"')
        {
            return quoted(&before[at + 8..], self.session.workspace().rules_source().helpers(), "module");
        }
        if let Some(typed) = string_argument(&before, "table") {
            return quoted(typed, self.session.workspace().data().table_names(), "table");
        }
        if let Some(typed) = string_argument(&before, "col") {
            let columns = self.columns(code).into_iter().map(|(name, _)| name).collect();
            return quoted(typed, columns, "column");
        }
        let (start, _) = word_at(&chars, cursor);
        let prefix: String = chars[start..cursor].iter().collect();
        let kinds: Vec<(String, &'static str)> =
            self.names(&before).into_iter().filter(|(name, _)| name.starts_with(&prefix)).collect();
        Completion {
            matches: kinds.iter().map(|(n, _)| n.clone()).collect(),
            cursor_start: start,
            cursor_end: cursor,
            kinds,
        }
    }

    fn inspect(&mut self, code: &str, cursor_pos: usize, _detail_level: usize) -> Option<Media> {
        let chars: Vec<char> = code.chars().collect();
        let (start, end) = word_at(&chars, cursor_pos);
        let word: String = chars[start..end].iter().collect();
        if word.is_empty() {
            return None;
        }
        let text = if let Some(doc) =
            crate::engine::api::docs().iter().chain(&session::docs()).find(|d| d.name == word).cloned()
        {
            format!("{}\n\n{}", doc.signatures.join("\n"), doc.doc)
        } else if let Some((type_name, value)) = self.session.variable(&word) {
            format!("{word}: {type_name}\n\n{value}")
        } else if self.session.workspace().data().table_names().contains(&word) {
            let columns = self.columns(&format!("table(\"{word}\")"));
            let lines: Vec<String> = columns.iter().map(|(name, dtype)| format!("  {name}: {dtype}")).collect();
            format!("table(\"{word}\")\n\n{}", lines.join("\n"))
        } else {
            return None;
        };
        Some(plain(text))
    }

    fn is_complete(&mut self, code: &str) -> Completeness {
        use rhai::ParseErrorType;
        if code.trim().is_empty() {
            return Completeness::Complete;
        }
        let Err(error) = self.session.check(code) else { return Completeness::Complete };
        let lines: Vec<&str> = code.lines().collect();
        let at_end = match (error.1.line(), error.1.position()) {
            (None, _) => true,
            (Some(line), column) => {
                line > lines.len()
                    || (line == lines.len() && column.is_none_or(|c| c > lines[line - 1].chars().count()))
            }
        };
        let open_blocks = code.matches('{').count().saturating_sub(code.matches('}').count());
        match *error.0 {
            ParseErrorType::UnexpectedEOF => Completeness::Incomplete("    ".repeat(open_blocks)),
            ParseErrorType::MissingToken(..) | ParseErrorType::MissingSymbol(..) if at_end => {
                Completeness::Incomplete("    ".repeat(open_blocks))
            }
            _ => Completeness::Invalid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells() -> Cells {
        Cells::new(Arc::new(AtomicBool::new(false)))
    }

    fn with_fixture() -> Cells {
        let mut cells = cells();
        let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/small");
        cells.session.eval(&format!("use_data({fixture:?})")).unwrap();
        cells
    }

    #[test]
    fn completeness_of_unfinished_blocks() {
        let mut c = cells();
        for code in ["1 + 2", "let x = 1;", "fn f(x) { x * 2 }", "", "// kun en kommentar"] {
            assert_eq!(c.is_complete(code), Completeness::Complete, "{code:?}");
        }
        assert_eq!(c.is_complete("fn f(x) {"), Completeness::Incomplete("    ".into()));
        assert_eq!(c.is_complete("fn f() {\n  if true {"), Completeness::Incomplete("        ".into()));
        assert!(matches!(c.is_complete("let liste = [1, 2,"), Completeness::Incomplete(_)));
        assert!(matches!(c.is_complete("(1 + 2"), Completeness::Incomplete(_)));
        for code in ["let = 5", "}", "1 + * 2"] {
            assert_eq!(c.is_complete(code), Completeness::Invalid, "{code:?}");
        }
    }

    #[test]
    fn completion_of_names_tables_and_columns() {
        let mut c = with_fixture();
        // Functions of the rule language and of cells, in code points.
        let done = c.complete("\"æø\" + propor", 13);
        assert_eq!((done.matches, done.cursor_start, done.cursor_end), (vec!["proportion".to_string()], 7, 13));
        assert_eq!(c.complete("use_r", 5).matches, ["use_rules"]);
        // Table names inside table(" and the columns of the tables the cell reads inside col(".
        assert_eq!(c.complete("table(\"bo", 9).matches, ["borgere"]);
        assert_eq!(c.complete("import \"inds", 12).matches, ["indsatser"]);
        let code = "table(\"borgere\").filter(col(\"d";
        assert_eq!(c.complete(code, code.chars().count()).matches, ["demens_diagnose_dato", "doedsdato"]);
    }

    #[test]
    fn inspection_shows_documentation_variables_and_columns() {
        let mut c = with_fixture();
        let text = |m: Option<Media>| match m.unwrap().content.remove(0) {
            MediaType::Plain(text) => text,
            other => panic!("{other:?}"),
        };
        let doc = text(c.inspect("proportion", 4, 0));
        assert!(doc.starts_with("proportion(numerator: Table, denominator: Table) -> Measure"), "{doc}");
        c.session.eval("let antal = 7;").unwrap();
        assert_eq!(text(c.inspect("antal", 2, 0)), "antal: i64\n\n7");
        let columns = text(c.inspect("table(\"uth\")", 8, 0));
        assert!(columns.contains("  type: str"), "{columns}");
        assert!(c.inspect("   ", 1, 0).is_none());
    }
}
