//! The UPS adapter against a local mock server: OAuth token caching (one refresh under
//! fifty concurrent calls) and tracking.

use std::time::Duration;

use backhaul_carriers::http::HttpSettings;
use backhaul_carriers::ups::Ups;
use backhaul_carriers::{Carrier, CarrierError, ExceptionKind, TrackingStatus};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ups(server: &MockServer) -> Ups {
    let mut settings = HttpSettings::new(server.uri());
    settings.backoff = Duration::from_millis(10);
    Ups::new(
        settings,
        "client-id".into(),
        SecretString::from("client-secret"),
        "A1B2C3".into(),
    )
    .expect("adapter")
}

fn token(expires_in: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "token_type": "Bearer", "issued_at": "1700000000000", "client_id": "client-id",
        "access_token": "eyJ.token.sig", "expires_in": expires_in, "status": "approved"
    }))
}

fn tracked(number: &str) -> serde_json::Value {
    json!({"trackResponse": {"shipment": [{"inquiryNumber": number, "package": [{
        "trackingNumber": number,
        "currentStatus": {"description": "Exception", "code": "X", "type": "X"},
        "activity": [
            {"location": {"address": {"city": "Berlin", "countryCode": "DE", "postalCode": "13507"}},
             "status": {"type": "X", "description": "DAMAGED - the package was damaged in transit", "code": "D2", "statusCode": "005"},
             "date": "20261121", "time": "101500"},
            {"location": {"address": {"city": "Koeln", "countryCode": "DE"}},
             "status": {"type": "I", "description": "Arrived at Facility", "code": "AR", "statusCode": "005"},
             "date": "20261120", "time": "183000"},
            {"location": {"address": {"countryCode": "DE"}},
             "status": {"type": "M", "description": "Shipper created a label", "code": "MP", "statusCode": "003"},
             "date": "20261120", "time": "090000"}
        ]
    }]}]}})
}

#[tokio::test]
async fn tracks_with_a_cached_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/security/v1/oauth/token"))
        .and(header("x-merchant-id", "A1B2C3"))
        .respond_with(token("14399"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/track/v1/details/1Z999AA10123456784"))
        .and(header("authorization", "Bearer eyJ.token.sig"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tracked("1Z999AA10123456784")))
        .mount(&server)
        .await;
    let ups = ups(&server);
    for _ in 0..3 {
        let updates = ups
            .track(&["1Z999AA10123456784".to_string()])
            .await
            .expect("tracked");
        let u = &updates[0];
        assert_eq!(
            (u.status, u.exception),
            (TrackingStatus::Exception, Some(ExceptionKind::Damaged))
        );
        assert_eq!(u.events.len(), 3);
        assert_eq!(
            u.events[0].status,
            TrackingStatus::PreTransit,
            "oldest first"
        );
        assert_eq!(u.events[2].raw_time, "20261121101500");
        assert_eq!(
            u.events[2].at.to_rfc3339(),
            "2026-11-21T09:15:00+00:00",
            "Berlin local time, in UTC"
        );
        assert_eq!(u.events[1].location.city.as_deref(), Some("Koeln"));
    }
}

#[tokio::test]
async fn fifty_calls_at_an_expired_token_make_one_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/security/v1/oauth/token"))
        .respond_with(token("1"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/api/track/v1/details/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(tracked("1Z1"))
                .set_delay(Duration::from_millis(20)),
        )
        .mount(&server)
        .await;
    let ups = ups(&server);
    ups.track(&["1Z1".to_string()])
        .await
        .expect("first call fetches a token");
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let calls = (0..50).map(|i| {
        let ups = &ups;
        async move { ups.track(&[format!("1Z{i}")]).await }
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    let token_requests = server
        .received_requests()
        .await
        .expect("requests")
        .iter()
        .filter(|r| r.url.path() == "/security/v1/oauth/token")
        .count();
    assert_eq!(
        token_requests, 2,
        "one at the start, one refresh for all fifty"
    );
}

#[tokio::test]
async fn unknown_numbers_and_bad_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/security/v1/oauth/token"))
        .respond_with(token("14399"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"response": {"errors": [{"code": "TW0001", "message": "Tracking Information Not Found"}]}})))
        .mount(&server)
        .await;
    let updates = ups(&server)
        .track(&["1ZNOPE".to_string()])
        .await
        .expect("no error");
    assert_eq!(updates[0].status, TrackingStatus::Unknown);

    let refused = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"response": {"errors": [{"code": "250002", "message": "Invalid Authentication Information."}]}})))
        .mount(&refused)
        .await;
    let err = ups(&refused)
        .track(&["1Z1".to_string()])
        .await
        .expect_err("unauthorized");
    assert_eq!(
        err,
        CarrierError::Unauthorized {
            carrier: "ups".into()
        }
    );
    assert!(!format!("{err:?}").contains("client-secret"));
}
