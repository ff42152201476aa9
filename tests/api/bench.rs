//! The warehouse crew's day on the pages, as a browser without JavaScript: the queue of
//! returns arriving today, scan results (matched with "Inspect now", wrong warehouse,
//! a typo), the queue to inspect, an inspection that starts with nothing chosen and
//! keeps what was typed, its result with the next step; and the staff search box.

use backhaul::domain::Role;
use backhaul_carriers::sandbox::delivered_at;
use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::pages::{accessible, user, Browser, Page};

/// A scan at the bench page: its answer page.
async fn scan(browser: &mut Browser, barcode: &str, station: &str) -> Page {
    let csrf = browser.get("/warehouse/scan").await.csrf();
    browser
        .post(
            "/warehouse/scan",
            &[("barcode", barcode), ("station", station), ("csrf", &csrf)],
        )
        .await
}

/// `number` with its check character changed: a typo the check catches.
fn mistyped(number: &str) -> String {
    let (body, last) = number.split_at(number.len() - 1);
    format!("{body}{}", if last == "0" { "1" } else { "0" })
}

async fn the_warehouse_crew_works_from_its_queues(app: TestApp) {
    user(&app, "bench", Role::Warehouse).await;

    // A return on its way: listed as arriving once the carrier has delivered it.
    let (customer, first) = app.authorized_rma("Q-1", "size_too_small", "refund").await;
    let tracking = app.issue_label(&first, &customer).await;
    let delivery = delivered_at(&tracking).expect("the normal scenario delivers");
    while app.now() < delivery + Duration::hours(2) {
        app.advance(Duration::hours(6));
        app.poll().await;
    }
    let mut bench = Browser::new(&app);
    bench.sign_in("bench", "correct horse battery").await;
    let arriving = bench.get("/warehouse/arriving").await;
    assert_eq!(arriving.status, StatusCode::OK, "{}", arriving.html);
    accessible(&arriving.html);
    assert!(arriving.html.contains(&first), "{}", arriving.html);
    assert!(arriving.html.contains(">delivered<"), "{}", arriving.html);
    assert!(
        arriving.html.contains("href=\"/warehouse/arriving\""),
        "in the header"
    );

    // Scanned at its own warehouse: matched, with the way to inspect it now.
    let matched = scan(&mut bench, &first, "DE-BER/bench-2").await;
    assert!(
        matched.html.contains("data-result=\"matched\""),
        "{}",
        matched.html
    );
    let inspect_path = format!("/warehouse/rmas/{first}/inspect");
    assert!(
        matched.html.contains(&format!("href=\"{inspect_path}\"")),
        "{}",
        matched.html
    );
    assert!(matched.html.contains("Inspect now"));
    let arriving = bench.get("/warehouse/arriving").await;
    assert!(
        !arriving.html.contains(&first),
        "scanned: no longer arriving"
    );

    // Received later, queued behind: by when each box arrived, not when its return
    // was opened (the third was opened before the second, received after it).
    app.advance(Duration::minutes(30));
    let (_, opened_first) = app.authorized_rma("Q-5", "size_too_small", "refund").await;
    let (_, second) = app.authorized_rma("Q-2", "size_too_small", "refund").await;
    scan(&mut bench, &second, "DE-BER/bench-2").await;
    app.advance(Duration::minutes(30));
    scan(&mut bench, &opened_first, "DE-BER/bench-2").await;
    let queue = bench.get("/warehouse/to-inspect").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.html);
    accessible(&queue.html);
    let at = |number: &str| queue.html.find(number).expect("in the queue");
    assert!(at(&first) < at(&second), "the longest waiting first");
    assert!(at(&second) < at(&opened_first), "{}", queue.html);
    assert!(
        queue.html.contains("selected>DE-BER"),
        "the bench's warehouse is chosen: {}",
        queue.html
    );
    let elsewhere = bench.get("/warehouse/to-inspect?warehouse=ES-MAD").await;
    assert!(!elsewhere.html.contains(&first), "{}", elsewhere.html);
    assert!(elsewhere.html.contains("Nothing here right now."));

    // A box for another warehouse: its own red result, put aside, not inspected here;
    // it waits in the queue of the warehouse that has it.
    let (_, third) = app.authorized_rma("Q-3", "size_too_small", "refund").await;
    let wrong = scan(&mut bench, &third, "ES-MAD/bench-1").await;
    assert!(
        wrong.html.contains("data-result=\"wrong_warehouse\""),
        "{}",
        wrong.html
    );
    assert!(wrong.html.contains("Put aside for transfer to DE-BER."));
    assert!(!wrong.html.contains("Inspect now"));
    let madrid = bench.get("/warehouse/to-inspect").await;
    assert!(madrid.html.contains("selected>ES-MAD"), "{}", madrid.html);
    assert!(madrid.html.contains(&third) && !madrid.html.contains(&first));
    let berlin = bench.get("/warehouse/to-inspect?warehouse=DE-BER").await;
    assert!(!berlin.html.contains(&third), "{}", berlin.html);

    // A typo in the check character: scan again, nothing stored.
    let typo = scan(&mut bench, &mistyped(&second), "DE-BER/bench-2").await;
    assert_eq!(
        typo.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        typo.html
    );
    assert!(typo.html.contains("data-result=\"typo\""), "{}", typo.html);
    assert!(typo.html.contains("Typo — scan again"));
    let unmatched = app
        .get("/api/v1/parcels?unmatched=true", &As::Role(Role::Warehouse))
        .await;
    assert_eq!(unmatched.body["items"].as_array().map(Vec::len), Some(0));

    // The inspection starts with nothing chosen, after what the customer said.
    let form = bench.get(&inspect_path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    accessible(&form.html);
    assert_eq!(form.html.matches("<option value=\"\" selected>").count(), 2);
    let said = form
        .html
        .find("What the customer said")
        .expect("the reasons");
    let grading = form.html.find("<fieldset>").expect("the grades");
    assert!(said < grading, "the customer's side first");
    assert!(form.html.contains("size too small"));
    let csrf = form.csrf();
    let nothing = bench.post(&inspect_path, &[("csrf", &csrf)]).await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    for words in [
        "Choose the condition of JKT-RAIN-M Rain jacket.",
        "Choose what happens to JKT-RAIN-M Rain jacket.",
        "Enter how many of JKT-RAIN-M Rain jacket arrived",
        "aria-invalid=\"true\"",
        "aria-describedby=\"c_1_error\"",
    ] {
        assert!(nothing.html.contains(words), "{words}: {}", nothing.html);
    }
    let half = bench
        .post(
            &inspect_path,
            &[
                ("csrf", &csrf),
                ("q_1", "1"),
                ("d_1", "restock"),
                ("n_1", "tags on"),
            ],
        )
        .await;
    assert_eq!(half.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(half.html.contains("value=\"tags on\""), "notes kept");
    assert!(
        half.html.contains("<option value=\"restock\" selected>"),
        "{}",
        half.html
    );
    assert!(
        !half.html.contains("Choose what happens to"),
        "{}",
        half.html
    );

    let done = bench
        .post(
            &inspect_path,
            &[
                ("csrf", &csrf),
                ("q_1", "1"),
                ("c_1", "new"),
                ("d_1", "restock"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    for words in [
        "Inspection of",
        first.as_str(),
        "Outcome: passed",
        "Refund: 98.30 EUR",
        "JKT-RAIN-M Rain jacket",
        "Finance has been sent the refund of 98.30 EUR (original payment).",
        "href=\"/warehouse/to-inspect\"",
    ] {
        assert!(done.html.contains(words), "{words}: {}", done.html);
    }
    let queue = bench.get("/warehouse/to-inspect").await;
    assert!(!queue.html.contains(&first), "inspected: off the queue");
    assert!(queue.html.contains(&second));

    // Inspected already, or not received yet: the page says so and leads back.
    let again = bench.get(&inspect_path).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again
            .html
            .contains("only a return received at the warehouse"),
        "{}",
        again.html
    );
    assert!(again.html.contains("href=\"/warehouse/to-inspect\""));
    let (_, waiting) = app.authorized_rma("Q-4", "size_too_small", "refund").await;
    let early = bench
        .get(&format!("/warehouse/rmas/{waiting}/inspect"))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(early.html.contains("authorized"), "{}", early.html);
}

async fn staff_find_returns_from_the_header(app: TestApp) {
    user(&app, "boss", Role::Admin).await;
    user(&app, "bench", Role::Warehouse).await;
    let (customer, number) = app.authorized_rma("S-77", "size_too_small", "refund").await;
    let tracking = app.issue_label(&number, &customer).await;
    let mut boss = Browser::new(&app);
    boss.sign_in("boss", "correct horse battery").await;
    let ops = boss.get("/ops").await;
    assert!(
        ops.html.contains("action=\"/staff/search\""),
        "every staff page has the search box"
    );
    accessible(&ops.html);
    for q in [
        number.to_lowercase(),
        "s77".to_string(),
        "S-77@EXAMPLE.COM".to_string(),
        tracking.clone(),
    ] {
        let found = boss.get(&format!("/staff/search?q={q}")).await;
        assert_eq!(found.status, StatusCode::OK, "{q}: {}", found.html);
        assert!(found.html.contains(&number), "{q}: {}", found.html);
        assert!(found.html.contains("label issued"), "{q}: {}", found.html);
    }
    let none = boss.get("/staff/search?q=nobody%40example.com").await;
    assert!(
        none.html
            .contains("No return matches “nobody@example.com”."),
        "{}",
        none.html
    );
    let empty = boss.get("/staff/search?q=").await;
    assert!(empty.html.contains("Type an RMA number"), "{}", empty.html);
    let markup = boss.get("/staff/search?q=%3Cscript%3E").await;
    assert_eq!(markup.status, StatusCode::OK);
    assert!(
        markup.html.contains("&lt;script&gt;"),
        "escaped: {}",
        markup.html
    );
    assert!(!markup.html.contains("<script>"), "escaped");

    // The warehouse finds a received return and goes on to inspect it.
    app.post(
        "/api/v1/scans",
        &As::Role(Role::Warehouse),
        &serde_json::json!({"barcode": number, "station": "DE-BER/bench-1"}),
    )
    .await;
    let mut bench = Browser::new(&app);
    bench.sign_in("bench", "correct horse battery").await;
    let found = bench.get(&format!("/staff/search?q={tracking}")).await;
    assert!(
        found
            .html
            .contains(&format!("href=\"/warehouse/rmas/{number}/inspect\"")),
        "{}",
        found.html
    );
    // The warehouse needs the box, not the person: emails masked, not searched.
    assert!(found.html.contains("s***@example.com"), "{}", found.html);
    assert!(!found.html.contains("s-77@example.com"));
    let by_email = bench.get("/staff/search?q=s-77%40example.com").await;
    assert!(!by_email.html.contains(&number), "{}", by_email.html);
    assert_eq!(
        Browser::new(&app).get("/staff/search?q=s77").await.status,
        StatusCode::SEE_OTHER,
        "signed-in staff only"
    );
}

/// Both queues a page at a time: the next page starts after the last row shown even
/// when that row has left the queue meanwhile; a cursor that is not one is a
/// readable error.
async fn the_queues_come_a_page_at_a_time(app: TestApp) {
    user(&app, "bench", Role::Warehouse).await;
    let mut numbers = Vec::new();
    let mut last_delivery = app.now();
    for i in 0..3 {
        let (customer, number) = app
            .authorized_rma(&format!("QP-{i}"), "size_too_small", "refund")
            .await;
        let tracking = app.issue_label(&number, &customer).await;
        last_delivery = last_delivery.max(delivered_at(&tracking).expect("delivered"));
        numbers.push(number);
        app.advance(Duration::minutes(1));
    }
    while app.now() < last_delivery + Duration::hours(2) {
        app.advance(Duration::hours(6));
        app.poll().await;
    }
    let mut bench = Browser::new(&app);
    bench.sign_in("bench", "correct horse battery").await;
    let first = bench.get("/warehouse/arriving?warehouse=&limit=2").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.html);
    accessible(&first.html);
    let shown = first.listed(&numbers);
    assert_eq!(shown.len(), 2, "{}", first.html);
    let next = first.next_page().expect("a link to the next page");
    assert!(next.contains("limit=2"), "{next}");
    // The last row shown is scanned before the crew turns the page: it leaves the
    // queue, and the next page still starts after it.
    let left = shown[1].clone();
    assert!(
        next.contains(&left),
        "the cursor holds the last row's place: {next}"
    );
    let scanned = app
        .post(
            "/api/v1/scans",
            &As::Role(Role::Warehouse),
            &serde_json::json!({"barcode": left, "station": "DE-BER/bench-1"}),
        )
        .await;
    assert_eq!(scanned.body["result"], "matched", "{}", scanned.text);
    let second = bench.get(&next).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.html);
    let rest = second.listed(&numbers);
    assert_eq!(rest.len(), 1, "{}", second.html);
    assert!(!shown.contains(&rest[0]), "no row twice");
    assert!(second.next_page().is_none(), "the last page");
    assert!(second.html.contains("First page"));

    // Received in turn: the queue to inspect pages the same way.
    // Odd nanoseconds, as a real clock has: a cursor must not cut them off.
    app.advance(Duration::minutes(1) + Duration::nanoseconds(123_456_789));
    for number in &numbers {
        if *number != left {
            app.post(
                "/api/v1/scans",
                &As::Role(Role::Warehouse),
                &serde_json::json!({"barcode": number, "station": "DE-BER/bench-1"}),
            )
            .await;
        }
        app.advance(Duration::minutes(1));
    }
    let seen: Vec<String> = bench
        .walk("/warehouse/to-inspect?warehouse=&limit=1", &numbers, 5)
        .await
        .concat();
    // The one scanned while paging waits longest.
    let mut expected = vec![left.clone()];
    expected.extend(numbers.iter().filter(|n| **n != left).cloned());
    assert_eq!(seen, expected, "every one once, the longest waiting first");

    let bad = bench.get("/warehouse/to-inspect?after=nope").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.html);
    assert!(bad.html.contains("cursor"), "{}", bad.html);
    let too_many = bench.get("/warehouse/arriving?limit=501").await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert!(too_many.html.contains("limit"), "{}", too_many.html);
}

async fn queue_pages_on(backend: Backend) {
    let app = spawn_app_with_normal_parcels(backend).await;
    the_queues_come_a_page_at_a_time(app).await;
}

#[tokio::test]
async fn the_queues_come_a_page_at_a_time_on_sqlite() {
    queue_pages_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_queues_come_a_page_at_a_time_on_postgres() {
    queue_pages_on(Backend::Postgres).await;
}

async fn queues_on(backend: Backend) {
    let app = spawn_app_with_normal_parcels(backend).await;
    the_warehouse_crew_works_from_its_queues(app).await;
}

#[tokio::test]
async fn the_warehouse_crew_works_from_its_queues_on_sqlite() {
    queues_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_warehouse_crew_works_from_its_queues_on_postgres() {
    queues_on(Backend::Postgres).await;
}

/// Operations list every return: filtered by status, order or RMA number and days, a
/// page at a time, and the same list as CSV.
async fn operations_list_every_return(app: TestApp) {
    user(&app, "boss", Role::Admin).await;
    let (_, first) = app.authorized_rma("L-1", "size_too_small", "refund").await;
    let (_, second) = app.authorized_rma("L-2", "defective", "refund").await;
    app.receive_and_pass(&second).await;
    let mut boss = Browser::new(&app);
    boss.sign_in("boss", "correct horse battery").await;
    let all = boss.get("/ops/rmas").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.html);
    accessible(&all.html);
    assert!(
        all.html.find(&second) < all.html.find(&first),
        "newest first"
    );
    let received = boss.get("/ops/rmas?status=refund_triggered").await;
    assert!(received.html.contains(&second) && !received.html.contains(&first));
    let by_order = boss.get("/ops/rmas?q=l1").await;
    assert!(by_order.html.contains(&first) && !by_order.html.contains(&second));
    let by_number = boss
        .get(&format!("/ops/rmas?q={}", second.to_lowercase()))
        .await;
    assert!(by_number.html.contains(&second) && !by_number.html.contains(&first));
    let none = boss.get("/ops/rmas?q=nothing-here").await;
    assert!(none.html.contains("No return matches these filters."));
    let bad = boss.get("/ops/rmas?status=lost&from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.html
            .contains("from: &quot;yesterday&quot; is not a date"),
        "{}",
        bad.html
    );
    let csv = boss.get("/ops/rmas.csv?status=&q=&from=&to=").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.html.starts_with("rma_number,order_number,status"),
        "{}",
        csv.html
    );
    assert!(
        csv.html
            .contains(&format!("{first},L-1,authorized,refund,")),
        "{}",
        csv.html
    );
    assert_eq!(csv.html.lines().count(), 3);
}

crate::on_both_backends!(
    staff_find_returns_from_the_header,
    operations_list_every_return,
);
