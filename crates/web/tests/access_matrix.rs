//! The access matrix, generated rather than hand-picked. Viewers: a covering array of
//! every pathway role × team set × relation to the partnership's agencies (a school,
//! involved agency-wide; the police and a health trust, involved team by team; SPOC
//! duties), plus the people the fixture's team- and person-scoped involvements name and
//! two tracker roles. Children: one per way the school can be involved, one no one is,
//! one per scope a team-level agency can be involved in (a routed team, the agency as a
//! whole, one person) and one whose police involvement is only a Prosecute action. Over
//! every child route in the route table — record pages, the API, exports, the panel
//! slot routes and the notification acknowledgement — and the lists and searches.
//!
//! What each viewer should get is computed from the domain's rule (`Role::allows`,
//! `Viewer::may_see_child`, `may_see_section`, `shown_involvements`,
//! `exportable_sections`), never written out by hand: allowed, no such child (404, the
//! same answer as for a number that is no child), a restricted part of the record (403)
//! or refused by role (403) — and every refusal is in the audit against the child.
//! Requests whose answer cannot depend on the child are made for some children in turn
//! rather than all (see `sampled`); the rest of the product is made in full.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::sync::Arc;

use assure_domain::panels::{InviteeKind, OperationKind};
use assure_domain::partnership::{AgencyKind, Basis, Involvement, InvolvementKind, InvolvementLevel, Scope, Section, Team, Viewer};
use assure_domain::plan::{ActionStatus, PlanAction, PlanVersion, SectionText};
use assure_domain::referral::{CheckInput, ConcernInput, DecisionInput, MashDecision, ReferralSource};
use assure_domain::{Permission, Role};
use assure_storage::audit::AuditFilter;
use assure_storage::children::ChildInput;
use assure_storage::on_both_engines;
use assure_storage::referrals::{ChildRef, ConcernForm};
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, ChildKey, ChildRecord, Reader};
use assure_web::routes::RouteSpec;
use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use common::Client;
use tower::ServiceExt;

const SURNAME: &str = "Matrixchild";
/// A record number that names no child, no panel slot and no notification line.
const NONE: i64 = 987_654_321;
/// The placing authority of every fixture notification.
const AUTHORITY: &str = "Knowsley";
const BUSINESS: &str = "GENERAL-BUSINESS-MARKER";
const OPERATION: &str = "Operation Matrix";

/// How a child route decides who may use it, in the domain's terms (after the route's
/// permission, which every rule checks first).
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Whoever may see the child and this section of the record.
    Section(Section),
    /// The record (identity) and a seat in the MASH team (merging duplicates).
    MashTeam,
    /// MASH roles may ask for emergency access to any number (the form shows no record).
    BreakGlass,
    /// A SPOC of the agency that raised the referral, who may see its MASH decision.
    SpocOfRaiser,
    /// A notification's line: whoever may see the child and sits in the team it was routed to.
    Line,
}

/// Every child route in the route table and the rule it answers to. A child route (one
/// the guard audits against a child, `routes::child_key`) missing here fails the test,
/// so a new one cannot slip past the matrix.
fn rule_of(method: &Method, path: &str) -> Option<Rule> {
    use Rule::{BreakGlass, Line, MashTeam, SpocOfRaiser};
    use Section as S;
    let sec = Rule::Section;
    Some(match (method.as_str(), path) {
        ("GET", "/children/{id}") => sec(S::Identity),
        ("GET", "/children/{id}/edit") => sec(S::Identity),
        ("POST", "/children/{id}/edit") => sec(S::Identity),
        ("GET", "/children/{id}/access-log") => sec(S::AccessLog),
        ("GET", "/children/{id}/chronology") | ("GET", "/children/{id}/chronology/download") | ("POST", "/children/{id}/chronology/marks") => {
            sec(S::Identity)
        }
        ("GET", "/api/v1/children/{id}/chronology") => sec(S::Identity),
        ("GET", "/children/{id}/merge") | ("POST", "/children/{id}/merge") => MashTeam,
        ("GET", "/children/{id}/emergency-access") | ("POST", "/children/{id}/emergency-access") => BreakGlass,
        ("GET", "/children/{id}/referrals") => sec(S::Concerns),
        ("GET", "/children/{id}/referrals/{rid}") => sec(S::Screening),
        ("POST", "/children/{id}/referrals/{rid}/checks") => sec(S::MashDecision),
        ("POST", "/children/{id}/referrals/{rid}/decision") => sec(S::MashDecision),
        ("POST", "/children/{id}/referrals/{rid}/acknowledge") => SpocOfRaiser,
        ("GET", "/children/{id}/marac") | ("POST", "/children/{id}/marac") | ("GET", "/children/{id}/marac/{mid}") => sec(S::Concerns),
        ("POST", "/children/{id}/marac/{mid}/review") => sec(S::MashDecision),
        ("POST", "/children/{id}/referrals/{rid}/follow-on") => sec(S::MashDecision),
        ("GET", "/children/{id}/child-protection") => sec(S::ChildProtection),
        ("POST", "/children/{id}/child-protection/{cid}/strategy-meeting")
        | ("POST", "/children/{id}/child-protection/{cid}/section-47")
        | ("POST", "/children/{id}/child-protection/{cid}/conference")
        | ("POST", "/children/{id}/child-protection/{cid}/review-conference")
        | ("POST", "/children/{id}/child-protection/{cid}/reviewing-officer") => sec(S::ChildProtection),
        ("GET", "/children/{id}/child-protection/{cid}/plan") | ("POST", "/children/{id}/child-protection/{cid}/plan") => sec(S::ChildProtection),
        ("GET", "/children/{id}/plan") => sec(S::Profile),
        ("GET", "/children/{id}/plan/edit") | ("POST", "/children/{id}/plan/edit") => sec(S::Profile),
        ("GET", "/children/{id}/plan/versions/{n}") => sec(S::Profile),
        ("GET", "/children/{id}/plan/compare") => sec(S::Profile),
        ("GET", "/children/{id}/plan/download/{format}") => sec(S::Profile),
        ("GET", "/children/{id}/police") => sec(S::Operations),
        ("POST", "/children/{id}/police-flag") => sec(S::Operations),
        ("GET", "/children/{id}/placements") => sec(S::Placements),
        ("GET", "/children/{id}/missing") => sec(S::Missing),
        ("POST", "/children/{id}/missing/{eid}/end") | ("POST", "/children/{id}/missing/{eid}/interview") => sec(S::Missing),
        ("POST", "/panels/{id}/slots/{sid}/invitations")
        | ("POST", "/panels/{id}/slots/{sid}/attendance")
        | ("POST", "/panels/{id}/slots/{sid}/discussion") => sec(S::PanelMinutes),
        ("POST", "/notifications/{id}/acknowledge") => Line,
        ("GET", "/api/v1/children/{id}") => sec(S::Identity),
        ("GET", "/api/v1/children/{id}/referrals") => sec(S::Concerns),
        ("GET", "/api/v1/children/{id}/plan") => sec(S::Profile),
        ("POST", "/api/v1/children/{id}/missing/{eid}/return") | ("POST", "/api/v1/children/{id}/missing/{eid}/interview") => sec(S::Missing),
        ("POST", "/api/v1/notifications/{id}/acknowledge") => Line,
        ("GET", "/api/v1/children/{id}/child-protection") => sec(S::ChildProtection),
        ("POST", "/api/v1/children/{id}/child-protection/{cid}/strategy-meeting")
        | ("POST", "/api/v1/children/{id}/child-protection/{cid}/section-47")
        | ("POST", "/api/v1/children/{id}/child-protection/{cid}/conference")
        | ("POST", "/api/v1/children/{id}/child-protection/{cid}/review-conference") => sec(S::ChildProtection),
        ("GET", "/api/v1/children/{id}/marac") | ("POST", "/api/v1/children/{id}/marac") => sec(S::Concerns),
        ("POST", "/api/v1/children/{id}/marac/{mid}/review") => sec(S::MashDecision),
        _ => return None,
    })
}

/// A route the guard treats as naming a child (the same function decides what it audits).
fn is_child_route(template: &str) -> bool {
    let sample: String = template.split('/').map(|s| if s.starts_with('{') { "1" } else { s }).collect::<Vec<_>>().join("/");
    assure_web::routes::child_key(template, &sample).is_some()
}

/// The children: why each is in the fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// The school (involved agency-wide) is involved in exactly this way.
    School(InvolvementKind),
    /// No partner agency is involved (only the fixture's own, which no viewer belongs to).
    Uninvolved,
    /// The health trust (team by team), through a placement routed to the health lead team
    /// while one of its nurses sat in it.
    HealthTeam,
    /// The health trust as a whole (a Prevent action): its SPOCs only.
    HealthAgency,
    /// One nurse of the health trust in person (the concern she raised).
    HealthPerson,
    /// The police's only involvement is a Prosecute action: police eyes only.
    PoliceProsecute,
}

impl Case {
    fn all() -> Vec<Case> {
        let mut v: Vec<Case> = InvolvementKind::ALL.iter().copied().map(Case::School).collect();
        v.extend([Case::Uninvolved, Case::HealthTeam, Case::HealthAgency, Case::HealthPerson, Case::PoliceProsecute]);
        v
    }
    fn first_name(self) -> String {
        match self {
            Case::School(k) => k.slug().chars().filter(|c| c.is_ascii_alphabetic()).collect::<String>(),
            Case::Uninvolved => "uninvolved".into(),
            Case::HealthTeam => "healthteam".into(),
            Case::HealthAgency => "healthagency".into(),
            Case::HealthPerson => "healthperson".into(),
            Case::PoliceProsecute => "policeprosecute".into(),
        }
        .chars()
        .enumerate()
        .map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c })
        .collect()
    }
}

struct Kid {
    id: i64,
    case: Case,
    first: String,
    /// In the Prosecute section's discussion and action.
    marker: String,
    /// In the police-only part of the MASH check.
    check_marker: String,
    /// The panel's minutes of the child's slot.
    discussion: String,
    rid: i64,
    /// The child's child protection case (opened for the fixture, nothing recorded).
    cp: i64,
    referral_agency: i64,
    /// A MARAC referral awaiting its CSE review.
    mid: i64,
    /// The child's missing episode (ended, with a return interview).
    eid: i64,
    slot: i64,
    /// An invitation to the child's slot (the agency invited).
    invitation: i64,
    /// The child's placement notification's lines (id, team), as routed.
    lines: Vec<(i64, Team)>,
}

impl Kid {
    /// Involved through police-only material (a Prosecute action).
    fn police_case(&self) -> bool {
        matches!(self.case, Case::PoliceProsecute | Case::School(InvolvementKind::HoldsPoliceAction))
    }
}

struct Fixture {
    school: i64,
    police: i64,
    health: i64,
    other: i64,
    agency_names: BTreeMap<i64, String>,
    kids: Vec<Kid>,
    panel: i64,
    operation: i64,
    /// The fixture's co-chair (MACSE panel and MASH teams): sees every child and section;
    /// reads the fixture back through the door.
    chair: i64,
    /// The fixture's MASH worker (decides referrals).
    mash: i64,
    /// A nurse of the health trust in the health lead team (a placement was routed to it).
    nurse: i64,
    /// A nurse of the health trust in no team, who raised a concern (involved in person).
    raiser: i64,
    missing_start: chrono::NaiveDateTime,
    missing_end: chrono::NaiveDateTime,
    offered: chrono::NaiveDateTime,
}

impl Fixture {
    fn kid(&self, case: Case) -> &Kid {
        self.kids.iter().find(|k| k.case == case).expect("the case's child")
    }
}

async fn person(db: &TestDb, hash: &str, email: &str, role: Role, agency: Option<i64>) -> i64 {
    let sys = Actor::system();
    let id = db.store.users().create(&sys, NewUser { name: email, email, role, job_title: "Tester", password_hash: hash }).await.unwrap();
    if let Some(a) = agency {
        db.store.partnership().set_agency(&sys, id, a).await.unwrap();
    }
    id
}

fn plan_version(review: chrono::NaiveDate, due: chrono::NaiveDate, marker: &str, prevent_agency: i64, prosecute_agency: i64) -> PlanVersion {
    let sections = [Section::Profile, Section::Prevent, Section::Protect, Section::Prosecute]
        .iter()
        .map(|s| SectionText {
            section: *s,
            discussion: if *s == Section::Prosecute { format!("{marker}-talk") } else { format!("{} discussion", s.slug()) },
        })
        .collect();
    let action = |section, text: String, agency| PlanAction {
        section,
        text,
        owner: "Owner".into(),
        agency_id: Some(agency),
        due: Some(due),
        status: ActionStatus::InProgress,
    };
    PlanVersion {
        number: 0,
        panel_date: None,
        review_date: Some(review),
        sections,
        actions: vec![
            action(Section::Prevent, "Mentoring sessions".into(), prevent_agency),
            action(Section::Prosecute, format!("{marker}-action"), prosecute_agency),
        ],
    }
}

async fn open(db: &TestDb, reader: &Reader, child: i64, section: Section) -> ChildRecord {
    db.store.open_child(reader, ChildKey::Child(child), section).await.unwrap_or_else(|e| panic!("open child {child}: {e}"))
}

/// The children, one per case, each with a referral (and a MASH check with a police-only
/// part), two plan versions (with a Prosecute discussion and action), a panel slot (with
/// an agency invited and minutes of its own), a police flag (recorded "no", so they stay
/// on the police list), an operation, a placement notification and a missing episode
/// with a return interview. Everything else is done by fixture accounts of an agency no
/// viewer belongs to, so the only partner involvements are the ones each case names.
async fn fixture(db: &TestDb, hash: &str) -> Fixture {
    let sys = Actor::system();
    let today = common::today();
    // Every viewer signs in with a password here; a role's two-factor requirement is
    // tested in tests/two_factor.rs.
    db.store.two_factor().set_required(&sys, &[]).await.unwrap();
    let mk = |n: &'static str, k| async move { db.store.partnership().create_agency(&Actor::system(), n, Some(k)).await.unwrap() };
    let school = mk("Matrix School", AgencyKind::Education).await;
    let police = mk("Matrix Police", AgencyKind::Police).await;
    let health = mk("Matrix Health", AgencyKind::Health).await;
    let other = mk("Matrix Other Council", AgencyKind::OtherAuthority).await;
    let agencies = db.store.partnership().agencies().await.unwrap();
    let level = |id: i64| agencies.iter().find(|a| a.id == id).unwrap().level;
    assert_eq!(level(school), InvolvementLevel::AgencyWide, "a school is involved agency-wide");
    assert_eq!(level(police), InvolvementLevel::TeamLevel, "the police are involved team by team");
    assert_eq!(level(health), InvolvementLevel::TeamLevel, "a health trust is involved team by team");
    assert_eq!(level(other), InvolvementLevel::AgencyWide);
    let agency_names: BTreeMap<i64, String> = agencies.iter().map(|a| (a.id, a.name.clone())).collect();

    // The fixture's people. Those of the other council sit in teams that see every child.
    let team = |t: Team, uid: i64| async move { db.store.partnership().add_team_member(&Actor::system(), t, uid).await.unwrap() };
    let chair = person(db, hash, "fixture-chair@example.org", Role::MacseCoChair, Some(other)).await;
    team(Team::MacsePanel, chair).await;
    team(Team::Mash, chair).await;
    let mash = person(db, hash, "fixture-mash@example.org", Role::MashWorker, Some(other)).await;
    team(Team::Mash, mash).await;
    let officer = person(db, hash, "fixture-officer@example.org", Role::NotificationOfficer, Some(other)).await;
    team(Team::Mash, officer).await;
    let school_raiser = person(db, hash, "fixture-school-raiser@example.org", Role::Practitioner, Some(school)).await;
    // The school's recorder of missing episodes reaches every child through the MASH team.
    let school_recorder = person(db, hash, "fixture-school-missing@example.org", Role::Practitioner, Some(school)).await;
    team(Team::Mash, school_recorder).await;
    let school_edu = person(db, hash, "fixture-school-education-lead@example.org", Role::Practitioner, Some(school)).await;
    let nurse = person(db, hash, "nurse-health-lead@example.org", Role::Practitioner, Some(health)).await;
    let raiser = person(db, hash, "nurse-raiser@example.org", Role::Practitioner, Some(health)).await;
    let (chair_r, mash_r, officer_r) =
        (testing::reader_of(&db.store, chair).await, testing::reader_of(&db.store, mash).await, testing::reader_of(&db.store, officer).await);

    let now = db.store.clock().local_now();
    let now = now.date().and_hms_opt(chrono::Timelike::hour(&now), chrono::Timelike::minute(&now), 0).unwrap();
    let (missing_start, missing_end, offered) =
        (now - chrono::Duration::minutes(50), now - chrono::Duration::minutes(40), now - chrono::Duration::minutes(30));
    let panel = db
        .store
        .panel_calendar()
        .generate_series(&sys, Some(today + chrono::Duration::days(7)), Some(today + chrono::Duration::days(7)), "Town hall")
        .await
        .unwrap()[0];
    let operation = db.store.police(&chair_r).create_operation(OPERATION, Some(OperationKind::Disruption), "DI Lead", Some(panel)).await.unwrap();
    let pv = db.store.panels(&chair_r).get(panel).await.unwrap().version;
    db.store.panels(&chair_r).save_business(panel, pv, BUSINESS, None).await.unwrap();
    let tool = db.store.screening().current().await.unwrap();
    let answers: BTreeMap<String, bool> = tool.indicators().map(|i| (i.key.clone(), false)).collect();
    // Two notifications wait until the team they are routed through has its member.
    let mut later = Vec::new();
    let mut kids = Vec::new();
    for (i, case) in Case::all().into_iter().enumerate() {
        let first = case.first_name();
        let (raiser_id, raiser_agency) = match case {
            Case::School(InvolvementKind::RaisedConcern) => (school_raiser, school),
            Case::HealthPerson => (raiser, health),
            _ => (mash, other),
        };
        let form = ConcernForm {
            child: Some(ChildRef::New(ChildInput {
                first_name: first.clone(),
                last_name: SURNAME.into(),
                estimated_age: Some(14),
                ..Default::default()
            })),
            concern: ConcernInput {
                source: Some(ReferralSource::ProfessionalConcern),
                reported_by: None,
                what_seen: "Seen with older men".into(),
                seen_on: Some(today),
                seen_where: "Town centre".into(),
                seen_by: "Teacher".into(),
                referral_text: "Referral".into(),
            },
            answers: answers.clone(),
        };
        let raised = db.store.referrals(&testing::reader_of(&db.store, raiser_id).await).raise(&form).await.unwrap();
        let cid = raised.child_id;
        let marker = format!("PROSECUTE-{cid}-MARKER");
        let check_marker = format!("POLICE-CHECK-{cid}-MARKER");
        let discussion = format!("DISCUSSION-{cid}-MARKER");
        // The MASH records what the other council holds, with police-only information.
        let rec = open(db, &mash_r, cid, Section::MashDecision).await;
        let check = CheckInput { agency_id: Some(other), shared: "Known to the service".into(), police_only: check_marker.clone() };
        rec.record_check(raised.referral_id, &check).await.unwrap();
        // The plan, made by the co-chair (who may write the Prosecute section).
        let prevent_agency = match case {
            Case::School(InvolvementKind::HoldsAction) => school,
            Case::HealthAgency => health,
            _ => other,
        };
        let prosecute_agency = match case {
            Case::School(InvolvementKind::HoldsPoliceAction) => school,
            Case::PoliceProsecute => police,
            _ => other,
        };
        let v = plan_version(today + chrono::Duration::days(35), today + chrono::Duration::days(20), &marker, prevent_agency, prosecute_agency);
        let rec = open(db, &chair_r, cid, Section::Profile).await;
        rec.save_plan_version(0, Some(panel), &v, None, today).await.unwrap();
        rec.save_plan_version(1, Some(panel), &v, None, today).await.unwrap();
        // A slot at the panel, an agency invited to it, and the minutes of the discussion.
        let start = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap() + chrono::Duration::minutes(30 * i as i64);
        let slot = db.store.panels(&chair_r).book_slot(panel, Some(cid), Some(start), Some(30)).await.unwrap();
        let invited = if case == Case::School(InvolvementKind::InvitedToPanel) { school } else { other };
        let invitation = rec.invite(panel, slot, Some(InviteeKind::Practitioner), None, Some(invited), "", today).await.unwrap();
        let dv = db.store.panels(&chair_r).agenda(panel).await.unwrap().into_iter().find(|s| s.id == slot).unwrap().discussion_version;
        rec.save_discussion(panel, slot, dv, &discussion).await.unwrap();
        rec.record_police_flag(Some(false), Some(today), today).await.unwrap();
        db.store.police(&chair_r).link_child(operation, Some(cid)).await.unwrap();
        // A placement notification, its declared risks varied by child so the routes differ.
        use assure_domain::placements::Risk;
        let yes: Vec<Risk> = [(i % 2 == 0, Risk::Cse), (i % 3 == 1, Risk::Offending), (i % 4 == 3, Risk::Missing)]
            .iter()
            .filter(|(b, _)| *b)
            .map(|(_, r)| *r)
            .collect();
        let placement = assure_storage::placements::PlacementInput {
            child: Some(ChildRef::Existing(cid)),
            placing_authority: AUTHORITY.into(),
            new_provider: "Matrix Homes Ltd".into(),
            home: "Matrix House".into(),
            address: "1 Matrix Lane".into(),
            ward: "Linacre".into(),
            start_date: Some(today - chrono::Duration::days(3)),
            received_date: Some(today - chrono::Duration::days(2)),
            risks: Risk::ALL
                .iter()
                .map(|r| (*r, Some(yes.contains(r)), if yes.contains(r) { "Declared".to_string() } else { String::new() }))
                .collect(),
            ..Default::default()
        };
        match case {
            Case::School(InvolvementKind::NotifiedOfPlacement) => later.push((Team::EducationLead, school_edu, placement)),
            Case::HealthTeam => later.push((Team::HealthLead, nurse, placement)),
            _ => {
                db.store.placements(&officer_r).record_notification(&placement, today).await.unwrap();
            }
        }
        // A missing episode, ended, with a return interview: recorded by the school for its case.
        let recorder = if case == Case::School(InvolvementKind::RecordedMissing) { school_recorder } else { mash };
        let rr = testing::reader_of(&db.store, recorder).await;
        let ep = assure_storage::missing::EpisodeInput {
            child: Some(ChildRef::Existing(cid)),
            missing_from: Some(assure_domain::missing::MissingFrom::Care),
            started_at: Some(missing_start),
            ended_at: Some(missing_end),
            where_found: "Returned to the home by police".into(),
            police_reference: "MP/MATRIX".into(),
            risk_grading: Some(assure_domain::missing::RiskGrading::Medium),
        };
        let (_, eid) = db.store.missing(&rr).record_episode(&ep).await.unwrap();
        let interview = assure_storage::missing::InterviewInput {
            offered_at: Some(offered),
            response: Some(assure_domain::missing::InterviewResponse::Accepted),
            interviewer: "A. Worker".into(),
            provider: "Independent Return Interviews".into(),
            where_and_with_whom: "With friends".into(),
            ..Default::default()
        };
        open(db, &rr, cid, Section::Missing).await.record_interview(eid, None, &interview).await.unwrap();
        // A MARAC referral awaiting its CSE review (written past the age rule: the
        // fixture's children have an estimated age only).
        let mid = 700_000 + cid;
        testing::exec(
            &db.store,
            &format!(
                "INSERT INTO marac_referrals (id, child_id, agency_id, referred_on, referred_by, relationship, age_at_referral, status, recorded_at) \
                 VALUES ({mid}, {cid}, {other}, '{today}', 'IDVA service', 'MARAC-{cid}-RELATIONSHIP', 17, 'awaiting-cse-review', '{today}T09:00:00Z')"
            ),
        )
        .await;
        let cp = testing::open_cp_case(&db.store, cid, raised.referral_id).await;
        kids.push(Kid {
            id: cid,
            case,
            first,
            marker,
            check_marker,
            discussion,
            rid: raised.referral_id,
            cp,
            referral_agency: raiser_agency,
            mid,
            eid,
            slot,
            invitation,
            lines: Vec::new(),
        });
    }
    // Each waiting notification is routed while exactly one partner's member sits in its
    // team (the school's education lead, who then leaves; then the trust's nurse, who stays).
    for (t, member, placement) in later {
        db.store.partnership().add_team_member(&sys, t, member).await.unwrap();
        db.store.placements(&officer_r).record_notification(&placement, today).await.unwrap();
        if member == school_edu {
            db.store.partnership().remove_team_member(&sys, t, member).await.unwrap();
        }
    }
    for k in kids.iter_mut() {
        let ns = open(db, &chair_r, k.id, Section::Placements).await.notifications().await.unwrap();
        assert_eq!(ns.len(), 1, "one notification per child");
        k.lines = ns[0].recipients.iter().map(|r| (r.id, r.team)).collect();
    }
    // The fixture is what it claims: the partners are involved in exactly the ways named.
    for k in &kids {
        let inv = testing::involvements_of(&db.store, k.id).await;
        let of = |a: i64| -> Vec<(InvolvementKind, Scope)> { inv.iter().filter(|i| i.agency_id == a).map(|i| (i.kind, i.scope)).collect() };
        let (want_school, want_health, want_police) = match k.case {
            Case::School(kind) => {
                let scope = match kind {
                    InvolvementKind::HoldsPoliceAction => Scope::Team(Team::PoliceCse),
                    InvolvementKind::NotifiedOfPlacement => Scope::Team(Team::EducationLead),
                    _ => Scope::Agency,
                };
                (vec![(kind, scope)], vec![], vec![])
            }
            Case::Uninvolved => (vec![], vec![], vec![]),
            Case::HealthTeam => (vec![], vec![(InvolvementKind::NotifiedOfPlacement, Scope::Team(Team::HealthLead))], vec![]),
            Case::HealthAgency => (vec![], vec![(InvolvementKind::HoldsAction, Scope::Agency)], vec![]),
            Case::HealthPerson => (vec![], vec![(InvolvementKind::RaisedConcern, Scope::Person(raiser))], vec![]),
            Case::PoliceProsecute => (vec![], vec![], vec![(InvolvementKind::HoldsPoliceAction, Scope::Team(Team::PoliceCse))]),
        };
        assert_eq!(of(school), want_school, "child {} ({:?}): {inv:?}", k.id, k.case);
        assert_eq!(of(health), want_health, "child {} ({:?}): {inv:?}", k.id, k.case);
        assert_eq!(of(police), want_police, "child {} ({:?}): {inv:?}", k.id, k.case);
    }
    Fixture { school, police, health, other, agency_names, kids, panel, operation, chair, mash, nurse, raiser, missing_start, missing_end, offered }
}

/// The fixture's co-chair, who sees every child and every section: reads back what the
/// matrix must not have changed, through the door (audited as the co-chair's views).
async fn fixture_reader(db: &TestDb, fx: &Fixture) -> Reader {
    testing::reader_of(&db.store, fx.chair).await
}

/// A viewer's relation to the partnership's agencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Relation {
    /// A member of the school (involved agency-wide).
    SchoolMember,
    /// A member of the police (team by team).
    PoliceMember,
    /// A member of the health trust (team by team).
    HealthMember,
    /// A member of the health trust who is the school's SPOC.
    HealthMemberSpocOfSchool,
    /// A member and SPOC of the health trust (an involvement of the trust as a whole reaches only them).
    HealthSpoc,
    /// A member and SPOC of the police.
    PoliceSpoc,
}

const RELATIONS: [Relation; 6] = [
    Relation::SchoolMember,
    Relation::PoliceMember,
    Relation::HealthMember,
    Relation::HealthMemberSpocOfSchool,
    Relation::HealthSpoc,
    Relation::PoliceSpoc,
];

struct Person {
    uid: i64,
    email: String,
    role: Role,
    /// `None` for tracker roles (no pathway).
    viewer: Option<Viewer>,
    client: Client,
    csrf: String,
}

/// The viewers: every pathway role × team set (none, or one team) once, the relation
/// taken in turn (role index + team-set index, mod 6) — so every pair of role, team set
/// and relation is met (a covering array of strength two over the full product: 80
/// viewers, not 480) — plus the fixture's two nurses, a police CSE officer in the police
/// CSE unit, the police's SPOC and two tracker roles (a committee member, an administrator).
async fn viewers(db: &TestDb, app: &axum::Router, hash: &str, fx: &Fixture) -> Vec<Person> {
    let sys = Actor::system();
    let team_sets: Vec<Option<Team>> = std::iter::once(None).chain(Team::ALL.iter().copied().map(Some)).collect();
    let mut made: Vec<(i64, String, Role)> = Vec::new();
    let mut met: BTreeSet<(String, String, String)> = BTreeSet::new();
    let pathway: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.pathway().is_some()).collect();
    for (ri, role) in pathway.iter().copied().enumerate() {
        for (ti, team) in team_sets.iter().enumerate() {
            let rel = RELATIONS[(ri + ti) % RELATIONS.len()];
            met.insert((format!("{role:?}"), format!("{team:?}"), String::new()));
            met.insert((format!("{role:?}"), String::new(), format!("{rel:?}")));
            met.insert((String::new(), format!("{team:?}"), format!("{rel:?}")));
            let email = format!("{}-{}-{:?}@example.org", role.slug(), team.map(|t| t.slug()).unwrap_or("none"), rel).to_lowercase();
            let agency = match rel {
                Relation::SchoolMember => fx.school,
                Relation::PoliceMember | Relation::PoliceSpoc => fx.police,
                Relation::HealthMember | Relation::HealthMemberSpocOfSchool | Relation::HealthSpoc => fx.health,
            };
            let uid = person(db, hash, &email, role, Some(agency)).await;
            if let Some(t) = team {
                db.store.partnership().add_team_member(&sys, *t, uid).await.unwrap();
            }
            match rel {
                Relation::HealthMemberSpocOfSchool => db.store.partnership().add_spoc(&sys, fx.school, uid).await.unwrap(),
                Relation::HealthSpoc => db.store.partnership().add_spoc(&sys, fx.health, uid).await.unwrap(),
                Relation::PoliceSpoc => db.store.partnership().add_spoc(&sys, fx.police, uid).await.unwrap(),
                _ => {}
            }
            made.push((uid, email, role));
        }
    }
    assert_eq!(
        met.len(),
        pathway.len() * team_sets.len() + pathway.len() * RELATIONS.len() + team_sets.len() * RELATIONS.len(),
        "every pair of role, team set and relation is met"
    );
    made.push((fx.nurse, "nurse-health-lead@example.org".into(), Role::Practitioner));
    made.push((fx.raiser, "nurse-raiser@example.org".into(), Role::Practitioner));
    let cse = person(db, hash, "extra-police-cse@example.org", Role::PoliceCseOfficer, Some(fx.police)).await;
    db.store.partnership().add_team_member(&sys, Team::PoliceCse, cse).await.unwrap();
    made.push((cse, "extra-police-cse@example.org".into(), Role::PoliceCseOfficer));
    let spoc = person(db, hash, "extra-police-spoc@example.org", Role::Spoc, Some(fx.police)).await;
    db.store.partnership().add_spoc(&sys, fx.police, spoc).await.unwrap();
    made.push((spoc, "extra-police-spoc@example.org".into(), Role::Spoc));
    for role in [Role::CommitteeMember, Role::Administrator] {
        let email = format!("tracker-{}@example.org", role.slug());
        let uid = person(db, hash, &email, role, None).await;
        made.push((uid, email, role));
    }
    let mut out = Vec::new();
    for (uid, email, role) in made {
        let viewer = db.store.partnership().viewer(uid).await.unwrap();
        assert_eq!(viewer.is_some(), role.pathway().is_some(), "{email}");
        let mut client = Client::new(app.clone());
        client.sign_in(&email).await;
        let csrf = client.csrf().await;
        out.push(Person { uid, email, role, viewer, client, csrf });
    }
    out
}

struct Got {
    status: StatusCode,
    body: String,
}

/// A GET with the body as text (a DOCX is unzipped to its document.xml).
async fn fetch(c: &mut Client, path: &str) -> Got {
    let cookies = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let resp = c.app.clone().oneshot(Request::get(path).header(header::COOKIE, cookies).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let docx = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").contains("wordprocessingml");
    let bytes = to_bytes(resp.into_body(), 64 * 1024 * 1024).await.unwrap().to_vec();
    let body = if docx {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
        let mut s = String::new();
        z.by_name("word/document.xml").unwrap().read_to_string(&mut s).unwrap();
        s
    } else {
        String::from_utf8_lossy(&bytes).to_string()
    };
    Got { status, body }
}

async fn post(p: &mut Person, path: &str, fields: &[(&'static str, String)]) -> Got {
    if path.starts_with("/api/") {
        // The API takes the same fields as JSON, with the session's CSRF token in a header.
        let mut body = serde_json::Map::new();
        for (k, v) in fields {
            match (*k, v.parse::<i64>()) {
                ("version", Ok(n)) => body.insert(k.to_string(), n.into()),
                ("version", Err(_)) => None,
                // The strategy meeting's attendees: a list of agency ids.
                ("agencies", _) => body.insert(k.to_string(), serde_json::json!([v.parse::<i64>().unwrap_or(0)])),
                _ => body.insert(k.to_string(), v.clone().into()),
            };
        }
        let r = p.client.post_json(path, &p.csrf, &serde_json::Value::Object(body)).await;
        return Got { status: r.status, body: r.body };
    }
    let mut pairs: Vec<(&str, &str)> = vec![("_csrf", p.csrf.as_str())];
    pairs.extend(fields.iter().map(|(a, b)| (*a, b.as_str())));
    let r = p.client.post_form(path, &pairs).await;
    Got { status: r.status, body: r.body }
}

/// What a request should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Allowed,
    /// 404, exactly as for a number that names no child.
    NoSuchChild,
    /// 403: a part of the record (or a function on it) the viewer may not have.
    Restricted,
    /// 403 at the route's role check.
    RoleRefused,
}

impl Outcome {
    fn status(self) -> StatusCode {
        match self {
            Outcome::Allowed => StatusCode::OK,
            Outcome::NoSuchChild => StatusCode::NOT_FOUND,
            Outcome::Restricted | Outcome::RoleRefused => StatusCode::FORBIDDEN,
        }
    }
}

/// What this viewer gets from this route for this child, by the domain's rule.
/// `line_team`: for a notification line, the team it was routed to.
fn outcome(role: Role, v: Option<&Viewer>, perm: Permission, rule: Rule, kid: &Kid, inv: &[Involvement], line_team: Option<Team>) -> Outcome {
    if !role.allows(perm) {
        return Outcome::RoleRefused;
    }
    let v = v.expect("a role with a pathway permission is on the pathway");
    if let Rule::BreakGlass = rule {
        return if v.may_break_glass() { Outcome::Allowed } else { Outcome::Restricted };
    }
    if !v.may_see_child(kid.id, inv.iter().copied()) {
        return Outcome::NoSuchChild;
    }
    let ok = match rule {
        Rule::Section(s) => v.may_see_section(s),
        Rule::MashTeam => v.may_merge_duplicates(),
        Rule::SpocOfRaiser => v.may_see_section(Section::MashDecision) && v.spoc_for.contains(&kid.referral_agency),
        Rule::Line => v.teams.contains(&line_team.expect("a line's team")),
        Rule::BreakGlass => unreachable!(),
    };
    if ok {
        Outcome::Allowed
    } else {
        Outcome::Restricted
    }
}

/// Where a request sits in the matrix, to decide whether it is made.
struct At {
    person: usize,
    route: usize,
    kid: usize,
    kids: usize,
    /// The record page and the API's record: every child, always.
    canonical: bool,
    /// The viewer sits in a team that sees every child.
    every_child: bool,
    /// The child is involved through police-only material.
    police_case: bool,
}

/// Whether this request is made. What does not depend on the child is made for some
/// children per viewer and route, in turn, so that across the viewers every child meets
/// every route under each outcome: a refusal by role (at the guard, before any child is
/// looked at) for two; a child out of reach (the one door, the same for every route) for
/// a third, except on the record page and the API's record, which are asked for every
/// such child; and for a viewer who sees every child, a route other than those two for
/// a third of the children and both children police-only material involves. Everything
/// else — every allowed or restricted request of a viewer whose reach is limited — is made.
fn sampled(want: Outcome, at: &At) -> bool {
    let turn = at.person + at.route + at.kid;
    match want {
        Outcome::RoleRefused => turn % at.kids < 2,
        Outcome::NoSuchChild => at.canonical || turn.is_multiple_of(3),
        Outcome::Allowed | Outcome::Restricted => !at.every_child || at.canonical || at.police_case || turn.is_multiple_of(3),
    }
}

/// The numbers a request path names.
#[derive(Debug, Clone, Copy)]
struct Target {
    child: i64,
    rid: i64,
    mid: i64,
    cp: i64,
    eid: i64,
    panel: i64,
    slot: i64,
    line: i64,
}

impl Target {
    fn of(k: &Kid, panel: i64, line: i64) -> Target {
        Target { child: k.id, rid: k.rid, mid: k.mid, cp: k.cp, eid: k.eid, panel, slot: k.slot, line }
    }
    /// The same request for a number that names no child (child, slot or line).
    fn nobody(self) -> Target {
        Target { child: NONE, slot: NONE, line: NONE, ..self }
    }
}

fn fill(template: &str, t: &Target, format: &str) -> String {
    let head = if template.starts_with("/panels/") {
        t.panel
    } else if template.starts_with("/notifications/") || template.starts_with("/api/v1/notifications/") {
        t.line
    } else {
        t.child
    };
    template
        .replace("{id}", &head.to_string())
        .replace("{sid}", &t.slot.to_string())
        .replace("{rid}", &t.rid.to_string())
        .replace("{cid}", &t.cp.to_string())
        .replace("{eid}", &t.eid.to_string())
        .replace("{mid}", &t.mid.to_string())
        .replace("{n}", "1")
        .replace("{format}", format)
}

/// A body with the session's CSRF token and the child's number (in links) replaced, to
/// compare a refusal with the answer for a number that is no child.
fn normalised(body: &str, csrf: &str, id: i64) -> String {
    let mut b = body.replace(csrf, "CSRF");
    for end in ["/", "\"", "?"] {
        b = b.replace(&format!("/children/{id}{end}"), &format!("/children/N{end}"));
    }
    b
}

type Form = Vec<(&'static str, String)>;

/// For each POST child route and child: (a valid form, a form that fails validation).
type Forms = HashMap<(&'static str, i64), (Form, Form)>;

async fn forms(path: &str, db: &TestDb, fx: &Fixture, k: &Kid, today: &str, review: &str) -> (Form, Form) {
    let s = |a: &'static str, b: &str| (a, b.to_string());
    let reader = fixture_reader(db, fx).await;
    let rec = open(db, &reader, k.id, Section::Identity).await;
    let minute = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
    if path.ends_with("/missing/{eid}/end") {
        let v = rec.episode(k.eid).await.unwrap().version.to_string();
        (
            vec![s("version", &v), s("end", &minute(fx.missing_end)), s("where_found", "Returned to the home by police")],
            vec![s("version", &v), s("end", ""), s("where_found", "")],
        )
    } else if path.ends_with("/missing/{eid}/return") {
        // The API's name for the same form.
        let v = rec.episode(k.eid).await.unwrap().version.to_string();
        (
            vec![s("version", &v), s("ended_at", &minute(fx.missing_end)), s("where_found", "Returned to the home by police")],
            vec![s("version", &v), s("ended_at", ""), s("where_found", "")],
        )
    } else if path.ends_with("/missing/{eid}/interview") {
        let v = rec.episode(k.eid).await.unwrap().interview.map(|i| i.version.to_string()).unwrap_or_default();
        (
            vec![
                s("version", &v),
                s("offered_at", &minute(fx.offered)),
                s("response", "accepted"),
                s("provider", "Independent Return Interviews"),
                s("interviewer", "B. Worker"),
            ],
            vec![s("version", &v), s("offered_at", &minute(fx.offered)), s("response", "accepted"), s("provider", "")],
        )
    } else if path.ends_with("/checks") {
        (
            vec![s("agency_id", &fx.other.to_string()), s("holds", "Known to the service"), s("police_only", "Leaked intelligence")],
            vec![s("holds", "Known to the service")],
        )
    } else if path.ends_with("/decision") {
        let v = rec.referral(k.rid).await.unwrap().version.to_string();
        (
            vec![s("version", &v), s("decision", "macse"), s("reasons", "Risk is high"), s("interventions", "Panel")],
            vec![s("version", &v), s("reasons", "")],
        )
    } else if path.ends_with("/follow-on") {
        let v = rec.referral(k.rid).await.unwrap().version.to_string();
        (
            vec![s("version", &v), s("follow_on", "macse"), s("follow_on_reasons", "No parenting concerns")],
            vec![s("version", &v), s("follow_on_reasons", "")],
        )
    } else if path.starts_with("/api/") && path.contains("/child-protection/{cid}/") {
        // The API's names for the same stages: dates written YYYY-MM-DD.
        let case = open(db, &reader, k.id, Section::ChildProtection).await.cp_case(k.cp).await.unwrap();
        let v = case.version.to_string();
        let on = common::today().to_string();
        if path.ends_with("/strategy-meeting") {
            (
                vec![s("version", &v), s("held_on", &on), s("agencies", &fx.other.to_string()), s("decision", "section-47")],
                vec![s("version", &v), s("held_on", "2026-02-31")],
            )
        } else if path.ends_with("/section-47") {
            (vec![s("version", &v), s("started_on", &on)], vec![s("version", &v), s("outcome", "conference-needed")])
        } else if path.ends_with("/review-conference") {
            (vec![s("version", &v), s("held_on", &on)], vec![s("version", &v)])
        } else {
            (vec![s("version", &v), s("held_on", &on), s("outcome", "cp-plan")], vec![s("version", &v)])
        }
    } else if path.starts_with("/api/") && path.ends_with("/marac") {
        (
            vec![s("referred_on", &common::today().to_string()), s("referred_by", "IDVA service"), s("relationship", "Leaked relationship")],
            vec![s("referred_on", "2026-02-31"), s("referred_by", "")],
        )
    } else if path.contains("/child-protection/{cid}/") {
        let case = open(db, &reader, k.id, Section::ChildProtection).await.cp_case(k.cp).await.unwrap();
        let v = case.version.to_string();
        let date = |name: &'static str| -> Vec<(&'static str, String)> {
            let t = common::today();
            let (d, m, y): (&'static str, &'static str, &'static str) = match name {
                "held_on" => ("held_on-day", "held_on-month", "held_on-year"),
                "started_on" => ("started_on-day", "started_on-month", "started_on-year"),
                "outcome_on" => ("outcome_on-day", "outcome_on-month", "outcome_on-year"),
                _ => ("review_on-day", "review_on-month", "review_on-year"),
            };
            use chrono::Datelike;
            vec![(d, t.day().to_string()), (m, t.month().to_string()), (y, t.year().to_string())]
        };
        let with = |mut base: Vec<(&'static str, String)>, extra: Vec<(&'static str, String)>| {
            base.extend(extra);
            base
        };
        if path.ends_with("/strategy-meeting") {
            let agencies: &'static str = Box::leak(format!("strategy-{}-agencies", k.cp).into_boxed_str());
            (
                with(vec![s("version", &v), s(agencies, &fx.other.to_string()), s("decision", "section-47")], date("held_on")),
                vec![s("version", &v), s("held_on-day", "31"), s("held_on-month", "2"), s("held_on-year", "2026")],
            )
        } else if path.ends_with("/section-47") {
            (with(vec![s("version", &v)], date("started_on")), vec![s("version", &v), s("outcome", "conference-needed")])
        } else if path.ends_with("/conference") {
            (with(vec![s("version", &v), s("outcome", "cp-plan")], date("held_on")), vec![s("version", &v)])
        } else if path.ends_with("/review-conference") {
            (with(vec![s("version", &v)], date("review_on")), vec![s("version", &v)])
        } else if path.ends_with("/reviewing-officer") {
            (vec![s("version", &v), s("officer", &fx.nurse.to_string())], vec![s("version", &v), s("officer", "")])
        } else {
            let n = rec.plan_number().await.unwrap().to_string();
            let base = vec![s("version", &n), s("rows", "4"), s("review_date", review), s("discussion-protect", "Safety plan")];
            (base.clone(), base)
        }
    } else if path.ends_with("/referrals/{rid}/acknowledge") {
        // A referral on the queue cannot be acknowledged (422); a returned one can.
        let v = rec.referral(k.rid).await.unwrap().version.to_string();
        (vec![s("version", &v)], vec![s("version", &v)])
    } else if path.ends_with("/plan/edit") {
        let n = rec.plan_number().await.unwrap().to_string();
        let base = vec![
            s("version", &n),
            s("rows", "4"),
            s("panel_id", &fx.panel.to_string()),
            s("review_date", review),
            s("discussion-profile", "Updated profile"),
        ];
        let mut bad = base.clone();
        bad.extend([
            s("action-1-section", "prevent"),
            s("action-1-text", "No owner"),
            s("action-1-agency", &fx.other.to_string()),
            s("action-1-due", review),
        ]);
        (base, bad)
    } else if path.ends_with("/police-flag") {
        (vec![s("flagged", "yes"), s("flag_date", today)], vec![s("flag_date", today)])
    } else if path.ends_with("/children/{id}/edit") {
        let v = rec.child().version.to_string();
        (
            vec![s("version", &v), s("first_name", &k.first), s("last_name", SURNAME), s("estimated_age", "15"), s("legal_status", "child-in-need")],
            vec![s("version", &v), s("first_name", ""), s("last_name", SURNAME), s("estimated_age", "15")],
        )
    } else if path.ends_with("/merge") {
        let other = fx.kids.iter().find(|o| o.id != k.id).unwrap().id.to_string();
        let v = rec.child().version.to_string();
        (vec![s("version", &v), s("duplicate", &other), s("confirm", "yes")], vec![s("version", &v)])
    } else if path.ends_with("/emergency-access") {
        (vec![s("reason", "Police report the child missing overnight")], vec![s("reason", "")])
    } else if path.ends_with("/invitations") {
        (vec![s("kind", "practitioner"), s("agency_id", &fx.school.to_string()), s("name", "")], vec![s("kind", ""), s("name", "")])
    } else if path.ends_with("/attendance") {
        let inv = k.invitation.to_string();
        (vec![s("invitation_id", &inv), s("attendance", "attended")], vec![s("invitation_id", &inv), s("attendance", "")])
    } else if path.ends_with("/discussion") {
        let v = db.store.panels(&reader).agenda(fx.panel).await.unwrap().into_iter().find(|s| s.id == k.slot).unwrap().discussion_version.to_string();
        (vec![s("version", &v), s("discussion", "Leaked minutes")], vec![s("version", &v), ("discussion", "x".repeat(100_001))])
    } else if path.ends_with("/notifications/{id}/acknowledge") {
        (vec![], vec![])
    } else if path.ends_with("/marac") {
        // The fixture's children have no date of birth: even the full form is refused (422).
        let d = common::today();
        let (day, month, year) =
            (chrono::Datelike::day(&d).to_string(), chrono::Datelike::month(&d).to_string(), chrono::Datelike::year(&d).to_string());
        (
            vec![
                s("referred_on-day", &day),
                s("referred_on-month", &month),
                s("referred_on-year", &year),
                s("referred_by", "IDVA service"),
                s("relationship", "Leaked relationship"),
            ],
            vec![s("referred_on-day", "31"), s("referred_on-month", "2"), s("referred_on-year", &year), s("referred_by", "")],
        )
    } else if path.ends_with("/chronology/marks") {
        // The child's referral, marked significant (a note is needed: the bad form has none).
        let entry = format!("concern-{}", k.rid);
        (
            vec![s("entry", &entry), s("version", "0"), s("note", "Significant for the matrix")],
            vec![s("entry", &entry), s("version", "0"), s("note", "")],
        )
    } else if path.ends_with("/marac/{mid}/review") {
        let v = rec.marac_referral(k.mid).await.unwrap().version.to_string();
        (vec![s("version", &v), s("outcome", "cse-concern"), s("reasons", "Leaked review")], vec![s("version", &v), s("reasons", "")])
    } else {
        panic!("no forms for POST {path}: add them to the access matrix")
    }
}

/// Bring a child's CP case to the stage before the one `path` records (as the fixture's
/// MASH, through the door), so a valid form of that stage succeeds.
async fn prepare_cp_case(db: &TestDb, mash: &Reader, k: &Kid, path: &str) {
    use assure_domain::child_protection::{ConferenceInput, ConferenceOutcome, S47Input, S47Outcome, StrategyDecision, StrategyInput};
    let today = common::today();
    let rec = open(db, mash, k.id, Section::ChildProtection).await;
    let case = |rec: &ChildRecord| {
        let rec = rec.clone();
        async move { rec.cp_case(k.cp).await.unwrap() }
    };
    let needs_conference = path.ends_with("/review-conference") || path.ends_with("/plan");
    if path.ends_with("/conference") || needs_conference {
        let c = case(&rec).await;
        if c.facts.strategy_on.is_none() {
            let agency = db.store.partnership().agencies().await.unwrap()[0].id;
            let input =
                StrategyInput { held_on: Some(today), agencies: vec![agency], decision: Some(StrategyDecision::Section47), notes: String::new() };
            rec.record_strategy_meeting(c.id, c.version, &input).await.unwrap();
        }
        let c = case(&rec).await;
        if c.facts.s47_outcome.is_none() {
            let input = S47Input { started_on: Some(today), outcome: Some(S47Outcome::ConferenceNeeded), outcome_on: Some(today) };
            rec.record_section_47(c.id, c.version, &input).await.unwrap();
        }
    }
    if needs_conference {
        let c = case(&rec).await;
        if c.facts.conference_on.is_none() {
            rec.record_conference(c.id, c.version, &ConferenceInput { held_on: Some(today), outcome: Some(ConferenceOutcome::CpPlan) })
                .await
                .unwrap();
        }
    }
}

/// What a write could change about a child, read through the door (as the fixture's
/// co-chair): plan version and actions, identity version, involvements, referral version
/// and checks, police flags, emergency grants, missing episodes (count, version, interview
/// version, routes), placement notifications (count, acknowledgements), the slot's minutes,
/// invitations and attendance.
async fn fingerprint(db: &TestDb, fx: &Fixture) -> Vec<Vec<String>> {
    let reader = fixture_reader(db, fx).await;
    let agenda = db.store.panels(&reader).agenda(fx.panel).await.unwrap();
    let mut out = Vec::new();
    for k in &fx.kids {
        let rec = open(db, &reader, k.id, Section::Identity).await;
        let r = rec.referral(k.rid).await.unwrap();
        let eps = rec.episodes().await.unwrap();
        let ep = eps.iter().find(|e| e.id == k.eid).expect("the fixture episode");
        let ns = rec.notifications().await.unwrap();
        let slot = agenda.iter().find(|s| s.id == k.slot).expect("the child's slot");
        let n = |x: usize| x.to_string();
        out.push(vec![
            rec.plan_number().await.unwrap().to_string(),
            rec.plan().await.unwrap().map(|p| p.actions.len()).unwrap_or(0).to_string(),
            rec.child().version.to_string(),
            format!("{:?}", testing::involvements_of(&db.store, k.id).await),
            r.version.to_string(),
            n(rec.mash_checks(k.rid).await.unwrap().len()),
            n(rec.police_flags().await.unwrap().len()),
            n(rec.operations().await.unwrap().len()),
            n(rec.emergency_grants().await.unwrap().len()),
            n(eps.len()),
            ep.version.to_string(),
            ep.interview.as_ref().map(|i| i.version).unwrap_or(-1).to_string(),
            n(ep.routes.len()),
            n(ns.len()),
            n(ns.iter().flat_map(|n| &n.recipients).filter(|r| r.acknowledged_at.is_some()).count()),
            rec.slots().await.unwrap().iter().map(|s| s.discussion.clone()).collect::<Vec<_>>().join("|"),
            slot.discussion_version.to_string(),
            format!("{:?}", slot.invitations.iter().map(|i| (i.id, i.attendance.map(|a| a.slug()))).collect::<Vec<_>>()),
            format!("{:?}", rec.marac_referrals().await.unwrap().iter().map(|m| (m.id, m.version)).collect::<Vec<_>>()),
        ]);
    }
    out
}

fn names_in(body: &str, fx: &Fixture) -> BTreeSet<i64> {
    fx.kids
        .iter()
        .filter(|k| body.contains(&format!("{} {SURNAME}", k.first)) || body.contains(&format!("{SURNAME}, {}", k.first)))
        .map(|k| k.id)
        .collect()
}

/// The text between two markers (empty if the first is absent).
fn between<'a>(body: &'a str, from: &str, to: &str) -> &'a str {
    let Some(i) = body.find(from) else { return "" };
    let rest = &body[i + from.len()..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

/// The agencies a viewer may be shown as involved with a child, by name.
fn shown_agencies(v: &Viewer, inv: &[Involvement], fx: &Fixture) -> BTreeSet<String> {
    v.shown_involvements(inv).iter().map(|i| fx.agency_names[&i.agency_id].clone()).collect()
}

fn sorted(mut v: Vec<Involvement>) -> Vec<Involvement> {
    v.sort_by_key(|i| (i.agency_id, i.kind.slug(), i.scope.key()));
    v
}

/// Words that would give away police-only material outside police eyes.
const POLICE_ONLY_WORDS: [&str; 3] = ["holds-police-action", "police-only plan action", "Holds a police-only"];

/// An access log read by someone outside police eyes: no police-only material, not even
/// by its shadow (a police-only involvement, police work on the record, the police part
/// of the checks, or a view of a police-only section).
fn assert_access_log_shadowless(body: &str, v: &Viewer, k: &Kid, who: &str) {
    assert!(!body.contains(&k.marker) && !body.contains(&k.check_marker), "{who}: police-only material");
    for w in POLICE_ONLY_WORDS.iter().chain(&["police CSE flag recorded", "linked to operation", "prosecute:", "perpetrators:", "operations:"]) {
        assert!(!body.contains(w), "{who}: police-only material shows by its shadow ({w:?})");
    }
    if !v.may_see_section(Section::PoliceChecks) {
        assert!(!body.contains("police-only information"), "{who}: the police part of the MASH checks shows by its shadow");
    }
}

#[derive(Default)]
struct Tally {
    reads: usize,
    writes: usize,
    lists: usize,
    outcomes: BTreeMap<(&'static str, Outcome), usize>,
    /// Refused requests per (viewer, child): each must be audited against the child.
    refused: BTreeMap<(String, i64), Vec<String>>,
    /// Refused requests per viewer for numbers that name no child.
    unknown: BTreeMap<String, usize>,
    /// Allowed record reads per (viewer, child): each audited as a view.
    viewed: BTreeMap<(String, i64), usize>,
    /// Allowed downloads per (viewer, child): each audited once as an export.
    exports: BTreeMap<(String, i64), usize>,
    /// (person index, child) per POST route the matrix allowed.
    allowed_writes: BTreeMap<&'static str, Vec<(usize, i64)>>,
    /// The viewers (person index) the matrix allowed to acknowledge each line.
    acks: BTreeMap<i64, Vec<usize>>,
}

impl Tally {
    fn absorb(&mut self, o: Tally) {
        self.reads += o.reads;
        self.writes += o.writes;
        self.lists += o.lists;
        for (k, n) in o.outcomes {
            *self.outcomes.entry(k).or_default() += n;
        }
        for (k, n) in o.refused {
            self.refused.entry(k).or_default().extend(n);
        }
        for (k, n) in o.unknown {
            *self.unknown.entry(k).or_default() += n;
        }
        for (k, n) in o.viewed {
            *self.viewed.entry(k).or_default() += n;
        }
        for (k, n) in o.exports {
            *self.exports.entry(k).or_default() += n;
        }
        for (k, v) in o.allowed_writes {
            self.allowed_writes.entry(k).or_default().extend(v);
        }
        for (k, v) in o.acks {
            self.acks.entry(k).or_default().extend(v);
        }
    }
}

/// What every group of viewers shares: the fixture, the involvements as stored, the routes and the forms.
struct Shared {
    fx: Fixture,
    inv: BTreeMap<i64, Vec<Involvement>>,
    gets: Vec<RouteSpec>,
    posts: Vec<RouteSpec>,
    forms: Forms,
}

/// The answer for a number that names no child, once per viewer and route: it must be a
/// 404 (audited as an unknown child), and it is what an out-of-reach child must look like.
async fn reference(p: &mut Person, cache: &mut HashMap<String, String>, tally: &mut Tally, key: String, path: String, form: Option<&Form>) -> String {
    if let Some(b) = cache.get(&key) {
        return b.clone();
    }
    let got = match form {
        Some(f) => post(p, &path, f).await,
        None => fetch(&mut p.client, &path).await,
    };
    assert_eq!(got.status, StatusCode::NOT_FOUND, "{} {path}: a number that names no child\n{}", p.email, &got.body[..got.body.len().min(600)]);
    *tally.unknown.entry(p.email.clone()).or_default() += 1;
    let b = normalised(&got.body, &p.csrf, NONE);
    cache.insert(key, b.clone());
    b
}

/// Two answers that must be the same, byte for byte; on a difference, where it starts.
fn same_page(a: &str, b: &str, who: &str) {
    if a == b {
        return;
    }
    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let around = |s: &str| {
        let from = s.floor_char_boundary(at.saturating_sub(200));
        let to = s.ceil_char_boundary((at + 200).min(s.len()));
        s[from..to].to_string()
    };
    panic!("{who}: the answers differ from byte {at}:\n  this: …{}…\n  that: …{}…", around(a), around(b));
}

/// A refused request: the status, nothing of the child, and for "no such child" the very
/// answer a number that names no child gets.
fn check_refused(who: &str, want: Outcome, got: &Got, k: &Kid, csrf: &str, nobody: Option<&str>) {
    assert_eq!(got.status, want.status(), "{who}: expected {want:?}\n{}", &got.body[..got.body.len().min(600)]);
    assert!(
        !got.body.contains(&k.first) && !got.body.contains(&k.marker) && !got.body.contains(SURNAME) && !got.body.contains(&k.check_marker),
        "{who}: a refusal leaked the record"
    );
    if let Some(reference) = nobody {
        same_page(&normalised(&got.body, csrf, k.id), reference, &format!("{who}: out of reach must answer exactly as no such child"));
    }
}

async fn run_group(shared: Arc<Shared>, mut people: Vec<(usize, Person)>) -> (Vec<(usize, Person)>, Tally) {
    let s = &*shared;
    let fx = &s.fx;
    let mut t = Tally::default();
    for (pi, p) in people.iter_mut() {
        let pi = *pi;
        let v = p.viewer.clone();
        let every_child = v.as_ref().is_some_and(|v| v.reach() == assure_domain::partnership::Reach::EveryChild);
        let mut cache: HashMap<String, String> = HashMap::new();
        // ---- reads: every GET child route, every child.
        for (ri, spec) in s.gets.iter().enumerate() {
            let rule = rule_of(&spec.method, spec.path).unwrap();
            for (ki, k) in fx.kids.iter().enumerate() {
                let kinv = &s.inv[&k.id];
                // The download route: both formats, ordinary and police export, two per child
                // in turn (each viewer meets all four).
                let variants: Vec<(&str, bool)> = match (spec.path.contains("{format}"), ki % 2) {
                    (false, _) => vec![("", false)],
                    (true, 0) => vec![("csv", false), ("docx", true)],
                    (true, _) => vec![("docx", false), ("csv", true)],
                };
                let canonical = matches!(spec.path, "/children/{id}" | "/api/v1/children/{id}");
                let at = At { person: pi, route: ri, kid: ki, kids: fx.kids.len(), canonical, every_child, police_case: k.police_case() };
                if !sampled(outcome(p.role, v.as_ref(), spec.permission, rule, k, kinv, None), &at) {
                    continue;
                }
                for (format, police) in &variants {
                    let target = Target::of(k, fx.panel, 0);
                    let mut suffix = String::new();
                    if spec.path.ends_with("/compare") {
                        suffix.push_str("?from=1&to=2");
                    }
                    if *police {
                        suffix.push_str("?police=1");
                    }
                    let path = fill(spec.path, &target, format) + &suffix;
                    let mut want = outcome(p.role, v.as_ref(), spec.permission, rule, k, kinv, None);
                    if *police && want == Outcome::Allowed && !v.as_ref().unwrap().exportable_sections(true).contains(&Section::Prosecute) {
                        // A police export asked for by someone who may only read the plan.
                        want = Outcome::Restricted;
                    }
                    let got = fetch(&mut p.client, &path).await;
                    t.reads += 1;
                    *t.outcomes.entry(("read", want)).or_default() += 1;
                    let who = format!("{} ({:?}) GET {path}", p.email, v);
                    if want == Outcome::Allowed {
                        let v = v.as_ref().unwrap();
                        assert_eq!(got.status, StatusCode::OK, "{who}: expected allowed\n{}", &got.body[..got.body.len().min(600)]);
                        if !matches!(rule, Rule::BreakGlass) {
                            *t.viewed.entry((p.email.clone(), k.id)).or_default() += 1;
                        }
                        if !v.may_see_section(Section::Prosecute) {
                            assert!(!got.body.contains(&k.marker), "{who}: the Prosecute section leaked");
                        }
                        if !v.may_see_section(Section::PoliceChecks) {
                            assert!(!got.body.contains(&k.check_marker), "{who}: the police part of the MASH checks leaked");
                        }
                        if !v.may_see_police_only() {
                            for w in POLICE_ONLY_WORDS {
                                assert!(!got.body.contains(w), "{who}: police-only material shows by its shadow ({w:?})");
                            }
                        }
                        if spec.path == "/children/{id}/access-log" && !v.may_see_section(Section::PoliceChecks) {
                            assert!(!got.body.contains("police-only information"), "{who}: the police part of the MASH checks shows by its shadow");
                        }
                        if spec.path.contains("{format}") {
                            let shows = v.exportable_sections(*police).contains(&Section::Prosecute);
                            assert_eq!(got.body.contains(&k.marker), shows, "{who}: Prosecute in the export only when exportable");
                            assert!(got.body.contains("Mentoring sessions"), "{who}: the export carries the plan");
                            *t.exports.entry((p.email.clone(), k.id)).or_default() += 1;
                        }
                        if spec.path.ends_with("/chronology/download") {
                            assert!(got.body.contains("<w:document"), "{who}: the chronology as a DOCX (read back as its document.xml)");
                            *t.exports.entry((p.email.clone(), k.id)).or_default() += 1;
                        }
                        if matches!(spec.path, "/children/{id}/plan" | "/children/{id}/plan/versions/{n}" | "/api/v1/children/{id}/plan") {
                            assert_eq!(
                                got.body.contains(&k.marker),
                                v.may_see_section(Section::Prosecute),
                                "{who}: Prosecute shown exactly to those who may see it"
                            );
                        }
                        if spec.path == "/children/{id}/referrals/{rid}" {
                            assert!(got.body.contains("Known to the service"), "{who}: the shared part of the check");
                            assert_eq!(
                                got.body.contains(&k.check_marker),
                                v.may_see_section(Section::PoliceChecks),
                                "{who}: police checks exactly to those who may see them"
                            );
                        }
                        if spec.path == "/children/{id}" {
                            // "Agencies involved": exactly the involvements the viewer may be shown.
                            let table = between(&got.body, "Agencies involved</h2>", "The record</h2>");
                            let want = shown_agencies(v, kinv, fx);
                            for name in fx.agency_names.values() {
                                assert_eq!(table.contains(name.as_str()), want.contains(name), "{who}: {name} among the agencies involved");
                            }
                        }
                        if spec.path == "/api/v1/children/{id}" {
                            let json: serde_json::Value = serde_json::from_str(&got.body).unwrap();
                            let shown: Vec<Involvement> = serde_json::from_value(json["involvements"].clone()).unwrap();
                            assert_eq!(sorted(shown), sorted(v.shown_involvements(kinv)), "{who}: the API's involvements");
                        }
                        // (The API's referrals and plan carry the child's id, not their name.)
                        let names_child = !(spec.path.contains("{format}") || spec.path.starts_with("/api/") && spec.path != "/api/v1/children/{id}");
                        if matches!(rule, Rule::Section(_) | Rule::MashTeam) && names_child {
                            assert!(got.body.contains(&k.first), "{who}: the record shows the child");
                        }
                    } else {
                        t.refused.entry((p.email.clone(), k.id)).or_default().push(format!("GET {path} ({want:?})"));
                        let nobody = if want == Outcome::NoSuchChild {
                            let rpath = fill(spec.path, &target.nobody(), format) + &suffix;
                            Some(reference(p, &mut cache, &mut t, format!("GET {}{format}{suffix}", spec.path), rpath, None).await)
                        } else {
                            None
                        };
                        check_refused(&who, want, &got, k, &p.csrf, nobody.as_deref());
                    }
                }
            }
            // A sub-record of another child is not revealed through this child: 404.
            if spec.path == "/children/{id}/referrals/{rid}" {
                let (a, b) = (&fx.kids[0], &fx.kids[1]);
                if outcome(p.role, v.as_ref(), spec.permission, rule, a, &s.inv[&a.id], None) == Outcome::Allowed {
                    let got = fetch(&mut p.client, &format!("/children/{}/referrals/{}", a.id, b.rid)).await;
                    t.reads += 1;
                    assert_eq!(got.status, StatusCode::NOT_FOUND, "{}: another child's referral through this child", p.email);
                    assert!(!got.body.contains(&b.first));
                }
            }
        }

        // ---- lists and searches: exactly the children the rule admits.
        lists(s, p, &mut t).await;

        // ---- writes: every POST child route, every child. A refused write is sent a
        // valid form (so a leak would change something); an allowed one a form that fails
        // validation (422: past every access check, nothing saved). A notification line is
        // acknowledged only after the matrix, by one of those allowed.
        for (ri, spec) in s.posts.iter().enumerate() {
            let rule = rule_of(&spec.method, spec.path).unwrap();
            for (ki, k) in fx.kids.iter().enumerate() {
                let kinv = &s.inv[&k.id];
                // Per child, the first line routed to one of the viewer's teams (else the first line).
                let (line, team) = *k.lines.iter().find(|(_, tm)| v.as_ref().is_some_and(|v| v.teams.contains(tm))).unwrap_or(&k.lines[0]);
                let target = Target::of(k, fx.panel, line);
                let path = fill(spec.path, &target, "");
                let want = outcome(p.role, v.as_ref(), spec.permission, rule, k, kinv, Some(team));
                let at = At {
                    person: pi,
                    route: s.gets.len() + ri,
                    kid: ki,
                    kids: fx.kids.len(),
                    canonical: false,
                    every_child,
                    police_case: k.police_case(),
                };
                if !sampled(want, &at) {
                    continue;
                }
                *t.outcomes.entry(("write", want)).or_default() += 1;
                let (valid, invalid) = &s.forms[&(spec.path, k.id)];
                if want == Outcome::Allowed && matches!(rule, Rule::Line) {
                    t.acks.entry(line).or_default().push(pi);
                    continue;
                }
                let fields = if want == Outcome::Allowed { invalid } else { valid };
                let got = post(p, &path, fields).await;
                t.writes += 1;
                let who = format!("{} ({:?}) POST {path}", p.email, v);
                if want == Outcome::Allowed {
                    assert_eq!(
                        got.status,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "{who}: expected allowed (a 422 for the bad form)\n{}",
                        &got.body[..got.body.len().min(600)]
                    );
                    t.allowed_writes.entry(spec.path).or_default().push((pi, k.id));
                } else {
                    t.refused.entry((p.email.clone(), k.id)).or_default().push(format!("POST {path} ({want:?})"));
                    let nobody = if want == Outcome::NoSuchChild {
                        let rpath = fill(spec.path, &target.nobody(), "");
                        Some(reference(p, &mut cache, &mut t, format!("POST {}", spec.path), rpath, Some(valid)).await)
                    } else {
                        None
                    };
                    check_refused(&who, want, &got, k, &p.csrf, nobody.as_deref());
                }
            }
            // A sub-record of another child is not reached through this child: 404, even with a valid form.
            let (a, b) = (&fx.kids[0], &fx.kids[1]);
            let allowed_on_a = outcome(p.role, v.as_ref(), spec.permission, rule, a, &s.inv[&a.id], Some(a.lines[0].1)) == Outcome::Allowed;
            if allowed_on_a && (spec.path.contains("{eid}") || spec.path.ends_with("/attendance")) {
                let mut fields = s.forms[&(spec.path, b.id)].0.clone();
                let path = if spec.path.contains("{eid}") {
                    fill(spec.path, &Target { eid: b.eid, ..Target::of(a, fx.panel, 0) }, "")
                } else {
                    // Attendance of another child's invitation, through this child's slot.
                    fields.retain(|(f, _)| *f != "invitation_id");
                    fields.push(("invitation_id", b.invitation.to_string()));
                    fill(spec.path, &Target::of(a, fx.panel, 0), "")
                };
                let got = post(p, &path, &fields).await;
                t.writes += 1;
                assert_eq!(got.status, StatusCode::NOT_FOUND, "{} POST {path}: another child's record through this child", p.email);
                assert!(!got.body.contains(&b.first));
            }
        }

        // Emergency access: the form shows for any number, and asking for a number that is
        // no child is refused as no such child (and audited against the number).
        if p.role.allows(Permission::DecideReferrals) {
            let got = fetch(&mut p.client, &format!("/children/{NONE}/emergency-access")).await;
            t.reads += 1;
            assert_eq!(got.status, StatusCode::OK, "{}: the emergency access form for any number", p.email);
            let got = post(p, &format!("/children/{NONE}/emergency-access"), &s.forms[&("/children/{id}/emergency-access", fx.kids[0].id)].0).await;
            t.writes += 1;
            assert_eq!(got.status, StatusCode::NOT_FOUND, "{}: emergency access to a number that is no child", p.email);
            *t.unknown.entry(p.email.clone()).or_default() += 1;
        }

        // Form fields that take a child's number (linking a child to an operation, booking a
        // panel slot): a child out of reach reads exactly as a number that is no child.
        if let Some(v) = v.as_ref() {
            let outside = fx.kids.iter().find(|k| !v.may_see_child(k.id, s.inv[&k.id].iter().copied()));
            type ByNumber<'a> = (Permission, String, &'a [(&'static str, &'static str)]);
            let by_number: [ByNumber; 2] = [
                (Permission::RecordPoliceCse, format!("/operations/{}/children", fx.operation), &[]),
                (Permission::RunPanels, format!("/panels/{}/slots", fx.panel), &[("starts_at", "16:00"), ("minutes", "30")]),
            ];
            for (perm, path, extra) in by_number {
                let Some(k) = outside.filter(|_| p.role.allows(perm)) else { continue };
                let mut answers = Vec::new();
                for id in [k.id, NONE] {
                    let mut fields: Form = vec![("child_id", id.to_string())];
                    fields.extend(extra.iter().map(|(a, b)| (*a, b.to_string())));
                    let got = post(p, &path, &fields).await;
                    t.writes += 1;
                    let who = format!("{} ({v:?}) POST {path} child_id={id}", p.email);
                    assert_eq!(got.status, StatusCode::UNPROCESSABLE_ENTITY, "{who}\n{}", &got.body[..got.body.len().min(600)]);
                    assert!(!got.body.contains(&k.first) && !got.body.contains(&k.marker), "{who}: the refusal leaked the record");
                    let mut b = got.body.replace(&p.csrf, "CSRF");
                    let field = |id: &str| format!("name=\"child_id\" type=\"text\" value=\"{id}\"");
                    for (from, to) in [(format!("number {id} "), "number N ".to_string()), (field(&id.to_string()), field("N"))] {
                        b = b.replace(&from, &to);
                    }
                    answers.push(b);
                }
                same_page(&answers[0], &answers[1], &format!("{} POST {path}: a child out of reach reads exactly as no such child", p.email));
                t.refused.entry((p.email.clone(), k.id)).or_default().push(format!("POST {path} child_id={} (NoSuchChild)", k.id));
                *t.unknown.entry(p.email.clone()).or_default() += 1;
            }
        }
    }
    (people, t)
}

/// The lists and searches one viewer gets: exactly the children the rule admits, with
/// only the involvements they may be shown, and nothing police-only outside police eyes.
async fn lists(s: &Shared, p: &mut Person, t: &mut Tally) {
    let fx = &s.fx;
    let Some(v) = p.viewer.clone() else {
        // A tracker role sees no list of children at all.
        for path in ["/children", "/mash", "/spoc", "/panels", "/notifications", "/missing", "/api/v1/children"] {
            let got = fetch(&mut p.client, path).await;
            t.lists += 1;
            assert_eq!(got.status, StatusCode::FORBIDDEN, "{} GET {path}", p.email);
            assert!(names_in(&got.body, fx).is_empty());
        }
        return;
    };
    let admitted: BTreeSet<i64> = fx.kids.iter().filter(|k| v.may_see_child(k.id, s.inv[&k.id].iter().copied())).map(|k| k.id).collect();
    let this_month = {
        let today = assure_domain::Clock::system().today();
        chrono::Datelike::month(&fx.missing_start) == chrono::Datelike::month(&today)
            && chrono::Datelike::year(&fx.missing_start) == chrono::Datelike::year(&today)
    };
    let pages: Vec<(String, Permission, BTreeSet<i64>)> = vec![
        ("/children".into(), Permission::ViewChildren, admitted.clone()),
        (format!("/children?name={SURNAME}"), Permission::ViewChildren, admitted.clone()),
        ("/children?name=Macksen".into(), Permission::ViewChildren, BTreeSet::new()),
        ("/mash".into(), Permission::DecideReferrals, admitted.clone()),
        (
            "/spoc".into(),
            Permission::ViewChildren,
            fx.kids.iter().filter(|k| admitted.contains(&k.id) && v.spoc_for.contains(&k.referral_agency)).map(|k| k.id).collect(),
        ),
        (format!("/panels/{}", fx.panel), Permission::ViewChildren, admitted.clone()),
        ("/police/flags".into(), Permission::RecordPoliceCse, admitted.clone()),
        (format!("/operations/{}", fx.operation), Permission::RecordPoliceCse, admitted.clone()),
        // The missing monitoring group's lists: every child's episode started this month.
        ("/missing".into(), Permission::ViewChildren, if this_month { admitted.clone() } else { BTreeSet::new() }),
        // The queue: children in reach whose notification was routed to one of the viewer's teams.
        (
            "/notifications".into(),
            Permission::ViewChildren,
            fx.kids.iter().filter(|k| admitted.contains(&k.id) && k.lines.iter().any(|(_, tm)| v.teams.contains(tm))).map(|k| k.id).collect(),
        ),
        ("/placements".into(), Permission::RecordPlacements, admitted.clone()),
        (format!("/placing-authorities?name={AUTHORITY}"), Permission::RecordPlacements, admitted.clone()),
    ];
    for (path, perm, want) in pages {
        let got = fetch(&mut p.client, &path).await;
        t.lists += 1;
        let who = format!("{} ({v:?}) GET {path}", p.email);
        if !p.role.allows(perm) {
            assert_eq!(got.status, StatusCode::FORBIDDEN, "{who}");
            assert!(names_in(&got.body, fx).is_empty());
            continue;
        }
        assert_eq!(got.status, StatusCode::OK, "{who}");
        assert_eq!(names_in(&got.body, fx), want, "{who}");
        for k in &fx.kids {
            assert!(!got.body.contains(&k.marker) && !got.body.contains(&k.check_marker), "{who}: police-only material on a list");
        }
        if !v.may_see_police_only() {
            for w in POLICE_ONLY_WORDS {
                assert!(!got.body.contains(w), "{who}: police-only material shows by its shadow ({w:?})");
            }
        }
        if path.starts_with("/children?name=M") && !want.is_empty() {
            // Each row's agencies: only the involvements the viewer may be shown.
            for k in fx.kids.iter().filter(|k| want.contains(&k.id)) {
                let row = between(&got.body, &format!(">{SURNAME}, {}</a>", k.first), "</tr>");
                let cell = &row[row.rfind("<td").unwrap_or(0)..];
                for (id, name) in &fx.agency_names {
                    let shown = v.shown_involvements(&s.inv[&k.id]).iter().any(|i| i.agency_id == *id);
                    assert_eq!(cell.contains(name.as_str()), shown, "{who}: {name} in the row of child {}", k.id);
                }
            }
        }
        if path.starts_with("/panels/") {
            // Each young person's minutes with their slot, under their rule; general business
            // to those who run panels; operations the panel agreed to police eyes only.
            for k in &fx.kids {
                assert_eq!(got.body.contains(&k.discussion), admitted.contains(&k.id), "{who}: the minutes of child {}", k.id);
            }
            assert_eq!(got.body.contains(BUSINESS), p.role.allows(Permission::RunPanels), "{who}: general business");
            assert_eq!(got.body.contains(OPERATION), v.may_see_police_only(), "{who}: the operations the panel agreed");
        }
    }
    // The panels list counts only the young people the viewer may see.
    let got = fetch(&mut p.client, "/panels").await;
    t.lists += 1;
    assert_eq!(got.status, StatusCode::OK);
    let row = between(&got.body, &format!("href=\"/panels/{}\"", fx.panel), "</tr>");
    let count = between(row, "app-table__cell--numeric\">", "<");
    assert_eq!(count, admitted.len().to_string(), "{} GET /panels: young people they may see", p.email);
    // The API's search: the same children, the same total, only the involvements they may be shown.
    let got = fetch(&mut p.client, &format!("/api/v1/children?name={SURNAME}")).await;
    t.lists += 1;
    assert_eq!(got.status, StatusCode::OK, "{} API search", p.email);
    let json: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    let ids: BTreeSet<i64> = json["children"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, admitted, "{} API search", p.email);
    assert_eq!(json["total"].as_i64().unwrap(), admitted.len() as i64);
    for c in json["children"].as_array().unwrap() {
        let id = c["id"].as_i64().unwrap();
        let shown: Vec<Involvement> = serde_json::from_value(c["involvements"].clone()).unwrap();
        assert_eq!(sorted(shown), sorted(v.shown_involvements(&s.inv[&id])), "{} API search: involvements of child {id}", p.email);
    }
}

/// How many groups of viewers run at once.
const GROUPS: usize = 4;

async fn audit_counts(db: &TestDb, action: &str) -> BTreeMap<(String, String, String), usize> {
    let (rows, _) = db.store.audit().list(&AuditFilter { action: Some(action.into()), ..Default::default() }, 10_000_000, 0).await.unwrap();
    let mut m = BTreeMap::new();
    for e in rows {
        *m.entry((e.actor, e.record_type, e.record_id)).or_insert(0) += 1;
    }
    m
}

async fn the_access_matrix(db: &TestDb) {
    let started = std::time::Instant::now();
    let hash = assure_web::auth::hash_password(common::PASSWORD);
    let app = assure_web::app(db.store.clone(), assure_web::Config::new(db.dir.clone()));
    let fx = fixture(db, &hash).await;
    let mut people = viewers(db, &app, &hash, &fx).await;
    let table = assure_web::routes::table();

    // Every child route in the table has a rule, and every rule names a route in the table.
    let child_routes: Vec<RouteSpec> = table.specs.iter().filter(|s| is_child_route(s.path)).cloned().collect();
    for s in &child_routes {
        assert!(rule_of(&s.method, s.path).is_some(), "child route {} {} has no rule in the access matrix: add it to rule_of", s.method, s.path);
    }
    for s in &table.specs {
        if rule_of(&s.method, s.path).is_some() {
            assert!(is_child_route(s.path), "{} {} has a rule but the guard does not treat it as naming a child", s.method, s.path);
        }
    }
    let gets: Vec<RouteSpec> = child_routes.iter().filter(|s| s.method == Method::GET).cloned().collect();
    let posts: Vec<RouteSpec> = child_routes.iter().filter(|s| s.method == Method::POST).cloned().collect();
    for must in [
        "/panels/{id}/slots/{sid}/invitations",
        "/panels/{id}/slots/{sid}/attendance",
        "/panels/{id}/slots/{sid}/discussion",
        "/notifications/{id}/acknowledge",
    ] {
        assert!(posts.iter().any(|s| s.path == must), "{must} is in the write matrix");
    }
    let mut inv: BTreeMap<i64, Vec<Involvement>> = BTreeMap::new();
    for k in &fx.kids {
        inv.insert(k.id, testing::involvements_of(&db.store, k.id).await);
    }
    let today = assure_domain::dates::numeric(common::today());
    let review = assure_domain::dates::numeric(common::today() + chrono::Duration::days(40));
    let mut all_forms: Forms = HashMap::new();
    for spec in &posts {
        for k in &fx.kids {
            all_forms.insert((spec.path, k.id), forms(spec.path, db, &fx, k, &today, &review).await);
        }
    }

    // The fixture and the viewers show the new dimensions: people of a team-level agency
    // in and out of the team involved, the person involved and another, the agency's SPOC,
    // and a police-only involvement seen by police CSE and by nobody else through it.
    {
        let sees = |p: &Person, c: Case| {
            let k = fx.kid(c);
            p.viewer.as_ref().is_some_and(|v| v.may_see_child(k.id, inv[&k.id].iter().copied()))
        };
        let plain = |p: &Person, agency: i64| {
            p.viewer.as_ref().is_some_and(|v| v.agency_id == agency && !v.teams.iter().any(|t| t.sees_every_child()) && v.spoc_for.is_empty())
        };
        let any = |what: &str, f: &dyn Fn(&Person) -> bool| assert!(people.iter().any(f), "the viewers include {what}");
        let teams = |p: &Person| p.viewer.as_ref().map(|v| v.teams.clone()).unwrap_or_default();
        let every = |p: &Person| teams(p).iter().any(|t| t.sees_every_child());
        let spoc_of = |p: &Person, a: i64| p.viewer.as_ref().is_some_and(|v| v.spoc_for == vec![a]);
        let police = |p: &Person| p.viewer.as_ref().is_some_and(|v| v.may_see_police_only());
        any("a health member in the health lead team who sees the child routed to it", &|p| {
            plain(p, fx.health) && teams(p).contains(&Team::HealthLead) && sees(p, Case::HealthTeam)
        });
        any("a health member outside the health lead team who does not", &|p| {
            plain(p, fx.health) && !teams(p).contains(&Team::HealthLead) && !sees(p, Case::HealthTeam)
        });
        any("the nurse involved in person, who sees that child only", &|p| {
            p.uid == fx.raiser && sees(p, Case::HealthPerson) && !sees(p, Case::HealthTeam)
        });
        any("the health lead nurse, who sees neither the other nurse's child nor the trust's", &|p| {
            p.uid == fx.nurse && !sees(p, Case::HealthPerson) && !sees(p, Case::HealthAgency)
        });
        any("a health member who does not see the trust-wide involvement", &|p| plain(p, fx.health) && !sees(p, Case::HealthAgency));
        any("the trust's SPOC, who does", &|p| spoc_of(p, fx.health) && !every(p) && sees(p, Case::HealthAgency));
        any("a police CSE officer of the police who sees the Prosecute-only child", &|p| {
            plain(p, fx.police) && police(p) && sees(p, Case::PoliceProsecute)
        });
        any("the police's SPOC outside police CSE, who does not", &|p| {
            spoc_of(p, fx.police) && !police(p) && !every(p) && !sees(p, Case::PoliceProsecute)
        });
        any("a school member outside police eyes who sees the school's concern but not its Prosecute action", &|p| {
            plain(p, fx.school)
                && !police(p)
                && sees(p, Case::School(InvolvementKind::RaisedConcern))
                && !sees(p, Case::School(InvolvementKind::HoldsPoliceAction))
        });
    }
    // The access log, read while it holds the fixture's own entries (plan versions, checks,
    // flags, operation links, the involvements police-only actions made): what police work
    // was done shows only to police eyes, and the police part of the checks only to those
    // who may see it.
    let mut logs = 0usize;
    for p in people.iter_mut() {
        let Some(v) = p.viewer.clone() else { continue };
        if !v.may_see_section(Section::AccessLog) || v.may_see_police_only() {
            continue;
        }
        for k in fx.kids.iter().filter(|k| v.may_see_child(k.id, inv[&k.id].iter().copied())) {
            let got = fetch(&mut p.client, &format!("/children/{}/access-log", k.id)).await;
            logs += 1;
            assert_eq!(got.status, StatusCode::OK, "{} access log of child {}", p.email, k.id);
            assert_access_log_shadowless(&got.body, &v, k, &format!("{} access log of child {}", p.email, k.id));
        }
    }
    assert!(logs > 0, "some viewer outside police eyes reads access logs");
    let before = fingerprint(db, &fx).await;
    let setup = started.elapsed();

    // ---- the matrix: viewers in a few groups at once.
    let shared = Arc::new(Shared { fx, inv, gets, posts, forms: all_forms });
    let mut groups: Vec<Vec<(usize, Person)>> = (0..GROUPS).map(|_| Vec::new()).collect();
    for (i, p) in people.drain(..).enumerate() {
        groups[i % GROUPS].push((i, p));
    }
    let tasks: Vec<_> = groups.into_iter().map(|g| tokio::spawn(run_group(shared.clone(), g))).collect();
    let mut tally = Tally::default();
    let mut indexed = Vec::new();
    for task in tasks {
        let (g, t) = task.await.expect("a group of viewers panicked: see above");
        indexed.extend(g);
        tally.absorb(t);
    }
    indexed.sort_by_key(|(i, _)| *i);
    let mut people: Vec<Person> = indexed.into_iter().map(|(_, p)| p).collect();
    let matrix_done = started.elapsed();
    eprintln!("access matrix ({:?}): setup {setup:?}, matrix {:?}", db.engine, matrix_done - setup);
    let s = &*shared;
    let fx = &s.fx;

    // Every refusal is in the audit against the child, once; every request for a number
    // that names no child against the number; each allowed read as a view; each allowed
    // download as one export, and no refused one.
    let (refusals, _) =
        db.store.audit().list(&AuditFilter { action: Some("child.refused".into()), ..Default::default() }, 10_000_000, 0).await.unwrap();
    let emails: BTreeSet<&str> = people.iter().map(|p| p.email.as_str()).collect();
    let mut audited: BTreeMap<(String, i64), Vec<String>> = BTreeMap::new();
    let mut audited_unknown: BTreeMap<String, usize> = BTreeMap::new();
    for e in refusals.iter().rev() {
        if !emails.contains(e.actor.as_str()) {
            continue;
        }
        match e.record_type.as_str() {
            "child" => audited.entry((e.actor.clone(), e.record_id.parse().unwrap())).or_default().push(e.detail.clone()),
            "unknown-child" => *audited_unknown.entry(e.actor.clone()).or_default() += 1,
            other => panic!("a refusal recorded against {other} {}", e.record_id),
        }
    }
    let mut unaudited = Vec::new();
    for key in tally.refused.keys().chain(audited.keys()).collect::<BTreeSet<_>>() {
        let (want, got) = (tally.refused.get(key).cloned().unwrap_or_default(), audited.get(key).cloned().unwrap_or_default());
        if want.len() != got.len() {
            unaudited.push(format!("{key:?}: {} refused requests {want:#?}\n but {} audited {got:#?}", want.len(), got.len()));
        }
    }
    assert!(
        unaudited.is_empty(),
        "every refused request is audited against the child, once: {} (viewer, child) pairs differ; the first:\n{}",
        unaudited.len(),
        unaudited.iter().take(3).cloned().collect::<Vec<_>>().join("\n")
    );
    assert_eq!(audited_unknown, tally.unknown, "each request for a number that names no child is audited against the number");
    let views = audit_counts(db, "child.view").await;
    for ((email, kid), n) in &tally.viewed {
        let got = views.get(&(email.clone(), "child".to_string(), kid.to_string())).copied().unwrap_or(0);
        assert!(got >= *n, "{email} / child {kid}: {n} allowed reads, {got} views audited");
    }
    let exported = audit_counts(db, "child.export").await;
    for ((email, kid), n) in &tally.exports {
        let got = exported.get(&(email.clone(), "child".to_string(), kid.to_string())).copied().unwrap_or(0);
        assert_eq!(got, *n, "{email} / child {kid}: each allowed download audited once");
    }
    assert_eq!(
        exported.iter().filter(|((a, _, _), _)| emails.contains(a.as_str())).map(|(_, n)| n).sum::<usize>(),
        tally.exports.values().sum::<usize>(),
        "no refused download audited as an export"
    );

    assert_eq!(fingerprint(db, fx).await, before, "no refused or invalid write changed anything");

    // The whole access log of the children police-only material involves, every page, as
    // someone outside police eyes reads it: police CSE views through that material are
    // there, described as a plan action; nothing else of it is.
    let viewers_seen: Vec<Viewer> = people.iter().filter_map(|p| p.viewer.clone()).collect();
    for case in [Case::PoliceProsecute, Case::School(InvolvementKind::HoldsPoliceAction)] {
        let k = fx.kid(case);
        let p = people
            .iter_mut()
            .find(|p| {
                p.viewer.as_ref().is_some_and(|v| {
                    v.may_see_section(Section::AccessLog) && !v.may_see_police_only() && v.may_see_child(k.id, s.inv[&k.id].iter().copied())
                })
            })
            .expect("someone outside police eyes may read the log");
        let v = p.viewer.clone().unwrap();
        // How the views of those the police-only material admits are described (the domain's words).
        let wordings: BTreeSet<String> = viewers_seen
            .iter()
            .filter_map(|w| w.basis(k.id, s.inv[&k.id].iter().copied()))
            .filter(|b| matches!(b, Basis::OwnAgency(kind, _) if kind.is_police_only()))
            .map(|b| b.describe())
            .collect();
        assert!(case != Case::PoliceProsecute || !wordings.is_empty(), "the police CSE unit sees the child through the Prosecute action");
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut page = 1;
        loop {
            let got = fetch(&mut p.client, &format!("/children/{}/access-log?page={page}", k.id)).await;
            logs += 1;
            assert_eq!(got.status, StatusCode::OK);
            let who = format!("{} access log of child {} page {page}", p.email, k.id);
            assert_access_log_shadowless(&got.body, &v, k, &who);
            seen.extend(wordings.iter().filter(|w| got.body.contains(w.as_str())).cloned());
            if !got.body.contains("Older entries") {
                break;
            }
            page += 1;
        }
        assert_eq!(seen, wordings, "{:?}: the views through police-only material are on the log, in the domain's words", k.case);
    }

    // Each line some viewer may acknowledge: the first acknowledges it, every other one allowed is told it is done (422).
    let mut writes = tally.writes;
    assert!(!tally.acks.is_empty(), "no viewer in the matrix may acknowledge a notification");
    for (line, pis) in &tally.acks {
        for (n, pi) in pis.iter().enumerate() {
            let p = &mut people[*pi];
            let r = post(p, &format!("/notifications/{line}/acknowledge"), &[]).await;
            writes += 1;
            let want = if n == 0 { StatusCode::SEE_OTHER } else { StatusCode::UNPROCESSABLE_ENTITY };
            assert_eq!(r.status, want, "{} acknowledges line {line}", p.email);
        }
    }

    // One real success per POST route, by a viewer the matrix allowed.
    let mash_r = testing::reader_of(&db.store, fx.mash).await;
    let ack_child = tally.allowed_writes.get("/children/{id}/referrals/{rid}/acknowledge").and_then(|l| l.first()).map(|(_, c)| *c);
    for spec in &s.posts {
        if spec.path.ends_with("/merge") || spec.path.starts_with("/notifications/") || spec.path.starts_with("/api/v1/notifications/") {
            continue; // below, on children of its own; above
        }
        let Some(list) = tally.allowed_writes.get(spec.path) else {
            panic!("no viewer in the matrix may POST {}: the matrix proves nothing for it", spec.path)
        };
        // The checks and decision are made on a child whose referral the acknowledgement does not need.
        // (The follow-on needs a referral still waiting for its first decision.)
        let mut decided_already: Vec<i64> = Vec::new();
        for (_, c) in list {
            let k = fx.kids.iter().find(|k| k.id == *c).unwrap();
            if !open(db, &mash_r, k.id, Section::MashDecision).await.referral(k.rid).await.unwrap().status.awaiting_decision() {
                decided_already.push(*c);
            }
        }
        // The API's child protection stages and MARAC review go on another child's case than
        // the pages' (recorded on the first child allowed): each is recorded once.
        let api_cp = spec.path.starts_with("/api/") && (spec.path.contains("/child-protection/{cid}/") || spec.path.ends_with("/marac/{mid}/review"));
        let order: Vec<&(usize, i64)> = if api_cp { list.iter().rev().collect() } else { list.iter().collect() };
        let (pi, cid) = **order
            .iter()
            .find(|(_, c)| {
                (!(spec.path.ends_with("/decision") || spec.path.ends_with("/checks")) || Some(*c) != ack_child)
                    && (!spec.path.ends_with("/follow-on") || !decided_already.contains(c))
            })
            .unwrap();
        let k = fx.kids.iter().find(|k| k.id == cid).unwrap();
        // A child protection stage is recorded on a case brought to the stage before it.
        if spec.path.contains("/child-protection/{cid}/") {
            prepare_cp_case(db, &mash_r, k, spec.path).await;
        }
        if spec.path.ends_with("/follow-on") {
            // A contact for a child already known, with its checks: the MASH decided it so.
            let rec = open(db, &mash_r, k.id, Section::MashDecision).await;
            let r = rec.referral(k.rid).await.unwrap();
            let input =
                DecisionInput { decision: Some(MashDecision::KnownChildContact), reasons: "Already known".into(), interventions: String::new() };
            rec.decide(k.rid, r.version, &input).await.unwrap();
            rec.record_check(k.rid, &CheckInput { agency_id: Some(fx.other), shared: "Open to the service".into(), police_only: String::new() })
                .await
                .unwrap();
        }
        if spec.path.ends_with("/referrals/{rid}/acknowledge") {
            // Only a returned referral can be acknowledged: the MASH returns it first.
            let rec = open(db, &mash_r, k.id, Section::MashDecision).await;
            let r = rec.referral(k.rid).await.unwrap();
            let input =
                DecisionInput { decision: Some(MashDecision::NoCseConcern), reasons: "No concern found".into(), interventions: "Mentoring".into() };
            rec.decide(k.rid, r.version, &input).await.unwrap();
        }
        if spec.path.ends_with("/marac") {
            // The MARAC route is for 16 to 18-year-olds by date of birth: this child is 17.
            let dob = common::today().checked_sub_months(chrono::Months::new(17 * 12)).unwrap();
            testing::exec(&db.store, &format!("UPDATE children SET date_of_birth = '{dob}' WHERE id = {}", k.id)).await;
        }
        let fields = forms(spec.path, db, fx, k, &today, &review).await.0;
        let p = &mut people[pi];
        let path = fill(spec.path, &Target::of(k, fx.panel, 0), "");
        let r = post(p, &path, &fields).await;
        writes += 1;
        let success = if path.starts_with("/api/") { r.status.is_success() } else { r.status == StatusCode::SEE_OTHER };
        assert!(success, "{} POST {path}: a real success, not {}\n{}", p.email, r.status, &r.body[..r.body.len().min(600)]);
    }
    // Merge: two more children the school raised, merged by a MASH-team viewer the matrix allowed.
    let (pi, _) = tally.allowed_writes["/children/{id}/merge"][0];
    let mut dup_children = Vec::new();
    for first in ["Keepme", "Keepmee"] {
        let c = testing::new_child(
            &db.store,
            &ChildInput { first_name: first.into(), last_name: "Dupchild".into(), estimated_age: Some(13), ..Default::default() },
        )
        .await;
        testing::involve(&db.store, c, fx.school, InvolvementKind::RaisedConcern, Scope::Agency, common::today()).await;
        dup_children.push(c);
    }
    let (keep, dup) = (dup_children[0], dup_children[1]);
    let p = &mut people[pi];
    let kv = testing::child_as_stored(&db.store, keep).await.unwrap().version.to_string();
    let r = post(p, &format!("/children/{keep}/merge"), &[("version", kv), ("other", dup.to_string()), ("confirm", "yes".into())]).await;
    writes += 1;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{} merge: a real success\n{}", p.email, &r.body[..r.body.len().min(600)]);

    let total = started.elapsed();
    let count = |kind: &str, o: Outcome| tally.outcomes.get(&(if kind == "read" { "read" } else { "write" }, o)).copied().unwrap_or(0);
    eprintln!(
        "access matrix ({:?}): {} viewers, {} children; {logs} access-log pages outside police eyes; {} GET child routes ({} reads: {} allowed, {} no such child, {} restricted, {} refused by role); \
         {} list/search views; {} POST child routes ({writes} writes: {} allowed, {} no such child, {} restricted, {} refused by role); \
         setup {:?}, matrix {:?}, total {:?}",
        db.engine,
        people.len(),
        fx.kids.len(),
        s.gets.len(),
        tally.reads,
        count("read", Outcome::Allowed),
        count("read", Outcome::NoSuchChild),
        count("read", Outcome::Restricted),
        count("read", Outcome::RoleRefused),
        tally.lists,
        s.posts.len(),
        count("write", Outcome::Allowed),
        count("write", Outcome::NoSuchChild),
        count("write", Outcome::Restricted),
        count("write", Outcome::RoleRefused),
        setup,
        matrix_done - setup,
        total
    );
}

on_both_engines!(access_matrix, the_access_matrix);
