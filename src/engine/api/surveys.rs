//! `survey(measure_id)`: a survey measure's mapping from the catalogue —
//! its questions, the answers that count and the valid answers — so that
//! one helper (`lib/svar.rhai`) computes every survey measure. Each engine
//! binds it to its own catalogue, as it binds `table` to its data.

use super::{Res, error};
use crate::catalog::Catalog;
use rhai::{Array, Dynamic, ImmutableString, Map};
use std::sync::Arc;

/// Registers `survey(measure_id)` over `catalog`.
pub fn register_surveys(engine: &mut rhai::Engine, catalog: Arc<Catalog>) {
    engine.register_fn("survey", move |id: ImmutableString| -> Res<Map> {
        let measure = catalog.measure(&id).ok_or_else(|| error(format!("no measure \"{id}\" in the catalogue")))?;
        let mapping = measure.survey.as_ref().ok_or_else(|| {
            error(format!(
                "measure \"{id}\" has no survey mapping in the catalogue; add survey = {{ questions = [...], counted \
                 = [...] }} to its entry"
            ))
        })?;
        let scale = mapping.questions.first().and_then(|q| catalog.surveys.scale_of(q));
        let codes = |codes: &[i64]| -> Array { codes.iter().map(|c| Dynamic::from_int(*c)).collect() };
        let mut map = Map::new();
        let questions: Array = mapping.questions.iter().map(|q| Dynamic::from(q.clone())).collect();
        map.insert("questions".into(), questions.into());
        map.insert("counted".into(), codes(&mapping.counted).into());
        map.insert("valid".into(), codes(&scale.map(|s| s.valid_codes()).unwrap_or_default()).into());
        map.insert("mean".into(), mapping.mean.into());
        map.insert("months".into(), Dynamic::from_int(i64::from(mapping.months)));
        Ok(map)
    });
}
