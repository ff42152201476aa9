//! The sandbox's labels are real: a PDF reader finds the tracking and RMA numbers in
//! them, and a barcode reader decodes the tracking number from the printed page.
//! Needs `pdftotext`/`pdftoppm` (poppler-utils) and `zbarimg` (zbar-tools), which
//! scripts/test installs.

use std::process::Command;

use backhaul_carriers::sandbox::Sandbox;
use backhaul_carriers::{Address, Carrier, LabelFormat, LabelRequest};

fn address(name: &str, line1: &str, city: &str, postal: &str, country: &str) -> Address {
    Address {
        name: name.into(),
        line1: line1.into(),
        line2: None,
        city: city.into(),
        region: None,
        postal_code: postal.into(),
        country: country.into(),
        phone: None,
    }
}

fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "{name} is missing: install poppler-utils and zbar-tools (scripts/test does)"
    );
    Command::new(name)
}

async fn label(format: LabelFormat) -> (String, Vec<u8>) {
    let mut from = address("Anna Schmidt", "Torstraße 112", "Berlin", "10119", "DE");
    from.phone = Some("+49 30 1234567".into());
    let request = LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from,
        to: address(
            "Berlin returns centre",
            "Am Borsigturm 100",
            "Berlin",
            "13507",
            "DE",
        ),
        format,
        currency: "EUR".into(),
        estimated_cost: "5.95".into(),
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        weight_grams: Some(1_254),
    };
    let label = Sandbox::new()
        .create_return_label(&request)
        .await
        .expect("label");
    assert_eq!(
        label.documents[0].0, format,
        "the requested format comes first"
    );
    assert_eq!(label.cost, "5.95");
    (label.tracking_number, label.documents[0].1.clone())
}

fn check_pdf(tracking: &str, pdf: &[u8]) {
    let text = pdf_text(pdf).replace(' ', "");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("label.pdf");
    std::fs::write(&path, pdf).expect("written");
    assert!(text.contains(tracking), "tracking number in {text}");
    assert!(text.contains("R-7KQ2-M9XD"), "RMA number in {text}");
    assert!(text.contains("Torstraße112"), "sender in {text}");
    assert!(text.contains("AmBorsigturm100"), "warehouse in {text}");
    assert!(text.contains("Shipdate2026-12-04"), "ship date in {text}");
    assert!(text.contains("Weight1.25kg"), "weight in {text}");
    assert!(text.contains("Tel.+4930123456"), "sender's phone in {text}");
    assert!(text.contains("Groundreturn"), "service in {text}");

    let png = dir.path().join("page");
    let rendered = tool("pdftoppm")
        .args(["-r", "300", "-png", "-singlefile"])
        .arg(&path)
        .arg(&png)
        .output()
        .expect("pdftoppm runs");
    assert!(
        rendered.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    // The tracking number for the carrier, the RMA's for the warehouse's scanner.
    let mut expected = vec!["R-7KQ2-M9XD".to_string(), tracking.to_string()];
    expected.sort();
    assert_eq!(scanned(&dir.path().join("page.png")), expected);
}

/// The Code 128 barcodes zbarimg reads from a picture, sorted.
fn scanned(png: &std::path::Path) -> Vec<String> {
    let decoded = tool("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Scode128.enable"])
        .arg(png)
        .output()
        .expect("zbarimg runs");
    let mut codes: Vec<String> = String::from_utf8_lossy(&decoded.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    codes.sort();
    codes
}

/// The text pdftotext reads from a PDF.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("label.pdf");
    std::fs::write(&path, pdf).expect("written");
    let out = tool("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn addresses_in_other_scripts_print_in_latin_letters() {
    let request = LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from: address("王芳", "南山区科技园路1号", "深圳市", "518000", "CN"),
        to: address("Москва склад", "Тверская улица 7", "Москва", "125009", "RU"),
        format: LabelFormat::Pdf,
        currency: "CNY".into(),
        estimated_cost: "20.00".into(),
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        weight_grams: None,
    };
    let label = Sandbox::new()
        .create_return_label(&request)
        .await
        .expect("label");
    let text = pdf_text(&label.documents[0].1);
    for expected in ["Wang Fang", "Shen Zhen Shi", "Moskva", "Tverskaia"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(!text.contains('?'), "nothing lost: {text}");
    let zpl = label
        .documents
        .iter()
        .find(|(f, _)| *f == LabelFormat::Zpl)
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .expect("zpl");
    assert!(zpl.contains("深圳市"), "ZPL keeps the original script");
}

#[tokio::test]
async fn pdf_4x6_labels_read_and_scan() {
    let (tracking, pdf) = label(LabelFormat::Pdf).await;
    check_pdf(&tracking, &pdf);
}

#[tokio::test]
async fn pdf_a4_labels_read_and_scan() {
    let (tracking, pdf) = label(LabelFormat::PdfA4).await;
    check_pdf(&tracking, &pdf);
}

#[tokio::test]
async fn zpl_labels_carry_the_barcode() {
    let (tracking, zpl) = label(LabelFormat::Zpl).await;
    let zpl = String::from_utf8(zpl).expect("zpl is text");
    assert!(
        zpl.contains(&format!("^BCN,200,Y,N,N^FD{tracking}^FS")),
        "{zpl}"
    );
}

/// A carrier's label picture (PNG) wrapped into our PDF still scans.
#[tokio::test]
async fn a_png_label_wrapped_in_a_pdf_still_scans() {
    let (tracking, pdf) = label(LabelFormat::Pdf).await;
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("in.pdf"), &pdf).expect("written");
    for (flag, name) in [("-gray", "gray"), ("-png", "rgb")] {
        let out = tool("pdftoppm")
            .args(["-r", "200", "-png", flag, "-singlefile"])
            .arg(dir.path().join("in.pdf"))
            .arg(dir.path().join(name))
            .output()
            .expect("pdftoppm runs");
        assert!(out.status.success());
        let png = std::fs::read(dir.path().join(format!("{name}.png"))).expect("png");
        let mut page = backhaul_carriers::pdf::Page::new(288.0, 432.0);
        page.png(&png, 0.0, 0.0, 288.0, 432.0)
            .expect("png embedded");
        check_pdf_scans(&tracking, &page.to_pdf().expect("pdf"));
    }
}

fn check_pdf_scans(tracking: &str, pdf: &[u8]) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("wrapped.pdf");
    std::fs::write(&path, pdf).expect("written");
    let rendered = tool("pdftoppm")
        .args(["-r", "300", "-png", "-singlefile"])
        .arg(&path)
        .arg(dir.path().join("page"))
        .output()
        .expect("pdftoppm runs");
    assert!(
        rendered.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let codes = scanned(&dir.path().join("page.png"));
    assert!(
        codes.iter().any(|c| c == tracking),
        "{tracking} in {codes:?}"
    );
}

/// UPS sends its label as a PNG; the adapter hands back a PDF that still scans.
#[tokio::test]
async fn ups_return_labels_arrive_as_scannable_pdfs() {
    use backhaul_carriers::http::HttpSettings;
    use backhaul_carriers::ups::Ups;
    use backhaul_carriers::LabelRef;
    use base64::Engine;
    use wiremock::matchers::{body_partial_json, method, path, path_regex};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    // A real label picture: the sandbox label rendered to a greyscale PNG.
    let (tracking, pdf) = label(LabelFormat::Pdf).await;
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("in.pdf"), &pdf).expect("written");
    let out = tool("pdftoppm")
        .args(["-r", "200", "-png", "-gray", "-singlefile"])
        .arg(dir.path().join("in.pdf"))
        .arg(dir.path().join("ups"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let png = std::fs::read(dir.path().join("ups.png")).expect("png");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/security/v1/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "t", "expires_in": "14399"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/api/shipments/v[0-9]+/ship$"))
        .and(body_partial_json(serde_json::json!({"ShipmentRequest": {"Shipment": {"ReturnService": {"Code": "9"}}, "LabelSpecification": {"LabelImageFormat": {"Code": "PNG"}}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ShipmentResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "ShipmentResults": {
                "ShipmentCharges": {"TotalCharges": {"CurrencyCode": "EUR", "MonetaryValue": "9.87"}},
                "ShipmentIdentificationNumber": "1ZSHIPMENT0001",
                "PackageResults": {"TrackingNumber": tracking, "ShippingLabel": {"ImageFormat": {"Code": "PNG"},
                    "GraphicImage": base64::engine::general_purpose::STANDARD.encode(&png)}}
            }}})))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path_regex("^/api/shipments/v[0-9]+/void/cancel/1ZSHIPMENT0001$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"VoidShipmentResponse": {"SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}}}})))
        .mount(&server)
        .await;

    let ups = Ups::new(
        HttpSettings::new(server.uri()),
        "id".into(),
        secrecy::SecretString::from("s"),
        "A1B2C3".into(),
    )
    .expect("adapter");
    let request = LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from: address("Anna Schmidt", "Torstraße 112", "Berlin", "10119", "DE"),
        to: address(
            "Berlin returns centre",
            "Am Borsigturm 100",
            "Berlin",
            "13507",
            "DE",
        ),
        format: LabelFormat::Pdf,
        currency: "EUR".into(),
        estimated_cost: "5.95".into(),
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        weight_grams: None,
    };
    let bought = ups.create_return_label(&request).await.expect("bought");
    assert_eq!(
        (
            bought.cost.as_str(),
            bought.currency.as_str(),
            bought.reference.as_str()
        ),
        ("9.87", "EUR", "1ZSHIPMENT0001")
    );
    assert!(bought.documents[0].1.starts_with(b"%PDF"));
    check_pdf_scans(&tracking, &bought.documents[0].1);
    ups.void_label(&LabelRef {
        tracking_number: tracking,
        reference: bought.reference,
    })
    .await
    .expect("voided");
}

/// Debian's fonts-noto-cjk, which scripts/test installs.
const NOTO_CJK: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

fn noto_cjk() -> std::sync::Arc<backhaul_carriers::script_font::ScriptFont> {
    let font = backhaul_carriers::script_font::ScriptFont::load(std::path::Path::new(NOTO_CJK))
        .unwrap_or_else(|e| panic!("{e}: install fonts-noto-cjk (scripts/test does)"));
    std::sync::Arc::new(font)
}

/// A Chinese courier reads characters: a domestic label prints them as written, in
/// an embedded subset of Noto Sans CJK, with the phone numbers; an international one
/// keeps a Latin line under each for the carriers on the way. The page still scans.
#[tokio::test]
async fn chinese_addresses_print_in_characters_from_an_embedded_font() {
    let mut from = address("李伟", "南京西路 1266 号", "上海市", "200040", "CN");
    from.phone = Some("+86 138 0013 8000".into());
    let mut to = address(
        "深圳退货中心",
        "前海保税港区路 1 号",
        "深圳市",
        "518000",
        "CN",
    );
    to.region = Some("广东省".into());
    let request = |to: Address| LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from: from.clone(),
        to,
        format: LabelFormat::Pdf,
        currency: "CNY".into(),
        estimated_cost: "12.00".into(),
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        weight_grams: Some(480),
    };
    let sandbox = Sandbox::new().with_script_font(Some(noto_cjk()));

    let domestic = sandbox
        .create_return_label(&request(to.clone()))
        .await
        .expect("label");
    let pdf = &domestic.documents[0].1;
    let text = pdf_text(pdf);
    for expected in [
        "李伟",
        "南京西路",
        "上海市",
        "深圳退货中心",
        "广东省",
        "+86 138 0013 8000",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(
        !text.contains("Li Wei"),
        "no Latin line on a domestic label: {text}"
    );
    assert!(
        pdf.len() < 200_000,
        "a subset, not the 20 MB font: {} bytes",
        pdf.len()
    );

    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("label.pdf"), pdf).expect("written");
    let fonts = tool("pdffonts")
        .arg(dir.path().join("label.pdf"))
        .output()
        .expect("pdffonts runs");
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    let noto = fonts
        .lines()
        .find(|l| l.contains("NotoSansCJK"))
        .unwrap_or_else(|| panic!("Noto Sans CJK in {fonts}"));
    assert!(
        noto.starts_with("BHLABL+NotoSansCJKsc-"),
        "a subset of the Chinese face: {noto}"
    );
    assert!(noto.contains(" yes yes "), "embedded and subset: {noto}");
    let rendered = tool("pdftoppm")
        .args(["-r", "300", "-png", "-singlefile"])
        .arg(dir.path().join("label.pdf"))
        .arg(dir.path().join("page"))
        .output()
        .expect("pdftoppm runs");
    assert!(
        rendered.status.success() && rendered.stderr.is_empty(),
        "renders without complaint: {}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert!(scanned(&dir.path().join("page.png")).contains(&domestic.tracking_number));

    let mut abroad = to;
    abroad.country = "DE".into();
    let international = sandbox
        .create_return_label(&request(abroad))
        .await
        .expect("label");
    let text = pdf_text(&international.documents[0].1);
    for expected in [
        "李伟",
        "Li Wei",
        "南京西路 1266 号",
        "Nan Jing Xi Lu 1266 Hao",
        "Shen Zhen Tui Huo Zhong Xin",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}
