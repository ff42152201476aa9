//! Tracking normalization: every fixture answer read by its adapter's reader (JSON
//! parse, mapping tables, local times to UTC). Goal: ≥ 20,000 answers/s on one core.
//!
//! `cargo bench -p backhaul-carriers --bench normalize`

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn normalize(c: &mut Criterion) {
    let all = fixtures::tracking();
    let mut group = c.benchmark_group("normalize");
    group.throughput(Throughput::Elements(all.len() as u64));
    group.bench_function("all_fixtures", |b| {
        b.iter(|| {
            for fixture in &all {
                let update = fixtures::read(&fixture.carrier, std::hint::black_box(&fixture.body))
                    .expect("fixture reads");
                std::hint::black_box(update);
            }
        })
    });
    group.finish();
    let mut per_carrier = c.benchmark_group("normalize_by_carrier");
    per_carrier.throughput(Throughput::Elements(1));
    for fixture in all.iter().filter(|f| f.name.ends_with("-delivered")) {
        per_carrier.bench_function(&fixture.carrier, |b| {
            b.iter(|| fixtures::read(&fixture.carrier, std::hint::black_box(&fixture.body)))
        });
    }
    per_carrier.finish();
}

criterion_group!(benches, normalize);
criterion_main!(benches);
