//! Incidents for operations: `GET /api/v1/incidents` (filter by `open`, `kind`) and
//! `POST /api/v1/incidents/{id}/resolve`. Admin only.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::docs::{ListErrors, WriteErrors};
use super::idempotency::{self, IdempotencyKey};
use super::json::ApiJson;
use super::orders::ShipmentInput;
use super::views::{Incident, IncidentList};
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::db::parcels::{self, IncidentFilter};
use crate::domain::note::Note;
use crate::domain::tracking::{IncidentAction, IncidentKind};
use crate::error::AppError;
use crate::tracking::incidents::{self, Resolve};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    /// true: unresolved only; false: resolved only.
    pub open: Option<bool>,
    /// Only this kind.
    #[param(value_type = Option<IncidentKind>)]
    pub kind: Option<String>,
    /// Page size (default and most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 100)]
    pub cursor: Option<String>,
}

/// Outbound parcel incidents and unscanned-return alerts, newest first, a page at a time
///
/// Lost, damaged, delayed, returned to sender, misdelivered. Roles: admin.
#[utoipa::path(
    get,
    path = "/api/v1/incidents",
    params(IncidentQuery),
    responses((status = 200, description = "Incidents", body = IncidentList), ListErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<IncidentQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[])?;
    let query = query.into_inner();
    let kind = query
        .kind
        .as_deref()
        .map(str::parse::<IncidentKind>)
        .transpose()
        .map_err(|e| AppError::invalid("kind", e.to_string()))?;
    let limit = crate::paging::page_size(query.limit, crate::paging::MAX_PAGE)?;
    let filter = IncidentFilter {
        open: query.open,
        kind: kind.map(|k| k.as_str().to_string()),
    };
    let cursor = query.cursor;
    let page = state
        .db
        .read(move |c| incidents::page(c, &filter, cursor.as_deref(), limit))
        .await?;
    let items = page
        .rows
        .iter()
        .map(|l| Incident::new(&l.incident, &l.parcel, l.owner.as_deref()))
        .collect();
    Ok(HttpResponse::Ok().json(IncidentList {
        items,
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    pub action: IncidentAction,
    /// What was done, for the audit trail.
    #[schema(schema_with = crate::domain::schema::note)]
    pub note: String,
    /// partial_refund: the amount in the order's currency, at most the parcel's value.
    #[schema(value_type = Option<crate::domain::Money>)]
    pub amount: Option<String>,
    /// claim: the carrier's claim reference.
    #[schema(max_length = 100)]
    pub claim_reference: Option<String>,
    /// reship: the replacement parcel, when it is known.
    pub replacement: Option<ShipmentInput>,
}

impl ResolveInput {
    /// The input checked (the note, the claim reference, the replacement parcel) as the
    /// use case takes it; the `/ops` page builds one from its form to check the same.
    pub fn validate(self, now: chrono::DateTime<chrono::Utc>) -> Result<Resolve, AppError> {
        let note = Note::required(&self.note)
            .map_err(|e| AppError::invalid("note", format!("say what was done: {e}")))?
            .into_string();
        let claim_reference = self
            .claim_reference
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if claim_reference
            .as_ref()
            .is_some_and(|r| r.chars().count() > 100)
        {
            return Err(AppError::invalid(
                "claim_reference",
                "at most 100 characters",
            ));
        }
        let replacement = match self.replacement {
            Some(r) if self.action == IncidentAction::Reship => {
                Some(r.validate(now).map_err(|e| {
                    let nested = |errors: Vec<crate::domain::FieldError>| {
                        errors
                            .into_iter()
                            .map(|mut f| {
                                f.field = format!("replacement.{}", f.field);
                                f
                            })
                            .collect()
                    };
                    match e {
                        AppError::Validation(errors) => AppError::Validation(nested(errors)),
                        AppError::DoesNotFit(errors) => AppError::DoesNotFit(nested(errors)),
                        other => other,
                    }
                })?)
            }
            Some(_) => {
                return Err(AppError::does_not_fit(
                    "replacement",
                    "only a reship records a replacement parcel",
                ))
            }
            None => None,
        };
        Ok(Resolve {
            action: self.action,
            note,
            amount: self.amount,
            claim_reference,
            replacement,
        })
    }
}

/// Resolve an outbound incident
///
/// reship (optionally with the replacement parcel), refund, partial_refund (amount) or
/// claim (claim_reference); with a note. Roles: admin.
#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/resolve",
    params(("id" = String, Path, description = "The incident id"), IdempotencyKey),
    request_body = ResolveInput,
    responses((status = 200, description = "The resolved incident", body = Incident), WriteErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn resolve(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<ResolveInput>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[])?;
    let id = path.into_inner();
    let now = state.clock.now();
    let resolve = body.value.validate(now)?;
    let actor = who.actor();
    idempotency::run(&state, &req, &who, &body.digest, move |c| {
        let (incident, parcel) = incidents::resolve(c, &id, resolve, &actor, now)?;
        let owners = parcels::owner_numbers(c, &[&parcel])?;
        Ok((
            actix_web::http::StatusCode::OK,
            Incident::new(
                &incident,
                &parcel,
                owners.get(&parcel.id).map(String::as_str),
            ),
        ))
    })
    .await
}
