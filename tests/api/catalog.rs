//! The catalogue: the shop puts product groups (a product in its sizes and colours),
//! reads them back, imports them from CSV, and names them on order lines.

use std::io::Write;

use backhaul::db::Db;
use backhaul::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn shirts(sizes: &[(&str, &str, i64)]) -> Value {
    json!({
        "currency": "EUR",
        "variants": sizes.iter().map(|(sku, size, available)| json!({
            "sku": sku,
            "title": format!("Organic T-shirt, {size}"),
            "options": {"size": size, "colour": "navy"},
            "price": "19.9",
            "available": available,
        })).collect::<Vec<_>>(),
    })
}

fn skus(group: &Value) -> Vec<&str> {
    group["variants"]
        .as_array()
        .map(|v| v.iter().filter_map(|x| x["sku"].as_str()).collect())
        .unwrap_or_default()
}

async fn put(app: &TestApp, group: &str, body: &Value) -> Answer {
    app.send(
        "PUT",
        &format!("/api/v1/catalog/{group}"),
        &As::Role(Role::Integration),
        Some(body),
        &[],
    )
    .await
}

async fn the_shop_puts_and_reads_product_groups(app: TestApp) {
    let created = put(
        &app,
        "tsh-organic",
        &shirts(&[("TSH-S", "S", 3), ("TSH-M", "M", 0), ("TSH-L", "L", 7)]),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(skus(&created.body), ["TSH-S", "TSH-M", "TSH-L"]);
    assert_eq!(created.body["variants"][0]["price"], "19.90");
    assert_eq!(created.body["variants"][2]["options"]["size"], "L");
    assert_eq!(created.body["variants"][2]["available"], 7);

    // Sent again, the group is replaced whole: the variant left out is gone.
    let replaced = put(
        &app,
        "tsh-organic",
        &shirts(&[("TSH-L", "L", 6), ("TSH-M", "M", 2)]),
    )
    .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    let read = app
        .get("/api/v1/catalog/tsh-organic", &As::Role(Role::Integration))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(skus(&read.body), ["TSH-L", "TSH-M"]);
    assert_eq!(read.body["variants"][0]["available"], 6);
    assert_eq!(read.body["currency"], "EUR");

    // A SKU belongs to one group: another group claiming it is refused, and nothing
    // of that group is stored.
    let stolen = put(
        &app,
        "tsh-other",
        &shirts(&[("TSH-X", "XL", 1), ("TSH-M", "M", 1)]),
    )
    .await;
    let problem = stolen.problem(422);
    assert_eq!(
        problem["errors"][0]["field"], "variants[1].sku",
        "{problem}"
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("tsh-organic")),
        "{problem}"
    );
    app.get("/api/v1/catalog/tsh-other", &As::Role(Role::Integration))
        .await
        .problem(404);

    // Variants must differ; prices follow the currency; ids are URL-safe.
    let twins = put(&app, "twins", &shirts(&[("A-1", "M", 1), ("A-2", "M", 1)])).await;
    assert_eq!(
        twins.problem(422)["errors"][0]["field"],
        "variants[1].options"
    );
    let mut yen = shirts(&[("JP-1", "M", 1)]);
    yen["currency"] = json!("JPY");
    let yen = put(&app, "yen", &yen).await;
    assert_eq!(yen.problem(400)["errors"][0]["field"], "variants[0].price");
    let bad_id = put(&app, "no%20spaces", &shirts(&[("B-1", "M", 1)])).await;
    assert_eq!(bad_id.problem(400)["errors"][0]["field"], "product_group");
    app.get("/api/v1/catalog/no%20spaces", &As::Role(Role::Integration))
        .await
        .problem(400);

    // Only the shop's systems and admins.
    for who in [As::Role(Role::Warehouse), As::Role(Role::Finance)] {
        app.get("/api/v1/catalog/tsh-organic", &who)
            .await
            .problem(403);
    }
    app.get("/api/v1/catalog/tsh-organic", &As::Nobody)
        .await
        .problem(401);
    let admin = app
        .get("/api/v1/catalog/tsh-organic", &As::Role(Role::Admin))
        .await;
    assert_eq!(admin.status, StatusCode::OK, "{}", admin.text);
}

async fn order_lines_name_their_product_group(app: TestApp) {
    let mut order = eur_order("5101");
    order["lines"][1]["variant_of"] = json!("tsh-organic");
    order["lines"][1]["options"] = json!({"size": "L", "colour": "navy"});
    let created = app.create_order(&order).await;
    assert_eq!(created["lines"][1]["variant_of"], "tsh-organic");
    assert_eq!(created["lines"][1]["options"]["size"], "L");
    assert_eq!(created["lines"][0]["variant_of"], Value::Null);
    assert_eq!(created["lines"][0]["options"], json!({}));

    let mut bad = eur_order("5102");
    bad["lines"][0]["variant_of"] = json!("no spaces");
    bad["lines"][0]["options"] = json!({"Size": "M"});
    let refused = app
        .post("/api/v1/orders", &As::Role(Role::Integration), &bad)
        .await;
    let problem = refused.problem(400);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        ["lines[0].variant_of", "lines[0].options.Size"],
        "{problem}"
    );
}

const CATALOG: &str = "\
product_group,currency,sku,title,price,available,options
tsh-organic,EUR,TSH-S,Organic T-shirt S,19.90,3,size=S
tsh-organic,EUR,TSH-M,Organic T-shirt M,19.90,0,size=M
mug,EUR,MUG-1,Mug,9.5,10,
jkt-rain,EUR,JKT-M,Rain jacket M,89.90,2,size=M
jkt-rain,EUR,JKT-M,Rain jacket M again,89.90,2,size=L
tsh-organic,EUR,TSH-L,Organic T-shirt L,19.90,5,size=L
";

fn catalog_import(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}/catalog.db", dir.path().display()),
        Backend::Postgres => fresh_postgres_database(),
    };
    let db = Db::connect(&url, 2).expect("db");
    db.migrate().expect("migrate");
    let now = start_time();
    let import = |all_or_nothing| {
        backhaul::import::catalog::import_catalog(&db, CATALOG.as_bytes(), all_or_nothing, now)
            .expect("the file is read")
    };

    let strict = import(true);
    assert_eq!(strict.groups_imported, 0, "all or nothing");
    let load = |id: &str| {
        let id = id.to_string();
        db.read_blocking(move |c| {
            backhaul::db::catalog::load(c, &id).map_err(backhaul::db::DbError::from)
        })
        .expect("read")
    };
    assert!(load("mug").is_none());

    let report = import(false);
    assert_eq!(report.groups_imported, 2);
    assert_eq!(report.variants_imported, 4);
    assert_eq!(report.rejected.len(), 1, "{:?}", report.rejected);
    let (line, problem) = &report.rejected[0];
    assert_eq!(*line, 5, "the group's first row");
    assert!(problem.contains("variants[1].sku"), "{problem}");
    let shirts = load("tsh-organic").expect("imported");
    let skus: Vec<&str> = shirts.variants.iter().map(|v| v.sku.as_str()).collect();
    assert_eq!(
        skus,
        ["TSH-S", "TSH-M", "TSH-L"],
        "rows of a group may be apart"
    );
    assert_eq!(shirts.variants[2].options()["size"], "L");
    assert_eq!(load("mug").expect("imported").variants[0].price_minor, 950);
    assert!(load("jkt-rain").is_none());

    // A SKU moves to a group listed before the one that had it: all or nothing takes
    // the file as a whole, whatever the order of its groups.
    let moved = "\
product_group,currency,sku,title,price,available
tsh-basic,eur,TSH-S,Basic T-shirt S,12.00,9
tsh-organic,EUR,TSH-M,Organic T-shirt M,19.90,0
";
    let report = backhaul::import::catalog::import_catalog(&db, moved.as_bytes(), true, now)
        .expect("the file is read");
    assert_eq!(report.groups_imported, 2, "{:?}", report.rejected);
    assert_eq!(
        load("tsh-basic").expect("imported").variants[0].sku,
        "TSH-S"
    );
    assert_eq!(load("tsh-organic").expect("kept").variants.len(), 1);
}

#[test]
fn catalog_import_on_sqlite() {
    catalog_import(Backend::Sqlite);
}

#[test]
fn catalog_import_on_postgres() {
    catalog_import(Backend::Postgres);
}

#[test]
fn the_cli_imports_a_catalog() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("catalog.csv");
    std::fs::File::create(&csv)
        .and_then(|mut f| f.write_all(CATALOG.as_bytes()))
        .expect("csv written");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_backhaul"))
        .args(["import", "catalog", csv.to_str().expect("path")])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/cli.db", dir.path().display()),
        )
        .env_remove("BACKHAUL_CONFIG")
        .output()
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad group makes the exit code 1"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 5:") && stderr.contains("jkt-rain"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("imported 2 product groups (4 variants); 1 problem"),
        "{stdout}"
    );
}

/// Puts of one group at once replace it in turn: what is stored is one of them whole.
async fn concurrent_puts_never_mix(app: TestApp) {
    let sizes = ["S", "M", "L", "XL", "XXL", "3XL"];
    let first = put(&app, "race", &shirts(&[("R-S", "S", 1)])).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let bodies: Vec<Value> = (0..sizes.len())
        .map(|n| {
            let variants: Vec<(String, &str, i64)> = sizes[..=n]
                .iter()
                .map(|size| (format!("R-{size}"), *size, n as i64))
                .collect();
            let refs: Vec<(&str, &str, i64)> = variants
                .iter()
                .map(|(sku, size, a)| (sku.as_str(), *size, *a))
                .collect();
            shirts(&refs)
        })
        .collect();
    let answers =
        futures_util::future::join_all(bodies.iter().map(|body| put(&app, "race", body))).await;
    for answer in &answers {
        assert!(
            answer.status == StatusCode::OK || answer.status == StatusCode::CONFLICT,
            "{}",
            answer.text
        );
    }
    let stored = app
        .get("/api/v1/catalog/race", &As::Role(Role::Integration))
        .await
        .body;
    let n = stored["variants"].as_array().map_or(0, Vec::len);
    assert!(n >= 1, "{stored}");
    assert_eq!(stored["variants"], bodies[n - 1]["variants"].as_array().map(|v| {
        v.iter().map(|x| json!({"sku": x["sku"], "title": x["title"], "options": x["options"], "price": "19.90", "available": x["available"]})).collect::<Vec<_>>()
    }).map(Value::from).unwrap_or_default(), "one put whole");
}

/// Two groups claiming the same SKUs at once, named in opposite orders: one gets them,
/// the other is told why (409 to retry, or 422 once they are taken); never a deadlock.
async fn groups_racing_for_skus_never_deadlock(app: TestApp) {
    for round in 0..5 {
        let (a, b) = (format!("race-a{round}"), format!("race-b{round}"));
        let (x, y) = (format!("X-{round}"), format!("Y-{round}"));
        let forward = shirts(&[(x.as_str(), "S", 1), (y.as_str(), "M", 1)]);
        let backward = shirts(&[(y.as_str(), "M", 1), (x.as_str(), "S", 1)]);
        let (first, second) =
            futures_util::future::join(put(&app, &a, &forward), put(&app, &b, &backward)).await;
        assert_eq!(created_among(&[first, second], &RACE_ANSWERS), 1);
    }
}

/// The demo data has a catalogue, and its EUR order's clothes are variants in it;
/// loading it twice changes nothing.
async fn the_demo_has_a_catalogue(app: TestApp) {
    for _ in 0..2 {
        backhaul::demo::load(&app.state.core)
            .await
            .expect("demo loads");
    }
    let shirts = app
        .get("/api/v1/catalog/tsh-organic", &As::Role(Role::Integration))
        .await;
    assert_eq!(shirts.status, StatusCode::OK, "{}", shirts.text);
    assert_eq!(
        skus(&shirts.body),
        ["TSH-ORG-S", "TSH-ORG-M", "TSH-ORG-L", "TSH-ORG-XL"]
    );
    let order = app
        .get("/api/v1/orders/DEMO-1001", &As::Role(Role::Integration))
        .await;
    let line = &order.body["lines"][1];
    assert_eq!(line["sku"], "TSH-ORG-L", "{}", order.text);
    assert_eq!(line["variant_of"], "tsh-organic");
    assert_eq!(line["options"], json!({"size": "L"}));
}

crate::on_both_backends!(
    the_shop_puts_and_reads_product_groups,
    order_lines_name_their_product_group,
    the_demo_has_a_catalogue,
    concurrent_puts_never_mix,
    groups_racing_for_skus_never_deadlock,
);
