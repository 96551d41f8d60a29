//! The OpenAPI document, derived with `utoipa` from the handlers' `#[utoipa::path]`
//! attributes and the request and response types (each derives `ToSchema`), so it
//! describes what the code parses and answers. The route table adds what only it
//! knows: each operation's summary, its permission (`x-permission`), which routes
//! need no credentials, and the refusals its guard and extractors give (401, 403,
//! 400). A test checks that the document lists exactly the route table's API routes.

use axum::http::Method;
use serde_json::{json, Value};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::views::ErrorView;
use super::{cases, children, chronology, handlers, imports, pathway, reports};
use crate::auth::SESSION_COOKIE;
use crate::routes::{Kind, RouteTable};
use assure_domain::tracker::{ExecutiveResponse, Lifecycle, Rag};
use assure_domain::Permission;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Assure API",
        description = "Reviews, recommendations and their delivery, and children's records within the caller's reach, for council \
            systems and scripts. Authenticate with an API token (Authorization: Bearer <token>, issued by an administrator) or a \
            signed-in browser session (POST requests then also need the X-CSRF-Token header). Each operation's x-permission names \
            the permission its caller's role must have. Errors are JSON (the Error schema); a 422 lists every problem at once in \
            fields[]. Dates are YYYY-MM-DD. Changes carry the version the client read; a stale one is refused with 409 and nothing \
            is saved. A child outside the caller's reach answers 404 no_such_child, exactly as one that does not exist."
    ),
    servers((url = "/")),
    paths(
        handlers::openapi,
        handlers::me,
        handlers::bodies,
        handlers::reviews,
        handlers::create_review,
        handlers::review,
        handlers::create_recommendation,
        handlers::list_recommendations,
        handlers::recommendation,
        handlers::add_update,
        handlers::record_response,
        handlers::set_lifecycle,
        handlers::add_action,
        handlers::revise_action,
        handlers::dashboard,
        handlers::schedule,
        reports::list,
        reports::create,
        reports::show,
        imports::upload,
        imports::preview,
        imports::apply,
        children::list,
        children::show,
        children::referrals,
        children::plan,
        pathway::raise_concern,
        pathway::record_placement,
        pathway::acknowledge,
        pathway::record_episode,
        pathway::record_return,
        pathway::record_interview,
        cases::queue,
        cases::child_cases,
        cases::strategy,
        cases::section_47,
        cases::conference,
        cases::review_conference,
        cases::marac_list,
        chronology::list,
        cases::marac_record,
        cases::marac_review,
        cases::monitoring,
        cases::challenges,
        cases::challenge,
        cases::respond,
    ),
    // The types query parameters name (request and response bodies bring their own).
    components(schemas(ErrorView, handlers::Overdue, Lifecycle, ExecutiveResponse, Rag)),
    security(("bearerAuth" = []), ("cookieSession" = [])),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token issued to an account; the caller has that account's role"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookieSession",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "A signed-in browser session (named __Host-assure_session over HTTPS); POSTs need the X-CSRF-Token header",
            ))),
        );
    }
}

/// The document for the API routes in `table`: utoipa's, with each operation given
/// its summary, permission and the guard's refusals from the route table.
pub fn document(table: &RouteTable) -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serialises");
    doc["info"]["version"] = json!(env!("CARGO_PKG_VERSION"));
    let error = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    for spec in table.specs.iter().filter(|s| s.kind == Kind::Api) {
        let Some(op) = doc["paths"].get_mut(spec.path).and_then(|item| item.get_mut(spec.method.as_str().to_lowercase())) else {
            // Not documented: the drift test names it.
            continue;
        };
        op["summary"] = json!(spec.summary);
        op["x-permission"] = json!(spec.permission.name());
        let has_query = op["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
        if spec.method == Method::POST {
            // Every POST takes an Idempotency-Key (see api::idempotency).
            let params = op.as_object_mut().expect("an operation").entry("parameters").or_insert_with(|| json!([]));
            params.as_array_mut().expect("parameters").push(json!({
                "name": "Idempotency-Key",
                "in": "header",
                "required": false,
                "description": "Per account: the same key with the same request answers the first response again (Idempotent-Replayed: true) \
                    instead of doing it twice; with a different request, 422; while the first is still running, 409",
                "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$" }
            }));
        }
        if spec.permission == Permission::Public {
            op["security"] = json!([]);
        }
        let responses = op["responses"].as_object_mut().expect("an operation has responses");
        if spec.method == Method::POST || has_query {
            responses.entry("400").or_insert_with(|| error("Bad request: malformed JSON, a field of the wrong type, or a bad query parameter"));
        }
        if spec.method == Method::POST {
            responses.entry("409").or_insert_with(|| error("The first request with this Idempotency-Key is still running"));
            responses.entry("422").or_insert_with(|| error("This Idempotency-Key was used for a different request"));
        }
        if spec.permission != Permission::Public {
            responses.entry("401").or_insert_with(|| error("No valid token or session"));
            responses.entry("403").or_insert_with(|| error("The caller's role does not allow this"));
        }
    }
    doc
}
