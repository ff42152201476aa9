//! Load generator for a running Backhaul.
//!
//! ```sh
//! cargo run --release --example load -- --url http://127.0.0.1:8080 --key bh_... \
//!     --scenario create-rmas --requests 20000 --concurrency 32
//! ```
//!
//! `create-rmas` first creates `--orders` delivered orders (one customer each, lines
//! with plenty of quantity), then opens one-item returns across them, `--concurrency`
//! at a time. The last line is
//! `create-rmas: <ok> ok, <errors> errors, <rate>/s, p50 <ms> ms, p99 <ms> ms`.
//! The key needs the integration (or admin) role.
//!
//! `dispatch` times how fast the outbox drains finance's emails. It listens as an SMTP
//! server on `--smtp-port`, creates `--requests` refund triggers through the real flow
//! (a delivered order each and a keep-it return, which is refunded at once), and waits
//! for every finance email. Run the service against it with its dispatcher on a long
//! tick, so the triggers pile up and leave in one burst:
//!
//! ```sh
//! BACKHAUL__EMAIL__TRANSPORT=smtp BACKHAUL__EMAIL__SMTP_HOST=127.0.0.1 \
//! BACKHAUL__EMAIL__SMTP_PORT=2525 BACKHAUL__EMAIL__SMTP_TLS=none \
//! BACKHAUL__EMAIL__DISPATCH_EVERY_SECONDS=60 target/release/backhaul serve &
//! cargo run --release --example load -- --key KEY --scenario dispatch --requests 5000
//! ```
//!
//! The last line is `dispatch: <n> emails, <rate>/s (last burst: <m> in <s> s), p99
//! enqueue→sent <ms> ms, p50 <ms> ms; <n> triggers made in <s> s`: the burst is the run
//! of arrivals with no gap over two seconds that ends with the last one, and a
//! trigger's wait runs from the answer that created it to its email's arrival. With
//! the dispatcher on its default tick instead and `--pace` (triggers a second), the
//! emails leave while the triggers are made, and the waits say how soon finance hears.
//!
//! `scans` opens `--requests` returns with labels, then scans their boxes at a bench at
//! a steady `--rate` a second (200 by default), each on time whether or not the ones
//! before were answered: `scans: <ok> ok, <errors> errors, offered <r>/s, answered
//! <r>/s, p50 <ms> ms, p99 <ms> ms`.
//!
//! `mixed` sends `--requests` requests, `--concurrency` at a time, as a shop's day
//! mixes them: portal look-ups 40 %, RMA reads 40 %, new returns 15 %, bench scans 5 %:
//! `mixed: <ok> ok, <errors> errors, <rate>/s, p50, p99; p99 by kind: …`. Start the
//! service with the look-up limit raised (`BACKHAUL__LOOKUP__PER_IP_PER_MINUTE=600000`).
//! `scans` and `mixed` need an admin key (they act as integration and warehouse).
//!
//! `lists` reads `GET /rmas?status=…` 50 a page, `--requests` walks of up to `--pages`
//! pages each following `next_cursor`, over the statuses in turn (a database filled by
//! `examples/seed_big.rs`): `lists: <n> pages, <errors> errors, <rate>/s, p50, p99`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::json;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    #[arg(long)]
    key: String,
    #[arg(long, default_value = "create-rmas")]
    scenario: String,
    #[arg(long, default_value_t = 10_000)]
    requests: usize,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Orders to spread the returns over.
    #[arg(long, default_value_t = 1000)]
    orders: usize,
    /// Where `dispatch` listens for the service's emails.
    #[arg(long, default_value_t = 2525)]
    smtp_port: u16,
    /// Scans a second `scans` offers.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// `lists`: pages each walk reads at most.
    #[arg(long, default_value_t = 10)]
    pages: usize,
    /// `dispatch`: make at most this many triggers a second (default: as fast as the
    /// service takes them).
    #[arg(long)]
    pace: Option<f64>,
}

/// The tests' SMTP server (the tests use all of it; this tool only some).
#[path = "../tests/api/smtp_sink.rs"]
#[allow(dead_code)]
mod smtp_sink;

/// Order `i` of the run, `quantity` of each of its two lines (a large order goes to a
/// person for review, as the policy says, and gets no label until approved).
fn order(run: &str, i: usize, quantity: u32) -> serde_json::Value {
    json!({
        "order_number": format!("LOAD-{run}-{i}"),
        "currency": "EUR",
        "placed_at": "2026-11-01T10:00:00Z",
        "customer": {"email": format!("load-{run}-{i}@example.com"), "name": "Load Test"},
        "ship_to": {"name": "Load Test", "line1": "Teststr. 1", "city": "Berlin", "postal_code": "10115", "country": "DE", "lat": 52.53, "lon": 13.38},
        "lines": [
            {"line_id": "1", "sku": "SKU-1", "title": "Shirt", "category": "apparel", "quantity": quantity, "unit_price": "19.90", "tax": "3.78"},
            {"line_id": "2", "sku": "SKU-2", "title": "Cable", "category": "electronics", "quantity": quantity, "unit_price": "9.90", "tax": "1.88"}
        ]
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    match args.scenario.as_str() {
        "create-rmas" => create_rmas(&args).await,
        "dispatch" => dispatch(&args).await,
        "scans" => scans(&args).await,
        "mixed" => mixed(&args).await,
        "lists" => lists(&args).await,
        other => Err(format!(
            "unknown scenario {other:?}; known: create-rmas, dispatch, scans, mixed, lists"
        )
        .into()),
    }
}

/// The `p` quantile of sorted `latencies`, in milliseconds.
fn pct(latencies: &[Duration], p: f64) -> f64 {
    if latencies.is_empty() {
        return 0.0;
    }
    let idx = ((latencies.len() as f64 - 1.0) * p).round() as usize;
    latencies[idx].as_secs_f64() * 1000.0
}

/// What every request of a run needs: the HTTP client, the API's base address, the
/// key, and this run's tag for order numbers.
#[derive(Clone)]
struct Session {
    client: reqwest::Client,
    api: String,
    key: String,
    run: String,
}

impl Session {
    fn new(args: &Args) -> Result<Session, Box<dyn std::error::Error>> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(args.concurrency)
            .timeout(Duration::from_secs(30))
            .build()?;
        let run = format!(
            "{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs()
        );
        Ok(Session {
            client,
            api: format!("{}/api/v1", args.url.trim_end_matches('/')),
            key: args.key.clone(),
            run,
        })
    }

    /// POSTs `body` to `path` under the API with the key: whether it came back with
    /// `status`.
    async fn post(&self, path: &str, body: &serde_json::Value, status: u16) -> bool {
        let answer = self
            .client
            .post(format!("{}{path}", self.api))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await;
        answered(answer, status).await
    }

    /// One scan of `number`'s box at a bench; whether it was answered 200.
    async fn scan(&self, number: &str) -> bool {
        let body = json!({"barcode": number, "station": "LOAD/bench-1"});
        self.post("/scans", &body, 200).await
    }
}

/// Whether `answer` came back with `status` and its whole body.
async fn answered(answer: reqwest::Result<reqwest::Response>, status: u16) -> bool {
    match answer {
        Ok(r) => r.status().as_u16() == status && r.bytes().await.is_ok(),
        Err(_) => false,
    }
}

/// Runs `work(i)` for every `i` below `count`, `concurrency` at a time; the results,
/// in no particular order.
async fn in_parallel<T, F, Fut>(concurrency: usize, count: usize, work: F) -> Vec<T>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = T> + Send,
    T: Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (work, next) = (work.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return done;
                }
                done.push(work(i).await);
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap_or_default());
    }
    all
}

/// Creates `orders` delivered orders (`LOAD-{run}-{i}`, `quantity` of each line).
async fn setup_orders(
    session: &Session,
    args: &Args,
    orders: usize,
    quantity: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    eprintln!("setting up {orders} delivered orders...");
    let s = session.clone();
    let made = in_parallel(args.concurrency, orders, move |i| {
        let s = s.clone();
        async move {
            let number = format!("LOAD-{}-{i}", s.run);
            let shipment = json!({"carrier": "sandbox", "tracking_number": format!("SBXLOAD{}{i}", s.run), "shipped_at": "2026-11-15T10:00:00Z", "delivered_at": "2026-11-17T10:00:00Z"});
            s.post("/orders", &order(&s.run, i, quantity), 201).await
                && s.post(&format!("/orders/{number}/shipments"), &shipment, 201).await
        }
    })
    .await;
    match made.iter().filter(|ok| !**ok).count() {
        0 => Ok(()),
        failed => Err(format!("{failed} of {orders} orders could not be set up").into()),
    }
}

/// A one-item return of order `order`'s line `line` ("1", the shirt, or "2", the cable,
/// which is cheap enough that the customer keeps it).
fn one_item_return(run: &str, order: usize, line: &str) -> serde_json::Value {
    json!({
        "order_number": format!("LOAD-{run}-{order}"),
        "lines": [{"line_id": line, "quantity": 1, "reason": "defective"}],
        "resolution": "refund",
    })
}

/// The `i`th of many returns over `orders` orders, both lines in turn.
fn nth_return(run: &str, i: usize, orders: usize) -> serde_json::Value {
    one_item_return(run, i % orders, if i % 2 == 0 { "1" } else { "2" })
}

async fn create_rmas(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let session = Session::new(args)?;
    let orders = args.orders.max(1);
    setup_orders(&session, args, orders, 100_000).await?;
    eprintln!(
        "sending {} returns, {} at a time...",
        args.requests, args.concurrency
    );
    let started = Instant::now();
    let s = session.clone();
    let answers = in_parallel(args.concurrency, args.requests, move |i| {
        let s = s.clone();
        async move {
            let t = Instant::now();
            let ok = s.post("/rmas", &nth_return(&s.run, i, orders), 201).await;
            ok.then(|| t.elapsed())
        }
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies: Vec<Duration> = answers.iter().flatten().copied().collect();
    latencies.sort();
    println!(
        "create-rmas: {} ok, {} errors, {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        answers.len() - latencies.len(),
        latencies.len() as f64 / elapsed,
        pct(&latencies, 0.50),
        pct(&latencies, 0.99)
    );
    Ok(())
}

/// `count` orders and a return of each with its label, ready to be scanned at the bench
/// (one return per customer: the policy sends frequent returners to a person first,
/// and those get no label yet): the RMA numbers.
async fn labelled_returns(
    session: &Session,
    args: &Args,
    count: usize,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    // A few of each line: small enough to be authorized at once, enough for the
    // returns `mixed` adds.
    setup_orders(session, args, count, 20).await?;
    eprintln!("opening {count} returns with labels...");
    let s = session.clone();
    let numbers = in_parallel(args.concurrency, count, move |i| {
        let s = s.clone();
        async move {
            let created = s
                .client
                .post(format!("{}/rmas", s.api))
                .bearer_auth(&s.key)
                .json(&one_item_return(&s.run, i, "1"))
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json::<serde_json::Value>()
                .await
                .map_err(|e| e.to_string())?;
            let number = created["number"]
                .as_str()
                .ok_or_else(|| format!("no RMA: {created}"))?
                .to_string();
            let label = s
                .client
                .post(format!("{}/rmas/{number}/label", s.api))
                .bearer_auth(&s.key)
                .json(&json!({}))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            match label.status().as_u16() {
                201 => Ok(number),
                status => Err(format!(
                    "label for {number}: {status} {}",
                    label.text().await.unwrap_or_default()
                )),
            }
        }
    })
    .await;
    let (numbers, failed): (Vec<_>, Vec<_>) = numbers.into_iter().partition(Result::is_ok);
    if let Some(Err(first)) = failed.first() {
        eprintln!(
            "{} of {count} returns got no label; the first: {first}",
            failed.len()
        );
    }
    let numbers: Vec<String> = numbers.into_iter().flatten().collect();
    if numbers.is_empty() {
        return Err("no return got a label".into());
    }
    Ok(numbers)
}

/// Scans `--requests` labelled returns at a steady `--rate` a second (open loop: a scan
/// starts on time whether or not the ones before have been answered).
async fn scans(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let session = Session::new(args)?;
    let numbers = labelled_returns(&session, args, args.requests).await?;
    let rate = args.rate.max(1.0);
    eprintln!("scanning {} boxes at {rate}/s...", numbers.len());
    let started = Instant::now();
    let mut scans = Vec::new();
    for (i, number) in numbers.into_iter().enumerate() {
        let due = started + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let s = session.clone();
        scans.push(tokio::spawn(async move {
            let t = Instant::now();
            s.scan(&number).await.then(|| t.elapsed())
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for scan in scans {
        match scan.await? {
            Some(took) => latencies.push(took),
            None => errors += 1,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "scans: {} ok, {errors} errors, offered {rate:.0}/s, answered {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        pct(&latencies, 0.50),
        pct(&latencies, 0.99)
    );
    Ok(())
}

/// What a `mixed` request does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Lookup,
    Read,
    Create,
    Scan,
}

/// Portal look-ups and RMA reads 80 % (half each), creates 15 %, scans 5 %, mixed
/// evenly through the run.
fn kind_of(i: usize) -> Kind {
    match i % 20 {
        0..=7 => Kind::Lookup,
        8..=15 => Kind::Read,
        16..=18 => Kind::Create,
        _ => Kind::Scan,
    }
}

/// `--requests` requests of every kind a shop's day brings, `--concurrency` at a time.
async fn mixed(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let session = Session::new(args)?;
    // Enough labelled boxes for every scan, and orders and RMAs to read.
    let orders = (args.requests / 20 + 1).max(args.orders);
    let numbers = Arc::new(labelled_returns(&session, args, orders).await?);
    eprintln!(
        "sending {} mixed requests, {} at a time...",
        args.requests, args.concurrency
    );
    let started = Instant::now();
    let s = session.clone();
    let seen = in_parallel(args.concurrency, args.requests, move |i| {
        let (s, numbers) = (s.clone(), numbers.clone());
        async move {
            let kind = kind_of(i);
            let t = Instant::now();
            let ok = match kind {
                Kind::Lookup => {
                    let (run, o) = (&s.run, i % orders);
                    let body = json!({"order_number": format!("LOAD-{run}-{o}"), "email": format!("load-{run}-{o}@example.com")});
                    let r = s.client.post(format!("{}/returns/lookup", s.api)).json(&body).send().await;
                    answered(r, 200).await
                }
                Kind::Read => {
                    let number = &numbers[i % numbers.len()];
                    let r = s.client.get(format!("{}/rmas/{number}", s.api)).bearer_auth(&s.key).send().await;
                    answered(r, 200).await
                }
                Kind::Create => s.post("/rmas", &nth_return(&s.run, i, orders), 201).await,
                // Each box once: the nth scan takes the nth box.
                Kind::Scan => s.scan(&numbers[(i / 20) % numbers.len()]).await,
            };
            (kind, t.elapsed(), ok)
        }
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    let errors = seen.iter().filter(|(_, _, ok)| !ok).count();
    let of = |kind: Option<Kind>| {
        let mut l: Vec<Duration> = seen
            .iter()
            .filter(|(k, _, ok)| *ok && kind.is_none_or(|kind| kind == *k))
            .map(|(_, d, _)| *d)
            .collect();
        l.sort();
        l
    };
    let all = of(None);
    let p99 = |kind| pct(&of(Some(kind)), 0.99);
    let failed = |kind: Kind| seen.iter().filter(|(k, _, ok)| !ok && *k == kind).count();
    if errors > 0 {
        eprintln!(
            "errors by kind: look-up {}, read {}, create {}, scan {}",
            failed(Kind::Lookup),
            failed(Kind::Read),
            failed(Kind::Create),
            failed(Kind::Scan)
        );
    }
    println!(
        "mixed: {} ok, {errors} errors, {:.0}/s, p50 {:.1} ms, p99 {:.1} ms; p99 by kind: look-up {:.1} ms, read {:.1} ms, create {:.1} ms, scan {:.1} ms",
        all.len(),
        all.len() as f64 / elapsed,
        pct(&all, 0.50),
        pct(&all, 0.99),
        p99(Kind::Lookup),
        p99(Kind::Read),
        p99(Kind::Create),
        p99(Kind::Scan),
    );
    Ok(())
}

/// A cheap order to keep: a keep-it return of it is refunded when it is authorized.
fn keep_it_order(run: &str, i: usize) -> serde_json::Value {
    json!({
        "order_number": format!("DSP-{run}-{i}"),
        "currency": "EUR",
        "placed_at": "2026-11-01T10:00:00Z",
        "customer": {"email": format!("dsp-{run}-{i}@example.com"), "name": "Load Test"},
        "ship_to": {"name": "Load Test", "line1": "Teststr. 1", "city": "Berlin", "postal_code": "10115", "country": "DE", "lat": 52.53, "lon": 13.38},
        "lines": [{"line_id": "1", "sku": "SKU-C", "title": "Cable", "category": "electronics", "quantity": 1, "unit_price": "4.00", "tax": "0.76"}]
    })
}

/// Reads `GET /rmas?status=…` pages, `--concurrency` at a time: each of `--requests`
/// walks starts on a status in turn and follows `next_cursor` for up to `--pages`
/// pages of 50. Every page's time counts.
async fn lists(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    const STATUSES: [&str; 5] = [
        "authorized",
        "label_issued",
        "in_transit",
        "closed",
        "requested",
    ];
    let session = Session::new(args)?;
    let pages = args.pages.max(1);
    let started = Instant::now();
    let s = session.clone();
    let walks = in_parallel(args.concurrency, args.requests, move |i| {
        let s = s.clone();
        async move {
            let status = STATUSES[i % STATUSES.len()];
            let mut cursor: Option<String> = None;
            let mut times = Vec::new();
            let mut errors = 0;
            for _ in 0..pages {
                let mut url = format!("{}/rmas?status={status}&limit=50", s.api);
                if let Some(c) = &cursor {
                    url.push_str(&format!("&cursor={c}"));
                }
                let t = Instant::now();
                let page = match s.client.get(url).bearer_auth(&s.key).send().await {
                    Ok(r) if r.status().is_success() => r.json::<serde_json::Value>().await.ok(),
                    _ => None,
                };
                let Some(page) = page else {
                    errors += 1;
                    break;
                };
                times.push(t.elapsed());
                cursor = page["next_cursor"].as_str().map(str::to_string);
                if cursor.is_none() {
                    break;
                }
            }
            (times, errors)
        }
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    let errors: usize = walks.iter().map(|(_, e)| e).sum();
    let mut latencies: Vec<Duration> = walks.into_iter().flat_map(|(t, _)| t).collect();
    latencies.sort();
    println!(
        "lists: {} pages, {errors} errors, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        pct(&latencies, 0.5),
        pct(&latencies, 0.99),
    );
    Ok(())
}

async fn dispatch(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let sink = smtp_sink::SmtpSink::start_on(args.smtp_port).await;
    let session = Session::new(args)?;
    eprintln!(
        "SMTP sink on 127.0.0.1:{}; creating {} keep-it refunds, {} at a time...",
        sink.port, args.requests, args.concurrency
    );
    let started = Instant::now();
    let s = session.clone();
    let pace = args.pace.map(|p| p.max(1.0));
    // Each trigger's order number and when the answer that created it came back.
    let made = in_parallel(args.concurrency, args.requests, move |i| {
        let s = s.clone();
        async move {
            if let Some(pace) = pace {
                let due = started + Duration::from_secs_f64(i as f64 / pace);
                tokio::time::sleep_until(due.into()).await;
            }
            let number = format!("DSP-{}-{i}", s.run);
            let shipment = json!({"carrier": "sandbox", "tracking_number": format!("SBXDSP{}{i}", s.run),
                                  "shipped_at": "2026-11-15T10:00:00Z", "delivered_at": "2026-11-17T10:00:00Z"});
            let rma = json!({"order_number": number, "resolution": "keep_it",
                             "lines": [{"line_id": "1", "quantity": 1, "reason": "wrong_item"}]});
            let made = s.post("/orders", &keep_it_order(&s.run, i), 201).await
                && s.post(&format!("/orders/{number}/shipments"), &shipment, 201).await
                && s.post("/rmas", &rma, 201).await;
            made.then(|| (number, Instant::now()))
        }
    })
    .await;
    let enqueued: std::collections::HashMap<String, Instant> = made.into_iter().flatten().collect();
    let created = enqueued.len();
    let created_in = started.elapsed().as_secs_f64();
    eprintln!(
        "{created} triggers in {created_in:.1} s ({} failed); waiting for their emails...",
        args.requests - created
    );

    // Each finance email's arrival at the sink, matched to its trigger by the order
    // number in its subject.
    let mut arrivals: Vec<(Instant, Option<Duration>)> = Vec::new();
    let mut seen = 0;
    let deadline = Instant::now() + Duration::from_secs(600);
    while arrivals.len() < created && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let Ok(messages) = sink.messages.lock() else {
            break;
        };
        for message in &messages[seen..] {
            if !message.data.contains("X-Backhaul-Refund-Trigger:") {
                continue;
            }
            let at = message.at.unwrap_or_else(Instant::now);
            let order = message
                .data
                .split_once("(order ")
                .and_then(|(_, rest)| rest.split_once(')'))
                .map(|(number, _)| number);
            let waited = order
                .and_then(|o| enqueued.get(o))
                .map(|sent| at.saturating_duration_since(*sent));
            arrivals.push((at, waited));
        }
        seen = messages.len();
    }
    arrivals.sort_by_key(|(at, _)| *at);
    let Some((last, _)) = arrivals.last().copied() else {
        return Err("no email arrived: is the service sending to this sink?".into());
    };
    let mut first = last;
    for pair in arrivals.windows(2).rev() {
        if pair[1].0.duration_since(pair[0].0) > Duration::from_secs(2) {
            break;
        }
        first = pair[0].0;
    }
    let burst = arrivals.iter().filter(|(at, _)| *at >= first).count();
    let seconds = last.duration_since(first).as_secs_f64().max(0.001);
    let mut waits: Vec<Duration> = arrivals.iter().filter_map(|(_, w)| *w).collect();
    waits.sort();
    println!(
        "dispatch: {} emails, {:.0}/s (last burst: {burst} in {seconds:.2} s), p99 enqueue→sent {:.0} ms, p50 {:.0} ms; {created} triggers made in {created_in:.1} s",
        arrivals.len(),
        burst as f64 / seconds,
        pct(&waits, 0.99),
        pct(&waits, 0.5),
    );
    Ok(())
}
