//! The UI's TypeScript types are generated from the DTOs the commands return and take
//! (ts-rs). This test fails when `ui/src/api/types.ts` no longer matches the Rust types;
//! `UPDATE_UI_TYPES=1 cargo test -p pendamping-app --test ui_types` rewrites it.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use ts_rs::{Config, TS, TypeVisitor};

struct Collect<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, String>,
}

impl TypeVisitor for Collect<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Only named, declarable types: primitives and containers have no output path.
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let decl = format!("export {}", T::decl(self.cfg));
        // Two Rust types of one name would overwrite each other here without a word.
        if let Some(other) = self.decls.insert(T::name(self.cfg), decl.clone()) {
            assert_eq!(
                other,
                decl,
                "two types are named {} in TypeScript: rename one",
                T::name(self.cfg)
            );
        }
        T::visit_dependencies(self);
    }
}

fn generate() -> String {
    use pendamping_app::*;
    use pendamping_core::*;
    let cfg = Config::new().with_large_int("number");
    let mut c = Collect {
        cfg: &cfg,
        seen: HashSet::new(),
        decls: BTreeMap::new(),
    };
    c.visit::<AppError>();
    c.visit::<setup::Setup>();
    c.visit::<door::DoorView>();
    c.visit::<home::Home>();
    c.visit::<families::Family>();
    c.visit::<pendamping_store::HouseholdSummary>();
    c.visit::<pendamping_store::PersonSummary>();
    c.visit::<families::Found>();
    c.visit::<pendamping_store::Saved>();
    c.visit::<Household>();
    c.visit::<Person>();
    c.visit::<Enrolment>();
    c.visit::<Visit>();
    c.visit::<pendamping_store::VisitOutcome>();
    c.visit::<visits::VisitDraft>();
    c.visit::<export::Exported>();
    c.visit::<pendamping_core::lists::NameList>();
    c.visit::<export::Format>();
    c.visit::<pendamping_store::Caseload>();
    c.visit::<visits::VisitResult>();
    c.visit::<pendamping_store::Delivery>();
    c.visit::<pendamping_store::DeliveryRecorded>();
    c.visit::<visits::PersonTimeline>();
    c.visit::<chart::GrowthChart>();
    c.visit::<chart::ChartKind>();
    c.visit::<syncing::SyncScreen>();
    c.visit::<pendamping_app::hub::HubScreen>();
    c.visit::<pendamping_app::hub::HubStart>();
    c.visit::<pendamping_app::hub::HubCode>();
    c.visit::<pendamping_app::hub::HubRecoveryCode>();
    c.visit::<pendamping_sync::State>();
    c.visit::<pendamping_app::recap::RecapView>();
    c.visit::<risk::RiskFlag>();
    c.visit::<krs::KrsCriterion>();
    c.visit::<household::WaterSource>();
    c.visit::<household::Latrine>();
    let mut out = String::from(
        "// Generated from the Rust DTOs by crates/app/tests/ui_types.rs: do not edit.\n\
         // UPDATE_UI_TYPES=1 cargo test -p pendamping-app --test ui_types\n\n",
    );
    for decl in c.decls.values() {
        out.push_str(decl);
        out.push_str("\n\n");
    }
    out
}

#[test]
fn ui_types_match_the_rust_dtos() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/api/types.ts");
    let want = generate();
    if std::env::var_os("UPDATE_UI_TYPES").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "ui/src/api/types.ts is out of date: run UPDATE_UI_TYPES=1 cargo test -p pendamping-app --test ui_types"
    );
}
