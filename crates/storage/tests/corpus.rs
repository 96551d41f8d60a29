//! The corpus of tracker shapes (issue 14): eleven trackers in the shapes councils
//! publish, built here with rust_xlsxwriter or as CSV text — RAG trackers,
//! "Recommendation | Progress made" tables, action plans with references like 1.1.7,
//! trackers with origin and executive decision date columns, merged title rows, two
//! heading rows, totals rows, hidden columns, notes in the last row. Each is read as
//! an upload is, imported with the mapping Assure guesses, reported (the RAG tracker
//! and the progress-made report as Word documents, opened in LibreOffice) and round
//! tripped: exported, imported into a new review of the same register (with fresh
//! references, as the references are the first review's) and exported again, with
//! no cell differing but the references; and imported into a new register, with no
//! cell differing at all. On SQLite and PostgreSQL.
//!
//! The LibreOffice part fails when `soffice` or `pdftotext` is missing, unless
//! `ASSURE_SKIP_LIBREOFFICE=1` is set.

use std::process::Command;

use assure_documents::read::read_file;
use assure_documents::{pdf, render, spreadsheet, Format as DocFormat, Table};
use assure_domain::import::{guess_header_row, headings, plan, register_preset, suggest_mapping, ImportField, Preset, RegisterEntry};
use assure_domain::report::Layout;
use assure_domain::tracker::{ExecutiveResponse, Lifecycle, Rag};
use assure_storage::on_both_engines;
use assure_storage::reports::ReportInput;
use assure_storage::testing::TestDb;
use assure_storage::tracker::{RecFilter, ReviewInput};
use assure_storage::Actor;
use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2026, 11, 23)
}

/// One tracker shape: the file as uploaded, how many recommendations it holds, and
/// what must come through as the council wrote it.
struct Shape {
    name: &'static str,
    file: &'static str,
    bytes: Vec<u8>,
    recommendations: usize,
    check: fn(&[RegisterEntry]),
}

fn csv(rows: &[&[&str]], sep: char) -> Vec<u8> {
    let quote = |c: &str| {
        if c.contains([sep, '"', '\n', '\r']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.to_string()
        }
    };
    let mut out = String::new();
    for r in rows {
        out.push_str(&r.iter().map(|c| quote(c)).collect::<Vec<_>>().join(&sep.to_string()));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn write_rows(ws: &mut Worksheet, first_row: u32, rows: &[&[&str]]) {
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                ws.write_string_with_format(first_row + r as u32, c as u16, *cell, &wrap).unwrap();
            }
        }
    }
}

fn by_wording<'a>(entries: &'a [RegisterEntry], start: &str) -> &'a RegisterEntry {
    entries
        .iter()
        .find(|e| e.committee_wording.starts_with(start))
        .unwrap_or_else(|| panic!("no recommendation starting {start:?}: {:#?}", entries.iter().map(|e| &e.committee_wording).collect::<Vec<_>>()))
}

// ---------------------------------------------------------------------------
// The shapes.

/// 1. A RAG tracker: a merged title row, recommendations merged over their action rows.
fn rag_tracker() -> Shape {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.merge_range(0, 0, 0, 5, "Children's Services Scrutiny – Licensing/CSE Working Group – RAG tracker", &wrap).unwrap();
    write_rows(ws, 1, &[&["Recommendation", "Lead Officer", "Action", "Date", "Improved outcome for children and young people", "RAG"]]);
    ws.merge_range(2, 0, 3, 0, "1. That the Cabinet Member writes to the borough's MPs about personal licences", &wrap).unwrap();
    ws.merge_range(2, 1, 3, 1, "Vicky Buchanan, Head of Children's Social Care", &wrap).unwrap();
    write_rows(
        ws,
        2,
        &[&["", "", "Write to all three MPs", "May 2025 / Revised to July 2025", "Licence holders who pose a risk are stopped", "Amber"]],
    );
    write_rows(ws, 3, &[&["", "", "Report the replies to the committee", "Ongoing", "", ""]]);
    write_rows(
        ws,
        4,
        &[
            &[
                "2. That training on CSE is given to all licensed taxi drivers",
                "Head of Regulation and Compliance",
                "Run courses",
                "31 March 2026",
                "Drivers spot and report exploitation",
                "Green",
            ],
            &[
                "3. That schools promote the CSE e-learning tool to parents",
                "Mike McSorley, Head of Schools and Families",
                "Email all schools",
                "",
                "Parents know the signs",
                "",
            ],
        ],
    );
    Shape {
        name: "RAG tracker with a merged title row",
        file: "rag-tracker.xlsx",
        bytes: wb.save_to_buffer().unwrap(),
        recommendations: 3,
        check: |e| {
            let one = by_wording(e, "That the Cabinet Member writes");
            assert_eq!(one.actions.len(), 2);
            assert_eq!(one.actions[0].revisions, vec![d(2025, 7, 31)]);
            assert_eq!(one.rag, Some(Rag::Amber));
            assert_eq!(by_wording(e, "That schools promote").rag, None, "a blank RAG is not rated");
        },
    }
}

/// 2. "Recommendation | Progress made", updates dated in their text.
fn progress_made() -> Shape {
    let bytes = csv(
        &[
            &["Recommendation", "Progress made"],
            &[
                "(1) That the Council lobbies the Home Office for a national database of personal licences",
                "Update 14 October 2025: Letters sent to the three MPs.\nUpdate 3 February 2026: A reply received from the Home Office.",
            ],
            &["(2) That the Licensing Committee reviews its policy on taxi drivers' DBS checks", ""],
            &[
                "(3) That the Safeguarding Partnership reports on CSE training every six months",
                "14/10/25 – Training dates agreed with the partnership",
            ],
        ],
        ',',
    );
    Shape {
        name: "Recommendation and progress made",
        file: "progress-made.csv",
        bytes,
        recommendations: 3,
        check: |e| {
            let one = by_wording(e, "That the Council lobbies");
            assert_eq!(one.number, 1);
            assert_eq!(one.updates.iter().map(|u| u.date).collect::<Vec<_>>(), vec![Some(d(2025, 10, 14)), Some(d(2026, 2, 3))]);
            assert_eq!(by_wording(e, "That the Safeguarding").updates[0].date, Some(d(2025, 10, 14)));
        },
    }
}

/// 3. An action plan with references like 1.1.7.
fn action_plan() -> Shape {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Action plan").unwrap();
    write_rows(
        ws,
        0,
        &[
            &["Ref", "Recommendation", "Action", "Lead officer", "Timescale", "Status"],
            &[
                "1.1.1",
                "Ensure every child missing from care has a return interview",
                "Commission the return interview service",
                "Head of Safeguarding",
                "30 June 2025",
                "Complete",
            ],
            &[
                "1.1.7",
                "Review the missing children protocol with the police",
                "Agree the protocol at the partnership board",
                "Detective Inspector, Public Protection",
                "September 2025",
                "In progress",
            ],
            &[
                "1.2.1",
                "Report missing episodes to members quarterly",
                "Add missing episodes to the quarterly performance report",
                "Performance Manager",
                "Ongoing",
                "In progress",
            ],
            &[
                "2.1.3",
                "Train foster carers to recognise exploitation",
                "Run four training sessions a year",
                "Fostering Service Manager",
                "31 March 2026",
                "Not started",
            ],
        ],
    );
    Shape {
        name: "Action plan with references like 1.1.7",
        file: "action-plan.xlsx",
        bytes: wb.save_to_buffer().unwrap(),
        recommendations: 4,
        check: |e| {
            let refs: Vec<&str> = e.iter().map(|e| e.reference.as_str()).collect();
            assert_eq!(refs, ["1.1.1", "1.1.7", "1.2.1", "2.1.3"], "the council's references kept as written");
            assert_eq!(by_wording(e, "Ensure every child").lifecycle, Some(Lifecycle::CompleteAwaitingSignOff));
        },
    }
}

/// 4. A tracker with origin and executive decision date columns.
fn origin_and_decision() -> Shape {
    let bytes = csv(
        &[
            &["Ref", "Origin", "Recommendation", "Executive decision date", "Lead officer", "Target date", "RAG", "Progress update"],
            &[
                "OS/24/01",
                "Ofsted ILACS inspection 2024",
                "Improve the timeliness of strategy discussions",
                "5 October 2024",
                "Head of Service, Front Door",
                "31 March 2025",
                "Red",
                "Update 1 October 2025: Timeliness is 71% against a target of 90%.",
            ],
            &[
                "OS/24/02",
                "Internal audit IA/23/07",
                "Record management oversight on every case file",
                "5 October 2024",
                "Principal Social Worker",
                "30 June 2025",
                "Amber",
                "",
            ],
            &[
                "OS/24/03",
                "Children's Services Scrutiny review",
                "Publish the local offer for care leavers",
                "",
                "Head of Corporate Parenting",
                "",
                "Green",
                "",
            ],
        ],
        ',',
    );
    Shape {
        name: "Tracker with origin and decision-date columns",
        file: "origin-decision.csv",
        bytes,
        recommendations: 3,
        check: |e| {
            let one = by_wording(e, "Improve the timeliness");
            assert_eq!(one.origin, "Ofsted ILACS inspection 2024");
            assert_eq!(one.executive_decision_date, Some(d(2024, 10, 5)));
            assert_eq!(one.actions.iter().map(|a| a.target).collect::<Vec<_>>(), [Some(d(2025, 3, 31))], "the decision date is not an action's date");
        },
    }
}

/// 5. Two heading rows: groups merged over the columns, then the headings.
fn two_heading_rows() -> Shape {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Format::new().set_bold();
    ws.merge_range(0, 0, 0, 1, "The recommendation", &bold).unwrap();
    ws.merge_range(0, 2, 0, 4, "Delivery", &bold).unwrap();
    ws.write_string_with_format(0, 5, "Assurance", &bold).unwrap();
    write_rows(
        ws,
        1,
        &[
            &["No.", "Recommendation", "Action", "Lead officer", "Due date", "RAG"],
            &[
                "1",
                "That the Early Help offer is published on the council's website",
                "Publish the offer",
                "Early Help Manager",
                "31 January 2026",
                "Green",
            ],
            &["2", "That schools are told how to refer to Early Help", "Write to headteachers", "Head of Education", "28 February 2026", "Amber"],
            &["3", "That the Early Help assessment is shortened", "Consult practitioners", "Early Help Manager", "30 April 2026", "Red"],
        ],
    );
    Shape {
        name: "Two heading rows",
        file: "two-heading-rows.xlsx",
        bytes: wb.save_to_buffer().unwrap(),
        recommendations: 3,
        check: |e| {
            assert_eq!(e.iter().map(|e| e.number).collect::<Vec<_>>(), [1, 2, 3]);
            assert_eq!(by_wording(e, "That the Early Help assessment").rag, Some(Rag::Red));
        },
    }
}

/// 6. A totals row under the recommendations.
fn totals_row() -> Shape {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_rows(
        ws,
        0,
        &[
            &["Ref", "Recommendation", "Lead officer", "RAG"],
            &["HSC1", "That the Health and Wellbeing Board receives the CSE annual report", "Director of Public Health", "Green"],
            &["HSC2", "That sexual health services screen young people for exploitation", "Sexual Health Commissioner", "Amber"],
            &["HSC3", "That GPs are trained to recognise exploitation", "Designated Nurse, Safeguarding", "Red"],
            &["Total", "3 recommendations", "", "Red 1, Amber 1, Green 1"],
        ],
    );
    Shape {
        name: "Totals row",
        file: "totals-row.xlsx",
        bytes: wb.save_to_buffer().unwrap(),
        recommendations: 3,
        check: |e| {
            assert!(!e.iter().any(|e| e.committee_wording.contains("3 recommendations")), "the totals row is not a recommendation");
        },
    }
}

/// 7. Hidden columns (an ID the council's system uses, last quarter's RAG).
fn hidden_columns() -> Shape {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_rows(
        ws,
        0,
        &[
            &["Internal ID", "Recommendation", "Lead officer", "Action", "Date", "RAG", "Previous RAG"],
            &[
                "REC-0041",
                "That care leavers are exempt from council tax until 25",
                "Head of Revenues",
                "Take the exemption to Cabinet",
                "March 2026",
                "Green",
                "Amber",
            ],
            &[
                "REC-0042",
                "That every care leaver has a named personal adviser",
                "Leaving Care Manager",
                "Recruit two personal advisers",
                "June 2026",
                "Amber",
                "Red",
            ],
            &["REC-0043", "That the care leavers' hub opens on Saturdays", "Leaving Care Manager", "Pilot Saturday opening", "", "Red", "Red"],
        ],
    );
    ws.set_column_hidden(0).unwrap();
    ws.set_column_hidden(6).unwrap();
    Shape {
        name: "Hidden columns",
        file: "hidden-columns.xlsx",
        bytes: wb.save_to_buffer().unwrap(),
        recommendations: 3,
        check: |e| {
            assert_eq!(by_wording(e, "That every care leaver").rag, Some(Rag::Amber), "the RAG column, not the hidden previous one");
        },
    }
}

/// 8. A note in the last row.
fn note_in_last_row() -> Shape {
    let bytes = csv(
        &[
            &["Ref", "Recommendation", "Status", "RAG", "Update"],
            &["MCE1", "That the MACE panel meets monthly", "Complete", "Green", "Oct 2025: The panel has met monthly since April."],
            &["MCE2", "That return interviews are offered within 72 hours", "In progress", "Amber", "Oct 2025: 64% offered within 72 hours."],
            &["MCE3", "That disruption activity is reported to members", "Not started", "", ""],
            &["Note: RAG ratings are as reported by lead officers on 1 October 2025.", "", "", "", ""],
        ],
        ',',
    );
    Shape {
        name: "Note in the last row",
        file: "note-last-row.csv",
        bytes,
        recommendations: 3,
        check: |e| {
            assert!(!e.iter().any(|e| e.reference.starts_with("Note")), "the note is not a recommendation");
            assert_eq!(by_wording(e, "That the MACE panel").updates[0].date, Some(d(2025, 10, 1)));
        },
    }
}

/// 9. Executive response and status columns, semicolon-separated (a European Excel).
fn response_and_status() -> Shape {
    let bytes = csv(
        &[
            &["No.", "Recommendation", "Executive response", "Status", "RAG", "Commentary"],
            &[
                "1",
                "That the council adopts a CSE strategy for the night-time economy",
                "Accepted",
                "In progress",
                "Amber",
                "Draft strategy out to consultation",
            ],
            &["2", "That licensed premises staff are trained; the training is free", "Accepted in part", "Paused", "", ""],
            &["3", "That a CSE coordinator post is created", "Rejected", "Not feasible", "", ""],
            &["4", "That hotels join the 'Say Something' campaign", "Agreed in principle", "Complete", "Green", "All 14 hotels signed up"],
        ],
        ';',
    );
    Shape {
        name: "Response and status columns (semicolons)",
        file: "response-status.csv",
        bytes,
        recommendations: 4,
        check: |e| {
            assert_eq!(by_wording(e, "That licensed premises").response, Some(ExecutiveResponse::PartiallyAccepted));
            assert_eq!(by_wording(e, "That licensed premises").lifecycle, Some(Lifecycle::Paused));
            assert_eq!(by_wording(e, "That a CSE coordinator").response, Some(ExecutiveResponse::Rejected));
        },
    }
}

/// 10. Themes and partner agencies, multi-line updates.
fn themes_and_partners() -> Shape {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_rows(
        ws,
        0,
        &[
            &["Theme", "Recommendation", "Partner agencies", "Lead officer", "Progress update", "RAG"],
            &[
                "Prevent",
                "That the partnership runs a campaign for parents on online grooming",
                "Police; schools",
                "Community Safety Manager",
                "Oct 2025: Campaign launched.\nJan 2026: 3,000 parents reached.",
                "Green",
            ],
            &[
                "Protect",
                "That hotels report suspicious bookings",
                "Police; hotels",
                "Licensing Manager",
                "Nov 2025: Eleven hotels trained.",
                "Amber",
            ],
            &["Pursue", "That disruption orders are used more", "Police", "Detective Chief Inspector", "", "Red"],
        ],
    );
    Shape {
        name: "Themes and partner agencies",
        file: "themes-partners.xlsx",
        bytes: wb.save_to_buffer().unwrap(),
        recommendations: 3,
        check: |e| {
            let one = by_wording(e, "That the partnership runs");
            assert_eq!(one.area, "Prevent");
            assert_eq!(one.who_must_act, "Police; schools");
            assert_eq!(one.updates.len(), 2);
        },
    }
}

/// 11. Sub-items under a recommendation, real Excel dates, a vertically merged lead.
fn sub_items_and_excel_dates() -> Shape {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let uk_date = Format::new().set_num_format("dd/mm/yyyy");
    write_rows(ws, 0, &[&["Recommendation", "Lead Officer", "Action", "Date", "RAG"]]);
    write_rows(ws, 1, &[&["(1) That the Council lobbies the Secretary of State for Education:", "", "Write to the Secretary of State", "", "Amber"]]);
    ws.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2025, 12, 31).unwrap(), &uk_date).unwrap();
    ws.merge_range(1, 1, 3, 1, "Head of Children's Social Care", &wrap).unwrap();
    write_rows(ws, 2, &[&["a) to inspect semi-independent placements for 16 and 17 year olds", "", "", "", ""]]);
    write_rows(ws, 3, &[&["b) to fund independent return interviews", "", "", "", ""]]);
    write_rows(
        ws,
        4,
        &[&[
            "(2) That the Corporate Parenting Board hears from care leavers each year",
            "Head of Corporate Parenting",
            "Invite the Children in Care Council",
            "",
            "Green",
        ]],
    );
    ws.write_datetime_with_format(4, 3, ExcelDateTime::from_ymd(2026, 3, 31).unwrap(), &uk_date).unwrap();
    Shape {
        name: "Sub-items and Excel dates",
        file: "sub-items.xlsx",
        bytes: wb.save_to_buffer().unwrap(),
        recommendations: 4,
        check: |e| {
            let labels: Vec<(i64, &str)> = e.iter().map(|e| (e.number, e.sub_label.as_str())).collect();
            assert_eq!(labels, [(1, ""), (1, "a"), (1, "b"), (2, "")]);
            assert_eq!(by_wording(e, "That the Council lobbies").actions[0].target, Some(d(2025, 12, 31)));
        },
    }
}

fn shapes() -> Vec<Shape> {
    vec![
        rag_tracker(),
        progress_made(),
        action_plan(),
        origin_and_decision(),
        two_heading_rows(),
        totals_row(),
        hidden_columns(),
        note_in_last_row(),
        response_and_status(),
        themes_and_partners(),
        sub_items_and_excel_dates(),
    ]
}

// ---------------------------------------------------------------------------
// Importing, reporting and exporting.

async fn new_review(db: &TestDb, title: &str) -> i64 {
    db.store
        .tracker()
        .create_review(
            &Actor::system(),
            &ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                title: title.into(),
                report_date: Some(d(2024, 9, 12)),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

/// Import `table` with `preset` into `review`, or fail naming every problem.
async fn import(db: &TestDb, review: i64, table: &Table, preset: &Preset, file: &str) -> usize {
    let p = plan(table, preset, today()).unwrap_or_else(|e| panic!("{file}: the import is refused: {e:#?}\n{table:#?}"));
    let outcome = db
        .store
        .imports()
        .commit(&Actor::system(), review, &p, today(), file, None)
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{file}: the import is refused: {e:#?}"));
    outcome.recommendations
}

/// The review's register exported as the XLSX file `assure export` writes, read back
/// as an upload is.
async fn export(db: &TestDb, review: i64) -> Table {
    let entries = db.store.imports().register_entries(&RecFilter { review_id: Some(review), ..Default::default() }, today()).await.unwrap();
    let mut xlsx = Vec::new();
    spreadsheet::write_register(true, [Ok::<_, String>(entries)], &mut xlsx, |_| {}).unwrap();
    read_file(&xlsx, "register.xlsx", None).unwrap().table
}

fn differing_cells(a: &Table, b: &Table, skip_column: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    if a.len() != b.len() {
        out.push(format!("{} rows, then {} rows", a.len(), b.len()));
    }
    for (r, (ra, rb)) in a.iter().zip(b).enumerate() {
        for c in 0..ra.len().max(rb.len()) {
            if Some(c) == skip_column {
                continue;
            }
            let (x, y) = (ra.get(c).map(String::as_str).unwrap_or(""), rb.get(c).map(String::as_str).unwrap_or(""));
            if x != y {
                out.push(format!("row {} column {} ({}): {x:?} then {y:?}", r + 1, c + 1, a[0].get(c).map(String::as_str).unwrap_or("")));
            }
        }
    }
    out
}

fn libreoffice_tests_enabled() -> bool {
    if std::env::var("ASSURE_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1") {
        eprintln!("corpus: the LibreOffice part is skipped because ASSURE_SKIP_LIBREOFFICE=1");
        return false;
    }
    assert!(pdf::available(), "LibreOffice (soffice) was not found: install it, point ASSURE_SOFFICE at it, or set ASSURE_SKIP_LIBREOFFICE=1");
    true
}

fn pdf_text(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("assure-corpus-{}-{:?}.pdf", std::process::id(), std::thread::current().id()));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output().expect("pdftotext (poppler-utils) runs");
    let _ = std::fs::remove_file(&path);
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn every_shape_imports_reports_and_round_trips(db: &TestDb) {
    let elsewhere = TestDb::new(db.engine).await;
    let mut documents: Vec<(String, Vec<u8>, String)> = Vec::new();
    let shapes = shapes();
    assert!(shapes.len() >= 10, "ten or more shapes");
    for shape in &shapes {
        let name = shape.name;
        // Read and imported as a person would: the heading row and the columns Assure guesses.
        let table = read_file(&shape.bytes, shape.file, None).unwrap_or_else(|e| panic!("{name}: {e}")).table;
        let header_row = guess_header_row(&table);
        let preset = Preset { name: name.into(), header_row, mapping: suggest_mapping(&headings(&table, header_row)) };
        let first = new_review(db, name).await;
        assert_eq!(import(db, first, &table, &preset, shape.file).await, shape.recommendations, "{name}");
        let entries = db.store.imports().register_entries(&RecFilter { review_id: Some(first), ..Default::default() }, today()).await.unwrap();
        assert_eq!(entries.len(), shape.recommendations, "{name}");
        (shape.check)(&entries);

        // Reported in both layouts, as Word documents.
        for layout in Layout::ALL {
            let input = ReportInput { review_id: Some(first), body_id: None, meeting_date: Some(today()), layout: Some(*layout) };
            let report = db.store.reports().create(&Actor::system(), &input).await.unwrap();
            let drawn = db.store.reports().monitoring_report(report, today()).await.unwrap();
            assert_eq!(drawn.rows.len(), shape.recommendations, "{name}: {layout:?}");
            let docx = render(&drawn, DocFormat::Docx).unwrap_or_else(|e| panic!("{name}: {layout:?}: {e}"));
            let wording: String = entries[0].committee_wording.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
            documents.push((format!("{name} ({})", layout.label()), docx, wording));
        }

        // Exported, imported into a new review of the same register (the references
        // are the first review's, so it takes fresh ones) and exported again.
        let exported = export(db, first).await;
        assert_eq!(exported[0], assure_domain::import::register_headings(), "{name}");
        let reference = exported[0].iter().position(|h| h == "Reference").unwrap();
        let mut fresh = register_preset();
        fresh.mapping.columns.retain(|(f, _)| *f != ImportField::Reference);
        let second = new_review(db, &format!("{name} (again)")).await;
        assert_eq!(import(db, second, &exported, &fresh, "register.xlsx").await, shape.recommendations, "{name}");
        let again = export(db, second).await;
        let differ = differing_cells(&exported, &again, Some(reference));
        assert!(differ.is_empty(), "{name}: cells differ after the round trip:\n{}", differ.join("\n"));
        let all = db.store.imports().register_entries(&RecFilter::default(), today()).await.unwrap();
        let mut seen = std::collections::HashSet::new();
        for e in &all {
            assert!(seen.insert(e.reference.to_lowercase()), "{name}: {} is held twice in the register", e.reference);
        }

        // Into a new register: not a cell differs, references included.
        let third = new_review(&elsewhere, name).await;
        assert_eq!(import(&elsewhere, third, &exported, &register_preset(), "register.xlsx").await, shape.recommendations, "{name}");
        let there = export(&elsewhere, third).await;
        let differ = differing_cells(&exported, &there, None);
        assert!(differ.is_empty(), "{name}: cells differ in a new register:\n{}", differ.join("\n"));
    }
    elsewhere.cleanup().await;

    // Every report opens in LibreOffice and says what the tracker said.
    if libreoffice_tests_enabled() {
        let batch: Vec<(&[u8], &str)> = documents.iter().map(|(_, docx, _)| (docx.as_slice(), "docx")).collect();
        let pdfs = pdf::convert_many(&batch).expect("LibreOffice converts every report");
        for ((what, _, wording), pdf) in documents.iter().zip(&pdfs) {
            let text = pdf_text(pdf);
            assert!(text.contains(wording.as_str()), "{what}: the PDF LibreOffice made lacks {wording:?}:\n{text}");
            assert!(text.contains("Progress on recommendations"), "{what}: {text}");
        }
    }
}
on_both_engines!(corpus, every_shape_imports_reports_and_round_trips);
