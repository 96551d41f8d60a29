//! The key-decision forward plan (issue 19): its items and every change of their
//! expected dates, the exceptions recorded for them, the decisions recorded as taken
//! (only under a rule that allows it: [`assure_domain::forward_plan::check_taken`]) and
//! the plans published, each frozen as published with a fingerprint. Nothing here
//! touches a child's record.
//!
//! Every write is checked by the domain, version-checked where it edits, and audited in
//! the same transaction.

use assure_domain::dates::long;
use assure_domain::forward_plan::{
    check_date_change, check_exception, check_item, check_taken, diff, mark_new, rule_for, DateChange, Exception, ItemDetails, ItemInput, ItemStatus,
    PlanDiff, PlanSnapshot, PublishedItem, TakenUnder,
};
use assure_domain::Invalid;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::{check_version, date_str, Actor, Result, RowExt, Store, StoreError};

/// The forward plan.
#[derive(Clone, Copy)]
pub struct ForwardPlan<'s> {
    store: &'s Store,
}

impl Store {
    pub fn forward_plan(&self) -> ForwardPlan<'_> {
        ForwardPlan { store: self }
    }
}

/// An item with where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub id: i64,
    pub details: ItemDetails,
    pub status: ItemStatus,
    /// The first published plan that had it planned: its 28 clear days start there.
    pub first_published: Option<NaiveDate>,
    pub exception: Option<Exception>,
    pub taken_on: Option<NaiveDate>,
    pub taken_under: Option<TakenUnder>,
    pub withdrawn_reason: Option<String>,
    /// Every change of the expected date, oldest first.
    pub date_changes: Vec<DateChange>,
    pub version: i64,
}

impl PlanItem {
    /// The rule its decision comes under and when it can first be taken, in words.
    pub fn rule(&self) -> String {
        match (&self.status, &self.taken_under) {
            (ItemStatus::Taken, Some(t)) => format!("Taken on {} under {}", self.taken_on.map(long).unwrap_or_default(), lower_first(&t.describe())),
            (ItemStatus::Withdrawn, _) => "Withdrawn".into(),
            _ => rule_for(self.details.key(), self.first_published, self.exception.as_ref()),
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A published plan, as frozen.
#[derive(Debug, Clone, Serialize)]
pub struct Publication {
    pub id: i64,
    pub published_on: NaiveDate,
    pub published_by: String,
    pub fingerprint: String,
    pub snapshot: PlanSnapshot,
    /// Whether the snapshot still matches its fingerprint.
    pub intact: bool,
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("forward plan: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("forward plan: {e}")))
}

const ITEM_SELECT: &str = "SELECT i.id, i.title, i.decision_maker, i.decision_maker_name, i.expected_date, i.financial, i.wards_effect, i.exempt_paragraph, \
     i.public_interest, i.wards, i.scrutiny_area, i.consultees, i.consultation_method, i.background_documents, i.contact_officer, i.status, \
     i.exception_json, i.taken_on, i.taken_under_json, i.withdrawn_reason, i.version, \
     (SELECT MIN(p.published_on) FROM forward_plan_publication_items pi JOIN forward_plan_publications p ON p.id = pi.publication_id WHERE pi.item_id = i.id) AS first_published \
     FROM forward_plan_items i";

fn item_row(r: &AnyRow) -> Result<PlanItem> {
    Ok(PlanItem {
        id: r.i("id")?,
        details: ItemDetails {
            title: r.s("title")?,
            decision_maker: r.e("decision_maker")?,
            decision_maker_name: r.s("decision_maker_name")?,
            expected: r.d("expected_date")?,
            financial: r.i("financial")? != 0,
            wards_effect: r.i("wards_effect")? != 0,
            exempt_paragraph: r.oi("exempt_paragraph")?.and_then(|p| u8::try_from(p).ok()),
            public_interest: r.s("public_interest")?,
            wards: r.s("wards")?,
            scrutiny_area: r.s("scrutiny_area")?,
            consultees: r.s("consultees")?,
            consultation_method: r.s("consultation_method")?,
            background_documents: r.s("background_documents")?,
            contact_officer: r.s("contact_officer")?,
        },
        status: r.e("status")?,
        first_published: r.od("first_published")?,
        exception: r.os("exception_json")?.as_deref().map(from_json).transpose()?,
        taken_on: r.od("taken_on")?,
        taken_under: r.os("taken_under_json")?.as_deref().map(from_json).transpose()?,
        withdrawn_reason: r.os("withdrawn_reason")?,
        date_changes: Vec::new(),
        version: r.i("version")?,
    })
}

impl ForwardPlan<'_> {
    /// Add an item (expected today or later).
    pub async fn create_item(&self, actor: &Actor, i: &ItemInput) -> Result<i64> {
        let c = check_item(i, self.store.today(), true)?;
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO forward_plan_items (title, decision_maker, decision_maker_name, expected_date, financial, wards_effect, exempt_paragraph, \
                public_interest, wards, scrutiny_area, consultees, consultation_method, background_documents, contact_officer, created_at) \
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id")
            .bind(c.title.clone())
            .bind(c.decision_maker.slug())
            .bind(c.decision_maker_name.clone())
            .bind(date_str(c.expected))
            .bind(i64::from(c.financial))
            .bind(i64::from(c.wards_effect))
            .bind(c.exempt_paragraph.map(i64::from))
            .bind(c.public_interest.clone())
            .bind(c.wards.clone())
            .bind(c.scrutiny_area.clone())
            .bind(c.consultees.clone())
            .bind(c.consultation_method.clone())
            .bind(c.background_documents.clone())
            .bind(c.contact_officer.clone())
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("forward-plan.create", "forward_plan_item", id, format!("added a decision expected {}", long(c.expected))))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One item, with its date changes.
    pub async fn item(&self, id: i64) -> Result<PlanItem> {
        let sql = format!("{ITEM_SELECT} WHERE i.id = $1");
        let mut item = item_row(&self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.ok_or(StoreError::NotFound)?)?;
        item.date_changes = self.date_changes(Some(id)).await?.into_iter().map(|(_, c)| c).collect();
        Ok(item)
    }

    /// The changes of one item's expected date (every item's with `None`), oldest first.
    async fn date_changes(&self, item: Option<i64>) -> Result<Vec<(i64, DateChange)>> {
        let sql = "SELECT item_id, changed_on, from_date, to_date, reason FROM forward_plan_date_changes";
        let rows = match item {
            Some(id) => self.store.q(&format!("{sql} WHERE item_id = $1 ORDER BY id")).bind(id).fetch_all(self.store.pool()).await?,
            None => self.store.q(&format!("{sql} ORDER BY id")).fetch_all(self.store.pool()).await?,
        };
        rows.iter()
            .map(|r| {
                Ok((r.i("item_id")?, DateChange { on: r.d("changed_on")?, from: r.d("from_date")?, to: r.d("to_date")?, reason: r.s("reason")? }))
            })
            .collect()
    }

    /// The items planned (or, with `all`, every item), by expected date.
    pub async fn items(&self, all: bool) -> Result<Vec<PlanItem>> {
        let sql = if all {
            format!("{ITEM_SELECT} ORDER BY i.expected_date, i.id")
        } else {
            format!("{ITEM_SELECT} WHERE i.status = 'open' ORDER BY i.expected_date, i.id")
        };
        let rows = self.store.q(&sql).fetch_all(self.store.pool()).await?;
        rows.iter().map(item_row).collect()
    }

    /// Move an open item's expected date, keeping the old one and the reason.
    pub async fn change_date(&self, actor: &Actor, id: i64, version: i64, to: Option<NaiveDate>, reason: &str) -> Result<()> {
        let old = self.item(id).await?;
        let (to, reason) = check_date_change(old.status, old.details.expected, to, reason, self.store.today())?.into_inner();
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE forward_plan_items SET expected_date = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(date_str(to))
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        self.store
            .q("INSERT INTO forward_plan_date_changes (item_id, changed_on, from_date, to_date, reason, changed_at) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(id)
            .bind(date_str(self.store.today()))
            .bind(date_str(old.details.expected))
            .bind(date_str(to))
            .bind(reason)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?;
        tx.audit(
            actor,
            Event::new(
                "forward-plan.date",
                "forward_plan_item",
                id,
                format!("expected date moved from {} to {}", long(old.details.expected), long(to)),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Record the general exception or special urgency for an open key decision.
    pub async fn record_exception(&self, actor: &Actor, id: i64, version: i64, x: &Exception) -> Result<()> {
        let old = self.item(id).await?;
        if old.status != ItemStatus::Open {
            return Err(Invalid::single("exception", format!("The item is {}", old.status.label().to_lowercase())).into());
        }
        if !old.details.key() {
            return Err(Invalid::single("exception", "This is not a key decision: it needs no exception").into());
        }
        let x = check_exception(x)?.into_inner();
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE forward_plan_items SET exception_json = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(json(&x)?)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        let what = match &x {
            Exception::GeneralException { .. } => "the general exception",
            Exception::SpecialUrgency { .. } => "special urgency",
        };
        tx.audit(actor, Event::new("forward-plan.exception", "forward_plan_item", id, format!("recorded {what}"))).await?;
        tx.commit().await
    }

    /// Record the decision as taken on a date (today or earlier): refused unless it had
    /// 28 clear days' notice on a published plan, or an exception allows it.
    pub async fn record_taken(&self, actor: &Actor, id: i64, version: i64, on: Option<NaiveDate>) -> Result<TakenUnder> {
        let old = self.item(id).await?;
        if old.status != ItemStatus::Open {
            return Err(Invalid::single("taken_on", format!("The item is already {}", old.status.label().to_lowercase())).into());
        }
        let on = match on {
            None => return Err(Invalid::single("taken_on", "Enter the date the decision was taken").into()),
            Some(d) if d > self.store.today() => {
                return Err(Invalid::single("taken_on", format!("A decision is recorded once taken: {} is in the future", long(d))).into())
            }
            Some(d) => d,
        };
        let under = check_taken(old.details.key(), old.first_published, old.exception.as_ref(), on)?;
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE forward_plan_items SET status = 'taken', taken_on = $1, taken_under_json = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(date_str(on))
            .bind(json(&under)?)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        tx.audit(actor, Event::new("forward-plan.taken", "forward_plan_item", id, format!("decision taken on {} ({})", long(on), under.describe())))
            .await?;
        tx.commit().await?;
        Ok(under)
    }

    /// Withdraw an open item, with the reason.
    pub async fn withdraw(&self, actor: &Actor, id: i64, version: i64, reason: &str) -> Result<()> {
        let old = self.item(id).await?;
        let mut v = Invalid::new();
        if old.status != ItemStatus::Open {
            v.add("reason", format!("The item is already {}", old.status.label().to_lowercase()));
        }
        let reason = v.required("reason", reason, "Enter why the item is withdrawn");
        v.max_len("reason", &reason, 1000, "The reason");
        v.finish()?;
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE forward_plan_items SET status = 'withdrawn', withdrawn_reason = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(reason)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        tx.audit(actor, Event::new("forward-plan.withdraw", "forward_plan_item", id, "withdrawn from the plan")).await?;
        tx.commit().await
    }

    /// Publish the plan today: every item as it stands, frozen with a fingerprint, the
    /// new ones flagged; once a day.
    pub async fn publish(&self, actor: &Actor) -> Result<i64> {
        let today = self.store.today();
        let previous = self.publications().await?.into_iter().next();
        if previous.as_ref().is_some_and(|p| p.published_on == today) {
            return Err(Invalid::single("publish", format!("The plan was already published today, {}", long(today))).into());
        }
        let items = self.items(true).await?;
        if !items.iter().any(|i| i.status == ItemStatus::Open) {
            return Err(Invalid::single("publish", "There is nothing planned to publish: add an item first").into());
        }
        let mut changes = self.date_changes(None).await?;
        let published: Vec<PublishedItem> = items
            .iter()
            .map(|i| PublishedItem {
                id: i.id,
                details: i.details.clone(),
                status: i.status,
                new: false,
                date_changes: changes.extract_if(.., |(item, _)| *item == i.id).map(|(_, c)| c).collect(),
            })
            .collect();
        let snapshot = PlanSnapshot { published: today, items: mark_new(previous.as_ref().map(|p| &p.snapshot), published) };
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO forward_plan_publications (published_on, snapshot_json, fingerprint, published_by, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(date_str(today))
            .bind(json(&snapshot)?)
            .bind(snapshot.fingerprint())
            .bind(actor.label.clone())
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        for i in snapshot.planned() {
            self.store
                .q("INSERT INTO forward_plan_publication_items (publication_id, item_id) VALUES ($1,$2)")
                .bind(id)
                .bind(i.id)
                .execute(tx.conn())
                .await?;
        }
        tx.index_plan(id, &snapshot).await?;
        tx.audit(
            actor,
            Event::new(
                "forward-plan.publish",
                "forward_plan",
                id,
                format!("published the forward plan of {} ({} items)", long(today), snapshot.planned().len()),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    fn publication_row(r: &AnyRow) -> Result<Publication> {
        let snapshot: PlanSnapshot = from_json(&r.s("snapshot_json")?)?;
        let fingerprint = r.s("fingerprint")?;
        Ok(Publication {
            id: r.i("id")?,
            published_on: r.d("published_on")?,
            published_by: r.s("published_by")?,
            intact: snapshot.fingerprint() == fingerprint,
            fingerprint,
            snapshot,
        })
    }

    /// The published plans, newest first.
    pub async fn publications(&self) -> Result<Vec<Publication>> {
        let rows = self
            .store
            .q("SELECT id, published_on, snapshot_json, fingerprint, published_by FROM forward_plan_publications ORDER BY published_on DESC, id DESC")
            .fetch_all(self.store.pool())
            .await?;
        rows.iter().map(Self::publication_row).collect()
    }

    /// One published plan, and what changed since the one before it.
    pub async fn publication(&self, id: i64) -> Result<(Publication, Option<(Publication, PlanDiff)>)> {
        let all = self.publications().await?;
        let at = all.iter().position(|p| p.id == id).ok_or(StoreError::NotFound)?;
        let this = all[at].clone();
        let before = all.get(at + 1).cloned().map(|b| {
            let d = diff(&b.snapshot, &this.snapshot);
            (b, d)
        });
        Ok((this, before))
    }
}
