//! Object-level access for the tracker: the one place that decides whether this
//! caller may change this recommendation (a lead officer: only what they lead).
//! Pages and the API both call it.

use assure_domain::access::may_change_recommendation;
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
        return Err(AppError::ForbiddenRecord("You can only change recommendations you lead. Ask the scrutiny officer if you should be added as a lead officer.".into()));
    }
    Ok(rec)
}
