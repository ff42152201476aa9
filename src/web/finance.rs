//! `/finance/refunds`: refund triggers by status with their calculation, acknowledge,
//! and a CSV export of what is shown.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;
use serde_json::Value;

use super::{csrf_ok, error_page, expired_form, lang_of, layout};
use crate::app::AppState;
use crate::db::refunds::{self, TriggerRow};
use crate::domain::Role;
use crate::error::AppError;

const STATUSES: [&str; 4] = ["pending", "emailed", "acknowledged", "failed"];

#[derive(Deserialize)]
pub struct Filter {
    status: Option<String>,
}

type Listed = (TriggerRow, String, Option<String>);

async fn listed(state: &AppState, status: Option<String>) -> Result<Vec<Listed>, AppError> {
    let status = status.filter(|s| STATUSES.contains(&s.as_str()));
    state
        .db
        .read(move |c| {
            refunds::list_triggers(c, status.as_deref(), None, 500).map_err(AppError::from)
        })
        .await
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    filter: web::Query<Filter>,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Finance]);
    let lang = lang_of(&req);
    let status = filter.into_inner().status;
    let rows = match listed(&state, status.clone()).await {
        Ok(rows) => rows,
        Err(e) => return error_page(&req, &state, Some(&staff), &e),
    };
    let body = html! {
        h1 { (lang.t("refunds")) }
        nav aria-label=(lang.t("status")) {
            a href="/finance/refunds" { (lang.t("all")) } " "
            @for s in STATUSES { a href={ "/finance/refunds?status=" (s) } { (s) } " " }
            " · "
            a href={ "/finance/refunds.csv" @if let Some(s) = &status { "?status=" (s) } } { (lang.t("export_csv")) }
        }
        table {
            tr {
                th { (lang.t("created")) } th { (lang.t("order")) } th { (lang.t("rma")) }
                th { (lang.t("amount")) } th { (lang.t("method")) } th { (lang.t("status")) } th { "" }
            }
            @for (t, order, rma) in &rows {
                @let calc: Value = serde_json::from_str(&t.calculation).unwrap_or(Value::Null);
                tr data-refund=(t.id) {
                    td { (lang.date(t.created_at)) }
                    td { (order) }
                    td { (rma.as_deref().unwrap_or("—")) }
                    td { (lang.money(&crate::api::views::amount(t.amount_minor, &t.currency), &t.currency)) }
                    td { (t.method) }
                    td { (t.status) }
                    td {
                        details {
                            summary { "…" }
                            @if let Some(notes) = calc["notes"].as_array() {
                                ul { @for n in notes { li { (n.as_str().unwrap_or("")) } } }
                            }
                            p { "id: " code { (t.id) } }
                        }
                        @if t.status != "acknowledged" {
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
        StatusCode::OK,
        layout(lang, lang.t("refunds"), Some(&staff), body),
    )
}

pub async fn csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    filter: web::Query<Filter>,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Finance]);
    let result = async {
        let rows = listed(&state, filter.into_inner().status).await?;
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
            w.write_record([
                t.id.as_str(),
                &crate::api::views::ts(t.created_at),
                order,
                rma.as_deref().unwrap_or(""),
                &crate::api::views::amount(t.amount_minor, &t.currency),
                &t.currency,
                &t.method,
                &t.status,
                &opt(t.emailed_at),
                &opt(t.acknowledged_at),
                t.acknowledged_by.as_deref().unwrap_or(""),
            ])
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

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn acknowledge(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Finance]);
    if !csrf_ok(&staff.csrf, form.csrf.as_deref()) {
        return expired_form(&req, &state, Some(&staff));
    }
    let (id, actor, now) = (path.into_inner(), staff.actor(), state.clock.now());
    let done = state
        .db
        .write(move |c| {
            if refunds::trigger(c, &id)?.is_none() {
                return Err(AppError::not_found("refund"));
            }
            if !refunds::acknowledge(c, &id, &actor, now)? {
                return Err(AppError::Conflict(
                    "the refund was acknowledged already".into(),
                ));
            }
            Ok(())
        })
        .await;
    match done {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/finance/refunds"))
            .finish(),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}
