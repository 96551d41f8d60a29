//! The key-decision forward plan (issue 19) for officers: the items with the rule each
//! comes under and the first day its decision can be taken; an item's page with its
//! date changes, exception and decision; the clerk's forms; the plans published, each
//! frozen with its fingerprint and what changed since the one before.
//!
//! `ViewMeetings` reads; `RunMeetings` (the democratic services officer) keeps it.

use assure_domain::dates::long;
use assure_domain::forward_plan::{DecisionMaker, Exception, ItemInput, ItemStatus, PlanDiff, PublishedItem};
use assure_domain::meetings::schedule_12a;
use assure_domain::tracker::TagColour;
use assure_domain::{Invalid, Permission};
use assure_storage::forward_plan::{PlanItem, Publication};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

fn keeper(ctx: &Ctx) -> bool {
    ctx.can(Permission::RunMeetings)
}

fn status_tag(s: ItemStatus) -> Markup {
    let colour = match s {
        ItemStatus::Open => TagColour::Blue,
        ItemStatus::Taken => TagColour::Green,
        ItemStatus::Withdrawn => TagColour::Grey,
    };
    ui::tag(s.label(), colour)
}

pub(crate) fn exempt_words(p: Option<u8>) -> String {
    match p {
        None => "Open".into(),
        Some(n) => format!("Exempt: paragraph {n} of Schedule 12A ({})", schedule_12a(n)),
    }
}

pub(crate) fn key_words(financial: bool, wards: bool) -> &'static str {
    match (financial, wards) {
        (true, true) => "Key decision: financial, and significant in two or more wards",
        (true, false) => "Key decision: financial",
        (false, true) => "Key decision: significant in two or more wards",
        (false, false) => "Not a key decision",
    }
}

/// A store refusal shown on the form; anything else goes up.
fn on_form<T>(r: Result<T, assure_storage::StoreError>) -> Result<Option<Invalid>, AppError> {
    match r {
        Ok(_) => Ok(None),
        Err(assure_storage::StoreError::Invalid(e)) => Ok(Some(e)),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------------------ list

/// GET "/forward-plan": what is planned, by expected date, with the rule for each; the
/// plans published.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let p = state.store.forward_plan();
    let items = p.items(true).await?;
    let publications = p.publications().await?;
    list_render(&ctx, &items, &publications, &Invalid::new(), StatusCode::OK)
}

fn list_render(ctx: &Ctx, items: &[PlanItem], publications: &[Publication], errors: &Invalid, status: StatusCode) -> PageResult {
    let (open, closed): (Vec<&PlanItem>, Vec<&PlanItem>) = items.iter().partition(|i| i.status == ItemStatus::Open);
    let table = |caption: &str, rows: &[&PlanItem]| {
        ui::scroll_table(
            caption,
            html! {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--m" { (caption) }
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Decision" }
                        th class="app-table__header" scope="col" { "Decision maker" }
                        th class="app-table__header" scope="col" { "Expected" }
                        th class="app-table__header" scope="col" { "Rule" }
                        th class="app-table__header" scope="col" { "Status" }
                    } }
                    tbody class="app-table__body" {
                        @for i in rows { tr class="app-table__row" {
                            td class="app-table__cell" {
                                a class="app-link" href={ "/forward-plan/items/" (i.id) } { (i.details.title) }
                                @if i.details.exempt_paragraph.is_some() { " " (ui::tag("Exempt", TagColour::Red)) }
                            }
                            td class="app-table__cell" { (i.details.decision_maker.label()) @if !i.details.decision_maker_name.is_empty() { ": " (i.details.decision_maker_name) } }
                            td class="app-table__cell" { (long(i.details.expected)) }
                            td class="app-table__cell" { (i.rule()) }
                            td class="app-table__cell" { (status_tag(i.status)) }
                        } }
                    }
                }
            },
        )
    };
    let content = html! {
        (ui::back_link("/meetings", "Back to meetings"))
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Forward plan of key decisions" }
        p class="app-body" {
            "A key decision is taken only after 28 clear days' notice on a published plan — neither the day of publication nor the day of the decision counts — "
            "or under the general exception (the scrutiny chair told and a notice published 5 clear working days before) or special urgency (the chair's agreement)."
        }
        @if keeper(ctx) {
            p class="app-body" { a class="app-link" href="/forward-plan/new" { "Add a decision to the plan" } }
            form method="post" action="/forward-plan/publish" novalidate {
                (ui::csrf(ctx.csrf()))
                @if let Some(m) = errors.for_field("publish") { p class="app-error-message" id="publish-error" { span class="app-visually-hidden" { "Error: " } (m) } }
                button type="submit" id="publish" class="app-button" data-module="app-button" { "Publish the plan today" }
            }
        }
        @if open.is_empty() { p class="app-body" { "Nothing is planned." } } @else { (table("Planned", &open)) }
        @if !closed.is_empty() { (table("Taken or withdrawn", &closed)) }
        h2 class="app-heading-m" { "Published plans" }
        @if publications.is_empty() { p class="app-body" { "The plan has not been published yet." } } @else {
            ul class="app-list" {
                @for p in publications { li {
                    a class="app-link" href={ "/forward-plan/publications/" (p.id) } { "Published " (long(p.published_on)) }
                    " — " (p.snapshot.planned().len()) " decisions"
                } }
            }
        }
    };
    Ok((status, ui::layout(ctx, "Forward plan", !errors.is_empty(), content)).into_response())
}

// ------------------------------------------------------------------------- new item

fn item_input(f: &Fields) -> (ItemInput, Invalid) {
    let mut typed = Invalid::new();
    if let Some(p) = f.date_problem("expected", "The expected date") {
        typed.add("expected", p);
    }
    let exempt_paragraph = match f.get("exempt_paragraph").trim() {
        "" | "open" => None,
        s => match s.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                typed.add("exempt_paragraph", "Select the paragraph of Schedule 12A (1 to 7), or open");
                None
            }
        },
    };
    let criteria = f.all("criteria");
    let input = ItemInput {
        title: f.string("title"),
        decision_maker: DecisionMaker::from_slug(f.get("decision_maker")),
        decision_maker_name: f.string("decision_maker_name"),
        expected: f.date("expected"),
        financial: criteria.iter().any(|c| c == "financial"),
        wards_effect: criteria.iter().any(|c| c == "wards"),
        exempt_paragraph,
        public_interest: f.string("public_interest"),
        wards: f.string("wards"),
        scrutiny_area: f.string("scrutiny_area"),
        consultees: f.string("consultees"),
        consultation_method: f.string("consultation_method"),
        background_documents: f.string("background_documents"),
        contact_officer: f.string("contact_officer"),
    };
    (input, typed)
}

fn new_render(ctx: &Ctx, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let makers: Vec<(String, String)> = DecisionMaker::ALL.iter().map(|m| (m.slug().to_string(), m.label().to_string())).collect();
    let criteria = vec![
        (
            "financial".to_string(),
            "Financial: spending or saving over the threshold (£100,000 or 2% of the department's budget, whichever is greater)".to_string(),
        ),
        ("wards".to_string(), "Significant effect on communities in two or more wards".to_string()),
    ];
    let mut paragraphs = vec![("open".to_string(), "Open: not exempt".to_string())];
    paragraphs.extend((1..=7u8).map(|p| (p.to_string(), format!("Paragraph {p}: {}", schedule_12a(p)))));
    let t = |name: &'static str, label: &'static str| ui::text_input(Field::new(name, label, f.get(name), errors), "app-input--width-30");
    let a = |name: &'static str, label: &'static str| ui::textarea(Field::new(name, label, f.get(name), errors), 3);
    let content = html! {
        (ui::back_link("/forward-plan", "Back to the forward plan"))
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Add a decision to the forward plan" }
        form method="post" action="/forward-plan/new" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::textarea(Field::new("title", "Details of the decision to be taken", f.get("title"), errors), 3))
            (ui::radios(Field::new("decision_maker", "Decision maker", f.get("decision_maker"), errors), &makers, false))
            (t("decision_maker_name", "Which Cabinet Member or officer (optional)"))
            (ui::date_input(Field::new("expected", "Decision expected", f.get("expected"), errors).hint("For example, 16 3 2027")))
            (ui::checkboxes("criteria", "Key-decision criteria", Some("Select all that apply; none means it is not a key decision"), &criteria, &f.all("criteria"), errors))
            (ui::select(Field::new("exempt_paragraph", "Exempt report", f.get("exempt_paragraph"), errors), &paragraphs))
            (a("public_interest", "For an exempt report: why the public interest in withholding it outweighs disclosure"))
            (t("wards", "Wards affected"))
            (t("scrutiny_area", "Scrutiny committee area"))
            (a("consultees", "Persons or organisations to be consulted"))
            (a("consultation_method", "Method of consultation"))
            (a("background_documents", "Background documents"))
            (t("contact_officer", "Contact officer"))
            (ui::button("Add to the plan"))
        }
    };
    Ok((status, ui::layout(ctx, "Add a decision to the forward plan", !errors.is_empty(), content)).into_response())
}

pub async fn new_page(ctx: Ctx) -> PageResult {
    new_render(&ctx, &Fields::default(), &Invalid::new(), StatusCode::OK)
}

/// POST "/forward-plan/new": an item expected today or later (audited).
pub async fn create(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let (input, typed) = item_input(&f);
    if !typed.is_empty() {
        return new_render(&ctx, &f, &typed.ordered(ItemInput::FIELDS), StatusCode::UNPROCESSABLE_ENTITY);
    }
    match state.store.forward_plan().create_item(&caller.actor(), &input).await {
        Ok(id) => Ok(done(&format!("/forward-plan/items/{id}"), "forward-plan-item-added")),
        Err(assure_storage::StoreError::Invalid(e)) => new_render(&ctx, &f, &e.ordered(ItemInput::FIELDS), StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => Err(e.into()),
    }
}

/// POST "/forward-plan/publish": today's plan, frozen.
pub async fn publish(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    let p = state.store.forward_plan();
    match on_form(p.publish(&caller.actor()).await)? {
        None => {
            let latest = p.publications().await?.into_iter().next().map(|x| x.id).unwrap_or_default();
            Ok(done(&format!("/forward-plan/publications/{latest}"), "forward-plan-published"))
        }
        Some(e) => {
            let items = p.items(true).await?;
            let publications = p.publications().await?;
            list_render(&ctx, &items, &publications, &e, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

// ------------------------------------------------------------------------ one item

fn item_render(ctx: &Ctx, i: &PlanItem, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let version = if f.get("version").is_empty() { i.version.to_string() } else { f.string("version") };
    let kinds = vec![
        ("general-exception".to_string(), "The general exception: the scrutiny chair told, and a notice published".to_string()),
        ("special-urgency".to_string(), "Special urgency: the chair agreed it cannot reasonably be deferred".to_string()),
    ];
    let d = &i.details;
    let content = html! {
        (ui::back_link("/forward-plan", "Back to the forward plan"))
        (ui::error_summary(errors))
        span class="app-caption-l" { "Forward plan" }
        h1 class="app-heading-l" { (d.title) }
        dl class="app-summary-list" {
            (ui::summary_row("Status", status_tag(i.status)))
            (ui::summary_row("Rule", html! { (i.rule()) }))
            (ui::summary_row("Decision maker", html! { (d.decision_maker.label()) @if !d.decision_maker_name.is_empty() { ": " (d.decision_maker_name) } }))
            (ui::summary_row("Decision expected", html! { (long(d.expected)) }))
            (ui::summary_row("Key decision", html! { (key_words(d.financial, d.wards_effect)) }))
            (ui::summary_row("Exempt report", html! { (exempt_words(d.exempt_paragraph)) @if !d.public_interest.is_empty() { ". " (d.public_interest) } }))
            (ui::summary_row("Wards affected", html! { (d.wards) }))
            (ui::summary_row("Scrutiny committee area", html! { (d.scrutiny_area) }))
            (ui::summary_row("Consultees", html! { (d.consultees) }))
            (ui::summary_row("Method of consultation", html! { (d.consultation_method) }))
            (ui::summary_row("Background documents", html! { (d.background_documents) }))
            (ui::summary_row("Contact officer", html! { (d.contact_officer) }))
            (ui::summary_row("First published", html! { @if let Some(p) = i.first_published { (long(p)) } }))
            @if let Some(x) = &i.exception {
                (ui::summary_row("Exception", html! { @match x {
                    Exception::GeneralException { chair_notified, notice_published } => {
                        "The general exception: the chair told " (long(*chair_notified)) ", notice published " (long(*notice_published))
                    }
                    Exception::SpecialUrgency { chair, agreed, reason } => { "Special urgency: " (chair) " agreed on " (long(*agreed)) ". " (reason) }
                } }))
            }
            @if let Some(r) = &i.withdrawn_reason { (ui::summary_row("Withdrawn because", html! { (r) })) }
        }
        @if !i.date_changes.is_empty() {
            h2 class="app-heading-m" { "Changes of the expected date" }
            ul class="app-list app-list--bullet" {
                @for c in &i.date_changes { li { "From " (long(c.from)) " to " (long(c.to)) ": " (c.reason) " (changed " (long(c.on)) ")" } }
            }
        }
        @if keeper(ctx) && i.status == ItemStatus::Open {
            h2 class="app-heading-m" { "Change the expected date" }
            form method="post" action={ "/forward-plan/items/" (i.id) "/date" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(version);
                (ui::date_input(Field::new("expected", "New expected date", f.get("expected"), errors)))
                (ui::textarea(Field::new("reason", "Why the date changed", f.get("reason"), errors), 2))
                (ui::secondary_button("Change the date"))
            }
            @if d.key() {
                h2 class="app-heading-m" { "Record an exception to the 28 days' notice" }
                form method="post" action={ "/forward-plan/items/" (i.id) "/exception" } novalidate {
                    (ui::csrf(ctx.csrf()))
                    input type="hidden" name="version" value=(version);
                    (ui::radios(Field::new("exception", "Which", f.get("exception"), errors), &kinds, false))
                    (ui::date_input(Field::new("chair_notified", "General exception: the date the scrutiny chair was told", f.get("chair_notified"), errors)))
                    (ui::date_input(Field::new("notice_published", "General exception: the date the notice was published", f.get("notice_published"), errors)))
                    (ui::text_input(Field::new("chair", "Special urgency: the chair who agreed", f.get("chair"), errors), "app-input--width-20"))
                    (ui::date_input(Field::new("agreed", "Special urgency: the date they agreed", f.get("agreed"), errors)))
                    (ui::textarea(Field::new("urgency_reason", "Special urgency: why it cannot reasonably be deferred", f.get("urgency_reason"), errors), 2))
                    (ui::secondary_button("Record the exception"))
                }
            }
            h2 class="app-heading-m" { "Record the decision as taken" }
            form method="post" action={ "/forward-plan/items/" (i.id) "/taken" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(version);
                (ui::date_input(Field::new("taken_on", "The date the decision was taken", f.get("taken_on"), errors)))
                (ui::button("Record the decision"))
            }
            h2 class="app-heading-m" { "Withdraw it from the plan" }
            form method="post" action={ "/forward-plan/items/" (i.id) "/withdraw" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(version);
                (ui::textarea(Field::new("reason_withdrawn", "Why it is withdrawn", f.get("reason_withdrawn"), errors), 2))
                button type="submit" class="app-button app-button--warning" { "Withdraw" }
            }
        }
    };
    Ok((status, ui::layout(ctx, &d.title, !errors.is_empty(), content)).into_response())
}

/// GET "/forward-plan/items/{id}".
pub async fn item(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let i = state.store.forward_plan().item(id(&raw)?).await?;
    item_render(&ctx, &i, &Fields::default(), &Invalid::new(), StatusCode::OK)
}

/// Back to the item page with `notice`, or the page again with the problems.
async fn item_done(state: &AppState, ctx: &Ctx, item: i64, f: &Fields, problems: Option<Invalid>, notice: &str) -> PageResult {
    match problems {
        None => Ok(done(&format!("/forward-plan/items/{item}"), notice)),
        Some(e) => {
            let i = state.store.forward_plan().item(item).await?;
            item_render(ctx, &i, f, &e, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// POST "/forward-plan/items/{id}/date": a new expected date and why (version-checked).
pub async fn change_date(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let item = id(&raw)?;
    let problems = match f.date_problem("expected", "The new date") {
        Some(p) => Some(Invalid::single("expected", p)),
        None => on_form(state.store.forward_plan().change_date(&caller.actor(), item, f.version()?, f.date("expected"), f.get("reason")).await)?,
    };
    item_done(&state, &ctx, item, &f, problems, "forward-plan-date-changed").await
}

/// POST "/forward-plan/items/{id}/exception": the general exception or special urgency.
pub async fn exception(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let item = id(&raw)?;
    let mut typed = Invalid::new();
    let mut date = |name: &str, what: &str| {
        if let Some(p) = f.date_problem(name, what) {
            typed.add(name, p);
            return None;
        }
        let d = f.date(name);
        if d.is_none() {
            typed.add(name, format!("Enter {}", what.to_lowercase()));
        }
        d
    };
    let x = match f.get("exception") {
        "general-exception" => {
            let (c, n) = (date("chair_notified", "The date the chair was told"), date("notice_published", "The date the notice was published"));
            c.zip(n).map(|(chair_notified, notice_published)| Exception::GeneralException { chair_notified, notice_published })
        }
        "special-urgency" => date("agreed", "The date the chair agreed").map(|agreed| Exception::SpecialUrgency {
            chair: f.string("chair"),
            agreed,
            reason: f.string("urgency_reason"),
        }),
        _ => {
            typed.add("exception", "Select the general exception or special urgency");
            None
        }
    };
    let problems = match x {
        Some(x) if typed.is_empty() => {
            on_form(state.store.forward_plan().record_exception(&caller.actor(), item, f.version()?, &x).await)?.map(|mut e| {
                for err in &mut e.errors {
                    if err.field == "reason" {
                        err.field = "urgency_reason".into();
                    }
                }
                e
            })
        }
        _ => Some(typed),
    };
    item_done(&state, &ctx, item, &f, problems, "forward-plan-exception").await
}

/// POST "/forward-plan/items/{id}/taken": the decision recorded as taken, only under a
/// rule that allows it.
pub async fn taken(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let item = id(&raw)?;
    let problems = match f.date_problem("taken_on", "The date the decision was taken") {
        Some(p) => Some(Invalid::single("taken_on", p)),
        None => on_form(state.store.forward_plan().record_taken(&caller.actor(), item, f.version()?, f.date("taken_on")).await)?,
    };
    item_done(&state, &ctx, item, &f, problems, "forward-plan-taken").await
}

/// POST "/forward-plan/items/{id}/withdraw".
pub async fn withdraw(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let item = id(&raw)?;
    let problems =
        on_form(state.store.forward_plan().withdraw(&caller.actor(), item, f.version()?, f.get("reason_withdrawn")).await)?.map(|mut e| {
            for err in &mut e.errors {
                if err.field == "reason" {
                    err.field = "reason_withdrawn".into();
                }
            }
            e
        });
    item_done(&state, &ctx, item, &f, problems, "forward-plan-withdrawn").await
}

// ---------------------------------------------------------------- a published plan

pub(crate) fn changes(diff: &PlanDiff, before: &Publication, after: &Publication) -> Markup {
    let title = |id: &i64| {
        after.snapshot.items.iter().chain(&before.snapshot.items).find(|i| i.id == *id).map(|i| i.details.title.clone()).unwrap_or_default()
    };
    html! {
        h2 class="app-heading-m" { "Changes since the plan published " (long(before.published_on)) }
        @if diff == &PlanDiff::default() { p class="app-body" { "None." } } @else {
            ul class="app-list app-list--bullet" {
                @for i in &diff.new { li { "New: " (title(i)) } }
                @for (i, from, to) in &diff.moved { li { "Moved: " (title(i)) ", from " (long(*from)) " to " (long(*to)) } }
                @for i in &diff.taken { li { "Taken: " (title(i)) } }
                @for i in &diff.withdrawn { li { "Withdrawn: " (title(i)) } }
            }
        }
    }
}

pub(crate) fn planned_table(items: &[&PublishedItem]) -> Markup {
    ui::scroll_table(
        "The plan",
        html! {
            table class="app-table" {
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Decision" }
                    th class="app-table__header" scope="col" { "Decision maker" }
                    th class="app-table__header" scope="col" { "Expected" }
                    th class="app-table__header" scope="col" { "Key decision" }
                    th class="app-table__header" scope="col" { "Exempt" }
                    th class="app-table__header" scope="col" { "Contact officer" }
                } }
                tbody class="app-table__body" {
                    @for i in items { tr class="app-table__row" {
                        td class="app-table__cell" { (i.details.title) @if i.new { " " (ui::tag("New", TagColour::Blue)) } }
                        td class="app-table__cell" { (i.details.decision_maker.label()) @if !i.details.decision_maker_name.is_empty() { ": " (i.details.decision_maker_name) } }
                        td class="app-table__cell" { (long(i.details.expected)) }
                        td class="app-table__cell" { (key_words(i.details.financial, i.details.wards_effect)) }
                        td class="app-table__cell" { (exempt_words(i.details.exempt_paragraph)) }
                        td class="app-table__cell" { (i.details.contact_officer) }
                    } }
                }
            }
        },
    )
}

/// GET "/forward-plan/publications/{id}/document/{format}": the plan as published, as a
/// Word document or PDF in the seeds' layout (audited).
pub async fn document(State(state): State<AppState>, caller: Caller, Path((raw, ext)): Path<(String, String)>) -> PageResult {
    let format = assure_documents::Format::from_extension(&ext)
        .filter(|f| matches!(f, assure_documents::Format::Docx | assure_documents::Format::Pdf))
        .ok_or(AppError::NotFound)?;
    let (p, _) = state.store.forward_plan().publication(id(&raw)?).await?;
    let organisation = state.store.settings().load().await?.organisation;
    let stem = format!("forward-plan-{}", p.published_on.format("%Y-%m-%d"));
    let bytes = tokio::task::spawn_blocking(move || assure_documents::render_forward_plan(&organisation, &p.snapshot, &p.fingerprint, format))
        .await
        .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
        .map_err(AppError::from)?;
    state
        .store
        .record(
            &caller.actor(),
            assure_storage::audit::Event::new("forward-plan.document", "forward_plan", id(&raw)?, format!("downloaded as {}", format.extension())),
        )
        .await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, format.content_type().to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.{}\"", format.extension())),
        ],
        bytes,
    )
        .into_response())
}

/// GET "/forward-plan/publications/{id}": a plan as published, its fingerprint (and
/// whether it still matches), and what changed since the plan before.
pub async fn publication(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let (p, before) = state.store.forward_plan().publication(id(&raw)?).await?;
    let heading = format!("Forward plan published {}", long(p.published_on));
    let content = html! {
        (ui::back_link("/forward-plan", "Back to the forward plan"))
        h1 class="app-heading-l" { (heading) }
        p class="app-body" {
            "Download it as published: "
            a class="app-link" href={ "/forward-plan/publications/" (p.id) "/document/docx" } { "Word" } ", "
            a class="app-link" href={ "/forward-plan/publications/" (p.id) "/document/pdf" } { "PDF" } "."
        }
        dl class="app-summary-list" {
            (ui::summary_row("Published by", html! { (p.published_by) }))
            (ui::summary_row("Fingerprint", html! { code { (p.fingerprint) } " " @if p.intact { (ui::tag("Intact", TagColour::Green)) } @else { (ui::tag("Changed since publication", TagColour::Red)) } }))
        }
        @if p.snapshot.planned().is_empty() { p class="app-body" { "Nothing was planned." } } @else { (planned_table(&p.snapshot.planned())) }
        @if let Some((b, d)) = &before { (changes(d, b, &p)) }
    };
    Ok(ui::layout(&ctx, &heading, false, content).into_response())
}
