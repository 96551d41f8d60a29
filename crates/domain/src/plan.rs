//! The MACSE plan: four sections (Profile, Prevent, Protect, Prosecute), each with the
//! panel's discussion and its actions; a new version at each review panel, the old ones
//! kept and comparable. The Prosecute section is for police CSE roles and the co-chairs
//! only: [`visible_for`] and [`for_export`] are the one place it is taken out, and every
//! page, API answer and document goes through them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::partnership::{Section, Viewer};
use crate::validation::{Checked, Invalid};

/// A plan's sections are the record's plan sections (not a separate list).
pub type PlanSection = Section;

/// The sections of a plan, in order.
pub const PLAN_SECTIONS: [Section; 4] = [Section::Profile, Section::Prevent, Section::Protect, Section::Prosecute];

pub fn is_plan_section(s: Section) -> bool {
    PLAN_SECTIONS.contains(&s)
}

/// A section's heading without the "Plan: " prefix of the record-wide label.
pub fn heading(s: Section) -> &'static str {
    match s {
        Section::Profile => "Profile",
        Section::Prevent => "Prevent",
        Section::Protect => "Protect",
        Section::Prosecute => "Prosecute",
        other => other.label(),
    }
}

slug_enum!(
    /// Where a plan action has got to.
    ActionStatus {
        NotStarted => ("not-started", "Not started"),
        InProgress => ("in-progress", "In progress"),
        Done => ("done", "Done"),
        Dropped => ("dropped", "Dropped"),
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionText {
    pub section: Section,
    pub discussion: String,
}

/// One action of a plan. Agency and due date are optional only so that an incomplete
/// form row can be checked and explained; a saved action always has both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAction {
    pub section: Section,
    pub text: String,
    pub owner: String,
    pub agency_id: Option<i64>,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanVersion {
    pub number: i64,
    pub panel_date: Option<NaiveDate>,
    pub review_date: Option<NaiveDate>,
    pub sections: Vec<SectionText>,
    pub actions: Vec<PlanAction>,
}

impl PlanVersion {
    pub fn discussion(&self, s: Section) -> &str {
        self.sections.iter().find(|t| t.section == s).map(|t| t.discussion.as_str()).unwrap_or("")
    }
    pub fn actions_in(&self, s: Section) -> impl Iterator<Item = &PlanAction> {
        self.actions.iter().filter(move |a| a.section == s)
    }
    /// The plan sections present in this (possibly filtered) version, in order.
    pub fn present_sections(&self) -> Vec<Section> {
        PLAN_SECTIONS
            .iter()
            .copied()
            .filter(|s| self.sections.iter().any(|t| t.section == *s) || self.actions.iter().any(|a| a.section == *s))
            .collect()
    }
}

/// The field name of an action row's input on the plan form (rows count from 1).
pub fn action_field(row: usize, part: &str) -> String {
    format!("action-{row}-{part}")
}

/// Check a new version: a review date after the panel, and every action complete —
/// its text, an owner, an agency and a due date. Errors name the action's row.
/// `rows` gives each action's row number on the form (defaults to its position).
pub fn check_plan_version(v: &PlanVersion, rows: Option<&[usize]>) -> Result<Checked<PlanVersion>, Invalid> {
    let mut inv = Invalid::new();
    match (v.review_date, v.panel_date) {
        (None, _) => inv.add("review_date", "Enter the date of the plan's review, for example 12/10/2017"),
        (Some(r), Some(p)) if r <= p => inv.add("review_date", "The review date must be after the date of the panel"),
        _ => {}
    }
    for t in &v.sections {
        if !is_plan_section(t.section) {
            inv.add("sections", "A plan has only Profile, Prevent, Protect and Prosecute sections");
        }
        inv.max_len(&format!("discussion-{}", t.section.slug()), &t.discussion, 20_000, "The discussion");
    }
    for (i, a) in v.actions.iter().enumerate() {
        let row = rows.and_then(|r| r.get(i).copied()).unwrap_or(i + 1);
        let f = |part: &str| action_field(row, part);
        if !is_plan_section(a.section) {
            inv.add(&f("section"), format!("Action row {row}: choose the plan section the action belongs to"));
        }
        if a.text.trim().is_empty() {
            inv.add(&f("text"), format!("Action row {row}: describe the action"));
        }
        inv.max_len(&f("text"), &a.text, 2_000, &format!("Action row {row}: the action"));
        if a.owner.trim().is_empty() {
            let what = if a.text.trim().is_empty() { String::new() } else { format!(" (\u{201c}{}\u{201d})", short(&a.text)) };
            inv.add(&f("owner"), format!("Action row {row}{what} has no owner: enter the person responsible for it"));
        }
        if a.agency_id.is_none() {
            inv.add(&f("agency"), format!("Action row {row}: choose the agency that holds the action"));
        }
        if a.due.is_none() {
            inv.add(&f("due"), format!("Action row {row}: enter the date the action is due, for example 30/09/2017"));
        }
    }
    inv.finish()?;
    Ok(Checked::new(v.clone()))
}

fn short(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(40).collect::<String>())
    }
}

/// The version as this viewer may see it: sections the viewer may not see (Prosecute,
/// unless a police CSE role or a co-chair) are removed with their actions — heading,
/// discussion and all. The one filter pages and the API use.
pub fn visible_for(v: &PlanVersion, viewer: &Viewer) -> PlanVersion {
    keep(v, |s| viewer.may_see_section(s))
}

/// The version as it may go into a document or export for this viewer: police-only
/// sections only in a police export by a police CSE role.
pub fn for_export(v: &PlanVersion, viewer: &Viewer, police_export: bool) -> PlanVersion {
    let allowed = viewer.exportable_sections(police_export);
    keep(v, |s| allowed.contains(&s))
}

fn keep(v: &PlanVersion, ok: impl Fn(Section) -> bool) -> PlanVersion {
    PlanVersion {
        number: v.number,
        panel_date: v.panel_date,
        review_date: v.review_date,
        sections: v.sections.iter().filter(|t| ok(t.section)).cloned().collect(),
        actions: v.actions.iter().filter(|a| ok(a.section)).cloned().collect(),
    }
}

/// What changed in one section between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionDiff {
    pub section: Section,
    /// (before, after) when the discussion changed.
    pub discussion: Option<(String, String)>,
    pub added: Vec<PlanAction>,
    pub removed: Vec<PlanAction>,
    /// (before, after) of actions with the same wording whose owner, agency, due date or status changed.
    pub changed: Vec<(PlanAction, PlanAction)>,
}

impl SectionDiff {
    pub fn is_empty(&self) -> bool {
        self.discussion.is_none() && self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanDiff {
    pub from: i64,
    pub to: i64,
    /// (before, after) when the review date changed.
    pub review_date: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    /// Only sections with a change, in plan order.
    pub sections: Vec<SectionDiff>,
}

/// Compare two versions section by section. Actions are matched by their wording
/// within a section. Compare versions already passed through [`visible_for`] so a
/// diff never shows what the viewer may not see.
pub fn diff(old: &PlanVersion, new: &PlanVersion) -> PlanDiff {
    let mut sections = Vec::new();
    for s in PLAN_SECTIONS {
        let (before, after) = (old.discussion(s), new.discussion(s));
        let mut d = SectionDiff {
            section: s,
            discussion: (before.trim() != after.trim()).then(|| (before.to_string(), after.to_string())),
            added: vec![],
            removed: vec![],
            changed: vec![],
        };
        let olds: Vec<&PlanAction> = old.actions_in(s).collect();
        let news: Vec<&PlanAction> = new.actions_in(s).collect();
        let mut matched = vec![false; olds.len()];
        for n in &news {
            match olds.iter().enumerate().find(|(i, o)| !matched[*i] && o.text.trim() == n.text.trim()) {
                Some((i, o)) => {
                    matched[i] = true;
                    if *o != *n {
                        d.changed.push(((*o).clone(), (*n).clone()));
                    }
                }
                None => d.added.push((*n).clone()),
            }
        }
        d.removed = olds.iter().zip(&matched).filter(|(_, m)| !**m).map(|(o, _)| (*o).clone()).collect();
        if !d.is_empty() {
            sections.push(d);
        }
    }
    PlanDiff {
        from: old.number,
        to: new.number,
        review_date: (old.review_date != new.review_date).then_some((old.review_date, new.review_date)),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partnership::{PathwayRole, Team};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn action(section: Section, text: &str, owner: &str) -> PlanAction {
        PlanAction {
            section,
            text: text.into(),
            owner: owner.into(),
            agency_id: Some(1),
            due: Some(d(2017, 10, 1)),
            status: ActionStatus::NotStarted,
        }
    }

    fn version() -> PlanVersion {
        PlanVersion {
            number: 1,
            panel_date: Some(d(2017, 9, 14)),
            review_date: Some(d(2017, 10, 12)),
            sections: PLAN_SECTIONS.iter().map(|s| SectionText { section: *s, discussion: format!("{} talk", heading(*s)) }).collect(),
            actions: vec![action(Section::Prevent, "Weekly mentoring", "J Smith"), action(Section::Prosecute, "Interview suspect X", "DC Jones")],
        }
    }

    fn viewer(role: PathwayRole, teams: &[Team]) -> Viewer {
        Viewer {
            user_id: 1,
            role,
            agency_id: 1,
            agency_wide: true,
            teams: teams.to_vec(),
            spoc_for: vec![],
            emergency_children: vec![],
            panel_children: vec![],
            audit_children: vec![],
        }
    }

    #[test]
    fn a_complete_version_is_valid_and_an_action_without_owner_is_named() {
        check_plan_version(&version(), None).unwrap();
        let mut v = version();
        v.actions[1].owner = "  ".into();
        let e = check_plan_version(&v, Some(&[3, 5])).unwrap_err();
        let m = e.for_field("action-5-owner").expect("the row's owner field");
        assert!(m.starts_with("Action row 5") && m.contains("Interview suspect X") && m.contains("no owner"), "{m}");
        let mut v = version();
        v.actions.push(PlanAction {
            section: Section::Protect,
            text: String::new(),
            owner: String::new(),
            agency_id: None,
            due: None,
            status: ActionStatus::NotStarted,
        });
        let e = check_plan_version(&v, None).unwrap_err();
        for part in ["text", "owner", "agency", "due"] {
            assert!(e.for_field(&action_field(3, part)).is_some(), "{part}: {e:?}");
        }
    }

    #[test]
    fn the_review_is_after_the_panel() {
        let mut v = version();
        v.review_date = Some(d(2017, 9, 14));
        assert!(check_plan_version(&v, None).unwrap_err().for_field("review_date").unwrap().contains("after"));
        v.review_date = None;
        assert!(check_plan_version(&v, None).unwrap_err().for_field("review_date").is_some());
        v.panel_date = None;
        v.review_date = Some(d(2017, 1, 1));
        check_plan_version(&v, None).unwrap();
        v.actions[0].section = Section::Identity;
        assert!(check_plan_version(&v, None).unwrap_err().for_field("action-1-section").is_some());
    }

    #[test]
    fn prosecute_is_stripped_for_everyone_but_police_and_co_chairs() {
        let v = version();
        for (role, teams, sees) in [
            (PathwayRole::Spoc, vec![], false),
            (PathwayRole::Practitioner, vec![], false),
            (PathwayRole::CseAnalyst, vec![Team::CseAnalyst, Team::MacsePanel], false),
            (PathwayRole::MashWorker, vec![Team::Mash], false),
            (PathwayRole::PoliceCseOfficer, vec![Team::PoliceCse], true),
            (PathwayRole::MacseCoChair, vec![Team::MacsePanel], true),
        ] {
            let seen = visible_for(&v, &viewer(role, &teams));
            assert_eq!(seen.present_sections().contains(&Section::Prosecute), sees, "{role:?}");
            assert_eq!(seen.actions.iter().any(|a| a.text.contains("suspect")), sees, "{role:?}");
            assert_eq!(seen.sections.len(), if sees { 4 } else { 3 });
        }
        // Exports: only a police export by a police CSE role carries it.
        let police = viewer(PathwayRole::PoliceCseOfficer, &[Team::PoliceCse]);
        assert!(for_export(&v, &police, true).actions.iter().any(|a| a.section == Section::Prosecute));
        assert!(!for_export(&v, &police, false).actions.iter().any(|a| a.section == Section::Prosecute));
        let chair = viewer(PathwayRole::MacseCoChair, &[Team::MacsePanel]);
        assert!(!for_export(&v, &chair, true).present_sections().contains(&Section::Prosecute));
        let spoc = viewer(PathwayRole::Spoc, &[]);
        assert!(!for_export(&v, &spoc, true).present_sections().contains(&Section::Prosecute));
    }

    #[test]
    fn the_diff_lists_discussions_and_actions_per_section() {
        let old = version();
        let mut new = version();
        new.number = 2;
        new.review_date = Some(d(2017, 11, 9));
        new.sections[0].discussion = "Profile talk, updated".into();
        new.actions[0].status = ActionStatus::InProgress;
        new.actions.push(action(Section::Protect, "Safety plan at home", "K Lee"));
        new.actions.retain(|a| a.section != Section::Prosecute);
        let df = diff(&old, &new);
        assert_eq!((df.from, df.to), (1, 2));
        assert_eq!(df.review_date, Some((Some(d(2017, 10, 12)), Some(d(2017, 11, 9)))));
        let secs: Vec<Section> = df.sections.iter().map(|s| s.section).collect();
        assert_eq!(secs, vec![Section::Profile, Section::Prevent, Section::Protect, Section::Prosecute]);
        assert_eq!(df.sections[0].discussion.as_ref().unwrap().1, "Profile talk, updated");
        assert_eq!(df.sections[1].changed[0].1.status, ActionStatus::InProgress);
        assert_eq!(df.sections[2].added[0].text, "Safety plan at home");
        assert_eq!(df.sections[3].removed[0].text, "Interview suspect X");
        assert!(diff(&old, &old).sections.is_empty());
        // Diffing the SPOC's views never mentions Prosecute.
        let spoc = viewer(PathwayRole::Spoc, &[]);
        assert!(diff(&visible_for(&old, &spoc), &visible_for(&new, &spoc)).sections.iter().all(|s| s.section != Section::Prosecute));
    }
}
