//! (being written)
use crate::error::PageResult;
use axum::response::IntoResponse;
pub async fn audit() -> PageResult { Ok("pending".into_response()) }
pub async fn create_user() -> PageResult { Ok("pending".into_response()) }
pub async fn revoke_token() -> PageResult { Ok("pending".into_response()) }
pub async fn set_active() -> PageResult { Ok("pending".into_response()) }
pub async fn settings_page() -> PageResult { Ok("pending".into_response()) }
pub async fn settings_submit() -> PageResult { Ok("pending".into_response()) }
pub async fn tokens() -> PageResult { Ok("pending".into_response()) }
pub async fn users() -> PageResult { Ok("pending".into_response()) }
