//! What is waiting for a person on the pathway, for their home page: for each queue
//! that is theirs, how many items and the oldest (`store.waiting(&reader)`).
//!
//! Each queue is ONE statement however long it is: a window count beside the oldest
//! row (`COUNT(*) OVER ()`, then `LIMIT 1`), children in the reader's reach only
//! through [`push_reach`]. The panel and the trend are aggregates too.

use assure_domain::partnership::Section;
use assure_domain::plan::ActionStatus;
use assure_domain::referral::ReferralStatus;
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::child_access::{push_reach, Reader};
use crate::sql::Sql;
use crate::{date_str, Result, RowExt, Store};

/// The first (oldest, or soonest due) item of a queue.
#[derive(Debug, Clone, Serialize)]
pub struct Oldest {
    /// The referral, notification line, episode or plan action.
    pub item_id: i64,
    pub child_id: i64,
    pub child_name: String,
    /// When it started waiting, or when it is due: as stored (a date, or a time).
    pub since: String,
}

impl Oldest {
    /// The date part of `since`.
    pub fn day(&self) -> Option<NaiveDate> {
        self.since.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }
}

/// One queue: how many are waiting, how many of those are past their deadline (where
/// the queue has one), and the oldest.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Queue {
    pub count: i64,
    pub overdue: i64,
    pub oldest: Option<Oldest>,
}

/// An action of a child's current MACSE plan that is due soon or overdue.
#[derive(Debug, Clone, Serialize)]
pub struct DueAction {
    pub id: i64,
    pub child_id: i64,
    pub child_name: String,
    pub section: Section,
    pub text: String,
    pub owner: String,
    pub agency_name: String,
    pub due: NaiveDate,
    pub status: ActionStatus,
}

/// The next MACSE panel and how full its day is.
#[derive(Debug, Clone, Serialize)]
pub struct NextPanel {
    pub id: i64,
    pub meeting_date: NaiveDate,
    pub location: String,
    /// Young people booked (every slot: counts only, no child).
    pub booked: i64,
    /// Minutes of the panel day not booked.
    pub free_minutes: i64,
}

impl NextPanel {
    /// Whole slots of `minutes` that the free time would hold.
    pub fn free_slots(&self, minutes: i64) -> i64 {
        if minutes <= 0 {
            0
        } else {
            self.free_minutes / minutes
        }
    }
}

/// What is waiting for a reader (`store.waiting(&reader)`).
#[derive(Clone, Copy)]
pub struct Waiting<'s> {
    store: &'s Store,
    reader: &'s Reader,
}

impl Store {
    pub fn waiting<'s>(&'s self, reader: &'s Reader) -> Waiting<'s> {
        Waiting { store: self, reader }
    }
}

impl std::ops::Deref for Waiting<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

/// The queue from the one row the statement read (none: nothing waiting).
fn queue(row: Option<AnyRow>) -> Result<Queue> {
    let Some(r) = row else { return Ok(Queue::default()) };
    Ok(Queue {
        count: r.i("n")?,
        overdue: r.i("overdue")?,
        oldest: Some(Oldest {
            item_id: r.i("item_id")?,
            child_id: r.i("child_id")?,
            child_name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
            since: r.s("since")?,
        }),
    })
}

impl Waiting<'_> {
    /// Referrals waiting for the MASH team's checks and decision, oldest first.
    pub async fn mash_referrals(&self) -> Result<Queue> {
        let [s1, s2] = ReferralStatus::queue_slugs();
        let mut sql = Sql::new(
            "SELECT COUNT(*) OVER () AS n, CAST(0 AS BIGINT) AS overdue, r.id AS item_id, r.child_id, c.first_name, c.last_name, r.submitted_at AS since \
             FROM referrals r JOIN children c ON c.id = r.child_id WHERE r.status IN (",
        );
        sql.bind(s1).push(",").bind(s2).push(") AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY r.submitted_at, r.id LIMIT 1");
        queue(sql.query(self).fetch_optional(self.pool()).await?)
    }

    /// Referrals the MASH returned to the agencies the reader is SPOC for, to acknowledge.
    pub async fn returned_to_spoc(&self) -> Result<Queue> {
        let spoc_for = &self.reader.viewer().spoc_for;
        if spoc_for.is_empty() {
            return Ok(Queue::default());
        }
        let mut sql = Sql::new(
            "SELECT COUNT(*) OVER () AS n, CAST(0 AS BIGINT) AS overdue, r.id AS item_id, r.child_id, c.first_name, c.last_name, COALESCE(r.returned_at, r.submitted_at) AS since \
             FROM referrals r JOIN children c ON c.id = r.child_id WHERE r.status = ",
        );
        sql.bind(ReferralStatus::ReturnedToSpoc.slug()).push(" AND r.agency_id IN (").bind_list(spoc_for.iter().copied()).push(") AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY COALESCE(r.returned_at, r.submitted_at), r.id LIMIT 1");
        queue(sql.query(self).fetch_optional(self.pool()).await?)
    }

    /// Placement notifications routed to the reader's teams and not yet acknowledged,
    /// one per team line, the longest waiting first; "overdue" counts those waiting a
    /// week or more.
    pub async fn notifications(&self, today: NaiveDate) -> Result<Queue> {
        let teams = &self.reader.viewer().teams;
        if teams.is_empty() {
            return Ok(Queue::default());
        }
        let arrived = "COALESCE(n.received_date, SUBSTR(n.recorded_at, 1, 10))";
        let mut sql = Sql::new(format!("SELECT COUNT(*) OVER () AS n, COUNT(CASE WHEN {arrived} <= "));
        sql.bind(date_str(today - Duration::days(7)))
            .push(&format!(
                " THEN 1 END) OVER () AS overdue, r.id AS item_id, n.child_id, c.first_name, c.last_name, {arrived} AS since \
                 FROM notification_recipients r JOIN placement_notifications n ON n.id = r.notification_id JOIN children c ON c.id = n.child_id \
                 WHERE r.acknowledged_at IS NULL AND c.merged_into_id IS NULL AND r.team IN ("
            ))
            .bind_list(teams.iter().map(|t| t.slug()))
            .push(") AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(&format!(" ORDER BY {arrived}, r.id LIMIT 1"));
        queue(sql.query(self).fetch_optional(self.pool()).await?)
    }

    /// Return interviews not yet offered after a child came back: each is due within 72
    /// hours of the return. The soonest due (or longest overdue) first.
    pub async fn return_interviews(&self, now: NaiveDateTime) -> Result<Queue> {
        let mut sql = Sql::new("SELECT COUNT(*) OVER () AS n, COUNT(CASE WHEN e.interview_due_by < ");
        sql.bind(crate::missing::time_str(now)).push(
            " THEN 1 END) OVER () AS overdue, e.id AS item_id, e.child_id, c.first_name, c.last_name, e.interview_due_by AS since \
                 FROM missing_episodes e JOIN children c ON c.id = e.child_id LEFT JOIN return_interviews ri ON ri.episode_id = e.id \
                 WHERE e.interview_due_by IS NOT NULL AND ri.offered_at IS NULL AND c.merged_into_id IS NULL AND ",
        );
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY e.interview_due_by, e.id LIMIT 1");
        queue(sql.query(self).fetch_optional(self.pool()).await?)
    }

    /// Actions of children's current MACSE plans not done or dropped and due within 14
    /// days (or overdue), in sections the reader may see; the soonest due first.
    pub async fn plan_actions(&self, today: NaiveDate) -> Result<Queue> {
        let mut sql = Sql::new("SELECT COUNT(*) OVER () AS n, COUNT(CASE WHEN a.due_date < ");
        sql.bind(date_str(today))
            .push(
                " THEN 1 END) OVER () AS overdue, a.id AS item_id, pl.child_id, c.first_name, c.last_name, a.due_date AS since \
                 FROM plan_actions a JOIN plan_versions v ON v.id = a.version_id JOIN plans pl ON pl.id = v.plan_id AND v.number = pl.current_version \
                 JOIN children c ON c.id = pl.child_id WHERE a.status IN (",
            );
        self.push_due(&mut sql, today);
        sql.push(" ORDER BY a.due_date, a.id LIMIT 1");
        queue(sql.query(self).fetch_optional(self.pool()).await?)
    }

    /// The list behind [`Waiting::plan_actions`]: each action, the soonest due first
    /// (at most 500).
    pub async fn plan_actions_due(&self, today: NaiveDate) -> Result<Vec<DueAction>> {
        let mut sql = Sql::new(
            "SELECT a.id, pl.child_id, c.first_name, c.last_name, a.section, a.text, a.owner, ag.name AS agency_name, a.due_date, a.status \
             FROM plan_actions a JOIN plan_versions v ON v.id = a.version_id JOIN plans pl ON pl.id = v.plan_id AND v.number = pl.current_version \
             JOIN children c ON c.id = pl.child_id JOIN agencies ag ON ag.id = a.agency_id WHERE a.status IN (",
        );
        self.push_due(&mut sql, today);
        sql.push(" ORDER BY a.due_date, a.id LIMIT 500");
        sql.query(self)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(DueAction {
                    id: r.i("id")?,
                    child_id: r.i("child_id")?,
                    child_name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
                    section: r.e("section")?,
                    text: r.s("text")?,
                    owner: r.s("owner")?,
                    agency_name: r.s("agency_name")?,
                    due: r.d("due_date")?,
                    status: r.e("status")?,
                })
            })
            .collect()
    }

    /// The conditions of a due action, after `a.status IN (`: open, due within 14 days
    /// or overdue, a child not merged away, a section the reader may see, in reach.
    fn push_due(&self, sql: &mut Sql, today: NaiveDate) {
        sql.bind(ActionStatus::NotStarted.slug())
            .push(",")
            .bind(ActionStatus::InProgress.slug())
            .push(") AND a.due_date <= ")
            .bind(date_str(today + Duration::days(14)))
            .push(" AND c.merged_into_id IS NULL");
        if !self.reader.viewer().may_see_police_only() {
            sql.push(" AND a.section NOT IN (").bind_list(Section::ALL.iter().filter(|s| s.is_police_only()).map(|s| s.slug())).push(")");
        }
        sql.push(" AND ");
        push_reach(sql, &self.reader.reach(), "c.id");
    }

    /// The next panel not cancelled, from `today`, with how many are booked and how much
    /// of the day is free (counts only: no child).
    pub async fn next_panel(&self, today: NaiveDate) -> Result<Option<NextPanel>> {
        let mut sql = Sql::new(
            "SELECT p.id, p.meeting_date, p.location, (SELECT COUNT(*) FROM panel_slots s WHERE s.panel_id = p.id) AS booked, \
             (SELECT CAST(COALESCE(SUM(s.minutes), 0) AS BIGINT) FROM panel_slots s WHERE s.panel_id = p.id) AS booked_minutes \
             FROM panels p WHERE p.meeting_date >= ",
        );
        sql.bind(date_str(today))
            .push(" AND p.status <> ")
            .bind(assure_domain::panels::PanelStatus::Cancelled.slug())
            .push(" ORDER BY p.meeting_date, p.id LIMIT 1");
        let Some(r) = sql.query(self).fetch_optional(self.pool()).await? else { return Ok(None) };
        let day = (assure_domain::panels::DAY_CLOSES - assure_domain::panels::DAY_OPENS).num_minutes();
        Ok(Some(NextPanel {
            id: r.i("id")?,
            meeting_date: r.d("meeting_date")?,
            location: r.s("location")?,
            booked: r.i("booked")?,
            free_minutes: (day - r.i("booked_minutes")?).max(0),
        }))
    }

    /// Referrals raised in each of the twelve months up to `today`'s (children in
    /// reach), oldest month first, months with none included.
    pub async fn referrals_by_month(&self, today: NaiveDate) -> Result<Vec<(NaiveDate, i64)>> {
        let this_month = today.with_day(1).unwrap_or(today);
        let first = this_month.checked_sub_months(Months::new(11)).unwrap_or(this_month);
        let mut sql = Sql::new(
            "SELECT SUBSTR(r.submitted_at, 1, 7) AS month, COUNT(*) AS n FROM referrals r JOIN children c ON c.id = r.child_id WHERE r.submitted_at >= ",
        );
        sql.bind(date_str(first)).push(" AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" GROUP BY SUBSTR(r.submitted_at, 1, 7)");
        let mut counts = std::collections::HashMap::new();
        for r in sql.query(self).fetch_all(self.pool()).await? {
            counts.insert(r.s("month")?, r.i("n")?);
        }
        Ok((0..12)
            .filter_map(|i| first.checked_add_months(Months::new(i)))
            .map(|m| (m, counts.get(&m.format("%Y-%m").to_string()).copied().unwrap_or(0)))
            .collect())
    }
}
