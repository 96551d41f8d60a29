//! Demo data for the CSE partnership: fictional agencies, their SPOCs, the teams, and
//! an account for each pathway role, placed in an agency. Names of people, schools
//! and children are invented.

use assure_domain::partnership::{AgencyKind, Team};
use assure_domain::Role;
use chrono::NaiveDate;

use crate::users::NewUser;
use crate::{Actor, Result, Store};

/// The partnership's demo accounts: (e-mail, role, name, job title, agency, teams, SPOC of own agency).
pub fn demo_people() -> Vec<(&'static str, Role, &'static str, &'static str, &'static str, Vec<Team>, bool)> {
    vec![
        ("practitioner@example.org", Role::Practitioner, "Hannah Price", "Designated safeguarding lead", HILLSIDE, vec![], false),
        ("practitioner-2@example.org", Role::Practitioner, "Owen Lloyd", "Pastoral lead", NORTHWAY, vec![], false),
        ("spoc@example.org", Role::Spoc, "Grace Turner", "Deputy head teacher, CSE SPOC", HILLSIDE, vec![], true),
        ("mash-worker@example.org", Role::MashWorker, "Ravi Patel", "MASH social worker", SOCIAL_CARE, vec![Team::Mash], false),
        ("macse-co-chair@example.org", Role::MacseCoChair, "DCI Laura Byrne", "Detective Chief Inspector, MACSE co-chair", POLICE, vec![Team::MacsePanel, Team::PoliceCse], false),
        ("cse-analyst@example.org", Role::CseAnalyst, "Chris Moran", "CSE business officer and analyst", SOCIAL_CARE, vec![Team::CseAnalyst, Team::MacsePanel], false),
        ("police-cse-officer@example.org", Role::PoliceCseOfficer, "DC Sam Hughes", "Detective constable, CSE unit", POLICE, vec![Team::PoliceCse], true),
        ("partnership-manager@example.org", Role::PartnershipManager, "Morgan Ashby", "Safeguarding partnership business manager", SOCIAL_CARE, vec![], false),
        ("notification-officer@example.org", Role::NotificationOfficer, "Jess Carter", "Placement notification officer", SOCIAL_CARE, vec![Team::PlacementNotifications], false),
    ]
}

const HILLSIDE: &str = "Hillside High School";
const NORTHWAY: &str = "Northway Primary School";
const SOCIAL_CARE: &str = "Children's Social Care";
const POLICE: &str = "Merseyside Police";

/// The fictional partnership's agencies.
pub fn demo_agencies() -> Vec<(&'static str, AgencyKind)> {
    vec![
        (POLICE, AgencyKind::Police),
        (SOCIAL_CARE, AgencyKind::ChildrensSocialCare),
        ("Community Health NHS Trust", AgencyKind::Health),
        (HILLSIDE, AgencyKind::Education),
        (NORTHWAY, AgencyKind::Education),
        ("Early Help Locality Team", AgencyKind::EarlyHelp),
        ("Youth Offending Service", AgencyKind::YouthOffending),
        ("Brookside Children's Homes Ltd", AgencyKind::ChildrensHomeProvider),
        ("Licensing Service", AgencyKind::Licensing),
    ]
}

/// Load the partnership: agencies, accounts placed in them, teams and SPOCs.
pub async fn load(store: &Store, _today: NaiveDate, password_hash: &str) -> Result<()> {
    let sys = Actor::system();
    let mut agency = std::collections::HashMap::new();
    for (name, kind) in demo_agencies() {
        agency.insert(name, store.create_agency(&sys, name, Some(kind)).await?);
    }
    for (email, role, name, title, home, teams, spoc) in demo_people() {
        let uid = store.create_user(&sys, NewUser { name, email, role, job_title: title, password_hash }).await?;
        store.set_agency(&sys, uid, agency[home]).await?;
        for t in teams {
            store.add_team_member(&sys, t, uid).await?;
        }
        if spoc {
            store.add_spoc(&sys, agency[home], uid).await?;
        }
    }
    Ok(())
}
