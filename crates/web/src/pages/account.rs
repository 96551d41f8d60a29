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
use crate::AppState;

const EACH: &str = "each";
const DAILY: &str = "daily";

fn render(ctx: &Ctx, caller: &Caller, choice: &str, errors: &Invalid) -> maud::Markup {
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
    Ok(ui::layout(&ctx, "Your account", false, render(&ctx, &caller, choice, &Invalid::new())).into_response())
}

pub async fn mail_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let choice = f.string("reminders");
    let daily = match choice.as_str() {
        EACH => false,
        DAILY => true,
        _ => {
            let mut errors = Invalid::new();
            errors.add("reminders", "Choose how you would like your reminders: each as it happens, or one e-mail a day");
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, ui::layout(&ctx, "Your account", true, render(&ctx, &caller, "", &errors))).into_response());
        }
    };
    state.store.mail().choose_digest(&caller.actor(), caller.user.id, daily).await?;
    Ok(done("/account", "account-mail-saved"))
}
