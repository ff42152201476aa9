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
        format,
        currency: "EUR".into(),
        estimated_cost: "5.95".into(),
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
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("label.pdf");
    std::fs::write(&path, pdf).expect("written");

    let text = tool("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        text.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&text.stderr)
    );
    let text = String::from_utf8_lossy(&text.stdout).replace(' ', "");
    assert!(text.contains(tracking), "tracking number in {text}");
    assert!(text.contains("R-7KQ2-M9XD"), "RMA number in {text}");
    assert!(text.contains("Torstraße112"), "sender in {text}");
    assert!(text.contains("AmBorsigturm100"), "warehouse in {text}");

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
    let decoded = tool("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Scode128.enable"])
        .arg(dir.path().join("page.png"))
        .output()
        .expect("zbarimg runs");
    assert_eq!(
        String::from_utf8_lossy(&decoded.stdout).trim(),
        tracking,
        "{}",
        String::from_utf8_lossy(&decoded.stderr)
    );
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
