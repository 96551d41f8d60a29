//! Police CSE work: each child's CSE flag and operations (police CSE roles and the
//! co-chairs only), the MACSE children still without a flag, and prevent / prosecute
//! operations with their linked children (only those in the viewer's reach are named).

use assure_domain::panels::OperationKind;
use assure_domain::partnership::Section;
use assure_domain::{Invalid, Permission};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

fn yes_no() -> Vec<(String, String)> {
    vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())]
}

pub async fn child(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    child_with(&state, &ctx, id(&raw)?, &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

async fn child_with(state: &AppState, ctx: &Ctx, cid: i64, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let record = policy::child(state, ctx.caller()?, cid, Section::Operations).await?;
    let child = record.child();
    let flags = record.police_flags().await?;
    let ops = record.operations().await?;
    let content = html! {
        (ui::error_summary(errors))
        span class="app-caption-l" { (child.first_name) " " (child.last_name) }
        h1 class="app-heading-l" { "Police CSE flag and operations" }
        h2 class="app-heading-m" { "Police CSE flag" }
        @match flags.first() {
            None => p class="app-body" { strong { "No flag has been recorded." } " Police flag every child at risk; the target is a flag for every MACSE child." },
            Some(cur) => p class="app-body" { "Current: " strong { @if cur.flagged { "flagged" } @else { "not flagged" } } " as of " (ui::date(Some(cur.flag_date))) "." },
        }
        @if !flags.is_empty() {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Flag history, newest first" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--s" { "Flag history, newest first" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Flagged" }
                    th class="app-table__header" scope="col" { "Date" }
                    th class="app-table__header" scope="col" { "Recorded by" }
                } }
                tbody class="app-table__body" {
                    @for fl in &flags {
                        tr class="app-table__row" {
                            td class="app-table__cell" { @if fl.flagged { "Yes" } @else { "No" } }
                            td class="app-table__cell" { (ui::date(Some(fl.flag_date))) }
                            td class="app-table__cell" { (fl.recorded_by) }
                        }
                    }
                }
            }
            }
        }
        @if ctx.can(Permission::RecordPoliceCse) {
            form method="post" action={ "/children/" (cid) "/police-flag" } novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::radios(Field::new("flagged", "Does the child have a police CSE flag?", f.get("flagged"), errors), &yes_no(), true))
                (ui::date_input(Field::new("flag_date", "Date of the flag", f.get("flag_date"), errors)))
                (ui::button("Record the flag"))
            }
        }
        h2 class="app-heading-m" { "Operations" }
        @if ops.is_empty() {
            p class="app-body" { "The child is not linked to any operation." }
        } @else {
            ul class="app-list" {
                @for o in &ops {
                    li {
                        @if ctx.can(Permission::RecordPoliceCse) { a class="app-link" href={ "/operations/" (o.id) } { (o.name) } } @else { (o.name) }
                        " (" (o.kind.label()) ", led by " (o.lead) ")"
                    }
                }
            }
        }
    };
    Ok((status, ui::layout(ctx, "Police CSE flag and operations", !errors.is_empty(), content)).into_response())
}

pub async fn flag(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let cid = id(&raw)?;
    let record = policy::child(&state, &caller, cid, Section::Operations).await?;
    match record.record_police_flag(f.yes_no("flagged"), f.date("flag_date"), ctx.today).await.map_err(AppError::from) {
        Ok(_) => Ok(done(&format!("/children/{cid}/police"), "flag-recorded")),
        Err(AppError::Invalid(e)) => child_with(&state, &ctx, cid, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn flags(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let reader = policy::reader(&state, ctx.caller()?).await?;
    let cov = state.store.police(&reader).flag_coverage().await?;
    let content = html! {
        h1 class="app-heading-l" { "Children without a police CSE flag" }
        p class="app-body" { "Police record a CSE flag for every child at risk; the target for MACSE children is 100%." }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Police CSE flag coverage" {
        table class="app-table" {
            caption class="app-table__caption app-table__caption--m" { "Police CSE flag coverage" }
            thead class="app-table__head" { tr class="app-table__row" {
                th class="app-table__header" scope="col" { "Children" }
                th class="app-table__header app-table__header--numeric" scope="col" { "Flagged" }
                th class="app-table__header app-table__header--numeric" scope="col" { "In all" }
                th class="app-table__header app-table__header--numeric" scope="col" { "Coverage" }
                th class="app-table__header" scope="col" { "Target" }
            } }
            tbody class="app-table__body" {
                tr class="app-table__row" {
                    th class="app-table__header" scope="row" { "All children at risk" }
                    td class="app-table__cell app-table__cell--numeric" { (cov.at_risk.flagged) }
                    td class="app-table__cell app-table__cell--numeric" { (cov.at_risk.total) }
                    td class="app-table__cell app-table__cell--numeric" { (cov.at_risk.percent()) "%" }
                    td class="app-table__cell" { "Every child at risk" }
                }
                tr class="app-table__row" {
                    th class="app-table__header" scope="row" { "MACSE children" }
                    td class="app-table__cell app-table__cell--numeric" { (cov.macse.flagged) }
                    td class="app-table__cell app-table__cell--numeric" { (cov.macse.total) }
                    td class="app-table__cell app-table__cell--numeric" { (cov.macse.percent()) "%" }
                    td class="app-table__cell" { "100%" }
                }
            }
        }
        }
        p class="app-body-l" { (cov.at_risk.percent()) "% of all children at risk flagged (" (cov.at_risk.flagged) " of " (cov.at_risk.total) "); "
            (cov.macse.percent()) "% of MACSE children flagged (" (cov.macse.flagged) " of " (cov.macse.total) "). The target for MACSE children is 100%." }
        p class="app-body app-hint" { "Children at risk are those with a referral whose risk level is low, medium or high, and the MACSE children (those with a plan or a slot at a panel). Only children whose records you may see are counted." }
        @if cov.at_risk.without.is_empty() {
            p class="app-body" { "Every child at risk has a current flag." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Children without a current flag" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "Children at risk without a current flag" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Child" }
                    th class="app-table__header" scope="col" { "Record number" }
                    th class="app-table__header" scope="col" { "MACSE" }
                    th class="app-table__header" scope="col" { "Current entry" }
                } }
                tbody class="app-table__body" {
                    @for r in &cov.at_risk.without {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/children/" (r.child_id) "/police" } { (r.name) } }
                            td class="app-table__cell" { (r.child_id) }
                            td class="app-table__cell" { @if r.macse { (ui::tag("MACSE", assure_domain::tracker::TagColour::Red)) } @else { "No" } }
                            td class="app-table__cell" { @match r.flagged { Some(false) => "Recorded as not flagged", _ => "Never recorded" } }
                        }
                    }
                }
            }
            }
        }
    };
    Ok(ui::layout(&ctx, "Children without a police CSE flag", false, content).into_response())
}

pub async fn operations(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    operations_with(&state, &ctx, &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

async fn operations_with(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let reader = policy::reader(state, ctx.caller()?).await?;
    let ops = state.store.police(&reader).operations().await?;
    let panels = state.store.panels(&reader).list().await?;
    let panel_opts = ui::options_with_blank(
        "Not decided at a panel",
        panels.iter().map(|p| (p.panel.id.to_string(), assure_domain::dates::long(p.panel.meeting_date))),
    );
    let kinds: Vec<(String, String)> = OperationKind::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect();
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Operations" }
        @if ops.is_empty() {
            p class="app-body" { "No operations have been recorded." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Prevent, prosecute and disruption operations" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "Prevent, prosecute and disruption operations" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Operation" }
                    th class="app-table__header" scope="col" { "Kind" }
                    th class="app-table__header" scope="col" { "Lead" }
                    th class="app-table__header" scope="col" { "Outcome" }
                } }
                tbody class="app-table__body" {
                    @for o in &ops {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/operations/" (o.id) } { (o.name) } }
                            td class="app-table__cell" { (o.kind.label()) }
                            td class="app-table__cell" { (o.lead) }
                            td class="app-table__cell" { @if o.outcome.is_empty() { "Open" } @else { (o.outcome) } }
                        }
                    }
                }
            }
            }
        }
        h2 class="app-heading-m" { "Record an operation" }
        form method="post" action="/operations" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::text_input(Field::new("name", "Name", f.get("name"), errors), "app-input--width-20"))
            (ui::radios(Field::new("kind", "Kind", f.get("kind"), errors), &kinds, true))
            (ui::text_input(Field::new("lead", "Lead officer", f.get("lead"), errors), "app-input--width-20"))
            (ui::select(Field::new("panel_id", "Decided at the panel of", f.get("panel_id"), errors), &panel_opts))
            (ui::button("Record the operation"))
        }
    };
    Ok((status, ui::layout(ctx, "Operations", !errors.is_empty(), content)).into_response())
}

pub async fn create_operation(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    match state
        .store
        .police(&reader)
        .create_operation(f.get("name"), OperationKind::from_slug(f.get("kind")), f.get("lead"), f.opt_id("panel_id"))
        .await
        .map_err(AppError::from)
    {
        Ok(oid) => Ok(done(&format!("/operations/{oid}"), "operation-created")),
        Err(AppError::Invalid(e)) => operations_with(&state, &ctx, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn operation(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    operation_with(&state, &ctx, id(&raw)?, "", &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

async fn operation_with(state: &AppState, ctx: &Ctx, oid: i64, which: &str, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let reader = policy::reader(state, ctx.caller()?).await?;
    let o = state.store.police(&reader).operation(oid).await?;
    let (kids, others) = state.store.police(&reader).operation_children(oid).await?;
    let updates = state.store.police(&reader).updates(oid).await?;
    let none = Invalid::new();
    let errs = |w: &str| if w == which { errors } else { &none };
    let val = |w: &str, n: &str| if w == which { f.get(n).to_string() } else { String::new() };
    let content = html! {
        (ui::breadcrumbs(&[("/operations", "Operations")]))
        @if !errors.is_empty() { (ui::error_summary_for(errors, which)) }
        span class="app-caption-l" { (o.kind.label()) " operation" }
        h1 class="app-heading-l" { (o.name) }
        dl class="app-summary-list" {
            (ui::summary_row("Lead", html! { (o.lead) }))
            (ui::summary_row("Outcome", html! { @if o.outcome.is_empty() { "Not yet recorded" } @else { (ui::prose(&o.outcome)) } }))
        }
        h2 class="app-heading-m" { "Linked children" }
        @if kids.is_empty() { p class="app-body" { "No linked children that you may see." } }
        ul class="app-list" {
            @for (cid, name) in &kids { li { a class="app-link" href={ "/children/" (cid) "/police" } { (name) } } }
        }
        @if others > 0 { p class="app-body-s app-hint" { (others) " other linked " @if others == 1 { "child is" } @else { "children are" } " outside your agency's need to know." } }
        form method="post" action={ "/operations/" (oid) "/children" } novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::text_input(Field::new("child_id", "Link a child by record number", &val("link", "child_id"), errs("link")).prefixed("link"), "app-input--width-5"))
            (ui::secondary_button("Link the child"))
        }
        h2 class="app-heading-m" { "Updates" }
        @if updates.is_empty() { p class="app-body" { "No updates yet." } }
        @for u in &updates {
            div class="app-summary-card" {
                h3 class="app-heading-s" { (ui::date(Some(u.update_date))) " — " (u.written_by) }
                (ui::prose(&u.text))
            }
        }
        form method="post" action={ "/operations/" (oid) "/updates" } novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::date_input(Field::new("update_date", "Date", &val("update", "update_date"), errs("update")).prefixed("update")))
            (ui::textarea(Field::new("text", "Update", &val("update", "text"), errs("update")).prefixed("update"), 4))
            (ui::button("Add the update"))
        }
        h2 class="app-heading-m" { "Outcome" }
        form method="post" action={ "/operations/" (oid) "/outcome" } novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(o.version);
            @let current = if which == "outcome" { f.get("outcome").to_string() } else { o.outcome.clone() };
            (ui::textarea(Field::new("outcome", "Outcome", &current, errs("outcome")).prefixed("outcome"), 4))
            (ui::button("Save the outcome"))
        }
    };
    Ok((status, ui::layout(ctx, &o.name, !errors.is_empty(), content)).into_response())
}

pub async fn add_update(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let oid = id(&raw)?;
    let reader = policy::reader(&state, &caller).await?;
    match state.store.police(&reader).add_update(oid, f.date("update_date"), f.get("text"), ctx.today).await.map_err(AppError::from) {
        Ok(_) => Ok(done(&format!("/operations/{oid}"), "operation-updated")),
        Err(AppError::Invalid(e)) => operation_with(&state, &ctx, oid, "update", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn outcome(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let oid = id(&raw)?;
    let version = f.version()?;
    let reader = policy::reader(&state, &caller).await?;
    match state.store.police(&reader).record_outcome(oid, version, f.get("outcome")).await.map_err(AppError::from) {
        Ok(()) => Ok(done(&format!("/operations/{oid}"), "outcome-recorded")),
        Err(AppError::Invalid(e)) => operation_with(&state, &ctx, oid, "outcome", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn link_child(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let oid = id(&raw)?;
    let child = f.opt_id("child_id");
    if child.is_some_and(|c| c <= 0) {
        let e = Invalid::single("child_id", "Enter the child's record number in digits, for example 42");
        return operation_with(&state, &ctx, oid, "link", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // Any number outside the officer's need to know reads as no child at all (audited).
    let reader = policy::reader(&state, &caller).await?;
    match state.store.police(&reader).link_child(oid, child).await.map_err(AppError::from) {
        Ok(()) => Ok(done(&format!("/operations/{oid}"), "child-linked")),
        Err(AppError::Invalid(e)) => operation_with(&state, &ctx, oid, "link", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}
