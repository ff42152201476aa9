//! The shop pushes orders and parcels in; returnable quantities follow the returns.

use backhaul::domain::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn an_order_is_created_then_updated(app: TestApp) {
    let integration = As::Role(Role::Integration);
    let mut order = eur_order("1001");
    let created = app.post("/api/v1/orders", &integration, &order).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["total"], "323.19");
    assert_eq!(created.body["lines"][1]["unit_price"], "19.90");
    assert_eq!(created.body["lines"][1]["returnable_quantity"], 2);
    assert_eq!(created.body["customer"]["email"], "1001@example.com");

    order["lines"][1]["quantity"] = json!(3);
    order["lines"].as_array_mut().expect("lines").remove(2);
    let updated = app.post("/api/v1/orders", &integration, &order).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    assert_eq!(updated.body["lines"].as_array().expect("lines").len(), 2);
    assert_eq!(updated.body["lines"][1]["quantity"], 3);

    let fetched = app.get("/api/v1/orders/1001", &integration).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body["lines"], updated.body["lines"]);
    assert_eq!(fetched.body["ship_to"]["phone"], "+49 30 1234567");
    assert_eq!(fetched.body["lines"][0]["weight_grams"], 620);

    // Sent again without a phone or weight: both are gone, not kept from before.
    order["ship_to"]
        .as_object_mut()
        .expect("ship_to")
        .remove("phone");
    order["lines"][0]
        .as_object_mut()
        .expect("line")
        .remove("weight_grams");
    let updated = app.post("/api/v1/orders", &integration, &order).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    assert!(
        updated.body["ship_to"]["phone"].is_null(),
        "{}",
        updated.text
    );
    assert!(updated.body["lines"][0]["weight_grams"].is_null());

    // A phone that is not one, a weightless or a weight in fractions: named, nothing kept.
    order["order_number"] = json!("1001-B");
    order["ship_to"]["phone"] = json!("call me");
    order["lines"][0]["weight_grams"] = json!(0);
    order["lines"][1]["weight_grams"] = json!(12.5);
    let refused = app.post("/api/v1/orders", &integration, &order).await;
    refused.problem(400);
    order["lines"][1]["weight_grams"] = json!(125.0);
    let refused = app.post("/api/v1/orders", &integration, &order).await;
    refused.problem(400);
    for field in ["ship_to.phone", "lines[0].weight_grams"] {
        assert!(refused.has_error_field(field), "{field}: {}", refused.text);
    }
    app.get("/api/v1/orders/1001-B", &integration)
        .await
        .problem(404);
}

async fn currencies_keep_their_own_decimals(app: TestApp) {
    let mut jpy = eur_order("JP-1");
    jpy["currency"] = json!("JPY");
    jpy["lines"] = json!([{"line_id": "1", "sku": "KTL", "title": "Kettle", "category": "home", "quantity": 1, "unit_price": "8900", "tax": "890"}]);
    let created = app.create_order(&jpy).await;
    assert_eq!(created["total"], "9790");

    let mut kwd = eur_order("KW-1");
    kwd["currency"] = json!("kwd");
    kwd["lines"] = json!([{"line_id": "1", "sku": "PERF", "title": "Perfume", "category": "beauty", "quantity": 2, "unit_price": "12.5", "tax": "0.125"}]);
    let created = app.create_order(&kwd).await;
    assert_eq!(created["currency"], "KWD");
    assert_eq!(created["total"], "25.125");

    jpy["order_number"] = json!("JP-2");
    jpy["lines"][0]["unit_price"] = json!("8900.5");
    let refused = app
        .post("/api/v1/orders", &As::Role(Role::Integration), &jpy)
        .await;
    refused.problem(400);
    assert!(
        refused.has_error_field("lines[0].unit_price"),
        "{}",
        refused.text
    );
}

async fn a_delivered_parcel_starts_the_return_window(app: TestApp) {
    app.create_order(&eur_order("1002")).await;
    let integration = As::Role(Role::Integration);
    let shipment = json!({"carrier": "UPS", "tracking_number": "1z 999 aa1 01 2345 6784", "shipped_at": "2026-11-10T08:00:00Z", "delivered_at": "2026-11-12T15:30:00Z"});
    let first = app
        .post("/api/v1/orders/1002/shipments", &integration, &shipment)
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.body["carrier"], "ups");
    assert_eq!(first.body["tracking_number"], "1Z999AA10123456784");
    assert_eq!(first.body["status"], "delivered");

    let again = app
        .post("/api/v1/orders/1002/shipments", &integration, &shipment)
        .await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "registering the same parcel twice is harmless"
    );

    let order = app.get("/api/v1/orders/1002", &integration).await.body;
    assert_eq!(order["lines"][0]["delivered_at"], "2026-11-12T15:30:00Z");
    assert_eq!(order["shipments"].as_array().expect("shipments").len(), 1);

    app.create_order(&eur_order("1003")).await;
    let elsewhere = app
        .post("/api/v1/orders/1003/shipments", &integration, &shipment)
        .await;
    elsewhere.problem(409);

    let bad = app
        .post("/api/v1/orders/1003/shipments", &integration, &json!({"carrier": "ups", "tracking_number": "1Z1", "shipped_at": "2026-11-10T08:00:00Z", "delivered_at": "2026-11-01T08:00:00Z"}))
        .await;
    bad.problem(400);
    assert!(
        bad.has_error_field("tracking_number") && bad.has_error_field("delivered_at"),
        "{}",
        bad.text
    );

    let unknown = app
        .post("/api/v1/orders/NOPE/shipments", &integration, &shipment)
        .await;
    unknown.problem(404);
}

async fn a_line_with_returns_cannot_be_dropped(app: TestApp) {
    let order = eur_order("1004");
    app.delivered_order(&order, 2).await;
    let rma = app
        .create_rma(
            &As::Role(Role::Integration),
            &return_body("1004", &[("1", 1, "defective")], "refund"),
        )
        .await;
    assert_eq!(rma.status, StatusCode::CREATED, "{}", rma.text);

    let mut without_jacket = order.clone();
    without_jacket["lines"]
        .as_array_mut()
        .expect("lines")
        .remove(0);
    let refused = app
        .post(
            "/api/v1/orders",
            &As::Role(Role::Integration),
            &without_jacket,
        )
        .await;
    refused.problem(409);
    let after = app
        .get("/api/v1/orders/1004", &As::Role(Role::Integration))
        .await;
    assert_eq!(
        after.body["lines"].as_array().expect("lines").len(),
        3,
        "nothing changed"
    );
    assert_eq!(after.body["lines"][0]["returnable_quantity"], 0);
}

crate::on_both_backends!(
    an_order_is_created_then_updated,
    currencies_keep_their_own_decimals,
    a_delivered_parcel_starts_the_return_window,
    a_line_with_returns_cannot_be_dropped,
);
