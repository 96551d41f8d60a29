//! Forgotten passwords: ask for a link by e-mail address (the answer is the same whether
//! or not the address has an account), then choose a new password through the link,
//! which works once for an hour and ends every session of the account.

use assure_domain::accounts::{looks_like_email, normalise_email};
use assure_domain::password_reset::{check_new_password, LINK_MINUTES, MIN_LENGTH};
use assure_domain::Invalid;
use assure_storage::password_resets::Requested;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use maud::{html, Markup};

use super::login::ctx_cookie;
use crate::auth::{cookie, hash_password, random_token, sha256_hex, ClientIp, PRE_CSRF_COOKIE};
use crate::error::{AppError, PageResult};
use crate::forms::Fields;
use crate::ui::{self, Ctx, Field};
use crate::AppState;

/// The signed-out form token (a double-submit cookie, as on the sign-in page).
fn form_token(headers: &HeaderMap) -> String {
    cookie(headers, PRE_CSRF_COOKIE).filter(|t| t.len() == 64).unwrap_or_else(random_token)
}

fn page_with_cookie(state: &AppState, ctx: &Ctx, token: &str, title: &str, errors: bool, status: StatusCode, body: Markup) -> Response {
    let mut resp = (status, ui::layout(ctx, title, errors, body)).into_response();
    resp.headers_mut().append(header::SET_COOKIE, ctx_cookie(token, state.config.https).parse().unwrap());
    resp
}

fn ask_form(token: &str, email: &str, errors: &Invalid) -> Markup {
    html! {
        div class="app-grid-row" { div class="app-grid-column-two-thirds" {
            (ui::error_summary(errors))
            h1 class="app-heading-l" { "Reset your password" }
            p class="app-body" { "Enter the e-mail address you sign in with. If it belongs to an account, we will e-mail a link to choose a new password. The link works once, for " (LINK_MINUTES) " minutes." }
            form method="post" action="/password-reset" novalidate {
                input type="hidden" name="_csrf" value=(token);
                (ui::input_of_type(Field::new("email", "Email address", email, errors), "app-input--width-30", "email", Some("username")))
                (ui::button("Send the link"))
            }
            p class="app-body" { a class="app-link" href="/login" { "Back to sign in" } }
        } }
    }
}

pub async fn ask_page(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Response {
    let token = form_token(&headers);
    page_with_cookie(&state, &ctx, &token, "Reset your password", false, StatusCode::OK, ask_form(&token, "", &Invalid::new()))
}

pub async fn ask_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    f: Fields,
) -> PageResult {
    let token = form_token(&headers);
    let email = normalise_email(f.get("email"));
    if !looks_like_email(&email) {
        let message =
            if email.is_empty() { "Enter your email address" } else { "Enter an email address in the correct format, like name@example.org" };
        let errors = Invalid::single("email", message);
        return Ok(page_with_cookie(
            &state,
            &ctx,
            &token,
            "Reset your password",
            true,
            StatusCode::UNPROCESSABLE_ENTITY,
            ask_form(&token, f.get("email"), &errors),
        ));
    }
    let secret = random_token();
    let link = format!("{}/password-reset/{secret}", state.config.public_url.trim_end_matches('/'));
    let outcome = state.store.password_resets().request(&ip, &email, &sha256_hex(&secret), &ctx.settings.service_name, &link).await?;
    if outcome != Requested::Sent {
        tracing::info!(?outcome, "password reset asked for; no link sent");
    }
    // The same answer whatever happened, so the form does not tell who has an account.
    let body = html! {
        div class="app-grid-row" { div class="app-grid-column-two-thirds" {
            h1 class="app-heading-l" { "Check your e-mail" }
            p class="app-body" { "If " strong { (email) } " is the address of an account, we have sent it a link to choose a new password. The link works once, for " (LINK_MINUTES) " minutes." }
            p class="app-body" { "Nothing there after a few minutes? Check your junk folder, or ask your administrator." }
            p class="app-body" { a class="app-link" href="/login" { "Back to sign in" } }
        } }
    };
    Ok(page_with_cookie(&state, &ctx, &token, "Check your e-mail", false, StatusCode::OK, body))
}

/// Only a link's own shape is looked up.
fn secret_hash(secret: &str) -> Option<String> {
    (secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())).then(|| sha256_hex(secret))
}

fn spent(state: &AppState, ctx: &Ctx, token: &str) -> Response {
    let body = html! {
        h1 class="app-heading-l" { "This link no longer works" }
        p class="app-body" { "A reset link works once, for " (LINK_MINUTES) " minutes, and only the newest one sent. " a class="app-link" href="/password-reset" { "Ask for a new link" } "." }
    };
    page_with_cookie(state, ctx, token, "This link no longer works", false, StatusCode::GONE, body)
}

fn choose_form(token: &str, secret: &str, errors: &Invalid) -> Markup {
    html! {
        div class="app-grid-row" { div class="app-grid-column-two-thirds" {
            (ui::error_summary(errors))
            h1 class="app-heading-l" { "Choose a new password" }
            form method="post" action={ "/password-reset/" (secret) } novalidate {
                input type="hidden" name="_csrf" value=(token);
                @let hint = format!("At least {MIN_LENGTH} characters. Three random words make a strong password that is easy to remember.");
                (ui::input_of_type(Field::new("password", "New password", "", errors).hint(&hint), "app-input--width-20", "password", Some("new-password")))
                (ui::input_of_type(Field::new("confirm", "Type the new password again", "", errors), "app-input--width-20", "password", Some("new-password")))
                (ui::button("Save the new password"))
            }
        } }
    }
}

pub async fn choose_page(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, Path(secret): Path<String>) -> PageResult {
    let token = form_token(&headers);
    let usable = match secret_hash(&secret) {
        Some(h) => state.store.password_resets().usable(&h).await?,
        None => false,
    };
    if !usable {
        return Ok(spent(&state, &ctx, &token));
    }
    Ok(page_with_cookie(&state, &ctx, &token, "Choose a new password", false, StatusCode::OK, choose_form(&token, &secret, &Invalid::new())))
}

pub async fn choose_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(secret): Path<String>,
    f: Fields,
) -> PageResult {
    let token = form_token(&headers);
    let Some(hash) = secret_hash(&secret) else { return Ok(spent(&state, &ctx, &token)) };
    let checked = match check_new_password(f.get("password"), f.get("confirm")) {
        Ok(c) => c,
        Err(errors) => {
            if !state.store.password_resets().usable(&hash).await? {
                return Ok(spent(&state, &ctx, &token));
            }
            let body = choose_form(&token, &secret, &errors);
            return Ok(page_with_cookie(&state, &ctx, &token, "Choose a new password", true, StatusCode::UNPROCESSABLE_ENTITY, body));
        }
    };
    let p: String = (*checked).clone();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&p)).await.map_err(|e| AppError::Internal(e.to_string()))?;
    match state.store.password_resets().reset(&ip, &hash, &checked, &password_hash).await? {
        Some(_) => Ok(Redirect::to("/login?notice=password-reset").into_response()),
        None => Ok(spent(&state, &ctx, &token)),
    }
}
