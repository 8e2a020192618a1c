//! `kvalitet explain`: which pseudonymised citizens make up one number, and
//! the Polars plan behind it.

use super::{open, parse_period, rules_source};
use crate::results::UnitLevel;
use crate::workspace::Sources;
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
    /// Directory of rules [default: the rules built into kvalitet].
    #[arg(long)]
    rules: Option<PathBuf>,
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
    let period = parse_period(&args.period, "period")?;
    let level = UnitLevel::parse(&args.level)
        .ok_or_else(|| anyhow::anyhow!("--level {:?}: use kommune, plejeenhed or region", args.level))?;
    let sources = Sources { data: Some(args.data.clone()), catalog: None, rules: rules_source(args.rules.as_deref()) };
    let workspace = open(&sources)?;
    let rule = workspace.rule(&args.measure_id)?;
    if args.plan {
        println!("{}", workspace.plan(rule, &period, level)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut members = workspace.members(rule, &period, level, args.unit.as_deref())?;
    let unit_text = match &members.unit {
        Some(unit) => format!("{} {unit}", level.name()),
        None => "all units".to_string(),
    };
    println!(
        "# {} ({}), {} {}: {} member(s)",
        members.measure_id,
        members.kind.name(),
        period.label(),
        unit_text,
        members.listing.height()
    );
    if let Some(counts) = members.counts {
        println!(
            "# numerator {} / denominator {} ({} excluded, {} exception(s))",
            counts.numerator, counts.denominator, counts.excluded, counts.exceptions
        );
    }
    CsvWriter::new(std::io::stdout()).with_separator(b'\t').include_header(true).finish(&mut members.listing)?;
    Ok(ExitCode::SUCCESS)
}
