//! Request counters, latency histograms and the database's gauges, exposed in the
//! OpenMetrics text format through `prometheus-client` (the Prometheus project's Rust
//! client: it names, escapes and terminates the exposition).

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::domain::{OutboxStatus, RmaStatus, TriggerStatus};

/// The Content-Type of [`Metrics::render`]'s answer.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CarrierCallLabels {
    carrier: String,
    outcome: &'static str,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// What the process counts; one per service, shared by the request middleware and
/// the poller.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    carrier_calls: Family<CarrierCallLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Latency = Family::new_with_constructor(|| Histogram::new(BUCKETS));
        let carrier_calls = Family::<CarrierCallLabels, Counter>::default();
        let mut registry = Registry::default();
        registry.register(
            "backhaul_http_requests",
            "HTTP requests by route, method and status",
            requests.clone(),
        );
        registry.register(
            "backhaul_http_request_duration_seconds",
            "Time to answer, by route",
            latency.clone(),
        );
        registry.register(
            "backhaul_carrier_calls",
            "Tracking calls by carrier and outcome",
            carrier_calls.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            carrier_calls,
        }
    }
}

/// What the database says at scrape time.
#[derive(Debug, Default)]
pub struct Gauges {
    /// (status, count)
    pub rmas: Vec<(RmaStatus, i64)>,
    /// (direction, status, count)
    pub parcels: Vec<(String, String, i64)>,
    /// (kind, count) of open incidents.
    pub incidents: Vec<(String, i64)>,
    /// How long the oldest due parcel has waited for its poll.
    pub poll_lag_seconds: f64,
    /// (status, count) of refund triggers.
    pub refunds: Vec<(TriggerStatus, i64)>,
    /// (status, count) of outbox messages: pending, sent, dead.
    pub outbox: Vec<(OutboxStatus, i64)>,
}

/// The method as a metrics label or log field: the standard ones, else `other`. A
/// made-up method must not grow a new series (or log line text) per request.
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// A gauge family with one label, holding a count for every value in `all` (zero
/// for those the database has none of) and for any other the database reports.
fn counts_by<'a, T: std::fmt::Display>(
    label: &'static str,
    all: impl IntoIterator<Item = &'a str>,
    counts: &[(T, i64)],
) -> Family<Vec<(&'static str, String)>, Gauge> {
    let family = Family::<Vec<(&'static str, String)>, Gauge>::default();
    for value in all {
        family
            .get_or_create(&vec![(label, value.to_string())])
            .set(0);
    }
    for (value, n) in counts {
        family
            .get_or_create(&vec![(label, value.to_string())])
            .set(*n);
    }
    family
}

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let route = route.to_string();
        self.requests
            .get_or_create(&RequestLabels {
                route: route.clone(),
                method: method.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route })
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one tracking call to `carrier` by its outcome (`ok`, `error`).
    pub fn carrier_call(&self, carrier: &str, outcome: &'static str) {
        self.carrier_calls
            .get_or_create(&CarrierCallLabels {
                carrier: carrier.to_string(),
                outcome,
            })
            .inc();
    }

    /// The exposition: the process's counters, then the database's gauges.
    pub fn render(&self, gauges: &Gauges) -> String {
        let mut db = Registry::default();
        db.register(
            "backhaul_rmas",
            "RMAs by status",
            counts_by(
                "status",
                RmaStatus::ALL.iter().map(|s| s.as_str()),
                &gauges.rmas,
            ),
        );
        let parcels = Family::<Vec<(&'static str, String)>, Gauge>::default();
        for (direction, status, n) in &gauges.parcels {
            parcels
                .get_or_create(&vec![
                    ("direction", direction.clone()),
                    ("status", status.clone()),
                ])
                .set(*n);
        }
        db.register(
            "backhaul_parcels",
            "Tracked parcels by direction and status",
            parcels,
        );
        db.register(
            "backhaul_incidents_open",
            "Open incidents by kind",
            counts_by(
                "kind",
                crate::domain::tracking::IncidentKind::ALL
                    .iter()
                    .map(|k| k.as_str()),
                &gauges.incidents,
            ),
        );
        let lag = Gauge::<f64, AtomicU64>::default();
        lag.set(gauges.poll_lag_seconds);
        db.register(
            "backhaul_poll_lag_seconds",
            "How long the oldest due parcel has waited for its poll",
            lag,
        );
        db.register(
            "backhaul_refund_triggers",
            "Refund triggers by status",
            counts_by(
                "status",
                TriggerStatus::ALL.iter().map(|s| s.as_str()),
                &gauges.refunds,
            ),
        );
        db.register(
            "backhaul_outbox_messages",
            "Outbox messages by status (skipped: not needed; dead: gave up)",
            counts_by(
                "status",
                OutboxStatus::ALL.iter().map(|s| s.as_str()),
                &gauges.outbox,
            ),
        );
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode_registry(&mut out, &self.registry)
            .and_then(|()| encode_registry(&mut out, &db))
            .and_then(|()| encode_eof(&mut out));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges() {
        let m = Metrics::default();
        m.observe("/api/v1/rmas", "POST", 201, Duration::from_millis(3));
        m.observe("/api/v1/rmas", "POST", 201, Duration::from_millis(30));
        m.carrier_call("ups", "ok");
        let text = m.render(&Gauges {
            rmas: vec![(RmaStatus::Authorized, 2)],
            parcels: vec![("outbound".into(), "in_transit".into(), 3)],
            incidents: vec![("lost".into(), 1)],
            poll_lag_seconds: 12.0,
            refunds: vec![(TriggerStatus::Failed, 1)],
            outbox: vec![(OutboxStatus::Dead, 1)],
        });
        assert!(text.contains("backhaul_refund_triggers{status=\"failed\"} 1"));
        assert!(text.contains("backhaul_outbox_messages{status=\"dead\"} 1"));
        assert!(text.contains("backhaul_outbox_messages{status=\"pending\"} 0"));
        assert!(text.contains("backhaul_carrier_calls_total{carrier=\"ups\",outcome=\"ok\"} 1"));
        assert!(text.contains("backhaul_parcels{direction=\"outbound\",status=\"in_transit\"} 3"));
        assert!(text.contains("backhaul_incidents_open{kind=\"lost\"} 1"));
        assert!(text.contains("backhaul_incidents_open{kind=\"damaged\"} 0"));
        assert!(text.contains("backhaul_poll_lag_seconds 12"));
        assert!(text.contains(
            "backhaul_http_requests_total{route=\"/api/v1/rmas\",method=\"POST\",status=\"201\"} 2"
        ));
        assert!(
            text.contains(
                "backhaul_http_request_duration_seconds_bucket{le=\"0.005\",route=\"/api/v1/rmas\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains("backhaul_http_request_duration_seconds_count{route=\"/api/v1/rmas\"} 2")
        );
        assert!(
            text.contains("backhaul_rmas{status=\"authorized\"} 2"),
            "{text}"
        );
        assert!(text.contains("backhaul_rmas{status=\"closed\"} 0"));
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::default();
        m.carrier_call("a\"b\\c\nd", "ok");
        let text = m.render(&Gauges::default());
        assert!(
            text.contains(r#"backhaul_carrier_calls_total{carrier="a\"b\\c\nd",outcome="ok"} 1"#),
            "{text}"
        );
    }
}
