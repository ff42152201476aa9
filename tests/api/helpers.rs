//! Starts the real application on a random port against a fresh database (a SQLite file
//! in a temporary folder, or a new PostgreSQL database), with one API key per role and
//! a clock the test can move.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use backhaul::config::Settings;
use backhaul::core::Clock;
use backhaul::db::api_keys;
use backhaul::domain::Role;
use backhaul::startup::Application;
use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::{Connection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub keys: HashMap<Role, String>,
    pub clock: Arc<TestClock>,
    pub state: actix_web::web::Data<backhaul::api::state::AppState>,
    _dir: tempfile::TempDir,
}

/// The fixed "now" tests start at.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .expect("valid time")
}

/// Admin URL of the PostgreSQL server the test command started.
pub fn postgres_admin_url() -> String {
    std::env::var("BACKHAUL_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "PostgreSQL tests need BACKHAUL_TEST_POSTGRES_URL (an admin URL such as \
             postgres://postgres@127.0.0.1:5433/postgres). Run the suite with scripts/test, \
             which starts a throwaway server."
        )
    })
}

/// Creates a fresh PostgreSQL database and returns its URL.
pub fn fresh_postgres_database() -> String {
    let admin = postgres_admin_url();
    let name = format!("backhaul_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn =
        diesel::PgConnection::establish(&admin).expect("connect to the test PostgreSQL server");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .expect("create a test database");
    match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("BACKHAUL_TEST_POSTGRES_URL must end in /DATABASE"),
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// The settings every test app starts from, its files under `dir`.
fn test_settings(backend: Backend, dir: &tempfile::TempDir) -> Settings {
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("backhaul.db").display()),
        Backend::Postgres => fresh_postgres_database(),
    };
    let mut settings = Settings::load().expect("settings load");
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.workers = 1;
    settings.database.url = database_url;
    settings.database.pool_size = 3;
    settings.lookup.per_ip_per_minute = 1000;
    // Tests poll and drain the outbox themselves, with the clock where they want it.
    settings.tracking.poll_every_seconds = 0;
    settings.email.dispatch_every_seconds = 0;
    settings.email.dir = dir.path().join("mail");
    // Instances on one PostgreSQL must share it (start-up refuses otherwise).
    settings.auth.token_secret = Some(secrecy::SecretString::from(
        "test-token-secret-0123456789abcdef",
    ));
    settings
}

/// Why an app with `adjust`ed settings does not start, or `None` when it does.
pub async fn start_error(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(backend, &dir);
    adjust(&mut settings);
    let clock = Arc::new(TestClock(Mutex::new(start_time())));
    Application::build_with_clock(settings, clock)
        .await
        .err()
        .map(|e| e.to_string())
}

/// An app whose sandbox carrier runs every parcel's normal timeline (none lost or
/// late), whatever its tracking number would choose.
pub async fn spawn_app_with_normal_parcels(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| s.carriers.sandbox.scenario = "normal".into()).await
}

pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(backend, &dir);
    adjust(&mut settings);
    let clock = Arc::new(TestClock(Mutex::new(start_time())));
    let app = Application::build_with_clock(settings, clock.clone())
        .await
        .expect("the application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let mut keys = HashMap::new();
    for role in Role::ALL {
        let (_, secret) = state
            .db
            .write_blocking(|c| {
                api_keys::create(c, *role, "test", start_time())
                    .map_err(backhaul::error::AppError::from)
            })
            .expect("create key");
        keys.insert(*role, secret);
    }
    TestApp {
        address,
        client: reqwest::Client::new(),
        keys,
        clock,
        state,
        _dir: dir,
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts a problem+json answer with `status` and returns it.
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "{}",
            self.text
        );
        for field in ["type", "title", "status", "detail"] {
            assert!(
                self.body.get(field).is_some(),
                "problem lacks {field}: {}",
                self.text
            );
        }
        &self.body
    }

    pub fn has_error_field(&self, field: &str) -> bool {
        self.body["errors"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|e| e["field"] == field))
    }
}

/// Who sends a request.
#[derive(Debug, Clone)]
pub enum As {
    Nobody,
    Role(Role),
    Token(String),
}

impl TestApp {
    pub fn advance(&self, by: Duration) {
        let mut now = self.clock.0.lock().expect("clock lock");
        *now += by;
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Where the file email transport writes.
    pub fn mail_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("mail")
    }

    /// One pass of the outbox dispatcher at the current test time.
    pub async fn dispatch(&self) -> backhaul::notify::dispatcher::DispatchReport {
        backhaul::notify::dispatcher::dispatch_once(&self.state, "test-dispatcher")
            .await
            .expect("dispatch pass")
    }

    fn bearer(&self, who: &As) -> Option<String> {
        match who {
            As::Nobody => None,
            As::Role(role) => Some(self.keys[role].clone()),
            As::Token(t) => Some(t.clone()),
        }
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        who: &As,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
        self.send_raw(method, path, who, body, headers).await
    }

    /// POSTs `bytes` as the body, declared as `content_type`.
    pub async fn send_bytes(
        &self,
        path: &str,
        who: &As,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Answer {
        self.send_raw("POST", path, who, Some((content_type, bytes)), &[])
            .await
    }

    async fn send_raw(
        &self,
        method: &str,
        path: &str,
        who: &As,
        body: Option<(&str, Vec<u8>)>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, format!("{}{}", self.address, path));
        if let Some(token) = self.bearer(who) {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some((content_type, bytes)) = body {
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body read").to_vec();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
            bytes,
        }
    }

    pub async fn get(&self, path: &str, who: &As) -> Answer {
        self.send("GET", path, who, None, &[]).await
    }

    pub async fn post(&self, path: &str, who: &As, body: &Value) -> Answer {
        self.send("POST", path, who, Some(body), &[]).await
    }

    /// Every item of list `path` (a query string included), read `limit` at a time by
    /// following `next_cursor`; each page checked to hold at most `limit` items and to
    /// be followed only when it is full.
    pub async fn walk(&self, path: &str, who: &As, limit: usize) -> Vec<Value> {
        let joiner = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{joiner}limit={limit}&cursor={c}"),
                None => format!("{path}{joiner}limit={limit}"),
            };
            let page = self.get(&url, who).await;
            assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.text);
            let got = page.body["items"].as_array().cloned().unwrap_or_default();
            assert!(got.len() <= limit, "{url}: {} items", got.len());
            // A cursor is given only when another row follows.
            assert!(cursor.is_none() || !got.is_empty(), "{url}: an empty page");
            items.extend(got.iter().cloned());
            match page.body["next_cursor"].as_str() {
                Some(next) => {
                    assert_eq!(got.len(), limit, "{url}: a short page is the last");
                    cursor = Some(next.to_string());
                }
                None => return items,
            }
        }
    }

    /// Creates an order through the API and returns its JSON.
    pub async fn create_order(&self, order: &Value) -> Value {
        let answer = self
            .post("/api/v1/orders", &As::Role(Role::Integration), order)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        answer.body
    }

    /// An order delivered `days_ago` days before the current test time.
    pub async fn delivered_order(&self, order: &Value, days_ago: i64) -> Value {
        self.create_order(order).await;
        let number = order["order_number"].as_str().expect("order number");
        let delivered = self.now() - Duration::days(days_ago);
        let answer = self
            .post(
                &format!("/api/v1/orders/{number}/shipments"),
                &As::Role(Role::Integration),
                &json!({
                    "carrier": "sandbox",
                    "tracking_number": format!("SBX{}", uuid::Uuid::new_v4().simple()).chars().take(20).collect::<String>(),
                    "shipped_at": (delivered - Duration::days(2)).to_rfc3339(),
                    "delivered_at": delivered.to_rfc3339(),
                }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        self.get(
            &format!("/api/v1/orders/{number}"),
            &As::Role(Role::Integration),
        )
        .await
        .body
    }

    /// A customer token for `order_number` via the public look-up.
    pub async fn customer_token(&self, order_number: &str, email: &str) -> As {
        let answer = self
            .post(
                "/api/v1/returns/lookup",
                &As::Nobody,
                &json!({"order_number": order_number, "email": email}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        As::Token(answer.body["token"].as_str().expect("token").to_string())
    }

    pub async fn create_rma(&self, who: &As, body: &Value) -> Answer {
        self.post("/api/v1/rmas", who, body).await
    }

    /// A delivered EUR order `order` and its customer's authorized RMA for line 1 (the
    /// jacket): the customer's token and the RMA number.
    pub async fn authorized_rma(
        &self,
        order: &str,
        reason: &str,
        resolution: &str,
    ) -> (As, String) {
        self.rma_on(&eur_order(order), &[("1", 1, reason)], resolution)
            .await
    }

    /// `order` delivered two days ago and a return of `lines` its customer opened: the
    /// customer, and the RMA's number.
    pub async fn rma_on(
        &self,
        order: &Value,
        lines: &[(&str, i64, &str)],
        resolution: &str,
    ) -> (As, String) {
        let number = order["order_number"].as_str().expect("order number");
        self.delivered_order(order, 2).await;
        let customer = self.customer_token(number, &email_of(order)).await;
        let rma = self
            .create_rma(&customer, &return_body(number, lines, resolution))
            .await;
        assert_eq!(rma.status, StatusCode::CREATED, "{}", rma.text);
        (
            customer,
            rma.body["number"].as_str().expect("number").to_string(),
        )
    }

    /// Scans `number`'s box at the bench and passes its inspection (line 1, as new);
    /// the inspection's answer.
    pub async fn receive_and_pass(&self, number: &str) -> Value {
        self.receive_and_pass_line(number, "1").await
    }

    /// Scans `number`'s box at a Berlin bench; it must match its RMA.
    pub async fn scan_at_bench(&self, number: &str) {
        let scan = self
            .post(
                "/api/v1/scans",
                &As::Role(Role::Warehouse),
                &json!({"barcode": number, "station": "DE-BER/bench-1"}),
            )
            .await;
        assert_eq!(scan.body["result"], "matched", "{}", scan.text);
    }

    /// Scans `number`'s box at a Berlin bench and passes one of its `line_id`, new.
    pub async fn receive_and_pass_line(&self, number: &str, line_id: &str) -> Value {
        self.receive_and_inspect(number, line_id, "new").await
    }

    /// Scans `number`'s box at a Berlin bench and grades one of its `line_id` as in
    /// `condition`.
    pub async fn receive_and_inspect(&self, number: &str, line_id: &str, condition: &str) -> Value {
        self.receive_and_inspect_line(number, line_id, condition, "restock")
            .await
    }

    /// Scans `number`'s box at a Berlin bench and grades one of its `line_id` as in
    /// `condition`, for `disposition`.
    pub async fn receive_and_inspect_line(
        &self,
        number: &str,
        line_id: &str,
        condition: &str,
        disposition: &str,
    ) -> Value {
        let bench = As::Role(Role::Warehouse);
        self.scan_at_bench(number).await;
        let inspected = self
            .post(
                &format!("/api/v1/rmas/{number}/inspection"),
                &bench,
                &json!({"lines": [{"line_id": line_id, "quantity_received": 1, "condition": condition, "disposition": disposition}]}),
            )
            .await;
        assert_eq!(inspected.status, StatusCode::OK, "{}", inspected.text);
        inspected.body
    }

    /// Issues `number`'s return label as `who` and returns its tracking number.
    pub async fn issue_label(&self, number: &str, who: &As) -> String {
        let label = self
            .post(&format!("/api/v1/rmas/{number}/label"), who, &json!({}))
            .await;
        assert_eq!(label.status, StatusCode::CREATED, "{}", label.text);
        label.body["tracking_number"]
            .as_str()
            .expect("tracking number")
            .to_string()
    }

    /// One pass of the tracking poller at the current test time.
    pub async fn poll(&self) -> backhaul::tracking::poller::PollReport {
        backhaul::tracking::poller::poll_once(&self.state, "test-poller")
            .await
            .expect("poll pass")
    }
}

/// A realistic EUR order to Berlin: a jacket, two shirts and headphones.
pub fn eur_order(number: &str) -> Value {
    json!({
        "order_number": number,
        "currency": "EUR",
        "placed_at": "2026-11-01T10:00:00Z",
        "customer": {"email": format!("{}@example.com", number.to_lowercase()), "name": "Anna Schmidt", "locale": "de"},
        "ship_to": {"name": "Anna Schmidt", "line1": "Torstraße 112", "city": "Berlin", "postal_code": "10119", "country": "DE", "lat": 52.53, "lon": 13.40, "phone": "+49 30 1234567"},
        "lines": [
            {"line_id": "1", "sku": "JKT-RAIN-M", "title": "Rain jacket", "category": "apparel", "quantity": 1, "unit_price": "89.90", "tax": "14.35", "weight_grams": 620},
            {"line_id": "2", "sku": "TSH-ORG-L", "title": "Organic T-shirt", "category": "apparel", "quantity": 2, "unit_price": "19.90", "tax": "6.35", "weight_grams": 180},
            {"line_id": "3", "sku": "HDP-ANC-01", "title": "Headphones", "category": "electronics", "quantity": 1, "unit_price": "149.00", "tax": "23.79"}
        ]
    })
}

/// Checks that racing requests were answered only with `allowed` statuses (never a
/// 500), and returns how many of them `created` something (201).
pub fn created_among(answers: &[Answer], allowed: &[StatusCode]) -> usize {
    for answer in answers {
        assert!(allowed.contains(&answer.status), "{}", answer.text);
    }
    answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .count()
}

/// What racing writes may answer: done, lost the race (409), or refused (422).
pub const RACE_ANSWERS: [StatusCode; 4] = [
    StatusCode::OK,
    StatusCode::CREATED,
    StatusCode::CONFLICT,
    StatusCode::UNPROCESSABLE_ENTITY,
];

pub fn email_of(order: &Value) -> String {
    order["customer"]["email"]
        .as_str()
        .expect("email")
        .to_string()
}

pub fn return_body(order_number: &str, lines: &[(&str, i64, &str)], resolution: &str) -> Value {
    json!({
        "order_number": order_number,
        "lines": lines.iter().map(|(id, q, reason)| json!({"line_id": id, "quantity": q, "reason": reason})).collect::<Vec<_>>(),
        "resolution": resolution,
    })
}

/// Runs each listed `async fn name(app: TestApp)` on a SQLite file and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await).await
                }
            )+
        }
    };
}

/// Every `.rs` file under the crate's `src/`, for tests that read the sources.
pub fn source_files() -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    found
}

/// The rules an answer's decision names, in order.
pub fn decision_rules(body: &Value) -> Vec<String> {
    body["decision"]["rules"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
