//! `backhaul import catalog FILE.csv`: product groups from a shop export, one row per
//! variant. Each group is checked like `PUT /catalog/{product_group}` and replaces the
//! stored one whole; bad groups are reported by CSV line number, the good ones stored
//! (or nothing at all with `--all-or-nothing`).
//!
//! Columns (header row required, order free): `product_group, currency, sku, title,
//! price, available, options?` (`size=M;colour=navy`).

use std::io::Read;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::RowProblems;
use crate::db::{catalog, Db};
use crate::domain::catalog::{parse_options, ProductGroup, ProductGroupInput, VariantInput};
use crate::error::AppError;

const REQUIRED: &[&str] = &[
    "product_group",
    "currency",
    "sku",
    "title",
    "price",
    "available",
];

#[derive(Debug, Deserialize)]
struct Row {
    product_group: String,
    currency: String,
    sku: String,
    title: String,
    price: String,
    available: i64,
    #[serde(default)]
    options: Option<String>,
}

#[derive(Debug, Default)]
pub struct CatalogReport {
    pub groups_imported: usize,
    pub variants_imported: usize,
    pub rejected: RowProblems,
}

/// A checked group and the CSV line of its first row.
struct PendingGroup {
    first_line: u64,
    group: ProductGroup,
}

/// Imports `input` into `db`, each group in a transaction of its own (all in one with
/// `all_or_nothing`, which stores nothing when any row is bad).
pub fn import_catalog(
    db: &Db,
    input: impl Read,
    all_or_nothing: bool,
    now: DateTime<Utc>,
) -> Result<CatalogReport, String> {
    let (groups, rejected) = read_groups(input)?;
    let mut report = CatalogReport {
        rejected,
        ..CatalogReport::default()
    };
    if all_or_nothing {
        if !report.rejected.is_empty() {
            return Ok(report);
        }
        let all: Vec<ProductGroup> = groups.iter().map(|g| g.group.clone()).collect();
        let stored = db.write_blocking(move |c| {
            let ids: Vec<&str> = all.iter().map(|g| g.id.as_str()).collect();
            catalog::remove_variants(c, &ids)?;
            for group in &all {
                catalog::replace(c, group, now)
                    .map_err(|e| format!("product group {}: {}", group.id, problem_text(&e)))?;
            }
            Ok::<_, ImportError>(())
        });
        match stored {
            Ok(()) => groups.iter().for_each(|g| report.count(&g.group)),
            Err(e) => return Err(format!("nothing imported: {e}")),
        }
        return Ok(report);
    }
    for pending in groups {
        let group = pending.group.clone();
        match db.write_blocking(move |c| catalog::replace(c, &group, now)) {
            Ok(_) => report.count(&pending.group),
            Err(e) => report.rejected.push((
                pending.first_line,
                format!("product group {}: {}", pending.group.id, problem_text(&e)),
            )),
        }
    }
    report.rejected.sort_by_key(|(line, _)| *line);
    Ok(report)
}

impl CatalogReport {
    fn count(&mut self, group: &ProductGroup) {
        self.groups_imported += 1;
        self.variants_imported += group.variants.len();
    }
}

/// Why an all-or-nothing import stored nothing.
#[derive(Debug, thiserror::Error)]
enum ImportError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

impl From<String> for ImportError {
    fn from(problem: String) -> Self {
        ImportError::Refused(problem)
    }
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::Db(e.into())
    }
}

/// An error as a line of the report: the failing fields when it names them.
fn problem_text(e: &AppError) -> String {
    match e.field_errors() {
        Some(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        None => e.to_string(),
    }
}

/// Groups rows by product group, checking each group; the good ones and the problems.
fn read_groups(input: impl Read) -> Result<(Vec<PendingGroup>, RowProblems), String> {
    let key = |row: &Row| row.product_group.trim().to_string();
    super::read_groups(
        input,
        REQUIRED,
        "product group",
        key,
        |rows: Vec<(u64, Row)>| {
            let id = rows[0].1.product_group.trim().to_string();
            let group =
                build_group(&id, &rows).map_err(|e| format!("product group {id:?}: {e}"))?;
            Ok(PendingGroup {
                first_line: rows[0].0,
                group,
            })
        },
    )
}

fn build_group(id: &str, rows: &[(u64, Row)]) -> Result<ProductGroup, String> {
    let currency = rows[0].1.currency.clone();
    if let Some((line, _)) = rows
        .iter()
        .find(|(_, r)| !r.currency.trim().eq_ignore_ascii_case(currency.trim()))
    {
        return Err(format!(
            "line {line}: every variant of a group has the currency of its first row ({currency})"
        ));
    }
    let variants = rows
        .iter()
        .map(|(line, r)| {
            Ok(VariantInput {
                sku: r.sku.clone(),
                title: r.title.clone(),
                options: parse_options(r.options.as_deref().unwrap_or(""))
                    .map_err(|e| format!("line {line}: options: {e}"))?,
                price: r.price.clone(),
                available: r.available,
            })
        })
        .collect::<Result<_, String>>()?;
    ProductGroupInput { currency, variants }
        .validate(id)
        .map_err(|e| super::problems_text(&e))
}
