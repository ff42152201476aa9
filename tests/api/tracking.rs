//! Tracking end to end: the poller against the sandbox carrier's scenarios and against
//! a mock EasyPost, webhooks with good, bad and replayed signatures, incidents opened
//! once and resolved by operations, returns followed to the warehouse. Time moves on
//! the test clock; nothing sleeps.

use backhaul::domain::Role;
use backhaul_carriers::sandbox::{delivered_at, scans, tracking_number, Scenario};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::*;

const ADMIN: As = As::Role(Role::Admin);

/// Registers an outbound parcel on `order`, shipped now.
async fn ship(app: &TestApp, order: &str, carrier: &str, tracking: &str) {
    let answer = app
        .post(
            &format!("/api/v1/orders/{order}/shipments"),
            &As::Role(Role::Integration),
            &json!({"carrier": carrier, "tracking_number": tracking, "shipped_at": app.now().to_rfc3339()}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
}

/// Order `number` (to Berlin) shipped now with a sandbox parcel in `scenario`.
async fn shipped(app: &TestApp, number: &str, scenario: Scenario) -> String {
    app.create_order(&eur_order(number)).await;
    let tracking = tracking_number(scenario, app.now(), number);
    ship(app, number, "sandbox", &tracking).await;
    tracking
}

/// Moves the clock an hour at a time for `hours`, running the poller each hour as the
/// service would; returns the carrier calls made.
async fn run_for(app: &TestApp, hours: i64) -> usize {
    let mut calls = 0;
    for _ in 0..hours {
        app.advance(Duration::hours(1));
        calls += app.poll().await.carrier_calls;
    }
    calls
}

/// Runs the poller hour by hour until the clock has passed `t`.
async fn run_until(app: &TestApp, t: DateTime<Utc>) -> usize {
    let hours = ((t - app.now()).num_minutes() + 59) / 60;
    run_for(app, hours.max(0)).await
}

/// When the sandbox delivers `tracking` (the scenario must deliver).
fn delivery(tracking: &str) -> DateTime<Utc> {
    delivered_at(tracking).expect("this scenario delivers")
}

async fn incidents(app: &TestApp, query: &str) -> Vec<Value> {
    let answer = app.get(&format!("/api/v1/incidents{query}"), &ADMIN).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body["items"].as_array().cloned().unwrap_or_default()
}

async fn order(app: &TestApp, number: &str) -> Value {
    app.get(
        &format!("/api/v1/orders/{number}"),
        &As::Role(Role::Integration),
    )
    .await
    .body
}

async fn a_lost_parcel_opens_one_incident_after_the_limit(app: TestApp) {
    let tracking = shipped(&app, "TL-1", Scenario::Lost).await;
    app.poll().await;
    // The domestic limit is 5 days without a scan.
    let last_scan = scans(&tracking).last().map(|e| e.at).expect("scans");
    run_until(&app, last_scan + Duration::days(5) - Duration::hours(1)).await;
    assert!(
        incidents(&app, "?kind=lost").await.is_empty(),
        "nothing before 5 days of silence"
    );
    run_for(&app, 26).await;
    let found = incidents(&app, "?open=true&kind=lost").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["kind"], "lost");
    assert_eq!(found[0]["order_number"], "TL-1");
    assert_eq!(found[0]["parcel"]["tracking_number"], tracking.as_str());
    assert!(found[0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("no carrier scan")));
    run_for(&app, 72).await;
    assert_eq!(incidents(&app, "?kind=lost").await.len(), 1, "opened once");
    // Two days past the promised day it was already late: that came first.
    assert_eq!(incidents(&app, "?kind=delayed").await.len(), 1);
}

async fn a_delivered_parcel_is_never_lost_and_starts_the_return_window(app: TestApp) {
    let tracking = shipped(&app, "TD-1", Scenario::Normal).await;
    let before = order(&app, "TD-1").await;
    assert!(before["lines"][0]["delivered_at"].is_null());
    let first = app.poll().await.carrier_calls;
    let calls = first + run_for(&app, 30 * 24).await;
    assert!(incidents(&app, "").await.is_empty());
    let after = order(&app, "TD-1").await;
    let delivered = delivery(&tracking).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(after["shipments"][0]["status"], "delivered");
    assert_eq!(after["shipments"][0]["delivered_at"], delivered.as_str());
    for line in after["lines"].as_array().expect("lines") {
        assert_eq!(line["delivered_at"], delivered.as_str());
    }
    let hourly = (delivery(&tracking) - start_time()).num_hours() + 1;
    eprintln!("carrier calls to follow one normal sandbox parcel: {calls} (hourly: {hourly})");
    assert!(calls <= 6, "{calls} carrier calls for one parcel");
}

async fn the_carriers_trouble_opens_incidents(app: TestApp) {
    let m = shipped(&app, "TM-1", Scenario::Misdelivered).await;
    let x = shipped(&app, "TX-1", Scenario::Damaged).await;
    app.poll().await;
    run_until(&app, delivery(&m).max(delivery(&x)) + Duration::hours(2)).await;
    let mut found: Vec<(String, String)> = incidents(&app, "")
        .await
        .iter()
        .map(|i| {
            (
                i["order_number"].as_str().unwrap_or_default().to_string(),
                i["kind"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("TM-1".to_string(), "misdelivered".to_string()),
            ("TX-1".to_string(), "damaged".to_string()),
        ]
    );
    let newest_first = incidents(&app, "").await;
    let walked = app.walk("/api/v1/incidents", &ADMIN, 1).await;
    assert_eq!(
        walked, newest_first,
        "one a page, each once, in the same order"
    );
    let misdelivered = incidents(&app, "?kind=misdelivered").await;
    assert!(misdelivered[0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("km from the address")));
    let metrics = app.get("/metrics", &As::Nobody).await.text;
    assert!(
        metrics.contains("backhaul_incidents_open{kind=\"damaged\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("backhaul_carrier_calls_total{carrier=\"sandbox\",outcome=\"ok\"}"));
    assert!(metrics.contains("backhaul_parcels{direction=\"outbound\",status=\"delivered\"} 2"));
}

async fn operations_resolve_incidents(app: TestApp) {
    let one = shipped(&app, "TR-1", Scenario::Damaged).await;
    let two = shipped(&app, "TR-2", Scenario::Damaged).await;
    app.poll().await;
    run_until(
        &app,
        delivery(&one).max(delivery(&two)) + Duration::hours(2),
    )
    .await;
    let open = incidents(&app, "?open=true&kind=damaged").await;
    assert_eq!(open.len(), 2);
    let id_of = |order: &str| {
        open.iter()
            .find(|i| i["order_number"] == order)
            .and_then(|i| i["id"].as_str())
            .expect("incident")
            .to_string()
    };
    let (first, second) = (id_of("TR-1"), id_of("TR-2"));
    let resolve = |id: &str| format!("/api/v1/incidents/{id}/resolve");

    app.get("/api/v1/incidents", &As::Role(Role::Warehouse))
        .await
        .problem(403);
    app.get("/api/v1/incidents?kind=stolen", &ADMIN)
        .await
        .problem(400);
    let no_reference = app
        .post(
            &resolve(&first),
            &ADMIN,
            &json!({"action": "claim", "note": "filed"}),
        )
        .await;
    assert_eq!(
        no_reference.problem(422)["errors"][0]["field"],
        "claim_reference"
    );
    let too_much = app
        .post(
            &resolve(&first),
            &ADMIN,
            &json!({"action": "partial_refund", "amount": "900.00", "note": "keeps it"}),
        )
        .await;
    assert_eq!(too_much.problem(422)["errors"][0]["field"], "amount");
    let no_note = app
        .post(
            &resolve(&first),
            &ADMIN,
            &json!({"action": "refund", "note": " "}),
        )
        .await;
    assert_eq!(no_note.problem(400)["errors"][0]["field"], "note");

    let partial = app
        .post(
            &resolve(&first),
            &ADMIN,
            &json!({"action": "partial_refund", "amount": "25.00", "note": "customer keeps the scuffed jacket"}),
        )
        .await;
    assert_eq!(partial.status, StatusCode::OK, "{}", partial.text);
    assert_eq!(partial.body["status"], "resolved");
    assert_eq!(partial.body["resolution"]["amount"], "25.00");
    assert_eq!(partial.body["resolution"]["currency"], "EUR");
    // Finance hears of it like of an inspected return.
    let trigger = partial.body["resolution"]["refund_trigger_id"].clone();
    let refunds = app.get("/api/v1/refunds?status=pending", &ADMIN).await.body;
    let listed = &refunds["items"][0];
    assert_eq!(listed["id"], trigger);
    assert_eq!(listed["incident_id"], partial.body["id"]);
    assert_eq!(listed["amount"], "25.00");
    assert_eq!(listed["order_number"], "TR-1");
    assert!(partial.body["resolution"]["resolved_by"]
        .as_str()
        .is_some_and(|a| a.starts_with("admin:")));
    app.post(
        &resolve(&first),
        &ADMIN,
        &json!({"action": "refund", "note": "again"}),
    )
    .await
    .problem(409);

    // A replacement that does not fit names its field inside `replacement`.
    let early = app
        .post(
            &resolve(&second),
            &ADMIN,
            &json!({"action": "reship", "note": "sent a new one", "replacement": {
                "carrier": "sandbox", "tracking_number": tracking_number(Scenario::Normal, app.now(), "TR-2c"),
                "shipped_at": "1999-12-31T00:00:00Z"}}),
        )
        .await;
    assert_eq!(
        early.problem(422)["errors"][0]["field"],
        "replacement.shipped_at"
    );
    let reship = app
        .post(
            &resolve(&second),
            &ADMIN,
            &json!({"action": "reship", "note": "sent a new one", "replacement": {
                "carrier": "sandbox", "tracking_number": tracking_number(Scenario::Normal, app.now(), "TR-2b"),
                "shipped_at": app.now().to_rfc3339()}}),
        )
        .await;
    assert_eq!(reship.status, StatusCode::OK, "{}", reship.text);
    assert!(reship.body["resolution"]["replacement_shipment_id"].is_string());
    assert_eq!(
        order(&app, "TR-2").await["shipments"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(incidents(&app, "?open=true").await.len(), 0);
    assert_eq!(incidents(&app, "?open=false").await.len(), 2);
}

async fn rma(app: &TestApp, number: &str) -> Value {
    app.get(&format!("/api/v1/rmas/{number}"), &ADMIN)
        .await
        .body
}

async fn a_return_follows_its_parcel_to_the_warehouse(app: TestApp) {
    let order_json = eur_order("TI-1");
    app.delivered_order(&order_json, 2).await;
    let customer = app.customer_token("TI-1", &email_of(&order_json)).await;
    let created = app
        .create_rma(
            &customer,
            &return_body("TI-1", &[("1", 1, "size_too_small")], "refund"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let number = created.body["number"].as_str().expect("number").to_string();
    let tracking = app.issue_label(&number, &customer).await;
    app.poll().await;
    assert_eq!(rma(&app, &number).await["status"], "label_issued");
    // Hour by hour until the delivery is seen: the RMA follows its parcel.
    let mut seen = Vec::new();
    while app.now() < delivery(&tracking) + Duration::hours(2) {
        run_for(&app, 1).await;
        let now = rma(&app, &number).await;
        let status = now["status"].as_str().unwrap_or_default().to_string();
        if seen.last() != Some(&status) {
            assert_eq!(now["parcels"][0]["direction"], "inbound");
            seen.push(status);
        }
    }
    // A parcel still waiting for its pickup is looked at once a day: one picked up
    // late on its first day and delivered before the next look goes from label_issued
    // to delivered_to_warehouse at once (the sandbox draws the times at random).
    let polled_in_transit = ["label_issued", "in_transit", "delivered_to_warehouse"];
    let between_two_looks = ["label_issued", "delivered_to_warehouse"];
    assert!(
        seen == polled_in_transit || seen == between_two_looks,
        "{seen:?} ({tracking})"
    );
    let arrived = rma(&app, &number).await;
    assert_eq!(arrived["status"], "delivered_to_warehouse");
    let events = arrived["parcels"][0]["events"].as_array().expect("events");
    assert_eq!(
        events.last().map(|e| e["status"].clone()),
        Some(json!("delivered"))
    );
    let timeline = arrived["timeline"].as_array().expect("timeline");
    assert!(timeline
        .iter()
        .any(|e| e["to"] == "delivered_to_warehouse" && e["actor"] == "carrier:sandbox"));
    assert!(
        incidents(&app, "").await.is_empty(),
        "returns open no outbound incidents"
    );
    // Not scanned at the bench within 24 h: an alert.
    run_for(&app, 25).await;
    let alerts = incidents(&app, "?kind=unscanned_return").await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["rma_number"], number.as_str());
    app.post(
        &format!(
            "/api/v1/incidents/{}/resolve",
            alerts[0]["id"].as_str().unwrap_or_default()
        ),
        &ADMIN,
        &json!({"action": "refund", "note": "n"}),
    )
    .await
    .problem(409);
    // The bench scans the box: received, and the alert closes.
    let scanned = app
        .post(
            "/api/v1/scans",
            &As::Role(Role::Warehouse),
            &json!({"barcode": tracking, "station": "DE-BER/bench-1"}),
        )
        .await;
    assert_eq!(scanned.body["result"], "matched", "{}", scanned.text);
    assert_eq!(rma(&app, &number).await["status"], "received");
    assert!(incidents(&app, "?open=true").await.is_empty());
    let closed = incidents(&app, "?kind=unscanned_return").await;
    assert_eq!(closed[0]["resolution"]["action"], "received");
}

/// A parcel shows one open incident, the gravest: a later graver one closes the open
/// one as superseded (kept, with its history), a lesser one is not opened.
async fn a_parcel_has_one_open_incident_the_gravest(app: TestApp) {
    use backhaul::domain::tracking::{Finding, IncidentKind};
    let tracking = shipped(&app, "TG-1", Scenario::Normal).await;
    let now = app.now();
    let opened = app
        .state
        .db
        .write(move |c| {
            let parcel = backhaul::db::parcels::find_by_number(c, "sandbox", &tracking)?
                .expect("the parcel");
            let mut opened = Vec::new();
            for (kind, detail) in [
                (IncidentKind::Delayed, "late"),
                (IncidentKind::Lost, "no scan for 10 days"),
                (IncidentKind::Delayed, "late again"),
            ] {
                let finding = Finding {
                    kind,
                    detail: detail.into(),
                };
                opened.push(backhaul::tracking::open_incident(
                    c, &parcel.id, &finding, now,
                )?);
            }
            Ok::<_, backhaul::error::AppError>(opened)
        })
        .await
        .expect("incidents");
    assert_eq!(opened, [true, true, false]);
    let open = incidents(&app, "?open=true").await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["kind"], "lost");
    let all = incidents(&app, "").await;
    let delayed = all
        .iter()
        .find(|i| i["kind"] == "delayed")
        .expect("the delayed one is kept");
    assert_eq!(delayed["status"], "resolved", "{delayed}");
    assert!(
        delayed.to_string().contains("superseded by lost"),
        "{delayed}"
    );
}

/// A live poller renews its claim on the parcels it is still asking about: another
/// instance leaves them alone past the first lease, and polls them once the renewals
/// stop (a crashed instance renews nothing).
async fn a_renewed_parcel_lease_holds(app: TestApp) {
    shipped(&app, "RL-1", Scenario::Normal).await;
    app.advance(Duration::hours(24));
    let now = app.now();
    let renewed = app
        .state
        .db
        .write(move |c| {
            let claimed =
                backhaul::db::parcels::claim_due(c, now, "slow", now + Duration::seconds(45), 10)?;
            let ids: Vec<String> = claimed.iter().map(|p| p.id.clone()).collect();
            backhaul::db::parcels::extend_lease(c, "slow", &ids, now + Duration::seconds(120))
                .map_err(backhaul::error::AppError::from)
        })
        .await
        .expect("claimed and renewed");
    assert_eq!(renewed, 1);
    app.advance(Duration::seconds(60));
    assert_eq!(app.poll().await.parcels, 0, "still held by the live one");
    app.advance(Duration::seconds(90));
    assert_eq!(
        app.poll().await.parcels,
        1,
        "taken up once its lease ran out"
    );
}

crate::on_both_backends!(
    a_renewed_parcel_lease_holds,
    a_parcel_has_one_open_incident_the_gravest,
    a_lost_parcel_opens_one_incident_after_the_limit,
    a_delivered_parcel_is_never_lost_and_starts_the_return_window,
    the_carriers_trouble_opens_incidents,
    operations_resolve_incidents,
);

async fn returns_on(backend: Backend) {
    let app = spawn_app_with_normal_parcels(backend).await;
    a_return_follows_its_parcel_to_the_warehouse(app).await;
}

#[tokio::test]
async fn returns_followed_on_sqlite() {
    returns_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn returns_followed_on_postgres() {
    returns_on(Backend::Postgres).await;
}

/// EasyPost as a local mock server: every tracker it is asked for answers in transit,
/// and the requests are counted.
async fn easypost(backend: Backend, server: &wiremock::MockServer, secret: bool) -> TestApp {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, Request, ResponseTemplate};
    Mock::given(method("POST"))
        .and(path("/trackers"))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            let code = body["tracker"]["tracking_code"].clone();
            ResponseTemplate::new(200).set_body_json(tracker(
                &code,
                "in_transit",
                "2026-11-20T10:00:00Z",
            ))
        })
        .mount(server)
        .await;
    let uri = server.uri();
    spawn_app_with(backend, move |s| {
        s.carriers.easypost.enabled = true;
        s.carriers.easypost.base_url = uri;
        s.carriers.easypost.retries = 0;
        s.tracking.claim_batch = 5;
        s.carriers.easypost.api_key = Some(secrecy::SecretString::from("EZTK_test"));
        if secret {
            s.carriers.easypost.webhook_secret = Some(secrecy::SecretString::from("whsec"));
        }
    })
    .await
}

fn tracker(code: &Value, status: &str, at: &str) -> Value {
    json!({"object": "Tracker", "tracking_code": code, "status": status, "status_detail": null,
        "tracking_details": [{"datetime": at, "message": status, "status": status, "status_detail": null,
            "tracking_location": {"city": "Newark", "state": "NJ", "country": "US", "zip": "07114"}}]})
}

async fn push(app: &TestApp, body: &Value, secret: &[u8]) -> Answer {
    let bytes = body.to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("key");
    mac.update(bytes.as_bytes());
    let signature = format!(
        "hmac-sha256-hex={}",
        hex::encode(mac.finalize().into_bytes())
    );
    app.send(
        "POST",
        "/api/v1/webhooks/easypost",
        &As::Nobody,
        Some(body),
        &[("x-hmac-signature", signature.as_str())],
    )
    .await
}

fn event(code: &str, status: &str, at: &str) -> Value {
    json!({"object": "Event", "description": "tracker.updated", "result": tracker(&json!(code), status, at)})
}

async fn webhooks_need_their_signature(backend: Backend) {
    let server = wiremock::MockServer::start().await;
    let app = easypost(backend, &server, true).await;
    app.create_order(&eur_order("TW-1")).await;
    ship(&app, "TW-1", "easypost", "EZ4000000004").await;

    let moving = event("EZ4000000004", "in_transit", "2026-11-20T10:00:00Z");
    let first = push(&app, &moving, b"whsec").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(
        first.body,
        json!({"accepted": 1, "new_events": 1, "unknown": []})
    );
    let replay = push(&app, &moving, b"whsec").await;
    assert_eq!(replay.body["new_events"], 0, "a replay stores nothing new");
    assert_eq!(
        order(&app, "TW-1").await["shipments"][0]["status"],
        "in_transit"
    );

    let delivered = event("EZ4000000004", "delivered", "2026-11-21T14:00:00Z");
    let forged = push(&app, &delivered, b"not-the-secret").await;
    assert_eq!(forged.problem(401)["type"], "/problems/unauthorized");
    let unsigned = app
        .send(
            "POST",
            "/api/v1/webhooks/easypost",
            &As::Nobody,
            Some(&delivered),
            &[],
        )
        .await;
    unsigned.problem(401);
    assert_eq!(
        order(&app, "TW-1").await["shipments"][0]["status"],
        "in_transit",
        "nothing stored from unsigned deliveries"
    );

    let unknown = push(
        &app,
        &event("EZ9999999999", "in_transit", "2026-11-20T10:00:00Z"),
        b"whsec",
    )
    .await;
    assert_eq!(unknown.body["unknown"], json!(["EZ9999999999"]));
    assert_eq!(unknown.body["accepted"], 0);

    // Pushed parcels are polled only as a safety net, a day later.
    assert_eq!(run_for(&app, 23).await, 0);
    let done = push(&app, &delivered, b"whsec").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let after = order(&app, "TW-1").await;
    assert_eq!(after["shipments"][0]["status"], "delivered");
    assert_eq!(after["lines"][0]["delivered_at"], "2026-11-21T14:00:00Z");
    app.send(
        "POST",
        "/api/v1/webhooks/nocarrier",
        &As::Nobody,
        Some(&delivered),
        &[],
    )
    .await
    .problem(404);
    app.send(
        "POST",
        "/api/v1/webhooks/sandbox",
        &As::Nobody,
        Some(&delivered),
        &[],
    )
    .await
    .problem(404);
}

#[tokio::test]
async fn webhooks_on_sqlite() {
    webhooks_need_their_signature(Backend::Sqlite).await;
}

#[tokio::test]
async fn webhooks_on_postgres() {
    webhooks_need_their_signature(Backend::Postgres).await;
}

/// Two pollers on one database at once: every parcel is asked about exactly once.
async fn two_pollers_share_the_work(backend: Backend) {
    let server = wiremock::MockServer::start().await;
    let app = easypost(backend, &server, false).await;
    app.create_order(&eur_order("TP-1")).await;
    let numbers: Vec<String> = (0..40).map(|i| format!("EZ7{i:09}")).collect();
    for n in &numbers {
        ship(&app, "TP-1", "easypost", n).await;
    }
    // New parcels are first looked at a day after they ship.
    app.advance(Duration::hours(24));
    let (a, b) = tokio::join!(
        backhaul::tracking::poller::poll_once(&app.state, "poller-a"),
        backhaul::tracking::poller::poll_once(&app.state, "poller-b"),
    );
    let (a, b) = (a.expect("poller a"), b.expect("poller b"));
    assert_eq!(a.parcels + b.parcels, 40, "{a:?} {b:?}");
    let asked: Vec<String> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter_map(|b| b["tracker"]["tracking_code"].as_str().map(str::to_string))
        .collect();
    let mut unique = asked.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(asked.len(), 40, "each parcel polled once");
    assert_eq!(unique.len(), 40);
}

#[tokio::test]
async fn two_pollers_on_sqlite() {
    two_pollers_share_the_work(Backend::Sqlite).await;
}

#[tokio::test]
async fn two_pollers_on_postgres() {
    two_pollers_share_the_work(Backend::Postgres).await;
}
