//! Finance email from the outbox: one message per refund trigger, as an .eml file and
//! over real SMTP to a test sink; retries with backoff, then a dead letter; two
//! dispatchers at once still send one message.

use backhaul::domain::Role;
use chrono::Duration;
use serde_json::Value;

use crate::helpers::*;
use crate::smtp_sink::SmtpSink;

const FINANCE: As = As::Role(Role::Finance);

/// A received, inspected (passed) return on `order`; the refund trigger id.
pub async fn refund(app: &TestApp, order: &str) -> String {
    let (customer, number) = app.authorized_rma(order, "size_too_small", "refund").await;
    app.issue_label(&number, &customer).await;
    let inspected = app.receive_and_pass(&number).await;
    inspected["refund"]["id"]
        .as_str()
        .expect("trigger")
        .to_string()
}

async fn trigger(app: &TestApp, id: &str) -> Value {
    let all = app.get("/api/v1/refunds", &FINANCE).await.body;
    all["items"]
        .as_array()
        .and_then(|items| items.iter().find(|t| t["id"] == id).cloned())
        .unwrap_or(Value::Null)
}

/// The messages written to the mail folder: to finance, or to customers.
pub fn mail_files(app: &TestApp, to_finance: bool) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(app.mail_dir())
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .filter(|m| m.contains("X-Backhaul-Refund-Trigger") == to_finance)
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn eml_files(app: &TestApp) -> Vec<String> {
    mail_files(app, true)
}

/// Decodes a quoted-printable body (RFC 2045): soft line breaks and `=XX` bytes.
pub fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The CSV attached to an email (line ends unfolded), decoded.
fn csv_part(unfolded: &str) -> String {
    unfolded
        .split("Content-Type: text/csv")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").nth(1))
        .and_then(|body| body.split("\n--").next())
        .map(quoted_printable)
        .expect("a CSV part")
}

/// The email finance got about trigger `id`, decoded, and its CSV.
pub fn finance_email(app: &TestApp, id: &str) -> (String, String) {
    let raw = mail_files(app, true)
        .into_iter()
        .find(|m| m.contains(id))
        .expect("finance was emailed")
        .replace("\r\n", "\n");
    (quoted_printable(&raw), csv_part(&raw))
}

/// The email as finance reads it: headers, both bodies, the CSV.
fn check_email(raw: &str, id: &str) {
    let unfolded = raw.replace("\r\n", "\n");
    for needle in [
        format!("Message-ID: <refund-{id}@demo-shop.example>"),
        format!("X-Backhaul-Refund-Trigger: {id}"),
        "To: Finance <finance@example.com>".to_string(),
        "Content-Type: text/plain".to_string(),
        "Content-Type: text/html".to_string(),
        "Content-Type: text/csv".to_string(),
        format!("refund-{id}.csv\""),
        format!("Idempotency key  {id}"),
    ] {
        assert!(unfolded.contains(&needle), "{needle} in\n{unfolded}");
    }
    assert!(
        unfolded.contains("Subject: Refund R-") && unfolded.contains("98.30 EUR (order "),
        "{unfolded}"
    );
    // A link to the trigger's row on the finance page, filtered to its return.
    let decoded = quoted_printable(&unfolded);
    assert!(
        decoded.contains("/finance/refunds?q=R-") && decoded.contains(&format!("#refund-{id}")),
        "{decoded}"
    );
    let csv = csv_part(&unfolded);
    assert!(
        csv.starts_with("refund_trigger_id,order_number,rma_number,line_id"),
        "{csv}"
    );
    assert!(csv.contains("JKT-RAIN-M"), "{csv}");
    assert!(csv.contains(",104.25,EUR,"), "the line's refund: {csv}");
    assert!(
        csv.contains(",total,,,,,,,,98.30,EUR,"),
        "the total after the label: {csv}"
    );
}

async fn each_trigger_is_emailed_once_as_a_file(app: TestApp) {
    let id = refund(&app, "E-1").await;
    assert_eq!(trigger(&app, &id).await["status"], "pending");
    let sent = app.dispatch().await;
    assert_eq!(sent.sent, 1);
    let files = eml_files(&app);
    assert_eq!(files.len(), 1);
    check_email(&files[0], &id);
    let emailed = trigger(&app, &id).await;
    assert_eq!(emailed["status"], "emailed");
    assert!(emailed["emailed_at"].is_string());
    // Nothing is sent twice, whenever the dispatcher runs again (the customer's email
    // about the same refund goes out then).
    app.advance(Duration::hours(2));
    assert_eq!(app.dispatch().await.sent, 1);
    assert_eq!(app.dispatch().await.sent, 0);
    assert_eq!(eml_files(&app).len(), 1);
    assert_eq!(mail_files(&app, false).len(), 1);
}

/// An instance that claimed a message and died before sending it: the lease runs out
/// and another sends it, once.
async fn a_crashed_dispatchers_message_is_sent_after_its_lease(app: TestApp) {
    let id = refund(&app, "E-4").await;
    let now = app.now();
    let claimed = app
        .state
        .db
        .write(move |c| {
            backhaul::db::outbox::claim_due(c, now, "crashed", now + Duration::minutes(5), 10)
                .map_err(backhaul::error::AppError::from)
        })
        .await
        .expect("claimed");
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        app.dispatch().await.sent,
        0,
        "leased to the crashed instance"
    );
    app.advance(Duration::minutes(6));
    assert_eq!(
        app.dispatch().await.sent,
        2,
        "finance's, and the customer's now due"
    );
    assert_eq!(eml_files(&app).len(), 1);
    assert_eq!(trigger(&app, &id).await["status"], "emailed");
}

/// A live dispatcher renews its claim on what it is still sending: another instance
/// leaves the message alone past the first lease, and takes it once renewals stop (a
/// crashed instance renews nothing).
async fn a_renewed_lease_holds_the_message(app: TestApp) {
    let id = refund(&app, "E-5").await;
    let now = app.now();
    let renewed = app
        .state
        .db
        .write(move |c| {
            let claimed =
                backhaul::db::outbox::claim_due(c, now, "slow", now + Duration::seconds(45), 10)?;
            let ids: Vec<String> = claimed.iter().map(|m| m.id.clone()).collect();
            backhaul::db::outbox::extend_lease(c, "slow", &ids, now + Duration::seconds(120))
                .map_err(backhaul::error::AppError::from)
        })
        .await
        .expect("claimed and renewed");
    assert_eq!(renewed, 1, "finance's email");
    app.advance(Duration::seconds(60));
    assert_eq!(app.dispatch().await.sent, 0, "still held by the live one");
    app.advance(Duration::seconds(90));
    let report = app.dispatch().await;
    assert_eq!(
        report.sent, 2,
        "finance's, and the customer's now due: {report:?}"
    );
    assert_eq!(trigger(&app, &id).await["status"], "emailed");
}

/// An instance that restarts takes back at once what it had leased before (its name is
/// the same across starts); another instance's leases stay theirs.
async fn a_restarted_instance_takes_its_own_leases_back(app: TestApp) {
    let lease = |owner: String| {
        let now = app.now();
        app.state.db.write(move |c| {
            let claimed =
                backhaul::db::outbox::claim_due(c, now, &owner, now + Duration::seconds(45), 10)?;
            Ok::<_, backhaul::error::AppError>(claimed.len())
        })
    };
    let ours = refund(&app, "E-6").await;
    let before_restart = backhaul::core::worker_owner("bench-a:8080", "dispatcher");
    assert_eq!(lease(before_restart).await.expect("leased"), 1);
    let theirs = refund(&app, "E-7").await;
    assert_eq!(
        lease("dispatcher@elsewhere:8080#1".into())
            .await
            .expect("leased"),
        1
    );
    assert_eq!(app.dispatch().await.sent, 0, "both leased");

    let released = backhaul::core::release_own_leases(&app.state, "bench-a:8080").await;
    assert_eq!(released.expect("released"), 1, "ours only");
    assert_eq!(
        app.dispatch().await.sent,
        1,
        "at once, no lease to wait for"
    );
    assert_eq!(trigger(&app, &ours).await["status"], "emailed");
    assert_ne!(trigger(&app, &theirs).await["status"], "emailed");
}

/// Two live instances cannot share a name: the second does not get the name's lock, so
/// it frees nobody's leases; once the first is gone the name is free again.
#[tokio::test]
async fn one_name_one_live_instance() {
    let app = spawn_app(Backend::Postgres).await;
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        let name = "backhaul-instance:twin:8080";
        let first = db.hold_named_lock(name).expect("lock").expect("free");
        assert!(db.hold_named_lock(name).expect("lock").is_none(), "held");
        drop(first);
        // The server lets go once it has seen the session end.
        let again = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            db.hold_named_lock(name).is_ok_and(|l| l.is_some())
        });
        assert!(again, "free again once its holder is gone");
    })
    .await
    .expect("ran");
}

crate::on_both_backends!(
    a_restarted_instance_takes_its_own_leases_back,
    a_renewed_lease_holds_the_message,
    each_trigger_is_emailed_once_as_a_file,
    a_crashed_dispatchers_message_is_sent_after_its_lease,
);

async fn smtp_app(backend: Backend, port: u16, max_attempts: i32) -> TestApp {
    spawn_app_with(backend, move |s| {
        s.email.transport = backhaul::config::EmailTransport::Smtp;
        s.email.smtp_host = "127.0.0.1".into();
        s.email.smtp_port = port;
        s.email.smtp_tls = backhaul::config::SmtpTls::None;
        s.email.max_attempts = max_attempts;
        // Finance's message alone: customers' emails have their own test.
        s.email.customer_emails = false;
    })
    .await
}

async fn smtp_delivers_to_finance(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = smtp_app(backend, sink.port, 8).await;
    let id = refund(&app, "E-2").await;
    // Two dispatchers at once: the lease lets one of them send it.
    let (a, b) = tokio::join!(
        backhaul::notify::dispatcher::dispatch_once(&app.state, "dispatcher-a"),
        backhaul::notify::dispatcher::dispatch_once(&app.state, "dispatcher-b"),
    );
    assert_eq!(a.expect("a").sent + b.expect("b").sent, 1);
    let received = sink.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].to, vec!["<finance@example.com>".to_string()]);
    assert!(received[0].from.contains("returns@demo-shop.example"));
    check_email(&received[0].data, &id);
    assert_eq!(trigger(&app, &id).await["status"], "emailed");
}

async fn failures_retry_then_dead_letter(backend: Backend) {
    // A port where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let app = smtp_app(backend, port, 3).await;
    let id = refund(&app, "E-3").await;
    let first = app.dispatch().await;
    assert_eq!((first.sent, first.retried), (0, 1));
    assert_eq!(trigger(&app, &id).await["status"], "pending");
    assert_eq!(app.dispatch().await.retried, 0, "not due again for 30 s");
    app.advance(Duration::seconds(31));
    assert_eq!(app.dispatch().await.retried, 1);
    app.advance(Duration::seconds(61));
    assert_eq!(app.dispatch().await.dead, 1);
    let failed = app.get("/api/v1/refunds?status=failed", &FINANCE).await;
    assert_eq!(failed.body["items"][0]["id"], id.as_str());
    let metrics = app.get("/metrics", &As::Nobody).await.text;
    assert!(
        metrics.contains("backhaul_outbox_messages{status=\"dead\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("backhaul_refund_triggers{status=\"failed\"} 1"));
    app.advance(Duration::hours(5));
    let after = app.dispatch().await;
    assert_eq!(
        after.sent + after.retried + after.dead,
        0,
        "a dead letter stays put"
    );
}

#[tokio::test]
async fn smtp_on_sqlite() {
    smtp_delivers_to_finance(Backend::Sqlite).await;
}

#[tokio::test]
async fn smtp_on_postgres() {
    smtp_delivers_to_finance(Backend::Postgres).await;
}

#[tokio::test]
async fn dead_letters_on_sqlite() {
    failures_retry_then_dead_letter(Backend::Sqlite).await;
}

#[tokio::test]
async fn dead_letters_on_postgres() {
    failures_retry_then_dead_letter(Backend::Postgres).await;
}
