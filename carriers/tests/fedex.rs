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
    let fedex = FedEx::new(settings, "id".into(), SecretString::from("secret")).expect("adapter");
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
