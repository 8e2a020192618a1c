//! Units and strata: which kommune, plejeenhed and region a row belongs to,
//! and the citizen attributes strata filter on, all as of the period end.
//!
//! A row gets its attributes from its own columns where it has them
//! (`kommune_kode`, `plejeenhed_id`, `alder` or `foedselsdato`,
//! `demens_diagnose_dato`: rows of `borgere` itself), otherwise through `borger_id`
//! from the citizen tables: `borgere` (age, kommune, dementia diagnosis)
//! and `tilknytning` (plejeenhed and bolig over time). Regions come from the
//! catalogue's list of municipalities.

use crate::catalog::Kommuner;
use crate::data::{DataSource, LoadedTable};
use crate::engine::Stratum;
use crate::engine::api::date_lit;
use crate::results::UnitLevel;
use crate::results::statistics::Parents;
use chrono::NaiveDate;
use polars::prelude::*;
use std::sync::Arc;

/// The attribute columns added to measured rows.
pub mod attr {
    pub const KOMMUNE: &str = "__kommune";
    pub const PLEJEENHED: &str = "__plejeenhed";
    pub const REGION: &str = "__region";
    pub const ALDER: &str = "__alder";
    pub const BOLIG: &str = "__bolig";
    pub const DEMENS: &str = "__demens";
}

/// The attribute column holding a row's unit code at `level`.
pub fn level_column(level: UnitLevel) -> &'static str {
    match level {
        UnitLevel::Kommune => attr::KOMMUNE,
        UnitLevel::Plejeenhed => attr::PLEJEENHED,
        UnitLevel::Region => attr::REGION,
    }
}

/// The condition a stratum puts on attributed rows whose age is a number
/// of years (see [`Attributed::stratum_filter`]).
fn stratum_filter(stratum: &Stratum) -> Expr {
    match stratum {
        Stratum::All => lit(true),
        Stratum::AgeAtLeast(age) => col(attr::ALDER).gt_eq(lit(*age as i32)),
        Stratum::Bolig(bolig) => col(attr::BOLIG).eq(lit(bolig.as_str())),
        Stratum::Demens => col(attr::DEMENS).eq(lit(true)),
    }
}

/// The attribute column a stratum needs, if any.
pub fn stratum_needs(stratum: &Stratum) -> Option<&'static str> {
    match stratum {
        Stratum::All => None,
        Stratum::AgeAtLeast(_) => Some(attr::ALDER),
        Stratum::Bolig(_) => Some(attr::BOLIG),
        Stratum::Demens => Some(attr::DEMENS),
    }
}

/// Whether a citizen has a dementia diagnosis dated `end` or earlier.
fn demens_on(end: NaiveDate) -> Expr {
    col("demens_diagnose_dato").lt_eq(date_lit(end)).fill_null(lit(false))
}

/// The dimension tables attributes come from.
#[derive(Clone)]
pub struct Dimensions {
    /// Where `borgere`, `tilknytning` and `plejeenheder` are asked for, at
    /// each plan: held in memory, or scanned once released.
    data: Arc<DataSource>,
    regions: LazyFrame,
    names: LazyFrame,
}

/// The citizen attributes of one day, in two parts joined one after the
/// other to the measured rows.
struct Citizens {
    /// `borger_id` and the attributes from `borgere` (with `__alive` when
    /// there is a placement), unless only the placement is needed.
    borgere: Option<LazyFrame>,
    /// The latest tilknytning per citizen (`borger_id`, `__p`, `__b`,
    /// `__s`) and the expressions that make the placement attributes of it.
    placement: Option<(LazyFrame, Vec<Expr>)>,
    /// The attribute columns the two parts add.
    names: Vec<String>,
}

/// A frame with attribute columns, and which attributes it has.
pub struct Attributed {
    pub frame: LazyFrame,
    pub columns: Vec<String>,
    /// The day the attributes hold on.
    end: NaiveDate,
    /// Whether [`attr::ALDER`] holds the birth date rather than years: an
    /// age stratum then compares birth dates with one cut-off day, instead
    /// of working out every row's age (date parts of millions of rows in
    /// every period were a sixth of a national run).
    age_as_birth_date: bool,
}

impl Attributed {
    /// The condition `stratum` puts on the rows.
    pub fn stratum_filter(&self, stratum: &Stratum) -> Expr {
        match stratum {
            // At least `age` years old on `end` ⟺ born on or before the
            // day `age` years earlier (29 February then counts from 28
            // February, as `age_at` in the rules has it).
            Stratum::AgeAtLeast(age) if self.age_as_birth_date => {
                match self.end.checked_sub_months(chrono::Months::new(12 * *age)) {
                    Some(cut_off) => col(attr::ALDER).lt_eq(date_lit(cut_off)),
                    None => lit(false),
                }
            }
            other => stratum_filter(other),
        }
    }

    /// Whether the attribute column is present.
    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }
}

fn string_frame(columns: Vec<(&str, Vec<String>)>) -> LazyFrame {
    let columns: Vec<Column> = columns.into_iter().map(|(name, values)| Column::new(name.into(), values)).collect();
    DataFrame::new_infer_height(columns).expect("columns of equal length").lazy()
}

impl Dimensions {
    /// Dimensions from the data's citizen tables and the catalogue's
    /// municipalities.
    pub fn new(data: Arc<DataSource>, kommuner: &Kommuner) -> Self {
        let regions = string_frame(vec![
            ("__k", kommuner.kommuner.iter().map(|k| k.kode.clone()).collect()),
            (attr::REGION, kommuner.kommuner.iter().map(|k| k.region_kode.clone()).collect()),
        ]);
        let mut levels = Vec::new();
        let mut codes = Vec::new();
        let mut names = Vec::new();
        for k in &kommuner.kommuner {
            levels.push("kommune".to_string());
            codes.push(k.kode.clone());
            names.push(k.navn.clone());
        }
        for r in &kommuner.regioner {
            levels.push("region".to_string());
            codes.push(r.kode.clone());
            names.push(r.navn.clone());
        }
        let mut names = string_frame(vec![("unit_level", levels), ("unit_code", codes), ("unit_name", names)]);
        if let Some(units) = data.get("plejeenheder").map(LoadedTable::frame) {
            let units = units.select([
                lit("plejeenhed").alias("unit_level"),
                col("plejeenhed_id").alias("unit_code"),
                col("navn").alias("unit_name"),
            ]);
            names = concat([names, units], UnionArgs::default()).expect("same columns");
        }
        Self { data, regions, names }
    }

    fn table(&self, name: &str) -> Option<LazyFrame> {
        self.data.get(name).map(LoadedTable::frame)
    }

    /// Each unit's parent: plejeenhed → kommune, kommune → region.
    pub fn parents(&self, kommuner: &Kommuner) -> PolarsResult<Parents> {
        let mut parents = Parents::new();
        for k in &kommuner.kommuner {
            parents.insert(UnitLevel::Kommune, k.kode.as_str(), (UnitLevel::Region, k.region_kode.clone()));
        }
        if let Some(units) = self.table("plejeenheder") {
            let units = units.select([col("plejeenhed_id"), col("kommune_kode")]).collect()?;
            let (ids, kommune) =
                (units.column("plejeenhed_id")?.str()?.clone(), units.column("kommune_kode")?.str()?.clone());
            for i in 0..units.height() {
                if let (Some(id), Some(k)) = (ids.get(i), kommune.get(i)) {
                    parents.insert(UnitLevel::Plejeenhed, id, (UnitLevel::Kommune, k.to_string()));
                }
            }
        }
        Ok(parents)
    }

    /// Unit names: `unit_level, unit_code, unit_name`.
    pub fn names(&self) -> LazyFrame {
        self.names.clone()
    }

    /// Each citizen's attributes as of `end` — only those in `needs`: age,
    /// kommune, dementia, and the plejeenhed and bolig of the latest
    /// `tilknytning` started by then (ended ones count only for citizens who
    /// died while attached).
    fn citizens(&self, end: NaiveDate, needs: &[&str]) -> Option<Citizens> {
        let borgere = self.table("borgere")?;
        let need = |c: &str| needs.contains(&c);
        let mut columns = vec![col("borger_id")];
        let mut names = Vec::new();
        for (attribute, value) in
            [(attr::KOMMUNE, col("kommune_kode")), (attr::ALDER, col("foedselsdato")), (attr::DEMENS, demens_on(end))]
        {
            if need(attribute) {
                columns.push(value.alias(attribute));
                names.push(attribute.to_string());
            }
        }
        let placed = need(attr::PLEJEENHED) || need(attr::BOLIG);
        let Some(tilknytning) = self.table("tilknytning").filter(|_| placed) else {
            return Some(Citizens { borgere: Some(borgere.select(columns)), placement: None, names });
        };
        let alive = col("doedsdato").is_null().or(col("doedsdato").gt(date_lit(end))).alias("__alive");
        // The latest start per citizen, joined back on the table's key
        // (borger_id + start): two hash passes instead of a sort per citizen.
        let started = tilknytning.filter(col("start").lt_eq(date_lit(end)));
        let on = [col("borger_id"), col("start")];
        let latest = started
            .clone()
            .group_by([col("borger_id")])
            .agg([col("start").max()])
            .join(started, on.clone(), on, JoinArgs::new(JoinType::Inner))
            .select([
                col("borger_id"),
                col("plejeenhed_id").alias("__p"),
                col("bolig").alias("__b"),
                col("slut").alias("__s"),
            ]);
        // Whether the citizen lives comes with the other attributes from
        // `borgere`. When the placement is all that is needed, the citizens
        // dead by `end` (a few percent) are marked on the placements
        // instead, so that a rate's population (rows of `borgere`,
        // nationally 6 million) is not joined to `borgere` again; a citizen
        // `borgere` does not know counts as alive.
        let (borgere, latest) = if columns.len() > 1 {
            columns.push(alive);
            (Some(borgere.select(columns)), latest)
        } else {
            let on = || [col("borger_id")];
            let dead = borgere
                .filter(col("doedsdato").lt_eq(date_lit(end)))
                .select([col("borger_id"), lit(false).alias("__alive")]);
            let marked = latest
                .join(dead, on(), on(), JoinArgs::new(JoinType::Left))
                .with_column(col("__alive").fill_null(lit(true)));
            (None, marked)
        };
        let ended = col("__s").is_not_null().and(col("__s").lt(date_lit(end))).and(col("__alive"));
        let mut placement = Vec::new();
        if need(attr::PLEJEENHED) {
            placement.push(
                when(ended.clone())
                    .then(lit(Null {}).cast(DataType::String))
                    .otherwise(col("__p"))
                    .alias(attr::PLEJEENHED),
            );
            names.push(attr::PLEJEENHED.to_string());
        }
        if need(attr::BOLIG) {
            placement.push(
                when(ended.or(col("__b").is_null())).then(lit("eget_hjem")).otherwise(col("__b")).alias(attr::BOLIG),
            );
            names.push(attr::BOLIG.to_string());
        }
        Some(Citizens { borgere, placement: Some((latest, placement)), names })
    }

    /// Adds the attribute columns in `needs` (of [`attr`]) to `frame` as of
    /// `end`, as far as the data allows; [`Attributed::columns`] says which.
    /// Every row is kept, also one whose citizen is unknown (for listing
    /// members).
    pub fn attach(&self, frame: LazyFrame, end: NaiveDate, needs: &[&str]) -> PolarsResult<Attributed> {
        self.attach_rows(frame, end, needs, JoinType::Left)
    }

    /// [`Self::attach`] for counting: when every attribute comes from the
    /// citizen, a row whose citizen is unknown belongs to no unit and is
    /// left out here already (an inner join, which Polars builds on the
    /// smaller side — usually the measured rows, not the citizens).
    pub fn attach_for_counting(&self, frame: LazyFrame, end: NaiveDate, needs: &[&str]) -> PolarsResult<Attributed> {
        self.attach_rows(frame, end, needs, JoinType::Inner)
    }

    fn attach_rows(
        &self,
        frame: LazyFrame,
        end: NaiveDate,
        needs: &[&str],
        unknown_citizens: JoinType,
    ) -> PolarsResult<Attributed> {
        let mut frame = frame;
        let own: Vec<String> = frame.collect_schema()?.iter_names().map(|n| n.to_string()).collect();
        let has = |c: &str| own.iter().any(|o| o == c);
        // The region comes from the kommune.
        let mut needs: Vec<&str> = needs.to_vec();
        if needs.contains(&attr::REGION) && !needs.contains(&attr::KOMMUNE) {
            needs.push(attr::KOMMUNE);
        }
        let need = |c: &str| needs.contains(&c);
        // The row's own columns win over the citizen's; a row's own
        // plejeenhed places it in that unit's kommune.
        let kommune_from_unit = !has("kommune_kode") && has("plejeenhed_id") && self.data.get("plejeenheder").is_some();
        let from_citizen: Vec<&str> = needs
            .iter()
            .copied()
            .filter(|a| match *a {
                attr::KOMMUNE => !has("kommune_kode") && !kommune_from_unit,
                attr::PLEJEENHED => !has("plejeenhed_id"),
                attr::ALDER => !has("alder") && !has("foedselsdato"),
                attr::DEMENS => !has("demens_diagnose_dato"),
                attr::REGION => false,
                _ => true,
            })
            .collect();
        // Only when nothing comes from the row's own columns can a row
        // without a citizen be left out.
        let all_from_citizen = needs.iter().all(|a| *a == attr::REGION || from_citizen.contains(a));
        let join = if all_from_citizen { unknown_citizens } else { JoinType::Left };
        let mut attributes: Vec<String> = Vec::new();
        if has("borger_id")
            && !from_citizen.is_empty()
            && let Some(citizens) = self.citizens(end, &from_citizen)
        {
            let on = || [col("borger_id")];
            if let Some(borgere) = citizens.borgere {
                frame = frame.join(borgere, on(), on(), JoinArgs::new(join));
            }
            // The placement is joined to the measured rows, not to every
            // citizen: nationally 6 million citizens, of whom a tenth
            // have a tilknytning.
            if let Some((latest, placement)) = citizens.placement {
                frame = frame
                    .join(latest, on(), on(), JoinArgs::new(JoinType::Left))
                    .with_columns(placement)
                    .drop(cols(["__p", "__b", "__s", "__alive"]));
            }
            attributes.extend(citizens.names);
        }
        if need(attr::KOMMUNE) && has("kommune_kode") {
            frame = frame.with_column(col("kommune_kode").cast(DataType::String).alias(attr::KOMMUNE));
            attributes.push(attr::KOMMUNE.into());
        }
        if (need(attr::PLEJEENHED) || kommune_from_unit && need(attr::KOMMUNE)) && has("plejeenhed_id") {
            frame = frame.with_column(col("plejeenhed_id").cast(DataType::String).alias(attr::PLEJEENHED));
            attributes.push(attr::PLEJEENHED.into());
        }
        if kommune_from_unit
            && need(attr::KOMMUNE)
            && let Some(units) = self.table("plejeenheder")
        {
            let units = units.select([col("plejeenhed_id").alias("__pe"), col("kommune_kode").alias(attr::KOMMUNE)]);
            frame = frame.join(units, [col(attr::PLEJEENHED)], [col("__pe")], JoinArgs::new(JoinType::Left));
            attributes.push(attr::KOMMUNE.into());
        }
        if need(attr::ALDER) && has("alder") {
            frame = frame.with_column(col("alder").cast(DataType::Int32).alias(attr::ALDER));
            attributes.push(attr::ALDER.into());
        } else if need(attr::ALDER) && has("foedselsdato") {
            // Rows of borgere itself (a rate's population) need no join.
            frame = frame.with_column(col("foedselsdato").alias(attr::ALDER));
            attributes.push(attr::ALDER.into());
        }
        if need(attr::DEMENS) && has("demens_diagnose_dato") {
            frame = frame.with_column(demens_on(end).alias(attr::DEMENS));
            attributes.push(attr::DEMENS.into());
        }
        if need(attr::REGION) && attributes.iter().any(|a| a == attr::KOMMUNE) {
            frame = frame.join(self.regions.clone(), [col(attr::KOMMUNE)], [col("__k")], JoinArgs::new(JoinType::Left));
            attributes.push(attr::REGION.into());
        }
        attributes.sort();
        attributes.dedup();
        Ok(Attributed { frame, columns: attributes, end, age_as_birth_date: !has("alder") })
    }
}
