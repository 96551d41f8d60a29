//! Importing from ModernGov (issue 19): a checked [`Plan`] written as bodies, people,
//! meetings, agenda items, attendance, minutes and their resolutions in **one**
//! transaction, with one audit entry per meeting and one for the import. What the
//! database already holds is checked first (a body meeting twice on a day, a minute
//! number the body already used that year, a meeting whose committee is unknown); any
//! such problem refuses the whole import with a report, and nothing is written.
//!
//! Importing the same files again adds nothing twice: each imported committee,
//! meeting and person is remembered (`imported_records`), so a committee is found
//! again (or matched to a body of the same name the first time), and a meeting
//! imported before is left as it is. A dry run takes exactly the same path and rolls
//! the transaction back.

use std::collections::{BTreeMap, HashMap, HashSet};

use assure_domain::dates::long;
use assure_domain::meetings::{minutes_fingerprint, MeetingStatus, MeetingType, MunicipalYear};
use assure_domain::moderngov::{Plan, Problem};
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::Event;
use crate::meetings::{Meeting, Meetings, Minute, Part};
use crate::{date_str, Actor, Result, RowExt, Store};

const SOURCE: &str = "moderngov";

/// Importing from ModernGov.
#[derive(Clone, Copy)]
pub struct ModernGov<'s> {
    store: &'s Store,
}

impl Store {
    pub fn moderngov(&self) -> ModernGov<'_> {
        ModernGov { store: self }
    }
}

/// One meeting as imported.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedMeeting {
    /// The meeting here (0 in a dry run's report, which wrote nothing).
    pub id: i64,
    pub ext_id: String,
    pub title: String,
    pub status: MeetingStatus,
    pub items: usize,
    pub minutes: usize,
    pub decisions: usize,
    pub attendance: usize,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Outcome {
    /// Bodies added for committees Assure did not have.
    pub bodies_added: Vec<String>,
    /// Committees matched to bodies Assure already had (by an earlier import, or by
    /// name).
    pub bodies_found: Vec<String>,
    pub meetings: Vec<ImportedMeeting>,
    /// Meetings imported before, left as they are.
    pub already_imported: Vec<String>,
    pub people_added: usize,
    /// Whether it was written (false for a dry run).
    pub committed: bool,
}

/// Where a committee goes.
#[derive(Clone)]
enum Target {
    Existing { id: i64, name: String },
    New { index: usize },
}

impl ModernGov<'_> {
    async fn refs(&self, kind: &str) -> Result<HashMap<String, i64>> {
        let rows = self
            .store
            .q("SELECT external_id, local_id FROM imported_records WHERE source = $1 AND kind = $2")
            .bind(SOURCE)
            .bind(kind.to_string())
            .fetch_all(self.store.pool())
            .await?;
        rows.iter().map(|r| Ok((r.s("external_id")?, r.i("local_id")?))).collect()
    }

    /// Check the plan against what is held and write it (or, with `commit` false, show
    /// what would be written). `Ok(Err(problems))`: refused, nothing written.
    pub async fn import(&self, actor: &Actor, plan: &Plan, commit: bool) -> Result<std::result::Result<Outcome, Vec<Problem>>> {
        let store = self.store;
        let (committee_refs, meeting_refs, person_refs) = (self.refs("committee").await?, self.refs("meeting").await?, self.refs("person").await?);
        let bodies = store.tracker().bodies().await?;
        let mut problems = Vec::new();
        let mut outcome = Outcome { committed: commit, ..Outcome::default() };

        // Committees: found again, matched by name, or new.
        let mut targets: HashMap<&str, Target> = HashMap::new();
        let mut new_bodies = Vec::new();
        let mut link_found: Vec<(String, i64)> = Vec::new();
        for c in &plan.committees {
            let by_ref = committee_refs.get(&c.ext_id).and_then(|id| bodies.iter().find(|b| b.id == *id));
            let by_name = bodies.iter().find(|b| b.name.to_lowercase() == c.title.to_lowercase());
            let target = match (by_ref, by_name) {
                (Some(b), _) => Target::Existing { id: b.id, name: b.name.clone() },
                (None, Some(b)) => {
                    link_found.push((c.ext_id.clone(), b.id));
                    Target::Existing { id: b.id, name: b.name.clone() }
                }
                (None, None) => {
                    if let Some(first) =
                        new_bodies.iter().find(|n: &&&assure_domain::moderngov::Committee| n.title.to_lowercase() == c.title.to_lowercase())
                    {
                        problems.push(Problem::new(
                            &c.place,
                            &format!("Committee {}", c.ext_id),
                            format!("its title “{}” is also committee {}'s: Assure's bodies have different names", c.title, first.ext_id),
                        ));
                        continue;
                    }
                    new_bodies.push(c);
                    Target::New { index: new_bodies.len() - 1 }
                }
            };
            if let Target::Existing { name, .. } = &target {
                outcome.bodies_found.push(name.clone());
            }
            targets.insert(c.ext_id.as_str(), target);
        }
        outcome.bodies_added = new_bodies.iter().map(|c| c.title.clone()).collect();
        // Meetings of a committee an earlier import brought in, which these files do not list.
        for m in &plan.meetings {
            if !targets.contains_key(m.committee_ext_id.as_str()) {
                if let Some(b) = committee_refs.get(&m.committee_ext_id).and_then(|id| bodies.iter().find(|b| b.id == *id)) {
                    targets.insert(m.committee_ext_id.as_str(), Target::Existing { id: b.id, name: b.name.clone() });
                }
            }
        }

        // Meetings: what the bodies already hold.
        let mut taken: HashMap<i64, HashSet<NaiveDate>> = HashMap::new();
        let mut numbers: HashMap<(i64, i32), HashSet<i64>> = HashMap::new();
        for t in targets.values() {
            let Target::Existing { id, .. } = t else { continue };
            if taken.contains_key(id) {
                continue;
            }
            let rows = store
                .q("SELECT meeting_date FROM meetings WHERE body_id = $1 AND status <> $2")
                .bind(*id)
                .bind(MeetingStatus::Cancelled.slug())
                .fetch_all(store.pool())
                .await?;
            taken.insert(*id, rows.iter().map(|r| r.d("meeting_date")).collect::<Result<_>>()?);
            let rows = store.q("SELECT municipal_year, number FROM minutes WHERE body_id = $1").bind(*id).fetch_all(store.pool()).await?;
            for r in &rows {
                numbers.entry((*id, r.i("municipal_year")? as i32)).or_default().insert(r.i("number")?);
            }
        }
        // A body's key in the numbering: its id, or minus one less its place among the new.
        let key = |t: &Target| match t {
            Target::Existing { id, .. } => *id,
            Target::New { index } => -1 - *index as i64,
        };
        let mut to_import = Vec::new();
        for m in &plan.meetings {
            if meeting_refs.contains_key(&m.ext_id) {
                outcome.already_imported.push(m.label());
                continue;
            }
            let Some(target) = targets.get(m.committee_ext_id.as_str()) else {
                problems.push(Problem::new(
                    &m.place,
                    &m.label(),
                    format!(
                        "its committee {} is in no committees file and was not imported before: include the GetCommittees answer (or the GetMeetings list, which names it)",
                        m.committee_ext_id
                    ),
                ));
                continue;
            };
            if let Target::Existing { id, name } = target {
                if m.status != MeetingStatus::Cancelled && taken.get(id).is_some_and(|t| t.contains(&m.date)) {
                    problems.push(Problem::new(
                        &m.place,
                        &m.label(),
                        format!("{name} already has a meeting on {}: a body meets at most once a day", long(m.date)),
                    ));
                    continue;
                }
            }
            let year = MunicipalYear::of(m.date).0;
            let used = numbers.entry((key(target), year)).or_default();
            for n in m.items.iter().filter_map(|i| i.minute.as_ref().and_then(|x| x.number)) {
                if !used.insert(n) {
                    problems.push(Problem::new(
                        &m.place,
                        &m.label(),
                        format!(
                            "Minute {n} of {} is already used in the municipal year {}",
                            body_label(target, &new_bodies),
                            MunicipalYear(year).label()
                        ),
                    ));
                }
            }
            to_import.push((m, target.clone()));
        }
        if !problems.is_empty() {
            problems.sort_by(|a, b| (&a.place.file, a.place.line).cmp(&(&b.place.file, b.place.line)));
            return Ok(Err(problems));
        }

        // Minutes without a number of their own follow the largest the body's year has.
        let mut next: BTreeMap<(i64, i32), i64> = numbers.iter().map(|(k, v)| (*k, v.iter().max().copied().unwrap_or(0) + 1)).collect();

        let now = store.now();
        let mut tx = store.write().await?;
        let mut new_ids = Vec::new();
        for c in &new_bodies {
            let id = store
                .q("INSERT INTO bodies (name, kind) VALUES ($1,$2) RETURNING id")
                .bind(c.title.clone())
                .bind(c.kind.slug())
                .fetch_one(tx.conn())
                .await?
                .i("id")?;
            remember(&mut tx, "committee", &c.ext_id, id, &now).await?;
            tx.audit(actor, Event::new("body.create", "body", id, format!("added {} from ModernGov (committee {})", c.title, c.ext_id))).await?;
            new_ids.push(id);
        }
        for (ext, id) in &link_found {
            remember(&mut tx, "committee", ext, *id, &now).await?;
        }
        let mut people: HashMap<String, i64> = person_refs;
        for (m, target) in &to_import {
            let (body_id, body_name) = match target {
                Target::Existing { id, name } => (*id, name.clone()),
                Target::New { index } => (new_ids[*index], new_bodies[*index].title.clone()),
            };
            let year = MunicipalYear::of(m.date);
            let id = store
                .q("INSERT INTO meetings (body_id, meeting_date, start_time, venue, kind, status, municipal_year, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
                .bind(body_id)
                .bind(date_str(m.date))
                .bind(m.time.format("%H:%M").to_string())
                .bind(m.venue.clone())
                .bind(MeetingType::Ordinary.slug())
                .bind(m.status.slug())
                .bind(i64::from(year.0))
                .bind(now.clone())
                .fetch_one(tx.conn())
                .await?
                .i("id")?;
            remember(&mut tx, "meeting", &m.ext_id, id, &now).await?;
            let mut minutes: Vec<Minute> = Vec::new();
            for (position, item) in m.items.iter().enumerate() {
                let item_id = store
                    .q("INSERT INTO agenda_items (meeting_id, position, kind, title, exempt_paragraph) VALUES ($1,$2,$3,$4,$5) RETURNING id")
                    .bind(id)
                    .bind(position as i64 + 1)
                    .bind(item.kind.slug())
                    .bind(item.title.clone())
                    .bind(item.exempt_paragraph.map(i64::from))
                    .fetch_one(tx.conn())
                    .await?
                    .i("id")?;
                let Some(minute) = &item.minute else { continue };
                let number = match minute.number {
                    Some(n) => n,
                    None => {
                        // Above every number the body's year holds or the files give.
                        let n = next.entry((key(target), year.0)).or_insert(1);
                        *n += 1;
                        *n - 1
                    }
                };
                let minute_id = store
                    .q("INSERT INTO minutes (meeting_id, body_id, municipal_year, number, agenda_item_id, title, text) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
                    .bind(id)
                    .bind(body_id)
                    .bind(i64::from(year.0))
                    .bind(number)
                    .bind(item_id)
                    .bind(item.title.clone())
                    .bind(minute.text.clone())
                    .fetch_one(tx.conn())
                    .await?
                    .i("id")?;
                let mut parts = Vec::new();
                for (p, part) in minute.resolution.iter().enumerate() {
                    store
                        .q("INSERT INTO resolution_parts (minute_id, position, kind, text) VALUES ($1,$2,$3,$4)")
                        .bind(minute_id)
                        .bind(p as i64 + 1)
                        .bind(part.kind().slug())
                        .bind(part.text().to_string())
                        .execute(tx.conn())
                        .await?;
                    parts.push(Part {
                        id: 0,
                        kind: part.kind(),
                        text: part.text().to_string(),
                        to_body: None,
                        reason: None,
                        request_id: None,
                        review: None,
                    });
                }
                minutes.push(Minute {
                    id: minute_id,
                    meeting_id: id,
                    number,
                    title: item.title.clone(),
                    text: minute.text.clone(),
                    agenda_item_id: Some(item_id),
                    refers_to: None,
                    parts,
                    version: 1,
                });
            }
            for a in &m.attendees {
                let person = match &a.ext_id {
                    Some(ext) => match people.get(ext) {
                        Some(p) => Some(*p),
                        None => {
                            let p = store
                                .q("INSERT INTO meeting_people (name, party, created_at) VALUES ($1,'',$2) RETURNING id")
                                .bind(a.name.clone())
                                .bind(now.clone())
                                .fetch_one(tx.conn())
                                .await?
                                .i("id")?;
                            remember(&mut tx, "person", ext, p, &now).await?;
                            people.insert(ext.clone(), p);
                            outcome.people_added += 1;
                            Some(p)
                        }
                    },
                    None => None,
                };
                store
                    .q("INSERT INTO meeting_attendance (meeting_id, person_id, name, attendance, capacity) VALUES ($1,$2,$3,$4,$5)")
                    .bind(id)
                    .bind(person)
                    .bind(a.name.clone())
                    .bind(a.attendance.slug())
                    .bind(a.capacity.clone())
                    .execute(tx.conn())
                    .await?;
            }
            let meeting = Meeting {
                id,
                body_id,
                body_name,
                date: m.date,
                time: m.time.format("%H:%M").to_string(),
                venue: m.venue.clone(),
                kind: MeetingType::Ordinary,
                joint_with: None,
                status: m.status,
                year,
                minutes_fingerprint: None,
                version: 1,
            };
            if m.status == MeetingStatus::MinutesApproved {
                minutes.sort_by_key(|x| x.number);
                let fp = minutes_fingerprint(&Meetings::minutes_text(&meeting, &minutes));
                store
                    .q("UPDATE meetings SET minutes_fingerprint = $1, minutes_approved_at = $2 WHERE id = $3")
                    .bind(fp)
                    .bind(now.clone())
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
            }
            if m.status.agenda_closed() {
                tx.index_meeting(id).await?;
            }
            tx.audit(
                actor,
                Event::new("meeting.import", "meeting", id, format!("imported {} from ModernGov (meeting {})", meeting.title(), m.ext_id)),
            )
            .await?;
            outcome.meetings.push(ImportedMeeting {
                id: if commit { id } else { 0 },
                ext_id: m.ext_id.clone(),
                title: meeting.title(),
                status: m.status,
                items: m.items.len(),
                minutes: minutes.len(),
                decisions: minutes.iter().map(|x| x.parts.len()).sum(),
                attendance: m.attendees.len(),
            });
        }
        tx.audit(
            actor,
            Event::new(
                "moderngov.import",
                "import",
                "moderngov",
                format!(
                    "imported from ModernGov: {} bodies added, {} meetings ({} imported before and left as they were)",
                    outcome.bodies_added.len(),
                    outcome.meetings.len(),
                    outcome.already_imported.len()
                ),
            ),
        )
        .await?;
        if commit {
            tx.commit().await?;
        } else {
            // A dry run: everything above is rolled back.
            drop(tx);
            for m in &mut outcome.meetings {
                m.id = 0;
            }
        }
        Ok(Ok(outcome))
    }
}

fn body_label(t: &Target, new_bodies: &[&assure_domain::moderngov::Committee]) -> String {
    match t {
        Target::Existing { name, .. } => name.clone(),
        Target::New { index } => new_bodies[*index].title.clone(),
    }
}

async fn remember(tx: &mut crate::WriteTx<'_>, kind: &str, ext: &str, local: i64, now: &str) -> Result<()> {
    let store = tx.store;
    store
        .q("INSERT INTO imported_records (source, kind, external_id, local_id, imported_at) VALUES ($1,$2,$3,$4,$5)")
        .bind(SOURCE)
        .bind(kind.to_string())
        .bind(ext.to_string())
        .bind(local)
        .bind(now.to_string())
        .execute(tx.conn())
        .await?;
    Ok(())
}
