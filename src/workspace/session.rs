//! Notebook cells: Rhai source evaluated against a workspace, one cell
//! after another, with a scope that persists between cells — a `let` in
//! one cell is visible in the next, and so is a `fn` — returning whatever
//! the cell's last expression is, as a typed [`Value`].
//!
//! Cells use the same language as rules (tables, expressions, measures,
//! `import` of helper modules) through their own engine, so nothing a cell
//! registers reaches the rules' sandbox. On top of the rule language a cell
//! has the functions of [`docs`]: choosing data and rules (`use_data`,
//! `use_rules`), evaluating a rule or a draft over periods (`rule`,
//! `evaluate`), the catalogue entry of a measure (`catalog`), the members
//! behind a number (`explain`), a Polars plan (`plan`) and charts
//! (`run_chart`, `funnel`, `bars`). `period` starts as the last whole month
//! and can be set like any variable (`period = period("2025-06")`).
//!
//! An error keeps its line and column relative to the cell. A running cell
//! stops at its next script operation when the [`Session::interrupt_flag`]
//! is raised (the flag is lowered when a cell ends, so the interrupt that
//! stopped one cell does not stop the next); a Polars query that is already executing runs to its end
//! unless Polars' own abort is raised too (the Jupyter kernel does).

use super::{Members, Request, Sources, Workspace};
use crate::catalog::Catalog;
use crate::data::{DataSource, TableSource, TableUnavailable};
use crate::engine::api::{Expr, FunctionDoc};
use crate::engine::{Limits, Measure, Period, PeriodKind, Rule, RuleEngine, RuleError, RulesSource, Table};
use crate::error::{Error, Result};
use crate::results::{ResultRow, Results, UnitLevel};
use crate::runner::RuleRef;
use polars::prelude::LazyFrame;
use rhai::{AST, Array, Dynamic, EvalAltResult, FnPtr, ImmutableString, NativeCallContext, Position, Scope};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a cell's last expression was.
#[derive(Debug, Clone)]
pub enum Value {
    /// Nothing to show (a `let`, a `fn`, an expression ending in `;`).
    Nothing,
    /// A table (lazy: displaying it runs the query).
    Table(Box<Table>),
    /// A column expression.
    Expr(Expr),
    /// A measure, built for the period `period` had when the cell ran.
    Measure(Box<Measure>, Period),
    /// A results table (an evaluated measure or rule).
    Results(Box<Results>),
    /// A rule of the rules directory.
    Rule(Box<Rule>),
    /// The members behind a number.
    Members(Box<Members>),
    /// A chart of results.
    Chart(Box<Chart>),
    /// The catalogue entry of a measure or national indicator, by id.
    CatalogEntry(String),
    /// A Polars plan, as text.
    Plan(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    /// Any other value, as Rhai prints it, with its type.
    Other {
        type_name: String,
        text: String,
    },
}

/// Which chart of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// One series over periods, with its median and SPC signals.
    Run,
    /// Units of one period against their denominators, with limits.
    Funnel,
    /// One bar per stratum (or unit), with intervals.
    Bars,
}

/// A chart of results: the rows it draws (already chosen: one series for
/// a run chart, one period for a funnel plot or bars).
#[derive(Debug, Clone)]
pub struct Chart {
    pub kind: ChartKind,
    pub rows: Vec<ResultRow>,
}

/// The documentation of the functions cells have besides the rule language.
pub fn docs() -> Vec<FunctionDoc> {
    let doc = |name, signatures: &[&'static str], doc| FunctionDoc { name, signatures: signatures.to_vec(), doc };
    vec![
        doc(
            "use_data",
            &["use_data(\"demo\" | path) -> text"],
            "Chooses the data the cells read: \"demo\" is a synthetic municipality (generated on first use into a cache directory), or a data directory of Parquet/IPC/CSV tables.",
        ),
        doc(
            "use_rules",
            &["use_rules(\"standard\" | path) -> text"],
            "Chooses the rules directory for rule(..): \"standard\" for the rules built into kvalitet, or a folder of <measure id>.rhai files with helpers in lib/ (created, empty, when it does not exist).",
        ),
        doc("rule", &["rule(measure_id) -> Rule"], "A rule of the rules directory, by measure id."),
        doc(
            "save_rule",
            &["save_rule(measure_id, source) -> Rule"],
            "Saves a rule as <measure id>.rhai in the rules directory chosen with use_rules(path), after compiling it and building its plan for the last whole month; the rule is then in rule(..) and in `kvalitet run --rules`. Write the source as a `…` string over several lines.",
        ),
        doc(
            "evaluate",
            &["evaluate(rule | fn, from, to) -> Results", "evaluate(rule | fn, from, to, level | [levels]) -> Results"],
            "Evaluates a rule, or a function of the period that returns a measure, for every month from..to (\"2025-01\", \"2025-06\"; quarters and years too) at kommune and plejeenhed level (or the levels given), with intervals, suppression, markers and SPC. A cell that ends in a measure shows it for `period`.",
        ),
        doc(
            "catalog",
            &["catalog(measure_id) -> CatalogEntry"],
            "The catalogue entry of a measure or national indicator: title, description, data sources, interpretation.",
        ),
        doc(
            "explain",
            &["explain(rule | fn | measure, period) -> Members", "explain(rule | fn, period, unit) -> Members"],
            "Who is behind a number: one row per member with the numerator, exclusion, exception and denominator flags, for every unit or one unit (a kommune code, plejeenhed id or region code).",
        ),
        doc(
            "plan",
            &["plan(rule | fn | measure, period) -> Plan"],
            "The optimized Polars plan of a measure's result rows (kommune level).",
        ),
        doc(
            "run_chart",
            &[
                "run_chart(results) -> Chart",
                "run_chart(results, unit) -> Chart",
                "run_chart(results, unit, stratum) -> Chart",
            ],
            "A run chart of one unit's series (the first kommune, stratum alle, unless given): points, median, runs signals, control limits.",
        ),
        doc(
            "funnel",
            &["funnel(results) -> Chart", "funnel(results, period) -> Chart"],
            "A funnel plot across units of one period (the latest unless given): plejeenheder when there are any, else kommuner; stratum alle.",
        ),
        doc(
            "bars",
            &["bars(results) -> Chart", "bars(results, period) -> Chart"],
            "Bars by stratum for the first kommune in one period (the latest unless given), with intervals.",
        ),
        doc("tables", &["tables() -> text"], "The tables of the current data directory."),
        doc(
            "display",
            &["display(value)"],
            "Shows a value (a table, results, a chart …) as an output of the cell, in addition to the cell's last value.",
        ),
    ]
}

/// The data the cells' `table(..)` reads: replaced by `use_data`.
struct CurrentData(std::sync::RwLock<Arc<DataSource>>);

impl CurrentData {
    fn get(&self) -> Arc<DataSource> {
        // A poisoned lock only means a panic elsewhere; the data is intact.
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, data: Arc<DataSource>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = data;
    }
}

impl TableSource for CurrentData {
    fn table(&self, name: &str) -> std::result::Result<LazyFrame, TableUnavailable> {
        self.get().table(name)
    }

    fn key(&self, name: &str) -> Option<Vec<String>> {
        self.get().key(name)
    }
}

/// What cell functions share.
struct State {
    workspace: Rc<Workspace>,
    data: Arc<CurrentData>,
    interrupt: Arc<AtomicBool>,
    /// The data directory, when the session has one.
    data_dir: Option<PathBuf>,
    /// Whether the data is the demo municipality.
    demo: bool,
    /// Values a cell passed to `display(..)`, in order.
    displays: Vec<Dynamic>,
    /// The running cell: its label and source (for messages and provenance).
    cell: PathBuf,
    source: String,
}

type Shared = Rc<RefCell<State>>;
type Res<T> = std::result::Result<T, Box<EvalAltResult>>;

fn failure(message: impl Into<String>) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into().into(), Position::NONE))
}

/// A library error raised inside a cell function, as a script error.
fn raised(error: Error) -> Box<EvalAltResult> {
    match error {
        Error::Interrupted => Box::new(EvalAltResult::ErrorTerminated("interrupted".into(), Position::NONE)),
        other => failure(other.to_string()),
    }
}

/// A period given as a label (`"2025-06"`) or a period value.
fn period_of(value: &Dynamic) -> Res<Period> {
    if let Some(period) = value.clone().try_cast::<Period>() {
        return Ok(period);
    }
    let text = value
        .clone()
        .into_string()
        .map_err(|t| failure(format!("expected a period such as \"2025-06\", found {t}")))?;
    Period::parse(&text).ok_or_else(|| failure(format!("\"{text}\" is not a period; write 2025-06, 2025-Q1 or 2025")))
}

/// The periods from `from` to `to`, in steps of `from`'s length.
fn periods(from: &Dynamic, to: &Dynamic) -> Res<Vec<Period>> {
    let (from, to) = (period_of(from)?, period_of(to)?);
    if to.end < from.start {
        return Err(failure(format!("{} is before {}", to.label(), from.label())));
    }
    Ok(Period::range(from.start, to.end, from.kind))
}

/// Unit levels given as a name or a list of names.
fn levels(value: &Dynamic) -> Res<Vec<UnitLevel>> {
    let names: Vec<Dynamic> = match value.clone().try_cast::<Array>() {
        Some(items) => items,
        None => vec![value.clone()],
    };
    names
        .iter()
        .map(|n| {
            let name = n.clone().into_string().unwrap_or_default();
            UnitLevel::parse(&name)
                .ok_or_else(|| failure(format!("unknown unit level \"{name}\"; use kommune, plejeenhed or region")))
        })
        .collect()
}

/// What `evaluate`, `explain` and `plan` accept as a measure.
enum Subject {
    Rule(Rule),
    Draft(FnPtr),
}

fn subject(value: &Dynamic) -> Res<Subject> {
    if let Some(rule) = value.clone().try_cast::<Rule>() {
        return Ok(Subject::Rule(rule));
    }
    if let Some(f) = value.clone().try_cast::<FnPtr>() {
        return Ok(Subject::Draft(f));
    }
    Err(failure(format!(
        "expected a rule (rule(\"po.2a.…\")) or a function of the period that returns a measure (Fn(\"name\") or |period| …), found {}",
        value.type_name()
    )))
}

impl State {
    /// The measure `subject` defines for `period`.
    fn measure(
        &self,
        context: &NativeCallContext,
        subject: &Subject,
        period: &Period,
    ) -> std::result::Result<Measure, RuleError> {
        match subject {
            Subject::Rule(rule) => self.workspace.engine().evaluate(rule, period),
            Subject::Draft(f) => {
                let value: Dynamic = f
                    .call_within_context(context, (period.clone(),))
                    .map_err(|e| RuleError::from_eval(&self.cell, &e))?;
                let type_name = value.type_name().to_string();
                value.try_cast::<Measure>().ok_or_else(|| {
                    RuleError::at(
                        &self.cell,
                        context.call_position(),
                        format!("{} must return a measure such as proportion(..), returned {type_name}", f.fn_name()),
                    )
                })
            }
        }
    }

    fn evaluate(&self, context: &NativeCallContext, subject: &Subject, request: &Request) -> Res<Results> {
        match subject {
            Subject::Rule(rule) => self.workspace.evaluate(rule, request),
            Subject::Draft(f) => {
                let sha256 = crate::data::hex(&Sha256::digest(self.source.as_bytes()));
                let rule = RuleRef { id: f.fn_name(), path: &self.cell };
                self.workspace.evaluate_measure(
                    rule,
                    &sha256,
                    &|period| self.measure(context, subject, period),
                    request,
                )
            }
        }
        .map_err(raised)
    }

    /// The level of a unit code: a kommune, a region, else a plejeenhed.
    fn level_of(&self, unit: &str) -> UnitLevel {
        let catalog = self.workspace.catalog();
        if catalog.kommune(unit).is_some() {
            UnitLevel::Kommune
        } else if catalog.kommuner.region(unit).is_some() {
            UnitLevel::Region
        } else {
            UnitLevel::Plejeenhed
        }
    }
}

/// Where `use_data("demo")` keeps the generated municipality:
/// `$KVALITET_CACHE`, else `$XDG_CACHE_HOME/kvalitet`, else
/// `~/.cache/kvalitet`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KVALITET_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("kvalitet")
}

/// The demo municipality's data directory, generated on first use and
/// again when the generator's [`DATA_VERSION`](crate::synth::DATA_VERSION)
/// has changed (into a temporary folder renamed into place, so an
/// interrupted generation is never taken for data).
pub fn demo_data() -> Result<PathBuf> {
    let dir = cache_dir().join("demo-data");
    let stamp = ".kvalitet-data-version";
    let version = crate::synth::DATA_VERSION.to_string();
    if std::fs::read_to_string(dir.join(stamp)).is_ok_and(|v| v.trim() == version) {
        return Ok(dir);
    }
    let parent = cache_dir();
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let temp = tempfile::Builder::new().prefix(".demo-").tempdir_in(&parent).map_err(|e| Error::io(&parent, e))?;
    let kommuner = crate::catalog::Kommuner::standard();
    let kommune =
        kommuner.find(crate::synth::DEMO_KOMMUNE).cloned().expect("the demo municipality is in the catalogue");
    let options = crate::synth::demo_options(kommune, 2);
    crate::synth::generate(&options, temp.path(), &|_, _| {})
        .map_err(|e| Error::io(temp.path(), std::io::Error::other(e.to_string())))?;
    std::fs::write(temp.path().join(stamp), &version).map_err(|e| Error::io(temp.path(), e))?;
    let generated = temp.keep();
    // Made by an earlier generator: replaced.
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    }
    std::fs::rename(&generated, &dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}

/// A notebook session over a workspace.
pub struct Session {
    state: Shared,
    engine: RuleEngine,
    scope: Scope<'static>,
    /// The functions defined by earlier cells.
    functions: AST,
    /// Cells run so far.
    cells: usize,
}

impl Session {
    /// A session over `workspace`, with its own interrupt flag.
    pub fn new(workspace: Workspace) -> Self {
        Self::with_interrupt(workspace, Arc::new(AtomicBool::new(false)))
    }

    /// A session whose cells (and the rules they evaluate) stop when
    /// `interrupt` is raised.
    pub fn with_interrupt(mut workspace: Workspace, interrupt: Arc<AtomicBool>) -> Self {
        let data_dir = workspace.data().has_dir().then(|| workspace.data().dir.clone());
        workspace.watch_interrupt(interrupt.clone());
        let data = Arc::new(CurrentData(std::sync::RwLock::new(workspace.data().clone())));
        let mut engine = RuleEngine::new(data.clone(), workspace.rules_source().clone(), Self::limits());
        engine.use_catalog(Arc::new(workspace.catalog().clone()));
        engine.watch_interrupt(interrupt.clone());
        let state = Rc::new(RefCell::new(State {
            workspace: Rc::new(workspace),
            data,
            interrupt,
            data_dir,
            demo: false,
            displays: Vec::new(),
            cell: PathBuf::from("cell 0"),
            source: String::new(),
        }));
        register(engine.rhai_mut(), &state);
        let mut scope = Scope::new();
        let this_month = Period::containing(chrono::Local::now().date_naive(), PeriodKind::Month);
        scope.push("period", this_month.previous());
        Self { state, engine, scope, functions: AST::empty(), cells: 0 }
    }

    /// A cell's limits: those of a rule, except that a cell may run as
    /// many operations as it likes — exploration has longer scripts, and a
    /// notebook stops a runaway cell by interrupting it.
    pub fn limits() -> Limits {
        Limits { max_operations: 0, max_variables: 1_000, ..Limits::default() }
    }

    /// The workspace the cells read (replaced by `use_data` and `use_rules`).
    pub fn workspace(&self) -> Rc<Workspace> {
        self.state.borrow().workspace.clone()
    }

    /// The catalogue.
    pub fn catalog(&self) -> Catalog {
        self.workspace().catalog().clone()
    }

    /// The flag that stops a running cell at its next script operation.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.state.borrow().interrupt.clone()
    }

    /// Sends what cells `print` to `output` (by default it is dropped).
    pub fn on_print(&mut self, output: impl Fn(&str) + 'static) {
        self.engine.rhai_mut().on_print(output);
    }

    /// Sends what cells write with `debug(..)` to `output` (a notebook's
    /// stderr stream; by default it is dropped).
    pub fn on_debug(&mut self, output: impl Fn(&str) + 'static) {
        self.engine.rhai_mut().on_debug(move |text, _, _| output(text));
    }

    /// The values the last cell passed to `display(..)`, in order.
    pub fn take_displays(&mut self) -> Vec<Value> {
        let displays = std::mem::take(&mut self.state.borrow_mut().displays);
        displays.into_iter().map(|v| self.value(v)).collect()
    }

    /// The label of the last cell run (`cell 3`), which names its errors and
    /// the results of a measure it ends with.
    pub fn cell_label(&self) -> String {
        self.state.borrow().cell.display().to_string()
    }

    /// The names of the variables in scope, for completion.
    pub fn variables(&self) -> Vec<String> {
        self.scope.iter().map(|(name, ..)| name.to_string()).collect()
    }

    /// A variable's value as Rhai prints it, with its type.
    pub fn variable(&self, name: &str) -> Option<(String, String)> {
        self.scope.get(name).map(|v| (v.type_name().to_string(), v.to_string()))
    }

    /// The names of the functions defined by earlier cells.
    pub fn functions(&self) -> Vec<String> {
        self.functions.iter_functions().map(|f| f.name.to_string()).collect()
    }

    /// Compiles a cell without running it: `Ok` when it is complete and
    /// valid Rhai.
    pub fn check(&self, source: &str) -> std::result::Result<(), rhai::ParseError> {
        self.engine.rhai().compile(source).map(|_| ())
    }

    /// Evaluates one cell: its variables and functions stay for the next
    /// cells; its last expression is returned. Errors name the cell
    /// (`cell 3`) and the line and column in it.
    pub fn eval(&mut self, source: &str) -> Result<Value> {
        self.cells += 1;
        let label = PathBuf::from(format!("cell {}", self.cells));
        {
            let mut state = self.state.borrow_mut();
            state.cell = label.clone();
            state.source = source.to_string();
            state.displays.clear();
        }
        let ast = self.engine.compile_script(&label, source).inspect_err(|_| {
            self.state.borrow().interrupt.store(false, Ordering::SeqCst);
        })?;
        let combined = self.functions.merge(&ast);
        let evaluated = self.engine.rhai().eval_ast_with_scope(&mut self.scope, &combined);
        let interrupted = self.state.borrow().interrupt.swap(false, Ordering::SeqCst);
        let value: Dynamic = evaluated.map_err(|e| {
            if interrupted { Error::Interrupted } else { Error::Rule(RuleError::from_eval(&label, &e)) }
        })?;
        self.functions = self.functions.merge(&ast.clone_functions_only());
        Ok(self.value(value))
    }

    fn value(&self, value: Dynamic) -> Value {
        if value.is_unit() {
            return Value::Nothing;
        }
        let type_name = value.type_name().to_string();
        let text = value.to_string();
        macro_rules! take {
            ($value:ident, $t:ty, $wrap:expr) => {
                let $value = match $value.try_cast_result::<$t>() {
                    Ok(found) => return $wrap(found),
                    Err(other) => other,
                };
            };
        }
        take!(value, Table, |t| Value::Table(Box::new(t)));
        take!(value, Expr, Value::Expr);
        let period = self.scope.get_value::<Period>("period");
        take!(value, Measure, |m| {
            let period = period
                .clone()
                .unwrap_or_else(|| Period::containing(chrono::Local::now().date_naive(), PeriodKind::Month).previous());
            Value::Measure(Box::new(m), period)
        });
        take!(value, Results, |r| Value::Results(Box::new(r)));
        take!(value, Rule, |r| Value::Rule(Box::new(r)));
        take!(value, Members, |m| Value::Members(Box::new(m)));
        take!(value, Chart, |c| Value::Chart(Box::new(c)));
        take!(value, CatalogEntry, |c: CatalogEntry| Value::CatalogEntry(c.0));
        take!(value, Plan, |p: Plan| Value::Plan(p.0));
        if let Ok(i) = value.as_int() {
            return Value::Integer(i);
        }
        if let Ok(f) = value.as_float() {
            return Value::Float(f);
        }
        if let Ok(b) = value.as_bool() {
            return Value::Bool(b);
        }
        if value.is_string() {
            return Value::Text(text);
        }
        Value::Other { type_name, text }
    }
}

/// A catalogue entry to show, by id.
#[derive(Debug, Clone)]
struct CatalogEntry(String);

/// A Polars plan to show.
#[derive(Debug, Clone)]
struct Plan(String);

/// The rows of one unit's series in `results`: the first kommune (or the
/// first unit) and stratum `alle` unless given.
fn series(results: &Results, unit: Option<&str>, stratum: Option<&str>) -> Res<Vec<ResultRow>> {
    let first = results
        .rows
        .iter()
        .find(|r| r.unit_level == UnitLevel::Kommune)
        .or_else(|| results.rows.first())
        .ok_or_else(|| failure("the results are empty"))?;
    let unit = unit.unwrap_or(&first.unit_code);
    let stratum =
        stratum.unwrap_or(if results.rows.iter().any(|r| r.stratum == "alle") { "alle" } else { &first.stratum });
    let rows: Vec<ResultRow> = results
        .rows
        .iter()
        .filter(|r| r.unit_code == unit && r.stratum == stratum && r.measure_id == first.measure_id)
        .cloned()
        .collect();
    if rows.is_empty() {
        return Err(failure(format!("no results for unit {unit} and stratum {stratum}")));
    }
    Ok(rows)
}

/// The period a chart of one period shows: the one given, or the latest.
fn chart_period(results: &Results, period: Option<&Dynamic>) -> Res<Period> {
    match period {
        Some(p) => period_of(p),
        None => results.rows.iter().map(|r| r.period.clone()).max().ok_or_else(|| failure("the results are empty")),
    }
}

/// Registers the cell functions, sharing `state`.
fn register(engine: &mut rhai::Engine, state: &Shared) {
    engine
        .register_type_with_name::<Results>("Results")
        .register_type_with_name::<Rule>("Rule")
        .register_type_with_name::<Members>("Members")
        .register_type_with_name::<Chart>("Chart")
        .register_type_with_name::<CatalogEntry>("CatalogEntry")
        .register_type_with_name::<Plan>("Plan");
    engine.register_fn("len", |r: &mut Results| r.rows.len() as i64);
    let s = state.clone();
    engine.register_fn("display", move |value: Dynamic| s.borrow_mut().displays.push(value));

    let s = state.clone();
    engine.register_fn("use_data", move |what: ImmutableString| -> Res<String> {
        let demo = what.as_str() == "demo";
        let dir = if demo { demo_data().map_err(raised)? } else { PathBuf::from(what.as_str()) };
        let rules = s.borrow().workspace.rules_source().clone();
        reopen(&s, Sources { data: Some(dir), catalog: None, rules }, demo)
    });
    let s = state.clone();
    engine.register_fn("use_rules", move |what: ImmutableString| -> Res<String> {
        let rules = if what.as_str() == "standard" {
            RulesSource::Standard
        } else {
            // A folder of one's own rules starts empty.
            let dir = PathBuf::from(what.as_str());
            std::fs::create_dir_all(&dir).map_err(|e| raised(Error::io(&dir, e)))?;
            RulesSource::Dir(dir)
        };
        let (data, demo) = (s.borrow().data_dir.clone(), s.borrow().demo);
        reopen(&s, Sources { data, catalog: None, rules }, demo)
    });
    let s = state.clone();
    engine.register_fn("tables", move || -> String {
        let state = s.borrow();
        let data = state.workspace.data();
        data.table_names().join(", ")
    });
    let s = state.clone();
    engine.register_fn("rule", move |id: ImmutableString| -> Res<Rule> {
        s.borrow().workspace.rule(&id).cloned().map_err(raised)
    });
    let s = state.clone();
    engine.register_fn("save_rule", move |id: ImmutableString, source: ImmutableString| -> Res<Rule> {
        let (dir, data) = {
            let state = s.borrow();
            let RulesSource::Dir(dir) = state.workspace.rules_source().clone() else {
                return Err(failure(
                    "save_rule writes into a rules directory of your own: choose one with use_rules(\"/path/to/rules\") first",
                ));
            };
            (dir, state.data_dir.clone())
        };
        if id.is_empty() || !id.chars().all(|c| c.is_alphanumeric() || "._-".contains(c)) {
            return Err(failure(format!("\"{id}\" is not a measure id; write it like po.2a.revurderet-tilstand-6mdr")));
        }
        let path = dir.join(format!("{id}.rhai"));
        let text = if source.ends_with('\n') { source.to_string() } else { format!("{source}\n") };
        // Compiled before it is written: a broken draft never replaces a rule.
        s.borrow().workspace.compile(&path, &text).map_err(raised)?;
        crate::results::write_atomically(&path, |file| std::io::Write::write_all(file, text.as_bytes()))
            .map_err(|e| raised(Error::io(&path, e)))?;
        let demo = s.borrow().demo;
        reopen(&s, Sources { data, catalog: None, rules: RulesSource::Dir(dir) }, demo)?;
        let state = s.borrow();
        let rule = state.workspace.rule(&id).cloned().map_err(raised)?;
        let period = Period::containing(chrono::Local::now().date_naive(), PeriodKind::Month).previous();
        if state.data_dir.is_some() {
            state.workspace.check_rule(&rule, &period).map_err(|e| raised(Error::Rule(e)))?;
        }
        Ok(rule)
    });
    let s = state.clone();
    engine.register_fn("catalog", move |id: ImmutableString| -> Res<CatalogEntry> {
        let state = s.borrow();
        let catalog = state.workspace.catalog();
        match catalog.entry(&id) {
            Some(_) => Ok(CatalogEntry(id.to_string())),
            None => Err(failure(format!(
                "no measure or national indicator has the id \"{id}\"; the closest are: {}",
                catalog.suggest(&id, 3).join(", ")
            ))),
        }
    });

    let s = state.clone();
    let evaluate = move |context: NativeCallContext,
                         what: Dynamic,
                         from: Dynamic,
                         to: Dynamic,
                         at: Option<Dynamic>|
          -> Res<Results> {
        let state = s.borrow();
        let subject = subject(&what)?;
        let levels = match at {
            Some(at) => levels(&at)?,
            None => vec![UnitLevel::Kommune, UnitLevel::Plejeenhed],
        };
        let request = Request::new(periods(&from, &to)?, levels);
        state.evaluate(&context, &subject, &request)
    };
    let e = evaluate.clone();
    engine.register_fn("evaluate", move |c: NativeCallContext, what: Dynamic, from: Dynamic, to: Dynamic| {
        e(c, what, from, to, None)
    });
    engine.register_fn(
        "evaluate",
        move |c: NativeCallContext, what: Dynamic, from: Dynamic, to: Dynamic, at: Dynamic| {
            evaluate(c, what, from, to, Some(at))
        },
    );
    let s = state.clone();
    let explain = move |context: NativeCallContext,
                        what: Dynamic,
                        period: Dynamic,
                        unit: Option<ImmutableString>|
          -> Res<Members> {
        let state = s.borrow();
        let period = period_of(&period)?;
        let level = unit.as_deref().map(|u| state.level_of(u)).unwrap_or(UnitLevel::Kommune);
        let (id, measure) = match what.clone().try_cast::<Measure>() {
            Some(m) => (state.cell.display().to_string(), m),
            None => {
                let subject = subject(&what)?;
                let id = match &subject {
                    Subject::Rule(rule) => rule.id.clone(),
                    Subject::Draft(f) => f.fn_name().to_string(),
                };
                (id, state.measure(&context, &subject, &period).map_err(|e| raised(Error::Rule(e)))?)
            }
        };
        state.workspace.measure_members(&id, &measure, &period, level, unit.as_deref()).map_err(raised)
    };
    let x = explain.clone();
    engine.register_fn("explain", move |c: NativeCallContext, what: Dynamic, period: Dynamic| x(c, what, period, None));
    engine.register_fn(
        "explain",
        move |c: NativeCallContext, what: Dynamic, period: Dynamic, unit: ImmutableString| {
            explain(c, what, period, Some(unit))
        },
    );

    let s = state.clone();
    engine.register_fn("plan", move |context: NativeCallContext, what: Dynamic, period: Dynamic| -> Res<Plan> {
        let state = s.borrow();
        let period = period_of(&period)?;
        let (id, measure) = match what.clone().try_cast::<Measure>() {
            Some(m) => (state.cell.display().to_string(), m),
            None => {
                let subject = subject(&what)?;
                let id = match &subject {
                    Subject::Rule(rule) => rule.id.clone(),
                    Subject::Draft(f) => f.fn_name().to_string(),
                };
                (id, state.measure(&context, &subject, &period).map_err(|e| raised(Error::Rule(e)))?)
            }
        };
        let text =
            crate::runner::explain_plan(&id, &measure, &period, UnitLevel::Kommune, state.workspace.dimensions())
                .map_err(|e| raised(Error::query(format!("planning {id}"), &e)))?;
        Ok(Plan(text))
    });

    engine.register_fn("run_chart", |r: Results| -> Res<Chart> {
        Ok(Chart { kind: ChartKind::Run, rows: series(&r, None, None)? })
    });
    engine.register_fn("run_chart", |r: Results, unit: ImmutableString| -> Res<Chart> {
        Ok(Chart { kind: ChartKind::Run, rows: series(&r, Some(&unit), None)? })
    });
    engine.register_fn("run_chart", |r: Results, unit: ImmutableString, stratum: ImmutableString| -> Res<Chart> {
        Ok(Chart { kind: ChartKind::Run, rows: series(&r, Some(&unit), Some(&stratum))? })
    });
    let funnel = |r: Results, period: Option<Dynamic>| -> Res<Chart> {
        let period = chart_period(&r, period.as_ref())?;
        let level = if r.rows.iter().any(|x| x.unit_level == UnitLevel::Plejeenhed) {
            UnitLevel::Plejeenhed
        } else {
            UnitLevel::Kommune
        };
        let rows: Vec<ResultRow> = r
            .rows
            .iter()
            .filter(|x| x.period == period && x.unit_level == level && x.stratum == "alle")
            .cloned()
            .collect();
        if rows.is_empty() {
            return Err(failure(format!("no results for {} at {} level", period.label(), level.name())));
        }
        Ok(Chart { kind: ChartKind::Funnel, rows })
    };
    engine.register_fn("funnel", move |r: Results| funnel(r, None));
    engine.register_fn("funnel", move |r: Results, period: Dynamic| funnel(r, Some(period)));
    let bars = |r: Results, period: Option<Dynamic>| -> Res<Chart> {
        let period = chart_period(&r, period.as_ref())?;
        let first =
            r.rows.iter().find(|x| x.unit_level == UnitLevel::Kommune).ok_or_else(|| failure("no kommune rows"))?;
        let rows: Vec<ResultRow> =
            r.rows.iter().filter(|x| x.period == period && x.unit_code == first.unit_code).cloned().collect();
        Ok(Chart { kind: ChartKind::Bars, rows })
    };
    engine.register_fn("bars", move |r: Results| bars(r, None));
    engine.register_fn("bars", move |r: Results, period: Dynamic| bars(r, Some(period)));
}

/// Opens a workspace on `sources` for the session and makes the cells'
/// `table(..)` read its data; returns what was opened, in words (`demo`:
/// the data is the demo municipality).
fn reopen(state: &Shared, sources: Sources, demo: bool) -> Res<String> {
    let catalog = state.borrow().workspace.catalog().clone();
    let data = match &sources.data {
        Some(dir) => DataSource::open(dir, &crate::data::Schema::standard()).map_err(|e| raised(Error::Data(e)))?,
        None => DataSource::empty(),
    };
    let mut workspace = Workspace::with_data(Arc::new(data), catalog, sources.rules.clone()).map_err(raised)?;
    let interrupt = state.borrow().interrupt.clone();
    workspace.watch_interrupt(interrupt);
    let data_text = match (&sources.data, demo) {
        (Some(_), true) => format!("demo (syntetisk: {}, 2024–2025)", crate::synth::DEMO_KOMMUNE),
        (Some(dir), false) => dir.display().to_string(),
        (None, _) => "ingen".to_string(),
    };
    let rules_text = match workspace.rules_source() {
        RulesSource::Standard => "de indbyggede".to_string(),
        RulesSource::Dir(dir) => dir.display().to_string(),
    };
    let problems = workspace.data_problems();
    let mut summary = format!(
        "data: {data_text} — {} tabeller, {} problemer; regler: {rules_text} — {} regler",
        workspace.data().table_names().len(),
        problems.len(),
        workspace.rules().len()
    );
    for problem in &problems {
        summary.push_str(&format!("\n{problem}"));
    }
    for warning in workspace.data().warnings() {
        summary.push_str(&format!("\nadvarsel: {warning}"));
    }
    let mut state = state.borrow_mut();
    state.data.set(workspace.data().clone());
    state.data_dir = sources.data;
    state.demo = demo;
    state.workspace = Rc::new(workspace);
    Ok(summary)
}
