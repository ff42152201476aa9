//! The `backhaul` command: run the service, migrate, manage API keys, import orders.

use std::io::IsTerminal;
use std::process::ExitCode;

use std::sync::Arc;

use backhaul::config::{LogFormat, LogSettings, Settings};
use backhaul::core::{Core, SystemClock};
use backhaul::db::{api_keys, Db};
use backhaul::domain::Role;
use backhaul::error::AppError;
use backhaul::startup::Application;
use backhaul::{demo, import, telemetry, tracking};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "backhaul",
    version,
    about = "Returns logistics and RMA tracking for online shops"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (migrations run first).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080 (default: server.bind, 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        /// Load demo orders and print an admin key and a customer order to try.
        #[arg(long)]
        demo: bool,
    },
    /// Run pending database migrations and exit.
    Migrate,
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
    /// Manage the staff who sign in to the pages.
    Users {
        #[command(subcommand)]
        action: UsersCommand,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Poll carriers for the parcels that are due, as the service does every minute.
    /// Any number of these may run beside the service (leases keep them apart).
    Poll {
        /// One pass over what is due now, a summary as JSON, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Work with carrier tracking answers, offline.
    Track {
        #[command(subcommand)]
        action: TrackCommand,
    },
}

#[derive(Subcommand)]
enum TrackCommand {
    /// Read one raw tracking answer with the carrier adapter's own reader (no network)
    /// and print it normalized as JSON: an object for one parcel, an array for several.
    /// Exit 1 with a one-line message when the answer cannot be read.
    Parse {
        /// ups, fedex, usps, dhl, easypost, shippo or sandbox.
        #[arg(long)]
        carrier: String,
        /// The answer's file (standard input when left out).
        file: Option<std::path::PathBuf>,
        /// The number asked about, for answers that do not name their parcel (an
        /// error answer, say).
        #[arg(long)]
        number: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create an API key; the key is printed once, alone on the last line.
    Create {
        /// integration, warehouse, finance or admin.
        #[arg(long)]
        role: String,
        /// A name to recognise the key by.
        #[arg(long, default_value = "unnamed")]
        name: String,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a user; the password is read from standard input (one line, at least 12
    /// characters), so it stays out of the shell history.
    Create {
        #[arg(long)]
        username: String,
        /// warehouse, finance, admin or integration.
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import orders from a CSV file (one row per order line; see README).
    Orders {
        file: std::path::PathBuf,
        /// Import nothing if any row is bad.
        #[arg(long)]
        all_or_nothing: bool,
    },
    /// Import product groups, the alternatives exchanges offer, from a CSV file (one row
    /// per variant; each group replaces the stored one whole; see README).
    Catalog {
        file: std::path::PathBuf,
        /// Import nothing if any row is bad.
        #[arg(long)]
        all_or_nothing: bool,
    },
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn open_db(settings: &Settings) -> Result<Db, String> {
    let db = Db::connect(&settings.database.url, settings.database.pool_size)
        .map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    Ok(db)
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Reading an answer offline needs no settings: a broken config does not stop it.
    if let Command::Track {
        action:
            TrackCommand::Parse {
                carrier,
                file,
                number,
            },
    } = &cli.command
    {
        telemetry::init(&LogSettings {
            format: LogFormat::Pretty,
            level: "warn".into(),
        });
        return track_parse(carrier, file.as_deref(), number.as_deref());
    }
    let mut settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    telemetry::init(&settings.log);
    match cli.command {
        Command::Serve { bind, demo } => {
            if let Some(bind) = bind {
                settings.server.bind = bind;
            }
            serve(settings, demo).await
        }
        Command::Migrate => match open_db(&settings) {
            Ok(_) => {
                eprintln!("migrations are up to date");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Keys {
            action: KeysCommand::Create { role, name },
        } => {
            let role: Role = match role.parse() {
                Ok(r) => r,
                Err(e) => return fail(format!("--role: {e}")),
            };
            let db = match open_db(&settings) {
                Ok(db) => db,
                Err(e) => return fail(e),
            };
            let created = db.write_blocking(move |c| {
                api_keys::create(c, role, &name, chrono::Utc::now()).map_err(AppError::from)
            });
            match created {
                Ok((row, secret)) => {
                    eprintln!(
                        "created {} key {:?} (id {}); it is shown only now:",
                        row.role, row.name, row.id
                    );
                    println!("{secret}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Import {
            what:
                ImportCommand::Orders {
                    file,
                    all_or_nothing,
                },
        } => import_orders(&settings, &file, all_or_nothing),
        Command::Import {
            what:
                ImportCommand::Catalog {
                    file,
                    all_or_nothing,
                },
        } => import_catalog(&settings, &file, all_or_nothing),
        Command::Poll { once } => poll(settings, once).await,
        // Handled before the settings are read.
        Command::Track { .. } => ExitCode::SUCCESS,
        Command::Users {
            action: UsersCommand::Create { username, role },
        } => create_user(&settings, &username, &role),
    }
}

/// `backhaul track parse`: the answer in `file` (or standard input) read as `carrier`'s.
fn track_parse(carrier: &str, file: Option<&std::path::Path>, number: Option<&str>) -> ExitCode {
    use std::io::Read;
    let carrier = carrier.trim().to_ascii_lowercase();
    let read = match file {
        Some(path) => std::fs::read(path).map_err(|e| format!("{}: {e}", path.display())),
        None => {
            let mut body = Vec::new();
            std::io::stdin()
                .read_to_end(&mut body)
                .map(|_| body)
                .map_err(|e| format!("standard input: {e}"))
        }
    };
    let body = match read {
        Ok(body) => body,
        Err(e) => {
            eprintln!("{carrier}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let asked = backhaul_carriers::Asked {
        number,
        received_at: chrono::Utc::now(),
    };
    let updates = match backhaul_carriers::read_tracking_answer(&carrier, &body, &asked) {
        Ok(updates) => updates,
        Err(e) => {
            // One line, whatever the carrier put in its words.
            eprintln!("{}", e.to_string().replace(['\n', '\r'], " "));
            return ExitCode::FAILURE;
        }
    };
    let printed = match updates.as_slice() {
        [one] => serde_json::to_string_pretty(one),
        all => serde_json::to_string_pretty(all),
    };
    match printed {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{carrier}: cannot print the reading: {e}");
            ExitCode::FAILURE
        }
    }
}

fn create_user(settings: &Settings, username: &str, role: &str) -> ExitCode {
    let role: Role = match role.parse() {
        Ok(r) => r,
        Err(e) => return fail(format!("--role: {e}")),
    };
    let username = username.trim().to_string();
    if username.is_empty()
        || username.chars().count() > 64
        || username.contains(char::is_whitespace)
    {
        return fail("--username: 1 to 64 characters, no spaces");
    }
    let mut password = String::new();
    if std::io::stdin().read_line(&mut password).is_err() {
        return fail("could not read the password from standard input");
    }
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    if password.chars().count() < 12 {
        return fail("the password (standard input) must be at least 12 characters");
    }
    let db = match open_db(settings) {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    let name = username.clone();
    let created = db.write_blocking(move |c| {
        backhaul::db::staff::create_user(c, &name, role, &password, chrono::Utc::now())
    });
    match created {
        Ok(user) => {
            println!("created {} ({})", user.username, user.role);
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

async fn poll(settings: Settings, once: bool) -> ExitCode {
    let every = std::time::Duration::from_secs(settings.tracking.poll_every_seconds.max(1));
    let state = match Core::build(settings, Arc::new(SystemClock)).await {
        Ok(state) => state,
        Err(e) => return fail(e),
    };
    let owner = format!("poll-{}", std::process::id());
    loop {
        match tracking::poller::poll_once(&state, &owner).await {
            Ok(report) if once => {
                println!(
                    "{}",
                    serde_json::to_string(&report).unwrap_or_else(|_| format!("{report:?}"))
                );
                return ExitCode::SUCCESS;
            }
            Ok(report) => tracing::info!(?report, "tracking poll"),
            Err(e) if once => return fail(e),
            Err(e) => tracing::warn!(error = %e, "tracking poll failed; will retry"),
        }
        tokio::time::sleep(every).await;
    }
}

async fn serve(settings: Settings, demo: bool) -> ExitCode {
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(e) => return fail(e),
    };
    let state = app.state();
    let host = state
        .settings
        .server
        .bind
        .rsplit_once(':')
        .map_or("127.0.0.1", |(host, _)| host);
    let url = format!("http://{host}:{}", app.port());
    if demo {
        if let Err(e) = demo::load(&state).await {
            return fail(format!("loading demo data: {e}"));
        }
        let key = state
            .db
            .write(|c| {
                api_keys::create(c, Role::Admin, "demo admin", chrono::Utc::now())
                    .map_err(AppError::from)
            })
            .await;
        match key {
            Ok((_, secret)) => {
                println!("Backhaul demo is running at {url}");
                println!("  admin API key:     {secret}");
                println!(
                    "  try the customer flow with order {} and email {}",
                    demo::TRY_ORDER,
                    demo::TRY_EMAIL
                );
                println!("  e.g. curl -s -X POST {url}/api/v1/returns/lookup -H 'content-type: application/json' \\");
                println!(
                    "         -d '{{\"order_number\":\"{}\",\"email\":\"{}\"}}'",
                    demo::TRY_ORDER,
                    demo::TRY_EMAIL
                );
            }
            Err(e) => return fail(format!("creating the demo key: {e}")),
        }
    } else {
        tracing::info!(%url, "listening");
    }
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

/// The file to import and the database to import it into, or the exit code saying why
/// not.
fn open_import(
    settings: &Settings,
    file: &std::path::Path,
) -> Result<(std::io::BufReader<std::fs::File>, Db), ExitCode> {
    let reader = match std::fs::File::open(file) {
        Ok(f) => std::io::BufReader::new(f),
        Err(e) => return Err(fail(format!("cannot open {}: {e}", file.display()))),
    };
    let db = open_db(settings).map_err(fail)?;
    Ok((reader, db))
}

/// Prints an import's problems and `summary`; exit code 1 when any row was refused.
fn finish_import(
    rejected: &import::RowProblems,
    all_or_nothing: bool,
    summary: String,
) -> ExitCode {
    for (line, problem) in rejected {
        eprintln!("line {line}: {problem}");
    }
    if all_or_nothing && !rejected.is_empty() {
        eprintln!(
            "nothing imported: {} problems (--all-or-nothing)",
            rejected.len()
        );
        return ExitCode::from(1);
    }
    let n = rejected.len();
    println!("{summary}; {n} problem{}", if n == 1 { "" } else { "s" });
    if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn import_orders(settings: &Settings, file: &std::path::Path, all_or_nothing: bool) -> ExitCode {
    let (reader, db) = match open_import(settings, file) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let terminal = std::io::stderr().is_terminal();
    let options = import::ImportOptions {
        all_or_nothing,
        batch_size: 500,
    };
    let report = import::import_orders(&db, reader, options, chrono::Utc::now(), |done, total| {
        if terminal {
            eprint!("\rimported {done}/{total} orders");
        }
    });
    if terminal {
        eprintln!();
    }
    match report {
        Err(e) => fail(e),
        Ok(report) => finish_import(
            &report.rejected,
            all_or_nothing,
            format!(
                "imported {} orders ({} lines)",
                report.orders_imported, report.lines_imported
            ),
        ),
    }
}

fn import_catalog(settings: &Settings, file: &std::path::Path, all_or_nothing: bool) -> ExitCode {
    let (reader, db) = match open_import(settings, file) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    match import::catalog::import_catalog(&db, reader, all_or_nothing, chrono::Utc::now()) {
        Err(e) => fail(e),
        Ok(report) => finish_import(
            &report.rejected,
            all_or_nothing,
            format!(
                "imported {} product groups ({} variants)",
                report.groups_imported, report.variants_imported
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
