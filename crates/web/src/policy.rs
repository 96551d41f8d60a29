//! Object-level access: the one place the web edge asks whether this caller may
//! change this recommendation (a lead officer: only what they lead), and opens a
//! child's record for them. The need-to-know rule lives in the domain and runs inside
//! storage's one door ([`assure_storage::Store::open_child`]); here the caller becomes
//! a [`Reader`] and the door's answers become HTTP ones.

use assure_domain::access::may_change_recommendation;
use assure_domain::partnership::Section;
use assure_storage::tracker::Recommendation;
use assure_storage::{ChildKey, ChildRecord, Reader};

use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;

pub fn may_change(caller: &Caller, rec: &Recommendation) -> bool {
    may_change_recommendation(caller.role(), caller.user.id, &rec.lead_ids())
}

/// Load a recommendation the caller is about to change, or refuse.
pub async fn recommendation_for_change(state: &AppState, caller: &Caller, rec_id: i64) -> Result<Recommendation, AppError> {
    let rec = state.store.tracker().recommendation(rec_id).await?;
    if !may_change(caller, &rec) {
        return Err(AppError::ForbiddenRecord(
            "You can only change recommendations you lead. Ask the scrutiny officer if you should be added as a lead officer.".into(),
        ));
    }
    Ok(rec)
}

/// Who the caller is on the pathway, or refuse (tracker roles, unplaced accounts).
pub async fn reader(state: &AppState, caller: &Caller) -> Result<Reader, AppError> {
    if caller.role().pathway().is_none() {
        return Err(AppError::Forbidden);
    }
    state.store.reader(caller.actor()).await?.ok_or(AppError::NotPlaced)
}

/// Open one section of a child's record through the door: a child out of the caller's
/// reach answers exactly as one that does not exist (404, audited against the child);
/// a restricted part of a child they may see is 403; the view is audited with its reason.
pub async fn child(state: &AppState, caller: &Caller, child_id: i64, section: Section) -> Result<ChildRecord, AppError> {
    child_by(state, caller, ChildKey::Child(child_id), section).await
}

/// [`child`] for a record that belongs to one child (a notification's line, a panel slot).
pub async fn child_by(state: &AppState, caller: &Caller, key: ChildKey, section: Section) -> Result<ChildRecord, AppError> {
    let reader = reader(state, caller).await?;
    Ok(state.store.open_child(&reader, key, section).await?)
}

/// Acknowledge a placement notification's line (pages and API): the line is opened
/// through the door (a line of a child out of reach answers as no line at all, audited),
/// so a team member whose agency is not involved cannot change a child they may not
/// see; then only a member of the team it was routed to may acknowledge it (403, audited).
pub async fn acknowledge_notification(state: &AppState, caller: &Caller, line: i64) -> Result<(), AppError> {
    let record = child_by(state, caller, ChildKey::Recipient(line), Section::Placements).await?;
    let rec = record.recipient(line).await?;
    if !record.viewer().teams.contains(&rec.team) {
        match record.refuse("placements: acknowledgement refused, not in the team it was routed to").await {
            assure_storage::StoreError::Restricted => {}
            e => return Err(e.into()),
        }
        return Err(AppError::ForbiddenRecord(format!(
            "This notification was routed to the {} team: only its members can acknowledge it.",
            rec.team.label()
        )));
    }
    record.acknowledge(line).await?;
    Ok(())
}
