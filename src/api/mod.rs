//! The JSON API under /api/v1 and the operations endpoints. Every route is listed once
//! in [`endpoints`]; the router is built from that list and the OpenAPI document is
//! checked against it, so neither can drift from the other.

pub mod auth;
pub mod catalog;
pub mod client;
pub mod docs;
pub mod fulfilments;
pub mod idempotency;
pub mod incidents;
pub mod json;
pub mod limits;
pub mod lookup;
pub mod ops;
pub mod orders;
pub mod photos;
pub mod problem;
pub mod refunds;
pub mod repairs;
pub mod rmas;
pub mod state;
pub mod views;
pub mod warehouse;
pub mod webhooks;

use actix_web::http::Method;
use actix_web::{web, Route};

/// Every route the service answers: method, path (actix and OpenAPI share the
/// `{param}` syntax) and handler.
pub fn endpoints() -> Vec<(Method, &'static str, Route)> {
    vec![
        (
            Method::POST,
            "/api/v1/orders",
            web::post().to(orders::upsert),
        ),
        (
            Method::GET,
            "/api/v1/orders/{order_number}",
            web::get().to(orders::get),
        ),
        (
            Method::POST,
            "/api/v1/orders/{order_number}/shipments",
            web::post().to(orders::add_shipment),
        ),
        (
            Method::PUT,
            "/api/v1/catalog/{product_group}",
            web::put().to(catalog::put),
        ),
        (
            Method::GET,
            "/api/v1/catalog/{product_group}",
            web::get().to(catalog::get),
        ),
        (
            Method::GET,
            "/api/v1/fulfilments",
            web::get().to(fulfilments::list),
        ),
        (
            Method::POST,
            "/api/v1/fulfilments/{id}/shipped",
            web::post().to(fulfilments::shipped),
        ),
        (
            Method::GET,
            "/api/v1/fulfilments/{id}/packing-slip",
            web::get().to(fulfilments::packing_slip),
        ),
        (Method::GET, "/api/v1/repairs", web::get().to(repairs::list)),
        (
            Method::POST,
            "/api/v1/repairs/{id}/status",
            web::post().to(repairs::status),
        ),
        (
            Method::POST,
            "/api/v1/returns/lookup",
            web::post().to(lookup::lookup),
        ),
        (
            Method::POST,
            "/api/v1/rmas/quote",
            web::post().to(rmas::quote),
        ),
        (Method::POST, "/api/v1/rmas", web::post().to(rmas::create)),
        (Method::GET, "/api/v1/rmas", web::get().to(rmas::list)),
        (
            Method::GET,
            "/api/v1/rmas/{number}",
            web::get().to(rmas::get),
        ),
        (
            Method::GET,
            "/api/v1/rmas/{number}/events",
            web::get().to(rmas::events),
        ),
        (
            Method::POST,
            "/api/v1/rmas/{number}/authorize",
            web::post().to(rmas::authorize),
        ),
        (
            Method::POST,
            "/api/v1/rmas/{number}/reject",
            web::post().to(rmas::reject),
        ),
        (
            Method::POST,
            "/api/v1/rmas/{number}/cancel",
            web::post().to(rmas::cancel),
        ),
        (
            Method::POST,
            "/api/v1/rmas/{number}/label",
            web::post().to(rmas::issue_label),
        ),
        (
            Method::GET,
            "/api/v1/rmas/{number}/label",
            web::get().to(rmas::get_label),
        ),
        (
            Method::GET,
            "/api/v1/rmas/{number}/packing-slip",
            web::get().to(rmas::get_packing_slip),
        ),
        (
            Method::POST,
            "/api/v1/rmas/{number}/photos",
            web::post().to(photos::upload),
        ),
        (
            Method::GET,
            "/api/v1/rmas/{number}/photos/{id}",
            web::get().to(photos::get),
        ),
        (
            Method::POST,
            "/api/v1/rmas/{number}/inspection",
            web::post().to(refunds::inspect),
        ),
        (Method::GET, "/api/v1/refunds", web::get().to(refunds::list)),
        (
            Method::POST,
            "/api/v1/refunds/{id}/acknowledge",
            web::post().to(refunds::acknowledge),
        ),
        (
            Method::POST,
            "/api/v1/scans",
            web::post().to(warehouse::scan),
        ),
        (
            Method::GET,
            "/api/v1/parcels",
            web::get().to(warehouse::parcels),
        ),
        (
            Method::POST,
            "/api/v1/parcels/{id}/link",
            web::post().to(warehouse::link),
        ),
        (
            Method::GET,
            "/api/v1/incidents",
            web::get().to(incidents::list),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{id}/resolve",
            web::post().to(incidents::resolve),
        ),
        (
            Method::POST,
            "/api/v1/webhooks/{carrier}",
            web::post().to(webhooks::receive),
        ),
        (
            Method::GET,
            "/api/v1/openapi.json",
            web::get().to(docs::serve),
        ),
        (Method::GET, "/healthz", web::get().to(ops::healthz)),
        (Method::GET, "/readyz", web::get().to(ops::readyz)),
        (Method::GET, "/metrics", web::get().to(ops::metrics)),
    ]
}

/// One resource per path, so a method the path does not answer gets 405 with the
/// `Allow` header (RFC 9110) rather than a 404 that says the path is unknown.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<(&'static str, Vec<(Method, Route)>)> = Vec::new();
    for (method, path, route) in endpoints() {
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, routes)) => routes.push((method, route)),
            None => paths.push((path, vec![(method, route)])),
        }
    }
    for (path, routes) in paths {
        let allowed = routes
            .iter()
            .map(|(m, _)| m.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut resource = web::resource(path);
        for (_, route) in routes {
            resource = resource.route(route);
        }
        cfg.service(resource.default_service(web::to(move || {
            let allowed = allowed.clone();
            async move { crate::error::AppError::MethodNotAllowed { allowed } }
        })));
    }
}
