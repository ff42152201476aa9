//! `/warehouse/rmas/{number}/inspect`: grade each line of a received return; the answer
//! shows the outcome and the refund, worked out by the same service the API uses.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::{error_page, expired_form, lang_of, layout, Staff};
use crate::api::state::AppState;
use crate::db::photos::{self, PhotoInfo};
use crate::db::{orders, rmas};
use crate::domain::refund::RefundStep;
use crate::domain::{Condition, Disposition, FieldError, RmaStatus, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::inspection::{self, Inspected, InspectionInput, InspectionLineInput};
use crate::returns::parse_number;

/// One line of the return as the inspector needs it.
struct LineFacts {
    id: String,
    sku: String,
    title: String,
    expected: i64,
    reason: String,
}

/// What the inspector sees of a return before grading it.
struct Return {
    id: String,
    number: String,
    status: RmaStatus,
    resolution: String,
    comment: Option<String>,
    lines: Vec<LineFacts>,
    photos: Vec<PhotoInfo>,
}

async fn load(state: &AppState, number: &str) -> Result<Return, AppError> {
    let number = parse_number(number)?;
    state
        .db
        .read(move |c| {
            let rma = rmas::find(c, &number)?.ok_or_else(|| AppError::not_found("RMA"))?;
            let order = orders::load_by_id(c, &rma.order_id)?;
            let lines = rmas::lines(c, &rma.id)?
                .into_iter()
                .map(|l| {
                    let ordered = order.lines.iter().find(|o| o.line_id == l.line_id);
                    LineFacts {
                        sku: ordered.map(|o| o.sku.clone()).unwrap_or_default(),
                        title: ordered.map(|o| o.title.clone()).unwrap_or_default(),
                        id: l.line_id,
                        expected: l.quantity,
                        reason: l.reason,
                    }
                })
                .collect();
            Ok::<_, AppError>(Return {
                photos: photos::list(c, &rma.id)?,
                id: rma.id,
                number: rma.number,
                status: rma.status,
                resolution: rma.resolution,
                comment: rma.comment,
                lines,
            })
        })
        .await
}

/// What the customer said and sent: the reasons, their comment and photos, shown before
/// the inspector grades anything.
fn customer_said(lang: Lang, r: &Return) -> Markup {
    let number = &r.number;
    html! {
        section.said {
            h2 { (lang.t("customer_said")) }
            ul {
                @for l in &r.lines {
                    li { (l.sku) " " (l.title) " × " (l.expected) ": " strong { (lang.word(&l.reason)) } }
                }
            }
            p { (lang.t("resolution")) ": " (lang.word(&r.resolution)) }
            @if let Some(comment) = &r.comment { blockquote { (comment) } }
            @if !r.photos.is_empty() {
                h3 { (lang.t("photos_sent")) }
                p.photos {
                    @for p in &r.photos {
                        @let href = format!("/warehouse/rmas/{number}/photos/{}", p.id);
                        // Browsers do not show HEIC: a link to download it instead.
                        a href=(href) title=(p.taken_by) {
                            @if p.content_type == "image/heic" { "HEIC " (p.taken_by) }
                            @else { img src=(href) alt=(p.taken_by) width="160" loading="lazy"; }
                        }
                    }
                }
            }
        }
    }
}

/// A select that starts with nothing chosen: the inspector must pick each grade.
fn choice(
    lang: Lang,
    name: &str,
    options: &[&str],
    chosen: Option<&str>,
    problem: Option<&str>,
) -> Markup {
    html! {
        select id=(name) name=(name) required aria-invalid=[problem.map(|_| "true")] aria-describedby=[problem.map(|_| format!("{name}_error"))] {
            option value="" selected[chosen.is_none_or(str::is_empty)] { (lang.t("choose")) }
            @for o in options { option value=(o) selected[chosen == Some(*o)] { (lang.word(o)) } }
        }
        @if let Some(p) = problem { p.error id={ (name) "_error" } { (p) } }
    }
}

/// The inspection form: nothing chosen at first; after a refused try, what was chosen
/// kept and each problem beside its field (and listed on top).
fn inspection_form(
    lang: Lang,
    staff: &Staff,
    r: &Return,
    typed: &HashMap<String, String>,
    errors: &[FieldError],
) -> Markup {
    let number = &r.number;
    let said = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    };
    let conditions: Vec<&str> = Condition::ALL.iter().map(|c| c.as_str()).collect();
    let dispositions: Vec<&str> = Disposition::ALL.iter().map(|d| d.as_str()).collect();
    html! {
        h1 { (lang.t("inspect")) " " span.id { (number) } }
        @if !errors.is_empty() {
            div.error role="alert" {
                p { (lang.t("form_problems")) }
                ul { @for e in errors { li { (e.message) } } }
            }
        }
        (customer_said(lang, r))
        form method="post" action={ "/warehouse/rmas/" (number) "/inspect" } enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(staff.csrf);
            @for l in &r.lines {
                @let (q, c, d, n) = (format!("q_{}", l.id), format!("c_{}", l.id), format!("d_{}", l.id), format!("n_{}", l.id));
                fieldset {
                    legend { (l.sku) " " (l.title) " × " (l.expected) }
                    label for=(q) { (lang.t("received_qty")) }
                    input id=(q) name=(q) type="number" min="0" inputmode="numeric" required
                        value=[typed.get(&q)] aria-invalid=[said(&q).map(|_| "true")] aria-describedby=[said(&q).map(|_| format!("{q}_error"))];
                    @if let Some(p) = said(&q) { p.error id={ (q) "_error" } { (p) } }
                    label for=(c) { (lang.t("condition")) }
                    (choice(lang, &c, &conditions, typed.get(&c).map(String::as_str), said(&c)))
                    label for=(d) { (lang.t("disposition")) }
                    (choice(lang, &d, &dispositions, typed.get(&d).map(String::as_str), said(&d)))
                    label for=(n) { (lang.t("notes")) }
                    input id=(n) name=(n) value=[typed.get(&n)];
                }
            }
            label for="photo" { (lang.t("photos")) }
            @let photo_problem = said("photo");
            input #photo name="photo" type="file" accept="image/jpeg,image/png,image/heic" multiple aria-invalid=[photo_problem.map(|_| "true")] aria-describedby=[photo_problem.map(|_| "photo_error")];
            @if let Some(p) = photo_problem { p.error #photo_error { (p) } }
            @if !errors.is_empty() { p { small { (lang.t("photos_again")) } } }
            button type="submit" { (lang.t("inspect")) }
        }
    }
}

/// The page for a return that cannot be inspected (not received yet, or inspected
/// already): what it is, and the way back to the queue.
fn not_inspectable(lang: Lang, staff: &Staff, r: &Return) -> Markup {
    let status = lang.word(r.status.as_str());
    let body = html! {
        h1 { (lang.t("inspect")) " " span.id { (r.number) } }
        p.error role="alert" { (lang.t_with("cannot_inspect", &[("rma", &r.number), ("status", &status)])) }
        (onward(lang))
    };
    layout(lang, &lang.t("inspect"), Some(staff), body)
}

/// Where the bench goes next.
fn onward(lang: Lang) -> Markup {
    html! {
        p {
            a href="/warehouse/to-inspect" { (lang.t("to_inspect")) }
            " · "
            a href="/warehouse/scan" { (lang.t("scan_next")) }
        }
    }
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Warehouse]);
    let lang = lang_of(&req);
    match load(&state, &path.into_inner()).await {
        Ok(r) if r.status != RmaStatus::Received => super::page(
            &req,
            &state,
            StatusCode::CONFLICT,
            not_inspectable(lang, &staff, &r),
        ),
        Ok(r) => super::page(
            &req,
            &state,
            StatusCode::OK,
            layout(
                lang,
                &format!("{} {}", lang.t("inspect"), r.number),
                Some(&staff),
                inspection_form(lang, &staff, &r, &HashMap::new(), &[]),
            ),
        ),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}

/// A step of the refund's calculation in the page's language, lines by their items,
/// amounts with their currency.
fn step_words(lang: Lang, step: &RefundStep, item: &dyn Fn(&str) -> String) -> String {
    let money = |m: &crate::domain::Money| lang.money(&m.to_string(), m.currency().code());
    let words = match step {
        RefundStep::NothingBack { line_id, condition } => lang.t_with(
            "calc_step.nothing_back",
            &[
                ("item", &item(line_id)),
                ("condition", &lang.word(condition.as_str())),
            ],
        ),
        RefundStep::Extra {
            line_id,
            received,
            expected,
        } => lang.t_with(
            "calc_step.extra",
            &[
                ("item", &item(line_id)),
                ("received", &received.to_string()),
                ("expected", &expected.to_string()),
            ],
        ),
        RefundStep::Partial {
            line_id,
            accepted,
            expected,
        } => lang.t_with(
            "calc_step.partial",
            &[
                ("item", &item(line_id)),
                ("accepted", &accepted.to_string()),
                ("expected", &expected.to_string()),
            ],
        ),
        RefundStep::Restocking {
            line_id,
            percent,
            reason,
            fee,
        } => lang.t_with(
            "calc_step.restocking",
            &[
                ("item", &item(line_id)),
                ("percent", percent),
                ("reason", &lang.word(reason.as_str())),
                ("amount", &money(fee)),
            ],
        ),
        RefundStep::Deduction {
            line_id,
            condition,
            percent,
            amount,
        } => lang.t_with(
            "calc_step.deduction",
            &[
                ("item", &item(line_id)),
                ("condition", &lang.word(condition.as_str())),
                ("percent", percent),
                ("amount", &money(amount)),
            ],
        ),
        RefundStep::Label { amount } => {
            lang.t_with("calc_step.label", &[("amount", &money(amount))])
        }
    };
    words.into_owned()
}

/// The result: the outcome, the money with its currency, each line, and the next step.
fn outcome(lang: Lang, r: &Return, answer: &Inspected) -> Markup {
    let calc = &answer.calculation.refund;
    let currency = calc.currency.code();
    let item = |id: &str| {
        r.lines
            .iter()
            .find(|l| l.id == id)
            .map(|l| format!("{} {}", l.sku, l.title))
            .unwrap_or_else(|| id.to_string())
    };
    // An exchange's replacement first (the warehouse's job), then what finance does.
    let money_step = answer.refund.as_ref().map(|refund| {
        let amount = lang.money(&refund.amount, &refund.currency);
        match refund.method.as_str() {
            "charge_customer" => lang.t_with("after_inspection.charge", &[("amount", &amount)]),
            _ => {
                // A store credit's bonus is finance's to issue too.
                let amount = match &refund.bonus {
                    Some(bonus) => format!(
                        "{amount} + {} {}",
                        lang.t("bonus"),
                        lang.money(bonus, &refund.currency)
                    ),
                    None => amount,
                };
                lang.t_with(
                    "after_inspection.refund",
                    &[("amount", &amount), ("method", &lang.word(&refund.method))],
                )
            }
        }
    });
    let next = match (money_step, &answer.replacement) {
        (Some(money), None) => money,
        (money, Some(replacement)) => {
            let items: Vec<String> = replacement
                .lines
                .iter()
                .map(|l| match &l.sku {
                    // An exchange sends the variant asked for.
                    Some(sku) => format!("{sku} × {}", l.quantity),
                    None => format!("{} × {}", item(&l.line_id), l.quantity),
                })
                .collect();
            let ship = lang.t_with("after_inspection.exchange", &[("items", &items.join(", "))]);
            match money {
                Some(money) => format!("{ship} {money}").into(),
                None => ship,
            }
        }
        (None, None) => lang.t("after_inspection.no_refund"),
    };
    html! {
        h1 { (lang.t("inspected_title")) " " span.id { (r.number) } }
        section.result.(answer.outcome.as_str()) role="status" {
            (lang.t("outcome")) ": " (lang.word(answer.outcome.as_str()))
        }
        @match &answer.refund {
            Some(refund) if refund.method == "charge_customer" => p { strong { (lang.t("amount_due")) ": " (lang.money(&refund.amount, &refund.currency)) } },
            Some(refund) => p {
                strong { (lang.t("refund")) ": " (lang.money(&refund.amount, &refund.currency)) } " (" (lang.word(&refund.method)) ")"
                @if let Some(bonus) = &refund.bonus { " + " (lang.t("bonus")) " " (lang.money(bonus, &refund.currency)) }
            },
            None => p { (lang.t("no_refund")) },
        }
        table {
            tr { th { (lang.t("item")) } th { (lang.t("received_qty")) } th { (lang.t("condition")) } th { (lang.t("refund")) } }
            @for l in &calc.lines {
                tr {
                    td data-label=(lang.t("item")) { (item(&l.line_id)) }
                    td.num data-label=(lang.t("received_qty")) { (l.accepted_quantity) " / " (l.expected_quantity) }
                    td data-label=(lang.t("condition")) { (lang.word(l.condition.as_str())) }
                    // An exchange ships instead: no line is refunded.
                    td.num data-label=(lang.t("refund")) {
                        @if answer.replacement.is_some() { "—" } @else { (lang.money(&l.refund.to_string(), currency)) }
                    }
                }
            }
        }
        ul { @for step in &calc.steps { li { (step_words(lang, step, &item)) } } }
        h2 { (lang.t("next_step")) }
        p.next { (next) }
        (onward(lang))
    }
}

/// The form's fields (`q_1`, `c_1`, `d_1`, `n_1` per line) as the use case's input, or
/// every missing or unreadable choice, in the page's language.
fn input_of(
    lang: Lang,
    form: &HashMap<String, String>,
    lines: &[LineFacts],
) -> Result<InspectionInput, Vec<FieldError>> {
    let mut out = Vec::with_capacity(lines.len());
    let mut errors = Vec::new();
    for line in lines {
        let id = &line.id;
        let field = |prefix: &str| {
            form.get(&format!("{prefix}_{id}"))
                .map(|s| s.trim().to_string())
        };
        let item = format!("{} {}", line.sku, line.title);
        let mut problem = |prefix: &str, key: &str| {
            errors.push(FieldError {
                field: format!("{prefix}_{id}"),
                message: lang.t_with(key, &[("item", item.trim())]).into_owned(),
            });
        };
        let quantity = field("q").and_then(|q| q.parse::<i64>().ok());
        let condition = field("c").and_then(|c| c.parse::<Condition>().ok());
        let disposition = field("d").and_then(|d| d.parse::<Disposition>().ok());
        if quantity.is_none_or(|q| q < 0) {
            problem("q", "need_quantity");
        }
        if condition.is_none() {
            problem("c", "need_condition");
        }
        if disposition.is_none() {
            problem("d", "need_disposition");
        }
        if let (Some(quantity), Some(condition), Some(disposition)) =
            (quantity, condition, disposition)
        {
            out.push(InspectionLineInput {
                line_id: id.clone(),
                quantity_received: quantity,
                condition,
                disposition,
                notes: field("n").filter(|n| !n.is_empty()),
            });
        }
    }
    if errors.is_empty() {
        Ok(InspectionInput { lines: out })
    } else {
        Err(errors)
    }
}

/// `/warehouse/rmas/{number}/photos/{id}`: a photo's bytes for signed-in staff.
pub async fn photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Warehouse, Role::Finance]);
    let (number, id) = path.into_inner();
    let who = staff.principal();
    // Shown on the inspection page, so inline; still sandboxed if opened on its own.
    let inline = crate::api::photos::Disposition::Inline;
    match crate::api::photos::photo_file(&state, who, &number, id, inline).await {
        Ok(response) => response,
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let staff = super::signed_in!(&req, &state, &[Role::Warehouse]);
    let (form, photos) = match super::read_form(&req, payload, &staff.csrf).await {
        Ok(read) => read,
        Err(super::FormError::Expired) => return expired_form(&req, &state, Some(&staff)),
        Err(super::FormError::Bad(e)) => return error_page(&req, &state, Some(&staff), &e),
    };
    let lang = lang_of(&req);
    let r = match load(&state, &path.into_inner()).await {
        Ok(r) => r,
        Err(e) => return error_page(&req, &state, Some(&staff), &e),
    };
    let again = |status: StatusCode, errors: &[FieldError]| {
        let markup = layout(
            lang,
            &format!("{} {}", lang.t("inspect"), r.number),
            Some(&staff),
            inspection_form(lang, &staff, &r, &form, errors),
        );
        super::page(&req, &state, status, markup)
    };
    if r.status != RmaStatus::Received {
        return super::page(
            &req,
            &state,
            StatusCode::CONFLICT,
            not_inspectable(lang, &staff, &r),
        );
    }
    let input = match input_of(lang, &form, &r.lines) {
        Ok(input) => input,
        Err(errors) => return again(StatusCode::UNPROCESSABLE_ENTITY, &errors),
    };
    let result = async {
        let rma = parse_number(&r.number)?;
        let (id, actor, now, st) = (
            r.id.clone(),
            staff.actor(),
            state.clock.now(),
            state.clone(),
        );
        state
            .db
            .write(move |c| {
                let answer = inspection::inspect(c, &st.policy, &rma, input, &actor, now)?;
                crate::photos::attach(c, &id, &photos, &actor, now)?;
                Ok::<_, AppError>(answer)
            })
            .await
    }
    .await;
    match result {
        Ok(answer) => super::page(
            &req,
            &state,
            StatusCode::OK,
            layout(
                lang,
                &format!("{} {}", lang.t("inspected_title"), r.number),
                Some(&staff),
                outcome(lang, &r, &answer),
            ),
        ),
        // More photos than a return may hold: the same form, the problem at the photos.
        Err(AppError::Conflict(message)) => again(
            StatusCode::CONFLICT,
            &[FieldError {
                field: "photo".into(),
                message,
            }],
        ),
        // Inspected meanwhile (another bench, a second click): what it is now.
        Err(AppError::IllegalTransition(_)) => {
            let now = load(&state, &r.number).await.unwrap_or(r);
            super::page(
                &req,
                &state,
                StatusCode::CONFLICT,
                not_inspectable(lang, &staff, &now),
            )
        }
        Err(e) => match e.field_errors() {
            Some(errors) => {
                use actix_web::ResponseError;
                let errors = crate::domain::first_field_errors(errors);
                again(e.status_code(), &errors)
            }
            None => error_page(&req, &state, Some(&staff), &e),
        },
    }
}
