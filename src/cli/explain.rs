//! `kvalitet explain`: which pseudonymised citizens make up one number, and
//! the Polars plan behind it.

use super::{open_data, parse_bound};
use crate::catalog::Kommuner;
use crate::engine::{Limits, MeasureKind, RuleEngine};
use crate::runner::aggregate::{self, flag};
use crate::runner::{Dimensions, UnitLevel};
use polars::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The measure id (the rule's file name without .rhai).
    measure_id: String,
    /// Data directory.
    #[arg(long)]
    data: PathBuf,
    /// Directory of rules.
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// The period: YYYY-MM, YYYY-Qn or YYYY.
    #[arg(long)]
    period: String,
    /// The unit code (kommune code, plejeenhed id or region code); all units when left out.
    #[arg(long)]
    unit: Option<String>,
    /// The unit level of --unit: kommune, plejeenhed or region.
    #[arg(long, default_value = "kommune")]
    level: String,
    /// Print the optimized Polars plan of the measure's results instead of the members.
    #[arg(long)]
    plan: bool,
}

pub fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let period = parse_bound(&args.period, "period")?;
    let level = UnitLevel::parse(&args.level)
        .ok_or_else(|| anyhow::anyhow!("--level {:?}: use kommune, plejeenhed or region", args.level))?;
    let (data, _) = open_data(&args.data)?;
    let engine = RuleEngine::new(data.clone(), Limits::default());
    let path = args.rules.join(format!("{}.rhai", args.measure_id));
    if !path.exists() {
        anyhow::bail!("no rule {} (looked for {})", args.measure_id, path.display());
    }
    let rule = engine.compile_file(&path)?;
    let measure = engine.evaluate(&rule, &period)?;
    let dimensions = Dimensions::new(&data, &Kommuner::standard());

    if args.plan {
        let plans = aggregate::plan(&rule.id, &measure, &period, &[level], &dimensions)?;
        println!("{}", plans.results.explain(true)?);
        return Ok(ExitCode::SUCCESS);
    }

    let members = match measure.kind {
        MeasureKind::Proportion => aggregate::proportion_population(&measure),
        _ => measure.base.frame.clone(),
    };
    let attributed = dimensions.attach(members, period.end, &[level.column()])?;
    let mut frame = attributed.frame;
    if let Some(unit) = &args.unit {
        frame = frame.filter(col(level.column()).eq(lit(unit.as_str())));
    }
    let mut shown: Vec<Expr> =
        measure.key.iter().filter(|k| has_column(&mut frame, k)).map(|k| col(k.as_str())).collect();
    if measure.kind == MeasureKind::Proportion {
        let yes_no = |c: &str, name: &str| when(col(c)).then(lit("ja")).otherwise(lit("nej")).alias(name);
        shown.extend([
            yes_no(flag::NUMERATOR, "taeller"),
            yes_no(flag::EXCLUDED, "udelukket"),
            yes_no(flag::EXCEPTION, "undtagelse"),
            yes_no(flag::DENOMINATOR, "naevner"),
        ]);
    } else if let Some(column) = &measure.column {
        shown.push(col(column.as_str()));
    }
    let mut listing = frame.select(shown).sort(measure.key.clone(), SortMultipleOptions::default()).collect()?;
    let unit_text = match &args.unit {
        Some(unit) => format!("{} {unit}", level.name()),
        None => "all units".to_string(),
    };
    println!(
        "# {} ({}), {} {}: {} member(s)",
        rule.id,
        measure.kind.name(),
        period.label(),
        unit_text,
        listing.height()
    );
    if measure.kind == MeasureKind::Proportion {
        let count =
            |c: &str| listing.column(c).ok().and_then(|s| s.str().ok().and_then(|s| s.equal("ja").sum())).unwrap_or(0);
        let numerator = listing
            .clone()
            .lazy()
            .filter(col("taeller").eq(lit("ja")).and(col("naevner").eq(lit("ja"))))
            .collect()?
            .height();
        println!(
            "# numerator {numerator} / denominator {} ({} excluded, {} exception(s))",
            count("naevner"),
            count("udelukket"),
            count("undtagelse")
        );
    }
    CsvWriter::new(std::io::stdout()).with_separator(b'\t').include_header(true).finish(&mut listing)?;
    Ok(ExitCode::SUCCESS)
}

fn has_column(frame: &mut LazyFrame, name: &str) -> bool {
    frame.collect_schema().map(|s| s.get(name).is_some()).unwrap_or(false)
}
