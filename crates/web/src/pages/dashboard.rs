//! The dashboard, the monitoring schedule and a lead officer's own list.

use assure_domain::dates::long;
use assure_domain::tracker::{previous_report_date, upcoming_report_dates, Lifecycle, Rag};
use assure_domain::Permission;
use assure_storage::tracker::{RecFilter, ReportWindow};
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::{html, Markup};

use crate::auth::Caller;
use crate::error::PageResult;
use crate::forms::Fields;
use crate::ui::{self, Ctx, Field};
use crate::AppState;

pub fn rag_key(ctx: &Ctx) -> Markup {
    html! {
        h2 class="app-heading-s" { "What the RAG colours mean" }
        ul class="app-key app-list" {
            @for r in [Rag::Red, Rag::Amber, Rag::Green] {
                li class="app-key__item" { (ui::rag_tag(Some(r))) " " (ctx.settings.rag_meaning(r)) }
            }
            li class="app-key__item" { (ui::rag_tag(None)) " Not rated by the council or an officer (and no suggestion asked for), or no target date to judge by" }
            li class="app-key__item" { (ui::rec_rag_tag(Some(Rag::Red), true)) " " (assure_domain::tracker::SUGGESTED_RAG_MEANING.trim_start_matches("Suggested: ")) }
        }
    }
}

fn stat(number: i64, label: &str, href: Option<String>, alert: bool) -> Markup {
    html! {
        div class={ "app-stat" @if alert && number > 0 { " app-stat--alert" } } {
            p class="app-stat__number" { (number) }
            p class="app-stat__label" {
                @if let Some(h) = href { a class="app-link" href=(h) { (label) } } @else { (label) }
            }
        }
    }
}

pub async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let f = Fields(q);
    let body_id = f.opt_id("body_id");
    let filter = RecFilter { body_id, ..Default::default() };
    let d = state.store.tracker().dashboard(&filter, ctx.today).await?;
    let bodies = state.store.tracker().bodies().await?;
    let scope = body_id.map(|b| format!("&body_id={b}")).unwrap_or_default();
    let body_opts = ui::options_with_blank("All committees", bodies.iter().map(|b| (b.id.to_string(), b.name.clone())));
    let none = assure_domain::Invalid::new();
    let selected = body_id.map(|b| b.to_string()).unwrap_or_default();
    let shown = crate::pages::scorecards::Shown::for_reader(&state, ctx.caller().ok()).await?;
    let not_moved = state.store.scorecards().not_moved(shown.suppress_below()).await?;
    let content = html! {
        h1 class="app-heading-l" { "Dashboard" }
        form method="get" action="/" class="app-filter" {
            div class="app-filter__row" {
                (ui::select(Field::new("body_id", "Committee", &selected, &none), &body_opts))
                (ui::secondary_button("Show"))
            }
        }
        div class="app-stats" {
            (stat(d.total, "Recommendations", Some(format!("/recommendations?x=1{scope}")), false))
            (stat(d.accepted, "Accepted (in full, in principle or in part)", Some(format!("/recommendations?response=accepted{scope}")), false))
            (stat(d.responses_overdue, "Executive responses overdue", Some(format!("/recommendations?overdue=response{scope}")), true))
            (stat(d.responses_due_soon, "Executive responses due in the next 14 days", None, false))
            (stat(d.targets_passed, "Open recommendations past their target date", Some(format!("/recommendations?overdue=target{scope}")), true))
        }
        div class="app-grid-row" {
            div class="app-grid-column-one-half" {
                div class="app-table-wrapper" tabindex="0" role="region" aria-label="By status" {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--m" { "By status" }
                    thead class="app-table__head" { tr class="app-table__row" { th class="app-table__header" scope="col" { "Status" } th class="app-table__header app-table__header--numeric" scope="col" { "Number" } } }
                    tbody class="app-table__body" {
                        @for (l, n) in &d.by_lifecycle {
                            tr class="app-table__row" {
                                td class="app-table__cell" { a class="app-link" href={ "/recommendations?lifecycle=" (l.slug()) (scope) } { (ui::lifecycle_tag(*l)) } }
                                td class="app-table__cell app-table__cell--numeric" { (n) }
                            }
                        }
                    }
                }
                }
            }
            div class="app-grid-column-one-half" {
                div class="app-table-wrapper" tabindex="0" role="region" aria-label="By delivery RAG" {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--m" { "By delivery RAG" }
                    thead class="app-table__head" { tr class="app-table__row" { th class="app-table__header" scope="col" { "RAG" } th class="app-table__header app-table__header--numeric" scope="col" { "Number" } } }
                    tbody class="app-table__body" {
                        @for (r, suggested, n) in &d.by_rag {
                            tr class="app-table__row" {
                                td class="app-table__cell" {
                                    @if let Some(g) = r {
                                        a class="app-link" href={ "/recommendations?rag=" (g.slug()) "&rated=" (if *suggested { "suggested" } else { "given" }) (scope) } { (ui::rec_rag_tag(Some(*g), *suggested)) }
                                    } @else { (ui::rag_tag(None)) }
                                }
                                td class="app-table__cell app-table__cell--numeric" { (n) }
                            }
                        }
                    }
                }
                }
                div class="app-table-wrapper" tabindex="0" role="region" aria-label="By executive response" {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--m" { "By executive response" }
                    thead class="app-table__head" { tr class="app-table__row" { th class="app-table__header" scope="col" { "Response" } th class="app-table__header app-table__header--numeric" scope="col" { "Number" } } }
                    tbody class="app-table__body" {
                        @for (r, n) in &d.by_response {
                            tr class="app-table__row" {
                                td class="app-table__cell" { a class="app-link" href={ "/recommendations?response=" (r.slug()) (scope) } { (ui::response_tag(*r)) } }
                                td class="app-table__cell app-table__cell--numeric" { (n) }
                            }
                        }
                    }
                }
                }
            }
        }
        (rag_key(&ctx))
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Recommendations by committee" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "By committee" }
                thead class="app-table__head" {
                    tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Committee" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Total" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Red" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Amber" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Green" }
                        th class="app-table__header" scope="col" { "Suggested (not rated by the council)" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Not rated" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Complete or signed off" }
                    }
                }
                tbody class="app-table__body" {
                    @for b in &d.by_body {
                        tr class="app-table__row" {
                            td class="app-table__cell" {
                                @if let Some(id) = b.body_id { a class="app-link" href={ "/recommendations?body_id=" (id) } { (b.body_name) } } @else { (b.body_name) }
                            }
                            td class="app-table__cell app-table__cell--numeric" { (b.total) }
                            td class="app-table__cell app-table__cell--numeric" { (b.red) }
                            td class="app-table__cell app-table__cell--numeric" { (b.amber) }
                            td class="app-table__cell app-table__cell--numeric" { (b.green) }
                            td class="app-table__cell" data-suggested=(b.suggested()) {
                                @if b.suggested() == 0 { "None" } @else {
                                    @for (i, (n, g)) in [(b.suggested_red, Rag::Red), (b.suggested_amber, Rag::Amber), (b.suggested_green, Rag::Green)].into_iter().filter(|(n, _)| *n > 0).enumerate() {
                                        @if i > 0 { ", " }
                                        (n) " " (g.label())
                                    }
                                }
                            }
                            td class="app-table__cell app-table__cell--numeric" { (b.not_rated) }
                            td class="app-table__cell app-table__cell--numeric" { (b.complete) }
                        }
                    }
                }
            }
        }
        h2 class="app-heading-m" id="not-moved" { "Done, but the outcome has not moved" }
        p class="app-body" { "Completed recommendations and plan actions whose measure has not improved since they were agreed." }
        @if not_moved.is_empty() {
            p class="app-body" { "None: every completed recommendation or action that names a measure has moved it the right way." }
        } @else {
            ul class="app-list app-list--bullet" {
                @for n in &not_moved {
                    li {
                        a class="app-link" href=(n.href) { (n.label) } ": " (n.text)
                        br; span class="app-body-s" { (n.outcome.describe()) }
                    }
                }
            }
        }
    };
    Ok(ui::layout(&ctx, "Dashboard", false, content).into_response())
}

/// Upcoming monitoring reports and, for each, the recommendations whose update is missing.
pub async fn schedule(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let schedules = state.store.tracker().schedules(None).await?;
    let mut due = Vec::new();
    for s in &schedules {
        let next = upcoming_report_dates(s.first_report_date, s.interval_months, ctx.today, 1);
        let Some(report) = next.first().copied() else { continue };
        let since = previous_report_date(s.first_report_date, s.interval_months, report);
        due.push((s, ReportWindow { review_id: s.review_id, body_id: Some(s.body_id), since, report_date: report }));
    }
    let windows: Vec<ReportWindow> = due.iter().map(|(_, w)| *w).collect();
    let missing_all = state.store.tracker().missing_updates_many(&windows).await?;
    let mut rows: Vec<_> = due.into_iter().zip(missing_all).map(|((s, w), missing)| (s, w.report_date, w.since, missing)).collect();
    rows.sort_by_key(|(_, report, _, _)| *report);
    let content = html! {
        h1 class="app-heading-l" { "Monitoring schedule" }
        p class="app-body" { "The next monitoring report for each review and committee, from the resolution that set it, and the recommendations whose update for it is still missing." }
        @if rows.is_empty() { p class="app-body" { "No monitoring reports are scheduled." } }
        @for (s, report, since, missing) in &rows {
            div class="app-!-margin-bottom-6" {
                h2 class="app-heading-m" { (long(*report)) ": " (s.body_name) }
                p class="app-body" {
                    a class="app-link" href={ "/reviews/" (s.review_id) } { (s.review_title) }
                    " — every " (s.interval_months) " months from " (long(s.first_report_date))
                    @if !s.resolution_ref.is_empty() { " (" (s.resolution_ref) ")" }
                }
                p class="app-body-s" { "Updates count if dated after " (since.map(long).unwrap_or_else(|| "the start".into())) "." }
                @if missing.is_empty() {
                    p class="app-body" { (ui::tag("All updates in", assure_domain::tracker::TagColour::Green)) }
                } @else {
                    div class="app-table-wrapper" tabindex="0" role="region" aria-label="Monitoring schedule" {
                    table class="app-table" {
                        caption class="app-table__caption" { (missing.len()) " update" @if missing.len() != 1 { "s" } " missing" }
                        thead class="app-table__head" { tr class="app-table__row" {
                            th class="app-table__header" scope="col" { "Recommendation" }
                            th class="app-table__header" scope="col" { "Lead officers" }
                            th class="app-table__header" scope="col" { "Target date" }
                        } }
                        tbody class="app-table__body" {
                            @for r in missing {
                                tr class="app-table__row" {
                                    td class="app-table__cell" { a class="app-link" href={ "/recommendations/" (r.id) } { (r.reference) " " (r.label()) } }
                                    td class="app-table__cell" { (r.lead_names().join(", ")) }
                                    td class="app-table__cell" {
                                        (ui::date(r.target_date))
                                        @if r.target_passed(ctx.today) { " " (ui::tag("Target date passed", assure_domain::tracker::TagColour::Red)) }
                                    }
                                }
                            }
                        }
                    }
                    }
                }
                @if ctx.can(Permission::ManageTracker) && !missing.is_empty() {
                    p class="app-body" { a class="app-link" href={ "/reviews/" (s.review_id) "#request-updates" } { "Ask the lead officers for these updates" } }
                }
                @if ctx.can(Permission::ManageTracker) {
                    p class="app-body" { a class="app-link" href=(super::reports::new_report_link(s.review_id, *report)) { "Prepare this report" } }
                }
            }
        }
    };
    Ok(ui::layout(&ctx, "Monitoring schedule", false, content).into_response())
}

/// What a lead officer answers for.
pub async fn mine(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    let (recs, requests) = state.store.tracker().my_recommendations(caller.user.id).await?;
    let open: Vec<_> = recs.iter().filter(|r| r.lifecycle.is_open() || r.lifecycle == Lifecycle::CompleteAwaitingSignOff).collect();
    let content = html! {
        h1 class="app-heading-l" { "My recommendations" }
        p class="app-body" { a class="app-link" href="/meetings/my-requests" { "Reports committees requested of you" } }
        h2 class="app-heading-m" { "Updates asked for" }
        @if requests.is_empty() { p class="app-body" { "Nobody has asked you for an update." } } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Updates asked for" {
            table class="app-table" {
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Recommendation" }
                    th class="app-table__header" scope="col" { "Needed by" }
                    th class="app-table__header" scope="col" { "For the report on" }
                    th class="app-table__header" scope="col" { "Message" }
                } }
                tbody class="app-table__body" {
                    @for q in &requests {
                        @let r = recs.iter().find(|r| r.id == q.recommendation_id);
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/recommendations/" (q.recommendation_id) } { (r.map(|r| format!("{} {}", r.reference, r.label())).unwrap_or_default()) } }
                            td class="app-table__cell" {
                                (long(q.due_date)) " "
                                @if q.due_date < ctx.today { (ui::tag("Overdue", assure_domain::tracker::TagColour::Red)) } @else { (ui::tag("Due", assure_domain::tracker::TagColour::Yellow)) }
                            }
                            td class="app-table__cell" { (ui::date(q.for_report_date)) }
                            td class="app-table__cell" { (q.message) }
                        }
                    }
                }
            }
            }
        }
        h2 class="app-heading-m" { "Recommendations you lead" }
        (rec_table(&ctx, &open))
    };
    Ok(ui::layout(&ctx, "My recommendations", false, content).into_response())
}

/// The tracker table used by lists.
pub fn rec_table(ctx: &Ctx, recs: &[&assure_storage::tracker::Recommendation]) -> Markup {
    html! {
        @if recs.is_empty() { p class="app-body" { "No recommendations." } } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Recommendations" {
                table class="app-table" data-testid="recommendations" {
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Reference" }
                        th class="app-table__header" scope="col" { "Recommendation" }
                        th class="app-table__header" scope="col" { "Lead officers" }
                        th class="app-table__header" scope="col" { "Response" }
                        th class="app-table__header" scope="col" { "Status" }
                        th class="app-table__header" scope="col" { "RAG" }
                        th class="app-table__header" scope="col" { "Target date" }
                    } }
                    tbody class="app-table__body" {
                        @for r in recs {
                            tr class="app-table__row" {
                                td class="app-table__cell" { a class="app-link" href={ "/recommendations/" (r.id) } { (r.reference) } br; span class="app-body-s" { (r.label()) } }
                                td class="app-table__cell" { (truncate(r.wording(), 180)) br; span class="app-body-s app-hint" { (r.review_title) } }
                                td class="app-table__cell" { (r.lead_names().join(", ")) }
                                td class="app-table__cell" { (ui::response_tag(r.response)) " " (ui::response_state_tag(r.response_state(ctx.today))) }
                                td class="app-table__cell" { (ui::lifecycle_tag(r.lifecycle)) }
                                td class="app-table__cell" { (ui::rec_rag_tag(r.rag(ctx.today), r.rag_is_suggested(ctx.today))) }
                                td class="app-table__cell" {
                                    (r.target_date.map(assure_domain::dates::month_year).unwrap_or_else(|| "None".into()))
                                    @if r.target_passed(ctx.today) { " " (ui::tag("Passed", assure_domain::tracker::TagColour::Red)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>().trim_end())
    }
}
