//! Evidence photos over the API: known by their bytes, limited in size and number,
//! readable only by the order's customer and staff.

use backhaul::domain::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

fn png(marker: &str) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(marker.as_bytes());
    bytes
}

async fn photos_are_kept_as_evidence_with_the_rma(app: TestApp) {
    // A new RMA answers in the same shape as a read one: no photos yet.
    let order = eur_order("PH-0");
    app.delivered_order(&order, 2).await;
    let token = app.customer_token("PH-0", &email_of(&order)).await;
    let created = app
        .create_rma(
            &token,
            &return_body("PH-0", &[("1", 1, "damaged")], "refund"),
        )
        .await;
    assert_eq!(created.body["photos"], json!([]), "{}", created.text);
    assert_eq!(created.body["decision"]["photos_required"], true);
    let (customer, number) = app.authorized_rma("PH-1", "damaged", "refund").await;
    let (stranger, _) = app.authorized_rma("PH-2", "damaged", "refund").await;
    let upload = format!("/api/v1/rmas/{number}/photos");

    // The declared type is not believed: the bytes are a PNG.
    let sent = app
        .send_bytes(&upload, &customer, "image/jpeg", png("dent"))
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    assert_eq!(sent.body["content_type"], "image/png");
    assert_eq!(sent.body["taken_by"], "customer:PH-1");
    assert_eq!(sent.body["size_bytes"], 12);
    let href = sent.body["href"].as_str().expect("href").to_string();

    let script = app
        .send_bytes(
            &upload,
            &customer,
            "image/png",
            b"<svg onload=alert(1)>".to_vec(),
        )
        .await;
    assert!(script.problem(415)["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("not a photo")));
    let mut huge = png("big");
    huge.resize((5 << 20) + 1, 0);
    app.send_bytes(&upload, &customer, "image/png", huge)
        .await
        .problem(413);
    app.send_bytes(&upload, &stranger, "image/png", png("x"))
        .await
        .problem(403);
    app.send_bytes(&upload, &As::Role(Role::Finance), "image/png", png("x"))
        .await
        .problem(403);
    app.send_bytes(&upload, &As::Nobody, "image/png", png("x"))
        .await
        .problem(401);

    // The bytes come back as they went in, to the customer and to staff.
    for who in [
        &customer,
        &As::Role(Role::Finance),
        &As::Role(Role::Warehouse),
    ] {
        let photo = app.get(&href, who).await;
        assert_eq!(photo.status, StatusCode::OK, "{}", photo.text);
        assert_eq!(photo.content_type(), "image/png");
        assert_eq!(photo.bytes, png("dent"));
    }
    app.get(&href, &stranger).await.problem(403);
    app.get(&format!("{upload}/no-such-photo"), &customer)
        .await
        .problem(404);

    let rma = app.get(&format!("/api/v1/rmas/{number}"), &customer).await;
    assert_eq!(rma.body["photos"][0]["href"], href.as_str());

    // Ten photos at most, from everybody together.
    for i in 1..10 {
        let who = if i % 2 == 0 {
            &customer
        } else {
            &As::Role(Role::Warehouse)
        };
        let sent = app
            .send_bytes(&upload, who, "image/png", png(&i.to_string()))
            .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    }
    let full = app
        .send_bytes(&upload, &customer, "image/png", png("11"))
        .await;
    assert!(full.problem(409)["detail"]
        .as_str()
        .is_some_and(|d| d.contains("at most 10 photos")));

    // A closed return takes no more.
    let (customer, number) = app.authorized_rma("PH-3", "damaged", "refund").await;
    let cancelled = app
        .post(
            &format!("/api/v1/rmas/{number}/cancel"),
            &customer,
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    app.send_bytes(
        &format!("/api/v1/rmas/{number}/photos"),
        &customer,
        "image/png",
        png("late"),
    )
    .await
    .problem(409);
}

crate::on_both_backends!(photos_are_kept_as_evidence_with_the_rma);
