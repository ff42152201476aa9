//! The client's address: the peer, or behind a trusted reverse proxy the last address
//! in `X-Forwarded-For` that is not one of our proxies (a client can write anything at
//! the start of that header, but not what our own proxies append).

use std::net::IpAddr;

use actix_web::http::header::HeaderName;
use actix_web::HttpRequest;

use crate::config::IpRange;

pub fn client_ip(req: &HttpRequest, proxies: &[IpRange]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".to_string();
    };
    let trusted = |ip: IpAddr| proxies.iter().any(|p| p.contains(ip));
    if !trusted(peer) {
        return peer.to_string();
    }
    let parts: Vec<String> = req
        .headers()
        .get_all(HeaderName::from_static("x-forwarded-for"))
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|part| part.trim().to_string())
        .collect();
    // From the right: our proxies' entries, then the client our first proxy saw.
    let mut client = peer;
    for part in parts.iter().rev() {
        match part.parse::<IpAddr>() {
            Ok(ip) if trusted(ip) => client = ip,
            Ok(ip) => return ip.to_string(),
            Err(_) => break,
        }
    }
    client.to_string()
}
