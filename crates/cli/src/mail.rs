//! E-mail: the outbox sent over SMTP (lettre) when `ASSURE_SMTP_URL` and
//! `ASSURE_MAIL_FROM` are set, or written to the log when they are not (so a demo shows
//! what would be sent); the chase job and the sending worker `assure serve` runs; and
//! `assure mail test|outbox|chase`.
//!
//! `ASSURE_SMTP_URL` takes lettre's forms: `smtp://host:port` (plain, for a relay on
//! the same host), `smtp://user:pass@host:587?tls=required` (STARTTLS, refused if the
//! server does not offer it) or `smtps://user:pass@host:465` (TLS from the start).

use std::time::Duration;

use assure_storage::mail::OutboxMessage;
use assure_storage::{Actor, Store};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::{open_store, CmdResult, Failure, Global};

/// How the outbox is sent.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

impl Mailer {
    /// From the environment: `None` when `ASSURE_SMTP_URL` is not set (mail goes to the log).
    pub fn from_env() -> Result<Option<Mailer>, Failure> {
        let Some(url) = env_value("ASSURE_SMTP_URL") else { return Ok(None) };
        let from = env_value("ASSURE_MAIL_FROM").ok_or_else(|| {
            Failure::Usage(
                "ASSURE_SMTP_URL is set but ASSURE_MAIL_FROM is not: give the address messages come from, like assure@council.gov.uk".into(),
            )
        })?;
        let from: Mailbox = from
            .parse()
            .map_err(|e| Failure::Usage(format!("ASSURE_MAIL_FROM is not an e-mail address ({e}): give one like assure@council.gov.uk")))?;
        // The URL may hold a password: never echo it.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| Failure::Usage(format!("ASSURE_SMTP_URL is not an SMTP address lettre understands ({e}); use smtp://host:port, smtp://user:pass@host:587?tls=required or smtps://user:pass@host:465")))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Some(Mailer { transport, from }))
    }

    async fn send(&self, m: &OutboxMessage) -> Result<(), String> {
        let to: Mailbox = m.to_address.parse().map_err(|e| format!("the address is not valid: {e}"))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| format!("the message could not be built: {e}"))?;
        self.transport.send(email).await.map(|_| ()).map_err(|e| format!("the SMTP server did not accept it: {e}"))
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Default)]
pub struct Pass {
    pub sent: usize,
    pub logged: usize,
    /// (message, why) for each try that failed.
    pub failed: Vec<(i64, String)>,
}

/// Send what is due (or only message `only`): each claimed before it is handed over and
/// marked after, so a crash in between never sends it twice.
pub async fn send_due(store: &Store, mailer: Option<&Mailer>, only: Option<i64>) -> assure_storage::Result<Pass> {
    let mut pass = Pass::default();
    store.mail().abandon_interrupted().await?;
    loop {
        let batch = store.mail().claim(20, only).await?;
        if batch.is_empty() {
            return Ok(pass);
        }
        for m in batch {
            match mailer {
                None => {
                    // The account's id, not its address: no personal data in the log.
                    tracing::info!(message = m.id, user = ?m.user_id, subject = %m.subject, body = %m.body, "mail not sent (no ASSURE_SMTP_URL): written here instead");
                    store.mail().mark_logged(m.id).await?;
                    pass.logged += 1;
                }
                Some(mailer) => match mailer.send(&m).await {
                    Ok(()) => {
                        store.mail().mark_sent(m.id).await?;
                        pass.sent += 1;
                    }
                    Err(why) => {
                        let now = store.mail().mark_attempt_failed(m.id, &why).await?;
                        tracing::warn!(message = m.id, status = %now, error = %why, "mail not sent");
                        pass.failed.push((m.id, why));
                    }
                },
            }
        }
        if only.is_some() {
            return Ok(pass);
        }
    }
}

/// The chase job and the sender, as `assure serve` runs them: chases every
/// `ASSURE_CHASE_SECONDS` (an hour unless set), the outbox every `ASSURE_MAIL_POLL_SECONDS`
/// (10 unless set).
pub fn spawn_worker(store: Store, mailer: Option<Mailer>, base_url: String) -> tokio::task::JoinHandle<()> {
    let seconds = |name: &str, default: u64| env_value(name).and_then(|v| v.parse::<u64>().ok()).filter(|n| *n > 0).unwrap_or(default);
    let chase_every = Duration::from_secs(seconds("ASSURE_CHASE_SECONDS", 3600));
    let poll = Duration::from_secs(seconds("ASSURE_MAIL_POLL_SECONDS", 10));
    tokio::spawn(async move {
        let mut last_chase: Option<std::time::Instant> = None;
        loop {
            if last_chase.is_none_or(|t| t.elapsed() >= chase_every) {
                last_chase = Some(std::time::Instant::now());
                let service = store.settings().load().await.map(|s| s.service_name).unwrap_or_else(|_| "Assure".into());
                match store.mail().run_chases(&service, &base_url).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(queued = n, "chase messages queued"),
                    Err(e) => tracing::warn!(error = %e, "the chase job failed; it runs again next time"),
                }
                match store.mail().run_digests(&service).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(queued = n, "daily digests queued"),
                    Err(e) => tracing::warn!(error = %e, "the daily digests failed; they are tried again next time"),
                }
            }
            if let Err(e) = send_due(&store, mailer.as_ref(), None).await {
                tracing::warn!(error = %e, "sending the outbox failed; it is tried again shortly");
            }
            tokio::time::sleep(poll).await;
        }
    })
}

/// `assure mail test --to ADDRESS`: one message through the outbox, sent now; exit 0
/// once the SMTP server has accepted it.
pub async fn test(g: &Global, to: &str) -> CmdResult {
    let to = to.trim();
    if to.parse::<Mailbox>().is_err() || !to.contains('@') {
        return Err(Failure::Usage(format!("{to:?} is not an e-mail address: give one like dpo@council.gov.uk")));
    }
    let mailer = Mailer::from_env()?.ok_or_else(|| {
        Failure::Usage("set ASSURE_SMTP_URL (like smtp://relay.council.gov.uk:587?tls=required) and ASSURE_MAIL_FROM to send e-mail".into())
    })?;
    let store = open_store(g).await?;
    let service = store.settings().load().await?.service_name;
    let id = store.mail().queue_test(&Actor::system(), to, &service).await?;
    let pass = send_due(&store, Some(&mailer), Some(id)).await?;
    store.close().await;
    if pass.sent == 1 {
        println!("Test message {id} was accepted by the SMTP server for {to}.");
        Ok(())
    } else {
        let why = pass.failed.first().map(|(_, w)| w.clone()).unwrap_or_else(|| "it was not sent".into());
        Err(Failure::Runtime(format!("test message {id} was not sent: {why}. It stays in the outbox and is tried again by the server.")))
    }
}

/// `assure mail outbox`: messages waiting and failed.
pub async fn outbox(g: &Global) -> CmdResult {
    let store = open_store(g).await?;
    let counts = store.mail().counts().await?;
    let waiting = store.mail().waiting(200).await?;
    store.close().await;
    println!(
        "Outbox: {} pending, {} being sent, {} failed ({} sent, {} written to the log)",
        counts.pending, counts.sending, counts.failed, counts.sent, counts.logged
    );
    for m in waiting {
        let error = if m.last_error.is_empty() { String::new() } else { format!(" - {}", m.last_error) };
        println!("{:>6}  {:<8}  {}  tries {}  to {}  {}{error}", m.id, m.status, m.created_at, m.attempts, m.to_address, m.subject);
    }
    Ok(())
}

/// `assure mail chase`: run the chase job now (queue what is due; the server sends it).
pub async fn chase(g: &Global) -> CmdResult {
    let store = open_store(g).await?;
    let service = store.settings().load().await?.service_name;
    let base = env_value("ASSURE_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let n = store.mail().run_chases(&service, &base).await?;
    let digests = store.mail().run_digests(&service).await?;
    store.close().await;
    println!("{n} chase messages queued, {digests} daily digests");
    Ok(())
}
