//! A store named by a PostgreSQL connection string rather than a file, and that string as it
//! may be shown (without its password). A leaf: the settings and the store both read it.

/// Is `db` a PostgreSQL connection string rather than a file?
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// `url` with its password replaced, for messages and logs.
pub fn redacted(url: &str) -> String {
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
