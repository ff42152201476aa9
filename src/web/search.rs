//! `/staff/search?q=`: the header's search box for every member of staff. Lists the
//! returns an RMA number, order number, tracking number or customer email belongs to,
//! each with the next thing the searcher's role can do with it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::{error_page, lang_of, layout_at, Staff};
use crate::api::state::AppState;
use crate::domain::{RmaStatus, Role};
use crate::i18n::Lang;
use crate::paging::Page;
use crate::staff_search::{self, FoundReturn};

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    /// Where the page starts: the cursor of the page before.
    after: Option<String>,
}

/// Where a found return leads the searcher: inspection for a received return (to the
/// warehouse), the review for one waiting for a person (to admins).
fn next_action(lang: Lang, role: Role, found: &FoundReturn) -> Markup {
    let can = |r: Role| role == Role::Admin || role == r;
    html! {
        @if found.status == RmaStatus::Received && can(Role::Warehouse) {
            a.button href={ "/warehouse/rmas/" (found.number) "/inspect" } { (lang.t("inspect")) }
        } @else if found.status == RmaStatus::Requested && role == Role::Admin {
            a href={ "/ops#review-" (found.number) } { (lang.t("waiting_review")) }
        } @else if found.status == RmaStatus::RefundTriggered && can(Role::Finance) {
            a href={ "/finance/refunds?status=&q=" (found.number) } { (lang.t("refunds")) }
        }
    }
}

fn results_page(
    lang: Lang,
    staff: &Staff,
    here: &str,
    q: &str,
    found: &Page<FoundReturn>,
    paged: bool,
) -> Markup {
    let link = |after: Option<&str>| {
        let mut pairs = vec![("q", q)];
        pairs.extend(after.map(|a| ("after", a)));
        format!(
            "/staff/search?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let body = html! {
        h1 { (lang.t_with("search_results", &[("q", q)])) }
        @if q.trim().is_empty() {
            p { (lang.t("search_hint")) }
        } @else if found.rows.is_empty() {
            p.empty role="status" { (lang.t_with("no_results", &[("q", q)])) }
        } @else {
            table {
                tr {
                    th { (lang.t("rma")) } th { (lang.t("order")) } th { (lang.t("status")) }
                    th { (lang.t("resolution")) } th { (lang.t("customer")) } th { (lang.t("goes_to")) }
                    th { (lang.t("created")) } th { (lang.t("action")) }
                }
                @for f in &found.rows {
                    tr {
                        td.id data-label=(lang.t("rma")) { (f.number) }
                        td.id data-label=(lang.t("order")) { (f.order_number) }
                        td data-label=(lang.t("status")) { (lang.word(f.status.as_str())) }
                        td data-label=(lang.t("resolution")) { (lang.word(&f.resolution)) }
                        td data-label=(lang.t("customer")) { (f.customer_email) }
                        td data-label=(lang.t("goes_to")) { (f.return_to) }
                        td data-label=(lang.t("created")) { (lang.date(f.created_at)) }
                        td data-label=(lang.t("action")) { (next_action(lang, staff.role, f)) }
                    }
                }
            }
        }
    };
    let body = html! {
        (body)
        (super::page_links(
            lang,
            super::ListOrder::NewestFirst,
            paged.then(|| link(None)).as_deref(),
            found.next_cursor.as_deref().map(|next| link(Some(next))).as_deref(),
        ))
    };
    layout_at(lang, &lang.t("search"), Some(staff), here, body)
}

/// `/staff/search`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, Role::ALL);
    let lang = lang_of(&req);
    let SearchQuery { q, after } = query.into_inner();
    let q = q.unwrap_or_default();
    let paged = after.is_some();
    let (text, role) = (q.clone(), staff.role);
    let found = state
        .db
        .read(move |c| staff_search::search(c, &text, role, after.as_deref()))
        .await;
    match found {
        Ok(found) => super::page(
            &req,
            &state,
            StatusCode::OK,
            results_page(lang, &staff, req.query_string(), &q, &found, paged),
        ),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}
