//! Rendering return labels: PDF (4×6 in, or A4 or US Letter with the label at the top
//! and a line to cut along under it) and ZPL II for thermal printers, each with a Code
//! 128 barcode of the tracking number.

use barcoders::sym::code128::Code128;
use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::pdf::{Font, Page};
use crate::script_font::ScriptFont;
use crate::{Address, CarrierError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelFormat {
    /// PDF, 4 × 6 inches.
    Pdf,
    /// PDF, A4 with the label on the top half.
    PdfA4,
    /// PDF, US Letter with the label on the top half.
    PdfLetter,
    /// ZPL II for thermal printers, 4 × 6 inches at 203 dpi.
    Zpl,
}

impl LabelFormat {
    pub const ALL: [LabelFormat; 4] = [
        LabelFormat::Pdf,
        LabelFormat::PdfA4,
        LabelFormat::PdfLetter,
        LabelFormat::Zpl,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            LabelFormat::Pdf => "pdf",
            LabelFormat::PdfA4 => "pdf_a4",
            LabelFormat::PdfLetter => "pdf_letter",
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
            LabelFormat::Pdf | LabelFormat::PdfA4 | LabelFormat::PdfLetter => "application/pdf",
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
    pub ship_date: NaiveDate,
    pub weight_grams: Option<u32>,
    /// For addresses in scripts Helvetica lacks; without it they print in Latin letters.
    pub script_font: Option<&'a ScriptFont>,
}

impl LabelContent<'_> {
    fn international(&self) -> bool {
        !self.from.country.eq_ignore_ascii_case(&self.to.country)
    }
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

/// Draws `modules` as bars from (`x`, `y`) up, `module_width` points per module.
pub fn draw_barcode(
    page: &mut Page<'_>,
    modules: &[bool],
    x: f64,
    y: f64,
    module_width: f64,
    height: f64,
) {
    let mut run_start = None;
    for (i, bar) in modules.iter().chain([&false]).enumerate() {
        match (bar, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                let left = x + start as f64 * module_width;
                page.rect(left, y, (i - start) as f64 * module_width, height);
                run_start = None;
            }
            _ => {}
        }
    }
}

/// One printed line of an address block.
struct Row {
    text: String,
    size: f64,
    font: Font,
    indent: f64,
}

/// The address as printed: each line in its own script, and for an international
/// label a smaller line in Latin letters under any line printed in another script
/// (`in_script` says which are), for the carriers on the way.
fn address_rows(
    in_script: &dyn Fn(&str) -> bool,
    title: &str,
    a: &Address,
    size: f64,
    bold_name: bool,
    international: bool,
) -> Vec<Row> {
    let mut lines = vec![a.name.clone(), a.line1.clone()];
    lines.extend(a.line2.clone());
    lines.push(
        [
            Some(a.postal_code.as_str()),
            Some(a.city.as_str()),
            a.region.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" "),
    );
    lines.push(a.country.clone());
    let mut rows = vec![Row {
        text: title.into(),
        size: size * 0.8,
        font: Font::Bold,
        indent: 0.0,
    }];
    for (i, line) in lines.into_iter().enumerate() {
        let transliterate = international && in_script(&line);
        let latin = transliterate.then(|| crate::pdf::latin(&line));
        rows.push(Row {
            text: line,
            size,
            font: if i == 0 && bold_name {
                Font::Bold
            } else {
                Font::Regular
            },
            indent: 12.0,
        });
        if let Some(latin) = latin {
            rows.push(Row {
                text: latin,
                size: size * 0.75,
                font: Font::Regular,
                indent: 12.0,
            });
        }
    }
    if let Some(phone) = a.phone.as_deref().filter(|p| !p.trim().is_empty()) {
        rows.push(Row {
            text: format!("Tel. {phone}"),
            size,
            font: Font::Regular,
            indent: 12.0,
        });
    }
    rows
}

/// The service, ship date and (when known) weight, on one line.
fn facts(label: &LabelContent<'_>) -> String {
    let mut facts = format!("Ship date {}", label.ship_date.format("%Y-%m-%d"));
    if let Some(grams) = label.weight_grams {
        facts.push_str(&format!("    Weight {}", kilograms(grams)));
    }
    facts
}

/// "1.25 kg" from grams.
fn kilograms(grams: u32) -> String {
    // Rounded to 10 g, half up, in whole numbers so 1,995 g reads "2.00 kg".
    let tens = (u64::from(grams) + 5) / 10;
    format!("{}.{:02} kg", tens / 100, tens % 100)
}

const LABEL_WIDTH: f64 = 288.0;
const LABEL_HEIGHT: f64 = 432.0;
/// Below this (from the label's bottom): the tracking barcode, then the RMA's.
const BARCODE_AREA: f64 = 204.0;

/// Draws the 4×6 label with its top-left corner at (`left`, `top`) in points: the
/// carrier, service, ship date and weight on top; the addresses; the tracking
/// barcode; and the RMA's own barcode at the bottom for the warehouse's scanner.
fn draw_label(
    page: &mut Page<'_>,
    left: f64,
    top: f64,
    label: &LabelContent<'_>,
) -> Result<(), CarrierError> {
    let bottom = top - LABEL_HEIGHT;
    let inner = LABEL_WIDTH - 24.0;
    let mut y = top - 22.0;
    page.text(
        left + 12.0,
        y,
        14.0,
        Font::Bold,
        &format!("{} RETURN", label.carrier_name.to_uppercase()),
    );
    page.text(left + 180.0, y, 9.0, Font::Bold, label.service);
    y -= 13.0;
    page.text(left + 12.0, y, 8.0, Font::Regular, &facts(label));
    y -= 7.0;
    page.rect(left + 12.0, y, inner, 1.5);

    // The addresses fill what is left above the barcodes, smaller when they are long.
    let international = label.international();
    // Lines the script font prints in their own characters; without it they are in
    // Latin letters already.
    let in_script = |line: &str| {
        !crate::pdf::is_latin1(line) && label.script_font.is_some_and(|f| f.prints(line))
    };
    let mut rows = address_rows(&in_script, "FROM", label.from, 8.0, false, international);
    let ship_to = address_rows(&in_script, "SHIP TO", label.to, 12.0, true, international);
    let gap = 8.0;
    let needed: f64 = rows
        .iter()
        .chain(&ship_to)
        .map(|r| r.size * 1.2)
        .sum::<f64>()
        + gap;
    let available = y - 6.0 - (bottom + BARCODE_AREA);
    let scale = (available / needed).min(1.0);
    let from_rows = rows.len();
    rows.extend(ship_to);
    for (i, row) in rows.iter().enumerate() {
        if i == from_rows {
            y -= gap * scale;
        }
        y -= row.size * 1.2 * scale;
        page.text(
            left + 12.0 + row.indent,
            y,
            row.size * scale,
            row.font,
            &row.text,
        );
    }

    let tracking = code128_modules(label.tracking_number)?;
    let module_width = inner / tracking.len() as f64;
    draw_barcode(
        page,
        &tracking,
        left + 12.0,
        bottom + 128.0,
        module_width,
        68.0,
    );
    page.text(
        left + 40.0,
        bottom + 112.0,
        12.0,
        Font::Bold,
        &spaced(label.tracking_number),
    );
    page.rect(left + 12.0, bottom + 102.0, inner, 1.5);
    page.text(
        left + 12.0,
        bottom + 86.0,
        11.0,
        Font::Bold,
        &format!("RMA {}", label.rma_number),
    );
    let rma = code128_modules(label.rma_number)?;
    let rma_module = (inner * 0.75 / rma.len() as f64).min(1.2);
    draw_barcode(page, &rma, left + 12.0, bottom + 30.0, rma_module, 48.0);
    page.text(
        left + 12.0,
        bottom + 14.0,
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
    let page =
        |width: f64, height: f64| Page::new(width, height).with_script_font(label.script_font);
    let pdf = match format {
        LabelFormat::Pdf => {
            let mut page = page(LABEL_WIDTH, LABEL_HEIGHT);
            draw_label(&mut page, 0.0, LABEL_HEIGHT, label)?;
            page.to_pdf()
        }
        LabelFormat::PdfA4 | LabelFormat::PdfLetter => {
            let (width, height) = match format {
                LabelFormat::PdfA4 => (595.28, 841.89),
                _ => (612.0, 792.0),
            };
            let mut page = page(width, height);
            let top = height - 24.0;
            draw_label(&mut page, (width - LABEL_WIDTH) / 2.0, top, label)?;
            // Just under the label, clear of its barcodes.
            let cut = top - LABEL_HEIGHT - 12.0;
            for x in (0..)
                .map(|i| 40.0 + f64::from(i) * 12.0)
                .take_while(|x| *x < width - 40.0)
            {
                page.rect(x, cut, 6.0, 0.5);
            }
            page.text(40.0, cut - 12.0, 8.0, Font::Regular, "Cut along the line");
            page.to_pdf()
        }
        LabelFormat::Zpl => return Ok(zpl(label).into_bytes()),
    };
    pdf.map_err(CarrierError::Label)
}

/// ZPL field data may not contain the command prefixes `^` and `~`.
fn zpl_text(text: &str) -> String {
    text.chars()
        .map(|c| if c == '^' || c == '~' { ' ' } else { c })
        .collect()
}

/// As written: `^CI28` sends UTF-8, for the printer's own font to draw.
fn zpl_address_lines(a: &Address) -> Vec<String> {
    let mut lines = vec![a.name.clone(), a.line1.clone()];
    lines.extend(a.line2.clone());
    lines.push(match &a.region {
        Some(region) => format!("{} {} {}", a.postal_code, a.city, region),
        None => format!("{} {}", a.postal_code, a.city),
    });
    lines.push(a.country.clone());
    lines.extend(a.phone.as_ref().map(|p| format!("Tel. {p}")));
    lines
}

fn zpl(label: &LabelContent<'_>) -> String {
    let mut out = String::from("^XA\n^CI28\n^PW812\n^LL1218\n");
    out.push_str(&format!(
        "^FO40,40^A0N,40,40^FD{} RETURN^FS\n",
        zpl_text(&label.carrier_name.to_uppercase())
    ));
    out.push_str(&format!(
        "^FO40,90^A0N,22,22^FD{}    {}^FS\n",
        zpl_text(label.service),
        zpl_text(&facts(label))
    ));
    let mut y = 125;
    out.push_str(&format!("^FO40,{y}^A0N,22,22^FDFROM^FS\n"));
    for line in zpl_address_lines(label.from) {
        y += 28;
        out.push_str(&format!("^FO40,{y}^A0N,24,24^FD{}^FS\n", zpl_text(&line)));
    }
    y += 50;
    out.push_str(&format!("^FO40,{y}^A0N,28,28^FDSHIP TO^FS\n"));
    for line in zpl_address_lines(label.to) {
        y += 38;
        out.push_str(&format!("^FO60,{y}^A0N,34,34^FD{}^FS\n", zpl_text(&line)));
    }
    y += 70;
    out.push_str(&format!(
        "^FO60,{y}^BY3^BCN,200,Y,N,N^FD{}^FS\n",
        zpl_text(label.tracking_number)
    ));
    y += 260;
    out.push_str(&format!(
        "^FO40,{y}^A0N,32,32^FDRMA {}^FS\n",
        zpl_text(label.rma_number)
    ));
    y += 40;
    out.push_str(&format!(
        "^FO40,{y}^BY2^BCN,80,N,N,N^FD{}^FS\n",
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
            phone: Some("+49 30 1234567".into()),
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
            ship_date: NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
            weight_grams: Some(1_254),
            script_font: None,
        };
        let zpl = String::from_utf8(render(LabelFormat::Zpl, &label).expect("zpl")).expect("utf8");
        assert!(zpl.starts_with("^XA") && zpl.trim_end().ends_with("^XZ"));
        assert!(zpl.contains("^BCN,200,Y,N,N^FDSBX1234567890^FS"));
        assert!(zpl.contains("RMA R-7KQ2-M9XD"));
        assert!(
            zpl.contains("^BCN,80,N,N,N^FDR-7KQ2-M9XD^FS"),
            "RMA barcode: {zpl}"
        );
        assert!(
            zpl.contains("ground    Ship date 2026-12-04    Weight 1.25 kg"),
            "{zpl}"
        );
        assert!(zpl.contains("Tel. +49 30 1234567"), "{zpl}");
        assert!(
            zpl.contains("Anna  Schmidt "),
            "command characters are neutralized: {zpl}"
        );
    }

    #[test]
    fn weights_read_in_kilograms_to_ten_grams() {
        for (grams, shown) in [
            (0, "0.00 kg"),
            (4, "0.00 kg"),
            (5, "0.01 kg"),
            (1_254, "1.25 kg"),
            (1_995, "2.00 kg"),
            (30_000, "30.00 kg"),
        ] {
            assert_eq!(kilograms(grams), shown, "{grams} g");
        }
    }

    #[test]
    fn a_line_in_another_script_gets_a_latin_line_on_international_labels_only() {
        let mut a = address("李伟");
        a.line1 = "南京西路 1266 号".into();
        let in_script = |line: &str| !crate::pdf::is_latin1(line);
        let texts = |international| {
            address_rows(&in_script, "FROM", &a, 8.0, false, international)
                .into_iter()
                .map(|r| r.text)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            texts(true)[1..5],
            [
                "李伟",
                "Li Wei",
                "南京西路 1266 号",
                "Nan Jing Xi Lu 1266 Hao"
            ]
        );
        assert_eq!(texts(false)[1..3], ["李伟", "南京西路 1266 号"]);
        assert_eq!(
            texts(false).last().map(String::as_str),
            Some("Tel. +49 30 1234567")
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
