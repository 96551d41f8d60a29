//! Settings → Sign-in: the identity providers people may sign in with (OpenID Connect),
//! as an administrator sets them up. The client secret itself is never typed here: the
//! form names the environment variable that holds it.

use assure_domain::partnership::Team;
use assure_domain::sign_in::{check_provider, two_factor_required_by_default, ProviderInput, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_ISSUER};
use assure_domain::Invalid;
use assure_domain::Role;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

fn blank() -> ProviderInput {
    ProviderInput {
        email_claim: "email".into(),
        groups_claim: "groups".into(),
        secret_env: ENV_CLIENT_SECRET.into(),
        active: true,
        ..Default::default()
    }
}

async fn render(state: &AppState, ctx: &Ctx, typed: &ProviderInput, errors: &Invalid, status: StatusCode) -> PageResult {
    let providers = state.store.oidc().providers().await?;
    let ticked: Vec<String> =
        [("create_accounts", typed.create_accounts), ("active", typed.active)].iter().filter(|(_, on)| *on).map(|(k, _)| k.to_string()).collect();
    let requirements = state.store.two_factor().requirements().await?;
    let role_options: Vec<(String, String)> = requirements
        .iter()
        .map(|r| {
            let default =
                if two_factor_required_by_default(r.role) { " (required unless you choose otherwise: sees children's records)" } else { "" };
            (r.role.slug().to_string(), format!("{}{default}", r.role.label()))
        })
        .collect();
    let required: Vec<String> = requirements.iter().filter(|r| r.required).map(|r| r.role.slug().to_string()).collect();
    let pathway_without: Vec<&str> =
        requirements.iter().filter(|r| !r.required && two_factor_required_by_default(r.role)).map(|r| r.role.label()).collect();
    let team_slugs: Vec<String> = Team::ALL.iter().map(|t| format!("{} ({})", t.slug(), t.label())).collect();
    let team_hint = format!(
        "One a line: the group, an equals sign, the team, like CSE-MASH = mash. At each sign-in the person joins the team of every line naming one of their groups, \
         and leaves a team joined this way once none of their groups gives it; a team an administrator put them in stays. Teams: {}.",
        team_slugs.join(", ")
    );
    let callback = |slug: &str| format!("{}/login/oidc/{slug}/callback", state.config.public_url.trim_end_matches('/'));
    let body = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Sign-in" }
        h2 class="app-heading-m" id="two-factor" { "Two-factor sign-in" }
        p class="app-body" {
            "People in the roles ticked must sign in with a code from an authenticator app as well as their password; "
            "anyone not yet set up is asked to set it up when they next sign in, and is signed out now if a role is newly ticked. "
            "People who sign in through an identity provider below are not asked: the provider's sign-in is theirs."
        }
        @if !pathway_without.is_empty() {
            div class="app-warning-text" data-testid="two-factor-off-for-pathway" {
                span class="app-warning-text__icon" aria-hidden="true" { "!" }
                strong class="app-warning-text__text" {
                    span class="app-visually-hidden" { "Warning: " }
                    "A password alone signs in these roles, which see children's records: " (pathway_without.join(", ")) "."
                }
            }
        }
        form method="post" action="/admin/sign-in/two-factor" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::checkboxes("roles", "Roles that must use two-factor sign-in", None, &role_options, &required, &Invalid::new()))
            (ui::button("Save two-factor requirements"))
        }
        h2 class="app-heading-m" { "Identity providers" }
        p class="app-body" {
            "People can sign in with their organisation's account (Microsoft Entra ID, or any OpenID Connect provider) as well as with a password. "
            "An account is matched by the provider's own identifier for the person; the first time, by a verified email address that an Assure account already has. "
            "The first provider can also be set where Assure runs, by " code { (ENV_ISSUER) } ", " code { (ENV_CLIENT_ID) } " and " code { (ENV_CLIENT_SECRET) } "."
        }
        @if providers.is_empty() {
            p class="app-body" data-testid="no-providers" { "No identity provider is set up: everyone signs in with a password." }
        } @else {
            (ui::scroll_table("Identity providers", html! {
                table class="app-table" {
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Name" }
                        th class="app-table__header" scope="col" { "Issuer" }
                        th class="app-table__header" scope="col" { "Client secret" }
                        th class="app-table__header" scope="col" { "Address to register at the provider" }
                        th class="app-table__header" scope="col" { "New accounts" }
                        th class="app-table__header" scope="col" { "In use" }
                    } }
                    tbody class="app-table__body" {
                        @for p in &providers {
                            tr class="app-table__row" {
                                td class="app-table__cell" { (p.provider.label) " (" (p.provider.slug) ")" }
                                td class="app-table__cell" { (p.provider.issuer) }
                                td class="app-table__cell" {
                                    code { (p.provider.secret_env) }
                                    @if state.config.oidc_secret(&p.provider.secret_env).is_none() { br; strong { "Not set" } }
                                }
                                td class="app-table__cell" { (callback(&p.provider.slug)) }
                                td class="app-table__cell" { @if p.provider.create_accounts { "Created at first sign-in" } @else { "Not created" } }
                                td class="app-table__cell" { @if p.provider.active { "Yes" } @else { "No" } }
                            }
                        }
                    }
                }
            }))
        }
        h2 class="app-heading-m" { "Add a provider, or change one" }
        p class="app-body" { "Saving with the short name of a provider above changes that provider." }
        form method="post" action="/admin/sign-in/providers" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::text_input(Field::new("slug", "Short name", &typed.slug, errors).hint("Lower-case letters, digits and hyphens; part of the address the provider sends people back to"), "app-input--width-10"))
            (ui::text_input(Field::new("label", "Name people know it by", &typed.label, errors).hint("The sign-in button reads \"Sign in with\" and this name"), "app-input--width-20"))
            (ui::text_input(Field::new("issuer", "Issuer address", &typed.issuer, errors).hint("For Microsoft Entra ID: https://login.microsoftonline.com/your-tenant-id/v2.0"), "app-input--width-30"))
            (ui::text_input(Field::new("client_id", "Client id", &typed.client_id, errors), "app-input--width-30"))
            (ui::text_input(Field::new("secret_env", "Environment variable holding the client secret", &typed.secret_env, errors).hint("The secret is never stored in Assure's database"), "app-input--width-20"))
            (ui::text_input(Field::new("email_claim", "Claim carrying the email address", &typed.email_claim, errors).hint("Usually email. With email, an address links an account only when the provider says it is verified"), "app-input--width-10"))
            (ui::text_input(Field::new("groups_claim", "Claim carrying the groups", &typed.groups_claim, errors), "app-input--width-10"))
            (ui::textarea(Field::new("group_roles", "Roles from groups (optional)", &typed.group_roles, errors).hint("One a line: the group, an equals sign, the role, like CSE-MASH = mash-worker. At each sign-in the first line naming one of the person's groups sets their role."), 4))
            (ui::textarea(Field::new("group_teams", "Teams from groups (optional)", &typed.group_teams, errors).hint(&team_hint), 4))
            @let options = [
                ("create_accounts".to_string(), "Create an account at first sign-in for someone with no account (their role from their groups)".to_string()),
                ("active".to_string(), "In use: shown on the sign-in page".to_string()),
            ];
            (ui::checkboxes("create_accounts", "Options", None, &options, &ticked, errors))
            (ui::button("Save the provider"))
        }
    };
    Ok((status, ui::layout(ctx, "Sign-in settings", !errors.is_empty(), body)).into_response())
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    render(&state, &ctx, &blank(), &Invalid::new(), StatusCode::OK).await
}

pub async fn save_provider(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let options = f.all("create_accounts");
    let typed = ProviderInput {
        slug: f.string("slug"),
        label: f.string("label"),
        issuer: f.string("issuer"),
        client_id: f.string("client_id"),
        secret_env: f.string("secret_env"),
        email_claim: f.string("email_claim"),
        groups_claim: f.string("groups_claim"),
        group_roles: f.string("group_roles"),
        group_teams: f.string("group_teams"),
        create_accounts: options.iter().any(|o| o == "create_accounts"),
        active: options.iter().any(|o| o == "active"),
    };
    let saved = match check_provider(&typed) {
        Ok(p) => state.store.oidc().save(&caller.actor(), &p).await.map(|_| ()).map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e.ordered(ProviderInput::FIELDS))),
    };
    match saved {
        Ok(()) => Ok(done("/admin/sign-in", "sign-in-provider-saved")),
        Err(AppError::Invalid(e)) => render(&state, &ctx, &typed, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// Which roles must sign in with two factors (the ticked ones; an unknown role is ignored).
pub async fn save_two_factor(State(state): State<AppState>, caller: Caller, f: Fields) -> PageResult {
    let roles: Vec<Role> = f.all("roles").iter().filter_map(|s| Role::from_slug(s)).collect();
    state.store.two_factor().set_required(&caller.actor(), &roles).await?;
    Ok(done("/admin/sign-in#two-factor", "two-factor-roles-saved"))
}
