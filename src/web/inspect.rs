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
use crate::domain::{Condition, Disposition, RmaStatus, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::inspection::{self, Inspected, InspectionInput, InspectionLineInput};
use crate::returns::parse_number;

/// (line id, sku, title, quantity expected, reason)
type LineFacts = (String, String, String, i64, String);

/// What the inspector sees of a return before grading it.
struct Return {
    id: String,
    number: String,
    status: RmaStatus,
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
                    (
                        l.line_id.clone(),
                        ordered.map(|o| o.sku.clone()).unwrap_or_default(),
                        ordered.map(|o| o.title.clone()).unwrap_or_default(),
                        l.quantity,
                        l.reason,
                    )
                })
                .collect();
            Ok::<_, AppError>(Return {
                photos: photos::list(c, &rma.id)?,
                id: rma.id,
                number: rma.number,
                status: rma.status,
                lines,
            })
        })
        .await
}

fn form(lang: Lang, staff: &Staff, r: &Return) -> Markup {
    let number = &r.number;
    html! {
        h1 { (lang.t("inspect")) " " (number) }
        p { (lang.t("status")) ": " (r.status) }
        @if !r.photos.is_empty() {
            h2 { (lang.t("photos_sent")) }
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
        form method="post" action={ "/warehouse/rmas/" (number) "/inspect" } enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(staff.csrf);
            @for (id, sku, title, expected, reason) in &r.lines {
                fieldset {
                    legend { (sku) " " (title) " × " (expected) " (" (reason) ")" }
                    label for={ "q_" (id) } { (lang.t("received_qty")) }
                    input id={ "q_" (id) } name={ "q_" (id) } type="number" min="0" value=(expected) required;
                    label for={ "c_" (id) } { (lang.t("condition")) }
                    select id={ "c_" (id) } name={ "c_" (id) } {
                        @for c in Condition::ALL { option value=(c.as_str()) { (lang.word(c.as_str())) } }
                    }
                    label for={ "d_" (id) } { (lang.t("disposition")) }
                    select id={ "d_" (id) } name={ "d_" (id) } {
                        @for d in Disposition::ALL { option value=(d.as_str()) { (lang.word(d.as_str())) } }
                    }
                    label for={ "n_" (id) } { (lang.t("notes")) }
                    input id={ "n_" (id) } name={ "n_" (id) };
                }
            }
            label for="photo" { (lang.t("photos")) }
            input #photo name="photo" type="file" accept="image/jpeg,image/png,image/heic" multiple;
            button type="submit" { (lang.t("inspect")) }
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
        Ok(r) => super::page(
            &req,
            &state,
            StatusCode::OK,
            layout(
                lang,
                &lang.t("inspect"),
                Some(&staff),
                form(lang, &staff, &r),
            ),
        ),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}

fn outcome(lang: Lang, answer: &Inspected) -> Markup {
    let calc = &answer.calculation.refund;
    html! {
        section.result.(answer.outcome.as_str()) role="status" {
            (lang.t("outcome")) ": " (lang.word(answer.outcome.as_str()))
        }
        @match &answer.refund {
            Some(refund) => p { strong { (lang.t("refund")) ": " (lang.money(&refund.amount, &refund.currency)) } " (" (lang.word(&refund.method)) ")" },
            None => p { (lang.t("no_refund")) },
        }
        table {
            tr { th { "#" } th { (lang.t("received_qty")) } th { (lang.t("condition")) } th { (lang.t("refund")) } }
            @for l in &calc.lines {
                tr {
                    td { (l.line_id) }
                    td { (l.accepted_quantity) " / " (l.expected_quantity) }
                    td { (lang.word(l.condition.as_str())) }
                    td { (l.refund) }
                }
            }
        }
        ul { @for n in &calc.notes { li { (n) } } }
    }
}

/// The form's fields (`q_1`, `c_1`, `d_1`, `n_1` per line) as the API's input.
fn input_of(
    form: &HashMap<String, String>,
    lines: &[LineFacts],
) -> Result<InspectionInput, AppError> {
    let mut out = Vec::with_capacity(lines.len());
    for (id, ..) in lines {
        let field = |prefix: &str| {
            form.get(&format!("{prefix}_{id}"))
                .map(|s| s.trim().to_string())
        };
        let quantity = field("q")
            .and_then(|q| q.parse::<i64>().ok())
            .ok_or_else(|| AppError::invalid(format!("q_{id}"), "a number of items"))?;
        let condition = field("c")
            .unwrap_or_default()
            .parse::<Condition>()
            .map_err(|e| AppError::invalid(format!("c_{id}"), e.to_string()))?;
        let disposition = field("d")
            .unwrap_or_default()
            .parse::<Disposition>()
            .map_err(|e| AppError::invalid(format!("d_{id}"), e.to_string()))?;
        out.push(InspectionLineInput {
            line_id: id.clone(),
            quantity_received: quantity,
            condition,
            disposition,
            notes: field("n").filter(|n| !n.is_empty()),
        });
    }
    Ok(InspectionInput { lines: out })
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
    let result = async {
        let Return {
            id, number, lines, ..
        } = load(&state, &path.into_inner()).await?;
        let input = input_of(&form, &lines)?;
        let rma = parse_number(&number)?;
        let (actor, now, st) = (staff.actor(), state.clock.now(), state.clone());
        let answer = state
            .db
            .write(move |c| {
                let answer = inspection::inspect(c, &st.policy, &rma, input, &actor, now)?;
                crate::photos::attach(c, &id, &photos, &actor, now)?;
                Ok::<_, AppError>(answer)
            })
            .await?;
        Ok::<_, AppError>((number, answer))
    }
    .await;
    match result {
        Ok((number, answer)) => super::page(
            &req,
            &state,
            StatusCode::OK,
            layout(
                lang,
                &format!("{} {number}", lang.t("inspect")),
                Some(&staff),
                outcome(lang, &answer),
            ),
        ),
        Err(e) => error_page(&req, &state, Some(&staff), &e),
    }
}
