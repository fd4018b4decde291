//! Prometheus metrics: requests, changes accepted and rejected, sync durations.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram>,
    accepted: Counter,
    duplicates: Counter,
    rejected: Family<CodeLabels, Counter>,
    conflicts: Counter,
    pulled: Counter,
    set_aside: Gauge,
    bytes_in: Counter,
    bytes_out: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut m = Metrics {
            registry: Registry::with_prefix("pendamping"),
            requests: Family::default(),
            durations: Family::new_with_constructor(|| Histogram::new(exponential_buckets(0.001, 2.0, 16))),
            accepted: Counter::default(),
            duplicates: Counter::default(),
            rejected: Family::default(),
            conflicts: Counter::default(),
            pulled: Counter::default(),
            set_aside: Gauge::default(),
            bytes_in: Counter::default(),
            bytes_out: Counter::default(),
        };
        let r = &mut m.registry;
        r.register("http_requests", "HTTP requests by route and status", m.requests.clone());
        r.register(
            "http_request_duration_seconds",
            "Time to answer a request (push and pull are the sync durations)",
            m.durations.clone(),
        );
        r.register("changes_accepted", "Changes stored from pushes", m.accepted.clone());
        r.register(
            "changes_duplicate",
            "Changes pushed again that were already stored (acknowledged, not re-applied)",
            m.duplicates.clone(),
        );
        r.register(
            "changes_rejected",
            "Changes refused and quarantined, by code",
            m.rejected.clone(),
        );
        r.register(
            "conflicts",
            "Concurrent edits of one field recorded",
            m.conflicts.clone(),
        );
        r.register("changes_pulled", "Changes served to pulls", m.pulled.clone());
        r.register(
            "log_set_aside",
            "Rows of the change log its readers could not read back, set aside (`pendamping server quarantine` lists them)",
            m.set_aside.clone(),
        );
        r.register(
            "request_body_bytes",
            "Request bytes received, as sent on the wire",
            m.bytes_in.clone(),
        );
        r.register(
            "response_body_bytes",
            "Response bytes sent, as sent on the wire",
            m.bytes_out.clone(),
        );
        m
    }
}

impl Metrics {
    pub fn request(&self, route: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                status,
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(took.as_secs_f64());
    }

    pub fn pushed(&self, accepted: usize, duplicates: usize, rejected: &[&str], conflicts: usize) {
        self.accepted.inc_by((accepted - duplicates) as u64);
        self.duplicates.inc_by(duplicates as u64);
        for code in rejected {
            self.rejected
                .get_or_create(&CodeLabels { code: code.to_string() })
                .inc();
        }
        self.conflicts.inc_by(conflicts as u64);
    }

    /// How many rows of the log are set aside now.
    pub fn set_aside(&self, total: u64) {
        self.set_aside.set(total as i64);
    }

    pub fn pulled(&self, n: usize) {
        self.pulled.inc_by(n as u64);
    }

    pub fn bytes(&self, received: usize, sent: usize) {
        self.bytes_in.inc_by(received as u64);
        self.bytes_out.inc_by(sent as u64);
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
