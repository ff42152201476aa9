//! Customers and the shop open returns under the policy; admins review them.

use backhaul::domain::{RmaNumber, Role};
use chrono::Duration;
use diesel::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn rules(body: &Value) -> Vec<String> {
    body["rules"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|x| x["rule"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn a_customer_returns_a_jacket_under_the_policy(app: TestApp) {
    let order = eur_order("3001");
    app.delivered_order(&order, 5).await;
    let customer = app.customer_token("3001", &email_of(&order)).await;

    let body = return_body("3001", &[("1", 1, "changed_mind")], "refund");
    let quote = app.post("/api/v1/rmas/quote", &customer, &body).await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.text);
    let decision = &quote.body["decision"];
    assert_eq!(decision["outcome"], "authorized");
    assert_eq!(decision["label"], "customer_pays");
    // 89.90 + 14.35 tax − 8.99 restocking (10 %) − 5.95 label
    assert_eq!(decision["estimated_refund"], "89.31");
    assert!(
        rules(decision).contains(&"restocking_fee".to_string()),
        "{decision}"
    );
    assert_eq!(quote.body["return_to"]["code"], "DE-BER");
    let listed = app.get("/api/v1/rmas", &As::Role(Role::Integration)).await;
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(0),
        "a quote creates nothing"
    );

    let created = app.create_rma(&customer, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let rma = &created.body;
    assert_eq!(rma["status"], "authorized");
    assert_eq!(rma["decision"]["estimated_refund"], "89.31");
    assert_eq!(rma["return_to"]["code"], "DE-BER");
    assert_eq!(rma["lines"][0]["title"], "Rain jacket");
    let number = rma["number"].as_str().expect("number");
    assert!(RmaNumber::parse(number).is_ok(), "{number}");
    assert_eq!(rma["timeline"][0]["to"], "authorized");

    // Read back by the customer, with the number typed sloppily.
    let sloppy = number.replace('-', "").to_lowercase();
    let fetched = app.get(&format!("/api/v1/rmas/{sloppy}"), &customer).await;
    assert_eq!(fetched.status, StatusCode::OK, "{}", fetched.text);
    assert_eq!(fetched.body["number"], number);

    let order_now = app.get("/api/v1/orders/3001", &customer).await.body;
    assert_eq!(order_now["lines"][0]["returnable_quantity"], 0);
    let again = app.create_rma(&customer, &body).await;
    again.problem(422);
    assert!(
        rules(&again.body["decision"]).contains(&"returnable_quantity".to_string()),
        "{}",
        again.text
    );
}

async fn seller_fault_returns_are_free_and_cheap_ones_are_kept(app: TestApp) {
    let mut order = eur_order("3101");
    order["lines"].as_array_mut().expect("lines").push(json!({"line_id": "4", "sku": "CBL-USB", "title": "USB cable", "category": "electronics", "quantity": 1, "unit_price": "4.90", "tax": "0.78"}));
    app.delivered_order(&order, 2).await;
    let integration = As::Role(Role::Integration);

    let defective = app
        .post(
            "/api/v1/rmas/quote",
            &integration,
            &return_body("3101", &[("3", 1, "defective")], "refund"),
        )
        .await;
    assert_eq!(
        defective.body["decision"]["label"], "free",
        "{}",
        defective.text
    );
    assert_eq!(defective.body["decision"]["estimated_refund"], "172.79");
    assert_eq!(defective.body["decision"]["photos_required"], true);

    let cable = app
        .post(
            "/api/v1/rmas/quote",
            &integration,
            &return_body("3101", &[("4", 1, "damaged")], "refund"),
        )
        .await;
    assert_eq!(cable.body["decision"]["label"], "keep_it", "{}", cable.text);
    assert_eq!(cable.body["decision"]["estimated_refund"], "5.68");
}

async fn the_window_closes(app: TestApp) {
    app.delivered_order(&eur_order("3201"), 1).await;
    let body = return_body("3201", &[("2", 1, "no_longer_needed")], "store_credit");
    let integration = As::Role(Role::Integration);
    app.advance(Duration::days(29));
    let open = app.post("/api/v1/rmas/quote", &integration, &body).await;
    assert_eq!(
        open.body["decision"]["outcome"], "authorized",
        "{}",
        open.text
    );
    app.advance(Duration::days(2));
    let closed = app.create_rma(&integration, &body).await;
    closed.problem(422);
    assert!(
        rules(&closed.body["decision"]).contains(&"window_closed".to_string()),
        "{}",
        closed.text
    );
    // A defective item is still the shop's problem.
    let defective = app
        .create_rma(
            &integration,
            &return_body("3201", &[("2", 1, "defective")], "refund"),
        )
        .await;
    assert_eq!(defective.status, StatusCode::CREATED, "{}", defective.text);
}

async fn frequent_returners_wait_for_review(app: TestApp) {
    let integration = As::Role(Role::Integration);
    let admin = As::Role(Role::Admin);
    let mut numbers = Vec::new();
    for i in 0..6 {
        let mut order = eur_order(&format!("33{i:02}"));
        order["customer"]["email"] = json!("serial@example.com");
        app.delivered_order(&order, 1).await;
        let rma = app
            .create_rma(
                &integration,
                &return_body(
                    &format!("33{i:02}"),
                    &[("2", 1, "size_too_small")],
                    "exchange",
                ),
            )
            .await;
        assert_eq!(rma.status, StatusCode::CREATED, "{}", rma.text);
        numbers.push((
            rma.body["number"].as_str().expect("number").to_string(),
            rma.body["status"].clone(),
        ));
    }
    assert!(numbers[..5].iter().all(|(_, s)| s == "authorized"));
    let (sixth, status) = &numbers[5];
    assert_eq!(status, "requested");

    app.post(
        &format!("/api/v1/rmas/{sixth}/authorize"),
        &integration,
        &json!({}),
    )
    .await
    .problem(403);
    let authorized = app
        .post(
            &format!("/api/v1/rmas/{sixth}/authorize"),
            &admin,
            &json!({"note": "loyal customer"}),
        )
        .await;
    assert_eq!(authorized.status, StatusCode::OK, "{}", authorized.text);
    assert_eq!(authorized.body["status"], "authorized");
    let twice = app
        .send(
            "POST",
            &format!("/api/v1/rmas/{sixth}/authorize"),
            &admin,
            None,
            &[],
        )
        .await;
    let problem = twice.problem(409);
    let detail = problem["detail"].as_str().expect("detail");
    assert!(
        detail.contains("authorize") && detail.contains("authorized"),
        "{detail}"
    );

    let events = app
        .get(
            &format!("/api/v1/rmas/{sixth}/events"),
            &As::Role(Role::Warehouse),
        )
        .await;
    let items = events.body["items"].as_array().expect("events");
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["from"], "requested");
    assert_eq!(items[1]["to"], "authorized");
    assert_eq!(items[1]["note"], "loyal customer");
    assert!(items[1]["actor"]
        .as_str()
        .expect("actor")
        .starts_with("admin:"));
}

async fn rejecting_and_cancelling(app: TestApp) {
    let order = eur_order("3401");
    app.delivered_order(&order, 1).await;
    let customer = app.customer_token("3401", &email_of(&order)).await;
    let rma = app
        .create_rma(
            &customer,
            &return_body("3401", &[("2", 2, "size_too_large")], "refund"),
        )
        .await;
    let number = rma.body["number"].as_str().expect("number").to_string();

    app.post(
        &format!("/api/v1/rmas/{number}/reject"),
        &As::Role(Role::Admin),
        &json!({}),
    )
    .await
    .problem(409);
    app.post(
        &format!("/api/v1/rmas/{number}/authorize"),
        &customer,
        &json!({}),
    )
    .await
    .problem(403);
    let cancelled = app
        .post(
            &format!("/api/v1/rmas/{number}/cancel"),
            &customer,
            &json!({"note": "found a use for them"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    assert_eq!(cancelled.body["status"], "cancelled");
    app.post(
        &format!("/api/v1/rmas/{number}/cancel"),
        &customer,
        &json!({}),
    )
    .await
    .problem(409);

    // The quantity is free again.
    let order_now = app.get("/api/v1/orders/3401", &customer).await.body;
    assert_eq!(order_now["lines"][1]["returnable_quantity"], 2);

    let other = eur_order("3402");
    app.delivered_order(&other, 1).await;
    let stranger = app.customer_token("3402", &email_of(&other)).await;
    app.get(&format!("/api/v1/rmas/{number}"), &stranger)
        .await
        .problem(403);
    app.post(
        &format!("/api/v1/rmas/{number}/cancel"),
        &stranger,
        &json!({}),
    )
    .await
    .problem(403);
    app.get("/api/v1/rmas/R-0000-0000", &As::Role(Role::Admin))
        .await
        .problem(404);
    let mistyped = app
        .get("/api/v1/rmas/R-0000-0001", &As::Role(Role::Admin))
        .await;
    assert!(
        mistyped.problem(404)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("mistyped")),
        "{}",
        mistyped.text
    );
}

async fn lists_filter_and_page(app: TestApp) {
    let integration = As::Role(Role::Integration);
    for i in 0..5 {
        let number = format!("35{i:02}");
        let mut order = eur_order(&number);
        order["customer"]["email"] = json!(format!("list{i}@example.com"));
        app.delivered_order(&order, 1).await;
        let rma = app
            .create_rma(
                &integration,
                &return_body(&number, &[("1", 1, "defective")], "refund"),
            )
            .await;
        assert_eq!(rma.status, StatusCode::CREATED, "{}", rma.text);
        if i == 0 {
            let n = rma.body["number"].as_str().expect("number").to_string();
            app.post(
                &format!("/api/v1/rmas/{n}/cancel"),
                &As::Role(Role::Admin),
                &json!({}),
            )
            .await;
        }
    }
    let finance = As::Role(Role::Finance);
    let first = app.get("/api/v1/rmas?limit=2", &finance).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let items = first.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["order_number"], "3504", "newest first");
    let cursor = first.body["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_string();
    let second = app
        .get(&format!("/api/v1/rmas?limit=2&cursor={cursor}"), &finance)
        .await;
    assert_eq!(second.body["items"][0]["order_number"], "3502");

    let cancelled = app.get("/api/v1/rmas?status=cancelled", &finance).await;
    assert_eq!(cancelled.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(cancelled.body["items"][0]["order_number"], "3500");
    let by_order = app
        .get("/api/v1/rmas?order_number=3503", &As::Role(Role::Warehouse))
        .await;
    assert_eq!(by_order.body["items"].as_array().map(Vec::len), Some(1));

    let bad = app.get("/api/v1/rmas?status=lost", &finance).await;
    bad.problem(400);
    assert!(bad.has_error_field("status"), "{}", bad.text);
    app.get("/api/v1/rmas?limit=0", &finance).await.problem(400);
}

async fn concurrent_returns_never_exceed_the_quantity(app: TestApp) {
    let mut order = eur_order("3601");
    order["lines"][1]["quantity"] = json!(5);
    app.delivered_order(&order, 1).await;
    let body = return_body("3601", &[("2", 1, "defective")], "refund");
    let attempts = (0..20).map(|_| app.create_rma(&As::Role(Role::Integration), &body));
    let answers = futures_util::future::join_all(attempts).await;
    assert_eq!(created_among(&answers, &RACE_ANSWERS), 5);
}

async fn order_lines_keep_what_returns_hold(app: TestApp) {
    let order = eur_order("3601");
    app.delivered_order(&order, 1).await;
    let customer = app.customer_token("3601", &email_of(&order)).await;
    let returnable = || async {
        let order = app.get("/api/v1/orders/3601", &customer).await.body;
        order["lines"][1]["returnable_quantity"].clone()
    };
    let one_shirt = return_body("3601", &[("2", 1, "size_too_large")], "refund");
    let first = app.create_rma(&customer, &one_shirt).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(returnable().await, 1);
    let second = app.create_rma(&customer, &one_shirt).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
    assert_eq!(returnable().await, 0);
    let number = first.body["number"].as_str().expect("number");
    let cancelled = app
        .post(
            &format!("/api/v1/rmas/{number}/cancel"),
            &customer,
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    assert_eq!(returnable().await, 1);

    // The migration's count, from the returns themselves, gives the same.
    let up =
        include_str!("../../migrations/sqlite/2026-12-05-000001_order_line_held_quantity/up.sql");
    let count = &up[up.find("UPDATE").expect("the migration counts")..];
    let count = count.to_string();
    app.state
        .db
        .write(move |c| {
            diesel::sql_query("UPDATE order_lines SET held_quantity = 0").execute(c)?;
            Ok::<_, backhaul::error::AppError>(diesel::sql_query(count).execute(c)?)
        })
        .await
        .expect("counted again");
    assert_eq!(returnable().await, 1);
}

/// Cancelling gives quantities back while new returns take them, on one order, its
/// lines named in opposite orders: the two queue up on the order, never deadlock.
async fn cancels_and_creates_on_one_order_never_deadlock(app: TestApp) {
    let mut order = eur_order("3801");
    for line in 0..3 {
        order["lines"][line]["quantity"] = json!(40);
    }
    app.delivered_order(&order, 1).await;
    let admin = As::Role(Role::Admin);
    let forward = return_body(
        "3801",
        &[
            ("1", 1, "defective"),
            ("2", 1, "defective"),
            ("3", 1, "defective"),
        ],
        "refund",
    );
    let backward = return_body(
        "3801",
        &[
            ("3", 1, "defective"),
            ("2", 1, "defective"),
            ("1", 1, "defective"),
        ],
        "refund",
    );
    let mut numbers = Vec::new();
    for _ in 0..8 {
        let created = app.create_rma(&admin, &forward).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        numbers.push(created.body["number"].as_str().expect("number").to_string());
    }
    let paths: Vec<String> = numbers
        .iter()
        .map(|number| format!("/api/v1/rmas/{number}/cancel"))
        .collect();
    let empty = json!({});
    let cancels = paths.iter().map(|path| app.post(path, &admin, &empty));
    let creates = (0..8).map(|_| app.create_rma(&admin, &backward));
    let (cancelled, created) = futures_util::future::join(
        futures_util::future::join_all(cancels),
        futures_util::future::join_all(creates),
    )
    .await;
    for answer in cancelled.iter().chain(&created) {
        assert!(
            [StatusCode::OK, StatusCode::CREATED].contains(&answer.status),
            "{}",
            answer.text
        );
    }
    let line = |body: &Value, i: usize| body["lines"][i]["returnable_quantity"].clone();
    let order_now = app.get("/api/v1/orders/3801", &admin).await.body;
    for i in 0..3 {
        assert_eq!(line(&order_now, i), 32, "8 cancelled, 8 made: {order_now}");
    }
}

crate::on_both_backends!(
    a_customer_returns_a_jacket_under_the_policy,
    seller_fault_returns_are_free_and_cheap_ones_are_kept,
    the_window_closes,
    frequent_returners_wait_for_review,
    rejecting_and_cancelling,
    lists_filter_and_page,
    concurrent_returns_never_exceed_the_quantity,
    order_lines_keep_what_returns_hold,
    cancels_and_creates_on_one_order_never_deadlock,
);
