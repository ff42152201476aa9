//! The USPS v3 adapter against a local mock server.

use std::time::Duration;

use backhaul_carriers::http::HttpSettings;
use backhaul_carriers::usps::Usps;
use backhaul_carriers::{Carrier, CarrierError, TrackingStatus};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path, query_param};
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
                {"eventType": "Out for Delivery", "eventTimestamp": "2026-11-21T08:10:00Z", "eventCode": "07", "eventCity": "NEWARK", "eventState": "NJ", "eventZIP": "07114"},
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
