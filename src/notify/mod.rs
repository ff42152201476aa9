//! Outgoing email: the transports (an .eml file per message as the embedded default,
//! SMTP in production), the finance email for a refund trigger ([`finance`]), the
//! customer's email about their return ([`customer`]) and the dispatcher that drains
//! the outbox ([`dispatcher`]).

pub mod customer;
pub mod dispatcher;
pub mod finance;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{EmailSettings, EmailTransport, SmtpTls};

pub enum Mailer {
    File(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    /// The transport the settings name; the error names the setting.
    pub fn from_settings(settings: &EmailSettings) -> Result<Mailer, String> {
        match settings.transport {
            EmailTransport::File => {
                std::fs::create_dir_all(&settings.dir).map_err(|e| {
                    format!("email.dir: cannot create {}: {e}", settings.dir.display())
                })?;
                Ok(Mailer::File(AsyncFileTransport::new(&settings.dir)))
            }
            EmailTransport::Smtp => {
                let host = settings.smtp_host.as_str();
                let builder = match settings.smtp_tls {
                    SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
                    SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                        host,
                    )),
                }
                .map_err(|e| format!("email.smtp_host: {e}"))?;
                // As many open connections as the dispatcher sends at once, each reused
                // for the next message instead of a new handshake per email.
                let pool = lettre::transport::smtp::PoolConfig::new()
                    .max_size(crate::notify::dispatcher::IN_FLIGHT as u32);
                let mut builder = builder
                    .port(settings.smtp_port)
                    .timeout(Some(std::time::Duration::from_secs(30)))
                    .pool_config(pool);
                if let (Some(user), Some(password)) =
                    (&settings.smtp_username, &settings.smtp_password)
                {
                    builder = builder.credentials(Credentials::new(
                        user.clone(),
                        password.expose_secret().to_string(),
                    ));
                }
                Ok(Mailer::Smtp(builder.build()))
            }
        }
    }

    /// Sends one message; the error is the transport's words (no secrets in them).
    pub async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Mailer::File(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}
