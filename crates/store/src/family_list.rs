//! What a government family list is matched against: the families a store already holds.

use pendamping_core::area::AreaCode;
use pendamping_core::family_list::Known;
use pendamping_core::nik::digits_only;
use pendamping_core::person::Relationship;
use uuid::Uuid;

use crate::{Result, Store};

impl Store {
    /// The families of `areas` by KK number and by their head's NIK (digits only, as a list
    /// gives them), for a list's preview to match instead of making them again. A number
    /// two families share (typed twice by mistake) matches the first by id.
    pub fn known_families(&self, areas: &[AreaCode]) -> Result<Known> {
        let mut known = Known::default();
        for area in areas {
            let (lo, hi) = area.range();
            let mut by_kk = self.conn.prepare_cached(
                "SELECT kk_number, id FROM households WHERE area_code >= ?1 AND area_code < ?2 \
                 AND deleted = 0 AND kk_number IS NOT NULL ORDER BY id",
            )?;
            for row in by_kk.query_map((&lo, &hi), |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
                let (kk, id) = row?;
                if let Ok(id) = Uuid::parse_str(&id) {
                    known.by_kk.entry(digits_only(&kk)).or_insert(id);
                }
            }
            let mut by_nik = self.conn.prepare_cached(
                "SELECT nik, household_id FROM persons WHERE area_code >= ?1 AND area_code < ?2 \
                 AND deleted = 0 AND nik IS NOT NULL AND relationship = ?3 ORDER BY household_id",
            )?;
            let head = Relationship::KepalaKeluarga.as_str();
            for row in by_nik.query_map((&lo, &hi, head), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })? {
                let (nik, id) = row?;
                if let Ok(id) = Uuid::parse_str(&id) {
                    known.by_head_nik.entry(digits_only(&nik)).or_insert(id);
                }
            }
        }
        Ok(known)
    }
}
