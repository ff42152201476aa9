//! Storage: both backends get the same schema; the CLI imports orders and creates keys.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::Command;

use backhaul::db::{Db, DbConnection};
use backhaul::import::{import_orders, ImportOptions};
use diesel::sql_types::{Integer, Text};
use diesel::{QueryableByName, RunQueryDsl};

use crate::helpers::*;

#[derive(QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Integer)]
    nullable: i32,
}

fn columns(db: &Db) -> BTreeSet<(String, String, bool)> {
    db.read_blocking(|conn| {
        let query = match conn {
            DbConnection::Sqlite(_) => {
                "SELECT m.name AS table_name, p.name AS column_name, \
                 CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 0 ELSE 1 END AS nullable \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
            }
            DbConnection::Pg(_) => {
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                 CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS nullable \
                 FROM information_schema.columns WHERE table_schema = 'public'"
            }
        };
        diesel::sql_query(query)
            .load::<Column>(conn)
            .map_err(backhaul::db::DbError::from)
    })
    .expect("columns")
    .into_iter()
    .filter(|c| c.table_name != "__diesel_schema_migrations")
    .map(|c| (c.table_name, c.column_name, c.nullable == 1))
    .collect()
}

#[test]
fn both_backends_get_the_same_tables_and_columns() {
    let dir = tempfile::tempdir().expect("dir");
    let sqlite = Db::connect(
        &format!("sqlite://{}/nested/new.db", dir.path().display()),
        2,
    )
    .expect("sqlite opens");
    sqlite.migrate().expect("sqlite migrates");
    assert!(
        dir.path().join("nested/new.db").exists(),
        "the file and its folder are created"
    );
    let postgres = Db::connect(&fresh_postgres_database(), 2).expect("postgres opens");
    postgres.migrate().expect("postgres migrates");
    postgres.migrate().expect("migrating twice is harmless");

    let (s, p) = (columns(&sqlite), columns(&postgres));
    assert!(s.len() > 50, "{s:?}");
    assert_eq!(s, p);
}

/// The writer waits for the write lock whoever holds it, even when its batch reads
/// before it writes (SQLite fails a plain transaction's first write at once then).
#[tokio::test]
async fn a_write_waits_for_the_lock_held_elsewhere() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("locked.db");
    let db = Db::connect(&format!("sqlite://{}", path.display()), 2).expect("db");
    db.migrate().expect("migrate");
    let mut other =
        diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("another connection");
    other
        .batch_execute("BEGIN IMMEDIATE")
        .expect("the lock taken elsewhere");
    let write = db.write(|c| {
        diesel::sql_query("SELECT COUNT(*) FROM orders").execute(c)?;
        diesel::sql_query("UPDATE orders SET updated_at = updated_at").execute(c)?;
        Ok::<_, backhaul::error::AppError>(())
    });
    let release = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        other.batch_execute("COMMIT").expect("the lock let go");
    };
    let (written, ()) = tokio::join!(write, release);
    written.expect("the write waited for the lock");
}

const CSV: &str = "\
order_number,currency,placed_at,customer_email,customer_name,ship_name,ship_line1,ship_city,ship_postal_code,ship_country,line_id,sku,title,category,quantity,unit_price,tax,carrier,tracking_number,shipped_at,delivered_at
C-1,EUR,2026-11-01T10:00:00Z,a@example.com,Ann,Ann,Main St 1,Berlin,10115,DE,1,SKU-1,Jacket,apparel,1,89.90,14.35,dhl,1234567890,2026-11-02T10:00:00Z,2026-11-04T10:00:00Z
C-1,EUR,2026-11-01T10:00:00Z,a@example.com,Ann,Ann,Main St 1,Berlin,10115,DE,2,SKU-2,Shirt,apparel,2,19.90,6.35,dhl,1234567890,2026-11-02T10:00:00Z,2026-11-04T10:00:00Z
C-2,USD,2026-11-01T10:00:00Z,b@example.com,Bob,Bob,5th Ave 1,New York,10118,US,1,SKU-3,Shoes,shoes,1,120.999,10.65,,,,
C-3,JPY,2026-11-01T10:00:00Z,c@example.com,Chie,Chie,Marunouchi 1,Tokyo,100-0005,JP,1,SKU-4,Kettle,home,1,8900,890,,,,
C-4,CNY,2026-11-01T10:00:00Z,d@example.com,Dan,Dan,Nanjing Rd 1,Shanghai,200040,CN,1,SKU-5,Tea,perishables,zero,268.00,24.12,,,,
";

fn import_reports_bad_rows_and_keeps_good_ones(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}/import.db", dir.path().display()),
        Backend::Postgres => fresh_postgres_database(),
    };
    let db = Db::connect(&url, 2).expect("db");
    db.migrate().expect("migrate");
    let now = start_time();

    let strict = ImportOptions {
        all_or_nothing: true,
        batch_size: 100,
    };
    let report = import_orders(&db, CSV.as_bytes(), strict, now, |_, _| {}).expect("import runs");
    assert_eq!(report.orders_imported, 0, "all or nothing");

    let mut batches = 0;
    let lenient = ImportOptions {
        all_or_nothing: false,
        batch_size: 1,
    };
    let report =
        import_orders(&db, CSV.as_bytes(), lenient, now, |_, _| batches += 1).expect("import runs");
    assert_eq!(report.orders_imported, 2);
    assert_eq!(report.lines_imported, 3);
    assert_eq!(batches, 2);
    let lines: Vec<u64> = report.rejected.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![4, 6], "{:?}", report.rejected);
    assert!(
        report.rejected[0].1.contains("lines[0].unit_price"),
        "{:?}",
        report.rejected
    );

    let record = db
        .read_blocking(|c| {
            backhaul::db::orders::load(c, "C-1").map_err(backhaul::db::DbError::from)
        })
        .expect("read")
        .expect("C-1 imported");
    assert_eq!(record.lines.len(), 2);
    assert_eq!(record.shipments.len(), 1);
    assert!(record.lines.iter().all(|l| l.delivered_at.is_some()));
}

#[test]
fn import_on_sqlite() {
    import_reports_bad_rows_and_keeps_good_ones(Backend::Sqlite);
}

#[test]
fn import_on_postgres() {
    import_reports_bad_rows_and_keeps_good_ones(Backend::Postgres);
}

fn backhaul(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_backhaul"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite://{}/cli.db", dir.display()))
        .env_remove("BACKHAUL_CONFIG")
        .output()
        .expect("the binary runs")
}

#[test]
fn the_cli_creates_staff_users_with_a_password_from_stdin() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().expect("dir");
    let create = |username: &str, password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_backhaul"))
            .args([
                "users",
                "create",
                "--username",
                username,
                "--role",
                "warehouse",
            ])
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/cli.db", dir.path().display()),
            )
            .env_remove("BACKHAUL_CONFIG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(format!("{password}\n").as_bytes())
                .expect("password written");
        }
        child.wait_with_output().expect("finishes")
    };
    let ok = create("anna", "correct horse battery");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout).trim(),
        "created anna (warehouse)"
    );
    let short = create("ben", "short");
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12"));
    let taken = create("anna", "another long password");
    assert_eq!(taken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("taken"));
}

#[test]
fn the_cli_polls_once_and_reports() {
    let dir = tempfile::tempdir().expect("dir");
    let out = backhaul(dir.path(), &["poll", "--once"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON summary");
    assert_eq!(report["parcels"], 0, "{report}");
    assert_eq!(report["carrier_calls"], 0);
}

#[test]
fn the_cli_creates_keys_and_imports_orders() {
    let dir = tempfile::tempdir().expect("dir");
    let out = backhaul(
        dir.path(),
        &["keys", "create", "--role", "warehouse", "--name", "bench 1"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let key = stdout.lines().last().expect("a line");
    assert!(key.starts_with("bh_") && key.len() > 40, "{stdout}");

    let bad = backhaul(dir.path(), &["keys", "create", "--role", "janitor"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("janitor"));

    let csv = dir.path().join("orders.csv");
    std::fs::File::create(&csv)
        .and_then(|mut f| f.write_all(CSV.as_bytes()))
        .expect("csv written");
    let out = backhaul(
        dir.path(),
        &["import", "orders", csv.to_str().expect("path")],
    );
    assert_eq!(out.status.code(), Some(1), "bad rows make the exit code 1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 4:") && stderr.contains("line 6:"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("imported 2 orders (3 lines); 2 problems")
    );

    let bad_config = Command::new(env!("CARGO_BIN_EXE_backhaul"))
        .args(["migrate"])
        .env("DATABASE_URL", "mysql://nope")
        .output()
        .expect("runs");
    assert_eq!(bad_config.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad_config.stderr);
    assert_eq!(stderr.lines().count(), 1, "one readable line: {stderr}");
    assert!(stderr.contains("database.url"), "{stderr}");
}

/// The real binary, started as a user would: JSON logs carry request ids and no
/// customer data.
#[tokio::test]
async fn logs_have_request_ids_and_no_customer_data() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_backhaul"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/logs.db", dir.path().display()),
        )
        .env("BACKHAUL__LOG__FORMAT", "json")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let banner = lines.next().expect("a banner").expect("readable");
    let url = banner.split_whitespace().last().expect("url").to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{banner}");

    let client = reqwest::Client::new();
    let lookup = client
        .post(format!("{url}/api/v1/returns/lookup"))
        .json(&serde_json::json!({"order_number": backhaul::demo::TRY_ORDER, "email": backhaul::demo::TRY_EMAIL}))
        .send()
        .await
        .expect("lookup");
    assert!(lookup.status().is_success());
    let request_id = lookup.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_string();
    let token = lookup.json::<serde_json::Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string();
    let order = client
        .get(format!(
            "{url}/api/v1/orders/{}?email={}",
            backhaul::demo::TRY_ORDER,
            backhaul::demo::TRY_EMAIL
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("order");
    assert_eq!(order.status().as_u16(), 200);

    child.kill().expect("stopped");
    let output = child.wait_with_output().expect("output");
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(
        logs.contains(&request_id),
        "the request id is logged: {logs}"
    );
    for line in logs.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
    for secret in [
        backhaul::demo::TRY_EMAIL,
        token.as_str(),
        "Torstraße",
        "Anna Schmidt",
    ] {
        assert!(
            !logs.contains(secret),
            "{secret} leaked into the logs: {logs}"
        );
    }
}

#[tokio::test]
async fn a_carrier_enabled_without_credentials_stops_start_up_naming_the_variable() {
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = backhaul::config::Settings::load().expect("settings");
    settings.server.bind = "127.0.0.1:0".into();
    settings.database.url = format!("sqlite://{}/c.db", dir.path().display());
    settings.carriers.ups.enabled = true;
    settings.carriers.ups.client_id = Some("id".into());
    let err = backhaul::startup::Application::build(settings)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("BACKHAUL__CARRIERS__UPS__CLIENT_SECRET"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}
