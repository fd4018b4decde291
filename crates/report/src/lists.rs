//! The lists with names as sheets a person opens in a spreadsheet (CSV with `;`, XLSX):
//! the same columns from the app, `pendamping list` and the dashboard.

use chrono::NaiveDate;
use pendamping_core::age;
use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_store::ListRow;

use crate::labels::{Labelled, Lang, Words, area_title, w};
use crate::sheet::{Cell, Format, Sheet};

/// Where the person's name is among `WHO`: a page on a phone shows it first.
pub const NAME_COLUMN: usize = 2;

/// The columns every list starts with: where and who.
const WHO: [Words; 6] = [
    w("Desa/kelurahan", "Village"),
    w("TPK", "TPK"),
    w("Nama", "Name"),
    w("Kepala keluarga", "Head of family"),
    w("RT", "RT"),
    w("RW", "RW"),
];

/// The columns of a list of pregnant women, ending with what their findings are of.
const fn maternal(findings: Words) -> [Words; 6] {
    [
        w("Tanggal lahir", "Date of birth"),
        w("Kunjungan terakhir", "Last visit"),
        w("LiLA (cm)", "MUAC (cm)"),
        w("Hb (g/dL)", "Hb (g/dL)"),
        w("Tekanan darah (mmHg)", "Blood pressure (mmHg)"),
        findings,
    ]
}

/// Each list's own columns, after `WHO`.
fn columns(list: NameList) -> &'static [Words] {
    match list {
        NameList::Stunted => {
            const {
                &[
                    w("Jenis kelamin", "Sex"),
                    w("Tanggal lahir", "Date of birth"),
                    w("Umur saat diukur (bulan)", "Age when measured (months)"),
                    w("Kunjungan terakhir", "Last visit"),
                    w("Berat (kg)", "Weight (kg)"),
                    w("Panjang/tinggi (cm)", "Length/height (cm)"),
                    w("TB/U (z)", "HAZ (z)"),
                    w("BB/U (z)", "WAZ (z)"),
                    w("BB/TB (z)", "WHZ (z)"),
                ]
            }
        }
        NameList::KekAnaemia => const { &maternal(w("Temuan bulan ini", "Findings this month")) },
        NameList::PregnantAtRisk => const { &maternal(w("Temuan kunjungan terakhir", "Findings at the latest visit")) },
        NameList::Krs => {
            const {
                &[
                    w("Kunjungan terakhir", "Last visit"),
                    w("Dikunjungi bulan ini", "Visited this month"),
                ]
            }
        }
        NameList::Overdue => {
            const {
                &[
                    w("Sasaran", "Target"),
                    w("Jatuh tempo", "Due"),
                    w("Terlambat (hari)", "Overdue (days)"),
                    w("Temuan terakhir", "Last findings"),
                ]
            }
        }
        NameList::CatinUnscreened => {
            const {
                &[
                    w("Jenis kelamin", "Sex"),
                    w("Tanggal lahir", "Date of birth"),
                    w("Rencana tanggal menikah", "Planned wedding date"),
                    w("Kunjungan terakhir", "Last visit"),
                ]
            }
        }
    }
}

/// A list's headers in `lang`.
pub fn headers(list: NameList, lang: Lang) -> Vec<&'static str> {
    WHO.iter().chain(columns(list)).map(|c| c.get(lang)).collect()
}

fn date(d: Option<NaiveDate>) -> Cell {
    d.map_or(Cell::Text(String::new()), |d| d.format("%d/%m/%Y").to_string().into())
}

fn flags(r: &ListRow, lang: Lang) -> Cell {
    let labels: Vec<&str> = r.flags.iter().map(|f| f.label(lang)).collect();
    labels.join(", ").into()
}

/// `rows` of `list` as a sheet in `lang`; ages count to the day the month is counted to
/// (its last day, or `today` while it runs: the age the person's own page shows).
pub fn sheet(list: NameList, month: Month, rows: &[ListRow], lang: Lang, today: NaiveDate) -> Sheet {
    let on = month.last_day().min(today);
    let yes_no = |b: bool| if b { w("Ya", "Yes") } else { w("Tidak", "No") }.get(lang);
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells: Vec<Cell> = vec![
                area_title(&r.area_code).into(),
                r.tpk.clone().into(),
                r.name.clone().into(),
                r.head_name.clone().into(),
                r.rt.clone().unwrap_or_default().into(),
                r.rw.clone().unwrap_or_default().into(),
            ];
            let m = &r.last;
            let sex: Cell = r.sex.map_or("", |s| s.label(lang)).into();
            match list {
                NameList::Stunted => cells.extend([
                    sex,
                    date(r.birth_date),
                    // Age when measured: the age its z-scores are of (a child measured at 59
                    // months is not "60" on the list because she had a birthday since).
                    r.birth_date.map_or(Cell::Text(String::new()), |b| {
                        Cell::Int(age::months(b, r.last_visit.unwrap_or(on)).into())
                    }),
                    date(r.last_visit),
                    m.weight_kg.into(),
                    m.lenhei_cm.into(),
                    m.z_len.into(),
                    m.z_wei.into(),
                    m.z_wfl.into(),
                ]),
                NameList::KekAnaemia | NameList::PregnantAtRisk => cells.extend([
                    date(r.birth_date),
                    date(r.last_visit),
                    m.lila_cm.into(),
                    m.hb.into(),
                    match (m.systolic, m.diastolic) {
                        (Some(s), Some(d)) => format!("{s}/{d}").into(),
                        _ => "".into(),
                    },
                    flags(r, lang),
                ]),
                NameList::Krs => cells.extend([date(r.last_visit), yes_no(r.accompanied == Some(true)).into()]),
                NameList::CatinUnscreened => {
                    cells.extend([sex, date(r.birth_date), date(r.wedding_date), date(r.last_visit)])
                }
                NameList::Overdue => cells.extend([
                    r.kind.map_or("", |k| k.label(lang)).into(),
                    date(r.due),
                    Cell::Int(r.days_overdue.unwrap_or(0)),
                    flags(r, lang),
                ]),
            }
            cells
        })
        .collect();
    Sheet {
        name: format!("{} {month}", list.as_str()),
        headers: headers(list, lang),
        rows,
        personal: Some(pendamping_core::catalogue::PERSONAL_DATA.get(lang)),
        lang,
    }
}

/// The file name of `list` for `area` in `month`: it says it holds personal data.
/// A list drawn as of today is named by today's date, not by a month it does not depend on.
pub fn file_name(list: NameList, area: &str, (month, today): (Month, NaiveDate), format: Format) -> String {
    let when = if list.as_of_today() {
        today.to_string()
    } else {
        month.to_string()
    };
    format!(
        "daftar-{}-{area}-{when}-data-pribadi.{}",
        list.as_str(),
        format.extension()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_column_is_where_the_page_looks_for_it() {
        assert_eq!(WHO[NAME_COLUMN].get(Lang::Id), "Nama");
        for list in NameList::ALL {
            assert_eq!(headers(list, Lang::En)[NAME_COLUMN], "Name", "{list:?}");
        }
    }
}
