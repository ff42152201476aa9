//! The warehouse's queues: `/warehouse/arriving` (returns the carrier brings today, not
//! yet scanned) and `/warehouse/to-inspect` (received, not yet inspected, the longest
//! waiting first). Both show the bench's own warehouse unless another is chosen.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use super::{error_page, lang_of, layout_at};
use crate::api::state::AppState;
use crate::db::DbConnection;
use crate::domain::routing::Network;
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::warehouse_queues::{self, ArrivingReturn, QueuePage, ReturnToInspect};

#[derive(Deserialize)]
pub struct QueueQuery {
    /// A warehouse code, or empty for every warehouse.
    warehouse: Option<String>,
    /// Where the page starts: the cursor of the page before.
    after: Option<String>,
    /// Rows a page shows, 1 to 500; 100 unless asked.
    limit: Option<i64>,
}

/// Rows a queue page shows unless asked for another number.
const QUEUE_PAGE: i64 = 100;

/// The warehouse a queue shows: the one asked for (empty: all), else the bench's own.
fn chosen_warehouse(req: &HttpRequest, network: &Network, asked: Option<&str>) -> Option<String> {
    match asked {
        Some(code) => network
            .find(&code.trim().to_ascii_uppercase())
            .map(|w| w.code.clone()),
        None => crate::receiving::warehouse_of(network, None, &super::scan::station_of(req)),
    }
}

/// The form that picks the warehouse a queue shows.
fn warehouse_picker(lang: Lang, action: &str, network: &Network, chosen: Option<&str>) -> Markup {
    html! {
        form.inline method="get" action=(action) {
            label for="warehouse" { (lang.t("warehouse")) }
            select #warehouse name="warehouse" {
                option value="" selected[chosen.is_none()] { (lang.t("all_warehouses")) }
                @for w in network.all() {
                    option value=(w.code) selected[chosen == Some(w.code.as_str())] { (w.code) " · " (w.name) }
                }
            }
            button type="submit" { (lang.t("show")) }
        }
    }
}

/// One of the queue pages.
struct Queue {
    path: &'static str,
    title: &'static str,
    intro: &'static str,
}

const ARRIVING: Queue = Queue {
    path: "/warehouse/arriving",
    title: "arriving",
    intro: "arriving_intro",
};

const TO_INSPECT: Queue = Queue {
    path: "/warehouse/to-inspect",
    title: "to_inspect",
    intro: "to_inspect_intro",
};

fn arriving_rows(lang: Lang, rows: &[ArrivingReturn]) -> Markup {
    html! {
        tr {
            th { (lang.t("rma")) } th { (lang.t("order")) } th { (lang.t("tracking_number")) }
            th { (lang.t("where_it_is")) } th { (lang.t("expected")) } th { (lang.t("goes_to")) }
        }
        @for r in rows {
            tr {
                td.id data-label=(lang.t("rma")) { (r.rma_number) }
                td.id data-label=(lang.t("order")) { (r.order_number) }
                td.id data-label=(lang.t("tracking_number")) { (r.carrier) " " (r.tracking_number) }
                td data-label=(lang.t("where_it_is")) { (lang.word(&r.parcel_status)) }
                td data-label=(lang.t("expected")) {
                    @if let Some(at) = r.delivered_at.or(r.expected) { (lang.date(at)) } @else { "—" }
                }
                td data-label=(lang.t("goes_to")) { (r.return_to) }
            }
        }
    }
}

fn to_inspect_rows(lang: Lang, rows: &[ReturnToInspect]) -> Markup {
    html! {
        tr {
            th { (lang.t("rma")) } th { (lang.t("order")) } th { (lang.t("received")) }
            th { (lang.t("quantity")) } th { (lang.t("reason")) } th { (lang.t("resolution")) }
            th { (lang.t("goes_to")) } th { (lang.t("action")) }
        }
        @for r in rows {
            tr {
                td.id data-label=(lang.t("rma")) { (r.rma_number) }
                td.id data-label=(lang.t("order")) { (r.order_number) }
                td data-label=(lang.t("received")) { (lang.date(r.received_at)) }
                td.num data-label=(lang.t("quantity")) { (r.items) }
                td data-label=(lang.t("reason")) {
                    (r.reasons.iter().map(|reason| lang.word(reason)).collect::<Vec<_>>().join(", "))
                }
                td data-label=(lang.t("resolution")) { (lang.word(&r.resolution)) }
                td data-label=(lang.t("goes_to")) { (r.return_to) }
                td data-label=(lang.t("action")) {
                    a.button href={ "/warehouse/rmas/" (r.rma_number) "/inspect" } { (lang.t("inspect")) " " span.id { (r.rma_number) } }
                }
            }
        }
    }
}

/// Loads a page of a queue for a warehouse (all when `None`) at a time, after a cursor.
type Load<T> = fn(
    &mut DbConnection,
    Option<&str>,
    DateTime<Utc>,
    Option<&str>,
    i64,
) -> Result<QueuePage<T>, AppError>;

/// A queue page for the signed-in warehouse crew: its rows for the chosen warehouse.
async fn show<T: Send + 'static>(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
    queue: &Queue,
    load: Load<T>,
    rows: fn(Lang, &[T]) -> Markup,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Warehouse]);
    let lang = lang_of(&req);
    let chosen = chosen_warehouse(&req, &state.network, query.warehouse.as_deref());
    let (code, now, after) = (chosen.clone(), state.clock.now(), query.after.clone());
    let limit = crate::paging::page_size(query.limit, QUEUE_PAGE);
    let found = match limit {
        Ok(limit) => {
            state
                .db
                .read(move |c| load(c, code.as_deref(), now, after.as_deref(), limit))
                .await
        }
        Err(e) => Err(e),
    };
    let found = match found {
        Ok(found) => found,
        Err(e) => return error_page(&req, &state, Some(&staff), &e),
    };
    // The links keep the warehouse shown ("" is every warehouse).
    let link = |after: Option<&str>| {
        let size = query.limit.map(|n| n.to_string());
        let mut pairs = vec![("warehouse", chosen.as_deref().unwrap_or(""))];
        pairs.extend(size.as_deref().map(|n| ("limit", n)));
        pairs.extend(after.map(|a| ("after", a)));
        format!(
            "{}?{}",
            queue.path,
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let body = html! {
        h1 { (lang.t(queue.title)) }
        p { (lang.t(queue.intro)) }
        (warehouse_picker(lang, queue.path, &state.network, chosen.as_deref()))
        @if found.capped { p.notice { (lang.t("queue_capped")) } }
        @if found.page.rows.is_empty() { p.empty { (lang.t("queue_empty")) } }
        @else { table { (rows(lang, &found.page.rows)) } }
        (super::page_links(
            lang,
            super::ListOrder::Queue,
            query.after.is_some().then(|| link(None)).as_deref(),
            found.page.next_cursor.as_deref().map(|next| link(Some(next))).as_deref(),
        ))
    };
    let markup = layout_at(
        lang,
        &lang.t(queue.title),
        Some(&staff),
        req.query_string(),
        body,
    );
    super::page(&req, &state, StatusCode::OK, markup)
}

/// `/warehouse/arriving`
pub async fn arriving(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> HttpResponse {
    let load: Load<ArrivingReturn> = warehouse_queues::arriving;
    show(req, state, query, &ARRIVING, load, arriving_rows).await
}

/// `/warehouse/to-inspect`
pub async fn to_inspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> HttpResponse {
    let load: Load<ReturnToInspect> =
        |c, warehouse, _, after, limit| warehouse_queues::to_inspect(c, warehouse, after, limit);
    show(req, state, query, &TO_INSPECT, load, to_inspect_rows).await
}
