//! Table methods: `filter`, `select`, `with_column`, `unique`, `sort`,
//! `group_by(..).agg(..)`, `union` and the joins.
//!
//! Joins say what they expect. `join` and `left_join` pair each row with at
//! most one row of the other table (many-to-one: "the visit's employee"),
//! which is what a measure nearly always means; Polars checks it while the
//! plan runs, and a violation is reported at the line of the join
//! ([`JoinCheck`]). `join_many` and `left_join_many` pair every row with
//! every match, for the rare case that means it — and can multiply rows.

use super::{Api, Expr, Grouped, Res, column_names, def, error};
use crate::data::{TableSource, TableUnavailable, polars_message};
use crate::engine::measure::{Derived, JoinCheck, Table};
use polars::prelude::{self as pl, JoinArgs, JoinType, JoinValidation, LazyFrame, SortMultipleOptions};
use rhai::{Array, Dynamic, EvalAltResult, INT, ImmutableString, NativeCallContext, Position};
use std::sync::Arc;

/// Turns a rule value selecting columns (names or expressions) into expressions.
fn selection(value: &Dynamic) -> Res<Vec<pl::Expr>> {
    let items = match value.clone().try_cast::<Array>() {
        Some(items) => items,
        None => vec![value.clone()],
    };
    items
        .iter()
        .map(|item| match item.clone().try_cast::<ImmutableString>() {
            Some(name) => Ok(pl::col(name.as_str())),
            None => item
                .clone()
                .try_cast::<Expr>()
                .map(|e| e.0)
                .ok_or_else(|| error(format!("expected a column name or expression, found {}", item.type_name()))),
        })
        .collect()
}

impl Table {
    /// A new table from `frame`, checked by resolving its schema so that a
    /// wrong column name fails here, at the rule's line.
    fn derive(&self, frame: LazyFrame, step: &str) -> Res<Table> {
        self.derive_with(frame, step, None, None, Vec::new())
    }

    /// Like [`Table::derive`], recording what stays known: a unique key,
    /// how the new table is a subset of this one, and the joins of the
    /// other tables it was made from.
    fn derive_with(
        &self,
        frame: LazyFrame,
        step: &str,
        unique_key: Option<Vec<String>>,
        derived: Option<Derived>,
        other_joins: Vec<JoinCheck>,
    ) -> Res<Table> {
        let mut frame = frame;
        frame.collect_schema().map_err(|e| error(format!("in {}.{step}: {}", self.origin, polars_message(&e))))?;
        let mut table = Table::new(frame, format!("{}.{step}", self.origin), unique_key, derived);
        table.joins = self.joins.iter().cloned().chain(other_joins).collect();
        table.sources = self.sources.clone();
        Ok(table)
    }

    /// The column names, in order.
    pub fn columns(&self) -> Vec<String> {
        self.frame.clone().collect_schema().map(|s| s.iter_names().map(|n| n.to_string()).collect()).unwrap_or_default()
    }
}

pub(super) fn check_column(table: &Table, column: &str, what: &str) -> Res<()> {
    if table.columns().iter().any(|c| c == column) {
        Ok(())
    } else {
        Err(error(format!(
            "{what}: {} has no column \"{column}\" (columns: {})",
            table.origin,
            table.columns().join(", ")
        )))
    }
}

/// Which join, as the rule wrote it.
struct JoinKind {
    how: JoinType,
    cardinality: Cardinality,
    /// The method's name, for messages.
    step: &'static str,
}

impl JoinKind {
    const JOIN: Self = Self { how: JoinType::Inner, cardinality: Cardinality::ManyToOne, step: "join" };
    const LEFT: Self = Self { how: JoinType::Left, cardinality: Cardinality::ManyToOne, step: "left_join" };
    const MANY: Self = Self { how: JoinType::Inner, cardinality: Cardinality::ManyToMany, step: "join_many" };
    const LEFT_MANY: Self = Self { how: JoinType::Left, cardinality: Cardinality::ManyToMany, step: "left_join_many" };
    const SEMI: Self = Self { how: JoinType::Semi, cardinality: Cardinality::Filtering, step: "semi_join" };
    const ANTI: Self = Self { how: JoinType::Anti, cardinality: Cardinality::Filtering, step: "anti_join" };
}

/// How a join pairs rows.
#[derive(Clone, Copy)]
enum Cardinality {
    /// At most one row of the right table per key (checked).
    ManyToOne,
    /// Every match.
    ManyToMany,
    /// Semi- and anti-joins keep or drop left rows and never multiply.
    Filtering,
}

/// Joins `right` to `left` on `on`; `keep(on)` gives what stays known of
/// `left`'s unique key and lineage.
fn join(
    context: &NativeCallContext,
    left: &Table,
    right: &Table,
    on: &Dynamic,
    kind: JoinKind,
    keep: impl FnOnce(&[String]) -> (Option<Vec<String>>, Option<Derived>),
) -> Res<Table> {
    let JoinKind { how, cardinality, step } = kind;
    let names = column_names(on)?;
    for name in &names {
        for table in [left, right] {
            if !table.columns().iter().any(|c| c == name) {
                return Err(error(format!(
                    "{step}: {} has no column \"{name}\" to join on (columns: {})",
                    table.origin,
                    table.columns().join(", ")
                )));
            }
        }
    }
    let keys: Vec<pl::Expr> = names.iter().map(|n| pl::col(n.as_str())).collect();
    let mut args = JoinArgs::new(how);
    let description = format!("{step}({}, {})", right.origin, quoted(&names));
    let mut joins = right.joins.clone();
    // A right side known to be distinct on the key needs no check.
    if matches!(cardinality, Cardinality::ManyToOne) && !right.distinct_on(&names) {
        args.validation = JoinValidation::ManyToOne;
        let position = context.call_position();
        joins.push(JoinCheck {
            line: position.line(),
            column: position.position(),
            step: description.clone(),
            right: right.frame.clone(),
            on: names.clone(),
        });
    }
    let frame = left.frame.clone().join(right.frame.clone(), keys.clone(), keys, args);
    let (unique_key, derived) = keep(&names);
    let mut table = left.derive_with(frame, &format!("{step}({})", right.origin), unique_key, derived, joins)?;
    table.sources.extend(right.sources.iter().cloned());
    Ok(table)
}

/// The rows of `t` followed by those of `other`.
fn union(t: &mut Table, other: Table) -> Res<Table> {
    let frame = pl::concat([t.frame.clone(), other.frame.clone()], pl::UnionArgs::default())
        .map_err(|e| error(format!("union: {}", polars_message(&e))))?;
    let mut table = t.derive_with(frame, &format!("union({})", other.origin), None, None, other.joins)?;
    table.sources.extend(other.sources);
    Ok(table)
}

/// `"a"` or `["a", "b"]`, as a rule writes it.
fn quoted(names: &[String]) -> String {
    match names {
        [one] => format!("\"{one}\""),
        many => format!("[{}]", many.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")),
    }
}

/// Registers `table(name)` reading from `source` into an engine: the one
/// function bound to an engine's own data.
pub fn register_table(engine: &mut rhai::Engine, source: Arc<dyn TableSource>) {
    engine.register_fn("table", move |name: ImmutableString| -> Res<Table> {
        let frame = source.table(&name).map_err(|e| match e {
            TableUnavailable::Absent { .. } => Box::new(EvalAltResult::ErrorRuntime(
                Dynamic::from(crate::engine::NotComputable(e.to_string())),
                Position::NONE,
            )),
            _ => error(e.to_string()),
        })?;
        let mut table = Table::new(frame, format!("table(\"{name}\")"), source.key(&name), None);
        table.sources.insert(name.to_string());
        Ok(table)
    });
}

pub(super) fn register(api: &mut Api) {
    def!(
        api,
        "filter",
        "table.filter(condition) -> Table",
        "The rows where the condition holds.",
        |t: &mut Table, cond: Expr| {
            let derived = Derived::Filter { parent: t.id, predicate: cond.0.clone() };
            t.derive_with(t.frame.clone().filter(cond.0), "filter(..)", t.unique_key.clone(), Some(derived), Vec::new())
        }
    );
    def!(
        api,
        "select",
        "table.select([columns]) -> Table",
        "Only these columns (names or expressions).",
        |t: &mut Table, columns: Dynamic| -> Res<Table> {
            let exprs = selection(&columns)?;
            // The key survives when its columns are selected as they are.
            let names: Vec<String> = column_names(&columns).unwrap_or_default();
            let unique_key = t.unique_key.clone().filter(|key| key.iter().all(|k| names.contains(k)));
            t.derive_with(t.frame.clone().select(exprs), "select(..)", unique_key, None, Vec::new())
        }
    );
    def!(
        api,
        "with_column",
        "table.with_column(name, expr) -> Table",
        "Adds (or replaces) a column computed from others.",
        |t: &mut Table, name: ImmutableString, e: Expr| {
            let unique_key = t.unique_key.clone().filter(|key| !key.iter().any(|k| k == name.as_str()));
            t.derive_with(
                t.frame.clone().with_column(e.0.alias(name.as_str())),
                &format!("with_column(\"{name}\", ..)"),
                unique_key,
                None,
                Vec::new(),
            )
        }
    );
    def!(api, "with_column", "table.with_column(expr.alias(name)) -> Table", "", |t: &mut Table, e: Expr| {
        t.derive(t.frame.clone().with_column(e.0), "with_column(..)")
    });
    def!(api, "drop", "table.drop([columns]) -> Table", "Without these columns.", |t: &mut Table,
                                                                                   columns: Dynamic|
     -> Res<Table> {
        let names = column_names(&columns)?;
        for name in &names {
            check_column(t, name, "drop")?;
        }
        let keep: Vec<pl::Expr> =
            t.columns().into_iter().filter(|c| !names.contains(c)).map(|c| pl::col(c.as_str())).collect();
        t.derive(t.frame.clone().select(keep), "drop(..)")
    });
    def!(api, "rename", "table.rename(old, new) -> Table", "Renames a column.", |t: &mut Table,
                                                                                 from: ImmutableString,
                                                                                 to: ImmutableString|
     -> Res<Table> {
        check_column(t, &from, "rename")?;
        t.derive(t.frame.clone().rename([from.as_str()], [to.as_str()], true), "rename(..)")
    });
    def!(
        api,
        "unique",
        "table.unique() -> Table",
        "Distinct rows; `unique([columns])`: one row per value of those columns.",
        |t: &mut Table| {
            let all = t.columns();
            t.derive_with(
                t.frame.clone().unique_generic(None, pl::UniqueKeepStrategy::Any),
                "unique()",
                Some(all),
                None,
                Vec::new(),
            )
        }
    );
    def!(api, "unique", "table.unique([columns]) -> Table", "", |t: &mut Table, columns: Dynamic| -> Res<Table> {
        let names = column_names(&columns)?;
        for name in &names {
            check_column(t, name, "unique")?;
        }
        let subset = names.iter().map(|n| pl::col(n.as_str())).collect();
        t.derive_with(
            t.frame.clone().unique_generic(Some(subset), pl::UniqueKeepStrategy::Any),
            "unique(..)",
            Some(names),
            None,
            Vec::new(),
        )
    });
    def!(
        api,
        "sort",
        "table.sort(columns) -> Table",
        "Sorted by the columns; `sort(columns, true)` descending.",
        |t: &mut Table, columns: Dynamic| -> Res<Table> {
            let names = column_names(&columns)?;
            t.derive(t.frame.clone().sort(names, SortMultipleOptions::default()), "sort(..)")
        }
    );
    def!(api, "sort", "table.sort(columns, descending) -> Table", "", |t: &mut Table,
                                                                       columns: Dynamic,
                                                                       descending: bool|
     -> Res<Table> {
        let names = column_names(&columns)?;
        let options = SortMultipleOptions::default().with_order_descending(descending);
        t.derive(t.frame.clone().sort(names, options), "sort(..)")
    });
    def!(api, "head", "table.head(n) -> Table", "The first n rows.", |t: &mut Table, n: INT| t
        .derive(t.frame.clone().limit(n.max(0) as u32 as _), "head(..)"));
    def!(api, "union", "table.union(other) -> Table", "The rows of both tables (same columns).", union);
    def!(
        api,
        "join",
        "table.join(other, on) -> Table",
        "The rows of both tables that match on the key columns `on`; `other` must hold at most one row per key (else an error at this line: use join_many).",
        |ctx: NativeCallContext, t: &mut Table, other: Table, on: Dynamic| {
            join(&ctx, t, &other, &on, JoinKind::JOIN, |_| (None, None))
        }
    );
    def!(
        api,
        "left_join",
        "table.left_join(other, on) -> Table",
        "Every row of the table, with the matching columns of `other` (empty where none); `other` must hold at most one row per key.",
        |ctx: NativeCallContext, t: &mut Table, other: Table, on: Dynamic| {
            join(&ctx, t, &other, &on, JoinKind::LEFT, |_| (None, None))
        }
    );
    def!(
        api,
        "join_many",
        "table.join_many(other, on) -> Table",
        "Like join, but pairs every row with every matching row of `other`: the result can have many more rows than either table.",
        |ctx: NativeCallContext, t: &mut Table, other: Table, on: Dynamic| {
            join(&ctx, t, &other, &on, JoinKind::MANY, |_| (None, None))
        }
    );
    def!(
        api,
        "left_join_many",
        "table.left_join_many(other, on) -> Table",
        "Like left_join, but pairs every row with every matching row of `other`.",
        |ctx: NativeCallContext, t: &mut Table, other: Table, on: Dynamic| {
            join(&ctx, t, &other, &on, JoinKind::LEFT_MANY, |_| (None, None))
        }
    );
    def!(
        api,
        "semi_join",
        "table.semi_join(other, on) -> Table",
        "The rows of the table that have a match in `other` (never more rows than the table).",
        |ctx: NativeCallContext, t: &mut Table, other: Table, on: Dynamic| {
            let (parent, unique_key, other_frame) = (t.id, t.unique_key.clone(), Box::new(other.frame.clone()));
            join(&ctx, t, &other, &on, JoinKind::SEMI, |names| {
                (unique_key, Some(Derived::Join { parent, other: other_frame, on: names.to_vec(), matched: true }))
            })
        }
    );
    def!(
        api,
        "anti_join",
        "table.anti_join(other, on) -> Table",
        "The rows of the table that have no match in `other`.",
        |ctx: NativeCallContext, t: &mut Table, other: Table, on: Dynamic| {
            let (parent, unique_key, other_frame) = (t.id, t.unique_key.clone(), Box::new(other.frame.clone()));
            join(&ctx, t, &other, &on, JoinKind::ANTI, |names| {
                (unique_key, Some(Derived::Join { parent, other: other_frame, on: names.to_vec(), matched: false }))
            })
        }
    );
    def!(
        api,
        "group_by",
        "table.group_by([columns]).agg([aggregations]) -> Table",
        "One row per value of the columns, with aggregations such as `col(\"x\").n_unique().alias(\"n\")`.",
        |t: &mut Table, columns: Dynamic| -> Res<Grouped> {
            let by = column_names(&columns)?;
            for name in &by {
                check_column(t, name, "group_by")?;
            }
            Ok(Grouped { table: t.clone(), by })
        }
    );
    def!(
        api,
        "agg",
        "grouped.agg([aggregations]) -> Table",
        "The aggregations of each group.",
        |g: &mut Grouped, aggregations: Array| -> Res<Table> {
            let mut exprs = Vec::new();
            for item in aggregations {
                let e = item.clone().try_cast::<Expr>().ok_or_else(|| {
                    error(format!("agg([..]) takes expressions such as col(\"x\").count(), found {}", item.type_name()))
                })?;
                exprs.push(e.0);
            }
            let keys: Vec<pl::Expr> = g.by.iter().map(|n| pl::col(n.as_str())).collect();
            let frame = g.table.frame.clone().group_by(keys).agg(exprs);
            g.table.derive_with(frame, &format!("group_by({:?}).agg(..)", g.by), Some(g.by.clone()), None, Vec::new())
        }
    );
    def!(api, "columns", "table.columns() -> [text]", "The table's column names.", |t: &mut Table| -> Array {
        t.columns().into_iter().map(Dynamic::from).collect()
    });
}
