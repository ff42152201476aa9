//! Who may do what: every protected endpoint against every kind of caller.

use backhaul::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Nobody,
    BadToken,
    Staff(Role),
    OwnCustomer,
    OtherCustomer,
}

async fn every_role_meets_every_endpoint(app: TestApp) {
    let own = eur_order("M-1");
    let other = eur_order("M-2");
    app.delivered_order(&own, 1).await;
    app.delivered_order(&other, 1).await;
    let rma = app
        .create_rma(
            &As::Role(Role::Integration),
            &return_body("M-1", &[("2", 1, "defective")], "refund"),
        )
        .await;
    let number = rma.body["number"].as_str().expect("number").to_string();
    let own_token = app.customer_token("M-1", &email_of(&own)).await;
    let other_token = app.customer_token("M-2", &email_of(&other)).await;

    use Caller::*;
    use Role::*;
    let quote = return_body("M-1", &[("1", 1, "defective")], "refund");
    let shipment = json!({"carrier": "sandbox", "tracking_number": "SBXAUTH0001", "shipped_at": "2026-11-10T00:00:00Z"});
    let rma_path = format!("/api/v1/rmas/{number}");
    // (method, path, body, who may)
    let matrix: Vec<(&str, String, Option<Value>, Vec<Caller>)> = vec![
        (
            "POST",
            "/api/v1/orders".into(),
            Some(eur_order("M-3")),
            vec![Staff(Integration), Staff(Admin)],
        ),
        (
            "GET",
            "/api/v1/orders/M-1".into(),
            None,
            vec![Staff(Integration), Staff(Admin), OwnCustomer],
        ),
        (
            "POST",
            "/api/v1/orders/M-1/shipments".into(),
            Some(shipment),
            vec![Staff(Integration), Staff(Admin)],
        ),
        (
            "POST",
            "/api/v1/rmas/quote".into(),
            Some(quote.clone()),
            vec![Staff(Integration), Staff(Admin), OwnCustomer],
        ),
        (
            "POST",
            "/api/v1/rmas".into(),
            Some(quote),
            vec![Staff(Integration), Staff(Admin), OwnCustomer],
        ),
        ("GET", "/api/v1/incidents".into(), None, vec![Staff(Admin)]),
        (
            "GET",
            "/api/v1/parcels?unmatched=true".into(),
            None,
            vec![Staff(Warehouse), Staff(Admin)],
        ),
        (
            "GET",
            "/api/v1/rmas".into(),
            None,
            vec![
                Staff(Integration),
                Staff(Warehouse),
                Staff(Finance),
                Staff(Admin),
            ],
        ),
        (
            "GET",
            rma_path.clone(),
            None,
            vec![
                Staff(Integration),
                Staff(Warehouse),
                Staff(Finance),
                Staff(Admin),
                OwnCustomer,
            ],
        ),
        (
            "GET",
            format!("{rma_path}/events"),
            None,
            vec![
                Staff(Integration),
                Staff(Warehouse),
                Staff(Finance),
                Staff(Admin),
                OwnCustomer,
            ],
        ),
        (
            "POST",
            format!("{rma_path}/label"),
            Some(json!({})),
            vec![Staff(Integration), Staff(Admin), OwnCustomer],
        ),
        (
            "GET",
            format!("{rma_path}/label"),
            None,
            vec![
                Staff(Integration),
                Staff(Warehouse),
                Staff(Finance),
                Staff(Admin),
                OwnCustomer,
            ],
        ),
        (
            "POST",
            format!("{rma_path}/authorize"),
            Some(json!({})),
            vec![Staff(Admin)],
        ),
        (
            "POST",
            format!("{rma_path}/reject"),
            Some(json!({})),
            vec![Staff(Admin)],
        ),
        (
            "POST",
            format!("{rma_path}/cancel"),
            Some(json!({})),
            vec![Staff(Admin), OwnCustomer],
        ),
    ];
    let callers = [
        Nobody,
        BadToken,
        Staff(Integration),
        Staff(Warehouse),
        Staff(Finance),
        Staff(Admin),
        OtherCustomer,
        OwnCustomer,
    ];
    for (method, path, body, allowed) in &matrix {
        for caller in callers {
            let who = match caller {
                Nobody => As::Nobody,
                BadToken => As::Token("bh_not-a-real-key".into()),
                Staff(role) => As::Role(role),
                OwnCustomer => own_token.clone(),
                OtherCustomer => other_token.clone(),
            };
            let answer = app.send(method, path, &who, body.as_ref(), &[]).await;
            let status = answer.status;
            let expected = match caller {
                Nobody | BadToken => Some(StatusCode::UNAUTHORIZED),
                c if allowed.contains(&c) => None,
                _ => Some(StatusCode::FORBIDDEN),
            };
            match expected {
                Some(code) => {
                    answer.problem(code.as_u16());
                }
                None => assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{method} {path} as {caller:?}: {status} {}",
                    answer.text
                ),
            }
            if expected == Some(StatusCode::UNAUTHORIZED) {
                assert_eq!(answer.headers["www-authenticate"], "Bearer");
            }
        }
    }

    for public in ["/api/v1/openapi.json", "/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            app.get(public, &As::Nobody).await.status,
            StatusCode::OK,
            "{public}"
        );
    }
}

crate::on_both_backends!(every_role_meets_every_endpoint);
