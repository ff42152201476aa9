//! `/ops`: open incidents with their resolve actions, stalled returns, and charts drawn
//! on the server as SVG (no script, no network): return reasons, SKUs and categories,
//! the return rate, carrier transit times and loss rates, refunds per day and currency.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use maud::{html, Markup};

use super::{error_page, lang_of, layout, ListOrder, Staff};
use crate::api::incidents::ResolveInput;
use crate::api::orders::ShipmentInput;
use crate::api::state::AppState;
use crate::db::parcels::{self, IncidentFilter};
use crate::db::photos::{self, PhotoInfo};
use crate::db::{orders, rmas, stats};
use crate::domain::tracking::IncidentAction;
use crate::domain::{FieldError, RmaEvent, RmaStatus, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::paging::Page;
use crate::receiving::RmaLine;
use crate::tracking::incidents::{self, ListedIncident};

/// How a chart writes its values.
#[derive(Debug, Clone, Copy)]
pub enum Figure {
    /// Whole things counted: `6`, never `6.0`.
    Count,
    /// A measure with one decimal and its unit (`48.5 h`, `2.5 %`).
    Measure(&'static str),
    /// Money with the currency's decimals and code.
    Money(u8),
}

impl Figure {
    fn write(self, value: f64, currency: &str) -> String {
        match self {
            Figure::Count => format!("{value:.0}"),
            Figure::Measure(unit) => format!("{value:.1} {unit}"),
            Figure::Money(decimals) => {
                format!("{value:.prec$} {currency}", prec = usize::from(decimals))
            }
        }
    }
}

/// A horizontal bar chart of `rows` (label, value), largest first as given: each label
/// on its own line above its bar, bars from zero, drawn to fit a phone's width (the
/// SVG scales to its box, never wider than it).
pub fn bar_chart(title: &str, rows: &[(String, f64)], figure: Figure, currency: &str) -> Markup {
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1e-9);
    let (row_h, width, bar_w) = (34.0, 360.0, 250.0);
    let height = row_h * rows.len().max(1) as f64 + 6.0;
    html! {
        figure {
            figcaption { (title) }
            svg.chart xmlns="http://www.w3.org/2000/svg" width="100%" role="img" aria-label=(title)
                viewBox={ "0 0 " (width) " " (height) } preserveAspectRatio="xMinYMin meet" {
                @for (i, (label, value)) in rows.iter().enumerate() {
                    @let y = i as f64 * row_h;
                    @let w = (bar_w * value / max).max(1.0);
                    text x="0" y=(y + 12.0) font-size="12" { (label) }
                    rect x="0" y=(y + 16.0) width=(format!("{w:.1}")) height="12" fill="#4a7fb5" {}
                    text x=(w + 5.0) y=(y + 27.0) font-size="12" { (figure.write(*value, currency)) }
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
    for l in &lines {
        *reasons.entry(lang.word(&l.reason)).or_insert(0.0) += l.quantity as f64;
        *skus.entry(l.sku.clone()).or_insert(0.0) += l.quantity as f64;
        *categories.entry(l.category.clone()).or_insert(0.0) += l.quantity as f64;
    }
    let (kept, exchanged_by_reason, exchanged_by_sku) = revenue_kept(lang, &lines);
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
    let mut per_currency: BTreeMap<String, BTreeMap<chrono::NaiveDate, f64>> = BTreeMap::new();
    for (at, currency, minor) in &refunds {
        let exponent = crate::domain::Currency::parse(currency).map_or(2, |c| c.exponent());
        *per_currency
            .entry(currency.clone())
            .or_default()
            .entry(at.date())
            .or_insert(0.0) += *minor as f64 / 10f64.powi(i32::from(exponent));
    }
    let rate = 100.0 * returns as f64 / orders.max(1) as f64;
    Ok(html! {
        p { strong { (lang.t("return_rate")) ": " (format!("{rate:.1}")) " %" } " (" (returns) " / " (orders) ")" }
        (bar_chart(&lang.t("by_reason"), &counted(reasons, 20), Figure::Count, ""))
        (bar_chart(&lang.t("by_sku"), &counted(skus, 10), Figure::Count, ""))
        (bar_chart(&lang.t("by_category"), &counted(categories, 20), Figure::Count, ""))
        (bar_chart(&lang.t("exchange_rate_by_reason"), &exchanged_by_reason, Figure::Measure("%"), ""))
        (bar_chart(&lang.t("exchange_rate_by_sku"), &exchanged_by_sku, Figure::Measure("%"), ""))
        @for (currency, rows) in &kept {
            @let decimals = crate::domain::Currency::parse(currency).map_or(2, |c| c.exponent());
            (bar_chart(&format!("{} · {currency}", lang.t("revenue_kept")), rows, Figure::Money(decimals), currency))
        }
        (bar_chart(&lang.t("transit"), &transit, Figure::Measure("h"), ""))
        (bar_chart(&lang.t("loss_rate"), &loss, Figure::Measure("%"), ""))
        @for (currency, days) in &per_currency {
            @let decimals = crate::domain::Currency::parse(currency).map_or(2, |c| c.exponent());
            @let rows: Vec<(String, f64)> = days.iter().map(|(d, v)| (lang.day(*d), *v)).collect();
            (bar_chart(&format!("{} · {currency}", lang.t("refund_totals")), &rows, Figure::Money(decimals), currency))
        }
    })
}

/// Weeks the revenue-kept charts show, the latest last.
const KEPT_WEEKS: usize = 8;

/// The revenue-kept charts' rows per currency (per week: kept by exchanges and store
/// credit, then refunded), and the exchange rate by reason and by SKU (top 10).
#[allow(clippy::type_complexity)]
fn revenue_kept(
    lang: Lang,
    lines: &[stats::ReturnedLine],
) -> (
    BTreeMap<String, Vec<(String, f64)>>,
    Vec<(String, f64)>,
    Vec<(String, f64)>,
) {
    use crate::domain::revenue_kept::{exchange_rate, per_week, Returned};
    let returned: Vec<(&stats::ReturnedLine, Returned<'_>)> = lines
        .iter()
        .filter_map(|l| {
            Some((
                l,
                Returned {
                    day: l.created_at.date(),
                    resolution: l.resolution.parse().ok()?,
                    status: l.status,
                    currency: &l.currency,
                    quantity: l.quantity,
                    value_minor: l.value_minor,
                },
            ))
        })
        .collect();
    let items: Vec<Returned<'_>> = returned.iter().map(|(_, r)| r.clone()).collect();
    let kept = per_week(&items)
        .into_iter()
        .map(|(currency, weeks)| {
            let scale = 10f64.powi(i32::from(
                crate::domain::Currency::parse(&currency).map_or(2, |c| c.exponent()),
            ));
            let skip = weeks.len().saturating_sub(KEPT_WEEKS);
            let rows = weeks
                .iter()
                .skip(skip)
                .flat_map(|(week, k)| {
                    let day = lang.day(*week);
                    [
                        (
                            format!("{day} · {}", lang.t("kept")),
                            k.kept_minor as f64 / scale,
                        ),
                        (
                            format!("{day} · {}", lang.t("refunded")),
                            k.refunded_minor as f64 / scale,
                        ),
                    ]
                })
                .collect();
            (currency, rows)
        })
        .collect();
    let rate = |rows: Vec<(String, f64, i64)>| -> Vec<(String, f64)> {
        rows.into_iter().map(|(k, pct, _)| (k, pct)).collect()
    };
    let by_reason = rate(exchange_rate(
        returned.iter().map(|(l, r)| (l.reason.as_str(), r)),
        20,
    ))
    .into_iter()
    .map(|(reason, pct)| (lang.word(&reason), pct))
    .collect();
    let by_sku = rate(exchange_rate(
        returned.iter().map(|(l, r)| (l.sku.as_str(), r)),
        10,
    ));
    (kept, by_reason, by_sku)
}

/// An action on the page that was refused: the incident or return it was for (its id
/// or number) and why, shown beside its form.
struct Refused {
    target: String,
    message: String,
}

/// One form per way to settle an incident, each asking only what that way needs: the
/// replacement's tracking number for a reship, the amount for a partial refund, the
/// claim reference for a claim, and always a note.
fn resolve_forms(
    lang: Lang,
    staff: &Staff,
    id: &str,
    carriers: &[&str],
    refused: Option<&Refused>,
) -> Markup {
    let field = |name: &str| format!("{name}-{id}");
    let problem = refused.filter(|r| r.target == id);
    html! {
        details.resolve open[problem.is_some()] {
            summary { (lang.t("resolve")) }
            @if let Some(p) = problem { p.error role="alert" { (p.message) } }
            @for action in IncidentAction::ALL {
                @let a = action.as_str();
                form method="post" action={ "/ops/incidents/" (id) "/resolve" } {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    input type="hidden" name="action" value=(a);
                    fieldset {
                        legend { (lang.word(a)) }
                        @match action {
                            IncidentAction::Reship => {
                                label for=(field("carrier")) { (lang.t("carrier")) }
                                select id=(field("carrier")) name="carrier" {
                                    @for c in carriers { option value=(c) { (c) } }
                                }
                                label for=(field("tracking")) { (lang.t("replacement_tracking")) }
                                input id=(field("tracking")) name="tracking_number" autocomplete="off";
                            }
                            IncidentAction::PartialRefund => {
                                label for=(field("amount")) { (lang.t("amount")) }
                                input id=(field("amount")) name="amount" inputmode="decimal" required;
                            }
                            IncidentAction::Claim => {
                                label for=(field("claim")) { (lang.t("claim_reference")) }
                                input id=(field("claim")) name="claim_reference" required;
                            }
                            IncidentAction::Refund => {}
                        }
                        label for=(field(&format!("note-{a}"))) { (lang.t("notes")) }
                        input id=(field(&format!("note-{a}"))) name="note" required;
                        button type="submit" { (lang.word(a)) }
                    }
                }
            }
        }
    }
}

fn incident_rows(
    lang: Lang,
    staff: &Staff,
    open: &[ListedIncident],
    carriers: &[&str],
    refused: Option<&Refused>,
) -> Markup {
    html! {
        table.incidents {
            tr { th { (lang.t("kind")) } th { (lang.t("detail")) } th { (lang.t("order")) } th { (lang.t("since")) } th { (lang.t("action")) } }
            @for ListedIncident { incident: i, parcel: p, owner } in open {
                tr id={ "incident-" (i.id) } {
                    td data-label=(lang.t("kind")) { (lang.word(&i.kind)) }
                    td data-label=(lang.t("detail")) { (i.detail) br; small.id { (p.carrier) " " (p.tracking_number) } }
                    td.id data-label=(lang.t("order")) { (owner.as_deref().unwrap_or("—")) }
                    td data-label=(lang.t("since")) { (lang.day(i.opened_at.date())) }
                    td data-label=(lang.t("action")) {
                        @if p.direction == parcels::OUTBOUND { (resolve_forms(lang, staff, &i.id, carriers, refused)) }
                    }
                }
            }
        }
    }
}

/// A return the policy sent to a person, with what the person needs to decide.
struct ReviewCard {
    rma: rmas::RmaRow,
    order_number: String,
    lines: Vec<RmaLine>,
    photos: Vec<PhotoInfo>,
    /// Returns the same customer opened in the last 365 days (this one included).
    returns_in_year: i64,
}

/// Returns the policy sent to a person: the items and reasons, the customer's comment,
/// photos and history, why the policy asked, and approve or refuse.
fn review_rows(
    lang: Lang,
    staff: &Staff,
    policy: &crate::domain::policy::Policy,
    cards: &[ReviewCard],
    refused: Option<&Refused>,
) -> Markup {
    html! {
        @if cards.is_empty() { p { (lang.t("none")) } }
        @for card in cards {
            @let rma = &card.rma;
            @let rules = crate::domain::policy::stored_rules(&rma.decision);
            section.review id={ "review-" (rma.number) } {
                h3 { span.id { (rma.number) } " · " span.id { (card.order_number) } " · " (lang.money(&crate::api::views::amount(rma.estimated_refund_minor, &rma.currency), &rma.currency)) }
                ul {
                    @for l in &card.lines {
                        li { (l.sku.as_deref().unwrap_or("")) " " (l.title.as_deref().unwrap_or("")) " × " (l.quantity) ": " strong { (lang.word(&l.reason)) } }
                    }
                }
                p { (lang.t("resolution")) ": " (lang.word(&rma.resolution)) " · "
                    (lang.t_with("returns_in_year", &[("n", &card.returns_in_year.to_string())])) }
                @if let Some(comment) = &rma.comment { blockquote { (comment) } }
                @if !card.photos.is_empty() {
                    p.photos {
                        @for p in &card.photos {
                            @let href = format!("/warehouse/rmas/{}/photos/{}", rma.number, p.id);
                            a href=(href) {
                                @if p.content_type == "image/heic" { "HEIC" }
                                @else { img src=(href) alt=(lang.t("photos_sent")) width="120" loading="lazy"; }
                            }
                        }
                    }
                }
                ul.why {
                    @for r in rules.iter().filter(|r| r.rule.starts_with("manual_review")) {
                        li { (lang.rule(r, policy)) }
                    }
                }
                @if let Some(p) = refused.filter(|r| r.target == rma.number) {
                    p.error role="alert" { (p.message) }
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

/// What an action on the page did, said once it is back on the page (`?done=`).
fn done_message(lang: Lang, req: &HttpRequest) -> Option<String> {
    let query = web::Query::<HashMap<String, String>>::from_query(req.query_string()).ok()?;
    let done = query.get("done")?;
    ["resolved", "approved", "refused"]
        .contains(&done.as_str())
        .then(|| lang.t(&format!("done.{done}")).into_owned())
}

pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[]);
    render(&req, &state, &staff, None).await
}

/// The page, with a refused action's reason beside its form (answered with the
/// refusal's status) or as it is.
async fn render(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    staff: &Staff,
    refused: Option<(Refused, StatusCode)>,
) -> HttpResponse {
    let (req, state) = (req, state.clone());
    let lang = lang_of(req);
    let now = state.clock.now();
    let before = now - Duration::days(7);
    // Each list pages on its own: a cursor for one shows the others' first page.
    let cursors = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default();
    let cursor = |name: &str| cursors.get(name).cloned();
    let (incidents_after, stalled_after, review_after) = (
        cursor("incidents_after"),
        cursor("stalled_after"),
        cursor("review_after"),
    );
    let paged = (
        incidents_after.is_some(),
        stalled_after.is_some(),
        review_after.is_some(),
    );
    let listed = state
        .db
        .read(move |c| {
            let filter = IncidentFilter {
                open: Some(true),
                kind: None,
            };
            let open = incidents::page(c, &filter, incidents_after.as_deref(), INCIDENTS_PAGE)?;
            let stalled = crate::rmas::stalled(c, before, stalled_after.as_deref(), OPS_LIST_PAGE)?;
            let waiting = crate::rmas::page(
                c,
                rmas::ListFilter {
                    status: Some(RmaStatus::Requested),
                    ..rmas::ListFilter::default()
                },
                review_after.as_deref(),
                OPS_LIST_PAGE,
            )?;
            let mut cards = Vec::with_capacity(waiting.rows.len());
            for (rma, order_number) in waiting.rows {
                let order = orders::load_by_id(c, &rma.order_id)?;
                let lines = rmas::lines(c, &rma.id)?;
                cards.push(ReviewCard {
                    lines: RmaLine::all(&order, &lines, &rma.currency),
                    photos: photos::list(c, &rma.id)?,
                    returns_in_year: rmas::customer_returns_since(
                        c,
                        &rma.customer_email,
                        now - Duration::days(365),
                    )?,
                    order_number,
                    rma,
                });
            }
            let cards = Page {
                rows: cards,
                next_cursor: waiting.next_cursor,
            };
            Ok::<_, AppError>((open, stalled, cards))
        })
        .await;
    let (open, stalled, cards) = match listed {
        Ok(l) => l,
        Err(e) => return error_page(req, &state, Some(staff), &e),
    };
    let charts = match charts(&state, lang).await {
        Ok(c) => c,
        Err(e) => return error_page(req, &state, Some(staff), &e),
    };
    let (refused, status) = match refused {
        Some((r, status)) => (Some(r), status),
        None => (None, StatusCode::OK),
    };
    let carriers = state.carriers.codes();
    let body = html! {
        h1 { (lang.t("operations")) }
        @if let Some(done) = done_message(lang, req) { p.result.matched role="status" { (done) } }
        @if refused.is_some() { p.error role="alert" { (lang.t("form_problems")) } }
        p { a href="/ops/rmas" { (lang.t("all_returns")) } }
        h2 #review { (lang.t("waiting_review")) }
        (review_rows(lang, staff, &state.policy, &cards.rows, refused.as_ref()))
        (list_pages(lang, "review", ListOrder::NewestFirst, paged.2, cards.next_cursor.as_deref()))
        h2 #incidents { (lang.t("incidents")) }
        @if open.rows.is_empty() { p { (lang.t("none")) } }
        @else { (incident_rows(lang, staff, &open.rows, &carriers, refused.as_ref())) }
        (list_pages(lang, "incidents", ListOrder::NewestFirst, paged.0, open.next_cursor.as_deref()))
        h2 #stalled { (lang.t("stalled")) }
        @if stalled.rows.is_empty() { p { (lang.t("none")) } }
        @else { table {
            tr { th { (lang.t("rma")) } th { (lang.t("status")) } th { (lang.t("since")) } }
            @for s in &stalled.rows {
                tr { td.id data-label=(lang.t("rma")) { (s.number) } td data-label=(lang.t("status")) { (lang.word(&s.status)) } td data-label=(lang.t("since")) { (lang.date(s.since)) } }
            }
        } }
        (list_pages(lang, "stalled", ListOrder::Queue, paged.1, stalled.next_cursor.as_deref()))
        (charts)
    };
    super::page(
        req,
        &state,
        status,
        layout(lang, &lang.t("operations"), Some(staff), body),
    )
}

/// The links between the pages of one of `/ops`'s lists, `list` naming its section
/// and its cursor (`{list}_after`).
fn list_pages(lang: Lang, list: &str, order: ListOrder, paged: bool, next: Option<&str>) -> Markup {
    let next = next.map(|cursor| {
        let query = serde_urlencoded::to_string([(format!("{list}_after"), cursor)]);
        format!("/ops?{}#{list}", query.unwrap_or_default())
    });
    let first = paged.then(|| format!("/ops#{list}"));
    super::page_links(lang, order, first.as_deref(), next.as_deref())
}

/// What to answer a refused action with: the page again with the reason beside the
/// form when the input was the problem, else the error page.
async fn refused(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    staff: &Staff,
    target: String,
    error: &AppError,
) -> HttpResponse {
    use actix_web::ResponseError;
    match error {
        AppError::Validation(_) | AppError::DoesNotFit(_) | AppError::Conflict(_) => {
            let lang = lang_of(req);
            let message = super::error_words(lang, error);
            let refusal = Refused { target, message };
            render(req, state, staff, Some((refusal, error.status_code()))).await
        }
        _ => error_page(req, state, Some(staff), error),
    }
}

/// An amount as staff type it: a decimal comma read as the point (`10,00` is `10.00`)
/// when the amount has no point of its own.
fn typed_amount(text: &str) -> String {
    let text = text.trim();
    match (text.matches(',').count(), text.contains('.')) {
        (1, false) => text.replace(',', "."),
        _ => text.to_string(),
    }
}

pub async fn resolve(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (staff, form) = super::signed_form!(&req, &state, &[Role::Admin], form);
    let incident_id = path.into_inner();
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
        let now = state.clock.now();
        let replacement = match (action, field("tracking_number")) {
            (IncidentAction::Reship, Some(tracking_number)) => Some(ShipmentInput {
                carrier: field("carrier").unwrap_or_default(),
                tracking_number,
                service: None,
                shipped_at: now,
                delivered_at: None,
                line_ids: None,
                origin_country: None,
            }),
            _ => None,
        };
        // The API's own checks, so the page and the API accept the same.
        let resolve = ResolveInput {
            action,
            note: field("note").unwrap_or_default(),
            amount: field("amount").map(|a| typed_amount(&a)),
            claim_reference: field("claim_reference"),
            replacement,
        }
        .validate(now)?;
        let (id, actor) = (incident_id.clone(), staff.actor());
        state
            .db
            .write(move |c| incidents::resolve(c, &id, resolve, &actor, now))
            .await
    }
    .await;
    match result {
        Ok(_) => super::redirect("/ops?done=resolved"),
        Err(e) => refused(&req, &state, &staff, incident_id, &e).await,
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
    let target = path.into_inner();
    // The card's own spelling of the number, so the reason shows beside it.
    let target = crate::returns::parse_number(&target).map_or(target, |n| n.to_string());
    let result = async {
        let number = crate::returns::parse_number(&target)?;
        let (event, done) = match form.get("decision").map(String::as_str) {
            Some("authorize") => (RmaEvent::Authorize, "approved"),
            Some("reject") => (RmaEvent::Reject, "refused"),
            _ => return Err(AppError::invalid("decision", "approve or refuse")),
        };
        let note = form.get("note").map(String::as_str);
        crate::rmas::apply(&state, &staff.principal(), number, event, note).await?;
        Ok(done)
    }
    .await;
    match result {
        Ok(done) => super::redirect(&format!("/ops?done={done}")),
        Err(e) => refused(&req, &state, &staff, target, &e).await,
    }
}

/// Open incidents `/ops` shows at a time.
const INCIDENTS_PAGE: i64 = 50;
/// Returns waiting for review, and stalled ones, `/ops` shows at a time.
const OPS_LIST_PAGE: i64 = 50;

/// Returns a page of `/ops/rmas` shows at a time.
const RMAS_PAGE: i64 = 50;

/// `/ops/rmas`'s filters as typed: status, order or RMA number, creation days, and where
/// the page starts.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RmaListQuery {
    status: Option<String>,
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
}

impl RmaListQuery {
    /// The filters as a query string (no cursor), for the CSV link and the page links.
    fn filters(&self) -> String {
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        serde_urlencoded::to_string([
            ("status", value(&self.status)),
            ("q", value(&self.q)),
            ("from", value(&self.from)),
            ("to", value(&self.to)),
        ])
        .unwrap_or_default()
    }

    /// The filters read, each bad one named; an empty one means "any".
    fn filter(&self) -> Result<(rmas::ListFilter, Option<String>), AppError> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let mut problems = Vec::new();
        let status = match given(&self.status).map(|s| s.parse::<RmaStatus>()) {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                problems.push(FieldError {
                    field: "status".to_string(),
                    message: e.to_string(),
                });
                None
            }
            None => None,
        };
        let mut day = |field: &str, v: &Option<String>| match given(v) {
            Some(text) => match crate::domain::read_day(field, &text) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(e);
                    None
                }
            },
            None => None,
        };
        let from = day("from", &self.from);
        let to = day("to", &self.to);
        if !problems.is_empty() {
            return Err(AppError::Validation(problems));
        }
        let q = given(&self.q);
        let rma_number = q
            .as_deref()
            .and_then(|q| crate::domain::RmaNumber::parse(q).ok())
            .map(|n| n.to_string());
        // Not an RMA number: an order number, in any case, hyphens or not.
        let order_key = match (&q, &rma_number) {
            (Some(q), None) => Some(
                crate::domain::order_number::OrderNumber::parse(q)
                    .map(|n| n.lookup_key())
                    .unwrap_or_else(|_| q.to_lowercase()),
            ),
            _ => None,
        };
        let filter = rmas::ListFilter {
            status,
            rma_number,
            created_from: from.map(|d| d.and_time(chrono::NaiveTime::MIN)),
            created_until: to
                .and_then(|d| d.succ_opt())
                .map(|d| d.and_time(chrono::NaiveTime::MIN)),
            ..rmas::ListFilter::default()
        };
        Ok((filter, order_key))
    }
}

/// One page of the returns `filter` names after `cursor`; an order key narrows them to
/// that order (none when no order has it).
fn rma_page(
    c: &mut crate::db::DbConnection,
    mut filter: rmas::ListFilter,
    order_key: Option<&str>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<(rmas::RmaRow, String)>, AppError> {
    if let Some(key) = order_key {
        match orders::by_lookup_key(c, key)?.into_iter().next() {
            Some((number, ..)) => filter.order_number = Some(number),
            None => {
                return Ok(Page {
                    rows: Vec::new(),
                    next_cursor: None,
                })
            }
        }
    }
    crate::rmas::page(c, filter, cursor, limit)
}

/// `/ops/rmas`: every return, newest first, filtered by status, order or RMA number and
/// creation days, a page at a time, with the same list as CSV.
pub async fn rma_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RmaListQuery>,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[]);
    let lang = lang_of(&req);
    let query = query.into_inner();
    let cursor = query.cursor.clone().filter(|c| !c.trim().is_empty());
    let read = match query.filter() {
        Ok((filter, order_key)) => {
            let cursor = cursor.clone();
            state
                .db
                .read(move |c| {
                    rma_page(
                        c,
                        filter,
                        order_key.as_deref(),
                        cursor.as_deref(),
                        RMAS_PAGE,
                    )
                })
                .await
        }
        Err(e) => Err(e),
    };
    let (rows, next, problem, status) = match read {
        Ok(page) => (page.rows, page.next_cursor, None, StatusCode::OK),
        Err(e @ (AppError::Validation(_) | AppError::DoesNotFit(_))) => {
            use actix_web::ResponseError;
            let words = super::error_words(lang, &e);
            (Vec::new(), None, Some(words), e.status_code())
        }
        Err(e) => return error_page(&req, &state, Some(&staff), &e),
    };
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let filters = query.filters();
    let body = html! {
        h1 { (lang.t("all_returns")) }
        form.filters method="get" action="/ops/rmas" {
            label for="status" { (lang.t("status")) }
            select #status name="status" {
                option value="" { (lang.t("all")) }
                @for s in RmaStatus::ALL { option value=(s.as_str()) selected[query.status.as_deref() == Some(s.as_str())] { (lang.word(s.as_str())) } }
            }
            label for="q" { (lang.t("order_or_rma")) }
            input #q name="q" value=(value(&query.q));
            label for="from" { (lang.t("from_day")) }
            input #from name="from" type="date" value=(value(&query.from));
            label for="to" { (lang.t("to_day")) }
            input #to name="to" type="date" value=(value(&query.to));
            button type="submit" { (lang.t("filter")) }
        }
        @if let Some(p) = &problem { p.error role="alert" { (p) } }
        @if problem.is_none() && rows.is_empty() { p.empty role="status" { (lang.t("no_returns")) } }
        @if !rows.is_empty() {
            p { a href={ "/ops/rmas.csv?" (filters) } { (lang.t("export_csv")) } }
            table {
                tr {
                    th { (lang.t("rma")) } th { (lang.t("order")) } th { (lang.t("status")) } th { (lang.t("resolution")) }
                    th.num { (lang.t("estimated_refund")) } th { (lang.t("goes_to")) } th { (lang.t("created")) }
                }
                @for (r, order) in &rows {
                    tr {
                        td.id data-label=(lang.t("rma")) { (r.number) }
                        td.id data-label=(lang.t("order")) { (order) }
                        td data-label=(lang.t("status")) { (lang.word(r.status.as_str())) }
                        td data-label=(lang.t("resolution")) { (lang.word(&r.resolution)) }
                        td.num data-label=(lang.t("estimated_refund")) { (lang.money(&crate::api::views::amount(r.estimated_refund_minor, &r.currency), &r.currency)) }
                        td data-label=(lang.t("goes_to")) { (r.return_to) }
                        td data-label=(lang.t("created")) { (lang.date(r.created_at)) }
                    }
                }
            }
            (super::page_links(
                lang,
                super::ListOrder::NewestFirst,
                cursor.is_some().then(|| format!("/ops/rmas?{filters}")).as_deref(),
                next.as_ref().map(|next| format!("/ops/rmas?{filters}&cursor={next}")).as_deref(),
            ))
        }
    };
    let markup = super::layout_at(
        lang,
        &lang.t("all_returns"),
        Some(&staff),
        req.query_string(),
        body,
    );
    super::page(&req, &state, status, markup)
}

/// `/ops/rmas.csv`: every page of the list the filters name.
pub async fn rma_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RmaListQuery>,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[]);
    let download = async {
        let (filter, order_key) = query.filter()?;
        super::csv_download(
            &state.db,
            "returns.csv",
            [
                "rma_number",
                "order_number",
                "status",
                "resolution",
                "estimated_refund",
                "currency",
                "return_to",
                "created_at",
            ],
            move |c, cursor| {
                let limit = crate::paging::MAX_PAGE;
                rma_page(c, filter.clone(), order_key.as_deref(), cursor, limit)
            },
            |(r, order)| {
                [
                    r.number.clone(),
                    order.clone(),
                    r.status.as_str().to_string(),
                    r.resolution.clone(),
                    crate::api::views::amount(r.estimated_refund_minor, &r.currency),
                    r.currency.clone(),
                    r.return_to.clone(),
                    crate::api::views::ts(r.created_at),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_take_a_decimal_comma() {
        for (typed, read) in [
            ("10,00", "10.00"),
            (" 7,5 ", "7.5"),
            ("10.00", "10.00"),
            ("1.000,00", "1.000,00"),
            ("1,000,00", "1,000,00"),
            ("12", "12"),
        ] {
            assert_eq!(typed_amount(typed), read, "{typed}");
        }
    }

    #[test]
    fn charts_write_counts_whole_and_money_with_its_decimals() {
        assert_eq!(Figure::Count.write(6.0, ""), "6");
        assert_eq!(Figure::Measure("h").write(48.04, ""), "48.0 h");
        assert_eq!(Figure::Money(2).write(104.25, "EUR"), "104.25 EUR");
        assert_eq!(Figure::Money(0).write(1500.0, "JPY"), "1500 JPY");
    }
}
