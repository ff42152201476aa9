//! Customers print return labels for authorized RMAs; cancelling voids an unused one.

use backhaul::domain::Role;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn authorized_rma(app: &TestApp, number: &str, reason: &str) -> (As, String) {
    app.authorized_rma(number, reason, "refund").await
}

async fn bytes(app: &TestApp, path: &str, who: &As) -> (StatusCode, String, Vec<u8>) {
    let mut request = app.client.get(format!("{}{}", app.address, path));
    if let As::Token(t) = who {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.expect("sent");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (
        status,
        content_type,
        response.bytes().await.expect("body").to_vec(),
    )
}

pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("label.pdf");
    std::fs::write(&path, pdf).expect("written");
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).replace(' ', "")
}

async fn a_customer_prints_a_label_once(app: TestApp) {
    let (customer, number) = authorized_rma(&app, "L-1", "changed_mind").await;
    let path = format!("/api/v1/rmas/{number}/label");

    let issued = app.post(&path, &customer, &json!({})).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.text);
    let label = &issued.body;
    assert_eq!(label["carrier"], "sandbox");
    assert_eq!(
        label["cost"], "5.95",
        "the customer-paid label costs what the policy estimated"
    );
    assert_eq!(label["currency"], "EUR");
    assert_eq!(label["format"], "pdf");
    let tracking = label["tracking_number"]
        .as_str()
        .expect("tracking")
        .to_string();
    assert!(
        tracking.starts_with("SBX") && tracking.len() == 18,
        "{tracking}"
    );
    assert_eq!(label["label_url"], format!("{path}?format=pdf"));

    let again = app.post(&path, &customer, &json!({"format": "zpl"})).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "a second request returns the same label: {}",
        again.text
    );
    assert_eq!(again.body["tracking_number"], tracking.as_str());

    let rma = app
        .get(&format!("/api/v1/rmas/{number}"), &customer)
        .await
        .body;
    assert_eq!(rma["status"], "label_issued");
    assert_eq!(rma["label"]["tracking_number"], tracking.as_str());
    assert_eq!(rma["parcels"][0]["direction"], "inbound");
    assert_eq!(rma["parcels"][0]["tracking_number"], tracking.as_str());
    assert_eq!(rma["parcels"][0]["status"], "pre_transit");
    let last = rma["timeline"]
        .as_array()
        .and_then(|t| t.last())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(last["event"], "issue_label");
    assert!(
        last["note"].as_str().is_some_and(|n| n.contains(&tracking)),
        "{last}"
    );

    let (status, content_type, pdf) = bytes(&app, &path, &customer).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/pdf");
    let text = pdf_text(&pdf);
    assert!(text.contains(&tracking) && text.contains(&number), "{text}");
    assert!(
        text.contains("Berlinreturnscentre"),
        "ships to the routed warehouse: {text}"
    );
    // The order's phone and line weight (one jacket, 620 g), today's date, the
    // warehouse's phone.
    for fact in [
        "Tel.+49301234567",
        "Weight0.62kg",
        "Tel.+493043210000",
        "Groundreturn",
    ] {
        assert!(text.contains(fact), "{fact} in {text}");
    }
    let today = app.state.clock.now().format("%Y-%m-%d").to_string();
    assert!(text.contains(&format!("Shipdate{today}")), "{text}");

    let (status, content_type, zpl) = bytes(&app, &format!("{path}?format=zpl"), &customer).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/x-zpl")
    );
    assert!(String::from_utf8_lossy(&zpl).contains(&format!("^FD{tracking}^FS")));
    for (format, size) in [("pdf_a4", "595.28 x 841.89"), ("pdf_letter", "612 x 792")] {
        let (status, _, paper) = bytes(&app, &format!("{path}?format={format}"), &customer).await;
        assert_eq!(status, StatusCode::OK, "{format}");
        assert!(pdf_text(&paper).contains(&tracking), "{format}");
        assert!(
            pdf_info(&paper).contains(&format!("Page size:       {size} pts")),
            "{format}"
        );
    }

    app.get(&format!("{path}?format=png"), &customer)
        .await
        .problem(400);
}

async fn labels_only_for_authorized_rmas_and_their_owners(app: TestApp) {
    let (customer, number) = authorized_rma(&app, "L-2", "defective").await;
    let path = format!("/api/v1/rmas/{number}/label");
    app.get(&path, &customer).await.problem(404);
    app.post(&path, &customer, &json!({"carrier": "pigeon"}))
        .await
        .problem(400);
    let bad_format = app.post(&path, &customer, &json!({"format": "gif"})).await;
    bad_format.problem(400);
    assert!(bad_format.has_error_field("format"));

    let other = eur_order("L-3");
    app.delivered_order(&other, 1).await;
    let stranger = app.customer_token("L-3", &email_of(&other)).await;
    app.post(&path, &stranger, &json!({})).await.problem(403);
    app.post(&path, &As::Role(Role::Warehouse), &json!({}))
        .await
        .problem(403);

    // A free label for a defective item costs the customer nothing but is still bought.
    let issued = app
        .post(
            &path,
            &As::Role(Role::Integration),
            &json!({"format": "pdf_a4"}),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.text);

    // Keep-it returns ship nothing.
    let mut cheap = eur_order("L-4");
    cheap["lines"][0]["unit_price"] = json!("4.00");
    cheap["lines"][0]["tax"] = json!("0.76");
    app.delivered_order(&cheap, 1).await;
    let kept = app
        .create_rma(
            &As::Role(Role::Integration),
            &return_body("L-4", &[("1", 1, "damaged")], "refund"),
        )
        .await;
    assert_eq!(kept.body["label_payer"], "keep_it", "{}", kept.text);
    let kept_number = kept.body["number"].as_str().expect("number");
    app.post(
        &format!("/api/v1/rmas/{kept_number}/label"),
        &As::Role(Role::Integration),
        &json!({}),
    )
    .await
    .problem(409);

    // Manual review first.
    let mut serial = Vec::new();
    for i in 0..6 {
        let mut order = eur_order(&format!("L-5{i}"));
        order["customer"]["email"] = json!("labels-serial@example.com");
        app.delivered_order(&order, 1).await;
        let rma = app
            .create_rma(
                &As::Role(Role::Integration),
                &return_body(&format!("L-5{i}"), &[("2", 1, "defective")], "refund"),
            )
            .await;
        serial.push(rma.body["number"].as_str().expect("number").to_string());
    }
    let requested = app
        .post(
            &format!("/api/v1/rmas/{}/label", serial[5]),
            &As::Role(Role::Integration),
            &json!({}),
        )
        .await;
    let problem = requested.problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("requested")),
        "{problem}"
    );
}

async fn cancelling_voids_an_unused_label(app: TestApp) {
    let (customer, number) = authorized_rma(&app, "L-6", "size_too_small").await;
    let path = format!("/api/v1/rmas/{number}/label");
    assert_eq!(
        app.post(&path, &customer, &json!({})).await.status,
        StatusCode::CREATED
    );
    let cancelled = app
        .post(
            &format!("/api/v1/rmas/{number}/cancel"),
            &customer,
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert!(
        cancelled.body["label"]["voided_at"].is_string(),
        "{}",
        cancelled.text
    );
    assert_eq!(cancelled.body["parcels"][0]["status"], "cancelled");
    let last = cancelled.body["timeline"]
        .as_array()
        .and_then(|t| t.last())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(last["note"], "label voided");
    app.get(&path, &customer).await.problem(404);

    // Once the carrier has the parcel, the label cannot be voided, so no cancel.
    let (customer, number) = authorized_rma(&app, "L-7", "size_too_small").await;
    assert_eq!(
        app.post(
            &format!("/api/v1/rmas/{number}/label"),
            &customer,
            &json!({})
        )
        .await
        .status,
        StatusCode::CREATED
    );
    // The sandbox picks a parcel up within 26 hours of its label.
    app.advance(Duration::hours(27));
    let admin = As::Role(Role::Admin);
    let refused = app
        .post(&format!("/api/v1/rmas/{number}/cancel"), &admin, &json!({}))
        .await;
    let problem = refused.problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("sandbox")),
        "{problem}"
    );
    let rma = app
        .get(&format!("/api/v1/rmas/{number}"), &admin)
        .await
        .body;
    assert_eq!(rma["status"], "label_issued", "nothing changed");
}

async fn warehouses_limit_their_carriers(app: TestApp) {
    let number = usd_rma(&app, "LW-1").await;
    let refused = app
        .post(
            &format!("/api/v1/rmas/{number}/label"),
            &As::Role(Role::Integration),
            &json!({"carrier": "dhl"}),
        )
        .await;
    let problem = refused.problem(400);
    assert!(refused.has_error_field("carrier"), "{problem}");
    assert!(problem.to_string().contains("US-NJ"), "{problem}");
    let sandbox = app
        .post(
            &format!("/api/v1/rmas/{number}/label"),
            &As::Role(Role::Integration),
            &json!({}),
        )
        .await;
    assert_eq!(sandbox.status, StatusCode::CREATED, "{}", sandbox.text);
}

async fn unused_labels_expire_with_their_rma(app: TestApp) {
    let (customer, number) = authorized_rma(&app, "LX-1", "size_too_small").await;
    assert_eq!(
        app.post(
            &format!("/api/v1/rmas/{number}/label"),
            &customer,
            &json!({})
        )
        .await
        .status,
        StatusCode::CREATED
    );
    let (_, fresh) = authorized_rma(&app, "LX-2", "size_too_small").await;
    app.advance(Duration::days(29));
    let customer2 = app.customer_token("LX-2", "lx-2@example.com").await;
    assert_eq!(
        app.post(
            &format!("/api/v1/rmas/{fresh}/label"),
            &customer2,
            &json!({})
        )
        .await
        .status,
        StatusCode::CREATED
    );
    assert_eq!(
        backhaul::labels::expire_unused(&app.state)
            .await
            .expect("sweep"),
        0,
        "nothing is due yet"
    );

    app.advance(Duration::days(2));
    // Another instance's sweep leased it and died: nobody voids it twice meanwhile,
    // and it is expired once the lease has run out.
    let now = app.now();
    let claimed = app
        .state
        .db
        .write(move |c| {
            backhaul::db::labels::claim_expired(c, now, "crashed", now + Duration::minutes(5), 10)
                .map_err(backhaul::error::AppError::from)
        })
        .await
        .expect("claimed");
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        backhaul::labels::expire_unused(&app.state)
            .await
            .expect("sweep"),
        0,
        "leased to the crashed sweep"
    );
    app.advance(Duration::minutes(6));
    assert_eq!(
        backhaul::labels::expire_unused(&app.state)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        backhaul::labels::expire_unused(&app.state)
            .await
            .expect("sweep"),
        0,
        "once only"
    );
    let admin = As::Role(Role::Admin);
    let rma = app
        .get(&format!("/api/v1/rmas/{number}"), &admin)
        .await
        .body;
    assert_eq!(rma["status"], "expired");
    assert!(rma["label"]["voided_at"].is_string());
    let last = rma["timeline"]
        .as_array()
        .and_then(|t| t.last())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        (last["event"].as_str(), last["actor"].as_str()),
        (Some("expire"), Some("system:label-expiry"))
    );
    let still = app.get(&format!("/api/v1/rmas/{fresh}"), &admin).await.body;
    assert_eq!(
        still["status"], "label_issued",
        "a label within its validity stays"
    );
}

async fn unused_labels_expire_on(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.carriers.sandbox.scenario = "unused".into()).await;
    unused_labels_expire_with_their_rma(app).await;
}

#[tokio::test]
async fn unused_labels_expire_on_sqlite() {
    unused_labels_expire_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn unused_labels_expire_on_postgres() {
    unused_labels_expire_on(Backend::Postgres).await;
}

/// A return inside China: the label is addressed in characters, to the Shenzhen
/// warehouse's own address, with both phone numbers, for a Chinese courier.
async fn a_chinese_return_label_prints_characters(app: TestApp) {
    let order = json!({
        "order_number": "CN-1",
        "currency": "CNY",
        "placed_at": "2026-11-01T10:00:00Z",
        "customer": {"email": "li.wei@example.com", "name": "李伟", "locale": "zh"},
        "ship_to": {"name": "李伟", "line1": "南京西路 1266 号", "city": "上海市", "postal_code": "200040",
                    "country": "CN", "lat": 31.23, "lon": 121.47, "phone": "+86 138 0013 8000"},
        "lines": [{"line_id": "1", "sku": "PHN-CASE-X", "title": "手机壳", "category": "accessories",
                   "quantity": 2, "unit_price": "99.00", "tax": "12.87", "weight_grams": 45}]
    });
    let (customer, number) = app
        .rma_on(&order, &[("1", 2, "changed_mind")], "refund")
        .await;
    let path = format!("/api/v1/rmas/{number}/label");
    let issued = app.post(&path, &customer, &json!({})).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.text);
    let (_, _, pdf) = bytes(&app, &path, &customer).await;
    let text = pdf_text(&pdf);
    for expected in [
        "李伟",
        "南京西路1266号",
        "深圳退货中心",
        "前海保税港区路1号",
        "+8613800138000",
        "+867558888000",
        "Weight0.09kg",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(!text.contains("Shenzhenreturnscentre"), "{text}");
}

/// What `pdfinfo` says of a PDF.
fn pdf_info(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("written");
    let out = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo (poppler-utils) runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The Code 128 barcodes on a PDF's page, as a scanner reads them.
fn scanned(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("doc.pdf"), pdf).expect("written");
    let rendered = std::process::Command::new("pdftoppm")
        .args(["-r", "200", "-png", "-singlefile"])
        .arg(dir.path().join("doc.pdf"))
        .arg(dir.path().join("page"))
        .output()
        .expect("pdftoppm runs");
    assert!(rendered.status.success());
    let decoded = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Scode128.enable"])
        .arg(dir.path().join("page.png"))
        .output()
        .expect("zbarimg (zbar-tools) runs");
    String::from_utf8_lossy(&decoded.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The packing slip: the RMA's barcode a scanner reads, the order, where the box goes
/// and what is in it; Letter paper for a US customer; none for a cancelled return.
async fn a_packing_slip_goes_in_the_box(app: TestApp) {
    let (customer, number) = authorized_rma(&app, "L-PS", "size_too_small").await;
    let path = format!("/api/v1/rmas/{number}/packing-slip");
    let (status, content_type, pdf) = bytes(&app, &path, &customer).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/pdf")
    );
    let text = pdf_text(&pdf);
    for expected in [
        number.as_str(),
        "L-PS",
        "Refund",
        "Berlinreturnscentre",
        "JKT-RAIN-M",
        "Rainjacket",
        "Sizetoosmall",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert_eq!(scanned(&pdf), vec![number.clone()]);
    // Kept to look at, beside the pages' screenshots.
    let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    if std::fs::create_dir_all(&kept).is_ok() {
        let _ = std::fs::write(kept.join("packing-slip.pdf"), &pdf);
    }
    assert!(pdf_info(&pdf).contains("595.28 x 841.89"), "A4 for Germany");

    let mut us = eur_order("L-PS-US");
    us["currency"] = json!("USD");
    us["ship_to"] = json!({"name": "Jordan Lee", "line1": "350 5th Ave", "city": "New York", "region": "NY",
                           "postal_code": "10118", "country": "US", "lat": 40.75, "lon": -73.99});
    let (jordan, us_number) = app
        .rma_on(&us, &[("1", 1, "size_too_small")], "refund")
        .await;
    let (_, _, letter) = bytes(
        &app,
        &format!("/api/v1/rmas/{us_number}/packing-slip"),
        &jordan,
    )
    .await;
    assert!(pdf_info(&letter).contains("612 x 792"), "Letter for the US");

    let cancelled = app
        .post(
            &format!("/api/v1/rmas/{number}/cancel"),
            &customer,
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    app.get(&path, &customer).await.problem(409);
    app.get(&path, &As::Nobody).await.problem(401);
}

crate::on_both_backends!(
    a_packing_slip_goes_in_the_box,
    a_chinese_return_label_prints_characters,
    warehouses_limit_their_carriers,
    a_customer_prints_a_label_once,
    labels_only_for_authorized_rmas_and_their_owners,
    cancelling_voids_an_unused_label,
);

/// An app whose `easypost` carrier is a local mock server.
async fn app_with_easypost(backend: Backend, server: &wiremock::MockServer) -> TestApp {
    let uri = server.uri();
    spawn_app_with(backend, move |s| {
        s.carriers.easypost.enabled = true;
        s.carriers.easypost.base_url = uri;
        s.carriers.easypost.retries = 1;
        s.carriers.easypost.api_key = Some(secrecy::SecretString::from("EZTK_test"));
    })
    .await
}

async fn usd_rma(app: &TestApp, number: &str) -> String {
    let mut order = eur_order(number);
    order["currency"] = json!("USD");
    order["ship_to"] = json!({"name": "Jordan Lee", "line1": "350 5th Ave", "city": "New York", "region": "NY", "postal_code": "10118", "country": "US", "lat": 40.7484, "lon": -73.9857});
    app.delivered_order(&order, 2).await;
    let rma = app
        .create_rma(
            &As::Role(Role::Integration),
            &return_body(number, &[("1", 1, "size_too_small")], "refund"),
        )
        .await;
    assert_eq!(rma.status, StatusCode::CREATED, "{}", rma.text);
    assert_eq!(rma.body["return_to"]["code"], "US-NJ");
    rma.body["number"].as_str().expect("number").to_string()
}

async fn a_carrier_failure_is_a_502_and_changes_nothing(backend: Backend) {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "internal"}})),
        )
        .mount(&server)
        .await;
    let app = app_with_easypost(backend, &server).await;
    let number = usd_rma(&app, "LE-1").await;
    let integration = As::Role(Role::Integration);
    let failed = buy_from_easypost(&app, &number).await;
    let problem = failed.problem(502);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("easypost")),
        "{problem}"
    );
    let rma = app
        .get(&format!("/api/v1/rmas/{number}"), &integration)
        .await
        .body;
    assert_eq!(rma["status"], "authorized");
    assert!(rma["label"].is_null());
    app.get(&format!("/api/v1/rmas/{number}/label"), &integration)
        .await
        .problem(404);
}

/// An integration buys `number`'s label from EasyPost.
async fn buy_from_easypost(app: &TestApp, number: &str) -> Answer {
    app.post(
        &format!("/api/v1/rmas/{number}/label"),
        &As::Role(Role::Integration),
        &json!({"carrier": "easypost"}),
    )
    .await
}

/// EasyPost sells one label, `shp_9` with tracking code `tracking`, billed
/// `rate` `currency`; a refund of it is accepted.
async fn easypost_sells(server: &wiremock::MockServer, tracking: &str, rate: &str, currency: &str) {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let rate =
        json!({"id": "rate_1", "rate": rate, "currency": currency, "service": "GroundAdvantage"});
    Mock::given(method("POST"))
        .and(path("/shipments"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": "shp_9", "rates": [rate]})),
        )
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/shipments/shp_9/buy"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "shp_9", "tracking_code": tracking, "selected_rate": rate,
            "postage_label": {"label_url": format!("{}/files/l.pdf", server.uri())}
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/l.pdf"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"%PDF-1.4 easypost".to_vec()))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/shipments/shp_9/refund"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "shp_9", "refund_status": "submitted"})),
        )
        .mount(server)
        .await;
}

async fn a_real_carrier_label_is_bought_and_stored(backend: Backend) {
    let server = wiremock::MockServer::start().await;
    easypost_sells(&server, "9400111899223197428490", "7.58", "USD").await;
    let app = app_with_easypost(backend, &server).await;
    let number = usd_rma(&app, "LE-2").await;
    let integration = As::Role(Role::Integration);
    let path = format!("/api/v1/rmas/{number}/label");
    let bought = app
        .post(&path, &integration, &json!({"carrier": "easypost"}))
        .await;
    assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.text);
    assert_eq!(bought.body["tracking_number"], "9400111899223197428490");
    assert_eq!(
        (
            bought.body["cost"].as_str(),
            bought.body["currency"].as_str()
        ),
        (Some("7.58"), Some("USD"))
    );
    assert_eq!(bought.body["carrier_cost"], "7.58");
    assert_eq!(bought.body["formats"], json!(["pdf"]));
    let pdf = app.get(&path, &integration).await;
    assert_eq!(pdf.text, "%PDF-1.4 easypost");
    let zpl = app.get(&format!("{path}?format=zpl"), &integration).await;
    let problem = zpl.problem(404);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("available: pdf")),
        "{problem}"
    );
}

#[tokio::test]
async fn carrier_failure_on_sqlite() {
    a_carrier_failure_is_a_502_and_changes_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn carrier_failure_on_postgres() {
    a_carrier_failure_is_a_502_and_changes_nothing(Backend::Postgres).await;
}

#[tokio::test]
async fn real_carrier_label_on_sqlite() {
    a_real_carrier_label_is_bought_and_stored(Backend::Sqlite).await;
}

#[tokio::test]
async fn real_carrier_label_on_postgres() {
    a_real_carrier_label_is_bought_and_stored(Backend::Postgres).await;
}

/// EasyPost bills in USD: a EUR order's label cost is recorded in EUR at the configured
/// rate, with what the carrier billed beside it; a currency without a rate is a 503
/// naming the setting, and the bought label is refunded, not kept.
async fn label_costs_in_the_orders_currency(backend: Backend) {
    let server = wiremock::MockServer::start().await;
    easypost_sells(&server, "9400111899223197428491", "10.80", "USD").await;
    let app = app_with_easypost(backend, &server).await;
    let integration = As::Role(Role::Integration);
    let number = authorized_rma(&app, "LC-1", "size_too_small").await.1;
    let bought = buy_from_easypost(&app, &number).await;
    assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.text);
    let costs = |b: &Value| {
        [
            &b["cost"],
            &b["currency"],
            &b["carrier_cost"],
            &b["carrier_currency"],
        ]
        .map(|v| v.as_str().unwrap_or_default().to_string())
    };
    assert_eq!(costs(&bought.body), ["10.00", "EUR", "10.80", "USD"]);
    let shown = app
        .get(&format!("/api/v1/rmas/{number}"), &integration)
        .await;
    assert_eq!(
        costs(&shown.body["label"]),
        ["10.00", "EUR", "10.80", "USD"]
    );

    let pesos = wiremock::MockServer::start().await;
    easypost_sells(&pesos, "9400111899223197428492", "150.00", "MXN").await;
    let app = app_with_easypost(backend, &pesos).await;
    let number = authorized_rma(&app, "LC-2", "size_too_small").await.1;
    let refused = buy_from_easypost(&app, &number).await;
    let problem = refused.problem(503);
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("MXN") && detail.contains("exchange_rates"),
        "{problem}"
    );
    let refunds = pesos
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == "/shipments/shp_9/refund")
        .count();
    assert_eq!(refunds, 1, "the label we cannot account for is refunded");
    let rma = app
        .get(&format!("/api/v1/rmas/{number}"), &integration)
        .await
        .body;
    assert_eq!(rma["status"], "authorized");
    assert!(rma["label"].is_null());
}

#[tokio::test]
async fn label_costs_on_sqlite() {
    label_costs_in_the_orders_currency(Backend::Sqlite).await;
}

#[tokio::test]
async fn label_costs_on_postgres() {
    label_costs_in_the_orders_currency(Backend::Postgres).await;
}
