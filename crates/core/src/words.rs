//! Closed vocabularies — target kinds, exit reasons, relationships, sexes, KB methods,
//! entities — as they are stored, synced and typed: each word is spelt once, in the enum's
//! definition, and serde, the generated TypeScript, `as_str` and `from_word` all read that
//! one spelling (no serde round trip to learn how a value is written).

/// Defines an enum of words: each variant with its text, `ALL`, `as_str`, `from_word`
/// and `Display`.
#[macro_export]
macro_rules! word_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant,)+];

            /// The word as stored and synced.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The variant spelt exactly `word`; `None` for a word this version does not know
            /// (written by a newer one).
            pub fn from_word(word: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|w| w.as_str() == word)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::Entity;
    use crate::enrolment::{ExitReason, TargetKind};
    use crate::person::{Relationship, Sex};
    use crate::visit::KbppMethod;

    fn serde_agrees<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug + Copy>(
        all: &[T],
        text: impl Fn(T) -> &'static str,
        back: impl Fn(&str) -> Option<T>,
    ) {
        for w in all {
            let json = serde_json::to_value(w).unwrap();
            assert_eq!(json, serde_json::Value::String(text(*w).into()));
            assert_eq!(back(text(*w)), Some(*w));
            assert_eq!(serde_json::from_value::<T>(json).unwrap(), *w);
        }
        assert_eq!(back("no_such_word"), None);
    }

    #[test]
    fn each_word_is_spelt_the_same_by_serde_and_as_str() {
        serde_agrees(TargetKind::ALL, TargetKind::as_str, TargetKind::from_word);
        serde_agrees(ExitReason::ALL, ExitReason::as_str, ExitReason::from_word);
        serde_agrees(Relationship::ALL, Relationship::as_str, Relationship::from_word);
        serde_agrees(Sex::ALL, Sex::as_str, Sex::from_word);
        serde_agrees(KbppMethod::ALL, KbppMethod::as_str, KbppMethod::from_word);
        serde_agrees(Entity::ALL, Entity::as_str, Entity::from_word);
        assert_eq!(TargetKind::IbuHamil.as_str(), "ibu_hamil");
        assert_eq!(Sex::from_word("P"), Some(Sex::Female));
        assert_eq!(TargetKind::ALL.len(), 5);
    }
}
