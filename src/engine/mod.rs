//! The rule engine: Rhai scripts in, measure definitions over Polars lazy
//! plans out.
//!
//! A [`Rule`] is compiled once to an AST and evaluated once per period; the
//! evaluation runs the script (microseconds), which only *builds* a plan.
//! The engine never collects a plan: that is the runner's job. Scripts run
//! in a sandbox — a raw Rhai engine with only the rule language
//! ([`api::language`]), no file or network access, no `eval`, imports only
//! of the helper modules in the rules' `lib/` folder ([`library`]), and the
//! resource [`Limits`] below. A running script stops at its next operation
//! when its [`RuleEngine::interrupt_flag`] is raised.

pub mod api;
pub mod dates;
pub mod library;
pub mod measure;

pub use crate::data::TableSource;
pub use dates::{Period, PeriodKind, Span};
pub use library::RulesSource;
pub use measure::{Measure, MeasureKind, Stratum, Table};

use crate::catalog::Catalog;
use rhai::{AST, Dynamic, Engine, EvalAltResult, Position, Scope};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Helper modules imported by one rule.
    pub max_modules: usize,
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
            max_modules: 16,
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
    /// The rule is sound but the data lack a table or column it needs
    /// ("not computable with these data"): a note, not a failure.
    pub not_computable: bool,
}

/// What `table(..)` raises for a standard table the data do not have; the
/// rule then is not computable with these data rather than broken.
#[derive(Debug, Clone)]
pub struct NotComputable(pub String);

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
    /// An error at a position of a rule file.
    pub fn at(path: &Path, position: Position, message: String) -> Self {
        Self {
            path: path.to_path_buf(),
            line: position.line(),
            column: position.position(),
            message,
            not_computable: false,
        }
    }

    /// An error about the rule file as a whole (unreadable, wrong result).
    pub fn whole(path: &Path, message: impl Into<String>) -> Self {
        Self { path: path.to_path_buf(), line: None, column: None, message: message.into(), not_computable: false }
    }

    /// A Rhai error raised while compiling or running the script at `path`:
    /// an error inside a helper module names the module's file and line.
    pub fn from_eval(path: &Path, error: &EvalAltResult) -> Self {
        match error {
            // A helper module that does not compile or run: its own file.
            EvalAltResult::ErrorInModule(file, inner, _) if file.ends_with(".rhai") => {
                Self::from_eval(Path::new(file), inner)
            }
            // A call into a helper module's function that failed inside it:
            // the rule's line, and the helper's.
            EvalAltResult::ErrorInFunctionCall(name, source, inner, position) if !source.is_empty() => {
                let inner = Self::from_eval(Path::new(source), inner);
                let place = match (inner.line, inner.column) {
                    (Some(line), Some(column)) => format!("{source}:{line}:{column}"),
                    (Some(line), None) => format!("{source}:{line}"),
                    _ => source.clone(),
                };
                // What the data lack is said plainly, without the helpers' call chain.
                if inner.not_computable {
                    return Self { not_computable: true, ..Self::at(path, *position, inner.message) };
                }
                Self::at(path, *position, format!("in {name} ({place}): {}", inner.message))
            }
            _ => {
                let inner = error.unwrap_inner();
                let mut error = Self::at(path, error.position(), message_of(inner));
                error.not_computable =
                    matches!(inner, EvalAltResult::ErrorRuntime(value, _) if value.is::<NotComputable>());
                error
            }
        }
    }
}

/// What a Rhai error means for a rule author.
fn message_of(error: &EvalAltResult) -> String {
    match error {
        EvalAltResult::ErrorRuntime(value, _) => match value.read_lock::<NotComputable>() {
            Some(not_computable) => not_computable.0.clone(),
            None => value.to_string(),
        },
        EvalAltResult::ErrorTooManyOperations(_) => {
            "the rule ran too many operations and was stopped (is there a loop that never ends?)".into()
        }
        EvalAltResult::ErrorTerminated(..) => "interrupted".into(),
        EvalAltResult::ErrorFunctionNotFound(signature, _) => format!(
            "no function {signature}; check the name and the types of the arguments (see README, \"Write your first rule\")"
        ),
        EvalAltResult::ErrorModuleNotFound(name, _) => format!(
            "no helper module \"{name}\"; rules import helper modules by name from the rules' lib/ folder, e.g. import \"borgere\" as borgere"
        ),
        other => without_position(&other.to_string()),
    }
}

/// One measure rule: a Rhai script named by its measure id.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The measure id, which is the file name without `.rhai`.
    pub id: String,
    pub path: PathBuf,
    pub source: String,
    /// Hex SHA-256 of the source and of the helper modules it imports, for
    /// provenance: the hash changes when anything the rule runs changes.
    pub sha256: String,
    ast: AST,
}

/// A Rhai engine set up with the rule language and its sandbox.
pub struct RuleEngine {
    engine: Engine,
    rules: RulesSource,
    interrupt: Arc<AtomicBool>,
}

impl RuleEngine {
    /// An engine whose `table("..")` reads from `source` and whose rules
    /// import helper modules from `rules`' library.
    pub fn new(source: Arc<dyn TableSource>, rules: RulesSource, limits: Limits) -> Self {
        let mut engine = Engine::new_raw();
        let language = api::language();
        for module in language.standard {
            engine.register_global_module(module);
        }
        engine.register_global_module(language.module);
        engine
            .set_max_operations(limits.max_operations)
            .set_max_call_levels(limits.max_call_levels)
            .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth / 2)
            .set_max_string_size(limits.max_string_size)
            .set_max_array_size(limits.max_array_size)
            .set_max_map_size(limits.max_map_size)
            .set_max_variables(limits.max_variables)
            .set_max_modules(limits.max_modules);
        // Rules build plans: no code from strings.
        engine.disable_symbol("eval");
        engine.set_module_resolver(library::LibraryResolver::new(rules.clone()));
        api::tables::register_table(&mut engine, source);
        let mut this = Self { engine, rules, interrupt: Arc::new(AtomicBool::new(false)) };
        this.watch_interrupt(this.interrupt.clone());
        this
    }

    /// Binds `survey(measure_id)` to `catalog` (see [`api::surveys`]).
    pub fn use_catalog(&mut self, catalog: Arc<Catalog>) {
        api::surveys::register_surveys(&mut self.engine, catalog);
    }

    /// Stops running scripts at their next operation when `flag` is raised
    /// (replacing the engine's own flag).
    pub fn watch_interrupt(&mut self, flag: Arc<AtomicBool>) {
        let watched = flag.clone();
        self.engine.on_progress(move |_| watched.load(Ordering::Relaxed).then(|| Dynamic::from("interrupted")));
        self.interrupt = flag;
    }

    /// Where the engine's rules and helper modules come from.
    pub fn rules_source(&self) -> &RulesSource {
        &self.rules
    }

    /// The flag that stops a running script at its next operation when
    /// raised; lower it before the next evaluation.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// The Rhai engine, for faces that register more functions (notebook
    /// cells) or evaluate other scripts with the same language.
    pub fn rhai(&self) -> &Engine {
        &self.engine
    }

    /// The Rhai engine, mutably.
    pub fn rhai_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// Compiles rule source text; `path` names it in messages and its file
    /// stem is the measure id. Helper modules it imports are resolved now.
    pub fn compile(&self, path: &Path, source: String) -> Result<Rule, RuleError> {
        let id = rule_id(path).ok_or_else(|| RuleError::whole(path, "a rule file must be named <measure id>.rhai"))?;
        let ast = self.compile_script(path, &source)?;
        let mut hasher = Sha256::new();
        hasher.update(source.as_bytes());
        for (name, text) in self.rules.imported_helpers(&source) {
            hasher.update(format!("\nimport {name}\n").as_bytes());
            hasher.update(text.as_bytes());
        }
        let sha256 = crate::data::hex(&hasher.finalize());
        Ok(Rule { id, path: path.to_path_buf(), source, sha256, ast })
    }

    /// Compiles a script (a rule or a notebook cell) with its imports
    /// resolved; `path` names it in messages.
    pub fn compile_script(&self, path: &Path, source: &str) -> Result<AST, RuleError> {
        let mut ast = self.engine.compile_into_self_contained(&Scope::new(), source).map_err(|mut e| {
            // Imports are resolved before the script runs, without their
            // place in it: point at the import the error is about.
            if e.position().is_none()
                && let Some(position) = library::import_position(source, &e.to_string())
            {
                e.set_position(position);
            }
            RuleError::from_eval(path, &e)
        })?;
        ast.set_source(path.display().to_string());
        Ok(ast)
    }

    /// Reads and compiles a rule file.
    pub fn compile_file(&self, path: &Path) -> Result<Rule, RuleError> {
        let source = std::fs::read_to_string(path)
            .map_err(|e| RuleError::whole(path, format!("cannot read the rule file: {e}")))?;
        self.compile(path, source)
    }

    /// Compiles every rule of the engine's rules source, sorted by name; a
    /// rule that does not compile is kept as its error.
    pub fn load_rules(&self) -> Result<Vec<Result<Rule, RuleError>>, RuleError> {
        Ok(self.rules.rule_files()?.into_iter().map(|(path, source)| self.compile(&path, source)).collect())
    }

    /// Runs the rule for `period` and returns the measure it defines.
    pub fn evaluate(&self, rule: &Rule, period: &Period) -> Result<Measure, RuleError> {
        let mut scope = Scope::new();
        scope.push_constant("period", period.clone());
        let value: Dynamic =
            self.engine.eval_ast_with_scope(&mut scope, &rule.ast).map_err(|e| RuleError::from_eval(&rule.path, &e))?;
        let type_name = value.type_name().to_string();
        value.try_cast::<Measure>().ok_or_else(|| {
            // The value a rule ends with is its last statement: point there.
            let last = rule.source.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.trim().starts_with("//")).last();
            let position = last.map_or(Position::new(1, 1), |(i, l)| {
                let clamp = |n: usize| n.min(u16::MAX as usize - 1) as u16;
                Position::new(clamp(i) + 1, clamp(l.len() - l.trim_start().len()) + 1)
            });
            RuleError::at(
                &rule.path,
                position,
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
