//! The lists with names as sheets a person opens in a spreadsheet (CSV with `;`, XLSX):
//! the same columns from the app, `pendamping list` and the dashboard.

use chrono::NaiveDate;
use pendamping_core::Sex;
use pendamping_core::age;
use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_store::ListRow;

use crate::labels::area_title;
use crate::sheet::{Cell, Format, Sheet};

pub fn title(list: NameList) -> &'static str {
    match list {
        NameList::Stunted => "Anak di bawah −2 SD (stunting)",
        NameList::KekAnaemia => "Ibu hamil KEK, anemia atau tanda bahaya",
        NameList::Krs => "Keluarga berisiko stunting (KRS)",
        NameList::Overdue => "Sasaran terlambat dikunjungi, per TPK",
        NameList::CatinUnscreened => "Calon pengantin belum diskrining",
    }
}

/// The columns every list starts with: where and who.
const WHO: [&str; 6] = ["Desa/kelurahan", "TPK", "Nama", "Kepala keluarga", "RT", "RW"];

fn date(d: Option<NaiveDate>) -> Cell {
    d.map_or(Cell::Text(String::new()), |d| d.format("%d/%m/%Y").to_string().into())
}

fn flags(r: &ListRow) -> Cell {
    let labels: Vec<&str> = r.flags.iter().map(|f| f.label_id()).collect();
    labels.join(", ").into()
}

/// `rows` of `list` as a sheet; ages count to the month's end.
pub fn sheet(list: NameList, month: Month, rows: &[ListRow]) -> Sheet {
    let on = month.last_day();
    let own: &[&'static str] = match list {
        NameList::Stunted => &[
            "Jenis kelamin",
            "Tanggal lahir",
            "Umur (bulan)",
            "Kunjungan terakhir",
            "Berat (kg)",
            "Panjang/tinggi (cm)",
            "TB/U (z)",
            "BB/U (z)",
            "BB/TB (z)",
        ],
        NameList::KekAnaemia => &[
            "Tanggal lahir",
            "Kunjungan terakhir",
            "LiLA (cm)",
            "Hb (g/dL)",
            "Tekanan darah (mmHg)",
            "Temuan bulan ini",
        ],
        NameList::Krs => &["Kunjungan terakhir", "Didampingi bulan ini"],
        NameList::Overdue => &["Sasaran", "Jatuh tempo", "Terlambat (hari)", "Temuan terakhir"],
        NameList::CatinUnscreened => &[
            "Jenis kelamin",
            "Tanggal lahir",
            "Rencana tanggal menikah",
            "Kunjungan terakhir",
        ],
    };
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
            let sex: Cell = match r.sex {
                Some(Sex::Male) => "L".into(),
                Some(Sex::Female) => "P".into(),
                None => "".into(),
            };
            match list {
                NameList::Stunted => cells.extend([
                    sex,
                    date(r.birth_date),
                    r.birth_date
                        .map_or(Cell::Text(String::new()), |b| Cell::Int(age::months(b, on).into())),
                    date(r.last_visit),
                    m.weight_kg.into(),
                    m.lenhei_cm.into(),
                    m.z_len.into(),
                    m.z_wei.into(),
                    m.z_wfl.into(),
                ]),
                NameList::KekAnaemia => cells.extend([
                    date(r.birth_date),
                    date(r.last_visit),
                    m.lila_cm.into(),
                    m.hb.into(),
                    match (m.systolic, m.diastolic) {
                        (Some(s), Some(d)) => format!("{s}/{d}").into(),
                        _ => "".into(),
                    },
                    flags(r),
                ]),
                NameList::Krs => cells.extend([
                    date(r.last_visit),
                    if r.accompanied == Some(true) { "Ya" } else { "Tidak" }.into(),
                ]),
                NameList::CatinUnscreened => {
                    cells.extend([sex, date(r.birth_date), date(r.wedding_date), date(r.last_visit)])
                }
                NameList::Overdue => cells.extend([
                    r.kind.map_or("", |k| k.label_id()).into(),
                    date(r.due),
                    Cell::Int(r.days_overdue.unwrap_or(0)),
                    flags(r),
                ]),
            }
            cells
        })
        .collect();
    Sheet {
        name: format!("{} {month}", list.as_str()),
        headers: WHO.iter().chain(own).copied().collect(),
        rows,
    }
}

/// The file name of `list` for `area` in `month`.
pub fn file_name(list: NameList, area: &str, month: Month, format: Format) -> String {
    format!("daftar-{}-{area}-{month}.{}", list.as_str(), format.extension())
}
