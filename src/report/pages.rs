//! The HTML pages: the overview (RKKP style: one row per measured measure,
//! grouped by area and driver), a driver diagram per area with the measured
//! values on it and what is not measured, a page per measure (catalogue
//! text, rule source, run charts, funnel plot, table), and the national
//! comparison with the published values.

use super::layout::{self, Link};
use super::model::{Model, Unit, file_safe};
use crate::catalog::{Area, Measure, Node};
use crate::display::format::{self, ValueFormat};
use crate::display::html::{self, badge, escape};
use crate::display::marker;
use crate::display::svg::{self, Caption};
use crate::engine::{PeriodKind, RulesSource};
use crate::results::{LevelReference, ResultRow, UnitLevel};
use crate::stats::markers::{self, Direction};
use std::collections::{BTreeMap, BTreeSet};

/// How many periods a sparkline shows.
const SPARK_POINTS: usize = 12;
/// Periods in a measure page's table of values (the newest); every period
/// is in the workbook and the results files.
const TABLE_PERIODS: usize = 12;
/// With more kommuner than this, run charts are drawn for the regions.
const MAX_RUN_CHART_KOMMUNER: usize = 4;

/// One page: its file name and content.
pub struct Page {
    pub file: String,
    pub html: String,
}

/// Everything the pages share.
pub struct Pages<'m, 'a> {
    pub model: &'m Model<'a>,
    pub rules: &'m RulesSource,
    /// `Kvalitetsrapport – Odder`.
    pub site_name: String,
    /// The footer, as HTML.
    pub footer: String,
    /// Values that moved since an earlier run, with the earlier value.
    pub moved: &'m super::Moved,
}

/// A unit's name and level as a row header of a values table.
fn unit_cell(unit: &Unit) -> String {
    format!("<th>{} <small>{}</small></th>", escape(&unit.name), html::level_da(unit.level))
}

/// The overview page of a kommune.
pub fn overview_file(kommune: &Unit, several: bool) -> String {
    if several { format!("oversigt-{}.html", file_safe(&kommune.code)) } else { "index.html".to_string() }
}

/// The driver-diagram page of an area for a kommune.
pub fn driver_file(area: &str, kommune: &Unit) -> String {
    format!("driver-{}-{}.html", file_safe(area), file_safe(&kommune.code))
}

/// The national comparison page.
pub const NATIONAL_FILE: &str = "national.html";

impl<'a> Pages<'_, 'a> {
    fn several(&self) -> bool {
        self.model.kommuner.len() > 1
    }

    /// The measures that map to a national indicator and have results.
    fn national_measures(&self) -> Vec<&'a str> {
        self.model.measured().into_iter().filter(|m| self.indicator_of(m).is_some()).collect()
    }

    fn indicator_of(&self, measure: &str) -> Option<&'a crate::catalog::Indicator> {
        let id = self.model.catalog.measure(measure)?.statistics.as_ref()?.national_indicator.as_deref()?;
        self.model.catalog.indicator(id)
    }

    /// The navigation: the kommune's overview and driver diagrams (when the
    /// page belongs to one kommune, or there is only one), the national
    /// comparison, the workbook.
    fn nav(&self, kommune: Option<&Unit>, current: &str) -> Vec<Link> {
        let mut links = Vec::new();
        let link = |href: String, text: &str| Link { current: href == current, href, text: text.to_string() };
        if self.several() {
            links.push(link("index.html".into(), "Alle kommuner"));
        }
        let focus = kommune.or_else(|| if self.several() { None } else { self.model.kommuner.first() });
        if self.model.kommuner.is_empty() {
            links.push(link("index.html".into(), "Oversigt"));
        }
        if let Some(k) = focus {
            let overview = if self.several() { format!("Oversigt {}", k.name) } else { "Oversigt".into() };
            links.push(link(overview_file(k, self.several()), &overview));
            for area in &self.model.catalog.areas {
                links.push(link(driver_file(&area.id, k), &area.title));
            }
        }
        if !self.national_measures().is_empty() {
            links.push(link(NATIONAL_FILE.into(), "National sammenligning"));
        }
        links.push(link("results.xlsx".into(), "Excel"));
        links
    }

    fn page(&self, file: String, title: &str, kommune: Option<&Unit>, body: String) -> Page {
        let nav = self.nav(kommune, &file);
        let html = layout::page(&self.site_name, title, &nav, &body, &self.footer);
        Page { file, html }
    }

    /// Every page of the report.
    pub fn all(&self) -> Vec<Page> {
        let mut pages = Vec::new();
        if self.several() {
            pages.push(self.kommune_list());
        }
        for kommune in &self.model.kommuner {
            pages.push(self.overview(kommune));
            for area in &self.model.catalog.areas {
                pages.push(self.driver_diagram(area, kommune));
            }
        }
        if self.model.kommuner.is_empty() {
            pages.push(self.no_kommune());
        }
        for measure in self.model.measured() {
            pages.push(self.measure_page(measure));
        }
        if !self.national_measures().is_empty() {
            pages.push(self.national_page());
        }
        pages
    }

    fn no_kommune(&self) -> Page {
        let mut body = String::from(
            "<h1>Oversigt</h1><p class=\"note\">Resultaterne har ingen rækker på kommuneniveau, så der er ingen \
             oversigt eller driverdiagrammer. Hver målings side viser de enheder, der er resultater for.</p><ul>",
        );
        for measure in self.model.measured() {
            body.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>",
                escape(&Model::measure_page(measure)),
                escape(self.model.title(measure))
            ));
        }
        body.push_str("</ul>");
        self.page("index.html".into(), "Oversigt", None, body)
    }

    /// `index.html` when the results hold several kommuner: one line per
    /// kommune with how much is measured.
    fn kommune_list(&self) -> Page {
        let total: usize = self.model.catalog.areas.iter().map(|a| a.measures.len()).sum();
        let mut body = format!(
            "<h1>Kvalitetsrapport</h1><p class=\"lede\">Rapporten dækker {}. Vælg en kommune for dens oversigt og \
             driverdiagrammer; hver målings side sammenligner kommunerne.</p>\
             <table class=\"data\"><thead><tr><th>Kommune</th><th class=\"num\">Målte målinger</th>\
             <th>Driverdiagrammer</th></tr></thead><tbody>",
            format::counted(self.model.kommuner.len(), "kommune", "kommuner")
        );
        for k in &self.model.kommuner {
            let measured = self.model.measured().iter().filter(|m| self.model.is_measured(m, Some(k))).count();
            let areas: Vec<String> = self
                .model
                .catalog
                .areas
                .iter()
                .map(|a| format!("<a href=\"{}\">{}</a>", escape(&driver_file(&a.id, k)), escape(&a.title)))
                .collect();
            body.push_str(&format!(
                "<tr><td><a href=\"{}\">{}</a></td><td class=\"num\">{} af {total}</td><td>{}</td></tr>",
                escape(&overview_file(k, true)),
                escape(&k.name),
                measured,
                areas.join(" · ")
            ));
        }
        body.push_str("</tbody></table>");
        self.page("index.html".into(), "Alle kommuner", None, body)
    }

    /// The legend of the markers, shared by the overview and the diagrams.
    fn legend(&self) -> String {
        let d = Direction::HigherIsBetter;
        let examples = [
            marker::development(crate::stats::Development::Positive, d),
            marker::development(crate::stats::Development::Unchanged, d),
            marker::development(crate::stats::Development::Negative, d),
            marker::development(crate::stats::Development::Higher, Direction::None),
        ];
        let badges: String = examples.iter().map(badge).collect();
        format!(
            "<p class=\"legend\">Markeringer (farve, symbol og ord): {badges} — pilen viser, hvilken vej tallet er \
             gået; farven, om det er godt (blå) eller skidt (orange) for målingens retning; lilla for målinger \
             uden retning, grå for uændret (±1 %). Niveau sammenlignes med landsgennemsnittet, hvor målingen svarer \
             til en national indikator, ellers med gennemsnittet for alle enheder i resultaterne. SPC: signal for \
             ikke-tilfældig variation efter Anhøjs regler; med under {} punkter er der for få til at vurdere \
             variation.</p>",
            marker::MIN_SPC_POINTS
        )
    }

    /// The nodes of an area in diagram order: goal, then each primary driver
    /// followed by its secondary drivers.
    fn nodes(area: &'a Area) -> Vec<Node<'a>> {
        let mut nodes = vec![Node::Goal(&area.goal)];
        for primary in area.primary_drivers() {
            nodes.push(Node::Driver(primary));
            nodes.extend(area.secondary_drivers(&primary.id).map(Node::Driver));
        }
        nodes
    }

    /// `n af m målinger er målt`.
    fn coverage(&self, area: &Area, kommune: &Unit) -> (usize, usize) {
        let measured = area.measures.iter().filter(|m| self.model.is_measured(&m.id, Some(kommune))).count();
        (measured, area.measures.len())
    }

    fn selected_tag(&self, measure: &str) -> &'static str {
        if self.model.selection.contains(measure) { " <span class=\"tag selected-tag\">★ valgt</span>" } else { "" }
    }

    /// The national value column: the value the row was compared with, or
    /// the published value of the measure's indicator.
    fn national_cell(&self, measure: &str, row: &ResultRow, format: &ValueFormat) -> String {
        let indicator = self.indicator_of(measure);
        let year = indicator.map(|i| i.year);
        if let Some(v) = row.statistics.as_ref().and_then(|s| s.national_value) {
            return format!(
                "{} <small>({})</small>",
                escape(&format.value(v)),
                year.map(|y| y.to_string()).unwrap_or_default()
            );
        }
        match indicator.and_then(|i| self.model.catalog.national_value(&i.id, i.year).map(|v| (i, v))) {
            Some((i, v)) => format!(
                "{} <small>({}; {})</small>",
                escape(&format.value(v)),
                i.year,
                if self
                    .model
                    .catalog
                    .measure(measure)
                    .and_then(|m| m.statistics.as_ref())
                    .is_some_and(|s| s.national_yearly_only)
                {
                    "sammenlignes årligt"
                } else {
                    "anden gruppe"
                }
            ),
            None => "–".to_string(),
        }
    }

    /// One overview row: the measure's latest value for a kommune in its
    /// main stratum.
    fn overview_row(&self, measure: &'a str, kommune: &Unit) -> Option<String> {
        let stratum = self.model.main_stratum(measure)?;
        let row = self.model.latest(measure, kommune, stratum)?;
        let format = self.model.format(measure);
        let direction = self.model.direction(measure);
        let points = self.model.points(measure, kommune, stratum);
        let [development, level, spc] = html::markers(row, direction, points);
        let b = |m: Option<marker::Marker>| m.as_ref().map(badge).unwrap_or_else(|| "–".into());
        let level = match level {
            Some(m) => badge(&m),
            None => "<span class=\"muted\" title=\"Intet niveau: ingen landsværdi for perioden og gruppen, og ingen \
                     andre enheder at sammenligne med\">–</span>"
                .to_string(),
        };
        let selected = self.model.selection.contains(measure);
        Some(format!(
            "<tr{}><td><a href=\"{}\">{}</a>{}<br><small>{}</small></td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"national\">{}</td></tr>",
            if selected { " class=\"selected\"" } else { "" },
            escape(&Model::measure_page(measure)),
            escape(self.model.title(measure)),
            self.selected_tag(measure),
            escape(measure),
            escape(stratum),
            escape(&format::period(&row.period)),
            html::value_cell(row, &format),
            escape(&html::interval_text(row, &format)),
            escape(&html::counts_text(row)),
            b(development),
            level,
            b(spc),
            self.national_cell(measure, row, &format),
        ))
    }

    /// The overview of one kommune.
    pub fn overview(&self, kommune: &Unit) -> Page {
        let file = overview_file(kommune, self.several());
        let catalog = self.model.catalog;
        let total: usize = catalog.areas.iter().map(|a| a.measures.len()).sum();
        let measured: usize = catalog.areas.iter().map(|a| self.coverage(a, kommune).0).sum();
        let latest = self.model.measured().iter().flat_map(|m| self.model.rows(m)).map(|r| r.period.clone()).max();
        let mut body = format!(
            "<h1>Oversigt – {}</h1><p class=\"lede\">Seneste værdi for hver målt måling på kommuneniveau{}, med \
             konfidensinterval, tæller og nævner og markeringerne for udvikling, niveau og SPC. \
             <strong>{measured} af {total}</strong> målinger i kataloget er målt. Kataloget fastsætter ingen \
             standarder (målværdier) for målingerne; hvor en måling svarer til en national indikator, vises den \
             offentliggjorte landsværdi.</p>{}",
            escape(&kommune.name),
            latest.map(|p| format!(" (seneste periode: {})", escape(&format::period(&p)))).unwrap_or_default(),
            self.legend()
        );
        if !self.model.selection.is_empty() {
            body.push_str(
                "<p class=\"muted\">Valgte målinger er markeret <span class=\"tag selected-tag\">★ valgt</span>.</p>",
            );
        }
        let head = "<thead><tr><th>Måling</th><th>Gruppe</th><th>Periode</th><th class=\"num\">Værdi</th>\
                    <th class=\"num\">Konfidens&shy;interval</th><th class=\"num\">Tæller / nævner</th>\
                    <th>Udvikling</th><th>Niveau</th><th>SPC</th><th class=\"num\">Landsværdi</th></tr></thead>";
        for area in &catalog.areas {
            let (n, m) = self.coverage(area, kommune);
            body.push_str(&format!(
                "<h2>{}</h2><p class=\"coverage\">{n} af {m} målinger er målt. <a href=\"{}\">Driverdiagram</a></p>",
                escape(&area.title),
                escape(&driver_file(&area.id, kommune))
            ));
            if n == 0 {
                continue;
            }
            body.push_str(&format!("<table class=\"data overview\">{head}<tbody>"));
            for node in Self::nodes(area) {
                let rows: Vec<String> =
                    area.measures_at(node.id()).filter_map(|m| self.overview_row(&m.id, kommune)).collect();
                if rows.is_empty() {
                    continue;
                }
                body.push_str(&format!(
                    "<tr class=\"group\"><th colspan=\"10\">{} {}</th></tr>",
                    escape(node.label()),
                    escape(node.title())
                ));
                body.push_str(&rows.concat());
            }
            body.push_str("</tbody></table>");
        }
        let others: Vec<String> =
            self.model.outside_catalogue().into_iter().filter_map(|m| self.overview_row(m, kommune)).collect();
        if !others.is_empty() {
            body.push_str(&format!(
                "<h2>Målinger uden for kataloget</h2><p>Regler, som kataloget ikke kender; de vises uden retning.</p>\
                 <table class=\"data overview\">{head}<tbody>{}</tbody></table>",
                others.concat()
            ));
        }
        self.page(file, &format!("Oversigt – {}", kommune.name), Some(kommune), body)
    }

    /// One measure node of a driver diagram.
    fn measure_card(&self, measure: &'a Measure, kommune: &Unit) -> String {
        let selected = self.model.selection.contains(&measure.id);
        let stratum =
            self.model.main_stratum(&measure.id).filter(|_| self.model.is_measured(&measure.id, Some(kommune)));
        let latest = stratum.and_then(|s| self.model.latest(&measure.id, kommune, s).map(|r| (s, r)));
        let Some((stratum, row)) = latest else {
            let mut tags = String::from("<span class=\"tag\">ikke målt</span>");
            if measure.rule.is_some() {
                tags.push_str(" <span class=\"tag\">regel findes</span>");
            }
            if let Some(reason) = &measure.no_rule {
                tags.push_str(&format!(
                    " <span class=\"tag\">ingen regel</span> <small class=\"no-rule\">{}</small>",
                    escape(reason)
                ));
            }
            if measure.candidate {
                tags.push_str(" <span class=\"tag\">idé</span>");
            }
            return format!(
                "<li class=\"measure unmeasured{}\" data-measure=\"{}\"><span class=\"m-title\">{}</span> {tags}{}</li>",
                if selected { " selected" } else { "" },
                escape(&measure.id),
                escape(&measure.title),
                self.selected_tag(&measure.id)
            );
        };
        let format = self.model.format(&measure.id);
        let series = self.model.series(&measure.id, kommune, stratum);
        let spark = svg::sparkline(&series, &format, SPARK_POINTS).unwrap_or_default();
        let points = self.model.points(&measure.id, kommune, stratum);
        let markers: String =
            html::markers(row, measure.direction, points).into_iter().flatten().map(|m| badge(&m)).collect();
        let group = if stratum == "alle" { String::new() } else { format!(" · {}", escape(stratum)) };
        format!(
            "<li class=\"measure measured{}\" data-measure=\"{}\"><a class=\"m-title\" href=\"{}\">{}</a>\
             <div class=\"m-value\"><span class=\"value\">{}</span> <span class=\"m-period\">{}{group}</span></div>\
             {spark}<div class=\"m-markers\">{markers}</div>{}</li>",
            if selected { " selected" } else { "" },
            escape(&measure.id),
            escape(&Model::measure_page(&measure.id)),
            escape(&measure.title),
            html::value_cell(row, &format),
            escape(&format::period(&row.period)),
            self.selected_tag(&measure.id)
        )
    }

    fn measure_list(&self, area: &'a Area, node: &str, kommune: &Unit) -> String {
        let cards: String = area.measures_at(node).map(|m| self.measure_card(m, kommune)).collect();
        if cards.is_empty() { String::new() } else { format!("<ul class=\"measures\">{cards}</ul>") }
    }

    /// The driver diagram of an area for a kommune, laid out as in the
    /// catalogue: goal left, primary drivers, secondary drivers, measures
    /// right.
    pub fn driver_diagram(&self, area: &'a Area, kommune: &Unit) -> Page {
        let (measured, total) = self.coverage(area, kommune);
        let percent = if total > 0 { 100.0 * measured as f64 / total as f64 } else { 0.0 };
        let chosen = area.measures.iter().filter(|m| self.model.selection.contains(&m.id)).count();
        let mut body = format!(
            "<h1>{} – driverdiagram</h1><p class=\"coverage\"><strong>{measured} af {total} målinger</strong> i \
             området er målt for {} ({} %). Målinger uden resultater står som <span class=\"tag\">ikke målt</span>.\
             </p>",
            escape(&area.title),
            escape(&kommune.name),
            format::number(percent, 0)
        );
        if !self.model.selection.is_empty() {
            body.push_str(&format!(
                "<p>{} i området er valgt og markeret <span class=\"tag selected-tag\">★ valgt</span> (kataloget \
                 anbefaler at vælge 3–5 målinger at følge).</p>",
                format::counted(chosen, "måling", "målinger")
            ));
        }
        body.push_str(&self.legend());
        body.push_str(&format!(
            "<div class=\"diagram\"><div class=\"goal-col\"><div class=\"node goal\" id=\"{}\"><span class=\"label\">0\
             </span> {}</div>{}</div><div class=\"drivers-col\">",
            escape(&area.goal.id),
            escape(&area.goal.title),
            self.measure_list(area, &area.goal.id, kommune)
        ));
        for primary in area.primary_drivers() {
            let label = Node::Driver(primary).label();
            body.push_str(&format!(
                "<section class=\"primary-block\"><div class=\"node driver primary\" id=\"{}\">\
                 <span class=\"label\">{}</span> {}</div><div class=\"secondary-list\">",
                escape(&primary.id),
                escape(label),
                escape(&primary.title)
            ));
            let direct = self.measure_list(area, &primary.id, kommune);
            if !direct.is_empty() {
                body.push_str(&format!(
                    "<div class=\"secondary-row\"><div class=\"node placeholder\">Målinger på drivkraft {}</div>{direct}\
                     </div>",
                    escape(label)
                ));
            }
            for secondary in area.secondary_drivers(&primary.id) {
                body.push_str(&format!(
                    "<div class=\"secondary-row\"><div class=\"node driver secondary\" id=\"{}\">\
                     <span class=\"label\">{}</span> {}</div>{}</div>",
                    escape(&secondary.id),
                    escape(Node::Driver(secondary).label()),
                    escape(&secondary.title),
                    self.measure_list(area, &secondary.id, kommune)
                ));
            }
            body.push_str("</div></section>");
        }
        body.push_str("</div></div>");
        self.page(driver_file(&area.id, kommune), &format!("{} – {}", area.title, kommune.name), Some(kommune), body)
    }

    /// A figure: the chart's SVG with its text as the caption, or the text
    /// alone when there is nothing to draw.
    fn figure(chart: &svg::Chart) -> String {
        match &chart.svg {
            Some(s) => format!("<figure>{s}<figcaption>{}</figcaption></figure>", escape(&chart.plain)),
            None => format!("<p class=\"note\">{}</p>", escape(&chart.plain)),
        }
    }

    /// The catalogue's words about a measure.
    fn facts(&self, measure: &Measure) -> String {
        let catalog = self.model.catalog;
        let mut facts = vec![("Uddybende", escape(&measure.description))];
        if let Some(p) = &measure.population {
            facts.push(("Population", escape(p)));
        }
        if let Some(w) = &measure.window {
            facts.push(("Tidsvindue", escape(w)));
        }
        if !measure.age_bands.is_empty() {
            facts.push(("Aldersgrupper", escape(&measure.age_bands.join(", "))));
        }
        let mut sources: Vec<String> = measure
            .data_sources
            .iter()
            .map(|id| escape(catalog.datakilde(id).map(|d| d.name.as_str()).unwrap_or(id)))
            .collect();
        if let Some(note) = &measure.data_source_note {
            sources.push(format!("<small>{}</small>", escape(note)));
        }
        facts.push(("Datakilde(r)", sources.join("<br>")));
        let direction = match &measure.direction_note {
            Some(note) => format!("{} – {}", escape(measure.direction.label_da()), escape(note)),
            None => escape(measure.direction.label_da()),
        };
        facts.push(("Retning", direction));
        facts.push(("Enhed", escape(measure.unit.label_da())));
        facts.push((
            "Fortolkning",
            measure
                .interpretation
                .as_deref()
                .map(escape)
                .unwrap_or_else(|| "<span class=\"muted\">Kataloget giver ingen fortolkningsnote.</span>".into()),
        ));
        let items: String = facts.iter().map(|(k, v)| format!("<dt>{k}</dt><dd>{v}</dd>")).collect();
        format!("<dl class=\"facts\">{items}</dl>")
    }

    /// The units a measure's run charts are drawn for: the kommuner, or the
    /// regions when there are many kommuner.
    fn run_chart_units(&self, measure: &str) -> (Vec<Unit>, Option<String>) {
        let kommuner = self.model.units(measure, UnitLevel::Kommune);
        if kommuner.is_empty() {
            // Results without kommune rows (`run --by plejeenhed`).
            let regions = self.model.units(measure, UnitLevel::Region);
            let (units, words) = if regions.is_empty() {
                (self.model.units(measure, UnitLevel::Plejeenhed), "plejeenhederne")
            } else {
                (regions, "regionerne")
            };
            return (
                units,
                Some(format!("Resultaterne har ingen kommunerækker; seriediagrammerne vises for {words}.")),
            );
        }
        if kommuner.len() <= MAX_RUN_CHART_KOMMUNER {
            return (kommuner, None);
        }
        let regions = self.model.units(measure, UnitLevel::Region);
        if regions.is_empty() {
            return (kommuner, None);
        }
        (
            regions,
            Some(format!(
                "Resultaterne dækker {}, så seriediagrammerne vises for regionerne (hovedgruppen); tabellerne nedenfor \
                 har regionerne over tid og hver kommune og gruppe i den seneste periode.",
                format::counted(kommuner.len(), "kommune", "kommuner")
            )),
        )
    }

    /// A measure's page.
    pub fn measure_page(&self, measure: &'a str) -> Page {
        let model = self.model;
        let catalog = model.catalog;
        let title = model.title(measure);
        let format = model.format(measure);
        let direction = model.direction(measure);
        let entry = catalog.measure(measure);
        let mut body = String::new();
        if let Some(area) = model.area_of(measure) {
            let node = entry.and_then(|m| area.node(&m.node));
            let crumb_kommune = model.kommuner.first().filter(|_| !self.several());
            let area_link = match crumb_kommune {
                Some(k) => format!("<a href=\"{}\">{}</a>", escape(&driver_file(&area.id, k)), escape(&area.title)),
                None => escape(&area.title),
            };
            body.push_str(&format!(
                "<p class=\"muted\">{area_link} › {}</p>",
                node.map(|n| format!("{} {}", escape(n.label()), escape(n.title()))).unwrap_or_default()
            ));
        }
        body.push_str(&format!("<h1>{}{}</h1>", escape(title), self.selected_tag(measure)));
        body.push_str(&format!(
            "<p class=\"muted\">{} · {} · værdier i {}</p>",
            escape(measure),
            escape(direction.label_da()),
            escape(if format.suffix.is_empty() { "målingens enhed" } else { &format.suffix })
        ));
        match entry {
            Some(m) => body.push_str(&self.facts(m)),
            None => body.push_str(
                "<p class=\"note\">Kataloget kender ikke denne måling; den vises uden retning og med én decimal.</p>",
            ),
        }
        match self.rules.rule_file(measure) {
            Some((path, source)) => body.push_str(&format!(
                "<details class=\"rule-source\"><summary>Reglens kildetekst ({})</summary><pre class=\"rule\"><code>{}\
                 </code></pre></details>",
                escape(&path.display().to_string()),
                escape(&source)
            )),
            None => body.push_str(&format!(
                "<p class=\"muted\">Reglens kildetekst findes ikke i {}.</p>",
                escape(&self.rules.label().display().to_string())
            )),
        }

        // Over time.
        body.push_str("<h2>Udvikling over tid</h2>");
        let (units, note) = self.run_chart_units(measure);
        let strata = model.strata(measure);
        // For many units (the regions) only the main stratum is charted.
        let charted: Vec<&str> = match (&note, model.main_stratum(measure)) {
            (Some(_), Some(main)) => vec![main],
            _ => strata.clone(),
        };
        if let Some(note) = note {
            body.push_str(&format!("<p class=\"muted\">{}</p>", escape(&note)));
        }
        body.push_str("<div class=\"charts\">");
        for unit in &units {
            for stratum in &charted {
                let series = model.series(measure, unit, stratum);
                if series.is_empty() {
                    continue;
                }
                let subtitle = format!("{} · {}", unit.name, stratum);
                let chart = svg::run_chart(&series, &format, &Caption { title, subtitle: &subtitle });
                body.push_str(&Self::figure(&chart));
            }
        }
        body.push_str("</div>");

        // Across units, in the latest period.
        let compare_level = if self.several() { UnitLevel::Kommune } else { UnitLevel::Plejeenhed };
        let words = if self.several() { "kommunerne" } else { "plejeenhederne" };
        let main = model.main_stratum(measure).unwrap_or("alle");
        let latest = model
            .rows(measure)
            .iter()
            .filter(|r| r.unit_level == compare_level && r.stratum == main)
            .map(|r| r.period.clone())
            .max();
        body.push_str(&format!("<h2>Sammenligning af {words}</h2>"));
        match latest {
            Some(period) => {
                let slice: Vec<&ResultRow> = model
                    .rows(measure)
                    .iter()
                    .copied()
                    .filter(|r| r.unit_level == compare_level && r.stratum == main && r.period == period)
                    .collect();
                let subtitle = format!("{} · {} · {}", words, format::period(&period), main);
                let caption = Caption { title, subtitle: &subtitle };
                body.push_str(&Self::figure(&svg::funnel(&slice, &format, direction, &caption)));
                let bars = svg::bars(&slice, &format, &caption);
                body.push_str(&format!(
                    "<details class=\"alternative\"><summary>Alternativ visning: rangordnede søjler med \
                     konfidensintervaller</summary>{}</details>",
                    Self::figure(&bars)
                ));
            }
            None => body.push_str(&format!("<p class=\"muted\">Ingen resultater for {words} at sammenligne.</p>")),
        }
        if strata.len() > 1 {
            for unit in model.units(measure, UnitLevel::Kommune).iter().take(MAX_RUN_CHART_KOMMUNER) {
                let rows = model.rows(measure);
                let Some(period) = rows
                    .iter()
                    .filter(|r| r.unit_code == unit.code && r.unit_level == unit.level)
                    .map(|r| r.period.clone())
                    .max()
                else {
                    continue;
                };
                let slice: Vec<&ResultRow> = strata
                    .iter()
                    .filter_map(|s| {
                        rows.iter().copied().find(|r| {
                            r.unit_level == unit.level
                                && r.unit_code == unit.code
                                && &r.stratum == s
                                && r.period == period
                        })
                    })
                    .collect();
                let subtitle = format!("{} · {} · efter gruppe", unit.name, format::period(&period));
                body.push_str(&Self::figure(&svg::bars(&slice, &format, &Caption { title, subtitle: &subtitle })));
            }
        }

        if let Some(indicator) = self.indicator_of(measure) {
            body.push_str(&format!("<h2>National sammenligning</h2>{}", self.national_table(measure, indicator)));
        }

        body.push_str(&format!("<h2>Tal</h2>{}", self.value_tables(measure, &format, &strata, &units)));
        self.page(Model::measure_page(measure), title, None, body)
    }

    /// The numbers behind the charts, strata side by side: the run charts'
    /// units over the latest periods, then every compared unit (plejeenhed,
    /// or kommune when there are several) in the latest period. Older
    /// periods of the compared units are in the workbook.
    fn value_tables(&self, measure: &str, format: &ValueFormat, strata: &[&str], trend: &[Unit]) -> String {
        let model = self.model;
        let rows = model.rows(measure);
        let cell_of: BTreeMap<(UnitLevel, &str, chrono::NaiveDate, &str), &ResultRow> = rows
            .iter()
            .map(|r| ((r.unit_level, r.unit_code.as_str(), r.period.start, r.stratum.as_str()), *r))
            .collect();
        let cells = |unit: &Unit, start: chrono::NaiveDate| -> Vec<Option<&ResultRow>> {
            strata.iter().map(|s| cell_of.get(&(unit.level, unit.code.as_str(), start, *s)).copied()).collect()
        };
        let header = |first: &str| {
            let strata: String = strata.iter().map(|s| format!("<th class=\"num\">{}</th>", escape(s))).collect();
            format!("<table class=\"data values\"><thead><tr>{first}{strata}</tr></thead><tbody>")
        };
        let mut suppressed = 0;

        let periods: BTreeSet<(chrono::NaiveDate, String)> =
            rows.iter().map(|r| (r.period.start, format::period(&r.period))).collect();
        let mut out = String::from("<h3>Over tid</h3>");
        out.push_str(&header("<th>Periode</th><th>Enhed</th>"));
        for (start, label) in periods.iter().rev().take(TABLE_PERIODS) {
            for unit in trend {
                let cells = cells(unit, *start);
                if cells.iter().any(Option::is_some) {
                    out.push_str(&format!("<tr><th>{}</th>{}", escape(label), unit_cell(unit)));
                    out.push_str(&self.value_cells(measure, &cells, format, &mut suppressed));
                }
            }
        }
        out.push_str("</tbody></table>");
        if periods.len() > TABLE_PERIODS {
            out.push_str(&format!(
                "<p class=\"muted\">De seneste {TABLE_PERIODS} af {} perioder; alle står i results.xlsx.</p>",
                periods.len()
            ));
        }

        let level = if self.several() { UnitLevel::Kommune } else { UnitLevel::Plejeenhed };
        let compared = model.units(measure, level);
        let latest = rows.iter().filter(|r| r.unit_level == level).map(|r| &r.period).max();
        if let Some(period) = latest.filter(|_| !compared.is_empty()) {
            out.push_str(&format!(
                "<h3>{} i {}</h3>",
                if self.several() { "Kommunerne" } else { "Plejeenhederne" },
                escape(&format::period(period))
            ));
            out.push_str(&header("<th>Enhed</th>"));
            for unit in &compared {
                let cells = cells(unit, period.start);
                if cells.iter().any(Option::is_some) {
                    out.push_str(&format!("<tr>{}", unit_cell(unit)));
                    out.push_str(&self.value_cells(measure, &cells, format, &mut suppressed));
                }
            }
            out.push_str("</tbody></table>");
            if periods.len() > 1 {
                out.push_str(
                    "<p class=\"muted\">Enhedernes tidligere perioder står i results.xlsx (arket \
                     «Alle resultater»).</p>",
                );
            }
        }
        out.push_str(
            "<p class=\"muted\">Hver celle: værdi, udvikling siden forrige periode, og under værdien 95 \
             %-konfidensinterval · tæller / nævner. Udvikling: <span class=\"dev-improvement\">▲ ▼</span> \
             positiv, <span class=\"dev-concern\">▲ ▼</span> negativ, <span class=\"dev-undirected\">▲ \
             ▼</span> steget eller faldet (målingen har ingen retning), <span class=\"dev-neutral\">=</span> \
             uændret (inden for ±1 %).</p>",
        );
        if suppressed > 0 {
            out.push_str(&format!(
                "<p class=\"muted\">{} er diskretioneret: værdien, intervallet, tælleren og nævneren vises ikke, når \
                 nævneren er under grænsen (normalt 20) eller tælleren under grænsen (normalt 5), eller når et andet \
                 skjult tal ellers kunne regnes ud (sekundær diskretionering).</p>",
                format::counted(suppressed, "celle", "celler")
            ));
        }
        out
    }

    /// A row's value cells, one per stratum, and the row's end.
    fn value_cells(
        &self,
        measure: &str,
        cells: &[Option<&ResultRow>],
        format: &ValueFormat,
        suppressed: &mut usize,
    ) -> String {
        let mut out = String::new();
        for cell in cells {
            match cell {
                Some(row) if row.suppressed() => {
                    *suppressed += 1;
                    out.push_str(&format!("<td>{}</td>", html::value_cell(row, format)));
                }
                Some(row) => {
                    let dev = row
                        .statistics
                        .as_ref()
                        .and_then(|st| st.development)
                        .map(|d| {
                            let m = marker::development(d, self.model.direction(measure));
                            // The words are in the legend under the table.
                            format!(" <span class=\"dev-{}\">{}</span>", m.tone.name(), m.symbol)
                        })
                        .unwrap_or_default();
                    let moved = self
                        .moved
                        .get(&super::row_key(row))
                        .map(|was| {
                            format!(
                                "<br><small class=\"moved\">ændret siden sidste kørsel (før {})</small>",
                                escape(&format.value(*was))
                            )
                        })
                        .unwrap_or_default();
                    out.push_str(&format!(
                        "<td>{}{dev}<br><small>{} · {}</small>{moved}</td>",
                        html::value_cell(row, format),
                        escape(&html::interval_text(row, format)),
                        escape(&html::counts_text(row))
                    ));
                }
                None => out.push_str("<td><small class=\"muted\">ingen række</small></td>"),
            }
        }
        out.push_str("</tr>");
        out
    }

    /// The published values of a measure's national indicator for each
    /// kommune of the report, its region and the country, with the
    /// report's traffic-light level marker, next to kvalitet's latest value.
    fn national_table(&self, measure: &str, indicator: &crate::catalog::Indicator) -> String {
        let catalog = self.model.catalog;
        let format = ValueFormat {
            decimals: u32::from(indicator.decimals),
            suffix: crate::display::format::unit_suffix(indicator.unit).to_string(),
        };
        let band = catalog.national.comparison.band();
        let country = catalog.benchmark(&indicator.id, "DK", indicator.year);
        let dk_value = country.and_then(|b| b.value);
        let mut out = format!(
            "<p>Indikator: <strong>{}</strong> ({}). Offentliggjorte værdier fra <strong>{}</strong>{}, kilde: {}. \
             Niveauet er markeret som i rapporten <em>Nationale mål for sundhedsvæsenet</em>: på niveau inden for \
             ±{} % af landsværdien, beregnet på de viste decimaler.</p>",
            escape(&indicator.title),
            escape(&indicator.id),
            escape(&indicator.period),
            if indicator.period == indicator.year.to_string() {
                String::new()
            } else {
                format!(" (dataår {})", indicator.year)
            },
            escape(&indicator.source),
            format::number(band.width() * 100.0, 0)
        );
        if let Some(note) = catalog.measure(measure).and_then(|m| m.statistics.as_ref()?.national_note.as_deref()) {
            out.push_str(&format!("<p class=\"note\"><strong>Bemærk:</strong> {}</p>", escape(note)));
        }
        out.push_str(
            "<table class=\"data national\"><thead><tr><th>Enhed</th><th class=\"num\">Offentliggjort</th>\
             <th>Niveau mod landsgennemsnittet</th><th class=\"num\">Beregnet af kvalitet (seneste periode)</th>\
             </tr></thead><tbody>",
        );
        let level_badge = |value: Option<f64>| match (value, dk_value) {
            _ if !indicator.level_marking => "<small>ingen niveaumarkering for denne indikator</small>".to_string(),
            (Some(v), Some(dk)) => markers::level(v, dk, u32::from(indicator.decimals), indicator.direction, band)
                .map(|l| badge(&marker::level(l, Some(LevelReference::National), indicator.direction)))
                .unwrap_or_else(|| "–".into()),
            _ => "–".to_string(),
        };
        let published = |b: Option<&crate::catalog::Benchmark>| match b {
            Some(b) => match (b.value, &b.missing_reason) {
                (Some(v), _) => escape(&format.value(v)),
                (None, Some(why)) => format!("<small>ingen værdi: {}</small>", escape(why)),
                (None, None) => "–".into(),
            },
            None => "<small>ikke offentliggjort</small>".into(),
        };
        let stratum = self
            .model
            .catalog
            .measure(measure)
            .and_then(|m| m.statistics.as_ref())
            .and_then(|s| s.national_stratum.clone())
            .unwrap_or_else(|| "alle".into());
        let measure_format = self.model.format(measure);
        let mut regions_done = BTreeSet::new();
        for kommune in &self.model.kommuner {
            let bench = catalog.benchmark(&indicator.id, &kommune.code, indicator.year);
            let ours = self
                .model
                .latest(measure, kommune, &stratum)
                .map(|r| {
                    format!(
                        "{} <small>({}, {})</small>",
                        html::value_cell(r, &measure_format),
                        escape(&format::period(&r.period)),
                        escape(&stratum)
                    )
                })
                .unwrap_or_else(|| "–".into());
            out.push_str(&format!(
                "<tr><td>{} <small>kommune</small></td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{ours}</td></tr>",
                escape(&kommune.name),
                published(bench),
                level_badge(bench.and_then(|b| b.value))
            ));
            if let Some(k) = catalog.kommune(&kommune.code)
                && regions_done.insert(k.region_kode.clone())
            {
                let region = catalog.benchmark(&indicator.id, &k.region_kode, indicator.year);
                let name = catalog.kommuner.region(&k.region_kode).map(|r| r.navn.clone()).unwrap_or_default();
                out.push_str(&format!(
                    "<tr><td>{} <small>region</small></td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">–</td></tr>",
                    escape(&name),
                    published(region),
                    level_badge(region.and_then(|b| b.value))
                ));
            }
        }
        out.push_str(&format!(
            "<tr><td><strong>Hele landet</strong></td><td class=\"num\">{}</td><td><small>reference</small></td>\
             <td class=\"num\">–</td></tr></tbody></table>",
            published(country)
        ));
        let yearly_only = self
            .model
            .catalog
            .measure(measure)
            .and_then(|m| m.statistics.as_ref())
            .is_some_and(|s| s.national_yearly_only);
        let ours =
            self.model.kommuner.iter().find_map(|k| self.model.latest(measure, k, &stratum)).map(|r| r.period.kind);
        let note = match ours {
            Some(kind) if yearly_only && kind != PeriodKind::Year => format!(
                "Den offentliggjorte værdi gælder et helt år, kvalitets beregning en {}; de kan ikke sammenlignes \
                 direkte. Kør <code>kvalitet run --every year</code> for en årlig værdi, som sammenlignes med \
                 landsværdien.",
                if kind == PeriodKind::Month { "måned" } else { "kvartal" }
            ),
            Some(_) => format!(
                "kvalitets beregning (gruppen {}) bygger på kommunens egne data for en nyere periode og kan afgrænse \
                 målingen anderledes end den offentliggjorte indikator; sammenlign med omtanke.",
                escape(&stratum)
            ),
            None => String::new(),
        };
        if !note.is_empty() {
            out.push_str(&format!("<p class=\"muted\">{note}</p>"));
        }
        out
    }

    /// The national comparison page: every measured measure with a national
    /// indicator.
    pub fn national_page(&self) -> Page {
        let mut body = String::from(
            "<h1>National sammenligning</h1><p class=\"lede\">Målinger, der svarer til en indikator i <em>Nationale \
             mål for sundhedsvæsenet</em>: kommunen ved siden af regionen og hele landet med de offentliggjorte \
             værdier og rapportens trafiklys for niveau.</p>",
        );
        for measure in self.national_measures() {
            let Some(indicator) = self.indicator_of(measure) else { continue };
            body.push_str(&format!(
                "<h2><a href=\"{}\">{}</a></h2>{}",
                escape(&Model::measure_page(measure)),
                escape(self.model.title(measure)),
                self.national_table(measure, indicator)
            ));
        }
        self.page(NATIONAL_FILE.into(), "National sammenligning", None, body)
    }
}
