//! The tracker list and a recommendation's page, with every form that changes it.

use assure_domain::dates::{long, month_year};
use assure_domain::tracker::{
    check_action, check_rag_override, check_recommendation, check_response, check_update, ActionInput, ExecutiveResponse, Lifecycle, LifecycleInput,
    Rag, RagOverrideInput, RecommendationInput, ResponseInput, RevisionInput, SignOffInput, TagColour, TransferInput, UpdateInput,
};
use assure_domain::{Invalid, Permission};
use assure_storage::audit::Event;
use assure_storage::scorecards::Linked;
use assure_storage::tracker::{RecFilter, RecommendationDetail};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use maud::{html, Markup};

use super::dashboard::{rag_key, rec_table};
use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::evidence::{self, Upload};
use crate::forms::{done, refused, with_typed, Fields};
use crate::policy::{may_change, recommendation_for_change};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

const PER_PAGE: i64 = 50;

// ------------------------------------------------------------------ list

/// The list's filters from its query string; the register export reads the same ones.
pub fn list_filter(f: &Fields, today: chrono::NaiveDate) -> RecFilter {
    RecFilter {
        body_id: f.opt_id("body_id"),
        review_id: f.opt_id("review_id"),
        lead_user_id: f.opt_id("lead"),
        lifecycle: Lifecycle::from_slug(f.get("lifecycle")),
        response: ExecutiveResponse::from_slug(f.get("response")),
        rag: Rag::from_slug(f.get("rag")),
        rag_suggested: match f.get("rated") {
            "given" => Some(false),
            "suggested" => Some(true),
            _ => None,
        },
        text: Some(f.string("q")).filter(|s| !s.trim().is_empty()),
        origin: Some(f.string("origin")).filter(|s| !s.trim().is_empty()),
        response_overdue_on: (f.get("overdue") == "response").then_some(today),
        target_passed_on: (f.get("overdue") == "target").then_some(today),
    }
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let f = Fields(q);
    let page = f.get("page").parse::<i64>().unwrap_or(1).max(1);
    let filter = list_filter(&f, ctx.today);
    let (recs, total) = state.store.tracker().list_recommendations(&filter, PER_PAGE, (page - 1) * PER_PAGE).await?;
    let bodies = state.store.tracker().bodies().await?;
    let reviews = state.store.tracker().review_titles().await?;
    let leads = state.store.users().possible_leads().await?;
    let origins = state.store.tracker().origins(filter.review_id).await?;
    let none = Invalid::new();
    let keep: String =
        f.0.iter()
            .filter(|(k, v)| k != "page" && !v.is_empty())
            .map(|(k, v)| format!("{}={}", k, form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
            .collect::<Vec<_>>()
            .join("&");
    let base = format!("/recommendations?{keep}");
    let refs: Vec<&_> = recs.iter().collect();
    let content = html! {
        h1 class="app-heading-l" { "Recommendations" }
        form method="get" action="/recommendations" class="app-filter" {
            div class="app-filter__row" {
                (ui::text_input(Field::new("q", "Search", f.get("q"), &none).hint("A reference, or the start of words in the recommendation or its updates: best matches first"), "app-input--width-20"))
                (ui::select(Field::new("body_id", "Committee", f.get("body_id"), &none), &ui::options_with_blank("Any", bodies.iter().map(|b| (b.id.to_string(), b.name.clone())))))
                (ui::select(Field::new("review_id", "Review", f.get("review_id"), &none), &ui::options_with_blank("Any", reviews.iter().map(|(id, t)| (id.to_string(), t.clone())))))
                (ui::select(Field::new("lead", "Lead officer", f.get("lead"), &none), &ui::options_with_blank("Any", leads.iter().map(|u| (u.id.to_string(), u.name.clone())))))
                @if !origins.is_empty() || !f.get("origin").is_empty() {
                    (ui::select(Field::new("origin", "Origin", f.get("origin"), &none), &ui::options_with_blank("Any", origins.iter().map(|o| (o.clone(), o.clone())))))
                }
            }
            div class="app-filter__row" {
                (ui::select(Field::new("response", "Executive response", f.get("response"), &none), &ui::options_with_blank("Any", ExecutiveResponse::ALL.iter().map(|x| (x.slug().into(), x.label().into())))))
                (ui::select(Field::new("lifecycle", "Status", f.get("lifecycle"), &none), &ui::options_with_blank("Any", Lifecycle::ALL.iter().map(|x| (x.slug().into(), x.label().into())))))
                (ui::select(Field::new("rag", "RAG", f.get("rag"), &none), &ui::options_with_blank("Any", Rag::ALL.iter().map(|x| (x.slug().into(), x.label().into())))))
                (ui::select(Field::new("rated", "RAG given or suggested", f.get("rated"), &none), &[(String::new(), "Either".into()), ("given".into(), "Rated by the council or an officer".into()), ("suggested".into(), "Suggested by Assure".into())]))
                (ui::select(Field::new("overdue", "Overdue", f.get("overdue"), &none), &[(String::new(), "Any".into()), ("response".into(), "Executive response overdue".into()), ("target".into(), "Target date passed".into())]))
            }
            div class="app-button-group" {
                (ui::button("Apply filters"))
                a class="app-link" href="/recommendations" { "Clear filters" }
                a class="app-link" href={ "/export/register.xlsx?" (keep) } { "Download this list (XLSX)" }
                a class="app-link" href={ "/export/register.csv?" (keep) } { "Download this list (CSV)" }
            }
        }
        p class="app-body" role="status" { strong { (total) } " recommendation" @if total != 1 { "s" } " found" }
        (rec_table(&ctx, &refs))
        (ui::pagination(&base, page, PER_PAGE, total))
        (rag_key(&ctx))
    };
    Ok(ui::layout(&ctx, "Recommendations", false, content).into_response())
}

// ------------------------------------------------------------------ the page

/// Which form on the page failed, with what was typed.
#[derive(Default)]
pub struct FormState {
    pub which: &'static str,
    pub fields: Fields,
    pub errors: Invalid,
}

impl FormState {
    fn val(&self, form: &str, name: &str) -> &str {
        if self.which == form {
            self.fields.get(name)
        } else {
            ""
        }
    }
    fn errs(&self, form: &str) -> &Invalid {
        static EMPTY: std::sync::OnceLock<Invalid> = std::sync::OnceLock::new();
        if self.which == form {
            &self.errors
        } else {
            EMPTY.get_or_init(Invalid::new)
        }
    }
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let rid = id(&raw)?;
    let detail = state.store.tracker().recommendation_detail(rid).await?;
    render(&state, &ctx, &caller, detail, FormState::default(), StatusCode::OK).await
}

async fn render(state: &AppState, ctx: &Ctx, caller: &Caller, d: RecommendationDetail, form: FormState, status: StatusCode) -> PageResult {
    let bodies = state.store.tracker().bodies().await?;
    let r = &d.rec;
    let shown = crate::pages::scorecards::Shown::for_reader(state, Some(caller)).await?;
    let outcomes = state
        .store
        .scorecards()
        .outcomes(&[Linked::Recommendation(r.id)], None, shown.suppress_below())
        .await?
        .remove(&Linked::Recommendation(r.id))
        .unwrap_or_default();
    let measures = if caller.can(Permission::ManageTracker) { state.store.scorecards().all_measures().await? } else { Vec::new() };
    let can_change = caller.can(Permission::RecordProgress) && may_change(caller, r);
    let can_manage = caller.can(Permission::ManageTracker);
    let today = ctx.today;
    let suggested = r.suggested_rag(today);
    let body_opts = ui::options_with_blank("Select a committee", bodies.iter().map(|b| (b.id.to_string(), b.name.clone())));
    let title = format!("Recommendation {} {}", r.reference, r.label());
    let v = r.version.to_string();
    let csrf = ctx.csrf();
    // Each action's revise form has its own field ids.
    let today_text = assure_domain::dates::numeric(today);
    let summary_prefix = if form.which == "revise" { format!("revise{}", form.fields.get("action_id")) } else { form.which.to_string() };
    let content = html! {
        (ui::breadcrumbs(&[("/reviews", "Reviews"), (&format!("/reviews/{}", r.review_id), &r.review_title)]))
        @if !form.errors.is_empty() { (ui::error_summary_for(&form.errors, &summary_prefix)) }
        span class="app-caption-l" { (r.review_title) }
        h1 class="app-heading-l" { "Recommendation " (r.label()) " " span class="app-caption-m" { (r.reference) } }
        p class="app-body" {
            (ui::response_tag(r.response)) " " (ui::lifecycle_tag(r.lifecycle)) " " (ui::rec_rag_tag(r.rag(today), r.rag_is_suggested(today)))
            " " (ui::response_state_tag(r.response_state(today)))
            @if r.target_passed(today) { " " (ui::tag("Target date passed", TagColour::Red)) }
        }
        dl class="app-summary-list" {
            (ui::summary_row("Committee wording", ui::prose(&r.committee_wording)))
            @if !r.executive_wording.is_empty() && r.executive_wording != r.committee_wording {
                (ui::summary_row("Executive wording", ui::prose(&r.executive_wording)))
            }
            (ui::summary_row("Who must act", html! { (r.who_must_act) }))
            (ui::summary_row("Origin", html! { @if r.origin.is_empty() { "Not recorded" } @else { (r.origin) } }))
            (ui::summary_row("Executive decision date", html! { @if let Some(dt) = r.executive_decision_date { (long(dt)) } @else { "Not recorded" } }))
            (ui::summary_row("Lead officers", html! {
                @if r.lead_lines().is_empty() { "None named" } @else {
                    ul class="app-list" { @for l in r.lead_lines() { li { (l) } } }
                }
            }))
            (ui::summary_row("Area", html! { (r.area) }))
            (ui::summary_row("Improved outcome for children and young people", ui::prose(&r.outcome)))
            (ui::summary_row("Monitored by", html! { (r.monitoring_body_name.clone().unwrap_or_else(|| "No committee yet".into())) }))
            (ui::summary_row("Executive response", html! {
                (ui::response_tag(r.response))
                @if let Some(dt) = r.response_date { " on " (long(dt)) }
                @if !r.response_reason.is_empty() { p class="app-body" { "Reason: " (r.response_reason) } }
                @if let (Some(due), ExecutiveResponse::Awaiting) = (r.response_due, r.response) { p class="app-body-s" { "Response due by " (long(due)) } }
            }))
            (ui::summary_row("Status", html! {
                (ui::lifecycle_tag(r.lifecycle))
                @if r.outcome_not_improved { " " (ui::tag(assure_storage::tracker::OUTCOME_NOT_IMPROVED, TagColour::Orange)) }
                @if !r.lifecycle_reason.is_empty() { p class="app-body" { "Reason: " (r.lifecycle_reason) } }
            }))
            (ui::summary_row("Delivery RAG", html! {
                @if let Some(o) = r.rag_override { p class="app-body" { "Rated: " (ui::rag_tag(Some(o))) " — " (r.rag_override_reason) } }
                @if r.rag_suggest {
                    p class="app-body" { "Suggested by Assure: " (ui::rec_rag_tag(suggested, suggested.is_some())) " — from time elapsed towards the target date against the progress stated" @if r.rag_override.is_some() { " (not shown while it is rated)" } }
                } @else if r.rag_override.is_none() {
                    p class="app-body" { (ui::rag_tag(None)) " — no RAG was given, and no suggestion is used for it" }
                }
            }))
            (ui::summary_row("Target date", html! {
                @if let Some(t) = r.target_date { (month_year(t)) } @else { "No open actions with a target date" }
            }))
            (ui::summary_row("Progress stated", html! { @if let Some(p) = r.progress_percent { (p) "%" } @else { "None yet" } }))
        }
        @if let Some(p) = &d.parent {
            p class="app-body" { "Sub-item of " a class="app-link" href={ "/recommendations/" (p.id) } { "recommendation " (p.label()) } }
        }
        @if !d.children.is_empty() {
            h2 class="app-heading-m" { "Sub-items" }
            ul class="app-list" {
                @for c in &d.children {
                    li { a class="app-link" href={ "/recommendations/" (c.id) } { (c.label()) } " " (c.wording()) " " (ui::lifecycle_tag(c.lifecycle)) " " (ui::rec_rag_tag(c.rag(today), c.rag_is_suggested(today))) }
                }
            }
        }
        @if can_manage {
            p class="app-body" { a class="app-link" href={ "/recommendations/" (r.id) "/edit" } { "Edit the wording, lead officers or committee" } }
        }

        h2 class="app-heading-m" id="outcome" { "The outcome it must move" }
        @if outcomes.is_empty() { p class="app-body" { "No performance measure is named for this recommendation." } }
        @for (m, o) in &outcomes {
            p class="app-body" {
                (o.describe()) " "
                @if let Some(b) = o.band { (ui::band_tag(b)) " " }
                @if let Some(t) = o.travel { (ui::travel_tag(t)) }
            }
            (crate::pages::scorecards::measure_chart(m, shown))
        }
        @if !measures.is_empty() {
            details class="app-details" open[form.which == "measure"] {
                summary class="app-details__summary" { "Name a measure it must move" }
                div class="app-details__text" {
                    form method="post" action={ "/recommendations/" (r.id) "/measures" } novalidate {
                        (ui::csrf(csrf))
                        (ui::select(Field::new("measure_id", "Performance measure", form.val("measure", "measure_id"), form.errs("measure")).prefixed("measure"),
                            &ui::options_with_blank("Choose a measure", measures.iter().map(|m| (m.id.to_string(), format!("{} ({})", m.title, m.scorecard_title))))))
                        (ui::secondary_button("Link the measure"))
                    }
                }
            }
        }

        h2 class="app-heading-m" id="actions" { "Actions" }
        @if d.actions.is_empty() { p class="app-body" { "No actions yet." } } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Actions" {
            table class="app-table" {
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Action" }
                    th class="app-table__header" scope="col" { "Owner" }
                    th class="app-table__header" scope="col" { "Date" }
                    th class="app-table__header" scope="col" { "Done" }
                } }
                tbody class="app-table__body" {
                    @for a in &d.actions {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (a.text) }
                            td class="app-table__cell" { (a.owner) }
                            td class="app-table__cell" {
                                (a.date_history())
                                @if !a.revisions.is_empty() {
                                    ul class="app-list app-body-s" {
                                        @for rv in &a.revisions { li { (month_year(rv.old_date)) " → " (month_year(rv.new_date)) ": " (rv.reason) " (" (rv.revised_by) ")" } }
                                    }
                                }
                            }
                            td class="app-table__cell" { @if a.done { (ui::tag("Done", TagColour::Green)) } @else { (ui::tag("Open", TagColour::Blue)) } }
                        }
                        @if can_change {
                            tr class="app-table__row" {
                                td class="app-table__cell" colspan="4" {
                                    details class="app-details" open[form.which == "revise" && form.fields.get("action_id") == a.id.to_string()] {
                                        summary class="app-details__summary" { "Revise the target date or mark done" span class="app-visually-hidden" { ": " (a.text) } }
                                        div class="app-details__text" {
                                            @let pfx = format!("revise{}", a.id);
                                            @let errs = if form.which == "revise" && form.fields.get("action_id") == a.id.to_string() { &form.errors } else { form.errs("none") };
                                            form method="post" action={ "/actions/" (a.id) "/revise" } novalidate {
                                                (ui::csrf(csrf))
                                                input type="hidden" name="version" value=(a.version);
                                                (ui::date_input(Field::new("new_date", "New target date", form.val("revise", "new_date"), errs).prefixed(&pfx)))
                                                (ui::text_input(Field::new("reason", "Reason for the revised date", form.val("revise", "reason"), errs).prefixed(&pfx).hint("This stays in the history, for example: general election called"), "app-input--width-30"))
                                                (ui::secondary_button("Revise target date"))
                                            }
                                            form method="post" action={ "/actions/" (a.id) "/done" } {
                                                (ui::csrf(csrf))
                                                input type="hidden" name="version" value=(a.version);
                                                input type="hidden" name="done" value=(if a.done { "0" } else { "1" });
                                                (ui::secondary_button(if a.done { "Mark as not done" } else { "Mark as done" }))
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
        }
        @if can_change {
            details class="app-details" open[form.which == "action"] {
                summary class="app-details__summary" { "Add an action" }
                div class="app-details__text" {
                    form method="post" action={ "/recommendations/" (r.id) "/actions" } novalidate {
                        (ui::csrf(csrf))
                        (ui::textarea(Field::new("text", "Action", form.val("action", "text"), form.errs("action")).prefixed("action"), 3))
                        (ui::text_input(Field::new("owner", "Owner", form.val("action", "owner"), form.errs("action")).prefixed("action"), "app-input--width-30"))
                        (ui::date_input(Field::new("target_date", "Target date", form.val("action", "target_date"), form.errs("action")).prefixed("action")))
                        (ui::button("Add action"))
                    }
                }
            }
        }

        h2 class="app-heading-m" id="updates" { "Progress updates" }
        @if d.updates.is_empty() { p class="app-body" { "No progress has been reported yet." } }
        ol class="app-timeline" {
            @for u in &d.updates {
                li class="app-timeline__item" id={ "update-" (u.id) } {
                    h3 class="app-timeline__header app-heading-s" { (long(u.update_date)) }
                    p class="app-timeline__date app-body-s" {
                        "By " (u.author) @if let Some(p) = u.progress_percent { " · progress " (p) "%" }
                    }
                    div class="app-timeline__body" {
                        (ui::prose(&u.narrative))
                        @if let Some(c) = u.corrects_id { p class="app-body-s" { (ui::tag("Correction", TagColour::Purple)) " This corrects " a class="app-link" href={ "#update-" (c) } { "an earlier update" } "." } }
                        @if let Some(c) = u.corrected_by_id { p class="app-body-s" { (ui::tag("Corrected", TagColour::Yellow)) " A " a class="app-link" href={ "#update-" (c) } { "later update" } " corrects this one." } }
                        @if !u.evidence.is_empty() {
                            ul class="app-list" {
                                @for e in &u.evidence {
                                    li { a class="app-link" href={ "/evidence/" (e.id) } { (e.original_name) } " (" (e.size_bytes / 1024 + 1) " KB)" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if can_change {
            h3 class="app-heading-s" { "Add a progress update" }
            p class="app-body-s" { "Updates are kept as written. To put one right, add a correction: the original stays, linked to it." }
            form method="post" action={ "/recommendations/" (r.id) "/updates?_csrf=" (csrf) } enctype="multipart/form-data" novalidate {
                (ui::date_input(Field::new("update_date", "Date of the update", if form.which == "update" { form.fields.get("update_date") } else { &today_text }, form.errs("update")).prefixed("update")))
                (ui::textarea(Field::new("narrative", "Progress made", form.val("update", "narrative"), form.errs("update")).prefixed("update").hint("What has been done, by whom, and what has changed for children and young people"), 6))
                (ui::text_input(Field::new("progress_percent", "Progress towards completion (per cent, optional)", form.val("update", "progress_percent"), form.errs("update")).prefixed("update").hint("A whole number from 0 to 100; used to suggest the RAG"), "app-input--width-5"))
                @if !d.updates.is_empty() {
                    (ui::select(Field::new("corrects_id", "Does this correct an earlier update? (optional)", form.val("update", "corrects_id"), form.errs("update")).prefixed("update"),
                        &ui::options_with_blank("No, it is a new update", d.updates.iter().map(|u| (u.id.to_string(), format!("The update of {}", long(u.update_date)))))))
                }
                div class={ "app-form-group" @if form.errs("update").for_field("evidence").is_some() { " app-form-group--error" } } {
                    label class="app-label" for="update-evidence" { "Evidence (optional)" }
                    div class="app-hint" id="update-evidence-hint" { "PDF, Word, Excel, PNG, JPEG or plain text, up to " (state.config.max_upload_bytes / (1024 * 1024)) " MB each" }
                    @if let Some(m) = form.errs("update").for_field("evidence") { p class="app-error-message" id="update-evidence-error" { span class="app-visually-hidden" { "Error: " } (m) } }
                    input class="app-file-upload" id="update-evidence" name="evidence" type="file" multiple aria-describedby="update-evidence-hint";
                }
                (ui::button("Add update"))
            }
        }

        @if can_change || can_manage {
            h2 class="app-heading-m" { "Change status" }
        }
        @if can_change && r.lifecycle != Lifecycle::SignedOff {
            form method="post" action={ "/recommendations/" (r.id) "/lifecycle" } novalidate {
                (ui::csrf(csrf))
                input type="hidden" name="version" value=(v);
                (ui::radios(Field::new("lifecycle", "Status", if form.which == "lifecycle" { form.fields.get("lifecycle") } else { r.lifecycle.slug() }, form.errs("lifecycle")).prefixed("lifecycle"),
                    &Lifecycle::officer_choices().iter().map(|l| (l.slug().to_string(), l.label().to_string())).collect::<Vec<_>>(), false))
                (ui::text_input(Field::new("reason", "Reason (needed when paused, not feasible or superseded)", form.val("lifecycle", "reason"), form.errs("lifecycle")).prefixed("lifecycle"), "app-input--width-30"))
                (ui::secondary_button("Change status"))
            }
            form method="post" action={ "/recommendations/" (r.id) "/rag" } novalidate {
                (ui::csrf(csrf))
                input type="hidden" name="version" value=(v);
                (ui::radios(Field::new("rag", "Delivery RAG", if form.which == "rag" { form.fields.get("rag") } else { r.rag_override.map(|g| g.slug()).unwrap_or(if r.rag_suggest { "" } else { "not-rated" }) }, form.errs("rag")).prefixed("rag"),
                    &[(String::new(), "Use the suggested RAG (shown marked “Suggested”)".to_string()), ("not-rated".into(), "Not rated".into()), ("red".into(), "Red".into()), ("amber".into(), "Amber".into()), ("green".into(), "Green".into())], true))
                (ui::text_input(Field::new("rag_reason", "Reason for overriding the suggestion", form.val("rag", "rag_reason"), form.errs("rag")).prefixed("rag"), "app-input--width-30"))
                (ui::secondary_button("Save RAG"))
            }
        }
        @if can_manage {
            h2 class="app-heading-m" { "Committee and executive decisions" }
            details class="app-details" open[form.which == "response"] {
                summary class="app-details__summary" { "Record the executive's response" }
                div class="app-details__text" {
                    form method="post" action={ "/recommendations/" (r.id) "/response" } novalidate {
                        (ui::csrf(csrf))
                        input type="hidden" name="version" value=(v);
                        (ui::radios(Field::new("response", "Response", if form.which == "response" { form.fields.get("response") } else { "" }, form.errs("response")).prefixed("response"),
                            &ExecutiveResponse::ALL.iter().filter(|x| x.is_decided()).map(|x| (x.slug().to_string(), x.label().to_string())).collect::<Vec<_>>(), false))
                        (ui::date_input(Field::new("response_date", "Date of the response", form.val("response", "response_date"), form.errs("response")).prefixed("response")))
                        (ui::textarea(Field::new("response_reason", "Reason (required for a rejection)", form.val("response", "response_reason"), form.errs("response")).prefixed("response"), 3))
                        (ui::secondary_button("Record response"))
                    }
                }
            }
            @if r.lifecycle == Lifecycle::CompleteAwaitingSignOff || form.which == "signoff" {
                details class="app-details" open[form.which == "signoff"] {
                    summary class="app-details__summary" { "Record committee sign-off" }
                    div class="app-details__text" {
                        form method="post" action={ "/recommendations/" (r.id) "/sign-off" } novalidate {
                            (ui::csrf(csrf))
                            input type="hidden" name="version" value=(v);
                            (ui::select(Field::new("body_id", "Committee", if form.which == "signoff" { form.fields.get("body_id") } else { "" }, form.errs("signoff")).prefixed("signoff"), &body_opts))
                            (ui::date_input(Field::new("meeting_date", "Date of the meeting", form.val("signoff", "meeting_date"), form.errs("signoff")).prefixed("signoff")))
                            (ui::text_input(Field::new("minute_ref", "Minute reference", form.val("signoff", "minute_ref"), form.errs("signoff")).prefixed("signoff"), "app-input--width-10"))
                            @if !outcomes.is_empty() {
                                div class="app-checkboxes" {
                                    div class="app-checkboxes__item" {
                                        input class="app-checkboxes__input" id="signoff-outcome_not_improved" name="outcome_not_improved" type="checkbox" value="yes" checked[form.val("signoff", "outcome_not_improved") == "yes" || outcomes.iter().all(|(_, o)| !o.improved())];
                                        label class="app-label app-checkboxes__label" for="signoff-outcome_not_improved" { "Completed — outcome not yet improved (the work is done; the measure has not moved)" }
                                    }
                                }
                            }
                            (ui::button("Sign off"))
                        }
                    }
                }
            }
            @if !matches!(r.lifecycle, Lifecycle::SignedOff | Lifecycle::CompleteAwaitingSignOff) {
                details class="app-details" open[form.which == "transfer"] {
                    summary class="app-details__summary" { "Transfer to another committee" }
                    div class="app-details__text" {
                        form method="post" action={ "/recommendations/" (r.id) "/transfer" } novalidate {
                            (ui::csrf(csrf))
                            input type="hidden" name="version" value=(v);
                            (ui::select(Field::new("body_id", "Committee that takes it over", if form.which == "transfer" { form.fields.get("body_id") } else { "" }, form.errs("transfer")).prefixed("transfer"), &body_opts))
                            (ui::date_input(Field::new("meeting_date", "Date of the meeting that decided", form.val("transfer", "meeting_date"), form.errs("transfer")).prefixed("transfer")))
                            (ui::text_input(Field::new("minute_ref", "Minute reference", form.val("transfer", "minute_ref"), form.errs("transfer")).prefixed("transfer"), "app-input--width-10"))
                            (ui::text_input(Field::new("reason", "Reason", form.val("transfer", "reason"), form.errs("transfer")).prefixed("transfer"), "app-input--width-30"))
                            (ui::secondary_button("Transfer"))
                        }
                    }
                }
            }
        }

        h2 class="app-heading-m" { "History" }
        @if d.history.is_empty() { p class="app-body" { "No changes of status yet." } }
        ol class="app-timeline" {
            @for h in &d.history {
                li class="app-timeline__item" {
                    p class="app-timeline__header app-body" {
                        strong { (history_label(&h.kind)) ":" } " " (h.from_value) " → " (h.to_value)
                    }
                    p class="app-timeline__date app-body-s" { (h.at.get(..10).and_then(assure_domain::dates::parse_iso).map(long).unwrap_or_default()) " by " (h.by) }
                    @if h.body_name.is_some() || !h.minute_ref.is_empty() {
                        p class="app-body-s" { (h.body_name.clone().unwrap_or_default()) @if let Some(m) = h.meeting_date { ", " (long(m)) } @if !h.minute_ref.is_empty() { ", " (h.minute_ref) }
                            @if let Some(m) = h.meeting_id.filter(|_| ctx.can(Permission::ViewMeetings)) { " (" a class="app-link" href=(minute_link(m, &h.minute_ref)) { "the meeting's minutes" } ")" } }
                    }
                    @if !h.reason.is_empty() { p class="app-body-s" { "Reason: " (h.reason) } }
                }
            }
        }
        @if !d.requests.is_empty() {
            h2 class="app-heading-m" { "Update requests" }
            ul class="app-list" {
                @for q in &d.requests {
                    li { "Needed by " (long(q.due_date)) " (asked by " (q.requested_by) ") " @if q.answered { (ui::tag("Answered", TagColour::Green)) } @else if q.due_date < today { (ui::tag("Overdue", TagColour::Red)) } @else { (ui::tag("Due", TagColour::Yellow)) } }
                }
            }
        }
    };
    Ok((status, ui::layout(ctx, &title, !form.errors.is_empty(), content)).into_response())
}

fn history_label(kind: &str) -> &'static str {
    match kind {
        "response" => "Executive response",
        "lifecycle" => "Status",
        "rag" => "RAG override",
        "sign-off" => "Signed off",
        "transfer" => "Transferred",
        _ => "Change",
    }
}

/// Which of a recommendation's forms was sent, and the notice shown when it succeeds.
struct Sent {
    which: &'static str,
    notice: &'static str,
}

/// Turn a validation failure into the page re-rendered with the form's input
/// and errors (422); anything else passes through.
async fn or_form(state: &AppState, ctx: &Ctx, caller: &Caller, rec_id: i64, sent: Sent, fields: Fields, r: Result<(), AppError>) -> PageResult {
    let Sent { which, notice } = sent;
    match r {
        Ok(()) => Ok(done(&format!("/recommendations/{rec_id}"), notice)),
        Err(AppError::Invalid(errors)) => {
            let detail = state.store.tracker().recommendation_detail(rec_id).await?;
            render(state, ctx, caller, detail, FormState { which, fields, errors }, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

// ------------------------------------------------------------------ changes

pub async fn response(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    let input = ResponseInput {
        response: ExecutiveResponse::from_slug(f.get("response")),
        response_date: f.date("response_date"),
        response_reason: f.string("response_reason"),
    };
    let r = match check_response(&input) {
        Err(i) => Err(AppError::Invalid(i)),
        Ok(d) => state.store.tracker().record_response(&caller.actor(), rid, f.version()?, &d).await.map_err(AppError::from),
    };
    or_form(&state, &ctx, &caller, rid, Sent { which: "response", notice: "response-recorded" }, f, r).await
}

pub async fn lifecycle(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    recommendation_for_change(&state, &caller, rid).await?;
    let input = LifecycleInput { lifecycle: Lifecycle::from_slug(f.get("lifecycle")), reason: f.string("reason") };
    let r = state.store.tracker().set_lifecycle(&caller.actor(), rid, f.version()?, &input).await.map_err(AppError::from);
    or_form(&state, &ctx, &caller, rid, Sent { which: "lifecycle", notice: "status-changed" }, f, r).await
}

pub async fn rag(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    recommendation_for_change(&state, &caller, rid).await?;
    let r = match check_rag_override(&RagOverrideInput { rag: f.string("rag"), rag_reason: f.string("rag_reason") }) {
        Err(i) => Err(AppError::Invalid(i)),
        Ok(o) => state.store.tracker().set_rag_override(&caller.actor(), rid, f.version()?, &o).await.map_err(AppError::from),
    };
    or_form(&state, &ctx, &caller, rid, Sent { which: "rag", notice: "rag-saved" }, f, r).await
}

pub async fn add_action(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    recommendation_for_change(&state, &caller, rid).await?;
    let input = ActionInput { text: f.string("text"), owner: f.string("owner"), target_date: f.date("target_date") };
    let r = match check_action(&input) {
        Err(i) => Err(AppError::Invalid(i)),
        Ok(a) => state.store.tracker().add_action(&caller.actor(), rid, &a).await.map(|_| ()).map_err(AppError::from),
    };
    or_form(&state, &ctx, &caller, rid, Sent { which: "action", notice: "action-added" }, f, r).await
}

pub async fn revise_action(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, mut f: Fields) -> PageResult {
    let aid = id(&raw)?;
    let action = state.store.tracker().action(aid).await?;
    recommendation_for_change(&state, &caller, action.recommendation_id).await?;
    let r = state
        .store
        .tracker()
        .revise_action_date(&caller.actor(), aid, f.version()?, &RevisionInput { new_date: f.date("new_date"), reason: f.string("reason") })
        .await
        .map_err(AppError::from);
    f.0.push(("action_id".into(), aid.to_string()));
    or_form(&state, &ctx, &caller, action.recommendation_id, Sent { which: "revise", notice: "date-revised" }, f, r).await
}

pub async fn action_done(State(state): State<AppState>, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let aid = id(&raw)?;
    let action = state.store.tracker().action(aid).await?;
    recommendation_for_change(&state, &caller, action.recommendation_id).await?;
    state.store.tracker().set_action_done(&caller.actor(), aid, f.version()?, f.get("done") == "1").await?;
    Ok(done(&format!("/recommendations/{}#actions", action.recommendation_id), "action-saved"))
}

pub async fn add_update(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, mut mp: Multipart) -> PageResult {
    let rid = id(&raw)?;
    recommendation_for_change(&state, &caller, rid).await?;
    let mut fields = Fields::default();
    let mut uploads = Vec::new();
    let too_big = || {
        AppError::TooLarge(format!(
            "The files sent were too large. Each file must be smaller than {} MB. Nothing was saved.",
            state.config.max_upload_bytes / (1024 * 1024)
        ))
    };
    while let Some(field) = mp.next_field().await.map_err(|_| too_big())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "evidence" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| too_big())?;
            if !file_name.is_empty() || !bytes.is_empty() {
                uploads.push(Upload { name: file_name, bytes: bytes.to_vec() });
            }
        } else {
            let text = field.text().await.map_err(|_| too_big())?;
            fields.0.push((name, text));
        }
    }
    // The update's date, sent in the GOV.UK date input, read like a posted form's.
    fields.join_date_parts();
    let mut typed = Invalid::new();
    // A multipart form's text is not seen by the edge's check (crate::hygiene).
    for (name, text) in &fields.0 {
        if let Some(c) = assure_domain::text::control_char(text) {
            typed.add(name, assure_domain::text::control_char_message(&format!("The field \u{201c}{name}\u{201d}"), c));
        }
    }
    let progress_percent = fields.opt_int("progress_percent").unwrap_or_else(|_| {
        typed.add("progress_percent", "Progress must be a whole number from 0 to 100");
        None
    });
    let input = UpdateInput {
        update_date: fields.date("update_date"),
        narrative: fields.string("narrative"),
        progress_percent,
        corrects_id: fields.opt_id("corrects_id"),
    };
    // Every problem with the form and the files at once, before anything is written;
    // the files are written only if all is well, and removed again if the store refuses.
    evidence::check_uploads(&state, &uploads, &mut typed);
    let result: Result<(), AppError> = async {
        with_typed(typed, check_update(&input, &[]), UpdateInput::FIELDS)?;
        let stored = evidence::store_uploads(&state, &uploads).await.map_err(AppError::Invalid)?;
        match state.store.tracker().add_update(&caller.actor(), rid, &input, &stored).await {
            Ok(_) => Ok(()),
            Err(e) => {
                for s in &stored {
                    let _ = tokio::fs::remove_file(evidence::evidence_dir(&state).join(&s.stored_name)).await;
                }
                Err(e.into())
            }
        }
    }
    .await;
    or_form(&state, &ctx, &caller, rid, Sent { which: "update", notice: "update-added" }, fields, result).await
}

pub async fn sign_off(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    let r = state
        .store
        .tracker()
        .sign_off(
            &caller.actor(),
            rid,
            f.version()?,
            &SignOffInput {
                body_id: f.opt_id("body_id"),
                meeting_date: f.date("meeting_date"),
                minute_ref: f.string("minute_ref"),
                outcome_not_improved: f.string("outcome_not_improved") == "yes",
            },
        )
        .await
        .map_err(AppError::from);
    or_form(&state, &ctx, &caller, rid, Sent { which: "signoff", notice: "signed-off" }, f, r).await
}

/// POST "/recommendations/{id}/measures": name a measure the recommendation must move,
/// its baseline the month the executive decided (or this month, when not recorded).
pub async fn link_measure(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    let r = state.store.tracker().recommendation(rid).await?;
    let from = assure_domain::datasets::Month::of(r.executive_decision_date.or(r.response_date).unwrap_or(ctx.today));
    let result = match f.opt_id("measure_id") {
        None => Err(AppError::Invalid(Invalid::single("measure_id", "Choose a performance measure from the list"))),
        Some(m) => state.store.scorecards().link(&caller.actor(), Linked::Recommendation(rid), m, from).await.map_err(AppError::from),
    };
    or_form(&state, &ctx, &caller, rid, Sent { which: "measure", notice: "measure-linked" }, f, result).await
}

pub async fn transfer(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    let r = state
        .store
        .tracker()
        .transfer(
            &caller.actor(),
            rid,
            f.version()?,
            &TransferInput {
                body_id: f.opt_id("body_id"),
                meeting_date: f.date("meeting_date"),
                minute_ref: f.string("minute_ref"),
                reason: f.string("reason"),
            },
        )
        .await
        .map_err(AppError::from);
    or_form(&state, &ctx, &caller, rid, Sent { which: "transfer", notice: "transferred" }, f, r).await
}

/// Evidence is sent as a download, never rendered inline, and every download is audited.
pub async fn evidence(State(state): State<AppState>, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let eid = id(&raw)?;
    let (e, rec_id) = state.store.tracker().evidence(eid).await?;
    let bytes = tokio::fs::read(evidence::evidence_dir(&state).join(&e.stored_name)).await.map_err(|_| AppError::NotFound)?;
    state.store.record(&caller.actor(), Event::new("evidence.download", "recommendation", rec_id, format!("evidence file {eid} downloaded"))).await?;
    let disposition = format!("attachment; filename=\"{}\"", evidence::safe_name(&e.original_name).replace('"', ""));
    Ok(([(header::CONTENT_TYPE, e.content_type.clone()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

// ------------------------------------------------------------------ editing

/// What a recommendation's form offers to choose from: bodies, lead officers, and (when
/// adding) the recommendations a new one may sit under.
pub struct RecChoices<'a> {
    pub bodies: &'a [assure_storage::tracker::Body],
    pub leads: &'a [assure_storage::users::User],
    pub parents: Option<&'a [assure_storage::tracker::Recommendation]>,
}

pub fn rec_form(ctx: &Ctx, action: &str, heading: &str, f: &Fields, errors: &Invalid, choices: RecChoices) -> Markup {
    let RecChoices { bodies, leads, parents } = choices;
    let lead_opts: Vec<(String, String)> = leads
        .iter()
        .map(|u| (u.id.to_string(), if u.job_title.is_empty() { u.name.clone() } else { format!("{}, {}", u.name, u.job_title) }))
        .collect();
    html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { (heading) }
        form method="post" action=(action) novalidate {
            (ui::csrf(ctx.csrf()))
            @if !f.get("version").is_empty() { input type="hidden" name="version" value=(f.get("version")); }
            @if let Some(parents) = parents {
                (ui::select(Field::new("parent_id", "Is this a sub-item of another recommendation?", f.get("parent_id"), errors).hint("Sub-items are lettered a), b), c) under their numbered recommendation"),
                    &ui::options_with_blank("No, it is a numbered recommendation", parents.iter().map(|p| (p.id.to_string(), format!("{} {}", p.label(), super::dashboard::truncate(p.wording(), 80)))))))
                (ui::text_input(Field::new("sub_label", "Sub-item letter", f.get("sub_label"), errors).hint("Only for sub-items, for example a"), "app-input--width-5"))
            }
            (ui::text_input(Field::new("number", "Recommendation number", f.get("number"), errors).hint("For sub-items, the number comes from the recommendation it belongs to"), "app-input--width-5"))
            (ui::textarea(Field::new("committee_wording", "Committee wording", f.get("committee_wording"), errors).hint("As the committee resolved it, for example: request Sefton's Members of Parliament to ..."), 5))
            (ui::textarea(Field::new("executive_wording", "Executive wording (optional)", f.get("executive_wording"), errors).hint("As the executive agreed it, for example: Sefton's Members of Parliament be requested to ..."), 5))
            (ui::text_input(Field::new("who_must_act", "Who must act", f.get("who_must_act"), errors).hint("For example: Sefton's Members of Parliament"), "app-input--width-30"))
            (ui::text_input(Field::new("origin", "Origin (optional)", f.get("origin"), errors).hint("Where it came from, as the council writes it, for example: Ofsted inspection 2016, Licensing/CSE scrutiny review"), "app-input--width-30"))
            (ui::date_input(Field::new("executive_decision_date", "Executive decision date (optional)", f.get("executive_decision_date"), errors).hint("When Cabinet or the executive decided on it, for example 5 10 2017")))
            (ui::checkboxes("lead_ids", "Lead officers", Some("Select everyone who answers for this recommendation"), &lead_opts, &f.all("lead_ids"), errors))
            @for (line, account) in linkable(f.get("lead_officers_text"), leads) {
                div class="app-inset-text" data-testid="lead-suggestion" {
                    "“" (line) "” may be " (account) ". To link them, select " (account) " above and remove the line below."
                }
            }
            (ui::textarea(Field::new("lead_officers_text", "Lead officers without an account (optional)", f.get("lead_officers_text"), errors).hint("One a line, as the council writes them, for example: Steph Cordon, Head of Service"), 3))
            (ui::text_input(Field::new("area", "Area or portfolio", f.get("area"), errors), "app-input--width-20"))
            (ui::textarea(Field::new("outcome", "Improved outcome for children and young people", f.get("outcome"), errors), 3))
            (ui::select(Field::new("monitoring_body_id", "Committee that monitors it", f.get("monitoring_body_id"), errors), &ui::options_with_blank("Select a committee", bodies.iter().map(|b| (b.id.to_string(), b.name.clone())))))
            (ui::button("Save recommendation"))
        }
    }
}

/// Lead officers named without an account whose name is an account's: each line with
/// the account it may be, to suggest linking them.
fn linkable(text: &str, leads: &[assure_storage::users::User]) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|line| {
            let name = assure_domain::import::split_name_title(line).name;
            let u = leads.iter().find(|u| !name.is_empty() && u.name.trim().eq_ignore_ascii_case(name.trim()))?;
            Some((line.to_string(), if u.job_title.is_empty() { u.name.clone() } else { format!("{}, {}", u.name, u.job_title) }))
        })
        .collect()
}

/// The recommendation as typed, and a number that is not a whole number (which only the
/// page can see).
pub fn rec_input(f: &Fields) -> (RecommendationInput, Invalid) {
    let mut typed = crate::forms::unreadable_dates(f, &[("executive_decision_date", "executive decision date")]);
    let number = match f.get("number").trim() {
        "" => None,
        n => match n.trim_start_matches('(').trim_end_matches(')').parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                typed.add("number", "The recommendation number must be a whole number, for example 3");
                None
            }
        },
    };
    let input = RecommendationInput {
        parent_id: f.opt_id("parent_id"),
        number,
        sub_label: f.string("sub_label"),
        committee_wording: f.string("committee_wording"),
        executive_wording: f.string("executive_wording"),
        who_must_act: f.string("who_must_act"),
        area: f.string("area"),
        outcome: f.string("outcome"),
        monitoring_body_id: f.opt_id("monitoring_body_id"),
        lead_ids: f.ids("lead_ids"),
        lead_officers_text: Some(f.string("lead_officers_text")),
        origin: f.string("origin"),
        executive_decision_date: f.date("executive_decision_date"),
    };
    (input, typed)
}

pub async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let r = state.store.tracker().recommendation(id(&raw)?).await?;
    let mut f = Fields::default();
    let mut put = |k: &str, v: String| f.0.push((k.to_string(), v));
    put("version", r.version.to_string());
    put("number", r.number.to_string());
    put("committee_wording", r.committee_wording.clone());
    put("executive_wording", r.executive_wording.clone());
    put("who_must_act", r.who_must_act.clone());
    put("area", r.area.clone());
    put("outcome", r.outcome.clone());
    put("monitoring_body_id", r.monitoring_body_id.map(|b| b.to_string()).unwrap_or_default());
    for l in &r.leads {
        put("lead_ids", l.user_id.to_string());
    }
    put("lead_officers_text", r.lead_officers_text.clone());
    put("origin", r.origin.clone());
    put("executive_decision_date", r.executive_decision_date.map(assure_domain::dates::numeric).unwrap_or_default());
    if r.parent_id.is_some() {
        put("sub_label", r.sub_label.clone());
    }
    edit_render(&state, &ctx, r.id, &f, &Invalid::new(), StatusCode::OK).await
}

async fn edit_render(state: &AppState, ctx: &Ctx, rid: i64, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let bodies = state.store.tracker().bodies().await?;
    let leads = state.store.users().possible_leads().await?;
    let content = html! {
        (ui::back_link(&format!("/recommendations/{rid}"), "Back to the recommendation"))
        (rec_form(ctx, &format!("/recommendations/{rid}/edit"), "Edit recommendation", f, errors, RecChoices { bodies: &bodies, leads: &leads, parents: None }))
    };
    Ok((status, ui::layout(ctx, "Edit recommendation", !errors.is_empty(), content)).into_response())
}

pub async fn edit_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    let (input, typed) = rec_input(&f);
    let result = match refused(typed, || check_recommendation(&input), RecommendationInput::FIELDS) {
        Some(i) => Err(AppError::Invalid(i)),
        None => state.store.tracker().update_recommendation(&caller.actor(), rid, f.version()?, &input).await.map_err(AppError::from),
    };
    match result {
        Ok(()) => Ok(done(&format!("/recommendations/{rid}"), "recommendation-saved")),
        Err(AppError::Invalid(errors)) => edit_render(&state, &ctx, rid, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// A link to a meeting in Assure, at the minute a reference like "Minute No. 23" names
/// (its first number), or at the meeting when it names none.
fn minute_link(meeting: i64, minute_ref: &str) -> String {
    let n: String = minute_ref.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    if n.is_empty() {
        format!("/meetings/{meeting}")
    } else {
        format!("/meetings/{meeting}#minute-{n}")
    }
}
