//! `assure backup` and `assure restore`.
//!
//! A backup is one file, a ZIP archive holding:
//! - `database.sqlite3` (SQLite's `VACUUM INTO`) or `database.pgdump` (`pg_dump`'s
//!   custom format): a consistent copy taken while the server keeps running;
//! - `data/...`: every other file in the data directory (uploaded evidence, the audit
//!   key and anchors, whatever else Assure keeps there), but not the live database
//!   files; the audit anchors are copied before the database, so that every anchor in
//!   the backup is one the copied chain reaches;
//! - `manifest.json`: the format, Assure's version, the engine, when it was taken, and
//!   each file's size and SHA-256.
//!
//! It is written beside `--out` under a temporary name and renamed into place only when
//! complete, so a file at `--out` is always a whole backup. A restore checks every
//! checksum before it writes anything, goes only into an empty data directory (and, on
//! PostgreSQL, an empty database), migrates what it restored forward if Assure is newer,
//! and ends by verifying the audit chain.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use assure_storage::backup::{restore_postgres, BackupError};
use assure_storage::Engine;
use chrono::SecondsFormat;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{commands, database_url, open_store, CmdResult, Failure, Global};

const FORMAT: &str = "assure-backup";
const FORMAT_VERSION: u64 = 1;
const MANIFEST: &str = "manifest.json";
const SQLITE_COPY: &str = "database.sqlite3";
const PG_COPY: &str = "database.pgdump";

fn runtime(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure::Runtime(format!("{what}: {e}"))
}

impl From<BackupError> for Failure {
    fn from(e: BackupError) -> Self {
        match e {
            BackupError::Store(s) => Failure::from(s),
            BackupError::NotEmpty(m) | BackupError::Url(m) => Failure::Usage(m),
            other => Failure::Runtime(other.to_string()),
        }
    }
}

/// Files of the data directory that are not copied as files: the live SQLite database
/// (copied consistently instead) and the first-run lock.
fn is_live_database_file(name: &str) -> bool {
    name == "assure.db" || name == "assure.db-wal" || name == "assure.db-shm" || name == "assure.db-journal" || name.ends_with(".first-run.lock")
}

/// Every file under `dir` to copy, as paths relative to it, sorted.
fn data_files(dir: &Path, skip: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let here = dir.join(&rel);
        let entries = match std::fs::read_dir(&here) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && rel.as_os_str().is_empty() => return Ok(out),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let whole = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
            if skip.iter().any(|s| whole.starts_with(s)) {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(rel.join(&name));
            } else if kind.is_file() && !(rel.as_os_str().is_empty() && is_live_database_file(&name)) {
                out.push(rel.join(&name));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A path as stored in the archive: forward slashes, relative, nothing odd.
fn archive_name(prefix: &str, rel: &Path) -> Option<String> {
    let mut parts = vec![prefix.to_string()];
    for c in rel.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?.to_string()),
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// Copy `from` into the archive as `name`, returning its size and SHA-256.
fn add_file(zip: &mut zip::ZipWriter<BufWriter<File>>, name: &str, from: &Path) -> std::io::Result<(u64, String)> {
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zip.start_file(name, opts).map_err(std::io::Error::other)?;
    let mut input = BufReader::new(File::open(from)?);
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        zip.write_all(&buf[..n])?;
        bytes += n as u64;
    }
    Ok((bytes, hex::encode(hash.finalize())))
}

/// A sibling of `path` with `suffix` added to its name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

pub async fn backup(g: &Global, out: &Path) -> CmdResult {
    if out.exists() {
        return Err(Failure::Usage(format!("{} exists already: give a new file name", out.display())));
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return Err(Failure::Usage(format!("the folder {} does not exist", parent.display())));
        }
    }
    let store = open_store(g).await?;
    let engine = store.engine();
    let work = beside(out, &format!(".partial-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| runtime("cannot create a working folder beside the backup", e))?;
    let result = async {
        let copy_name = if engine == Engine::Sqlite { SQLITE_COPY } else { PG_COPY };
        let copy = work.join(copy_name);
        let started = store.clock().now();
        let whole = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        // The audit anchors are copied before the database: every anchor in the backup
        // then names a head the copied chain reaches (one written after the copy would name
        // a longer chain, and the restored log would read as cut short).
        let live_anchors = whole(&assure_storage::audit::anchors_path(&g.data_dir));
        let anchors = match live_anchors.strip_prefix(whole(&g.data_dir)) {
            Ok(rel) if live_anchors.is_file() => {
                let staged = work.join("audit-anchors.staged");
                std::fs::copy(&live_anchors, &staged).map_err(|e| runtime("cannot copy the audit anchors", e))?;
                Some((rel.to_path_buf(), staged))
            }
            _ => None,
        };
        store.snapshot_to(&copy).await?;
        let data_dir = g.data_dir.clone();
        let skip: Vec<PathBuf> = [out, work.as_path(), live_anchors.as_path()].iter().map(|p| whole(p)).collect();
        let zip_path = work.join("backup.zip");
        let (zip_path, summary) = tokio::task::spawn_blocking(move || -> Result<(PathBuf, (usize, u64)), Failure> {
            let mut files: Vec<(PathBuf, PathBuf)> = data_files(&data_dir, &skip)
                .map_err(|e| runtime("cannot read the data directory", e))?
                .into_iter()
                .map(|rel| (data_dir.join(&rel), rel))
                .collect();
            files.extend(anchors.map(|(rel, staged)| (staged, rel)));
            let mut zip = zip::ZipWriter::new(BufWriter::new(File::create(&zip_path).map_err(|e| runtime("cannot write the backup", e))?));
            let mut listed = Vec::new();
            let (bytes, sha) = add_file(&mut zip, copy_name, &copy).map_err(|e| runtime("cannot write the backup", e))?;
            listed.push(json!({ "path": copy_name, "bytes": bytes, "sha256": sha }));
            let mut total = bytes;
            for (from, rel) in &files {
                let Some(name) = archive_name("data", rel) else { continue };
                match add_file(&mut zip, &name, from) {
                    Ok((bytes, sha)) => {
                        total += bytes;
                        listed.push(json!({ "path": name, "bytes": bytes, "sha256": sha }));
                    }
                    // Removed since it was listed (a failed upload's leftovers): not part of the data.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(runtime(&format!("cannot copy {}", rel.display()), e)),
                }
            }
            let manifest = json!({
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "assure_version": env!("CARGO_PKG_VERSION"),
                "engine": if engine == Engine::Sqlite { "sqlite" } else { "postgres" },
                "taken_at": started.to_rfc3339_opts(SecondsFormat::Secs, true),
                "database": copy_name,
                "files": listed,
            });
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            zip.start_file(MANIFEST, opts).map_err(|e| runtime("cannot write the backup", e))?;
            zip.write_all(serde_json::to_string_pretty(&manifest).unwrap_or_default().as_bytes())
                .map_err(|e| runtime("cannot write the backup", e))?;
            let writer = zip.finish().map_err(|e| runtime("cannot write the backup", e))?;
            let file = writer.into_inner().map_err(|e| runtime("cannot write the backup", e.error()))?;
            file.sync_all().map_err(|e| runtime("cannot write the backup", e))?;
            Ok((zip_path, (files.len(), total)))
        })
        .await
        .map_err(|e| runtime("the backup stopped", e))??;
        std::fs::rename(&zip_path, out).map_err(|e| runtime(&format!("cannot move the backup to {}", out.display()), e))?;
        Ok::<_, Failure>(summary)
    }
    .await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&work);
    let (files, bytes) = result?;
    println!("Backup written to {}: the database and {files} other files ({bytes} bytes before compression)", out.display());
    Ok(())
}

/// What a manifest lists: (path in the archive, size, SHA-256).
struct Listed {
    path: String,
    bytes: u64,
    sha256: String,
}

fn read_manifest(zip: &mut zip::ZipArchive<BufReader<File>>) -> Result<(Value, Vec<Listed>), Failure> {
    let not_a_backup = |why: &str| Failure::Usage(format!("this is not an Assure backup, or it is damaged: {why}"));
    let mut text = String::new();
    zip.by_name(MANIFEST)
        .map_err(|_| not_a_backup("it has no manifest.json"))?
        .read_to_string(&mut text)
        .map_err(|_| not_a_backup("its manifest cannot be read"))?;
    let m: Value = serde_json::from_str(&text).map_err(|_| not_a_backup("its manifest is not JSON"))?;
    if m["format"] != FORMAT {
        return Err(not_a_backup("its manifest is of another format"));
    }
    if m["format_version"].as_u64() != Some(FORMAT_VERSION) {
        return Err(Failure::Usage(format!("this backup's format version is {}: this Assure reads version {FORMAT_VERSION}", m["format_version"])));
    }
    let mut listed = Vec::new();
    for f in m["files"].as_array().ok_or_else(|| not_a_backup("its manifest lists no files"))? {
        let (Some(path), Some(bytes), Some(sha256)) = (f["path"].as_str(), f["bytes"].as_u64(), f["sha256"].as_str()) else {
            return Err(not_a_backup("a file in its manifest has no path, size or checksum"));
        };
        listed.push(Listed { path: path.to_string(), bytes, sha256: sha256.to_string() });
    }
    Ok((m, listed))
}

/// Where an archive's `data/...` entry goes under the data directory: only plain
/// relative paths (no `..`, no absolute path).
fn data_target(data_dir: &Path, name: &str) -> Option<PathBuf> {
    let rel = Path::new(name.strip_prefix("data/")?);
    rel.components().all(|c| matches!(c, Component::Normal(_))).then(|| data_dir.join(rel))
}

/// Copy an archive entry to `to` (a new file), checking its size and SHA-256.
fn extract(zip: &mut zip::ZipArchive<BufReader<File>>, f: &Listed, to: Option<&Path>) -> Result<(), Failure> {
    let damaged = || Failure::Usage(format!("the backup is damaged: {} does not match its checksum", f.path));
    let mut entry = zip.by_name(&f.path).map_err(|_| Failure::Usage(format!("the backup is damaged: {} is missing from it", f.path)))?;
    let mut sink: Box<dyn Write> = match to {
        Some(p) => {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| runtime(&format!("cannot create {}", parent.display()), e))?;
            }
            Box::new(BufWriter::new(File::create_new(p).map_err(|e| runtime(&format!("cannot write {}", p.display()), e))?))
        }
        None => Box::new(std::io::sink()),
    };
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = entry.read(&mut buf).map_err(|_| damaged())?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        sink.write_all(&buf[..n]).map_err(|e| runtime("cannot write what is restored", e))?;
        bytes += n as u64;
    }
    sink.flush().map_err(|e| runtime("cannot write what is restored", e))?;
    if bytes != f.bytes || hex::encode(hash.finalize()) != f.sha256 {
        return Err(damaged());
    }
    Ok(())
}

pub async fn restore(g: &Global, file: &Path) -> CmdResult {
    let url = database_url(&g.data_dir);
    let target = if url.starts_with("postgres:") || url.starts_with("postgresql:") { "postgres" } else { "sqlite" };
    let data_dir = g.data_dir.clone();
    let archive = file.to_path_buf();
    // Check everything before writing anything.
    let (m, listed) = tokio::task::spawn_blocking({
        let archive = archive.clone();
        move || -> Result<_, Failure> {
            let f = File::open(&archive).map_err(|e| Failure::Usage(format!("cannot open {}: {e}", archive.display())))?;
            let mut zip = zip::ZipArchive::new(BufReader::new(f))
                .map_err(|_| Failure::Usage("this is not an Assure backup, or it is damaged: it is not a ZIP archive".into()))?;
            let (m, listed) = read_manifest(&mut zip)?;
            for f in &listed {
                extract(&mut zip, f, None)?;
            }
            Ok((m, listed))
        }
    })
    .await
    .map_err(|e| runtime("reading the backup stopped", e))??;
    let engine = m["engine"].as_str().unwrap_or("");
    if engine != target {
        return Err(Failure::Usage(format!(
            "this backup is of a {engine} database, and the database to restore into is {target}: restore it into the same kind of database"
        )));
    }
    let copy_name = m["database"].as_str().unwrap_or("").to_string();
    if !listed.iter().any(|f| f.path == copy_name) {
        return Err(Failure::Usage("the backup is damaged: its manifest names no database copy".into()));
    }
    for f in listed.iter().filter(|f| f.path != copy_name) {
        if data_target(&data_dir, &f.path).is_none() {
            return Err(Failure::Usage(format!("the backup is damaged: {} is not a file it may restore", f.path)));
        }
    }
    let occupied = std::fs::read_dir(&data_dir).map(|mut d| d.next().is_some()).unwrap_or(false);
    if occupied {
        return Err(Failure::Usage(format!(
            "the data directory {} is not empty: restore goes only into an empty or new directory",
            data_dir.display()
        )));
    }
    if target == "postgres" && !assure_storage::backup::tables_in(&url).await?.is_empty() {
        return Err(Failure::Usage("the database named by ASSURE_DATABASE_URL is not empty: restore goes only into an empty database".into()));
    }
    std::fs::create_dir_all(&data_dir).map_err(|e| runtime(&format!("cannot create {}", data_dir.display()), e))?;

    // The data files, and the database copy (SQLite: into place; PostgreSQL: to a file for pg_restore).
    let staged = data_dir.join(format!(".restore-{}", std::process::id()));
    let db_file = tokio::task::spawn_blocking({
        let (data_dir, staged, copy_name) = (data_dir.clone(), staged.clone(), copy_name.clone());
        move || -> Result<PathBuf, Failure> {
            let f = File::open(&archive).map_err(|e| Failure::Usage(format!("cannot open {}: {e}", archive.display())))?;
            let mut zip = zip::ZipArchive::new(BufReader::new(f)).map_err(|e| runtime("cannot read the backup", e))?;
            for f in listed.iter().filter(|f| f.path != copy_name) {
                extract(&mut zip, f, data_target(&data_dir, &f.path).as_deref())?;
            }
            let copy = listed.iter().find(|f| f.path == copy_name).ok_or_else(|| Failure::Usage("no database copy".into()))?;
            extract(&mut zip, copy, Some(&staged))?;
            Ok(staged)
        }
    })
    .await
    .map_err(|e| runtime("restoring stopped", e))??;
    if target == "postgres" {
        let r = restore_postgres(&url, &db_file).await;
        let _ = std::fs::remove_file(&db_file);
        r?;
    } else {
        std::fs::rename(&db_file, data_dir.join("assure.db")).map_err(|e| runtime("cannot put the database in place", e))?;
    }
    // Migrate forward (open_store does), then prove the audit chain is whole.
    open_store(g).await?.close().await;
    println!(
        "Restored from {} (taken {} by Assure {}).",
        file.display(),
        m["taken_at"].as_str().unwrap_or("?"),
        m["assure_version"].as_str().unwrap_or("?")
    );
    commands::audit_verify(g, None).await
}
