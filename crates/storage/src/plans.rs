//! MACSE plans in storage: each review panel saves a new version (all of it or none
//! of it); old versions are kept for comparison. Each action's agency becomes
//! involved with the child (an action in a police-only section, for police eyes only).
//! Every read is through the child's record and already cut to the reader by the
//! domain's `plan::visible_for` (or `plan::for_export`).

use std::collections::{BTreeSet, HashSet};

use assure_domain::partnership::{InvolvementKind, Scope, Section, Team};
use assure_domain::plan::{action_field, check_plan_version, for_export, visible_for, PlanAction, PlanVersion, SectionText};
use assure_domain::{Invalid, Permission};
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::Event;
use crate::child_access::ChildRecord;
use crate::{all_checks, date_str, Result, RowExt, Store, StoreError};

/// A version in the list of a plan's versions.
#[derive(Debug, Clone, Serialize)]
pub struct VersionSummary {
    pub number: i64,
    pub panel_id: Option<i64>,
    pub panel_date: Option<NaiveDate>,
    pub review_date: NaiveDate,
    pub created_by: String,
    pub created_at: String,
}

impl Store {
    /// The number of the plan's current version (0: no plan yet).
    async fn current_plan_number(&self, child_id: i64) -> Result<i64> {
        Ok(match self.q("SELECT current_version FROM plans WHERE child_id = $1").bind(child_id).fetch_optional(self.pool()).await? {
            Some(r) => r.i("current_version")?,
            None => 0,
        })
    }

    /// One version of a child's plan, whole (for the record to cut).
    async fn plan_version_whole(&self, child_id: i64, number: i64) -> Result<Option<PlanVersion>> {
        let Some(r) = self
            .q("SELECT v.id, v.number, v.review_date, p.meeting_date FROM plan_versions v JOIN plans pl ON pl.id = v.plan_id LEFT JOIN panels p ON p.id = v.panel_id WHERE pl.child_id = $1 AND v.number = $2")
            .bind(child_id)
            .bind(number)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let vid = r.i("id")?;
        let sections = self
            .q("SELECT section, discussion FROM plan_sections WHERE version_id = $1")
            .bind(vid)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(SectionText { section: r.e("section")?, discussion: r.s("discussion")? }))
            .collect::<Result<Vec<_>>>()?;
        let actions = self
            .q("SELECT section, text, owner, agency_id, due_date, status FROM plan_actions WHERE version_id = $1 ORDER BY position, id")
            .bind(vid)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(PlanAction {
                    section: r.e("section")?,
                    text: r.s("text")?,
                    owner: r.s("owner")?,
                    agency_id: Some(r.i("agency_id")?),
                    due: r.od("due_date")?,
                    status: r.e("status")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut sections = sections;
        sections.sort_by_key(|t| t.section);
        Ok(Some(PlanVersion { number: r.i("number")?, panel_date: r.od("meeting_date")?, review_date: r.od("review_date")?, sections, actions }))
    }
}

impl ChildRecord {
    /// The number of the plan's current version (0: no plan yet).
    pub async fn plan_number(&self) -> Result<i64> {
        self.require(Section::Profile).await?;
        self.store.current_plan_number(self.id()).await
    }

    /// Save a new version of the child's plan (those who run panels). `based_on` is the
    /// version number the editor started from (0 for a first plan): if someone saved
    /// another since, the save is refused with a conflict. Every rule is checked first;
    /// nothing is saved unless all of it is valid. `rows` are the form rows of the
    /// actions, for messages. Sections the editor may not see are kept as they were.
    pub async fn save_plan_version(
        &self,
        based_on: i64,
        panel_id: Option<i64>,
        version: &PlanVersion,
        rows: Option<&[usize]>,
        today: NaiveDate,
    ) -> Result<i64> {
        self.require_permission(Permission::RunPanels, "plan").await?;
        self.save_plan_version_for(based_on, panel_id, version, rows, today, None).await
    }

    /// [`ChildRecord::save_plan_version`] once the caller's permission is checked; a
    /// version saved as a child protection case's CP plan (`cp_case`) is noted on the
    /// case in the same transaction.
    pub(crate) async fn save_plan_version_for(
        &self,
        based_on: i64,
        panel_id: Option<i64>,
        version: &PlanVersion,
        rows: Option<&[usize]>,
        today: NaiveDate,
        cp_case: Option<i64>,
    ) -> Result<i64> {
        let store = &self.store;
        let child_id = self.id();
        let mut v = version.clone();
        // Police-only sections the editor may not see cannot be changed by them: the
        // current version's are carried over as they were.
        if let Some(current) = store.plan_version_whole(child_id, store.current_plan_number(child_id).await?).await? {
            let hidden = |s: Section| !self.may_see(s);
            v.sections.retain(|t| !hidden(t.section));
            v.actions.retain(|a| !hidden(a.section));
            v.sections.extend(current.sections.iter().filter(|t| hidden(t.section)).cloned());
            v.actions.extend(current.actions.iter().filter(|a| hidden(a.section)).cloned());
            v.sections.sort_by_key(|t| t.section);
        }
        let mut extra = Invalid::new();
        if let Some(p) = panel_id {
            match store.q("SELECT meeting_date FROM panels WHERE id = $1").bind(p).fetch_optional(store.pool()).await? {
                Some(r) => v.panel_date = Some(r.d("meeting_date")?),
                None => extra.add("panel_id", "Select the panel that made this plan from the list"),
            }
        }
        let known: HashSet<i64> =
            store.q("SELECT id FROM agencies").fetch_all(store.pool()).await?.iter().map(|r| r.i("id")).collect::<Result<_>>()?;
        for (i, a) in v.actions.iter().enumerate() {
            if let Some(ag) = a.agency_id {
                if !known.contains(&ag) {
                    let row = rows.and_then(|r| r.get(i).copied()).unwrap_or(i + 1);
                    extra.add(&action_field(row, "agency"), format!("Action row {row}: choose an agency from the list"));
                }
            }
        }
        let v = all_checks(check_plan_version(&v, rows), extra, &[])?.into_inner();

        let actor = self.actor();
        let mut tx = store.write().await?;
        let plan = store.q("SELECT id, current_version FROM plans WHERE child_id = $1").bind(child_id).fetch_optional(tx.conn()).await?;
        let (plan_id, current) = match plan {
            Some(r) => (r.i("id")?, r.i("current_version")?),
            None => (
                store
                    .q("INSERT INTO plans (child_id, current_version) VALUES ($1, 0) RETURNING id")
                    .bind(child_id)
                    .fetch_one(tx.conn())
                    .await?
                    .i("id")?,
                0,
            ),
        };
        if current != based_on {
            return Err(StoreError::Conflict);
        }
        let number = current + 1;
        let n = store
            .q("UPDATE plans SET current_version = $1 WHERE id = $2 AND current_version = $3")
            .bind(number)
            .bind(plan_id)
            .bind(current)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        let version_id = store
            .q("INSERT INTO plan_versions (plan_id, number, panel_id, review_date, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
            .bind(plan_id)
            .bind(number)
            .bind(panel_id)
            .bind(v.review_date.map(date_str).unwrap_or_default())
            .bind(actor.label.clone())
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        for t in &v.sections {
            store
                .q("INSERT INTO plan_sections (version_id, section, discussion) VALUES ($1,$2,$3)")
                .bind(version_id)
                .bind(t.section.slug())
                .bind(t.discussion.trim().to_string())
                .execute(tx.conn())
                .await?;
        }
        for (pos, a) in v.actions.iter().enumerate() {
            let agency = a.agency_id.unwrap_or_default();
            store
                .q("INSERT INTO plan_actions (version_id, position, section, text, owner, agency_id, due_date, status) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                .bind(version_id)
                .bind(pos as i64)
                .bind(a.section.slug())
                .bind(a.text.trim().to_string())
                .bind(a.owner.trim().to_string())
                .bind(agency)
                .bind(a.due.map(date_str).unwrap_or_default())
                .bind(a.status.slug())
                .execute(tx.conn())
                .await?;
        }
        tx.audit(
            actor,
            Event::new(
                "plan.version",
                "child",
                child_id,
                // The version only: counts would tell the access log's readers how much of the plan they do not see.
                format!("plan version {number} saved"),
            ),
        )
        .await?;
        if let Some(case_id) = cp_case {
            store
                .q("UPDATE cp_cases SET plan_version = $1, version = version + 1 WHERE id = $2 AND child_id = $3")
                .bind(number)
                .bind(case_id)
                .bind(child_id)
                .execute(tx.conn())
                .await?;
            tx.audit(
                actor,
                Event::new("cp.plan", "child", child_id, format!("cp case {case_id}: plan version {number} is the child protection plan")),
            )
            .await?;
        }
        // Each action's agency is involved: as a whole, or — for an action in a
        // police-only section — through its police CSE unit, for police eyes only.
        let mut holders: BTreeSet<(i64, bool)> = BTreeSet::new();
        for a in &v.actions {
            if let Some(ag) = a.agency_id {
                holders.insert((ag, a.section.is_police_only()));
            }
        }
        for (agency, police) in holders {
            let (kind, scope) = if police {
                (InvolvementKind::HoldsPoliceAction, Scope::Team(Team::PoliceCse))
            } else {
                (InvolvementKind::HoldsAction, Scope::Agency)
            };
            store.involve(&mut tx, actor, child_id, agency, kind, scope, today).await?;
        }
        tx.commit().await?;
        Ok(number)
    }

    /// The versions of the child's plan, newest first.
    pub async fn plan_versions(&self) -> Result<Vec<VersionSummary>> {
        self.require(Section::Profile).await?;
        self.store
            .q("SELECT v.number, v.panel_id, p.meeting_date, v.review_date, v.created_by, v.created_at FROM plan_versions v JOIN plans pl ON pl.id = v.plan_id \
                LEFT JOIN panels p ON p.id = v.panel_id WHERE pl.child_id = $1 ORDER BY v.number DESC")
            .bind(self.id())
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(VersionSummary {
                    number: r.i("number")?,
                    panel_id: r.oi("panel_id")?,
                    panel_date: r.od("meeting_date")?,
                    review_date: r.d("review_date")?,
                    created_by: r.s("created_by")?,
                    created_at: r.s("created_at")?,
                })
            })
            .collect()
    }

    /// One version of the child's plan, as the reader may see it.
    pub async fn plan_version(&self, number: i64) -> Result<Option<PlanVersion>> {
        self.require(Section::Profile).await?;
        Ok(self.store.plan_version_whole(self.id(), number).await?.map(|v| visible_for(&v, self.viewer())))
    }

    /// The current version of the child's plan, as the reader may see it.
    pub async fn plan(&self) -> Result<Option<PlanVersion>> {
        match self.plan_number().await? {
            0 => Ok(None),
            n => self.plan_version(n).await,
        }
    }

    /// The current version as it may go into a document for this reader: police-only
    /// sections only in a police export by a police CSE role.
    pub async fn plan_for_export(&self, police_export: bool) -> Result<Option<PlanVersion>> {
        self.require(Section::Profile).await?;
        let n = self.store.current_plan_number(self.id()).await?;
        Ok(self.store.plan_version_whole(self.id(), n).await?.map(|v| for_export(&v, self.viewer(), police_export)))
    }

    /// Two versions to compare, both as the reader may see them (then `plan::diff`).
    pub async fn plan_pair(&self, from: i64, to: i64) -> Result<(PlanVersion, PlanVersion)> {
        let a = self.plan_version(from).await?.ok_or(StoreError::NotFound)?;
        let b = self.plan_version(to).await?.ok_or(StoreError::NotFound)?;
        Ok((a, b))
    }
}
