//! Who may do what. Every route in the web edge names one [`Permission`]; the
//! role-to-permission matrix lives here and nowhere else.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Administrator,
    ScrutinyOfficer,
    LeadOfficer,
    CommitteeMember,
}

impl Role {
    pub const ALL: [Role; 4] =
        [Role::Administrator, Role::ScrutinyOfficer, Role::LeadOfficer, Role::CommitteeMember];

    /// Stable identifier used in storage, the CLI and demo e-mail addresses.
    pub fn slug(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::ScrutinyOfficer => "scrutiny-officer",
            Role::LeadOfficer => "lead-officer",
            Role::CommitteeMember => "committee-member",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::ScrutinyOfficer => "Scrutiny officer",
            Role::LeadOfficer => "Lead officer",
            Role::CommitteeMember => "Committee member",
        }
    }

    pub fn from_slug(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.slug() == s)
    }

    /// The role-to-permission matrix.
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match p {
            Public | SignedIn | ViewTracker => true,
            RecordProgress => matches!(self, Role::Administrator | Role::ScrutinyOfficer | Role::LeadOfficer),
            ManageTracker => matches!(self, Role::Administrator | Role::ScrutinyOfficer),
            ViewAudit | ManageUsers | ManageSettings => self == Role::Administrator,
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
}

impl Permission {
    pub const ALL: [Permission; 8] = [
        Permission::Public,
        Permission::SignedIn,
        Permission::ViewTracker,
        Permission::RecordProgress,
        Permission::ManageTracker,
        Permission::ViewAudit,
        Permission::ManageUsers,
        Permission::ManageSettings,
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
        }
    }
}

/// The object-level rule for recommendations: a lead officer may change only a
/// recommendation they lead; scrutiny officers and administrators may change any.
pub fn may_change_recommendation(role: Role, user_id: i64, lead_officer_ids: &[i64]) -> bool {
    match role {
        Role::Administrator | Role::ScrutinyOfficer => true,
        Role::LeadOfficer => lead_officer_ids.contains(&user_id),
        Role::CommitteeMember => false,
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

    #[test]
    fn slugs_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_slug(r.slug()), Some(r));
        }
    }
}
