//! Committee meetings (issue 18): the people who sit on bodies and their terms,
//! meetings and their moves, agendas whose items link to papers, attendance,
//! declarations, minutes numbered through each body's municipal year (frozen with a
//! fingerprint once approved), resolutions and the reports they requested, and the
//! work programme. Builds on the tracker's `bodies` and its monitoring reports and
//! schedules. Nothing here touches a child's record.
//!
//! Every write is checked by the domain ([`assure_domain::meetings`]), version-checked
//! where it edits, and audited in the same transaction.

use assure_domain::dates::{add_months, long};
use assure_domain::meetings::{
    agenda_closed, agenda_order, check_agenda_item, check_cross_reference, check_declaration, check_deferral, check_meeting, check_member_change,
    check_membership, check_minutes_editable, check_move, check_pattern, check_resolution_part, check_term_end, clashes, minutes_fingerprint,
    next_minute_number, request_state, AgendaItemInput, AgendaKind, Attendance, DeclarationInput, MeetingInput, MeetingStatus, MeetingType,
    MemberChangeInput, MemberRole, MembershipInput, MinuteRef, MunicipalYear, PatternInput, QuorumRule, RequestFacts, RequestState, ResolutionKind,
    ResolutionPart, ResolutionPartInput,
};
use assure_domain::meetings::{check_paper_target, pack_paper, AgendaPack, PackItem, PackPaper, PaperBlock};
use assure_domain::report::Cover;
use assure_domain::tracker::{check_endorsement, EndorsementInput};
use assure_domain::Invalid;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::audit::Event;
use crate::{check_version, date_str, Actor, Result, RowExt, Store, StoreError, WriteTx};

/// Committee meetings.
#[derive(Clone, Copy)]
pub struct Meetings<'s> {
    store: &'s Store,
}

impl Store {
    pub fn meetings(&self) -> Meetings<'_> {
        Meetings { store: self }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub party: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: i64,
    pub body_id: i64,
    pub person: Person,
    pub role: MemberRole,
    pub party: String,
    pub substitute: Option<Person>,
    pub term_start: NaiveDate,
    pub term_end: Option<NaiveDate>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    pub id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub date: NaiveDate,
    pub time: String,
    pub venue: String,
    pub kind: MeetingType,
    pub joint_with: Option<String>,
    pub status: MeetingStatus,
    pub year: MunicipalYear,
    pub minutes_fingerprint: Option<String>,
    pub version: i64,
}

impl Meeting {
    /// "Overview and Scrutiny Committee, 21 June 2017".
    pub fn title(&self) -> String {
        format!("{}, {}", self.body_name, long(self.date))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Move {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgendaItem {
    pub id: i64,
    /// Its number on the agenda (exempt items after the public ones).
    pub number: usize,
    pub kind: AgendaKind,
    pub title: String,
    pub exempt_paragraph: Option<i64>,
    /// A monitoring report issued in Assure.
    pub report_id: Option<i64>,
    /// Any other paper, by its title.
    pub paper_title: Option<String>,
    pub answers_request_id: Option<i64>,
}

/// An agenda item's own paper: a report written on the council's cover, or an uploaded
/// file (a Word paper's text as the pack sets it; a PDF published beside the pack).
#[derive(Debug, Clone, Serialize)]
pub struct Paper {
    pub agenda_item_id: i64,
    pub content: PaperContent,
    pub updated_by: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub enum PaperContent {
    Written(Box<Cover>),
    Uploaded { name: String, content_type: String, sha256: String, size: i64, blocks: Option<Vec<PaperBlock>> },
}

impl Paper {
    /// What the agenda shows for it: the report's subject or the file's name.
    pub fn describe(&self) -> String {
        match &self.content {
            PaperContent::Written(c) => c.subject.clone(),
            PaperContent::Uploaded { name, .. } => name.clone(),
        }
    }
}

/// An uploaded paper's file, checked by the edge (its kind by content, its size) and,
/// for a Word paper, read into the text the pack sets.
#[derive(Debug, Clone)]
pub struct PaperUpload {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// `None` for a PDF, published beside the pack.
    pub blocks: Option<Vec<PaperBlock>>,
}

/// Someone's attendance as typed: a member (or substitute) chosen from the people who
/// sit on bodies, or anyone else by name (an officer or guest also present).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceInput {
    pub person: Option<i64>,
    pub name: String,
    pub attendance: Attendance,
    /// For "substitute attended": who attended.
    pub substitute: Option<i64>,
    /// "Advisory member", "Head of Service" and the like.
    pub capacity: String,
}

/// A work programme item as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkItemInput {
    pub meeting: Option<i64>,
    /// "standing" or "other".
    pub kind: String,
    pub title: String,
    pub officer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttendanceRow {
    pub id: i64,
    pub person_id: Option<i64>,
    pub name: String,
    pub attendance: Attendance,
    pub substitute: Option<String>,
    pub capacity: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Minute {
    pub id: i64,
    pub meeting_id: i64,
    pub number: i64,
    pub title: String,
    pub text: String,
    pub agenda_item_id: Option<i64>,
    /// "Further to Minute No. 5 of 12 July 2016": the minute referred to.
    pub refers_to: Option<(i64, MinuteRef)>,
    pub parts: Vec<Part>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub id: i64,
    pub kind: ResolutionKind,
    pub text: String,
    pub to_body: Option<String>,
    pub reason: Option<String>,
    pub request_id: Option<i64>,
    /// Endorsed: the review whose report the body endorsed (id, title).
    pub review: Option<(i64, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Declaration {
    pub id: i64,
    pub member: String,
    pub minute_number: i64,
    pub minute_title: String,
    pub reason: String,
    pub action: String,
}

/// A requested report, with where it is.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub id: i64,
    pub body_id: i64,
    pub subject: String,
    pub report_from: String,
    pub due_meeting_id: i64,
    pub due_date: NaiveDate,
    /// The minute that asked for it.
    pub minute: MinuteRef,
    pub state: RequestState,
    /// The officer's account it is asked of (their own list), with their name.
    pub owner: Option<(i64, String)>,
    pub body_name: String,
    pub deferrals: Vec<Move>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkItem {
    pub id: Option<i64>,
    pub meeting_id: Option<i64>,
    /// "standing", "requested", "monitoring" or "other".
    pub kind: String,
    pub title: String,
    pub officer: String,
}

/// A body's work programme for a year: each meeting with its items, and the items not
/// yet placed.
#[derive(Debug, Clone, Serialize)]
pub struct WorkProgramme {
    pub year: MunicipalYear,
    pub meetings: Vec<(Meeting, Vec<WorkItem>)>,
    pub unplaced: Vec<WorkItem>,
}

const MEETING_SELECT: &str = "SELECT m.id, m.body_id, b.name AS body_name, m.meeting_date, m.start_time, m.venue, m.kind, m.joint_with, m.status, \
     m.municipal_year, m.minutes_fingerprint, m.version FROM meetings m JOIN bodies b ON b.id = m.body_id";

fn meeting(r: &AnyRow) -> Result<Meeting> {
    Ok(Meeting {
        id: r.i("id")?,
        body_id: r.i("body_id")?,
        body_name: r.s("body_name")?,
        date: r.d("meeting_date")?,
        time: r.s("start_time")?,
        venue: r.s("venue")?,
        kind: r.e("kind")?,
        joint_with: r.os("joint_with")?,
        status: r.e("status")?,
        year: MunicipalYear(r.i("municipal_year")? as i32),
        minutes_fingerprint: r.os("minutes_fingerprint")?,
        version: r.i("version")?,
    })
}

impl Meetings<'_> {
    // ----------------------------------------------------------------- bodies, people

    /// The body's quorum rule.
    pub async fn quorum(&self, body_id: i64) -> Result<QuorumRule> {
        let r = self
            .store
            .q("SELECT quorum_denominator, quorum_minimum FROM bodies WHERE id = $1")
            .bind(body_id)
            .fetch_optional(self.store.pool())
            .await?;
        let r = r.ok_or(StoreError::NotFound)?;
        Ok(QuorumRule { denominator: r.i("quorum_denominator")? as u32, minimum: r.i("quorum_minimum")? as u32 })
    }

    pub async fn add_person(&self, actor: &Actor, name: &str, party: &str) -> Result<i64> {
        let mut v = Invalid::new();
        let name = v.required("name", name, "Enter the person's name, for example Councillor Brennan");
        v.max_len("name", &name, 200, "Name");
        v.max_len("party", party.trim(), 100, "Party");
        v.finish()?;
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO meeting_people (name, party, created_at) VALUES ($1,$2,$3) RETURNING id")
            .bind(name.clone())
            .bind(party.trim().to_string())
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("meeting-person.create", "meeting_person", id, "added a person who sits on bodies")).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn people(&self) -> Result<Vec<Person>> {
        let rows = self.store.q("SELECT id, name, party FROM meeting_people ORDER BY name, id").fetch_all(self.store.pool()).await?;
        rows.iter().map(|r| Ok(Person { id: r.i("id")?, name: r.s("name")?, party: r.s("party")? })).collect()
    }

    /// Add a member to a body for a term, with their substitute.
    pub async fn add_member(&self, actor: &Actor, body_id: i64, m: &MembershipInput) -> Result<i64> {
        self.store.tracker().body(body_id).await?;
        // The people already sitting on the body over the term.
        let start = m.term_start.map(date_str).unwrap_or_default();
        let rows = self
            .store
            .q("SELECT person_id, term_start FROM body_members WHERE body_id = $1 AND (term_end IS NULL OR term_end > $2)")
            .bind(body_id)
            .bind(start)
            .fetch_all(self.store.pool())
            .await?;
        // A term that starts after this one ends does not overlap it.
        let mut sitting = Vec::new();
        for r in &rows {
            if m.term_end.is_none_or(|end| r.d("term_start").is_ok_and(|s| s < end)) {
                sitting.push(r.i("person_id")?);
            }
        }
        let checked = check_membership(m, &sitting)?;
        let people: Vec<i64> = self.people().await?.iter().map(|p| p.id).collect();
        let mut found = Invalid::new();
        if !people.contains(&checked.person) {
            found.add("person", "Select a person from the list");
        }
        if checked.substitute.is_some_and(|s| !people.contains(&s)) {
            found.add("substitute", "Select a substitute from the list");
        }
        found.finish()?;
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO body_members (body_id, person_id, role, party, substitute_id, term_start, term_end) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
            .bind(body_id)
            .bind(checked.person)
            .bind(checked.role.slug())
            .bind(checked.party.clone().unwrap_or_default())
            .bind(checked.substitute)
            .bind(date_str(checked.term_start))
            .bind(checked.term_end.map(date_str))
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("body-member.create", "body", body_id, format!("added a {} to the body", checked.role.label().to_lowercase())))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    const MEMBER_SELECT: &'static str = "SELECT bm.id, bm.body_id, bm.role, bm.party, bm.term_start, bm.term_end, bm.version, \
         p.id AS pid, p.name AS pname, p.party AS pparty, s.id AS sid, s.name AS sname, s.party AS sparty \
         FROM body_members bm JOIN meeting_people p ON p.id = bm.person_id LEFT JOIN meeting_people s ON s.id = bm.substitute_id";

    fn member_row(r: &AnyRow) -> Result<Member> {
        Ok(Member {
            id: r.i("id")?,
            body_id: r.i("body_id")?,
            person: Person { id: r.i("pid")?, name: r.s("pname")?, party: r.s("pparty")? },
            role: r.e("role")?,
            party: r.s("party")?,
            substitute: match r.oi("sid")? {
                Some(id) => Some(Person { id, name: r.s("sname")?, party: r.s("sparty")? }),
                None => None,
            },
            term_start: r.d("term_start")?,
            term_end: r.od("term_end")?,
            version: r.i("version")?,
        })
    }

    /// The body's members on a date, chair first.
    pub async fn members(&self, body_id: i64, on: NaiveDate) -> Result<Vec<Member>> {
        let sql = format!("{} WHERE bm.body_id = $1 AND bm.term_start <= $2 AND (bm.term_end IS NULL OR bm.term_end > $2)", Self::MEMBER_SELECT);
        let rows = self.store.q(&sql).bind(body_id).bind(date_str(on)).fetch_all(self.store.pool()).await?;
        let mut v = rows.iter().map(Self::member_row).collect::<Result<Vec<_>>>()?;
        v.sort_by_key(|m| (m.role, m.person.name.clone()));
        Ok(v)
    }

    /// Everyone who sat on the body at some time in a municipal year (terms ended in it
    /// too), chair first, then by name and term.
    pub async fn memberships(&self, body_id: i64, year: MunicipalYear) -> Result<Vec<Member>> {
        let sql = format!("{} WHERE bm.body_id = $1 AND bm.term_start <= $2 AND (bm.term_end IS NULL OR bm.term_end > $3)", Self::MEMBER_SELECT);
        let rows =
            self.store.q(&sql).bind(body_id).bind(date_str(year.last_day())).bind(date_str(year.first_day())).fetch_all(self.store.pool()).await?;
        let mut v = rows.iter().map(Self::member_row).collect::<Result<Vec<_>>>()?;
        v.sort_by_key(|m| (m.role, m.person.name.clone(), m.term_start));
        Ok(v)
    }

    /// Every membership of every body, in the order they were recorded.
    pub async fn all_memberships(&self) -> Result<Vec<Member>> {
        let sql = format!("{} ORDER BY bm.id", Self::MEMBER_SELECT);
        self.store.q(&sql).fetch_all(self.store.pool()).await?.iter().map(Self::member_row).collect()
    }

    /// One membership.
    pub async fn member(&self, id: i64) -> Result<Member> {
        let sql = format!("{} WHERE bm.id = $1", Self::MEMBER_SELECT);
        self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.as_ref().map(Self::member_row).transpose()?.ok_or(StoreError::NotFound)
    }

    /// Change a sitting member's role, party or named substitute (a stale form is a
    /// conflict). The person and the term stay: a new term is a new membership.
    pub async fn change_member(&self, actor: &Actor, id: i64, version: i64, c: &MemberChangeInput) -> Result<()> {
        let old = self.member(id).await?;
        if old.term_end.is_some_and(|e| e <= self.store.today()) {
            return Err(Invalid::single("role", "This term has ended: it stays as it was. Add a new membership for a new term").into());
        }
        let checked = check_member_change(old.person.id, c)?;
        let people = self.people().await?;
        let substitute = match checked.substitute {
            None => None,
            Some(s) => Some(
                people
                    .iter()
                    .find(|p| p.id == s)
                    .ok_or_else(|| Invalid::single("substitute", "Select a substitute from the list, or no substitute"))?,
            ),
        };
        let mut said = Vec::new();
        if checked.role != old.role {
            said.push(format!("role {} to {}", old.role.label(), checked.role.label()));
        }
        let party = checked.party.clone().unwrap_or_default();
        if party != old.party {
            said.push("party".to_string());
        }
        if substitute.map(|p| p.id) != old.substitute.as_ref().map(|p| p.id) {
            said.push("named substitute".to_string());
        }
        if said.is_empty() {
            return Err(Invalid::single("role", "Nothing was changed: change the role, the party or the substitute").into());
        }
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE body_members SET role = $1, party = $2, substitute_id = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(checked.role.slug())
            .bind(party)
            .bind(checked.substitute)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        tx.audit(actor, Event::new("body-member.update", "body", old.body_id, format!("changed the {} of {}", said.join(", "), old.person.name)))
            .await?;
        tx.commit().await
    }

    /// End a member's term on a date after it started (they no longer sit from then).
    pub async fn end_membership(&self, actor: &Actor, id: i64, version: i64, end: Option<NaiveDate>) -> Result<()> {
        let old = self.member(id).await?;
        let end = check_term_end(old.term_start, end)?;
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE body_members SET term_end = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(date_str(*end))
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        tx.audit(
            actor,
            Event::new(
                "body-member.end",
                "body",
                old.body_id,
                format!("ended the term of {} ({}) on {}", old.person.name, old.role.label(), long(*end)),
            ),
        )
        .await?;
        tx.commit().await
    }

    // ----------------------------------------------------------------------- meetings

    pub async fn meeting(&self, id: i64) -> Result<Meeting> {
        let sql = format!("{MEETING_SELECT} WHERE m.id = $1");
        self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.as_ref().map(meeting).transpose()?.ok_or(StoreError::NotFound)
    }

    /// A body's meetings (every body's with `None`), in date order.
    pub async fn list(&self, body_id: Option<i64>) -> Result<Vec<Meeting>> {
        let rows = match body_id {
            Some(b) => {
                let sql = format!("{MEETING_SELECT} WHERE m.body_id = $1 ORDER BY m.meeting_date, m.id");
                self.store.q(&sql).bind(b).fetch_all(self.store.pool()).await?
            }
            None => {
                let sql = format!("{MEETING_SELECT} ORDER BY m.meeting_date, m.id");
                self.store.q(&sql).fetch_all(self.store.pool()).await?
            }
        };
        rows.iter().map(meeting).collect()
    }

    pub async fn moves(&self, meeting_id: i64) -> Result<Vec<Move>> {
        let rows = self
            .store
            .q("SELECT from_date, to_date, reason FROM meeting_moves WHERE meeting_id = $1 ORDER BY id")
            .bind(meeting_id)
            .fetch_all(self.store.pool())
            .await?;
        rows.iter().map(|r| Ok(Move { from: r.d("from_date")?, to: r.d("to_date")?, reason: r.s("reason")? })).collect()
    }

    /// Arrange a meeting (today or later).
    pub async fn create_meeting(&self, actor: &Actor, body_id: i64, m: &MeetingInput) -> Result<i64> {
        let body = self.store.tracker().body(body_id).await?;
        let c = check_meeting(m, self.store.today())?;
        if !clashes(&[c.date], &self.taken_dates(body_id, None).await?).is_empty() {
            return Err(Invalid::single(
                "date",
                format!("{} already meets on {}: choose another date, or move or cancel that meeting first", body.name, long(c.date)),
            )
            .into());
        }
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO meetings (body_id, meeting_date, start_time, venue, kind, joint_with, municipal_year, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
            .bind(body_id)
            .bind(date_str(c.date))
            .bind(c.time.format("%H:%M").to_string())
            .bind(c.venue.clone())
            .bind(c.kind.slug())
            .bind(c.joint_with.clone())
            .bind(i64::from(MunicipalYear::of(c.date).0))
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("meeting.create", "meeting", id, format!("arranged a meeting of {} on {}", body.name, long(c.date)))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Arrange a year's meetings from a pattern (the first today or later, every n weeks
    /// or months, some months skipped) in one go: all of them or, if any date is wrong or
    /// the body already meets that day, none.
    pub async fn generate_meetings(&self, actor: &Actor, body_id: i64, p: &PatternInput) -> Result<Vec<i64>> {
        let body = self.store.tracker().body(body_id).await?;
        let year = check_pattern(p, self.store.today())?;
        let clashes: Vec<String> = clashes(&year.dates, &self.taken_dates(body_id, None).await?).into_iter().map(long).collect();
        if !clashes.is_empty() {
            return Err(Invalid::single(
                "date",
                format!("{} already meets on {}: start the pattern after it, or move that meeting first", body.name, clashes.join(", ")),
            )
            .into());
        }
        let c = &year.meeting;
        let mut tx = self.store.write().await?;
        let mut ids = Vec::new();
        for d in &year.dates {
            let id = self
                .store
                .q("INSERT INTO meetings (body_id, meeting_date, start_time, venue, kind, joint_with, municipal_year, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
                .bind(body_id)
                .bind(date_str(*d))
                .bind(c.time.format("%H:%M").to_string())
                .bind(c.venue.clone())
                .bind(c.kind.slug())
                .bind(c.joint_with.clone())
                .bind(i64::from(MunicipalYear::of(*d).0))
                .bind(self.store.now())
                .fetch_one(tx.conn())
                .await?
                .i("id")?;
            tx.audit(
                actor,
                Event::new("meeting.create", "meeting", id, format!("arranged a meeting of {} on {} ({})", body.name, long(*d), year.described)),
            )
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// The days a body already meets (its meetings that are not cancelled, but `except`).
    async fn taken_dates(&self, body_id: i64, except: Option<i64>) -> Result<Vec<NaiveDate>> {
        let rows = self
            .store
            .q("SELECT meeting_date FROM meetings WHERE body_id = $1 AND status <> $2 AND id <> $3")
            .bind(body_id)
            .bind(MeetingStatus::Cancelled.slug())
            .bind(except.unwrap_or(0))
            .fetch_all(self.store.pool())
            .await?;
        rows.iter().map(|r| r.d("meeting_date")).collect()
    }

    /// Change a meeting's time, venue and type (its date changes by a move).
    pub async fn update_meeting(&self, actor: &Actor, id: i64, version: i64, m: &MeetingInput) -> Result<()> {
        let old = self.meeting(id).await?;
        if !old.status.may_move() {
            return Err(Invalid::single("time", format!("A meeting that is {} cannot be changed", old.status.label().to_lowercase())).into());
        }
        // The date is the meeting's own (a move changes it): checked as it stands.
        let c = check_meeting(&MeetingInput { date: Some(old.date.max(self.store.today())), ..m.clone() }, self.store.today())?;
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE meetings SET start_time = $1, venue = $2, kind = $3, joint_with = $4, version = version + 1 WHERE id = $5 AND version = $6")
            .bind(c.time.format("%H:%M").to_string())
            .bind(c.venue.clone())
            .bind(c.kind.slug())
            .bind(c.joint_with.clone())
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        tx.audit(actor, Event::new("meeting.update", "meeting", id, format!("changed the meeting of {}", old.title()))).await?;
        tx.commit().await
    }

    /// Move a meeting to another date, keeping the old one and the reason.
    pub async fn move_meeting(&self, actor: &Actor, id: i64, version: i64, to: Option<NaiveDate>, reason: &str) -> Result<()> {
        let old = self.meeting(id).await?;
        let taken = self.taken_dates(old.body_id, Some(id)).await?;
        let mv = check_move(old.status, old.date, to, reason, self.store.today(), &taken)?;
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE meetings SET meeting_date = $1, municipal_year = $2, status = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(date_str(mv.to))
            .bind(i64::from(MunicipalYear::of(mv.to).0))
            .bind(if old.status == MeetingStatus::AgendaPublished { old.status.slug() } else { MeetingStatus::Moved.slug() })
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        self.store
            .q("INSERT INTO meeting_moves (meeting_id, from_date, to_date, reason, moved_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(id)
            .bind(date_str(mv.from))
            .bind(date_str(mv.to))
            .bind(mv.reason.clone())
            .bind(self.store.now())
            .execute(tx.conn())
            .await?;
        tx.audit(actor, Event::new("meeting.move", "meeting", id, format!("moved from {} to {}", long(mv.from), long(mv.to)))).await?;
        tx.commit().await
    }

    /// Publish the agenda, record the meeting as held, or cancel it. Approving the
    /// minutes is [`Meetings::approve_minutes`].
    pub async fn set_status(&self, actor: &Actor, id: i64, version: i64, to: MeetingStatus) -> Result<()> {
        let old = self.meeting(id).await?;
        if to == MeetingStatus::MinutesApproved || !old.status.may_become(to) {
            return Err(Invalid::single(
                "status",
                format!("A meeting that is {} cannot become {}", old.status.label().to_lowercase(), to.label().to_lowercase()),
            )
            .into());
        }
        let mut tx = self.store.write().await?;
        self.status_in(&mut tx, id, version, to).await?;
        tx.index_meeting(id).await?;
        tx.audit(actor, Event::new("meeting.status", "meeting", id, format!("{}: {}", old.title(), to.label()))).await?;
        tx.commit().await
    }

    async fn status_in(&self, tx: &mut WriteTx<'_>, id: i64, version: i64, to: MeetingStatus) -> Result<()> {
        let n = self
            .store
            .q("UPDATE meetings SET status = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(to.slug())
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())
    }

    /// The meetings of the body after this one, not cancelled (where a report can be
    /// requested or deferred to).
    async fn later_meetings(&self, body_id: i64, after: NaiveDate) -> Result<Vec<i64>> {
        let rows = self
            .store
            .q("SELECT id FROM meetings WHERE body_id = $1 AND meeting_date > $2 AND status <> 'cancelled' ORDER BY meeting_date")
            .bind(body_id)
            .bind(date_str(after))
            .fetch_all(self.store.pool())
            .await?;
        rows.iter().map(|r| r.i("id")).collect()
    }

    // ------------------------------------------------------------------------ agendas

    /// Add an item to a meeting's agenda; a paper that answers a requested report closes
    /// the request.
    pub async fn add_agenda_item(
        &self,
        actor: &Actor,
        meeting_id: i64,
        a: &AgendaItemInput,
        report_id: Option<i64>,
        paper_title: Option<&str>,
        answers_request: Option<i64>,
    ) -> Result<i64> {
        let m = self.meeting(meeting_id).await?;
        let c = check_agenda_item(a)?;
        let mut found = Invalid::new();
        if matches!(m.status, MeetingStatus::Held | MeetingStatus::MinutesApproved | MeetingStatus::Cancelled) {
            found.add("kind", format!("The meeting is {}: its agenda cannot change", m.status.label().to_lowercase()));
        }
        if let Some(r) = report_id {
            let row = self.store.q("SELECT status FROM reports WHERE id = $1").bind(r).fetch_optional(self.store.pool()).await?;
            if row.map(|r| r.s("status")).transpose()?.as_deref() != Some("issued") {
                found.add("report_id", "Select a monitoring report that has been issued");
            }
        }
        if let Some(q) = answers_request {
            match self.request(q).await {
                Ok(req) if req.body_id == m.body_id && req.state.is_open() => {}
                Ok(_) => found.add("answers_request", "Select an open report request of this body"),
                Err(StoreError::NotFound) => found.add("answers_request", "Select a report request from the list"),
                Err(e) => return Err(e),
            }
        }
        found.finish()?;
        let mut tx = self.store.write().await?;
        let pos = self
            .store
            .q("SELECT COALESCE(MAX(position), 0) AS p FROM agenda_items WHERE meeting_id = $1")
            .bind(meeting_id)
            .fetch_one(tx.conn())
            .await?
            .i("p")?;
        let id = self
            .store
            .q("INSERT INTO agenda_items (meeting_id, position, kind, title, exempt_paragraph, report_id, paper_title, answers_request_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
            .bind(meeting_id)
            .bind(pos + 1)
            .bind(c.kind.slug())
            .bind(c.title.clone())
            .bind(c.exempt_paragraph.map(i64::from))
            .bind(report_id)
            .bind(paper_title.map(str::trim).filter(|s| !s.is_empty()).map(String::from))
            .bind(answers_request)
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        if let Some(q) = answers_request {
            self.store
                .q("UPDATE report_requests SET closed_by_item_id = $1, version = version + 1 WHERE id = $2")
                .bind(id)
                .bind(q)
                .execute(tx.conn())
                .await?;
            tx.audit(actor, Event::new("report-request.close", "report_request", q, format!("answered by a paper on the agenda of {}", m.title())))
                .await?;
        }
        tx.index_meeting(meeting_id).await?;
        tx.audit(actor, Event::new("agenda-item.create", "meeting", meeting_id, format!("added \"{}\" to the agenda", c.title))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The agenda in order, numbered (exempt items last).
    pub async fn agenda(&self, meeting_id: i64) -> Result<Vec<AgendaItem>> {
        let sql = format!("{} WHERE meeting_id = $1 ORDER BY position, id", Self::AGENDA_SELECT);
        let rows = self.store.q(&sql).bind(meeting_id).fetch_all(self.store.pool()).await?;
        let items = rows.iter().map(|r| Ok((r.i("position")?, Self::agenda_row(r)?))).collect::<Result<Vec<_>>>()?;
        Ok(Self::numbered(items))
    }

    /// Every item on a published agenda (published, held or minuted), by meeting id,
    /// numbered as on its agenda: one query for all the meetings.
    pub async fn published_agendas(&self) -> Result<Vec<(i64, Vec<AgendaItem>)>> {
        let sql = format!(
            "{} WHERE meeting_id IN (SELECT id FROM meetings WHERE status IN ('agenda-published', 'held', 'minutes-approved')) ORDER BY meeting_id, position, id",
            Self::AGENDA_SELECT
        );
        let rows = self.store.q(&sql).fetch_all(self.store.pool()).await?;
        let mut out: Vec<(i64, Vec<(i64, AgendaItem)>)> = Vec::new();
        for r in &rows {
            let meeting = r.i("meeting_id")?;
            let item = (r.i("position")?, Self::agenda_row(r)?);
            match out.last_mut() {
                Some((m, items)) if *m == meeting => items.push(item),
                _ => out.push((meeting, vec![item])),
            }
        }
        Ok(out.into_iter().map(|(m, items)| (m, Self::numbered(items))).collect())
    }

    const AGENDA_SELECT: &'static str =
        "SELECT meeting_id, id, position, kind, title, exempt_paragraph, report_id, paper_title, answers_request_id FROM agenda_items";

    fn agenda_row(r: &AnyRow) -> Result<AgendaItem> {
        Ok(AgendaItem {
            id: r.i("id")?,
            number: 0,
            kind: r.e("kind")?,
            title: r.s("title")?,
            exempt_paragraph: r.oi("exempt_paragraph")?,
            report_id: r.oi("report_id")?,
            paper_title: r.os("paper_title")?,
            answers_request_id: r.oi("answers_request_id")?,
        })
    }

    /// A meeting's items (with their positions) in agenda order, numbered from 1.
    fn numbered(items: Vec<(i64, AgendaItem)>) -> Vec<AgendaItem> {
        let keys: Vec<(AgendaKind, i64)> = items.iter().map(|(p, i)| (i.kind, *p)).collect();
        agenda_order(&keys).into_iter().enumerate().map(|(n, i)| AgendaItem { number: n + 1, ..items[i].1.clone() }).collect()
    }

    /// One agenda item with its meeting.
    pub async fn agenda_item(&self, item_id: i64) -> Result<(Meeting, AgendaItem)> {
        let meeting_id = self
            .store
            .q("SELECT meeting_id FROM agenda_items WHERE id = $1")
            .bind(item_id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?
            .i("meeting_id")?;
        let item = self.agenda(meeting_id).await?.into_iter().find(|i| i.id == item_id).ok_or(StoreError::NotFound)?;
        Ok((self.meeting(meeting_id).await?, item))
    }

    /// Write (or rewrite) an item's paper as a report on the council's cover. `version`
    /// is the paper's as the form saw it (0: the item had none).
    pub async fn write_paper(&self, actor: &Actor, item_id: i64, version: i64, cover: &Cover) -> Result<()> {
        cover.validate()?;
        let cover_json = serde_json::to_string(cover).map_err(|e| StoreError::Corrupt(format!("paper cover: {e}")))?;
        self.save_paper(actor, item_id, version, "written", Some(cover_json), None, &format!("wrote the report \"{}\"", cover.subject.trim())).await
    }

    /// Upload (or replace) an item's paper as a file.
    pub async fn upload_paper(&self, actor: &Actor, item_id: i64, version: i64, file: &PaperUpload) -> Result<()> {
        let said = format!("uploaded the paper \"{}\"", file.name);
        self.save_paper(actor, item_id, version, "uploaded", None, Some(file), &said).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn save_paper(
        &self,
        actor: &Actor,
        item_id: i64,
        version: i64,
        kind: &str,
        cover_json: Option<String>,
        file: Option<&PaperUpload>,
        said: &str,
    ) -> Result<()> {
        let (m, item) = self.agenda_item(item_id).await?;
        check_paper_target(item.kind, item.report_id.is_some(), m.status)?;
        let blocks_json = match file.and_then(|f| f.blocks.as_ref()) {
            Some(b) => Some(serde_json::to_string(b).map_err(|e| StoreError::Corrupt(format!("paper text: {e}")))?),
            None => None,
        };
        let sha = file.map(|f| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&f.bytes)));
        let now = self.store.now();
        let mut tx = self.store.write().await?;
        let n = if version == 0 {
            self.store
                .q("INSERT INTO agenda_papers (agenda_item_id, kind, cover_json, file_name, content_type, file_bytes, file_sha256, blocks_json, updated_by, updated_at) \
                    VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (agenda_item_id) DO NOTHING")
                .bind(item_id)
                .bind(kind.to_string())
                .bind(cover_json)
                .bind(file.map(|f| f.name.clone()))
                .bind(file.map(|f| f.content_type.clone()))
                .bind(file.map(|f| f.bytes.clone()))
                .bind(sha)
                .bind(blocks_json)
                .bind(actor.label.clone())
                .bind(now)
                .execute(tx.conn())
                .await?
        } else {
            self.store
                .q("UPDATE agenda_papers SET kind = $1, cover_json = $2, file_name = $3, content_type = $4, file_bytes = $5, file_sha256 = $6, blocks_json = $7, \
                    updated_by = $8, updated_at = $9, version = version + 1 WHERE agenda_item_id = $10 AND version = $11")
                .bind(kind.to_string())
                .bind(cover_json)
                .bind(file.map(|f| f.name.clone()))
                .bind(file.map(|f| f.content_type.clone()))
                .bind(file.map(|f| f.bytes.clone()))
                .bind(sha)
                .bind(blocks_json)
                .bind(actor.label.clone())
                .bind(now)
                .bind(item_id)
                .bind(version)
                .execute(tx.conn())
                .await?
        };
        check_version(n.rows_affected())?;
        tx.index_meeting(m.id).await?;
        tx.audit(actor, Event::new("agenda-paper.save", "meeting", m.id, format!("{said} for item {} of {}", item.number, m.title()))).await?;
        tx.commit().await
    }

    const PAPER_SELECT: &'static str =
        "SELECT agenda_item_id, kind, cover_json, file_name, content_type, file_sha256, blocks_json, updated_by, updated_at, version, \
         LENGTH(file_bytes) AS size FROM agenda_papers";

    fn paper_row(r: &AnyRow) -> Result<Paper> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("agenda paper: {e}"));
        let content = match r.s("kind")?.as_str() {
            "written" => PaperContent::Written(Box::new(serde_json::from_str(&r.s("cover_json")?).map_err(corrupt)?)),
            _ => PaperContent::Uploaded {
                name: r.s("file_name")?,
                content_type: r.s("content_type")?,
                sha256: r.s("file_sha256")?,
                size: r.oi("size")?.unwrap_or(0),
                blocks: match r.os("blocks_json")? {
                    Some(j) => Some(serde_json::from_str(&j).map_err(corrupt)?),
                    None => None,
                },
            },
        };
        Ok(Paper {
            agenda_item_id: r.i("agenda_item_id")?,
            content,
            updated_by: r.s("updated_by")?,
            updated_at: r.s("updated_at")?,
            version: r.i("version")?,
        })
    }

    /// An item's paper, if it has one.
    pub async fn paper(&self, item_id: i64) -> Result<Option<Paper>> {
        let sql = format!("{} WHERE agenda_item_id = $1", Self::PAPER_SELECT);
        self.store.q(&sql).bind(item_id).fetch_optional(self.store.pool()).await?.as_ref().map(Self::paper_row).transpose()
    }

    /// The papers of a meeting's items, in one query.
    pub async fn papers(&self, meeting_id: i64) -> Result<Vec<Paper>> {
        let sql = format!("{} WHERE agenda_item_id IN (SELECT id FROM agenda_items WHERE meeting_id = $1)", Self::PAPER_SELECT);
        let rows = self.store.q(&sql).bind(meeting_id).fetch_all(self.store.pool()).await?;
        rows.iter().map(Self::paper_row).collect()
    }

    /// The papers of every published agenda's items (published, held or minuted), in one query.
    pub async fn published_papers(&self) -> Result<Vec<Paper>> {
        let sql = format!(
            "{} WHERE agenda_item_id IN (SELECT a.id FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id WHERE m.status IN ('agenda-published', 'held', 'minutes-approved'))",
            Self::PAPER_SELECT
        );
        self.store.q(&sql).fetch_all(self.store.pool()).await?.iter().map(Self::paper_row).collect()
    }

    /// An uploaded paper's file as uploaded: its name, kind and bytes.
    pub async fn paper_file(&self, item_id: i64) -> Result<(String, String, Vec<u8>)> {
        let r = self
            .store
            .q("SELECT file_name, content_type, file_bytes FROM agenda_papers WHERE agenda_item_id = $1 AND kind = 'uploaded'")
            .bind(item_id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let bytes: Vec<u8> = r.try_get("file_bytes")?;
        Ok((r.s("file_name")?, r.s("content_type")?, bytes))
    }

    /// The meeting's agenda pack: its items in agenda order with their papers — a
    /// monitoring report issued in Assure in full (as issued), another paper by its
    /// title — and, in the public pack, no exempt paper. A draft until the agenda is
    /// published.
    pub async fn agenda_pack(&self, meeting_id: i64, public: bool, today: NaiveDate) -> Result<AgendaPack> {
        let m = self.meeting(meeting_id).await?;
        let organisation = self.store.settings().load().await?.organisation;
        let mut items = Vec::new();
        let mut papers = self.papers(meeting_id).await?;
        for i in self.agenda(meeting_id).await? {
            let exempt = i.exempt_paragraph.and_then(|p| u8::try_from(p).ok());
            let own = papers.iter().position(|p| p.agenda_item_id == i.id).map(|at| papers.swap_remove(at));
            let paper = match (i.report_id, &i.paper_title) {
                // The public pack carries a report once it is issued, never a draft.
                (Some(r), _) if public && !self.store.reports().get(r).await?.is_issued() => PackPaper::None,
                (Some(r), _) if !(public && exempt.is_some()) => PackPaper::Report(Box::new(self.store.reports().monitoring_report(r, today).await?)),
                (Some(_), _) => PackPaper::None,
                (None, _) if own.is_some() => match own.map(|p| p.content) {
                    Some(PaperContent::Written(c)) => PackPaper::Written(c),
                    Some(PaperContent::Uploaded { name, blocks: Some(blocks), .. }) => PackPaper::Uploaded { name, blocks },
                    Some(PaperContent::Uploaded { name, blocks: None, .. }) => PackPaper::Attached(name),
                    None => PackPaper::None,
                },
                (None, Some(t)) if !t.trim().is_empty() => PackPaper::Separate(t.clone()),
                _ => PackPaper::None,
            };
            items.push(PackItem {
                number: i.number,
                kind: i.kind,
                title: i.title,
                exempt_paragraph: exempt,
                paper: pack_paper(exempt, public, paper),
            });
        }
        Ok(AgendaPack {
            organisation,
            body: m.body_name.clone(),
            date: m.date,
            time: m.time.clone(),
            venue: m.venue.clone(),
            public,
            draft: !m.status.agenda_closed(),
            items,
        })
    }

    // --------------------------------------------------------------------- attendance

    /// Record who was at (or sent apologies to) a meeting.
    pub async fn record_attendance(&self, actor: &Actor, meeting_id: i64, a: &AttendanceInput) -> Result<i64> {
        let (person_id, name, attendance, substitute_id, capacity) = (a.person, a.name.as_str(), a.attendance, a.substitute, a.capacity.as_str());
        let m = self.meeting(meeting_id).await?;
        let mut v = Invalid::new();
        let people = self.people().await?;
        let person = person_id.and_then(|p| people.iter().find(|x| x.id == p));
        if person_id.is_some() && person.is_none() {
            v.add("person", "Select a person from the list");
        }
        let name = match person {
            Some(p) => p.name.clone(),
            None => v.required("name", name, "Enter the name of the person, or select a member"),
        };
        v.max_len("name", &name, 200, "Name");
        v.max_len("capacity", capacity.trim(), 200, "Capacity");
        if attendance == Attendance::SubstituteAttended {
            match substitute_id {
                None => v.add("substitute", "Select the substitute who attended"),
                Some(s) if Some(s) == person_id => v.add("substitute", "A member cannot be their own substitute"),
                Some(s) if !people.iter().any(|p| p.id == s) => v.add("substitute", "Select a substitute from the list"),
                Some(_) => {}
            }
        }
        if m.status == MeetingStatus::MinutesApproved {
            v.add("person", "The minutes of this meeting were approved: its attendance is frozen");
        }
        v.finish()?;
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO meeting_attendance (meeting_id, person_id, name, attendance, substitute_id, capacity) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
            .bind(meeting_id)
            .bind(person_id)
            .bind(name)
            .bind(attendance.slug())
            .bind(if attendance == Attendance::SubstituteAttended { substitute_id } else { None })
            .bind(capacity.trim().to_string())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("attendance.record", "meeting", meeting_id, format!("recorded attendance: {}", attendance.label()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn attendance(&self, meeting_id: i64) -> Result<Vec<AttendanceRow>> {
        let rows = self
            .store
            .q("SELECT a.id, a.person_id, a.name, a.attendance, s.name AS sname, a.capacity FROM meeting_attendance a LEFT JOIN meeting_people s ON s.id = a.substitute_id \
                WHERE a.meeting_id = $1 ORDER BY a.id")
            .bind(meeting_id)
            .fetch_all(self.store.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AttendanceRow {
                    id: r.i("id")?,
                    person_id: r.oi("person_id")?,
                    name: r.s("name")?,
                    attendance: r.e("attendance")?,
                    substitute: r.os("sname")?,
                    capacity: r.s("capacity")?,
                })
            })
            .collect()
    }

    /// Whether the meeting was quorate, from its attendance and the body's rule.
    pub async fn quorum_of(&self, meeting_id: i64) -> Result<(QuorumRule, u32, u32)> {
        let m = self.meeting(meeting_id).await?;
        let rule = self.quorum(m.body_id).await?;
        let members = self.members(m.body_id, m.date).await?;
        let voting: Vec<i64> = members.iter().filter(|x| x.role.votes()).map(|x| x.person.id).collect();
        let present = self
            .attendance(meeting_id)
            .await?
            .iter()
            .filter(|a| {
                a.person_id.is_some_and(|p| voting.contains(&p)) && matches!(a.attendance, Attendance::Present | Attendance::SubstituteAttended)
            })
            .count();
        Ok((rule, voting.len() as u32, present as u32))
    }

    // ------------------------------------------------------------------------ minutes

    /// A body's minutes, as references (for cross-references).
    async fn minute_refs(&self, body_id: i64) -> Result<Vec<(i64, MinuteRef)>> {
        let rows = self
            .store
            .q("SELECT mi.id, mi.number, m.meeting_date FROM minutes mi JOIN meetings m ON m.id = mi.meeting_id WHERE mi.body_id = $1")
            .bind(body_id)
            .fetch_all(self.store.pool())
            .await?;
        rows.iter().map(|r| Ok((r.i("id")?, MinuteRef { number: r.i("number")?, meeting_date: r.d("meeting_date")? }))).collect()
    }

    /// Add the next minute to a meeting, numbered through the body's municipal year.
    /// `refers_to` is an earlier minute of the body ("Further to Minute No. 5 of 12
    /// July 2016"). Returns the minute's id and number.
    pub async fn add_minute(
        &self,
        actor: &Actor,
        meeting_id: i64,
        title: &str,
        text: &str,
        agenda_item_id: Option<i64>,
        refers_to: Option<MinuteRef>,
    ) -> Result<(i64, i64)> {
        let m = self.meeting(meeting_id).await?;
        let mut v = Invalid::new();
        if let Err(e) = check_minutes_editable(m.status == MeetingStatus::MinutesApproved) {
            v.absorb(e);
        }
        let title = v.required("title", title, "Enter the minute's heading, for example Apologies for absence");
        v.max_len("title", &title, 300, "Heading");
        v.max_len("text", text, 20000, "Minute");
        let known = self.minute_refs(m.body_id).await?;
        let mut refers_id = None;
        if let Some(r) = refers_to {
            match check_cross_reference("refers_to", r, m.date, &known.iter().map(|k| k.1).collect::<Vec<_>>()) {
                Ok(()) => refers_id = known.iter().find(|k| k.1 == r).map(|k| k.0),
                Err(e) => v.absorb(e),
            }
        }
        if let Some(item) = agenda_item_id {
            if !self.agenda(meeting_id).await?.iter().any(|i| i.id == item) {
                v.add("agenda_item", "Select an item of this meeting's agenda");
            }
        }
        v.finish()?;
        let mut tx = self.store.write().await?;
        let year = MunicipalYear::of(m.date);
        let last = self
            .store
            .q("SELECT m.meeting_date, mi.number FROM minutes mi JOIN meetings m ON m.id = mi.meeting_id WHERE mi.body_id = $1 AND mi.municipal_year <= $2 \
                ORDER BY mi.municipal_year DESC, mi.number DESC LIMIT 1")
            .bind(m.body_id)
            .bind(i64::from(year.0))
            .fetch_optional(tx.conn())
            .await?;
        let last = last.map(|r| Ok::<_, StoreError>((r.d("meeting_date")?, r.i("number")?))).transpose()?;
        let number = next_minute_number(last, m.date);
        let id = self
            .store
            .q("INSERT INTO minutes (meeting_id, body_id, municipal_year, number, agenda_item_id, title, text, refers_to_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
            .bind(meeting_id)
            .bind(m.body_id)
            .bind(i64::from(year.0))
            .bind(number)
            .bind(agenda_item_id)
            .bind(title.clone())
            .bind(text.trim().to_string())
            .bind(refers_id)
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("minute.create", "meeting", meeting_id, format!("drafted Minute No. {number}: {title}"))).await?;
        tx.commit().await?;
        Ok((id, number))
    }

    /// Edit a draft minute's text (approved minutes are frozen).
    pub async fn update_minute(&self, actor: &Actor, minute_id: i64, version: i64, text: &str) -> Result<()> {
        let r = self
            .store
            .q("SELECT meeting_id FROM minutes WHERE id = $1")
            .bind(minute_id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let m = self.meeting(r.i("meeting_id")?).await?;
        check_minutes_editable(m.status == MeetingStatus::MinutesApproved)?;
        let mut v = Invalid::new();
        v.max_len("text", text, 20000, "Minute");
        v.finish()?;
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE minutes SET text = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(text.trim().to_string())
            .bind(minute_id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        tx.audit(actor, Event::new("minute.update", "meeting", m.id, "changed a draft minute")).await?;
        tx.commit().await
    }

    /// A meeting's minutes in number order, each with its resolution.
    pub async fn minutes(&self, meeting_id: i64) -> Result<Vec<Minute>> {
        let rows = self
            .store
            .q("SELECT mi.id, mi.meeting_id, mi.number, mi.title, mi.text, mi.agenda_item_id, mi.version, r.id AS rid, r.number AS rnumber, rm.meeting_date AS rdate \
                FROM minutes mi LEFT JOIN minutes r ON r.id = mi.refers_to_id LEFT JOIN meetings rm ON rm.id = r.meeting_id \
                WHERE mi.meeting_id = $1 ORDER BY mi.number")
            .bind(meeting_id)
            .fetch_all(self.store.pool())
            .await?;
        let parts = self
            .store
            .q("SELECT p.id, p.minute_id, p.kind, p.text, p.to_body, p.reason, q.id AS qid, v.id AS review_id, v.title AS review_title FROM resolution_parts p JOIN minutes mi ON mi.id = p.minute_id \
                LEFT JOIN report_requests q ON q.resolution_part_id = p.id LEFT JOIN reviews v ON v.id = p.review_id WHERE mi.meeting_id = $1 ORDER BY p.minute_id, p.position")
            .bind(meeting_id)
            .fetch_all(self.store.pool())
            .await?;
        let parts = parts
            .iter()
            .map(|r| {
                Ok((
                    r.i("minute_id")?,
                    Part {
                        id: r.i("id")?,
                        kind: r.e("kind")?,
                        text: r.s("text")?,
                        to_body: r.os("to_body")?,
                        reason: r.os("reason")?,
                        request_id: r.oi("qid")?,
                        review: match r.oi("review_id")? {
                            Some(v) => Some((v, r.s("review_title")?)),
                            None => None,
                        },
                    },
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        rows.iter()
            .map(|r| {
                let id = r.i("id")?;
                let refers_to = match r.oi("rid")? {
                    Some(rid) => Some((rid, MinuteRef { number: r.i("rnumber")?, meeting_date: r.d("rdate")? })),
                    None => None,
                };
                Ok(Minute {
                    id,
                    meeting_id: r.i("meeting_id")?,
                    number: r.i("number")?,
                    title: r.s("title")?,
                    text: r.s("text")?,
                    agenda_item_id: r.oi("agenda_item_id")?,
                    refers_to,
                    parts: parts.iter().filter(|(m, _)| *m == id).map(|(_, p)| p.clone()).collect(),
                    version: r.i("version")?,
                })
            })
            .collect()
    }

    /// The text the fingerprint of approved minutes covers.
    pub(crate) fn minutes_text(m: &Meeting, minutes: &[Minute]) -> String {
        let mut s = format!("{}\n", m.title());
        for mi in minutes {
            s.push_str(&format!("{}. {}\n{}\n", mi.number, mi.title, mi.text));
            for p in &mi.parts {
                s.push_str(&format!("[{}] {}\n", p.kind.slug(), p.text));
            }
        }
        s
    }

    /// The next meeting approves the minutes: they are frozen and fingerprinted.
    pub async fn approve_minutes(&self, actor: &Actor, meeting_id: i64, version: i64) -> Result<String> {
        let m = self.meeting(meeting_id).await?;
        if m.status != MeetingStatus::Held {
            return Err(Invalid::single("status", "Only the minutes of a meeting that has been held can be approved").into());
        }
        let minutes = self.minutes(meeting_id).await?;
        let fp = minutes_fingerprint(&Self::minutes_text(&m, &minutes));
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE meetings SET status = 'minutes-approved', minutes_fingerprint = $1, minutes_approved_at = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(fp.clone())
            .bind(self.store.now())
            .bind(meeting_id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        tx.index_meeting(meeting_id).await?;
        tx.audit(actor, Event::new("minutes.approve", "meeting", meeting_id, format!("minutes of {} approved", m.title()))).await?;
        tx.commit().await?;
        Ok(fp)
    }

    /// Whether approved minutes still match their fingerprint.
    pub async fn minutes_intact(&self, meeting_id: i64) -> Result<bool> {
        let m = self.meeting(meeting_id).await?;
        let minutes = self.minutes(meeting_id).await?;
        Ok(m.minutes_fingerprint.as_deref() == Some(minutes_fingerprint(&Self::minutes_text(&m, &minutes)).as_str()))
    }

    // ------------------------------------------------------------------- declarations

    pub async fn add_declaration(&self, actor: &Actor, meeting_id: i64, d: &DeclarationInput) -> Result<i64> {
        let m = self.meeting(meeting_id).await?;
        let minutes = self.minutes(meeting_id).await?;
        let c = check_declaration(d, &minutes.iter().map(|x| x.number).collect::<Vec<_>>())?;
        check_minutes_editable(m.status == MeetingStatus::MinutesApproved)?;
        let minute_id = minutes.iter().find(|x| x.number == c.minute).map(|x| x.id).ok_or(StoreError::NotFound)?;
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO meeting_declarations (meeting_id, member, minute_id, reason, action) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(meeting_id)
            .bind(c.member.clone())
            .bind(minute_id)
            .bind(c.reason.clone())
            .bind(c.action.clone())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(
            actor,
            Event::new("declaration.create", "meeting", meeting_id, format!("recorded a declaration of interest at Minute No. {}", c.minute)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn declarations(&self, meeting_id: i64) -> Result<Vec<Declaration>> {
        let rows = self
            .store
            .q("SELECT d.id, d.member, mi.number, mi.title, d.reason, d.action FROM meeting_declarations d JOIN minutes mi ON mi.id = d.minute_id \
                WHERE d.meeting_id = $1 ORDER BY mi.number, d.id")
            .bind(meeting_id)
            .fetch_all(self.store.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Declaration {
                    id: r.i("id")?,
                    member: r.s("member")?,
                    minute_number: r.i("number")?,
                    minute_title: r.s("title")?,
                    reason: r.s("reason")?,
                    action: r.s("action")?,
                })
            })
            .collect()
    }

    // ------------------------------------------------------------- resolutions, requests

    /// Add a part to a minute's resolution; a request for a report is tracked from here.
    pub async fn add_resolution_part(&self, actor: &Actor, minute_id: i64, p: &ResolutionPartInput) -> Result<i64> {
        let r = self
            .store
            .q("SELECT meeting_id, number, title FROM minutes WHERE id = $1")
            .bind(minute_id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let m = self.meeting(r.i("meeting_id")?).await?;
        let subject = r.s("title")?;
        check_minutes_editable(m.status == MeetingStatus::MinutesApproved)?;
        let later = self.later_meetings(m.body_id, m.date).await?;
        let part = check_resolution_part(p, &later)?;
        let owner = match (&*part, p.owner) {
            (ResolutionPart::RequestedReport { .. }, Some(o)) => Some(self.check_owner(o).await?),
            _ => None,
        };
        // Endorsed: the tracker's endorsement of the review by this body at this meeting,
        // checked by the tracker's own rule (not before the review started).
        let number = r.i("number")?;
        let endorsement = match &*part {
            ResolutionPart::Endorsed { review, .. } => {
                let review = match self.store.tracker().review(*review).await {
                    Ok(v) => v,
                    Err(StoreError::NotFound) => return Err(Invalid::single("review", "Select the report from the list").into()),
                    Err(e) => return Err(e),
                };
                let input = EndorsementInput {
                    body_id: Some(m.body_id),
                    endorsed_on: Some(m.date),
                    minute_ref: MinuteRef { number, meeting_date: m.date }.cite(),
                };
                let checked = check_endorsement(&input, review.start_date)
                    .map_err(|e| Invalid::single("review", e.for_field("endorsed_on").map(|m| m.to_string()).unwrap_or_else(|| e.to_string())))?;
                Some((review.id, checked))
            }
            _ => None,
        };
        let mut tx = self.store.write().await?;
        let pos = self
            .store
            .q("SELECT COALESCE(MAX(position), 0) AS p FROM resolution_parts WHERE minute_id = $1")
            .bind(minute_id)
            .fetch_one(tx.conn())
            .await?
            .i("p")?;
        let (to_body, reason) = match &*part {
            ResolutionPart::Recommended { to_body, .. } => (Some(to_body.clone()), None),
            ResolutionPart::Deferred { reason, .. } => (None, Some(reason.clone())),
            _ => (None, None),
        };
        let id = self
            .store
            .q("INSERT INTO resolution_parts (minute_id, position, kind, text, to_body, reason, review_id) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
            .bind(minute_id)
            .bind(pos + 1)
            .bind(part.kind().slug())
            .bind(part.text().to_string())
            .bind(to_body)
            .bind(reason)
            .bind(endorsement.as_ref().map(|(review, _)| *review))
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        if let Some((review, e)) = &endorsement {
            self.store.tracker().endorse_in(&mut tx, actor, *review, &m.body_name, e, Some(minute_id)).await?;
        }
        if let ResolutionPart::RequestedReport { from, due_meeting, .. } = &*part {
            let q = self
                .store
                .q("INSERT INTO report_requests (resolution_part_id, body_id, subject, report_from, due_meeting_id, owner_id) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
                .bind(id)
                .bind(m.body_id)
                .bind(subject)
                .bind(from.clone())
                .bind(*due_meeting)
                .bind(owner)
                .fetch_one(tx.conn())
                .await?
                .i("id")?;
            tx.audit(actor, Event::new("report-request.create", "report_request", q, format!("a report requested of {from}"))).await?;
        }
        tx.audit(actor, Event::new("resolution.create", "meeting", m.id, format!("resolved ({})", part.kind().label().to_lowercase()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An officer a report can be asked of: an active account that reads meetings.
    async fn check_owner(&self, owner: i64) -> Result<i64> {
        match self.store.users().get(owner).await? {
            Some(u) if u.active && u.role.allows(assure_domain::Permission::ViewMeetings) => Ok(u.id),
            _ => Err(Invalid::single("owner", "Select the officer from the list, or no one").into()),
        }
    }

    /// The officers a report can be asked of (for the form's list).
    pub async fn possible_owners(&self) -> Result<Vec<crate::users::User>> {
        Ok(self.store.users().list().await?.into_iter().filter(|u| u.active && u.role.allows(assure_domain::Permission::ViewMeetings)).collect())
    }

    const REQUEST_SELECT: &'static str =
        "SELECT q.id, q.body_id, q.subject, q.report_from, q.due_meeting_id, q.deferred_reason, q.closed_by_item_id, q.version, \
         dm.meeting_date AS due_date, dm.status AS due_status, mi.number AS mnumber, mm.meeting_date AS mdate, q.owner_id, u.name AS owner_name, \
         b.name AS body_name FROM report_requests q JOIN meetings dm ON dm.id = q.due_meeting_id JOIN resolution_parts p ON p.id = q.resolution_part_id \
         JOIN minutes mi ON mi.id = p.minute_id JOIN meetings mm ON mm.id = mi.meeting_id JOIN bodies b ON b.id = q.body_id \
         LEFT JOIN users u ON u.id = q.owner_id";

    fn request_row(&self, r: &AnyRow) -> Result<Request> {
        let due_status: MeetingStatus = r.e("due_status")?;
        let due_date = r.d("due_date")?;
        let facts = RequestFacts {
            due_meeting: r.i("due_meeting_id")?,
            due_agenda_closed: agenda_closed(due_status, due_date, self.store.today()),
            deferred_reason: r.os("deferred_reason")?,
            answered_by: r.oi("closed_by_item_id")?,
        };
        Ok(Request {
            id: r.i("id")?,
            body_id: r.i("body_id")?,
            subject: r.s("subject")?,
            report_from: r.s("report_from")?,
            due_meeting_id: facts.due_meeting,
            due_date,
            minute: MinuteRef { number: r.i("mnumber")?, meeting_date: r.d("mdate")? },
            state: request_state(&facts),
            owner: match r.oi("owner_id")? {
                Some(id) => Some((id, r.s("owner_name")?)),
                None => None,
            },
            body_name: r.s("body_name")?,
            deferrals: Vec::new(),
            version: r.i("version")?,
        })
    }

    pub async fn request(&self, id: i64) -> Result<Request> {
        let sql = format!("{} WHERE q.id = $1", Self::REQUEST_SELECT);
        let row = self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut req = self.request_row(&row)?;
        let rows = self
            .store
            .q("SELECT f.meeting_date AS fdate, t.meeting_date AS tdate, d.reason FROM report_request_deferrals d JOIN meetings f ON f.id = d.from_meeting_id \
                JOIN meetings t ON t.id = d.to_meeting_id WHERE d.request_id = $1 ORDER BY d.id")
            .bind(id)
            .fetch_all(self.store.pool())
            .await?;
        req.deferrals = rows.iter().map(|r| Ok(Move { from: r.d("fdate")?, to: r.d("tdate")?, reason: r.s("reason")? })).collect::<Result<_>>()?;
        Ok(req)
    }

    /// A body's requested reports (every body's with `None`), by the date they are due.
    pub async fn requests(&self, body_id: Option<i64>) -> Result<Vec<Request>> {
        let rows = match body_id {
            Some(b) => {
                let sql = format!("{} WHERE q.body_id = $1 ORDER BY dm.meeting_date, q.id", Self::REQUEST_SELECT);
                self.store.q(&sql).bind(b).fetch_all(self.store.pool()).await?
            }
            None => {
                let sql = format!("{} ORDER BY dm.meeting_date, q.id", Self::REQUEST_SELECT);
                self.store.q(&sql).fetch_all(self.store.pool()).await?
            }
        };
        rows.iter().map(|r| self.request_row(r)).collect()
    }

    /// The reports asked of an officer (their own list), by the date they are due.
    pub async fn requests_owned_by(&self, user_id: i64) -> Result<Vec<Request>> {
        let sql = format!("{} WHERE q.owner_id = $1 ORDER BY dm.meeting_date, q.id", Self::REQUEST_SELECT);
        let rows = self.store.q(&sql).bind(user_id).fetch_all(self.store.pool()).await?;
        rows.iter().map(|r| self.request_row(r)).collect()
    }

    /// Ask a requested report of another officer (their own list), or of no one named.
    /// A closed request keeps the officer it had.
    pub async fn set_request_owner(&self, actor: &Actor, id: i64, version: i64, owner: Option<i64>) -> Result<()> {
        let req = self.request(id).await?;
        if matches!(req.state, RequestState::Closed { .. }) {
            return Err(Invalid::single("owner", "This report has been answered: its officer can no longer change").into());
        }
        let owner = match owner {
            Some(o) => Some(self.check_owner(o).await?),
            None => None,
        };
        if owner == req.owner.as_ref().map(|o| o.0) {
            return Err(Invalid::single("owner", "Select a different officer, or no one, to change who the report is asked of").into());
        }
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE report_requests SET owner_id = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(owner)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        let said = if owner.is_some() { "asked of another officer" } else { "no longer asked of a named officer" };
        tx.audit(actor, Event::new("report-request.owner", "report_request", id, said)).await?;
        tx.commit().await
    }

    /// Defer a requested report to a later meeting, with the reason.
    pub async fn defer_request(&self, actor: &Actor, id: i64, version: i64, to_meeting: Option<i64>, reason: &str) -> Result<()> {
        let req = self.request(id).await?;
        let later = self.later_meetings(req.body_id, req.due_date).await?;
        let c = check_deferral(&req.state, to_meeting, reason, &later)?;
        let (to, reason) = (c.0, c.1.clone());
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE report_requests SET due_meeting_id = $1, deferred_reason = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(to)
            .bind(reason.clone())
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        self.store
            .q("INSERT INTO report_request_deferrals (request_id, from_meeting_id, to_meeting_id, reason, deferred_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(id)
            .bind(req.due_meeting_id)
            .bind(to)
            .bind(reason)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?;
        tx.audit(actor, Event::new("report-request.defer", "report_request", id, "deferred to a later meeting")).await?;
        tx.commit().await
    }

    // ------------------------------------------------------------------- calendar feed

    /// Give a person their own calendar feed (replacing any they had): `token_hash` is the
    /// SHA-256 of the secret in its address, which the caller makes and shows once.
    pub async fn start_feed(&self, actor: &Actor, user_id: i64, token_hash: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        self.store.q("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
        self.store
            .q("INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1,$2,$3)")
            .bind(user_id)
            .bind(token_hash.to_string())
            .bind(self.store.now())
            .execute(tx.conn())
            .await?;
        tx.audit(actor, Event::new("calendar-feed.create", "user", user_id, "started a calendar feed (any earlier one stops working)")).await?;
        tx.commit().await
    }

    /// Turn a person's calendar feed off: its address stops working.
    pub async fn stop_feed(&self, actor: &Actor, user_id: i64) -> Result<()> {
        let mut tx = self.store.write().await?;
        let n = self.store.q("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(actor, Event::new("calendar-feed.delete", "user", user_id, "turned the calendar feed off")).await?;
        tx.commit().await
    }

    /// When the person's calendar feed was started, if they have one.
    pub async fn feed_started(&self, user_id: i64) -> Result<Option<String>> {
        let r = self.store.q("SELECT created_at FROM calendar_feeds WHERE user_id = $1").bind(user_id).fetch_optional(self.store.pool()).await?;
        r.map(|r| r.s("created_at")).transpose()
    }

    /// The active account whose feed has this secret's hash.
    pub async fn feed_owner(&self, token_hash: &str) -> Result<Option<crate::users::User>> {
        let r = self
            .store
            .q("SELECT f.user_id FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1 AND u.active = 1")
            .bind(token_hash.to_string())
            .fetch_optional(self.store.pool())
            .await?;
        match r {
            None => Ok(None),
            Some(r) => self.store.users().get(r.i("user_id")?).await,
        }
    }

    // ------------------------------------------------------------------ work programme

    /// Place an item on a body's work programme (at a meeting, or unplaced).
    pub async fn add_work_item(&self, actor: &Actor, body_id: i64, year: MunicipalYear, w: &WorkItemInput) -> Result<i64> {
        let (meeting_id, kind, title, officer) = (w.meeting, w.kind.as_str(), w.title.as_str(), w.officer.as_str());
        self.store.tracker().body(body_id).await?;
        let mut v = Invalid::new();
        if !matches!(kind, "standing" | "other") {
            v.add("kind", "Select a standing item or another item");
        }
        let title = v.required("title", title, "Enter the item, for example Cabinet Member Report");
        v.max_len("title", &title, 300, "Item");
        v.max_len("officer", officer.trim(), 200, "Responsible officer");
        if let Some(mid) = meeting_id {
            match self.meeting(mid).await {
                Ok(m) if m.body_id == body_id && m.year == year => {}
                Ok(_) | Err(StoreError::NotFound) => v.add("meeting", "Select one of the body's meetings in this year"),
                Err(e) => return Err(e),
            }
        }
        v.finish()?;
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO work_programme_items (body_id, municipal_year, meeting_id, kind, title, officer) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
            .bind(body_id)
            .bind(i64::from(year.0))
            .bind(meeting_id)
            .bind(kind.to_string())
            .bind(title.clone())
            .bind(officer.trim().to_string())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("work-programme.create", "body", body_id, format!("added \"{title}\" to the {} work programme", year.label())))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A body's work programme for a year: its own items, the reports it requested (at
    /// the meeting each is due), and the monitoring reports due from the tracker's
    /// schedules (at the first meeting on or after each due date).
    pub async fn work_programme(&self, body_id: i64, year: MunicipalYear) -> Result<WorkProgramme> {
        let meetings: Vec<Meeting> =
            self.list(Some(body_id)).await?.into_iter().filter(|m| m.year == year && m.status != MeetingStatus::Cancelled).collect();
        let mut slots: Vec<(Meeting, Vec<WorkItem>)> = meetings.into_iter().map(|m| (m, Vec::new())).collect();
        let mut unplaced = Vec::new();
        let rows = self
            .store
            .q("SELECT id, meeting_id, kind, title, officer FROM work_programme_items WHERE body_id = $1 AND municipal_year = $2 ORDER BY id")
            .bind(body_id)
            .bind(i64::from(year.0))
            .fetch_all(self.store.pool())
            .await?;
        for r in &rows {
            let item = WorkItem {
                id: Some(r.i("id")?),
                meeting_id: r.oi("meeting_id")?,
                kind: r.s("kind")?,
                title: r.s("title")?,
                officer: r.s("officer")?,
            };
            match slots.iter_mut().find(|(m, _)| Some(m.id) == item.meeting_id) {
                Some((_, items)) => items.push(item),
                None => unplaced.push(item),
            }
        }
        for q in self.requests(Some(body_id)).await? {
            if !q.state.is_open() {
                continue;
            }
            if let Some((m, items)) = slots.iter_mut().find(|(m, _)| m.id == q.due_meeting_id) {
                let title = format!("{} (requested at {}; {})", q.subject, q.minute.cite(), q.state.label().to_lowercase());
                items.push(WorkItem { id: None, meeting_id: Some(m.id), kind: "requested".into(), title, officer: q.report_from.clone() });
            }
        }
        let schedules = self
            .store
            .q("SELECT s.first_report_date, s.interval_months, v.title FROM monitoring_schedules s JOIN reviews v ON v.id = s.review_id WHERE s.body_id = $1 ORDER BY s.id")
            .bind(body_id)
            .fetch_all(self.store.pool())
            .await?;
        for s in &schedules {
            let first = s.d("first_report_date")?;
            let every = s.i("interval_months")?.max(1) as i32;
            let title = s.s("title")?;
            let mut k = 0;
            loop {
                let due = add_months(first, every * k);
                k += 1;
                if due > year.last_day() || k > 240 {
                    break;
                }
                if due < year.first_day() {
                    continue;
                }
                let text = format!("Monitoring report: {title} (due {})", long(due));
                match slots.iter_mut().find(|(m, _)| m.date >= due) {
                    Some((m, items)) => {
                        items.push(WorkItem { id: None, meeting_id: Some(m.id), kind: "monitoring".into(), title: text, officer: String::new() })
                    }
                    None => unplaced.push(WorkItem { id: None, meeting_id: None, kind: "monitoring".into(), title: text, officer: String::new() }),
                }
            }
        }
        Ok(WorkProgramme { year, meetings: slots, unplaced })
    }
}
