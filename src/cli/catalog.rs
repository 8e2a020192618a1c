//! `kvalitet catalog`: the catalogue as a tree (area → goal → primary
//! drivers → secondary drivers → measures, then the national goals and
//! their indicators), filtered by area, data source or "computable now";
//! `kvalitet catalog show ID` prints one measure or national indicator in
//! full. `--format json` gives the same as JSON for tools.
//!
//! The catalogue is the one compiled into the binary unless `--catalog DIR`
//! names a directory. The rules (built in, or `--rules DIR`) are checked
//! against it first: every `rule = "..."` must have its file and every rule
//! file its measure.

use crate::catalog::{Area, Catalog, Entry, Indicator, Measure};
use crate::stats::markers::Direction;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `kvalitet catalog`.
#[derive(clap::Args)]
pub struct CatalogArgs {
    #[command(subcommand)]
    command: Option<CatalogCommand>,
    /// Output format: text for people, json for tools.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    format: Format,
    /// Only one area: po, sp, gt or de (nm: only the national indicators).
    #[arg(long)]
    area: Option<String>,
    /// Only measures with this data source (an id from catalog/datakilder.toml, e.g. flis).
    #[arg(long)]
    source: Option<String>,
    /// Only measures that have a rule (computable now).
    #[arg(long)]
    computable: bool,
    /// Read the catalogue from this directory instead of the copy built into kvalitet.
    #[arg(long, global = true)]
    catalog: Option<PathBuf>,
    /// Rules directory to check against the catalogue [default: the rules built into kvalitet].
    #[arg(long, global = true)]
    rules: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum CatalogCommand {
    /// Print one measure or national indicator in full.
    Show {
        /// The id, e.g. po.2a.revurderet-tilstand-6mdr.
        id: String,
    },
}

/// `--format`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Runs `kvalitet catalog`.
pub fn catalog(args: CatalogArgs) -> anyhow::Result<ExitCode> {
    let catalog = match &args.catalog {
        Some(dir) => Catalog::load(dir)?,
        None => Catalog::standard(),
    };
    let rules = super::rules_source(args.rules.as_deref());
    let rules_dir = rules.label();
    catalog.check_rules(&rules_dir, &super::rule_ids(&rules)?)?;
    let output = match &args.command {
        Some(CatalogCommand::Show { id }) => {
            let entry = catalog.entry(id).ok_or_else(|| {
                anyhow::anyhow!(
                    "no measure or national indicator has the id \"{id}\"; the closest are: {}",
                    catalog.suggest(id, 5).join(", ")
                )
            })?;
            match args.format {
                Format::Text => show_text(&catalog, entry, &rules_dir),
                Format::Json => json(&show_json(&catalog, entry))?,
            }
        }
        None => {
            let filter = Filter::new(&catalog, &args)?;
            match args.format {
                Format::Text => tree_text(&catalog, &filter),
                Format::Json => json(&tree_json(&catalog, &filter))?,
            }
        }
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(output.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn json<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

/// Which measures and indicators to list.
struct Filter<'a> {
    area: Option<&'a str>,
    source: Option<&'a str>,
    computable: bool,
}

impl<'a> Filter<'a> {
    fn new(catalog: &Catalog, args: &'a CatalogArgs) -> anyhow::Result<Self> {
        if let Some(area) = &args.area
            && area != "nm"
            && catalog.area(area).is_none()
        {
            let known: Vec<&str> = catalog.areas.iter().map(|a| a.id.as_str()).collect();
            anyhow::bail!(
                "--area {area:?}: no such area; use one of {}, or nm for the national indicators",
                known.join(", ")
            );
        }
        if let Some(source) = &args.source
            && catalog.datakilde(source).is_none()
        {
            let known: Vec<&str> = catalog.datakilder.iter().map(|d| d.id.as_str()).collect();
            anyhow::bail!("--source {source:?}: no such data source; use one of {}", known.join(", "));
        }
        Ok(Filter { area: args.area.as_deref(), source: args.source.as_deref(), computable: args.computable })
    }

    fn is_filtering(&self) -> bool {
        self.source.is_some() || self.computable
    }

    fn area(&self, area: &Area) -> bool {
        self.area.is_none_or(|a| a == area.id)
    }

    fn measure(&self, measure: &Measure) -> bool {
        self.source.is_none_or(|s| measure.data_sources.iter().any(|d| d == s))
            && (!self.computable || measure.rule.is_some())
    }

    fn national(&self) -> bool {
        self.area.is_none_or(|a| a == "nm") && self.source.is_none()
    }

    fn indicator(&self, indicator: &Indicator) -> bool {
        self.national() && (!self.computable || indicator.rule.is_some())
    }
}

// ------------------------------------------------------------------- tree

/// The tree as text: one block per area, then the national goals.
fn tree_text(catalog: &Catalog, filter: &Filter) -> String {
    let mut out = String::new();
    let mut shown = Counts::default();
    for area in catalog.areas.iter().filter(|a| filter.area(a)) {
        let mut tree = Tree::default();
        for driver in area.primary_drivers() {
            let mut primary = node_tree(area, &driver.id, filter, &mut shown);
            for secondary in area.secondary_drivers(&driver.id) {
                let child = node_tree(area, &secondary.id, filter, &mut shown);
                if !filter.is_filtering() || !child.children.is_empty() {
                    primary.children.push(child);
                }
            }
            if !filter.is_filtering() || !primary.children.is_empty() {
                tree.children.push(primary);
            }
        }
        let mut goal = node_tree(area, &area.goal.id, filter, &mut shown);
        goal.children.append(&mut tree.children);
        if filter.is_filtering() && goal.children.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let status = match area.status {
            crate::catalog::AreaStatus::Udviklet => String::new(),
            crate::catalog::AreaStatus::UnderUdvikling => " — under udvikling".into(),
        };
        let _ = writeln!(out, "{} ({}){status}", area.title, area.id);
        if !area.legal_basis.is_empty() {
            let _ = writeln!(out, "Lovgrundlag: {}", area.legal_basis.join(", "));
        }
        let _ = writeln!(out, "{}", goal.line);
        render(&goal.children, "", &mut out);
    }
    let indicators: Vec<&Indicator> = catalog.national.indicators.iter().filter(|i| filter.indicator(i)).collect();
    if !indicators.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str("Nationale mål for sundhedsvæsenet (nm)\n");
        let mut goals = Vec::new();
        for goal in &catalog.national.goals {
            let children: Vec<Tree> = indicators
                .iter()
                .filter(|i| i.goal == goal.number)
                .map(|i| {
                    let rule = if i.rule.is_some() { " [regel]" } else { "" };
                    Tree::leaf(format!("{}  {}{rule}", i.id, i.title))
                })
                .collect();
            if !children.is_empty() {
                goals.push(Tree { line: format!("{} {}", goal.number, goal.title), children });
            }
        }
        render(&goals, "", &mut out);
    }
    if out.is_empty() {
        out.push_str("Ingen mål passer til filteret.\n");
    } else {
        let _ = writeln!(
            out,
            "\n{} mål ({} med regel, {} bobler, {} kun i oversigten), {} nationale indikatorer",
            shown.measures,
            shown.computable,
            shown.candidates,
            shown.overview_only,
            indicators.len()
        );
    }
    out
}

#[derive(Default)]
struct Counts {
    measures: usize,
    computable: usize,
    candidates: usize,
    overview_only: usize,
}

/// A line and the lines under it.
#[derive(Default)]
struct Tree {
    line: String,
    children: Vec<Tree>,
}

impl Tree {
    fn leaf(line: String) -> Self {
        Tree { line, children: Vec::new() }
    }
}

/// A node's line with its (filtered) measures as children.
fn node_tree(area: &Area, node: &str, filter: &Filter, shown: &mut Counts) -> Tree {
    let node_ref = area.node(node).expect("validated: the node exists");
    let children = area
        .measures_at(node)
        .filter(|m| filter.measure(m))
        .map(|m| {
            shown.measures += 1;
            shown.computable += usize::from(m.rule.is_some());
            shown.candidates += usize::from(m.candidate);
            shown.overview_only += usize::from(m.overview_only);
            Tree::leaf(format!("{}  {}{}", m.id, m.title, marks(m)))
        })
        .collect();
    Tree { line: format!("{} {}", node_ref.label(), node_ref.title()), children }
}

/// " (boble)", " (oversigt)", " [regel]" as they apply.
fn marks(m: &Measure) -> String {
    let mut s = String::new();
    if m.candidate {
        s.push_str(" (boble)");
    }
    if m.overview_only {
        s.push_str(" (oversigt)");
    }
    if m.rule.is_some() {
        s.push_str(" [regel]");
    }
    s
}

fn render(children: &[Tree], prefix: &str, out: &mut String) {
    for (i, child) in children.iter().enumerate() {
        let last = i + 1 == children.len();
        let _ = writeln!(out, "{prefix}{}{}", if last { "└── " } else { "├── " }, child.line);
        render(&child.children, &format!("{prefix}{}", if last { "    " } else { "│   " }), out);
    }
}

/// `kvalitet catalog --format json`.
#[derive(Serialize)]
struct TreeJson<'a> {
    catalog_version: &'a str,
    areas: Vec<AreaJson<'a>>,
    national_goals: &'a [crate::catalog::NationalGoal],
    indicators: Vec<&'a Indicator>,
}

/// An area with all its drivers and the measures that pass the filter.
#[derive(Serialize)]
struct AreaJson<'a> {
    id: &'a str,
    title: &'a str,
    legal_basis: &'a [String],
    status: crate::catalog::AreaStatus,
    goal: &'a crate::catalog::Goal,
    drivers: &'a [crate::catalog::Driver],
    measures: Vec<&'a Measure>,
}

/// The tree as JSON: the areas with all their drivers and the filtered
/// measures, the national goals and the filtered indicators. Fields come in
/// the order of the structs.
fn tree_json<'a>(catalog: &'a Catalog, filter: &Filter) -> TreeJson<'a> {
    let areas: Vec<AreaJson<'a>> = catalog
        .areas
        .iter()
        .filter(|a| filter.area(a))
        .map(|a| AreaJson {
            id: &a.id,
            title: &a.title,
            legal_basis: &a.legal_basis,
            status: a.status,
            goal: &a.goal,
            drivers: &a.drivers,
            measures: a.measures.iter().filter(|m| filter.measure(m)).collect(),
        })
        .filter(|a| !filter.is_filtering() || !a.measures.is_empty())
        .collect();
    let indicators: Vec<&Indicator> = catalog.national.indicators.iter().filter(|i| filter.indicator(i)).collect();
    TreeJson { catalog_version: &catalog.version, areas, national_goals: &catalog.national.goals, indicators }
}

// ------------------------------------------------------------------- show

const LABEL_WIDTH: usize = 16;
const WIDTH: usize = 100;

/// One measure or indicator in full, with Danish labels.
fn show_text(catalog: &Catalog, entry: Entry, rules_dir: &Path) -> String {
    let mut out = String::new();
    let rule_text = |rule: &Option<String>| match rule {
        Some(rule) => rules_dir.join(format!("{rule}.rhai")).display().to_string(),
        None => "– (ingen regel endnu)".to_string(),
    };
    match entry {
        Entry::Measure(area, m) => {
            let node = area.node(&m.node).expect("validated: the node exists");
            let place = match node {
                crate::catalog::Node::Goal(_) => format!("{} {} (mål)", node.label(), node.title()),
                crate::catalog::Node::Driver(d) => match d.parent.as_deref().and_then(|p| area.node(p)) {
                    Some(parent) => format!(
                        "{} {} (sekundær driver under {} {})",
                        node.label(),
                        node.title(),
                        parent.label(),
                        parent.title()
                    ),
                    None => format!("{} {} (primær driver)", node.label(), node.title()),
                },
            };
            let sources: Vec<String> = m
                .data_sources
                .iter()
                .map(|id| match catalog.datakilde(id) {
                    Some(d) => format!("{} ({id})", d.name),
                    None => id.clone(),
                })
                .collect();
            let mut sources = sources.join(", ");
            if let Some(note) = &m.data_source_note {
                sources = format!("{sources}\nKataloget: {note}").trim_start().to_string();
            }
            out.push_str(&m.id);
            out.push('\n');
            field(&mut out, "Område", &format!("{} ({})", area.title, area.id));
            field(&mut out, "Placering", &place);
            field(&mut out, "Titel", &m.title);
            field(&mut out, "Uddybende", &m.description);
            field(&mut out, "Datakilder", &sources);
            field(&mut out, "Fortolkning", m.interpretation.as_deref().unwrap_or(""));
            field(&mut out, "Enhed", m.unit.label_da());
            field(&mut out, "Retning", &with_note(m.direction, m.direction_note.as_deref()));
            field(&mut out, "Population", m.population.as_deref().unwrap_or(""));
            field(&mut out, "Aldersgrupper", &m.age_bands.join(", "));
            field(&mut out, "Tidsvindue", m.window.as_deref().unwrap_or(""));
            match (&m.rule, &m.no_rule) {
                (None, Some(reason)) => field(&mut out, "Regel", &format!("– ingen: {reason}")),
                _ => field(&mut out, "Regel", &rule_text(&m.rule)),
            }
            field(&mut out, "Boble", if m.candidate { "ja (idé fra katalogets \"Bobler\")" } else { "nej" });
            field(
                &mut out,
                "Kun i oversigt",
                if m.overview_only { "ja (ikke i katalogets detaljerede tabeller)" } else { "nej" },
            );
        }
        Entry::Indicator(i) => {
            out.push_str(&i.id);
            out.push('\n');
            let goal = catalog.national.goal(i.goal).map(|g| format!("{} {}", g.number, g.title)).unwrap_or_default();
            field(&mut out, "Nationalt mål", &goal);
            field(&mut out, "Titel", &i.title);
            field(&mut out, "Enhed", i.unit.label_da());
            field(&mut out, "Retning", i.direction.label_da());
            field(&mut out, "Decimaler", &i.decimals.to_string());
            field(&mut out, "Periode", &format!("{} (dataår {})", i.period, i.year));
            if let Some(p) = &i.development_period {
                field(&mut out, "Udvikling", p);
            }
            field(&mut out, "Kilde", &i.source);
            let mut tables = Vec::new();
            if i.in_tabel1 {
                tables.push("Tabel 1".to_string());
            }
            if let (true, Some(col)) = (i.in_tabel2, i.tabel2_column) {
                tables.push(format!("Tabel 2, kolonne {col}"));
            }
            field(&mut out, "Tabeller", &tables.join("; "));
            let marking = match (i.colour_marking, i.level_marking, i.direction) {
                (false, _, _) => "ingen (under udvikling)",
                (true, _, Direction::None) => "ingen farver (ingen retning)",
                (true, true, _) => "udvikling og niveau ift. landsgennemsnittet",
                (true, false, _) => "kun udvikling",
            };
            field(&mut out, "Markering", marking);
            if let Some(v) = i.tabel2_variant.as_ref().or(i.tabel2_variant_of.as_ref()) {
                field(&mut out, "Variant", v);
            }
            if let Some(d) = &i.definition_change {
                field(&mut out, "Definition", d);
            }
            let notes: Vec<String> =
                i.footnotes.iter().map(|n| format!("Tabel {}, note {}: {}", n.table, n.number, n.text)).collect();
            field(&mut out, "Fodnoter", &notes.join("\n"));
            field(&mut out, "Noter", &i.notes.join("\n"));
            field(&mut out, "Regel", &rule_text(&i.rule));
            field(&mut out, "Resultater", &results(catalog, i));
        }
    }
    out
}

/// One labelled field, wrapped, continuation lines indented; "–" when empty.
fn field(out: &mut String, label: &str, value: &str) {
    let value = if value.trim().is_empty() { "–" } else { value };
    let mut first = true;
    for paragraph in value.lines() {
        for line in wrap(paragraph, WIDTH - LABEL_WIDTH) {
            let label = if first { format!("{label}:") } else { String::new() };
            let _ = writeln!(out, "{label:<LABEL_WIDTH$}{line}");
            first = false;
        }
    }
}

/// "højere er bedre" and the note, if any.
fn with_note(direction: Direction, note: Option<&str>) -> String {
    match note {
        Some(note) => format!("{}\n{note}", direction.label_da()),
        None => direction.label_da().to_string(),
    }
}

/// The published values of an indicator: the country and the regions, and
/// how many municipalities have a value.
fn results(catalog: &Catalog, indicator: &Indicator) -> String {
    let rows: Vec<_> = catalog.benchmarks.iter().filter(|b| b.indicator_id == indicator.id).collect();
    let mut lines = Vec::new();
    for row in rows.iter().filter(|b| b.unit_level != crate::catalog::BenchmarkLevel::Kommune) {
        let value = match row.value {
            Some(v) => danish_number(v, indicator.decimals),
            None => "–".into(),
        };
        lines.push(format!("{} {}: {value}", row.unit_name, row.year));
    }
    let kommuner: Vec<_> = rows.iter().filter(|b| b.unit_level == crate::catalog::BenchmarkLevel::Kommune).collect();
    if !kommuner.is_empty() {
        let with_value = kommuner.iter().filter(|b| b.value.is_some()).count();
        lines.push(format!("{} kommuner, {with_value} med tal (--format json viser dem)", kommuner.len()));
    }
    lines.join("\n")
}

/// 59.0 → "59,0".
fn danish_number(value: f64, decimals: u8) -> String {
    format!("{value:.*}", usize::from(decimals)).replace('.', ",")
}

/// Greedy word wrap at `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `kvalitet catalog show ID --format json`: the entry with its context.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ShowJson<'a> {
    Measure {
        area: IdTitle<'a>,
        node: IdTitle<'a>,
        measure: &'a Measure,
        data_sources: Vec<&'a crate::catalog::Datakilde>,
    },
    Indicator {
        goal: Option<&'a crate::catalog::NationalGoal>,
        indicator: &'a Indicator,
        benchmarks: Vec<&'a crate::catalog::Benchmark>,
    },
}

#[derive(Serialize)]
struct IdTitle<'a> {
    id: &'a str,
    title: &'a str,
}

fn show_json<'a>(catalog: &'a Catalog, entry: Entry<'a>) -> ShowJson<'a> {
    match entry {
        Entry::Measure(area, m) => {
            let node = area.node(&m.node).expect("validated: the node exists");
            ShowJson::Measure {
                area: IdTitle { id: &area.id, title: &area.title },
                node: IdTitle { id: node.id(), title: node.title() },
                measure: m,
                data_sources: m.data_sources.iter().filter_map(|id| catalog.datakilde(id)).collect(),
            }
        }
        Entry::Indicator(i) => ShowJson::Indicator {
            goal: catalog.national.goal(i.goal),
            indicator: i,
            benchmarks: catalog.benchmarks.iter().filter(|b| b.indicator_id == i.id).collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_on_words() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 6), [""]);
        assert_eq!(wrap("ææææ øø", 7), ["ææææ øø"]);
    }

    #[test]
    fn danish_numbers() {
        assert_eq!(danish_number(59.0, 1), "59,0");
        assert_eq!(danish_number(12.0, 0), "12");
    }
}
