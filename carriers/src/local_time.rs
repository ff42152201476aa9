//! Carriers that send local times without an offset (UPS, and DHL or USPS at times)
//! leave it to us to know where the scan happened. This turns such a time into UTC from
//! the scan's country, and for countries that span several zones, its state or
//! province. Where the place is unknown the time is read as UTC; callers keep the raw
//! text either way.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::Location;

/// Countries that use one zone, by ISO code.
const COUNTRIES: &[(&str, Tz)] = &[
    ("AT", Tz::Europe__Vienna),
    ("BE", Tz::Europe__Brussels),
    ("BG", Tz::Europe__Sofia),
    ("CH", Tz::Europe__Zurich),
    ("CN", Tz::Asia__Shanghai),
    ("CZ", Tz::Europe__Prague),
    ("DE", Tz::Europe__Berlin),
    ("DK", Tz::Europe__Copenhagen),
    ("EE", Tz::Europe__Tallinn),
    ("ES", Tz::Europe__Madrid),
    ("FI", Tz::Europe__Helsinki),
    ("FR", Tz::Europe__Paris),
    ("GB", Tz::Europe__London),
    ("GR", Tz::Europe__Athens),
    ("HK", Tz::Asia__Hong_Kong),
    ("HR", Tz::Europe__Zagreb),
    ("HU", Tz::Europe__Budapest),
    ("IE", Tz::Europe__Dublin),
    ("IL", Tz::Asia__Jerusalem),
    ("IN", Tz::Asia__Kolkata),
    ("IS", Tz::Atlantic__Reykjavik),
    ("IT", Tz::Europe__Rome),
    ("JP", Tz::Asia__Tokyo),
    ("KR", Tz::Asia__Seoul),
    ("LT", Tz::Europe__Vilnius),
    ("LU", Tz::Europe__Luxembourg),
    ("LV", Tz::Europe__Riga),
    ("NL", Tz::Europe__Amsterdam),
    ("NO", Tz::Europe__Oslo),
    ("NZ", Tz::Pacific__Auckland),
    ("PL", Tz::Europe__Warsaw),
    ("PT", Tz::Europe__Lisbon),
    ("RO", Tz::Europe__Bucharest),
    ("SE", Tz::Europe__Stockholm),
    ("SG", Tz::Asia__Singapore),
    ("SI", Tz::Europe__Ljubljana),
    ("SK", Tz::Europe__Bratislava),
    ("TR", Tz::Europe__Istanbul),
    ("TW", Tz::Asia__Taipei),
    ("AE", Tz::Asia__Dubai),
];

/// US states by zone (the zone that covers most of the state).
const US_STATES: &[(&[&str], Tz)] = &[
    (
        &[
            "CT", "DE", "DC", "FL", "GA", "IN", "ME", "MD", "MA", "MI", "NH", "NJ", "NY", "NC",
            "OH", "PA", "RI", "SC", "VT", "VA", "WV", "KY",
        ],
        Tz::America__New_York,
    ),
    (
        &[
            "AL", "AR", "IL", "IA", "KS", "LA", "MN", "MS", "MO", "NE", "ND", "OK", "SD", "TN",
            "TX", "WI",
        ],
        Tz::America__Chicago,
    ),
    (&["CO", "ID", "MT", "NM", "UT", "WY"], Tz::America__Denver),
    (&["AZ"], Tz::America__Phoenix),
    (&["CA", "NV", "OR", "WA"], Tz::America__Los_Angeles),
    (&["AK"], Tz::America__Anchorage),
    (&["HI"], Tz::Pacific__Honolulu),
];

const CA_PROVINCES: &[(&[&str], Tz)] = &[
    (&["ON", "QC"], Tz::America__Toronto),
    (&["MB"], Tz::America__Winnipeg),
    (&["SK"], Tz::America__Regina),
    (&["AB"], Tz::America__Edmonton),
    (&["BC"], Tz::America__Vancouver),
    (&["NS", "NB", "PE"], Tz::America__Halifax),
    (&["NL"], Tz::America__St_Johns),
];

const AU_STATES: &[(&[&str], Tz)] = &[
    (&["NSW", "ACT"], Tz::Australia__Sydney),
    (&["VIC"], Tz::Australia__Melbourne),
    (&["QLD"], Tz::Australia__Brisbane),
    (&["SA"], Tz::Australia__Adelaide),
    (&["WA"], Tz::Australia__Perth),
    (&["TAS"], Tz::Australia__Hobart),
    (&["NT"], Tz::Australia__Darwin),
];

/// The zone of a scan's place, if we know it.
pub fn zone(location: &Location) -> Option<Tz> {
    zone_of(location.country.as_deref()?, location.region.as_deref())
}

/// The zone of a country (ISO 3166 alpha-2) and, where it spans several, its state or
/// province; `None` when we do not know it.
pub fn zone_of(country: &str, region: Option<&str>) -> Option<Tz> {
    let country = country.trim().to_ascii_uppercase();
    let region = region.map(|r| r.trim().to_ascii_uppercase());
    let in_table = |table: &[(&[&str], Tz)]| {
        let region = region.as_deref()?;
        table
            .iter()
            .find(|(codes, _)| codes.contains(&region))
            .map(|(_, tz)| *tz)
    };
    match country.as_str() {
        "US" => in_table(US_STATES),
        "CA" => in_table(CA_PROVINCES),
        "AU" => in_table(AU_STATES),
        _ => COUNTRIES
            .iter()
            .find(|(c, _)| *c == country)
            .map(|(_, tz)| *tz),
    }
}

/// A local wall-clock time at `location`, in UTC. In the hour a clock is set back
/// the earlier instant is taken; in the hour that does not exist, or where the place is
/// unknown, the time is read as UTC.
pub fn to_utc(local: NaiveDateTime, location: &Location) -> DateTime<Utc> {
    zone(location)
        .and_then(|tz| tz.from_local_datetime(&local).earliest())
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(country: &str, region: Option<&str>) -> Location {
        Location {
            country: Some(country.into()),
            region: region.map(str::to_string),
            ..Location::default()
        }
    }

    #[test]
    fn local_times_become_utc_by_place() {
        let local = NaiveDateTime::parse_from_str("2026-11-21 10:15:00", "%Y-%m-%d %H:%M:%S")
            .expect("time");
        let summer = NaiveDateTime::parse_from_str("2026-07-21 10:15:00", "%Y-%m-%d %H:%M:%S")
            .expect("time");
        let table = [
            (local, at("DE", None), "2026-11-21T09:15:00+00:00"),
            (summer, at("DE", None), "2026-07-21T08:15:00+00:00"),
            (local, at("US", Some("NJ")), "2026-11-21T15:15:00+00:00"),
            (local, at("us", Some("ca")), "2026-11-21T18:15:00+00:00"),
            (local, at("JP", None), "2026-11-21T01:15:00+00:00"),
            (local, at("AU", Some("NSW")), "2026-11-20T23:15:00+00:00"),
            (local, at("US", None), "2026-11-21T10:15:00+00:00"),
            (local, at("XX", None), "2026-11-21T10:15:00+00:00"),
        ];
        for (time, place, utc) in table {
            assert_eq!(to_utc(time, &place).to_rfc3339(), utc, "{place:?}");
        }
    }
}
