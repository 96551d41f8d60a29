//! Committee meetings on SQLite and PostgreSQL: minutes numbered through a body's
//! municipal year and restarting in May; a requested report that becomes overdue when
//! its meeting's agenda closes without it, is deferred with a reason, then closed by a
//! paper on an agenda; a stale edit refused; bad input refused with nothing saved.

use assure_domain::meetings::{
    AgendaItemInput, AgendaKind, Attendance, DeclarationInput, MeetingInput, MeetingStatus, MeetingType, MemberChangeInput, MemberRole,
    MembershipInput, MinuteRef, MunicipalYear, RequestState, ResolutionKind, ResolutionPartInput,
};
use assure_domain::tracker::BodyKind;
use assure_domain::Clock;
use assure_storage::meetings::AttendanceInput;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::tracker::BodyInput;
use assure_storage::{Actor, Store, StoreError};
use chrono::{NaiveDate, TimeZone, Utc};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn on(y: i32, m: u32, day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, 9, 0, 0).unwrap()
}

async fn body(s: &Store) -> i64 {
    let b = BodyInput {
        name: "Overview and Scrutiny Committee (Children's Services and Safeguarding)".into(),
        kind: Some(BodyKind::Committee),
        ..Default::default()
    };
    s.tracker().create_body(&Actor::system(), &b).await.unwrap()
}

async fn meeting(s: &Store, body: i64, date: NaiveDate) -> i64 {
    let m = MeetingInput {
        date: Some(date),
        time: "18:30".into(),
        venue: "Town Hall, Bootle".into(),
        kind: Some(MeetingType::Ordinary),
        joint_with: String::new(),
    };
    s.meetings().create_meeting(&Actor::system(), body, &m).await.unwrap()
}

async fn count(s: &Store, table: &str) -> i64 {
    assure_storage::testing::count_rows(s, table).await
}

async fn minutes_run_through_the_year_and_restart_in_may(db: &TestDb) {
    let clock = Clock::fixed(on(2017, 5, 20));
    let db = db.with_clock(clock.clone());
    let s = &db.store;
    let a = Actor::system();
    let b = body(s).await;
    let june = meeting(s, b, d(2017, 6, 21)).await;
    let sept = meeting(s, b, d(2017, 9, 12)).await;
    let april = meeting(s, b, d(2018, 4, 10)).await;
    let next_june = meeting(s, b, d(2018, 6, 19)).await;
    let m = s.meetings();
    let mut numbers = Vec::new();
    for (mid, title) in
        [(june, "Apologies for absence"), (june, "Declarations of interest"), (june, "Work programme"), (sept, "Minutes"), (sept, "CSE")]
    {
        numbers.push(m.add_minute(&a, mid, title, "", None, None).await.unwrap().1);
    }
    // The year's last meeting, then the first of the next year, then one more in April.
    numbers.push(m.add_minute(&a, april, "Minutes", "", None, None).await.unwrap().1);
    numbers.push(m.add_minute(&a, next_june, "Apologies for absence", "", None, None).await.unwrap().1);
    numbers.push(m.add_minute(&a, april, "Work programme", "", None, None).await.unwrap().1);
    numbers.push(m.add_minute(&a, next_june, "Minutes", "", None, None).await.unwrap().1);
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 1, 7, 2], "{:?}", db.engine);

    // "Further to Minute No. 5 of 12 September 2017".
    let r = MinuteRef { number: 5, meeting_date: d(2017, 9, 12) };
    let (id, _) = m.add_minute(&a, next_june, "CSE progress", "Further to ...", None, Some(r)).await.unwrap();
    let minutes = m.minutes(next_june).await.unwrap();
    let got = minutes.iter().find(|x| x.id == id).unwrap();
    assert_eq!(got.refers_to.map(|x| x.1), Some(r));
    // A cross-reference to a minute that does not exist: refused, nothing saved.
    let before = count(s, "minutes").await;
    let e = m.add_minute(&a, next_june, "CSE", "", None, Some(MinuteRef { number: 9, meeting_date: d(2017, 9, 12) })).await.unwrap_err();
    let StoreError::Invalid(e) = e else { panic!("{e:?}") };
    assert!(e.for_field("refers_to").unwrap().contains("There is no Minute No. 9 of 12 September 2017"), "{e}");
    assert_eq!(count(s, "minutes").await, before);

    // A declaration names one of the meeting's minutes.
    let dec = DeclarationInput {
        member: "Councillor Preece".into(),
        minute: Some(3),
        reason: "Other interest".into(),
        action: "Stayed in the room".into(),
    };
    m.add_declaration(&a, june, &dec).await.unwrap();
    assert!(m.add_declaration(&a, june, &DeclarationInput { minute: Some(4), ..dec.clone() }).await.is_err());
    assert_eq!(m.declarations(june).await.unwrap()[0].minute_number, 3);

    // Held, then approved: frozen and fingerprinted.
    clock.set(on(2017, 6, 22));
    let v = m.meeting(june).await.unwrap().version;
    m.set_status(&a, june, v, MeetingStatus::AgendaPublished).await.unwrap();
    let v = m.meeting(june).await.unwrap().version;
    m.set_status(&a, june, v, MeetingStatus::Held).await.unwrap();
    let v = m.meeting(june).await.unwrap().version;
    let fp = m.approve_minutes(&a, june, v).await.unwrap();
    assert_eq!(fp.len(), 64);
    assert!(m.minutes_intact(june).await.unwrap());
    let e = m.add_minute(&a, june, "Late", "", None, None).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let first = &m.minutes(june).await.unwrap()[0];
    assert!(m.update_minute(&a, first.id, first.version, "changed").await.is_err());
}
on_both_engines!(minutes_run_through_the_year, minutes_run_through_the_year_and_restart_in_may);

async fn a_request_becomes_overdue_is_deferred_then_closed(db: &TestDb) {
    let clock = Clock::fixed(on(2017, 5, 20));
    let db = db.with_clock(clock.clone());
    let s = &db.store;
    let a = Actor::system();
    let b = body(s).await;
    let june = meeting(s, b, d(2017, 6, 21)).await;
    let sept = meeting(s, b, d(2017, 9, 12)).await;
    let nov = meeting(s, b, d(2017, 11, 14)).await;
    let jan = meeting(s, b, d(2018, 1, 16)).await;
    let m = s.meetings();
    let (minute, _) = m.add_minute(&a, june, "Not in Education, Employment or Training working group", "", None, None).await.unwrap();
    let part = ResolutionPartInput {
        kind: Some(ResolutionKind::RequestedReport),
        text: "a progress report on the implementation of the recommendations be submitted to the next meeting".into(),
        report_from: "Head of Schools and Families".into(),
        due_meeting: Some(sept),
        ..Default::default()
    };
    // Due at a meeting that is not a later one of the body: refused.
    assert!(m.add_resolution_part(&a, minute, &ResolutionPartInput { due_meeting: Some(june), ..part.clone() }).await.is_err());
    assert_eq!(count(s, "report_requests").await, 0);
    m.add_resolution_part(&a, minute, &part).await.unwrap();
    let req = m.requests(Some(b)).await.unwrap().remove(0);
    assert_eq!(req.state, RequestState::Due { meeting: sept });
    assert_eq!(req.minute, MinuteRef { number: 1, meeting_date: d(2017, 6, 21) });
    let wp = m.work_programme(b, MunicipalYear(2017)).await.unwrap();
    let at = |wp: &assure_storage::meetings::WorkProgramme, id: i64| {
        wp.meetings.iter().find(|(x, _)| x.id == id).unwrap().1.iter().filter(|i| i.kind == "requested").count()
    };
    assert_eq!((at(&wp, sept), at(&wp, nov)), (1, 0));

    // September's agenda closes without it (a week before): overdue.
    clock.set(on(2017, 9, 5));
    let req = m.request(req.id).await.unwrap();
    assert_eq!(req.state, RequestState::Overdue { meeting: sept });

    // Deferred to November with the reason (not to a meeting before September).
    assert!(m.defer_request(&a, req.id, req.version, Some(june), "Report not ready").await.is_err());
    m.defer_request(&a, req.id, req.version, Some(nov), "It has not been possible to obtain a report for this meeting").await.unwrap();
    // The same, on the version read before: refused.
    let e = m.defer_request(&a, req.id, req.version, Some(jan), "again").await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict), "{e:?}");
    let req = m.request(req.id).await.unwrap();
    assert!(matches!(&req.state, RequestState::Deferred { meeting, .. } if *meeting == nov), "{:?}", req.state);
    assert_eq!(req.deferrals.len(), 1);
    assert_eq!((req.deferrals[0].from, req.deferrals[0].to), (d(2017, 9, 12), d(2017, 11, 14)));
    let wp = m.work_programme(b, MunicipalYear(2017)).await.unwrap();
    assert_eq!((at(&wp, sept), at(&wp, nov)), (0, 1));

    // A paper answering it on November's agenda closes it.
    let item = AgendaItemInput { kind: Some(AgendaKind::Report), title: "NEET working group: progress report".into(), exempt_paragraph: None };
    let iid = m.add_agenda_item(&a, nov, &item, None, Some("Progress report"), Some(req.id)).await.unwrap();
    let req = m.request(req.id).await.unwrap();
    assert_eq!(req.state, RequestState::Closed { agenda_item: iid });
    let wp = m.work_programme(b, MunicipalYear(2017)).await.unwrap();
    assert_eq!(at(&wp, nov), 0);
    // A closed request is not answered twice.
    assert!(m.add_agenda_item(&a, nov, &item, None, None, Some(req.id)).await.is_err());

    // Exempt items go last on the agenda.
    let exempt =
        AgendaItemInput { kind: Some(AgendaKind::Exempt), title: "Child sexual exploitation: case review".into(), exempt_paragraph: Some(2) };
    m.add_agenda_item(&a, nov, &exempt, None, None, None).await.unwrap();
    let apologies = AgendaItemInput { kind: Some(AgendaKind::Apologies), title: "Apologies for absence".into(), exempt_paragraph: None };
    m.add_agenda_item(&a, nov, &apologies, None, None, None).await.unwrap();
    let agenda = m.agenda(nov).await.unwrap();
    let order: Vec<(usize, AgendaKind)> = agenda.iter().map(|i| (i.number, i.kind)).collect();
    assert_eq!(order, [(1, AgendaKind::Report), (2, AgendaKind::Apologies), (3, AgendaKind::Exempt)]);
}
on_both_engines!(a_request_is_tracked, a_request_becomes_overdue_is_deferred_then_closed);

async fn bad_input_and_stale_edits_are_refused(db: &TestDb) {
    let clock = Clock::fixed(on(2017, 5, 20));
    let db = db.with_clock(clock.clone());
    let s = &db.store;
    let a = Actor::system();
    let b = body(s).await;
    let m = s.meetings();

    // A meeting in the past: refused, nothing saved.
    let past = MeetingInput {
        date: Some(d(2017, 5, 1)),
        time: "18:30".into(),
        venue: "Town Hall".into(),
        kind: Some(MeetingType::Ordinary),
        joint_with: String::new(),
    };
    let e = m.create_meeting(&a, b, &past).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("date").is_some()), "{e:?}");
    assert_eq!(count(s, "meetings").await, 0);

    // A stale edit: refused.
    let id = meeting(s, b, d(2017, 6, 21)).await;
    let v = m.meeting(id).await.unwrap().version;
    let change = MeetingInput { venue: "Southport Town Hall".into(), ..past.clone() };
    m.update_meeting(&a, id, v, &change).await.unwrap();
    let e = m.update_meeting(&a, id, v, &MeetingInput { venue: "Bootle".into(), ..past.clone() }).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict), "{e:?}");
    assert_eq!(m.meeting(id).await.unwrap().venue, "Southport Town Hall");

    // A move keeps the old date and the reason.
    let v = m.meeting(id).await.unwrap().version;
    m.move_meeting(&a, id, v, Some(d(2017, 6, 28)), "Clash with full Council").await.unwrap();
    let got = m.meeting(id).await.unwrap();
    assert_eq!((got.date, got.status), (d(2017, 6, 28), MeetingStatus::Moved));
    let moves = m.moves(id).await.unwrap();
    assert_eq!((moves[0].from, moves[0].reason.as_str()), (d(2017, 6, 21), "Clash with full Council"));

    // The body meets once a day: a second meeting on 28 June, or a move onto it, is
    // refused and saves nothing; a cancelled meeting's day is free again.
    let e = m.create_meeting(&a, b, &MeetingInput { date: Some(d(2017, 6, 28)), ..past.clone() }).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("date").is_some_and(|t| t.contains("already meets on 28 June 2017"))), "{e:?}");
    let other = meeting(s, b, d(2017, 7, 12)).await;
    let ov = m.meeting(other).await.unwrap().version;
    let e = m.move_meeting(&a, other, ov, Some(d(2017, 6, 28)), "Room booked").await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("date").is_some_and(|t| t.contains("already meets on 28 June 2017"))), "{e:?}");
    assert_eq!((m.meeting(other).await.unwrap().date, count(s, "meeting_moves").await), (d(2017, 7, 12), 1), "nothing moved");
    m.set_status(&a, other, ov, MeetingStatus::Cancelled).await.unwrap();
    meeting(s, b, d(2017, 7, 12)).await;

    // A member as their own substitute: refused, nothing saved.
    let brennan = m.add_person(&a, "Councillor Brennan", "Labour").await.unwrap();
    let hands = m.add_person(&a, "Councillor Hands", "Labour").await.unwrap();
    let own = MembershipInput {
        person: Some(brennan),
        role: Some(MemberRole::Chair),
        party: "Labour".into(),
        substitute: Some(brennan),
        term_start: Some(d(2017, 5, 18)),
        term_end: None,
    };
    let e = m.add_member(&a, b, &own).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("substitute").is_some()), "{e:?}");
    assert_eq!(count(s, "body_members").await, 0);
    m.add_member(&a, b, &MembershipInput { substitute: Some(hands), ..own.clone() }).await.unwrap();
    // Sitting twice over the same term: refused.
    assert!(m.add_member(&a, b, &MembershipInput { substitute: Some(hands), ..own.clone() }).await.is_err());
    let members = m.members(b, d(2017, 6, 28)).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].substitute.as_ref().map(|p| p.name.as_str()), Some("Councillor Hands"));

    // A change of role, party or substitute: never to themselves, never stale.
    let seat = &members[0];
    let change = MemberChangeInput { role: Some(MemberRole::ViceChair), party: "Independent".into(), substitute: None };
    let e = m.change_member(&a, seat.id, seat.version, &MemberChangeInput { substitute: Some(brennan), ..change.clone() }).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("substitute").is_some()), "{e:?}");
    m.change_member(&a, seat.id, seat.version, &change).await.unwrap();
    let e = m.change_member(&a, seat.id, seat.version, &MemberChangeInput { role: Some(MemberRole::Chair), ..change.clone() }).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict), "{e:?}");
    let got = m.member(seat.id).await.unwrap();
    assert_eq!((got.role, got.party.as_str(), got.substitute.is_none()), (MemberRole::ViceChair, "Independent", true));

    // Attendance: the substitute attended; the meeting's quorum from the body's rule.
    let sub = AttendanceInput {
        person: Some(brennan),
        name: String::new(),
        attendance: Attendance::SubstituteAttended,
        substitute: Some(hands),
        capacity: String::new(),
    };
    m.record_attendance(&a, id, &sub).await.unwrap();
    assert!(m.record_attendance(&a, id, &AttendanceInput { substitute: Some(brennan), ..sub.clone() }).await.is_err());
    let (rule, voting, present) = m.quorum_of(id).await.unwrap();
    assert_eq!((rule.required(voting), voting, present), (3, 1, 1));

    // Every write was audited.
    let n = assure_storage::testing::count_rows(s, "audit_log").await;
    assert!(n >= 8, "{n}");
}
on_both_engines!(bad_input_and_stale_edits, bad_input_and_stale_edits_are_refused);

/// The demo's 2017/18 year: minutes numbered through it, the NEET report requested,
/// overdue, deferred and answered; the report asked for March 2018 overdue; approved
/// minutes intact.
async fn the_demo_year(db: &TestDb) {
    let today = db.store.today();
    assure_storage::demo::load(&db.store, today, "not-a-real-hash").await.unwrap();
    let s = &db.store;
    let m = s.meetings();
    let body = s.tracker().bodies().await.unwrap().into_iter().find(|b| b.name.starts_with("Overview and Scrutiny Committee (Children")).unwrap();
    let meetings = m.list(Some(body.id)).await.unwrap();
    assert_eq!(meetings.len(), 5);
    let mut numbers = Vec::new();
    for x in &meetings {
        numbers.extend(m.minutes(x.id).await.unwrap().iter().map(|mi| mi.number));
    }
    assert_eq!(numbers, (1..=numbers.len() as i64).collect::<Vec<_>>(), "numbered through the year");
    assert_eq!(meetings[0].status, MeetingStatus::MinutesApproved);
    assert!(m.minutes_intact(meetings[0].id).await.unwrap());
    let requests = m.requests(Some(body.id)).await.unwrap();
    let neet = requests.iter().find(|q| q.subject == "Work Programme 2017/18").unwrap();
    assert!(matches!(neet.state, RequestState::Closed { .. }), "{:?}", neet.state);
    assert_eq!(m.request(neet.id).await.unwrap().deferrals.len(), 1);
    let taxi = requests.iter().find(|q| q.report_from == "Head of Regulation and Compliance").unwrap();
    assert_eq!(taxi.state, RequestState::Overdue { meeting: meetings[4].id });
    let wp = m.work_programme(body.id, MunicipalYear(2017)).await.unwrap();
    assert_eq!(wp.meetings.len(), 5);
    assert!(wp.meetings[4].1.iter().any(|i| i.kind == "requested"));
    assert_eq!(m.members(body.id, meetings[0].date).await.unwrap().len(), 10);
}
on_both_engines!(the_demo_year_on, the_demo_year);

/// A year's meetings from a pattern: all arranged in one go, or none (a first meeting in
/// the past, a date the body already meets on); a term ended after it starts, a stale
/// end refused; the year's membership keeps the ended term; a request asked of an
/// officer's account is on their own list, one asked of someone without an account is
/// refused.
async fn a_year_from_a_pattern_terms_and_owned_requests(db: &TestDb) {
    use assure_domain::meetings::PatternInput;
    let clock = Clock::fixed(on(2017, 5, 20));
    let db = db.with_clock(clock.clone());
    let s = &db.store;
    let a = Actor::system();
    let b = body(s).await;
    let m = s.meetings();
    let first = MeetingInput {
        date: Some(d(2017, 6, 13)),
        time: "18:30".into(),
        venue: "Town Hall, Bootle".into(),
        kind: Some(MeetingType::Ordinary),
        joint_with: String::new(),
    };
    let pattern = PatternInput { meeting: first.clone(), every: Some(2), unit: "months-weekday".into(), skip_months: vec![8] };
    let past = PatternInput { meeting: MeetingInput { date: Some(d(2017, 5, 9)), ..first.clone() }, ..pattern.clone() };
    let e = m.generate_meetings(&a, b, &past).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("date").is_some_and(|m| m.contains("today or later"))), "{e:?}");
    assert_eq!(count(s, "meetings").await, 0);
    let ids = m.generate_meetings(&a, b, &pattern).await.unwrap();
    let dates: Vec<NaiveDate> = m.list(Some(b)).await.unwrap().iter().map(|x| x.date).collect();
    assert_eq!(dates, vec![d(2017, 6, 13), d(2017, 10, 10), d(2017, 12, 12), d(2018, 2, 13), d(2018, 4, 10)]);
    assert_eq!(ids.len(), 5);
    // Again: every date clashes; nothing more saved.
    let e = m.generate_meetings(&a, b, &pattern).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("date").is_some_and(|m| m.contains("already meets on 13 June 2017"))), "{e:?}");
    assert_eq!(count(s, "meetings").await, 5);

    // A cancelled meeting is not changed.
    let v = m.meeting(ids[0]).await.unwrap().version;
    m.set_status(&a, ids[0], v, MeetingStatus::Cancelled).await.unwrap();
    let v = m.meeting(ids[0]).await.unwrap().version;
    assert!(matches!(m.update_meeting(&a, ids[0], v, &first).await.unwrap_err(), StoreError::Invalid(_)));

    // A term ended after it starts; a stale end refused.
    let p = m.add_person(&a, "Councillor Brennan", "Labour").await.unwrap();
    let input = MembershipInput { person: Some(p), role: Some(MemberRole::Councillor), term_start: Some(d(2017, 5, 18)), ..Default::default() };
    let id = m.add_member(&a, b, &input).await.unwrap();
    let v = m.member(id).await.unwrap().version;
    let e = m.end_membership(&a, id, v, Some(d(2017, 5, 18))).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("term_end").is_some()), "{e:?}");
    m.end_membership(&a, id, v, Some(d(2017, 11, 1))).await.unwrap();
    assert!(matches!(m.end_membership(&a, id, v, Some(d(2017, 12, 1))).await.unwrap_err(), StoreError::Conflict));
    assert_eq!(m.member(id).await.unwrap().term_end, Some(d(2017, 11, 1)));
    assert!(m.members(b, d(2017, 12, 12)).await.unwrap().is_empty(), "no longer sits");
    assert_eq!(m.memberships(b, MunicipalYear(2017)).await.unwrap().len(), 1, "the year's membership keeps the ended term");
    assert!(m.memberships(b, MunicipalYear(2018)).await.unwrap().is_empty());
    // Sitting again after the term ended is a new term.
    m.add_member(&a, b, &MembershipInput { term_start: Some(d(2018, 1, 1)), ..input.clone() }).await.unwrap();

    // A report asked of an officer's account: on their own list.
    let hash = "not-a-real-hash";
    let lead = s
        .users()
        .create_account(
            &a,
            &assure_domain::accounts::AccountInput {
                name: "Priya Shah".into(),
                email: "priya@example.org".into(),
                job_title: "Head of Schools and Families".into(),
                role: Some(assure_domain::Role::LeadOfficer),
            },
            hash,
        )
        .await
        .unwrap();
    let (minute, _) = m.add_minute(&a, ids[1], "NEET", "", None, None).await.unwrap();
    let part = ResolutionPartInput {
        kind: Some(ResolutionKind::RequestedReport),
        text: "a report be submitted".into(),
        report_from: "Head of Schools and Families".into(),
        due_meeting: Some(ids[2]),
        owner: Some(lead),
        ..Default::default()
    };
    let parts = count(s, "resolution_parts").await;
    let e = m.add_resolution_part(&a, minute, &ResolutionPartInput { owner: Some(999_999), ..part.clone() }).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("owner").is_some()), "{e:?}");
    assert_eq!(count(s, "resolution_parts").await, parts, "nothing saved");
    m.add_resolution_part(&a, minute, &part).await.unwrap();
    let mine = m.requests_owned_by(lead).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].state.clone(), mine[0].owner.clone().map(|o| o.1)), (RequestState::Due { meeting: ids[2] }, Some("Priya Shah".to_string())));
    assert!(m.requests_owned_by(lead + 1).await.unwrap().is_empty());
}
on_both_engines!(a_year_terms_and_owned_requests, a_year_from_a_pattern_terms_and_owned_requests);

/// A resolution that endorses a working group's report records the tracker's
/// endorsement (the body, the meeting's date, the minute) in the same write; a report
/// that started after the meeting, or none, is refused with nothing saved.
async fn a_resolution_endorses_a_report(db: &TestDb) {
    let db = db.with_clock(Clock::fixed(on(2017, 5, 20)));
    let s = &db.store;
    let a = Actor::system();
    let b = body(s).await;
    let sept = meeting(s, b, d(2017, 9, 12)).await;
    let review = |title: &str, start: NaiveDate| assure_storage::tracker::ReviewInput {
        kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
        title: title.into(),
        start_date: Some(start),
        ..Default::default()
    };
    let wg = s.tracker().create_review(&a, &review("Licensing/Child Sexual Exploitation Working Group", d(2016, 11, 1))).await.unwrap();
    let later = s.tracker().create_review(&a, &review("A review that started later", d(2017, 10, 1))).await.unwrap();
    let (minute, _) = s.meetings().add_minute(&a, sept, "Licensing/CSE Working Group Final Report", "", None, None).await.unwrap();
    let part = |review: Option<i64>| ResolutionPartInput {
        kind: Some(ResolutionKind::Endorsed),
        text: "the recommendations of the Working Group be endorsed and referred to Cabinet".into(),
        review,
        ..Default::default()
    };
    let before = (count(s, "resolution_parts").await, count(s, "endorsements").await);
    for (bad, field) in [(None, "review"), (Some(later), "review"), (Some(999_999), "review")] {
        match s.meetings().add_resolution_part(&a, minute, &part(bad)).await {
            Err(StoreError::Invalid(e)) => assert!(e.for_field(field).is_some(), "{bad:?}: {e}"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    assert_eq!((count(s, "resolution_parts").await, count(s, "endorsements").await), before, "nothing saved");

    s.meetings().add_resolution_part(&a, minute, &part(Some(wg))).await.unwrap();
    let e = s.tracker().endorsements(wg).await.unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].body_id, e[0].endorsed_on, e[0].minute_ref.as_str()), (b, d(2017, 9, 12), "Minute No. 1 of 12 September 2017"));
    assert_eq!(e[0].minute, Some((sept, 1)), "the endorsement links to its minute");
    let minutes = s.meetings().minutes(sept).await.unwrap();
    assert_eq!(minutes[0].parts[0].review.as_ref().map(|(id, _)| *id), Some(wg), "the minute links to the review");
}
on_both_engines!(a_resolution_endorses, a_resolution_endorses_a_report);

/// An agenda item's own paper: written on the council's cover or uploaded (a Word
/// paper's text kept for the pack, a PDF named beside it); only items that carry a
/// paper, never over a monitoring report, never once the meeting is held; a stale write
/// refused; the public pack withholds an exempt item's paper and the members' pack has it.
async fn an_item_carries_its_own_paper(db: &TestDb) {
    use assure_domain::meetings::{PackPaper, PaperBlock};
    use assure_storage::meetings::{PaperContent, PaperUpload};
    let db = db.with_clock(Clock::fixed(on(2017, 5, 20)));
    let s = &db.store;
    let a = Actor::system();
    let b = body(s).await;
    let june = meeting(s, b, d(2017, 6, 21)).await;
    let m = s.meetings();
    let item = |kind, title: &str, exempt| AgendaItemInput { kind: Some(kind), title: title.into(), exempt_paragraph: exempt };
    let apologies = m.add_agenda_item(&a, june, &item(AgendaKind::Apologies, "Apologies", None), None, None, None).await.unwrap();
    let written = m.add_agenda_item(&a, june, &item(AgendaKind::Report, "Return interviews", None), None, None, None).await.unwrap();
    let word = m.add_agenda_item(&a, june, &item(AgendaKind::Report, "Licensing enforcement", None), None, None, None).await.unwrap();
    let pdf = m.add_agenda_item(&a, june, &item(AgendaKind::Standing, "Police figures", None), None, None, None).await.unwrap();
    let exempt = m.add_agenda_item(&a, june, &item(AgendaKind::Exempt, "Provider contract", Some(3)), None, None, None).await.unwrap();

    let cover = assure_domain::report::Cover {
        report_to: "Overview and Scrutiny Committee – 21 June 2017".into(),
        meeting_date: Some(d(2017, 6, 21)),
        subject: "Return interviews after missing episodes".into(),
        report_of: "Head of Children's Social Care".into(),
        recommendation: "That the report be noted.".into(),
        ..Default::default()
    };
    let e = m.write_paper(&a, written, 0, &assure_domain::report::Cover { recommendation: String::new(), ..cover.clone() }).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("recommendation").is_some()), "{e:?}");
    let e = m.write_paper(&a, apologies, 0, &cover).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("paper").is_some()), "{e:?}");
    assert_eq!(count(s, "agenda_papers").await, 0, "nothing saved");
    m.write_paper(&a, written, 0, &cover).await.unwrap();
    assert!(matches!(m.write_paper(&a, written, 0, &cover).await.unwrap_err(), StoreError::Conflict), "a second first write is stale");
    m.write_paper(&a, written, 1, &assure_domain::report::Cover { purpose: "To report on return interviews.".into(), ..cover.clone() })
        .await
        .unwrap();
    assert!(matches!(m.write_paper(&a, written, 1, &cover).await.unwrap_err(), StoreError::Conflict));

    let blocks = vec![PaperBlock::Heading { level: 1, text: "Enforcement".into() }, PaperBlock::Paragraph("412 of 430 drivers trained.".into())];
    let docx = |name: &str, text: &str| PaperUpload {
        name: name.into(),
        content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        bytes: vec![0x50, 0x4b, 3, 4, 1, 2, 3],
        blocks: Some(vec![PaperBlock::Paragraph(text.into())]),
    };
    m.upload_paper(&a, word, 0, &PaperUpload { blocks: Some(blocks.clone()), ..docx("licensing.docx", "") }).await.unwrap();
    m.upload_paper(&a, exempt, 0, &docx("contract.docx", "Kestrel Homes breach")).await.unwrap();
    let file = PaperUpload { name: "figures.pdf".into(), content_type: "application/pdf".into(), bytes: b"%PDF-1.4 figures".to_vec(), blocks: None };
    m.upload_paper(&a, pdf, 0, &file).await.unwrap();
    assert_eq!(
        m.paper_file(pdf).await.unwrap(),
        ("figures.pdf".to_string(), "application/pdf".to_string(), b"%PDF-1.4 figures".to_vec()),
        "kept as uploaded"
    );
    let got = m.paper(word).await.unwrap().unwrap();
    assert!(matches!(&got.content, PaperContent::Uploaded { size: 7, blocks: Some(b), .. } if *b == blocks), "{got:?}");
    assert_eq!(m.papers(june).await.unwrap().len(), 4);

    let public = m.agenda_pack(june, true, d(2017, 5, 20)).await.unwrap();
    let paper_of = |pack: &assure_domain::meetings::AgendaPack, title: &str| pack.items.iter().find(|i| i.title == title).unwrap().paper.clone();
    assert!(matches!(paper_of(&public, "Return interviews"), PackPaper::Written(c) if c.purpose == "To report on return interviews."));
    assert_eq!(paper_of(&public, "Licensing enforcement"), PackPaper::Uploaded { name: "licensing.docx".into(), blocks });
    assert_eq!(paper_of(&public, "Police figures"), PackPaper::Attached("figures.pdf".into()));
    assert_eq!(paper_of(&public, "Provider contract"), PackPaper::Withheld(3));
    let full = m.agenda_pack(june, false, d(2017, 5, 20)).await.unwrap();
    assert!(
        matches!(paper_of(&full, "Provider contract"), PackPaper::Uploaded { blocks, .. } if blocks[0] == PaperBlock::Paragraph("Kestrel Homes breach".into()))
    );

    // Once the meeting is held, its papers stay as they were.
    let v = m.meeting(june).await.unwrap().version;
    m.set_status(&a, june, v, MeetingStatus::AgendaPublished).await.unwrap();
    let v = m.meeting(june).await.unwrap().version;
    s.clock().set(on(2017, 6, 22));
    m.set_status(&a, june, v, MeetingStatus::Held).await.unwrap();
    let e = m.upload_paper(&a, pdf, 1, &file).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("paper").is_some_and(|t| t.contains("held"))), "{e:?}");
}
on_both_engines!(an_item_carries_its_own_paper_on, an_item_carries_its_own_paper);

/// The ModernGov fixtures, read as the import page and `assure import-moderngov` read
/// them.
fn moderngov_files(names: &[&str]) -> Vec<assure_domain::moderngov::Source> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moderngov");
    names.iter().map(|n| assure_documents::moderngov::read_source(n, &std::fs::read(dir.join(n)).unwrap()).unwrap()).collect()
}

async fn meeting_count(s: &Store) -> usize {
    s.meetings().list(None).await.unwrap().len()
}

/// A council's ModernGov history comes in whole: the committee Assure already has is
/// found by name and the new one added; a held meeting with published minutes arrives
/// approved and intact (its fingerprint checks), its council's minute numbers kept,
/// its decision split into typed parts, attendance recorded; a dry run writes nothing;
/// importing again adds nothing twice; a minute number already used refuses the whole
/// later import, naming the file, the line and the meeting.
async fn a_moderngov_history_comes_in_whole(db: &TestDb) {
    let db = &db.with_clock(Clock::fixed(on(2026, 12, 7)));
    let s = &db.store;
    let a = Actor::system();
    let scrutiny = body(s).await;
    let files = moderngov_files(&["committees.xml", "meetings.xml", "meeting-1001.xml"]);
    let plan = assure_domain::moderngov::plan(&files, s.today()).unwrap();

    let dry = s.moderngov().import(&a, &plan, false).await.unwrap().unwrap();
    assert!(!dry.committed);
    assert_eq!(dry.bodies_added, vec!["Licensing and Regulatory Committee".to_string()]);
    assert_eq!(dry.meetings.len(), 3);
    assert_eq!(meeting_count(s).await, 0, "a dry run writes nothing");
    assert_eq!(s.tracker().bodies().await.unwrap().len(), 1);

    let done = s.moderngov().import(&a, &plan, true).await.unwrap().unwrap();
    assert_eq!(done.bodies_found, vec!["Overview and Scrutiny Committee (Children's Services and Safeguarding)".to_string()]);
    assert_eq!(done.people_added, 4);
    let held = done.meetings.iter().find(|m| m.ext_id == "1001").unwrap();
    assert_eq!((held.status, held.items, held.minutes, held.decisions, held.attendance), (MeetingStatus::MinutesApproved, 4, 4, 3, 4));
    let m = s.meetings().meeting(held.id).await.unwrap();
    assert_eq!((m.body_id, m.date, m.time.as_str(), m.venue.as_str()), (scrutiny, d(2015, 3, 10), "18:30", "Town Hall, Southport"));
    assert!(s.meetings().minutes_intact(held.id).await.unwrap(), "imported approved minutes carry a fingerprint that checks");
    let minutes = s.meetings().minutes(held.id).await.unwrap();
    assert_eq!(minutes.iter().map(|x| x.number).collect::<Vec<_>>(), vec![45, 46, 47, 48]);
    let cse = &minutes[2];
    assert!(cse.text.starts_with("The Committee considered the report of the Director"), "{}", cse.text);
    assert_eq!(cse.parts.iter().map(|p| p.kind).collect::<Vec<_>>(), vec![ResolutionKind::Noted, ResolutionKind::Approved]);
    let agenda = s.meetings().agenda(held.id).await.unwrap();
    assert_eq!(agenda.iter().find(|i| i.title == "Residential Placement Commissioning").unwrap().exempt_paragraph, Some(3));
    let attendance = s.meetings().attendance(held.id).await.unwrap();
    assert_eq!(attendance.iter().filter(|x| x.attendance == Attendance::Present).count(), 2);
    let statuses: Vec<(String, MeetingStatus)> = done.meetings.iter().map(|m| (m.ext_id.clone(), m.status)).collect();
    assert!(
        statuses.contains(&("1002".into(), MeetingStatus::Cancelled)) && statuses.contains(&("2001".into(), MeetingStatus::Scheduled)),
        "{statuses:?}"
    );
    // The public side sees the approved minutes, but not the exempt item's.
    let public = s.public().meeting(held.id).await.unwrap();
    let shown = format!("{public:?}");
    assert!(shown.contains("quarterly referral figures") && !shown.contains("Ospreyvale"), "{shown}");

    // Again: nothing added twice.
    let again = s.moderngov().import(&a, &plan, true).await.unwrap().unwrap();
    assert_eq!((again.meetings.len(), again.already_imported.len(), again.bodies_added.len()), (0, 3, 0));
    assert_eq!(meeting_count(s).await, 3);
    assert_eq!(s.tracker().bodies().await.unwrap().len(), 2);

    // A later export reusing Minute 47 of 2014/15: refused whole, with where and why.
    let later = assure_domain::moderngov::plan(&moderngov_files(&["clash.xml"]), s.today()).unwrap();
    let problems = s.moderngov().import(&a, &later, true).await.unwrap().unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.starts_with("clash.xml, line 3: Meeting 1005 (21 April 2015): Minute 47 of Overview and Scrutiny Committee (Children's Services and Safeguarding) is already used in the municipal year 2014/15"),
        "{}",
        problems[0].message
    );
    assert_eq!(meeting_count(s).await, 3);
}
on_both_engines!(a_moderngov_history, a_moderngov_history_comes_in_whole);
