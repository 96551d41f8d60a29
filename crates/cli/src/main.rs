//! The `assure` command: serve the application, apply migrations, manage accounts
//! and API tokens, verify the audit log, produce monitoring reports, and import and
//! export the register.
//!
//! Exit codes: 0 done; 1 the audit log failed verification, or an import was
//! refused because of problems in the file (each one listed); 2 bad usage or input
//! that was refused; 3 anything else went wrong (database unreachable, disk, ...).

#![forbid(unsafe_code)]

mod backup;
mod commands;
mod documents;
mod mail;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use assure_storage::{Store, StoreError};
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "assure", version, about = "Assure: the recommendation tracker", propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand accepts.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Where the SQLite database and uploaded evidence are kept. The environment
    /// variable ASSURE_DATABASE_URL (postgres://... or sqlite://...), when set,
    /// names the database instead.
    #[arg(long, global = true, value_name = "DIR", default_value = "./assure-data")]
    pub data_dir: PathBuf,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web application and the JSON API
    Serve {
        /// Address to listen on
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load the demo data into an empty database and print the demo accounts
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations
    Migrate,
    /// Manage accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API bearer tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check the audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Produce monitoring reports for committee meetings
    #[command(subcommand)]
    Report(ReportCommand),
    /// The monthly CSE dataset: close a month, export one
    #[command(subcommand)]
    Dataset(DatasetCommand),
    /// Import a tracker (XLSX or CSV) into a review: all rows or none
    Import(ImportArgs),
    /// Import committees, meetings, agendas, attendance, minutes and decisions from
    /// ModernGov's web-service XML (GetCommittees, GetMeetings and GetMeeting answers):
    /// all of them or none; a meeting imported before is left as it is
    ImportModerngov(ModernGovArgs),
    /// Export the register (or one review's part of it) as XLSX or CSV
    Export(ExportArgs),
    /// Subject access: write everything held about one child to a ZIP file (a Word summary
    /// and JSON per kind of record; police-only material marked for redaction review)
    SubjectAccess {
        /// The child's record number
        #[arg(long, value_name = "ID")]
        child: i64,
        /// The ZIP file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The retention policy: list the children's records due for destruction
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Write a backup of the database and the data directory's files to one file, while
    /// the server keeps running
    Backup {
        /// The backup file to write (it must not exist yet)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// E-mail: send a test message, see the outbox, run the chase job now
    #[command(subcommand)]
    Mail(MailCommand),
    /// Restore a backup into an empty data directory (and, on PostgreSQL, an empty
    /// database), then verify the audit log
    Restore {
        /// The backup file `assure backup` wrote
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// Write the monitoring report for a meeting: the issued report when there is
    /// one, otherwise a draft (reused, or created and left for editing on the web)
    Generate(GenerateArgs),
}

/// `assure report generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The committee (or other body) the report is for: its name or id. Give this,
    /// --review, or both
    #[arg(long, value_name = "NAME|ID")]
    pub committee: Option<String>,
    /// The review reported on: its id or exact title
    #[arg(long, value_name = "ID|TITLE")]
    pub review: Option<String>,
    /// The date of the meeting, for example 2018-01-16 (not for --quarterly)
    #[arg(long, value_name = "YYYY-MM-DD", required_unless_present = "quarterly")]
    pub meeting: Option<String>,
    /// A quarterly report instead: macse (to the partnership board) or cabinet, made
    /// from the closed months of --quarter (started as a draft when there is none)
    #[arg(long, value_enum, requires = "quarter", conflicts_with_all = ["committee", "review", "meeting", "layout"])]
    pub quarterly: Option<QuarterlyArg>,
    /// The quarter of a quarterly report, for example 2026-Q3
    #[arg(long, value_name = "YYYY-Qn", requires = "quarterly")]
    pub quarter: Option<String>,
    /// docx, pdf, xlsx, csv or html (default: from the --out file's extension)
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Where to write the report
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The table's layout for a new draft [default: progress-made]; given for an
    /// existing draft, it changes the draft's layout
    #[arg(long, value_enum)]
    pub layout: Option<LayoutArg>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarterlyArg {
    /// The MACSE quarterly report to the partnership board (figures in full)
    Macse,
    /// The quarterly report to Cabinet (small numbers suppressed)
    Cabinet,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Docx,
    Pdf,
    Xlsx,
    Csv,
    Html,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutArg {
    /// Recommendation and progress made
    ProgressMade,
    /// Lead officer, action, date, outcome and RAG
    RagTracker,
}

/// `assure import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The tracker to import: an Excel workbook (.xlsx) or a CSV file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The column mapping to read it with, such as "Assure register" (its heading row
    /// is found in this file). Give this or --guess
    #[arg(long, value_name = "NAME", conflicts_with = "guess")]
    pub preset: Option<String>,
    /// Guess which column holds what from the file's headings, as the web's mapping
    /// page does (with --dry-run: print the guessed mapping and what would be imported)
    #[arg(long)]
    pub guess: bool,
    /// The review the recommendations belong to: its id or exact title (required)
    #[arg(long, value_name = "ID|TITLE")]
    pub review: Option<String>,
    /// Check the file and show what would be imported, changing nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Where the file gives no RAG, let Assure suggest one (always shown marked
    /// "Suggested", never as the council's rating); without it such rows are "Not rated"
    #[arg(long)]
    pub suggest_rag: bool,
    /// Rows whose reference a recommendation elsewhere in the register already holds
    /// update that recommendation in place, matched by reference (a blank cell changes
    /// nothing; with --dry-run every change is printed, field by field)
    #[arg(long, conflicts_with = "fresh_references")]
    pub update_existing: bool,
    /// Rows whose reference is already held elsewhere in the register are imported as
    /// new recommendations with fresh references
    #[arg(long)]
    pub fresh_references: bool,
}

/// `assure import-moderngov`.
#[derive(Args, Debug)]
pub struct ModernGovArgs {
    /// The XML files ModernGov's web service returned, in any order: the committees
    /// (GetCommittees), their meetings (GetMeetings) and each meeting's detail
    /// (GetMeeting)
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Check the files and show what would be imported, changing nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `assure export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// xlsx or csv (default: from the --out file's extension)
    #[arg(long, value_enum)]
    pub format: Option<RegisterFormat>,
    /// Where to write the register
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only this review's recommendations: its id or exact title
    #[arg(long, value_name = "ID|TITLE")]
    pub review: Option<String>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterFormat {
    Xlsx,
    Csv,
}

#[derive(Subcommand, Debug)]
pub enum DatasetCommand {
    /// Close a month that has ended: every figure frozen with its definition's version
    /// and a fingerprint (refused for the month in progress or one already closed)
    Close {
        /// The month, as YYYY-MM
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
    },
    /// Export a month's dataset (closed figures for a closed month, live ones otherwise)
    Export {
        /// The month, as YYYY-MM
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
        #[arg(long, value_enum)]
        format: RegisterFormat,
        /// Small numbers suppressed, as published for members and the public
        #[arg(long)]
        suppressed: bool,
        /// Where to write it (default: cse-dataset-YYYY-MM.xlsx or .csv here)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account. A one-time password is printed unless --password-stdin is given.
    Add {
        /// The person's full name
        #[arg(long)]
        name: String,
        /// The address they sign in with
        #[arg(long)]
        email: String,
        /// administrator, scrutiny-officer, lead-officer or committee-member
        #[arg(long)]
        role: String,
        /// Their job title, as shown beside their name
        #[arg(long, value_name = "T", default_value = "", hide_default_value = true)]
        job_title: String,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts
    List,
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create an API bearer token for an account; it is shown once and stored hashed
    Create {
        /// The account's email address
        #[arg(long, value_name = "EMAIL")]
        user: String,
        /// What the token is for
        #[arg(long, default_value = "API token")]
        name: String,
    },
    /// Revoke an API token
    Revoke {
        #[arg(long, value_name = "N")]
        id: i64,
    },
}

#[derive(Subcommand, Debug)]
enum RetentionCommand {
    /// List the children's records due for destruction today (those under a legal hold
    /// marked); the information governance officer confirms each on /retention
    Due,
}

#[derive(Subcommand, Debug)]
enum MailCommand {
    /// Send one test message through the outbox now (needs ASSURE_SMTP_URL and
    /// ASSURE_MAIL_FROM); exit 0 once the SMTP server has accepted it
    Test {
        /// The address to send it to
        #[arg(long, value_name = "ADDRESS")]
        to: String,
    },
    /// List the messages waiting to be sent and those that failed
    Outbox,
    /// Queue every chase that is due now (the server does this every hour and sends
    /// what is queued)
    Chase,
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Walk the keyed hash chain and check it reaches every anchor written outside the
    /// database; exit 0 when intact, 1 naming the first bad entry or anchor otherwise
    Verify {
        /// The anchors file (default: ASSURE_AUDIT_ANCHORS, or audit-anchors in the
        /// data directory, when it exists)
        #[arg(long, value_name = "FILE")]
        anchors: Option<PathBuf>,
    },
    /// Write the chain's head to the anchors file now (the server does so every few
    /// minutes and when it stops; other commands after they run)
    Anchor,
    /// Start a new audit key; the old ones stay in the keyring to verify the entries
    /// they made, and the rotation is recorded in the chain
    RotateKey,
}

/// Why a command failed, and so which exit code it ends with.
#[derive(Debug)]
pub enum Failure {
    /// The audit log did not verify (exit 1).
    Verification(String),
    /// An import was refused because of problems in the file (exit 1): one problem
    /// per line, printed as it is.
    Refused(String),
    /// Bad usage or refused input (exit 2). One message per line; a line that
    /// starts with a space continues the message above it (a list of choices).
    Usage(String),
    /// Anything else (exit 3).
    Runtime(String),
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Failure::Verification(_) | Failure::Refused(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Runtime(_) => 3,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(i) => Failure::Usage(i.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("\n")),
            StoreError::NotFound | StoreError::NoSuchChild => Failure::Usage("not found".into()),
            StoreError::Restricted | StoreError::Forbidden => Failure::Usage(e.to_string()),
            StoreError::Conflict => Failure::Runtime(e.to_string()),
            StoreError::Db(_) | StoreError::Migrate(_) | StoreError::Corrupt(_) | StoreError::Shared(_) => Failure::Runtime(e.to_string()),
        }
    }
}

pub type CmdResult = Result<(), Failure>;

/// The database URL: `ASSURE_DATABASE_URL` when set and not empty, otherwise
/// SQLite in the data directory.
pub fn database_url(data_dir: &Path) -> String {
    match std::env::var("ASSURE_DATABASE_URL") {
        Ok(u) if !u.trim().is_empty() => u.trim().to_string(),
        _ => assure_storage::sqlite_url(data_dir),
    }
}

/// Create the data directory and open (and migrate) the database.
pub async fn open_store(g: &Global) -> Result<Store, Failure> {
    std::fs::create_dir_all(&g.data_dir).map_err(|e| Failure::Runtime(format!("cannot create the data directory {}: {e}", g.data_dir.display())))?;
    let url = database_url(&g.data_dir);
    let keys = assure_storage::audit::load_or_create_audit_keys(&g.data_dir).map_err(Failure::Runtime)?;
    let store = Store::open_with(&url, acquire_timeout()?).await.map_err(|e| match e {
        StoreError::Invalid(_) => Failure::from(e),
        // The URL may hold a password: never echo it.
        other => Failure::Runtime(format!("cannot open the database: {other}")),
    })?;
    store.set_audit_keys(keys);
    Ok(store)
}

/// How long a request waits for a database connection before it is answered 503 (the
/// database is away): `ASSURE_DB_ACQUIRE_TIMEOUT_SECS`, 5 seconds unless set.
fn acquire_timeout() -> Result<std::time::Duration, Failure> {
    const NAME: &str = "ASSURE_DB_ACQUIRE_TIMEOUT_SECS";
    match std::env::var(NAME).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        None => Ok(std::time::Duration::from_secs(5)),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (1..=3600).contains(&n) => Ok(std::time::Duration::from_secs(n)),
            _ => Err(Failure::Usage(format!("{NAME} must be a whole number of seconds from 1 to 3600 (it is {v:?})"))),
        },
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Logs go to stderr so that what the commands print (one-time passwords,
    // tokens) stays alone on stdout.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).try_init();
}

async fn run(cli: Cli) -> CmdResult {
    let g = &cli.global;
    let result = match cli.command {
        Command::Serve { listen, demo } => return serve::serve(g, &listen, demo).await,
        Command::Migrate => {
            let store = open_store(g).await?;
            store.close().await;
            println!("Migrations applied");
            Ok(())
        }
        Command::User(UserCommand::Add { name, email, role, job_title, password_stdin }) => {
            commands::user_add(g, &name, &email, &role, &job_title, password_stdin).await
        }
        Command::User(UserCommand::List) => commands::user_list(g).await,
        Command::Token(TokenCommand::Create { user, name }) => commands::token_create(g, &user, &name).await,
        Command::Token(TokenCommand::Revoke { id }) => commands::token_revoke(g, id).await,
        Command::Audit(AuditCommand::Verify { anchors }) => return commands::audit_verify(g, anchors.as_deref()).await,
        Command::Audit(AuditCommand::Anchor) => commands::audit_anchor(g).await,
        Command::Audit(AuditCommand::RotateKey) => commands::audit_rotate_key(g).await,
        Command::Report(ReportCommand::Generate(args)) => documents::report_generate(g, &args).await,
        Command::Dataset(DatasetCommand::Close { month }) => documents::dataset_close(g, &month).await,
        Command::Dataset(DatasetCommand::Export { month, format, suppressed, out }) => {
            documents::dataset_export(g, &month, format, suppressed, out).await
        }
        Command::Import(args) => documents::import(g, &args).await,
        Command::ImportModerngov(args) => documents::import_moderngov(g, &args).await,
        Command::Export(args) => documents::export(g, &args).await,
        Command::Backup { out } => backup::backup(g, &out).await,
        Command::SubjectAccess { child, out } => documents::subject_access(g, child, &out).await,
        Command::Retention(RetentionCommand::Due) => documents::retention_due(g).await,
        Command::Restore { file } => backup::restore(g, &file).await,
        Command::Mail(MailCommand::Test { to }) => mail::test(g, &to).await,
        Command::Mail(MailCommand::Outbox) => return mail::outbox(g).await,
        Command::Mail(MailCommand::Chase) => mail::chase(g).await,
    };
    // What a command appended to the audit log is anchored outside the database. The
    // command itself is done: a failure here is a warning, not the command's failure.
    if result.is_ok() {
        let path = assure_storage::audit::anchors_path(&g.data_dir);
        let store = open_store(g).await?;
        if let Err(e) = store.audit().anchor(&path).await {
            eprintln!("warning: the audit log's head could not be anchored in {}: {e}", path.display());
        }
        store.close().await;
    }
    result
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(3);
        }
    };
    let result = runtime.block_on(run(cli));
    // Do not wait for stray blocking tasks (e.g. a stdin read) on the way out.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            match &f {
                // The result of a verification, not a failure to run it: on stdout.
                Failure::Verification(m) => println!("{m}"),
                Failure::Refused(m) => eprintln!("{m}"),
                Failure::Usage(m) | Failure::Runtime(m) => {
                    for line in m.lines() {
                        if line.starts_with(' ') {
                            eprintln!("{line}");
                        } else {
                            eprintln!("error: {line}");
                        }
                    }
                }
            }
            ExitCode::from(f.code())
        }
    }
}
