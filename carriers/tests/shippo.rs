//! The Shippo adapter against a local mock server, with Shippo's test numbers.

use backhaul_carriers::http::HttpSettings;
use backhaul_carriers::shippo::Shippo;
use backhaul_carriers::{Carrier, CarrierError, ExceptionKind, TrackingStatus};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn track(number: &str, status: &str, substatus: Option<&str>) -> serde_json::Value {
    let entry = |date: &str, status: &str, sub: Option<&str>| {
        json!({
            "status": status, "substatus": sub.map(|c| json!({"code": c, "text": c, "action_required": false})),
            "status_details": format!("{status} details"), "status_date": date,
            "location": {"city": "San Francisco", "state": "CA", "zip": "94103", "country": "US"}
        })
    };
    json!({
        "carrier": "shippo", "tracking_number": number, "eta": "2026-11-24T18:00:00Z",
        "tracking_status": entry("2026-11-22T10:00:00Z", status, substatus),
        "tracking_history": [entry("2026-11-20T10:00:00Z", "PRE_TRANSIT", None), entry("2026-11-22T10:00:00Z", status, substatus)]
    })
}

#[tokio::test]
async fn test_numbers_map_to_their_statuses() {
    let server = MockServer::start().await;
    let cases = [
        (
            "SHIPPO_PRE_TRANSIT",
            "PRE_TRANSIT",
            None,
            TrackingStatus::PreTransit,
            None,
        ),
        (
            "SHIPPO_TRANSIT",
            "TRANSIT",
            None,
            TrackingStatus::InTransit,
            None,
        ),
        (
            "SHIPPO_DELIVERED",
            "DELIVERED",
            None,
            TrackingStatus::Delivered,
            None,
        ),
        (
            "SHIPPO_RETURNED",
            "RETURNED",
            None,
            TrackingStatus::ReturnedToSender,
            None,
        ),
        (
            "SHIPPO_FAILURE",
            "FAILURE",
            Some("package_damaged"),
            TrackingStatus::Exception,
            Some(ExceptionKind::Damaged),
        ),
        (
            "SHIPPO_UNKNOWN",
            "UNKNOWN",
            None,
            TrackingStatus::Unknown,
            None,
        ),
    ];
    for (number, status, sub, _, _) in cases {
        Mock::given(method("GET"))
            .and(path(format!("/tracks/shippo/{number}")))
            .and(header("authorization", "ShippoToken shippo_test_token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(track(number, status, sub)))
            .mount(&server)
            .await;
    }
    let shippo = Shippo::new(
        HttpSettings::new(server.uri()),
        SecretString::from("shippo_test_token"),
        "shippo".into(),
    )
    .expect("adapter");
    let numbers: Vec<String> = cases.iter().map(|c| c.0.to_string()).collect();
    let updates = shippo.track(&numbers).await.expect("tracked");
    for (update, (number, _, _, status, kind)) in updates.iter().zip(cases) {
        assert_eq!(
            (update.status, update.exception),
            (status, kind),
            "{number}"
        );
        assert_eq!(update.events.len(), 2);
    }

    // An explicit carrier prefix picks the path; an unknown number is unknown.
    Mock::given(method("GET"))
        .and(path("/tracks/usps/9400"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .mount(&server)
        .await;
    let unknown = shippo
        .track(&["usps:9400".to_string()])
        .await
        .expect("no error");
    assert_eq!(unknown[0].status, TrackingStatus::Unknown);
}

#[tokio::test]
async fn a_bad_token_is_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid token."})))
        .mount(&server)
        .await;
    let shippo = Shippo::new(
        HttpSettings::new(server.uri()),
        SecretString::from("bad"),
        "shippo".into(),
    )
    .expect("adapter");
    let err = shippo
        .track(&["SHIPPO_TRANSIT".to_string()])
        .await
        .expect_err("refused");
    assert_eq!(
        err,
        CarrierError::Unauthorized {
            carrier: "shippo".into()
        }
    );
}
