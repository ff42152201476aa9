//! Photos sent with a return as evidence: by the customer (damage claims need them) or
//! by the inspector. A photo is known by its bytes, not its name or declared type, and
//! is limited in size and in number per RMA.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::Principal;
use crate::core::Core;
use crate::db::photos::{self, PhotoInfo};
use crate::db::rmas::{self, RmaRow};
use crate::db::{orders, DbConnection};
use crate::domain::display::time as ts;
use crate::domain::{FieldError, RmaNumber, Role};
use crate::error::AppError;

/// Largest photo accepted: a phone's full-size JPEG or HEIC fits.
pub const MAX_BYTES: usize = 5 << 20;
/// Most photos one RMA keeps, from everybody together.
pub const MAX_PER_RMA: usize = 10;

/// Who may add photos besides the order's customer.
const WRITERS: &[Role] = &[Role::Integration, Role::Warehouse];

/// A checked photo, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl Photo {
    /// `bytes` as a photo, or why not, naming `field`.
    pub fn read(field: &str, bytes: Vec<u8>) -> Result<Photo, AppError> {
        if bytes.len() > MAX_BYTES {
            return Err(too_large(field));
        }
        match sniff(&bytes) {
            Some(content_type) => Ok(Photo {
                content_type,
                bytes,
            }),
            None => Err(AppError::UnsupportedContent(vec![FieldError {
                field: field.to_string(),
                message: "not a photo: send JPEG, PNG or HEIC images".to_string(),
            }])),
        }
    }
}

pub fn too_large(field: &str) -> AppError {
    AppError::invalid(field, format!("at most {} MB per photo", MAX_BYTES >> 20))
}

/// What a photo's first bytes say it is: JPEG, PNG or HEIC, whatever its name claims.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    // ISO base media file: a box size, "ftyp", then the major brand.
    let brand = bytes.get(8..12)?;
    let heic = bytes.get(4..8) == Some(b"ftyp")
        && [&b"heic"[..], b"heix", b"hevc", b"heim", b"heis", b"mif1"].contains(&brand);
    heic.then_some("image/heic")
}

/// Stores `new` with the RMA, in the caller's transaction; refuses all of them if the
/// RMA would hold more than [`MAX_PER_RMA`].
pub fn attach(
    conn: &mut DbConnection,
    rma_id: &str,
    new: &[Photo],
    taken_by: &str,
    now: DateTime<Utc>,
) -> Result<Vec<PhotoInfo>, AppError> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    if new.len() > MAX_PER_RMA {
        return Err(AppError::invalid(
            "photo",
            format!("at most {MAX_PER_RMA} photos at once"),
        ));
    }
    // A full RMA is the RMA's state, not a fault of the request (409).
    let held = photos::list(conn, rma_id)?.len();
    if held + new.len() > MAX_PER_RMA {
        return Err(AppError::Conflict(format!(
            "an RMA keeps at most {MAX_PER_RMA} photos; it has {held} and {} more were sent",
            new.len()
        )));
    }
    new.iter()
        .map(|p| {
            photos::insert(conn, rma_id, taken_by, p.content_type, &p.bytes, now)
                .map_err(AppError::from)
        })
        .collect()
}

/// An evidence photo as the API lists it; its bytes are at `href`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PhotoView {
    pub id: String,
    /// `customer:<order>` or `<role>:<user>`.
    pub taken_by: String,
    #[schema(schema_with = photo_types)]
    pub content_type: String,
    pub size_bytes: i64,
    #[schema(format = DateTime)]
    pub uploaded_at: String,
    /// Where its bytes are.
    pub href: String,
}

/// The content types a photo may have (what [`Photo::read`] knows by the bytes).
fn photo_types() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    crate::domain::schema::string_enum(["image/jpeg", "image/png", "image/heic"])
}

/// A photo of `rma_number`'s as the API shows it, with the address of its bytes.
pub fn view(rma_number: &str, p: &PhotoInfo) -> PhotoView {
    PhotoView {
        id: p.id.clone(),
        taken_by: p.taken_by.clone(),
        content_type: p.content_type.clone(),
        size_bytes: p.size_bytes,
        uploaded_at: ts(p.uploaded_at),
        href: format!("/api/v1/rmas/{rma_number}/photos/{}", p.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_known_by_their_bytes() {
        let cases: &[(&[u8], Option<&str>)] = &[
            (&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0], Some("image/jpeg")),
            (b"\x89PNG\r\n\x1a\n....", Some("image/png")),
            (b"\0\0\0\x18ftypheic\0\0\0\0", Some("image/heic")),
            (b"\0\0\0\x18ftypmif1\0\0\0\0", Some("image/heic")),
            (b"\0\0\0\x18ftypisom\0\0\0\0", None), // an MP4 video
            (b"%PDF-1.4 not a photo", None),
            (b"GIF89a", None),
            (b"<svg onload=alert(1)>", None),
            (b"\xFF\xD8", None),
            (b"", None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(sniff(bytes), *expected, "{bytes:?}");
        }
    }

    #[test]
    fn a_photo_is_refused_by_content_and_size() {
        let png = b"\x89PNG\r\n\x1a\n".to_vec();
        assert_eq!(
            Photo::read("photo", png.clone())
                .map(|p| p.content_type)
                .ok(),
            Some("image/png")
        );
        assert!(Photo::read("photo", b"MZ\x90\0".to_vec()).is_err());
        let mut huge = png;
        huge.resize(MAX_BYTES + 1, 0);
        assert!(Photo::read("photo", huge).is_err());
    }
}

/// The RMA, after checking `who` may act on it with `roles`.
fn rma_for(
    c: &mut DbConnection,
    who: &Principal,
    roles: &[Role],
    number: &RmaNumber,
) -> Result<RmaRow, AppError> {
    let rma = rmas::find(c, number)?.ok_or_else(|| AppError::not_found(format!("RMA {number}")))?;
    let order = orders::load_by_id(c, &rma.order_id)?;
    who.require_staff_or_customer(roles, &order.order.order_number)?;
    Ok(rma)
}

/// Adds `photo` to RMA `number` as `who` (staff who handle returns, or the order's
/// customer). A closed RMA takes no more (409), nor does a full one.
pub async fn add(
    core: &Core,
    who: Principal,
    number: RmaNumber,
    photo: Photo,
) -> Result<PhotoView, AppError> {
    let (now, actor) = (core.clock.now(), who.actor());
    core.db
        .write(move |c| {
            let rma = rma_for(c, &who, WRITERS, &number)?;
            let status = rma.status;
            if status.is_final() {
                return Err(AppError::Conflict(format!(
                    "RMA {number} is {status}; it takes no more photos"
                )));
            }
            let stored = attach(c, &rma.id, &[photo], &actor, now)?;
            stored
                .first()
                .map(|p| view(&rma.number, p))
                .ok_or_else(|| AppError::Internal("the photo was not stored".into()))
        })
        .await
}

/// One photo's bytes with its checked content type.
#[derive(Debug, Clone)]
pub struct PhotoFile {
    pub id: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Photo `id` of RMA `number`, for staff who may read the RMA or the order's customer.
pub async fn file(
    core: &Core,
    who: Principal,
    number: RmaNumber,
    id: String,
) -> Result<PhotoFile, AppError> {
    core.db
        .read(move |c| {
            let rma = rma_for(c, &who, crate::rmas::READERS, &number)?;
            let (content_type, bytes) = photos::content(c, &rma.id, &id)?
                .ok_or_else(|| AppError::not_found(format!("photo {id} of RMA {number}")))?;
            Ok(PhotoFile {
                id,
                content_type,
                bytes,
            })
        })
        .await
}
