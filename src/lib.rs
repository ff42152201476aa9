//! Backhaul: returns logistics and RMA tracking for online shops.
//!
//! [`startup::Application`] serves [`core::Core`], built from [`config::Settings`]; `domain` holds
//! the pure returns rules, `db` the storage on SQLite or PostgreSQL, `api` the JSON API,
//! and `returns` the flow that ties a policy decision to a stored RMA.

pub mod api;
pub mod auth;
pub mod config;
pub mod core;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod exchange_offers;
pub mod fulfilments;
pub mod guesses;
pub mod i18n;
pub mod import;
pub mod inspection;
pub mod labels;
pub mod lookup;
pub mod metrics;
pub mod notify;
pub mod packing_slip;
pub mod paging;
pub mod photos;
pub mod receiving;
pub mod refunds;
pub mod repairs;
pub mod returns;
pub mod rmas;
pub mod staff_search;
pub mod startup;
pub mod telemetry;
pub mod tracking;
pub mod warehouse_queues;
pub mod web;
