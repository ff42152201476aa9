//! The served OpenAPI document describes every route and the statuses it really gives.

use backhaul::domain::Role;
use serde_json::json;

use crate::helpers::*;

async fn every_documented_operation_answers_as_documented(app: TestApp) {
    app.delivered_order(&eur_order("O-1"), 1).await;
    let rma = app
        .create_rma(
            &As::Role(Role::Integration),
            &return_body("O-1", &[("1", 1, "defective")], "refund"),
        )
        .await;
    let number = rma.body["number"].as_str().expect("number").to_string();

    let doc = app.get("/api/v1/openapi.json", &As::Nobody).await.body;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 15);
    for (template, operations) in paths {
        let path = template
            .replace("{order_number}", "O-1")
            .replace("{number}", &number);
        for (method, op) in operations.as_object().expect("operations") {
            let body = (method == "post").then(|| json!({}));
            for who in [As::Role(Role::Admin), As::Nobody] {
                let answer = app
                    .send(&method.to_uppercase(), &path, &who, body.as_ref(), &[])
                    .await;
                let status = answer.status.as_u16().to_string();
                assert!(
                    op["responses"].get(&status).is_some(),
                    "{method} {template} answered {status}, which is not documented: {}",
                    answer.text
                );
                assert_ne!(
                    answer.body["detail"], "route not found",
                    "{method} {template} is not routed"
                );
            }
        }
    }
}

crate::on_both_backends!(every_documented_operation_answers_as_documented);
