//! A store named by a PostgreSQL connection string rather than a file, and that string as it
//! may be shown (without its password). A leaf: the settings and the store both read it.

/// Is `db` a PostgreSQL connection string rather than a file?
pub fn is_url(db: &str) -> bool {
    // The URL form (its scheme in any case), or the key=value form (`host=… dbname=…`, with
    // or without spaces around `=`) the client also reads: never a file name, which would
    // put a password in one.
    let lower = db.to_ascii_lowercase();
    lower.starts_with("postgres://")
        || lower.starts_with("postgresql://")
        || ["host", "dbname", "user", "password"]
            .iter()
            .any(|k| key_at(db, k).is_some())
}

/// Where the value of key `key` begins in the key=value form (after `=` and any spaces).
fn key_at(s: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(key).map(|i| i + from) {
        let starts_word = i == 0 || s[..i].ends_with(|c: char| c.is_whitespace() || c == '?' || c == '&');
        let after = &s[i + key.len()..];
        let spaced = after.len() - after.trim_start().len();
        if starts_word && after.trim_start().starts_with('=') {
            let value = &after[spaced + 1..];
            return Some(i + key.len() + spaced + 1 + (value.len() - value.trim_start().len()));
        }
        from = i + key.len();
    }
    None
}

/// `url` with its password replaced, for messages and logs.
pub fn redacted(url: &str) -> String {
    let url = &hide_password_params(url);
    let Some(scheme) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    // The user and password come before the host, before any path or query.
    let authority = url[scheme..].split(['/', '?']).next().unwrap_or_default();
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    match authority[..at].find(':') {
        Some(colon) => format!("{}{}:***{}", &url[..scheme], &authority[..colon], &url[scheme + at..]),
        None => url.to_string(),
    }
}

/// `password=…` (a URL's query parameter, or the key=value form, its value quoted or not,
/// spaces around `=` or not) as `password=***`.
fn hide_password_params(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(value) = key_at(rest, "password") {
        let key = rest[..value].rfind("password").unwrap_or(0);
        out.push_str(&rest[..key]);
        out.push_str("password=***");
        let v = &rest[value..];
        let end = match v.strip_prefix('\'') {
            // Quoted: up to the closing quote that no backslash escapes.
            Some(q) => {
                let mut escaped = false;
                let close = q
                    .char_indices()
                    .find(|&(_, c)| {
                        let closes = !escaped && c == '\'';
                        escaped = !escaped && c == '\\';
                        closes
                    })
                    .map_or(q.len(), |(j, _)| j + 1);
                1 + close
            }
            None => v.find(|c: char| c == '&' || c.is_whitespace()).unwrap_or(v.len()),
        };
        rest = &v[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_never_shown_in_any_form() {
        for (given, shown) in [
            ("postgres://pend:S3cr3t@db/prov", "postgres://pend:***@db/prov"),
            (
                "postgres://pend@db/prov?password=S3cr3t&sslmode=disable",
                "postgres://pend@db/prov?password=***&sslmode=disable",
            ),
            (
                "host=db user=pend password=S3cr3t dbname=prov",
                "host=db user=pend password=*** dbname=prov",
            ),
            (
                "postgres://pend@db/prov?application_name=a@b",
                "postgres://pend@db/prov?application_name=a@b",
            ),
            (
                "host=db user=pend password = S3cr3t dbname=prov",
                "host=db user=pend password=*** dbname=prov",
            ),
            (
                "host=db password='S3 cr\\'3t word' dbname=prov",
                "host=db password=*** dbname=prov",
            ),
            ("POSTGRES://pend:S3cr3t@db/prov", "POSTGRES://pend:***@db/prov"),
            ("dbname=prov password=", "dbname=prov password=***"),
        ] {
            assert_eq!(redacted(given), shown);
            assert!(is_url(given), "{given}");
        }
        assert!(!is_url("/srv/central.db") && !is_url("central.db") && !is_url("userdata.db"));
    }
}
