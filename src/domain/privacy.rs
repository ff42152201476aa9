//! Masking a customer's personal data for callers who proved less than the email
//! address (a postcode is easier to guess): enough to recognise one's own order, not
//! enough to learn someone else's address.

/// `anna.schmidt@example.com` → `a***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", first_char(local)),
        None => "***".to_string(),
    }
}

/// Each word to its first character: `Torstraße 12` → `T*** 1***`.
pub fn mask_words(text: &str) -> String {
    text.split_whitespace()
        .map(|w| format!("{}***", first_char(w)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Only the last two digits: `+49 30 1234567` → `***67`.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let last: String = digits[digits.len().saturating_sub(2)..].iter().collect();
    format!("***{last}")
}

fn first_char(text: &str) -> String {
    text.chars().next().map(String::from).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_first_characters() {
        // (input, email mask, words mask)
        let table = [
            ("anna.schmidt@example.com", "a***@example.com", "a***"),
            ("Torstraße 12", "***", "T*** 1***"),
            ("张伟", "***", "张***"),
            ("", "***", ""),
        ];
        for (text, email, words) in table {
            assert_eq!(mask_email(text), email, "{text}");
            assert_eq!(mask_words(text), words, "{text}");
        }
    }

    #[test]
    fn phones_keep_their_last_two_digits() {
        for (phone, masked) in [
            ("+49 30 1234567", "***67"),
            ("(030) 12-34", "***34"),
            ("7", "***7"),
            ("", "***"),
        ] {
            assert_eq!(mask_phone(phone), masked, "{phone}");
        }
    }
}
