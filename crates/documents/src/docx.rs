//! Monitoring reports as Word documents: the committee paper an officer edits
//! before it goes on the agenda.
//!
//! The document uses real Word styles (Title, Heading 1–3, Table Text) so the
//! navigation pane, outline view and a table of contents work; an A4 page with
//! 2 cm margins; Arial 11pt; "Page N of M" in the footer; and a progress table
//! whose heading row repeats on every page and whose rows do not split across
//! pages. RAG cells are shaded and always carry the word as well as the colour.
//!
//! docx-rs has no API for a repeating table heading row (`w:tblHeader`), so
//! heading rows are marked with a distinctive row height while building and the
//! marker is completed with `w:tblHeader` in the rendered XML before packing.

use std::io::Cursor;

use assure_domain::dates::long;
use assure_domain::report::{change_lines, Layout, MonitoringReport, ReportDiff, ReportRow, RowChange};
use assure_domain::tracker::{Rag, SUGGESTED_RAG_MEANING};
use docx_rs as w;

use crate::DocumentError;

mod forward_plan;
pub use forward_plan::forward_plan;

/// A4 portrait in twentieths of a point.
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
/// 2 cm.
const MARGIN: i32 = 1134;
/// The width between the margins, portrait and landscape.
const TEXT_WIDTH: usize = PAGE_WIDTH as usize - 2 * MARGIN as usize;
const LANDSCAPE_TEXT_WIDTH: usize = PAGE_HEIGHT as usize - 2 * MARGIN as usize;
const FONT: &str = "Arial";
/// Half-points: 11pt body, 10pt in tables.
const BODY_SIZE: usize = 22;
const TABLE_SIZE: usize = 20;

/// Fill of table heading rows and of the label column of the cover table.
const HEADING_FILL: &str = "D9D9D9";
const LABEL_FILL: &str = "F2F2F2";

/// Height given to heading rows only, so they can be found in the XML and marked
/// as repeating (see the module documentation).
const HEADING_ROW_HEIGHT: f32 = 397.0;
const HEADING_ROW_MARK: &str = r#"<w:trHeight w:val="397" w:hRule="atLeast" />"#;

const BULLETS: usize = 2;

/// The words of the empty progress table.
pub const NO_ROWS: &str = "There are no recommendations to report for this meeting.";
/// Shown in the Progress made column when a recommendation has no update.
pub const NO_UPDATE: &str = "No update has been provided.";
/// The Outcome cell of a recommendation that names no measure.
pub const NO_MEASURE: &str = "No measure named.";
/// Shown when the report compares with an earlier one and nothing changed.
pub const NO_CHANGES: &str = "No changes since the last report.";
/// Meaning of the "Not rated" RAG value in every key.
pub const NOT_RATED_MEANING: &str = "No RAG rating has been given yet.";

/// Produce the monitoring report as a Word document (DOCX).
///
/// The cover, summary and RAG key are on portrait pages. A RAG tracker's six
/// columns get a landscape section of their own; the two-column "progress made"
/// table stays portrait, as in the council's template.
pub fn report(r: &MonitoringReport) -> Result<Vec<u8>, DocumentError> {
    let landscape = r.layout == Layout::RagTracker;
    let mut front = cover(r);
    front.extend(introduction(r));
    front.extend(overview(r));
    let table = progress_table(r, landscape);
    let appendix = r.changes.as_ref().map(|diff| changes_appendix(diff, !landscape));
    let mut doc = page_setup(r);
    if !landscape {
        for part in [front, table, appendix.unwrap_or_default()] {
            doc = add_blocks(doc, part);
        }
        return pack(doc, r);
    }
    doc = doc.add_section(section(front, Orientation::Portrait, r));
    doc = match appendix {
        Some(appendix) => add_blocks(doc.add_section(section(table, Orientation::Landscape, r)), appendix),
        None => add_blocks(doc, table).page_size(PAGE_HEIGHT, PAGE_WIDTH).page_orient(w::PageOrientationType::Landscape),
    };
    pack(doc, r)
}

/// A paragraph or a table of the body, placed into a section later.
enum Block {
    P(Box<w::Paragraph>),
    T(Box<w::Table>),
}

impl From<w::Paragraph> for Block {
    fn from(p: w::Paragraph) -> Block {
        Block::P(Box::new(p))
    }
}

impl From<w::Table> for Block {
    fn from(t: w::Table) -> Block {
        Block::T(Box::new(t))
    }
}

fn add_blocks(mut doc: w::Docx, blocks: Vec<Block>) -> w::Docx {
    for b in blocks {
        doc = match b {
            Block::P(p) => doc.add_paragraph(*p),
            Block::T(t) => doc.add_table(*t),
        };
    }
    doc
}

#[derive(Clone, Copy)]
enum Orientation {
    Portrait,
    Landscape,
}

/// A section of its own (a new page) with the footer. (docx-rs 0.4.22 drops a
/// section's footer when the section also has a header, so "DRAFT" is in the
/// footer rather than a header.)
fn section(blocks: Vec<Block>, orientation: Orientation, r: &MonitoringReport) -> w::Section {
    let size = match orientation {
        Orientation::Portrait => w::PageSize::new().size(PAGE_WIDTH, PAGE_HEIGHT),
        Orientation::Landscape => w::PageSize::new().size(PAGE_HEIGHT, PAGE_WIDTH).orient(w::PageOrientationType::Landscape),
    };
    let mut s = w::Section::new().page_size(size).page_margin(page_margin()).footer(footer(r));
    for b in blocks {
        s = match b {
            Block::P(p) => s.add_paragraph(*p),
            Block::T(t) => s.add_table(*t),
        };
    }
    s
}

// ---------------------------------------------------------------------------
// Text helpers shared by every renderer.

/// Text as any document format can hold it: characters XML forbids are dropped,
/// Word's vertical tab (a manual line break in pasted text) and carriage returns
/// become line breaks, and tabs become spaces.
pub(crate) fn clean(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\u{b}' | '\u{c}' => Some('\n'),
            '\t' => Some(' '),
            '\u{fffe}' | '\u{ffff}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// The non-blank lines of a text, cleaned and trimmed at the end.
pub(crate) fn lines(s: &str) -> Vec<String> {
    clean(s).lines().map(|l| l.trim_end().to_string()).filter(|l| !l.trim().is_empty()).collect()
}

/// The shading and text colour of a RAG value, as RGB hex without '#':
/// (fill, text). The text colour keeps the word legible on the fill.
pub(crate) fn rag_colours(rag: Option<Rag>) -> (&'static str, &'static str) {
    match rag {
        Some(Rag::Red) => ("C00000", "FFFFFF"),
        Some(Rag::Amber) => ("FFBF00", "000000"),
        Some(Rag::Green) => ("00B050", "000000"),
        None => ("F2F2F2", "000000"),
    }
}

/// The RAG key, as (colour, words, meaning): the council's meanings, or the defaults
/// when none are configured, then what "Not rated" means, then — when a row shows one —
/// what a suggestion is.
pub(crate) fn rag_key(r: &MonitoringReport) -> Vec<(Option<Rag>, String, String)> {
    let mut key: Vec<(Option<Rag>, String, String)> = if r.rag_key.is_empty() {
        [Rag::Red, Rag::Amber, Rag::Green].iter().map(|g| (Some(*g), g.label().to_string(), g.default_meaning().to_string())).collect()
    } else {
        r.rag_key.iter().map(|(g, m)| (Some(*g), g.label().to_string(), m.clone())).collect()
    };
    key.push((None, rag_word(None).to_string(), NOT_RATED_MEANING.to_string()));
    if r.rows.iter().any(|row| row.rag_suggested) {
        key.push((None, "Suggested: …".to_string(), SUGGESTED_RAG_MEANING.to_string()));
    }
    key
}

/// The words for a RAG value.
pub(crate) fn rag_word(rag: Option<Rag>) -> &'static str {
    rag.map(|g| g.label()).unwrap_or("Not rated")
}

/// "Appendix: changes since 16 January 2018 (issue 1)".
pub(crate) fn appendix_title(diff: &ReportDiff) -> String {
    format!("Appendix: changes since {}", diff.from)
}

/// How a change is headed: its label and reference.
pub(crate) fn change_heading(c: &RowChange) -> String {
    let mut h = clean(&c.label).trim().to_string();
    let reference = clean(&c.reference).trim().to_string();
    if !reference.is_empty() {
        if h.is_empty() {
            h = reference;
        } else {
            h = format!("{h} (reference {reference})");
        }
    }
    if h.is_empty() {
        "Recommendation".to_string()
    } else {
        h
    }
}

/// The status line of a row: lifecycle and executive response.
pub(crate) fn status_words(row: &ReportRow) -> String {
    format!("Status: {}. Executive response: {}.", row.lifecycle.label(), row.response.label())
}

/// An update as one line: "7 December 2017 — narrative".
pub(crate) fn update_heading(date: chrono::NaiveDate) -> String {
    format!("{} — ", long(date))
}

// ---------------------------------------------------------------------------
// Document set-up.

fn page_setup(r: &MonitoringReport) -> w::Docx {
    page_setup_for(r.prepared_on, r.issue.is_none())
}

/// The A4 page, fonts, styles and footer of every committee paper; `draft` puts
/// "DRAFT" in the footer.
fn page_setup_for(prepared_on: chrono::NaiveDate, draft: bool) -> w::Docx {
    let created = format!("{}T00:00:00Z", assure_domain::dates::iso(prepared_on));
    let mut doc = w::Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(page_margin())
        .default_fonts(w::RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT))
        .default_size(BODY_SIZE)
        .default_line_spacing(w::LineSpacing::new().before(0).after(120))
        .created_at(&created)
        .updated_at(&created)
        .footer(footer_for(draft))
        .add_abstract_numbering(w::AbstractNumbering::new(BULLETS).add_level(
            w::Level::new(0, w::Start::new(1), w::NumberFormat::new("bullet"), w::LevelText::new("•"), w::LevelJc::new("left")).indent(
                Some(567),
                Some(w::SpecialIndentType::Hanging(283)),
                None,
                None,
            ),
        ))
        .add_numbering(w::Numbering::new(BULLETS, BULLETS));
    for s in styles() {
        doc = doc.add_style(s);
    }
    doc
}

fn page_margin() -> w::PageMargin {
    w::PageMargin::new().top(MARGIN).bottom(MARGIN).left(MARGIN).right(MARGIN).header(567).footer(567)
}

fn heading_style(id: &str, name: &str, level: usize, size: usize, before: u32) -> w::Style {
    let mut s = w::Style::new(id, w::StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .ui_priority(9)
        .outline_lvl(level)
        .size(size)
        .bold()
        .fonts(w::RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT))
        .line_spacing(w::LineSpacing::new().before(before).after(120));
    s.paragraph_property = s.paragraph_property.keep_next(true).keep_lines(true);
    s
}

fn styles() -> Vec<w::Style> {
    let mut title = w::Style::new("Title", w::StyleType::Paragraph)
        .name("Title")
        .based_on("Normal")
        .next("Normal")
        .ui_priority(10)
        .size(36)
        .bold()
        .line_spacing(w::LineSpacing::new().before(0).after(240));
    title.paragraph_property = title.paragraph_property.keep_next(true);
    let table_text = w::Style::new("TableText", w::StyleType::Paragraph)
        .name("Table Text")
        .based_on("Normal")
        .size(TABLE_SIZE)
        .line_spacing(w::LineSpacing::new().before(0).after(60));
    let table_heading = w::Style::new("TableHeading", w::StyleType::Paragraph).name("Table Heading").based_on("TableText").next("TableText").bold();
    let footer = w::Style::new("Footer", w::StyleType::Paragraph)
        .name("footer")
        .based_on("Normal")
        .size(18)
        .line_spacing(w::LineSpacing::new().before(0).after(0));
    vec![
        title,
        footer,
        heading_style("Heading1", "heading 1", 0, 32, 240),
        heading_style("Heading2", "heading 2", 1, 26, 240),
        heading_style("Heading3", "heading 3", 2, 22, 180),
        table_text,
        table_heading,
    ]
}

/// "Page N of M" on every page, after "DRAFT" until the report is issued.
fn footer(r: &MonitoringReport) -> w::Footer {
    footer_for(r.issue.is_none())
}

fn footer_for(draft: bool) -> w::Footer {
    let mut p = w::Paragraph::new().style("Footer").align(w::AlignmentType::Center);
    if draft {
        p = p.add_run(w::Run::new().add_text("DRAFT – ").bold());
    }
    w::Footer::new().add_paragraph(
        p.add_run(w::Run::new().add_text("Page "))
            .add_page_num(w::PageNum::new())
            .add_run(w::Run::new().add_text(" of "))
            .add_num_pages(w::NumPages::new()),
    )
}

// ---------------------------------------------------------------------------
// Paragraph and table building blocks.

fn text_run(s: &str) -> w::Run {
    w::Run::new().add_text(clean(s))
}

fn paragraph(s: &str) -> w::Paragraph {
    w::Paragraph::new().add_run(text_run(s))
}

fn styled(style: &str, s: &str) -> w::Paragraph {
    paragraph(s).style(style)
}

/// A paragraph in italics (docx-rs' `Paragraph::italic` only styles the paragraph mark).
fn italic(style: &str, s: &str) -> w::Paragraph {
    w::Paragraph::new().style(style).add_run(text_run(s).italic())
}

/// One paragraph per line of the text; `empty` when there is no text.
fn paragraphs(text: &str, style: Option<&str>, empty: &str) -> Vec<w::Paragraph> {
    let mut ls = lines(text);
    if ls.is_empty() && !empty.is_empty() {
        ls.push(empty.to_string());
    }
    ls.iter()
        .map(|l| match style {
            Some(s) => styled(s, l),
            None => paragraph(l),
        })
        .collect()
}

fn blocks(ps: Vec<w::Paragraph>) -> impl Iterator<Item = Block> {
    ps.into_iter().map(Block::from)
}

fn bullet(s: &str) -> w::Paragraph {
    paragraph(s).numbering(w::NumberingId::new(BULLETS), w::IndentLevel::new(0))
}

/// A shaded run holding a RAG's words, for use inside text.
fn rag_run(rag: Option<Rag>, words: &str) -> w::Run {
    let (fill, text) = rag_colours(rag);
    w::Run::new().add_text(format!(" {words} ")).bold().color(text).shading(w::Shading::new().shd_type(w::ShdType::Clear).color("auto").fill(fill))
}

fn cell(ps: Vec<w::Paragraph>, width: usize) -> w::TableCell {
    ps.into_iter().fold(w::TableCell::new(), |c, p| c.add_paragraph(p)).width(width, w::WidthType::Dxa).vertical_align(w::VAlignType::Top)
}

fn text_cell(text: &str, width: usize, empty: &str) -> w::TableCell {
    cell(paragraphs(text, Some("TableText"), empty), width)
}

fn shade(c: w::TableCell, fill: &str) -> w::TableCell {
    c.shading(w::Shading::new().shd_type(w::ShdType::Clear).color("auto").fill(fill))
}

/// A RAG cell: shaded in the RAG colour and holding the words ("Suggested: Red" for a
/// suggestion).
fn rag_cell(rag: Option<Rag>, words: &str, width: usize) -> w::TableCell {
    let (fill, text) = rag_colours(rag);
    let p = w::Paragraph::new().style("TableText").align(w::AlignmentType::Center).add_run(w::Run::new().add_text(words).bold().color(text));
    shade(cell(vec![p], width), fill)
}

/// A heading row: bold, shaded, repeated at the top of each page, never split.
fn heading_row(headings: &[&str], widths: &[usize]) -> w::TableRow {
    let cells = headings.iter().zip(widths).map(|(h, wd)| shade(cell(vec![styled("TableHeading", h)], *wd), HEADING_FILL)).collect();
    w::TableRow::new(cells).cant_split().row_height(HEADING_ROW_HEIGHT).height_rule(w::HeightRule::AtLeast)
}

fn body_row(cells: Vec<w::TableCell>) -> w::TableRow {
    w::TableRow::new(cells).cant_split()
}

fn table(rows: Vec<w::TableRow>, widths: &[usize]) -> w::Table {
    let border = |p| w::TableBorder::new(p).size(4).color("7F7F7F");
    let borders = [
        w::TableBorderPosition::Top,
        w::TableBorderPosition::Left,
        w::TableBorderPosition::Bottom,
        w::TableBorderPosition::Right,
        w::TableBorderPosition::InsideH,
        w::TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(w::TableBorders::new(), |b, p| b.set(border(p)));
    w::Table::new(rows)
        .set_grid(widths.to_vec())
        .layout(w::TableLayoutType::Fixed)
        .width(widths.iter().sum(), w::WidthType::Dxa)
        .set_borders(borders)
        .margins(w::TableCellMargins::new().margin(57, 85, 57, 85))
}

/// A table with a repeating heading row; `NO_ROWS`-style text fills an empty body.
fn headed_table(headings: &[&str], widths: &[usize], mut rows: Vec<w::TableRow>, empty: &str) -> w::Table {
    if rows.is_empty() {
        let total = widths.iter().sum();
        rows.push(body_row(vec![text_cell(empty, total, "").grid_span(widths.len())]));
    }
    let mut all = vec![heading_row(headings, widths)];
    all.extend(rows);
    table(all, widths)
}

/// Split the portrait text width in proportion to the given weights.
fn widths(weights: &[usize]) -> Vec<usize> {
    widths_of(TEXT_WIDTH, weights)
}

/// Split a total width in proportion to the given weights, summing exactly to it.
fn widths_of(total: usize, weights: &[usize]) -> Vec<usize> {
    let sum: usize = weights.iter().sum::<usize>().max(1);
    let mut out: Vec<usize> = weights.iter().map(|wt| total * wt / sum).collect();
    let used: usize = out.iter().sum();
    if let Some(last) = out.last_mut() {
        *last += total - used;
    }
    out
}

// ---------------------------------------------------------------------------
// The parts of the paper.

fn cover(r: &MonitoringReport) -> Vec<Block> {
    cover_blocks(&r.organisation, &r.title, &r.cover)
}

/// The council's report cover: the organisation, the subject, the summary box and the
/// template's sections.
fn cover_blocks(organisation: &str, title: &str, c: &assure_domain::report::Cover) -> Vec<Block> {
    let mut out = vec![Block::from(styled("Title", organisation))];
    let subject = if c.subject.trim().is_empty() { title } else { &c.subject };
    out.push(Block::from(styled("Heading1", subject)));
    let wd = widths(&[32, 68]);
    let rows = c
        .rows()
        .into_iter()
        .map(|(label, value)| body_row(vec![shade(cell(vec![styled("TableHeading", label)], wd[0]), LABEL_FILL), text_cell(&value, wd[1], "None")]))
        .collect();
    out.push(Block::from(table(rows, &wd)));
    for (heading, text) in c.sections() {
        if heading.starts_with("Implications:") && text.trim().is_empty() {
            continue;
        }
        out.push(Block::from(styled("Heading2", heading)));
        out.extend(blocks(paragraphs(&text, None, "None")));
    }
    out
}

fn introduction(r: &MonitoringReport) -> Vec<Block> {
    if r.cover.introduction.trim().is_empty() {
        return vec![];
    }
    let mut out = vec![Block::from(styled("Heading2", "Introduction/Background"))];
    out.extend(blocks(paragraphs(&r.cover.introduction, None, "")));
    out
}

/// "Progress on recommendations": the report's title, the summary and the RAG key.
fn overview(r: &MonitoringReport) -> Vec<Block> {
    let mut out = vec![Block::from(styled("Heading1", "Progress on recommendations").page_break_before(true))];
    out.extend(blocks(paragraphs(&r.title, None, "")));
    out.push(Block::from(styled("Heading2", "Summary")));
    out.push(Block::from(summary_table(r)));
    out.push(Block::from(styled("Heading2", "What the RAG colours mean")));
    out.push(Block::from(rag_key_table(r)));
    out
}

/// The progress table under its heading; on a page of its own when landscape.
fn progress_table(r: &MonitoringReport, landscape: bool) -> Vec<Block> {
    let heading = styled("Heading2", "Progress made against each recommendation");
    let t = match r.layout {
        Layout::ProgressMade => progress_made_table(r),
        Layout::RagTracker => rag_tracker_table(r, if landscape { LANDSCAPE_TEXT_WIDTH } else { TEXT_WIDTH }),
    };
    vec![Block::from(heading), Block::from(t)]
}

fn summary_table(r: &MonitoringReport) -> w::Table {
    let wd = widths(&[75, 25]);
    let rows =
        r.summary.lines().into_iter().map(|(label, n)| body_row(vec![text_cell(&label, wd[0], ""), text_cell(&n.to_string(), wd[1], "")])).collect();
    headed_table(&["Measure", "Number"], &wd, rows, "")
}

fn rag_key_table(r: &MonitoringReport) -> w::Table {
    let wd = widths(&[18, 82]);
    let rows =
        rag_key(r).into_iter().map(|(rag, words, meaning)| body_row(vec![rag_cell(rag, &words, wd[0]), text_cell(&meaning, wd[1], "")])).collect();
    headed_table(&["RAG", "What it means"], &wd, rows, "")
}

/// The Recommendation column: label in bold, the wording, its reference and status.
fn recommendation_cell(row: &ReportRow, width: usize, with_status: bool) -> w::TableCell {
    let mut ps = Vec::new();
    let label = clean(&row.label).trim().to_string();
    let mut wording = lines(&row.wording).into_iter();
    let first = w::Paragraph::new().style("TableText");
    let first = if label.is_empty() { first } else { first.add_run(text_run(&label).bold()).add_run(text_run(" ")) };
    ps.push(first.add_run(text_run(&wording.next().unwrap_or_default())));
    ps.extend(wording.map(|l| styled("TableText", &l)));
    if !row.reference.trim().is_empty() {
        ps.push(italic("TableText", &format!("Reference: {}", row.reference.trim())));
    }
    if let Some(o) = row.origin_line() {
        ps.push(italic("TableText", &clean(&o)));
    }
    if with_status {
        ps.push(italic("TableText", &status_words(row)));
    }
    cell(ps, width)
}

/// Dated updates: "7 December 2017 — narrative", later lines as their own paragraphs.
fn update_paragraphs(row: &ReportRow) -> Vec<w::Paragraph> {
    let mut ps = Vec::new();
    for u in &row.updates {
        let mut narrative = lines(&u.narrative).into_iter();
        ps.push(
            w::Paragraph::new()
                .style("TableText")
                .add_run(text_run(&update_heading(u.date)).bold())
                .add_run(text_run(&narrative.next().unwrap_or_default())),
        );
        ps.extend(narrative.map(|l| styled("TableText", &l)));
    }
    ps
}

/// The Outcome cell: each measure the recommendation must move, one per paragraph.
fn outcome_cell(row: &ReportRow, width: usize) -> w::TableCell {
    text_cell(&row.outcome_cell(), width, NO_MEASURE)
}

fn progress_made_table(r: &MonitoringReport) -> w::Table {
    let outcomes = r.has_outcomes();
    let wd = if outcomes { widths(&[34, 44, 22]) } else { widths(&[42, 58]) };
    let body = r
        .rows
        .iter()
        .map(|row| {
            let mut ps = update_paragraphs(row);
            if ps.is_empty() {
                ps.push(italic("TableText", NO_UPDATE));
            }
            ps.push(italic("TableText", &status_words(row)));
            ps.push(w::Paragraph::new().style("TableText").add_run(text_run("RAG: ")).add_run(rag_run(row.rag, &row.rag_words())));
            let mut cells = vec![recommendation_cell(row, wd[0], false), cell(ps, wd[1])];
            if outcomes {
                cells.push(outcome_cell(row, wd[2]));
            }
            body_row(cells)
        })
        .collect();
    headed_table(&r.headings(), &wd, body, NO_ROWS)
}

fn rag_tracker_table(r: &MonitoringReport, total: usize) -> w::Table {
    let outcomes = r.has_outcomes();
    let wd = if outcomes { widths_of(total, &[21, 11, 21, 10, 14, 8, 15]) } else { widths_of(total, &[25, 13, 25, 11, 17, 9]) };
    let body = r
        .rows
        .iter()
        .map(|row| {
            let leads = row.lead_officers.join("\n");
            let mut actions: Vec<w::Paragraph> = row
                .actions
                .iter()
                .flat_map(|a| {
                    let text = if a.done { format!("{} (completed)", a.text.trim_end()) } else { a.text.clone() };
                    paragraphs(&text, Some("TableText"), "")
                })
                .collect();
            if actions.is_empty() {
                actions.push(italic("TableText", "No actions recorded."));
            }
            let updates = update_paragraphs(row);
            if !updates.is_empty() {
                actions.push(styled("TableHeading", "Progress"));
                actions.extend(updates);
            }
            let mut cells = vec![
                recommendation_cell(row, wd[0], true),
                text_cell(&leads, wd[1], "Not assigned"),
                cell(actions, wd[2]),
                text_cell(&row.date_cell(), wd[3], "Not set"),
                text_cell(&row.outcome, wd[4], "Not stated"),
                rag_cell(row.rag, &row.rag_words(), wd[5]),
            ];
            if outcomes {
                cells.push(outcome_cell(row, wd[6]));
            }
            body_row(cells)
        })
        .collect();
    headed_table(&r.headings(), &wd, body, NO_ROWS)
}

/// The appendix of changes since an earlier report; `new_page` when it does not
/// start a section of its own.
fn changes_appendix(diff: &ReportDiff, new_page: bool) -> Vec<Block> {
    let mut out = vec![Block::from(styled("Heading1", &appendix_title(diff)).page_break_before(new_page))];
    out.push(Block::from(paragraph(&format!(
        "This appendix lists what has changed between the report of {} and this report ({}).",
        diff.from, diff.to
    ))));
    if diff.changes.is_empty() {
        out.push(Block::from(paragraph(NO_CHANGES)));
    }
    for c in &diff.changes {
        out.push(Block::from(styled("Heading3", &change_heading(c))));
        out.extend(blocks(lines(&c.wording).iter().map(|l| italic("Normal", l)).collect()));
        for line in change_lines(c) {
            out.extend(blocks(lines(&line).iter().map(|l| bullet(l)).collect()));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Packing.

fn xml_escape(s: &str) -> String {
    clean(s).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn utf8(bytes: Vec<u8>, part: &str) -> Result<String, DocumentError> {
    String::from_utf8(bytes).map_err(|_| DocumentError::Render(format!("the Word {part} was not valid UTF-8")))
}

/// Complete each heading row's marker with `w:tblHeader` so it repeats on every page.
fn mark_heading_rows(document: Vec<u8>) -> Result<Vec<u8>, DocumentError> {
    let xml = utf8(document, "document")?;
    if !xml.contains(HEADING_ROW_MARK) {
        return Err(DocumentError::Render("the progress table's heading row could not be marked to repeat".into()));
    }
    Ok(xml.replace(HEADING_ROW_MARK, &format!("<w:tblHeader />{HEADING_ROW_MARK}")).into_bytes())
}

/// Give the document its title and author in File > Properties.
fn core_properties(core: Vec<u8>, r: &MonitoringReport) -> Result<Vec<u8>, DocumentError> {
    core_properties_for(core, &r.organisation, if r.cover.subject.trim().is_empty() { &r.title } else { &r.cover.subject })
}

fn core_properties_for(core: Vec<u8>, organisation: &str, title: &str) -> Result<Vec<u8>, DocumentError> {
    let xml = utf8(core, "properties")?;
    let org = xml_escape(organisation);
    let title = xml_escape(title);
    Ok(xml
        .replace("<dc:creator>unknown</dc:creator>", &format!("<dc:creator>{org}</dc:creator>"))
        .replace("<cp:lastModifiedBy>unknown</cp:lastModifiedBy>", &format!("<cp:lastModifiedBy>{org}</cp:lastModifiedBy>"))
        .replace("</cp:coreProperties>", &format!("<dc:title>{title}</dc:title></cp:coreProperties>"))
        .into_bytes())
}

fn pack(doc: w::Docx, r: &MonitoringReport) -> Result<Vec<u8>, DocumentError> {
    let mut xml = doc.build();
    xml.document = mark_heading_rows(std::mem::take(&mut xml.document))?;
    xml.doc_props.core = core_properties(std::mem::take(&mut xml.doc_props.core), r)?;
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| DocumentError::Render(format!("could not write the Word document: {e}")))?;
    Ok(out.into_inner())
}

// ---------------------------------------------------------------------------
// Simple documents for records other than monitoring reports (a child's plan).

/// A piece of a simple document.
#[derive(Debug, Clone)]
pub enum Part {
    Heading(String),
    Subheading(String),
    /// Text; each line becomes a paragraph; `empty` words when there is none.
    Text(String),
    /// A table: headings and rows of text cells.
    Table(Vec<String>, Vec<Vec<String>>),
}

/// A plain Word document: a title, the parts in order, and a footer with a marking
/// (e.g. "OFFICIAL-SENSITIVE") and "Page N of M".
pub fn simple(title: &str, marking: &str, parts: &[Part]) -> Result<Vec<u8>, DocumentError> {
    let footer = w::Footer::new().add_paragraph(
        w::Paragraph::new()
            .style("Footer")
            .align(w::AlignmentType::Center)
            .add_run(w::Run::new().add_text(format!("{} – Page ", clean(marking))))
            .add_page_num(w::PageNum::new())
            .add_run(w::Run::new().add_text(" of "))
            .add_num_pages(w::NumPages::new()),
    );
    let mut doc = w::Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(page_margin())
        .default_fonts(w::RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT))
        .default_size(BODY_SIZE)
        .default_line_spacing(w::LineSpacing::new().before(0).after(120))
        .footer(footer);
    for s in styles() {
        doc = doc.add_style(s);
    }
    doc = doc.add_paragraph(styled("Title", title));
    for p in parts {
        doc = match p {
            Part::Heading(h) => doc.add_paragraph(styled("Heading1", h)),
            Part::Subheading(h) => doc.add_paragraph(styled("Heading2", h)),
            Part::Text(t) => paragraphs(t, None, "None recorded.").into_iter().fold(doc, |d, p| d.add_paragraph(p)),
            Part::Table(headings, rows) => {
                let hs: Vec<&str> = headings.iter().map(|h| h.as_str()).collect();
                let ws = widths(&vec![1; hs.len().max(1)]);
                let body = rows.iter().map(|r| body_row(r.iter().zip(&ws).map(|(c, wd)| text_cell(c, *wd, "")).collect())).collect();
                doc.add_table(headed_table(&hs, &ws, body, "None."))
            }
        };
    }
    let mut xml = doc.build();
    // A document with no table has no heading row to repeat.
    if parts.iter().any(|p| matches!(p, Part::Table(..))) {
        xml.document = mark_heading_rows(std::mem::take(&mut xml.document))?;
    }
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| DocumentError::Render(format!("could not write the Word document: {e}")))?;
    Ok(out.into_inner())
}

// ---------------------------------------------------------------------------
// The quarterly reports (the MACSE report and the Cabinet report).

/// Produce a quarterly report as a Word document: the council's cover, the joint
/// sign-off, the narrative the officer wrote, and a table per measure over the
/// quarter's three closed months ("DRAFT" in the footer until both co-chairs sign).
pub fn quarterly(r: &assure_domain::quarterly::QuarterlyReport) -> Result<Vec<u8>, DocumentError> {
    let signed = r.signatures.len() >= 2;
    let prepared = r.signatures.last().map_or(r.quarter.last_day(), |s| s.signed_on);
    let mut doc = page_setup_for(prepared, !signed);
    let mut body = cover_blocks(&r.organisation, r.kind.label(), &r.cover);
    body.push(Block::from(styled("Heading1", "Sign-off by the MACSE co-chairs")));
    body.push(Block::from(paragraph(&r.sign_off_line())));
    if !r.signatures.is_empty() {
        let wd = widths(&[35, 45, 20]);
        let rows = r
            .signatures
            .iter()
            .map(|s| body_row(vec![text_cell(&s.name, wd[0], ""), text_cell(&s.job_title, wd[1], ""), text_cell(&long(s.signed_on), wd[2], "")]))
            .collect();
        body.push(Block::from(headed_table(&["Co-chair", "Role", "Signed on"], &wd, rows, "")));
    }
    for (heading, text) in &r.narrative {
        body.push(Block::from(styled("Heading1", heading)));
        body.extend(blocks(paragraphs(text, None, "Not written yet.")));
    }
    body.push(Block::from(styled("Heading1", "The quarter's figures")));
    let months: Vec<String> = r.months.iter().map(|m| m.label()).collect();
    body.push(Block::from(paragraph(&format!(
        "Counted from the pathway's own records and frozen when each month closed: {}.",
        r.month_fingerprints.iter().map(|(m, f)| format!("{} (fingerprint {})", m.label(), &f[..f.len().min(12)])).collect::<Vec<_>>().join("; ")
    ))));
    body.push(Block::from(paragraph(&match r.suppressed {
        Some(t) => format!("Small numbers are suppressed: counts below {t} are shown as \"fewer than {t}\", and others withheld where they would let a suppressed figure be worked out."),
        None => "Figures are shown in full, small numbers included: this report is for the partnership board and is not for publication.".to_string(),
    })));
    let mut headings = vec!["Row"];
    headings.extend(months.iter().map(|m| m.as_str()));
    let wd = widths(&[40, 20, 20, 20]);
    for t in &r.tables {
        body.push(Block::from(styled("Heading2", &t.name)));
        body.push(Block::from(paragraph(&format!("{} Counted: {}.", t.shows, t.how_counted))));
        let rows = t
            .rows
            .iter()
            .map(|(label, cells)| {
                let mut cs = vec![text_cell(label, wd[0], "")];
                cs.extend(cells.iter().zip(&wd[1..]).map(|(c, w)| text_cell(&c.display(), *w, "")));
                body_row(cs)
            })
            .collect();
        body.push(Block::from(headed_table(&headings, &wd, rows, "No figures.")));
    }
    if r.tables.is_empty() {
        body.push(Block::from(paragraph("No figures.")));
    }
    doc = add_blocks(doc, body);
    let mut xml = doc.build();
    xml.document = mark_heading_rows(std::mem::take(&mut xml.document))?;
    xml.doc_props.core = core_properties_for(std::mem::take(&mut xml.doc_props.core), &r.organisation, &r.cover.subject)?;
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| DocumentError::Render(format!("could not write the Word document: {e}")))?;
    Ok(out.into_inner())
}

// ---------------------------------------------------------------------------
// A meeting's agenda pack.

/// An agenda pack as one Word document: the front sheet (the organisation, the body,
/// when and where, and whether it is the public pack or the members' with exempt
/// papers), the agenda, then each item's paper in agenda order from a new page — a
/// monitoring report issued in Assure in full — with "Page N of M" running through the
/// whole pack. The public pack names an exempt item and its Schedule 12A paragraph and
/// holds nothing of its paper.
/// An uploaded paper's text in the pack's own styles: its headings one level below the
/// item's heading, its tables with a repeating heading row.
fn paper_blocks(paper: &[assure_domain::meetings::PaperBlock]) -> Vec<Block> {
    use assure_domain::meetings::PaperBlock;
    let mut out = Vec::new();
    for b in paper {
        match b {
            PaperBlock::Heading { level, text } => {
                let style = if *level <= 1 { "Heading2" } else { "Heading3" };
                out.push(Block::from(styled(style, text)));
            }
            PaperBlock::Paragraph(text) => out.extend(blocks(paragraphs(text, None, ""))),
            PaperBlock::Table(rows) => {
                let columns = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
                let wd = widths(&vec![1; columns]);
                let mut rows = rows.iter().map(|r| {
                    let mut r = r.clone();
                    r.resize(columns, String::new());
                    r
                });
                let Some(first) = rows.next() else { continue };
                let headings: Vec<&str> = first.iter().map(String::as_str).collect();
                let body = rows.map(|r| body_row(r.iter().zip(&wd).map(|(c, w)| text_cell(c, *w, "")).collect())).collect();
                out.push(Block::from(headed_table(&headings, &wd, body, "")));
            }
        }
    }
    out
}

pub fn agenda_pack(p: &assure_domain::meetings::AgendaPack) -> Result<Vec<u8>, DocumentError> {
    use assure_domain::meetings::{schedule_12a, PackPaper};
    let mut doc = page_setup_for(p.date, p.draft);
    let mut body = vec![Block::from(styled("Title", &p.organisation)), Block::from(styled("Heading1", &p.body))];
    let wd = widths(&[32, 68]);
    let rows = [("Date", long(p.date)), ("Time", p.time.clone()), ("Venue", p.venue.clone())]
        .into_iter()
        .map(|(label, value)| {
            body_row(vec![shade(cell(vec![styled("TableHeading", label)], wd[0]), LABEL_FILL), text_cell(&value, wd[1], "To be confirmed")])
        })
        .collect();
    body.push(Block::from(table(rows, &wd)));
    body.push(Block::from(paragraph(if p.public {
        "The public agenda pack. Papers containing exempt information under Schedule 12A to the Local Government Act 1972 are not included."
    } else {
        "The members' agenda pack, with the exempt papers. NOT FOR PUBLICATION: the exempt papers contain information exempt under Schedule 12A to the Local Government Act 1972."
    })));
    body.push(Block::from(styled("Heading1", "Agenda").page_break_before(true)));
    let wd = widths(&[10, 60, 30]);
    let agenda_rows = p
        .items
        .iter()
        .map(|i| {
            let business = match i.exempt_paragraph {
                Some(n) => format!("{} (exempt: paragraph {n} of Schedule 12A)", i.title),
                None => i.title.clone(),
            };
            let paper = match &i.paper {
                PackPaper::None => String::new(),
                PackPaper::Report(_) => "Report attached".to_string(),
                PackPaper::Separate(t) => format!("{t} (circulated separately)"),
                PackPaper::Written(_) | PackPaper::Uploaded { .. } => "Report attached".to_string(),
                PackPaper::Attached(name) => format!("{name} (published with the agenda)"),
                PackPaper::Withheld(_) => "Not for publication".to_string(),
            };
            body_row(vec![text_cell(&i.number.to_string(), wd[0], ""), text_cell(&business, wd[1], ""), text_cell(&paper, wd[2], "")])
        })
        .collect();
    body.push(Block::from(headed_table(&["Item", "Business", "Paper"], &wd, agenda_rows, "No business.")));
    for i in &p.items {
        if i.paper == PackPaper::None {
            continue;
        }
        body.push(Block::from(styled("Heading1", &format!("Item {}: {}", i.number, i.title)).page_break_before(true)));
        match &i.paper {
            PackPaper::None => {}
            PackPaper::Report(r) => {
                body.extend(cover(r));
                body.extend(introduction(r));
                body.extend(overview(r));
                body.extend(progress_table(r, false));
            }
            PackPaper::Separate(t) => {
                body.push(Block::from(paragraph(&format!("The paper \u{201c}{t}\u{201d} is circulated with this pack separately."))));
            }
            PackPaper::Written(c) => {
                body.extend(cover_blocks(&p.organisation, &i.title, c));
                if !c.introduction.trim().is_empty() {
                    body.push(Block::from(styled("Heading2", "Introduction/Background")));
                    body.extend(blocks(paragraphs(&c.introduction, None, "")));
                }
            }
            PackPaper::Uploaded { blocks: paper, .. } => body.extend(paper_blocks(paper)),
            PackPaper::Attached(name) => {
                body.push(Block::from(paragraph(&format!(
                    "The paper \u{201c}{name}\u{201d} is a PDF: it is published with the agenda on the meeting's page, beside this pack."
                ))));
            }
            PackPaper::Withheld(n) => {
                body.push(Block::from(paragraph(&format!(
                    "Not for publication: this paper contains exempt information under paragraph {n} of Part 1 of Schedule 12A to the Local Government Act 1972 ({}).",
                    schedule_12a(*n)
                ))));
            }
        }
    }
    doc = add_blocks(doc, body);
    let mut xml = doc.build();
    xml.document = mark_heading_rows(std::mem::take(&mut xml.document))?;
    xml.doc_props.core = core_properties_for(std::mem::take(&mut xml.doc_props.core), &p.organisation, &p.title())?;
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| DocumentError::Render(format!("could not write the Word document: {e}")))?;
    Ok(out.into_inner())
}
