//! Writes a sandbox label to a file, to look at: `cargo run -p backhaul-carriers
//! --example render_label -- pdf|pdf_a4|zpl OUT`.

use backhaul_carriers::sandbox::Sandbox;
use backhaul_carriers::{Address, Carrier, LabelFormat, LabelRequest};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let format = args
        .get(1)
        .and_then(|f| LabelFormat::parse(f))
        .ok_or("format: pdf, pdf_a4 or zpl")?;
    let out = args.get(2).ok_or("output file")?;
    let address = |name: &str, line1: &str, city: &str, postal: &str| Address {
        name: name.into(),
        line1: line1.into(),
        line2: None,
        city: city.into(),
        region: None,
        postal_code: postal.into(),
        country: "DE".into(),
    };
    let request = LabelRequest {
        rma_number: "R-7KQ2-M9XD".into(),
        from: address("Anna Schmidt", "Torstraße 112", "Berlin", "10119"),
        to: address(
            "Berlin returns centre",
            "Am Borsigturm 100",
            "Berlin",
            "13507",
        ),
        format,
        currency: "EUR".into(),
        estimated_cost: "5.95".into(),
    };
    let label = Sandbox::new().create_return_label(&request).await?;
    std::fs::write(out, &label.documents[0].1)?;
    println!("{}", label.tracking_number);
    Ok(())
}
