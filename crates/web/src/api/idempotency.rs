//! `Idempotency-Key` on the API's POSTs: a client that may have to retry a create (a
//! timeout, a dropped connection) sends a key of its choosing; per account, the first
//! request with that key runs and its successful answer is kept, and the same key with the
//! same path and body answers that first response again (with `Idempotent-Replayed: true`)
//! instead of creating twice. The same key with a different request is a 422; while the
//! first is still running, a 409. A request that failed keeps nothing, so it can be retried.
//! Runs inside the guard: the caller is known and allowed before a key is looked at.

use assure_domain::Invalid;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::error::{ApiError, AppError};
use crate::AppState;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";

/// A key: 1 to 255 visible ASCII characters (a UUID is typical).
fn valid_key(k: &str) -> bool {
    (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.uri().path().starts_with("/api/") || !req.headers().contains_key(HEADER) {
        return next.run(req).await;
    }
    let Some(user_id) = req.extensions().get::<Caller>().map(|c| c.user.id) else {
        return next.run(req).await;
    };
    let key = req.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("").to_string();
    if !valid_key(&key) {
        return ApiError(AppError::BadRequest("The Idempotency-Key header must be 1 to 255 visible ASCII characters, such as a UUID".into()))
            .into_response();
    }
    let (parts, body) = req.into_parts();
    let limit = state.config.max_upload_bytes * 5 + 1024 * 1024;
    let Ok(bytes) = to_bytes(body, limit).await else {
        return ApiError(AppError::TooLarge("The request body is too large".into())).into_response();
    };
    let mut h = Sha256::new();
    h.update(parts.uri.path().as_bytes());
    h.update(b"\n");
    h.update(&bytes);
    let hash = hex::encode(h.finalize());

    let store = state.store.idempotency();
    match store.reserve(user_id, &key, &hash).await {
        Err(e) => return ApiError(e.into()).into_response(),
        Ok(Some(kept)) if kept.request_hash != hash => {
            return ApiError(AppError::Invalid(Invalid::single(
                "Idempotency-Key",
                "This Idempotency-Key was already used for a different request: send a new key for a new request",
            )))
            .into_response();
        }
        Ok(Some(kept)) if kept.status == 0 => {
            let body = json!({
                "error": "idempotency_key_in_use",
                "title": "The first request with this key is still running",
                "message": "A request with this Idempotency-Key is still being processed: wait, then send it again to get its answer",
            });
            return (StatusCode::CONFLICT, Json(body)).into_response();
        }
        Ok(Some(kept)) => {
            let status = StatusCode::from_u16(kept.status as u16).unwrap_or(StatusCode::OK);
            let mut resp = (status, kept.response).into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            resp.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
            return resp;
        }
        Ok(None) => {}
    }

    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if !resp.status().is_success() {
        if let Err(e) = store.release(user_id, &key).await {
            tracing::error!(error = %e, "releasing an idempotency key");
        }
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return ApiError(AppError::Internal("the answer could not be read".into())).into_response();
    };
    let text = String::from_utf8_lossy(&bytes).to_string();
    if let Err(e) = store.keep(user_id, &key, parts.status.as_u16(), &text).await {
        // The change is saved; only its replay is lost. Say so in the log, answer as usual.
        tracing::error!(error = %e, "keeping an idempotency key's answer");
    }
    Response::from_parts(parts, Body::from(bytes))
}
