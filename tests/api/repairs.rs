//! Warranty repairs: allowed for defective or damaged items within the category's
//! warranty, at the bench after inspection, back to the customer in a tracked parcel,
//! or refunded when they cannot be repaired.

use backhaul::domain::Role;
use backhaul_carriers::sandbox::{tracking_number, Scenario};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

const BENCH: As = As::Role(Role::Warehouse);

fn repair(number: &str, reason: &str) -> Value {
    return_body(number, &[("3", 1, reason)], "repair")
}

async fn move_to(app: &TestApp, id: &str, body: Value) -> Answer {
    app.post(&format!("/api/v1/repairs/{id}/status"), &BENCH, &body)
        .await
}

/// Headphones (electronics: 730 days of warranty) go in for repair and come back.
async fn a_faulty_item_is_repaired_and_sent_back(app: TestApp) {
    let order = eur_order("RP-1");
    app.delivered_order(&order, 2).await;
    let customer = app.customer_token("RP-1", &email_of(&order)).await;

    let refused = app
        .create_rma(&customer, &repair("RP-1", "changed_mind"))
        .await;
    refused.problem(422);
    assert!(
        decision_rules(&refused.body).contains(&"repair_reason".to_string()),
        "{}",
        refused.text
    );

    let created = app
        .create_rma(&customer, &repair("RP-1", "defective"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let decision = &created.body["decision"];
    assert_eq!(decision["outcome"], "authorized", "{decision}");
    assert_eq!(decision["label"], "free");
    assert_eq!(decision["estimated_refund"], "0.00");
    assert!(decision_rules(&created.body).contains(&"repair_warranty".to_string()));
    let number = created.body["number"].as_str().expect("number").to_string();

    let inspected = app
        .receive_and_inspect_line(&number, "3", "damaged", "repair")
        .await;
    assert!(
        inspected["refund"].is_null(),
        "a repair refunds nothing: {inspected}"
    );
    assert_eq!(inspected["repair"]["status"], "received", "{inspected}");
    assert_eq!(inspected["repair"]["lines"][0]["sku"], "HDP-ANC-01");
    let id = inspected["repair"]["id"].as_str().expect("id").to_string();

    let queue = app.walk("/api/v1/repairs?status=received", &BENCH, 1).await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["rma_number"], number.as_str());

    // One step at a time; the parcel goes with shipped_back only.
    move_to(&app, &id, json!({"status": "repaired"}))
        .await
        .problem(409);
    let repairing = move_to(
        &app,
        &id,
        json!({"status": "repairing", "note": "new driver unit"}),
    )
    .await;
    assert_eq!(repairing.status, StatusCode::OK, "{}", repairing.text);
    assert_eq!(repairing.body["history"][1]["note"], "new driver unit");
    move_to(&app, &id, json!({"status": "repaired"})).await;
    let bare = move_to(&app, &id, json!({"status": "shipped_back"})).await;
    assert!(bare.has_error_field("tracking_number"), "{}", bare.text);
    let tracking = tracking_number(Scenario::Normal, app.now(), "RP-1");
    let back = move_to(
        &app,
        &id,
        json!({"status": "shipped_back", "carrier": "sandbox", "tracking_number": tracking}),
    )
    .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert_eq!(back.body["status"], "shipped_back");
    assert_eq!(back.body["tracking_number"], tracking.as_str());
    move_to(&app, &id, json!({"status": "repairing"}))
        .await
        .problem(409);

    // The parcel back is the order's, polled like any other.
    app.advance(chrono::Duration::days(4));
    app.poll().await;
    let order = app
        .get("/api/v1/orders/RP-1", &As::Role(Role::Integration))
        .await
        .body;
    let parcel = order["shipments"]
        .as_array()
        .and_then(|s| {
            s.iter()
                .find(|x| x["tracking_number"] == tracking.as_str())
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(parcel["status"], "delivered", "{order}");
    assert_eq!(
        order["lines"][2]["returnable_quantity"], 1,
        "back with the customer, it may come back another day"
    );
    let rma = app
        .get(&format!("/api/v1/rmas/{number}"), &BENCH)
        .await
        .body;
    assert_eq!(rma["repair"]["status"], "shipped_back", "{rma}");
    assert_eq!(rma["repair"]["tracking_number"], tracking.as_str());

    app.get("/api/v1/repairs?status=broken", &BENCH)
        .await
        .problem(400);
    app.get("/api/v1/repairs", &As::Role(Role::Finance))
        .await
        .problem(403);
    move_to(&app, "not-an-id", json!({"status": "repairing"}))
        .await
        .problem(404);
}

/// Past the warranty, no repair; an item that cannot be repaired is refunded (the
/// shipped policy's fallback): its price and tax, to the original payment.
async fn what_cannot_be_repaired_is_refunded(app: TestApp) {
    let old = eur_order("RP-2");
    app.delivered_order(&old, 800).await;
    let customer = app.customer_token("RP-2", &email_of(&old)).await;
    let refused = app
        .create_rma(&customer, &repair("RP-2", "defective"))
        .await;
    refused.problem(422);
    assert!(
        decision_rules(&refused.body).contains(&"repair_out_of_warranty".to_string()),
        "{}",
        refused.text
    );

    let order = eur_order("RP-3");
    app.delivered_order(&order, 2).await;
    let customer = app.customer_token("RP-3", &email_of(&order)).await;
    let created = app.create_rma(&customer, &repair("RP-3", "damaged")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let number = created.body["number"].as_str().expect("number").to_string();
    let inspected = app
        .receive_and_inspect_line(&number, "3", "damaged", "repair")
        .await;
    let id = inspected["repair"]["id"].as_str().expect("id").to_string();
    // Two benches say so at once: one refund, the other told it moved meanwhile.
    let body = json!({"status": "unrepairable", "note": "board burnt"});
    let (a, b) = tokio::join!(move_to(&app, &id, body.clone()), move_to(&app, &id, body));
    let mut answers = [a, b];
    answers.sort_by_key(|x| x.status);
    assert_eq!(
        answers[1].status,
        StatusCode::CONFLICT,
        "{}",
        answers[1].text
    );
    let gone = &answers[0];
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.text);
    let note = gone.body["history"][1]["note"].as_str().unwrap_or_default();
    assert!(
        note.starts_with("board burnt — could not be repaired: 172.79 EUR refunded"),
        "{note}"
    );
    let refunds = app
        .get(
            &format!("/api/v1/refunds?q={number}"),
            &As::Role(Role::Finance),
        )
        .await
        .body;
    assert_eq!(refunds["items"][0]["amount"], "172.79", "{refunds}");
    assert_eq!(refunds["items"][0]["method"], "original_payment");
    let rma = app
        .get(&format!("/api/v1/rmas/{number}"), &BENCH)
        .await
        .body;
    assert_eq!(rma["status"], "refund_triggered");
    assert_eq!(app.dispatch().await.sent, 1);
    let (email, _) =
        crate::email::finance_email(&app, refunds["items"][0]["id"].as_str().expect("id"));
    assert!(email.contains("1 unrepairable"), "{email}");
}

crate::on_both_backends!(
    a_faulty_item_is_repaired_and_sent_back,
    what_cannot_be_repaired_is_refunded,
);
