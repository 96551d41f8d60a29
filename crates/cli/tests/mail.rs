//! E-mail through a real SMTP server on localhost (aiosmtpd, installed by scripts/test):
//! `assure mail test` delivers one message; bad addresses, missing settings and a server
//! that refuses get clear answers and lose nothing; a chase queued before a crash is
//! delivered exactly once by the server that comes back, on both engines.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assure_domain::tracker::{BodyKind, ReviewKind};
use assure_domain::Role;
use assure_storage::testing::TestDb;
use assure_storage::tracker::{BodyInput, RecommendationInput, ReviewInput};
use assure_storage::users::NewUser;
use assure_storage::{Actor, Engine};
use support::Server;

/// aiosmtpd on a free port, delivering into a maildir the test reads.
struct Smtpd {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Smtpd {
    /// `None` (the test says why) only when ASSURE_SKIP_SMTP=1.
    fn start(dir: &Path) -> Option<Smtpd> {
        let python = match std::env::var("ASSURE_TEST_SMTPD_PYTHON") {
            Ok(p) if !p.is_empty() => p,
            _ if std::env::var("ASSURE_SKIP_SMTP").as_deref() == Ok("1") => {
                eprintln!("ASSURE_SKIP_SMTP=1: the e-mail tests against a real SMTP server are not run");
                return None;
            }
            _ => panic!("the e-mail tests need aiosmtpd: run scripts/test (it installs it), set ASSURE_TEST_SMTPD_PYTHON to a Python that has it, or ASSURE_SKIP_SMTP=1"),
        };
        let port = support::free_port();
        let maildir = dir.join("maildir");
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Smtpd { child, port, maildir })
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message delivered so far, as text.
    fn delivered(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) {
                for e in entries.flatten() {
                    out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mail(dir: &Path, url: Option<&str>, smtp: Option<&str>, args: &[&str]) -> (i32, String) {
    let mut c = support::command(dir, url);
    if let Some(smtp) = smtp {
        c.env("ASSURE_SMTP_URL", smtp).env("ASSURE_MAIL_FROM", "assure@example.org");
    }
    c.arg("mail").args(args);
    support::run(c)
}

#[test]
fn mail_test_delivers_one_message_and_bad_settings_get_clear_answers() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let Some(smtpd) = Smtpd::start(dir.path()) else { return };
    let data = dir.path().join("data");

    let (code, out) = mail(&data, None, Some(&smtpd.url()), &["test", "--to", "dpo@example.org"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("accepted by the SMTP server for dpo@example.org"), "{out}");
    let delivered = smtpd.delivered();
    assert_eq!(delivered.len(), 1, "one message arrived");
    assert!(delivered[0].contains("To: dpo@example.org") && delivered[0].contains("Subject: Assure: test message"), "{}", delivered[0]);
    assert!(delivered[0].contains("From: assure@example.org"));

    // Not an address; no server configured: refused before anything is queued.
    let (code, out) = mail(&data, None, Some(&smtpd.url()), &["test", "--to", "not an address"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("is not an e-mail address"), "{out}");
    let (code, out) = mail(&data, None, None, &["test", "--to", "dpo@example.org"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("set ASSURE_SMTP_URL"), "{out}");
    let mut c = support::command(&data, None);
    c.env("ASSURE_SMTP_URL", "gopher://nowhere").env("ASSURE_MAIL_FROM", "assure@example.org").args(["mail", "test", "--to", "dpo@example.org"]);
    let (code, out) = support::run(c);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("ASSURE_SMTP_URL is not an SMTP address"), "{out}");

    // A server that is not there: the message stays in the outbox, with why.
    let closed = format!("smtp://127.0.0.1:{}", support::free_port());
    let (code, out) = mail(&data, None, Some(&closed), &["test", "--to", "dpo@example.org"]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("was not sent") && out.contains("tried again"), "{out}");
    let (code, out) = mail(&data, None, None, &["outbox"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Outbox: 1 pending, 0 being sent, 0 failed (1 sent, 0 written to the log)"), "{out}");
    assert!(out.contains("dpo@example.org") && out.contains("did not accept it"), "{out}");
    assert_eq!(smtpd.delivered().len(), 1, "nothing more arrived");
}

/// The chase job queues a message (committed) and the process stops before it is sent:
/// the server started afterwards sends it once; killed and started again, it sends
/// nothing more, and the chase job queues nothing new.
async fn a_queued_chase_is_delivered_exactly_once_across_a_crash(engine: Engine) {
    let db = TestDb::new(engine).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let Some(smtpd) = Smtpd::start(dir.path()) else { return };
    let system = Actor::system();
    let today = db.store.today();
    db.store
        .users()
        .create(
            &system,
            NewUser { name: "Scrutiny Officer", email: "officer@example.org", role: Role::ScrutinyOfficer, job_title: "", password_hash: "x" },
        )
        .await
        .unwrap();
    let tracker = db.store.tracker();
    let cabinet =
        tracker.create_body(&system, &BodyInput { name: "Cabinet".into(), kind: Some(BodyKind::Executive), ..Default::default() }).await.unwrap();
    let review = tracker
        .create_review(
            &system,
            &ReviewInput {
                kind: Some(ReviewKind::WorkingGroup),
                title: "Taxi licensing".into(),
                referred_to_body_id: Some(cabinet),
                referral_date: Some(assure_domain::dates::add_months(today, -3)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    tracker
        .create_recommendation(
            &system,
            review,
            &RecommendationInput { number: Some(1), committee_wording: "Check drivers".into(), ..Default::default() },
        )
        .await
        .unwrap();
    db.store.close().await;
    let pg = (engine == Engine::Postgres).then_some(db.url.as_str());

    let (code, out) = mail(&db.dir, pg, None, &["chase"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 chase messages queued"), "the overdue response, to the one scrutiny officer: {out}");
    assert!(smtpd.delivered().is_empty(), "queued, not sent");

    let serve = || {
        let mut c = support::command(&db.dir, pg);
        c.env("ASSURE_SMTP_URL", smtpd.url()).env("ASSURE_MAIL_FROM", "assure@example.org").env("ASSURE_MAIL_POLL_SECONDS", "1");
        Server::spawn(c)
    };
    let mut server = serve();
    server.wait_ready(Duration::from_secs(60)).await;
    let started = Instant::now();
    while smtpd.delivered().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "the server did not send the queued message:\n{}", server.output());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let message = &smtpd.delivered()[0];
    assert!(message.contains("To: officer@example.org") && message.contains("Executive response overdue"), "{message}");
    assert!(message.contains(&format!("/reviews/{review}")), "a link to the review: {message}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill9();

    let mut server = serve();
    server.wait_ready(Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    server.kill9();
    assert_eq!(smtpd.delivered().len(), 1, "exactly one message across the restart");
    let (code, out) = mail(&db.dir, pg, None, &["chase"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 chase messages queued"), "{out}");
    let (_, out) = mail(&db.dir, pg, None, &["outbox"]);
    assert!(out.contains("Outbox: 0 pending, 0 being sent, 0 failed (1 sent"), "{out}");
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_chase_is_delivered_exactly_once_across_a_crash_sqlite() {
    if assure_storage::testing::engines().contains(&Engine::Sqlite) {
        a_queued_chase_is_delivered_exactly_once_across_a_crash(Engine::Sqlite).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_chase_is_delivered_exactly_once_across_a_crash_postgres() {
    if assure_storage::testing::engines().contains(&Engine::Postgres) {
        a_queued_chase_is_delivered_exactly_once_across_a_crash(Engine::Postgres).await;
    }
}
