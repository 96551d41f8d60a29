//! Assure's HTTP edge: server-rendered pages, the JSON API, sign-in, sessions and
//! the security around them. Handlers are thin: they parse, call the store (which
//! applies the domain rules) and render.

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod error;
pub mod evidence;
pub mod export;
pub mod forms;
pub mod hygiene;
pub mod oidc;
pub mod pages;
pub mod policy;
pub mod public;
pub mod routes;
pub mod security;
pub mod two_factor;
pub mod ui;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use assure_domain::Clock;
use assure_storage::Store;
use axum::Router;
use chrono::NaiveDate;

/// Runtime settings of the web edge (not council settings: those live in the database).
#[derive(Debug, Clone)]
pub struct Config {
    /// Where uploaded evidence is kept (outside any web root).
    pub data_dir: PathBuf,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Served over HTTPS (directly or behind a TLS proxy): Secure cookies and HSTS.
    pub https: bool,
    /// The address people reach Assure at (`ASSURE_PUBLIC_URL`, else the listening
    /// address): links in e-mail are made from it, never from a request's Host header.
    pub public_url: String,
    pub max_upload_bytes: usize,
    /// Proxies whose X-Forwarded-For header is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Sign-in throttling (NCSC: delays, not lock-outs). Attempts that go at once for
    /// one account from one address, after which each must wait, the wait doubling up
    /// to `login_max_delay`.
    pub login_pair_free: i64,
    /// Attempts that go at once from one address, whatever the accounts.
    pub login_address_free: i64,
    /// Attempts that go at once for one account, whatever the addresses: a softer
    /// limit, whose wait never exceeds `login_account_max_delay`, so a stranger
    /// guessing from elsewhere cannot keep the real user out.
    pub login_account_free: i64,
    pub login_first_delay: Duration,
    pub login_max_delay: Duration,
    pub login_account_max_delay: Duration,
    /// A key with no attempt for this long starts again.
    pub login_window: Duration,
    /// Identity providers' client secrets given here rather than in the environment
    /// (tests), by the name of the environment variable they stand for.
    pub oidc_secrets: Secrets,
}

/// Secrets by name, never printed.
#[derive(Clone, Default)]
pub struct Secrets(pub std::collections::HashMap<String, String>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} given)", self.0.len())
    }
}

impl Config {
    /// An identity provider's client secret: given in the configuration, else the
    /// environment variable of that name. Never empty.
    pub fn oidc_secret(&self, env_name: &str) -> Option<String> {
        self.oidc_secrets.0.get(env_name).cloned().or_else(|| std::env::var(env_name).ok()).filter(|s| !s.trim().is_empty())
    }
}

impl Config {
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            data_dir,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            https: false,
            public_url: "http://127.0.0.1:8080".into(),
            max_upload_bytes: 10 * 1024 * 1024,
            trusted_proxies: Vec::new(),
            login_pair_free: 5,
            login_address_free: 20,
            login_account_free: 20,
            login_first_delay: Duration::from_secs(2),
            login_max_delay: Duration::from_secs(15 * 60),
            login_account_max_delay: Duration::from_secs(60),
            login_window: Duration::from_secs(60 * 60),
            oidc_secrets: Secrets::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub routes: Arc<routes::RouteTable>,
}

impl AppState {
    /// The council's clock (the store's: one clock for the application).
    pub fn clock(&self) -> &Clock {
        self.store.clock()
    }

    /// The London date today: RAGs, deadlines and ages are computed against it.
    pub fn today(&self) -> NaiveDate {
        self.store.today()
    }
}

/// The whole application: every route, each with its permission, behind the
/// deny-by-default guard and the security headers.
pub fn app(store: Store, config: Config) -> Router {
    let (routers, table) = routes::build();
    let state = AppState { store, config: Arc::new(config), routes: Arc::new(table) };
    routes::finish(routers, state)
}
