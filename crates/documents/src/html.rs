//! Monitoring reports as a standalone HTML page for printing or reading on screen.
//!
//! The page is self-contained: its print stylesheet ([`print_css`], in the
//! layout's orientation) sits in one `<style>` element, so a file saved to disk or
//! written by `assure report` prints with its borders, RAG colours and landscape
//! pages. The server allows exactly that element by its hash ([`style_text`] is
//! what is hashed). Class names start with `app-`. RAG values are always written
//! in words; the colour only adds to them.

use assure_domain::report::{change_lines, Layout, MonitoringReport, ReportDiff, ReportRow};
use assure_domain::tracker::Rag;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::docx::{self, appendix_title, change_heading, lines, rag_key, status_words, update_heading};

/// Where the server serves [`PRINT_CSS`] (for print views saved before the
/// stylesheet was carried inside the page).
pub const STYLESHEET_URL: &str = "/assets/print.css";

/// Rows whose text is longer than this (in characters, in their longest cell)
/// may break across pages (with the table heading repeated); shorter rows are
/// kept whole on one page.
pub const LONG_ROW_CHARS: usize = 700;

/// The print stylesheet of the report page: A4 pages with page numbers, the
/// table heading repeated on each page and kept with the rows under it, short
/// rows kept whole and long rows allowed to break, headings kept with what
/// follows, RAG cells coloured and labelled, system fonts only. Portrait: see
/// [`print_css`] for a layout's own orientation.
pub const PRINT_CSS: &str = r#"/* Assure: monitoring report print view */
@page {
  size: A4;
  margin: 2cm 1.8cm 2cm 1.8cm;
  @bottom-center {
    content: "Page " counter(page) " of " counter(pages);
    font: 9pt Arial, "Helvetica Neue", Helvetica, "Liberation Sans", sans-serif;
  }
}
html { color: #0b0c0c; background: #fff; }
body {
  font-family: Arial, "Helvetica Neue", Helvetica, "Liberation Sans", "Nimbus Sans", sans-serif;
  font-size: 11pt;
  line-height: 1.4;
  margin: 0 auto;
  max-width: 60rem;
  padding: 1rem;
}
.app-draft { font-weight: bold; text-align: right; letter-spacing: 0.1em; }
.app-organisation { font-size: 18pt; font-weight: bold; margin: 0 0 0.5rem; }
h1 { font-size: 16pt; margin: 0.5rem 0 1rem; }
h2 { font-size: 13pt; margin: 1.5rem 0 0.5rem; break-after: avoid; page-break-after: avoid; break-inside: avoid; }
h3 { font-size: 11pt; margin: 1.2rem 0 0.4rem; break-after: avoid; page-break-after: avoid; break-inside: avoid; }
p { margin: 0 0 0.5rem; }
table { border-collapse: collapse; width: 100%; margin: 0 0 1rem; font-size: 10pt; }
caption { text-align: left; font-weight: bold; padding: 0 0 0.3rem; break-after: avoid; page-break-after: avoid; }
th, td { border: 1px solid #7f7f7f; padding: 0.2rem 0.35rem; text-align: left; vertical-align: top; }
thead { display: table-header-group; break-inside: avoid; break-after: avoid; page-break-after: avoid; }
thead th { background: #d9d9d9; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
tbody th { background: #f2f2f2; font-weight: bold; width: 32%; }
tr { break-inside: avoid; page-break-inside: avoid; }
tr.app-row--long { break-inside: auto; page-break-inside: auto; }
tr.app-row--long td p { orphans: 3; widows: 3; }
.app-keep { break-inside: avoid; page-break-inside: avoid; }
td p, th p { margin: 0 0 0.25rem; }
.app-numeric { text-align: right; }
.app-muted { font-style: italic; }
.app-update__date { font-weight: bold; }
.app-rag {
  font-weight: bold;
  text-align: center;
  -webkit-print-color-adjust: exact;
  print-color-adjust: exact;
}
span.app-rag { padding: 0 0.3em; }
.app-rag--red { background: #c00000; color: #fff; }
.app-rag--amber { background: #ffbf00; color: #000; }
.app-rag--green { background: #00b050; color: #000; }
.app-rag--not-rated { background: #f2f2f2; color: #000; border: 1px dashed #7f7f7f; }
.app-changes { break-before: page; page-break-before: always; }
.app-changes ul { margin: 0 0 0.75rem 1.25rem; padding: 0; }
.app-changes__wording { font-style: italic; }
@media print {
  body { max-width: none; padding: 0; }
  .app-progress { break-before: page; page-break-before: always; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// What the landscape layouts add to [`PRINT_CSS`].
const LANDSCAPE_CSS: &str = r#"/* This layout prints in landscape */
@page { size: A4 landscape; }
body { max-width: 90rem; }
"#;

/// The print stylesheet of a layout: [`PRINT_CSS`], in landscape for the RAG
/// tracker (as its Word version is).
pub fn print_css(layout: Layout) -> String {
    match layout {
        Layout::RagTracker => format!("{PRINT_CSS}{LANDSCAPE_CSS}"),
        Layout::ProgressMade => PRINT_CSS.to_string(),
    }
}

/// The exact text of the report page's `<style>` element for a layout: what a
/// Content-Security-Policy hash of the page's style is taken over.
pub fn style_text(layout: Layout) -> String {
    print_css(layout)
}

/// The monitoring report as a complete, self-contained HTML document.
pub fn report(r: &MonitoringReport) -> String {
    let subject = if r.cover.subject.trim().is_empty() { &r.title } else { &r.cover.subject };
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (docx::clean(subject)) " – " (docx::clean(&r.organisation)) }
                style { (PreEscaped(style_text(r.layout))) }
            }
            body class={ "app-report app-report--" (r.layout.slug()) } {
                @if r.issue.is_none() { p.app-draft { "DRAFT" } }
                (cover(r, subject))
                (progress(r))
                @if let Some(diff) = &r.changes { (changes_fragment(diff)) }
            }
        }
    }
    .into_string()
}

/// What changed between two reports, as a section: an `h2`, then per
/// recommendation an `h3`, its wording and a list of the changes.
pub fn changes_fragment(diff: &ReportDiff) -> Markup {
    html! {
        section.app-changes aria-labelledby="app-changes-heading" {
            h2 #app-changes-heading { (appendix_title(diff)) }
            p { "This appendix lists what has changed between the report of " (diff.from) " and this report (" (diff.to) ")." }
            @if diff.changes.is_empty() {
                p.app-changes__none { (docx::NO_CHANGES) }
            }
            @for c in &diff.changes {
                div.app-change {
                    h3.app-change__heading { (change_heading(c)) }
                    @for l in lines(&c.wording) { p.app-changes__wording { (l) } }
                    ul.app-change__list {
                        @for l in change_lines(c) { li { (docx::clean(&l)) } }
                    }
                }
            }
        }
    }
}

/// One `p` per line; `empty` (in italics) when there is no text.
fn text(s: &str, empty: &str) -> Markup {
    let ls = lines(s);
    html! {
        @if ls.is_empty() {
            @if !empty.is_empty() { p.app-muted { (empty) } }
        } @else {
            @for l in &ls { p { (l) } }
        }
    }
}

fn rag_class(rag: Option<Rag>) -> &'static str {
    match rag {
        Some(Rag::Red) => "app-rag app-rag--red",
        Some(Rag::Amber) => "app-rag app-rag--amber",
        Some(Rag::Green) => "app-rag app-rag--green",
        None => "app-rag app-rag--not-rated",
    }
}

fn cover(r: &MonitoringReport, subject: &str) -> Markup {
    let c = &r.cover;
    html! {
        header.app-cover {
            p.app-organisation { (docx::clean(&r.organisation)) }
            h1 { (docx::clean(subject)) }
            table.app-cover__table {
                tbody {
                    @for (label, value) in c.rows() {
                        tr { th scope="row" { (label) } td { (text(&value, "None")) } }
                    }
                }
            }
        }
        @for (heading, body) in c.sections() {
            @if !(heading.starts_with("Implications:") && body.trim().is_empty()) {
                section.app-cover__section {
                    h2 { (heading) }
                    (text(&body, "None"))
                }
            }
        }
        @if !c.introduction.trim().is_empty() {
            section.app-introduction {
                h2 { "Introduction/Background" }
                (text(&c.introduction, ""))
            }
        }
    }
}

fn progress(r: &MonitoringReport) -> Markup {
    html! {
        section.app-progress aria-labelledby="app-progress-heading" {
            h2 #app-progress-heading { "Progress on recommendations" }
            (text(&r.title, ""))
            h3 { "Summary" }
            table.app-summary {
                thead { tr { th scope="col" { "Measure" } th scope="col" { "Number" } } }
                tbody {
                    @for (label, n) in r.summary.lines() {
                        tr { td { (label) } td.app-numeric { (n) } }
                    }
                }
            }
            h3 { "What the RAG colours mean" }
            table.app-rag-key {
                thead { tr { th scope="col" { "RAG" } th scope="col" { "What it means" } } }
                tbody {
                    @for (rag, words, meaning) in rag_key(r) {
                        tr { td class=(rag_class(rag)) { (words) } td { (docx::clean(&meaning)) } }
                    }
                }
            }
            h3 { "Progress made against each recommendation" }
            table.app-progress-table {
                caption { (docx::clean(&r.title)) }
                thead { tr { @for h in r.headings() { th scope="col" { (h) } } } }
                tbody {
                    @if r.rows.is_empty() {
                        tr { td colspan=(r.headings().len()) { (docx::NO_ROWS) } }
                    }
                    @for row in &r.rows {
                        @match r.layout {
                            Layout::ProgressMade => (progress_made_row(row, r.has_outcomes())),
                            Layout::RagTracker => (rag_tracker_row(row, r.has_outcomes())),
                        }
                    }
                }
            }
        }
    }
}

fn recommendation(row: &ReportRow, with_status: bool) -> Markup {
    let ls = lines(&row.wording);
    let label = docx::clean(row.label.trim());
    html! {
        @for (i, l) in ls.iter().enumerate() {
            p {
                @if i == 0 && !label.is_empty() { strong.app-label { (label) } " " }
                (l)
            }
        }
        @if ls.is_empty() && !label.is_empty() { p { strong.app-label { (label) } } }
        @if !row.reference.trim().is_empty() { p.app-muted { "Reference: " (docx::clean(row.reference.trim())) } }
        @if let Some(o) = row.origin_line() { p.app-muted { (docx::clean(&o)) } }
        @if with_status { p.app-muted { (status_words(row)) } }
    }
}

fn updates(row: &ReportRow) -> Markup {
    html! {
        @for u in &row.updates {
            div.app-update {
                @for (i, l) in lines(&u.narrative).iter().enumerate() {
                    p {
                        @if i == 0 { span.app-update__date { (update_heading(u.date)) } }
                        (l)
                    }
                }
            }
        }
    }
}

/// Whether a row is long enough to be allowed to break across pages.
pub fn is_long_row(row: &ReportRow) -> bool {
    let updates: usize = row.updates.iter().map(|u| u.narrative.chars().count() + 40).sum();
    let actions: usize = row.actions.iter().map(|a| a.text.chars().count() + 20).sum();
    let longest = [row.wording.chars().count() + row.reference.len() + 60, updates + actions, row.outcome.chars().count()];
    longest.into_iter().max().unwrap_or(0) > LONG_ROW_CHARS
}

fn row_class(row: &ReportRow) -> &'static str {
    if is_long_row(row) {
        "app-row--long"
    } else {
        "app-row--short"
    }
}

fn progress_made_row(row: &ReportRow, outcome_column: bool) -> Markup {
    html! {
        tr class=(row_class(row)) {
            td { (recommendation(row, false)) }
            td {
                @if row.updates.is_empty() { p.app-muted { (docx::NO_UPDATE) } }
                (updates(row))
                p.app-muted { (status_words(row)) " RAG: " span class=(rag_class(row.rag)) { (row.rag_words()) } }
            }
            @if outcome_column { td { (outcome(row)) } }
        }
    }
}

/// The Outcome cell: each measure from the month agreed to the meeting.
fn outcome(row: &ReportRow) -> Markup {
    html! {
        @if row.outcomes.is_empty() { p.app-muted { (docx::NO_MEASURE) } }
        @for o in &row.outcomes { p { (docx::clean(&o.text)) } }
    }
}

fn rag_tracker_row(row: &ReportRow, outcome_column: bool) -> Markup {
    html! {
        tr class=(row_class(row)) {
            td { (recommendation(row, true)) }
            td { (text(&row.lead_officers.join("\n"), "Not assigned")) }
            td {
                @if row.actions.is_empty() { p.app-muted { "No actions recorded." } }
                @for a in &row.actions {
                    @let ls = lines(&a.text);
                    @for (i, l) in ls.iter().enumerate() {
                        p { (l) @if a.done && i + 1 == ls.len() { " (completed)" } }
                    }
                }
                @if !row.updates.is_empty() {
                    p { strong { "Progress" } }
                    (updates(row))
                }
            }
            td { (text(&row.date_cell(), "Not set")) }
            td { (text(&row.outcome, "Not stated")) }
            td class=(rag_class(row.rag)) { (row.rag_words()) }
            @if outcome_column { td { (outcome(row)) } }
        }
    }
}
