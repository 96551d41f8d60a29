//! Sign-in through the council's identity provider: OpenID Connect's authorization code
//! flow with PKCE (`openidconnect`), the state, nonce and PKCE verifier kept server-side
//! (`store.oidc()`) and the state bound to the browser that started it by a cookie.
//!
//! The provider is reached through a small HTTP client on hyper and the rustls (ring)
//! stack the workspace already has for SMTP: one request a connection, no redirects
//! followed, an answer within 10 seconds and at most 1 MiB.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use assure_domain::sign_in::{email_may_link, group_roles, group_teams, role_for_groups, teams_for_groups};
use assure_storage::audit::Event;
use assure_storage::oidc::{Pending, StoredProvider};
use assure_storage::Actor;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use http_body_util::BodyExt;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreErrorResponseType};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope, TokenResponse,
};

use crate::auth::{cookie, random_token, sha256_hex, ClientIp, MaybeCaller};
use crate::error::PageResult;
use crate::ui::Ctx;
use crate::AppState;

/// The cookie that binds a sign-in sent to a provider to this browser. SameSite=Lax:
/// the provider sends the browser back by a cross-site navigation, on which a Strict
/// cookie would not come.
pub const BROWSER_COOKIE: &str = "assure_oidc";
const ANSWER_WITHIN: Duration = Duration::from_secs(10);
const MAX_ANSWER: usize = 1024 * 1024;

// ------------------------------------------------------------------ HTTP to the provider

#[derive(Debug)]
pub struct HttpError(String);

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for HttpError {}

fn tls() -> Arc<tokio_rustls::rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<tokio_rustls::rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            use tokio_rustls::rustls;
            let mut roots = rustls::RootCertStore::empty();
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
            // ring, as lettre's SMTP already uses: no second crypto stack (aws-lc-rs needs a
            // C toolchain build). Its provider lacks the post-quantum key exchange only.
            #[allow(deprecated)]
            let provider = rustls::crypto::ring::default_provider();
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
                .with_safe_default_protocol_versions()
                .expect("rustls protocol versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

async fn exchange<IO>(io: IO, req: axum::http::Request<http_body_util::Full<bytes::Bytes>>) -> Result<HttpResponse, HttpError>
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io)).await.map_err(|e| HttpError(format!("HTTP: {e}")))?;
    let conn = tokio::spawn(conn);
    let resp = sender.send_request(req).await.map_err(|e| HttpError(format!("HTTP: {e}")))?;
    let (parts, body) = resp.into_parts();
    let body = http_body_util::Limited::new(body, MAX_ANSWER).collect().await.map_err(|e| HttpError(format!("reading the answer: {e}")))?.to_bytes();
    conn.abort();
    Ok(HttpResponse::from_parts(parts, body.to_vec()))
}

async fn send(req: HttpRequest) -> Result<HttpResponse, HttpError> {
    let uri = req.uri().clone();
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err(HttpError(format!("not an http(s) address: {uri}"))),
    };
    let host = uri.host().ok_or_else(|| HttpError("an address with no host".into()))?.trim_start_matches('[').trim_end_matches(']').to_string();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let authority = uri.authority().map(|a| a.as_str().to_string()).unwrap_or_default();
    let (mut parts, body) = req.into_parts();
    parts.uri = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").parse().map_err(|_| HttpError("a bad path".into()))?;
    parts.headers.insert(header::HOST, authority.parse().map_err(|_| HttpError("a bad host".into()))?);
    let req = axum::http::Request::from_parts(parts, http_body_util::Full::new(bytes::Bytes::from(body)));
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await.map_err(|e| HttpError(format!("could not connect: {e}")))?;
    if https {
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.clone()).map_err(|_| HttpError("a bad host name".into()))?;
        let tls = tokio_rustls::TlsConnector::from(tls()).connect(name, tcp).await.map_err(|e| HttpError(format!("TLS: {e}")))?;
        exchange(tls, req).await
    } else {
        exchange(tcp, req).await
    }
}

/// One request to a provider, answered within 10 seconds.
pub async fn http_client(req: HttpRequest) -> Result<HttpResponse, HttpError> {
    tokio::time::timeout(ANSWER_WITHIN, send(req)).await.map_err(|_| HttpError("no answer within 10 seconds".into()))?
}

// ------------------------------------------------------------------ the flow

/// What went wrong, as the sign-in page says it.
struct Failure {
    status: StatusCode,
    message: String,
}

fn fail(status: StatusCode, message: impl Into<String>) -> Failure {
    Failure { status, message: message.into() }
}

fn redirect_url(state: &AppState, slug: &str) -> String {
    format!("{}/login/oidc/{slug}/callback", state.config.public_url.trim_end_matches('/'))
}

fn secret_of(state: &AppState, p: &StoredProvider) -> Result<String, Failure> {
    state.config.oidc_secret(&p.provider.secret_env).ok_or_else(|| {
        fail(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "Signing in with {} is not set up yet: its client secret is missing. Ask your administrator to set {} where Assure runs, or sign in with your password.",
                p.provider.label, p.provider.secret_env
            ),
        )
    })
}

async fn discover(p: &StoredProvider) -> Result<ProviderMetadataWithLogout, Failure> {
    let unreachable = || {
        fail(
            StatusCode::BAD_GATEWAY,
            format!("{} did not answer, so you cannot sign in with it just now. Try again later, or sign in with your password.", p.provider.label),
        )
    };
    let issuer = IssuerUrl::new(p.provider.issuer.clone()).map_err(|_| unreachable())?;
    ProviderMetadataWithLogout::discover_async(issuer, &http_client).await.map_err(|e| {
        tracing::warn!(provider = %p.provider.slug, error = %e, "identity provider discovery failed");
        unreachable()
    })
}

/// A client made from discovered metadata: an authorization endpoint, maybe a token
/// and a userinfo endpoint.
type Discovered = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn client(state: &AppState, p: &StoredProvider, meta: ProviderMetadataWithLogout, secret: String) -> Result<Discovered, Failure> {
    let redirect = RedirectUrl::new(redirect_url(state, &p.provider.slug))
        .map_err(|_| fail(StatusCode::INTERNAL_SERVER_ERROR, "Assure's own address (ASSURE_PUBLIC_URL) is not a valid address"))?;
    Ok(CoreClient::from_provider_metadata(meta, ClientId::new(p.provider.client_id.clone()), Some(ClientSecret::new(secret)))
        .set_redirect_uri(redirect))
}

async fn provider_in_use(state: &AppState, slug: &str) -> Result<StoredProvider, Failure> {
    match state.store.oidc().provider(slug).await {
        Ok(Some(p)) if p.provider.active => Ok(p),
        Ok(_) => Err(fail(
            StatusCode::NOT_FOUND,
            "There is no such way to sign in. Sign in with your email address and password, or choose one of the ways shown.",
        )),
        Err(e) => Err(fail(StatusCode::SERVICE_UNAVAILABLE, format!("Assure could not read its sign-in settings ({e}). Try again shortly."))),
    }
}

/// GET /login/oidc/{slug}: send the browser to the provider.
pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    MaybeCaller(signed_in): MaybeCaller,
    Path(slug): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let next = crate::pages::login::safe_next(q.iter().find(|(k, _)| k == "next").map(|(_, v)| v.as_str()).unwrap_or("/"));
    if signed_in.is_some() {
        // Signed in already (as the sign-in page does): on to where they were going.
        return Ok(Redirect::to(&next).into_response());
    }
    match start_inner(&state, &slug, &next).await {
        Ok((url, browser)) => {
            let mut resp = Redirect::to(&url).into_response();
            resp.headers_mut().append(header::SET_COOKIE, browser_cookie(&state, &browser, 600).parse().unwrap());
            Ok(resp)
        }
        Err(f) => crate::pages::login::with_problem(&state, &ctx, &headers, f.status, &f.message).await,
    }
}

fn browser_cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = if state.config.https { "; Secure" } else { "" };
    format!("{BROWSER_COOKIE}={value}; Path=/login/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

async fn start_inner(state: &AppState, slug: &str, next: &str) -> Result<(String, String), Failure> {
    let p = provider_in_use(state, slug).await?;
    let secret = secret_of(state, &p)?;
    let meta = discover(&p).await?;
    let client = client(state, &p, meta, secret)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let browser = random_token();
    let pending = Pending {
        provider_id: p.id,
        browser_hash: sha256_hex(&browser),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next: next.to_string(),
    };
    state
        .store
        .oidc()
        .begin(&sha256_hex(csrf.secret()), &pending)
        .await
        .map_err(|e| fail(StatusCode::SERVICE_UNAVAILABLE, format!("Assure could not start the sign-in ({e}). Try again shortly.")))?;
    Ok((url.to_string(), browser))
}

/// GET /login/oidc/{slug}/callback: the provider sends the browser back with a code.
pub async fn callback(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    MaybeCaller(signed_in): MaybeCaller,
    Path(slug): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    if signed_in.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let clear = browser_cookie(&state, "", 0);
    let outcome = callback_inner(&state, &headers, &ip, &slug, get("state"), get("code"), get("error"), get("error_description")).await;
    let mut resp = match outcome {
        Ok(Ok((signed_in, next))) => on_to(&ctx, signed_in, &next),
        Ok(Err(f)) => crate::pages::login::with_problem(&state, &ctx, &headers, f.status, &f.message).await?,
        Err(e) => return Err(e),
    };
    resp.headers_mut().append(header::SET_COOKIE, clear.parse().unwrap());
    Ok(resp)
}

#[allow(clippy::too_many_arguments)]
async fn callback_inner(
    state: &AppState,
    headers: &HeaderMap,
    ip: &str,
    slug: &str,
    csrf: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
) -> Result<Result<(Response, String), Failure>, crate::error::AppError> {
    let refused = || {
        fail(
            StatusCode::BAD_REQUEST,
            "This sign-in could not be checked: it was started in another browser, has expired or was changed on the way. Start again.",
        )
    };
    // The state names a sign-in this browser started, once.
    let Some(csrf) = csrf.filter(|s| !s.is_empty() && s.len() <= 200) else { return Ok(Err(refused())) };
    let Some((pending, p)) = state.store.oidc().take(&sha256_hex(&csrf)).await? else { return Ok(Err(refused())) };
    let browser = cookie(headers, BROWSER_COOKIE).unwrap_or_default();
    if p.provider.slug != slug || sha256_hex(&browser) != pending.browser_hash {
        return Ok(Err(refused()));
    }
    let anonymous = Actor { user_id: None, label: "anonymous".into(), ip: ip.to_string() };
    if let Some(error) = error {
        let why = error_description.unwrap_or(error);
        let why: String = why.chars().filter(|c| !c.is_control()).take(200).collect();
        return Ok(Err(fail(StatusCode::UNAUTHORIZED, format!("{} did not sign you in: {why}", p.provider.label))));
    }
    let Some(code) = code.filter(|c| !c.is_empty()) else { return Ok(Err(refused())) };
    let secret = match secret_of(state, &p) {
        Ok(s) => s,
        Err(f) => return Ok(Err(f)),
    };
    let meta = match discover(&p).await {
        Ok(m) => m,
        Err(f) => return Ok(Err(f)),
    };
    let end_session = meta.additional_metadata().end_session_endpoint.clone();
    let client = match client(state, &p, meta, secret) {
        Ok(c) => c,
        Err(f) => return Ok(Err(f)),
    };
    let exchanged = match client.exchange_code(AuthorizationCode::new(code)) {
        Ok(req) => req.set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone())).request_async(&http_client).await,
        Err(_) => {
            return Ok(Err(fail(
                StatusCode::BAD_GATEWAY,
                format!("{} has no token endpoint, so Assure cannot sign you in with it.", p.provider.label),
            )))
        }
    };
    let tokens = match exchanged {
        Ok(t) => t,
        Err(RequestTokenError::ServerResponse(r)) if *r.error() == CoreErrorResponseType::InvalidClient => {
            tracing::warn!(provider = %p.provider.slug, "identity provider refused the client credentials");
            return Ok(Err(fail(
                StatusCode::BAD_GATEWAY,
                format!(
                    "{} refused Assure's client id or secret, so nobody can sign in with it until they are put right. Ask your administrator to check them (Settings, and {}), or sign in with your password.",
                    p.provider.label, p.provider.secret_env
                ),
            )));
        }
        Err(RequestTokenError::ServerResponse(r)) => {
            let why: String = r.error().as_ref().chars().filter(|c| !c.is_control()).take(100).collect();
            return Ok(Err(fail(StatusCode::UNAUTHORIZED, format!("{} refused the sign-in ({why}). Start again.", p.provider.label))));
        }
        Err(e) => {
            tracing::warn!(provider = %p.provider.slug, error = %e, "identity provider token request failed");
            return Ok(Err(fail(
                StatusCode::BAD_GATEWAY,
                format!("{} did not answer as expected. Try again later, or sign in with your password.", p.provider.label),
            )));
        }
    };
    let Some(id_token) = tokens.id_token() else {
        return Ok(Err(fail(StatusCode::BAD_GATEWAY, format!("{} sent no identity with its answer. Start again.", p.provider.label))));
    };
    // Signature, issuer, audience, expiry and the nonce this sign-in was given.
    let claims = match id_token.claims(&client.id_token_verifier(), &Nonce::new(pending.nonce.clone())) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(provider = %p.provider.slug, error = %e, "identity token refused");
            state.store.record(&anonymous, Event::new("user.login-failed", "oidc_provider", p.id, "identity token refused")).await?;
            return Ok(Err(refused()));
        }
    };
    let subject = claims.subject().as_str().to_string();
    // The verified token's own claims, for the ones the administrator named.
    let raw = id_token.to_string();
    let payload: serde_json::Value = raw
        .split('.')
        .nth(1)
        .and_then(|b| base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, b.trim_end_matches('=')).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(serde_json::Value::Null);
    let email = payload.get(&p.provider.email_claim).and_then(|v| v.as_str()).map(assure_domain::accounts::normalise_email);
    let verified = payload.get("email_verified").and_then(|v| v.as_bool());
    let groups: Vec<String> = match payload.get(&p.provider.groups_claim) {
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|g| g.as_str().map(str::to_string)).collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let mapping = group_roles(&p.provider.group_roles).unwrap_or_default();
    let mapped_role = role_for_groups(&mapping, &groups);

    let oidc = state.store.oidc();
    let users = state.store.users();
    let user = match oidc.linked(p.id, &subject).await? {
        Some(id) => users.get(id).await?,
        None => {
            let by_email = match &email {
                Some(e) if email_may_link(&p.provider.email_claim, verified) => users.by_email(e).await?.map(|(u, _)| u),
                _ => None,
            };
            match (by_email, &email, mapped_role) {
                (Some(u), _, _) => {
                    oidc.link(
                        &Actor { user_id: Some(u.id), label: u.email.clone(), ip: ip.to_string() },
                        p.id,
                        &subject,
                        u.id,
                        "matched by verified e-mail address",
                    )
                    .await?;
                    Some(u)
                }
                (None, Some(e), Some(role)) if p.provider.create_accounts && email_may_link(&p.provider.email_claim, verified) => {
                    let name = payload.get("name").and_then(|v| v.as_str()).filter(|n| !n.trim().is_empty()).unwrap_or(e).to_string();
                    let input = assure_domain::accounts::AccountInput { name, email: e.clone(), job_title: String::new(), role: Some(role) };
                    // No password: the account signs in through its provider only (a hash nothing verifies against).
                    let id = users.create_account(&Actor::system(), &input, "!").await?;
                    oidc.link(&Actor::system(), p.id, &subject, id, "account created at first sign-in").await?;
                    users.get(id).await?
                }
                _ => None,
            }
        }
    };
    let Some(user) = user.filter(|u| u.active) else {
        state.store.record(&anonymous, Event::new("user.login-failed", "oidc_provider", p.id, "no active account for this identity")).await?;
        return Ok(Err(fail(
            StatusCode::FORBIDDEN,
            format!(
                "{} signed you in, but you have no Assure account that it can use. Ask your administrator to set one up with the same email address.",
                p.provider.label
            ),
        )));
    };
    let actor = Actor { user_id: Some(user.id), label: user.email.clone(), ip: ip.to_string() };
    let user = match mapped_role {
        Some(role) if role != user.role => {
            oidc.set_role_from_groups(&actor, &user, role).await?;
            users.get(user.id).await?.unwrap_or(user)
        }
        _ => user,
    };
    // The teams the groups give: joined, and those the groups gave before and no longer
    // give left (no groups claim: no groups, so none of the provider's teams stay).
    let teams = teams_for_groups(&group_teams(&p.provider.group_teams).unwrap_or_default(), &groups);
    oidc.teams_from_groups(&actor, &p, user.id, &teams).await?;
    let logout = end_session.map(|url| {
        let mut r = LogoutRequest::from(url).set_id_token_hint(id_token).set_client_id(ClientId::new(p.provider.client_id.clone()));
        if let Ok(back) = PostLogoutRedirectUrl::new(format!("{}/login?notice=signed-out", state.config.public_url.trim_end_matches('/'))) {
            r = r.set_post_logout_redirect_uri(back);
        }
        r.http_get_url().to_string()
    });
    let how = format!("signed in through {}", p.provider.slug);
    let resp = crate::pages::login::start_session_with(state, headers, &user, ip, &pending.next, &how, logout.as_deref()).await?;
    Ok(Ok((resp, pending.next)))
}

/// Signed in: a page that sends the browser on to `next` (with a link for a browser that
/// does not follow a Refresh), carrying the new session's cookies. Not a redirect: the
/// provider brought the browser here from another site, and a browser sends no
/// SameSite=Strict cookie along a redirect chain another site began, so the session
/// would seem missing on the next page.
fn on_to(ctx: &Ctx, signed_in: Response, next: &str) -> Response {
    let body = maud::html! {
        h1 class="app-heading-l" { "You are signed in" }
        p class="app-body" { a class="app-link" href=(next) { "Continue" } }
    };
    let mut resp = crate::ui::layout(ctx, "Signed in", false, body).into_response();
    for c in signed_in.headers().get_all(header::SET_COOKIE) {
        resp.headers_mut().append(header::SET_COOKIE, c.clone());
    }
    if let Ok(v) = format!("0; url={next}").parse() {
        resp.headers_mut().insert(header::REFRESH, v);
    }
    resp
}
