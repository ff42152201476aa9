//! The pages in a real browser: headless Chromium driven over WebDriver (chromedriver,
//! from Debian's chromium-driver; scripts/test installs it). Screenshots of every page
//! land in target/screenshots/ for a reviewer to look at.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use backhaul::domain::Role;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::*;

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs (Debian package chromium-driver; scripts/test installs it)");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, port }
}

async fn browser(driver: &Driver, downloads: &Path) -> Client {
    // Two TLS backends are linked in; WebDriver speaks plain HTTP, but the client wants
    // one chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=en-US"],
            "prefs": {"download.default_directory": downloads.display().to_string(),
                      "download.prompt_for_download": false},
        }),
    );
    ClientBuilder::rustls()
        .expect("tls")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session")
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

async fn shot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(screenshots().join(format!("{name}.png")), png).expect("screenshot saved");
}

/// axe-core's script: the npm package, which scripts/test installs into target/axe.
fn axe_script() -> &'static str {
    static SCRIPT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target/axe/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (scripts/test installs axe-core from npm)",
                path.display()
            )
        })
    })
}

/// What axe-core finds serious or critical on the page, one line per rule with the
/// elements it found it on.
async fn axe_findings(client: &Client) -> Vec<String> {
    let run = "var done = arguments[arguments.length - 1];\
        axe.run(document, {resultTypes: ['violations']}).then(function (r) {\
          done(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })\
            .map(function (v) { return v.id + ': ' + v.nodes.map(function (n) { return n.target.join(' '); }).join(', '); }));\
        }, function (e) { done(['axe failed: ' + e]); });";
    let script = format!("{}\n{run}", axe_script());
    let found = client
        .execute_async(&script, vec![])
        .await
        .expect("axe runs");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Controls a finger can hit and text a phone does not zoom into: every visible input,
/// select and button at least 44 px tall with text of at least 16 px (iOS zooms into
/// smaller text). Checkboxes are left to their label.
async fn touch_sized(client: &Client) {
    let small = client
        .execute(
            "return [...document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]),select,button,a.button')]\
             .filter(e => e.getClientRects().length > 0)\
             .map(e => [e.id || e.name || e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize), e.getBoundingClientRect().height])\
             .filter(([_, font, height]) => font < 16 || height < 43.5);",
            vec![],
        )
        .await
        .expect("script runs");
    assert_eq!(
        small,
        json!([]),
        "controls smaller than 44 px or 16 px text"
    );
}

/// Every visible input and select has a label; the page has a language and a title;
/// controls are big enough for a finger; axe-core finds nothing serious.
async fn accessible(client: &Client) {
    touch_sized(client).await;
    let findings = axe_findings(client).await;
    let here = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    assert!(findings.is_empty(), "axe-core on {here}: {findings:#?}");
    let ok = client
        .execute(
            "return [...document.querySelectorAll('input:not([type=hidden]),select')]\
             .every(e => e.id && document.querySelector('label[for=\"' + e.id + '\"]'))\
             && document.documentElement.lang.length > 0 && document.title.length > 0;",
            vec![],
        )
        .await
        .expect("script runs");
    assert_eq!(ok, json!(true), "labels, lang and title");
}

/// The page's visible text, read in one script call: a page being replaced after a
/// submit has no body for a moment, and an element found before is then stale.
/// Nothing sticks out sideways: the page is as wide as the window.
async fn fits_the_screen(client: &Client) {
    let widths = client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .expect("script runs");
    let (page, window) = (widths[0].as_i64(), widths[1].as_i64());
    assert!(
        page <= window,
        "page {page:?} px wide in a {window:?} px window"
    );
}

async fn text(client: &Client) -> String {
    let started = Instant::now();
    loop {
        let read = client
            .execute(
                "return document.body ? document.body.innerText : null;",
                vec![],
            )
            .await;
        if let Ok(serde_json::Value::String(text)) = read {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no page text: {read:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_for_text(client: &Client, needle: &str) {
    let started = Instant::now();
    while !text(client).await.contains(needle) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never saw {needle:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fill(client: &Client, css: &str, value: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(value)
        .await
        .expect("typed");
}

/// Opens each of `pages` (name, path) at each (window width, language): it has its
/// labels, big enough controls and nothing axe-core calls serious, fits a phone's
/// width, and leaves a screenshot `{prefix}-{lang}-{width}-{name}.png`.
async fn tour(
    client: &Client,
    app: &TestApp,
    prefix: &str,
    sizes: &[(u32, &str)],
    pages: &[(&str, String)],
) {
    for (width, lang) in sizes {
        client
            .set_window_size(*width, 900)
            .await
            .expect("window size");
        for (name, path) in pages {
            let joiner = if path.contains('?') { '&' } else { '?' };
            client
                .goto(&format!("{}{path}{joiner}lang={lang}", app.address))
                .await
                .expect("page");
            wait_for(client, path.split('?').next().unwrap_or(path)).await;
            accessible(client).await;
            if *width == 390 {
                fits_the_screen(client).await;
            }
            shot(client, &format!("{prefix}-{lang}-{width}-{name}")).await;
        }
    }
}

/// Picks `value` in the select `css`.
async fn choose(client: &Client, css: &str, value: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
}

/// Clicks, then waits until the browser is on a page whose path contains `path`.
async fn click_to(client: &Client, css: &str, path: &str) {
    click(client, css).await;
    wait_for(client, path).await;
}

async fn wait_for(client: &Client, path: &str) {
    let started = Instant::now();
    loop {
        let here = client.current_url().await.expect("url");
        let ready = client
            .execute("return document.readyState;", vec![])
            .await
            .unwrap_or_default();
        if here.path().contains(path) && ready == json!("complete") {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never reached {path}: at {here}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .expect("clicked");
}

/// A browser with a phone's screen (the portal must fit it without sideways
/// scrolling) on the portal's look-up page.
async fn on_a_phone(driver: &Driver, downloads: &Path, app: &TestApp) -> Client {
    let client = browser(driver, downloads).await;
    client
        .set_window_size(390, 844)
        .await
        .expect("phone-sized window");
    client
        .goto(&format!("{}/returns", app.address))
        .await
        .expect("portal");
    client
}

/// Looks order `number` up with its customer's email, on to the order's lines.
async fn look_up(client: &Client, number: &str) {
    fill(client, "#order_number", number).await;
    fill(
        client,
        "#email",
        &format!("{}@example.com", number.to_lowercase()),
    )
    .await;
    click_to(client, "button[type=submit]", "/returns/order").await;
}

#[tokio::test]
async fn a_customer_goes_from_lookup_to_a_downloaded_pdf_label() {
    let app = spawn_app(Backend::Sqlite).await;
    let order = eur_order("B-1");
    app.delivered_order(&order, 2).await;
    let driver = start_driver();
    let downloads = tempfile::tempdir().expect("downloads");
    let client = on_a_phone(&driver, downloads.path(), &app).await;
    accessible(&client).await;
    shot(&client, "portal-1-lookup").await;
    look_up(&client, "B-1").await;

    accessible(&client).await;
    fits_the_screen(&client).await;
    shot(&client, "portal-2-lines").await;
    choose(&client, "#q_1", "1").await;
    choose(&client, "#r_1", "size_too_small").await;
    click_to(&client, "button[type=submit]", "/returns/quote").await;

    wait_for_text(&client, "Your return can go ahead.").await;
    let decision = text(&client).await;
    assert!(!decision.contains("authorized"), "{decision}");
    fits_the_screen(&client).await;
    shot(&client, "portal-3-decision").await;
    click_to(
        &client,
        "form[action='/returns/confirm'] button",
        "/returns/rmas/",
    )
    .await;

    let status = text(&client).await;
    assert!(status.contains("label issued"), "{status}");
    shot(&client, "portal-4-status").await;
    // The QR code as Chromium draws it decodes to the label's tracking number.
    let tracking = status
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| w.starts_with("SBX"))
        .expect("a sandbox tracking number on the page")
        .to_string();
    let qr = client
        .find(Locator::Css("figure.qr svg"))
        .await
        .expect("a QR code");
    // Below the steps on a phone: in view first, so the screenshot holds all of it.
    client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![serde_json::to_value(&qr).expect("element")],
        )
        .await
        .expect("scrolled");
    let qr = qr.screenshot().await.expect("QR screenshot");
    let qr_png = downloads.path().join("qr.png");
    std::fs::write(&qr_png, qr).expect("saved");
    let decoded = Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(&qr_png)
        .output()
        .expect("zbarimg runs");
    assert_eq!(
        String::from_utf8_lossy(&decoded.stdout).trim(),
        tracking,
        "{}",
        String::from_utf8_lossy(&decoded.stderr)
    );
    std::fs::remove_file(&qr_png).expect("removed");
    click(&client, "a[download]").await;
    let started = Instant::now();
    let pdf = loop {
        let found = std::fs::read_dir(downloads.path())
            .ok()
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "pdf"));
        if let Some(path) = found {
            break std::fs::read(path).expect("the download");
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no PDF downloaded"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(pdf.starts_with(b"%PDF"), "a PDF label");

    // The same pages on a desktop and on a phone, in German and Chinese: they fit, have
    // their labels and big enough controls, and axe-core finds nothing serious.
    let status_path = client.current_url().await.expect("url").path().to_string();
    let pages = [
        ("lookup", "/returns".to_string()),
        ("lines", "/returns/order".to_string()),
        (
            "decision",
            "/returns/quote?q_1=1&r_1=size_too_small&resolution=refund".to_string(),
        ),
        ("status", status_path),
        ("no-page", "/nothing/here".to_string()),
    ];
    tour(
        &client,
        &app,
        "portal-tour",
        &[(1366, "de"), (390, "zh")],
        &pages,
    )
    .await;
    client.close().await.expect("closed");
}

#[tokio::test]
async fn the_scan_station_takes_typed_scans_ending_in_enter() {
    let app = spawn_app(Backend::Sqlite).await;
    let (name, now) = ("bench".to_string(), app.now());
    app.state
        .db
        .write(move |c| {
            backhaul::db::staff::create_user(
                c,
                &name,
                Role::Warehouse,
                "correct horse battery",
                now,
            )
        })
        .await
        .expect("user");
    let (_, number) = app.authorized_rma("B-2", "size_too_small", "refund").await;
    let driver = start_driver();
    let downloads = tempfile::tempdir().expect("downloads");
    let client = browser(&driver, downloads.path()).await;

    client
        .goto(&format!("{}/warehouse/scan", app.address))
        .await
        .expect("page");
    accessible(&client).await;
    shot(&client, "staff-1-login").await;
    fill(&client, "#username", "bench").await;
    fill(&client, "#password", "correct horse battery").await;
    click_to(&client, "button[type=submit]", "/warehouse/scan").await;

    accessible(&client).await;
    let focused = client
        .execute("return document.activeElement.id;", vec![])
        .await
        .expect("script");
    assert_eq!(focused, json!("barcode"), "the scan input has the focus");
    // A keyboard-wedge scanner types the code and Enter.
    client
        .find(Locator::Css("#barcode"))
        .await
        .expect("input")
        .send_keys(&format!("{number}\u{E007}"))
        .await
        .expect("scanned");
    wait_for_text(&client, "Matched").await;
    let matched = text(&client).await;
    assert!(
        matched.contains(&format!("Matched — {number}")),
        "{matched}"
    );
    shot(&client, "staff-2-scan-matched").await;
    client
        .find(Locator::Css("#barcode"))
        .await
        .expect("input")
        .send_keys("1Z999AA10123456784\u{E007}")
        .await
        .expect("scanned");
    wait_for_text(&client, "Unmatched").await;
    let unmatched = text(&client).await;
    assert!(unmatched.contains("Unmatched"), "{unmatched}");
    shot(&client, "staff-3-scan-unmatched").await;

    // The inspector passes it; finance sees the trigger.
    client
        .goto(&format!("{}/warehouse/rmas/{number}/inspect", app.address))
        .await
        .expect("inspection");
    accessible(&client).await;
    shot(&client, "staff-4-inspect").await;
    // Nothing is chosen at first: every grade is the inspector's own.
    fill(&client, "#q_1", "1").await;
    choose(&client, "#c_1", "new").await;
    choose(&client, "#d_1", "restock").await;
    click(&client, "main button[type=submit]").await;
    wait_for_text(&client, "passed").await;
    let inspected = text(&client).await;
    assert!(inspected.contains("passed"), "{inspected}");
    shot(&client, "staff-5-inspected").await;
    client.close().await.expect("closed");

    let (name, now) = ("money".to_string(), app.now());
    app.state
        .db
        .write(move |c| {
            backhaul::db::staff::create_user(c, &name, Role::Finance, "correct horse battery", now)
        })
        .await
        .expect("user");
    let finance = browser(&driver, downloads.path()).await;
    finance
        .goto(&format!("{}/login?next=/finance/refunds", app.address))
        .await
        .expect("login");
    fill(&finance, "#username", "money").await;
    fill(&finance, "#password", "correct horse battery").await;
    click_to(&finance, "button[type=submit]", "/finance/refunds").await;
    let refunds = text(&finance).await;
    assert!(
        refunds.contains("B-2") && refunds.contains("EUR"),
        "{refunds}"
    );
    accessible(&finance).await;
    shot(&finance, "staff-6-finance").await;
    finance.close().await.expect("closed");

    // An admin: the box nobody matched waits on its page, and the operations page.
    let (name, now) = ("boss".to_string(), app.now());
    app.state
        .db
        .write(move |c| {
            backhaul::db::staff::create_user(c, &name, Role::Admin, "correct horse battery", now)
        })
        .await
        .expect("user");
    let admin = browser(&driver, downloads.path()).await;
    admin
        .goto(&format!("{}/login?next=/warehouse/parcels", app.address))
        .await
        .expect("login");
    fill(&admin, "#username", "boss").await;
    fill(&admin, "#password", "correct horse battery").await;
    click_to(&admin, "button[type=submit]", "/warehouse/parcels").await;
    let waiting = text(&admin).await;
    assert!(waiting.contains("1Z999AA10123456784"), "{waiting}");
    accessible(&admin).await;
    shot(&admin, "staff-7-unmatched-parcels").await;
    admin
        .goto(&format!("{}/ops", app.address))
        .await
        .expect("ops");
    wait_for_text(&admin, "Operations").await;
    accessible(&admin).await;
    shot(&admin, "staff-8-ops").await;

    // Every staff page on a phone and on a desktop, in three languages: each fits,
    // has its labels and big enough controls, and axe-core finds nothing serious.
    let pages = [
        ("arriving", "/warehouse/arriving".to_string()),
        ("to-inspect", "/warehouse/to-inspect".to_string()),
        ("scan", "/warehouse/scan".to_string()),
        ("parcels", "/warehouse/parcels".to_string()),
        ("search", format!("/staff/search?q={number}")),
        ("finance", "/finance/refunds".to_string()),
        ("ops", "/ops".to_string()),
        ("ops-rmas", "/ops/rmas".to_string()),
        ("no-page", "/nothing/here".to_string()),
    ];
    tour(
        &admin,
        &app,
        "tour",
        &[(390, "en"), (1366, "de"), (390, "zh")],
        &pages,
    )
    .await;
    admin.close().await.expect("closed");
}

/// A customer swaps a shirt for another size on the portal (a phone's screen): the
/// sizes in stock are offered beside the line, the decision says no money moves, and
/// the status page follows the replacement from packing to its parcel. A dearer size
/// is quoted with the difference to pay.
#[tokio::test]
async fn a_customer_exchanges_a_shirt_for_another_size() {
    let app = spawn_app(Backend::Sqlite).await;
    crate::exchanges::shirts(
        &app,
        &[
            ("TSH-ORG-M", "M", "19.90", 3),
            ("TSH-ORG-L", "L", "19.90", 3),
            ("TSH-ORG-XL", "XL", "24.90", 3),
            ("TSH-ORG-S", "S", "19.90", 0),
        ],
    )
    .await;
    let mut order = eur_order("B-X1");
    order["lines"][1]["variant_of"] = serde_json::json!("tsh-organic");
    order["lines"][1]["options"] = serde_json::json!({"size": "L"});
    app.delivered_order(&order, 2).await;
    let driver = start_driver();
    let downloads = tempfile::tempdir().expect("downloads");
    let client = on_a_phone(&driver, downloads.path(), &app).await;
    look_up(&client, "B-X1").await;

    accessible(&client).await;
    fits_the_screen(&client).await;
    let lines = text(&client).await;
    assert!(lines.contains("Organic T-shirt M"), "{lines}");
    assert!(
        !lines.contains("Organic T-shirt S"),
        "out of stock: {lines}"
    );
    assert!(
        lines.contains("+10 % bonus"),
        "store credit's bonus: {lines}"
    );
    shot(&client, "portal-exchange-1-lines").await;

    // A dearer size first: the difference to pay is said before anything is made.
    choose(&client, "#q_2", "1").await;
    choose(&client, "#r_2", "size_too_small").await;
    choose(&client, "#resolution", "exchange").await;
    choose(&client, "#x_2", "TSH-ORG-XL").await;
    click_to(&client, "button[type=submit]", "/returns/quote").await;
    wait_for_text(&client, "Your return can go ahead.").await;
    let dearer = text(&client).await;
    assert!(dearer.contains("Amount due"), "{dearer}");
    assert!(dearer.contains("you pay the difference"), "{dearer}");

    // The same size's price: no money moves.
    client
        .goto(&format!(
            "{}/returns/order?q_2=1&r_2=size_too_small&resolution=exchange&x_2=TSH-ORG-M",
            app.address
        ))
        .await
        .expect("back to the lines");
    click_to(&client, "button[type=submit]", "/returns/quote").await;
    wait_for_text(&client, "Your return can go ahead.").await;
    let decision = text(&client).await;
    assert!(decision.contains("at the same price"), "{decision}");
    assert!(!decision.contains("Amount due"), "{decision}");
    accessible(&client).await;
    fits_the_screen(&client).await;
    shot(&client, "portal-exchange-2-decision").await;
    click_to(
        &client,
        "form[action='/returns/confirm'] button",
        "/returns/rmas/",
    )
    .await;
    let status_url = client.current_url().await.expect("url");
    let number = status_url
        .path()
        .rsplit('/')
        .next()
        .expect("number")
        .to_string();

    // Inspected: the replacement is being packed; shipped: its parcel shows.
    app.receive_and_pass_line(&number, "2").await;
    client.refresh().await.expect("reloaded");
    wait_for_text(&client, "Your replacement").await;
    assert!(text(&client).await.contains("Being packed"));
    let jobs = app
        .walk(
            "/api/v1/fulfilments?status=to_ship",
            &As::Role(Role::Warehouse),
            1,
        )
        .await;
    let id = jobs[0]["id"].as_str().expect("id");
    let tracking = backhaul_carriers::sandbox::tracking_number(
        backhaul_carriers::sandbox::Scenario::Normal,
        app.now(),
        "X-BX1",
    );
    let shipped = app
        .post(
            &format!("/api/v1/fulfilments/{id}/shipped"),
            &As::Role(Role::Warehouse),
            &serde_json::json!({"carrier": "sandbox", "tracking_number": tracking}),
        )
        .await;
    assert_eq!(shipped.status, reqwest::StatusCode::OK, "{}", shipped.text);
    client.refresh().await.expect("reloaded");
    wait_for_text(&client, "On its way").await;
    assert!(text(&client).await.contains(&tracking));
    accessible(&client).await;
    fits_the_screen(&client).await;
    shot(&client, "portal-exchange-3-status").await;
    client.close().await.expect("closed");
}
