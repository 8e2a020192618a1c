//! Column builders for the standard tables: rows are pushed as plain values
//! and turned into typed Polars frames (dates as `Date`, times as
//! `Datetime[μs]`, whole numbers as `Int32`) once a chunk is done.

use super::time::Day;
use polars::prelude::*;

/// A column being filled row by row.
pub trait ColumnBuilder: Default {
    /// The value of one row.
    type Value<'a>;
    /// Appends one value.
    fn push(&mut self, value: Self::Value<'_>);
    /// The finished column.
    fn finish(self, name: &str) -> Column;
}

/// Text, stored in one buffer.
#[derive(Default)]
pub struct Text {
    buffer: String,
    ends: Vec<usize>,
}

impl Text {
    fn values(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied()).map(|(a, b)| &self.buffer[a..b])
    }
}

impl ColumnBuilder for Text {
    type Value<'a> = &'a str;
    fn push(&mut self, value: &str) {
        self.buffer.push_str(value);
        self.ends.push(self.buffer.len());
    }
    fn finish(self, name: &str) -> Column {
        StringChunked::from_iter_values(name.into(), self.values()).into_series().into_column()
    }
}

/// Text that may be missing.
#[derive(Default)]
pub struct OptText {
    text: Text,
    present: Vec<bool>,
}

impl ColumnBuilder for OptText {
    type Value<'a> = Option<&'a str>;
    fn push(&mut self, value: Option<&str>) {
        self.text.push(value.unwrap_or(""));
        self.present.push(value.is_some());
    }
    fn finish(self, name: &str) -> Column {
        let values = self.text.values().zip(self.present.iter()).map(|(v, p)| p.then_some(v));
        StringChunked::from_iter_options(name.into(), values).into_series().into_column()
    }
}

fn cast(series: Series, dtype: &DataType) -> Column {
    series.cast(dtype).expect("numbers convert to dates and times").into_column()
}

fn datetime() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, None)
}

/// A date (days since 1970).
#[derive(Default)]
pub struct Date(Vec<Day>);

impl ColumnBuilder for Date {
    type Value<'a> = Day;
    fn push(&mut self, value: Day) {
        self.0.push(value);
    }
    fn finish(self, name: &str) -> Column {
        cast(Int32Chunked::from_vec(name.into(), self.0).into_series(), &DataType::Date)
    }
}

/// A date that may be missing.
#[derive(Default)]
pub struct OptDate(Vec<Option<Day>>);

impl ColumnBuilder for OptDate {
    type Value<'a> = Option<Day>;
    fn push(&mut self, value: Option<Day>) {
        self.0.push(value);
    }
    fn finish(self, name: &str) -> Column {
        cast(Int32Chunked::from_iter_options(name.into(), self.0.into_iter()).into_series(), &DataType::Date)
    }
}

/// A date and time (microseconds since 1970).
#[derive(Default)]
pub struct DateTime(Vec<i64>);

impl ColumnBuilder for DateTime {
    type Value<'a> = i64;
    fn push(&mut self, value: i64) {
        self.0.push(value);
    }
    fn finish(self, name: &str) -> Column {
        cast(Int64Chunked::from_vec(name.into(), self.0).into_series(), &datetime())
    }
}

/// A date and time that may be missing.
#[derive(Default)]
pub struct OptDateTime(Vec<Option<i64>>);

impl ColumnBuilder for OptDateTime {
    type Value<'a> = Option<i64>;
    fn push(&mut self, value: Option<i64>) {
        self.0.push(value);
    }
    fn finish(self, name: &str) -> Column {
        cast(Int64Chunked::from_iter_options(name.into(), self.0.into_iter()).into_series(), &datetime())
    }
}

/// A whole number.
#[derive(Default)]
pub struct Int(Vec<i32>);

impl ColumnBuilder for Int {
    type Value<'a> = i32;
    fn push(&mut self, value: i32) {
        self.0.push(value);
    }
    fn finish(self, name: &str) -> Column {
        Int32Chunked::from_vec(name.into(), self.0).into_series().into_column()
    }
}

/// A number that may be missing.
#[derive(Default)]
pub struct OptFloat(Vec<Option<f64>>);

impl ColumnBuilder for OptFloat {
    type Value<'a> = Option<f64>;
    fn push(&mut self, value: Option<f64>) {
        self.0.push(value);
    }
    fn finish(self, name: &str) -> Column {
        Float64Chunked::from_iter_options(name.into(), self.0.into_iter()).into_series().into_column()
    }
}

/// True, false or missing.
#[derive(Default)]
pub struct OptBool(Vec<Option<bool>>);

impl ColumnBuilder for OptBool {
    type Value<'a> = Option<bool>;
    fn push(&mut self, value: Option<bool>) {
        self.0.push(value);
    }
    fn finish(self, name: &str) -> Column {
        BooleanChunked::from_iter_options(name.into(), self.0.into_iter()).into_series().into_column()
    }
}

/// True or false.
#[derive(Default)]
pub struct Bool(Vec<bool>);

impl ColumnBuilder for Bool {
    type Value<'a> = bool;
    fn push(&mut self, value: bool) {
        self.0.push(value);
    }
    fn finish(self, name: &str) -> Column {
        BooleanChunked::from_slice(name.into(), &self.0).into_series().into_column()
    }
}

macro_rules! tables {
    ($( $(#[$doc:meta])* $ty:ident $table:ident { $($field:ident : $kind:ident),* $(,)? } )*) => {
        $(
            $(#[$doc])*
            #[derive(Default)]
            pub struct $ty {
                $($field: $kind,)*
                rows: usize,
            }

            impl $ty {
                /// Appends one row, columns in the schema's order.
                #[allow(clippy::too_many_arguments)]
                pub fn push(&mut self, $($field: <$kind as ColumnBuilder>::Value<'_>),*) {
                    $(self.$field.push($field);)*
                    self.rows += 1;
                }

                /// The typed frame.
                pub fn into_frame(self) -> DataFrame {
                    DataFrame::new(self.rows, vec![$(self.$field.finish(stringify!($field).trim_start_matches("r#"))),*])
                        .expect("columns of equal length")
                }
            }
        )*

        /// Rows of every standard table.
        #[derive(Default)]
        pub struct Rows {
            $(pub $table: $ty,)*
        }

        impl Rows {
            /// Every table's frame with its name, in [`TABLES`] order.
            pub fn into_frames(self) -> Vec<(&'static str, DataFrame)> {
                vec![$((stringify!($table), self.$table.into_frame())),*]
            }
        }

        /// The names of the generated tables (every table of `catalog/tables.toml`).
        pub const TABLES: &[&str] = &[$(stringify!($table)),*];
    };
}

tables! {
    /// `borgere`: one row per citizen.
    Borgere borgere {
        borger_id: Text, foedselsdato: Date, koen: Text, kommune_kode: Text, doedsdato: OptDate,
        demens_diagnose_dato: OptDate,
    }
    /// `tilknytning`: a citizen's plejeenhed and housing over time.
    Tilknytning tilknytning { borger_id: Text, plejeenhed_id: Text, bolig: Text, start: Date, slut: OptDate }
    /// `plejeenheder`: the care units.
    Plejeenheder plejeenheder { plejeenhed_id: Text, navn: Text, kommune_kode: Text, r#type: Text }
    /// `tilstande`: FSIII conditions.
    Tilstande tilstande {
        tilstand_id: Text, borger_id: Text, omraade: Text, tilstand: Text, start: Date, slut: OptDate,
    }
    /// `vurderinger`: assessments of conditions.
    Vurderinger vurderinger { tilstand_id: Text, borger_id: Text, vurderet: Date, niveau: Int }
    /// `indsatser`: granted services.
    Indsatser indsatser {
        indsats_id: Text, borger_id: Text, indsats: Text, lovgrundlag: Text, start: Date, slut: OptDate,
        team: OptText, timer_pr_uge: OptFloat,
    }
    /// `besoeg`: visits.
    Besoeg besoeg {
        besoeg_id: Text, borger_id: Text, medarbejder_id: Text, tidspunkt: DateTime, varighed_min: Int,
        skaermbesoeg: Bool, indsats_id: OptText,
    }
    /// `indlaeggelser`: hospital admissions.
    Indlaeggelser indlaeggelser {
        indlaeggelse_id: Text, borger_id: Text, indlagt: DateTime, udskrevet: OptDateTime, akut: Bool,
        forebyggelig: Bool, genindlaeggelse: Bool, faerdigbehandlingsdage: Int,
    }
    /// `triage`: triage colours and action plans.
    Triage triage { triage_id: Text, borger_id: Text, tidspunkt: DateTime, farve: Text, handleplan_tidspunkt: OptDateTime }
    /// `screeninger`: screenings and preventive talks.
    Screeninger screeninger {
        screening_id: Text, borger_id: Text, r#type: Text, dato: Date, gennemfoert: Bool, tidspunkt: OptDateTime,
    }
    /// `medicin`: drug ordinations.
    Medicin medicin { ordination_id: Text, borger_id: Text, atc: Text, start: Date, slut: OptDate, dosisdispenseret: Bool }
    /// `medicingennemgange`: medication reviews.
    Medicingennemgange medicingennemgange { borger_id: Text, dato: Date }
    /// `uth`: adverse events.
    Uth uth {
        uth_id: Text, dato: Date, plejeenhed_id: Text, borger_id: OptText, r#type: Text, alvorlighed: Text,
        laeringsforloeb: Bool,
    }
    /// `medarbejdere`: staff and their employment.
    Medarbejdere medarbejdere {
        medarbejder_id: Text, plejeenhed_id: Text, faggruppe: Text, specialuddannelse: OptText, ansat_fra: Date,
        ansat_til: OptDate,
    }
    /// `fravaer`: staff absence.
    Fravaer fravaer { medarbejder_id: Text, fra: Date, til: Date, aarsag: Text }
    /// `kurser`: courses completed.
    Kurser kurser { medarbejder_id: Text, kursus: Text, dato: Date }
    /// `genoptraening`: rehabilitation after discharge.
    Genoptraening genoptraening {
        forloeb_id: Text, borger_id: Text, udskrevet: Date, henvist: Date, opstart: OptDate, afsluttet: OptDate,
        r#type: Text, tilbudt: OptDate, afslutning: OptText,
    }
    /// `svar`: survey answers.
    Svar svar {
        undersoegelse: Text, respondent_id: Text, borger_id: OptText, plejeenhed_id: OptText, kommune_kode: Text,
        dato: Date, spoergsmaal: Text, svar: Int,
    }
    /// `registreringer`: local registrations and journal audits.
    Registreringer registreringer {
        registrering_id: Text, maal: Text, kommune_kode: Text, plejeenhed_id: OptText, borger_id: OptText, dato: Date,
        opfyldt: OptBool, vaerdi: OptFloat,
    }
    /// `magtanvendelse`: registered use of force.
    Magtanvendelse magtanvendelse { magtanvendelse_id: Text, borger_id: Text, plejeenhed_id: Text, dato: Date, r#type: Text }
    /// `beskaeftigelse`: labour-market status over time.
    Beskaeftigelse beskaeftigelse { borger_id: Text, fra: Date, til: OptDate, status: Text }
    /// `akutte_kontakter`: acute contacts to home nursing and when the citizen was seen.
    AkutteKontakter akutte_kontakter {
        kontakt_id: Text, borger_id: Text, henvendelse: DateTime, tilset: OptDateTime, anledning: Text,
    }
    /// `befolkning`: population by municipality, year, age and sex.
    Befolkning befolkning { kommune_kode: Text, aar: Int, alder: Int, koen: Text, antal: Int }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_make_typed_frames() {
        let mut rows = Triage::default();
        rows.push("T1", "B1", 3_600_000_000, "gul", None);
        rows.push("T2", "B2", 0, "roed", Some(60_000_000));
        let frame = rows.into_frame();
        assert_eq!(frame.height(), 2);
        assert_eq!(frame.column("tidspunkt").unwrap().dtype(), &datetime());
        assert_eq!(frame.column("handleplan_tidspunkt").unwrap().null_count(), 1);
        assert_eq!(frame.column("farve").unwrap().str().unwrap().get(1), Some("roed"));
    }
}
