//! Awkward, real-shaped tracker files, made here byte by byte or with rust_xlsxwriter,
//! read with `read_table` and planned with `assure_domain::import::plan`, end to end.
//!
//! The password-protected and old-XLS files are minimal but valid OLE/CFB containers
//! built by [`cfb`] (a 512-byte header, one FAT sector, one directory sector, then the
//! streams in ordinary sectors); calamine's own CFB parser is used to check that the
//! encrypted one really is what Excel writes for a password (an `EncryptedPackage`
//! stream). Zips other than XLSX are built by [`stored_zip`] (no compression).

use assure_documents::read::{read_file, read_table, ReadError, SourceFormat, MAX_BYTES};
use assure_domain::import::{
    guess_header_row, headings, plan, register_preset, register_table, suggest_mapping, ImportField, ImportPlan, ImportedLead, ImportedUpdate,
    Mapping, Preset, RegisterEntry,
};
use assure_domain::tracker::{ExecutiveResponse, Lifecycle, Rag};
use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2018, 1, 16)
}

/// The preset a person would accept on the mapping page: the guessed heading row and
/// the suggested mapping.
fn suggested_preset(table: &Vec<Vec<String>>) -> Preset {
    let header_row = guess_header_row(table);
    Preset { name: "Suggested".into(), header_row, mapping: suggest_mapping(&headings(table, header_row)) }
}

fn plan_ok(table: &Vec<Vec<String>>, preset: &Preset) -> ImportPlan {
    plan(table, preset, today()).unwrap_or_else(|e| panic!("plan failed: {e:#?}\n{table:#?}")).into_inner()
}

fn lead(name: &str, title: &str) -> ImportedLead {
    ImportedLead { name: name.into(), job_title: title.into() }
}

// ---------------------------------------------------------------------------
// File builders
// ---------------------------------------------------------------------------

/// A RAG tracker as councils keep them: a merged title row above the headings,
/// merged recommendation and lead cells over several action rows, revised dates,
/// "Ongoing", "Completed", multi-line cells, numbered wording, real Excel dates.
fn rag_tracker_xlsx() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Tracker").unwrap();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let uk_date = Format::new().set_num_format("dd/mm/yyyy");
    let month = Format::new().set_num_format("mmm-yy");
    ws.merge_range(0, 0, 0, 5, "Scrutiny working group – CSE recommendations – monitoring (January 2018)", &wrap).unwrap();
    for (c, h) in ["Recommendation", "Lead Officer", "Action", "Date", "Improved outcome for children / young people", "RAG"].iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    // Recommendation 1 over rows 3-5 (0-based 2-4); its first lead over rows 3-4.
    ws.merge_range(2, 0, 4, 0, "1. That the Cabinet Member for Children's Services writes to all\nSefton MPs", &wrap).unwrap();
    ws.merge_range(2, 1, 3, 1, "Steph Cordon Head of Service", &wrap).unwrap();
    ws.write_string(2, 2, "Write to all MPs").unwrap();
    ws.write_string(2, 3, "May 2017 / Revised to July 2017").unwrap();
    ws.write_string(2, 4, "Better protection\r\nfor children").unwrap();
    ws.write_string(2, 5, "Amber").unwrap();
    ws.write_string(3, 2, "Follow up the replies").unwrap();
    ws.write_string(3, 3, "Ongoing").unwrap();
    ws.write_string(4, 1, "Vicky Buchanan – Head of Children's Social Care").unwrap();
    ws.write_string(4, 2, "Brief members").unwrap();
    ws.write_string(4, 3, "Completed").unwrap();
    ws.write_string(4, 5, "amber").unwrap();
    // Recommendation 2: a real Excel date and a title-only lead.
    ws.write_string(5, 0, "2. Training for all licensed taxi drivers").unwrap();
    ws.write_string(5, 1, "Head of Regulation and Compliance").unwrap();
    ws.write_string(5, 2, "Run\u{a0}courses  ").unwrap();
    ws.write_datetime_with_format(5, 3, ExcelDateTime::from_ymd(2018, 3, 31).unwrap(), &uk_date).unwrap();
    ws.write_string(5, 5, "G").unwrap();
    // Recommendation 3: a month-formatted Excel date ("Jun-18" on screen).
    ws.write_string(6, 0, "(3) Schools receive the CSE toolkit").unwrap();
    ws.write_string(6, 1, "Steph Cordon, Head of Service; Jo Bloggs, Director of Education").unwrap();
    ws.write_string(6, 2, "Email all schools").unwrap();
    ws.write_datetime_with_format(6, 3, ExcelDateTime::from_ymd(2018, 6, 1).unwrap(), &month).unwrap();
    ws.write_string(6, 5, "R").unwrap();
    // Sub-items of recommendation 3.
    ws.write_string(7, 0, "a) A national data base").unwrap();
    ws.write_string(7, 3, "Sept 2018").unwrap();
    ws.write_string(8, 0, "(b) Local awareness sessions").unwrap();
    ws.write_string(8, 3, "31 October 2018, revised to Dec 2018").unwrap();
    // Blank and whitespace-only rows at the end.
    ws.write_string(10, 2, "   ").unwrap();
    wb.save_to_buffer().unwrap()
}

/// CRC-32 (IEEE), for hand-made zips.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zip with the given files, stored without compression.
fn stored_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let mut local = Vec::new();
        local.extend_from_slice(b"PK\x03\x04");
        local.extend_from_slice(&20u16.to_le_bytes()); // version needed
        local.extend_from_slice(&0u16.to_le_bytes()); // flags
        local.extend_from_slice(&0u16.to_le_bytes()); // stored
        local.extend_from_slice(&0u32.to_le_bytes()); // time, date
        local.extend_from_slice(&crc.to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(name.len() as u16).to_le_bytes());
        local.extend_from_slice(&0u16.to_le_bytes());
        local.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&local);
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&local[4..30]);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment length
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A minimal valid OLE/CFB (compound file) version 3 holding the named streams.
/// Layout: header; sector 0 = the FAT; sector 1 = the directory (root + up to 3
/// streams); then each stream's sectors. Streams are at least 4,096 bytes so that
/// they live in ordinary sectors rather than the mini stream.
fn cfb(streams: &[&str]) -> Vec<u8> {
    const FREE: u32 = 0xFFFF_FFFF;
    const END: u32 = 0xFFFF_FFFE;
    const FATSECT: u32 = 0xFFFF_FFFD;
    const NOSTREAM: u32 = 0xFFFF_FFFF;
    assert!(streams.len() <= 3);
    let per_stream = 8usize; // 8 × 512 = 4,096 bytes
    let mut fat = vec![FREE; 128];
    fat[0] = FATSECT;
    fat[1] = END;
    let mut starts = Vec::new();
    let mut next = 2usize;
    for _ in streams {
        starts.push(next as u32);
        for k in 0..per_stream {
            fat[next + k] = if k + 1 == per_stream { END } else { (next + k + 1) as u32 };
        }
        next += per_stream;
    }
    let mut header = vec![0u8; 512];
    header[0..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let put16 = |b: &mut Vec<u8>, at: usize, v: u16| b[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 = |b: &mut Vec<u8>, at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut header, 0x18, 0x003E); // minor version
    put16(&mut header, 0x1A, 3); // major version 3: 512-byte sectors
    put16(&mut header, 0x1C, 0xFFFE); // little-endian
    put16(&mut header, 0x1E, 9); // sector shift
    put16(&mut header, 0x20, 6); // mini sector shift
    put32(&mut header, 0x2C, 1); // FAT sectors
    put32(&mut header, 0x30, 1); // first directory sector
    put32(&mut header, 0x38, 4096); // mini stream cutoff
    put32(&mut header, 0x3C, END); // no mini FAT
    put32(&mut header, 0x44, END); // no DIFAT sectors
    put32(&mut header, 0x4C, 0); // DIFAT[0]: the FAT is sector 0
    for i in 1..109 {
        put32(&mut header, 0x4C + 4 * i, FREE);
    }
    let entry = |name: &str, kind: u8, right: u32, child: u32, start: u32, size: u32| {
        let mut e = vec![0u8; 128];
        let units: Vec<u16> = name.encode_utf16().collect();
        for (i, u) in units.iter().enumerate() {
            e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        if !name.is_empty() {
            e[0x40..0x42].copy_from_slice(&(((units.len() + 1) * 2) as u16).to_le_bytes());
        }
        e[0x42] = kind;
        e[0x43] = 1; // black
        e[0x44..0x48].copy_from_slice(&NOSTREAM.to_le_bytes()); // left
        e[0x48..0x4C].copy_from_slice(&right.to_le_bytes());
        e[0x4C..0x50].copy_from_slice(&child.to_le_bytes());
        e[0x74..0x78].copy_from_slice(&start.to_le_bytes());
        e[0x78..0x7C].copy_from_slice(&size.to_le_bytes());
        e
    };
    let mut dir = entry("Root Entry", 5, NOSTREAM, if streams.is_empty() { NOSTREAM } else { 1 }, END, 0);
    for (i, name) in streams.iter().enumerate() {
        let right = if i + 1 < streams.len() { (i + 2) as u32 } else { NOSTREAM };
        dir.extend(entry(name, 2, right, NOSTREAM, starts[i], (per_stream * 512) as u32));
    }
    while dir.len() < 512 {
        dir.extend(entry("", 0, NOSTREAM, NOSTREAM, 0, 0));
    }
    let mut out = header;
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    out.extend(dir);
    for (i, _) in streams.iter().enumerate() {
        out.extend(std::iter::repeat_n(0x41 + i as u8, per_stream * 512));
    }
    out
}

fn utf16le_with_bom(s: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
    out
}

// ---------------------------------------------------------------------------
// XLSX
// ---------------------------------------------------------------------------

#[test]
fn rag_tracker_with_title_row_merged_cells_and_excel_dates() {
    let bytes = rag_tracker_xlsx();
    let file = read_file(&bytes, "CSE tracker.xlsx", None).unwrap();
    assert_eq!((file.format, file.sheet.as_str()), (SourceFormat::Xlsx, "Tracker"));
    let t = file.table;
    assert_eq!(t.len(), 9, "trailing blank rows are trimmed: {t:#?}");
    assert!(t.iter().all(|r| r.len() == 6), "rows are padded to one width");
    assert_eq!(t[0][0], "Scrutiny working group – CSE recommendations – monitoring (January 2018)");
    assert_eq!(t[0][1], "", "merged cells are empty except the first");
    assert_eq!(t[3][0], "");
    assert_eq!(t[5][3], "31 March 2018", "a real Excel date comes through as a date the importer reads");
    assert_eq!(t[6][3], "June 2018", "a month-formatted date stays a month");

    let preset = suggested_preset(&t);
    assert_eq!(preset.header_row, 2);
    assert_eq!(preset.mapping.heading(ImportField::Outcome), Some("Improved outcome for children / young people"));
    let p = plan_ok(&t, &preset);
    let e = &p.entries;
    assert_eq!(e.len(), 5);

    let r1 = &e[0];
    assert_eq!((r1.row, r1.number, r1.sub_label.as_str()), (3, 1, ""));
    assert_eq!(r1.committee_wording, "That the Cabinet Member for Children's Services writes to all\nSefton MPs");
    assert_eq!(r1.leads, vec![lead("Steph Cordon", "Head of Service"), lead("Vicky Buchanan", "Head of Children's Social Care")]);
    assert_eq!(r1.outcome, "Better protection\nfor children");
    assert_eq!(r1.actions.len(), 3);
    assert_eq!(r1.actions[0].text, "Write to all MPs");
    assert_eq!((r1.actions[0].target, r1.actions[0].revisions.clone()), (Some(d(2017, 5, 31)), vec![d(2017, 7, 31)]));
    assert_eq!(r1.actions[1].owner, "Steph Cordon", "merged lead cell: the owner carries down");
    assert_eq!((r1.actions[1].target, r1.actions[1].done), (None, false));
    assert_eq!((r1.actions[2].owner.as_str(), r1.actions[2].done), ("Vicky Buchanan", true));
    assert_eq!(r1.rag, Some(Rag::Amber));
    assert_eq!(r1.lifecycle, Some(Lifecycle::InProgress), "no Status column: Ongoing means in progress");

    let r2 = &e[1];
    assert_eq!((r2.row, r2.number), (6, 2));
    assert_eq!(r2.leads, vec![lead("", "Head of Regulation and Compliance")]);
    assert_eq!(r2.actions[0].text, "Run courses");
    assert_eq!(r2.actions[0].target, Some(d(2018, 3, 31)));
    assert_eq!(r2.rag, Some(Rag::Green));

    let r3 = &e[2];
    assert_eq!((r3.number, r3.committee_wording.as_str()), (3, "Schools receive the CSE toolkit"));
    assert_eq!(r3.leads, vec![lead("Steph Cordon", "Head of Service"), lead("Jo Bloggs", "Director of Education")]);
    assert_eq!(r3.actions[0].owner, "Steph Cordon; Jo Bloggs");
    assert_eq!(r3.actions[0].target, Some(d(2018, 6, 30)));
    assert_eq!(r3.rag, Some(Rag::Red));

    assert_eq!((e[3].number, e[3].sub_label.as_str(), e[3].committee_wording.as_str()), (3, "a", "A national data base"));
    assert_eq!(e[3].actions[0].target, Some(d(2018, 9, 30)));
    assert_eq!((e[4].number, e[4].sub_label.as_str()), (3, "b"));
    assert_eq!((e[4].actions[0].target, e[4].actions[0].revisions.clone()), (Some(d(2018, 10, 31)), vec![d(2018, 12, 31)]));
}

#[test]
fn numeric_cells_formulas_and_the_first_visible_sheet() {
    let mut wb = Workbook::new();
    let hidden = wb.add_worksheet();
    hidden.set_name("Old notes").unwrap();
    hidden.write_string(0, 0, "Do not import this").unwrap();
    hidden.set_hidden(true);
    let empty = wb.add_worksheet();
    empty.set_name("Cover").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Recommendations").unwrap();
    ws.set_active(true);
    for (c, h) in ["No.", "Recommendation", "Progress made", "Status", "Response", "Budget", "Signed"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 1.0).unwrap();
    ws.write_string(1, 1, "Write to the Home Secretary").unwrap();
    ws.write_string(1, 2, "7 December 2017: Letter sent to the Home Secretary.\n\n8 January 2018 — Reply received.").unwrap();
    ws.write_string(1, 3, "Completed").unwrap();
    ws.write_string(1, 4, "Accepted").unwrap();
    ws.write_number(1, 5, 100000.0).unwrap();
    ws.write_boolean(1, 6, true).unwrap();
    ws.write_formula(2, 0, "=A2+1").unwrap();
    ws.set_formula_result(2, 0, "2");
    ws.write_string(2, 1, "Email all schools").unwrap();
    ws.write_string(2, 2, "Emails sent to all schools").unwrap();
    ws.write_string(2, 3, "On hold").unwrap();
    ws.write_string(2, 4, "Accepted in principle").unwrap();
    ws.write_number(2, 5, 2500.5).unwrap();
    let bytes = wb.save_to_buffer().unwrap();

    let file = read_file(&bytes, "recs.xlsx", None).unwrap();
    assert_eq!(file.sheet, "Recommendations", "hidden and empty sheets are passed over");
    assert_eq!(file.sheets, vec!["Old notes", "Cover", "Recommendations"]);
    let t = file.table;
    assert_eq!(t[1][0], "1", "whole numbers have no .0");
    assert_eq!(t[2][0], "2", "a formula's cached value");
    assert_eq!(t[1][5], "100000");
    assert_eq!(t[2][5], "2500.5");
    assert_eq!(t[1][6], "TRUE");
    assert_eq!(read_file(&bytes, "recs.xlsx", Some("Old notes")).unwrap().table, vec![vec!["Do not import this".to_string()]]);
    assert_eq!(read_file(&bytes, "recs.xlsx", Some("Nope")), Err(ReadError::NoSuchSheet("Nope".into())));

    let p = plan_ok(&t, &suggested_preset(&t));
    assert_eq!(p.entries.len(), 2);
    let e = &p.entries[0];
    assert_eq!((e.number, e.lifecycle, e.response), (1, Some(Lifecycle::CompleteAwaitingSignOff), Some(ExecutiveResponse::Accepted)));
    assert_eq!(
        e.updates,
        vec![
            ImportedUpdate { date: Some(d(2017, 12, 7)), narrative: "Letter sent to the Home Secretary.".into() },
            ImportedUpdate { date: Some(d(2018, 1, 8)), narrative: "Reply received.".into() },
        ]
    );
    let e = &p.entries[1];
    assert_eq!((e.number, e.lifecycle), (2, Some(Lifecycle::Paused)));
    assert_eq!(e.updates, vec![ImportedUpdate { date: None, narrative: "Emails sent to all schools".into() }]);
}

#[test]
fn typos_are_reported_with_row_and_column() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Children's Services Scrutiny Committee").unwrap();
    ws.write_string(1, 0, "Tracker at 16 January 2018").unwrap();
    for (c, h) in ["Ref", "Recommendation", "Date", "RAG"].iter().enumerate() {
        ws.write_string(3, c as u16, *h).unwrap();
    }
    let rows = [
        ["SR (17/18) 01", "Fine one", "May 2017", "Green"],
        ["SR (17/18) 02", "Typo in the year", "Dec 202017", "Amber"],
        ["SR (17/18) 03", "Yellow is not a RAG", "Mya 2017", "Yellow"],
        ["SR (17/18) 01", "Duplicate reference", "31/13/2017", ""],
        ["SR (17/18) 05", "", "2017", "Red/Amber"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(4 + r as u32, c as u16, *v).unwrap();
        }
    }
    let t = read_table(&wb.save_to_buffer().unwrap(), "tracker.xlsx").unwrap();
    let preset = suggested_preset(&t);
    assert_eq!(preset.header_row, 4);
    let errs = plan(&t, &preset, today()).unwrap_err();
    let found: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(
        found,
        vec![(6, "Date"), (7, "Date"), (7, "RAG"), (8, "Ref"), (8, "Date"), (9, "Recommendation"), (9, "Date"), (9, "RAG")],
        "{errs:#?}"
    );
    assert_eq!(
        errs[0].message,
        "Row 6, column “Date”: “Dec 202017” is not a date Assure recognises. Write a month and year such as “December 2017”, or a full date such as “31 December 2017”."
    );
    assert!(errs[1].message.contains("such as “May 2017”"), "{}", errs[1].message);
    assert!(errs[2].message.contains("“Yellow” is not a RAG rating. RAG must be Red, Amber, Green or blank."));
    assert!(errs[3].message.contains("Reference “SR (17/18) 01” is already used on row 5"));
    assert!(errs[5].message.contains("Enter the recommendation's wording"));
    assert!(errs[6].message.contains("“2017” is only a year"));
    assert!(errs[7].message.contains("more than one colour"));
}

#[test]
fn register_export_round_trips_through_xlsx_and_csv() {
    let mut a = RegisterEntry::new(1, "=That the Cabinet Member writes to the MPs\nand reports back");
    a.reference = "SR (17/18) 01".into();
    a.leads = vec![lead("Steph Cordon", "Head of Service"), lead("", "Head of Regulation and Compliance")];
    a.actions = vec![
        assure_domain::import::ImportedAction {
            text: "Write letters".into(),
            owner: "Steph Cordon; Head of Regulation and Compliance".into(),
            target: Some(d(2017, 5, 31)),
            revisions: vec![d(2017, 7, 31)],
            done: false,
        },
        assure_domain::import::ImportedAction {
            text: "-Chase replies".into(),
            owner: "Steph Cordon".into(),
            target: Some(d(2017, 9, 15)),
            revisions: vec![],
            done: true,
        },
    ];
    a.response = Some(ExecutiveResponse::Accepted);
    a.lifecycle = Some(Lifecycle::InProgress);
    a.rag = Some(Rag::Amber);
    a.updates = vec![
        ImportedUpdate { date: Some(d(2017, 12, 7)), narrative: "Letters sent — “all” MPs; £0 cost".into() },
        ImportedUpdate { date: None, narrative: "+ a note without a date".into() },
    ];
    let mut b = RegisterEntry::new(1, "Zoë’s sub-item");
    b.sub_label = "a".into();
    b.area = "Prevent".into();
    let entries = vec![a, b];
    let table = register_table(&entries);
    let escape = |c: &str| {
        if c.starts_with(['=', '+', '-', '@']) {
            format!("'{c}")
        } else {
            c.to_string()
        }
    };

    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in table.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, escape(cell)).unwrap();
        }
    }
    let xlsx = wb.save_to_buffer().unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in &table {
        w.write_record(row.iter().map(|c| escape(c))).unwrap();
    }
    let csv_bytes = w.into_inner().unwrap();

    for (bytes, name) in [(xlsx, "export.xlsx"), (csv_bytes, "export.csv")] {
        let t = read_table(&bytes, name).unwrap();
        let mut got = plan_ok(&t, &register_preset()).entries;
        for e in &mut got {
            e.row = 0;
        }
        assert_eq!(got, entries, "{name}");
    }
}

/// The register written a chunk at a time (the export's streamed form): the CSV is
/// byte for byte the whole-table CSV, the constant-memory XLSX reads back as the
/// same table, and each reads back as the same entries, however the chunks fall.
#[test]
fn the_streamed_register_is_the_whole_register() {
    let mut entries = Vec::new();
    for n in 1..=25 {
        let mut e = RegisterEntry::new(n, &format!("=Recommendation {n}\nsecond line"));
        e.reference = format!("SR (17/18) {n:02}");
        e.area = if n % 2 == 0 { "Prevent".into() } else { String::new() };
        e.response = Some(ExecutiveResponse::Accepted);
        e.lifecycle = Some(Lifecycle::InProgress);
        e.rag = Some(Rag::Green);
        if n % 3 == 0 {
            e.actions = vec![
                assure_domain::import::ImportedAction {
                    text: "One".into(),
                    owner: String::new(),
                    target: Some(d(2017, 5, 31)),
                    revisions: vec![],
                    done: false,
                },
                assure_domain::import::ImportedAction { text: "Two".into(), owner: String::new(), target: None, revisions: vec![], done: true },
            ];
        }
        entries.push(e);
    }
    let table = register_table(&entries);
    let whole_csv = assure_documents::spreadsheet::table_csv(&table);
    for size in [1, 7, 25, 100] {
        let chunks = entries.chunks(size).map(|c| Ok::<_, String>(c.to_vec()));
        let mut seen = Vec::new();
        let mut csv = Vec::new();
        let n = assure_documents::spreadsheet::write_register(false, chunks.clone(), &mut csv, |k| seen.push(k)).unwrap();
        assert_eq!(n, 25);
        assert_eq!(seen.last(), Some(&25), "progress reaches the end");
        assert_eq!(csv, whole_csv, "chunks of {size}");
        let mut xlsx = Vec::new();
        assure_documents::spreadsheet::write_register(true, chunks, &mut xlsx, |_| {}).unwrap();
        let back = read_table(&xlsx, "register.xlsx").unwrap();
        let csv_back = read_table(&csv, "register.csv").unwrap();
        assert_eq!(back, csv_back, "XLSX and CSV hold the same cells (chunks of {size})");
        let mut got = plan_ok(&back, &register_preset()).entries;
        for e in &mut got {
            e.row = 0;
        }
        assert_eq!(got, entries, "chunks of {size}");
    }
    // An empty register: the headings alone, in both.
    let none = std::iter::empty::<Result<Vec<RegisterEntry>, String>>();
    let mut csv = Vec::new();
    assert_eq!(assure_documents::spreadsheet::write_register(false, none.clone(), &mut csv, |_| {}).unwrap(), 0);
    assert_eq!(csv, assure_documents::spreadsheet::table_csv(&register_table(&[])));
    let mut xlsx = Vec::new();
    assure_documents::spreadsheet::write_register(true, none, &mut xlsx, |_| {}).unwrap();
    assert!(xlsx.starts_with(b"PK"));
    // A chunk that cannot be read stops the file with the reason.
    let failing = vec![Ok(entries[..2].to_vec()), Err("the database went away".to_string())];
    let err = assure_documents::spreadsheet::write_register(false, failing, &mut Vec::new(), |_| {}).unwrap_err();
    assert!(err.to_string().contains("the database went away"), "{err}");
}

#[test]
fn corrupt_xlsx_cut_short() {
    let bytes = rag_tracker_xlsx();
    for cut in [bytes.len() / 2, bytes.len() - 30, 100] {
        let err = read_table(&bytes[..cut], "tracker.xlsx").unwrap_err();
        assert!(matches!(err, ReadError::Corrupt(_)), "cut at {cut}: {err:?}");
        assert!(err.to_string().starts_with("The file could not be read: "), "{err}");
        assert!(err.to_string().contains("save it again"), "{err}");
    }
}

#[test]
fn password_protected_xlsx() {
    let bytes = cfb(&["EncryptionInfo", "EncryptedPackage"]);
    // calamine's own CFB parser agrees this is an encrypted workbook.
    let calamine_says = <calamine::Xlsx<_> as calamine::Reader<_>>::new(std::io::Cursor::new(bytes.clone()));
    assert!(matches!(calamine_says, Err(calamine::XlsxError::Password)));
    let err = read_table(&bytes, "protected.xlsx").unwrap_err();
    assert_eq!(err, ReadError::PasswordProtected);
    assert!(err.to_string().contains("remove the password"));
    // Named as anything, it is still recognised by content.
    assert_eq!(read_table(&bytes, "tracker.csv"), Err(ReadError::PasswordProtected));
}

#[test]
fn old_xls_is_refused_with_what_to_do() {
    let bytes = cfb(&["Workbook", "\u{5}SummaryInformation"]);
    let err = read_table(&bytes, "tracker.xls").unwrap_err();
    assert_eq!(err, ReadError::UnsupportedFormat("XLS (Excel 97-2003)".into()));
    assert_eq!(err.to_string(), "Assure cannot read XLS (Excel 97-2003) files. Save it as .xlsx or .csv and upload it again.");
    let doc = cfb(&["WordDocument"]);
    assert_eq!(read_table(&doc, "minutes.doc"), Err(ReadError::NotASpreadsheet));
}

#[test]
fn other_zips_are_not_spreadsheets() {
    let docx = stored_zip(&[("[Content_Types].xml", b"<Types/>".as_slice()), ("word/document.xml", b"<w:document/>".as_slice())]);
    let err = read_table(&docx, "tracker.docx").unwrap_err();
    assert_eq!(err, ReadError::NotASpreadsheet);
    assert!(err.to_string().contains(".xlsx") && err.to_string().contains("CSV"));
    let random = stored_zip(&[("notes.txt", b"hello".as_slice())]);
    assert_eq!(read_table(&random, "tracker.xlsx"), Err(ReadError::NotASpreadsheet));
    let ods = stored_zip(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet".as_slice()), ("content.xml", b"<x/>".as_slice())]);
    assert!(matches!(read_table(&ods, "tracker.ods"), Err(ReadError::UnsupportedFormat(f)) if f.contains("OpenDocument")));
    let xlsb = stored_zip(&[("[Content_Types].xml", b"<Types/>".as_slice()), ("xl/workbook.bin", b"\0".as_slice())]);
    assert!(matches!(read_table(&xlsb, "tracker.xlsb"), Err(ReadError::UnsupportedFormat(f)) if f.contains("XLSB")));
    // Claims to be a workbook but its parts are broken.
    let broken = stored_zip(&[("[Content_Types].xml", b"<Types/>".as_slice()), ("xl/workbook.xml", b"<workbook".as_slice())]);
    assert!(matches!(read_table(&broken, "tracker.xlsx"), Err(ReadError::Corrupt(_))));
}

#[test]
fn empty_oversize_and_binary_files() {
    let err = read_table(b"", "tracker.csv").unwrap_err();
    assert_eq!(err, ReadError::Empty);
    assert!(err.to_string().starts_with("The file is empty."));
    let big = vec![b'a'; MAX_BYTES + 1];
    let err = read_table(&big, "tracker.csv").unwrap_err();
    assert_eq!(err, ReadError::TooBig { limit_mb: 10 });
    assert!(err.to_string().contains("larger than 10 MB"));
    let mut garbage = vec![0x13u8, 0x00, 0x37, 0xFE, 0x00, 0x00, 0x9A, 0x01];
    garbage.extend((0..2000u32).map(|i| (i * 7919 % 251) as u8));
    assert_eq!(read_table(&garbage, "tracker.csv"), Err(ReadError::NotASpreadsheet));
    assert!(matches!(read_table(&garbage, "tracker.xlsx"), Err(ReadError::Corrupt(_))));
    assert_eq!(read_table(b"%PDF-1.4\n...", "tracker.pdf"), Err(ReadError::NotASpreadsheet));
    assert!(matches!(read_table(b"<html><table><tr><td>x</td></tr></table></html>", "tracker.xls"), Err(ReadError::UnsupportedFormat(_))));
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

#[test]
fn windows_1252_csv_keeps_pounds_and_curly_quotes() {
    // "£" is 0xA3 and "’" is 0x92 in Windows-1252; "–" is 0x96.
    let bytes = b"Recommendation,Lead Officer,Date,RAG\r\n\"Fund \xA3100,000 for the council\x92s hub \x96 now\",\"Vicky Buchanan \x96 Head of Children\x92s Social Care\",Oct 2017,Red\r\n";
    let t = read_table(bytes, "tracker.csv").unwrap();
    assert_eq!(t[1][0], "Fund £100,000 for the council’s hub – now");
    let p = plan_ok(&t, &suggested_preset(&t));
    let e = &p.entries[0];
    assert_eq!(e.committee_wording, "Fund £100,000 for the council’s hub – now");
    assert_eq!(e.leads, vec![lead("Vicky Buchanan", "Head of Children’s Social Care")]);
    assert_eq!(e.actions[0].target, Some(d(2017, 10, 31)));
}

#[test]
fn utf8_csv_with_bom_and_multi_line_cells() {
    let text = "\u{feff}Ref,Recommendation,Progress made,RAG\r\nSR (17/18) 01a,\"(1) Sefton’s Members\r\nsecond line\",\"7 December 2017: Letters sent\r\n\r\n8 January 2018: Replies\",Amber\r\n";
    let t = read_table(text.as_bytes(), "tracker.csv").unwrap();
    assert_eq!(t[0][0], "Ref", "the BOM is not part of the first heading");
    let p = plan_ok(&t, &suggested_preset(&t));
    let e = &p.entries[0];
    assert_eq!((e.number, e.sub_label.as_str()), (1, "a"), "the reference gives the number");
    assert_eq!(e.committee_wording, "Sefton’s Members\nsecond line", "a prefix that only repeats the reference's number is not wording");
    assert_eq!(e.updates.len(), 2);
    assert_eq!(e.updates[1], ImportedUpdate { date: Some(d(2018, 1, 8)), narrative: "Replies".into() });
}

#[test]
fn utf16le_tab_separated_unicode_text() {
    let text = "Recommendation\tLead Officer\tDate\tRAG\r\n\"Zoë’s recommendation, with a comma\"\tSteph Cordon Head of Service\t31/05/2017\tg\r\n\tJo Bloggs, Director\tCompleted\t\r\n";
    let t = read_table(&utf16le_with_bom(text), "tracker.txt").unwrap();
    assert_eq!(t[0], vec!["Recommendation", "Lead Officer", "Date", "RAG"]);
    assert_eq!(t[1][0], "Zoë’s recommendation, with a comma");
    let p = plan_ok(&t, &suggested_preset(&t));
    let e = &p.entries[0];
    assert_eq!(e.leads, vec![lead("Steph Cordon", "Head of Service"), lead("Jo Bloggs", "Director")]);
    assert_eq!(e.actions.len(), 2, "the second row continues the first: {e:#?}");
    assert_eq!(e.actions[0].target, Some(d(2017, 5, 31)));
    assert!(e.actions[1].done);
    assert_eq!(e.rag, Some(Rag::Green));
}

#[test]
fn semicolon_separated_csv() {
    let text = "Ref;Recommendation;Lead officer;Date;Status\n1;Write to MPs, then report;Steph Cordon, Head of Service;May 2017, revised to July 2017;Ongoing\n2;Train drivers;;Ongoing;Not started\n";
    let t = read_table(text.as_bytes(), "tracker.csv").unwrap();
    assert_eq!(t[0].len(), 5);
    let p = plan_ok(&t, &suggested_preset(&t));
    assert_eq!(p.entries.len(), 2);
    assert_eq!(p.entries[0].committee_wording, "Write to MPs, then report");
    assert_eq!(p.entries[0].actions[0].revisions, vec![d(2017, 7, 31)]);
    assert_eq!(p.entries[1].lifecycle, Some(Lifecycle::NotStarted), "the Status column wins over “Ongoing”");
}

#[test]
fn heading_row_beyond_the_file_and_headings_only() {
    let t = read_table(b"Recommendation,RAG\n", "t.csv").unwrap();
    let preset =
        Preset { name: "x".into(), header_row: 1, mapping: Mapping { columns: vec![(ImportField::Recommendation, "Recommendation".into())] } };
    let errs = plan(&t, &preset, today()).unwrap_err();
    assert!(errs[0].message.starts_with("The file has no recommendations below the headings"));
    let errs = plan(&t, &Preset { header_row: 3, ..preset }, today()).unwrap_err();
    assert_eq!(errs[0].row, 0);
    assert!(errs[0].message.contains("row 3"));
}

// ---------------------------------------------------------------------------
// Inputs the fuzzer (fuzz/fuzz_targets/import.rs) found crashing, kept as regressions
// ---------------------------------------------------------------------------

fn from_hex(parts: &[&str]) -> Vec<u8> {
    let s: String = parts.concat();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// A cut-short OLE/CFB container: calamine's CFB parser asserts on it
/// (`utils.rs` `to_u32`), so Assure reads CFB directories itself.
const FUZZ_CFB_TRUNCATED: &[&str] = &[
    "d0cf11e0a1b11ae1000000000000000000000000000000003e000300feff090006000000000000000000000001000000",
    "010000000000000000100000feffffff00000000feffffff0000000000000000ffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffff5265636f6d6d656e646174696f6e3b446174653b536174696f6e",
    "3b446174653b53745265662c5265636f6d6d956e64617469672c57686f206d757374206163742c417265612c4c651086",
    "effe8a61ef66931eac9424a5b4a888c5d25a3cafd949b3909d8d3b93d2fe7b89a242729ce7fd98997c79f12d9c31b20b",
    "54a82c49152055c13a3a15eaf8f6707baf80c590356d202cd415592dcb9b9c59e0e25be2423522dd426bae1af4610129",
    "696f6e2c45786563757469766520776f7264696e672c57686f206d757374206163742c417265612c4c656164206f6666",
    "696365722c416374696f6e2c446174652c496d70726f766564206f7574636f6d652c526573706f6e7365742c53617475",
    "732c5241472c50726f67726573730a2c2832292862292c576f7264617453745265ffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff662c",
    "5265636f6d6d656e646174696fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "fffffffffffffdfffffffeffffff03000000040000000500000006000000070000000800000009000000feffffff0b00",
    "00000c0000000d0000000e0000000f0000001000000011000000feffffffffffffffffffffffffffff",
];

#[test]
fn fuzz_regression_truncated_cfb() {
    let bytes = from_hex(FUZZ_CFB_TRUNCATED);
    assert_eq!(bytes.len(), 953);
    for name in ["tracker.csv", "tracker.xlsx"] {
        assert!(matches!(read_table(&bytes, name), Err(ReadError::UnsupportedFormat(_))), "{name}");
    }
    assert_eq!(read_table(&bytes, "old.xls"), Err(ReadError::UnsupportedFormat("XLS (Excel 97-2003)".into())));
}

/// Writes the fuzz corpus seeds (run with `--ignored` when they need remaking).
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/import");
    std::fs::create_dir_all(&dir).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["Ref", "Recommendation", "Lead Officer", "Date", "RAG", "Progress made"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "SR 01a").unwrap();
    ws.write_string(1, 1, "1. Write to MPs").unwrap();
    ws.write_string(1, 2, "Steph Cordon Head of Service").unwrap();
    ws.write_string(1, 3, "May 2017 / Revised to July 2017").unwrap();
    ws.write_string(1, 4, "Amber").unwrap();
    ws.write_string(1, 5, "7 December 2017: sent").unwrap();
    ws.write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2018, 6, 1).unwrap(), &Format::new().set_num_format("mmm-yy")).unwrap();
    std::fs::write(dir.join("seed-tracker.xlsx"), wb.save_to_buffer().unwrap()).unwrap();
    std::fs::write(
        dir.join("seed-tracker.csv"),
        "Ref,Recommendation,Lead Officer,Date,RAG,Progress made\nSR 01,\"(1) Write\nto MPs\",\"Steph Cordon, Head of Service\",Ongoing,R,\"7 December 2017: a\n\n8 Jan 2018 - b\"\n,,,Completed,,\na) sub,Head of Regulation and Compliance,31/05/2017,Yellow,\n",
    )
    .unwrap();
    std::fs::write(dir.join("seed-semicolon.csv"), b"Recommendation;Date;Status\nDo it;Dec 202017;On hold\n").unwrap();
    std::fs::write(dir.join("seed-utf16.txt"), utf16le_with_bom("Recommendation\tRAG\r\nZoë\tG\r\n")).unwrap();
    std::fs::write(dir.join("seed-1252.csv"), b"Recommendation,Lead\n\"\xA3100 \x92x\x92\",A \x96 Head\n").unwrap();
    std::fs::write(dir.join("seed-register.csv"), {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut e = RegisterEntry::new(2, "Wording");
        e.sub_label = "b".into();
        e.updates = vec![ImportedUpdate { date: Some(d(2017, 12, 7)), narrative: "x".into() }];
        for row in register_table(&[e]) {
            w.write_record(&row).unwrap();
        }
        w.into_inner().unwrap()
    })
    .unwrap();
    std::fs::write(dir.join("seed-encrypted.bin"), cfb(&["EncryptionInfo", "EncryptedPackage"])).unwrap();
    std::fs::write(dir.join("seed-docx.zip"), stored_zip(&[("word/document.xml", b"<w/>".as_slice())])).unwrap();
}
