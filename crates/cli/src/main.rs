//! `pendamping`: Pendamping without the window, for engineers, PLKB operators and scripts.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use pendamping_cli::recap_out::{Format, Output};
use pendamping_cli::{anthro, csvio, demo, keys, list_out, net, recap_out};
use pendamping_core::area;
use pendamping_core::catalogue::{Labelled, Lang};
use pendamping_core::hlc::{ManualTime, TimeSource};
use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_core::schedule::DueStatus;
use pendamping_store::{Options, Store, SystemTime};

#[derive(Parser)]
#[command(
    name = "pendamping",
    version,
    about = "Pendamping: pendampingan keluarga untuk pencegahan stunting"
)]
struct Cli {
    /// Rules file (thresholds, ranges, cadence); defaults to the shipped schema/data/rules.toml.
    #[arg(long, global = true, env = "PENDAMPING_RULES")]
    rules: Option<PathBuf>,
    /// Use this date as "today" (YYYY-MM-DD), for reproducible demos and tests.
    #[arg(long, global = true, env = "PENDAMPING_TODAY")]
    today: Option<NaiveDate>,
    /// Keep the stores this command makes or opens unencrypted: names, NIKs, tokens and keys
    /// readable by anyone who copies the file. Without it a store needs its key in the file
    /// PENDAMPING_DB_KEY_FILE names (`pendamping key new`).
    /// (The variable takes 1/0, yes/no, on/off or true/false.)
    #[arg(long, global = true, env = "PENDAMPING_PLAIN_STORE", value_parser = clap::builder::BoolishValueParser::new())]
    plain_store: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Batch z-scores (WHO Anthro survey convention): adds clenhei, cbmi, z* and f* columns.
    Anthro {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        output: PathBuf,
    },
    /// Imports households.csv, persons.csv, enrolments.csv, visits.csv from DIR: all or nothing.
    Import {
        #[arg(long, env = "PENDAMPING_STORE")]
        store: PathBuf,
        dir: PathBuf,
    },
    /// Exports the four CSV files of an area (default: everything) into a folder.
    Export {
        #[arg(long, env = "PENDAMPING_STORE")]
        store: PathBuf,
        #[arg(long)]
        output: PathBuf,
        #[arg(long, default_value = "")]
        area: String,
    },
    /// The monthly TPK recap of an area (village, kecamatan, kabupaten…).
    Recap {
        #[arg(long, env = "PENDAMPING_STORE")]
        store: PathBuf,
        #[command(flatten)]
        what: RecapArgs,
    },
    /// A list with names over a store (a PLKB laptop's, a hub's): children below −2 SD,
    /// pregnant women with KEK or anaemia, KRS families, catin not yet screened, targets
    /// overdue per TPK.
    List {
        #[arg(long, env = "PENDAMPING_STORE")]
        store: PathBuf,
        #[command(flatten)]
        what: ListArgs,
    },
    /// Who is overdue or due this week in an area.
    Due {
        #[arg(long, env = "PENDAMPING_STORE")]
        store: PathBuf,
        #[arg(long)]
        area: String,
    },
    /// Finds people by name (prefix of each word) or NIK in an area.
    Search {
        #[arg(long, env = "PENDAMPING_STORE")]
        store: PathBuf,
        #[arg(long, default_value = "")]
        area: String,
        query: String,
    },
    /// Realistic synthetic households for demos and benchmarks.
    DemoData {
        #[arg(long, env = "PENDAMPING_STORE")]
        store: PathBuf,
        #[arg(long)]
        households: usize,
        /// Village code (repeatable); default 36.02.01.2002 (Cilangkahan, Lebak).
        #[arg(long = "village")]
        villages: Vec<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Months of visit history.
        #[arg(long, default_value_t = 24)]
        months: u32,
    },
    /// Runs the central sync server, or administers it (enroll, revoke, devices).
    #[command(args_conflicts_with_subcommands = true)]
    Server {
        #[command(subcommand)]
        admin: Option<ServerAdmin>,
        /// TOML settings file (docs/src/operator/configuration.md); PENDAMPING_* variables and these flags override it.
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        db: Option<PathBuf>,
        /// Address to listen on, e.g. 127.0.0.1:8787.
        #[arg(long)]
        listen: Option<String>,
        /// Plain HTTP on a non-loopback address with no tls_cert (a warning in the log).
        #[arg(long)]
        allow_plain_http: bool,
    },
    /// Runs a PLKB hub: the sync server for the kecamatan's devices on the office LAN, which
    /// relays to the centre whenever it can (docs/src/operator/hub.md).
    #[command(args_conflicts_with_subcommands = true)]
    Hub {
        #[command(subcommand)]
        admin: Option<HubAdmin>,
        #[arg(long)]
        config: Option<PathBuf>,
        /// The hub's own store, e.g. plkb.db.
        #[arg(long)]
        store: Option<PathBuf>,
        /// Address to listen on, e.g. 0.0.0.0:8787 for the office LAN.
        #[arg(long)]
        listen: Option<String>,
        /// Plain HTTP on the office LAN (no tls_cert): the tablets' traffic is readable on it.
        #[arg(long)]
        allow_plain_http: bool,
        /// TLS under the hub's own authority, made beside the store the first time (no
        /// tls_cert needed); the tablets compare its fingerprint, printed at start.
        #[arg(long, conflicts_with = "allow_plain_http")]
        own_certificate: bool,
        /// The centre's address, e.g. https://pendamping.lebakkab.go.id.
        #[arg(long)]
        upstream: Option<String>,
        /// An enrollment code made at the centre for this PLKB (first start only).
        #[arg(long)]
        code: Option<String>,
        /// How the hub appears in the centre's device list.
        #[arg(long, default_value = "hub PLKB")]
        name: String,
    },
    /// Store keys: `key new FILE` writes a new random key (64 hex digits, mode 0600) for
    /// PENDAMPING_DB_KEY_FILE. Keep it off the disk of the store it opens.
    Key {
        #[command(subcommand)]
        what: KeyAdmin,
    },
    /// Enrols this device store with a server, using a code from the server's admin.
    Enroll {
        #[arg(long, env = "PENDAMPING_STORE")]
        store: PathBuf,
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        /// How the device appears in the server's device list.
        #[arg(long, default_value = "pendamping-cli")]
        name: String,
    },
    /// Pushes this store's changes and pulls its area's changes.
    Sync {
        #[arg(long, env = "PENDAMPING_STORE")]
        store: PathBuf,
    },
    /// Lists the Kemendagri areas under CODE (provinces without one), or finds them by name.
    Areas {
        code: Option<String>,
        #[arg(long)]
        search: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeyAdmin {
    /// Writes a new random store key to FILE (never over an existing file).
    New { file: PathBuf },
}

#[derive(Subcommand)]
enum HubAdmin {
    /// How far the hub's store has gone upstream, and its devices.
    Status {
        #[arg(long)]
        store: PathBuf,
    },
}

#[derive(Subcommand)]
enum ServerAdmin {
    /// Prints a single-use, expiring enrollment code for a user.
    Enroll {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        #[arg(long)]
        user: String,
        /// cadre (villages), plkb (a kecamatan) or admin (a regency).
        #[arg(long)]
        role: String,
        /// Area codes, comma-separated, with or without dots.
        #[arg(long, value_delimiter = ',', required = true)]
        scope: Vec<String>,
        #[arg(long, default_value_t = 72)]
        ttl_hours: u64,
    },
    /// Revokes a device: its token stops working at once.
    Revoke {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        #[arg(long)]
        device: String,
    },
    /// A one-time code that recovers a forgotten PIN on one device, valid 24 hours. Issue it
    /// only after checking in person (or by a call back to a known number) that the one
    /// asking is the member; the device's log-in screen shows its id.
    RecoveryCode {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        #[arg(long)]
        device: String,
        /// Who issues it (kept with the code).
        #[arg(long, default_value = "admin")]
        by: String,
    },
    /// Lists enrolled devices.
    Devices {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
    },
    /// Lists the changes the server holds but does not use: those refused at the door
    /// (quarantine, with the device, the code and the field) and rows of the log its
    /// readers could not read back (set aside, with the reason).
    Quarantine {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        /// At most this many of each.
        #[arg(long, default_value_t = 200)]
        limit: usize,
    },
    /// The accounts of the people who read the dashboard.
    User {
        #[command(subcommand)]
        what: UserAdmin,
    },
    /// The audit log: who enrolled, revoked, pushed, merged, exported, logged in.
    Audit {
        #[command(subcommand)]
        what: AuditAdmin,
    },
    /// Persons that may be registered twice (same NIK; or no NIK and the same name, birth
    /// date and mother's NIK), under an area, for review.
    Duplicates {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        #[arg(long, default_value = "")]
        area: String,
    },
    /// Checks a government family list (BNBA, CSV or XLSX) against the families this server
    /// (or hub) holds, before it is imported: what an import would make and match, and
    /// every problem by line. Fails when a line cannot be imported.
    CheckFamilies {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        /// The list as the district received it.
        #[arg(long)]
        file: PathBuf,
        /// The importer's area (kecamatan, kabupaten…), once or more: rows elsewhere are refused.
        #[arg(long, required = true)]
        area: Vec<String>,
        /// Which header holds what (JSON, as this command prints it); the BNBA layout's
        /// usual headers when left out.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Every problem, not the first 50.
        #[arg(long)]
        all: bool,
    },
    /// Merges a person registered twice into the record that stays: the other becomes a
    /// tombstone naming it, and its enrolments, visits and children move to it.
    Merge {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        /// The record that stays.
        #[arg(long)]
        keep: uuid::Uuid,
        /// The record merged into it.
        #[arg(long)]
        merge: uuid::Uuid,
    },
    /// The monthly recap of any area the server (or hub) holds, from its own replica: the
    /// same numbers a device computes for the same data.
    Recap {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        #[command(flatten)]
        what: RecapArgs,
    },
    /// A list with names of any area the server (or hub) holds, from the same replica.
    List {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        #[command(flatten)]
        what: ListArgs,
    },
    /// Moves a district's store from its file to an empty PostgreSQL database, whole:
    /// devices keep syncing where they were, and the audit chain still verifies. Stop the
    /// server first. The file's key, if it has one, from PENDAMPING_DB_KEY_FILE.
    MigrateStore {
        /// The store file, e.g. central.db.
        #[arg(long)]
        from: PathBuf,
        /// postgres://user:password@host/database (empty: refused otherwise).
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum AuditAdmin {
    /// Checks the hash chain end to end; fails (exit 1) at the first entry that was
    /// altered, removed or inserted. Prints the head hash: keep it elsewhere to tell later
    /// whether newer entries were removed.
    Verify {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
    },
    /// The newest entries.
    List {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

fn audit(what: AuditAdmin, out: &mut dyn Write) -> Result<()> {
    match what {
        AuditAdmin::Verify { db } => {
            let v = net::open_db(&db)?.audit_verify()?;
            match v.broken {
                None => writeln!(out, "log audit utuh: {} entri, kepala {}", v.entries, v.head)?,
                Some((seq, why)) => bail!("log audit RUSAK di entri {seq}: {why}"),
            }
        }
        AuditAdmin::List { db, limit } => {
            for e in net::open_db(&db)?.audit_recent(limit)? {
                let at = chrono::DateTime::from_timestamp_millis(e.at_ms)
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{:>6}  {at}  {:<22} {:<24} {}  {}",
                    e.seq,
                    e.action,
                    pendamping_server::audit::printable(&e.actor),
                    pendamping_server::audit::printable(&e.subject),
                    pendamping_server::audit::printable(&e.detail)
                )?;
            }
        }
    }
    Ok(())
}

#[derive(Subcommand)]
enum UserAdmin {
    /// Makes an account. The password is read from PENDAMPING_PASSWORD, or else from the
    /// first line of the standard input; it never goes on the command line.
    Add {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        #[arg(long)]
        name: String,
        /// plkb (a kecamatan), district (a regency, read only) or admin (a regency).
        #[arg(long, value_parser = parse_account_role)]
        role: pendamping_server::accounts::AccountRole,
        /// Area codes, comma-separated, with or without dots.
        #[arg(long, value_delimiter = ',', required = true)]
        scope: Vec<String>,
    },
    /// Lists the accounts (never their passwords).
    List {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
    },
    /// Stops an account logging in.
    Disable {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        #[arg(long)]
        name: String,
    },
    /// Ends an account's lock-out after wrong passwords, from every address, at once (on
    /// every server process of the store).
    Unlock {
        #[arg(long, env = "PENDAMPING_DB")]
        db: PathBuf,
        #[arg(long)]
        name: String,
    },
}

fn user(what: UserAdmin, out: &mut dyn Write) -> Result<()> {
    let now = net::now_ms();
    match what {
        UserAdmin::Add { db, name, role, scope } => {
            let password = match std::env::var("PENDAMPING_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    io::stdin()
                        .read_line(&mut line)
                        .context("membaca kata sandi dari masukan")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let codes: Vec<area::AreaCode> = scope.iter().map(|a| area_arg(a)).collect::<Result<_>>()?;
            let codes: Vec<&str> = codes.iter().map(area::AreaCode::as_str).collect();
            let a = net::create_db(&db)?.add_account(&name, role, &codes, &password, now)?;
            eprintln!(
                "akun {} ({}) dibuat untuk wilayah {}",
                a.name,
                a.role.as_str(),
                a.scope.codes()
            );
        }
        UserAdmin::List { db } => {
            for (name, role, areas, disabled) in net::open_db(&db)?.accounts()? {
                writeln!(
                    out,
                    "{name:<24} {role:<9} {areas}{}",
                    if disabled { "  (nonaktif)" } else { "" }
                )?;
            }
        }
        UserAdmin::Disable { db, name } => {
            net::open_db(&db)?.disable_account(&name, now)?;
            eprintln!("akun {name} dinonaktifkan");
        }
        UserAdmin::Unlock { db, name } => {
            let done = net::open_db(&db)?.unlock_account(&name, now)?;
            let name = name.trim();
            match (done.known, done.locked) {
                (true, true) => eprintln!("kunci masuk akun {name} dibuka"),
                (true, false) => eprintln!("akun {name} tidak sedang terkunci; hitungan sandi salahnya dihapus"),
                (false, _) => eprintln!(
                    "tidak ada akun bernama {name:?}; hitungan sandi salah untuk nama itu {}",
                    if done.locked { "dan kuncinya dihapus" } else { "dihapus" }
                ),
            }
        }
    }
    Ok(())
}

fn parse_account_role(s: &str) -> std::result::Result<pendamping_server::accounts::AccountRole, String> {
    use pendamping_server::accounts::AccountRole;
    AccountRole::parse(s).ok_or_else(|| {
        let names: Vec<&str> = AccountRole::ALL.iter().map(|r| r.as_str()).collect();
        format!("peran {s:?} tidak dikenal; pilih {}", names.join(", "))
    })
}

/// Which list, of which area and month, and how to write it.
#[derive(clap::Args)]
struct ListArgs {
    /// stunted, kek-anaemia, krs, catin-unscreened or overdue
    #[arg(value_parser = parse_list)]
    list: NameList,
    #[command(flatten)]
    what: RecapArgs,
}

impl ListArgs {
    fn write(
        &self,
        (month, today): (Month, NaiveDate),
        area: &str,
        rows: &[pendamping_store::ListRow],
        out: &mut dyn Write,
    ) -> Result<()> {
        list_out::write(self.list, (month, today), area, rows, &self.what.output(), out)
    }
}

fn parse_list(s: &str) -> std::result::Result<NameList, String> {
    NameList::parse(s).ok_or_else(|| {
        let names: Vec<&str> = NameList::ALL.iter().map(|l| l.as_str()).collect();
        format!("daftar {s:?} tidak dikenal; pilih {}", names.join(", "))
    })
}

/// Which recap, and how to write it.
#[derive(clap::Args)]
struct RecapArgs {
    /// YYYY-MM
    #[arg(long)]
    month: String,
    /// A village, kecamatan, kabupaten or province code, with or without dots.
    #[arg(long)]
    area: String,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write to this file instead of the standard output (required for xlsx).
    #[arg(long)]
    output: Option<PathBuf>,
    /// The language of the headers and names: id (Bahasa Indonesia) or en.
    #[arg(long, default_value = "id", value_parser = parse_lang)]
    lang: Lang,
}

fn parse_lang(s: &str) -> std::result::Result<Lang, String> {
    Lang::from_word(s).ok_or_else(|| format!("bahasa {s:?} tidak dikenal; pilih id atau en"))
}

impl RecapArgs {
    /// The month and the area, checked.
    fn parsed(&self) -> Result<(Month, area::AreaCode)> {
        let m = Month::parse(&self.month).with_context(|| format!("bulan {:?} harus YYYY-MM", self.month))?;
        Ok((m, area_arg(&self.area)?))
    }

    fn output(&self) -> Output<'_> {
        Output {
            format: self.format,
            file: self.output.as_deref(),
            lang: self.lang,
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PENDAMPING_LOG")
                .unwrap_or_else(|_| "warn".into())
                // The database client logs every statement's parameters (names, NIKs, the
                // store's secrets) at debug: never shown, whatever PENDAMPING_LOG asks.
                .add_directive("tokio_postgres=info".parse().expect("a valid directive")),
        )
        .with_writer(io::stderr)
        .init();
    let cli = Cli::parse();
    keys::allow_plain(cli.plain_store);
    match run(cli) {
        Ok(code) => code,
        // A reader that stopped early (`| head`) is not an error.
        Err(e)
            if e.downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("galat: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn open_store(path: &Path, cli_rules: &Option<PathBuf>, today: Option<NaiveDate>) -> Result<Store> {
    let rules = match cli_rules {
        Some(p) => pendamping_store::rules_from_toml(
            &std::fs::read_to_string(p).with_context(|| format!("membaca {}", p.display()))?,
        )?,
        None => pendamping_core::Rules::default(),
    };
    let time: Arc<dyn TimeSource> = match today {
        // Noon WIB on that day.
        Some(d) => Arc::new(ManualTime::new(
            d.and_hms_opt(5, 0, 0).expect("valid time").and_utc().timestamp_millis() as u64,
        )),
        None => Arc::new(SystemTime),
    };
    // A connection string is a server's, never a device's file: said so without echoing it
    // (its password), and no file of that name is made.
    if path.to_str().is_some_and(pendamping_server::dburl::is_url) {
        bail!(
            "--store menamai berkas store perangkat, bukan string koneksi basis data / --store names a device's store file, not a database connection string"
        );
    }
    // Looked at before anything is done to it: a server's store, another program's database,
    // a folder or a pipe is refused as it is.
    pendamping_store::ours::check(path, pendamping_store::ours::Kind::Device)?;
    let key = keys::store_key(path)?;
    if let Some(key) = &key {
        // A store an earlier version (or `--plain-store`) left plain is encrypted in place.
        if pendamping_store::encrypt_if_plain(path, key)? {
            eprintln!("store {} dienkripsi", path.display());
        }
    }
    Store::open(
        path,
        Options {
            time,
            rules,
            key,
            ..Options::default()
        },
    )
    .with_context(|| match keys::key_file() {
        None if pendamping_store::is_encrypted(path) => format!(
            "membuka store {}: store ini terenkripsi, beri kuncinya lewat {}",
            path.display(),
            keys::KEY_FILE_VAR
        ),
        _ => format!("membuka store {}", path.display()),
    })
}

fn area_arg(raw: &str) -> Result<area::AreaCode> {
    Ok(area::AreaCode::parse(raw)?)
}

/// An area option that may be left empty for the whole store.
fn optional_area(raw: &str) -> Result<Option<area::AreaCode>> {
    Ok(if raw.trim().is_empty() {
        None
    } else {
        Some(area_arg(raw)?)
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Anthro { input, output } => {
            let r = File::open(&input).with_context(|| format!("membuka {}", input.display()))?;
            let w = pendamping_vault::files::create_private(&output)
                .with_context(|| format!("membuat {}", output.display()))?;
            let summary = anthro::run(BufReader::new(r), BufWriter::new(w))?;
            for bad in &summary.bad {
                eprintln!("{}:{}: {}", input.display(), bad.line, bad.reason);
            }
            eprintln!("{} baris, {} bermasalah", summary.rows, summary.bad.len());
        }
        Command::Import { store, dir } => {
            let mut s = open_store(&store, &cli.rules, cli.today)?;
            match csvio::import(&mut s, &dir) {
                Ok(c) => eprintln!(
                    "diimpor: {} keluarga, {} orang, {} pendampingan, {} kunjungan ({} tidak berubah, {} peringatan)",
                    c.households, c.persons, c.enrolments, c.visits, c.unchanged, c.warnings
                ),
                Err(csvio::CsvIoError::Rejected(problems)) => {
                    for p in &problems {
                        eprintln!("{p}");
                    }
                    bail!("impor dibatalkan: {} masalah, tidak ada yang disimpan", problems.len());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Export { store, output, area } => {
            let s = open_store(&store, &cli.rules, cli.today)?;
            let c = csvio::export(&s, optional_area(&area)?.as_ref(), &output, &mut io::stderr())?;
            eprintln!(
                "diekspor ke {}: {} keluarga, {} orang, {} pendampingan, {} kunjungan",
                output.display(),
                c[0],
                c[1],
                c[2],
                c[3]
            );
        }
        Command::Recap { store, what } => {
            let s = open_store(&store, &cli.rules, cli.today)?;
            let (m, area) = what.parsed()?;
            let r = s.recap(m, &area)?;
            recap_out::write(&r, &area, &what.output(), &mut out)?;
        }
        Command::List { store, what } => {
            let s = open_store(&store, &cli.rules, cli.today)?;
            let (m, area) = what.what.parsed()?;
            let rows = s.name_list(what.list, m, &area, s.today())?;
            what.write((m, s.today()), &area, &rows, &mut out)?;
        }
        Command::Due { store, area } => {
            let s = open_store(&store, &cli.rules, cli.today)?;
            let due = s.due_list(&area_arg(&area)?, s.today())?;
            for d in &due {
                let flags: Vec<_> = d.target.flags.iter().map(|f| f.label(Lang::Id)).collect();
                let status = match d.status {
                    DueStatus::Overdue => format!("terlambat {} hari", d.days_overdue),
                    DueStatus::DueSoon => "minggu ini".into(),
                    DueStatus::Later => "nanti".into(),
                };
                writeln!(
                    out,
                    "{}  {:<18} {:<28} {:<26} {}",
                    d.due,
                    status,
                    d.target.name,
                    d.target.kind.label(Lang::Id),
                    flags.join(", ")
                )?;
            }
            eprintln!("{} sasaran perlu dikunjungi", due.len());
        }
        Command::Search { store, area, query } => {
            let s = open_store(&store, &cli.rules, cli.today)?;
            for p in s.search_persons(&query, optional_area(&area)?.as_ref(), 50)? {
                writeln!(
                    out,
                    "{}  {:<30} {}  {}",
                    p.nik_masked.unwrap_or_else(|| "(belum ada NIK)".into()),
                    p.name,
                    p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
                    area::dotted(&p.area_code)
                )?;
            }
        }
        Command::DemoData {
            store,
            households,
            villages,
            seed,
            months,
        } => {
            let mut s = open_store(&store, &cli.rules, cli.today)?;
            let villages = if villages.is_empty() {
                vec!["3602012002".to_string()]
            } else {
                villages
            };
            let villages = villages
                .iter()
                .map(|v| Ok(area::normalize_village_code(v)?))
                .collect::<Result<Vec<_>>>()?;
            let opts = demo::DemoOptions {
                households,
                villages,
                seed,
                months,
                today: s.today(),
                chunk: 200,
            };
            let started = std::time::Instant::now();
            let mut done = 0;
            let counts = {
                // NIKs already in the store are never reused.
                let existing: std::collections::HashSet<String> = s.all_niks()?.into_iter().collect();
                let taken = move |nik: &str| existing.contains(nik);
                demo::generate(&opts, &taken, |batch| -> Result<()> {
                    s.import(batch).map_err(|e| match e {
                        pendamping_store::ImportError::Rejected(p) => anyhow::anyhow!("demo data rejected: {}", p[0]),
                        pendamping_store::ImportError::Store(e) => e.into(),
                    })?;
                    done += batch.households.len();
                    eprint!("\r{done} / {households} keluarga");
                    Ok(())
                })?
            };
            eprintln!(
                "\r{} keluarga, {} orang, {} pendampingan, {} kunjungan dalam {:.1} s",
                counts.households,
                counts.persons,
                counts.enrolments,
                counts.visits,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Server {
            admin,
            config,
            db,
            listen,
            allow_plain_http,
        } => match admin {
            None => net::run_server(net::server_config(config.as_deref(), db, listen, allow_plain_http)?)?,
            Some(ServerAdmin::Enroll {
                db,
                user,
                role,
                scope,
                ttl_hours,
            }) => {
                let code = net::admin_enroll(&db, &user, &role, &scope, ttl_hours)?;
                writeln!(out, "{code}")?;
                eprintln!("kode pendaftaran untuk {user}: sekali pakai, berlaku {ttl_hours} jam");
            }
            Some(ServerAdmin::Revoke { db, device }) => {
                net::admin_revoke(&db, &device)?;
                eprintln!("perangkat {device} dicabut");
            }
            Some(ServerAdmin::RecoveryCode { db, device, by }) => {
                let code = net::open_db(&db)?.recovery_code(device.trim(), &by, net::now_ms())?;
                writeln!(out, "{code}")?;
                eprintln!("kode pemulihan PIN untuk perangkat {device}: sekali pakai, berlaku 24 jam");
            }
            Some(ServerAdmin::Devices { db }) => net::admin_devices(&db, &mut out)?,
            Some(ServerAdmin::Quarantine { db, limit }) => net::admin_quarantine(&db, limit, &mut out)?,
            Some(ServerAdmin::User { what }) => user(what, &mut out)?,
            Some(ServerAdmin::Audit { what }) => audit(what, &mut out)?,
            Some(ServerAdmin::Duplicates { db, area }) => {
                net::duplicates(&db, optional_area(&area)?.as_ref(), &mut out)?
            }
            Some(ServerAdmin::CheckFamilies {
                db,
                file,
                area,
                mapping,
                all,
            }) => {
                let areas = area
                    .iter()
                    .map(|a| pendamping_core::area::AreaCode::parse(a).with_context(|| format!("--area {a:?}")))
                    .collect::<Result<Vec<_>>>()?;
                pendamping_cli::families::check(&db, &file, &areas, mapping.as_deref(), all, &mut out)?
            }
            Some(ServerAdmin::Merge { db, keep, merge }) => {
                let m = net::open_state(&db)?.merge_persons(keep, merge)?;
                eprintln!(
                    "digabung: {} ke {} ({} pendampingan, {} kunjungan, {} anak dipindahkan)",
                    m.merged, m.survivor, m.enrolments, m.visits, m.children
                );
            }
            Some(ServerAdmin::MigrateStore { from, to }) => {
                pendamping_cli::migrate::migrate_store(&from, &to, &mut out)?
            }
            Some(ServerAdmin::Recap { db, what }) => {
                let (m, area) = what.parsed()?;
                let r = net::server_recap(&db, m, &area)?;
                recap_out::write(&r, &area, &what.output(), &mut out)?;
            }
            Some(ServerAdmin::List { db, what }) => {
                let (m, area) = what.what.parsed()?;
                let (rows, today) = net::server_list(&db, what.list, m, &area)?;
                what.write((m, today), &area, &rows, &mut out)?;
            }
        },
        Command::Hub {
            admin: Some(HubAdmin::Status { store }),
            ..
        } => net::hub_status(&store, &mut out)?,
        Command::Hub {
            admin: None,
            config,
            store,
            listen,
            allow_plain_http,
            own_certificate,
            upstream,
            code,
            name,
        } => {
            let mut config = net::server_config(config.as_deref(), store, listen, allow_plain_http)?;
            if own_certificate {
                net::own_certificate(&mut config)?;
            }
            if upstream.is_some() {
                config.upstream = upstream;
            }
            net::run_hub(config, code.as_deref(), &name)?
        }
        Command::Key {
            what: KeyAdmin::New { file },
        } => {
            pendamping_vault::DataKey::write_new(&file).with_context(|| format!("membuat {}", file.display()))?;
            eprintln!(
                "kunci baru di {} (hanya pemiliknya yang dapat membaca); pakai dengan {}={}",
                file.display(),
                keys::KEY_FILE_VAR,
                file.display()
            );
        }
        Command::Enroll {
            store,
            server,
            code,
            name,
        } => {
            let mut s = open_store(&store, &cli.rules, cli.today)?;
            net::enroll(&mut s, &server, &code, &name)?;
        }
        Command::Sync { store } => {
            let mut s = open_store(&store, &cli.rules, cli.today)?;
            let sum = net::sync(&mut s)?;
            eprintln!(
                "sinkron selesai: dikirim {}, diterima {}, ditolak {}, konflik {}, byte keluar {}, byte masuk {}",
                sum.pushed, sum.pulled, sum.rejected, sum.conflicts, sum.bytes_sent, sum.bytes_received
            );
            if sum.held > 0 || sum.confirmed > 0 {
                let waiting = pendamping_sync::status(&s)?.held;
                eprintln!(
                    "hub: {} perubahan dikonfirmasi pusat; {waiting} disimpan hub dan tetap di perangkat ini sampai pusat menerimanya",
                    sum.confirmed
                );
            }
            if sum.rejected > 0 {
                eprintln!(
                    "{} perubahan ditolak server; periksa dan perbaiki datanya",
                    sum.rejected
                );
            }
        }
        Command::Areas { code, search } => {
            let list = match (&search, &code) {
                (Some(q), _) => area::search(q, None, 50),
                (None, Some(c)) => area::children(Some(&area_arg(c)?)),
                (None, None) => area::children(None),
            };
            for a in list {
                writeln!(out, "{:<14} {}", area::dotted(a.code), a.name)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
