//! Bad input always gets a clear problem+json answer and writes nothing.

use backhaul::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn count_orders(app: &TestApp) -> usize {
    // Every order created in these tests is listed through its RMA-free lookup.
    let mut n = 0;
    for number in ["E-1", "E-2", "E-3"] {
        if app
            .get(
                &format!("/api/v1/orders/{number}"),
                &As::Role(Role::Integration),
            )
            .await
            .status
            == StatusCode::OK
        {
            n += 1;
        }
    }
    n
}

#[allow(clippy::type_complexity)]
async fn bad_bodies_are_400s_naming_the_field(app: TestApp) {
    let integration = As::Role(Role::Integration);
    let raw = |body: &'static str| {
        let app = &app;
        let who = integration.clone();
        async move {
            let mut request = app
                .client
                .post(format!("{}/api/v1/orders", app.address))
                .body(body);
            if let As::Role(role) = who {
                request = request.bearer_auth(&app.keys[&role]);
            }
            let response = request.send().await.expect("sent");
            let status = response.status();
            let content_type = response.headers()["content-type"]
                .to_str()
                .expect("ct")
                .to_string();
            let body: Value = response.json().await.expect("json problem");
            (status, content_type, body)
        }
    };
    for body in ["{", "not json", "[]", "{\"order_number\": 5}", ""] {
        let (status, content_type, problem) = raw(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {problem}");
        assert_eq!(content_type, "application/problem+json");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{problem}"
        );
    }

    let cases: Vec<(&str, Box<dyn Fn(&mut Value)>)> = vec![
        ("currency", Box::new(|o| o["currency"] = json!("XYZ"))),
        (
            "lines[0].quantity",
            Box::new(|o| o["lines"][0]["quantity"] = json!(-1)),
        ),
        (
            "lines[0].quantity",
            Box::new(|o| o["lines"][0]["quantity"] = json!(0)),
        ),
        (
            "lines[0].quantity",
            Box::new(|o| o["lines"][0]["quantity"] = json!("2")),
        ),
        (
            "lines[0].quantity",
            Box::new(|o| o["lines"][0]["quantity"] = json!(1.5)),
        ),
        (
            "lines[1].unit_price",
            Box::new(|o| o["lines"][1]["unit_price"] = json!("19.999")),
        ),
        (
            "lines[1].unit_price",
            Box::new(|o| o["lines"][1]["unit_price"] = json!(19.9)),
        ),
        (
            "placed_at",
            Box::new(|o| o["placed_at"] = json!("yesterday")),
        ),
        (
            "customer.email",
            Box::new(|o| o["customer"]["email"] = json!("nope")),
        ),
        ("ship_to", Box::new(|o| o["ship_to"] = json!(null))),
        ("surprise", Box::new(|o| o["surprise"] = json!(true))),
    ];
    for (i, (field, break_it)) in cases.iter().enumerate() {
        let mut order = eur_order("E-1");
        break_it(&mut order);
        let answer = app.post("/api/v1/orders", &integration, &order).await;
        answer.problem(400);
        assert!(
            answer.has_error_field(field),
            "case {i}: expected {field}: {}",
            answer.text
        );
    }
    assert_eq!(count_orders(&app).await, 0, "nothing was written");

    let mut rma = return_body("E-1", &[("1", 1, "bored")], "refund");
    let answer = app.post("/api/v1/rmas", &integration, &rma).await;
    answer.problem(400);
    assert!(answer.has_error_field("lines[0].reason"), "{}", answer.text);
    assert!(
        answer.text.contains("changed_mind"),
        "lists the allowed reasons: {}",
        answer.text
    );
    rma["resolution"] = json!("cash");
    rma["lines"][0]["reason"] = json!("damaged");
    let answer = app.post("/api/v1/rmas", &integration, &rma).await;
    assert!(answer.has_error_field("resolution"), "{}", answer.text);
}

async fn return_requests_are_checked_against_the_order(app: TestApp) {
    app.delivered_order(&eur_order("E-2"), 1).await;
    let integration = As::Role(Role::Integration);
    // Malformed bodies are 400; well-formed ones naming lines the order does not
    // have (or one line twice) do not fit it: 422, with the field.
    let cases = [
        (
            return_body("E-2", &[("9", 1, "defective")], "refund"),
            "lines[0].line_id",
            422,
        ),
        (
            return_body("E-2", &[("1", 0, "defective")], "refund"),
            "lines[0].quantity",
            400,
        ),
        (
            return_body("E-2", &[("1", -2, "defective")], "refund"),
            "lines[0].quantity",
            400,
        ),
        (
            return_body("E-2", &[("1", 99, "defective")], "refund"),
            "lines[0].quantity",
            422,
        ),
        (
            return_body("E-2", &[("1", 2_000_000, "defective")], "refund"),
            "lines[0].quantity",
            400,
        ),
        (
            return_body(
                "E-2",
                &[("1", 1, "defective"), ("1", 1, "damaged")],
                "refund",
            ),
            "lines[1].line_id",
            422,
        ),
        (return_body("E-2", &[], "refund"), "lines", 400),
    ];
    for (body, field, status) in cases {
        let answer = app.create_rma(&integration, &body).await;
        answer.problem(status);
        assert!(answer.has_error_field(field), "{field}: {}", answer.text);
    }
    app.create_rma(
        &integration,
        &return_body("NOPE", &[("1", 1, "defective")], "refund"),
    )
    .await
    .problem(404);
    let list = app.get("/api/v1/rmas", &integration).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
}

async fn oversized_bodies_and_unknown_routes(app: TestApp) {
    let integration = As::Role(Role::Integration);
    let mut order = eur_order("E-3");
    order["customer"]["name"] = json!("x".repeat(1_100_000));
    let answer = app.post("/api/v1/orders", &integration, &order).await;
    answer.problem(413);
    assert_eq!(count_orders(&app).await, 0);

    let missing = app.get("/api/v1/nothing-here", &As::Nobody).await;
    missing.problem(404);
    let wrong_method = app
        .send("DELETE", "/api/v1/orders", &integration, None, &[])
        .await;
    wrong_method.problem(405);
    assert_eq!(wrong_method.headers["allow"], "POST");
}

crate::on_both_backends!(
    bad_bodies_are_400s_naming_the_field,
    return_requests_are_checked_against_the_order,
    oversized_bodies_and_unknown_routes,
);
