//! Rendering return labels: PDF (4×6 in, or A4 with the label on the top half) and ZPL II
//! for thermal printers, each with a Code 128 barcode of the tracking number.

use barcoders::sym::code128::Code128;
use serde::{Deserialize, Serialize};

use crate::pdf::{Font, Page};
use crate::{Address, CarrierError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelFormat {
    /// PDF, 4 × 6 inches.
    Pdf,
    /// PDF, A4 with the label on the top half.
    PdfA4,
    /// ZPL II for thermal printers, 4 × 6 inches at 203 dpi.
    Zpl,
}

impl LabelFormat {
    pub const ALL: [LabelFormat; 3] = [LabelFormat::Pdf, LabelFormat::PdfA4, LabelFormat::Zpl];

    pub fn as_str(&self) -> &'static str {
        match self {
            LabelFormat::Pdf => "pdf",
            LabelFormat::PdfA4 => "pdf_a4",
            LabelFormat::Zpl => "zpl",
        }
    }

    pub fn parse(text: &str) -> Option<LabelFormat> {
        LabelFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == text.to_ascii_lowercase())
    }

    pub fn content_type(&self) -> &'static str {
        match self {
            LabelFormat::Pdf | LabelFormat::PdfA4 => "application/pdf",
            LabelFormat::Zpl => "application/x-zpl",
        }
    }
}

/// What is printed on a label.
#[derive(Debug, Clone)]
pub struct LabelContent<'a> {
    pub carrier_name: &'a str,
    pub service: &'a str,
    pub tracking_number: &'a str,
    pub rma_number: &'a str,
    pub from: &'a Address,
    pub to: &'a Address,
}

/// Code 128 modules (true = bar) for `data`, with a quiet zone either side.
pub fn code128_modules(data: &str) -> Result<Vec<bool>, CarrierError> {
    let barcode = Code128::new(format!("\u{0181}{data}"))
        .map_err(|e| CarrierError::Label(format!("cannot encode {data:?} as Code 128: {e}")))?;
    let quiet = std::iter::repeat_n(false, 10);
    Ok(quiet
        .clone()
        .chain(barcode.encode().into_iter().map(|m| m == 1))
        .chain(quiet)
        .collect())
}

fn address_lines(a: &Address) -> Vec<String> {
    let mut lines = vec![a.name.clone(), a.line1.clone()];
    lines.extend(a.line2.clone());
    let city = match &a.region {
        Some(region) => format!("{} {} {}", a.postal_code, a.city, region),
        None => format!("{} {}", a.postal_code, a.city),
    };
    lines.push(city);
    lines.push(a.country.clone());
    lines
}

/// Draws the 4×6 label with its top-left corner at (`left`, `top`) in points.
fn draw_label(
    page: &mut Page,
    left: f64,
    top: f64,
    label: &LabelContent<'_>,
) -> Result<(), CarrierError> {
    let width = 288.0;
    let mut y = top - 24.0;
    page.text(
        left + 12.0,
        y,
        14.0,
        Font::Bold,
        &format!("{} RETURN", label.carrier_name.to_uppercase()),
    );
    page.text(left + 190.0, y, 9.0, Font::Regular, label.service);
    y -= 8.0;
    page.rect(left + 12.0, y, width - 24.0, 1.5);
    y -= 14.0;
    page.text(left + 12.0, y, 8.0, Font::Bold, "FROM");
    for line in address_lines(label.from) {
        y -= 10.0;
        page.text(left + 12.0, y, 8.0, Font::Regular, &line);
    }
    y -= 18.0;
    page.text(left + 12.0, y, 10.0, Font::Bold, "SHIP TO");
    for (i, line) in address_lines(label.to).iter().enumerate() {
        y -= 14.0;
        let font = if i == 0 { Font::Bold } else { Font::Regular };
        page.text(left + 24.0, y, 12.0, font, line);
    }
    y -= 20.0;
    page.rect(left + 12.0, y, width - 24.0, 1.5);

    let modules = code128_modules(label.tracking_number)?;
    let module_width = (width - 24.0) / modules.len() as f64;
    let bar_height = 90.0;
    y -= 10.0 + bar_height;
    let mut run_start = None;
    for (i, bar) in modules.iter().chain([&false]).enumerate() {
        match (bar, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                let x = left + 12.0 + start as f64 * module_width;
                page.rect(x, y, (i - start) as f64 * module_width, bar_height);
                run_start = None;
            }
            _ => {}
        }
    }
    y -= 16.0;
    page.text(
        left + 40.0,
        y,
        12.0,
        Font::Bold,
        &spaced(label.tracking_number),
    );
    y -= 24.0;
    page.text(
        left + 12.0,
        y,
        11.0,
        Font::Bold,
        &format!("RMA {}", label.rma_number),
    );
    y -= 14.0;
    page.text(
        left + 12.0,
        y,
        8.0,
        Font::Regular,
        "Put this label on the parcel; hand it to the carrier.",
    );
    Ok(())
}

/// Groups a tracking number in fours for people to read.
fn spaced(tracking: &str) -> String {
    tracking
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn render(format: LabelFormat, label: &LabelContent<'_>) -> Result<Vec<u8>, CarrierError> {
    match format {
        LabelFormat::Pdf => {
            let mut page = Page::new(288.0, 432.0);
            let top = page.height();
            draw_label(&mut page, 0.0, top, label)?;
            Ok(page.to_pdf())
        }
        LabelFormat::PdfA4 => {
            let mut page = Page::new(595.28, 841.89);
            let top = page.height() - 24.0;
            draw_label(&mut page, (595.28 - 288.0) / 2.0, top, label)?;
            page.text(
                40.0,
                841.89 / 2.0 - 10.0,
                8.0,
                Font::Regular,
                "- - - cut here - - -",
            );
            Ok(page.to_pdf())
        }
        LabelFormat::Zpl => Ok(zpl(label).into_bytes()),
    }
}

/// ZPL field data may not contain the command prefixes `^` and `~`.
fn zpl_text(text: &str) -> String {
    text.chars()
        .map(|c| if c == '^' || c == '~' { ' ' } else { c })
        .collect()
}

fn zpl(label: &LabelContent<'_>) -> String {
    let mut out = String::from("^XA\n^CI28\n^PW812\n^LL1218\n");
    out.push_str(&format!(
        "^FO40,40^A0N,40,40^FD{} RETURN^FS\n",
        zpl_text(&label.carrier_name.to_uppercase())
    ));
    let mut y = 110;
    out.push_str(&format!("^FO40,{y}^A0N,22,22^FDFROM^FS\n"));
    for line in address_lines(label.from) {
        y += 28;
        out.push_str(&format!("^FO40,{y}^A0N,24,24^FD{}^FS\n", zpl_text(&line)));
    }
    y += 50;
    out.push_str(&format!("^FO40,{y}^A0N,28,28^FDSHIP TO^FS\n"));
    for line in address_lines(label.to) {
        y += 38;
        out.push_str(&format!("^FO60,{y}^A0N,34,34^FD{}^FS\n", zpl_text(&line)));
    }
    y += 70;
    out.push_str(&format!(
        "^FO60,{y}^BY3^BCN,200,Y,N,N^FD{}^FS\n",
        zpl_text(label.tracking_number)
    ));
    y += 290;
    out.push_str(&format!(
        "^FO40,{y}^A0N,32,32^FDRMA {}^FS\n",
        zpl_text(label.rma_number)
    ));
    out.push_str("^XZ\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(name: &str) -> Address {
        Address {
            name: name.into(),
            line1: "Am Borsigturm 100".into(),
            line2: None,
            city: "Berlin".into(),
            region: None,
            postal_code: "13507".into(),
            country: "DE".into(),
        }
    }

    #[test]
    fn code128_has_quiet_zones_and_a_stop_pattern() {
        let modules = code128_modules("SBX123").expect("encodes");
        assert!(modules[..10].iter().all(|m| !m));
        assert!(modules[modules.len() - 10..].iter().all(|m| !m));
        // start + 6 symbols + check + stop (13 modules) = 11 * 8 + 13
        assert_eq!(modules.len(), 20 + 11 * 8 + 13);
    }

    #[test]
    fn zpl_carries_the_barcode_and_rma() {
        let from = address("Anna ^Schmidt~");
        let to = address("Berlin returns centre");
        let label = LabelContent {
            carrier_name: "sandbox",
            service: "ground",
            tracking_number: "SBX1234567890",
            rma_number: "R-7KQ2-M9XD",
            from: &from,
            to: &to,
        };
        let zpl = String::from_utf8(render(LabelFormat::Zpl, &label).expect("zpl")).expect("utf8");
        assert!(zpl.starts_with("^XA") && zpl.trim_end().ends_with("^XZ"));
        assert!(zpl.contains("^BCN,200,Y,N,N^FDSBX1234567890^FS"));
        assert!(zpl.contains("RMA R-7KQ2-M9XD"));
        assert!(
            zpl.contains("Anna  Schmidt "),
            "command characters are neutralized: {zpl}"
        );
    }

    #[test]
    fn formats_round_trip_their_names() {
        for f in LabelFormat::ALL {
            assert_eq!(LabelFormat::parse(f.as_str()), Some(f));
        }
        assert_eq!(LabelFormat::parse("PDF"), Some(LabelFormat::Pdf));
        assert_eq!(LabelFormat::parse("png"), None);
    }
}
