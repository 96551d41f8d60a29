//! Monitoring reports, tracker imports and register exports from the command line:
//! `assure report generate`, `assure import` and `assure export`.
//!
//! Files are written atomically (to `FILE.tmp`, then renamed), every report or
//! register written is recorded in the audit log, and the slow steps (reading a
//! workbook, checking it, committing, rendering, converting to PDF) show a spinner
//! on standard error when it is a terminal, and nothing otherwise.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use assure_documents::{read, render, spreadsheet, DocumentError, Format};
use assure_domain::dates::{long, parse_user};
use assure_domain::import::{guess_header_row, headings, plan, suggest_mapping, CellError, Preset};
use assure_domain::quarterly::{Quarter, QuarterlyKind};
use assure_domain::report::Layout;
use assure_domain::tracker::number_label;
use assure_storage::audit::Event;
use assure_storage::imports::OnExisting;
use assure_storage::reports::{DraftInput, ReportInput, ReportRecord};
use assure_storage::tracker::RecFilter;
use assure_storage::{Actor, Store, StoreError};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};

use crate::{
    open_store, CmdResult, ExportArgs, Failure, GenerateArgs, Global, ImportArgs, LayoutArg, ModernGovArgs, QuarterlyArg, RegisterFormat,
    ReportFormat,
};

/// How many choices an "unknown committee/review" message lists.
const CHOICES_SHOWN: usize = 15;
/// How much of a recommendation's wording a dry run shows.
const WORDING_SHOWN: usize = 60;

// ------------------------------------------------------------------ progress

/// A spinner on standard error for the slow steps, drawn only when standard error
/// is a terminal (so captured output stays clean). Cleared when dropped.
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn start(message: impl Into<Cow<'static, str>>) -> Progress {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        } else {
            ProgressBar::hidden()
        };
        bar.set_message(message);
        Progress { bar }
    }

    fn step(&self, message: impl Into<Cow<'static, str>>) {
        self.bar.set_message(message);
    }

    /// From a spinner to a bar counting `len` things (set with `bar.set_position`).
    fn counting(&self, len: u64, message: impl Into<Cow<'static, str>>) {
        self.bar.set_length(len);
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed}, {eta} left)") {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_message(message);
    }

    /// A line on standard error, above the spinner.
    fn note(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// Run CPU-bound or blocking work (rendering, LibreOffice, reading a workbook) off
/// the async workers.
async fn blocking<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> Result<T, Failure> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Failure::Runtime(format!("{what} stopped: {e}")))
}

// ------------------------------------------------------------------ small helpers

/// Text on one line, cut to `max` characters with an ellipsis.
fn one_line(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max).collect::<String>().trim_end())
    }
}

fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The choices, one per line, indented (so `main` prints them as a continuation).
fn choices(items: &[&(i64, String)]) -> String {
    let mut lines: Vec<String> = items.iter().take(CHOICES_SHOWN).map(|(id, name)| format!("  {id:>5}  {}", one_line(name, 100))).collect();
    if items.len() > CHOICES_SHOWN {
        lines.push(format!("  … and {} more", items.len() - CHOICES_SHOWN));
    }
    lines.join("\n")
}

/// A committee or review named by its exact name (any case) or its id.
fn resolve(kind: &str, flag: &str, given: &str, items: &[(i64, String)]) -> Result<(i64, String), Failure> {
    let want = given.trim();
    let lower = want.to_lowercase();
    let named: Vec<&(i64, String)> = items.iter().filter(|(_, n)| n.trim().to_lowercase() == lower).collect();
    match named.len() {
        1 => return Ok(named[0].clone()),
        0 => {}
        _ => return Err(Failure::Usage(format!("more than one {kind} is called “{want}”: give {flag} its id instead\n{}", choices(&named)))),
    }
    if let Ok(id) = want.parse::<i64>() {
        if let Some(found) = items.iter().find(|(i, _)| *i == id) {
            return Ok(found.clone());
        }
    }
    if items.is_empty() {
        return Err(Failure::Usage(format!("there is no {kind} “{want}”: none have been added yet")));
    }
    let all: Vec<&(i64, String)> = items.iter().collect();
    Err(Failure::Usage(format!("there is no {kind} “{want}”. Give {flag} one of these names or ids:\n{}", choices(&all))))
}

async fn find_committee(store: &Store, given: &str) -> Result<(i64, String), Failure> {
    let bodies: Vec<(i64, String)> = store.tracker().bodies().await?.into_iter().map(|b| (b.id, b.name)).collect();
    resolve("committee", "--committee", given, &bodies)
}

async fn find_review(store: &Store, given: &str) -> Result<(i64, String), Failure> {
    resolve("review", "--review", given, &store.tracker().review_titles().await?)
}

fn parse_meeting(s: &str) -> Result<NaiveDate, Failure> {
    parse_user(s).ok_or_else(|| {
        Failure::Usage(format!(
            "--meeting “{}” is not a date: give the date of the meeting as YYYY-MM-DD, for example --meeting 2018-01-16",
            s.trim()
        ))
    })
}

fn layout(l: LayoutArg) -> Layout {
    match l {
        LayoutArg::ProgressMade => Layout::ProgressMade,
        LayoutArg::RagTracker => Layout::RagTracker,
    }
}

fn extension(out: &Path) -> Option<String> {
    out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

fn report_format(given: Option<ReportFormat>, out: &Path) -> Result<Format, Failure> {
    Ok(match given {
        Some(ReportFormat::Docx) => Format::Docx,
        Some(ReportFormat::Pdf) => Format::Pdf,
        Some(ReportFormat::Xlsx) => Format::Xlsx,
        Some(ReportFormat::Csv) => Format::Csv,
        Some(ReportFormat::Html) => Format::Html,
        None => extension(out)
            .and_then(|e| Format::from_extension(&e))
            .ok_or_else(|| Failure::Usage("say which format to write with --format docx, pdf, xlsx, csv or html".into()))?,
    })
}

/// Refuse an output path that cannot be written before doing any work.
fn check_out(out: &Path) -> Result<(), Failure> {
    if out.as_os_str().is_empty() {
        return Err(Failure::Usage("give --out the name of the file to write".into()));
    }
    if out.is_dir() {
        return Err(Failure::Usage(format!("--out {} is a folder: give the name of the file to write in it", out.display())));
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Failure::Usage(format!("cannot write {}: the folder {} does not exist", out.display(), parent.display())));
    }
    Ok(())
}

/// `FILE.tmp` beside `FILE`.
fn temporary_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

/// Write the whole file or nothing: a reader never sees half a report.
fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let tmp = temporary_path(out);
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, out)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure::Runtime(format!("cannot write {}: {e}", out.display()))
    })
}

fn document_failure(e: DocumentError) -> Failure {
    match e {
        DocumentError::NoConverter(why) => Failure::Runtime(format!(
            "PDF output needs LibreOffice ({why}): install it (the soffice program, or name it in ASSURE_SOFFICE), or write --format docx instead"
        )),
        other => Failure::Runtime(format!("the report could not be produced: {other}")),
    }
}

/// "23 November 2026" from a stored timestamp.
fn day_of(timestamp: &str) -> String {
    timestamp.get(..10).and_then(assure_domain::dates::parse_iso).map(long).unwrap_or_else(|| timestamp.to_string())
}

// ------------------------------------------------------------------ report generate

pub async fn report_generate(g: &Global, a: &GenerateArgs) -> CmdResult {
    if let Some(kind) = a.quarterly {
        return quarterly_generate(g, a, kind).await;
    }
    // Everything that needs no database first.
    let meeting = parse_meeting(a.meeting.as_deref().unwrap_or_default())?;
    if a.committee.is_none() && a.review.is_none() {
        return Err(Failure::Usage("say what the report is for: --committee NAME|ID, --review ID|TITLE, or both".into()));
    }
    let format = report_format(a.format, &a.out)?;
    check_out(&a.out)?;
    let store = open_store(g).await?;
    let result = generate(&store, a, meeting, format).await;
    store.close().await;
    result
}

/// The report for this scope and meeting: the latest issue, else the newest draft.
fn existing_report(reports: Vec<ReportRecord>, review_id: Option<i64>, body_id: Option<i64>, meeting: NaiveDate) -> Option<ReportRecord> {
    let same: Vec<ReportRecord> =
        reports.into_iter().filter(|r| r.review_id == review_id && r.body_id == body_id && r.meeting_date == meeting).collect();
    let issued = same.iter().filter(|r| r.is_issued()).max_by_key(|r| (r.issue, r.id)).cloned();
    issued.or_else(|| same.into_iter().filter(|r| !r.is_issued()).max_by_key(|r| r.id))
}

async fn generate(store: &Store, a: &GenerateArgs, meeting: NaiveDate, format: Format) -> CmdResult {
    let actor = Actor::system();
    let today = store.today();
    let progress = Progress::start("Finding the report");
    let body = match &a.committee {
        Some(c) => Some(find_committee(store, c).await?),
        None => None,
    };
    let review = match &a.review {
        Some(r) => Some(find_review(store, r).await?),
        None => None,
    };
    let (review_id, body_id) = (review.as_ref().map(|r| r.0), body.as_ref().map(|b| b.0));
    let scope = match (&review, &body) {
        (Some((_, r)), Some((_, b))) => format!("{r} – {b}"),
        (Some((_, r)), None) => r.clone(),
        (None, Some((_, b))) => b.clone(),
        (None, None) => String::new(),
    };
    let wanted = a.layout.map(layout);
    let id = match existing_report(store.reports().list(review_id).await?, review_id, body_id, meeting) {
        Some(r) if r.is_issued() => {
            let by = r.issued_by.as_deref().map(|n| format!(" by {n}")).unwrap_or_default();
            let when = r.issued_at.as_deref().map(day_of).unwrap_or_default();
            progress.note(&format!(
                "Report {}: issue {}, issued {when}{by}. Writing what it said when it was issued.",
                r.id,
                r.issue.unwrap_or_default()
            ));
            if wanted.is_some_and(|l| l != r.layout) {
                progress.note(&format!("An issued report keeps its layout ({}): --layout is ignored.", r.layout.slug()));
            }
            r.id
        }
        Some(r) => {
            progress.note(&format!("Using draft report {} for {scope}, {} (edit it on the web at /reports/{}).", r.id, long(meeting), r.id));
            if let Some(l) = wanted.filter(|l| *l != r.layout) {
                store
                    .reports()
                    .save(
                        &actor,
                        r.id,
                        r.version,
                        &DraftInput {
                            cover: r.cover.clone(),
                            layout: Some(l),
                            include_changes: Some(r.include_changes),
                            compare_with_id: r.compare_with_id,
                        },
                    )
                    .await?;
                progress.note(&format!("Its layout is now {}.", l.slug()));
            }
            r.id
        }
        None => {
            progress.step("Creating a draft report");
            let input = ReportInput { review_id, body_id, meeting_date: Some(meeting), layout: Some(wanted.unwrap_or(Layout::ProgressMade)) };
            let id = store.reports().create(&actor, &input).await?;
            progress.note(&format!(
                "Created draft report {id} for {scope}, {}: edit its cover on the web at /reports/{id}, then issue it.",
                long(meeting)
            ));
            id
        }
    };
    progress.step("Assembling the report");
    let report = store.reports().monitoring_report(id, today).await?;
    progress.step(match format {
        Format::Pdf => "Writing the report and converting it to PDF with LibreOffice".to_string(),
        f => format!("Writing the report as {}", f.label()),
    });
    let bytes = blocking("rendering the report", move || render(&report, format)).await?.map_err(document_failure)?;
    write_atomically(&a.out, &bytes)?;
    store.reports().record_export(&actor, id, format.extension()).await?;
    drop(progress);
    println!("Wrote {} ({}, {}).", a.out.display(), format.label(), size(bytes.len()));
    Ok(())
}

/// `assure report generate --quarterly macse|cabinet --quarter YYYY-Qn`: the signed
/// report as frozen, else the draft (started from the quarter's closed months when there
/// is none yet, to be written and signed on the web).
async fn quarterly_generate(g: &Global, a: &GenerateArgs, kind: QuarterlyArg) -> CmdResult {
    let kind = match kind {
        QuarterlyArg::Macse => QuarterlyKind::Macse,
        QuarterlyArg::Cabinet => QuarterlyKind::Cabinet,
    };
    let raw = a.quarter.as_deref().unwrap_or_default();
    let quarter =
        Quarter::parse(raw).ok_or_else(|| Failure::Usage(format!("--quarter {raw:?} is not a quarter: write it as YYYY-Qn, for example 2026-Q3")))?;
    let format = report_format(a.format, &a.out)?;
    if !assure_documents::QUARTERLY_FORMATS.contains(&format) {
        return Err(Failure::Usage("a quarterly report is written as docx, pdf, xlsx or csv".into()));
    }
    check_out(&a.out)?;
    let store = open_store(g).await?;
    let result = quarterly_write(&store, a, kind, quarter, format).await;
    store.close().await;
    result
}

async fn quarterly_write(store: &Store, a: &GenerateArgs, kind: QuarterlyKind, quarter: Quarter, format: Format) -> CmdResult {
    let actor = Actor::system();
    let progress = Progress::start("Finding the report");
    let existing = store.quarterly().list(false).await?.into_iter().find(|r| r.kind == kind && r.quarter == quarter);
    let id = match existing {
        Some(r) if r.signed => {
            progress.note(&format!("{} for {}: signed by both co-chairs. Writing it as frozen.", kind.label(), quarter.label()));
            r.id
        }
        Some(r) => {
            progress.note(&format!("Using the draft (report {}): write and sign it on the web at /quarterly-reports/{}.", r.id, r.id));
            r.id
        }
        None => {
            progress.step("Starting the report from the quarter's closed months");
            let id = store.quarterly().create(&actor, kind, quarter).await?;
            progress.note(&format!("Started a draft (report {id}): write and sign it on the web at /quarterly-reports/{id}."));
            id
        }
    };
    progress.step("Assembling the report");
    let in_full = !kind.suppressed();
    let report = store.quarterly().document(id, in_full).await?;
    progress.step(match format {
        Format::Pdf => "Writing the report and converting it to PDF with LibreOffice".to_string(),
        f => format!("Writing the report as {}", f.label()),
    });
    let bytes = blocking("rendering the report", move || assure_documents::render_quarterly(&report, format)).await?.map_err(document_failure)?;
    write_atomically(&a.out, &bytes)?;
    store.quarterly().record_view(&actor, id, &format!("written by the command line as {}", format.extension()), in_full).await?;
    drop(progress);
    println!("Wrote {} ({}, {}).", a.out.display(), format.label(), size(bytes.len()));
    Ok(())
}

// ------------------------------------------------------------------ import

/// Every problem as given, then what it means.
fn refused(problems: &[CellError]) -> Failure {
    let mut lines: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
    lines.push("Nothing was imported.".into());
    Failure::Refused(lines.join("\n"))
}

fn file_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    let meta = std::fs::metadata(path).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    if meta.is_dir() {
        return Err(Failure::Usage(format!("{} is a folder: give the tracker file to import", path.display())));
    }
    if meta.len() > read::MAX_BYTES as u64 {
        return Err(Failure::Usage(read::ReadError::TooBig { limit_mb: read::MAX_BYTES / (1024 * 1024) }.to_string()));
    }
    std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))
}

async fn find_preset(store: &Store, name: &str) -> Result<Preset, Failure> {
    match store.imports().preset(name).await {
        Ok(p) => Ok(p),
        Err(StoreError::NotFound) => {
            let names: Vec<String> = store.imports().presets().await?.into_iter().map(|p| format!("  {}", p.name)).collect();
            Err(Failure::Usage(format!("there is no import preset called “{}”. Give --preset one of these:\n{}", name.trim(), names.join("\n"))))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn import(g: &Global, a: &ImportArgs) -> CmdResult {
    let Some(review) = a.review.as_deref() else {
        let store = open_store(g).await?;
        let titles = store.tracker().review_titles().await;
        store.close().await;
        let titles = titles?;
        let listed: Vec<&(i64, String)> = titles.iter().collect();
        let mut m = "say which review the recommendations belong to with --review ID|TITLE".to_string();
        if listed.is_empty() {
            m.push_str(" (there are no reviews yet: add the review first)");
        } else {
            m.push_str(&format!(":\n{}", choices(&listed)));
        }
        return Err(Failure::Usage(m));
    };
    let name = a.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| a.file.display().to_string());
    let progress = Progress::start(format!("Reading {name}"));
    let bytes = file_bytes(&a.file)?;
    let read_name = name.clone();
    let table = blocking("reading the file", move || read::read_table(&bytes, &read_name)).await?.map_err(|e| Failure::Usage(e.to_string()))?;
    let store = open_store(g).await?;
    let result = import_table(&store, a, review, &name, table, &progress).await;
    store.close().await;
    result
}

async fn import_table(
    store: &Store,
    a: &ImportArgs,
    review: &str,
    source: &str,
    table: assure_domain::import::Table,
    progress: &Progress,
) -> CmdResult {
    let today = store.today();
    let (review_id, title) = find_review(store, review).await?;
    let preset = match (&a.preset, a.guess) {
        // A saved mapping's heading row is found in this file.
        (Some(name), false) => find_preset(store, name).await?.fitted(&table),
        (None, true) => {
            let header_row = guess_header_row(&table);
            Preset { name: String::new(), header_row, mapping: suggest_mapping(&headings(&table, header_row)) }
        }
        _ => {
            return Err(Failure::Usage(
                "say how to read the file's columns: --preset NAME (a saved column mapping, such as \"Assure register\") or --guess".into(),
            ))
        }
    };
    if a.guess && a.dry_run {
        drop_progress(progress);
        println!("Guessed mapping: headings on row {}", preset.header_row);
        let lw = preset.mapping.columns.iter().map(|(f, _)| f.label().chars().count()).max().unwrap_or(0);
        for (f, h) in &preset.mapping.columns {
            println!("  {:<lw$}  ← “{h}”", f.label());
        }
        let unmapped: Vec<String> = headings(&table, preset.header_row)
            .into_iter()
            .filter(|h| !h.is_empty() && !preset.mapping.columns.iter().any(|(_, m)| m == h))
            .collect();
        if !unmapped.is_empty() {
            println!("  Not imported: {}", unmapped.iter().map(|h| format!("“{h}”")).collect::<Vec<_>>().join(", "));
        }
    }
    progress.step(format!("Checking {} rows", table.len().saturating_sub(preset.header_row)));
    let planned = blocking("checking the file", move || plan(&table, &preset, today)).await?;
    let plan = planned.map_err(|problems| refused(&problems))?;
    if plan.entries.is_empty() {
        return Err(refused(&[CellError { row: 0, column: String::new(), message: "The file has no recommendations to import".into() }]));
    }
    let on_existing = if a.update_existing {
        OnExisting::Update
    } else if a.fresh_references {
        OnExisting::AsNew
    } else {
        OnExisting::Refuse
    };
    let conflicts = store.imports().conflicts_with(review_id, &plan, on_existing).await?;
    if !conflicts.is_empty() {
        let mut lines: Vec<String> = conflicts.iter().map(|p| p.message.clone()).collect();
        if conflicts.iter().any(|c| c.column == "Reference") && on_existing == OnExisting::Refuse {
            lines.push("--update-existing updates those recommendations in place (matched by reference); --fresh-references imports them as new recommendations with fresh references.".into());
        }
        lines.push("Nothing was imported.".into());
        return Err(Failure::Refused(lines.join("\n")));
    }
    let in_place = match on_existing {
        OnExisting::Update => store.imports().in_place(&plan, today).await?.map_err(|problems| refused(&problems))?,
        _ => Vec::new(),
    };
    for w in &plan.warnings {
        progress.note(&format!("Note: {}", w.message));
    }
    let updating: std::collections::HashSet<usize> = in_place.iter().map(|u| u.index).collect();
    let added: Vec<&assure_domain::import::RegisterEntry> =
        plan.entries.iter().enumerate().filter(|(i, _)| !updating.contains(i)).map(|(_, e)| e).collect();
    let (n, actions, updates) =
        (added.len(), added.iter().map(|e| e.actions.len()).sum::<usize>(), added.iter().map(|e| e.updates.len()).sum::<usize>());
    let changed = in_place.iter().filter(|u| !u.changes.is_empty()).count();
    if a.dry_run {
        drop_progress(progress);
        println!("Dry run: {n} recommendations, {actions} actions and {updates} updates would be imported into “{title}”:");
        let labels: Vec<String> = added.iter().map(|e| number_label(e.number, Some(&e.sub_label))).collect();
        let refs: Vec<&str> = added.iter().map(|e| if e.reference.trim().is_empty() { "-" } else { e.reference.trim() }).collect();
        let lw = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let rw = refs.iter().map(|r| r.chars().count()).max().unwrap_or(0);
        for ((e, label), reference) in added.iter().zip(&labels).zip(&refs) {
            println!("  {label:<lw$}  {reference:<rw$}  {}", one_line(&e.committee_wording, WORDING_SHOWN));
        }
        if !in_place.is_empty() {
            println!("{changed} recommendations already in the register would be updated in place:");
            for u in &in_place {
                println!("  Row {}: {} ({})", u.row, u.reference, u.holder.name);
                if u.changes.is_empty() {
                    println!("    No change");
                }
                for c in &u.changes.fields {
                    let old = if c.old.is_empty() { "(blank)".to_string() } else { one_line(&c.old, WORDING_SHOWN) };
                    println!("    {}: {old} → {}", c.field.label(), one_line(&c.new, WORDING_SHOWN));
                }
                for ac in &u.changes.actions_added {
                    println!("    Action added: {}", one_line(&ac.text, WORDING_SHOWN));
                }
                for up in &u.changes.updates_added {
                    let date = up.date.map(long).unwrap_or_else(|| "Undated".into());
                    println!("    Update added: {date}: {}", one_line(&up.narrative, WORDING_SHOWN));
                }
            }
        }
        println!("Nothing was changed (--dry-run).");
        return Ok(());
    }
    progress.step(format!("Importing {n} recommendations"));
    let options = assure_storage::imports::CommitOptions {
        suggest_rag: a.suggest_rag,
        on_existing,
        // Exactly the recommendations (and versions) checked above.
        expected: in_place.iter().map(|u| (u.holder.id, u.holder.version)).collect(),
    };
    match store.imports().commit_with(&Actor::system(), review_id, &plan, today, source, None, options).await? {
        Ok(o) => {
            drop_progress(progress);
            println!(
                "Imported {} recommendations, {} actions and {} updates into “{title}” (review {review_id}).",
                o.recommendations, o.actions, o.updates
            );
            if o.updated + o.unchanged > 0 {
                println!("Updated {} recommendations already in the register in place ({} unchanged).", o.updated, o.unchanged);
            }
            if o.leads_linked + o.leads_as_text > 0 {
                println!("Lead officers: {} matched to accounts by name, {} kept as written.", o.leads_linked, o.leads_as_text);
            }
            let unrated = added.iter().filter(|e| e.rag.is_none()).count();
            if unrated > 0 {
                if a.suggest_rag {
                    println!("RAG: {unrated} with none in the file are given Assure's suggestion, shown marked \"Suggested\".");
                } else {
                    println!(
                        "RAG: {unrated} with none in the file are \"Not rated\" (--suggest-rag lets Assure suggest one, marked as a suggestion)."
                    );
                }
            }
            Ok(())
        }
        Err(problems) => Err(refused(&problems)),
    }
}

/// `assure import-moderngov`: every file read and checked, then all of it imported in
/// one transaction, or nothing and a report of every problem.
pub async fn import_moderngov(g: &Global, a: &ModernGovArgs) -> CmdResult {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for path in &a.files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        match assure_documents::moderngov::read_source(&name, &file_bytes(path)?) {
            Ok(s) => sources.push(s),
            Err(p) => problems.push(p.message),
        }
    }
    let refuse = |mut lines: Vec<String>| {
        lines.push("Nothing was imported.".into());
        Failure::Refused(lines.join("\n"))
    };
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    let store = open_store(g).await?;
    let result = async {
        let plan = assure_domain::moderngov::plan(&sources, store.today()).map_err(|ps| refuse(ps.into_iter().map(|p| p.message).collect()))?;
        let outcome =
            store.moderngov().import(&Actor::system(), &plan, !a.dry_run).await?.map_err(|ps| refuse(ps.into_iter().map(|p| p.message).collect()))?;
        for n in &plan.notes {
            println!("Note: {}", n.message);
        }
        let verb = if a.dry_run { "Would import" } else { "Imported" };
        for b in &outcome.bodies_added {
            println!("{verb} a new body: {b}");
        }
        for b in &outcome.bodies_found {
            println!("Found: {b}");
        }
        for m in &outcome.meetings {
            println!(
                "{verb} {} ({}): {} agenda items, {} minutes, {} decisions, {} attendance records",
                m.title,
                m.status.label().to_lowercase(),
                m.items,
                m.minutes,
                m.decisions,
                m.attendance
            );
        }
        for m in &outcome.already_imported {
            println!("Imported before, left as it is: {m}");
        }
        if a.dry_run {
            println!("Nothing was changed (--dry-run).");
        } else {
            println!(
                "Imported {} meetings and {} new bodies from ModernGov ({} people who attend meetings added).",
                outcome.meetings.len(),
                outcome.bodies_added.len(),
                outcome.people_added
            );
        }
        Ok(())
    }
    .await;
    store.close().await;
    result
}

/// Clear the spinner before printing results on standard output.
fn drop_progress(p: &Progress) {
    p.bar.finish_and_clear();
}

// ------------------------------------------------------------------ export

pub async fn export(g: &Global, a: &ExportArgs) -> CmdResult {
    let format = match (a.format, extension(&a.out).as_deref()) {
        (Some(f), _) => f,
        (None, Some("xlsx")) => RegisterFormat::Xlsx,
        (None, Some("csv")) => RegisterFormat::Csv,
        (None, _) => return Err(Failure::Usage("say which format to write with --format xlsx or csv".into())),
    };
    check_out(&a.out)?;
    let store = open_store(g).await?;
    let result = export_register(&store, a, format).await;
    store.close().await;
    result
}

/// The register written to a temporary file beside `--out` a chunk at a time (memory
/// does not grow with the register), with a progress bar counting recommendations,
/// then renamed into place.
async fn export_register(store: &Store, a: &ExportArgs, format: RegisterFormat) -> CmdResult {
    let progress = Progress::start("Gathering the register");
    let review = match &a.review {
        Some(r) => Some(find_review(store, r).await?),
        None => None,
    };
    let filter = RecFilter { review_id: review.as_ref().map(|r| r.0), ..Default::default() };
    let n = store.imports().register_count(&filter).await?;
    let kind = match format {
        RegisterFormat::Xlsx => "XLSX",
        RegisterFormat::Csv => "CSV",
    };
    progress.counting(n as u64, format!("Writing {n} recommendations as {kind}"));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<assure_domain::import::RegisterEntry>, String>>(2);
    let tmp = temporary_path(&a.out);
    let (out, file, bar) = (a.out.clone(), tmp.clone(), progress.bar.clone());
    let writer = blocking("writing the register", move || -> Result<(usize, u64), String> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file).map_err(|e| format!("cannot write {}: {e}", out.display()))?);
        let chunks = std::iter::from_fn(|| rx.blocking_recv());
        let written = spreadsheet::write_register(matches!(format, RegisterFormat::Xlsx), chunks, &mut f, |done| bar.set_position(done as u64))
            .map_err(|e| format!("the register could not be written: {e}"))?;
        let f = f.into_inner().map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        f.sync_all().map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        let bytes = f.metadata().map(|m| m.len()).unwrap_or(0);
        Ok((written, bytes))
    });
    let reading = async {
        let mut chunks = store.imports().register_chunks(&filter, store.today(), 200)?;
        while let Some(chunk) = chunks.next().await? {
            if tx.send(Ok(chunk)).await.is_err() {
                break;
            }
        }
        drop(tx);
        Ok::<(), assure_storage::StoreError>(())
    };
    let (read, written) = tokio::join!(reading, writer);
    let finished = match (read, written) {
        (Err(e), _) => Err(Failure::from(e)),
        (_, Err(e)) => Err(e),
        (_, Ok(Err(e))) => Err(Failure::Runtime(e)),
        (Ok(()), Ok(Ok(done))) => Ok(done),
    };
    let (written, bytes) = match finished {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, &a.out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure::Runtime(format!("cannot write {}: {e}", a.out.display()))
    })?;
    let detail = match &review {
        Some((_, title)) => format!("{written} recommendations of “{title}” exported as {kind} from the command line"),
        None => format!("{written} recommendations exported as {kind} from the command line"),
    };
    store.record(&Actor::system(), Event::new("register.export", "register", "cli", detail)).await?;
    drop(progress);
    println!("Exported {written} recommendations to {} ({kind}, {}).", a.out.display(), size(bytes as usize));
    Ok(())
}

/// `assure subject-access --child ID --out FILE.zip`: everything held about one child,
/// police-only material marked for redaction review; audited (as the command line).
pub async fn subject_access(g: &Global, child: i64, out: &Path) -> CmdResult {
    check_out(out)?;
    let store = open_store(g).await?;
    let result = async {
        let officer = store.ig_officer(Actor::system()).await?.ok_or_else(|| Failure::Runtime("the command line was refused".into()))?;
        let export = match store.subject_access(&officer, child).await {
            Err(StoreError::NoSuchChild) => return Err(Failure::Usage(format!("no child has the record number {child}"))),
            other => other?,
        };
        let (records, kinds, review) = (export.records(), export.kinds.len(), export.for_redaction_review());
        let bytes = blocking("writing the export", move || assure_documents::subject_access::zip(&export))
            .await?
            .map_err(|e| Failure::Runtime(e.to_string()))?;
        write_atomically(out, &bytes)?;
        println!(
            "Exported {records} records of {kinds} kinds about child {child} to {} ({}); {review} marked for redaction review.",
            out.display(),
            size(bytes.len())
        );
        Ok(())
    }
    .await;
    store.close().await;
    result
}

/// `assure retention due`: the children's records due for destruction today.
pub async fn retention_due(g: &Global) -> CmdResult {
    let store = open_store(g).await?;
    let result = async {
        let officer = store.ig_officer(Actor::system()).await?.ok_or_else(|| Failure::Runtime("the command line was refused".into()))?;
        let due = store.retention_due(&officer).await?;
        if due.is_empty() {
            println!("No child's record is due for destruction today.");
        }
        for d in &due {
            let held = if d.held { "  under a legal hold: kept" } else { "" };
            println!("child {}  last activity {}  due {}{held}", d.child_id, d.last_activity, d.due_on);
        }
        Ok(())
    }
    .await;
    store.close().await;
    result
}

fn dataset_month(month: &str) -> Result<assure_domain::datasets::Month, Failure> {
    assure_domain::datasets::Month::parse(month)
        .ok_or_else(|| Failure::Usage(format!("--month must be a month written YYYY-MM, such as 2026-03 (it is {month:?})")))
}

/// `assure dataset close --month YYYY-MM`.
pub async fn dataset_close(g: &Global, month: &str) -> CmdResult {
    let month = dataset_month(month)?;
    let store = open_store(g).await?;
    let result = store.datasets().close(&Actor::system(), month).await;
    store.close().await;
    let closed = result?;
    println!("{} closed: {} figures frozen, fingerprint {}", month.label(), closed.snapshot.figures.len(), closed.fingerprint);
    Ok(())
}

/// `assure dataset export --month YYYY-MM --format xlsx|csv [--suppressed]`. Police-only
/// measures are left out (they never leave police roles); an export of unsuppressed
/// figures is audited.
pub async fn dataset_export(g: &Global, month: &str, format: RegisterFormat, suppressed: bool, out: Option<PathBuf>) -> CmdResult {
    let month = dataset_month(month)?;
    let ext = if format == RegisterFormat::Xlsx { "xlsx" } else { "csv" };
    let out = out.unwrap_or_else(|| PathBuf::from(format!("cse-dataset-{month}{}.{ext}", if suppressed { "-suppressed" } else { "" })));
    check_out(&out)?;
    let store = open_store(g).await?;
    let result = async {
        let sets = store.datasets();
        let d = sets.month(month).await?;
        let figures = if suppressed { sets.published(&d).await? } else { d.figures.iter().map(assure_domain::disclosure::unsuppressed).collect() };
        if !suppressed {
            sets.audit_unsuppressed(&Actor::system(), month, &format!("exported as {} by the assure command", ext.to_uppercase())).await?;
        }
        let status = match d.status {
            assure_storage::datasets::MonthStatus::Closed { .. } => "closed",
            assure_storage::datasets::MonthStatus::Ended => "ended, not closed",
            assure_storage::datasets::MonthStatus::InProgress => "in progress",
        };
        Ok::<_, StoreError>(assure_domain::disclosure::table_rows(month, status, &d.measures, &figures, false))
    }
    .await;
    store.close().await;
    let rows = result?;
    let bytes = match format {
        RegisterFormat::Csv => spreadsheet::table_csv(&rows),
        RegisterFormat::Xlsx => {
            spreadsheet::table_xlsx(&[("CSE dataset", &rows)]).map_err(|e| Failure::Runtime(format!("the dataset could not be written: {e}")))?
        }
    };
    std::fs::write(&out, bytes).map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", out.display())))?;
    println!(
        "{} written to {} ({} rows{})",
        month.label(),
        out.display(),
        rows.len() - 1,
        if suppressed { ", small numbers suppressed" } else { "" }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<(i64, String)> {
        vec![(1, "Cabinet".into()), (2, "Licensing/CSE Working Group".into()), (7, "2018".into())]
    }

    #[test]
    fn names_win_over_ids_and_any_case_matches() {
        assert_eq!(resolve("committee", "--committee", " cabinet ", &items()).unwrap().0, 1);
        assert_eq!(resolve("committee", "--committee", "2", &items()).unwrap().0, 2);
        assert_eq!(resolve("committee", "--committee", "2018", &items()).unwrap().0, 7, "a body named 2018 is found by name");
        match resolve("committee", "--committee", "Scrutiny", &items()) {
            Err(Failure::Usage(m)) => {
                assert!(m.starts_with("there is no committee “Scrutiny”"), "{m}");
                assert!(m.contains("Licensing/CSE Working Group") && m.lines().skip(1).all(|l| l.starts_with(' ')), "{m}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn meeting_dates_and_formats() {
        assert_eq!(parse_meeting("2018-01-16").unwrap(), NaiveDate::from_ymd_opt(2018, 1, 16).unwrap());
        assert_eq!(parse_meeting("16 January 2018").unwrap(), NaiveDate::from_ymd_opt(2018, 1, 16).unwrap());
        assert!(matches!(parse_meeting("2018-13-01"), Err(Failure::Usage(m)) if m.contains("2018-01-16")));
        assert_eq!(report_format(None, Path::new("x/report.DOCX")).unwrap(), Format::Docx);
        assert_eq!(report_format(Some(ReportFormat::Pdf), Path::new("report.docx")).unwrap(), Format::Pdf);
        assert!(report_format(None, Path::new("report")).is_err());
        assert_eq!(temporary_path(Path::new("/tmp/a.docx")), PathBuf::from("/tmp/a.docx.tmp"));
        assert_eq!(one_line("a\n  b", 60), "a b");
        assert_eq!(one_line(&"x".repeat(61), 60), format!("{}…", "x".repeat(60)));
    }
}
