//! Tracking normalization over the whole conformance corpus: every answer read by its
//! adapter's reader (typed parse borrowing from the bytes, mapping tables, times to
//! UTC). Goal: ≥ 60,000 answers/s on one core overall; reported per carrier too.
//!
//! `cargo bench -p backhaul-carriers --bench normalize`

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The carriers karrio has tracking readers for.
const KARRIO_READS: [&str; 5] = ["ups", "fedex", "usps", "dhl", "easypost"];

fn normalize(c: &mut Criterion) {
    let all = fixtures::tracking();
    let read_each = |set: &[&fixtures::Fixture]| {
        for fixture in set {
            let updates = fixtures::read_all(&fixture.carrier, std::hint::black_box(&fixture.body))
                .expect("fixture reads");
            std::hint::black_box(updates);
        }
    };
    let mut group = c.benchmark_group("normalize");
    let every: Vec<&fixtures::Fixture> = all.iter().collect();
    group.throughput(Throughput::Elements(every.len() as u64));
    group.bench_function("corpus", |b| b.iter(|| read_each(&every)));
    // The answers `benches/karrio_tracking.py` reads with karrio (it has no Shippo or
    // sandbox reader): the two figures compare like with like.
    let karrio_set: Vec<&fixtures::Fixture> = all
        .iter()
        .filter(|f| KARRIO_READS.contains(&f.carrier.as_str()))
        .collect();
    group.throughput(Throughput::Elements(karrio_set.len() as u64));
    group.bench_function("karrio_set", |b| b.iter(|| read_each(&karrio_set)));
    group.finish();
    let mut per_carrier = c.benchmark_group("normalize_by_carrier");
    for carrier in backhaul_carriers::TRACKING_READERS {
        let set: Vec<&fixtures::Fixture> = all.iter().filter(|f| f.carrier == carrier).collect();
        per_carrier.throughput(Throughput::Elements(set.len() as u64));
        per_carrier.bench_function(carrier, |b| b.iter(|| read_each(&set)));
    }
    per_carrier.finish();
}

criterion_group!(benches, normalize);
criterion_main!(benches);
