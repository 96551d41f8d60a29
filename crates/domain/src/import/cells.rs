//! Cell text: cleaning what spreadsheets put in cells, and reading the RAG, Status and
//! Response words councils write.

use crate::tracker::{ExecutiveResponse, Lifecycle, Rag};

/// Clean a cell: normalise line endings and odd spaces, drop zero-width characters,
/// remove the formula-injection escape `'` before `= + - @`, and trim.
pub fn clean_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{a0}' | '\u{2007}' | '\u{202f}' => out.push(' '),
            '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' => {}
            c => out.push(c),
        }
    }
    let t = out.trim();
    let t = match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => t,
    };
    without_separator_escapes(t)
}

/// Remove the `'` Assure's CSV export puts before `= + - @` after a separator
/// (`assure_documents::spreadsheet::safe_csv_cell`), so a round trip is lossless.
fn without_separator_escapes(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len());
    let mut after_separator = false;
    for (i, &c) in chars.iter().enumerate() {
        if after_separator && c == '\'' && chars.get(i + 1).is_some_and(|n| matches!(n, '=' | '+' | '-' | '@')) {
            after_separator = false;
            continue;
        }
        if matches!(c, ',' | ';' | '\t' | '|' | '\n' | '\r') {
            after_separator = true;
        } else if !(after_separator && matches!(c, ' ' | '"')) {
            after_separator = false;
        }
        out.push(c);
    }
    out
}

pub(super) fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}'))
}

/// Lower-case alphanumeric words joined by single spaces: "Complete, awaiting sign-off"
/// becomes "complete awaiting sign off".
pub(super) fn words(s: &str) -> String {
    s.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

pub(super) fn thousands(n: usize) -> String {
    crate::text::thousands(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Parse a RAG cell. `Err` carries the explanation.
pub fn parse_rag(s: &str) -> Result<Option<Rag>, String> {
    let w = words(s);
    let shown = clean_cell(s);
    match w.as_str() {
        "" => return Ok(None),
        "red" | "r" => return Ok(Some(Rag::Red)),
        "amber" | "a" => return Ok(Some(Rag::Amber)),
        "green" | "g" => return Ok(Some(Rag::Green)),
        "complete" | "completed" | "done" | "blue" | "b" | "achieved" => {
            return Err(format!(
                "“{shown}” is not a RAG rating. RAG must be Red, Amber, Green or blank. Record that the work is complete in the Status column, and use Green if it has been achieved."
            ))
        }
        _ => {}
    }
    let colours = w.split(' ').filter(|t| matches!(*t, "red" | "amber" | "green" | "r" | "a" | "g")).count();
    if colours >= 2 {
        return Err(format!("“{shown}” gives more than one colour. RAG must be one of Red, Amber or Green, or blank."));
    }
    Err(format!("“{shown}” is not a RAG rating. RAG must be Red, Amber, Green or blank."))
}

/// Parse a Status cell into a lifecycle. `Err` carries the explanation.
pub fn parse_status(s: &str) -> Result<Option<Lifecycle>, String> {
    let w = words(s);
    if w.is_empty() {
        return Ok(None);
    }
    if let Some(l) = Lifecycle::ALL.iter().copied().find(|l| words(l.slug()) == w || words(l.label()) == w) {
        return Ok(Some(l));
    }
    let l = match w.as_str() {
        "not started" | "not yet started" | "not commenced" | "not begun" => Lifecycle::NotStarted,
        "ongoing" | "on going" | "in progress" | "started" | "underway" | "under way" | "in hand" | "progressing" | "open" => {
            Lifecycle::InProgress
        }
        "paused" | "on hold" | "deferred" => Lifecycle::Paused,
        "not feasible" | "not possible" | "not achievable" => Lifecycle::NotFeasible,
        "superseded" | "replaced" => Lifecycle::Superseded,
        "complete" | "completed" | "done" | "achieved" | "awaiting sign off" | "complete awaiting sign off"
        | "completed awaiting sign off" | "completed awaiting signoff" | "complete awaiting signoff" => Lifecycle::CompleteAwaitingSignOff,
        "signed off" | "signedoff" | "closed" | "complete and signed off" | "completed and signed off" => Lifecycle::SignedOff,
        "transferred" | "delegated" => Lifecycle::Transferred,
        _ => {
            return Err(format!(
                "“{}” is not a status Assure recognises. Use Not started, In progress, Paused, Not feasible, Superseded, Complete, Signed off or Transferred, or leave it blank.",
                clean_cell(s)
            ))
        }
    };
    Ok(Some(l))
}

/// Parse a Response cell. `Err` carries the explanation.
pub fn parse_response(s: &str) -> Result<Option<ExecutiveResponse>, String> {
    let w = words(s);
    if w.is_empty() {
        return Ok(None);
    }
    if let Some(r) = ExecutiveResponse::ALL.iter().copied().find(|r| words(r.slug()) == w || words(r.label()) == w) {
        return Ok(Some(r));
    }
    let r = match w.as_str() {
        "agreed" | "accept" | "approved" => ExecutiveResponse::Accepted,
        "agreed in principle" | "in principle" | "approved in principle" => ExecutiveResponse::AcceptedInPrinciple,
        "partly accepted" | "accepted in part" | "partially agreed" | "partly agreed" | "agreed in part" | "part accepted" => {
            ExecutiveResponse::PartiallyAccepted
        }
        "not accepted" | "declined" | "not agreed" => ExecutiveResponse::Rejected,
        "pending" | "not yet responded" | "no response yet" | "awaited" | "response awaited" => ExecutiveResponse::Awaiting,
        _ => {
            return Err(format!(
                "“{}” is not an executive response Assure recognises. Use Accepted, Accepted in principle, Partially accepted, Rejected, Noted or Awaiting response, or leave it blank.",
                clean_cell(s)
            ))
        }
    };
    Ok(Some(r))
}

pub(super) fn rag_rank(r: Rag) -> u8 {
    match r {
        Rag::Red => 3,
        Rag::Amber => 2,
        Rag::Green => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cleaned() {
        assert_eq!(clean_cell("  '=SUM(A1)\r\n"), "=SUM(A1)");
        assert_eq!(clean_cell("'-1"), "-1");
        assert_eq!(clean_cell("'quoted"), "'quoted");
        assert_eq!(clean_cell("a\r\nb\rc\u{a0}d\u{feff}"), "a\nb\nc d");
    }

    #[test]
    fn rag_words_and_letters() {
        assert_eq!(parse_rag("Red"), Ok(Some(Rag::Red)));
        assert_eq!(parse_rag(" r "), Ok(Some(Rag::Red)));
        assert_eq!(parse_rag("AMBER"), Ok(Some(Rag::Amber)));
        assert_eq!(parse_rag("a"), Ok(Some(Rag::Amber)));
        assert_eq!(parse_rag("Green"), Ok(Some(Rag::Green)));
        assert_eq!(parse_rag("G"), Ok(Some(Rag::Green)));
        assert_eq!(parse_rag(""), Ok(None));
        assert!(parse_rag("Yellow").unwrap_err().contains("RAG must be Red, Amber, Green or blank"));
        assert!(parse_rag("Complete").unwrap_err().contains("Status column"));
        assert!(parse_rag("Red/Amber").unwrap_err().contains("more than one colour"));
    }

    #[test]
    fn status_and_response_words() {
        assert_eq!(parse_status("Ongoing"), Ok(Some(Lifecycle::InProgress)));
        assert_eq!(parse_status("In progress"), Ok(Some(Lifecycle::InProgress)));
        assert_eq!(parse_status("not started"), Ok(Some(Lifecycle::NotStarted)));
        assert_eq!(parse_status("Completed"), Ok(Some(Lifecycle::CompleteAwaitingSignOff)));
        assert_eq!(parse_status("Complete"), Ok(Some(Lifecycle::CompleteAwaitingSignOff)));
        assert_eq!(parse_status("Signed off"), Ok(Some(Lifecycle::SignedOff)));
        assert_eq!(parse_status("On hold"), Ok(Some(Lifecycle::Paused)));
        assert_eq!(parse_status("Paused"), Ok(Some(Lifecycle::Paused)));
        assert_eq!(parse_status("Not feasible"), Ok(Some(Lifecycle::NotFeasible)));
        assert_eq!(parse_status("Superseded"), Ok(Some(Lifecycle::Superseded)));
        assert_eq!(parse_status("Transferred"), Ok(Some(Lifecycle::Transferred)));
        for l in Lifecycle::ALL {
            assert_eq!(parse_status(l.slug()), Ok(Some(*l)));
            assert_eq!(parse_status(l.label()), Ok(Some(*l)));
        }
        assert!(parse_status("Sort of").is_err());
        assert_eq!(parse_response("Accepted"), Ok(Some(ExecutiveResponse::Accepted)));
        assert_eq!(parse_response("accepted in principle"), Ok(Some(ExecutiveResponse::AcceptedInPrinciple)));
        assert_eq!(parse_response("Partially accepted"), Ok(Some(ExecutiveResponse::PartiallyAccepted)));
        assert_eq!(parse_response("Rejected"), Ok(Some(ExecutiveResponse::Rejected)));
        assert_eq!(parse_response("Noted"), Ok(Some(ExecutiveResponse::Noted)));
        for r in ExecutiveResponse::ALL {
            assert_eq!(parse_response(r.slug()), Ok(Some(*r)));
            assert_eq!(parse_response(r.label()), Ok(Some(*r)));
        }
        assert!(parse_response("Maybe").is_err());
    }
}
