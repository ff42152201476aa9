//! Writes a sandbox label to a file, to look at: `cargo run -p backhaul-carriers
//! --example render_label -- pdf|pdf_a4|pdf_letter|zpl OUT [cn|cn-de]`. `cn` is a Chinese
//! domestic return (printed with Debian's Noto Sans CJK), `cn-de` one to Germany.

use std::sync::Arc;

use backhaul_carriers::sandbox::Sandbox;
use backhaul_carriers::script_font::ScriptFont;
use backhaul_carriers::{Address, Carrier, LabelFormat, LabelRequest};

const NOTO_CJK: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let format = args
        .get(1)
        .and_then(|f| LabelFormat::parse(f))
        .ok_or("format: pdf, pdf_a4, pdf_letter or zpl")?;
    let out = args.get(2).ok_or("output file")?;
    let address = |name: &str, line1: &str, city: &str, postal: &str, country: &str| Address {
        name: name.into(),
        line1: line1.into(),
        line2: None,
        city: city.into(),
        region: None,
        postal_code: postal.into(),
        country: country.into(),
        phone: None,
    };
    let (mut from, to) = match args.get(3).map(String::as_str) {
        Some(route @ ("cn" | "cn-de")) => (
            address("李伟", "南京西路 1266 号", "上海市", "200040", "CN"),
            if route == "cn" {
                address(
                    "深圳退货中心",
                    "前海保税港区路 1 号",
                    "深圳市",
                    "518000",
                    "CN",
                )
            } else {
                address(
                    "Berlin returns centre",
                    "Am Borsigturm 100",
                    "Berlin",
                    "13507",
                    "DE",
                )
            },
        ),
        _ => (
            address("Anna Schmidt", "Torstraße 112", "Berlin", "10119", "DE"),
            address(
                "Berlin returns centre",
                "Am Borsigturm 100",
                "Berlin",
                "13507",
                "DE",
            ),
        ),
    };
    from.phone = Some(match from.country.as_str() {
        "CN" => "+86 138 0013 8000".into(),
        _ => "+49 30 1234567".into(),
    });
    let request = LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from,
        to,
        format,
        currency: "EUR".into(),
        estimated_cost: "5.95".into(),
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).ok_or("date")?,
        weight_grams: Some(1_254),
    };
    let font = ScriptFont::load(std::path::Path::new(NOTO_CJK))
        .ok()
        .map(Arc::new);
    let label = Sandbox::new()
        .with_script_font(font)
        .create_return_label(&request)
        .await?;
    std::fs::write(out, &label.documents[0].1)?;
    println!("{}", label.tracking_number);
    Ok(())
}
