//! Tracking simulation: the real poller, ingest path and incident rules against the
//! sandbox carrier's timelines, on simulated time.
//!
//! ```sh
//! cargo run --release --example tracking_sim -- --parcels 10000 --days 30
//! ```
//!
//! Outbound parcels are shipped evenly over the first `days - 7` days (scenarios drawn
//! like the sandbox draws them: 85 % normal, 3 % each of lost, damaged, delayed,
//! returned and misdelivered). The clock moves in `--step-minutes` steps; at each step the
//! parcels shipped by then are registered and the poller runs once, as the service's
//! worker would. Printed: carrier calls and parcel look-ups per delivered parcel against
//! hourly polling, how long after the carrier's delivered scan Backhaul knew, and the
//! incidents opened against each parcel's true scenario.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use backhaul::config::Settings;
use backhaul::core::{Clock, Core};
use backhaul::db::orders::{self, NewShipment};
use backhaul::db::parcels::ParcelRow;
use backhaul::db::schema::{incidents, parcels, tracking_events};
use backhaul::db::utc;
use backhaul::domain::order::OrderInput;
use backhaul::domain::tracking::first_poll;
use backhaul::error::AppError;
use backhaul::tracking::poller::poll_once;
use backhaul_carriers::sandbox::{decode, scans, tracking_number, Scenario};
use chrono::{DateTime, Duration, TimeZone, Utc};
use clap::Parser;
use diesel::prelude::*;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    parcels: usize,
    #[arg(long, default_value_t = 30)]
    days: i64,
    /// How often the poller runs, in simulated minutes.
    #[arg(long, default_value_t = 5)]
    step_minutes: i64,
}

struct SimClock(Mutex<DateTime<Utc>>);

impl Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl SimClock {
    fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The incidents a parcel in `scenario` should open.
fn expected(scenario: Scenario) -> &'static [&'static str] {
    match scenario {
        Scenario::Lost => &["lost", "delayed"],
        Scenario::Damaged => &["damaged"],
        Scenario::Delayed => &["delayed"],
        Scenario::ReturnedToSender => &["returned_to_sender", "delayed"],
        Scenario::Misdelivered => &["misdelivered"],
        Scenario::Normal | Scenario::Unused => &[],
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let mut settings = Settings::load()?;
    settings.database.url = format!("sqlite://{}/sim.db", dir.path().display());
    settings.tracking.poll_every_seconds = 0;
    settings.tracking.claim_batch = 1000;
    let start = Utc
        .with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
        .single()
        .ok_or_else(|| anyhow::anyhow!("start time"))?;
    let end = start + Duration::days(args.days);
    let clock = Arc::new(SimClock(Mutex::new(start)));
    let state = Core::build(settings, clock.clone()).await?;
    let rules = state.settings.tracking.rules.clone();

    let order: OrderInput = serde_json::from_value(serde_json::json!({
        "order_number": "SIM-1", "currency": "EUR", "placed_at": start.to_rfc3339(),
        "customer": {"email": "sim@example.com", "name": "Sim Customer"},
        "ship_to": {"name": "Sim Customer", "line1": "Torstraße 112", "city": "Berlin",
                    "postal_code": "10119", "country": "DE", "lat": 52.53, "lon": 13.40},
        "lines": [{"line_id": "1", "sku": "SKU-1", "title": "Item", "category": "apparel",
                   "quantity": 1, "unit_price": "50.00", "tax": "8.00"}]
    }))?;
    let order = order
        .validate(start)
        .map_err(|e| anyhow::anyhow!("order: {e:?}"))?;
    let order_row = state
        .db
        .write(move |c| {
            let (id, _) = orders::upsert(c, &order, start)?;
            Ok::<_, AppError>(orders::load_by_id(c, &id)?.order)
        })
        .await?;

    // Parcels shipped evenly over the first days, each with a unique sandbox number.
    let spread_hours = (args.days - 7).max(1) * 24;
    let mut taken = HashSet::new();
    let mut plan: Vec<(DateTime<Utc>, String)> = (0..args.parcels)
        .map(|i| {
            let shipped =
                start + Duration::hours(i as i64 * spread_hours / args.parcels.max(1) as i64);
            let scenario = Scenario::for_reference(&format!("SIM-{i}"));
            let mut salt = 0;
            let tracking = loop {
                let candidate = tracking_number(scenario, shipped, &format!("{i}/{salt}"));
                if taken.insert(candidate.clone()) {
                    break candidate;
                }
                salt += 1;
            };
            (shipped, tracking)
        })
        .collect();
    plan.reverse();

    let started = Instant::now();
    let (mut calls, mut steps) = (0usize, 0usize);
    let mut now = start;
    while now < end {
        clock.set(now);
        let mut due = Vec::new();
        while plan.last().is_some_and(|(shipped, _)| *shipped <= now) {
            if let Some(p) = plan.pop() {
                due.push(p);
            }
        }
        if !due.is_empty() {
            let (row, rules) = (order_row.clone(), rules.clone());
            state
                .db
                .write(move |c| {
                    for (shipped, tracking) in &due {
                        let shipment = NewShipment {
                            carrier: "sandbox".into(),
                            tracking_number: tracking.clone(),
                            service: None,
                            shipped_at: *shipped,
                            delivered_at: None,
                            line_ids: None,
                            origin_country: None,
                            first_poll_at: Some(first_poll(*shipped, now, &rules)),
                        };
                        orders::add_shipment(c, &row, &shipment, now)?;
                    }
                    Ok::<_, AppError>(())
                })
                .await?;
        }
        calls += poll_once(&state, "sim").await?.carrier_calls;
        steps += 1;
        now += Duration::minutes(args.step_minutes.max(1));
    }
    let wall = started.elapsed();

    // What happened, from the database.
    let (all, delivered_scans, opened) = state
        .db
        .read(|c| {
            let all: Vec<ParcelRow> = parcels::table.select(ParcelRow::as_select()).load(c)?;
            let delivered: Vec<(String, chrono::NaiveDateTime, chrono::NaiveDateTime)> =
                tracking_events::table
                    .filter(tracking_events::status.eq("delivered"))
                    .select((
                        tracking_events::parcel_id,
                        tracking_events::at,
                        tracking_events::received_at,
                    ))
                    .load(c)?;
            let opened: Vec<(String, String)> = incidents::table
                .select((incidents::parcel_id, incidents::kind))
                .load(c)?;
            Ok::<_, AppError>((all, delivered, opened))
        })
        .await?;

    let lookups: i64 = all.iter().map(|p| p.polls).sum();
    let delivered = all
        .iter()
        .filter(|p| p.status == "delivered")
        .count()
        .max(1);
    // Hourly polling asks every hour from shipping until the final scan, or to the end.
    let hourly: i64 = all
        .iter()
        .map(|p| {
            let last = scans(&p.tracking_number)
                .into_iter()
                .filter(|e| e.status.is_final())
                .map(|e| e.at)
                .next()
                .filter(|t| *t < end)
                .unwrap_or(end);
            ((last - utc(p.shipped_at)).num_minutes() + 59) / 60
        })
        .sum();
    let mut delays: Vec<f64> = delivered_scans
        .iter()
        .map(|(_, at, received)| (*received - *at).num_seconds() as f64 / 3600.0)
        .collect();
    delays.sort_by(f64::total_cmp);

    let by_id: BTreeMap<&str, &ParcelRow> = all.iter().map(|p| (p.id.as_str(), p)).collect();
    let scenario_of = |p: &ParcelRow| decode(&p.tracking_number).map(|(s, _)| s);
    let mut table: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for (parcel_id, kind) in &opened {
        let Some(scenario) = by_id.get(parcel_id.as_str()).and_then(|p| scenario_of(p)) else {
            continue;
        };
        let entry = table.entry(kind_name(kind)).or_default();
        if expected(scenario).contains(&kind.as_str()) {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    // Missed: expected and not opened, for parcels shipped at least 10 days before the end.
    let opened_set: HashSet<(&str, &str)> = opened
        .iter()
        .map(|(p, k)| (p.as_str(), k.as_str()))
        .collect();
    for p in all
        .iter()
        .filter(|p| utc(p.shipped_at) < end - Duration::days(10))
    {
        let Some(scenario) = scenario_of(p) else {
            continue;
        };
        for kind in expected(scenario) {
            if !opened_set.contains(&(p.id.as_str(), *kind)) {
                table.entry(kind_name(kind)).or_default().2 += 1;
            }
        }
    }
    let scenario_counts =
        all.iter()
            .filter_map(scenario_of)
            .fold(BTreeMap::<String, usize>::new(), |mut m, s| {
                *m.entry(format!("{s:?}")).or_default() += 1;
                m
            });

    println!(
        "tracking_sim: {} parcels over {} days, poller every {} simulated minutes ({steps} passes, {:.1} s wall)",
        all.len(),
        args.days,
        args.step_minutes,
        wall.as_secs_f64()
    );
    println!("scenarios: {scenario_counts:?}");
    let mut per_scenario: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for p in &all {
        if let Some(s) = scenario_of(p) {
            let e = per_scenario.entry(format!("{s:?}")).or_default();
            e.0 += p.polls;
            e.1 += 1;
        }
    }
    let averages: Vec<String> = per_scenario
        .iter()
        .map(|(s, (polls, n))| format!("{s} {:.1}", *polls as f64 / (*n).max(1) as f64))
        .collect();
    println!("look-ups per parcel by scenario: {}", averages.join(", "));
    println!("delivered parcels: {delivered}");
    println!(
        "carrier calls: {calls} (batched, up to 100 numbers each); parcel look-ups: {lookups}"
    );
    println!(
        "look-ups per delivered parcel: {:.2}; hourly polling: {:.2}; {:.1}x fewer",
        lookups as f64 / delivered as f64,
        hourly as f64 / delivered as f64,
        hourly as f64 / lookups.max(1) as f64
    );
    println!(
        "delivery known after the carrier's scan: median {:.2} h, p99 {:.2} h, max {:.2} h ({} deliveries)",
        percentile(&delays, 50.0),
        percentile(&delays, 99.0),
        delays.last().copied().unwrap_or(0.0),
        delays.len()
    );
    println!("incidents (kind: true, false, missed):");
    for (kind, (tp, fp, missed)) in &table {
        println!("  {kind:<20} {tp:>6} {fp:>6} {missed:>6}");
    }
    Ok(())
}

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "lost" => "lost",
        "damaged" => "damaged",
        "delayed" => "delayed",
        "returned_to_sender" => "returned_to_sender",
        "misdelivered" => "misdelivered",
        _ => "other",
    }
}
