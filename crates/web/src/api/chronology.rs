//! A child's chronology through the API (issue 21): the same entries as the page
//! `/children/{id}/chronology`, with the same filters, a page at a time. Built from the
//! records and cut to the caller through the child door; a child out of reach answers
//! 404 exactly as one that does not exist.

use assure_domain::chronology::{self, Entry};
use assure_domain::partnership::Section;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiCaller, Id, Params};
use super::handlers::IdParam;
use super::views::ErrorView;
use crate::error::{ApiResult, AppError};
use crate::forms::Fields;
use crate::pages::chronology::read_filter;
use crate::{policy, AppState};

/// One event of the child's chronology.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChronologyEntryView {
    /// The kind of event (a slug: concern, mash-decision, missing-episode, ...).
    pub kind: String,
    pub kind_label: String,
    /// The id of the record the entry is built from (unique with `kind`).
    pub record_id: i64,
    /// When it happened, London local time (`YYYY-MM-DDTHH:MM:SS`).
    pub at: String,
    /// Only the date is held (the time is midnight and means nothing).
    pub date_only: bool,
    pub agency_id: Option<i64>,
    pub agency: String,
    pub summary: String,
    /// The record's page in Assure.
    pub link: String,
    /// The part of the child's record the entry belongs to (a slug).
    pub section: String,
    /// The CSE 2 level, for an entry that carries a screening.
    pub risk_level: Option<String>,
    pub significant: bool,
    /// The latest significant-event note (also when the mark was taken off).
    pub significance_note: Option<String>,
    /// The mark's version (send it back to change the mark); 0 when never marked.
    pub significance_version: i64,
}

impl From<&Entry> for ChronologyEntryView {
    fn from(e: &Entry) -> Self {
        ChronologyEntryView {
            kind: e.kind.slug().into(),
            kind_label: e.kind.label().into(),
            record_id: e.record_id,
            at: e.at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            date_only: e.date_only,
            agency_id: e.agency_id,
            agency: e.agency.clone(),
            summary: e.summary.clone(),
            link: e.link.clone(),
            section: e.section.slug().into(),
            risk_level: e.facts.risk_level.map(|l| l.slug().into()),
            significant: e.is_significant(),
            significance_note: e.significance.as_ref().map(|s| s.note.clone()),
            significance_version: e.significance.as_ref().map_or(0, |s| s.version),
        }
    }
}

/// One page of a child's chronology.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChronologyPage {
    /// Entries the filters admit (all pages).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<ChronologyEntryView>,
}

/// The chronology's filters (repeat `kind` for several kinds).
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChronologyQuery {
    /// A kind of event (repeatable); none: every kind.
    pub kind: Option<Vec<String>>,
    /// Only entries of this agency.
    pub agency: Option<i64>,
    /// The first day of the period (DD/MM/YYYY or YYYY-MM-DD).
    pub from: Option<String>,
    /// The last day of the period.
    pub to: Option<String>,
    /// 1: significant events only.
    pub significant: Option<String>,
    /// newest-first (default) or oldest-first.
    pub order: Option<String>,
    /// The page, from 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Entries per page (default 50, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/children/{id}/chronology",
    params(IdParam, ChronologyQuery),
    responses(
        (status = 200, description = "The child's chronology as the caller may see it, a page at a time (need to know; audited)", body = ChronologyPage),
        (status = 400, description = "A filter that cannot be read", body = ErrorView),
        (status = 404, description = "no_such_child: no such child, or not one the caller needs to know about (the same answer for both)", body = ErrorView)
    )
)]
pub async fn list(State(state): State<AppState>, caller: ApiCaller, Id(id): Id, p: Params) -> ApiResult<ChronologyPage> {
    let (filter, errors) = read_filter(&Fields(p.0.clone()));
    if !errors.is_empty() {
        return Err(AppError::BadRequest(errors.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(". ")).into());
    }
    let page = p.positive("page", 1, 1_000_000)?;
    let per_page = p.positive("per_page", 50, 500)?;
    let record = policy::child(&state, &caller, id, Section::Identity).await?;
    let entries = chronology::apply(record.chronology().await?, &filter);
    let items = chronology::page(&entries, usize::try_from(page).unwrap_or(usize::MAX), usize::try_from(per_page).unwrap_or(50));
    Ok(Json(ChronologyPage { total: entries.len() as i64, page, per_page, items: items.iter().map(ChronologyEntryView::from).collect() }))
}
