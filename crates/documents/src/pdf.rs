//! PDF by converting the Word (or Excel) document with LibreOffice headless.
//!
//! Each conversion runs `soffice` (or the program named by `ASSURE_SOFFICE`) in
//! a fresh temporary directory with its own LibreOffice profile, so conversions
//! running at the same time never share a profile lock. A conversion that takes
//! longer than the timeout (120 s unless `ASSURE_SOFFICE_TIMEOUT` gives seconds)
//! is killed. Several files can be converted in one LibreOffice start with
//! [`convert_many`], which saves the 2–5 s start-up per file.
//!
//! LibreOffice takes a few hundred megabytes and most of a core while it runs, so at
//! most [`DEFAULT_CONCURRENCY`] conversions run at once in this process (or the number
//! in `ASSURE_SOFFICE_MAX`). A conversion that finds every slot taken waits for one
//! for up to [`QUEUE_WAIT`] (or `ASSURE_SOFFICE_QUEUE_WAIT` seconds) and is then
//! refused as [`DocumentError::Busy`], so a queue of PDF requests can never pile up
//! behind a converter that hangs; Word, Excel, CSV and HTML never wait for it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::DocumentError;

/// How long a conversion may take unless `ASSURE_SOFFICE_TIMEOUT` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// How many conversions may run at once unless `ASSURE_SOFFICE_MAX` says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 2;

/// How long a conversion waits for a free slot unless `ASSURE_SOFFICE_QUEUE_WAIT` says
/// otherwise.
pub const QUEUE_WAIT: Duration = Duration::from_secs(20);

/// Convert a Word document (DOCX) to PDF.
pub fn from_docx(docx: &[u8]) -> Result<Vec<u8>, DocumentError> {
    to_pdf(docx, "docx")
}

/// Convert one document of the given type ("docx", "xlsx", "odt", ...) to PDF.
pub fn to_pdf(input: &[u8], extension: &str) -> Result<Vec<u8>, DocumentError> {
    let mut out = convert_many(&[(input, extension)])?;
    out.pop().ok_or_else(|| DocumentError::Convert("LibreOffice produced no PDF".into()))
}

/// Whether a LibreOffice converter can be found on this machine.
pub fn available() -> bool {
    find_soffice().is_ok()
}

/// Convert several documents, each given as (bytes, extension), to PDF in one
/// LibreOffice run. The PDFs come back in the order of the inputs.
pub fn convert_many(inputs: &[(&[u8], &str)]) -> Result<Vec<Vec<u8>>, DocumentError> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let program = find_soffice()?;
    let _slot = Slot::take(concurrency(), seconds_from_env("ASSURE_SOFFICE_QUEUE_WAIT").unwrap_or(QUEUE_WAIT))?;
    let dir = WorkDir::create()?;
    let mut files = Vec::new();
    for (i, (bytes, ext)) in inputs.iter().enumerate() {
        let ext = safe_extension(ext)?;
        let path = dir.path.join(format!("document-{i}.{ext}"));
        fs::write(&path, bytes).map_err(|e| convert_error("could not write the document to convert", e))?;
        files.push(path);
    }
    run_soffice(&program, &dir.path, &files, timeout())?;
    files
        .iter()
        .map(|f| {
            fs::read(f.with_extension("pdf")).map_err(|_| {
                DocumentError::Convert(format!(
                    "LibreOffice did not produce a PDF for {}; {}",
                    f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    tail(&dir.path.join("soffice.log"))
                ))
            })
        })
        .collect()
}

fn convert_error(what: &str, e: std::io::Error) -> DocumentError {
    DocumentError::Convert(format!("{what}: {e}"))
}

/// Only plain extensions become file names (the input is never a path).
fn safe_extension(ext: &str) -> Result<&str, DocumentError> {
    if !ext.is_empty() && ext.len() <= 8 && ext.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(ext)
    } else {
        Err(DocumentError::Convert(format!("cannot convert a document of type {ext:?}")))
    }
}

fn timeout() -> Duration {
    seconds_from_env("ASSURE_SOFFICE_TIMEOUT").unwrap_or(DEFAULT_TIMEOUT)
}

fn seconds_from_env(name: &str) -> Option<Duration> {
    std::env::var(name).ok().and_then(|s| s.trim().parse::<u64>().ok()).filter(|s| *s > 0).map(Duration::from_secs)
}

fn concurrency() -> usize {
    std::env::var("ASSURE_SOFFICE_MAX").ok().and_then(|s| s.trim().parse::<usize>().ok()).filter(|n| *n > 0).unwrap_or(DEFAULT_CONCURRENCY)
}

/// Conversions running now in this process.
static RUNNING: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// One of the converter's slots, given back when dropped (also when a conversion fails
/// or panics).
struct Slot;

impl Slot {
    fn take(limit: usize, wait: Duration) -> Result<Slot, DocumentError> {
        let deadline = Instant::now() + wait;
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        while *running >= limit {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(DocumentError::Busy(limit));
            }
            running = FREED.wait_timeout(running, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        *running += 1;
        Ok(Slot)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        *running = running.saturating_sub(1);
        FREED.notify_one();
    }
}

/// The LibreOffice program: `ASSURE_SOFFICE`, else `soffice` or `libreoffice` on
/// the PATH, else the usual install locations.
fn find_soffice() -> Result<PathBuf, DocumentError> {
    if let Some(p) = std::env::var_os("ASSURE_SOFFICE").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(DocumentError::NoConverter(format!("ASSURE_SOFFICE names {}, which does not exist", p.display())))
        };
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .flat_map(|d| [d.join("soffice"), d.join("libreoffice")]);
    let usual = ["/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice"]
        .into_iter()
        .map(PathBuf::from);
    on_path.chain(usual).find(|p| p.is_file()).ok_or_else(|| DocumentError::NoConverter("soffice was not found".into()))
}

fn run_soffice(program: &Path, dir: &Path, files: &[PathBuf], limit: Duration) -> Result<(), DocumentError> {
    let log = fs::File::create(dir.join("soffice.log")).map_err(|e| convert_error("could not create a log file", e))?;
    let log2 = log.try_clone().map_err(|e| convert_error("could not create a log file", e))?;
    let profile = format!("-env:UserInstallation={}", file_url(&dir.join("profile")));
    let mut cmd = Command::new(program);
    cmd.arg(profile)
        .args(["--headless", "--invisible", "--nologo", "--nodefault", "--norestore", "--nolockcheck"])
        .args(["--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .args(files)
        .current_dir(dir)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
            DocumentError::NoConverter(format!("{} could not be started: {e}", program.display()))
        }
        _ => convert_error("LibreOffice could not be started", e),
    })?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(DocumentError::Convert(format!("LibreOffice stopped with {status}; {}", tail(&dir.join("soffice.log"))))),
            Ok(None) if started.elapsed() > limit => {
                kill(&mut child);
                return Err(DocumentError::TimedOut(limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                kill(&mut child);
                return Err(convert_error("could not wait for LibreOffice", e));
            }
        }
    }
}

/// Kill LibreOffice and what it started (its process group), then reap it.
fn kill(child: &mut Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The last lines of LibreOffice's output, for error messages.
fn tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(3);
    let t = lines[start..].join(" / ");
    if t.is_empty() {
        "LibreOffice gave no message".into()
    } else {
        t.chars().take(400).collect()
    }
}

/// A `file://` URL for a local path, percent-encoding what URLs do not allow.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    let s = path.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        url.push('/');
    }
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// A fresh directory under the system temporary directory, removed on drop.
struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    fn create() -> Result<WorkDir, DocumentError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let mut last = None;
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("assure-pdf-{}-{nanos:x}-{n}", std::process::id()));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(WorkDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(convert_error("could not create a temporary directory", e)),
            }
        }
        Err(convert_error("could not create a temporary directory", last.unwrap_or_else(|| std::io::Error::other("name clash"))))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_encoded() {
        assert_eq!(file_url(Path::new("/tmp/a b/profile")), "file:///tmp/a%20b/profile");
    }

    #[test]
    fn extensions_must_be_plain() {
        assert!(safe_extension("docx").is_ok());
        assert!(safe_extension("../x").is_err());
        assert!(safe_extension("").is_err());
    }
}
