//! Back-off after failed guesses (a staff password, a customer's order details): a few
//! failures are free, then each further one blocks the key for twice as long as the
//! last, up to a ceiling. Failures are forgotten once the key has been quiet for a
//! window. Pure: the caller stores the counts and passes `now` in.

use chrono::{DateTime, Duration, Utc};

/// How many failures a key may have before it is blocked, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    /// Failures before the first block: the `free`th failure blocks the key.
    pub free: u32,
    /// The first block; each further failure doubles it.
    pub first_block: Duration,
    /// No block is longer than this.
    pub max_block: Duration,
    /// Failures older than this (counted from the last one) are forgotten.
    pub forget_after: Duration,
}

/// What is stored per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last_at: DateTime<Utc>,
    pub blocked_until: Option<DateTime<Utc>>,
}

impl ThrottleRule {
    /// Seconds to wait before the key may try again, if it is blocked now.
    pub fn retry_after(&self, now: DateTime<Utc>, stored: Option<&Failures>) -> Option<u64> {
        let until = stored?.blocked_until?;
        let wait = (until - now).num_milliseconds();
        // Round up: a client told "0 s" would retry at once and be refused again.
        (wait > 0).then(|| u64::try_from((wait + 999) / 1000).unwrap_or(1))
    }

    /// The key's record after one more failure at `now`.
    pub fn after_failure(&self, now: DateTime<Utc>, stored: Option<&Failures>) -> Failures {
        let earlier = stored
            .filter(|f| now - f.last_at <= self.forget_after)
            .map_or(0, |f| f.count);
        let count = earlier.saturating_add(1);
        Failures {
            count,
            last_at: now,
            blocked_until: self.block_for(count).map(|d| now + d),
        }
    }

    /// Failures forgotten after an hour of quiet; blocks from a second up to `max_block`.
    pub fn hourly(free: u32, max_block: Duration) -> ThrottleRule {
        ThrottleRule {
            free,
            first_block: Duration::seconds(1),
            max_block,
            forget_after: Duration::hours(1),
        }
    }

    /// How long the `count`th failure blocks the key: the `free`th blocks for
    /// `first_block`, each one after for twice as long.
    fn block_for(&self, count: u32) -> Option<Duration> {
        let doublings = count.checked_sub(self.free)?.min(30);
        let block = self
            .first_block
            .checked_mul(1 << doublings)
            .unwrap_or(self.max_block);
        Some(block.min(self.max_block))
    }
}

/// A key's record once an attempt counted in advance (`written` over `before`) turned
/// out right: if nothing else counted on the key since, it is as before the attempt;
/// otherwise one failure fewer, keeping the blocks the others earned. `None`: nothing
/// left to keep.
pub fn give_back(
    current: &Failures,
    written: &Failures,
    before: Option<&Failures>,
) -> Option<Failures> {
    let back = if current == written {
        before.copied()
    } else {
        Some(Failures {
            count: current.count.saturating_sub(1),
            ..*current
        })
    };
    back.filter(|f| f.count > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
            .single()
            .expect("time")
    }

    const RULE: ThrottleRule = ThrottleRule {
        free: 3,
        first_block: Duration::seconds(1),
        max_block: Duration::seconds(60),
        forget_after: Duration::hours(1),
    };

    #[test]
    fn blocks_double_after_the_free_failures() {
        // (failures so far, block after the next one in seconds)
        let table = [
            (0, None),
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, Some(4)),
            (6, Some(16)),
            (7, Some(32)),
            (8, Some(60)),
            (200, Some(60)),
        ];
        for (count, block) in table {
            let stored = Failures {
                count,
                last_at: t0(),
                blocked_until: None,
            };
            let next = RULE.after_failure(t0(), Some(&stored));
            assert_eq!(next.count, count + 1);
            assert_eq!(
                next.blocked_until.map(|u| (u - t0()).num_seconds()),
                block,
                "after {} failures",
                count + 1
            );
        }
    }

    #[test]
    fn a_success_gives_back_the_attempt_it_counted() {
        let four = Failures {
            count: 4,
            last_at: t0() - Duration::minutes(10),
            blocked_until: Some(t0() - Duration::minutes(5)),
        };
        // The attempt's own count and block go; the earlier record comes back whole.
        let written = RULE.after_failure(t0(), Some(&four));
        assert!(written.blocked_until.is_some());
        assert_eq!(give_back(&written, &written, Some(&four)), Some(four));
        let first = RULE.after_failure(t0(), None);
        assert_eq!(give_back(&first, &first, None), None);
        // Someone else failed meanwhile: their count and block stay.
        let theirs = RULE.after_failure(t0() + Duration::seconds(1), Some(&written));
        let back = give_back(&theirs, &written, Some(&four)).expect("kept");
        assert_eq!(back.count, written.count);
        assert_eq!(back.blocked_until, theirs.blocked_until);
    }

    #[test]
    fn a_blocked_key_waits_and_quiet_keys_are_forgotten() {
        let blocked = Failures {
            count: 5,
            last_at: t0(),
            blocked_until: Some(t0() + Duration::milliseconds(4_200)),
        };
        assert_eq!(RULE.retry_after(t0(), Some(&blocked)), Some(5));
        assert_eq!(
            RULE.retry_after(t0() + Duration::seconds(5), Some(&blocked)),
            None
        );
        assert_eq!(RULE.retry_after(t0(), None), None);
        let later = RULE.after_failure(t0() + Duration::hours(2), Some(&blocked));
        assert_eq!(later.count, 1, "forgotten after an hour of quiet");
        assert_eq!(later.blocked_until, None);
    }
}
