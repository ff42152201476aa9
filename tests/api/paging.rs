//! Every list pages with a cursor to its last row, in a stable order, and the CSV
//! exports hold every row however many pages they span.

use std::collections::HashSet;

use backhaul::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::pages::{user, Browser};

/// An order whose T-shirt line has `quantity` pieces, returned one RMA per piece,
/// oldest first; the RMA numbers.
async fn returns_one_by_one(app: &TestApp, order_number: &str, quantity: i64) -> Vec<String> {
    let mut order = eur_order(order_number);
    order["lines"][1]["quantity"] = json!(quantity);
    app.delivered_order(&order, 1).await;
    let body = return_body(order_number, &[("2", 1, "changed_mind")], "refund");
    let mut numbers = Vec::new();
    for _ in 0..quantity {
        let rma = app.create_rma(&As::Role(Role::Integration), &body).await;
        assert_eq!(rma.status, StatusCode::CREATED, "{}", rma.text);
        numbers.push(rma.body["number"].as_str().expect("number").to_string());
    }
    numbers
}

fn field(items: &[Value], name: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| i[name].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A cursor no page gave is a 422 on `cursor`; a page size out of range a 400 on
/// `limit`.
async fn refuses_bad_pages(app: &TestApp, path: &str, who: &As) {
    let joiner = if path.contains('?') { '&' } else { '?' };
    let unknown = "0190d5c4-0000-7000-8000-000000000000";
    for cursor in [
        "nope",
        unknown,
        "%00",
        "0190D5C4-0000-7000-8000-000000000000",
    ] {
        let bad = app
            .get(&format!("{path}{joiner}cursor={cursor}"), who)
            .await;
        bad.problem(422);
        assert!(bad.has_error_field("cursor"), "{path}: {}", bad.text);
    }
    for limit in ["0", "501"] {
        let bad = app.get(&format!("{path}{joiner}limit={limit}"), who).await;
        bad.problem(400);
        assert!(bad.has_error_field("limit"), "{path}: {}", bad.text);
    }
}

async fn every_list_pages_to_its_end(app: TestApp) {
    let finance = As::Role(Role::Finance);
    let numbers = returns_one_by_one(&app, "PG-1", 7).await;

    let walked = app.walk("/api/v1/rmas", &finance, 3).await;
    let mut newest_first = numbers.clone();
    newest_first.reverse();
    assert_eq!(
        field(&walked, "number"),
        newest_first,
        "every RMA once, newest first"
    );
    let exact = app.walk("/api/v1/rmas", &finance, 7).await;
    assert_eq!(exact.len(), 7, "a full last page has no next page");
    refuses_bad_pages(&app, "/api/v1/rmas?status=authorized", &finance).await;
    let event_id = app
        .get(&format!("/api/v1/rmas/{}/events", numbers[0]), &finance)
        .await
        .body["items"][0]["id"]
        .as_str()
        .expect("an event")
        .to_string();
    let foreign = app
        .get(&format!("/api/v1/rmas?cursor={event_id}"), &finance)
        .await;
    foreign.problem(422);

    // An RMA's audit trail, one event a page.
    let number = &numbers[0];
    app.issue_label(number, &As::Role(Role::Integration)).await;
    let events = format!("/api/v1/rmas/{number}/events");
    let all = app.get(&events, &finance).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    let all = all.body["items"].as_array().cloned().unwrap_or_default();
    assert!(all.len() >= 2, "{all:?}");
    let walked = app.walk(&events, &finance, 1).await;
    assert_eq!(
        field(&walked, "id"),
        field(&all, "id"),
        "oldest first, each once"
    );
    refuses_bad_pages(&app, &events, &finance).await;
    let other = format!(
        "/api/v1/rmas/{}/events?cursor={}",
        numbers[1],
        field(&all, "id")[0]
    );
    let foreign = app.get(&other, &finance).await;
    foreign.problem(422);

    // Boxes no RMA matched, two a page.
    let bench = As::Role(Role::Warehouse);
    for barcode in ["UNKNOWNBOX1", "UNKNOWNBOX2", "UNKNOWNBOX3"] {
        let scan = app
            .post(
                "/api/v1/scans",
                &bench,
                &json!({"barcode": barcode, "station": "bench-1"}),
            )
            .await;
        assert_eq!(scan.status, StatusCode::OK, "{}", scan.text);
    }
    let boxes = app.walk("/api/v1/parcels?unmatched=true", &bench, 2).await;
    assert_eq!(
        field(&boxes, "scanned"),
        ["UNKNOWNBOX3", "UNKNOWNBOX2", "UNKNOWNBOX1"]
    );
    refuses_bad_pages(&app, "/api/v1/parcels", &bench).await;
    refuses_bad_pages(&app, "/api/v1/incidents", &As::Role(Role::Admin)).await;
    refuses_bad_pages(&app, "/api/v1/refunds", &finance).await;

    // The staff pages say so on the page.
    user(&app, "bench", Role::Warehouse).await;
    user(&app, "boss", Role::Admin).await;
    for (name, page) in [
        ("bench", "/warehouse/parcels?after=nope"),
        ("boss", "/ops?incidents_after=nope"),
        ("boss", "/ops?stalled_after=nope"),
        ("boss", "/ops?review_after=nope"),
        ("bench", "/warehouse/to-inspect?after=nope"),
        (
            "bench",
            "/warehouse/arriving?after=0.20261204T101500.000000.R%20X",
        ),
        ("boss", "/staff/search?after=nope"),
    ] {
        let mut browser = Browser::new(&app);
        browser.sign_in(name, "correct horse battery").await;
        let bad = browser.get(page).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(
            bad.html.contains("start without a cursor"),
            "{page}: {}",
            bad.html
        );
        let first = browser.get(page.split('?').next().unwrap_or(page)).await;
        assert_eq!(first.status, StatusCode::OK, "{page}");
    }
}

/// The returns CSV streams past its first page (500 rows) to the last return.
async fn the_returns_csv_holds_every_return(app: TestApp) {
    let numbers = returns_one_by_one(&app, "PG-2", 503).await;
    user(&app, "boss", Role::Admin).await;
    let mut boss = Browser::new(&app);
    boss.sign_in("boss", "correct horse battery").await;
    let csv = boss.get("/ops/rmas.csv?status=&q=PG-2").await;
    assert_eq!(csv.status, StatusCode::OK);
    let rows: Vec<&str> = csv.html.lines().skip(1).collect();
    assert_eq!(rows.len(), 503, "every return, one row each");
    let listed: HashSet<&str> = rows.iter().filter_map(|r| r.split(',').next()).collect();
    let made: HashSet<&str> = numbers.iter().map(String::as_str).collect();
    assert_eq!(listed, made);

    // The search box finds them all too, 50 a page, newest first.
    let pages = boss.walk("/staff/search?q=PG-2", &numbers, 20).await;
    for on_page in &pages {
        assert!(on_page.len() <= 50, "{}", on_page.len());
    }
    let found = pages.concat();
    let mut newest_first = numbers.clone();
    newest_first.reverse();
    assert_eq!(found, newest_first, "every return once, newest first");
}

/// The stalled returns on `/ops` page by how long they have waited.
async fn stalled_returns_page_by_their_wait(app: TestApp) {
    let mut numbers = Vec::new();
    for i in 0..3 {
        let (customer, number) = app
            .authorized_rma(&format!("ST-{i}"), "size_too_small", "refund")
            .await;
        app.issue_label(&number, &customer).await;
        numbers.push(number);
        app.advance(chrono::Duration::minutes(5));
    }
    app.advance(chrono::Duration::days(8));
    let before = app.now() - chrono::Duration::days(7);
    let page = |cursor: Option<String>| {
        let state = app.state.clone();
        async move {
            state
                .db
                .read(move |c| backhaul::rmas::stalled(c, before, cursor.as_deref(), 2))
                .await
                .expect("a page")
        }
    };
    let first = page(None).await;
    let second = page(first.next_cursor.clone()).await;
    assert!(second.next_cursor.is_none());
    let listed: Vec<String> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|s| s.number.clone())
        .collect();
    assert_eq!(listed, numbers, "the longest waiting first, each once");
}

crate::on_both_backends!(
    every_list_pages_to_its_end,
    the_returns_csv_holds_every_return,
    stalled_returns_page_by_their_wait,
);
