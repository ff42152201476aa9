//! A fixed-window rate limiter for the public order look-up, keyed by client address and
//! by order number, so neither one client nor many clients can guess emails for an order.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

const WINDOW_SECS: i64 = 60;

impl RateLimiter {
    /// Counts one hit for `key` at `now_secs`; `Err(retry_after_secs)` once over `limit`
    /// per minute.
    pub fn hit(&self, key: &str, limit: u32, now_secs: i64) -> Result<(), u64> {
        let window = now_secs.div_euclid(WINDOW_SECS);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, (w, _)| *w == window);
        }
        let entry = windows.entry(key.to_string()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= limit {
            let retry = (window + 1) * WINDOW_SECS - now_secs;
            return Err(u64::try_from(retry.max(1)).unwrap_or(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_limit_then_says_when_to_retry() {
        let limiter = RateLimiter::default();
        let t = 1_000_040; // 20 s into a window (1_000_020 is a multiple of 60)
        for _ in 0..3 {
            assert_eq!(limiter.hit("ip:1", 3, t), Ok(()));
        }
        assert_eq!(limiter.hit("ip:1", 3, t), Err(40));
        assert_eq!(limiter.hit("ip:2", 3, t), Ok(()), "other keys are separate");
        assert_eq!(
            limiter.hit("ip:1", 3, t + 40),
            Ok(()),
            "a new window starts"
        );
    }
}
