//! Sign in and sign out.

use assure_domain::Invalid;
use assure_storage::audit::Event;
use assure_storage::users::User;
use assure_storage::Actor;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use maud::html;

use crate::auth::{self, cookie, random_token, session_cookie_name, set_cookie, sha256_hex, Caller, ClientIp, MaybeCaller, PRE_CSRF_COOKIE};
use crate::error::{AppError, PageResult};
use crate::forms::Fields;
use crate::ui::{self, Ctx, Field};
use crate::AppState;

/// Only local paths are followed after sign-in (no open redirects).
pub(crate) fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") && !next.contains("://") {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// The identity providers people may sign in with (name and short name).
async fn providers(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(state.store.oidc().providers().await?.into_iter().filter(|p| p.provider.active).map(|p| (p.provider.label, p.provider.slug)).collect())
}

#[allow(clippy::too_many_arguments)]
fn render(
    ctx: &Ctx,
    https: bool,
    form_token: &str,
    email: &str,
    next: &str,
    errors: &Invalid,
    status: StatusCode,
    providers: &[(String, String)],
) -> Response {
    let next_q: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let body = html! {
        div class="app-grid-row" {
            div class="app-grid-column-two-thirds" {
                (ui::error_summary(errors))
                h1 class="app-heading-l" { "Sign in to " (ctx.settings.service_name) }
                p class="app-body" { "Use the email address and password for your " (ctx.settings.organisation) " account." }
                form method="post" action="/login" novalidate {
                    input type="hidden" name="_csrf" value=(form_token);
                    input type="hidden" name="next" value=(next);
                    (ui::input_of_type(Field::new("email", "Email address", email, errors), "app-input--width-30", "email", Some("username")))
                    (ui::input_of_type(Field::new("password", "Password", "", errors), "app-input--width-20", "password", Some("current-password")))
                    (ui::button("Sign in"))
                }
                p class="app-body" { a class="app-link" href="/password-reset" { "Forgotten your password?" } }
                @if !providers.is_empty() || errors.for_field("oidc").is_some() {
                    h2 class="app-heading-m" id="oidc" { "Or sign in with your organisation's account" }
                    @for (label, slug) in providers {
                        p class="app-body" {
                            a class="app-button app-button--secondary" role="button" data-testid=(format!("oidc-{slug}")) href=(format!("/login/oidc/{slug}?next={next_q}")) { "Sign in with " (label) }
                        }
                    }
                }
            }
        }
    };
    let mut resp = (status, ui::layout(ctx, "Sign in", !errors.is_empty(), body)).into_response();
    resp.headers_mut().append(header::SET_COOKIE, ctx_cookie(form_token, https).parse().unwrap());
    resp
}

pub(crate) fn ctx_cookie(token: &str, https: bool) -> String {
    // The double-submit cookie for the signed-out form; same attributes as the session's
    // (Secure when served over HTTPS).
    let secure = if https { "; Secure" } else { "" };
    format!("{PRE_CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{secure}")
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeCaller(c): MaybeCaller,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Response {
    let next = q.iter().find(|(k, _)| k == "next").map(|(_, v)| v.clone()).unwrap_or_else(|| "/".into());
    if c.is_some() {
        return Redirect::to(&safe_next(&next)).into_response();
    }
    let token = cookie(&headers, PRE_CSRF_COOKIE).filter(|t| t.len() == 64).unwrap_or_else(random_token);
    let providers = providers(&state).await.unwrap_or_default();
    render(&ctx, state.config.https, &token, "", &safe_next(&next), &Invalid::new(), StatusCode::OK, &providers)
}

/// The sign-in page with a problem a sign-in through an identity provider met.
pub(crate) async fn with_problem(state: &AppState, ctx: &Ctx, headers: &HeaderMap, status: StatusCode, message: &str) -> PageResult {
    let token = cookie(headers, PRE_CSRF_COOKIE).filter(|t| t.len() == 64).unwrap_or_else(random_token);
    let providers = providers(state).await?;
    Ok(render(ctx, state.config.https, &token, "", "/", &Invalid::single("oidc", message), status, &providers))
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    form: Fields,
) -> PageResult {
    let email = form.get("email").trim().to_lowercase();
    let password = form.string("password");
    let next = safe_next(form.get("next"));
    let token = cookie(&headers, PRE_CSRF_COOKIE).unwrap_or_else(random_token);
    let providers = providers(&state).await?;
    let mut v = Invalid::new();
    if email.is_empty() {
        v.add("email", "Enter your email address");
    }
    if password.is_empty() {
        v.add("password", "Enter your password");
    }
    if !v.is_empty() {
        return Ok(render(&ctx, state.config.https, &token, &email, &next, &v, StatusCode::UNPROCESSABLE_ENTITY, &providers));
    }
    // Counted before the password is checked, so that concurrent attempts cannot all
    // be checked before any is counted.
    let keys = auth::SignInKeys::new(&email, &ip);
    if let Some(secs) = auth::claim_sign_in(&state, &keys).await? {
        let v = Invalid::single("email", format!("There have been too many attempts to sign in. Wait {} and try again.", auth::wait_in_words(secs)));
        let mut resp = render(&ctx, state.config.https, &token, &email, &next, &v, StatusCode::TOO_MANY_REQUESTS, &providers);
        resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return Ok(resp);
    }
    let found = state.store.users().by_email(&email).await?;
    let ok = match &found {
        Some((u, hash)) => {
            let h = hash.clone();
            let p = password.clone();
            let good = tokio::task::spawn_blocking(move || auth::verify_password(&h, &p)).await.unwrap_or(false);
            good && u.active
        }
        None => {
            let p = password.clone();
            let _ = tokio::task::spawn_blocking(move || auth::verify_password(auth::dummy_hash(), &p)).await;
            false
        }
    };
    if !ok {
        let actor = Actor { user_id: found.as_ref().map(|(u, _)| u.id), label: "anonymous".into(), ip: ip.clone() };
        state
            .store
            .record(
                &actor,
                Event::new("user.login-failed", "user", found.as_ref().map(|(u, _)| u.id.to_string()).unwrap_or_default(), "sign-in refused"),
            )
            .await?;
        let v = Invalid::single(
            "email",
            "Enter a correct email address and password. After 5 wrong attempts you will have to wait before trying again, a little longer after each.",
        );
        return Ok(render(&ctx, state.config.https, &token, &email, &next, &v, StatusCode::UNAUTHORIZED, &providers));
    }
    let (user, _) = found.unwrap();
    auth::sign_in_succeeded(&state, &keys).await?;
    // An account with two-factor sign-in, or in a role that requires it: the password
    // was right; now the code (or, not yet set up, setting it up). No session before.
    let tf = state.store.two_factor();
    if tf.secret(user.id).await?.is_some() || tf.required(user.role).await? {
        let raw = random_token();
        state.store.two_factor().challenge(&sha256_hex(&raw), user.id, &next).await?;
        let mut resp = Redirect::to("/login/two-factor").into_response();
        resp.headers_mut().append(header::SET_COOKIE, challenge_cookie(&state, &raw, 300).parse().unwrap());
        return Ok(resp);
    }
    start_session(&state, &headers, &user, &ip, &next, "signed in").await
}

/// The cookie that carries a sign-in waiting for its second factor (only to /login).
pub(crate) fn challenge_cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = if state.config.https { "; Secure" } else { "" };
    format!("{CHALLENGE_COOKIE}={value}; Path=/login; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

pub(crate) const CHALLENGE_COOKIE: &str = "assure_2fa";

/// Begin a session for `user` (every check passed) and go on to `next`.
pub(crate) async fn start_session(state: &AppState, headers: &HeaderMap, user: &User, ip: &str, next: &str, how: &str) -> PageResult {
    start_session_with(state, headers, user, ip, next, how, None).await
}

/// [`start_session`], remembering where the session signs out at its identity provider.
pub(crate) async fn start_session_with(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    ip: &str,
    next: &str,
    how: &str,
    end_session: Option<&str>,
) -> PageResult {
    // A new session id at every sign-in (any earlier session from this browser ends).
    if let Some(old) = cookie(headers, session_cookie_name(state)) {
        state.store.sessions().delete(&sha256_hex(&old)).await?;
    }
    let raw = random_token();
    state.store.sessions().create(&sha256_hex(&raw), user.id, &random_token(), ip).await?;
    if let Some(url) = end_session {
        state.store.oidc().set_end_session(&sha256_hex(&raw), url).await?;
    }
    let actor = Actor { user_id: Some(user.id), label: user.email.clone(), ip: ip.to_string() };
    state.store.record(&actor, Event::new("user.login", "user", user.id, how)).await?;
    let mut resp = Redirect::to(next).into_response();
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(state, session_cookie_name(state), &raw, None).parse().unwrap());
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(state, PRE_CSRF_COOKIE, "", Some(0)).parse().unwrap());
    Ok(resp)
}

fn code_form(token: &str, errors: &Invalid) -> maud::Markup {
    html! {
        div class="app-grid-row" { div class="app-grid-column-two-thirds" {
            (ui::error_summary(errors))
            h1 class="app-heading-l" { "Enter the code from your authenticator app" }
            form method="post" action="/login/two-factor" novalidate {
                input type="hidden" name="_csrf" value=(token);
                @let f = Field::new("code", "Code", "", errors).hint("The six digits your app shows now, or one of your recovery codes.");
                (ui::input_of_type(f, "app-input--width-10", "text", Some("one-time-code")))
                (ui::button("Continue"))
            }
            p class="app-body" { "Lost your phone and your recovery codes? Ask your administrator to turn two-factor sign-in off for your account." }
            p class="app-body" { a class="app-link" href="/login" { "Start again" } }
        } }
    }
}

/// The second step of a sign-in with two-factor: the code.
pub async fn code_page(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> PageResult {
    let Some(raw) = cookie(&headers, CHALLENGE_COOKIE) else { return Ok(Redirect::to("/login").into_response()) };
    let tf = state.store.two_factor();
    let Some(waiting) = tf.waiting(&sha256_hex(&raw)).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let token = cookie(&headers, PRE_CSRF_COOKIE).filter(|t| t.len() == 64).unwrap_or_else(random_token);
    let page = if tf.secret(waiting.user_id).await?.is_none() {
        // Required of the role and not set up yet: set it up to finish signing in.
        let Some(user) = state.store.users().get(waiting.user_id).await?.filter(|u| u.active) else {
            return Ok(Redirect::to("/login").into_response());
        };
        let body = crate::pages::account::set_up_form(
            &ctx,
            &user.email,
            &token,
            "/login/two-factor",
            &crate::two_factor::new_secret(),
            &Invalid::new(),
            true,
        );
        ui::layout(&ctx, "Set up two-factor sign-in", false, body)
    } else {
        ui::layout(&ctx, "Enter your code", false, code_form(&token, &Invalid::new()))
    };
    let mut resp = (StatusCode::OK, page).into_response();
    resp.headers_mut().append(header::SET_COOKIE, ctx_cookie(&token, state.config.https).parse().unwrap());
    Ok(resp)
}

pub async fn code_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    form: Fields,
) -> PageResult {
    let Some(raw) = cookie(&headers, CHALLENGE_COOKIE) else { return Ok(Redirect::to("/login").into_response()) };
    let id_hash = sha256_hex(&raw);
    let tf = state.store.two_factor();
    let Some(waiting) = tf.waiting(&id_hash).await? else { return Ok(Redirect::to("/login").into_response()) };
    let Some(user) = state.store.users().get(waiting.user_id).await?.filter(|u| u.active) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let typed = form.get("code").trim().to_string();
    let token = cookie(&headers, PRE_CSRF_COOKIE).unwrap_or_else(random_token);
    let actor = Actor { user_id: Some(user.id), label: user.email.clone(), ip: ip.clone() };
    if tf.secret(user.id).await?.is_none() {
        return set_up_submit(&state, &ctx, &headers, &ip, &id_hash, &waiting, &user, &token, &form).await;
    }
    let accepted = if typed.is_empty() {
        None
    } else if crate::two_factor::looks_like_code(&typed) {
        let step = match tf.secret(user.id).await? {
            Some(secret) => crate::two_factor::matching_step(&secret, &typed, state.store.clock().now().timestamp().max(0) as u64),
            None => None,
        };
        match step {
            Some(step) if tf.use_step(user.id, step).await? => Some("signed in with a two-factor code"),
            _ => None,
        }
    } else if tf.use_recovery(&actor, user.id, &crate::two_factor::recovery_hash(user.id, &typed)).await? {
        Some("signed in with a recovery code")
    } else {
        None
    };
    if let Some(how) = accepted {
        tf.finish(&id_hash).await?;
        let mut resp = start_session(&state, &headers, &user, &ip, &waiting.next, how).await?;
        resp.headers_mut().append(header::SET_COOKIE, challenge_cookie(&state, "", 0).parse().unwrap());
        return Ok(resp);
    }
    let message = if typed.is_empty() {
        "Enter the code from your authenticator app".to_string()
    } else {
        state.store.record(&actor, Event::new("user.login-failed", "user", user.id, "two-factor code refused")).await?;
        let left = tf.wrong_code(&id_hash).await?;
        if left == 0 {
            return Ok(Redirect::to("/login").into_response());
        }
        format!("The code is not right, or was used already. Enter the code your app shows now ({left} tries left).")
    };
    let errors = Invalid::single("code", message);
    let mut resp = (StatusCode::UNAUTHORIZED, ui::layout(&ctx, "Enter your code", true, code_form(&token, &errors))).into_response();
    resp.headers_mut().append(header::SET_COOKIE, ctx_cookie(&token, state.config.https).parse().unwrap());
    Ok(resp)
}

/// Setting two-factor up to finish a sign-in (the role requires it): the first code
/// turns it on, begins the session and shows the recovery codes once.
#[allow(clippy::too_many_arguments)]
async fn set_up_submit(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    ip: &str,
    id_hash: &str,
    waiting: &assure_storage::two_factor::Challenge,
    user: &User,
    token: &str,
    form: &Fields,
) -> PageResult {
    let tf = state.store.two_factor();
    let now = state.store.clock().now().timestamp().max(0) as u64;
    let (secret, step) = crate::two_factor::first_code(&form.string("secret"), form.get("code"), now);
    let step = match step {
        Ok(step) => step,
        Err(message) => {
            let mut message = message.to_string();
            if !form.get("code").trim().is_empty() {
                let left = tf.wrong_code(id_hash).await?;
                if left == 0 {
                    return Ok(Redirect::to("/login").into_response());
                }
                message = format!("{message} ({left} tries left).");
            }
            let errors = Invalid::single("code", message);
            let body = crate::pages::account::set_up_form(ctx, &user.email, token, "/login/two-factor", &secret, &errors, true);
            let mut resp = (StatusCode::UNPROCESSABLE_ENTITY, ui::layout(ctx, "Set up two-factor sign-in", true, body)).into_response();
            resp.headers_mut().append(header::SET_COOKIE, ctx_cookie(token, state.config.https).parse().unwrap());
            return Ok(resp);
        }
    };
    let codes = crate::two_factor::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| crate::two_factor::recovery_hash(user.id, c)).collect();
    let actor = Actor { user_id: Some(user.id), label: user.email.clone(), ip: ip.to_string() };
    tf.enrol(&actor, user.id, &secret, step, &hashes).await?;
    tf.finish(id_hash).await?;
    let session = start_session(state, headers, user, ip, &waiting.next, "signed in, setting up two-factor sign-in").await?;
    let body = crate::pages::account::recovery_codes_page(&codes, &waiting.next, "Continue to Assure");
    let mut resp = (StatusCode::OK, ui::layout(ctx, "Your recovery codes", false, body)).into_response();
    for v in session.headers().get_all(header::SET_COOKIE) {
        resp.headers_mut().append(header::SET_COOKIE, v.clone());
    }
    resp.headers_mut().append(header::SET_COOKIE, challenge_cookie(state, "", 0).parse().unwrap());
    Ok(resp)
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    // A session begun at an identity provider ends there too, when it says where.
    let mut end_session = None;
    if let Some(s) = &caller.session {
        end_session = state.store.oidc().end_session(&s.id_hash).await?;
        state.store.sessions().delete(&s.id_hash).await?;
    }
    state.store.record(&caller.actor(), Event::new("user.logout", "user", caller.user.id, "signed out")).await?;
    let mut resp = match &end_session {
        // The page sends the browser on (a Refresh, not a redirect: the sign-out form may
        // only lead to Assure's own pages), with a link for a browser that does not follow it.
        Some(url) => {
            let ctx = Ctx { caller: None, ..ctx };
            let body = html! {
                h1 class="app-heading-l" { "You have signed out of Assure" }
                p class="app-body" { "Now signing you out of your organisation's account as well." }
                p class="app-body" { a class="app-link" href=(url) data-testid="provider-sign-out" { "Sign out of your organisation's account" } }
            };
            let mut r = ui::layout(&ctx, "Signed out", false, body).into_response();
            if let Ok(v) = format!("0; url={url}").parse() {
                r.headers_mut().insert(header::REFRESH, v);
            }
            r
        }
        None => Redirect::to("/login?notice=signed-out").into_response(),
    };
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, session_cookie_name(&state), "", Some(0)).parse().map_err(|_| AppError::Internal("cookie".into()))?,
    );
    Ok(resp)
}
