//! The RMA lifecycle: statuses, the events that move them, and the one function that
//! decides whether a move is allowed. Everything that changes an RMA's status goes
//! through [`transition`], so the rules live in this one table.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        // Stored as text: `db::stored_text` gives the chosen ones their `ToSql`/`FromSql`.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[serde(rename_all = "snake_case")]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::domain::schema::string_enum($name::ALL.iter().map(|v| v.as_str()))
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = crate::domain::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(crate::domain::UnknownValue {
                        value: s.to_string(),
                        expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    }),
                }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// Where an RMA is in its life.
    RmaStatus {
        Requested => "requested",
        Authorized => "authorized",
        Rejected => "rejected",
        LabelIssued => "label_issued",
        InTransit => "in_transit",
        DeliveredToWarehouse => "delivered_to_warehouse",
        Received => "received",
        Inspected => "inspected",
        RefundTriggered => "refund_triggered",
        Closed => "closed",
        Cancelled => "cancelled",
        Expired => "expired",
    }
}

string_enum! {
    /// Something that happens to an RMA.
    RmaEvent {
        Authorize => "authorize",
        Reject => "reject",
        Cancel => "cancel",
        IssueLabel => "issue_label",
        PickedUp => "picked_up",
        DeliveredToWarehouse => "delivered_to_warehouse",
        Receive => "receive",
        Inspect => "inspect",
        TriggerRefund => "trigger_refund",
        Close => "close",
        Expire => "expire",
    }
}

impl RmaStatus {
    /// No event moves an RMA out of these.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            RmaStatus::Rejected | RmaStatus::Closed | RmaStatus::Cancelled | RmaStatus::Expired
        )
    }

    /// Whether the RMA's quantities still count against the order line's returnable
    /// quantity. Rejected, cancelled and expired RMAs give the quantity back.
    pub fn holds_quantity(&self) -> bool {
        !matches!(
            self,
            RmaStatus::Rejected | RmaStatus::Cancelled | RmaStatus::Expired
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {event} an RMA that is {from}")]
pub struct IllegalTransition {
    pub from: RmaStatus,
    pub event: RmaEvent,
}

/// The lifecycle table: the status after `event`, or why it cannot happen.
pub fn transition(from: RmaStatus, event: RmaEvent) -> Result<RmaStatus, IllegalTransition> {
    use RmaEvent as E;
    use RmaStatus as S;
    let to = match (from, event) {
        (S::Requested, E::Authorize) => S::Authorized,
        (S::Requested, E::Reject) => S::Rejected,
        (S::Requested | S::Authorized | S::LabelIssued, E::Cancel) => S::Cancelled,
        (S::Authorized, E::IssueLabel) => S::LabelIssued,
        (S::Authorized | S::LabelIssued, E::Expire) => S::Expired,
        (S::LabelIssued, E::PickedUp) => S::InTransit,
        (S::LabelIssued | S::InTransit, E::DeliveredToWarehouse) => S::DeliveredToWarehouse,
        // A parcel can reach the bench before the carrier's scans reach us, or without
        // our label at all (the customer wrote the RMA number on the box).
        (S::Authorized | S::LabelIssued | S::InTransit | S::DeliveredToWarehouse, E::Receive) => {
            S::Received
        }
        (S::Received, E::Inspect) => S::Inspected,
        (S::Inspected, E::TriggerRefund) => S::RefundTriggered,
        // Keep-it resolutions are refunded without a parcel coming back.
        (S::Authorized, E::TriggerRefund) => S::RefundTriggered,
        (S::Inspected | S::RefundTriggered, E::Close) => S::Closed,
        _ => return Err(IllegalTransition { from, event }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RmaEvent as E;
    use RmaStatus as S;

    #[test]
    fn the_happy_path_runs_from_request_to_close() {
        let path = [
            (S::Requested, E::Authorize, S::Authorized),
            (S::Authorized, E::IssueLabel, S::LabelIssued),
            (S::LabelIssued, E::PickedUp, S::InTransit),
            (
                S::InTransit,
                E::DeliveredToWarehouse,
                S::DeliveredToWarehouse,
            ),
            (S::DeliveredToWarehouse, E::Receive, S::Received),
            (S::Received, E::Inspect, S::Inspected),
            (S::Inspected, E::TriggerRefund, S::RefundTriggered),
            (S::RefundTriggered, E::Close, S::Closed),
        ];
        for (from, event, to) in path {
            assert_eq!(transition(from, event), Ok(to), "{from} + {event}");
        }
    }

    #[test]
    fn side_roads_are_allowed() {
        let table = [
            (S::Requested, E::Reject, S::Rejected),
            (S::Requested, E::Cancel, S::Cancelled),
            (S::Authorized, E::Cancel, S::Cancelled),
            (S::LabelIssued, E::Cancel, S::Cancelled),
            (S::Authorized, E::Expire, S::Expired),
            (S::LabelIssued, E::Expire, S::Expired),
            (S::LabelIssued, E::Receive, S::Received),
            (S::Authorized, E::Receive, S::Received),
            (
                S::LabelIssued,
                E::DeliveredToWarehouse,
                S::DeliveredToWarehouse,
            ),
            (S::Authorized, E::TriggerRefund, S::RefundTriggered),
            (S::Inspected, E::Close, S::Closed),
        ];
        for (from, event, to) in table {
            assert_eq!(transition(from, event), Ok(to), "{from} + {event}");
        }
    }

    #[test]
    fn illegal_moves_name_both_sides() {
        let table = [
            (S::Authorized, E::Authorize),
            (S::Rejected, E::Authorize),
            (S::InTransit, E::Cancel),
            (S::Received, E::Cancel),
            (S::Requested, E::IssueLabel),
            (S::Requested, E::Receive),
            (S::Received, E::TriggerRefund),
            (S::Closed, E::Reject),
        ];
        for (from, event) in table {
            let err = transition(from, event).expect_err("illegal");
            assert_eq!(err, IllegalTransition { from, event });
            let message = err.to_string();
            assert!(
                message.contains(from.as_str()) && message.contains(event.as_str()),
                "{message}"
            );
        }
    }

    #[test]
    fn final_statuses_accept_no_event() {
        for &status in S::ALL.iter().filter(|s| s.is_final()) {
            for &event in E::ALL {
                assert!(transition(status, event).is_err(), "{status} + {event}");
            }
        }
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for &status in S::ALL {
            assert_eq!(status.as_str().parse::<S>(), Ok(status));
        }
        assert_eq!(S::ALL.len(), 12);
        assert!("shipped".parse::<S>().is_err());
    }
}
