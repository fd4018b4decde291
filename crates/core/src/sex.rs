//! A person's sex as the KK and the NIK record it (L/P): a vocabulary of its own, which the
//! NIK, the growth standards and the person all read.

crate::word_enum! {
    pub enum Sex {
        Male = "L",
        Female = "P",
    }
}

impl Sex {
    /// Accepts 1/2, m/f, l/p (laki-laki/perempuan), in any case.
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1" | "m" | "l" | "male" | "laki-laki" => Some(Sex::Male),
            "2" | "f" | "p" | "female" | "perempuan" => Some(Sex::Female),
            _ => None,
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Sex::Male => 0,
            Sex::Female => 1,
        }
    }
}
