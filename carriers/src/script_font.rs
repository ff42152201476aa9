//! A font for the scripts the built-in Helvetica lacks (Chinese, Japanese, Korean,
//! Cyrillic, Greek, …), read from a font file on disk — Debian's fonts-noto-cjk by
//! default, never the network — and embedded in a label as a subset holding only the
//! glyphs it prints (a few kilobytes instead of the file's ~20 MB).
//!
//! Glyphs are looked up one character at a time, without shaping: right for the
//! scripts this is for, wrong for Arabic, Hebrew and the Indic scripts, which are
//! written in Latin letters instead (see [`ScriptFont::prints`]).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

/// A font file and the face in it that labels use.
pub struct ScriptFont {
    data: Vec<u8>,
    index: u32,
    /// The PostScript name, made safe for a PDF name.
    name: String,
}

impl std::fmt::Debug for ScriptFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScriptFont({}, face {})", self.name, self.index)
    }
}

impl ScriptFont {
    /// Reads a TrueType or OpenType font, or a collection (`.ttc`), from which the
    /// Simplified Chinese face is taken when there is one (the collection's first
    /// face otherwise): labels are addressed to Chinese couriers most often.
    pub fn load(path: &Path) -> Result<ScriptFont, String> {
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        ScriptFont::from_bytes(data).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_bytes(data: Vec<u8>) -> Result<ScriptFont, String> {
        let faces = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
        let names: Vec<(u32, String)> = (0..faces)
            .filter_map(|i| Some((i, postscript_name(&Face::parse(&data, i).ok()?)?)))
            .collect();
        // Noto names its faces NotoSansCJKsc-Regular, NotoSansCJKjp-Regular, …
        let (index, name) = names
            .iter()
            .find(|(_, name)| name.to_ascii_lowercase().contains("cjksc"))
            .or(names.first())
            .cloned()
            .ok_or("no readable font face with a name")?;
        Ok(ScriptFont { data, index, name })
    }

    /// Parsed in `from_bytes` already, so this is `Some`; parsing reads only the
    /// table directory.
    fn face(&self) -> Option<Face<'_>> {
        Face::parse(&self.data, self.index).ok()
    }

    /// Whether this font prints `text` as it is written: every character has a
    /// glyph and none needs shaping.
    pub fn prints(&self, text: &str) -> bool {
        let Some(face) = self.face() else {
            return false;
        };
        text.chars()
            .all(|c| !needs_shaping(c) && (c == ' ' || face.glyph_index(c).is_some()))
    }
}

/// Scripts whose letters change shape or order with their neighbours.
fn needs_shaping(c: char) -> bool {
    matches!(u32::from(c), 0x0590..=0x08FF | 0x0900..=0x0DFF | 0x0F00..=0x109F | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

fn postscript_name(face: &Face<'_>) -> Option<String> {
    let name = face
        .names()
        .into_iter()
        .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .and_then(|n| n.to_string())?;
    Some(
        name.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect(),
    )
}

/// The glyphs one page prints with a [`ScriptFont`], numbered afresh for the subset.
pub struct ScriptText<'f> {
    font: &'f ScriptFont,
    remapper: GlyphRemapper,
    /// New glyph id → (advance in 1/1000 em, the character it prints).
    glyphs: BTreeMap<u16, (u32, char)>,
}

/// The PDF objects of an embedded subset, numbered from `first`.
pub struct EmbeddedFont {
    pub objects: Vec<Vec<u8>>,
}

impl<'f> ScriptText<'f> {
    pub fn new(font: &'f ScriptFont) -> ScriptText<'f> {
        ScriptText {
            font,
            remapper: GlyphRemapper::new(),
            glyphs: BTreeMap::new(),
        }
    }

    /// `text` as the hex string of its subset glyph ids, for `Tj` with the font's
    /// Identity-H encoding; `None` when the font cannot print it.
    pub fn encode(&mut self, text: &str) -> Option<String> {
        if !self.font.prints(text) {
            return None;
        }
        let face = self.font.face()?;
        let per_em = f64::from(face.units_per_em().max(1));
        let mut hex = String::with_capacity(text.len() * 4 + 2);
        hex.push('<');
        for c in text.chars() {
            let GlyphId(old) = face.glyph_index(c).unwrap_or(GlyphId(0));
            let new = self.remapper.remap(old);
            let advance = face.glyph_hor_advance(GlyphId(old)).unwrap_or(0);
            let width = (f64::from(advance) * 1000.0 / per_em).round() as u32;
            self.glyphs.entry(new).or_insert((width, c));
            let _ = write!(hex, "{new:04X}");
        }
        hex.push('>');
        Some(hex)
    }

    pub fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }

    /// The Type0 font and what hangs off it, as objects `first`, `first + 1`, …;
    /// the Type0 font itself is `first`.
    pub fn embed(&self, first: usize) -> Result<EmbeddedFont, String> {
        let face = self.font.face().ok_or("the font file no longer reads")?;
        let subset = subsetter::subset(&self.font.data, self.font.index, &self.remapper)
            .map_err(|e| format!("cannot subset {}: {e}", self.font.name))?;
        let cff = face.tables().cff.is_some();
        let name = format!("BHLABL+{}", self.font.name);
        let (cid, descriptor, file, to_unicode) = (first + 1, first + 2, first + 3, first + 4);
        let scale = 1000.0 / f64::from(face.units_per_em().max(1));
        let bbox = face.global_bounding_box();
        let em = |v: i16| (f64::from(v) * scale).round() as i64;

        let mut widths = String::new();
        for (gid, (width, _)) in &self.glyphs {
            let _ = write!(widths, "{gid} [{width}] ");
        }
        let (subtype, file_key, program) = if cff {
            // The subset's CFF table on its own is what a CIDFontType0 embeds.
            let table = table(&subset, b"CFF ").ok_or("the CFF subset lost its CFF table")?;
            ("CIDFontType0", "FontFile3", table.to_vec())
        } else {
            ("CIDFontType2", "FontFile2", subset)
        };
        let file_dict = if cff {
            format!("<< /Subtype /CIDFontType0C /Length {} >>", program.len())
        } else {
            format!("<< /Length {len} /Length1 {len} >>", len = program.len())
        };
        let cid_to_gid = if cff { "" } else { " /CIDToGIDMap /Identity" };
        let objects = vec![
            format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H \
                 /DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>"
            )
            .into_bytes(),
            format!(
                "<< /Type /Font /Subtype /{subtype} /BaseFont /{name} \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor {descriptor} 0 R /DW 1000 /W [{widths}]{cid_to_gid} >>"
            )
            .into_bytes(),
            format!(
                "<< /Type /FontDescriptor /FontName /{name} /Flags 4 \
                 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} \
                 /CapHeight {} /StemV 80 /{file_key} {file} 0 R >>",
                em(bbox.x_min),
                em(bbox.y_min),
                em(bbox.x_max),
                em(bbox.y_max),
                em(face.ascender()),
                em(face.descender()),
                em(face.capital_height().unwrap_or(face.ascender())),
            )
            .into_bytes(),
            stream(file_dict, &program),
            {
                let cmap = self.to_unicode();
                stream(format!("<< /Length {} >>", cmap.len()), cmap.as_bytes())
            },
        ];
        Ok(EmbeddedFont { objects })
    }

    /// Maps each glyph back to its character, so text can be searched and copied.
    fn to_unicode(&self) -> String {
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let glyphs: Vec<_> = self.glyphs.iter().collect();
        // At most 100 entries per block, as the CMap format asks.
        for block in glyphs.chunks(100) {
            let _ = writeln!(cmap, "{} beginbfchar", block.len());
            for (gid, (_, c)) in block {
                let utf16: String = c
                    .encode_utf16(&mut [0; 2])
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                let _ = writeln!(cmap, "<{gid:04X}> <{utf16}>");
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend");
        cmap
    }
}

fn stream(dict: String, body: &[u8]) -> Vec<u8> {
    [
        dict.into_bytes(),
        b"\nstream\n".to_vec(),
        body.to_vec(),
        b"\nendstream".to_vec(),
    ]
    .concat()
}

/// One table of an OpenType file, by its tag.
fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let count = usize::from(u16::from_be_bytes([*font.get(4)?, *font.get(5)?]));
    (0..count).find_map(|i| {
        let record = font.get(12 + i * 16..12 + i * 16 + 16)?;
        if &record[..4] != tag {
            return None;
        }
        let offset = u32::from_be_bytes([record[8], record[9], record[10], record[11]]) as usize;
        let length = u32::from_be_bytes([record[12], record[13], record[14], record[15]]) as usize;
        font.get(offset..offset.checked_add(length)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shaping_scripts_are_left_to_latin_letters() {
        assert!(needs_shaping('ع'));
        assert!(needs_shaping('ש'));
        assert!(needs_shaping('क'));
        assert!(!needs_shaping('北'));
        assert!(!needs_shaping('Ж'));
        assert!(!needs_shaping('a'));
    }

    #[test]
    fn a_table_is_found_by_its_tag() {
        // Header (12 bytes), one record: "CFF " at offset 28, 3 bytes long.
        let mut font = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        font.extend_from_slice(b"CFF ");
        font.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 3]);
        font.extend_from_slice(b"abc");
        assert_eq!(table(&font, b"CFF "), Some(&b"abc"[..]));
        assert_eq!(table(&font, b"glyf"), None);
        font.truncate(29);
        assert_eq!(
            table(&font, b"CFF "),
            None,
            "a cut file is not read past its end"
        );
    }
}
