//! A subject access export as one ZIP file: `summary.docx` (what is held, kind by kind,
//! with the police-only records to review for redaction before anything is sent),
//! `README.txt`, and one JSON file per kind of record (`<table>.json`: every record as
//! stored, each marked `for_redaction_review`).

use std::io::{Cursor, Write};

use assure_domain::subject_access::SubjectAccessExport;
use zip::write::SimpleFileOptions;

use crate::docx::{simple, Part};
use crate::DocumentError;

/// The summary as a Word document.
pub fn summary(e: &SubjectAccessExport) -> Result<Vec<u8>, DocumentError> {
    let mut parts = vec![
        Part::Text(format!(
            "Everything Assure holds about the child with record number {}, exported on {} by {}: {} records of {} kinds. \
             {} records are police-only material (Prosecute, perpetrators, operations, police CSE flags) or of a kind not yet described, \
             and are marked for redaction review: check each with the police before anything is disclosed.",
            e.child_id,
            e.generated_at,
            e.generated_by,
            e.records(),
            e.kinds.len(),
            e.for_redaction_review()
        )),
        Part::Heading("What is held".into()),
    ];
    let rows = e
        .kinds
        .iter()
        .map(|k| {
            vec![
                k.label.clone(),
                k.section.clone().unwrap_or_else(|| "Not described".into()),
                k.records.len().to_string(),
                k.for_redaction_review.to_string(),
                format!("{}.json", k.table),
            ]
        })
        .collect();
    parts.push(Part::Table(
        vec!["Kind of record".into(), "Part of the record".into(), "Records".into(), "For redaction review".into(), "File".into()],
        rows,
    ));
    let review: Vec<Vec<String>> = e
        .kinds
        .iter()
        .flat_map(|k| {
            k.records.iter().filter(|r| r.get("for_redaction_review") == Some(&serde_json::Value::Bool(true))).map(move |r| {
                let id = r.get("id").or_else(|| r.get("seq")).map(|v| v.to_string()).unwrap_or_else(|| "(no number)".into());
                vec![k.label.clone(), format!("{}.json", k.table), id]
            })
        })
        .collect();
    parts.push(Part::Heading("For redaction review".into()));
    if review.is_empty() {
        parts.push(Part::Text("No record is marked for redaction review.".into()));
    } else {
        parts.push(Part::Table(vec!["Kind of record".into(), "File".into(), "Record number".into()], review));
    }
    simple(&format!("Subject access export: child record {}", e.child_id), "OFFICIAL-SENSITIVE", &parts)
}

/// The whole export as a ZIP file.
pub fn zip(e: &SubjectAccessExport) -> Result<Vec<u8>, DocumentError> {
    let err = |what: &str, x: &dyn std::fmt::Display| DocumentError::Render(format!("could not write the subject access export ({what}): {x}"));
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut add = |name: &str, bytes: &[u8]| -> Result<(), DocumentError> {
        z.start_file(name, opts).map_err(|x| err(name, &x))?;
        z.write_all(bytes).map_err(|x| err(name, &x))
    };
    add("summary.docx", &summary(e)?)?;
    let readme = format!(
        "Subject access export, child record {}\nMade {} by {}.\n\nsummary.docx lists what is held and what to review.\n\
         Each <kind>.json holds every record of one kind as stored; records marked \"for_redaction_review\": true are police-only\n\
         material (or of a kind not yet described) and must be reviewed for redaction before disclosure.\n",
        e.child_id, e.generated_at, e.generated_by
    );
    add("README.txt", readme.as_bytes())?;
    for k in &e.kinds {
        let json = serde_json::to_vec_pretty(k).map_err(|x| err(&k.table, &x))?;
        add(&format!("{}.json", k.table), &json)?;
    }
    let out = z.finish().map_err(|x| err("finish", &x))?;
    Ok(out.into_inner())
}
