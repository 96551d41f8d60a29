//! Page furniture in the patterns of the GOV.UK Design System, with Assure's
//! own stylesheet: layout, error summary, form fields, tags, summary lists.

pub mod components;
pub use components::*;

use assure_domain::settings::Settings;
use assure_domain::{Permission, Role};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use chrono::{NaiveDate, NaiveDateTime};
use maud::{html, Markup, DOCTYPE};

use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;

/// What every page needs: who is looking, the council's settings, where we are.
#[derive(Clone)]
pub struct Ctx {
    pub caller: Option<Caller>,
    pub settings: Settings,
    pub path: String,
    pub query: String,
    /// The London date (from the application's clock).
    pub today: NaiveDate,
    /// The London wall-clock time (missing episodes' times are entered and shown as these).
    pub now: NaiveDateTime,
}

impl Ctx {
    pub fn can(&self, p: Permission) -> bool {
        self.caller.as_ref().is_some_and(|c| c.can(p))
    }
    pub fn csrf(&self) -> &str {
        self.caller.as_ref().map(|c| c.csrf()).unwrap_or("")
    }
    pub fn caller(&self) -> Result<&Caller, AppError> {
        self.caller.as_ref().ok_or(AppError::Unauthorized)
    }
    /// A success message passed through the redirect after a form.
    pub fn notice(&self) -> Option<&'static str> {
        let key = form_urlencoded::parse(self.query.as_bytes()).find(|(k, _)| k == "notice").map(|(_, v)| v.into_owned())?;
        crate::forms::notice_text(&key)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Ctx {
            caller: parts.extensions.get::<Caller>().cloned(),
            settings: state.store.settings().load().await?,
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
            today: state.today(),
            now: state.clock().local_now(),
        })
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub permission: Permission,
    pub only_leads: bool,
    /// What the page is for, shown on the partnership's home page (empty: not listed there).
    pub hint: &'static str,
}

pub const NAV: &[NavItem] = &[
    NavItem { href: "/", label: "Dashboard", permission: Permission::ViewTracker, only_leads: false, hint: "" },
    NavItem { href: "/", label: "Home", permission: Permission::ViewChildren, only_leads: false, hint: "" },
    NavItem { href: "/recommendations", label: "Recommendations", permission: Permission::ViewTracker, only_leads: false, hint: "" },
    NavItem { href: "/reviews", label: "Reviews", permission: Permission::ViewTracker, only_leads: false, hint: "" },
    NavItem { href: "/schedule", label: "Monitoring schedule", permission: Permission::ViewTracker, only_leads: false, hint: "" },
    NavItem { href: "/reports", label: "Reports", permission: Permission::ViewTracker, only_leads: false, hint: "" },
    NavItem { href: "/plans", label: "Plans", permission: Permission::ViewPlans, only_leads: false, hint: "Improvement plans, statements of action and the CSE strategy, each action beside the measure it must move; and the scorecards of those measures against their bands." },
    NavItem { href: "/imports", label: "Import", permission: Permission::ManageTracker, only_leads: false, hint: "" },
    NavItem { href: "/my", label: "My recommendations", permission: Permission::RecordProgress, only_leads: true, hint: "" },
    NavItem { href: "/bodies", label: "Bodies", permission: Permission::ManageTracker, only_leads: false, hint: "" },
    NavItem { href: "/referrals/new", label: "Raise a concern", permission: Permission::RaiseConcern, only_leads: false, hint: "Record a CSE 1 concern with the CSE 2 screening tool and your professional referral, and send it to the MASH." },
    NavItem { href: "/mash", label: "MASH queue", permission: Permission::DecideReferrals, only_leads: false, hint: "Referrals waiting for the MASH team's checks and decision, oldest first, with how long each has waited." },
    NavItem { href: "/child-protection", label: "Child protection", permission: Permission::DecideReferrals, only_leads: false, hint: "Open child protection cases with the next stage due (strategy meeting, section 47 enquiry, conferences), those overdue first to find." },
    NavItem { href: "/spoc", label: "Agency referrals", permission: Permission::ViewChildren, only_leads: false, hint: "For SPOCs: your agency's referrals and where each one is, with referrals returned with no CSE concern to acknowledge." },
    NavItem { href: "/spoc/monitoring", label: "Use of CSE forms", permission: Permission::ViewChildren, only_leads: false, hint: "For SPOCs and the partnership manager: the CSE forms each agency raised in a period and their outcomes, agencies that raised none, and challenges with their responses." },
    NavItem { href: "/partnership/screening-tool", label: "Screening tool", permission: Permission::ManagePartnership, only_leads: false, hint: "The CSE 2 screening tool's questions, weights and risk rules; each change is a new version." },
    NavItem { href: "/panels", label: "MACSE panels", permission: Permission::ViewChildren, only_leads: false, hint: "The fortnightly MACSE panels: agendas of the young people you may see, invitations, attendance and minutes." },
    NavItem { href: "/police/flags", label: "CSE flags", permission: Permission::RecordPoliceCse, only_leads: false, hint: "Children at risk and MACSE children without a police CSE flag, and the percentages flagged (the target for MACSE children is 100%)." },
    NavItem { href: "/operations", label: "Operations", permission: Permission::RecordPoliceCse, only_leads: false, hint: "Prevent, prosecute and disruption operations decided at panels: linked children, dated updates and outcomes." },
    NavItem { href: "/missing/new", label: "Record missing", permission: Permission::RecordMissing, only_leads: false, hint: "Record a child going missing from home, care or education, and when and where they were found." },
    NavItem { href: "/missing", label: "Missing children", permission: Permission::ViewChildren, only_leads: false, hint: "The missing monitoring group's lists: episodes this month, children missing three times in 90 days, return interviews not offered within 72 hours, other authorities' children." },
    NavItem { href: "/partnership/pattern-rules", label: "Pattern rules", permission: Permission::ManagePartnership, only_leads: false, hint: "Which group each pattern of going missing is routed to: MACSE, guns and gangs, CICOLA or the missing monitoring group." },
    NavItem { href: "/subject-access", label: "Subject access", permission: Permission::SubjectAccess, only_leads: false, hint: "Download everything held about one child, with police-only material marked for redaction review." },
    NavItem { href: "/legal-holds", label: "Legal holds", permission: Permission::SubjectAccess, only_leads: false, hint: "Keep a child's records whatever the retention policy says while a claim, inquiry or complaint needs them." },
    NavItem { href: "/retention", label: "Retention", permission: Permission::SubjectAccess, only_leads: false, hint: "The retention policy, and the children's records due for destruction: confirm each one." },
    NavItem { href: "/meetings", label: "Meetings", permission: Permission::ViewMeetings, only_leads: false, hint: "Committee meetings: agendas, attendance, minutes and the reports resolutions requested." },
    NavItem { href: "/work-programme", label: "Work programme", permission: Permission::ViewMeetings, only_leads: false, hint: "Each body's work programme for the year: standing items, requested reports and monitoring reports due." },
    NavItem { href: "/datasets", label: "CSE dataset", permission: Permission::ViewDatasets, only_leads: false, hint: "The monthly multi-agency CSE dataset counted from the pathway's records: figures, trends, and months closed and frozen." },
    NavItem { href: "/admin/users", label: "Users", permission: Permission::ManageUsers, only_leads: false, hint: "" },
    NavItem { href: "/admin/audit", label: "Audit log", permission: Permission::ViewAudit, only_leads: false, hint: "" },
    NavItem { href: "/admin/settings", label: "Settings", permission: Permission::ManageSettings, only_leads: false, hint: "" },
    NavItem { href: "/children", label: "Children", permission: Permission::ViewChildren, only_leads: false, hint: "Search for a child before you raise a concern, and open the records your agency is involved with." },
    NavItem { href: "/partnership/spocs", label: "SPOCs", permission: Permission::ViewChildren, only_leads: false, hint: "Find the single point of contact (SPOC) for each agency." },
    NavItem { href: "/partnership/people", label: "People", permission: Permission::ManagePartnership, only_leads: false, hint: "Place people in their agency and teams, and name each agency's SPOC." },
    NavItem { href: "/partnership/agencies", label: "Agencies", permission: Permission::ManagePartnership, only_leads: false, hint: "The partnership's agencies and their kinds." },
    NavItem { href: "/notifications", label: "Notifications", permission: Permission::ViewChildren, only_leads: false, hint: "Placement notifications routed to your teams: acknowledge each one; those waiting longest come first." },
    NavItem { href: "/placements", label: "Placements", permission: Permission::RecordPlacements, only_leads: false, hint: "Record notifications of children placed here by other authorities, and see the children each authority has placed." },
    NavItem { href: "/placing-authorities", label: "Placing authorities", permission: Permission::RecordPlacements, only_leads: false, hint: "Each placing authority's children, notifications, lateness and escalations to the director and Ofsted." },
    NavItem { href: "/providers", label: "Providers", permission: Permission::RecordPlacements, only_leads: false, hint: "Providers and homes of concern: concerns raised, actions and referrals to Ofsted, for the CICOLA sub-group." },
    NavItem { href: "/partnership/routing-rules", label: "Routing rules", permission: Permission::ManagePartnership, only_leads: false, hint: "Which teams each placement notification reaches and what they must acknowledge; each change is a new version." },
    NavItem { href: "/admin/emergency-access", label: "Emergency access", permission: Permission::ReviewEmergencyAccess, only_leads: false, hint: "" },
];

/// Pages that only some of their permission's roles can use, and those roles: the
/// monitoring of the CSE forms is for SPOCs and the partnership manager (anyone else
/// with `ViewChildren` would open it to be told there is nothing to monitor).
const ONLY_ROLES: &[(&str, &[Role])] = &[("/spoc/monitoring", &[Role::Spoc, Role::PartnershipManager])];

impl NavItem {
    /// Whether the menu (and the home page's list) offers this page to `role`.
    pub fn shown_to(&self, role: Role) -> bool {
        role.allows(self.permission) && ONLY_ROLES.iter().all(|(href, roles)| *href != self.href || roles.contains(&role))
    }
}

/// The administrator's sections, gathered on the Admin page instead of the menu (each
/// keeps its own path); other roles with one of them still find it in the menu.
pub const ADMIN_SECTIONS: &[&str] = &[
    "/admin/users",
    "/admin/audit",
    "/admin/settings",
    "/admin/emergency-access",
    "/partnership/screening-tool",
    "/partnership/pattern-rules",
    "/partnership/people",
    "/partnership/agencies",
    "/partnership/routing-rules",
];

/// Whether `path` is the page `href` names or one under it.
fn under(path: &str, href: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'))
    }
}

/// The menu for this caller, (href, label), and the one item that is the current page
/// (the longest that holds the path, so `/missing/new` is "Record missing", not also
/// "Missing children").
pub fn menu(ctx: &Ctx, c: &Caller) -> (Vec<(&'static str, &'static str)>, Option<&'static str>) {
    let grouped = c.can(Permission::ManageUsers);
    let lead = c.role() == assure_domain::Role::LeadOfficer || c.role() == assure_domain::Role::ScrutinyOfficer;
    let mut items: Vec<(&'static str, &'static str)> = NAV
        .iter()
        .filter(|i| i.shown_to(c.role()) && (!i.only_leads || lead) && !(grouped && ADMIN_SECTIONS.contains(&i.href)))
        .map(|i| (i.href, i.label))
        .collect();
    items.dedup_by_key(|(h, _)| *h);
    if grouped {
        items.push(("/admin", "Admin"));
        if under(&ctx.path, "/admin") || ADMIN_SECTIONS.iter().any(|h| under(&ctx.path, h)) {
            return (items, Some("/admin"));
        }
    }
    let current = items.iter().map(|(h, _)| *h).filter(|h| under(&ctx.path, h)).max_by_key(|h| h.len());
    (items, current)
}

/// What a person is, as the header and their home page say it: a practitioner's job
/// ("Designated nurse for looked-after children"), otherwise their role.
pub fn role_label(user: &assure_storage::users::User) -> &str {
    if user.role == assure_domain::Role::Practitioner && !user.job_title.trim().is_empty() {
        user.job_title.trim()
    } else {
        user.role.label()
    }
}

/// The page template: skip link, header with the service name (no crown),
/// navigation for what this account may use, main content, footer.
pub fn layout(ctx: &Ctx, title: &str, errors: bool, content: Markup) -> Markup {
    let s = &ctx.settings;
    let full_title = format!("{}{} – {} – {}", if errors { "Error: " } else { "" }, title, s.service_name, s.organisation);
    html! {
        (DOCTYPE)
        html lang="en" class="app-template" {
            (head(&full_title))
            body class="app-body" {
                a href="#main-content" class="app-skip-link" { "Skip to main content" }
                header class="app-header" role="banner" {
                    div class="app-header__container app-width-container app-width-container--wide" {
                        a href="/" class="app-header__service-name" { (s.service_name) }
                        span class="app-header__org" { (s.organisation) }
                        @if let Some(c) = &ctx.caller {
                            div class="app-header__user" {
                                a class="app-header__account" href="/account" { (c.user.name) " (" (role_label(&c.user)) ")" }
                                form method="post" action="/logout" {
                                    input type="hidden" name="_csrf" value=(c.csrf());
                                    button type="submit" class="app-header__signout" { "Sign out" }
                                }
                            }
                        }
                    }
                    @if let Some(c) = &ctx.caller {
                        @let (items, current) = menu(ctx, c);
                        nav class="app-header__nav app-width-container app-width-container--wide" aria-label="Menu" {
                            ul class="app-header__nav-list" {
                                @for (href, label) in &items {
                                    @let here = current == Some(*href);
                                    li class={ "app-header__nav-item" @if here { " app-header__nav-item--active" } } {
                                        a class="app-header__nav-link" href=(href) aria-current=[here.then_some("page")] { (label) }
                                    }
                                }
                            }
                        }
                    }
                    (phase_banner())
                }
                div class="app-width-container app-width-container--wide" {
                    main class="app-main-wrapper" id="main-content" role="main" {
                        @if let Some(n) = ctx.notice() {
                            (success_banner(n))
                        }
                        (content)
                    }
                }
                footer class="app-footer" role="contentinfo" {
                    div class="app-width-container app-width-container--wide app-footer__meta" {
                        p class="app-body-s" { (s.service_name) " for " (s.organisation) ". Records are confidential: every view and change is audited." }
                    }
                }
            }
        }
    }
}

/// Every page's `<head>`: its title, and Assure's stylesheets (the council's colours last).
pub fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            link rel="stylesheet" href="/assets/assure.css";
            link rel="stylesheet" href="/assets/theme.css";
        }
    }
}

/// The phase banner: Assure is new, and says so.
pub fn phase_banner() -> Markup {
    html! {
        div class="app-phase-banner" {
            p class="app-phase-banner__content app-width-container app-width-container--wide" {
                strong class="app-tag app-phase-banner__tag" { "Beta" }
                span class="app-phase-banner__text" { "This is a new service. If something is wrong or hard to use, tell your administrator." }
            }
        }
    }
}

/// A page for errors, usable without a signed-in context.
pub fn error_page(title: &str, message: &str, status: StatusCode) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" class="app-template" {
            (head(&format!("{title} – Assure")))
            body class="app-body" {
                a href="#main-content" class="app-skip-link" { "Skip to main content" }
                header class="app-header" role="banner" {
                    div class="app-header__container app-width-container" { a href="/" class="app-header__service-name" { "Assure" } }
                }
                div class="app-width-container" {
                    main class="app-main-wrapper" id="main-content" role="main" {
                        h1 class="app-heading-l" { (title) }
                        p class="app-body" { (message) }
                        p class="app-body app-hint" { "Error " (status.as_u16()) }
                        p class="app-body" { a class="app-link" href="/" { "Go to the dashboard" } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(role: Role, href: &str) -> bool {
        NAV.iter().any(|i| i.href == href && i.shown_to(role))
    }

    /// The child protection queue is in the menu of the MASH (who may open it) and no one
    /// else's; the monitoring of the CSE forms in the SPOCs' and the partnership manager's.
    #[test]
    fn the_pathway_pages_are_in_the_menus_of_those_who_may_open_them() {
        for role in Role::ALL {
            assert_eq!(offered(role, "/child-protection"), role == Role::MashWorker, "{role:?}");
            assert_eq!(offered(role, "/child-protection"), role.allows(Permission::DecideReferrals), "{role:?}: the route's permission");
            assert_eq!(offered(role, "/spoc/monitoring"), matches!(role, Role::Spoc | Role::PartnershipManager), "{role:?}");
        }
        // Every other entry is offered exactly by its permission.
        for role in Role::ALL {
            for i in NAV.iter().filter(|i| i.href != "/spoc/monitoring") {
                assert_eq!(i.shown_to(role), role.allows(i.permission), "{role:?} {}", i.href);
            }
        }
    }
}
