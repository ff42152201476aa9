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
}

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
    if args.scenario != "create-rmas" {
        return Err(format!("unknown scenario {:?}; known: create-rmas", args.scenario).into());
    }
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
