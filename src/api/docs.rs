//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` attributes and
//! the types they read and answer with. Nothing here describes a shape by hand: change
//! a type or a handler and the document follows. A snapshot test shows every change.

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, RefOr};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

use crate::domain::schema::AmountsFollowCurrency;

use super::problem::Problem;

/// What each error status means, wherever it appears.
fn problem_response(status: u16) -> Response {
    let description = match status {
        400 => "Invalid request: malformed JSON, wrong types or fields this document refuses (see `errors`)",
        401 => "Missing or invalid bearer token",
        403 => "The token's role or order does not allow this",
        404 => "Not found",
        409 => "Conflicts with the current state (illegal status change, concurrent update)",
        413 => "Body larger than the configured limit (1 MiB by default)",
        415 => "The body is not a JPEG, PNG or HEIC image, whatever its Content-Type says",
        422 => "Well-formed, but the fields do not fit the stored data or each other (a line the order does not have, a range that ends before it starts, a cursor no page of the list gave; see `errors`), the Idempotency-Key was used with another body, or the return policy refuses (see `decision`)",
        429 => "Too many look-ups; see Retry-After",
        500 => "Unexpected failure (logged with the request id)",
        502 => "The carrier failed; the detail names it and gives its message. Nothing was stored.",
        503 => "Database unavailable or busy",
        _ => "Error",
    };
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    Problem::name(),
                ))))
                .build(),
        )
        .build()
}

/// A set of error answers a route can give, each a problem document.
macro_rules! problems {
    ($($(#[$doc:meta])* $name:ident: [$($status:literal),+];)+) => {$(
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                [$($status),+]
                    .into_iter()
                    .map(|s: u16| (s.to_string(), RefOr::T(problem_response(s))))
                    .collect()
            }
        }
    )+};
}

problems! {
    /// A write to one resource.
    WriteErrors: [400, 401, 403, 404, 409, 413, 422, 500, 503];
    /// A read of one resource.
    ReadErrors: [400, 401, 403, 404, 500, 503];
    /// A read of a document a resource has only in some states.
    DocumentErrors: [400, 401, 403, 404, 409, 500, 503];
    /// A list, filtered by its query, a page at a time: a cursor no page gave, or a
    /// date range that ends before it starts, is a 422.
    ListErrors: [400, 401, 403, 422, 500, 503];
    /// The list one resource holds (an RMA's events), a page at a time.
    ResourceListErrors: [400, 401, 403, 404, 422, 500, 503];
    /// The policy quote, which writes nothing.
    QuoteErrors: [400, 401, 403, 404, 413, 422, 500, 503];
    /// The public look-up.
    LookupErrors: [400, 404, 413, 422, 429, 500, 503];
    /// Buying a label.
    LabelErrors: [400, 401, 403, 404, 409, 413, 500, 502, 503];
    /// Uploading a photo.
    UploadErrors: [400, 401, 403, 404, 409, 413, 415, 500, 503];
    /// A bench scan, which matches nothing or something.
    ScanErrors: [400, 401, 403, 409, 413, 422, 500, 503];
    /// A carrier's push.
    WebhookErrors: [400, 401, 404, 413, 500, 503];
    /// The metrics endpoint.
    MetricsErrors: [401, 403, 500, 503];
    /// Readiness.
    NotReady: [503];
}

/// Operations named by their resource: utoipa tags each with its handler's module path
/// (`super::orders`) and names it after the handler (`get`, which several share), while
/// an operation id must be unique. Tagged `orders`, named `orders_get`.
struct OperationNames;

impl Modify for OperationNames {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let Some(tags) = operation.tags.as_mut() else {
                    continue;
                };
                let Some(resource) = tags.first().and_then(|t| t.rsplit("::").next()) else {
                    continue;
                };
                let resource = resource.to_string();
                if let Some(id) = operation.operation_id.as_mut() {
                    *id = format!("{resource}_{id}");
                }
                *tags = vec![resource];
            }
        }
    }
}

/// The bearer scheme every operation uses unless it says `security(())`.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "API key (bh_...) or customer token (c....) from /api/v1/returns/lookup",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Backhaul API",
        description = "Returns logistics and RMA tracking. Money is a decimal string with exactly the currency's decimals; times are RFC 3339 UTC; errors are application/problem+json."
    ),
    servers((url = "/")),
    security(("bearer" = [])),
    modifiers(&BearerAuth, &AmountsFollowCurrency, &OperationNames),
    components(schemas(Problem)),
    paths(
        super::orders::upsert,
        super::orders::get,
        super::orders::add_shipment,
        super::catalog::put,
        super::catalog::get,
        super::fulfilments::list,
        super::fulfilments::shipped,
        super::fulfilments::packing_slip,
        super::repairs::list,
        super::repairs::status,
        super::lookup::lookup,
        super::rmas::quote,
        super::rmas::create,
        super::rmas::list,
        super::rmas::get,
        super::rmas::events,
        super::rmas::authorize,
        super::rmas::reject,
        super::rmas::cancel,
        super::rmas::issue_label,
        super::rmas::get_label,
        super::rmas::get_packing_slip,
        super::photos::upload,
        super::photos::get,
        super::refunds::inspect,
        super::refunds::list,
        super::refunds::acknowledge,
        super::warehouse::scan,
        super::warehouse::parcels,
        super::warehouse::link,
        super::incidents::list,
        super::incidents::resolve,
        super::webhooks::receive,
        serve,
        super::ops::healthz,
        super::ops::readyz,
        super::ops::metrics,
    )
)]
pub struct ApiDoc;

/// The document, as served at /api/v1/openapi.json.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The operations of a path item, by method.
pub fn operations(item: &PathItem) -> Vec<(&'static str, &Operation)> {
    [
        ("GET", &item.get),
        ("POST", &item.post),
        ("PUT", &item.put),
        ("DELETE", &item.delete),
        ("PATCH", &item.patch),
        ("HEAD", &item.head),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
    .collect()
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    security(()),
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json"))
)]
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn operation_ids_are_unique() {
        let doc = document();
        let mut seen = BTreeSet::new();
        for item in doc.paths.paths.values() {
            for (method, operation) in operations(item) {
                let id = operation.operation_id.clone().unwrap_or_default();
                assert!(!id.is_empty(), "{method} has no operation id");
                assert!(seen.insert(id.clone()), "{id} twice");
            }
        }
        assert!(
            seen.contains("orders_get") && seen.contains("catalog_put"),
            "{seen:?}"
        );
    }

    #[test]
    fn the_catalogue_path_takes_what_the_domain_takes() {
        let doc = document();
        let item = &doc.paths.paths["/api/v1/catalog/{product_group}"];
        for (method, operation) in operations(item) {
            let parameter = &operation.parameters.as_ref().expect("parameters")[0];
            let schema = serde_json::to_value(&parameter.schema).expect("schema");
            assert_eq!(
                schema["pattern"],
                crate::domain::catalog::GROUP_PATTERN,
                "{method}"
            );
        }
    }

    #[test]
    fn documents_exactly_the_routes_the_service_serves() {
        let doc = document();
        let documented: BTreeSet<(String, String)> = doc
            .paths
            .paths
            .iter()
            .flat_map(|(path, item)| {
                operations(item)
                    .into_iter()
                    .map(move |(m, _)| (m.to_string(), path.clone()))
            })
            .collect();
        let served: BTreeSet<(String, String)> = super::super::endpoints()
            .into_iter()
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .collect();
        assert_eq!(documented, served);
    }

    #[test]
    fn every_reference_resolves() {
        let doc = serde_json::to_value(document()).expect("document");
        let text = doc.to_string();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                doc["components"]["schemas"].get(&name).is_some(),
                "missing schema {name}"
            );
        }
    }

    #[test]
    fn the_document_is_as_reviewed() {
        insta::assert_json_snapshot!("openapi", document());
    }
}
