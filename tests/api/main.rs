//! Integration tests: the real service over real HTTP, on SQLite and on PostgreSQL.

mod helpers;

mod auth;
mod bench;
mod browser;
mod catalog;
mod customer_email;
mod email;
mod errors;
mod exchanges;
mod finance_pages;
mod idempotency;
mod labels;
mod layout;
mod lookup;
mod openapi;
mod ops;
mod orders;
mod pages;
mod paging;
mod photos;
mod refunds;
mod repairs;
mod rmas;
mod security;
mod smtp_sink;
mod storage;
mod track_parse;
mod tracking;
mod warehouse;
mod words;
