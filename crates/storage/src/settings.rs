//! Council-level settings: service name, organisation, brand colour, reference
//! pattern and RAG meanings (`store.settings()`).

use std::collections::HashMap;

use assure_domain::Checked;

use crate::audit::Event;
use crate::{Actor, Result, RowExt, Store};

/// The council's settings as stored.
#[derive(Clone, Copy)]
pub struct CouncilSettings<'s> {
    store: &'s Store,
}

impl Store {
    pub fn settings(&self) -> CouncilSettings<'_> {
        CouncilSettings { store: self }
    }
}

/// The settings as stored are the domain's (which checks them).
pub use assure_domain::settings::Settings;

impl CouncilSettings<'_> {
    pub async fn load(&self) -> Result<Settings> {
        let rows = self.store.q("SELECT key, value FROM settings").fetch_all(self.store.pool()).await?;
        let mut map: HashMap<String, String> = HashMap::new();
        for r in rows {
            map.insert(r.s("key")?, r.s("value")?);
        }
        let mut s = Settings::default();
        let take = |k: &str, slot: &mut String| {
            if let Some(v) = map.get(k) {
                *slot = v.clone();
            }
        };
        take("service_name", &mut s.service_name);
        take("organisation", &mut s.organisation);
        take("brand_colour", &mut s.brand_colour);
        take("reference_pattern", &mut s.reference_pattern);
        take("rag_red", &mut s.rag_red);
        take("rag_amber", &mut s.rag_amber);
        take("rag_green", &mut s.rag_green);
        Ok(s)
    }

    /// Save the settings as [`check_settings`](assure_domain::settings::check_settings) passed them.
    pub async fn save(&self, actor: &Actor, s: &Checked<Settings>) -> Result<()> {
        let mut tx = self.store.write().await?;
        for (k, v) in s.pairs() {
            self.store.q("DELETE FROM settings WHERE key = $1").bind(k).execute(tx.conn()).await?;
            self.store.q("INSERT INTO settings (key, value) VALUES ($1, $2)").bind(k).bind(v.to_string()).execute(tx.conn()).await?;
        }
        tx.audit(actor, Event::new("settings.update", "settings", "council", "settings changed")).await?;
        tx.commit().await
    }
}
