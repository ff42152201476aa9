//! The words of the pages and the customer emails in English, German, Chinese, Spanish
//! and French, and how each language writes money and dates. The pages pick the language
//! from the `lang` cookie (set by the switcher), else from Accept-Language, else English.

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

    /// The language to write to a customer in: the shop's locale for them when it is one
    /// of ours, else their shipping country's. Orders without a locale say "en", so
    /// English alone does not outweigh the country.
    pub fn for_customer(locale: &str, country: &str) -> Lang {
        Lang::parse(locale)
            .filter(|l| *l != Lang::En)
            .unwrap_or_else(|| Lang::of_country(country))
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

    /// The language to answer an `Accept-Language` header in: the highest-weighted one
    /// of ours, else English.
    pub fn negotiate(header: &str) -> Lang {
        // Highest q first; ties keep the header's order.
        let mut offered: Vec<(f32, usize, &str)> = header
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
            .collect();
        offered.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offered
            .into_iter()
            .find_map(|(_, _, tag)| Lang::parse(tag))
            .unwrap_or(Lang::En)
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
        self.phrase(&format!("w.{code}"))
            .map_or_else(|| code.replace('_', " "), str::to_string)
    }

    /// A rule of a policy decision (as the API shows it) in this language: its phrase
    /// filled with the rule's facts, dates and money written the language's way. The
    /// decision's English words where there is no phrase or a fact is missing.
    pub fn rule(self, rule: &crate::domain::policy::AppliedRule) -> String {
        let effect = rule.effect.clone();
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
        let Some(template) = self.phrase(&key).filter(|_| self != Lang::En) else {
            return effect;
        };
        let currency = get("currency").unwrap_or("");
        let mut out = template.to_string();
        for (k, v) in params {
            let shown = match k.as_str() {
                "delivered" | "ends" => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_or_else(|_| v.to_string(), |d| self.day(d)),
                "fee" | "cost" | "refund" | "max" | "total" => self.money(v, currency),
                "reason" => self.word(v),
                _ => v.to_string(),
            };
            out = out.replace(&format!("{{{k}}}"), &shown);
        }
        if out.contains('{') {
            return effect;
        }
        out
    }

    fn phrase(self, key: &str) -> Option<&'static str> {
        let (_, words) = PHRASES.iter().find(|(k, _)| *k == key)?;
        let i = Lang::ALL.iter().position(|l| *l == self).unwrap_or(0);
        Some(words[i])
    }

    /// The phrase for `key` in this language (English when a phrase is missing).
    pub fn t(self, key: &str) -> &'static str {
        self.phrase(key).unwrap_or("?")
    }

    /// "Too many tries", with how long to wait in words.
    pub fn too_many(self, retry_after_secs: u64) -> String {
        let wait = if retry_after_secs <= 1 {
            self.t("one_second").to_string()
        } else if retry_after_secs < 120 {
            self.t("n_seconds")
                .replace("{n}", &retry_after_secs.to_string())
        } else {
            self.t("n_minutes")
                .replace("{n}", &retry_after_secs.div_ceil(60).to_string())
        };
        self.t("too_many").replace("{wait}", &wait)
    }
}

/// key → [en, de, zh, es, fr]
const PHRASES: &[(&str, [&str; 5])] = &[
    (
        "sign_in",
        [
            "Sign in",
            "Anmelden",
            "登录",
            "Iniciar sesión",
            "Se connecter",
        ],
    ),
    (
        "sign_out",
        [
            "Sign out",
            "Abmelden",
            "退出",
            "Cerrar sesión",
            "Se déconnecter",
        ],
    ),
    (
        "username",
        [
            "Username",
            "Benutzername",
            "用户名",
            "Usuario",
            "Nom d'utilisateur",
        ],
    ),
    (
        "password",
        ["Password", "Passwort", "密码", "Contraseña", "Mot de passe"],
    ),
    (
        "wrong_login",
        [
            "Wrong username or password.",
            "Benutzername oder Passwort falsch.",
            "用户名或密码错误。",
            "Usuario o contraseña incorrectos.",
            "Nom d'utilisateur ou mot de passe incorrect.",
        ],
    ),
    (
        "forbidden",
        [
            "Your role may not open this page.",
            "Ihre Rolle darf diese Seite nicht öffnen.",
            "您的角色无权打开此页面。",
            "Su rol no puede abrir esta página.",
            "Votre rôle ne permet pas d'ouvrir cette page.",
        ],
    ),
    (
        "expired_form",
        [
            "This form has expired. Please try again.",
            "Dieses Formular ist abgelaufen. Bitte erneut versuchen.",
            "表单已过期，请重试。",
            "Este formulario ha caducado. Inténtelo de nuevo.",
            "Ce formulaire a expiré. Veuillez réessayer.",
        ],
    ),
    (
        "scan_station",
        [
            "Scan station",
            "Scanplatz",
            "扫描台",
            "Puesto de escaneo",
            "Poste de scan",
        ],
    ),
    (
        "barcode",
        [
            "Barcode",
            "Barcode",
            "条码",
            "Código de barras",
            "Code-barres",
        ],
    ),
    ("station", ["Station", "Platz", "工位", "Puesto", "Poste"]),
    ("scan", ["Scan", "Scannen", "扫描", "Escanear", "Scanner"]),
    (
        "matched",
        [
            "Matched",
            "Zugeordnet",
            "已匹配",
            "Identificado",
            "Identifié",
        ],
    ),
    (
        "already_received",
        [
            "Already received",
            "Bereits eingegangen",
            "已签收",
            "Ya recibido",
            "Déjà reçu",
        ],
    ),
    (
        "unmatched",
        [
            "Unmatched: kept for later",
            "Nicht zugeordnet: aufbewahrt",
            "未匹配：已保存待处理",
            "Sin identificar: guardado",
            "Non identifié : conservé",
        ],
    ),
    (
        "wrong_warehouse",
        [
            "Wrong warehouse! Meant for",
            "Falsches Lager! Bestimmt für",
            "仓库错误！应送往",
            "¡Almacén equivocado! Destinado a",
            "Mauvais entrepôt ! Destiné à",
        ],
    ),
    (
        "last_scans",
        [
            "Last scans",
            "Letzte Scans",
            "最近扫描",
            "Últimos escaneos",
            "Derniers scans",
        ],
    ),
    ("time", ["Time", "Zeit", "时间", "Hora", "Heure"]),
    (
        "result",
        ["Result", "Ergebnis", "结果", "Resultado", "Résultat"],
    ),
    ("rma", ["RMA", "RMA", "退货单", "RMA", "RMA"]),
    ("quantity", ["Qty", "Menge", "数量", "Cant.", "Qté"]),
    ("item", ["Item", "Artikel", "商品", "Artículo", "Article"]),
    ("reason", ["Reason", "Grund", "原因", "Motivo", "Motif"]),
    (
        "language",
        ["Language", "Sprache", "语言", "Idioma", "Langue"],
    ),
    ("w.damaged", ["damaged", "beschädigt", "已损坏", "dañado", "endommagé"]),
    ("w.defective", ["defective", "defekt", "有缺陷", "defectuoso", "défectueux"]),
    ("w.wrong_item", ["wrong item", "falscher Artikel", "发错商品", "artículo equivocado", "mauvais article"]),
    ("w.not_as_described", ["not as described", "nicht wie beschrieben", "与描述不符", "no es como se describía", "non conforme à la description"]),
    ("w.arrived_late", ["arrived late", "zu spät angekommen", "到货太晚", "llegó tarde", "arrivé en retard"]),
    ("w.changed_mind", ["changed my mind", "es mir anders überlegt", "改变主意", "cambié de opinión", "j'ai changé d'avis"]),
    ("w.no_longer_needed", ["no longer needed", "nicht mehr benötigt", "不再需要", "ya no lo necesito", "plus nécessaire"]),
    ("w.better_price_found", ["found a better price", "woanders günstiger", "找到更低价格", "encontré un precio mejor", "trouvé moins cher ailleurs"]),
    ("w.size_too_small", ["size too small", "zu klein", "尺码太小", "talla demasiado pequeña", "taille trop petite"]),
    ("w.size_too_large", ["size too large", "zu groß", "尺码太大", "talla demasiado grande", "taille trop grande"]),
    ("w.other", ["other", "anderer Grund", "其他", "otro", "autre"]),
    ("w.refund", ["refund", "Erstattung", "退款", "reembolso", "remboursement"]),
    ("w.store_credit", ["store credit", "Gutschrift", "店铺积分", "crédito en tienda", "avoir"]),
    ("w.exchange", ["exchange", "Umtausch", "换货", "cambio", "échange"]),
    ("w.keep_it", ["keep the item", "Artikel behalten", "保留商品", "quédese el artículo", "gardez l'article"]),
    ("w.free", ["free", "kostenlos", "免费", "gratis", "gratuit"]),
    ("w.customer_pays", ["you pay", "auf Ihre Kosten", "由您支付", "a su cargo", "à votre charge"]),
    ("w.manual_review", ["manual review", "manuelle Prüfung", "人工审核", "revisión manual", "examen manuel"]),
    ("w.requested", ["requested", "angefragt", "已申请", "solicitada", "demandé"]),
    ("w.authorized", ["authorized", "genehmigt", "已批准", "autorizada", "accepté"]),
    ("w.rejected", ["rejected", "abgelehnt", "已拒绝", "rechazada", "refusé"]),
    ("w.label_issued", ["label issued", "Etikett erstellt", "已生成标签", "etiqueta emitida", "étiquette émise"]),
    ("w.in_transit", ["in transit", "unterwegs", "运输中", "en tránsito", "en transit"]),
    ("w.delivered_to_warehouse", ["delivered to the warehouse", "im Lager zugestellt", "已送达仓库", "entregado en el almacén", "livré à l'entrepôt"]),
    ("w.received", ["received", "eingegangen", "已签收", "recibido", "reçu"]),
    ("w.inspected", ["inspected", "geprüft", "已检查", "revisado", "vérifié"]),
    ("w.refund_triggered", ["refund on its way", "Erstattung veranlasst", "退款处理中", "reembolso en camino", "remboursement en cours"]),
    ("w.closed", ["closed", "abgeschlossen", "已完成", "cerrada", "clôturé"]),
    ("w.cancelled", ["cancelled", "storniert", "已取消", "cancelada", "annulé"]),
    ("w.expired", ["expired", "abgelaufen", "已过期", "caducada", "expiré"]),
    (
        "rule.returnable_quantity",
        [
            "only {can} of {ordered} can still be returned",
            "nur noch {can} von {ordered} können zurückgegeben werden",
            "{ordered} 件中仅剩 {can} 件可退",
            "solo {can} de {ordered} pueden devolverse todavía",
            "seuls {can} sur {ordered} peuvent encore être retournés",
        ],
    ),
    (
        "rule.non_returnable_category.seller_fault",
        [
            "{category} cannot usually be returned, but a {reason} item is the shop's responsibility",
            "{category} ist normalerweise vom Umtausch ausgeschlossen, aber für einen Artikel mit „{reason}“ haftet der Shop",
            "{category} 通常不可退货，但“{reason}”的商品由商家负责",
            "{category} normalmente no admite devolución, pero un artículo «{reason}» es responsabilidad de la tienda",
            "{category} n'est normalement pas repris, mais un article « {reason} » relève de la responsabilité de la boutique",
        ],
    ),
    (
        "rule.non_returnable_category",
        [
            "{category} cannot be returned",
            "{category} ist vom Umtausch ausgeschlossen",
            "{category} 不可退货",
            "{category} no admite devolución",
            "{category} ne peut pas être retourné",
        ],
    ),
    (
        "rule.window_closed",
        [
            "the {days}-day return window from delivery on {delivered} ended on {ends}",
            "die Rückgabefrist von {days} Tagen ab Zustellung am {delivered} endete am {ends}",
            "自 {delivered} 送达起的 {days} 天退货期已于 {ends} 结束",
            "el plazo de devolución de {days} días desde la entrega el {delivered} terminó el {ends}",
            "le délai de retour de {days} jours après la livraison du {delivered} a pris fin le {ends}",
        ],
    ),
    (
        "rule.window_open",
        [
            "returnable until {ends} ({days} days from delivery on {delivered})",
            "Rückgabe bis {ends} ({days} Tage ab Zustellung am {delivered})",
            "可退货至 {ends}（自 {delivered} 送达起 {days} 天）",
            "devolución hasta el {ends} ({days} días desde la entrega el {delivered})",
            "retour possible jusqu'au {ends} ({days} jours après la livraison du {delivered})",
        ],
    ),
    (
        "rule.window_not_started",
        [
            "delivery not yet confirmed by tracking; the {days}-day window starts at delivery",
            "Zustellung noch nicht bestätigt; die Frist von {days} Tagen beginnt mit der Zustellung",
            "物流尚未确认送达；{days} 天退货期自送达起计算",
            "la entrega aún no está confirmada; el plazo de {days} días empieza con la entrega",
            "livraison pas encore confirmée ; le délai de {days} jours commence à la livraison",
        ],
    ),
    (
        "rule.restocking_fee",
        [
            "{percent} % restocking fee for \"{reason}\": {fee}",
            "{percent} % Wiedereinlagerungsgebühr bei „{reason}“: {fee}",
            "“{reason}”收取 {percent}% 重新上架费：{fee}",
            "{percent} % de cargo por reposición por «{reason}»: {fee}",
            "{percent} % de frais de remise en stock pour « {reason} » : {fee}",
        ],
    ),
    (
        "rule.seller_fault",
        [
            "\"{reason}\" is the shop's fault: free label, no restocking fee",
            "„{reason}“ liegt beim Shop: kostenloses Etikett, keine Wiedereinlagerungsgebühr",
            "“{reason}”属于商家责任：免费退货标签，不收重新上架费",
            "«{reason}» es responsabilidad de la tienda: etiqueta gratuita, sin cargo por reposición",
            "« {reason} » relève de la boutique : étiquette gratuite, pas de frais de remise en stock",
        ],
    ),
    (
        "rule.label_cost_unknown",
        [
            "no label cost estimate for {currency}; counted as zero",
            "keine Etikettenkosten für {currency} hinterlegt; mit null gerechnet",
            "没有 {currency} 的标签费用估算；按零计算",
            "sin estimación del coste de la etiqueta en {currency}; se cuenta como cero",
            "pas d'estimation du coût de l'étiquette en {currency} ; compté comme zéro",
        ],
    ),
    (
        "rule.label_free",
        [
            "the shop pays the return label",
            "der Shop bezahlt das Rücksendeetikett",
            "退货标签由商家支付",
            "la tienda paga la etiqueta de devolución",
            "la boutique paie l'étiquette de retour",
        ],
    ),
    (
        "rule.label_customer_pays",
        [
            "the return label ({cost}) is deducted from the refund",
            "das Rücksendeetikett ({cost}) wird von der Erstattung abgezogen",
            "退货标签费用（{cost}）将从退款中扣除",
            "la etiqueta de devolución ({cost}) se descuenta del reembolso",
            "l'étiquette de retour ({cost}) est déduite du remboursement",
        ],
    ),
    (
        "rule.keep_it.share",
        [
            "keep the item: shipping it back ({cost}) would cost at least {percent} % of its value",
            "behalten Sie den Artikel: die Rücksendung ({cost}) kostete mindestens {percent} % seines Werts",
            "请保留商品：寄回费用（{cost}）至少相当于其价值的 {percent}%",
            "quédese el artículo: devolverlo ({cost}) costaría al menos el {percent} % de su valor",
            "gardez l'article : le renvoyer ({cost}) coûterait au moins {percent} % de sa valeur",
        ],
    ),
    (
        "rule.keep_it.small",
        [
            "keep the item: a refund of {refund} is below the keep-it threshold",
            "behalten Sie den Artikel: eine Erstattung von {refund} liegt unter der Schwelle für Rücksendungen",
            "请保留商品：{refund} 的退款低于免退回门槛",
            "quédese el artículo: un reembolso de {refund} está por debajo del umbral",
            "gardez l'article : un remboursement de {refund} est sous le seuil de retour",
        ],
    ),
    (
        "rule.keep_it_not_available",
        [
            "keep-it is offered only when the shop would pay a label worth a large share of the item",
            "Behalten wird nur angeboten, wenn das Etikett des Shops einen großen Teil des Artikelwerts kostete",
            "仅当商家承担的标签费用占商品价值较大比例时，才提供免退回",
            "quedarse el artículo solo se ofrece cuando la etiqueta que pagaría la tienda vale gran parte del artículo",
            "garder l'article n'est proposé que si l'étiquette payée par la boutique vaut une grande part de l'article",
        ],
    ),
    (
        "rule.photos_required",
        [
            "photos of the damage or defect are needed as evidence",
            "Fotos des Schadens oder Defekts werden als Nachweis benötigt",
            "需要提供损坏或缺陷的照片作为证据",
            "se necesitan fotos del daño o defecto como prueba",
            "des photos du dommage ou du défaut sont nécessaires comme preuve",
        ],
    ),
    (
        "rule.manual_review.returns_limit",
        [
            "the customer opened {count} returns in 90 days (limit {limit}); a person reviews this one",
            "{count} Rücksendungen in 90 Tagen (Grenze {limit}); diese prüft ein Mitarbeiter",
            "90 天内已有 {count} 次退货（上限 {limit}）；本次由人工审核",
            "{count} devoluciones en 90 días (límite {limit}); una persona revisa esta",
            "{count} retours en 90 jours (limite {limit}) ; une personne examine celui-ci",
        ],
    ),
    (
        "rule.manual_review.order_value",
        [
            "orders over {max} are reviewed by a person (this one: {total})",
            "Bestellungen über {max} prüft ein Mitarbeiter (diese: {total})",
            "超过 {max} 的订单需人工审核（本单：{total}）",
            "los pedidos de más de {max} los revisa una persona (este: {total})",
            "les commandes de plus de {max} sont examinées par une personne (celle-ci : {total})",
        ],
    ),
    (
        "rule.shop_window",
        [
            "{days}-day shop return window",
            "{days} Tage Rückgaberecht des Shops",
            "商家 {days} 天退货期",
            "plazo de devolución de la tienda de {days} días",
            "délai de retour de la boutique de {days} jours",
        ],
    ),
    (
        "rule.shop_window.category",
        [
            "{days}-day window for {category}",
            "{days} Tage Rückgabefrist für {category}",
            "{category} 的退货期为 {days} 天",
            "plazo de {days} días para {category}",
            "délai de {days} jours pour {category}",
        ],
    ),
    (
        "rule.statutory",
        [
            "{name} gives {days} days",
            "{name}: {days} Tage",
            "{name}：{days} 天",
            "{name}: {days} días",
            "{name} : {days} jours",
        ],
    ),
    (
        "rule.statutory.covered",
        [
            "{name} ({days} days) is covered by the longer window",
            "{name} ({days} Tage) ist durch die längere Frist abgedeckt",
            "{name}（{days} 天）已包含在更长的退货期内",
            "{name} ({days} días) queda cubierto por el plazo más largo",
            "{name} ({days} jours) est couvert par le délai plus long",
        ],
    ),
    (
        "rule.seller_fault_window",
        [
            "window extended to {days} days because the item is {reason}",
            "Frist auf {days} Tage verlängert, weil der Artikel {reason} ist",
            "因商品{reason}，退货期延长至 {days} 天",
            "plazo ampliado a {days} días porque el artículo está {reason}",
            "délai prolongé à {days} jours car l'article est {reason}",
        ],
    ),
    ("w.new", ["new", "neu", "全新", "nuevo", "neuf"]),
    ("w.like_new", ["like new", "wie neu", "几乎全新", "como nuevo", "comme neuf"]),
    ("w.used", ["used", "gebraucht", "已使用", "usado", "utilisé"]),
    ("w.missing", ["missing", "fehlt", "缺失", "falta", "manquant"]),
    ("w.restock", ["restock", "wieder einlagern", "重新上架", "reponer", "remettre en stock"]),
    ("w.refurbish", ["refurbish", "aufbereiten", "翻新", "reacondicionar", "reconditionner"]),
    ("w.liquidate", ["liquidate", "verwerten", "清仓处理", "liquidar", "liquider"]),
    ("w.scrap", ["scrap", "entsorgen", "报废", "desechar", "mettre au rebut"]),
    ("w.return_to_customer", ["return to customer", "an Kunden zurück", "退回客户", "devolver al cliente", "renvoyer au client"]),
    ("w.passed", ["passed", "bestanden", "通过", "aprobada", "validée"]),
    ("w.partial", ["partial", "teilweise", "部分通过", "parcial", "partielle"]),
    ("w.failed", ["failed", "fehlgeschlagen", "未通过", "fallida", "échouée"]),
    ("w.original_payment", ["original payment", "ursprüngliche Zahlung", "原支付方式", "pago original", "paiement d'origine"]),
    ("w.pending", ["pending", "offen", "待处理", "pendiente", "en attente"]),
    ("w.emailed", ["emailed", "gemailt", "已发邮件", "enviado por correo", "envoyé par e-mail"]),
    ("w.acknowledged", ["acknowledged", "bestätigt", "已确认", "confirmado", "pris en charge"]),
    ("w.lost", ["lost", "verloren", "丢失", "perdido", "perdu"]),
    ("w.delayed", ["delayed", "verspätet", "延误", "retrasado", "retardé"]),
    ("w.returned_to_sender", ["returned to sender", "an Absender zurück", "退回寄件人", "devuelto al remitente", "retourné à l'expéditeur"]),
    ("w.misdelivered", ["misdelivered", "falsch zugestellt", "错误投递", "mal entregado", "mal livré"]),
    ("w.unscanned_return", ["unscanned return", "nicht gescannte Rücksendung", "未扫描的退货", "devolución sin escanear", "retour non scanné"]),
    ("w.reship", ["reship", "neu versenden", "重新发货", "reenviar", "réexpédier"]),
    ("w.partial_refund", ["partial refund", "Teilerstattung", "部分退款", "reembolso parcial", "remboursement partiel"]),
    ("w.claim", ["claim", "Reklamation beim Versanddienst", "向承运商索赔", "reclamación", "réclamation"]),
    (
        "currency",
        ["Currency", "Währung", "币种", "Moneda", "Devise"],
    ),
    (
        "from_day",
        ["From", "Von", "起始日期", "Desde", "Du"],
    ),
    (
        "to_day",
        ["To", "Bis", "截止日期", "Hasta", "Au"],
    ),
    (
        "order_or_rma",
        [
            "Order or RMA number",
            "Bestell- oder RMA-Nummer",
            "订单号或退货单号",
            "Número de pedido o RMA",
            "N° de commande ou de RMA",
        ],
    ),
    (
        "filter",
        ["Filter", "Filtern", "筛选", "Filtrar", "Filtrer"],
    ),
    (
        "waiting_review",
        [
            "Returns waiting for review",
            "Rücksendungen zur Prüfung",
            "待审核的退货",
            "Devoluciones pendientes de revisión",
            "Retours à examiner",
        ],
    ),
    ("approve", ["Approve", "Genehmigen", "批准", "Aprobar", "Accepter"]),
    ("refuse", ["Refuse", "Ablehnen", "拒绝", "Rechazar", "Refuser"]),
    (
        "pages",
        ["Pages", "Seiten", "页面", "Páginas", "Pages"],
    ),
    (
        "unmatched_parcels",
        [
            "Unmatched parcels",
            "Nicht zugeordnete Pakete",
            "未匹配的包裹",
            "Paquetes sin asignar",
            "Colis non rattachés",
        ],
    ),
    (
        "received",
        ["Received", "Eingegangen", "已签收", "Recibido", "Reçu"],
    ),
    (
        "none",
        ["None.", "Keine.", "无。", "Ninguno.", "Aucun."],
    ),
    (
        "link_later",
        [
            "Link it to an RMA",
            "Einem RMA zuordnen",
            "关联到退货单",
            "Vincular a un RMA",
            "Lier à un RMA",
        ],
    ),
    (
        "nothing_scanned",
        [
            "Nothing was scanned.",
            "Nichts gescannt.",
            "未扫描到内容。",
            "No se escaneó nada.",
            "Rien n'a été scanné.",
        ],
    ),
    (
        "inspect",
        ["Inspect", "Prüfen", "检验", "Inspeccionar", "Inspecter"],
    ),
    (
        "received_qty",
        ["Received", "Erhalten", "收到数量", "Recibido", "Reçu"],
    ),
    (
        "condition",
        ["Condition", "Zustand", "状况", "Estado", "État"],
    ),
    (
        "disposition",
        [
            "Disposition",
            "Verwendung",
            "处置",
            "Destino",
            "Destination",
        ],
    ),
    ("notes", ["Notes", "Notizen", "备注", "Notas", "Notes"]),
    (
        "outcome",
        ["Outcome", "Ergebnis", "结论", "Resultado", "Résultat"],
    ),
    (
        "refund",
        ["Refund", "Erstattung", "退款", "Reembolso", "Remboursement"],
    ),
    (
        "no_refund",
        [
            "No refund",
            "Keine Erstattung",
            "不退款",
            "Sin reembolso",
            "Pas de remboursement",
        ],
    ),
    (
        "refunds",
        [
            "Refunds",
            "Erstattungen",
            "退款单",
            "Reembolsos",
            "Remboursements",
        ],
    ),
    ("all", ["All", "Alle", "全部", "Todos", "Tous"]),
    ("amount", ["Amount", "Betrag", "金额", "Importe", "Montant"]),
    ("method", ["Method", "Art", "方式", "Método", "Mode"]),
    ("status", ["Status", "Status", "状态", "Estado", "Statut"]),
    (
        "created",
        ["Created", "Erstellt", "创建时间", "Creado", "Créé"],
    ),
    (
        "order",
        ["Order", "Bestellung", "订单", "Pedido", "Commande"],
    ),
    (
        "acknowledge",
        [
            "Acknowledge",
            "Bestätigen",
            "确认",
            "Confirmar",
            "Confirmer",
        ],
    ),
    (
        "export_csv",
        [
            "Export CSV",
            "CSV exportieren",
            "导出 CSV",
            "Exportar CSV",
            "Exporter en CSV",
        ],
    ),
    (
        "not_found",
        [
            "Not found.",
            "Nicht gefunden.",
            "未找到。",
            "No encontrado.",
            "Introuvable.",
        ],
    ),
    (
        "return_items",
        [
            "Return items",
            "Artikel zurücksenden",
            "退货",
            "Devolver artículos",
            "Retourner des articles",
        ],
    ),
    (
        "order_number",
        [
            "Order number",
            "Bestellnummer",
            "订单号",
            "Número de pedido",
            "Numéro de commande",
        ],
    ),
    (
        "email",
        [
            "Email",
            "E-Mail",
            "电子邮件",
            "Correo electrónico",
            "E-mail",
        ],
    ),
    (
        "postcode",
        [
            "or postcode",
            "oder Postleitzahl",
            "或邮编",
            "o código postal",
            "ou code postal",
        ],
    ),
    (
        "find_order",
        [
            "Find my order",
            "Bestellung finden",
            "查找订单",
            "Buscar mi pedido",
            "Trouver ma commande",
        ],
    ),
    (
        "no_order",
        [
            "No order matches that number and email or postcode.",
            "Keine Bestellung passt zu dieser Nummer und E-Mail oder Postleitzahl.",
            "没有与该订单号及邮箱或邮编匹配的订单。",
            "Ningún pedido coincide con ese número y correo o código postal.",
            "Aucune commande ne correspond à ce numéro et à cet e-mail ou code postal.",
        ],
    ),
    (
        "too_many",
        [
            "Too many tries. Please try again in {wait}.",
            "Zu viele Versuche. Bitte in {wait} erneut versuchen.",
            "尝试次数过多，请在{wait}后再试。",
            "Demasiados intentos. Vuelva a intentarlo en {wait}.",
            "Trop d'essais. Réessayez dans {wait}.",
        ],
    ),
    (
        "one_second",
        ["a second", "einer Sekunde", "1 秒", "un segundo", "une seconde"],
    ),
    (
        "n_seconds",
        [
            "{n} seconds",
            "{n} Sekunden",
            "{n} 秒",
            "{n} segundos",
            "{n} secondes",
        ],
    ),
    (
        "n_minutes",
        [
            "{n} minutes",
            "{n} Minuten",
            "{n} 分钟",
            "{n} minutos",
            "{n} minutes",
        ],
    ),
    (
        "postcode_spent",
        [
            "Too many postcodes were tried for this order. Please use the email address of the order.",
            "Für diese Bestellung wurden zu viele Postleitzahlen versucht. Bitte die E-Mail-Adresse der Bestellung verwenden.",
            "此订单已尝试过多邮编，请使用订单的邮箱地址。",
            "Se probaron demasiados códigos postales para este pedido. Use el correo electrónico del pedido.",
            "Trop de codes postaux ont été essayés pour cette commande. Utilisez l'adresse e-mail de la commande.",
        ],
    ),
    (
        "opening_return",
        [
            "Opening your return…",
            "Ihre Rücksendung wird geöffnet …",
            "正在打开您的退货…",
            "Abriendo su devolución…",
            "Ouverture de votre retour…",
        ],
    ),
    (
        "label_by_email",
        [
            "Your label is ready. It shows your address, so we sent the link to open it to the email address of the order.",
            "Ihr Etikett ist bereit. Es zeigt Ihre Adresse, daher haben wir den Link dazu an die E-Mail-Adresse der Bestellung geschickt.",
            "您的退货标签已准备好。标签上有您的地址，因此我们已将打开链接发送到订单的邮箱地址。",
            "Su etiqueta está lista. Muestra su dirección, por eso enviamos el enlace para abrirla al correo electrónico del pedido.",
            "Votre étiquette est prête. Elle indique votre adresse : nous avons envoyé le lien pour l'ouvrir à l'adresse e-mail de la commande.",
        ],
    ),
    (
        "upload_too_slow",
        [
            "The photos took too long to arrive. Please try again, perhaps with smaller photos.",
            "Die Fotos kamen zu langsam an. Bitte erneut versuchen, vielleicht mit kleineren Fotos.",
            "照片上传时间过长，请重试，或使用较小的照片。",
            "Las fotos tardaron demasiado en llegar. Inténtelo de nuevo, quizá con fotos más pequeñas.",
            "Les photos ont mis trop de temps à arriver. Réessayez, peut-être avec des photos plus petites.",
        ],
    ),
    (
        "uploads_busy",
        [
            "Many photos are being sent right now. Please try again in a moment.",
            "Gerade werden viele Fotos gesendet. Bitte gleich noch einmal versuchen.",
            "当前上传的照片较多，请稍后再试。",
            "Ahora se están enviando muchas fotos. Inténtelo de nuevo en un momento.",
            "Beaucoup de photos sont envoyées en ce moment. Réessayez dans un instant.",
        ],
    ),
    (
        "returnable",
        [
            "Returnable",
            "Rückgabefähig",
            "可退数量",
            "Retornable",
            "Retournable",
        ],
    ),
    (
        "resolution",
        [
            "What you would like",
            "Ihr Wunsch",
            "处理方式",
            "Lo que desea",
            "Ce que vous souhaitez",
        ],
    ),
    (
        "see_decision",
        [
            "See what applies",
            "Bedingungen ansehen",
            "查看退货政策",
            "Ver qué se aplica",
            "Voir ce qui s'applique",
        ],
    ),
    (
        "confirm",
        [
            "Confirm the return",
            "Rückgabe bestätigen",
            "确认退货",
            "Confirmar la devolución",
            "Confirmer le retour",
        ],
    ),
    (
        "estimated_refund",
        [
            "Estimated refund",
            "Voraussichtliche Erstattung",
            "预计退款",
            "Reembolso estimado",
            "Remboursement estimé",
        ],
    ),
    (
        "label_payer",
        [
            "Return label",
            "Rücksendeetikett",
            "退货标签",
            "Etiqueta de devolución",
            "Étiquette de retour",
        ],
    ),
    (
        "get_label",
        [
            "Get the return label",
            "Rücksendeetikett erstellen",
            "获取退货标签",
            "Obtener la etiqueta de devolución",
            "Obtenir l'étiquette de retour",
        ],
    ),
    (
        "download_label",
        [
            "Download the label (PDF)",
            "Etikett herunterladen (PDF)",
            "下载标签 (PDF)",
            "Descargar la etiqueta (PDF)",
            "Télécharger l'étiquette (PDF)",
        ],
    ),
    (
        "drop_off",
        [
            "Print the label, stick it on the box and hand it to the carrier.",
            "Etikett drucken, auf das Paket kleben und beim Versanddienst abgeben.",
            "打印标签，贴在包裹上并交给承运商。",
            "Imprima la etiqueta, péguela en la caja y entréguela al transportista.",
            "Imprimez l'étiquette, collez-la sur le colis et remettez-le au transporteur.",
        ],
    ),
    (
        "keep_it",
        [
            "Keep the item: nothing to send back.",
            "Behalten Sie den Artikel: nichts zurückzusenden.",
            "无需寄回，商品请自行保留。",
            "Quédese con el artículo: no hay que devolver nada.",
            "Gardez l'article : rien à renvoyer.",
        ],
    ),
    (
        "timeline",
        ["Timeline", "Verlauf", "进度", "Historial", "Historique"],
    ),
    (
        "operations",
        ["Operations", "Betrieb", "运营", "Operaciones", "Opérations"],
    ),
    (
        "news.requested",
        ["Being reviewed", "Wird geprüft", "审核中", "En revisión", "En cours d'examen"],
    ),
    (
        "news.requested.body",
        [
            "We have your return request and a person is looking at it. You will hear from us when it is decided.",
            "Ihre Rücksendeanfrage ist eingegangen und wird von uns geprüft. Sie hören von uns, sobald sie entschieden ist.",
            "我们已收到您的退货申请，正在人工审核。审核结果出来后我们会通知您。",
            "Hemos recibido su solicitud de devolución y la estamos revisando. Le avisaremos cuando esté decidida.",
            "Nous avons reçu votre demande de retour et l'examinons. Nous vous écrirons dès qu'elle sera décidée.",
        ],
    ),
    (
        "news.authorized",
        ["Approved", "Genehmigt", "已批准", "Aprobada", "Acceptée"],
    ),
    (
        "news.authorized.body",
        [
            "Your return is approved. Your return page shows what to do next.",
            "Ihre Rücksendung ist genehmigt. Auf Ihrer Rücksendeseite steht, wie es weitergeht.",
            "您的退货已获批准。请在退货页面查看下一步操作。",
            "Su devolución está aprobada. Su página de devolución indica los siguientes pasos.",
            "Votre retour est accepté. Votre page de retour indique la suite.",
        ],
    ),
    (
        "news.rejected",
        ["Not accepted", "Nicht angenommen", "未获批准", "No aceptada", "Refusée"],
    ),
    (
        "news.rejected.body",
        [
            "We are sorry: this return cannot be accepted. Your return page gives the reasons.",
            "Leider können wir diese Rücksendung nicht annehmen. Die Gründe finden Sie auf Ihrer Rücksendeseite.",
            "很抱歉，此退货无法受理。原因请见退货页面。",
            "Lo sentimos: no podemos aceptar esta devolución. Los motivos están en su página de devolución.",
            "Nous sommes désolés : ce retour ne peut pas être accepté. Les raisons sont sur votre page de retour.",
        ],
    ),
    (
        "news.label_issued",
        ["Your label is ready", "Ihr Etikett ist bereit", "退货标签已就绪", "Su etiqueta está lista", "Votre étiquette est prête"],
    ),
    (
        "news.label_issued.body",
        [
            "Your return label is ready: print it from your return page, or show its QR code at the drop-off point.",
            "Ihr Rücksendeetikett ist bereit: Drucken Sie es auf Ihrer Rücksendeseite aus oder zeigen Sie den QR-Code in der Annahmestelle vor.",
            "您的退货标签已就绪：请在退货页面打印，或在投递点出示二维码。",
            "Su etiqueta de devolución está lista: imprímala desde su página de devolución o muestre su código QR en el punto de entrega.",
            "Votre étiquette de retour est prête : imprimez-la depuis votre page de retour, ou montrez son code QR au point de dépôt.",
        ],
    ),
    (
        "news.received",
        ["Parcel received", "Paket eingegangen", "包裹已签收", "Paquete recibido", "Colis reçu"],
    ),
    (
        "news.received.body",
        [
            "Your parcel has arrived at our warehouse. We will check the items next.",
            "Ihr Paket ist in unserem Lager eingetroffen. Als Nächstes prüfen wir die Artikel.",
            "您的包裹已到达我们的仓库，我们将尽快检查商品。",
            "Su paquete ha llegado a nuestro almacén. A continuación revisaremos los artículos.",
            "Votre colis est arrivé à notre entrepôt. Nous allons maintenant vérifier les articles.",
        ],
    ),
    (
        "news.inspected",
        ["Items checked", "Artikel geprüft", "商品已检查", "Artículos revisados", "Articles vérifiés"],
    ),
    (
        "news.inspected.body",
        [
            "We have checked your items. Your return page shows the outcome.",
            "Wir haben Ihre Artikel geprüft. Das Ergebnis finden Sie auf Ihrer Rücksendeseite.",
            "我们已检查您的商品，结果请见退货页面。",
            "Hemos revisado sus artículos. El resultado está en su página de devolución.",
            "Nous avons vérifié vos articles. Le résultat est sur votre page de retour.",
        ],
    ),
    (
        "news.refund_triggered",
        ["Refund on its way", "Erstattung veranlasst", "退款处理中", "Reembolso en camino", "Remboursement en cours"],
    ),
    (
        "news.refund_triggered.body",
        [
            "We have checked your items and your refund is on its way.",
            "Wir haben Ihre Artikel geprüft und Ihre Erstattung veranlasst.",
            "我们已检查您的商品，退款正在处理中。",
            "Hemos revisado sus artículos y su reembolso está en camino.",
            "Nous avons vérifié vos articles et votre remboursement est en cours.",
        ],
    ),
    (
        "news.cancelled",
        ["Cancelled", "Storniert", "已取消", "Cancelada", "Annulée"],
    ),
    (
        "news.cancelled.body",
        [
            "Your return has been cancelled. If that is a mistake, you can start a new one from our returns page.",
            "Ihre Rücksendung wurde storniert. Falls das ein Irrtum ist, können Sie auf unserer Rücksendeseite eine neue beginnen.",
            "您的退货已取消。如有误，可在退货页面重新申请。",
            "Su devolución ha sido cancelada. Si es un error, puede iniciar otra desde nuestra página de devoluciones.",
            "Votre retour a été annulé. S'il s'agit d'une erreur, vous pouvez en commencer un nouveau sur notre page de retours.",
        ],
    ),
    (
        "news.expired",
        ["Label expired", "Etikett abgelaufen", "标签已过期", "Etiqueta caducada", "Étiquette expirée"],
    ),
    (
        "news.expired.body",
        [
            "Your return label was not used in time and has expired. You can start a new return from our returns page.",
            "Ihr Rücksendeetikett wurde nicht rechtzeitig genutzt und ist abgelaufen. Auf unserer Rücksendeseite können Sie eine neue Rücksendung beginnen.",
            "您的退货标签未在有效期内使用，已过期。可在退货页面重新申请退货。",
            "Su etiqueta de devolución no se usó a tiempo y ha caducado. Puede iniciar una nueva devolución desde nuestra página de devoluciones.",
            "Votre étiquette de retour n'a pas été utilisée à temps et a expiré. Vous pouvez commencer un nouveau retour sur notre page de retours.",
        ],
    ),
    (
        "hello",
        ["Hello {name},", "Hallo {name},", "{name}，您好：", "Hola, {name}:", "Bonjour {name},"],
    ),
    (
        "open_return",
        [
            "See your return",
            "Ihre Rücksendung ansehen",
            "查看您的退货",
            "Ver su devolución",
            "Voir votre retour",
        ],
    ),
    (
        "returnable_until",
        [
            "Returnable until",
            "Rückgabe bis",
            "可退货截止",
            "Devolución hasta",
            "Retour jusqu'au",
        ],
    ),
    (
        "days_from_delivery",
        [
            "{n} days from delivery",
            "{n} Tage ab Zustellung",
            "送达后 {n} 天",
            "{n} días desde la entrega",
            "{n} jours après la livraison",
        ],
    ),
    (
        "if_faulty",
        [
            "if damaged or defective",
            "wenn beschädigt oder defekt",
            "如有损坏或缺陷",
            "si está dañado o defectuoso",
            "si endommagé ou défectueux",
        ],
    ),
    (
        "show_qr",
        [
            "No printer? Show this code at the drop-off point: it holds the tracking number.",
            "Kein Drucker? Zeigen Sie diesen Code in der Annahmestelle: Er enthält die Sendungsnummer.",
            "没有打印机？在投递点出示此二维码：其中包含运单号。",
            "¿Sin impresora? Muestre este código en el punto de entrega: contiene el número de seguimiento.",
            "Pas d'imprimante ? Montrez ce code au point de dépôt : il contient le numéro de suivi.",
        ],
    ),
    (
        "photos_sent",
        [
            "Photos sent",
            "Gesendete Fotos",
            "已发送照片",
            "Fotos enviadas",
            "Photos envoyées",
        ],
    ),
    (
        "photos",
        [
            "Photos of the item (JPEG, PNG or HEIC, up to 5 MB each)",
            "Fotos des Artikels (JPEG, PNG oder HEIC, je bis 5 MB)",
            "商品照片（JPEG、PNG 或 HEIC，每张不超过 5 MB）",
            "Fotos del artículo (JPEG, PNG o HEIC, hasta 5 MB cada una)",
            "Photos de l'article (JPEG, PNG ou HEIC, 5 Mo max. chacune)",
        ],
    ),
    (
        "incidents",
        [
            "Open incidents",
            "Offene Vorfälle",
            "未处理事件",
            "Incidencias abiertas",
            "Incidents ouverts",
        ],
    ),
    ("kind", ["Kind", "Art", "类型", "Tipo", "Type"]),
    (
        "detail",
        ["Detail", "Einzelheiten", "详情", "Detalle", "Détail"],
    ),
    ("action", ["Action", "Maßnahme", "处理", "Acción", "Action"]),
    (
        "claim_reference",
        [
            "Claim reference",
            "Schadensnummer",
            "索赔编号",
            "Referencia de reclamación",
            "Référence de réclamation",
        ],
    ),
    (
        "resolve",
        ["Resolve", "Erledigen", "处理完成", "Resolver", "Résoudre"],
    ),
    (
        "stalled",
        [
            "Stalled returns (no news for 7 days)",
            "Stockende Rücksendungen (7 Tage ohne Neuigkeit)",
            "停滞的退货（7 天无进展）",
            "Devoluciones estancadas (7 días sin novedades)",
            "Retours bloqués (7 jours sans nouvelles)",
        ],
    ),
    ("since", ["Since", "Seit", "起始", "Desde", "Depuis"]),
    (
        "by_reason",
        [
            "Returned items by reason",
            "Rücksendungen nach Grund",
            "按原因的退货",
            "Devoluciones por motivo",
            "Retours par motif",
        ],
    ),
    (
        "by_sku",
        [
            "Returned items by SKU (top 10)",
            "Rücksendungen nach Artikel (Top 10)",
            "按 SKU 的退货（前 10）",
            "Devoluciones por SKU (top 10)",
            "Retours par SKU (top 10)",
        ],
    ),
    (
        "by_category",
        [
            "Returned items by category",
            "Rücksendungen nach Kategorie",
            "按类别的退货",
            "Devoluciones por categoría",
            "Retours par catégorie",
        ],
    ),
    (
        "return_rate",
        [
            "Return rate",
            "Rücksendequote",
            "退货率",
            "Tasa de devolución",
            "Taux de retour",
        ],
    ),
    (
        "transit",
        [
            "Average transit (hours)",
            "Durchschnittliche Laufzeit (Stunden)",
            "平均运输时间（小时）",
            "Tránsito medio (horas)",
            "Transit moyen (heures)",
        ],
    ),
    (
        "loss_rate",
        [
            "Loss rate (%)",
            "Verlustquote (%)",
            "丢件率（%）",
            "Tasa de pérdida (%)",
            "Taux de perte (%)",
        ],
    ),
    (
        "refund_totals",
        [
            "Refunds per day (last 30 days)",
            "Erstattungen pro Tag (letzte 30 Tage)",
            "每日退款（近 30 天）",
            "Reembolsos por día (últimos 30 días)",
            "Remboursements par jour (30 derniers jours)",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phrase_in_every_language() {
        for (key, words) in PHRASES {
            assert!(words.iter().all(|w| !w.is_empty()), "{key}");
        }
        assert_eq!(Lang::De.t("sign_in"), "Anmelden");
        assert_eq!(Lang::Zh.t("scan"), "扫描");
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
            ("en", "DE", Lang::De),
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
            .chain(crate::db::refunds::TRIGGER_STATUSES)
            .chain([
                "manual_review",
                "passed",
                "partial",
                "failed",
                "original_payment",
            ]);
        for code in codes {
            let key = format!("w.{code}");
            assert!(PHRASES.iter().any(|(k, _)| *k == key), "{key}");
        }
        assert_eq!(Lang::De.word("size_too_small"), "zu klein");
        assert_eq!(Lang::En.word("no_such_value"), "no such value");
    }

    #[test]
    fn decision_rules_in_the_customers_language() {
        use crate::domain::policy::AppliedRule;
        let json =
            |v: serde_json::Value| -> AppliedRule { serde_json::from_value(v).expect("rule") };
        let open = json(
            serde_json::json!({"rule": "window_open", "effect": "returnable until 2026-12-18 (30 days from delivery on 2026-11-18)",
            "params": {"days": "30", "delivered": "2026-11-18", "ends": "2026-12-18"}}),
        );
        assert_eq!(
            Lang::De.rule(&open),
            "Rückgabe bis 18.12.2026 (30 Tage ab Zustellung am 18.11.2026)"
        );
        assert_eq!(
            Lang::En.rule(&open),
            open.effect,
            "English is the decision's own"
        );
        let fee = json(
            serde_json::json!({"rule": "restocking_fee", "effect": "10 % restocking fee",
            "params": {"percent": "10", "reason": "changed_mind", "fee": "1234.50", "currency": "EUR"}}),
        );
        assert_eq!(
            Lang::Fr.rule(&fee),
            "10 % de frais de remise en stock pour « j'ai changé d'avis » : 1\u{202f}234,50 EUR"
        );
        let covered = json(
            serde_json::json!({"rule": "statutory.eu_withdrawal", "effect": "EU (14 days) is covered",
            "params": {"variant": "covered", "name": "EU", "days": "14"}}),
        );
        assert_eq!(
            Lang::Es.rule(&covered),
            "EU (14 días) queda cubierto por el plazo más largo"
        );
        // A rule without a phrase, or missing a fact, keeps the decision's words.
        let unknown = json(serde_json::json!({"rule": "something_new", "effect": "as decided"}));
        assert_eq!(Lang::Zh.rule(&unknown), "as decided");
        let short = json(
            serde_json::json!({"rule": "window_open", "effect": "as decided", "params": {"days": "30"}}),
        );
        assert_eq!(Lang::De.rule(&short), "as decided");
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::negotiate("de-DE,de;q=0.9,en;q=0.8"), Lang::De);
        assert_eq!(Lang::negotiate("ja, zh-CN;q=0.7, fr;q=0.8"), Lang::Fr);
        assert_eq!(Lang::negotiate("pt-BR"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
    }
}
