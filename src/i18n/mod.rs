//! The words of the pages and the customer emails in English, German, Chinese, Spanish
//! and French, and how each language writes money and dates. The words are data: one
//! Fluent file per language beside this one (`en.ftl`, `de.ftl`, ...), compiled in and
//! read with fluent-bundle; a message a language lacks is shown in English. The pages
//! pick the language from the `lang` cookie (set by the switcher), else from
//! Accept-Language (fluent-langneg), else English.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
    Zh,
    Es,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::De, Lang::Zh, Lang::Es, Lang::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Zh => "zh",
            Lang::Es => "es",
            Lang::Fr => "fr",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
            Lang::Zh => "中文",
            Lang::Es => "Español",
            Lang::Fr => "Français",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language to write to a customer in: the locale the shop gave for them when
    /// it is one of ours (English included: an explicit choice wins), else their
    /// shipping country's. Orders without a locale store it empty.
    pub fn for_customer(locale: &str, country: &str) -> Lang {
        Lang::parse(locale).unwrap_or_else(|| Lang::of_country(country))
    }

    /// The language to write to someone in `country` (ISO 3166 alpha-2) when they have
    /// not chosen one: the country's main language among ours, else English.
    pub fn of_country(country: &str) -> Lang {
        const DE: &[&str] = &["DE", "AT", "CH", "LI"];
        const ZH: &[&str] = &["CN", "TW", "HK", "MO"];
        const ES: &[&str] = &[
            "ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY",
            "SV", "NI", "CR", "PA", "UY",
        ];
        const FR: &[&str] = &["FR", "BE", "LU", "MC"];
        let c = country.trim().to_ascii_uppercase();
        [
            (DE, Lang::De),
            (ZH, Lang::Zh),
            (ES, Lang::Es),
            (FR, Lang::Fr),
        ]
        .into_iter()
        .find(|(codes, _)| codes.contains(&c.as_str()))
        .map_or(Lang::En, |(_, lang)| lang)
    }

    /// The language to answer an `Accept-Language` header in: the tags by weight
    /// (fluent-langneg reads only their order; q=0 means "not this one"), matched to
    /// ours by its lookup (zh-CN finds zh), else English.
    pub fn negotiate(header: &str) -> Lang {
        let mut weighted: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .map(|(i, part)| {
                let mut bits = part.split(';');
                let tag = bits.next().unwrap_or("").trim();
                let q = bits
                    .find_map(|b| b.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q, i, tag)
            })
            .filter(|(q, _, _)| *q > 0.0)
            .collect();
        // Highest q first; ties keep the header's order.
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let requested: Vec<LanguageIdentifier> = weighted
            .into_iter()
            .filter_map(|(_, _, tag)| tag.parse().ok())
            .collect();
        let available: Vec<LanguageIdentifier> =
            Lang::ALL.iter().map(|l| l.language_id()).collect();
        let english = Lang::En.language_id();
        let chosen = fluent_langneg::negotiate_languages(
            &requested,
            &available,
            Some(&english),
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        chosen
            .first()
            .and_then(|id| Lang::parse(id.language.as_str()))
            .unwrap_or(Lang::En)
    }

    fn language_id(self) -> LanguageIdentifier {
        self.code().parse().unwrap_or_default()
    }

    /// An amount (the API's decimal string, already with the currency's own decimals)
    /// written the way this language writes numbers, with the currency code.
    pub fn money(self, amount: &str, currency: &str) -> String {
        let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
        let (group, decimal) = match self {
            Lang::En | Lang::Zh => (",", "."),
            Lang::De | Lang::Es => (".", ","),
            Lang::Fr => ("\u{202f}", ","),
        };
        let digits: Vec<char> = whole.chars().collect();
        let mut grouped = String::new();
        for (i, c) in digits.iter().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push_str(group);
            }
            grouped.push(*c);
        }
        if fraction.is_empty() {
            format!("{grouped} {currency}")
        } else {
            format!("{grouped}{decimal}{fraction} {currency}")
        }
    }

    /// A UTC time written the way this language writes dates.
    pub fn date(self, t: chrono::NaiveDateTime) -> String {
        let separator = match self {
            Lang::En | Lang::De => ", ",
            Lang::Zh | Lang::Es | Lang::Fr => " ",
        };
        format!("{}{separator}{} UTC", self.day(t.date()), t.format("%H:%M"))
    }

    /// A moment as someone in `zone` reads it, the zone's abbreviation after the time
    /// ("20.11.2026, 10:05 CET"); in UTC when the zone is not known.
    pub fn local_date(
        self,
        t: chrono::DateTime<chrono::Utc>,
        zone: Option<chrono_tz::Tz>,
    ) -> String {
        let Some(zone) = zone else {
            return self.date(t.naive_utc());
        };
        let local = t.with_timezone(&zone);
        let separator = match self {
            Lang::En | Lang::De => ", ",
            Lang::Zh | Lang::Es | Lang::Fr => " ",
        };
        format!(
            "{}{separator}{}",
            self.day(local.date_naive()),
            local.format("%H:%M %Z")
        )
    }

    /// The calendar day a moment falls on in `zone` (UTC when not known).
    pub fn local_day(
        self,
        t: chrono::DateTime<chrono::Utc>,
        zone: Option<chrono_tz::Tz>,
    ) -> String {
        match zone {
            Some(zone) => self.day(t.with_timezone(&zone).date_naive()),
            None => self.day(t.date_naive()),
        }
    }

    /// A calendar day written the way this language writes it.
    pub fn day(self, d: chrono::NaiveDate) -> String {
        let pattern = match self {
            Lang::En => "%-d %b %Y",
            Lang::De => "%d.%m.%Y",
            Lang::Zh => "%Y年%-m月%-d日",
            Lang::Es | Lang::Fr => "%d/%m/%Y",
        };
        d.format(pattern).to_string()
    }

    /// A value of one of the API's vocabularies (reasons, resolutions, statuses, who pays
    /// the label) in words; a value without a phrase is shown with spaces.
    pub fn word(self, code: &str) -> String {
        self.message_or_english(&format!("w.{code}"), None)
            .map_or_else(|| code.replace('_', " "), Cow::into_owned)
    }

    /// A rule of a policy decision (as the API shows it) in this language: its phrase
    /// filled with the rule's facts, dates and money written the language's way,
    /// reasons in words, categories and statutory rules by the names `policy` gives them
    /// in this language. The decision's English words where there is no phrase or a
    /// fact is missing.
    pub fn rule(
        self,
        rule: &crate::domain::policy::AppliedRule,
        policy: &crate::domain::policy::Policy,
    ) -> String {
        let id = rule.rule.as_str();
        let base = if id.starts_with("statutory.") {
            "statutory"
        } else {
            id
        };
        let params = &rule.params;
        let get = |k: &str| params.get(k).map(String::as_str);
        let key = match get("variant") {
            Some(variant) => format!("rule.{base}.{variant}"),
            None => format!("rule.{base}"),
        };
        let currency = get("currency").unwrap_or("");
        let statute = id.strip_prefix("statutory.");
        let mut args = FluentArgs::new();
        for (k, v) in params {
            let shown = match k.as_str() {
                "delivered" | "ends" => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_or_else(|_| v.to_string(), |d| self.day(d)),
                "fee" | "cost" | "refund" | "max" | "total" | "bonus" | "credit" | "amount"
                | "value" | "returned" => self.money(v, currency),
                "reason" => self.word(v),
                "category" => policy.category_name(v, self.code()),
                "name" => statute
                    .and_then(|j| policy.jurisdiction_name(j, self.code()))
                    .unwrap_or(v)
                    .to_string(),
                _ => v.to_string(),
            };
            args.set(k.clone(), shown);
        }
        self.message(&key, Some(&args))
            .map_or_else(|| rule.effect.clone(), Cow::into_owned)
    }

    fn bundle(self) -> &'static Bundle {
        &BUNDLES[self as usize]
    }

    /// The message `key` in this language, when it has it and `args` name everything
    /// it needs.
    fn message(self, key: &str, args: Option<&FluentArgs>) -> Option<Cow<'static, str>> {
        let bundle = self.bundle();
        let pattern = bundle.get_message(&message_id(key))?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        errors.is_empty().then_some(text)
    }

    fn message_or_english(self, key: &str, args: Option<&FluentArgs>) -> Option<Cow<'static, str>> {
        self.message(key, args)
            .or_else(|| Lang::En.message(key, args))
    }

    /// The phrase for `key` in this language; English when this one lacks it, and the
    /// key itself (never a blank or "?") when English does too.
    pub fn t(self, key: &str) -> Cow<'static, str> {
        self.t_with(key, &[])
    }

    /// The phrase for `key` with its `{ $name }` places filled from `args`.
    pub fn t_with(self, key: &str, args: &[(&str, &str)]) -> Cow<'static, str> {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, *value);
        }
        self.message_or_english(key, Some(&fluent))
            .unwrap_or_else(|| Cow::Owned(key.to_string()))
    }

    /// "Too many tries", with how long to wait in words.
    pub fn too_many(self, retry_after_secs: u64) -> String {
        let wait = if retry_after_secs <= 1 {
            self.t("one_second")
        } else if retry_after_secs < 120 {
            self.t_with("n_seconds", &[("n", &retry_after_secs.to_string())])
        } else {
            self.t_with(
                "n_minutes",
                &[("n", &retry_after_secs.div_ceil(60).to_string())],
            )
        };
        self.t_with("too_many", &[("wait", &wait)]).into_owned()
    }
}

type Bundle = FluentBundle<FluentResource>;

/// The messages of each language, in the order of [`Lang::ALL`]: compiled in, so a
/// running service cannot lose them.
const MESSAGES: [&str; 5] = [
    include_str!("en.ftl"),
    include_str!("de.ftl"),
    include_str!("zh.ftl"),
    include_str!("es.ftl"),
    include_str!("fr.ftl"),
];

static BUNDLES: LazyLock<Vec<Bundle>> = LazyLock::new(|| {
    Lang::ALL
        .iter()
        .map(|lang| {
            let mut bundle = FluentBundle::new_concurrent(vec![lang.language_id()]);
            // Our values are words and numbers in the page's own direction: no Unicode
            // isolation marks around them (they would show in plain-text e-mails).
            bundle.set_use_isolating(false);
            // A malformed entry is left out (and fails the tests), never a panic.
            let resource = FluentResource::try_new(MESSAGES[*lang as usize].to_string())
                .unwrap_or_else(|(partial, _)| partial);
            bundle.add_resource_overriding(resource);
            bundle
        })
        .collect()
});

/// Fluent ids take no dots: `w.changed_mind` is `w-changed_mind` in the files.
fn message_id(key: &str) -> String {
    key.replace('.', "-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// Each file's message ids, with the variables each message takes.
    fn messages(text: &str) -> BTreeMap<String, BTreeSet<String>> {
        let variable = regex::Regex::new(r"\{ \$([a-z_]+) \}").expect("regex");
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once(" = "))
            .map(|(id, value)| {
                let vars = variable.captures_iter(value).map(|c| c[1].to_string());
                (id.to_string(), vars.collect())
            })
            .collect()
    }

    #[test]
    fn every_language_has_every_message_with_the_same_variables() {
        let english = messages(MESSAGES[0]);
        assert!(english.len() > 100, "{} messages", english.len());
        for (lang, text) in Lang::ALL.iter().zip(MESSAGES) {
            if let Err((_, errors)) = FluentResource::try_new(text.to_string()) {
                panic!("{lang:?}: {errors:?}");
            }
            assert_eq!(messages(text), english, "{lang:?}");
            for id in english.keys() {
                let message = lang.bundle().get_message(id);
                assert!(message.and_then(|m| m.value()).is_some(), "{lang:?} {id}");
            }
        }
        assert_eq!(Lang::De.t("sign_in"), "Anmelden");
        assert_eq!(Lang::Zh.t("scan"), "扫描");
        assert_eq!(Lang::De.t_with("hello", &[("name", "Anna")]), "Hallo Anna,");
    }

    #[test]
    fn every_key_the_code_asks_for_is_in_every_language() {
        let asked = regex::Regex::new(r#"\.t(_with)?\(\s*"([^"]+)""#).expect("regex");
        let mut keys = BTreeSet::new();
        // Asked for with t(), so without values: its message must need none.
        let mut plain = BTreeSet::new();
        let mut folders = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("src").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("source");
                    // Tests ask for missing keys on purpose.
                    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                    for found in asked.captures_iter(code) {
                        keys.insert(found[2].to_string());
                        if found.get(1).is_none() {
                            plain.insert(found[2].to_string());
                        }
                    }
                }
            }
        }
        assert!(keys.len() > 80, "found {} keys", keys.len());
        for key in &keys {
            for lang in Lang::ALL {
                assert!(
                    lang.bundle().get_message(&message_id(key)).is_some(),
                    "{lang:?} lacks {key:?}"
                );
            }
        }
        let english = messages(MESSAGES[0]);
        for key in &plain {
            let needs = english.get(&message_id(key));
            assert!(
                needs.is_some_and(BTreeSet::is_empty),
                "{key:?} takes values: ask with t_with"
            );
        }
        // Customer e-mails name the status they report: each has its title and sentence.
        let news = english
            .keys()
            .filter(|id| id.starts_with("news-") && !id.ends_with("-body"));
        for id in news {
            assert!(english.contains_key(&format!("{id}-body")), "{id}-body");
        }
        // The status page says what happens next in every status, in every language.
        for status in crate::domain::RmaStatus::ALL {
            for lang in Lang::ALL {
                let id = message_id(&format!("next.{}", status.as_str()));
                assert!(
                    lang.bundle().get_message(&id).is_some(),
                    "{lang:?} lacks {id}"
                );
            }
        }
    }

    #[test]
    fn a_missing_message_falls_back_to_english_then_to_its_key() {
        assert_eq!(Lang::Fr.t("no_such_message"), "no_such_message");
        assert_eq!(Lang::Es.t_with("hello", &[]), "hello", "a variable missing");
        assert!(!Lang::Zh.t("no.such").contains('?'));
    }

    #[test]
    fn money_and_dates_per_language() {
        let table = [
            (Lang::En, "1234567.50", "EUR", "1,234,567.50 EUR"),
            (Lang::De, "1234567.50", "EUR", "1.234.567,50 EUR"),
            (Lang::Es, "104.25", "EUR", "104,25 EUR"),
            (Lang::Fr, "1234.50", "EUR", "1\u{202f}234,50 EUR"),
            (Lang::Zh, "1999", "JPY", "1,999 JPY"),
            (Lang::De, "1.250", "KWD", "1,250 KWD"),
            (Lang::En, "0.05", "USD", "0.05 USD"),
        ];
        for (lang, amount, currency, expected) in table {
            assert_eq!(lang.money(amount, currency), expected, "{lang:?}");
        }
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
            .and_then(|d| d.and_hms_opt(9, 5, 0))
            .expect("time");
        assert_eq!(Lang::En.date(t), "20 Nov 2026, 09:05 UTC");
        assert_eq!(Lang::De.date(t), "20.11.2026, 09:05 UTC");
        assert_eq!(Lang::Zh.date(t), "2026年11月20日 09:05 UTC");
        assert_eq!(Lang::Fr.date(t), "20/11/2026 09:05 UTC");
        let late = chrono::DateTime::parse_from_rfc3339("2026-11-20T23:30:00Z")
            .expect("time")
            .to_utc();
        let table = [
            (
                Lang::De,
                Some(chrono_tz::Tz::Europe__Berlin),
                "21.11.2026, 00:30 CET",
                "21.11.2026",
            ),
            (
                Lang::Zh,
                Some(chrono_tz::Tz::Asia__Shanghai),
                "2026年11月21日 07:30 CST",
                "2026年11月21日",
            ),
            (
                Lang::En,
                Some(chrono_tz::Tz::America__New_York),
                "20 Nov 2026, 18:30 EST",
                "20 Nov 2026",
            ),
            (Lang::En, None, "20 Nov 2026, 23:30 UTC", "20 Nov 2026"),
        ];
        for (lang, zone, moment, day) in table {
            assert_eq!(lang.local_date(late, zone), moment, "{zone:?}");
            assert_eq!(lang.local_day(late, zone), day, "{zone:?}");
        }
        assert_eq!(Lang::Es.day(t.date()), "20/11/2026");
    }

    #[test]
    fn customers_are_written_to_in_their_countrys_language() {
        let table = [
            ("DE", Lang::De),
            ("at", Lang::De),
            ("CN", Lang::Zh),
            ("MX", Lang::Es),
            ("BE", Lang::Fr),
            ("US", Lang::En),
            ("JP", Lang::En),
            ("", Lang::En),
        ];
        for (country, lang) in table {
            assert_eq!(Lang::of_country(country), lang, "{country}");
        }
        let customers = [
            ("fr-BE", "DE", Lang::Fr),
            ("zh_CN", "US", Lang::Zh),
            ("en", "DE", Lang::En),
            ("", "DE", Lang::De),
            ("en-US", "US", Lang::En),
            ("ja", "FR", Lang::Fr),
            ("", "GB", Lang::En),
        ];
        for (locale, country, lang) in customers {
            assert_eq!(
                Lang::for_customer(locale, country),
                lang,
                "{locale} {country}"
            );
        }
    }

    #[test]
    fn every_value_a_customer_sees_has_words() {
        use crate::domain::tracking::{IncidentAction, IncidentKind};
        use crate::domain::{
            Condition, Disposition, LabelPayer, Resolution, ReturnReason, RmaStatus,
        };
        let codes = ReturnReason::ALL
            .iter()
            .map(|r| r.as_str())
            .chain(Resolution::ALL.iter().map(|r| r.as_str()))
            .chain(LabelPayer::ALL.iter().map(|p| p.as_str()))
            .chain(RmaStatus::ALL.iter().map(|s| s.as_str()))
            .chain(Condition::ALL.iter().map(|c| c.as_str()))
            .chain(Disposition::ALL.iter().map(|d| d.as_str()))
            .chain(IncidentKind::ALL.iter().map(|k| k.as_str()))
            .chain(IncidentAction::ALL.iter().map(|a| a.as_str()))
            .chain(crate::domain::TriggerStatus::ALL.iter().map(|s| s.as_str()))
            .chain(crate::domain::RefundMethod::ALL.iter().map(|m| m.as_str()))
            .chain(["manual_review", "passed", "partial", "failed"]);
        for code in codes {
            let key = format!("w.{code}");
            for lang in Lang::ALL {
                let found = lang.bundle().get_message(&message_id(&key));
                assert!(found.is_some(), "{lang:?} {key}");
            }
        }
        assert_eq!(Lang::De.word("size_too_small"), "zu klein");
        assert_eq!(Lang::En.word("no_such_value"), "no such value");
    }

    #[test]
    fn decision_rules_in_the_customers_language() {
        use crate::domain::policy::AppliedRule;
        let policy =
            crate::domain::policy::Policy::from_toml(include_str!("../../config/policy.toml"))
                .expect("the shipped policy");
        let json =
            |v: serde_json::Value| -> AppliedRule { serde_json::from_value(v).expect("rule") };
        let open = json(
            serde_json::json!({"rule": "window_open", "effect": "returnable until 2026-12-18 (30 days from delivery on 2026-11-18)",
            "params": {"days": "30", "delivered": "2026-11-18", "ends": "2026-12-18"}}),
        );
        assert_eq!(
            Lang::De.rule(&open, &policy),
            "Rückgabe bis 18.12.2026 (30 Tage ab Zustellung am 18.11.2026)"
        );
        assert_eq!(
            Lang::En.rule(&open, &policy),
            "returnable until 18 Dec 2026 (30 days from delivery on 18 Nov 2026)",
            "English dates as English writes them, not ISO"
        );
        let fee = json(
            serde_json::json!({"rule": "restocking_fee", "effect": "10 % restocking fee",
            "params": {"percent": "10", "reason": "changed_mind", "fee": "1234.50", "currency": "EUR"}}),
        );
        assert_eq!(
            Lang::Fr.rule(&fee, &policy),
            "10 % de frais de remise en stock pour « j'ai changé d'avis » : 1\u{202f}234,50 EUR"
        );
        assert_eq!(
            Lang::En.rule(&fee, &policy),
            "10 % restocking fee for \"changed my mind\": 1,234.50 EUR",
            "a reason in words, never its code"
        );
        let category = json(
            serde_json::json!({"rule": "shop_window", "effect": "14-day window for electronics",
            "params": {"variant": "category", "days": "14", "category": "electronics"}}),
        );
        assert_eq!(
            Lang::De.rule(&category, &policy),
            "14 Tage Rückgabefrist für Elektronik"
        );
        let statute = json(
            serde_json::json!({"rule": "statutory.cn_7_day", "effect": "China 7-day no-reason return for online purchases gives 7 days",
            "params": {"name": "China 7-day no-reason return for online purchases", "days": "7"}}),
        );
        assert!(Lang::Zh
            .rule(&statute, &policy)
            .starts_with("七日无理由退货"));
        let covered = json(
            serde_json::json!({"rule": "statutory.eu_withdrawal", "effect": "EU (14 days) is covered",
            "params": {"variant": "covered", "name": "EU", "days": "14"}}),
        );
        assert_eq!(
            Lang::Es.rule(&covered, &policy),
            "derecho de desistimiento de la UE (Directiva 2011/83/UE) (14 días) queda cubierto por el plazo más largo",
            "the statute by its Spanish name, not the decision's English one"
        );
        // A rule without a phrase, or missing a fact, keeps the decision's words.
        let unknown = json(serde_json::json!({"rule": "something_new", "effect": "as decided"}));
        assert_eq!(Lang::Zh.rule(&unknown, &policy), "as decided");
        let short = json(
            serde_json::json!({"rule": "window_open", "effect": "as decided", "params": {"days": "30"}}),
        );
        assert_eq!(Lang::De.rule(&short, &policy), "as decided");
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::negotiate("de-DE,de;q=0.9,en;q=0.8"), Lang::De);
        assert_eq!(Lang::negotiate("ja, zh-CN;q=0.7, fr;q=0.8"), Lang::Fr);
        assert_eq!(Lang::negotiate("pt-BR"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
        assert_eq!(Lang::negotiate("fr;q=0, es"), Lang::Es);
        assert_eq!(Lang::negotiate("de-AT"), Lang::De);
    }
}
