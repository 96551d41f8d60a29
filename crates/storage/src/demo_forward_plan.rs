//! Demo forward plan: the key decisions of seed 004's plan for 1 October 2017 to 31
//! January 2018 — fostering placements, academy conversions, regionalised adoption and
//! the CAMHS working group's findings (its date moved twice, with the reasons the seed
//! gives) — with an exempt contract award and a placement framework extension taken
//! under the general exception. Replayed through the store's own API on a clock that
//! walks through 2017: each plan published at the start of its month, each decision
//! recorded when taken.

use assure_domain::clock::from_london;
use assure_domain::forward_plan::{DecisionMaker, Exception, ItemInput};
use assure_domain::Clock;
use chrono::NaiveDate;

use crate::{Actor, Result, Store};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid demo date")
}

fn at(date: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    from_london(date.and_hms_opt(10, 0, 0).expect("10am"))
}

fn item(title: &str, expected: NaiveDate, financial: bool, consultees: &str, method: &str, contact: &str) -> ItemInput {
    ItemInput {
        title: title.into(),
        decision_maker: Some(DecisionMaker::Cabinet),
        decision_maker_name: "Cabinet".into(),
        expected: Some(expected),
        financial,
        wards_effect: true,
        exempt_paragraph: None,
        public_interest: String::new(),
        wards: "All Wards".into(),
        scrutiny_area: "Children's Services and Safeguarding".into(),
        consultees: consultees.into(),
        consultation_method: method.into(),
        background_documents: title.split(':').next().unwrap_or_default().into(),
        contact_officer: contact.into(),
    }
}

pub async fn load(store: &Store) -> Result<()> {
    let clock = Clock::fixed(at(d(2017, 3, 1)));
    let s = store.clone().with_clock(clock.clone());
    let p = s.forward_plan();
    let clerk = match store.users().by_email("clerk@example.org").await? {
        Some((u, _)) => Actor { user_id: Some(u.id), label: "clerk@example.org".into(), ip: String::new() },
        None => Actor::system(),
    };
    let version = |id: i64| async move { p.item(id).await.map(|i| i.version) };

    // March 2017: the CAMHS working group's findings, first expected in April.
    let camhs = p
        .create_item(
            &clerk,
            &ItemInput {
                financial: false,
                ..item(
                    "Children and Adolescent Mental Health Services Working Group: to submit the findings of the working group",
                    d(2017, 4, 6),
                    false,
                    "Health partners, schools and young people",
                    "Meetings and evidence sessions",
                    "Ruth Harrison ruth.harrison@sefton.gov.uk Tel: 0151 934 2042",
                )
            },
        )
        .await?;
    p.publish(&clerk).await?;
    clock.set(at(d(2017, 3, 27)));
    p.change_date(&clerk, camhs, version(camhs).await?, Some(d(2017, 7, 27)), "The Working Group is still deliberating on its Final Report").await?;
    clock.set(at(d(2017, 6, 26)));
    p.change_date(&clerk, camhs, version(camhs).await?, Some(d(2017, 10, 5)), "The Working Group is still deliberating on its Final Report").await?;

    // August: the October decisions go on the plan published on 1 September.
    clock.set(at(d(2017, 8, 21)));
    let fostering = p
        .create_item(
            &clerk,
            &item(
                "Purchasing of Fostering Placements for Children and Young People: the future procurement and contract arrangements of fostering placements from April 2018",
                d(2017, 10, 5),
                true,
                "Placements North West is commencing provider consultation and engagement to inform the future procurement framework",
                "Meetings; emails; correspondence",
                "Sarah Austin sarah.austin@sefton.gov.uk Tel: 0151 934 3293",
            ),
        )
        .await?;
    let academies = p
        .create_item(
            &clerk,
            &item(
                "Approval of Legal Documentation for Academy Conversions: authorisation for officers to sign the documentation the academy conversion process requires",
                d(2017, 10, 5),
                true,
                "Parents, staff and trade unions",
                "Meetings and letters",
                "Marie Stevenson marie.stevenson@sefton.gov.uk Tel: 0151 934 3427",
            ),
        )
        .await?;
    let adoption = p
        .create_item(
            &clerk,
            &item(
                "Update on Regionalisation of Adoption - Adoption in Merseyside: the level of service provision within Sefton",
                d(2017, 10, 5),
                false,
                "Staff, Panel Members and adopters",
                "Email and meetings",
                "Vicky Buchanan vicky.buchanan@sefton.gov.uk Tel: 0151 934 3128",
            ),
        )
        .await?;
    clock.set(at(d(2017, 9, 1)));
    p.publish(&clerk).await?;

    // September: a placement framework that cannot wait for the next plan.
    clock.set(at(d(2017, 9, 15)));
    let framework = p
        .create_item(
            &clerk,
            &item(
                "Extension of the residential placements framework for looked after children pending the regional procurement",
                d(2017, 10, 5),
                true,
                "Providers on the framework",
                "Correspondence",
                "Sarah Austin sarah.austin@sefton.gov.uk Tel: 0151 934 3293",
            ),
        )
        .await?;
    let general = Exception::GeneralException { chair_notified: d(2017, 9, 18), notice_published: d(2017, 9, 18) };
    p.record_exception(&clerk, framework, version(framework).await?, &general).await?;
    clock.set(at(d(2017, 9, 25)));
    let exempt = p
        .create_item(
            &clerk,
            &ItemInput {
                exempt_paragraph: Some(3),
                public_interest: "The report sets out the bidders' prices: publishing them would prejudice the Council's commercial position and the bidders' business affairs".into(),
                ..item(
                    "Award of the contract for the return interview service for children missing from home or care",
                    d(2017, 12, 7),
                    true,
                    "Young people who have been missing, the police and the CSE sub-group",
                    "Workshops and the tender evaluation panel",
                    "Sarah Austin sarah.austin@sefton.gov.uk Tel: 0151 934 3293",
                )
            },
        )
        .await?;

    // 5 October: Cabinet takes the October decisions.
    clock.set(at(d(2017, 10, 5)));
    for id in [fostering, academies, adoption, camhs, framework] {
        p.record_taken(&clerk, id, version(id).await?, Some(d(2017, 10, 5))).await?;
    }
    clock.set(at(d(2017, 11, 1)));
    p.publish(&clerk).await?;
    clock.set(at(d(2017, 12, 7)));
    p.record_taken(&clerk, exempt, version(exempt).await?, Some(d(2017, 12, 7))).await?;
    Ok(())
}
