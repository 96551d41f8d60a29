//! Extractors whose failures are JSON errors, never axum's plain-text rejections.

use std::ops::Deref;

use assure_domain::tracker::{BodyKind, ExecutiveResponse, Lifecycle, Rag, ReviewKind};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::auth::Caller;
use crate::error::{ApiError, AppError};

/// The signed-in caller; absent (only on a misdeclared route) is a JSON 401.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Caller);

impl Deref for ApiCaller {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Caller>().cloned().map(ApiCaller).ok_or(ApiError(AppError::Unauthorized))
    }
}

/// The `{id}` path segment as a record id; anything that is not one is a JSON 404.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| ApiError(AppError::NotFound))?;
        raw.parse::<i64>().ok().filter(|id| *id > 0).map(Id).ok_or(ApiError(AppError::NotFound))
    }
}

/// A JSON request body. Bad JSON, the wrong content type or missing and
/// mistyped fields are a 400 with a message that says what is wrong.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(ApiError(json_problem(r))),
        }
    }
}

fn json_problem(r: JsonRejection) -> AppError {
    match r {
        JsonRejection::MissingJsonContentType(_) => {
            AppError::BadRequest("Send the request body as JSON, with the header Content-Type: application/json".into())
        }
        JsonRejection::JsonSyntaxError(e) => AppError::BadRequest(format!("The request body is not valid JSON ({})", detail(&e.body_text()))),
        JsonRejection::JsonDataError(e) => AppError::BadRequest(format!(
            "The request body does not have the fields this endpoint expects ({}). See /api/v1/openapi.json",
            detail(&e.body_text())
        )),
        r if r.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge("The request body is too large".into()),
        r => AppError::BadRequest(format!("The request body could not be read ({})", detail(&r.body_text()))),
    }
}

/// serde's explanation without axum's generic lead-in.
fn detail(body_text: &str) -> String {
    body_text.split_once(": ").map(|(_, d)| d).unwrap_or(body_text).to_string()
}

// ------------------------------------------------------------------ query parameters

/// The query string's parameters. Blank values count as absent; a value that
/// cannot be what the parameter needs is a 400 naming the parameter.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        Ok(Params(form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn id(&self, name: &str) -> Result<Option<i64>, AppError> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| AppError::BadRequest(format!("The {name} parameter must be a whole number (a record id), not {v:?}")))
            })
            .transpose()
    }

    pub fn positive(&self, name: &str, default: i64, max: i64) -> Result<i64, AppError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(AppError::BadRequest(format!("The {name} parameter must be a whole number from 1 to {max}, not {v:?}"))),
            },
        }
    }

    pub fn slug<T: Slugged>(&self, name: &str) -> Result<Option<T>, AppError> {
        self.get(name)
            .map(|v| {
                T::from_slug_str(v).ok_or_else(|| AppError::BadRequest(format!("The {name} parameter must be one of {}, not {v:?}", T::allowed())))
            })
            .transpose()
    }
}

/// The domain's slug enums, generically (for parsing and for the OpenAPI enums).
pub trait Slugged: Sized + Copy + 'static {
    fn all() -> &'static [Self];
    fn slug_str(self) -> &'static str;
    fn from_slug_str(s: &str) -> Option<Self> {
        Self::all().iter().copied().find(|v| v.slug_str() == s)
    }
    fn slugs() -> Vec<&'static str> {
        Self::all().iter().map(|v| v.slug_str()).collect()
    }
    /// "a, b or c".
    fn allowed() -> String {
        let s = Self::slugs();
        match s.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => s.join(""),
        }
    }
}

macro_rules! slugged {
    ($($t:ty),*) => {$(
        impl Slugged for $t {
            fn all() -> &'static [Self] { <$t>::ALL }
            fn slug_str(self) -> &'static str { self.slug() }
        }
    )*};
}
slugged!(Lifecycle, ExecutiveResponse, Rag, ReviewKind, BodyKind);

// ------------------------------------------------------------------ cursor pagination

/// Where a list is read from: `cursor` (opaque, from the previous answer's `next`) or
/// the older `page`, and `limit` (or `per_page`) items, at most 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub offset: i64,
    pub limit: i64,
    /// The page number this is (for the older page/per_page fields).
    pub page: i64,
}

const CURSOR_VERSION: &str = "v1.";

/// An opaque cursor for the item at `offset`.
pub fn cursor_at(offset: i64) -> String {
    hex::encode(format!("{CURSOR_VERSION}{offset}"))
}

fn offset_of(cursor: &str) -> Option<i64> {
    let raw = String::from_utf8(hex::decode(cursor).ok()?).ok()?;
    raw.strip_prefix(CURSOR_VERSION)?.parse::<i64>().ok().filter(|o| *o >= 0)
}

impl Params {
    pub fn paging(&self) -> Result<Paging, AppError> {
        let limit = if self.get("limit").is_some() { self.positive("limit", 50, 200)? } else { self.positive("per_page", 50, 200)? };
        if let Some(c) = self.get("cursor") {
            let offset = offset_of(c).ok_or_else(|| {
                AppError::BadRequest("The cursor parameter is not one this API gave: use the next link of the previous answer".into())
            })?;
            return Ok(Paging { offset, limit, page: offset / limit + 1 });
        }
        let page = self.positive("page", 1, 1_000_000)?;
        Ok(Paging { offset: (page - 1) * limit, limit, page })
    }

    /// The link to the next items after `paging` of `total`, with the same filters; none at the end.
    pub fn next_link(&self, path: &str, paging: Paging, total: i64) -> Option<(String, String)> {
        let next = paging.offset + paging.limit;
        if next >= total {
            return None;
        }
        let cursor = cursor_at(next);
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            if !matches!(k.as_str(), "cursor" | "page" | "per_page" | "limit") {
                q.append_pair(k, v);
            }
        }
        q.append_pair("limit", &paging.limit.to_string());
        q.append_pair("cursor", &cursor);
        Some((format!("{path}?{}", q.finish()), cursor))
    }
}
