//! Sign-in through an identity provider, as stored, on SQLite and PostgreSQL: providers
//! added and changed (the environment's brought into line without losing what an
//! administrator set), a sign-in sent to a provider taken once and not after it expires,
//! a subject linked to one account, a role from groups, and a session's end-session
//! address.

use assure_domain::sign_in::{check_provider, env_provider, ProviderInput};
use assure_domain::{Clock, Role};
use assure_storage::audit::AuditFilter;
use assure_storage::oidc::Pending;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::users::NewUser;
use assure_storage::Actor;

fn input(slug: &str) -> ProviderInput {
    ProviderInput {
        slug: slug.into(),
        label: "Council staff account".into(),
        issuer: "https://login.example.org/tenant/v2.0".into(),
        client_id: "assure".into(),
        secret_env: "ASSURE_OIDC_CLIENT_SECRET".into(),
        email_claim: "email".into(),
        groups_claim: "groups".into(),
        group_roles: "CSE-MASH = mash-worker".into(),
        create_accounts: false,
        active: true,
    }
}

async fn providers_links_and_sign_ins(db: &TestDb) {
    let clock = Clock::fixed(chrono::Utc::now());
    let store = db.store.clone().with_clock(clock.clone());
    let oidc = store.oidc();
    let admin = Actor::system();

    // Added, then changed under the same short name (one row, each change audited).
    let id = oidc.save(&admin, &check_provider(&input("council")).unwrap()).await.unwrap();
    let mut changed = input("council");
    changed.label = "Example Council account".into();
    assert_eq!(oidc.save(&admin, &check_provider(&changed).unwrap()).await.unwrap(), id);
    let all = oidc.providers().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].provider.label, "Example Council account");
    let audited = store.audit().list(&AuditFilter { action: Some("settings.sign-in-provider".into()), ..Default::default() }, 10, 0).await.unwrap();
    assert_eq!(audited.0.len(), 2, "both saves are in the audit log");

    // The environment's provider: its issuer and client id follow the environment; the
    // label and group roles the administrator set stay; nothing is written when it matches.
    let env = env_provider("https://login.example.org/other/v2.0", "assure-2", "Example Council").unwrap();
    assert_eq!(oidc.from_environment(&env).await.unwrap(), id);
    let p = oidc.provider("council").await.unwrap().unwrap().provider;
    assert_eq!((p.issuer.as_str(), p.client_id.as_str()), ("https://login.example.org/other/v2.0", "assure-2"));
    assert_eq!((p.label.as_str(), p.group_roles.as_str()), ("Example Council account", "CSE-MASH = mash-worker"));
    oidc.from_environment(&env).await.unwrap();
    let audited = store.audit().list(&AuditFilter { action: Some("settings.sign-in-provider".into()), ..Default::default() }, 10, 0).await.unwrap();
    assert_eq!(audited.0.len(), 3, "an unchanged environment writes nothing");

    // A sign-in sent to the provider is taken once, and not after ten minutes.
    let pending =
        Pending { provider_id: id, browser_hash: "b".into(), nonce: "n".into(), pkce_verifier: "v".into(), next: "/recommendations".into() };
    oidc.begin("state-1", &pending).await.unwrap();
    oidc.begin("state-2", &pending).await.unwrap();
    let (got, p) = oidc.take("state-1").await.unwrap().expect("the sign-in is waiting");
    assert_eq!((got, p.id), (pending.clone(), id));
    assert!(oidc.take("state-1").await.unwrap().is_none(), "a state is used once");
    assert!(oidc.take("no-such-state").await.unwrap().is_none());
    clock.advance(chrono::Duration::minutes(11));
    assert!(oidc.take("state-2").await.unwrap().is_none(), "an expired sign-in is refused");

    // A subject links to one account; a role from groups changes it, audited.
    let user = store
        .users()
        .create(&admin, NewUser { name: "Sam Okafor", email: "sam@example.org", role: Role::Practitioner, job_title: "", password_hash: "hash" })
        .await
        .unwrap();
    assert_eq!(oidc.linked(id, "subject-1").await.unwrap(), None);
    oidc.link(&admin, id, "subject-1", user, "matched by verified e-mail address").await.unwrap();
    assert_eq!(oidc.linked(id, "subject-1").await.unwrap(), Some(user));
    assert!(oidc.link(&admin, id, "subject-1", user, "again").await.is_err(), "one account a subject");
    let u = store.users().get(user).await.unwrap().unwrap();
    oidc.set_role_from_groups(&admin, &u, Role::MashWorker).await.unwrap();
    assert_eq!(store.users().get(user).await.unwrap().unwrap().role, Role::MashWorker);
    let audited = store.audit().list(&AuditFilter { action: Some("user.role-from-groups".into()), ..Default::default() }, 10, 0).await.unwrap();
    assert_eq!(audited.0.len(), 1);

    // A session remembers where it signs out at the provider.
    store.sessions().create("session-hash", user, "csrf", "127.0.0.1").await.unwrap();
    assert_eq!(oidc.end_session("session-hash").await.unwrap(), None);
    oidc.set_end_session("session-hash", "https://login.example.org/logout?id_token_hint=x").await.unwrap();
    assert_eq!(oidc.end_session("session-hash").await.unwrap().as_deref(), Some("https://login.example.org/logout?id_token_hint=x"));
}
on_both_engines!(oidc_store, providers_links_and_sign_ins);
