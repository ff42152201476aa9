//! Cells of the CSV files finance opens in a spreadsheet. A cell that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula (an order number
//! `=HYPERLINK(...)` becomes a link that leaks data, `=cmd|...` runs a program), so
//! such text is written with a leading `'`, which spreadsheets show as text. Plain
//! numbers (`-12.50`) stay numbers.

pub fn safe_cell(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|c| *c == '.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay() {
        let table = [
            (
                "=HYPERLINK(\"http://evil.example\",\"x\")",
                "'=HYPERLINK(\"http://evil.example\",\"x\")",
            ),
            ("=1+1", "'=1+1"),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("+49 30 123", "'+49 30 123"),
            ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-12.50", "-12.50"),
            ("+3", "+3"),
            ("-", "'-"),
            ("DEMO-1001", "DEMO-1001"),
            ("19.99", "19.99"),
            ("", ""),
        ];
        for (cell, written) in table {
            assert_eq!(safe_cell(cell), written, "{cell:?}");
        }
    }
}
