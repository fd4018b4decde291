//! The UI's TypeScript types are generated from the DTOs the commands return and take
//! (ts-rs). This test fails when `ui/src/api/types.ts` no longer matches the Rust types;
//! `UPDATE_UI_TYPES=1 cargo test -p pendamping-app --test ui_types` rewrites it. The same
//! for `ui/src/api/words.ts`: the names of the domain's codes, from the one catalogue
//! (`pendamping_core::catalogue`), typed against the generated types.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use pendamping_core::catalogue::Labelled;
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
    c.visit::<pendamping_app::families::PregnancyNow>();
    c.visit::<chart::GrowthChart>();
    c.visit::<chart::ChartKind>();
    c.visit::<syncing::SyncScreen>();
    c.visit::<pendamping_app::hub::HubScreen>();
    c.visit::<pendamping_app::hub::HubStart>();
    c.visit::<pendamping_app::authority::ServerAuthority>();
    c.visit::<pendamping_app::hub::HubCode>();
    c.visit::<pendamping_app::hub::HubRecoveryCode>();
    c.visit::<pendamping_sync::State>();
    c.visit::<pendamping_app::recap::RecapView>();
    c.visit::<risk::RiskFlag>();
    c.visit::<krs::KrsCriterion>();
    c.visit::<household::WaterSource>();
    c.visit::<household::Latrine>();
    c.visit::<catalogue::Lang>();
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

/// `name`: each code of `T` with its words, `[Indonesian, English]`, in the catalogue's
/// order (the order a form offers them).
fn vocabulary<T: Labelled + TS + serde::Serialize>(
    cfg: &Config,
    name: &str,
    types: &mut Vec<String>,
    out: &mut String,
) {
    let ty = T::name(cfg);
    types.push(ty.clone());
    out.push_str(&format!("export const {name}: Record<{ty}, Pair> = {{\n"));
    for code in T::every() {
        let w = code.words();
        let text = |s: &str| serde_json::to_string(s).unwrap();
        out.push_str(&format!(
            "  {}: [{}, {}],\n",
            serde_json::to_string(code).unwrap(),
            text(w.id),
            text(w.en)
        ));
    }
    out.push_str("}\n\n");
}

fn words() -> String {
    use pendamping_core::*;
    let cfg = Config::new().with_large_int("number");
    let mut body = String::new();
    let mut types = Vec::new();
    vocabulary::<TargetKind>(&cfg, "targetKinds", &mut types, &mut body);
    vocabulary::<recap::TargetGroup>(&cfg, "targetGroups", &mut types, &mut body);
    vocabulary::<risk::RiskFlag>(&cfg, "riskFlags", &mut types, &mut body);
    vocabulary::<krs::KrsCriterion>(&cfg, "krsCriteria", &mut types, &mut body);
    vocabulary::<ExitReason>(&cfg, "exitReasons", &mut types, &mut body);
    vocabulary::<household::WaterSource>(&cfg, "waterSources", &mut types, &mut body);
    vocabulary::<household::Latrine>(&cfg, "latrines", &mut types, &mut body);
    vocabulary::<Relationship>(&cfg, "relationships", &mut types, &mut body);
    vocabulary::<Sex>(&cfg, "sexes", &mut types, &mut body);
    vocabulary::<visit::DangerSign>(&cfg, "dangerSigns", &mut types, &mut body);
    vocabulary::<visit::KbppMethod>(&cfg, "kbppMethods", &mut types, &mut body);
    vocabulary::<visit::Breastfeeding>(&cfg, "breastfeeding", &mut types, &mut body);
    vocabulary::<growth::Indicator>(&cfg, "growthIndicators", &mut types, &mut body);
    vocabulary::<rules::Urgency>(&cfg, "urgencies", &mut types, &mut body);
    vocabulary::<change::Entity>(&cfg, "entities", &mut types, &mut body);
    vocabulary::<enrolment::DeliveryMode>(&cfg, "deliveryModes", &mut types, &mut body);
    vocabulary::<visit::AncProvider>(&cfg, "ancProviders", &mut types, &mut body);
    vocabulary::<growth::Band>(&cfg, "bands", &mut types, &mut body);
    vocabulary::<codes::RejectCode>(&cfg, "rejectCodes", &mut types, &mut body);
    vocabulary::<lists::NameList>(&cfg, "nameLists", &mut types, &mut body);
    types.sort();
    body.push_str("/** Every form field: its name in both languages and its unit, as the messages name it. */\n");
    body.push_str("export const fields = {\n");
    for f in pendamping_core::catalogue::FIELDS {
        let text = |s: &str| serde_json::to_string(s).unwrap();
        body.push_str(&format!(
            "  {}: {{ id: {}, en: {}, unit: {} }},\n",
            text(f.key),
            text(f.id),
            text(f.en),
            text(f.unit)
        ));
    }
    body.push_str("} as const satisfies Record<string, { id: string; en: string; unit: string }>\n\n");
    body.push_str("export type FieldName = keyof typeof fields\n\n");
    body.push_str("/** What each list of names holds, said above it. */\n");
    body.push_str("export const listHolds: Record<NameList, Pair> = {\n");
    for l in lists::NameList::ALL {
        let w = l.holds();
        body.push_str(&format!(
            "  {}: [{}, {}],\n",
            serde_json::to_string(&l).unwrap(),
            serde_json::to_string(w.id).unwrap(),
            serde_json::to_string(w.en).unwrap()
        ));
    }
    body.push_str("}\n\n");
    let notice = pendamping_core::catalogue::PERSONAL_DATA;
    body.push_str("/** What every list of names carries, on screen and in its files. */\n");
    body.push_str(&format!(
        "export const personalData: Pair = [{}, {}]\n",
        serde_json::to_string(notice.id).unwrap(),
        serde_json::to_string(notice.en).unwrap()
    ));
    format!(
        "// Generated from pendamping_core::catalogue by crates/app/tests/ui_types.rs: do not edit.\n\
         // UPDATE_UI_TYPES=1 cargo test -p pendamping-app --test ui_types\n\n\
         import type {{ {} }} from './types'\n\n\
         /** Indonesian, English. */\n\
         export type Pair = [string, string]\n\n{body}",
        types.join(", ")
    )
}

/// `have` is `want`, or is made so under `UPDATE_UI_TYPES`.
fn check(file: &str, want: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/src/api")
        .join(file);
    if std::env::var_os("UPDATE_UI_TYPES").is_some() {
        std::fs::write(&path, want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "ui/src/api/{file} is out of date: run UPDATE_UI_TYPES=1 cargo test -p pendamping-app --test ui_types"
    );
}

#[test]
fn ui_types_match_the_rust_dtos() {
    check("types.ts", &generate());
}

#[test]
fn ui_words_match_the_catalogue() {
    check("words.ts", &words());
}
