//! The server's queryable replica: a device store (pendamping-store) fed from the change
//! log, in log order, with the same merge and the same derived columns as every device.
//! The recap is then the device's own `Store::recap` over the same data: one function, so
//! a village's numbers are the same on the cadre's tablet, on the PLKB hub and at the
//! centre. It is derived: deleted, it is rebuilt from the log.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::FixedOffset;
use pendamping_core::area::AreaCode;
use pendamping_core::recap::{Month, Recap};
use pendamping_core::{Change, Rules, TimeSource};
use pendamping_store::{Options, Store};

use crate::error::{Result, ServerError};
use crate::rules::HeldRules;
use crate::storage::Storage;

/// Changes applied per transaction while catching up.
const PAGE: usize = 5000;
/// Changes a push may hand the view before it catches up (about 1.5 KB each).
pub const OFFERED_MAX: usize = 50_000;
/// The log store this view was built from.
const LOG_KEY: &str = "view_of";
/// Which door the view's rows passed: a view built before every field of a change was
/// checked by its record's type (`Record::checked`) may hold a row no reader can use, so
/// it is built anew from the log, whose bad changes the store now refuses.
const DOOR: &str = "door-2";

/// The indicators of one (area, month, split), as computed from the view.
type ByArea = Arc<std::collections::BTreeMap<String, pendamping_core::indicators::Indicators>>;

/// What a catch-up did.
#[derive(Debug, Default)]
pub struct CaughtUp {
    /// Changes applied.
    pub applied: u64,
    /// Rows of the log that do not read back (seq, reason), passed over.
    pub set_aside: Vec<(i64, String)>,
}

pub struct View {
    /// Held while the view of a shared log is open (see [`hold`]).
    _lock: Option<std::fs::File>,
    store: Mutex<Store>,
    /// Changes a push has just committed, as it decoded them, by their sequence in the log:
    /// the catch-up takes the change after its cursor from here when it is here, and reads
    /// the log only for the rest (a restart, a hub's pull, a merge).
    offered: Mutex<std::collections::BTreeMap<i64, Change>>,
    path: PathBuf,
    /// Indicators already computed since the view last changed: a dashboard's 12-month
    /// trend reads each month once until a push brings something new.
    indicators: Mutex<std::collections::HashMap<(String, Month, usize, chrono::NaiveDate), ByArea>>,
}

fn store_err(e: pendamping_store::StoreError) -> ServerError {
    ServerError::View(e.to_string())
}

/// Takes the view's lock file (`<view>.lock`, beside it), so that two server processes never
/// feed one view.
fn hold(view: &Path) -> Result<std::fs::File> {
    // The file itself, whatever path (a symbolic link, `..`) names it.
    let real = std::fs::canonicalize(view).or_else(|_| {
        let dir = view
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::canonicalize(dir).map(|d| d.join(view.file_name().unwrap_or_default()))
    });
    let mut name = real.unwrap_or_else(|_| view.to_path_buf()).into_os_string();
    name.push(".lock");
    let file = lock_file(Path::new(&name))
        .map_err(|e| ServerError::View(format!("{}: {e}", std::path::Path::new(&name).display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(ServerError::Config(format!(
            "the view {} is in use by another server process: give each process its own `view`",
            view.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(ServerError::View(format!("{}: {e}", view.display()))),
    }
}

/// Opens (making it, readable by its owner alone) a file that is only ever locked.
pub(crate) fn lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Where the view of the log `db` lives: beside it.
pub fn path_for(db: &Path) -> PathBuf {
    crate::config::view_beside(db)
}

impl View {
    /// Opens the view at `path` of the log whose store id is `log_id`, rebuilding it when
    /// it was built from another log. `shared`: the log is shared by several server
    /// processes (PostgreSQL), and a second one given the same view is refused (each keeps
    /// its own).
    pub fn open(
        path: &Path,
        shared: bool,
        log_id: &str,
        rules: &Rules,
        time: Arc<dyn TimeSource>,
        key: Option<&pendamping_vault::DataKey>,
    ) -> Result<View> {
        let path = path.to_path_buf();
        let lock = if shared { Some(hold(&path)?) } else { None };
        // Encrypted like the log beside it; a plain view of an earlier start is encrypted
        // in place (a copy, seconds) rather than rebuilt from the log (minutes).
        if let Some(key) = key {
            pendamping_store::encrypt_if_plain(&path, key)?;
        }
        let opts = || Options {
            time: time.clone(),
            rules: rules.clone(),
            // The log checked each visit's date in its village's zone; the view takes any
            // date up to today in the easternmost zone (WIT), so it never refuses a change
            // the log accepted.
            utc_offset: FixedOffset::east_opt(9 * 3600).expect("valid offset"),
            cache_mib: 64,
            key: key.cloned(),
        };
        let mut store = Store::open(&path, opts()).map_err(store_err)?;
        let built_from = format!("{log_id} {DOOR}");
        if store.setting(LOG_KEY).map_err(store_err)?.as_deref() != Some(built_from.as_str()) {
            drop(store);
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
            store = Store::open(&path, opts()).map_err(store_err)?;
            store.set_setting(LOG_KEY, &built_from).map_err(store_err)?;
            tracing::info!(view = %path.display(), "view built anew from the change log");
        }
        Ok(View {
            _lock: lock,
            store: Mutex::new(store),
            offered: Default::default(),
            path,
            indicators: Default::default(),
        })
    }

    /// Changes just committed to the log at these sequences, as decoded. Kept until the
    /// catch-up passes them, at most [`OFFERED_MAX`] (the rest it reads from the log).
    pub fn offer(&self, changes: impl IntoIterator<Item = (i64, Change)>) {
        let mut offered = self.offered.lock().unwrap_or_else(|p| p.into_inner());
        for (seq, c) in changes {
            if offered.len() >= OFFERED_MAX {
                break;
            }
            offered.insert(seq, c);
        }
    }

    /// The offered changes that follow `since` one by one in the log's sequence, at most
    /// `limit`; those at or before it are dropped (the log was read for them).
    fn take_offered(&self, since: i64, limit: usize) -> Vec<(i64, Change)> {
        let mut offered = self.offered.lock().unwrap_or_else(|p| p.into_inner());
        let later = offered.split_off(&(since + 1));
        *offered = later;
        let mut run = Vec::new();
        let mut next = since + 1;
        while run.len() < limit
            && let Some(c) = offered.remove(&next)
        {
            run.push((next, c));
            next += 1;
        }
        run
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies what the log holds after the view's cursor; returns how many changes, and
    /// the rows of the log it could not read (`shape::read_change`), each with its reason: they
    /// are set aside, and the rest goes on. `rules`: the server's now (a hub adopts the
    /// centre's); the view derives with them.
    pub fn catch_up(&self, log: &dyn Storage, rules: &HeldRules) -> Result<CaughtUp> {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if store.rules().version != rules.rules.version {
            store.follow_rules(&rules.toml).map_err(store_err)?;
            // Other rules, other counts.
            self.indicators.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
        let mut since: i64 = store
            .pull_cursor()
            .map_err(store_err)?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut out = CaughtUp::default();
        loop {
            let mut page: Vec<Change> = Vec::new();
            let mut seqs: Vec<i64> = Vec::new();
            let mut last = since;
            // A sequence is one change: the change a push offered at the cursor's next
            // sequence is the log's. What was not offered is read from the log, each page
            // its own snapshot (a catch-up of minutes never holds the log's write-ahead file
            // open for the checkpointer to wait on).
            let offered = self.take_offered(since, PAGE);
            if !offered.is_empty() {
                for (seq, c) in offered {
                    last = seq;
                    page.push(c);
                    seqs.push(seq);
                }
            } else {
                for (seq, body) in log.reading(|tx| tx.after(since, PAGE))? {
                    last = seq;
                    match pendamping_core::shape::read_change(&body) {
                        Ok(c) => {
                            page.push(c);
                            seqs.push(seq);
                        }
                        Err(e) => {
                            tracing::error!(seq, reason = %e, "a change of the log does not read back; set aside");
                            out.set_aside.push((seq, e.to_string()));
                        }
                    }
                }
            }
            if last == since {
                if out.applied > 0 {
                    self.indicators.lock().unwrap_or_else(|p| p.into_inner()).clear();
                }
                return Ok(out);
            }
            let report = store.apply_remote(&page, Some(&last.to_string())).map_err(store_err)?;
            // A change the store refuses (a log written before its door checked as much) is
            // set aside with its reason, as a row that does not read back is.
            for refused in &report.rejected {
                let seq = page
                    .iter()
                    .position(|c| c.change_id == refused.change_id)
                    .map(|i| seqs[i]);
                let field = refused.field.as_deref().map(|f| format!("{f}: ")).unwrap_or_default();
                tracing::error!(?seq, change = %refused.change_id, reason = %refused.message, "the view refused a change of the log; set aside");
                out.set_aside
                    .push((seq.unwrap_or_default(), format!("{field}{}", refused.message)));
            }
            out.applied += page.len() as u64;
            since = last;
        }
    }

    /// The NIK digest for a device of `scope`: the buckets of the NIKs of live persons in
    /// the kecamatan of its villages, less its own villages (it holds those).
    pub fn nik_digest(&self, salt: &str, scope: &pendamping_protocol::Scope) -> Result<pendamping_protocol::NikDigest> {
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let mut kecamatans: Vec<&str> = scope.areas.iter().filter_map(|a| a.as_str().get(..6)).collect();
        kecamatans.dedup();
        let mut buckets = Vec::new();
        let conn = store.connection();
        let niks = |k: &str| -> rusqlite::Result<Vec<(String, String)>> {
            let mut stmt = conn.prepare_cached(
                "SELECT nik, area_code FROM persons WHERE area_code >= ?1 AND area_code < ?2 AND deleted = 0 \
                 AND nik IS NOT NULL",
            )?;
            let rows = stmt.query_map((k, format!("{k}~")), |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        };
        for k in kecamatans {
            for (nik, area) in niks(k).map_err(|e| ServerError::View(e.to_string()))? {
                if !scope.contains(&area) {
                    buckets.push(pendamping_core::nik::digest_bucket(salt, &nik));
                }
            }
        }
        buckets.sort_unstable();
        buckets.dedup();
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(salt.as_bytes());
        for b in &buckets {
            h.update(b.to_le_bytes());
        }
        let version: String = h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect();
        Ok(pendamping_protocol::NikDigest {
            version,
            salt: salt.to_string(),
            buckets,
        })
    }

    /// Pairs of persons under `area` that may be one.
    pub fn possible_duplicates(&self, area: Option<&AreaCode>) -> Result<Vec<pendamping_store::PossibleDuplicate>> {
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        store.possible_duplicates(area).map_err(store_err)
    }

    /// Runs `f` on the view's store (a merge writes through it).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut store)
    }

    /// The recap of `area` (village, kecamatan, kabupaten or province code) for `month`,
    /// the month still running counted to `today` (the area's own: the view's store keeps
    /// the easternmost zone's).
    pub fn recap(&self, month: Month, area: &AreaCode, today: chrono::NaiveDate) -> Result<Recap> {
        self.with_store(|s| s.recap_as_of(month, area, today))
            .map_err(store_err)
    }

    /// The indicators of `area` for `month`, by child area (`key_len` code characters), the
    /// month still running counted to `today`.
    pub fn indicators(
        &self,
        month: Month,
        area: &AreaCode,
        key_len: usize,
        today: chrono::NaiveDate,
    ) -> Result<ByArea> {
        // Looked up and filled under the store's lock: a catch-up (which clears the cache
        // under it too) cannot slip in between, and charts asking for the same months at
        // once compute each month once.
        self.with_store(|s| {
            // The month still running is counted to today: tomorrow it is another answer.
            let key = (area.to_string(), month, key_len, today.min(month.last_day()));
            let mut cache = self.indicators.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(hit) = cache.get(&key) {
                return Ok(hit.clone());
            }
            let rows = Arc::new(s.indicators_as_of(month, area, key_len, today).map_err(store_err)?);
            cache.insert(key, rows.clone());
            Ok(rows)
        })
    }

    /// The first month anything was recorded at this server.
    pub fn first_month(&self) -> Result<Option<Month>> {
        self.with_store(|s| s.first_month()).map_err(store_err)
    }

    /// A list with names of `area` for `month` (`Overdue`: as of `today`).
    pub fn name_list(
        &self,
        list: pendamping_core::lists::NameList,
        month: Month,
        area: &AreaCode,
        today: chrono::NaiveDate,
    ) -> Result<Vec<pendamping_store::ListRow>> {
        self.with_store(|s| s.name_list(list, month, area, today))
            .map_err(store_err)
    }
}
