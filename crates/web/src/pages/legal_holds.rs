//! Legal holds (`/legal-holds`): the information governance officer places a hold on a
//! child's records with a reason, and lifts it with a reason. Audited; a held child's
//! records are never destroyed under the retention policy.

use assure_domain::retention::check_hold_reason;
use assure_domain::Invalid;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

async fn render(state: &AppState, ctx: &Ctx, caller: &Caller, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let officer = state.store.ig_officer(caller.actor()).await?.ok_or(AppError::Forbidden)?;
    let holds = state.store.legal_holds(&officer).await?;
    let (child, reason) = (f.string("child"), f.string("reason"));
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Legal holds" }
        p class="app-body" {
            "A child's records under a legal hold are kept whatever the retention policy says, until the hold is lifted. "
            "Place a hold while a claim, an inquiry or a complaint needs the records. Placing and lifting are recorded in the audit log."
        }
        h2 class="app-heading-m" { "Place a hold" }
        form method="post" action="/legal-holds" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::input_of_type(Field::new("child", "Child's record number", &child, errors), "app-input--width-5", "text", Some("off")))
            (ui::text_input(Field::new("reason", "Reason for the hold", &reason, errors).hint("For example the claim, inquiry or complaint the records are kept for."), "app-input--width-30"))
            (ui::button("Place the hold"))
        }
        h2 class="app-heading-m" { "Holds" }
        @if holds.is_empty() {
            p class="app-body" { "No child's records are under a legal hold." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Legal holds" {
                table class="app-table" {
                    caption class="app-table__caption app-visually-hidden" { "Legal holds, those in force first" }
                    thead class="app-table__head" { tr class="app-table__row" {
                        th scope="col" class="app-table__header" { "Child" }
                        th scope="col" class="app-table__header" { "Reason" }
                        th scope="col" class="app-table__header" { "Placed" }
                        th scope="col" class="app-table__header" { "State" }
                    } }
                    tbody class="app-table__body" {
                        @for h in &holds {
                            tr class="app-table__row" {
                                td class="app-table__cell" { "Child " (h.child_id) }
                                td class="app-table__cell" { (h.reason) }
                                td class="app-table__cell" { (h.placed_at.get(..10).unwrap_or(&h.placed_at)) " by " (h.placed_by.as_deref().unwrap_or("system")) }
                                td class="app-table__cell" {
                                    @match &h.lifted_at {
                                        Some(at) => { "Lifted " (at.get(..10).unwrap_or(at)) " by " (h.lifted_by.as_deref().unwrap_or("system")) ": " (h.lift_reason) }
                                        None => {
                                            form method="post" action={ "/legal-holds/" (h.id) "/lift" } novalidate {
                                                (ui::csrf(ctx.csrf()))
                                                @let name = format!("lift-reason-{}", h.id);
                                                (ui::text_input(Field::new("lift_reason", "Reason for lifting", "", errors).prefixed(&name), "app-input--width-20"))
                                                (ui::button("Lift the hold"))
                                            }
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
    Ok((status, ui::layout(ctx, "Legal holds", !errors.is_empty(), content)).into_response())
}

pub async fn page(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    render(&state, &ctx, &caller, &Fields(vec![]), &Invalid::new(), StatusCode::OK).await
}

pub async fn place(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let officer = state.store.ig_officer(caller.actor()).await?.ok_or(AppError::Forbidden)?;
    let raw = f.string("child");
    let mut errors = Invalid::new();
    let child = match raw.trim().parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ if raw.trim().is_empty() => {
            errors.add("child", "Enter the child's record number");
            None
        }
        _ => {
            errors.add("child", "Enter the child's record number as a whole number, like 12");
            None
        }
    };
    let reason = check_hold_reason("reason", &f.string("reason"));
    let reason = match (reason, child) {
        (Ok(r), Some(_)) if errors.is_empty() => r,
        (r, _) => {
            let errors = match r {
                Err(e) => errors.merged(e).ordered(&["child", "reason"]),
                Ok(_) => errors,
            };
            return render(&state, &ctx, &caller, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let child = child.unwrap_or_default();
    match state.store.place_legal_hold(&officer, child, &reason).await {
        Ok(_) => Ok(done("/legal-holds", "legal-hold-placed")),
        Err(assure_storage::StoreError::NoSuchChild) => {
            render(&state, &ctx, &caller, &f, &Invalid::single("child", "No child has this record number"), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn lift(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let hold = id(&raw)?;
    let officer = state.store.ig_officer(caller.actor()).await?.ok_or(AppError::Forbidden)?;
    let reason = match check_hold_reason("lift_reason", &f.string("lift_reason")) {
        Ok(r) => r,
        Err(e) => return render(&state, &ctx, &caller, &Fields(vec![]), &e, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    state.store.lift_legal_hold(&officer, hold, &reason).await?;
    Ok(done("/legal-holds", "legal-hold-lifted"))
}
