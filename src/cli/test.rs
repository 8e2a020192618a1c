//! `kvalitet test`: checks rules against their hand-worked cases
//! ([`crate::workspace::cases`]) and prints what differs.

use crate::engine::RulesSource;
use crate::workspace::cases::RuleCase;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct TestArgs {
    /// Only these measures (ids); default: every case in --cases.
    ids: Vec<String>,
    /// Directory of case files, one <measure id>.toml per rule.
    #[arg(long, default_value = "tests/rules")]
    cases: PathBuf,
    /// Directory of rules [default: the rules built into kvalitet].
    #[arg(long)]
    rules: Option<PathBuf>,
}

pub fn test(args: TestArgs) -> anyhow::Result<ExitCode> {
    let rules = args.rules.map_or(RulesSource::Standard, RulesSource::Dir);
    let cases: Vec<RuleCase> = RuleCase::read_dir(&args.cases)?
        .into_iter()
        .filter(|c| args.ids.is_empty() || args.ids.contains(&c.measure))
        .collect();
    if let Some(id) = args.ids.iter().find(|id| !cases.iter().any(|c| &c.measure == *id)) {
        anyhow::bail!("no case {id}.toml in {}", args.cases.display());
    }
    let mut failed = 0;
    for case in &cases {
        let problems = case.check(&rules).unwrap_or_else(|e| vec![e.to_string()]);
        if problems.is_empty() {
            println!("ok    {}", case.measure);
        } else {
            failed += 1;
            println!("FAIL  {} ({})", case.measure, case.file.display());
            for problem in problems {
                println!("      {problem}");
            }
        }
    }
    println!("{} case(s), {failed} failed", cases.len());
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
