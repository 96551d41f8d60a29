//! Errors as people and API clients see them: a clear 4xx page or JSON body,
//! never a stack trace; 5xx only for faults, logged without personal data.

use assure_domain::Invalid;
use assure_storage::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::ui;

/// What anyone is told about a child's record that does not exist or that is outside
/// their need to know: the same words either way.
pub const NO_SUCH_CHILD_TITLE: &str = "There is no child's record to show";
pub const NO_SUCH_CHILD_MESSAGE: &str = "There is no child's record with this number that you may see. Children's records are shared on a need-to-know basis, and every request for one is recorded. If a child is at risk now, contact the MASH.";

#[derive(Debug)]
pub enum AppError {
    NotFound,
    Unauthorized,
    Forbidden,
    /// Not allowed for this record (e.g. a lead officer and someone else's recommendation).
    ForbiddenRecord(String),
    /// A restricted part of a child's record the caller may otherwise see (police-only
    /// sections, the access log). The attempt has been audited.
    NeedToKnow,
    /// No child's record that the caller may see: it does not exist, or it is outside
    /// their need to know — the two answer the same. The attempt has been audited.
    NoSuchChild,
    /// A pathway account not yet placed in an agency.
    NotPlaced,
    CsrfFailed,
    Conflict,
    Invalid(Invalid),
    BadRequest(String),
    TooLarge(String),
    /// Too many attempts: try again after this many seconds.
    Throttled(i64),
    /// The database cannot be reached just now (a restart, a network cut, every
    /// connection busy): 503 with `Retry-After`.
    Unavailable,
    /// The disk is full: nothing more can be saved until an operator makes room (507).
    StorageFull,
    /// The PDF converter is busy or was too slow for this document just now: 503 with a
    /// longer `Retry-After`; the other formats are still served.
    ConverterBusy,
    Internal(String),
}

/// Seconds a client is told to wait (`Retry-After`) when the database is away.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// Seconds a client is told to wait when the PDF converter is busy or was too slow.
pub const CONVERTER_RETRY_AFTER_SECONDS: u32 = 30;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::NoSuchChild => AppError::NoSuchChild,
            StoreError::Restricted => AppError::NeedToKnow,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Conflict => AppError::Conflict,
            StoreError::Invalid(i) => AppError::Invalid(i),
            other if other.is_unavailable() => {
                tracing::warn!(error = %other, "database unavailable");
                AppError::Unavailable
            }
            other if other.is_storage_full() => {
                tracing::error!(error = %other, "storage full");
                AppError::StorageFull
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// A document that could not be made: no converter installed is the request's problem
/// (400, the other formats still work); a busy or slow converter is worth trying again
/// (503); anything else is ours.
impl From<assure_documents::DocumentError> for AppError {
    fn from(e: assure_documents::DocumentError) -> Self {
        match e {
            assure_documents::DocumentError::NoConverter(_) => AppError::BadRequest(e.to_string()),
            busy if busy.is_transient() => {
                tracing::warn!(error = %busy, "document not made: the converter is busy");
                AppError::ConverterBusy
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(i: Invalid) -> Self {
        AppError::Invalid(i)
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::NoSuchChild => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::ForbiddenRecord(_) | AppError::NeedToKnow | AppError::NotPlaced | AppError::CsrfFailed => {
                StatusCode::FORBIDDEN
            }
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable | AppError::ConverterBusy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title_and_message(&self) -> (&'static str, String) {
        match self {
            AppError::NotFound => ("Page not found", "If you typed the web address, check it is correct. If you followed a link, the record may have been removed.".into()),
            AppError::Unauthorized => ("Sign in to continue", "You need to sign in, or send a valid API token, to use this.".into()),
            AppError::Forbidden => ("You do not have access to this page", "Your account's role does not allow this. Ask an administrator if you think it should.".into()),
            AppError::ForbiddenRecord(m) => ("You cannot change this record", m.clone()),
            AppError::NeedToKnow => (
                "You do not have access to this part of the record",
                "This part of the child's record is restricted to the people whose work needs it. Your attempt has been recorded.".into(),
            ),
            AppError::NoSuchChild => (NO_SUCH_CHILD_TITLE, NO_SUCH_CHILD_MESSAGE.into()),
            AppError::NotPlaced => ("Your account is not set up for the partnership yet", "Your account has not been placed in an agency. Ask the partnership manager to add you to your agency and teams.".into()),
            AppError::CsrfFailed => ("Your form could not be sent", "The page you sent the form from had expired or did not come from Assure. Go back, reload the page and try again. Nothing was saved.".into()),
            AppError::Conflict => ("Someone else changed this record", "Someone else saved a change after you opened the page, so your change was not saved. Go back, reload the page to see their change, and make yours again.".into()),
            AppError::Invalid(i) => ("There is a problem", i.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(". ")),
            AppError::BadRequest(m) => ("There is a problem", m.clone()),
            AppError::TooLarge(m) => ("The file or form is too large", m.clone()),
            AppError::Throttled(secs) => (
                "Too many attempts",
                format!("There have been too many attempts from your address. Wait {} and try again.", crate::auth::wait_in_words(*secs)),
            ),
            AppError::Unavailable => (
                "Sorry, the service is unavailable",
                format!("Assure cannot reach its database just now. Try again in {RETRY_AFTER_SECONDS} seconds or so. If you were saving something, check whether it was saved before you send it again. Nothing has been half-saved."),
            ),
            AppError::StorageFull => (
                "Sorry, Assure has run out of storage space",
                "The server's disk is full, so nothing more can be saved: what you sent was not saved. Records saved before are safe. Tell your administrator or IT service desk.".into(),
            ),
            AppError::ConverterBusy => (
                "The PDF could not be made just now",
                format!("The server is busy making other PDFs, or this one took too long. Try again in {CONVERTER_RETRY_AFTER_SECONDS} seconds or so, or download the Word version: it holds the same report."),
            ),
            AppError::Internal(_) => ("Sorry, there is a problem with the service", "Try again later. Nothing you entered has been half-saved.".into()),
        }
    }

    pub fn respond(self, api: bool) -> Response {
        let status = self.status();
        if let AppError::Internal(detail) = &self {
            // The detail is a storage error message; it never carries form input.
            tracing::error!(error = %detail, "internal error");
        }
        let (title, message) = self.title_and_message();
        let retry_after = match &self {
            AppError::Throttled(secs) => Some(*secs),
            AppError::ConverterBusy => Some(CONVERTER_RETRY_AFTER_SECONDS.into()),
            _ => None,
        };
        if api {
            let code = match &self {
                AppError::NotFound => "not_found",
                AppError::Unauthorized => "unauthorized",
                AppError::Forbidden | AppError::ForbiddenRecord(_) | AppError::NotPlaced => "forbidden",
                AppError::NeedToKnow => "need_to_know",
                AppError::NoSuchChild => "no_such_child",
                AppError::CsrfFailed => "csrf_failed",
                AppError::Conflict => "conflict",
                AppError::Invalid(_) => "invalid",
                AppError::BadRequest(_) => "bad_request",
                AppError::TooLarge(_) => "too_large",
                AppError::Throttled(_) => "throttled",
                AppError::Unavailable => "unavailable",
                AppError::StorageFull => "storage_full",
                AppError::ConverterBusy => "converter_busy",
                AppError::Internal(_) => "internal",
            };
            let mut body = json!({ "error": code, "title": title, "message": message });
            if let AppError::Invalid(i) = &self {
                body["fields"] = json!(i.errors);
            }
            let mut resp = (status, Json(body)).into_response();
            if status == StatusCode::UNAUTHORIZED {
                resp.headers_mut().insert("www-authenticate", "Bearer".parse().unwrap());
            }
            if let Some(secs) = retry_after {
                resp.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
            }
            return with_retry_after(resp);
        }
        let mut resp = (status, ui::error_page(title, &message, status)).into_response();
        if let Some(secs) = retry_after {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        with_retry_after(resp)
    }
}

/// A 503 says when to try again (the database's wait unless the error gave its own).
fn with_retry_after(mut resp: Response) -> Response {
    if resp.status() == StatusCode::SERVICE_UNAVAILABLE && !resp.headers().contains_key(axum::http::header::RETRY_AFTER) {
        resp.headers_mut().insert(axum::http::header::RETRY_AFTER, RETRY_AFTER_SECONDS.into());
    }
    resp
}

/// Page handlers return HTML errors.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.respond(false)
    }
}

/// API handlers return JSON errors.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.respond(true)
    }
}

pub type PageResult<T = Response> = Result<T, AppError>;
pub type ApiResult<T> = Result<Json<T>, ApiError>;
