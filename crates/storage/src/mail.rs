//! E-mail that chases deadlines (`store.mail()`): the rules as kept, the deadlines the
//! records hold, the chase job that queues each message once, and the outbox a worker
//! sends from. Sending itself (SMTP) is the edge's; this module only says what is due
//! and records what became of it.
//!
//! Exactly once: a chase is recorded in `chases_fired` (one row per event and person)
//! in the same transaction as its outbox message, so running the job again, at the same
//! time on another instance, or after a crash never queues it twice. A message is
//! claimed (`sending`) before it is handed to the SMTP server and marked `sent` after;
//! one found still `sending` long after (its worker died mid-send) is not sent again —
//! it may have been delivered — but marked failed for the administrator to see.

use std::collections::BTreeMap;

use assure_domain::chase::{self, Chase, ChaseKind, ChaseRule, Deadline, Subject};
use assure_domain::referral::ReferralStatus;
use assure_domain::tracker::report_dates;
use assure_domain::Checked;
use chrono::{Duration, Timelike};

use crate::audit::Event;
use crate::{date_str, stamp, Actor, Engine, Result, RowExt, Store, StoreError};

/// How many times a message is tried before it is left as failed.
pub const MAX_ATTEMPTS: i64 = 8;

/// A message claimed this long ago and still not marked is taken to have been interrupted.
pub const SENDING_LEASE_MINUTES: i64 = 10;

/// Mail as stored.
#[derive(Clone, Copy)]
pub struct Mail<'s> {
    store: &'s Store,
}

impl Store {
    pub fn mail(&self) -> Mail<'_> {
        Mail { store: self }
    }
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub user_id: Option<i64>,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    /// What caused it: a chase's event key, or "test".
    pub event: String,
    pub created_at: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub sent_at: Option<String>,
    pub last_error: String,
}

/// How many messages are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub logged: i64,
    pub failed: i64,
    /// Held for someone's daily digest.
    pub held: i64,
    /// Gathered into a digest (sent as part of it).
    pub digested: i64,
}

/// Wait before the next try after `attempts` failed ones: 1, 2, 4 ... minutes, at most 6 hours.
pub fn back_off(attempts: i64) -> Duration {
    Duration::minutes((1i64 << (attempts - 1).clamp(0, 20)).min(360))
}

const OUTBOX_COLUMNS: &str = "id, user_id, to_address, subject, body, event, created_at, status, attempts, next_attempt_at, sent_at, last_error";

fn message(r: &sqlx::any::AnyRow) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.i("id")?,
        user_id: r.oi("user_id")?,
        to_address: r.s("to_address")?,
        subject: r.s("subject")?,
        body: r.s("body")?,
        event: r.s("event")?,
        created_at: r.s("created_at")?,
        status: r.s("status")?,
        attempts: r.i("attempts")?,
        next_attempt_at: r.s("next_attempt_at")?,
        sent_at: r.os("sent_at")?,
        last_error: r.s("last_error")?,
    })
}

impl Mail<'_> {
    /// Every rule: as the administrator set it, or its default.
    pub async fn rules(&self) -> Result<Vec<ChaseRule>> {
        let rows = self.store.q("SELECT kind, lead_days, enabled FROM chase_rules").fetch_all(self.store.pool()).await?;
        let mut kept = BTreeMap::new();
        for r in rows {
            if let Some(kind) = ChaseKind::from_slug(&r.s("kind")?) {
                kept.insert(kind, ChaseRule { kind, lead_days: r.i("lead_days")?, enabled: r.i("enabled")? != 0 });
            }
        }
        Ok(ChaseKind::ALL.iter().map(|k| kept.get(k).copied().unwrap_or_else(|| ChaseRule::default_for(*k))).collect())
    }

    /// Keep the rules as [`chase::check_rules`] passed them.
    pub async fn set_rules(&self, actor: &Actor, rules: &Checked<Vec<ChaseRule>>) -> Result<()> {
        let mut tx = self.store.write().await?;
        for rule in rules.iter() {
            self.store.q("DELETE FROM chase_rules WHERE kind = $1").bind(rule.kind.slug()).execute(tx.conn()).await?;
            self.store
                .q("INSERT INTO chase_rules (kind, lead_days, enabled) VALUES ($1, $2, $3)")
                .bind(rule.kind.slug())
                .bind(rule.lead_days)
                .bind(i64::from(rule.enabled))
                .execute(tx.conn())
                .await?;
            let detail = format!("{}: {}, {} days", rule.kind.label(), if rule.enabled { "on" } else { "off" }, rule.lead_days);
            tx.audit(actor, Event::new("mail.rule", "chase_rule", rule.kind.slug(), detail)).await?;
        }
        tx.commit().await
    }

    /// Every deadline the records hold that a chase could be about today (bounded by the
    /// chase horizon), with the accounts to chase.
    pub async fn deadlines(&self) -> Result<Vec<Deadline>> {
        let today = self.store.today();
        let from = date_str(chase::horizon(today) - Duration::days(366));
        let mut out = Vec::new();
        let pool = self.store.pool();

        // Actions not done by their target date: the recommendation's lead officers (a
        // paused recommendation's clock is stopped).
        let rows = self
            .store
            .q("SELECT r.id AS rec, r.reference, a.target_date, l.user_id FROM actions a \
                JOIN recommendations r ON r.id = a.recommendation_id \
                JOIN recommendation_leads l ON l.recommendation_id = r.id \
                WHERE a.done = 0 AND a.target_date IS NOT NULL AND a.target_date >= $1 \
                AND r.lifecycle NOT IN ('signed-off', 'superseded', 'transferred', 'not-feasible', 'paused') \
                ORDER BY r.id, a.target_date")
            .bind(&from)
            .fetch_all(pool)
            .await?;
        for r in rows {
            push(
                &mut out,
                ChaseKind::ActionPastTarget,
                Subject::recommendation(r.i("rec")?, &r.s("reference")?),
                r.d("target_date")?,
                r.i("user_id")?,
            );
        }

        // Update requests not answered by an update since they were made: the leads.
        let rows = self
            .store
            .q("SELECT r.id AS rec, r.reference, u.due_date, l.user_id FROM update_requests u \
                JOIN recommendations r ON r.id = u.recommendation_id \
                JOIN recommendation_leads l ON l.recommendation_id = r.id \
                WHERE u.due_date >= $1 \
                AND NOT EXISTS (SELECT 1 FROM progress_updates p WHERE p.recommendation_id = r.id AND p.created_at >= u.requested_at) \
                ORDER BY r.id, u.due_date")
            .bind(&from)
            .fetch_all(pool)
            .await?;
        for r in rows {
            push(
                &mut out,
                ChaseKind::UpdateRequestOverdue,
                Subject::recommendation(r.i("rec")?, &r.s("reference")?),
                r.d("due_date")?,
                r.i("user_id")?,
            );
        }

        // Executive responses awaited: the scrutiny officers, before and after the deadline.
        let officers: Vec<i64> = self
            .store
            .q("SELECT id FROM users WHERE role = 'scrutiny-officer' AND active = 1 ORDER BY id")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.i("id"))
            .collect::<Result<_>>()?;
        let rows = self
            .store
            .q("SELECT v.id, v.response_due FROM reviews v WHERE v.response_due IS NOT NULL AND v.response_due >= $1 \
                AND EXISTS (SELECT 1 FROM recommendations r WHERE r.review_id = v.id AND r.response = 'awaiting') ORDER BY v.id")
            .bind(&from)
            .fetch_all(pool)
            .await?;
        for r in rows {
            let due = r.d("response_due")?;
            for kind in [ChaseKind::ResponseApproaching, ChaseKind::ResponseOverdue] {
                out.push(Deadline { kind, subject: Subject::review(r.i("id")?), due, recipients: officers.clone() });
            }
        }

        // Placement notifications a team has not acknowledged: the team's members.
        let rows = self
            .store
            .q("SELECT n.id, n.received_date, m.user_id FROM notification_recipients nr \
                JOIN placement_notifications n ON n.id = nr.notification_id \
                JOIN team_members m ON m.team = nr.team \
                JOIN users u ON u.id = m.user_id AND u.active = 1 \
                WHERE nr.acknowledged_at IS NULL AND n.received_date IS NOT NULL AND n.received_date >= $1 \
                ORDER BY n.id")
            .bind(&from)
            .fetch_all(pool)
            .await?;
        for r in rows {
            push(&mut out, ChaseKind::PlacementUnacknowledged, Subject::placement_notification(r.i("id")?), r.d("received_date")?, r.i("user_id")?);
        }

        // Monitoring reports due at the next meetings of a schedule whose review still
        // has open recommendations: the scrutiny officers.
        let rows = self
            .store
            .q("SELECT s.review_id, s.first_report_date, s.interval_months FROM monitoring_schedules s \
                WHERE EXISTS (SELECT 1 FROM recommendations r WHERE r.review_id = s.review_id \
                AND r.lifecycle NOT IN ('signed-off', 'superseded', 'transferred', 'not-feasible')) ORDER BY s.id")
            .fetch_all(pool)
            .await?;
        let until = today + Duration::days(366);
        for r in rows {
            let review = r.i("review_id")?;
            for due in report_dates(r.d("first_report_date")?, r.i("interval_months")?, until) {
                if due >= chase::horizon(today) {
                    out.push(Deadline { kind: ChaseKind::ReportDue, subject: Subject::review(review), due, recipients: officers.clone() });
                }
            }
        }

        // Return interviews not offered within 72 hours of the return: whoever recorded
        // the episode. (Times on missing episodes are the council's local time.)
        let rows = self
            .store
            .q("SELECT e.id, e.child_id, e.interview_due_by, e.recorded_by FROM missing_episodes e \
                LEFT JOIN return_interviews ri ON ri.episode_id = e.id \
                JOIN users u ON u.id = e.recorded_by AND u.active = 1 \
                WHERE e.interview_due_by IS NOT NULL AND e.interview_due_by >= $1 AND ri.offered_at IS NULL ORDER BY e.id")
            .bind(&from)
            .fetch_all(pool)
            .await?;
        for r in rows {
            let due = local_date("interview_due_by", &r.s("interview_due_by")?)?;
            push(&mut out, ChaseKind::ReturnInterviewOverdue, Subject::missing_episode(r.i("child_id")?, r.i("id")?), due, r.i("recorded_by")?);
        }

        // Actions on each child's current MACSE plan, not done or dropped by their due
        // date: the SPOCs of the agency the action is for.
        let rows = self
            .store
            .q("SELECT p.child_id, a.due_date, s.user_id FROM plan_actions a \
                JOIN plan_versions v ON v.id = a.version_id \
                JOIN plans p ON p.id = v.plan_id AND p.current_version = v.number \
                JOIN agency_spocs s ON s.agency_id = a.agency_id \
                JOIN users u ON u.id = s.user_id AND u.active = 1 \
                WHERE a.status IN ('not-started', 'in-progress') AND a.due_date >= $1 ORDER BY p.child_id, a.due_date")
            .bind(&from)
            .fetch_all(pool)
            .await?;
        for r in rows {
            push(&mut out, ChaseKind::PlanActionOverdue, Subject::plan(r.i("child_id")?), r.d("due_date")?, r.i("user_id")?);
        }

        // Referrals not yet decided: the MASH team.
        let mash: Vec<i64> = self
            .store
            .q("SELECT id FROM users WHERE role = 'mash-worker' AND active = 1 ORDER BY id")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.i("id"))
            .collect::<Result<_>>()?;
        let [s1, s2] = ReferralStatus::queue_slugs();
        let rows = self
            .store
            .q("SELECT id, submitted_at FROM referrals WHERE status IN ($1, $2) AND submitted_at >= $3 ORDER BY id")
            .bind(s1)
            .bind(s2)
            .bind(&from)
            .fetch_all(pool)
            .await?;
        for r in rows {
            let submitted = chrono::DateTime::parse_from_rfc3339(&r.s("submitted_at")?)
                .map_err(|e| StoreError::Corrupt(format!("referrals.submitted_at: {e}")))?;
            let due = assure_domain::clock::london_date(submitted.with_timezone(&chrono::Utc));
            out.push(Deadline { kind: ChaseKind::ReferralWaiting, subject: Subject::referral(r.i("id")?), due, recipients: mash.clone() });
        }
        Ok(out)
    }

    /// The chase job: queue a message for every chase due today that has not been queued
    /// before. Returns how many were queued. Safe to run as often as liked, on any number
    /// of instances at once.
    pub async fn run_chases(&self, service: &str, base_url: &str) -> Result<usize> {
        let today = self.store.today();
        let rules = self.rules().await?;
        let due = chase::due_chases(&rules, &self.deadlines().await?, today);
        if due.is_empty() {
            return Ok(0);
        }
        let addresses: BTreeMap<i64, (String, bool)> = self
            .store
            .q("SELECT id, email, mail_digest FROM users WHERE active = 1")
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|r| Ok((r.i("id")?, (r.s("email")?, r.i("mail_digest")? != 0))))
            .collect::<Result<_>>()?;
        let now = self.store.now();
        let mut queued = 0;
        let mut tx = self.store.write().await?;
        for c in &due {
            let Some((to, digest)) = addresses.get(&c.user_id) else { continue };
            if !self.fire(&mut tx, c, to, *digest, service, base_url, &now).await? {
                continue;
            }
            queued += 1;
        }
        if queued > 0 {
            tx.audit(&Actor::system(), Event::new("mail.chase", "mail_outbox", "chases", format!("{queued} chase messages queued"))).await?;
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// The daily digests: for each person who chose one and has held chases, once a day
    /// from [`chase::DIGEST_HOUR`] (council time), one message gathering them, queued in
    /// the same transaction that marks them digested, and kept once per person and day
    /// (as a chase is) so a second run or another instance queues nothing more. Returns
    /// how many digests were queued.
    pub async fn run_digests(&self, service: &str) -> Result<usize> {
        let local = self.store.clock().local_now();
        if local.hour() < chase::DIGEST_HOUR {
            return Ok(0);
        }
        let today = local.date();
        let people = self
            .store
            .q("SELECT DISTINCT m.user_id, u.email FROM mail_outbox m JOIN users u ON u.id = m.user_id AND u.active = 1 \
                WHERE m.status = 'held' ORDER BY m.user_id")
            .fetch_all(self.store.pool())
            .await?;
        if people.is_empty() {
            return Ok(0);
        }
        let now = self.store.now();
        let key = format!("digest:{today}");
        let mut queued = 0;
        let mut tx = self.store.write().await?;
        for p in people {
            let user = p.i("user_id")?;
            let new = self
                .store
                .q("INSERT INTO chases_fired (event_key, user_id, fired_at) VALUES ($1, $2, $3) ON CONFLICT (event_key, user_id) DO NOTHING")
                .bind(&key)
                .bind(user)
                .bind(&now)
                .execute(tx.conn())
                .await?
                .rows_affected();
            if new == 0 {
                continue; // today's digest went already; these wait for tomorrow's
            }
            let rows = self
                .store
                .q("SELECT id, subject, body FROM mail_outbox WHERE user_id = $1 AND status = 'held' ORDER BY id")
                .bind(user)
                .fetch_all(tx.conn())
                .await?;
            let held: Vec<(String, String)> = rows.iter().map(|r| Ok((r.s("subject")?, r.s("body")?))).collect::<Result<_>>()?;
            let m = chase::compose_digest(service, today, &held);
            let id = self.insert(&mut tx, Some(user), &p.s("email")?, &m.subject, &m.body, &key, "pending", &now).await?;
            for r in &rows {
                self.store
                    .q("UPDATE mail_outbox SET status = 'digested', digest_id = $1 WHERE id = $2")
                    .bind(id)
                    .bind(r.i("id")?)
                    .execute(tx.conn())
                    .await?;
            }
            self.store
                .q("UPDATE chases_fired SET outbox_id = $1 WHERE event_key = $2 AND user_id = $3")
                .bind(id)
                .bind(&key)
                .bind(user)
                .execute(tx.conn())
                .await?;
            queued += 1;
        }
        if queued > 0 {
            tx.audit(&Actor::system(), Event::new("mail.digest", "mail_outbox", "digests", format!("{queued} daily digests queued"))).await?;
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Whether `user` chose one e-mail a day rather than each chase as it happens.
    pub async fn digest_chosen(&self, user: i64) -> Result<bool> {
        let r = self
            .store
            .q("SELECT mail_digest FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(r.i("mail_digest")? != 0)
    }

    /// A person's own choice: each chase as it happens, or a daily digest.
    pub async fn choose_digest(&self, actor: &Actor, user: i64, digest: bool) -> Result<()> {
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE users SET mail_digest = $1 WHERE id = $2")
            .bind(i64::from(digest))
            .bind(user)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let detail = if digest { "e-mail: one a day" } else { "e-mail: each as it happens" };
        tx.audit(actor, Event::new("user.mail_preference", "user", user, detail)).await?;
        tx.commit().await
    }

    /// Record one chase and queue its message (held for the daily digest when the person
    /// chose one), unless it was recorded before.
    #[allow(clippy::too_many_arguments)]
    async fn fire(&self, tx: &mut crate::WriteTx<'_>, c: &Chase, to: &str, digest: bool, service: &str, base_url: &str, now: &str) -> Result<bool> {
        let key = c.event_key();
        let new = self
            .store
            .q("INSERT INTO chases_fired (event_key, user_id, fired_at) VALUES ($1, $2, $3) ON CONFLICT (event_key, user_id) DO NOTHING")
            .bind(&key)
            .bind(c.user_id)
            .bind(now)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if new == 0 {
            return Ok(false);
        }
        let m = chase::compose(c, service, base_url, self.store.today());
        let status = if digest { "held" } else { "pending" };
        let id = self.insert(tx, Some(c.user_id), to, &m.subject, &m.body, &key, status, now).await?;
        self.store
            .q("UPDATE chases_fired SET outbox_id = $1 WHERE event_key = $2 AND user_id = $3")
            .bind(id)
            .bind(&key)
            .bind(c.user_id)
            .execute(tx.conn())
            .await?;
        Ok(true)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn insert(
        &self,
        tx: &mut crate::WriteTx<'_>,
        user_id: Option<i64>,
        to: &str,
        subject: &str,
        body: &str,
        event: &str,
        status: &str,
        now: &str,
    ) -> Result<i64> {
        let row = self
            .store
            .q("INSERT INTO mail_outbox (user_id, to_address, subject, body, event, created_at, status, attempts, next_attempt_at, last_error) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $6, '') RETURNING id")
            .bind(user_id)
            .bind(to)
            .bind(subject)
            .bind(body)
            .bind(event)
            .bind(now)
            .bind(status)
            .fetch_one(tx.conn())
            .await?;
        row.i("id")
    }

    /// Queue a test message to `to` (an address already checked), for `assure mail test`.
    pub async fn queue_test(&self, actor: &Actor, to: &str, service: &str) -> Result<i64> {
        let now = self.store.now();
        let mut tx = self.store.write().await?;
        let body = format!(
            "This is a test message from {service}, sent by `assure mail test` at {now}.\n\nIf you can read it, {service} can send e-mail through this server.\n"
        );
        let id = self.insert(&mut tx, None, to, &format!("{service}: test message"), &body, "test", "pending", &now).await?;
        tx.audit(actor, Event::new("mail.test", "mail_outbox", id, "test message queued")).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Take up to `limit` messages due for sending (or only message `only`) and mark them
    /// as being sent, so no other worker takes them.
    pub async fn claim(&self, limit: i64, only: Option<i64>) -> Result<Vec<OutboxMessage>> {
        let now = self.store.now();
        let mut tx = self.store.write().await?;
        let lock = if self.store.engine() == Engine::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let text = format!(
            "SELECT {OUTBOX_COLUMNS} FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= $1 AND ($2 = 0 OR id = $2) ORDER BY id LIMIT $3{lock}"
        );
        let rows = self.store.q(&text).bind(&now).bind(only.unwrap_or(0)).bind(limit).fetch_all(tx.conn()).await?;
        let mut out = Vec::new();
        for r in rows {
            let mut m = message(&r)?;
            self.store.q("UPDATE mail_outbox SET status = 'sending', claimed_at = $1 WHERE id = $2").bind(&now).bind(m.id).execute(tx.conn()).await?;
            m.status = "sending".into();
            out.push(m);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The SMTP server accepted the message.
    pub async fn mark_sent(&self, id: i64) -> Result<()> {
        self.finish(id, "sent", "").await
    }

    /// No SMTP server is configured: the message was written to the log instead.
    pub async fn mark_logged(&self, id: i64) -> Result<()> {
        self.finish(id, "logged", "").await
    }

    async fn finish(&self, id: i64, status: &str, error: &str) -> Result<()> {
        let now = self.store.now();
        let mut tx = self.store.write().await?;
        self.store
            .q("UPDATE mail_outbox SET status = $1, sent_at = $2, last_error = $3, attempts = attempts + 1 WHERE id = $4")
            .bind(status)
            .bind(&now)
            .bind(error)
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// A try failed (`error` says why, with no message content): try again later, or
    /// leave it failed after [`MAX_ATTEMPTS`].
    pub async fn mark_attempt_failed(&self, id: i64, error: &str) -> Result<String> {
        let now = self.store.clock().now();
        let mut tx = self.store.write().await?;
        let attempts = self
            .store
            .q("SELECT attempts FROM mail_outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?
            .i("attempts")?
            + 1;
        let status = if attempts >= MAX_ATTEMPTS { "failed" } else { "pending" };
        let error: String = error.chars().take(500).collect();
        self.store
            .q("UPDATE mail_outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $5")
            .bind(status)
            .bind(attempts)
            .bind(stamp(now + back_off(attempts)))
            .bind(&error)
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(status.to_string())
    }

    /// Messages claimed long ago and never marked: their worker stopped mid-send. They
    /// are not sent again (they may have been delivered) but left failed, saying so.
    pub async fn abandon_interrupted(&self) -> Result<u64> {
        let before = stamp(self.store.clock().now() - Duration::minutes(SENDING_LEASE_MINUTES));
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE mail_outbox SET status = 'failed', last_error = 'Interrupted while being sent: it may or may not have been delivered, so it was not sent again.' \
                WHERE status = 'sending' AND claimed_at < $1")
            .bind(&before)
            .execute(tx.conn())
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// Messages not yet sent and those that failed, oldest first (at most `limit`).
    pub async fn waiting(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let text = format!("SELECT {OUTBOX_COLUMNS} FROM mail_outbox WHERE status IN ('pending', 'sending', 'failed') ORDER BY id LIMIT $1");
        self.store.q(&text).bind(limit).fetch_all(self.store.pool()).await?.iter().map(message).collect()
    }

    /// One message.
    pub async fn message(&self, id: i64) -> Result<OutboxMessage> {
        let text = format!("SELECT {OUTBOX_COLUMNS} FROM mail_outbox WHERE id = $1");
        message(&self.store.q(&text).bind(id).fetch_optional(self.store.pool()).await?.ok_or(StoreError::NotFound)?)
    }

    /// Every message, newest first (at most `limit`): for tests and the administrator.
    pub async fn recent(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let text = format!("SELECT {OUTBOX_COLUMNS} FROM mail_outbox ORDER BY id DESC LIMIT $1");
        self.store.q(&text).bind(limit).fetch_all(self.store.pool()).await?.iter().map(message).collect()
    }

    pub async fn counts(&self) -> Result<OutboxCounts> {
        let rows = self.store.q("SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status").fetch_all(self.store.pool()).await?;
        let mut c = OutboxCounts::default();
        for r in rows {
            let n = r.i("n")?;
            match r.s("status")?.as_str() {
                "pending" => c.pending = n,
                "sending" => c.sending = n,
                "sent" => c.sent = n,
                "logged" => c.logged = n,
                "held" => c.held = n,
                "digested" => c.digested = n,
                _ => c.failed += n,
            }
        }
        Ok(c)
    }
}

/// The date of a local time as missing episodes keep it (`YYYY-MM-DDTHH:MM:SS`).
fn local_date(col: &str, s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .map(|t| t.date())
        .map_err(|e| StoreError::Corrupt(format!("missing_episodes.{col}: {e}")))
}

fn push(out: &mut Vec<Deadline>, kind: ChaseKind, subject: Subject, due: chrono::NaiveDate, user_id: i64) {
    match out.last_mut() {
        Some(d) if d.kind == kind && d.subject == subject && d.due == due => d.recipients.push(user_id),
        _ => out.push(Deadline { kind, subject, due, recipients: vec![user_id] }),
    }
}
