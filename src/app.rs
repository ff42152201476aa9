//! Building and running the service: settings in, a bound listener and a running
//! actix server out. Tests start the real application exactly this way, on port 0.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{web, App, HttpMessage, HttpServer};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::api;
use crate::api::auth::{CustomerTokens, KeyCache};
use crate::api::limits::RateLimiter;
use crate::config::{CarrierAccount, IpRange, Settings};
use crate::db::{Db, DbError};
use crate::domain::exchange::ExchangeRates;
use crate::domain::policy::{Policy, PolicyError};
use crate::domain::routing::Network;
use crate::metrics::Metrics;
use crate::returns::ReturnRules;
use crate::telemetry::RequestSpan;
use backhaul_carriers::dhl::{Dhl, ExpressAccount};
use backhaul_carriers::easypost::EasyPost;
use backhaul_carriers::fedex::FedEx;
use backhaul_carriers::http::HttpSettings;
use backhaul_carriers::sandbox::Scenario;
use backhaul_carriers::shippo::Shippo;
use backhaul_carriers::ups::Ups;
use backhaul_carriers::usps::{Payer as UspsPayer, Usps};
use backhaul_carriers::{CarrierError, Carriers};

/// Where "now" comes from; tests substitute their own.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Portal forms with photos read at the same time; more wait their turn.
const MAX_UPLOADS_AT_ONCE: usize = 4;

/// Everything a request handler may use.
pub struct AppState {
    pub settings: Settings,
    pub db: Db,
    pub policy: Policy,
    pub network: Network,
    pub tokens: CustomerTokens,
    pub keys: KeyCache,
    pub lookups: RateLimiter,
    /// `server.trusted_proxies`, read: whose `X-Forwarded-For` names the client.
    pub proxies: Vec<IpRange>,
    /// Password hashes checked at once (argon2 is slow on purpose).
    pub password_checks: tokio::sync::Semaphore,
    /// Portal forms with photos read at once (each may hold up to 50 MB).
    pub uploads: tokio::sync::Semaphore,
    pub metrics: Metrics,
    pub carriers: Carriers,
    pub exchange_rates: ExchangeRates,
    pub mailer: crate::notify::Mailer,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    /// Everything the service needs except the HTTP listener: settings checked, policy,
    /// warehouses and carriers loaded, database open and migrated.
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> Result<AppState, StartError> {
        let policy = load_policy(&settings)?;
        let network = load_network(&settings)?;
        let exchange_rates = settings
            .exchange_rates()
            .map_err(|e| StartError::Config(e.to_string()))?;
        let carriers = configured_carriers(&settings, clock.clone())?;
        if carriers.get(&settings.labels.default_carrier).is_none() {
            return Err(StartError::Config(format!(
                "labels.default_carrier: {:?} is not configured (configured: {})",
                settings.labels.default_carrier,
                carriers.codes().join(", ")
            )));
        }
        let mailer =
            crate::notify::Mailer::from_settings(&settings.email).map_err(StartError::Config)?;
        let db = open_database(&settings).await?;
        let proxies = settings
            .trusted_proxies()
            .map_err(|e| StartError::Config(e.to_string()))?;
        Ok(AppState {
            proxies,
            password_checks: tokio::sync::Semaphore::new(settings.web.password_checks_at_once),
            uploads: tokio::sync::Semaphore::new(MAX_UPLOADS_AT_ONCE),
            mailer,
            tokens: CustomerTokens::new(token_secret(&settings)),
            settings,
            db,
            policy,
            network,
            keys: KeyCache::default(),
            lookups: RateLimiter::default(),
            metrics: Metrics::default(),
            carriers,
            exchange_rates,
            clock,
        })
    }

    pub fn rules(&self) -> ReturnRules<'_> {
        ReturnRules {
            policy: &self.policy,
            network: &self.network,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("{0}")]
    Config(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

/// Reads a configured file, or the copy built into the binary when the configured path
/// is the default and does not exist (so the binary runs from any directory).
fn read_config_file(
    path: &Path,
    default_path: &str,
    built_in: &'static str,
) -> Result<String, StartError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && path == Path::new(default_path) => {
            Ok(built_in.to_string())
        }
        Err(e) => Err(StartError::Config(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

pub fn load_policy(settings: &Settings) -> Result<Policy, StartError> {
    let text = read_config_file(
        &settings.policy.file,
        "config/policy.toml",
        include_str!("../config/policy.toml"),
    )?;
    Policy::from_toml(&text)
        .map_err(|e| StartError::Config(format!("{}: {e}", settings.policy.file.display())))
}

pub fn load_network(settings: &Settings) -> Result<Network, StartError> {
    let text = read_config_file(
        &settings.warehouses.file,
        "config/warehouses.toml",
        include_str!("../config/warehouses.toml"),
    )?;
    Network::from_toml(&text)
        .map_err(|e| StartError::Config(format!("{}: {e}", settings.warehouses.file.display())))
}

/// Opens the database and runs pending migrations.
pub async fn open_database(settings: &Settings) -> Result<Db, StartError> {
    let url = settings.database.url.clone();
    let pool_size = settings.database.pool_size;
    let db = tokio::task::spawn_blocking(move || {
        let db = Db::connect(&url, pool_size)?;
        db.migrate()?;
        Ok::<_, DbError>(db)
    })
    .await
    .map_err(|e| DbError::Task(e.to_string()))??;
    Ok(db)
}

fn token_secret(settings: &Settings) -> SecretString {
    settings.auth.token_secret.clone().unwrap_or_else(|| {
        use rand::RngCore;
        tracing::warn!(
            "BACKHAUL__AUTH__TOKEN_SECRET is not set: customer tokens use a random key and end at restart"
        );
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretString::from(hex::encode(bytes))
    })
}

/// The sandbox (on the service's clock) and every real carrier the settings enable.
/// A carrier enabled without its credentials stops start-up, naming the variable.
fn configured_carriers(settings: &Settings, clock: Arc<dyn Clock>) -> Result<Carriers, StartError> {
    fn need<T>(value: &Option<T>, carrier: &str, key: &str) -> Result<T, StartError>
    where
        T: Clone,
    {
        value.clone().ok_or_else(|| {
            StartError::Config(format!(
                "carriers.{carrier}.{key}: set BACKHAUL__CARRIERS__{}__{}",
                carrier.to_uppercase(),
                key.to_uppercase()
            ))
        })
    }
    fn http(account: &CarrierAccount) -> HttpSettings {
        let mut http = HttpSettings::new(&account.base_url);
        http.timeout = std::time::Duration::from_secs(account.timeout_seconds.max(1));
        http.retries = account.retries;
        http.rate_limit_per_second = account.rate_limit_per_second;
        http
    }
    fn failed(carrier: &'static str) -> impl Fn(CarrierError) -> StartError {
        move |e| StartError::Config(format!("carriers.{carrier}: {e}"))
    }

    let scenario = match settings.carriers.sandbox.scenario.as_str() {
        "auto" => None,
        name => Some(Scenario::parse(name).ok_or_else(|| {
            StartError::Config(format!(
                "carriers.sandbox.scenario: {name:?} is not auto, normal, lost, damaged, delayed, returned_to_sender, misdelivered or unused"
            ))
        })?),
    };
    let mut carriers = Carriers::with_sandbox(Arc::new(move || clock.now()), scenario);
    let c = &settings.carriers;
    if c.easypost.enabled {
        let key = need(&c.easypost.api_key, "easypost", "api_key")?;
        let adapter = EasyPost::new(http(&c.easypost), key, c.easypost.webhook_secret.clone())
            .map_err(failed("easypost"))?;
        carriers.add(Arc::new(adapter));
    }
    if c.ups.enabled {
        let adapter = Ups::new(
            http(&c.ups),
            need(&c.ups.client_id, "ups", "client_id")?,
            need(&c.ups.client_secret, "ups", "client_secret")?,
            need(&c.ups.account_number, "ups", "account_number")?,
        )
        .map_err(failed("ups"))?;
        carriers.add(Arc::new(adapter));
    }
    if c.fedex.enabled {
        let adapter = FedEx::new(
            http(&c.fedex),
            need(&c.fedex.client_id, "fedex", "client_id")?,
            need(&c.fedex.client_secret, "fedex", "client_secret")?,
            c.fedex.account_number.clone(),
        )
        .map_err(failed("fedex"))?;
        carriers.add(Arc::new(adapter));
    }
    if c.shippo.enabled {
        let adapter = Shippo::new(
            http(&c.shippo),
            need(&c.shippo.api_key, "shippo", "api_key")?,
            c.shippo
                .tracking_carrier
                .clone()
                .unwrap_or_else(|| "shippo".into()),
        )
        .map_err(failed("shippo"))?;
        carriers.add(Arc::new(adapter));
    }
    if c.usps.enabled {
        let mut adapter = Usps::new(
            http(&c.usps),
            need(&c.usps.client_id, "usps", "client_id")?,
            need(&c.usps.client_secret, "usps", "client_secret")?,
        )
        .map_err(failed("usps"))?;
        // Labels only when the business account that pays for them is configured.
        if let (Some(crid), Some(mid), Some(eps_account)) = (
            c.usps.crid.clone(),
            c.usps.mid.clone(),
            c.usps.account_number.clone(),
        ) {
            adapter = adapter.with_payer(UspsPayer {
                manifest_mid: c.usps.manifest_mid.clone().unwrap_or_else(|| mid.clone()),
                crid,
                mid,
                eps_account,
            });
        }
        carriers.add(Arc::new(adapter));
    }
    if c.dhl.enabled {
        let mut adapter = Dhl::new(http(&c.dhl), need(&c.dhl.api_key, "dhl", "api_key")?)
            .map_err(failed("dhl"))?;
        // Labels only when a MyDHL Express account is configured too.
        if let (Some(username), Some(password), Some(account_number)) = (
            c.dhl.client_id.clone(),
            c.dhl.client_secret.clone(),
            c.dhl.account_number.clone(),
        ) {
            let label_url = c
                .dhl
                .label_base_url
                .as_deref()
                .unwrap_or("https://express.api.dhl.com/mydhlapi");
            let mut express = HttpSettings::new(label_url);
            express.timeout = std::time::Duration::from_secs(c.dhl.timeout_seconds.max(1));
            express.retries = c.dhl.retries;
            adapter = adapter
                .with_express(ExpressAccount {
                    settings: express,
                    username,
                    password,
                    account_number,
                })
                .map_err(failed("dhl"))?;
        }
        carriers.add(Arc::new(adapter));
    }
    Ok(carriers)
}

/// Runs `round` every `seconds` (0: never) for as long as the service runs. A round
/// logs its own outcome; a slow round delays the next instead of piling them up.
pub fn spawn_every<F, Fut>(seconds: u64, round: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    if seconds == 0 {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(seconds));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            round().await;
        }
    });
}

/// Voids unused labels past their validity and expires their RMAs, every few minutes.
fn spawn_label_expiry(state: web::Data<AppState>) {
    let minutes = state.settings.labels.expiry_sweep_minutes.max(1);
    spawn_every(minutes * 60, move || {
        let state = state.clone();
        async move {
            match crate::labels::expire_unused(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "expired RMAs with unused labels"),
                Err(e) => tracing::warn!(error = %e, "label expiry sweep failed; will retry"),
            }
        }
    });
}

/// Forgets failed sign-ins and look-ups that have been quiet for a day, hourly.
fn spawn_guess_sweep(state: web::Data<AppState>) {
    spawn_every(3600, move || {
        let state = state.clone();
        async move {
            if let Err(e) = crate::guesses::sweep(&state.db, state.clock.now()).await {
                tracing::warn!(error = %e, "sweeping old failed guesses failed; will retry");
            }
        }
    });
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        Application::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Application, StartError> {
        let state = web::Data::new(AppState::build(settings, clock).await?);
        let addr = state.settings.server.bind.clone();
        let listener = TcpListener::bind(&addr).map_err(|source| StartError::Bind {
            addr: addr.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?
            .port();
        let workers = match state.settings.server.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            let metrics_state = app_state.clone();
            App::new()
                .app_data(app_state.clone())
                .app_data(web::QueryConfig::default().error_handler(api::problem::query_error))
                .app_data(web::PathConfig::default().error_handler(api::problem::path_error))
                .wrap_fn(move |req, srv| {
                    let started = Instant::now();
                    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
                    let method = crate::metrics::method_label(req.method());
                    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
                    let state = metrics_state.clone();
                    let fut = srv.call(req);
                    async move {
                        let mut res = fut.await?;
                        crate::web::secure_headers(res.headers_mut());
                        state.metrics.observe(
                            &route,
                            method,
                            res.status().as_u16(),
                            started.elapsed(),
                        );
                        if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok())
                        {
                            res.headers_mut()
                                .insert(HeaderName::from_static("x-request-id"), id);
                        }
                        Ok(res)
                    }
                })
                .wrap(TracingLogger::<RequestSpan>::new())
                .configure(api::configure)
                .configure(crate::web::configure)
                .default_service(web::to(api::problem::no_such_route))
        })
        .workers(workers)
        .listen(listener)
        .map_err(|source| StartError::Bind {
            addr: format!("port {port}"),
            source,
        })?
        .run();
        spawn_label_expiry(state.clone());
        spawn_guess_sweep(state.clone());
        crate::tracking::poller::spawn(state.clone());
        crate::notify::dispatcher::spawn(state.clone());
        Ok(Application {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
