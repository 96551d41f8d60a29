//! The JSON API under /api/v1, for council systems and scripts.
//!
//! Every route is declared here with the permission it needs (the guard enforces
//! it). The OpenAPI document at /api/v1/openapi.json is derived by `utoipa` from each
//! handler's `#[utoipa::path]` and its request and response types ([`views`] holds the
//! API's own response types); the route table adds the permissions, and a test checks
//! that both list the same routes. Callers are signed-in sessions or
//! `Authorization: Bearer <token>`. Handlers are thin: they parse JSON, call the store
//! (which applies the domain rules and audits) and answer JSON; errors are JSON with
//! 4xx statuses.

pub mod cases;
pub mod children;
pub mod chronology;
pub mod extract;
pub mod handlers;
pub mod idempotency;
pub mod imports;
pub mod openapi;
pub mod pathway;
pub mod reports;
pub mod views;

use assure_domain::Permission::*;
use assure_storage::tracker::Recommendation;

use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::Routes;
use crate::AppState;

pub use extract::{ApiCaller, ApiJson, Id, Params};

/// Every API route, with its permission and the summary the OpenAPI document shows.
pub fn routes(r: Routes) -> Routes {
    use handlers as h;
    r.api_get("/api/v1/openapi.json", Public, "This API's OpenAPI 3.1 description, derived from its handlers and types", h::openapi)
        .api_get("/api/v1/me", SignedIn, "The calling account, its role and permissions", h::me)
        .api_get("/api/v1/bodies", ViewTracker, "Committees, the executive and other bodies", h::bodies)
        .api_get("/api/v1/reviews", ViewTracker, "Reviews, newest first", h::reviews)
        .api_post("/api/v1/reviews", ManageTracker, "Create a review", h::create_review)
        .api_get("/api/v1/reviews/{id}", ViewTracker, "A review with its endorsements, monitoring schedules and recommendations", h::review)
        .api_post("/api/v1/reviews/{id}/recommendations", ManageTracker, "Add a recommendation to a review", h::create_recommendation)
        .api_get("/api/v1/recommendations", ViewTracker, "Recommendations, filtered and paged", h::list_recommendations)
        .api_get(
            "/api/v1/recommendations/{id}",
            ViewTracker,
            "A recommendation with its actions, updates, history and update requests",
            h::recommendation,
        )
        .api_post(
            "/api/v1/recommendations/{id}/updates",
            RecordProgress,
            "Add a progress update (lead officers: only to recommendations they lead)",
            h::add_update,
        )
        .api_post("/api/v1/recommendations/{id}/response", ManageTracker, "Record the executive's response", h::record_response)
        .api_post(
            "/api/v1/recommendations/{id}/lifecycle",
            RecordProgress,
            "Change the lifecycle status (lead officers: only recommendations they lead)",
            h::set_lifecycle,
        )
        .api_post(
            "/api/v1/recommendations/{id}/actions",
            RecordProgress,
            "Add an action with a target date (lead officers: only recommendations they lead)",
            h::add_action,
        )
        .api_post(
            "/api/v1/actions/{id}/revise",
            RecordProgress,
            "Revise an action's target date; the earlier date is kept (lead officers: only recommendations they lead)",
            h::revise_action,
        )
        .api_get("/api/v1/dashboard", ViewTracker, "Counts by response, status, RAG and committee", h::dashboard)
        .api_get("/api/v1/schedule", ViewTracker, "Monitoring schedules with their next report dates", h::schedule)
        .api_get("/api/v1/reports", ViewTracker, "Monitoring reports (drafts only for those who manage the tracker)", reports::list)
        .api_post("/api/v1/reports", ManageTracker, "Prepare a draft monitoring report (audited)", reports::create)
        .api_get("/api/v1/reports/{id}", ViewTracker, "A monitoring report (drafts: managers only)", reports::show)
        .api_post("/api/v1/imports", ManageTracker, "Upload a tracker (XLSX or CSV) to import: staged, with a suggested mapping", imports::upload)
        .api_post(
            "/api/v1/imports/{id}/preview",
            ManageTracker,
            "Preview a tracker import with the mapping given: every problem, nothing saved",
            imports::preview,
        )
        .api_post("/api/v1/imports/{id}/apply", ManageTracker, "Import every row of a tracker, or none (audited)", imports::apply)
        .api_get(
            "/api/v1/children",
            ViewChildren,
            "Children in the caller's reach, by name (beginning or sound) and date_of_birth; audited",
            children::list,
        )
        .api_get(
            "/api/v1/children/{id}",
            ViewChildren,
            "A child's identity and agencies involved (403 need_to_know outside the caller's reach; audited)",
            children::show,
        )
        .api_get(
            "/api/v1/children/{id}/referrals",
            ViewChildren,
            "A child's concerns and referrals with screening and MASH decisions (need to know; audited)",
            children::referrals,
        )
        .api_get(
            "/api/v1/children/{id}/plan",
            ViewChildren,
            "A child's current MACSE plan; Prosecute only for police CSE roles and co-chairs (need to know; audited)",
            children::plan,
        )
        .api_post(
            "/api/v1/concerns",
            RaiseConcern,
            "Raise a CSE concern: CSE 1, CSE 2 screening answers and the referral, about a child in reach or a new one (audited)",
            pathway::raise_concern,
        )
        .api_post(
            "/api/v1/placements",
            RecordPlacements,
            "Record a placement notification from another authority; it is routed to the teams the rules name (audited)",
            pathway::record_placement,
        )
        .api_post(
            "/api/v1/notifications/{id}/acknowledge",
            ViewChildren,
            "Acknowledge a placement notification's line for a team the caller is in (need to know; audited)",
            pathway::acknowledge,
        )
        .api_post(
            "/api/v1/missing",
            RecordMissing,
            "Record a missing episode of a child in reach or a new one (no overlap with the child's others; audited)",
            pathway::record_episode,
        )
        .api_post(
            "/api/v1/children/{id}/missing/{eid}/return",
            RecordMissing,
            "Record that a missing child was found or returned (need to know; audited)",
            pathway::record_return,
        )
        .api_post(
            "/api/v1/children/{id}/missing/{eid}/interview",
            RecordMissing,
            "Record (or correct) a return interview; its links are routed by the pattern rules (need to know; audited)",
            pathway::record_interview,
        )
        .api_get(
            "/api/v1/child-protection",
            DecideReferrals,
            "Open child protection cases with the next stage due, a page at a time, filterable by overdue (children in reach)",
            cases::queue,
        )
        .api_get(
            "/api/v1/children/{id}/child-protection",
            ViewChildren,
            "A child's child protection cases: stages, due dates and timeliness, reviewing officer, CP plan version (need to know; audited)",
            cases::child_cases,
        )
        .api_post(
            "/api/v1/children/{id}/child-protection/{cid}/strategy-meeting",
            DecideReferrals,
            "Record a CP case's strategy meeting: date, agencies attending, decision (need to know; audited)",
            cases::strategy,
        )
        .api_post(
            "/api/v1/children/{id}/child-protection/{cid}/section-47",
            DecideReferrals,
            "Record a CP case's section 47 enquiry: its start and outcome (need to know; audited)",
            cases::section_47,
        )
        .api_post(
            "/api/v1/children/{id}/child-protection/{cid}/conference",
            DecideReferrals,
            "Record a CP case's initial child protection conference and its outcome (need to know; audited)",
            cases::conference,
        )
        .api_post(
            "/api/v1/children/{id}/child-protection/{cid}/review-conference",
            DecideReferrals,
            "Record a CP case's first review conference (need to know; audited)",
            cases::review_conference,
        )
        .api_get(
            "/api/v1/children/{id}/chronology",
            ViewChildren,
            "A child's chronology: every dated event of the record the caller may see, filtered, a page at a time (need to know; audited)",
            chronology::list,
        )
        .api_get(
            "/api/v1/children/{id}/marac",
            ViewChildren,
            "A young person's MARAC referrals and their CSE reviews (need to know; audited)",
            cases::marac_list,
        )
        .api_post(
            "/api/v1/children/{id}/marac",
            RaiseConcern,
            "Record a MARAC referral of a 16 to 18-year-old victim of an abusive relationship (age checked against the date of birth; audited)",
            cases::marac_record,
        )
        .api_post(
            "/api/v1/children/{id}/marac/{mid}/review",
            DecideReferrals,
            "Record the MASH's CSE review of a MARAC referral (a CSE concern refers the young person to MACSE; audited)",
            cases::marac_review,
        )
        .api_get(
            "/api/v1/spoc/monitoring",
            ViewChildren,
            "Use of the CSE forms per agency and period: outcomes, comparison with agencies of the same kind, agencies with none (SPOCs: their agencies; the partnership manager: all)",
            cases::monitoring,
        )
        .api_get("/api/v1/spoc/challenges", ViewChildren, "Challenges of the agencies the caller monitors, with their responses", cases::challenges)
        .api_post("/api/v1/spoc/challenges", ViewChildren, "Challenge an agency's low use of the CSE forms (its SPOC or the partnership manager; audited)", cases::challenge)
        .api_post(
            "/api/v1/spoc/challenges/{id}/response",
            ViewChildren,
            "Record an agency's response to a challenge (its SPOC or the partnership manager; audited)",
            cases::respond,
        )
}

/// The object-level rule for every progress write through the API (updates,
/// lifecycle, actions, revised dates): load the recommendation and refuse (403)
/// unless the caller may change it — a lead officer only what they lead. The rule
/// itself lives in one place, shared with the pages: [`crate::policy`].
pub async fn recommendation_for_change(state: &AppState, caller: &Caller, rec_id: i64) -> Result<Recommendation, AppError> {
    crate::policy::recommendation_for_change(state, caller, rec_id).await
}
