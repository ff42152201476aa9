//! Finance's page as finance uses it: every refund with its customer and maths, totals
//! per currency for the filters, a page at a time, ticked refunds acknowledged together
//! after a confirmation; and the API's refund list a page at a time.

use backhaul::domain::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use crate::pages::{accessible, user, Browser};

/// Three passed returns, oldest first: their refund trigger ids.
async fn three_refunds(app: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    for order in ["F-1", "F-2", "F-3"] {
        let (_, number) = app.authorized_rma(order, "size_too_small", "refund").await;
        let inspected = app.receive_and_pass(&number).await;
        ids.push(
            inspected["refund"]["id"]
                .as_str()
                .expect("a trigger")
                .to_string(),
        );
        app.advance(chrono::Duration::minutes(5));
    }
    ids
}

fn ids_in(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn finance_pages_through_totals_and_acknowledges_in_bulk(app: TestApp) {
    user(&app, "money", Role::Finance).await;
    let ids = three_refunds(&app).await;
    let mut finance = Browser::new(&app);
    finance.sign_in("money", "correct horse battery").await;

    let first = finance.get("/finance/refunds?limit=2").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.html);
    accessible(&first.html);
    // Newest first; the totals count every page of the filter.
    assert!(first.html.contains(&ids[2]) && first.html.contains(&ids[1]));
    assert!(!first.html.contains(&format!("data-refund=\"{}\"", ids[0])));
    assert!(
        first.html.contains("312.75 EUR"),
        "3 × 104.25: {}",
        first.html
    );
    assert!(first
        .html
        .contains("<td class=\"num\" data-label=\"Refunds\">3</td>"));
    let older = format!("&amp;cursor={}", ids[1]);
    assert!(
        first.html.contains(&older),
        "a link to the next page: {}",
        first.html
    );
    let second = finance
        .get(&format!(
            "/finance/refunds?status=&currency=&from=&to=&q=&limit=2&cursor={}",
            ids[1]
        ))
        .await;
    assert!(second.html.contains(&format!("data-refund=\"{}\"", ids[0])));
    assert!(!second.html.contains(&format!("data-refund=\"{}\"", ids[2])));
    assert!(second.html.contains("Newest"));
    let bogus = finance.get("/finance/refunds?cursor=nope").await;
    assert_eq!(bogus.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bogus.html.contains("cursor: no refund trigger has this id"));

    // Two ticked: a confirmation with their sum first, then both at once.
    let csrf = first.csrf();
    let ask = finance
        .post(
            "/finance/refunds/acknowledge",
            &[("csrf", &csrf), ("id", &ids[0]), ("id", &ids[2])],
        )
        .await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.html);
    assert!(
        ask.html.contains("Acknowledge these 2 refunds?"),
        "{}",
        ask.html
    );
    assert!(ask.html.contains("208.50 EUR"), "{}", ask.html);
    let pending = app
        .get("/api/v1/refunds?status=pending", &As::Role(Role::Finance))
        .await;
    assert_eq!(
        ids_in(&pending.body).len(),
        3,
        "nothing changed before confirming"
    );
    let forged = finance
        .post(
            "/finance/refunds/acknowledge",
            &[("id", &ids[0]), ("confirm", "yes")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let confirmed = finance
        .post(
            "/finance/refunds/acknowledge",
            &[
                ("csrf", &csrf),
                ("confirm", "yes"),
                ("id", &ids[0]),
                ("id", &ids[2]),
            ],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    let after = finance.get(confirmed.location()).await;
    assert!(
        after.html.contains("2 refunds acknowledged."),
        "{}",
        after.html
    );
    let pending = app
        .get("/api/v1/refunds?status=pending", &As::Role(Role::Finance))
        .await;
    assert_eq!(ids_in(&pending.body), vec![ids[1].clone()]);
    let nothing = finance
        .post("/finance/refunds/acknowledge", &[("csrf", &csrf)])
        .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let none = finance.get("/finance/refunds?currency=JPY").await;
    assert!(
        none.html
            .contains("No refund triggers match these filters."),
        "{}",
        none.html
    );
}

async fn the_refund_list_comes_a_page_at_a_time(app: TestApp) {
    let ids = three_refunds(&app).await;
    let finance = As::Role(Role::Finance);
    let first = app.get("/api/v1/refunds?limit=2", &finance).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(ids_in(&first.body), vec![ids[2].clone(), ids[1].clone()]);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let rest = app
        .get(
            &format!("/api/v1/refunds?limit=2&cursor={cursor}"),
            &finance,
        )
        .await;
    assert_eq!(ids_in(&rest.body), vec![ids[0].clone()]);
    assert!(rest.body["next_cursor"].is_null(), "the last page");
    let all = app.get("/api/v1/refunds", &finance).await;
    assert_eq!(ids_in(&all.body).len(), 3);
    assert!(all.body["next_cursor"].is_null());
    assert_eq!(
        app.get("/api/v1/refunds?cursor=nope", &finance)
            .await
            .problem(422)["errors"][0]["field"],
        "cursor"
    );
    assert_eq!(
        app.get("/api/v1/refunds?limit=0", &finance)
            .await
            .problem(400)["errors"][0]["field"],
        "limit"
    );
}

crate::on_both_backends!(
    finance_pages_through_totals_and_acknowledges_in_bulk,
    the_refund_list_comes_a_page_at_a_time,
);
