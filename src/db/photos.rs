//! Storage of the photos sent with a return.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::rma_photos;
use super::{naive, DbConnection};

/// A stored photo without its bytes.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rma_photos)]
pub struct PhotoInfo {
    pub id: String,
    pub taken_by: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConnection,
    rma_id: &str,
    taken_by: &str,
    content_type: &str,
    content: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<PhotoInfo> {
    let info = PhotoInfo {
        id: uuid::Uuid::now_v7().to_string(),
        taken_by: taken_by.to_string(),
        content_type: content_type.to_string(),
        size_bytes: i64::try_from(content.len()).unwrap_or(i64::MAX),
        uploaded_at: naive(now),
    };
    diesel::insert_into(rma_photos::table)
        .values((
            rma_photos::id.eq(&info.id),
            rma_photos::rma_id.eq(rma_id),
            rma_photos::taken_by.eq(&info.taken_by),
            rma_photos::content_type.eq(&info.content_type),
            rma_photos::size_bytes.eq(info.size_bytes),
            rma_photos::content.eq(content),
            rma_photos::uploaded_at.eq(info.uploaded_at),
        ))
        .execute(conn)?;
    Ok(info)
}

/// The RMA's photos, oldest first.
pub fn list(conn: &mut DbConnection, rma_id: &str) -> QueryResult<Vec<PhotoInfo>> {
    rma_photos::table
        .filter(rma_photos::rma_id.eq(rma_id))
        .order((rma_photos::uploaded_at, rma_photos::id))
        .select(PhotoInfo::as_select())
        .load(conn)
}

/// One photo of the RMA: its content type and bytes.
pub fn content(
    conn: &mut DbConnection,
    rma_id: &str,
    photo_id: &str,
) -> QueryResult<Option<(String, Vec<u8>)>> {
    rma_photos::table
        .filter(rma_photos::rma_id.eq(rma_id))
        .filter(rma_photos::id.eq(photo_id))
        .select((rma_photos::content_type, rma_photos::content))
        .first(conn)
        .optional()
}
