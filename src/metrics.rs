//! Request counters and latency histograms in the Prometheus text format. Kept in
//! process and tiny: a handful of routes times a few statuses.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    carrier_calls: Mutex<BTreeMap<(String, &'static str), u64>>,
}

/// What the database says at scrape time.
#[derive(Debug, Default)]
pub struct Gauges {
    /// (status, count)
    pub rmas: Vec<(String, i64)>,
    /// (direction, status, count)
    pub parcels: Vec<(String, String, i64)>,
    /// (kind, count) of open incidents.
    pub incidents: Vec<(String, i64)>,
    /// How long the oldest due parcel has waited for its poll.
    pub poll_lag_seconds: f64,
    /// (status, count) of refund triggers.
    pub refunds: Vec<(String, i64)>,
    /// (status, count) of outbox messages: pending, sent, dead.
    pub outbox: Vec<(String, i64)>,
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

/// A label value as the exposition format wants it: backslash, double quote and
/// line feed escaped.
fn label(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains(['\\', '"', '\n']) {
        std::borrow::Cow::Owned(
            value
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n"),
        )
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((route.to_string(), method.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            let h = latency.entry(route.to_string()).or_default();
            let secs = elapsed.as_secs_f64();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if secs <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        }
    }

    /// Counts one tracking call to `carrier` by its outcome (`ok`, `error`).
    pub fn carrier_call(&self, carrier: &str, outcome: &'static str) {
        if let Ok(mut calls) = self.carrier_calls.lock() {
            *calls.entry((carrier.to_string(), outcome)).or_default() += 1;
        }
    }

    /// The Prometheus exposition, with the database gauges appended.
    pub fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP backhaul_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE backhaul_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((route, method, status), n) in requests.iter() {
                let (route, method) = (label(route), label(method));
                let _ = writeln!(
                    out,
                    "backhaul_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP backhaul_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE backhaul_http_request_duration_seconds histogram\n");
        if let Ok(latency) = self.latency.lock() {
            for (route, h) in latency.iter() {
                let route = label(route);
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "backhaul_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "backhaul_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "backhaul_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "backhaul_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        out.push_str("# HELP backhaul_rmas RMAs by status.\n# TYPE backhaul_rmas gauge\n");
        for status in crate::domain::RmaStatus::ALL {
            let n = gauges
                .rmas
                .iter()
                .find(|(s, _)| s == status.as_str())
                .map_or(0, |(_, n)| *n);
            let _ = writeln!(out, "backhaul_rmas{{status=\"{status}\"}} {n}");
        }
        out.push_str(
            "# HELP backhaul_carrier_calls_total Tracking calls by carrier and outcome.\n# TYPE backhaul_carrier_calls_total counter\n",
        );
        if let Ok(calls) = self.carrier_calls.lock() {
            for ((carrier, outcome), n) in calls.iter() {
                let carrier = label(carrier);
                let _ = writeln!(
                    out,
                    "backhaul_carrier_calls_total{{carrier=\"{carrier}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP backhaul_parcels Tracked parcels by direction and status.\n# TYPE backhaul_parcels gauge\n");
        for (direction, status, n) in &gauges.parcels {
            let (direction, status) = (label(direction), label(status));
            let _ = writeln!(
                out,
                "backhaul_parcels{{direction=\"{direction}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP backhaul_incidents_open Open incidents by kind.\n# TYPE backhaul_incidents_open gauge\n");
        for kind in crate::domain::tracking::IncidentKind::ALL {
            let n = gauges
                .incidents
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .map_or(0, |(_, n)| *n);
            let _ = writeln!(out, "backhaul_incidents_open{{kind=\"{kind}\"}} {n}");
        }
        out.push_str("# HELP backhaul_poll_lag_seconds How long the oldest due parcel has waited for its poll.\n# TYPE backhaul_poll_lag_seconds gauge\n");
        let _ = writeln!(out, "backhaul_poll_lag_seconds {}", gauges.poll_lag_seconds);
        out.push_str("# HELP backhaul_refund_triggers Refund triggers by status.\n# TYPE backhaul_refund_triggers gauge\n");
        for status in crate::domain::TriggerStatus::ALL.iter().map(|s| s.as_str()) {
            let n = gauges
                .refunds
                .iter()
                .find(|(s, _)| s == status)
                .map_or(0, |(_, n)| *n);
            let _ = writeln!(out, "backhaul_refund_triggers{{status=\"{status}\"}} {n}");
        }
        out.push_str("# HELP backhaul_outbox_messages Outbox messages by status (skipped: not needed; dead: gave up).\n# TYPE backhaul_outbox_messages gauge\n");
        for status in crate::domain::OutboxStatus::ALL.iter().map(|s| s.as_str()) {
            let n = gauges
                .outbox
                .iter()
                .find(|(s, _)| s == status)
                .map_or(0, |(_, n)| *n);
            let _ = writeln!(out, "backhaul_outbox_messages{{status=\"{status}\"}} {n}");
        }
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
            rmas: vec![("authorized".into(), 2)],
            parcels: vec![("outbound".into(), "in_transit".into(), 3)],
            incidents: vec![("lost".into(), 1)],
            poll_lag_seconds: 12.0,
            refunds: vec![("failed".into(), 1)],
            outbox: vec![("dead".into(), 1)],
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
        assert!(text.contains(
            "backhaul_http_request_duration_seconds_bucket{route=\"/api/v1/rmas\",le=\"0.005\"} 1"
        ));
        assert!(
            text.contains("backhaul_http_request_duration_seconds_count{route=\"/api/v1/rmas\"} 2")
        );
        assert!(text.contains("backhaul_rmas{status=\"authorized\"} 2"));
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
