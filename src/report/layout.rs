//! The frame every page shares: the HTML shell with its navigation and
//! footer, and the stylesheet written beside the pages (`style.css`). No
//! script, no web fonts, no network: a page opens from disk.

use crate::display::html::escape;

/// The stylesheet, written as `style.css` next to the pages.
pub const STYLESHEET: &str = r#"/* kvalitet report */
:root { --ink: #222; --muted: #666; --line: #d8d8d8; --soft: #f5f6f7; --accent: #0060a0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
header.site { background: #16324f; color: #fff; padding: .6rem 1.2rem; }
header.site .name { font-weight: 600; font-size: 1.05rem; }
header.site nav a { color: #fff; margin-right: 1rem; text-decoration: none; border-bottom: 2px solid transparent; }
header.site nav a[aria-current="page"] { border-bottom-color: #fff; }
main { padding: 1rem 1.2rem 2rem; max-width: 1500px; }
h1 { font-size: 1.5rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.02rem; margin: 1.1rem 0 .4rem; }
a { color: var(--accent); }
.lede { max-width: 60rem; }
.muted, small { color: var(--muted); }
table.data { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: .4rem 0 1rem; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: .25rem .55rem; text-align: left; vertical-align: top; }
table.data thead th { border-bottom: 2px solid #888; vertical-align: bottom; background: #fff; position: sticky; top: 0; }
table.data td.num, table.data th.num { text-align: right; white-space: nowrap; }
table.values td { text-align: right; white-space: nowrap; }
table.values tbody th { font-weight: normal; }
table.overview { width: 100%; }
table.overview td:first-child { min-width: 16rem; max-width: 30rem; }
table.overview td.national { text-align: right; }
table.data tr.group th { background: var(--soft); font-weight: 600; }
table.data tr.selected td:first-child { box-shadow: inset 4px 0 0 var(--accent); }
.tag { display: inline-block; font-size: .78rem; padding: 0 .35rem; border-radius: 3px; border: 1px solid #999; color: #444; background: #fff; white-space: nowrap; }
.tag.selected-tag { border-color: var(--accent); color: var(--accent); font-weight: 600; }
.legend { font-size: .88rem; color: var(--muted); margin: .4rem 0 .8rem; }
.dev-improvement { color: #0060a0; } .dev-concern { color: #a85400; } .dev-neutral { color: #555555; }
.dev-undirected { color: #6a3d9a; } .dev-signal { color: #d55e00; }
.legend .kv-badge { margin-right: .25rem; }
.coverage { font-size: 1.02rem; }
/* driver diagram */
.diagram { display: grid; grid-template-columns: 15rem 1fr; gap: 1rem; align-items: start; }
.diagram .goal-col { position: sticky; top: .5rem; }
.node { border: 2px solid #16324f; border-radius: 6px; padding: .45rem .6rem; background: #fff; overflow-wrap: anywhere; hyphens: auto; }
.node .label { display: inline-block; min-width: 1.6rem; font-weight: 700; color: #16324f; }
.node.goal { background: #16324f; color: #fff; font-weight: 600; }
.node.goal .label { color: #fff; }
.node.primary { background: #e8eef5; font-weight: 600; }
.node.secondary { background: #fff; }
.node.placeholder { border-style: dotted; border-color: #aaa; color: var(--muted); font-style: italic; font-weight: normal; }
.primary-block { display: grid; grid-template-columns: 14rem 1fr; gap: .6rem; padding: .6rem 0; border-top: 1px solid var(--line); }
.secondary-row { display: grid; grid-template-columns: 15rem 1fr; gap: .6rem; margin-bottom: .6rem; align-items: start; }
ul.measures { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: .45rem; }
.goal-col ul.measures { grid-template-columns: 1fr; margin-top: .6rem; }
li.measure { border: 1px solid var(--line); border-left: 5px solid #7a8a99; border-radius: 4px; padding: .35rem .5rem; background: #fff; font-size: .86rem; }
li.measure.unmeasured { border-style: dashed; border-left-width: 1px; color: var(--muted); background: repeating-linear-gradient(135deg, #fff, #fff 6px, #f6f6f6 6px, #f6f6f6 12px); }
li.measure.selected { outline: 3px solid var(--accent); outline-offset: 1px; }
li.measure .m-title { display: block; font-weight: 600; }
li.measure.unmeasured .m-title { font-weight: normal; }
li.measure .m-value { font-size: 1.15rem; font-weight: 700; font-variant-numeric: tabular-nums; }
li.measure .m-value .kv-suppressed, li.measure .m-value .kv-reason { font-size: .85rem; font-weight: normal; }
li.measure .m-period { font-size: .8rem; color: var(--muted); font-weight: normal; }
li.measure .m-markers { display: flex; flex-wrap: wrap; gap: .2rem; margin-top: .15rem; }
li.measure svg { display: block; margin: .15rem 0; }
/* measure page */
dl.facts { display: grid; grid-template-columns: 11rem 1fr; gap: .3rem 1rem; max-width: 70rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
details { margin: .6rem 0; }
details > summary { cursor: pointer; color: var(--accent); }
pre.rule { background: var(--soft); border: 1px solid var(--line); padding: .7rem; overflow-x: auto; font-size: .82rem; line-height: 1.35; }
figure { margin: .6rem 0 1rem; max-width: 660px; }
figure svg { width: 100%; height: auto; border: 1px solid var(--line); }
.charts figure { flex: 1 1 30rem; }
figcaption { font-size: .85rem; color: var(--muted); max-width: 640px; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.note { background: #fff8e6; border-left: 4px solid #e0a100; padding: .4rem .7rem; max-width: 60rem; }
footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .8rem; padding: .8rem 1.2rem; }
@media print { header.site nav, details > summary { display: none; } details { display: block; } }
"#;

/// A navigation link: target, text, whether it is the current page.
pub struct Link {
    pub href: String,
    pub text: String,
    pub current: bool,
}

/// A complete page: the shell around `body` (already HTML), with the
/// site's name and navigation and the footer (already HTML).
pub fn page(site_name: &str, title: &str, nav: &[Link], body: &str, footer: &str) -> String {
    let links: String = nav
        .iter()
        .map(|l| {
            format!(
                "<a href=\"{}\"{}>{}</a>",
                escape(&l.href),
                if l.current { " aria-current=\"page\"" } else { "" },
                escape(&l.text)
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} – {site}</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n<body>\n\
         <header class=\"site\"><div class=\"name\">{site}</div><nav>{links}</nav></header>\n\
         <main>\n{body}\n</main>\n<footer>{footer}</footer>\n</body>\n</html>\n",
        title = escape(title),
        site = escape(site_name),
    )
}
