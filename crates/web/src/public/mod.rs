//! The public site under `/public` (issue 19): what the council has published, for
//! residents, the press and members, without signing in — committees and their
//! members, the meeting calendar, agendas and their public packs, approved minutes and
//! decisions, work programmes, the published forward plan and what each committee was
//! told about its recommendations.
//!
//! It cannot show a child's record, by construction: its handlers are declared with
//! [`Routes::public_get`](crate::routes::Routes::public_get), whose handlers run on
//! [`PublicState`] — the public store and nothing else — so they cannot be given the
//! application's store; the guard reads no session for them, so every reader gets the
//! same page, which a cache may keep for five minutes.

pub mod oparl;
mod pages;

use assure_domain::settings::Settings;
use assure_storage::public::PublicStore;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use crate::routes::Routes;

/// What the public site's handlers are given: the public store, and nothing that
/// reaches a child's record.
#[derive(Clone)]
pub struct PublicState {
    pub store: PublicStore,
    /// The address the site is reached at (`Config::public_url`): OParl's ids are URLs.
    pub base: String,
}

impl PublicState {
    pub fn new(store: PublicStore, base: &str) -> PublicState {
        PublicState { store, base: base.to_string() }
    }
}

/// How long a public page may be kept by a browser or a CDN.
pub const CACHE_CONTROL: &str = "public, max-age=300";

/// The public site's successful answers may be cached (they are the same for everyone);
/// a page it does not have is said in its own pages, with the way back to its home.
pub async fn cacheable(State(state): State<PublicState>, mut r: Response) -> Response {
    if r.status().is_success() {
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
        return r;
    }
    let html = r.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    if r.status() == StatusCode::NOT_FOUND && html {
        if let Ok(settings) = state.store.settings().await {
            let content = html! {
                h1 class="app-heading-l" { "Page not found" }
                p class="app-body" { "There is no published page at this address. Drafts, and papers that are not for publication, are not shown here." }
                p class="app-body" { a class="app-link" href="/public" { "Go to committees and decisions" } }
            };
            return (StatusCode::NOT_FOUND, layout(&settings, "", "Page not found", content)).into_response();
        }
    }
    r
}

pub fn routes(r: Routes) -> Routes {
    r.public_get("/public", "The public site: meetings, decisions, the forward plan and recommendations", pages::home)
        .public_get("/public/meetings", "The meeting calendar by municipal year", pages::meetings)
        .public_get("/public/meetings/calendar.ics", "Every committee's meetings as an iCalendar feed", pages::calendar_all)
        .public_get("/public/meetings/{id}", "A meeting: its published agenda and papers, approved minutes and decisions", pages::meeting)
        .public_get("/public/meetings/{id}/calendar.ics", "One meeting as an .ics file", pages::meeting_ics)
        .public_get(
            "/public/meetings/{id}/agenda-pack/{format}",
            "A published agenda's public pack as DOCX or PDF (no exempt paper)",
            pages::agenda_pack,
        )
        .public_get(
            "/public/meetings/{id}/minutes/{format}",
            "A meeting's approved minutes as DOCX or PDF (an exempt minute withheld)",
            pages::minutes,
        )
        .public_get("/public/agenda-items/{id}/paper-file", "An open item's uploaded paper on a published agenda", pages::paper_file)
        .public_get("/public/committees", "Committees and other bodies", pages::bodies)
        .public_get("/public/committees/{id}", "A committee: its members and meetings in a municipal year", pages::body)
        .public_get("/public/committees/{id}/calendar.ics", "A committee's meetings as an iCalendar feed", pages::body_ics)
        .public_get("/public/committees/{id}/work-programme", "A committee's work programme for a municipal year", pages::work_programme)
        .public_get("/public/forward-plan", "The forward plan of key decisions, as last published", pages::forward_plan)
        .public_get("/public/forward-plan/{id}", "A published forward plan and what changed since the one before", pages::forward_plan_one)
        .public_get("/public/forward-plan/{id}/document/{format}", "A published forward plan as DOCX or PDF", pages::forward_plan_document)
        .public_get(
            "/public/recommendations",
            "What each committee was told about its recommendations: the monitoring reports issued",
            pages::recommendations,
        )
        .public_get("/public/reports/{id}", "An issued monitoring report: each recommendation's wording, response, status and RAG", pages::report)
        .public_get("/public/reports/{id}/download/{format}", "An issued monitoring report as CSV, JSON or DOCX", pages::report_download)
        .public_get(
            "/public/search",
            "Search what is published: agenda items and papers, approved minutes, the forward plan, issued reports",
            pages::search,
        )
        .public_get("/oparl/v1/system", "OParl 1.1: the System, the entry object", oparl::system)
        .public_get("/oparl/v1/bodies", "OParl 1.1: the list of Bodies (the council)", oparl::bodies)
        .public_get("/oparl/v1/body/{id}", "OParl 1.1: the Body", oparl::body)
        .public_get("/oparl/v1/body/{id}/organizations", "OParl 1.1: the committees (Organizations)", oparl::organizations)
        .public_get("/oparl/v1/body/{id}/people", "OParl 1.1: the people who sit on committees (Persons)", oparl::people)
        .public_get("/oparl/v1/body/{id}/memberships", "OParl 1.1: the Memberships", oparl::memberships)
        .public_get("/oparl/v1/body/{id}/meetings", "OParl 1.1: the Meetings", oparl::meetings)
        .public_get("/oparl/v1/body/{id}/papers", "OParl 1.1: the Papers of published agendas' open items", oparl::papers)
        .public_get("/oparl/v1/body/{id}/legislativeterms", "OParl 1.1: the municipal years (LegislativeTerms)", oparl::legislative_terms)
        .public_get("/oparl/v1/organization/{id}", "OParl 1.1: an Organization", oparl::organization_one)
        .public_get("/oparl/v1/organization/{id}/meetings", "OParl 1.1: an Organization's Meetings", oparl::organization_meetings)
        .public_get("/oparl/v1/person/{id}", "OParl 1.1: a Person", oparl::person_one)
        .public_get("/oparl/v1/membership/{id}", "OParl 1.1: a Membership", oparl::membership_one)
        .public_get("/oparl/v1/meeting/{id}", "OParl 1.1: a Meeting", oparl::meeting_one)
        .public_get("/oparl/v1/agendaitem/{id}", "OParl 1.1: an AgendaItem", oparl::agenda_item_one)
        .public_get("/oparl/v1/paper/{id}", "OParl 1.1: a Paper", oparl::paper_one)
        .public_get("/oparl/v1/consultation/{id}", "OParl 1.1: a Consultation", oparl::consultation_one)
        .public_get("/oparl/v1/file/{id}", "OParl 1.1: a File (a public agenda pack or an uploaded paper)", oparl::file_one)
        .public_get("/oparl/v1/legislativeterm/{id}", "OParl 1.1: a LegislativeTerm", oparl::legislative_term_one)
}

/// The public site's menu.
const NAV: &[(&str, &str)] = &[
    ("/public", "Home"),
    ("/public/meetings", "Meetings"),
    ("/public/committees", "Committees"),
    ("/public/forward-plan", "Forward plan"),
    ("/public/recommendations", "Recommendations"),
];

/// The public page template: the same look as the rest, the council's name, the
/// public menu, no account.
pub fn layout(settings: &Settings, path: &str, title: &str, content: Markup) -> Markup {
    let current =
        NAV.iter().map(|(h, _)| *h).filter(|h| path == *h || (*h != "/public" && path.starts_with(&format!("{h}/")))).max_by_key(|h| h.len());
    let current = current.or_else(|| {
        // A committee's meetings and reports sit under their own menu entries.
        if path.starts_with("/public/reports/") {
            Some("/public/recommendations")
        } else {
            None
        }
    });
    html! {
        (DOCTYPE)
        html lang="en" class="app-template" {
            (crate::ui::head(&format!("{title} – {}", settings.organisation)))
            body class="app-body" {
                a href="#main-content" class="app-skip-link" { "Skip to main content" }
                header class="app-header" role="banner" {
                    div class="app-header__container app-width-container app-width-container--wide" {
                        a href="/public" class="app-header__service-name" { (settings.organisation) }
                        span class="app-header__org" { "Committees and decisions" }
                    }
                    nav class="app-header__nav app-width-container app-width-container--wide" aria-label="Menu" {
                        ul class="app-header__nav-list" {
                            @for (href, label) in NAV {
                                @let here = current == Some(*href);
                                li class={ "app-header__nav-item" @if here { " app-header__nav-item--active" } } {
                                    a class="app-header__nav-link" href=(href) aria-current=[here.then_some("page")] { (label) }
                                }
                            }
                        }
                    }
                }
                div class="app-width-container app-width-container--wide" {
                    main class="app-main-wrapper" id="main-content" role="main" { (content) }
                }
                footer class="app-footer" role="contentinfo" {
                    div class="app-width-container app-width-container--wide app-footer__meta" {
                        p class="app-body-s" { "Published by " (settings.organisation) ": agendas, papers, minutes, decisions and the forward plan. Exempt information (Schedule 12A to the Local Government Act 1972) is not published." }
                    }
                }
            }
        }
    }
}
