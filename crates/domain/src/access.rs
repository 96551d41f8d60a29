//! Who may do what. Every route in the web edge names one [`Permission`]; the
//! role-to-permission matrix lives here and nowhere else. Which *child* a pathway
//! role may see is the need-to-know rule in [`crate::partnership`].

use serde::Serialize;

use crate::partnership::PathwayRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Administrator,
    ScrutinyOfficer,
    LeadOfficer,
    CommitteeMember,
    /// The CSE partnership's people; they never see the tracker, and the tracker's
    /// roles never see a child.
    Practitioner,
    Spoc,
    MashWorker,
    MacseCoChair,
    CseAnalyst,
    PoliceCseOfficer,
    PartnershipManager,
    NotificationOfficer,
    /// The information governance officer: answers subject access requests, places
    /// legal holds and confirms what the retention policy destroys. Sees no child through
    /// the pathway and nothing of the tracker.
    IgOfficer,
    /// The democratic services officer (the clerk): keeps the bodies' meetings, agendas,
    /// attendance and minutes; reads the tracker (to put its monitoring reports on an
    /// agenda); never sees a child.
    Clerk,
}

impl Role {
    pub const ALL: [Role; 14] = [
        Role::Administrator,
        Role::ScrutinyOfficer,
        Role::LeadOfficer,
        Role::CommitteeMember,
        Role::Practitioner,
        Role::Spoc,
        Role::MashWorker,
        Role::MacseCoChair,
        Role::CseAnalyst,
        Role::PoliceCseOfficer,
        Role::PartnershipManager,
        Role::NotificationOfficer,
        Role::IgOfficer,
        Role::Clerk,
    ];

    /// The tracker's roles (the recommendation tracker; never a child).
    pub fn is_tracker(self) -> bool {
        matches!(self, Role::Administrator | Role::ScrutinyOfficer | Role::LeadOfficer | Role::CommitteeMember | Role::Clerk)
    }

    /// Stable identifier used in storage, the CLI and demo e-mail addresses.
    pub fn slug(self) -> &'static str {
        match self.pathway() {
            Some(p) => p.slug(),
            None => match self {
                Role::Administrator => "administrator",
                Role::ScrutinyOfficer => "scrutiny-officer",
                Role::LeadOfficer => "lead-officer",
                Role::IgOfficer => "ig-officer",
                Role::Clerk => "clerk",
                _ => "committee-member",
            },
        }
    }

    pub fn label(self) -> &'static str {
        match self.pathway() {
            Some(p) => p.label(),
            None => match self {
                Role::Administrator => "Administrator",
                Role::ScrutinyOfficer => "Scrutiny officer",
                Role::LeadOfficer => "Lead officer",
                Role::IgOfficer => "Information governance officer",
                Role::Clerk => "Democratic services officer (clerk)",
                _ => "Committee member",
            },
        }
    }

    /// The role on the CSE pathway, for the partnership's people.
    pub fn pathway(self) -> Option<PathwayRole> {
        Some(match self {
            Role::Practitioner => PathwayRole::Practitioner,
            Role::Spoc => PathwayRole::Spoc,
            Role::MashWorker => PathwayRole::MashWorker,
            Role::MacseCoChair => PathwayRole::MacseCoChair,
            Role::CseAnalyst => PathwayRole::CseAnalyst,
            Role::PoliceCseOfficer => PathwayRole::PoliceCseOfficer,
            Role::PartnershipManager => PathwayRole::PartnershipManager,
            Role::NotificationOfficer => PathwayRole::NotificationOfficer,
            Role::Administrator | Role::ScrutinyOfficer | Role::LeadOfficer | Role::CommitteeMember | Role::IgOfficer | Role::Clerk => return None,
        })
    }

    pub fn from_slug(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.slug() == s)
    }

    /// The role-to-permission matrix.
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        let tracker = self.is_tracker();
        match p {
            Public | SignedIn => true,
            ViewTracker => tracker,
            RecordProgress => matches!(self, Role::Administrator | Role::ScrutinyOfficer | Role::LeadOfficer),
            ManageTracker => matches!(self, Role::Administrator | Role::ScrutinyOfficer),
            ViewAudit | ManageUsers | ManageSettings | ReviewEmergencyAccess => self == Role::Administrator,
            ViewChildren => self.pathway().is_some(),
            SubjectAccess => self == Role::IgOfficer,
            RaiseConcern => matches!(self, Role::Practitioner | Role::Spoc | Role::MashWorker | Role::PoliceCseOfficer),
            DecideReferrals => self == Role::MashWorker,
            RunPanels => matches!(self, Role::CseAnalyst | Role::MacseCoChair),
            RecordPoliceCse => matches!(self, Role::PoliceCseOfficer | Role::MacseCoChair),
            ManagePartnership => matches!(self, Role::PartnershipManager | Role::Administrator),
            RecordPlacements => self == Role::NotificationOfficer,
            ViewDatasets => self.pathway().is_some() || self == Role::CommitteeMember,
            RunDatasets => matches!(self, Role::PartnershipManager | Role::CseAnalyst),
            ViewQuarterlyReports => {
                matches!(self, Role::PartnershipManager | Role::CseAnalyst | Role::MacseCoChair | Role::PoliceCseOfficer | Role::CommitteeMember)
            }
            ViewMeetings => tracker,
            RunMeetings => matches!(self, Role::Clerk | Role::Administrator),
            KeepWorkProgramme => matches!(self, Role::ScrutinyOfficer | Role::Administrator),
            ViewPlans => tracker || matches!(self, Role::PartnershipManager | Role::CseAnalyst | Role::MacseCoChair | Role::PoliceCseOfficer),
            KeepPlans => matches!(self, Role::Administrator | Role::ScrutinyOfficer | Role::PartnershipManager | Role::CseAnalyst),
            UpdatePlanActions => {
                matches!(self, Role::Administrator | Role::ScrutinyOfficer | Role::LeadOfficer | Role::PartnershipManager | Role::CseAnalyst)
            }
            RecordMissing => matches!(
                self,
                Role::Practitioner | Role::Spoc | Role::MashWorker | Role::PoliceCseOfficer | Role::CseAnalyst | Role::NotificationOfficer
            ),
        }
    }
}

impl PathwayRole {
    /// The account role this pathway role is.
    pub fn role(self) -> Role {
        match self {
            PathwayRole::Practitioner => Role::Practitioner,
            PathwayRole::Spoc => Role::Spoc,
            PathwayRole::MashWorker => Role::MashWorker,
            PathwayRole::MacseCoChair => Role::MacseCoChair,
            PathwayRole::CseAnalyst => Role::CseAnalyst,
            PathwayRole::PoliceCseOfficer => Role::PoliceCseOfficer,
            PathwayRole::PartnershipManager => Role::PartnershipManager,
            PathwayRole::NotificationOfficer => Role::NotificationOfficer,
        }
    }
}

impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Role::from_slug(&s).ok_or_else(|| format!("unknown role {s:?}"))
    }
}

/// What a route requires. Deny by default: a route with no permission is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    /// No sign-in needed (sign-in page, health check, stylesheet).
    Public,
    /// Any signed-in account (sign out, home page).
    SignedIn,
    /// Read reviews, recommendations, reports, dashboards.
    ViewTracker,
    /// Write progress updates, actions, revised dates and lifecycle on recommendations
    /// the account leads (scrutiny officers and administrators: on any).
    RecordProgress,
    /// Keep bodies, reviews, recommendations, endorsements, responses, sign-off,
    /// schedules and update requests.
    ManageTracker,
    ViewAudit,
    ManageUsers,
    ManageSettings,
    /// Pathway: search and open children's records (each record then checks the
    /// need-to-know rule), panel agendas, plans.
    ViewChildren,
    /// Pathway: record a concern (CSE 1), the CSE 2 screening and the referral.
    RaiseConcern,
    /// Pathway: the MASH queue, multi-agency checks, decisions, merging duplicates and
    /// emergency access.
    DecideReferrals,
    /// Pathway: MACSE panels, slots, invitations, attendance, minutes and plans.
    RunPanels,
    /// Pathway: police CSE flags and prevent / prosecute operations.
    RecordPoliceCse,
    /// Pathway: agencies, SPOCs, teams, the screening tool and the panel series.
    ManagePartnership,
    /// Review every use of emergency ("break glass") access.
    ReviewEmergencyAccess,
    /// Placements: record notifications from placing authorities, placements found
    /// without one, escalations and providers of concern.
    RecordPlacements,
    /// Missing episodes and return interviews.
    RecordMissing,
    /// Information governance: export everything held about one child (a subject
    /// access request), place and lift legal holds, and confirm what the retention
    /// policy destroys. Audited; no other role has it.
    SubjectAccess,
    /// The monthly CSE dataset: months and their figures, as the role may see them
    /// (in full for the partnership's analysts, managers, co-chairs and police; small
    /// numbers suppressed for committee members; a practitioner's own agency's
    /// referral counts only).
    ViewDatasets,
    /// Close a month of the CSE dataset (the partnership manager and the analyst).
    RunDatasets,
    /// The quarterly MACSE and Cabinet reports: in full for the partnership's analysts,
    /// managers, co-chairs and police; signed ones, small numbers suppressed, for
    /// committee members. (Signing is the MACSE co-chairs' alone: the domain's rule.)
    ViewQuarterlyReports,
    /// Committee meetings: bodies' meetings, published agendas, approved minutes, the
    /// work programme and the calendar (members see no draft until it is published).
    ViewMeetings,
    /// Keep meetings, agendas, attendance, declarations, minutes and resolutions (the
    /// democratic services officer, and administrators).
    RunMeetings,
    /// Keep a body's work programme (scrutiny officers, and administrators).
    KeepWorkProgramme,
    /// Improvement plans, statements of action, strategies and scorecards: everyone
    /// who reads the tracker, and the partnership's managers, analysts, co-chairs and
    /// police (the CSE strategy and its scorecard are theirs).
    ViewPlans,
    /// Import and re-draft plans, start scorecards, add measures, enter values and
    /// link measures to actions (scrutiny officers, administrators, the partnership
    /// manager and the CSE analyst).
    KeepPlans,
    /// Update a plan action: commentary, review date, RAG (lead officers as well as
    /// those who keep the plans).
    UpdatePlanActions,
}

impl Permission {
    pub const ALL: [Permission; 27] = [
        Permission::Public,
        Permission::SignedIn,
        Permission::ViewTracker,
        Permission::RecordProgress,
        Permission::ManageTracker,
        Permission::ViewAudit,
        Permission::ManageUsers,
        Permission::ManageSettings,
        Permission::ViewChildren,
        Permission::RaiseConcern,
        Permission::DecideReferrals,
        Permission::RunPanels,
        Permission::RecordPoliceCse,
        Permission::ManagePartnership,
        Permission::ReviewEmergencyAccess,
        Permission::RecordPlacements,
        Permission::RecordMissing,
        Permission::SubjectAccess,
        Permission::ViewDatasets,
        Permission::RunDatasets,
        Permission::ViewQuarterlyReports,
        Permission::ViewMeetings,
        Permission::RunMeetings,
        Permission::KeepWorkProgramme,
        Permission::ViewPlans,
        Permission::KeepPlans,
        Permission::UpdatePlanActions,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Permission::Public => "public",
            Permission::SignedIn => "signed-in",
            Permission::ViewTracker => "view-tracker",
            Permission::RecordProgress => "record-progress",
            Permission::ManageTracker => "manage-tracker",
            Permission::ViewAudit => "view-audit",
            Permission::ManageUsers => "manage-users",
            Permission::ManageSettings => "manage-settings",
            Permission::ViewChildren => "view-children",
            Permission::RaiseConcern => "raise-concern",
            Permission::DecideReferrals => "decide-referrals",
            Permission::RunPanels => "run-panels",
            Permission::RecordPoliceCse => "record-police-cse",
            Permission::ManagePartnership => "manage-partnership",
            Permission::ReviewEmergencyAccess => "review-emergency-access",
            Permission::RecordPlacements => "record-placements",
            Permission::RecordMissing => "record-missing",
            Permission::SubjectAccess => "subject-access",
            Permission::ViewDatasets => "view-datasets",
            Permission::RunDatasets => "run-datasets",
            Permission::ViewQuarterlyReports => "view-quarterly-reports",
            Permission::ViewMeetings => "view-meetings",
            Permission::RunMeetings => "run-meetings",
            Permission::KeepWorkProgramme => "keep-work-programme",
            Permission::ViewPlans => "view-plans",
            Permission::KeepPlans => "keep-plans",
            Permission::UpdatePlanActions => "update-plan-actions",
        }
    }
}

/// The object-level rule for recommendations: a lead officer may change only a
/// recommendation they lead; scrutiny officers and administrators may change any.
pub fn may_change_recommendation(role: Role, user_id: i64, lead_officer_ids: &[i64]) -> bool {
    match role {
        Role::Administrator | Role::ScrutinyOfficer => true,
        Role::LeadOfficer => lead_officer_ids.contains(&user_id),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committee_members_only_read() {
        let r = Role::CommitteeMember;
        assert!(r.allows(Permission::ViewTracker));
        for p in [Permission::RecordProgress, Permission::ManageTracker, Permission::ViewAudit, Permission::ManageUsers] {
            assert!(!r.allows(p), "{p:?}");
        }
    }

    #[test]
    fn lead_officer_changes_only_what_they_lead() {
        assert!(may_change_recommendation(Role::LeadOfficer, 7, &[3, 7]));
        assert!(!may_change_recommendation(Role::LeadOfficer, 7, &[3]));
        assert!(may_change_recommendation(Role::ScrutinyOfficer, 7, &[3]));
        assert!(!may_change_recommendation(Role::CommitteeMember, 7, &[7]));
    }

    #[test]
    fn only_administrators_see_the_audit_log() {
        for r in Role::ALL {
            assert_eq!(r.allows(Permission::ViewAudit), r == Role::Administrator);
        }
    }

    /// The tracker's roles never reach a child; the partnership's never the tracker.
    #[test]
    fn children_and_the_tracker_are_kept_apart() {
        for r in Role::ALL {
            let pathway = r.pathway().is_some();
            assert_eq!(r.allows(Permission::ViewChildren), pathway, "{r:?}");
            assert_eq!(r.allows(Permission::ViewTracker), r.is_tracker(), "{r:?}");
            assert!(!(pathway && r.is_tracker()), "{r:?}");
            for p in [Permission::RaiseConcern, Permission::DecideReferrals, Permission::RunPanels, Permission::RecordPoliceCse] {
                assert!(!r.allows(p) || pathway, "{r:?} {p:?}");
            }
        }
        assert!(Role::MashWorker.allows(Permission::DecideReferrals));
        assert!(!Role::Practitioner.allows(Permission::DecideReferrals));
        assert!(!Role::Spoc.allows(Permission::RecordPoliceCse));
    }

    /// Only the information governance officer answers subject access requests, holds
    /// and retention; they see no child through the pathway and nothing of the tracker.
    #[test]
    fn only_the_ig_officer_has_subject_access() {
        for r in Role::ALL {
            assert_eq!(r.allows(Permission::SubjectAccess), r == Role::IgOfficer, "{r:?}");
        }
        let ig = Role::IgOfficer;
        assert_eq!(ig.slug(), "ig-officer");
        assert!(ig.pathway().is_none() && !ig.is_tracker());
        for p in Permission::ALL {
            let expected = matches!(p, Permission::Public | Permission::SignedIn | Permission::SubjectAccess);
            assert_eq!(ig.allows(p), expected, "{p:?}");
        }
    }

    /// The clerk keeps meetings and reads the tracker; scrutiny officers keep the work
    /// programme; members read; no one here sees a child.
    #[test]
    fn the_clerk_keeps_meetings_and_never_sees_a_child() {
        for r in Role::ALL {
            assert_eq!(r.allows(Permission::RunMeetings), matches!(r, Role::Clerk | Role::Administrator), "{r:?}");
            assert_eq!(r.allows(Permission::KeepWorkProgramme), matches!(r, Role::ScrutinyOfficer | Role::Administrator), "{r:?}");
            assert!(!r.allows(Permission::RunMeetings) || !r.allows(Permission::ViewChildren), "{r:?}");
        }
        let c = Role::Clerk;
        assert_eq!((c.slug(), Role::from_slug("clerk")), ("clerk", Some(Role::Clerk)));
        assert!(c.allows(Permission::ViewMeetings) && c.allows(Permission::ViewTracker));
        for p in [Permission::ManageTracker, Permission::RecordProgress, Permission::ViewChildren, Permission::ViewDatasets, Permission::ManageUsers]
        {
            assert!(!c.allows(p), "{p:?}");
        }
        assert!(Role::CommitteeMember.allows(Permission::ViewMeetings));
    }

    #[test]
    fn slugs_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_slug(r.slug()), Some(r));
            if let Some(p) = r.pathway() {
                assert_eq!(p.role(), r);
            }
        }
    }
}
