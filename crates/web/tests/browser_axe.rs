//! Every page each demo account can reach, checked in a real Chromium with axe-core
//! (the WCAG 2.0, 2.1 and 2.2 level A and AA rules) and at 320 CSS pixels wide for
//! sideways scrolling (WCAG 1.4.10, reflow). The pages are found the way a person finds
//! them: from the home page, following the links on each page, for every active demo
//! account. Pages of one shape (`/children/12` and `/children/40`) are visited once per
//! account, so a list of 200 records does not mean 200 visits; and a page is checked
//! once for all the accounts that see it built the same way (the same elements, classes
//! and attributes), so twenty roles that see the same list do not mean twenty checks,
//! while a role that sees a form on it that others do not has it checked again.
//!
//! Needs `/usr/bin/chromium`, `/usr/bin/chromedriver` and axe-core: `scripts/test`
//! installs axe-core from the npm registry into the build cache and sets
//! `ASSURE_TEST_AXE_JS` to its `axe.min.js`. `ASSURE_SKIP_BROWSER=1` skips.
//! The public site (`/public`) is crawled too, signed out, as a resident reads it.
//! `ASSURE_AXE_ACCOUNTS=a@example.org,b@example.org` checks only those accounts (`public`
//! for the public site alone);
//! `ASSURE_AXE_DUMP=DIR` writes each page's structure there (one file per shape and
//! account), to see why two accounts' pages of a shape were both checked.

mod browser_rig;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Mutex;

use browser_rig::*;
use serde_json::Value;

/// How many different page shapes to check per account (a guard against a crawl that
/// never ends; every account reaches far fewer).
const MAX_SHAPES: usize = 80;

fn axe_source() -> String {
    let path = std::env::var("ASSURE_TEST_AXE_JS").unwrap_or_else(|_| {
        panic!(
            "the accessibility test needs axe-core: set ASSURE_TEST_AXE_JS to axe.min.js \
             (scripts/test installs it: npm install --prefix DIR axe-core), or ASSURE_SKIP_BROWSER=1"
        )
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read axe-core from {path}: {e}"))
}

/// A page's shape: its path with every number or date (`12`, `2025-01`) replaced, and its
/// query's names (not values), so that one of each kind of page is checked (not each of
/// the dataset's months).
fn shape(path: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let p: Vec<String> = p
        .split('/')
        .map(|seg| {
            if seg.starts_with(|c: char| c.is_ascii_digit()) && seg.chars().all(|c| c.is_ascii_digit() || c == '-') {
                "{n}".to_string()
            } else {
                seg.to_string()
            }
        })
        .collect();
    let mut names: Vec<&str> = q.split('&').filter(|kv| !kv.is_empty()).map(|kv| kv.split('=').next().unwrap_or("")).collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        p.join("/")
    } else {
        format!("{}?{}", p.join("/"), names.join("&"))
    }
}

/// Links not to follow: files and downloads (not pages), the API, and anything that
/// leaves the signed-in session.
fn is_page(path: &str) -> bool {
    let p = path.split(['?', '#']).next().unwrap_or("");
    let skip_ends = [
        ".docx", ".xlsx", ".pdf", ".csv", ".ics", ".zip", ".json", ".html", ".css", ".js", ".svg", ".png", ".ico", ".txt", "/docx", "/pdf", "/xlsx",
        "/csv",
    ];
    let skip_parts = ["/api/", "/assets/", "/download", "/export", "/logout", "/sign-out", "/openapi", "/oparl/", "/paper-file"];
    p.starts_with('/') && !skip_ends.iter().any(|e| p.ends_with(e)) && !skip_parts.iter().any(|s| p.contains(s))
}

/// The page's same-site links.
async fn links(b: &Browser) -> Vec<String> {
    let js = "return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))";
    let v = b.client.execute(js, vec![]).await.unwrap_or(Value::Null);
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h.as_str())
                .map(|h| h.trim_start_matches(&b.base).split('#').next().unwrap_or("").to_string())
                .filter(|h| is_page(h))
                .collect()
        })
        .unwrap_or_default()
}

/// axe-core's violations on the current page, one line each.
async fn axe_violations(b: &Browser, axe: &str) -> Vec<String> {
    let inject = format!("{axe}\n;return typeof axe;");
    b.client.execute(&inject, vec![]).await.expect("inject axe-core");
    let run = "const done = arguments[arguments.length - 1]; \
               axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] }) \
                 .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' -- ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))) \
                 .catch(e => done(['axe failed: ' + e]));";
    let v = b.client.execute_async(run, vec![]).await.expect("run axe-core");
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// Whether the page scrolls sideways at the current window width.
async fn scrolls_sideways(b: &Browser) -> Option<String> {
    let js = "const d = document.documentElement; \
              const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > d.clientWidth + 1 && !e.closest('.app-table-scroll, .app-table-wrapper')).slice(0, 4).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '') + '[' + Math.round(e.getBoundingClientRect().right) + ']'); \
              return [d.scrollWidth, d.clientWidth, wide.join(', ')];";
    let v = b.client.execute(js, vec![]).await.ok()?;
    let a = v.as_array()?;
    let (scroll, client) = (a.first()?.as_i64()?, a.get(1)?.as_i64()?);
    (scroll > client + 1).then(|| format!("{scroll}px wide in a {client}px window ({})", a.get(2).and_then(|s| s.as_str()).unwrap_or("")))
}

/// The page's structure: every element's tag, classes, role, type and attribute names
/// (not their values), whether it holds text of its own, and its children's structures
/// with repeats dropped, so a list of 3 rows and one of 300 alike have the same
/// structure, while a page one role sees with a form another does not differs. axe-core's
/// rules look at exactly this (and at colours, which come from the classes).
async fn structure(b: &Browser) -> String {
    let js = "function sig(e) { \
                let s = e.tagName.toLowerCase(); \
                if (typeof e.className === 'string' && e.className.trim()) s += '.' + e.className.trim().split(/\\s+/).sort().join('.'); \
                for (const n of ['role', 'type']) if (e.getAttribute(n)) s += '[' + n + '=' + e.getAttribute(n) + ']'; \
                s += '[' + [...e.attributes].map(a => a.name).filter(n => n !== 'class').sort().join(',') + ']'; \
                if ([...e.childNodes].some(c => c.nodeType === 3 && c.textContent.trim())) s += '+t'; \
                const kids = [...new Set([...e.children].filter(c => c.tagName !== 'SCRIPT').map(sig))]; \
                return kids.length ? s + '(' + kids.join(' ') + ')' : s; \
              } \
              return sig(document.body);";
    b.client.execute(js, vec![]).await.ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// What the crawl found, shared by the browsers that crawl side by side.
#[derive(Default)]
struct Findings {
    violations: BTreeMap<String, BTreeSet<String>>,
    sideways: BTreeMap<String, String>,
    /// (page shape, structure) pairs already checked, by any account.
    structures: BTreeSet<(String, u64)>,
    checked: usize,
    alike: usize,
}

fn fingerprint(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Crawl every page shape one account reaches; check each page whose shape and
/// structure no account has had checked yet.
async fn crawl(b: &Browser, email: &str, axe: &str, found: &Mutex<Findings>) {
    let public = email == PUBLIC;
    if !public {
        b.sign_in(email).await;
    }
    let started = std::time::Instant::now();
    let (mut shapes, mut checked) = (BTreeSet::new(), 0usize);
    // The public site's search results are a form's answer, not a link: start there too.
    let starts: &[&str] = if public { &["/public", "/public/search?q=work+programme"] } else { &["/"] };
    let mut queue: VecDeque<String> = starts.iter().map(|s| s.to_string()).collect();
    while let Some(path) = queue.pop_front() {
        if shapes.len() >= MAX_SHAPES {
            break;
        }
        if public && !path.starts_with("/public") {
            continue;
        }
        let shape = shape(&path);
        if !shapes.insert(shape.clone()) {
            continue;
        }
        b.goto(&path).await;
        b.css("body").await;
        if !public && b.count(".app-header__signout").await == 0 {
            continue; // a page that signs out or needs another sign-in is not this account's
        }
        for l in links(b).await {
            if !shapes.contains(&self::shape(&l)) {
                queue.push_back(l);
            }
        }
        let st = structure(b).await;
        if let Ok(dir) = std::env::var("ASSURE_AXE_DUMP") {
            let _ = std::fs::write(format!("{dir}/{}--{}", shape.replace(['/', '?', '&'], "_"), email), st.replace(") ", ")\n"));
        }
        let key = (shape.clone(), fingerprint(&st));
        {
            let mut f = found.lock().unwrap();
            if !f.structures.insert(key) {
                f.alike += 1;
                continue; // another account's page of this shape was built the same way
            }
            f.checked += 1;
        }
        checked += 1;
        let violations = axe_violations(b, axe).await;
        // Reflow: the same page at 320 CSS pixels.
        let _ = b.client.set_window_size(320, 900).await;
        let wide = scrolls_sideways(b).await;
        let _ = b.client.set_window_size(1280, 1000).await;
        let mut f = found.lock().unwrap();
        for v in violations {
            f.violations.entry(v).or_default().insert(format!("{path} as {email}"));
        }
        if let Some(w) = wide {
            f.sideways.entry(shape).or_insert(format!("{path} as {email}: {w}"));
        }
    }
    eprintln!("{email}: {} page shapes, {checked} checked (the rest as another account saw them), in {:?}", shapes.len(), started.elapsed());
}

/// The public site's reader: no sign-in, from `/public`, its pages only.
const PUBLIC: &str = "(the public site, signed out)";

/// How many browsers crawl side by side (each takes the next account when it is done).
const BROWSERS: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_role_has_no_axe_violations_and_reflows_at_320px() {
    if !browser_available() {
        return;
    }
    let axe = axe_source();
    let mut rig = Rig::start().await;
    let store = rig.db.as_ref().expect("the demo database").store.clone();
    let mut accounts: Vec<String> = store.users().list().await.expect("users").into_iter().filter(|u| u.active).map(|u| u.email).collect();
    accounts.sort();
    // ASSURE_AXE_ACCOUNTS=a@example.org,b@example.org checks only those (when working on a page).
    let only = std::env::var("ASSURE_AXE_ACCOUNTS").unwrap_or_default();
    if !only.is_empty() {
        accounts.retain(|a| only.split(',').any(|o| o.trim() == a));
    }
    assert!(only.is_empty() || only == "public" || !accounts.is_empty(), "ASSURE_AXE_ACCOUNTS names no demo account");
    assert!(!only.is_empty() || accounts.len() >= 15, "the demo has an account per role ({} found)", accounts.len());

    let found = Mutex::new(Findings::default());
    // The public site first (when every account is checked), as a resident reads it.
    let mut readers: VecDeque<String> = accounts.iter().cloned().collect();
    if only.is_empty() || only.split(',').any(|o| o.trim() == "public") {
        readers.push_front(PUBLIC.to_string());
    }
    let n_readers = readers.len();
    let next = Mutex::new(readers);
    let mut browsers = Vec::new();
    for _ in 0..BROWSERS.min(n_readers) {
        let b = rig.browser().await;
        // axe-core takes seconds on a long page when the machine is busy.
        b.client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(std::time::Duration::from_secs(120)),
                Some(std::time::Duration::from_secs(60)),
                Some(std::time::Duration::ZERO),
            ))
            .await
            .expect("set timeouts");
        browsers.push(b);
    }
    let workers = browsers.iter().map(|b| {
        let (found, next, axe) = (&found, &next, &axe);
        async move {
            loop {
                let Some(email) = next.lock().unwrap().pop_front() else { break };
                // Each account in a fresh session: sign out of the last one first.
                b.goto("/").await;
                let _ = b.client.delete_all_cookies().await;
                crawl(b, &email, axe, found).await;
            }
        }
    });
    futures_util::future::join_all(workers).await;
    for b in browsers {
        b.quit().await;
    }

    let found = found.into_inner().unwrap();
    eprintln!(
        "axe-core checked {} pages for {} accounts ({} more pages were built exactly like one already checked)",
        found.checked,
        accounts.len(),
        found.alike
    );
    assert!(found.checked + found.alike >= 3 * accounts.len(), "each account reached its pages ({} reached)", found.checked + found.alike);
    let report: Vec<String> = found
        .violations
        .iter()
        .map(|(v, pages)| format!("{v}\n    on {} page(s), e.g. {}", pages.len(), pages.iter().take(3).cloned().collect::<Vec<_>>().join("; ")))
        .collect();
    let wide: Vec<String> = found.sideways.values().cloned().collect();
    assert!(
        report.is_empty() && wide.is_empty(),
        "axe-core found {} kinds of violation:\n{}\n\npages that scroll sideways at 320px ({}):\n{}",
        report.len(),
        report.join("\n"),
        wide.len(),
        wide.join("\n")
    );
    rig.finish().await;
}

#[test]
fn pages_of_one_shape_are_checked_once() {
    assert_eq!(shape("/children/12/missing?page=2"), shape("/children/400/missing?page=9"));
    assert_ne!(shape("/children/12"), shape("/children/12/missing"));
    assert_eq!(shape("/datasets/2025-01"), shape("/datasets/2026-11"));
    assert_ne!(shape("/datasets/2025-01"), shape("/datasets/measures"));
    assert_ne!(shape("/reviews?status=open"), shape("/reviews"));
    assert!(is_page("/reviews/3") && !is_page("/reviews/3/report.docx") && !is_page("/api/v1/reviews"));
}
