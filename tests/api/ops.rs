//! Health, readiness, metrics and request ids.

use backhaul::domain::Role;
use reqwest::StatusCode;

use crate::helpers::*;

async fn health_readiness_and_metrics(app: TestApp) {
    let health = app.get("/healthz", &As::Nobody).await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(health.headers.contains_key("x-request-id"));
    let ready = app.get("/readyz", &As::Nobody).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["database"], "ok");

    app.delivered_order(&eur_order("P-1"), 1).await;
    let rma = app
        .create_rma(
            &As::Role(Role::Integration),
            &return_body("P-1", &[("1", 1, "defective")], "refund"),
        )
        .await;
    assert_eq!(rma.status, StatusCode::CREATED);
    app.get("/api/v1/orders/NOPE", &As::Role(Role::Integration))
        .await;

    let metrics = app.get("/metrics", &As::Nobody).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics
            .content_type()
            .starts_with("application/openmetrics-text"),
        "{}",
        metrics.content_type()
    );
    let text = metrics.text;
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(
        text.contains(
            r#"backhaul_http_requests_total{route="/api/v1/rmas",method="POST",status="201"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"backhaul_http_requests_total{route="/api/v1/orders/{order_number}",method="GET",status="404"} 1"#), "{text}");
    assert!(
        text.contains(r#"backhaul_http_request_duration_seconds_count{route="/api/v1/rmas"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"backhaul_rmas{status="authorized"} 1"#),
        "{text}"
    );
}

crate::on_both_backends!(health_readiness_and_metrics);
