//! Security figures against a running Backhaul. Start it with the guessing limits out
//! of the way, or the throttles (which are what production wants) stop the measuring:
//!
//! ```sh
//! BACKHAUL__LOOKUP__PER_IP_PER_MINUTE=1000000 \
//! BACKHAUL__LOOKUP__FAILURES_PER_ORDER_AND_ADDRESS=1000000 \
//! BACKHAUL__LOOKUP__FAILURES_PER_ADDRESS=1000000 BACKHAUL__LOOKUP__FAILURES_PER_ORDER=1000000 \
//! BACKHAUL__WEB__SIGN_IN_FAILURES_PER_USER_AND_ADDRESS=1000000 \
//! BACKHAUL__WEB__SIGN_IN_FAILURES_PER_ADDRESS=1000000 BACKHAUL__WEB__SIGN_IN_FAILURES_PER_USER=1000000 \
//!   target/release/backhaul serve &
//! cargo run --release --example probe -- --key KEY --scenario lookup-timing
//! cargo run --release --example probe -- --key KEY --scenario sign-in-storm
//! ```
//!
//! `lookup-timing`: an order with 500 lines, then look-ups with a wrong email on it
//! and of an unknown order, alternating; prints each median and their ratio (1.00: the
//! answer's time does not tell whether the order exists).
//! `sign-in-storm`: the median of an API read alone, then while `--concurrency` clients
//! send wrong passwords to `/login` as fast as they can; prints both and the guesses/s.
//! The key needs the integration (or admin) role.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
    #[arg(long, default_value = "lookup-timing")]
    scenario: String,
    #[arg(long, default_value_t = 400)]
    requests: usize,
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

type Failed = Box<dyn std::error::Error>;

fn median_ms(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times
        .get(times.len() / 2)
        .map_or(0.0, |t| t.as_secs_f64() * 1000.0)
}

async fn timed(request: reqwest::RequestBuilder) -> Result<Duration, Failed> {
    let started = Instant::now();
    let answer = request.send().await?;
    answer.bytes().await?;
    Ok(started.elapsed())
}

async fn lookup_timing(args: &Args, client: &reqwest::Client) -> Result<(), Failed> {
    let base = args.url.trim_end_matches('/');
    let run = format!("{:x}", std::process::id());
    let number = format!("PROBE-{run}");
    let lines: Vec<_> = (0..500)
        .map(|i| json!({"line_id": i.to_string(), "sku": format!("SKU-{i}"), "title": "Item", "category": "apparel", "quantity": 1, "unit_price": "9.90", "tax": "1.88"}))
        .collect();
    let order = json!({
        "order_number": number, "currency": "EUR", "placed_at": "2026-11-01T10:00:00Z",
        "customer": {"email": format!("probe-{run}@example.com"), "name": "Probe"},
        "ship_to": {"name": "Probe", "line1": "Teststr. 1", "city": "Berlin", "postal_code": "10115", "country": "DE"},
        "lines": lines,
    });
    let created = client
        .post(format!("{base}/api/v1/orders"))
        .bearer_auth(&args.key)
        .json(&order)
        .send()
        .await?;
    if !created.status().is_success() {
        return Err(format!("creating the order: {}", created.text().await?).into());
    }
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..args.requests {
        for (target, times) in [
            (&number, &mut known),
            (&format!("NOPE-{run}-{i}"), &mut unknown),
        ] {
            let body = json!({"order_number": target, "email": format!("wrong-{i}@example.com")});
            times.push(
                timed(
                    client
                        .post(format!("{base}/api/v1/returns/lookup"))
                        .json(&body),
                )
                .await?,
            );
        }
    }
    let (k, u) = (median_ms(known), median_ms(unknown));
    println!(
        "lookup-timing: wrong email on a 500-line order median {k:.3} ms, unknown order median {u:.3} ms, ratio {:.2}",
        k / u.max(f64::MIN_POSITIVE)
    );
    Ok(())
}

/// One wrong sign-in the way a browser does it: the page (for its CSRF token), then
/// the form.
async fn wrong_sign_in(client: &reqwest::Client, base: &str, n: usize) -> Result<(), Failed> {
    let page = client.get(format!("{base}/login")).send().await?;
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("bh_login_csrf="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_string();
    let csrf = cookie
        .split_once('=')
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    page.bytes().await?;
    let form = [
        ("username", format!("nobody-{n}")),
        ("password", "not the password at all".to_string()),
        ("csrf", csrf),
    ];
    client
        .post(format!("{base}/login"))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await?
        .bytes()
        .await?;
    Ok(())
}

async fn api_reads(args: &Args, client: &reqwest::Client) -> Result<Vec<Duration>, Failed> {
    let base = args.url.trim_end_matches('/');
    let mut times = Vec::with_capacity(args.requests);
    for _ in 0..args.requests {
        let read = client
            .get(format!("{base}/api/v1/rmas?limit=1"))
            .bearer_auth(&args.key);
        times.push(timed(read).await?);
    }
    Ok(times)
}

async fn sign_in_storm(args: &Args, client: &reqwest::Client) -> Result<(), Failed> {
    let quiet = median_ms(api_reads(args, client).await?);
    let stop = Arc::new(AtomicBool::new(false));
    let guesses = Arc::new(AtomicUsize::new(0));
    let mut guessers = Vec::new();
    for g in 0..args.concurrency {
        let (client, stop, guesses) = (client.clone(), stop.clone(), guesses.clone());
        let base = args.url.trim_end_matches('/').to_string();
        guessers.push(tokio::spawn(async move {
            let mut n = g * 1_000_000;
            while !stop.load(Ordering::Relaxed) {
                if wrong_sign_in(&client, &base, n).await.is_ok() {
                    guesses.fetch_add(1, Ordering::Relaxed);
                }
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let before = guesses.load(Ordering::Relaxed);
    let stormy = median_ms(api_reads(args, client).await?);
    let rate = (guesses.load(Ordering::Relaxed) - before) as f64 / started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for g in guessers {
        let _ = g.await;
    }
    println!(
        "sign-in-storm: API read median {quiet:.2} ms alone, {stormy:.2} ms with {} guessers ({rate:.1} guesses/s)",
        args.concurrency
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Failed> {
    let args = Args::parse();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()?;
    match args.scenario.as_str() {
        "lookup-timing" => lookup_timing(&args, &client).await,
        "sign-in-storm" => sign_in_storm(&args, &client).await,
        other => {
            Err(format!("unknown scenario {other:?}; known: lookup-timing, sign-in-storm").into())
        }
    }
}
