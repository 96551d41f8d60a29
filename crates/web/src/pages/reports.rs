//! Monitoring reports as committee papers: prepare a draft for a meeting, edit its
//! cover, download it (DOCX, PDF, XLSX, CSV, print view), issue it (frozen), and
//! compare it with an earlier report.

use assure_documents::{render, Format};
use assure_domain::dates::{iso, long};
use assure_domain::report::{
    change_lines, check_draft, check_new_report, Cover, DraftInput, EqualityOption, Layout, MonitoringReport, ReportDiff, ReportInput,
};
use assure_domain::tracker::TagColour;
use assure_domain::{Invalid, Permission};
use assure_storage::reports::ReportRecord;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde::Deserialize;

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, refused, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

/// Drafts are working papers: only those who prepare reports see them.
async fn visible_report(state: &AppState, ctx: &Ctx, rid: i64) -> Result<ReportRecord, AppError> {
    let r = state.store.reports().get(rid).await?;
    if !r.is_issued() && !ctx.can(Permission::ManageTracker) {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

fn status_tag(r: &ReportRecord) -> Markup {
    match r.issue {
        Some(n) => ui::tag(&format!("Issued: issue {n}"), TagColour::Green),
        None => ui::tag("Draft", TagColour::Grey),
    }
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let manage = ctx.can(Permission::ManageTracker);
    let reports: Vec<ReportRecord> = state.store.reports().list(None).await?.into_iter().filter(|r| manage || r.is_issued()).collect();
    let content = html! {
        h1 class="app-heading-l" { "Monitoring reports" }
        p class="app-body" { "Reports to committees on progress against recommendations. An issued report is kept exactly as it was sent, so anyone can see what members were told." }
        @if manage { p class="app-body" { a class="app-button" href="/reports/new" role="button" draggable="false" { "Prepare a monitoring report" } } }
        @if reports.is_empty() {
            p class="app-body" { "No reports yet." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Monitoring reports" {
            table class="app-table" {
                caption class="app-table__caption app-visually-hidden" { "Monitoring reports" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Meeting" }
                    th class="app-table__header" scope="col" { "Review or committee" }
                    th class="app-table__header" scope="col" { "Layout" }
                    th class="app-table__header" scope="col" { "Status" }
                } }
                tbody class="app-table__body" {
                    @for r in &reports {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/reports/" (r.id) } { (long(r.meeting_date)) } }
                            td class="app-table__cell" { (r.scope_label()) }
                            td class="app-table__cell" { (r.layout.label()) }
                            td class="app-table__cell" { (status_tag(r)) }
                        }
                    }
                }
            }
            }
        }
    };
    Ok(ui::layout(&ctx, "Monitoring reports", false, content).into_response())
}

async fn new_form(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let reviews = state.store.tracker().review_titles().await?;
    let bodies = state.store.tracker().bodies().await?;
    let layouts: Vec<(String, String)> = Layout::ALL.iter().map(|l| (l.slug().to_string(), l.label().to_string())).collect();
    let layout = if f.get("layout").is_empty() { Layout::ProgressMade.slug() } else { f.get("layout") };
    let content = html! {
        (ui::back_link("/reports", "Back to monitoring reports"))
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Prepare a monitoring report" }
        p class="app-body" { "Choose what the report covers and the meeting it goes to. Assure fills in the cover and the progress table; you can edit the cover before you issue it." }
        form method="post" action="/reports" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::select(Field::new("review_id", "Review", f.get("review_id"), errors).hint("The review whose recommendations the report covers"),
                &ui::options_with_blank("Select a review", reviews.iter().map(|(i, t)| (i.to_string(), t.clone())))))
            (ui::select(Field::new("body_id", "Committee (optional with a review)", f.get("body_id"), errors).hint("Without a review: every recommendation this committee monitors"),
                &ui::options_with_blank("Select a committee", bodies.iter().map(|b| (b.id.to_string(), b.name.clone())))))
            (ui::date_input(Field::new("meeting_date", "Date of the meeting", f.get("meeting_date"), errors)))
            (ui::radios(Field::new("layout", "Layout of the progress table", layout, errors), &layouts, false))
            (ui::button("Prepare the draft"))
        }
    };
    Ok((status, ui::layout(ctx, "Prepare a monitoring report", !errors.is_empty(), content)).into_response())
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    review: Option<String>,
    body: Option<String>,
    meeting: Option<String>,
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NewQuery>) -> PageResult {
    let f = Fields(vec![
        ("review_id".into(), q.review.unwrap_or_default()),
        ("body_id".into(), q.body.unwrap_or_default()),
        ("meeting_date".into(), q.meeting.and_then(|m| assure_domain::dates::parse_user(&m)).map(assure_domain::dates::numeric).unwrap_or_default()),
    ]);
    new_form(&state, &ctx, &f, &Invalid::new(), StatusCode::OK).await
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let mut typed = Invalid::new();
    if let Some(m) = f.date_problem("meeting_date", "The date of the meeting") {
        typed.add("meeting_date", m);
    } else if !f.get("meeting_date").trim().is_empty() && f.date("meeting_date").is_none() {
        typed.add("meeting_date", "The date of the meeting must be a real date, for example 16 1 2018");
    }
    // The layout radios always send one; anything else gets the default layout.
    let input = ReportInput {
        review_id: f.opt_id("review_id"),
        body_id: f.opt_id("body_id"),
        meeting_date: f.date("meeting_date"),
        layout: Layout::from_slug(f.get("layout")),
    };
    let result = match refused(typed, || check_new_report(&input), ReportInput::FIELDS) {
        Some(i) => Err(AppError::Invalid(i)),
        None => state.store.reports().create(&caller.actor(), &input).await.map_err(AppError::from),
    };
    match result {
        Ok(rid) => Ok(done(&format!("/reports/{rid}"), "report-created")),
        Err(AppError::Invalid(e)) => new_form(&state, &ctx, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// The report's page: what it is, its downloads, a preview of its summary and
/// table, and (for drafts) editing and issuing.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let r = visible_report(&state, &ctx, id(&raw)?).await?;
    let report = state.store.reports().monitoring_report(r.id, ctx.today).await?;
    let others: Vec<ReportRecord> = state
        .store
        .reports()
        .in_scope(&r)
        .await?
        .into_iter()
        .filter(|o| o.id != r.id && (o.is_issued() || ctx.can(Permission::ManageTracker)))
        .collect();
    let manage = ctx.can(Permission::ManageTracker) && !r.is_issued();
    let content = html! {
        (ui::breadcrumbs(&[("/reports", "Monitoring reports")]))
        span class="app-caption-l" { (r.scope_label()) }
        h1 class="app-heading-l" { "Monitoring report for " (long(r.meeting_date)) }
        dl class="app-summary-list" {
            (ui::summary_row("Status", status_tag(&r)))
            @if let (Some(at), Some(by)) = (&r.issued_at, &r.issued_by) {
                (ui::summary_row("Issued", html! { (at.get(..10).and_then(assure_domain::dates::parse_iso).map(long).unwrap_or_else(|| at.clone())) " by " (by) }))
            }
            @if let Some(sha) = &r.snapshot_sha256 {
                (ui::summary_row("Snapshot fingerprint", html! { code { (sha.get(..16).unwrap_or(sha)) } }))
            }
            (ui::summary_row("Report to", ui::prose(&report.cover.report_to)))
            (ui::summary_row("Subject", html! { (report.cover.subject) }))
            (ui::summary_row("Report of", html! { (report.cover.report_of) }))
            (ui::summary_row("Layout", html! { (r.layout.label()) }))
            (ui::summary_row("Changes appendix", html! {
                @if report.changes.is_some() { "Included: " (report.changes.as_ref().map(|c| c.from.clone()).unwrap_or_default()) } @else { "Not included" }
            }))
        }
        @if manage {
            p class="app-body" { a class="app-button app-button--secondary" href={ "/reports/" (r.id) "/cover" } role="button" draggable="false" { "Edit the cover" } }
        }
        @if !r.is_issued() && r.meeting_date < ctx.today - chrono::Days::new(31) {
            (ui::important_banner("This meeting has passed", html! {
                p class="app-body" { "The progress table includes only updates dated up to " (long(r.meeting_date)) ", but statuses, RAG ratings and action dates are as they are today." }
            }))
        }
        h2 class="app-heading-m" { "Download" }
        @if !r.is_issued() { p class="app-body" { "This is a draft: the downloads show the tracker as it is now. Once issued, the report never changes." } }
        ul class="app-list" {
            @for f in Format::ALL {
                li { a class="app-link" href={ "/reports/" (r.id) "/download/" (f.extension()) } { (f.label()) } }
            }
        }
        (summary_table(&report))
        h2 class="app-heading-m" { "Progress table" }
        (preview(&report))
        @if !others.is_empty() {
            h2 class="app-heading-m" { "Compare with another report" }
            ul class="app-list" {
                @for o in &others {
                    li { a class="app-link" href={ "/reports/" (r.id) "/compare?with=" (o.id) } { "What changed between " (o.describe()) " and this report" } }
                }
            }
        }
        @if manage {
            h2 class="app-heading-m" { "Issue the report" }
            p class="app-body" { "Issuing freezes the report: exactly what it says, with the updates it includes, is kept and can be compared with later reports. It cannot be edited afterwards." }
            form method="post" action={ "/reports/" (r.id) "/issue" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(r.version);
                (ui::button("Issue the report"))
            }
            form method="post" action={ "/reports/" (r.id) "/delete" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(r.version);
                (ui::secondary_button("Delete this draft"))
            }
        }
    };
    Ok(ui::layout(&ctx, &format!("Monitoring report for {}", long(r.meeting_date)), false, content).into_response())
}

fn summary_table(report: &MonitoringReport) -> Markup {
    html! {
        h2 class="app-heading-m" { "Summary" }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Summary of the recommendations" {
        table class="app-table" {
            caption class="app-table__caption app-visually-hidden" { "Summary of the recommendations" }
            thead class="app-table__head" { tr class="app-table__row" {
                th class="app-table__header" scope="col" { "Measure" }
                th class="app-table__header app-table__header--numeric" scope="col" { "Number" }
            } }
            tbody class="app-table__body" {
                @for (label, n) in report.summary.lines() {
                    tr class="app-table__row" {
                        th class="app-table__header" scope="row" { (label) }
                        td class="app-table__cell app-table__cell--numeric" { (n) }
                    }
                }
            }
        }
        }
    }
}

/// The progress table as the report's layout has it: "Recommendation | Progress
/// made", or the RAG tracker's six columns (its progress under each action).
fn preview(report: &MonitoringReport) -> Markup {
    let rag_tracker = report.layout == Layout::RagTracker;
    let outcome_column = report.has_outcomes();
    html! {
        div class="app-table-wrapper" tabindex="0" role="region" aria-label=(report.title) {
        table class="app-table" {
            caption class="app-table__caption app-visually-hidden" { (report.title) }
            thead class="app-table__head" { tr class="app-table__row" {
                @for h in report.headings() { th class="app-table__header" scope="col" { (h) } }
            } }
            tbody class="app-table__body" {
                @for row in &report.rows {
                    tr class="app-table__row" {
                        td class="app-table__cell" {
                            strong { (row.label) " " } (row.wording) br; span class="app-hint" { (row.reference) }
                            @if rag_tracker { br; (ui::lifecycle_tag(row.lifecycle)) }
                        }
                        @if rag_tracker {
                            td class="app-table__cell" {
                                @if row.lead_officers.is_empty() { "Not assigned" }
                                @for l in &row.lead_officers { p class="app-body-s" { (l) } }
                            }
                            td class="app-table__cell" {
                                @if row.actions.is_empty() { p class="app-body-s" { "No actions recorded." } }
                                @for a in &row.actions { p class="app-body-s" { (a.text) @if a.done { " (completed)" } } }
                                @for u in &row.updates { p class="app-body-s" { strong { (long(u.date)) ": " } (u.narrative) } }
                            }
                            td class="app-table__cell" {
                                @if row.actions.is_empty() { "Not set" }
                                @for a in &row.actions { p class="app-body-s" { (a.date_text) } }
                            }
                            td class="app-table__cell" { @if row.outcome.trim().is_empty() { "Not stated" } @else { (row.outcome) } }
                            td class="app-table__cell" { (ui::rec_rag_tag(row.rag, row.rag_suggested)) }
                        } @else {
                            td class="app-table__cell" {
                                @for u in &row.updates { p class="app-body-s" { strong { (long(u.date)) ": " } (u.narrative) } }
                                @if row.updates.is_empty() { p class="app-body-s" { "No update has been provided." } }
                                @for a in &row.actions { p class="app-body-s" { (a.text) " — " (a.date_text) } }
                                p class="app-body-s" { (ui::lifecycle_tag(row.lifecycle)) " " (ui::rec_rag_tag(row.rag, row.rag_suggested)) }
                            }
                        }
                        @if outcome_column {
                            td class="app-table__cell" {
                                @if row.outcomes.is_empty() { p class="app-body-s" { "No measure named." } }
                                @for o in &row.outcomes {
                                    p class="app-body-s" { (o.text) }
                                    @if let Some(b) = o.band { (ui::band_tag(b)) }
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

fn cover_fields(c: &Cover, r: &ReportRecord) -> Fields {
    let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
    let mut f = Fields(vec![
        ("version".into(), r.version.to_string()),
        ("layout".into(), r.layout.slug().into()),
        ("include_changes".into(), yn(r.include_changes)),
        ("compare_with_id".into(), r.compare_with_id.map(|i| i.to_string()).unwrap_or_default()),
    ]);
    f.0.extend(fields_of_cover(c).0);
    f
}

/// A cover's fields as the cover form sends them (for any report written on the
/// council's cover: a monitoring report's, or an agenda item's own paper).
pub(crate) fn fields_of_cover(c: &Cover) -> Fields {
    let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
    Fields(vec![
        ("report_to".into(), c.report_to.clone()),
        ("meeting_date".into(), c.meeting_date.map(assure_domain::dates::numeric).unwrap_or_default()),
        ("subject".into(), c.subject.clone()),
        ("report_of".into(), c.report_of.clone()),
        ("wards_affected".into(), c.wards_affected.clone()),
        ("portfolio".into(), c.portfolio.clone()),
        ("key_decision".into(), yn(c.key_decision)),
        ("in_forward_plan".into(), yn(c.in_forward_plan)),
        ("exempt".into(), yn(c.exempt)),
        ("purpose".into(), c.purpose.clone()),
        ("recommendation".into(), c.recommendation.clone()),
        ("reasons".into(), c.reasons.clone()),
        ("alternative_options".into(), c.alternative_options.clone()),
        ("revenue_costs".into(), c.revenue_costs.clone()),
        ("capital_costs".into(), c.capital_costs.clone()),
        ("implications_financial".into(), c.implications_financial.clone()),
        ("implications_legal".into(), c.implications_legal.clone()),
        ("implications_hr".into(), c.implications_hr.clone()),
        ("equality".into(), c.equality.slug().into()),
        ("corporate_objectives".into(), c.corporate_objectives.clone()),
        ("consultations".into(), c.consultations.clone()),
        ("finance_ref".into(), c.finance_ref.clone()),
        ("legal_ref".into(), c.legal_ref.clone()),
        ("implementation_date".into(), c.implementation_date.clone()),
        ("contact_name".into(), c.contact_name.clone()),
        ("contact_phone".into(), c.contact_phone.clone()),
        ("contact_email".into(), c.contact_email.clone()),
        ("appendices".into(), c.appendices.clone()),
        ("background_papers".into(), c.background_papers.clone()),
        ("introduction".into(), c.introduction.clone()),
    ])
}

/// The cover typed into the form; yes/no questions must be answered.
pub(crate) fn cover_from(f: &Fields) -> (Cover, Invalid) {
    let mut v = Invalid::new();
    let mut yn = |name: &str, question: &str| {
        f.yes_no(name).unwrap_or_else(|| {
            v.add(name, format!("Select yes or no: {question}"));
            false
        })
    };
    let key_decision = yn("key_decision", "is this a key decision?");
    let in_forward_plan = yn("in_forward_plan", "is it in the forward plan?");
    let exempt = yn("exempt", "is the report exempt or confidential?");
    if let Some(m) = f.date_problem("meeting_date", "The date of the meeting") {
        v.add("meeting_date", m);
    } else if !f.get("meeting_date").trim().is_empty() && f.date("meeting_date").is_none() {
        v.add("meeting_date", "The date of the meeting must be a real date, for example 16 1 2018");
    }
    let equality = EqualityOption::from_slug(f.get("equality")).unwrap_or_else(|| {
        v.add("equality", "Select the equality implication");
        EqualityOption::None
    });
    let cover = Cover {
        report_to: f.string("report_to"),
        meeting_date: f.date("meeting_date"),
        subject: f.string("subject"),
        report_of: f.string("report_of"),
        wards_affected: f.string("wards_affected"),
        portfolio: f.string("portfolio"),
        key_decision,
        in_forward_plan,
        exempt,
        purpose: f.string("purpose"),
        recommendation: f.string("recommendation"),
        reasons: f.string("reasons"),
        alternative_options: f.string("alternative_options"),
        revenue_costs: f.string("revenue_costs"),
        capital_costs: f.string("capital_costs"),
        implications_financial: f.string("implications_financial"),
        implications_legal: f.string("implications_legal"),
        implications_hr: f.string("implications_hr"),
        equality,
        corporate_objectives: f.string("corporate_objectives"),
        consultations: f.string("consultations"),
        finance_ref: f.string("finance_ref"),
        legal_ref: f.string("legal_ref"),
        implementation_date: f.string("implementation_date"),
        contact_name: f.string("contact_name"),
        contact_phone: f.string("contact_phone"),
        contact_email: f.string("contact_email"),
        appendices: f.string("appendices"),
        background_papers: f.string("background_papers"),
        introduction: f.string("introduction"),
    };
    (cover, v)
}

async fn cover_form(state: &AppState, ctx: &Ctx, r: &ReportRecord, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let others: Vec<ReportRecord> = state.store.reports().in_scope(r).await?.into_iter().filter(|o| o.id != r.id).collect();
    let yes_no = vec![("yes".to_string(), "Yes".to_string()), ("no".to_string(), "No".to_string())];
    let layouts: Vec<(String, String)> = Layout::ALL.iter().map(|l| (l.slug().to_string(), l.label().to_string())).collect();
    let content = html! {
        (ui::back_link(&format!("/reports/{}", r.id), "Back to the report"))
        (ui::error_summary(errors))
        span class="app-caption-l" { (r.scope_label()) }
        h1 class="app-heading-l" { "Edit the cover" }
        form method="post" action={ "/reports/" (r.id) "/cover" } novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(f.get("version"));
            (cover_inputs(f, errors))
            h2 class="app-heading-m" { "Layout and comparison" }
            (ui::radios(Field::new("layout", "Layout of the progress table", f.get("layout"), errors), &layouts, false))
            (ui::radios(Field::new("include_changes", "Include an appendix of what changed since an earlier report?", f.get("include_changes"), errors), &yes_no, true))
            (ui::select(Field::new("compare_with_id", "Earlier report to compare with", f.get("compare_with_id"), errors),
                &ui::options_with_blank("None", others.iter().map(|o| (o.id.to_string(), o.describe())))))
            (ui::button("Save the cover"))
        }
    };
    Ok((status, ui::layout(ctx, "Edit the cover", !errors.is_empty(), content)).into_response())
}

/// The council's report cover as form fields, in the template's order (the cover form
/// of a monitoring report, and of an agenda item's own paper).
pub(crate) fn cover_inputs(f: &Fields, errors: &Invalid) -> maud::Markup {
    let yes_no = vec![("yes".to_string(), "Yes".to_string()), ("no".to_string(), "No".to_string())];
    let equality: Vec<(String, String)> = EqualityOption::ALL.iter().map(|e| (e.slug().to_string(), e.label().to_string())).collect();
    let t = |name: &'static str, label: &'static str| ui::text_input(Field::new(name, label, f.get(name), errors), "app-input--width-30");
    let a = |name: &'static str, label: &'static str, rows: u32| ui::textarea(Field::new(name, label, f.get(name), errors), rows);
    html! {
            h2 class="app-heading-m" { "The report" }
            (ui::textarea(Field::new("report_to", "Report to", f.get("report_to"), errors).hint("One line for each committee, with the date of its meeting"), 3))
            (ui::date_input(Field::new("meeting_date", "Date of meeting", f.get("meeting_date"), errors)))
            (t("subject", "Subject"))
            (t("report_of", "Report of"))
            (t("wards_affected", "Wards affected"))
            (t("portfolio", "Portfolio"))
            (ui::radios(Field::new("key_decision", "Is this a key decision?", f.get("key_decision"), errors), &yes_no, true))
            (ui::radios(Field::new("in_forward_plan", "Is it included in the Forward Plan?", f.get("in_forward_plan"), errors), &yes_no, true))
            (ui::radios(Field::new("exempt", "Is the report exempt or confidential?", f.get("exempt"), errors), &yes_no, true))
            h2 class="app-heading-m" { "Summary and recommendation" }
            (a("purpose", "Purpose/summary", 3))
            (a("recommendation", "Recommendation(s)", 3))
            (a("reasons", "Reasons for the recommendation(s)", 3))
            (a("alternative_options", "Alternative options considered and rejected", 3))
            h2 class="app-heading-m" { "Costs and implications" }
            (a("revenue_costs", "(A) Revenue costs", 3))
            (a("capital_costs", "(B) Capital costs", 3))
            (a("implications_financial", "Financial implications", 2))
            (a("implications_legal", "Legal implications", 2))
            (a("implications_hr", "Human resources implications", 2))
            (ui::radios(Field::new("equality", "Equality", f.get("equality"), errors), &equality, false))
            (a("corporate_objectives", "Contribution to the council's core purpose", 4))
            h2 class="app-heading-m" { "Consultations and contact" }
            (a("consultations", "Consultations", 3))
            (ui::text_input(Field::new("finance_ref", "Finance reference", f.get("finance_ref"), errors).hint("For example, FD 4974/17"), "app-input--width-10"))
            (ui::text_input(Field::new("legal_ref", "Legal reference", f.get("legal_ref"), errors).hint("For example, LD 4259/17"), "app-input--width-10"))
            (t("implementation_date", "Implementation date"))
            (t("contact_name", "Contact officer"))
            (ui::text_input(Field::new("contact_phone", "Contact officer's telephone", f.get("contact_phone"), errors), "app-input--width-20"))
            (ui::input_of_type(Field::new("contact_email", "Contact officer's email", f.get("contact_email"), errors), "app-input--width-30", "email", Some("email")))
            (a("appendices", "Appendices", 2))
            (a("background_papers", "Background papers", 2))
            (a("introduction", "Introduction/background", 5))
    }
}

pub async fn cover_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let r = visible_report(&state, &ctx, id(&raw)?).await?;
    if r.is_issued() {
        return Err(AppError::BadRequest("This report has been issued and can no longer change. Prepare a new report for the next meeting.".into()));
    }
    cover_form(&state, &ctx, &r, &cover_fields(&r.cover, &r), &Invalid::new(), StatusCode::OK).await
}

pub async fn cover_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let r = visible_report(&state, &ctx, id(&raw)?).await?;
    if r.is_issued() {
        return Err(AppError::BadRequest("This report has been issued and can no longer change. Prepare a new report for the next meeting.".into()));
    }
    // The cover's yes/no questions unanswered and an unreadable date are the page's to
    // see; the domain's checks (and the store's) say the rest, all at once.
    let (cover, typed) = cover_from(&f);
    let input = DraftInput {
        cover,
        layout: Layout::from_slug(f.get("layout")),
        include_changes: f.yes_no("include_changes"),
        compare_with_id: f.opt_id("compare_with_id"),
    };
    let result = match refused(typed, || check_draft(&input, r.is_issued()), DraftInput::FIELDS) {
        Some(i) => Err(AppError::Invalid(i)),
        None => state.store.reports().save(&caller.actor(), r.id, f.version()?, &input).await.map_err(AppError::from),
    };
    match result {
        Ok(()) => Ok(done(&format!("/reports/{}", r.id), "report-saved")),
        Err(AppError::Invalid(e)) => cover_form(&state, &ctx, &r, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn issue(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let r = visible_report(&state, &ctx, id(&raw)?).await?;
    match state.store.reports().issue(&caller.actor(), r.id, f.version()?, ctx.today).await {
        Ok(_) => Ok(done(&format!("/reports/{}", r.id), "report-issued")),
        // An incomplete cover: show the cover form with what is missing (and anything else).
        Err(assure_storage::StoreError::Invalid(e)) if e.errors.iter().any(|x| x.field != "report") => {
            cover_form(&state, &ctx, &r, &cover_fields(&r.cover, &r), &e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let r = visible_report(&state, &ctx, id(&raw)?).await?;
    state.store.reports().delete_draft(&caller.actor(), r.id, f.version()?).await?;
    Ok(done("/reports", "report-deleted"))
}

/// A download in any format; audited. Rendering (and LibreOffice for PDF) runs off
/// the async workers.
pub async fn download(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, ext)): Path<(String, String)>) -> PageResult {
    let r = visible_report(&state, &ctx, id(&raw)?).await?;
    let format = Format::from_extension(&ext).ok_or(AppError::NotFound)?;
    let report = state.store.reports().monitoring_report(r.id, ctx.today).await?;
    let stem = report.file_stem();
    let style = assure_documents::html::style_text(report.layout);
    let bytes = tokio::task::spawn_blocking(move || render(&report, format))
        .await
        .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
        .map_err(AppError::from)?;
    state.store.reports().record_export(&caller.actor(), r.id, format.extension()).await?;
    let disposition = if format == Format::Html {
        format!("inline; filename=\"{stem}.html\"")
    } else {
        format!("attachment; filename=\"{stem}.{}\"", format.extension())
    };
    let mut response =
        ([(header::CONTENT_TYPE, format.content_type().to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response();
    if format == Format::Html {
        // The print view carries its stylesheet (so it prints the same saved to
        // disk); the browser is told to apply exactly that style element.
        let csp = crate::security::csp_with_style(&style);
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_str(&csp).map_err(|e| AppError::Internal(e.to_string()))?);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct CompareQuery {
    with: Option<String>,
}

pub async fn compare(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>, Query(q): Query<CompareQuery>) -> PageResult {
    let r = visible_report(&state, &ctx, id(&raw)?).await?;
    let other_id = q.with.as_deref().and_then(|w| w.parse().ok()).ok_or_else(|| AppError::BadRequest("Choose a report to compare with.".into()))?;
    let other = visible_report(&state, &ctx, other_id).await?;
    let d = state.store.reports().compare(r.id, other.id, ctx.today).await?;
    let content = html! {
        (ui::back_link(&format!("/reports/{}", r.id), "Back to the report"))
        span class="app-caption-l" { (r.scope_label()) }
        h1 class="app-heading-l" { "What changed" }
        p class="app-body-l" { "From " (d.from) " to " (d.to) "." }
        (changes(&d))
    };
    Ok(ui::layout(&ctx, "What changed", false, content).into_response())
}

pub fn changes(d: &ReportDiff) -> Markup {
    html! {
        @if d.changes.is_empty() {
            p class="app-body" { "Nothing changed between these reports." }
        } @else {
            p class="app-body" { (d.changes.len()) " recommendation" @if d.changes.len() != 1 { "s" } " changed." }
            @for c in &d.changes {
                div class="app-summary-card" {
                    h2 class="app-heading-s" { (c.label) " " (c.reference) }
                    p class="app-body-s" { (super::dashboard::truncate(&c.wording, 200)) }
                    ul class="app-list app-list--bullet" {
                        @for line in change_lines(c) { li { (line) } }
                    }
                }
            }
        }
    }
}

/// The stylesheet of the print view.
pub async fn print_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], assure_documents::html::PRINT_CSS)
}

/// The meeting date as an ISO string for links from the schedule.
pub fn new_report_link(review_id: i64, meeting: chrono::NaiveDate) -> String {
    format!("/reports/new?review={review_id}&meeting={}", iso(meeting))
}
