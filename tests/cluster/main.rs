//! Three instances of the real binary on one PostgreSQL, returns driven through all of
//! them while instances are killed (SIGKILL) and started again: every passed return has
//! exactly one refund trigger and its email, a repeated email only ever with the same
//! Message-ID, every RMA's status explained by its audit trail. `examples/cluster.rs`
//! runs the same with more of everything.

#[allow(dead_code)]
#[path = "../api/smtp_sink.rs"]
mod smtp_sink;

mod driver;

use diesel::{Connection, RunQueryDsl};

/// A fresh database on the test PostgreSQL server (scripts/test starts one).
fn fresh_database() -> String {
    let admin = std::env::var("BACKHAUL_TEST_POSTGRES_URL")
        .expect("the cluster test needs BACKHAUL_TEST_POSTGRES_URL; run scripts/test");
    let name = format!("backhaul_cluster_{}", uuid::Uuid::new_v4().simple());
    let mut conn = diesel::PgConnection::establish(&admin).expect("connect to PostgreSQL");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .expect("create the database");
    let (base, _) = admin
        .rsplit_once('/')
        .expect("an admin URL ending in /DATABASE");
    format!("{base}/{name}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_lose_nothing_while_killed() {
    let plan = driver::Plan {
        instances: 3,
        returns: 60,
        kills: 10,
        concurrency: 6,
        binary: env!("CARGO_BIN_EXE_backhaul").into(),
        database_url: fresh_database(),
        log_dir: driver::log_dir("test"),
    };
    let logs = plan.log_dir.clone();
    let outcome = driver::run(plan).await;
    eprintln!("{}", outcome.line());
    eprintln!("{}; logs in {}", outcome.details(), logs.display());
    assert_eq!(outcome.kills, 10);
    assert_eq!(outcome.returns, 60);
    assert!(outcome.sound(), "{outcome:#?}");
    // Within the 45 s lease: a killed instance's messages were not left to run out.
    assert!(outcome.last_email_after_last_kill < 40.0, "{outcome:#?}");
}
