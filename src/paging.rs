//! Lists are read a page at a time: up to `limit` rows (at most [`MAX_PAGE`]) and a
//! cursor naming where the next page starts. The cursor is the id of the last row
//! listed, or for queues whose rows leave while someone pages, that row's place
//! itself ([`Position`]); the list's order (a time and then the id, or the time-ordered
//! id alone) makes the pages stable while rows are added, and each page a keyset read
//! along an index, as quick on the last page as on the first.

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
    let Some(cursor) = id_cursor(cursor, what)? else {
        return Ok(None);
    };
    find(cursor)?.map(Some).ok_or_else(|| unknown_cursor(what))
}

/// The cursor of a list ordered by its time-ordered ids alone, where the id itself is
/// the position: any id in its usual form will do, and anything else is a 422.
pub fn id_cursor<'a>(cursor: Option<&'a str>, what: &str) -> Result<Option<&'a str>, AppError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let usual = uuid::Uuid::parse_str(cursor)
        .ok()
        .filter(|id| id.hyphenated().to_string() == cursor);
    match usual {
        Some(_) => Ok(Some(cursor)),
        None => Err(unknown_cursor(what)),
    }
}

/// Where the next page of a queue starts, carried in the cursor itself rather than
/// named by a row: a queue's rows leave it (scanned, inspected) while someone pages,
/// and the row a cursor named may be gone. Ordered by rank, then time, then id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub rank: u8,
    pub at: chrono::NaiveDateTime,
    pub id: String,
}

/// To the nanosecond: SQLite keeps the clock's nanoseconds, and a cursor cut shorter
/// would sort before its own row.
const POSITION_TIME: &str = "%Y%m%dT%H%M%S%.9f";

impl Position {
    /// The cursor: `{rank}.{time}.{id}`, e.g. `0.20261204T101500.000000000.R-7KQ2-M4XP`.
    pub fn cursor(&self) -> String {
        format!(
            "{}.{}.{}",
            self.rank,
            self.at.format(POSITION_TIME),
            self.id
        )
    }

    /// The position `cursor` carries; a 422 naming the cursor when it is not one.
    pub fn parse(cursor: &str) -> Result<Position, AppError> {
        let bad = || {
            AppError::does_not_fit(
                "cursor",
                "not a cursor this list gave; start without a cursor",
            )
        };
        let (rank, rest) = cursor.split_once('.').ok_or_else(bad)?;
        // The time holds one dot itself (before its microseconds).
        let cut = rest
            .match_indices('.')
            .nth(1)
            .map(|(i, _)| i)
            .ok_or_else(bad)?;
        let (at, id) = (&rest[..cut], &rest[cut + 1..]);
        let id_ok = !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic());
        match (
            rank.parse::<u8>(),
            chrono::NaiveDateTime::parse_from_str(at, POSITION_TIME),
        ) {
            (Ok(rank), Ok(at)) if id_ok => Ok(Position {
                rank,
                at,
                id: id.to_string(),
            }),
            _ => Err(bad()),
        }
    }
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
    pub fn cut(rows: Vec<T>, limit: i64, id_of: impl Fn(&T) -> &str) -> Page<T> {
        Page::cut_at(rows, limit, |r| id_of(r).to_string())
    }

    /// The same page with each row made into another by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }

    /// The same with the cursor made from the last row by `cursor_of`.
    pub fn cut_at(mut rows: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Page<T> {
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last().map(cursor_of)
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
    fn positions_travel_in_cursors() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
            .and_then(|d| d.and_hms_nano_opt(10, 15, 0, 42))
            .expect("time");
        let position = Position {
            rank: 2,
            at,
            id: "R-7KQ2-M4XP".into(),
        };
        assert_eq!(position.cursor(), "2.20261204T101500.000000042.R-7KQ2-M4XP");
        assert_eq!(Position::parse(&position.cursor()).ok(), Some(position));
        let uuid = "0190d5c4-0000-7000-8000-00000000000a";
        let with_uuid = format!("0.20261204T101500.000000000.{uuid}");
        assert_eq!(
            Position::parse(&with_uuid).ok().map(|p| p.id),
            Some(uuid.into())
        );
        for bad in [
            "",
            "0",
            "x.20261204T101500.000000.R-1",
            "256.20261204T101500.000000.R-1",
            "0.20261304T101500.000000.R-1",
            "0.20261204T101500.000000.",
            "0.20261204T101500.000000000.R 1",
            "0.20261204T101500.000000000.R-1\u{e9}",
            "0.20261204T101500.R-1",
        ] {
            assert!(Position::parse(bad).is_err(), "{bad:?}");
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
