//! The workspace: a data directory, the catalogue and a rules directory,
//! opened once — tables validated and hashed, rules compiled — and the
//! calls every face of kvalitet makes on them: evaluate one rule, list the
//! members behind one number, show a plan, run every rule. The command
//! line, the notebook kernel and the report all stand on this; none of them
//! orchestrates the engine, the runner and the statistics itself.
//!
//! ```no_run
//! use kvalitet::engine::Period;
//! use kvalitet::results::UnitLevel;
//! use kvalitet::workspace::{Request, Sources, Workspace};
//!
//! let workspace = Workspace::open(&Sources::standard("demo/data"))?;
//! let rule = workspace.rule("po.2a.revurderet-tilstand-6mdr")?;
//! let (from, to) = (Period::parse("2025-01").unwrap(), Period::parse("2025-06").unwrap());
//! let request = Request::new(Period::range(from.start, to.end, from.kind), vec![UnitLevel::Kommune]);
//! let results = workspace.evaluate(rule, &request)?;
//! for row in &results.rows {
//!     println!("{} {} {:?}", row.period.label(), row.unit_name, row.value);
//! }
//! # Ok::<(), kvalitet::Error>(())
//! ```

pub mod cases;
mod peak;
pub mod remembered;
pub mod session;

use crate::catalog::Catalog;
use crate::data::{DataError, DataSource, Schema, Validated};
use crate::engine::{Limits, Measure, MeasureKind, Period, Rule, RuleEngine, RuleError, RulesSource};
use crate::error::{Error, Result};
use crate::results::RuleInputs;
use crate::results::statistics::{self, Earlier, Settings, StatisticsOptions};
use crate::results::{Provenance, ResultRow, Results, UnitLevel};
pub use crate::runner::Execution;
use crate::runner::{self, Dimensions, RuleRef};
use polars::prelude::DataFrame;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What a workspace opens.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The data directory; `None` for a workspace without data (checking
    /// rules only).
    pub data: Option<PathBuf>,
    /// A catalogue directory; `None` for the catalogue built into kvalitet.
    pub catalog: Option<PathBuf>,
    /// The rules and their helper modules.
    pub rules: RulesSource,
}

impl Sources {
    /// `data` with the built-in catalogue and rules.
    pub fn standard(data: impl Into<PathBuf>) -> Self {
        Self { data: Some(data.into()), catalog: None, rules: RulesSource::Standard }
    }
}

/// What to evaluate: periods, unit levels and statistics options.
#[derive(Debug, Clone)]
pub struct Request {
    /// Periods of one kind (months, quarters or years), in order.
    pub periods: Vec<Period>,
    pub levels: Vec<UnitLevel>,
    pub statistics: StatisticsOptions,
    /// Statistics settings per measure; `None` (the normal case): from the
    /// catalogue. Set them to explore "what if" (other thresholds, a
    /// direction) without editing the catalogue.
    pub settings: Option<Settings>,
    /// Results of earlier runs (a store's history): the statistics look
    /// back on them for SPC and the development marker. Rows of the
    /// periods evaluated now are left out of it.
    pub history: Vec<ResultRow>,
    /// The run's id; `None`: made from the time and the inputs' hash.
    pub run_id: Option<String>,
    /// What earlier runs evaluated, per rule: a rule × period pair whose
    /// rule, tables and catalogue are unchanged since is skipped (a store's
    /// incremental run). Empty: everything is evaluated.
    pub up_to_date: BTreeMap<String, Vec<RuleInputs>>,
    /// How a rule's plans (one per period) are executed. `None` (the
    /// default): together, sharing their scans and common sub-plans, unless
    /// the data hold a table too large for memory; then one after the other
    /// on the streaming engine (see [`Execution`]), which nationally is both
    /// faster and leaner.
    pub execution: Option<Execution>,
    /// Whether the tables held in memory are let go once the rules have
    /// run ([`DataSource::release_held_tables`]), so that the statistics
    /// have that memory: for a batch run, which evaluates nothing after it.
    /// A workspace that goes on (a notebook's) keeps them.
    pub release_tables: bool,
}

impl Request {
    /// The periods and levels with the default statistics (95 % intervals,
    /// Wilson for proportions) and the catalogue's settings.
    pub fn new(periods: Vec<Period>, levels: Vec<UnitLevel>) -> Self {
        Self {
            periods,
            levels,
            statistics: StatisticsOptions::default(),
            settings: None,
            history: Vec::new(),
            run_id: None,
            up_to_date: BTreeMap::new(),
            execution: None,
            release_tables: false,
        }
    }
}

/// Progress of a run, after each rule.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Rules done.
    pub done: usize,
    /// Rules in all.
    pub total: usize,
    /// The rule just done.
    pub rule_id: &'a str,
}

/// A rule that did not produce results, and why.
#[derive(Debug, Clone)]
pub struct RuleFailure {
    pub rule_id: String,
    pub error: RuleError,
}

/// The outcome of a run over every rule.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub results: Results,
    pub failures: Vec<RuleFailure>,
    /// Notes such as unit levels a measure cannot be grouped by.
    pub notes: Vec<String>,
    /// Rules left out because the data lack a table or column they need:
    /// (rule id, what is lacking).
    pub not_computable: Vec<(String, String)>,
    /// What each rule evaluated here was evaluated from.
    pub evaluated: BTreeMap<String, RuleInputs>,
    /// Rule × period pairs skipped as up to date.
    pub skipped: usize,
    /// What each evaluated rule cost, in the order they ran.
    pub costs: Vec<RuleCost>,
    /// Rules found, compiled or not.
    pub rules_total: usize,
    pub run_id: String,
    pub seconds: f64,
}

/// What evaluating one rule cost: its plans built and run.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleCost {
    pub rule_id: String,
    pub seconds: f64,
    /// The process's peak memory while the rule ran (the tables held in
    /// memory included), sampled every 5 ms, where the system tells it.
    pub peak_bytes: Option<u64>,
}

/// The members behind one number, as `kvalitet explain` lists them.
#[derive(Debug, Clone)]
pub struct Members {
    pub measure_id: String,
    pub kind: MeasureKind,
    pub period: Period,
    pub level: UnitLevel,
    /// The unit, or all units.
    pub unit: Option<String>,
    /// One row per member: the key, then the population flags (proportions)
    /// or the measured column.
    pub listing: DataFrame,
    /// For a proportion: how the listing adds up.
    pub counts: Option<ProportionCounts>,
}

/// How a proportion's members add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProportionCounts {
    pub numerator: usize,
    pub denominator: usize,
    pub excluded: usize,
    pub exceptions: usize,
}

/// A measure as a function of the period: a rule's script, or a notebook's
/// draft.
pub type MeasureFn<'a> = dyn Fn(&Period) -> std::result::Result<Measure, RuleError> + 'a;

/// One measure to evaluate, with what names it.
struct Evaluable<'a> {
    rule: RuleRef<'a>,
    sha256: &'a str,
    measure: Box<MeasureFn<'a>>,
}

/// Data, catalogue and rules, opened once.
pub struct Workspace {
    data: Arc<DataSource>,
    catalog: Catalog,
    engine: RuleEngine,
    rules: Vec<std::result::Result<Rule, RuleError>>,
    dimensions: Dimensions,
}

impl Workspace {
    /// Opens the catalogue, validates and hashes every input table, and
    /// compiles every rule. Problems with single tables or rules are kept
    /// (see [`Workspace::data_problems`], [`Workspace::rules`]); only an
    /// unreadable directory or catalogue is an error.
    pub fn open(sources: &Sources) -> Result<Self> {
        Self::open_checked(sources, &Validated::new())
    }

    /// As [`Workspace::open`], but tables whose files are those that
    /// validated before (`checked`: table and hash, from
    /// [`DataSource::valid_tables`] of an earlier run) are not checked again.
    pub fn open_checked(sources: &Sources, checked: &Validated) -> Result<Self> {
        let catalog = match &sources.catalog {
            Some(dir) => Catalog::load(dir)?,
            None => Catalog::standard(),
        };
        let data = match &sources.data {
            Some(dir) => DataSource::open_checked(dir, &Schema::standard(), checked)?,
            None => DataSource::empty(),
        };
        Self::with_data(Arc::new(data), catalog, sources.rules.clone())
    }

    /// A workspace over data already opened.
    pub fn with_data(data: Arc<DataSource>, catalog: Catalog, rules: RulesSource) -> Result<Self> {
        let mut engine = RuleEngine::new(data.clone(), rules, Limits::default());
        engine.use_catalog(Arc::new(catalog.clone()));
        let rules = engine.load_rules()?;
        let dimensions = Dimensions::new(Arc::clone(&data), &catalog.kommuner);
        Ok(Self { data, catalog, engine, rules, dimensions })
    }

    /// The input tables.
    pub fn data(&self) -> &Arc<DataSource> {
        &self.data
    }

    /// The catalogue.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The rule engine (for compiling rules from source text).
    pub fn engine(&self) -> &RuleEngine {
        &self.engine
    }

    /// The dimension tables units and strata come from.
    pub fn dimensions(&self) -> &Dimensions {
        &self.dimensions
    }

    /// Where the rules come from.
    pub fn rules_source(&self) -> &RulesSource {
        self.engine.rules_source()
    }

    /// Every rule, compiled or kept as its error, sorted by file name.
    pub fn rules(&self) -> &[std::result::Result<Rule, RuleError>] {
        &self.rules
    }

    /// Every problem found while loading the data.
    pub fn data_problems(&self) -> Vec<DataError> {
        self.data.problems()
    }

    /// SHA-256 over every input file.
    pub fn inputs_sha256(&self) -> &str {
        &self.data.hashes().all
    }

    /// Each unit's parent (plejeenhed → kommune → region), for the
    /// complementary suppression of results recomputed from a store.
    pub fn parents(&self) -> Result<statistics::Parents> {
        self.dimensions.parents(&self.catalog.kommuner).map_err(|e| Error::query("placing units", &e))
    }

    /// The flag that stops a running rule script at its next operation
    /// (notebook interrupt); a run stops before its next rule. A Polars
    /// query already executing runs to its end unless Polars' own abort is
    /// raised (the kernel does). The flag stays raised until the caller
    /// lowers it.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.engine.interrupt_flag()
    }

    /// Makes rule scripts stop when `flag` is raised (a notebook session
    /// shares its kernel's flag with the workspace it opens).
    pub fn watch_interrupt(&mut self, flag: Arc<AtomicBool>) {
        self.engine.watch_interrupt(flag);
    }

    /// The compiled rule with that measure id.
    pub fn rule(&self, id: &str) -> Result<&Rule> {
        for rule in &self.rules {
            match rule {
                Ok(rule) if rule.id == id => return Ok(rule),
                Err(error) if crate::engine::rule_id(&error.path).as_deref() == Some(id) => {
                    return Err(Error::Rule(error.clone()));
                }
                _ => {}
            }
        }
        let known: Vec<&str> = self.rules.iter().filter_map(|r| r.as_ref().ok()).map(|r| r.id.as_str()).collect();
        let suggestions = crate::catalog::suggest(id, known, 3);
        Err(Error::UnknownRule {
            id: id.to_string(),
            rules: self.rules_source().label(),
            suggestions: suggestions.into_iter().map(str::to_string).collect(),
        })
    }

    /// Compiles a rule from source text (a draft in a notebook, an edited
    /// file); `path` names it in messages and gives its measure id.
    pub fn compile(&self, path: &Path, source: &str) -> Result<Rule> {
        Ok(self.engine.compile(path, source.to_string())?)
    }

    /// Warnings for rules the catalogue does not know: they run with the
    /// default statistics settings (no direction, one decimal, the
    /// catalogue's suppression thresholds).
    pub fn catalogue_warnings(&self) -> Vec<String> {
        self.rules
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .filter(|rule| self.catalog.measure(&rule.id).is_none() && self.catalog.indicator(&rule.id).is_none())
            .map(|rule| {
                format!(
                    "{}: no measure in the catalogue has the id {}; it runs with default statistics (no direction, \
                     one decimal, suppression under {} / {})",
                    rule.path.display(),
                    rule.id,
                    self.catalog.national.suppression.min_denominator,
                    self.catalog.national.suppression.min_numerator
                )
            })
            .collect()
    }

    /// Evaluates one rule for the request's periods and levels, with
    /// statistics.
    pub fn evaluate(&self, rule: &Rule, request: &Request) -> Result<Results> {
        let measure = |period: &Period| self.engine.evaluate(rule, period);
        self.evaluate_measure(RuleRef { id: &rule.id, path: &rule.path }, &rule.sha256, &measure, request)
    }

    /// Evaluates a measure given as a function of the period (a notebook's
    /// draft); `rule` names it in the results and in messages.
    pub fn evaluate_measure(
        &self,
        rule: RuleRef,
        sha256: &str,
        measure: &MeasureFn,
        request: &Request,
    ) -> Result<Results> {
        let item = Evaluable { rule, sha256, measure: Box::new(measure) };
        let mut outcome = self.evaluate_all(&[item], request, |_| {})?;
        match outcome.failures.pop() {
            Some(failure) => Err(self.failure(failure.error)),
            None => Ok(outcome.results),
        }
    }

    /// Runs every rule for the request's periods and levels (and the period
    /// before the first, as the reference of its development marker), with
    /// statistics and provenance; `progress` is called after each rule. A
    /// rule that fails is reported in [`RunOutcome::failures`]; the others
    /// run.
    pub fn run(&self, request: &Request, progress: impl FnMut(Progress)) -> Result<RunOutcome> {
        let mut failures = Vec::new();
        let mut items = Vec::new();
        for rule in &self.rules {
            match rule {
                Ok(rule) => items.push(Evaluable {
                    rule: RuleRef { id: &rule.id, path: &rule.path },
                    sha256: &rule.sha256,
                    measure: Box::new(move |period: &Period| self.engine.evaluate(rule, period)),
                }),
                Err(error) => failures.push(RuleFailure {
                    rule_id: crate::engine::rule_id(&error.path).unwrap_or_default(),
                    error: error.clone(),
                }),
            }
        }
        let mut outcome = self.evaluate_all(&items, request, progress)?;
        outcome.rules_total = self.rules.len();
        failures.append(&mut outcome.failures);
        failures.sort_by(|a, b| a.error.path.cmp(&b.error.path));
        outcome.failures = failures;
        Ok(outcome)
    }

    /// Whether a rule evaluated from `inputs` would give the same rows now.
    fn unchanged(&self, inputs: &RuleInputs, rule_sha256: &str) -> bool {
        inputs.rule_sha256 == rule_sha256
            && inputs.catalog_version == self.catalog.version
            && inputs.tables.iter().all(|(table, hash)| self.data.hashes().tables.get(table) == Some(hash))
    }

    /// A new run's id: the time and the inputs' hash
    /// (`20250301T020000Z-1a2b3c4d`).
    pub fn new_run_id(&self) -> String {
        format!("{}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"), &self.inputs_sha256()[..8])
    }

    /// The error of a failed rule: interrupted when the interrupt flag
    /// stopped it.
    fn failure(&self, error: RuleError) -> Error {
        if self.engine.interrupt_flag().load(Ordering::Relaxed) {
            Error::Interrupted
        } else {
            Error::Rule(self.classified(error))
        }
    }

    /// `error`, marked not computable when what it misses is an optional
    /// column the data leave out (an absent table is marked where
    /// `table(..)` raises it).
    fn classified(&self, mut error: RuleError) -> RuleError {
        let missing = error
            .message
            .split_once("unable to find column \"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(column, _)| column.to_string());
        if let Some(column) = missing
            && let Some(table) = self.data.lacking_optional_column(&column)
        {
            error.not_computable = true;
            error.message = format!(
                "not computable with these data: table \"{table}\" has no column \"{column}\" (an optional column, \
                 see catalog/tables.toml)"
            );
        }
        error
    }

    fn evaluate_all(
        &self,
        items: &[Evaluable],
        request: &Request,
        mut progress: impl FnMut(Progress),
    ) -> Result<RunOutcome> {
        let started = Instant::now();
        let Some(first) = request.periods.first() else {
            return Err(Error::NoPeriods);
        };
        let run_id = request.run_id.clone().unwrap_or_else(|| self.new_run_id());
        // The development marker of the first period needs the one before it.
        let lead = request.statistics.enabled.then(|| first.previous());
        let planned: Vec<Period> = lead.iter().chain(&request.periods).cloned().collect();
        let (mut rows, mut earlier, mut failures, mut notes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut not_computable = Vec::new();
        let (mut evaluated_from, mut skipped, mut costs) = (BTreeMap::new(), 0, Vec::new());
        let execution = request.execution.unwrap_or(if self.data.has_large_tables() {
            Execution::PlanByPlan
        } else {
            Execution::Together
        });
        let empty = self.data.empty_tables();
        for (done, Evaluable { rule, sha256, measure }) in items.iter().enumerate() {
            if self.engine.interrupt_flag().load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            // The periods an earlier run evaluated from the same rule, tables
            // and catalogue are up to date.
            let current: BTreeSet<&str> = request
                .up_to_date
                .get(rule.id)
                .into_iter()
                .flatten()
                .filter(|inputs| self.unchanged(inputs, sha256))
                .flat_map(|inputs| inputs.periods.iter().map(String::as_str))
                .collect();
            let todo: Vec<Period> = planned.iter().filter(|p| !current.contains(p.label().as_str())).cloned().collect();
            let reported: Vec<String> = todo.iter().filter(|p| lead.as_ref() != Some(*p)).map(|p| p.label()).collect();
            skipped += request.periods.len() - reported.len();
            if reported.is_empty() {
                progress(Progress { done: done + 1, total: items.len(), rule_id: rule.id });
                continue;
            }
            let inputs = |tables: &BTreeSet<String>| RuleInputs {
                rule_sha256: sha256.to_string(),
                tables: tables
                    .iter()
                    .filter_map(|t| Some((t.clone(), self.data.hashes().tables.get(t)?.clone())))
                    .collect(),
                catalog_version: self.catalog.version.clone(),
                periods: reported.clone(),
            };
            let (rule_started, watch) = (Instant::now(), peak::Watch::start());
            let result = runner::run_rule(*rule, measure, &todo, &request.levels, &self.dimensions, execution);
            costs.push(RuleCost {
                rule_id: rule.id.to_string(),
                seconds: rule_started.elapsed().as_secs_f64(),
                peak_bytes: watch.stop(),
            });
            match result {
                Ok(evaluated) if evaluated.tables.iter().any(|t| empty.contains(t)) => {
                    evaluated_from.insert(rule.id.to_string(), inputs(&evaluated.tables));
                    let tables: Vec<&str> =
                        evaluated.tables.iter().filter(|t| empty.contains(*t)).map(String::as_str).collect();
                    notes.push(format!(
                        "{}: no data (table {} is empty); left out of the results",
                        rule.id,
                        tables.join(", ")
                    ));
                }
                Ok(mut evaluated) => {
                    evaluated_from.insert(rule.id.to_string(), inputs(&evaluated.tables));
                    let provenance = Arc::new(Provenance {
                        run_id: run_id.clone(),
                        rule_sha256: sha256.to_string(),
                        inputs_sha256: self.inputs_sha256().to_string(),
                        catalog_version: self.catalog.version.clone(),
                    });
                    for row in &mut evaluated.rows {
                        row.provenance = Arc::clone(&provenance);
                    }
                    let (before, during): (Vec<ResultRow>, Vec<ResultRow>) =
                        evaluated.rows.into_iter().partition(|r| lead.as_ref() == Some(&r.period));
                    rows.extend(during);
                    earlier.extend(before);
                    notes.append(&mut evaluated.notes);
                }
                Err(error) => {
                    if self.engine.interrupt_flag().load(Ordering::Relaxed) {
                        return Err(Error::Interrupted);
                    }
                    let error = self.classified(error);
                    if error.not_computable {
                        not_computable.push((rule.id.to_string(), error.message));
                    } else {
                        failures.push(RuleFailure { rule_id: rule.id.to_string(), error });
                    }
                }
            }
            progress(Progress { done: done + 1, total: items.len(), rule_id: rule.id });
        }
        if request.release_tables {
            self.data.release_held_tables();
        }
        peak::release_free_memory();
        let parents = self.parents()?;
        let settings = match &request.settings {
            Some(settings) => settings.clone(),
            None => Settings::from_catalog(&self.catalog, first.kind),
        };
        // With a history, the lead period is one of its points; the lead
        // rows just evaluated replace the stored ones of that period.
        let earlier = if request.history.is_empty() {
            Earlier { rows: earlier, in_spc: false }
        } else {
            let fresh: std::collections::HashSet<&Period> = planned.iter().collect();
            let mut rows: Vec<ResultRow> =
                request.history.iter().filter(|r| !fresh.contains(&r.period)).cloned().collect();
            rows.extend(earlier);
            Earlier { rows, in_spc: true }
        };
        let rows = statistics::apply(rows, &earlier, &parents, &settings, &request.statistics);
        Ok(RunOutcome {
            results: Results::new(rows),
            failures,
            notes,
            not_computable,
            evaluated: evaluated_from,
            skipped,
            costs,
            rules_total: items.len(),
            run_id,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// The members behind a rule's numbers in one period at one unit (or
    /// every unit) of `level`.
    pub fn members(&self, rule: &Rule, period: &Period, level: UnitLevel, unit: Option<&str>) -> Result<Members> {
        let measure = self.engine.evaluate(rule, period).map_err(|e| self.failure(e))?;
        self.measure_members(&rule.id, &measure, period, level, unit)
    }

    /// The members behind a measure (built for `period`).
    pub fn measure_members(
        &self,
        measure_id: &str,
        measure: &Measure,
        period: &Period,
        level: UnitLevel,
        unit: Option<&str>,
    ) -> Result<Members> {
        let listing = runner::members(measure, period, level, unit, &self.dimensions)
            .map_err(|e| Error::query(format!("listing the members of {measure_id}"), &e))?;
        let counts = (measure.kind == MeasureKind::Proportion).then(|| {
            let yes = |column: &str| -> Vec<bool> {
                listing
                    .column(column)
                    .ok()
                    .and_then(|c| c.str().ok().map(|s| s.iter().map(|v| v == Some("ja")).collect()))
                    .unwrap_or_default()
            };
            let (numerator, denominator) = (yes("taeller"), yes("naevner"));
            ProportionCounts {
                numerator: numerator.iter().zip(&denominator).filter(|(n, d)| **n && **d).count(),
                denominator: denominator.iter().filter(|d| **d).count(),
                excluded: yes("udelukket").iter().filter(|e| **e).count(),
                exceptions: yes("undtagelse").iter().filter(|e| **e).count(),
            }
        });
        Ok(Members {
            measure_id: measure_id.to_string(),
            kind: measure.kind,
            period: period.clone(),
            level,
            unit: unit.map(str::to_string),
            listing,
            counts,
        })
    }

    /// The optimized Polars plan of a rule's result rows in one period at
    /// `level`.
    pub fn plan(&self, rule: &Rule, period: &Period, level: UnitLevel) -> Result<String> {
        let measure = self.engine.evaluate(rule, period).map_err(|e| self.failure(e))?;
        runner::explain_plan(&rule.id, &measure, period, level, &self.dimensions)
            .map_err(|e| Error::query(format!("planning {}", rule.id), &e))
    }

    /// Builds a rule's plan for `period` without running it: what
    /// `kvalitet check` does with data.
    pub fn check_rule(&self, rule: &Rule, period: &Period) -> std::result::Result<(), RuleError> {
        self.engine.evaluate(rule, period).map(|_| ()).map_err(|error| self.classified(error))
    }
}
