//! The recommendation tracker: bodies, reviews, recommendations, actions,
//! progress updates, evidence, sign-off, schedules and update requests.
//! Every change is validated, version-checked where it edits, and audited in
//! the same transaction.

mod actions;
mod bodies;
mod dashboard;
mod decisions;
mod progress;
mod recommendations;
mod reviews;
mod schedules;

pub use actions::{Action, DateRevision};
pub use bodies::{Body, BodyInput};
pub use dashboard::{BodyCount, Dashboard};
pub use progress::{Evidence, NewEvidence, ProgressUpdate, UpdateInput};
pub(crate) use recommendations::{rec, REC_SELECT};
pub use recommendations::{HistoryItem, Lead, RecFilter, Recommendation, RecommendationDetail, RecommendationInput};
pub use reviews::{Endorsement, Review, ReviewInput};
pub use schedules::{ReportWindow, Schedule, UpdateRequest};

use crate::{Result, Store, StoreError};

/// The recommendation tracker: bodies, reviews, recommendations, actions, progress,
/// schedules, requests, dashboard.
#[derive(Clone, Copy)]
pub struct Tracker<'s> {
    store: &'s Store,
}

impl Store {
    pub fn tracker(&self) -> Tracker<'_> {
        Tracker { store: self }
    }
}

/// An edit that matched no row was made on a stale version.
fn check_version(n: u64) -> Result<()> {
    if n == 0 {
        Err(StoreError::Conflict)
    } else {
        Ok(())
    }
}
