//! The public order look-up's per-minute limit per client address, counted in memory:
//! SQLite runs one instance. Several instances on PostgreSQL count in the database
//! instead (`db::request_rates`), with the same rule (`domain::request_rate`).

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
        let mut next_at = self.next_at.lock().unwrap_or_else(|p| p.into_inner());
        if next_at.len() > 100_000 {
            next_at.retain(|_, at| *at > now_ms);
        }
        let due =
            crate::domain::request_rate::admit(next_at.get(key).copied(), per_minute, now_ms)?;
        next_at.insert(key.to_string(), due);
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
