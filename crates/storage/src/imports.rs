//! Importing an existing tracker (all rows or none), the saved column mappings
//! (presets) and staged uploads between preview and commit, and the register as
//! exported — the same [`RegisterEntry`] both ways, so a round trip can be checked
//! (`store.imports()`).

use std::collections::HashMap;

use assure_domain::import::StagedFile;
use assure_domain::import::{
    entry_changes, format_lead, register_preset, split_name_title, CellError, EntryChanges, ImportField, ImportPlan, ImportedAction, ImportedLead,
    ImportedUpdate, Preset, RegisterEntry, Table,
};
use assure_domain::tracker::{free_reference, ExecutiveResponse, Lifecycle, REASON_NOT_RECORDED};
use assure_domain::{Checked, Invalid};
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::Event;
use crate::keyset::{KeyPart, Keyset, PageRequest};
use crate::sql::Sql;
use crate::tracker::{rec, Action, ProgressUpdate, RecFilter, Recommendation, REC_SELECT};
use crate::{date_str, to_json, Actor, Result, RowExt, Store, StoreError, WriteTx, IN_LIST_CHUNK};

/// Imports into the tracker and the register exported from it.
#[derive(Clone, Copy)]
pub struct Imports<'s> {
    store: &'s Store,
}

impl Store {
    pub fn imports(&self) -> Imports<'_> {
        Imports { store: self }
    }
}

/// An uploaded file read into cells, kept between the mapping, preview and commit steps.
#[derive(Debug, Clone, Serialize)]
pub struct ImportBatch {
    pub id: i64,
    pub file_name: String,
    pub table: Table,
    pub status: String,
    pub row_count: i64,
    pub created_at: String,
    pub committed_count: Option<i64>,
    pub review_id: Option<i64>,
}

/// What a committed import created.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportOutcome {
    pub recommendations: usize,
    pub actions: usize,
    pub updates: usize,
    /// Lead officers matched to an account by name.
    pub leads_linked: usize,
    /// Lead officers kept as the text the tracker gave.
    pub leads_as_text: usize,
    /// Recommendations already in the register updated in place.
    pub updated: usize,
    /// Rows matching a recommendation already in the register that change nothing.
    pub unchanged: usize,
}

/// Lead officers matched to an active account by name, and the rest as written.
fn split_leads(leads: &[ImportedLead], users: &HashMap<String, i64>) -> (Vec<i64>, Vec<String>) {
    let mut linked = Vec::new();
    let mut text = Vec::new();
    for l in leads {
        match users.get(&l.name.trim().to_lowercase()) {
            Some(id) if !l.name.trim().is_empty() => linked.push(*id),
            _ => text.push(format_lead(l)),
        }
    }
    (linked, text)
}

/// The refusal when a recommendation to update changed after the preview.
fn changed_since(u: Option<&InPlace>) -> CellError {
    match u {
        Some(u) => CellError {
            row: u.row,
            column: String::new(),
            message: format!(
                "Row {}: {} was changed by someone else after the preview, so nothing has been imported. Check the import again to see the changes as they are now",
                u.row, u.holder.name
            ),
        },
        None => CellError {
            row: 0,
            column: String::new(),
            message: "Recommendations to be updated were changed by someone else after the preview, so nothing has been imported. Check the import again to see the changes as they are now".into(),
        },
    }
}

/// Choices for committing an import beyond the plan itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitOptions {
    /// Where the tracker gave no RAG, let Assure's rule-based suggestion stand in
    /// (always shown marked as a suggestion); otherwise such a row is "Not rated".
    pub suggest_rag: bool,
    /// What to do with rows whose reference is already held in the register.
    pub on_existing: OnExisting,
    /// When updating in place: each recommendation to be updated with the version the
    /// preview showed (id, version). The import is refused if the recommendations to
    /// update, or any of their versions, differ: someone changed them since. Empty:
    /// the versions as read when committing.
    pub expected: Vec<(i64, i64)>,
}

/// What an import does with rows whose reference a recommendation elsewhere in the
/// register already holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum OnExisting {
    /// Refuse the file, naming every holder (the user has not chosen).
    #[default]
    Refuse,
    /// Update those recommendations in place, matched by reference.
    Update,
    /// Import them as new recommendations with fresh references.
    AsNew,
}

impl OnExisting {
    /// "update" or "new" (as forms and the API send them); anything else: not chosen.
    pub fn from_slug(s: &str) -> OnExisting {
        match s.trim() {
            "update" => OnExisting::Update,
            "new" => OnExisting::AsNew,
            _ => OnExisting::Refuse,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            OnExisting::Refuse => "",
            OnExisting::Update => "update",
            OnExisting::AsNew => "new",
        }
    }
}

/// A recommendation holding a reference: named as messages name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    pub id: i64,
    pub version: i64,
    pub review_id: i64,
    /// "recommendation (1) of “Review title”".
    pub name: String,
}

/// A row of the file that would update a recommendation in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InPlace {
    /// The spreadsheet row.
    pub row: usize,
    /// The entry's place in the plan.
    pub index: usize,
    pub reference: String,
    pub holder: Holder,
    pub changes: EntryChanges,
}

impl Imports<'_> {
    // ------------------------------------------------------------ presets

    /// The built-in register preset first, then the council's saved ones by name.
    pub async fn presets(&self) -> Result<Vec<Preset>> {
        let mut out = vec![register_preset()];
        for r in self.store.q("SELECT preset FROM import_presets ORDER BY name").fetch_all(self.store.pool()).await? {
            out.push(serde_json::from_str(&r.s("preset")?).map_err(|e| StoreError::Corrupt(format!("import preset: {e}")))?);
        }
        Ok(out)
    }

    pub async fn preset(&self, name: &str) -> Result<Preset> {
        self.presets().await?.into_iter().find(|p| p.name.eq_ignore_ascii_case(name.trim())).ok_or(StoreError::NotFound)
    }

    /// Save (or replace) a named mapping ([`check_preset`](assure_domain::import::check_preset)
    /// keeps the built-in preset's name for it alone).
    pub async fn save_preset(&self, actor: &Actor, p: &Checked<Preset>) -> Result<()> {
        let mut tx = self.store.write().await?;
        self.store.q("DELETE FROM import_presets WHERE LOWER(name) = $1").bind(p.name.to_lowercase()).execute(tx.conn()).await?;
        self.store
            .q("INSERT INTO import_presets (name, preset, created_by, updated_at) VALUES ($1,$2,$3,$4)")
            .bind(p.name.clone())
            .bind(to_json(&**p)?)
            .bind(actor.user_id)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?;
        tx.audit(actor, Event::new("import.preset", "import-preset", &p.name, "column mapping saved")).await?;
        tx.commit().await
    }

    // ------------------------------------------------------------ staged uploads

    /// Keep an uploaded file, read into cells, until its import is previewed and committed.
    pub async fn stage(&self, actor: &Actor, file: &Checked<StagedFile>) -> Result<i64> {
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO import_batches (file_name, sheet, row_count, created_by, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(file.file_name.clone())
            .bind(to_json(&file.table)?)
            .bind(file.table.len() as i64)
            .bind(actor.user_id)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("import.upload", "import", id, format!("{} rows uploaded", file.table.len()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn batch(&self, id: i64) -> Result<ImportBatch> {
        let r = self
            .store
            .q("SELECT id, file_name, sheet, status, row_count, created_at, committed_count, review_id FROM import_batches WHERE id = $1")
            .bind(id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(ImportBatch {
            id: r.i("id")?,
            file_name: r.s("file_name")?,
            table: serde_json::from_str(&r.s("sheet")?).map_err(|e| StoreError::Corrupt(format!("staged import: {e}")))?,
            status: r.s("status")?,
            row_count: r.i("row_count")?,
            created_at: r.s("created_at")?,
            committed_count: r.oi("committed_count")?,
            review_id: r.oi("review_id")?,
        })
    }

    // ------------------------------------------------------------ checking and committing

    /// Problems the file cannot see: references or numbers the register already uses.
    pub async fn conflicts(&self, review_id: i64, plan: &ImportPlan) -> Result<Vec<CellError>> {
        self.conflicts_with(review_id, plan, OnExisting::Refuse).await
    }

    /// Every recommendation holding each of the file's references, in the register's
    /// order (by review title, review and number).
    pub async fn holders(&self, plan: &ImportPlan) -> Result<HashMap<String, Vec<Holder>>> {
        let refs: Vec<&str> = plan.entries.iter().map(|e| e.reference.trim()).filter(|r| !r.is_empty()).collect();
        let mut used: HashMap<String, Vec<Holder>> = HashMap::new();
        for chunk in refs.chunks(IN_LIST_CHUNK) {
            let mut sql = Sql::new(
                "SELECT r.id, r.version, r.review_id, r.reference, r.number, r.sub_label, v.title FROM recommendations r JOIN reviews v ON v.id = r.review_id WHERE r.reference IN (",
            );
            sql.bind_list(chunk.iter().copied()).push(") ORDER BY v.title, r.review_id, r.number, r.sub_label");
            for row in sql.query(self.store).fetch_all(self.store.pool()).await? {
                let name = format!(
                    "recommendation {} of “{}”",
                    assure_domain::tracker::number_label(row.i("number")?, Some(&row.s("sub_label")?)),
                    row.s("title")?
                );
                let h = Holder { id: row.i("id")?, version: row.i("version")?, review_id: row.i("review_id")?, name };
                used.entry(row.s("reference")?).or_default().push(h);
            }
        }
        Ok(used)
    }

    /// [`Self::conflicts`] for a choice about references held elsewhere: refused (naming
    /// every holder), updated in place (a row whose reference is held is not checked
    /// against the review's numbers: it keeps its own), or imported as new (the
    /// reference is replaced by a fresh one; the number is still checked).
    pub async fn conflicts_with(&self, review_id: i64, plan: &ImportPlan, on_existing: OnExisting) -> Result<Vec<CellError>> {
        let mut errors = Vec::new();
        let existing =
            self.store.q("SELECT number, sub_label FROM recommendations WHERE review_id = $1").bind(review_id).fetch_all(self.store.pool()).await?;
        let mut numbers = std::collections::HashSet::new();
        for r in &existing {
            numbers.insert((r.i("number")?, r.s("sub_label")?));
        }
        let used = self.holders(plan).await?;
        for e in &plan.entries {
            let held = used.get(e.reference.trim());
            match (held, on_existing) {
                (Some(holders), OnExisting::Refuse) => {
                    let names: Vec<String> = holders.iter().map(|h| h.name.clone()).collect();
                    errors.push(CellError {
                        row: e.row,
                        column: "Reference".into(),
                        message: format!(
                            "Row {}, column “Reference”: “{}” is already used by {}",
                            e.row,
                            e.reference.trim(),
                            assure_domain::text::join_and(&names)
                        ),
                    });
                    continue;
                }
                (Some(_), OnExisting::Update) => continue,
                _ => {}
            }
            if numbers.contains(&(e.number, e.sub_label.clone())) {
                errors.push(CellError {
                    row: e.row,
                    column: String::new(),
                    message: format!(
                        "Row {}: this review already has a recommendation {}",
                        e.row,
                        assure_domain::tracker::number_label(e.number, Some(&e.sub_label))
                    ),
                });
            }
        }
        Ok(errors)
    }

    /// The rows whose reference a recommendation already holds, with what updating that
    /// recommendation in place would change (see [`entry_changes`]); or, for a reference
    /// more than one recommendation holds, a problem naming every holder.
    pub async fn in_place(&self, plan: &ImportPlan, today: NaiveDate) -> Result<std::result::Result<Vec<InPlace>, Vec<CellError>>> {
        let used = self.holders(plan).await?;
        let mut problems = Vec::new();
        let mut matched: Vec<(usize, Holder)> = Vec::new();
        for (i, e) in plan.entries.iter().enumerate() {
            match used.get(e.reference.trim()).map(Vec::as_slice) {
                Some([one]) => matched.push((i, one.clone())),
                Some(many) if many.len() > 1 => {
                    let names: Vec<String> = many.iter().map(|h| h.name.clone()).collect();
                    problems.push(CellError {
                        row: e.row,
                        column: "Reference".into(),
                        message: format!(
                            "Row {}, column “Reference”: “{}” is held by {}, so Assure cannot tell which to update. Give the row the reference of one of them only, or import the file as new with fresh references",
                            e.row,
                            e.reference.trim(),
                            assure_domain::text::join_and(&names)
                        ),
                    });
                }
                _ => {}
            }
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let ids: Vec<i64> = matched.iter().map(|(_, h)| h.id).collect();
        let mut current = self.entries_by_id(&ids, today).await?;
        let mut out = Vec::with_capacity(matched.len());
        for (i, holder) in matched {
            let e = &plan.entries[i];
            let Some(now) = current.remove(&holder.id) else { continue };
            out.push(InPlace {
                row: e.row,
                index: i,
                reference: e.reference.trim().to_string(),
                changes: entry_changes(&now, e, &plan.fields),
                holder,
            });
        }
        Ok(Ok(out))
    }

    /// Recommendations as the register exports them, by id.
    async fn entries_by_id(&self, ids: &[i64], today: NaiveDate) -> Result<HashMap<i64, RegisterEntry>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(IN_LIST_CHUNK) {
            let mut sql = Sql::new(REC_SELECT);
            sql.push(" WHERE r.id IN (").bind_list(chunk.iter().copied()).push(")");
            let mut recs: Vec<Recommendation> = sql.query(self.store).fetch_all(self.store.pool()).await?.iter().map(rec).collect::<Result<_>>()?;
            self.store.tracker().attach_leads(&mut recs).await?;
            let mut actions = self.store.tracker().actions_of(chunk).await?;
            let mut updates = self.store.tracker().updates_for(chunk).await?;
            for r in &recs {
                out.insert(r.id, entry(r, actions.remove(&r.id).unwrap_or_default(), updates.remove(&r.id).unwrap_or_default(), today));
            }
        }
        Ok(out)
    }

    /// Add every entry of the plan (as [`plan`](assure_domain::import::plan) checked it)
    /// to a review in one transaction — all or nothing. Returns the row-by-row problems
    /// instead when any entry cannot be added. A RAG the tracker gives is kept as the
    /// council's; where it gives none the row is "Not rated" (see [`Self::commit_with`]).
    pub async fn commit(
        &self,
        actor: &Actor,
        review_id: i64,
        plan: &Checked<ImportPlan>,
        today: NaiveDate,
        source: &str,
        batch: Option<i64>,
    ) -> Result<std::result::Result<ImportOutcome, Vec<CellError>>> {
        self.commit_with(actor, review_id, plan, today, source, batch, CommitOptions::default()).await
    }

    /// [`Self::commit`] with its choices. What the tracker does not record is kept as not
    /// recorded: an executive response it does not give is "Not recorded" (never
    /// overdue), and a paused, not feasible, superseded, signed-off or transferred status
    /// carries "Reason not recorded in the imported tracker".
    #[allow(clippy::too_many_arguments)]
    pub async fn commit_with(
        &self,
        actor: &Actor,
        review_id: i64,
        plan: &Checked<ImportPlan>,
        today: NaiveDate,
        source: &str,
        batch: Option<i64>,
        options: CommitOptions,
    ) -> Result<std::result::Result<ImportOutcome, Vec<CellError>>> {
        let review = match self.store.tracker().review(review_id).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => return Err(Invalid::single("review_id", "Choose the review the recommendations belong to").into()),
            Err(e) => return Err(e),
        };
        if plan.entries.is_empty() {
            return Ok(Err(vec![CellError { row: 0, column: String::new(), message: "The file has no recommendations to import".into() }]));
        }
        let conflicts = self.conflicts_with(review_id, plan, options.on_existing).await?;
        if !conflicts.is_empty() {
            return Ok(Err(conflicts));
        }
        // Updating in place: exactly the recommendations (and versions) the preview showed.
        let in_place = match options.on_existing {
            OnExisting::Update => match self.in_place(plan, today).await? {
                Ok(v) => v,
                Err(problems) => return Ok(Err(problems)),
            },
            _ => Vec::new(),
        };
        let mut in_place = in_place;
        if !options.expected.is_empty() {
            let expected: HashMap<i64, i64> = options.expected.iter().copied().collect();
            let mut want: Vec<i64> = expected.keys().copied().collect();
            want.sort_unstable();
            let mut have: Vec<i64> = in_place.iter().map(|u| u.holder.id).collect();
            have.sort_unstable();
            if want != have {
                return Ok(Err(vec![changed_since(None)]));
            }
            // Each is written only if it is still at the version the preview read.
            for u in &mut in_place {
                u.holder.version = expected[&u.holder.id];
            }
        }
        let updating: std::collections::HashSet<usize> = in_place.iter().map(|u| u.index).collect();
        // Importing as new: a reference held elsewhere is replaced by a fresh one.
        let fresh: std::collections::HashSet<String> =
            if options.on_existing == OnExisting::AsNew { self.holders(plan).await?.into_keys().collect() } else { Default::default() };
        let settings = self.store.settings().load().await?;
        let ref_date = review.report_date.or(review.end_date).or(review.start_date).unwrap_or(today);
        let users: HashMap<String, i64> =
            self.store.users().list().await?.into_iter().filter(|u| u.active).map(|u| (u.name.trim().to_lowercase(), u.id)).collect();
        let mut out = ImportOutcome::default();
        let mut tx = self.store.write().await?;
        // Numbered recommendations first, so sub-items can find their parent.
        let mut order: Vec<&RegisterEntry> = plan.entries.iter().enumerate().filter(|(i, _)| !updating.contains(i)).map(|(_, e)| e).collect();
        order.sort_by_key(|e| !e.sub_label.is_empty());
        // A council's own references are kept; generated ones take none that the register
        // or the file already holds, and a sub-item follows its parent's number.
        let mut held = self.store.tracker().held_references(&mut tx).await?;
        held.extend(plan.entries.iter().map(|e| e.reference.trim().to_string()).filter(|r| !r.is_empty()));
        let mut ref_numbers: HashMap<i64, i64> = HashMap::new();
        let mut parents: HashMap<i64, i64> = HashMap::new();
        for r in self
            .store
            .q("SELECT id, number FROM recommendations WHERE review_id = $1 AND sub_label = ''")
            .bind(review_id)
            .fetch_all(tx.conn())
            .await?
        {
            parents.insert(r.i("number")?, r.i("id")?);
        }
        for e in order {
            let reference = if e.reference.trim().is_empty() || fresh.contains(e.reference.trim()) {
                let from = ref_numbers.get(&e.number).copied().unwrap_or(e.number);
                let r = free_reference(&settings.reference_pattern, ref_date, from, Some(&e.sub_label), |x| held.contains(x));
                if e.sub_label.is_empty() {
                    if let Some(n) = assure_domain::tracker::reference_number(&settings.reference_pattern, ref_date, &r, from, held.len() + 1) {
                        ref_numbers.insert(e.number, n);
                    }
                }
                held.insert(r.clone());
                r
            } else {
                e.reference.trim().to_string()
            };
            let parent = if e.sub_label.is_empty() { None } else { parents.get(&e.number).copied() };
            let (mut linked, text) = split_leads(&e.leads, &users);
            let lifecycle = e.lifecycle.unwrap_or(if e.updates.is_empty() { Lifecycle::NotStarted } else { Lifecycle::InProgress });
            let reason =
                if lifecycle.needs_reason() || matches!(lifecycle, Lifecycle::SignedOff | Lifecycle::Transferred) { REASON_NOT_RECORDED } else { "" };
            let id = self.store
                .q("INSERT INTO recommendations (review_id, parent_id, number, sub_label, reference, committee_wording, executive_wording, who_must_act, area, outcome, response, lifecycle, lifecycle_reason, rag_override, rag_override_reason, rag_suggest, lead_officers_text, origin, executive_decision_date, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20) RETURNING id")
                .bind(review_id)
                .bind(parent)
                .bind(e.number)
                .bind(e.sub_label.clone())
                .bind(reference)
                .bind(e.committee_wording.clone())
                .bind(e.executive_wording.clone())
                .bind(e.who_must_act.clone())
                .bind(e.area.clone())
                .bind(e.outcome.clone())
                .bind(e.response.unwrap_or(ExecutiveResponse::NotRecorded).slug())
                .bind(lifecycle.slug())
                .bind(reason)
                .bind(e.rag.map(|r| r.slug()))
                .bind(if e.rag.is_some() { format!("As recorded in the imported tracker ({source})") } else { String::new() })
                .bind(i64::from(options.suggest_rag))
                .bind(text.join("\n"))
                .bind(e.origin.clone())
                .bind(e.executive_decision_date.map(date_str))
                .bind(self.store.now())
                .fetch_one(tx.conn())
                .await?
                .i("id")?;
            if e.sub_label.is_empty() {
                parents.insert(e.number, id);
            }
            linked.dedup();
            for uid in &linked {
                self.store
                    .q("INSERT INTO recommendation_leads (recommendation_id, user_id) VALUES ($1,$2)")
                    .bind(id)
                    .bind(*uid)
                    .execute(tx.conn())
                    .await?;
            }
            out.leads_linked += linked.len();
            out.leads_as_text += text.len();
            for a in &e.actions {
                self.import_action(&mut tx, actor, id, a, source).await?;
            }
            out.actions += e.actions.len();
            for u in &e.updates {
                self.store
                    .q("INSERT INTO progress_updates (recommendation_id, author_id, update_date, narrative, created_at) VALUES ($1,$2,$3,$4,$5)")
                    .bind(id)
                    .bind(actor.user_id)
                    .bind(date_str(u.date.unwrap_or(today)))
                    .bind(u.narrative.clone())
                    .bind(self.store.now())
                    .execute(tx.conn())
                    .await?;
            }
            out.updates += e.updates.len();
            self.store.tracker().refresh_rec(&mut tx, id).await?;
            out.recommendations += 1;
        }
        for u in &in_place {
            if u.changes.is_empty() {
                out.unchanged += 1;
                continue;
            }
            let e = &plan.entries[u.index];
            let id = u.holder.id;
            let n = self
                .store
                .q("UPDATE recommendations SET version = version + 1 WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(u.holder.version)
                .execute(tx.conn())
                .await?;
            if n.rows_affected() == 0 {
                // Dropped open: nothing of the import is kept.
                return Ok(Err(vec![changed_since(Some(u))]));
            }
            for c in &u.changes.fields {
                let (column, value): (&str, Option<String>) = match c.field {
                    ImportField::Recommendation => ("committee_wording", Some(e.committee_wording.clone())),
                    ImportField::ExecutiveWording => ("executive_wording", Some(e.executive_wording.clone())),
                    ImportField::WhoMustAct => ("who_must_act", Some(e.who_must_act.clone())),
                    ImportField::Area => ("area", Some(e.area.clone())),
                    ImportField::Outcome => ("outcome", Some(e.outcome.clone())),
                    ImportField::Origin => ("origin", Some(e.origin.clone())),
                    ImportField::DecisionDate => ("executive_decision_date", e.executive_decision_date.map(date_str)),
                    ImportField::Response => ("response", e.response.map(|r| r.slug().to_string())),
                    ImportField::Status => {
                        if let Some(l) = e.lifecycle {
                            let reason =
                                if l.needs_reason() || matches!(l, Lifecycle::SignedOff | Lifecycle::Transferred) { REASON_NOT_RECORDED } else { "" };
                            self.store
                                .q("UPDATE recommendations SET lifecycle_reason = $1 WHERE id = $2")
                                .bind(reason)
                                .bind(id)
                                .execute(tx.conn())
                                .await?;
                        }
                        ("lifecycle", e.lifecycle.map(|l| l.slug().to_string()))
                    }
                    ImportField::Rag => {
                        self.store
                            .q("UPDATE recommendations SET rag_override_reason = $1 WHERE id = $2")
                            .bind(format!("As recorded in the imported tracker ({source})"))
                            .bind(id)
                            .execute(tx.conn())
                            .await?;
                        ("rag_override", e.rag.map(|r| r.slug().to_string()))
                    }
                    ImportField::LeadOfficer => {
                        let (mut linked, text) = split_leads(&e.leads, &users);
                        linked.dedup();
                        self.store.q("DELETE FROM recommendation_leads WHERE recommendation_id = $1").bind(id).execute(tx.conn()).await?;
                        for uid in &linked {
                            self.store
                                .q("INSERT INTO recommendation_leads (recommendation_id, user_id) VALUES ($1,$2)")
                                .bind(id)
                                .bind(*uid)
                                .execute(tx.conn())
                                .await?;
                        }
                        ("lead_officers_text", Some(text.join("\n")))
                    }
                    _ => continue,
                };
                let Some(value) = value else { continue };
                self.store.q(&format!("UPDATE recommendations SET {column} = $1 WHERE id = $2")).bind(value).bind(id).execute(tx.conn()).await?;
            }
            for a in &u.changes.actions_added {
                self.import_action(&mut tx, actor, id, a, source).await?;
            }
            for up in &u.changes.updates_added {
                self.store
                    .q("INSERT INTO progress_updates (recommendation_id, author_id, update_date, narrative, created_at) VALUES ($1,$2,$3,$4,$5)")
                    .bind(id)
                    .bind(actor.user_id)
                    .bind(date_str(up.date.unwrap_or(today)))
                    .bind(up.narrative.clone())
                    .bind(self.store.now())
                    .execute(tx.conn())
                    .await?;
            }
            out.actions += u.changes.actions_added.len();
            out.updates += u.changes.updates_added.len();
            self.store.tracker().refresh_rec(&mut tx, id).await?;
            tx.audit(
                actor,
                Event::new(
                    "recommendation.import-update",
                    "recommendation",
                    id,
                    format!("{} updated in place from {source} (row {}): {}", u.reference, u.row, u.changes.summary()),
                ),
            )
            .await?;
            out.updated += 1;
        }
        if let Some(b) = batch {
            self.store
                .q("UPDATE import_batches SET status = 'committed', review_id = $1, committed_at = $2, committed_count = $3 WHERE id = $4")
                .bind(review_id)
                .bind(self.store.now())
                .bind(out.recommendations as i64)
                .bind(b)
                .execute(tx.conn())
                .await?;
        }
        tx.audit(
            actor,
            Event::new(
                "import.commit",
                "review",
                review_id,
                format!(
                    "{} recommendations, {} actions and {} updates imported from {source}; {} recommendations updated in place",
                    out.recommendations, out.actions, out.updates, out.updated
                ),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(out))
    }

    async fn import_action(&self, tx: &mut WriteTx<'_>, actor: &Actor, rec_id: i64, a: &ImportedAction, source: &str) -> Result<()> {
        let current = a.revisions.last().copied().or(a.target);
        let id = self
            .store
            .q("INSERT INTO actions (recommendation_id, text, owner, target_date, done, created_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
            .bind(rec_id)
            .bind(a.text.clone())
            .bind(a.owner.clone())
            .bind(current.map(date_str))
            .bind(a.done as i64)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        if let Some(first) = a.target {
            let mut old = first;
            for new in &a.revisions {
                self.store
                    .q("INSERT INTO action_date_revisions (action_id, old_date, new_date, reason, revised_by, revised_at) VALUES ($1,$2,$3,$4,$5,$6)")
                    .bind(id)
                    .bind(date_str(old))
                    .bind(date_str(*new))
                    .bind(format!("As recorded in the imported tracker ({source})"))
                    .bind(actor.user_id)
                    .bind(self.store.now())
                    .execute(tx.conn())
                    .await?;
                old = *new;
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------ export

    /// How many recommendations the register (or the part a filter selects) holds.
    pub async fn register_count(&self, f: &RecFilter) -> Result<i64> {
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM recommendations r");
        count.append(&f.where_clause(self.store.engine())?);
        count.query(self.store).fetch_one(self.store.pool()).await?.i("n")
    }

    /// The register (or the part a filter selects) as exported, in list order.
    pub async fn register_entries(&self, f: &RecFilter, today: NaiveDate) -> Result<Vec<RegisterEntry>> {
        let mut sql = Sql::new(REC_SELECT);
        sql.append(&f.where_clause(self.store.engine())?).push(" ORDER BY r.review_id, r.number, r.sub_label");
        let mut recs: Vec<Recommendation> = sql.query(self.store).fetch_all(self.store.pool()).await?.iter().map(rec).collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(recs.len());
        for chunk in recs.chunks_mut(IN_LIST_CHUNK) {
            self.store.tracker().attach_leads(chunk).await?;
            let ids: Vec<i64> = chunk.iter().map(|r| r.id).collect();
            let mut actions = self.store.tracker().actions_of(&ids).await?;
            let mut updates = self.store.tracker().updates_for(&ids).await?;
            for r in chunk.iter() {
                out.push(entry(r, actions.remove(&r.id).unwrap_or_default(), updates.remove(&r.id).unwrap_or_default(), today));
            }
        }
        Ok(out)
    }
}

impl<'s> Imports<'s> {
    /// The register (or the part a filter selects) a chunk at a time, in the export's
    /// order, for writing it out in constant memory: each [`RegisterChunks::next`]
    /// reads the next `chunk` recommendations from a key (keyset), with their leads,
    /// actions and updates, whatever the register's size.
    pub fn register_chunks(&self, f: &RecFilter, today: NaiveDate, chunk: i64) -> Result<RegisterChunks<'s>> {
        Ok(RegisterChunks {
            store: self.store,
            filter: f.where_clause(self.store.engine())?,
            today,
            req: PageRequest::first(chunk.clamp(1, 500)),
            done: false,
        })
    }
}

/// The register's order for export: by review, then number and sub-label (unique).
const REGISTER_ORDER: Keyset = Keyset { columns: &["r.review_id", "r.number", "r.sub_label"], descending: false };

/// The register read a chunk at a time ([`Imports::register_chunks`]).
pub struct RegisterChunks<'s> {
    store: &'s Store,
    filter: Sql,
    today: NaiveDate,
    req: PageRequest,
    done: bool,
}

impl RegisterChunks<'_> {
    /// The next chunk of entries, or `None` at the end.
    pub async fn next(&mut self) -> Result<Option<Vec<RegisterEntry>>> {
        if self.done {
            return Ok(None);
        }
        let mut sql = Sql::new(REC_SELECT);
        sql.append(&self.filter);
        REGISTER_ORDER.push_seek(&mut sql, &self.req);
        REGISTER_ORDER.push_order(&mut sql, &self.req);
        let rows = sql.query(self.store).fetch_all(self.store.pool()).await?;
        let key = |r: &sqlx::any::AnyRow| Ok(vec![KeyPart::Int(r.i("review_id")?), KeyPart::Int(r.i("number")?), KeyPart::Text(r.s("sub_label")?)]);
        let page = REGISTER_ORDER.page(&rows, &self.req, key, rec)?;
        drop(rows);
        match &page.next {
            Some(c) => self.req = PageRequest::from_link(Some(c), self.req.limit),
            None => self.done = true,
        }
        let mut recs = page.items;
        if recs.is_empty() {
            return Ok(None);
        }
        let tracker = self.store.tracker();
        tracker.attach_leads(&mut recs).await?;
        let ids: Vec<i64> = recs.iter().map(|r| r.id).collect();
        let mut actions = tracker.actions_of(&ids).await?;
        let mut updates = tracker.updates_for(&ids).await?;
        Ok(Some(
            recs.iter().map(|r| entry(r, actions.remove(&r.id).unwrap_or_default(), updates.remove(&r.id).unwrap_or_default(), self.today)).collect(),
        ))
    }
}

fn entry(r: &Recommendation, actions: Vec<Action>, updates: Vec<ProgressUpdate>, _today: NaiveDate) -> RegisterEntry {
    let mut leads: Vec<ImportedLead> = r.leads.iter().map(|l| ImportedLead { name: l.name.clone(), job_title: l.job_title.clone() }).collect();
    leads.extend(r.lead_officers_text.lines().map(str::trim).filter(|l| !l.is_empty()).map(split_name_title));
    let mut kept: Vec<ProgressUpdate> = updates.into_iter().filter(|u| u.corrected_by_id.is_none()).collect();
    kept.sort_by_key(|u| (u.update_date, u.id));
    let updates: Vec<ImportedUpdate> = kept.into_iter().map(|u| ImportedUpdate { date: Some(u.update_date), narrative: u.narrative }).collect();
    RegisterEntry {
        row: 0,
        reference: r.reference.clone(),
        number: r.number,
        sub_label: r.sub_label.clone(),
        committee_wording: r.committee_wording.clone(),
        executive_wording: r.executive_wording.clone(),
        who_must_act: r.who_must_act.clone(),
        area: r.area.clone(),
        outcome: r.outcome.clone(),
        leads,
        actions: actions
            .into_iter()
            .map(|a| ImportedAction {
                text: a.text.clone(),
                owner: a.owner.clone(),
                target: a.revisions.first().map(|x| x.old_date).or(a.target_date),
                revisions: a.revisions.iter().map(|x| x.new_date).collect(),
                done: a.done,
            })
            .collect(),
        response: Some(r.response),
        lifecycle: Some(r.lifecycle),
        // The rating given (the council's or an officer's), never Assure's suggestion: an
        // export imported again must not turn a suggestion into the council's rating.
        rag: r.rag_override,
        updates,
        origin: r.origin.clone(),
        executive_decision_date: r.executive_decision_date,
    }
}
