//! `/rmas/{number}/photos`: evidence photos sent with a return. The body of an upload is
//! the image itself (JPEG, PNG or HEIC, checked by its bytes); the RMA view lists them.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use super::docs::{ReadErrors, UploadErrors};
use super::json::read_body;
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::domain::RmaNumber;
use crate::error::AppError;
use crate::photos::{self, Photo, PhotoFile};
use crate::returns::parse_number;

/// A photo's bytes as the document describes the upload's body.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
// Never built: it only names the body's schema.
pub struct PhotoBytes(#[allow(dead_code)] Vec<u8>);

/// Add an evidence photo (damage claims need one)
///
/// The body is the image itself: JPEG, PNG or HEIC, known by its bytes whatever
/// Content-Type says, at most 5 MB. An RMA keeps at most 10 photos: a full or closed
/// RMA takes no more (409). Roles: customer (own order), integration, warehouse.
#[utoipa::path(
    post,
    path = "/api/v1/rmas/{number}/photos",
    params(("number" = RmaNumber, Path)),
    request_body(content(
        (PhotoBytes = "image/jpeg"),
        (PhotoBytes = "image/png"),
        (PhotoBytes = "image/heic"),
    )),
    responses((status = 201, description = "The stored photo", body = crate::photos::PhotoView), UploadErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn upload(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<String>,
    mut body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&path)?;
    let bytes = read_body(&mut body, photos::MAX_BYTES).await?;
    let photo = Photo::read("body", bytes.into())?;
    let view = photos::add(&state, who, number, photo).await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(view))
}

/// How a photo is served: shown on one of our pages, or downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Inline,
    Attachment,
}

/// One photo's bytes as an HTTP answer, for staff or the order's customer.
pub async fn photo_file(
    state: &AppState,
    who: Principal,
    number: &str,
    photo_id: String,
    disposition: Disposition,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(number)?;
    let PhotoFile {
        id,
        content_type,
        bytes,
    } = photos::file(state, who, number, photo_id).await?;
    let extension = content_type.rsplit('/').next().unwrap_or("bin").to_string();
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        // Stored bytes were checked to be images; never let a browser guess otherwise,
        // and never run one as a page of ours if it is opened on its own (the sandbox).
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{}; filename=\"photo-{id}.{extension}\"",
                match disposition {
                    Disposition::Inline => "inline",
                    Disposition::Attachment => "attachment",
                }
            ),
        ))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        ))
        .insert_header((header::CACHE_CONTROL, "private, max-age=86400, immutable"))
        .body(bytes))
}

/// One evidence photo's bytes, with its checked content type
///
/// Roles: customer (own order), integration, warehouse, finance.
#[utoipa::path(
    get,
    path = "/api/v1/rmas/{number}/photos/{id}",
    params(("number" = RmaNumber, Path), ("id" = String, Path, description = "The photo's id from the RMA's photos")),
    responses(
        (status = 200, description = "The photo", content(
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/heic"),
        )),
        ReadErrors,
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (number, id) = path.into_inner();
    photo_file(&state, who, &number, id, Disposition::Attachment).await
}
