//! Which column holds what: the fields a column can be mapped to, mappings and saved
//! presets, the register's own layout, and guessing the heading row and the mapping
//! from a file's headings.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::cells::clean_cell;
use super::{Table, REGISTER_PRESET_NAME};
use crate::validation::{Checked, Invalid};

/// Fields a column can be mapped to. Only [`ImportField::Recommendation`] is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportField {
    Reference,
    Number,
    Recommendation,
    ExecutiveWording,
    WhoMustAct,
    LeadOfficer,
    Action,
    ActionOwner,
    ActionDate,
    Outcome,
    Response,
    Status,
    Rag,
    Progress,
    Area,
    Origin,
    DecisionDate,
}

impl ImportField {
    pub const ALL: &'static [ImportField] = &[
        ImportField::Reference,
        ImportField::Number,
        ImportField::Recommendation,
        ImportField::ExecutiveWording,
        ImportField::WhoMustAct,
        ImportField::LeadOfficer,
        ImportField::Action,
        ImportField::ActionOwner,
        ImportField::ActionDate,
        ImportField::Outcome,
        ImportField::Response,
        ImportField::Status,
        ImportField::Rag,
        ImportField::Progress,
        ImportField::Area,
        ImportField::Origin,
        ImportField::DecisionDate,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ImportField::Reference => "reference",
            ImportField::Number => "number",
            ImportField::Recommendation => "recommendation",
            ImportField::ExecutiveWording => "executive-wording",
            ImportField::WhoMustAct => "who-must-act",
            ImportField::LeadOfficer => "lead-officer",
            ImportField::Action => "action",
            ImportField::ActionOwner => "action-owner",
            ImportField::ActionDate => "action-date",
            ImportField::Outcome => "outcome",
            ImportField::Response => "response",
            ImportField::Status => "status",
            ImportField::Rag => "rag",
            ImportField::Progress => "progress",
            ImportField::Area => "area",
            ImportField::Origin => "origin",
            ImportField::DecisionDate => "decision-date",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportField::Reference => "Reference",
            ImportField::Number => "Number",
            ImportField::Recommendation => "Recommendation",
            ImportField::ExecutiveWording => "Executive wording",
            ImportField::WhoMustAct => "Who must act",
            ImportField::LeadOfficer => "Lead officer",
            ImportField::Action => "Action",
            ImportField::ActionOwner => "Action owner",
            ImportField::ActionDate => "Action date",
            ImportField::Outcome => "Improved outcome",
            ImportField::Response => "Executive response",
            ImportField::Status => "Status",
            ImportField::Rag => "RAG",
            ImportField::Progress => "Progress",
            ImportField::Area => "Area",
            ImportField::Origin => "Origin",
            ImportField::DecisionDate => "Executive decision date",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.slug() == s)
    }

    pub fn is_required(self) -> bool {
        self == ImportField::Recommendation
    }

    /// A line of help for the mapping page: what Assure expects in the column.
    pub fn hint(self) -> &'static str {
        match self {
            ImportField::Reference => "Such as “SR (17/18) 01a”. The number is taken from its end when there is no Number column.",
            ImportField::Number => "Such as 3, 3a or (3)(a).",
            ImportField::Recommendation => "The wording the committee agreed. Required.",
            ImportField::ExecutiveWording => "The wording Cabinet or the executive used, if different.",
            ImportField::WhoMustAct => "The body that must act, such as a head of service or the police.",
            ImportField::LeadOfficer => "One per line, such as “Steph Cordon, Head of Service”.",
            ImportField::Action => "What will be done. Further actions can go on the rows below.",
            ImportField::ActionOwner => "Who carries the action out, when not the lead officers named on the row.",
            ImportField::ActionDate => "“May 2017”, “31 May 2017”, “May 2017 / Revised to July 2017”, “Ongoing” or “Completed”.",
            ImportField::Outcome => "The improved outcome for children and young people.",
            ImportField::Response => "Accepted, Accepted in principle, Partially accepted, Rejected or Noted.",
            ImportField::Status => "Not started, In progress, Paused, Not feasible, Superseded, Complete, Signed off or Transferred.",
            ImportField::Rag => "Red, Amber, Green (or R, A, G), or blank.",
            ImportField::Progress => "Dated entries such as “7 December 2017: letters sent”, one after another.",
            ImportField::Area => "The theme or service area.",
            ImportField::Origin => "Where the recommendation came from, such as a scrutiny review, an inspection or a case review. Kept as written.",
            ImportField::DecisionDate => "The date Cabinet or the executive decided on it, such as “5 October 2017”. Never an action's date.",
        }
    }
}

impl fmt::Display for ImportField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which column heading each field reads from. Headings are matched case-insensitively,
/// trimmed and with runs of whitespace collapsed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Mapping {
    pub columns: Vec<(ImportField, String)>,
}

impl Mapping {
    /// The heading a field is mapped to, if any.
    pub fn heading(&self, field: ImportField) -> Option<&str> {
        self.columns.iter().find(|(f, _)| *f == field).map(|(_, h)| h.as_str())
    }
}

/// A named, saved way of reading one council's tracker layout.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Preset {
    pub name: String,
    /// 1-based row holding the headings; rows above it (titles) are ignored.
    pub header_row: usize,
    pub mapping: Mapping,
}

/// The columns [`register_table`](super::register_table) writes, in order, with their headings.
pub(super) const REGISTER_COLUMNS: [(ImportField, &str); 17] = [
    (ImportField::Reference, "Reference"),
    (ImportField::Number, "Number"),
    (ImportField::Recommendation, "Recommendation"),
    (ImportField::ExecutiveWording, "Executive wording"),
    (ImportField::WhoMustAct, "Who must act"),
    (ImportField::Area, "Area"),
    (ImportField::LeadOfficer, "Lead officer"),
    (ImportField::Action, "Action"),
    (ImportField::ActionOwner, "Action owner"),
    (ImportField::ActionDate, "Date"),
    (ImportField::Outcome, "Improved outcome"),
    (ImportField::Response, "Response"),
    (ImportField::Status, "Status"),
    (ImportField::Rag, "RAG"),
    (ImportField::Progress, "Progress"),
    // Added later, so at the end: a register exported before them still reads.
    (ImportField::Origin, "Origin"),
    (ImportField::DecisionDate, "Executive decision date"),
];

/// A mapping is saved under a name (at most 100 characters) that is not the built-in
/// preset's; the name is kept trimmed.
pub fn check_preset(p: &Preset) -> Result<Checked<Preset>, Invalid> {
    let mut v = Invalid::new();
    let name = v.required("preset_name", &p.name, "Enter a name for the column mapping, for example Children's services tracker");
    v.max_len("preset_name", &name, 100, "The name");
    if name.eq_ignore_ascii_case(REGISTER_PRESET_NAME) {
        v.add("preset_name", format!("“{REGISTER_PRESET_NAME}” is Assure's own layout: choose another name"));
    }
    v.finish()?;
    Ok(Checked::new(Preset { name, ..p.clone() }))
}

/// The headings of the export layout, in order.
pub fn register_headings() -> Vec<String> {
    REGISTER_COLUMNS.iter().map(|(_, h)| h.to_string()).collect()
}

/// The built-in preset that reads files written by [`register_table`](super::register_table).
pub fn register_preset() -> Preset {
    Preset {
        name: REGISTER_PRESET_NAME.to_string(),
        header_row: 1,
        mapping: Mapping { columns: REGISTER_COLUMNS.iter().map(|(f, h)| (*f, h.to_string())).collect() },
    }
}

/// Heading text as shown back to people: cleaned, whitespace collapsed.
pub(super) fn display_heading(h: &str) -> String {
    clean_cell(h).split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn normalize_heading(h: &str) -> String {
    display_heading(h).to_lowercase()
}

pub(super) fn column_index(headers: &[String], heading: &str) -> Option<usize> {
    let want = normalize_heading(heading);
    if want.is_empty() {
        return None;
    }
    headers.iter().position(|h| normalize_heading(h) == want)
}

/// Guess a mapping from the file's headings ("Recommendation", "Lead Officer",
/// "Action", "Date", "Improved outcome for children / young people", "RAG",
/// "Progress made", "Ref", "No.", "Status", "Response", ...). Each field is used at
/// most once, by the first column that suits it.
pub fn suggest_mapping(headers: &[String]) -> Mapping {
    let mut columns: Vec<(ImportField, String)> = Vec::new();
    for h in headers {
        let norm = normalize_heading(h);
        if norm.is_empty() {
            continue;
        }
        for f in guesses(&norm) {
            if !columns.iter().any(|(g, _)| *g == f) {
                columns.push((f, display_heading(h)));
                break;
            }
        }
    }
    Mapping { columns }
}

/// Fields a heading could mean, most likely first.
fn guesses(norm: &str) -> Vec<ImportField> {
    let words: Vec<&str> = norm.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let any = |ws: &[&str]| ws.iter().any(|w| words.contains(w));
    let mut v = Vec::new();
    if any(&["rag"]) {
        v.push(ImportField::Rag);
    }
    // "Executive decision date", "Cabinet date", "Date of decision": the executive's
    // decision, never an action's date.
    if any(&["date", "dated"]) && any(&["decision", "decided", "executive", "cabinet"]) {
        v.push(ImportField::DecisionDate);
    }
    if any(&["origin", "source", "raised", "arising", "originating"]) {
        v.push(ImportField::Origin);
    }
    if any(&["date", "dates", "timescale", "timescales", "deadline", "due", "when", "timeframe"]) {
        v.push(ImportField::ActionDate);
    }
    if any(&["ref", "reference", "refs", "references"]) {
        v.push(ImportField::Reference);
    }
    if any(&["no", "number", "num", "nos"]) || norm == "#" {
        v.push(ImportField::Number);
    }
    if any(&["outcome", "outcomes", "impact"]) {
        v.push(ImportField::Outcome);
    }
    if any(&["response", "responses"]) {
        v.push(ImportField::Response);
    }
    if any(&["status"]) {
        v.push(ImportField::Status);
    }
    if any(&["executive", "cabinet"]) && any(&["wording", "recommendation", "recommendations", "resolution", "decision"]) {
        v.push(ImportField::ExecutiveWording);
    }
    if any(&["who", "body", "bodies", "agency", "agencies", "organisation", "organisations", "partner", "partners"]) {
        v.push(ImportField::WhoMustAct);
    }
    if any(&["action", "actions", "task", "tasks"]) && any(&["owner", "owners", "by"]) {
        v.push(ImportField::ActionOwner);
    }
    if any(&["lead", "leads", "officer", "officers", "owner", "owners", "responsible", "responsibility"]) {
        v.push(ImportField::LeadOfficer);
    }
    if any(&["action", "actions", "task", "tasks", "steps"]) {
        v.push(ImportField::Action);
    }
    if any(&["progress", "update", "updates", "commentary", "comments", "comment", "position", "notes"]) {
        v.push(ImportField::Progress);
    }
    if any(&["recommendation", "recommendations", "rec", "recs", "recommended", "finding", "findings"]) {
        v.push(ImportField::Recommendation);
    }
    if any(&["area", "areas", "theme", "themes", "priority", "priorities", "category", "topic", "directorate", "service", "objective"]) {
        v.push(ImportField::Area);
    }
    v
}

/// Check a mapping against the file's headings. Errors are keyed by the field's slug.
pub fn validate_mapping(headers: &[String], m: &Mapping) -> Result<(), Invalid> {
    let mut v = Invalid::new();
    let mut seen: Vec<ImportField> = Vec::new();
    for (field, heading) in &m.columns {
        if seen.contains(field) {
            v.add(field.slug(), format!("“{}” is matched to more than one column: choose one", field.label()));
            continue;
        }
        seen.push(*field);
        if display_heading(heading).is_empty() {
            v.add(field.slug(), format!("Choose a column for “{}”, or leave it out", field.label()));
        } else if column_index(headers, heading).is_none() {
            v.add(field.slug(), format!("The file has no column headed “{}”", display_heading(heading)));
        }
    }
    if m.heading(ImportField::Recommendation).is_none() {
        v.add(ImportField::Recommendation.slug(), "Choose the column that holds the recommendation");
    }
    v.finish()
}

/// The 1-based row that most looks like the headings, among the first 30 rows: the one
/// whose headings [`suggest_mapping`] recognises most (a recommendation column counts
/// double). 1 when nothing is recognised.
pub fn guess_header_row(table: &Table) -> usize {
    let mut best = (0usize, 1usize);
    for (i, row) in table.iter().take(30).enumerate() {
        let m = suggest_mapping(row);
        let score = m.columns.len() + usize::from(m.heading(ImportField::Recommendation).is_some());
        if score > best.0 {
            best = (score, i + 1);
        }
    }
    best.1
}

/// The 1-based row, among the first 30, holding the most of a mapping's column headings
/// (the first such row); `None` when no row holds any. A saved mapping does not pin its
/// heading row: it is found in each file it is applied to, so a mapping saved from a
/// workbook with a title row reads a CSV whose headings are on row 1.
pub fn find_header_row(table: &Table, mapping: &Mapping) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in table.iter().take(30).enumerate() {
        let found = mapping.columns.iter().filter(|(_, h)| column_index(row, h).is_some()).count();
        if found > 0 && best.is_none_or(|(n, _)| found > n) {
            best = Some((found, i + 1));
        }
    }
    best.map(|(_, row)| row)
}

impl Preset {
    /// This mapping applied to a file: its heading row is the one found in that file
    /// ([`find_header_row`]), or the row it was saved with when no row of the file holds
    /// any of its headings (the problems then name the missing columns).
    pub fn fitted(&self, table: &Table) -> Preset {
        Preset { header_row: find_header_row(table, &self.mapping).unwrap_or(self.header_row), ..self.clone() }
    }
}

/// The headings on a 1-based row, cleaned; empty when the row does not exist.
pub fn headings(table: &Table, header_row: usize) -> Vec<String> {
    match header_row.checked_sub(1).and_then(|i| table.get(i)) {
        Some(r) => r.iter().map(|h| display_heading(h)).collect(),
        None => Vec::new(),
    }
}

/// How many fields there are (the size of per-row cell arrays).
pub(super) const FIELD_COUNT: usize = ImportField::ALL.len();

pub(super) fn field_index(f: ImportField) -> usize {
    ImportField::ALL.iter().position(|g| *g == f).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::*;

    #[test]
    fn a_saved_mapping_has_its_own_name() {
        let p = |name: &str| Preset { name: name.into(), header_row: 2, mapping: Mapping::default() };
        let e = check_preset(&p(" ")).unwrap_err();
        assert_eq!(e.for_field("preset_name"), Some("Enter a name for the column mapping, for example Children's services tracker"));
        let e = check_preset(&p(&"n".repeat(101))).unwrap_err();
        assert_eq!(e.for_field("preset_name"), Some("The name must be 100 characters or fewer"));
        let e = check_preset(&p("assure REGISTER")).unwrap_err();
        assert_eq!(e.for_field("preset_name"), Some("“Assure register” is Assure's own layout: choose another name"));
        let ok = check_preset(&p(" Children's tracker ")).unwrap();
        assert_eq!((ok.name.as_str(), ok.header_row), ("Children's tracker", 2));
    }

    #[test]
    fn mapping_suggestions_and_validation() {
        let h: Vec<String> = TRACKER_HEADINGS.iter().map(|s| s.to_string()).collect();
        let m = suggest_mapping(&h);
        assert_eq!(m.heading(ImportField::Recommendation), Some("Recommendation"));
        assert_eq!(m.heading(ImportField::LeadOfficer), Some("Lead Officer"));
        assert_eq!(m.heading(ImportField::Action), Some("Action"));
        assert_eq!(m.heading(ImportField::ActionDate), Some("Date"));
        assert_eq!(m.heading(ImportField::Outcome), Some("Improved outcome for children / young people"));
        assert_eq!(m.heading(ImportField::Rag), Some("RAG"));
        let h2: Vec<String> =
            ["Ref", "No.", "Recommendation No.", "Progress made", "Status", "Response", "Progress / review date", "Update commentary"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let m2 = suggest_mapping(&h2);
        assert_eq!(m2.heading(ImportField::Reference), Some("Ref"));
        assert_eq!(m2.heading(ImportField::Number), Some("No."));
        assert_eq!(m2.heading(ImportField::Progress), Some("Progress made"));
        assert_eq!(m2.heading(ImportField::ActionDate), Some("Progress / review date"));
        assert_eq!(m2.heading(ImportField::Status), Some("Status"));
        assert_eq!(m2.heading(ImportField::Response), Some("Response"));
        assert_eq!(suggest_mapping(&register_headings()), register_preset().mapping);

        assert!(validate_mapping(&h, &m).is_ok());
        let inv = validate_mapping(&h, &Mapping::default()).unwrap_err();
        assert_eq!(inv.for_field("recommendation"), Some("Choose the column that holds the recommendation"));
        let bad = Mapping { columns: vec![(ImportField::Recommendation, "  recommendation ".into()), (ImportField::Rag, "Colour".into())] };
        let inv = validate_mapping(&h, &bad).unwrap_err();
        assert_eq!(inv.for_field("rag"), Some("The file has no column headed “Colour”"));
        let dup = Mapping { columns: vec![(ImportField::Recommendation, "Recommendation".into()), (ImportField::Recommendation, "Action".into())] };
        assert!(validate_mapping(&h, &dup).is_err());
        let titled = table(&[&["Title"], &[], TRACKER_HEADINGS]);
        assert_eq!(guess_header_row(&titled), 3);
    }

    /// Fault 6 of issue 14: a mapping saved from a workbook whose headings are on row 2,
    /// applied to a CSV with headings on row 1, failed on every column. The heading row
    /// is now found in each file.
    #[test]
    fn a_saved_mapping_finds_its_heading_row_in_each_file() {
        let saved = Preset { header_row: 2, ..tracker_preset() };
        let csv = table(&[TRACKER_HEADINGS, &["Do it", "", "Step", "May 2017", "", "Red"]]);
        assert_eq!(saved.fitted(&csv).header_row, 1);
        let titled = table(&[&["Scrutiny tracker"], &["Recommendation"], TRACKER_HEADINGS, &["Do it", "", "Step", "May 2017", "", "Red"]]);
        assert_eq!(saved.fitted(&titled).header_row, 3, "the row with the most of its headings");
        let other = table(&[&["Nothing", "here"]]);
        assert_eq!(saved.fitted(&other).header_row, 2, "kept when no row holds its headings");
        assert!(crate::import::plan(&csv, &saved.fitted(&csv), today()).is_ok());
    }

    #[test]
    fn field_slugs_round_trip_and_serde_is_kebab() {
        for f in ImportField::ALL {
            assert_eq!(ImportField::from_slug(f.slug()), Some(*f));
            assert_eq!(serde_json::to_string(f).unwrap(), format!("\"{}\"", f.slug()));
        }
        let p = register_preset();
        let back: Preset = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
