//! Sign-in through the council's identity provider (OpenID Connect), as an
//! administrator sets a provider up: where it is, which client Assure is there, where
//! the client secret is found (the name of an environment variable, never the secret),
//! which claims carry the e-mail address and the groups, and which groups give which
//! role and which teams. No I/O here: the web edge talks to the provider.

use crate::access::Role;
use crate::partnership::Team;
use crate::validation::{Checked, Invalid};

/// The environment variables that configure the first provider (contract names).
pub const ENV_ISSUER: &str = "ASSURE_OIDC_ISSUER";
pub const ENV_CLIENT_ID: &str = "ASSURE_OIDC_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "ASSURE_OIDC_CLIENT_SECRET";
/// The short name of the provider the environment configures.
pub const ENV_PROVIDER: &str = "council";

/// A provider as typed on Settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderInput {
    pub slug: String,
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub secret_env: String,
    pub email_claim: String,
    pub groups_claim: String,
    pub group_roles: String,
    pub group_teams: String,
    pub create_accounts: bool,
    pub active: bool,
}

impl ProviderInput {
    pub const FIELDS: &'static [&'static str] =
        &["slug", "label", "issuer", "client_id", "secret_env", "email_claim", "groups_claim", "group_roles", "group_teams", "create_accounts"];
}

/// A provider ready to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub slug: String,
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub secret_env: String,
    pub email_claim: String,
    pub groups_claim: String,
    /// As typed, one `group = role` a line (kept as typed; [`group_roles`] reads it).
    pub group_roles: String,
    /// As typed, one `group = team` a line (kept as typed; [`group_teams`] reads it).
    pub group_teams: String,
    pub create_accounts: bool,
    pub active: bool,
}

/// An issuer is an `https://` address; plain `http://` only on this machine (a provider
/// under test), never across a network.
pub fn issuer_problem(issuer: &str) -> Option<&'static str> {
    let rest = if let Some(r) = issuer.strip_prefix("https://") {
        r
    } else if let Some(r) = issuer.strip_prefix("http://") {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once(':').map(|(h, p)| if p.bytes().all(|b| b.is_ascii_digit()) { h } else { host }).unwrap_or(host);
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Some("Enter an issuer address that starts with https:// (plain http:// only for a provider on this machine)");
        }
        r
    } else {
        return Some("Enter the issuer's address, like https://login.microsoftonline.com/your-tenant-id/v2.0");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || issuer.chars().any(|c| c.is_whitespace() || c.is_control()) || issuer.contains(['?', '#']) {
        return Some("Enter the issuer's address, like https://login.microsoftonline.com/your-tenant-id/v2.0");
    }
    None
}

fn is_env_name(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_uppercase() || c == b'_') && s.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
}

fn is_claim_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 100 && s.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':' | b'/'))
}

/// The group → role lines: `group = role-slug`, one a line, blank lines ignored; the
/// first line whose group a person is in decides their role.
pub fn group_roles(text: &str) -> Result<Vec<(String, Role)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((group, role)) = line.rsplit_once('=') else {
            return Err(format!("Line {} of the group roles needs a group, an equals sign and a role, like \"CSE-MASH = mash-worker\"", n + 1));
        };
        let (group, role) = (group.trim(), role.trim());
        if group.is_empty() {
            return Err(format!("Line {} of the group roles has no group before the equals sign", n + 1));
        }
        let Some(role) = Role::from_slug(role) else {
            let known: Vec<&str> = Role::ALL.iter().map(|r| r.slug()).collect();
            return Err(format!("Line {} of the group roles names no role Assure has: use one of {}", n + 1, known.join(", ")));
        };
        out.push((group.to_string(), role));
    }
    Ok(out)
}

/// The role a person's groups give them, when a line names one of their groups.
pub fn role_for_groups(mapping: &[(String, Role)], groups: &[String]) -> Option<Role> {
    mapping.iter().find(|(g, _)| groups.iter().any(|have| have == g)).map(|(_, r)| *r)
}

/// The group → team lines: `group = team-slug`, one a line, blank lines ignored. A
/// person is in the team of every line that names one of their groups (a group may give
/// several teams, several groups the same team).
pub fn group_teams(text: &str) -> Result<Vec<(String, Team)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((group, team)) = line.rsplit_once('=') else {
            return Err(format!("Line {} of the group teams needs a group, an equals sign and a team, like \"CSE-MASH = mash\"", n + 1));
        };
        let (group, team) = (group.trim(), team.trim());
        if group.is_empty() {
            return Err(format!("Line {} of the group teams has no group before the equals sign", n + 1));
        }
        let Some(team) = Team::from_slug(team) else {
            let known: Vec<&str> = Team::ALL.iter().map(|t| t.slug()).collect();
            let typed: String = team.chars().filter(|c| !c.is_control()).take(40).collect();
            return Err(format!(
                "Line {} of the group teams names \"{typed}\", which is not a team Assure has: use one of {}",
                n + 1,
                known.join(", ")
            ));
        };
        out.push((group.to_string(), team));
    }
    Ok(out)
}

/// The teams a person's groups put them in: every line naming one of their groups, each
/// team once, in the order teams are listed.
pub fn teams_for_groups(mapping: &[(String, Team)], groups: &[String]) -> Vec<Team> {
    Team::ALL.iter().copied().filter(|t| mapping.iter().any(|(g, team)| team == t && groups.iter().any(|have| have == g))).collect()
}

/// A provider has a short name for its address (lower-case letters, digits, hyphens),
/// a label for its button, an issuer ([`issuer_problem`]), a client id, the name of the
/// environment variable holding its secret, the names of its e-mail and groups claims,
/// group → role and group → team lines that read, and, to create accounts, at least one such line (an
/// account needs a role).
pub fn check_provider(p: &ProviderInput) -> Result<Checked<Provider>, Invalid> {
    let mut v = Invalid::new();
    let slug = p.slug.trim().to_lowercase();
    if slug.is_empty() {
        v.add("slug", "Enter a short name for the provider, like council");
    } else if slug.len() > 40 || !slug.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-') {
        v.add("slug", "Short name must be 40 or fewer lower-case letters, digits and hyphens");
    }
    let label = v.required("label", &p.label, "Enter the name people know the provider by, like Example Council staff account");
    v.max_len("label", &label, 100, "Name");
    let issuer = p.issuer.trim().trim_end_matches('/').to_string();
    if let Some(why) = issuer_problem(&issuer) {
        v.add("issuer", why);
    }
    let client_id = v.required("client_id", &p.client_id, "Enter the client id the provider gave Assure");
    v.max_len("client_id", &client_id, 300, "Client id");
    let secret_env = p.secret_env.trim().to_string();
    if !is_env_name(&secret_env) {
        v.add("secret_env", "Enter the name of the environment variable that holds the client secret, like ASSURE_OIDC_CLIENT_SECRET (capital letters, digits and underscores)");
    }
    let email_claim = p.email_claim.trim().to_string();
    if !is_claim_name(&email_claim) {
        v.add("email_claim", "Enter the name of the claim that carries the e-mail address, like email");
    }
    let groups_claim = p.groups_claim.trim().to_string();
    if !is_claim_name(&groups_claim) {
        v.add("groups_claim", "Enter the name of the claim that carries the groups, like groups");
    }
    match group_roles(&p.group_roles) {
        Err(why) => v.add("group_roles", why),
        Ok(lines) if lines.is_empty() && p.create_accounts => {
            v.add("create_accounts", "To create accounts at first sign-in, give at least one group = role line: a new account needs a role")
        }
        Ok(_) => {}
    }
    if let Err(why) = group_teams(&p.group_teams) {
        v.add("group_teams", why);
    }
    v.finish()?;
    Ok(Checked::new(Provider {
        slug,
        label,
        issuer,
        client_id,
        secret_env,
        email_claim,
        groups_claim,
        group_roles: p.group_roles.trim().to_string(),
        group_teams: p.group_teams.trim().to_string(),
        create_accounts: p.create_accounts,
        active: p.active,
    }))
}

/// The provider `ASSURE_OIDC_ISSUER` and `ASSURE_OIDC_CLIENT_ID` configure (its secret
/// in `ASSURE_OIDC_CLIENT_SECRET`), with the standard claims and no group roles or teams.
pub fn env_provider(issuer: &str, client_id: &str, organisation: &str) -> Result<Checked<Provider>, Invalid> {
    check_provider(&ProviderInput {
        slug: ENV_PROVIDER.into(),
        label: format!("{organisation} account"),
        issuer: issuer.into(),
        client_id: client_id.into(),
        secret_env: ENV_CLIENT_SECRET.into(),
        email_claim: "email".into(),
        groups_claim: "groups".into(),
        group_roles: String::new(),
        group_teams: String::new(),
        create_accounts: false,
        active: true,
    })
}

/// Whether a provider's word for an address may link an existing account the first
/// time: the standard `email` claim counts only with `email_verified` true; a claim the
/// administrator chose instead (a directory's own attribute, such as Entra ID's `upn`)
/// is the directory's, so it counts unless the token says the address is unverified.
pub fn email_may_link(email_claim: &str, email_verified: Option<bool>) -> bool {
    match email_verified {
        Some(v) => v,
        None => email_claim != "email",
    }
}

/// Two-factor sign-in for local accounts, per role. Unless an administrator chose
/// otherwise, every role on the CSE pathway needs it (they see children's records);
/// the tracker's roles may choose. People who sign in through the council's identity
/// provider are not asked: the provider's own sign-in is their second factor.
pub fn two_factor_required_by_default(role: Role) -> bool {
    role.pathway().is_some()
}

/// Whether local accounts in `role` must use two-factor sign-in, given the
/// administrator's choices (`chosen`: a role with no choice takes the default).
pub fn two_factor_required(role: Role, chosen: &[(Role, bool)]) -> bool {
    chosen.iter().find(|(r, _)| *r == role).map_or_else(|| two_factor_required_by_default(role), |(_, on)| *on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ProviderInput {
        ProviderInput {
            slug: "council".into(),
            label: "Example Council account".into(),
            issuer: "https://login.example.org/tenant/v2.0/".into(),
            client_id: "assure".into(),
            secret_env: "ASSURE_OIDC_CLIENT_SECRET".into(),
            email_claim: "email".into(),
            groups_claim: "groups".into(),
            group_roles: "CSE-MASH = mash-worker\n\nScrutiny=scrutiny-officer".into(),
            group_teams: "CSE-MASH = mash\nPolice CSE Unit = police-cse".into(),
            create_accounts: false,
            active: true,
        }
    }

    #[test]
    fn issuers() {
        for (issuer, ok) in [
            ("https://login.example.org/tenant/v2.0", true),
            ("http://127.0.0.1:4567", true),
            ("http://localhost:4567/oidc", true),
            ("http://[::1]:9000", true),
            ("http://login.example.org", false),
            ("http://127.0.0.1.example.org", false),
            ("ftp://login.example.org", false),
            ("https://", false),
            ("https://login.example.org/?x=1", false),
            ("login.example.org", false),
            ("", false),
        ] {
            assert_eq!(issuer_problem(issuer).is_none(), ok, "{issuer}");
        }
    }

    #[test]
    fn a_provider_as_typed() {
        let p = check_provider(&good()).unwrap();
        assert_eq!(p.issuer, "https://login.example.org/tenant/v2.0", "the trailing slash goes");
        type Spoil = fn(&mut ProviderInput);
        let cases: [(&str, Spoil); 9] = [
            ("slug", |p| p.slug = "Council Staff".into()),
            ("label", |p| p.label = " ".into()),
            ("issuer", |p| p.issuer = "http://login.example.org".into()),
            ("client_id", |p| p.client_id = String::new()),
            ("secret_env", |p| p.secret_env = "the secret itself!".into()),
            ("email_claim", |p| p.email_claim = "e mail".into()),
            ("group_roles", |p| p.group_roles = "CSE-MASH = wizard".into()),
            ("group_teams", |p| p.group_teams = "CSE-MASH = mash\nWizards = wizards".into()),
            ("create_accounts", |p| {
                p.group_roles = String::new();
                p.create_accounts = true
            }),
        ];
        for (field, spoil) in cases {
            let mut p = good();
            spoil(&mut p);
            let e = check_provider(&p).unwrap_err();
            assert!(e.for_field(field).is_some(), "{field}: {e:?}");
        }
    }

    #[test]
    fn groups_give_the_first_matching_role() {
        let m = group_roles("CSE-MASH = mash-worker\nEveryone = practitioner").unwrap();
        assert_eq!(role_for_groups(&m, &["Everyone".into(), "CSE-MASH".into()]), Some(Role::MashWorker));
        assert_eq!(role_for_groups(&m, &["Everyone".into()]), Some(Role::Practitioner));
        assert_eq!(role_for_groups(&m, &["Other".into()]), None);
        assert_eq!(role_for_groups(&[], &["CSE-MASH".into()]), None);
        assert!(group_roles("no equals sign").unwrap_err().contains("Line 1"));
        assert!(group_roles("\n = practitioner").unwrap_err().contains("Line 2"));
        assert!(group_roles("a=b=practitioner").is_ok(), "the last equals sign divides");
    }

    #[test]
    fn groups_give_every_team_they_name() {
        let m = group_teams("CSE-MASH = mash\n\nPolice CSE Unit = police-cse\nCSE-MASH = cse-analyst\nAnalysts = cse-analyst").unwrap();
        assert_eq!(teams_for_groups(&m, &["CSE-MASH".into()]), vec![Team::Mash, Team::CseAnalyst], "a group may give several teams");
        assert_eq!(teams_for_groups(&m, &["CSE-MASH".into(), "Analysts".into()]), vec![Team::Mash, Team::CseAnalyst], "each team once");
        assert_eq!(teams_for_groups(&m, &["Police CSE Unit".into()]), vec![Team::PoliceCse]);
        assert!(teams_for_groups(&m, &["Other".into()]).is_empty());
        assert!(teams_for_groups(&[], &["CSE-MASH".into()]).is_empty());
        assert!(group_teams("").unwrap().is_empty());
        let e = group_teams("CSE-MASH = mash\nWizards = wizards").unwrap_err();
        assert!(e.contains("Line 2") && e.contains("\"wizards\"") && e.contains("police-cse"), "{e}");
        assert!(group_teams("no equals sign").unwrap_err().contains("Line 1"));
        assert!(group_teams(" = mash").unwrap_err().contains("no group"));
        assert!(group_teams("CSE-MASH = mash-worker").is_err(), "a role is not a team");
    }

    #[test]
    fn which_addresses_may_link_an_account() {
        for (claim, verified, may) in
            [("email", Some(true), true), ("email", Some(false), false), ("email", None, false), ("upn", None, true), ("upn", Some(false), false)]
        {
            assert_eq!(email_may_link(claim, verified), may, "{claim} {verified:?}");
        }
    }

    #[test]
    fn the_environment_configures_the_first_provider() {
        let p = env_provider("https://login.example.org/t/v2.0", "assure-client", "Example Council").unwrap();
        assert_eq!((p.slug.as_str(), p.secret_env.as_str(), p.create_accounts), ("council", ENV_CLIENT_SECRET, false));
        assert!(env_provider("not an address", "x", "Example Council").is_err());
    }

    #[test]
    fn two_factor_is_required_of_every_pathway_role_unless_chosen_otherwise() {
        for r in Role::ALL {
            assert_eq!(two_factor_required(r, &[]), r.pathway().is_some(), "{r:?} by default");
        }
        assert!(two_factor_required(Role::MashWorker, &[]));
        assert!(!two_factor_required(Role::MashWorker, &[(Role::MashWorker, false)]), "an administrator may turn it off");
        assert!(two_factor_required(Role::ScrutinyOfficer, &[(Role::ScrutinyOfficer, true)]), "or on for a tracker role");
        assert!(!two_factor_required(Role::ScrutinyOfficer, &[(Role::MashWorker, true)]), "a choice for one role is not for another");
    }
}
