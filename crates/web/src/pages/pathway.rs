//! The CSE partnership's home page: what this person's role lets them do on the
//! pathway, from the same navigation table that builds the menu.

use assure_domain::Permission;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::html;

use crate::error::PageResult;
use crate::ui::{self, Ctx, NAV};
use crate::{policy, AppState};

/// "/": the dashboard for the tracker's people, the pathway home for the partnership's.
pub async fn home(state: State<AppState>, ctx: Ctx, q: Query<Vec<(String, String)>>) -> PageResult {
    if ctx.can(Permission::ViewTracker) {
        return super::dashboard::page(state, ctx, q).await;
    }
    let State(state) = state;
    let caller = ctx.caller()?.clone();
    if caller.role().pathway().is_none() {
        // Information governance: neither the tracker nor the pathway.
        let items: Vec<_> = NAV.iter().filter(|i| !i.hint.is_empty() && ctx.can(i.permission)).collect();
        let content = html! {
            h1 class="app-heading-l" { "Information governance" }
            p class="app-body-l" { (caller.user.name) ", " (caller.role().label()) "." }
            ul class="app-list app-card-list" {
                @for i in &items {
                    li class="app-card" {
                        h2 class="app-heading-s" { a class="app-link" href=(i.href) { (i.label) } }
                        p class="app-body" { (i.hint) }
                    }
                }
            }
            p class="app-body app-hint" { "Every export, hold and destruction is recorded in the audit log." }
        };
        return Ok(ui::layout(&ctx, "Information governance", false, content).into_response());
    }
    // An account not yet placed in an agency is told so rather than shown empty lists.
    let placed = match policy::reader(&state, &caller).await {
        Ok(r) => Some(r.viewer().clone()),
        Err(crate::error::AppError::NotPlaced) => None,
        Err(e) => return Err(e),
    };
    let agencies = state.store.partnership().agencies().await?;
    let agency = placed.as_ref().and_then(|v| agencies.iter().find(|a| a.id == v.agency_id)).map(|a| a.name.clone());
    let items: Vec<_> = NAV.iter().filter(|i| !i.hint.is_empty() && ctx.can(i.permission)).collect();
    let content = html! {
        h1 class="app-heading-l" { "CSE partnership" }
        @match (&placed, &agency) {
            (Some(v), Some(a)) => {
                p class="app-body-l" { (caller.user.name) ", " (caller.role().label()) " at " (a) "." }
                @if !v.teams.is_empty() {
                    p class="app-body" { "Teams: " @for (n, t) in v.teams.iter().enumerate() { @if n > 0 { ", " } (t.label()) } "." }
                }
            }
            _ => {
                div class="app-inset-text" {
                    p class="app-body" { "Your account has not been placed in an agency yet, so you cannot see any child's record. Ask the partnership manager to add you to your agency and teams." }
                }
            }
        }
        @if !items.is_empty() {
            ul class="app-list app-card-list" {
                @for i in &items {
                    li class="app-card" {
                        h2 class="app-heading-s" { a class="app-link" href=(i.href) { (i.label) } }
                        p class="app-body" { (i.hint) }
                    }
                }
            }
        }
        p class="app-body app-hint" { "Children's records are shared on a need-to-know basis. Every view, change, print and export is recorded." }
    };
    Ok(ui::layout(&ctx, "CSE partnership", false, content).into_response())
}
