//! Every phrase the code asks for by name exists in every language: read from the
//! sources, so a new `lang.t("…")` without its words fails here instead of showing
//! "?" on a page or in an email.

use backhaul::i18n::Lang;

/// The literal keys of `.t("key")` calls in `text`.
fn keys_in(text: &str) -> Vec<String> {
    text.split(".t(\"")
        .skip(1)
        .filter_map(|rest| rest.split_once("\")").map(|(key, _)| key))
        .filter(|key| {
            key.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_phrase_used_has_words_in_every_language() {
    let files = crate::helpers::source_files();
    let mut keys: Vec<String> = files
        .iter()
        .flat_map(|f| keys_in(&std::fs::read_to_string(f).expect("readable")))
        .collect();
    keys.sort();
    keys.dedup();
    assert!(keys.len() > 50, "the reader found the keys: {keys:?}");
    let mut missing = Vec::new();
    for key in &keys {
        for lang in Lang::ALL {
            let words = lang.t(key);
            if words == "?" || words.trim().is_empty() {
                missing.push(format!("{key} in {}", lang.code()));
            }
        }
    }
    assert!(missing.is_empty(), "phrases without words: {missing:#?}");
}

/// The customer emails name their phrases after the status: each status a customer
/// hears about has its title and sentence in every language.
#[test]
fn every_customer_email_has_its_words() {
    use backhaul::domain::customer_news::tells_customer;
    use backhaul::domain::RmaStatus;
    let mut missing = Vec::new();
    for status in RmaStatus::ALL
        .iter()
        .copied()
        .filter(|s| tells_customer(*s))
    {
        for key in [format!("news.{status}"), format!("news.{status}.body")] {
            for lang in Lang::ALL {
                if lang.t(&key) == "?" {
                    missing.push(format!("{key} in {}", lang.code()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn the_reader_finds_keys() {
    assert_eq!(
        keys_in(r#"p { (lang.t("sign_in")) } x.t("news.label_issued") y.t(&k)"#),
        ["sign_in", "news.label_issued"]
    );
}
