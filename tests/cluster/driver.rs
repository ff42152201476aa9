//! Several instances of the real `backhaul` binary on one PostgreSQL, returns driven
//! through all of them at random while instances are killed with SIGKILL and started
//! again, and the checks that nothing was lost or done twice. The test command runs a
//! small cluster (`tests/cluster/main.rs`); `examples/cluster.rs` runs a large one.
//!
//! Each return goes the whole way: order → RMA → label → scan → inspection → refund
//! trigger → finance's email, one request at a time to a random instance. A request
//! that dies with its instance is sent again, with the same Idempotency-Key, to another
//! one; the first answer stored for the key comes back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use crate::smtp_sink::SmtpSink;

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub instances: usize,
    pub returns: usize,
    pub kills: usize,
    /// Returns on their way at once.
    pub concurrency: usize,
    /// The `backhaul` binary.
    pub binary: PathBuf,
    /// An empty PostgreSQL database.
    pub database_url: String,
    /// Where the instances' logs go.
    pub log_dir: PathBuf,
}

/// What the run found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub instances: usize,
    pub kills: usize,
    /// Returns that passed inspection.
    pub returns: usize,
    /// Passed returns with no refund trigger, or whose trigger was never emailed.
    pub lost: Vec<String>,
    /// Returns with more than one refund trigger.
    pub double: Vec<String>,
    /// Finance emails sent more than once (always with the same Message-ID).
    pub repeats: usize,
    /// Emails for one trigger under different Message-IDs.
    pub mismatched_repeats: Vec<String>,
    /// RMAs whose status their audit trail does not explain.
    pub unexplained: Vec<String>,
    /// Parcels on their way to customers that were never polled, or polled twice.
    pub unpolled: Vec<String>,
    pub polled_twice: Vec<String>,
    /// Parcels on their way polled exactly once.
    pub polled_once: usize,
    /// Requests answered from another instance's stored answer after a kill.
    pub replays: usize,
    /// A request sent again to a second instance with the same Idempotency-Key got
    /// the first instance's answer, marked replayed.
    pub replay_elsewhere: bool,
    /// Seconds from the last kill to the last finance email.
    pub last_email_after_last_kill: f64,
    /// Starts that took back work their instance had leased before it was killed.
    pub taken_back: usize,
}

impl Outcome {
    pub fn line(&self) -> String {
        format!(
            "cluster: {} instances, {} kills, {} returns, {} lost, {} double, {} repeats (same Message-ID), last email {:.1} s after last kill",
            self.instances,
            self.kills,
            self.returns,
            self.lost.len(),
            self.double.len(),
            self.repeats,
            self.last_email_after_last_kill
        )
    }

    /// What the line leaves out: replays, leases taken back, parcels polled.
    pub fn details(&self) -> String {
        format!(
            "{} requests answered from a stored answer on another instance, {} restarts took back their leases, {} parcels on their way polled once each",
            self.replays, self.taken_back, self.polled_once
        )
    }

    pub fn sound(&self) -> bool {
        self.replay_elsewhere
            && self.lost.is_empty()
            && self.double.is_empty()
            && self.mismatched_repeats.is_empty()
            && self.unexplained.is_empty()
            && self.unpolled.is_empty()
            && self.polled_twice.is_empty()
    }
}

/// One instance: its port and, while it runs, its process.
struct Instance {
    port: u16,
    child: Option<Child>,
    started: usize,
}

struct Cluster {
    plan: Plan,
    env: Vec<(String, String)>,
    instances: Mutex<Vec<Instance>>,
}

/// A random number in `range` (the thread's generator is not held across an await).
fn random(range: std::ops::Range<usize>) -> usize {
    rand::rng().random_range(range)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Cluster {
    fn start(&self, index: usize) {
        let mut all = self.instances.lock().expect("instances");
        let instance = &mut all[index];
        instance.started += 1;
        let log = self
            .plan
            .log_dir
            .join(format!("instance-{index}-{}.log", instance.started));
        let file = std::fs::File::create(&log).expect("instance log");
        let err = file.try_clone().expect("instance log");
        let child = Command::new(&self.plan.binary)
            .arg("serve")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .envs(self.env.iter().cloned())
            .env(
                "BACKHAUL__SERVER__BIND",
                format!("127.0.0.1:{}", instance.port),
            )
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(err))
            .kill_on_drop(true)
            .spawn()
            .expect("start an instance");
        instance.child = Some(child);
    }

    /// Starts instance `index` and waits until it answers; a start that fails (its port
    /// taken meanwhile by an outgoing connection) is tried again.
    async fn start_answering(&self, index: usize, api: &Api) {
        let port = self.ports()[index];
        for _ in 0..10 {
            self.start(index);
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if api
                    .send_to(port, "GET", "/healthz", None, None)
                    .await
                    .is_some()
                {
                    return;
                }
                let exited = {
                    let mut all = self.instances.lock().expect("instances");
                    all[index]
                        .child
                        .as_mut()
                        .is_none_or(|c| c.try_wait().ok().flatten().is_some())
                };
                if exited {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            self.kill(index).await;
        }
        panic!("instance {index} on port {port} would not start again");
    }

    /// SIGKILL, then wait for the process to be gone.
    async fn kill(&self, index: usize) {
        let child = self.instances.lock().expect("instances")[index]
            .child
            .take();
        if let Some(mut child) = child {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    fn ports(&self) -> Vec<u16> {
        let all = self.instances.lock().expect("instances");
        all.iter().map(|i| i.port).collect()
    }
}

/// Runs `binary` with `args` against the plan's database; its standard output.
fn run_command(plan: &Plan, args: &[&str]) -> String {
    let out = std::process::Command::new(&plan.binary)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &plan.database_url)
        .env("BACKHAUL__LOG__LEVEL", "warn")
        .output()
        .expect("run backhaul");
    assert!(
        out.status.success(),
        "backhaul {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The HTTP side: one client, the admin key, the instances' ports.
#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    key: String,
    ports: Vec<u16>,
    replays: Arc<std::sync::atomic::AtomicUsize>,
}

impl Api {
    /// Sends the request to the instance on `port`: the status, whether the answer
    /// was replayed from a stored one, and the body; `None` when the instance is down.
    async fn send_to(
        &self,
        port: u16,
        method: &str,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Option<(u16, bool, String)> {
        let url = format!("http://127.0.0.1:{port}{path}");
        let mut request = match method {
            "GET" => self.client.get(&url),
            _ => self.client.post(&url),
        }
        .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let answer = request.send().await.ok()?;
        let status = answer.status().as_u16();
        let replayed = answer.headers().contains_key("Idempotent-Replayed");
        Some((status, replayed, answer.text().await.ok()?))
    }

    /// Sends the request to random instances until one answers with something other
    /// than a dead connection, a 5xx or an Idempotency-Key still in use: the status and
    /// body.
    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> (u16, Value) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut tried_elsewhere = false;
        loop {
            let port = self.ports[random(0..self.ports.len())];
            if let Some((status, replayed, text)) =
                self.send_to(port, method, path, body, key).await
            {
                let in_use = status == 409 && text.contains("Idempotency-Key is in use");
                if status < 500 && !in_use {
                    if replayed && tried_elsewhere {
                        self.replays
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    return (status, serde_json::from_str(&text).unwrap_or(Value::Null));
                }
            }
            tried_elsewhere = true;
            assert!(
                Instant::now() < deadline,
                "{method} {path}: no instance answered for two minutes"
            );
            tokio::time::sleep(Duration::from_millis(random(50..300) as u64)).await;
        }
    }

    async fn expect(&self, method: &str, path: &str, body: &Value, key: &str, ok: &[u16]) -> Value {
        let (status, answer) = self.call(method, path, Some(body), Some(key)).await;
        assert!(ok.contains(&status), "{method} {path}: {status} {answer}");
        answer
    }

    /// Every item of list `path`, following `next_cursor`.
    async fn all(&self, path: &str) -> Vec<Value> {
        let joiner = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{joiner}cursor={c}"),
                None => path.to_string(),
            };
            let (status, page) = self.call("GET", &url, None, None).await;
            assert_eq!(status, 200, "{url}: {page}");
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => return items,
            }
        }
    }
}

/// An order of one shirt, placed five days ago.
fn order(number: &str) -> Value {
    let placed = chrono::Utc::now() - chrono::Duration::days(5);
    json!({
        "order_number": number,
        "currency": "EUR",
        "placed_at": placed.to_rfc3339(),
        "customer": {"email": format!("{}@example.com", number.to_lowercase()), "name": "Cluster Test", "locale": "en"},
        "ship_to": {"name": "Cluster Test", "line1": "Teststr. 1", "city": "Berlin", "postal_code": "10115", "country": "DE", "lat": 52.53, "lon": 13.38},
        "lines": [{"line_id": "1", "sku": "SKU-1", "title": "Shirt", "category": "apparel", "quantity": 1, "unit_price": "19.90", "tax": "3.18"}]
    })
}

/// One return the whole way to its refund trigger, and a parcel on its way to the
/// customer; the RMA number.
async fn drive_return(api: &Api, run: &str, i: usize) -> String {
    let order_number = format!("CL-{run}-{i}");
    let now = chrono::Utc::now();
    let order = order(&order_number);
    let key = |step: &str| format!("{order_number}-{step}");
    api.expect("POST", "/api/v1/orders", &order, &key("order"), &[200, 201])
        .await;
    let shipment = json!({
        "carrier": "sandbox",
        "tracking_number": format!("SBXCL{run}{i}"),
        "shipped_at": (now - chrono::Duration::days(3)).to_rfc3339(),
        "delivered_at": (now - chrono::Duration::days(1)).to_rfc3339(),
    });
    let shipments = format!("/api/v1/orders/{order_number}/shipments");
    api.expect("POST", &shipments, &shipment, &key("shipment"), &[200, 201])
        .await;
    let rma = json!({
        "order_number": order_number,
        "lines": [{"line_id": "1", "quantity": 1, "reason": "defective"}],
        "resolution": "refund",
    });
    let created = api
        .expect("POST", "/api/v1/rmas", &rma, &key("rma"), &[201])
        .await;
    let number = created["number"].as_str().expect("RMA number").to_string();
    api.expect(
        "POST",
        &format!("/api/v1/rmas/{number}/label"),
        &json!({}),
        &key("label"),
        &[200, 201],
    )
    .await;
    let scan = json!({"barcode": number, "station": "DE-BER/bench-1"});
    let scanned = api
        .expect("POST", "/api/v1/scans", &scan, &key("scan"), &[200])
        .await;
    assert_eq!(scanned["result"], "matched", "{scanned}");
    let inspection = json!({"lines": [{"line_id": "1", "quantity_received": 1, "condition": "new", "disposition": "restock"}]});
    api.expect(
        "POST",
        &format!("/api/v1/rmas/{number}/inspection"),
        &inspection,
        &key("inspection"),
        &[200],
    )
    .await;
    // A second parcel on its way to the customer, for the pollers to follow.
    let on_its_way = json!({
        "carrier": "sandbox",
        "tracking_number": format!("SBXCLT{run}{i}"),
        "shipped_at": (now - chrono::Duration::days(2)).to_rfc3339(),
    });
    api.expect(
        "POST",
        &shipments,
        &on_its_way,
        &key("on-its-way"),
        &[200, 201],
    )
    .await;
    number
}

#[derive(diesel::QueryableByName)]
struct Polled {
    #[diesel(sql_type = diesel::sql_types::Text)]
    tracking_number: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    polls: i64,
}

/// How often each parcel on its way to a customer has been polled, read from the
/// database: a parcel the poller claimed twice at once would count two polls (the next
/// legitimate poll of a parcel in transit is hours away).
fn polls(database_url: &str, run: &str) -> Vec<(String, i64)> {
    use diesel::{Connection, RunQueryDsl};
    let Ok(mut conn) = diesel::PgConnection::establish(database_url) else {
        return Vec::new();
    };
    diesel::sql_query(
        "SELECT tracking_number, polls FROM parcels WHERE direction = 'outbound' AND tracking_number LIKE $1",
    )
    .bind::<diesel::sql_types::Text, _>(format!("SBXCLT{}%", run.to_uppercase()))
    .load::<Polled>(&mut conn)
    .unwrap_or_default()
    .into_iter()
    .map(|p| (p.tracking_number, p.polls))
    .collect()
}

/// Waits until every instance answers `/healthz`.
async fn wait_until_up(api: &Api) {
    let deadline = Instant::now() + Duration::from_secs(60);
    for &port in &api.ports {
        while api
            .send_to(port, "GET", "/healthz", None, None)
            .await
            .is_none()
        {
            assert!(
                Instant::now() < deadline,
                "instance on {port} never came up"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// An order created on the first instance and sent again, same key and body, to the
/// second: whether the second answered with the first's stored answer.
async fn replays_on_another_instance(api: &Api, run: &str) -> bool {
    let (first, second) = (api.ports[0], api.ports[api.ports.len() - 1]);
    let key = format!("CL-{run}-replay");
    let order = order(&key);
    let send = |port| api.send_to(port, "POST", "/api/v1/orders", Some(&order), Some(&key));
    match (send(first).await, send(second).await) {
        (Some((201, false, a)), Some((201, true, b))) => a == b,
        _ => false,
    }
}

/// Whether `events` (oldest first) lead from nothing to `status`, each starting where
/// the one before ended.
fn explained(events: &[Value], status: &str) -> bool {
    let mut at: Option<&str> = None;
    for e in events {
        if e["from"].as_str() != at {
            return false;
        }
        at = e["to"].as_str();
    }
    at == Some(status)
}

/// The header `name` of a raw message.
fn header<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    data.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

pub async fn run(plan: Plan) -> Outcome {
    std::fs::create_dir_all(&plan.log_dir).expect("log directory");
    run_command(&plan, &["migrate"]);
    let created = run_command(
        &plan,
        &["keys", "create", "--role", "admin", "--name", "cluster"],
    );
    let key = created
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_string();
    // A relay that takes a while to accept each message, so that kills find
    // messages under way, leased by the instance killed.
    let sink = SmtpSink::start_slow(0, Duration::from_millis(300)).await;
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let env: Vec<(String, String)> = [
        ("DATABASE_URL", plan.database_url.clone()),
        ("BACKHAUL__AUTH__TOKEN_SECRET", secret),
        ("BACKHAUL__SERVER__WORKERS", "2".into()),
        ("BACKHAUL__DATABASE__POOL_SIZE", "4".into()),
        ("BACKHAUL__LOG__LEVEL", "info".into()),
        ("BACKHAUL__EMAIL__TRANSPORT", "smtp".into()),
        ("BACKHAUL__EMAIL__SMTP_HOST", "127.0.0.1".into()),
        ("BACKHAUL__EMAIL__SMTP_PORT", sink.port.to_string()),
        ("BACKHAUL__EMAIL__SMTP_TLS", "none".into()),
        ("BACKHAUL__EMAIL__DISPATCH_EVERY_SECONDS", "1".into()),
        ("BACKHAUL__TRACKING__POLL_EVERY_SECONDS", "2".into()),
        ("BACKHAUL__CARRIERS__SANDBOX__SCENARIO", "normal".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let cluster = Arc::new(Cluster {
        env,
        instances: Mutex::new(
            (0..plan.instances)
                .map(|_| Instance {
                    port: free_port(),
                    child: None,
                    started: 0,
                })
                .collect(),
        ),
        plan: plan.clone(),
    });
    for i in 0..plan.instances {
        cluster.start(i);
    }
    let api = Api {
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client"),
        key,
        ports: cluster.ports(),
        replays: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
    };
    let run = format!("{:x}", chrono::Utc::now().timestamp_millis());
    wait_until_up(&api).await;
    let replay_elsewhere = replays_on_another_instance(&api, &run).await;

    // The killer kills an instance every second or so and starts it again soon after;
    // return i starts only once (i + 1) × kills / returns kills are done, so kills land
    // among the work and the last return starts after the last kill.
    let kills_done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let last_kill: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
    let killer = {
        let (cluster, kills_done, last_kill, api) = (
            cluster.clone(),
            kills_done.clone(),
            last_kill.clone(),
            api.clone(),
        );
        let kills = plan.kills;
        tokio::spawn(async move {
            for _ in 0..kills {
                tokio::time::sleep(Duration::from_millis(random(300..1200) as u64)).await;
                let index = random(0..cluster.plan.instances);
                cluster.kill(index).await;
                *last_kill.lock().expect("last kill") = Some(Instant::now());
                kills_done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(random(200..1500) as u64)).await;
                cluster.start_answering(index, &api).await;
            }
        })
    };

    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..plan.concurrency.max(1) {
        let (api, run, next, kills_done) =
            (api.clone(), run.clone(), next.clone(), kills_done.clone());
        let (total, kills) = (plan.returns, plan.kills);
        workers.push(tokio::spawn(async move {
            let mut numbers = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    return numbers;
                }
                let gate = (i + 1) * kills / total.max(1);
                let give_up = Instant::now() + Duration::from_secs(300);
                while kills_done.load(std::sync::atomic::Ordering::Relaxed) < gate {
                    assert!(
                        Instant::now() < give_up,
                        "the killer stopped before its kills"
                    );
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                numbers.push(drive_return(&api, &run, i).await);
            }
        }));
    }
    let mut numbers = Vec::new();
    for w in workers {
        numbers.extend(w.await.expect("a driver"));
    }
    killer.await.expect("the killer");

    // Every trigger, then wait (up to three minutes) for its email.
    let triggers = api.all("/api/v1/refunds").await;
    let mut by_rma: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in &triggers {
        if let (Some(rma), Some(id)) = (t["rma_number"].as_str(), t["id"].as_str()) {
            by_rma
                .entry(rma.to_string())
                .or_default()
                .push(id.to_string());
        }
    }
    let ids: HashSet<String> = by_rma.values().flatten().cloned().collect();
    let emailed = |sink: &SmtpSink| -> HashMap<String, Vec<(String, Option<Instant>)>> {
        let mut out: HashMap<String, Vec<(String, Option<Instant>)>> = HashMap::new();
        for m in sink.received() {
            if let Some(id) = header(&m.data, "X-Backhaul-Refund-Trigger") {
                let message_id = header(&m.data, "Message-ID")
                    .unwrap_or_default()
                    .to_string();
                out.entry(id.to_string())
                    .or_default()
                    .push((message_id, m.at));
            }
        }
        out
    };
    // ... and for every parcel on its way to have been polled.
    let waited = Instant::now() + Duration::from_secs(180);
    let (mails, polled) = loop {
        let (mails, polled) = (emailed(&sink), polls(&plan.database_url, &run));
        let settled =
            ids.iter().all(|id| mails.contains_key(id)) && polled.iter().all(|(_, n)| *n > 0);
        if settled || Instant::now() >= waited {
            break (mails, polled);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    let mut outcome = Outcome {
        instances: plan.instances,
        kills: kills_done.load(std::sync::atomic::Ordering::Relaxed),
        returns: numbers.len(),
        replays: api.replays.load(std::sync::atomic::Ordering::Relaxed),
        replay_elsewhere,
        ..Outcome::default()
    };
    for number in &numbers {
        match by_rma.get(number).map(Vec::as_slice) {
            Some([id]) if mails.contains_key(id) => {}
            Some([_]) | None | Some([]) => outcome.lost.push(number.clone()),
            Some(_) => outcome.double.push(number.clone()),
        }
    }
    if polled.len() != numbers.len() {
        outcome.unpolled.push(format!(
            "{} parcels registered of {}",
            polled.len(),
            numbers.len()
        ));
    }
    for (tracking, n) in polled {
        match n {
            0 => outcome.unpolled.push(tracking),
            1 => outcome.polled_once += 1,
            _ => outcome.polled_twice.push(tracking),
        }
    }
    let mut last_email: Option<Instant> = None;
    for (id, sent) in &mails {
        outcome.repeats += sent.len() - 1;
        let distinct: HashSet<&String> = sent.iter().map(|(m, _)| m).collect();
        if distinct.len() > 1 {
            outcome.mismatched_repeats.push(id.clone());
        }
        last_email = last_email.max(sent.iter().filter_map(|(_, at)| *at).max());
    }
    if let (Some(kill), Some(mail)) = (*last_kill.lock().expect("last kill"), last_email) {
        outcome.last_email_after_last_kill = mail.saturating_duration_since(kill).as_secs_f64();
    }
    for number in &numbers {
        let (_, rma) = api
            .call("GET", &format!("/api/v1/rmas/{number}"), None, None)
            .await;
        let events = api.all(&format!("/api/v1/rmas/{number}/events")).await;
        if !explained(&events, rma["status"].as_str().unwrap_or_default()) {
            outcome.unexplained.push(number.clone());
        }
    }
    for i in 0..plan.instances {
        cluster.kill(i).await;
    }
    outcome.taken_back = std::fs::read_dir(&plan.log_dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .map(|log| {
            log.matches("took back what this instance had leased")
                .count()
        })
        .sum();
    outcome
}

/// Where the plan's logs go by default: a fresh directory under the target directory.
pub fn log_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("cluster")
        .join(format!(
            "{name}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S")
        ))
}
