//! Updating recommendations in place: what an imported row would change in the
//! recommendation already holding its reference, field by field (old value → new
//! value), and the actions and updates it would add.
//!
//! Rules: only the columns the file maps are compared; a blank cell changes nothing
//! (an update never empties a field the register holds); the number and reference stay
//! as they are (the row is matched by its reference); an action is added when no action
//! of the recommendation has the same wording; an update is added when none has the
//! same date and wording (an undated one: the same wording).

use serde::{Deserialize, Serialize};

use super::mapping::ImportField;
use super::{format_date_cell, format_lead, ImportedAction, ImportedUpdate, RegisterEntry};

/// One field an update in place would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: ImportField,
    /// As the register holds it now ("" when empty).
    pub old: String,
    /// As the file gives it.
    pub new: String,
}

/// Everything an update in place would do to one recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EntryChanges {
    pub fields: Vec<FieldChange>,
    pub actions_added: Vec<ImportedAction>,
    pub updates_added: Vec<ImportedUpdate>,
}

impl EntryChanges {
    /// Whether the file would change nothing.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.actions_added.is_empty() && self.updates_added.is_empty()
    }

    /// The names of what changes, for an audit line: "Status, RAG, 1 action and 2 updates added".
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self.fields.iter().map(|c| c.field.label().to_string()).collect();
        let n = self.actions_added.len();
        if n > 0 {
            parts.push(format!("{n} action{} added", if n == 1 { "" } else { "s" }));
        }
        let n = self.updates_added.len();
        if n > 0 {
            parts.push(format!("{n} update{} added", if n == 1 { "" } else { "s" }));
        }
        if parts.is_empty() {
            "nothing changed".into()
        } else {
            crate::text::join_and(&parts)
        }
    }
}

/// How a field is shown in a change: the lead officers one per line, dates in full.
pub fn field_text(e: &RegisterEntry, f: ImportField) -> String {
    match f {
        ImportField::Recommendation => e.committee_wording.clone(),
        ImportField::ExecutiveWording => e.executive_wording.clone(),
        ImportField::WhoMustAct => e.who_must_act.clone(),
        ImportField::Area => e.area.clone(),
        ImportField::Outcome => e.outcome.clone(),
        ImportField::Origin => e.origin.clone(),
        ImportField::LeadOfficer => e.leads.iter().map(format_lead).collect::<Vec<_>>().join("\n"),
        ImportField::Response => e.response.map(|r| r.label().to_string()).unwrap_or_default(),
        ImportField::Status => e.lifecycle.map(|l| l.label().to_string()).unwrap_or_default(),
        ImportField::Rag => e.rag.map(|r| r.label().to_string()).unwrap_or_default(),
        ImportField::DecisionDate => e.executive_decision_date.map(crate::dates::long).unwrap_or_default(),
        _ => String::new(),
    }
}

/// The fields an update in place compares, in the order a preview lists them.
const COMPARED: [ImportField; 11] = [
    ImportField::Recommendation,
    ImportField::ExecutiveWording,
    ImportField::WhoMustAct,
    ImportField::Area,
    ImportField::LeadOfficer,
    ImportField::Outcome,
    ImportField::Response,
    ImportField::Status,
    ImportField::Rag,
    ImportField::Origin,
    ImportField::DecisionDate,
];

fn same_words(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    norm(a) == norm(b)
}

/// What importing `incoming` over `existing` would change, reading only the columns in
/// `mapped`.
pub fn entry_changes(existing: &RegisterEntry, incoming: &RegisterEntry, mapped: &[ImportField]) -> EntryChanges {
    let mut out = EntryChanges::default();
    for f in COMPARED {
        if !mapped.contains(&f) {
            continue;
        }
        let new = field_text(incoming, f);
        if new.trim().is_empty() {
            continue;
        }
        let old = field_text(existing, f);
        if old != new {
            out.fields.push(FieldChange { field: f, old, new });
        }
    }
    for a in &incoming.actions {
        if a.text.trim().is_empty() && format_date_cell(a).is_empty() {
            continue;
        }
        let known = existing.actions.iter().chain(out.actions_added.iter()).any(|x| same_words(&x.text, &a.text));
        if !known {
            out.actions_added.push(a.clone());
        }
    }
    for u in &incoming.updates {
        let known = existing
            .updates
            .iter()
            .chain(out.updates_added.iter())
            .any(|x| same_words(&x.narrative, &u.narrative) && (u.date.is_none() || x.date.is_none() || x.date == u.date));
        if !known {
            out.updates_added.push(u.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::*;
    use crate::import::{ImportedLead, ImportedUpdate};
    use crate::tracker::{Lifecycle, Rag};

    #[test]
    fn changes_are_field_by_field_and_a_blank_cell_changes_nothing() {
        let mut old = RegisterEntry::new(1, "That taxi drivers are trained");
        old.reference = "SR 01".into();
        old.rag = Some(Rag::Red);
        old.lifecycle = Some(Lifecycle::InProgress);
        old.area = "Licensing".into();
        old.updates = vec![ImportedUpdate { date: Some(d(2017, 12, 7)), narrative: "Letters sent".into() }];
        let mut new = old.clone();
        new.rag = Some(Rag::Green);
        new.lifecycle = Some(Lifecycle::CompleteAwaitingSignOff);
        new.area = String::new();
        new.leads = vec![ImportedLead { name: "Steph Cordon".into(), job_title: "Head of Service".into() }];
        new.updates.push(ImportedUpdate { date: Some(d(2018, 1, 9)), narrative: "Courses run".into() });
        let all = ImportField::ALL.to_vec();
        let c = entry_changes(&old, &new, &all);
        let fields: Vec<(ImportField, &str, &str)> = c.fields.iter().map(|f| (f.field, f.old.as_str(), f.new.as_str())).collect();
        assert_eq!(
            fields,
            vec![
                (ImportField::LeadOfficer, "", "Steph Cordon, Head of Service"),
                (ImportField::Status, "In progress", "Complete, awaiting sign-off"),
                (ImportField::Rag, "Red", "Green"),
            ]
        );
        assert_eq!(c.updates_added, vec![ImportedUpdate { date: Some(d(2018, 1, 9)), narrative: "Courses run".into() }]);
        assert_eq!(c.summary(), "Lead officer, Status, RAG and 1 update added");
        // A column the file does not map is never compared.
        let c = entry_changes(&old, &new, &[ImportField::Recommendation, ImportField::Rag]);
        assert_eq!(c.fields.len(), 1);
        assert!(entry_changes(&old, &old, &all).is_empty());
    }
}
