//! The FedEx adapter against a local mock server: batched tracking, unknown numbers
//! inside a successful answer, token reuse.

use std::time::Duration;

use backhaul_carriers::fedex::FedEx;
use backhaul_carriers::http::HttpSettings;
use backhaul_carriers::{Carrier, ExceptionKind, TrackingStatus};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn result(number: &str, code: &str, scans: serde_json::Value) -> serde_json::Value {
    json!({"trackingNumber": number, "trackResults": [{
        "trackingNumberInfo": {"trackingNumber": number},
        "latestStatusDetail": {"code": code, "derivedCode": code, "statusByLocale": "", "description": ""},
        "scanEvents": scans
    }]})
}

#[tokio::test]
async fn tracks_a_batch_with_one_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "tok", "token_type": "bearer", "expires_in": 3599, "scope": "CXS"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/track/v1/trackingnumbers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"output": {"completeTrackResults": [
            result("123456789012", "DL", json!([
                {"date": "2026-11-21T14:32:00-05:00", "eventType": "DL", "eventDescription": "Delivered", "derivedStatusCode": "DL",
                 "scanLocation": {"city": "NEWARK", "stateOrProvinceCode": "NJ", "postalCode": "07114", "countryCode": "US"}},
                {"date": "2026-11-20T08:00:00-05:00", "eventType": "PU", "eventDescription": "Picked up", "derivedStatusCode": "PU",
                 "scanLocation": {"city": "NEW YORK", "countryCode": "US"}}
            ])),
            result("123456789013", "DE", json!([
                {"date": "2026-11-21T10:00:00-05:00", "eventType": "DE", "eventDescription": "Delivery exception", "derivedStatusCode": "DE",
                 "exceptionCode": "08", "exceptionDescription": "Package damaged", "scanLocation": {"countryCode": "US"}}
            ])),
            {"trackingNumber": "999999999999", "trackResults": [{"trackingNumberInfo": {"trackingNumber": "999999999999"},
              "error": {"code": "TRACKING.TRACKINGNUMBER.NOTFOUND", "message": "Tracking number cannot be found."}}]}
        ]}})))
        .expect(2)
        .mount(&server)
        .await;
    let mut settings = HttpSettings::new(server.uri());
    settings.backoff = Duration::from_millis(10);
    let fedex =
        FedEx::new(settings, "id".into(), SecretString::from("secret"), None).expect("adapter");
    let numbers: Vec<String> = ["123456789012", "123456789013", "999999999999"]
        .map(String::from)
        .to_vec();
    for _ in 0..2 {
        let updates = fedex.track(&numbers).await.expect("tracked");
        assert_eq!(updates[0].status, TrackingStatus::Delivered);
        assert_eq!(updates[0].events[0].raw_code, "PU", "oldest first");
        assert_eq!(
            updates[0].events[1].at.to_rfc3339(),
            "2026-11-21T19:32:00+00:00",
            "converted to UTC"
        );
        assert_eq!(
            (updates[1].status, updates[1].exception),
            (TrackingStatus::Exception, Some(ExceptionKind::Damaged))
        );
        assert_eq!(updates[2].status, TrackingStatus::Unknown);
    }
    assert_eq!(fedex.capabilities().max_batch, 30);
}

#[tokio::test]
async fn buys_and_cancels_a_return_label() {
    use backhaul_carriers::{Address, LabelFormat, LabelRef, LabelRequest};
    use base64::Engine;
    use wiremock::matchers::body_partial_json;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "tok", "expires_in": 3599})),
        )
        .mount(&server)
        .await;
    let label_bytes = b"%PDF-1.4 fedex".to_vec();
    Mock::given(method("POST"))
        .and(path("/ship/v1/shipments"))
        .and(body_partial_json(json!({"accountNumber": {"value": "740561073"}, "requestedShipment": {
            "shipmentSpecialServices": {"specialServiceTypes": ["RETURN_SHIPMENT"], "returnShipmentDetail": {"returnType": "PRINT_RETURN_LABEL"}},
            "labelSpecification": {"imageType": "PDF", "labelStockType": "STOCK_4X6"}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"output": {"transactionShipments": [{
            "masterTrackingNumber": "794953555571", "serviceType": "FEDEX_GROUND",
            "completedShipmentDetail": {"shipmentRating": {"shipmentRateDetails": [{"totalNetCharge": 11.25, "currency": "USD"}]}},
            "pieceResponses": [{"trackingNumber": "794953555571", "packageDocuments": [{"contentType": "LABEL", "docType": "PDF",
                "encodedLabel": base64::engine::general_purpose::STANDARD.encode(&label_bytes)}]}]
        }]}})))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/ship/v1/shipments/cancel"))
        .and(body_partial_json(json!({"trackingNumber": "794953555571"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"output": {"cancelledShipment": true, "message": "Shipment is successfully cancelled"}})))
        .mount(&server)
        .await;
    let fedex = FedEx::new(
        HttpSettings::new(server.uri()),
        "id".into(),
        SecretString::from("secret"),
        Some("740561073".into()),
    )
    .expect("adapter");
    assert_eq!(
        fedex.capabilities().label_formats,
        vec![LabelFormat::Pdf, LabelFormat::Zpl]
    );
    let address = |name: &str| Address {
        name: name.into(),
        line1: "500 Port Street".into(),
        line2: None,
        city: "Newark".into(),
        region: Some("NJ".into()),
        postal_code: "07114".into(),
        country: "US".into(),
        phone: None,
    };
    let request = LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from: address("Jordan Lee"),
        to: address("Returns"),
        format: LabelFormat::Pdf,
        currency: "USD".into(),
        estimated_cost: "6.50".into(),
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        weight_grams: None,
    };
    let label = fedex.create_return_label(&request).await.expect("bought");
    assert_eq!(label.tracking_number, "794953555571");
    assert_eq!(
        (label.cost.as_str(), label.currency.as_str()),
        ("11.25", "USD")
    );
    assert_eq!(label.documents, vec![(LabelFormat::Pdf, label_bytes)]);
    fedex
        .void_label(&LabelRef {
            tracking_number: label.tracking_number.clone(),
            reference: label.reference,
        })
        .await
        .expect("cancelled");
}
