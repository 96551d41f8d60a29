//! Search across what the public site publishes, on SQLite (FTS5) and PostgreSQL
//! (tsvector), with the demo loaded: an agenda item's paper is found once its agenda is
//! published and not before; a minute once the minutes are approved; an exempt item's
//! paper and minute never; forward plan items and issued reports are found on their
//! public pages; results are ranked and paged; typed query syntax is only words; the
//! index rebuilt from scratch holds the same rows.

use assure_domain::meetings::{AgendaItemInput, AgendaKind, MeetingInput, MeetingStatus, MeetingType, PaperBlock};
use assure_domain::Clock;
use assure_storage::meetings::PaperUpload;
use assure_storage::on_both_engines;
use assure_storage::testing::{count_rows, exec, TestDb};
use assure_storage::Actor;

async fn titles(db: &TestDb, q: &str) -> Vec<(String, String)> {
    db.store.search_published(q, 1).await.unwrap().0.into_iter().map(|f| (f.source, f.path)).collect()
}

async fn finds_what_is_published(db: &TestDb) {
    let clock = Clock::fixed(chrono::Utc::now());
    let db = &db.with_clock(clock.clone());
    let s = &db.store;
    assert!(assure_storage::demo::load(s, s.today(), "hash").await.unwrap());
    let a = Actor::system();
    // The demo's approved minutes, agendas and forward plans are in the index.
    let (found, total) = s.search_published("work programme", 1).await.unwrap();
    assert!(total >= 3, "the demo's work programme items and minutes ({total})");
    assert!(found.iter().any(|f| f.source == "minute" && f.path.contains("#minute-")), "{found:?}");
    assert!(found.iter().any(|f| f.source == "agenda-item"), "{found:?}");
    let camhs = titles(db, "adolescent mental health").await;
    assert!(camhs.iter().any(|(s, p)| s == "forward-plan-item" && p.starts_with("/public/forward-plan/")), "{camhs:?}");

    // A meeting next month: an open paper and an exempt one.
    let body = s.tracker().bodies().await.unwrap()[0].id;
    let m = s.meetings();
    let date = s.today() + chrono::Duration::days(30);
    let meeting = m
        .create_meeting(
            &a,
            body,
            &MeetingInput {
                date: Some(date),
                time: "18:30".into(),
                venue: "Room 1".into(),
                kind: Some(MeetingType::Ordinary),
                joint_with: String::new(),
            },
        )
        .await
        .unwrap();
    let item = |kind, title: &str, exempt_paragraph| AgendaItemInput { kind: Some(kind), title: title.into(), exempt_paragraph };
    let open = m.add_agenda_item(&a, meeting, &item(AgendaKind::Report, "Taxi licensing enforcement", None), None, None, None).await.unwrap();
    let exempt = m.add_agenda_item(&a, meeting, &item(AgendaKind::Exempt, "Ospreyvale provider contract", Some(3)), None, None, None).await.unwrap();
    let docx = |text: &str| PaperUpload {
        name: "paper.docx".into(),
        content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        bytes: vec![0x50, 0x4b, 3, 4],
        blocks: Some(vec![PaperBlock::Heading { level: 1, text: "Enforcement".into() }, PaperBlock::Paragraph(text.into())]),
    };
    m.upload_paper(&a, open, 0, &docx("412 drivers completed the zebrafinch safeguarding course")).await.unwrap();
    m.upload_paper(&a, exempt, 0, &docx("Kestrel Homes breach of contract")).await.unwrap();
    assert!(titles(db, "zebrafinch").await.is_empty(), "a draft agenda's paper is not published");
    let v = m.meeting(meeting).await.unwrap().version;
    m.set_status(&a, meeting, v, MeetingStatus::AgendaPublished).await.unwrap();
    assert_eq!(titles(db, "zebrafinch").await, vec![("agenda-item".to_string(), format!("/public/meetings/{meeting}"))], "found once published");
    assert_eq!(titles(db, "zebra safeguard").await.len(), 1, "every word, as the start of a word");
    assert!(titles(db, "kestrel").await.is_empty(), "an exempt paper is never indexed");
    assert!(titles(db, "ospreyvale").await.is_empty(), "nor an exempt item's heading");

    // Minutes: found once approved, never an exempt item's.
    let v = m.meeting(meeting).await.unwrap().version;
    clock.set(chrono::Utc::now() + chrono::Duration::days(31));
    m.set_status(&a, meeting, v, MeetingStatus::Held).await.unwrap();
    let (open_minute, _) =
        m.add_minute(&a, meeting, "Taxi licensing enforcement", "Members welcomed the heronsgate figures.", Some(open), None).await.unwrap();
    m.add_minute(&a, meeting, "Ospreyvale provider contract", "The Kestrel Homes contract was ended.", Some(exempt), None).await.unwrap();
    assert!(open_minute > 0);
    assert!(titles(db, "heronsgate").await.is_empty(), "draft minutes are not published");
    let v = m.meeting(meeting).await.unwrap().version;
    m.approve_minutes(&a, meeting, v).await.unwrap();
    let found = titles(db, "heronsgate").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.starts_with(&format!("/public/meetings/{meeting}#minute-")));
    assert!(titles(db, "kestrel").await.is_empty(), "an exempt minute is never indexed");
    assert!(titles(db, "ospreyvale").await.is_empty(), "nor its title");

    // An issued report.
    let rec = assure_storage::testing::scrutiny_recommendation(s).await;
    let word: String =
        rec.committee_wording.split_whitespace().filter(|w| w.len() > 6 && w.chars().all(char::is_alphabetic)).take(2).collect::<Vec<_>>().join(" ");
    let input = assure_storage::reports::ReportInput { review_id: Some(rec.review_id), body_id: None, meeting_date: Some(s.today()), layout: None };
    let report = s.reports().create(&a, &input).await.unwrap();
    assert!(!titles(db, &word).await.iter().any(|(k, _)| k == "report"), "a draft report is not published");
    s.reports().issue(&a, report, 1, s.today()).await.unwrap();
    assert!(titles(db, &word).await.contains(&("report".to_string(), format!("/public/reports/{report}"))), "{word}");

    // Query syntax is only words; nothing typed is nothing found.
    for odd in [r#"" ' NEAR( AND OR NOT * : & | ! <-> ^ ( ) "#, "*", "   ", "\"unclosed"] {
        s.search_published(odd, 1).await.unwrap_or_else(|e| panic!("{odd:?}: {e}"));
    }
    assert_eq!(s.search_published("", 1).await.unwrap().1, 0);

    // Pages of 20, no result twice.
    let (first, total) = s.search_published("the", 1).await.unwrap();
    if total > 20 {
        let (second, _) = s.search_published("the", 2).await.unwrap();
        assert_eq!(first.len(), 20);
        assert!(second.iter().all(|f| !first.contains(f)), "page 2 repeats nothing of page 1");
    }

    // Rebuilt from scratch: the same rows; a database without the index gets it.
    let before = count_rows(s, "published_texts").await;
    s.reindex_published().await.unwrap();
    assert_eq!(count_rows(s, "published_texts").await, before);
    exec(s, "DELETE FROM published_texts").await;
    assert!(s.index_published_if_missing().await.unwrap());
    assert_eq!(count_rows(s, "published_texts").await, before);
    assert!(!s.index_published_if_missing().await.unwrap(), "once is enough");
    assert_eq!(titles(db, "zebrafinch").await.len(), 1);
}
on_both_engines!(published_search, finds_what_is_published);
