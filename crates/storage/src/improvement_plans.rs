//! Improvement plans, statements of action and strategies (`store.improvement_plans()`):
//! each plan is a series of versions; a version holds its objectives, areas (with what
//! good looks like) and actions (ref, text, due, lead officers, RAG, dated commentary).
//! A re-draft is a new version whose every action says where it came from in the
//! version before (new, replaces, split from, merged from) and whose every action not
//! carried forward says why; the lineage is checked (`improvement_plan::check_lineage`)
//! before anything is written, and the cross-reference of any two versions is made
//! from it. An action's outcome links (the measures it must move) follow it into the
//! next version.

use std::collections::BTreeMap;

use assure_domain::improvement_plan::{
    check_lineage, compose, cross_reference, ref_key, ActionText, CrossRow, Dropped, Due, LineageKind, Origin, PlanDraft, PlanKind, Step,
};
use assure_domain::tracker::Rag;
use assure_domain::Invalid;
use chrono::NaiveDate;

use crate::audit::Event;
use crate::{check_version, date_str, opt_date_str, to_json, Actor, Result, RowExt, Store, StoreError, WriteTx};

#[derive(Clone, Copy)]
pub struct ImprovementPlans<'s> {
    store: &'s Store,
}

impl Store {
    pub fn improvement_plans(&self) -> ImprovementPlans<'_> {
        ImprovementPlans { store: self }
    }
}

/// A plan in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSummary {
    pub id: i64,
    pub title: String,
    pub kind: PlanKind,
    /// The latest version's number.
    pub latest: i64,
    pub actions: i64,
    pub completed: i64,
    pub red: i64,
}

/// A version in a plan's history.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionInfo {
    pub id: i64,
    pub number: i64,
    pub note: String,
    pub created_by: String,
    pub created_at: String,
}

/// A plan with its versions (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct ImprovementPlan {
    pub id: i64,
    pub title: String,
    pub kind: PlanKind,
    pub versions: Vec<VersionInfo>,
}

impl ImprovementPlan {
    pub fn latest(&self) -> i64 {
        self.versions.last().map_or(1, |v| v.number)
    }
}

/// An objective or area.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub r#ref: String,
    pub objective: bool,
    pub title: String,
    pub good: String,
}

/// A dated line of an action's update commentary.
#[derive(Debug, Clone, PartialEq)]
pub struct Commentary {
    pub written_on: Option<NaiveDate>,
    pub text: String,
    pub author: String,
}

/// An action as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ImprovementPlanAction {
    pub id: i64,
    pub plan_id: i64,
    pub version_number: i64,
    pub r#ref: String,
    pub area_ref: String,
    pub text: String,
    pub due: Due,
    pub review_on: Option<NaiveDate>,
    pub leads: String,
    pub rag: Option<Rag>,
    pub lineage: Option<LineageKind>,
    pub from: Vec<String>,
    pub version: i64,
    pub commentary: Vec<Commentary>,
}

impl ImprovementPlanAction {
    /// The date column as the seed writes it: "31 May 2018", "Ongoing", "Completed".
    pub fn due_text(&self) -> String {
        match (self.due, self.review_on) {
            (Due::ByDate, Some(d)) => assure_domain::dates::long(d),
            (Due::Completed, Some(d)) => format!("Completed ({})", assure_domain::dates::long(d)),
            (d, _) => d.label().to_string(),
        }
    }
}

/// One version, whole.
#[derive(Debug, Clone, PartialEq)]
pub struct ImprovementPlanVersion {
    pub plan: ImprovementPlan,
    pub number: i64,
    pub headings: Vec<Heading>,
    pub actions: Vec<ImprovementPlanAction>,
    pub dropped: Vec<Dropped>,
}

/// An update to an action, as typed by its lead officer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionUpdateInput {
    pub commentary: String,
    pub due: Option<Due>,
    pub review_on: Option<NaiveDate>,
    pub rag: Option<Rag>,
}

impl ActionUpdateInput {
    pub const FIELDS: &'static [&'static str] = &["commentary", "due", "review_on", "rag"];
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("improvement plan {what}"))
}

const ACTION_SELECT: &str = "SELECT a.id, v.plan_id, v.number AS version_number, a.ref, a.area_ref, a.text, a.due, a.review_on, a.leads, a.rag, a.lineage, a.lineage_from_json, a.version \
     FROM improvement_plan_actions a JOIN improvement_plan_versions v ON v.id = a.version_id";

fn action_row(r: &sqlx::any::AnyRow) -> Result<ImprovementPlanAction> {
    Ok(ImprovementPlanAction {
        id: r.i("id")?,
        plan_id: r.i("plan_id")?,
        version_number: r.i("version_number")?,
        r#ref: r.s("ref")?,
        area_ref: r.s("area_ref")?,
        text: r.s("text")?,
        due: r.e("due")?,
        review_on: r.od("review_on")?,
        leads: r.s("leads")?,
        rag: r.oe("rag")?,
        lineage: r.oe("lineage")?,
        from: serde_json::from_str(&r.s("lineage_from_json")?).map_err(|_| corrupt("lineage"))?,
        version: r.i("version")?,
        commentary: Vec::new(),
    })
}

impl ImprovementPlans<'_> {
    /// Every plan, with its latest version's counts (one statement).
    pub async fn list(&self) -> Result<Vec<PlanSummary>> {
        let rows = self
            .store
            .q("SELECT p.id, p.title, p.kind, v.number, \
                 (SELECT COUNT(*) FROM improvement_plan_actions a WHERE a.version_id = v.id) AS actions, \
                 (SELECT COUNT(*) FROM improvement_plan_actions a WHERE a.version_id = v.id AND a.due = 'completed') AS completed, \
                 (SELECT COUNT(*) FROM improvement_plan_actions a WHERE a.version_id = v.id AND a.rag = 'red') AS red \
                 FROM improvement_plans p JOIN improvement_plan_versions v ON v.plan_id = p.id \
                 WHERE v.number = (SELECT MAX(number) FROM improvement_plan_versions x WHERE x.plan_id = p.id) ORDER BY p.title, p.id")
            .fetch_all(self.store.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PlanSummary {
                    id: r.i("id")?,
                    title: r.s("title")?,
                    kind: r.e("kind")?,
                    latest: r.i("number")?,
                    actions: r.i("actions")?,
                    completed: r.i("completed")?,
                    red: r.i("red")?,
                })
            })
            .collect()
    }

    /// A plan and its versions.
    pub async fn plan(&self, id: i64) -> Result<ImprovementPlan> {
        let r = self
            .store
            .q("SELECT id, title, kind FROM improvement_plans WHERE id = $1")
            .bind(id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let versions = self
            .store
            .q("SELECT id, number, note, created_by_name, created_at FROM improvement_plan_versions WHERE plan_id = $1 ORDER BY number")
            .bind(id)
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|v| {
                Ok(VersionInfo {
                    id: v.i("id")?,
                    number: v.i("number")?,
                    note: v.s("note")?,
                    created_by: v.s("created_by_name")?,
                    created_at: v.s("created_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ImprovementPlan { id, title: r.s("title")?, kind: r.e("kind")?, versions })
    }

    /// Start a plan from its first version (read from a sheet or built by the demo).
    /// A first version has nothing before it, so any lineage in it is refused.
    pub async fn create(&self, actor: &Actor, title: &str, kind: PlanKind, draft: &PlanDraft) -> Result<i64> {
        let mut v = Invalid::new();
        let title = v.required("title", title, "Enter the plan's title, such as Children's services improvement plan");
        v.max_len("title", &title, 200, "The title");
        if draft.actions.is_empty() {
            v.add("file", "The plan has no actions: add rows with refs such as 1.1.7");
        }
        if draft.origins().iter().any(|o| o.kind != LineageKind::New) || !draft.dropped.is_empty() {
            v.add("file", "A new plan has no version before it: leave the Lineage column empty, or re-draft an existing plan instead");
        }
        v.finish()?;
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO improvement_plans (title, kind, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(&title)
            .bind(kind.slug())
            .bind(actor.user_id)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        self.insert_version(&mut tx, actor, id, 1, "First version", draft, &BTreeMap::new()).await?;
        tx.audit(
            actor,
            Event::new("plan.create", "improvement_plan", id, format!("{} \"{title}\" added with {} actions", kind.label(), draft.actions.len())),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Re-draft a plan: the new version's lineage checked against the latest version's
    /// actions (every action says where it came from; every old action is carried
    /// forward or dropped with a reason; every ref named is this plan's own). The new
    /// version's number.
    pub async fn redraft(&self, actor: &Actor, plan_id: i64, note: &str, draft: &PlanDraft) -> Result<i64> {
        let plan = self.plan(plan_id).await?;
        let latest = self.version(plan_id, plan.latest()).await?;
        let mut v = Invalid::new();
        let note = v.required("note", note, "Say why the plan was re-drafted, such as the inspectors' feedback on the first version");
        if !draft.has_lineage {
            v.add("file", "A re-draft needs a Lineage column saying where each action came from: New, Replaces 1.1.7, Split from, Merged from, or Dropped: and why");
        }
        if draft.actions.is_empty() {
            v.add("file", "The new version has no actions");
        }
        v.finish()?;
        let old: Vec<String> = latest.actions.iter().map(|a| a.r#ref.clone()).collect();
        check_lineage(&old, &draft.action_refs(), &draft.origins(), &draft.dropped)?;
        let old_ids: BTreeMap<String, i64> = latest.actions.iter().map(|a| (a.r#ref.clone(), a.id)).collect();
        let number = plan.latest() + 1;
        let mut tx = self.store.write().await?;
        // Two people re-drafting at once: the version number is unique per plan.
        if self
            .store
            .q("SELECT id FROM improvement_plan_versions WHERE plan_id = $1 AND number = $2")
            .bind(plan_id)
            .bind(number)
            .fetch_optional(tx.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict);
        }
        self.insert_version(&mut tx, actor, plan_id, number, &note, draft, &old_ids).await?;
        tx.audit(
            actor,
            Event::new(
                "plan.redraft",
                "improvement_plan",
                plan_id,
                format!("version {number} of \"{}\": {} actions, {} dropped", plan.title, draft.actions.len(), draft.dropped.len()),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(number)
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_version(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &Actor,
        plan_id: i64,
        number: i64,
        note: &str,
        draft: &PlanDraft,
        old_ids: &BTreeMap<String, i64>,
    ) -> Result<()> {
        let now = self.store.now();
        let version_id = self
            .store
            .q("INSERT INTO improvement_plan_versions (plan_id, number, note, created_by, created_by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(plan_id)
            .bind(number)
            .bind(note)
            .bind(actor.user_id)
            .bind(&actor.label)
            .bind(&now)
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        let headings = draft
            .objectives
            .iter()
            .map(|o| (&o.r#ref, "objective", &o.title, ""))
            .chain(draft.areas.iter().map(|a| (&a.r#ref, "area", &a.title, a.good.as_str())));
        for (i, (r, kind, title, good)) in headings.enumerate() {
            self.store
                .q("INSERT INTO improvement_plan_areas (version_id, ref, kind, title, good, position) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(version_id)
                .bind(r.as_str())
                .bind(kind)
                .bind(title.as_str())
                .bind(good)
                .bind(i as i64)
                .execute(tx.conn())
                .await?;
        }
        let today = self.store.today();
        for (i, a) in draft.actions.iter().enumerate() {
            let origin = a.origin.as_ref().filter(|_| number > 1);
            let id = self
                .store
                .q("INSERT INTO improvement_plan_actions (version_id, ref, area_ref, text, due, review_on, leads, rag, lineage, lineage_from_json, position) \
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
                .bind(version_id)
                .bind(&a.r#ref)
                .bind(&a.area)
                .bind(&a.text)
                .bind(a.due.slug())
                .bind(opt_date_str(a.review_on))
                .bind(&a.leads)
                .bind(a.rag.map(|r| r.slug()))
                .bind(origin.map(|o| o.kind.slug()))
                .bind(to_json(&origin.map(|o| o.from.clone()).unwrap_or_default())?)
                .bind(i as i64)
                .fetch_one(tx.conn())
                .await?
                .i("id")?;
            for u in &a.updates {
                self.store
                    .q("INSERT INTO improvement_plan_updates (action_id, written_on, text, author, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(id)
                    .bind(opt_date_str(u.date.or(Some(today))))
                    .bind(&u.narrative)
                    .bind(&a.leads)
                    .bind(&now)
                    .execute(tx.conn())
                    .await?;
            }
            // The measures an action must move follow it into the version that carries it.
            for from in origin.map(|o| o.from.as_slice()).unwrap_or_default() {
                if let Some(old) = old_ids.get(from) {
                    self.store
                        .q("INSERT INTO outcome_links (measure_id, plan_action_id, from_month, created_at) \
                            SELECT l.measure_id, $1, MIN(l.from_month), $2 FROM outcome_links l WHERE l.plan_action_id = $3 \
                            AND NOT EXISTS (SELECT 1 FROM outcome_links x WHERE x.plan_action_id = $1 AND x.measure_id = l.measure_id) GROUP BY l.measure_id")
                        .bind(id)
                        .bind(&now)
                        .bind(*old)
                        .execute(tx.conn())
                        .await?;
                }
            }
        }
        for d in &draft.dropped {
            self.store
                .q("INSERT INTO improvement_plan_dropped (version_id, ref, reason) VALUES ($1, $2, $3)")
                .bind(version_id)
                .bind(&d.action)
                .bind(&d.reason)
                .execute(tx.conn())
                .await?;
        }
        Ok(())
    }

    /// One version, whole (three statements, whatever its size).
    pub async fn version(&self, plan_id: i64, number: i64) -> Result<ImprovementPlanVersion> {
        let plan = self.plan(plan_id).await?;
        let info = plan.versions.iter().find(|v| v.number == number).ok_or(StoreError::NotFound)?.clone();
        let headings = self
            .store
            .q("SELECT ref, kind, title, good FROM improvement_plan_areas WHERE version_id = $1 ORDER BY position")
            .bind(info.id)
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|r| Ok(Heading { r#ref: r.s("ref")?, objective: r.s("kind")? == "objective", title: r.s("title")?, good: r.s("good")? }))
            .collect::<Result<Vec<_>>>()?;
        // Objectives before their areas, in ref order ("1", "1.1", "1.2", "2", ...).
        let mut headings = headings;
        headings.sort_by_key(|h| ref_key(&h.r#ref));
        let sql = format!("{ACTION_SELECT} WHERE a.version_id = $1 ORDER BY a.position");
        let mut actions = self.store.q(&sql).bind(info.id).fetch_all(self.store.pool()).await?.iter().map(action_row).collect::<Result<Vec<_>>>()?;
        let updates = self
            .store
            .q("SELECT u.action_id, u.written_on, u.text, u.author FROM improvement_plan_updates u JOIN improvement_plan_actions a ON a.id = u.action_id \
                WHERE a.version_id = $1 ORDER BY u.action_id, u.written_on, u.id")
            .bind(info.id)
            .fetch_all(self.store.pool())
            .await?;
        let mut by_action: BTreeMap<i64, Vec<Commentary>> = BTreeMap::new();
        for u in &updates {
            by_action.entry(u.i("action_id")?).or_default().push(Commentary {
                written_on: u.od("written_on")?,
                text: u.s("text")?,
                author: u.s("author")?,
            });
        }
        for a in &mut actions {
            a.commentary = by_action.remove(&a.id).unwrap_or_default();
        }
        let dropped = self
            .store
            .q("SELECT ref, reason FROM improvement_plan_dropped WHERE version_id = $1 ORDER BY ref")
            .bind(info.id)
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|r| Ok(Dropped { action: r.s("ref")?, reason: r.s("reason")? }))
            .collect::<Result<Vec<_>>>()?;
        Ok(ImprovementPlanVersion { plan, number, headings, actions, dropped })
    }

    /// One action, with its commentary.
    pub async fn action(&self, id: i64) -> Result<ImprovementPlanAction> {
        let sql = format!("{ACTION_SELECT} WHERE a.id = $1");
        let row = self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut a = action_row(&row)?;
        a.commentary = self
            .store
            .q("SELECT written_on, text, author FROM improvement_plan_updates WHERE action_id = $1 ORDER BY written_on, id")
            .bind(id)
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|u| Ok(Commentary { written_on: u.od("written_on")?, text: u.s("text")?, author: u.s("author")? }))
            .collect::<Result<Vec<_>>>()?;
        Ok(a)
    }

    /// A lead officer's update: dated commentary, and the date column and RAG as they
    /// now stand (version-checked). Only an action of a plan's latest version is
    /// updated: earlier versions are the record of what was agreed then.
    pub async fn update_action(&self, actor: &Actor, id: i64, version: i64, input: &ActionUpdateInput) -> Result<()> {
        let current = self.action(id).await?;
        let plan = self.plan(current.plan_id).await?;
        let mut v = Invalid::new();
        if current.version_number != plan.latest() {
            v.add(
                "commentary",
                format!("This is version {} of the plan; update the action in version {}, the one in force", current.version_number, plan.latest()),
            );
        }
        let commentary = input.commentary.trim().to_string();
        v.max_len("commentary", &commentary, 10_000, "The update");
        let due = input.due.unwrap_or(current.due);
        if due == Due::ByDate && input.review_on.is_none() {
            v.add("review_on", "Enter the review date, for example 31 March 2027, or choose Ongoing or Completed");
        }
        if commentary.is_empty() && input.due == Some(current.due) && input.review_on == current.review_on && input.rag == current.rag {
            v.add("commentary", "Write the update, or change the date or RAG");
        }
        v.finish()?;
        let review_on =
            if due == Due::Ongoing { None } else { input.review_on.or(if due == Due::Completed { Some(self.store.today()) } else { None }) };
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE improvement_plan_actions SET due = $1, review_on = $2, rag = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(due.slug())
            .bind(opt_date_str(review_on))
            .bind(input.rag.map(|r| r.slug()))
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        if !commentary.is_empty() {
            self.store
                .q("INSERT INTO improvement_plan_updates (action_id, written_on, text, author, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(date_str(self.store.today()))
                .bind(&commentary)
                .bind(&actor.label)
                .bind(self.store.now())
                .execute(tx.conn())
                .await?;
        }
        tx.audit(
            actor,
            Event::new("plan.action.update", "improvement_plan_action", id, format!("action {} updated: {}", current.r#ref, due.label())),
        )
        .await?;
        tx.commit().await
    }

    /// The side-by-side cross-reference of two versions of a plan (`from` before `to`):
    /// the lineage of every re-draft between them composed into one.
    pub async fn cross_reference(&self, plan_id: i64, from: i64, to: i64) -> Result<(ImprovementPlanVersion, ImprovementPlanVersion, Vec<CrossRow>)> {
        if from >= to {
            return Err(Invalid::single("from", "Choose an earlier version to compare with a later one").into());
        }
        let old = self.version(plan_id, from).await?;
        let new = self.version(plan_id, to).await?;
        let mut steps = Vec::new();
        for n in from + 1..=to {
            let v = if n == to { new.clone() } else { self.version(plan_id, n).await? };
            steps.push(Step {
                origins: v
                    .actions
                    .iter()
                    .map(|a| Origin { action: a.r#ref.clone(), kind: a.lineage.unwrap_or(LineageKind::New), from: a.from.clone() })
                    .collect(),
                dropped: v.dropped.clone(),
            });
        }
        let old_refs: Vec<String> = old.actions.iter().map(|a| a.r#ref.clone()).collect();
        let (origins, dropped) = compose(&old_refs, &steps);
        let text =
            |v: &ImprovementPlanVersion| v.actions.iter().map(|a| ActionText { r#ref: a.r#ref.clone(), text: a.text.clone() }).collect::<Vec<_>>();
        let rows = cross_reference(&text(&old), &text(&new), &origins, &dropped);
        Ok((old, new, rows))
    }
}
