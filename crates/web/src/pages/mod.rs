//! Server-rendered pages. `routes` declares each one with its permission.

pub mod account;
pub mod admin;
pub mod assets;
pub mod bodies;
pub mod case_audits;
pub mod child_picker;
pub mod child_protection;
pub mod children;
pub mod chronology;
pub mod dashboard;
pub mod datasets;
pub mod forward_plan;
pub mod imports;
pub mod improvement_plans;
pub mod legal_holds;
pub mod login;
pub mod marac;
pub mod meetings;
pub mod missing;
pub mod moderngov;
pub mod monitoring;
pub mod panels;
pub mod partnership;
pub mod password_reset;
pub mod pathway;
pub mod placements;
pub mod plans;
pub mod police;
pub mod quarterly;
pub mod recommendations;
pub mod referrals;
pub mod reports;
pub mod retention;
pub mod reviews;
pub mod scorecards;
pub mod sign_in_settings;
pub mod subject_access;

use assure_domain::Permission::*;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::routes::Routes;
use crate::ui;

pub fn routes(r: Routes) -> Routes {
    r.asset("/assets/assure.css", "Stylesheet", assets::stylesheet)
        .asset("/assets/theme.css", "Council brand colours", assets::theme)
        .asset("/assets/print.css", "Stylesheet of report print views", reports::print_css)
        .asset("/healthz", "Health check", assets::healthz)
        .page_get("/login", Public, "Sign-in page", login::page)
        .page_post("/login", Public, "Sign in", login::submit)
        .page_post("/logout", SignedIn, "Sign out", login::logout)
        .page_get("/login/two-factor", Public, "Sign in: the code from an authenticator app", login::code_page)
        .page_post("/login/two-factor", Public, "Sign in: check the code or a recovery code", login::code_submit)
        .page_get("/login/oidc/{slug}", Public, "Sign in through an identity provider: off to the provider (OpenID Connect, PKCE)", crate::oidc::start)
        .page_get(
            "/login/oidc/{slug}/callback",
            Public,
            "Sign in through an identity provider: back from the provider (state, nonce and code checked)",
            crate::oidc::callback,
        )
        .page_get("/password-reset", Public, "Ask for a password reset link by e-mail", password_reset::ask_page)
        .page_post("/password-reset", Public, "Send a password reset link (the same answer for any address)", password_reset::ask_submit)
        .page_get("/password-reset/{secret}", Public, "Choose a new password through an e-mailed link", password_reset::choose_page)
        .page_post("/password-reset/{secret}", Public, "Save a new password through an e-mailed link (once)", password_reset::choose_submit)
        .page_get("/", SignedIn, "Dashboard (tracker) or the partnership's home (pathway)", pathway::home)
        .page_get("/meetings", ViewMeetings, "Committee meetings: each body's meetings", meetings::list)
        .page_get("/meetings/new", RunMeetings, "Arrange a meeting", meetings::new_page)
        .page_post("/meetings/new", RunMeetings, "Arrange a meeting (today or later)", meetings::create)
        .page_get("/meetings/import", RunMeetings, "Import committees, meetings, minutes and decisions from ModernGov's XML", moderngov::page_get)
        .page_post(
            "/meetings/import",
            RunMeetings,
            "Check, then import, ModernGov's XML: all of it or nothing, with every problem's file and line (audited per meeting)",
            moderngov::page_post,
        )
        .page_get("/meetings/my-requests", ViewMeetings, "The reports committees requested of the signed-in officer: due, overdue or deferred", meetings::my_requests)
        .page_get("/meetings/bodies/{id}/members", ViewMeetings, "A body's members in a municipal year: roles, parties, substitutes and terms", meetings::members_page)
        .page_post("/meetings/bodies/{id}/members", RunMeetings, "Add a member to a body for a term, with a named substitute (audited)", meetings::member_add)
        .page_post("/meetings/bodies/{id}/people", RunMeetings, "Add a person who sits on bodies (audited)", meetings::person_add)
        .page_get("/meetings/members/{id}/edit", RunMeetings, "Change a member's role, party or named substitute", meetings::change_page)
        .page_post("/meetings/members/{id}/edit", RunMeetings, "Change a member's role, party or named substitute (not themselves; audited)", meetings::change_submit)
        .page_get("/meetings/members/{id}/end", RunMeetings, "End a member's term", meetings::end_page)
        .page_post("/meetings/members/{id}/end", RunMeetings, "End a member's term on a date after it started (audited)", meetings::end_submit)
        .page_get("/meetings/bodies/{id}/generate", RunMeetings, "Arrange a year's meetings from a pattern", meetings::generate_page)
        .page_post("/meetings/bodies/{id}/generate", RunMeetings, "Show, then arrange, a year's meetings from a pattern (all or none; audited)", meetings::generate_submit)
        .page_get("/meetings/{id}/edit", RunMeetings, "Change a meeting's time, venue or type", meetings::edit_page)
        .page_post("/meetings/{id}/edit", RunMeetings, "Change a meeting's time, venue or type (audited)", meetings::edit_submit)
        .page_get("/meetings/{id}/move", RunMeetings, "Move a meeting to another date", meetings::move_page)
        .page_post("/meetings/{id}/move", RunMeetings, "Move a meeting to a date today or later, keeping the old date and the reason (audited)", meetings::move_submit)
        .page_get("/meetings/calendar.ics", ViewMeetings, "Every body's meetings as an iCalendar feed", meetings::calendar_all)
        .page_get(
            "/meetings/feed/{secret}/calendar.ics",
            Public,
            "A person's own calendar feed of every body's meetings, for a calendar program (the secret address from their account page)",
            meetings::calendar_feed,
        )
        .page_get("/meetings/bodies/{id}/calendar.ics", ViewMeetings, "A body's meetings as an iCalendar feed", meetings::calendar_body)
        .page_get("/meetings/{id}", ViewMeetings, "A meeting: agenda, attendance, declarations, minutes and resolutions (drafts for the clerk only)", meetings::show)
        .page_get("/meetings/{id}/calendar.ics", ViewMeetings, "One meeting as an .ics file", meetings::calendar_one)
        .page_get(
            "/meetings/{id}/minutes-document/{format}",
            ViewMeetings,
            "A meeting's minutes as DOCX or PDF (approved ones; the clerk's draft too), audited",
            meetings::minutes_document,
        )
        .page_get("/meetings/{id}/agenda-pack/{format}", ViewMeetings, "The public agenda pack as DOCX or PDF: front sheet, agenda, papers in order, no exempt paper (audited)", meetings::agenda_pack)
        .page_get(
            "/meetings/{id}/agenda-pack-with-exempt/{format}",
            RunMeetings,
            "The members' agenda pack with the exempt papers, as DOCX or PDF (audited)",
            meetings::agenda_pack_with_exempt,
        )
        .page_post("/meetings/{id}/status", RunMeetings, "Publish a meeting's agenda, record it held, or cancel it", meetings::status)
        .page_post("/meetings/{id}/approve", RunMeetings, "Approve a meeting's minutes: frozen and fingerprinted", meetings::approve)
        .page_get("/meetings/{id}/agenda", RunMeetings, "Add an agenda item", meetings::agenda_page)
        .page_post("/meetings/{id}/agenda", RunMeetings, "Add an agenda item (a paper answering a request closes it)", meetings::agenda_submit)
        .page_get("/meetings/agenda-items/{id}/paper", RunMeetings, "An agenda item's paper: write it on the council's cover, or upload it", meetings::paper_page)
        .page_post("/meetings/agenda-items/{id}/paper", RunMeetings, "Write an agenda item's paper on the council's cover (version-checked; audited)", meetings::paper_submit)
        .page_post(
            "/meetings/agenda-items/{id}/paper-file",
            RunMeetings,
            "Upload an agenda item's paper: a Word document set in the pack, or a PDF beside it (checked by content; audited)",
            meetings::paper_upload,
        )
        .page_get(
            "/meetings/agenda-items/{id}/paper-file",
            ViewMeetings,
            "An uploaded paper as uploaded (a published agenda's; an exempt one for the clerk only; audited)",
            meetings::paper_download,
        )
        .page_get("/meetings/{id}/attendance", RunMeetings, "Record attendance", meetings::attendance_page)
        .page_post("/meetings/{id}/attendance", RunMeetings, "Record attendance", meetings::attendance_submit)
        .page_get("/meetings/{id}/minutes", RunMeetings, "Draft a minute", meetings::minute_page)
        .page_post("/meetings/{id}/minutes", RunMeetings, "Draft a minute, numbered through the municipal year", meetings::minute_submit)
        .page_get("/meetings/{id}/minutes/{n}/resolution", RunMeetings, "Add a part to a minute's resolution", meetings::resolution_page)
        .page_post("/meetings/{id}/minutes/{n}/resolution", RunMeetings, "Add a part to a minute's resolution (a requested report is tracked)", meetings::resolution_submit)
        .page_get("/meetings/{id}/declarations", RunMeetings, "Record a declaration of interest", meetings::declaration_page)
        .page_post("/meetings/{id}/declarations", RunMeetings, "Record a declaration of interest", meetings::declaration_submit)
        .page_get("/meetings/requests/{id}/defer", RunMeetings, "Defer a requested report to a later meeting", meetings::defer_page)
        .page_post("/meetings/requests/{id}/defer", RunMeetings, "Defer a requested report to a later meeting, with the reason", meetings::defer_submit)
        .page_get("/meetings/requests/{id}/owner", RunMeetings, "Change the officer a requested report is asked of", meetings::owner_page)
        .page_post("/meetings/requests/{id}/owner", RunMeetings, "Ask an open requested report of another officer, or of no one named (audited)", meetings::owner_submit)
        .page_get("/forward-plan", ViewMeetings, "The forward plan of key decisions: what is planned, the rule each comes under, the plans published", forward_plan::list)
        .page_get("/forward-plan/new", RunMeetings, "Add a decision to the forward plan", forward_plan::new_page)
        .page_post("/forward-plan/new", RunMeetings, "Add a decision to the forward plan, expected today or later (audited)", forward_plan::create)
        .page_post("/forward-plan/publish", RunMeetings, "Publish the forward plan today: frozen with a fingerprint, new items flagged (once a day; audited)", forward_plan::publish)
        .page_get("/forward-plan/items/{id}", ViewMeetings, "A forward plan item: its details, the rule, date changes, exception and decision", forward_plan::item)
        .page_post("/forward-plan/items/{id}/date", RunMeetings, "Change an item's expected date, with the reason (version-checked; audited)", forward_plan::change_date)
        .page_post(
            "/forward-plan/items/{id}/exception",
            RunMeetings,
            "Record the general exception or special urgency for a key decision (version-checked; audited)",
            forward_plan::exception,
        )
        .page_post(
            "/forward-plan/items/{id}/taken",
            RunMeetings,
            "Record a decision as taken: refused without 28 clear days' notice or an exception (version-checked; audited)",
            forward_plan::taken,
        )
        .page_post("/forward-plan/items/{id}/withdraw", RunMeetings, "Withdraw an item from the plan, with the reason (audited)", forward_plan::withdraw)
        .page_get("/forward-plan/publications/{id}", ViewMeetings, "A forward plan as published: frozen, its fingerprint, what changed since the one before", forward_plan::publication)
        .page_get(
            "/forward-plan/publications/{id}/document/{format}",
            ViewMeetings,
            "A published forward plan as DOCX or PDF in the seeds' layout (audited)",
            forward_plan::document,
        )
        .page_get("/work-programme", ViewMeetings, "A body's work programme for a municipal year", meetings::programme)
        .page_post("/work-programme", KeepWorkProgramme, "Add an item to a body's work programme", meetings::programme_submit)
        .page_get(
            "/work-programme/download/{format}",
            ViewMeetings,
            "A body's work programme for a municipal year as DOCX, XLSX or CSV",
            meetings::programme_download,
        )
        .page_get("/datasets", ViewDatasets, "The CSE dataset's months, live and closed, 24 at a time", datasets::list)
        .page_get(
            "/datasets/{month}",
            ViewDatasets,
            "A month of the CSE dataset: figures with breakdowns, restatements and a 12-month trend (in full and audited, suppressed, or one's own agency's referrals, by role)",
            datasets::show,
        )
        .page_get("/datasets/measures", RunDatasets, "The dataset's measures in force, how each is counted, and the small-numbers threshold", datasets::measures)
        .page_get("/datasets/measures/new", RunDatasets, "Add a dataset measure from the building blocks", datasets::measure_new)
        .page_post("/datasets/measures/new", RunDatasets, "Add a dataset measure from the building blocks (checked: one that cannot be counted is refused)", datasets::measure_create)
        .page_get("/datasets/measures/{slug}", RunDatasets, "A dataset measure's definition, to change as a new version", datasets::measure_edit)
        .page_post("/datasets/measures/{slug}", RunDatasets, "Save a new version of a dataset measure (from the version read: a stale one is refused)", datasets::measure_update)
        .page_post("/datasets/threshold", RunDatasets, "Set the small-numbers threshold below which published figures are suppressed", datasets::threshold_submit)
        .page_post("/datasets/{month}/close", RunDatasets, "Close a month of the CSE dataset: every figure frozen with a fingerprint", datasets::close)
        .page_get("/case-audits", ViewChildren, "Case-file audit rounds (an auditor: those with their cases) and opening one", case_audits::list)
        .page_post("/case-audits", RunDatasets, "Open a case-file audit round (six-monthly or triggered by a dataset figure): its sample drawn from a recorded seed", case_audits::open)
        .page_get("/case-audits/{id}", ViewChildren, "A case-file audit round: its sample, auditors, grades and actions (an auditor: their cases only)", case_audits::show)
        .page_post("/case-audits/{id}/assign", RunDatasets, "Assign a sampled case to an auditor (their access to the child runs with the round)", case_audits::assign)
        .page_post("/case-audits/{id}/actions", RunDatasets, "Add an action agreed in a case-file audit: tracked as a recommendation", case_audits::add_action)
        .page_post("/case-audits/{id}/close", RunDatasets, "Close a case-file audit round: every auditor's access ends", case_audits::close)
        .page_get("/case-audits/{id}/cases/{child}", ViewChildren, "The audit tool for a case assigned to the caller", case_audits::case_page)
        .page_post("/case-audits/{id}/cases/{child}", ViewChildren, "Grade a case assigned to the caller: each question, overall, findings", case_audits::grade)
        .page_get("/plans", ViewPlans, "Improvement plans, statements of action and strategies", improvement_plans::list)
        .page_post("/plans", KeepPlans, "Import a plan from its sheet (XLSX or CSV): all or nothing, problems by row and column", improvement_plans::import)
        .page_get("/plans/{id}", ViewPlans, "A plan's version in force: objectives, areas, actions and the outcome each must move", improvement_plans::show)
        .page_post("/plans/{id}/versions", KeepPlans, "Re-draft a plan from its sheet: each action's lineage checked, all or nothing", improvement_plans::redraft)
        .page_get("/plans/{id}/versions/{n}", ViewPlans, "One version of a plan as it was agreed", improvement_plans::version)
        .page_get("/plans/{id}/versions/{n}/docx", ViewPlans, "A version of a plan with its outcomes as a DOCX committee paper (small numbers suppressed; audited)", improvement_plans::version_docx)
        .page_get("/plans/{id}/cross-reference", ViewPlans, "The side-by-side cross-reference of two versions of a plan", improvement_plans::cross_reference)
        .page_get("/plans/{id}/cross-reference/docx", ViewPlans, "The cross-reference of two versions as a DOCX appendix (audited)", improvement_plans::cross_reference_docx)
        .page_get("/plans/{id}/actions/{action}", ViewPlans, "A plan action: commentary, and the measures it must move against their bands", improvement_plans::action)
        .page_post("/plans/{id}/actions/{action}", UpdatePlanActions, "Update a plan action: commentary, review date or completion, RAG (version-checked)", improvement_plans::update_action)
        .page_post("/plans/{id}/actions/{action}/measures", KeepPlans, "Name a performance measure a plan action must move", improvement_plans::link_measure)
        .page_get("/scorecards", ViewPlans, "Scorecards of performance measures", scorecards::list)
        .page_post("/scorecards", KeepPlans, "Start a scorecard", scorecards::create)
        .page_get("/scorecards/{id}", ViewPlans, "A scorecard: each measure's latest value, band, direction of travel and sparkline (small numbers suppressed unless the reader sees the dataset in full)", scorecards::show)
        .page_post("/scorecards/{id}/import", KeepPlans, "Import a scorecard's measures and values from its sheet (XLSX or CSV): all or nothing, problems by row and column", scorecards::import)
        .page_post("/scorecards/{id}/measures", KeepPlans, "Add a performance measure: bands checked, computed from the CSE dataset, imported or entered", scorecards::add_measure)
        .page_get("/scorecards/{id}/download/{format}", ViewPlans, "The six-monthly scorecard for committee as DOCX or XLSX (small numbers suppressed; audited)", scorecards::download)
        .page_get("/scorecards/measures/{id}", ViewPlans, "A performance measure's trend over its bands and its values with their sources", scorecards::measure)
        .page_post("/scorecards/measures/{id}/values", KeepPlans, "Enter a month's value of a measure, with where it came from (version-checked)", scorecards::enter_value)
        .page_get("/quarterly-reports", ViewQuarterlyReports, "The quarterly MACSE and Cabinet reports (committee members: signed ones, suppressed)", quarterly::list)
        .page_post("/quarterly-reports", RunDatasets, "Start a quarterly report from a quarter's closed months", quarterly::create)
        .page_get("/quarterly-reports/{id}", ViewQuarterlyReports, "A quarterly report: sign-off, narrative and the quarter's figures (in full and audited, or suppressed, by role)", quarterly::show)
        .page_post("/quarterly-reports/{id}/narrative", RunDatasets, "Write a draft quarterly report's narrative (clears a co-chair's signature)", quarterly::narrative)
        .page_post("/quarterly-reports/{id}/sign", ViewQuarterlyReports, "Sign a quarterly report as a MACSE co-chair (anyone else refused); the second signature freezes it", quarterly::sign)
        .page_get("/quarterly-reports/{id}/download/{format}", ViewQuarterlyReports, "Download a quarterly report: DOCX, PDF, XLSX or CSV (audited)", quarterly::download)
        .page_get("/recommendations", ViewTracker, "Recommendations list", recommendations::list)
        .page_get("/recommendations/{id}", ViewTracker, "A recommendation", recommendations::show)
        .page_get("/recommendations/{id}/edit", ManageTracker, "Edit a recommendation", recommendations::edit_page)
        .page_post("/recommendations/{id}/edit", ManageTracker, "Save a recommendation", recommendations::edit_submit)
        .page_post("/recommendations/{id}/response", ManageTracker, "Record the executive's response", recommendations::response)
        .page_post("/recommendations/{id}/lifecycle", RecordProgress, "Change lifecycle status", recommendations::lifecycle)
        .page_post("/recommendations/{id}/rag", RecordProgress, "Override the suggested RAG", recommendations::rag)
        .page_post("/recommendations/{id}/actions", RecordProgress, "Add an action", recommendations::add_action)
        .page_post("/recommendations/{id}/updates", RecordProgress, "Add a progress update", recommendations::add_update)
        .page_post("/recommendations/{id}/sign-off", ManageTracker, "Record committee sign-off", recommendations::sign_off)
        .page_post("/recommendations/{id}/measures", ManageTracker, "Name a performance measure a recommendation must move (its baseline: the month the executive decided)", recommendations::link_measure)
        .page_post("/recommendations/{id}/transfer", ManageTracker, "Transfer to another committee", recommendations::transfer)
        .page_post("/actions/{id}/revise", RecordProgress, "Revise an action's target date", recommendations::revise_action)
        .page_post("/actions/{id}/done", RecordProgress, "Mark an action done or not done", recommendations::action_done)
        .page_get("/evidence/{id}", ViewTracker, "Download evidence (audited)", recommendations::evidence)
        .page_get("/reviews", ViewTracker, "Reviews list", reviews::list)
        .page_get("/reviews/new", ManageTracker, "New review form", reviews::new_page)
        .page_post("/reviews", ManageTracker, "Create a review", reviews::create)
        .page_get("/reviews/{id}", ViewTracker, "A review and its recommendations", reviews::show)
        .page_get("/reviews/{id}/edit", ManageTracker, "Edit a review", reviews::edit_page)
        .page_post("/reviews/{id}/edit", ManageTracker, "Save a review", reviews::edit_submit)
        .page_post("/reviews/{id}/endorsements", ManageTracker, "Record an endorsement", reviews::endorse)
        .page_post("/reviews/{id}/schedules", ManageTracker, "Add a monitoring schedule", reviews::add_schedule)
        .page_get("/reviews/{id}/recommendations/new", ManageTracker, "New recommendation form", reviews::new_rec_page)
        .page_post("/reviews/{id}/recommendations", ManageTracker, "Add a recommendation", reviews::create_rec)
        .page_post("/reviews/{id}/request-updates", ManageTracker, "Ask lead officers for updates", reviews::request_updates)
        .page_get("/reports", ViewTracker, "Monitoring reports", reports::list)
        .page_get("/reports/new", ManageTracker, "Prepare a monitoring report", reports::new_page)
        .page_post("/reports", ManageTracker, "Create a draft monitoring report", reports::create)
        .page_get("/reports/{id}", ViewTracker, "A monitoring report (drafts: managers only)", reports::show)
        .page_get("/reports/{id}/cover", ManageTracker, "Edit a draft report's cover", reports::cover_page)
        .page_post("/reports/{id}/cover", ManageTracker, "Save a draft report's cover", reports::cover_submit)
        .page_post("/reports/{id}/issue", ManageTracker, "Issue (freeze) a report", reports::issue)
        .page_post("/reports/{id}/delete", ManageTracker, "Delete a draft report", reports::delete)
        .page_get("/reports/{id}/download/{format}", ViewTracker, "Download a report (audited)", reports::download)
        .page_get("/reports/{id}/compare", ViewTracker, "Compare two reports", reports::compare)
        .page_get("/imports", ManageTracker, "Import a tracker", imports::page)
        .page_post("/imports", ManageTracker, "Upload a tracker to import", imports::upload)
        .page_get("/imports/{id}", ManageTracker, "Map an uploaded tracker's columns", imports::mapping)
        .page_post("/imports/{id}/preview", ManageTracker, "Preview a tracker import", imports::preview)
        .page_post("/imports/{id}/mapping", ManageTracker, "Save an import's column mapping from its preview", imports::save_mapping)
        .page_post("/imports/{id}/commit", ManageTracker, "Import all rows of a tracker, or none", imports::commit)
        .page_get("/export/{file}", ViewTracker, "Export the register as XLSX or CSV (audited)", imports::export)
        .page_get("/schedule", ViewTracker, "Monitoring schedule", dashboard::schedule)
        .page_get("/my", RecordProgress, "My recommendations", dashboard::mine)
        .page_get("/bodies", ManageTracker, "Bodies", bodies::list)
        .page_post("/bodies", ManageTracker, "Add a body", bodies::create)
        .page_get("/bodies/{id}/edit", ManageTracker, "Edit a body", bodies::edit_page)
        .page_post("/bodies/{id}/edit", ManageTracker, "Save a body", bodies::edit_submit)
        .page_get("/referrals/new", RaiseConcern, "Raise a CSE concern: CSE 1, CSE 2 screening and referral", referrals::new_page)
        .page_post("/referrals/new", RaiseConcern, "Send a concern and referral to the MASH", referrals::new_submit)
        .page_get("/children/{id}/referrals", ViewChildren, "A child's concerns and referrals", referrals::child_list)
        .page_get("/children/{id}/referrals/{rid}", ViewChildren, "A referral: CSE 1, screening, MASH checks and decision", referrals::show)
        .page_post("/children/{id}/referrals/{rid}/checks", DecideReferrals, "Record an agency's MASH check", referrals::add_check)
        .page_post("/children/{id}/referrals/{rid}/decision", DecideReferrals, "Record the MASH decision", referrals::decide)
        .page_post("/children/{id}/referrals/{rid}/acknowledge", ViewChildren, "A SPOC acknowledges a returned referral", referrals::acknowledge)
        .page_get("/children/{id}/marac", ViewChildren, "A young person's MARAC referrals, and recording one (16 to 18-year-olds)", marac::list)
        .page_post(
            "/children/{id}/marac",
            RaiseConcern,
            "Record a MARAC referral of a 16 to 18-year-old victim of an abusive relationship (age checked against the date of birth)",
            marac::record,
        )
        .page_get("/children/{id}/marac/{mid}", ViewChildren, "A MARAC referral and its CSE review", marac::show)
        .page_post(
            "/children/{id}/marac/{mid}/review",
            DecideReferrals,
            "Record the MASH's CSE review of a MARAC referral (a CSE concern refers the young person to MACSE)",
            marac::review,
        )
        .page_post(
            "/children/{id}/referrals/{rid}/follow-on",
            DecideReferrals,
            "Record a contact's follow-on decision after its multi-agency checks: child protection or MACSE",
            referrals::follow_on,
        )
        .page_get(
            "/children/{id}/child-protection",
            ViewChildren,
            "A child's child protection cases: stages, due dates and timeliness, reviewing officer, CP plan (audited)",
            child_protection::child,
        )
        .page_post(
            "/children/{id}/child-protection/{cid}/strategy-meeting",
            DecideReferrals,
            "Record a CP case's strategy meeting: date, agencies attending, decision",
            child_protection::strategy,
        )
        .page_post(
            "/children/{id}/child-protection/{cid}/section-47",
            DecideReferrals,
            "Record a CP case's section 47 enquiry: its start and outcome",
            child_protection::section_47,
        )
        .page_post(
            "/children/{id}/child-protection/{cid}/conference",
            DecideReferrals,
            "Record a CP case's initial child protection conference and its outcome",
            child_protection::conference,
        )
        .page_post(
            "/children/{id}/child-protection/{cid}/review-conference",
            DecideReferrals,
            "Record a CP case's first review conference",
            child_protection::review,
        )
        .page_post(
            "/children/{id}/child-protection/{cid}/reviewing-officer",
            DecideReferrals,
            "Name the CSE reviewing officer who attends MACSE for the child",
            child_protection::reviewing_officer,
        )
        .page_get(
            "/children/{id}/child-protection/{cid}/plan",
            DecideReferrals,
            "Write the CP plan in the MACSE plan template",
            child_protection::plan_page,
        )
        .page_post(
            "/children/{id}/child-protection/{cid}/plan",
            DecideReferrals,
            "Save a version of the child's plan as the CP plan",
            child_protection::plan_submit,
        )
        .page_get(
            "/child-protection",
            DecideReferrals,
            "Open child protection cases with the next stage due, filterable by overdue (need to know)",
            child_protection::queue,
        )
        .page_get("/mash", DecideReferrals, "The MASH team's queue", referrals::queue)
        .page_get("/spoc", ViewChildren, "A SPOC's agency's referrals", referrals::spoc)
        .page_get(
            "/spoc/monitoring",
            ViewChildren,
            "Use of the CSE forms per agency and period: outcomes, comparison with agencies of the same kind, agencies with none, challenges (SPOCs: their agencies; the partnership manager: all)",
            monitoring::page,
        )
        .page_post("/spoc/challenges", ViewChildren, "Record a challenge of an agency's low use of the CSE forms (its SPOC or the partnership manager)", monitoring::challenge)
        .page_post("/spoc/challenges/{id}/response", ViewChildren, "Record an agency's response to a challenge (its SPOC or the partnership manager)", monitoring::respond)
        .page_get("/partnership/screening-tool", ManagePartnership, "The CSE 2 screening tool", referrals::tool_page)
        .page_post("/partnership/screening-tool", ManagePartnership, "Save a new version of the screening tool", referrals::tool_submit)
        .page_get("/panels", ViewChildren, "MACSE panels (each agenda filtered by need to know)", panels::list)
        .page_post("/panels/series", RunPanels, "Add a fortnightly series of panels", panels::series)
        .page_get("/panels/{id}", ViewChildren, "A panel's agenda: slots of children in reach only, invitations, attendance, minutes", panels::show)
        .page_post("/panels/{id}/slots", RunPanels, "Book a young person's slot", panels::book)
        .page_post("/panels/{id}/slots/{sid}/invitations", RunPanels, "Invite people or agencies to a slot", panels::invite)
        .page_post("/panels/{id}/slots/{sid}/attendance", RunPanels, "Record an invitee's attendance", panels::attendance)
        .page_post(
            "/panels/{id}/slots/{sid}/discussion",
            RunPanels,
            "Save the minutes of one young person's discussion (kept with their record)",
            panels::discussion,
        )
        .page_post("/panels/{id}/minutes", RunPanels, "Save a panel's general business (naming no child) and status", panels::minutes)
        .page_post("/panels/{id}/date", RunPanels, "Change a panel's date", panels::date)
        .page_get(
            "/plans/actions-due",
            RunPanels,
            "Actions of the young people's current MACSE plans due in the next 14 days or overdue (children in reach)",
            pathway::plan_actions_due,
        )
        .page_get("/children/{id}/plan", ViewChildren, "A child's MACSE plan (Prosecute: police CSE and co-chairs only)", plans::show)
        .page_get("/children/{id}/plan/edit", RunPanels, "New version of a child's plan", plans::edit_page)
        .page_post("/children/{id}/plan/edit", RunPanels, "Save a new version of a child's plan", plans::edit_submit)
        .page_get("/children/{id}/plan/versions/{n}", ViewChildren, "One version of a child's plan", plans::version)
        .page_get("/children/{id}/plan/compare", ViewChildren, "What changed between two versions of a plan", plans::compare)
        .page_get(
            "/children/{id}/plan/download/{format}",
            ViewChildren,
            "Download a child's plan as DOCX or CSV (audited; Prosecute only in a police export)",
            plans::download,
        )
        .page_get("/children/{id}/police", ViewChildren, "A child's police CSE flag and operations (police CSE and co-chairs only)", police::child)
        .page_post("/children/{id}/police-flag", RecordPoliceCse, "Record a child's police CSE flag", police::flag)
        .page_get("/police/flags", RecordPoliceCse, "Police CSE flag coverage: every child at risk and the MACSE children (target 100%), those without a flag", police::flags)
        .page_get("/operations", RecordPoliceCse, "Operations", police::operations)
        .page_post("/operations", RecordPoliceCse, "Record an operation", police::create_operation)
        .page_get("/operations/{id}", RecordPoliceCse, "An operation: linked children in reach, updates, outcome", police::operation)
        .page_post("/operations/{id}/updates", RecordPoliceCse, "Add a dated update to an operation", police::add_update)
        .page_post("/operations/{id}/outcome", RecordPoliceCse, "Record an operation's outcome", police::outcome)
        .page_post("/operations/{id}/children", RecordPoliceCse, "Link a child to an operation", police::link_child)
        .page_get(
            "/missing/new",
            RecordMissing,
            "Record a missing episode: child search-or-create, times, where found, police reference, risk grading",
            missing::new_page,
        )
        .page_post("/missing/new", RecordMissing, "Save a missing episode (no overlap with the child's others)", missing::new_submit)
        .page_get(
            "/missing",
            ViewChildren,
            "The missing monitoring group's lists: this month, three in 90 days, late return interviews, other authorities' children (need to know)",
            missing::lists,
        )
        .page_get(
            "/children/{id}/missing",
            ViewChildren,
            "A child's missing episodes, return interviews and routes (need to know; audited)",
            missing::child,
        )
        .page_post("/children/{id}/missing/{eid}/end", RecordMissing, "Record that a missing child was found or returned", missing::end)
        .page_post(
            "/children/{id}/missing/{eid}/interview",
            RecordMissing,
            "Record a return interview; its links are routed by the pattern rules",
            missing::interview,
        )
        .page_get("/partnership/pattern-rules", ManagePartnership, "Pattern rules that route missing episodes to the groups", missing::rules_page)
        .page_post("/partnership/pattern-rules", ManagePartnership, "Save a new version of the pattern rules", missing::rules_submit)
        .page_get("/admin", ManageUsers, "The administrator's sections: accounts, tokens, audit, settings, e-mail, the partnership's set-up", admin::index)
        .page_get("/admin/users", ManageUsers, "Accounts", admin::users)
        .page_post("/admin/users", ManageUsers, "Create an account", admin::create_user)
        .page_post("/admin/users/{id}/active", ManageUsers, "Deactivate or reactivate an account", admin::set_active)
        .page_get("/admin/tokens", ManageUsers, "API tokens", admin::tokens)
        .page_post("/admin/tokens/{id}/revoke", ManageUsers, "Revoke an API token", admin::revoke_token)
        .page_get("/admin/audit", ViewAudit, "Audit log", admin::audit)
        .page_get("/admin/settings", ManageSettings, "Council settings", admin::settings_page)
        .page_post("/admin/settings", ManageSettings, "Save council settings", admin::settings_submit)
        .page_get("/admin/sign-in", ManageSettings, "Sign-in settings: identity providers (OpenID Connect)", sign_in_settings::page)
        .page_post("/admin/sign-in/providers", ManageSettings, "Add or change an identity provider", sign_in_settings::save_provider)
        .page_post("/admin/sign-in/two-factor", ManageSettings, "Choose the roles that must sign in with two factors", sign_in_settings::save_two_factor)
        .page_get("/account", SignedIn, "Your account, and how you are sent reminders", account::page)
        .page_get("/account/two-factor", SignedIn, "Turn on two-factor sign-in (QR code), or see that it is on", account::two_factor_page)
        .page_post(
            "/account/two-factor",
            SignedIn,
            "Turn on two-factor sign-in with a first code; recovery codes shown once",
            account::two_factor_enrol,
        )
        .page_post("/account/two-factor/off", SignedIn, "Turn off two-factor sign-in (with a current code)", account::two_factor_off)
        .page_post("/account/calendar-feed", ViewMeetings, "Start a calendar feed of the meetings (a new secret address, shown once; audited)", account::calendar_feed_start)
        .page_post("/account/calendar-feed/off", ViewMeetings, "Turn the calendar feed off (audited)", account::calendar_feed_stop)
        .page_post("/account/mail", SignedIn, "Choose reminders as they happen or a daily digest", account::mail_submit)
        .page_get("/admin/mail", ManageSettings, "E-mail: the rules that chase deadlines, and the outbox", admin::mail_page)
        .page_post("/admin/mail/rules", ManageSettings, "Save the rules that chase deadlines by e-mail", admin::mail_rules_submit)
        .page_get("/subject-access", SubjectAccess, "Subject access: choose a child by record number", subject_access::page)
        .page_post(
            "/subject-access",
            SubjectAccess,
            "Download everything held about one child as a ZIP of JSON and a Word summary (audited; police-only material marked for redaction review)",
            subject_access::submit,
        )
        .page_get("/legal-holds", SubjectAccess, "Legal holds on children's records", legal_holds::page)
        .page_post("/legal-holds", SubjectAccess, "Place a legal hold on a child's records, with a reason (audited)", legal_holds::place)
        .page_post("/legal-holds/{id}/lift", SubjectAccess, "Lift a legal hold, with a reason (audited)", legal_holds::lift)
        .page_get("/retention", SubjectAccess, "The retention policy and the children's records due for destruction", retention::page)
        .page_post(
            "/retention/{id}/destroy",
            SubjectAccess,
            "Confirm the destruction of a child's record that is due and under no legal hold (audit tombstone)",
            retention::destroy,
        )
        .page_get("/children", ViewChildren, "Search and list the children in the caller's reach (audited)", children::list)
        .page_get(
            "/children/{id}",
            ViewChildren,
            "A child's identity, agencies involved and the parts of the record (need to know; audited)",
            children::show,
        )
        .page_get(
            "/children/{id}/chronology",
            ViewChildren,
            "A child's chronology: every dated event of the record the viewer may see, filtered and paged; the risk over time; an entry's significant-event note (need to know; audited)",
            chronology::page,
        )
        .page_get(
            "/children/{id}/chronology/download",
            ViewChildren,
            "A child's chronology (all or significant events) as a Word document, cut to the viewer's sections and watermarked (audited as an export)",
            chronology::download,
        )
        .page_post(
            "/children/{id}/chronology/marks",
            ViewChildren,
            "Mark a chronology entry significant, change its note or take the mark off (versioned; audited)",
            chronology::mark_submit,
        )
        .page_get("/children/{id}/edit", DecideReferrals, "Edit a child's identity and legal status", children::edit_page)
        .page_post("/children/{id}/edit", DecideReferrals, "Save a child's identity and legal status", children::edit_submit)
        .page_get("/children/{id}/access-log", ViewChildren, "Who has looked at a child's record and why", children::access_log)
        .page_get("/children/{id}/merge", DecideReferrals, "Choose a duplicate to merge into a child's record (MASH team)", children::merge_page)
        .page_post("/children/{id}/merge", DecideReferrals, "Confirm and merge a duplicate (MASH team)", children::merge_submit)
        .page_get(
            "/children/{id}/emergency-access",
            DecideReferrals,
            "Ask for emergency access to a child's record (MASH roles)",
            children::emergency_page,
        )
        .page_post(
            "/children/{id}/emergency-access",
            DecideReferrals,
            "Open a child's record under emergency access, with a reason",
            children::emergency_submit,
        )
        .page_get("/admin/emergency-access", ReviewEmergencyAccess, "Emergency access grants to review", children::review_list)
        .page_post(
            "/admin/emergency-access/{id}/review",
            ReviewEmergencyAccess,
            "Record the review of an emergency access grant",
            children::review_submit,
        )
        .page_get("/partnership/agencies", ManagePartnership, "The partnership's agencies", partnership::agencies)
        .page_post("/partnership/agencies", ManagePartnership, "Add an agency", partnership::create_agency)
        .page_post(
            "/partnership/agencies/{id}/level",
            ManagePartnership,
            "Set whether an agency's involvement with a child reaches all its people or team by team",
            partnership::set_level,
        )
        .page_get("/partnership/spocs", ViewChildren, "Every agency's SPOCs", partnership::spocs)
        .page_post("/partnership/spocs", ManagePartnership, "Name or remove an agency's SPOC", partnership::spocs_submit)
        .page_get("/partnership/people", ManagePartnership, "People on the pathway: agency, teams, SPOC duty", partnership::people)
        .page_post("/partnership/people", ManagePartnership, "Place a person in an agency and teams", partnership::people_submit)
        .page_get(
            "/placements/new",
            RecordPlacements,
            "Record a placement notification: child search-or-create, placement, declared risks",
            placements::new_page,
        )
        .page_post(
            "/placements/new",
            RecordPlacements,
            "Record a placement notification and route it to the teams the rules name",
            placements::new_submit,
        )
        .page_get(
            "/placements",
            RecordPlacements,
            "Placement notifications in reach, by placing authority, with children placed per authority",
            placements::list,
        )
        .page_get("/notifications", ViewChildren, "Placement notifications for your teams, to acknowledge", placements::queue)
        .page_post("/notifications/{id}/acknowledge", ViewChildren, "Acknowledge a notification for a team you are in", placements::acknowledge)
        .page_get(
            "/children/{id}/placements",
            ViewChildren,
            "A child's placement notifications and their acknowledgements",
            placements::child_placements,
        )
        .page_get(
            "/placing-authorities",
            RecordPlacements,
            "A placing authority: children in reach, notifications, lateness, escalations",
            placements::authority_page,
        )
        .page_post("/placing-authorities", RecordPlacements, "Record an escalation of a placing authority", placements::escalate)
        .page_get("/providers", RecordPlacements, "Providers of concern: concerns, actions, Ofsted referrals", placements::providers)
        .page_post("/providers", RecordPlacements, "Add a provider", placements::add_provider)
        .page_post("/providers/concerns", RecordPlacements, "Record a concern about a provider or home", placements::add_concern)
        .page_get("/partnership/routing-rules", ManagePartnership, "The placement routing rules", placements::rules_page)
        .page_post("/partnership/routing-rules", ManagePartnership, "Save a new version of the placement routing rules", placements::rules_submit)
}

pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::AppError::NotFound.respond(true);
    }
    (StatusCode::NOT_FOUND, ui::error_page("Page not found", "If you typed the web address, check it is correct.", StatusCode::NOT_FOUND))
        .into_response()
}

/// Parse a path id, or 404.
pub fn id(raw: &str) -> Result<i64, crate::error::AppError> {
    raw.parse().map_err(|_| crate::error::AppError::NotFound)
}
