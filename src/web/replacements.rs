//! `/warehouse/replacements`: what exchanges send out. The queue of replacements to
//! pack, oldest first, each with its packing slip and a form to say which parcel it
//! left in (the parcel is then tracked like any outbound one); and those shipped.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::{error_page, lang_of, layout_at, Staff};
use crate::api::orders::ShipmentInput;
use crate::api::state::AppState;
use crate::db::fulfilments::ListedFulfilment;
use crate::domain::{FulfilmentStatus, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::paging::Page;

/// Replacements a page shows at a time.
const PAGE_SIZE: i64 = 100;

/// A refused "shipped": which replacement, what was typed, and why.
struct Refused {
    id: String,
    carrier: String,
    tracking_number: String,
    reason: String,
}

/// What the page shows: a status, where it starts, and the outcome of a form just sent.
struct Shown {
    status: FulfilmentStatus,
    after: Option<String>,
    outcome: Option<Result<String, Refused>>,
}

fn status_of(query: &HashMap<String, String>) -> FulfilmentStatus {
    query
        .get("status")
        .and_then(|s| s.parse().ok())
        .unwrap_or(FulfilmentStatus::ToShip)
}

async fn load(state: &AppState, shown: &Shown) -> Result<Page<ListedFulfilment>, AppError> {
    let (status, after) = (shown.status, shown.after.clone());
    state
        .db
        .read(move |c| crate::fulfilments::page(c, Some(status), after.as_deref(), PAGE_SIZE))
        .await
}

fn body(lang: Lang, staff: &Staff, page: &Page<ListedFulfilment>, shown: &Shown) -> Markup {
    let refused = match &shown.outcome {
        Some(Err(r)) => Some(r),
        _ => None,
    };
    let here = |s: FulfilmentStatus| format!("/warehouse/replacements?status={s}");
    html! {
        h1 { (lang.t("replacements")) }
        p { (lang.t("replacements_intro")) }
        p.pages {
            @for s in FulfilmentStatus::ALL {
                @if *s == shown.status { strong { (lang.word(s.as_str())) } }
                @else { a href=(here(*s)) { (lang.word(s.as_str())) } }
            }
        }
        @if let Some(Ok(done)) = &shown.outcome { p.result.matched role="status" { (done) } }
        // A replacement no longer in the list (shipped meanwhile) has no form to show it beside.
        @if let Some(r) = refused.filter(|r| !page.rows.iter().any(|f| f.fulfilment.id == r.id)) {
            p.error role="alert" { (r.reason) }
        }
        @if page.rows.is_empty() { p.empty role="status" { (lang.t("queue_empty")) } }
        @for f in &page.rows {
            @let id = &f.fulfilment.id;
            @let mine = refused.filter(|r| r.id == *id);
            section id={ "f-" (id) } {
                h2 { (lang.t("rma")) " " span.id { (f.rma_number) } " · " (lang.t("order")) " " span.id { (f.order_number) } }
                @match f.fulfilment.shipped_at {
                    Some(at) => p { (lang.word("shipped")) " " (lang.date(at)) },
                    None => p { (lang.t("waiting_since")) " " (lang.date(f.fulfilment.created_at)) },
                }
                ul {
                    @for l in f.fulfilment.lines() {
                        li { (l.quantity) " × " code { (l.sku) } " " (l.title) }
                    }
                }
                p { a href={ "/warehouse/replacements/" (id) "/packing-slip.pdf" } download { (lang.t("replacement_slip")) } }
                @if let Some((carrier, tracking)) = &f.parcel {
                    p { (lang.t("carrier")) ": " (carrier) " · " (lang.t("tracking_number")) ": " code { (tracking) } }
                } @else {
                    form method="post" action={ "/warehouse/replacements/" (id) "/shipped" } {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        @if let Some(r) = mine { p.error id={ "e-" (id) } role="alert" { (r.reason) } }
                        label for={ "c-" (id) } { (lang.t("carrier")) }
                        input id={ "c-" (id) } name="carrier" placeholder="dhl" autocomplete="off" required maxlength="32"
                            value=[mine.map(|r| r.carrier.as_str())]
                            aria-describedby=[mine.map(|_| format!("e-{id}"))];
                        label for={ "t-" (id) } { (lang.t("tracking_number")) }
                        input id={ "t-" (id) } name="tracking_number" autocomplete="off" required maxlength="64"
                            value=[mine.map(|r| r.tracking_number.as_str())]
                            aria-invalid=[mine.map(|_| "true")]
                            aria-describedby=[mine.map(|_| format!("e-{id}"))]
                            autofocus[mine.is_some()];
                        button type="submit" { (lang.t("mark_shipped")) }
                    }
                }
            }
        }
        (super::page_links(
            lang,
            super::ListOrder::Queue,
            shown.after.is_some().then(|| here(shown.status)).as_deref(),
            page.next_cursor.as_ref().map(|next| format!("{}&after={next}", here(shown.status))).as_deref(),
        ))
    }
}

async fn respond(
    req: &HttpRequest,
    state: &AppState,
    staff: &Staff,
    code: StatusCode,
    shown: Shown,
) -> HttpResponse {
    let lang = lang_of(req);
    match load(state, &shown).await {
        Ok(page) => super::page(
            req,
            state,
            code,
            layout_at(
                lang,
                &lang.t("replacements"),
                Some(staff),
                req.query_string(),
                body(lang, staff, &page, &shown),
            ),
        ),
        Err(e) => error_page(req, state, Some(staff), &e),
    }
}

pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Warehouse]);
    let query = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    // Back from a parcel just entered: say so, from the stored parcel.
    let lang = lang_of(&req);
    let outcome = match query
        .get("shipped")
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
    {
        Some(id) => {
            let id = id.clone();
            let found = state
                .db
                .read(move |c| crate::db::fulfilments::find(c, &id).map_err(AppError::from))
                .await;
            match found {
                Ok(Some(f)) => f.parcel.as_ref().map(|(carrier, tracking)| {
                    Ok(shipped_words(lang, &f.rma_number, carrier, tracking))
                }),
                Ok(None) => None,
                Err(e) => return error_page(&req, &state, Some(&staff), &e),
            }
        }
        None => None,
    };
    let shown = Shown {
        status: status_of(&query),
        after: query.get("after").cloned(),
        outcome,
    };
    respond(&req, &state, &staff, StatusCode::OK, shown).await
}

fn shipped_words(lang: Lang, rma: &str, carrier: &str, tracking: &str) -> String {
    lang.t_with(
        "replacement_shipped",
        &[("rma", rma), ("carrier", carrier), ("tracking", tracking)],
    )
    .into_owned()
}

/// The form of one replacement: the parcel it left in, now.
pub async fn shipped(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (staff, form) = super::signed_form!(&req, &state, &[Role::Warehouse], form);
    let lang = lang_of(&req);
    let id = path.into_inner();
    let typed = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let (carrier, tracking_number) = (typed("carrier"), typed("tracking_number"));
    let now = state.clock.now();
    let result = async {
        if uuid::Uuid::parse_str(&id).is_err() {
            return Err(AppError::not_found("fulfilment"));
        }
        let shipment = ShipmentInput::outbound(&carrier, &tracking_number, None, now)
            .to_track(now, &state.settings.tracking.rules)?;
        let id = id.clone();
        state
            .db
            .write(move |c| crate::fulfilments::ship(c, &id, shipment, now))
            .await
    }
    .await;
    let (code, outcome) = match result {
        // Done: back to the list (a reload then sends nothing twice), which says so.
        Ok((f, _)) => {
            return super::redirect(&format!(
                "/warehouse/replacements?shipped={}",
                f.fulfilment.id
            ))
        }
        Err(e) => {
            use actix_web::ResponseError;
            (
                e.status_code(),
                Err(Refused {
                    id,
                    carrier,
                    tracking_number,
                    reason: super::error_words(lang, &e),
                }),
            )
        }
    };
    let shown = Shown {
        status: FulfilmentStatus::ToShip,
        after: None,
        outcome: Some(outcome),
    };
    respond(&req, &state, &staff, code, shown).await
}

/// A replacement's packing slip, to print and put in its box.
pub async fn packing_slip(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Warehouse]);
    let id = path.into_inner();
    let result = async {
        if uuid::Uuid::parse_str(&id).is_err() {
            return Err(AppError::not_found("fulfilment"));
        }
        crate::packing_slip::render_replacement(&state, id.clone()).await
    }
    .await;
    match result {
        Ok(bytes) => super::pdf_download(&format!("replacement-{id}.pdf"), bytes),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}
