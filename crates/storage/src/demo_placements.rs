//! Demo data for placements and missing episodes (issue 5; seed 002: 203 children placed
//! by 27 authorities on one day): 200 looked-after children placed here by 27 real
//! English authorities (the children, providers, homes, addresses and wards are
//! invented), a realistic mix of declared risks, a few late notifications and two
//! placements found without one, one authority escalated to its director and then
//! Ofsted, providers of concern, and missing episodes with their return interviews.
//! The notifications are recorded in one transaction ([`Store::record_notifications_batch`])
//! so that the demo, which every web test loads, stays quick on PostgreSQL.

use assure_domain::missing::{Findings, InterviewResponse, MissingFrom, RiskGrading};
use assure_domain::partnership::Section;
use assure_domain::placements::{EscalationStep, Risk};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::child_access::{ChildKey, Reader};
use crate::children::ChildInput;
use crate::missing::{EpisodeInput, InterviewInput};
use crate::placements::{PlacementInput, ProviderConcernInput};
use crate::referrals::ChildRef;
use crate::{Actor, Result, Store, StoreError};

/// Placing authorities and how many children each has placed here (200 in all, 27 authorities).
pub const PLACED_BY: [(&str, usize); 27] = [
    ("Liverpool", 26),
    ("Knowsley", 19),
    ("Wirral", 16),
    ("St Helens", 13),
    ("Manchester", 12),
    ("Lancashire", 11),
    ("Wigan", 10),
    ("Halton", 9),
    ("Warrington", 8),
    ("Cheshire West and Chester", 8),
    ("Salford", 7),
    ("Bolton", 6),
    ("Cheshire East", 6),
    ("Oldham", 5),
    ("Blackpool", 5),
    ("Rochdale", 5),
    ("Stockport", 4),
    ("Trafford", 4),
    ("Tameside", 4),
    ("Bury", 4),
    ("Blackburn with Darwen", 3),
    ("Cumberland", 3),
    ("Leeds", 3),
    ("Birmingham", 3),
    ("Sheffield", 2),
    ("Bradford", 2),
    ("Kirklees", 2),
];

/// The authority escalated for not notifying: two placements found without a notification and late ones.
pub const ESCALATED: &str = "Halton";

const FIRST: [(&str, &str); 50] = [
    ("Amelia", "Female"),
    ("Aaron", "Male"),
    ("Ellie", "Female"),
    ("Alfie", "Male"),
    ("Freya", "Female"),
    ("Ben", "Male"),
    ("Holly", "Female"),
    ("Callum", "Male"),
    ("Isla", "Female"),
    ("Connor", "Male"),
    ("Jade", "Female"),
    ("Declan", "Male"),
    ("Kayla", "Female"),
    ("Dylan", "Male"),
    ("Leah", "Female"),
    ("Ethan", "Male"),
    ("Lily", "Female"),
    ("Finley", "Male"),
    ("Maisie", "Female"),
    ("Harvey", "Male"),
    ("Millie", "Female"),
    ("Jack", "Male"),
    ("Niamh", "Female"),
    ("Jamal", "Male"),
    ("Paige", "Female"),
    ("Kai", "Male"),
    ("Poppy", "Female"),
    ("Lewis", "Male"),
    ("Ruby", "Female"),
    ("Liam", "Male"),
    ("Shannon", "Female"),
    ("Mason", "Male"),
    ("Summer", "Female"),
    ("Reece", "Male"),
    ("Tegan", "Female"),
    ("Ryan", "Male"),
    ("Courtney", "Female"),
    ("Tyler", "Male"),
    ("Amber", "Female"),
    ("Josh", "Male"),
    ("Caitlin", "Female"),
    ("Kacper", "Male"),
    ("Demi", "Female"),
    ("Bilal", "Male"),
    ("Evie", "Female"),
    ("Marcus", "Male"),
    ("Hafsa", "Female"),
    ("Rhys", "Male"),
    ("Leona", "Female"),
    ("Corey", "Male"),
];

const LAST: [&str; 53] = [
    "Atherton",
    "Baxter",
    "Brennan",
    "Burke",
    "Carney",
    "Chadwick",
    "Connolly",
    "Cooper",
    "Dalton",
    "Eccles",
    "Farrell",
    "Fletcher",
    "Gallagher",
    "Gorman",
    "Hale",
    "Halliwell",
    "Heaton",
    "Holden",
    "Ince",
    "Jennings",
    "Kavanagh",
    "Kerrigan",
    "Lamb",
    "Lowe",
    "Maguire",
    "McCabe",
    "McGrath",
    "Molyneux",
    "Moss",
    "Nolan",
    "O'Hara",
    "Okoro",
    "Parr",
    "Pearson",
    "Rafferty",
    "Rimmer",
    "Roscoe",
    "Shaw",
    "Sheridan",
    "Stott",
    "Sutcliffe",
    "Taylor",
    "Tierney",
    "Unsworth",
    "Vaughan",
    "Walsh",
    "Whittle",
    "Wilde",
    "Yates",
    "Hussain",
    "Mahmood",
    "Adeyemi",
    "Kowalski",
];

const ETHNICITY: [&str; 10] = [
    "White British",
    "White British",
    "White British",
    "Mixed White and Black Caribbean",
    "White British",
    "Black British",
    "White Irish",
    "White British",
    "Pakistani",
    "White and Asian",
];

/// A home: (home, address, ward). A home named "Foster placement" is a fostering agency's carers.
type Home = (&'static str, &'static str, &'static str);

/// Providers (invented) and their homes.
const PROVIDERS: [(&str, &[Home]); 7] = [
    ("Brookside Children's Homes Ltd", &[("Brookside House", "2 Park View", "Westbrook"), ("Brookside Lodge", "41 Elm Road", "Westbrook")]),
    ("Harbour Lights Care Ltd", &[("Harbour Lights", "8 Quay Street", "Riverside"), ("Anchor House", "15 Dock Road", "Riverside")]),
    ("Meadowbank Residential Care", &[("Meadowbank", "120 Moor Lane", "Southmoor"), ("Fernlea House", "6 Fernlea Avenue", "Ashcombe")]),
    (
        "Oakfield Fostering Partnership",
        &[("Foster placement", "", "Eastfield"), ("Foster placement", "", "Northgate"), ("Foster placement", "", "Dunmere")],
    ),
    ("Seacrest Homes Ltd", &[("Seacrest", "3 Promenade Gardens", "Dunmere"), ("The Willows", "27 Willow Way", "Ashcombe")]),
    ("Northshore Supported Living", &[("Northshore Flats", "Flat 4, 90 Shore Road", "Northgate")]),
    ("Kingsmoor Care Group", &[("Kingsmoor Farm", "Kingsmoor Lane", "Larkfield"), ("Larkfield Cottage", "1 Church Walk", "Larkfield")]),
];

const STREETS: [&str; 8] =
    ["Rowan Close", "Sandy Lane", "Bank Street", "Heathfield Road", "Kingsway", "Alder Grove", "Moss Side Lane", "Chapel Street"];

/// What a notification says about each risk it declares (a few wordings each).
fn risk_detail(r: Risk, n: usize) -> &'static str {
    let pick = |xs: &'static [&'static str]| xs[n % xs.len()];
    match r {
        Risk::Cse => pick(&[
            "Previously subject to a CSE plan in the placing authority; associating with older males.",
            "Disclosed being given alcohol and lifts by adults met online.",
            "Found with adult males on two occasions before the move; CSE screening scored medium.",
        ]),
        Risk::Missing => pick(&[
            "Missing overnight four times in the last three months from the previous placement.",
            "Frequently returns late; one episode of 48 hours last year.",
            "Went missing from school twice before the move.",
        ]),
        Risk::Offending => pick(&[
            "Referral order for criminal damage, ongoing.",
            "Arrested for shoplifting with peers; released under investigation.",
            "Youth caution for assault last year.",
        ]),
        Risk::OrganisedCrime => pick(&[
            "Suspected of carrying drugs for a county line; found with cash and a second phone.",
            "Known to associate with a group linked to drug supply in the placing authority.",
        ]),
        Risk::SubstanceMisuse => {
            pick(&["Regular cannabis use; engaged with a young people's drug service.", "Alcohol misuse at weekends; one hospital admission."])
        }
        Risk::MentalHealth => pick(&[
            "Open to CAMHS for anxiety and low mood.",
            "History of self-harm; safety plan shared with the placement.",
            "Awaiting an assessment for ADHD.",
        ]),
    }
}

/// A small deterministic mixer, so the demo is the same on every load.
fn mix(i: usize, salt: u64) -> u64 {
    let mut x = (i as u64).wrapping_add(salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 32)
}

/// The placed children who feature in the missing episodes, by index.
const REPEATED: usize = 3;
const STILL_MISSING: usize = 17;
const LATE_INTERVIEW: usize = 42;
const CSE_LINK: usize = 58;
const FEATURED: [usize; 4] = [REPEATED, STILL_MISSING, LATE_INTERVIEW, CSE_LINK];

fn at(day: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default())
}

async fn person(store: &Store, email: &str) -> Result<Reader> {
    let (user, _) = store.users().by_email(email).await?.ok_or(StoreError::NotFound)?;
    store.reader(Actor { user_id: Some(user.id), label: email.into(), ip: String::new() }).await?.ok_or(StoreError::NotFound)
}

/// Load the placements demo (after the partnership: its accounts and agencies).
pub async fn load(store: &Store, today: NaiveDate) -> Result<()> {
    let officer = person(store, "notification-officer@example.org").await?;
    let analyst = person(store, "cse-analyst@example.org").await?;
    let manager = person(store, "partnership-manager@example.org").await?;
    let manager = manager.actor();

    // ------------------------------------------------ 200 notifications
    let mut authorities: Vec<&str> = PLACED_BY.iter().flat_map(|(a, n)| std::iter::repeat_n(*a, *n)).collect();
    let total = authorities.len();
    // Spread each authority's children through the list (37 is coprime with 200).
    authorities = (0..total).map(|i| authorities[(i * 37) % total]).collect();
    let mut escalated_seen = 0;
    let mut inputs = Vec::with_capacity(total);
    let mut kids = Vec::with_capacity(total);
    for (i, authority) in authorities.iter().enumerate() {
        let h = mix(i, 7);
        let (first, gender) = FIRST[(i * 7 + 3) % FIRST.len()];
        let last = LAST[(i * 11 + 5) % LAST.len()];
        let age = 12 + ((h % 6) as i32);
        let featured = FEATURED.contains(&i);
        let (provider, homes) = PROVIDERS[(h >> 8) as usize % PROVIDERS.len()];
        let (home, address, ward) = homes[(h >> 16) as usize % homes.len()];
        let address =
            if address.is_empty() { format!("{} {}", 1 + (h >> 20) % 80, STREETS[(h >> 28) as usize % STREETS.len()]) } else { address.to_string() };
        let start = if featured { today - Duration::days(120) } else { today - Duration::days(10 + ((h >> 24) % 700) as i64) };
        let end_date = (!featured && i % 13 == 5).then(|| start + Duration::days(30 + ((h >> 32) % 200) as i64)).filter(|e| *e < today);
        let mut received = Some(start - Duration::days(((h >> 36) % 4) as i64));
        let mut found_without = false;
        if *authority == ESCALATED && !featured {
            escalated_seen += 1;
            match escalated_seen {
                1 | 2 => (received, found_without) = (None, true),
                3..=5 => received = Some(start + Duration::days(9 + 7 * escalated_seen)),
                _ => {}
            }
        } else if i % 41 == 7 {
            received = Some(start + Duration::days(6 + ((h >> 40) % 30) as i64));
        }
        let received = received.map(|r| r.min(today));
        // Most children come with no declared risk; some with one or more.
        let roll = |shift: u32, pct: u64| (h >> shift) % 100 < pct;
        let mut present = [
            (Risk::Cse, roll(3, 8)),
            (Risk::Missing, roll(10, 10)),
            (Risk::Offending, roll(17, 8)),
            (Risk::OrganisedCrime, roll(23, 4)),
            (Risk::SubstanceMisuse, roll(30, 7)),
            (Risk::MentalHealth, roll(37, 12)),
        ];
        if featured {
            for (r, p) in present.iter_mut() {
                *p = matches!(r, Risk::Missing)
                    || (*r == Risk::Cse && (i == CSE_LINK || i == REPEATED))
                    || (*r == Risk::OrganisedCrime && i == REPEATED);
            }
        }
        let risks = present.iter().map(|(r, p)| (*r, Some(*p), if *p { risk_detail(*r, i).to_string() } else { String::new() })).collect();
        let child = ChildInput {
            first_name: first.into(),
            last_name: last.into(),
            date_of_birth: NaiveDate::from_ymd_opt(today.year() - age, 1 + (mix(i, 11) % 12) as u32, 1 + (mix(i, 13) % 28) as u32)
                .map(|d| d - Duration::days(200)),
            estimated_age: None,
            gender: gender.into(),
            ethnicity: ETHNICITY[(h >> 44) as usize % ETHNICITY.len()].into(),
            address: if home == "Foster placement" { address.clone() } else { format!("{home}, {address}") },
            ward: ward.into(),
            school: String::new(),
        };
        kids.push(child.clone());
        inputs.push(PlacementInput {
            child: Some(ChildRef::New(child)),
            placing_authority: authority.to_string(),
            provider_id: None,
            new_provider: provider.into(),
            home: home.into(),
            address,
            ward: ward.into(),
            start_date: Some(start),
            end_date,
            received_date: received,
            found_without_notification: found_without,
            risks,
        });
    }
    let placed = store.placements(&officer).record_notifications_batch(&inputs, today).await?;
    let child = |i: usize| placed[i].1;

    // ------------------------------------------------ the escalated authority
    store.placing_authorities().escalate(manager, ESCALATED, Some(EscalationStep::DirectorContact), Some(today - Duration::days(63)), "Two placements found without a notification and three notified weeks late; the Director of Children's Services wrote to the placing authority's director.", today).await?;
    store
        .placing_authorities()
        .escalate(
            manager,
            ESCALATED,
            Some(EscalationStep::Ofsted),
            Some(today - Duration::days(21)),
            "No reply to the director's letter and a further late notification: escalated to Ofsted's regional office.",
            today,
        )
        .await?;

    // ------------------------------------------------ providers of concern
    let providers = store.providers().list().await?;
    let provider = |name: &str| providers.iter().find(|p| p.name == name).map(|p| p.id);
    for (name, home, days, concern, action, ofsted) in [
        (
            "Brookside Children's Homes Ltd",
            "Brookside House",
            50,
            "Five missing episodes of one resident in two months, not all reported to the police at once; adults seen waiting outside at night.",
            "Meeting with the registered manager; missing-from-care protocol re-issued; police patrols at night.",
            Some(35),
        ),
        (
            "Harbour Lights Care Ltd",
            "Anchor House",
            30,
            "Staff turnover: three registered managers in a year, agency staff on most night shifts.",
            "Quality assurance visit by the commissioning team; placing authorities told.",
            None,
        ),
        (
            "Seacrest Homes Ltd",
            "The Willows",
            12,
            "A resident's return interview says older males are visiting the home's residents.",
            "Police CSE unit informed; the home's visitor log checked weekly.",
            None,
        ),
    ] {
        let input = ProviderConcernInput {
            provider_id: provider(name),
            home: home.into(),
            raised_on: Some(today - Duration::days(days)),
            concern: concern.into(),
            action: action.into(),
            ofsted_referral_date: ofsted.map(|d| today - Duration::days(d)),
        };
        store.providers().add_concern(officer.actor(), &input, today).await?;
    }

    // ------------------------------------------------ missing episodes and return interviews
    // (Every placed child is already recorded as looked after by another authority.)
    let now = store.clock().local_now();
    let day = |days: i64| now.date() - Duration::days(days);
    let episode =
        |i: usize, from: MissingFrom, start: NaiveDateTime, end: Option<NaiveDateTime>, found: &str, reference: &str, grading: RiskGrading| {
            EpisodeInput {
                child: Some(ChildRef::Existing(child(i))),
                missing_from: Some(from),
                started_at: Some(start),
                ended_at: end,
                where_found: found.into(),
                police_reference: reference.into(),
                risk_grading: Some(grading),
            }
        };
    let interview =
        |offered: NaiveDateTime, response: InterviewResponse, cse: &str, oc: &str, whom: &str, follow: &str, findings: Findings| InterviewInput {
            offered_at: Some(offered),
            response: Some(response),
            interviewer: if response == InterviewResponse::Accepted { "Return interview worker".into() } else { String::new() },
            provider: "Safe Return Advocacy Service".into(),
            said_about_cse: cse.into(),
            said_about_organised_crime: oc.into(),
            where_and_with_whom: whom.into(),
            follow_up_actions: follow.into(),
            findings,
        };
    let none = Findings::default();

    // Missing three times in 90 days: the third goes to the missing monitoring group.
    let r = REPEATED;
    let (_, e1) = store
        .missing(&officer)
        .record_episode(&episode(
            r,
            MissingFrom::Care,
            at(day(75), 21, 30),
            Some(at(day(74), 14, 0)),
            "Returned to the home by taxi",
            "MP/2291/A",
            RiskGrading::Medium,
        ))
        .await?;
    store
        .open_child(&analyst, ChildKey::Child(child(r)), Section::Missing)
        .await?
        .record_interview(
            e1,
            None,
            &interview(
                at(day(73), 16, 0),
                InterviewResponse::Declined,
                "",
                "",
                "",
                "Key worker to try again; the home to share what the child tells staff.",
                none,
            ),
        )
        .await?;
    store
        .missing(&officer)
        .record_episode(&episode(
            r,
            MissingFrom::Education,
            at(day(44), 10, 15),
            Some(at(day(44), 23, 50)),
            "Found by police at a retail park",
            "MP/2340/B",
            RiskGrading::Low,
        ))
        .await?;
    let (_, e3) = store
        .missing(&officer)
        .record_episode(&episode(
            r,
            MissingFrom::Care,
            at(day(9), 19, 0),
            Some(at(day(7), 11, 30)),
            "Found in another town, at a flat known to police",
            "MP/2417/C",
            RiskGrading::High,
        ))
        .await?;
    store
        .open_child(&analyst, ChildKey::Child(child(r)), Section::Missing)
        .await?
        .record_interview(
            e3,
            None,
            &interview(
                at(day(6), 15, 0),
                InterviewResponse::Accepted,
                "",
                "Said he was given a phone and told to carry parcels by older boys; owes them money.",
                "A flat in another town, with two older boys he met through a friend.",
                "Youth offending team and police informed; National Referral Mechanism considered.",
                Findings { organised_crime: true, ..none },
            ),
        )
        .await?;

    // Still missing: reported this morning (or overnight).
    let start = (now - Duration::hours(20)).max(at(now.date(), 0, 0));
    store.missing(&officer).record_episode(&episode(STILL_MISSING, MissingFrom::Care, start, None, "", "MP/2433/A", RiskGrading::High)).await?;

    // Interview offered late (five days after the return), and a concern about the home.
    let (_, late) = store
        .missing(&officer)
        .record_episode(&episode(
            LATE_INTERVIEW,
            MissingFrom::Care,
            at(day(16), 22, 0),
            Some(at(day(15), 9, 0)),
            "Walked back to the home",
            "MP/2380/A",
            RiskGrading::Low,
        ))
        .await?;
    store
        .open_child(&analyst, ChildKey::Child(child(LATE_INTERVIEW)), Section::Missing)
        .await?
        .record_interview(
            late,
            None,
            &interview(
                at(day(10), 14, 0),
                InterviewResponse::Accepted,
                "",
                "",
                "At a friend's house; the home did not know the address.",
                "Placing authority told the interview was late; the home to agree a missing protocol.",
                Findings { placement_concern: true, ..none },
            ),
        )
        .await?;

    // A CSE link: the return interview refers the child to MACSE.
    let (_, cse) = store
        .missing(&officer)
        .record_episode(&episode(
            CSE_LINK,
            MissingFrom::Care,
            at(day(8), 18, 0),
            Some(at(day(7), 7, 30)),
            "Found at a hotel in the city centre",
            "MP/2402/A",
            RiskGrading::Medium,
        ))
        .await?;
    store
        .open_child(&analyst, ChildKey::Child(child(CSE_LINK)), Section::Missing)
        .await?
        .record_interview(
            cse,
            None,
            &interview(
                at(day(6), 10, 0),
                InterviewResponse::Accepted,
                "Said an older man she met online paid for the hotel and gave her alcohol.",
                "",
                "A hotel in the city centre, with a man in his twenties.",
                "Police CSE unit informed; CSE screening and a strategy discussion.",
                Findings { cse: true, ..none },
            ),
        )
        .await?;
    Ok(())
}
