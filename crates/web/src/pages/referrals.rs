//! Concerns and referrals: raising a concern (CSE 1, the CSE 2 screening tool and the
//! professional referral), a child's referrals, one referral with its MASH checks and
//! decision, the MASH team's queue, a SPOC's agency's referrals, and the screening
//! tool the partnership keeps.

use assure_domain::partnership::Section;
use assure_domain::referral::{
    CheckInput, ConcernInput, ConcernReporter, DecisionInput, FollowOnInput, MashDecision, ReferralSource, ReferralStatus,
};
use assure_domain::screening::{answer_field, Answers, ScreeningTool};
use assure_domain::tracker::TagColour;
use assure_domain::validation::FieldError;
use assure_domain::{Invalid, Permission};
use assure_storage::keyset::PageRequest;
use assure_storage::referrals::{ConcernForm, Referral};
use assure_storage::{ChildRecord, Reader};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};

use super::child_picker::{self, Identity, Picker};
use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

pub use crate::ui::when;

fn opt_when(ts: &Option<String>) -> String {
    ts.as_deref().map(when).unwrap_or_else(|| "Not yet".into())
}

fn referral_href(r: &Referral) -> String {
    format!("/children/{}/referrals/{}", r.child_id, r.id)
}

fn opts<T: Copy>(all: &[T], slug: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (slug(*v).to_string(), label(*v).to_string())).collect()
}

// ---------------------------------------------------------------- raising a concern

const PICKER: Picker = Picker {
    action: "/referrals/new",
    question: "Which child is this concern about?",
    search_hint: child_picker::REACH_HINT,
    dob_example: "16/01/2008",
    identity: Identity::Full { address: "Address", ward: "Ward" },
    school_in_label: true,
};

/// The form as submitted, read into the storage input; problems only the web edge can
/// see (an unreadable date or number) come back separately.
fn concern_form(f: &Fields) -> (ConcernForm, Invalid) {
    let (child, mut v) = child_picker::read(&PICKER, f);
    let seen_raw = f.get("seen_on").trim();
    let seen_on = f.date("seen_on");
    if let Some(m) = f.date_problem("seen_on", "The date it was seen or heard") {
        v.add("seen_on", m);
    } else if !seen_raw.is_empty() && seen_on.is_none() {
        v.add("seen_on", "Enter the date the concern was seen as a real date, for example 16 1 2018");
    }
    let concern = ConcernInput {
        source: ReferralSource::from_slug(f.get("source")),
        reported_by: ConcernReporter::from_slug(f.get("reported_by")),
        what_seen: f.string("what_seen"),
        seen_on,
        seen_where: f.string("seen_where"),
        seen_by: f.string("seen_by"),
        referral_text: f.string("referral_text"),
    };
    let mut answers = Answers::new();
    for (k, val) in &f.0 {
        if let Some(key) = k.strip_prefix("answer-") {
            match val.as_str() {
                "yes" => answers.insert(key.to_string(), true),
                "no" => answers.insert(key.to_string(), false),
                _ => None,
            };
        }
    }
    (ConcernForm { child, concern, answers }, v)
}

fn screening_fieldsets(tool: &ScreeningTool, f: &Fields, errors: &Invalid) -> Markup {
    let yes_no = [("yes".to_string(), "Yes".to_string()), ("no".to_string(), "No".to_string())];
    html! {
        @for c in &tool.categories {
            h3 class="app-heading-s" { (c.title) }
            @for i in &c.indicators {
                @let name = answer_field(&i.key);
                (ui::radios(Field::new(&name, &i.text, f.get(&name), errors), &yes_no, true))
            }
        }
    }
}

async fn new_render(state: &AppState, ctx: &Ctx, caller: &Caller, reader: &Reader, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let tool = state.store.screening().current().await?;
    let police = state.store.referrals(reader).raises_as_police().await?;
    let matches = child_picker::matches(state, caller, reader, f).await?;
    let (search, child) = child_picker::render(&PICKER, &matches, f, errors);
    let sources: Vec<(String, String)> =
        ReferralSource::ALL.iter().filter(|s| s.allowed_for(police)).map(|s| (s.slug().to_string(), s.label().to_string())).collect();
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Raise a CSE concern" }
        p class="app-body" { "Record what you saw or heard (CSE 1), answer every question of the CSE 2 screening tool and write your professional referral. It goes to the MASH team's queue when you send it." }
        (search)
        form method="post" action=(PICKER.action) novalidate {
            (ui::csrf(ctx.csrf()))
            (child)
            h2 class="app-heading-m" { "The concern (CSE 1)" }
            @if sources.len() > 1 {
                (ui::radios(Field::new("source", "Where did the concern come from?", f.get("source"), errors), &sources, false))
                (ui::radios(
                    Field::new("reported_by", "Who reported it to police?", f.get("reported_by"), errors)
                        .hint("Only for a concern reported to police by the public or a taxi driver."),
                    &opts(ConcernReporter::ALL, ConcernReporter::slug, ConcernReporter::label),
                    false,
                ))
            } @else {
                input type="hidden" name="source" value=(ReferralSource::ProfessionalConcern.slug());
            }
            (ui::textarea(Field::new("what_seen", "What was seen or heard", f.get("what_seen"), errors).hint("Describe it factually: what happened, who was there, what the child said."), 6))
            (ui::date_input(Field::new("seen_on", "When it was seen or heard", f.get("seen_on"), errors)))
            (ui::text_input(Field::new("seen_where", "Where", f.get("seen_where"), errors), "app-input--width-30"))
            (ui::text_input(Field::new("seen_by", "Seen or heard by", f.get("seen_by"), errors).hint("Name and role"), "app-input--width-30"))
            h2 class="app-heading-m" id="screening" { "CSE 2 screening (version " (tool.version) ")" }
            p class="app-body app-hint" { "Answer yes or no to every question. The risk level is worked out from the answers when you send the referral." }
            input type="hidden" name="tool_version" value=(tool.version);
            (screening_fieldsets(&tool, f, errors))
            h2 class="app-heading-m" { "Professional referral" }
            (ui::textarea(Field::new("referral_text", "Your referral to the MASH", f.get("referral_text"), errors).hint("Why you are referring, what you know of the child and family, and what has been done already."), 8))
            (ui::button("Send the referral to the MASH"))
        }
    };
    Ok((status, ui::layout(ctx, "Raise a CSE concern", !errors.is_empty(), content)).into_response())
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let caller = ctx.caller()?.clone();
    let reader = policy::reader(&state, &caller).await?;
    let f = child_picker::query(q);
    new_render(&state, &ctx, &caller, &reader, &f, &Invalid::new(), StatusCode::OK).await
}

pub async fn new_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    let (form, edge) = concern_form(&f);
    if !edge.is_empty() {
        let all = edge.merged(state.store.referrals(&reader).problems(&form).await?);
        return new_render(&state, &ctx, &caller, &reader, &f, &all, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.store.referrals(&reader).raise(&form).await {
        Ok(r) => Ok(done(&format!("/children/{}/referrals/{}", r.child_id, r.referral_id), "concern-raised")),
        Err(assure_storage::StoreError::Invalid(e)) => new_render(&state, &ctx, &caller, &reader, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- a child's referrals

fn referral_table(caption: &str, rows: &[Referral], show_child: bool) -> Markup {
    html! {
        div class="app-table-wrapper" tabindex="0" role="region" aria-label=(caption) {
        table class="app-table" {
            caption class="app-table__caption app-table__caption--m" { (caption) }
            thead class="app-table__head" { tr class="app-table__row" {
                @if show_child { th class="app-table__header" scope="col" { "Child" } }
                th class="app-table__header" scope="col" { "Submitted" }
                th class="app-table__header" scope="col" { "Raised by" }
                th class="app-table__header" scope="col" { "Source" }
                th class="app-table__header" scope="col" { "Risk" }
                th class="app-table__header" scope="col" { "Status" }
                th class="app-table__header" scope="col" { "Decision" }
            } }
            tbody class="app-table__body" {
                @for r in rows {
                    tr class="app-table__row" {
                        @if show_child { td class="app-table__cell" { a class="app-link" href=(referral_href(r)) { (r.child_name) } } }
                        td class="app-table__cell" { @if show_child { (when(&r.submitted_at)) } @else { a class="app-link" href=(referral_href(r)) { (when(&r.submitted_at)) } } }
                        td class="app-table__cell" { (r.agency_name) }
                        td class="app-table__cell" { (r.source.label()) }
                        td class="app-table__cell" { (ui::tag(r.risk_level.label(), r.risk_level.colour())) }
                        td class="app-table__cell" { (ui::tag(r.status.label(), r.status.colour())) }
                        td class="app-table__cell" { (r.decision.map(|d| d.label()).unwrap_or("Not yet decided")) }
                    }
                }
            }
        }
        }
    }
}

pub async fn child_list(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::Concerns).await?;
    let child = record.child();
    let rows = record.referrals().await?;
    let content = html! {
        (ui::breadcrumbs(&[("/children", "Children"), (&format!("/children/{}", child.id), &format!("{} {}", child.first_name, child.last_name))]))
        span class="app-caption-l" { (child.first_name) " " (child.last_name) }
        h1 class="app-heading-l" { "Concerns and referrals" }
        @if rows.is_empty() {
            p class="app-body" { "No concerns have been raised about this child." }
        } @else {
            (referral_table("Referrals, newest first", &rows, false))
        }
        @if ctx.can(Permission::RaiseConcern) {
            p class="app-body" { a class="app-link" href={ "/referrals/new?child=" (child.id) } { "Raise a new concern about this child" } }
        }
    };
    Ok(ui::layout(&ctx, "Concerns and referrals", false, content).into_response())
}

// ---------------------------------------------------------------- one referral

/// Which of the referral page's forms was sent back with problems.
struct Sent<'a> {
    which: &'a str,
    fields: &'a Fields,
    errors: &'a Invalid,
}

async fn show_render(state: &AppState, ctx: &Ctx, record: &ChildRecord, r: &Referral, sent: Option<Sent<'_>>, status: StatusCode) -> PageResult {
    let (viewer, child) = (record.viewer(), record.child());
    let tool = state.store.screening().version(r.tool_version).await?;
    let checks = record.mash_checks(r.id).await?;
    let police_checks = record.may_see(Section::PoliceChecks);
    let agencies = state.store.partnership().agencies().await?;
    let none = Invalid::new();
    let empty = Fields::default();
    let (check_f, check_e) = match &sent {
        Some(s) if s.which == "check" => (s.fields, s.errors),
        _ => (&empty, &none),
    };
    let (dec_f, dec_e) = match &sent {
        Some(s) if s.which == "decision" => (s.fields, s.errors),
        _ => (&empty, &none),
    };
    let (fol_f, fol_e) = match &sent {
        Some(s) if s.which == "follow-on" => (s.fields, s.errors),
        _ => (&empty, &none),
    };
    let errors = sent.as_ref().map(|s| s.errors).unwrap_or(&none);
    let href = referral_href(r);
    let child_name = format!("{} {}", child.first_name, child.last_name);
    let may_decide = ctx.can(Permission::DecideReferrals) && r.status.awaiting_decision();
    let may_check = ctx.can(Permission::DecideReferrals) && r.status.takes_checks();
    let may_follow_on = ctx.can(Permission::DecideReferrals) && r.status.awaiting_follow_on();
    let follow_on_opts: Vec<(String, String)> = MashDecision::FOLLOW_ONS.iter().map(|d| (d.slug().to_string(), d.label().to_string())).collect();
    let may_ack = viewer.spoc_for.contains(&r.agency_id) && r.status == ReferralStatus::ReturnedToSpoc;
    let agency_opts = ui::options_with_blank("Select an agency", agencies.iter().filter(|a| a.active).map(|a| (a.id.to_string(), a.name.clone())));
    let content = html! {
        (ui::breadcrumbs(&[("/children", "Children"), (&format!("/children/{}", child.id), &child_name), (&format!("/children/{}/referrals", child.id), "Concerns and referrals")]))
        @if let Some(s) = &sent { (ui::error_summary_for(s.errors, s.which)) }
        span class="app-caption-l" { (child.first_name) " " (child.last_name) }
        h1 class="app-heading-l" { "Referral of " (when(&r.submitted_at)) }
        @if r.source == ReferralSource::Marac {
            p class="app-body-l" { "Risk level: " (ui::tag(r.risk_level.label(), r.risk_level.colour())) " (MARAC hears only cases assessed as high risk)" }
        } @else if r.source.screened() {
            p class="app-body-l" { "Risk level from the CSE 2 screening: " (ui::tag(r.risk_level.label(), r.risk_level.colour())) }
        } @else {
            p class="app-body-l" { "Police risk grading of the missing episode: " (ui::tag(r.risk_level.label(), r.risk_level.colour())) }
        }
        dl class="app-summary-list" {
            (ui::summary_row("Status", ui::tag(r.status.label(), r.status.colour())))
            (ui::summary_row("Source", html! { (r.source.label()) }))
            @if let Some(by) = r.reported_by { (ui::summary_row("Reported to police by", html! { (by.label()) })) }
            (ui::summary_row("Raised by", html! { (r.raised_by_name.as_deref().unwrap_or("Unknown")) ", " (r.agency_name) }))
            (ui::summary_row("Submitted", html! { (when(&r.submitted_at)) }))
        }
        h2 class="app-heading-m" { "The concern (CSE 1)" }
        dl class="app-summary-list" {
            (ui::summary_row("What was seen or heard", ui::prose(&r.what_seen)))
            (ui::summary_row("When", html! { (assure_domain::dates::long(r.seen_on)) }))
            (ui::summary_row("Where", html! { (r.seen_where) }))
            (ui::summary_row("Seen or heard by", html! { (r.seen_by) }))
        }
        h2 class="app-heading-m" { "Professional referral" }
        (ui::prose(&r.referral_text))
        h2 class="app-heading-m" { "CSE 2 screening" }
        @if r.source == ReferralSource::Marac {
            p class="app-body" { "Not screened: this referral was made by the MASH's CSE review of a MARAC referral, and went to MACSE. " a class="app-link" href={ "/children/" (child.id) "/marac" } { "See the MARAC referrals" } }
        } @else if !r.source.screened() {
            p class="app-body" { "Not screened: this referral was made by the pattern rules from a return interview's link to CSE, and went to MACSE. " a class="app-link" href={ "/children/" (child.id) "/missing" } { "See the missing episodes" } }
        }
        @for c in tool.categories.iter().filter(|_| r.source.screened()) {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label=(c.title) {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--s" { (c.title) }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Question" } th class="app-table__header" scope="col" { "Weight" } th class="app-table__header" scope="col" { "Answer" }
                } }
                tbody class="app-table__body" {
                    @for i in &c.indicators {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (i.text) }
                            td class="app-table__cell" { (i.weight.label()) }
                            td class="app-table__cell" { @match r.answers.get(&i.key) { Some(true) => strong { "Yes" }, Some(false) => "No", None => "Not answered" } }
                        }
                    }
                }
            }
            }
        }
        @if r.source.screened() { p class="app-body app-hint" { "Scored with version " (r.tool_version) " of the screening tool." } }
        h2 class="app-heading-m" { "MASH checks and decision" }
        dl class="app-summary-list" {
            (ui::summary_row("Picked up by the MASH", html! { (opt_when(&r.picked_up_at)) }))
            (ui::summary_row("Decision", html! { (r.decision.map(|d| d.label()).unwrap_or("Not yet decided")) }))
            @if let Some(reasons) = &r.decision_reasons { (ui::summary_row("Reasons", ui::prose(reasons))) }
            @if let Some(i) = r.interventions.as_ref().filter(|i| !i.is_empty()) { (ui::summary_row("Proposed interventions", ui::prose(i))) }
            @if r.keep_monitoring { (ui::summary_row("Request", html! { "The MASH asks the referring agency to keep monitoring the child and to refer again if concerns grow." })) }
            (ui::summary_row("Decided", html! { (opt_when(&r.decided_at)) @if let Some(n) = &r.decided_by_name { " by " (n) } }))
            @if r.decision == Some(MashDecision::KnownChildContact) {
                (ui::summary_row("Follow-on decision", html! {
                    @match r.follow_on {
                        Some(d) => { (d.label()) ", " (opt_when(&r.follow_on_at)) @if let Some(n) = &r.follow_on_by_name { " by " (n) } },
                        None => "Not yet: waiting for the multi-agency checks of the contact",
                    }
                }))
                @if let Some(reasons) = &r.follow_on_reasons { (ui::summary_row("Reasons for the follow-on", ui::prose(reasons))) }
            }
            @if r.returned_at.is_some() { (ui::summary_row("Returned to the SPOC", html! { (opt_when(&r.returned_at)) })) }
            @if r.spoc_acknowledged_at.is_some() { (ui::summary_row("Acknowledged by the SPOC", html! { (opt_when(&r.spoc_acknowledged_at)) @if let Some(n) = &r.spoc_acknowledged_by_name { " by " (n) } })) }
        }
        @if r.decision == Some(MashDecision::ChildProtection) || r.follow_on == Some(MashDecision::ChildProtection) {
            p class="app-body" { "A child protection case is open for the child: " a class="app-link" href={ "/children/" (child.id) "/child-protection" } { "see the child protection stages" } "." }
        }
        @if matches!(r.decision, Some(MashDecision::Macse | MashDecision::ChildInNeedAndMacse)) || r.follow_on == Some(MashDecision::Macse) {
            p class="app-body" { "Next, the CSE analyst books the young person a slot at a " a class="app-link" href="/panels" { "MACSE panel" } ", which makes the " a class="app-link" href={ "/children/" (child.id) "/plan" } { "MACSE plan" } "." }
        }
        @if checks.is_empty() {
            p class="app-body" { "No agency checks have been recorded." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="What each agency holds" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--s" { "What each agency holds" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Agency" } th class="app-table__header" scope="col" { "Holds" }
                    @if police_checks { th class="app-table__header" scope="col" { "For the police only" } }
                    th class="app-table__header" scope="col" { "Recorded" }
                } }
                tbody class="app-table__body" {
                    @for c in &checks {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (c.agency_name) }
                            td class="app-table__cell" { @if c.holds.is_empty() { "Nothing that may be shared" } @else { (ui::prose(&c.holds)) } }
                            @if police_checks { td class="app-table__cell" { (ui::prose(&c.police_only)) } }
                            td class="app-table__cell" { (when(&c.recorded_at)) @if let Some(n) = &c.recorded_by_name { " by " (n) } }
                        }
                    }
                }
            }
            }
        }
        @if may_check {
            h2 class="app-heading-m" { "Record an agency's check" }
            form method="post" action={ (href) "/checks" } novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::select(Field::new("agency_id", "Agency", check_f.get("agency_id"), check_e).prefixed("check"), &agency_opts))
                (ui::textarea(Field::new("holds", "What the agency holds that may be shared with the referrer", check_f.get("holds"), check_e).prefixed("check").hint("Or that it holds nothing."), 4))
                (ui::textarea(Field::new("police_only", "Information for the police only (optional)", check_f.get("police_only"), check_e).prefixed("check").hint("Police intelligence, for example about adults or offences. Only police CSE officers, the MACSE co-chairs and the MASH see it."), 4))
                (ui::secondary_button("Record the check"))
            }
        }
        @if may_follow_on {
            h2 class="app-heading-m" { "Follow-on decision" }
            p class="app-body" { "The child is already known. Once the agencies' checks of this contact are recorded, decide how the CSE concerns are addressed." }
            form method="post" action={ (href) "/follow-on" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(if fol_f.get("version").is_empty() { r.version.to_string() } else { fol_f.string("version") });
                (ui::radios(Field::new("follow_on", "The follow-on decision", fol_f.get("follow_on"), fol_e).prefixed("follow-on"), &follow_on_opts, false))
                (ui::textarea(Field::new("follow_on_reasons", "Reasons for the follow-on decision", fol_f.get("follow_on_reasons"), fol_e).prefixed("follow-on"), 5))
                (ui::button("Record the follow-on decision"))
            }
        }
        @if may_decide {
            h2 class="app-heading-m" { "Decision" }
            form method="post" action={ (href) "/decision" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(if dec_f.get("version").is_empty() { r.version.to_string() } else { dec_f.string("version") });
                (ui::radios(Field::new("decision", "The MASH decision", dec_f.get("decision"), dec_e).prefixed("decision"), &opts(MashDecision::ALL, MashDecision::slug, MashDecision::label), false))
                (ui::textarea(Field::new("reasons", "Reasons for the decision", dec_f.get("reasons"), dec_e).prefixed("decision"), 5))
                (ui::textarea(Field::new("interventions", "Proposed interventions for the referring agency", dec_f.get("interventions"), dec_e).prefixed("decision").hint("Needed when there is no CSE concern: the referral goes back to the agency's SPOC with these and a request to keep monitoring."), 4))
                (ui::button("Record the decision"))
            }
        }
        @if may_ack {
            (ack_form(ctx, r))
        }
    };
    Ok((status, ui::layout(ctx, "Referral", !errors.is_empty(), content)).into_response())
}

fn ack_form(ctx: &Ctx, r: &Referral) -> Markup {
    html! {
        form method="post" action={ (referral_href(r)) "/acknowledge" } {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(r.version);
            (ui::button("Acknowledge the returned referral"))
        }
    }
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, rid)): Path<(String, String)>) -> PageResult {
    let record = policy::child(&state, &caller, id(&cid)?, Section::Screening).await?;
    let r = record.referral(id(&rid)?).await?;
    show_render(&state, &ctx, &record, &r, None, StatusCode::OK).await
}

pub async fn add_check(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, rid)): Path<(String, String)>, f: Fields) -> PageResult {
    let record = policy::child(&state, &caller, id(&cid)?, Section::MashDecision).await?;
    let r = record.referral(id(&rid)?).await?;
    let input = CheckInput { agency_id: f.opt_id("agency_id"), shared: f.string("holds"), police_only: f.string("police_only") };
    match record.record_check(r.id, &input).await {
        Ok(_) => Ok(done(&referral_href(&r), "check-recorded")),
        Err(assure_storage::StoreError::Invalid(e)) => {
            show_render(&state, &ctx, &record, &r, Some(Sent { which: "check", fields: &f, errors: &e }), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn decide(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, rid)): Path<(String, String)>, f: Fields) -> PageResult {
    let record = policy::child(&state, &caller, id(&cid)?, Section::MashDecision).await?;
    let r = record.referral(id(&rid)?).await?;
    let input = DecisionInput {
        decision: MashDecision::from_slug(f.get("decision")),
        reasons: f.string("reasons"),
        interventions: f.string("interventions"),
    };
    match record.decide(r.id, f.version()?, &input).await {
        Ok(_) => Ok(done(&referral_href(&r), "decision-recorded")),
        Err(assure_storage::StoreError::Invalid(e)) => {
            show_render(&state, &ctx, &record, &r, Some(Sent { which: "decision", fields: &f, errors: &e }), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn follow_on(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, rid)): Path<(String, String)>, f: Fields) -> PageResult {
    let record = policy::child(&state, &caller, id(&cid)?, Section::MashDecision).await?;
    let r = record.referral(id(&rid)?).await?;
    let input = FollowOnInput { decision: MashDecision::from_slug(f.get("follow_on")), reasons: f.string("follow_on_reasons") };
    match record.follow_on(r.id, f.version()?, &input).await {
        Ok(_) => Ok(done(&referral_href(&r), "follow-on-recorded")),
        Err(assure_storage::StoreError::Invalid(e)) => {
            show_render(&state, &ctx, &record, &r, Some(Sent { which: "follow-on", fields: &f, errors: &e }), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn acknowledge(State(state): State<AppState>, caller: Caller, Path((cid, rid)): Path<(String, String)>, f: Fields) -> PageResult {
    let record = policy::child(&state, &caller, id(&cid)?, Section::MashDecision).await?;
    let r = record.referral(id(&rid)?).await?;
    if !record.viewer().spoc_for.contains(&r.agency_id) {
        match record.refuse("referral: acknowledgement refused, not a SPOC of the raising agency").await {
            assure_storage::StoreError::Restricted => {}
            e => return Err(e.into()),
        }
        return Err(AppError::ForbiddenRecord("Only a SPOC of the agency that raised this referral can acknowledge its return.".into()));
    }
    record.acknowledge_return(r.id, f.version()?).await?;
    Ok(done("/spoc", "return-acknowledged"))
}

// ---------------------------------------------------------------- the MASH queue

/// Referrals on one page of the MASH queue.
const QUEUE_PER_PAGE: i64 = 50;

pub async fn queue(State(state): State<AppState>, ctx: Ctx, caller: Caller, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    let cursor = q.iter().find(|(k, _)| k == "cursor").map(|(_, v)| v.as_str());
    let (page, waiting) =
        state.store.referrals(&reader).mash_queue_page(state.clock().now(), &PageRequest::from_link(cursor, QUEUE_PER_PAGE)).await?;
    let rows = &page.items;
    let maracs = state.store.marac(&reader).awaiting_review().await?;
    let content = html! {
        h1 class="app-heading-l" { "MASH queue" }
        p class="app-body" { "Referrals waiting for the team's checks and decision, oldest first. This is the team's queue: anyone in the MASH can pick up the oldest." }
        p class="app-body" { "Child protection cases and their next stages are on " a class="app-link" href="/child-protection" { "the child protection cases page" } " (" a class="app-link" href="/child-protection?overdue=yes" { "those with an overdue stage" } ")." }
        @if rows.is_empty() {
            p class="app-body" { "There are no referrals waiting." }
        } @else {
            (ui::scroll_table("Referrals waiting", html! { table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { (waiting) " referral" @if waiting != 1 { "s" } " waiting" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Child" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Waiting (hours)" }
                    th class="app-table__header" scope="col" { "Risk" }
                    th class="app-table__header" scope="col" { "Source" }
                    th class="app-table__header" scope="col" { "Raised by" }
                    th class="app-table__header" scope="col" { "Status" }
                } }
                tbody class="app-table__body" {
                    @for q in rows {
                        @let r = &q.referral;
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href=(referral_href(r)) { (r.child_name) } }
                            td class="app-table__cell app-table__cell--numeric" { (q.age_hours) }
                            td class="app-table__cell" { (ui::tag(r.risk_level.label(), r.risk_level.colour())) }
                            td class="app-table__cell" { (r.source.label()) }
                            td class="app-table__cell" { (r.agency_name) }
                            td class="app-table__cell" { (ui::tag(r.status.label(), r.status.colour())) }
                        }
                    }
                }
            } }))
        }
    };
    let content = html! {
        (content)
        (ui::pager("/mash", &page))
        h2 class="app-heading-m" id="marac" { "MARAC referrals awaiting a CSE review" }
        @if maracs.is_empty() {
            p class="app-body" { "There are no MARAC referrals waiting for a CSE review." }
        } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="MARAC referrals awaiting a CSE review" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--s" { (maracs.len()) " MARAC referral" @if maracs.len() != 1 { "s" } " of 16 to 18-year-olds, oldest first" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Young person" }
                    th class="app-table__header" scope="col" { "Referred to MARAC" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Age" }
                    th class="app-table__header" scope="col" { "Recorded by" }
                } }
                tbody class="app-table__body" {
                    @for m in &maracs {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/children/" (m.child_id) "/marac/" (m.id) } { (m.child_name) } }
                            td class="app-table__cell" { (assure_domain::dates::long(m.referred_on)) }
                            td class="app-table__cell app-table__cell--numeric" { (m.age_at_referral) }
                            td class="app-table__cell" { (m.agency_name) }
                        }
                    }
                }
            }
            }
        }
    };
    Ok(ui::layout(&ctx, "MASH queue", false, content).into_response())
}

// ---------------------------------------------------------------- the SPOC's list

pub async fn spoc(State(state): State<AppState>, ctx: Ctx, caller: Caller, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    let cursor = q.iter().find(|(k, _)| k == "cursor").map(|(_, v)| v.as_str());
    let referrals = state.store.referrals(&reader);
    let (page, total) = referrals.spoc_page(&PageRequest::from_link(cursor, QUEUE_PER_PAGE)).await?;
    let rows = &page.items;
    let returned_rows = referrals.spoc_returned().await?;
    let returned: Vec<&Referral> = returned_rows.iter().collect();
    let content = html! {
        h1 class="app-heading-l" { "Your agency's referrals" }
        @if !reader.viewer().spoc_for.is_empty() || ctx.can(Permission::ManagePartnership) {
            p class="app-body" { a class="app-link" href="/spoc/monitoring" { "Monitor the use of the CSE forms and challenge low use" } }
        }
        @if reader.viewer().spoc_for.is_empty() {
            p class="app-body" { "You are not the single point of contact (SPOC) for any agency, so there are no agency referrals to show. The partnership manager keeps the list of SPOCs." }
        } @else if rows.is_empty() {
            p class="app-body" { "Your agency has not raised any concerns yet." }
        } @else {
            @if !returned.is_empty() {
                h2 class="app-heading-m" { "Returned to you with no CSE concern" }
                @for r in &returned {
                    div class="app-inset-text app-returned" {
                        h3 class="app-heading-s" { a class="app-link" href=(referral_href(r)) { (r.child_name) } " " (ui::tag("Returned", TagColour::Orange)) }
                        p class="app-body" { "Raised " (when(&r.submitted_at)) " by " (r.raised_by_name.as_deref().unwrap_or("your agency")) "; returned " (opt_when(&r.returned_at)) "." }
                        h4 class="app-heading-s" { "Reasons" }
                        (ui::prose(r.decision_reasons.as_deref().unwrap_or("")))
                        h4 class="app-heading-s" { "Proposed interventions" }
                        (ui::prose(r.interventions.as_deref().unwrap_or("")))
                        @if r.keep_monitoring { p class="app-body" { strong { "The MASH asks your agency to keep monitoring the child and to refer again if concerns grow." } } }
                        (ack_form(&ctx, r))
                    }
                }
            }
            (referral_table(&format!("All referrals raised by your agency ({total})"), rows, true))
            (ui::pager("/spoc", &page))
        }
    };
    Ok(ui::layout(&ctx, "Your agency's referrals", false, content).into_response())
}

// ---------------------------------------------------------------- the screening tool

fn tool_json(t: &ScreeningTool) -> String {
    let mut v = serde_json::to_value(t).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("version");
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

async fn tool_render(state: &AppState, ctx: &Ctx, text: Option<&str>, errors: &Invalid, status: StatusCode) -> PageResult {
    let tool = state.store.screening().current().await?;
    let text = text.map(str::to_string).unwrap_or_else(|| tool_json(&tool));
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "CSE 2 screening tool" }
        p class="app-body" { "Version " (tool.version) " is in use. Saving a change makes a new version; referrals already made keep the version they were scored with." }
        @for c in &tool.categories {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="CSE 2 screening tool" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--s" { (c.title) " (" code { (c.key) } ")" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Key" } th class="app-table__header" scope="col" { "Question" } th class="app-table__header" scope="col" { "Weight" }
                } }
                tbody class="app-table__body" {
                    @for i in &c.indicators {
                        tr class="app-table__row" { td class="app-table__cell" { code { (i.key) } } td class="app-table__cell" { (i.text) } td class="app-table__cell" { (i.weight.label()) } }
                    }
                }
            }
            }
        }
        h2 class="app-heading-m" { "Rules" }
        p class="app-body" { "The highest level whose rule holds is the risk level; when none holds there is no apparent risk." }
        ul class="app-list app-list--bullet" {
            @for r in &tool.rules {
                li { (r.level.label()) ": at least " (r.at_least) " " (r.weight.map(|w| w.slug()).unwrap_or("?")) "-weight (or heavier) indicator" @if r.at_least != 1 { "s" } " answered yes" }
            }
        }
        h2 class="app-heading-m" { "Change the tool" }
        form method="post" action="/partnership/screening-tool" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::textarea(Field::new("tool", "The tool as JSON", &text, errors).hint("categories: key, title and indicators (key, text, weight: low, medium or significant); rules: level (low, medium or high), at_least and weight. Keys are lower-case letters, digits and hyphens."), 30))
            (ui::button("Save as a new version"))
        }
    };
    Ok((status, ui::layout(ctx, "CSE 2 screening tool", !errors.is_empty(), content)).into_response())
}

pub async fn tool_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    tool_render(&state, &ctx, None, &Invalid::new(), StatusCode::OK).await
}

pub async fn tool_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let text = f.get("tool");
    let tool: ScreeningTool = match serde_json::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let msg =
                format!("The tool could not be read as JSON ({e}): check the brackets, commas and quotation marks, and the weight and level names");
            return tool_render(&state, &ctx, Some(text), &Invalid::single("tool", msg), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match state.store.screening().save(&caller.actor(), &tool).await {
        Ok(_) => Ok(done("/partnership/screening-tool", "tool-saved")),
        Err(assure_storage::StoreError::Invalid(e)) => {
            // Every problem is listed; they all point at the one text box.
            let all = Invalid { errors: e.errors.into_iter().map(|x| FieldError { field: "tool".into(), message: x.message }).collect() };
            tool_render(&state, &ctx, Some(text), &all, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
