//! Fills a database with a big shop's history, then measures what grows with it.
//!
//! ```sh
//! cargo run --release --example seed_big -- --database-url sqlite:///tmp/big.db --rows 100000
//! cargo run --release --example seed_big -- --database-url sqlite:///tmp/big.db --rows 1000000
//! ```
//!
//! `--rows N` makes the database hold N seeded orders, each with one return and its
//! inbound parcel (adding only what is missing, so a run at 100,000 and then one at
//! 1,000,000 measure the same database at both sizes). The returns spread over the
//! statuses as a shop's history does (most closed; 5 % authorized, 5 % labelled, 5 % in
//! transit, …); 1 % of the parcels are due for a poll now and 5 % later, the rest are
//! delivered and never polled again. Then it prints, from inside the process (no HTTP):
//! the poller's claim of 100 due parcels (rolled back each time), the first and a
//! deep page of `GET /rmas?status=authorized` (the use case the API calls), and the
//! database's size:
//!
//! `seed_big: N rows; claim 100 due parcels p50 … ms p99 … ms; rmas?status=authorized
//! first page p50 … ms p99 … ms, page 200 p50 … ms p99 … ms; database … MiB` (the last
//! page when there are fewer than 200).

use std::time::{Duration, Instant};

use backhaul::db::{rmas::ListFilter, Db, DbConnection};
use backhaul::domain::RmaStatus;
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long)]
    database_url: String,
    /// Orders, returns and parcels the database holds when seeding is done.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Rows written per statement.
    #[arg(long, default_value_t = 50_000)]
    chunk: u64,
    /// Samples per figure.
    #[arg(long, default_value_t = 200)]
    samples: usize,
}

/// The SQL that adds seeded rows `from..=to` (orders, returns, parcels): `series` is
/// the backend's way to count from `from` to `to`, the rest the backend's functions.
struct Dialect {
    series: &'static str,
    id: fn(&str) -> String,
    at: &'static str,
    now_minus_minute: &'static str,
    now_plus_minutes: &'static str,
}

const PG: Dialect = Dialect {
    series: "WITH s(g) AS (SELECT generate_series({from}::bigint, {to}::bigint))",
    id: |tail| format!("lpad(to_hex(g), 8, '0') || '-0000-7000-8000-0000000000{tail}'"),
    at: "(timestamp '2025-01-01' + make_interval(secs => g))",
    now_minus_minute: "(now() at time zone 'utc' - interval '1 minute')",
    now_plus_minutes: "(now() at time zone 'utc' + make_interval(mins => (g % 1440)::int))",
};

const SQLITE: Dialect = Dialect {
    series: "WITH RECURSIVE s(g) AS (SELECT {from} UNION ALL SELECT g + 1 FROM s WHERE g < {to})",
    id: |tail| format!("printf('%08x-0000-7000-8000-0000000000{tail}', g)"),
    at: "datetime('2025-01-01', '+' || g || ' seconds')",
    now_minus_minute: "datetime('now', '-1 minute')",
    now_plus_minutes: "datetime('now', '+' || (g % 1440) || ' minutes')",
};

fn inserts(d: &Dialect, from: u64, to: u64) -> Vec<String> {
    let series = d
        .series
        .replace("{from}", &from.to_string())
        .replace("{to}", &to.to_string());
    let (order_id, rma_id, parcel_id, at) = ((d.id)("a0"), (d.id)("a1"), (d.id)("a2"), d.at);
    let status = "CASE g % 20 WHEN 0 THEN 'authorized' WHEN 1 THEN 'label_issued' \
                  WHEN 2 THEN 'in_transit' WHEN 3 THEN 'requested' WHEN 16 THEN 'refund_triggered' \
                  WHEN 17 THEN 'refund_triggered' WHEN 18 THEN 'cancelled' WHEN 19 THEN 'expired' \
                  ELSE 'closed' END";
    let (due, later) = (d.now_minus_minute, d.now_plus_minutes);
    vec![
        format!(
            "{series} INSERT INTO orders (id, order_number, currency, placed_at, customer_email, \
             customer_name, customer_locale, ship_name, ship_line1, ship_city, ship_postal_code, \
             ship_country, total_minor, created_at, updated_at) \
             SELECT {order_id}, 'BIG-' || g, 'EUR', {at}, 'big' || g || '@example.com', 'Big Shop', '', \
             'Big Shop', 'Teststr. 1', 'Berlin', '10115', 'DE', 1990, {at}, {at} FROM s"
        ),
        format!(
            "{series} INSERT INTO rmas (id, number, order_id, status, resolution, label_payer, currency, \
             estimated_refund_minor, customer_email, decision, return_to, created_at, updated_at) \
             SELECT {rma_id}, 'B-' || g, {order_id}, {status}, 'refund', 'free', 'EUR', 1990, \
             'big' || g || '@example.com', '{{}}', 'DE-BER', {at}, {at} FROM s"
        ),
        format!(
            "{series} INSERT INTO parcels (id, direction, carrier, tracking_number, rma_id, status, \
             international, shipped_at, next_poll_at, polls, failures, created_at, updated_at) \
             SELECT {parcel_id}, 'inbound', 'sandbox', 'SBXBIG' || g, {rma_id}, \
             CASE WHEN g % 100 = 1 OR g % 20 = 2 THEN 'in_transit' ELSE 'delivered' END, false, {at}, \
             CASE WHEN g % 100 = 1 THEN {due} WHEN g % 20 = 2 THEN {later} END, 0, 0, {at}, {at} FROM s"
        ),
    ]
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn scalar(c: &mut DbConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(c)
        .map(|r| r.n)
        .unwrap_or(0)
}

/// p50 and p99 of `samples` runs of `f`, in milliseconds.
fn timed(samples: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut took: Vec<Duration> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    took.sort();
    let at = |p: f64| took[((took.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0;
    (at(0.5), at(0.99))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let db = Db::connect(&args.database_url, 2)?;
    db.migrate()?;
    let dialect = if db.is_sqlite() { &SQLITE } else { &PG };
    // A connection of its own: the pool's SQLite readers are not for writing.
    let mut c = DbConnection::establish(&connection_url(&args.database_url))?;
    let have = scalar(
        &mut c,
        "SELECT COUNT(*) AS n FROM orders WHERE order_number LIKE 'BIG-%'",
    );
    let have = u64::try_from(have).unwrap_or(0);
    let started = Instant::now();
    let mut from = have + 1;
    while from <= args.rows {
        let to = (from + args.chunk - 1).min(args.rows);
        c.transaction(|c| {
            for sql in inserts(dialect, from, to) {
                c.batch_execute(&sql)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        eprintln!("seeded {to} of {} rows", args.rows);
        from = to + 1;
    }
    if have < args.rows {
        eprintln!(
            "seeded {} rows in {:.0} s",
            args.rows - have,
            started.elapsed().as_secs_f64()
        );
    }
    if db.is_sqlite() {
        c.batch_execute("ANALYZE")?;
    } else {
        c.batch_execute("ANALYZE orders; ANALYZE rmas; ANALYZE parcels")?;
    }

    let now = chrono::Utc::now();
    let claim = timed(args.samples, || {
        let claimed = c.transaction(|c| {
            let claimed = backhaul::db::parcels::claim_due(
                c,
                now,
                "seed-big",
                now + chrono::Duration::seconds(45),
                100,
            )?;
            assert!(!claimed.is_empty(), "no due parcel to claim");
            // Rolled back: every sample claims the same due parcels.
            Err::<(), _>(diesel::result::Error::RollbackTransaction)
        });
        // Only the rollback asked for: a failed claim is not a timed one.
        assert!(
            matches!(claimed, Err(diesel::result::Error::RollbackTransaction)),
            "the claim failed: {claimed:?}"
        );
    });
    let authorized = ListFilter {
        status: Some(RmaStatus::Authorized),
        ..ListFilter::default()
    };
    let first = timed(args.samples, || {
        backhaul::rmas::page(&mut c, authorized.clone(), None, 50).expect("a page");
    });
    // The 200th page (or the last, if there are fewer): walk there once, then time it.
    let (mut cursor, mut deepest): (Option<String>, usize) = (None, 1);
    while deepest < 200 {
        let page = backhaul::rmas::page(&mut c, authorized.clone(), cursor.as_deref(), 50)?;
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
        deepest += 1;
    }
    let deep = timed(args.samples, || {
        backhaul::rmas::page(&mut c, authorized.clone(), cursor.as_deref(), 50).expect("a page");
    });
    let bytes = if db.is_sqlite() {
        let path = connection_url(&args.database_url);
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|s| std::fs::metadata(format!("{path}{s}")).ok())
            .map(|m| m.len())
            .sum::<u64>()
    } else {
        u64::try_from(scalar(
            &mut c,
            "SELECT pg_database_size(current_database()) AS n",
        ))
        .unwrap_or(0)
    };
    println!(
        "seed_big: {} rows; claim 100 due parcels p50 {:.2} ms p99 {:.2} ms; \
         rmas?status=authorized first page p50 {:.2} ms p99 {:.2} ms, page {deepest} p50 {:.2} ms p99 {:.2} ms; \
         database {:.0} MiB",
        args.rows,
        claim.0,
        claim.1,
        first.0,
        first.1,
        deep.0,
        deep.1,
        bytes as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}

/// The URL diesel connects to: SQLite wants the bare path.
fn connection_url(url: &str) -> String {
    url.strip_prefix("sqlite://").unwrap_or(url).to_string()
}
