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
//! The last line is `dispatch: <n> triggers in <s> s; last burst <m> emails in <s> s,
//! <rate>/s`: the burst is the run of arrivals with no gap over two seconds that ends
//! with the last one.

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
}

/// The tests' SMTP server (the tests use all of it; this tool only some).
#[path = "../tests/api/smtp_sink.rs"]
#[allow(dead_code)]
mod smtp_sink;

fn order(run: &str, i: usize) -> serde_json::Value {
    json!({
        "order_number": format!("LOAD-{run}-{i}"),
        "currency": "EUR",
        "placed_at": "2026-11-01T10:00:00Z",
        "customer": {"email": format!("load-{run}-{i}@example.com"), "name": "Load Test"},
        "ship_to": {"name": "Load Test", "line1": "Teststr. 1", "city": "Berlin", "postal_code": "10115", "country": "DE", "lat": 52.53, "lon": 13.38},
        "lines": [
            {"line_id": "1", "sku": "SKU-1", "title": "Shirt", "category": "apparel", "quantity": 100000, "unit_price": "19.90", "tax": "3.78"},
            {"line_id": "2", "sku": "SKU-2", "title": "Cable", "category": "electronics", "quantity": 100000, "unit_price": "9.90", "tax": "1.88"}
        ]
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if args.scenario == "dispatch" {
        return dispatch(&args).await;
    }
    if args.scenario != "create-rmas" {
        return Err(format!(
            "unknown scenario {:?}; known: create-rmas, dispatch",
            args.scenario
        )
        .into());
    }
    let (client, api, run) = session(&args)?;
    let orders = args.orders.max(1);

    eprintln!("setting up {orders} delivered orders...");
    for i in 0..orders {
        let created = client
            .post(format!("{api}/orders"))
            .bearer_auth(&args.key)
            .json(&order(&run, i))
            .send()
            .await?;
        if !created.status().is_success() {
            return Err(format!(
                "creating an order failed: {} {}",
                created.status(),
                created.text().await?
            )
            .into());
        }
        let number = format!("LOAD-{run}-{i}");
        let shipment = json!({"carrier": "sandbox", "tracking_number": format!("SBXLOAD{run}{i}"), "shipped_at": "2026-11-15T10:00:00Z", "delivered_at": "2026-11-17T10:00:00Z"});
        client
            .post(format!("{api}/orders/{number}/shipments"))
            .bearer_auth(&args.key)
            .json(&shipment)
            .send()
            .await?;
    }

    eprintln!(
        "sending {} returns, {} at a time...",
        args.requests, args.concurrency
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency {
        let (client, api, key, run, next) = (
            client.clone(),
            api.clone(),
            args.key.clone(),
            run.clone(),
            next.clone(),
        );
        let total = args.requests;
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let body = json!({
                    "order_number": format!("LOAD-{run}-{}", i % orders),
                    "lines": [{"line_id": if i % 2 == 0 { "1" } else { "2" }, "quantity": 1, "reason": "defective"}],
                    "resolution": "refund",
                });
                let t = Instant::now();
                let answer = client.post(format!("{api}/rmas")).bearer_auth(&key).json(&body).send().await;
                let ok = match answer {
                    Ok(r) => r.status().as_u16() == 201 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    latencies.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.await?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let idx = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[idx].as_secs_f64() * 1000.0
    };
    println!(
        "create-rmas: {} ok, {} errors, {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        errors,
        latencies.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99)
    );
    Ok(())
}

/// The HTTP client, the API's base address, and this run's tag for order numbers.
fn session(args: &Args) -> Result<(reqwest::Client, String, String), Box<dyn std::error::Error>> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let api = format!("{}/api/v1", args.url.trim_end_matches('/'));
    let run = format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs()
    );
    Ok((client, api, run))
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

async fn dispatch(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let sink = smtp_sink::SmtpSink::start_on(args.smtp_port).await;
    let (client, api, run) = session(args)?;
    eprintln!(
        "SMTP sink on 127.0.0.1:{}; creating {} keep-it refunds, {} at a time...",
        sink.port, args.requests, args.concurrency
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency {
        let (client, api, key, run, next) = (
            client.clone(),
            api.clone(),
            args.key.clone(),
            run.clone(),
            next.clone(),
        );
        let total = args.requests;
        workers.push(tokio::spawn(async move {
            let mut failed = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let number = format!("DSP-{run}-{i}");
                let shipment = json!({"carrier": "sandbox", "tracking_number": format!("SBXDSP{run}{i}"),
                                      "shipped_at": "2026-11-15T10:00:00Z", "delivered_at": "2026-11-17T10:00:00Z"});
                let rma = json!({"order_number": number, "resolution": "keep_it",
                                 "lines": [{"line_id": "1", "quantity": 1, "reason": "wrong_item"}]});
                let steps = [
                    (format!("{api}/orders"), keep_it_order(&run, i)),
                    (format!("{api}/orders/{number}/shipments"), shipment),
                    (format!("{api}/rmas"), rma),
                ];
                for (url, body) in steps {
                    let answer = client.post(url).bearer_auth(&key).json(&body).send().await;
                    if !answer.is_ok_and(|r| r.status().is_success()) {
                        failed += 1;
                        break;
                    }
                }
            }
            failed
        }));
    }
    let mut failed = 0;
    for w in workers {
        failed += w.await?;
    }
    let created = args.requests - failed;
    let created_in = started.elapsed().as_secs_f64();
    eprintln!(
        "{created} triggers in {created_in:.1} s ({failed} failed); waiting for their emails..."
    );

    // Arrival times, read off the sink every 5 ms.
    let mut arrivals: Vec<Instant> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(600);
    while arrivals.len() < created && Instant::now() < deadline {
        let finance = sink
            .received()
            .iter()
            .filter(|m| m.data.contains("X-Backhaul-Refund-Trigger:"))
            .count();
        let now = Instant::now();
        arrivals.extend(std::iter::repeat_n(
            now,
            finance.saturating_sub(arrivals.len()),
        ));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let Some(last) = arrivals.last().copied() else {
        return Err("no email arrived: is the service sending to this sink?".into());
    };
    let mut first = last;
    for pair in arrivals.windows(2).rev() {
        if pair[1].duration_since(pair[0]) > Duration::from_secs(2) {
            break;
        }
        first = pair[0];
    }
    let burst = arrivals.iter().filter(|t| **t >= first).count();
    let seconds = last.duration_since(first).as_secs_f64().max(0.001);
    println!(
        "dispatch: {created} triggers in {created_in:.1} s; last burst {burst} emails in {seconds:.2} s, {:.0}/s; {} of {created} arrived",
        burst as f64 / seconds,
        arrivals.len()
    );
    Ok(())
}
