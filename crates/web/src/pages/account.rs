//! A signed-in person's own account: who they are signed in as, and how they are sent
//! the reminders Assure chases deadlines with (each as it happens, or one e-mail a day).

use assure_domain::Invalid;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use crate::auth::Caller;
use crate::error::PageResult;
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{two_factor, AppState};

const EACH: &str = "each";
const DAILY: &str = "daily";

fn render(ctx: &Ctx, caller: &Caller, choice: &str, feed: Option<&str>, errors: &Invalid) -> maud::Markup {
    let options = [
        (EACH.to_string(), "Each reminder as it happens".to_string()),
        (DAILY.to_string(), format!("One e-mail a day, from {}am, gathering the day's reminders", assure_domain::chase::DIGEST_HOUR)),
    ];
    html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Your account" }
        dl class="app-summary-list" {
            (ui::summary_row("Name", html! { (caller.user.name) }))
            (ui::summary_row("E-mail address", html! { (caller.user.email) }))
            (ui::summary_row("Role", html! { (caller.user.role.label()) }))
        }
        h2 class="app-heading-m" { "Signing in" }
        p class="app-body" { a class="app-link" href="/account/two-factor" { "Two-factor sign-in" } ": a code from your phone as well as your password." }
        @if caller.user.role.allows(assure_domain::Permission::ViewMeetings) {
            h2 class="app-heading-m" { "Meetings in your calendar" }
            p class="app-body" {
                "A calendar feed puts every committee meeting in Outlook, Google Calendar or your phone's calendar, and keeps them up to date when a meeting moves. "
                "The calendar program fetches it without signing in, so its address is a secret: anyone who has it sees the meeting dates and venues (never papers or minutes)."
            }
            @if let Some(started) = feed {
                p class="app-body" { "Your feed was started on " (started.get(..10).unwrap_or(started)) ". Its address was shown once, then; a new address stops the old one working." }
                form method="post" action="/account/calendar-feed" novalidate {
                    (ui::csrf(ctx.csrf()))
                    (ui::secondary_button("Make a new address"))
                }
                form method="post" action="/account/calendar-feed/off" novalidate {
                    (ui::csrf(ctx.csrf()))
                    button type="submit" class="app-button app-button--warning" { "Turn the feed off" }
                }
            } @else {
                form method="post" action="/account/calendar-feed" novalidate {
                    (ui::csrf(ctx.csrf()))
                    (ui::secondary_button("Start a calendar feed"))
                }
            }
        }
        h2 class="app-heading-m" { "E-mail reminders" }
        p class="app-body" {
            "Assure e-mails you when something you are responsible for is due or overdue. "
            "Each message gives a reference and a link that needs you to sign in; it never holds a child's details."
        }
        form method="post" action="/account/mail" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::radios(Field::new("reminders", "How would you like your reminders?", choice, errors), &options, false))
            (ui::button("Save"))
        }
    }
}

pub async fn page(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    let daily = state.store.mail().digest_chosen(caller.user.id).await?;
    let choice = if daily { DAILY } else { EACH };
    let feed = state.store.meetings().feed_started(caller.user.id).await?;
    Ok(ui::layout(&ctx, "Your account", false, render(&ctx, &caller, choice, feed.as_deref(), &Invalid::new())).into_response())
}

/// POST "/account/calendar-feed": a new secret address for the person's calendar feed
/// (any earlier one stops working), shown once.
pub async fn calendar_feed_start(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    let secret = crate::auth::random_token();
    state.store.meetings().start_feed(&caller.actor(), caller.user.id, &crate::auth::sha256_hex(&secret)).await?;
    let address = format!("{}/meetings/feed/{secret}/calendar.ics", state.config.public_url.trim_end_matches('/'));
    let body = html! {
        (ui::important_banner("Your calendar feed is ready", html! {
            p class="app-notification-banner__heading" { "Copy its address now: it is shown only once." }
        }))
        h1 class="app-heading-l" { "Your calendar feed" }
        p class="app-body" { "In your calendar program, choose to add or subscribe to a calendar from the internet (\"from URL\"), and give it this address:" }
        p class="app-body" { code data-testid="feed-address" { (address) } }
        p class="app-body" { "Keep it to yourself: anyone with the address sees the meeting dates and venues. If it gets out, make a new one on your account page; the old one then stops working." }
        p class="app-body" { a class="app-link" href="/account" { "Back to your account" } }
    };
    Ok(ui::layout(&ctx, "Your calendar feed", false, body).into_response())
}

/// POST "/account/calendar-feed/off": the feed's address stops working.
pub async fn calendar_feed_stop(State(state): State<AppState>, caller: Caller) -> PageResult {
    match state.store.meetings().stop_feed(&caller.actor(), caller.user.id).await {
        Ok(()) | Err(assure_storage::StoreError::NotFound) => Ok(done("/account", "calendar-feed-off")),
        Err(e) => Err(e.into()),
    }
}

pub async fn mail_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let choice = f.string("reminders");
    let daily = match choice.as_str() {
        EACH => false,
        DAILY => true,
        _ => {
            let mut errors = Invalid::new();
            errors.add("reminders", "Choose how you would like your reminders: each as it happens, or one e-mail a day");
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, ui::layout(&ctx, "Your account", true, render(&ctx, &caller, "", None, &errors))).into_response()
            );
        }
    };
    state.store.mail().choose_digest(&caller.actor(), caller.user.id, daily).await?;
    Ok(done("/account", "account-mail-saved"))
}

// ---------------------------------------------------------------- two-factor sign-in

fn enrol_form(ctx: &Ctx, caller: &Caller, secret: &str, errors: &Invalid) -> maud::Markup {
    set_up_form(ctx, &caller.user.email, ctx.csrf(), "/account/two-factor", secret, errors, false)
}

/// The QR code, the key and the first code, posted to `action` with the form's CSRF
/// token. `at_sign_in`: the role requires it and the person is setting it up to finish
/// signing in.
pub(crate) fn set_up_form(ctx: &Ctx, email: &str, csrf: &str, action: &str, secret: &str, errors: &Invalid, at_sign_in: bool) -> maud::Markup {
    let issuer = format!("{} ({})", ctx.settings.service_name, ctx.settings.organisation);
    let url = two_factor::otpauth_url(&issuer, email, secret);
    let grouped: Vec<String> = secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { @if at_sign_in { "Set up two-factor sign-in" } @else { "Two-factor sign-in" } }
        @if at_sign_in {
            p class="app-body" { "Your role sees children's records, so signing in needs a code from an authenticator app on your phone as well as your password. Set it up now to finish signing in." }
        }
        p class="app-body" { "With two-factor sign-in, signing in needs your password and a code from an authenticator app on your phone (such as Microsoft Authenticator or Google Authenticator), so a stolen password alone is not enough." }
        h2 class="app-heading-m" { "1. Scan this code with your authenticator app" }
        @if let Some(svg) = two_factor::qr_svg(&url) {
            div class="app-qr" role="img" aria-label="QR code to add this account to an authenticator app" { (maud::PreEscaped(svg)) }
        }
        p class="app-body" { "If you cannot scan it, enter this key in the app instead: " code data-testid="totp-secret" { (grouped.join(" ")) } }
        h2 class="app-heading-m" { "2. Enter the code the app shows" }
        form method="post" action=(action) novalidate {
            (ui::csrf(csrf))
            input type="hidden" name="secret" value=(secret);
            @let f = Field::new("code", "Code", "", errors).hint("Six digits. A new code appears every 30 seconds.");
            (ui::input_of_type(f, "app-input--width-10", "text", Some("one-time-code")))
            (ui::button("Turn on two-factor sign-in"))
        }
    }
}

/// The recovery codes, shown once after setting two-factor sign-in up; `next` is where
/// the person goes on to.
pub(crate) fn recovery_codes_page(codes: &[String], next: &str, next_label: &str) -> maud::Markup {
    html! {
        (ui::important_banner("Two-factor sign-in is on", html! {
            p class="app-notification-banner__heading" { "From now on, signing in asks for a code from your app." }
        }))
        h1 class="app-heading-l" { "Your recovery codes" }
        p class="app-body" { "If you lose your phone, each of these codes signs you in once instead of an app code. Keep them somewhere safe, away from your phone. They are shown only now." }
        ul class="app-list" data-testid="recovery-codes" {
            @for c in codes { li { code { (c) } } }
        }
        p class="app-body" { a class="app-link" href=(next) { (next_label) } }
    }
}

fn enrolled_page(ctx: &Ctx, left: i64, required: bool, errors: &Invalid) -> maud::Markup {
    html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Two-factor sign-in" }
        p class="app-body" { strong { "Two-factor sign-in is on." } " You have " (left) " recovery codes left." }
        @if required {
            p class="app-body" data-testid="two-factor-required" { "Your role must sign in with two factors, so it cannot be turned off. If you lose your phone and your recovery codes, ask your administrator to reset it: you will set it up again when you next sign in." }
        } @else {
            h2 class="app-heading-m" { "Turn it off" }
            form method="post" action="/account/two-factor/off" novalidate {
                (ui::csrf(ctx.csrf()))
                @let f = Field::new("code", "Code from your authenticator app", "", errors);
                (ui::input_of_type(f, "app-input--width-10", "text", Some("one-time-code")))
                (ui::secondary_button("Turn off two-factor sign-in"))
            }
        }
    }
}

pub async fn two_factor_page(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    let tf = state.store.two_factor();
    let body = if tf.secret(caller.user.id).await?.is_some() {
        enrolled_page(&ctx, tf.recovery_left(caller.user.id).await?, tf.required(caller.role()).await?, &Invalid::new())
    } else {
        enrol_form(&ctx, &caller, &two_factor::new_secret(), &Invalid::new())
    };
    Ok(ui::layout(&ctx, "Two-factor sign-in", false, body).into_response())
}

fn unix_now(state: &AppState) -> u64 {
    state.store.clock().now().timestamp().max(0) as u64
}

pub async fn two_factor_enrol(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let (secret, step) = two_factor::first_code(&f.string("secret"), f.get("code"), unix_now(&state));
    let step = match step {
        Ok(step) => step,
        Err(message) => {
            let errors = Invalid::single("code", message);
            let body = enrol_form(&ctx, &caller, &secret, &errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, ui::layout(&ctx, "Two-factor sign-in", true, body)).into_response());
        }
    };
    let codes = two_factor::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| two_factor::recovery_hash(caller.user.id, c)).collect();
    state.store.two_factor().enrol(&caller.actor(), caller.user.id, &secret, step, &hashes).await?;
    let body = recovery_codes_page(&codes, "/account", "Back to your account");
    Ok(ui::layout(&ctx, "Your recovery codes", false, body).into_response())
}

pub async fn two_factor_off(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let tf = state.store.two_factor();
    let Some(secret) = tf.secret(caller.user.id).await? else { return Ok(done("/account", "two-factor-off")) };
    let ok = match two_factor::matching_step(&secret, f.get("code"), unix_now(&state)) {
        Some(step) => tf.use_step(caller.user.id, step).await?,
        None => false,
    };
    let required = tf.required(caller.role()).await?;
    if required || !ok {
        let message = if required {
            "Your role must sign in with two factors: it cannot be turned off"
        } else {
            "Enter the code your authenticator app shows now (a code works once)"
        };
        let errors = Invalid::single("code", message);
        let body = enrolled_page(&ctx, tf.recovery_left(caller.user.id).await?, required, &errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, ui::layout(&ctx, "Two-factor sign-in", true, body)).into_response());
    }
    tf.turn_off(&caller.actor(), caller.user.id).await?;
    Ok(done("/account", "two-factor-off"))
}
