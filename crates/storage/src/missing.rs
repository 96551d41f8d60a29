//! Missing episodes, return interviews and pattern routing (issue 5): an episode from
//! home, care or education with its times, where the child was found, the police
//! reference and risk grading; the independent return interview (offered, accepted or
//! declined, what the child said, what it found); and the pattern rules, held as data,
//! that take an episode to the missing monitoring group, MACSE, guns and gangs or CICOLA.
//! A CSE link routed to MACSE refers the child to MACSE (or is noted on the child's
//! open or MACSE referral).
//!
//! Episode times are wall-clock times as people enter them (the council's local time),
//! stored as ISO text `YYYY-MM-DDTHH:MM:SS`. Every change is audited against the child
//! with ids and slugs only. A child's episodes are read and changed through its
//! [`ChildRecord`]; lists take a [`Reader`] and go through [`push_reach`].

use std::collections::HashMap;

use assure_domain::missing::{
    check_episode, check_interview, check_new_episode, check_pattern_rules, check_return, default_pattern_rules, forums_for, interview_due_by,
    offered_in_time, repeatedly_missing, Findings, Forum, InterviewResponse, MissingFrom, NewEpisode, PatternRule, Return, RiskGrading, Span,
};
pub use assure_domain::missing::{EpisodeInput, InterviewInput};
use assure_domain::partnership::{InvolvementKind, Section, Viewer};
use assure_domain::referral::{MashDecision, ReferralSource, ReferralStatus};
use assure_domain::screening::RiskLevel;
use assure_domain::{Checked, Invalid, Permission};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::{push_reach, push_reach_per_row, ChildRecord, Reader};
use crate::keyset::{KeyPart, Keyset, Page, PageRequest, Total};
use crate::referrals::ChildRef;
use crate::sql::Sql;
use crate::{all_checks, to_json, Actor, Result, RowExt, Store, StoreError, WriteTx};

/// The reason recorded on the MASH decision of a referral made by the pattern routing.
pub const MACSE_REASON: &str = "CSE link in the return interview of a missing episode";

const TIME: &str = "%Y-%m-%dT%H:%M:%S";

pub fn time_str(t: NaiveDateTime) -> String {
    t.format(TIME).to_string()
}

fn parse_time(col: &str, s: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, TIME).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

fn opt_time(r: &AnyRow, col: &str) -> Result<Option<NaiveDateTime>> {
    match r.os(col)? {
        Some(s) if !s.is_empty() => parse_time(col, &s).map(Some),
        _ => Ok(None),
    }
}

/// A recorded return interview. Serialised with the dataset's names for the offer and
/// the response.
#[derive(Debug, Clone, Serialize)]
pub struct Interview {
    pub id: i64,
    #[serde(rename = "return_interview_offered")]
    pub offered_at: Option<NaiveDateTime>,
    #[serde(rename = "return_interview_accepted")]
    pub response: Option<InterviewResponse>,
    pub interviewer: String,
    pub provider: String,
    pub said_about_cse: String,
    pub said_about_organised_crime: String,
    pub where_and_with_whom: String,
    pub follow_up_actions: String,
    pub findings: Findings,
    pub recorded_at: String,
    pub version: i64,
}

/// Where an episode was routed, and the referral the MACSE route made or was noted on.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub forum: Forum,
    pub rule_set_version: i64,
    pub routed_at: String,
    pub referral_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Episode {
    pub id: i64,
    pub child_id: i64,
    pub child_name: String,
    pub child_legal_status: String,
    pub missing_from: MissingFrom,
    #[serde(rename = "missing_start")]
    pub started_at: NaiveDateTime,
    #[serde(rename = "missing_end")]
    pub ended_at: Option<NaiveDateTime>,
    pub interview_due_by: Option<NaiveDateTime>,
    pub where_found: String,
    pub police_reference: String,
    pub risk_grading: RiskGrading,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
    pub version: i64,
    pub interview: Option<Interview>,
    pub routes: Vec<Route>,
}

impl Episode {
    pub fn span(&self) -> Span {
        Span { start: self.started_at, end: self.ended_at }
    }
    /// Whether the return interview was offered within 72 hours (see [`offered_in_time`]).
    pub fn offered_in_time(&self, now: NaiveDateTime) -> Option<bool> {
        offered_in_time(self.ended_at, self.interview.as_ref().and_then(|i| i.offered_at), now)
    }
}

/// A child missing three or more times in 90 days.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatedChild {
    pub child_id: i64,
    pub child_name: String,
    pub episodes: i64,
    pub last_started_at: NaiveDateTime,
}

/// The pattern rules in force, with their version.
#[derive(Debug, Clone, Serialize)]
pub struct PatternRules {
    pub version: i64,
    pub rules: Vec<PatternRule>,
}

const EP_COLS: &str = "e.id, e.child_id, c.first_name, c.last_name, c.legal_status, e.missing_from, e.started_at, e.ended_at, e.interview_due_by, e.where_found, \
    e.police_reference, e.risk_grading, u.name AS recorded_by_name, e.recorded_at, e.version, ri.id AS ri_id, ri.offered_at, ri.response, ri.interviewer, ri.provider, \
    ri.said_about_cse, ri.said_about_organised_crime, ri.where_and_with_whom, ri.follow_up_actions, ri.finding_cse, ri.finding_organised_crime, \
    ri.finding_placement_concern, ri.recorded_at AS ri_recorded_at, ri.version AS ri_version";

const EP_FROM: &str = "missing_episodes e JOIN children c ON c.id = e.child_id LEFT JOIN return_interviews ri ON ri.episode_id = e.id LEFT JOIN users u ON u.id = e.recorded_by";

fn episode(r: &AnyRow) -> Result<Episode> {
    let interview = match r.oi("ri_id")? {
        None => None,
        Some(id) => Some(Interview {
            id,
            offered_at: opt_time(r, "offered_at")?,
            response: r.oe("response")?,
            interviewer: r.os("interviewer")?.unwrap_or_default(),
            provider: r.os("provider")?.unwrap_or_default(),
            said_about_cse: r.os("said_about_cse")?.unwrap_or_default(),
            said_about_organised_crime: r.os("said_about_organised_crime")?.unwrap_or_default(),
            where_and_with_whom: r.os("where_and_with_whom")?.unwrap_or_default(),
            follow_up_actions: r.os("follow_up_actions")?.unwrap_or_default(),
            findings: Findings {
                cse: r.oi("finding_cse")?.unwrap_or(0) != 0,
                organised_crime: r.oi("finding_organised_crime")?.unwrap_or(0) != 0,
                placement_concern: r.oi("finding_placement_concern")?.unwrap_or(0) != 0,
            },
            recorded_at: r.os("ri_recorded_at")?.unwrap_or_default(),
            version: r.oi("ri_version")?.unwrap_or(1),
        }),
    };
    Ok(Episode {
        id: r.i("id")?,
        child_id: r.i("child_id")?,
        child_name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
        child_legal_status: r.s("legal_status")?,
        missing_from: r.e("missing_from")?,
        started_at: parse_time("started_at", &r.s("started_at")?)?,
        ended_at: opt_time(r, "ended_at")?,
        interview_due_by: opt_time(r, "interview_due_by")?,
        where_found: r.s("where_found")?,
        police_reference: r.s("police_reference")?,
        risk_grading: r.e("risk_grading")?,
        recorded_by_name: r.os("recorded_by_name")?,
        recorded_at: r.s("recorded_at")?,
        version: r.i("version")?,
        interview,
        routes: Vec::new(),
    })
}

fn due_by(ended: Option<NaiveDateTime>) -> Option<String> {
    ended.map(|e| time_str(interview_due_by(e)))
}

impl Store {
    /// The child's other episodes' spans (in a transaction: after the child's row is locked).
    async fn other_spans(&self, conn: &mut sqlx::AnyConnection, child_id: i64, except: Option<i64>) -> Result<Vec<Span>> {
        let rows = self
            .q("SELECT id, started_at, ended_at FROM missing_episodes WHERE child_id = $1 ORDER BY started_at")
            .bind(child_id)
            .fetch_all(conn)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            if Some(r.i("id")?) == except {
                continue;
            }
            out.push(Span { start: parse_time("started_at", &r.s("started_at")?)?, end: opt_time(r, "ended_at")? });
        }
        Ok(out)
    }

    /// Serialise changes to one child's episodes (the overlap check reads, then writes):
    /// a no-op update takes the child's row lock on PostgreSQL; SQLite has one writer.
    async fn lock_child(&self, tx: &mut WriteTx<'_>, child_id: i64) -> Result<()> {
        self.q("UPDATE children SET version = version WHERE id = $1").bind(child_id).execute(tx.conn()).await?;
        Ok(())
    }

    /// A new episode checked: the domain's rules against the child's other episodes
    /// (an existing child's), and the child's reach, every problem at once.
    async fn checked_episode(&self, viewer: &Viewer, input: &EpisodeInput) -> Result<Checked<NewEpisode>> {
        let others = match &input.child {
            Some(ChildRef::Existing(id)) if input.started_at.is_some() => {
                let mut conn = self.pool().acquire().await?;
                self.other_spans(&mut conn, *id, None).await?
            }
            _ => Vec::new(),
        };
        let checked = check_new_episode(input, &others, self.clock().local_now());
        let found = self.child_reach_problems(viewer, input.child.as_ref()).await?;
        all_checks(checked, found, &["child"])
    }

    /// One episode of one child (404 when it belongs to another child).
    async fn episode_of(&self, child_id: i64, episode_id: i64) -> Result<Episode> {
        let sql = format!("SELECT {EP_COLS} FROM {EP_FROM} WHERE e.id = $1 AND e.child_id = $2");
        let mut e = vec![episode(&self.q(&sql).bind(episode_id).bind(child_id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)?];
        self.attach_routes(&mut e).await?;
        Ok(e.remove(0))
    }

    /// The child was found or returned: when and where. A stale version is a conflict.
    #[allow(clippy::too_many_arguments)]
    async fn end_episode(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        child_id: i64,
        episode_id: i64,
        version: i64,
        ended_at: Option<NaiveDateTime>,
        where_found: &str,
    ) -> Result<()> {
        let ep = self.episode_of(child_id, episode_id).await?;
        // Every problem at once first; the overlap again inside the transaction, where
        // the child's other episodes are read under its lock.
        check_return(ep.started_at, ended_at, where_found, &[], self.clock().local_now())?;
        if ep.version != version {
            return Err(StoreError::Conflict);
        }
        let mut tx = self.write().await?;
        self.lock_child(&mut tx, child_id).await?;
        let others = self.other_spans(tx.conn(), child_id, Some(episode_id)).await?;
        let Return { ended_at: end, where_found } =
            check_return(ep.started_at, ended_at, where_found, &others, self.clock().local_now())?.into_inner();
        let n = self
            .q("UPDATE missing_episodes SET ended_at = $1, interview_due_by = $2, where_found = $3, version = version + 1 WHERE id = $4 AND child_id = $5 AND version = $6")
            .bind(time_str(end))
            .bind(due_by(Some(end)))
            .bind(where_found)
            .bind(episode_id)
            .bind(child_id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        self.involve_in(&mut tx, actor, child_id, viewer.agency_id, InvolvementKind::RecordedMissing, &viewer.acting_scopes(), end.date()).await?;
        tx.audit(actor, Event::new("missing.end", "child", child_id, format!("missing episode {episode_id}: found or returned"))).await?;
        tx.commit().await
    }

    /// Record (or correct) the return interview. `version` is the interview's as the
    /// person saw it (`None` when there was none): stale is a conflict. The episode is
    /// then routed by the pattern rules in the same transaction.
    #[allow(clippy::too_many_arguments)]
    async fn record_interview(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        child_id: i64,
        episode_id: i64,
        version: Option<i64>,
        input: &InterviewInput,
    ) -> Result<i64> {
        let ep = self.episode_of(child_id, episode_id).await?;
        let i = check_interview(input, ep.ended_at, self.clock().local_now())?.into_inner();
        let (offered, response) = (i.offered_at, i.response);
        if ep.interview.as_ref().map(|i| i.version) != version {
            return Err(StoreError::Conflict);
        }
        let f = i.findings;
        if f.cse {
            // A referral names the screening tool version in force (seeded on first use).
            self.screening().current().await?;
        }
        let mut tx = self.write().await?;
        let id = match version {
            None => {
                let inserted = self
                    .q("INSERT INTO return_interviews (episode_id, offered_at, response, interviewer, provider, said_about_cse, said_about_organised_crime, where_and_with_whom, \
                        follow_up_actions, finding_cse, finding_organised_crime, finding_placement_concern, recorded_by, recorded_at) \
                        VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) ON CONFLICT (episode_id) DO NOTHING RETURNING id")
                    .bind(episode_id)
                    .bind(time_str(offered))
                    .bind(response.slug())
                    .bind(i.interviewer.clone())
                    .bind(i.provider.clone())
                    .bind(i.said_about_cse.clone())
                    .bind(i.said_about_organised_crime.clone())
                    .bind(i.where_and_with_whom.clone())
                    .bind(i.follow_up_actions.clone())
                    .bind(i64::from(f.cse))
                    .bind(i64::from(f.organised_crime))
                    .bind(i64::from(f.placement_concern))
                    .bind(actor.user_id)
                    .bind(self.now())
                    .fetch_optional(tx.conn())
                    .await?;
                inserted.ok_or(StoreError::Conflict)?.i("id")?
            }
            Some(ver) => {
                let n = self
                    .q("UPDATE return_interviews SET offered_at=$1, response=$2, interviewer=$3, provider=$4, said_about_cse=$5, said_about_organised_crime=$6, where_and_with_whom=$7, \
                        follow_up_actions=$8, finding_cse=$9, finding_organised_crime=$10, finding_placement_concern=$11, recorded_by=$12, recorded_at=$13, version = version + 1 \
                        WHERE episode_id = $14 AND version = $15")
                    .bind(time_str(offered))
                    .bind(response.slug())
                    .bind(i.interviewer.clone())
                    .bind(i.provider.clone())
                    .bind(i.said_about_cse.clone())
                    .bind(i.said_about_organised_crime.clone())
                    .bind(i.where_and_with_whom.clone())
                    .bind(i.follow_up_actions.clone())
                    .bind(i64::from(f.cse))
                    .bind(i64::from(f.organised_crime))
                    .bind(i64::from(f.placement_concern))
                    .bind(actor.user_id)
                    .bind(self.now())
                    .bind(episode_id)
                    .bind(ver)
                    .execute(tx.conn())
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(StoreError::Conflict);
                }
                ep.interview.as_ref().map(|i| i.id).unwrap_or_default()
            }
        };
        self.involve_in(&mut tx, actor, child_id, viewer.agency_id, InvolvementKind::RecordedMissing, &viewer.acting_scopes(), offered.date())
            .await?;
        let flags: Vec<&str> = [(f.cse, "cse"), (f.organised_crime, "organised-crime"), (f.placement_concern, "placement-concern")]
            .iter()
            .filter(|(b, _)| *b)
            .map(|(_, s)| *s)
            .collect();
        let flags = if flags.is_empty() { "no links".to_string() } else { flags.join(", ") };
        tx.audit(
            actor,
            Event::new(
                "missing.interview",
                "child",
                child_id,
                format!("missing episode {episode_id}: return interview {id}, {}, {flags}", response.slug()),
            ),
        )
        .await?;
        self.route_in_tx(&mut tx, actor, viewer, episode_id).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Apply the current pattern rules to an episode now (routing also happens whenever
    /// an episode or interview is saved). Forums already routed to are not repeated.
    /// Returns the forums newly routed to.
    async fn route_episode(&self, actor: &Actor, viewer: &Viewer, episode_id: i64) -> Result<Vec<Forum>> {
        let mut tx = self.write().await?;
        let out = self.route_in_tx(&mut tx, actor, viewer, episode_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn route_in_tx(&self, tx: &mut WriteTx<'_>, actor: &Actor, viewer: &Viewer, episode_id: i64) -> Result<Vec<Forum>> {
        let rules = self.pattern_rules().current().await?;
        let sql = format!("SELECT {EP_COLS} FROM {EP_FROM} WHERE e.id = $1");
        let ep = episode(&self.q(&sql).bind(episode_id).fetch_optional(tx.conn()).await?.ok_or(StoreError::NotFound)?)?;
        let starts = self.q("SELECT started_at FROM missing_episodes WHERE child_id = $1").bind(ep.child_id).fetch_all(tx.conn()).await?;
        let starts = starts.iter().map(|r| parse_time("started_at", &r.s("started_at")?)).collect::<Result<Vec<_>>>()?;
        let repeated = repeatedly_missing(&starts, ep.started_at.date());
        let findings = ep.interview.as_ref().map(|i| i.findings).unwrap_or_default();
        let done = self.q("SELECT forum FROM episode_routes WHERE episode_id = $1").bind(episode_id).fetch_all(tx.conn()).await?;
        let done = done.iter().map(|r| r.e::<Forum>("forum")).collect::<Result<Vec<_>>>()?;
        let mut routed = Vec::new();
        for forum in forums_for(&rules.rules, &findings, repeated) {
            if done.contains(&forum) {
                continue;
            }
            let referral_id = if forum == Forum::Macse && findings.cse { Some(self.refer_to_macse(tx, actor, viewer, &ep).await?) } else { None };
            self.q("INSERT INTO episode_routes (episode_id, forum, rule_set_version, routed_at, routed_by, referral_id) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(episode_id)
                .bind(forum.slug())
                .bind(rules.version)
                .bind(self.now())
                .bind(actor.user_id)
                .bind(referral_id)
                .execute(tx.conn())
                .await?;
            let to_referral = referral_id.map(|r| format!(", referral {r}")).unwrap_or_default();
            tx.audit(
                actor,
                Event::new(
                    "missing.route",
                    "child",
                    ep.child_id,
                    format!("missing episode {episode_id}: routed to {} by pattern rules {}{to_referral}", forum.slug(), rules.version),
                ),
            )
            .await?;
            routed.push(forum);
        }
        Ok(routed)
    }

    /// The CSE link goes to MACSE: noted on the child's open referral (awaiting the
    /// MASH) or MACSE referral if there is one, otherwise a new referral from the
    /// return interview with the decision "MACSE" already recorded. No CSE 2 screening
    /// is faked: its answers are empty, and its risk level is the police risk grading
    /// of the episode. Returns the referral's id.
    async fn refer_to_macse(&self, tx: &mut WriteTx<'_>, actor: &Actor, viewer: &Viewer, ep: &Episode) -> Result<i64> {
        let existing = self
            .q("SELECT id FROM referrals WHERE child_id = $1 AND (status IN ($2,$3) OR decision IN ($4,$5) OR follow_on = $4) ORDER BY submitted_at DESC, id DESC LIMIT 1")
            .bind(ep.child_id)
            .bind(ReferralStatus::Submitted.slug())
            .bind(ReferralStatus::ChecksInProgress.slug())
            .bind(MashDecision::Macse.slug())
            .bind(MashDecision::ChildInNeedAndMacse.slug())
            .fetch_optional(tx.conn())
            .await?;
        if let Some(r) = existing {
            let id = r.i("id")?;
            tx.audit(
                actor,
                Event::new(
                    "referral.link",
                    "child",
                    ep.child_id,
                    format!("referral {id}: CSE link in the return interview of missing episode {}", ep.id),
                ),
            )
            .await?;
            return Ok(id);
        }
        let tool_version = self.q("SELECT MAX(version) AS v FROM screening_tools").fetch_one(tx.conn()).await?.oi("v")?.unwrap_or(1);
        let Some(i) = &ep.interview else {
            return Err(StoreError::Corrupt(format!("missing episode {}: a CSE link with no return interview", ep.id)));
        };
        let at = self.now();
        let seen_on = i.offered_at.map(|o| o.date()).or(ep.ended_at.map(|e| e.date())).unwrap_or(ep.started_at.date());
        let seen_by = [i.interviewer.as_str(), i.provider.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(", ");
        let text = format!(
            "Referred to MACSE by the partnership's pattern rules: the return interview after the child's missing episode (missing from {}, {} to {}) found a link to child sexual exploitation.{}",
            ep.missing_from.label().to_lowercase(),
            ep.started_at.format("%d/%m/%Y %H:%M"),
            ep.ended_at.map(|e| e.format("%d/%m/%Y %H:%M").to_string()).unwrap_or_default(),
            if i.follow_up_actions.is_empty() { String::new() } else { format!(" Follow-up actions: {}", i.follow_up_actions) }
        );
        let risk = RiskLevel::from_slug(ep.risk_grading.slug()).unwrap_or(RiskLevel::NoApparentRisk);
        let id = self
            .q("INSERT INTO referrals (child_id, agency_id, raised_by, source, what_seen, seen_on, seen_where, seen_by, referral_text, tool_version, answers_json, risk_level, status, \
                submitted_at, picked_up_at, decision, decision_reasons, interventions, keep_monitoring, decided_at, decided_by) \
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14,$15,$16,'',0,$14,NULL) RETURNING id")
            .bind(ep.child_id)
            .bind(viewer.agency_id)
            .bind(actor.user_id)
            .bind(ReferralSource::ReturnInterview.slug())
            .bind(i.said_about_cse.clone())
            .bind(crate::date_str(seen_on))
            .bind(i.where_and_with_whom.clone())
            .bind(seen_by)
            .bind(text)
            .bind(tool_version)
            .bind("{}")
            .bind(risk.slug())
            .bind(ReferralStatus::Decided.slug())
            .bind(at)
            .bind(MashDecision::Macse.slug())
            .bind(MACSE_REASON)
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(
            actor,
            Event::new(
                "referral.raise",
                "child",
                ep.child_id,
                format!(
                    "referral {id}: {}, missing episode {}, decided {}",
                    ReferralSource::ReturnInterview.slug(),
                    ep.id,
                    MashDecision::Macse.slug()
                ),
            ),
        )
        .await?;
        Ok(id)
    }

    async fn attach_routes(&self, eps: &mut [Episode]) -> Result<()> {
        if eps.is_empty() {
            return Ok(());
        }
        let mut by: HashMap<i64, Vec<Route>> = HashMap::new();
        for chunk in eps.chunks(crate::IN_LIST_CHUNK) {
            let mut sql = Sql::new("SELECT episode_id, forum, rule_set_version, routed_at, referral_id FROM episode_routes WHERE episode_id IN (");
            sql.bind_list(chunk.iter().map(|e| e.id)).push(") ORDER BY routed_at, id");
            for r in sql.query(self).fetch_all(self.pool()).await? {
                by.entry(r.i("episode_id")?).or_default().push(Route {
                    forum: r.e("forum")?,
                    rule_set_version: r.i("rule_set_version")?,
                    routed_at: r.s("routed_at")?,
                    referral_id: r.oi("referral_id")?,
                });
            }
        }
        for e in eps.iter_mut() {
            e.routes = by.remove(&e.id).unwrap_or_default();
        }
        Ok(())
    }

    /// One page of the episodes matching `filter` (SQL on `e`, `c`, `ri`, with its own
    /// bound values) of children in the reader's reach, in `order` (keyset: a page is one
    /// range of the index that matches the order), and how many match in all.
    async fn episodes_page(&self, reader: &Reader, filter: &Sql, order: &EpisodeOrder, req: &PageRequest) -> Result<(Page<Episode>, Total)> {
        let mut wh = Sql::new(" WHERE c.merged_into_id IS NULL AND ");
        wh.append(filter).push(" AND ");
        let mut matching = Sql::new(format!("SELECT 1 FROM {EP_FROM}"));
        matching.append(&wh);
        // The count takes the reach as a set, and stops past its bound; the page probes
        // it row by row along the list's order, so that only the rows of one page are
        // looked at.
        push_reach(&mut matching, &reader.reach(), "c.id");
        let total = self.count_up_to(&matching, Total::BOUND).await?;
        let mut sql = Sql::new(format!("SELECT {EP_COLS} FROM {EP_FROM}"));
        sql.append(&wh);
        push_reach_per_row(&mut sql, &reader.reach(), "c.id");
        order.keyset.push_seek(&mut sql, req);
        order.keyset.push_order(&mut sql, req);
        let rows = sql.query(self).fetch_all(self.pool()).await?;
        let key = order.key;
        let mut page = order.keyset.page(&rows, req, |r| Ok(vec![KeyPart::Text(r.s(key)?), KeyPart::Int(r.i("id")?)]), episode)?;
        self.attach_routes(&mut page.items).await?;
        Ok((page, total))
    }
}

/// A list of episodes' order: its keyset and the column of the row that holds the first
/// part of the key.
struct EpisodeOrder {
    keyset: Keyset,
    key: &'static str,
}

/// Newest first (read through missing_episodes_started, migration 0095).
const NEWEST_FIRST: EpisodeOrder = EpisodeOrder { keyset: Keyset { columns: &["e.started_at", "e.id"], descending: true }, key: "started_at" };
/// The first due first (read through missing_episodes_due, migration 0095).
const FIRST_DUE_FIRST: EpisodeOrder =
    EpisodeOrder { keyset: Keyset { columns: &["e.interview_due_by", "e.id"], descending: false }, key: "interview_due_by" };
/// Children missing most often first, then by name: the count negated, so that the
/// whole key ascends.
const REPEATED_ORDER: Keyset = Keyset { columns: &["g.fewest", "g.last_name", "g.first_name", "g.id"], descending: false };

impl ChildRecord {
    /// The child's episodes with their interviews and routes, newest first.
    pub async fn episodes(&self) -> Result<Vec<Episode>> {
        self.require(Section::Missing).await?;
        let store = &self.store;
        let sql = format!("SELECT {EP_COLS} FROM {EP_FROM} WHERE e.child_id = $1 ORDER BY e.started_at DESC, e.id DESC");
        let mut out = store.q(&sql).bind(self.id()).fetch_all(store.pool()).await?.iter().map(episode).collect::<Result<Vec<_>>>()?;
        store.attach_routes(&mut out).await?;
        Ok(out)
    }

    /// One of the child's episodes (not found when it is another child's).
    pub async fn episode(&self, episode_id: i64) -> Result<Episode> {
        self.require(Section::Missing).await?;
        self.store.episode_of(self.id(), episode_id).await
    }

    /// The child was found or returned: when and where. A stale version is a conflict.
    pub async fn end_episode(&self, episode_id: i64, version: i64, ended_at: Option<NaiveDateTime>, where_found: &str) -> Result<()> {
        self.require(Section::Missing).await?;
        self.require_permission(Permission::RecordMissing, "missing").await?;
        self.store.end_episode(self.actor(), self.viewer(), self.id(), episode_id, version, ended_at, where_found).await
    }

    /// Record (or correct) the return interview of one of the child's episodes.
    /// `version` is the interview's as the person saw it (`None` when there was none):
    /// stale is a conflict. The episode is then routed by the pattern rules.
    pub async fn record_interview(&self, episode_id: i64, version: Option<i64>, input: &InterviewInput) -> Result<i64> {
        self.require(Section::Missing).await?;
        self.require_permission(Permission::RecordMissing, "missing").await?;
        self.store.record_interview(self.actor(), self.viewer(), self.id(), episode_id, version, input).await
    }

    /// Apply the current pattern rules to one of the child's episodes now (routing also
    /// happens whenever an episode or interview is saved). Returns the forums newly routed to.
    pub async fn route_episode(&self, episode_id: i64) -> Result<Vec<Forum>> {
        self.require_permission(Permission::RecordMissing, "missing").await?;
        self.episode(episode_id).await?;
        self.store.route_episode(self.actor(), self.viewer(), episode_id).await
    }
}

/// Missing episodes as a reader records and sees them: a new episode (a child within reach or new), and the missing monitoring group's lists within reach (`store.missing(&reader)`).
#[derive(Clone, Copy)]
pub struct Missing<'s> {
    store: &'s Store,
    reader: &'s Reader,
}

impl Store {
    pub fn missing<'s>(&'s self, reader: &'s Reader) -> Missing<'s> {
        Missing { store: self, reader }
    }
}

impl std::ops::Deref for Missing<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl Missing<'_> {
    /// Every problem with a new episode that can be found without saving (the web edge
    /// adds its own, e.g. an unreadable time, and shows them together).
    pub async fn problems(&self, input: &EpisodeInput) -> Result<Invalid> {
        match self.checked_episode(self.reader.viewer(), input).await {
            Ok(_) => Ok(Invalid::new()),
            Err(StoreError::Invalid(v)) => Ok(v),
            Err(e) => Err(e),
        }
    }

    /// Record a missing episode: the child chosen within the recorder's reach, or a new
    /// child, in the same transaction. The episode must end after it starts, not be in
    /// the future, and not overlap another of the child's episodes; all problems come
    /// back together and nothing is saved. The recorder's agency becomes involved with
    /// the child; the episode is routed by the pattern rules (a third episode in 90 days
    /// goes to the missing monitoring group). Returns (child id, episode id).
    pub async fn record_episode(&self, input: &EpisodeInput) -> Result<(i64, i64)> {
        if !self.reader.can(Permission::RecordMissing) {
            return Err(self.refuse(self.reader.actor(), "missing-episodes", "new", "missing episode: refused, the role does not allow it").await);
        }
        let (actor, viewer) = (self.reader.actor(), self.reader.viewer());
        let e = self.checked_episode(viewer, input).await?.into_inner();
        let mut tx = self.write().await?;
        let child_id = self.child_id_for(&mut tx, actor, &e.child).await?;
        self.lock_child(&mut tx, child_id).await?;
        // Again inside the transaction: someone may have recorded an episode meanwhile.
        let others = self.other_spans(tx.conn(), child_id, None).await?;
        check_episode(&e.span, &others, self.store.clock().local_now())?;
        let (from, grading, start, ended_at) = (e.missing_from, e.risk_grading, e.span.start, e.span.end);
        let id = self
            .q("INSERT INTO missing_episodes (child_id, missing_from, started_at, ended_at, interview_due_by, where_found, police_reference, risk_grading, recorded_by, recorded_at) \
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id")
            .bind(child_id)
            .bind(from.slug())
            .bind(time_str(start))
            .bind(ended_at.map(time_str))
            .bind(due_by(ended_at))
            .bind(e.where_found)
            .bind(e.police_reference)
            .bind(grading.slug())
            .bind(actor.user_id)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        self.involve_in(&mut tx, actor, child_id, viewer.agency_id, InvolvementKind::RecordedMissing, &viewer.acting_scopes(), start.date()).await?;
        let state = if ended_at.is_some() { "returned" } else { "still missing" };
        tx.audit(
            actor,
            Event::new("missing.record", "child", child_id, format!("missing episode {id}: from {}, {}, {state}", from.slug(), grading.slug())),
        )
        .await?;
        self.route_in_tx(&mut tx, actor, viewer, id).await?;
        tx.commit().await?;
        Ok((child_id, id))
    }

    /// One page of the episodes that started in the month of `month` (any day of it),
    /// children in reach, newest first, and how many there are in all.
    pub async fn in_month(&self, month: NaiveDate, req: &PageRequest) -> Result<(Page<Episode>, Total)> {
        let first = NaiveDate::from_ymd_opt(chrono::Datelike::year(&month), chrono::Datelike::month(&month), 1).unwrap_or(month);
        let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
        let mut f = Sql::new("e.started_at >= ");
        f.bind(crate::date_str(first)).push(" AND e.started_at < ").bind(crate::date_str(next));
        self.episodes_page(self.reader, &f, &NEWEST_FIRST, req).await
    }

    /// One page of the children in reach missing three or more times in the 90 days up
    /// to `today` (the same window as [`repeatedly_missing`]), most episodes first, then
    /// by name; and how many children there are in all.
    pub async fn repeatedly_missing(&self, today: NaiveDate, req: &PageRequest) -> Result<(Page<RepeatedChild>, Total)> {
        let from = today - Duration::days(89);
        let to = today + Duration::days(1);
        let mut grouped = Sql::new(
            "SELECT c.id, c.first_name, c.last_name, COUNT(*) AS n, 0 - COUNT(*) AS fewest, MAX(e.started_at) AS last_started \
             FROM missing_episodes e JOIN children c ON c.id = e.child_id WHERE e.started_at >= ",
        );
        grouped.bind(crate::date_str(from)).push(" AND e.started_at < ").bind(crate::date_str(to)).push(" AND c.merged_into_id IS NULL AND ");
        push_reach(&mut grouped, &self.reader.reach(), "c.id");
        grouped.push(" GROUP BY c.id, c.first_name, c.last_name HAVING COUNT(*) >= 3");
        let mut matching = Sql::new("SELECT 1 FROM (");
        matching.append(&grouped).push(") g");
        let total = self.count_up_to(&matching, Total::BOUND).await?;
        let mut sql = Sql::new("SELECT g.id, g.first_name, g.last_name, g.n, g.fewest, g.last_started FROM (");
        sql.append(&grouped).push(") g WHERE 1=1");
        REPEATED_ORDER.push_seek(&mut sql, req);
        REPEATED_ORDER.push_order(&mut sql, req);
        let rows = sql.query(self).fetch_all(self.pool()).await?;
        let page = REPEATED_ORDER.page(
            &rows,
            req,
            |r| Ok(vec![KeyPart::Int(r.i("fewest")?), KeyPart::Text(r.s("last_name")?), KeyPart::Text(r.s("first_name")?), KeyPart::Int(r.i("id")?)]),
            |r| {
                Ok(RepeatedChild {
                    child_id: r.i("id")?,
                    child_name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
                    episodes: r.i("n")?,
                    last_started_at: parse_time("last_started", &r.s("last_started")?)?,
                })
            },
        )?;
        Ok((page, total))
    }

    /// One page of the episodes whose return interview was not offered within 72 hours
    /// of the return: offered late, or not offered and the 72 hours have passed (children
    /// in reach), newest first; and how many there are in all.
    pub async fn interviews_not_offered_in_time(&self, now: NaiveDateTime, req: &PageRequest) -> Result<(Page<Episode>, Total)> {
        let mut f = Sql::new("e.interview_due_by IS NOT NULL AND ((ri.offered_at IS NULL AND e.interview_due_by < ");
        f.bind(time_str(now)).push(") OR ri.offered_at > e.interview_due_by)");
        self.episodes_page(self.reader, &f, &NEWEST_FIRST, req).await
    }

    /// One page of the episodes whose child has come back and whose return interview has
    /// not been offered yet (each due within 72 hours of the return), children in reach,
    /// the first due first; and how many there are in all.
    pub async fn interviews_to_offer(&self, req: &PageRequest) -> Result<(Page<Episode>, Total)> {
        let f = Sql::new("e.interview_due_by IS NOT NULL AND ri.offered_at IS NULL");
        self.episodes_page(self.reader, &f, &FIRST_DUE_FIRST, req).await
    }

    /// One page of the episodes of children looked after by another authority and placed
    /// here (the placement notifications themselves are kept separately), newest first;
    /// and how many there are in all.
    pub async fn placed_from_elsewhere(&self, req: &PageRequest) -> Result<(Page<Episode>, Total)> {
        let mut f = Sql::new("c.legal_status = ");
        f.bind(assure_domain::partnership::LegalStatus::LookedAfterElsewhere.slug());
        self.episodes_page(self.reader, &f, &NEWEST_FIRST, req).await
    }
}

/// The pattern rules' versions that route missing episodes to the groups (`store.pattern_rules()`).
#[derive(Clone, Copy)]
pub struct PatternRuleSets<'s> {
    store: &'s Store,
}

impl Store {
    pub fn pattern_rules(&self) -> PatternRuleSets<'_> {
        PatternRuleSets { store: self }
    }
}

impl std::ops::Deref for PatternRuleSets<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl PatternRuleSets<'_> {
    /// The pattern rules in force: the highest version (version 1, the defaults, is
    /// seeded by the migration).
    pub async fn current(&self) -> Result<PatternRules> {
        match self.q("SELECT version, rules_json FROM pattern_rule_sets ORDER BY version DESC LIMIT 1").fetch_optional(self.pool()).await? {
            Some(r) => {
                let version = r.i("version")?;
                let rules = serde_json::from_str(&r.s("rules_json")?).map_err(|e| StoreError::Corrupt(format!("pattern rules {version}: {e}")))?;
                Ok(PatternRules { version, rules })
            }
            None => Ok(PatternRules { version: 0, rules: default_pattern_rules() }),
        }
    }

    /// Save edited pattern rules as a new version (`version` is the one the editor
    /// started from: a stale one is a conflict). Routes already made keep their version.
    pub async fn save(&self, actor: &Actor, version: i64, rules: &[PatternRule]) -> Result<i64> {
        let rules = check_pattern_rules(rules)?.into_inner();
        let mut tx = self.write().await?;
        let last = self.q("SELECT MAX(version) AS v FROM pattern_rule_sets").fetch_one(tx.conn()).await?.oi("v")?.unwrap_or(0);
        if last != version {
            return Err(StoreError::Conflict);
        }
        let next = last + 1;
        let n = self
            .q("INSERT INTO pattern_rule_sets (version, rules_json, created_by, created_at) VALUES ($1,$2,$3,$4) ON CONFLICT (version) DO NOTHING")
            .bind(next)
            .bind(to_json(&rules)?)
            .bind(actor.user_id)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("pattern-rules.save", "pattern-rules", next, format!("version {next}: {} rules", rules.len()))).await?;
        tx.commit().await?;
        Ok(next)
    }
}
