//! The rule engine: Rhai scripts in, measure definitions over Polars lazy
//! plans out.
//!
//! A [`Rule`] is compiled once to an AST and evaluated once per period; the
//! evaluation runs the script (microseconds), which only *builds* a plan.
//! The engine never collects a plan: that is the runner's job. Scripts run
//! in a sandbox — a raw Rhai engine with only our package, no file or
//! network access, no modules, and the resource [`Limits`] below.

pub mod api;
pub mod dates;
pub mod measure;

pub use crate::data::TableSource;
pub use dates::{Period, PeriodKind, Span};
pub use measure::{Measure, MeasureKind, Stratum, Table};

use rhai::{AST, Dynamic, Engine, EvalAltResult, Position, Scope};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Resource limits for one rule evaluation, so a runaway rule stops with a
/// clear error instead of hanging or exhausting memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Rhai operations per evaluation (a rule needs a few hundred).
    pub max_operations: u64,
    /// Nested function calls.
    pub max_call_levels: usize,
    /// Nesting depth of expressions in the script.
    pub max_expr_depth: usize,
    /// Characters in one string.
    pub max_string_size: usize,
    /// Items in one array.
    pub max_array_size: usize,
    /// Entries in one object map.
    pub max_map_size: usize,
    /// Variables in scope.
    pub max_variables: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_operations: 100_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_string_size: 10_000,
            max_array_size: 10_000,
            max_map_size: 1_000,
            max_variables: 200,
        }
    }
}

/// A rule failure with the place in the rule file it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub path: PathBuf,
    /// 1-based line, when the error has a position.
    pub line: Option<usize>,
    /// 1-based column, when the error has a position.
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for RuleError {}

impl RuleError {
    fn at(path: &Path, position: Position, message: String) -> Self {
        Self { path: path.to_path_buf(), line: position.line(), column: position.position(), message }
    }

    /// An error about the rule file as a whole (unreadable, wrong result).
    pub fn whole(path: &Path, message: impl Into<String>) -> Self {
        Self { path: path.to_path_buf(), line: None, column: None, message: message.into() }
    }

    fn from_eval(path: &Path, error: &EvalAltResult) -> Self {
        let position = error.position();
        let message = match error.unwrap_inner() {
            EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
            EvalAltResult::ErrorTooManyOperations(_) => {
                "the rule ran too many operations and was stopped (is there a loop that never ends?)".into()
            }
            EvalAltResult::ErrorFunctionNotFound(signature, _) => format!(
                "no function {signature}; check the name and the types of the arguments (see README, \"Write your first rule\")"
            ),
            other => without_position(&other.to_string()),
        };
        Self::at(path, position, message)
    }
}

/// One measure rule: a Rhai script named by its measure id.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The measure id, which is the file name without `.rhai`.
    pub id: String,
    pub path: PathBuf,
    pub source: String,
    /// Hex SHA-256 of the source, for provenance.
    pub sha256: String,
    ast: AST,
}

/// A Rhai engine set up with the rule language and its sandbox.
pub struct RuleEngine {
    engine: Engine,
}

impl RuleEngine {
    /// An engine whose `table("..")` reads from `source`.
    pub fn new(source: Arc<dyn TableSource>, limits: Limits) -> Self {
        let mut engine = Engine::new_raw();
        let core = rhai::packages::CorePackage::new();
        let logic = rhai::packages::LogicPackage::new();
        let arrays = rhai::packages::BasicArrayPackage::new();
        let math = rhai::packages::BasicMathPackage::new();
        use rhai::packages::Package;
        for module in
            [core.as_shared_module(), logic.as_shared_module(), arrays.as_shared_module(), math.as_shared_module()]
        {
            engine.register_global_module(module);
        }
        engine
            .set_max_operations(limits.max_operations)
            .set_max_call_levels(limits.max_call_levels)
            .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth / 2)
            .set_max_string_size(limits.max_string_size)
            .set_max_array_size(limits.max_array_size)
            .set_max_map_size(limits.max_map_size)
            .set_max_variables(limits.max_variables)
            .set_max_modules(0);
        // Rules build plans; they have nothing to print or import.
        engine.disable_symbol("import").disable_symbol("eval");
        api::register(&mut engine, source);
        Self { engine }
    }

    /// Compiles rule source text; `path` names it in messages and its file
    /// stem is the measure id.
    pub fn compile(&self, path: &Path, source: String) -> Result<Rule, RuleError> {
        let id = rule_id(path).ok_or_else(|| RuleError::whole(path, "a rule file must be named <measure id>.rhai"))?;
        let ast = self.engine.compile(&source).map_err(|e| RuleError::at(path, e.1, e.0.to_string()))?;
        let sha256 = crate::data::hex(&Sha256::digest(source.as_bytes()));
        Ok(Rule { id, path: path.to_path_buf(), source, sha256, ast })
    }

    /// Reads and compiles a rule file.
    pub fn compile_file(&self, path: &Path) -> Result<Rule, RuleError> {
        let source = std::fs::read_to_string(path)
            .map_err(|e| RuleError::whole(path, format!("cannot read the rule file: {e}")))?;
        self.compile(path, source)
    }

    /// Runs the rule for `period` and returns the measure it defines.
    pub fn evaluate(&self, rule: &Rule, period: &Period) -> Result<Measure, RuleError> {
        let mut scope = Scope::new();
        scope.push_constant("period", period.clone());
        let value: Dynamic =
            self.engine.eval_ast_with_scope(&mut scope, &rule.ast).map_err(|e| RuleError::from_eval(&rule.path, &e))?;
        let type_name = value.type_name().to_string();
        value.try_cast::<Measure>().ok_or_else(|| {
            RuleError::whole(
                &rule.path,
                format!(
                    "a rule must end with a measure such as proportion(numerator, denominator), rate(events, population, 1000), count(table), mean(table, \"column\") or median(table, \"column\"); this rule ended with a value of type {type_name}"
                ),
            )
        })
    }
}

/// Rhai's message without its trailing "(line N, position M)".
fn without_position(message: &str) -> String {
    match message.rfind(" (line ") {
        Some(at) if message.ends_with(')') => message[..at].to_string(),
        _ => message.to_string(),
    }
}

/// The measure id of a rule file: its name without `.rhai`.
pub fn rule_id(path: &Path) -> Option<String> {
    if path.extension()? != "rhai" {
        return None;
    }
    path.file_stem()?.to_str().map(str::to_string)
}
