//! SPOC monitoring (R3): the use of the CSE forms per agency and period, with their
//! outcomes and a comparison with agencies of the same kind, the agencies that made
//! none, and challenges of low use with the agency's response. Counts only: no child
//! is named on this page.

use assure_domain::monitoring::{compare, made_none, AgencyUse, ChallengeInput, Period, UseLevel};
use assure_domain::referral::MashDecision;
use assure_domain::tracker::TagColour;
use assure_domain::Invalid;
use assure_storage::monitoring::Challenge;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};

use super::id;
use super::referrals::when;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

fn level_tag(l: UseLevel) -> Markup {
    let colour = match l {
        UseLevel::None => TagColour::Red,
        UseLevel::Low => TagColour::Orange,
        UseLevel::Usual => TagColour::Green,
        UseLevel::High => TagColour::Blue,
    };
    ui::tag(l.label(), colour)
}

fn outcomes(a: &AgencyUse) -> Markup {
    let parts: Vec<String> = MashDecision::ALL.iter().filter(|d| a.outcome(**d) > 0).map(|d| format!("{}: {}", d.label(), a.outcome(*d))).collect();
    html! {
        @if a.awaiting > 0 { "Awaiting the MASH: " (a.awaiting) @if !parts.is_empty() { br; } }
        @for (i, p) in parts.iter().enumerate() { @if i > 0 { br; } (p) }
        @if a.awaiting == 0 && parts.is_empty() { "None" }
    }
}

/// Which form on the page was sent back with problems.
struct Sent<'a> {
    which: &'a str,
    id: i64,
    fields: &'a Fields,
    errors: &'a Invalid,
}

async fn render(state: &AppState, ctx: &Ctx, caller: &Caller, period: Period, sent: Option<Sent<'_>>, status: StatusCode) -> PageResult {
    let reader = policy::reader(state, caller).await?;
    let m = state.store.monitoring(&reader);
    if !m.monitors_any() {
        let content = html! {
            h1 class="app-heading-l" { "Use of the CSE forms" }
            p class="app-body" { "You are not the single point of contact (SPOC) for any agency, so there is no agency for you to monitor. The partnership manager keeps the list of SPOCs." }
        };
        return Ok(ui::layout(ctx, "Use of the CSE forms", false, content).into_response());
    }
    let all = m.usage(period, ctx.today).await?;
    let mine: Vec<&AgencyUse> = all.iter().filter(|a| m.monitors(a.agency_id)).collect();
    let mut shown = mine.clone();
    shown.sort_by(|a, b| (a.kind.label(), &a.name).cmp(&(b.kind.label(), &b.name)));
    let none = made_none(&all);
    let challenges = m.challenges().await?;
    let start = period.start(ctx.today);
    let empty = Fields::default();
    let no_errors = Invalid::new();
    let (ch_f, ch_e) = match &sent {
        Some(s) if s.which == "challenge" => (s.fields, s.errors),
        _ => (&empty, &no_errors),
    };
    let errors = sent.as_ref().map(|s| s.errors).unwrap_or(&no_errors);
    let periods: Vec<(String, String)> = Period::ALL.iter().map(|p| (p.slug().to_string(), p.label().to_string())).collect();
    let agency_opts = ui::options_with_blank("Select an agency", mine.iter().map(|a| (a.agency_id.to_string(), a.name.clone())));
    let content = html! {
        @if let Some(s) = &sent { (ui::error_summary_for(s.errors, &prefix(s.which, s.id))) }
        h1 class="app-heading-l" { "Use of the CSE forms" }
        p class="app-body" {
            @if m.sees_all() { "Every agency's " } @else { "Your agency's " }
            "CSE forms (concerns with the CSE 2 screening, and the police's 101, 999 and reported concerns) and what the MASH decided, compared with agencies of the same kind. Counts only: no child is named here."
        }
        form method="get" action="/spoc/monitoring" novalidate {
            (ui::select(Field::new("period", "Period", period.slug(), &no_errors), &periods))
            (ui::secondary_button("Show"))
        }
        p class="app-body" { (period.label()) ": " (assure_domain::dates::long(start)) " to " (assure_domain::dates::long(ctx.today)) "." }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Forms raised and their outcomes" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "Forms raised and their outcomes" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Agency" }
                    th class="app-table__header" scope="col" { "Kind" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Forms raised" }
                    th class="app-table__header" scope="col" { "Outcomes" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Average for its kind" }
                    th class="app-table__header" scope="col" { "Use" }
                } }
                tbody class="app-table__body" {
                    @for a in &shown {
                        @let c = compare(a, &all);
                        tr class="app-table__row" {
                            th class="app-table__header" scope="row" { (a.name) }
                            td class="app-table__cell" { (a.kind.label()) }
                            td class="app-table__cell app-table__cell--numeric" { (a.forms) }
                            td class="app-table__cell" { (outcomes(a)) }
                            td class="app-table__cell app-table__cell--numeric" { (format!("{:.1}", c.peer_average)) " (" (c.peers) " agenc" @if c.peers == 1 { "y" } @else { "ies" } ")" }
                            td class="app-table__cell" { (level_tag(c.use_level)) }
                        }
                    }
                }
            }
        }
        h2 class="app-heading-m" { "Agencies that raised no forms" }
        @if none.is_empty() {
            p class="app-body" { "Every active agency raised at least one form in this period." }
        } @else {
            p class="app-body" { (none.len()) " active agenc" @if none.len() == 1 { "y" } @else { "ies" } " raised no CSE forms in this period:" }
            ul class="app-list app-list--bullet" {
                @for a in &none { li { (a.name) " (" (a.kind.label()) ")" } }
            }
        }
        h2 class="app-heading-m" id="challenge" { "Challenge an agency's use of the forms" }
        form method="post" action="/spoc/challenges" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::select(Field::new("agency_id", "Agency", ch_f.get("agency_id"), ch_e).prefixed("challenge"), &agency_opts))
            (ui::select(Field::new("period", "The period the challenge is about", if ch_f.get("period").is_empty() { period.slug() } else { ch_f.get("period") }, ch_e).prefixed("challenge"), &periods))
            (ui::textarea(Field::new("challenge", "The challenge", ch_f.get("challenge"), ch_e).prefixed("challenge").hint("What the agency's use of the forms shows, and what you ask it to do (for example training, or a named lead)."), 5))
            (ui::button("Record the challenge"))
        }
        h2 class="app-heading-m" { "Challenges" }
        @if challenges.is_empty() {
            p class="app-body" { "No challenge has been recorded." }
        }
        @for c in &challenges {
            (challenge_block(ctx, c, &sent))
        }
    };
    Ok((status, ui::layout(ctx, "Use of the CSE forms", !errors.is_empty(), content)).into_response())
}

fn prefix(which: &str, id: i64) -> String {
    if which == "response" {
        format!("response-{id}")
    } else {
        which.to_string()
    }
}

fn challenge_block(ctx: &Ctx, c: &Challenge, sent: &Option<Sent<'_>>) -> Markup {
    let none = Invalid::new();
    let empty = Fields::default();
    let (f, e) = match sent {
        Some(s) if s.which == "response" && s.id == c.id => (s.fields, s.errors),
        _ => (&empty, &none),
    };
    let p = format!("response-{}", c.id);
    html! {
        div class="app-inset-text" {
            h3 class="app-heading-s" { (c.agency_name) ": " (c.period.label().to_lowercase()) " to " (assure_domain::dates::long(c.period_end)) }
            dl class="app-summary-list" {
                (ui::summary_row("Forms raised then", html! { (c.forms_in_period) }))
                (ui::summary_row("Challenge", ui::prose(&c.challenge)))
                (ui::summary_row("Raised", html! { (when(&c.raised_at)) @if let Some(n) = &c.raised_by_name { " by " (n) } }))
                @match &c.response {
                    Some(r) => {
                        (ui::summary_row("The agency's response", ui::prose(r)))
                        (ui::summary_row("Response recorded", html! { (c.responded_at.as_deref().map(when).unwrap_or_default()) @if let Some(n) = &c.responded_by_name { " by " (n) } }))
                    },
                    None => (ui::summary_row("The agency's response", html! { "Not yet recorded" })),
                }
            }
            @if c.response.is_none() {
                form method="post" action={ "/spoc/challenges/" (c.id) "/response" } novalidate {
                    (ui::csrf(ctx.csrf()))
                    input type="hidden" name="version" value=(c.version);
                    (ui::textarea(Field::new("response", "The agency's response", f.get("response"), e).prefixed(&p), 3))
                    (ui::secondary_button("Record the response"))
                }
            }
        }
    }
}

fn period_of(q: &[(String, String)]) -> Period {
    q.iter().find(|(k, _)| k == "period").and_then(|(_, v)| Period::from_slug(v)).unwrap_or(Period::ThreeMonths)
}

pub async fn page(State(state): State<AppState>, ctx: Ctx, caller: Caller, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    render(&state, &ctx, &caller, period_of(&q), None, StatusCode::OK).await
}

pub async fn challenge(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    let mut edge = Invalid::new();
    let agency_id = match f.get("agency_id").trim() {
        "" => None,
        v => match v.parse() {
            Ok(a) => Some(a),
            Err(_) => {
                edge.add("agency_id", "Select an agency from the list");
                Some(-1)
            }
        },
    };
    let input = ChallengeInput { agency_id, period: Period::from_slug(f.get("period")), challenge: f.string("challenge") };
    let period = input.period.unwrap_or(Period::ThreeMonths);
    let result = if edge.is_empty() { state.store.monitoring(&reader).challenge(&input, ctx.today).await } else { Err(edge.into()) };
    match result {
        Ok(_) => Ok(done(&format!("/spoc/monitoring?period={}", period.slug()), "challenge-recorded")),
        Err(assure_storage::StoreError::Invalid(e)) => {
            render(&state, &ctx, &caller, period, Some(Sent { which: "challenge", id: 0, fields: &f, errors: &e }), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn respond(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    let cid = id(&raw)?;
    match state.store.monitoring(&reader).respond(cid, f.version()?, f.get("response")).await {
        Ok(()) => Ok(done("/spoc/monitoring", "challenge-answered")),
        Err(assure_storage::StoreError::Invalid(e)) => {
            render(
                &state,
                &ctx,
                &caller,
                Period::ThreeMonths,
                Some(Sent { which: "response", id: cid, fields: &f, errors: &e }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(assure_storage::StoreError::Forbidden) => Err(AppError::Forbidden),
        Err(e) => Err(e.into()),
    }
}
