//! `/returns`: the customer portal, no account. Look the order up by number and email
//! or postcode (rate-limited, one answer for unknown and wrong), pick lines, quantities
//! and reasons, read the policy's decision in plain words, confirm, and get the label
//! (PDF) with drop-off instructions — or be told to keep the item. The status page
//! shows the timeline. Works without JavaScript; the order-scoped customer token lives
//! in an HttpOnly cookie.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use backhaul_carriers::LabelFormat;
use chrono_tz::Tz;
use maud::{html, Markup, PreEscaped};

use super::{
    cookie, csrf_ok, error_page, expired_form, lang_of, layout, layout_at, notice, page, redirect,
    retry_after,
};
use crate::api::client::client_ip;
use crate::api::state::AppState;
use crate::api::views::ReturnTo;
use crate::api::views::Rma;
use crate::auth::{CustomerAccess, Principal};
use crate::db::idempotency;
use crate::db::orders::{self, OrderRecord, OrderRow};
use crate::db::rmas::{self as stored_rmas, RmaRow};
use crate::db::staff::random_token;
use crate::domain::policy::Outcome;
use crate::domain::{LabelPayer, Resolution, ReturnReason, RmaStatus};
use crate::error::AppError;
use crate::exchange_offers::{self, Offers};
use crate::i18n::Lang;
use crate::lookup::{self, LookupInput};
use crate::photos;
use crate::returns::parse_number;
use crate::returns::{ExchangeFor, LineWindow, ReturnInput, ReturnLineInput};

const CUSTOMER: &str = "bh_customer";
/// How long a form with photos waits for its turn when many are being read.
const UPLOAD_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);
/// How long reading one form with photos may take (50 MB at 1 MB/s, and then some).
const UPLOAD_READ_LIMIT: std::time::Duration = std::time::Duration::from_secs(90);
const CSRF: &str = "bh_portal_csrf";

/// The form token: the cookie's, or a new one the response must set.
fn form_token(req: &HttpRequest) -> (String, bool) {
    match req.cookie(CSRF).map(|c| c.value().to_string()) {
        Some(t) if !t.is_empty() => (t, false),
        _ => (random_token(), true),
    }
}

fn respond(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    markup: Markup,
    token: (String, bool),
) -> HttpResponse {
    let mut response = page(req, state, status, markup);
    if token.1 {
        let _ = response.add_cookie(&cookie(state, CSRF, token.0));
    }
    response
}

fn form_ok(req: &HttpRequest, form: &HashMap<String, String>) -> bool {
    let expected = req
        .cookie(CSRF)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    !expected.is_empty() && csrf_ok(&expected, form.get("csrf").map(String::as_str))
}

/// The customer, from the token cookie.
fn customer(req: &HttpRequest, state: &AppState) -> Option<Principal> {
    let token = req.cookie(CUSTOMER)?.value().to_string();
    state.tokens.verify(&token, state.clock.now())
}

/// The customer and their submitted form, or the response for a missing sign-in or a
/// bad form token.
fn customer_form(
    req: &HttpRequest,
    state: &AppState,
    form: HashMap<String, String>,
) -> Result<(Principal, HashMap<String, String>), Box<HttpResponse>> {
    let who = customer(req, state).ok_or_else(|| Box::new(redirect("/returns")))?;
    if !form_ok(req, &form) {
        return Err(Box::new(expired_form(req, state, None)));
    }
    Ok((who, form))
}

/// The look-up form; after a failed try, with what was typed kept.
fn lookup_form(lang: Lang, token: &str, error: Option<&str>, typed: &LookupInput) -> Markup {
    let body = html! {
        h1 { (lang.t("return_items")) }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        form method="post" action="/returns" {
            input type="hidden" name="csrf" value=(token);
            label for="order_number" { (lang.t("order_number")) }
            input #order_number name="order_number" required autocomplete="off" value=(typed.order_number);
            label for="email" { (lang.t("email")) }
            input #email name="email" type="email" autocomplete="email" value=(typed.email.as_deref().unwrap_or(""));
            label for="postal_code" { (lang.t("postcode")) }
            input #postal_code name="postal_code" autocomplete="postal-code" value=(typed.postal_code.as_deref().unwrap_or(""));
            button type="submit" { (lang.t("find_order")) }
        }
    };
    layout(lang, &lang.t("return_items"), None, body)
}

pub async fn lookup_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let lang = lang_of(&req);
    let token = form_token(&req);
    let markup = lookup_form(lang, &token.0, None, &LookupInput::default());
    respond(&req, &state, StatusCode::OK, markup, token)
}

pub async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let form = form.into_inner();
    if !form_ok(&req, &form) {
        return expired_form(&req, &state, None);
    }
    let lang = lang_of(&req);
    let field = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let input = LookupInput {
        order_number: field("order_number").unwrap_or_default(),
        email: field("email"),
        postal_code: field("postal_code"),
    };
    let ip = client_ip(&req, &state.proxies);
    let token = form_token(&req);
    let typed = input.clone();
    match state.find_order(input, &ip).await {
        Ok(found) => {
            let mut response = redirect("/returns/order");
            let _ = response.add_cookie(&cookie(&state, CUSTOMER, found.token));
            response
        }
        Err(AppError::RateLimited { retry_after_secs }) => {
            let wait = lang.too_many(retry_after_secs);
            let markup = lookup_form(lang, &token.0, Some(&wait), &typed);
            let response = respond(&req, &state, StatusCode::TOO_MANY_REQUESTS, markup, token);
            retry_after(response, retry_after_secs)
        }
        Err(e) if lookup::postcode_budget_spent(&e) => respond(
            &req,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            lookup_form(lang, &token.0, Some(&lang.t("postcode_spent")), &typed),
            token,
        ),
        Err(AppError::Validation(_) | AppError::DoesNotFit(_) | AppError::NotFound { .. }) => {
            respond(
                &req,
                &state,
                StatusCode::NOT_FOUND,
                lookup_form(lang, &token.0, Some(&lang.t("no_order")), &typed),
                token,
            )
        }
        Err(e) => error_page(&req, &state, None, &e),
    }
}

/// The customer's whole order, for a token that may see it (not a status link).
async fn order_of(state: &AppState, who: &Principal) -> Result<OrderRecord, AppError> {
    let Principal::Customer { order_number, .. } = who else {
        return Err(AppError::Forbidden("customers only".into()));
    };
    who.require_staff_or_customer(&[], order_number)?;
    let number = order_number.clone();
    state
        .db
        .read(move |c| orders::load(c, &number).map_err(AppError::from))
        .await?
        .ok_or_else(|| AppError::not_found("order"))
}

/// The customer's order and what each line may be exchanged for.
async fn order_and_offers(
    state: &AppState,
    who: &Principal,
) -> Result<(OrderRecord, Offers), AppError> {
    let record = order_of(state, who).await?;
    let r = record.clone();
    let offers = state
        .db
        .read(move |c| exchange_offers::for_order(c, &r))
        .await?;
    Ok((record, offers))
}

pub async fn order_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    chosen: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let Some(who) = customer(&req, &state) else {
        return redirect("/returns");
    };
    let lang = lang_of(&req);
    // A status link opens its return only: the order's page needs a look-up.
    if !matches!(
        &who,
        Principal::Customer {
            access: CustomerAccess::Order | CustomerAccess::OrderMasked,
            ..
        }
    ) {
        return redirect("/returns");
    }
    let facts = match order_facts(&state, &who).await {
        Ok(facts) => facts,
        Err(e) => return error_page(&req, &state, None, &e),
    };
    let token = form_token(&req);
    let zone = customer_zone(&req, &facts.record.order);
    let bonus = state.policy.file().resolutions.store_credit.bonus_percent;
    let markup = order_form(lang, zone, &facts, &chosen, &[], bonus);
    respond(&req, &state, StatusCode::OK, markup, token)
}

/// What the order form shows: the order, how long each line may come back, and the
/// returns opened for it already.
struct OrderFacts {
    record: OrderRecord,
    windows: Vec<LineWindow>,
    existing: Vec<(RmaRow, String)>,
    offers: Offers,
}

async fn order_facts(state: &web::Data<AppState>, who: &Principal) -> Result<OrderFacts, AppError> {
    let record = order_of(state, who).await?;
    let (st, now, r) = (state.clone(), state.clock.now(), record.clone());
    let (windows, existing, offers) = state
        .db
        .read(move |c| {
            let windows = st.rules().windows(c, &r, now)?;
            let filter = stored_rmas::ListFilter {
                order_number: Some(r.order.order_number.clone()),
                limit: 50,
                ..stored_rmas::ListFilter::default()
            };
            let offers = exchange_offers::for_order(c, &r)?;
            Ok::<_, AppError>((windows, stored_rmas::list(c, &filter)?, offers))
        })
        .await?;
    Ok(OrderFacts {
        record,
        windows,
        existing,
        offers,
    })
}

/// The returns opened for the order already, each with its status and its page.
fn existing_returns(lang: Lang, zone: Option<Tz>, existing: &[(RmaRow, String)]) -> Markup {
    html! {
        @if !existing.is_empty() {
            section.existing {
                h2 { (lang.t("your_returns")) }
                ul {
                    @for (rma, _) in existing {
                        li {
                            a.id href={ "/returns/rmas/" (rma.number) } { (rma.number) }
                            " · " (lang.word(rma.status.as_str())) " · " (lang.local_day(rma.created_at.and_utc(), zone))
                        }
                    }
                }
            }
        }
    }
}

/// The order's lines to choose from, with what was chosen kept and each problem shown
/// beside its field (and listed at the top) in the page's language.
fn order_form(
    lang: Lang,
    zone: Option<Tz>,
    facts: &OrderFacts,
    chosen: &HashMap<String, String>,
    errors: &[crate::domain::FieldError],
    bonus_percent: u32,
) -> Markup {
    let (record, windows) = (&facts.record, &facts.windows);
    let said = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| in_words(lang, record, e))
    };
    let picked = |name: &str, value: &str| chosen.get(name).is_some_and(|v| v == value);
    let body = html! {
        h1 { (lang.t("return_items")) " · " span.id { (record.order.order_number) } }
        (existing_returns(lang, zone, &facts.existing))
        @if !errors.is_empty() {
            div.error role="alert" {
                p { (lang.t("form_problems")) }
                ul { @for e in errors { li { (in_words(lang, record, e)) } } }
            }
        }
        form method="get" action="/returns/quote" {
            table {
                tr {
                    th { (lang.t("item")) } th { (lang.t("returnable")) } th { (lang.t("returnable_until")) } th { (lang.t("quantity")) } th { (lang.t("reason")) }
                    @if !facts.offers.is_empty() { th { (lang.t("exchange_for")) } }
                }
                @for l in &record.lines {
                    @let can = l.returnable_quantity();
                    @let (q, r) = (format!("q_{}", l.line_id), format!("r_{}", l.line_id));
                    tr {
                        td { (l.sku) " " (l.title) }
                        td data-label=(lang.t("returnable")) { (can) }
                        td data-label=(lang.t("returnable_until")) { (window_words(lang, zone, windows.iter().find(|w| w.line_id == l.line_id))) }
                        td {
                            label for=(q) { (lang.t("quantity")) }
                            select id=(q) name=(q) disabled[can == 0] {
                                @for n in 0..=can { option value=(n) selected[picked(&q, &n.to_string())] { (n) } }
                            }
                        }
                        td {
                            label for=(r) { (lang.t("reason")) }
                            @let problem = said(&r);
                            select id=(r) name=(r) aria-invalid=[problem.as_ref().map(|_| "true")] aria-describedby=[problem.as_ref().map(|_| format!("{r}_error"))] {
                                option value="" { "—" }
                                @for reason in ReturnReason::ALL { option value=(reason.as_str()) selected[picked(&r, reason.as_str())] { (lang.word(reason.as_str())) } }
                            }
                            @if let Some(p) = problem { p.error id={ (r) "_error" } { (p) } }
                        }
                        @if !facts.offers.is_empty() {
                            td { (exchange_choice(lang, &l.line_id, facts.offers.get(&l.line_id), chosen, said(&format!("x_{}", l.line_id)))) }
                        }
                    }
                }
            }
            label for="resolution" { (lang.t("resolution")) }
            select #resolution name="resolution" {
                @for res in [Resolution::Refund, Resolution::StoreCredit, Resolution::Exchange] {
                    option value=(res.as_str()) selected[picked("resolution", res.as_str())] {
                        (lang.word(res.as_str()))
                        // The bonus store credit carries, said where it is chosen.
                        @if res == Resolution::StoreCredit && bonus_percent > 0 {
                            " (" (lang.t_with("bonus_percent", &[("percent", &bonus_percent.to_string())])) ")"
                        }
                    }
                }
            }
            button type="submit" { (lang.t("see_decision")) }
        }
    };
    layout(lang, &lang.t("return_items"), None, body)
}

/// A line's choice of what to send instead, for an exchange: the other sizes and
/// colours in stock with their price; a line without any shows none.
fn exchange_choice(
    lang: Lang,
    line_id: &str,
    offers: Option<&Vec<exchange_offers::Alternative>>,
    chosen: &HashMap<String, String>,
    problem: Option<String>,
) -> Markup {
    let name = format!("x_{line_id}");
    let Some(offers) = offers else {
        return html! { "—" };
    };
    html! {
        label for=(name) { (lang.t("exchange_for")) }
        select id=(name) name=(name) aria-invalid=[problem.as_ref().map(|_| "true")] aria-describedby=[problem.as_ref().map(|_| format!("{name}_error"))] {
            option value="" { "—" }
            @for a in offers {
                @let options: Vec<&str> = a.options.values().map(String::as_str).collect();
                option value=(a.sku) selected[chosen.get(&name).is_some_and(|v| *v == a.sku)] {
                    (a.title)
                    @if !options.is_empty() { " · " (options.join(" / ")) }
                    " · " (lang.money(&a.price.to_string(), a.price.currency().code()))
                }
            }
        }
        @if let Some(p) = problem { p.error id={ (name) "_error" } { (p) } }
    }
}

/// A problem with the portal's order form in the page's language: which line lacks its
/// reason, or that none was chosen; anything else as the service said it.
fn in_words(lang: Lang, record: &OrderRecord, e: &crate::domain::FieldError) -> String {
    if e.field == "lines" {
        return lang.t("choose_lines").to_string();
    }
    let line = |prefix: &str| {
        e.field
            .strip_prefix(prefix)
            .and_then(|id| record.lines.iter().find(|l| l.line_id == id))
    };
    match (line("r_"), line("x_")) {
        (Some(line), _) => lang
            .t_with("choose_reason", &[("item", &line.title)])
            .to_string(),
        (_, Some(line)) => lang
            .t_with("choose_exchange", &[("item", &line.title)])
            .to_string(),
        _ => e.message.clone(),
    }
}

/// The time zone a customer reads times in: their browser's (the cookie the pages'
/// script sets), else their shipping address's, else none (times then say UTC).
fn customer_zone(req: &HttpRequest, order: &OrderRow) -> Option<Tz> {
    // actix-web hands the cookie's value percent-decoded ("Asia%2FShanghai" arrives as
    // "Asia/Shanghai").
    req.cookie(super::TIME_ZONE_COOKIE)
        .and_then(|c| c.value().parse::<Tz>().ok())
        .or_else(|| {
            backhaul_carriers::local_time::zone_of(
                &order.ship_country,
                order.ship_region.as_deref(),
            )
        })
}

/// The words for what happens next: after the check, an exchange's replacement or a
/// repair follows rather than money.
fn next_step(rma: &Rma) -> String {
    let status = rma.status.as_str();
    let back = rma
        .repair
        .as_ref()
        .is_some_and(|r| r.status == crate::domain::repair::RepairStatus::ShippedBack);
    match (rma.status, rma.resolution.parse::<Resolution>()) {
        (RmaStatus::Inspected, Ok(Resolution::Repair)) if back => format!("next.{status}.repaired"),
        (RmaStatus::Inspected, Ok(Resolution::Repair)) if rma.replacement.is_some() => {
            format!("next.{status}.replacement")
        }
        (RmaStatus::Inspected, Ok(Resolution::Repair)) => format!("next.{status}.repair"),
        (RmaStatus::Inspected, Ok(r)) if r.ships_replacement() => {
            format!("next.{status}.replacement")
        }
        _ => format!("next.{status}"),
    }
}

/// The steps of a return, each done one with its day: requested, approved, label, on
/// its way, received, checked, refunded (a keep-it return skips the parcel's steps).
/// A refused, cancelled or expired return shows none.
fn progress(lang: Lang, zone: Option<Tz>, rma: &Rma, keep_it: bool) -> Markup {
    use RmaStatus as S;
    let rank = |s: S| match s {
        S::Requested => Some(0),
        S::Authorized => Some(1),
        S::LabelIssued => Some(2),
        S::InTransit | S::DeliveredToWarehouse => Some(3),
        S::Received => Some(4),
        S::Inspected => Some(5),
        S::RefundTriggered | S::Closed => Some(6),
        S::Rejected | S::Cancelled | S::Expired => None,
    };
    let Some(now) = rank(rma.status) else {
        return html! {};
    };
    // An exchange or a repair moves no money (unless a difference is refunded): its
    // steps end at the check, and what follows shows below them.
    let goods_back = matches!(
        rma.resolution.parse::<Resolution>(),
        Ok(r) if r.ships_replacement() || r == Resolution::Repair
    ) && now < 6;
    let steps: &[(u8, &str)] = if goods_back {
        &[
            (0, "step.requested"),
            (1, "step.approved"),
            (2, "step.label"),
            (3, "step.on_its_way"),
            (4, "step.received"),
            (5, "step.checked"),
        ]
    } else if keep_it {
        &[
            (0, "step.requested"),
            (1, "step.approved"),
            (6, "step.refunded"),
        ]
    } else {
        &[
            (0, "step.requested"),
            (1, "step.approved"),
            (2, "step.label"),
            (3, "step.on_its_way"),
            (4, "step.received"),
            (5, "step.checked"),
            (6, "step.refunded"),
        ]
    };
    // The day a step was reached: the first change to it or beyond.
    let day = |step: u8| {
        rma.timeline
            .iter()
            .find(|e| rank(e.to).is_some_and(|r| r >= step))
            .and_then(|e| chrono::DateTime::parse_from_rfc3339(&e.at).ok())
            .map(|t| lang.local_date(t.to_utc(), zone))
    };
    // The step the return is at: the last one reached.
    let current = steps.iter().rev().find(|(s, _)| *s <= now).map(|(s, _)| *s);
    html! {
        ol.steps aria-label=(lang.t("progress")) {
            @for (step, key) in steps {
                @let done = *step <= now;
                li.done[done] aria-current=[(Some(*step) == current).then_some("step")] {
                    (lang.t(key))
                    @if let Some(d) = day(*step).filter(|_| done) { " · " small { (d) } }
                }
            }
        }
    }
}

/// The order form with `error`'s problems shown, answered 422.
async fn form_again(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &Principal,
    form: &HashMap<String, String>,
    error: &AppError,
) -> HttpResponse {
    let facts = match order_facts(state, who).await {
        Ok(facts) => facts,
        Err(e) => return error_page(req, state, None, &e),
    };
    let lang = lang_of(req);
    let token = form_token(req);
    let errors = error.field_errors().unwrap_or_default();
    let zone = customer_zone(req, &facts.record.order);
    let bonus = state.policy.file().resolutions.store_credit.bonus_percent;
    let markup = order_form(lang, zone, &facts, form, errors, bonus);
    respond(req, state, StatusCode::UNPROCESSABLE_ENTITY, markup, token)
}

/// Until when a line can be returned, in words: the day for any reason, and the later
/// day when the item is damaged or defective; before delivery, how many days it will be.
fn window_words(lang: Lang, zone: Option<Tz>, window: Option<&LineWindow>) -> Markup {
    let Some(w) = window else {
        return html! { "—" };
    };
    let longer = w.seller_fault_days > w.days;
    html! {
        @match w.ends_at {
            Some(ends) => (lang.local_day(ends, zone)),
            None => (lang.t_with("days_from_delivery", &[("n", &w.days.to_string())])),
        }
        @if longer {
            br;
            small {
                (lang.t("if_faulty")) ": "
                @match w.seller_fault_ends_at {
                    Some(ends) => (lang.local_day(ends, zone)),
                    None => (lang.t_with("days_from_delivery", &[("n", &w.seller_fault_days.to_string())])),
                }
            }
        }
    }
}

/// The form's choices as the API's input: lines with a quantity above zero.
fn input_of(
    form: &HashMap<String, String>,
    record: &OrderRecord,
    offers: &Offers,
) -> Result<ReturnInput, AppError> {
    let mut lines = Vec::new();
    // What each line is exchanged for, when the customer picked something.
    let mut picked: Vec<(&str, &str)> = Vec::new();
    for l in &record.lines {
        let quantity = form
            .get(&format!("q_{}", l.line_id))
            .and_then(|q| q.trim().parse::<i64>().ok())
            .unwrap_or(0);
        if quantity <= 0 {
            continue;
        }
        let field = format!("r_{}", l.line_id);
        let reason = match form.get(&field).map(|r| r.trim()).unwrap_or("") {
            "" => {
                return Err(AppError::invalid(
                    field,
                    format!("choose why {} goes back", l.sku),
                ))
            }
            r => r
                .parse::<ReturnReason>()
                .map_err(|e| AppError::invalid(field, e.to_string()))?,
        };
        if let Some(sku) = form
            .get(&format!("x_{}", l.line_id))
            .map(|x| x.trim())
            .filter(|x| !x.is_empty())
        {
            picked.push((l.line_id.as_str(), sku));
        }
        lines.push(ReturnLineInput {
            line_id: l.line_id.clone(),
            quantity,
            reason,
            exchange_for: None,
        });
    }
    let mut resolution = form
        .get("resolution")
        .map(String::as_str)
        .unwrap_or("")
        .parse::<Resolution>()
        .map_err(|e| AppError::invalid("resolution", e.to_string()))?;
    // An exchange with a size or product picked sends that; without, the same item.
    if resolution == Resolution::Exchange && !picked.is_empty() {
        if let Some(line) = lines
            .iter()
            .find(|l| !picked.iter().any(|(id, _)| *id == l.line_id))
        {
            return Err(AppError::invalid(
                format!("x_{}", line.line_id),
                "choose what to send instead",
            ));
        }
        resolution = exchange_offers::resolution_for(record, offers, &picked).ok_or_else(|| {
            AppError::invalid(
                format!("x_{}", picked[0].0),
                "that one can no longer be offered; choose again",
            )
        })?;
        for line in &mut lines {
            line.exchange_for =
                picked
                    .iter()
                    .find(|(id, _)| *id == line.line_id)
                    .map(|(_, sku)| ExchangeFor {
                        sku: (*sku).to_string(),
                    });
        }
    }
    Ok(ReturnInput {
        order_number: record.order.order_number.clone(),
        lines,
        resolution,
        comment: None,
    })
}

/// The customer's choices among a form's fields (not its token or the page language),
/// in a fixed order.
fn choices(form: &HashMap<String, String>) -> Vec<(&String, &String)> {
    let mut chosen: Vec<(&String, &String)> = form
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "lang" | "submission"))
        .collect();
    chosen.sort();
    chosen
}

fn hidden_choices(form: &HashMap<String, String>) -> Markup {
    html! { @for (k, v) in choices(form) { input type="hidden" name=(k) value=(v); } }
}

/// The choices as a query string, to bring them back to the order form.
fn choices_query(form: &HashMap<String, String>) -> String {
    serde_urlencoded::to_string(choices(form)).unwrap_or_default()
}

/// What the decision page says, so that each kind of decision says only what is true:
/// a refused return promises no refund or label, an exchange ships a replacement
/// instead of money, a keep-it return has no label to pay for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DecisionShown {
    /// The phrase that sums it up, and its colour.
    headline: &'static str,
    class: &'static str,
    /// Who pays the label (and the label rules).
    label: bool,
    refund: bool,
    keep_it: bool,
    replacement: bool,
}

impl DecisionShown {
    fn of(outcome: Outcome, resolution: Resolution, label: LabelPayer) -> DecisionShown {
        let (headline, class) = match outcome {
            Outcome::Authorized => ("decision.authorized", "matched"),
            Outcome::ManualReview => ("decision.manual_review", "waiting"),
            Outcome::Rejected => ("decision.rejected", "unmatched"),
        };
        let allowed = outcome != Outcome::Rejected;
        let keep_it = allowed && label == LabelPayer::KeepIt;
        let exchange = resolution.ships_replacement();
        DecisionShown {
            headline,
            class,
            label: allowed && !keep_it,
            refund: allowed && !exchange,
            keep_it,
            replacement: allowed && exchange,
        }
    }
}

/// How the estimated refund is worked out, from each line's price and tax down: less
/// any restocking fee, less the label when the customer pays it.
fn refund_calculation(
    lang: Lang,
    decision: &crate::domain::policy::Decision,
    titles: &HashMap<String, String>,
) -> Markup {
    let code = decision.currency.code();
    let money = |m: &crate::domain::Money| lang.money(&m.to_string(), code);
    let less = |m: &crate::domain::Money| format!("−{}", money(m));
    let has_fee = decision.restocking_fee.minor() != 0;
    // The label is taken from what the lines come to, never below nothing.
    let lines_total: i64 = decision.lines.iter().map(|l| l.refund.minor()).sum();
    let label = crate::domain::Money::from_minor(
        decision.label_deduction.minor().min(lines_total.max(0)),
        decision.currency,
    );
    html! {
        details.calc open {
            summary { (lang.t("calculation")) }
            table {
                tr {
                    th { (lang.t("item")) }
                    th.num { (lang.t("calc.price")) }
                    th.num { (lang.t("calc.tax")) }
                    @if has_fee { th.num { (lang.t("calc.restocking")) } }
                    th.num { (lang.t("refund")) }
                }
                @for l in decision.lines.iter().filter(|l| l.eligible) {
                    tr {
                        td { (titles.get(&l.line_id).map_or(l.line_id.as_str(), String::as_str)) " × " (l.quantity) }
                        td.num data-label=(lang.t("calc.price")) { (money(&l.item_amount)) }
                        td.num data-label=(lang.t("calc.tax")) { (money(&l.tax_share)) }
                        @if has_fee { td.num data-label=(lang.t("calc.restocking")) { (less(&l.restocking_fee)) } }
                        td.num data-label=(lang.t("refund")) { (money(&l.refund)) }
                    }
                }
                @if label.minor() != 0 {
                    tr {
                        td colspan=(if has_fee { 4 } else { 3 }) { (lang.t("label_payer")) }
                        td.num { (less(&label)) }
                    }
                }
                // Cells, not a header: a phone hides the rows that hold headers. The
                // first cell names the row, so the amount needs no label of its own.
                tr {
                    td colspan=(if has_fee { 4 } else { 3 }) { strong { (lang.t("estimated_refund")) } }
                    td.num { strong { (money(&decision.estimated_refund)) } }
                }
                // Store credit's bonus on top, and what the credit comes to with it.
                @if let Some(bonus) = decision.store_credit_bonus.filter(|b| b.amount.minor() > 0) {
                    tr {
                        td colspan=(if has_fee { 4 } else { 3 }) {
                            (lang.t("bonus")) " (" (bonus.percent) " %"
                            @if let Some(max) = bonus.max.filter(|_| bonus.capped()) { ", " (lang.t("at_most")) " " (money(&max)) }
                            ")"
                        }
                        td.num { "+" (money(&bonus.amount)) }
                    }
                    tr {
                        td colspan=(if has_fee { 4 } else { 3 }) { strong { (lang.t("store_credit_total")) } }
                        td.num { strong { (lang.money(&crate::api::views::amount(decision.estimated_refund.minor().saturating_add(bonus.amount.minor()), code), code)) } }
                    }
                }
            }
        }
    }
}

/// `POST /returns/quote`, as forms sent it before the quote became a GET: the same
/// choices, redirected to the decision's own address.
pub async fn quote_posted(form: web::Form<Vec<(String, String)>>) -> HttpResponse {
    let choices: Vec<(String, String)> = form
        .into_inner()
        .into_iter()
        .filter(|(k, _)| k != "csrf")
        .collect();
    let query = serde_urlencoded::to_string(&choices).unwrap_or_default();
    redirect(&format!("/returns/quote?{query}"))
}

/// `GET /returns/quote?q_1=1&r_1=…&resolution=…`: the policy's decision on the chosen
/// lines. Nothing is created, so it is a GET: Back, reload and the language links
/// show it again without asking to send a form twice.
pub async fn quote(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let Some(who) = customer(&req, &state) else {
        return redirect("/returns");
    };
    let form = query.into_inner();
    let lang = lang_of(&req);
    let result = async {
        let (record, offers) = order_and_offers(&state, &who).await?;
        let input = input_of(&form, &record, &offers)?;
        let (st, now) = (state.clone(), state.clock.now());
        let titles: HashMap<String, String> = record
            .lines
            .iter()
            .map(|l| (l.line_id.clone(), l.title.clone()))
            .collect();
        let quote = state
            .db
            .read(move |c| st.rules().quote(c, &record, &input, now))
            .await?;
        Ok::<_, AppError>((quote.decision, titles))
    }
    .await;
    let (decision, titles) = match result {
        Ok(d) => d,
        // A choice missing or wrong: the same form again, the choices kept, the
        // problems beside their fields.
        Err(e) if e.field_errors().is_some() => {
            return form_again(&req, &state, &who, &form, &e).await
        }
        Err(e) => return error_page(&req, &state, None, &e),
    };
    let token = form_token(&req);
    let allowed = decision.outcome != Outcome::Rejected;
    let shown = DecisionShown::of(decision.outcome, decision.resolution, decision.label);
    let refund = lang.money(
        &decision.estimated_refund.to_string(),
        decision.currency.code(),
    );
    let body = html! {
        h1 { (lang.t("see_decision")) }
        p.result.(shown.class) { (lang.t(shown.headline)) }
        ul {
            @for r in decision.rules.iter().filter(|r| shown.label || !r.rule.starts_with("label_")) {
                li { (lang.rule(r, &state.policy)) }
            }
        }
        @if shown.label { p { (lang.t("label_payer")) ": " (lang.word(decision.label.as_str())) } }
        @if shown.keep_it { p { (lang.t("keep_it")) } }
        @if shown.refund {
            @let what = match decision.resolution {
                Resolution::StoreCredit => lang.word("store_credit"),
                _ => lang.t("estimated_refund").into_owned(),
            };
            p { strong { (what) ": " (refund) } }
            (refund_calculation(lang, &decision, &titles))
        }
        @if shown.replacement { p { (lang.t("replacement_instead")) } }
        // Another product: what the customer pays, or gets back, for the difference.
        @if let Some(d) = decision.price_difference.as_ref().filter(|_| allowed) {
            @let money = |m: &crate::domain::Money| lang.money(&m.to_string(), m.currency().code());
            @if d.customer_pays.minor() > 0 {
                p { strong { (lang.t("amount_due")) ": " (money(&d.customer_pays)) } }
            } @else if d.refunded.minor() > 0 {
                p { strong { (lang.t("estimated_refund")) ": " (money(&d.refunded)) } }
            }
        }
        @if allowed {
            form method="post" action="/returns/confirm" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(token.0);
                // This page's one confirmation: sent again (Back, a second click), it
                // opens the return it made instead of making another.
                input type="hidden" name="submission" value=(random_token());
                (hidden_choices(&form))
                @if decision.photos_required {
                    label for="photo" { (lang.t("photos")) }
                    input #photo name="photo" type="file" accept="image/jpeg,image/png,image/heic" multiple required;
                }
                button type="submit" { (lang.t("confirm")) }
            }
        }
        p { a href={ "/returns/order?" (choices_query(&form)) } { "← " (lang.t("change_choices")) } }
    };
    let here = req.query_string();
    respond(
        &req,
        &state,
        StatusCode::OK,
        layout_at(lang, &lang.t("see_decision"), None, here, body),
        token,
    )
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    // Who is asking and the form token are checked before a byte of the photos is read:
    // the customer from the cookie, the token as the form's first field.
    let who = match customer(&req, &state) {
        Some(
            who @ Principal::Customer {
                access: CustomerAccess::Order | CustomerAccess::OrderMasked,
                ..
            },
        ) => who,
        // Nobody, or a status link (one return to read, no new ones).
        _ => return redirect("/returns"),
    };
    let expected = req
        .cookie(CSRF)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let Ok(permit) = tokio::time::timeout(UPLOAD_QUEUE_WAIT, state.uploads.acquire()).await else {
        let busy = StatusCode::SERVICE_UNAVAILABLE;
        return retry_after(notice(&req, &state, None, busy, "uploads_busy"), 5);
    };
    // A slow sender holds one of the few reading slots: only for so long.
    let read = tokio::time::timeout(
        UPLOAD_READ_LIMIT,
        super::read_form(&req, payload, &expected),
    );
    let read = read.await;
    // The slot is for reading; buying the label later must not hold it.
    drop(permit);
    let (form, photos) = match read {
        Ok(Ok(read)) => read,
        Ok(Err(super::FormError::Expired)) => return expired_form(&req, &state, None),
        Ok(Err(super::FormError::Bad(e))) => return error_page(&req, &state, None, &e),
        Err(_) => {
            let slow = StatusCode::REQUEST_TIMEOUT;
            return notice(&req, &state, None, slow, "upload_too_slow");
        }
    };
    let submission = form
        .get("submission")
        .filter(|s| (16..=128).contains(&s.len()))
        .map(|s| format!("portal-confirm:{s}"));
    // Sent before: open what it made, before the choices are checked again (the last
    // unit it took is no longer on offer).
    if let Some(key) = submission.clone() {
        let actor = who.actor();
        let made = state
            .db
            .read(move |c| idempotency::find(c, &actor, &key).map_err(AppError::from))
            .await;
        match made {
            Ok(Some(stored)) if !stored.response_body.is_empty() => {
                return redirect(&format!("/returns/rmas/{}", stored.response_body))
            }
            Ok(_) => {}
            Err(e) => return error_page(&req, &state, None, &e),
        }
    }
    let created = async {
        let (record, offers) = order_and_offers(&state, &who).await?;
        let input = input_of(&form, &record, &offers)?;
        let (st, now, actor) = (state.clone(), state.clock.now(), who.actor());
        let rma = state
            .db
            .write(move |c| {
                // The same confirmation twice: the return it made, not a second one.
                if let Some(key) = &submission {
                    if !idempotency::claim(c, &actor, key, "", now)? {
                        let made = idempotency::find(c, &actor, key)?
                            .map(|stored| stored.response_body)
                            .unwrap_or_default();
                        return Ok(Err(made));
                    }
                }
                let crate::returns::Created { rma, quote, .. } =
                    st.rules().create(c, &input, &actor, now)?;
                if quote.decision.photos_required && photos.is_empty() {
                    return Err(AppError::invalid(
                        "photo",
                        "photos of the item are required for this reason",
                    ));
                }
                photos::attach(c, &rma.id, &photos, &actor, now)?;
                if let Some(key) = &submission {
                    idempotency::complete(c, &actor, key, 201, &rma.number)?;
                }
                Ok(Ok(rma))
            })
            .await?;
        Ok::<_, AppError>(rma)
    }
    .await;
    let rma = match created {
        Ok(Ok(rma)) => rma,
        Ok(Err(made)) => return redirect(&format!("/returns/rmas/{made}")),
        Err(e) => return error_page(&req, &state, None, &e),
    };
    let keep_it = rma.label_payer == LabelPayer::KeepIt.as_str();
    if rma.status == RmaStatus::Authorized && !keep_it {
        if let Ok(number) = parse_number(&rma.number) {
            if let Err(e) = crate::labels::issue(&state, &who, number, None, LabelFormat::Pdf).await
            {
                // The status page offers to buy it again.
                tracing::warn!(error = %e, "label not issued from the portal");
            }
        }
    }
    redirect(&format!("/returns/rmas/{}", rma.number))
}

pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    // The link in a status email carries a token for this return. It becomes the
    // session cookie, and the browser moves on to the address without it (so it does
    // not linger in history or bookmarks). The move is a page, not a 303: browsers
    // keep SameSite=Strict cookies out of a redirect that began in a mail client.
    if let Some(token) = link_token(&req) {
        return match link_access(&state, token, path.as_str()).await {
            Ok(Some((order_number, token))) => open_from_link(&req, &state, &order_number, token),
            Ok(None) => redirect("/returns"),
            Err(e) => error_page(&req, &state, None, &e),
        };
    }
    let Some(who) = customer(&req, &state) else {
        return redirect("/returns");
    };
    let masked = who.sees_masked_order();
    let lang = lang_of(&req);
    let result = async {
        let number = parse_number(&path.into_inner())?;
        let st = state.clone();
        state
            .db
            .read(move |c| {
                crate::rmas::details(c, &who, &number)
                    .map(|d| (Rma::new(&d, &st.network), d.refund, d.order.order))
            })
            .await
    }
    .await;
    let (rma, refund, order) = match result {
        Ok(v) => v,
        Err(e) => return error_page(&req, &state, None, &e),
    };
    let zone = customer_zone(&req, &order);
    let number = rma.number.as_str();
    let label = rma.label.as_ref().filter(|l| l.voided_at.is_none());
    let keep_it = rma.label_payer == LabelPayer::KeepIt.as_str();
    // Approved after a review, or the carrier failed at confirmation: buy it now.
    let label_due = rma.status == RmaStatus::Authorized && !keep_it && label.is_none();
    let token = form_token(&req);
    // The label and its QR code only while the parcel still has to be handed over.
    let label = label.filter(|_| rma.status == RmaStatus::LabelIssued);
    let state_class = match rma.status {
        RmaStatus::Rejected | RmaStatus::Cancelled | RmaStatus::Expired => "unmatched",
        RmaStatus::Requested => "waiting",
        _ => "matched",
    };
    let body = html! {
        h1 { (lang.t("rma")) " " span.id { (number) } }
        p.result.(state_class) { (lang.word(rma.status.as_str())) }
        (progress(lang, zone, &rma, keep_it))
        p.next { (lang.t(&next_step(&rma))) }
        @if let Some(t) = &refund {
            @let amount = |minor: i64| lang.money(&crate::domain::display::amount(minor, &t.currency), &t.currency);
            p { strong {
                @match t.method.as_str() {
                    "charge_customer" => { (lang.t("amount_due")) ": " (amount(t.amount_minor)) },
                    "store_credit" => { (lang.word("store_credit")) ": " (amount(t.amount_minor.saturating_add(t.bonus_minor))) },
                    _ => { (lang.t("refund")) ": " (amount(t.amount_minor)) " · " (lang.word(&t.method)) },
                }
            } }
            @if t.bonus_minor > 0 {
                p { (lang.t("bonus")) ": " (amount(t.bonus_minor)) }
            }
        }
        @if keep_it { p { (lang.t("keep_it")) } }
        @if let Some(r) = &rma.replacement {
            section.replacement {
                h2 { (lang.t("your_replacement")) }
                ul { @for l in &r.lines { li { (l.quantity) " × " (l.title) } } }
                @match (&r.carrier, &r.tracking_number) {
                    (Some(carrier), Some(tracking)) => p { (lang.t("replacement_on_its_way")) ": " (carrier.to_uppercase()) " " span.id { (tracking) } },
                    _ => p { (lang.t("replacement_being_packed")) },
                }
            }
        }
        @if let Some(r) = &rma.repair {
            section.repair {
                h2 { (lang.t("your_repair")) }
                p { (lang.word(r.status.as_str())) }
                @if let (Some(carrier), Some(tracking)) = (&r.carrier, &r.tracking_number) {
                    p { (lang.t("replacement_on_its_way")) ": " (carrier.to_uppercase()) " " span.id { (tracking) } }
                }
            }
        }
        @if !rma.photos.is_empty() { p { (lang.t("photos_sent")) ": " (rma.photos.len()) } }
        @if label.is_some() && masked {
            p { (lang.t("label_by_email")) }
        }
        @if let Some(label) = label.filter(|_| !masked) {
            p { a href={ "/returns/rmas/" (number) "/label.pdf" } download { (lang.t("download_label")) } }
            // The carrier may have drawn it for a label printer only.
            @let papers: Vec<(&str, &str)> = [("pdf_a4", "A4"), ("pdf_letter", "Letter")]
                .into_iter()
                .filter(|(format, _)| label.formats.iter().any(|f| f == format))
                .collect();
            @if !papers.is_empty() {
                p.paper {
                    (lang.t("label_on_paper")) ": "
                    @for (i, (format, name)) in papers.iter().enumerate() {
                        @if i > 0 { " · " }
                        a href={ "/returns/rmas/" (number) "/label.pdf?format=" (format) } download { (name) }
                    }
                }
            }
            p { a href={ "/returns/rmas/" (number) "/packing-slip.pdf" } download { (lang.t("packing_slip")) } }
            p { (lang.t("drop_off")) " (" (label.carrier) " " (label.tracking_number) ")" }
            @if let Some(by) = chrono::DateTime::parse_from_rfc3339(&label.expires_at).ok() {
                p { strong { (lang.t("ship_by")) ": " (lang.local_day(by.to_utc(), zone)) } }
            }
            @if let ReturnTo::Warehouse(w) = &rma.return_to {
                h2 { (lang.t("return_address")) }
                address {
                    (w.name) br; (w.line1) br;
                    @if let Some(l2) = &w.line2 { (l2) br; }
                    (w.postal_code) " " (w.city) br;
                    (w.country)
                }
            }
            @if let Some(svg) = qr_svg(&label.tracking_number) {
                figure.qr {
                    (PreEscaped(svg))
                    figcaption { (lang.t("show_qr")) }
                }
            }
        }
        @if label_due {
            form method="post" action={ "/returns/rmas/" (number) "/label" } {
                input type="hidden" name="csrf" value=(token.0);
                button type="submit" { (lang.t("get_label")) }
            }
        }
        table {
            tr { th { (lang.t("item")) } th { (lang.t("quantity")) } th { (lang.t("reason")) } }
            @for l in &rma.lines {
                tr { td { (l.sku.as_deref().unwrap_or("")) " " (l.title.as_deref().unwrap_or("")) } td { (l.quantity) } td { (lang.word(&l.reason)) } }
            }
        }
        h2 { (lang.t("timeline")) }
        ol { @for e in &rma.timeline {
            @let at = chrono::DateTime::parse_from_rfc3339(&e.at).ok().map(|t| lang.local_date(t.to_utc(), zone)).unwrap_or_default();
            li { (at) ": " (lang.word(e.to.as_str())) }
        } }
    };
    respond(
        &req,
        &state,
        StatusCode::OK,
        layout(lang, number, None, body),
        token,
    )
}

/// Signs the browser in with an emailed link's token and sends it on to the same
/// page without the token in its address.
fn open_from_link(
    req: &HttpRequest,
    state: &AppState,
    order_number: &str,
    token: String,
) -> HttpResponse {
    let lang = lang_of(req);
    let target = req.path().to_string();
    let body = html! {
        p { a href=(target) { (lang.t("opening_return")) } }
    };
    let markup = html! {
        (maud::DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta http-equiv="refresh" content={ "0;url=" (target) };
                title { (lang.t("opening_return")) }
            }
            body { (body) }
        }
    };
    let mut response = page(req, state, StatusCode::OK, markup);
    // A browser signed in for the whole order by its email keeps that: the link opens
    // less. A postcode sign-in does not: the link is how its label is reached.
    let whole_order = matches!(
        customer(req, state),
        Some(Principal::Customer {
            order_number: own,
            access: CustomerAccess::Order,
        }) if own == order_number
    );
    if !whole_order {
        let _ = response.add_cookie(&cookie(state, CUSTOMER, token));
    }
    response
}

/// The order an emailed link is for and the token to sign the browser in with, when
/// the link opens the return in its address: a status link for that return, or a link
/// sent before tokens had purposes (it named the order only), for a return of that
/// order — it is swapped for a status link of the same lifetime. `Ok(None)`: not a link
/// of ours, or expired.
async fn link_access(
    state: &AppState,
    token: String,
    asked: &str,
) -> Result<Option<(String, String)>, AppError> {
    let number = parse_number(asked)?;
    let now = state.clock.now();
    match state.tokens.verify(&token, now) {
        Some(Principal::Customer {
            order_number,
            access: CustomerAccess::Rma(rma),
        }) if rma == number.to_string() => return Ok(Some((order_number, token))),
        Some(_) => {
            return Err(AppError::Forbidden(
                "this link is for another return".into(),
            ))
        }
        None => {}
    }
    let Some((order_number, expires_at)) = state.tokens.verify_order_link(&token, now) else {
        return Ok(None);
    };
    let n = number.clone();
    let rma_order = state
        .db
        .read(move |c| {
            let Some(rma) = crate::db::rmas::find(c, &n)? else {
                return Ok::<_, AppError>(None);
            };
            Ok(Some(
                orders::load_by_id(c, &rma.order_id)?.order.order_number,
            ))
        })
        .await?;
    if rma_order.as_deref() != Some(order_number.as_str()) {
        return Err(AppError::Forbidden(
            "this link is for another return".into(),
        ));
    }
    let access = CustomerAccess::Rma(number.to_string());
    let token = state.tokens.issue(&order_number, &access, expires_at);
    Ok(Some((order_number, token)))
}

/// `POST /returns/rmas/{number}/label`: buys the label of an authorized return that has
/// none yet, then shows the status page with it.
pub async fn issue_label(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (who, _) = match customer_form(&req, &state, form.into_inner()) {
        Ok(signed) => signed,
        Err(response) => return *response,
    };
    let issued = async {
        let number = parse_number(&path.into_inner())?;
        crate::labels::issue(&state, &who, number.clone(), None, LabelFormat::Pdf).await?;
        Ok::<_, AppError>(number)
    }
    .await;
    match issued {
        Ok(number) => redirect(&format!("/returns/rmas/{number}")),
        Err(e) => error_page(&req, &state, None, &e),
    }
}

/// The `t` of an emailed link's query, if there is one.
fn link_token(req: &HttpRequest) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .ok()?
        .into_iter()
        .find_map(|(k, v)| (k == "t").then_some(v))
}

/// The tracking number as a QR code to show on a phone at the drop-off point, drawn as
/// inline SVG (no request, prints with the page).
fn qr_svg(tracking_number: &str) -> Option<String> {
    if tracking_number.is_empty() {
        return None;
    }
    let code = qrcode::QrCode::new(tracking_number.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    // The renderer writes a standalone document; HTML wants the <svg> element only.
    let start = svg.find("<svg")?;
    Some(svg[start..].replacen("<svg", "<svg role=\"img\" aria-label=\"QR\"", 1))
}

pub async fn label(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let Some(who) = customer(&req, &state) else {
        return redirect("/returns");
    };
    // 4×6 for a label printer, or the label on A4 or US Letter paper.
    let format = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("format").and_then(|f| LabelFormat::parse(f)))
        .filter(|f| *f != LabelFormat::Zpl)
        .unwrap_or(LabelFormat::Pdf);
    let result = async {
        let number = parse_number(&path.into_inner())?;
        let bytes = crate::labels::document(&state, who, number.clone(), format).await?;
        Ok::<_, AppError>((number, bytes))
    }
    .await;
    match result {
        Ok((number, bytes)) => super::pdf_download(&format!("return-label-{number}.pdf"), bytes),
        Err(e) => error_page(&req, &state, None, &e),
    }
}

/// The packing slip to put in the box.
pub async fn packing_slip(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let Some(who) = customer(&req, &state) else {
        return redirect("/returns");
    };
    let result = async {
        let number = parse_number(&path.into_inner())?;
        let bytes = crate::packing_slip::render(&state, who, number.clone()).await?;
        Ok::<_, AppError>((number, bytes))
    }
    .await;
    match result {
        Ok((number, bytes)) => super::pdf_download(&format!("packing-slip-{number}.pdf"), bytes),
        Err(e) => error_page(&req, &state, None, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_decision_says_only_what_is_true() {
        use LabelPayer::{CustomerPays, Free, KeepIt};
        use Outcome::{Authorized, ManualReview, Rejected};
        // (outcome, resolution, label) -> (label, refund, keep it, replacement)
        let cases = [
            (
                Authorized,
                Resolution::Refund,
                CustomerPays,
                (true, true, false, false),
            ),
            (
                Authorized,
                Resolution::StoreCredit,
                Free,
                (true, true, false, false),
            ),
            (
                Authorized,
                Resolution::Exchange,
                Free,
                (true, false, false, true),
            ),
            (
                Authorized,
                Resolution::Refund,
                KeepIt,
                (false, true, true, false),
            ),
            (
                ManualReview,
                Resolution::Refund,
                Free,
                (true, true, false, false),
            ),
            (
                Rejected,
                Resolution::Refund,
                CustomerPays,
                (false, false, false, false),
            ),
            (
                Rejected,
                Resolution::Exchange,
                KeepIt,
                (false, false, false, false),
            ),
        ];
        for (outcome, resolution, label, (l, r, k, x)) in cases {
            let shown = DecisionShown::of(outcome, resolution, label);
            assert_eq!(
                (shown.label, shown.refund, shown.keep_it, shown.replacement),
                (l, r, k, x),
                "{outcome:?} {resolution:?} {label:?}"
            );
        }
        assert_eq!(
            DecisionShown::of(Rejected, Resolution::Refund, Free).class,
            "unmatched"
        );
        assert_eq!(
            DecisionShown::of(ManualReview, Resolution::Refund, Free).class,
            "waiting"
        );
    }
}
