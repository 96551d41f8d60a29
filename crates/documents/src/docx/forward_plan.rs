//! The forward plan as a Word document, in the layout of the seeds' plans: the
//! four-month period, what a key decision is, the exempt-information paragraphs, an
//! index of the items (new ones shaded and marked), then each item's details in a
//! two-column table with its changes of date, and the plan's fingerprint.

use std::io::Cursor;

use assure_domain::dates::long;
use assure_domain::forward_plan::{plan_period, PlanSnapshot, PublishedItem, FINANCIAL_THRESHOLD_POUNDS};
use assure_domain::meetings::schedule_12a;

use super::*;

/// Fill of a new item's index row, as the seeds shade them.
const NEW_FILL: &str = "E7E6E6";

fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

use assure_domain::text::thousands;

fn item_table(i: &PublishedItem) -> w::Table {
    let wd = widths(&[32, 68]);
    let d = &i.details;
    let mut expected = long(d.expected);
    for c in &i.date_changes {
        expected.push('\n');
        expected.push_str(&c.describe());
    }
    let maker = if d.decision_maker_name.is_empty() { d.decision_maker.label().to_string() } else { d.decision_maker_name.clone() };
    let exempt = match d.exempt_paragraph {
        None => "Open".to_string(),
        Some(n) => format!("Exempt: paragraph {n} of Schedule 12A ({}). {}", schedule_12a(n), d.public_interest),
    };
    let rows = [
        ("Details of Decision to be taken", d.title.clone()),
        ("Decision Maker", maker),
        ("Decision Expected", expected),
        ("Key Decision Criteria", format!("Financial: {}\nCommunity impact: {}", yes_no(d.financial), yes_no(d.wards_effect))),
        ("Exempt Report", exempt),
        ("Wards Affected", d.wards.clone()),
        ("Scrutiny Committee Area", d.scrutiny_area.clone()),
        ("Persons/Organisations to be Consulted", d.consultees.clone()),
        ("Method(s) of Consultation", d.consultation_method.clone()),
        ("List of Background Documents to be Considered by Decision-maker", d.background_documents.clone()),
        ("Contact Officer(s) details", d.contact_officer.clone()),
    ]
    .into_iter()
    .map(|(label, value)| body_row(vec![shade(cell(vec![styled("TableHeading", label)], wd[0]), LABEL_FILL), text_cell(&value, wd[1], "None")]))
    .collect();
    table(rows, &wd)
}

/// The plan as published, as a Word document.
pub fn forward_plan(organisation: &str, plan: &PlanSnapshot, fingerprint: &str) -> Result<Vec<u8>, DocumentError> {
    let (from, to) = plan_period(plan.published);
    let title = format!("Forward Plan for the four month period {} - {}", long(from), long(to));
    let mut body = vec![
        Block::from(styled("Title", organisation)),
        Block::from(styled("Heading1", "Forward Plan")),
        Block::from(styled("Heading2", &format!("For the four month period {} - {}", long(from), long(to)))),
        Block::from(paragraph(&format!(
            "This Forward Plan sets out the key decisions which the Cabinet, individual Cabinet Members or officers expect to take during the next four months. It is published on {} and rolled forward every month. A key decision is taken only after 28 clear days' notice in a published plan, unless the general exception or special urgency rules apply.",
            long(plan.published)
        ))),
        Block::from(styled("Heading2", "What a key decision is")),
        Block::from(paragraph(&format!(
            "1. An executive decision that requires expenditure, a saving or a virement of more than £{} or more than 2% of a departmental budget, whichever is the greater.",
            thousands(FINANCIAL_THRESHOLD_POUNDS)
        ))),
        Block::from(paragraph("2. An executive decision whose outcome will have a significant effect on people living or working in two or more wards.")),
        Block::from(styled("Heading2", "Exempt reports")),
        Block::from(paragraph(
            "Some reports contain exempt information and are not published. The plan gives the paragraph of Part 1 of Schedule 12A to the Local Government Act 1972 that applies:",
        )),
    ];
    body.extend((1..=7u8).map(|n| Block::from(paragraph(&format!("{n}. {}", schedule_12a(n))))));
    let planned = plan.planned();
    body.push(Block::from(styled("Heading1", "Index of items").page_break_before(true)));
    body.push(Block::from(paragraph("Items listed for the first time are shaded and marked New.")));
    let wd = widths(&[55, 25, 20]);
    let index = planned
        .iter()
        .map(|i| {
            let cells = vec![
                text_cell(&format!("{}{}", if i.new { "New: " } else { "" }, i.details.title), wd[0], ""),
                text_cell(&i.details.contact_officer, wd[1], ""),
                text_cell(&long(i.details.expected), wd[2], ""),
            ];
            body_row(if i.new { cells.into_iter().map(|c| shade(c, NEW_FILL)).collect() } else { cells })
        })
        .collect();
    body.push(Block::from(headed_table(&["Item heading", "Officer contact", "Decision expected"], &wd, index, "Nothing is planned.")));
    for i in &planned {
        body.push(Block::from(styled("Heading2", &i.details.title).page_break_before(true)));
        body.push(Block::from(item_table(i)));
    }
    body.push(Block::from(styled("Heading2", "Publication")));
    body.push(Block::from(paragraph(&format!("Published {}. Fingerprint (SHA-256) of the plan as published: {fingerprint}", long(plan.published)))));
    let mut doc = page_setup_for(plan.published, false);
    doc = add_blocks(doc, body);
    let mut xml = doc.build();
    xml.document = mark_heading_rows(std::mem::take(&mut xml.document))?;
    xml.doc_props.core = core_properties_for(std::mem::take(&mut xml.doc_props.core), organisation, &title)?;
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| DocumentError::Render(format!("could not write the Word document: {e}")))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_are_grouped_in_thousands() {
        assert_eq!((thousands(100_000), thousands(2_500_000), thousands(999)), ("100,000".into(), "2,500,000".into(), "999".into()));
    }
}
