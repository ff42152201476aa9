//! Exchanges for another variant of the same product: the catalogue says what can be
//! offered, creating the RMA takes the variant, ending it gives the variant back.

use backhaul::domain::Role;
use backhaul_carriers::sandbox::{tracking_number, Scenario};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// The shop's T-shirts: (sku, size, price, available).
pub(crate) async fn shirts(app: &TestApp, variants: &[(&str, &str, &str, i64)]) {
    let body = json!({
        "currency": "EUR",
        "variants": variants.iter().map(|(sku, size, price, available)| json!({
            "sku": sku, "title": format!("Organic T-shirt {size}"),
            "options": {"size": size}, "price": price, "available": available,
        })).collect::<Vec<_>>(),
    });
    let put = app
        .send(
            "PUT",
            "/api/v1/catalog/tsh-organic",
            &As::Role(Role::Integration),
            Some(&body),
            &[],
        )
        .await;
    assert!(put.status.is_success(), "{}", put.text);
}

async fn available(app: &TestApp, sku: &str) -> i64 {
    let group = app
        .get("/api/v1/catalog/tsh-organic", &As::Role(Role::Integration))
        .await
        .body;
    group["variants"]
        .as_array()
        .and_then(|v| v.iter().find(|x| x["sku"] == sku))
        .and_then(|x| x["available"].as_i64())
        .expect("the variant is listed")
}

/// An order whose T-shirt line (line 2, size L, 19.90) is a variant of tsh-organic.
async fn shirt_order(app: &TestApp, number: &str, quantity: i64) -> As {
    let mut order = eur_order(number);
    order["lines"][1]["variant_of"] = json!("tsh-organic");
    order["lines"][1]["options"] = json!({"size": "L"});
    order["lines"][1]["quantity"] = json!(quantity);
    app.delivered_order(&order, 2).await;
    app.customer_token(number, &email_of(&order)).await
}

fn exchange(number: &str, sku: &str) -> Value {
    json!({
        "order_number": number,
        "resolution": "exchange_variant",
        "lines": [{"line_id": "2", "quantity": 1, "reason": "size_too_large", "exchange_for": {"sku": sku}}],
    })
}

async fn a_customer_swaps_a_shirt_for_another_size(app: TestApp) {
    shirts(
        &app,
        &[
            ("TSH-ORG-M", "M", "19.90", 2),
            ("TSH-ORG-L", "L", "19.90", 5),
            ("TSH-ORG-XL", "XL", "24.90", 5),
        ],
    )
    .await;
    let customer = shirt_order(&app, "5301", 2).await;

    let quote = app
        .post(
            "/api/v1/rmas/quote",
            &customer,
            &exchange("5301", "TSH-ORG-M"),
        )
        .await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.text);
    assert_eq!(quote.body["decision"]["outcome"], "authorized");
    assert!(decision_rules(&quote.body).contains(&"exchange_variant".to_string()));
    assert_eq!(quote.body["decision"]["estimated_refund"], "0.00");
    assert_eq!(quote.body["decision"]["label"], "free");
    assert_eq!(
        available(&app, "TSH-ORG-M").await,
        2,
        "a quote takes nothing"
    );

    let created = app
        .create_rma(&customer, &exchange("5301", "TSH-ORG-M"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["resolution"], "exchange_variant");
    assert_eq!(created.body["lines"][0]["exchange_for"], "TSH-ORG-M");
    assert_eq!(available(&app, "TSH-ORG-M").await, 1);
    let second = app
        .create_rma(&customer, &exchange("5301", "TSH-ORG-M"))
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
    assert_eq!(available(&app, "TSH-ORG-M").await, 0);

    // The second comes in and passes: nothing is refunded, the size M ships.
    let kept = second.body["number"].as_str().expect("number");
    let inspected = app.receive_and_pass_line(kept, "2").await;
    assert!(inspected["refund"].is_null(), "{inspected}");
    let replacement = &inspected["replacement"];
    assert_eq!(replacement["status"], "to_ship");
    assert_eq!(replacement["lines"][0]["sku"], "TSH-ORG-M", "{replacement}");
    assert_eq!(replacement["lines"][0]["quantity"], 1);

    // The warehouse's queue has it; the parcel it leaves in is the order's, polled
    // like any other.
    let bench = As::Role(Role::Warehouse);
    let queue = app.get("/api/v1/fulfilments?status=to_ship", &bench).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
    let job = &queue.body["items"][0];
    assert_eq!(job["rma_number"], kept, "{}", queue.text);
    assert_eq!(job["lines"][0]["sku"], "TSH-ORG-M");
    assert_eq!(
        job["lines"][0]["title"], "Organic T-shirt M",
        "the variant's"
    );
    assert_eq!(job["lines"][0]["quantity"], 1);
    let shipped_path = format!(
        "/api/v1/fulfilments/{}/shipped",
        job["id"].as_str().expect("id")
    );
    let tracking = tracking_number(Scenario::Normal, app.now(), "X-5301");
    let parcel = json!({"carrier": "sandbox", "tracking_number": tracking});
    let shipped = app.post(&shipped_path, &bench, &parcel).await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.text);
    assert_eq!(shipped.body["status"], "shipped");
    assert_eq!(shipped.body["tracking_number"], tracking.as_str());
    app.post(&shipped_path, &bench, &parcel).await.problem(409);
    let sent = app
        .walk("/api/v1/fulfilments?status=shipped", &bench, 1)
        .await;
    assert_eq!(sent.len(), 1);
    assert!(app
        .walk("/api/v1/fulfilments?status=to_ship", &bench, 1)
        .await
        .is_empty());
    app.advance(chrono::Duration::days(4));
    app.poll().await;
    let order = app
        .get("/api/v1/orders/5301", &As::Role(Role::Integration))
        .await
        .body;
    let replacement = order["shipments"]
        .as_array()
        .and_then(|s| s.iter().find(|x| x["tracking_number"] == tracking.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(replacement["status"], "delivered", "polled: {order}");
    app.get("/api/v1/fulfilments?status=lost", &bench)
        .await
        .problem(400);
    app.get("/api/v1/fulfilments", &As::Role(Role::Finance))
        .await
        .problem(403);
    app.post("/api/v1/fulfilments/not-an-id/shipped", &bench, &parcel)
        .await
        .problem(404);

    // Cancelled, the first gives its shirt back to the catalogue (and its line back
    // to the order).
    let number = created.body["number"].as_str().expect("number");
    let cancelled = app
        .post(
            &format!("/api/v1/rmas/{number}/cancel"),
            &As::Role(Role::Admin),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    assert_eq!(available(&app, "TSH-ORG-M").await, 1);

    // What cannot be exchanged is refused with the rule that says why; nothing taken.
    shirts(
        &app,
        &[
            ("TSH-ORG-M", "M", "19.90", 0),
            ("TSH-ORG-L", "L", "19.90", 5),
            ("TSH-ORG-XL", "XL", "24.90", 5),
        ],
    )
    .await;
    let customer = shirt_order(&app, "5302", 3).await;
    for (sku, rule) in [
        ("TSH-ORG-M", "exchange_out_of_stock"),
        ("TSH-ORG-XL", "exchange_price_differs"),
        ("TSH-ORG-L", "exchange_same_variant"),
        ("NOT-IN-CATALOGUE", "exchange_not_a_variant"),
    ] {
        let refused = app.create_rma(&customer, &exchange("5302", sku)).await;
        refused.problem(422);
        assert!(
            decision_rules(&refused.body).contains(&rule.to_string()),
            "{sku}: {}",
            refused.text
        );
    }
    assert_eq!(available(&app, "TSH-ORG-XL").await, 5);
    let order = app.get("/api/v1/orders/5302", &customer).await.body;
    assert_eq!(order["lines"][1]["returnable_quantity"], 3, "nothing held");

    // An exchange names its variant; only an exchange does.
    let mut nameless = exchange("5302", "TSH-ORG-M");
    nameless["lines"][0]
        .as_object_mut()
        .expect("line")
        .remove("exchange_for");
    let refused = app.create_rma(&customer, &nameless).await;
    assert!(
        refused.has_error_field("lines[0].exchange_for"),
        "{}",
        refused.text
    );
    refused.problem(422);
    let mut refund = exchange("5302", "TSH-ORG-M");
    refund["resolution"] = json!("refund");
    let refused = app.create_rma(&customer, &refund).await;
    assert!(
        refused.has_error_field("lines[0].exchange_for"),
        "{}",
        refused.text
    );
}

/// An order `number` whose customer exchanges one L shirt for an M (`m_left` in
/// stock): the RMA's number.
async fn shirt_exchanged(app: &TestApp, number: &str, m_left: i64) -> String {
    shirts(
        app,
        &[
            ("TSH-ORG-M", "M", "19.90", m_left),
            ("TSH-ORG-L", "L", "19.90", 9),
        ],
    )
    .await;
    let customer = shirt_order(app, number, 2).await;
    let created = app
        .create_rma(&customer, &exchange(number, "TSH-ORG-M"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    created.body["number"].as_str().expect("number").to_string()
}

/// A return that fails inspection ships nothing, and its shirt goes back to the
/// catalogue.
async fn a_failed_exchange_gives_its_variant_back(app: TestApp) {
    let number = shirt_exchanged(&app, "5501", 1).await;
    assert_eq!(available(&app, "TSH-ORG-M").await, 0);
    let inspected = app.receive_and_inspect(&number, "2", "wrong_item").await;
    assert_eq!(inspected["outcome"], "failed", "{inspected}");
    assert!(inspected["replacement"].is_null(), "{inspected}");
    assert_eq!(available(&app, "TSH-ORG-M").await, 1);
    let queue = app
        .walk("/api/v1/fulfilments", &As::Role(Role::Warehouse), 10)
        .await;
    assert!(queue.is_empty(), "{queue:?}");
}

/// Many customers asking for the last three shirts at once: three get one.
async fn the_last_units_are_promised_once(app: TestApp) {
    shirts(
        &app,
        &[
            ("TSH-ORG-M", "M", "19.90", 3),
            ("TSH-ORG-L", "L", "19.90", 9),
        ],
    )
    .await;
    shirt_order(&app, "5401", 20).await;
    let body = exchange("5401", "TSH-ORG-M");
    let attempts = (0..12).map(|_| app.create_rma(&As::Role(Role::Integration), &body));
    let answers = futures_util::future::join_all(attempts).await;
    assert_eq!(created_among(&answers, &RACE_ANSWERS), 3);
    assert_eq!(available(&app, "TSH-ORG-M").await, 0);
}

/// Puts `group`'s variants in the catalogue: (sku, title, price, available), in `currency`.
async fn catalogue(
    app: &TestApp,
    group: &str,
    currency: &str,
    variants: &[(&str, &str, &str, i64)],
) {
    let body = json!({
        "currency": currency,
        "variants": variants.iter().map(|(sku, title, price, available)| json!({
            "sku": sku, "title": title, "price": price, "available": available,
        })).collect::<Vec<_>>(),
    });
    let put = app
        .send(
            "PUT",
            &format!("/api/v1/catalog/{group}"),
            &As::Role(Role::Integration),
            Some(&body),
            &[],
        )
        .await;
    assert!(put.status.is_success(), "{}", put.text);
}

fn swap(number: &str, line_id: &str, sku: &str) -> Value {
    json!({
        "order_number": number,
        "resolution": "exchange_product",
        "lines": [{"line_id": line_id, "quantity": 1, "reason": "changed_mind", "exchange_for": {"sku": sku}}],
    })
}

/// Another product, dearer: the customer owes the difference, finance is told to charge
/// it, the replacement ships. Cheaper: the difference is refunded.
async fn an_exchange_for_another_product_settles_the_difference(app: TestApp) {
    catalogue(
        &app,
        "jkt-storm",
        "EUR",
        &[("JKT-STORM-M", "Storm jacket M", "99.90", 3)],
    )
    .await;
    catalogue(
        &app,
        "sck-wool",
        "EUR",
        &[("SCK-WOOL", "Wool socks", "7.90", 10)],
    )
    .await;
    catalogue(&app, "cap-usa", "USD", &[("CAP-USA", "Cap", "19.90", 10)]).await;
    let order = eur_order("5601");
    app.delivered_order(&order, 2).await;
    let customer = app.customer_token("5601", &email_of(&order)).await;

    // The jacket (89.90 + 14.35 tax) for a storm jacket at 99.90: its tax at the same
    // rate is 15.95 (99.90 × 14.35 / 89.90, half up), so 115.85 against 104.25.
    let quote = app
        .post(
            "/api/v1/rmas/quote",
            &customer,
            &swap("5601", "1", "JKT-STORM-M"),
        )
        .await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.text);
    let decision = &quote.body["decision"];
    assert_eq!(decision["outcome"], "authorized", "{decision}");
    assert_eq!(decision["price_difference"]["replacement_value"], "115.85");
    assert_eq!(decision["price_difference"]["returned_value"], "104.25");
    assert_eq!(decision["price_difference"]["customer_pays"], "11.60");
    assert_eq!(decision["price_difference"]["refunded"], "0.00");
    assert_eq!(decision["lines"][0]["replacement_value"], "115.85");
    assert_eq!(decision["estimated_refund"], "0.00");
    assert_eq!(decision["label"], "free");
    assert_eq!(
        decision["restocking_fee"], "0.00",
        "an exchange pays no fee"
    );
    let named = decision_rules(&quote.body);
    assert!(named.contains(&"exchange_product".to_string()), "{named:?}");
    assert!(named.contains(&"price_difference".to_string()), "{named:?}");

    let created = app
        .create_rma(&customer, &swap("5601", "1", "JKT-STORM-M"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["resolution"], "exchange_product");
    let number = created.body["number"].as_str().expect("number").to_string();
    let group = app
        .get("/api/v1/catalog/jkt-storm", &As::Role(Role::Integration))
        .await
        .body;
    assert_eq!(
        group["variants"][0]["available"], 2,
        "the storm jacket is held"
    );

    let inspected = app.receive_and_pass_line(&number, "1").await;
    let charge = &inspected["refund"];
    assert_eq!(charge["method"], "charge_customer", "{inspected}");
    assert_eq!(charge["action"], "charge_customer");
    assert_eq!(charge["amount"], "11.60");
    assert_eq!(inspected["replacement"]["lines"][0]["sku"], "JKT-STORM-M");
    assert_eq!(
        inspected["calculation"]["exchange"]["customer_pays"],
        "11.60"
    );
    let rma = app
        .get(&format!("/api/v1/rmas/{number}"), &As::Role(Role::Admin))
        .await
        .body;
    assert_eq!(
        rma["status"], "inspected",
        "a charge refunds nothing: {rma}"
    );

    let id = charge["id"].as_str().expect("id").to_string();
    assert_eq!(app.dispatch().await.sent, 1);
    let (email, csv) = crate::email::finance_email(&app, &id);
    assert!(
        email.contains(&format!("Subject: Charge {number}: 11.60 EUR")),
        "{email}"
    );
    assert!(email.contains("Charge the customer 11.60 EUR"), "{email}");
    assert!(csv.contains("JKT-STORM-M,115.85"), "{csv}");
    assert!(
        csv.contains(",total,,,,,,,,11.60,EUR,charge_customer,,,,exchange_product,charge_customer"),
        "{csv}"
    );
    let listed = app
        .get("/api/v1/refunds", &As::Role(Role::Finance))
        .await
        .body;
    let listed = listed["items"]
        .as_array()
        .and_then(|i| i.iter().find(|t| t["id"] == id.as_str()).cloned())
        .unwrap_or_default();
    assert_eq!(listed["resolution"], "exchange_product", "{listed}");
    assert_eq!(listed["action"], "charge_customer");

    // A shirt (19.90 + 3.18 of its line's tax) for socks at 7.90 (+ 1.26): 13.92 back.
    let created = app
        .create_rma(&customer, &swap("5601", "2", "SCK-WOOL"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(
        created.body["decision"]["price_difference"]["refunded"], "13.92",
        "{}",
        created.text
    );
    let number = created.body["number"].as_str().expect("number").to_string();
    // It comes back used: 20 % of its price (3.98) is taken off what it is worth, so
    // 19.10 against 9.16, and 9.94 goes back.
    let inspected = app.receive_and_inspect(&number, "2", "used").await;
    assert_eq!(
        inspected["refund"]["method"], "original_payment",
        "{inspected}"
    );
    assert_eq!(inspected["refund"]["action"], "refund");
    assert_eq!(inspected["refund"]["amount"], "9.94");
    let settled = &inspected["calculation"]["exchange"]["lines"][0];
    assert_eq!(settled["condition_deduction"], "3.98", "{inspected}");
    assert_eq!(settled["returned_value"], "19.10");
    assert_eq!(settled["replacement_value"], "9.16");
    let rma = app
        .get(&format!("/api/v1/rmas/{number}"), &As::Role(Role::Admin))
        .await
        .body;
    assert_eq!(rma["status"], "refund_triggered");

    // Operations see the sale kept: 104.25 + 23.08 of exchanged items this week, and
    // every return for a size ending in an exchange.
    crate::pages::user(&app, "boss", Role::Admin).await;
    let mut ops = crate::pages::Browser::new(&app);
    ops.sign_in("boss", "correct horse battery").await;
    let page = ops.get("/ops").await;
    assert!(page.html.contains("Revenue kept per week"), "{}", page.html);
    assert!(page.html.contains("127.33 EUR"), "{}", page.html);
    assert!(page
        .html
        .contains("Returns ending in an exchange, by reason"));
    assert!(page.html.contains("100.0 %"), "changed mind: all exchanged");

    // What cannot be offered is refused with the rule that says why; nothing held.
    for (sku, rule) in [
        ("CAP-USA", "exchange_currency_differs"),
        ("NOT-IN-CATALOGUE", "exchange_not_in_catalog"),
        ("HDP-ANC-01", "exchange_same_variant"),
    ] {
        let refused = app.create_rma(&customer, &swap("5601", "3", sku)).await;
        refused.problem(422);
        assert!(
            decision_rules(&refused.body).contains(&rule.to_string()),
            "{sku}: {}",
            refused.text
        );
    }
    let caps = app
        .get("/api/v1/catalog/cap-usa", &As::Role(Role::Integration))
        .await
        .body;
    assert_eq!(caps["variants"][0]["available"], 10);
}

/// The warehouse's page: the replacement to pack with its slip, a refused parcel told
/// beside its form, then shipped and listed as such.
async fn the_warehouse_packs_and_ships_a_replacement(app: TestApp) {
    use crate::pages::{user, Browser};
    let number = shirt_exchanged(&app, "5701", 2).await;
    app.receive_and_pass_line(&number, "2").await;
    let queue = app
        .walk(
            "/api/v1/fulfilments?status=to_ship",
            &As::Role(Role::Warehouse),
            1,
        )
        .await;
    let id = queue[0]["id"].as_str().expect("id").to_string();

    // The slip names what to pack, what it replaces and where it goes.
    let slip = app
        .get(
            &format!("/api/v1/fulfilments/{id}/packing-slip"),
            &As::Role(Role::Integration),
        )
        .await;
    assert_eq!(slip.status, StatusCode::OK, "{}", slip.text);
    // The PDF's words come out without spaces: compare without them.
    let text: String = crate::labels::pdf_text(&slip.bytes)
        .split_whitespace()
        .collect();
    for needle in [
        "Replacement packing slip",
        "TSH-ORG-M",
        "TSH-ORG-L",
        "Ship to",
        "Anna Schmidt",
        "Torstraße 112",
        &number,
    ] {
        let needle: String = needle.split_whitespace().collect();
        assert!(text.contains(&needle), "{needle} in {text}");
    }
    app.get(
        &format!("/api/v1/fulfilments/{id}/packing-slip"),
        &As::Role(Role::Finance),
    )
    .await
    .problem(403);
    app.get(
        "/api/v1/fulfilments/not-an-id/packing-slip",
        &As::Role(Role::Warehouse),
    )
    .await
    .problem(404);

    user(&app, "packer", Role::Warehouse).await;
    let mut bench = Browser::new(&app);
    bench.sign_in("packer", "correct horse battery").await;
    let page = bench.get("/warehouse/replacements").await;
    assert_eq!(page.status, StatusCode::OK);
    crate::pages::accessible(&page.html);
    assert!(
        page.html.contains(&number) && page.html.contains("TSH-ORG-M"),
        "{}",
        page.html
    );
    let pdf = bench
        .get(&format!("/warehouse/replacements/{id}/packing-slip.pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.html.starts_with("%PDF"), "a PDF");

    let action = format!("/warehouse/replacements/{id}/shipped");
    let csrf = page.csrf();
    let refused = bench
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("carrier", "dhl"),
                ("tracking_number", "1Z#99"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.html);
    assert!(
        refused.html.contains(&format!("id=\"e-{id}\"")),
        "the reason beside its form: {}",
        refused.html
    );
    assert!(
        refused.html.contains("value=\"1Z#99\""),
        "what was typed is kept"
    );

    let tracking = tracking_number(Scenario::Normal, app.now(), "X-5701");
    let parcel = [
        ("csrf", csrf.as_str()),
        ("carrier", "sandbox"),
        ("tracking_number", tracking.as_str()),
    ];
    let shipped = bench.post(&action, &parcel).await;
    // Back to the list, which says so: a reload sends nothing twice.
    assert_eq!(shipped.status, StatusCode::SEE_OTHER, "{}", shipped.html);
    let shipped = bench.get(shipped.location()).await;
    assert_eq!(shipped.status, StatusCode::OK);
    assert!(
        shipped.html.contains(&format!("Shipped: {number}")),
        "{}",
        shipped.html
    );
    assert!(
        !shipped.html.contains(&format!("id=\"f-{id}\"")),
        "gone from the queue"
    );
    let again = bench.post(&action, &parcel).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.html);
    let sent = bench.get("/warehouse/replacements?status=shipped").await;
    assert!(sent.html.contains(&tracking), "{}", sent.html);
}

/// The portal's exchange choices refused in words beside their line: a line sent back
/// without a pick when another has one, a pick that is not offered.
async fn the_portal_asks_what_to_send_instead(app: TestApp) {
    use crate::pages::Browser;
    shirts(
        &app,
        &[
            ("TSH-ORG-M", "M", "19.90", 3),
            ("TSH-ORG-L", "L", "19.90", 3),
        ],
    )
    .await;
    shirt_order(&app, "5801", 2).await;
    let mut customer = Browser::new(&app);
    customer.look_up("5801").await;
    let order = customer.get("/returns/order").await;
    assert!(order.html.contains("name=\"x_2\""), "a pick for the shirt");
    assert!(
        !order.html.contains("name=\"x_1\""),
        "the jacket has no variants"
    );
    let both = "/returns/quote?q_1=1&r_1=size_too_small&q_2=1&r_2=size_too_small&resolution=exchange&x_2=TSH-ORG-M";
    let refused = customer.get(both).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .html
            .contains("Choose what to send instead of Rain jacket."),
        "{}",
        refused.html
    );
    let gone = customer
        .get("/returns/quote?q_2=1&r_2=size_too_small&resolution=exchange&x_2=TSH-ORG-XXL")
        .await;
    assert_eq!(gone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(gone.html.contains("id=\"x_2_error\""), "{}", gone.html);
    // A refund ignores a size picked before the customer changed their mind.
    let refund = customer
        .get("/returns/quote?q_2=1&r_2=size_too_small&resolution=refund&x_2=TSH-ORG-M")
        .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.html);
}

crate::on_both_backends!(
    the_portal_asks_what_to_send_instead,
    the_warehouse_packs_and_ships_a_replacement,
    an_exchange_for_another_product_settles_the_difference,
    a_customer_swaps_a_shirt_for_another_size,
    the_last_units_are_promised_once,
    a_failed_exchange_gives_its_variant_back,
);
