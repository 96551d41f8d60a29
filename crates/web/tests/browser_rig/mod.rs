//! The browser rig the browser tests share: chromedriver and headless Chromium in their
//! own process group, the app on a fresh demo database, and the steps a person takes.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assure_storage::testing::TestDb;
use assure_storage::Engine;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub const PASSWORD: &str = "correct horse battery staple";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const SHOTS: &str = "/tmp/assure-shots";
/// How long to wait for something to appear after a click.
pub const WAIT: Duration = Duration::from_secs(10);

// ------------------------------------------------------------------ harness

/// Whether to run: false (with a note) only when ASSURE_SKIP_BROWSER=1.
pub fn browser_available() -> bool {
    if std::env::var("ASSURE_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("note: browser tests skipped (ASSURE_SKIP_BROWSER=1)");
        return false;
    }
    assert!(
        Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
        "browser tests need {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver); \
         set ASSURE_SKIP_BROWSER=1 to skip them"
    );
    true
}

pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{prefix}-{}-{nanos}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A chromedriver child in its own process group, with the browser's profile
/// directory. Dropping it ends chromedriver and every browser it started (the
/// whole group, by its id) and removes the profile, even when a test panics.
pub struct Driver {
    child: Child,
    port: u16,
    profiles: Vec<PathBuf>,
}

impl Driver {
    pub fn start() -> Driver {
        use std::os::unix::process::CommandExt;
        let port = {
            let l = StdListener::bind("127.0.0.1:0").expect("bind a free port");
            l.local_addr().unwrap().port()
        };
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {CHROMEDRIVER}: {e}"));
        let driver = Driver { child, port, profiles: Vec::new() };
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let started = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(15), "chromedriver did not listen on port {port} within 15 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    /// A new browser session; `extra_args` are added to the standard headless ones.
    pub async fn browser(&mut self, base: &str, extra_args: &[&str]) -> Browser {
        let profile = std::env::temp_dir().join(unique_name("assure-chromium"));
        std::fs::create_dir_all(&profile).expect("profile dir");
        self.profiles.push(profile.clone());
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend(extra_args.iter().map(|s| s.to_string()));
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        let Value::Object(caps) = caps else { unreachable!() };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("start a Chromium session through chromedriver: {e}"));
        client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(Duration::from_secs(10)),
                Some(Duration::from_secs(30)),
                Some(Duration::ZERO),
            ))
            .await
            .expect("set timeouts");
        Browser { client, base: base.to_string() }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group holds chromedriver and the browsers it launched.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        for p in &self.profiles {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

/// The app on a fresh SQLite database with the demo loaded, served on a free port,
/// and a chromedriver to drive browsers at it.
pub struct Rig {
    pub db: Option<TestDb>,
    pub base: String,
    server: tokio::task::JoinHandle<()>,
    driver: Driver,
}

impl Rig {
    pub async fn start() -> Rig {
        Rig::start_with(|_| {}).await
    }

    /// [`Rig::start`] with the app's configuration changed by `configure` (its
    /// `public_url` is already the address it serves at).
    pub async fn start_with(configure: impl FnOnce(&mut assure_web::Config)) -> Rig {
        let db = TestDb::new(Engine::Sqlite).await;
        let hash = assure_web::auth::hash_password(PASSWORD);
        let loaded = assure_storage::demo::load(&db.store, db.store.today(), &hash).await.expect("load the demo");
        assert!(loaded, "demo loads into the empty database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the app");
        let addr = listener.local_addr().unwrap();
        let mut config = assure_web::Config::new(db.dir.clone());
        config.public_url = format!("http://{addr}");
        configure(&mut config);
        let app = assure_web::app(db.store.clone(), config);
        let server = tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
        });
        let driver = Driver::start();
        Rig { db: Some(db), base: format!("http://{addr}"), server, driver }
    }

    pub async fn browser(&mut self) -> Browser {
        let base = self.base.clone();
        self.driver.browser(&base, &[]).await
    }

    pub async fn browser_without_javascript(&mut self) -> Browser {
        let base = self.base.clone();
        self.driver.browser(&base, &["--blink-settings=scriptEnabled=false"]).await
    }

    /// After a passing test: stop serving and remove the database.
    pub async fn finish(mut self) {
        self.server.abort();
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }
}

/// XPath string literal for any text (concat() when it has both kinds of quote).
pub fn xq(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// One browser session, with the steps a person takes.
pub struct Browser {
    pub client: Client,
    pub base: String,
}

impl Browser {
    pub async fn quit(self) {
        let _ = self.client.close().await;
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default()
    }

    /// The path and query of the current page.
    pub async fn path(&self) -> String {
        self.url().await.trim_start_matches(&self.base).to_string()
    }

    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client.goto(&url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Wait for an element (pages load after clicks; chromedriver mostly waits, this covers the rest).
    pub async fn find(&self, loc: Locator<'_>) -> Element {
        let started = Instant::now();
        loop {
            match self.client.find(loc).await {
                Ok(e) => return e,
                Err(e) if started.elapsed() > WAIT => {
                    panic!("{loc:?} not found on {}: {e}\n--- page text ---\n{}", self.url().await, self.body_text().await)
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn css(&self, css: &str) -> Element {
        self.find(Locator::Css(css)).await
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    /// Clear a text field and type into it.
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.css(css).await;
        e.clear().await.unwrap_or_else(|err| panic!("clear {css}: {err}"));
        e.send_keys(text).await.unwrap_or_else(|err| panic!("type into {css}: {err}"));
    }

    /// Type a date into a GOV.UK date input whose day box is `css` ("#seen_on"): the day,
    /// the month and the year boxes.
    pub async fn fill_date(&self, css: &str, d: chrono::NaiveDate) {
        use chrono::Datelike;
        self.fill(css, &d.day().to_string()).await;
        self.fill(&format!("{css}-month"), &d.month().to_string()).await;
        self.fill(&format!("{css}-year"), &d.year().to_string()).await;
    }

    /// [`Browser::fill_date`] `days` from today.
    pub async fn fill_date_in(&self, css: &str, days: i64) {
        self.fill_date(css, assure_domain::Clock::system().today() + chrono::Duration::days(days)).await;
    }

    /// A date and time: the date input and its time box.
    pub async fn fill_time(&self, css: &str, t: chrono::NaiveDateTime) {
        self.fill_date(css, t.date()).await;
        self.fill(&format!("{css}-time"), &t.format("%H:%M").to_string()).await;
    }

    pub async fn click(&self, css: &str) {
        self.css(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Click something that loads a new page, and wait until the old page has gone
    /// (so that nothing is read from the page being left).
    pub async fn click_to_load(&self, e: Element, what: &str) {
        let old = self.client.find(Locator::Css("html")).await.expect("the page");
        e.click().await.unwrap_or_else(|err| panic!("{what}: {err}"));
        let started = Instant::now();
        while old.tag_name().await.is_ok() {
            assert!(started.elapsed() < WAIT, "{what}: no new page loaded after {WAIT:?} (still on {})", self.url().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.css("body").await;
    }

    /// Press the button with this label (every button here sends a form).
    pub async fn press(&self, label: &str) {
        let xp = format!("//button[normalize-space()={}]", xq(label));
        let e = self.find(Locator::XPath(&xp)).await;
        self.click_to_load(e, &format!("press {label:?}")).await;
    }

    /// Follow the link with exactly this text.
    pub async fn follow(&self, text: &str) {
        let xp = format!("//a[normalize-space()={}]", xq(text));
        let e = self.find(Locator::XPath(&xp)).await;
        self.click_to_load(e, &format!("follow {text:?}")).await;
    }

    /// Open a `<details>` by clicking its summary (the text it starts with).
    pub async fn open_details(&self, summary: &str) {
        let xp = format!("//summary[starts-with(normalize-space(), {})]", xq(summary));
        let s = self.find(Locator::XPath(&xp)).await;
        let details = s.find(Locator::XPath("./..")).await.expect("summary's details");
        if details.attr("open").await.ok().flatten().is_none() {
            s.click().await.unwrap_or_else(|e| panic!("open {summary:?}: {e}"));
        }
    }

    /// Choose the radio with this id (by its label, as a person would).
    pub async fn choose(&self, id: &str) {
        self.click(&format!("label[for='{id}']")).await;
        assert!(self.css(&format!("#{id}")).await.is_selected().await.unwrap(), "radio #{id} is chosen");
    }

    /// Tick the checkbox whose label contains this text.
    pub async fn tick(&self, label: &str) {
        let xp = format!("//label[contains(@class, 'app-checkboxes__label') and contains(normalize-space(), {})]", xq(label));
        let l = self.find(Locator::XPath(&xp)).await;
        let id = l.attr("for").await.unwrap().expect("label for");
        if !self.css(&format!("#{id}")).await.is_selected().await.unwrap() {
            l.click().await.unwrap();
        }
        assert!(self.css(&format!("#{id}")).await.is_selected().await.unwrap(), "{label} is ticked");
    }

    pub async fn select_value(&self, css: &str, value: &str) {
        self.css(css).await.select_by_value(value).await.unwrap_or_else(|e| panic!("select {value:?} in {css}: {e}"));
    }

    /// Select the option whose text starts with `text`.
    pub async fn select_text(&self, css: &str, text: &str) {
        let sel = self.css(css).await;
        for o in sel.find_all(Locator::Css("option")).await.unwrap() {
            if o.text().await.unwrap().trim().starts_with(text) {
                o.click().await.unwrap();
                return;
            }
        }
        panic!("no option starting {text:?} in {css}");
    }

    pub async fn text_of(&self, css: &str) -> String {
        self.css(css).await.text().await.unwrap_or_default()
    }

    pub async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The page shows this text (waiting a little for it).
    pub async fn assert_has(&self, text: &str) {
        let started = Instant::now();
        loop {
            let body = self.body_text().await;
            if body.contains(text) {
                return;
            }
            if started.elapsed() > WAIT {
                panic!("expected {text:?} on {}\n--- page text ---\n{body}", self.url().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn assert_lacks(&self, text: &str) {
        let body = self.body_text().await;
        assert!(!body.contains(text), "did not expect {text:?} on {}\n--- page text ---\n{body}", self.url().await);
    }

    /// The green banner after a saved form.
    pub async fn assert_banner(&self, message: &str) {
        let t = self.text_of(".app-notification-banner--success .app-notification-banner__heading").await;
        assert_eq!(t.trim(), message, "success banner on {}", self.url().await);
    }

    /// The error summary lists this message.
    pub async fn assert_error(&self, message: &str) {
        let t = self.text_of(".app-error-summary").await;
        assert!(t.contains(message), "error summary on {} should say {message:?}; it says:\n{t}", self.url().await);
    }

    /// Links in the error summary whose target is not on the page (each should
    /// move focus to its field).
    pub async fn broken_error_links(&self) -> Vec<String> {
        let mut broken = Vec::new();
        for a in self.client.find_all(Locator::Css(".app-error-summary a")).await.unwrap_or_default() {
            let href = a.attr("href").await.ok().flatten().unwrap_or_default();
            let id = href.trim_start_matches('#');
            if id.is_empty() || self.count(&format!("[id='{id}']")).await == 0 {
                broken.push(href);
            }
        }
        broken
    }

    pub async fn title(&self) -> String {
        self.client.title().await.unwrap_or_default()
    }

    /// The texts of the header navigation links.
    pub async fn nav(&self) -> Vec<String> {
        let mut out = Vec::new();
        for a in self.client.find_all(Locator::Css(".app-header__nav-link")).await.unwrap() {
            out.push(a.text().await.unwrap().trim().to_string());
        }
        out
    }

    pub async fn sign_in(&self, email: &str) {
        self.goto("/login").await;
        self.fill("#email", email).await;
        self.fill("#password", PASSWORD).await;
        self.press("Sign in").await;
        self.css(".app-header__signout").await;
        let who = self.text_of(".app-header__user").await;
        assert!(!who.is_empty(), "signed in as {email}");
    }

    pub async fn sign_out(&self) {
        let e = self.css(".app-header__signout").await;
        self.click_to_load(e, "sign out").await;
        self.assert_has("You have signed out").await;
        assert_eq!(self.count(".app-header__signout").await, 0, "signed out");
    }

    /// Open a recommendation from a review's table by its label, for example "(3)".
    pub async fn open_recommendation(&self, review_title: &str, label: &str) -> String {
        self.goto("/reviews").await;
        self.follow(review_title).await;
        let xp = format!("//table[@data-testid='recommendations']//tr[td[1]/span[normalize-space()={}]]//a", xq(label));
        let link = self.find(Locator::XPath(&xp)).await;
        self.click_to_load(link, &format!("open recommendation {label}")).await;
        let path = self.path().await;
        assert!(path.starts_with("/recommendations/"), "opened {path}");
        path
    }

    /// Follow a link in the header navigation.
    pub async fn nav_to(&self, label: &str) {
        let xp = format!("//a[contains(@class, 'app-header__nav-link') and normalize-space()={}]", xq(label));
        let e = self.find(Locator::XPath(&xp)).await;
        self.click_to_load(e, &format!("menu item {label:?}")).await;
    }

    /// Choose the radio whose label reads exactly this, as a person would.
    pub async fn choose_labelled(&self, label: &str) {
        let xp = format!("//label[contains(@class, 'app-radios__label') and normalize-space()={}]", xq(label));
        let l = self.find(Locator::XPath(&xp)).await;
        let id = l.attr("for").await.unwrap().expect("label for");
        l.click().await.unwrap_or_else(|e| panic!("choose {label:?}: {e}"));
        assert!(self.css(&format!("[id='{id}']")).await.is_selected().await.unwrap(), "{label:?} is chosen");
    }

    /// The value beside this key in the page's summary list.
    pub async fn summary_value(&self, key: &str) -> String {
        let xp = format!("//dl[contains(@class, 'app-summary-list')]//dt[normalize-space()={}]/following-sibling::dd[1]", xq(key));
        self.find(Locator::XPath(&xp)).await.text().await.unwrap_or_default().trim().to_string()
    }

    pub async fn count_xpath(&self, xpath: &str) -> usize {
        self.client.find_all(Locator::XPath(xpath)).await.map(|v| v.len()).unwrap_or(0)
    }

    /// The current path without its query (the notice after a save).
    pub async fn page_path(&self) -> String {
        self.path().await.split(['?', '#']).next().unwrap_or_default().to_string()
    }

    /// Nothing in the main content is drawn below the top of the footer (content that
    /// overflows a box with no height ends up under it).
    pub async fn assert_clear_of_footer(&self) {
        let js = "const top = document.querySelector('footer').getBoundingClientRect().top + window.scrollY; \
                  return [...document.querySelectorAll('main *')].filter(e => (e.checkVisibility ? e.checkVisibility() : e.getClientRects().length) && e.getBoundingClientRect().bottom + window.scrollY > top + 1).slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 40));";
        let under = self.client.execute(js, vec![]).await.expect("measure the page");
        assert_eq!(under, serde_json::json!([]), "content drawn under the footer on {}", self.url().await);
    }

    /// A screenshot of the whole page (the window stretched to the page's height).
    pub async fn screenshot(&self, name: &str) {
        std::fs::create_dir_all(SHOTS).expect("screenshot dir");
        // From the top: a page opened at an anchor (#episode-3) is otherwise captured scrolled, its footer drawn over the content.
        let h = self
            .client
            .execute("window.scrollTo(0, 0); return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(1000);
        let _ = self.client.set_window_size(1280, (h as u32 + 120).clamp(1000, 8000)).await;
        let png = self.client.screenshot().await.expect("screenshot");
        let _ = self.client.set_window_size(1280, 1000).await;
        let path = format!("{SHOTS}/{name}.png");
        std::fs::write(&path, png).expect("write screenshot");
        eprintln!("screenshot: {path}");
    }
}

pub fn date_in(days: i64) -> String {
    (assure_domain::Clock::system().today() + chrono::Duration::days(days)).format("%d/%m/%Y").to_string()
}
