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

    /// The Prometheus exposition, with `rmas` (status, count) appended as a gauge.
    pub fn render(&self, rmas: &[(String, i64)]) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP backhaul_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE backhaul_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((route, method, status), n) in requests.iter() {
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
            let n = rmas
                .iter()
                .find(|(s, _)| s == status.as_str())
                .map_or(0, |(_, n)| *n);
            let _ = writeln!(out, "backhaul_rmas{{status=\"{status}\"}} {n}");
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
        let text = m.render(&[("authorized".into(), 2)]);
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
}
