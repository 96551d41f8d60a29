//! Placement notifications: recording a notification (or a placement found without
//! one) with the child searched for before being created, every notification with the
//! count of children each authority has placed, each team's queue of notifications to
//! acknowledge, a child's placements, a placing authority's page with its lateness and
//! escalations, providers of concern, and the routing rules the partnership keeps.

use assure_domain::dates::long;
use assure_domain::partnership::{Section, Team};
use assure_domain::placements::{check_rules, english_authorities, Condition, EscalationStep, Risk, RoutingRule, Timeliness};
use assure_domain::tracker::TagColour;
use assure_domain::validation::FieldError;
use assure_domain::{Invalid, Permission};
use assure_storage::keyset::{PageRequest, Total};
use assure_storage::placements::{AuthoritySummary, Notification, NotificationFilter, PlacementInput, ProviderConcernInput, Recipient};
use assure_storage::{Reader, StoreError};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};

use super::child_picker::{self, Identity, Picker};
use super::id;
use super::referrals::when;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

fn th(label: &str) -> Markup {
    html! { th class="app-table__header" scope="col" { (label) } }
}

fn opt_date(d: Option<chrono::NaiveDate>, none: &str) -> String {
    d.map(long).unwrap_or_else(|| none.to_string())
}

fn timeliness_tag(t: Timeliness) -> Markup {
    match t {
        Timeliness::OnTime => ui::tag("On time", TagColour::Green),
        Timeliness::Late(days) => ui::tag(&format!("Late: {days} days after the placement started"), TagColour::Orange),
        Timeliness::NotNotified => ui::tag("Found without a notification", TagColour::Red),
    }
}

/// How long a notification has waited for a team's acknowledgement, more visibly the longer it waits.
fn age_tag(days: i64, acknowledged: bool) -> Markup {
    let label = if days == 1 { "1 day".to_string() } else { format!("{days} days") };
    let colour = match (acknowledged, days) {
        (true, _) => TagColour::Grey,
        (false, 0..=2) => TagColour::Blue,
        (false, 3..=6) => TagColour::Orange,
        _ => TagColour::Red,
    };
    ui::tag(&label, colour)
}

fn authority_href(name: &str) -> String {
    format!("/placing-authorities?name={}", form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>())
}

fn risks_text(n: &Notification) -> String {
    let present = n.present_risks();
    if present.is_empty() {
        "None declared".into()
    } else {
        present.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")
    }
}

fn acknowledged_count(n: &Notification) -> String {
    format!("{} of {}", n.recipients.iter().filter(|r| r.acknowledged_at.is_some()).count(), n.recipients.len())
}

fn authority_options() -> Vec<(String, String)> {
    ui::options_with_blank("Choose the placing authority", english_authorities().into_iter().map(|a| (a.to_string(), a.to_string())))
}

/// The acknowledge button; from a filtered queue, the filters go with it so the queue
/// comes back as it was.
fn ack_form(ctx: &Ctx, r: &Recipient, keep: Option<&ListFilter>) -> Markup {
    html! {
        form method="post" action={ "/notifications/" (r.id) "/acknowledge" } class="app-inline-form" {
            (ui::csrf(ctx.csrf()))
            @if let Some(k) = keep {
                @for (name, value) in [("state", &k.state), ("authority", &k.authority), ("period", &k.period)] {
                    @if !value.is_empty() { input type="hidden" name=(name) value=(value); }
                }
            }
            button type="submit" class="app-button app-button--secondary app-button--small" { "Acknowledge for the " (r.team.label()) span class="app-visually-hidden" { " team, notification " (r.notification_id) } }
        }
    }
}

fn acknowledgement(r: &Recipient) -> Markup {
    html! {
        @if let Some(at) = &r.acknowledged_at {
            "Acknowledged " (when(at)) @if let Some(n) = &r.acknowledged_by_name { " by " (n) }
        } @else {
            (ui::tag("Not yet acknowledged", TagColour::Orange))
        }
    }
}

fn notifications_table(caption: &str, rows: &[Notification]) -> Markup {
    ui::scroll_table(
        caption,
        html! {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label=(caption) {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { (caption) }
                thead class="app-table__head" { tr class="app-table__row" {
                    (th("Child")) (th("Placing authority")) (th("Home")) (th("Started")) (th("Notification")) (th("Risks declared")) (th("Acknowledged"))
                } }
                tbody class="app-table__body" {
                    @for n in rows {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/children/" (n.child_id) "/placements" } { (n.child_name) } }
                            td class="app-table__cell" { a class="app-link" href=(authority_href(&n.placing_authority)) { (n.placing_authority) } }
                            td class="app-table__cell" { (n.home) @if let Some(p) = &n.provider_name { br; span class="app-hint" { (p) } } }
                            td class="app-table__cell" { (long(n.start_date)) @if let Some(e) = n.end_date { br; span class="app-hint" { "Ended " (long(e)) } } }
                            td class="app-table__cell" { (opt_date(n.received_date, "")) " " (timeliness_tag(n.timeliness())) }
                            td class="app-table__cell" { (risks_text(n)) }
                            td class="app-table__cell" { (acknowledged_count(n)) }
                        }
                    }
                }
            }
            }
        },
    )
}

fn counts_table(counts: &[(String, usize, bool)]) -> Markup {
    html! {
        @if counts.is_empty() {
            p class="app-body" { "No children are placed here by other authorities." }
        } @else {
            (ui::scroll_table("Children placed by each authority", html! { table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "Children placed by each authority" }
                thead class="app-table__head" { tr class="app-table__row" {
                    (th("Placing authority")) th class="app-table__header app-table__header--numeric" scope="col" { "Children placed now" } (th("Above five"))
                } }
                tbody class="app-table__body" {
                    @for (a, n, above) in counts {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href=(authority_href(a)) { (a) } }
                            td class="app-table__cell app-table__cell--numeric" { (n) }
                            td class="app-table__cell" { @if *above { (ui::tag("More than five children placed", TagColour::Red)) } }
                        }
                    }
                }
            } }))
        }
    }
}

// ---------------------------------------------------------------- recording a placement

const PICKER: Picker = Picker {
    action: "/placements/new",
    question: "Which child has been placed?",
    search_hint: "First or last name. A child already known to your agency is linked; if the child is not found, enter their details below.",
    dob_example: "16/01/2018",
    identity: Identity::Full { address: "Home address (where the child lived before)", ward: "Ward of that address" },
    school_in_label: false,
};

fn risk_field(r: Risk) -> String {
    format!("risk-{}", r.slug())
}

fn date_field(f: &Fields, name: &str, what: &str, v: &mut Invalid) -> Option<chrono::NaiveDate> {
    let d = f.date(name);
    let mut first = what.chars();
    let capital = first.next().map(|c| c.to_uppercase().collect::<String>() + first.as_str()).unwrap_or_default();
    if let Some(m) = f.date_problem(name, &capital) {
        v.add(name, m);
    } else if !f.get(name).trim().is_empty() && d.is_none() {
        v.add(name, format!("Enter {what} as a real date, for example 16 1 2018"));
    }
    d
}

/// The form as submitted, with the problems only the web edge can see (an unreadable date or number).
fn placement_form(f: &Fields) -> (PlacementInput, Invalid) {
    let (child, mut v) = child_picker::read(&PICKER, f);
    let start_date = date_field(f, "start_date", "the date the placement started", &mut v);
    let end_date = date_field(f, "end_date", "the date the placement ended", &mut v);
    let received_date = date_field(f, "received_date", "the date the notification was received", &mut v);
    let input = PlacementInput {
        child,
        placing_authority: f.string("placing_authority"),
        provider_id: f.opt_id("provider_id"),
        new_provider: f.string("new_provider"),
        home: f.string("home"),
        address: f.string("placement_address"),
        ward: f.string("placement_ward"),
        start_date,
        end_date,
        received_date,
        found_without_notification: f.get("found_without_notification") == "yes",
        risks: Risk::ALL.iter().map(|r| (*r, f.yes_no(&risk_field(*r)), f.string(&format!("{}-detail", risk_field(*r))))).collect(),
    };
    (input, v)
}

async fn new_render(state: &AppState, ctx: &Ctx, caller: &Caller, reader: &Reader, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let matches = child_picker::matches(state, caller, reader, f).await?;
    let (search, child) = child_picker::render(&PICKER, &matches, f, errors);
    let providers = state.store.providers().list().await?;
    let provider_opts = ui::options_with_blank("Not known, or not on the list", providers.iter().map(|p| (p.id.to_string(), p.name.clone())));
    let yes_no = [("yes".to_string(), "Yes".to_string()), ("no".to_string(), "No".to_string())];
    let found = f.get("found_without_notification") == "yes";
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Record a placement notification" }
        p class="app-body" { "A looked-after child placed here by another authority. The notification goes to the teams the partnership's routing rules name, and each must acknowledge it." }
        (search)
        form method="post" action=(PICKER.action) novalidate {
            (ui::csrf(ctx.csrf()))
            (child)
            h2 class="app-heading-m" { "The placement" }
            (ui::select(Field::new("placing_authority", "Placing authority", f.get("placing_authority"), errors).hint("The local authority in England that placed the child."), &authority_options()))
            (ui::select(Field::new("provider_id", "Provider", f.get("provider_id"), errors), &provider_opts))
            (ui::text_input(Field::new("new_provider", "Or a provider not on the list", f.get("new_provider"), errors).hint("It is added to the list of providers."), "app-input--width-30"))
            (ui::text_input(Field::new("home", "Home", f.get("home"), errors).hint("The children's home, or the foster placement."), "app-input--width-30"))
            (ui::textarea(Field::new("placement_address", "Address of the placement", f.get("placement_address"), errors), 3))
            (ui::text_input(Field::new("placement_ward", "Ward", f.get("placement_ward"), errors), "app-input--width-20"))
            (ui::date_input(Field::new("start_date", "Date the placement started", f.get("start_date"), errors)))
            (ui::date_input(Field::new("end_date", "Date the placement ended (if it has)", f.get("end_date"), errors)))
            h2 class="app-heading-m" { "The notification" }
            (ui::date_input(Field::new("received_date", "Date the notification was received", f.get("received_date"), errors)))
            (ui::checkboxes("found_without_notification", "No notification", Some("The placing authority did not notify: it is recorded against the authority."), &[("yes".to_string(), "This placement was found without a notification".to_string())], &if found { vec!["yes".to_string()] } else { vec![] }, errors))
            h2 class="app-heading-m" id="risks" { "Risks the notification declares" }
            p class="app-body app-hint" { "Answer yes or no for every risk, and say what the notification tells you for each yes." }
            @for r in Risk::ALL {
                @let field = risk_field(*r);
                @let detail = format!("{field}-detail");
                @let question = format!("Does the notification declare a concern about {}?", r.label().to_lowercase());
                (ui::radios(Field::new(&field, &question, f.get(&field), errors), &yes_no, true))
                (ui::textarea(Field::new(&detail, "Detail", f.get(&detail), errors), 2))
            }
            (ui::button("Record the notification"))
        }
    };
    Ok((status, ui::layout(ctx, "Record a placement notification", !errors.is_empty(), content)).into_response())
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let caller = ctx.caller()?.clone();
    let reader = policy::reader(&state, &caller).await?;
    let f = child_picker::query(q);
    new_render(&state, &ctx, &caller, &reader, &f, &Invalid::new(), StatusCode::OK).await
}

pub async fn new_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    let (input, edge) = placement_form(&f);
    if !edge.is_empty() {
        let all = edge.merged(state.store.placements(&reader).problems(&input, ctx.today).await?);
        return new_render(&state, &ctx, &caller, &reader, &f, &all, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.store.placements(&reader).record_notification(&input, ctx.today).await {
        Ok((_, child)) => Ok(done(&format!("/children/{child}/placements"), "placement-recorded")),
        Err(StoreError::Invalid(e)) => new_render(&state, &ctx, &caller, &reader, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- every notification

/// Rows on one page of the notification lists.
const PER_PAGE: i64 = 50;

/// The filters of the notification lists as chosen (values not offered read as blank),
/// and what they ask storage for.
struct ListFilter {
    state: String,
    authority: String,
    period: String,
}

const PERIODS: [(&str, &str, i64); 4] =
    [("7", "In the last 7 days", 7), ("30", "In the last 30 days", 30), ("90", "In the last 90 days", 90), ("365", "In the last 12 months", 365)];

impl ListFilter {
    fn read(f: &Fields) -> ListFilter {
        let state = match f.get("state") {
            s @ ("waiting" | "acknowledged") => s.to_string(),
            _ => String::new(),
        };
        let authority = assure_domain::placements::authority(f.get("authority").trim()).map(str::to_string).unwrap_or_default();
        let period = PERIODS.iter().find(|(v, _, _)| *v == f.get("period")).map(|(v, _, _)| v.to_string()).unwrap_or_default();
        ListFilter { state, authority, period }
    }

    fn storage(&self, today: chrono::NaiveDate) -> NotificationFilter {
        NotificationFilter {
            acknowledged: match self.state.as_str() {
                "waiting" => Some(false),
                "acknowledged" => Some(true),
                _ => None,
            },
            placing_authority: (!self.authority.is_empty()).then(|| self.authority.clone()),
            since: PERIODS.iter().find(|(v, _, _)| *v == self.period).map(|(_, _, days)| today - chrono::Duration::days(*days)),
        }
    }

    /// The list's path with these filters (and no cursor), for the pager's links.
    fn href(&self, path: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("state", &self.state), ("authority", &self.authority), ("period", &self.period)] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        let q = q.finish();
        if q.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{q}")
        }
    }

    fn is_empty(&self) -> bool {
        self.state.is_empty() && self.authority.is_empty() && self.period.is_empty()
    }

    /// The filter form (a GET: the filters are in the address, so a filtered list can be bookmarked).
    fn form(&self, action: &str, acknowledged: &str) -> Markup {
        let none = Invalid::new();
        let states = vec![
            (String::new(), "Waiting or acknowledged".to_string()),
            ("waiting".to_string(), "Waiting for acknowledgement".to_string()),
            ("acknowledged".to_string(), acknowledged.to_string()),
        ];
        let periods = ui::options_with_blank("At any time", PERIODS.iter().map(|(v, l, _)| (v.to_string(), l.to_string())));
        let authorities = ui::options_with_blank("Every authority", english_authorities().into_iter().map(|a| (a.to_string(), a.to_string())));
        html! {
            form method="get" action=(action) class="app-filter" {
                div class="app-filter__row" {
                    (ui::select(Field::new("state", "Acknowledgement", &self.state, &none), &states))
                    (ui::select(Field::new("authority", "Placing authority", &self.authority, &none), &authorities))
                    (ui::select(Field::new("period", "Arrived", &self.period, &none), &periods))
                    (ui::secondary_button("Filter"))
                }
                @if !self.is_empty() { p class="app-body" { a class="app-link" href=(action) { "Clear the filters" } } }
            }
        }
    }
}

fn cursor(f: &Fields) -> Option<&str> {
    Some(f.get("cursor")).filter(|c| !c.is_empty())
}

fn plural(n: Total, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, caller: Caller, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let f = Fields(q);
    let reader = policy::reader(&state, &caller).await?;
    let filter = ListFilter::read(&f);
    let (page, total) = state.store.placements(&reader).list_page(&filter.storage(ctx.today), &PageRequest::from_link(cursor(&f), PER_PAGE)).await?;
    let counts = state.store.placing_authorities().placed_counts(ctx.today).await?;
    let content = html! {
        h1 class="app-heading-l" { "Placement notifications" }
        p class="app-body" { a class="app-link" href="/placements/new" { "Record a placement notification" } }
        (filter.form("/placements", "Acknowledged by every team"))
        @if page.items.is_empty() {
            p class="app-body" {
                @if filter.is_empty() { "No placement notifications have been recorded." } @else { "No placement notifications match these filters." }
            }
        } @else {
            (notifications_table(&format!("{}, newest first", plural(total, "notification", "notifications")), &page.items))
            (ui::pager(&filter.href("/placements"), &page))
        }
        (counts_table(&counts))
    };
    Ok(ui::layout(&ctx, "Placement notifications", false, content).into_response())
}

// ---------------------------------------------------------------- the teams' queue

pub async fn queue(State(state): State<AppState>, ctx: Ctx, caller: Caller, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let f = Fields(q);
    let reader = policy::reader(&state, &caller).await?;
    let filter = ListFilter::read(&f);
    let (page, total) =
        state.store.placements(&reader).queue_page(&filter.storage(ctx.today), ctx.today, &PageRequest::from_link(cursor(&f), PER_PAGE)).await?;
    let items = &page.items;
    let caption = match filter.state.as_str() {
        "waiting" => format!("{} waiting for acknowledgement, longest waiting first", plural(total, "notification", "notifications")),
        "acknowledged" => format!("{} acknowledged, latest first", plural(total, "notification", "notifications")),
        _ => format!("{} for your teams, those waiting first", plural(total, "notification", "notifications")),
    };
    let content = html! {
        h1 class="app-heading-l" { "Notifications for your teams" }
        p class="app-body" { "Placement notifications the partnership's routing rules sent to your teams. Each team acknowledges once, confirming what is listed; those waiting longest come first." }
        @if reader.viewer().teams.is_empty() {
            p class="app-body" { "You are not in any team, so no notifications are routed to you. The partnership manager places people in teams." }
        } @else {
            (filter.form("/notifications", "Acknowledged by your team"))
            @if items.is_empty() {
                p class="app-body" {
                    @if filter.is_empty() { "No notifications have been routed to your teams." } @else { "No notifications for your teams match these filters." }
                }
            } @else {
                (ui::scroll_table("Notifications for your teams", html! {
                    div class="app-table-wrapper" tabindex="0" role="region" aria-label=(caption) {
                    table class="app-table" {
                        caption class="app-table__caption app-table__caption--m" { (caption) }
                        thead class="app-table__head" { tr class="app-table__row" {
                            (th("Child")) (th("Team")) (th("Placing authority")) (th("Waiting")) (th("Risks declared")) (th("To confirm")) (th("Acknowledgement"))
                        } }
                        tbody class="app-table__body" {
                            @for i in items {
                                @let n = &i.notification;
                                tr class="app-table__row" {
                                    td class="app-table__cell" { a class="app-link" href={ "/children/" (n.child_id) "/placements" } { (n.child_name) } }
                                    td class="app-table__cell" { (i.recipient.team.label()) }
                                    td class="app-table__cell" { (n.placing_authority) }
                                    td class="app-table__cell" { (age_tag(i.age_days, i.recipient.acknowledged_at.is_some())) }
                                    td class="app-table__cell" { (risks_text(n)) }
                                    td class="app-table__cell" { ul class="app-list" { @for a in &i.recipient.acknowledge { li { (a) } } } }
                                    td class="app-table__cell" {
                                        @if i.recipient.acknowledged_at.is_none() { (ack_form(&ctx, &i.recipient, Some(&filter))) } @else { (acknowledgement(&i.recipient)) }
                                    }
                                }
                            }
                        }
                    }
                    }
                }))
                (ui::pager(&filter.href("/notifications"), &page))
            }
        }
    };
    Ok(ui::layout(&ctx, "Notifications for your teams", false, content).into_response())
}

pub async fn acknowledge(State(state): State<AppState>, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    // The notification is part of the child's record: it is opened through the door (a line
    // of a child out of reach answers as no line at all, audited), so a team member whose
    // agency is not involved cannot change a child they may not see.
    policy::acknowledge_notification(&state, &caller, id(&raw)?).await?;
    Ok(done(&ListFilter::read(&f).href("/notifications"), "notification-acknowledged"))
}

// ---------------------------------------------------------------- a child's placements

pub async fn child_placements(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::Placements).await?;
    let (viewer, child) = (record.viewer(), record.child());
    let rows = record.notifications().await?;
    let content = html! {
        (ui::back_link(&format!("/children/{}", child.id), "Back to the child's record"))
        span class="app-caption-l" { (child.first_name) " " (child.last_name) }
        h1 class="app-heading-l" { "Placement notifications" }
        @if rows.is_empty() {
            p class="app-body" { "No placements by other authorities have been recorded for this child." }
        }
        @for n in &rows {
            h2 class="app-heading-m" { "Placed by " a class="app-link" href=(authority_href(&n.placing_authority)) { (n.placing_authority) } " from " (long(n.start_date)) }
            dl class="app-summary-list" {
                (ui::summary_row("Provider", html! { (n.provider_name.as_deref().unwrap_or("Not known")) }))
                (ui::summary_row("Home", html! { (n.home) }))
                (ui::summary_row("Address", ui::prose(&n.address)))
                (ui::summary_row("Ward", html! { (n.ward) }))
                (ui::summary_row("Started", html! { (long(n.start_date)) }))
                (ui::summary_row("Ended", html! { (opt_date(n.end_date, "Not ended")) }))
                (ui::summary_row("Notification", html! { (opt_date(n.received_date, "")) " " (timeliness_tag(n.timeliness())) }))
                (ui::summary_row("Recorded", html! { (when(&n.recorded_at)) @if let Some(by) = &n.recorded_by_name { " by " (by) } ", routed with version " (n.rules_version) " of the rules" }))
            }
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Risks the notification declared" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--s" { "Risks the notification declared" }
                thead class="app-table__head" { tr class="app-table__row" { (th("Risk")) (th("Declared")) (th("Detail")) } }
                tbody class="app-table__body" {
                    @for r in &n.risks {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (r.risk.label()) }
                            td class="app-table__cell" { @if r.present { strong { "Yes" } } @else { "No" } }
                            td class="app-table__cell" { (ui::prose(&r.detail)) }
                        }
                    }
                }
            }
            }
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Teams notified" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--s" { "Teams notified" }
                thead class="app-table__head" { tr class="app-table__row" { (th("Team")) (th("To confirm")) (th("Acknowledgement")) } }
                tbody class="app-table__body" {
                    @for r in &n.recipients {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (r.team.label()) }
                            td class="app-table__cell" { ul class="app-list" { @for a in &r.acknowledge { li { (a) } } } }
                            td class="app-table__cell" {
                                @if r.acknowledged_at.is_none() && viewer.teams.contains(&r.team) { (ack_form(&ctx, r, None)) } @else { (acknowledgement(r)) }
                            }
                        }
                    }
                }
            }
            }
        }
        @if ctx.can(Permission::RecordPlacements) {
            p class="app-body" { a class="app-link" href={ "/placements/new?child=" (child.id) } { "Record another placement for this child" } }
        }
    };
    Ok(ui::layout(&ctx, "Placement notifications", false, content).into_response())
}

// ---------------------------------------------------------------- placing authorities

async fn authority_render(state: &AppState, ctx: &Ctx, reader: &Reader, name: &str, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let counts = state.store.placing_authorities().placed_counts(ctx.today).await?;
    let summary: Option<AuthoritySummary> = if name.trim().is_empty() {
        None
    } else {
        match state.store.placements(reader).authority_summary(name).await {
            Ok(s) => Some(s),
            Err(StoreError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(e.into()),
        }
    };
    let steps: Vec<(String, String)> = EscalationStep::ALL.iter().map(|s| (s.slug().to_string(), s.label().to_string())).collect();
    let title = summary.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "Placing authorities".into());
    let content = html! {
        (ui::error_summary(errors))
        form method="get" action="/placing-authorities" class="app-filter" {
            (ui::select(Field::new("name", "Placing authority", name, &Invalid::new()), &authority_options()))
            (ui::secondary_button("Show"))
        }
        @if let Some(s) = &summary {
            span class="app-caption-l" { "Placing authority" }
            h1 class="app-heading-l" { (s.name) }
            div class="app-stats" {
                div class="app-stat" { span class="app-stat__number" { (s.total) } span class="app-stat__label" { "placements recorded" } }
                div class={ "app-stat" @if s.late > 0 { " app-stat--alert" } } { span class="app-stat__number" { (s.late) } span class="app-stat__label" { "notified late" } }
                div class={ "app-stat" @if s.not_notified > 0 { " app-stat--alert" } } { span class="app-stat__number" { (s.not_notified) } span class="app-stat__label" { "found without a notification" } }
            }
            h2 class="app-heading-m" { "Children placed" }
            @if s.children.is_empty() {
                p class="app-body" { "None that you may see." }
            } @else {
                ul class="app-list" { @for (cid, cname) in &s.children { li { a class="app-link" href={ "/children/" (cid) "/placements" } { (cname) } } } }
            }
            @if !s.notifications.is_empty() {
                (notifications_table("Notifications, newest first", &s.notifications))
            }
            h2 class="app-heading-m" { "Escalations" }
            @if s.escalations.is_empty() {
                p class="app-body" { "The authority has not been escalated." }
            } @else {
                div class="app-table-wrapper" tabindex="0" role="region" aria-label="Escalation steps, newest first" {
                table class="app-table" {
                    caption class="app-visually-hidden" { "Escalation steps, newest first" }
                    thead class="app-table__head" { tr class="app-table__row" { (th("Date")) (th("Step")) (th("Note")) (th("Recorded")) } }
                    tbody class="app-table__body" {
                        @for e in &s.escalations {
                            tr class="app-table__row" {
                                td class="app-table__cell" { (long(e.step_date)) }
                                td class="app-table__cell" { (e.step.label()) }
                                td class="app-table__cell" { (ui::prose(&e.note)) }
                                td class="app-table__cell" { (when(&e.recorded_at)) @if let Some(n) = &e.recorded_by_name { " by " (n) } }
                            }
                        }
                    }
                }
                }
            }
            h2 class="app-heading-m" { "Record an escalation" }
            form method="post" action="/placing-authorities" novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="authority" value=(s.name);
                (ui::radios(Field::new("step", "Escalation step", f.get("step"), errors), &steps, false))
                (ui::date_input(Field::new("step_date", "Date of the step", f.get("step_date"), errors)))
                (ui::textarea(Field::new("note", "Note", f.get("note"), errors).hint("For example, the letter sent and any reply."), 3))
                (ui::button("Record the escalation"))
            }
        } @else {
            h1 class="app-heading-l" { "Placing authorities" }
            p class="app-body" { "Choose an authority to see its children, notifications, lateness and escalations." }
        }
        (counts_table(&counts))
    };
    Ok((status, ui::layout(ctx, &title, !errors.is_empty(), content)).into_response())
}

pub async fn authority_page(State(state): State<AppState>, ctx: Ctx, caller: Caller, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let f = Fields(q);
    let reader = policy::reader(&state, &caller).await?;
    authority_render(&state, &ctx, &reader, f.get("name"), &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

pub async fn escalate(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    let mut edge = Invalid::new();
    let date = date_field(&f, "step_date", "the date of the step", &mut edge);
    let name = f.get("authority");
    let result = if edge.is_empty() {
        state
            .store
            .placing_authorities()
            .escalate(&caller.actor(), name, EscalationStep::from_slug(f.get("step")), date, f.get("note"), ctx.today)
            .await
            .map(|_| ())
    } else {
        Err(StoreError::Invalid(edge))
    };
    match result {
        Ok(()) => Ok(done(&authority_href(name), "escalation-recorded")),
        Err(StoreError::Invalid(e)) if e.for_field("authority").is_some() => Err(AppError::Invalid(e)),
        Err(StoreError::Invalid(e)) => authority_render(&state, &ctx, &reader, name, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- providers of concern

async fn providers_render(state: &AppState, ctx: &Ctx, which: &str, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let providers = state.store.providers().list().await?;
    let none = Invalid::new();
    let empty = Fields::default();
    let (pf, pe) = if which == "provider" { (f, errors) } else { (&empty, &none) };
    let (cf, ce) = if which == "concern" { (f, errors) } else { (&empty, &none) };
    let provider_opts = ui::options_with_blank("Choose the provider", providers.iter().map(|p| (p.id.to_string(), p.name.clone())));
    let content = html! {
        (ui::error_summary_for(errors, which))
        h1 class="app-heading-l" { "Providers of concern" }
        p class="app-body" { "Homes and providers with the concerns raised about them, the actions taken and any referral to Ofsted, as reported to the CICOLA sub-group." }
        @for p in providers.iter().filter(|p| !p.concerns.is_empty()) {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label=(p.name) {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { (p.name) }
                thead class="app-table__head" { tr class="app-table__row" { (th("Raised")) (th("Home")) (th("Concern")) (th("Action")) (th("Referred to Ofsted")) } }
                tbody class="app-table__body" {
                    @for c in &p.concerns {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (long(c.raised_on)) }
                            td class="app-table__cell" { (c.home) }
                            td class="app-table__cell" { (ui::prose(&c.concern)) }
                            td class="app-table__cell" { (ui::prose(&c.action)) }
                            td class="app-table__cell" { @if let Some(o) = c.ofsted_referral_date { (long(o)) } @else { "No" } }
                        }
                    }
                }
            }
            }
        }
        @if providers.iter().all(|p| p.concerns.is_empty()) {
            p class="app-body" { "No concerns about providers have been recorded." }
        }
        @let quiet: Vec<&str> = providers.iter().filter(|p| p.concerns.is_empty()).map(|p| p.name.as_str()).collect();
        @if !quiet.is_empty() {
            h2 class="app-heading-m" { "Providers without concerns" }
            p class="app-body" { (quiet.join(", ")) }
        }
        h2 class="app-heading-m" { "Record a concern" }
        form method="post" action="/providers/concerns" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::select(Field::new("provider_id", "Provider", cf.get("provider_id"), ce).prefixed("concern"), &provider_opts))
            (ui::text_input(Field::new("home", "Home", cf.get("home"), ce).prefixed("concern").hint("Leave blank if the concern is about the provider as a whole."), "app-input--width-30"))
            (ui::date_input(Field::new("raised_on", "Date the concern was raised", cf.get("raised_on"), ce).prefixed("concern")))
            (ui::textarea(Field::new("concern", "Concern", cf.get("concern"), ce).prefixed("concern"), 4))
            (ui::textarea(Field::new("action", "Action taken", cf.get("action"), ce).prefixed("concern"), 3))
            (ui::date_input(Field::new("ofsted_referral_date", "Date referred to Ofsted, if it was", cf.get("ofsted_referral_date"), ce).prefixed("concern")))
            (ui::button("Record the concern"))
        }
        h2 class="app-heading-m" { "Add a provider" }
        form method="post" action="/providers" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::text_input(Field::new("name", "Provider's name", pf.get("name"), pe).prefixed("provider"), "app-input--width-30"))
            (ui::secondary_button("Add the provider"))
        }
    };
    Ok((status, ui::layout(ctx, "Providers of concern", !errors.is_empty(), content)).into_response())
}

pub async fn providers(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    providers_render(&state, &ctx, "", &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

pub async fn add_provider(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    match state.store.providers().add(&caller.actor(), f.get("name")).await {
        Ok(_) => Ok(done("/providers", "provider-added")),
        Err(StoreError::Invalid(e)) => providers_render(&state, &ctx, "provider", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn add_concern(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let mut edge = Invalid::new();
    let input = ProviderConcernInput {
        provider_id: f.opt_id("provider_id"),
        home: f.string("home"),
        raised_on: date_field(&f, "raised_on", "the date the concern was raised", &mut edge),
        concern: f.string("concern"),
        action: f.string("action"),
        ofsted_referral_date: date_field(&f, "ofsted_referral_date", "the date of the referral to Ofsted", &mut edge),
    };
    let result = if edge.is_empty() {
        state.store.providers().add_concern(&caller.actor(), &input, ctx.today).await.map(|_| ())
    } else {
        Err(StoreError::Invalid(edge))
    };
    match result {
        Ok(()) => Ok(done("/providers", "provider-concern-added")),
        Err(StoreError::Invalid(e)) => providers_render(&state, &ctx, "concern", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- routing rules

/// Blank rows offered for new rules.
const SPARE_ROWS: usize = 2;

fn condition_slug(c: &Condition) -> &'static str {
    match c {
        Condition::Always => "always",
        Condition::AnyOf(_) => "any-of",
        Condition::MissingBefore => "missing-before",
    }
}

/// The rules as form fields (the current rules, or the form sent back).
fn rules_fields(rules: &[RoutingRule]) -> Fields {
    let mut out = vec![("rows".to_string(), (rules.len() + SPARE_ROWS).to_string())];
    for (i, r) in rules.iter().enumerate() {
        let n = i + 1;
        out.push((format!("rule-{n}-when"), condition_slug(&r.condition).to_string()));
        if let Condition::AnyOf(risks) = &r.condition {
            out.extend(risks.iter().map(|k| (format!("rule-{n}-risks"), k.slug().to_string())));
        }
        out.push((format!("rule-{n}-team"), r.team.clone()));
        out.push((format!("rule-{n}-acknowledge"), r.acknowledge.clone()));
    }
    Fields(out)
}

/// The rules the form describes, with each rule's row; blank and removed rows are left out.
fn rules_from(f: &Fields) -> (Vec<RoutingRule>, Vec<usize>, Invalid) {
    let rows: usize = f.get("rows").trim().parse().unwrap_or(0).min(200);
    let mut v = Invalid::new();
    let (mut rules, mut at) = (Vec::new(), Vec::new());
    for n in 1..=rows {
        let when = f.get(&format!("rule-{n}-when")).trim().to_string();
        let risks: Vec<Risk> = f.all(&format!("rule-{n}-risks")).iter().filter_map(|s| Risk::from_slug(s)).collect();
        let team = f.get(&format!("rule-{n}-team")).trim().to_string();
        let acknowledge = f.get(&format!("rule-{n}-acknowledge")).trim().to_string();
        if f.get(&format!("rule-{n}-remove")) == "yes" || (when.is_empty() && risks.is_empty() && team.is_empty() && acknowledge.is_empty()) {
            continue;
        }
        let condition = match when.as_str() {
            "always" => Condition::Always,
            "missing-before" => Condition::MissingBefore,
            "any-of" => Condition::AnyOf(risks),
            _ => {
                v.add(&format!("rule-{n}-when"), format!("Rule {n}: choose when the rule applies"));
                continue;
            }
        };
        rules.push(RoutingRule { condition, team, acknowledge });
        at.push(n);
    }
    (rules, at, v)
}

/// The domain numbers rules by position among those kept; the form by row.
fn renumber(e: Invalid, rows: &[usize]) -> Invalid {
    let mut out = Invalid::new();
    for FieldError { field, message } in e.errors {
        let parsed = field.strip_prefix("rule-").and_then(|rest| rest.split_once('-')).and_then(|(k, what)| Some((k.parse::<usize>().ok()?, what)));
        match parsed.and_then(|(k, what)| Some((k, what, *rows.get(k.checked_sub(1)?)?))) {
            Some((k, what, row)) => out.add(&format!("rule-{row}-{what}"), message.replacen(&format!("Rule {k}"), &format!("Rule {row}"), 1)),
            None => out.add(&field, message),
        }
    }
    out
}

/// The teams a rule can name; a team a stored rule names that no longer exists stays
/// listed as such, so saving it is refused with the reason.
fn team_options(current: &str) -> Vec<(String, String)> {
    let mut teams = ui::options_with_blank("Choose the team", Team::ALL.iter().map(|t| (t.slug().to_string(), t.label().to_string())));
    if !current.is_empty() && Team::from_slug(current).is_none() {
        teams.push((current.to_string(), format!("{current} (no longer exists)")));
    }
    teams
}

async fn rules_render(state: &AppState, ctx: &Ctx, sent: Option<&Fields>, errors: &Invalid, status: StatusCode) -> PageResult {
    let set = state.store.routing_rules().current().await?;
    let current = rules_fields(&set.rules);
    let f = sent.unwrap_or(&current);
    let rows: usize = f.get("rows").parse().unwrap_or(0);
    let whens = vec![
        (String::new(), "Choose when".to_string()),
        ("always".to_string(), "Every notification".to_string()),
        ("any-of".to_string(), "The notification declares any of the risks ticked".to_string()),
        ("missing-before".to_string(), "The child has gone missing before".to_string()),
    ];
    let risk_opts: Vec<(String, String)> = Risk::ALL.iter().map(|r| (r.slug().to_string(), r.label().to_string())).collect();
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Placement routing rules" }
        p class="app-body" { "Version " (set.version) " is in use (saved " (when(&set.created_at)) "). When a rule's condition holds, its team is notified and must acknowledge what the rule says. Saving makes a new version: notifications already routed keep their recipients." }
        form method="post" action="/partnership/routing-rules" novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="rows" value=(rows);
            @for n in 1..=rows {
                @let when_f = format!("rule-{n}-when");
                @let risks_f = format!("rule-{n}-risks");
                @let team_f = format!("rule-{n}-team");
                @let ack_f = format!("rule-{n}-acknowledge");
                @let remove_f = format!("rule-{n}-remove");
                @let team_now = f.string(&team_f);
                fieldset class="app-fieldset" {
                    legend class="app-fieldset__legend app-fieldset__legend--m" { @if n > set.rules.len() && sent.is_none() { "New rule" } @else { "Rule " (n) } }
                    (ui::select(Field::new(&when_f, "When", f.get(&when_f), errors), &whens))
                    (ui::checkboxes(&risks_f, "Risks", Some("For a rule about risks: any one of these is enough."), &risk_opts, &f.all(&risks_f), errors))
                    (ui::select(Field::new(&team_f, "Team notified", &team_now, errors), &team_options(&team_now)))
                    (ui::text_input(Field::new(&ack_f, "What the team confirms when it acknowledges", f.get(&ack_f), errors), "app-input--width-30"))
                    (ui::checkboxes(&remove_f, "Remove", None, &[("yes".to_string(), "Remove this rule".to_string())], &f.all(&remove_f), errors))
                }
            }
            (ui::button("Save as a new version"))
        }
    };
    Ok((status, ui::layout(ctx, "Placement routing rules", !errors.is_empty(), content)).into_response())
}

pub async fn rules_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    rules_render(&state, &ctx, None, &Invalid::new(), StatusCode::OK).await
}

pub async fn rules_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let (rules, rows, edge) = rules_from(&f);
    if !edge.is_empty() {
        let all = match check_rules(&rules) {
            Ok(_) => edge,
            Err(e) => edge.merged(renumber(e, &rows)),
        };
        return rules_render(&state, &ctx, Some(&f), &all, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.store.routing_rules().save(&caller.actor(), &rules).await {
        Ok(_) => Ok(done("/partnership/routing-rules", "routing-rules-saved")),
        Err(StoreError::Invalid(e)) => rules_render(&state, &ctx, Some(&f), &renumber(e, &rows), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}
