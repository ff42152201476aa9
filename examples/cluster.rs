//! Runs a cluster of Backhaul instances on one PostgreSQL and kills them while returns
//! go through (issue 16; the test command runs a small one, `tests/cluster`).
//!
//! ```sh
//! cargo build --release
//! createdb backhaul_cluster   # an empty database
//! cargo run --release --example cluster -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/backhaul_cluster \
//!     --instances 3 --returns 1000 --kills 16
//! ```
//!
//! The last line is `cluster: N instances, K kills, R returns, 0 lost, 0 double, D
//! repeats (same Message-ID), last email T s after last kill`; the exit status is 1 when
//! anything was lost, doubled or unexplained. Instance logs go to `target/cluster/`.

use std::path::PathBuf;

use clap::Parser;

#[allow(dead_code)]
#[path = "../tests/api/smtp_sink.rs"]
mod smtp_sink;

#[path = "../tests/cluster/driver.rs"]
mod driver;

#[derive(Parser, Debug)]
struct Args {
    /// An empty PostgreSQL database.
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 3)]
    instances: usize,
    #[arg(long, default_value_t = 1000)]
    returns: usize,
    #[arg(long, default_value_t = 16)]
    kills: usize,
    /// Returns on their way at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// The binary the instances run.
    #[arg(long, default_value = "target/release/backhaul")]
    binary: PathBuf,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if !args.binary.exists() {
        eprintln!(
            "{} is missing: cargo build --release first",
            args.binary.display()
        );
        std::process::exit(2);
    }
    let plan = driver::Plan {
        instances: args.instances.max(1),
        returns: args.returns,
        kills: args.kills,
        concurrency: args.concurrency,
        binary: args.binary,
        database_url: args.database_url,
        log_dir: driver::log_dir("example"),
    };
    let outcome = driver::run(plan).await;
    eprintln!("{}", outcome.details());
    println!("{}", outcome.line());
    if !outcome.sound() {
        eprintln!("{outcome:#?}");
        std::process::exit(1);
    }
}
