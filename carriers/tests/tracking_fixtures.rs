//! Every fixture answer reads to the status its file name says, with its events oldest
//! first in UTC; a cut-off answer is a typed error, never a panic.

mod fixtures;

use backhaul_carriers::CarrierError;

#[test]
fn every_fixture_reads_to_its_named_status() {
    let all = fixtures::tracking();
    let carriers: std::collections::BTreeSet<&str> =
        all.iter().map(|f| f.carrier.as_str()).collect();
    assert_eq!(
        carriers.into_iter().collect::<Vec<_>>(),
        ["dhl", "easypost", "fedex", "shippo", "ups", "usps"]
    );
    for fixture in &all {
        let update = fixtures::read(&fixture.carrier, &fixture.body)
            .unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
        assert_eq!(
            (update.status, update.exception),
            (fixture.status, fixture.exception),
            "{}",
            fixture.name
        );
        assert_eq!(update.carrier, fixture.carrier, "{}", fixture.name);
        assert_eq!(
            update.tracking_number,
            fixtures::number(&fixture.carrier),
            "{}",
            fixture.name
        );
        assert!(update.events.len() >= 3, "{}: events", fixture.name);
        assert!(
            update.events.windows(2).all(|w| w[0].at <= w[1].at),
            "{}: oldest first",
            fixture.name
        );
        assert!(
            update
                .events
                .iter()
                .all(|e| e.at.timestamp() > 1_700_000_000),
            "{}: every event time was read",
            fixture.name
        );
    }
}

#[test]
fn a_cut_off_answer_is_malformed() {
    for fixture in fixtures::tracking() {
        let cut = &fixture.body[..fixture.body.len() / 2];
        match fixtures::read(&fixture.carrier, cut) {
            Err(CarrierError::Malformed { carrier, .. }) => assert_eq!(carrier, fixture.carrier),
            other => panic!("{}: {other:?}", fixture.name),
        }
    }
}
