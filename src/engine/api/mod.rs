//! The rule language: the types and functions a rule (or a notebook cell)
//! can use, grouped as one Rhai module that is built once per thread and
//! shared by every engine, the way Rhai groups its own standard library
//! into packages.
//!
//! | file | owns |
//! | --- | --- |
//! | [`expressions`] | `col`, operators, `is_in`, `between`, `when/then/otherwise`, aggregations |
//! | [`time`] | dates, spans, periods, `active_on`, `age_at`, `within`, `within_last`, `shift_end` |
//! | [`tables`] | table methods: filters, joins (with their expected cardinality), group-by |
//! | [`measures`] | `proportion`, `rate`, `count`, `mean`, `median` and their options |
//! | [`surveys`] | `survey(measure_id)`: a survey measure's questions and answers from the catalogue |
//!
//! Everything here builds Polars lazy plans; no function reads a row. Every
//! table operation resolves the plan's schema at once, so a missing column
//! is reported at the line of the rule that names it. Each function carries
//! its signature and a sentence of documentation ([`docs`]), which the
//! notebook kernel shows for completion and inspection.

pub mod expressions;
pub mod measures;
pub mod surveys;
pub mod tables;
pub mod time;

use super::dates::{Period, Span};
use super::measure::{Measure, Table};
use polars::prelude::{self as pl, PlSmallStr};
use rhai::{Array, Dynamic, EvalAltResult, FuncRegistration, ImmutableString, Module, Position, Shared};
use std::cell::RefCell;

/// A Polars expression in a rule.
#[derive(Clone, Debug)]
pub struct Expr(pub pl::Expr);

/// A `when(..).then(..)` chain waiting for `otherwise`.
#[derive(Clone, Debug)]
pub struct When {
    branches: Vec<(pl::Expr, pl::Expr)>,
    pending: Option<pl::Expr>,
}

/// A table grouped by columns, waiting for `agg`.
#[derive(Clone, Debug)]
pub struct Grouped {
    table: Table,
    by: Vec<String>,
}

/// A date in a rule (`period.start`, `period.end - months(6)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub chrono::NaiveDate);

type Res<T> = Result<T, Box<EvalAltResult>>;

/// A runtime error raised from a registered function; Rhai adds the
/// position of the call in the rule.
pub fn error(message: impl Into<String>) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into().into(), Position::NONE))
}

/// A Polars `Date` literal (Polars' `lit` of a chrono date is a datetime).
pub fn date_lit(date: chrono::NaiveDate) -> pl::Expr {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    pl::lit(pl::Scalar::new_date((date - epoch).num_days() as i32))
}

/// Turns a rule value into an expression: expressions stay, numbers, strings,
/// booleans and dates become literals.
fn literal(value: &Dynamic) -> Res<pl::Expr> {
    if let Some(e) = value.clone().try_cast::<Expr>() {
        return Ok(e.0);
    }
    if let Some(d) = value.clone().try_cast::<Date>() {
        return Ok(date_lit(d.0));
    }
    if let Ok(i) = value.as_int() {
        return Ok(pl::lit(i));
    }
    if let Ok(f) = value.as_float() {
        return Ok(pl::lit(f));
    }
    if let Ok(b) = value.as_bool() {
        return Ok(pl::lit(b));
    }
    if let Some(s) = value.clone().try_cast::<ImmutableString>() {
        return Ok(pl::lit(s.as_str()));
    }
    if value.is_unit() {
        return Ok(pl::lit(pl::Null {}));
    }
    Err(error(format!("expected a column expression, number, text, true/false or date, found {}", value.type_name())))
}

/// Turns a rule value naming columns (`"borger_id"` or `["a", "b"]`) into names.
fn column_names(value: &Dynamic) -> Res<Vec<String>> {
    if let Some(s) = value.clone().try_cast::<ImmutableString>() {
        return Ok(vec![s.to_string()]);
    }
    if let Some(items) = value.clone().try_cast::<Array>() {
        return items
            .iter()
            .map(|item| {
                item.clone()
                    .try_cast::<ImmutableString>()
                    .map(|s| s.to_string())
                    .ok_or_else(|| error(format!("expected a column name in quotes, found {}", item.type_name())))
            })
            .collect();
    }
    Err(error(format!("expected a column name or a list of column names, found {}", value.type_name())))
}

/// A Polars series of the literal values of a rule list.
fn series_of(values: &Array) -> Res<pl::Series> {
    use pl::NamedFrom;
    let name = PlSmallStr::from_static("values");
    if values.iter().all(|v| v.is_string()) {
        let items: Vec<String> = values.iter().map(|v| v.clone().cast::<ImmutableString>().to_string()).collect();
        return Ok(pl::Series::new(name, items));
    }
    if values.iter().all(|v| v.is_int()) {
        let items: Vec<i64> = values.iter().map(|v| v.as_int().unwrap_or_default()).collect();
        return Ok(pl::Series::new(name, items));
    }
    if values.iter().all(|v| v.is_int() || v.is_float()) {
        let items: Vec<f64> =
            values.iter().map(|v| v.as_float().or_else(|_| v.as_int().map(|i| i as f64)).unwrap_or_default()).collect();
        return Ok(pl::Series::new(name, items));
    }
    Err(error("is_in([..]) takes a list of texts or a list of numbers"))
}

/// One documented function of the rule language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDoc {
    /// The name a rule calls it by (`filter`, `proportion`, `+`).
    pub name: &'static str,
    /// How it is called, e.g. `table.filter(condition) -> Table`; one per
    /// overload.
    pub signatures: Vec<&'static str>,
    /// What it does, in a sentence or two.
    pub doc: &'static str,
}

/// The module under construction and the documentation of what it holds.
struct Api {
    module: Module,
    docs: Vec<FunctionDoc>,
}

impl Api {
    /// Records the documentation of an overload of `name`: its signature,
    /// and (for the first overload) what it does.
    fn document(&mut self, name: &'static str, signature: &'static str, doc: &'static str) {
        match self.docs.iter_mut().find(|d| d.name == name) {
            Some(entry) => {
                entry.signatures.push(signature);
                if entry.doc.is_empty() {
                    entry.doc = doc;
                }
            }
            None => self.docs.push(FunctionDoc { name, signatures: vec![signature], doc }),
        }
    }

    fn registration(name: &str) -> FuncRegistration {
        FuncRegistration::new(name).in_global_namespace()
    }
}

/// Registers a documented function: `def!(api, "name", "signature", "doc", closure)`;
/// further overloads of a documented name pass `""` as the doc.
macro_rules! def {
    ($api:expr, $name:expr, $signature:expr, $doc:expr, $f:expr) => {{
        $api.document($name, $signature, $doc);
        crate::engine::api::Api::registration($name).set_into_module(&mut $api.module, $f);
    }};
}
pub(crate) use def;

/// The rule language as one shared module, and its documentation.
#[derive(Clone)]
pub struct Language {
    /// Rhai's own core, logic, array and math packages.
    pub standard: Vec<Shared<Module>>,
    /// Every function of the rule language except `table`, which each
    /// engine binds to its own data.
    pub module: Shared<Module>,
    /// One entry per function name, in registration order.
    pub docs: Shared<Vec<FunctionDoc>>,
}

thread_local! {
    static LANGUAGE: RefCell<Option<Language>> = const { RefCell::new(None) };
}

/// The rule language, built on first use in this thread and shared after
/// (Rhai modules are not `Send` without Rhai's `sync` feature).
pub fn language() -> Language {
    LANGUAGE.with(|cell| cell.borrow_mut().get_or_insert_with(build).clone())
}

fn build() -> Language {
    let mut api = Api { module: Module::new(), docs: Vec::new() };
    api.module
        .set_custom_type::<Expr>("Expr")
        .set_custom_type::<Table>("Table")
        .set_custom_type::<Grouped>("GroupedTable")
        .set_custom_type::<Measure>("Measure")
        .set_custom_type::<When>("When")
        .set_custom_type::<Date>("Date")
        .set_custom_type::<Span>("Span")
        .set_custom_type::<Period>("Period");
    expressions::register(&mut api);
    time::register(&mut api);
    tables::register(&mut api);
    measures::register(&mut api);
    api.document(
        "table",
        "table(name) -> Table",
        "Reads an input table by name (borgere, indsatser, besoeg …): one file or folder of the data directory.",
    );
    api.document(
        "survey",
        "survey(measure_id) -> map",
        "A survey measure's mapping from the catalogue: questions (ids in svar.spoergsmaal), counted and valid answer \
         codes, mean (a score) and months (the window). Used by lib/svar.rhai.",
    );
    api.module.build_index();
    use rhai::packages::{BasicArrayPackage, BasicMathPackage, CorePackage, LogicPackage, Package};
    let standard = vec![
        CorePackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
    ];
    Language { standard, module: api.module.into(), docs: Shared::new(api.docs) }
}

/// The documentation of every function of the rule language.
pub fn docs() -> Shared<Vec<FunctionDoc>> {
    language().docs
}
