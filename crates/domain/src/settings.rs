//! The council's settings: the service's name, the organisation, the brand colour, the
//! recommendation reference pattern and what each RAG colour means.

use serde::Serialize;

use crate::tracker::{validate_reference_pattern, Rag, DEFAULT_REFERENCE_PATTERN};
use crate::validation::{Checked, Invalid};

/// The settings, as stored and as typed on the settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    pub const FIELDS: &'static [&'static str] =
        &["service_name", "organisation", "brand_colour", "reference_pattern", "rag_red", "rag_amber", "rag_green"];

    pub fn rag_meaning(&self, r: Rag) -> &str {
        match r {
            Rag::Red => &self.rag_red,
            Rag::Amber => &self.rag_amber,
            Rag::Green => &self.rag_green,
        }
    }

    /// Each setting under its key, in [`Settings::FIELDS`] order.
    pub fn pairs(&self) -> [(&'static str, &str); 7] {
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
}

/// The service has a name (at most 60 characters) and an organisation; the brand
/// colour is a hex colour; the reference pattern is one Assure can fill in; each RAG
/// colour says what it means. The checked settings are trimmed, the colour in lower
/// case.
pub fn check_settings(s: &Settings) -> Result<Checked<Settings>, Invalid> {
    let mut v = Invalid::new();
    let service_name = v.required("service_name", &s.service_name, "Enter the service name");
    v.max_len("service_name", &service_name, 60, "Service name");
    let organisation = v.required("organisation", &s.organisation, "Enter the organisation's name");
    let brand_colour = s.brand_colour.trim().to_lowercase();
    if !(brand_colour.len() == 7 && brand_colour.starts_with('#') && brand_colour[1..].chars().all(|ch| ch.is_ascii_hexdigit())) {
        v.add("brand_colour", "Enter the brand colour as a hex colour like #1d70b8");
    }
    let reference_pattern = s.reference_pattern.trim().to_string();
    if let Err(e) = validate_reference_pattern(&reference_pattern) {
        v.absorb(e);
    }
    let meaning = "Say what this colour means, so the key can show it";
    let rag_red = v.required("rag_red", &s.rag_red, meaning);
    let rag_amber = v.required("rag_amber", &s.rag_amber, meaning);
    let rag_green = v.required("rag_green", &s.rag_green, meaning);
    v.finish()?;
    Ok(Checked::new(Settings { service_name, organisation, brand_colour, reference_pattern, rag_red, rag_amber, rag_green }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_need_every_value_all_at_once() {
        let blank = Settings {
            service_name: " ".into(),
            organisation: String::new(),
            brand_colour: "blue".into(),
            reference_pattern: "SR {year}".into(),
            rag_red: String::new(),
            rag_amber: " ".into(),
            rag_green: String::new(),
        };
        let e = check_settings(&blank).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, Settings::FIELDS);
        assert_eq!(e.for_field("service_name"), Some("Enter the service name"));
        assert_eq!(e.for_field("organisation"), Some("Enter the organisation's name"));
        assert_eq!(e.for_field("brand_colour"), Some("Enter the brand colour as a hex colour like #1d70b8"));
        assert_eq!(e.for_field("reference_pattern"), Some("The pattern must include the recommendation number as {n} or {nn}"));
        assert_eq!(e.for_field("rag_amber"), Some("Say what this colour means, so the key can show it"));
        let e = check_settings(&Settings { service_name: "s".repeat(61), ..Settings::default() }).unwrap_err();
        assert_eq!(e.for_field("service_name"), Some("Service name must be 60 characters or fewer"));
    }

    #[test]
    fn checked_settings_are_trimmed_with_the_colour_in_lower_case() {
        let ok = check_settings(&Settings { service_name: " Assure ".into(), brand_colour: " #1D70B8 ".into(), ..Settings::default() }).unwrap();
        assert_eq!((ok.service_name.as_str(), ok.brand_colour.as_str()), ("Assure", "#1d70b8"));
    }
}
