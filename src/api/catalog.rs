//! `/catalog`: the shop's product groups, the alternatives an exchange can offer.

use actix_web::{web, HttpResponse};

use super::docs::{ReadErrors, WriteErrors};
use super::json::ApiJson;
use super::views::ProductGroup;
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::db::catalog;
use crate::domain::catalog::{check_group_id, ProductGroupInput};
use crate::domain::order::Problems;
use crate::domain::Role;
use crate::error::AppError;

/// Put a product group and all its variants
///
/// Replaces the group's variants with the ones sent (those left out are no longer
/// offered). Roles: integration.
#[utoipa::path(
    put,
    path = "/api/v1/catalog/{product_group}",
    params(("product_group" = String, Path, description = "The shop's id for the product, shared by its variants", pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")),
    request_body = ProductGroupInput,
    responses(
        (status = 201, description = "Product group created", body = ProductGroup),
        (status = 200, description = "Product group replaced", body = ProductGroup),
        WriteErrors,
    )
)]
#[tracing::instrument(skip_all)]
pub async fn put(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
    body: ApiJson<ProductGroupInput>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Integration])?;
    let group = body.value.validate(&path.into_inner())?;
    let now = state.clock.now();
    let (created, record) = state
        .db
        .write(move |c| {
            let created = catalog::replace(c, &group, now)?;
            let record = catalog::load(c, &group.id)?.ok_or_else(|| {
                AppError::Internal("the product group just written is gone".into())
            })?;
            Ok::<_, AppError>((created, record))
        })
        .await?;
    let view = ProductGroup::new(&record);
    Ok(if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// A product group and its variants
///
/// Roles: integration.
#[utoipa::path(
    get,
    path = "/api/v1/catalog/{product_group}",
    params(("product_group" = String, Path, description = "The shop's id for the product", pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")),
    responses((status = 200, description = "The product group", body = ProductGroup), ReadErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn get(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    who.require_staff(&[Role::Integration])?;
    let mut p = Problems::default();
    let id = check_group_id(&mut p, "product_group", &path.into_inner());
    AppError::from_fields(p.0, Vec::new())?;
    let record = state
        .db
        .read(move |c| catalog::load(c, &id).map_err(AppError::from))
        .await?
        .ok_or_else(|| AppError::not_found("product group"))?;
    Ok(HttpResponse::Ok().json(ProductGroup::new(&record)))
}
