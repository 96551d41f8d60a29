//! MACSE panels: the fortnightly series, each panel's agenda (only the young people
//! the viewer may see), slots, invitations, attendance and minutes.

use std::collections::HashMap;

use assure_domain::panels::{parse_time, Attendance, InviteeKind, PanelStatus};
use assure_domain::partnership::Section;
use assure_domain::{Invalid, Permission};
use assure_storage::{ChildKey, ChildRecord};
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

fn slug_options<T: Copy>(all: &[T], slug: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|k| (slug(*k).to_string(), label(*k).to_string())).collect()
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    list_with(&state, &ctx, &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

async fn list_with(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let reader = policy::reader(state, ctx.caller()?).await?;
    let panels = state.store.panels(&reader).list().await?;
    let run = ctx.can(Permission::RunPanels);
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "MACSE panels" }
        p class="app-body" { "The multi-agency CSE panel meets every fortnight. Each agenda lists only the young people whose records you may see." }
        @if panels.is_empty() {
            p class="app-body" { "No panels have been arranged yet." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Panels" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "Panels" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Date" }
                    th class="app-table__header" scope="col" { "Location" }
                    th class="app-table__header" scope="col" { "Status" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Young people you may see" }
                } }
                tbody class="app-table__body" {
                    @for p in &panels {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/panels/" (p.panel.id) } { (assure_domain::dates::long(p.panel.meeting_date)) } }
                            td class="app-table__cell" { (p.panel.location) }
                            td class="app-table__cell" { (p.panel.status.label()) }
                            td class="app-table__cell app-table__cell--numeric" { (p.visible_slots) }
                        }
                    }
                }
            }
            }
        }
        @if run {
            h2 class="app-heading-m" { "Arrange a fortnightly series" }
            p class="app-body" { "Panels are added every 14 days from the first date to the end date. Dates that already have a panel are left as they are." }
            form method="post" action="/panels/series" novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::date_input(Field::new("first", "Date of the first panel", f.get("first"), errors)))
                (ui::date_input(Field::new("until", "Run the series until", f.get("until"), errors)))
                (ui::text_input(Field::new("location", "Location (optional)", f.get("location"), errors), "app-input--width-20"))
                (ui::button("Add the panels"))
            }
        }
    };
    Ok((status, ui::layout(ctx, "MACSE panels", !errors.is_empty(), content)).into_response())
}

pub async fn series(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    match state
        .store
        .panel_calendar()
        .generate_series(&caller.actor(), f.date("first"), f.date("until"), f.get("location"))
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(done("/panels", "panels-added")),
        Err(AppError::Invalid(e)) => list_with(&state, &ctx, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    show_with(&state, &ctx, id(&raw)?, "", &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

async fn show_with(state: &AppState, ctx: &Ctx, pid: i64, which: &str, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let caller = ctx.caller()?;
    let reader = policy::reader(state, caller).await?;
    let panel = state.store.panels(&reader).get(pid).await?;
    let agenda = state.store.panels(&reader).agenda(pid).await?;
    let run = ctx.can(Permission::RunPanels);
    let candidates = if run { state.store.panels(&reader).slot_candidates(pid).await? } else { Vec::new() };
    // Operations agreed at the panel: police CSE roles and the co-chairs only.
    let operations = state.store.police(&reader).of_panel(pid).await?;
    let agencies: HashMap<i64, String> = state.store.partnership().agencies().await?.into_iter().map(|a| (a.id, a.name)).collect();
    let agency_opts = ui::options_with_blank(
        "No agency",
        agencies.iter().map(|(i, n)| (n.clone(), i.to_string())).collect::<std::collections::BTreeSet<_>>().into_iter().map(|(n, i)| (i, n)),
    );
    let none = Invalid::new();
    let errs = |w: &str| if w == which { errors } else { &none };
    let val = |w: &str, n: &str| if w == which { f.get(n).to_string() } else { String::new() };
    let date = assure_domain::dates::long(panel.meeting_date);
    let kinds = slug_options(InviteeKind::ALL, InviteeKind::slug, InviteeKind::label);
    let attendance = slug_options(Attendance::ALL, Attendance::slug, Attendance::label);
    let content = html! {
        (ui::breadcrumbs(&[("/panels", "MACSE panels")]))
        @if !errors.is_empty() { (ui::error_summary_for(errors, which)) }
        span class="app-caption-l" { "MACSE panel" }
        h1 class="app-heading-l" { (date) }
        dl class="app-summary-list" {
            (ui::summary_row("Location", html! { @if panel.location.is_empty() { "Not set" } @else { (panel.location) } }))
            (ui::summary_row("Status", html! { (panel.status.label()) }))
        }
        h2 class="app-heading-m" { "Agenda" }
        @if agenda.is_empty() {
            p class="app-body" { "There are no young people on this agenda that you may see." }
        }
        @for s in &agenda {
            div class="app-summary-card" id={ "slot-" (s.id) } {
                h3 class="app-heading-s" { (s.slot.label()) ": " a class="app-link" href={ "/children/" (s.child_id) "/plan" } { (s.child_name) } }
                @let w = format!("discussion-{}", s.id);
                @if run {
                    form method="post" action={ "/panels/" (pid) "/slots/" (s.id) "/discussion" } novalidate {
                        (ui::csrf(ctx.csrf()))
                        input type="hidden" name="version" value=(if which == w { f.get("version").to_string() } else { s.discussion_version.to_string() });
                        @let text = if which == w { f.get("discussion").to_string() } else { s.discussion.clone() };
                        (ui::textarea(Field::new("discussion", &format!("Minutes of the discussion of {}", s.child_name), &text, errs(&w)).prefixed(&w).hint("Kept with the young person's record and read under its need-to-know rule."), 4))
                        (ui::secondary_button("Save the minutes for this young person"))
                    }
                } @else if !s.discussion.is_empty() {
                    h4 class="app-heading-s" { "Minutes of the discussion" }
                    (ui::prose(&s.discussion))
                }
                @if s.invitations.is_empty() {
                    p class="app-body-s" { "No one has been invited yet." }
                } @else {
                    div class="app-table-wrapper" tabindex="0" role="region" aria-label="Invited to the slot" {
                    table class="app-table" {
                        caption class="app-table__caption app-table__caption--s" { "Invited to the slot at " (s.slot.label()) }
                        thead class="app-table__head" { tr class="app-table__row" {
                            th class="app-table__header" scope="col" { "Who" }
                            th class="app-table__header" scope="col" { "Invited as" }
                            th class="app-table__header" scope="col" { "Agency" }
                            th class="app-table__header" scope="col" { "Attendance" }
                        } }
                        tbody class="app-table__body" {
                            @for i in &s.invitations {
                                tr class="app-table__row" {
                                    td class="app-table__cell" { (i.name) }
                                    td class="app-table__cell" { (i.kind.label()) @if i.must_attend { " " (ui::tag("Must attend", assure_domain::tracker::TagColour::Red)) } }
                                    td class="app-table__cell" { (i.agency_id.and_then(|a| agencies.get(&a).cloned()).unwrap_or_default()) }
                                    td class="app-table__cell" {
                                        @if run {
                                            form method="post" action={ "/panels/" (pid) "/slots/" (s.id) "/attendance" } class="app-inline-form" {
                                                (ui::csrf(ctx.csrf()))
                                                input type="hidden" name="invitation_id" value=(i.id);
                                                (ui::select(Field::new("attendance", "Attendance", i.attendance.map(|a| a.slug()).unwrap_or(""), &none).prefixed(&format!("att-{}", i.id)), &ui::options_with_blank("Not recorded", attendance.clone())))
                                                (ui::secondary_button("Save"))
                                            }
                                        } @else {
                                            (i.attendance.map(|a| a.label()).unwrap_or("Not recorded"))
                                        }
                                    }
                                }
                            }
                        }
                    }
                    }
                }
                @if run {
                    @let w = format!("invite-{}", s.id);
                    form method="post" action={ "/panels/" (pid) "/slots/" (s.id) "/invitations" } novalidate {
                        (ui::csrf(ctx.csrf()))
                        input type="hidden" name="propose" value="yes";
                        (ui::secondary_button("Invite the involved agencies' SPOCs and practitioners, police investigators and standing members"))
                    }
                    details class="app-details" open[which == w] {
                        summary class="app-details__summary" { span class="app-details__summary-text" { "Invite someone else" } }
                        div class="app-details__text" {
                            form method="post" action={ "/panels/" (pid) "/slots/" (s.id) "/invitations" } novalidate {
                                (ui::csrf(ctx.csrf()))
                                (ui::select(Field::new("kind", "Invited as", &val(&w, "kind"), errs(&w)).prefixed(&w), &ui::options_with_blank("Select", kinds.clone())))
                                (ui::text_input(Field::new("name", "Name", &val(&w, "name"), errs(&w)).prefixed(&w).hint("For example the young person, a parent or carer, or a named professional"), "app-input--width-20"))
                                (ui::select(Field::new("agency_id", "Agency", &val(&w, "agency_id"), errs(&w)).prefixed(&w).hint("An agency invited becomes involved with the young person and can see their record"), &agency_opts))
                                (ui::button("Invite"))
                            }
                        }
                    }
                }
            }
        }
        @if run {
            h2 class="app-heading-m" { "Book a slot" }
            form method="post" action={ "/panels/" (pid) "/slots" } novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::select(Field::new("child_id", "Young person", &val("slot", "child_id"), errs("slot")).prefixed("slot").hint("Young people the MASH has decided for MACSE, or with a plan to review, who have no slot at this panel yet"), &ui::options_with_blank("Select a young person", candidates.iter().map(|(i, n)| (i.to_string(), format!("{n} (child {i})"))))))
                (ui::text_input(Field::new("starts_at", "Start time", &val("slot", "starts_at"), errs("slot")).prefixed("slot").hint("For example, 10:30. Panels sit from 09:00 to 17:00."), "app-input--width-5"))
                (ui::text_input(Field::new("minutes", "Length in minutes", &val("slot", "minutes"), errs("slot")).prefixed("slot").hint("For example, 30"), "app-input--width-3"))
                (ui::button("Book the slot"))
            }
            h2 class="app-heading-m" { "Change the date" }
            form method="post" action={ "/panels/" (pid) "/date" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(panel.version);
                @let d = if which == "date" { f.get("meeting_date").to_string() } else { assure_domain::dates::numeric(panel.meeting_date) };
                @let loc = if which == "date" { f.get("location").to_string() } else { panel.location.clone() };
                (ui::date_input(Field::new("meeting_date", "Date of the panel", &d, errs("date")).prefixed("date")))
                (ui::text_input(Field::new("location", "Location", &loc, errs("date")).prefixed("date"), "app-input--width-20"))
                (ui::secondary_button("Save the date"))
            }
        }
        @if !operations.is_empty() {
            h2 class="app-heading-m" { "Operations agreed at this panel" }
            p class="app-body app-hint" { "Police CSE officers and the MACSE co-chairs only." }
            ul class="app-list" {
                @for o in &operations { li { a class="app-link" href={ "/operations/" (o.id) } { (o.name) } " (" (o.kind.label()) ")" } }
            }
        }
        @if run {
            h2 class="app-heading-m" { "General business" }
            form method="post" action={ "/panels/" (pid) "/minutes" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(panel.version);
                @let m = if which == "minutes" { f.get("minutes").to_string() } else { panel.business.clone() };
                @let st = if which == "minutes" { f.get("status").to_string() } else { panel.status.slug().to_string() };
                (ui::textarea(Field::new("minutes", "Minutes of general business", &m, errs("minutes")).prefixed("minutes").hint("Everyone invited to this panel reads these: do not name a young person here. Each young person's discussion is minuted with their slot, above."), 8))
                (ui::select(Field::new("status", "Status", &st, errs("minutes")).prefixed("minutes"), &slug_options(PanelStatus::ALL, PanelStatus::slug, PanelStatus::label)))
                (ui::button("Save the minutes"))
            }
        } @else if !panel.business.is_empty() {
            h2 class="app-heading-m" { "General business" }
            (ui::prose(&panel.business))
        }
        @if !panel.earlier_minutes.is_empty() {
            h2 class="app-heading-m" { "Minutes recorded before they were kept per young person" }
            p class="app-body app-hint" { "Shown only to the MASH, MACSE panel and analyst teams: they may name young people." }
            (ui::prose(&panel.earlier_minutes))
        }
    };
    Ok((status, ui::layout(ctx, &format!("MACSE panel {date}"), !errors.is_empty(), content)).into_response())
}

pub async fn book(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let pid = id(&raw)?;
    let child = f.opt_id("child_id");
    if child.is_some_and(|c| c <= 0) {
        let e = Invalid::single("child_id", "Select the young person the slot is for");
        return show_with(&state, &ctx, pid, "slot", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // A number outside the booker's reach reads as no child at all (and is audited).
    let reader = policy::reader(&state, &caller).await?;
    let start = parse_time(f.get("starts_at"));
    let minutes = f.opt_int("minutes").unwrap_or(Some(-1));
    match state.store.panels(&reader).book_slot(pid, child, start, minutes).await.map_err(AppError::from) {
        Ok(_) => Ok(done(&format!("/panels/{pid}"), "slot-booked")),
        Err(AppError::Invalid(e)) => show_with(&state, &ctx, pid, "slot", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// A young person's slot, opened through the child's record (404 for another panel's slot,
/// or a child out of reach).
async fn slot_record(state: &AppState, caller: &Caller, pid: i64, sid: i64) -> Result<ChildRecord, AppError> {
    policy::child_by(state, caller, ChildKey::Slot { panel: pid, slot: sid }, Section::PanelMinutes).await
}

pub async fn invite(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, sraw)): Path<(String, String)>, f: Fields) -> PageResult {
    let (pid, sid) = (id(&raw)?, id(&sraw)?);
    let record = slot_record(&state, &caller, pid, sid).await?;
    let result = if f.get("propose") == "yes" {
        record.invite_proposed(pid, sid, ctx.today).await.map(|_| ())
    } else {
        let kind = InviteeKind::from_slug(f.get("kind"));
        record.invite(pid, sid, kind, None, f.opt_id("agency_id"), f.get("name"), ctx.today).await.map(|_| ())
    };
    match result.map_err(AppError::from) {
        Ok(()) => Ok(done(&format!("/panels/{pid}#slot-{sid}"), "invited")),
        Err(AppError::Invalid(e)) => show_with(&state, &ctx, pid, &format!("invite-{sid}"), &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn attendance(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, sraw)): Path<(String, String)>, f: Fields) -> PageResult {
    let (pid, sid) = (id(&raw)?, id(&sraw)?);
    let record = slot_record(&state, &caller, pid, sid).await?;
    let inv = f.opt_id("invitation_id").ok_or(AppError::NotFound)?;
    match record.record_attendance(pid, sid, inv, Attendance::from_slug(f.get("attendance"))).await.map_err(AppError::from) {
        Ok(()) => Ok(done(&format!("/panels/{pid}#slot-{sid}"), "attendance-recorded")),
        Err(AppError::Invalid(e)) => show_with(&state, &ctx, pid, &format!("att-{inv}"), &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// The minutes of one young person's discussion, kept with their slot.
pub async fn discussion(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, sraw)): Path<(String, String)>, f: Fields) -> PageResult {
    let (pid, sid) = (id(&raw)?, id(&sraw)?);
    let record = slot_record(&state, &caller, pid, sid).await?;
    let version = f.version()?;
    match record.save_discussion(pid, sid, version, f.get("discussion")).await.map_err(AppError::from) {
        Ok(()) => Ok(done(&format!("/panels/{pid}#slot-{sid}"), "discussion-saved")),
        Err(AppError::Invalid(e)) => show_with(&state, &ctx, pid, &format!("discussion-{sid}"), &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn minutes(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let pid = id(&raw)?;
    let version = f.version()?;
    // An unknown status is a field error, not "keep the status it had".
    let status = PanelStatus::from_slug(f.get("status"));
    if status.is_none() && !f.get("status").trim().is_empty() {
        let e = Invalid::single("status", "Select the panel's status from the list");
        return show_with(&state, &ctx, pid, "minutes", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let reader = policy::reader(&state, &caller).await?;
    match state.store.panels(&reader).save_business(pid, version, f.get("minutes"), status).await.map_err(AppError::from) {
        Ok(()) => Ok(done(&format!("/panels/{pid}"), "minutes-saved")),
        Err(AppError::Invalid(e)) => show_with(&state, &ctx, pid, "minutes", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn date(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let pid = id(&raw)?;
    let version = f.version()?;
    match state
        .store
        .panel_calendar()
        .set_date(&caller.actor(), pid, version, f.date("meeting_date"), f.get("location"))
        .await
        .map_err(AppError::from)
    {
        Ok(()) => Ok(done(&format!("/panels/{pid}"), "panel-date-saved")),
        Err(AppError::Invalid(e)) => show_with(&state, &ctx, pid, "date", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}
