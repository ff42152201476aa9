//! Inspection to refund: the outcome and the maths, the trigger written with the
//! inspection, finance's list and acknowledgement, and what may not happen twice.

use backhaul::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

const BENCH: As = As::Role(Role::Warehouse);
const FINANCE: As = As::Role(Role::Finance);

/// An RMA for line 1 (a 89.90 jacket with 14.35 tax) with `resolution`, its sandbox
/// label bought by the customer (5.95), and the box scanned at the bench.
async fn received(app: &TestApp, order: &str, reason: &str, resolution: &str) -> String {
    let (customer, number) = app.authorized_rma(order, reason, resolution).await;
    app.issue_label(&number, &customer).await;
    app.scan_at_bench(&number).await;
    number
}

async fn inspect(app: &TestApp, number: &str, condition: &str, received: i64) -> Answer {
    app.post(
        &format!("/api/v1/rmas/{number}/inspection"),
        &BENCH,
        &json!({"lines": [{"line_id": "1", "quantity_received": received, "condition": condition,
                           "disposition": "restock", "notes": "checked seams"}]}),
    )
    .await
}

async fn status(app: &TestApp, number: &str) -> String {
    app.get(&format!("/api/v1/rmas/{number}"), &BENCH)
        .await
        .body["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn refunds(app: &TestApp, query: &str) -> Vec<Value> {
    let answer = app.get(&format!("/api/v1/refunds{query}"), &FINANCE).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body["items"].as_array().cloned().unwrap_or_default()
}

async fn a_passed_inspection_triggers_one_refund(app: TestApp) {
    let number = received(&app, "F-1", "size_too_small", "refund").await;
    let passed = inspect(&app, &number, "new", 1).await;
    assert_eq!(passed.status, StatusCode::OK, "{}", passed.text);
    assert_eq!(passed.body["outcome"], "passed");
    // 89.90 + 14.35 tax − 5.95 label = 98.30
    assert_eq!(passed.body["refund"]["amount"], "98.30");
    assert_eq!(passed.body["refund"]["method"], "original_payment");
    assert_eq!(passed.body["calculation"]["label_deduction"], "5.95");
    assert_eq!(status(&app, &number).await, "refund_triggered");
    let events = app
        .get(&format!("/api/v1/rmas/{number}/events"), &BENCH)
        .await
        .body;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .or(events.as_array())
        .map(|a| a.iter().filter_map(|e| e["event"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        kinds.ends_with(&["receive", "inspect", "trigger_refund"]),
        "{kinds:?}"
    );

    inspect(&app, &number, "new", 1).await.problem(409);
    app.get("/api/v1/refunds", &BENCH).await.problem(403);
    let pending = refunds(&app, "?status=pending").await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["rma_number"], number.as_str());
    assert_eq!(pending[0]["order_number"], "F-1");
    let id = pending[0]["id"].as_str().expect("id").to_string();
    assert_eq!(pending[0]["idempotency_key"], id.as_str());
    let path = format!("/api/v1/refunds/{id}/acknowledge");
    let acknowledged = app.post(&path, &FINANCE, &json!({})).await;
    assert_eq!(acknowledged.status, StatusCode::OK, "{}", acknowledged.text);
    assert_eq!(acknowledged.body["status"], "acknowledged");
    assert!(acknowledged.body["acknowledged_by"]
        .as_str()
        .is_some_and(|a| a.starts_with("finance:")));
    app.post(&path, &FINANCE, &json!({})).await.problem(409);
    app.post("/api/v1/refunds/nope/acknowledge", &FINANCE, &json!({}))
        .await
        .problem(404);
    assert!(refunds(&app, "?status=pending").await.is_empty());
    app.get("/api/v1/refunds?status=lost", &FINANCE)
        .await
        .problem(400);

    // Filters: currency, creation days (the test clock's 2026-11-20), order or RMA.
    let day = app.now().format("%Y-%m-%d").to_string();
    let next = (app.now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    for (query, found) in [
        ("?currency=eur".to_string(), 1),
        ("?currency=USD".to_string(), 0),
        (format!("?from={day}&to={day}"), 1),
        (format!("?from={next}"), 0),
        ("?q=F-1".to_string(), 1),
        (format!("?q={}", number.to_lowercase().replace('-', "")), 1),
        ("?q=F-999".to_string(), 0),
    ] {
        assert_eq!(refunds(&app, &query).await.len(), found, "{query}");
    }
    let bad = app
        .get(
            &format!("/api/v1/refunds?currency=EURO&from=yesterday&to={day}"),
            &FINANCE,
        )
        .await;
    bad.problem(400);
    assert!(
        bad.has_error_field("currency") && bad.has_error_field("from"),
        "{}",
        bad.text
    );
    let backwards = app
        .get(&format!("/api/v1/refunds?from={next}&to={day}"), &FINANCE)
        .await;
    backwards.problem(422);
    assert!(backwards.has_error_field("to"), "{}", backwards.text);
    // Something malformed as well: the 400 names it, not the reversed dates.
    let long = "x".repeat(101);
    let both = app
        .get(
            &format!("/api/v1/refunds?from={next}&to={day}&q={long}"),
            &FINANCE,
        )
        .await;
    both.problem(400);
    assert!(both.has_error_field("q"), "{}", both.text);
}

async fn worse_than_allowed_is_partial_and_nothing_is_failed(app: TestApp) {
    let used = received(&app, "F-2", "size_too_small", "refund").await;
    let partial = inspect(&app, &used, "used", 1).await;
    assert_eq!(partial.body["outcome"], "partial", "{}", partial.text);
    // 104.25 − 17.98 (20 % of 89.90) − 5.95 = 80.32
    assert_eq!(partial.body["refund"]["amount"], "80.32");

    let wrong = received(&app, "F-3", "size_too_small", "refund").await;
    let failed = inspect(&app, &wrong, "wrong_item", 1).await;
    assert_eq!(failed.body["outcome"], "failed");
    assert!(failed.body["refund"].is_null());
    assert_eq!(status(&app, &wrong).await, "inspected");

    let credit = received(&app, "F-4", "defective", "store_credit").await;
    let store_credit = inspect(&app, &credit, "damaged", 1).await;
    assert_eq!(
        store_credit.body["outcome"], "passed",
        "the shop's fault: any state"
    );
    assert_eq!(store_credit.body["refund"]["method"], "store_credit");
    // Defective: free label, all of 104.25.
    assert_eq!(store_credit.body["refund"]["amount"], "104.25");

    let swap = received(&app, "F-5", "size_too_small", "exchange").await;
    let exchange = inspect(&app, &swap, "new", 1).await;
    assert!(exchange.body["refund"].is_null());
    assert_eq!(exchange.body["replacement"]["status"], "to_ship");
    assert_eq!(exchange.body["replacement"]["lines"][0]["quantity"], 1);
    assert_eq!(status(&app, &swap).await, "inspected");
    assert_eq!(refunds(&app, "").await.len(), 2);
}

async fn inspections_are_checked(app: TestApp) {
    let o = eur_order("F-6");
    app.delivered_order(&o, 2).await;
    let customer = app.customer_token("F-6", &email_of(&o)).await;
    let rma = app
        .create_rma(
            &customer,
            &return_body("F-6", &[("1", 1, "size_too_small")], "refund"),
        )
        .await;
    let number = rma.body["number"].as_str().expect("number").to_string();
    inspect(&app, &number, "new", 1).await.problem(409);
    let path = format!("/api/v1/rmas/{number}/inspection");
    let field = |answer: Answer| answer.problem(400)["errors"][0]["field"].clone();
    // A line the RMA does not have is well-formed but does not fit it.
    let unknown = app.post(&path, &BENCH, &json!({"lines": [{"line_id": "9", "quantity_received": 1, "condition": "new", "disposition": "restock"}]})).await;
    assert_eq!(
        unknown.problem(422)["errors"][0]["field"],
        "lines[0].line_id"
    );
    assert_eq!(
        field(app.post(&path, &BENCH, &json!({"lines": []})).await),
        "lines"
    );
    assert_eq!(
        field(app.post(&path, &BENCH, &json!({"lines": [{"line_id": "1", "quantity_received": 1, "condition": "shiny", "disposition": "restock"}]})).await),
        "lines[0].condition"
    );
    assert_eq!(
        field(app.post(&path, &BENCH, &json!({"lines": [{"line_id": "1", "quantity_received": -1, "condition": "new", "disposition": "restock"}]})).await),
        "lines[0].quantity_received"
    );
    app.post(&path, &customer, &json!({"lines": []}))
        .await
        .problem(403);
    assert_eq!(status(&app, &number).await, "authorized", "nothing changed");
}

#[derive(diesel::QueryableByName)]
struct StoredStatus {
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
}

/// The status column of `table` for the row `key = value`, as the database holds it.
fn stored_status(app: &TestApp, table: &str, key: &str, value: &str) -> String {
    let sql = format!("SELECT status FROM {table} WHERE {key} = '{value}'");
    app.state
        .db
        .read_blocking(move |c| {
            diesel::RunQueryDsl::get_result::<StoredStatus>(diesel::sql_query(sql), c)
                .map_err(backhaul::db::DbError::from)
        })
        .expect("a stored status")
        .status
}

/// Typed statuses are stored as their words (what reports and old rows hold), and a
/// word the code does not know fails the read instead of passing as some default.
async fn statuses_are_stored_as_their_words(app: TestApp) {
    let number = received(&app, "F-7", "size_too_small", "refund").await;
    let passed = inspect(&app, &number, "new", 1).await;
    assert_eq!(passed.status, StatusCode::OK, "{}", passed.text);
    let trigger = passed.body["refund"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(
        stored_status(&app, "refund_triggers", "id", &trigger),
        "pending"
    );
    assert_eq!(
        stored_status(&app, "rmas", "number", &number),
        "refund_triggered"
    );
    assert!(app.dispatch().await.sent >= 1);
    assert_eq!(
        stored_status(&app, "refund_triggers", "id", &trigger),
        "emailed"
    );
    assert_eq!(
        stored_status(&app, "outbox", "subject_id", &trigger),
        "sent"
    );
    assert_eq!(refunds(&app, "?status=emailed").await.len(), 1);
    assert!(refunds(&app, "?status=pending").await.is_empty());

    let sql = format!("UPDATE refund_triggers SET status = 'mislaid' WHERE id = '{trigger}'");
    app.state
        .db
        .write_blocking(move |c| {
            diesel::RunQueryDsl::execute(diesel::sql_query(sql), c)
                .map_err(backhaul::error::AppError::from)
        })
        .expect("update");
    let answer = app.get("/api/v1/refunds", &FINANCE).await;
    answer.problem(500);
    assert!(
        !answer.text.contains("mislaid"),
        "internals stay in the log: {}",
        answer.text
    );
}

/// Keep-it returns have nothing to inspect: authorizing one (by policy or by a person
/// after review) writes its refund trigger and finance's email at once, and the
/// customer is told to keep the item and what they get back.
async fn keep_it_returns_are_refunded_when_authorized(app: TestApp) {
    let mut cheap = eur_order("K-1");
    cheap["lines"][0]["unit_price"] = json!("4.00");
    cheap["lines"][0]["tax"] = json!("0.76");
    app.delivered_order(&cheap, 1).await;
    let integration = As::Role(Role::Integration);
    let kept = app
        .create_rma(
            &integration,
            &return_body("K-1", &[("1", 1, "damaged")], "refund"),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    assert_eq!(kept.body["label_payer"], "keep_it", "{}", kept.text);
    assert_eq!(kept.body["status"], "refund_triggered", "{}", kept.text);
    let estimated = kept.body["estimated_refund"].clone();
    let number = kept.body["number"].as_str().expect("number").to_string();

    let triggers = refunds(&app, "?q=K-1").await;
    assert_eq!(triggers.len(), 1, "{triggers:?}");
    let trigger = &triggers[0];
    assert_eq!(trigger["amount"], estimated);
    assert_eq!(trigger["method"], "original_payment");
    assert_eq!(trigger["rma_number"], number.as_str());
    assert_eq!(trigger["calculation"]["source"], "keep_it", "{trigger}");
    assert_eq!(trigger["calculation"]["lines"][0]["line_id"], "1");
    assert_eq!(trigger["calculation"]["total"], estimated);
    let events = app.get(&format!("/api/v1/rmas/{number}"), &BENCH).await;
    let steps: Vec<&str> = events.body["timeline"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["to"].as_str())
        .collect();
    assert_eq!(steps, ["authorized", "refund_triggered"], "{}", events.text);

    // Customer news waits a little, so changes made together make one email.
    app.advance(chrono::Duration::minutes(3));
    assert!(app.dispatch().await.sent >= 2);
    let finance = crate::email::mail_files(&app, true);
    assert_eq!(finance.len(), 1, "one email per refund");
    assert!(
        finance[0].contains(&format!("Refund {number}")),
        "{}",
        finance[0]
    );
    assert!(finance[0].contains("1 kept"), "{}", finance[0]);
    let customer: Vec<String> = crate::email::mail_files(&app, false)
        .iter()
        .map(|m| crate::email::quoted_printable(m))
        .collect();
    assert_eq!(
        customer.len(),
        1,
        "the refund's email says it all: {customer:#?}"
    );
    // In the customer's German: keep the item, and the amount.
    assert!(
        customer[0].contains("Bitte behalten Sie den Artikel"),
        "{}",
        customer[0]
    );
    assert!(customer[0].contains("4,76"), "{}", customer[0]);

    // Reviewed first (a sixth return in 90 days), then authorized by a person.
    for i in 0..6 {
        let mut order = eur_order(&format!("K-2{i}"));
        order["customer"]["email"] = json!("keeper@example.com");
        order["lines"][0]["unit_price"] = json!("4.00");
        order["lines"][0]["tax"] = json!("0.76");
        app.delivered_order(&order, 1).await;
        let rma = app
            .create_rma(
                &integration,
                &return_body(&format!("K-2{i}"), &[("1", 1, "damaged")], "store_credit"),
            )
            .await;
        assert_eq!(rma.status, StatusCode::CREATED, "{}", rma.text);
        if i < 5 {
            assert_eq!(rma.body["status"], "refund_triggered", "{}", rma.text);
            continue;
        }
        assert_eq!(rma.body["status"], "requested", "{}", rma.text);
        let sixth = rma.body["number"].as_str().expect("number");
        assert!(
            refunds(&app, "?q=K-25").await.is_empty(),
            "nothing before review"
        );
        let authorized = app
            .post(
                &format!("/api/v1/rmas/{sixth}/authorize"),
                &As::Role(Role::Admin),
                &json!({"note": "known customer"}),
            )
            .await;
        assert_eq!(authorized.status, StatusCode::OK, "{}", authorized.text);
        assert_eq!(
            authorized.body["status"], "refund_triggered",
            "{}",
            authorized.text
        );
        let reviewed = refunds(&app, "?q=K-25").await;
        assert_eq!(reviewed.len(), 1, "{reviewed:?}");
        assert_eq!(reviewed[0]["method"], "store_credit");
    }
}

/// Store credit carries the policy's bonus (10 %, at most 25.00 EUR): shown with the
/// decision, then worked out on what the inspection found, under the terms shown.
async fn store_credit_comes_with_a_bonus(app: TestApp) {
    let order = eur_order("SC-1");
    app.delivered_order(&order, 2).await;
    let customer = app.customer_token("SC-1", &email_of(&order)).await;
    let body = return_body(
        "SC-1",
        &[("1", 1, "defective"), ("3", 1, "defective")],
        "store_credit",
    );
    let quote = app.post("/api/v1/rmas/quote", &customer, &body).await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.text);
    let decision = &quote.body["decision"];
    // 104.25 + 172.79 = 277.04; 10 % is 27.70, capped at 25.00.
    assert_eq!(decision["estimated_refund"], "277.04", "{decision}");
    assert_eq!(decision["store_credit_bonus"]["percent"], 10);
    assert_eq!(decision["store_credit_bonus"]["max"], "25.00");
    assert_eq!(decision["store_credit_bonus"]["amount"], "25.00");
    let capped = decision["rules"]
        .as_array()
        .and_then(|r| {
            r.iter()
                .find(|x| x["rule"] == "store_credit_bonus")
                .cloned()
        })
        .expect("the bonus rule");
    assert_eq!(capped["params"]["variant"], "capped", "{capped}");
    let refund = return_body("SC-1", &[("1", 1, "defective")], "refund");
    let plain = app.post("/api/v1/rmas/quote", &customer, &refund).await;
    assert!(
        plain.body["decision"]["store_credit_bonus"].is_null(),
        "only store credit: {}",
        plain.text
    );

    let created = app.create_rma(&customer, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let number = created.body["number"].as_str().expect("number").to_string();
    app.scan_at_bench(&number).await;
    // The headphones are not what was sold: only the jacket is credited, 104.25, and
    // its bonus is 10 % of that (10.425, half up), under the cap.
    let inspected = app
        .post(
            &format!("/api/v1/rmas/{number}/inspection"),
            &BENCH,
            &json!({"lines": [
                {"line_id": "1", "quantity_received": 1, "condition": "new", "disposition": "restock"},
                {"line_id": "3", "quantity_received": 1, "condition": "wrong_item", "disposition": "return_to_customer"}]}),
        )
        .await;
    assert_eq!(inspected.status, StatusCode::OK, "{}", inspected.text);
    let credit = &inspected.body["refund"];
    assert_eq!(credit["method"], "store_credit", "{}", inspected.text);
    assert_eq!(credit["action"], "issue_store_credit");
    assert_eq!(credit["amount"], "104.25");
    assert_eq!(credit["bonus"], "10.43");
    let listed = refunds(&app, &format!("?q={number}")).await;
    assert_eq!(listed[0]["bonus"], "10.43", "{listed:?}");
    assert_eq!(listed[0]["resolution"], "store_credit");

    assert_eq!(app.dispatch().await.sent, 1);
    let id = credit["id"].as_str().expect("id");
    let (email, _) = crate::email::finance_email(&app, id);
    assert!(
        email.contains(&format!("Subject: Store credit {number}: 104.25 EUR")),
        "{email}"
    );
    assert!(
        email.contains(
            "Issue store credit of 114.68 EUR: 104.25 EUR for the return plus a bonus of 10.43 EUR"
        ),
        "{email}"
    );
    assert!(
        email.contains(",store_credit,,,10.43,store_credit,issue_store_credit"),
        "{email}"
    );
}

crate::on_both_backends!(
    store_credit_comes_with_a_bonus,
    keep_it_returns_are_refunded_when_authorized,
    statuses_are_stored_as_their_words,
    a_passed_inspection_triggers_one_refund,
    worse_than_allowed_is_partial_and_nothing_is_failed,
    inspections_are_checked,
);
