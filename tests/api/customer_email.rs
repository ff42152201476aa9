//! The customer's emails about their return: one per change they care about, several
//! changes within minutes as one, in their country's language, with a link that opens
//! their return page signed in.

use chrono::Duration;
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::StatusCode;

use crate::email::{mail_files, quoted_printable, refund};
use crate::helpers::*;

/// The plain-text part of a message, decoded.
fn plain_text(raw: &str) -> String {
    let unfolded = raw.replace("\r\n", "\n");
    let part = unfolded
        .split("Content-Type: text/plain")
        .nth(1)
        .and_then(|rest| rest.split_once("\n\n"))
        .map(|(_, body)| body.split("\n--").next().unwrap_or(""))
        .expect("a text part");
    quoted_printable(part)
}

/// The path of the link in a message (the host is `email.public_url`'s).
fn link_path(text: &str) -> String {
    let start = text.find("/returns/rmas/").expect("a link to the return");
    text[start..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

async fn customers_hear_of_their_return_once_per_change(app: TestApp) {
    // Authorized and given its label at once: one email, about the label.
    let (customer, number) = app.authorized_rma("CE-1", "size_too_small", "refund").await;
    app.issue_label(&number, &customer).await;
    assert_eq!(app.dispatch().await.sent, 0, "not before two minutes");
    app.advance(Duration::minutes(3));
    let report = app.dispatch().await;
    assert_eq!((report.sent, report.skipped), (1, 1), "{report:?}");
    let mails = mail_files(&app, false);
    assert_eq!(mails.len(), 1);
    let raw = mails[0].replace("\r\n", "\n");
    assert!(raw.contains("Message-ID: <rma-event-"), "{raw}");
    let customer_address = email_of(&eur_order("CE-1"));
    assert!(raw.contains(&format!("To: {customer_address}")), "{raw}");
    // Shipped to Berlin: written in German.
    let text = plain_text(&raw);
    assert!(text.starts_with("Hallo Anna Schmidt,"), "{text}");
    assert!(text.contains("Ihr Rücksendeetikett ist bereit"), "{text}");
    assert!(text.contains(&number), "{text}");

    // The link opens the return page without a look-up, and signs the browser in.
    let link = link_path(&text);
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let opened = browser
        .get(format!("{}{link}", app.address))
        .send()
        .await
        .expect("sent");
    // The link's page signs the browser in and moves on to the address without the
    // token (a page, not a redirect: SameSite=Strict cookies and mail clients).
    assert_eq!(opened.status(), StatusCode::OK);
    assert_eq!(
        opened
            .headers()
            .get("referrer-policy")
            .and_then(|v| v.to_str().ok()),
        Some("same-origin")
    );
    let cookie = opened
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("bh_customer="))
        .and_then(|c| c.split(';').next())
        .expect("the customer's cookie")
        .to_string();
    let bounce = opened.text().await.expect("page");
    assert!(
        bounce.contains(&format!("content=\"0;url=/returns/rmas/{number}\"")),
        "{bounce}"
    );
    assert!(
        !bounce.contains("t=c."),
        "the token stays out of the page: {bounce}"
    );
    let again = browser
        .get(format!("{}/returns/rmas/{number}", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.text().await.expect("page").contains("label.pdf"));
    // The link's sign-in opens this return only: not the order, not a new return.
    let order_page = browser
        .get(format!("{}/returns/order", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(order_page.status(), StatusCode::SEE_OTHER);
    // A forged or altered link opens nothing.
    let forged = browser
        .get(format!("{}{}x", app.address, link))
        .send()
        .await
        .expect("sent");
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        forged.headers().get(LOCATION).and_then(|v| v.to_str().ok()),
        Some("/returns")
    );
    // The link is for this order only.
    let (_, other) = app.authorized_rma("CE-2", "size_too_small", "refund").await;
    let token = link.split("?t=").nth(1).expect("a token");
    let elsewhere = browser
        .get(format!("{}/returns/rmas/{other}?t={token}", app.address))
        .send()
        .await
        .expect("sent");
    assert_eq!(elsewhere.status(), StatusCode::FORBIDDEN);

    // Nothing is sent twice; the next change is the next email.
    app.advance(Duration::hours(1));
    let report = app.dispatch().await;
    assert_eq!(report.sent, 1, "CE-2's label: {report:?}");
    let refunded = refund(&app, "CE-3").await;
    assert!(!refunded.is_empty());
    app.advance(Duration::minutes(3));
    app.dispatch().await;
    let texts: Vec<String> = mail_files(&app, false)
        .iter()
        .map(|m| plain_text(m))
        .collect();
    let about_refund: Vec<&String> = texts
        .iter()
        .filter(|t| t.contains("Erstattung veranlasst") || t.contains("Ihre Erstattung"))
        .collect();
    assert_eq!(about_refund.len(), 1, "{texts:#?}");
    assert!(about_refund[0].contains("98,30 EUR"), "{}", about_refund[0]);
}

async fn customer_emails_can_be_turned_off(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.email.customer_emails = false).await;
    let (customer, number) = app.authorized_rma("CE-9", "size_too_small", "refund").await;
    app.issue_label(&number, &customer).await;
    app.advance(Duration::minutes(3));
    let report = app.dispatch().await;
    assert_eq!((report.sent, report.skipped), (0, 2), "{report:?}");
    assert!(mail_files(&app, false).is_empty());
}

#[tokio::test]
async fn customer_emails_off_on_sqlite() {
    customer_emails_can_be_turned_off(Backend::Sqlite).await;
}

#[tokio::test]
async fn customer_emails_off_on_postgres() {
    customer_emails_can_be_turned_off(Backend::Postgres).await;
}

/// One MIME part of a message, by the start of its content type, decoded (base64 or
/// quoted-printable), with its headers.
fn mime_part(raw: &str, content_type: &str) -> (String, Vec<u8>) {
    use base64::Engine;
    let unfolded = raw.replace("\r\n", "\n");
    let (headers, body) = unfolded
        .split("\n--")
        .filter_map(|part| part.split_once("\n\n"))
        .find(|(headers, _)| headers.contains(&format!("Content-Type: {content_type}")))
        .unwrap_or_else(|| panic!("a {content_type} part in {unfolded}"));
    let body = if headers.contains("Content-Transfer-Encoding: base64") {
        let compact: String = body.split_whitespace().collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .expect("base64")
    } else if headers.contains("quoted-printable") {
        quoted_printable(body).into_bytes()
    } else {
        body.as_bytes().to_vec()
    };
    (headers.to_string(), body)
}

/// The label's email as a customer opens it: from the shop, styled with a button to
/// the return, what goes back, the ship-by date, and the label PDF attached. In English
/// because the shop said English, though the parcel ships from Germany.
async fn the_label_email_brings_the_label(app: TestApp) {
    let mut order = eur_order("CE-7");
    order["customer"]["locale"] = serde_json::json!("en");
    let lines = [("1", 1, "size_too_small"), ("2", 2, "changed_mind")];
    let (customer, number) = app.rma_on(&order, &lines, "refund").await;
    app.issue_label(&number, &customer).await;
    app.advance(Duration::minutes(3));
    assert_eq!(app.dispatch().await.sent, 1);
    let mails = mail_files(&app, false);
    let raw = &mails[0];
    assert!(
        raw.contains("From: \"Demo Shop Returns\" <returns@demo-shop.example>"),
        "{raw}"
    );

    let text = plain_text(raw);
    assert!(text.starts_with("Hello Anna Schmidt,"), "{text}");
    let label = app
        .get(&format!("/api/v1/rmas/{number}"), &customer)
        .await
        .body["label"]
        .clone();
    let expires: chrono::DateTime<chrono::Utc> = label["expires_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("expires_at");
    for expected in [
        // The day in Berlin, where the parcel ships from.
        format!(
            "Send it by: {}",
            expires
                .with_timezone(&chrono_tz::Tz::Europe__Berlin)
                .format("%-d %b %Y")
        ),
        "1 × Rain jacket".to_string(),
        "2 × Organic T-shirt".to_string(),
        "Your return label is attached".to_string(),
        format!("/returns/rmas/{number}?t="),
    ] {
        assert!(text.contains(&expected), "{expected} in {text}");
    }

    let (_, html) = mime_part(raw, "text/html");
    let html = String::from_utf8(html).expect("utf-8");
    assert!(!html.contains("<style"), "styles inline only: {html}");
    assert!(html.contains("Demo Shop Returns"), "the shop atop: {html}");
    assert!(
        html.contains(&format!("/returns/rmas/{number}?t=")) && html.contains("background:#1d4ed8"),
        "a button to the return: {html}"
    );
    assert!(html.contains("Organic T-shirt"), "{html}");
    // Kept to look at in a browser, beside the pages' screenshots.
    let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    if std::fs::create_dir_all(&kept).is_ok() {
        let _ = std::fs::write(kept.join("email-label-en.html"), &html);
    }

    let (headers, pdf) = mime_part(raw, "application/pdf");
    assert!(
        headers.contains(&format!("filename=\"return-label-{number}.pdf\"")),
        "{headers}"
    );
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("label.pdf"), &pdf).expect("written");
    let read = std::process::Command::new("pdftotext")
        .arg(dir.path().join("label.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let read = String::from_utf8_lossy(&read.stdout);
    assert!(read.contains(&number), "the RMA's label: {read}");
}

crate::on_both_backends!(
    customers_hear_of_their_return_once_per_change,
    the_label_email_brings_the_label,
);
