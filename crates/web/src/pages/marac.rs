//! MARAC referrals (R10): a child's MARAC referrals with the form to record one (a 16
//! to 18-year-old referred to MARAC as the victim of an abusive relationship), and one
//! referral with the MASH's CSE review — a CSE concern refers the young person to MACSE.

use assure_domain::marac::{check_marac, CseReviewOutcome, MaracInput, MaracStatus, ReviewInput};
use assure_domain::partnership::Section;
use assure_domain::{Invalid, Permission};
use assure_storage::marac::MaracReferral;
use assure_storage::ChildRecord;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use maud::html;

use super::id;
use super::referrals::when;
use crate::auth::Caller;
use crate::error::PageResult;
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

/// Read a day/month/year date into `v`'s messages: `None` when blank (the domain says
/// it is needed) or when it is not a real date.
fn read_date_parts(f: &Fields, name: &str, what: &str, v: &mut Invalid) -> Option<NaiveDate> {
    crate::forms::read_date_parts(f, name, what).unwrap_or_else(|m| {
        v.add(name, m);
        None
    })
}

fn href(m: &MaracReferral) -> String {
    format!("/children/{}/marac/{}", m.child_id, m.id)
}

fn marac_input(f: &Fields, edge: &mut Invalid) -> MaracInput {
    MaracInput {
        referred_on: read_date_parts(f, "referred_on", "The date of the MARAC referral", edge),
        referred_by: f.string("referred_by"),
        relationship: f.string("relationship"),
    }
}

const FIELDS: &[&str] = &["referred_on", "referred_by", "relationship"];

async fn list_render(ctx: &Ctx, record: &ChildRecord, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let child = record.child();
    let rows = record.marac_referrals().await?;
    let name = child.name();
    let content = html! {
        (ui::breadcrumbs(&[("/children", "Children"), (&format!("/children/{}", child.id), &name)]))
        (ui::error_summary(errors))
        span class="app-caption-l" { (name) }
        h1 class="app-heading-l" { "MARAC referrals" }
        p class="app-body" { "A young person aged 16 to 18 referred to MARAC as the victim of an abusive relationship is reviewed for child sexual exploitation by the MASH and, if there is a CSE concern, referred to MACSE." }
        @if rows.is_empty() {
            p class="app-body" { "No MARAC referral has been recorded for this young person." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="MARAC referrals, newest first" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "MARAC referrals, newest first" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Referred to MARAC" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Age" }
                    th class="app-table__header" scope="col" { "Referred by" }
                    th class="app-table__header" scope="col" { "CSE review" }
                } }
                tbody class="app-table__body" {
                    @for m in &rows {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href=(href(m)) { (assure_domain::dates::long(m.referred_on)) } }
                            td class="app-table__cell app-table__cell--numeric" { (m.age_at_referral) }
                            td class="app-table__cell" { (m.referred_by) }
                            td class="app-table__cell" { (ui::tag(m.status.label(), m.status.colour())) }
                        }
                    }
                }
            }
            }
        }
        @if ctx.can(Permission::RaiseConcern) {
            h2 class="app-heading-m" { "Record a MARAC referral" }
            @match child.date_of_birth {
                Some(dob) => p class="app-body" { "Date of birth: " (assure_domain::dates::long(dob)) ". The young person must be 16, 17 or 18 on the day of the referral." },
                None => p class="app-body" { strong { "The date of birth is not recorded." } " The MASH must record it before a MARAC referral: the route is for 16 to 18-year-olds." },
            }
            form method="post" action={ "/children/" (child.id) "/marac" } novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::date_parts("referred_on", "", "When was the young person referred to MARAC?", "For example, 27 3 2018", f, errors))
                (ui::text_input(Field::new("referred_by", "Who referred them to MARAC", f.get("referred_by"), errors).hint("Agency and role, for example the IDVA service"), "app-input--width-30"))
                (ui::textarea(Field::new("relationship", "The abusive relationship", f.get("relationship"), errors).hint("What MARAC was told: who the other person is, their age, what has happened."), 6))
                (ui::button("Record the MARAC referral"))
            }
        }
    };
    Ok((status, ui::layout(ctx, "MARAC referrals", !errors.is_empty(), content)).into_response())
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::Concerns).await?;
    list_render(&ctx, &record, &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

pub async fn record(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::Concerns).await?;
    let mut edge = Invalid::new();
    let input = marac_input(&f, &mut edge);
    if !edge.is_empty() {
        // Every problem at once: the unreadable date, and the domain's others.
        let mut all = edge.clone();
        if let Err(e) = check_marac(&input, record.child().date_of_birth, state.store.today()) {
            all.absorb(Invalid { errors: e.errors.into_iter().filter(|x| edge.for_field(&x.field).is_none()).collect() });
        }
        return list_render(&ctx, &record, &f, &all.ordered(FIELDS), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match record.record_marac(&input).await {
        Ok(mid) => Ok(done(&format!("/children/{}/marac/{mid}", record.id()), "marac-recorded")),
        Err(assure_storage::StoreError::Invalid(e)) => list_render(&ctx, &record, &f, &e.ordered(FIELDS), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

async fn show_render(ctx: &Ctx, record: &ChildRecord, m: &MaracReferral, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let child = record.child();
    let name = child.name();
    let may_review = ctx.can(Permission::DecideReferrals) && m.status == MaracStatus::AwaitingReview;
    let outcomes: Vec<(String, String)> = CseReviewOutcome::ALL.iter().map(|o| (o.slug().to_string(), o.label().to_string())).collect();
    let content = html! {
        (ui::breadcrumbs(&[("/children", "Children"), (&format!("/children/{}", child.id), &name), (&format!("/children/{}/marac", child.id), "MARAC referrals")]))
        (ui::error_summary(errors))
        span class="app-caption-l" { (name) }
        h1 class="app-heading-l" { "MARAC referral of " (assure_domain::dates::long(m.referred_on)) }
        dl class="app-summary-list" {
            (ui::summary_row("CSE review", ui::tag(m.status.label(), m.status.colour())))
            (ui::summary_row("Age when referred", html! { (m.age_at_referral) }))
            (ui::summary_row("Referred to MARAC by", html! { (m.referred_by) }))
            (ui::summary_row("The abusive relationship", ui::prose(&m.relationship)))
            (ui::summary_row("Recorded", html! { (when(&m.recorded_at)) " by " (m.recorded_by_name.as_deref().unwrap_or("Unknown")) ", " (m.agency_name) }))
        }
        @if let Some(outcome) = m.review_outcome {
            h2 class="app-heading-m" { "CSE review" }
            dl class="app-summary-list" {
                (ui::summary_row("Outcome", html! { (outcome.label()) }))
                (ui::summary_row("Reasons", ui::prose(m.review_reasons.as_deref().unwrap_or(""))))
                (ui::summary_row("Reviewed", html! { (m.reviewed_at.as_deref().map(when).unwrap_or_default()) @if let Some(n) = &m.reviewed_by_name { " by " (n) } }))
                @if let Some(rid) = m.referral_id {
                    (ui::summary_row("Referral to MACSE", html! { a class="app-link" href={ "/children/" (child.id) "/referrals/" (rid) } { "The referral decided for MACSE" } }))
                }
            }
        } @else if !may_review {
            p class="app-body" { "Waiting on the MASH queue for a CSE review." }
        }
        @if may_review {
            h2 class="app-heading-m" { "CSE review" }
            form method="post" action={ (href(m)) "/review" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(if f.get("version").is_empty() { m.version.to_string() } else { f.string("version") });
                (ui::radios(Field::new("outcome", "Is there a CSE concern?", f.get("outcome"), errors).hint("A CSE concern refers the young person to MACSE."), &outcomes, false))
                (ui::textarea(Field::new("reasons", "Reasons", f.get("reasons"), errors), 5))
                (ui::button("Record the CSE review"))
            }
        }
    };
    Ok((status, ui::layout(ctx, "MARAC referral", !errors.is_empty(), content)).into_response())
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, mid)): Path<(String, String)>) -> PageResult {
    let record = policy::child(&state, &caller, id(&cid)?, Section::Concerns).await?;
    let m = record.marac_referral(id(&mid)?).await?;
    show_render(&ctx, &record, &m, &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

pub async fn review(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, mid)): Path<(String, String)>, f: Fields) -> PageResult {
    let record = policy::child(&state, &caller, id(&cid)?, Section::MashDecision).await?;
    let m = record.marac_referral(id(&mid)?).await?;
    let input = ReviewInput { outcome: CseReviewOutcome::from_slug(f.get("outcome")), reasons: f.string("reasons") };
    match record.review_marac(m.id, f.version()?, &input).await {
        Ok(MaracStatus::ReferredToMacse) => Ok(done(&href(&m), "marac-referred")),
        Ok(_) => Ok(done(&href(&m), "marac-no-concern")),
        Err(assure_storage::StoreError::Invalid(e)) => show_render(&ctx, &record, &m, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}
