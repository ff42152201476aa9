//! The warehouse bench: scans with scanner noise, matched by RMA number or by the return
//! label's tracking number, repeated scans, the wrong warehouse, unmatched boxes kept and
//! linked later.

use backhaul::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

const BENCH: As = As::Role(Role::Warehouse);

async fn authorized(app: &TestApp, order: &str) -> (As, String) {
    app.authorized_rma(order, "size_too_small", "refund").await
}

async fn scan(app: &TestApp, barcode: &str, station: &str) -> Answer {
    app.post(
        "/api/v1/scans",
        &BENCH,
        &json!({"barcode": barcode, "station": station}),
    )
    .await
}

async fn rma(app: &TestApp, number: &str) -> Value {
    app.get(&format!("/api/v1/rmas/{number}"), &BENCH)
        .await
        .body
}

async fn a_scanned_rma_number_is_received_once(app: TestApp) {
    let (_, number) = authorized(&app, "W-1").await;
    let first = scan(
        &app,
        &format!("]C1{}\r\n", number.to_lowercase()),
        "DE-BER/bench-1",
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["result"], "matched");
    assert_eq!(first.body["rma"]["number"], number.as_str());
    assert_eq!(first.body["rma"]["lines"][0]["sku"], "JKT-RAIN-M");
    assert_eq!(first.body["expected_warehouse"], "DE-BER");
    assert_eq!(first.body["warehouse"], "DE-BER");
    assert_eq!(first.body["wrong_warehouse"], false);
    let received = rma(&app, &number).await;
    assert_eq!(received["status"], "received");
    let events = received["timeline"].as_array().map(Vec::len);
    assert!(received["timeline"]
        .as_array()
        .is_some_and(|t| t.iter().any(|e| e["to"] == "received"
            && e["note"]
                .as_str()
                .is_some_and(|n| n.contains("DE-BER/bench-1")))));

    let again = scan(&app, &number, "DE-BER/bench-2").await;
    assert_eq!(again.body["result"], "already_received");
    assert_eq!(again.body["parcel_id"], first.body["parcel_id"]);
    assert_eq!(
        rma(&app, &number).await["timeline"]
            .as_array()
            .map(Vec::len),
        events,
        "no second event"
    );
}

async fn a_label_barcode_finds_its_rma_and_the_wrong_warehouse_is_flagged(app: TestApp) {
    let (customer, number) = authorized(&app, "W-2").await;
    let tracking = app.issue_label(&number, &customer).await;
    let scanned = scan(&app, &format!("{tracking}\u{1d}"), "ES-MAD:bench-3").await;
    assert_eq!(scanned.body["result"], "matched", "{}", scanned.text);
    assert_eq!(scanned.body["read_as"]["kind"], "tracking_number");
    assert_eq!(scanned.body["read_as"]["carrier"], "sandbox");
    assert_eq!(scanned.body["wrong_warehouse"], true);
    assert_eq!(scanned.body["expected_warehouse"], "DE-BER");
    let after = rma(&app, &number).await;
    assert_eq!(after["status"], "received");
    assert!(
        after["parcels"][0]["next_poll_at"].is_null(),
        "no more polling once received"
    );
}

async fn unmatched_boxes_are_kept_and_linked_later(app: TestApp) {
    let (_, number) = authorized(&app, "W-3").await;
    let stranger = scan(&app, "1Z 999A A101 2345 6784", "DE-BER/bench-1").await;
    assert_eq!(stranger.status, StatusCode::OK, "{}", stranger.text);
    assert_eq!(stranger.body["result"], "unmatched");
    assert_eq!(stranger.body["read_as"]["carrier"], "ups");
    let twice = scan(&app, "1Z999AA10123456784", "DE-BER/bench-1").await;
    assert_eq!(
        twice.body["parcel_id"], stranger.body["parcel_id"],
        "a double scan is one box"
    );
    let mystery = scan(&app, "handwritten: call Anna", "DE-BER/bench-1").await;
    assert_eq!(mystery.body["result"], "unmatched");

    let open = app.get("/api/v1/parcels?unmatched=true", &BENCH).await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.text);
    let items = open.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert!(items
        .iter()
        .any(|p| p["tracking_number"] == "1Z999AA10123456784"));

    let id = stranger.body["parcel_id"].as_str().expect("id");
    let link = |body: Value| {
        let path = format!("/api/v1/parcels/{id}/link");
        let app = &app;
        async move { app.post(&path, &BENCH, &body).await }
    };
    assert_eq!(
        link(json!({"rma": "R-0000-0001"})).await.problem(422)["errors"][0]["field"],
        "rma",
        "a typo"
    );
    link(json!({"rma": "R-0000-0000"})).await.problem(404);
    let linked = link(json!({"rma": number})).await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.text);
    assert_eq!(linked.body["rma_number"], number.as_str());
    assert_eq!(rma(&app, &number).await["status"], "received");
    link(json!({"rma": number})).await.problem(409);
    assert_eq!(
        app.get("/api/v1/parcels?unmatched=true", &BENCH).await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    app.post("/api/v1/parcels/nope/link", &BENCH, &json!({"rma": number}))
        .await
        .problem(404);
}

async fn bad_scans_get_clear_answers(app: TestApp) {
    let (customer, number) = authorized(&app, "W-4").await;
    let empty = scan(&app, " \r\n", "DE-BER/bench-1").await;
    assert_eq!(empty.problem(400)["errors"][0]["field"], "barcode");
    let no_station = scan(&app, &number, "  ").await;
    assert_eq!(no_station.problem(400)["errors"][0]["field"], "station");
    let bad_warehouse = app
        .post(
            "/api/v1/scans",
            &BENCH,
            &json!({"barcode": number, "station": "bench-1", "warehouse": "XX-NOPE"}),
        )
        .await;
    assert_eq!(
        bad_warehouse.problem(422)["errors"][0]["field"],
        "warehouse"
    );
    app.post(
        "/api/v1/scans",
        &customer,
        &json!({"barcode": number, "station": "bench-1"}),
    )
    .await
    .problem(403);

    // A mistyped check character is a typo to scan again: nothing is stored.
    let last = number.chars().last().expect("a check character");
    let typo = format!(
        "{}{}",
        &number[..number.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    let mistyped = scan(&app, &typo, "DE-BER/bench-1").await;
    assert_eq!(mistyped.problem(422)["errors"][0]["field"], "barcode");
    assert!(
        mistyped.text.contains("check character"),
        "{}",
        mistyped.text
    );
    assert_eq!(
        app.get("/api/v1/parcels", &BENCH).await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // A cancelled RMA's box is kept, with the reason.
    app.post(
        &format!("/api/v1/rmas/{number}/cancel"),
        &customer,
        &json!({}),
    )
    .await;
    let late = scan(&app, &number, "bench-1").await;
    assert_eq!(late.body["result"], "unmatched");
    assert!(late.body["reason"]
        .as_str()
        .is_some_and(|r| r.contains("cancelled")));
    assert_eq!(rma(&app, &number).await["status"], "cancelled");
}

crate::on_both_backends!(
    a_scanned_rma_number_is_received_once,
    a_label_barcode_finds_its_rma_and_the_wrong_warehouse_is_flagged,
    unmatched_boxes_are_kept_and_linked_later,
    bad_scans_get_clear_answers,
);
