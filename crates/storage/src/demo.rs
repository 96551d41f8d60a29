//! Demo data: the Licensing/CSE working group (seeds 000 and 004), an Ofsted
//! inspection with revised dates, and a recent review whose executive response is
//! overdue, so that every status, RAG and overdue case shows on first start.
//! Loaded once, into an empty database, through the same store API as any user.

use assure_domain::accounts::AccountInput;
use assure_domain::tracker::{
    check_action, check_rag_override, check_response, ActionInput, BodyInput, BodyKind, EndorsementInput, ExecutiveResponse, Lifecycle,
    LifecycleInput, NewAction, RagOverride, RagOverrideInput, RecommendationInput, ResponseDecision, ResponseInput, ReviewInput, ReviewKind,
    RevisionInput, ScheduleInput, SignOffInput, TransferInput, UpdateInput, UpdateRequestInput,
};
use assure_domain::{Checked, Role};
use chrono::{Duration, NaiveDate};

use crate::first_run::Mark;
use crate::{Actor, Result, Store};

/// One account per role, `<role>@example.org`.
pub fn demo_accounts() -> Vec<(Role, &'static str, &'static str)> {
    vec![
        (Role::Administrator, "Dana Whitfield", "Systems administrator"),
        (Role::ScrutinyOfficer, "Alex Morgan", "Senior Democratic Services Officer"),
        (Role::LeadOfficer, "Jordan Ellis", "Head of Children's Social Care"),
        (Role::CommitteeMember, "Councillor Sam Okafor", "Member, Overview and Scrutiny Committee"),
        (Role::IgOfficer, "Priya Shah", "Information governance officer (data protection)"),
        (Role::Clerk, "Chris Doyle", "Democratic Services Officer (committee clerk)"),
    ]
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid demo date")
}

// The demo's changes pass the same checks as anyone's.

fn response(response: ExecutiveResponse, on: Option<NaiveDate>, reason: &str) -> Result<Checked<ResponseDecision>> {
    Ok(check_response(&ResponseInput { response: Some(response), response_date: on, response_reason: reason.into() })?)
}

fn action(text: &str, owner: &str, target: Option<NaiveDate>) -> Result<Checked<NewAction>> {
    Ok(check_action(&ActionInput { text: text.into(), owner: owner.into(), target_date: target })?)
}

fn status(lifecycle: Lifecycle, reason: &str) -> LifecycleInput {
    LifecycleInput { lifecycle: Some(lifecycle), reason: reason.into() }
}

fn rag_override(rag: &str, reason: &str) -> Result<Checked<RagOverride>> {
    Ok(check_rag_override(&RagOverrideInput { rag: rag.into(), rag_reason: reason.into() })?)
}

/// Load the demo into an empty database, wholly or not at all. Returns false (and
/// changes nothing) when the demo was loaded already or the database has accounts of
/// its own. A load that was interrupted (a crash, a kill) is not taken as loaded: the
/// next one takes the database back to its freshly migrated state and loads it again
/// (see [`crate::first_run`]); a second process starting at the same time waits, then
/// finds it loaded.
pub async fn load(store: &Store, today: NaiveDate, password_hash: &str) -> Result<bool> {
    let lock = store.first_run_lock().await?;
    let load = to_load(store).await?;
    if load {
        if store.first_run_mark(STEP).await? == Mark::Started {
            tracing::warn!("an earlier demo load was interrupted: the database is reset and the demo loaded again");
            store.reset_interrupted_first_run(&lock).await?;
        }
        store.set_first_run_mark(STEP, Mark::Started).await?;
        load_everything(store, today, password_hash).await?;
        store.set_first_run_mark(STEP, Mark::Finished).await?;
    }
    lock.release().await?;
    Ok(load)
}

/// Whether [`load`] would load the demo now: never loaded and no accounts of the
/// database's own, or a load that was interrupted.
pub async fn to_load(store: &Store) -> Result<bool> {
    Ok(match store.first_run_mark(STEP).await? {
        Mark::Finished => false,
        Mark::Started => true,
        Mark::None => store.users().count().await? == 0,
    })
}

/// The first-run step's name (`settings.key` `first_run.demo`).
const STEP: &str = "demo";

async fn load_everything(store: &Store, today: NaiveDate, password_hash: &str) -> Result<()> {
    let sys = Actor::system();
    // The demo's accounts share one published password and no phone: two-factor sign-in
    // is required of no role here (Settings → Sign-in says so, and turns it back on).
    store.two_factor().set_required(&sys, &[]).await?;
    let mut ids = std::collections::HashMap::new();
    for (role, name, title) in demo_accounts() {
        let email = format!("{}@example.org", role.slug());
        let id = store
            .users()
            .create_account(&sys, &AccountInput { name: name.into(), email: email.clone(), job_title: title.into(), role: Some(role) }, password_hash)
            .await?;
        ids.insert(role.slug(), id);
    }
    let lead = ids["lead-officer"];
    let schools = store
        .users()
        .create_account(
            &sys,
            &AccountInput {
                name: "Priya Shah".into(),
                email: "schools-lead@example.org".into(),
                job_title: "Head of Schools and Families".into(),
                role: Some(Role::LeadOfficer),
            },
            password_hash,
        )
        .await?;
    let regulation = store
        .users()
        .create_account(
            &sys,
            &AccountInput {
                name: "Tom Reid".into(),
                email: "regulation-lead@example.org".into(),
                job_title: "Head of Regulation and Compliance".into(),
                role: Some(Role::LeadOfficer),
            },
            password_hash,
        )
        .await?;
    let officer = Actor { user_id: Some(ids["scrutiny-officer"]), label: "scrutiny-officer@example.org".into(), ip: String::new() };
    let lead_actor = Actor { user_id: Some(lead), label: "lead-officer@example.org".into(), ip: String::new() };
    let schools_actor = Actor { user_id: Some(schools), label: "schools-lead@example.org".into(), ip: String::new() };

    let body = |name: &str, kind: BodyKind| BodyInput { name: name.into(), kind: Some(kind), response_unit: None, response_amount: None };
    let regulatory = store
        .tracker()
        .create_body(&officer, &body("Overview and Scrutiny Committee (Regulatory, Compliance and Corporate Services)", BodyKind::Committee))
        .await?;
    let childrens = store
        .tracker()
        .create_body(&officer, &body("Overview and Scrutiny Committee (Children's Services and Safeguarding)", BodyKind::Committee))
        .await?;
    let cabinet = store.tracker().create_body(&officer, &body("Cabinet", BodyKind::Executive)).await?;
    let lscb = store
        .tracker()
        .create_body(
            &officer,
            &BodyInput {
                name: "Local Safeguarding Children Board".into(),
                kind: Some(BodyKind::Board),
                response_unit: Some("days".into()),
                response_amount: Some(28),
            },
        )
        .await?;
    store.tracker().create_body(&officer, &body("Licensing/CSE Working Group", BodyKind::WorkingGroup)).await?;
    store.tracker().create_body(&officer, &body("CSE and Missing Sub-group", BodyKind::SubGroup)).await?;

    // ------------------------------------------------ Licensing/CSE working group
    let wg = store
        .tracker().create_review(
            &officer,
            &ReviewInput {
                kind: Some(ReviewKind::WorkingGroup),
                title: "Licensing/Child Sexual Exploitation Working Group".into(),
                terms_of_reference: "To review the Council's legal and safeguarding position in relation to the issue of any licence following allegations of child sexual exploitation;\nTo consider whether all relevant pathways, methods of referral are sound with respect to escalation of CSE referrals;\nTo ensure that key sectors are informed, aware of how to raise concerns concerning CSE; and\nTo liaise with the Home Office and lobby for legislative change should the need arise.".into(),
                lead_member: "Councillor Dave Robinson".into(),
                members: "Councillors Bradshaw, Keith, Brenda O'Brien, Robinson and Thomas; Mrs Sandra Cain (Associate Member)".into(),
                origin_body_id: Some(regulatory),
                start_date: Some(d(2016, 6, 21)),
                end_date: Some(d(2017, 9, 12)),
                report_date: Some(d(2017, 9, 12)),
                final_report_ref: "Licensing/Child Sexual Exploitation Working Group Final Report, September 2017".into(),
                referred_to_body_id: Some(cabinet),
                referral_date: Some(d(2017, 9, 26)),
            },
        )
        .await?;
    store
        .tracker()
        .add_endorsement(
            &officer,
            wg,
            &EndorsementInput { body_id: Some(regulatory), endorsed_on: Some(d(2017, 9, 12)), minute_ref: "Minute 22".into() },
        )
        .await?;
    store
        .tracker()
        .add_endorsement(
            &officer,
            wg,
            &EndorsementInput { body_id: Some(childrens), endorsed_on: Some(d(2017, 9, 26)), minute_ref: "Minute 31".into() },
        )
        .await?;
    store
        .tracker()
        .add_schedule(
            &officer,
            wg,
            &ScheduleInput {
                body_id: Some(regulatory),
                first_report_date: Some(d(2018, 1, 16)),
                interval_months: Some(6),
                resolution_ref: "Cabinet, 5 October 2017, recommendation (5)".into(),
            },
        )
        .await?;
    store
        .tracker()
        .add_schedule(
            &officer,
            wg,
            &ScheduleInput {
                body_id: Some(childrens),
                first_report_date: Some(d(2018, 1, 30)),
                interval_months: Some(6),
                resolution_ref: "Cabinet, 5 October 2017, recommendation (5)".into(),
            },
        )
        .await?;

    let rec = |number: i64, committee: &str, cabinet_w: &str, who: &str, area: &str, outcome: &str, body: i64, leads: Vec<i64>| RecommendationInput {
        parent_id: None,
        number: Some(number),
        sub_label: String::new(),
        committee_wording: committee.into(),
        executive_wording: cabinet_w.into(),
        who_must_act: who.into(),
        area: area.into(),
        outcome: outcome.into(),
        monitoring_body_id: Some(body),
        lead_ids: leads,
        lead_officers_text: None,
        origin: String::new(),
        executive_decision_date: None,
    };
    let r1 = store.tracker().create_recommendation(&officer, wg, &rec(1,
        "request Sefton's Members of Parliament to lobby the Home Secretary to strengthen the existing Legislation regarding personal licences to include:-",
        "Sefton's Members of Parliament be requested to lobby the Home Secretary to strengthen the existing Legislation regarding personal licences to include:-",
        "Sefton's Members of Parliament", "Licensing",
        "Licensed premises central to a CSE investigation cannot be used to exploit children while the investigation runs.",
        childrens, vec![lead])).await?;
    let mut subs = Vec::new();
    for (label, text) in [
        ("a", "A national data base of personal licences"),
        ("b", "A fit and proper persons test"),
        ("c", "In particular provision to allow a Council to defer determination of a personal licence where the Individual is currently involved in a Police Child Sexual Exploitation investigation where a licenced premises is central to those investigations"),
    ] {
        let id = store
            .tracker().create_recommendation(&officer, wg, &RecommendationInput {
                parent_id: Some(r1),
                sub_label: label.into(),
                committee_wording: text.into(),
                executive_wording: text.into(),
                who_must_act: "Sefton's Members of Parliament".into(),
                area: "Licensing".into(),
                monitoring_body_id: Some(childrens),
                lead_ids: vec![lead],
                ..Default::default()
            })
            .await?;
        subs.push(id);
    }
    let r2 = store.tracker().create_recommendation(&officer, wg, &rec(2,
        "request Sefton's Members of Parliament to lobby the Secretary of State for Education to ensure that Care Providers who offer residential placements for 16 – 18 year old children and young people are inspected by a regulatory body;",
        "Sefton's Members of Parliament be requested to lobby the Secretary of State for Education to ensure that Care Providers who offer residential placements for 16 – 18 year old children and young people are inspected by a regulatory body;",
        "Sefton's Members of Parliament", "Children's social care",
        "Young people aged 16 to 18 placed in supported accommodation live in homes that a regulator inspects.",
        childrens, vec![lead])).await?;
    let r3 = store.tracker().create_recommendation(&officer, wg, &rec(3,
        "in order to raise awareness of Child Sexual Exploitation issues with Sefton parents, request the Head of Schools and Families to promote the Child Sexual Exploitation e-learning tool with all schools and governing bodies and with a request that school e-newsletters contain a hyperlink to the e-learning tool;",
        "in order to raise awareness of Child Sexual Exploitation issues with Sefton parents, the Head of Schools and Families promote the Child Sexual Exploitation e-learning tool with all schools and governing bodies and with a request that school e-newsletters contain a hyperlink to the e-learning tool;",
        "Head of Schools and Families", "Schools and families",
        "Parents know the signs of child sexual exploitation and where to raise a concern.",
        childrens, vec![schools])).await?;
    let r4 = store.tracker().create_recommendation(&officer, wg, &rec(4,
        "Rather than the Merseyside local authorities dealing with licensing/CSE issues in a piecemeal or individual way, the Liverpool City Region be contacted to seek the adoption of pan-Merseyside standardised policies particularly bearing in mind the cross boundary nature of taxi/private hire journeys;",
        "Rather than the Merseyside local authorities dealing with licensing/CSE issues in a piecemeal or individual way, the Liverpool City Region be contacted to seek the adoption of pan-Merseyside standardised policies particularly bearing in mind the cross boundary nature of taxi/private hire journeys;",
        "Liverpool City Region", "Licensing",
        "A child travelling in any licensed taxi across Merseyside is protected by the same safeguarding standards.",
        regulatory, vec![regulation])).await?;
    let r5 = store.tracker().create_recommendation(&officer, wg, &rec(5,
        "request that the Head of Regulation and Compliance and the Head of Children's Social Care submit a joint monitoring report to the meeting of the Overview and Scrutiny Committee (Regulatory, Compliance and Corporate Resources) and the Overview and Scrutiny Committee (Children's Services and Safeguarding) to be held on 16 and 30 January 2018 respectively, setting out progress made against each of the recommendations set out in the report and that thereafter, monitoring reports be submitted to the Committees on a six monthly basis.",
        "the Head of Regulation and Compliance and the Head of Children's Social Care submit a joint monitoring report to the meeting of the Overview and Scrutiny Committee (Regulatory, Compliance and Corporate Resources) and the Overview and Scrutiny Committee (Children's Services and Safeguarding) to be held on 16 and 30 January 2018 respectively, setting out progress made against each of the recommendations set out in the report and that thereafter, monitoring reports be submitted to the Committees on a six monthly basis.",
        "Head of Regulation and Compliance; Head of Children's Social Care", "Scrutiny",
        "Members can see, every six months, whether the working group's recommendations are making children safer.",
        regulatory, vec![regulation, lead])).await?;

    for id in [r1, subs[0], subs[1], subs[2], r2, r3, r4, r5] {
        let v = store.tracker().recommendation(id).await?.version;
        store.tracker().record_response(&officer, id, v, &response(ExecutiveResponse::Accepted, Some(d(2017, 10, 5)), "")?).await?;
    }

    // Progress reported to the January 2018 committees (seed 000).
    let letter = "Vicky Buchanan, Head of Children's Social Care sent a letter to Sefton's three Members of Parliament on 7 December 2017. A copy of the letter (to Peter Dowd M.P.) is attached to the report.";
    let a1 = store
        .tracker()
        .add_action(
            &lead_actor,
            r1,
            &action(
                "Write to Sefton's three Members of Parliament asking them to lobby the Home Secretary",
                "Head of Children's Social Care",
                Some(d(2017, 12, 31)),
            )?,
        )
        .await?;
    store
        .tracker()
        .add_update(
            &lead_actor,
            r1,
            &UpdateInput { update_date: Some(d(2017, 12, 7)), narrative: letter.into(), progress_percent: Some(100), corrects_id: None },
            &[],
        )
        .await?;
    let v = store.tracker().action(a1).await?.version;
    store.tracker().set_action_done(&lead_actor, a1, v, true).await?;
    for (i, id) in subs.iter().enumerate() {
        store
            .tracker()
            .add_update(
                &lead_actor,
                *id,
                &UpdateInput { update_date: Some(d(2017, 12, 7)), narrative: letter.into(), progress_percent: Some(100), corrects_id: None },
                &[],
            )
            .await?;
        let v = store.tracker().recommendation(*id).await?.version;
        store.tracker().set_lifecycle(&lead_actor, *id, v, &status(Lifecycle::CompleteAwaitingSignOff, "")).await?;
        if i == 0 {
            let v = store.tracker().recommendation(*id).await?.version;
            store
                .tracker()
                .sign_off(
                    &officer,
                    *id,
                    v,
                    &SignOffInput {
                        body_id: Some(childrens),
                        meeting_date: Some(d(2018, 1, 30)),
                        minute_ref: "Minute 47".into(),
                        ..Default::default()
                    },
                )
                .await?;
        }
    }
    let v = store.tracker().recommendation(r1).await?.version;
    store.tracker().set_lifecycle(&lead_actor, r1, v, &status(Lifecycle::CompleteAwaitingSignOff, "")).await?;

    let a2 = store
        .tracker()
        .add_action(
            &lead_actor,
            r2,
            &action(
                "Write to Sefton's three Members of Parliament asking them to lobby the Secretary of State for Education",
                "Head of Children's Social Care",
                Some(d(2017, 12, 31)),
            )?,
        )
        .await?;
    store
        .tracker()
        .add_update(
            &lead_actor,
            r2,
            &UpdateInput { update_date: Some(d(2017, 12, 7)), narrative: letter.into(), progress_percent: Some(50), corrects_id: None },
            &[],
        )
        .await?;
    store
        .tracker()
        .add_update(
            &lead_actor,
            r2,
            &UpdateInput {
                update_date: Some(d(2018, 1, 5)),
                narrative: "A response has been received from Peter Dowd M.P and this is also attached to the report.".into(),
                progress_percent: Some(60),
                corrects_id: None,
            },
            &[],
        )
        .await?;
    let v = store.tracker().action(a2).await?.version;
    store.tracker().set_action_done(&lead_actor, a2, v, true).await?;
    store
        .tracker()
        .add_action(
            &lead_actor,
            r2,
            &action(
                "Follow up the Members of Parliament's replies with the Department for Education",
                "Head of Children's Social Care",
                Some(today + Duration::days(120)),
            )?,
        )
        .await?;

    store
        .tracker()
        .add_action(
            &schools_actor,
            r3,
            &action(
                "Email all schools' heads and chairs of governors promoting the 'Keep Them Safe' e-learning tool",
                "Head of Schools and Families",
                Some(d(2017, 12, 31)),
            )?,
        )
        .await?;
    store.tracker().add_update(&schools_actor, r3, &UpdateInput {
        update_date: Some(d(2017, 12, 4)),
        narrative: "Mike McSorley, Head of Schools and Families sent an email to all schools (including academies and independent schools) Heads and Chairs in early December 2017 promoting 'Keep Them Safe: Protecting Children from CSE', the free online course from Parents Against Child Sexual Exploitation (Pace) and the Virtual College, and asking schools to include the link on their websites and in school e-newsletters.".into(),
        progress_percent: Some(100),
        corrects_id: None,
    }, &[]).await?;
    let v = store.tracker().recommendation(r3).await?.version;
    store.tracker().set_lifecycle(&schools_actor, r3, v, &status(Lifecycle::CompleteAwaitingSignOff, "")).await?;
    let v = store.tracker().recommendation(r3).await?.version;
    store
        .tracker()
        .sign_off(
            &officer,
            r3,
            v,
            &SignOffInput { body_id: Some(childrens), meeting_date: Some(d(2018, 7, 24)), minute_ref: "Minute 12".into(), ..Default::default() },
        )
        .await?;

    let reg_actor = Actor { user_id: Some(regulation), label: "regulation-lead@example.org".into(), ip: String::new() };
    let a4 = store
        .tracker()
        .add_action(
            &reg_actor,
            r4,
            &action(
                "Raise pan-Merseyside standardised taxi and private hire licensing policies with the Liverpool City Region licensing leads",
                "Head of Regulation and Compliance",
                Some(d(2018, 3, 31)),
            )?,
        )
        .await?;
    let v = store.tracker().action(a4).await?.version;
    store
        .tracker()
        .revise_action_date(
            &reg_actor,
            a4,
            v,
            &RevisionInput {
                new_date: Some(d(2018, 9, 30)),
                reason: "The City Region's licensing leads deferred the item to their September meeting".into(),
            },
        )
        .await?;
    let v = store.tracker().action(a4).await?.version;
    store
        .tracker()
        .revise_action_date(
            &reg_actor,
            a4,
            v,
            &RevisionInput {
                new_date: Some(today - Duration::days(40)),
                reason: "Awaiting the Department for Transport's statutory taxi and private hire standards before agreeing local policies".into(),
            },
        )
        .await?;
    store.tracker().add_update(&reg_actor, r4, &UpdateInput { update_date: Some(d(2018, 1, 10)), narrative: "The Head of Regulation and Compliance raised the recommendation at the Liverpool City Region licensing officers' group, which agreed to compare the six councils' policies.".into(), progress_percent: Some(30), corrects_id: None }, &[]).await?;

    let a5 = store
        .tracker()
        .add_action(
            &reg_actor,
            r5,
            &action(
                "Joint monitoring report to both Overview and Scrutiny Committees, then six-monthly",
                "Head of Regulation and Compliance",
                Some(today + Duration::days(200)),
            )?,
        )
        .await?;
    let _ = a5;
    store.tracker().add_update(&reg_actor, r5, &UpdateInput { update_date: Some(d(2018, 1, 16)), narrative: "First joint monitoring report presented to the Overview and Scrutiny Committee (Regulatory, Compliance and Corporate Services) on 16 January 2018 and to the Overview and Scrutiny Committee (Children's Services and Safeguarding) on 30 January 2018.".into(), progress_percent: Some(60), corrects_id: None }, &[]).await?;
    store
        .tracker()
        .request_updates(
            &officer,
            &UpdateRequestInput {
                recommendation_ids: vec![r2, r4, r5],
                due_date: Some(today + Duration::days(10)),
                for_report_date: Some(today + Duration::days(24)),
                message: "Please add your update for the next six-monthly monitoring report.".into(),
            },
            today,
        )
        .await?;

    // ------------------------------------------------ Ofsted inspection
    let ofsted = store
        .tracker().create_review(&officer, &ReviewInput {
            kind: Some(ReviewKind::Inspection),
            title: "Ofsted inspection of services for children in need of help and protection, children looked after and care leavers".into(),
            terms_of_reference: "Single inspection framework. Inspection found that children's services require improvement to be good and made 11 recommendations; an improvement plan addressing all of them was submitted to Ofsted and the DfE in October 2016.".into(),
            lead_member: "Cabinet Member, Children, Schools and Safeguarding".into(),
            origin_body_id: None,
            start_date: Some(d(2016, 4, 11)),
            end_date: Some(d(2016, 5, 5)),
            report_date: Some(d(2016, 6, 14)),
            final_report_ref: "Ofsted inspection report, June 2016".into(),
            referred_to_body_id: Some(cabinet),
            referral_date: Some(d(2016, 7, 7)),
            ..Default::default()
        })
        .await?;
    store
        .tracker()
        .add_endorsement(
            &officer,
            ofsted,
            &EndorsementInput { body_id: Some(childrens), endorsed_on: Some(d(2016, 7, 12)), minute_ref: "Minute 5".into() },
        )
        .await?;
    store
        .tracker()
        .add_schedule(
            &officer,
            ofsted,
            &ScheduleInput {
                body_id: Some(childrens),
                first_report_date: Some(d(2016, 11, 15)),
                interval_months: Some(6),
                resolution_ref: "Minute 5 of 12 July 2016".into(),
            },
        )
        .await?;
    let ofsted_recs: [(&str, &str, Lifecycle, &str); 6] = [
        ("Ensure that all children who go missing are offered a return home interview and that the information from interviews is used to reduce risk.", "Children who go missing are seen and their risk reduced.", Lifecycle::InProgress, ""),
        ("Ensure that strategy meetings for children at risk of sexual exploitation include all relevant agencies and that actions are followed up.", "Risks to children are shared and acted on by every agency involved.", Lifecycle::Paused, "The MASH restructure must finish first; the partnership agreed to pause until the new team is in post."),
        ("Improve the quality and timeliness of assessments so that they are consistently good and lead to effective plans.", "Children receive help that matches their needs without delay.", Lifecycle::NotStarted, ""),
        ("Establish a single electronic case file shared in real time with health partners.", "Practitioners see the same information about a child.", Lifecycle::NotFeasible, "Health partners' systems cannot share records in real time under the current contracts; replaced by a daily data exchange."),
        ("Produce a stand-alone CSE strategy for the partnership.", "A single plan for tackling CSE across the partnership.", Lifecycle::Superseded, "Superseded by the Pan-Merseyside CSE strategy adopted by the LSCB."),
        ("Ensure that care leavers are informed of their entitlements, including in relation to housing, education and health histories.", "Care leavers know what help they are entitled to and get it.", Lifecycle::CompleteAwaitingSignOff, ""),
    ];
    let mut first_ofsted = 0;
    for (i, (text, outcome, lifecycle, reason)) in ofsted_recs.iter().enumerate() {
        let id = store
            .tracker()
            .create_recommendation(
                &officer,
                ofsted,
                &RecommendationInput {
                    number: Some(i as i64 + 1),
                    committee_wording: (*text).into(),
                    who_must_act: "Director of Social Care and Health".into(),
                    area: "Children's social care".into(),
                    outcome: (*outcome).into(),
                    monitoring_body_id: Some(childrens),
                    lead_ids: vec![lead],
                    ..Default::default()
                },
            )
            .await?;
        if i == 0 {
            first_ofsted = id;
        }
        let v = store.tracker().recommendation(id).await?.version;
        store.tracker().record_response(&officer, id, v, &response(ExecutiveResponse::Accepted, Some(d(2016, 7, 7)), "")?).await?;
        // Target dates, some revised with their reasons.
        let action = store
            .tracker()
            .add_action(
                &lead_actor,
                id,
                &action(&format!("Improvement plan action {}.1", i + 1), "Service Manager, Safeguarding", Some(d(2017, 5, 31)))?,
            )
            .await?;
        if i <= 2 {
            let v = store.tracker().action(action).await?.version;
            store
                .tracker()
                .revise_action_date(
                    &lead_actor,
                    action,
                    v,
                    &RevisionInput { new_date: Some(d(2017, 7, 31)), reason: "General election called: the partnership event was moved".into() },
                )
                .await?;
        }
        if i == 0 {
            let v = store.tracker().action(action).await?.version;
            store
                .tracker()
                .revise_action_date(
                    &lead_actor,
                    action,
                    v,
                    &RevisionInput {
                        new_date: Some(today + Duration::days(60)),
                        reason: "Independent return interview provider re-commissioned".into(),
                    },
                )
                .await?;
            store.tracker().add_update(&lead_actor, id, &UpdateInput { update_date: Some(today - Duration::days(30)), narrative: "The new independent provider offers an interview within 72 hours of every return. Take-up is 71% and rising; findings now go to the missing monitoring group each month.".into(), progress_percent: Some(60), corrects_id: None }, &[]).await?;
        }
        if *lifecycle != Lifecycle::NotStarted && *lifecycle != Lifecycle::InProgress {
            let v = store.tracker().recommendation(id).await?.version;
            store.tracker().set_lifecycle(&lead_actor, id, v, &status(*lifecycle, reason)).await?;
        }
    }
    // An officer's judgement overrides the suggested RAG (both kept).
    let v = store.tracker().recommendation(first_ofsted).await?.version;
    store
        .tracker()
        .set_rag_override(
            &lead_actor,
            first_ofsted,
            v,
            &rag_override("amber", "Take-up of interviews is still below the 85% target agreed with the LSCB")?,
        )
        .await?;

    // ------------------------------------------------ a recent review awaiting the executive
    let report = today - Duration::days(70);
    let recent = store
        .tracker().create_review(&officer, &ReviewInput {
            kind: Some(ReviewKind::WorkingGroup),
            title: "Safeguarding in home-to-school transport task and finish group".into(),
            terms_of_reference: "To review how the council assures itself that drivers and passenger assistants on contracted home-to-school transport are safely recruited, trained and monitored.".into(),
            lead_member: "Councillor Jane Hughes".into(),
            members: "Councillors Hughes, Lappin and Pugh".into(),
            origin_body_id: Some(childrens),
            start_date: Some(report - Duration::days(180)),
            end_date: Some(report),
            report_date: Some(report),
            final_report_ref: "Task and finish group final report".into(),
            referred_to_body_id: Some(cabinet),
            referral_date: Some(report + Duration::days(5)),
        })
        .await?;
    store
        .tracker()
        .add_endorsement(&officer, recent, &EndorsementInput { body_id: Some(childrens), endorsed_on: Some(report), minute_ref: "Minute 18".into() })
        .await?;
    let recent_recs = [
        "request that all drivers and passenger assistants complete CSE awareness training before their first journey",
        "request that the Head of Transport publish how concerns raised by drivers are passed to the MASH",
        "request that transport contracts require operators to share the results of their own safeguarding checks",
    ];
    let mut recent_ids = Vec::new();
    for (i, text) in recent_recs.iter().enumerate() {
        let id = store
            .tracker()
            .create_recommendation(
                &officer,
                recent,
                &RecommendationInput {
                    number: Some(i as i64 + 1),
                    committee_wording: (*text).into(),
                    who_must_act: "Head of Transport".into(),
                    area: "Transport".into(),
                    outcome: "Children travelling to school are with adults trained to spot and report exploitation.".into(),
                    monitoring_body_id: Some(childrens),
                    lead_ids: vec![regulation],
                    ..Default::default()
                },
            )
            .await?;
        recent_ids.push(id);
    }
    // Contracts are a regulatory matter: the committee handed that one on.
    let v = store.tracker().recommendation(recent_ids[2]).await?.version;
    store
        .tracker()
        .transfer(
            &officer,
            recent_ids[2],
            v,
            &TransferInput {
                body_id: Some(regulatory),
                meeting_date: Some(report + Duration::days(14)),
                minute_ref: "Minute 24".into(),
                reason: "Transport contracts are monitored by the Regulatory, Compliance and Corporate Services committee".into(),
            },
        )
        .await?;
    // A board with a 28-day response deadline, responses part-made.
    let partnership = store
        .tracker()
        .create_review(
            &officer,
            &ReviewInput {
                kind: Some(ReviewKind::SeriousCaseReview),
                title: "Serious case review: Child F".into(),
                terms_of_reference: "Learning for the partnership from the case of Child F.".into(),
                report_date: Some(today - Duration::days(20)),
                referred_to_body_id: Some(lscb),
                referral_date: Some(today - Duration::days(20)),
                ..Default::default()
            },
        )
        .await?;
    let scr = [
        (ExecutiveResponse::AcceptedInPrinciple, "The partnership should commission an independent audit of CSE referrals from schools.", ""),
        (
            ExecutiveResponse::PartiallyAccepted,
            "All agencies should record a CSE flag for every child discussed at MACSE and every child on a plan.",
            "",
        ),
        (
            ExecutiveResponse::Rejected,
            "The LSCB should appoint a dedicated CSE co-ordinator for each school.",
            "Not affordable; the SPOC in each school already carries this role, supported by the CSE analyst.",
        ),
        (ExecutiveResponse::Noted, "National guidance on return interviews should be reviewed by the Department for Education.", ""),
        (ExecutiveResponse::Awaiting, "The partnership should publish its quarterly CSE dataset to members with small numbers suppressed.", ""),
    ];
    for (i, (resp, text, reason)) in scr.iter().enumerate() {
        let id = store
            .tracker()
            .create_recommendation(
                &officer,
                partnership,
                &RecommendationInput {
                    number: Some(i as i64 + 1),
                    committee_wording: (*text).into(),
                    who_must_act: "Local Safeguarding Children Board".into(),
                    area: "Partnership".into(),
                    monitoring_body_id: Some(childrens),
                    lead_ids: vec![lead],
                    ..Default::default()
                },
            )
            .await?;
        if *resp != ExecutiveResponse::Awaiting {
            let v = store.tracker().recommendation(id).await?.version;
            store.tracker().record_response(&officer, id, v, &response(*resp, Some(today - Duration::days(5)), reason)?).await?;
        }
    }
    store.tracker().refresh_suggested_rags(today).await?;
    crate::demo_meetings::load(store).await?;
    crate::demo_forward_plan::load(store).await?;
    crate::demo_partnership::load(store, today, password_hash).await?;
    crate::demo_placements::load(store, today).await?;
    crate::demo_history::load(store, today).await?;
    crate::demo_quarterly::load(store, today).await?;
    crate::demo_history::after_close(store, today).await?;
    crate::demo_plans::load(store, today).await?;
    Ok(())
}
