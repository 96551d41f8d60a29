//! The route table. Every route is declared here with the permission it needs;
//! the guard refuses any request whose route has none (deny by default), and the
//! OpenAPI document is generated from the same table so it cannot drift.

use assure_domain::Permission;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware;
use axum::routing::{on, MethodFilter};
use axum::Router;

use crate::public::PublicState;
use crate::{api, auth, pages, public, security, AppState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Page,
    Api,
    Asset,
    /// The public site: the same for everyone, read without a session, cacheable, and
    /// served by handlers that are given only the public store (see [`Routes::public_get`]).
    PublicSite,
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
    pub summary: &'static str,
    pub kind: Kind,
}

/// Permissions by (method, path template).
#[derive(Debug, Default)]
pub struct RouteTable {
    pub specs: Vec<RouteSpec>,
}

impl RouteTable {
    pub fn permission(&self, method: &Method, path: &str) -> Option<Permission> {
        let m = if method == Method::HEAD { Method::GET } else { method.clone() };
        self.specs.iter().find(|s| s.method == m && s.path == path).map(|s| s.permission)
    }
    pub fn has_path(&self, path: &str) -> bool {
        self.specs.iter().any(|s| s.path == path)
    }
}

pub struct Routes {
    router: Router<AppState>,
    /// The public site's routes: their handlers' state is [`PublicState`], which holds
    /// the public store and nothing that reaches a child's record.
    public: Router<PublicState>,
    table: RouteTable,
}

/// The declared routes: the application's, and the public site's on their own state.
pub struct Routers {
    pub app: Router<AppState>,
    pub public: Router<PublicState>,
}

impl Routes {
    fn add<H, T>(mut self, method: Method, path: &'static str, permission: Permission, summary: &'static str, kind: Kind, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        assert!(!self.table.specs.iter().any(|s| s.method == method && s.path == path), "route {method} {path} declared twice");
        let filter = if method == Method::POST { MethodFilter::POST } else { MethodFilter::GET };
        self.router = self.router.route(path, on(filter, handler));
        self.table.specs.push(RouteSpec { method, path, permission, summary, kind });
        self
    }
    pub fn page_get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, p: Permission, summary: &'static str, h: H) -> Self {
        self.add(Method::GET, path, p, summary, Kind::Page, h)
    }
    pub fn page_post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, p: Permission, summary: &'static str, h: H) -> Self {
        self.add(Method::POST, path, p, summary, Kind::Page, h)
    }
    pub fn api_get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, p: Permission, summary: &'static str, h: H) -> Self {
        self.add(Method::GET, path, p, summary, Kind::Api, h)
    }
    pub fn api_post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, p: Permission, summary: &'static str, h: H) -> Self {
        self.add(Method::POST, path, p, summary, Kind::Api, h)
    }
    pub fn asset<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, summary: &'static str, h: H) -> Self {
        self.add(Method::GET, path, Permission::Public, summary, Kind::Asset, h)
    }
    /// A page of the public site: no sign-in, and a handler that can be given only the
    /// public store ([`PublicState`]), never the application's state.
    pub fn public_get<H: Handler<T, PublicState>, T: 'static>(mut self, path: &'static str, summary: &'static str, h: H) -> Self {
        assert!(!self.table.specs.iter().any(|s| s.method == Method::GET && s.path == path), "route GET {path} declared twice");
        self.public = self.public.route(path, axum::routing::get(h));
        self.table.specs.push(RouteSpec { method: Method::GET, path, permission: Permission::Public, summary, kind: Kind::PublicSite });
        self
    }
}

/// The child a request names, for the routes that name one: a child's own routes (pages
/// and API), a notification's line, a panel slot. A refusal on one of these is audited
/// against that child (see `auth::guard`).
pub fn child_key(template: &str, path: &str) -> Option<assure_storage::ChildKey> {
    use assure_storage::ChildKey;
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let param = |name: &str| t.iter().position(|s| *s == name).and_then(|i| p[i].parse::<i64>().ok());
    let starts = |prefix: &[&str]| t.len() >= prefix.len() && t[..prefix.len()] == *prefix;
    if starts(&["children", "{id}"]) || starts(&["api", "v1", "children", "{id}"]) {
        return param("{id}").map(ChildKey::Child);
    }
    if starts(&["notifications", "{id}"]) || starts(&["api", "v1", "notifications", "{id}"]) {
        return param("{id}").map(ChildKey::Recipient);
    }
    if starts(&["panels", "{id}", "slots", "{sid}"]) {
        return Some(ChildKey::Slot { panel: param("{id}")?, slot: param("{sid}")? });
    }
    None
}

/// Declare every route.
pub fn build() -> (Routers, RouteTable) {
    let r = Routes { router: Router::new(), public: Router::new(), table: RouteTable::default() };
    let r = pages::routes(r);
    let r = api::routes(r);
    let r = public::routes(r);
    (Routers { app: r.router, public: r.public }, r.table)
}

/// Wrap the declared routes in the guard and security headers, with a 404 page
/// for everything else.
pub fn finish(routers: Routers, state: AppState) -> Router {
    let public_state = PublicState::new(state.store.public(), &state.config.public_url);
    let public = routers.public.layer(middleware::map_response_with_state(public_state.clone(), public::cacheable)).with_state(public_state);
    let router = routers.app.merge(public);
    // Room for several evidence files in one form; each file is checked against its own limit.
    let body_limit = state.config.max_upload_bytes * 5 + 1024 * 1024;
    router
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), crate::hygiene::refuse_control_chars))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        // Inside the guard: the caller is known and allowed before a key is looked at.
        .layer(middleware::from_fn_with_state(state.clone(), api::idempotency::layer))
        .layer(middleware::from_fn_with_state(state.clone(), auth::guard))
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .with_state(state)
}

/// For tests: the declared table, without building state.
pub fn table() -> RouteTable {
    build().1
}
