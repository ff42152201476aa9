//! Typed settings: `config/default.toml` (built in, so the binary runs from anywhere),
//! then the file named by `BACKHAUL_CONFIG` if set, then `BACKHAUL__SECTION__KEY`
//! environment variables and `DATABASE_URL`. Secrets come only from the environment and
//! are wrapped so they never print.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;

use crate::domain::exchange::ExchangeRates;
use crate::domain::tracking::TrackingRules;

const BUILT_IN: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub auth: AuthSettings,
    pub lookup: LookupSettings,
    pub labels: LabelSettings,
    pub carriers: CarrierSettings,
    pub policy: FileSetting,
    pub warehouses: FileSetting,
    pub exchange_rates: ExchangeRateSettings,
    pub tracking: TrackingSettings,
    pub email: EmailSettings,
    pub web: WebSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// A scraper sends `Authorization: Bearer <token>`. Unset: only callers on this
    /// machine (loopback) may read the metrics. From the environment only
    /// (`BACKHAUL__METRICS__TOKEN`).
    #[serde(default)]
    pub token: Option<SecretString>,
}

/// The staff pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    /// Session cookies only over HTTPS (browsers treat http://localhost as secure too).
    pub secure_cookies: bool,
    pub session_hours: i64,
    /// Failed sign-ins allowed per hour before back-off starts (doubling from a second
    /// up to 15 minutes): per username and address, per address, per username.
    pub sign_in_failures_per_user_and_address: u32,
    pub sign_in_failures_per_address: u32,
    pub sign_in_failures_per_user: u32,
    /// Password hashes checked at once; more sign-ins wait their turn, so sign-ins
    /// cannot take every core from the API.
    pub password_checks_at_once: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailTransport {
    /// Each message written as an .eml file under `email.dir`.
    File,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or a test sink.
    None,
}

/// Outgoing email: finance's refund messages and customers' status messages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    pub transport: EmailTransport,
    pub dir: PathBuf,
    pub from: String,
    pub finance_to: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    #[serde(default)]
    pub smtp_username: Option<String>,
    #[serde(default)]
    pub smtp_password: Option<SecretString>,
    /// How often the outbox is drained; 0 leaves it to tests.
    pub dispatch_every_seconds: u64,
    /// Tries before a message is dead-lettered.
    pub max_attempts: i32,
    /// Customers get an email when their return changes in a way they care about.
    pub customer_emails: bool,
    /// Where customers reach this service: the start of the links in their emails.
    /// Unset: `http://` and `server.bind`, right for a demo on this machine only.
    #[serde(default)]
    pub public_url: Option<String>,
}

/// The poller and the tracking rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingSettings {
    /// How often the service polls; 0 leaves polling to `backhaul poll`.
    pub poll_every_seconds: u64,
    /// Parcels claimed per round.
    pub claim_batch: i64,
    /// How long a claim holds before another instance may take the parcel.
    pub lease_seconds: i64,
    pub rules: TrackingRules,
}

/// Units of each currency per one unit of `base`, as decimal strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRateSettings {
    pub base: String,
    #[serde(default)]
    pub rates: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub workers: usize,
    pub max_body_bytes: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed, comma-separated addresses
    /// or CIDR ranges (`10.0.0.0/8, ::1`). Empty: the peer address is the client.
    #[serde(default)]
    pub trusted_proxies: String,
    /// This instance's name among several on one database, the same across its
    /// restarts; empty: the host's name and the bound port.
    #[serde(default)]
    pub instance: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub customer_token_minutes: i64,
    /// How long the link in a customer's email opens their return.
    pub customer_link_days: i64,
    /// Signs customer tokens. Unset: a random secret per start (tokens die on restart,
    /// and instances cannot share them), with a warning.
    #[serde(default)]
    pub token_secret: Option<SecretString>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupSettings {
    /// Look-ups per minute from one client address (spread evenly, bursts up to this).
    pub per_ip_per_minute: u32,
    /// Failed look-ups allowed per hour before back-off starts (doubling from a second
    /// up to an hour): per order and address, per address, and per order from
    /// everywhere (a ceiling for guessing from many addresses).
    pub failures_per_order_and_address: u32,
    pub failures_per_address: u32,
    pub failures_per_order: u32,
    /// Wrong postcodes per order per hour; then that order can be found by its email only.
    pub postcode_failures_per_order: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSettings {
    pub default_carrier: String,
    pub expiry_sweep_minutes: u64,
    #[serde(default)]
    pub script_fonts: Vec<std::path::PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarrierSettings {
    pub sandbox: SandboxSettings,
    pub easypost: CarrierAccount,
    pub ups: CarrierAccount,
    pub fedex: CarrierAccount,
    pub dhl: CarrierAccount,
    pub usps: CarrierAccount,
    pub shippo: CarrierAccount,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSettings {
    pub scenario: String,
}

/// One carrier account. Secrets only from the environment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarrierAccount {
    pub enabled: bool,
    pub base_url: String,
    pub timeout_seconds: u64,
    pub retries: u32,
    #[serde(default)]
    pub rate_limit_per_second: Option<f64>,
    #[serde(default)]
    pub api_key: Option<SecretString>,
    #[serde(default)]
    pub webhook_secret: Option<SecretString>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    #[serde(default)]
    pub account_number: Option<String>,
    /// Shippo: the carrier for tracking numbers without a `carrier:` prefix.
    #[serde(default)]
    pub tracking_carrier: Option<String>,
    /// DHL: the MyDHL Express API, which buys labels (tracking is another host).
    #[serde(default)]
    pub label_base_url: Option<String>,
    /// USPS: the Customer Registration ID, Mailer ID and manifest MID that pay for
    /// return labels together with `account_number` (the EPS account).
    #[serde(default)]
    pub crid: Option<String>,
    #[serde(default)]
    pub mid: Option<String>,
    #[serde(default)]
    pub manifest_mid: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSetting {
    pub file: PathBuf,
}

/// An address or CIDR range of trusted reverse proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(text: &str) -> Option<IpRange> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.trim(), Some(p.trim().parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let addr: std::net::IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpRange { addr, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let (net, ip, bits) = match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                (u128::from(u32::from(n)), u128::from(u32::from(i)), 32)
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
            _ => return false,
        };
        let shift = bits - u32::from(self.prefix);
        shift >= bits || (net >> shift) == (ip >> shift)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Loads the settings from the built-in defaults, `BACKHAUL_CONFIG` and the
    /// environment. The error is one line naming the key and the problem.
    pub fn load() -> Result<Settings, ConfigError> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(BUILT_IN, config::FileFormat::Toml));
        if let Ok(path) = std::env::var("BACKHAUL_CONFIG") {
            builder =
                builder.add_source(config::File::with_name(&path).format(config::FileFormat::Toml));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("BACKHAUL")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        if let Ok(url) = std::env::var("DATABASE_URL") {
            builder = builder
                .set_override("database.url", url)
                .map_err(|e| ConfigError(e.to_string()))?;
        }
        let settings: Settings = builder
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| ConfigError(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, why: &str| Err(ConfigError(format!("{key}: {why}")));
        if self.server.bind.parse::<std::net::SocketAddr>().is_err() {
            return bad("server.bind", "expected an address such as 127.0.0.1:8080");
        }
        if self.auth.customer_token_minutes <= 0 {
            return bad("auth.customer_token_minutes", "must be positive");
        }
        if self.auth.customer_link_days <= 0 {
            return bad("auth.customer_link_days", "must be positive");
        }
        if let Some(url) = &self.email.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || url.contains(char::is_whitespace)
            {
                return bad(
                    "email.public_url",
                    "expected an address such as https://returns.example.com",
                );
            }
        }
        if self.server.max_body_bytes < 1024 {
            return bad("server.max_body_bytes", "must be at least 1024");
        }
        if self.database.pool_size == 0 {
            return bad("database.pool_size", "must be at least 1");
        }
        crate::db::DatabaseUrl::parse(&self.database.url)
            .map_err(|e| ConfigError(format!("database.url: {e}")))?;
        self.exchange_rates()?;
        self.tracking.rules.check().map_err(ConfigError)?;
        for (key, address) in [
            ("email.from", &self.email.from),
            ("email.finance_to", &self.email.finance_to),
        ] {
            if address.parse::<lettre::message::Mailbox>().is_err() {
                return bad(
                    key,
                    "expected an email address such as Finance <finance@example.com>",
                );
            }
        }
        if self.email.max_attempts < 1 {
            return bad("email.max_attempts", "must be at least 1");
        }
        if !(1..=600_000).contains(&self.lookup.per_ip_per_minute) {
            return bad("lookup.per_ip_per_minute", "must be 1 to 600000");
        }
        for (key, value) in [
            (
                "lookup.failures_per_order_and_address",
                self.lookup.failures_per_order_and_address,
            ),
            (
                "lookup.failures_per_address",
                self.lookup.failures_per_address,
            ),
            ("lookup.failures_per_order", self.lookup.failures_per_order),
            (
                "lookup.postcode_failures_per_order",
                self.lookup.postcode_failures_per_order,
            ),
            (
                "web.sign_in_failures_per_user_and_address",
                self.web.sign_in_failures_per_user_and_address,
            ),
            (
                "web.sign_in_failures_per_address",
                self.web.sign_in_failures_per_address,
            ),
            (
                "web.sign_in_failures_per_user",
                self.web.sign_in_failures_per_user,
            ),
        ] {
            if value == 0 {
                return bad(key, "must be at least 1");
            }
        }
        if self.web.password_checks_at_once == 0 {
            return bad("web.password_checks_at_once", "must be at least 1");
        }
        self.trusted_proxies()?;
        Ok(())
    }

    /// The instance's name (see `server.instance`; by default the host's name and
    /// `port`, the port it listens on): letters, digits, `.`, `:` and `-` only, so
    /// that it can start a pattern.
    pub fn instance_name(&self, port: u16) -> String {
        let given = self.server.instance.trim();
        let name = if given.is_empty() {
            let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .or_else(|| std::env::var("HOSTNAME").ok())
                .unwrap_or_default();
            format!("{}:{port}", host.trim())
        } else {
            given.to_string()
        };
        name.chars()
            .map(|c| match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | ':' | '-' => c,
                _ => '-',
            })
            .collect()
    }

    /// `server.trusted_proxies`, read.
    pub fn trusted_proxies(&self) -> Result<Vec<IpRange>, ConfigError> {
        self.server
            .trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                IpRange::parse(t).ok_or_else(|| {
                    ConfigError(format!(
                        "server.trusted_proxies: {t:?} is not an address or CIDR range such as 10.0.0.0/8"
                    ))
                })
            })
            .collect()
    }

    /// The start of links to this service in emails, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.email.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.server.bind),
        }
    }

    /// The configured exchange rates, read and checked.
    pub fn exchange_rates(&self) -> Result<ExchangeRates, ConfigError> {
        ExchangeRates::new(&self.exchange_rates.base, &self.exchange_rates.rates)
            .map_err(ConfigError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built_in() -> Settings {
        config::Config::builder()
            .add_source(config::File::from_str(BUILT_IN, config::FileFormat::Toml))
            .build()
            .and_then(|c| c.try_deserialize())
            .expect("defaults parse")
    }

    #[test]
    fn built_in_defaults_load_and_hide_secrets() {
        let mut s = built_in();
        assert_eq!(s.database.url, "sqlite://var/backhaul.db");
        assert!(s.check().is_ok());
        s.auth.token_secret = Some(SecretString::from("hunter2-very-secret"));
        assert!(!format!("{s:?}").contains("hunter2"));
        s.server.bind = "nonsense".into();
        let err = s.check().expect_err("bad bind").to_string();
        assert!(err.contains("server.bind"), "{err}");
    }

    #[test]
    fn a_bad_exchange_rate_names_its_key() {
        let mut s = built_in();
        let rates = s.exchange_rates().expect("built-in rates are valid");
        assert_eq!(rates.base().code(), "EUR");
        s.exchange_rates
            .rates
            .insert("USD".into(), "one point oh eight".into());
        let err = s.check().expect_err("bad rate").to_string();
        assert!(err.contains("exchange_rates.rates.USD"), "{err}");
    }

    #[test]
    fn trusted_proxies_are_addresses_and_ranges() {
        let mut s = built_in();
        assert_eq!(s.trusted_proxies().map(|p| p.len()).ok(), Some(0));
        s.server.trusted_proxies = "10.0.0.0/8, 192.168.1.7 ,::1, fd00::/8".into();
        let proxies = s.trusted_proxies().expect("valid");
        let ip = |t: &str| t.parse::<std::net::IpAddr>().expect("ip");
        // (address, trusted)
        for (addr, trusted) in [
            ("10.1.2.3", true),
            ("11.0.0.1", false),
            ("192.168.1.7", true),
            ("192.168.1.8", false),
            ("::1", true),
            ("::ffff:10.9.9.9", true),
            ("fd12::1", true),
            ("fe80::1", false),
        ] {
            assert_eq!(
                proxies.iter().any(|p| p.contains(ip(addr))),
                trusted,
                "{addr}"
            );
        }
        assert!(IpRange::parse("0.0.0.0/0").is_some_and(|r| r.contains(ip("8.8.8.8"))));
        s.server.trusted_proxies = "10.0.0.0/33".into();
        let err = s.check().expect_err("bad range").to_string();
        assert!(err.contains("server.trusted_proxies"), "{err}");
    }

    #[test]
    fn email_links_start_at_the_public_url() {
        let mut s = built_in();
        assert_eq!(s.public_url(), "http://127.0.0.1:8080", "the bound address");
        s.email.public_url = Some("https://returns.example.com/".into());
        assert_eq!(s.public_url(), "https://returns.example.com");
        assert!(s.check().is_ok());
        s.email.public_url = Some("returns.example.com".into());
        let err = s.check().expect_err("no scheme").to_string();
        assert!(err.contains("email.public_url"), "{err}");
    }
}
