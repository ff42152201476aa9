//! HTTP for carrier adapters: one `reqwest` client per adapter with connect and read
//! timeouts, retries with jittered exponential backoff on transient failures
//! (connection errors, timeouts, 408, 429, 5xx) that honour `Retry-After`, and a
//! per-carrier rate limit. Other 4xx answers are permanent and come back with the
//! carrier's own message. Requests and errors never carry credentials into logs.

use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::{Client, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::CarrierError;

/// How an adapter talks HTTP; every field has a sensible default.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// The API's base URL without a trailing slash (tests point it at a mock server).
    pub base_url: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Attempts after the first for transient failures.
    pub retries: u32,
    /// First backoff; doubles each retry, with jitter.
    pub backoff: Duration,
    /// Longest wait accepted from a `Retry-After` header.
    pub max_retry_after: Duration,
    /// Requests per second the carrier allows; `None` for no limit.
    pub rate_limit_per_second: Option<f64>,
}

impl HttpSettings {
    pub fn new(base_url: impl Into<String>) -> HttpSettings {
        HttpSettings {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            retries: 3,
            backoff: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(30),
            rate_limit_per_second: None,
        }
    }
}

/// Spaces calls out to at most `per_second`.
struct RateLimit {
    interval: Duration,
    next: Mutex<Instant>,
}

impl RateLimit {
    async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

pub struct CarrierHttp {
    carrier: &'static str,
    client: Client,
    settings: HttpSettings,
    limit: Option<RateLimit>,
}

/// A carrier's answer: status and body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The carrier's own words from an error body, if it has any we recognise.
fn carrier_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let candidates = [
        "/error/message",
        "/error/code",
        "/message",
        "/detail",
        "/errors/0/message",
        "/response/errors/0/message",
        "/messages/0/text",
        "/title",
    ];
    parsed
        .as_ref()
        .and_then(|v| {
            candidates
                .iter()
                .find_map(|p| v.pointer(p).and_then(|m| m.as_str()))
        })
        .map(str::to_string)
        .unwrap_or_else(|| text.chars().take(200).collect())
}

/// Reads a carrier's JSON body; anything unreadable is `Malformed`, never a panic.
pub fn parse_json<T: DeserializeOwned>(carrier: &str, body: &[u8]) -> Result<T, CarrierError> {
    // Checked as UTF-8 once, whole, so the parser need not check every string it borrows.
    let text = std::str::from_utf8(body).map_err(|e| CarrierError::Malformed {
        carrier: carrier.into(),
        message: format!("the answer is not UTF-8 text ({e})"),
    })?;
    serde_json::from_str(text).map_err(|e| not_json(carrier, body, &e))
}

/// As [`parse_json`], for answers read into types that borrow from `body`.
pub fn parse_borrowed<'a, T: serde::Deserialize<'a>>(
    carrier: &str,
    body: &'a [u8],
) -> Result<T, CarrierError> {
    // Checked as UTF-8 once, whole, so the parser need not check every string it borrows.
    let text = std::str::from_utf8(body).map_err(|e| CarrierError::Malformed {
        carrier: carrier.into(),
        message: format!("the answer is not UTF-8 text ({e})"),
    })?;
    serde_json::from_str(text).map_err(|e| not_json(carrier, body, &e))
}

/// Why `body` is not the answer expected, in words an operator can act on.
fn not_json(carrier: &str, body: &[u8], e: &serde_json::Error) -> CarrierError {
    let start = body.iter().find(|b| !b.is_ascii_whitespace());
    let message = match start {
        None => "the answer is empty".to_string(),
        Some(b'<') => "the answer is an HTML or XML page, not JSON (an error page?)".to_string(),
        Some(_) if e.is_eof() => format!("the answer is cut off ({e})"),
        Some(_) => format!("the answer is not the JSON expected ({e})"),
    };
    CarrierError::Malformed {
        carrier: carrier.into(),
        message,
    }
}

impl CarrierHttp {
    pub fn new(carrier: &'static str, settings: HttpSettings) -> Result<CarrierHttp, CarrierError> {
        let client = Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .user_agent(concat!("backhaul/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CarrierError::Unavailable {
                carrier: carrier.into(),
                message: format!("cannot build an HTTP client: {e}"),
            })?;
        let limit = settings
            .rate_limit_per_second
            .filter(|r| *r > 0.0)
            .map(|r| RateLimit {
                interval: Duration::from_secs_f64(1.0 / r),
                next: Mutex::new(Instant::now()),
            });
        Ok(CarrierHttp {
            carrier,
            client,
            settings,
            limit,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.settings.base_url, path)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn unavailable(&self, message: String) -> CarrierError {
        CarrierError::Unavailable {
            carrier: self.carrier.into(),
            message,
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.settings.backoff.saturating_mul(1 << attempt.min(10));
        // Full jitter between half and all of the exponential step.
        let jitter = rand::rng().random_range(0.5..=1.0);
        base.mul_f64(jitter)
    }

    /// Sends the request `build` makes, retrying transient failures. Any final answer
    /// (2xx or a permanent 4xx) is returned; running out of retries is `Unavailable`.
    pub async fn send(
        &self,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<Answer, CarrierError> {
        let mut attempt = 0;
        loop {
            if let Some(limit) = &self.limit {
                limit.wait().await;
            }
            let (wait, failure) = match build(&self.client).send().await {
                Ok(response) => {
                    let status = response.status();
                    let transient = status == StatusCode::REQUEST_TIMEOUT
                        || status == StatusCode::TOO_MANY_REQUESTS
                        || status.is_server_error();
                    if !transient {
                        let body = response.bytes().await.map_err(|e| {
                            self.unavailable(format!("reading the answer failed: {e}"))
                        })?;
                        return Ok(Answer {
                            status,
                            body: body.to_vec(),
                        });
                    }
                    let wait = retry_after(&response)
                        .map(|d| d.min(self.settings.max_retry_after))
                        .unwrap_or_else(|| self.backoff(attempt));
                    let body = response.bytes().await.unwrap_or_default();
                    (wait, format!("HTTP {status}: {}", carrier_message(&body)))
                }
                Err(e) => (
                    self.backoff(attempt),
                    if e.is_timeout() {
                        "timed out".to_string()
                    } else {
                        // Without the URL: it may carry credentials in a query string.
                        format!("request failed: {}", e.without_url())
                    },
                ),
            };
            if attempt >= self.settings.retries {
                return Err(self.unavailable(format!("{failure} (after {} attempts)", attempt + 1)));
            }
            tracing::warn!(carrier = self.carrier, attempt, wait_ms = wait.as_millis() as u64, %failure, "retrying carrier call");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Sends and reads a JSON answer: 401/403 are `Unauthorized`, other 4xx `Rejected`
    /// with the carrier's message, an unreadable body `Malformed`.
    pub async fn json<T: DeserializeOwned>(
        &self,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<T, CarrierError> {
        let answer = self.send(build).await?;
        self.check(&answer)?;
        parse_json(self.carrier, &answer.body)
    }

    /// Turns a non-2xx answer into the matching error.
    /// A poll's tracking answer about `number`, read with the adapter's `read`. A 404
    /// is the carrier not knowing the number: its words are kept when the body reads,
    /// else it is plainly unknown. Any other answer is checked first.
    pub fn polled(
        &self,
        answer: &Answer,
        number: &str,
        read: fn(&[u8], &crate::Asked) -> Result<Vec<crate::TrackingUpdate>, CarrierError>,
    ) -> Result<crate::TrackingUpdate, CarrierError> {
        let asked = crate::Asked::number(number, chrono::Utc::now());
        let carrier = self.carrier;
        if answer.status == StatusCode::NOT_FOUND {
            let known = read(&answer.body, &asked).unwrap_or_default();
            return Ok(crate::tracking::about(known, carrier, number));
        }
        self.check(answer)?;
        Ok(crate::tracking::about(
            read(&answer.body, &asked)?,
            carrier,
            number,
        ))
    }

    pub fn check(&self, answer: &Answer) -> Result<(), CarrierError> {
        match answer.status {
            s if s.is_success() => Ok(()),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(CarrierError::Unauthorized {
                carrier: self.carrier.into(),
            }),
            _ => Err(CarrierError::Rejected {
                carrier: self.carrier.into(),
                message: carrier_message(&answer.body),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::carrier_message;

    #[test]
    fn finds_the_carriers_own_words() {
        let table: [(&str, &str); 5] = [
            (
                r#"{"error":{"code":"SHIPMENT.INVALID","message":"Missing parcel"}}"#,
                "Missing parcel",
            ),
            (
                r#"{"response":{"errors":[{"code":"120100","message":"Invalid address"}]}}"#,
                "Invalid address",
            ),
            (
                r#"{"messages":[{"text":"Rate not available"}]}"#,
                "Rate not available",
            ),
            (r#"{"detail":"Not found"}"#, "Not found"),
            ("plain text", "plain text"),
        ];
        for (body, message) in table {
            assert_eq!(carrier_message(body.as_bytes()), message);
        }
    }
}
