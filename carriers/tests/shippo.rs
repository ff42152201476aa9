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

fn return_request(format: backhaul_carriers::LabelFormat) -> backhaul_carriers::LabelRequest {
    let address = |name: &str| backhaul_carriers::Address {
        name: name.into(),
        line1: "965 Mission St".into(),
        line2: None,
        city: "San Francisco".into(),
        region: Some("CA".into()),
        postal_code: "94103".into(),
        country: "US".into(),
        phone: None,
    };
    backhaul_carriers::LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from: address("Jordan Lee"),
        to: address("Returns"),
        format,
        currency: "USD".into(),
        estimated_cost: "6.50".into(),
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        weight_grams: None,
    }
}

#[tokio::test]
async fn buys_a_return_label_and_refunds_it() {
    use backhaul_carriers::{LabelFormat, LabelRef};
    use wiremock::matchers::body_partial_json;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/shipments"))
        .and(body_partial_json(json!({"extra": {"is_return": true}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"object_id": "shp_1", "rates": [
            {"object_id": "rate_fast", "amount": "21.40", "currency": "USD", "servicelevel": {"token": "usps_priority_express"}},
            {"object_id": "rate_slow", "amount": "6.10", "currency": "USD", "servicelevel": {"token": "usps_ground_advantage"}}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/transactions"))
        .and(body_partial_json(
            json!({"rate": "rate_slow", "label_file_type": "ZPLII"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "object_id": "txn_1", "status": "SUCCESS", "tracking_number": "9205590164917312751089",
            "label_url": format!("{}/labels/txn_1.zpl", server.uri()), "messages": []
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/labels/txn_1.zpl"))
        .respond_with(ResponseTemplate::new(200).set_body_string("^XA^XZ"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/refunds"))
        .and(body_partial_json(json!({"transaction": "txn_1"})))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"object_id": "ref_1", "status": "QUEUED"})),
        )
        .mount(&server)
        .await;
    let shippo = Shippo::new(
        HttpSettings::new(server.uri()),
        SecretString::from("shippo_test_token"),
        "shippo".into(),
    )
    .expect("adapter");
    let label = shippo
        .create_return_label(&return_request(LabelFormat::Zpl))
        .await
        .expect("bought");
    assert_eq!(label.tracking_number, "9205590164917312751089");
    assert_eq!(
        (
            label.cost.as_str(),
            label.currency.as_str(),
            label.reference.as_str()
        ),
        ("6.10", "USD", "txn_1")
    );
    assert_eq!(
        label.documents,
        vec![(LabelFormat::Zpl, b"^XA^XZ".to_vec())]
    );
    shippo
        .void_label(&LabelRef {
            tracking_number: label.tracking_number.clone(),
            reference: label.reference.clone(),
        })
        .await
        .expect("refund queued");
}

#[tokio::test]
async fn a_failed_transaction_reports_shippos_messages() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/shipments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"object_id": "shp_1", "rates": [{"object_id": "r", "amount": "5.00", "currency": "USD"}]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/transactions"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"object_id": "txn_2", "status": "ERROR", "messages": [{"source": "USPS", "code": "", "text": "Address not found"}]})))
        .mount(&server)
        .await;
    let shippo = Shippo::new(
        HttpSettings::new(server.uri()),
        SecretString::from("t"),
        "shippo".into(),
    )
    .expect("adapter");
    let err = shippo
        .create_return_label(&return_request(backhaul_carriers::LabelFormat::Pdf))
        .await
        .expect_err("refused");
    assert_eq!(
        err,
        CarrierError::Rejected {
            carrier: "shippo".into(),
            message: "Address not found".into()
        }
    );
}
