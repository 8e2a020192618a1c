//! The batch runner: every rule × every period × the requested unit levels,
//! collected with Polars' `collect_all` so that plans sharing scans and
//! sub-plans are executed once, then stamped with provenance and written.
//!
//! A rule that fails — at compile time, while building its plan or while
//! executing it — is reported with its file and line and left out; the
//! others run.

pub mod aggregate;
pub mod output;
pub mod statistics;
pub mod units;

pub use statistics::{MeasureSettings, StatisticsOptions};
pub use units::{Dimensions, UnitLevel};

use crate::catalog::Kommuner;
use crate::data::DataSource;
use crate::engine::{Period, Rule, RuleEngine, RuleError};
use aggregate::MeasurePlans;
use polars::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub periods: Vec<Period>,
    pub levels: Vec<UnitLevel>,
    /// The catalogue version stamped on every row.
    pub catalog_version: String,
    /// Per-measure statistics settings (direction, decimals, suppression
    /// thresholds, national value, SPC baseline); measures not listed get
    /// the defaults.
    pub settings: HashMap<String, MeasureSettings>,
    pub statistics: StatisticsOptions,
}

/// A rule that did not produce results, and why.
#[derive(Debug, Clone)]
pub struct RuleFailure {
    pub rule_id: String,
    pub error: RuleError,
}

/// The outcome of a run.
pub struct RunOutcome {
    /// The results table (see `aggregate::RESULT_COLUMNS` plus provenance).
    pub results: DataFrame,
    pub failures: Vec<RuleFailure>,
    /// Notes such as unit levels a measure cannot be grouped by.
    pub notes: Vec<String>,
    /// Rules found, compiled or not.
    pub rules_total: usize,
    pub run_id: String,
    pub seconds: f64,
}

/// Reads every `*.rhai` file in `dir` (sorted by name) and compiles it.
pub fn compile_rules(engine: &RuleEngine, dir: &Path) -> Result<Vec<Result<Rule, RuleError>>, RuleError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| RuleError::whole(dir, format!("cannot read the rules directory: {e}")))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
        .collect();
    paths.sort();
    Ok(paths.iter().map(|p| engine.compile_file(p)).collect())
}

/// Builds, for one rule, the plans of every period.
fn plan_rule(
    engine: &RuleEngine,
    rule: &Rule,
    periods: &[Period],
    levels: &[UnitLevel],
    dimensions: &Dimensions,
    notes: &mut Vec<String>,
) -> Result<Vec<MeasurePlans>, RuleError> {
    let mut plans = Vec::new();
    for period in periods {
        let measure = engine.evaluate(rule, period)?;
        let plan = aggregate::plan(&rule.id, &measure, period, levels, dimensions)
            .map_err(|e| RuleError::whole(&rule.path, crate::data::polars_message(&e)))?;
        if period == &periods[0] {
            notes.extend(plan.skipped.iter().map(|s| format!("{}: skipped {s}", rule.id)));
        }
        plans.push(plan);
    }
    Ok(plans)
}

/// Executes one rule's plans together; the subset checks' counts come
/// back first.
fn execute(rule: &Rule, plans: Vec<MeasurePlans>) -> Result<DataFrame, RuleError> {
    let checks: Vec<&aggregate::OrphanCheck> = plans.iter().filter_map(|p| p.orphan_check.as_ref()).collect();
    let mut dsl = Vec::new();
    for check in &checks {
        dsl.push(check.members.clone().logical_plan);
        dsl.push(check.found.clone().logical_plan);
    }
    for plan in &plans {
        dsl.push(plan.results.clone().logical_plan);
    }
    let failed = |e: PolarsError| {
        RuleError::whole(&rule.path, format!("the plan failed when run: {}", crate::data::polars_message(&e)))
    };
    let frames = LazyFrame::collect_all_with_engine(dsl, Engine::Auto, OptFlags::default()).map_err(failed)?;
    let (check_frames, result_frames) = frames.split_at(2 * checks.len());
    let count = |frame: &DataFrame| frame.column("n").ok().and_then(|c| c.u64().ok()?.get(0)).unwrap_or(0);
    for (check, counts) in checks.iter().zip(check_frames.chunks(2)) {
        if count(&counts[0]) == count(&counts[1]) {
            continue;
        }
        let missing = check.missing.clone().collect().map_err(failed)?;
        let n = missing.column("n").ok().and_then(|c| c.cast(&DataType::UInt64).ok()?.u64().ok()?.get(0)).unwrap_or(0);
        let example =
            missing.column("example").ok().and_then(|c| c.str().ok()?.get(0).map(str::to_string)).unwrap_or_default();
        return Err(RuleError::whole(
            &rule.path,
            format!(
                "the numerator has {n} member(s) that are not in the denominator (for example {example}); a \
                 numerator must be a subset of its denominator"
            ),
        ));
    }
    let mut results = aggregate::empty_results().collect().expect("empty frame");
    for frame in result_frames {
        results.vstack_mut(frame).map_err(|e| RuleError::whole(&rule.path, e.to_string()))?;
    }
    Ok(results)
}

/// Runs every compiled rule for every period (and the period before the
/// first, as the reference of its development marker), adds the
/// statistics and provenance; `progress` is called after each rule with
/// (rules done, rules in all, rule id).
pub fn run(
    engine: &RuleEngine,
    rules: Vec<Result<Rule, RuleError>>,
    data: &DataSource,
    kommuner: &Kommuner,
    options: &RunOptions,
    mut progress: impl FnMut(usize, usize, &str),
) -> Result<RunOutcome, PolarsError> {
    let started = Instant::now();
    let dimensions = Dimensions::new(data, kommuner);
    let inputs_sha256 = data.inputs_sha256().map_err(|e| PolarsError::IO { error: e.into(), msg: None })?;
    let run_id = run_id(&inputs_sha256);
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    let mut parts: Vec<DataFrame> = Vec::new();
    let total = rules.len();
    // The development marker of the first period needs the one before it.
    let lead = options.periods.first().filter(|_| options.statistics.enabled).map(Period::previous);
    let planned: Vec<Period> = lead.iter().chain(&options.periods).cloned().collect();
    for (done, rule) in rules.into_iter().enumerate() {
        let rule = match rule {
            Ok(rule) => rule,
            Err(error) => {
                let rule_id = crate::engine::rule_id(&error.path).unwrap_or_default();
                progress(done + 1, total, &rule_id);
                failures.push(RuleFailure { rule_id, error });
                continue;
            }
        };
        let outcome = plan_rule(engine, &rule, &planned, &options.levels, &dimensions, &mut notes)
            .and_then(|plans| execute(&rule, plans));
        match outcome {
            Ok(mut frame) => {
                let n = frame.height();
                let stamp = [
                    Column::new_scalar("run_id".into(), Scalar::from(PlSmallStr::from(run_id.as_str())), n),
                    Column::new_scalar("rule_sha256".into(), Scalar::from(PlSmallStr::from(rule.sha256.as_str())), n),
                    Column::new_scalar(
                        "inputs_sha256".into(),
                        Scalar::from(PlSmallStr::from(inputs_sha256.as_str())),
                        n,
                    ),
                    Column::new_scalar(
                        "catalog_version".into(),
                        Scalar::from(PlSmallStr::from(options.catalog_version.as_str())),
                        n,
                    ),
                ];
                for column in stamp {
                    frame.with_column(column)?;
                }
                parts.push(frame);
            }
            Err(error) => failures.push(RuleFailure { rule_id: rule.id.clone(), error }),
        }
        progress(done + 1, total, &rule.id);
    }
    let mut all = parts
        .into_iter()
        .reduce(|mut a, b| {
            a.vstack_mut(&b).expect("same columns");
            a
        })
        .unwrap_or_else(output::empty_with_provenance);
    all.rechunk_mut();
    let parents = dimensions.parents(kommuner)?;
    let settings = |measure: &str| options.settings.get(measure).cloned().unwrap_or_default();
    let results = statistics::apply(all, &options.periods, lead.as_ref(), &parents, &settings, &options.statistics)?
        .sort(
            ["measure_id", "period_start", "unit_level", "unit_code", "stratum"],
            SortMultipleOptions::default().with_maintain_order(true),
        )?;
    Ok(RunOutcome { results, failures, notes, rules_total: total, run_id, seconds: started.elapsed().as_secs_f64() })
}

/// A run id: UTC time and the first hex digits of the inputs' hash.
fn run_id(inputs_sha256: &str) -> String {
    format!("{}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ"), &inputs_sha256[..8])
}
