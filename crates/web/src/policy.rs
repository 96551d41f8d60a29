//! Object-level access: the one place the web edge asks whether this caller may
//! change this recommendation (a lead officer: only what they lead), and may see this
//! child or this part of a child's record (the partnership's need-to-know rule, which
//! lives in the domain and is applied by storage). Pages, the API and exports all
//! call it.

use assure_domain::access::may_change_recommendation;
use assure_domain::partnership::{Section, Viewer};
use assure_storage::partnership::{Child, Visible};
use assure_storage::records::Recommendation;

use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;

pub fn may_change(caller: &Caller, rec: &Recommendation) -> bool {
    may_change_recommendation(caller.role(), caller.user.id, &rec.lead_ids())
}

/// Load a recommendation the caller is about to change, or refuse.
pub async fn recommendation_for_change(state: &AppState, caller: &Caller, rec_id: i64) -> Result<Recommendation, AppError> {
    let rec = state.store.recommendation(rec_id).await?;
    if !may_change(caller, &rec) {
        return Err(AppError::ForbiddenRecord(
            "You can only change recommendations you lead. Ask the scrutiny officer if you should be added as a lead officer.".into(),
        ));
    }
    Ok(rec)
}

/// Who the caller is on the pathway, or refuse (tracker roles, unplaced accounts).
pub async fn viewer(state: &AppState, caller: &Caller) -> Result<Viewer, AppError> {
    if caller.role().pathway().is_none() {
        return Err(AppError::Forbidden);
    }
    state.store.viewer(caller.user.id).await?.ok_or(AppError::NotPlaced)
}

/// Open one section of a child's record: 404 for no such child, 403 (audited) outside
/// the caller's need to know; the view itself is audited with its reason.
pub async fn child(state: &AppState, caller: &Caller, child_id: i64, section: Section) -> Result<(Viewer, Child), AppError> {
    let viewer = viewer(state, caller).await?;
    match state.store.child_for(&caller.actor(), &viewer, child_id, section).await? {
        Visible::Yes(c) => Ok((viewer, c)),
        Visible::Refused => Err(AppError::NeedToKnow),
    }
}
