//! (being written)
use crate::error::PageResult;
use axum::response::IntoResponse;
pub async fn add_schedule() -> PageResult { Ok("pending".into_response()) }
pub async fn create() -> PageResult { Ok("pending".into_response()) }
pub async fn create_rec() -> PageResult { Ok("pending".into_response()) }
pub async fn edit_page() -> PageResult { Ok("pending".into_response()) }
pub async fn edit_submit() -> PageResult { Ok("pending".into_response()) }
pub async fn endorse() -> PageResult { Ok("pending".into_response()) }
pub async fn list() -> PageResult { Ok("pending".into_response()) }
pub async fn new_page() -> PageResult { Ok("pending".into_response()) }
pub async fn new_rec_page() -> PageResult { Ok("pending".into_response()) }
pub async fn request_updates() -> PageResult { Ok("pending".into_response()) }
pub async fn show() -> PageResult { Ok("pending".into_response()) }
