//! The fixed vocabularies of the API: why a customer returns, what they get back, and
//! who pays the label.

use super::rma_status::string_enum;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

string_enum! {
    /// Why the customer sends an item back.
    ReturnReason {
        Damaged => "damaged",
        Defective => "defective",
        WrongItem => "wrong_item",
        NotAsDescribed => "not_as_described",
        ArrivedLate => "arrived_late",
        ChangedMind => "changed_mind",
        NoLongerNeeded => "no_longer_needed",
        BetterPriceFound => "better_price_found",
        SizeTooSmall => "size_too_small",
        SizeTooLarge => "size_too_large",
        Other => "other",
    }
}

impl ReturnReason {
    /// The shop caused the return: free label, no restocking fee, longer window.
    pub fn is_seller_fault(&self) -> bool {
        matches!(
            self,
            ReturnReason::Damaged
                | ReturnReason::Defective
                | ReturnReason::WrongItem
                | ReturnReason::NotAsDescribed
        )
    }
}

string_enum! {
    /// What the customer gets for the return. `exchange_variant`: another variant of
    /// the same product (`exchange_for` on each line) at the same price, no money moves.
    /// `exchange_product`: any product of the catalogue (`exchange_for` on each line);
    /// the price difference is paid by the customer or refunded. `repair`: a defective
    /// or damaged item under warranty is repaired and sent back.
    Resolution {
        Refund => "refund",
        StoreCredit => "store_credit",
        Exchange => "exchange",
        ExchangeVariant => "exchange_variant",
        ExchangeProduct => "exchange_product",
        KeepIt => "keep_it",
        Repair => "repair",
    }
}

impl Resolution {
    /// How finance pays a refund for this resolution; `None` for an exchange, where a
    /// replacement ships instead (an exchange for a cheaper product refunds the
    /// difference to the original payment, see `inspection`).
    pub fn refund_method(&self) -> Option<RefundMethod> {
        match self {
            Resolution::StoreCredit => Some(RefundMethod::StoreCredit),
            Resolution::Refund | Resolution::KeepIt => Some(RefundMethod::OriginalPayment),
            Resolution::Exchange
            | Resolution::ExchangeVariant
            | Resolution::ExchangeProduct
            | Resolution::Repair => None,
        }
    }

    /// A replacement ships instead of money.
    pub fn ships_replacement(&self) -> bool {
        matches!(
            self,
            Resolution::Exchange | Resolution::ExchangeVariant | Resolution::ExchangeProduct
        )
    }

    /// Each line names what it is exchanged for (`exchange_for`).
    pub fn names_replacements(&self) -> bool {
        matches!(
            self,
            Resolution::ExchangeVariant | Resolution::ExchangeProduct
        )
    }
}

string_enum! {
    /// How finance settles a trigger: money back to the original payment, store credit,
    /// or an amount the customer owes (an exchange for a dearer product).
    RefundMethod {
        OriginalPayment => "original_payment",
        StoreCredit => "store_credit",
        ChargeCustomer => "charge_customer",
    }
}

impl RefundMethod {
    /// What finance does, as the CSVs' `action` column says it.
    pub fn action(&self) -> &'static str {
        match self {
            RefundMethod::OriginalPayment => "refund",
            RefundMethod::StoreCredit => "issue_store_credit",
            RefundMethod::ChargeCustomer => "charge_customer",
        }
    }
}

string_enum! {
    /// Where a replacement is: waiting in the warehouse, or on its way.
    FulfilmentStatus {
        ToShip => "to_ship",
        Shipped => "shipped",
    }
}

string_enum! {
    /// Who pays for the return label, or whether there is one at all.
    LabelPayer {
        Free => "free",
        CustomerPays => "customer_pays",
        KeepIt => "keep_it",
    }
}

string_enum! {
    /// The state an item came back in, as the inspector grades it.
    Condition {
        New => "new",
        LikeNew => "like_new",
        Used => "used",
        Damaged => "damaged",
        Missing => "missing",
        WrongItem => "wrong_item",
    }
}

impl Condition {
    /// Nothing of the ordered item came back: nothing to refund for it.
    pub fn is_absent(&self) -> bool {
        matches!(self, Condition::Missing | Condition::WrongItem)
    }
}

string_enum! {
    /// What the warehouse does with a returned item.
    Disposition {
        Restock => "restock",
        Refurbish => "refurbish",
        Liquidate => "liquidate",
        Scrap => "scrap",
        ReturnToCustomer => "return_to_customer",
        Repair => "repair",
    }
}

string_enum! {
    /// What an API key may do.
    Role {
        Integration => "integration",
        Warehouse => "warehouse",
        Finance => "finance",
        Admin => "admin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seller_fault_reasons_are_exactly_the_four_in_the_contract() {
        let seller: Vec<&str> = ReturnReason::ALL
            .iter()
            .filter(|r| r.is_seller_fault())
            .map(|r| r.as_str())
            .collect();
        assert_eq!(
            seller,
            ["damaged", "defective", "wrong_item", "not_as_described"]
        );
        assert_eq!(ReturnReason::ALL.len(), 11);
    }

    #[test]
    fn unknown_values_list_what_is_expected() {
        let err = "bored".parse::<ReturnReason>().expect_err("unknown");
        assert!(err.to_string().contains("changed_mind"), "{err}");
    }
}

string_enum! {
    /// Where a refund trigger stands: waiting for its email, emailed to finance,
    /// acknowledged by finance, or failed (its email was dead-lettered).
    TriggerStatus {
        Pending => "pending",
        Emailed => "emailed",
        Acknowledged => "acknowledged",
        Failed => "failed",
    }
}

string_enum! {
    /// Where an outbox message stands: waiting (or retrying), sent, not needed, or
    /// given up after its last try.
    OutboxStatus {
        Pending => "pending",
        Sent => "sent",
        Skipped => "skipped",
        Dead => "dead",
    }
}
