//! Administration: accounts, API tokens, the audit log and council settings.

use assure_domain::accounts::{check_activation, AccountInput};
use assure_domain::chase::{check_rules, ChaseKind, ChaseRule};
use assure_domain::settings::{check_settings, Settings};
use assure_domain::{Invalid, Role};
use assure_storage::audit::AuditFilter;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use super::id;
use crate::auth::{self, Caller};
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

async fn users_render(
    state: &AppState,
    ctx: &Ctx,
    f: &Fields,
    errors: &Invalid,
    created: Option<(String, String)>,
    status: StatusCode,
) -> PageResult {
    let users = state.store.users().list().await?;
    let last = state.store.users().last_sign_ins().await?;
    let last_shown = |id: i64| last.get(&id).map(|t| ui::when(t)).unwrap_or_else(|| "Never".into());
    let roles: Vec<(String, String)> = Role::ALL.iter().map(|r| (r.slug().to_string(), r.label().to_string())).collect();
    let content = html! {
        (ui::error_summary(errors))
        @if let Some((email, password)) = &created {
            (ui::important_banner("Account created", html! {
                p class="app-notification-banner__heading" { "Give " (email) " this one-time password by a secure route. It is shown only once." }
                p class="app-body" { code data-testid="one-time-password" { (password) } }
            }))
        }
        h1 class="app-heading-l" { "Users" }
        p class="app-body" { a class="app-link" href="/admin/tokens" { "API tokens" } }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Users" {
        table class="app-table" {
            thead class="app-table__head" { tr class="app-table__row" {
                th class="app-table__header" scope="col" { "Name" } th class="app-table__header" scope="col" { "Email" } th class="app-table__header" scope="col" { "Role" } th class="app-table__header" scope="col" { "Last signed in" } th class="app-table__header" scope="col" { "Status" } th class="app-table__header" scope="col" { span class="app-visually-hidden" { "Actions" } }
            } }
            tbody class="app-table__body" {
                @for u in &users {
                    tr class="app-table__row" {
                        td class="app-table__cell" { (u.name) @if !u.job_title.is_empty() { br; span class="app-body-s" { (u.job_title) } } }
                        td class="app-table__cell" { (u.email) }
                        td class="app-table__cell" { (u.role.label()) }
                        td class="app-table__cell" { (last_shown(u.id)) }
                        td class="app-table__cell" { @if u.active { (ui::tag("Active", assure_domain::tracker::TagColour::Green)) } @else { (ui::tag("Deactivated", assure_domain::tracker::TagColour::Grey)) } }
                        td class="app-table__cell" {
                            @if ctx.caller.as_ref().map(|c| c.user.id) != Some(u.id) {
                                form method="post" action={ "/admin/users/" (u.id) "/active" } {
                                    (ui::csrf(ctx.csrf()))
                                    input type="hidden" name="active" value=(if u.active { "0" } else { "1" });
                                    button type="submit" class="app-button app-button--secondary app-button--small" { (if u.active { "Deactivate" } else { "Reactivate" }) span class="app-visually-hidden" { " " (u.email) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        }
        h2 class="app-heading-m" { "Create an account" }
        form method="post" action="/admin/users" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::text_input(Field::new("name", "Full name", f.get("name"), errors), "app-input--width-20"))
            (ui::input_of_type(Field::new("email", "Email address", f.get("email"), errors), "app-input--width-30", "email", Some("off")))
            (ui::text_input(Field::new("job_title", "Job title (optional)", f.get("job_title"), errors), "app-input--width-30"))
            (ui::radios(Field::new("role", "Role", f.get("role"), errors), &roles, false))
            (ui::button("Create account"))
        }
    };
    Ok((status, ui::layout(ctx, "Users", !errors.is_empty(), content)).into_response())
}

pub async fn users(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    users_render(&state, &ctx, &Fields::default(), &Invalid::new(), None, StatusCode::OK).await
}

pub async fn create_user(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let input =
        AccountInput { name: f.string("name"), email: f.string("email"), job_title: f.string("job_title"), role: Role::from_slug(f.get("role")) };
    // The store checks the account (and whether the address is taken) all at once; the
    // one-time password is hashed first, off the async workers, and used only if it passes.
    let password = auth::generate_password();
    let p = password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&p)).await.map_err(|e| AppError::Internal(e.to_string()))?;
    match state.store.users().create_account(&caller.actor(), &input, &hash).await.map_err(AppError::from) {
        Ok(_) => {
            users_render(
                &state,
                &ctx,
                &Fields::default(),
                &Invalid::new(),
                Some((f.get("email").trim().to_lowercase(), password)),
                StatusCode::CREATED,
            )
            .await
        }
        Err(AppError::Invalid(e)) => users_render(&state, &ctx, &f, &e, None, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn set_active(State(state): State<AppState>, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let change = check_activation(Some(caller.user.id), id(&raw)?, f.get("active") == "1")
        .map_err(|e| AppError::BadRequest(e.errors.into_iter().map(|x| x.message).collect::<Vec<_>>().join(" ")))?;
    state.store.users().set_active(&caller.actor(), &change).await?;
    Ok(done("/admin/users", "user-saved"))
}

pub async fn tokens(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let tokens = state.store.users().tokens().await?;
    let content = html! {
        (ui::back_link("/admin/users", "Back to users"))
        h1 class="app-heading-l" { "API tokens" }
        p class="app-body" { "Tokens are created with " code { "assure token create --user EMAIL" } " and shown once; only a hash is kept." }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="API tokens" {
        table class="app-table" {
            thead class="app-table__head" { tr class="app-table__row" {
                th class="app-table__header" scope="col" { "Name" } th class="app-table__header" scope="col" { "Account" } th class="app-table__header" scope="col" { "Created" } th class="app-table__header" scope="col" { "Status" }
            } }
            tbody class="app-table__body" {
                @for t in &tokens {
                    tr class="app-table__row" {
                        td class="app-table__cell" { (t.name) }
                        td class="app-table__cell" { (t.user_email) }
                        td class="app-table__cell" { (t.created_at.get(..10).unwrap_or("")) }
                        td class="app-table__cell" {
                            @if t.revoked_at.is_some() { (ui::tag("Revoked", assure_domain::tracker::TagColour::Grey)) } @else {
                                form method="post" action={ "/admin/tokens/" (t.id) "/revoke" } {
                                    (ui::csrf(ctx.csrf()))
                                    button type="submit" class="app-button app-button--warning app-button--small" { "Revoke" span class="app-visually-hidden" { " token " (t.name) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        }
    };
    Ok(ui::layout(&ctx, "API tokens", false, content).into_response())
}

pub async fn revoke_token(State(state): State<AppState>, caller: Caller, Path(raw): Path<String>) -> PageResult {
    state.store.users().revoke_token(&caller.actor(), id(&raw)?).await?;
    Ok(done("/admin/tokens", "token-revoked"))
}

const AUDIT_PAGE: i64 = 100;

pub async fn audit(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let f = Fields(q);
    let page = f.get("page").parse::<i64>().unwrap_or(1).max(1);
    let mut v = Invalid::new();
    for (n, label) in [("from", "From"), ("to", "To")] {
        if !f.get(n).trim().is_empty() && f.date(n).is_none() {
            v.add(n, format!("{label} must be a real date, for example 01/11/2026"));
        }
    }
    let filter = AuditFilter {
        actor: Some(f.string("actor")),
        action: Some(f.string("action")),
        record_type: Some(f.string("record_type")),
        record_id: Some(f.string("record_id")),
        from: f.date("from").map(assure_domain::dates::iso),
        to: f.date("to").map(assure_domain::dates::iso),
    };
    let (entries, more) = state.store.audit().list(&filter, AUDIT_PAGE, (page - 1) * AUDIT_PAGE).await?;
    let keep: String =
        f.0.iter()
            .filter(|(k, v)| k != "page" && !v.is_empty())
            .map(|(k, v)| format!("{}={}", k, form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
            .collect::<Vec<_>>()
            .join("&");
    let content = html! {
        (ui::error_summary(&v))
        h1 class="app-heading-l" { "Audit log" }
        p class="app-body" { "Every change, sign-in and evidence download, newest first. Each entry is chained to the one before it by a hash; " code { "assure audit verify" } " checks the chain." }
        form method="get" action="/admin/audit" class="app-filter" {
            div class="app-filter__row" {
                (ui::text_input(Field::new("actor", "Who", f.get("actor"), &v), "app-input--width-20"))
                (ui::text_input(Field::new("action", "Action", f.get("action"), &v).hint("For example recommendation or user.login"), "app-input--width-20"))
                (ui::select(Field::new("record_type", "Record", f.get("record_type"), &v), &ui::options_with_blank("Any", ["recommendation", "review", "body", "user", "api_token", "settings"].iter().map(|s| (s.to_string(), s.replace('_', " "))))))
                (ui::text_input(Field::new("record_id", "Record number", f.get("record_id"), &v), "app-input--width-5"))
                (ui::date_text_input(Field::new("from", "From", f.get("from"), &v)))
                (ui::date_text_input(Field::new("to", "To", f.get("to"), &v)))
            }
            (ui::secondary_button("Filter"))
        }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Audit entries" {
            table class="app-table" {
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "No." } th class="app-table__header" scope="col" { "When (UTC)" } th class="app-table__header" scope="col" { "Who" } th class="app-table__header" scope="col" { "From" } th class="app-table__header" scope="col" { "Action" } th class="app-table__header" scope="col" { "Record" } th class="app-table__header" scope="col" { "Detail" }
                } }
                tbody class="app-table__body" {
                    @for e in &entries {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (e.seq) }
                            td class="app-table__cell" { (e.at.get(..19).unwrap_or(&e.at).replace('T', " ")) }
                            td class="app-table__cell" { (e.actor) }
                            td class="app-table__cell" { (e.ip) }
                            td class="app-table__cell" { (e.action) }
                            td class="app-table__cell" {
                                @if e.record_type == "recommendation" && !e.record_id.is_empty() { a class="app-link" href={ "/recommendations/" (e.record_id) } { (e.record_type) " " (e.record_id) } }
                                @else { (e.record_type.replace('_', " ")) " " (e.record_id) }
                            }
                            td class="app-table__cell" { (e.detail) }
                        }
                    }
                }
            }
        }
        nav class="app-pagination" aria-label="Audit pages" {
            @if page > 1 { div class="app-pagination__prev" { a class="app-link" href={ "/admin/audit?" (keep) "&page=" (page - 1) } rel="prev" { "Newer entries" } } }
            @if more { div class="app-pagination__next" { a class="app-link" href={ "/admin/audit?" (keep) "&page=" (page + 1) } rel="next" { "Older entries" } } }
        }
    };
    Ok(ui::layout(&ctx, "Audit log", !v.is_empty(), content).into_response())
}

fn settings_form(ctx: &Ctx, s: &Settings, errors: &Invalid) -> maud::Markup {
    html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Settings" }
        form method="post" action="/admin/settings" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::text_input(Field::new("service_name", "Service name", &s.service_name, errors).hint("Shown in the header of every page"), "app-input--width-20"))
            (ui::text_input(Field::new("organisation", "Organisation", &s.organisation, errors), "app-input--width-20"))
            (ui::text_input(Field::new("brand_colour", "Brand colour", &s.brand_colour, errors).hint("A hex colour such as #1d70b8, dark enough for white text"), "app-input--width-10"))
            (ui::text_input(Field::new("reference_pattern", "Recommendation reference pattern", &s.reference_pattern, errors)
                .hint("Tokens: {YY} and {YY2} the municipal year (17 and 18), {YYYY} {YYYY2}, {n} or {nn} the number, {sub} the sub-item letter. For example SR ({YY}/{YY2}) {nn}{sub}"), "app-input--width-20"))
            h2 class="app-heading-m" { "What the RAG colours mean" }
            (ui::textarea(Field::new("rag_red", "Red", &s.rag_red, errors), 2))
            (ui::textarea(Field::new("rag_amber", "Amber", &s.rag_amber, errors), 2))
            (ui::textarea(Field::new("rag_green", "Green", &s.rag_green, errors), 2))
            (ui::button("Save settings"))
        }
        p class="app-body" { a class="app-link" href="/admin/mail" { "E-mail: the deadlines chased, and the outbox" } }
        p class="app-body" { a class="app-link" href="/admin/sign-in" { "Sign-in: identity providers (single sign-on)" } }
    }
}

pub async fn settings_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let s = state.store.settings().load().await?;
    Ok(ui::layout(&ctx, "Settings", false, settings_form(&ctx, &s, &Invalid::new())).into_response())
}

pub async fn settings_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let s = Settings {
        service_name: f.string("service_name"),
        organisation: f.string("organisation"),
        brand_colour: f.string("brand_colour"),
        reference_pattern: f.string("reference_pattern"),
        rag_red: f.string("rag_red"),
        rag_amber: f.string("rag_amber"),
        rag_green: f.string("rag_green"),
    };
    let saved = match check_settings(&s) {
        Ok(checked) => state.store.settings().save(&caller.actor(), &checked).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match saved {
        Ok(()) => Ok(done("/admin/settings", "settings-saved")),
        Err(AppError::Invalid(e)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, ui::layout(&ctx, "Settings", true, settings_form(&ctx, &s, &e))).into_response())
        }
        Err(e) => Err(e),
    }
}

/// `leads`: each rule's lead time as shown, in the order of `ChaseKind::ALL`.
async fn mail_render(state: &AppState, ctx: &Ctx, shown: &[ChaseRule], leads: &[String], errors: &Invalid, status: StatusCode) -> PageResult {
    let mail = state.store.mail();
    let counts = mail.counts().await?;
    let waiting = mail.waiting(100).await?;
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "E-mail" }
        p class="app-body" {
            "Assure chases the deadlines below by e-mail, once for each deadline and person, with a reference and a link that needs signing in: "
            "never a child's name, date of birth or address. The server sends through the SMTP server named by ASSURE_SMTP_URL; without one, it writes each message to its log."
        }
        h2 class="app-heading-m" { "What is chased" }
        form method="post" action="/admin/mail/rules" novalidate {
            (ui::csrf(ctx.csrf()))
            @let options: Vec<(String, String)> = ChaseKind::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect();
            @let selected: Vec<String> = shown.iter().filter(|r| r.enabled).map(|r| r.kind.slug().to_string()).collect();
            (ui::checkboxes("enabled", "Rules switched on", Some("A rule switched off sends nothing."), &options, &selected, errors))
            @for (kind, value) in ChaseKind::ALL.iter().zip(leads) {
                @let name = format!("lead-{}", kind.slug());
                @let label = format!("{}: {}", kind.label(), kind.lead_hint());
                (ui::text_input(Field::new(&name, &label, value, errors), "app-input--width-3"))
            }
            (ui::button("Save the rules"))
        }
        h2 class="app-heading-m" { "Outbox" }
        p class="app-body" data-testid="outbox-counts" {
            (counts.pending) " waiting to be sent, " (counts.sending) " being sent, " (counts.failed) " failed; "
            (counts.held) " held for people's daily digests; "
            (counts.sent) " sent and " (counts.logged) " written to the log so far."
        }
        @if waiting.is_empty() {
            p class="app-body" { "Nothing is waiting and nothing has failed." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Messages waiting and failed" {
                table class="app-table" {
                    caption class="app-table__caption app-visually-hidden" { "Messages waiting to be sent, and those that failed" }
                    thead class="app-table__head" { tr class="app-table__row" {
                        th scope="col" class="app-table__header" { "Number" }
                        th scope="col" class="app-table__header" { "State" }
                        th scope="col" class="app-table__header" { "Queued" }
                        th scope="col" class="app-table__header" { "Tries" }
                        th scope="col" class="app-table__header" { "To" }
                        th scope="col" class="app-table__header" { "Subject" }
                        th scope="col" class="app-table__header" { "Last error" }
                    } }
                    tbody class="app-table__body" {
                        @for m in &waiting {
                            tr class="app-table__row" {
                                td class="app-table__cell" { (m.id) }
                                td class="app-table__cell" { (m.status) }
                                td class="app-table__cell" { (m.created_at.get(..16).unwrap_or(&m.created_at).replace('T', " ")) }
                                td class="app-table__cell" { (m.attempts) }
                                td class="app-table__cell" { (m.to_address) }
                                td class="app-table__cell" { (m.subject) }
                                td class="app-table__cell" { @if m.last_error.is_empty() { "None" } @else { (m.last_error) } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok((status, ui::layout(ctx, "E-mail", !errors.is_empty(), content)).into_response())
}

pub async fn mail_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let rules = state.store.mail().rules().await?;
    let leads: Vec<String> =
        ChaseKind::ALL.iter().map(|k| rules.iter().find(|r| r.kind == *k).map(|r| r.lead_days.to_string()).unwrap_or_default()).collect();
    mail_render(&state, &ctx, &rules, &leads, &Invalid::new(), StatusCode::OK).await
}

pub async fn mail_rules_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let enabled = f.all("enabled");
    let lead = |k: ChaseKind| f.string(&format!("lead-{}", k.slug()));
    match check_rules(&enabled, lead) {
        Ok(rules) => {
            state.store.mail().set_rules(&caller.actor(), &rules).await?;
            Ok(done("/admin/mail", "mail-rules-saved"))
        }
        Err(errors) => {
            // Shown as sent, so nothing typed is lost.
            let shown: Vec<ChaseRule> =
                ChaseKind::ALL.iter().map(|k| ChaseRule { kind: *k, lead_days: 0, enabled: enabled.iter().any(|e| e == k.slug()) }).collect();
            let leads: Vec<String> = ChaseKind::ALL.iter().map(|k| lead(*k)).collect();
            mail_render(&state, &ctx, &shown, &leads, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The administrator's sections, gathered here instead of filling the menu: each keeps
/// its own path. (path, name, what it is for, the permission it needs).
const SECTIONS: &[(&str, &str, &str, assure_domain::Permission)] = {
    use assure_domain::Permission::*;
    &[
        ("/admin/users", "Users", "Create accounts, give each its role, deactivate and reactivate them.", ManageUsers),
        ("/admin/tokens", "API tokens", "The tokens other systems use to call the API; revoke any that should stop.", ManageUsers),
        ("/admin/audit", "Audit log", "Every sign-in, view, change and export, with who, when and why.", ViewAudit),
        ("/admin/settings", "Settings", "The council's name, brand colour, RAG meanings and the other settings.", ManageSettings),
        ("/admin/mail", "E-mail", "The rules that chase deadlines by e-mail, and the outbox.", ManageSettings),
        ("/admin/emergency-access", "Emergency access", "Each use of emergency access to a child's record, to review.", ReviewEmergencyAccess),
        ("/partnership/agencies", "Agencies", "The partnership's agencies and their kinds.", ManagePartnership),
        ("/partnership/people", "People", "Place people in their agency and teams, and name each agency's SPOC.", ManagePartnership),
        ("/partnership/screening-tool", "Screening tool", "The CSE 2 screening tool's questions, weights and risk rules.", ManagePartnership),
        ("/partnership/routing-rules", "Routing rules", "Which teams each placement notification reaches.", ManagePartnership),
        ("/partnership/pattern-rules", "Pattern rules", "Which group each pattern of going missing is routed to.", ManagePartnership),
    ]
};

/// "/admin": one page linking to each of the administrator's sections.
pub async fn index(ctx: Ctx) -> PageResult {
    let content = html! {
        h1 class="app-heading-l" { "Admin" }
        ul class="app-list app-card-list" {
            @for (href, name, what, p) in SECTIONS {
                @if ctx.can(*p) {
                    li class="app-card" {
                        h2 class="app-heading-s" { a class="app-link" href=(href) { (name) } }
                        p class="app-body" { (what) }
                    }
                }
            }
        }
    };
    Ok(ui::layout(&ctx, "Admin", false, content).into_response())
}
