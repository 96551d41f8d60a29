//! The CSE partnership's home page: what is waiting for this person (each queue that
//! is theirs, how many and the oldest, linking to the list), a trend where one helps,
//! and what their role lets them do on the pathway, from the same navigation table
//! that builds the menu.

use assure_domain::dates::long;
use assure_domain::partnership::Team;
use assure_domain::Permission;
use assure_storage::waiting::{NextPanel, Oldest, Queue};
use assure_storage::Reader;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use maud::{html, Markup};

use super::referrals::when;
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
        let items: Vec<_> = NAV.iter().filter(|i| !i.hint.is_empty() && i.shown_to(caller.role())).collect();
        let content = html! {
            h1 class="app-heading-l" { "Information governance" }
            p class="app-body-l" { (caller.user.name) ", " (ui::role_label(&caller.user)) "." }
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
    let reader = match policy::reader(&state, &caller).await {
        Ok(r) => Some(r),
        Err(crate::error::AppError::NotPlaced) => None,
        Err(e) => return Err(e),
    };
    let placed = reader.as_ref().map(|r| r.viewer().clone());
    let agencies = state.store.partnership().agencies().await?;
    let agency = placed.as_ref().and_then(|v| agencies.iter().find(|a| a.id == v.agency_id)).map(|a| a.name.clone());
    let waiting = match &reader {
        Some(r) => Some(waiting(&state, &ctx, r).await?),
        None => None,
    };
    let items: Vec<_> = NAV.iter().filter(|i| !i.hint.is_empty() && i.shown_to(caller.role())).collect();
    let content = html! {
        h1 class="app-heading-l" { "CSE partnership" }
        @match (&placed, &agency) {
            (Some(v), Some(a)) => {
                p class="app-body-l" { (caller.user.name) ", " (ui::role_label(&caller.user)) " at " (a) "." }
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
        @if let Some(w) = &waiting { (w) }
        @if !items.is_empty() {
            h2 class="app-heading-m" { "What you can do" }
            ul class="app-list app-card-list" {
                @for i in &items {
                    li class="app-card" {
                        h3 class="app-heading-s" { a class="app-link" href=(i.href) { (i.label) } }
                        p class="app-body" { (i.hint) }
                    }
                }
            }
        }
        p class="app-body app-hint" { "Children's records are shared on a need-to-know basis. Every view, change, print and export is recorded." }
    };
    Ok(ui::layout(&ctx, "CSE partnership", false, content).into_response())
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// One queue's card: the number, what it counts, the oldest item, and the list.
struct Card {
    title: &'static str,
    queue: Queue,
    /// The oldest item, said in words with its link.
    oldest: Option<Markup>,
    /// Said when some are overdue.
    overdue: Option<String>,
    list: (String, &'static str),
}

fn card(c: &Card) -> Markup {
    html! {
        li class={ "app-waiting__item" @if c.queue.overdue > 0 { " app-waiting__item--alert" } } {
            h3 class="app-heading-s" {
                span class="app-waiting__number" { (c.queue.count) }
                (c.title)
            }
            @if let Some(o) = &c.overdue { p class="app-body" { strong { (o) } } }
            @if let Some(o) = &c.oldest { p class="app-body" { (o) } }
            p class="app-body" { a class="app-link" href=(c.list.0) { (c.list.1) } }
        }
    }
}

fn child_link(o: &Oldest, href: String) -> Markup {
    html! { a class="app-link" href=(href) { (o.child_name) } }
}

/// What is waiting for this person: one card per queue that is theirs. Each count is
/// one statement, whatever the length of the queue.
async fn waiting(state: &AppState, ctx: &Ctx, reader: &Reader) -> Result<Markup, crate::error::AppError> {
    let viewer = reader.viewer();
    let w = state.store.waiting(reader);
    let today = ctx.today;
    let mut cards = Vec::new();
    if ctx.can(Permission::DecideReferrals) {
        let queue = w.mash_referrals().await?;
        let oldest = queue.oldest.as_ref().map(|o| {
            html! { "The oldest: " (child_link(o, format!("/children/{}/referrals/{}", o.child_id, o.item_id))) ", waiting since " (when(&o.since)) "." }
        });
        cards.push(Card {
            title: "Referrals waiting in the MASH queue",
            queue,
            oldest,
            overdue: None,
            list: ("/mash".into(), "Open the MASH queue"),
        });
    }
    if !viewer.spoc_for.is_empty() {
        let queue = w.returned_to_spoc().await?;
        let oldest = queue.oldest.as_ref().map(|o| {
            html! { "The oldest: " (child_link(o, format!("/children/{}/referrals/{}", o.child_id, o.item_id))) ", returned " (when(&o.since)) "." }
        });
        cards.push(Card {
            title: "Referrals returned to you to acknowledge",
            queue,
            oldest,
            overdue: None,
            list: ("/spoc".into(), "See your agency's referrals"),
        });
    }
    if !viewer.teams.is_empty() {
        let queue = w.notifications(today).await?;
        let oldest = queue.oldest.as_ref().map(|o| {
            let age = o.day().map(|d| (today - d).num_days().max(0)).unwrap_or(0);
            html! {
                "The oldest: " (child_link(o, format!("/children/{}/placements", o.child_id)))
                ", waiting " (days(age)) @if let Some(d) = o.day() { " (since " (long(d)) ")" } "."
            }
        });
        let overdue = (queue.overdue > 0).then(|| format!("{} waiting a week or more", queue.overdue));
        cards.push(Card {
            title: "Placement notifications to acknowledge",
            queue,
            oldest,
            overdue,
            list: ("/notifications?state=waiting".into(), "See the notifications waiting"),
        });
    }
    if viewer.teams.contains(&Team::MissingFromHome) {
        let queue = w.return_interviews(ctx.now).await?;
        let oldest = queue.oldest.as_ref().map(|o| {
            let due = chrono::NaiveDateTime::parse_from_str(&o.since, "%Y-%m-%dT%H:%M:%S").map(|t| t.format("%-d %B %Y, %H:%M").to_string());
            html! {
                "First due: " (child_link(o, format!("/children/{}/missing#episode-{}", o.child_id, o.item_id)))
                ", offer by " (due.unwrap_or_else(|_| o.since.clone())) "."
            }
        });
        let overdue = (queue.overdue > 0).then(|| format!("{} not offered within 72 hours of the return", queue.overdue));
        cards.push(Card {
            title: "Return interviews to offer (due within 72 hours of the return)",
            queue,
            oldest,
            overdue,
            list: ("/missing#to-offer".into(), "See the return interviews to offer"),
        });
    }
    if ctx.can(Permission::RunPanels) {
        let queue = w.plan_actions(today).await?;
        let oldest = queue.oldest.as_ref().map(|o| {
            html! {
                "First due: an action of " (child_link(o, format!("/children/{}/plan", o.child_id)))
                "'s plan" @if let Some(d) = o.day() { ", due " (long(d)) } "."
            }
        });
        let overdue = (queue.overdue > 0).then(|| format!("{} past their due date", queue.overdue));
        cards.push(Card {
            title: "Plan actions due in the next 14 days",
            queue,
            oldest,
            overdue,
            list: ("/plans/actions-due".into(), "See the plan actions due"),
        });
    }
    if ctx.can(Permission::RecordPoliceCse) {
        let cov = state.store.police(reader).children_without_flag().await?;
        let first = cov.without.first();
        let queue = Queue {
            count: cov.without.len() as i64,
            overdue: 0,
            oldest: first.map(|f| Oldest { item_id: f.child_id, child_id: f.child_id, child_name: f.name.clone(), since: String::new() }),
        };
        let oldest = first.map(|f| {
            html! {
                (cov.flagged) " of " (cov.total) " MACSE children are flagged (" (cov.percent()) "%; the target is 100%). First on the list: "
                a class="app-link" href={ "/children/" (f.child_id) "/police" } { (f.name) } "."
            }
        });
        cards.push(Card {
            title: "MACSE children without a police CSE flag",
            queue,
            oldest,
            overdue: None,
            list: ("/police/flags".into(), "See the children without a flag"),
        });
    }
    let panel = if ctx.can(Permission::RunPanels) { w.next_panel(today).await? } else { None };
    let trend = if ctx.can(Permission::DecideReferrals) || ctx.can(Permission::RunPanels) || ctx.can(Permission::ManagePartnership) {
        Some(w.referrals_by_month(today).await?)
    } else {
        None
    };
    Ok(html! {
        @if !cards.is_empty() || panel.is_some() || ctx.can(Permission::RunPanels) {
            h2 class="app-heading-m" { "Waiting for you" }
            ul class="app-waiting" {
                @for c in &cards { (card(c)) }
                @if ctx.can(Permission::RunPanels) { (panel_card(panel.as_ref())) }
            }
        }
        @if let Some(t) = &trend { (trend_chart("Referrals raised each month", "Referrals", t)) }
    })
}

/// Slots at a panel are usually half an hour.
const USUAL_SLOT_MINUTES: i64 = 30;

fn panel_card(p: Option<&NextPanel>) -> Markup {
    html! {
        li class="app-waiting__item" {
            @match p {
                Some(p) => {
                    h3 class="app-heading-s" {
                        span class="app-waiting__number" { (p.free_slots(USUAL_SLOT_MINUTES)) }
                        "Free half-hour slots at the next MACSE panel"
                    }
                    p class="app-body" {
                        (long(p.meeting_date)) @if !p.location.is_empty() { ", " (p.location) } ": "
                        (p.booked) " young " @if p.booked == 1 { "person" } @else { "people" } " booked, "
                        (p.free_minutes / 60) " hours " (p.free_minutes % 60) " minutes of the day free."
                    }
                    p class="app-body" { a class="app-link" href={ "/panels/" (p.id) } { "Open the next panel's agenda" } }
                }
                None => {
                    h3 class="app-heading-s" { "No MACSE panel is scheduled" }
                    p class="app-body" { a class="app-link" href="/panels" { "Add a series of panels" } }
                }
            }
        }
    }
}

/// A small bar chart of counts by month, drawn as SVG (no script), with the same
/// figures as a table for anyone who would rather read them, or cannot see the chart.
pub fn trend_chart(title: &str, what: &str, months: &[(NaiveDate, i64)]) -> Markup {
    let (width, height, top, bottom) = (600.0_f64, 220.0_f64, 24.0_f64, 190.0_f64);
    let max = months.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let slot = width / months.len().max(1) as f64;
    let bar = slot * 0.6;
    let total: i64 = months.iter().map(|(_, n)| n).sum();
    let busiest = months.iter().max_by_key(|(m, n)| (*n, std::cmp::Reverse(*m)));
    let summary = match (months.first(), months.last(), busiest) {
        (Some((first, _)), Some((last, n_last)), Some((bm, bn))) => format!(
            "{total} in the twelve months from {} to {}; the most, {bn}, in {}; {n_last} in {}.",
            first.format("%B %Y"),
            last.format("%B %Y"),
            bm.format("%B %Y"),
            last.format("%B %Y")
        ),
        _ => "No figures.".to_string(),
    };
    html! {
        figure class="app-chart" {
            figcaption class="app-heading-m" { (title) }
            svg viewBox={ "0 0 " (width) " " (height) } role="img" aria-labelledby="trend-title trend-desc" focusable="false" {
                title id="trend-title" { (title) }
                desc id="trend-desc" { (summary) }
                line class="app-chart__axis" x1="0" y1=(bottom) x2=(width) y2=(bottom) {}
                @for (i, (m, n)) in months.iter().enumerate() {
                    @let h = (bottom - top) * (*n as f64) / max;
                    @let x = slot * i as f64 + (slot - bar) / 2.0;
                    rect class="app-chart__bar" x=(format!("{x:.1}")) y=(format!("{:.1}", bottom - h)) width=(format!("{bar:.1}")) height=(format!("{h:.1}")) {}
                    text class="app-chart__label" x=(format!("{:.1}", x + bar / 2.0)) y=(format!("{:.1}", bottom - h - 4.0)) text-anchor="middle" { (n) }
                    text class="app-chart__label" x=(format!("{:.1}", x + bar / 2.0)) y=(format!("{:.1}", bottom + 16.0)) text-anchor="middle" { (m.format("%b")) }
                }
            }
            details class="app-details" {
                summary class="app-details__summary" { span class="app-details__summary-text" { "The figures as a table" } }
                div class="app-details__text" {
                    div class="app-table-wrapper" tabindex="0" role="region" aria-label=(title) {
                    table class="app-table" {
                        caption class="app-table__caption app-visually-hidden" { (title) }
                        thead class="app-table__head" { tr class="app-table__row" {
                            th class="app-table__header" scope="col" { "Month" }
                            th class="app-table__header app-table__header--numeric" scope="col" { (what) }
                        } }
                        tbody class="app-table__body" {
                            @for (m, n) in months {
                                tr class="app-table__row" {
                                    th class="app-table__header" scope="row" { (m.format("%B %Y")) }
                                    td class="app-table__cell app-table__cell--numeric" { (n) }
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

/// "/plans/actions-due": the actions of children's current MACSE plans due in the next
/// 14 days or overdue, the soonest first (children in reach, sections the reader may see).
pub async fn plan_actions_due(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let caller = ctx.caller()?.clone();
    let reader = policy::reader(&state, &caller).await?;
    let actions = state.store.waiting(&reader).plan_actions_due(ctx.today).await?;
    let content = html! {
        h1 class="app-heading-l" { "Plan actions due" }
        p class="app-body" { "Actions of the young people's current MACSE plans that are not done or dropped and are due in the next 14 days, or overdue. The soonest due come first." }
        @if actions.is_empty() {
            p class="app-body" { "No plan actions are due in the next 14 days." }
        } @else {
            (ui::scroll_table("Plan actions due", html! {
                div class="app-table-wrapper" tabindex="0" role="region" aria-label="Plan actions due" {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--m" { (actions.len()) " action" @if actions.len() != 1 { "s" } " due" }
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Due" }
                        th class="app-table__header" scope="col" { "Young person" }
                        th class="app-table__header" scope="col" { "Action" }
                        th class="app-table__header" scope="col" { "Owner" }
                        th class="app-table__header" scope="col" { "Status" }
                    } }
                    tbody class="app-table__body" {
                        @for a in &actions {
                            tr class="app-table__row" {
                                td class="app-table__cell" {
                                    (long(a.due))
                                    @if a.due < ctx.today { " " (ui::tag("Overdue", assure_domain::tracker::TagColour::Red)) }
                                }
                                td class="app-table__cell" { a class="app-link" href={ "/children/" (a.child_id) "/plan" } { (a.child_name) } }
                                td class="app-table__cell" { (a.text) br; span class="app-hint" { (a.section.label()) } }
                                td class="app-table__cell" { (a.owner) br; span class="app-hint" { (a.agency_name) } }
                                td class="app-table__cell" { (a.status.label()) }
                            }
                        }
                    }
                }
                }
            }))
        }
    };
    Ok(ui::layout(&ctx, "Plan actions due", false, content).into_response())
}
