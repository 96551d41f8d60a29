//! Multi-agency case-file audits (issue 16): the rounds, opening one (six-monthly, or
//! triggered by a dataset figure that crossed its threshold), its reproducible sample,
//! assigning auditors, grading a case with the audit tool, the actions that become
//! tracked recommendations, and closing the round (the auditors' access ends with it).
//!
//! Those who run the dataset (the partnership manager and the CSE analyst) run rounds.
//! An auditor — anyone on the pathway — sees the rounds with cases assigned to them and
//! grades those; the child's record opens for them through the door (basis: case-file
//! audit) only while the round runs. Children show by record number, never by name: the
//! name is on the record, behind the door.

use assure_domain::case_audit::{Grade, RoundInput};
use assure_domain::datasets::Month;
use assure_domain::{Invalid, Permission};
use assure_storage::case_audits::{AuditCase, AuditRound};
use assure_storage::StoreError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};

use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, unreadable_dates, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

const ROUND_FIELDS: &[&str] =
    &["kind", "title", "period_from", "period_to", "starts_on", "ends_on", "per_stratum", "seed", "measure", "month", "threshold"];

fn id_of(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

fn runs(caller: &Caller) -> bool {
    caller.can(Permission::RunDatasets)
}

/// A round as the caller may see it: those who run rounds see every round; an auditor
/// only a round with a case assigned to them (any other answers as no round).
async fn visible(state: &AppState, caller: &Caller, raw: &str) -> Result<(AuditRound, Vec<AuditCase>), AppError> {
    let audits = state.store.case_audits();
    let round = audits.round(id_of(raw)?).await?;
    let cases = audits.cases(round.id).await?;
    if runs(caller) {
        return Ok((round, cases));
    }
    let mine: Vec<AuditCase> = cases.into_iter().filter(|c| c.auditor_id == Some(caller.user.id)).collect();
    if mine.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok((round, mine))
}

fn grade_tag(g: Option<Grade>) -> Markup {
    match g {
        None => html! { span class="app-tag app-tag--grey" { "Not graded" } },
        Some(g) => {
            let colour = match g {
                Grade::Outstanding | Grade::Good => "green",
                Grade::RequiresImprovement => "orange",
                Grade::Inadequate => "red",
            };
            html! { strong class={ "app-tag app-tag--" (colour) } { (g.label()) } }
        }
    }
}

fn status_words(r: &AuditRound, today: chrono::NaiveDate) -> &'static str {
    if !r.open {
        "Closed: the auditors' access has ended"
    } else if today < r.starts_on {
        "Open: the audit has not started"
    } else if today <= r.ends_on {
        "Open: auditors have their cases' records"
    } else {
        "Open: the audit days are over, awaiting closing"
    }
}

fn th(label: &str) -> Markup {
    html! { th class="app-table__header" scope="col" { (label) } }
}

/// "/case-audits": the rounds (for an auditor, those with their cases) and, for those
/// who run them, the form to open one.
pub async fn list(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    list_with(&state, &ctx, &caller, &Fields(vec![]), &Invalid::new(), StatusCode::OK).await
}

async fn list_with(state: &AppState, ctx: &Ctx, caller: &Caller, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let audits = state.store.case_audits();
    let mut rounds = Vec::new();
    for r in audits.rounds().await? {
        let cases = audits.cases(r.id).await?;
        let mine = cases.iter().filter(|c| c.auditor_id == Some(caller.user.id)).count();
        if runs(caller) || mine > 0 {
            let graded = cases.iter().filter(|c| c.grade.is_some()).count();
            rounds.push((r, cases.len(), graded, mine));
        }
    }
    let measures: Vec<(String, String)> =
        if runs(caller) { state.store.datasets().measures().await?.into_iter().map(|m| (m.slug, m.name)).collect() } else { vec![] };
    let months: Vec<(String, String)> =
        std::iter::successors(Some(Month::of(ctx.today)), |m| Some(m.previous())).take(13).map(|m| (m.to_string(), m.label())).collect();
    let kinds: Vec<(String, String)> = vec![
        ("six-monthly".into(), "The six-monthly audit".into()),
        ("triggered".into(), "Triggered by a dataset figure that crossed its threshold".into()),
    ];
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Case-file audits" }
        p class="app-body" {
            "Every six months auditors from the partnership's agencies audit a sample of children's case files: referrals to the MASH, child protection, child in need and MACSE plans. "
            "The sample is drawn with a seed recorded with the round, so the same seed over the same records draws the same children. "
            "An auditor sees the records of the children assigned to them only while the round runs."
        }
        @if rounds.is_empty() {
            p class="app-body" { @if runs(caller) { "No audit round has been opened yet." } @else { "You have no cases to audit." } }
        } @else {
            (ui::scroll_table("Audit rounds", html! {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--m" { "Audit rounds, newest first" }
                    thead class="app-table__head" { tr class="app-table__row" {
                        (th("Round")) (th("Audit days")) (th("Cases graded")) (th("Status"))
                    } }
                    tbody class="app-table__body" {
                        @for (r, n, graded, mine) in &rounds {
                            tr class="app-table__row" {
                                td class="app-table__cell" {
                                    a class="app-link" href={ "/case-audits/" (r.id) } { (r.title) }
                                    @if r.triggered { br; span class="app-body-s" { "Triggered" } }
                                    @if *mine > 0 && runs(caller) { br; span class="app-body-s" { (mine) " assigned to you" } }
                                }
                                td class="app-table__cell" { (ui::date(Some(r.starts_on))) " to " (ui::date(Some(r.ends_on))) }
                                td class="app-table__cell" { @if runs(caller) { (graded) " of " (n) } @else { (mine) " assigned to you" } }
                                td class="app-table__cell" { (status_words(r, ctx.today)) }
                            }
                        }
                    }
                }
            }))
        }
        @if runs(caller) {
            h2 class="app-heading-m" id="open" { "Open an audit round" }
            form method="post" action="/case-audits" novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::radios(Field::new("kind", "Which audit", if f.get("kind").is_empty() { "six-monthly" } else { f.get("kind") }, errors), &kinds, false))
                (ui::text_input(Field::new("title", "Title", f.get("title"), errors).hint("For example, Case-file audit, autumn 2026"), "app-input--width-30"))
                (ui::date_input(Field::new("period_from", "First day of the period to sample", f.get("period_from"), errors)))
                (ui::date_input(Field::new("period_to", "Last day of the period to sample", f.get("period_to"), errors)))
                (ui::date_input(Field::new("starts_on", "The audit starts", f.get("starts_on"), errors).hint("Auditors see their cases' records from this day")))
                (ui::date_input(Field::new("ends_on", "The audit ends", f.get("ends_on"), errors).hint("Their access ends after this day, or when the round is closed (at most 31 days)")))
                (ui::input_of_type(Field::new("per_stratum", "Children to sample of each kind of case", if f.get("per_stratum").is_empty() { "5" } else { f.get("per_stratum") }, errors).hint("From 1 to 25"), "app-input--width-3", "text", None))
                (ui::input_of_type(Field::new("seed", "Seed (optional)", f.get("seed"), errors).hint("A whole number. Leave blank to make one from the title and today; it is recorded with the round either way, so the sample can be drawn again"), "app-input--width-20", "text", None))
                h3 class="app-heading-s" { "For a triggered audit" }
                (ui::select(Field::new("measure", "Measure", f.get("measure"), errors), &ui::options_with_blank("Choose a measure", measures)))
                (ui::select(Field::new("month", "Month", f.get("month"), errors), &ui::options_with_blank("Choose a month", months)))
                (ui::input_of_type(Field::new("threshold", "Threshold", f.get("threshold"), errors).hint("The figure the measure crossed, recorded with the round as its reason"), "app-input--width-10", "text", None))
                (ui::button("Open the round"))
            }
        }
    };
    Ok((status, ui::layout(ctx, "Case-file audits", !errors.is_empty(), content)).into_response())
}

/// POST "/case-audits": open a round, its sample drawn from its seed.
pub async fn open(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let mut typed = unreadable_dates(
        &f,
        &[
            ("period_from", "first day of the period"),
            ("period_to", "last day of the period"),
            ("starts_on", "day the audit starts"),
            ("ends_on", "day the audit ends"),
        ],
    );
    let per_stratum = match f.opt_int("per_stratum") {
        Ok(n) => n,
        Err(_) => {
            typed.add("per_stratum", "Enter how many children to sample of each kind of case as a whole number, like 5");
            None
        }
    };
    let seed = match f.get("seed").trim() {
        "" => None,
        s => match s.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                typed.add("seed", "Enter the seed as a whole number, or leave it blank");
                None
            }
        },
    };
    let trigger = if f.get("kind") == "triggered" {
        let measure = f.get("measure").trim().to_string();
        if measure.is_empty() {
            typed.add("measure", "Choose the measure whose figure crossed its threshold");
        }
        let month = Month::parse(f.get("month"));
        if month.is_none() {
            typed.add("month", "Choose the month of the figure");
        }
        let threshold = f.get("threshold").trim().trim_end_matches('%').parse::<f64>().ok().filter(|t| t.is_finite());
        if threshold.is_none() {
            typed.add("threshold", "Enter the threshold as a number, like 10 or 72.5");
        }
        match (month, threshold) {
            (Some(m), Some(t)) if !measure.is_empty() => Some((measure, m, t)),
            _ => None,
        }
    } else {
        None
    };
    let input = RoundInput {
        title: f.string("title"),
        period_from: f.date("period_from"),
        period_to: f.date("period_to"),
        starts_on: f.date("starts_on"),
        ends_on: f.date("ends_on"),
        seed,
        per_stratum,
    };
    if !typed.is_empty() {
        let errors = match assure_domain::case_audit::check_round(&input, ctx.today) {
            Ok(_) => typed,
            Err(e) => typed.merged(e),
        };
        return list_with(&state, &ctx, &caller, &f, &errors.ordered(ROUND_FIELDS), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.store.case_audits().open_round(&caller.actor(), &input, trigger).await {
        Ok(id) => Ok(done(&format!("/case-audits/{id}"), "audit-round-opened")),
        Err(StoreError::Invalid(e)) => list_with(&state, &ctx, &caller, &f, &e.ordered(ROUND_FIELDS), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// "/case-audits/{id}": the round — its sample with auditors and grades, the actions
/// agreed, and (for those who run it) assigning, adding actions and closing.
pub async fn show(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    show_with(&state, &ctx, &caller, &raw, &Fields(vec![]), &Invalid::new(), StatusCode::OK).await
}

async fn show_with(state: &AppState, ctx: &Ctx, caller: &Caller, raw: &str, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let (round, cases) = visible(state, caller, raw).await?;
    let people = if runs(caller) { state.store.partnership().pathway_people().await? } else { vec![] };
    let name_of = |id: Option<i64>| -> String {
        match id {
            None => "Not assigned".into(),
            Some(id) if id == caller.user.id => format!("{} (you)", caller.user.name),
            Some(id) => people.iter().find(|p| p.user_id == id).map(|p| p.name.clone()).unwrap_or_else(|| format!("Account {id}")),
        }
    };
    let auditors: Vec<(String, String)> = people
        .iter()
        .filter(|p| p.active && p.agency_id.is_some())
        .map(|p| (p.user_id.to_string(), format!("{} ({})", p.name, p.role.label())))
        .collect();
    let actions = match (runs(caller), round.review_id) {
        (true, Some(review)) => state.store.tracker().review_recommendations(review).await?,
        _ => vec![],
    };
    let grades: Vec<(Grade, usize)> = Grade::ALL.iter().map(|g| (*g, cases.iter().filter(|c| c.grade == Some(*g)).count())).collect();
    let rid = round.id;
    let content = html! {
        (ui::breadcrumbs(&[("/case-audits", "Case-file audits")]))
        (ui::error_summary(errors))
        span class="app-caption-l" { @if round.triggered { "Triggered case-file audit" } @else { "Six-monthly case-file audit" } }
        h1 class="app-heading-l" { (round.title) }
        dl class="app-summary-list" {
            (ui::summary_row("Status", html! { (status_words(&round, ctx.today)) }))
            (ui::summary_row("Period sampled", html! { (ui::date(Some(round.period_from))) " to " (ui::date(Some(round.period_to))) }))
            (ui::summary_row("Audit days", html! { (ui::date(Some(round.starts_on))) " to " (ui::date(Some(round.ends_on))) }))
            @if runs(caller) {
                (ui::summary_row("Sample", html! { (round.per_stratum) " of each kind of case, drawn with seed " code data-testid="audit-seed" { (round.seed) } }))
            }
            @if let Some(t) = &round.trigger {
                (ui::summary_row("Why", html! { (t.reason()) }))
            }
        }
        h2 class="app-heading-m" { @if runs(caller) { "The sample" } @else { "Your cases" } }
        (ui::scroll_table("The sampled cases", html! {
            table class="app-table" {
                caption class="app-visually-hidden" { "The sampled cases" }
                thead class="app-table__head" { tr class="app-table__row" {
                    (th("Child's record")) (th("Kind of case")) (th("Auditor")) (th("Grade"))
                } }
                tbody class="app-table__body" {
                    @for c in &cases {
                        tr class="app-table__row" {
                            td class="app-table__cell" {
                                "Record " (c.child_id)
                                @if c.auditor_id == Some(caller.user.id) {
                                    br;
                                    a class="app-link" href={ "/case-audits/" (rid) "/cases/" (c.child_id) } {
                                        @if c.grade.is_some() { "Change the grading" } @else { "Grade this case" }
                                        span class="app-visually-hidden" { ": record " (c.child_id) }
                                    }
                                }
                            }
                            td class="app-table__cell" { (c.stratum.label()) }
                            td class="app-table__cell" { (name_of(c.auditor_id)) }
                            td class="app-table__cell" { (grade_tag(c.grade)) }
                        }
                    }
                }
            }
        }))
        @if runs(caller) {
            h2 class="app-heading-m" { "Grades so far" }
            ul class="app-list" data-testid="audit-grades" {
                @for (g, n) in &grades { li { (g.label()) ": " (n) } }
                li { "Not graded: " (cases.iter().filter(|c| c.grade.is_none()).count()) }
            }
            @if round.open {
                h2 class="app-heading-m" id="assign" { "Assign a case to an auditor" }
                p class="app-body" { "The auditor sees that child's record from the first audit day to the last, or until the round is closed, and every view is recorded." }
                form method="post" action={ "/case-audits/" (rid) "/assign" } novalidate {
                    (ui::csrf(ctx.csrf()))
                    @let children: Vec<(String, String)> = cases.iter().map(|c| (c.child_id.to_string(), format!("Record {} ({}) – {}", c.child_id, c.stratum.label(), name_of(c.auditor_id)))).collect();
                    (ui::select(Field::new("child", "Case", f.get("child"), errors), &ui::options_with_blank("Choose a case", children)))
                    (ui::select(Field::new("auditor", "Auditor", f.get("auditor"), errors), &ui::options_with_blank("Choose an auditor", auditors)))
                    (ui::button("Assign the case"))
                }
            }
            h2 class="app-heading-m" id="actions" { "Actions agreed" }
            p class="app-body" { "Each action becomes a recommendation in the tracker (origin: case-file audit), monitored and reported like any other." }
            @if actions.is_empty() {
                p class="app-body" { "No actions yet." }
            } @else {
                ol class="app-list app-list--number" data-testid="audit-actions" {
                    @for a in &actions { li { (a.committee_wording) @if !a.who_must_act.is_empty() { " – " (a.who_must_act) } } }
                }
            }
            @if round.open {
                form method="post" action={ "/case-audits/" (rid) "/actions" } novalidate {
                    (ui::csrf(ctx.csrf()))
                    (ui::textarea(Field::new("wording", "Action", f.get("wording"), errors).hint("What must be done, as it will read in the tracker"), 3))
                    (ui::text_input(Field::new("who_must_act", "Who must act", f.get("who_must_act"), errors).hint("For example, Head of Children's Social Care"), "app-input--width-30"))
                    (ui::button("Add the action"))
                }
                h2 class="app-heading-m" { "Close the round" }
                p class="app-body" { "Closing ends every auditor's access to the sampled children at once. Grades are final after it." }
                form method="post" action={ "/case-audits/" (rid) "/close" } novalidate {
                    (ui::csrf(ctx.csrf()))
                    input type="hidden" name="version" value=(round.version);
                    (ui::secondary_button("Close the round"))
                }
            }
        }
    };
    Ok((status, ui::layout(ctx, &round.title, !errors.is_empty(), content)).into_response())
}

/// POST "/case-audits/{id}/assign": a case to an auditor on the pathway.
pub async fn assign(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let round_id = id_of(&raw)?;
    let mut errors = Invalid::new();
    let child = f.opt_id("child");
    let auditor = f.opt_id("auditor");
    if child.is_none() {
        errors.add("child", "Choose the case to assign");
    }
    if auditor.is_none() {
        errors.add("auditor", "Choose the auditor");
    }
    let (Some(child), Some(auditor)) = (child, auditor) else {
        return show_with(&state, &ctx, &caller, &raw, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let reader = policy::reader(&state, &caller).await?;
    match state.store.case_audits().assign(&reader, round_id, child, auditor).await {
        Ok(()) => Ok(done(&format!("/case-audits/{round_id}"), "audit-case-assigned")),
        Err(StoreError::Invalid(e)) => show_with(&state, &ctx, &caller, &raw, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(StoreError::NotFound) => {
            show_with(&state, &ctx, &caller, &raw, &f, &Invalid::single("child", "Choose one of the round's cases"), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST "/case-audits/{id}/actions": an action agreed, tracked as a recommendation.
pub async fn add_action(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let round_id = id_of(&raw)?;
    let round = state.store.case_audits().round(round_id).await?;
    let mut errors = Invalid::new();
    if f.get("wording").trim().is_empty() {
        errors.add("wording", "Enter the action agreed");
    }
    if f.get("who_must_act").trim().is_empty() {
        errors.add("who_must_act", "Enter who must act on it");
    }
    if !round.open {
        errors.add("wording", "The round is closed: add actions while it is open");
    }
    if !errors.is_empty() {
        return show_with(&state, &ctx, &caller, &raw, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.store.case_audits().add_action(&caller.actor(), round_id, f.get("wording").trim(), f.get("who_must_act").trim()).await {
        Ok(_) => Ok(done(&format!("/case-audits/{round_id}#actions"), "audit-action-added")),
        Err(StoreError::Invalid(e)) => show_with(&state, &ctx, &caller, &raw, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// POST "/case-audits/{id}/close": the round closes; the auditors' access ends.
pub async fn close(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let round_id = id_of(&raw)?;
    let version = f.version()?;
    match state.store.case_audits().close(&caller.actor(), round_id, version).await {
        Ok(()) => Ok(done(&format!("/case-audits/{round_id}"), "audit-round-closed")),
        Err(StoreError::Invalid(e)) => show_with(&state, &ctx, &caller, &raw, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

fn grade_options() -> Vec<(String, String)> {
    Grade::ALL.iter().map(|g| (g.slug().to_string(), g.label().to_string())).collect()
}

/// "/case-audits/{id}/cases/{child}": the audit tool for a case assigned to the caller.
pub async fn case_page(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, child)): Path<(String, String)>) -> PageResult {
    case_with(&state, &ctx, &caller, &raw, &child, None, &Invalid::new(), StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
async fn case_with(
    state: &AppState,
    ctx: &Ctx,
    caller: &Caller,
    raw: &str,
    child: &str,
    typed: Option<&Fields>,
    errors: &Invalid,
    status: StatusCode,
) -> PageResult {
    let (round, cases) = visible(state, caller, raw).await?;
    let child_id = id_of(child)?;
    let case = cases.into_iter().find(|c| c.child_id == child_id && c.auditor_id == Some(caller.user.id)).ok_or(AppError::NotFound)?;
    let value = |name: &str, stored: String| -> String { typed.map(|f| f.get(name).to_string()).unwrap_or(stored) };
    let rid = round.id;
    let content = html! {
        (ui::breadcrumbs(&[("/case-audits", "Case-file audits"), (&format!("/case-audits/{rid}"), round.title.as_str())]))
        (ui::error_summary(errors))
        span class="app-caption-l" { (case.stratum.label()) }
        h1 class="app-heading-l" { "Audit of record " (child_id) }
        p class="app-body" {
            a class="app-link" href={ "/children/" (child_id) } { "Open the child's record" }
            " (you may see it until " (ui::date(Some(round.ends_on))) " or until the round is closed; every view is recorded)."
        }
        @if !round.open {
            p class="app-body" { strong { "The round is closed: the grades are final." } }
        }
        form method="post" action={ "/case-audits/" (rid) "/cases/" (child_id) } novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(case.version);
            @for (i, q) in round.questions.iter().enumerate() {
                @let name = format!("q{}", i + 1);
                @let stored = case.answers.iter().find(|(x, _)| x == q).map(|(_, g)| g.slug().to_string()).unwrap_or_default();
                (ui::radios(Field::new(&name, q, &value(&name, stored), errors), &grade_options(), false))
            }
            (ui::radios(Field::new("grade", "Overall grade for the case", &value("grade", case.grade.map(|g| g.slug().to_string()).unwrap_or_default()), errors), &grade_options(), false))
            (ui::textarea(Field::new("findings", "Findings", &value("findings", case.findings.clone()), errors).hint("What the file shows, good and bad, for the round's report. No child's name is needed: the record number identifies the case."), 6))
            @if round.open { (ui::button("Save the grading")) }
        }
    };
    Ok((status, ui::layout(ctx, &format!("Audit of record {child_id}"), !errors.is_empty(), content)).into_response())
}

/// POST "/case-audits/{id}/cases/{child}": the auditor's grades and findings.
pub async fn grade(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, child)): Path<(String, String)>, f: Fields) -> PageResult {
    let (round, _) = visible(&state, &caller, &raw).await?;
    let child_id = id_of(&child)?;
    let version = f.version()?;
    let mut errors = Invalid::new();
    let mut answers = Vec::new();
    for (i, q) in round.questions.iter().enumerate() {
        let name = format!("q{}", i + 1);
        match Grade::from_slug(f.get(&name)) {
            Some(g) => answers.push((q.clone(), g)),
            None => errors.add(&name, format!("Grade question {}: {q}", i + 1)),
        }
    }
    let overall = Grade::from_slug(f.get("grade"));
    if overall.is_none() {
        errors.add("grade", "Choose the overall grade for the case");
    }
    if f.get("findings").chars().count() > 5000 {
        errors.add("findings", "Findings must be 5,000 characters or fewer");
    }
    let Some(overall) = overall.filter(|_| errors.is_empty()) else {
        return case_with(&state, &ctx, &caller, &raw, &child, Some(&f), &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let reader = policy::reader(&state, &caller).await?;
    match state.store.case_audits().grade(&reader, round.id, child_id, version, &answers, overall, f.get("findings")).await {
        Ok(()) => Ok(done(&format!("/case-audits/{}", round.id), "audit-case-graded")),
        Err(StoreError::Invalid(e)) => case_with(&state, &ctx, &caller, &raw, &child, Some(&f), &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(StoreError::Forbidden) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}
