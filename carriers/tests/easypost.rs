//! The EasyPost adapter against a local mock server with fixtures shaped like the
//! documented payloads. No test talks to the real EasyPost.

use std::time::{Duration, Instant};

use backhaul_carriers::easypost::EasyPost;
use backhaul_carriers::http::HttpSettings;
use backhaul_carriers::{
    Address, Carrier, CarrierError, ExceptionKind, LabelFormat, LabelRef, LabelRequest,
    TrackingStatus,
};
use hmac::{Hmac, Mac};
use secrecy::SecretString;
use serde_json::json;
use sha2::Sha256;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "EZTK_test_key";

fn adapter(server: &MockServer) -> EasyPost {
    let mut settings = HttpSettings::new(server.uri());
    settings.backoff = Duration::from_millis(10);
    EasyPost::new(
        settings,
        SecretString::from(KEY),
        Some(SecretString::from("whsec")),
    )
    .expect("adapter")
}

fn basic_auth() -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:"))
    )
}

fn address(name: &str) -> Address {
    Address {
        name: name.into(),
        line1: "350 5th Ave".into(),
        line2: None,
        city: "New York".into(),
        region: Some("NY".into()),
        postal_code: "10118".into(),
        country: "US".into(),
        phone: None,
    }
}

fn request() -> LabelRequest {
    LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from: address("Jordan Lee"),
        to: address("New Jersey returns centre"),
        format: LabelFormat::Pdf,
        currency: "USD".into(),
        estimated_cost: "6.50".into(),
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        weight_grams: None,
    }
}

fn tracker(code: &str, status: &str, detail: Option<&str>) -> serde_json::Value {
    json!({
        "id": "trk_1", "object": "Tracker", "tracking_code": code, "status": status, "status_detail": detail,
        "est_delivery_date": "2026-11-25T18:00:00Z",
        "tracking_details": [
            {"object": "TrackingDetail", "datetime": "2026-11-20T09:12:00Z", "message": "Pre-Shipment Info Sent", "status": "pre_transit", "status_detail": "status_update",
             "tracking_location": {"city": null, "state": null, "country": null, "zip": null}},
            {"object": "TrackingDetail", "datetime": "2026-11-21T14:02:00Z", "message": "Arrived at USPS Facility", "status": "in_transit", "status_detail": "arrived_at_facility",
             "tracking_location": {"city": "NEWARK", "state": "NJ", "country": "US", "zip": "07114"}},
            {"object": "TrackingDetail", "datetime": "2026-11-22T10:40:00Z", "message": "Latest", "status": status, "status_detail": detail,
             "tracking_location": {"city": "NEWARK", "state": "NJ", "country": "US", "zip": "07114"}}
        ]
    })
}

#[tokio::test]
async fn buys_the_cheapest_rate_and_keeps_the_label() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/shipments"))
        .and(header("authorization", basic_auth().as_str()))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "shp_123", "object": "Shipment", "is_return": true,
            "rates": [
                {"id": "rate_exp", "rate": "23.10", "currency": "USD", "carrier": "USPS", "service": "Express"},
                {"id": "rate_gnd", "rate": "7.58", "currency": "USD", "carrier": "USPS", "service": "GroundAdvantage"}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/shipments/shp_123/buy"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "shp_123", "tracking_code": "9400100000000000000000",
            "selected_rate": {"id": "rate_gnd", "rate": "7.58", "currency": "USD", "service": "GroundAdvantage"},
            "postage_label": {"label_url": format!("{}/files/label.pdf", server.uri()), "label_file_type": "application/pdf"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/label.pdf"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"%PDF-1.4 label".to_vec()))
        .mount(&server)
        .await;

    let label = adapter(&server)
        .create_return_label(&request())
        .await
        .expect("label bought");
    assert_eq!(label.tracking_number, "9400100000000000000000");
    assert_eq!(label.reference, "shp_123");
    assert_eq!(
        (label.cost.as_str(), label.currency.as_str()),
        ("7.58", "USD")
    );
    assert_eq!(label.service, "GroundAdvantage");
    assert_eq!(
        label.documents,
        vec![(LabelFormat::Pdf, b"%PDF-1.4 label".to_vec())]
    );

    let sent: serde_json::Value =
        serde_json::from_slice(&server.received_requests().await.expect("requests")[0].body)
            .expect("json");
    assert_eq!(sent["shipment"]["is_return"], true);
    assert_eq!(sent["shipment"]["reference"], "R-7KQ2-M9XD");
}

#[tokio::test]
async fn tracking_maps_each_status_family() {
    use ExceptionKind as X;
    use TrackingStatus as S;
    let table = [
        ("EZ1000000001", "pre_transit", None, S::PreTransit, None),
        (
            "EZ2000000002",
            "in_transit",
            Some("arrived_at_facility"),
            S::InTransit,
            None,
        ),
        (
            "EZ3000000003",
            "out_for_delivery",
            None,
            S::OutForDelivery,
            None,
        ),
        ("EZ4000000004", "delivered", None, S::Delivered, None),
        (
            "EZ5000000005",
            "return_to_sender",
            None,
            S::ReturnedToSender,
            None,
        ),
        (
            "EZ6000000006",
            "failure",
            Some("damaged"),
            S::Exception,
            Some(X::Damaged),
        ),
        ("EZ7000000007", "unknown", None, S::Unknown, None),
    ];
    for (code, status, detail, expected, kind) in table {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/trackers"))
            .respond_with(ResponseTemplate::new(200).set_body_json(tracker(code, status, detail)))
            .mount(&server)
            .await;
        let updates = adapter(&server)
            .track(&[code.to_string()])
            .await
            .expect("tracked");
        assert_eq!(updates.len(), 1);
        let u = &updates[0];
        assert_eq!((u.status, u.exception), (expected, kind), "{code}");
        assert_eq!(u.events.len(), 3);
        assert_eq!(u.events[1].location.city.as_deref(), Some("NEWARK"));
        assert_eq!(u.events[1].raw_code, "in_transit/arrived_at_facility");
        assert_eq!(u.events[1].at.to_rfc3339(), "2026-11-21T14:02:00+00:00");
    }
}

#[tokio::test]
async fn an_unknown_number_is_unknown_not_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/trackers"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"error": {"code": "TRACKER.TRACKING_CODE.INVALID", "message": "Invalid tracking code"}})))
        .mount(&server)
        .await;
    let updates = adapter(&server)
        .track(&["NOPE".to_string()])
        .await
        .expect("no error");
    assert_eq!(updates[0].status, TrackingStatus::Unknown);
}

#[tokio::test]
async fn a_bad_key_is_unauthorized_and_the_key_never_shows() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error": {"code": "APIKEY.INVALID", "message": "Invalid API key"}}),
        ))
        .mount(&server)
        .await;
    let err = adapter(&server)
        .create_return_label(&request())
        .await
        .expect_err("refused");
    assert_eq!(
        err,
        CarrierError::Unauthorized {
            carrier: "easypost".into()
        }
    );
    assert!(!format!("{err} {err:?}").contains(KEY));
}

#[tokio::test]
async fn retries_after_429_and_500_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/trackers"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/trackers"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/trackers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tracker(
            "EZ4000000004",
            "delivered",
            None,
        )))
        .with_priority(3)
        .mount(&server)
        .await;
    let started = Instant::now();
    let updates = adapter(&server)
        .track(&["EZ4000000004".to_string()])
        .await
        .expect("tracked after retries");
    assert_eq!(updates[0].status, TrackingStatus::Delivered);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(server.received_requests().await.expect("requests").len(), 3);
}

#[tokio::test]
async fn gives_up_after_the_last_retry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = adapter(&server)
        .track(&["EZ1".to_string()])
        .await
        .expect_err("unavailable");
    assert!(matches!(err, CarrierError::Unavailable { .. }), "{err:?}");
    assert_eq!(
        server.received_requests().await.expect("requests").len(),
        4,
        "first try and 3 retries"
    );
}

#[tokio::test]
async fn malformed_json_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"tracking_code\": "))
        .mount(&server)
        .await;
    let err = adapter(&server)
        .track(&["EZ1".to_string()])
        .await
        .expect_err("malformed");
    assert!(matches!(err, CarrierError::Malformed { .. }), "{err:?}");
}

#[tokio::test]
async fn voiding_asks_for_a_refund() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/shipments/shp_123/refund"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "shp_123", "refund_status": "submitted"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/shipments/shp_used/refund"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "shp_used", "refund_status": "rejected"})),
        )
        .mount(&server)
        .await;
    let ep = adapter(&server);
    let label = |reference: &str| LabelRef {
        tracking_number: "9400".into(),
        reference: reference.into(),
    };
    ep.void_label(&label("shp_123")).await.expect("voided");
    assert!(matches!(
        ep.void_label(&label("shp_used")).await,
        Err(CarrierError::Rejected { .. })
    ));
}

#[tokio::test]
async fn webhooks_need_a_good_signature() {
    let server = MockServer::start().await;
    let ep = adapter(&server);
    let body = serde_json::to_vec(&json!({"object": "Event", "description": "tracker.updated", "result": tracker("EZ4000000004", "delivered", None)})).expect("json");
    let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec").expect("key");
    mac.update(&body);
    let good = format!(
        "hmac-sha256-hex={}",
        hex::encode(mac.finalize().into_bytes())
    );
    let headers = |value: &str| vec![("x-hmac-signature".to_string(), value.to_string())];

    let updates = ep.parse_webhook(&headers(&good), &body).expect("verified");
    assert_eq!(updates[0].status, TrackingStatus::Delivered);
    let unauthorized = CarrierError::Unauthorized {
        carrier: "easypost".into(),
    };
    assert_eq!(
        ep.parse_webhook(&headers("hmac-sha256-hex=00ff"), &body),
        Err(unauthorized.clone())
    );
    assert_eq!(ep.parse_webhook(&[], &body), Err(unauthorized.clone()));
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert_eq!(
        ep.parse_webhook(&headers(&good), &tampered),
        Err(unauthorized)
    );
}
