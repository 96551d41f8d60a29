//! An uploaded Word paper read back as text — its headings, paragraphs and tables — so
//! that an agenda pack can set it in the pack's own styles, with page numbers running
//! through it. Pictures, text boxes and tracked deletions are left out; the original
//! file stays downloadable as it was uploaded.

use assure_domain::meetings::PaperBlock;
use docx_rs as w;

/// Why an uploaded paper could not be read. The texts are shown to the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaperError {
    #[error("The Word document could not be read: open it in Word, save it again as a Word document (.docx) and upload it again")]
    Unreadable,
    #[error("The Word document has no text to put in the pack: check it is the right file")]
    Empty,
}

/// The paper's text in order: a paragraph styled as a heading (Heading 1 to 3, or the
/// document's Title) becomes a heading; empty paragraphs are dropped; tables keep their
/// rows and cells (a nested table's text joins its cell).
pub fn read_paper(bytes: &[u8]) -> Result<Vec<PaperBlock>, PaperError> {
    let docx = w::read_docx(bytes).map_err(|_| PaperError::Unreadable)?;
    let mut out = Vec::new();
    for child in &docx.document.children {
        match child {
            w::DocumentChild::Paragraph(p) => {
                let text = paragraph_text(p);
                if text.trim().is_empty() {
                    continue;
                }
                match heading_level(p) {
                    Some(level) => out.push(PaperBlock::Heading { level, text: text.trim().to_string() }),
                    None => out.push(PaperBlock::Paragraph(text.trim().to_string())),
                }
            }
            w::DocumentChild::Table(t) => {
                let rows = table_rows(t);
                if rows.iter().any(|r| r.iter().any(|c| !c.trim().is_empty())) {
                    out.push(PaperBlock::Table(rows));
                }
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(PaperError::Empty);
    }
    Ok(out)
}

fn heading_level(p: &w::Paragraph) -> Option<u8> {
    let style = p.property.style.as_ref()?.val.to_lowercase().replace([' ', '-', '_'], "");
    match style.as_str() {
        "title" | "heading1" => Some(1),
        "heading2" => Some(2),
        s if s.starts_with("heading") => Some(3),
        _ => None,
    }
}

fn paragraph_text(p: &w::Paragraph) -> String {
    let mut s = String::new();
    children_text(&p.children, &mut s);
    s
}

fn children_text(children: &[w::ParagraphChild], s: &mut String) {
    for c in children {
        match c {
            w::ParagraphChild::Run(r) => run_text(r, s),
            w::ParagraphChild::Insert(i) => {
                for ic in &i.children {
                    if let w::InsertChild::Run(r) = ic {
                        run_text(r, s);
                    }
                }
            }
            w::ParagraphChild::Hyperlink(h) => children_text(&h.children, s),
            _ => {}
        }
    }
}

fn run_text(r: &w::Run, s: &mut String) {
    for c in &r.children {
        match c {
            w::RunChild::Text(t) => s.push_str(&t.text),
            w::RunChild::Tab(_) => s.push('\t'),
            w::RunChild::Break(_) | w::RunChild::CarriageReturn(_) => s.push('\n'),
            _ => {}
        }
    }
}

fn table_rows(t: &w::Table) -> Vec<Vec<String>> {
    t.rows
        .iter()
        .map(|w::TableChild::TableRow(row)| {
            row.cells
                .iter()
                .map(|w::TableRowChild::TableCell(cell)| {
                    let mut parts = Vec::new();
                    for content in &cell.children {
                        match content {
                            w::TableCellContent::Paragraph(p) => parts.push(paragraph_text(p)),
                            w::TableCellContent::Table(inner) => {
                                parts.extend(table_rows(inner).into_iter().map(|r| r.join(" | ")));
                            }
                            _ => {}
                        }
                    }
                    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n")
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(doc: w::Docx) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        doc.build().pack(&mut out).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_word_paper_is_read_as_headings_paragraphs_and_tables() {
        let row = |cells: &[&str]| {
            w::TableRow::new(
                cells.iter().map(|c| w::TableCell::new().add_paragraph(w::Paragraph::new().add_run(w::Run::new().add_text(*c)))).collect(),
            )
        };
        let doc = w::Docx::new()
            .add_paragraph(w::Paragraph::new().style("Heading1").add_run(w::Run::new().add_text("Licensing enforcement")))
            .add_paragraph(w::Paragraph::new())
            .add_paragraph(
                w::Paragraph::new().add_run(w::Run::new().add_text("Taxi drivers trained: ")).add_run(w::Run::new().add_text("412 of 430.")),
            )
            .add_paragraph(w::Paragraph::new().style("Heading2").add_run(w::Run::new().add_text("Figures")))
            .add_table(w::Table::new(vec![row(&["Quarter", "Checks"]), row(&["Q1", "37"])]));
        let blocks = read_paper(&word(doc)).unwrap();
        assert_eq!(
            blocks,
            vec![
                PaperBlock::Heading { level: 1, text: "Licensing enforcement".into() },
                PaperBlock::Paragraph("Taxi drivers trained: 412 of 430.".into()),
                PaperBlock::Heading { level: 2, text: "Figures".into() },
                PaperBlock::Table(vec![vec!["Quarter".into(), "Checks".into()], vec!["Q1".into(), "37".into()]]),
            ]
        );
    }

    #[test]
    fn a_paper_without_a_table_is_still_a_word_document() {
        let doc =
            crate::docx::simple("A note", "", &[crate::docx::Part::Subheading("Why".into()), crate::docx::Part::Text("Just text.".into())]).unwrap();
        assert_eq!(
            read_paper(&doc).unwrap(),
            vec![
                PaperBlock::Heading { level: 1, text: "A note".into() },
                PaperBlock::Heading { level: 2, text: "Why".into() },
                PaperBlock::Paragraph("Just text.".into())
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_word_or_has_no_text_is_refused_in_words() {
        assert_eq!(read_paper(b"%PDF-1.7 not a Word document"), Err(PaperError::Unreadable));
        assert_eq!(read_paper(&word(w::Docx::new().add_paragraph(w::Paragraph::new()))), Err(PaperError::Empty));
    }
}
