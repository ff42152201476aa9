//! Retried POSTs with an Idempotency-Key do the work once.

use backhaul::domain::Role;
use reqwest::StatusCode;

use crate::helpers::*;

async fn a_retry_replays_and_a_different_body_is_refused(app: TestApp) {
    app.delivered_order(&eur_order("4001"), 1).await;
    let integration = As::Role(Role::Integration);
    let body = return_body("4001", &[("1", 1, "defective")], "refund");
    let key = [("Idempotency-Key", "retry-4001-a")];
    let first = app
        .send("POST", "/api/v1/rmas", &integration, Some(&body), &key)
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let second = app
        .send("POST", "/api/v1/rmas", &integration, Some(&body), &key)
        .await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.body, first.body, "the same RMA comes back");
    assert_eq!(second.headers["idempotent-replayed"], "true");

    let other = return_body("4001", &[("2", 1, "defective")], "refund");
    let refused = app
        .send("POST", "/api/v1/rmas", &integration, Some(&other), &key)
        .await;
    refused.problem(422);

    let list = app
        .get("/api/v1/rmas?order_number=4001", &integration)
        .await;
    assert_eq!(
        list.body["items"].as_array().map(Vec::len),
        Some(1),
        "one RMA, not two"
    );

    // Keys belong to their caller: another caller may use the same key for its own work.
    let admin = As::Role(Role::Admin);
    let own = app
        .send("POST", "/api/v1/rmas", &admin, Some(&other), &key)
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.text);
}

async fn concurrent_retries_create_one_rma(app: TestApp) {
    app.delivered_order(&eur_order("4002"), 1).await;
    let integration = As::Role(Role::Integration);
    let body = return_body("4002", &[("2", 1, "defective")], "refund");
    let key = [("Idempotency-Key", "burst-4002")];
    let answers = futures_util::future::join_all(
        (0..8).map(|_| app.send("POST", "/api/v1/rmas", &integration, Some(&body), &key)),
    )
    .await;
    let numbers: std::collections::HashSet<String> = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .map(|a| a.body["number"].as_str().expect("number").to_string())
        .collect();
    assert_eq!(
        numbers.len(),
        1,
        "{:?}",
        answers
            .iter()
            .map(|a| (a.status, a.text.clone()))
            .collect::<Vec<_>>()
    );
    let list = app
        .get("/api/v1/rmas?order_number=4002", &integration)
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    let _ = Role::Admin;
}

crate::on_both_backends!(
    a_retry_replays_and_a_different_body_is_refused,
    concurrent_retries_create_one_rma
);
