//! Subject access (UK GDPR article 15): everything held about one child, every record
//! and every section, for the information governance officer to review and send.
//!
//! Storage finds the records from the schema itself — every table with a foreign key to
//! `children(id)`, then every table that hangs off those, and the record a link table
//! links to — so a table added later cannot be missed. This module names each kind of
//! record for the people reading the export, says which part of the child's record it
//! belongs to, and decides which records are police-only material (the Prosecute,
//! Perpetrators and Operations sections, police CSE flags, involvements made by a
//! police-only action): those are included, but marked **for redaction review**, since
//! disclosing them could prejudice the prevention or detection of crime (DPA 2018
//! schedule 2 paragraph 2). A kind of record this module does not know is marked for
//! review too, so nothing new goes out unread.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::partnership::{InvolvementKind, Section};

/// What one table of records is, for the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordKind {
    /// The table (and the file name in the export: `<table>.json`).
    pub table: &'static str,
    pub label: &'static str,
    /// The part of the child's record it belongs to.
    pub section: Option<Section>,
    /// Every record of this kind is police-only material.
    pub police_only: bool,
}

const fn kind(table: &'static str, label: &'static str, section: Option<Section>, police_only: bool) -> RecordKind {
    RecordKind { table, label, section, police_only }
}

/// The kinds of record held about a child, in the order the summary lists them.
pub const KINDS: &[RecordKind] = &[
    kind("children", "The child's record: identity and legal status", Some(Section::Identity), false),
    kind("child_involvements", "Agencies involved with the child", Some(Section::Identity), false),
    kind("referrals", "Concerns, CSE 2 screening and referrals to the MASH", Some(Section::Concerns), false),
    kind("mash_checks", "MASH checks with each agency", Some(Section::MashDecision), false),
    kind("panel_slots", "MACSE panel slots", Some(Section::PanelMinutes), false),
    kind("panel_invitations", "Invitations to the child's MACSE panel slots", Some(Section::PanelMinutes), false),
    kind("plans", "MACSE plan", Some(Section::Profile), false),
    kind("plan_versions", "Versions of the MACSE plan", Some(Section::Profile), false),
    kind("plan_sections", "The plan's sections (discussion)", Some(Section::Profile), false),
    kind("plan_actions", "The plan's actions", Some(Section::Profile), false),
    kind("police_flags", "Police CSE flags", Some(Section::Prosecute), true),
    kind("operation_children", "Police operations the child is linked to", Some(Section::Operations), true),
    kind("operations", "Police operations", Some(Section::Operations), true),
    kind("operation_updates", "Updates on police operations", Some(Section::Operations), true),
    kind("emergency_access", "Emergency (break glass) access to the record", Some(Section::AccessLog), false),
    kind("placement_notifications", "Placement notifications", Some(Section::Placements), false),
    kind("notification_recipients", "Teams notified of each placement and their acknowledgements", Some(Section::Placements), false),
    kind("missing_episodes", "Missing episodes", Some(Section::Missing), false),
    kind("return_interviews", "Return interviews", Some(Section::Missing), false),
    kind("episode_routes", "Where each missing episode was routed", Some(Section::Missing), false),
    kind("chronology_marks", "Events marked significant in the chronology, with their notes", Some(Section::Identity), false),
    kind("audit_cases", "Multi-agency case-file audits of the child's case: grades and findings", Some(Section::Identity), false),
    kind("legal_holds", "Legal holds on the record", Some(Section::AccessLog), false),
    kind(AUDIT_KIND, "Who has looked at or changed the record, and why (the audit log)", Some(Section::AccessLog), false),
];

/// The pseudo-table of the audit entries about the child.
pub const AUDIT_KIND: &str = "audit_log";

/// What the export knows about a table: its own description, or an unknown kind (shown
/// by its table name and marked for review).
pub fn describe(table: &str) -> RecordKind {
    KINDS.iter().copied().find(|k| k.table == table).unwrap_or(RecordKind { table: "", label: "", section: None, police_only: true })
}

/// Whether one record is police-only material, to be reviewed for redaction before the
/// export is sent: every record of a police-only kind or of a kind not described here,
/// a plan's section or action in a police-only section, an involvement made by a
/// police-only action.
pub fn for_redaction_review(table: &str, row: &Map<String, Value>) -> bool {
    let k = describe(table);
    if k.police_only {
        return true;
    }
    let text = |col: &str| row.get(col).and_then(Value::as_str).unwrap_or("");
    match table {
        "plan_sections" | "plan_actions" => Section::from_slug(text("section")).is_none_or(Section::is_police_only),
        "child_involvements" => InvolvementKind::from_slug(text("kind")).is_none_or(InvolvementKind::is_police_only),
        // A mark on a police flag, an operation or a plan action (which may be in a
        // police-only section) says something about police-only material.
        "chronology_marks" => matches!(text("entry_kind"), "police-flag" | "operation" | "plan-action"),
        AUDIT_KIND => matches!(text("action"), "police.flag" | "operation.link"),
        _ => false,
    }
}

/// The records of one kind, as exported.
#[derive(Debug, Clone, Serialize)]
pub struct KindRecords {
    pub table: String,
    pub label: String,
    pub section: Option<String>,
    /// How many of `records` are marked for redaction review.
    pub for_redaction_review: usize,
    /// Each record's columns as stored, plus `"for_redaction_review": true|false`.
    pub records: Vec<Map<String, Value>>,
}

impl KindRecords {
    /// The records of `table`, each marked.
    pub fn new(table: &str, rows: Vec<Map<String, Value>>) -> KindRecords {
        let k = describe(table);
        let mut review = 0;
        let records = rows
            .into_iter()
            .map(|mut r| {
                let flag = for_redaction_review(table, &r);
                review += usize::from(flag);
                r.insert("for_redaction_review".into(), Value::Bool(flag));
                r
            })
            .collect();
        let label = if k.label.is_empty() { format!("Other records ({table})") } else { k.label.to_string() };
        KindRecords { table: table.to_string(), label, section: k.section.map(|s| s.label().to_string()), for_redaction_review: review, records }
    }
}

/// Everything held about one child.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectAccessExport {
    pub child_id: i64,
    /// When it was made (RFC 3339, UTC) and by whom (an account's e-mail, or "system").
    pub generated_at: String,
    pub generated_by: String,
    /// Every kind of record held, in [`KINDS`] order then unknown kinds by table name;
    /// kinds with no record about this child are left out.
    pub kinds: Vec<KindRecords>,
}

impl SubjectAccessExport {
    /// Put kinds in the summary's order.
    pub fn new(child_id: i64, generated_at: String, generated_by: String, mut kinds: Vec<KindRecords>) -> SubjectAccessExport {
        kinds.retain(|k| !k.records.is_empty());
        kinds.sort_by_key(|k| (KINDS.iter().position(|d| d.table == k.table).unwrap_or(usize::MAX), k.table.clone()));
        SubjectAccessExport { child_id, generated_at, generated_by, kinds }
    }
    pub fn records(&self) -> usize {
        self.kinds.iter().map(|k| k.records.len()).sum()
    }
    pub fn for_redaction_review(&self) -> usize {
        self.kinds.iter().map(|k| k.for_redaction_review).sum()
    }
    pub fn kind(&self, table: &str) -> Option<&KindRecords> {
        self.kinds.iter().find(|k| k.table == table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn police_only_records_are_marked_for_review() {
        assert!(for_redaction_review("police_flags", &row(json!({"id": 1}))));
        assert!(for_redaction_review("operations", &row(json!({"id": 1}))));
        assert!(for_redaction_review("plan_actions", &row(json!({"section": "prosecute"}))));
        assert!(!for_redaction_review("plan_actions", &row(json!({"section": "protect"}))));
        assert!(for_redaction_review("plan_sections", &row(json!({"section": "perpetrators"}))));
        assert!(for_redaction_review("child_involvements", &row(json!({"kind": "holds-police-action"}))));
        assert!(!for_redaction_review("child_involvements", &row(json!({"kind": "raised-concern"}))));
        assert!(!for_redaction_review("referrals", &row(json!({"id": 1}))));
        assert!(for_redaction_review(AUDIT_KIND, &row(json!({"action": "police.flag"}))));
    }

    #[test]
    fn an_unknown_kind_is_reviewed_before_it_goes_out() {
        assert!(for_redaction_review("a_table_added_later", &row(json!({"id": 1}))));
        let k = KindRecords::new("a_table_added_later", vec![row(json!({"id": 1}))]);
        assert_eq!(k.for_redaction_review, 1);
        assert_eq!(k.label, "Other records (a_table_added_later)");
        assert_eq!(k.records[0]["for_redaction_review"], json!(true));
    }

    #[test]
    fn kinds_are_in_the_summary_order_and_empty_ones_left_out() {
        let e = SubjectAccessExport::new(
            7,
            "now".into(),
            "ig".into(),
            vec![
                KindRecords::new("zz_new", vec![row(json!({"id": 1}))]),
                KindRecords::new("referrals", vec![row(json!({"id": 2}))]),
                KindRecords::new("plans", vec![]),
                KindRecords::new("children", vec![row(json!({"id": 7}))]),
            ],
        );
        let tables: Vec<&str> = e.kinds.iter().map(|k| k.table.as_str()).collect();
        assert_eq!(tables, ["children", "referrals", "zz_new"]);
        assert_eq!(e.records(), 3);
        assert_eq!(e.for_redaction_review(), 1);
    }
}
