//! A small SMTP server for tests: it speaks enough of RFC 5321 for lettre (EHLO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT) and keeps every message it is given.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Default)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
    /// When the message's data ended.
    pub at: Option<std::time::Instant>,
}

pub struct SmtpSink {
    pub port: u16,
    pub messages: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        SmtpSink::start_on(0).await
    }

    /// On `port` of 127.0.0.1 (0: any free one).
    pub async fn start_on(port: u16) -> SmtpSink {
        SmtpSink::start_slow(port, std::time::Duration::ZERO).await
    }

    /// On `port`, taking `delay` to accept each message, as a distant relay does.
    pub async fn start_slow(port: u16, delay: std::time::Duration) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the sink's port");
        let port = listener.local_addr().expect("addr").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let mut current = Received::default();
                    let _ = write.write_all(b"220 sink ESMTP ready\r\n").await;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO")
                        {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            current = Received {
                                from: line[10..].trim().to_string(),
                                ..Received::default()
                            };
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            current.to.push(line[8..].trim().to_string());
                            b"250 OK\r\n"
                        } else if upper == "DATA" {
                            let _ = write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(body)) = lines.next_line().await {
                                if body == "." {
                                    break;
                                }
                                data.push_str(body.strip_prefix('.').unwrap_or(&body));
                                data.push('\n');
                            }
                            tokio::time::sleep(delay).await;
                            current.data = data;
                            current.at = Some(std::time::Instant::now());
                            if let Ok(mut all) = store.lock() {
                                all.push(std::mem::take(&mut current));
                            }
                            b"250 OK queued\r\n"
                        } else if upper == "QUIT" {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else if upper == "RSET" || upper == "NOOP" {
                            b"250 OK\r\n"
                        } else {
                            b"502 not implemented\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        SmtpSink { port, messages }
    }

    pub fn received(&self) -> Vec<Received> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }
}
