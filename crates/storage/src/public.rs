//! The public site's door to the data (issue 19): what the council has published and
//! nothing else — the bodies and their members, the meeting calendar, published
//! agendas and their public packs, approved minutes and the decisions in them, work
//! programmes, published forward plans and issued monitoring reports.
//!
//! [`PublicStore`] is its own type, made from a [`Store`] by [`Store::public`], and
//! keeps the store private: the public site's handlers are given a `PublicStore` and
//! nothing else, so no handler there can reach a child's record, however it is
//! written. Every method below reaches the store only through the handles listed in
//! [`REACHES`] (meetings, the forward plan, the tracker's bodies, issued reports and
//! the council's settings), and a test reads this file to keep it so. Each method
//! also leaves out what is not yet published: an agenda until it is published, minutes
//! until they are approved, exempt papers and the minutes of exempt items always, a
//! monitoring report until it is issued.

use assure_domain::meetings::{AgendaPack, MeetingStatus, MunicipalYear};
use assure_domain::report::MonitoringReport;
use assure_domain::settings::Settings;
use chrono::NaiveDate;

use crate::forward_plan::Publication;
use crate::meetings::{AgendaItem, AttendanceRow, Declaration, Meeting, Member, Minute, Move, Paper, WorkProgramme};
use crate::reports::ReportRecord;
use crate::tracker::Body;
use crate::{Result, Store, StoreError};

/// The store's handles the public site may use, and no other (checked by a test that
/// reads this file).
pub const REACHES: &[&str] =
    &["meetings()", "forward_plan()", "tracker().bodies()", "tracker().body(", "reports()", "settings()", "today()", "search_published("];

/// Published records only, for readers who have not signed in.
#[derive(Clone)]
pub struct PublicStore {
    store: Store,
}

impl Store {
    /// The public site's view of this database: see [`PublicStore`].
    pub fn public(&self) -> PublicStore {
        PublicStore { store: self.clone() }
    }
}

/// A meeting as the public sees it.
#[derive(Debug, Clone)]
pub struct PublicMeeting {
    pub meeting: Meeting,
    pub moves: Vec<Move>,
    /// Empty until the agenda is published. Exempt items keep their heading and paragraph.
    pub agenda: Vec<AgendaItem>,
    /// The papers of the agenda's open items (never an exempt item's).
    pub papers: Vec<Paper>,
    /// Whether the minutes are approved (and so shown).
    pub minutes_approved: bool,
    pub attendance: Vec<AttendanceRow>,
    pub declarations: Vec<Declaration>,
    /// The approved minutes; an exempt item's minute keeps its number and title only.
    pub minutes: Vec<PublicMinute>,
}

#[derive(Debug, Clone)]
pub struct PublicMinute {
    pub minute: Minute,
    /// The item was taken in private (Schedule 12A): its text and resolution are withheld.
    pub exempt_paragraph: Option<i64>,
}

impl PublicStore {
    /// The London date today.
    pub fn today(&self) -> NaiveDate {
        self.store.today()
    }

    /// The council's name and the service's, for the page furniture.
    pub async fn settings(&self) -> Result<Settings> {
        self.store.settings().load().await
    }

    /// The committees and other bodies.
    pub async fn bodies(&self) -> Result<Vec<Body>> {
        self.store.tracker().bodies().await
    }

    pub async fn body(&self, id: i64) -> Result<Body> {
        self.store.tracker().body(id).await
    }

    /// A body's members in a municipal year.
    pub async fn memberships(&self, body_id: i64, year: MunicipalYear) -> Result<Vec<Member>> {
        self.store.meetings().memberships(body_id, year).await
    }

    /// The people who sit on bodies (members and substitutes).
    pub async fn people(&self) -> Result<Vec<crate::meetings::Person>> {
        self.store.meetings().people().await
    }

    /// Every membership of every body.
    pub async fn all_memberships(&self) -> Result<Vec<Member>> {
        self.store.meetings().all_memberships().await
    }

    /// Every published agenda, by meeting id (exempt items keep their heading only).
    pub async fn published_agendas(&self) -> Result<Vec<(i64, Vec<AgendaItem>)>> {
        self.store.meetings().published_agendas().await
    }

    /// The papers of published agendas' open items (never an exempt item's).
    pub async fn published_papers(&self) -> Result<Vec<Paper>> {
        let open: std::collections::HashSet<i64> =
            self.published_agendas().await?.into_iter().flat_map(|(_, items)| items).filter(|i| i.exempt_paragraph.is_none()).map(|i| i.id).collect();
        Ok(self.store.meetings().published_papers().await?.into_iter().filter(|p| open.contains(&p.agenda_item_id)).collect())
    }

    /// The meeting calendar: a body's meetings (every body's with `None`), in date
    /// order. Dates, times and venues are public from the day a meeting is arranged.
    pub async fn meetings(&self, body_id: Option<i64>) -> Result<Vec<Meeting>> {
        self.store.meetings().list(body_id).await
    }

    /// One meeting with what has been published of it.
    pub async fn meeting(&self, id: i64) -> Result<PublicMeeting> {
        let s = self.store.meetings();
        let meeting = s.meeting(id).await?;
        let moves = s.moves(id).await?;
        let (agenda, papers) = if meeting.status.agenda_closed() {
            let agenda = s.agenda(id).await?;
            let open: Vec<i64> = agenda.iter().filter(|i| i.exempt_paragraph.is_none()).map(|i| i.id).collect();
            let papers = s.papers(id).await?.into_iter().filter(|p| open.contains(&p.agenda_item_id)).collect();
            (agenda, papers)
        } else {
            (Vec::new(), Vec::new())
        };
        let minutes_approved = meeting.status == MeetingStatus::MinutesApproved;
        let (attendance, declarations, minutes) = if minutes_approved {
            let all = if agenda.is_empty() { s.agenda(id).await? } else { agenda.clone() };
            let exempt = |m: &Minute| m.agenda_item_id.and_then(|a| all.iter().find(|i| i.id == a)).and_then(|i| i.exempt_paragraph);
            let minutes = s
                .minutes(id)
                .await?
                .into_iter()
                .map(|m| {
                    let exempt_paragraph = exempt(&m);
                    let minute = if exempt_paragraph.is_some() { Minute { text: String::new(), parts: Vec::new(), ..m } } else { m };
                    PublicMinute { minute, exempt_paragraph }
                })
                .collect();
            (s.attendance(id).await?, s.declarations(id).await?, minutes)
        } else {
            (Vec::new(), Vec::new(), Vec::new())
        };
        Ok(PublicMeeting { meeting, moves, agenda, papers, minutes_approved, attendance, declarations, minutes })
    }

    /// The public agenda pack (no exempt paper), once the agenda is published.
    pub async fn agenda_pack(&self, meeting_id: i64) -> Result<AgendaPack> {
        let m = self.store.meetings().meeting(meeting_id).await?;
        if !m.status.agenda_closed() {
            return Err(StoreError::NotFound);
        }
        self.store.meetings().agenda_pack(meeting_id, true, self.today()).await
    }

    /// An uploaded paper as uploaded: an open item's, on a published agenda.
    pub async fn paper_file(&self, item_id: i64) -> Result<(String, String, Vec<u8>)> {
        let (m, item) = self.store.meetings().agenda_item(item_id).await?;
        if !m.status.agenda_closed() || item.exempt_paragraph.is_some() {
            return Err(StoreError::NotFound);
        }
        self.store.meetings().paper_file(item_id).await
    }

    /// A body's work programme for a municipal year.
    pub async fn work_programme(&self, body_id: i64, year: MunicipalYear) -> Result<WorkProgramme> {
        self.store.meetings().work_programme(body_id, year).await
    }

    /// The forward plans published, newest first.
    pub async fn forward_plans(&self) -> Result<Vec<Publication>> {
        let mut all = self.store.forward_plan().publications().await?;
        all.sort_by(|a, b| b.published_on.cmp(&a.published_on).then(b.id.cmp(&a.id)));
        Ok(all)
    }

    /// A published forward plan, and the one before it with what changed.
    pub async fn forward_plan(&self, id: i64) -> Result<(Publication, Option<(Publication, assure_domain::forward_plan::PlanDiff)>)> {
        self.store.forward_plan().publication(id).await
    }

    /// Search what is published (agenda items and their papers, approved minutes, the
    /// forward plan, issued reports), best first, a page at a time, with the total.
    pub async fn search(&self, text: &str, page: i64) -> Result<(Vec<crate::published_index::Found>, i64)> {
        self.store.search_published(text, page).await
    }

    /// The issued monitoring reports, newest meeting first (never a draft).
    pub async fn reports(&self) -> Result<Vec<ReportRecord>> {
        Ok(self.store.reports().list(None).await?.into_iter().filter(|r| r.is_issued()).collect())
    }

    /// An issued report as issued: its frozen snapshot. A draft is not found.
    pub async fn report(&self, id: i64) -> Result<(ReportRecord, MonitoringReport)> {
        let r = self.store.reports().get(id).await?;
        if !r.is_issued() {
            return Err(StoreError::NotFound);
        }
        let report = self.store.reports().monitoring_report(id, self.today()).await?;
        Ok((r, report))
    }
}

#[cfg(test)]
mod tests {
    use super::REACHES;

    /// Every use of the store in this module goes through a handle in [`REACHES`]: a new
    /// method that reached, say, `children()` or ran its own SQL fails here.
    #[test]
    fn the_public_store_reaches_only_published_records() {
        let source = include_str!("public.rs");
        let code = source.split("#[cfg(test)]").next().unwrap();
        let mut uses = 0;
        for (at, _) in code.match_indices("self.store.") {
            let rest = &code[at + "self.store.".len()..];
            assert!(REACHES.iter().any(|r| rest.starts_with(r)), "the public store reaches {}", rest.lines().next().unwrap_or(""));
            uses += 1;
        }
        assert!(uses > 10, "the uses were found ({uses})");
        for forbidden in ["s.q(", ".q(\"", "pool()", "children", "referral", "missing", "placement"] {
            assert!(!code.contains(forbidden), "the public store must not use {forbidden}");
        }
    }
}
