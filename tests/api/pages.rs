//! The staff pages over HTTP, as a browser without JavaScript uses them: sign-in with
//! cookies and CSRF tokens, the scan station, roles, languages, escaping.

use std::collections::HashMap;

use backhaul::domain::Role;
use reqwest::header::{HeaderMap, ACCEPT_LANGUAGE, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

/// A cookie jar and no redirects followed: what a browser would do, step by step.
pub(crate) struct Browser {
    client: reqwest::Client,
    base: String,
    pub(crate) cookies: HashMap<String, String>,
    lang: Option<&'static str>,
}

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) html: String,
}

impl Page {
    pub(crate) fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The CSRF token of the page's first form.
    pub(crate) fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .html
            .find(marker)
            .map(|i| i + marker.len())
            .expect("a csrf field");
        self.html[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// Which of `numbers` the page lists in a cell of their own, in the page's order.
    pub(crate) fn listed(&self, numbers: &[String]) -> Vec<String> {
        let mut at: Vec<(usize, String)> = numbers
            .iter()
            .filter_map(|n| self.html.find(&format!(">{n}<")).map(|i| (i, n.clone())))
            .collect();
        at.sort();
        at.into_iter().map(|(_, n)| n).collect()
    }

    /// The `href` of the page's link to the next page (`rel="next"`), as a browser
    /// would follow it.
    pub(crate) fn next_page(&self) -> Option<String> {
        let end = self.html.find(" rel=\"next\"")?;
        let start = self.html[..end].rfind("href=\"")? + "href=\"".len();
        let href = self.html[start..end].split('"').next()?;
        Some(href.replace("&amp;", "&"))
    }

    pub(crate) fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: app.address.clone(),
            cookies: HashMap::new(),
            lang: None,
        }
    }

    pub(crate) async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let mut request = request;
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(COOKIE, jar.join("; "));
        }
        if let Some(lang) = self.lang {
            request = request.header(ACCEPT_LANGUAGE, lang);
        }
        let response = request.send().await.expect("sent");
        let status = response.status();
        let headers = response.headers().clone();
        for cookie in headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let pair = cookie.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || cookie.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let html = response.text().await.expect("body");
        Page {
            status,
            headers,
            html,
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    /// Follows a list's pages from `path` by their link to the next (at most `pages`
    /// of them): which of `numbers` each page lists, in its order.
    pub(crate) async fn walk(
        &mut self,
        path: &str,
        numbers: &[String],
        pages: usize,
    ) -> Vec<Vec<String>> {
        let mut listed = Vec::new();
        let mut path = path.to_string();
        for _ in 0..pages {
            let page = self.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
            listed.push(page.listed(numbers));
            match page.next_page() {
                Some(next) => path = next,
                None => break,
            }
        }
        listed
    }

    /// The portal's decision on `choices`, asked as the order form asks (a GET).
    pub(crate) async fn quote(&mut self, choices: &[(&str, &str)]) -> Page {
        let asked: Vec<&(&str, &str)> = choices.iter().filter(|(k, _)| *k != "csrf").collect();
        let query = serde_urlencoded::to_string(asked).expect("a query");
        self.get(&format!("/returns/quote?{query}")).await
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let request = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }

    /// Looks `order_number` up by its email as a customer; the portal's form token.
    pub(crate) async fn look_up(&mut self, order_number: &str) -> String {
        let csrf = self.get("/returns").await.csrf();
        let email = format!("{}@example.com", order_number.to_lowercase());
        let found = self
            .post(
                "/returns",
                &[
                    ("order_number", order_number),
                    ("email", &email),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", found.html);
        csrf
    }

    /// A multipart form as a browser sends it: an empty file part when no photo is chosen.
    pub(crate) async fn post_with_photos(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        photos: &[(&str, Vec<u8>)],
    ) -> Page {
        use reqwest::multipart::{Form, Part};
        let mut multipart = Form::new();
        for (name, value) in form {
            multipart = multipart.text(name.to_string(), value.to_string());
        }
        for (file, bytes) in photos {
            multipart = multipart.part(
                "photo",
                Part::bytes(bytes.clone()).file_name(file.to_string()),
            );
        }
        if photos.is_empty() {
            multipart = multipart.part("photo", Part::bytes(Vec::new()).file_name(""));
        }
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(multipart);
        self.send(request).await
    }

    pub(crate) async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        let login = self.get("/login?next=/warehouse/scan").await;
        let csrf = login.csrf();
        self.post(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/warehouse/scan"),
            ],
        )
        .await
    }
}

/// `label_validity_days` in config/policy.toml.
const LABEL_VALIDITY_DAYS: i64 = 30;

pub(crate) async fn user(app: &TestApp, username: &str, role: Role) {
    let (name, now) = (username.to_string(), app.now());
    app.state
        .db
        .write(move |c| {
            backhaul::db::staff::create_user(c, &name, role, "correct horse battery", now)
        })
        .await
        .expect("user created");
}

/// Every visible input has a label, the page a language and a title.
pub(crate) fn accessible(html: &str) {
    assert!(html.contains("<html lang=\""), "lang attribute");
    assert!(html.contains("<title>"), "a title");
    let inputs = html.matches("<input").count() + html.matches("<select").count()
        - html.matches("type=\"hidden\"").count();
    assert_eq!(
        inputs,
        html.matches("<label for=").count(),
        "a label per input: {html}"
    );
}

async fn staff_sign_in_with_csrf_and_roles(app: TestApp) {
    user(&app, "bench", Role::Warehouse).await;
    user(&app, "money", Role::Finance).await;
    let mut browser = Browser::new(&app);
    let away = browser.get("/warehouse/scan").await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    assert_eq!(away.location(), "/login?next=/warehouse/scan");

    let login = browser.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    accessible(&login.html);
    let cookie = login.set_cookie("bh_login_csrf").expect("csrf cookie");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Secure"),
        "{cookie}"
    );

    let forged = browser
        .post(
            "/login",
            &[
                ("username", "bench"),
                ("password", "correct horse battery"),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = browser.sign_in("bench", "wrong password!!").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.html.contains("Wrong username or password."));
    let nobody = browser.sign_in("nobody", "correct horse battery").await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);

    let signed_in = browser.sign_in("bench", "correct horse battery").await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.html
    );
    assert_eq!(signed_in.location(), "/warehouse/scan");
    let session = signed_in.set_cookie("bh_session").expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );

    let station = browser.get("/warehouse/scan").await;
    assert_eq!(station.status, StatusCode::OK, "{}", station.html);
    accessible(&station.html);
    assert!(station.html.contains("autofocus"));

    let signed_out = browser.post("/logout", &[("csrf", &station.csrf())]).await;
    assert_eq!(signed_out.location(), "/login");
    assert_eq!(
        browser.get("/warehouse/scan").await.status,
        StatusCode::SEE_OTHER
    );

    let mut finance = Browser::new(&app);
    finance.sign_in("money", "correct horse battery").await;
    let refused = finance.get("/warehouse/scan").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.html.contains("Your role may not open this page."));
}

async fn the_scan_station_receives_and_escapes(app: TestApp) {
    user(&app, "bench", Role::Warehouse).await;
    let mut order = eur_order("P-1");
    order["lines"][0]["title"] = json!("<script>alert('x')</script> jacket");
    app.delivered_order(&order, 2).await;
    let customer = app.customer_token("P-1", &email_of(&order)).await;
    let rma = app
        .create_rma(
            &customer,
            &return_body("P-1", &[("1", 1, "size_too_small")], "refund"),
        )
        .await;
    let number = rma.body["number"].as_str().expect("number").to_string();

    let mut browser = Browser::new(&app);
    browser.sign_in("bench", "correct horse battery").await;
    let station = browser.get("/warehouse/scan").await;
    let csrf = station.csrf();
    let no_token = browser
        .post(
            "/warehouse/scan",
            &[("barcode", &number), ("station", "DE-BER/bench-4")],
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);

    let scanned = browser
        .post(
            "/warehouse/scan",
            &[
                ("barcode", &format!("{number}\r\n")),
                ("station", "DE-BER/bench-4"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(scanned.status, StatusCode::OK, "{}", scanned.html);
    assert!(scanned.html.contains("data-result=\"matched\""));
    assert!(scanned
        .html
        .contains(&format!("Matched — <span class=\"id\">{number}</span>")));
    assert!(scanned
        .html
        .contains("&lt;script&gt;alert('x')&lt;/script&gt; jacket"));
    assert!(
        !scanned.html.contains("<script>alert"),
        "customer input is escaped"
    );
    assert!(
        scanned.html.contains("value=\"DE-BER/bench-4\""),
        "the station is kept"
    );
    let status = app
        .get(&format!("/api/v1/rmas/{number}"), &As::Role(Role::Admin))
        .await
        .body["status"]
        .clone();
    assert_eq!(status, "received");

    let stranger = browser
        .post(
            "/warehouse/scan",
            &[
                ("barcode", "1Z999AA10123456784"),
                ("station", "DE-BER/bench-4"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert!(stranger.html.contains("data-result=\"unmatched\""));
    assert!(
        stranger.html.contains("1Z999AA10123456784"),
        "in the last scans"
    );
    let empty = browser
        .post(
            "/warehouse/scan",
            &[
                ("barcode", "  "),
                ("station", "DE-BER/bench-4"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.html.contains("Nothing was scanned."));

    // The unmatched box waits on its own page until someone links it to its RMA.
    let marker = "href=\"/warehouse/parcels#p-";
    let start = stranger.html.find(marker).expect("a link to match it") + marker.len();
    let id = stranger.html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string();
    let waiting = browser.get("/warehouse/parcels").await;
    assert_eq!(waiting.status, StatusCode::OK, "{}", waiting.html);
    accessible(&waiting.html);
    assert!(
        waiting.html.contains(&format!("id=\"p-{id}\"")),
        "{}",
        waiting.html
    );
    let (_, other) = app.authorized_rma("P-11", "size_too_small", "refund").await;
    let link = format!("/warehouse/parcels/{id}/link");
    let typo = browser
        .post(&link, &[("rma", "R-NOPE"), ("csrf", &csrf)])
        .await;
    assert_eq!(typo.status, StatusCode::BAD_REQUEST, "{}", typo.html);
    // Beside that box's own form, what was typed kept.
    let section = typo
        .html
        .split(&format!("id=\"p-{id}\""))
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the box's section");
    assert!(section.contains("role=\"alert\""), "{section}");
    assert!(section.contains("value=\"R-NOPE\""), "{section}");
    assert!(section.contains(&format!("aria-describedby=\"rma-{id}-error\"")));
    let linked = browser
        .post(&link, &[("rma", &other.to_lowercase()), ("csrf", &csrf)])
        .await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.html);
    assert!(
        linked.html.contains(&format!("Received — {other}")),
        "{}",
        linked.html
    );
    assert!(
        !linked.html.contains(&format!("id=\"p-{id}\"")),
        "no longer waiting"
    );
    let twice = browser
        .post(&link, &[("rma", &other), ("csrf", &csrf)])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(
        twice.html.contains("role=\"alert\""),
        "said on top: {}",
        twice.html
    );
    let forged = browser.post(&link, &[("rma", &other)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let received = app
        .get(&format!("/api/v1/rmas/{other}"), &As::Role(Role::Admin))
        .await;
    assert_eq!(received.body["status"], "received");
}

async fn pages_speak_the_browsers_language(app: TestApp) {
    user(&app, "bench", Role::Warehouse).await;
    let mut browser = Browser::new(&app);
    browser.lang = Some("de-DE,de;q=0.9,en;q=0.5");
    let login = browser.get("/login").await;
    assert!(login.html.contains("<html lang=\"de\""));
    assert!(login.html.contains("Anmelden"));
    browser.sign_in("bench", "correct horse battery").await;
    let chosen = browser.get("/warehouse/scan?lang=zh").await;
    assert!(chosen.html.contains("<html lang=\"zh\""), "{}", chosen.html);
    assert!(chosen.html.contains("扫描台"));
    let again = browser.get("/warehouse/scan").await;
    assert!(again.html.contains("扫描台"), "the choice is remembered");
    for (code, word) in [
        ("es", "Puesto de escaneo"),
        ("fr", "Poste de scan"),
        ("en", "Scan station"),
    ] {
        let page = browser.get(&format!("/warehouse/scan?lang={code}")).await;
        assert!(page.html.contains(word), "{code}");
    }

    // A German customer reads reasons, resolutions and dates in German.
    let order = eur_order("P-12");
    app.delivered_order(&order, 2).await;
    let mut customer = Browser::new(&app);
    customer.lang = Some("de");
    let csrf = customer.look_up("P-12").await;
    let lines = customer.get("/returns/order").await;
    for words in [
        "zu klein",
        "Gutschrift",
        "Rückgabe bis",
        "wenn beschädigt oder defekt",
    ] {
        assert!(lines.html.contains(words), "{words}: {}", lines.html);
    }
    let decision = customer
        .quote(&[
            ("csrf", csrf.as_str()),
            ("q_1", "1"),
            ("r_1", "size_too_small"),
            ("resolution", "refund"),
        ])
        .await;
    assert_eq!(decision.status, StatusCode::OK, "{}", decision.html);
    for words in [
        "30 Tage Rückgaberecht des Shops",
        "Tage ab Zustellung am",
        "das Rücksendeetikett (5,95 EUR) wird von der Erstattung abgezogen",
    ] {
        assert!(decision.html.contains(words), "{words}: {}", decision.html);
    }
}

async fn an_inspector_passes_a_return_and_finance_sees_it(app: TestApp) {
    user(&app, "bench", Role::Warehouse).await;
    user(&app, "money", Role::Finance).await;
    let (customer, number) = app.authorized_rma("P-2", "size_too_small", "refund").await;
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend_from_slice(b"JFIF customer photo");
    let sent = app
        .send_bytes(
            &format!("/api/v1/rmas/{number}/photos"),
            &customer,
            "image/jpeg",
            jpeg.clone(),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    let mut bench = Browser::new(&app);
    bench.sign_in("bench", "correct horse battery").await;
    scan_at_bench(&mut bench, &number).await;

    let path = format!("/warehouse/rmas/{number}/inspect");
    let form = bench.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    accessible(&form.html);
    // The customer's photo is shown to the inspector, served to signed-in staff only.
    let photo_path = format!(
        "/warehouse/rmas/{number}/photos/{}",
        sent.body["id"].as_str().expect("photo id")
    );
    assert!(form.html.contains(&photo_path), "{}", form.html);
    let photo = bench.get(&photo_path).await;
    assert_eq!(photo.status, StatusCode::OK);
    assert_eq!(
        photo
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/jpeg")
    );
    assert_eq!(
        photo
            .headers
            .get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    assert_ne!(
        Browser::new(&app).get(&photo_path).await.status,
        StatusCode::OK
    );
    let csrf = form.csrf();
    let fields = [
        ("csrf", csrf.as_str()),
        ("q_1", "1"),
        ("c_1", "like_new"),
        ("d_1", "restock"),
        ("n_1", "tags still on"),
    ];
    let bad = bench
        .post(
            &path,
            &[
                ("csrf", csrf.as_str()),
                ("q_1", "many"),
                ("c_1", "new"),
                ("d_1", "restock"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.html);
    assert!(
        bad.html.contains("value=\"many\""),
        "what was typed is kept"
    );
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(b"torn seam");
    let inspected = bench
        .post_with_photos(&path, &fields, &[("seam.png", png)])
        .await;
    assert_eq!(inspected.status, StatusCode::OK, "{}", inspected.html);
    assert!(inspected.html.contains("passed"));
    assert!(inspected.html.contains("104.25 EUR"), "{}", inspected.html);
    let again = bench.post(&path, &fields).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let rma = app
        .get(
            &format!("/api/v1/rmas/{number}"),
            &As::Role(Role::Integration),
        )
        .await;
    let taken_by: Vec<&str> = rma.body["photos"]
        .as_array()
        .expect("photos")
        .iter()
        .filter_map(|p| p["taken_by"].as_str())
        .collect();
    assert_eq!(taken_by, ["customer:P-2", "warehouse:bench"]);
    let forbidden = bench.get("/finance/refunds").await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert!(
        forbidden
            .html
            .contains(r#"<a href="/warehouse/scan">Go to your page</a>"#),
        "a way forward: {}",
        forbidden.html
    );

    let mut finance = Browser::new(&app);
    finance.sign_in("money", "correct horse battery").await;
    let list = finance.get("/finance/refunds?status=pending").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    accessible(&list.html);
    assert!(
        list.html.contains("href=\"/finance/refunds\"")
            && !list.html.contains("href=\"/ops\"")
            && !list.html.contains("href=\"/warehouse/scan\""),
        "the header links to this role's pages only: {}",
        list.html
    );
    assert!(
        list.html.contains("P-2") && list.html.contains("104.25 EUR"),
        "{}",
        list.html
    );
    let marker = "data-refund=\"";
    let start = list
        .html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("a refund row");
    let id = list.html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(list.html.contains("Anna Schmidt"), "the customer column");
    assert!(list.html.contains("Totals for these filters"));
    let acknowledge = format!("/finance/refunds/{id}/acknowledge");
    let acknowledged = finance.post(&acknowledge, &[("csrf", &list.csrf())]).await;
    assert_eq!(acknowledged.status, StatusCode::SEE_OTHER);
    let after = finance.get("/finance/refunds?status=acknowledged").await;
    assert!(after.html.contains(&id));
    let csv = finance.get("/finance/refunds.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv
        .html
        .starts_with("refund_trigger_id,created_at,order_number"));
    assert!(
        csv.html
            .lines()
            .next()
            .is_some_and(|h| h.trim_end().ends_with(",bonus,resolution,action")),
        "{}",
        csv.html
    );
    // No bonus; a refund, and what finance does: refund it.
    assert!(
        csv.html
            .lines()
            .any(|l| l.trim_end().ends_with(",,refund,refund")),
        "{}",
        csv.html
    );
    assert!(csv.html.contains(&format!("{id},")), "{}", csv.html);
    assert!(
        csv.html
            .contains(",104.25,EUR,original_payment,acknowledged,"),
        "{}",
        csv.html
    );
    let filtered = finance.get("/finance/refunds?currency=USD").await;
    assert!(!filtered.html.contains(&id), "another currency");
    let by_order = finance.get("/finance/refunds?q=P-2&status=").await;
    assert!(by_order.html.contains(&id), "{}", by_order.html);
    let backwards = finance
        .get("/finance/refunds?from=2026-11-20&to=2026-11-10")
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = finance.get("/finance/refunds?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.html
            .contains("from: &quot;yesterday&quot; is not a date"),
        "{}",
        bad.html
    );
    let twice = finance.post(&acknowledge, &[("csrf", &list.csrf())]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    // Money and dates the way German writes them.
    let german = finance.get("/finance/refunds?lang=de").await;
    assert!(german.html.contains("104,25 EUR"), "{}", german.html);
    assert!(german.html.contains("20.11.2026"), "{}", german.html);
}

async fn a_customer_returns_through_the_portal_to_a_pdf_label(app: TestApp) {
    let order = eur_order("P-3");
    app.delivered_order(&order, 2).await;
    let mut browser = Browser::new(&app);
    assert_eq!(browser.get("/returns/order").await.location(), "/returns");
    let lookup = browser.get("/returns").await;
    assert_eq!(lookup.status, StatusCode::OK);
    accessible(&lookup.html);
    let csrf = lookup.csrf();
    let forged = browser
        .post(
            "/returns",
            &[
                ("order_number", "P-3"),
                ("email", &email_of(&order)),
                ("csrf", "x"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = browser
        .post(
            "/returns",
            &[
                ("order_number", "P-3"),
                ("email", "someone@else.example"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let unknown = browser
        .post(
            "/returns",
            &[
                ("order_number", "NOPE-1"),
                ("email", &email_of(&order)),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // The same form again, with what was typed.
    assert!(
        unknown.html.contains(r#"value="NOPE-1""#),
        "{}",
        unknown.html
    );
    assert!(unknown.html.contains(r#"action="/returns""#));
    assert_eq!(wrong.html.matches("No order matches").count(), 1);
    assert!(unknown.html.contains("No order matches"), "the same answer");
    let found = browser
        .post(
            "/returns",
            &[
                ("order_number", "P-3"),
                ("email", "p-3@example.com"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", found.html);
    assert_eq!(found.location(), "/returns/order");

    let lines = browser.get("/returns/order").await;
    assert_eq!(lines.status, StatusCode::OK, "{}", lines.html);
    accessible(&lines.html);
    assert!(lines.html.contains("JKT-RAIN-M"));
    // Delivered two days ago: 30 days for any reason, 365 when the item is faulty.
    let day = |days: i64| {
        (app.now() + chrono::Duration::days(days))
            .format("%-d %b %Y")
            .to_string()
    };
    assert!(lines.html.contains("Returnable until"));
    assert!(lines.html.contains(&day(28)), "{}", lines.html);
    assert!(lines
        .html
        .contains(&format!("if damaged or defective: {}", day(363))));
    let choices = [
        ("csrf", csrf.as_str()),
        ("q_1", "1"),
        ("r_1", "size_too_small"),
        ("q_2", "0"),
        ("r_2", "other"),
        ("q_3", "0"),
        ("r_3", "other"),
        ("resolution", "refund"),
    ];
    let mut no_reason = choices;
    no_reason[2] = ("r_1", "");
    // A problem shows on the same form, beside its field, with the choices kept.
    let unexplained = browser.quote(&no_reason).await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unexplained
            .html
            .contains("Choose why Rain jacket goes back."),
        "{}",
        unexplained.html
    );
    assert!(unexplained.html.contains(r#"action="/returns/quote""#));
    assert!(unexplained.html.contains(r#"aria-describedby="r_1_error""#));
    assert!(unexplained
        .html
        .contains(r#"<option value="1" selected>1</option>"#));
    accessible(&unexplained.html);
    let mut nothing = choices;
    nothing[1] = ("q_1", "0");
    browser.lang = Some("de");
    let empty = browser.quote(&nothing).await;
    browser.lang = None;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .html
            .contains("Wählen Sie bei mindestens einem Artikel"),
        "{}",
        empty.html
    );
    assert!(empty.html.contains(r#"action="/returns/quote""#));
    let decision = browser.quote(&choices).await;
    assert_eq!(decision.status, StatusCode::OK, "{}", decision.html);
    assert!(decision.html.contains("Your return can go ahead."));
    assert!(!decision.html.contains("authorized"), "no internal words");
    // The decision is a page of its own: the language links and the way back keep
    // the choices, and a form sent the old way (POST) is led to it.
    let sent = "q_1=1&r_1=size_too_small&q_2=0&r_2=other&q_3=0&r_3=other&resolution=refund";
    let sorted = "q_1=1&q_2=0&q_3=0&r_1=size_too_small&r_2=other&r_3=other&resolution=refund";
    let in_html = |q: &str| q.replace('&', "&amp;");
    let german_link = format!("href=\"?{}&amp;lang=de\"", in_html(sent));
    assert!(decision.html.contains(&german_link), "{}", decision.html);
    let german = browser.get(&format!("/returns/quote?{sent}&lang=de")).await;
    assert_eq!(german.status, StatusCode::OK, "{}", german.html);
    assert!(german.html.contains("98,30 EUR"), "{}", german.html);
    // Worked out from the jacket's price and tax down, less the label the customer pays.
    for part in [
        "Berechnung",
        "Rain jacket × 1",
        "89,90 EUR",
        "14,35 EUR",
        "104,25 EUR",
        "−5,95 EUR",
    ] {
        assert!(german.html.contains(part), "{part} in {}", german.html);
    }
    assert!(
        !german.html.contains("Wiedereinlagerungsgebühr"),
        "no fee, no column"
    );
    assert!(german.html.contains("aria-current=\"true\">Deutsch"));
    browser.get("/returns?lang=en").await;
    let back_link = format!("href=\"/returns/order?{}\"", in_html(sorted));
    assert!(decision.html.contains(&back_link), "{}", decision.html);
    let back = browser.get(&format!("/returns/order?{sorted}")).await;
    assert!(back
        .html
        .contains(r#"<option value="size_too_small" selected>"#));
    let posted = browser.post("/returns/quote", &choices).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert_eq!(posted.location(), format!("/returns/quote?{sent}"));
    assert!(
        decision.html.contains("returnable until"),
        "the rules in words"
    );
    assert!(decision.html.contains("98.30 EUR"), "{}", decision.html);
    let confirmed = browser.post("/returns/confirm", &choices).await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.html
    );
    let status_path = confirmed.location().to_string();
    assert!(status_path.starts_with("/returns/rmas/R-"));
    let status = browser.get(&status_path).await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.html);
    assert!(status.html.contains("label issued"));
    assert!(status.html.contains("label.pdf"));
    assert!(
        status
            .html
            .contains("<figure class=\"qr\"><svg role=\"img\""),
        "the QR code inline: {}",
        status.html
    );
    let pdf = browser.get(&format!("{status_path}/label.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert!(pdf.html.starts_with("%PDF"));
    // The label on A4 or Letter paper, and the packing slip, from the same page.
    for link in [
        "/label.pdf?format=pdf_a4",
        "/label.pdf?format=pdf_letter",
        "/packing-slip.pdf",
    ] {
        let href = format!("{status_path}{link}").replace('&', "&amp;");
        assert!(status.html.contains(&href), "{href} in {}", status.html);
        let pdf = browser.get(&format!("{status_path}{link}")).await;
        assert_eq!(pdf.status, StatusCode::OK, "{link}");
        assert!(pdf.html.starts_with("%PDF"), "{link}");
    }
    // Another order's RMA is not this customer's.
    let (_, other) = app.authorized_rma("P-4", "size_too_small", "refund").await;
    assert_eq!(
        browser.get(&format!("/returns/rmas/{other}")).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn operations_see_incidents_and_charts(app: TestApp) {
    use backhaul_carriers::sandbox::{tracking_number, Scenario};
    user(&app, "boss", Role::Admin).await;
    user(&app, "bench", Role::Warehouse).await;
    app.create_order(&eur_order("P-5")).await;
    app.authorized_rma("P-6", "defective", "refund").await;
    let tracking = tracking_number(Scenario::Damaged, app.now(), "P-5");
    let shipped = app
        .post(
            "/api/v1/orders/P-5/shipments",
            &As::Role(Role::Integration),
            &json!({"carrier": "sandbox", "tracking_number": tracking, "shipped_at": app.now().to_rfc3339()}),
        )
        .await;
    assert_eq!(shipped.status, StatusCode::CREATED, "{}", shipped.text);
    for _ in 0..100 {
        app.advance(chrono::Duration::hours(1));
        app.poll().await;
    }
    let mut boss = Browser::new(&app);
    boss.sign_in("boss", "correct horse battery").await;
    let ops = boss.get("/ops").await;
    assert_eq!(ops.status, StatusCode::OK, "{}", ops.html);
    accessible(&ops.html);
    assert!(
        ops.html.contains("damaged") && ops.html.contains("P-5"),
        "{}",
        ops.html
    );
    assert!(ops.html.matches("<svg").count() >= 5, "charts");
    assert!(ops.html.contains("defective"), "return reasons");
    assert!(ops.html.contains("Return rate"));
    // Counts are whole numbers; each way to resolve asks only what it needs.
    assert!(!ops.html.contains(">1.0 <"), "{}", ops.html);
    assert!(ops.html.contains("<details class=\"resolve\">"));
    assert!(
        ops.html.contains("name=\"tracking_number\""),
        "reship asks for the replacement"
    );
    accessible(&ops.html);
    let marker = "action=\"/ops/incidents/";
    let start = ops
        .html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("a resolve form");
    let id = ops.html[start..]
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let path = format!("/ops/incidents/{id}/resolve");
    let csrf = ops.csrf();
    let missing = boss
        .post(
            &path,
            &[
                ("csrf", csrf.as_str()),
                ("action", "claim"),
                ("note", "filed"),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.html.contains("claim_reference"));
    // The same page, the incident's forms open with the reason beside them.
    assert!(
        missing.html.contains("<details class=\"resolve\" open>"),
        "{}",
        missing.html
    );
    assert!(missing.html.contains("Please check the form:"));
    let claimed = boss
        .post(
            &path,
            &[
                ("csrf", csrf.as_str()),
                ("action", "claim"),
                ("note", "filed"),
                ("claim_reference", "CLM-1"),
            ],
        )
        .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.html);
    assert_eq!(claimed.location(), "/ops?done=resolved");
    let told = boss.get(claimed.location()).await;
    assert!(told.html.contains("Incident resolved."), "{}", told.html);
    let after = boss.get("/ops?lang=de").await;
    assert!(
        !after.html.contains(&id),
        "resolved incidents leave the list"
    );
    assert!(
        after.html.contains("defekt"),
        "reasons in words: {}",
        after.html
    );
    let mut bench = Browser::new(&app);
    bench.sign_in("bench", "correct horse battery").await;
    assert_eq!(bench.get("/ops").await.status, StatusCode::FORBIDDEN);
}

async fn damage_claims_need_photos_checked_by_their_bytes(app: TestApp) {
    let order = eur_order("P-7");
    app.delivered_order(&order, 2).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.look_up("P-7").await;
    let choices = [
        ("csrf", csrf.as_str()),
        ("q_1", "1"),
        ("r_1", "damaged"),
        ("resolution", "refund"),
    ];
    let decision = browser.quote(&choices).await;
    assert!(decision.html.contains("type=\"file\""), "{}", decision.html);
    accessible(&decision.html);
    let none = browser
        .post_with_photos("/returns/confirm", &choices, &[])
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST, "{}", none.html);
    assert!(none.html.contains("photos of the item are required"));
    let gif = browser
        .post_with_photos(
            "/returns/confirm",
            &choices,
            &[("scratch.jpg", b"GIF89a-pretending".to_vec())],
        )
        .await;
    assert_eq!(gif.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(gif.html.contains("not a photo"));
    let rmas = app
        .get(
            "/api/v1/rmas?order_number=P-7",
            &As::Role(Role::Integration),
        )
        .await;
    assert_eq!(
        rmas.body["items"].as_array().map(Vec::len),
        Some(0),
        "nothing half-written"
    );
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    let ok = browser
        .post_with_photos("/returns/confirm", &choices, &[("dent.png", png)])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.html);
    let number = ok
        .location()
        .trim_start_matches("/returns/rmas/")
        .to_string();
    let rma = app
        .get(
            &format!("/api/v1/rmas/{number}"),
            &As::Role(Role::Integration),
        )
        .await;
    let photos = rma.body["photos"].as_array().expect("photos");
    assert_eq!(photos.len(), 1, "{}", rma.text);
    assert_eq!(photos[0]["content_type"], "image/png");
    assert_eq!(photos[0]["taken_by"], "customer:P-7");
    let status = browser.get(&format!("/returns/rmas/{number}")).await;
    assert!(status.html.contains("Photos sent: 1"), "{}", status.html);
}

/// A return approved without its label (over the API, or after a review) gets the label
/// from its status page.
async fn an_approved_return_gets_its_label_from_its_page(app: TestApp) {
    let (_, number) = app.authorized_rma("P-13", "size_too_small", "refund").await;
    let mut browser = Browser::new(&app);
    let csrf = browser.look_up("P-13").await;
    let path = format!("/returns/rmas/{number}");
    let page = browser.get(&path).await;
    assert!(
        page.html.contains(&format!("action=\"{path}/label\"")),
        "{}",
        page.html
    );
    assert!(!page.html.contains("label.pdf"));
    let forged = browser
        .post(&format!("{path}/label"), &[("csrf", "x")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let bought = browser
        .post(&format!("{path}/label"), &[("csrf", &csrf)])
        .await;
    assert_eq!(bought.status, StatusCode::SEE_OTHER, "{}", bought.html);
    let page = browser.get(&path).await;
    assert!(page.html.contains("label.pdf"), "{}", page.html);
    assert!(!page.html.contains(&format!("action=\"{path}/label\"")));
}

async fn admins_review_returns_sent_to_a_person(app: TestApp) {
    user(&app, "boss", Role::Admin).await;
    user(&app, "bench", Role::Warehouse).await;
    let mut order = eur_order("P-14");
    order["lines"][2]["unit_price"] = json!("2499.00");
    app.delivered_order(&order, 2).await;
    let token = app.customer_token("P-14", &email_of(&order)).await;
    let rma = app
        .create_rma(
            &token,
            &return_body("P-14", &[("1", 1, "size_too_small")], "refund"),
        )
        .await;
    assert_eq!(rma.body["status"], "requested", "{}", rma.text);
    let number = rma.body["number"].as_str().expect("number").to_string();

    let mut boss = Browser::new(&app);
    boss.sign_in("boss", "correct horse battery").await;
    let ops = boss.get("/ops").await;
    assert_eq!(ops.status, StatusCode::OK, "{}", ops.html);
    accessible(&ops.html);
    assert!(
        ops.html.contains(&format!("id=\"review-{number}\"")),
        "{}",
        ops.html
    );
    assert!(ops
        .html
        .contains("orders over 2,000.00 EUR are reviewed by a person"));
    // What a person needs to decide: the items and reasons, the customer's history.
    for words in [
        "JKT-RAIN-M Rain jacket × 1: <strong>size too small</strong>",
        "Returns by this customer in 365 days: 1",
    ] {
        assert!(ops.html.contains(words), "{words}: {}", ops.html);
    }
    let path = format!("/ops/rmas/{number}/review");
    let csrf = ops.csrf();
    let unsure = boss
        .post(&path, &[("csrf", &csrf), ("decision", "maybe")])
        .await;
    assert_eq!(unsure.status, StatusCode::BAD_REQUEST);
    let mut bench = Browser::new(&app);
    bench.sign_in("bench", "correct horse battery").await;
    let csrf_bench = bench.get("/warehouse/scan").await.csrf();
    let not_theirs = bench
        .post(&path, &[("csrf", &csrf_bench), ("decision", "authorize")])
        .await;
    assert_eq!(not_theirs.status, StatusCode::FORBIDDEN);
    // The note is checked as the API checks it: too long is refused, not cut short.
    let long = "x".repeat(2001);
    let too_long = boss
        .post(
            &path,
            &[("csrf", &csrf), ("decision", "authorize"), ("note", &long)],
        )
        .await;
    assert_eq!(
        too_long.status,
        StatusCode::BAD_REQUEST,
        "{}",
        too_long.html
    );
    assert!(too_long.html.contains("at most 2000 characters"));
    // Refused on the same page: the reason inside the return's card, before its form.
    let card = too_long
        .html
        .find(&format!("id=\"review-{number}\""))
        .expect("the card");
    let reason = too_long
        .html
        .find("at most 2000 characters")
        .expect("the reason");
    assert!(card < reason, "{}", too_long.html);
    let approved = boss
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("decision", "authorize"),
                ("note", "long-standing customer"),
            ],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.html);
    assert_eq!(approved.location(), "/ops?done=approved");
    let events = app
        .get(
            &format!("/api/v1/rmas/{number}/events"),
            &As::Role(Role::Admin),
        )
        .await
        .body;
    let last = events["items"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["to"], "authorized", "{events}");
    assert_eq!(last["note"], "long-standing customer");
    assert!(last["actor"].as_str().is_some_and(|a| a.ends_with(":boss")));
    let again = boss
        .post(&path, &[("csrf", &csrf), ("decision", "reject")])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.html);
    assert!(!boss
        .get("/ops")
        .await
        .html
        .contains(&format!("id=\"review-{number}\"")));
}

/// The short addresses people type lead to a page, not a JSON 404.
async fn short_addresses_lead_to_their_pages(app: TestApp) {
    user(&app, "money", Role::Finance).await;
    let mut browser = Browser::new(&app);
    for (path, to) in [
        ("/", "/returns"),
        ("/returns/", "/returns"),
        ("/warehouse", "/login?next=/warehouse"),
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location(), to, "{path}");
    }
    // An address nobody serves is a page for people, a problem for programs.
    let nowhere = browser.get("/retuns").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert!(nowhere.headers[CONTENT_TYPE]
        .to_str()
        .unwrap_or("")
        .starts_with("text/html"));
    assert!(
        nowhere.html.contains(r#"href="/returns""#),
        "{}",
        nowhere.html
    );
    accessible(&nowhere.html);
    browser.lang = Some("de");
    assert!(browser
        .get("/retuns")
        .await
        .html
        .contains("Bestellung finden"));
    browser.lang = None;
    let api = browser.get("/api/v1/nowhere").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(api.headers[CONTENT_TYPE]
        .to_str()
        .unwrap_or("")
        .starts_with("application/problem+json"));

    browser.sign_in("money", "correct horse battery").await;
    assert_eq!(
        browser.get("/warehouse").await.location(),
        "/finance/refunds"
    );
    assert_eq!(
        browser.get("/warehouse/").await.location(),
        "/finance/refunds"
    );
}

/// The status page follows the return: its steps with the day each was reached, what
/// happens next, the label and QR code only while the parcel is to be handed over,
/// and the refund once there is one.
async fn the_status_page_follows_the_return(app: TestApp) {
    let (customer, number) = app.authorized_rma("P-21", "size_too_small", "refund").await;
    app.issue_label(&number, &customer).await;
    let mut browser = Browser::new(&app);
    browser.look_up("P-21").await;
    let path = format!("/returns/rmas/{number}");
    let labelled = browser.get(&path).await;
    assert_eq!(labelled.status, StatusCode::OK, "{}", labelled.html);
    accessible(&labelled.html);
    assert!(
        labelled.html.contains(r#"<ol class="steps""#),
        "{}",
        labelled.html
    );
    assert!(
        labelled
            .html
            .contains(r#"<li class="done" aria-current="step">Label"#),
        "{}",
        labelled.html
    );
    assert!(labelled
        .html
        .contains("this page follows it on its way to us"));
    assert!(labelled.html.contains("label.pdf") && labelled.html.contains(r#"class="qr""#));
    // By when, and where to: the label's last day and the warehouse's address.
    let by = app.now() + chrono::Duration::days(LABEL_VALIDITY_DAYS);
    let by_words = format!("Send it by: {}", by.format("%-d %b %Y"));
    assert!(
        labelled.html.contains(&by_words),
        "{by_words}: {}",
        labelled.html
    );
    assert!(labelled
        .html
        .contains("Berlin returns centre<br>Am Borsigturm 100"));
    // After a look-up, the order's returns are listed with their status and page.
    let order = browser.get("/returns/order").await;
    assert!(
        order
            .html
            .contains(&format!("href=\"/returns/rmas/{number}\"")),
        "{}",
        order.html
    );
    assert!(order.html.contains("Your returns for this order"));
    assert!(order.html.contains("label issued"));

    let inspected = app.receive_and_pass(&number).await;
    let amount = inspected["refund"]["amount"]
        .as_str()
        .expect("amount")
        .to_string();

    let refunded = browser.get(&path).await;
    assert!(
        refunded
            .html
            .contains(r#"<li class="done" aria-current="step">Refunded"#),
        "{}",
        refunded.html
    );
    assert!(refunded.html.contains("Your refund is on its way"));
    assert!(
        refunded.html.contains(&amount),
        "the refund's amount: {}",
        refunded.html
    );
    assert!(
        !refunded.html.contains("label.pdf"),
        "no label once it has done its job"
    );
    assert!(!refunded.html.contains(r#"class="qr""#));
    accessible(&refunded.html);
}

/// Times on a customer's pages are in their zone: the browser's (the cookie the
/// page's script sets), else their shipping address's; the day a return window ends
/// too.
async fn customers_read_times_in_their_own_zone(app: TestApp) {
    let (_, number) = app.authorized_rma("P-TZ", "size_too_small", "refund").await;
    let mut browser = Browser::new(&app);
    browser.look_up("P-TZ").await;
    let path = format!("/returns/rmas/{number}");
    let created: chrono::DateTime<chrono::Utc> = app
        .get(
            &format!("/api/v1/rmas/{number}"),
            &As::Role(Role::Integration),
        )
        .await
        .body["created_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("created_at");

    // Shipped to Berlin, no cookie yet: Berlin's time.
    let berlin = created.with_timezone(&chrono_tz::Tz::Europe__Berlin);
    let page = browser.get(&path).await;
    let shown = berlin.format("%H:%M %Z").to_string();
    assert!(page.html.contains(&shown), "{shown} in {}", page.html);
    assert!(!page.html.contains(" UTC"), "{}", page.html);
    assert!(
        page.html
            .contains("Intl.DateTimeFormat().resolvedOptions().timeZone"),
        "the page asks the browser for its zone"
    );

    // The browser says Shanghai.
    browser
        .cookies
        .insert("tz".into(), "Asia%2FShanghai".into());
    let shanghai = created.with_timezone(&chrono_tz::Tz::Asia__Shanghai);
    let page = browser.get(&path).await;
    let shown = shanghai.format("%H:%M CST").to_string();
    assert!(page.html.contains(&shown), "{shown} in {}", page.html);

    // A zone that is none: the address's again, nothing breaks.
    browser.cookies.insert("tz".into(), "Mars%2FOlympus".into());
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains(&berlin.format("%H:%M %Z").to_string()));
}

/// Scans `number`'s box at the Berlin bench, as the scan page's form sends it.
async fn scan_at_bench(bench: &mut Browser, number: &str) {
    let station = bench.get("/warehouse/scan").await;
    bench
        .post(
            "/warehouse/scan",
            &[
                ("barcode", number),
                ("station", "DE-BER/bench-1"),
                ("csrf", &station.csrf()),
            ],
        )
        .await;
}

/// The inspection's result says how the refund was worked out in the page's language:
/// the item by name, the restocking fee with its currency.
async fn the_inspection_result_explains_the_refund_in_words(app: TestApp) {
    let (_, number) = app.authorized_rma("P-ST", "changed_mind", "refund").await;
    user(&app, "bench", Role::Warehouse).await;
    let mut bench = Browser::new(&app);
    bench.lang = Some("de");
    bench.sign_in("bench", "correct horse battery").await;
    scan_at_bench(&mut bench, &number).await;
    let path = format!("/warehouse/rmas/{number}/inspect");
    let csrf = bench.get(&path).await.csrf();
    let fields = [
        ("csrf", csrf.as_str()),
        ("q_1", "1"),
        ("c_1", "new"),
        ("d_1", "restock"),
    ];
    let inspected = bench.post(&path, &fields).await;
    assert_eq!(inspected.status, StatusCode::OK, "{}", inspected.html);
    for said in [
        "JKT-RAIN-M Rain jacket: Wiedereinlagerungsgebühr 10 % (",
        "): 8,99 EUR",
        "95,26 EUR",
    ] {
        assert!(
            inspected.html.contains(said),
            "{said} in {}",
            inspected.html
        );
    }
    assert!(!inspected.html.contains("changed_mind"), "no codes");
}

/// The same confirmation sent twice (Back, then Confirm again; a double click) opens
/// the return it made; a fresh decision page confirms a new one.
async fn a_confirmation_sent_twice_makes_one_return(app: TestApp) {
    let order = eur_order("P-9");
    app.delivered_order(&order, 2).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.look_up("P-9").await;
    let mut choices = vec![
        ("csrf", csrf.clone()),
        ("q_2", "1".to_string()),
        ("r_2", "size_too_small".to_string()),
        ("resolution", "refund".to_string()),
    ];
    let submission = |html: &str| {
        let marker = "name=\"submission\" value=\"";
        let start = html
            .find(marker)
            .map(|i| i + marker.len())
            .expect("a submission field");
        html[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let pairs: Vec<(&str, &str)> = choices.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let decision = browser.quote(&pairs).await;
    choices.push(("submission", submission(&decision.html)));
    let pairs: Vec<(&str, &str)> = choices.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = browser
        .post_with_photos("/returns/confirm", &pairs, &[])
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.html);
    let again = browser
        .post_with_photos("/returns/confirm", &pairs, &[])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.html);
    assert_eq!(again.location(), first.location(), "the same return");
    let listed = app
        .get(
            "/api/v1/rmas?order_number=P-9",
            &As::Role(Role::Integration),
        )
        .await;
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.text
    );

    // The other shirt, from a new decision page: a second return.
    let pairs: Vec<(&str, &str)> = choices[..4].iter().map(|(k, v)| (*k, v.as_str())).collect();
    let decision = browser.quote(&pairs).await;
    let fresh = submission(&decision.html);
    let mut form = pairs.clone();
    form.push(("submission", fresh.as_str()));
    let second = browser
        .post_with_photos("/returns/confirm", &form, &[])
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.html);
    assert_ne!(second.location(), first.location());
}

crate::on_both_backends!(
    a_confirmation_sent_twice_makes_one_return,
    the_inspection_result_explains_the_refund_in_words,
    customers_read_times_in_their_own_zone,
    the_status_page_follows_the_return,
    short_addresses_lead_to_their_pages,
    admins_review_returns_sent_to_a_person,
    an_approved_return_gets_its_label_from_its_page,
    damage_claims_need_photos_checked_by_their_bytes,
    operations_see_incidents_and_charts,
    a_customer_returns_through_the_portal_to_a_pdf_label,
    an_inspector_passes_a_return_and_finance_sees_it,
    staff_sign_in_with_csrf_and_roles,
    the_scan_station_receives_and_escapes,
    pages_speak_the_browsers_language,
);
