//! A small PDF writer for labels: one page of filled rectangles (barcode bars, rules),
//! text in the standard Helvetica fonts, which every PDF reader has built in, text in
//! other scripts in an embedded subset of a [`ScriptFont`], and at most one PNG image
//! (a carrier's label picture). PNG data goes in as it is: PDF's Flate
//! filter with PNG predictors reads it directly, so nothing is decoded here. Labels need
//! nothing more, and writing these few objects ourselves keeps the build light and the
//! output byte-for-byte predictable.

use std::fmt::Write;

use crate::script_font::{ScriptFont, ScriptText};

/// Points (1/72 inch), origin bottom-left as in PDF.
pub struct Page<'f> {
    width: f64,
    height: f64,
    content: String,
    image: Option<Png>,
    script: Option<ScriptText<'f>>,
}

/// The parts of a PNG a PDF image needs.
struct Png {
    width: u32,
    height: u32,
    colors: u8,
    data: Vec<u8>,
}

/// Reads an 8-bit, non-interlaced greyscale or RGB PNG.
fn read_png(bytes: &[u8]) -> Result<Png, String> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let mut rest = bytes.strip_prefix(SIGNATURE).ok_or("not a PNG")?;
    let mut header = None;
    let mut data = Vec::new();
    while rest.len() >= 12 {
        let length = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = &rest[4..8];
        let body = rest.get(8..8 + length).ok_or("truncated PNG chunk")?;
        match kind {
            b"IHDR" if body.len() >= 13 => header = Some(body.to_vec()),
            b"IDAT" => data.extend_from_slice(body),
            b"IEND" => break,
            _ => {}
        }
        rest = rest.get(12 + length..).ok_or("truncated PNG")?;
    }
    let h = header.ok_or("PNG without IHDR")?;
    let (depth, color, interlace) = (h[8], h[9], h[12]);
    let colors = match color {
        0 => 1,
        2 => 3,
        _ => return Err(format!("PNG colour type {color} is not greyscale or RGB")),
    };
    if depth != 8 || interlace != 0 {
        return Err("only 8-bit, non-interlaced PNGs are supported".into());
    }
    Ok(Png {
        width: u32::from_be_bytes([h[0], h[1], h[2], h[3]]),
        height: u32::from_be_bytes([h[4], h[5], h[6], h[7]]),
        colors,
        data,
    })
}

#[derive(Clone, Copy)]
pub enum Font {
    Regular,
    Bold,
}

impl<'f> Page<'f> {
    pub fn new(width: f64, height: f64) -> Page<'f> {
        Page {
            width,
            height,
            content: String::new(),
            image: None,
            script: None,
        }
    }

    /// Text Helvetica cannot print goes out in `font` where it has the glyphs.
    pub fn with_script_font(mut self, font: Option<&'f ScriptFont>) -> Page<'f> {
        self.script = font.map(ScriptText::new);
        self
    }

    /// Draws a PNG scaled to fit (`x`, `y`, `w`, `h`), keeping its proportions.
    pub fn png(&mut self, png: &[u8], x: f64, y: f64, w: f64, h: f64) -> Result<(), String> {
        let image = read_png(png)?;
        let scale = (w / f64::from(image.width)).min(h / f64::from(image.height));
        let (iw, ih) = (
            f64::from(image.width) * scale,
            f64::from(image.height) * scale,
        );
        let _ = writeln!(
            self.content,
            "q {iw:.2} 0 0 {ih:.2} {:.2} {:.2} cm /Im1 Do Q",
            x + (w - iw) / 2.0,
            y + (h - ih) / 2.0
        );
        self.image = Some(image);
        Ok(())
    }

    /// A filled black rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        let _ = writeln!(self.content, "{x:.2} {y:.2} {w:.2} {h:.2} re f");
    }

    /// Text with its baseline at `y`: in Helvetica when it is Latin-1, in the script
    /// font when that prints it, in Latin letters otherwise (see [`latin`]).
    pub fn text(&mut self, x: f64, y: f64, size: f64, font: Font, text: &str) {
        if !is_latin1(text) {
            if let Some(glyphs) = self.script.as_mut().and_then(|s| s.encode(text)) {
                // The script font has one weight; bold is drawn with a thin outline,
                // inside q … Q because the text state outlives the text object.
                let bold = match font {
                    Font::Bold => format!("2 Tr {:.2} w ", size * 0.03),
                    Font::Regular => String::new(),
                };
                let _ = writeln!(
                    self.content,
                    "q BT /F3 {size:.1} Tf {bold}{x:.2} {y:.2} Td {glyphs} Tj ET Q"
                );
                return;
            }
        }
        let font = match font {
            Font::Regular => "F1",
            Font::Bold => "F2",
        };
        let _ = writeln!(
            self.content,
            "BT /{font} {size:.1} Tf {x:.2} {y:.2} Td ({}) Tj ET",
            escape(text)
        );
    }

    /// The finished document.
    pub fn to_pdf(&self) -> Result<Vec<u8>, String> {
        let content = latin1(&self.content);
        // Objects 1–6 are fixed; the image and the script font follow when present.
        let mut next = 7;
        let image_id = self.image.as_ref().map(|_| {
            next += 1;
            next - 1
        });
        let script = match &self.script {
            Some(script) if !script.is_empty() => Some((next, script.embed(next)?)),
            _ => None,
        };
        let mut resources = String::from("/Font << /F1 4 0 R /F2 5 0 R");
        if let Some((id, _)) = &script {
            let _ = write!(resources, " /F3 {id} 0 R");
        }
        resources.push_str(" >>");
        if let Some(id) = image_id {
            let _ = write!(resources, " /XObject << /Im1 {id} 0 R >>");
        }
        let mut objects: Vec<Vec<u8>> = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {:.2} {:.2}] \
                 /Resources << {resources} >> /Contents 6 0 R >>",
                self.width, self.height
            )
            .into_bytes(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec(),
            [
                format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(),
                content,
                b"\nendstream".to_vec(),
            ]
            .concat(),
        ];
        if let Some(png) = &self.image {
            let space = if png.colors == 1 {
                "/DeviceGray"
            } else {
                "/DeviceRGB"
            };
            objects.push(
                [
                    format!(
                        "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace {space} \
                         /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 \
                         /Colors {c} /BitsPerComponent 8 /Columns {w} >> /Length {len} >>\nstream\n",
                        w = png.width,
                        h = png.height,
                        c = png.colors,
                        len = png.data.len()
                    )
                    .into_bytes(),
                    png.data.clone(),
                    b"\nendstream".to_vec(),
                ]
                .concat(),
            );
        }
        if let Some((_, font)) = script {
            objects.extend(font.objects);
        }
        let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(object);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for offset in offsets {
            let _ = writeln!(table, "{offset:010} 00000 n ");
        }
        let _ = write!(
            table,
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        );
        out.extend_from_slice(table.as_bytes());
        Ok(out)
    }
}

/// Whether Helvetica's WinAnsi encoding has every character of `text`.
pub fn is_latin1(text: &str) -> bool {
    text.chars()
        .all(|c| (' '..='~').contains(&c) || ('\u{a0}'..='\u{ff}').contains(&c))
}

/// `text` in Latin letters (北京 → "Bei Jing", Москва → "Moskva"): the second line
/// international carriers read under an address in another script.
pub fn latin(text: &str) -> String {
    if is_latin1(text) {
        return text.to_string();
    }
    let latin: String = text
        .chars()
        .map(|c| {
            if is_latin1(c.encode_utf8(&mut [0; 4])) {
                c.to_string()
            } else {
                deunicode::deunicode_char(c).unwrap_or("?").to_string()
            }
        })
        .collect();
    latin.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// PDF string escaping, of the text in Latin letters: the built-in fonts speak
/// Latin-1 (WinAnsi) only.
fn escape(text: &str) -> String {
    latin(text)
        .chars()
        .map(|c| match c {
            '(' | ')' | '\\' => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect()
}

/// WinAnsi matches Latin-1 for the characters `escape` lets through.
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_well_formed_pdf() {
        let mut page = Page::new(288.0, 432.0);
        page.text(
            10.0,
            400.0,
            12.0,
            Font::Bold,
            "Torstraße 1 (rear) \\ 北京市",
        );
        page.rect(10.0, 10.0, 2.0, 50.0);
        let pdf = page.to_pdf().expect("pdf");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.ends_with("%%EOF\n"));
        assert!(
            text.contains("(Torstra\u{fffd}e 1 \\(rear\\) \\\\ Bei Jing Shi) Tj"),
            "{text}"
        );
        // The xref offsets point at the objects.
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|s| s.lines().next())
            .and_then(|s| s.parse().ok())
            .expect("startxref");
        assert!(pdf[xref_at..].starts_with(b"xref"));
    }

    #[test]
    fn other_scripts_read_in_latin_letters() {
        for (text, shown) in [
            ("Torstraße 1", "Torstraße 1"),
            ("北京市", "Bei Jing Shi"),
            ("Москва", "Moskva"),
            ("東京都 2-1", "Dong Jing Du 2-1"),
            ("  two  spaces ", "  two  spaces "),
        ] {
            assert_eq!(latin(text), shown);
        }
    }
}
