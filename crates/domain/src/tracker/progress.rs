//! Progress updates and the evidence files kept with them. Updates are never edited:
//! a correction is a new update that names the one it corrects.

use chrono::NaiveDate;

use crate::validation::{Checked, Invalid};

/// The kinds of evidence file accepted, by content type (decided from the content, not
/// the name, by the edge that reads the file).
pub const EVIDENCE_CONTENT_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/plain; charset=utf-8",
];

/// [`EVIDENCE_CONTENT_TYPES`] in words.
pub const EVIDENCE_ALLOWED: &str = "a PDF, Word document, Excel spreadsheet, PNG or JPEG image, or plain text file";

/// A progress update as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateInput {
    pub update_date: Option<NaiveDate>,
    pub narrative: String,
    pub progress_percent: Option<i64>,
    /// The earlier update of the same recommendation this one corrects.
    pub corrects_id: Option<i64>,
}

impl UpdateInput {
    /// The order the messages are listed in (what was done first, as it always was).
    pub const FIELDS: &'static [&'static str] = &["narrative", "update_date", "progress_percent", "corrects_id", "evidence"];
}

/// An evidence file already written to disk, as the edge describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceInput {
    /// The name to show and to send back (already made safe).
    pub original_name: String,
    /// One of [`EVIDENCE_CONTENT_TYPES`].
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, 64 lower-case hex digits.
    pub sha256: String,
    /// The file's name in the evidence folder: never a path.
    pub stored_name: String,
}

/// An update ready to add, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpdate {
    pub update_date: NaiveDate,
    pub narrative: String,
    pub progress_percent: Option<i64>,
    pub corrects_id: Option<i64>,
    pub evidence: Vec<EvidenceInput>,
}

/// A file chosen for upload, checked before anything is written: not empty, not
/// larger than `max_bytes`, and of an accepted kind (`content_type` is what the content
/// was found to be, `None` when it is not one Assure accepts).
pub fn check_evidence_upload(v: &mut Invalid, name: &str, size_bytes: usize, max_bytes: usize, content_type: Option<&str>) {
    if size_bytes == 0 {
        v.add("evidence", format!("The selected file {name} is empty"));
    } else if size_bytes > max_bytes {
        v.add("evidence", format!("The selected file must be smaller than {} MB", max_bytes / (1024 * 1024)));
    } else if !content_type.is_some_and(|t| EVIDENCE_CONTENT_TYPES.contains(&t)) {
        v.add("evidence", format!("The selected file {name} must be {EVIDENCE_ALLOWED}"));
    }
}

fn stored_name_is_plain(n: &str) -> bool {
    !n.is_empty() && n.len() <= 200 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') && !n.starts_with('-')
}

/// An update has what was done (at most 20,000 characters) and its date; the progress
/// it states is a whole number from 0 to 100; each evidence file is a non-empty file of
/// an accepted kind, kept under a plain name with its SHA-256. Whether `corrects_id` is
/// an update of the same recommendation is for storage to add.
pub fn check_update(u: &UpdateInput, evidence: &[EvidenceInput]) -> Result<Checked<NewUpdate>, Invalid> {
    let mut v = Invalid::new();
    let narrative = v.required("narrative", &u.narrative, "Describe the progress made");
    v.max_len("narrative", &narrative, 20_000, "The update");
    if u.update_date.is_none() {
        v.add("update_date", "Enter the date of the update as a real date, for example 7 December 2017");
    }
    if u.progress_percent.is_some_and(|p| !(0..=100).contains(&p)) {
        v.add("progress_percent", "Progress must be a whole number from 0 to 100");
    }
    for e in evidence {
        let size = usize::try_from(e.size_bytes).unwrap_or(0);
        check_evidence_upload(&mut v, &e.original_name, size, usize::MAX, Some(e.content_type.as_str()));
        let sha_ok = e.sha256.len() == 64 && e.sha256.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        if e.original_name.trim().is_empty() || !sha_ok || !stored_name_is_plain(&e.stored_name) {
            v.add("evidence", "The file could not be saved. Try again.");
        }
    }
    v.finish()?;
    let Some(update_date) = u.update_date else {
        return Err(Invalid::single("update_date", "Enter the date of the update as a real date, for example 7 December 2017"));
    };
    Ok(Checked::new(NewUpdate {
        update_date,
        narrative,
        progress_percent: u.progress_percent,
        corrects_id: u.corrects_id,
        evidence: evidence.to_vec(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn letter() -> EvidenceInput {
        EvidenceInput {
            original_name: "Letter to MP.pdf".into(),
            content_type: "application/pdf".into(),
            size_bytes: 2048,
            sha256: "ab".repeat(32),
            stored_name: "abababababababab-Zx9_q".into(),
        }
    }

    #[test]
    fn an_update_needs_its_date_what_was_done_and_progress_from_0_to_100() {
        let e = check_update(&UpdateInput { narrative: " ".into(), progress_percent: Some(140), ..Default::default() }, &[]).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["narrative", "update_date", "progress_percent"]);
        assert_eq!(e.for_field("update_date"), Some("Enter the date of the update as a real date, for example 7 December 2017"));
        assert_eq!(e.for_field("narrative"), Some("Describe the progress made"));
        assert_eq!(e.for_field("progress_percent"), Some("Progress must be a whole number from 0 to 100"));
        let e =
            check_update(&UpdateInput { update_date: Some(d(2017, 12, 7)), narrative: "n".repeat(20_001), ..Default::default() }, &[]).unwrap_err();
        assert_eq!(e.for_field("narrative"), Some("The update must be 20000 characters or fewer"));
        let ok = check_update(
            &UpdateInput { update_date: Some(d(2017, 12, 7)), narrative: " Letter sent ".into(), progress_percent: Some(0), corrects_id: Some(3) },
            &[letter()],
        )
        .unwrap();
        assert_eq!((ok.narrative.as_str(), ok.progress_percent, ok.corrects_id, ok.evidence.len()), ("Letter sent", Some(0), Some(3), 1));
    }

    #[test]
    fn evidence_is_a_non_empty_file_of_an_accepted_kind_under_a_plain_name() {
        let u = UpdateInput { update_date: Some(d(2017, 12, 7)), narrative: "Letter sent".into(), ..Default::default() };
        let e = check_update(&u, &[EvidenceInput { content_type: "text/html".into(), ..letter() }]).unwrap_err();
        assert_eq!(
            e.for_field("evidence"),
            Some("The selected file Letter to MP.pdf must be a PDF, Word document, Excel spreadsheet, PNG or JPEG image, or plain text file")
        );
        let e = check_update(&u, &[EvidenceInput { size_bytes: 0, ..letter() }]).unwrap_err();
        assert_eq!(e.for_field("evidence"), Some("The selected file Letter to MP.pdf is empty"));
        for bad in [EvidenceInput { stored_name: "../../etc/passwd".into(), ..letter() }, EvidenceInput { sha256: "xyz".into(), ..letter() }] {
            let e = check_update(&u, &[bad]).unwrap_err();
            assert_eq!(e.for_field("evidence"), Some("The file could not be saved. Try again."));
        }
    }

    #[test]
    fn uploads_are_refused_before_they_are_written() {
        let mut v = Invalid::new();
        check_evidence_upload(&mut v, "a.pdf", 0, 1024 * 1024, Some("application/pdf"));
        assert_eq!(v.for_field("evidence"), Some("The selected file a.pdf is empty"));
        let mut v = Invalid::new();
        check_evidence_upload(&mut v, "a.pdf", 3 * 1024 * 1024, 2 * 1024 * 1024, Some("application/pdf"));
        assert_eq!(v.for_field("evidence"), Some("The selected file must be smaller than 2 MB"));
        let mut v = Invalid::new();
        check_evidence_upload(&mut v, "a.exe", 10, 1024, None);
        assert!(v.for_field("evidence").unwrap().ends_with("or plain text file"));
        let mut v = Invalid::new();
        check_evidence_upload(&mut v, "a.pdf", 10, 1024, Some("application/pdf"));
        assert!(v.is_empty());
    }
}
