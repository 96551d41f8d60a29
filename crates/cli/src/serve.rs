//! `assure serve`: settings from the environment, the demo, daily upkeep, and the
//! HTTP server with graceful shutdown.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use assure_storage::Store;
use assure_web::auth::{generate_password, hash_password};
use assure_web::Config;

use crate::{open_store, CmdResult, Failure, Global};

/// The demo accounts, as `serve --demo` announces them.
const DEMO_ACCOUNTS: [(&str, &str); 21] = [
    ("administrator@example.org", "administrator"),
    ("scrutiny-officer@example.org", "scrutiny officer"),
    ("lead-officer@example.org", "lead officer"),
    ("committee-member@example.org", "committee member"),
    ("schools-lead@example.org", "lead officer"),
    ("regulation-lead@example.org", "lead officer"),
    ("practitioner@example.org", "practitioner in a school"),
    ("practitioner-2@example.org", "practitioner in another school, involved with no child"),
    ("spoc@example.org", "the school's CSE single point of contact"),
    ("mash-worker@example.org", "MASH worker"),
    ("macse-co-chair@example.org", "MACSE co-chair (police DCI)"),
    ("macse-co-chair-2@example.org", "MACSE co-chair (safeguarding service manager)"),
    ("cse-analyst@example.org", "CSE analyst"),
    ("police-cse-officer@example.org", "police CSE officer"),
    ("partnership-manager@example.org", "partnership manager"),
    ("notification-officer@example.org", "placement notification officer"),
    ("ig-officer@example.org", "information governance officer: subject access, legal holds, retention"),
    ("health-lead@example.org", "health lead for looked-after children"),
    ("education-lead@example.org", "virtual school head (education lead)"),
    ("missing-officer@example.org", "police missing-from-home officer"),
    ("clerk@example.org", "democratic services officer (clerk): committee meetings"),
];

/// An environment variable's value, when set and not blank.
fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A whole number greater than zero from the environment, when set.
fn env_positive(name: &str) -> Result<Option<u64>, Failure> {
    match env_value(name) {
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(Failure::Usage(format!("{name} must be a whole number greater than 0 (it is {v:?})"))),
        },
    }
}

/// The web edge's settings: defaults, then the environment.
pub fn config_from_env(g: &Global) -> Result<Config, Failure> {
    let mut config = Config::new(g.data_dir.clone());
    if let Some(m) = env_positive("ASSURE_SESSION_IDLE_MINUTES")? {
        config.session_idle = Duration::from_secs(m.saturating_mul(60));
    }
    if let Some(h) = env_positive("ASSURE_SESSION_ABSOLUTE_HOURS")? {
        config.session_absolute = Duration::from_secs(h.saturating_mul(3600));
    }
    if let Some(url) = env_value("ASSURE_PUBLIC_URL") {
        config.https = url.to_ascii_lowercase().starts_with("https://");
        config.public_url = url;
    }
    if let Some(list) = env_value("ASSURE_TRUSTED_PROXIES") {
        let mut proxies = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let ip = IpAddr::from_str(item)
                .map_err(|_| Failure::Usage(format!("ASSURE_TRUSTED_PROXIES: {item:?} is not an IP address (give addresses separated by commas)")))?;
            proxies.push(ip);
        }
        config.trusted_proxies = proxies;
    }
    if let Some(mb) = env_positive("ASSURE_MAX_UPLOAD_MB")? {
        let bytes = mb.checked_mul(1024 * 1024).and_then(|b| usize::try_from(b).ok());
        config.max_upload_bytes = bytes.ok_or_else(|| Failure::Usage(format!("ASSURE_MAX_UPLOAD_MB is too large ({mb})")))?;
    }
    Ok(config)
}

/// Load the demo into an empty database and say what happened, once.
async fn load_demo(store: &Store, base: &str) -> CmdResult {
    if !assure_storage::demo::to_load(store).await? {
        print_not_loaded(store).await?;
        return Ok(());
    }
    let from_env = std::env::var("ASSURE_DEMO_PASSWORD").ok().filter(|p| !p.is_empty());
    let password = from_env.clone().unwrap_or_else(generate_password);
    let hash = {
        let p = password.clone();
        tokio::task::spawn_blocking(move || hash_password(&p))
            .await
            .map_err(|e| Failure::Runtime(format!("hashing the demo password failed: {e}")))?
    };
    let today = store.today();
    if !assure_storage::demo::load(store, today, &hash).await? {
        // Another instance got there first.
        print_not_loaded(store).await?;
        return Ok(());
    }
    tracing::info!("demo data loaded");
    let width = DEMO_ACCOUNTS.iter().map(|(e, _)| e.len()).max().unwrap_or(0);
    let mut block = String::new();
    block.push_str("\n================================================================\n");
    block.push_str(&format!(" Demo data loaded. Sign in at {base}/login as:\n\n"));
    for (email, role) in DEMO_ACCOUNTS {
        block.push_str(&format!("   {email:<width$}  ({role})\n"));
    }
    block.push('\n');
    match from_env {
        None => {
            block.push_str(&format!(" Password for every demo account: {password}\n"));
            block.push_str(" (shown once: it is stored only as a hash)\n");
        }
        Some(_) => block.push_str(" Password for every demo account: the value of ASSURE_DEMO_PASSWORD\n"),
    }
    block.push_str("================================================================\n");
    println!("{block}");
    Ok(())
}

async fn print_not_loaded(store: &Store) -> CmdResult {
    if store.users().by_email(DEMO_ACCOUNTS[0].0).await?.is_some() {
        println!("Demo data was already loaded into this database: nothing added.");
    } else {
        println!("The database already has accounts, so the demo data was not loaded (it is loaded only into an empty database).");
    }
    Ok(())
}

/// Every hour: bring suggested RAGs up to date when the day has changed, close the CSE
/// dataset's last month when it is due, and remove expired sessions.
fn spawn_upkeep(store: Store, config: &Config, mut last_refresh: Option<chrono::NaiveDate>) -> tokio::task::JoinHandle<()> {
    let idle = chrono::Duration::from_std(config.session_idle).unwrap_or(chrono::Duration::minutes(30));
    let absolute = chrono::Duration::from_std(config.session_absolute).unwrap_or(chrono::Duration::hours(12));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // The first tick is immediate: sessions are purged at start too.
            tick.tick().await;
            let today = store.today();
            if last_refresh != Some(today) {
                match store.tracker().refresh_suggested_rags(today).await {
                    Ok(n) => {
                        tracing::info!(changed = n, "suggested RAGs refreshed for the new day");
                        last_refresh = Some(today);
                    }
                    Err(e) => tracing::warn!(error = %e, "refreshing suggested RAGs failed; will retry"),
                }
            }
            match store.datasets().close_if_due().await {
                Ok(Some(month)) => tracing::info!(%month, "the CSE dataset's month closed on the first working day after it ended"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "closing the CSE dataset's month failed; will retry"),
            }
            let now = store.clock().now();
            match store.sessions().purge(&assure_storage::stamp(now - idle), &assure_storage::stamp(now - absolute)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "expired sessions removed"),
                Err(e) => tracing::warn!(error = %e, "removing expired sessions failed"),
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in progress");
}

pub async fn serve(g: &Global, listen: &str, demo: bool) -> CmdResult {
    let config = config_from_env(g)?;
    let mailer = crate::mail::Mailer::from_env()?;
    let store = open_store(g).await?;
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| Failure::Runtime(format!("cannot listen on {listen}: {e}")))?;
    let addr = listener.local_addr().map_err(|e| Failure::Runtime(format!("cannot listen on {listen}: {e}")))?;
    let base = format!("http://{addr}");

    if demo {
        load_demo(&store, &base).await?;
    }
    oidc_from_env(&store).await?;
    // Serving starts at once: the suggested RAGs are brought up to date by the upkeep
    // task's first tick (in the background), and the planner's statistics by another.
    let upkeep = spawn_upkeep(store.clone(), &config, None);
    let statistics = spawn_statistics(store.clone());
    // A database that predates the public site's search index gets one, in the background.
    let index = {
        let store = store.clone();
        tokio::spawn(async move {
            match store.index_published_if_missing().await {
                Ok(true) => tracing::info!("the public site's search index was built"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "building the public site's search index failed"),
            }
        })
    };
    let anchors = spawn_anchors(store.clone(), assure_storage::audit::anchors_path(&g.data_dir));
    if mailer.is_none() {
        tracing::info!("no ASSURE_SMTP_URL: e-mail that would be sent is written to the log instead");
    }
    let public = env_value("ASSURE_PUBLIC_URL").unwrap_or_else(|| base.clone());
    let mut config = config;
    config.public_url = public.clone();
    let mail = crate::mail::spawn_worker(store.clone(), mailer, public);
    let retention = spawn_retention(store.clone());

    let app = assure_web::app(store.clone(), config);
    println!("Assure is listening on {base}");
    tracing::info!(%addr, "listening");
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown_signal()).await;
    upkeep.abort();
    statistics.abort();
    index.abort();
    anchors.abort();
    mail.abort();
    retention.abort();
    // The head of the audit log at shutdown, outside the database.
    if let Err(e) = store.audit().anchor(&assure_storage::audit::anchors_path(&g.data_dir)).await {
        tracing::error!(error = %e, "could not anchor the audit log at shutdown");
    }
    store.close().await;
    served.map_err(|e| Failure::Runtime(format!("the server stopped: {e}")))
}

/// The identity provider `ASSURE_OIDC_ISSUER` and `ASSURE_OIDC_CLIENT_ID` configure
/// (its secret in `ASSURE_OIDC_CLIENT_SECRET`): added to the sign-in settings, or its
/// issuer and client id brought into line. Either without the other is a mistake.
pub async fn oidc_from_env(store: &Store) -> Result<(), Failure> {
    use assure_domain::sign_in::{env_provider, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_ISSUER};
    let (issuer, client) = match (env_value(ENV_ISSUER), env_value(ENV_CLIENT_ID)) {
        (None, None) => return Ok(()),
        (Some(i), Some(c)) => (i, c),
        _ => {
            return Err(Failure::Usage(format!(
                "set both {ENV_ISSUER} and {ENV_CLIENT_ID} (and {ENV_CLIENT_SECRET}) to sign in through an identity provider, or neither"
            )))
        }
    };
    let organisation = store.settings().load().await.map_err(|e| Failure::Runtime(format!("reading the settings: {e}")))?.organisation;
    let p = env_provider(&issuer, &client, &organisation).map_err(|e| Failure::Usage(format!("{ENV_ISSUER}/{ENV_CLIENT_ID}: {e}")))?;
    store.oidc().from_environment(&p).await.map_err(|e| Failure::Runtime(format!("saving the identity provider: {e}")))?;
    if env_value(ENV_CLIENT_SECRET).is_none() {
        tracing::warn!("{ENV_ISSUER} is set but {ENV_CLIENT_SECRET} is not: nobody can sign in through the identity provider until it is");
    }
    tracing::info!(issuer = %p.issuer, "sign-in through the identity provider is on");
    Ok(())
}

/// The query planner's statistics at start and hourly ([`Store::gather_statistics`]),
/// in the background: start-up does not wait for them.
fn spawn_statistics(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let started = std::time::Instant::now();
            match store.gather_statistics().await {
                Ok(()) => tracing::info!(ms = started.elapsed().as_millis() as u64, "query planner statistics gathered"),
                Err(e) => tracing::warn!(error = %e, "gathering query planner statistics failed; will retry in an hour"),
            }
        }
    })
}

/// Once a day (at start, then every `ASSURE_RETENTION_SECONDS`, 86,400 unless set): list
/// the children's records due for destruction under the retention policy, in the log, for
/// the information governance officer to confirm on /retention. Nothing is destroyed here.
fn spawn_retention(store: Store) -> tokio::task::JoinHandle<()> {
    let every = env_value("ASSURE_RETENTION_SECONDS").and_then(|s| s.parse::<u64>().ok()).filter(|s| *s > 0).unwrap_or(86_400);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let due = match store.ig_officer(assure_storage::Actor::system()).await {
                Ok(Some(officer)) => store.retention_due(&officer).await,
                Ok(None) => continue,
                Err(e) => Err(e),
            };
            match due {
                Ok(d) if d.is_empty() => tracing::info!("retention: no child's record is due for destruction"),
                Ok(d) => {
                    let held = d.iter().filter(|x| x.held).count();
                    tracing::warn!(due = d.len() - held, held, "retention: children's records are due for destruction; confirm on /retention");
                }
                Err(e) => tracing::warn!(error = %e, "retention: listing what is due failed; will retry"),
            }
        }
    })
}

/// Anchor the audit log's head outside the database at start and every
/// `ASSURE_AUDIT_ANCHOR_SECONDS` (300 unless set).
fn spawn_anchors(store: Store, path: std::path::PathBuf) -> tokio::task::JoinHandle<()> {
    let every = std::env::var("ASSURE_AUDIT_ANCHOR_SECONDS").ok().and_then(|s| s.trim().parse::<u64>().ok()).filter(|s| *s > 0).unwrap_or(300);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every));
        loop {
            tick.tick().await;
            if let Err(e) = store.audit().anchor(&path).await {
                tracing::error!(error = %e, "could not anchor the audit log");
            }
        }
    })
}
