//! Committees, the executive, boards, sub-groups and working groups.

use assure_domain::tracker::{check_body, BodyInput, BodyKind};
use assure_domain::Invalid;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, refused, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

/// The body as typed, and an amount that is not a whole number (which only the page
/// can see).
fn input(f: &Fields) -> (BodyInput, Invalid) {
    let mut typed = Invalid::new();
    let amount = f.opt_int("response_amount").unwrap_or_else(|_| {
        typed.add("response_amount", "Enter the number of days, weeks or months as a whole number");
        None
    });
    let input = BodyInput {
        name: f.string("name"),
        kind: BodyKind::from_slug(f.get("kind")),
        response_unit: Some(f.string("response_unit")).filter(|s| !s.is_empty()),
        response_amount: amount,
    };
    (input, typed)
}

fn form(ctx: &Ctx, action: &str, f: &Fields, errors: &Invalid, button: &str) -> Markup {
    html! {
        form method="post" action=(action) novalidate {
            (ui::csrf(ctx.csrf()))
            @if !f.get("version").is_empty() { input type="hidden" name="version" value=(f.get("version")); }
            (ui::text_input(Field::new("name", "Name", f.get("name"), errors), "app-input--width-30"))
            (ui::radios(Field::new("kind", "Kind", f.get("kind"), errors), &BodyKind::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect::<Vec<_>>(), false))
            (ui::select(Field::new("response_unit", "Deadline for the executive's response (if its constitution sets one)", f.get("response_unit"), errors).hint("Leave as statutory for two calendar months (Local Government Act 2000 s9FE)"),
                &[(String::new(), "Statutory: two calendar months".into()), ("days".into(), "Days".into()), ("weeks".into(), "Weeks".into()), ("months".into(), "Months".into())]))
            (ui::text_input(Field::new("response_amount", "Number of days, weeks or months", f.get("response_amount"), errors), "app-input--width-5"))
            (ui::button(button))
        }
    }
}

async fn list_render(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let bodies = state.store.tracker().bodies().await?;
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Bodies" }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Bodies" {
        table class="app-table" {
            thead class="app-table__head" { tr class="app-table__row" {
                th class="app-table__header" scope="col" { "Name" } th class="app-table__header" scope="col" { "Kind" } th class="app-table__header" scope="col" { "Response deadline" } th class="app-table__header" scope="col" { span class="app-visually-hidden" { "Actions" } }
            } }
            tbody class="app-table__body" {
                @for b in &bodies {
                    tr class="app-table__row" {
                        td class="app-table__cell" { (b.name) }
                        td class="app-table__cell" { (b.kind.label()) }
                        td class="app-table__cell" { (b.deadline().describe()) }
                        td class="app-table__cell" { a class="app-link" href={ "/bodies/" (b.id) "/edit" } { "Edit" span class="app-visually-hidden" { " " (b.name) } } }
                    }
                }
            }
        }
        }
        h2 class="app-heading-m" { "Add a body" }
        (form(ctx, "/bodies", f, errors, "Add body"))
    };
    Ok((status, ui::layout(ctx, "Bodies", !errors.is_empty(), content)).into_response())
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    list_render(&state, &ctx, &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let (b, typed) = input(&f);
    let r = match refused(typed, || check_body(&b), BodyInput::FIELDS) {
        Some(i) => Err(AppError::Invalid(i)),
        None => state.store.tracker().create_body(&caller.actor(), &b).await.map_err(AppError::from),
    };
    match r {
        Ok(_) => Ok(done("/bodies", "body-created")),
        Err(AppError::Invalid(e)) => list_render(&state, &ctx, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

async fn edit_render(ctx: &Ctx, bid: i64, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let content = html! {
        (ui::back_link("/bodies", "Back to bodies"))
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Edit body" }
        (form(ctx, &format!("/bodies/{bid}/edit"), f, errors, "Save body"))
    };
    Ok((status, ui::layout(ctx, "Edit body", !errors.is_empty(), content)).into_response())
}

pub async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let b = state.store.tracker().body(id(&raw)?).await?;
    let f = Fields(vec![
        ("version".into(), b.version.to_string()),
        ("name".into(), b.name.clone()),
        ("kind".into(), b.kind.slug().into()),
        ("response_unit".into(), b.response_unit.clone().unwrap_or_default()),
        ("response_amount".into(), b.response_amount.map(|a| a.to_string()).unwrap_or_default()),
    ]);
    edit_render(&ctx, b.id, &f, &Invalid::new(), StatusCode::OK).await
}

pub async fn edit_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let bid = id(&raw)?;
    let (b, typed) = input(&f);
    let r = match refused(typed, || check_body(&b), BodyInput::FIELDS) {
        Some(i) => Err(AppError::Invalid(i)),
        None => state.store.tracker().update_body(&caller.actor(), bid, f.version()?, &b).await.map_err(AppError::from),
    };
    match r {
        Ok(()) => Ok(done("/bodies", "body-saved")),
        Err(AppError::Invalid(e)) => edit_render(&ctx, bid, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}
