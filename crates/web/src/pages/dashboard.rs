//! (being written)
use crate::error::PageResult;
use axum::response::IntoResponse;
pub async fn mine() -> PageResult { Ok("pending".into_response()) }
pub async fn page() -> PageResult { Ok("pending".into_response()) }
pub async fn schedule() -> PageResult { Ok("pending".into_response()) }
