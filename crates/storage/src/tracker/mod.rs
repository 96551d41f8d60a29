//! The recommendation tracker: bodies, reviews, recommendations, actions,
//! progress updates, evidence, sign-off, schedules and update requests.
//! Every change takes a command the domain checked — a [`Checked`](assure_domain::Checked)
//! one, or the input together with the stored state its rule needs, which the write
//! checks itself (adding what only the database can tell, such as a name already used,
//! to the same problems) — and is version-checked where it edits, and audited in the
//! same transaction. No write unwraps what a check proved.

mod actions;
mod bodies;
mod dashboard;
mod decisions;
mod progress;
mod recommendations;
mod reviews;
mod schedules;

pub use actions::{Action, DateRevision};
/// The inputs the tracker's writes take, as people type them (the domain's types, which
/// the writes check).
pub use assure_domain::tracker::{
    ActionInput, BodyInput, EndorsementInput, EvidenceInput, LifecycleInput, RecommendationInput, ReviewInput, RevisionInput, ScheduleInput,
    SignOffInput, TransferInput, UpdateInput, UpdateRequestInput,
};
pub use bodies::Body;
pub use dashboard::{BodyCount, Dashboard};
pub use decisions::OUTCOME_NOT_IMPROVED;
pub use progress::{Evidence, ProgressUpdate};
pub(crate) use recommendations::{rec, REC_SELECT};
pub use recommendations::{HistoryItem, Lead, RecFilter, Recommendation, RecommendationDetail};
pub use reviews::{Endorsement, Review};
pub use schedules::{ReportWindow, Schedule, UpdateRequest};

use crate::{check_version, Store};

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
