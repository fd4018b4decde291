//! A store named by a PostgreSQL connection string rather than a file, and that string as it
//! may be shown (without its password). A leaf: the settings and the store both read it.

/// Is `db` a PostgreSQL connection string rather than a file?
pub fn is_url(db: &str) -> bool {
    // The URL form, or the key=value form (`host=… dbname=…`) the client also reads: never
    // a file name, which would put a password in one.
    db.starts_with("postgres://")
        || db.starts_with("postgresql://")
        || db.split_whitespace().any(|kv| {
            ["host=", "dbname=", "user=", "password="]
                .iter()
                .any(|k| kv.starts_with(k))
        })
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

/// `password=…` (a URL's query parameter, or the key=value form) as `password=***`.
fn hide_password_params(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("password=") {
        out.push_str(&rest[..at + "password=".len()]);
        out.push_str("***");
        let after = &rest[at + "password=".len()..];
        let end = after.find(['&', ' ']).unwrap_or(after.len());
        rest = &after[end..];
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
        ] {
            assert_eq!(redacted(given), shown);
            assert!(is_url(given), "{given}");
        }
        assert!(!is_url("/srv/central.db") && !is_url("central.db"));
    }
}
