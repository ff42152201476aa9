pub mod config;
pub mod db;
pub mod domain;
pub mod error;
