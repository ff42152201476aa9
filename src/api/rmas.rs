//! `/rmas`: quote and create returns, read them and their audit trail, and move them
//! through the lifecycle (authorize, reject, cancel).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::docs::{
    DocumentErrors, LabelErrors, ListErrors, QuoteErrors, ReadErrors, ResourceListErrors,
    WriteErrors,
};
use super::idempotency::{self, IdempotencyKey};
use super::json::ApiJson;
use super::views::{self, EventList, Quote, Rma, RmaList, RmaSummary};
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::db::orders;
use crate::db::rmas::{self, ListFilter};
use crate::domain::{RmaEvent, RmaNumber, RmaStatus, Role};
use crate::error::AppError;
use crate::labels::{Issued, ReturnLabel};
use crate::returns::{parse_number, ReturnInput};
use backhaul_carriers::LabelFormat;

use crate::rmas::{RmaDetails, READERS as STAFF};

/// The policy decision for a return, creating nothing
///
/// Roles: integration, customer (own order).
#[utoipa::path(
    post,
    path = "/api/v1/rmas/quote",
    request_body = ReturnInput,
    responses((status = 200, description = "The decision and the warehouse", body = Quote), QuoteErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn quote(
    state: web::Data<AppState>,
    who: Principal,
    body: ApiJson<ReturnInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.value;
    who.require_staff_or_customer(&[Role::Integration], &input.order_number)?;
    let now = state.clock.now();
    let st = state.clone();
    let quote = state
        .db
        .read(move |c| {
            let record = orders::load(c, &input.order_number)?
                .ok_or_else(|| AppError::not_found("order"))?;
            st.rules().quote(c, &record, &input, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Quote {
        decision: quote.decision,
        return_to: quote.return_to,
        route: quote.route_reason,
    }))
}

/// Create an RMA (authorized, or requested when manual review applies)
///
/// Roles: integration, customer (own order).
#[utoipa::path(
    post,
    path = "/api/v1/rmas",
    params(IdempotencyKey),
    request_body = ReturnInput,
    responses((status = 201, description = "The RMA", body = Rma), WriteErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    body: ApiJson<ReturnInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.value;
    who.require_staff_or_customer(&[Role::Integration], &input.order_number)?;
    let now = state.clock.now();
    let actor = who.actor();
    let st = state.clone();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let new = st.rules().create(c, &input, &actor, now)?;
        let created = RmaDetails {
            refund: new.refund,
            events: new.events,
            lines: new.lines,
            order: new.order,
            rma: new.rma,
            label: None,
            parcels: Vec::new(),
            photos: Vec::new(),
            replacement: None,
            repair: None,
        };
        let view = Rma::new(&created, &st.network);
        Ok((StatusCode::CREATED, view))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only RMAs in this status.
    #[param(value_type = Option<RmaStatus>)]
    pub status: Option<String>,
    /// Only this order's RMAs.
    pub order_number: Option<String>,
    /// Page size (default 50, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 100)]
    pub cursor: Option<String>,
}

/// List RMAs, newest first
///
/// Roles: integration, warehouse, finance.
#[utoipa::path(
    get,
    path = "/api/v1/rmas",
    params(ListQuery),
    responses((status = 200, description = "One page", body = RmaList), ListErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(STAFF)?;
    let q = query.into_inner();
    let status = q
        .status
        .as_deref()
        .map(str::parse::<RmaStatus>)
        .transpose()
        .map_err(|e| AppError::invalid("status", e.to_string()))?;
    let limit = crate::paging::page_size(q.limit, 50)?;
    let filter = ListFilter {
        status,
        order_number: q.order_number,
        ..ListFilter::default()
    };
    let cursor = q.cursor;
    let page = state
        .db
        .read(move |c| crate::rmas::page(c, filter, cursor.as_deref(), limit))
        .await?;
    let items = page
        .rows
        .iter()
        .map(|(r, order)| RmaSummary::new(r, order))
        .collect();
    Ok(HttpResponse::Ok().json(RmaList {
        items,
        next_cursor: page.next_cursor,
    }))
}

/// One RMA with lines, label, parcels and timeline
///
/// Roles: customer (own order), integration, warehouse, finance.
#[utoipa::path(
    get,
    path = "/api/v1/rmas/{number}",
    params(("number" = RmaNumber, Path)),
    responses((status = 200, description = "The RMA", body = Rma), ReadErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn get(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&path)?;
    let st = state.clone();
    let view = state
        .db
        .read(move |c| crate::rmas::details(c, &who, &number).map(|d| Rma::new(&d, &st.network)))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size (default and most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 100)]
    pub cursor: Option<String>,
}

/// The RMA's audit trail, oldest first, a page at a time
///
/// Roles: customer (own order), integration, warehouse, finance.
#[utoipa::path(
    get,
    path = "/api/v1/rmas/{number}/events",
    params(("number" = RmaNumber, Path), PageQuery),
    responses((status = 200, description = "Events, oldest first", body = EventList), ResourceListErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn events(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&path)?;
    let PageQuery { limit, cursor } = query.into_inner();
    let limit = crate::paging::page_size(limit, crate::paging::MAX_PAGE)?;
    let page = state
        .db
        .read(move |c| {
            let rma = rmas::find(c, &number)?
                .ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
            let order = orders::load_by_id(c, &rma.order_id)?;
            who.require_staff_or_customer_of_rma(STAFF, &order.order.order_number, &rma.number)?;
            crate::rmas::event_page(c, &rma.id, cursor.as_deref(), limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(EventList {
        items: page.rows.iter().map(views::Event::new).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Optional; an empty body is accepted.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// Why, for the audit trail.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schema::note)]
    pub note: Option<String>,
}

async fn transition(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<TransitionInput>,
    event: RmaEvent,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&path)?;
    let change =
        crate::rmas::prepare(&state, &who, number, event, body.value.note.as_deref()).await?;
    let now = state.clock.now();
    let st = state.clone();
    let who2 = who.clone();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let d = change.commit(c, &who2, now)?;
        Ok((StatusCode::OK, Rma::new(&d, &st.network)))
    })
    .await
}

/// Authorize a requested RMA
///
/// Roles: admin.
#[utoipa::path(
    post,
    path = "/api/v1/rmas/{number}/authorize",
    params(("number" = RmaNumber, Path), IdempotencyKey),
    request_body(content = Option<TransitionInput>),
    responses((status = 200, description = "The RMA after the change", body = Rma), WriteErrors)
)]
pub async fn authorize(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<TransitionInput>,
) -> Result<HttpResponse, AppError> {
    transition(state, req, who, path, body, RmaEvent::Authorize).await
}

/// Reject a requested RMA
///
/// Roles: admin.
#[utoipa::path(
    post,
    path = "/api/v1/rmas/{number}/reject",
    params(("number" = RmaNumber, Path), IdempotencyKey),
    request_body(content = Option<TransitionInput>),
    responses((status = 200, description = "The RMA after the change", body = Rma), WriteErrors)
)]
pub async fn reject(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<TransitionInput>,
) -> Result<HttpResponse, AppError> {
    transition(state, req, who, path, body, RmaEvent::Reject).await
}

/// Cancel an RMA before its parcel is on the way; an unused label is voided at the carrier first
///
/// Roles: admin, customer (own order).
#[utoipa::path(
    post,
    path = "/api/v1/rmas/{number}/cancel",
    params(("number" = RmaNumber, Path), IdempotencyKey),
    request_body(content = Option<TransitionInput>),
    responses((status = 200, description = "The RMA after the change", body = Rma), WriteErrors)
)]
pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<TransitionInput>,
) -> Result<HttpResponse, AppError> {
    transition(state, req, who, path, body, RmaEvent::Cancel).await
}

/// Optional; an empty body buys a 4x6 PDF label from the default carrier.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelInput {
    /// A configured carrier (default: labels.default_carrier, sandbox).
    pub carrier: Option<String>,
    /// pdf (4×6, the default), pdf_a4, pdf_letter or zpl.
    #[schema(schema_with = label_formats)]
    pub format: Option<String>,
}

fn label_formats() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    crate::domain::schema::string_enum(LabelFormat::ALL.iter().map(|f| f.as_str()))
}

fn label_format(text: Option<&str>, field: &str) -> Result<LabelFormat, AppError> {
    match text {
        None => Ok(LabelFormat::Pdf),
        Some(t) => LabelFormat::parse(t).ok_or_else(|| {
            AppError::invalid(
                field,
                format!("{t:?} is not a label format: use pdf, pdf_a4, pdf_letter or zpl"),
            )
        }),
    }
}

/// Issue the return label (only for an authorized RMA); a second call returns the same label
///
/// Roles: integration, customer (own order).
#[utoipa::path(
    post,
    path = "/api/v1/rmas/{number}/label",
    params(("number" = RmaNumber, Path)),
    request_body(content = Option<LabelInput>),
    responses(
        (status = 201, description = "Label bought", body = ReturnLabel),
        (status = 200, description = "The label issued earlier", body = ReturnLabel),
        LabelErrors,
    )
)]
#[tracing::instrument(skip_all)]
pub async fn issue_label(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<LabelInput>,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&path)?;
    // Customers are checked against the RMA's order when it is loaded.
    if let Principal::Staff { .. } = who {
        who.require_staff(&[Role::Integration])?;
    }
    let format = label_format(body.value.format.as_deref(), "format")?;
    let carrier = body
        .value
        .carrier
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty());
    Ok(
        match crate::labels::issue(&state, &who, number, carrier, format).await? {
            Issued::Existing(label) => HttpResponse::Ok().json(label),
            Issued::New(label) => HttpResponse::Created().json(label),
        },
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LabelQuery {
    /// pdf (4x6, default), pdf_a4, pdf_letter or zpl.
    #[param(schema_with = label_formats)]
    pub format: Option<String>,
}

/// The packing slip to put in the box (PDF)
///
/// The RMA's barcode, the order, where it goes and what is in it; A4, or US Letter for
/// customers in countries that use it. A refused, cancelled or expired return has none
/// (409). Roles: customer (own order), integration, warehouse, finance.
#[utoipa::path(
    get,
    path = "/api/v1/rmas/{number}/packing-slip",
    params(("number" = RmaNumber, Path)),
    responses(
        (status = 200, description = "The packing slip", content((Vec<u8> = "application/pdf"))),
        DocumentErrors,
    )
)]
#[tracing::instrument(skip_all)]
pub async fn get_packing_slip(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&path)?;
    let bytes = crate::packing_slip::render(&state, who, number.clone()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"packing-slip-{number}.pdf\""),
        ))
        .body(bytes))
}

/// The label document
///
/// Roles: customer (own order), integration, warehouse, finance.
#[utoipa::path(
    get,
    path = "/api/v1/rmas/{number}/label",
    params(("number" = RmaNumber, Path), LabelQuery),
    responses(
        (status = 200, description = "The label", content(
            (Vec<u8> = "application/pdf"),
            (String = "application/x-zpl"),
        )),
        ReadErrors,
    )
)]
#[tracing::instrument(skip_all)]
pub async fn get_label(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
    query: web::Query<LabelQuery>,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&path)?;
    let format = label_format(query.format.as_deref(), "format")?;
    let bytes = crate::labels::document(&state, who, number.clone(), format).await?;
    let extension = if format == LabelFormat::Zpl {
        "zpl"
    } else {
        "pdf"
    };
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"{number}.{extension}\""),
        ))
        .body(bytes))
}
