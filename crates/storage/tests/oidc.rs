//! Sign-in through an identity provider, as stored, on SQLite and PostgreSQL: providers
//! added and changed (the environment's brought into line without losing what an
//! administrator set), a sign-in sent to a provider taken once and not after it expires,
//! a subject linked to one account, a role from groups, a session's end-session
//! address, and teams from groups (joined, kept, left on leaving the group, never a
//! membership an administrator gave by hand; each change audited).

use assure_domain::partnership::{AgencyKind, InvolvementKind, Scope, Team};
use assure_domain::sign_in::{check_provider, env_provider, group_teams, teams_for_groups, ProviderInput};
use assure_domain::{Clock, Role};
use assure_storage::audit::AuditFilter;
use assure_storage::children::ChildInput;
use assure_storage::oidc::{Pending, StoredProvider, TeamChanges};
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, Store};

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
        group_teams: "CSE-MASH = mash\nYOT = youth-offending".into(),
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
    assert_eq!(p.group_teams, "CSE-MASH = mash\nYOT = youth-offending", "the group teams stay too");
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

async fn audited(store: &Store, action: &str) -> Vec<(String, String)> {
    let (entries, _) = store.audit().list(&AuditFilter { action: Some(action.into()), ..Default::default() }, 100, 0).await.unwrap();
    entries.into_iter().map(|e| (e.record_id, e.detail)).collect()
}

async fn teams_of(store: &Store, user: i64) -> Vec<Team> {
    store.partnership().viewer(user).await.unwrap().expect("on the pathway").teams
}

/// The children a person sees, by id.
async fn sees(store: &Store, user: i64) -> Vec<i64> {
    let reader = testing::reader_of(store, user).await;
    testing::children_in_reach(store, reader.viewer(), None, 100, 0).await.0.iter().map(|c| c.id).collect()
}

async fn sign_in_with(store: &Store, p: &StoredProvider, user: i64, groups: &[&str]) -> TeamChanges {
    let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    let teams = teams_for_groups(&group_teams(&p.provider.group_teams).unwrap(), &groups);
    let actor = Actor { user_id: Some(user), label: "sign-in".into(), ip: "127.0.0.1".into() };
    store.oidc().teams_from_groups(&actor, p, user, &teams).await.unwrap()
}

async fn teams_from_groups(db: &TestDb) {
    let store = &db.store;
    let sys = Actor::system();
    let oidc = store.oidc();
    oidc.save(&sys, &check_provider(&input("council")).unwrap()).await.unwrap();
    let mut other = input("police");
    other.group_teams = "Police-YOT = youth-offending".into();
    oidc.save(&sys, &check_provider(&other).unwrap()).await.unwrap();
    let council = oidc.provider("council").await.unwrap().unwrap();
    let police = oidc.provider("police").await.unwrap().unwrap();

    // A police practitioner (the police are involved team by team) in the missing from
    // home team, given by hand; a child the police's youth offending team is involved with.
    let agency = store.partnership().create_agency(&sys, "Merseyside Police", Some(AgencyKind::Police)).await.unwrap();
    let user = store
        .users()
        .create(&sys, NewUser { name: "Dana Webb", email: "dana@example.org", role: Role::Practitioner, job_title: "", password_hash: "x" })
        .await
        .unwrap();
    store.partnership().set_agency(&sys, user, agency).await.unwrap();
    store.partnership().add_team_member(&sys, Team::MissingFromHome, user).await.unwrap();
    let child =
        testing::new_child(store, &ChildInput { first_name: "Tia".into(), last_name: "Moss".into(), estimated_age: Some(14), ..Default::default() })
            .await;
    testing::involve(
        store,
        child,
        agency,
        InvolvementKind::HoldsAction,
        Scope::Team(Team::YouthOffending),
        chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
    )
    .await;
    assert!(sees(store, user).await.is_empty(), "not in the team, the child is out of reach");

    // No groups that give a team: nothing changes, nothing is written.
    assert_eq!(sign_in_with(store, &council, user, &["Staff"]).await, TeamChanges::default());
    assert!(audited(store, "team.join-from-groups").await.is_empty());

    // In the YOT group: joins the team, and so sees the team's child; audited.
    let changes = sign_in_with(store, &council, user, &["Staff", "YOT"]).await;
    assert_eq!(changes, TeamChanges { joined: vec![Team::YouthOffending], left: vec![] });
    assert_eq!(teams_of(store, user).await, vec![Team::MissingFromHome, Team::YouthOffending]);
    assert_eq!(sees(store, user).await, vec![child]);
    assert_eq!(
        audited(store, "team.join-from-groups").await,
        vec![(user.to_string(), "joined youth-offending from the groups at sign-in provider council".to_string())]
    );

    // Signing in again in the same groups keeps it, and writes nothing.
    assert_eq!(sign_in_with(store, &council, user, &["YOT", "Staff"]).await, TeamChanges::default());
    assert_eq!(audited(store, "team.join-from-groups").await.len(), 1);

    // Out of the group: the team the groups gave is left, and the child with it; the
    // missing from home team, given by hand, stays.
    let changes = sign_in_with(store, &council, user, &["Staff"]).await;
    assert_eq!(changes, TeamChanges { joined: vec![], left: vec![Team::YouthOffending] });
    assert_eq!(teams_of(store, user).await, vec![Team::MissingFromHome]);
    assert!(sees(store, user).await.is_empty(), "out of the team, out of reach");
    assert_eq!(
        audited(store, "team.leave-from-groups").await,
        vec![(user.to_string(), "left youth-offending: no longer in a group that gives it at sign-in provider council".to_string())]
    );

    // A team given by hand is never the provider's: a group naming it changes nothing,
    // and leaving the group does not take it away.
    store.partnership().add_team_member(&sys, Team::Mash, user).await.unwrap();
    assert_eq!(sign_in_with(store, &council, user, &["CSE-MASH"]).await, TeamChanges::default());
    assert_eq!(sign_in_with(store, &council, user, &[]).await, TeamChanges::default());
    assert_eq!(teams_of(store, user).await, vec![Team::Mash, Team::MissingFromHome]);
    store.partnership().remove_team_member(&sys, Team::Mash, user).await.unwrap();

    // A team the provider gave that an administrator then gives by hand becomes theirs.
    sign_in_with(store, &council, user, &["YOT"]).await;
    store.partnership().add_team_member(&sys, Team::YouthOffending, user).await.unwrap();
    assert_eq!(sign_in_with(store, &council, user, &[]).await, TeamChanges::default());
    assert_eq!(teams_of(store, user).await, vec![Team::MissingFromHome, Team::YouthOffending]);
    // And one an administrator takes away is gone, the provider's record of it too: the
    // group gives it again at the next sign-in.
    store.partnership().remove_team_member(&sys, Team::YouthOffending, user).await.unwrap();
    assert_eq!(teams_of(store, user).await, vec![Team::MissingFromHome]);
    assert_eq!(sign_in_with(store, &council, user, &["YOT"]).await.joined, vec![Team::YouthOffending]);

    // Two providers giving the same team: leaving one's group keeps it while the
    // other's still gives it; leaving both takes it away.
    assert_eq!(sign_in_with(store, &police, user, &["Police-YOT"]).await, TeamChanges::default(), "already in it");
    assert_eq!(sign_in_with(store, &council, user, &[]).await, TeamChanges::default(), "the police's groups still give it");
    assert_eq!(teams_of(store, user).await, vec![Team::MissingFromHome, Team::YouthOffending]);
    assert_eq!(sign_in_with(store, &police, user, &[]).await.left, vec![Team::YouthOffending]);
    assert_eq!(teams_of(store, user).await, vec![Team::MissingFromHome]);

    // Every change audited against the account, in the same transaction as the change.
    let joins = audited(store, "team.join-from-groups").await;
    let leaves = audited(store, "team.leave-from-groups").await;
    assert_eq!((joins.len(), leaves.len()), (4, 3), "{joins:?} {leaves:?}");
    assert!(joins.iter().chain(&leaves).all(|(id, _)| *id == user.to_string()));
    assert!(store.audit().verify().await.unwrap().is_ok(), "the audit chain holds");
}
on_both_engines!(oidc_teams, teams_from_groups);
