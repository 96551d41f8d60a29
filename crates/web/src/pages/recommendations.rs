//! (being written)
use crate::error::PageResult;
use axum::response::IntoResponse;
pub async fn action_done() -> PageResult { Ok("pending".into_response()) }
pub async fn add_action() -> PageResult { Ok("pending".into_response()) }
pub async fn add_update() -> PageResult { Ok("pending".into_response()) }
pub async fn edit_page() -> PageResult { Ok("pending".into_response()) }
pub async fn edit_submit() -> PageResult { Ok("pending".into_response()) }
pub async fn evidence() -> PageResult { Ok("pending".into_response()) }
pub async fn lifecycle() -> PageResult { Ok("pending".into_response()) }
pub async fn list() -> PageResult { Ok("pending".into_response()) }
pub async fn rag() -> PageResult { Ok("pending".into_response()) }
pub async fn response() -> PageResult { Ok("pending".into_response()) }
pub async fn revise_action() -> PageResult { Ok("pending".into_response()) }
pub async fn show() -> PageResult { Ok("pending".into_response()) }
pub async fn sign_off() -> PageResult { Ok("pending".into_response()) }
pub async fn transfer() -> PageResult { Ok("pending".into_response()) }
