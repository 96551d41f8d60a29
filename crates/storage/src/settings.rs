//! Council-level settings: service name, organisation, brand colour, reference
//! pattern and RAG meanings (`store.settings()`).

use std::collections::HashMap;

use assure_domain::tracker::{validate_reference_pattern, Rag, DEFAULT_REFERENCE_PATTERN};
use assure_domain::Invalid;
use serde::Serialize;

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

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub service_name: String,
    pub organisation: String,
    pub brand_colour: String,
    pub reference_pattern: String,
    pub rag_red: String,
    pub rag_amber: String,
    pub rag_green: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            service_name: "Assure".into(),
            organisation: "Sefton Council".into(),
            brand_colour: "#1d70b8".into(),
            reference_pattern: DEFAULT_REFERENCE_PATTERN.into(),
            rag_red: Rag::Red.default_meaning().into(),
            rag_amber: Rag::Amber.default_meaning().into(),
            rag_green: Rag::Green.default_meaning().into(),
        }
    }
}

impl Settings {
    pub fn rag_meaning(&self, r: Rag) -> &str {
        match r {
            Rag::Red => &self.rag_red,
            Rag::Amber => &self.rag_amber,
            Rag::Green => &self.rag_green,
        }
    }

    fn pairs(&self) -> [(&'static str, &String); 7] {
        [
            ("service_name", &self.service_name),
            ("organisation", &self.organisation),
            ("brand_colour", &self.brand_colour),
            ("reference_pattern", &self.reference_pattern),
            ("rag_red", &self.rag_red),
            ("rag_amber", &self.rag_amber),
            ("rag_green", &self.rag_green),
        ]
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        let mut v = Invalid::new();
        v.required("service_name", &self.service_name, "Enter the service name");
        v.max_len("service_name", &self.service_name, 60, "Service name");
        v.required("organisation", &self.organisation, "Enter the organisation's name");
        let c = self.brand_colour.trim();
        if !(c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())) {
            v.add("brand_colour", "Enter the brand colour as a hex colour like #1d70b8");
        }
        if let Err(e) = validate_reference_pattern(&self.reference_pattern) {
            for fe in e.errors {
                v.add(&fe.field, fe.message);
            }
        }
        for (f, val) in [("rag_red", &self.rag_red), ("rag_amber", &self.rag_amber), ("rag_green", &self.rag_green)] {
            v.required(f, val, "Say what this colour means, so the key can show it");
        }
        v.finish()
    }
}

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

    pub async fn save(&self, actor: &Actor, s: &Settings) -> Result<()> {
        s.validate()?;
        let mut tx = self.store.write().await?;
        for (k, v) in s.pairs() {
            self.store.q("DELETE FROM settings WHERE key = $1").bind(k).execute(tx.conn()).await?;
            self.store.q("INSERT INTO settings (key, value) VALUES ($1, $2)").bind(k).bind(v.trim().to_string()).execute(tx.conn()).await?;
        }
        tx.audit(actor, Event::new("settings.update", "settings", "council", "settings changed")).await?;
        tx.commit().await
    }
}
