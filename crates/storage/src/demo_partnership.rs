//! Demo data for the CSE partnership: fictional agencies, their SPOCs, the teams, and
//! an account for each pathway role, placed in an agency. Names of people, schools
//! and children are invented.

use std::collections::HashMap;

use assure_domain::marac::MaracInput;
use assure_domain::monitoring::{ChallengeInput, Period};
use assure_domain::panels::{parse_time, Attendance, InviteeKind, OperationKind, PanelStatus};
use assure_domain::partnership::{AgencyKind, LegalStatus, Section, Team};
use assure_domain::plan::{ActionStatus, PlanAction, PlanVersion, SectionText};
use assure_domain::referral::{CheckInput, ConcernInput, ConcernReporter, DecisionInput, MashDecision, ReferralSource};
use assure_domain::Role;
use chrono::{Datelike, Duration, NaiveDate};

use crate::child_access::{ChildKey, ChildRecord, Reader};
use crate::children::ChildInput;
use crate::referrals::{ChildRef, ConcernForm, Raised};
use crate::users::NewUser;
use crate::{Actor, Result, Store};

/// A demo account: (e-mail, role, name, job title, agency, teams, SPOC of own agency).
pub type DemoPerson = (&'static str, Role, &'static str, &'static str, &'static str, Vec<Team>, bool);

/// The partnership's demo accounts.
pub fn demo_people() -> Vec<DemoPerson> {
    vec![
        ("practitioner@example.org", Role::Practitioner, "Hannah Price", "Designated safeguarding lead", HILLSIDE, vec![], false),
        ("practitioner-2@example.org", Role::Practitioner, "Owen Lloyd", "Pastoral lead", NORTHWAY, vec![], false),
        ("spoc@example.org", Role::Spoc, "Grace Turner", "Deputy head teacher, CSE SPOC", HILLSIDE, vec![], true),
        ("mash-worker@example.org", Role::MashWorker, "Ravi Patel", "MASH social worker", SOCIAL_CARE, vec![Team::Mash], false),
        (
            "macse-co-chair@example.org",
            Role::MacseCoChair,
            "DCI Laura Byrne",
            "Detective Chief Inspector, MACSE co-chair",
            POLICE,
            vec![Team::MacsePanel, Team::PoliceCse],
            false,
        ),
        (
            "macse-co-chair-2@example.org",
            Role::MacseCoChair,
            "Sue Whitmore",
            "Safeguarding service manager, MACSE co-chair",
            SOCIAL_CARE,
            vec![],
            false,
        ),
        (
            "cse-analyst@example.org",
            Role::CseAnalyst,
            "Chris Moran",
            "CSE business officer and analyst",
            SOCIAL_CARE,
            vec![Team::CseAnalyst, Team::MacsePanel],
            false,
        ),
        (
            "police-cse-officer@example.org",
            Role::PoliceCseOfficer,
            "DC Sam Hughes",
            "Detective constable, CSE unit",
            POLICE,
            vec![Team::PoliceCse],
            true,
        ),
        (
            "partnership-manager@example.org",
            Role::PartnershipManager,
            "Morgan Ashby",
            "Safeguarding partnership business manager",
            SOCIAL_CARE,
            vec![],
            false,
        ),
        (
            "notification-officer@example.org",
            Role::NotificationOfficer,
            "Jess Carter",
            "Placement notification officer",
            SOCIAL_CARE,
            vec![Team::PlacementNotifications],
            false,
        ),
        (
            "health-lead@example.org",
            Role::Practitioner,
            "Dr Anita Mensah",
            "Designated nurse for looked-after children",
            HEALTH,
            vec![Team::HealthLead],
            false,
        ),
        ("education-lead@example.org", Role::Practitioner, "Mark Ellison", "Virtual school head", SOCIAL_CARE, vec![Team::EducationLead], false),
        (
            "missing-officer@example.org",
            Role::Practitioner,
            "PC Dana Webb",
            "Missing from home coordinator",
            POLICE,
            vec![Team::MissingFromHome],
            false,
        ),
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

/// Load the partnership: agencies, accounts placed in them, teams and SPOCs, then the
/// children on the pathway (see [`pathway`]).
pub async fn load(store: &Store, today: NaiveDate, password_hash: &str) -> Result<()> {
    let sys = Actor::system();
    let mut agency = HashMap::new();
    let mut people = HashMap::new();
    for (name, kind) in demo_agencies() {
        agency.insert(name, store.partnership().create_agency(&sys, name, Some(kind)).await?);
    }
    for (email, role, name, title, home, teams, spoc) in demo_people() {
        let uid = store.users().create(&sys, NewUser { name, email, role, job_title: title, password_hash }).await?;
        store.partnership().set_agency(&sys, uid, agency[home]).await?;
        for t in teams {
            store.partnership().add_team_member(&sys, t, uid).await?;
        }
        if spoc {
            store.partnership().add_spoc(&sys, agency[home], uid).await?;
        }
        people.insert(email, uid);
    }
    let mut demo = Demo { store, today, people: HashMap::new(), agency };
    for (email, uid) in people {
        let reader = store.reader(Actor { user_id: Some(uid), label: email.into(), ip: String::new() }).await?.ok_or(crate::StoreError::NotFound)?;
        demo.people.insert(email, reader);
    }
    pathway(&demo).await
}

/// A fictional child: (first, last, age, birth month, birth day, gender, ethnicity, address, ward, school).
type Kid = (&'static str, &'static str, i32, u32, u32, &'static str, &'static str, &'static str, &'static str, &'static str);

fn child_input(k: Kid, today: NaiveDate) -> ChildInput {
    let (first, last, age, m, day, gender, ethnicity, address, ward, school) = k;
    ChildInput {
        first_name: first.into(),
        last_name: last.into(),
        date_of_birth: NaiveDate::from_ymd_opt(today.year() - age, m, day),
        estimated_age: None,
        gender: gender.into(),
        ethnicity: ethnicity.into(),
        address: address.into(),
        ward: ward.into(),
        school: school.into(),
    }
}

/// A moment `hours` before now on the store's clock, as stored.
fn hours_ago(store: &Store, hours: i64) -> String {
    crate::stamp(store.clock().now() - Duration::hours(hours))
}

/// One step of the pathway, as the demo's people took it.
struct Demo<'a> {
    store: &'a Store,
    today: NaiveDate,
    people: HashMap<&'static str, Reader>,
    agency: HashMap<&'static str, i64>,
}

impl Demo<'_> {
    fn who(&self, email: &str) -> &Reader {
        &self.people[email]
    }

    /// A child's record, opened by one of the demo's people as the pages open it.
    async fn record(&self, email: &str, child: i64, section: Section) -> Result<ChildRecord> {
        self.store.open_child(self.who(email), ChildKey::Child(child), section).await
    }

    /// A concern as the person would raise it: the CSE 1, every screening indicator
    /// answered (`yes` are the indicators answered yes) and the professional referral.
    #[allow(clippy::too_many_arguments)]
    async fn raise(
        &self,
        email: &str,
        child: ChildRef,
        source: ReferralSource,
        what_seen: &str,
        seen_days_ago: i64,
        seen_where: &str,
        seen_by: &str,
        referral: &str,
        yes: &[&str],
    ) -> Result<Raised> {
        let tool = self.store.screening().current().await?;
        let answers = tool.indicators().map(|i| (i.key.clone(), yes.contains(&i.key.as_str()))).collect();
        let concern = ConcernInput {
            source: Some(source),
            // The demo's one concern reported to police came from a taxi driver.
            reported_by: source.needs_reporter().then_some(ConcernReporter::TaxiDriver),
            what_seen: what_seen.into(),
            // Concerns are checked against the store's date, whatever day the demo is set on.
            seen_on: Some(self.today.min(self.store.today()) - Duration::days(seen_days_ago)),
            seen_where: seen_where.into(),
            seen_by: seen_by.into(),
            referral_text: referral.into(),
        };
        self.store.referrals(self.who(email)).raise(&ConcernForm { child: Some(child), concern, answers }).await
    }

    /// A MASH check: what the agency holds that may be shared, and what is police-only.
    async fn check(&self, r: &Raised, agency: &str, shared: &str, police_only: &str) -> Result<()> {
        let input = CheckInput { agency_id: Some(self.agency[agency]), shared: shared.into(), police_only: police_only.into() };
        self.record(MASH, r.child_id, Section::MashDecision).await?.record_check(r.referral_id, &input).await.map(|_| ())
    }

    async fn decide(&self, r: &Raised, decision: MashDecision, reasons: &str, interventions: &str) -> Result<()> {
        let record = self.record(MASH, r.child_id, Section::MashDecision).await?;
        let version = record.referral(r.referral_id).await?.version;
        let input = DecisionInput { decision: Some(decision), reasons: reasons.into(), interventions: interventions.into() };
        record.decide(r.referral_id, version, &input).await.map(|_| ())
    }

    /// The MASH records the legal status the decision led to.
    async fn legal_status(&self, child: i64, kid: Kid, status: LegalStatus) -> Result<()> {
        let record = self.record(MASH, child, Section::Identity).await?;
        record.update_identity(record.child().version, &child_input(kid, self.today), Some(status)).await
    }

    /// The demo is a partnership already at work: each step of a referral is dated the
    /// given number of hours ago (steps not taken stay empty), as a person would have
    /// taken them over the past days and weeks.
    async fn dated(&self, referral: i64, submitted: i64, picked_up: Option<i64>, decided: Option<i64>, acknowledged: Option<i64>) -> Result<()> {
        let mut tx = self.store.write().await?;
        self.store
            .q("UPDATE referrals SET submitted_at = $1, picked_up_at = CASE WHEN picked_up_at IS NULL THEN NULL ELSE $2 END, decided_at = CASE WHEN decided_at IS NULL THEN NULL ELSE $3 END, \
                returned_at = CASE WHEN returned_at IS NULL THEN NULL ELSE $3 END, spoc_acknowledged_at = CASE WHEN spoc_acknowledged_at IS NULL THEN NULL ELSE $4 END WHERE id = $5")
            .bind(hours_ago(self.store, submitted))
            .bind(hours_ago(self.store, picked_up.unwrap_or(submitted)))
            .bind(hours_ago(self.store, decided.unwrap_or(submitted)))
            .bind(hours_ago(self.store, acknowledged.unwrap_or(submitted)))
            .bind(referral)
            .execute(tx.conn())
            .await?;
        self.store
            .q("UPDATE mash_checks SET recorded_at = $1 WHERE referral_id = $2")
            .bind(hours_ago(self.store, picked_up.unwrap_or(submitted)))
            .bind(referral)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    fn action(&self, section: Section, text: &str, owner: &str, agency: &str, due_in_days: i64, status: ActionStatus) -> PlanAction {
        PlanAction {
            section,
            text: text.into(),
            owner: owner.into(),
            agency_id: Some(self.agency[agency]),
            due: Some(self.today + Duration::days(due_in_days)),
            status,
        }
    }

    /// The child's open CP case as opened `days_ago` (the decision's date), with its
    /// section 47 enquiry started the day after, recorded by the MASH.
    async fn cp_case_dated(&self, child: i64, days_ago: i64) -> Result<()> {
        let today = self.today.min(self.store.today());
        let decided = today - Duration::days(days_ago);
        let facts = assure_domain::child_protection::CaseFacts { decided_on: Some(decided), ..Default::default() };
        let due = assure_domain::child_protection::next_due(&facts).map(|(_, d)| crate::date_str(d));
        let mut tx = self.store.write().await?;
        self.store
            .q("UPDATE cp_cases SET decided_on = $1, next_due_on = $2 WHERE child_id = $3 AND closed_on IS NULL")
            .bind(crate::date_str(decided))
            .bind(due)
            .bind(child)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        let record = self.record(MASH, child, Section::ChildProtection).await?;
        let case = record.cp_cases().await?.into_iter().next().ok_or(crate::StoreError::NotFound)?;
        let started = assure_domain::child_protection::S47Input { started_on: Some(decided + Duration::days(1)), ..Default::default() };
        record.record_section_47(case.id, case.version, &started).await
    }

    /// A slot at a panel, everyone proposed invited, and (for a panel already held) who came.
    async fn slot(&self, panel: i64, child: i64, start: &str, held: Option<&str>) -> Result<i64> {
        let analyst = self.who(ANALYST);
        let slot = self.store.panels(analyst).book_slot(panel, Some(child), parse_time(start), Some(40)).await?;
        let on = self.today - Duration::days(if held.is_some() { 20 } else { 7 });
        let record = self.store.open_child(analyst, ChildKey::Slot { panel, slot }, Section::PanelMinutes).await?;
        record.invite_proposed(panel, slot, on).await?;
        if let Some(discussion) = held {
            for (n, inv) in
                self.store.panels(analyst).agenda(panel).await?.into_iter().filter(|s| s.id == slot).flat_map(|s| s.invitations).enumerate()
            {
                let a = if n == 2 { Attendance::SentApologies } else { Attendance::Attended };
                record.record_attendance(panel, slot, inv.id, Some(a)).await?;
            }
            record.save_discussion(panel, slot, 1, discussion).await?;
        }
        Ok(slot)
    }
}

const PRACTITIONER: &str = "practitioner@example.org";
const SPOC: &str = "spoc@example.org";
const MASH: &str = "mash-worker@example.org";
const CO_CHAIR: &str = "macse-co-chair@example.org";
const ANALYST: &str = "cse-analyst@example.org";
const OFFICER: &str = "police-cse-officer@example.org";
const MANAGER: &str = "partnership-manager@example.org";
const HEALTH: &str = "Community Health NHS Trust";
const EARLY_HELP: &str = "Early Help Locality Team";
const HOMES: &str = "Brookside Children's Homes Ltd";
const YOUTH_OFFENDING: &str = "Youth Offending Service";

const CHLOE: Kid = ("Chloe", "Bennett", 14, 3, 12, "Female", "White British", "14 Larch Close", "Eastfield", HILLSIDE);
const KIERAN: Kid = ("Kieran", "Doyle", 15, 11, 2, "Male", "White Irish", "7 Canal Terrace", "Riverside", HILLSIDE);
const AISHA: Kid = ("Aisha", "Rahman", 13, 6, 21, "Female", "Bangladeshi", "29 Orchard Road", "Eastfield", HILLSIDE);
const JAYDEN: Kid = ("Jayden", "Clarke", 15, 1, 9, "Male", "Black Caribbean", "3 Mill Lane", "Northgate", "");
const JADEN: Kid = ("Jaden", "Clark", 15, 1, 9, "Male", "Black Caribbean", "Flat 3, Mill Court", "Northgate", HILLSIDE);
const MEGAN: Kid = ("Megan", "Hughes", 14, 8, 30, "Female", "White British", "52 Station Road", "Riverside", HILLSIDE);
const DANIEL: Kid = ("Daniel", "Nowak", 15, 4, 17, "Male", "White Polish", "18 Beech Avenue", "Southmoor", HILLSIDE);
const ZARA: Kid = ("Zara", "Ahmed", 14, 10, 5, "Female", "Pakistani", "9 Victoria Street", "Northgate", HILLSIDE);
const JESS: Kid = ("Jessica", "Lawson", 15, 2, 14, "Female", "White British", "61 Ferry Road", "Riverside", HILLSIDE);
const NATHAN: Kid = ("Nathan", "Brooks", 13, 9, 23, "Male", "Mixed White and Black Caribbean", "4 Poplar Walk", "Eastfield", HILLSIDE);
const SOPHIE: Kid = ("Sophie", "Kelly", 12, 12, 1, "Female", "White British", "33 Hawthorn Drive", "Southmoor", HILLSIDE);
const TIA: Kid = ("Tia", "Campbell", 15, 7, 19, "Female", "Black British", "Brookside House, 2 Park View", "Westbrook", "Westbrook Academy");
const LEAH: Kid = ("Leah", "Morgan", 17, 4, 3, "Female", "White British", "12 Willow Court", "Riverside", "Riverside College");
const OLIVER: Kid = ("Oliver", "Mensah", 14, 5, 8, "Male", "Black African (Ghanaian)", "21 Cedar Grove", "Westbrook", "Westbrook Academy");

/// A dozen fictional children at every stage of the pathway, taken there by the demo's
/// people through the same store calls as the pages: concerns on the MASH queue (one a
/// few hours old, one over a day), checks, every decision, returns to the Hillside SPOC,
/// MACSE panels with slots, a plan in two versions with its police-only Prosecute
/// section, police flags, an operation, a likely duplicate and an emergency access.
/// Northway Primary School (practitioner-2@) is involved with none of them.
async fn pathway(d: &Demo<'_>) -> Result<()> {
    use MashDecision::*;
    use ReferralSource::*;
    let new = |k: Kid| ChildRef::New(child_input(k, d.today));
    let today = d.today;

    // ---------------------------------------------------------------- on the MASH queue
    let chloe = d
        .raise(
            PRACTITIONER,
            new(CHLOE),
            ProfessionalConcern,
            "Chloe told a friend she is meeting a man she met online who is 'about 20'. She has a new phone her mother did not buy.",
            0,
            "Year 9 form room",
            "Form tutor",
            "Referring for screening: online contact with an older male and a new phone. Attendance has dropped this half term.",
            &["secretive-online", "second-phone", "truancy"],
        )
        .await?;
    d.dated(chloe.referral_id, 3, None, None, None).await?;
    let kieran = d
        .raise(
            SPOC,
            new(KIERAN),
            ProfessionalConcern,
            "Kieran was collected from school by an adult in a car not known to the school, twice in one week, and had £80 in cash.",
            2,
            "School car park",
            "Deputy head teacher",
            "Kieran is vulnerable to criminal and sexual exploitation; his mother does not know the driver.",
            &["picked-up-in-cars", "unexplained-money", "new-older-friends"],
        )
        .await?;
    d.dated(kieran.referral_id, 27, None, None, None).await?;
    let aisha = d
        .raise(
            PRACTITIONER,
            new(AISHA),
            ProfessionalConcern,
            "Aisha has been missing from home for two nights this month and came back with new clothes.",
            4,
            "Reported by her mother at the school office",
            "Designated safeguarding lead",
            "Two missing episodes and unexplained gifts. She is withdrawn in lessons.",
            &["missing-overnight", "unexplained-gifts", "low-mood"],
        )
        .await?;
    d.check(
        &aisha,
        POLICE,
        "Two missing-person reports this month; found and returned home both times.",
        "Found both times at an address in Northgate known to the CSE unit.",
    )
    .await?;
    d.check(&aisha, HEALTH, "No records of concern; registered with the Eastfield practice.", "").await?;
    d.dated(aisha.referral_id, 20, Some(16), None, None).await?;
    // A police vulnerable-person notification via 101, and the same boy raised by his school under another spelling.
    let jayden = d
        .raise(
            OFFICER,
            new(JAYDEN),
            PoliceNotification,
            "A member of the public reported a boy of about 15 getting into cars with different adults outside a takeaway late at night.",
            1,
            "Outside a takeaway, Northgate",
            "Member of the public, via 101",
            "Vulnerable-person notification: the boy gave his name when spoken to by officers at 23:40.",
            &["picked-up-in-cars", "seen-at-hotspots", "police-contact"],
        )
        .await?;
    d.dated(jayden.referral_id, 6, None, None, None).await?;
    let jaden = d
        .raise(
            PRACTITIONER,
            new(JADEN),
            ProfessionalConcern,
            "Jaden has told staff he 'works' for older boys at weekends and has a second phone.",
            3,
            "Learning mentor's office",
            "Learning mentor",
            "Possible criminal and sexual exploitation; frequent late returns reported by his mother.",
            &["second-phone", "returns-late", "new-older-friends"],
        )
        .await?;
    d.dated(jaden.referral_id, 40, None, None, None).await?;

    // ---------------------------------------------------------------- decided
    let megan = d
        .raise(
            PRACTITIONER,
            new(MEGAN),
            ProfessionalConcern,
            "Megan disclosed to the school nurse that an adult friend of her brother took sexual images of her, then withdrew what she had said.",
            12,
            "School nurse's room",
            "School nurse",
            "Disclosure, then withdrawal; an older 'boyfriend' has been seen at the gates.",
            &["disclosed-assault", "sexual-images", "older-partner"],
        )
        .await?;
    d.check(&megan, POLICE, "", "The adult is known to police for offences against children.").await?;
    d.check(&megan, SOCIAL_CARE, "Closed to children's social care in 2016 (neglect).", "").await?;
    d.decide(&megan, ChildProtection, "Significant harm is likely: disclosure of sexual abuse by a known offender. Section 47 enquiry started; a strategy meeting with the police to be convened.", "").await?;
    d.dated(megan.referral_id, 24 * 11, Some(24 * 11 - 3), Some(24 * 10), None).await?;
    // Her child protection case: the enquiry started the day after the decision, the
    // strategy meeting not yet held (overdue on the case and the CP queue).
    d.cp_case_dated(megan.child_id, 10).await?;
    d.legal_status(megan.child_id, MEGAN, LegalStatus::ChildProtectionPlan).await?;

    let daniel = d
        .raise(
            PRACTITIONER,
            new(DANIEL),
            ProfessionalConcern,
            "Daniel has been seen at a house party address known to the police, and drinks heavily at weekends.",
            9,
            "Reported by a parent of another pupil",
            "Head of year",
            "Risk of exploitation linked to alcohol and older peers; family under strain.",
            &["substance-misuse", "seen-at-hotspots", "estranged"],
        )
        .await?;
    d.check(&daniel, YOUTH_OFFENDING, "Known: a referral order in 2017, completed.", "").await?;
    d.decide(&daniel, ChildInNeedAndMacse, "Needs are met by a child in need plan; MACSE overview because of the links to a known address.", "")
        .await?;
    d.dated(daniel.referral_id, 24 * 8, Some(24 * 8 - 5), Some(24 * 7), None).await?;
    d.legal_status(daniel.child_id, DANIEL, LegalStatus::ChildInNeed).await?;

    let zara = d
        .raise(
            PRACTITIONER,
            new(ZARA),
            ProfessionalConcern,
            "Zara is picked up after school by a man in his twenties she calls her boyfriend.",
            10,
            "School gates",
            "Teaching assistant",
            "An older 'boyfriend', missing one night, gifts she cannot account for.",
            &["older-partner", "picked-up-in-cars", "unexplained-gifts"],
        )
        .await?;
    d.check(&zara, POLICE, "", "The car is registered to a man linked to a current investigation.").await?;
    d.decide(&zara, Macse, "High risk on screening; police intelligence links the adult to other children. For the next MACSE panel.", "").await?;
    d.dated(zara.referral_id, 24 * 9, Some(24 * 9 - 2), Some(24 * 8), None).await?;

    let jess = d
        .raise(
            PRACTITIONER,
            new(JESS),
            ProfessionalConcern,
            "Jessica has been seen getting into a car with two adult men after school three times, and was found in another town at 2 a.m.",
            50,
            "Outside the school gates",
            "Form tutor",
            "Repeated pick-ups by adults, missing overnight, found far from home.",
            &["picked-up-in-cars", "missing-overnight", "found-far-away"],
        )
        .await?;
    d.check(&jess, POLICE, "Two missing-person reports.", "The car's keeper is of interest to the CSE unit.").await?;
    d.check(&jess, HEALTH, "Attended a sexual health clinic twice this year.", "").await?;
    d.decide(&jess, Macse, "High risk: repeated pick-ups by adults, missing episodes and sexual health concerns.", "").await?;
    d.dated(jess.referral_id, 24 * 45, Some(24 * 45 - 4), Some(24 * 44), None).await?;

    let tia = d
        .raise(
            OFFICER,
            new(TIA),
            ProfessionalConcern,
            "Tia was found at a hotel in the city centre with an adult male during a licensing visit.",
            30,
            "Hotel, city centre",
            "Police licensing officer",
            "Looked after by another authority and placed at Brookside House; missing five times in two months.",
            &["missing-overnight", "older-partner", "looked-after"],
        )
        .await?;
    d.check(&tia, SOCIAL_CARE, "Looked after by another authority; placing social worker informed.", "").await?;
    d.decide(&tia, Macse, "High risk; placed here by another authority. MACSE with the placing authority invited.", "").await?;
    d.dated(tia.referral_id, 24 * 29, Some(24 * 29 - 1), Some(24 * 28), None).await?;
    d.legal_status(tia.child_id, TIA, LegalStatus::LookedAfterElsewhere).await?;

    let oliver = d
        .raise(
            OFFICER,
            new(OLIVER),
            ProfessionalConcern,
            "Oliver was stopped with older youths in a stolen car.",
            15,
            "Westbrook retail park",
            "Response officer",
            "Already looked after by this authority; referred for the MASH to tell his social worker.",
            &["police-contact", "looked-after", "new-older-friends"],
        )
        .await?;
    d.decide(
        &oliver,
        KnownChildContact,
        "Oliver is looked after by this authority: passed to his allocated social worker and the Early Help locality team.",
        "",
    )
    .await?;
    d.dated(oliver.referral_id, 24 * 14, Some(24 * 14 - 6), Some(24 * 14 - 6), None).await?;
    d.legal_status(oliver.child_id, OLIVER, LegalStatus::LookedAfterHere).await?;

    // ---------------------------------------------------------------- returned to the SPOC
    let nathan = d
        .raise(
            PRACTITIONER,
            new(NATHAN),
            ProfessionalConcern,
            "Nathan has been late home several times and is secretive about his phone.",
            20,
            "Pastoral office",
            "Head of year",
            "Low-level worries; his mother asked the school for help.",
            &["returns-late", "secretive-online"],
        )
        .await?;
    d.check(&nathan, SOCIAL_CARE, "Not known.", "").await?;
    d.decide(
        &nathan,
        NoCseConcern,
        "No indicators of exploitation on screening or checks; lateness explained by a new football club.",
        "Online safety session with Nathan and his mother; school to keep monitoring and re-refer if anything changes.",
    )
    .await?;
    let spoc_view = d.record(SPOC, nathan.child_id, Section::MashDecision).await?;
    let nathan_r = spoc_view.referral(nathan.referral_id).await?;
    spoc_view.acknowledge_return(nathan.referral_id, nathan_r.version).await?;
    d.dated(nathan.referral_id, 24 * 19, Some(24 * 19 - 2), Some(24 * 18), Some(24 * 17)).await?;

    let sophie = d
        .raise(
            PRACTITIONER,
            new(SOPHIE),
            ProfessionalConcern,
            "Sophie said an older girl offered her money to 'go to a party'.",
            3,
            "Playground",
            "Teaching assistant",
            "One comment overheard; no other concerns known.",
            &["new-older-friends"],
        )
        .await?;
    d.check(&sophie, POLICE, "Nothing held.", "").await?;
    d.decide(
        &sophie,
        NoCseConcern,
        "A single comment with no other indicators; the older girl is a cousin and the party a family event.",
        "Keep-safe work in PSHE lessons; the SPOC to check in with Sophie in a fortnight.",
    )
    .await?;
    d.dated(sophie.referral_id, 60, Some(55), Some(30), None).await?;

    // ---------------------------------------------------------------- MACSE panels
    let analyst = d.who(ANALYST);
    let first = today - Duration::days(41);
    d.store
        .panel_calendar()
        .generate_series(analyst.actor(), Some(first), Some(first + Duration::days(14 * 13)), "Town Hall, Committee Room 2")
        .await?;
    let panels = d.store.panels(analyst).list().await?;
    let panel_on = |days: i64| {
        panels.iter().find(|p| p.panel.meeting_date == first + Duration::days(days)).map(|p| p.panel.clone()).ok_or(crate::StoreError::NotFound)
    };
    let (p1, p2, p3, next) = (panel_on(0)?, panel_on(14)?, panel_on(28)?, panel_on(42)?);
    d.slot(p2.id, jess.child_id, "10:00", Some("New to the panel. Repeated pick-ups by two adult men and two missing episodes; she does not see herself as at risk. Plan agreed (version 1).")).await?;
    d.slot(p3.id, jess.child_id, "10:00", Some("Plan reviewed (version 2): no missing episodes for three weeks; mentoring continues.")).await?;
    let tia_slot = d.slot(p3.id, tia.child_id, "10:45", Some("New to the panel: five missing episodes in two months from her placement. Plan agreed; the placing authority's social worker to attend next time.")).await?;
    // Placed here by another authority: her home authority must attend, and did not.
    let tia_record = d.store.open_child(d.who(ANALYST), ChildKey::Slot { panel: p3.id, slot: tia_slot }, Section::PanelMinutes).await?;
    let home =
        tia_record.invite(p3.id, tia_slot, Some(InviteeKind::HomeAuthority), None, None, "Knowsley Council (placing authority)", today).await?;
    tia_record.record_attendance(p3.id, tia_slot, home, Some(Attendance::DidNotAttend)).await?;
    let zara_slot = d.slot(next.id, zara.child_id, "10:00", None).await?;
    d.slot(next.id, daniel.child_id, "10:45", None).await?;
    let zara_record = d.store.open_child(analyst, ChildKey::Slot { panel: next.id, slot: zara_slot }, Section::PanelMinutes).await?;
    zara_record.invite(next.id, zara_slot, Some(InviteeKind::YoungPerson), None, None, "Zara Ahmed", today).await?;
    zara_record.invite(next.id, zara_slot, Some(InviteeKind::ParentCarer), None, None, "Mrs Ahmed (mother)", today).await?;
    // General business names no child (each young person's discussion is kept with their slot).
    for (p, business) in [
        (&p1, "Quorate. No new young people; the panel reviewed the missing-from-home data for the quarter."),
        (&p2, "Quorate. One new young person discussed and a plan agreed."),
        (&p3, "Quorate. One plan reviewed and one new plan agreed. The quarterly dataset is due at the next sub-group."),
    ] {
        d.store.panels(analyst).save_business(p.id, p.version, business, Some(PanelStatus::Held)).await?;
    }

    // ---------------------------------------------------------------- plans
    use ActionStatus::*;
    use Section::{Prevent, Profile, Prosecute, Protect};
    let text = |s: Section, t: &str| SectionText { section: s, discussion: t.into() };
    let chair = CO_CHAIR;
    let v1 = PlanVersion {
        number: 0,
        panel_date: None,
        review_date: Some(p3.meeting_date),
        sections: vec![
            text(Profile, "Jessica is 15 and in Year 10. Repeated pick-ups by two adult men, two missing episodes and sexual health concerns. She does not see herself as at risk."),
            text(Prevent, "Keep her engaged in school; a trusted adult to see her weekly; online safety work at home."),
            text(Protect, "Return-home interview after every missing episode; safety plan with her mother; sexual health follow-up."),
            text(Prosecute, "The car's keeper is a suspect in an existing CSE investigation. Seek a Child Abduction Warning Notice; gather evidence from the hotel and the car's movements."),
        ],
        actions: vec![
            d.action(Prevent, "Weekly mentoring session with a trusted adult in school", "Hannah Price", HILLSIDE, -14, InProgress),
            d.action(Protect, "Return-home interview within 72 hours of every missing episode", "Early Help key worker", EARLY_HELP, -20, InProgress),
            d.action(Protect, "Sexual health appointment with the school nurse", "School nurse", HEALTH, -21, Done),
            d.action(Prosecute, "Apply for a Child Abduction Warning Notice against the car's keeper", "DC Sam Hughes", POLICE, -15, InProgress),
        ],
    };
    let jess_plan = d.record(chair, jess.child_id, Section::Profile).await?;
    jess_plan.save_plan_version(0, Some(p2.id), &v1, None, today).await?;
    let mut v2 = v1.clone();
    v2.review_date = Some(next.meeting_date + Duration::days(14));
    v2.sections[0].discussion.push_str(" Since the last panel: no missing episodes for three weeks.");
    v2.sections[3].discussion =
        "Child Abduction Warning Notice served. Vehicle enquiries continue under Operation Kestrel; a second victim has been identified.".into();
    v2.actions = vec![
        d.action(Prevent, "Weekly mentoring session with a trusted adult in school", "Hannah Price", HILLSIDE, 28, InProgress),
        d.action(Protect, "Return-home interview within 72 hours of every missing episode", "Early Help key worker", EARLY_HELP, 28, InProgress),
        d.action(Protect, "Sexual health appointment with the school nurse", "School nurse", HEALTH, -21, Done),
        d.action(Protect, "Family support sessions for Jessica's mother", "Early Help key worker", EARLY_HELP, 21, NotStarted),
        d.action(Prosecute, "Apply for a Child Abduction Warning Notice against the car's keeper", "DC Sam Hughes", POLICE, -15, Done),
        d.action(Prosecute, "Analyse the car's movements against missing episodes for Operation Kestrel", "DC Sam Hughes", POLICE, 10, InProgress),
    ];
    jess_plan.save_plan_version(1, Some(p3.id), &v2, None, today).await?;
    let tia_plan = PlanVersion {
        number: 0,
        panel_date: None,
        review_date: Some(next.meeting_date + Duration::days(14)),
        sections: vec![
            text(Profile, "Tia is 15, looked after by another authority and placed at Brookside House. Five missing episodes in two months."),
            text(Protect, "Placement to report every missing episode at once; the placing authority's social worker to attend the next panel."),
            text(Prosecute, "The adult found with Tia is on bail for other offences. Hotel and taxi records requested."),
        ],
        actions: vec![
            d.action(
                Protect,
                "Report every missing episode to the police at once and notify the placing authority",
                "Registered manager, Brookside House",
                HOMES,
                7,
                InProgress,
            ),
            d.action(Protect, "Health assessment and sexual health follow-up", "Looked-after children's nurse", HEALTH, 14, NotStarted),
            d.action(
                Prosecute,
                "Request the hotel's and taxi firms' records for the nights Tia was missing",
                "DC Sam Hughes",
                POLICE,
                10,
                InProgress,
            ),
        ],
    };
    d.record(chair, tia.child_id, Section::Profile).await?.save_plan_version(0, Some(p3.id), &tia_plan, None, today).await?;

    // ---------------------------------------------------------------- police flags and an operation
    let officer = d.who(OFFICER);
    d.record(OFFICER, jess.child_id, Section::Operations).await?.record_police_flag(Some(true), Some(p2.meeting_date), today).await?;
    d.record(OFFICER, tia.child_id, Section::Operations).await?.record_police_flag(Some(true), Some(p3.meeting_date), today).await?;
    d.record(OFFICER, daniel.child_id, Section::Operations).await?.record_police_flag(Some(false), Some(today - Duration::days(3)), today).await?;
    let op = d.store.police(officer).create_operation("Operation Kestrel", Some(OperationKind::Prosecute), "DI Rachel Quinn", Some(p3.id)).await?;
    d.store.police(officer).link_child(op, Some(jess.child_id)).await?;
    d.store.police(officer).link_child(op, Some(tia.child_id)).await?;
    d.store
        .police(officer)
        .add_update(
            op,
            Some(today - Duration::days(5)),
            "Vehicle movements analysed for six weeks; two further addresses identified for visits.",
            today,
        )
        .await?;

    // ---------------------------------------------------------------- a significant event in a chronology
    let slot_entry = assure_domain::chronology::EntryKey { kind: assure_domain::chronology::EntryKind::PanelSlot, record_id: tia_slot };
    d.record(CO_CHAIR, tia.child_id, Section::Identity)
        .await?
        .mark_significant(slot_entry, 0, true, "First MACSE panel: the placing authority did not attend; escalate if it misses the next one.")
        .await?;

    // ---------------------------------------------------------------- emergency access
    d.store
        .children(d.who(MASH))
        .break_glass_at(
            tia.child_id,
            "Reported missing overnight by her placement; needed the plan's safety contacts out of hours.",
            d.store.clock().now() - Duration::hours(30),
        )
        .await?;

    // ---------------------------------------------------------------- R1 and R10: a taxi driver's report, a MARAC referral
    let leah = d
        .raise(
            OFFICER,
            new(LEAH),
            ReportedToPolice,
            "A taxi driver reported a young woman being driven between addresses by a man in his thirties who pays her fares in cash.",
            6,
            "Taxi rank, Riverside",
            "Taxi driver, reported to police on 101",
            "Concern reported to police by a taxi driver; the young woman was identified when officers attended.",
            &["picked-up-in-cars", "older-partner"],
        )
        .await?;
    d.dated(leah.referral_id, 24 * 5, Some(24 * 5 - 2), None, None).await?;
    d.record(MASH, leah.child_id, Section::Concerns)
        .await?
        .record_marac(&MaracInput {
            referred_on: Some(today.min(d.store.today()) - Duration::days(2)),
            referred_by: "Independent domestic violence adviser (IDVA) service".into(),
            relationship: "Leah's partner, a man of 34, controls her phone and money and has assaulted her twice; MARAC heard the case as high risk."
                .into(),
        })
        .await?;

    // ---------------------------------------------------------------- R3: challenges of low use of the CSE forms
    let manager = d.store.monitoring(d.who(MANAGER));
    let northway = manager
        .challenge(
            &ChallengeInput {
                agency_id: Some(d.agency[NORTHWAY]),
                period: Some(Period::TwelveMonths),
                challenge: "Northway Primary School has raised no CSE forms in twelve months, against an average of several for schools. Please name a lead and book the CSE training.".into(),
            },
            d.store.today(),
        )
        .await?;
    let version = manager.challenges().await?.into_iter().find(|c| c.id == northway).map(|c| c.version).unwrap_or(1);
    manager.respond(northway, version, "The head teacher is the named lead; all staff attend the partnership's CSE training next term.").await?;
    manager
        .challenge(
            &ChallengeInput {
                agency_id: Some(d.agency["Licensing Service"]),
                period: Some(Period::SixMonths),
                challenge: "No CSE forms from licensing in six months, although taxi drivers report concerns to police. Please check that enforcement officers know the form.".into(),
            },
            d.store.today(),
        )
        .await?;
    Ok(())
}
