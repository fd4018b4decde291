//! First run and the working area: work offline only, or enrol with a server; the
//! villages this device serves, picked from the Kemendagri list, and the one on screen.

use pendamping_core::area::{self, Area, Level};
use pendamping_store::Store;
use pendamping_sync::Access;
use serde::Serialize;

use crate::AppError;

const VILLAGES: &str = "villages";
const CURRENT: &str = "current_village";
const MODE: &str = "mode";

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Setup {
    /// False until the first-run screen is done.
    pub configured: bool,
    /// "offline" or "server".
    pub mode: Option<String>,
    pub enrolled: bool,
    pub server: Option<String>,
    /// The areas the server lets this device see (empty offline).
    pub scope: Vec<pendamping_core::area::AreaCode>,
    pub villages: Vec<VillageView>,
    /// The village the screens show.
    pub current: Option<String>,
    /// The TPK this device's team is in the current village: every household and
    /// enrolment recorded here carries it, so the recap's rows are per team.
    pub tpk: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VillageView {
    pub code: String,
    /// e.g. "36.02.01.2002"
    pub dotted: String,
    pub name: String,
    /// "Kec. Malingping, Kab. Lebak, Banten"
    pub place: String,
}

impl VillageView {
    fn of(a: &Area) -> VillageView {
        let place = area::ancestry(a.code)
            .iter()
            .rev()
            .skip(1)
            .map(|p| match p.level {
                Level::District => format!("Kec. {}", p.name),
                _ => p.name.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        VillageView {
            code: a.code.to_string(),
            dotted: area::dotted(a.code),
            name: a.name.to_string(),
            place,
        }
    }
}

fn villages_of(store: &Store) -> Result<Vec<String>, AppError> {
    Ok(store
        .preference(VILLAGES)?
        .map(|s| s.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect())
        .unwrap_or_default())
}

pub fn setup(store: &Store) -> Result<Setup, AppError> {
    let status = pendamping_sync::status(store)?;
    let codes = villages_of(store)?;
    let villages = codes
        .iter()
        .filter_map(|c| area::lookup(c))
        .map(|a| VillageView::of(&a))
        .collect();
    let current = store
        .preference(CURRENT)?
        .filter(|c| codes.contains(c))
        .or_else(|| codes.first().cloned());
    let tpk = match &current {
        Some(c) => Some(team_tpk(store, c)?),
        None => None,
    };
    Ok(Setup {
        tpk,
        configured: store.preference(MODE)?.is_some() && !codes.is_empty(),
        mode: store.preference(MODE)?,
        enrolled: status.server.is_some(),
        server: status.server,
        scope: status.scope.map(|s| s.areas).unwrap_or_default(),
        villages,
        current,
    })
}

/// Villages whose name contains `query`, or the village with that code.
pub fn find_villages(query: &str) -> Vec<VillageView> {
    if let Ok(code) = area::normalize_village_code(query)
        && let Some(a) = area::lookup(&code)
    {
        return vec![VillageView::of(&a)];
    }
    area::search(query, Some(Level::Village), 30)
        .iter()
        .map(VillageView::of)
        .collect()
}

/// The villages of a district (kecamatan) code, for picking them all at once.
pub fn villages_of_district(code: &str) -> Vec<VillageView> {
    area::normalize_code(code)
        .map(|c| area::villages_under(&c).iter().map(VillageView::of).collect())
        .unwrap_or_default()
}

/// Works without a server: the cadre's own villages only.
pub fn work_offline(store: &mut Store, villages: &[String]) -> Result<Setup, AppError> {
    choose_villages(store, villages)?;
    store.set_preference(MODE, "offline")?;
    setup(store)
}

/// Sets the villages this device serves. Enrolled, they must lie in the server's scope.
pub fn choose_villages(store: &mut Store, villages: &[String]) -> Result<Setup, AppError> {
    let scope = pendamping_sync::status(store)?.scope;
    let mut codes = Vec::new();
    for raw in villages {
        let code = area::normalize_village_code(raw)
            .ok()
            .filter(|c| area::lookup(c).is_some())
            .ok_or_else(|| {
                AppError::invalid("area_code", "Kode desa/kelurahan tidak dikenal", "Unknown village code")
            })?;
        if let Some(scope) = &scope
            && !scope.contains(&code)
        {
            return Err(AppError::invalid(
                "area_code",
                "Desa ini di luar wilayah yang diizinkan server untuk perangkat ini",
                "This village lies outside the area the server allows this device",
            ));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.is_empty() {
        return Err(AppError {
            field: Some("villages".into()),
            ..AppError::new(
                "required",
                "Pilih minimal satu desa/kelurahan",
                "Choose at least one village",
            )
        });
    }
    store.set_preference(VILLAGES, &codes.join(","))?;
    apply_zone(store, WIB)?;
    setup(store)
}

/// Western Indonesia Time: the zone before a village is chosen, when the OS has none.
pub const WIB: chrono::FixedOffset = match chrono::FixedOffset::east_opt(7 * 3600) {
    Some(z) => z,
    None => panic!("a valid offset"),
};

pub fn set_current_village(store: &mut Store, code: &str) -> Result<Setup, AppError> {
    let code = area::normalize_village_code(code).unwrap_or_default();
    if !villages_of(store)?.contains(&code) {
        return Err(AppError::invalid(
            "area_code",
            "Desa ini bukan wilayah kerja perangkat ini",
            "This village is not one this device works in",
        ));
    }
    store.set_preference(CURRENT, &code)?;
    apply_zone(store, WIB)?;
    setup(store)
}

/// Sets the store's time zone to the zone of the village on screen (docs/src/design/domain.md §5.3):
/// "today" and a visit's date follow the area's province, not the OS clock's zone, which
/// on cheap tablets is often left at UTC. Before any village is chosen, `fallback`.
pub fn apply_zone(store: &mut Store, fallback: chrono::FixedOffset) -> Result<(), AppError> {
    let offset = setup(store)?
        .current
        .and_then(|v| area::Zone::of_area(&v))
        .and_then(|z| chrono::FixedOffset::east_opt(z.utc_offset_hours() * 3600))
        .unwrap_or(fallback);
    store.set_utc_offset(offset);
    Ok(())
}

/// The village the screens show; an error before the first-run screen is done.
/// The longest TPK name kept (the form's limit too).
pub const TPK_MAX_CHARS: usize = 60;

fn tpk_key(village: &str) -> String {
    format!("tpk.{village}")
}

/// The TPK of this device's team in `village`: as the team set it, else the one most of the
/// village's targets are enrolled with (a tablet joining a team that synced before it), else
/// "TPK" and the village's name.
pub fn team_tpk(store: &Store, village: &str) -> Result<String, AppError> {
    if let Some(t) = store.preference(&tpk_key(village))? {
        return Ok(t);
    }
    if let Some(t) = store.most_used_tpk(village)? {
        return Ok(t);
    }
    Ok(match area::lookup(village) {
        Some(a) => format!("TPK {}", a.name),
        None => format!("TPK {village}"),
    })
}

/// The TPK a new record in `village` carries; kept on first use, so a team's records do
/// not change team when another tablet's data arrives.
pub fn stamp_tpk(store: &mut Store, village: &str) -> Result<String, AppError> {
    let tpk = team_tpk(store, village)?;
    if store.preference(&tpk_key(village))?.is_none() {
        store.set_preference(&tpk_key(village), &tpk)?;
    }
    Ok(tpk)
}

/// Names this device's TPK in the current village (from now on: what was recorded keeps
/// the team it was recorded by).
pub fn set_tpk(store: &mut Store, name: &str) -> Result<Setup, AppError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(AppError::invalid(
            "tpk",
            "Nama TPK wajib diisi",
            "The TPK's name is required",
        ));
    }
    if name.chars().count() > TPK_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "tpk",
            format!("Nama TPK paling panjang {TPK_MAX_CHARS} huruf"),
            format!("A TPK's name is {TPK_MAX_CHARS} letters at most"),
        ));
    }
    let village = current_village(store)?;
    store.set_preference(&tpk_key(&village), &name)?;
    setup(store)
}

pub fn current_village(store: &Store) -> Result<area::AreaCode, AppError> {
    setup(store)?
        .current
        .and_then(|c| area::AreaCode::village(&c).ok())
        .ok_or_else(|| {
            AppError::new(
                "not_configured",
                "Pilih desa wilayah kerja terlebih dahulu",
                "Choose this device's villages first",
            )
        })
}

/// Enrols with the server's enrollment code, then takes the villages picked (or, if
/// none, every village of the scope). The server's answer comes back too: the shell seals
/// the store's key to its recovery key.
pub async fn enroll<A: Access<Replica = pendamping_store::Store> + Clone>(
    mut store: A,
    server: &str,
    code: &str,
    device_name: &str,
    villages: &[String],
) -> Result<(Setup, pendamping_protocol::EnrollResponse), AppError> {
    let server = server.trim();
    if !(server.starts_with("http://") || server.starts_with("https://")) {
        return Err(AppError::invalid(
            "server",
            "Alamat server harus diawali http:// atau https://",
            "The server's address must begin with http:// or https://",
        ));
    }
    if code.trim().is_empty() {
        return Err(AppError {
            field: Some("code".into()),
            ..AppError::new(
                "required",
                "Kode pendaftaran wajib diisi",
                "The enrolment code is required",
            )
        });
    }
    let held: Vec<String> = store
        .with(|s| s.villages_held())?
        .iter()
        .map(|c| area::lookup(c).map_or_else(|| c.clone(), |a| a.name.to_string()))
        .collect();
    let resp = pendamping_sync::enroll(store.clone(), server, code, device_name)
        .await
        .map_err(|e| match e {
            // Refused before it was used up: the code leaves out what this device recorded.
            pendamping_sync::SyncError::Refused {
                code: pendamping_protocol::ErrorCode::ForbiddenArea,
                ..
            } => AppError::invalid(
                "code",
                format!(
                    "Kode ini tidak mencakup desa yang datanya sudah ada di perangkat ini ({}). Kode belum \
                     terpakai: minta admin kode yang mencakup desa itu",
                    held.join(", ")
                ),
                format!(
                    "This code's area leaves out the village whose records this device holds ({}). The code \
                     was not used: ask the admin for a code that covers it",
                    held.join(", ")
                ),
            ),
            e => e.into(),
        })?;
    store
        .with(|s| {
            let picked: Vec<String> = if villages.is_empty() {
                resp.scope
                    .areas
                    .iter()
                    .flat_map(|a| area::villages_under(a.as_str()))
                    .map(|a| a.code.to_string())
                    .collect()
            } else {
                villages.to_vec()
            };
            choose_villages(s, &picked)?;
            s.set_preference(MODE, "server")?;
            setup(s)
        })
        .map(|setup| (setup, resp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pendamping_tests::*;

    #[test]
    fn first_run_offline_keeps_the_chosen_villages_and_shows_the_first() {
        let mut s = store_at(d(2026, 11, 24));
        assert!(!setup(&s).unwrap().configured);
        assert_eq!(current_village(&s).unwrap_err().code, "not_configured");
        let err = work_offline(&mut s, &[]).unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.field.as_deref()),
            ("required", Some("villages"))
        );
        let err = work_offline(&mut s, &["36.02.01.9999".into()]).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("area_code"));
        assert!(!setup(&s).unwrap().configured, "a refused choice changes nothing");

        let got = work_offline(&mut s, &["36.02.01.2002".into(), "3602012003".into()]).unwrap();
        assert!(got.configured && !got.enrolled);
        assert_eq!(got.mode.as_deref(), Some("offline"));
        assert_eq!(got.villages.len(), 2);
        assert_eq!(got.villages[0].dotted, "36.02.01.2002");
        assert!(got.villages[0].place.starts_with("Kec. "), "{}", got.villages[0].place);
        assert_eq!(got.current.as_deref(), Some("3602012002"));
        let got = set_current_village(&mut s, "36.02.01.2003").unwrap();
        assert_eq!(got.current.as_deref(), Some("3602012003"));
        assert_eq!(
            set_current_village(&mut s, "3602012004").unwrap_err().field.as_deref(),
            Some("area_code")
        );
    }

    #[test]
    fn villages_are_found_by_name_or_code() {
        let by_code = find_villages("36.02.01.2002");
        assert_eq!(by_code.len(), 1);
        let by_name = find_villages(&by_code[0].name.to_lowercase());
        assert!(by_name.iter().any(|v| v.code == "3602012002"));
        assert!(villages_of_district("36.02.01").len() > 5);
        assert!(find_villages("").is_empty());
    }

    #[test]
    fn a_visit_at_half_past_midnight_is_dated_that_day_in_wita_and_wit() {
        use pendamping_core::hlc::ManualTime;
        use std::sync::Arc;
        // 00:30 on 1 December in Balikpapan (WITA, +8) and in Jayapura (WIT, +9): in UTC, and
        // in WIB, it is still 30 November.
        for (village, utc) in [
            ("6401012009", "2026-11-30T16:30:00Z"),
            ("9401011001", "2026-11-30T15:30:00Z"),
        ] {
            let at = chrono::DateTime::parse_from_rfc3339(utc).unwrap().timestamp_millis() as u64;
            let mut s = Store::open_in_memory(pendamping_store::Options {
                time: Arc::new(ManualTime::new(at)),
                ..Default::default()
            })
            .unwrap();
            assert_eq!(s.today(), d(2026, 11, 30), "WIB before a village is chosen");
            work_offline(&mut s, &[village.into()]).unwrap();
            assert_eq!(s.today(), d(2026, 12, 1), "{village}");
            let (_, _, _, e) = family_with_child(&mut s, 1, village, d(2025, 6, 1));
            let draft = crate::visits::new_visit(&s, e.id, s.today()).unwrap();
            assert_eq!(draft.visit.visit_date, d(2026, 12, 1));
            assert!(
                crate::visits::save_visit(&mut s, draft.visit).is_ok(),
                "not 'in the future'"
            );
        }
    }
}
