//! Logging: a `tracing` subscriber (readable on a terminal, JSON lines for shippers) and
//! the per-request root span with a request id. The span deliberately carries no client
//! address, query string or body: customer data stays out of the logs.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use std::io::IsTerminal;

use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber once; later calls (tests) are ignored.
/// `RUST_LOG` overrides the configured level.
pub fn init(settings: &LogSettings) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.level));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match settings.format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .compact()
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
}

/// Root span of each request: method, route pattern (never the raw path with its
/// query) and the request id, which is also returned in `x-request-id`.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        tracing::info_span!(
            "request",
            method = crate::metrics::method_label(request.method()),
            route = %route,
            request_id = %request_id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let (status, error) = match outcome {
            Ok(response) => (
                response.status().as_u16(),
                response.response().error().map(ToString::to_string),
            ),
            Err(error) => (
                error.as_response_error().status_code().as_u16(),
                Some(error.to_string()),
            ),
        };
        span.record("status", status);
        // An error's words may quote the request: bounded, on one line.
        let error = error.map(|e| bounded(&e, 200));
        span.in_scope(|| {
            if status >= 500 {
                tracing::error!(status, error, "request failed");
            } else {
                tracing::info!(status, error, "request done");
            }
        });
    }
}

/// `text` for a log line: at most `max` characters, control characters replaced.
pub fn bounded(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::bounded;

    #[test]
    fn log_text_is_bounded_and_on_one_line() {
        assert_eq!(bounded("short", 10), "short");
        assert_eq!(bounded("a\nb\rc", 10), "a b c");
        assert_eq!(bounded(&"x".repeat(1_000_000), 5), "xxxxx…");
    }
}
