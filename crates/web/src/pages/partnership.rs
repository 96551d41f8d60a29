//! Partnership administration: the agencies, the list of every agency's SPOCs (read by
//! everyone on the pathway, kept by the partnership manager), and placing people in
//! their agency and teams.

use assure_domain::partnership::{AgencyKind, InvolvementLevel, Team};
use assure_domain::{Invalid, Permission};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};

use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

fn th(label: &str) -> Markup {
    html! { th class="app-table__header" scope="col" { (label) } }
}

// ------------------------------------------------------------------ agencies

async fn agencies_render(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let agencies = state.store.partnership().agencies().await?;
    let spocs = state.store.partnership().spocs().await?;
    let kinds: Vec<(String, String)> = AgencyKind::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect();
    let levels: Vec<(String, String)> = InvolvementLevel::ALL.iter().map(|l| (l.slug().to_string(), l.label().to_string())).collect();
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Agencies" }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="The partnership's agencies" {
        table class="app-table" {
            caption class="app-visually-hidden" { "The partnership's agencies" }
            thead class="app-table__head" { tr class="app-table__row" { (th("Agency")) (th("Kind")) (th("SPOCs")) (th("Who sees the children it is involved with")) } }
            tbody class="app-table__body" {
                @for a in &agencies {
                    tr class="app-table__row" {
                        td class="app-table__cell" { (a.name) }
                        td class="app-table__cell" { (a.kind.label()) }
                        td class="app-table__cell" { (spocs.iter().filter(|s| s.agency_id == a.id).map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")) }
                        td class="app-table__cell" {
                            form method="post" action={ "/partnership/agencies/" (a.id) "/level" } class="app-inline-form" {
                                (ui::csrf(ctx.csrf()))
                                @let none = Invalid::new();
                                (ui::select(Field::new("level", &format!("Involvement of {}", a.name), a.level.slug(), &none).prefixed(&format!("level-{}", a.id)), &levels))
                                (ui::secondary_button("Save"))
                            }
                        }
                    }
                }
            }
        }
        }
        div class="app-inset-text" {
            p class="app-body" { strong { "The whole agency: " } "everyone in the agency sees a child the agency is involved with (a school, a small charity)." }
            p class="app-body" { strong { "Team by team: " } "people see a child only through their own team's involvement or their own work; the agency's SPOCs see every child it is involved with (police, children's social care, an NHS trust)." }
        }
        h2 class="app-heading-m" { "Add an agency" }
        form method="post" action="/partnership/agencies" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::text_input(Field::new("name", "Name", f.get("name"), errors), "app-input--width-30"))
            (ui::select(Field::new("kind", "Kind of agency", f.get("kind"), errors), &ui::options_with_blank("Select the kind", kinds)))
            (ui::button("Add agency"))
        }
    };
    Ok((status, ui::layout(ctx, "Agencies", !errors.is_empty(), content)).into_response())
}

pub async fn agencies(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    agencies_render(&state, &ctx, &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

pub async fn create_agency(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    match state.store.partnership().create_agency(&caller.actor(), f.get("name"), AgencyKind::from_slug(f.get("kind"))).await {
        Ok(_) => Ok(done("/partnership/agencies", "agency-created")),
        Err(assure_storage::StoreError::Invalid(i)) => agencies_render(&state, &ctx, &f, &i, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// How far an agency's involvement with a child reaches its people (the partnership manager).
pub async fn set_level(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let agency = super::id(&raw)?;
    match state.store.partnership().set_involvement_level(&caller.actor(), agency, InvolvementLevel::from_slug(f.get("level"))).await {
        Ok(()) => Ok(done("/partnership/agencies", "agency-level-saved")),
        Err(assure_storage::StoreError::Invalid(i)) => {
            // The one field of the agency's row, named for its own select.
            let mut e = Invalid::new();
            for x in i.errors {
                e.add(&format!("level-{agency}-level"), x.message);
            }
            agencies_render(&state, &ctx, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ SPOCs

async fn spocs_render(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let spocs = state.store.partnership().spocs().await?;
    let manage = ctx.can(Permission::ManagePartnership);
    let (agencies, people) =
        if manage { (state.store.partnership().agencies().await?, state.store.partnership().pathway_people().await?) } else { (vec![], vec![]) };
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Single points of contact (SPOCs)" }
        p class="app-body" { "Each agency's SPOC receives its returned referrals and speaks for it at the MASH and the MACSE panel." }
        @if spocs.is_empty() {
            p class="app-body" { "No SPOCs have been named yet." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="SPOCs by agency" {
            table class="app-table" {
                caption class="app-visually-hidden" { "SPOCs by agency" }
                thead class="app-table__head" { tr class="app-table__row" { (th("Agency")) (th("SPOC")) (th("Job title")) (th("E-mail")) @if manage { td class="app-table__header" { span class="app-visually-hidden" { "Actions" } } } } }
                tbody class="app-table__body" {
                    @for s in &spocs {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (s.agency) br; span class="app-hint" { (s.kind.label()) } }
                            td class="app-table__cell" { (s.name) }
                            td class="app-table__cell" { (s.job_title) }
                            td class="app-table__cell" { a class="app-link" href={ "mailto:" (s.email) } { (s.email) } }
                            @if manage {
                                td class="app-table__cell" {
                                    form method="post" action="/partnership/spocs" {
                                        (ui::csrf(ctx.csrf()))
                                        input type="hidden" name="action" value="remove";
                                        input type="hidden" name="agency" value=(s.agency_id);
                                        input type="hidden" name="user" value=(s.user_id);
                                        button type="submit" class="app-button app-button--secondary app-button--small" { "Remove" span class="app-visually-hidden" { " " (s.name) " as SPOC of " (s.agency) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            }
        }
        @if manage {
            h2 class="app-heading-m" { "Name a SPOC" }
            form method="post" action="/partnership/spocs" novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="action" value="add";
                (ui::select(Field::new("agency", "Agency", f.get("agency"), errors), &ui::options_with_blank("Select the agency", agencies.iter().map(|a| (a.id.to_string(), a.name.clone())))))
                (ui::select(Field::new("user", "Person", f.get("user"), errors), &ui::options_with_blank("Select the person", people.iter().filter(|p| p.active).map(|p| (p.user_id.to_string(), format!("{} ({})", p.name, p.email))))))
                (ui::button("Add SPOC"))
            }
        }
    };
    Ok((status, ui::layout(ctx, "SPOCs", !errors.is_empty(), content)).into_response())
}

pub async fn spocs(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    spocs_render(&state, &ctx, &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

pub async fn spocs_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let agencies = state.store.partnership().agencies().await?;
    let people = state.store.partnership().pathway_people().await?;
    let mut v = Invalid::new();
    let agency = f.opt_id("agency").filter(|a| agencies.iter().any(|x| x.id == *a));
    let user = f.opt_id("user").filter(|u| people.iter().any(|p| p.user_id == *u && p.active));
    if agency.is_none() {
        v.add("agency", "Select the agency");
    }
    if user.is_none() {
        v.add("user", "Select the person, from the people on the pathway");
    }
    let (Some(agency), Some(user)) = (agency, user) else {
        return spocs_render(&state, &ctx, &f, &v, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    if f.get("action") == "remove" {
        state.store.partnership().remove_spoc(&caller.actor(), agency, user).await?;
        return Ok(done(back(&ctx), "spoc-removed"));
    }
    state.store.partnership().add_spoc(&caller.actor(), agency, user).await?;
    Ok(done(back(&ctx), "spoc-added"))
}

/// Administrators keep the partnership without seeing the pathway's pages.
fn back(ctx: &Ctx) -> &'static str {
    if ctx.can(Permission::ViewChildren) {
        "/partnership/spocs"
    } else {
        "/partnership/people"
    }
}

// ------------------------------------------------------------------ people

async fn people_render(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let agencies = state.store.partnership().agencies().await?;
    let people = state.store.partnership().pathway_people().await?;
    let name = |id: i64| agencies.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or_default();
    let teams: Vec<(String, String)> = Team::ALL.iter().map(|t| (t.slug().to_string(), t.label().to_string())).collect();
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "People on the pathway" }
        p class="app-body" { "Place each person in their agency and teams. What they may see follows from it: their agency's children, every child for the MASH, MACSE panel and analyst teams, and the children of the agencies they are SPOC for." }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="People with a pathway role" {
        table class="app-table" {
            caption class="app-visually-hidden" { "People with a pathway role" }
            thead class="app-table__head" { tr class="app-table__row" { (th("Name")) (th("Role")) (th("Agency")) (th("Teams")) (th("SPOC for")) } }
            tbody class="app-table__body" {
                @for p in &people {
                    tr class="app-table__row" {
                        td class="app-table__cell" { (p.name) br; span class="app-hint" { (p.email) } @if !p.active { " (deactivated)" } }
                        td class="app-table__cell" { (p.role.label()) }
                        td class="app-table__cell" { @if let Some(a) = p.agency_id { (name(a)) } @else { strong { "Not placed" } } }
                        td class="app-table__cell" { (p.teams.iter().map(|t| t.label()).collect::<Vec<_>>().join(", ")) }
                        td class="app-table__cell" { (p.spoc_for.iter().map(|a| name(*a)).collect::<Vec<_>>().join(", ")) }
                    }
                }
            }
        }
        }
        h2 class="app-heading-m" { "Place a person" }
        form method="post" action="/partnership/people" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::select(Field::new("user", "Person", f.get("user"), errors).hint("Accounts are created by the administrator with a pathway role"), &ui::options_with_blank("Select the person", people.iter().map(|p| (p.user_id.to_string(), format!("{} ({})", p.name, p.role.label()))))))
            (ui::select(Field::new("agency", "Agency", f.get("agency"), errors), &ui::options_with_blank("Select the agency", agencies.iter().map(|a| (a.id.to_string(), a.name.clone())))))
            (ui::checkboxes("team", "Teams", Some("Leave all unticked for none"), &teams, &f.all("team"), errors))
            (ui::radios(Field::new("spoc", "Is this person a SPOC for their agency?", f.get("spoc"), errors), &[("yes".into(), "Yes".into()), ("no".into(), "No".into())], true))
            (ui::button("Save"))
        }
    };
    Ok((status, ui::layout(ctx, "People on the pathway", !errors.is_empty(), content)).into_response())
}

pub async fn people(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    people_render(&state, &ctx, &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

pub async fn people_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let mut v = Invalid::new();
    let user = f.opt_id("user");
    let agency = f.opt_id("agency");
    let teams: Vec<Option<Team>> = f.all("team").iter().map(|t| Team::from_slug(t)).collect();
    if user.is_none() {
        v.add("user", "Select the person");
    }
    if agency.is_none() {
        v.add("agency", "Select the agency");
    }
    if teams.iter().any(Option::is_none) {
        v.add("team", "Select teams from the list");
    }
    let spoc = f.yes_no("spoc");
    if spoc.is_none() {
        v.add("spoc", "Select yes if this person is a SPOC for their agency");
    }
    let (Some(user), Some(agency), Some(spoc), true) = (user, agency, spoc, v.is_empty()) else {
        return people_render(&state, &ctx, &f, &v, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let actor = caller.actor();
    match state.store.partnership().set_agency(&actor, user, agency).await {
        Ok(()) => {}
        Err(assure_storage::StoreError::Invalid(i)) => return people_render(&state, &ctx, &f, &i, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(assure_storage::StoreError::NotFound) => {
            return people_render(&state, &ctx, &f, &Invalid::single("user", "Select the person from the list"), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => return Err(AppError::from(e)),
    }
    let wanted: Vec<Team> = teams.into_iter().flatten().collect();
    let current = state.store.partnership().pathway_people().await?.into_iter().find(|p| p.user_id == user).map(|p| p.teams).unwrap_or_default();
    for t in Team::ALL {
        match (wanted.contains(t), current.contains(t)) {
            (true, false) => state.store.partnership().add_team_member(&actor, *t, user).await?,
            (false, true) => state.store.partnership().remove_team_member(&actor, *t, user).await?,
            _ => {}
        }
    }
    if spoc {
        state.store.partnership().add_spoc(&actor, agency, user).await?;
    } else {
        state.store.partnership().remove_spoc(&actor, agency, user).await?;
    }
    Ok(done("/partnership/people", "person-saved"))
}
