//! A child's MACSE plan: the current version with the sections the viewer may see,
//! earlier versions and what changed, the form for a new version, and downloads.
//! The Prosecute section goes through `plan::visible_for` / `plan::for_export` on every
//! path: a SPOC or practitioner never sees it, not even its heading.

use std::collections::HashMap;

use assure_documents::docx::{self, Part};
use assure_documents::spreadsheet::table_csv;
use assure_domain::partnership::{Section, Viewer};
use assure_domain::plan::{self, action_field, heading, ActionStatus, PlanAction, PlanDiff, PlanVersion, SectionText, PLAN_SECTIONS};
use assure_domain::{Invalid, Permission};
use assure_storage::children::Child;
use assure_storage::ChildRecord;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde::Deserialize;

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

/// Blank action rows offered on the form below the existing ones (no JavaScript to add more).
const BLANK_ROWS: usize = 4;

/// Open a child's plan: the profile section (audited), and the Prosecute section
/// (audited separately) only for those who may see it.
pub(crate) async fn open(state: &AppState, caller: &Caller, cid: i64) -> Result<ChildRecord, AppError> {
    let record = policy::child(state, caller, cid, Section::Profile).await?;
    if record.may_see(Section::Prosecute) {
        policy::child(state, caller, cid, Section::Prosecute).await?;
    }
    Ok(record)
}

fn name(c: &Child) -> String {
    format!("{} {}", c.first_name, c.last_name)
}

async fn agency_names(state: &AppState) -> Result<HashMap<i64, String>, AppError> {
    Ok(state.store.partnership().agencies().await?.into_iter().map(|a| (a.id, a.name)).collect())
}

/// The sections a viewer's pages show, in order (the same rule `visible_for` applies).
pub(crate) fn shown_sections(viewer: &Viewer) -> Vec<Section> {
    PLAN_SECTIONS.iter().copied().filter(|s| viewer.may_see_section(*s)).collect()
}

fn render_version(v: &PlanVersion, viewer: &Viewer, agencies: &HashMap<i64, String>) -> Markup {
    html! {
        dl class="app-summary-list" {
            (ui::summary_row("Version", html! { (v.number) }))
            (ui::summary_row("Panel", html! { (ui::date(v.panel_date)) }))
            (ui::summary_row("Review date", html! { (ui::date(v.review_date)) }))
        }
        @for s in shown_sections(viewer) {
            section class="app-plan-section" id={ "section-" (s.slug()) } {
                h2 class="app-heading-m" { (heading(s)) }
                @let text = v.discussion(s);
                @if text.trim().is_empty() { p class="app-body app-hint" { "No discussion recorded." } } @else { (ui::prose(text)) }
                @let actions: Vec<&PlanAction> = v.actions_in(s).collect();
                @if actions.is_empty() {
                    p class="app-body-s" { "No actions." }
                } @else {
                    div class="app-table-wrapper" tabindex="0" role="region" aria-label="Actions" {
                    table class="app-table" {
                        caption class="app-table__caption app-table__caption--s" { (heading(s)) " actions" }
                        thead class="app-table__head" { tr class="app-table__row" {
                            th class="app-table__header" scope="col" { "Action" }
                            th class="app-table__header" scope="col" { "Owner" }
                            th class="app-table__header" scope="col" { "Agency" }
                            th class="app-table__header" scope="col" { "Due" }
                            th class="app-table__header" scope="col" { "Status" }
                        } }
                        tbody class="app-table__body" {
                            @for a in actions {
                                tr class="app-table__row" {
                                    td class="app-table__cell" { (a.text) }
                                    td class="app-table__cell" { (a.owner) }
                                    td class="app-table__cell" { (a.agency_id.and_then(|i| agencies.get(&i).cloned()).unwrap_or_default()) }
                                    td class="app-table__cell" { (ui::date(a.due)) }
                                    td class="app-table__cell" { (a.status.label()) }
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

pub async fn show(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let cid = id(&raw)?;
    let record = open(&state, &caller, cid).await?;
    let (viewer, child) = (record.viewer(), record.child());
    let current = record.plan().await?;
    let versions = record.plan_versions().await?;
    let agencies = agency_names(&state).await?;
    let police_export = viewer.exportable_sections(true).contains(&Section::Prosecute);
    let content = html! {
        span class="app-caption-l" { (name(child)) }
        h1 class="app-heading-l" { "MACSE plan" }
        @match &current {
            None => p class="app-body" { "There is no MACSE plan for this young person yet." },
            Some(v) => {
                (render_version(v, viewer, &agencies))
                h2 class="app-heading-m" { "Download" }
                p class="app-body" { "Each download is recorded in the young person's access log." }
                ul class="app-list" {
                    li { a class="app-link" href={ "/children/" (cid) "/plan/download/docx" } { "Word (DOCX)" } }
                    li { a class="app-link" href={ "/children/" (cid) "/plan/download/csv" } { "CSV" } }
                    @if police_export {
                        li { a class="app-link" href={ "/children/" (cid) "/plan/download/docx?police=1" } { "Police export with the Prosecute section (Word)" } }
                        li { a class="app-link" href={ "/children/" (cid) "/plan/download/csv?police=1" } { "Police export with the Prosecute section (CSV)" } }
                    }
                }
            }
        }
        @if ctx.can(Permission::RunPanels) {
            p class="app-body" { a class="app-button app-button--secondary" href={ "/children/" (cid) "/plan/edit" } { @if current.is_some() { "Record a new version" } @else { "Make a plan" } } }
        }
        @if !versions.is_empty() {
            h2 class="app-heading-m" { "Versions" }
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Versions of the plan, newest first" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--s" { "Versions of the plan, newest first" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Version" }
                    th class="app-table__header" scope="col" { "Panel" }
                    th class="app-table__header" scope="col" { "Review date" }
                    th class="app-table__header" scope="col" { "Recorded by" }
                } }
                tbody class="app-table__body" {
                    @for v in &versions {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/children/" (cid) "/plan/versions/" (v.number) } { "Version " (v.number) } }
                            td class="app-table__cell" { (ui::date(v.panel_date)) }
                            td class="app-table__cell" { (ui::date(Some(v.review_date))) }
                            td class="app-table__cell" { (v.created_by) }
                        }
                    }
                }
            }
            }
            @if versions.len() > 1 {
                form method="get" action={ "/children/" (cid) "/plan/compare" } {
                    @let opts: Vec<(String, String)> = versions.iter().map(|v| (v.number.to_string(), format!("Version {}", v.number))).collect();
                    @let none = Invalid::new();
                    (ui::select(Field::new("from", "Compare version", &versions[1].number.to_string(), &none), &opts))
                    (ui::select(Field::new("to", "with version", &versions[0].number.to_string(), &none), &opts))
                    (ui::secondary_button("Compare"))
                }
            }
        }
    };
    Ok(ui::layout(&ctx, "MACSE plan", false, content).into_response())
}

pub async fn version(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, n)): Path<(String, String)>) -> PageResult {
    let cid = id(&raw)?;
    let record = open(&state, &caller, cid).await?;
    let (viewer, child) = (record.viewer(), record.child());
    let v = record.plan_version(id(&n)?).await?.ok_or(AppError::NotFound)?;
    let agencies = agency_names(&state).await?;
    let content = html! {
        (ui::back_link(&format!("/children/{cid}/plan"), "Back to the plan"))
        span class="app-caption-l" { (name(child)) }
        h1 class="app-heading-l" { "MACSE plan, version " (v.number) }
        (render_version(&v, viewer, &agencies))
    };
    Ok(ui::layout(&ctx, &format!("MACSE plan, version {}", v.number), false, content).into_response())
}

#[derive(Deserialize)]
pub struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
}

pub async fn compare(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, Query(q): Query<CompareQuery>) -> PageResult {
    let cid = id(&raw)?;
    let record = open(&state, &caller, cid).await?;
    let child = record.child();
    let current = record.plan_number().await?;
    let num = |s: &Option<String>, default: i64| {
        s.as_deref()
            .map(|v| v.trim().parse::<i64>().map_err(|_| AppError::BadRequest("Choose two versions to compare.".into())))
            .transpose()
            .map(|o| o.unwrap_or(default))
    };
    let (from, to) = (num(&q.from, (current - 1).max(1))?, num(&q.to, current)?);
    let (a, b) = record.plan_pair(from, to).await?;
    let d = plan::diff(&a, &b);
    let agencies = agency_names(&state).await?;
    let content = html! {
        (ui::back_link(&format!("/children/{cid}/plan"), "Back to the plan"))
        span class="app-caption-l" { (name(child)) }
        h1 class="app-heading-l" { "What changed from version " (from) " to version " (to) }
        (changes(&d, &agencies))
    };
    Ok(ui::layout(&ctx, "What changed in the plan", false, content).into_response())
}

fn action_line(a: &PlanAction, agencies: &HashMap<i64, String>) -> String {
    format!(
        "{} — {}, {}, due {}, {}",
        a.text,
        a.owner,
        a.agency_id.and_then(|i| agencies.get(&i).cloned()).unwrap_or_default(),
        ui::date(a.due),
        a.status.label().to_lowercase()
    )
}

fn changes(d: &PlanDiff, agencies: &HashMap<i64, String>) -> Markup {
    html! {
        @if let Some((a, b)) = d.review_date {
            p class="app-body" { "Review date changed from " (ui::date(a)) " to " (ui::date(b)) "." }
        }
        @if d.sections.is_empty() {
            p class="app-body" { "Nothing changed in the sections you can see." }
        }
        @for s in &d.sections {
            div class="app-summary-card" {
                h2 class="app-heading-s" { (heading(s.section)) }
                @if let Some((before, after)) = &s.discussion {
                    h3 class="app-heading-s" { "Discussion" }
                    p class="app-body-s" { "Before:" } (ui::prose(before))
                    p class="app-body-s" { "After:" } (ui::prose(after))
                }
                @if !s.added.is_empty() {
                    h3 class="app-heading-s" { "Actions added" }
                    ul class="app-list app-list--bullet" { @for a in &s.added { li { (action_line(a, agencies)) } } }
                }
                @if !s.removed.is_empty() {
                    h3 class="app-heading-s" { "Actions removed" }
                    ul class="app-list app-list--bullet" { @for a in &s.removed { li { (action_line(a, agencies)) } } }
                }
                @if !s.changed.is_empty() {
                    h3 class="app-heading-s" { "Actions changed" }
                    ul class="app-list app-list--bullet" { @for (a, b) in &s.changed { li { (action_line(a, agencies)) " → " (action_line(b, agencies)) } } }
                }
            }
        }
    }
}

/// The form's fields for a version (the editor starts from the current one).
pub(crate) fn fields_from(v: Option<&PlanVersion>, based_on: i64) -> Fields {
    let mut f = vec![("version".to_string(), based_on.to_string())];
    if let Some(v) = v {
        for t in &v.sections {
            f.push((format!("discussion-{}", t.section.slug()), t.discussion.clone()));
        }
        for (i, a) in v.actions.iter().enumerate() {
            let row = i + 1;
            f.push((action_field(row, "section"), a.section.slug().into()));
            f.push((action_field(row, "text"), a.text.clone()));
            f.push((action_field(row, "owner"), a.owner.clone()));
            f.push((action_field(row, "agency"), a.agency_id.map(|i| i.to_string()).unwrap_or_default()));
            f.push((action_field(row, "due"), a.due.map(assure_domain::dates::numeric).unwrap_or_default()));
            f.push((action_field(row, "status"), a.status.slug().into()));
        }
        f.push(("rows".into(), (v.actions.len() + BLANK_ROWS).to_string()));
    }
    Fields(f)
}

fn row_count(f: &Fields) -> usize {
    f.get("rows").trim().parse::<usize>().unwrap_or(BLANK_ROWS).clamp(BLANK_ROWS, 200)
}

async fn edit_form(state: &AppState, ctx: &Ctx, record: &ChildRecord, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let cid = record.child().id;
    let target = EditTarget {
        action: format!("/children/{cid}/plan/edit"),
        back: (format!("/children/{cid}/plan"), "Back to the plan"),
        title: "New version of the MACSE plan",
        with_panel: true,
    };
    edit_form_for(state, ctx, record, f, errors, status, &target).await
}

/// Where the plan editor posts to and what it is called: the MACSE plan's own page, or
/// a child protection case's CP plan (the same template, made at no panel).
pub(crate) struct EditTarget<'a> {
    pub action: String,
    pub back: (String, &'a str),
    pub title: &'a str,
    pub with_panel: bool,
}

pub(crate) async fn edit_form_for(
    state: &AppState,
    ctx: &Ctx,
    record: &ChildRecord,
    f: &Fields,
    errors: &Invalid,
    status: StatusCode,
    target: &EditTarget<'_>,
) -> PageResult {
    let (viewer, child) = (record.viewer(), record.child());
    let reader = record.reader();
    let agencies = state.store.partnership().agencies().await?;
    let agency_opts = ui::options_with_blank("Select an agency", agencies.iter().map(|a| (a.id.to_string(), a.name.clone())));
    let panels = state.store.panels(reader).list().await?;
    let panel_opts = ui::options_with_blank(
        "Not made at a panel",
        panels.iter().map(|p| (p.panel.id.to_string(), assure_domain::dates::long(p.panel.meeting_date))),
    );
    let editable = shown_sections(viewer);
    let section_opts: Vec<(String, String)> = editable.iter().map(|s| (s.slug().to_string(), heading(*s).to_string())).collect();
    let status_opts: Vec<(String, String)> = ActionStatus::ALL.iter().map(|s| (s.slug().to_string(), s.label().to_string())).collect();
    let rows = row_count(f);
    let content = html! {
        (ui::back_link(&target.back.0, target.back.1))
        (ui::error_summary(errors))
        span class="app-caption-l" { (name(child)) }
        h1 class="app-heading-l" { (target.title) }
        p class="app-body" { "Saving makes a new version; earlier versions are kept and can be compared. Every action needs its wording, an owner, an agency and a due date. Rows left blank are ignored." }
        @if !viewer.may_see_section(Section::Prosecute) {
            div class="app-inset-text" { p class="app-body" { "Parts of the plan that only police CSE officers and the co-chairs may see are kept as they are." } }
        }
        form method="post" action=(target.action) novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(f.get("version"));
            input type="hidden" name="rows" value=(rows);
            @if target.with_panel {
                (ui::select(Field::new("panel_id", "Panel that made this plan", f.get("panel_id"), errors), &panel_opts))
            }
            (ui::date_input(Field::new("review_date", "Review date", f.get("review_date"), errors).hint("The panel that will review the plan. For example, 12 10 2017")))
            @for s in &editable {
                @let n = format!("discussion-{}", s.slug());
                (ui::textarea(Field::new(&n, &format!("{}: discussion", heading(*s)), f.get(&n), errors), 5))
            }
            h2 class="app-heading-m" { "Actions" }
            @for row in 1..=rows {
                fieldset class="app-fieldset app-plan-action" {
                    legend class="app-fieldset__legend app-fieldset__legend--s" { "Action row " (row) }
                    @let nm = |p: &str| action_field(row, p);
                    (ui::select(Field::new(&nm("section"), "Section", f.get(&nm("section")), errors), &section_opts))
                    (ui::text_input(Field::new(&nm("text"), "Action", f.get(&nm("text")), errors), "app-input--width-30"))
                    (ui::text_input(Field::new(&nm("owner"), "Owner", f.get(&nm("owner")), errors).hint("The person responsible"), "app-input--width-20"))
                    (ui::select(Field::new(&nm("agency"), "Agency", f.get(&nm("agency")), errors), &agency_opts))
                    (ui::date_input(Field::new(&nm("due"), "Due date", f.get(&nm("due")), errors)))
                    (ui::select(Field::new(&nm("status"), "Status", f.get(&nm("status")), errors), &status_opts))
                }
            }
            (ui::button("Save the new version"))
        }
    };
    Ok((status, ui::layout(ctx, target.title, !errors.is_empty(), content)).into_response())
}

pub async fn edit_page(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let cid = id(&raw)?;
    let record = open(&state, &caller, cid).await?;
    let number = record.plan_number().await?;
    let current = record.plan().await?;
    let f = fields_from(current.as_ref(), number);
    edit_form(&state, &ctx, &record, &f, &Invalid::new(), StatusCode::OK).await
}

pub async fn edit_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let cid = id(&raw)?;
    let record = open(&state, &caller, cid).await?;
    let based_on = f.version()?;
    let (v, rows) = version_from(&f, record.viewer());
    // What the editor may not see is carried into the new version unchanged, by the record.
    let panel_id = f.opt_id("panel_id");
    match record.save_plan_version(based_on, panel_id, &v, Some(&rows), ctx.today).await.map_err(AppError::from) {
        Ok(_) => Ok(done(&format!("/children/{cid}/plan"), "plan-saved")),
        Err(AppError::Invalid(e)) => edit_form(&state, &ctx, &record, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// A new version as the plan form sent it, with the form rows of its actions (for messages).
pub(crate) fn version_from(f: &Fields, viewer: &Viewer) -> (PlanVersion, Vec<usize>) {
    let editable = shown_sections(viewer);
    let mut v = PlanVersion { number: 0, panel_date: None, review_date: f.date("review_date"), sections: Vec::new(), actions: Vec::new() };
    for s in &editable {
        v.sections.push(SectionText { section: *s, discussion: f.get(&format!("discussion-{}", s.slug())).to_string() });
    }
    let mut rows = Vec::new();
    for row in 1..=row_count(f) {
        let g = |p: &str| f.get(&action_field(row, p)).trim().to_string();
        if ["text", "owner", "agency", "due"].iter().all(|p| g(p).is_empty()) {
            continue;
        }
        // A section the editor may not see cannot be written to from the form.
        let section = Section::from_slug(&g("section")).filter(|s| editable.contains(s)).unwrap_or(Section::Identity);
        v.actions.push(PlanAction {
            section,
            text: g("text"),
            owner: g("owner"),
            agency_id: f.opt_id(&action_field(row, "agency")),
            due: f.date(&action_field(row, "due")),
            status: ActionStatus::from_slug(&g("status")).unwrap_or(ActionStatus::NotStarted),
        });
        rows.push(row);
    }
    (v, rows)
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    police: Option<String>,
}

/// The plan as a table: one row per discussion and per action.
fn plan_table(v: &PlanVersion, agencies: &HashMap<i64, String>) -> Vec<Vec<String>> {
    let mut t = vec![["Section", "Entry", "Text", "Owner", "Agency", "Due date", "Status"].iter().map(|s| s.to_string()).collect()];
    for s in v.present_sections() {
        t.push(vec![heading(s).into(), "Discussion".into(), v.discussion(s).into(), String::new(), String::new(), String::new(), String::new()]);
        for a in v.actions_in(s) {
            t.push(vec![
                heading(s).into(),
                "Action".into(),
                a.text.clone(),
                a.owner.clone(),
                a.agency_id.and_then(|i| agencies.get(&i).cloned()).unwrap_or_default(),
                a.due.map(assure_domain::dates::numeric).unwrap_or_default(),
                a.status.label().into(),
            ]);
        }
    }
    t
}

pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path((raw, ext)): Path<(String, String)>,
    Query(q): Query<DownloadQuery>,
) -> PageResult {
    let cid = id(&raw)?;
    if !matches!(ext.as_str(), "docx" | "csv") {
        return Err(AppError::NotFound);
    }
    let record = policy::child(&state, &caller, cid, Section::Profile).await?;
    let child = record.child();
    let police = matches!(q.police.as_deref(), Some("1") | Some("yes") | Some("true"));
    if police {
        if !record.viewer().exportable_sections(true).contains(&Section::Prosecute) {
            return Err(record.refuse("prosecute: police export refused, not a police CSE role").await.into());
        }
        policy::child(&state, &caller, cid, Section::Prosecute).await?;
    }
    let v = record.plan_for_export(police).await?.ok_or(AppError::NotFound)?;
    let agencies = agency_names(&state).await?;
    let stem = format!("macse-plan-{cid}-v{}{}", v.number, if police { "-police" } else { "" });
    let (bytes, ctype) = if ext == "csv" {
        (table_csv(&plan_table(&v, &agencies)), "text/csv; charset=utf-8")
    } else {
        let mut parts =
            vec![Part::Text(format!("Version {}. Panel: {}. Review date: {}.", v.number, ui::date(v.panel_date), ui::date(v.review_date)))];
        for s in v.present_sections() {
            parts.push(Part::Heading(heading(s).into()));
            parts.push(Part::Text(v.discussion(s).into()));
            let rows: Vec<Vec<String>> =
                plan_table(&PlanVersion { sections: vec![], actions: v.actions_in(s).cloned().collect(), ..v.clone() }, &agencies)
                    .into_iter()
                    .skip(1)
                    .filter(|r| r[1] == "Action")
                    .map(|r| r[2..].to_vec())
                    .collect();
            parts.push(Part::Table(["Action", "Owner", "Agency", "Due date", "Status"].iter().map(|s| s.to_string()).collect(), rows));
        }
        let title = format!("MACSE plan: {}", name(child));
        let marking = if police { "OFFICIAL-SENSITIVE – POLICE ONLY" } else { "OFFICIAL-SENSITIVE" };
        let bytes = tokio::task::spawn_blocking(move || docx::simple(&title, marking, &parts))
            .await
            .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        (bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    };
    record.record_export(&format!("plan version {} as {ext}{}", v.number, if police { ", police export with prosecute" } else { "" })).await?;
    Ok(([(header::CONTENT_TYPE, ctype.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.{ext}\""))], bytes)
        .into_response())
}
