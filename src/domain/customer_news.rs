//! Which changes of an RMA the customer is told about by email, and how soon. In-transit
//! and delivered-to-warehouse scans are left to the carrier's own messages; "closed"
//! follows a refund or exchange the customer already heard of.

use chrono::Duration;

use super::RmaStatus;

/// Statuses that follow each other within this long make one email (the last), so an
/// RMA authorized and given its label at once is one message with the label.
pub fn delay() -> Duration {
    Duration::minutes(2)
}

/// Whether reaching `status` is news for the customer.
pub fn tells_customer(status: RmaStatus) -> bool {
    use RmaStatus as S;
    match status {
        S::Requested
        | S::Authorized
        | S::Rejected
        | S::LabelIssued
        | S::Received
        | S::Inspected
        | S::RefundTriggered
        | S::Cancelled
        | S::Expired => true,
        S::InTransit | S::DeliveredToWarehouse | S::Closed => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_hear_of_decisions_labels_arrival_and_money() {
        use RmaStatus as S;
        let table = [
            (S::Requested, true),
            (S::Authorized, true),
            (S::Rejected, true),
            (S::LabelIssued, true),
            (S::InTransit, false),
            (S::DeliveredToWarehouse, false),
            (S::Received, true),
            (S::Inspected, true),
            (S::RefundTriggered, true),
            (S::Closed, false),
            (S::Cancelled, true),
            (S::Expired, true),
        ];
        for (status, told) in table {
            assert_eq!(tells_customer(status), told, "{status}");
        }
    }
}
