//! The stylesheet, the council's brand colours and the health check.

use assure_domain::settings::{check_settings, Settings};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::AppState;

const CSS: &str = include_str!("../../assets/assure.css");

pub async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
}

/// Brand colours from the council's settings, as CSS custom properties
/// (a file, because the content security policy forbids inline styles).
pub async fn theme(State(state): State<AppState>) -> impl IntoResponse {
    let s = state.store.settings().load().await.unwrap_or_default();
    // Only a colour the settings' checks pass goes into the stylesheet.
    let colour = check_settings(&s).map(|c| c.into_inner().brand_colour).unwrap_or_else(|_| Settings::default().brand_colour);
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
        format!(":root {{ --app-brand: {colour}; --app-brand-text: #ffffff; }}\n"),
    )
}

pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, Json(json!({ "status": "ok" }))).into_response(),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::RETRY_AFTER, crate::error::RETRY_AFTER_SECONDS.to_string())],
            Json(json!({ "status": "database unavailable" })),
        )
            .into_response(),
    }
}
