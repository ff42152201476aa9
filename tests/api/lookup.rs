//! A customer finds their order with its number and email or postcode.

use backhaul::domain::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn a_customer_finds_their_order_and_only_theirs(app: TestApp) {
    let order = app.delivered_order(&eur_order("2001"), 3).await;
    app.create_order(&eur_order("2002")).await;

    let by_email = app
        .post(
            "/api/v1/returns/lookup",
            &As::Nobody,
            &json!({"order_number": "2001", "email": "  2001@EXAMPLE.com "}),
        )
        .await;
    assert_eq!(by_email.status, StatusCode::OK, "{}", by_email.text);
    assert_eq!(by_email.body["order"]["order_number"], "2001");
    assert!(by_email.body["expires_at"].as_str().is_some());
    let token = As::Token(by_email.body["token"].as_str().expect("token").into());

    let by_postcode = app
        .post(
            "/api/v1/returns/lookup",
            &As::Nobody,
            &json!({"order_number": "2001", "postal_code": "10 119"}),
        )
        .await;
    assert_eq!(by_postcode.status, StatusCode::OK, "{}", by_postcode.text);

    let own = app.get("/api/v1/orders/2001", &token).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body["lines"], order["lines"]);
    app.get("/api/v1/orders/2002", &token).await.problem(403);
    app.post("/api/v1/orders", &token, &eur_order("2003"))
        .await
        .problem(403);
}

async fn unknown_orders_and_wrong_emails_look_the_same(app: TestApp) {
    app.create_order(&eur_order("2101")).await;
    let wrong_email = app
        .post(
            "/api/v1/returns/lookup",
            &As::Nobody,
            &json!({"order_number": "2101", "email": "someone@else.com"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/returns/lookup",
            &As::Nobody,
            &json!({"order_number": "9999", "email": "2101@example.com"}),
        )
        .await;
    wrong_email.problem(404);
    unknown.problem(404);
    assert_eq!(wrong_email.text, unknown.text);

    let neither = app
        .post(
            "/api/v1/returns/lookup",
            &As::Nobody,
            &json!({"order_number": "2101"}),
        )
        .await;
    // Well-formed, but without the email or postcode the order needs.
    assert!(
        neither.problem(422)["errors"][0]["field"] == "email",
        "{}",
        neither.text
    );
}

async fn tokens_expire(app: TestApp) {
    app.create_order(&eur_order("2201")).await;
    let token = app.customer_token("2201", "2201@example.com").await;
    assert_eq!(
        app.get("/api/v1/orders/2201", &token).await.status,
        StatusCode::OK
    );
    app.advance(chrono::Duration::minutes(61));
    app.get("/api/v1/orders/2201", &token).await.problem(401);
    let forged = As::Token("c.MjIwMXw5OTk5OTk5OTk5.AAAA".into());
    app.get("/api/v1/orders/2201", &forged).await.problem(401);
    let _ = Role::Admin;
}

/// Customers type order numbers as they remember them: any case, with or without the
/// hyphens. A spelling that fits several stored orders finds none of them.
async fn order_numbers_are_found_whatever_their_case_and_hyphens(app: TestApp) {
    app.create_order(&eur_order("DEMO-7001")).await;
    for typed in ["DEMO-7001", "demo-7001", "demo7001", "Demo-70-01"] {
        let found = app
            .post(
                "/api/v1/returns/lookup",
                &As::Nobody,
                &json!({"order_number": typed, "email": "demo-7001@example.com"}),
            )
            .await;
        assert_eq!(found.status, StatusCode::OK, "{typed}: {}", found.text);
        assert_eq!(found.body["order"]["order_number"], "DEMO-7001", "{typed}");
    }
    let mut one = eur_order("AB-1");
    one["customer"]["email"] = json!("same@example.com");
    let mut other = eur_order("ab1");
    other["customer"]["email"] = json!("same@example.com");
    app.create_order(&one).await;
    app.create_order(&other).await;
    let ask = |typed: &str| json!({"order_number": typed, "email": "same@example.com"});
    for (typed, stored) in [("AB-1", "AB-1"), ("ab1", "ab1")] {
        let exact = app
            .post("/api/v1/returns/lookup", &As::Nobody, &ask(typed))
            .await;
        assert_eq!(
            exact.body["order"]["order_number"], stored,
            "{}",
            exact.text
        );
    }
    app.post("/api/v1/returns/lookup", &As::Nobody, &ask("Ab-1"))
        .await
        .problem(404);
}

crate::on_both_backends!(
    order_numbers_are_found_whatever_their_case_and_hyphens,
    a_customer_finds_their_order_and_only_theirs,
    unknown_orders_and_wrong_emails_look_the_same,
    tokens_expire,
);

#[tokio::test]
async fn lookups_are_paced_per_client() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.lookup.per_ip_per_minute = 3;
    })
    .await;
    app.create_order(&eur_order("2301")).await;
    let right = json!({"order_number": "2301", "email": "2301@example.com"});
    for _ in 0..3 {
        let answer = app
            .post("/api/v1/returns/lookup", &As::Nobody, &right)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
    let limited = app
        .post("/api/v1/returns/lookup", &As::Nobody, &right)
        .await;
    limited.problem(429);
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert_eq!(retry, 20, "one look-up every 20 s after the burst");
    app.advance(chrono::Duration::seconds(20));
    let later = app
        .post("/api/v1/returns/lookup", &As::Nobody, &right)
        .await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.text);
    app.post("/api/v1/returns/lookup", &As::Nobody, &right)
        .await
        .problem(429);
}

/// Two instances on one PostgreSQL count a client's look-ups together: the limit is the
/// client's, not each instance's.
#[tokio::test]
async fn lookups_are_paced_per_client_across_instances() {
    let first = spawn_app_with(Backend::Postgres, |s| {
        s.lookup.per_ip_per_minute = 3;
    })
    .await;
    let url = first.state.settings.database.url.clone();
    let second = spawn_app_with(Backend::Postgres, move |s| {
        s.database.url = url;
        s.lookup.per_ip_per_minute = 3;
    })
    .await;
    first.create_order(&eur_order("2302")).await;
    let right = json!({"order_number": "2302", "email": "2302@example.com"});
    for app in [&first, &second, &first] {
        let answer = app
            .post("/api/v1/returns/lookup", &As::Nobody, &right)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
    let limited = second
        .post("/api/v1/returns/lookup", &As::Nobody, &right)
        .await;
    limited.problem(429);
    assert_eq!(limited.headers["retry-after"], "20");
    second.advance(chrono::Duration::seconds(20));
    let later = second
        .post("/api/v1/returns/lookup", &As::Nobody, &right)
        .await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.text);
}
