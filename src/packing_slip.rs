//! Packing slips. The one inside a return's box: the RMA's barcode for the warehouse's
//! scanner (a box whose label is torn off still finds its return), the order, where it
//! goes and what is in it; it names no customer, so every reader of the return may
//! print it. The one inside a replacement's box (an exchange going out): the same
//! barcode, the customer's address and what to pack. A4, or US Letter for customers in
//! the countries that use it.

use backhaul_carriers::label::{code128_modules, draw_barcode};
use backhaul_carriers::pdf::{Font, Page};

use crate::auth::Principal;
use crate::core::Core;
use crate::db::fulfilments::ListedFulfilment;
use crate::db::orders::OrderRecord;
use crate::domain::routing::Warehouse;
use crate::domain::{RmaNumber, RmaStatus};
use crate::error::AppError;
use crate::i18n::Lang;

/// Countries that print on US Letter rather than A4.
const LETTER: &[&str] = &[
    "US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "CR", "PA", "DO", "PR",
];

/// A line of the slip: sku, title, quantity, and a last cell (the reason in words, or
/// the item a replacement is for).
struct Item {
    sku: String,
    title: String,
    quantity: i64,
    note: String,
}

/// What a slip prints.
struct Slip {
    heading: &'static str,
    intro: &'static str,
    footer: &'static str,
    /// The RMA number, printed as a barcode.
    number: String,
    /// (label, value) under the barcode.
    facts: Vec<(&'static str, String)>,
    letter: bool,
    /// A heading and the lines of an address: where the box goes.
    address: Option<(&'static str, Vec<String>)>,
    /// The heading of the items' last column.
    note_heading: &'static str,
    items: Vec<Item>,
}

impl Slip {
    /// A return's slip, with where the return goes once known.
    fn of_return(d: &crate::rmas::RmaDetails, return_to: Option<&Warehouse>) -> Slip {
        let words = Lang::En;
        let items = d
            .lines
            .iter()
            .map(|l| {
                let line = d.order.lines.iter().find(|o| o.line_id == l.line_id);
                Item {
                    sku: line.map_or_else(String::new, |o| o.sku.clone()),
                    title: line.map_or_else(|| l.line_id.clone(), |o| o.title.clone()),
                    quantity: l.quantity,
                    note: capitalized(&words.word(&l.reason)),
                }
            })
            .collect();
        Slip {
            heading: "Return packing slip",
            intro: "Put this slip in the box, on top of the items.",
            footer: "Warehouse: scan the barcode above to match this box to its return.",
            number: d.rma.number.clone(),
            facts: vec![
                ("Order", d.order.order.order_number.clone()),
                (
                    "Requested",
                    d.rma.created_at.date().format("%Y-%m-%d").to_string(),
                ),
                ("Resolution", capitalized(&words.word(&d.rma.resolution))),
            ],
            letter: LETTER.contains(&d.order.order.ship_country.as_str()),
            address: return_to.map(|w| {
                let mut lines = vec![w.name.clone(), w.line1.clone()];
                lines.extend(w.line2.clone());
                lines.push(format!("{} {}", w.postal_code, w.city));
                lines.push(w.country.clone());
                ("Return to", lines)
            }),
            note_heading: "Reason",
            items,
        }
    }

    /// A replacement's slip: what to pack, and the customer's address.
    fn of_replacement(f: &ListedFulfilment, order: &OrderRecord) -> Slip {
        let o = &order.order;
        let mut address = vec![o.ship_name.clone(), o.ship_line1.clone()];
        address.extend(o.ship_line2.clone());
        address.push(format!("{} {}", o.ship_postal_code, o.ship_city));
        address.extend(o.ship_region.clone());
        address.push(o.ship_country.clone());
        let items = f
            .fulfilment
            .lines()
            .into_iter()
            .map(|l| Item {
                note: order
                    .lines
                    .iter()
                    .find(|o| o.line_id == l.line_id)
                    .map_or_else(String::new, |o| o.sku.clone()),
                sku: l.sku,
                title: l.title,
                quantity: l.quantity,
            })
            .collect();
        Slip {
            heading: "Replacement packing slip",
            intro: "Pack these items and put this slip on top.",
            footer: "Warehouse: mark it shipped with the parcel's carrier and tracking number.",
            number: f.rma_number.clone(),
            facts: vec![
                ("Order", o.order_number.clone()),
                ("RMA", f.rma_number.clone()),
                (
                    "Waiting since",
                    f.fulfilment
                        .created_at
                        .date()
                        .format("%Y-%m-%d")
                        .to_string(),
                ),
            ],
            letter: LETTER.contains(&o.ship_country.as_str()),
            address: Some(("Ship to", address)),
            note_heading: "Replaces",
            items,
        }
    }
}

/// The slip of return `number` as a PDF, for anyone who may read the return. A
/// refused, cancelled or expired return has none: nothing is to be packed.
pub async fn render(core: &Core, who: Principal, number: RmaNumber) -> Result<Vec<u8>, AppError> {
    let network = core.network.clone();
    let slip = core
        .db
        .read(move |c| {
            let d = crate::rmas::details(c, &who, &number)?;
            if matches!(
                d.rma.status,
                RmaStatus::Rejected | RmaStatus::Cancelled | RmaStatus::Expired
            ) {
                return Err(AppError::Conflict(format!(
                    "RMA {} is {}: nothing is to be sent back",
                    d.rma.number, d.rma.status
                )));
            }
            Ok(Slip::of_return(&d, network.find(&d.rma.return_to)))
        })
        .await?;
    drawn(core, slip).await
}

/// The slip that goes in replacement `id`'s box (fulfilment id), for the warehouse
/// and the shop's systems.
pub async fn render_replacement(core: &Core, id: String) -> Result<Vec<u8>, AppError> {
    let slip = core
        .db
        .read(move |c| {
            let found = crate::db::fulfilments::find(c, &id)?
                .ok_or_else(|| AppError::not_found("fulfilment"))?;
            let order = crate::db::orders::load_by_id(c, &found.fulfilment.order_id)?;
            Ok::<_, AppError>(Slip::of_replacement(&found, &order))
        })
        .await?;
    drawn(core, slip).await
}

/// `slip` drawn as a PDF.
async fn drawn(core: &Core, slip: Slip) -> Result<Vec<u8>, AppError> {
    // Drawing (and subsetting a font for other scripts) is CPU work: off the workers.
    let font = core.script_font.clone();
    tokio::task::spawn_blocking(move || draw(&slip, font.as_deref()))
        .await
        .map_err(|e| AppError::Internal(format!("packing slip drawing stopped: {e}")))?
        .map_err(AppError::Internal)
}

fn draw(
    slip: &Slip,
    font: Option<&backhaul_carriers::script_font::ScriptFont>,
) -> Result<Vec<u8>, String> {
    let (width, height) = if slip.letter {
        (612.0, 792.0)
    } else {
        (595.28, 841.89)
    };
    let mut page = Page::new(width, height).with_script_font(font);
    let (left, right) = (48.0, width - 48.0);
    let mut y = height - 60.0;
    page.text(left, y, 18.0, Font::Bold, slip.heading);
    y -= 18.0;
    page.text(left, y, 11.0, Font::Regular, slip.intro);
    y -= 12.0;
    page.rect(left, y, right - left, 1.5);

    let modules = code128_modules(&slip.number).map_err(|e| e.to_string())?;
    y -= 20.0 + 64.0;
    draw_barcode(&mut page, &modules, left, y, 1.6, 64.0);
    y -= 22.0;
    page.text(left, y, 16.0, Font::Bold, &format!("RMA {}", slip.number));

    y -= 32.0;
    for (label, value) in &slip.facts {
        page.text(left, y, 10.0, Font::Bold, label);
        page.text(left + 90.0, y, 11.0, Font::Regular, value);
        y -= 16.0;
    }
    if let Some((label, lines)) = &slip.address {
        y -= 8.0;
        page.text(left, y, 10.0, Font::Bold, label);
        for line in lines {
            page.text(left + 90.0, y, 11.0, Font::Regular, line);
            y -= 14.0;
        }
    }

    y -= 18.0;
    let columns = [left, left + 110.0, right - 170.0, right - 120.0];
    for (x, heading) in columns
        .iter()
        .zip(["SKU", "Item", "Qty", slip.note_heading])
    {
        page.text(*x, y, 10.0, Font::Bold, heading);
    }
    y -= 6.0;
    page.rect(left, y, right - left, 0.75);
    for item in &slip.items {
        y -= 16.0;
        if y < 90.0 {
            page.text(
                left,
                y,
                10.0,
                Font::Regular,
                "… more items in the return's page",
            );
            break;
        }
        page.text(columns[0], y, 10.0, Font::Regular, &clip(&item.sku, 18));
        page.text(columns[1], y, 10.0, Font::Regular, &clip(&item.title, 40));
        page.text(
            columns[2],
            y,
            10.0,
            Font::Regular,
            &item.quantity.to_string(),
        );
        page.text(columns[3], y, 10.0, Font::Regular, &clip(&item.note, 24));
    }
    page.text(left, 48.0, 9.0, Font::Regular, slip.footer);
    page.to_pdf()
}

/// "size too small" → "Size too small", for a cell of its own.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// At most `max` columns wide, an ellipsis marking the cut; Chinese, Japanese and
/// Korean characters are two columns, as they print about twice as wide.
fn clip(text: &str, max: usize) -> String {
    let width = |c: char| if is_wide(c) { 2 } else { 1 };
    if text.chars().map(width).sum::<usize>() <= max {
        return text.to_string();
    }
    let mut used = 0;
    let kept: String = text
        .chars()
        .take_while(|c| {
            used += width(*c);
            used < max
        })
        .collect();
    format!("{kept}…")
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c), 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::{capitalized, clip};

    #[test]
    fn long_cells_are_clipped_with_an_ellipsis() {
        assert_eq!(clip("Rain jacket", 40), "Rain jacket");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("南京西路一二六六号", 9), "南京西路…");
        assert_eq!(clip("南京西路", 8), "南京西路");
        assert_eq!(capitalized("size too small"), "Size too small");
        assert_eq!(capitalized(""), "");
    }
}
