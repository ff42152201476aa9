//! The service without HTTP: settings checked, the return policy and warehouses,
//! carriers, the database (opened and migrated), the mailer, the signer of customer
//! tokens, the metrics and the clock. The HTTP server (`startup`), the workers and the
//! CLI all start from [`Core::build`]; `backhaul poll` and the examples need nothing
//! else.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::auth::CustomerTokens;
use crate::config::{CarrierAccount, Settings};
use crate::db::{Db, DbError};
use crate::domain::exchange::ExchangeRates;
use crate::domain::policy::{Policy, PolicyError};
use crate::domain::routing::Network;
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::returns::ReturnRules;
use backhaul_carriers::dhl::{Dhl, ExpressAccount};
use backhaul_carriers::easypost::EasyPost;
use backhaul_carriers::fedex::FedEx;
use backhaul_carriers::http::HttpSettings;
use backhaul_carriers::sandbox::{Sandbox, Scenario};
use backhaul_carriers::script_font::ScriptFont;
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

/// What every use case, worker and adapter shares.
pub struct Core {
    pub settings: Settings,
    pub db: Db,
    pub policy: Policy,
    /// The warehouses returns are routed to.
    pub network: Network,
    pub carriers: Carriers,
    pub exchange_rates: ExchangeRates,
    pub mailer: crate::notify::Mailer,
    /// Signs customer tokens: the look-up's (HTTP) and the links in status emails.
    pub tokens: CustomerTokens,
    /// Requests (HTTP) and carrier calls (the poller), scraped at `/metrics`.
    pub metrics: Metrics,
    pub clock: Arc<dyn Clock>,
    /// For text in scripts Helvetica lacks on our PDFs (labels, packing slips).
    pub script_font: Option<Arc<ScriptFont>>,
}

impl Core {
    /// Everything the service needs except the HTTP listener: settings checked, policy,
    /// warehouses and carriers loaded, database open and migrated.
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> Result<Core, StartError> {
        let policy = load_policy(&settings)?;
        let network = load_network(&settings)?;
        let exchange_rates = settings
            .exchange_rates()
            .map_err(|e| StartError::Config(e.to_string()))?;
        let font = script_font(&settings.labels.script_fonts);
        let carriers = configured_carriers(&settings, clock.clone(), font.clone())?;
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
        Ok(Core {
            mailer,
            tokens: CustomerTokens::new(token_secret(&settings)?),
            settings,
            db,
            policy,
            network,
            metrics: Metrics::default(),
            carriers,
            exchange_rates,
            clock,
            script_font: font,
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

/// The key customer tokens are signed with. On PostgreSQL it must be set: several
/// instances serve the same customers, and a token one signs must open on another.
/// On SQLite (one instance) a random key per start will do, with a warning.
fn token_secret(settings: &Settings) -> Result<SecretString, StartError> {
    if let Some(secret) = &settings.auth.token_secret {
        return Ok(secret.clone());
    }
    if matches!(
        crate::db::DatabaseUrl::parse(&settings.database.url),
        Ok(crate::db::DatabaseUrl::Postgres(_))
    ) {
        return Err(StartError::Config(
            "auth.token_secret: set BACKHAUL__AUTH__TOKEN_SECRET, the same on every instance: \
             on PostgreSQL several instances serve one shop, and a customer's token signed \
             by one must open on the others"
                .into(),
        ));
    }
    use rand::RngCore;
    tracing::warn!(
        "BACKHAUL__AUTH__TOKEN_SECRET is not set: customer tokens use a random key and end at restart"
    );
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    Ok(SecretString::from(hex::encode(bytes)))
}

/// The first of `paths` that reads as a font; none is no error (addresses in other
/// scripts then print in Latin letters), but worth a line in the log. Read once per
/// process: a CJK font file is ~20 MB.
fn script_font(paths: &[std::path::PathBuf]) -> Option<Arc<ScriptFont>> {
    type Loaded = std::collections::HashMap<Vec<std::path::PathBuf>, Option<Arc<ScriptFont>>>;
    static LOADED: std::sync::OnceLock<std::sync::Mutex<Loaded>> = std::sync::OnceLock::new();
    let mut loaded = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    loaded
        .entry(paths.to_vec())
        .or_insert_with(|| first_font(paths))
        .clone()
}

fn first_font(paths: &[std::path::PathBuf]) -> Option<Arc<ScriptFont>> {
    for path in paths {
        match ScriptFont::load(path) {
            Ok(font) => {
                tracing::info!(font = %path.display(), "labels print other scripts with this font");
                return Some(Arc::new(font));
            }
            Err(e) => tracing::debug!(error = %e, "label font not used"),
        }
    }
    if !paths.is_empty() {
        tracing::warn!(
            "none of labels.script_fonts reads: addresses in other scripts print in Latin letters (install fonts-noto-cjk)"
        );
    }
    None
}

/// The sandbox (on the service's clock) and every real carrier the settings enable.
/// A carrier enabled without its credentials stops start-up, naming the variable.
fn configured_carriers(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    script_font: Option<Arc<ScriptFont>>,
) -> Result<Carriers, StartError> {
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
    let sandbox = Sandbox::with_clock(Arc::new(move || clock.now()))
        .with_scenario(scenario)
        .with_script_font(script_font);
    let mut carriers = Carriers::with_sandbox(sandbox);
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

/// Starts the service's periodic workers: the tracking poller and the outbox
/// dispatcher (once what they had leased before this instance restarted is free
/// again), the label expiry sweep and the sweep of old failed guesses. `port` is the
/// one the service listens on (part of the instance's default name).
pub fn spawn_workers(core: &Arc<Core>, port: u16) {
    let leasing = core.clone();
    let instance = core.settings.instance_name(port);
    tokio::spawn(async move {
        take_back_own_leases(&leasing, &instance).await;
        crate::tracking::poller::spawn(leasing.clone(), worker_owner(&instance, "poller"));
        crate::notify::dispatcher::spawn(leasing, worker_owner(&instance, "dispatcher"));
    });
    crate::labels::spawn_expiry(core.clone());
    crate::guesses::spawn_sweep(core.clone());
}

/// Frees what `instance` had leased before it restarted, if no other live instance
/// goes by the same name (a PostgreSQL advisory lock on the name, held while this
/// process lives, tells): two instances sharing a name must not free each other's
/// work.
async fn take_back_own_leases(core: &Arc<Core>, instance: &str) {
    let (db, name) = (core.db.clone(), format!("backhaul-instance:{instance}"));
    let held = tokio::task::spawn_blocking(move || db.hold_named_lock(&name)).await;
    match held {
        Ok(Ok(Some(lock))) => {
            if let Err(e) = release_own_leases(core, instance).await {
                tracing::warn!(error = %e, "could not free this instance's old leases; they run out on their own");
            }
            // Held for as long as the process runs.
            tokio::spawn(async move {
                let _lock = lock;
                std::future::pending::<()>().await;
            });
        }
        Ok(Ok(None)) => tracing::error!(
            instance,
            "another running instance has this name; give each its own server.instance (its old leases run out on their own)"
        ),
        Ok(Err(e)) => tracing::warn!(error = %e, "could not lock this instance's name; its old leases run out on their own"),
        Err(e) => tracing::warn!(error = %e, "could not lock this instance's name"),
    }
}

/// How `instance`'s `kind` worker names itself as a lease owner: the instance's name
/// (the same across restarts), then one for this start (see [`worker_owner`]).
pub fn worker_prefix(instance: &str, kind: &str) -> String {
    format!("{kind}@{instance}#")
}

/// This start's lease owner name for `instance`'s `kind` worker.
pub fn worker_owner(instance: &str, kind: &str) -> String {
    format!(
        "{}{}",
        worker_prefix(instance, kind),
        uuid::Uuid::new_v4().simple()
    )
}

/// Frees the outbox messages and parcels `instance`'s workers had leased before it
/// restarted: a crash's work is due again at once, not after its lease; how many.
pub async fn release_own_leases(core: &Core, instance: &str) -> Result<usize, AppError> {
    let dispatcher = worker_prefix(instance, "dispatcher");
    let poller = worker_prefix(instance, "poller");
    core.db
        .write(move |c| {
            let messages = crate::db::outbox::release_leases(c, &dispatcher)?;
            let parcels = crate::db::parcels::release_leases(c, &poller)?;
            if messages + parcels > 0 {
                tracing::info!(
                    messages,
                    parcels,
                    "took back what this instance had leased before it restarted"
                );
            }
            Ok::<_, AppError>(messages + parcels)
        })
        .await
}

/// Runs `round` every `seconds` (0: never) for as long as the service runs. A round
/// logs its own outcome; a slow round delays the next instead of piling them up.
/// Extends a worker's lease on rows of one table (its `extend_lease`).
pub type ExtendLease = fn(
    &mut crate::db::DbConnection,
    &str,
    &[String],
    chrono::DateTime<chrono::Utc>,
) -> diesel::QueryResult<usize>;

/// Runs `work` while keeping `owner`'s leases on `ids` (rows it claimed for `lease_seconds`)
/// renewed every third of the lease: a live worker holds its work however long a slow
/// carrier or relay takes, a crashed one's comes back after one short lease.
pub async fn holding_leases<T>(
    core: &Core,
    owner: &str,
    ids: Vec<String>,
    lease_seconds: i64,
    extend: ExtendLease,
    work: impl std::future::Future<Output = T>,
) -> T {
    tokio::pin!(work);
    let every =
        std::time::Duration::from_secs(u64::try_from(lease_seconds / 3).unwrap_or(1).max(1));
    let mut tick = tokio::time::interval(every);
    // The first tick is at once; the first renewal one period in.
    tick.tick().await;
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = tick.tick() => {
                let (ids, owner) = (ids.clone(), owner.to_string());
                let until = core.clock.now() + chrono::Duration::seconds(lease_seconds);
                let renewed = core
                    .db
                    .write(move |c| extend(c, &owner, &ids, until).map_err(crate::error::AppError::from))
                    .await;
                if let Err(e) = renewed {
                    tracing::warn!(error = %e, "leases not renewed");
                }
            }
        }
    }
}

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
