//! `/warehouse/scan`: one input that keeps focus, for a keyboard-wedge scanner (a scan
//! ends with Enter, which submits the form). The result shows large, with a sound where
//! the browser allows one, and the last 20 scans below. Works without JavaScript.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup, PreEscaped};

use super::{error_page, lang_of, layout, Staff};
use crate::api::state::AppState;
use crate::db::received::ReceivedRow;
use crate::domain::barcode::{self, BarcodeError};
use crate::domain::{RmaStatus, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::paging::Page;
use crate::receiving::{self, BenchScan, ScanAnswer, ScanResult};

const STATION: &str = "bh_station";

/// A tone per result; a box for another warehouse sounds low and long, unlike a match.
const BEEP: &str = "(function(){var r=document.querySelector('[data-result]');if(!r||!window.AudioContext)return;\
try{var k=r.dataset.result,c=new AudioContext(),o=c.createOscillator();\
o.frequency.value={matched:880,already_received:660,unmatched:220,wrong_warehouse:150,typo:330}[k]||440;\
o.connect(c.destination);o.start();o.stop(c.currentTime+(k==='wrong_warehouse'?0.7:0.15));}catch(e){}})();";

/// Keeps the focus on the scan input, as a bench scanner needs.
const KEEP_FOCUS: &str = "var b=document.getElementById('barcode');if(b){b.focus();}";

/// The page's only scripts; the Content-Security-Policy allows exactly these.
pub(super) const SCRIPTS: [&str; 2] = [BEEP, KEEP_FOCUS];

/// The bench this browser scans at (remembered in a cookie), `bench-1` until one is named.
pub(super) fn station_of(req: &HttpRequest) -> String {
    req.cookie(STATION)
        .and_then(|c| receiving::check_station(c.value()).ok())
        .unwrap_or_else(|| "bench-1".to_string())
}

/// What the bench shows for a scan.
enum Shown<'a> {
    Answer(&'a ScanAnswer),
    /// An RMA number with a wrong check character: nothing stored, scan again.
    Typo(&'a str),
}

/// The result a bench shows: a box for another warehouse is its own (red) result, as
/// it goes aside for transfer rather than on to inspection.
fn shown_result(answer: &ScanAnswer) -> &'static str {
    match answer.result {
        ScanResult::Unmatched => "unmatched",
        _ if answer.wrong_warehouse => "wrong_warehouse",
        ScanResult::Matched => "matched",
        ScanResult::AlreadyReceived => "already_received",
    }
}

fn result_block(lang: Lang, shown: &Shown) -> Markup {
    let answer = match shown {
        Shown::Typo(scan) => {
            return html! {
                section.result.typo data-result="typo" role="status" { (lang.t("typo")) }
                p role="alert" { (lang.t_with("typo_detail", &[("scan", scan)])) }
            }
        }
        Shown::Answer(answer) => answer,
    };
    let result = shown_result(answer);
    html! {
        section.result.(result) data-result=(result) role="status" {
            (lang.t(result))
            @if let Some(rma) = &answer.rma { " — " span.id { (rma.number) } }
        }
        @if result == "wrong_warehouse" {
            p.wrong role="alert" {
                (lang.t_with("put_aside", &[("warehouse", answer.expected_warehouse.as_deref().unwrap_or(""))]))
            }
        }
        @if let Some(reason) = &answer.reason { p { (reason) } }
        @if let Some(rma) = &answer.rma {
            @if result != "wrong_warehouse" && rma.status == RmaStatus::Received {
                p { a.button href={ "/warehouse/rmas/" (rma.number) "/inspect" } { (lang.t("inspect_now")) } }
            }
            table {
                tr { th { (lang.t("item")) } th { (lang.t("quantity")) } th { (lang.t("reason")) } }
                @for l in &rma.lines {
                    tr {
                        td data-label=(lang.t("item")) { (l.sku.as_deref().unwrap_or("")) " " (l.title.as_deref().unwrap_or("")) }
                        td data-label=(lang.t("quantity")) { (l.quantity) }
                        td data-label=(lang.t("reason")) { (lang.word(&l.reason)) }
                    }
                }
            }
        }
        @if answer.result == ScanResult::Unmatched {
            @let id = &answer.parcel_id;
            p { a href={ "/warehouse/parcels#p-" (id) } { (lang.t("link_later")) } " (" code { (id) } ")" }
        }
    }
}

fn station_page(
    lang: Lang,
    staff: &Staff,
    station: &str,
    shown: Option<&Shown>,
    error: Option<&str>,
    recent: &[(ReceivedRow, Option<String>)],
) -> Markup {
    let body = html! {
        h1 { (lang.t("scan_station")) }
        @if let Some(shown) = shown { (result_block(lang, shown)) }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        form method="post" action="/warehouse/scan" {
            input type="hidden" name="csrf" value=(staff.csrf);
            label for="barcode" { (lang.t("barcode")) }
            input #barcode name="barcode" autocomplete="off" autofocus required;
            label for="station" { (lang.t("station")) }
            input #station name="station" value=(station) required;
            button type="submit" { (lang.t("scan")) }
        }
        h2 { (lang.t("last_scans")) }
        table {
            tr { th { (lang.t("time")) } th { (lang.t("barcode")) } th { (lang.t("station")) } th { (lang.t("rma")) } }
            @for (row, rma) in recent {
                tr {
                    td { (lang.date(row.received_at)) }
                    td { (row.scanned) }
                    td { (row.station) }
                    td { (rma.as_deref().unwrap_or("—")) }
                }
            }
        }
        @for script in SCRIPTS { script { (PreEscaped(script)) } }
    };
    layout(lang, &lang.t("scan_station"), Some(staff), body)
}

async fn recent(state: &AppState) -> Result<Vec<(ReceivedRow, Option<String>)>, AppError> {
    let page = state
        .db
        .read(|c| receiving::boxes(c, false, None, 20))
        .await?;
    Ok(page.rows)
}

pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Warehouse]);
    let lang = lang_of(&req);
    match recent(&state).await {
        Ok(recent) => super::page(
            &req,
            &state,
            StatusCode::OK,
            station_page(lang, &staff, &station_of(&req), None, None, &recent),
        ),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (staff, form) = super::signed_form!(&req, &state, &[Role::Warehouse], form);
    let lang = lang_of(&req);
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let station = match field("station").trim() {
        "" => station_of(&req),
        typed => match receiving::check_station(typed) {
            Ok(station) => station,
            Err(e) => return error_page(&req, &state, Some(&staff), &e),
        },
    };
    let raw = field("barcode");
    let (answer, error, status) = match barcode::read(raw) {
        Err(BarcodeError::MistypedRma(typed)) => {
            (Err(typed), None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(BarcodeError::Empty) => (
            Ok(None),
            Some(lang.t("nothing_scanned")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => (
            Ok(None),
            Some(other.to_string().into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Ok(read) => {
            let bench = BenchScan {
                raw: raw.to_string(),
                read,
                warehouse: receiving::warehouse_of(&state.network, None, &station),
                station: station.clone(),
            };
            let (actor, now) = (staff.actor(), state.clock.now());
            let answer = state
                .db
                .write(move |c| receiving::scan(c, bench, &actor, now))
                .await;
            match answer {
                Ok(answer) => (Ok(Some(answer)), None, StatusCode::OK),
                Err(e) => return error_page(&req, &state, Some(&staff), &e),
            }
        }
    };
    let recent = match recent(&state).await {
        Ok(recent) => recent,
        Err(e) => return error_page(&req, &state, Some(&staff), &e),
    };
    let shown = match &answer {
        Ok(Some(answer)) => Some(Shown::Answer(answer)),
        Ok(None) => None,
        Err(typed) => Some(Shown::Typo(typed)),
    };
    let mut response = super::page(
        &req,
        &state,
        status,
        station_page(
            lang,
            &staff,
            &station,
            shown.as_ref(),
            error.as_deref(),
            &recent,
        ),
    );
    let mut remembered = super::cookie(&state, STATION, station);
    remembered.set_http_only(true);
    let _ = response.add_cookie(&remembered);
    response
}

/// A link that was refused: the box's id, what was typed, and why.
struct Refused {
    parcel: String,
    typed: String,
    reason: String,
}

/// `/warehouse/parcels`: boxes no RMA matched, oldest problems first in view, each with a
/// form to link it to its RMA once someone has found which one it is. A refused link
/// shows its reason beside that box's own form, with what was typed kept.
fn unmatched_page(
    lang: Lang,
    staff: &Staff,
    page: &Unmatched,
    outcome: Option<Result<String, Refused>>,
) -> Markup {
    let boxes = &page.boxes.rows;
    let refused = match &outcome {
        Some(Err(refused)) => Some(refused),
        _ => None,
    };
    let body = html! {
        h1 { (lang.t("unmatched_parcels")) }
        @if let Some(Ok(done)) = &outcome { p.result.matched role="status" { (done) } }
        // A box no longer on the list (linked meanwhile) has no form to show it beside.
        @if let Some(r) = refused.filter(|r| !boxes.iter().any(|(row, _)| row.id == r.parcel)) {
            p.error role="alert" { (r.reason) }
        }
        @if boxes.is_empty() { p { (lang.t("none")) } }
        @for (row, _) in boxes {
            @let here = refused.filter(|r| r.parcel == row.id);
            @let input_id = format!("rma-{}", row.id);
            section id={ "p-" (row.id) } {
                h2 { code { (row.scanned) } }
                p { (lang.date(row.received_at)) " · " (row.station) " · " (row.received_by) }
                form method="post" action={ "/warehouse/parcels/" (row.id) "/link" } {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    label for=(input_id) { (lang.t("rma")) }
                    @if let Some(r) = here {
                        p.error id={ (input_id) "-error" } role="alert" { (r.reason) }
                    }
                    input id=(input_id) name="rma" placeholder="R-XXXX-XXXX" autocomplete="off" required
                        value=[here.map(|r| r.typed.as_str())]
                        aria-invalid=[here.map(|_| "true")]
                        aria-describedby=[here.map(|_| format!("{input_id}-error"))]
                        autofocus[here.is_some()];
                    button type="submit" { (lang.t("link_later")) }
                }
            }
        }
        (super::page_links(
            lang,
            super::ListOrder::NewestFirst,
            (!page.first).then_some("/warehouse/parcels"),
            page.boxes.next_cursor.as_ref().map(|next| format!("/warehouse/parcels?after={next}")).as_deref(),
        ))
    };
    layout(lang, &lang.t("unmatched_parcels"), Some(staff), body)
}

/// Unmatched boxes `/warehouse/parcels` shows at a time.
const UNMATCHED_PAGE: i64 = 100;

/// A page of unmatched boxes, and whether it is the first.
struct Unmatched {
    boxes: Page<(ReceivedRow, Option<String>)>,
    first: bool,
}

async fn unmatched(state: &AppState, cursor: Option<String>) -> Result<Unmatched, AppError> {
    let first = cursor.is_none();
    let boxes = state
        .db
        .read(move |c| receiving::boxes(c, true, cursor.as_deref(), UNMATCHED_PAGE))
        .await?;
    Ok(Unmatched { boxes, first })
}

pub async fn parcels(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Warehouse]);
    let cursor = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("after").cloned());
    match unmatched(&state, cursor).await {
        Ok(boxes) => super::page(
            &req,
            &state,
            StatusCode::OK,
            unmatched_page(lang_of(&req), &staff, &boxes, None),
        ),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}

pub async fn link(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (staff, form) = super::signed_form!(&req, &state, &[Role::Warehouse], form);
    let lang = lang_of(&req);
    let parcel = path.into_inner();
    let typed = form.get("rma").cloned().unwrap_or_default();
    let linked = async {
        let number = crate::returns::parse_number_in("rma", &typed)?;
        let (id, actor, now) = (parcel.clone(), staff.actor(), state.clock.now());
        state
            .db
            .write(move |c| receiving::link(c, &id, &number, &actor, now))
            .await
    }
    .await;
    let (status, outcome) = match linked {
        Ok(view) => (
            StatusCode::OK,
            Ok(format!(
                "{} — {}",
                lang.t("received"),
                view.rma_number.as_deref().unwrap_or("")
            )),
        ),
        Err(e) => {
            use actix_web::ResponseError;
            let reason = super::error_words(lang, &e);
            (
                e.status_code(),
                Err(Refused {
                    parcel,
                    typed,
                    reason,
                }),
            )
        }
    };
    match unmatched(&state, None).await {
        Ok(boxes) => super::page(
            &req,
            &state,
            status,
            unmatched_page(lang, &staff, &boxes, Some(outcome)),
        ),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}
