//! Information governance: a subject access export of everything held about one child
//! (`/subject-access`), for the information governance officer only. The export is a
//! ZIP of JSON per kind of record and a Word summary; police-only material is included
//! and marked for redaction review. Every export, and every refusal, is audited.

use assure_domain::Invalid;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use maud::html;

use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::Fields;
use crate::ui::{self, Ctx, Field};
use crate::AppState;

fn render(ctx: &Ctx, child: &str, errors: &Invalid, status: StatusCode) -> PageResult {
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Subject access" }
        p class="app-body" {
            "Download everything Assure holds about one child: every record of every kind, every section of the plan, "
            "and who has looked at the record. Police-only material (Prosecute, perpetrators, operations, police CSE flags) "
            "is included and marked for redaction review: check it with the police before anything is disclosed."
        }
        p class="app-body" { "The download is a ZIP file: a Word summary, and one JSON file for each kind of record. It is recorded in the audit log." }
        form method="post" action="/subject-access" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::input_of_type(Field::new("child", "Child's record number", child, errors).hint("The number shown on the child's record, for example 12."), "app-input--width-5", "text", Some("off")))
            (ui::button("Download the export"))
        }
    };
    Ok((status, ui::layout(ctx, "Subject access", !errors.is_empty(), content)).into_response())
}

pub async fn page(ctx: Ctx) -> PageResult {
    render(&ctx, "", &Invalid::new(), StatusCode::OK)
}

pub async fn submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let raw = f.string("child");
    let child = match raw.trim().parse::<i64>() {
        Ok(n) if n > 0 => n,
        _ => {
            let msg =
                if raw.trim().is_empty() { "Enter the child's record number" } else { "Enter the child's record number as a whole number, like 12" };
            return render(&ctx, &raw, &Invalid::single("child", msg), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let officer = state.store.ig_officer(caller.actor()).await?.ok_or(AppError::Forbidden)?;
    let export = match state.store.subject_access(&officer, child).await {
        Ok(e) => e,
        Err(assure_storage::StoreError::NoSuchChild) => {
            return render(&ctx, &raw, &Invalid::single("child", "No child has this record number"), StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    };
    let bytes = tokio::task::spawn_blocking(move || assure_documents::subject_access::zip(&export))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"subject-access-child-{child}.zip\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
