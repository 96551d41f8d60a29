//! Text hygiene at the edge: a control character (NUL and the rest, other than tab and
//! line ends) in a query string, a form or a JSON body is refused with 422 and a
//! message naming the field, before any handler runs, so that nothing is stored with
//! one (SQLite would keep it; PostgreSQL cannot store NUL and would fail with a 500).
//! So is a date (any value written as one) outside the years Assure accepts
//! (`assure_domain::dates::plausible`: 1900 to 2100), whatever field it is sent in.
//! Multipart forms are checked where their text fields are read.

use assure_domain::dates::{implausible_message, plausible, typed_date_any_year};
use assure_domain::text::{control_char, control_char_message};
use assure_domain::Invalid;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use crate::error::AppError;
use crate::AppState;

pub async fn refuse_control_chars(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    if let Some(problem) = req.uri().query().and_then(|q| in_pairs(q.as_bytes())) {
        return AppError::Invalid(problem).respond(api);
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json") || content_type.contains("+json");
    if !form && !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let limit = state.config.max_upload_bytes * 5 + 1024 * 1024;
    let Ok(bytes) = to_bytes(body, limit).await else {
        return AppError::TooLarge("The request body is too large".into()).respond(api);
    };
    let problem = if form {
        in_pairs(&bytes)
    } else {
        // Bodies that are not JSON are left to the handler, which says what is wrong.
        serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| in_json(&v, ""))
    };
    if let Some(problem) = problem {
        return AppError::Invalid(problem).respond(api);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn in_pairs(bytes: &[u8]) -> Option<Invalid> {
    form_urlencoded::parse(bytes).find_map(|(k, v)| {
        let in_name = control_char(&k).map(|c| Invalid::single(&k, control_char_message(&format!("The field \u{201c}{}\u{201d}", printable(&k)), c)));
        in_name.or_else(|| in_value(&k, &v))
    })
}

/// What is wrong with the value `v` of the field `field`, if anything.
fn in_value(field: &str, v: &str) -> Option<Invalid> {
    let subject = format!("The field \u{201c}{}\u{201d}", printable(field));
    if let Some(c) = control_char(v) {
        return Some(Invalid::single(field, control_char_message(&subject, c)));
    }
    match typed_date_any_year(v) {
        Some(d) if !plausible(d) => Some(Invalid::single(field, implausible_message(&subject))),
        _ => None,
    }
}

fn in_json(v: &Value, at: &str) -> Option<Invalid> {
    let field = |path: &str| if path.is_empty() { "body".to_string() } else { path.to_string() };
    match v {
        Value::String(s) => in_value(&field(at), s),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| in_json(x, &format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            let path = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
            match control_char(k) {
                Some(c) => Some(Invalid::single(&path, control_char_message(&format!("The field \u{201c}{}\u{201d}", printable(&path)), c))),
                None => in_json(x, &path),
            }
        }),
        _ => None,
    }
}

/// A field's name as it can be shown back (without the characters refused).
fn printable(name: &str) -> String {
    assure_domain::text::without_control_chars(name).chars().take(60).collect()
}
