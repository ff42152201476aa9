//! Lists are read a page at a time: up to `limit` rows (at most [`MAX_PAGE`]) and a
//! cursor naming where the next page starts. The cursor is the id of the last row
//! listed; the list's order (a time and then the id, or the time-ordered id alone)
//! makes the pages stable while rows are added, and each page a keyset read along an
//! index, as quick on the last page as on the first.

use diesel::QueryResult;

use crate::db::PageStart;
use crate::error::AppError;

/// The most rows one page holds.
pub const MAX_PAGE: i64 = 500;

/// The page size asked for, 1 to [`MAX_PAGE`]; `default` when none is given.
pub fn page_size(limit: Option<i64>, default: i64) -> Result<i64, AppError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        )),
    }
}

/// The 422 for a cursor no page of this list gave.
fn unknown_cursor(what: &str) -> AppError {
    AppError::does_not_fit(
        "cursor",
        format!("no {what} has this id; start without a cursor"),
    )
}

/// Where the page after `cursor` starts, read by `find` (the row the cursor names, as
/// a [`PageStart`]); `None` for the first page. Every id is a UUID written in its
/// usual form, so anything else is refused before the database sees it; a cursor no
/// row of this list has (`what`) is a 422 too.
pub fn start(
    cursor: Option<&str>,
    what: &str,
    find: impl FnOnce(&str) -> QueryResult<Option<PageStart>>,
) -> Result<Option<PageStart>, AppError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let usual = uuid::Uuid::parse_str(cursor)
        .ok()
        .filter(|id| id.hyphenated().to_string() == cursor);
    if usual.is_none() {
        return Err(unknown_cursor(what));
    }
    find(cursor)?.map(Some).ok_or_else(|| unknown_cursor(what))
}

/// One page of a list and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// The id to give as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The page from `rows` read with a limit of `limit + 1`: the extra row, dropped,
    /// only tells that another page follows.
    pub fn cut(mut rows: Vec<T>, limit: i64, id_of: impl Fn(&T) -> &str) -> Page<T> {
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last().map(|r| id_of(r).to_string())
        } else {
            None
        };
        Page { rows, next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes() {
        let cases: [(Option<i64>, Option<i64>); 6] = [
            (None, Some(50)),
            (Some(1), Some(1)),
            (Some(500), Some(500)),
            (Some(0), None),
            (Some(501), None),
            (Some(-3), None),
        ];
        for (asked, expected) in cases {
            assert_eq!(page_size(asked, 50).ok(), expected, "{asked:?}");
        }
    }

    #[test]
    fn cursors() {
        let id = "0190d5c4-0000-7000-8000-00000000000a";
        let found = |c: &str| {
            Ok((c == id).then(|| PageStart {
                at: chrono::NaiveDateTime::MIN,
                id: c.to_string(),
            }))
        };
        let cases = [
            (None, true),
            (Some(id), true),
            (Some("0190d5c4-0000-7000-8000-00000000000b"), false),
            (Some("0190D5C4-0000-7000-8000-00000000000A"), false),
            (Some("0190d5c4000070008000000000000000a"), false),
            (Some("nope"), false),
            (Some("\0"), false),
        ];
        for (cursor, ok) in cases {
            assert_eq!(start(cursor, "row", found).is_ok(), ok, "{cursor:?}");
        }
    }

    #[test]
    fn cutting_a_page() {
        let ids = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
        // (rows read, limit, rows kept, next cursor)
        let cases = [
            (0, 3, 0, None),
            (2, 3, 2, None),
            (3, 3, 3, None),
            (4, 3, 3, Some("2")),
        ];
        for (read, limit, kept, next) in cases {
            let page = Page::cut(ids(read), limit, |s| s.as_str());
            assert_eq!(page.rows.len(), kept, "{read} read, limit {limit}");
            assert_eq!(
                page.next_cursor.as_deref(),
                next,
                "{read} read, limit {limit}"
            );
        }
    }
}
