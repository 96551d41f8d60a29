//! Accounts and API tokens as an administrator sets them up: the person's name, the
//! address they sign in with, their role; deactivating and reactivating; and what a
//! token is for. Passwords are the web edge's (hashing needs no rule here).

use crate::access::Role;
use crate::validation::{Checked, Invalid};

/// An e-mail address as sign-in compares it: trimmed, lower case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// One `@`, something before it, a dotted domain after it, no spaces.
pub fn looks_like_email(e: &str) -> bool {
    let mut parts = e.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if !a.is_empty() && b.contains('.') && !b.starts_with('.') && !b.ends_with('.'))
        && !e.chars().any(char::is_whitespace)
}

/// An account as typed (on the users page or `assure user add`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountInput {
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub role: Option<Role>,
}

impl AccountInput {
    pub const FIELDS: &'static [&'static str] = &["name", "email", "job_title", "role"];
}

/// An account ready to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    /// Normalised: trimmed, lower case.
    pub email: String,
    pub job_title: String,
    pub role: Role,
}

/// An account has the person's full name (at most 200 characters), an e-mail address
/// in the usual shape and a role. Whether the address is already used is for storage
/// to add.
pub fn check_account(a: &AccountInput) -> Result<Checked<NewAccount>, Invalid> {
    let mut v = Invalid::new();
    let name = v.required("name", &a.name, "Enter the person's full name");
    v.max_len("name", &name, 200, "Name");
    let email = normalise_email(&a.email);
    if email.is_empty() {
        v.add("email", "Enter an email address");
    } else if !looks_like_email(&email) {
        v.add("email", "Enter an email address in the correct format, like name@example.org");
    }
    if a.role.is_none() {
        v.add("role", "Select the account's role");
    }
    v.finish()?;
    let Some(role) = a.role else { return Err(Invalid::single("role", "Select the account's role")) };
    Ok(Checked::new(NewAccount { name, email, job_title: a.job_title.trim().to_string(), role }))
}

/// Deactivating or reactivating an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activation {
    pub user_id: i64,
    pub active: bool,
}

/// No one deactivates their own account (`by` is the account making the change).
pub fn check_activation(by: Option<i64>, user_id: i64, active: bool) -> Result<Checked<Activation>, Invalid> {
    if !active && by == Some(user_id) {
        return Err(Invalid::single("active", "You cannot deactivate your own account."));
    }
    Ok(Checked::new(Activation { user_id, active }))
}

/// What an API token is for, as typed (`assure token create --name`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenInput {
    pub name: String,
}

/// A token ready to create for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
}

/// A token says what it is for (at most 100 characters) and belongs to an active
/// account (`account_active`, as stored).
pub fn check_api_token(t: &TokenInput, account_active: bool) -> Result<Checked<NewToken>, Invalid> {
    let mut v = Invalid::new();
    if !account_active {
        v.add("user", "That account is deactivated: reactivate it before creating a token");
    }
    let name = v.required("name", &t.name, "Enter what the token is for, for example reporting");
    v.max_len("name", &name, 100, "What the token is for");
    v.finish()?;
    Ok(Checked::new(NewToken { name }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shape() {
        assert!(looks_like_email("a.b@example.org"));
        assert!(!looks_like_email("a.b@example"));
        assert!(!looks_like_email("a b@example.org"));
        assert!(!looks_like_email("@example.org"));
        assert!(!looks_like_email("a@b@example.org"));
    }

    #[test]
    fn an_account_needs_a_name_an_address_and_a_role_all_at_once() {
        let e = check_account(&AccountInput::default()).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "role"]);
        assert_eq!(e.for_field("name"), Some("Enter the person's full name"));
        assert_eq!(e.for_field("email"), Some("Enter an email address"));
        assert_eq!(e.for_field("role"), Some("Select the account's role"));
        let e = check_account(&AccountInput { name: "n".repeat(201), email: "ada.example.org".into(), ..Default::default() }).unwrap_err();
        assert_eq!(e.for_field("name"), Some("Name must be 200 characters or fewer"));
        assert_eq!(e.for_field("email"), Some("Enter an email address in the correct format, like name@example.org"));
    }

    #[test]
    fn a_checked_account_has_its_address_as_sign_in_compares_it() {
        let ok = check_account(&AccountInput {
            name: " Ada Lovelace ".into(),
            email: " ADA@Example.org ".into(),
            job_title: " Head of Analysis ".into(),
            role: Some(Role::LeadOfficer),
        })
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.email.as_str(), ok.job_title.as_str(), ok.role),
            ("Ada Lovelace", "ada@example.org", "Head of Analysis", Role::LeadOfficer)
        );
    }

    #[test]
    fn no_one_deactivates_their_own_account() {
        let e = check_activation(Some(3), 3, false).unwrap_err();
        assert_eq!(e.for_field("active"), Some("You cannot deactivate your own account."));
        assert!(check_activation(Some(3), 3, true).is_ok());
        assert_eq!(*check_activation(Some(1), 3, false).unwrap(), Activation { user_id: 3, active: false });
        assert!(check_activation(None, 3, false).is_ok());
    }

    #[test]
    fn a_token_says_what_it_is_for_and_needs_an_active_account() {
        let e = check_api_token(&TokenInput { name: " ".into() }, false).unwrap_err();
        assert_eq!(e.for_field("user"), Some("That account is deactivated: reactivate it before creating a token"));
        assert_eq!(e.for_field("name"), Some("Enter what the token is for, for example reporting"));
        let e = check_api_token(&TokenInput { name: "t".repeat(101) }, true).unwrap_err();
        assert_eq!(e.for_field("name"), Some("What the token is for must be 100 characters or fewer"));
        assert_eq!(check_api_token(&TokenInput { name: " reporting ".into() }, true).unwrap().name, "reporting");
    }
}
