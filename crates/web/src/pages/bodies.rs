//! (being written)
use crate::error::PageResult;
use axum::response::IntoResponse;
pub async fn create() -> PageResult { Ok("pending".into_response()) }
pub async fn edit_page() -> PageResult { Ok("pending".into_response()) }
pub async fn edit_submit() -> PageResult { Ok("pending".into_response()) }
pub async fn list() -> PageResult { Ok("pending".into_response()) }
