//! Demo committee meetings: the 2017/18 municipal year of the Overview and Scrutiny
//! Committee (Children's Services and Safeguarding) (seeds 002 and 004), with its
//! members and substitutes, five meetings, agendas carrying the Licensing/CSE working
//! group's final report and its monitoring reports, minutes numbered through the year,
//! a resolution that requested a report (overdue at its meeting, deferred, then
//! answered), one that deferred an item, and the work programme.
//!
//! The year is replayed through the same store API as any clerk's, on a clock that
//! walks through 2017/18, so each meeting is arranged before it happens and each
//! agenda published before its meeting.

use assure_domain::clock::from_london;
use assure_domain::meetings::{
    AgendaItemInput, AgendaKind, Attendance, DeclarationInput, MeetingInput, MeetingStatus, MeetingType, MemberRole, MembershipInput, MinuteRef,
    MunicipalYear, ResolutionKind, ResolutionPartInput,
};
use assure_domain::Clock;
use chrono::NaiveDate;

use crate::meetings::{AttendanceInput, WorkItemInput};
use crate::{Actor, Result, Store, StoreError};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid demo date")
}

fn at(date: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    from_london(date.and_hms_opt(9, 0, 0).expect("9am"))
}

const BODY: &str = "Overview and Scrutiny Committee (Children's Services and Safeguarding)";

fn item(kind: AgendaKind, title: &str) -> AgendaItemInput {
    AgendaItemInput { kind: Some(kind), title: title.into(), exempt_paragraph: None }
}

fn part(kind: ResolutionKind, text: &str) -> ResolutionPartInput {
    ResolutionPartInput { kind: Some(kind), text: text.into(), ..Default::default() }
}

pub async fn load(store: &Store) -> Result<()> {
    let Some(body) = store.tracker().bodies().await?.into_iter().find(|b| b.name == BODY) else { return Ok(()) };
    let b = body.id;
    let clock = Clock::fixed(at(d(2017, 5, 22)));
    let s = store.clone().with_clock(clock.clone());
    let m = s.meetings();
    let clerk = match store.users().by_email("clerk@example.org").await? {
        Some((u, _)) => Actor { user_id: Some(u.id), label: "clerk@example.org".into(), ip: String::new() },
        None => Actor::system(),
    };
    let officer = match store.users().by_email("scrutiny-officer@example.org").await? {
        Some((u, _)) => Actor { user_id: Some(u.id), label: "scrutiny-officer@example.org".into(), ip: String::new() },
        None => Actor::system(),
    };

    // The officers the year's requested reports are asked of (their own lists).
    let account = |email: &'static str| async move { Ok::<_, StoreError>(store.users().by_email(email).await?.map(|(u, _)| u.id)) };
    let schools_lead = account("schools-lead@example.org").await?;
    let regulation_lead = account("regulation-lead@example.org").await?;

    // Members and their substitutes, appointed at the annual meeting in May 2017.
    let members = [
        ("Councillor Helen Brannigan", "Labour", MemberRole::Chair, "Councillor Paul Hendry"),
        ("Councillor Ray Bradley", "Labour", MemberRole::ViceChair, "Councillor Tina Doyle"),
        ("Councillor Anne Ballard", "Labour", MemberRole::Councillor, "Councillor Mike Kerr"),
        ("Councillor Sam Okafor", "Liberal Democrat", MemberRole::Councillor, "Councillor Jo Prentice"),
        ("Councillor Dave Murray", "Labour", MemberRole::Councillor, "Councillor Ian Webb"),
        ("Councillor Linda McKenna", "Conservative", MemberRole::Councillor, "Councillor Peter Thornton"),
        ("Canon Robert Drinkwater", "", MemberRole::CoOpted, ""),
        ("Mrs Carol Ryan", "", MemberRole::ParentGovernor, ""),
        ("Mrs Sue Cairns", "", MemberRole::Advisory, ""),
        ("Ms Libby Kerr", "", MemberRole::Healthwatch, ""),
    ];
    let mut people = Vec::new();
    for (name, party, role, sub) in members {
        let p = m.add_person(&clerk, name, party).await?;
        let sid = if sub.is_empty() { None } else { Some(m.add_person(&clerk, sub, party).await?) };
        let input = MembershipInput {
            person: Some(p),
            role: Some(role),
            party: party.into(),
            substitute: sid,
            term_start: Some(d(2017, 5, 18)),
            term_end: Some(d(2018, 5, 17)),
        };
        m.add_member(&clerk, b, &input).await?;
        people.push((p, sid, name));
    }

    // The year's meetings.
    let dates = [d(2017, 6, 21), d(2017, 9, 12), d(2017, 11, 14), d(2018, 1, 16), d(2018, 3, 13)];
    let mut ids = Vec::new();
    for date in dates {
        let input = MeetingInput {
            date: Some(date),
            time: "18:30".into(),
            venue: "Town Hall, Bootle".into(),
            kind: Some(MeetingType::Ordinary),
            joint_with: String::new(),
        };
        ids.push(m.create_meeting(&clerk, b, &input).await?);
    }
    let year = MunicipalYear(2017);
    for (i, (title, officer_name)) in [
        ("Cabinet Member Report – Children, Schools and Safeguarding", "Cabinet Member"),
        ("Work Programme 2017/18 and Key Decision Forward Plan", "Senior Democratic Services Officer"),
    ]
    .iter()
    .enumerate()
    {
        for (k, mid) in ids.iter().enumerate() {
            if i == 1 || k % 2 == 0 {
                m.add_work_item(
                    &officer,
                    b,
                    year,
                    &WorkItemInput { meeting: Some(*mid), kind: "standing".into(), title: (*title).into(), officer: (*officer_name).into() },
                )
                .await?;
            }
        }
    }
    m.add_work_item(
        &officer,
        b,
        year,
        &WorkItemInput {
            meeting: Some(ids[3]),
            kind: "other".into(),
            title: "Corporate Parenting Board Annual Report".into(),
            officer: "Head of Children's Social Care".into(),
        },
    )
    .await?;

    let mut last_minutes: Option<(usize, i64)> = None;
    let mut neet_request = None;
    for (k, (&mid, &date)) in ids.iter().zip(dates.iter()).enumerate() {
        // The agenda, published a week before.
        clock.set(at(date - chrono::Duration::days(9)));
        m.add_agenda_item(&clerk, mid, &item(AgendaKind::Apologies, "Apologies for absence"), None, None, None).await?;
        m.add_agenda_item(&clerk, mid, &item(AgendaKind::Declarations, "Declarations of interest"), None, None, None).await?;
        if k > 0 {
            m.add_agenda_item(
                &clerk,
                mid,
                &item(AgendaKind::PreviousMinutes, &format!("Minutes of the meeting held on {}", assure_domain::dates::long(dates[k - 1]))),
                None,
                None,
                None,
            )
            .await?;
        }
        match k {
            1 => {
                m.add_agenda_item(
                    &clerk,
                    mid,
                    &item(AgendaKind::Report, "Licensing/Child Sexual Exploitation Working Group – final report"),
                    None,
                    Some("Licensing/Child Sexual Exploitation Working Group Final Report, September 2017"),
                    None,
                )
                .await?;
            }
            2 => {
                m.add_agenda_item(
                    &clerk,
                    mid,
                    &item(AgendaKind::Report, "Not in Education, Employment or Training Working Group – progress on the recommendations"),
                    None,
                    Some("Progress report of the Head of Schools and Families"),
                    neet_request,
                )
                .await?;
            }
            3 | 4 => {
                m.add_agenda_item(
                    &clerk,
                    mid,
                    &item(AgendaKind::Report, "Licensing/CSE Working Group – monitoring report on the recommendations"),
                    None,
                    Some("Monitoring report (recommendation tracker)"),
                    None,
                )
                .await?;
            }
            _ => {}
        }
        m.add_agenda_item(&clerk, mid, &item(AgendaKind::Standing, "Work Programme 2017/18 and Key Decision Forward Plan"), None, None, None).await?;
        if k == 3 {
            let exempt = AgendaItemInput {
                kind: Some(AgendaKind::Exempt),
                title: "Placement of a looked-after child out of area: costs".into(),
                exempt_paragraph: Some(3),
            };
            m.add_agenda_item(&clerk, mid, &exempt, None, None, None).await?;
        }
        if k == 4 {
            // The year's last meeting is still to be held in the demo's story: its
            // agenda closed with a requested report missing.
            break;
        }
        let v = m.meeting(mid).await?.version;
        m.set_status(&clerk, mid, v, MeetingStatus::AgendaPublished).await?;

        // The meeting.
        clock.set(at(date));
        let v = m.meeting(mid).await?.version;
        m.set_status(&clerk, mid, v, MeetingStatus::Held).await?;
        for (n, (p, sub, _)) in people.iter().enumerate() {
            let (attendance, substitute) = match (k + n) % 7 {
                3 if sub.is_some() => (Attendance::SubstituteAttended, *sub),
                5 => (Attendance::Apologies, None),
                _ => (Attendance::Present, None),
            };
            m.record_attendance(
                &clerk,
                mid,
                &AttendanceInput { person: Some(*p), name: String::new(), attendance, substitute, capacity: String::new() },
            )
            .await?;
        }
        m.record_attendance(
            &clerk,
            mid,
            &AttendanceInput {
                person: None,
                name: "Jordan Ellis".into(),
                attendance: Attendance::AlsoPresent,
                substitute: None,
                capacity: "Head of Children's Social Care".into(),
            },
        )
        .await?;

        m.add_minute(&clerk, mid, "Apologies for absence", "Apologies for absence were received as recorded above.", None, None).await?;
        m.add_minute(&clerk, mid, "Declarations of interest", "", None, None).await?;
        if let Some((pk, _)) = last_minutes {
            let (pm, _) = m.add_minute(&clerk, mid, "Minutes of the previous meeting", "", None, None).await?;
            m.add_resolution_part(
                &clerk,
                pm,
                &part(
                    ResolutionKind::Approved,
                    &format!("the Minutes of the meeting held on {} be confirmed as a correct record", assure_domain::dates::long(dates[pk])),
                ),
            )
            .await?;
        }
        match k {
            0 => {
                let (wm, _) = m
                    .add_minute(
                        &clerk,
                        mid,
                        "Work Programme 2017/18",
                        "The Committee considered the report of the Head of Regulation and Compliance on its Work Programme for 2017/18.",
                        None,
                        None,
                    )
                    .await?;
                m.add_resolution_part(&clerk, wm, &part(ResolutionKind::Noted, "the Work Programme for 2017/18 be noted")).await?;
                let ask = ResolutionPartInput {
                    report_from: "Head of Schools and Families".into(),
                    owner: schools_lead,
                    due_meeting: Some(ids[1]),
                    ..part(ResolutionKind::RequestedReport, "a progress report on the implementation of the recommendations of the Not in Education, Employment or Training Working Group be submitted to the next meeting")
                };
                m.add_resolution_part(&clerk, wm, &ask).await?;
                neet_request = m.requests(Some(b)).await?.last().map(|q| q.id);
            }
            1 => {
                let (rm, rn) = m
                    .add_minute(
                        &clerk,
                        mid,
                        "Licensing/Child Sexual Exploitation Working Group – final report",
                        "The Committee considered the final report of the Licensing/Child Sexual Exploitation Working Group.",
                        None,
                        None,
                    )
                    .await?;
                m.add_resolution_part(
                    &clerk,
                    rm,
                    &ResolutionPartInput {
                        to_body: "Cabinet".into(),
                        ..part(ResolutionKind::Recommended, "the recommendations of the Working Group be commended to the Cabinet for approval")
                    },
                )
                .await?;
                m.add_declaration(
                    &clerk,
                    mid,
                    &DeclarationInput {
                        member: "Councillor Dave Murray".into(),
                        minute: Some(rn),
                        reason: "Other interest – a licensed hackney carriage driver in the borough".into(),
                        action: "Left the room and took no part in the consideration of the item".into(),
                    },
                )
                .await?;
                let (wm, _) =
                    m.add_minute(&clerk, mid, "Work Programme 2017/18", "", None, Some(MinuteRef { number: 3, meeting_date: dates[0] })).await?;
                m.add_resolution_part(&clerk, wm, &ResolutionPartInput { reason: "It has not been possible to obtain a report for this meeting".into(), ..part(ResolutionKind::Deferred, "consideration of the progress report on the Not in Education, Employment or Training Working Group be deferred to the meeting on 14 November 2017") }).await?;
                if let Some(q) = neet_request {
                    let v = m.request(q).await?.version;
                    m.defer_request(
                        &clerk,
                        q,
                        v,
                        Some(ids[2]),
                        "It has not been possible to obtain a report for this meeting; every effort will be made to obtain one for 14 November 2017",
                    )
                    .await?;
                }
                // A monitoring report asked for the year's last meeting.
                let ask = ResolutionPartInput {
                    report_from: "Head of Regulation and Compliance".into(),
                    owner: regulation_lead,
                    due_meeting: Some(ids[4]),
                    ..part(
                        ResolutionKind::RequestedReport,
                        "a report on taxi driver safeguarding training be submitted to the meeting on 13 March 2018",
                    )
                };
                m.add_resolution_part(&clerk, rm, &ask).await?;
            }
            _ => {
                let (wm, _) = m.add_minute(&clerk, mid, "Work Programme 2017/18 and Key Decision Forward Plan", "", None, None).await?;
                m.add_resolution_part(&clerk, wm, &part(ResolutionKind::Noted, "the Work Programme and the Key Decision Forward Plan be noted"))
                    .await?;
            }
        }
        // The previous meeting's minutes approved at this one.
        if let Some((pk, _)) = last_minutes {
            let pid = ids[pk];
            let v = m.meeting(pid).await?.version;
            match m.approve_minutes(&clerk, pid, v).await {
                Ok(_) | Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        last_minutes = Some((k, mid));
    }
    Ok(())
}
