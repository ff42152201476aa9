//! Repairs: a faulty item under warranty comes in, is repaired and goes back to the
//! customer, or cannot be repaired and the policy's fallback (a replacement or a
//! refund) follows. The statuses and the one function that says which move is allowed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::rma_status::string_enum;

string_enum! {
    /// Where a repair is.
    RepairStatus {
        Received => "received",
        Repairing => "repairing",
        Repaired => "repaired",
        ShippedBack => "shipped_back",
        Unrepairable => "unrepairable",
    }
}

string_enum! {
    /// What follows an item that cannot be repaired.
    RepairFallback {
        Replacement => "replacement",
        Refund => "refund",
    }
}

/// A move a repair may not make, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a repair that is {from} cannot become {to}")]
pub struct IllegalRepairMove {
    pub from: RepairStatus,
    pub to: RepairStatus,
}

/// Whether a repair may move from `from` to `to`: forward one step at a time, or to
/// `unrepairable` from the bench (received or repairing). Shipped back and unrepairable
/// are the end.
pub fn repair_move(from: RepairStatus, to: RepairStatus) -> Result<(), IllegalRepairMove> {
    use RepairStatus as S;
    let allowed = matches!(
        (from, to),
        (S::Received, S::Repairing)
            | (S::Repairing, S::Repaired)
            | (S::Repaired, S::ShippedBack)
            | (S::Received | S::Repairing, S::Unrepairable)
    );
    allowed.then_some(()).ok_or(IllegalRepairMove { from, to })
}

/// `config/policy.toml`'s `[repair]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RepairRule {
    /// Days from delivery an item is under the shop's warranty, unless its category
    /// has its own in `warranty_days`.
    pub default_warranty_days: u32,
    /// Per category.
    #[serde(default)]
    pub warranty_days: std::collections::HashMap<String, u32>,
    /// What follows an item that cannot be repaired.
    pub fallback: RepairFallback,
}

impl Default for RepairRule {
    fn default() -> Self {
        RepairRule {
            default_warranty_days: 730,
            warranty_days: Default::default(),
            fallback: RepairFallback::Refund,
        }
    }
}

impl RepairRule {
    /// The warranty of an item of `category`, in days.
    pub fn warranty_of(&self, category: &str) -> u32 {
        self.warranty_days
            .get(category)
            .copied()
            .unwrap_or(self.default_warranty_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RepairStatus as S;

    #[test]
    fn a_repair_moves_forward_or_ends_unrepairable() {
        // (from, to, allowed)
        let table = [
            (S::Received, S::Repairing, true),
            (S::Repairing, S::Repaired, true),
            (S::Repaired, S::ShippedBack, true),
            (S::Received, S::Unrepairable, true),
            (S::Repairing, S::Unrepairable, true),
            (S::Received, S::Repaired, false),
            (S::Received, S::ShippedBack, false),
            (S::Repaired, S::Unrepairable, false),
            (S::ShippedBack, S::Repairing, false),
            (S::Unrepairable, S::Repairing, false),
            (S::Repairing, S::Repairing, false),
        ];
        for (from, to, allowed) in table {
            assert_eq!(repair_move(from, to).is_ok(), allowed, "{from} → {to}");
        }
    }

    #[test]
    fn categories_may_have_their_own_warranty() {
        let rule = RepairRule {
            default_warranty_days: 730,
            warranty_days: [("electronics".to_string(), 365)].into(),
            fallback: RepairFallback::Refund,
        };
        assert_eq!(rule.warranty_of("electronics"), 365);
        assert_eq!(rule.warranty_of("apparel"), 730);
    }
}
