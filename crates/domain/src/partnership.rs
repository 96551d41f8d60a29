//! The CSE partnership: agencies, teams, the pathway roles, the sections of a child's
//! record, and the one need-to-know rule that decides who sees which child and which
//! parts of the record.
//!
//! The rule is written once, here. A [`Viewer`]'s [`Reach`] is plain data: a single
//! record is checked with [`Reach::admits`], and storage turns the same `Reach` into
//! the filter of every list, search and export, so the two can never disagree.
//!
//! An agency is involved with a child in a [`Scope`]: the agency as a whole, one of the
//! multi-agency teams, or one person. A small agency (a school, a charity) is involved
//! agency-wide: any involvement admits all its people. A large one (police, children's
//! social care, an NHS trust) is involved team by team: its people see a child only
//! through an involvement of a team they sit in, or of themselves; an involvement of the
//! agency as a whole admits only its SPOCs. Involvements made by police-only material
//! (an action in the Prosecute section) count, and show, for police CSE roles and the
//! co-chairs only.

use std::collections::BTreeSet;
use std::fmt;

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
    /// How widely an agency's involvement with a child reaches its own people.
    InvolvementLevel {
        AgencyWide => ("agency-wide", "The whole agency"),
        TeamLevel => ("team", "Team by team"),
    }
);

/// An agency as the partnership manager adds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgencyInput {
    pub name: String,
    pub kind: Option<AgencyKind>,
}

impl AgencyInput {
    pub const FIELDS: &'static [&'static str] = &["name", "kind"];
}

/// An agency ready to save: involved agency-wide or team by team as its kind suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyDetails {
    pub name: String,
    pub kind: AgencyKind,
    pub level: InvolvementLevel,
}

/// A name (at most 200 characters) and a kind. Whether the name is already used is
/// for storage to add.
pub fn check_agency(a: &AgencyInput) -> Result<crate::Checked<AgencyDetails>, crate::Invalid> {
    let mut v = crate::Invalid::new();
    let name = v.required("name", &a.name, "Enter the agency's name");
    v.max_len("name", &name, 200, "The name");
    if a.kind.is_none() {
        v.add("kind", "Select the kind of agency");
    }
    v.finish()?;
    let Some(kind) = a.kind else { return Err(crate::Invalid::single("kind", "Select the kind of agency")) };
    Ok(crate::Checked::new(AgencyDetails { name, kind, level: kind.default_level() }))
}

/// The level the partnership manager chose for an agency.
pub fn check_level(level: Option<InvolvementLevel>) -> Result<crate::Checked<InvolvementLevel>, crate::Invalid> {
    level
        .map(crate::Checked::new)
        .ok_or_else(|| crate::Invalid::single("level", "Select whether the whole agency or only the teams involved see a child"))
}

impl AgencyKind {
    /// Large agencies (police, children's social care, NHS trusts) are involved team by
    /// team unless the partnership manager says otherwise; every other kind agency-wide.
    pub fn default_level(self) -> InvolvementLevel {
        match self {
            AgencyKind::Police | AgencyKind::ChildrensSocialCare | AgencyKind::Health => InvolvementLevel::TeamLevel,
            _ => InvolvementLevel::AgencyWide,
        }
    }
}

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
        PoliceAnalyst => ("police-analyst", "Police analyst (MACSE standing member)"),
        PerformanceAnalyst => ("performance-analyst", "Performance analyst (MACSE standing member)"),
    }
);

impl Team {
    /// Teams whose work covers every child on the pathway.
    pub fn sees_every_child(self) -> bool {
        matches!(self, Team::Mash | Team::MacsePanel | Team::CseAnalyst)
    }

    /// The MACSE panel's standing members outside the panel team (the police analyst and
    /// the performance analyst): they sit on a panel for the children of the slots they
    /// are invited to, and see those children through the invitation.
    pub fn is_standing_member(self) -> bool {
        matches!(self, Team::PoliceAnalyst | Team::PerformanceAnalyst)
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
        PoliceChecks => ("police-checks", "MASH checks: police information"),
        Profile => ("profile", "Plan: profile"),
        Prevent => ("prevent", "Plan: prevent"),
        Protect => ("protect", "Plan: protect"),
        Prosecute => ("prosecute", "Plan: prosecute"),
        Perpetrators => ("perpetrators", "Perpetrators"),
        Operations => ("operations", "Operations"),
        AccessLog => ("access-log", "Who has looked at this record"),
        Placements => ("placements", "Placement notifications"),
        Missing => ("missing", "Missing episodes and return interviews"),
        PanelMinutes => ("panel-minutes", "MACSE panel slots and minutes"),
        ChildProtection => ("child-protection", "Child protection: section 47 enquiry, conferences and plan"),
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
        HoldsPoliceAction => ("holds-police-action", "Holds a police-only plan action"),
        InvitedToPanel => ("invited-to-panel", "Invited to a panel"),
        NotifiedOfPlacement => ("notified-of-placement", "Notified of a placement"),
        RecordedMissing => ("recorded-missing", "Recorded a missing episode or return interview"),
    }
);

impl InvolvementKind {
    /// Made by police-only material: counts, and shows, for police CSE roles and co-chairs only.
    pub fn is_police_only(self) -> bool {
        self == InvolvementKind::HoldsPoliceAction
    }
}

/// Who in an agency an involvement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Scope {
    /// The agency as a whole.
    Agency,
    /// One of the multi-agency teams (the agency's members in it).
    Team(Team),
    /// One person (an account).
    Person(i64),
}

impl Scope {
    /// As stored: `agency`, `team:<slug>`, `person:<id>`.
    pub fn key(self) -> String {
        match self {
            Scope::Agency => "agency".into(),
            Scope::Team(t) => format!("team:{}", t.slug()),
            Scope::Person(id) => format!("person:{id}"),
        }
    }
    pub fn from_key(s: &str) -> Option<Scope> {
        match s.split_once(':') {
            None if s == "agency" => Some(Scope::Agency),
            Some(("team", t)) => Team::from_slug(t).map(Scope::Team),
            Some(("person", id)) => id.parse().ok().map(Scope::Person),
            _ => None,
        }
    }
}

impl From<Scope> for String {
    fn from(s: Scope) -> String {
        s.key()
    }
}

impl TryFrom<String> for Scope {
    type Error = String;
    fn try_from(s: String) -> Result<Scope, String> {
        Scope::from_key(&s).ok_or_else(|| format!("unknown involvement scope {s:?}"))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Agency => f.write_str("the whole agency"),
            Scope::Team(t) => write!(f, "the {} team", t.label()),
            Scope::Person(_) => f.write_str("one named person"),
        }
    }
}

/// One agency's involvement with a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involvement {
    pub agency_id: i64,
    pub kind: InvolvementKind,
    pub scope: Scope,
}

/// Who is looking: their account, role, agency (and how it is involved), their teams
/// and the agencies they are the single point of contact for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: i64,
    pub role: PathwayRole,
    pub agency_id: i64,
    /// The viewer's agency is involved agency-wide (else team by team).
    pub agency_wide: bool,
    pub teams: Vec<Team>,
    pub spoc_for: Vec<i64>,
    /// Children this person holds an active (unexpired) emergency access grant for.
    #[serde(default)]
    pub emergency_children: Vec<i64>,
    /// Children of the MACSE panel slots this person is invited to as a standing member
    /// (they count only for the police and performance analysts).
    #[serde(default)]
    pub panel_children: Vec<i64>,
    /// Children whose cases this person audits in a case-file audit round running today
    /// (exactly the sampled children assigned to them, for the round only).
    #[serde(default)]
    pub audit_children: Vec<i64>,
}

/// Which children a viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reach {
    /// Every child on the pathway (MASH, MACSE panel and analyst teams).
    EveryChild,
    /// Children admitted by these involvements, and these children themselves.
    Limited(Limits),
}

/// The involvements that admit a child to a limited reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Agencies any of whose involvements admit a child: those the viewer is SPOC for,
    /// and their own when it is involved agency-wide.
    pub agencies: BTreeSet<i64>,
    /// The viewer's own agency when it is involved team by team, with the scopes whose
    /// involvements admit a child: the viewer's teams and the viewer in person.
    pub own: Option<(i64, BTreeSet<Scope>)>,
    /// Children held under an active emergency access grant, and those of the panel
    /// slots a standing member is invited to.
    pub children: BTreeSet<i64>,
    /// Whether involvements made by police-only material count (police CSE roles and co-chairs).
    pub police_only_counts: bool,
}

impl Limits {
    /// Does this one involvement admit the child?
    pub fn admits_involvement(&self, i: &Involvement) -> bool {
        (self.police_only_counts || !i.kind.is_police_only())
            && (self.agencies.contains(&i.agency_id) || self.own.as_ref().is_some_and(|(a, scopes)| *a == i.agency_id && scopes.contains(&i.scope)))
    }
}

impl Reach {
    /// The single-record form of the rule: may this child, with these involvements, be seen?
    pub fn admits<I: IntoIterator<Item = Involvement>>(&self, child_id: i64, involvements: I) -> bool {
        match self {
            Reach::EveryChild => true,
            Reach::Limited(l) => l.children.contains(&child_id) || involvements.into_iter().any(|i| l.admits_involvement(&i)),
        }
    }
}

slug_enum!(
    /// A child's legal status.
    LegalStatus {
        NoStatus => ("none", "None", was "no-status"),
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
    /// Their own agency is involved (agency-wide), or is involved through one of their
    /// teams or them in person (team by team).
    OwnAgency(InvolvementKind, Scope),
    /// They are the SPOC of an involved agency.
    Spoc(i64),
    /// An active emergency ("break glass") grant, given with a reason.
    Emergency,
    /// A standing member of the MACSE panel (police or performance analyst) invited to
    /// the child's slot.
    StandingMember(Team),
    /// An auditor assigned the child's case in a case-file audit round that is running.
    CaseFileAudit,
}

impl Basis {
    /// Plain words for the access log (no personal data: agency ids, not names). An
    /// involvement from police-only material is described as a plan action: the log is
    /// read by people who may not know there is a Prosecute section.
    pub fn describe(&self) -> String {
        match self {
            Basis::Team(t) => format!("member of the {} team", t.label()),
            // A police-only involvement is told as an ordinary one of the agency (its
            // team would give the Prosecute action away: ordinary actions are agency-wide).
            Basis::OwnAgency(k, _) if k.is_police_only() => format!("their agency: {}", InvolvementKind::HoldsAction.label().to_lowercase()),
            Basis::OwnAgency(k, scope) => match scope {
                Scope::Agency => format!("their agency: {}", k.label().to_lowercase()),
                Scope::Team(t) => format!("their team ({}): {}", t.label(), k.label().to_lowercase()),
                Scope::Person(_) => format!("themselves: {}", k.label().to_lowercase()),
            },
            Basis::Spoc(a) => format!("SPOC of involved agency {a}"),
            Basis::Emergency => "emergency access (break glass) with a recorded reason".into(),
            Basis::StandingMember(t) => format!("invited to the child's MACSE panel slot as a standing member ({})", t.label()),
            Basis::CaseFileAudit => "auditing the child's case in a case-file audit round while it runs".into(),
        }
    }
}

impl Viewer {
    fn in_team(&self, t: Team) -> bool {
        self.teams.contains(&t)
    }

    /// The scopes of the viewer's own agency's involvements that admit a child to them:
    /// any, agency-wide; team by team, their teams and themselves.
    fn own_scopes(&self) -> BTreeSet<Scope> {
        self.teams.iter().map(|t| Scope::Team(*t)).chain([Scope::Person(self.user_id)]).collect()
    }

    /// The need-to-know rule: the MASH, MACSE panel and analyst teams see every child;
    /// everyone else sees the children their own agency is involved with (agency-wide),
    /// or their team or they themselves are (team by team), and a SPOC also those of the
    /// agencies they speak for; a MASH role also the children they hold an active
    /// emergency access grant for (grants to anyone else count for nothing); a standing
    /// member of the MACSE panel (police or performance analyst) also the children of the
    /// panel slots they are invited to as one. Involvements made by police-only material
    /// count only for police CSE roles and co-chairs.
    pub fn reach(&self) -> Reach {
        if self.teams.iter().any(|t| t.sees_every_child()) {
            return Reach::EveryChild;
        }
        let mut agencies: BTreeSet<i64> = self.spoc_for.iter().copied().collect();
        let own = if self.agency_wide {
            agencies.insert(self.agency_id);
            None
        } else {
            Some((self.agency_id, self.own_scopes()))
        };
        let mut children: BTreeSet<i64> = if self.may_break_glass() { self.emergency_children.iter().copied().collect() } else { BTreeSet::new() };
        if self.standing_team().is_some() {
            children.extend(self.panel_children.iter().copied());
        }
        children.extend(self.audit_children.iter().copied());
        Reach::Limited(Limits { agencies, own, children, police_only_counts: self.may_see_police_only() })
    }

    pub fn may_see_child<I: IntoIterator<Item = Involvement>>(&self, child_id: i64, involvements: I) -> bool {
        self.reach().admits(child_id, involvements)
    }

    /// The reason the rule admits this child, if it does (the same rule as [`Viewer::reach`]).
    pub fn basis<I: IntoIterator<Item = Involvement>>(&self, child_id: i64, involvements: I) -> Option<Basis> {
        if let Some(t) = self.teams.iter().find(|t| t.sees_every_child()) {
            return Some(Basis::Team(*t));
        }
        let police = self.may_see_police_only();
        let inv: Vec<Involvement> = involvements.into_iter().filter(|i| police || !i.kind.is_police_only()).collect();
        let scopes = self.own_scopes();
        if let Some(i) = inv.iter().find(|i| i.agency_id == self.agency_id && (self.agency_wide || scopes.contains(&i.scope))) {
            return Some(Basis::OwnAgency(i.kind, i.scope));
        }
        if let Some(i) = inv.iter().find(|i| self.spoc_for.contains(&i.agency_id)) {
            return Some(Basis::Spoc(i.agency_id));
        }
        if let Some(t) = self.standing_team().filter(|_| self.panel_children.contains(&child_id)) {
            return Some(Basis::StandingMember(t));
        }
        if self.audit_children.contains(&child_id) {
            return Some(Basis::CaseFileAudit);
        }
        (self.may_break_glass() && self.emergency_children.contains(&child_id)).then_some(Basis::Emergency)
    }

    /// The standing-member team (police or performance analyst) this person sits in, if any.
    pub fn standing_team(&self) -> Option<Team> {
        self.teams.iter().copied().find(|t| t.is_standing_member())
    }

    /// The involvements of a child this viewer may be shown (those made by police-only
    /// material only to police CSE roles and co-chairs).
    pub fn shown_involvements(&self, involvements: &[Involvement]) -> Vec<Involvement> {
        let police = self.may_see_police_only();
        involvements.iter().filter(|i| police || !i.kind.is_police_only()).copied().collect()
    }

    /// The scopes in which this person's own work (a concern they raise, an episode
    /// they record) involves their agency: the agency as a whole when it is involved
    /// agency-wide; team by team, each of their teams that does not already see every
    /// child, or else them in person.
    pub fn acting_scopes(&self) -> Vec<Scope> {
        if self.agency_wide {
            return vec![Scope::Agency];
        }
        let teams: Vec<Scope> = self.teams.iter().filter(|t| !t.sees_every_child()).map(|t| Scope::Team(*t)).collect();
        if teams.is_empty() {
            vec![Scope::Person(self.user_id)]
        } else {
            teams
        }
    }

    /// Police CSE roles (the role, or the police CSE unit) and the MACSE co-chairs.
    pub fn is_police_cse(&self) -> bool {
        self.role == PathwayRole::PoliceCseOfficer || self.in_team(Team::PoliceCse)
    }

    /// Who may see police-only material: police CSE roles and the MACSE co-chairs.
    pub fn may_see_police_only(&self) -> bool {
        self.is_police_cse() || self.role == PathwayRole::MacseCoChair
    }

    /// Within a child the viewer may see: police-only sections need a police CSE role or
    /// a co-chair; what the police told the MASH is also for the MASH; the access log is
    /// for the MASH, the co-chairs and the partnership manager; every other section is
    /// open to whoever may see the child.
    pub fn may_see_section(&self, s: Section) -> bool {
        if s.is_police_only() {
            return self.may_see_police_only();
        }
        match s {
            Section::PoliceChecks => self.may_see_police_only() || self.in_team(Team::Mash) || self.role == PathwayRole::MashWorker,
            Section::AccessLog => {
                self.in_team(Team::Mash) || matches!(self.role, PathwayRole::MashWorker | PathwayRole::MacseCoChair | PathwayRole::PartnershipManager)
            }
            _ => true,
        }
    }

    /// Emergency ("break glass") access, with a reason, is for MASH roles only.
    pub fn may_break_glass(&self) -> bool {
        self.role == PathwayRole::MashWorker || self.in_team(Team::Mash)
    }

    /// Possible duplicates and merging them are for the MASH team.
    pub fn may_merge_duplicates(&self) -> bool {
        self.in_team(Team::Mash)
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

    const ME: i64 = 100;
    const SOMEONE_ELSE: i64 = 101;

    fn viewer(role: PathwayRole, agency: i64, teams: &[Team], spoc_for: &[i64]) -> Viewer {
        Viewer {
            user_id: ME,
            role,
            agency_id: agency,
            agency_wide: true,
            teams: teams.to_vec(),
            spoc_for: spoc_for.to_vec(),
            emergency_children: vec![],
            panel_children: vec![],
            audit_children: vec![],
        }
    }

    fn involved(agency: i64, kind: InvolvementKind) -> Involvement {
        Involvement { agency_id: agency, kind, scope: Scope::Agency }
    }

    /// Every combination of role, team membership, agency level, SPOC duty, grant and
    /// involvement (agency, kind, scope), checked against the rule's sentences restated
    /// independently of the implementation.
    #[test]
    fn the_need_to_know_matrix() {
        let team_sets: Vec<Vec<Team>> = std::iter::once(vec![]).chain(Team::ALL.iter().map(|t| vec![*t])).collect();
        let agencies = [SCHOOL, POLICE, HEALTH, OTHER_SCHOOL];
        let scopes = [Scope::Agency, Scope::Team(Team::HealthLead), Scope::Team(Team::PoliceCse), Scope::Person(ME), Scope::Person(SOMEONE_ELSE)];
        let mut checked = 0;
        for role in PathwayRole::ALL {
            for teams in &team_sets {
                for own in agencies {
                    for agency_wide in [true, false] {
                        for spoc in [vec![], vec![own], vec![HEALTH]] {
                            for (grants, panel) in [(vec![], vec![]), (vec![CHILD], vec![]), (vec![], vec![CHILD])] {
                                let v = Viewer {
                                    agency_wide,
                                    emergency_children: grants.clone(),
                                    panel_children: panel.clone(),
                                    ..viewer(*role, own, teams, &spoc)
                                };
                                // "sits in the MASH / MACSE / analyst teams"
                                let whole_team = teams.iter().any(|t| matches!(t, Team::Mash | Team::MacsePanel | Team::CseAnalyst));
                                // "police CSE roles (the role or the unit) and the co-chairs"
                                let police =
                                    *role == PathwayRole::PoliceCseOfficer || *role == PathwayRole::MacseCoChair || teams.contains(&Team::PoliceCse);
                                // "Emergency access ... is allowed for MASH roles only": a grant for this child, held by a MASH role
                                let mash_role = *role == PathwayRole::MashWorker || teams.contains(&Team::Mash);
                                // "a standing member (police or performance analyst) sees the children of the
                                // panel slots they are invited to as one"
                                let standing = teams.iter().any(|t| matches!(t, Team::PoliceAnalyst | Team::PerformanceAnalyst));
                                for child_agency in agencies {
                                    for kind in InvolvementKind::ALL {
                                        for scope in scopes {
                                            for child_id in [CHILD, OTHER_CHILD] {
                                                let child = [Involvement { agency_id: child_agency, kind: *kind, scope }];
                                                // "an involvement from police-only material counts only for police roles and co-chairs"
                                                let counts = police || *kind != InvolvementKind::HoldsPoliceAction;
                                                // "their agency is involved": agency-wide, any involvement of it; team by team,
                                                // one of their team's or their own
                                                let in_scope = match scope {
                                                    Scope::Agency => false,
                                                    Scope::Team(t) => teams.contains(&t),
                                                    Scope::Person(p) => p == ME,
                                                };
                                                let own_agency = child_agency == own && (agency_wide || in_scope);
                                                // "or they are the SPOC of an involved agency"
                                                let spoc_of = spoc.contains(&child_agency);
                                                let emergency = mash_role && grants.contains(&child_id);
                                                let on_panel = standing && panel.contains(&child_id);
                                                let expected = whole_team || counts && (own_agency || spoc_of) || emergency || on_panel;
                                                assert_eq!(v.may_see_child(child_id, child), expected, "{v:?} / {child_id} {child:?}");
                                                assert_eq!(v.basis(child_id, child).is_some(), expected, "{v:?} / {child_id} {child:?}");
                                                if expected && !(whole_team || counts && (own_agency || spoc_of)) {
                                                    let why =
                                                        if on_panel { Basis::StandingMember(v.standing_team().unwrap()) } else { Basis::Emergency };
                                                    assert_eq!(v.basis(child_id, child), Some(why));
                                                }
                                                // A child with no involvement at all: the teams, a grant, or a panel slot.
                                                assert_eq!(
                                                    v.may_see_child(child_id, []),
                                                    whole_team || emergency || on_panel,
                                                    "{v:?} / {child_id} uninvolved"
                                                );
                                                // What is shown of the child's involvements.
                                                assert_eq!(v.shown_involvements(&child).len(), usize::from(counts), "{v:?} / {child:?}");
                                                checked += 1;
                                            }
                                        }
                                    }
                                }
                                for s in Section::ALL {
                                    let expected = match s {
                                        Section::Prosecute | Section::Perpetrators | Section::Operations => police,
                                        Section::PoliceChecks => police || mash_role,
                                        Section::AccessLog => {
                                            teams.contains(&Team::Mash)
                                                || matches!(
                                                    role,
                                                    PathwayRole::MashWorker | PathwayRole::MacseCoChair | PathwayRole::PartnershipManager
                                                )
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
        }
        assert!(checked > 100_000, "{checked}");
    }

    #[test]
    fn a_child_no_one_in_the_viewers_agencies_is_involved_with_is_out_of_reach() {
        let practitioner_2 = viewer(PathwayRole::Practitioner, OTHER_SCHOOL, &[], &[]);
        let child = [involved(SCHOOL, InvolvementKind::RaisedConcern), involved(POLICE, InvolvementKind::InvitedToPanel)];
        assert!(!practitioner_2.may_see_child(CHILD, child));
        let limits = |agencies: &[i64], children: &[i64]| {
            Reach::Limited(Limits {
                agencies: agencies.iter().copied().collect(),
                own: None,
                children: children.iter().copied().collect(),
                police_only_counts: false,
            })
        };
        assert_eq!(practitioner_2.reach(), limits(&[OTHER_SCHOOL], &[]));
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
        assert_eq!(outside.reach(), limits(&[HEALTH], &[CHILD]));
        assert_eq!(outside.basis(CHILD, child), Some(Basis::Emergency));
        assert!(!outside.may_see_child(OTHER_CHILD, child));
    }

    /// The health lead's trust is large: a placement routed to the health lead team
    /// reaches that team, not every nurse in the trust; the trust as a whole reaches its SPOC.
    #[test]
    fn a_large_agency_is_involved_team_by_team() {
        let lead = Viewer { agency_wide: false, ..viewer(PathwayRole::Practitioner, HEALTH, &[Team::HealthLead], &[]) };
        let nurse = Viewer { user_id: SOMEONE_ELSE, agency_wide: false, ..viewer(PathwayRole::Practitioner, HEALTH, &[], &[]) };
        let spoc = Viewer { user_id: 102, agency_wide: false, ..viewer(PathwayRole::Spoc, HEALTH, &[], &[HEALTH]) };
        let routed = [Involvement { agency_id: HEALTH, kind: InvolvementKind::NotifiedOfPlacement, scope: Scope::Team(Team::HealthLead) }];
        assert!(lead.may_see_child(CHILD, routed));
        assert_eq!(lead.basis(CHILD, routed), Some(Basis::OwnAgency(InvolvementKind::NotifiedOfPlacement, Scope::Team(Team::HealthLead))));
        assert!(!nurse.may_see_child(CHILD, routed), "another nurse of the trust is not in the team");
        assert!(spoc.may_see_child(CHILD, routed), "the trust's SPOC speaks for all of it");
        // The nurse's own concern reaches the nurse, in person.
        assert_eq!(nurse.acting_scopes(), vec![Scope::Person(SOMEONE_ELSE)]);
        let raised = [Involvement { agency_id: HEALTH, kind: InvolvementKind::RaisedConcern, scope: Scope::Person(SOMEONE_ELSE) }];
        assert!(nurse.may_see_child(CHILD, raised) && !lead.may_see_child(CHILD, raised) && spoc.may_see_child(CHILD, raised));
        // An involvement of the trust as a whole reaches only its SPOC.
        let whole = [involved(HEALTH, InvolvementKind::HoldsAction)];
        assert!(!lead.may_see_child(CHILD, whole) && !nurse.may_see_child(CHILD, whole) && spoc.may_see_child(CHILD, whole));
        // A school is involved as a whole, whoever acted.
        assert_eq!(viewer(PathwayRole::Practitioner, SCHOOL, &[Team::EducationLead], &[]).acting_scopes(), vec![Scope::Agency]);
        assert_eq!(lead.acting_scopes(), vec![Scope::Team(Team::HealthLead)]);
        // Defaults by kind.
        assert_eq!(AgencyKind::Police.default_level(), InvolvementLevel::TeamLevel);
        assert_eq!(AgencyKind::Health.default_level(), InvolvementLevel::TeamLevel);
        assert_eq!(AgencyKind::Education.default_level(), InvolvementLevel::AgencyWide);
    }

    /// A police-only plan action makes the police involved for police eyes only: the SPOC
    /// of the police does not see the child through it unless they are police CSE, and
    /// the access log describes it as a plan action.
    #[test]
    fn police_only_material_has_no_shadow() {
        let prosecute = [Involvement { agency_id: POLICE, kind: InvolvementKind::HoldsPoliceAction, scope: Scope::Team(Team::PoliceCse) }];
        let officer = Viewer { agency_wide: false, ..viewer(PathwayRole::PoliceCseOfficer, POLICE, &[Team::PoliceCse], &[]) };
        let spoc = viewer(PathwayRole::Spoc, SCHOOL, &[], &[POLICE]);
        assert!(officer.may_see_child(CHILD, prosecute));
        assert!(!spoc.may_see_child(CHILD, prosecute));
        assert!(spoc.shown_involvements(&prosecute).is_empty());
        assert_eq!(officer.shown_involvements(&prosecute), prosecute.to_vec());
        let basis = officer.basis(CHILD, prosecute).unwrap().describe();
        assert_eq!(basis, "their agency: holds a plan action", "no team named: an ordinary plan action is agency-wide");
    }

    #[test]
    fn scopes_round_trip_as_stored() {
        for s in [Scope::Agency, Scope::Team(Team::MissingFromHome), Scope::Person(42)] {
            assert_eq!(Scope::from_key(&s.key()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.key()));
        }
        assert_eq!(Scope::from_key("team:nonsense"), None);
        assert_eq!(Scope::from_key("person:x"), None);
    }

    #[test]
    fn the_prosecute_section_never_reaches_a_spoc_or_a_non_police_export() {
        let spoc = viewer(PathwayRole::Spoc, SCHOOL, &[], &[SCHOOL]);
        assert!(!spoc.may_see_section(Section::Prosecute));
        assert!(!spoc.may_see_section(Section::PoliceChecks));
        assert!(!spoc.exportable_sections(true).contains(&Section::Prosecute));
        let chair = viewer(PathwayRole::MacseCoChair, HEALTH, &[Team::MacsePanel], &[]);
        assert!(chair.may_see_section(Section::Prosecute));
        assert!(!chair.exportable_sections(true).contains(&Section::Prosecute), "only a police export carries it");
        let police = viewer(PathwayRole::PoliceCseOfficer, POLICE, &[Team::PoliceCse], &[]);
        assert!(police.exportable_sections(true).contains(&Section::Prosecute));
        assert!(!police.exportable_sections(false).contains(&Section::Prosecute));
        assert!(viewer(PathwayRole::MashWorker, HEALTH, &[Team::Mash], &[]).may_see_section(Section::PoliceChecks), "the MASH records the checks");
    }

    /// The police and performance analysts sit on the panel as standing members: they see
    /// the children of the slots they are invited to (with that as the reason), and no
    /// other; the same invitation held by someone outside those teams counts for nothing.
    #[test]
    fn a_standing_member_sees_the_children_of_their_panel_slots() {
        for team in [Team::PoliceAnalyst, Team::PerformanceAnalyst] {
            let analyst = Viewer { agency_wide: false, panel_children: vec![CHILD], ..viewer(PathwayRole::Practitioner, POLICE, &[team], &[]) };
            assert!(analyst.may_see_child(CHILD, []));
            assert_eq!(analyst.basis(CHILD, []), Some(Basis::StandingMember(team)));
            assert!(analyst.basis(CHILD, []).unwrap().describe().contains("standing member"));
            assert!(!analyst.may_see_child(OTHER_CHILD, [involved(SCHOOL, InvolvementKind::InvitedToPanel)]));
            assert!(!analyst.may_see_section(Section::Prosecute), "no police-only section through the panel");
            let not_invited = Viewer { panel_children: vec![], ..analyst.clone() };
            assert!(!not_invited.may_see_child(CHILD, []));
        }
        let practitioner = Viewer { panel_children: vec![CHILD], ..viewer(PathwayRole::Practitioner, SCHOOL, &[], &[]) };
        assert!(!practitioner.may_see_child(CHILD, []), "only standing members");
    }

    /// An auditor assigned a case in a running round sees that child, and no other, on
    /// the audit's basis; without the assignment (the round over) the child is out of reach.
    #[test]
    fn an_auditor_sees_exactly_the_assigned_children() {
        let auditor = Viewer { agency_wide: false, audit_children: vec![CHILD], ..viewer(PathwayRole::Practitioner, HEALTH, &[], &[]) };
        assert!(auditor.may_see_child(CHILD, []));
        assert_eq!(auditor.basis(CHILD, []), Some(Basis::CaseFileAudit));
        assert!(!auditor.may_see_child(CHILD + 1, []));
        let after = Viewer { audit_children: vec![], ..auditor.clone() };
        assert!(!after.may_see_child(CHILD, []));
        assert!(Basis::CaseFileAudit.describe().contains("case-file audit"));
    }

    #[test]
    fn only_mash_roles_may_break_glass() {
        for role in PathwayRole::ALL {
            assert_eq!(viewer(*role, HEALTH, &[], &[]).may_break_glass(), *role == PathwayRole::MashWorker, "{role:?}");
        }
        assert!(viewer(PathwayRole::Practitioner, HEALTH, &[Team::Mash], &[]).may_break_glass(), "a MASH team member");
    }
}
