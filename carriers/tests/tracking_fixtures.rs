//! The conformance corpus: every answer reads to the outcomes its file name says, each
//! parcel named, its events oldest first with every time read (none in 1970); a
//! cut-off answer is a typed error, never a panic.

mod fixtures;

use backhaul_carriers::{CarrierError, TrackingStatus};

/// Readings every file of the corpus must agree with.
fn check(
    name: &str,
    carrier: &str,
    updates: &[backhaul_carriers::TrackingUpdate],
    expected: &[(TrackingStatus, Option<backhaul_carriers::ExceptionKind>)],
) {
    let read: Vec<_> = updates.iter().map(|u| (u.status, u.exception)).collect();
    assert_eq!(read, expected, "{name}");
    for u in updates {
        assert_eq!(u.carrier, carrier, "{name}");
        if u.status == TrackingStatus::Unknown && u.events.is_empty() {
            continue;
        }
        assert!(!u.tracking_number.is_empty(), "{name}: the parcel is named");
        assert!(!u.events.is_empty(), "{name}: events");
        assert!(
            u.events.windows(2).all(|w| w[0].at <= w[1].at),
            "{name}: oldest first"
        );
        for e in &u.events {
            assert!(
                e.at.timestamp() > 1_600_000_000,
                "{name}: {} read as {}",
                e.raw_time,
                e.at
            );
        }
    }
}

#[test]
fn every_answer_reads_to_its_named_outcomes() {
    let all = fixtures::tracking();
    let carriers: std::collections::BTreeSet<&str> =
        all.iter().map(|f| f.carrier.as_str()).collect();
    assert_eq!(
        carriers.into_iter().collect::<Vec<_>>(),
        ["dhl", "easypost", "fedex", "sandbox", "shippo", "ups", "usps"]
    );
    // Every misreading at once, not only the first.
    let wrong: Vec<String> = all
        .iter()
        .filter_map(|fixture| {
            let read = std::panic::catch_unwind(|| {
                let updates = fixtures::read_all(&fixture.carrier, &fixture.body)
                    .unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
                check(&fixture.name, &fixture.carrier, &updates, &fixture.expected);
            });
            read.err().map(|_| fixture.name.clone())
        })
        .collect();
    assert!(wrong.is_empty(), "misread: {wrong:#?}");
}

#[test]
fn a_poll_reads_the_parcel_it_asked_about() {
    for fixture in fixtures::tracking()
        .iter()
        .filter(|f| f.expected.len() == 1)
    {
        let update = fixtures::read(&fixture.carrier, &fixture.body)
            .unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
        assert_eq!(
            update.tracking_number,
            fixtures::number(&fixture.carrier),
            "{}",
            fixture.name
        );
    }
}

#[test]
fn a_cut_off_answer_is_malformed() {
    for fixture in fixtures::tracking()
        .iter()
        .filter(|f| f.carrier != "sandbox")
    {
        let cut = &fixture.body[..fixture.body.len() / 2];
        match fixtures::read_all(&fixture.carrier, cut) {
            Err(CarrierError::Malformed { carrier, .. }) => assert_eq!(carrier, fixture.carrier),
            other => panic!("{}: {other:?}", fixture.name),
        }
    }
}

#[test]
fn garbage_is_malformed_for_every_carrier() {
    let garbage: [&[u8]; 5] = [
        b"",
        b"   \n",
        b"<html><head><title>502 Bad Gateway</title></head></html>",
        b"{\"trackResp",
        b"[1, 2, 3]",
    ];
    for carrier in backhaul_carriers::TRACKING_READERS {
        for body in garbage {
            match fixtures::read_all(carrier, body) {
                Err(CarrierError::Malformed {
                    carrier: named,
                    message,
                }) => {
                    assert_eq!(named, carrier);
                    assert!(!message.contains('\n'), "{carrier}: one line");
                }
                other => panic!("{carrier} {:?}: {other:?}", String::from_utf8_lossy(body)),
            }
        }
    }
}
