//! The quarterly reports: the MACSE quarterly report to the partnership board and the
//! quarterly report to Cabinet on CSE referrals and action taken, made from a
//! quarter's closed months; the narrative the officer writes; the two co-chairs'
//! joint sign-off; downloads (DOCX first).
//!
//! Who sees what follows the dataset's rule (`datasets::dataset_view`): the
//! partnership's analysts, managers, co-chairs and police read the MACSE report in
//! full (each view audited); committee members read signed reports only, with small
//! numbers suppressed; the Cabinet report is suppressed for everyone. Practitioners
//! see none of it.

use assure_documents::{render_quarterly, Format, QUARTERLY_FORMATS};
use assure_domain::datasets::{dataset_view, DatasetView};
use assure_domain::quarterly::{check_sign, Quarter, QuarterlyKind, QuarterlyReport, SignRefusal};
use assure_domain::{Invalid, Permission, Role};
use assure_storage::quarterly::{day_of, QuarterlyRecord};
use assure_storage::StoreError;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use maud::{html, Markup};

use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, read_date_parts, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

/// Which version a caller reads: `Some(true)` in full, `Some(false)` suppressed; `None`
/// for those who see nothing of the dataset beyond their own agency's counts.
fn reads_in_full(caller: &Caller, kind: QuarterlyKind) -> Option<bool> {
    match dataset_view(caller.role()) {
        DatasetView::Full => Some(!kind.suppressed()),
        DatasetView::Published => Some(false),
        _ => None,
    }
}

fn may_read_lists(caller: &Caller) -> Result<(), AppError> {
    match dataset_view(caller.role()) {
        DatasetView::Full | DatasetView::Published => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// Committee members read signed reports only: a draft answers as no report.
fn signed_only(caller: &Caller) -> bool {
    dataset_view(caller.role()) == DatasetView::Published
}

fn id_of(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn visible(state: &AppState, caller: &Caller, raw: &str) -> Result<QuarterlyRecord, AppError> {
    may_read_lists(caller)?;
    let r = state.store.quarterly().get(id_of(raw)?).await?;
    if signed_only(caller) && !r.signed {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

fn status_words(r: &QuarterlyRecord) -> String {
    match (r.signed, r.signatures.len()) {
        (true, _) => format!("Signed by both co-chairs{}", r.signed_at.as_deref().map(|a| format!(" on {}", day_of(a))).unwrap_or_default()),
        (false, 0) => "Draft: awaiting both co-chairs' signatures".into(),
        (false, _) => "Draft: signed by one co-chair, awaiting the other".into(),
    }
}

/// The quarters a report can be started for: the last eight ended.
fn quarter_options(ctx: &Ctx) -> Vec<(String, String)> {
    Quarter::of(ctx.today).previous().back(8).into_iter().map(|q| (q.to_string(), q.label())).collect()
}

/// "/quarterly-reports": the reports, newest quarter first, and (for those who run the
/// dataset) the form to start one.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    list_with(&state, &ctx, &Fields(vec![]), &Invalid::new(), StatusCode::OK).await
}

async fn list_with(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let caller = ctx.caller()?.clone();
    may_read_lists(&caller)?;
    let reports = state.store.quarterly().list(signed_only(&caller)).await?;
    let kinds: Vec<(String, String)> = QuarterlyKind::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect();
    let quarters = ui::options_with_blank("Choose a quarter", quarter_options(ctx));
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Quarterly reports" }
        p class="app-body" { "The MACSE quarterly report to the partnership board and the quarterly report to Cabinet on CSE referrals and the action taken. Each is made from the quarter's closed months, so its figures read the same for ever, and signed jointly by the two MACSE co-chairs." }
        @if signed_only(&caller) {
            p class="app-body" { "You see the reports the co-chairs have signed, with small numbers suppressed." }
        }
        @if reports.is_empty() {
            p class="app-body" { "There are no quarterly reports yet." }
        } @else {
            (ui::scroll_table("Quarterly reports", html! {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--m" { "Reports" }
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Report" }
                        th class="app-table__header" scope="col" { "Quarter" }
                        th class="app-table__header" scope="col" { "Status" }
                    } }
                    tbody class="app-table__body" {
                        @for r in &reports {
                            tr class="app-table__row" {
                                td class="app-table__cell" { a class="app-link" href={ "/quarterly-reports/" (r.id) } { (r.kind.label()) } }
                                td class="app-table__cell" { (r.quarter.label()) }
                                td class="app-table__cell" { (status_words(r)) }
                            }
                        }
                    }
                }
            }))
        }
        @if ctx.can(Permission::RunDatasets) {
            h2 class="app-heading-m" { "Start a quarterly report" }
            p class="app-body" { "All three months of the quarter must be closed first." }
            form method="post" action="/quarterly-reports" novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::radios(Field::new("kind", "Which report", f.get("kind"), errors), &kinds, false))
                (ui::select(Field::new("quarter", "Quarter", f.get("quarter"), errors), &quarters))
                (ui::button("Start the report"))
            }
        }
        p class="app-body" { a class="app-link" href="/datasets" { "The monthly CSE dataset" } }
    };
    Ok((status, ui::layout(ctx, "Quarterly reports", !errors.is_empty(), content)).into_response())
}

/// POST "/quarterly-reports": start a report for a quarter whose months are closed.
pub async fn create(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let mut errors = Invalid::new();
    let kind = QuarterlyKind::from_slug(f.get("kind"));
    if kind.is_none() {
        errors.add("kind", "Select which report to start");
    }
    let quarter = Quarter::parse(f.get("quarter"));
    if quarter.is_none() {
        errors.add("quarter", "Choose the quarter the report is for");
    }
    let (Some(kind), Some(quarter)) = (kind, quarter) else {
        return list_with(&state, &ctx, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match state.store.quarterly().create(&caller.actor(), kind, quarter).await {
        Ok(id) => Ok(done(&format!("/quarterly-reports/{id}"), "quarterly-created")),
        Err(StoreError::Invalid(e)) => list_with(&state, &ctx, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// "/quarterly-reports/{id}": the report as the caller may read it, its sign-off, the
/// narrative form (draft, for those who run the dataset), signing (co-chairs) and the
/// downloads.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let caller = ctx.caller()?.clone();
    let r = visible(&state, &caller, &raw).await?;
    show_with(&state, &ctx, &caller, r, None, &Invalid::new(), StatusCode::OK).await
}

async fn show_with(
    state: &AppState,
    ctx: &Ctx,
    caller: &Caller,
    r: QuarterlyRecord,
    typed: Option<&Fields>,
    errors: &Invalid,
    status: StatusCode,
) -> PageResult {
    let in_full = reads_in_full(caller, r.kind).ok_or(AppError::Forbidden)?;
    let doc = state.store.quarterly().document(r.id, in_full).await?;
    state.store.quarterly().record_view(&caller.actor(), r.id, "viewed", in_full).await?;
    let me = caller.actor().user_id.unwrap_or(0);
    let may_edit = !r.signed && ctx.can(Permission::RunDatasets);
    let signed_by: Vec<i64> = r.signatures.iter().map(|s| s.user_id).collect();
    let may_sign = caller.role() == Role::MacseCoChair && !r.signed && !signed_by.contains(&me);
    let meeting = r.cover.meeting_date.map(assure_domain::dates::iso).unwrap_or_default();
    let content = html! {
        (ui::error_summary(errors))
        (ui::back_link("/quarterly-reports", "Quarterly reports"))
        span class="app-caption-l" { (r.quarter.label()) }
        h1 class="app-heading-l" { (r.kind.label()) }
        dl class="app-summary-list" {
            (ui::summary_row("Status", html! { (status_words(&r)) }))
            (ui::summary_row("Sign-off", html! { span id="sign" { (doc.sign_off_line()) } }))
            @if let Some(sha) = &r.snapshot_sha256 {
                (ui::summary_row("Fingerprint", html! { code { (sha) } }))
            }
            (ui::summary_row("Report to", html! { (doc.cover.report_to) }))
            (ui::summary_row("Date of meeting", html! { (ui::date(doc.cover.meeting_date)) }))
            (ui::summary_row("Small numbers", html! {
                @match doc.suppressed {
                    Some(t) => { "Counts below " (t) " are shown as \"fewer than " (t) "\", and others withheld so they cannot be worked out." }
                    None => "Shown in full: this report is for the partnership board. Every view is recorded in the audit log.",
                }
            }))
        }
        h2 class="app-heading-m" { "Download" }
        ul class="app-list" {
            @for f in QUARTERLY_FORMATS {
                li { a class="app-link" href={ "/quarterly-reports/" (r.id) "/download/" (f.extension()) } { (f.label()) } }
            }
        }
        @if may_sign {
            h2 class="app-heading-m" { "Sign the report" }
            p class="app-body" {
                @if r.signatures.is_empty() { "Both MACSE co-chairs sign. Once the second has signed, the report is frozen and cannot change." }
                @else { "The other co-chair has signed. Your signature freezes the report: it cannot change after that." }
            }
            form method="post" action={ "/quarterly-reports/" (r.id) "/sign" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(r.version);
                (ui::button("Sign as MACSE co-chair"))
            }
        }
        @if may_edit {
            h2 class="app-heading-m" { "Write the report" }
            @if !r.signatures.is_empty() {
                (ui::important_banner("Saving clears the signature", html! { p class="app-body" { "A co-chair has signed the report as it reads now. If you save a change, their signature is cleared and both co-chairs sign again." } }))
            }
            form method="post" action={ "/quarterly-reports/" (r.id) "/narrative" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(r.version);
                @let typed_date = typed.map(|f| f.get("meeting_date").to_string()).unwrap_or(meeting.clone());
                (ui::date_input(Field::new("meeting_date", "Date of the meeting", &typed_date, errors).hint("For example, 15 10 2026. Leave it blank if the meeting is not fixed yet.")))
                @for (key, heading, hint) in r.kind.sections() {
                    @let value = typed.map(|f| f.get(key).to_string()).unwrap_or_else(|| r.narrative.text(key).to_string());
                    (ui::textarea(Field::new(key, heading, &value, errors).hint(hint), 5))
                }
                (ui::button("Save the report"))
            }
        } @else {
            @for (heading, text) in &doc.narrative {
                h2 class="app-heading-m" { (heading) }
                @if text.trim().is_empty() { p class="app-body" { "Not written yet." } } @else { (ui::prose(text)) }
            }
        }
        (tables(&doc))
    };
    Ok((status, ui::layout(ctx, &format!("{}: {}", r.kind.label(), r.quarter.label()), !errors.is_empty(), content)).into_response())
}

fn tables(doc: &QuarterlyReport) -> Markup {
    html! {
        h2 class="app-heading-m" { "The quarter's figures" }
        p class="app-body" { "From the closed months, as frozen when each closed." }
        @for t in &doc.tables {
            h3 class="app-heading-s" id={ "m-" (t.measure) } { (t.name) }
            p class="app-body" { (t.shows) }
            (ui::scroll_table(&t.name, html! {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--s" { (t.name) " by month" }
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Row" }
                        @for m in &doc.months { th class="app-table__header app-table__header--numeric" scope="col" { (m.label()) } }
                    } }
                    tbody class="app-table__body" {
                        @for (label, cells) in &t.rows {
                            tr class="app-table__row" {
                                th class="app-table__header" scope="row" { (label) }
                                @for c in cells { td class="app-table__cell app-table__cell--numeric" { (c.display()) } }
                            }
                        }
                    }
                }
            }))
        }
    }
}

/// POST "/quarterly-reports/{id}/narrative": save the narrative (clearing any
/// signature standing).
pub async fn narrative(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let r = visible(&state, &caller, &raw).await?;
    let version = f.version()?;
    if r.signed {
        let e = Invalid::single("sign", SignRefusal::Frozen.message());
        return show_with(&state, &ctx, &caller, r, None, &e, StatusCode::CONFLICT).await;
    }
    let meeting = match read_date_parts(&f, "meeting_date", "the date of the meeting") {
        Ok(d) => d,
        Err(m) => {
            let e = Invalid::single("meeting_date", m);
            return show_with(&state, &ctx, &caller, r, Some(&f), &e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let typed: Vec<(String, String)> = r.kind.sections().iter().map(|(k, _, _)| (k.to_string(), f.get(k).to_string())).collect();
    match state.store.quarterly().edit(&caller.actor(), r.id, version, &typed, meeting).await {
        Ok(0) => Ok(done(&format!("/quarterly-reports/{}", r.id), "quarterly-saved")),
        Ok(_) => Ok(done(&format!("/quarterly-reports/{}", r.id), "quarterly-saved-unsigned")),
        Err(StoreError::Invalid(e)) => show_with(&state, &ctx, &caller, r, Some(&f), &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// POST "/quarterly-reports/{id}/sign": a co-chair signs. Anyone else is refused (403,
/// saying who signs); nothing changes.
pub async fn sign(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let r = visible(&state, &caller, &raw).await?;
    let version = f.version()?;
    let signed_by: Vec<i64> = r.signatures.iter().map(|s| s.user_id).collect();
    let me = caller.actor().user_id.unwrap_or(0);
    if let Err(refusal) = check_sign(r.kind, caller.role(), me, &signed_by, r.signed, &r.narrative) {
        return match refusal {
            SignRefusal::NotCoChair => Err(AppError::ForbiddenRecord(refusal.message())),
            SignRefusal::NotWritten(_) => {
                let e = Invalid::single("summary", refusal.message());
                show_with(&state, &ctx, &caller, r, None, &e, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            _ => {
                let e = Invalid::single("sign", refusal.message());
                show_with(&state, &ctx, &caller, r, None, &e, StatusCode::CONFLICT).await
            }
        };
    }
    match state.store.quarterly().sign(&caller.actor(), r.id, version).await {
        Ok(assure_domain::quarterly::Signed::Complete) => Ok(done(&format!("/quarterly-reports/{}", r.id), "quarterly-signed")),
        Ok(_) => Ok(done(&format!("/quarterly-reports/{}", r.id), "quarterly-signed-first")),
        Err(StoreError::Forbidden) => Err(AppError::ForbiddenRecord(SignRefusal::NotCoChair.message())),
        Err(e) => Err(e.into()),
    }
}

/// "/quarterly-reports/{id}/download/{format}": the report as a file (audited).
pub async fn download(State(state): State<AppState>, caller: Caller, Path((raw, ext)): Path<(String, String)>) -> PageResult {
    let r = visible(&state, &caller, &raw).await?;
    let format = Format::from_extension(&ext).filter(|f| QUARTERLY_FORMATS.contains(f)).ok_or(AppError::NotFound)?;
    let in_full = reads_in_full(&caller, r.kind).ok_or(AppError::Forbidden)?;
    let doc = state.store.quarterly().document(r.id, in_full).await?;
    let stem = doc.file_stem();
    let bytes = tokio::task::spawn_blocking(move || render_quarterly(&doc, format))
        .await
        .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
        .map_err(AppError::from)?;
    state.store.quarterly().record_view(&caller.actor(), r.id, &format!("downloaded as {}", format.extension()), in_full).await?;
    let disposition = format!("attachment; filename=\"{stem}.{}\"", format.extension());
    Ok(([(header::CONTENT_TYPE, format.content_type().to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
