//! The dashboard's own words in both languages (the domain's codes are named by
//! `pendamping_core::catalogue`), and the language of the response being made: the one a
//! person chose with the switch in the header, kept in a cookie; Indonesian by default.

use axum::http::{HeaderMap, HeaderValue, header};
use pendamping_core::catalogue::{Lang, Words};
use pendamping_report::labels::w;

tokio::task_local! {
    static LANG: Lang;
}

/// The cookie keeping the chosen language (not a secret).
const COOKIE: &str = "pendamping_bahasa";

/// The language of the response being made.
pub fn lang() -> Lang {
    LANG.try_with(|l| *l).unwrap_or_default()
}

/// `words` in the language of the response.
pub fn say(words: Words) -> &'static str {
    words.get(lang())
}

/// `words` with each `{name}` filled in.
pub fn fill(words: Words, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(say(words).to_string(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

/// Runs `f` answering in `lang`.
pub async fn within<F: Future>(lang: Lang, f: F) -> F::Output {
    LANG.scope(lang, f).await
}

/// The same for work moved off the async threads.
pub fn within_sync<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    LANG.sync_scope(lang, f)
}

/// The language a request's cookie chose.
pub fn chosen(headers: &HeaderMap) -> Lang {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .and_then(|(_, v)| Lang::from_word(v))
        .unwrap_or_default()
}

/// The `Set-Cookie` value keeping `lang` for a year.
pub fn cookie(lang: Lang) -> HeaderValue {
    let value = format!("{COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.as_str());
    HeaderValue::from_str(&value).expect("a cookie of ASCII words")
}

// The frame of every page.
pub const DASHBOARD: Words = w("Dasbor Pendamping", "Pendamping dashboard");
pub const BRAND: Words = w("Pendamping · Dasbor", "Pendamping · Dashboard");
pub const LOG_OUT: Words = w("Keluar", "Log out");
/// The switch shows the other language, in that language.
pub const OTHER_LANGUAGE: Words = w("English", "Bahasa Indonesia");
pub const ROLE_DISTRICT: Words = w("Kabupaten (TPPS)", "District (TPPS)");

// Logging in.
pub const LOG_IN: Words = w("Masuk", "Log in");
pub const LOG_IN_TITLE: Words = w("Masuk ke dasbor", "Log in to the dashboard");
pub const LOG_IN_HINT: Words = w(
    "Untuk PLKB dan tim kabupaten (TPPS). Akun dibuat oleh admin server.",
    "For PLKB officers and the district team (TPPS). Accounts are made by the server's admin.",
);
pub const ACCOUNT_NAME: Words = w("Nama akun", "Account name");
pub const PASSWORD: Words = w("Kata sandi", "Password");
pub const WRONG_LOGIN: Words = w("Nama akun atau kata sandi salah.", "Wrong account name or password.");
pub const LOCKED_OUT: Words = w(
    "Terlalu banyak kata sandi salah untuk akun ini. Coba lagi dalam {minutes} menit, atau minta admin memeriksa akun Anda.",
    "Too many wrong passwords for this account. Try again in {minutes} minutes, or ask the admin to check your account.",
);

// Refusals.
pub const FORBIDDEN: Words = w("Tidak boleh dilihat", "Not yours to see");
pub const BAD_REQUEST: Words = w("Permintaan tidak dapat dibaca", "The request cannot be read");
pub const NOT_FOUND: Words = w("Tidak ditemukan", "Not found");
pub const FAILED: Words = w("Terjadi kesalahan", "Something went wrong");
pub const BACK_HOME: Words = w("Kembali ke dasbor", "Back to the dashboard");
pub const TOO_MANY: Words = w(
    "Terlalu banyak percobaan masuk dari alamat ini. Tunggu sebentar lalu coba lagi.",
    "Too many log-in attempts from this address. Wait a moment, then try again.",
);
pub const CROSS_SITE: Words = w(
    "Formulir ini dikirim dari situs lain dan ditolak. Buka dasbor langsung dari alamatnya.",
    "This form was sent from another site and refused. Open the dashboard from its own address.",
);
pub const NO_PAGE: Words = w("Halaman ini tidak ada.", "There is no such page.");
pub const SERVER_FAILED: Words = w(
    "Terjadi kesalahan di server; cobalah lagi sebentar lagi. Rinciannya ada di log server.",
    "The server failed; try again in a moment. The details are in the server's log.",
);
pub const BAD_ADDRESS: Words = w(
    "Alamat halaman tidak dapat dibaca; buka halaman dari menu dasbor.",
    "The page's address cannot be read; open the page from the dashboard's menu.",
);
pub const BAD_FORMAT: Words = w(
    "Format {value} tidak tersedia: pilih CSV atau XLSX.",
    "Format {value} is not offered: choose CSV or XLSX.",
);
pub const BAD_CHART: Words = w("Grafik {value} tidak ada.", "There is no chart {value}.");
pub const BAD_PAGE: Words = w(
    "Halaman {value} tidak ada: tulis nomor halaman, mulai dari 1.",
    "There is no page {value}: write a page number from 1.",
);
pub const ACCOUNT_DISABLED: Words = w(
    "Akun ini sudah dinonaktifkan oleh admin. Hubungi admin kabupaten bila masih memerlukannya.",
    "This account was disabled by the admin. Ask the district's admin if you still need it.",
);
pub const UNKNOWN_AREA: Words = w(
    "Kode wilayah {code} tidak ada dalam daftar wilayah Kemendagri.",
    "There is no area {code} in the Ministry of Home Affairs' list.",
);
pub const OUTSIDE_SCOPE: Words = w(
    "{area} ({code}) di luar wilayah akun {account}.",
    "{area} ({code}) is outside the areas of account {account}.",
);
pub const BAD_MONTH: Words = w(
    "Bulan {month} tidak dapat dibaca: tulislah tahun-bulan, misalnya 2026-11.",
    "Month {month} cannot be read: write year-month, for example 2026-11.",
);

// Where a page is, and when.
pub const AREAS: Words = w("Wilayah", "Areas");
pub const ALL_AREAS: Words = w("Semua wilayah", "All areas");
pub const ACCOUNT_AREAS: Words = w("Semua wilayah akun {account}", "All areas of account {account}");
pub const MONTH: Words = w("Bulan", "Month");
pub const SHOW: Words = w("Tampilkan", "Show");

// The first page.
pub const INDICATORS: Words = w("Indikator", "Indicators");
pub const OF: Words = w("dari", "of");
pub const NONE_YET: Words = w("— belum ada", "— no");
pub const BY: Words = w("Per", "By");
pub const AREA: Words = w("Wilayah", "Area");
pub const DRILL_HINT: Words = w(
    "Ketuk nama wilayah untuk melihat lebih rinci; ketuk angka untuk melihat nama di baliknya.",
    "Tap an area's name for more detail; tap a number to see the names behind it.",
);
pub const TOTAL: Words = w("Jumlah", "Total");
pub const NO_DATA: Words = w("Belum ada data bulan ini", "No data this month yet");
pub const LISTS: Words = w("Daftar nama", "Lists of names");
pub const TRENDS: Words = w("Tren 12 bulan", "12-month trends");
pub const RECAP_FILES: Words = w("Unduh rekap bulanan", "Download the monthly recap");
pub const RECAP: Words = w("Rekap", "Recap");
pub const HUB_NOTE: Words = w(
    "Hub PLKB: angka dari data yang tersimpan di laptop ini, tanpa perlu internet.",
    "PLKB hub: figures from the data kept on this laptop, no internet needed.",
);
pub const SOURCE_NOTE: Words = w(
    "Angka dihitung oleh server dengan fungsi rekap yang sama dengan aplikasi TPK; data sampai sinkronisasi terakhir.",
    "Figures are computed by the server with the same recap functions as the TPK app; data up to the last sync.",
);

// A list's page.
pub const AS_OF_TODAY: Words = w("per hari ini,", "as of today,");
pub const ROWS: Words = w("baris", "rows");
pub const DOWNLOAD: Words = w("Unduh", "Download");
pub const BACK_TO_SUMMARY: Words = w("Kembali ke ringkasan", "Back to the summary");
pub const EMPTY_LIST: Words = w("Tidak ada nama dalam daftar ini.", "No names in this list.");
pub const PAGES: Words = w("Halaman", "Pages");
pub const PREVIOUS: Words = w("‹ Sebelumnya", "‹ Previous");
pub const NEXT: Words = w("Berikutnya ›", "Next ›");
pub const PAGE_OF: Words = w("Halaman {page} dari {pages}", "Page {page} of {pages}");
pub const PAGE_GONE: Words = w(
    "Halaman {asked} tidak ada (daftar ini kini {pages} halaman): ini halaman terakhir.",
    "There is no page {asked} (this list now ends at page {pages}): this is its last page.",
);

// The trend charts.
pub const CHART_VALUES: Words = w("Angka grafik (tabel)", "The chart's values (table)");
pub const RUNNING_MONTH: Words = w(
    "Bulan berjalan: angka s.d. hari ini, {date} — belum sebulan penuh.",
    "The month is still running: figures to today, {date} — not a whole month yet.",
);
pub const RUNNING_TO: Words = w("berjalan, s.d. {date}", "running, to {date}");
pub const TREND_CHILDREN: Words = w(
    "Anak 0–59 bulan yang dikunjungi: stunting, wasting, berat kurang (%)",
    "Children 0–59 months visited: stunted, wasted, underweight (%)",
);
pub const TREND_MOTHERS: Words = w(
    "Ibu hamil: KEK/anemia/tanda bahaya dan TTD ≥ 90 (%)",
    "Pregnant women: KEK/anaemia/danger sign and iron ≥ 90 (%)",
);
pub const TREND_SUPPORT: Words = w(
    "Pendampingan: KRS dikunjungi, anak yang dikunjungi juga diukur (%)",
    "Support: KRS families visited, children visited who were also measured (%)",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_speaks_the_language_it_is_made_in() {
        assert_eq!(say(LOG_OUT), "Keluar");
        within_sync(Lang::En, || {
            assert_eq!(say(LOG_OUT), "Log out");
            assert_eq!(fill(PAGE_OF, &[("page", "2"), ("pages", "5")]), "Page 2 of 5");
        });
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "pendamping_sesi=abc; pendamping_bahasa=en".parse().unwrap(),
        );
        assert_eq!(chosen(&h), Lang::En);
        h.insert(header::COOKIE, "pendamping_bahasa=fr".parse().unwrap());
        assert_eq!(chosen(&h), Lang::Id);
    }
}
