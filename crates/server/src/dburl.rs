//! A store named by a PostgreSQL connection string rather than a file, and that string as it
//! may be shown (without its password). A leaf: the settings and the store both read it.

/// Is `db` a PostgreSQL connection string rather than a file?
pub fn is_url(db: &str) -> bool {
    // The URL form (its scheme in any case), or the key=value form (`host=… dbname=…`, with
    // or without spaces around `=`) the client also reads: never a file name, which would
    // put a password in one.
    // A scheme mistyped (`postgres:u:pw@h`, one slash) is still not a file name.
    let lower = db.to_ascii_lowercase();
    lower.starts_with("postgres:")
        || lower.starts_with("postgresql:")
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

/// `db` as it may be shown in messages and logs: what the PostgreSQL client reads of it,
/// rebuilt (user, hosts and ports, database), with a password shown as `***`. Nothing of
/// the string is echoed, so no spelling of a password gets through (a `/` or `?` inside it,
/// an encoded key, a keyword in capitals); a string the client cannot read is said to be one.
pub fn redacted(db: &str) -> String {
    use postgres::config::Host;
    let Ok(c) = db.parse::<postgres::Config>() else {
        return "(string koneksi PostgreSQL yang tidak terbaca / an unreadable PostgreSQL connection string)".into();
    };
    let ports = c.get_ports();
    let port = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
    let (mut tcp, mut sockets) = (Vec::new(), Vec::new());
    for (i, h) in c.get_hosts().iter().enumerate() {
        match h {
            Host::Tcp(name) => tcp.push(format!("{name}:{}", port(i))),
            Host::Unix(dir) => sockets.push(format!("{}:{}", dir.display(), port(i))),
        }
    }
    let user = match (c.get_user(), c.get_password()) {
        (Some(u), Some(_)) => format!("{u}:***@"),
        (Some(u), None) => format!("{u}@"),
        (None, Some(_)) => ":***@".to_string(),
        (None, None) => String::new(),
    };
    let mut out = format!(
        "postgres://{user}{}/{}",
        tcp.join(","),
        c.get_dbname().unwrap_or_default()
    );
    if !sockets.is_empty() {
        out.push_str(&format!(" (socket {})", sockets.join(",")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_never_shown_in_any_form() {
        for (given, shown) in [
            ("postgres://pend:S3cr3t@db/prov", "postgres://pend:***@db:5432/prov"),
            (
                "postgres://pend:S3kr1tb/c+d=@db/prov",
                "postgres://pend:***@db:5432/prov",
            ),
            ("postgres://pend:a?b@db:6543/prov", "postgres://pend:***@db:6543/prov"),
            (
                "postgres://pend@db/prov?password=S3cr3t&sslmode=disable",
                "postgres://pend:***@db:5432/prov",
            ),
            (
                "postgres://pend@db/prov?pass%77ord=S3cr3t",
                "postgres://pend:***@db:5432/prov",
            ),
            (
                "host=db user=pend password=S3cr3t dbname=prov",
                "postgres://pend:***@db:5432/prov",
            ),
            (
                "host=db user=pend password = S3cr3t dbname=prov",
                "postgres://pend:***@db:5432/prov",
            ),
            (
                "host=db password='S3 cr\\'3t word' dbname=prov",
                "postgres://:***@db:5432/prov",
            ),
            (
                "postgres://pend@localhost/prov?host=/run/pg&port=5499",
                "postgres://pend@localhost:5432/prov (socket /run/pg:5499)",
            ),
        ] {
            let got = redacted(given);
            assert!(!got.contains("S3") && !got.contains("a?b"), "{given} → {got}");
            assert_eq!(got, shown, "{given}");
            assert!(is_url(given), "{given}");
        }
        // What the client cannot read is not echoed at all.
        for bad in [
            "postgres:pend:S3cr3t@db",
            "POSTGRES://pend:S3cr3t@db/prov",
            "host=db PASSWORD=S3cr3t sslpassword=S3cr3t",
        ] {
            assert!(is_url(bad), "{bad}");
            assert!(!redacted(bad).contains("S3cr3t"), "{bad}");
        }
        assert!(!is_url("/srv/central.db") && !is_url("central.db") && !is_url("userdata.db"));
    }
}
