//! Importing a council's history from ModernGov (issue 19): the clerk uploads the XML
//! its web service returned, checks it (a dry run through the same code that imports),
//! then imports it — all of it, or nothing and every problem listed with its file and
//! line.

use assure_domain::moderngov::{Plan, Problem};
use assure_domain::Invalid;
use assure_storage::moderngov::Outcome;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};

use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::ui::{self, Ctx};
use crate::AppState;

fn form(ctx: &Ctx, errors: &Invalid) -> Markup {
    let error = errors.for_field("files");
    html! {
        form method="post" action={ "/meetings/import?_csrf=" (ctx.csrf()) } enctype="multipart/form-data" novalidate {
            div class=(if error.is_some() { "app-form-group app-form-group--error" } else { "app-form-group" }) {
                label class="app-label" for="files" { "The XML files from ModernGov" }
                div class="app-hint" id="files-hint" {
                    "Choose all the files at once: the committees (GetCommittees), their meetings (GetMeetings) and each meeting's agenda and minutes (GetMeeting). "
                    "Files from earlier imports can be chosen again: what was imported before is left as it is."
                }
                @if let Some(msg) = error { p class="app-error-message" id="files-error" { span class="app-visually-hidden" { "Error: " } (msg) } }
                input class="app-file-upload" id="files" name="files" type="file" multiple accept=".xml,text/xml,application/xml"
                    aria-describedby={ "files-hint" @if error.is_some() { " files-error" } };
            }
            div class="app-button-group" {
                button type="submit" class="app-button" name="action" value="check" { "Check the files" }
                button type="submit" class="app-button app-button--secondary" name="action" value="import" { "Import" }
            }
        }
    }
}

fn page(ctx: &Ctx, errors: &Invalid, body: Markup, status: StatusCode) -> PageResult {
    let content = html! {
        (ui::back_link("/meetings", "Back to meetings"))
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Import from ModernGov" }
        (body)
    };
    Ok((status, ui::layout(ctx, "Import from ModernGov", !errors.is_empty(), content)).into_response())
}

fn explanation() -> Markup {
    html! {
        p class="app-body" { "Bring a council's committees, meetings, agendas, attendance, minutes and decisions across from ModernGov, from the XML its web service (mgWebService.asmx) returns." }
        ul class="app-list app-list--bullet" {
            li { "A committee is matched to a body of the same name, or added." }
            li { "A meeting already held comes in as held; with its minutes published, with its minutes approved, its own minute numbers kept and each decision split into its parts." }
            li { "Exempt items stay exempt: their minutes never reach the public site." }
            li { "Nothing is imported until every file is right: each problem is listed with its file and line." }
        }
    }
}

/// GET "/meetings/import".
pub async fn page_get(ctx: Ctx) -> PageResult {
    page(&ctx, &Invalid::new(), html! { (explanation()) (form(&ctx, &Invalid::new())) }, StatusCode::OK)
}

fn problems_table(problems: &[Problem]) -> Markup {
    ui::scroll_table(
        "Problems in the files",
        html! {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "Problems in the files" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "File" }
                    th class="app-table__header" scope="col" { "Line" }
                    th class="app-table__header" scope="col" { "Problem" }
                } }
                tbody class="app-table__body" {
                    @for p in problems {
                        @let prefix = format!("{}: ", p.place.at());
                        tr class="app-table__row" {
                            td class="app-table__cell" { (p.place.file) }
                            td class="app-table__cell" { @if p.place.line > 0 { (p.place.line) } }
                            td class="app-table__cell" { (p.message.strip_prefix(prefix.as_str()).unwrap_or(&p.message)) }
                        }
                    }
                }
            }
        },
    )
}

fn outcome_markup(ctx: &Ctx, plan: &Plan, o: &Outcome) -> Markup {
    html! {
        @if o.committed {
            (ui::success_banner(&format!("Imported {} meetings from ModernGov", o.meetings.len())))
        } @else {
            div class="app-inset-text" {
                p class="app-body" { strong { "Nothing has been imported yet." } " The files are right: this is what importing them will do. Choose the same files again and select Import." }
            }
        }
        @if !o.bodies_added.is_empty() || !o.bodies_found.is_empty() {
            h2 class="app-heading-m" { "Bodies" }
            ul class="app-list app-list--bullet" {
                @for b in &o.bodies_added { li { (b) ": " @if o.committed { "added" } @else { "will be added" } } }
                @for b in &o.bodies_found { li { (b) ": already in Assure" } }
            }
        }
        @if !o.meetings.is_empty() {
            (ui::scroll_table("Meetings", html! {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--m" { "Meetings" }
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Meeting" }
                        th class="app-table__header" scope="col" { @if o.committed { "Imported as" } @else { "Comes in as" } }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Agenda items" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Minutes" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Decisions" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Attendance" }
                    } }
                    tbody class="app-table__body" {
                        @for m in &o.meetings {
                            tr class="app-table__row" {
                                td class="app-table__cell" {
                                    @if m.id > 0 { a class="app-link" href={ "/meetings/" (m.id) } { (m.title) } } @else { (m.title) }
                                    br; span class="app-hint" { "ModernGov meeting " (m.ext_id) }
                                }
                                td class="app-table__cell" { (m.status.label()) }
                                td class="app-table__cell app-table__cell--numeric" { (m.items) }
                                td class="app-table__cell app-table__cell--numeric" { (m.minutes) }
                                td class="app-table__cell app-table__cell--numeric" { (m.decisions) }
                                td class="app-table__cell app-table__cell--numeric" { (m.attendance) }
                            }
                        }
                    }
                }
            }))
        }
        @if !o.already_imported.is_empty() {
            h2 class="app-heading-m" { "Imported before" }
            p class="app-body" { "These meetings came in with an earlier import and are left as they are:" }
            ul class="app-list app-list--bullet" { @for m in &o.already_imported { li { (m) } } }
        }
        @if !plan.notes.is_empty() {
            h2 class="app-heading-m" { "Notes" }
            ul class="app-list app-list--bullet" { @for n in &plan.notes { li { (n.message) } } }
        }
        @if !o.committed { (form(ctx, &Invalid::new())) }
        @else { p class="app-body" { a class="app-link" href="/meetings" { "Go to meetings" } } }
    }
}

/// POST "/meetings/import": check the files (action=check: a dry run) or import them
/// (action=import), in one transaction, audited per meeting.
pub async fn page_post(State(state): State<AppState>, ctx: Ctx, caller: Caller, mut mp: Multipart) -> PageResult {
    let max = state.config.max_upload_bytes;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut action = String::new();
    let mut too_big = false;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("files") => {
                    let name = crate::evidence::safe_name(field.file_name().unwrap_or(""));
                    match field.bytes().await {
                        Ok(b) if !(name.is_empty() && b.is_empty()) => files.push((name, b.to_vec())),
                        Ok(_) => {}
                        Err(_) => too_big = true,
                    }
                }
                Some("action") => action = field.text().await.unwrap_or_default(),
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                too_big = true;
                break;
            }
        }
    }
    let refuse = |message: String| {
        let errors = Invalid::single("files", message);
        page(&ctx, &errors, html! { (explanation()) (form(&ctx, &errors)) }, StatusCode::UNPROCESSABLE_ENTITY)
    };
    if too_big {
        return refuse(format!("The selected files must be smaller than {} MB together: import them in smaller groups", max / (1024 * 1024)));
    }
    if files.is_empty() {
        return refuse("Select the XML files from ModernGov".into());
    }
    let commit = match action.as_str() {
        "import" => true,
        "check" => false,
        _ => return Err(AppError::BadRequest("Choose Check the files or Import.".into())),
    };
    let today = state.store.today();
    let planned = tokio::task::spawn_blocking(move || {
        let mut sources = Vec::new();
        let mut problems = Vec::new();
        for (name, bytes) in &files {
            match assure_documents::moderngov::read_source(name, bytes) {
                Ok(s) => sources.push(s),
                Err(p) => problems.push(p),
            }
        }
        if problems.is_empty() {
            assure_domain::moderngov::plan(&sources, today)
        } else {
            Err(problems)
        }
    })
    .await
    .map_err(|e| AppError::Internal(format!("reading the files stopped: {e}")))?;
    let refused = |problems: Vec<Problem>| {
        let errors = Invalid::single(
            "files",
            format!(
                "Nothing was imported: the files have {} {}. Correct them (or export them from ModernGov again) and choose them again",
                problems.len(),
                if problems.len() == 1 { "problem" } else { "problems" }
            ),
        );
        page(&ctx, &errors, html! { (problems_table(&problems)) (form(&ctx, &errors)) }, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let plan = match planned {
        Ok(p) => p,
        Err(problems) => return refused(problems),
    };
    match state.store.moderngov().import(&caller.actor(), &plan, commit).await? {
        Ok(outcome) => page(&ctx, &Invalid::new(), outcome_markup(&ctx, &plan, &outcome), StatusCode::OK),
        Err(problems) => refused(problems),
    }
}
