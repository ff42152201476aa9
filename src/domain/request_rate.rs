//! A per-minute request limit by the generic cell rate algorithm (GCRA): a burst up to
//! the limit is allowed, then one request per `60 s / limit`, so there is no window
//! boundary to straddle for twice the limit. Pure: the caller keeps, per key, when its
//! next request is due (in memory on one instance, in the database across several).

/// Counts a request at `now_ms` for a key whose next request was due at `next_at_ms`
/// (`None`: a key not seen, or long quiet): `Ok` with the new due time to keep, or
/// `Err` with the seconds to wait when it comes sooner than `per_minute` allows.
pub fn admit(next_at_ms: Option<i64>, per_minute: u32, now_ms: i64) -> Result<i64, u64> {
    let pace = Pace::of(per_minute);
    let at = next_at_ms.unwrap_or(now_ms).max(now_ms);
    if at - now_ms > pace.burst_ms {
        return Err(pace.wait_seconds(at, now_ms));
    }
    Ok(at + pace.interval_ms)
}

/// The numbers of a per-minute limit, for [`admit`] and for a database that applies
/// the same rule in one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Between two requests at the steady pace.
    pub interval_ms: i64,
    /// How far ahead of now the due time may run before requests wait.
    pub burst_ms: i64,
}

impl Pace {
    pub fn of(per_minute: u32) -> Pace {
        let per_minute = i64::from(per_minute.max(1));
        let interval_ms = 60_000 / per_minute;
        Pace {
            interval_ms,
            burst_ms: interval_ms * (per_minute - 1),
        }
    }

    /// Whole seconds (at least one) until a key due at `next_at_ms` may ask again.
    pub fn wait_seconds(&self, next_at_ms: i64, now_ms: i64) -> u64 {
        let wait_ms = next_at_ms - self.burst_ms - now_ms;
        u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admissions() {
        let t = 1_000_000;
        /// Due at, per minute, now, and the answer.
        type Case = (Option<i64>, u32, i64, Result<i64, u64>);
        let cases: [Case; 7] = [
            (None, 3, t, Ok(t + 20_000)),
            (Some(t - 5_000), 3, t, Ok(t + 20_000)),
            // Three at once fill the burst of three a minute ...
            (Some(t + 40_000), 3, t, Ok(t + 60_000)),
            // ... and the fourth waits for the pace: one every 20 s.
            (Some(t + 60_000), 3, t, Err(20)),
            (Some(t + 60_000), 3, t + 20_000, Ok(t + 80_000)),
            // A part of a second to wait is a whole second.
            (Some(t + 60_001), 3, t + 20_000, Err(1)),
            (None, 0, t, Ok(t + 60_000)),
        ];
        for (due, per_minute, now, expected) in cases {
            assert_eq!(
                admit(due, per_minute, now),
                expected,
                "{due:?} {per_minute} {now}"
            );
        }
    }
}
