//! The OpenAPI 3.0.3 document, generated from the route table so that it always
//! lists exactly the API routes that exist, each with its permission. Request
//! bodies come from [`request_schema`], one hand-written schema per write.

use assure_domain::tracker::{ExecutiveResponse, Lifecycle, Rag, ReviewKind};
use assure_domain::Permission;
use axum::http::Method;
use serde_json::{json, Map, Value};

use super::extract::Slugged;
use crate::auth::SESSION_COOKIE;
use crate::routes::{Kind, RouteSpec, RouteTable};

/// The document for the API routes in `table`.
pub fn document(table: &RouteTable) -> Value {
    let mut paths = Map::new();
    for spec in table.specs.iter().filter(|s| s.kind == Kind::Api) {
        let item = paths.entry(spec.path.to_string()).or_insert_with(|| json!({}));
        item[spec.method.as_str().to_lowercase()] = operation(spec);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Assure API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Reviews, recommendations and their delivery, for council systems and scripts. \
                Authenticate with an API token (Authorization: Bearer <token>, issued by an administrator) or a signed-in \
                browser session (POST requests then also need the X-CSRF-Token header). Each operation's x-permission \
                names the permission its caller's role must have. Errors are JSON: {error, title, message, fields?}; \
                a 422 lists the problem fields in fields[]. Dates are YYYY-MM-DD. Changes carry the version the client \
                read; a stale one is refused with 409 and nothing is saved."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearerAuth": [] }, { "cookieSession": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": { "type": "http", "scheme": "bearer", "description": "An API token issued to an account; the caller has that account's role" },
                "cookieSession": { "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE, "description": "A signed-in browser session (named __Host-assure_session over HTTPS); POSTs need the X-CSRF-Token header" }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "title", "message"],
                    "properties": {
                        "error": { "type": "string", "description": "A stable code, e.g. not_found, forbidden, conflict, invalid, bad_request" },
                        "title": { "type": "string" },
                        "message": { "type": "string" },
                        "fields": {
                            "type": "array",
                            "description": "With 422: one problem per field, in form order",
                            "items": { "type": "object", "required": ["field", "message"], "properties": { "field": { "type": "string" }, "message": { "type": "string" } } }
                        }
                    }
                }
            }
        }
    })
}

fn operation(spec: &RouteSpec) -> Value {
    let mut op = json!({
        "operationId": operation_id(&spec.method, spec.path),
        "summary": spec.summary,
        "x-permission": spec.permission.name(),
        "responses": responses(spec),
    });
    let mut params = path_parameters(spec.path);
    if spec.method == Method::GET {
        params.extend(query_parameters(spec.path));
    }
    if !params.is_empty() {
        op["parameters"] = Value::Array(params);
    }
    if spec.permission == Permission::Public {
        op["security"] = json!([]);
    }
    if let Some(schema) = request_schema(&spec.method, spec.path) {
        op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": schema } } });
    }
    op
}

/// "post_recommendations_id_updates".
fn operation_id(method: &Method, path: &str) -> String {
    let words: Vec<&str> = path.trim_start_matches("/api/v1/").split('/').map(|s| s.trim_matches(|c| c == '{' || c == '}')).collect();
    format!("{}_{}", method.as_str().to_lowercase(), words.join("_").replace(['.', '-'], "_"))
}

/// One parameter per `{name}` segment.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "integer", "format": "int64", "minimum": 1 } }))
        .collect()
}

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": schema, "description": description })
}

fn query_parameters(path: &str) -> Vec<Value> {
    let id = || json!({ "type": "integer", "format": "int64" });
    match path {
        "/api/v1/recommendations" => vec![
            query("body_id", id(), "Monitored by this committee"),
            query("review_id", id(), "Made by this review"),
            query("lead", id(), "Led by this account"),
            query("lifecycle", slugs::<Lifecycle>(), "Lifecycle status"),
            query("response", slugs::<ExecutiveResponse>(), "Executive response"),
            query("rag", slugs::<Rag>(), "Effective delivery RAG"),
            query(
                "overdue",
                json!({ "type": "string", "enum": ["response", "target"] }),
                "Executive response overdue, or open with its target date passed",
            ),
            query("q", json!({ "type": "string" }), "Words in the reference or wording"),
            query("page", json!({ "type": "integer", "minimum": 1, "default": 1 }), "Page number"),
            query("per_page", json!({ "type": "integer", "minimum": 1, "maximum": 200, "default": 50 }), "Items per page"),
        ],
        "/api/v1/dashboard" => vec![query("body_id", id(), "Only recommendations monitored by this committee")],
        _ => Vec::new(),
    }
}

/// Writes that create a record answer 201 with it.
pub fn creates(method: &Method, path: &str) -> bool {
    *method == Method::POST
        && matches!(
            path,
            "/api/v1/reviews"
                | "/api/v1/reviews/{id}/recommendations"
                | "/api/v1/recommendations/{id}/updates"
                | "/api/v1/recommendations/{id}/actions"
        )
}

fn responses(spec: &RouteSpec) -> Value {
    let error = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let ok = json!({ "description": if creates(&spec.method, spec.path) { "Created: the new record" } else { "OK" }, "content": { "application/json": { "schema": {} } } });
    let mut r = Map::new();
    r.insert(if creates(&spec.method, spec.path) { "201" } else { "200" }.into(), ok);
    let writes = spec.method == Method::POST;
    if writes || !query_parameters(spec.path).is_empty() {
        r.insert("400".into(), error("Bad request: malformed JSON or query parameter"));
    }
    if spec.permission != Permission::Public {
        r.insert("401".into(), error("No valid token or session"));
        r.insert("403".into(), error("The caller's role does not allow this (or, for progress, the caller does not lead the recommendation)"));
    }
    if spec.path.contains('{') {
        r.insert("404".into(), error("No such record"));
    }
    let schema = request_schema(&spec.method, spec.path);
    if schema.as_ref().is_some_and(|s| s["properties"].get("version").is_some()) {
        r.insert("409".into(), error("Someone else changed the record since the version sent: nothing was saved"));
    }
    if writes {
        r.insert("422".into(), error("Validation failed: see fields"));
    }
    Value::Object(r)
}

fn slugs<T: Slugged>() -> Value {
    json!({ "type": "string", "enum": T::slugs() })
}

fn object(required: &[&str], properties: Value) -> Value {
    let mut o = json!({ "type": "object", "additionalProperties": false, "properties": properties });
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o
}

fn date(description: &str) -> Value {
    json!({ "type": "string", "format": "date", "example": "2017-10-05", "description": description })
}

fn text(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn id(description: &str) -> Value {
    json!({ "type": "integer", "format": "int64", "description": description })
}

fn version() -> Value {
    json!({ "type": "integer", "format": "int64", "description": "The record's version as read; a stale one is refused with 409" })
}

/// The JSON body each write endpoint takes, by (method, path template). Every
/// POST route in the API has one (a test checks).
pub fn request_schema(method: &Method, path: &str) -> Option<Value> {
    if *method != Method::POST {
        return None;
    }
    Some(match path {
        "/api/v1/reviews" => object(
            &["kind", "title"],
            json!({
                "kind": slugs::<ReviewKind>(),
                "title": text("Title of the review"),
                "terms_of_reference": text("Terms of reference"),
                "lead_member": text("Lead member"),
                "members": text("Members"),
                "origin_body_id": id("The body the review came from"),
                "start_date": date("Review started"),
                "end_date": date("Review ended (not before the start)"),
                "report_date": date("Date of the final report"),
                "final_report_ref": text("Reference of the final report"),
                "referred_to_body_id": id("The body the recommendations were referred to (needed with referral_date)"),
                "referral_date": date("Date referred: the response deadline runs from the later of this and the report date"),
            }),
        ),
        "/api/v1/reviews/{id}/recommendations" => object(
            &["committee_wording"],
            json!({
                "parent_id": id("For a sub-item: the numbered recommendation it belongs to"),
                "number": { "type": "integer", "minimum": 1, "maximum": 999, "description": "Needed unless parent_id is given" },
                "sub_label": text("For a sub-item: its letter, e.g. a"),
                "committee_wording": text("The recommendation as the committee worded it"),
                "executive_wording": text("As the executive agreed it"),
                "who_must_act": text("Who must act"),
                "area": text("Service area"),
                "outcome": text("The outcome sought"),
                "monitoring_body_id": id("The committee monitoring it"),
                "lead_ids": { "type": "array", "items": { "type": "integer", "format": "int64" }, "description": "Lead officers' account ids" },
            }),
        ),
        "/api/v1/recommendations/{id}/updates" => object(
            &["update_date", "narrative"],
            json!({
                "update_date": date("Date of the update"),
                "narrative": text("The progress made"),
                "progress_percent": { "type": "integer", "minimum": 0, "maximum": 100 },
                "corrects_id": id("An earlier update of this recommendation that this one corrects"),
            }),
        ),
        "/api/v1/recommendations/{id}/response" => object(
            &["response", "response_date", "version"],
            json!({
                "response": { "type": "string", "enum": ExecutiveResponse::slugs().into_iter().filter(|s| *s != "awaiting").collect::<Vec<_>>() },
                "response_date": date("Date of the executive's response"),
                "response_reason": text("Needed when rejected (also accepted as reason)"),
                "version": version(),
            }),
        ),
        "/api/v1/recommendations/{id}/lifecycle" => object(
            &["lifecycle", "version"],
            json!({
                "lifecycle": { "type": "string", "enum": Lifecycle::officer_choices().iter().map(|l| l.slug()).collect::<Vec<_>>(), "description": "Sign-off and transfer are committee decisions, not set here" },
                "reason": text("Needed for paused, not-feasible and superseded"),
                "version": version(),
            }),
        ),
        "/api/v1/recommendations/{id}/actions" => object(
            &["text", "target_date"],
            json!({
                "text": text("The action"),
                "owner": text("Who owns it"),
                "target_date": date("Target date"),
            }),
        ),
        "/api/v1/actions/{id}/revise" => object(
            &["new_date", "reason", "version"],
            json!({
                "new_date": date("The new target date; the earlier one is kept in the history"),
                "reason": text("Why the date is being revised"),
                "version": version(),
            }),
        ),
        _ => return None,
    })
}
