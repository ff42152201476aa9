//! The USPS v3 adapter against a local mock server.

use std::time::Duration;

use backhaul_carriers::http::HttpSettings;
use backhaul_carriers::usps::{Payer, Usps};
use backhaul_carriers::{
    Address, Carrier, CarrierError, LabelFormat, LabelRef, LabelRequest, TrackingStatus,
};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn usps(server: &MockServer) -> Usps {
    let mut settings = HttpSettings::new(server.uri());
    settings.backoff = Duration::from_millis(10);
    Usps::new(
        settings,
        "usps-id".into(),
        SecretString::from("usps-secret"),
    )
    .expect("adapter")
}

async fn token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/oauth2/v3/token"))
        .and(body_partial_json(
            json!({"grant_type": "client_credentials", "client_id": "usps-id"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "usps-token", "token_type": "Bearer", "expires_in": 28799}),
        ))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn tracks_a_delivered_parcel() {
    let server = MockServer::start().await;
    token(&server).await;
    Mock::given(method("GET"))
        .and(path("/tracking/v3/tracking/9400111899223197428490"))
        .and(query_param("expand", "DETAIL"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "trackingNumber": "9400111899223197428490", "statusCategory": "Delivered", "status": "Delivered, In/At Mailbox",
            "statusSummary": "Your item was delivered in or at the mailbox at 2:32 pm on November 21, 2026 in NEWARK, NJ 07114.",
            "trackingEvents": [
                {"eventType": "Delivered, In/At Mailbox", "eventTimestamp": "2026-11-21T14:32:00Z", "eventCode": "01", "eventCity": "NEWARK", "eventState": "NJ", "eventZIP": "07114", "eventCountry": ""},
                {"eventType": "Out for Delivery", "eventTimestamp": "2026-11-21T08:10:00Z", "eventCode": "OF", "eventCity": "NEWARK", "eventState": "NJ", "eventZIP": "07114"},
                {"eventType": "USPS in possession of item", "eventTimestamp": "2026-11-19T17:00:00Z", "eventCode": "03", "eventCity": "NEW YORK", "eventState": "NY", "eventZIP": "10118"}
            ]
        })))
        .mount(&server)
        .await;
    let usps = usps(&server);
    for _ in 0..2 {
        let updates = usps
            .track(&["9400111899223197428490".to_string()])
            .await
            .expect("tracked");
        let u = &updates[0];
        assert_eq!(u.status, TrackingStatus::Delivered);
        assert_eq!(
            u.events.iter().map(|e| e.status).collect::<Vec<_>>(),
            vec![
                TrackingStatus::InTransit,
                TrackingStatus::OutForDelivery,
                TrackingStatus::Delivered
            ]
        );
        assert_eq!(u.events[2].location.postal_code.as_deref(), Some("07114"));
    }
}

#[tokio::test]
async fn unknown_numbers_and_refused_credentials() {
    let server = MockServer::start().await;
    token(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"error": {"code": "404", "message": "The tracking number may be incorrect"}}),
        ))
        .mount(&server)
        .await;
    let updates = usps(&server)
        .track(&["9400000000000000000000".to_string()])
        .await
        .expect("no error");
    assert_eq!(updates[0].status, TrackingStatus::Unknown);

    let refused = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"})))
        .mount(&refused)
        .await;
    let err = usps(&refused)
        .track(&["1".to_string()])
        .await
        .expect_err("refused");
    assert_eq!(
        err,
        CarrierError::Unauthorized {
            carrier: "usps".into()
        }
    );
}

fn payer() -> Payer {
    Payer {
        crid: "56982563".into(),
        mid: "903192421".into(),
        manifest_mid: "903192421".into(),
        eps_account: "1000405525".into(),
    }
}

fn us_address(name: &str, zip: &str) -> Address {
    Address {
        name: name.into(),
        line1: "1100 Wyoming St".into(),
        line2: Some("Ste 150".into()),
        city: "Saint Louis".into(),
        region: Some("MO".into()),
        postal_code: zip.into(),
        country: "US".into(),
        phone: None,
    }
}

fn label_request(to_country: &str) -> LabelRequest {
    let mut to = us_address("Backhaul Returns", "63118-2628");
    to.country = to_country.into();
    LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from: us_address("Leroy Brown", "63116"),
        to,
        format: LabelFormat::Pdf,
        currency: "USD".into(),
        estimated_cost: "7.00".into(),
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        weight_grams: None,
    }
}

/// The answer USPS documents: multipart, JSON metadata then the label in base64.
fn multipart_label(tracking: &str, pdf: &[u8]) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(pdf);
    format!(
        "--726UYUDSQB6JWJXFDY\r\nContent-type: application/json\r\n\r\n{{\"trackingNumber\": \"{tracking}\", \"postage\": 7.64, \"routingInformation\": \"420631182628\", \"SKU\": \"DPXX0XXXXC01005\"}}\r\n--726UYUDSQB6JWJXFDY\r\nFile Name: label.pdf\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: encode\r\n\r\n{}\r\n{}\r\n--726UYUDSQB6JWJXFDY--\r\n",
        &encoded[..encoded.len() / 2],
        &encoded[encoded.len() / 2..]
    )
}

async fn payment_authorization(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/payments/v3/payment-authorization"))
        .and(header("authorization", "Bearer usps-token"))
        .and(body_partial_json(json!({"roles": [
            {"roleName": "PAYER", "CRID": "56982563", "MID": "903192421", "accountType": "EPS", "accountNumber": "1000405525"},
            {"roleName": "LABEL_OWNER", "CRID": "56982563"}
        ]})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"paymentAuthorizationToken": "pay-token-1"})),
        )
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn buys_and_voids_return_labels_with_one_payment_authorization() {
    let server = MockServer::start().await;
    token(&server).await;
    payment_authorization(&server).await;
    let pdf = b"%PDF-1.4 usps return label".to_vec();
    Mock::given(method("POST"))
        .and(path("/labels/v3/return-label"))
        .and(header("x-payment-authorization-token", "pay-token-1"))
        .and(body_partial_json(json!({
            "imageInfo": {"imageType": "PDF"},
            "fromAddress": {"firstName": "Leroy", "lastName": "Brown", "ZIPCode": "63116"},
            "toAddress": {"ZIPCode": "63118", "ZIPPlus4": "2628"},
            "packageDescription": {"customerReference": [{"referenceNumber": "R-7KQ2-M9XD"}]}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            multipart_label("9205590109769900012613", &pdf),
            "multipart/mixed; boundary=726UYUDSQB6JWJXFDY",
        ))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/labels/v3/label/9205590109769900012613"))
        .and(header("x-payment-authorization-token", "pay-token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "CANCELED"})))
        .expect(1)
        .mount(&server)
        .await;
    let usps = usps(&server).with_payer(payer());
    assert!(usps
        .capabilities()
        .label_formats
        .contains(&LabelFormat::Pdf));
    for _ in 0..2 {
        let label = usps
            .create_return_label(&label_request("US"))
            .await
            .expect("bought");
        assert_eq!(label.tracking_number, "9205590109769900012613");
        assert_eq!(
            (label.cost.as_str(), label.currency.as_str()),
            ("7.64", "USD")
        );
        assert_eq!(label.documents, vec![(LabelFormat::Pdf, pdf.clone())]);
    }
    usps.void_label(&LabelRef {
        tracking_number: "9205590109769900012613".into(),
        reference: "9205590109769900012613".into(),
    })
    .await
    .expect("voided");
}

#[tokio::test]
async fn label_refusals_are_typed_and_cost_nothing() {
    // Abroad: refused before any call (the mock server has no routes at all).
    let server = MockServer::start().await;
    let usps_with_payer = usps(&server).with_payer(payer());
    let abroad = usps_with_payer
        .create_return_label(&label_request("DE"))
        .await
        .expect_err("abroad");
    assert!(
        matches!(&abroad, CarrierError::Rejected { message, .. } if message.contains("United States")),
        "{abroad:?}"
    );
    assert!(server
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty());
    // No payer configured: the adapter only tracks.
    let tracking_only = usps(&server)
        .create_return_label(&label_request("US"))
        .await
        .expect_err("no payer");
    assert!(matches!(tracking_only, CarrierError::NotSupported { .. }));
    assert!(usps(&server).capabilities().label_formats.is_empty());

    // The payment authorization refused: Unauthorized, no label bought.
    let refused = MockServer::start().await;
    token(&refused).await;
    Mock::given(method("POST"))
        .and(path("/payments/v3/payment-authorization"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"error": {"code": "403", "message": "Not authorized for the EPS account"}}),
        ))
        .mount(&refused)
        .await;
    Mock::given(method("POST"))
        .and(path("/labels/v3/return-label"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&refused)
        .await;
    let err = usps(&refused)
        .with_payer(payer())
        .create_return_label(&label_request("US"))
        .await
        .expect_err("refused");
    assert_eq!(
        err,
        CarrierError::Unauthorized {
            carrier: "usps".into()
        }
    );

    // A label answer that is not what USPS documents is malformed, not a panic.
    let garbled = MockServer::start().await;
    token(&garbled).await;
    payment_authorization(&garbled).await;
    Mock::given(method("POST"))
        .and(path("/labels/v3/return-label"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "--B\r\nContent-Type: application/json\r\n\r\n{\"postage\": 1}\r\n--B--",
            "multipart/mixed; boundary=B",
        ))
        .mount(&garbled)
        .await;
    let err = usps(&garbled)
        .with_payer(payer())
        .create_return_label(&label_request("US"))
        .await
        .expect_err("garbled");
    assert!(matches!(err, CarrierError::Malformed { .. }), "{err:?}");
}
