//! `/finance/refunds`: refund triggers by status with their calculation, acknowledge,
//! and a CSV export of what is shown.

use std::collections::HashMap;

use crate::refunds::Calculation;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::{error_page, lang_of, layout_at};
use crate::api::refunds::RefundQuery;
use crate::api::state::AppState;
use crate::db::refunds::{self, TriggerRow};
use crate::domain::{Role, TriggerStatus};
use crate::error::AppError;

type Listed = (TriggerRow, String, Option<String>);

/// The page's filters, read from its query the way the API reads its own (the page's
/// query may also carry `lang`).
fn query_of(req: &HttpRequest) -> RefundQuery {
    let pairs: HashMap<String, String> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    // A form sends its empty fields; for the page they mean "any".
    let get = |k: &str| pairs.get(k).filter(|v| !v.trim().is_empty()).cloned();
    RefundQuery {
        status: get("status"),
        currency: get("currency"),
        from: get("from"),
        to: get("to"),
        q: get("q"),
    }
}

async fn listed(state: &AppState, query: &RefundQuery) -> Result<Vec<Listed>, AppError> {
    let filter = query.filter()?;
    state
        .db
        .read(move |c| refunds::list_triggers(c, &filter, None, 500).map_err(AppError::from))
        .await
}

pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Finance]);
    let lang = lang_of(&req);
    let query = query_of(&req);
    let (rows, problem, status) = match listed(&state, &query).await {
        Ok(rows) => (rows, None, StatusCode::OK),
        Err(e) if e.field_errors().is_some() => {
            use actix_web::ResponseError;
            (
                Vec::new(),
                Some(super::error_words(lang, &e)),
                e.status_code(),
            )
        }
        Err(e) => return error_page(&req, &state, Some(&staff), &e),
    };
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let csv_query = serde_urlencoded::to_string([
        ("status", value(&query.status)),
        ("currency", value(&query.currency)),
        ("from", value(&query.from)),
        ("to", value(&query.to)),
        ("q", value(&query.q)),
    ])
    .unwrap_or_default();
    let body = html! {
        h1 { (lang.t("refunds")) }
        form.filters method="get" action="/finance/refunds" {
            label for="status" { (lang.t("status")) }
            select #status name="status" {
                option value="" { (lang.t("all")) }
                @for s in TriggerStatus::ALL { option value=(s) selected[query.status.as_deref() == Some(s.as_str())] { (lang.word(s.as_str())) } }
            }
            label for="currency" { (lang.t("currency")) }
            input #currency name="currency" value=(value(&query.currency)) placeholder="EUR" maxlength="3";
            label for="from" { (lang.t("from_day")) }
            input #from name="from" type="date" value=(value(&query.from));
            label for="to" { (lang.t("to_day")) }
            input #to name="to" type="date" value=(value(&query.to));
            label for="q" { (lang.t("order_or_rma")) }
            input #q name="q" value=(value(&query.q));
            button type="submit" { (lang.t("filter")) }
        }
        @if let Some(p) = &problem { p.error role="alert" { (p) } }
        p { a href={ "/finance/refunds.csv?" (csv_query) } { (lang.t("export_csv")) } }
        table {
            tr {
                th { (lang.t("created")) } th { (lang.t("order")) } th { (lang.t("rma")) }
                th { (lang.t("amount")) } th { (lang.t("method")) } th { (lang.t("status")) } th { "" }
            }
            @for (t, order, rma) in &rows {
                @let calc = Calculation::read(&t.calculation);
                tr data-refund=(t.id) {
                    td { (lang.date(t.created_at)) }
                    td { (order) }
                    td { (rma.as_deref().unwrap_or("—")) }
                    td { (lang.money(&crate::api::views::amount(t.amount_minor, &t.currency), &t.currency)) }
                    td { (lang.word(&t.method)) }
                    td { (lang.word(t.status.as_str())) }
                    td {
                        details {
                            summary { "…" }
                            @if let Some(notes) = calc.as_ref().map(Calculation::notes).filter(|n| !n.is_empty()) {
                                ul { @for n in notes { li { (n) } } }
                            }
                            p { "id: " code { (t.id) } }
                        }
                        @if t.status != TriggerStatus::Acknowledged {
                            form method="post" action={ "/finance/refunds/" (t.id) "/acknowledge" } {
                                input type="hidden" name="csrf" value=(staff.csrf);
                                button type="submit" { (lang.t("acknowledge")) }
                            }
                        }
                    }
                }
            }
        }
    };
    super::page(
        &req,
        &state,
        status,
        layout_at(
            lang,
            &lang.t("refunds"),
            Some(&staff),
            req.query_string(),
            body,
        ),
    )
}

pub async fn csv(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Finance]);
    let result = async {
        let rows = listed(&state, &query_of(&req)).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let fail = |e: csv::Error| AppError::Internal(e.to_string());
        w.write_record([
            "refund_trigger_id",
            "created_at",
            "order_number",
            "rma_number",
            "amount",
            "currency",
            "method",
            "status",
            "emailed_at",
            "acknowledged_at",
            "acknowledged_by",
        ])
        .map_err(fail)?;
        for (t, order, rma) in &rows {
            let opt =
                |v: Option<chrono::NaiveDateTime>| v.map(crate::api::views::ts).unwrap_or_default();
            let cells = [
                t.id.as_str(),
                &crate::api::views::ts(t.created_at),
                order,
                rma.as_deref().unwrap_or(""),
                &crate::api::views::amount(t.amount_minor, &t.currency),
                &t.currency,
                &t.method,
                t.status.as_str(),
                &opt(t.emailed_at),
                &opt(t.acknowledged_at),
                t.acknowledged_by.as_deref().unwrap_or(""),
            ];
            w.write_record(cells.map(crate::domain::spreadsheet::safe_cell))
                .map_err(fail)?;
        }
        w.into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))
    }
    .await;
    match result {
        Ok(bytes) => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"refunds.csv\"",
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(bytes),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}

pub async fn acknowledge(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (staff, _) = super::signed_form!(&req, &state, &[Role::Finance], form);
    let (id, actor, now) = (path.into_inner(), staff.actor(), state.clock.now());
    let done = state
        .db
        .write(move |c| crate::refunds::acknowledge(c, &id, &actor, now))
        .await;
    match done {
        Ok(()) => super::redirect("/finance/refunds"),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}
