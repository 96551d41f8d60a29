//! Accounts, API tokens and the audit log, from the command line.

use std::io::BufRead;

use assure_domain::accounts::{check_account, AccountInput};
use assure_domain::{Invalid, Role};
use assure_storage::{Actor, StoreError};
use assure_web::auth::{generate_password, hash_password, password_problem, random_token, sha256_hex};

use crate::{open_store, CmdResult, Failure, Global};

fn valid_roles() -> String {
    Role::ALL.iter().map(|r| r.slug()).collect::<Vec<_>>().join(", ")
}

fn unknown_role(slug: &str) -> String {
    format!("unknown role {:?}: use one of {}", slug.trim(), valid_roles())
}

/// Every problem as the command prints them, one per line.
fn usage(i: Invalid) -> Failure {
    Failure::Usage(i.errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("\n"))
}

/// The first line of standard input, without its line ending.
fn read_password_line() -> Result<String, Failure> {
    let mut line = String::new();
    let n = std::io::stdin().lock().read_line(&mut line).map_err(|e| Failure::Usage(format!("cannot read the password from standard input: {e}")))?;
    if n == 0 {
        return Err(Failure::Usage("no password on standard input (--password-stdin reads one line)".into()));
    }
    while line.ends_with('\n') || line.ends_with('\r') {
        line.pop();
    }
    Ok(line)
}

/// Argon2 is deliberately slow: keep it off the async workers.
async fn hash(password: String) -> Result<String, Failure> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|e| Failure::Runtime(format!("hashing the password failed: {e}")))
}

pub async fn user_add(g: &Global, name: &str, email: &str, role: &str, job_title: &str, password_stdin: bool) -> CmdResult {
    // Check everything that needs no database first, all at once: a role that is not
    // one (which only the command sees, and answers with the choices) and the account's
    // own checks.
    let input = AccountInput { name: name.into(), email: email.into(), job_title: job_title.into(), role: Role::from_slug(role.trim()) };
    let mut typed = Invalid::new();
    if input.role.is_none() {
        typed.add("role", unknown_role(role));
    }
    if !typed.is_empty() {
        return Err(usage(typed.merged(check_account(&input).err().unwrap_or_default()).ordered(AccountInput::FIELDS)));
    }
    let (password, generated) = if password_stdin {
        let p = read_password_line()?;
        if let Some(problem) = password_problem(&p) {
            return Err(Failure::Usage(problem.to_string()));
        }
        (p, false)
    } else {
        (generate_password(), true)
    };
    let store = open_store(g).await?;
    let password_hash = hash(password.clone()).await?;
    let created = store.users().create_account(&Actor::system(), &input, &password_hash).await;
    store.close().await;
    let id = created?;
    println!("Account {id} created with role {}.", input.role.map(Role::slug).unwrap_or_default());
    if generated {
        println!();
        println!("One-time password (shown once, give it to the person securely):");
        println!();
        println!("    {password}");
        println!();
    }
    Ok(())
}

pub async fn user_list(g: &Global) -> CmdResult {
    let store = open_store(g).await?;
    let users = store.users().list().await;
    store.close().await;
    let users = users?;
    if users.is_empty() {
        println!("No accounts yet: add one with `assure user add`.");
        return Ok(());
    }
    let width = users.iter().map(|u| u.email.chars().count()).max().unwrap_or(5).max(5);
    println!("{:>4}  {:<width$}  {:<16}  ACTIVE", "ID", "EMAIL", "ROLE");
    for u in &users {
        println!("{:>4}  {:<width$}  {:<16}  {}", u.id, u.email, u.role.slug(), if u.active { "yes" } else { "no" });
    }
    Ok(())
}

pub async fn token_create(g: &Global, email: &str, name: &str) -> CmdResult {
    if email.trim().is_empty() {
        return Err(Failure::Usage("enter the email address of the account the token is for (--user EMAIL)".into()));
    }
    let store = open_store(g).await?;
    let result = async {
        let Some((user, _)) = store.users().by_email(email).await? else {
            return Err(Failure::Usage("there is no account with that email address".into()));
        };
        // The store checks the rest (what it is for; an active account).
        let token = random_token();
        let id = store.users().create_token(&Actor::system(), user.id, name, &sha256_hex(&token)).await?;
        Ok((id, user.id, token))
    }
    .await;
    store.close().await;
    let (id, user_id, token) = result?;
    println!("API token {id} created for account {user_id}.");
    println!();
    println!("Token (shown once: it cannot be shown again, only its hash is stored):");
    println!();
    println!("    {token}");
    println!();
    println!("Send it as the header `Authorization: Bearer <token>`. Revoke it with `assure token revoke --id {id}`.");
    Ok(())
}

pub async fn token_revoke(g: &Global, id: i64) -> CmdResult {
    let store = open_store(g).await?;
    let result = store.users().revoke_token(&Actor::system(), id).await;
    store.close().await;
    match result {
        Ok(()) => {
            println!("API token {id} revoked.");
            Ok(())
        }
        Err(StoreError::NotFound) => Err(Failure::Usage(format!("there is no unrevoked API token with id {id}"))),
        Err(e) => Err(e.into()),
    }
}

pub async fn audit_verify(g: &Global, anchors: Option<&std::path::Path>) -> CmdResult {
    use assure_storage::audit::anchors_path;
    let store = open_store(g).await?;
    let keys = store.audit_keys().unwrap_or_default();
    // The anchors named, or the default file when it exists.
    let path = match anchors {
        Some(p) => Some(p.to_path_buf()),
        None => Some(anchors_path(&g.data_dir)).filter(|p| p.exists()),
    };
    let anchor_set = match &path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Failure::Runtime(format!("cannot read the anchors file {}: {e}", p.display())))?;
            match assure_domain::audit::Anchors::parse(&text, &keys) {
                Ok(a) => a,
                Err(b) => {
                    store.close().await;
                    return Err(Failure::Verification(format!("Audit log BROKEN: {b} ({})", p.display())));
                }
            }
        }
        None => Default::default(),
    };
    let result = store.audit().verify_against(&anchor_set).await;
    store.close().await;
    match result? {
        Ok(n) => {
            match (&path, anchor_set.last()) {
                (Some(p), Some(a)) => println!(
                    "Audit log intact: {n} entries verified; it reaches all {} anchors in {} (the newest: {} entries at {})",
                    anchor_set.len(),
                    p.display(),
                    a.seq,
                    a.at
                ),
                (Some(p), None) => println!("Audit log intact: {n} entries verified; the anchors file {} holds no anchors yet", p.display()),
                (None, _) => println!("Audit log intact: {n} entries verified; no anchors file, so entries cut off the end could not be checked"),
            }
            Ok(())
        }
        Err(b) => Err(Failure::Verification(format!("Audit log BROKEN: {b}"))),
    }
}

pub async fn audit_anchor(g: &Global) -> CmdResult {
    let store = open_store(g).await?;
    let path = assure_storage::audit::anchors_path(&g.data_dir);
    let written = store.audit().anchor(&path).await;
    store.close().await;
    match written? {
        Some(a) => println!("Anchored entry {} in {}", a.seq, path.display()),
        None => println!("The newest anchor in {} already records the head of the log", path.display()),
    }
    Ok(())
}

pub async fn audit_rotate_key(g: &Global) -> CmdResult {
    let store = open_store(g).await?;
    let rotated = store.rotate_audit_key(&Actor::system(), &g.data_dir).await;
    store.close().await;
    let id = rotated?;
    println!("New audit key {id}; the earlier keys stay in the keyring to verify the entries they made");
    Ok(())
}
