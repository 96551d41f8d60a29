//! Demo plans and scorecards (after the dataset's history is closed): a part of the
//! children's services improvement plan (seed 004) with its performance measures —
//! bands running up, bands running down, and "Increase" — entered month by month; the
//! statement of action for inspectors in two versions, the second re-drafted after the
//! regulator's feedback with one action split, two merged, one replaced, one dropped
//! with its reason and one new; the partnership's CSE strategy (Governance, Profile,
//! Prevent, Protect, Prosecute) whose actions name CSE dataset measures; and the CSE
//! working group's recommendations linked to the pathway's own figures, one of them
//! complete while its outcome has not moved.

use assure_domain::datasets::Month;
use assure_domain::improvement_plan::{read_sheet, PlanKind};
use assure_domain::scorecard::{BandsInput, MeasureInput, ValueSource};
use chrono::NaiveDate;

use crate::scorecards::Linked;
use crate::{Actor, Result, RowExt, Store, StoreError};

async fn actor(store: &Store, email: &str) -> Result<Actor> {
    let (u, _) = store.users().by_email(email).await?.ok_or(StoreError::NotFound)?;
    Ok(Actor { user_id: Some(u.id), label: email.into(), ip: String::new() })
}

fn sheet(rows: &[&[&str]]) -> assure_domain::import::Table {
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

fn draft(rows: &[&[&str]]) -> Result<assure_domain::improvement_plan::PlanDraft> {
    read_sheet(&sheet(rows))
        .map_err(|e| StoreError::Corrupt(format!("demo plan: {}", e.iter().map(|c| c.message.clone()).collect::<Vec<_>>().join("; "))))
}

fn bands(ri: &str, good: &str, out: &str) -> BandsInput {
    BandsInput { requires_improvement: ri.into(), good: good.into(), outstanding: out.into(), direction: None }
}

fn entered(title: &str, shows: &str, unit: &str, b: BandsInput, baseline: &str, target: &str) -> MeasureInput {
    MeasureInput {
        title: title.into(),
        shows: shows.into(),
        unit: unit.into(),
        bands: b,
        baseline: baseline.into(),
        target: target.into(),
        source: Some(ValueSource::Entered),
        ..Default::default()
    }
}

fn computed(title: &str, shows: &str, unit: &str, b: BandsInput, dataset: &str) -> MeasureInput {
    MeasureInput {
        title: title.into(),
        shows: shows.into(),
        unit: unit.into(),
        bands: b,
        source: Some(ValueSource::Computed),
        dataset_measure: dataset.into(),
        ..Default::default()
    }
}

/// A plan action's id by its ref in the plan's latest version.
async fn action_id(store: &Store, plan: i64, r: &str) -> Result<i64> {
    let p = store.improvement_plans().plan(plan).await?;
    let v = store.improvement_plans().version(plan, p.latest()).await?;
    v.actions.iter().find(|a| a.r#ref == r).map(|a| a.id).ok_or(StoreError::NotFound)
}

pub async fn load(store: &Store, today: NaiveDate) -> Result<()> {
    let today = today.min(store.today());
    let officer = actor(store, "scrutiny-officer@example.org").await?;
    let analyst = actor(store, "cse-analyst@example.org").await?;
    let this_month = Month::of(today);
    let cards = store.scorecards();

    // ---------------------------------------------------------------- improvement plan
    let card = cards
        .create(
            &officer,
            "Children's services improvement plan: performance measures",
            "How we will know our practice is good: the thresholds agreed with the improvement board, reported to committee six-monthly.",
        )
        .await?;
    let timely = cards
        .add_measure(
            &officer,
            card,
            &entered(
                "Assessments completed within 45 days",
                "Assessments completed within the national standard for timeliness.",
                "%",
                bands("75-80", "81-89", "90+"),
                "72",
                "90",
            ),
        )
        .await?;
    let caseloads = cards
        .add_measure(
            &officer,
            card,
            &entered(
                "Average caseload of a social worker",
                "Social workers have the time to know their children well (lower is better).",
                "cases",
                bands("35-26", "25-20", "19-10"),
                "29",
                "20",
            ),
        )
        .await?;
    let carers = cards
        .add_measure(
            &officer,
            card,
            &entered("Foster carers approved", "More children can live with local foster families.", "", bands("", "", "Increase"), "3", ""),
        )
        .await?;
    // Eight months of values, typed in by the performance team.
    let series: [(i64, [f64; 8], &str); 3] = [
        (timely, [72.0, 74.0, 77.0, 79.0, 82.0, 84.0, 83.0, 86.0], "Performance team, from the case management system"),
        (caseloads, [29.0, 28.0, 28.0, 27.0, 25.0, 24.0, 24.0, 23.0], "Workforce report"),
        (carers, [3.0, 2.0, 4.0, 3.0, 5.0, 4.0, 6.0, 5.0], "Fostering panel"),
    ];
    for (id, values, note) in series {
        for (i, v) in values.iter().enumerate() {
            let month = this_month.trailing(9)[i];
            let version = cards.measure(id).await?.version;
            cards.enter_value(&officer, id, version, Some(month), &v.to_string(), note).await?;
        }
    }
    let plan = store
        .improvement_plans()
        .create(
            &officer,
            "Children's services improvement plan",
            PlanKind::ImprovementPlan,
            &draft(&[
                &["Ref", "Action", "Progress / review date", "Lead", "Update commentary", "What good looks like"],
                &["1", "Children in need of help and protection", "", "", "", ""],
                &[
                    "1.1",
                    "Assessments are timely and of good quality",
                    "",
                    "",
                    "",
                    "Children are seen quickly, their views shape the assessment, and help starts without waiting for the assessment to finish.",
                ],
                &[
                    "1.1.7",
                    "Weekly performance clinics with team managers on assessments nearing 45 days",
                    "Ongoing",
                    "Head of Children's Social Care",
                    "7 September 2026: clinics held every Thursday since July.",
                    "",
                ],
                &[
                    "1.1.8",
                    "Monthly audit of ten assessments against the practice standard",
                    "Completed",
                    "QA Manager",
                    "5 October 2026: the audit programme is running and reported monthly.",
                    "",
                ],
                &["1.1.18", "Performance scorecard on step-down to early help", "31 March 2027", "QA Manager", "", ""],
                &[
                    "1.2",
                    "Social workers have manageable caseloads",
                    "",
                    "",
                    "",
                    "Caseloads allow social workers to visit children as often as their plans say.",
                ],
                &[
                    "1.2.1",
                    "Recruit eight permanent social workers and reduce agency staff",
                    "31 January 2027",
                    "Principal Social Worker",
                    "2 November 2026: five appointed; three posts out to advert.",
                    "",
                ],
                &[
                    "1.2.2",
                    "Recruit foster carers through the regional campaign",
                    "Completed",
                    "Head of Fostering",
                    "3 November 2026: the campaign ran from June to October.",
                    "",
                ],
            ])?,
        )
        .await?;
    let agreed = this_month.trailing(9)[0];
    for (r, m) in [("1.1.7", timely), ("1.1.8", timely), ("1.2.1", caseloads)] {
        cards.link(&officer, Linked::PlanAction(action_id(store, plan, r).await?), m, agreed).await?;
    }
    // The campaign was agreed when approvals peaked; they have fallen back since, so the
    // completed action is on the dashboard's list of work whose outcome has not moved.
    cards.link(&officer, Linked::PlanAction(action_id(store, plan, "1.2.2").await?), carers, this_month.trailing(9)[6]).await?;

    // ---------------------------------------------------------------- statement of action
    let soa = store
        .improvement_plans()
        .create(
            &officer,
            "Statement of action: children missing from home and care",
            PlanKind::StatementOfAction,
            &draft(&[
                &["Ref", "Action", "Progress / review date", "Lead"],
                &["A2", "Children who go missing are safer", "", ""],
                &["A2.1", "Return interviews and the missing protocol", "", ""],
                &["A2.1.7", "Improve the timeliness and quality of return interviews", "31 March 2026", "Head of Service, Safeguarding"],
                &["A2.1.8", "Write a new missing from home and care protocol", "Ongoing", "Head of Service, Safeguarding"],
                &["A2.1.9", "Agree information sharing on missing episodes with the police", "Ongoing", "DCI, Public Protection"],
                &["A2.1.10", "Hold a partnership conference on children missing", "Completed", "Partnership Manager"],
                &["A2.1.11", "Review the missing dataset", "30 June 2026", "CSE Analyst"],
            ])?,
        )
        .await?;
    store
        .improvement_plans()
        .redraft(
            &officer,
            soa,
            "Re-drafted after the regulator found the first version not specific, measurable, relevant or timely",
            &draft(&[
                &["Ref", "Action", "Progress / review date", "Lead", "Update commentary", "Lineage"],
                &["A2", "Children who go missing are safer", "", "", "", ""],
                &["A2.1", "Return interviews and the missing protocol", "", "", "", ""],
                &[
                    "A2.1.1",
                    "Offer every child a return interview within 72 hours of coming home, and report the percentage monthly",
                    "31 March 2027",
                    "Head of Service, Safeguarding",
                    "",
                    "Split from A2.1.7",
                ],
                &[
                    "A2.1.2",
                    "Audit ten return interviews a month for quality, with the findings to the missing monitoring group",
                    "Ongoing",
                    "QA Manager",
                    "",
                    "Split from A2.1.7",
                ],
                &[
                    "A2.1.3",
                    "One missing protocol agreed with the police, including information sharing, signed by both",
                    "31 January 2027",
                    "Head of Service, Safeguarding; DCI, Public Protection",
                    "",
                    "Merged from A2.1.8, A2.1.9",
                ],
                &[
                    "A2.1.4",
                    "Close the CSE dataset each month and report missing figures to the board",
                    "Ongoing",
                    "CSE Analyst",
                    "",
                    "Replaces A2.1.11",
                ],
                &[
                    "A2.1.5",
                    "Train taxi drivers and door staff to recognise and report children at risk",
                    "30 April 2027",
                    "Licensing Manager",
                    "",
                    "New",
                ],
                &["A2.1.10", "", "", "", "", "Dropped: held in May 2026; its actions are in A2.1.3"],
            ])?,
        )
        .await?;

    // ---------------------------------------------------------------- the CSE strategy
    let cse = cards
        .create(&analyst, "CSE partnership scorecard", "The partnership's CSE measures, computed from the monthly dataset as each month closes.")
        .await?;
    let interviews = cards
        .add_measure(
            &analyst,
            cse,
            &computed(
                "Return interviews within 72 hours",
                "Children who come home are offered a return interview within 72 hours.",
                "%",
                bands("0-79", "80-94", "95-100"),
                "interviews-within-72-hours",
            ),
        )
        .await?;
    let decisions = cards
        .add_measure(
            &analyst,
            cse,
            &computed(
                "Time to MASH decision",
                "Median hours from a referral reaching the MASH to its decision (lower is better).",
                "hours",
                bands("72-25", "24-13", "12-0"),
                "time-to-decision",
            ),
        )
        .await?;
    let referrals = cards
        .add_measure(
            &analyst,
            cse,
            &computed("CSE referrals", "Referrals to the MASH: more shows more concerns are recognised.", "", bands("", "", "Increase"), "referrals"),
        )
        .await?;
    let over16 = cards
        .add_measure(
            &analyst,
            cse,
            &computed(
                "Referrals of young people aged 16 or over",
                "Watch for under-reporting of older young people.",
                "%",
                bands("0-9", "10-19", "20-100"),
                "referrals-over-16",
            ),
        )
        .await?;
    let flagged = cards
        .add_measure(
            &analyst,
            cse,
            &computed(
                "Police CSE flag coverage of MACSE children",
                "Children open to MACSE whose police record carries the CSE flag (the target is every one).",
                "%",
                bands("0-89", "90-99", "100+"),
                "police-flag-coverage",
            ),
        )
        .await?;
    let schools = cards
        .add_measure(
            &analyst,
            cse,
            &MeasureInput {
                dataset_row: "agency:Hillside High School".into(),
                ..computed("Referrals from Hillside High School", "Schools recognise and refer CSE.", "", bands("", "", "Increase"), "referrals")
            },
        )
        .await?;
    let strategy = store
        .improvement_plans()
        .create(
            &analyst,
            "Partnership CSE strategy",
            PlanKind::Strategy,
            &draft(&[
                &["Ref", "Action", "Progress / review date", "Lead", "Update commentary"],
                &["1", "Governance", "", "", ""],
                &["1.1", "The partnership knows how well it protects children", "", "", ""],
                &["1.1.1", "Close the CSE dataset monthly and report it quarterly to the board and Cabinet", "Ongoing", "CSE Analyst", ""],
                &["2", "Profile", "", "", ""],
                &["2.1", "Every agency recognises and refers CSE", "", "", ""],
                &[
                    "2.1.1",
                    "Training for every agency's SPOC on the CSE 1 and CSE 2 forms",
                    "Completed",
                    "Partnership Manager",
                    "1 September 2026: all SPOCs trained.",
                ],
                &["2.1.2", "Reach young people over 16 through colleges and youth services", "31 March 2027", "Partnership Manager", ""],
                &["3", "Prevent", "", "", ""],
                &["3.1", "Children who go missing are helped when they come home", "", "", ""],
                &["3.1.1", "Return interviews by a dedicated worker within 72 hours", "Ongoing", "Missing Officer", ""],
                &["4", "Protect", "", "", ""],
                &["4.1", "The MASH decides quickly", "", "", ""],
                &["4.1.1", "A MASH decision on every CSE referral within 24 hours", "Completed", "MASH Manager", ""],
                &["5", "Prosecute", "", "", ""],
                &["5.1", "Offenders are disrupted and brought to justice", "", "", ""],
                &["5.1.1", "Every MACSE child's police record carries the CSE flag", "Ongoing", "DCI, Public Protection", ""],
            ])?,
        )
        .await?;
    let earlier = this_month.trailing(13)[0];
    for (r, m) in [("1.1.1", referrals), ("2.1.1", schools), ("2.1.2", over16), ("3.1.1", interviews), ("4.1.1", decisions), ("5.1.1", flagged)] {
        cards.link(&analyst, Linked::PlanAction(action_id(store, strategy, r).await?), m, earlier).await?;
    }

    // ---------------------------------------------------------------- the CSE recommendations
    // The working group's recommendations name the pathway measures they must move.
    let recs = store
        .q("SELECT r.id FROM recommendations r JOIN reviews v ON v.id = r.review_id WHERE v.title = $1 ORDER BY r.number, r.sub_label")
        .bind("Licensing/Child Sexual Exploitation Working Group")
        .fetch_all(store.pool())
        .await?;
    let picks = [interviews, referrals, decisions];
    for (r, m) in recs.iter().zip(picks) {
        cards.link(&officer, Linked::Recommendation(r.i("id")?), m, earlier).await?;
    }
    // The fourth, complete, names the over-16s measure from the month it was at its
    // highest: done, and the outcome not (yet) better than when it was agreed.
    if let Some(r) = recs.get(3) {
        let m = cards.measure(over16).await?;
        let best = m.values.iter().rev().max_by(|a, b| a.value.total_cmp(&b.value)).map_or(earlier, |v| v.month);
        cards.link(&officer, Linked::Recommendation(r.i("id")?), over16, best).await?;
    }
    Ok(())
}
