//! Sandbox label rendering, one label per iteration in each format. Goals: ≥ 200 PDF
//! labels/s and ≥ 2,000 ZPL labels/s.
//!
//! `cargo bench -p backhaul-carriers --bench labels`

use backhaul_carriers::label::{render, LabelContent};
use backhaul_carriers::{Address, LabelFormat};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn address(name: &str, city: &str, postal_code: &str, country: &str) -> Address {
    Address {
        name: name.into(),
        line1: "Hauptstrasse 12".into(),
        line2: Some("Hinterhaus, 3. OG".into()),
        city: city.into(),
        region: None,
        postal_code: postal_code.into(),
        country: country.into(),
        phone: None,
    }
}

fn labels(c: &mut Criterion) {
    let from = address("Erika Mustermann", "Köln", "50667", "DE");
    let to = address("Backhaul Returns Hub", "Venlo", "5928 LN", "NL");
    let content = LabelContent {
        carrier_name: "Sandbox",
        service: "Ground return",
        tracking_number: "SBX100000000017",
        rma_number: "RMA-7K3M9Q2XW4",
        from: &from,
        to: &to,
        ship_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        weight_grams: Some(1_250),
        script_font: None,
    };
    let mut group = c.benchmark_group("labels");
    group.throughput(Throughput::Elements(1));
    for format in LabelFormat::ALL {
        group.bench_function(format.as_str(), |b| {
            b.iter(|| render(format, std::hint::black_box(&content)).expect("renders"))
        });
    }
    group.finish();
}

criterion_group!(benches, labels);
criterion_main!(benches);
