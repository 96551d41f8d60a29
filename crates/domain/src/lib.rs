//! Assure's domain core: plain types and the rules that govern them.
//!
//! Nothing in this crate performs I/O. Storage, HTTP, the CLI and the report
//! renderers sit around it and call into it; "today" and "now" are always passed in.

#![forbid(unsafe_code)]

// `slug_enum!` is defined in `tracker` and used by the modules declared after it.
#[macro_use]
pub mod tracker;

pub mod access;
pub mod accounts;
pub mod audit;
pub mod case_audit;
pub mod chase;
pub mod child_protection;
pub mod children;
pub mod chronology;
pub mod clock;
pub mod datasets;
pub mod dates;
pub mod disclosure;
pub mod forward_plan;
pub mod import;
pub mod improvement_plan;
pub mod marac;
pub mod meetings;
pub mod missing;
pub mod moderngov;
pub mod monitoring;
pub mod panels;
pub mod partnership;
pub mod password_reset;
pub mod placements;
pub mod plan;
pub mod quarterly;
pub mod referral;
pub mod report;
pub mod retention;
pub mod scorecard;
pub mod screening;
pub mod settings;
pub mod sign_in;
pub mod subject_access;
pub mod text;
pub mod validation;
pub mod working_days;

pub use access::{Permission, Role};
pub use clock::Clock;
pub use validation::{Checked, FieldError, Invalid};
