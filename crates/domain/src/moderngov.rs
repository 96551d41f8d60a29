//! Importing a council's history from ModernGov (issue 19): the XML its public web
//! service (`mgWebService.asmx`) returns — `GetCommittees`, `GetMeetings` and
//! `GetMeeting` — becomes bodies, meetings, agendas, attendance, minutes and their
//! resolutions. Every file is read first; a single problem anywhere refuses the whole
//! import with a report naming the file, the line and the record, so nothing is ever
//! half-imported. No I/O: `assure_documents::moderngov` turns the bytes into
//! [`Element`] trees, storage writes the [`Plan`].
//!
//! # What is read (element names in any case)
//!
//! - **Committees** (`<committees><committee>`): `committeeid`, `committeetitle`;
//!   `committeedeleted` True leaves the committee (and its meetings) out, with a note.
//!   The kind of body comes from the title: Cabinet/Executive, Board, Sub-Committee,
//!   Working Group or Task and Finish, otherwise Committee.
//! - **Meetings** (`<meetings><meeting>` and the detail `<meeting>`, merged by
//!   `meetingid`): `committeeid` (and `committeetitle`, which names a committee no
//!   committees file lists), `meetingdate` (dd/mm/yyyy, or yyyy-mm-dd),
//!   `meetingtime` ("18:30", "6.30 pm", "10am"), `meetinglocation`, `meetingstatus`
//!   ("Cancelled" cancels), `isminutepublished`/`minutepublished`,
//!   `isagendapublished`/`agendapublished`.
//! - **Agenda items** (`<agendaitem>` anywhere in a meeting): `agendaitemtitle`;
//!   exempt when `agendaitemisexempt`/`isexempt`/`exempt` is True, with its paragraph of
//!   Schedule 12A from `exemptparagraph`/`agendaitemexemptparagraph` or "paragraph N"
//!   in `exemptreason`/`agendaitemexemptreason`; the minute from `minutesitemnumber`
//!   and `minutesnonemptyhtmlbody` (HTML, turned into text); `isdecision`.
//! - **Attendees** (`<attendee>` anywhere in a meeting): `memberid`/`userid`/
//!   `attendeeid`, `name`/`fullusername`/`membername`/`attendeename`,
//!   `attendance`/`attendancestatus`/`attendeestatus`, `roledescription`/`role`.
//!
//! # Rules
//!
//! - A past meeting was **held**; with its minutes published it is imported with its
//!   minutes **approved** (and fingerprinted by storage). A future one is scheduled, or
//!   has its agenda published. "Cancelled" in the status cancels either.
//! - A minute's **decision** is what follows "RESOLVED" in its text: "(1) … (2) …" are
//!   separate parts; a part that notes something ("be noted", "noted") is *Noted*,
//!   anything else *Approved*. The text before it is the minute.
//! - **Attendance**: "Present"/"Attended"/"In attendance" is present (or *also
//!   present* for officers and guests, by their role), "Apologies…" is apologies;
//!   "Expected" (a meeting not yet held) and "Absent" (no apologies) are left out, the
//!   latter with a note.

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

use crate::dates::long;
use crate::meetings::{AgendaKind, Attendance, MeetingStatus, ResolutionPart};
use crate::tracker::BodyKind;

/// One XML element: its lower-cased name, its own text (entities decoded, trimmed),
/// the line it starts on and its child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub line: u32,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
    /// The text of the first of `names` that is present and not blank.
    fn field(&self, names: &[&str]) -> Option<&str> {
        names.iter().filter_map(|n| self.child(n)).map(|c| c.text.as_str()).find(|t| !t.is_empty())
    }
    /// Every element called `name` at any depth below this one (not inside another
    /// `name`).
    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            } else {
                c.all(name, out);
            }
        }
    }
    fn flag(&self, names: &[&str]) -> bool {
        self.field(names).is_some_and(|t| matches!(t.to_ascii_lowercase().as_str(), "true" | "yes" | "1" | "y"))
    }
}

/// One file: its name (for the report) and its root element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub file: String,
    pub root: Element,
}

/// Where a record was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub file: String,
    pub line: u32,
}

impl Place {
    /// "meetings.xml, line 14".
    pub fn at(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}, line {}", self.file, self.line)
        }
    }
}

/// A problem (or, in [`Plan::notes`], a note) about one record. The message is
/// complete on its own: "meetings.xml, line 14: Meeting 1234: …".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub place: Place,
    pub message: String,
}

impl Problem {
    pub fn new(place: &Place, record: &str, message: impl AsRef<str>) -> Problem {
        let record = if record.is_empty() { String::new() } else { format!("{record}: ") };
        Problem { place: place.clone(), message: format!("{}: {record}{}", place.at(), message.as_ref()) }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A committee to import (or to find again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committee {
    pub ext_id: String,
    pub title: String,
    pub kind: BodyKind,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minute {
    /// The council's own minute number, when the file gives one.
    pub number: Option<i64>,
    pub text: String,
    pub resolution: Vec<ResolutionPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub title: String,
    pub kind: AgendaKind,
    pub exempt_paragraph: Option<u8>,
    pub minute: Option<Minute>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    /// ModernGov's member id, when given (the same person across meetings).
    pub ext_id: Option<String>,
    pub name: String,
    pub attendance: Attendance,
    pub capacity: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub ext_id: String,
    pub committee_ext_id: String,
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub venue: String,
    pub status: MeetingStatus,
    pub items: Vec<Item>,
    pub attendees: Vec<Attendee>,
    pub place: Place,
}

impl Meeting {
    /// "Meeting 1234 (12 March 2015)".
    pub fn label(&self) -> String {
        format!("Meeting {} ({})", self.ext_id, long(self.date))
    }
}

/// What the files hold, checked: committees, then meetings in date order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub committees: Vec<Committee>,
    pub meetings: Vec<Meeting>,
    pub notes: Vec<Problem>,
}

/// The kind of body a committee's title says it is.
pub fn body_kind(title: &str) -> BodyKind {
    let t = title.to_lowercase();
    if t.contains("cabinet") || t.contains("executive") {
        BodyKind::Executive
    } else if t.contains("sub-committee") || t.contains("sub committee") || t.contains("subcommittee") || t.contains("sub-group") {
        BodyKind::SubGroup
    } else if t.contains("working group") || t.contains("task and finish") || t.contains("task & finish") {
        BodyKind::WorkingGroup
    } else if t.contains("board") {
        BodyKind::Board
    } else {
        BodyKind::Committee
    }
}

/// "12/03/2015", "12/03/2015 18:30:00", "2015-03-12" or "2015-03-12T00:00:00".
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let first = s.split([' ', 'T']).next()?;
    NaiveDate::parse_from_str(first, "%d/%m/%Y").or_else(|_| NaiveDate::parse_from_str(first, "%Y-%m-%d")).ok()
}

/// "18:30", "18.30", "6.30 pm", "6:30PM", "10am", "10.00 a.m.".
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let t: String = s.trim().to_lowercase().replace("a.m.", "am").replace("p.m.", "pm").chars().filter(|c| !c.is_whitespace()).collect();
    let mut t = t.replace('.', ":");
    if !t.contains(':') && (t.ends_with("am") || t.ends_with("pm")) {
        t.insert_str(t.len() - 2, ":00");
    }
    ["%H:%M", "%H:%M:%S", "%I:%M%p"].iter().find_map(|f| NaiveTime::parse_from_str(&t, f).ok())
}

/// ModernGov keeps minutes as HTML: paragraphs, breaks and list items become new
/// lines, other tags go, entities are decoded.
pub fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if matches!(name.as_str(), "p" | "br" | "li" | "div" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
            out.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&#160;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&rsquo;", "\u{2019}")
        .replace("&lsquo;", "\u{2018}")
        .replace("&ndash;", "\u{2013}")
        .replace("&pound;", "£");
    // One blank line at most between paragraphs; every line trimmed.
    let mut lines: Vec<String> = Vec::new();
    for l in decoded.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")) {
        if l.is_empty() && lines.last().is_none_or(|p| p.is_empty()) {
            continue;
        }
        lines.push(l);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// A minute's text split at "RESOLVED" into the minute and its resolution's parts.
pub fn split_resolution(text: &str) -> (String, Vec<ResolutionPart>) {
    let Some(at) = text.find("RESOLVED").or_else(|| text.find("Resolved:")) else { return (text.trim().to_string(), Vec::new()) };
    let minute = text[..at].trim().to_string();
    let mut rest = text[at + "RESOLVED".len()..].trim_start_matches([':', '-', '\u{2013}', '\u{2014}', ' ', '\n']).trim();
    if rest.get(..4).is_some_and(|t| t.eq_ignore_ascii_case("that")) && rest[4..].starts_with(char::is_whitespace) {
        rest = rest[4..].trim_start();
    }
    // "(1) … (2) …": split at each next number in turn.
    let mut parts: Vec<String> = Vec::new();
    if let Some(mut body) = rest.strip_prefix("(1)") {
        let mut n = 2;
        loop {
            let marker = format!("({n})");
            match body.find(&marker) {
                Some(i) => {
                    parts.push(body[..i].to_string());
                    body = &body[i + marker.len()..];
                    n += 1;
                }
                None => {
                    parts.push(body.to_string());
                    break;
                }
            }
        }
    } else if !rest.is_empty() {
        parts.push(rest.to_string());
    }
    let resolution = parts
        .into_iter()
        .map(|p| {
            let p = p.split_whitespace().collect::<Vec<_>>().join(" ");
            let p = p.trim().trim_end_matches(';').trim_end_matches(" and").trim_end_matches(';').trim().to_string();
            let lower = p.to_lowercase();
            if lower.contains("be noted") || lower.starts_with("note") || lower.contains(" noted") {
                ResolutionPart::Noted { text: p }
            } else {
                ResolutionPart::Approved { text: p }
            }
        })
        .filter(|p| !p.text().is_empty())
        .collect();
    (minute, resolution)
}

fn agenda_kind(title: &str) -> AgendaKind {
    let t = title.to_lowercase();
    if t.starts_with("apolog") {
        AgendaKind::Apologies
    } else if t.starts_with("declaration") || t.contains("declarations of interest") {
        AgendaKind::Declarations
    } else if t.starts_with("minutes") {
        AgendaKind::PreviousMinutes
    } else {
        AgendaKind::Report
    }
}

/// "paragraph 3" (or "para. 3") in a reason.
fn paragraph_in(reason: &str) -> Option<u8> {
    let l = reason.to_lowercase();
    let at = l.find("paragraph").map(|i| i + "paragraph".len()).or_else(|| l.find("para").map(|i| i + 4))?;
    let digits: String = l[at..].trim_start_matches(['.', ' ', 's']).chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// Read the files into a checked plan, or every problem found in them. `today`
/// decides which meetings were held.
pub fn plan(sources: &[Source], today: NaiveDate) -> Result<Plan, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut committees: Vec<Committee> = Vec::new();
    let mut deleted: Vec<String> = Vec::new();
    // (place, element) of every meeting record, stubs and details.
    let mut meeting_records: Vec<(Place, &Element)> = Vec::new();
    for s in sources {
        let place = |line: u32| Place { file: s.file.clone(), line };
        match s.root.name.as_str() {
            "committees" => {
                let mut cs = Vec::new();
                s.root.all("committee", &mut cs);
                for c in cs {
                    let at = place(c.line);
                    let Some(id) = c.field(&["committeeid"]) else {
                        problems.push(Problem::new(&at, "A committee", "it has no <committeeid>, so its meetings cannot be matched to it"));
                        continue;
                    };
                    let record = format!("Committee {id}");
                    if c.flag(&["committeedeleted"]) {
                        notes.push(Problem::new(&at, &record, "it is marked deleted in ModernGov: left out, with its meetings"));
                        deleted.push(id.to_string());
                        continue;
                    }
                    let Some(title) = c.field(&["committeetitle", "committeename"]) else {
                        problems.push(Problem::new(&at, &record, "it has no <committeetitle>: Assure needs the body's name"));
                        continue;
                    };
                    if title.chars().count() > 200 {
                        problems.push(Problem::new(&at, &record, "its title is longer than 200 characters"));
                        continue;
                    }
                    if let Some(first) = committees.iter().find(|x| x.ext_id == id) {
                        problems.push(Problem::new(&at, &record, format!("it is listed twice (first at {})", first.place.at())));
                        continue;
                    }
                    committees.push(Committee { ext_id: id.to_string(), title: title.to_string(), kind: body_kind(title), place: at });
                }
            }
            "meetings" => {
                let mut ms = Vec::new();
                s.root.all("meeting", &mut ms);
                meeting_records.extend(ms.into_iter().map(|m| (place(m.line), m)));
            }
            "meeting" => meeting_records.push((place(s.root.line), &s.root)),
            other => problems.push(Problem::new(
                &place(s.root.line),
                "",
                format!(
                    "this is not a ModernGov committees, meetings or meeting file (it starts with <{other}>, not <committees>, <meetings> or <meeting>)"
                ),
            )),
        }
    }

    // Merge each meeting's records: the detail (with agenda items or attendees) and
    // any list entries; a field is taken from the detail first.
    let mut ids: Vec<String> = Vec::new();
    for (at, m) in &meeting_records {
        match m.field(&["meetingid"]) {
            Some(id) if !ids.iter().any(|x| x == id) => ids.push(id.to_string()),
            Some(_) => {}
            None => problems.push(Problem::new(at, "A meeting", "it has no <meetingid>")),
        }
    }
    let mut meetings = Vec::new();
    for id in ids {
        let records: Vec<&(Place, &Element)> = meeting_records.iter().filter(|(_, m)| m.field(&["meetingid"]) == Some(id.as_str())).collect();
        let is_detail = |m: &Element| {
            let mut v = Vec::new();
            m.all("agendaitem", &mut v);
            m.all("attendee", &mut v);
            !v.is_empty()
        };
        let details: Vec<&&(Place, &Element)> = records.iter().filter(|(_, m)| is_detail(m)).collect();
        let record = format!("Meeting {id}");
        if details.len() > 1 {
            problems.push(Problem::new(&details[1].0, &record, format!("its agenda is given twice (first at {})", details[0].0.at())));
            continue;
        }
        let (at, detail) = details.first().map(|d| (d.0.clone(), Some(d.1))).unwrap_or_else(|| (records[0].0.clone(), None));
        let ordered: Vec<&Element> = detail.into_iter().chain(records.iter().map(|r| r.1)).collect();
        let field = |names: &[&str]| ordered.iter().find_map(|e| e.field(names)).map(str::to_string);
        let flag = |names: &[&str]| ordered.iter().any(|e| e.flag(names));

        let Some(committee) = field(&["committeeid"]) else {
            problems.push(Problem::new(&at, &record, "it has no <committeeid>: include the GetMeetings list, which says whose meeting it is"));
            continue;
        };
        if deleted.contains(&committee) {
            continue;
        }
        if !committees.iter().any(|c| c.ext_id == committee) {
            if let Some(title) = field(&["committeetitle", "committeename"]) {
                committees.push(Committee { ext_id: committee.clone(), kind: body_kind(&title), title, place: at.clone() });
            }
        }
        let mut bad = Vec::new();
        let date = match field(&["meetingdate"]) {
            None => {
                bad.push("it has no <meetingdate>".to_string());
                None
            }
            Some(d) => match parse_date(&d).filter(|d| (1990..=2200).contains(&chrono::Datelike::year(d))) {
                Some(d) => Some(d),
                None => {
                    bad.push(format!("its date “{d}” is not a date as dd/mm/yyyy"));
                    None
                }
            },
        };
        let time = match field(&["meetingtime"]) {
            None => {
                bad.push("it has no <meetingtime>: Assure needs the time the meeting starts".to_string());
                None
            }
            Some(t) => match parse_time(&t) {
                Some(t) => Some(t),
                None => {
                    bad.push(format!("its time “{t}” is not a time such as 18:30 or 6.30 pm"));
                    None
                }
            },
        };
        let venue = field(&["meetinglocation", "location", "venue"]).unwrap_or_default();
        if venue.chars().count() > 200 {
            bad.push("its location is longer than 200 characters".to_string());
        }
        let (Some(date), Some(time)) = (date, time) else {
            problems.extend(bad.iter().map(|b| Problem::new(&at, &record, b)));
            continue;
        };
        let record = format!("Meeting {id} ({})", long(date));
        if venue.is_empty() {
            notes.push(Problem::new(&at, &record, "no location is given: it shows as “Not recorded”"));
        }
        let held = date < today;
        let cancelled = field(&["meetingstatus"]).is_some_and(|s| s.to_lowercase().contains("cancel"));

        let mut items = Vec::new();
        let mut elements = Vec::new();
        if let Some(d) = detail {
            d.all("agendaitem", &mut elements);
        }
        for e in elements {
            let item_at = Place { file: at.file.clone(), line: e.line };
            let Some(title) = e.field(&["agendaitemtitle", "title"]) else {
                bad.push(format!("the agenda item at line {} has no <agendaitemtitle>", e.line));
                continue;
            };
            if title.chars().count() > 300 {
                bad.push(format!("agenda item “{}” has a title longer than 300 characters", first_words(title)));
                continue;
            }
            let exempt = e.flag(&["agendaitemisexempt", "isexempt", "exempt", "agendaitemexempt"]);
            let paragraph = e
                .field(&["exemptparagraph", "agendaitemexemptparagraph"])
                .and_then(|p| p.trim().parse::<u8>().ok())
                .or_else(|| e.field(&["exemptreason", "agendaitemexemptreason"]).and_then(paragraph_in));
            let exempt_paragraph = match (exempt, paragraph) {
                (false, _) => None,
                (true, Some(p @ 1..=7)) => Some(p),
                (true, _) => {
                    bad.push(format!(
                        "agenda item “{}” is exempt but gives no paragraph 1 to 7 of Schedule 12A (in <exemptparagraph>, or “paragraph N” in <exemptreason>)",
                        first_words(title)
                    ));
                    continue;
                }
            };
            let text = e.field(&["minutesnonemptyhtmlbody", "minutesitemhtml", "minutestext"]).map(html_text).unwrap_or_default();
            let number_text = e.field(&["minutesitemnumber"]);
            let number = number_text.and_then(|n| n.trim().trim_end_matches('.').parse::<i64>().ok()).filter(|n| *n > 0);
            if number_text.is_some() && number.is_none() {
                bad.push(format!("agenda item “{}” has minute number “{}”, not a whole number", first_words(title), number_text.unwrap_or_default()));
                continue;
            }
            let number = match (number, e.field(&["minutesitemsubnumber"])) {
                (Some(n), Some(sub)) => {
                    notes.push(Problem::new(
                        &item_at,
                        &record,
                        format!("Minute {n}{sub} is numbered as the next minute (Assure numbers minutes without letters)"),
                    ));
                    None
                }
                (n, _) => n,
            };
            let minute = if (held && !cancelled) && (!text.is_empty() || number.is_some()) {
                let (text, resolution) = split_resolution(&text);
                if text.chars().count() > 20000 {
                    bad.push(format!("the minute of “{}” is longer than 20,000 characters", first_words(title)));
                    continue;
                }
                if resolution.iter().any(|p| p.text().chars().count() > 4000) {
                    bad.push(format!("a part of the resolution of “{}” is longer than 4,000 characters", first_words(title)));
                    continue;
                }
                Some(Minute { number, text, resolution })
            } else {
                None
            };
            let kind = if exempt_paragraph.is_some() { AgendaKind::Exempt } else { agenda_kind(title) };
            items.push(Item { title: title.to_string(), kind, exempt_paragraph, minute });
        }

        let mut attendees = Vec::new();
        let mut elements = Vec::new();
        if let Some(d) = detail {
            d.all("attendee", &mut elements);
        }
        for e in elements {
            let item_at = Place { file: at.file.clone(), line: e.line };
            let Some(name) = e.field(&["name", "fullusername", "membername", "attendeename"]) else {
                bad.push(format!("the attendee at line {} has no name", e.line));
                continue;
            };
            if name.chars().count() > 200 {
                bad.push(format!("attendee “{}” has a name longer than 200 characters", first_words(name)));
                continue;
            }
            let role = e.field(&["roledescription", "role"]).unwrap_or_default().to_string();
            let said = e.field(&["attendance", "attendancestatus", "attendeestatus"]).unwrap_or_default().to_lowercase();
            let attendance = if said.contains("apolog") {
                Attendance::Apologies
            } else if said.contains("present") || said.contains("attended") || said.contains("in attendance") {
                let r = role.to_lowercase();
                if said.contains("also") || r.contains("officer") || r.contains("guest") || r.contains("in attendance") || r.contains("also") {
                    Attendance::AlsoPresent
                } else {
                    Attendance::Present
                }
            } else if said.contains("expected") || (said.is_empty() && !held) {
                continue;
            } else if said.is_empty() {
                bad.push(format!("attendee {name} has no attendance (Present, Apologies, In attendance or Absent)"));
                continue;
            } else if said.contains("absent") {
                notes.push(Problem::new(
                    &item_at,
                    &record,
                    format!("{name} was absent without apologies: Assure records attendance and apologies, so this is left out"),
                ));
                continue;
            } else {
                bad.push(format!("attendee {name} has attendance “{said}”: expected Present, Apologies, In attendance, Absent or Expected"));
                continue;
            };
            let ext_id = e.field(&["memberid", "userid", "attendeeid", "councillorid"]).map(str::to_string);
            attendees.push(Attendee { ext_id, name: name.to_string(), attendance, capacity: role });
        }
        if !bad.is_empty() {
            problems.extend(bad.iter().map(|b| Problem::new(&at, &record, b)));
            continue;
        }
        if !held && items.iter().any(|i| i.minute.is_some()) {
            notes.push(Problem::new(&at, &record, "it has not been held yet: its minutes are left out"));
        }
        let minutes_published = flag(&["isminutepublished", "minutepublished", "minutespublished"]);
        let status = if cancelled {
            MeetingStatus::Cancelled
        } else if held && minutes_published && items.iter().any(|i| i.minute.is_some()) {
            MeetingStatus::MinutesApproved
        } else if held {
            MeetingStatus::Held
        } else if flag(&["isagendapublished", "agendapublished"]) {
            MeetingStatus::AgendaPublished
        } else {
            MeetingStatus::Scheduled
        };
        meetings.push(Meeting {
            ext_id: id,
            committee_ext_id: committee,
            date,
            time,
            venue: if venue.is_empty() { "Not recorded".to_string() } else { venue },
            status,
            items,
            attendees,
            place: at,
        });
    }
    // Two meetings of one committee on a day (Assure's bodies meet at most once a day).
    meetings.sort_by(|a, b| (a.date, &a.ext_id).cmp(&(b.date, &b.ext_id)));
    for (i, m) in meetings.iter().enumerate() {
        if m.status == MeetingStatus::Cancelled {
            continue;
        }
        if let Some(other) =
            meetings[..i].iter().find(|o| o.committee_ext_id == m.committee_ext_id && o.date == m.date && o.status != MeetingStatus::Cancelled)
        {
            problems.push(Problem::new(
                &m.place,
                &m.label(),
                format!("committee {} already meets that day ({}): a body meets at most once a day", m.committee_ext_id, other.label()),
            ));
        }
    }
    if sources.is_empty() || (committees.is_empty() && meetings.is_empty() && problems.is_empty()) {
        problems.push(Problem::new(
            &Place { file: sources.first().map(|s| s.file.clone()).unwrap_or_default(), line: 0 },
            "",
            "there are no committees or meetings to import",
        ));
    }
    if problems.is_empty() {
        Ok(Plan { committees, meetings, notes })
    } else {
        problems.sort_by(|a, b| (&a.place.file, a.place.line).cmp(&(&b.place.file, b.place.line)));
        Err(problems)
    }
}

fn first_words(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.len() > 8 {
        format!("{}…", words[..8].join(" "))
    } else {
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(name: &str, text: &str, children: Vec<Element>) -> Element {
        Element { name: name.into(), text: text.into(), line: 1, children }
    }
    fn leaf(name: &str, text: &str) -> Element {
        el(name, text, vec![])
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn src(file: &str, root: Element) -> Source {
        Source { file: file.into(), root }
    }
    fn committees() -> Source {
        src(
            "committees.xml",
            el(
                "committees",
                "",
                vec![
                    el("committee", "", vec![leaf("committeeid", "153"), leaf("committeetitle", "Children's Services Scrutiny Committee")]),
                    el("committee", "", vec![leaf("committeeid", "9"), leaf("committeetitle", "Old Panel"), leaf("committeedeleted", "True")]),
                ],
            ),
        )
    }
    fn item(title: &str, number: &str, html: &str) -> Element {
        el("agendaitem", "", vec![leaf("agendaitemtitle", title), leaf("minutesitemnumber", number), leaf("minutesnonemptyhtmlbody", html)])
    }
    fn meeting(id: &str, date: &str, items: Vec<Element>, attendees: Vec<Element>) -> Source {
        src(
            &format!("meeting-{id}.xml"),
            el(
                "meeting",
                "",
                vec![
                    leaf("meetingid", id),
                    leaf("committeeid", "153"),
                    leaf("meetingdate", date),
                    leaf("meetingtime", "6.30 pm"),
                    leaf("meetinglocation", "Town Hall, Bootle"),
                    leaf("isminutepublished", "True"),
                    el("agendaitems", "", items),
                    el("attendees", "", attendees),
                ],
            ),
        )
    }
    fn attendee(id: &str, name: &str, status: &str, role: &str) -> Element {
        el("attendee", "", vec![leaf("memberid", id), leaf("name", name), leaf("attendancestatus", status), leaf("roledescription", role)])
    }

    #[test]
    fn times_dates_and_kinds_as_councils_write_them() {
        assert_eq!(parse_time("6.30 pm"), NaiveTime::from_hms_opt(18, 30, 0));
        assert_eq!(parse_time("10am"), NaiveTime::from_hms_opt(10, 0, 0));
        assert_eq!(parse_time("10.00 a.m."), NaiveTime::from_hms_opt(10, 0, 0));
        assert_eq!(parse_time("18:30"), NaiveTime::from_hms_opt(18, 30, 0));
        assert_eq!(parse_time("half six"), None);
        assert_eq!(parse_date("12/03/2015"), Some(d(2015, 3, 12)));
        assert_eq!(parse_date("2015-03-12T00:00:00"), Some(d(2015, 3, 12)));
        assert_eq!(parse_date("31/02/2015"), None);
        assert_eq!(body_kind("Cabinet"), BodyKind::Executive);
        assert_eq!(body_kind("Licensing Sub-Committee"), BodyKind::SubGroup);
        assert_eq!(body_kind("Health and Wellbeing Board"), BodyKind::Board);
        assert_eq!(body_kind("CSE Task and Finish Group"), BodyKind::WorkingGroup);
        assert_eq!(body_kind("Overview and Scrutiny Committee"), BodyKind::Committee);
    }

    #[test]
    fn minutes_html_becomes_text_and_the_resolution_its_parts() {
        let text = html_text("<p>The Committee considered the report of the Director.</p><p>&nbsp;</p><p>RESOLVED: That (1) the report be noted; and (2) the action plan at Appendix A be approved.</p>");
        assert_eq!(text, "The Committee considered the report of the Director.\n\nRESOLVED: That (1) the report be noted; and (2) the action plan at Appendix A be approved.");
        let (minute, parts) = split_resolution(&text);
        assert_eq!(minute, "The Committee considered the report of the Director.");
        assert_eq!(
            parts,
            vec![
                ResolutionPart::Noted { text: "the report be noted".into() },
                ResolutionPart::Approved { text: "the action plan at Appendix A be approved.".into() },
            ]
        );
        let (_, parts) = split_resolution("RESOLVED: That\n\n(1) the report be noted; and\n\n(2) the plan be approved.");
        assert_eq!(parts.len(), 2, "{parts:?}");
        let (minute, parts) = split_resolution("Members asked questions.");
        assert_eq!((minute.as_str(), parts.len()), ("Members asked questions.", 0));
    }

    #[test]
    fn a_held_meeting_with_published_minutes_comes_in_approved_with_its_attendance() {
        let files = vec![
            committees(),
            meeting(
                "1234",
                "12/03/2015",
                vec![
                    item("Apologies for absence", "40", "<p>Apologies were received from Councillor Roche.</p>"),
                    item(
                        "Child sexual exploitation update",
                        "41",
                        "<p>The Committee heard from the DCI.</p><p>RESOLVED: That the update be noted.</p>",
                    ),
                ],
                vec![
                    attendee("11", "Councillor Brennan", "Present", "Chair"),
                    attendee("12", "Councillor Roche", "Apologies", "Committee Member"),
                    attendee("90", "Head of Safeguarding", "In attendance", "Officer"),
                    attendee("13", "Councillor Byrom", "Absent", "Committee Member"),
                ],
            ),
        ];
        let plan = plan(&files, d(2026, 12, 7)).expect("imports");
        assert_eq!(plan.committees.len(), 1, "the deleted committee is left out");
        let m = &plan.meetings[0];
        assert_eq!((m.status, m.time), (MeetingStatus::MinutesApproved, NaiveTime::from_hms_opt(18, 30, 0).unwrap()));
        assert_eq!(m.items[0].kind, AgendaKind::Apologies);
        assert_eq!(m.items[1].minute.as_ref().unwrap().number, Some(41));
        assert_eq!(m.items[1].minute.as_ref().unwrap().resolution, vec![ResolutionPart::Noted { text: "the update be noted.".into() }]);
        let a: Vec<(&str, Attendance)> = m.attendees.iter().map(|a| (a.name.as_str(), a.attendance)).collect();
        assert_eq!(
            a,
            vec![
                ("Councillor Brennan", Attendance::Present),
                ("Councillor Roche", Attendance::Apologies),
                ("Head of Safeguarding", Attendance::AlsoPresent)
            ]
        );
        assert!(plan.notes.iter().any(|n| n.message.contains("Councillor Byrom was absent without apologies")), "{:?}", plan.notes);
        assert!(plan.notes.iter().any(|n| n.message.contains("Committee 9") && n.message.contains("deleted")));
    }

    #[test]
    fn a_future_meeting_is_scheduled_and_a_list_entry_merges_with_its_detail() {
        let stub = src(
            "meetings.xml",
            el(
                "meetings",
                "",
                vec![el(
                    "meeting",
                    "",
                    vec![
                        leaf("meetingid", "2000"),
                        leaf("committeeid", "77"),
                        leaf("committeetitle", "Cabinet"),
                        leaf("meetingdate", "14/01/2027"),
                        leaf("meetingtime", "10:00"),
                        leaf("meetingstatus", "Confirmed"),
                    ],
                )],
            ),
        );
        let mut detail = meeting("2000", "14/01/2027", vec![item("Budget 2027/28", "", "")], vec![]);
        detail.root.children.retain(|c| c.name != "committeeid" && c.name != "meetingtime");
        let plan = plan(&[stub, detail], d(2026, 12, 7)).expect("imports");
        assert_eq!(plan.committees[0].title, "Cabinet");
        assert_eq!(plan.committees[0].kind, BodyKind::Executive);
        let m = &plan.meetings[0];
        assert_eq!((m.status, m.committee_ext_id.as_str(), m.items.len()), (MeetingStatus::Scheduled, "77", 1));
        assert!(m.items[0].minute.is_none());
    }

    #[test]
    fn every_problem_is_named_with_its_file_line_and_record_and_nothing_is_planned() {
        let mut bad_item = item("Exempt: a placement contract", "", "");
        bad_item.children.push(leaf("isexempt", "True"));
        let mut bad_attendee = attendee("5", "Councillor Bell", "Maybe", "Member");
        bad_attendee.line = 33;
        let files = vec![
            committees(),
            meeting("1", "31/02/2015", vec![], vec![]),
            meeting("2", "12/03/2015", vec![bad_item], vec![bad_attendee]),
            meeting("3", "12/03/2015", vec![], vec![attendee("6", "Councillor Brennan", "Present", "Chair")]),
            meeting("4", "12/03/2015", vec![], vec![attendee("6", "Councillor Brennan", "Present", "Chair")]),
            src("notes.xml", el("html", "", vec![])),
        ];
        let problems = plan(&files, d(2026, 12, 7)).expect_err("refused");
        let text: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(text.iter().any(|m| m.starts_with("meeting-1.xml, line 1: Meeting 1: its date “31/02/2015” is not a date")), "{text:#?}");
        assert!(text
            .iter()
            .any(|m| m.contains("Meeting 2 (12 March 2015): agenda item “Exempt: a placement contract” is exempt but gives no paragraph")));
        assert!(text.iter().any(|m| m.contains("attendee Councillor Bell has attendance “maybe”")));
        assert!(text.iter().any(|m| m.starts_with("meeting-4.xml") && m.contains("already meets that day (Meeting 3 (12 March 2015))")), "{text:#?}");
        assert!(text.iter().any(|m| m.starts_with("notes.xml") && m.contains("not a ModernGov committees, meetings or meeting file")));
    }

    #[test]
    fn an_exempt_item_takes_its_paragraph_from_the_reason() {
        let mut it = item("Placement commissioning", "", "");
        it.children.push(leaf("isexempt", "True"));
        it.children.push(leaf("exemptreason", "Exempt under Paragraph 3 of Part 1 of Schedule 12A"));
        let plan = plan(&[committees(), meeting("1", "12/03/2015", vec![it], vec![])], d(2026, 12, 7)).expect("imports");
        assert_eq!((plan.meetings[0].items[0].kind, plan.meetings[0].items[0].exempt_paragraph), (AgendaKind::Exempt, Some(3)));
        // No minute text and no number: held, not approved.
        assert_eq!(plan.meetings[0].status, MeetingStatus::Held);
    }
}
