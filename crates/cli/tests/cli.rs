//! The `pendamping` binary as an operator uses it.

use std::path::Path;
use std::process::{Command, Output};

/// The stores' key in these tests (an operator keeps hers off the data's disk).
const KEY: &str = "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed";

/// The tool run in `cwd`, every store it makes encrypted under `KEY` (the key file is made
/// beside them the first time).
fn bin(cwd: &Path) -> Command {
    let key = cwd.join("store.key");
    if !key.exists() {
        std::fs::write(&key, KEY).unwrap();
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pendamping"));
    cmd.current_dir(cwd)
        .env("PENDAMPING_TODAY", "2026-11-23")
        .env("PENDAMPING_DB_KEY_FILE", key)
        .env_remove("PENDAMPING_PLAIN_STORE")
        .env_remove("PENDAMPING_STORE");
    cmd
}

/// A store the tool made in `dir`, opened with the tests' key.
fn keyed(dir: &Path, store: &str) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(dir.join(store)).unwrap();
    let key = pendamping_store::DataKey::from_key_file(&dir.join("store.key")).unwrap();
    pendamping_store::key_connection(&conn, &key).unwrap();
    conn
}

fn pendamping(args: &[&str], cwd: &Path) -> Output {
    bin(cwd).args(args).output().expect("run pendamping")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn demo(dir: &Path, households: &str) {
    ok(&pendamping(
        &[
            "demo-data",
            "--store",
            "dev.db",
            "--households",
            households,
            "--seed",
            "7",
        ],
        dir,
    ));
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn anthro_adds_z_scores_and_reports_bad_rows_by_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("in.csv"),
        "id,sex,age_days,weight,lenhei,measure,oedema\n1,2,1522,17,,,\n2,1,987,,72.86,l,n\n3,9,100,5,60,l,n\n4,1,100,7,60,l,y\n",
    )
    .unwrap();
    let out = pendamping(&["anthro", "--input", "in.csv", "--output", "out.csv"], dir.path());
    ok(&out);
    assert!(stderr(&out).contains("in.csv:4: sex"), "{}", stderr(&out));
    assert!(stderr(&out).contains("4 baris, 1 bermasalah"));
    let text = read(dir.path(), "out.csv");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,sex,age_days,weight,lenhei,measure,oedema,clenhei,cbmi,zlen,flen,zwei,fwei,zwfl,fwfl,zbmi,fbmi,zhc,fhc,zac,fac"
    );
    assert!(lines[1].contains(",0.24,0,"), "{}", lines[1]);
    assert!(
        lines[2].contains(",72.16,") && lines[2].contains(",-6.09,1,"),
        "{}",
        lines[2]
    );
    // Oedema: no weight-based scores, length still scored.
    let row4: Vec<&str> = lines[4].split(',').collect();
    assert_ne!(row4[9], "");
    assert_eq!((row4[11], row4[13], row4[15]), ("", "", ""));
}

#[test]
fn export_then_import_reproduces_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    demo(p, "40");
    ok(&pendamping(&["export", "--store", "dev.db", "--output", "a"], p));
    let imported = pendamping(&["import", "--store", "copy.db", "a"], p);
    ok(&imported);
    assert!(
        stderr(&imported).contains("diimpor: 40 keluarga"),
        "{}",
        stderr(&imported)
    );
    ok(&pendamping(&["export", "--store", "copy.db", "--output", "b"], p));
    for f in ["households.csv", "persons.csv", "enrolments.csv", "visits.csv"] {
        assert_eq!(read(&p.join("a"), f), read(&p.join("b"), f), "{f}");
    }
    let recap = |db: &str| {
        ok(&pendamping(
            &[
                "recap", "--store", db, "--month", "2026-11", "--area", "36.02.01", "--format", "json",
            ],
            p,
        ))
    };
    assert_eq!(recap("dev.db"), recap("copy.db"));
    // Importing the same again changes nothing.
    let again = pendamping(&["import", "--store", "copy.db", "a"], p);
    assert!(stderr(&again).contains("tidak berubah"), "{}", stderr(&again));
}

#[test]
fn a_truncated_import_file_is_refused_whole_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    demo(p, "10");
    ok(&pendamping(&["export", "--store", "dev.db", "--output", "a"], p));
    let visits = read(&p.join("a"), "visits.csv");
    let cut = visits.len() - visits.lines().last().unwrap().len() / 2 - 1;
    std::fs::write(p.join("a/visits.csv"), &visits[..cut]).unwrap();
    let out = pendamping(&["import", "--store", "new.db", "a"], p);
    assert!(!out.status.success());
    let err = stderr(&out);
    let last_line = visits.lines().count();
    assert!(err.contains(&format!("visits.csv:{last_line}:")), "{err}");
    assert!(err.contains("tidak ada yang disimpan"), "{err}");
    // Nothing was written: the new store has no households.
    let listed = ok(&pendamping(&["search", "--store", "new.db", "a"], p));
    assert_eq!(listed, "");
    let recap = ok(&pendamping(
        &[
            "recap", "--store", "new.db", "--month", "2026-11", "--area", "3602", "--format", "csv",
        ],
        p,
    ));
    assert_eq!(recap.lines().count(), 1, "header only: {recap}");
}

#[test]
fn an_out_of_range_value_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    demo(p, "5");
    ok(&pendamping(&["export", "--store", "dev.db", "--output", "a"], p));
    let visits = read(&p.join("a"), "visits.csv");
    let bad = visits.replacen("\"\"weight_kg\"\":", "\"\"weight_kg\"\":300.0,\"\"x\"\":", 1);
    assert_ne!(bad, visits);
    std::fs::write(p.join("a/visits.csv"), bad).unwrap();
    let out = pendamping(&["import", "--store", "new.db", "a"], p);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("visits.csv:2: weight_kg: Berat badan 300"), "{err}");
}

#[test]
fn recap_formats_and_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    demo(p, "30");
    let table = ok(&pendamping(
        &[
            "recap",
            "--store",
            "dev.db",
            "--month",
            "2026-11",
            "--area",
            "3602012002",
        ],
        p,
    ));
    assert!(
        table.contains("Rekap bulanan TPK 2026-11 — 36.02.01.2002 Cilangkahan"),
        "{table}"
    );
    let json = ok(&pendamping(
        &[
            "recap",
            "--store",
            "dev.db",
            "--month",
            "2026-11",
            "--area",
            "3602012002",
            "--format",
            "json",
        ],
        p,
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["group"] == "baduta" || r["group"] == "balita")
    );
    let bad = pendamping(
        &["recap", "--store", "dev.db", "--month", "2026-13", "--area", "3602"],
        p,
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("YYYY-MM"));
    let bad = pendamping(&["due", "--store", "dev.db", "--area", "36.02.0"], p);
    assert!(stderr(&bad).contains("kode wilayah"), "{}", stderr(&bad));
    let areas = ok(&pendamping(&["areas", "36.02"], p));
    assert_eq!(areas.lines().count(), 28);
}

/// The server in its own process, stopped when dropped.
/// The server process, its address, and its log (stderr).
struct Server(
    std::process::Child,
    String,
    std::io::BufReader<std::process::ChildStderr>,
);

impl Server {
    fn start(dir: &Path) -> Server {
        Server::spawn(dir, &["server", "--db", "central.db", "--listen", "127.0.0.1:0"])
    }

    /// `pendamping ARGS` serving: a server or a hub, once it says where it listens.
    fn spawn(dir: &Path, args: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = bin(dir)
            .args(args)
            .env("PENDAMPING_LOG", "info")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start server");
        let mut log = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while !line.contains("http://") {
            line.clear();
            assert!(
                log.read_line(&mut line).unwrap() > 0,
                "the server stopped before listening"
            );
        }
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("address")
            .to_string();
        Server(child, url, log)
    }
}

impl Server {
    /// SIGTERM, as a service manager stops it: it must finish and exit cleanly.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.0.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        for _ in 0..100 {
            if let Some(status) = self.0.try_wait().unwrap() {
                let mut log = String::new();
                std::io::Read::read_to_string(&mut self.2, &mut log).unwrap();
                return (status, log);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the server did not stop within 10 s of SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_device_enrols_and_syncs_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo(d, "12");
    let server = Server::start(d);
    let code = admin_code(d, "Siti", "cadre", "36.02.01.2002");
    let code = code.trim();
    assert_eq!(code.len(), 14, "{code}");
    let out = pendamping(
        &[
            "enroll",
            "--store",
            "dev.db",
            "--server",
            &server.1,
            "--code",
            code,
            "--name",
            "tablet Siti",
        ],
        d,
    );
    ok(&out);
    // The same code again is refused with a clear message.
    let again = pendamping(
        &["enroll", "--store", "other.db", "--server", &server.1, "--code", code],
        d,
    );
    assert!(!again.status.success());
    assert!(stderr(&again).contains("enrollment_code_used"), "{}", stderr(&again));

    let out = pendamping(&["sync", "--store", "dev.db"], d);
    ok(&out);
    let summary = stderr(&out);
    let line = summary
        .lines()
        .find(|l| l.starts_with("sinkron selesai"))
        .expect("summary line");
    let pushed: u64 = line
        .split("dikirim ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(pushed > 40, "{line}");
    assert!(line.contains("ditolak 0"), "{line}");
    // Nothing left: a second sync sends nothing.
    let second = stderr(&ok_out(pendamping(&["sync", "--store", "dev.db"], d)));
    assert!(second.contains("dikirim 0,"), "{second}");

    // A PLKB laptop for the kecamatan receives what the cadre sent.
    let code = admin_code(d, "Budi", "plkb", "360201");
    ok(&pendamping(
        &[
            "enroll",
            "--store",
            "plkb.db",
            "--server",
            &server.1,
            "--code",
            code.trim(),
        ],
        d,
    ));
    let got = stderr(&ok_out(pendamping(&["sync", "--store", "plkb.db"], d)));
    assert!(got.contains(&format!("diterima {pushed},")), "{got}");
    let devices = ok(&pendamping(&["server", "devices", "--db", "central.db"], d));
    assert!(devices.contains("tablet Siti") && devices.contains("plkb"), "{devices}");
    assert!(!devices.contains(code.trim()), "codes and tokens are never listed");
    // A member of that tablet forgot their PIN: the admin issues a one-time recovery code
    // for its device id; an unknown device gets none.
    let tablet = devices
        .lines()
        .find(|l| l.contains("tablet Siti"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap();
    let recovery = ok(&pendamping(
        &["server", "recovery-code", "--db", "central.db", "--device", tablet],
        d,
    ));
    let recovery = recovery.trim();
    assert!(
        recovery.len() == 14 && recovery.split('-').all(|p| p.len() == 4),
        "{recovery}"
    );
    let none = pendamping(
        &["server", "recovery-code", "--db", "central.db", "--device", "no-such"],
        d,
    );
    assert!(
        !none.status.success() && stderr(&none).contains("no-such"),
        "{}",
        stderr(&none)
    );

    // The audit log holds what happened, verifies whole, and fails once an entry is altered.
    let audit = ok(&pendamping(
        &["server", "audit", "list", "--db", "central.db", "--limit", "200"],
        d,
    ));
    for action in ["enrollment_code_issued", "enrolled", "pushed", "recovery_code_issued"] {
        assert!(audit.contains(action), "no {action} in the audit log:\n{audit}");
    }
    assert!(audit.contains(tablet), "the device is named by its id");
    let verified = ok(&pendamping(&["server", "audit", "verify", "--db", "central.db"], d));
    assert!(verified.contains("utuh"), "{verified}");
    {
        let conn = keyed(d, "central.db");
        conn.execute_batch(
            "DROP TRIGGER audit_append_only_update; \
             UPDATE audit SET detail = 'accepted 0, duplicates 0, rejected 0' WHERE action = 'pushed';",
        )
        .unwrap();
    }
    let tampered = pendamping(&["server", "audit", "verify", "--db", "central.db"], d);
    assert!(!tampered.status.success(), "a tampered log fails");
    assert!(stderr(&tampered).contains("RUSAK"), "{}", stderr(&tampered));

    // A wrong role or a village that does not exist is refused before any code is made.
    let bad = server_enroll(d, "X", "cadre", "360201");
    assert!(!bad.status.success());
    let (status, log) = server.terminate();
    assert!(status.success(), "a clean exit on SIGTERM");
    // The log says what happened, and never whose data it was.
    assert!(log.contains("/v1/sync/push") && log.contains("shutting down"), "{log}");
    ok(&pendamping(&["export", "--store", "dev.db", "--output", "out"], d));
    let persons = read(d, "out/persons.csv");
    let mut private: Vec<String> = persons
        .lines()
        .skip(1)
        .flat_map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .filter(|f| f.len() == 16 && f.chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert!(private.len() > 10, "the demo data has NIKs");
    private.push(code.trim().to_string());
    private.push("Siti".into());
    for secret in &private {
        assert!(!log.contains(secret.as_str()), "the log shows {secret:?}");
    }
}

fn ok_out(out: Output) -> Output {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn server_enroll(dir: &Path, user: &str, role: &str, scope: &str) -> Output {
    pendamping(
        &[
            "server",
            "enroll",
            "--db",
            "central.db",
            "--user",
            user,
            "--role",
            role,
            "--scope",
            scope,
        ],
        dir,
    )
}

/// A fresh enrollment code from the server's admin command.
fn admin_code(dir: &Path, user: &str, role: &str, scope: &str) -> String {
    ok(&server_enroll(dir, user, role, scope)).trim().to_string()
}

#[test]
fn demo_stores_made_with_one_seed_share_no_row_id() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    demo(a.path(), "5");
    demo(b.path(), "5");
    let ids = |dir: &Path| -> std::collections::BTreeSet<String> {
        let db = keyed(dir, "dev.db");
        let mut stmt = db
            .prepare("SELECT id FROM households UNION ALL SELECT id FROM persons UNION ALL SELECT id FROM visits")
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let (ia, ib) = (ids(a.path()), ids(b.path()));
    assert!(ia.len() > 20, "{}", ia.len());
    assert!(ia.is_disjoint(&ib), "the seed drives the content, not the ids");
    // The content is the seed's: the same head names in both.
    let heads = |dir: &Path| -> Vec<String> {
        let db = keyed(dir, "dev.db");
        let mut stmt = db
            .prepare("SELECT head_name FROM households ORDER BY head_name")
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(heads(a.path()), heads(b.path()));
}

#[test]
fn the_recap_as_xlsx_holds_the_recaps_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    demo(p, "60");
    let args = [
        "recap",
        "--store",
        "dev.db",
        "--month",
        "2026-11",
        "--area",
        "3602012002",
    ];
    let json = ok(&pendamping(&[&args[..], &["--format", "json"]].concat(), p));
    let recap: serde_json::Value = serde_json::from_str(&json).unwrap();
    ok(&pendamping(
        &[&args[..], &["--format", "xlsx", "--output", "rekap.xlsx"]].concat(),
        p,
    ));
    let rows = pendamping_tests::xlsx_rows(&p.join("rekap.xlsx")).unwrap();
    let col = |name: &str| {
        rows[0]
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {:?}", rows[0]))
    };
    let (caseload, visits) = (col("Didampingi akhir bulan"), col("Jumlah kunjungan"));
    let sum = |c: usize| {
        rows[1..]
            .iter()
            .map(|r| r[c].parse::<f64>().unwrap_or(0.0))
            .sum::<f64>() as u64
    };
    let want = |field: &str| {
        recap["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[field].as_u64().unwrap())
            .sum::<u64>()
    };
    assert!(want("visits") > 0);
    assert_eq!(sum(caseload), want("caseload_end"));
    assert_eq!(sum(visits), want("visits"));
    let krs: u64 = recap["krs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["krs_families"].as_u64().unwrap())
        .sum();
    assert!(krs > 0);
    assert_eq!(sum(col("Keluarga berisiko (KRS)")), krs);
}

#[test]
fn lists_with_names_as_xlsx_csv_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    demo(p, "120");
    let args = ["list", "--store", "dev.db", "--month", "2026-11", "--area", "36.02.01"];
    let json = |list: &str| -> Vec<serde_json::Value> {
        let out = ok(&pendamping(
            &[&["list", list], &args[1..], &["--format", "json"]].concat(),
            p,
        ));
        serde_json::from_str(&out).unwrap()
    };
    let stunted = json("stunted");
    assert!(!stunted.is_empty(), "the demo has stunted children");
    ok(&pendamping(
        &[
            &["list", "stunted"],
            &args[1..],
            &["--format", "xlsx", "--output", "s.xlsx"],
        ]
        .concat(),
        p,
    ));
    let rows = pendamping_tests::xlsx_rows(&p.join("s.xlsx")).unwrap();
    assert_eq!(rows.len(), stunted.len() + 1, "a header and a row per child");
    // Names leaving the store are marked as personal data: in the file, and to whoever ran it.
    let tab = pendamping_tests::xlsx_tab(&p.join("s.xlsx"), Some(pendamping_report::sheet::PERSONAL_TAB)).unwrap();
    assert_eq!(tab[0][0], pendamping_core::catalogue::PERSONAL_DATA.id);
    assert_eq!(rows[0][2], "Nama");
    let names: std::collections::BTreeSet<&str> = stunted.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(rows[1..].iter().all(|r| names.contains(r[2].as_str())));
    let z = rows[0].iter().position(|h| h == "TB/U (z)").unwrap();
    assert!(
        rows[1..].iter().all(|r| r[z].parse::<f64>().is_ok()),
        "z-scores are numbers"
    );

    let krs = json("krs");
    let csv = ok(&pendamping(
        &[&["list", "krs"], &args[1..], &["--format", "csv"]].concat(),
        p,
    ));
    assert!(csv.starts_with("\u{feff}Desa/kelurahan;TPK;Nama;"), "{csv}");
    let told = stderr(&pendamping(
        &[&["list", "krs"], &args[1..], &["--format", "csv", "--lang", "en"]].concat(),
        p,
    ));
    assert!(told.contains(pendamping_core::catalogue::PERSONAL_DATA.en), "{told}");
    assert_eq!(csv.lines().count(), krs.len() + 1);
    let table = ok(&pendamping(&[&["list", "overdue"], &args[1..]].concat(), p));
    assert!(
        table.starts_with("Sasaran terlambat dikunjungi, per TPK — 36.02.01"),
        "{table}"
    );

    let bad = pendamping(&[&["list", "stunting"], &args[1..]].concat(), p);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("daftar \"stunting\" tidak dikenal"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn an_admin_makes_dashboard_accounts_with_the_password_on_standard_input() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let add = |name: &str, role: &str, scope: &str, password: &str| {
        let mut child = bin(p)
            .args([
                "server",
                "user",
                "add",
                "--db",
                "central.db",
                "--name",
                name,
                "--role",
                role,
                "--scope",
                scope,
            ])
            .env_remove("PENDAMPING_PASSWORD")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A refusal before the password is read (an unknown role) may close the pipe first.
        let _ = writeln!(child.stdin.take().unwrap(), "{password}");
        child.wait_with_output().unwrap()
    };
    let made = add("sari", "plkb", "36.02.01", "kata-sandi-panjang");
    assert!(
        stderr(&made).contains("akun sari (plkb) dibuat untuk wilayah 360201"),
        "{}",
        stderr(&made)
    );
    assert!(!add("budi", "plkb", "36.02.01", "pendek").status.success());
    let bad = add("budi", "bupati", "3602", "kata-sandi-panjang");
    assert!(
        stderr(&bad).contains("peran \"bupati\" tidak dikenal"),
        "{}",
        stderr(&bad)
    );
    let list = ok(&pendamping(&["server", "user", "list", "--db", "central.db"], p));
    assert!(
        list.starts_with("sari") && list.contains("360201") && !list.contains("budi"),
        "{list}"
    );
    let db = keyed(p, "central.db");
    let hash: String = db.query_row("SELECT hash FROM accounts", [], |r| r.get(0)).unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains("kata-sandi"));
    ok(&pendamping(
        &["server", "user", "disable", "--db", "central.db", "--name", "sari"],
        p,
    ));
    assert!(ok(&pendamping(&["server", "user", "list", "--db", "central.db"], p)).contains("(nonaktif)"));
    // An account not locked: said so, and it is in the audit log either way.
    let unlock = pendamping(&["server", "user", "unlock", "--db", "central.db", "--name", "Sari"], p);
    assert!(stderr(&unlock).contains("tidak sedang terkunci"), "{}", stderr(&unlock));
    let audit = ok(&pendamping(&["server", "audit", "list", "--db", "central.db"], p));
    assert!(audit.contains("account_unlocked") && audit.contains("sari"), "{audit}");
    // A mistyped path is said to be one, for every command that only reads, and no store is
    // made there.
    for args in [
        &["server", "user", "list", "--db", "centrl.db"][..],
        &["server", "user", "unlock", "--db", "centrl.db", "--name", "sari"],
        &["server", "audit", "verify", "--db", "centrl.db"],
        &["server", "devices", "--db", "centrl.db"],
        &[
            "server",
            "recap",
            "--db",
            "centrl.db",
            "--area",
            "3602",
            "--month",
            "2026-11",
        ],
    ] {
        refused(args, p, "tidak ada penyimpanan server di centrl.db");
        assert!(!p.join("centrl.db").exists(), "{args:?} made a store");
    }
}

#[test]
fn a_command_on_what_is_not_a_store_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // An empty file, a folder, another program's SQLite file.
    std::fs::write(p.join("empty.db"), b"").unwrap();
    std::fs::create_dir(p.join("folder")).unwrap();
    std::fs::set_permissions(p.join("folder"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let other = rusqlite::Connection::open(p.join("other.sqlite")).unwrap();
    other
        .execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('catatan')")
        .unwrap();
    drop(other);
    let before = std::fs::read(p.join("other.sqlite")).unwrap();
    for db in ["empty.db", "folder", "other.sqlite"] {
        for args in [
            &["server", "devices", "--db", db][..],
            &["server", "user", "list", "--db", db],
            &["server", "audit", "verify", "--db", db],
        ] {
            let out = pendamping(args, p);
            assert!(!out.status.success(), "{args:?} succeeded");
        }
    }
    refused(&["server", "devices", "--db", "folder"], p, "bukan berkas biasa");
    // Not even a command that may make a store makes one of another program's file.
    let enroll = server_enroll_at(p, "other.sqlite");
    assert!(!enroll.status.success());
    assert!(
        stderr(&enroll).contains("bukan penyimpanan server"),
        "{}",
        stderr(&enroll)
    );
    assert_eq!(std::fs::read(p.join("other.sqlite")).unwrap(), before, "untouched");
    assert_eq!(std::fs::metadata(p.join("empty.db")).unwrap().len(), 0);
    let mode = std::fs::metadata(p.join("folder")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755, "the folder's mode left alone");

    // A plain store (made with --plain-store) is never encrypted from under a server by a
    // command that reads it with a key: it says how it gets encrypted instead.
    let made = bin(p)
        .args(["--plain-store", "server", "enroll", "--db", "plain.db"])
        .args(["--user", "x", "--role", "cadre", "--scope", "3602012002"])
        .env_remove("PENDAMPING_DB_KEY_FILE")
        .output()
        .unwrap();
    ok(&made);
    for args in [
        &["server", "devices", "--db", "plain.db"][..],
        &["server", "duplicates", "--db", "plain.db"],
        &[
            "server", "recap", "--db", "plain.db", "--area", "3602", "--month", "2026-11",
        ],
    ] {
        refused(args, p, "belum dienkripsi");
    }
    // A device's command is no server's: neither the server's store nor another program's
    // database is taken for a device's, and a connection string is never a file name.
    for (store, words) in [
        ("plain.db", "bukan store perangkat"),
        ("other.sqlite", "bukan store perangkat"),
        ("postgres:u:S3kr1t@h", "bukan string koneksi"),
    ] {
        refused(
            &["recap", "--store", store, "--month", "2026-11", "--area", "3602"],
            p,
            words,
        );
    }
    assert!(!stderr(&pendamping(&["recap", "--store", "postgres:u:S3kr1t@h"], p)).contains("S3kr1t"));
    assert!(!p.join("postgres:u:S3kr1t@h").exists());
    assert_eq!(std::fs::read(p.join("other.sqlite")).unwrap(), before, "untouched");
    assert!(
        pendamping_store::is_plain(&p.join("plain.db")).unwrap(),
        "still as it was"
    );
}

/// Runs `args` in `dir`: it must fail, saying `words`.
fn refused(args: &[&str], dir: &Path, words: &str) {
    let out = pendamping(args, dir);
    assert!(!out.status.success(), "{args:?}");
    assert!(stderr(&out).contains(words), "{args:?}: {}", stderr(&out));
}

/// `server enroll` on the store `db` in `dir`.
fn server_enroll_at(dir: &Path, db: &str) -> Output {
    pendamping(
        &[
            "server",
            "enroll",
            "--db",
            db,
            "--user",
            "x",
            "--role",
            "cadre",
            "--scope",
            "3602012002",
        ],
        dir,
    )
}

#[test]
fn a_server_beyond_loopback_needs_tls_or_an_explicit_allow_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    let refused = pendamping(&["server", "--db", "c.db", "--listen", "0.0.0.0:0"], dir.path());
    assert!(!refused.status.success());
    let why = stderr(&refused);
    assert!(why.contains("tls_cert") && why.contains("allow_plain_http"), "{why}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut allowed = bin(dir.path())
        .args([
            "server",
            "--db",
            "c.db",
            "--listen",
            &format!("0.0.0.0:{port}"),
            "--allow-plain-http",
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // It serves: its health check answers (a real request, not a guessed wait).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let answered = loop {
        use std::io::{Read, Write};
        if let Ok(mut c) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = c.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut got = String::new();
            let _ = c.read_to_string(&mut got);
            if got.starts_with("HTTP/1.1 200") {
                break true;
            }
        }
        if std::time::Instant::now() > deadline || allowed.try_wait().unwrap().is_some() {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(answered, "it serves on 0.0.0.0:{port}");
    allowed.kill().unwrap();
    let _ = allowed.wait();
}

/// Every byte of `file` and of its `-wal`, and its mode.
fn raw(file: &Path) -> (Vec<u8>, u32) {
    use std::os::unix::fs::PermissionsExt;
    let mut bytes = std::fs::read(file).unwrap();
    let mut wal = file.as_os_str().to_owned();
    wal.push("-wal");
    bytes.extend(std::fs::read(&wal).unwrap_or_default());
    (bytes, std::fs::metadata(file).unwrap().permissions().mode() & 0o777)
}

fn holds(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A headless device or hub is a device: the stores the tool makes (a demo store, a device
/// enrolled and synced, the server's, a hub's and their views) hold no readable name, NIK,
/// token or key, and only their owner may read them; without a key a store is made only
/// when `--plain-store` asks for it.
#[test]
fn every_store_the_tool_makes_is_encrypted_and_its_owners_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // No key, no flag: refused, naming both ways, and nothing is made.
    for args in [
        &["demo-data", "--store", "x.db", "--households", "3"][..],
        &["server", "--db", "x.db", "--listen", "127.0.0.1:0"],
        &[
            "hub",
            "--store",
            "x.db",
            "--upstream",
            "http://127.0.0.1:9",
            "--code",
            "X",
        ],
        &["server", "devices", "--db", "x.db"],
    ] {
        let out = bin(d).env_remove("PENDAMPING_DB_KEY_FILE").args(args).output().unwrap();
        let why = stderr(&out);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            why.contains("PENDAMPING_DB_KEY_FILE") && why.contains("--plain-store"),
            "{args:?}: {why}"
        );
        assert!(!d.join("x.db").exists(), "{args:?} made a store");
    }

    demo(d, "12");
    let server = Server::start(d);
    let code = admin_code(d, "Siti", "cadre", "36.02.01.2002");
    ok(&pendamping(
        &["enroll", "--store", "dev.db", "--server", &server.1, "--code", &code],
        d,
    ));
    ok(&pendamping(&["sync", "--store", "dev.db"], d));
    let code = admin_code(d, "PLKB", "plkb", "36.02.01");
    let hub = Server::spawn(
        d,
        &[
            "hub",
            "--store",
            "plkb.db",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            &server.1,
            "--code",
            &code,
        ],
    );
    // The hub has pulled the kecamatan's families from the centre.
    let key = pendamping_store::DataKey::from_key_file(&d.join("store.key")).unwrap();
    let pulled = || {
        let conn = keyed(d, "plkb.db");
        conn.query_row("SELECT COUNT(*) FROM changes", [], |r| r.get::<_, i64>(0))
            .ok()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while pulled().unwrap_or(0) == 0 {
        assert!(std::time::Instant::now() < deadline, "the hub pulled nothing in 30 s");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    drop(hub);
    drop(server);

    // What must not be readable: every name and NIK of the demo, and the device's token.
    ok(&pendamping(&["export", "--store", "dev.db", "--output", "out"], d));
    let persons = read(d, "out/persons.csv");
    let mut secrets: Vec<String> = Vec::new();
    let mut rows = csv::ReaderBuilder::new().from_reader(persons.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (name, nik) = (column("name"), column("nik"));
    for row in rows.records() {
        let row = row.unwrap();
        secrets.extend(
            [row[name].to_string(), row[nik].to_string()]
                .into_iter()
                .filter(|s| s.len() >= 6),
        );
    }
    assert!(secrets.len() > 20, "{secrets:?}");
    let device = pendamping_store::Store::open(
        d.join("dev.db"),
        pendamping_store::Options {
            key: Some(key.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    secrets.push(device.setting(pendamping_sync::keys::TOKEN).unwrap().expect("a token"));
    drop(device);
    for store in ["dev.db", "central.db", "central.view.db", "plkb.db", "plkb.view.db"] {
        let (bytes, mode) = raw(&d.join(store));
        assert_eq!(mode, 0o600, "{store}");
        assert!(!holds(&bytes, "SQLite format 3"), "{store} is plain SQLite");
        let readable: Vec<&String> = secrets.iter().filter(|s| holds(&bytes, s)).collect();
        assert!(readable.is_empty(), "{store} shows {readable:?}");
    }
    for file in ["households", "persons", "enrolments", "visits"] {
        assert_eq!(raw(&d.join(format!("out/{file}.csv"))).1, 0o600, "{file}.csv");
    }

    // Asked for by name, a plain store: readable, yet still its owner's only; given a key
    // later, it is encrypted in place and its data kept.
    let plain = bin(d)
        .env_remove("PENDAMPING_DB_KEY_FILE")
        .args(["--plain-store", "demo-data", "--store", "plain.db", "--households", "3"])
        .output()
        .unwrap();
    ok(&plain);
    let (bytes, mode) = raw(&d.join("plain.db"));
    assert_eq!((holds(&bytes, "SQLite format 3"), mode), (true, 0o600));
    let before = ok(&pendamping(&["export", "--store", "plain.db", "--output", "p1"], d));
    assert!(holds(&raw(&d.join("p1/households.csv")).0, "kk_number"));
    assert!(
        !holds(&raw(&d.join("plain.db")).0, "SQLite format 3"),
        "encrypted on first use with a key"
    );
    assert_eq!(raw(&d.join("plain.db")).1, 0o600);
    drop(before);
    // A key file of the wrong form is named, not echoed.
    std::fs::write(d.join("bad.key"), "not a key").unwrap();
    let out = bin(d)
        .env("PENDAMPING_DB_KEY_FILE", d.join("bad.key"))
        .args(["sync", "--store", "dev.db"])
        .output()
        .unwrap();
    assert!(
        !out.status.success() && stderr(&out).contains("64 hex"),
        "{}",
        stderr(&out)
    );
    // `key new` makes one, private, and never over another.
    ok(&pendamping(&["key", "new", "new.key"], d));
    assert_eq!(raw(&d.join("new.key")).1, 0o600);
    assert!(!pendamping(&["key", "new", "new.key"], d).status.success());
}

#[test]
fn a_family_list_is_checked_before_import_with_every_problem_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&server_enroll(p, "plkb", "plkb", "360201"));
    let list = |kk3: &str| {
        format!(
            "Kode Desa;RT;No KK;Nama Kepala Keluarga;Jamban Tidak Layak\n\
             3602012002;1;3602010101200001;Ahmad;Ya\n\
             3602012002;2;3602010101200002;Budi;Tidak\n\
             3602012002;3;{kk3};Citra;Tidak\n\
             3602012002;1;3602010101200001;AHMAD;Ya\n\
             3602022002;4;3602020101200009;Dewi;Tidak\n"
        )
    };
    std::fs::write(p.join("list.csv"), list("3,60201E+15")).unwrap();
    let args = [
        "server",
        "check-families",
        "--db",
        "central.db",
        "--file",
        "list.csv",
        "--area",
        "360201",
    ];
    let first = pendamping(&args, p);
    assert!(!first.status.success());
    let said = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(said.contains("5 baris: 2 keluarga baru, 0 sudah dikenal"), "{said}");
    assert!(
        said.contains("1 berisiko menurut daftar; 1 baris diulang (dilewati); 2 baris bermasalah"),
        "{said}"
    );
    assert!(
        said.contains("baris 4, kolom \"No KK\": Nomor KK \"3,60201E+15\" terbaca sebagai angka yang dibulatkan"),
        "{said}"
    );
    assert!(
        said.contains("baris 6: Desa 36.02.02.2002 di luar wilayah Anda"),
        "{said}"
    );
    assert!(
        said.contains("baris 5: Nomor KK sama dengan baris 2: baris ini dilewati"),
        "{said}"
    );
    assert!(
        stderr(&first).contains("2 baris tidak dapat diimpor"),
        "{}",
        stderr(&first)
    );

    // Mended, and with the mapping it printed saved for the next list of this source.
    std::fs::write(p.join("list.csv"), list("3602010101200003")).unwrap();
    let mapping = said
        .lines()
        .find_map(|l| l.strip_prefix("pemetaan ini (simpan sebagai berkas untuk --mapping): "))
        .unwrap();
    std::fs::write(p.join("bnba.json"), mapping).unwrap();
    let mut with_mapping = args.to_vec();
    with_mapping.extend(["--mapping", "bnba.json", "--area", "360202"]);
    let said = ok(&pendamping(&with_mapping, p));
    assert!(said.contains("5 baris: 4 keluarga baru, 0 sudah dikenal"), "{said}");
    assert!(
        said.contains("1 baris diulang (dilewati); 0 baris bermasalah"),
        "{said}"
    );

    // Not a list: a folder, a missing file, a mapping that names no such header.
    std::fs::create_dir(p.join("folder")).unwrap();
    let mut folder = args.to_vec();
    folder[5] = "folder";
    refused(&folder, p, "bukan berkas biasa");
    std::fs::write(p.join("bad.json"), r#"{"columns":[["Desa","area_code"]]}"#).unwrap();
    let mut bad = args.to_vec();
    bad.extend(["--mapping", "bad.json"]);
    refused(&bad, p, "kolom \"Desa\" tidak ada di berkas");
}
