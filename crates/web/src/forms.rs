//! Reading submitted forms, and the notices shown after a successful one.

use assure_domain::dates::parse_user;
use assure_domain::Invalid;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use crate::error::AppError;

/// What was typed in a number box is not a whole number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

/// The fields of a URL-encoded form, repeated names kept (checkboxes).
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::TooLarge("The form is too large to send.".into()))?;
        Ok(Fields::parse(&bytes))
    }
}

impl Fields {
    /// A posted form. A date sent in the GOV.UK pattern (`{name}-day`, `{name}-month`,
    /// `{name}-year`, and `{name}-time` for a moment) is also given as `{name}`, joined
    /// "day/month/year" ("day/month/year HH:MM"), so it is read like the one box it
    /// replaced (and shown back as typed); [`Fields::date_problem`] names the part that
    /// is wrong.
    pub fn parse(bytes: &[u8]) -> Fields {
        let mut f = Fields(form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect());
        f.join_date_parts();
        f
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// Give each date sent in the GOV.UK pattern as one value too (see [`Fields::parse`]);
    /// for a form read another way (a multipart form with evidence files).
    pub fn join_date_parts(&mut self) {
        let names: Vec<String> = self.0.iter().filter_map(|(k, _)| k.strip_suffix("-day").map(str::to_string)).collect();
        for name in names {
            if self.has(&name) || !self.has(&format!("{name}-month")) || !self.has(&format!("{name}-year")) {
                continue;
            }
            let part = |p: &str| self.get(&format!("{name}-{p}")).trim().to_string();
            let (d, m, y, t) = (part("day"), part("month"), part("year"), part("time"));
            let joined = if [&d, &m, &y, &t].iter().all(|p| p.is_empty()) {
                String::new()
            } else if self.has(&format!("{name}-time")) {
                format!("{d}/{m}/{y} {t}")
            } else {
                format!("{d}/{m}/{y}")
            };
            self.0.push((name, joined));
        }
    }

    /// What is wrong with a date sent in the GOV.UK pattern, naming the part (a day,
    /// month or year missing, a year not of 4 numbers, a time that is not one); `None`
    /// when it is blank or a real date, or was sent as one box.
    pub fn date_problem(&self, name: &str, what: &str) -> Option<String> {
        if !self.has(&format!("{name}-day")) {
            return None;
        }
        if let Err(m) = read_date_parts(self, name, what) {
            return Some(m);
        }
        if self.has(&format!("{name}-time")) {
            let time = self.get(&format!("{name}-time")).trim();
            let date_given = !self.get(&format!("{name}-year")).trim().is_empty();
            if time.is_empty() && date_given {
                return Some(format!("{what} must include a time, for example 21:30"));
            }
            if !time.is_empty() && chrono::NaiveTime::parse_from_str(&time.replace('.', ":"), "%H:%M").is_err() {
                return Some(format!("{what}: the time must be a real time on the 24-hour clock, for example 21:30"));
            }
            if !time.is_empty() && !date_given {
                return Some(format!("{what} must include a day, a month and a year"));
            }
        }
        None
    }
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }
    pub fn string(&self, name: &str) -> String {
        self.get(name).to_string()
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
    pub fn ids(&self, name: &str) -> Vec<i64> {
        self.all(name).iter().filter_map(|v| v.trim().parse().ok()).collect()
    }
    /// An id from a select; blank is None, anything unparseable is an impossible id (refused later).
    pub fn opt_id(&self, name: &str) -> Option<i64> {
        let v = self.get(name).trim();
        if v.is_empty() {
            None
        } else {
            Some(v.parse().unwrap_or(-1))
        }
    }
    /// A whole number typed in a box (a trailing % is allowed); blank is None.
    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, NotANumber> {
        let v = self.get(name).trim().trim_end_matches('%');
        if v.is_empty() {
            Ok(None)
        } else {
            v.parse().map(Some).map_err(|_| NotANumber)
        }
    }
    /// A yes/no radio: `None` when neither was chosen.
    pub fn yes_no(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }
    }
    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        parse_user(self.get(name))
    }
    pub fn version(&self) -> Result<i64, AppError> {
        self.get("version").trim().parse().map_err(|_| AppError::BadRequest("The form is missing its version: reload the page and try again.".into()))
    }
}

/// The domain's check of a form with the problems only the page can find (a date or a
/// number typed so that it cannot be read) added, so every problem arrives at once, in
/// the form's order (`fields`). With such a problem nothing goes further, whatever the
/// check said.
pub fn with_typed<T>(typed: Invalid, checked: Result<T, Invalid>, fields: &[&str]) -> Result<T, Invalid> {
    match checked {
        Ok(c) if typed.is_empty() => Ok(c),
        Ok(_) => Err(typed.ordered(fields)),
        Err(e) => Err(typed.merged(e).ordered(fields)),
    }
}

/// For a write the store checks itself (adding what only the database can tell): the
/// problems only the page can find, with the domain's check of the same input, so they
/// arrive at once in the form's order. `None` when the page found nothing: then the
/// store is asked, and answers with every problem of its own.
pub fn refused<T>(typed: Invalid, check: impl FnOnce() -> Result<T, Invalid>, fields: &[&str]) -> Option<Invalid> {
    if typed.is_empty() {
        return None;
    }
    Some(with_typed(typed, check(), fields).err().unwrap_or_default())
}

/// Optional dates typed but not understood, as problems with their fields (they are
/// not silently dropped): `(field, what it is)` pairs.
pub fn unreadable_dates(f: &Fields, dates: &[(&str, &str)]) -> Invalid {
    let mut v = Invalid::new();
    for (name, label) in dates {
        if let Some(m) = f.date_problem(name, &format!("The {label}")) {
            v.add(name, m);
        } else if !f.get(name).trim().is_empty() && f.date(name).is_none() {
            v.add(name, format!("The {label} must be a real date, for example 27 3 2026"));
        }
    }
    v
}

/// Redirect after a successful form, with a notice key.
pub fn done(to: &str, notice: &str) -> Response {
    // The notice goes in the query, before any fragment (after it, the browser would keep it from the server).
    let (path, fragment) = match to.split_once('#') {
        Some((p, f)) => (p, format!("#{f}")),
        None => (to, String::new()),
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}notice={notice}{fragment}")).into_response()
}

/// The success messages, by key (only these can be shown).
pub fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "review-created" => "Review created",
        "dataset-closed" => "Month closed: its figures are frozen",
        "dataset-measure-added" => "Measure added: the dataset counts it from the month in progress",
        "dataset-measure-changed" => "New version saved: closed months keep the version they were counted by",
        "dataset-threshold-saved" => "Threshold saved",
        "plan-imported" => "Plan imported",
        "plan-redrafted" => "New version saved: here is how it cross-references the version before",
        "plan-action-updated" => "Action updated",
        "measure-linked" => "Measure linked: its outcome shows from the month the action was agreed",
        "scorecard-created" => "Scorecard started",
        "measure-added" => "Measure added",
        "scorecard-imported" => "File imported: its measures and values are on the scorecard",
        "measure-value-saved" => "Value saved",
        "quarterly-created" => "Quarterly report started from the quarter's closed months",
        "chronology-marked" => "The event is marked significant",
        "chronology-unmarked" => "The mark is taken off",
        "audit-round-opened" => "Audit round opened: its sample is drawn and its seed recorded",
        "audit-case-assigned" => "Case assigned: the auditor may see the child's record while the round runs",
        "audit-case-graded" => "Grading saved",
        "audit-action-added" => "Action added: it is tracked as a recommendation",
        "audit-round-closed" => "Round closed: the auditors' access has ended",
        "quarterly-saved" => "Report saved",
        "quarterly-saved-unsigned" => "Report saved: the signature on the earlier wording was cleared, so both co-chairs sign again",
        "quarterly-signed-first" => "Signed: the report now waits for the other co-chair's signature",
        "quarterly-signed" => "Signed by both co-chairs: the report is frozen and fingerprinted",
        "meeting-created" => "Meeting arranged",
        "meeting-saved" => "Meeting saved",
        "meeting-moved" => "Meeting moved: the old date and the reason are kept",
        "meetings-arranged" => "The year's meetings are arranged",
        "member-added" => "Member added",
        "meeting-person-added" => "Person added: they can now be made a member or a substitute",
        "member-term-ended" => "Term ended",
        "member-changed" => "Membership changed",
        "paper-saved" => "Paper saved",
        "forward-plan-item-added" => "Decision added to the forward plan",
        "forward-plan-published" => "Forward plan published",
        "forward-plan-date-changed" => "Expected date changed",
        "forward-plan-exception" => "Exception recorded",
        "forward-plan-taken" => "Decision recorded as taken",
        "forward-plan-withdrawn" => "Withdrawn from the plan",
        "calendar-feed-off" => "Your calendar feed is off: its address no longer works",
        "request-owner-changed" => "The officer asked for the report was changed",
        "minutes-approved" => "Minutes approved: they are frozen and fingerprinted",
        "agenda-item-added" => "Agenda item added",
        "meeting-attendance-recorded" => "Attendance recorded",
        "minute-added" => "Minute added",
        "resolution-added" => "Resolution recorded",
        "declaration-added" => "Declaration of interest recorded",
        "request-deferred" => "Report deferred to a later meeting",
        "work-item-added" => "Item added to the work programme",
        "review-saved" => "Review saved",
        "endorsement-added" => "Endorsement recorded",
        "schedule-added" => "Monitoring schedule added",
        "recommendation-created" => "Recommendation added",
        "recommendation-saved" => "Recommendation saved",
        "response-recorded" => "Executive response recorded",
        "status-changed" => "Status changed",
        "rag-saved" => "RAG saved",
        "action-added" => "Action added",
        "date-revised" => "Target date revised; the earlier date is kept in the history",
        "action-saved" => "Action saved",
        "update-added" => "Progress update added",
        "signed-off" => "Recommendation signed off",
        "transferred" => "Recommendation transferred",
        "updates-requested" => "Update requests sent to the lead officers",
        "body-created" => "Body added",
        "body-saved" => "Body saved",
        "user-created" => "Account created",
        "user-saved" => "Account saved",
        "settings-saved" => "Settings saved",
        "sign-in-provider-saved" => "Identity provider saved",
        "two-factor-roles-saved" => "Two-factor sign-in requirements saved",
        "mail-rules-saved" => "E-mail rules saved",
        "account-mail-saved" => "Your reminder setting is saved",
        "two-factor-off" => "Two-factor sign-in is off",
        "legal-hold-placed" => "Legal hold placed",
        "legal-hold-lifted" => "Legal hold lifted",
        "record-destroyed" => "The record was destroyed; the audit log keeps its tombstone",
        "token-revoked" => "API token revoked",
        "signed-out" => "You have signed out",
        "password-reset" => "Your password has been changed. Sign in with your new password.",
        "report-created" => "Draft report prepared",
        "report-saved" => "Cover saved",
        "report-issued" => "Report issued: it is now frozen exactly as it is",
        "report-deleted" => "Draft report deleted",
        "import-committed" => "Tracker imported: every row was added or updated",
        "import-uploaded" => "File read: now choose what each column holds",
        "preset-saved" => "Column mapping saved as a preset",
        "concern-raised" => "Referral sent to the MASH: the screening's risk level is shown below",
        "check-recorded" => "Agency check recorded",
        "decision-recorded" => "MASH decision recorded",
        "return-acknowledged" => "Returned referral acknowledged",
        "marac-recorded" => "MARAC referral recorded: it waits on the MASH queue for a CSE review",
        "marac-referred" => "CSE review recorded: the young person is referred to MACSE",
        "marac-no-concern" => "CSE review recorded: no CSE concern",
        "challenge-recorded" => "Challenge recorded against the agency",
        "challenge-answered" => "The agency's response is recorded",
        "follow-on-recorded" => "Follow-on decision recorded",
        "cp-strategy-recorded" => "Strategy meeting recorded",
        "cp-s47-recorded" => "Section 47 enquiry recorded",
        "cp-conference-recorded" => "Initial child protection conference recorded",
        "cp-review-recorded" => "First review conference recorded",
        "cp-officer-named" => "CSE reviewing officer saved: they are invited to the child's coming panel slots",
        "cp-plan-saved" => "Child protection plan saved as a new version of the child's plan",
        "tool-saved" => "Screening tool saved as a new version",
        "child-saved" => "Identity and legal status saved",
        "children-merged" => "Records merged: the duplicate now points to this record",
        "emergency-access" => "Emergency access granted for 24 hours. Your reason is recorded and will be reviewed.",
        "emergency-reviewed" => "Review recorded",
        "agency-created" => "Agency added",
        "agency-level-saved" => "Saved: who in the agency sees the children it is involved with",
        "spoc-added" => "SPOC added",
        "spoc-removed" => "SPOC removed",
        "person-saved" => "Agency, teams and SPOC duty saved",
        "panels-added" => "Panels added to the series",
        "slot-booked" => "Slot booked",
        "invited" => "Invitations saved",
        "attendance-recorded" => "Attendance recorded",
        "minutes-saved" => "Minutes saved",
        "discussion-saved" => "Minutes of the young person's discussion saved with their record",
        "panel-date-saved" => "Panel date saved",
        "plan-saved" => "New version of the plan saved; the earlier versions are kept",
        "flag-recorded" => "Police CSE flag recorded",
        "operation-created" => "Operation recorded",
        "operation-updated" => "Update added",
        "outcome-recorded" => "Outcome recorded",
        "child-linked" => "Child linked to the operation",
        "placement-recorded" => "Placement recorded and sent to the teams the routing rules name",
        "notification-acknowledged" => "Notification acknowledged for your team",
        "escalation-recorded" => "Escalation recorded",
        "provider-added" => "Provider added",
        "provider-concern-added" => "Concern recorded",
        "routing-rules-saved" => "Routing rules saved as a new version; notifications already sent keep their recipients",
        "missing-recorded" => "Missing episode recorded",
        "missing-returned" => "Return recorded: offer the return interview within 72 hours",
        "interview-recorded" => "Return interview recorded and routed by the pattern rules",
        "pattern-rules-saved" => "Pattern rules saved as a new version",
        _ => return None,
    })
}

/// A date typed in the GOV.UK pattern: day, month and year boxes named
/// `{name}-day`, `{name}-month`, `{name}-year`. Blank is `Ok(None)` (the domain asks for
/// it); anything that is not a real date is a message for the field.
pub fn read_date_parts(f: &Fields, name: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    let part = |p: &str| f.get(&format!("{name}-{p}")).trim().to_string();
    let (day, month, year) = (part("day"), part("month"), part("year"));
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return Ok(None);
    }
    let missing: Vec<&str> =
        [("a day", &day), ("a month", &month), ("a year", &year)].iter().filter(|(_, v)| v.is_empty()).map(|(n, _)| *n).collect();
    if !missing.is_empty() {
        return Err(format!("{what} must include {}", missing.join(" and ")));
    }
    let real = || format!("{what} must be a real date, for example 27 3 2026");
    let (Ok(d), Ok(m), Ok(y)) = (day.parse::<u32>(), month.parse::<u32>(), year.parse::<i32>()) else { return Err(real()) };
    if year.len() != 4 {
        return Err(format!("{what}: the year must be 4 numbers, for example 2026"));
    }
    NaiveDate::from_ymd_opt(y, m, d).map(Some).ok_or_else(real)
}

#[cfg(test)]
mod notice_tests {
    use super::notice_text;

    /// The string literals in `done(...)` calls after the address: the notice keys.
    fn keys_in(src: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = src;
        while let Some(at) = rest.find("done(") {
            let call = &rest[at + 5..];
            if rest[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                rest = call; // another function's name ending in "done"
                continue;
            }
            let (mut depth, mut end, mut comma) = (1, call.len(), None);
            let mut in_str = false;
            for (i, ch) in call.char_indices() {
                match ch {
                    '"' => in_str = !in_str,
                    '(' | '{' | '[' if !in_str => depth += 1,
                    ')' | '}' | ']' if !in_str => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    ',' if !in_str && depth == 1 && comma.is_none() => comma = Some(i),
                    _ => {}
                }
            }
            if let Some(c) = comma {
                out.extend(call[c..end].split('"').skip(1).step_by(2).map(str::to_string));
            }
            rest = &call[end.min(call.len())..];
        }
        out
    }

    /// Every notice a page redirects with is a key with its message (a sentence passed
    /// instead would show no banner at all).
    #[test]
    fn every_notice_a_page_sends_has_its_message() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![];
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
        let mut seen = 0;
        for f in files {
            let src = std::fs::read_to_string(&f).unwrap();
            // The code, not its tests.
            let code = src.split("#[cfg(test)]").next().unwrap_or_default();
            for k in keys_in(code) {
                seen += 1;
                assert!(notice_text(&k).is_some(), "{}: done(..., {k:?}) has no message in notice_text", f.display());
            }
        }
        assert!(seen > 50, "the scan found the pages' notices ({seen})");
    }

    #[test]
    fn the_scan_reads_keys_in_both_branches() {
        assert_eq!(keys_in(r#"Ok(done(&format!("/a/{x}"), if y { "one" } else { "two" }))"#), vec!["one", "two"]);
        assert_eq!(keys_in(r#"done("/x", "k")"#), vec!["k"]);
    }
}
