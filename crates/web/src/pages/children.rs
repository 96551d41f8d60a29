//! Children's records: search before create, the identity page with links to the rest
//! of the record, identity edits, merge of duplicates, emergency ("break glass")
//! access and its review, and each child's access log. Every child-scoped handler
//! starts with `policy::child` for the section it shows.

use assure_domain::partnership::{Basis, LegalStatus, Section};
use assure_domain::{Invalid, Permission};
use assure_storage::children::{Child, ChildInput, ChildSearch};
use assure_storage::keyset::Total;
use assure_storage::{ChildRecord, Reader};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

const PER_PAGE: i64 = 25;

fn th(label: &str) -> Markup {
    html! { th class="app-table__header" scope="col" { (label) } }
}

use crate::ui::when;

fn born(c: &Child) -> String {
    match (c.date_of_birth, c.estimated_age) {
        (Some(d), _) => assure_domain::dates::long(d),
        (None, Some(a)) => format!("Not known (estimated age {a})"),
        (None, None) => "Not known".into(),
    }
}

fn agency_names(c: &Child, agencies: &[assure_storage::partnership::Agency]) -> String {
    let mut names: Vec<&str> = c.involvements.iter().filter_map(|i| agencies.iter().find(|a| a.id == i.agency_id).map(|a| a.name.as_str())).collect();
    names.sort_unstable();
    names.dedup();
    names.join(", ")
}

// ------------------------------------------------------------------ list and search

pub async fn list(State(state): State<AppState>, ctx: Ctx, caller: Caller, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let f = Fields(q);
    let reader = policy::reader(&state, &caller).await?;
    let page = f.get("page").parse::<i64>().unwrap_or(1).max(1);
    let mut errors = Invalid::new();
    let dob = f.date("date_of_birth");
    if !f.get("date_of_birth").trim().is_empty() && dob.is_none() {
        errors.add("date_of_birth", "Enter a real date of birth, for example 16/01/2004");
    }
    let search = ChildSearch { name: Some(f.string("name")).filter(|n| !n.trim().is_empty()), date_of_birth: dob };
    let (children, total) = if errors.is_empty() {
        state.store.children(&reader).search(&search, PER_PAGE, (page - 1) * PER_PAGE).await?
    } else {
        (vec![], Total::exact(0))
    };
    let agencies = state.store.partnership().agencies().await?;
    let keep: String =
        f.0.iter()
            .filter(|(k, v)| k != "page" && !v.is_empty())
            .map(|(k, v)| format!("{}={}", k, form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
            .collect::<Vec<_>>()
            .join("&");
    let searched = search.name.is_some() || search.date_of_birth.is_some();
    let content = html! {
        (ui::error_summary(&errors))
        h1 class="app-heading-l" { "Children" }
        p class="app-body" { "Search before you raise a concern, so the same child is not recorded twice. Names are matched by how they begin and how they sound (Smith finds Smyth)." }
        form method="get" action="/children" class="app-filter" novalidate {
            div class="app-filter__row" {
                (ui::text_input(Field::new("name", "Name", f.get("name"), &errors).hint("First name, surname or both"), "app-input--width-20"))
                (ui::date_text_input(Field::new("date_of_birth", "Date of birth", f.get("date_of_birth"), &errors)))
            }
            div class="app-button-group" {
                (ui::button("Search"))
                a class="app-link" href="/children" { "Clear search" }
            }
        }
        @if children.is_empty() {
            p class="app-body" {
                @if searched { "No children you may see match this search." } @else { "There are no children on the pathway that your agency is involved with." }
            }
            p class="app-body app-hint" { "You see only the children your agency is involved with. If a child is at risk now, contact the MASH." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Children" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { (total) " " @if total == 1 { "child" } @else { "children" } }
                thead class="app-table__head" { tr class="app-table__row" { (th("Name")) (th("Date of birth")) (th("Ward")) (th("Agencies involved")) } }
                tbody class="app-table__body" {
                    @for c in &children {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/children/" (c.id) } { (c.last_name) ", " (c.first_name) } }
                            td class="app-table__cell" { (born(c)) }
                            td class="app-table__cell" { (c.ward) }
                            td class="app-table__cell" { (agency_names(c, &agencies)) }
                        }
                    }
                }
            }
            }
            (ui::pagination(&format!("/children?{keep}"), page, PER_PAGE, total))
        }
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, ui::layout(&ctx, "Children", !errors.is_empty(), content)).into_response())
}

// ------------------------------------------------------------------ the record

/// No record to show: the same page whether the child does not exist or is outside the
/// caller's need to know (the refusal has already been audited against the child). A
/// MASH role is offered emergency access either way.
async fn no_such_child(state: &AppState, ctx: &Ctx, caller: &Caller, child_id: i64) -> PageResult {
    let reader = policy::reader(state, caller).await?;
    let may_break_glass = reader.viewer().may_break_glass() && caller.can(Permission::DecideReferrals);
    // In the usual layout, so that the person can still find their way (and sign out).
    let content = html! {
        h1 class="app-heading-l" { (crate::error::NO_SUCH_CHILD_TITLE) }
        p class="app-body" { (crate::error::NO_SUCH_CHILD_MESSAGE) }
        @if may_break_glass {
            div class="app-warning-text" {
                span class="app-warning-text__icon" aria-hidden="true" { "!" }
                strong class="app-warning-text__text" { span class="app-visually-hidden" { "Warning" } "As a MASH worker you may use emergency access if a child may be at risk now. You must give a reason; it is recorded and reviewed." }
            }
            p class="app-body" { a class="app-link" href={ "/children/" (child_id) "/emergency-access" } { "Use emergency access to this record" } }
        }
    };
    Ok((StatusCode::NOT_FOUND, ui::layout(ctx, crate::error::NO_SUCH_CHILD_TITLE, false, content)).into_response())
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let cid = id(&raw)?;
    let record = match policy::child(&state, &caller, cid, Section::Identity).await {
        Ok(r) => r,
        Err(AppError::NoSuchChild) => return no_such_child(&state, &ctx, &caller, cid).await,
        Err(e) => return Err(e),
    };
    let (viewer, c) = (record.viewer(), record.child());
    let in_mash = viewer.may_merge_duplicates();
    let agencies = state.store.partnership().agencies().await?;
    let duplicates = if in_mash && c.merged_into_id.is_none() { record.possible_duplicates(ctx.today).await? } else { vec![] };
    let emergency = *record.basis() == Basis::Emergency;
    let may_change = caller.can(Permission::DecideReferrals);
    let held = record.on_hold().await?;
    let next = record.next_steps().await?;
    let entries = record.chronology().await?;
    let flags = assure_domain::chronology::visible_flags(
        assure_domain::chronology::evaluate(&assure_domain::chronology::default_rules(), &entries, ctx.today),
        &entries,
    );
    let content = html! {
        (ui::breadcrumbs(&[("/children", "Children")]))
        @if held {
            (ui::important_banner("Legal hold", html! { p class="app-notification-banner__heading" data-testid="legal-hold" { "These records are under a legal hold: they must be kept, and will not be destroyed under the retention policy until the information governance officer lifts the hold." } }))
        }
        @if let Some(k) = c.merged_into_id {
            (ui::important_banner("This record was merged", html! { p class="app-notification-banner__heading" { "It was a duplicate. " a class="app-link" href={ "/children/" (k) } { "Go to the record kept (child " (k) ")" } } }))
        }
        @if emergency {
            div class="app-warning-text" {
                span class="app-warning-text__icon" aria-hidden="true" { "!" }
                strong class="app-warning-text__text" { span class="app-visually-hidden" { "Warning" } "You are seeing this record under emergency access. It is recorded and will be reviewed." }
            }
        }
        span class="app-caption-l" { "Child " (c.id) }
        h1 class="app-heading-l" { (c.name()) }
        (super::chronology::patterns_and_next(c.id, &flags, &entries, &next))
        dl class="app-summary-list" {
            (ui::summary_row("Date of birth", html! { (born(c)) }))
            (ui::summary_row("Gender", html! { (c.gender) }))
            (ui::summary_row("Ethnicity", html! { (c.ethnicity) }))
            (ui::summary_row("Address", html! { (c.address) }))
            (ui::summary_row("Ward", html! { (c.ward) }))
            (ui::summary_row("School", html! { (c.school) }))
            (ui::summary_row("Legal status", html! { (c.legal_status().label()) }))
        }
        @if may_change && c.merged_into_id.is_none() {
            p class="app-body" { a class="app-link" href={ "/children/" (c.id) "/edit" } { "Change identity or legal status" } }
        }
        h2 class="app-heading-m" { "Agencies involved" }
        @if c.involvements.is_empty() {
            p class="app-body" { "No agency is recorded as involved yet." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Agencies involved with this child" {
            table class="app-table" {
                caption class="app-visually-hidden" { "Agencies involved with this child" }
                thead class="app-table__head" { tr class="app-table__row" { (th("Agency")) (th("Involved because")) } }
                tbody class="app-table__body" {
                    @for i in &c.involvements {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (agencies.iter().find(|a| a.id == i.agency_id).map(|a| a.name.as_str()).unwrap_or("Unknown agency")) }
                            td class="app-table__cell" { (i.kind.label()) @match i.scope { assure_domain::partnership::Scope::Team(t) => { " (" (t.label()) ")" }, _ => {} } }
                        }
                    }
                }
            }
            }
        }
        h2 class="app-heading-m" { "The record" }
        ul class="app-list app-list--spaced" {
            li { a class="app-link" href={ "/children/" (c.id) "/chronology" } { "Chronology: every event in one list" } }
            li { a class="app-link" href={ "/children/" (c.id) "/referrals" } { "Concerns and referrals" } }
            li { a class="app-link" href={ "/children/" (c.id) "/marac" } { "MARAC referrals (16 to 18-year-olds)" } }
            li { a class="app-link" href={ "/children/" (c.id) "/plan" } { "MACSE plan" } }
            li { a class="app-link" href={ "/children/" (c.id) "/child-protection" } { "Child protection: section 47 enquiry, conferences and plan" } }
            li { a class="app-link" href={ "/children/" (c.id) "/placements" } { "Placement notifications" } }
            li { a class="app-link" href={ "/children/" (c.id) "/missing" } { "Missing episodes and return interviews" } }
            @if viewer.may_see_section(Section::Operations) {
                li { a class="app-link" href={ "/children/" (c.id) "/police" } { "Police: flag and operations" } }
            }
            @if viewer.may_see_section(Section::AccessLog) {
                li { a class="app-link" href={ "/children/" (c.id) "/access-log" } { "Who has looked at this record and why" } }
            }
        }
        @if in_mash && c.merged_into_id.is_none() {
            h2 class="app-heading-m" { "Possible duplicates" }
            @if duplicates.is_empty() {
                p class="app-body" { "No other record looks like this child." }
            } @else {
                div class="app-table-wrapper" tabindex="0" role="region" aria-label="Records that may be the same child" {
                table class="app-table" {
                    caption class="app-visually-hidden" { "Records that may be the same child" }
                    thead class="app-table__head" { tr class="app-table__row" { (th("Record")) (th("Date of birth")) (th("Why it may be the same child")) } }
                    tbody class="app-table__body" {
                        @for d in &duplicates {
                            tr class="app-table__row" {
                                td class="app-table__cell" { a class="app-link" href={ "/children/" (d.child.id) } { (d.child.name()) " (child " (d.child.id) ")" } }
                                td class="app-table__cell" { (born(&d.child)) }
                                td class="app-table__cell" { (d.reason.label()) }
                            }
                        }
                    }
                }
                }
                @if may_change {
                    p class="app-body" { a class="app-link" href={ "/children/" (c.id) "/merge" } { "Merge a duplicate into this record" } }
                }
            }
        }
    };
    Ok(ui::layout(&ctx, &c.name(), false, content).into_response())
}

// ------------------------------------------------------------------ edit

fn child_fields(c: &Child) -> Fields {
    Fields(vec![
        ("version".into(), c.version.to_string()),
        ("first_name".into(), c.first_name.clone()),
        ("last_name".into(), c.last_name.clone()),
        ("date_of_birth".into(), c.date_of_birth.map(assure_domain::dates::numeric).unwrap_or_default()),
        ("estimated_age".into(), c.estimated_age.map(|a| a.to_string()).unwrap_or_default()),
        ("gender".into(), c.gender.clone()),
        ("ethnicity".into(), c.ethnicity.clone()),
        ("address".into(), c.address.clone()),
        ("ward".into(), c.ward.clone()),
        ("school".into(), c.school.clone()),
        ("legal_status".into(), c.legal_status.clone()),
    ])
}

/// The form's identity, or the messages for what could not be read.
fn child_input(f: &Fields) -> (ChildInput, Invalid) {
    let mut v = Invalid::new();
    let dob = f.date("date_of_birth");
    if let Some(m) = f.date_problem("date_of_birth", "The date of birth") {
        v.add("date_of_birth", m);
    } else if !f.get("date_of_birth").trim().is_empty() && dob.is_none() {
        v.add("date_of_birth", "Enter a real date of birth, for example 16 1 2004");
    }
    let age = f.opt_int("estimated_age").unwrap_or_else(|_| {
        v.add("estimated_age", "The estimated age must be a whole number from 0 to 25");
        None
    });
    let input = ChildInput {
        first_name: f.string("first_name"),
        last_name: f.string("last_name"),
        date_of_birth: dob,
        estimated_age: age,
        gender: f.string("gender"),
        ethnicity: f.string("ethnicity"),
        address: f.string("address"),
        ward: f.string("ward"),
        school: f.string("school"),
    };
    (input, v)
}

fn edit_render(ctx: &Ctx, c: &Child, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let statuses: Vec<(String, String)> = LegalStatus::ALL.iter().map(|s| (s.slug().to_string(), s.label().to_string())).collect();
    let content = html! {
        (ui::back_link(&format!("/children/{}", c.id), "Back to the record"))
        (ui::error_summary(errors))
        span class="app-caption-l" { "Child " (c.id) }
        h1 class="app-heading-l" { "Identity and legal status" }
        form method="post" action={ "/children/" (c.id) "/edit" } novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(f.get("version"));
            (ui::text_input(Field::new("first_name", "First name", f.get("first_name"), errors), "app-input--width-20"))
            (ui::text_input(Field::new("last_name", "Last name", f.get("last_name"), errors), "app-input--width-20"))
            (ui::date_input(Field::new("date_of_birth", "Date of birth", f.get("date_of_birth"), errors)))
            (ui::text_input(Field::new("estimated_age", "Estimated age, if the date of birth is not known", f.get("estimated_age"), errors), "app-input--width-5"))
            (ui::text_input(Field::new("gender", "Gender", f.get("gender"), errors), "app-input--width-20"))
            (ui::text_input(Field::new("ethnicity", "Ethnicity", f.get("ethnicity"), errors), "app-input--width-20"))
            (ui::text_input(Field::new("address", "Address", f.get("address"), errors), "app-input--width-30"))
            (ui::text_input(Field::new("ward", "Ward", f.get("ward"), errors), "app-input--width-20"))
            (ui::text_input(Field::new("school", "School", f.get("school"), errors), "app-input--width-30"))
            (ui::radios(Field::new("legal_status", "Legal status", f.get("legal_status"), errors), &statuses, false))
            (ui::button("Save"))
        }
    };
    Ok((status, ui::layout(ctx, "Identity and legal status", !errors.is_empty(), content)).into_response())
}

pub async fn edit_page(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::Identity).await?;
    let c = record.child();
    edit_render(&ctx, c, &child_fields(c), &Invalid::new(), StatusCode::OK)
}

pub async fn edit_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::Identity).await?;
    let c = record.child();
    let version = f.version()?;
    let (input, mut errors) = child_input(&f);
    let legal = LegalStatus::from_slug(f.get("legal_status"));
    if errors.is_empty() {
        match record.update_identity(version, &input, legal).await {
            Ok(()) => return Ok(done(&format!("/children/{}", c.id), "child-saved")),
            Err(assure_storage::StoreError::Invalid(i)) => errors = i,
            Err(e) => return Err(e.into()),
        }
    } else if let Err(i) = assure_storage::children::check_child(&input) {
        // Show every problem at once, not only the ones the form could not read.
        let extra: Vec<_> = i.errors.into_iter().filter(|e| errors.for_field(&e.field).is_none()).collect();
        for e in extra {
            errors.add(&e.field, e.message);
        }
    }
    if legal.is_none() && errors.for_field("legal_status").is_none() {
        errors.add("legal_status", "Select the child's legal status");
    }
    edit_render(&ctx, c, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY)
}

// ------------------------------------------------------------------ access log

fn action_label(a: &str) -> &str {
    match a {
        "child.view" => "Viewed",
        "child.refused" => "Refused",
        "child.create" => "Record created",
        "child.update" => "Changed",
        "child.involvement" => "Agency involved",
        "child.merge" => "Merged",
        "child.export" => "Printed or exported",
        "child.emergency-access" => "Emergency access",
        "child.emergency-review" => "Emergency access reviewed",
        other => other,
    }
}

pub async fn access_log(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path(raw): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::AccessLog).await?;
    let c = record.child();
    let f = Fields(q);
    let page = f.get("page").parse::<i64>().unwrap_or(1).max(1);
    let per = 100;
    let (entries, more) = record.access_log(per, (page - 1) * per).await?;
    let grants = record.emergency_grants().await?;
    let content = html! {
        (ui::back_link(&format!("/children/{}", c.id), "Back to the record"))
        span class="app-caption-l" { (c.name()) " (child " (c.id) ")" }
        h1 class="app-heading-l" { "Who has looked at this record and why" }
        p class="app-body" { "Every view, refusal, change, print and export of this child's record, newest first, with the reason access was allowed." }
        @if !grants.is_empty() {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Emergency access" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "Emergency access" }
                thead class="app-table__head" { tr class="app-table__row" { (th("Who")) (th("Reason given")) (th("Granted")) (th("Expires")) (th("Review")) } }
                tbody class="app-table__body" {
                    @for g in &grants {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (g.user_name) }
                            td class="app-table__cell" { (g.reason) }
                            td class="app-table__cell" { (when(&g.granted_at)) }
                            td class="app-table__cell" { (when(&g.expires_at)) }
                            td class="app-table__cell" { @if let Some(at) = &g.reviewed_at { (g.review_note) " (" (when(at)) ")" } @else { "Not yet reviewed" } }
                        }
                    }
                }
            }
            }
        }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Access and changes" {
        table class="app-table" {
            caption class="app-table__caption app-table__caption--m" { "Access and changes" }
            thead class="app-table__head" { tr class="app-table__row" { (th("When")) (th("Who")) (th("What")) (th("Why, or what was done")) } }
            tbody class="app-table__body" {
                @for e in &entries {
                    tr class="app-table__row" {
                        td class="app-table__cell" { (when(&e.at)) }
                        td class="app-table__cell" { (e.actor_name.clone().unwrap_or_else(|| e.actor.clone())) @if e.actor_name.is_some() { br; span class="app-hint" { (e.actor) } } }
                        td class="app-table__cell" { (action_label(&e.action)) @if e.record_id != c.id { " (on duplicate record " (e.record_id) ")" } }
                        td class="app-table__cell" { (e.detail) }
                    }
                }
            }
        }
        }
        nav class="app-pagination" aria-label="Results pages" {
            @if page > 1 { div class="app-pagination__prev" { a class="app-link app-pagination__link" href={ "/children/" (c.id) "/access-log?page=" (page - 1) } rel="prev" { "Newer entries" } } }
            @if more { div class="app-pagination__next" { a class="app-link app-pagination__link" href={ "/children/" (c.id) "/access-log?page=" (page + 1) } rel="next" { "Older entries" } } }
        }
    };
    Ok(ui::layout(&ctx, "Who has looked at this record and why", false, content).into_response())
}

// ------------------------------------------------------------------ merge

async fn mash_child(state: &AppState, caller: &Caller, raw: &str) -> Result<ChildRecord, AppError> {
    let record = policy::child(state, caller, id(raw)?, Section::Identity).await?;
    if !record.viewer().may_merge_duplicates() {
        match record.refuse("merge: refused, not in the MASH team").await {
            assure_storage::StoreError::Restricted => {}
            e => return Err(e.into()),
        }
        return Err(AppError::ForbiddenRecord(
            "Only members of the MASH team can merge records. Ask the partnership manager if you should be in the MASH team.".into(),
        ));
    }
    if record.child().merged_into_id.is_some() {
        return Err(AppError::BadRequest("This record has itself been merged into another: merge into that one instead.".into()));
    }
    Ok(record)
}

async fn merge_render(ctx: &Ctx, record: &ChildRecord, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let c = record.child();
    let dups = record.possible_duplicates(ctx.today).await?;
    let options: Vec<(String, String)> = dups
        .iter()
        .map(|d| (d.child.id.to_string(), format!("{} (child {}), born {}: {}", d.child.name(), d.child.id, born(&d.child), d.reason.label())))
        .collect();
    let content = html! {
        (ui::back_link(&format!("/children/{}", c.id), "Back to the record"))
        (ui::error_summary(errors))
        span class="app-caption-l" { (c.name()) " (child " (c.id) ")" }
        h1 class="app-heading-l" { "Merge a duplicate into this record" }
        p class="app-body" { "The duplicate's agencies and everything recorded against it move to this record. The duplicate is kept, marked as merged, with its history." }
        form method="post" action={ "/children/" (c.id) "/merge" } novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(c.version);
            @if options.is_empty() {
                p class="app-body" { "No other record looks like this child." }
            } @else {
                (ui::radios(Field::new("duplicate", "Which record is the duplicate?", f.get("duplicate"), errors), &options, false))
            }
            (ui::text_input(Field::new("other", "Or the child number of another record", f.get("other"), errors).hint("For a duplicate not listed above"), "app-input--width-10"))
            (ui::button("Continue"))
        }
    };
    Ok((status, ui::layout(ctx, "Merge a duplicate", !errors.is_empty(), content)).into_response())
}

pub async fn merge_page(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let record = mash_child(&state, &caller, &raw).await?;
    merge_render(&ctx, &record, &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

pub async fn merge_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let record = mash_child(&state, &caller, &raw).await?;
    let c = record.child();
    let version = f.version()?;
    let chosen =
        if f.get("other").trim().is_empty() { f.get("duplicate").trim().parse::<i64>().ok() } else { f.get("other").trim().parse::<i64>().ok() };
    let Some(dup_id) = chosen else {
        let field = if f.get("other").trim().is_empty() { "duplicate" } else { "other" };
        let e = Invalid::single(field, "Select the record that is a duplicate of this one, or enter its child number");
        return merge_render(&ctx, &record, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    // The duplicate is opened through the door too (and audited as a view).
    let dup = match policy::child(&state, &caller, dup_id, Section::Identity).await {
        Ok(d) if d.id() != c.id && d.child().merged_into_id.is_none() => d,
        Ok(_) | Err(AppError::NoSuchChild) => {
            let e = Invalid::single("duplicate", "Select a different record: that one cannot be merged into this one");
            return merge_render(&ctx, &record, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(e),
    };
    if f.get("confirm") == "yes" {
        return match record.merge(&dup, version).await {
            Ok(()) => Ok(done(&format!("/children/{}", c.id), "children-merged")),
            Err(assure_storage::StoreError::Invalid(i)) => {
                let e = Invalid::single("duplicate", i.errors.first().map(|e| e.message.clone()).unwrap_or_default());
                merge_render(&ctx, &record, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => Err(e.into()),
        };
    }
    // Confirm: both records side by side.
    let dup = dup.child();
    let row = |label: &str, a: String, b: String| html! { tr class="app-table__row" { th class="app-table__header" scope="row" { (label) } td class="app-table__cell" { (a) } td class="app-table__cell" { (b) } } };
    let content = html! {
        (ui::back_link(&format!("/children/{}/merge", c.id), "Back"))
        h1 class="app-heading-l" { "Merge child " (dup.id) " into child " (c.id) "?" }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="The two records" {
        table class="app-table" {
            caption class="app-visually-hidden" { "The two records" }
            thead class="app-table__head" { tr class="app-table__row" { td class="app-table__header" {} (th(&format!("Kept: child {}", c.id))) (th(&format!("Duplicate: child {}", dup.id))) } }
            tbody class="app-table__body" {
                (row("Name", c.name(), dup.name()))
                (row("Date of birth", born(c), born(dup)))
                (row("Address", c.address.clone(), dup.address.clone()))
                (row("School", c.school.clone(), dup.school.clone()))
                (row("Agencies involved", c.involvements.len().to_string(), dup.involvements.len().to_string()))
            }
        }
        }
        form method="post" action={ "/children/" (c.id) "/merge" } {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(version);
            input type="hidden" name="duplicate" value=(dup.id);
            input type="hidden" name="confirm" value="yes";
            div class="app-button-group" {
                button type="submit" class="app-button app-button--warning" { "Merge records" }
                a class="app-link" href={ "/children/" (c.id) } { "Cancel" }
            }
        }
    };
    Ok(ui::layout(&ctx, "Confirm the merge", false, content).into_response())
}

// ------------------------------------------------------------------ emergency access

fn emergency_render(ctx: &Ctx, child_id: i64, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let content = html! {
        (ui::back_link("/children", "Back to children"))
        (ui::error_summary(errors))
        span class="app-caption-l" { "Child " (child_id) }
        h1 class="app-heading-l" { "Emergency access" }
        p class="app-body" { "Use this only if a child may be at risk now and you need their record before an agency involved can share it. Access lasts 24 hours. Your reason is recorded, shown on the child's access log and reviewed." }
        form method="post" action={ "/children/" (child_id) "/emergency-access" } novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::textarea(Field::new("reason", "Why do you need this record now?", f.get("reason"), errors).hint("At least 10 characters, for example: police report the child missing overnight"), 4))
            button type="submit" class="app-button app-button--warning" { "Open the record" }
        }
    };
    Ok((status, ui::layout(ctx, "Emergency access", !errors.is_empty(), content)).into_response())
}

/// Emergency access is for MASH roles: anyone else is refused (and the attempt audited
/// against the child). The form is the same whether or not the child exists.
async fn break_glass_reader(state: &AppState, caller: &Caller, raw: &str) -> Result<(Reader, i64), AppError> {
    let reader = policy::reader(state, caller).await?;
    let cid = id(raw)?;
    if !reader.viewer().may_break_glass() {
        state
            .store
            .record_refusal(
                reader.actor(),
                assure_storage::ChildKey::Child(cid),
                "emergency-access: refused, only MASH roles may use emergency access",
            )
            .await?;
        return Err(AppError::ForbiddenRecord("Emergency access is for MASH roles only. If a child is at risk now, contact the MASH.".into()));
    }
    Ok((reader, cid))
}

pub async fn emergency_page(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let (_, cid) = break_glass_reader(&state, &caller, &raw).await?;
    emergency_render(&ctx, cid, &Fields::default(), &Invalid::new(), StatusCode::OK)
}

pub async fn emergency_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let (reader, cid) = break_glass_reader(&state, &caller, &raw).await?;
    match state.store.children(&reader).break_glass(cid, f.get("reason")).await {
        Ok(_) => Ok(done(&format!("/children/{cid}"), "emergency-access")),
        Err(assure_storage::StoreError::Invalid(i)) => emergency_render(&ctx, cid, &f, &i, StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the review list

async fn review_render(state: &AppState, ctx: &Ctx, failed: Option<(i64, &Fields, &Invalid)>, status: StatusCode) -> PageResult {
    let grants = state.store.emergency_access().log().await?;
    let none = Invalid::new();
    let content = html! {
        @if let Some((gid, _, e)) = failed { (ui::error_summary_for(e, &format!("g{gid}"))) }
        h1 class="app-heading-l" { "Emergency access" }
        p class="app-body" { "Each time a MASH worker opened a child's record under emergency access, with the reason they gave. Review each one: was it justified?" }
        @if grants.is_empty() {
            p class="app-body" { "No one has used emergency access." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Emergency access grants, those not yet reviewed first" {
            table class="app-table" {
                caption class="app-visually-hidden" { "Emergency access grants, those not yet reviewed first" }
                thead class="app-table__head" { tr class="app-table__row" { (th("Who")) (th("Child")) (th("Reason")) (th("Granted")) (th("Expires")) (th("Review")) } }
                tbody class="app-table__body" {
                    @for g in &grants {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (g.user_name) br; span class="app-hint" { (g.user_email) } }
                            td class="app-table__cell" { "Child " (g.child_id) }
                            td class="app-table__cell" { (g.reason) }
                            td class="app-table__cell" { (when(&g.granted_at)) }
                            td class="app-table__cell" { (when(&g.expires_at)) }
                            td class="app-table__cell" {
                                @if let Some(at) = &g.reviewed_at {
                                    strong { "Reviewed" } " " (when(at)) @if let Some(by) = &g.reviewed_by { " by " (by) } ": " (g.review_note)
                                } @else {
                                    @let (f, e) = match failed { Some((id, f, e)) if id == g.id => (f.get("note"), e), _ => ("", &none) };
                                    form method="post" action={ "/admin/emergency-access/" (g.id) "/review" } novalidate {
                                        (ui::csrf(ctx.csrf()))
                                        (ui::textarea(Field::new("note", "Review note", f, e).prefixed(&format!("g{}", g.id)), 2))
                                        (ui::secondary_button("Record review"))
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
    Ok((status, ui::layout(ctx, "Emergency access", failed.is_some(), content)).into_response())
}

pub async fn review_list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    review_render(&state, &ctx, None, StatusCode::OK).await
}

pub async fn review_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let gid = id(&raw)?;
    match state.store.emergency_access().review(&caller.actor(), gid, f.get("note")).await {
        Ok(()) => Ok(done("/admin/emergency-access", "emergency-reviewed")),
        Err(assure_storage::StoreError::Invalid(i)) => review_render(&state, &ctx, Some((gid, &f, &i)), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}
