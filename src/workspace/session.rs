//! Notebook cells: Rhai source evaluated against a workspace, one cell
//! after another, with a scope that persists between cells — a `let` in
//! one cell is visible in the next, and so is a `fn` — returning whatever
//! the cell's last expression is, as a typed [`Value`].
//!
//! Cells use the same language as rules (tables, expressions, measures,
//! `import` of helper modules) through their own engine, so nothing a cell
//! registers reaches the rules' sandbox. `period` starts as the last whole
//! month and can be set like any variable (`period = period("2025-06")`).
//! An error keeps its line and column relative to the cell. A running cell
//! stops at its next script operation when the [`Session::interrupt_flag`]
//! is raised; a Polars query that is already executing runs to its end.

use super::Workspace;
use crate::engine::api::Expr;
use crate::engine::{Limits, Measure, Period, PeriodKind, RuleEngine, RuleError, Table};
use crate::error::{Error, Result};
use crate::results::Results;
use rhai::{AST, Dynamic, Scope};
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
    Results(Results),
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

/// A notebook session over a workspace.
pub struct Session {
    workspace: Rc<Workspace>,
    engine: RuleEngine,
    scope: Scope<'static>,
    /// The functions defined by earlier cells.
    functions: AST,
    /// Cells run so far.
    cells: usize,
}

impl Session {
    /// A session over `workspace`, with `period` set to the last whole
    /// month before today.
    pub fn new(workspace: Workspace) -> Self {
        let workspace = Rc::new(workspace);
        let engine = RuleEngine::new(workspace.data().clone(), workspace.rules_source().clone(), Self::limits());
        let mut scope = Scope::new();
        let this_month = Period::containing(chrono::Local::now().date_naive(), PeriodKind::Month);
        scope.push("period", this_month.previous());
        Self { workspace, engine, scope, functions: AST::empty(), cells: 0 }
    }

    /// A cell's limits: those of a rule, with room for the longer scripts
    /// of exploration (a runaway cell still stops, or is interrupted).
    pub fn limits() -> Limits {
        Limits { max_operations: 10_000_000, max_variables: 1_000, ..Limits::default() }
    }

    /// The workspace the cells read.
    pub fn workspace(&self) -> &Rc<Workspace> {
        &self.workspace
    }

    /// The flag that stops a running cell at its next script operation.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.engine.interrupt_flag()
    }

    /// Sends what cells `print` to `output` (by default it is dropped).
    pub fn on_print(&mut self, output: impl Fn(&str) + 'static) {
        self.engine.rhai_mut().on_print(output);
    }

    /// The names of the variables in scope, for completion.
    pub fn variables(&self) -> Vec<String> {
        self.scope.iter().map(|(name, ..)| name.to_string()).collect()
    }

    /// Evaluates one cell: its variables and functions stay for the next
    /// cells; its last expression is returned. Errors name the cell
    /// (`cell 3`) and the line and column in it.
    pub fn eval(&mut self, source: &str) -> Result<Value> {
        self.cells += 1;
        let label = PathBuf::from(format!("cell {}", self.cells));
        self.engine.interrupt_flag().store(false, Ordering::Relaxed);
        let ast = self.engine.compile_script(&label, source)?;
        let combined = self.functions.merge(&ast);
        let value: Dynamic = self.engine.rhai().eval_ast_with_scope(&mut self.scope, &combined).map_err(|e| {
            if self.engine.interrupt_flag().load(Ordering::Relaxed) {
                Error::Interrupted
            } else {
                Error::Rule(RuleError::from_eval(&label, &e))
            }
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
        let value = match value.try_cast_result::<Table>() {
            Ok(table) => return Value::Table(Box::new(table)),
            Err(value) => value,
        };
        let value = match value.try_cast_result::<Expr>() {
            Ok(expr) => return Value::Expr(expr),
            Err(value) => value,
        };
        let value = match value.try_cast_result::<Measure>() {
            Ok(measure) => {
                let period = self.scope.get_value::<Period>("period").unwrap_or_else(|| {
                    Period::containing(chrono::Local::now().date_naive(), PeriodKind::Month).previous()
                });
                return Value::Measure(Box::new(measure), period);
            }
            Err(value) => value,
        };
        let value = match value.try_cast_result::<Results>() {
            Ok(results) => return Value::Results(results),
            Err(value) => value,
        };
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
