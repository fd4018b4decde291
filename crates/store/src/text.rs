//! Folding names for search: lower case, accents removed, words split.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// "Ṡiti  Nur'Aini" → "siti nuraini".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if c == '\'' || c == '’' || c == '`' {
            // Nur'aini and Nuraini are the same name.
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
}

pub fn tokens(s: &str) -> Vec<String> {
    let mut t: Vec<String> = fold(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    t.sort();
    t.dedup();
    t
}

/// The smallest string greater than every string starting with `prefix` (for range scans).
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_apostrophes() {
        assert_eq!(fold("Ṡiti  NUR'Aini"), "siti nuraini");
        assert_eq!(fold("Désy Ratnasari"), "desy ratnasari");
        assert_eq!(tokens("Muhammad Muhammad Rizki"), ["muhammad", "rizki"]);
    }
}
