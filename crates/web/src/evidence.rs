//! Evidence files: checked by content against an allow-list (not by the name or
//! the browser's claimed type), stored outside any web root under a random name.

use assure_domain::tracker::{check_evidence_upload, EvidenceInput};
use assure_domain::Invalid;
use sha2::{Digest, Sha256};

use crate::AppState;

pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What the content really is, if it is on the allow-list (the domain's
/// [`EVIDENCE_CONTENT_TYPES`](assure_domain::tracker::EVIDENCE_CONTENT_TYPES)).
pub fn classify(name: &str, bytes: &[u8]) -> Option<&'static str> {
    if let Some(kind) = infer::get(bytes) {
        return match kind.mime_type() {
            "application/pdf" => Some("application/pdf"),
            "image/png" => Some("image/png"),
            "image/jpeg" => Some("image/jpeg"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            }
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
                Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            }
            _ => None,
        };
    }
    // Plain text has no signature: accept it only with a text name and text content.
    let lower = name.to_lowercase();
    let text_name = lower.ends_with(".txt") || lower.ends_with(".csv");
    let is_text = std::str::from_utf8(bytes).is_ok_and(|s| !s.contains('\0') && !s.trim_start().starts_with('<'));
    (text_name && is_text).then_some("text/plain; charset=utf-8")
}

/// A file name safe to show and to send back in Content-Disposition.
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')')).take(120).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "evidence".into()
    } else {
        cleaned
    }
}

pub fn evidence_dir(state: &AppState) -> std::path::PathBuf {
    state.config.data_dir.join("evidence")
}

/// Add the problems with the chosen files (empty, too large, not a kind Assure accepts)
/// to `v`, before anything is written.
pub fn check_uploads(state: &AppState, uploads: &[Upload], v: &mut Invalid) {
    for u in uploads {
        check_evidence_upload(v, &safe_name(&u.name), u.bytes.len(), state.config.max_upload_bytes, classify(&u.name, &u.bytes));
    }
}

/// Check every upload; write them all only if all pass. What was written is described
/// for the store, which checks the description again with the update.
pub async fn store_uploads(state: &AppState, uploads: &[Upload]) -> Result<Vec<EvidenceInput>, Invalid> {
    let mut v = Invalid::new();
    check_uploads(state, uploads, &mut v);
    v.finish()?;
    let dir = evidence_dir(state);
    tokio::fs::create_dir_all(&dir).await.map_err(|_| Invalid::single("evidence", "The file could not be saved. Try again."))?;
    let mut out = Vec::new();
    for u in uploads {
        let Some(ct) = classify(&u.name, &u.bytes) else {
            return Err(Invalid::single("evidence", "The file could not be saved. Try again."));
        };
        let sha = hex::encode(Sha256::digest(&u.bytes));
        let stored = format!("{}-{}", &sha[..16], crate::auth::random_token());
        tokio::fs::write(dir.join(&stored), &u.bytes).await.map_err(|_| Invalid::single("evidence", "The file could not be saved. Try again."))?;
        out.push(EvidenceInput {
            original_name: safe_name(&u.name),
            content_type: ct.to_string(),
            size_bytes: u.bytes.len() as i64,
            sha256: sha,
            stored_name: stored,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(classify("letter.pdf", b"%PDF-1.7\n..."), Some("application/pdf"));
        // An executable renamed to .pdf is refused.
        assert_eq!(classify("letter.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), None);
        // HTML disguised as text is refused.
        assert_eq!(classify("notes.txt", b"<script>alert(1)</script>"), None);
        assert_eq!(classify("notes.txt", "Letter sent 7 December 2017".as_bytes()), Some("text/plain; charset=utf-8"));
        // Text content with another name is refused.
        assert_eq!(classify("notes.html", b"hello"), None);
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\Users\\me\\Letter to MP.pdf"), "Letter to MP.pdf");
        assert_eq!(safe_name("\"quoted\";.pdf"), "quoted.pdf");
        assert_eq!(safe_name(".."), "evidence");
    }
}
