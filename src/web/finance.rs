//! `/finance/refunds`: refund triggers by status with their calculation, acknowledge,
//! and a CSV export of what is shown.

use std::collections::HashMap;

use crate::refunds::Calculation;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::{error_page, lang_of, layout, layout_at, Staff};
use crate::api::refunds::RefundQuery;
use crate::api::state::AppState;
use crate::db::refunds::{self, CurrencyTotal, ListedTrigger, TriggerRow};
use crate::domain::{Role, TriggerStatus};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::paging::Page;

/// Triggers a page shows at a time.
const PAGE_SIZE: i64 = 100;

/// The page's filters, read from its query the way the API reads its own (the page's
/// query may also carry `lang`, `cursor` and `done`).
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
        limit: get("limit").and_then(|l| l.trim().parse().ok()),
        cursor: get("cursor"),
    }
}

/// The filters as a query string (no cursor), for the CSV link and the page links.
fn filters_query(query: &RefundQuery) -> String {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut pairs = vec![
        ("status", value(&query.status)),
        ("currency", value(&query.currency)),
        ("from", value(&query.from)),
        ("to", value(&query.to)),
        ("q", value(&query.q)),
    ];
    if let Some(limit) = query.limit {
        pairs.push(("limit", limit.to_string()));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// One page of what the filters name, and the totals per currency over every page.
async fn listed(
    state: &AppState,
    query: &RefundQuery,
) -> Result<(Page<ListedTrigger>, Vec<CurrencyTotal>), AppError> {
    let filter = query.filter()?;
    let limit = crate::paging::page_size(query.limit, PAGE_SIZE)?;
    let cursor = query.cursor.clone();
    state
        .db
        .read(move |c| {
            let page = crate::refunds::page(c, &filter, cursor.as_deref(), limit)?;
            let totals = refunds::totals(c, &filter)?;
            Ok::<_, AppError>((page, totals))
        })
        .await
}

fn money(lang: Lang, minor: i64, currency: &str) -> String {
    lang.money(&crate::api::views::amount(minor, currency), currency)
}

/// The count and sum per currency and method of what the filters name; store
/// credits' bonuses beside their amount.
fn totals_table(lang: Lang, totals: &[CurrencyTotal]) -> Markup {
    html! {
        table.totals {
            caption { (lang.t("totals")) }
            tr { th { (lang.t("currency")) } th { (lang.t("method")) } th.num { (lang.t("refunds")) } th.num { (lang.t("amount")) } }
            @for t in totals {
                tr {
                    td data-label=(lang.t("currency")) { (t.currency) }
                    td data-label=(lang.t("method")) { (lang.word(&t.method)) }
                    td.num data-label=(lang.t("refunds")) { (t.count) }
                    td.num data-label=(lang.t("amount")) { (amount_cell(lang, t.amount_minor, t.bonus_minor, &t.currency)) }
                }
            }
        }
    }
}

/// An amount, and a store credit's bonus after it.
fn amount_cell(lang: Lang, minor: i64, bonus_minor: i64, currency: &str) -> Markup {
    html! {
        (money(lang, minor, currency))
        @if bonus_minor > 0 {
            " + " (lang.t("bonus")) " " (money(lang, bonus_minor, currency))
        }
    }
}

/// How a trigger's amount was reached, in a line or two on its row.
fn calculation_cell(t: &TriggerRow) -> Markup {
    let calc = Calculation::read(&t.calculation);
    html! {
        @if let Some(notes) = calc.as_ref().map(Calculation::notes).filter(|n| !n.is_empty()) {
            ul.calc { @for n in notes { li { (n) } } }
        }
        small.id { code { (t.id) } }
    }
}

fn rows_table(lang: Lang, staff: &Staff, rows: &[ListedTrigger]) -> Markup {
    html! {
        // The checkboxes belong to the bulk form by its id: forms cannot nest, and
        // each row keeps its own acknowledge button.
        form #bulk method="post" action="/finance/refunds/acknowledge" {
            input type="hidden" name="csrf" value=(staff.csrf);
            button type="submit" { (lang.t("acknowledge_selected")) }
        }
        table.refunds {
            tr {
                th { span.sr { (lang.t("select")) } } th { (lang.t("created")) } th { (lang.t("order")) }
                th { (lang.t("rma")) } th { (lang.t("customer")) } th.num { (lang.t("amount")) }
                th { (lang.t("method")) } th { (lang.t("status")) } th { (lang.t("calculation")) } th { "" }
            }
            @for r in rows {
                @let t = &r.trigger;
                @let open = t.status != TriggerStatus::Acknowledged;
                tr id={ "refund-" (t.id) } data-refund=(t.id) {
                    td {
                        @if open {
                            label for={ "pick-" (t.id) } class="sr" { (lang.t("select")) " " (r.order_number) }
                            input id={ "pick-" (t.id) } type="checkbox" name="id" value=(t.id) form="bulk";
                        }
                    }
                    td data-label=(lang.t("created")) { (lang.date(t.created_at)) }
                    td.id data-label=(lang.t("order")) { (r.order_number) }
                    td.id data-label=(lang.t("rma")) { (r.rma_number.as_deref().unwrap_or("—")) }
                    td data-label=(lang.t("customer")) { (r.customer_name) }
                    td.num data-label=(lang.t("amount")) { (amount_cell(lang, t.amount_minor, t.bonus_minor, &t.currency)) }
                    td data-label=(lang.t("method")) { (lang.word(&t.method)) }
                    td data-label=(lang.t("status")) { (lang.word(t.status.as_str())) }
                    td data-label=(lang.t("calculation")) { (calculation_cell(t)) }
                    td {
                        @if open {
                            form method="post" action={ "/finance/refunds/" (t.id) "/acknowledge" } {
                                input type="hidden" name="csrf" value=(staff.csrf);
                                button type="submit" { (lang.t("acknowledge")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Finance]);
    let lang = lang_of(&req);
    let query = query_of(&req);
    let (listed, problem, status) = match listed(&state, &query).await {
        Ok(listed) => (Some(listed), None, StatusCode::OK),
        Err(e) if e.field_errors().is_some() => {
            use actix_web::ResponseError;
            (None, Some(super::error_words(lang, &e)), e.status_code())
        }
        Err(e) => return error_page(&req, &state, Some(&staff), &e),
    };
    let done = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("done").and_then(|d| d.parse::<usize>().ok()));
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let filters = filters_query(&query);
    let body = html! {
        h1 { (lang.t("refunds")) }
        @if let Some(n) = done {
            p.result.matched role="status" { (lang.t_with("acknowledged_n", &[("n", &n.to_string())])) }
        }
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
        @if let Some((page, totals)) = &listed {
            @if page.rows.is_empty() {
                p.empty role="status" { (lang.t("no_refunds")) }
            } @else {
                (totals_table(lang, totals))
                p { a href={ "/finance/refunds.csv?" (filters) } { (lang.t("export_csv")) } }
                (rows_table(lang, &staff, &page.rows))
                (super::page_links(
                    lang,
                    super::ListOrder::NewestFirst,
                    query.cursor.is_some().then(|| format!("/finance/refunds?{filters}")).as_deref(),
                    page.next_cursor.as_ref().map(|next| format!("/finance/refunds?{filters}&cursor={next}")).as_deref(),
                ))
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
    let download = async {
        let filter = query_of(&req).filter()?;
        super::csv_download(
            &state.db,
            "refunds.csv",
            [
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
                "bonus",
                "resolution",
                "action",
            ],
            move |c, cursor| crate::refunds::page(c, &filter, cursor, crate::paging::MAX_PAGE),
            |r| {
                let t = &r.trigger;
                let opt = |v: Option<chrono::NaiveDateTime>| {
                    v.map(crate::api::views::ts).unwrap_or_default()
                };
                [
                    t.id.clone(),
                    crate::api::views::ts(t.created_at),
                    r.order_number.clone(),
                    r.rma_number.clone().unwrap_or_default(),
                    crate::api::views::amount(t.amount_minor, &t.currency),
                    t.currency.clone(),
                    t.method.clone(),
                    t.status.as_str().to_string(),
                    opt(t.emailed_at),
                    opt(t.acknowledged_at),
                    t.acknowledged_by.clone().unwrap_or_default(),
                    match t.bonus_minor {
                        0 => String::new(),
                        b => crate::api::views::amount(b, &t.currency),
                    },
                    r.resolution.clone().unwrap_or_default(),
                    crate::refunds::action(t).to_string(),
                ]
            },
        )
        .await
    };
    match download.await {
        Ok(response) => response,
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
        Ok(()) => super::redirect("/finance/refunds?done=1"),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}

/// `POST /finance/refunds/acknowledge`: the refunds ticked on the list. First a page
/// that asks to confirm (how many, which, and their sum per currency), then, with
/// `confirm=yes`, all of them in one transaction and back to the list with a message.
pub async fn acknowledge_selected(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Finance]);
    let form = form.into_inner();
    let field = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if !super::csrf_ok(&staff.csrf, field("csrf")) {
        return super::expired_form(&req, &state, Some(&staff));
    }
    let lang = lang_of(&req);
    let mut ids: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.clone())
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > PAGE_SIZE as usize {
        let body = html! {
            p.error role="alert" { (lang.t("choose_refunds")) }
            p { a href="/finance/refunds" { (lang.t("refunds")) } }
        };
        let markup = layout(lang, &lang.t("refunds"), Some(&staff), body);
        return super::page(&req, &state, StatusCode::UNPROCESSABLE_ENTITY, markup);
    }
    if field("confirm") == Some("yes") {
        let (actor, now) = (staff.actor(), state.clock.now());
        let done = state
            .db
            .write(move |c| crate::refunds::acknowledge_all(c, &ids, &actor, now))
            .await;
        return match done {
            Ok(n) => super::redirect(&format!("/finance/refunds?done={n}")),
            Err(e) => error_page(&req, &state, Some(&staff), &e),
        };
    }
    let wanted = ids.clone();
    let chosen = state
        .db
        .read(move |c| {
            let mut rows = Vec::with_capacity(wanted.len());
            for id in &wanted {
                let row = refunds::list_one(c, id)?
                    .ok_or_else(|| AppError::not_found(format!("refund {id}")))?;
                rows.push(row);
            }
            Ok::<_, AppError>(rows)
        })
        .await;
    let chosen = match chosen {
        Ok(rows) => rows,
        Err(e) => return error_page(&req, &state, Some(&staff), &e),
    };
    let mut totals: Vec<CurrencyTotal> = Vec::new();
    for r in &chosen {
        CurrencyTotal::add(&mut totals, &r.trigger);
    }
    let body = html! {
        h1 { (lang.t_with("confirm_acknowledge", &[("n", &chosen.len().to_string())])) }
        (totals_table(lang, &totals))
        ul {
            @for r in &chosen {
                li { span.id { (r.order_number) } " · " (r.customer_name) " · " (money(lang, r.trigger.amount_minor, &r.trigger.currency)) }
            }
        }
        form method="post" action="/finance/refunds/acknowledge" {
            input type="hidden" name="csrf" value=(staff.csrf);
            input type="hidden" name="confirm" value="yes";
            @for id in &ids { input type="hidden" name="id" value=(id); }
            button type="submit" { (lang.t_with("yes_acknowledge", &[("n", &chosen.len().to_string())])) }
        }
        p { a href="/finance/refunds" { (lang.t("cancel")) } }
    };
    let markup = layout(lang, &lang.t("acknowledge"), Some(&staff), body);
    super::page(&req, &state, StatusCode::OK, markup)
}
