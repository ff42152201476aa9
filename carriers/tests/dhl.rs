//! The DHL unified-tracking adapter against a local mock server, including its rate
//! limit.

use std::time::{Duration, Instant};

use backhaul_carriers::dhl::Dhl;
use backhaul_carriers::http::HttpSettings;
use backhaul_carriers::{Carrier, CarrierError, TrackingStatus};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn dhl(server: &MockServer, per_second: f64) -> Dhl {
    let mut settings = HttpSettings::new(server.uri());
    settings.rate_limit_per_second = Some(per_second);
    Dhl::new(settings, SecretString::from("dhl-key")).expect("adapter")
}

#[tokio::test]
async fn tracks_and_respects_the_rate_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/track/shipments"))
        .and(query_param("trackingNumber", "1234567890"))
        .and(header("DHL-API-Key", "dhl-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"shipments": [{
            "id": "1234567890", "service": "express",
            "status": {"timestamp": "2026-11-21T15:20:00+01:00", "statusCode": "delivered", "status": "delivered", "description": "Delivered - Signed for by: MUELLER",
                       "location": {"address": {"addressLocality": "BERLIN - GERMANY", "countryCode": "DE", "postalCode": "13507"}}},
            "events": [
                {"timestamp": "2026-11-21T15:20:00+01:00", "statusCode": "delivered", "description": "Delivered", "location": {"address": {"addressLocality": "BERLIN - GERMANY"}}},
                {"timestamp": "2026-11-20T07:00:00", "statusCode": "transit", "description": "Arrived at Sort Facility LEIPZIG - GERMANY", "location": {"address": {"addressLocality": "LEIPZIG - GERMANY"}}}
            ]
        }]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/track/shipments"))
        .and(query_param("trackingNumber", "0000000000"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"title": "No result found", "status": 404, "detail": "No shipment with given tracking number found."})))
        .mount(&server)
        .await;

    let dhl = dhl(&server, 4.0);
    let started = Instant::now();
    let numbers: Vec<String> = ["1234567890", "0000000000", "1234567890"]
        .map(String::from)
        .to_vec();
    let updates = dhl.track(&numbers).await.expect("tracked");
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "3 calls at 4/s take at least 0.5 s: {:?}",
        started.elapsed()
    );
    assert_eq!(updates[0].status, TrackingStatus::Delivered);
    assert_eq!(
        updates[0].events[0].raw_time, "2026-11-20T07:00:00",
        "oldest first, raw time kept"
    );
    assert_eq!(
        updates[0].events[1].at.to_rfc3339(),
        "2026-11-21T14:20:00+00:00"
    );
    assert_eq!(updates[1].status, TrackingStatus::Unknown);
}

#[tokio::test]
async fn a_bad_key_is_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"title": "Unauthorized", "status": 401})),
        )
        .mount(&server)
        .await;
    let err = dhl(&server, 100.0)
        .track(&["1".to_string()])
        .await
        .expect_err("refused");
    assert_eq!(
        err,
        CarrierError::Unauthorized {
            carrier: "dhl".into()
        }
    );
}

#[tokio::test]
async fn buys_an_express_return_label_billed_to_the_shop() {
    use backhaul_carriers::dhl::ExpressAccount;
    use backhaul_carriers::{Address, LabelFormat, LabelRef, LabelRequest};
    use base64::Engine;
    use wiremock::matchers::body_partial_json;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/mydhlapi/shipments"))
        .and(header("authorization", "Basic dXNlcjpwYXNz"))
        .and(body_partial_json(json!({"accounts": [{"typeCode": "shipper", "number": "123456789"}], "outputImageProperties": {"encodingFormat": "pdf"}})))
        // The sender's phone and the return's weight (1,254 g: 1.3 kg, rounded up).
        .and(body_partial_json(json!({"customerDetails": {"shipperDetails": {"contactInformation": {"phone": "+43 1 2345678"}}},
                                      "content": {"packages": [{"weight": 1.3}]}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "shipmentTrackingNumber": "1234567890",
            "packages": [{"referenceNumber": 1, "trackingNumber": "JD014600003828454340"}],
            "documents": [{"imageFormat": "PDF", "content": base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4 dhl"), "typeCode": "label"}],
            "shipmentCharges": [{"currencyType": "BILLC", "priceCurrency": "EUR", "price": 24.5}]
        })))
        .mount(&server)
        .await;
    let dhl = Dhl::new(
        HttpSettings::new(server.uri()),
        SecretString::from("dhl-key"),
    )
    .expect("adapter")
    .with_express(ExpressAccount {
        settings: HttpSettings::new(format!("{}/mydhlapi", server.uri())),
        username: "user".into(),
        password: SecretString::from("pass"),
        account_number: "123456789".into(),
    })
    .expect("express");
    assert_eq!(
        dhl.capabilities().label_formats,
        vec![LabelFormat::Pdf, LabelFormat::Zpl]
    );
    let address = |name: &str, country: &str| Address {
        name: name.into(),
        line1: "Am Borsigturm 100".into(),
        line2: None,
        city: "Berlin".into(),
        region: None,
        postal_code: "13507".into(),
        country: country.into(),
        phone: None,
    };
    let mut from = address("Anna Schmidt", "AT");
    from.phone = Some("+43 1 2345678".into());
    let request = LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from,
        to: address("Berlin returns centre", "DE"),
        format: LabelFormat::Pdf,
        currency: "EUR".into(),
        estimated_cost: "5.95".into(),
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        weight_grams: Some(1_254),
    };
    let label = dhl.create_return_label(&request).await.expect("bought");
    assert_eq!(label.tracking_number, "1234567890");
    assert_eq!(
        (label.cost.as_str(), label.currency.as_str()),
        ("24.50", "EUR")
    );
    assert_eq!(
        label.documents,
        vec![(LabelFormat::Pdf, b"%PDF-1.4 dhl".to_vec())]
    );
    let void = dhl
        .void_label(&LabelRef {
            tracking_number: "1234567890".into(),
            reference: "1234567890".into(),
        })
        .await;
    assert!(
        matches!(void, Err(CarrierError::NotSupported { .. })),
        "MyDHL cannot void: {void:?}"
    );
}
