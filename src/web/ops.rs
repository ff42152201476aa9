//! `/ops`: open incidents with their resolve actions, stalled returns, and charts drawn
//! on the server as SVG (no script, no network): return reasons, SKUs and categories,
//! the return rate, carrier transit times and loss rates, refunds per day and currency.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use maud::{html, Markup};

use super::{error_page, lang_of, layout, Staff};
use crate::api::state::AppState;
use crate::db::{parcels, rmas, stats};
use crate::domain::tracking::IncidentAction;
use crate::domain::{RmaEvent, RmaStatus, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::tracking::incidents::{self, Resolve};

/// A horizontal bar chart of `rows` (label, value), largest first as given.
pub fn bar_chart(title: &str, rows: &[(String, f64)], unit: &str) -> Markup {
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1e-9);
    let (bar_h, label_w, width) = (22.0, 170.0, 560.0);
    let height = bar_h * rows.len().max(1) as f64 + 10.0;
    html! {
        figure {
            figcaption { (title) }
            svg xmlns="http://www.w3.org/2000/svg" width=(width) height=(height)
                role="img" aria-label=(title) viewBox={ "0 0 " (width) " " (height) } {
                @for (i, (label, value)) in rows.iter().enumerate() {
                    @let y = i as f64 * bar_h + 5.0;
                    @let w = (width - label_w - 80.0) * value / max;
                    text x="0" y=(y + 15.0) font-size="12" { (label) }
                    rect x=(label_w) y=(y) width=(format!("{w:.1}")) height=(bar_h - 6.0) fill="#4a7fb5" {}
                    text x=(label_w + w + 5.0) y=(y + 15.0) font-size="12" { (format!("{value:.1}")) " " (unit) }
                }
                @if rows.is_empty() { text x="0" y="20" font-size="12" { "—" } }
            }
        }
    }
}

fn counted(mut totals: HashMap<String, f64>, top: usize) -> Vec<(String, f64)> {
    let mut rows: Vec<(String, f64)> = totals.drain().collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.truncate(top);
    rows
}

async fn charts(state: &AppState, lang: Lang) -> Result<Markup, AppError> {
    let since = state.clock.now() - Duration::days(30);
    let (lines, (orders, returns), transits, losses, refunds) = state
        .db
        .read(move |c| {
            Ok::<_, AppError>((
                stats::returned_lines(c, 10_000)?,
                stats::return_rate(c)?,
                stats::transits(c, 10_000)?,
                stats::losses(c)?,
                stats::refunds_since(c, since)?,
            ))
        })
        .await?;
    let mut reasons = HashMap::new();
    let mut skus = HashMap::new();
    let mut categories = HashMap::new();
    for (reason, sku, category, quantity) in &lines {
        *reasons.entry(lang.word(reason)).or_insert(0.0) += *quantity as f64;
        *skus.entry(sku.clone()).or_insert(0.0) += *quantity as f64;
        *categories.entry(category.clone()).or_insert(0.0) += *quantity as f64;
    }
    let mut transit: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for (carrier, shipped, delivered) in &transits {
        let e = transit.entry(carrier.clone()).or_default();
        e.0 += (*delivered - *shipped).num_minutes() as f64 / 60.0;
        e.1 += 1.0;
    }
    let transit: Vec<(String, f64)> = transit
        .into_iter()
        .map(|(c, (hours, n))| (c, hours / n.max(1.0)))
        .collect();
    let loss: Vec<(String, f64)> = losses
        .into_iter()
        .map(|(c, all, lost)| (c, 100.0 * lost as f64 / all.max(1) as f64))
        .collect();
    let mut per_currency: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for (at, currency, minor) in &refunds {
        let day = at.format("%m-%d").to_string();
        let exponent = crate::domain::Currency::parse(currency).map_or(2, |c| c.exponent());
        *per_currency
            .entry(currency.clone())
            .or_default()
            .entry(day)
            .or_insert(0.0) += *minor as f64 / 10f64.powi(i32::from(exponent));
    }
    let rate = 100.0 * returns as f64 / orders.max(1) as f64;
    Ok(html! {
        p { strong { (lang.t("return_rate")) ": " (format!("{rate:.1}")) " %" } " (" (returns) " / " (orders) ")" }
        (bar_chart(&lang.t("by_reason"), &counted(reasons, 20), ""))
        (bar_chart(&lang.t("by_sku"), &counted(skus, 10), ""))
        (bar_chart(&lang.t("by_category"), &counted(categories, 20), ""))
        (bar_chart(&lang.t("transit"), &transit, "h"))
        (bar_chart(&lang.t("loss_rate"), &loss, "%"))
        @for (currency, days) in &per_currency {
            (bar_chart(&format!("{} · {currency}", lang.t("refund_totals")), &days.iter().map(|(d, v)| (d.clone(), *v)).collect::<Vec<_>>(), currency))
        }
    })
}

fn incident_rows(
    lang: Lang,
    staff: &Staff,
    open: &[(parcels::IncidentRow, parcels::ParcelRow)],
    owners: &HashMap<String, String>,
) -> Markup {
    html! {
        table {
            tr { th { (lang.t("kind")) } th { (lang.t("detail")) } th { (lang.t("order")) } th { (lang.t("action")) } }
            @for (i, p) in open {
                tr {
                    td { (lang.word(&i.kind)) }
                    td { (i.detail) br; small { (p.carrier) " " (p.tracking_number) } }
                    td { (owners.get(&p.id).map(String::as_str).unwrap_or("—")) }
                    td {
                        @if p.direction == parcels::OUTBOUND {
                            form method="post" action={ "/ops/incidents/" (i.id) "/resolve" } {
                                input type="hidden" name="csrf" value=(staff.csrf);
                                label for={ "a_" (i.id) } { (lang.t("action")) }
                                select id={ "a_" (i.id) } name="action" {
                                    @for a in IncidentAction::ALL { option value=(a.as_str()) { (lang.word(a.as_str())) } }
                                }
                                label for={ "n_" (i.id) } { (lang.t("notes")) }
                                input id={ "n_" (i.id) } name="note" required;
                                label for={ "m_" (i.id) } { (lang.t("amount")) }
                                input id={ "m_" (i.id) } name="amount" inputmode="decimal";
                                label for={ "c_" (i.id) } { (lang.t("claim_reference")) }
                                input id={ "c_" (i.id) } name="claim_reference";
                                button type="submit" { (lang.t("resolve")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Returns the policy sent to a person: why, and a form to approve or refuse each.
fn review_rows(lang: Lang, staff: &Staff, waiting: &[(rmas::RmaRow, String)]) -> Markup {
    html! {
        @if waiting.is_empty() { p { (lang.t("none")) } }
        @for (rma, order) in waiting {
            @let rules = crate::domain::policy::stored_rules(&rma.decision);
            section id={ "review-" (rma.number) } {
                h3 { (rma.number) " · " (order) " · " (lang.money(&crate::api::views::amount(rma.estimated_refund_minor, &rma.currency), &rma.currency)) }
                ul {
                    @for r in rules.iter().filter(|r| r.rule.starts_with("manual_review")) {
                        li { (lang.rule(r)) }
                    }
                }
                form method="post" action={ "/ops/rmas/" (rma.number) "/review" } {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    label for={ "note-" (rma.number) } { (lang.t("notes")) }
                    input id={ "note-" (rma.number) } name="note";
                    button type="submit" name="decision" value="authorize" { (lang.t("approve")) }
                    " "
                    button type="submit" name="decision" value="reject" { (lang.t("refuse")) }
                }
            }
        }
    }
}

pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[]);
    let lang = lang_of(&req);
    let before = state.clock.now() - Duration::days(7);
    let listed = state
        .db
        .read(move |c| {
            let open = parcels::list_incidents(c, Some(true), None)?;
            let refs: Vec<&parcels::ParcelRow> = open.iter().map(|(_, p)| p).collect();
            let owners = parcels::owner_numbers(c, &refs)?;
            let stalled = stats::stalled(c, before, 50)?;
            let waiting = rmas::list(
                c,
                &rmas::ListFilter {
                    status: Some(RmaStatus::Requested),
                    limit: 50,
                    ..rmas::ListFilter::default()
                },
            )?;
            Ok::<_, AppError>((open, owners, stalled, waiting))
        })
        .await;
    let (open, owners, stalled, waiting) = match listed {
        Ok(l) => l,
        Err(e) => return error_page(&req, &state, Some(&staff), &e),
    };
    let charts = match charts(&state, lang).await {
        Ok(c) => c,
        Err(e) => return error_page(&req, &state, Some(&staff), &e),
    };
    let body = html! {
        h1 { (lang.t("operations")) }
        h2 { (lang.t("waiting_review")) }
        (review_rows(lang, &staff, &waiting))
        h2 { (lang.t("incidents")) }
        @if open.is_empty() { p { (lang.t("none")) } }
        @else { (incident_rows(lang, &staff, &open, &owners)) }
        h2 { (lang.t("stalled")) }
        @if stalled.is_empty() { p { (lang.t("none")) } }
        @else { table {
            tr { th { (lang.t("rma")) } th { (lang.t("status")) } th { (lang.t("since")) } }
            @for (number, status, since) in &stalled {
                tr { td { (number) } td { (lang.word(status)) } td { (lang.date(*since)) } }
            }
        } }
        (charts)
    };
    super::page(
        &req,
        &state,
        StatusCode::OK,
        layout(lang, &lang.t("operations"), Some(&staff), body),
    )
}

pub async fn resolve(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (staff, form) = super::signed_form!(&req, &state, &[Role::Admin], form);
    let field = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let result = async {
        let action = field("action")
            .unwrap_or_default()
            .parse::<IncidentAction>()
            .map_err(|e| AppError::invalid("action", e.to_string()))?;
        let note = field("note").ok_or_else(|| AppError::invalid("note", "say what was done"))?;
        let resolve = Resolve {
            action,
            note,
            amount: field("amount"),
            claim_reference: field("claim_reference"),
            // A replacement parcel is registered through the API once it ships.
            replacement: None,
        };
        let (id, actor, now) = (path.into_inner(), staff.actor(), state.clock.now());
        state
            .db
            .write(move |c| incidents::resolve(c, &id, resolve, &actor, now))
            .await
    }
    .await;
    match result {
        Ok(_) => super::redirect("/ops"),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}

/// `POST /ops/rmas/{number}/review`: approve or refuse a return waiting for a person, as
/// the API's authorize and reject do (the customer hears of it by email).
pub async fn review(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (staff, form) = super::signed_form!(&req, &state, &[Role::Admin], form);
    let result = async {
        let number = crate::returns::parse_number(&path.into_inner())?;
        let event = match form.get("decision").map(String::as_str) {
            Some("authorize") => RmaEvent::Authorize,
            Some("reject") => RmaEvent::Reject,
            _ => return Err(AppError::invalid("decision", "approve or refuse")),
        };
        let note = form.get("note").map(String::as_str);
        crate::rmas::apply(&state, &staff.principal(), number, event, note).await
    }
    .await;
    match result {
        Ok(_) => super::redirect("/ops"),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}
