//! Retention (`/retention`): the policy held as data, and the children's records due for
//! destruction on the council's clock; the information governance officer confirms each
//! one, and its records are destroyed in one transaction with an audit tombstone. A
//! record under a legal hold is listed but cannot be destroyed.

use assure_domain::Invalid;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx};
use crate::AppState;

async fn render(state: &AppState, ctx: &Ctx, caller: &Caller, errors: &Invalid, status: StatusCode) -> PageResult {
    let officer = state.store.ig_officer(caller.actor()).await?.ok_or(AppError::Forbidden)?;
    let policy = state.store.retention_policy().await?;
    let due = state.store.retention_due(&officer).await?;
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Retention" }
        h2 class="app-heading-m" { "The policy" }
        dl class="app-summary-list" {
            @for p in &policy {
                (ui::summary_row(if p.kind == "child-records" { "A child's records" } else { "The audit log" }, html! {
                    @if let Some(age) = p.until_age { "Until the child's " (age) "th birthday and at least " } @else { "At least " }
                    (p.years_after_last_activity) " years after the last activity. "
                    @if p.destroyed { "Then destroyed once you confirm." } @else { "Never destroyed by Assure: its chain proves what happened." }
                }))
            }
        }
        h2 class="app-heading-m" { "Due for destruction" }
        p class="app-body" { "Checked every day. Destroying a record deletes everything held about the child, in one go; the audit log keeps a tombstone saying which record, when and who confirmed, with no personal data." }
        @if due.is_empty() {
            p class="app-body" data-testid="nothing-due" { "No child's record is due for destruction today." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Records due for destruction" {
                table class="app-table" {
                    caption class="app-table__caption app-visually-hidden" { "Children's records due for destruction" }
                    thead class="app-table__head" { tr class="app-table__row" {
                        th scope="col" class="app-table__header" { "Child" }
                        th scope="col" class="app-table__header" { "Last activity" }
                        th scope="col" class="app-table__header" { "Due" }
                        th scope="col" class="app-table__header" { "Action" }
                    } }
                    tbody class="app-table__body" {
                        @for d in &due {
                            tr class="app-table__row" {
                                td class="app-table__cell" { "Child " (d.child_id) }
                                td class="app-table__cell" { (d.last_activity) }
                                td class="app-table__cell" { (d.due_on) }
                                td class="app-table__cell" {
                                    @if d.held {
                                        strong { "Under a legal hold: kept" }
                                    } @else {
                                        form method="post" action={ "/retention/" (d.child_id) "/destroy" } novalidate {
                                            (ui::csrf(ctx.csrf()))
                                            button type="submit" class="app-button app-button--warning" data-module="app-button" { "Destroy child " (d.child_id) "'s record" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok((status, ui::layout(ctx, "Retention", !errors.is_empty(), content)).into_response())
}

pub async fn page(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    render(&state, &ctx, &caller, &Invalid::new(), StatusCode::OK).await
}

pub async fn destroy(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, _f: Fields) -> PageResult {
    let child = id(&raw)?;
    let officer = state.store.ig_officer(caller.actor()).await?.ok_or(AppError::Forbidden)?;
    match state.store.destroy_child_record(&officer, child).await {
        Ok(_) => Ok(done("/retention", "record-destroyed")),
        Err(assure_storage::StoreError::Invalid(e)) => render(&state, &ctx, &caller, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}
