//! A rate limiter for the public order look-up, per client address: the generic cell
//! rate algorithm (GCRA). A burst up to the limit is allowed, then one request per
//! `60 s / limit`, so there is no window boundary to straddle for twice the limit.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct RateLimiter {
    /// Per key, the theoretical arrival time of the next request, in milliseconds.
    next_at: Mutex<HashMap<String, i64>>,
}

impl RateLimiter {
    /// Counts one request for `key` at `now_ms`; `Err(retry_after_secs)` when it comes
    /// sooner than `per_minute` allows.
    pub fn hit(&self, key: &str, per_minute: u32, now_ms: i64) -> Result<(), u64> {
        let interval = 60_000 / i64::from(per_minute.max(1));
        let burst = interval * i64::from(per_minute.max(1) - 1);
        let mut next_at = self.next_at.lock().unwrap_or_else(|p| p.into_inner());
        if next_at.len() > 100_000 {
            next_at.retain(|_, at| *at > now_ms);
        }
        let at = next_at.get(key).copied().unwrap_or(now_ms).max(now_ms);
        if at - now_ms > burst {
            let wait_ms = at - burst - now_ms;
            return Err(u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1));
        }
        next_at.insert(key.to_string(), at + interval);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_up_to_the_limit_then_an_even_pace() {
        let limiter = RateLimiter::default();
        let t = 1_000_000_000;
        for _ in 0..3 {
            assert_eq!(limiter.hit("ip:1", 3, t), Ok(()));
        }
        assert_eq!(limiter.hit("ip:1", 3, t), Err(20), "one every 20 s");
        assert_eq!(limiter.hit("ip:2", 3, t), Ok(()), "other keys are separate");
        assert_eq!(limiter.hit("ip:1", 3, t + 20_000), Ok(()));
        assert_eq!(limiter.hit("ip:1", 3, t + 20_000), Err(20));
    }

    #[test]
    fn no_double_burst_across_a_minute_boundary() {
        // A fixed window let 2 × limit through in a moment across its boundary.
        let limiter = RateLimiter::default();
        let start = 59_000;
        let mut allowed = 0;
        for ms in (start..start + 2_400).step_by(20) {
            if limiter.hit("ip:1", 30, ms).is_ok() {
                allowed += 1;
            }
        }
        assert!(allowed <= 32, "{allowed} allowed in 2.4 s");
    }
}
