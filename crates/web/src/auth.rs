//! Who is calling: passwords (Argon2id), server-side sessions, bearer tokens,
//! CSRF tokens, and the guard that every request passes through.

use std::net::{IpAddr, SocketAddr};

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use assure_domain::{Permission, Role};
use assure_storage::users::User;
use assure_storage::Actor;
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::routes::Kind;
use crate::AppState;

pub const SESSION_COOKIE: &str = "assure_session";
pub const PRE_CSRF_COOKIE: &str = "assure_form";
pub const CSRF_FIELD: &str = "_csrf";

// ------------------------------------------------------------------ secrets

fn argon2() -> Argon2<'static> {
    // OWASP's recommended Argon2id parameters (19 MiB, 2 passes).
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("argon2 params"))
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(password.as_bytes(), &salt).expect("hash password").to_string()
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// A hash that never verifies, checked against when the account does not exist
/// so that timing does not reveal which e-mail addresses have accounts.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not a real password"))
}

/// A password people can type: 4 groups of 4 from an unambiguous alphabet.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..4).map(|_| (0..4).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect::<String>()).collect::<Vec<_>>().join("-")
}

pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rngs::OsRng.gen();
    hex::encode(bytes)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Minimum standard for a password someone sets.
pub fn password_problem(p: &str) -> Option<&'static str> {
    if p.chars().count() < 12 {
        Some("Password must be 12 characters or more")
    } else if p.chars().count() > 128 {
        Some("Password must be 128 characters or fewer")
    } else {
        None
    }
}

// ------------------------------------------------------------------ caller

#[derive(Debug, Clone)]
pub struct SessionCtx {
    pub id_hash: String,
    pub csrf: String,
}

/// The signed-in account making this request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    /// Present for browser sessions; absent for bearer tokens.
    pub session: Option<SessionCtx>,
    pub ip: String,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor { user_id: Some(self.user.id), label: self.user.email.clone(), ip: self.ip.clone() }
    }
    pub fn can(&self, p: Permission) -> bool {
        self.user.role.allows(p)
    }
    pub fn role(&self) -> Role {
        self.user.role
    }
    pub fn csrf(&self) -> &str {
        self.session.as_ref().map(|s| s.csrf.as_str()).unwrap_or("")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Caller>().cloned().ok_or(AppError::Unauthorized)
    }
}

/// The caller if signed in (public pages).
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeCaller {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeCaller(parts.extensions.get::<Caller>().cloned()))
    }
}

/// The client's address: the peer, or X-Forwarded-For when the peer is a trusted proxy.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

fn client_ip(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    let peer_ip: Option<IpAddr> = peer.map(|p| p.ip());
    if let Some(ip) = peer_ip {
        if state.config.trusted_proxies.contains(&ip) {
            if let Some(fwd) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
                if let Some(last) = fwd.split(',').map(str::trim).rfind(|s| s.parse::<IpAddr>().is_ok()) {
                    return last.to_string();
                }
            }
        }
        return ip.to_string();
    }
    "local".to_string()
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

pub fn session_cookie_name(state: &AppState) -> &'static str {
    if state.config.https {
        "__Host-assure_session"
    } else {
        SESSION_COOKIE
    }
}

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if state.config.https {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    c
}

async fn resolve_caller(state: &AppState, headers: &HeaderMap, ip: &str) -> Result<Option<Caller>, AppError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let Some(token) = auth.strip_prefix("Bearer ") else { return Err(AppError::Unauthorized) };
        return match state.store.users().by_token(&sha256_hex(token.trim())).await? {
            Some(user) => Ok(Some(Caller { user, session: None, ip: ip.to_string() })),
            None => {
                // A wrong token is counted against the address (as a wrong password is):
                // past the address's free attempts, 429 with Retry-After.
                match claim_sign_in(state, &SignInKeys::new("(api token)", ip)).await? {
                    Some(secs) => Err(AppError::Throttled(secs)),
                    None => Err(AppError::Unauthorized),
                }
            }
        };
    }
    let Some(raw) = cookie(headers, session_cookie_name(state)) else { return Ok(None) };
    let id_hash = sha256_hex(&raw);
    let Some(s) = state.store.sessions().get(&id_hash).await? else { return Ok(None) };
    let now = state.clock().now();
    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).map(|d| d.with_timezone(&Utc)).unwrap_or(now);
    let idle = chrono::Duration::from_std(state.config.session_idle).unwrap_or_default();
    let absolute = chrono::Duration::from_std(state.config.session_absolute).unwrap_or_default();
    let last_seen = parse(&s.last_seen_at);
    if now - last_seen > idle || now - parse(&s.created_at) > absolute {
        state.store.sessions().delete(&id_hash).await?;
        return Ok(None);
    }
    if now - last_seen > chrono::Duration::seconds(30) {
        state.store.sessions().touch(&id_hash).await?;
    }
    Ok(Some(Caller { user: s.user, session: Some(SessionCtx { id_hash, csrf: s.csrf_token }), ip: ip.to_string() }))
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

fn query_field(uri: &axum::http::Uri, name: &str) -> Option<String> {
    uri.query().and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned()))
}

/// Constant-time comparison of two tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Every request passes here. Finds the route's permission (none: refused),
/// identifies the caller, checks the permission and, on state-changing
/// requests, the CSRF token.
pub async fn guard(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    match guard_inner(&state, req, next).await {
        Ok(r) => r,
        Err((e, kind)) => e.respond(kind == Kind::Api),
    }
}

async fn guard_inner(state: &AppState, mut req: Request<Body>, next: Next) -> Result<Response, (AppError, Kind)> {
    let Some(path) = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()) else {
        // Not a declared route: the fallback answers 404.
        return Ok(next.run(req).await);
    };
    let method = req.method().clone();
    let spec = state.routes.specs.iter().find(|s| s.path == path);
    let kind = spec.map(|s| s.kind).unwrap_or(if path.starts_with("/api/") { Kind::Api } else { Kind::Page });
    let Some(permission) = state.routes.permission(&method, &path) else {
        if state.routes.has_path(&path) {
            // A declared path with another method: let the router answer 405.
            return Ok(next.run(req).await);
        }
        tracing::warn!(route = %path, "request to a route with no declared permission refused");
        return Err((AppError::Forbidden, kind));
    };
    if kind == Kind::PublicSite {
        // The public site is the same for everyone: no session is read, so nothing about
        // the reader reaches its pages (and a cache may serve them).
        return Ok(next.run(req).await);
    }
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = client_ip(state, req.headers(), peer);
    req.extensions_mut().insert(ClientIp(ip.clone()));
    let caller = resolve_caller(state, req.headers(), &ip).await.map_err(|e| (e, kind))?;
    let changes_state = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);

    if changes_state {
        // Cross-site requests are refused outright when the browser says where they come from.
        if let (Some(origin), Some(host)) = (req.headers().get(header::ORIGIN), req.headers().get(header::HOST)) {
            let origin = origin.to_str().unwrap_or("");
            let host = host.to_str().unwrap_or("");
            let origin_host = origin.split("://").nth(1).unwrap_or("");
            if origin != "null" && origin_host != host {
                return Err((AppError::CsrfFailed, kind));
            }
        }
        let via_session = caller.as_ref().map(|c| c.session.is_some()).unwrap_or(true);
        if via_session {
            let expected = match &caller {
                Some(c) => c.csrf().to_string(),
                // Signed-out forms (sign-in) use a double-submit cookie.
                None => cookie(req.headers(), PRE_CSRF_COOKIE).unwrap_or_default(),
            };
            let mut presented =
                req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string).or_else(|| query_field(req.uri(), CSRF_FIELD));
            let is_form = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
            if presented.is_none() && is_form {
                let (parts, body) = req.into_parts();
                let bytes = to_bytes(body, 4 * 1024 * 1024).await.map_err(|_| (AppError::TooLarge("The form is too large to send".into()), kind))?;
                presented = form_field(&bytes, CSRF_FIELD);
                req = Request::from_parts(parts, Body::from(bytes));
            }
            if !same(&expected, presented.as_deref().unwrap_or("")) {
                return Err((AppError::CsrfFailed, kind));
            }
        }
    }

    if permission != Permission::Public {
        let Some(c) = &caller else {
            if kind == Kind::Page && method == Method::GET {
                let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let next_q: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
                return Ok(Redirect::to(&format!("/login?next={next_q}")).into_response());
            }
            return Err((AppError::Unauthorized, kind));
        };
        if !c.can(permission) {
            // A refused request that names a child is recorded against that child (or the
            // unknown number), whoever made it: a committee member opening a child's page,
            // a practitioner opening the emergency access form, a SPOC opening an operation.
            // Any other refused request is recorded too, by its path (ids only, never form data).
            let why = format!("{method} {path}: refused, the role {} does not allow {}", c.role().slug(), permission.name());
            let recorded = match crate::routes::child_key(&path, req.uri().path()) {
                Some(key) => state.store.record_refusal(&c.actor(), key, &why).await,
                None => state.store.record(&c.actor(), assure_storage::audit::Event::new("access.refused", "route", req.uri().path(), why)).await,
            };
            recorded.map_err(|e| (AppError::from(e), kind))?;
            return Err((AppError::Forbidden, kind));
        }
    }
    if let Some(c) = caller {
        req.extensions_mut().insert(c);
    }
    Ok(next.run(req).await)
}

/// The keys a sign-in attempt is throttled by: hashes, so the table holds no e-mail
/// address or network address.
pub struct SignInKeys {
    pair: String,
    address: String,
    account: String,
}

impl SignInKeys {
    pub fn new(email: &str, ip: &str) -> SignInKeys {
        let email = email.trim().to_lowercase();
        SignInKeys {
            pair: sha256_hex(&format!("pair\n{ip}\n{email}")),
            address: sha256_hex(&format!("address\n{ip}")),
            account: sha256_hex(&format!("account\n{email}")),
        }
    }
}

/// Sign-in throttling: the attempt is counted against the address and account
/// together, the address, and the account, atomically and before the password is
/// checked. `Some(seconds)` when it must wait.
pub async fn claim_sign_in(state: &AppState, keys: &SignInKeys) -> Result<Option<i64>, AppError> {
    use assure_storage::sessions::{Claim, Limit};
    let c = &state.config;
    let d = |d: std::time::Duration| chrono::Duration::from_std(d).unwrap_or_default();
    let limits = [
        Limit { scope: "pair", key: &keys.pair, free: c.login_pair_free, first_delay: d(c.login_first_delay), max_delay: d(c.login_max_delay) },
        Limit {
            scope: "address",
            key: &keys.address,
            free: c.login_address_free,
            first_delay: d(c.login_first_delay),
            max_delay: d(c.login_max_delay),
        },
        Limit {
            scope: "account",
            key: &keys.account,
            free: c.login_account_free,
            first_delay: d(c.login_first_delay),
            max_delay: d(c.login_account_max_delay),
        },
    ];
    Ok(match state.store.sessions().claim_sign_in(&limits, d(c.login_window)).await? {
        Claim::Go => None,
        Claim::Wait(s) => Some(s),
    })
}

/// A correct password: the address-and-account and account limits start again; the
/// address's is given back the attempt (others signing in from an office's shared
/// address are not slowed by people who typed their password right).
pub async fn sign_in_succeeded(state: &AppState, keys: &SignInKeys) -> Result<(), AppError> {
    state.store.sessions().sign_in_succeeded(&[("pair", &keys.pair), ("account", &keys.account)], &[("address", &keys.address)]).await?;
    Ok(())
}

/// "Wait 3 minutes" / "Wait 40 seconds": when to try again, in words.
pub fn wait_in_words(secs: i64) -> String {
    if secs >= 90 {
        format!("{} minutes", (secs + 59) / 60)
    } else if secs == 1 {
        "1 second".to_string()
    } else {
        format!("{secs} seconds")
    }
}
