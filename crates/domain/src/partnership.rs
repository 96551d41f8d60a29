//! The CSE partnership: agencies, teams, the pathway roles, the sections of a child's
//! record, and the one need-to-know rule that decides who sees which child and which
//! parts of the record.
//!
//! The rule is written once, here. A [`Viewer`]'s [`Reach`] is plain data: a single
//! record is checked with [`Reach::admits`], and storage turns the same `Reach` into
//! the filter of every list, search and export, so the two can never disagree.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

slug_enum!(
    /// Kinds of agency in the partnership (seed 002: police, health, schools, homes,
    /// taxi firms, faith bodies, other councils ...).
    AgencyKind {
        Police => ("police", "Police"),
        ChildrensSocialCare => ("childrens-social-care", "Children's social care"),
        Health => ("health", "Health"),
        Education => ("education", "Education"),
        EarlyHelp => ("early-help", "Early help"),
        YouthOffending => ("youth-offending", "Youth offending"),
        Housing => ("housing", "Housing"),
        Licensing => ("licensing", "Licensing"),
        ChildrensHomeProvider => ("childrens-home-provider", "Children's home provider"),
        VoluntarySector => ("voluntary-sector", "Voluntary sector"),
        Faith => ("faith", "Faith"),
        TaxiFirm => ("taxi-firm", "Taxi firm"),
        OtherAuthority => ("other-authority", "Other local authority"),
    }
);

slug_enum!(
    /// Multi-agency teams a person can sit in, whatever their agency.
    Team {
        Mash => ("mash", "Multi-agency safeguarding hub (MASH)"),
        MacsePanel => ("macse-panel", "MACSE panel"),
        CseAnalyst => ("cse-analyst", "CSE analyst"),
        PoliceCse => ("police-cse", "Police CSE unit"),
        MissingFromHome => ("missing-from-home", "Missing from home"),
        HealthLead => ("health-lead", "Health lead for looked-after children"),
        EducationLead => ("education-lead", "Education lead (virtual school)"),
        YouthOffending => ("youth-offending", "Youth offending team"),
        PlacementNotifications => ("placement-notifications", "Placement notifications"),
    }
);

impl Team {
    /// Teams whose work covers every child on the pathway.
    pub fn sees_every_child(self) -> bool {
        matches!(self, Team::Mash | Team::MacsePanel | Team::CseAnalyst)
    }
}

slug_enum!(
    /// The roles of people on the pathway (the tracker's roles never see children).
    PathwayRole {
        Practitioner => ("practitioner", "Practitioner"),
        Spoc => ("spoc", "Single point of contact (SPOC)"),
        MashWorker => ("mash-worker", "MASH worker"),
        MacseCoChair => ("macse-co-chair", "MACSE co-chair"),
        CseAnalyst => ("cse-analyst", "CSE analyst"),
        PoliceCseOfficer => ("police-cse-officer", "Police CSE officer"),
        PartnershipManager => ("partnership-manager", "Partnership manager"),
        NotificationOfficer => ("notification-officer", "Placement notification officer"),
    }
);

slug_enum!(
    /// Parts of a child's record, each with its own audience.
    Section {
        Identity => ("identity", "Identity and legal status"),
        Concerns => ("concerns", "Concerns and referrals"),
        Screening => ("screening", "CSE 2 screening"),
        MashDecision => ("mash-decision", "MASH checks and decision"),
        Profile => ("profile", "Plan: profile"),
        Prevent => ("prevent", "Plan: prevent"),
        Protect => ("protect", "Plan: protect"),
        Prosecute => ("prosecute", "Plan: prosecute"),
        Perpetrators => ("perpetrators", "Perpetrators"),
        Operations => ("operations", "Operations"),
        AccessLog => ("access-log", "Who has looked at this record"),
        Placements => ("placements", "Placement notifications"),
        Missing => ("missing", "Missing episodes and return interviews"),
    }
);

impl Section {
    /// Sections only police CSE roles and the co-chairs may see, print or export.
    pub fn is_police_only(self) -> bool {
        matches!(self, Section::Prosecute | Section::Perpetrators | Section::Operations)
    }
}

slug_enum!(
    /// Why an agency is involved with a child.
    InvolvementKind {
        RaisedConcern => ("raised-concern", "Raised a concern"),
        HoldsAction => ("holds-action", "Holds a plan action"),
        InvitedToPanel => ("invited-to-panel", "Invited to a panel"),
        NotifiedOfPlacement => ("notified-of-placement", "Notified of a placement"),
        RecordedMissing => ("recorded-missing", "Recorded a missing episode or return interview"),
    }
);

/// One agency's involvement with a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involvement {
    pub agency_id: i64,
    pub kind: InvolvementKind,
}

/// Who is looking: their role, their agency, their teams and the agencies they are
/// the single point of contact for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub role: PathwayRole,
    pub agency_id: i64,
    pub teams: Vec<Team>,
    pub spoc_for: Vec<i64>,
    /// Children this person holds an active (unexpired) emergency access grant for.
    #[serde(default)]
    pub emergency_children: Vec<i64>,
}

/// Which children a viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reach {
    /// Every child on the pathway (MASH, MACSE panel and analyst teams).
    EveryChild,
    /// Children with whom one of these agencies is involved, and these children
    /// themselves (active emergency access grants).
    Agencies { agencies: BTreeSet<i64>, children: BTreeSet<i64> },
}

impl Reach {
    /// The single-record form of the rule: may this child, with these involvements, be seen?
    pub fn admits<I: IntoIterator<Item = Involvement>>(&self, child_id: i64, involvements: I) -> bool {
        match self {
            Reach::EveryChild => true,
            Reach::Agencies { agencies, children } => {
                children.contains(&child_id) || involvements.into_iter().any(|i| agencies.contains(&i.agency_id))
            }
        }
    }
}

slug_enum!(
    /// A child's legal status.
    LegalStatus {
        NoStatus => ("none", "None"),
        ChildInNeed => ("child-in-need", "Child in need"),
        ChildProtectionPlan => ("child-protection-plan", "Child protection plan"),
        LookedAfterHere => ("looked-after-here", "Looked after by this authority"),
        LookedAfterElsewhere => ("looked-after-elsewhere", "Looked after by another authority"),
    }
);

/// Why a viewer may see a child: recorded with every view so the child's access log
/// can say "who has looked at this record and why".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Basis {
    /// A member of a team that covers every child.
    Team(Team),
    /// Their own agency is involved.
    OwnAgency(InvolvementKind),
    /// They are the SPOC of an involved agency.
    Spoc(i64),
    /// An active emergency ("break glass") grant, given with a reason.
    Emergency,
}

impl Basis {
    /// Plain words for the access log (no personal data: agency ids, not names).
    pub fn describe(&self) -> String {
        match self {
            Basis::Team(t) => format!("member of the {} team", t.label()),
            Basis::OwnAgency(k) => format!("their agency: {}", k.label().to_lowercase()),
            Basis::Spoc(a) => format!("SPOC of involved agency {a}"),
            Basis::Emergency => "emergency access (break glass) with a recorded reason".into(),
        }
    }
}

impl Viewer {
    fn in_team(&self, t: Team) -> bool {
        self.teams.contains(&t)
    }

    /// The need-to-know rule: the MASH, MACSE panel and analyst teams see every child;
    /// everyone else sees the children their own agency is involved with, and a SPOC
    /// also those of the agencies they speak for; a MASH role also the children they
    /// hold an active emergency access grant for (grants to anyone else count for nothing).
    pub fn reach(&self) -> Reach {
        if self.teams.iter().any(|t| t.sees_every_child()) {
            return Reach::EveryChild;
        }
        let mut agencies: BTreeSet<i64> = self.spoc_for.iter().copied().collect();
        agencies.insert(self.agency_id);
        let children = if self.may_break_glass() { self.emergency_children.iter().copied().collect() } else { BTreeSet::new() };
        Reach::Agencies { agencies, children }
    }

    pub fn may_see_child<I: IntoIterator<Item = Involvement>>(&self, child_id: i64, involvements: I) -> bool {
        self.reach().admits(child_id, involvements)
    }

    /// The reason the rule admits this child, if it does (the same rule as [`Viewer::reach`]).
    pub fn basis<I: IntoIterator<Item = Involvement>>(&self, child_id: i64, involvements: I) -> Option<Basis> {
        if let Some(t) = self.teams.iter().find(|t| t.sees_every_child()) {
            return Some(Basis::Team(*t));
        }
        let inv: Vec<Involvement> = involvements.into_iter().collect();
        if let Some(i) = inv.iter().find(|i| i.agency_id == self.agency_id) {
            return Some(Basis::OwnAgency(i.kind));
        }
        if let Some(i) = inv.iter().find(|i| self.spoc_for.contains(&i.agency_id)) {
            return Some(Basis::Spoc(i.agency_id));
        }
        (self.may_break_glass() && self.emergency_children.contains(&child_id)).then_some(Basis::Emergency)
    }

    /// Police CSE roles (the role, or the police CSE unit) and the MACSE co-chairs.
    pub fn is_police_cse(&self) -> bool {
        self.role == PathwayRole::PoliceCseOfficer || self.in_team(Team::PoliceCse)
    }

    /// Within a child the viewer may see: police-only sections need a police CSE role or
    /// a co-chair; the access log is for the MASH, the co-chairs and the partnership
    /// manager; every other section is open to whoever may see the child.
    pub fn may_see_section(&self, s: Section) -> bool {
        if s.is_police_only() {
            return self.is_police_cse() || self.role == PathwayRole::MacseCoChair;
        }
        if s == Section::AccessLog {
            return self.in_team(Team::Mash)
                || matches!(self.role, PathwayRole::MashWorker | PathwayRole::MacseCoChair | PathwayRole::PartnershipManager);
        }
        true
    }

    /// Emergency ("break glass") access, with a reason, is for MASH roles only.
    pub fn may_break_glass(&self) -> bool {
        self.role == PathwayRole::MashWorker || self.in_team(Team::Mash)
    }

    /// The sections an export or document for this viewer may contain; police-only
    /// sections appear only in a police export.
    pub fn exportable_sections(&self, police_export: bool) -> Vec<Section> {
        Section::ALL.iter().copied().filter(|s| self.may_see_section(*s) && (!s.is_police_only() || police_export && self.is_police_cse())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHOOL: i64 = 1;
    const POLICE: i64 = 2;
    const HEALTH: i64 = 3;
    const OTHER_SCHOOL: i64 = 4;

    const CHILD: i64 = 7;
    const OTHER_CHILD: i64 = 8;

    fn viewer(role: PathwayRole, agency: i64, teams: &[Team], spoc_for: &[i64]) -> Viewer {
        Viewer { role, agency_id: agency, teams: teams.to_vec(), spoc_for: spoc_for.to_vec(), emergency_children: vec![] }
    }

    fn involved(agency: i64, kind: InvolvementKind) -> Involvement {
        Involvement { agency_id: agency, kind }
    }

    /// Every combination of role, team membership, SPOC duty and involvement, checked
    /// against the sentences restated independently of the implementation.
    #[test]
    fn the_need_to_know_matrix() {
        let team_sets: Vec<Vec<Team>> = std::iter::once(vec![]).chain(Team::ALL.iter().map(|t| vec![*t])).collect();
        let agencies = [SCHOOL, POLICE, HEALTH, OTHER_SCHOOL];
        let mut checked = 0;
        for role in PathwayRole::ALL {
            for teams in &team_sets {
                for own in agencies {
                    for spoc in [vec![], vec![own], vec![HEALTH]] {
                        for grants in [vec![], vec![CHILD]] {
                            let v = Viewer { emergency_children: grants.clone(), ..viewer(*role, own, teams, &spoc) };
                            for child_agency in agencies {
                                for kind in InvolvementKind::ALL {
                                    for child_id in [CHILD, OTHER_CHILD] {
                                        let child = [involved(child_agency, *kind)];
                                        // "sits in the MASH / MACSE / analyst teams"
                                        let whole_team = teams.iter().any(|t| matches!(t, Team::Mash | Team::MacsePanel | Team::CseAnalyst));
                                        // "their agency is involved (raised a concern, holds an action, was invited to a panel)"
                                        let own_agency = child_agency == own;
                                        // "or they are the SPOC of an involved agency"
                                        let spoc_of = spoc.contains(&child_agency);
                                        // "Emergency access ... is allowed for MASH roles only": a grant for this child, held by a MASH role
                                        let mash_role = *role == PathwayRole::MashWorker || teams.contains(&Team::Mash);
                                        let emergency = mash_role && grants.contains(&child_id);
                                        let expected = whole_team || own_agency || spoc_of || emergency;
                                        assert_eq!(v.may_see_child(child_id, child), expected, "{v:?} / {child_id} {child:?}");
                                        assert_eq!(v.basis(child_id, child).is_some(), expected, "{v:?} / {child_id} {child:?}");
                                        if expected && !(whole_team || own_agency || spoc_of) {
                                            assert_eq!(v.basis(child_id, child), Some(Basis::Emergency));
                                        }
                                        // A child with no involvement at all: the teams, or a grant.
                                        assert_eq!(v.may_see_child(child_id, []), whole_team || emergency, "{v:?} / {child_id} uninvolved");
                                        checked += 1;
                                    }
                                }
                            }
                            for s in Section::ALL {
                                let police = *role == PathwayRole::PoliceCseOfficer || teams.contains(&Team::PoliceCse);
                                let expected = match s {
                                    Section::Prosecute | Section::Perpetrators | Section::Operations => police || *role == PathwayRole::MacseCoChair,
                                    Section::AccessLog => {
                                        teams.contains(&Team::Mash)
                                            || matches!(role, PathwayRole::MashWorker | PathwayRole::MacseCoChair | PathwayRole::PartnershipManager)
                                    }
                                    _ => true,
                                };
                                assert_eq!(v.may_see_section(*s), expected, "{v:?} / {s:?}");
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn a_child_no_one_in_the_viewers_agencies_is_involved_with_is_out_of_reach() {
        let practitioner_2 = viewer(PathwayRole::Practitioner, OTHER_SCHOOL, &[], &[]);
        let child = [involved(SCHOOL, InvolvementKind::RaisedConcern), involved(POLICE, InvolvementKind::InvitedToPanel)];
        assert!(!practitioner_2.may_see_child(CHILD, child));
        assert_eq!(practitioner_2.reach(), Reach::Agencies { agencies: [OTHER_SCHOOL].into(), children: [].into() });
        // The same child is in reach of the school, the police and the MASH.
        assert!(viewer(PathwayRole::Practitioner, SCHOOL, &[], &[]).may_see_child(CHILD, child));
        assert!(viewer(PathwayRole::PoliceCseOfficer, POLICE, &[Team::PoliceCse], &[]).may_see_child(CHILD, child));
        assert_eq!(viewer(PathwayRole::MashWorker, HEALTH, &[Team::Mash], &[]).reach(), Reach::EveryChild);
        // A child with no involvement at all is seen only by the whole-partnership teams.
        assert!(!viewer(PathwayRole::Spoc, SCHOOL, &[], &[SCHOOL, HEALTH]).may_see_child(CHILD, []));
        // A grant held by someone who may not break glass counts for nothing.
        let granted = Viewer { emergency_children: vec![CHILD], ..practitioner_2.clone() };
        assert!(!granted.may_see_child(CHILD, child));
        assert_eq!(granted.reach(), practitioner_2.reach());
        // A MASH worker outside the MASH team sees their own agency's children, and a
        // child they hold a grant for, with the grant as the reason.
        let outside = Viewer { emergency_children: vec![CHILD], ..viewer(PathwayRole::MashWorker, HEALTH, &[], &[]) };
        assert_eq!(outside.reach(), Reach::Agencies { agencies: [HEALTH].into(), children: [CHILD].into() });
        assert_eq!(outside.basis(CHILD, child), Some(Basis::Emergency));
        assert!(!outside.may_see_child(OTHER_CHILD, child));
    }

    #[test]
    fn the_prosecute_section_never_reaches_a_spoc_or_a_non_police_export() {
        let spoc = viewer(PathwayRole::Spoc, SCHOOL, &[], &[SCHOOL]);
        assert!(!spoc.may_see_section(Section::Prosecute));
        assert!(!spoc.exportable_sections(true).contains(&Section::Prosecute));
        let chair = viewer(PathwayRole::MacseCoChair, HEALTH, &[Team::MacsePanel], &[]);
        assert!(chair.may_see_section(Section::Prosecute));
        assert!(!chair.exportable_sections(true).contains(&Section::Prosecute), "only a police export carries it");
        let police = viewer(PathwayRole::PoliceCseOfficer, POLICE, &[Team::PoliceCse], &[]);
        assert!(police.exportable_sections(true).contains(&Section::Prosecute));
        assert!(!police.exportable_sections(false).contains(&Section::Prosecute));
    }

    #[test]
    fn only_mash_roles_may_break_glass() {
        for role in PathwayRole::ALL {
            assert_eq!(viewer(*role, HEALTH, &[], &[]).may_break_glass(), *role == PathwayRole::MashWorker, "{role:?}");
        }
        assert!(viewer(PathwayRole::Practitioner, HEALTH, &[Team::Mash], &[]).may_break_glass(), "a MASH team member");
    }
}
