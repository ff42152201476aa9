//! The pages, server-rendered: the customer portal, and for staff the sign-in, the
//! warehouse bench and inspection, finance and operations. Each page is a thin layer over
//! the services the JSON API uses. Sessions live in HttpOnly,
//! SameSite=Strict cookies (Secure unless `web.secure_cookies` is off); every form
//! carries a CSRF token checked on submit (the session's, or before sign-in a
//! double-submit cookie).

mod finance;

/// The signed-in staff member allowed one of `$roles`, or returns from the handler
/// with the sign-in redirect or the 403 page.
macro_rules! signed_in {
    ($req:expr, $state:expr, $roles:expr) => {
        match $crate::web::require($req, $state, $roles).await {
            Ok(staff) => staff,
            Err(response) => return response,
        }
    };
}
use signed_in;

/// The signed-in staff member allowed one of `$roles` and their submitted form (a
/// `web::Form<HashMap<String, String>>`), once its CSRF token checks out; otherwise
/// returns from the handler with the sign-in redirect, the 403 or the expired-form page.
macro_rules! signed_form {
    ($req:expr, $state:expr, $roles:expr, $form:expr) => {{
        let staff = $crate::web::signed_in!($req, $state, $roles);
        let form: std::collections::HashMap<String, String> = $form.into_inner();
        if !$crate::web::csrf_ok(&staff.csrf, form.get("csrf").map(String::as_str)) {
            return $crate::web::expired_form($req, $state, Some(&staff));
        }
        (staff, form)
    }};
}
use signed_form;
mod inspect;
mod ops;
mod portal;
mod queues;
mod replacements;
mod scan;
mod search;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;

use crate::api::client::client_ip;
use crate::api::json::read_body;
use crate::api::state::AppState;
use crate::auth::Principal;
use crate::db::staff::{self, StaffRow};
use crate::db::DbConnection;
use crate::domain::throttle::ThrottleRule;
use crate::domain::Role;
use crate::error::AppError;
use crate::guesses::{self, GuessKey};
use crate::i18n::Lang;
use crate::paging::Page;
use crate::photos::{self, Photo};
use std::collections::HashMap;

const SESSION: &str = "bh_session";
const LOGIN_CSRF: &str = "bh_login_csrf";
/// Marks a browser that signed in as a user before (see [`sign_in_keys`]).
const KNOWN_DEVICE: &str = "bh_known";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", get_or_head().to(|| async { redirect("/returns") }))
        .route(
            "/returns/",
            get_or_head().to(|| async { redirect("/returns") }),
        )
        .route("/warehouse", get_or_head().to(staff_home))
        .route("/warehouse/", get_or_head().to(staff_home))
        .route("/login", get_or_head().to(login_page))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/warehouse/scan", get_or_head().to(scan::page))
        .route("/warehouse/scan", web::post().to(scan::submit))
        .route("/warehouse/parcels", get_or_head().to(scan::parcels))
        .route("/warehouse/arriving", get_or_head().to(queues::arriving))
        .route(
            "/warehouse/to-inspect",
            get_or_head().to(queues::to_inspect),
        )
        .route(
            "/warehouse/replacements",
            get_or_head().to(replacements::page),
        )
        .route(
            "/warehouse/replacements/{id}/shipped",
            web::post().to(replacements::shipped),
        )
        .route(
            "/warehouse/replacements/{id}/packing-slip.pdf",
            get_or_head().to(replacements::packing_slip),
        )
        .route("/staff/search", get_or_head().to(search::page))
        .route("/warehouse/parcels/{id}/link", web::post().to(scan::link))
        .route(
            "/warehouse/rmas/{number}/inspect",
            get_or_head().to(inspect::page),
        )
        .route(
            "/warehouse/rmas/{number}/inspect",
            web::post().to(inspect::submit),
        )
        .route(
            "/warehouse/rmas/{number}/photos/{id}",
            get_or_head().to(inspect::photo),
        )
        .route("/returns", get_or_head().to(portal::lookup_page))
        .route("/returns", web::post().to(portal::lookup))
        .route("/returns/order", get_or_head().to(portal::order_page))
        .route("/returns/quote", get_or_head().to(portal::quote))
        .route("/returns/quote", web::post().to(portal::quote_posted))
        .route("/returns/confirm", web::post().to(portal::confirm))
        .route("/returns/rmas/{number}", get_or_head().to(portal::status))
        .route(
            "/returns/rmas/{number}/label",
            web::post().to(portal::issue_label),
        )
        .route(
            "/returns/rmas/{number}/label.pdf",
            get_or_head().to(portal::label),
        )
        .route(
            "/returns/rmas/{number}/packing-slip.pdf",
            get_or_head().to(portal::packing_slip),
        )
        .route("/ops", get_or_head().to(ops::page))
        .route("/ops/rmas", get_or_head().to(ops::rma_list))
        .route("/ops/rmas.csv", get_or_head().to(ops::rma_csv))
        .route("/ops/incidents/{id}/resolve", web::post().to(ops::resolve))
        .route("/ops/rmas/{number}/review", web::post().to(ops::review))
        .route("/finance/refunds", get_or_head().to(finance::page))
        .route("/finance/refunds.csv", get_or_head().to(finance::csv))
        .route(
            "/finance/refunds/acknowledge",
            web::post().to(finance::acknowledge_selected),
        )
        .route(
            "/finance/refunds/{id}/acknowledge",
            web::post().to(finance::acknowledge),
        );
}

/// A page route for GET, and for HEAD, which answers the same headers without the
/// body (actix leaves the body out of a HEAD answer).
fn get_or_head() -> actix_web::Route {
    use actix_web::guard;
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// A signed-in member of staff.
pub struct Staff {
    pub user: StaffRow,
    pub role: Role,
    pub csrf: String,
}

impl Staff {
    /// The signed-in user as the use cases know a caller (the same actor as
    /// [`Staff::actor`]).
    pub fn principal(&self) -> Principal {
        Principal::Staff {
            key_id: self.user.username.clone(),
            role: self.role,
        }
    }

    pub fn actor(&self) -> String {
        self.principal().actor()
    }
}

pub fn cookie<'a>(state: &AppState, name: &'a str, value: String) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.web.secure_cookies)
        .finish()
}

/// How a list runs, which its page links name: newest first ("Newest", "Older") or as
/// a queue, the longest waiting first ("First page", "Next page").
#[derive(Debug, Clone, Copy)]
pub enum ListOrder {
    NewestFirst,
    Queue,
}

/// The links between the pages of a list: back to its first page (`first`, when not
/// on it) and on to the next (`next`, when there is one); nothing for a single page.
pub fn page_links(lang: Lang, order: ListOrder, first: Option<&str>, next: Option<&str>) -> Markup {
    let (back, on) = match order {
        ListOrder::NewestFirst => ("newest", "older"),
        ListOrder::Queue => ("first_page", "next_page"),
    };
    html! {
        @if first.is_some() || next.is_some() {
            nav.paging aria-label=(lang.t("pages")) {
                @if let Some(first) = first { a href=(first) rel="first" { "« " (lang.t(back)) } " " }
                @if let Some(next) = next { a href=(next) rel="next" { (lang.t(on)) " »" } }
            }
        }
    }
}

/// The page frame: language, title, the language switcher, the body.
pub fn layout(lang: Lang, title: &str, staff: Option<&Staff>, body: Markup) -> Markup {
    layout_at(lang, title, staff, "", body)
}

/// A language link that keeps the rest of the page's query (`?q=…&lang=de`), so a
/// page made from its query (a decision, a filtered list) stays the same page.
fn lang_href(query: &str, code: &str) -> String {
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
        .collect();
    match kept.is_empty() {
        true => format!("?lang={code}"),
        false => format!("?{}&lang={code}", kept.join("&")),
    }
}

/// [`layout`] for a page made from its query string `query`.
pub fn layout_at(
    lang: Lang,
    title: &str,
    staff: Option<&Staff>,
    query: &str,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Backhaul" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    strong { "Backhaul" }
                    @if let Some(s) = staff {
                        nav.pages aria-label=(lang.t("pages")) {
                            @for (href, key, roles) in STAFF_PAGES {
                                @if s.role == Role::Admin || roles.contains(&s.role) {
                                    a href=(href) { (lang.t(key)) }
                                }
                            }
                        }
                        form.search role="search" method="get" action="/staff/search" {
                            @let hint = match crate::staff_search::sees_emails(s.role) {
                                true => lang.t("search_label"),
                                false => lang.t("search_label_box"),
                            };
                            label for="staff-q" class="sr" { (hint) }
                            input #staff-q type="search" name="q" placeholder=(hint);
                            button type="submit" { (lang.t("search")) }
                        }
                        span.who { (s.user.username) " (" (s.role) ")" }
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            button type="submit" { (lang.t("sign_out")) }
                        }
                    }
                    nav.langs aria-label=(lang.t("language")) {
                        @for l in Lang::ALL {
                            a href=(lang_href(query, l.code())) lang=(l.code()) aria-current=[(l == lang).then_some("true")] { (l.name()) }
                        }
                    }
                }
                main { (body) }
                // Customers' pages show times in their zone; staff pages say UTC.
                @if staff.is_none() { script { (PreEscaped(TIME_ZONE)) } }
            }
        }
    }
}

/// The cookie holding the browser's time zone (an IANA name such as Europe/Berlin).
pub const TIME_ZONE_COOKIE: &str = "tz";

/// Tells us the browser's time zone, so customers read times in their own. Allowed
/// by its hash in the Content-Security-Policy.
const TIME_ZONE: &str = "try{document.cookie='tz='+encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone)+';path=/;max-age=31536000;samesite=lax';}catch(e){}";

/// Where a member of staff lands after signing in, when no page asked for it.
fn home_of(role: Role) -> &'static str {
    match role {
        Role::Finance => "/finance/refunds",
        Role::Admin => "/ops",
        _ => "/warehouse/scan",
    }
}

/// Headers every answer carries, and on pages the Content-Security-Policy: our own
/// origin only, inline styles, the scan station's two scripts and the time-zone one by
/// their hashes, no
/// framing, forms posting only to us.
pub fn secure_headers(headers: &mut header::HeaderMap) {
    use header::HeaderValue;
    static POLICY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use base64::Engine;
        use sha2::Digest;
        let scripts: Vec<String> = scan::SCRIPTS
            .iter()
            .chain([&TIME_ZONE])
            .map(|s| {
                let digest = sha2::Sha256::digest(s.as_bytes());
                format!(
                    "'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                )
            })
            .collect();
        format!(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             script-src {}; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; \
             object-src 'none'",
            scripts.join(" ")
        )
    });
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        if let Ok(policy) = HeaderValue::from_str(&POLICY) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Status links carry a token in their address: it must not leave this site.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// The staff pages, and who besides admins uses each: the header links to them.
const STAFF_PAGES: &[(&str, &str, &[Role])] = &[
    ("/warehouse/scan", "scan_station", &[Role::Warehouse]),
    ("/warehouse/arriving", "arriving", &[Role::Warehouse]),
    ("/warehouse/to-inspect", "to_inspect", &[Role::Warehouse]),
    (
        "/warehouse/parcels",
        "unmatched_parcels",
        &[Role::Warehouse],
    ),
    (
        "/warehouse/replacements",
        "replacements",
        &[Role::Warehouse],
    ),
    ("/finance/refunds", "refunds", &[Role::Finance]),
    ("/ops", "operations", &[]),
];

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#111}\
header{display:flex;gap:1em;align-items:center;padding:.5em 1em;background:#f2f2f2;flex-wrap:wrap}\
header form{display:inline}.langs,.pages{display:flex;flex-wrap:wrap;gap:.2em .8em}.langs a,.pages a{white-space:nowrap}main{padding:1em;max-width:60em}\
label{display:block;margin-top:.6em}input{font-size:1.2rem;padding:.3em;width:100%;max-width:30em}\
input,select,button{min-height:44px;box-sizing:border-box}select{font-size:1rem;max-width:100%}\
input[type=checkbox]{min-height:0;width:1.5em;height:1.5em}\
button{font-size:1.1em;padding:.3em 1em;margin-top:.6em}.error{color:#a00}\
.result{font-size:2em;padding:.5em;margin:.5em 0;border-radius:.3em}\
.matched{background:#d8f5d8}.already_received{background:#fff3c4}.unmatched{background:#ffd6d6}\
.wrong_warehouse{background:#a00;color:#fff}.typo{background:#ffe0b3}\
a.button{display:inline-block;min-height:44px;box-sizing:border-box;padding:.6em 1em;background:#1a56b0;color:#fff;border-radius:.3em;text-decoration:none}\
.id{white-space:nowrap}.num{text-align:right}.inline label,.inline select{display:inline-block;margin-right:.5em}\
header form.search input{width:12em;font-size:1em}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}\
.waiting{background:#e8eefc}.steps{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3em}\
.steps li{padding:.3em .6em;border:1px solid #bbb;border-radius:1em;color:#555}\
.steps li.done{background:#d8f5d8;color:#111;border-color:#8c8}\
.steps li[aria-current]{font-weight:bold;border-width:2px}.next{font-size:1.1em}\
.wrong{font-size:1.5em;color:#a00;font-weight:bold}.calc{margin:0;padding-left:1em;font-size:.85em}\
caption{text-align:left;font-weight:bold;padding:.3em 0}.paging a{margin-right:1em}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}\
@media (max-width:40em){table,tr,td{display:block}tr:has(th){display:none}\
tr{border-top:1px solid #ccc;padding:.4em 0}td{border:0;padding:.15em 0}\
td[data-label]::before{content:attr(data-label) \": \";font-weight:bold}}";

/// Sets the language cookie when the switcher was used (`?lang=de`).
fn remember_lang(req: &HttpRequest, state: &AppState, response: &mut HttpResponse) {
    let chosen = web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.lang.as_deref().and_then(Lang::parse));
    if let Some(lang) = chosen {
        let mut c = cookie(state, "lang", lang.code().to_string());
        c.set_http_only(false);
        let _ = response.add_cookie(&c);
    }
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// The language the browser asked for: the switcher's cookie, else Accept-Language.
fn request_lang(req: &HttpRequest) -> Lang {
    if let Some(lang) = req.cookie("lang").and_then(|c| Lang::parse(c.value())) {
        return lang;
    }
    let header = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Lang::negotiate(header)
}

/// The request's language, including a switch in this very request.
pub fn lang_of(req: &HttpRequest) -> Lang {
    web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.lang.as_deref().and_then(Lang::parse))
        .unwrap_or_else(|| request_lang(req))
}

pub fn page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    markup: Markup,
) -> HttpResponse {
    let mut response = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string());
    remember_lang(req, state, &mut response);
    response
}

/// A PDF to download as `name`.
fn pdf_download(name: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes)
}

/// Rows as CSV (the header first when given), each cell made safe to open in a
/// spreadsheet.
fn csv_rows<const N: usize>(
    header: Option<[&str; N]>,
    rows: impl IntoIterator<Item = [String; N]>,
) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| AppError::Internal(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    if let Some(header) = header {
        w.write_record(header).map_err(fail)?;
    }
    for row in rows {
        let cells = row.iter().map(|c| crate::domain::spreadsheet::safe_cell(c));
        w.write_record(cells).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Every page of a list as a CSV file to download as `filename`, never cached (it
/// holds customers' data). The first page is read before answering, so a bad filter
/// is an error page; the rest are read and sent one at a time as the client takes
/// them, so memory holds one page however many rows match. A page failing later ends
/// the download unfinished (the client sees a broken transfer, never a short file
/// that looks whole).
pub async fn csv_download<T, const N: usize>(
    db: &crate::db::Db,
    filename: &str,
    header: [&'static str; N],
    read: impl Fn(&mut DbConnection, Option<&str>) -> Result<Page<T>, AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    row: fn(&T) -> [String; N],
) -> Result<HttpResponse, AppError>
where
    T: Send + 'static,
{
    let first_read = read.clone();
    let first = db.read(move |c| first_read(c, None)).await?;
    let bytes = csv_rows(Some(header), first.rows.iter().map(row))?;
    let db = db.clone();
    let rest = futures_util::stream::unfold(first.next_cursor, move |cursor| {
        let (db, read) = (db.clone(), read.clone());
        async move {
            let cursor = cursor?;
            let page = db
                .read(move |c| read(c, Some(&cursor)))
                .await
                .and_then(|page| {
                    Ok((csv_rows(None, page.rows.iter().map(row))?, page.next_cursor))
                });
            Some(match page {
                Ok((bytes, next)) => (Ok(web::Bytes::from(bytes)), next),
                Err(e) => {
                    tracing::error!(error = %e, "a CSV download stopped part way");
                    (Err(e), None)
                }
            })
        }
    });
    let body = futures_util::stream::once(async move { Ok(web::Bytes::from(bytes)) }).chain(rest);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

/// `response` with `Retry-After` (the page itself says how long in words).
pub fn retry_after(mut response: HttpResponse, seconds: u64) -> HttpResponse {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    response
}

/// `/warehouse`: each role's own page, or the sign-in page first.
async fn staff_home(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    match require(&req, &state, Role::ALL).await {
        Ok(staff) => redirect(home_of(staff.role)),
        Err(answer) => answer,
    }
}

pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// The signed-in staff member allowed one of `roles` (admin always), or the response
/// to send instead: the sign-in page for nobody, a 403 page for the wrong role.
pub async fn require(
    req: &HttpRequest,
    state: &AppState,
    roles: &[Role],
) -> Result<Staff, HttpResponse> {
    let lang = lang_of(req);
    let token = req.cookie(SESSION).map(|c| c.value().to_string());
    let now = state.clock.now();
    let found = match token {
        Some(token) => state
            .db
            .read(move |c| staff::session(c, &token, now))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let Some((user, session)) = found else {
        let next = req.uri().path();
        return Err(redirect(&format!("/login?next={next}")));
    };
    let role: Role = user.role.parse().unwrap_or(Role::Integration);
    let staff = Staff {
        user,
        role,
        csrf: session.csrf_token,
    };
    if role != Role::Admin && !roles.contains(&role) {
        let body = html! {
            p.error role="alert" { (lang.t("forbidden")) }
            p { a href=(home_of(role)) { (lang.t("to_your_page")) } }
        };
        return Err(page(
            req,
            state,
            StatusCode::FORBIDDEN,
            layout(lang, &lang.t("forbidden"), Some(&staff), body),
        ));
    }
    Ok(staff)
}

/// Checks a submitted CSRF token against the expected one, in constant time.
pub fn csrf_ok(expected: &str, submitted: Option<&str>) -> bool {
    submitted.is_some_and(|s| crate::domain::secret_eq(s.as_bytes(), expected.as_bytes()))
}

/// The page to answer a form whose CSRF token did not match.
pub fn expired_form(req: &HttpRequest, state: &AppState, staff: Option<&Staff>) -> HttpResponse {
    notice(req, state, staff, StatusCode::FORBIDDEN, "expired_form")
}

/// A page that only says the phrase `key`, with `status`.
pub fn notice(
    req: &HttpRequest,
    state: &AppState,
    staff: Option<&Staff>,
    status: StatusCode,
    key: &str,
) -> HttpResponse {
    let lang = lang_of(req);
    let body = html! { p.error role="alert" { (lang.t(key)) } };
    page(req, state, status, layout(lang, &lang.t(key), staff, body))
}

/// What went wrong, for a person: the fields and reasons of a bad form, or the error.
pub fn error_words(lang: Lang, error: &AppError) -> String {
    if let Some(errors) = error.field_errors() {
        return crate::domain::first_field_errors(errors)
            .iter()
            .map(|f| match f.field.as_str() {
                "" => f.message.clone(),
                field => format!("{field}: {}", f.message),
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    match error {
        AppError::Db(_) | AppError::Internal(_) => {
            let error = crate::telemetry::bounded(&error.to_string(), 500);
            tracing::error!(error, "page failed");
            lang.t("service_failed").into_owned()
        }
        AppError::NotFound { .. } => lang.t("not_found").to_string(),
        other => other.to_string(),
    }
}

/// Any address no route answers: a problem for the API and the machine endpoints, a
/// page in the visitor's language with the way to the portal (and sign-in) for people.
pub async fn no_such_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    use actix_web::ResponseError;
    let path = req.path();
    if ["/api", "/metrics", "/healthz"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
    {
        return AppError::not_found("route").error_response();
    }
    let lang = lang_of(&req);
    let body = html! {
        p.error role="alert" { (lang.t("no_such_page")) }
        p { a href="/returns" { (lang.t("find_order")) } " · " a href="/login" { (lang.t("sign_in")) } }
    };
    page(
        &req,
        &state,
        StatusCode::NOT_FOUND,
        layout(lang, &lang.t("not_found"), None, body),
    )
}

/// A page saying what went wrong, with the status the API would answer.
pub fn error_page(
    req: &HttpRequest,
    state: &AppState,
    staff: Option<&Staff>,
    error: &AppError,
) -> HttpResponse {
    use actix_web::ResponseError;
    let lang = lang_of(req);
    let message = error_words(lang, error);
    // Never a dead end: staff back to their own page, customers to the portal.
    let (onward, words) = match staff {
        Some(s) => (home_of(s.role), "to_your_page"),
        None => ("/returns", "find_order"),
    };
    let body = html! {
        p.error role="alert" { (message) }
        p { a href=(onward) { (lang.t(words)) } }
    };
    page(
        req,
        state,
        error.status_code(),
        layout(lang, &message, staff, body),
    )
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a path on this site, never an open redirect: it starts with one `/` (not `//`
/// or `/\\`, which browsers read as another host), and is printable ASCII without a
/// backslash (browsers drop a TAB or newline and then see `//host`; a newline or a
/// non-ASCII character cannot go in a Location header at all; a real path arrives
/// percent-encoded). Anything else goes to `home`.
pub fn safe_next(next: Option<&str>, home: &str) -> String {
    let same_site = |n: &str| {
        let mut chars = n.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/' | '\\'))
            && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
    };
    match next {
        Some(n) if same_site(n) => n.to_string(),
        _ => home.to_string(),
    }
}

/// The keys a sign-in counts against (see [`crate::guesses`]): the username from this
/// address (forgotten when it signs in), the address, and the username from everywhere
/// unless this browser has signed in as them before.
fn sign_in_keys(
    settings: &crate::config::WebSettings,
    username: &str,
    ip: &str,
    known_device: bool,
) -> Vec<GuessKey> {
    let user = username.to_lowercase();
    let rule = |free| ThrottleRule::hourly(free, chrono::Duration::minutes(15));
    let mut keys = vec![
        GuessKey::new(
            format!("sign-in:user+address:{user}|{ip}"),
            rule(settings.sign_in_failures_per_user_and_address),
        ),
        GuessKey::new(
            format!("sign-in:address:{ip}"),
            rule(settings.sign_in_failures_per_address),
        ),
    ];
    if !known_device {
        keys.push(GuessKey::new(
            format!("sign-in:user:{user}"),
            rule(settings.sign_in_failures_per_user),
        ));
    }
    keys
}

fn login_form(lang: Lang, csrf: &str, next: &str, error: Option<String>) -> Markup {
    let body = html! {
        h1 { (lang.t("sign_in")) }
        @if let Some(error) = error { p.error role="alert" { (error) } }
        form method="post" action="/login" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            label for="username" { (lang.t("username")) }
            input #username name="username" autocomplete="username" required autofocus;
            label for="password" { (lang.t("password")) }
            input #password name="password" type="password" autocomplete="current-password" required;
            button type="submit" { (lang.t("sign_in")) }
        }
    };
    layout(lang, &lang.t("sign_in"), None, body)
}

async fn login_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let lang = lang_of(&req);
    let next = web::Query::<NextQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.next.clone());
    let csrf = staff::random_token();
    let mut response = page(
        &req,
        &state,
        StatusCode::OK,
        login_form(lang, &csrf, &safe_next(next.as_deref(), ""), None),
    );
    let _ = response.add_cookie(&cookie(&state, LOGIN_CSRF, csrf));
    response
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let expected = req
        .cookie(LOGIN_CSRF)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if expected.is_empty() || !csrf_ok(&expected, Some(&form.csrf)) {
        return Ok(expired_form(&req, &state, None));
    }
    let lang = lang_of(&req);
    let username = form.username.trim().to_string();
    let now = state.clock.now();
    let ip = client_ip(&req, &state.proxies);
    let name = username.clone();
    let user = state.db.read(move |c| staff::find_user(c, &name)).await?;
    // A browser this user signed in with before (with this password) skips the
    // per-user count, so someone guessing elsewhere cannot keep them out.
    let known_device = match (&user, req.cookie(KNOWN_DEVICE)) {
        (Some(u), Some(mark)) => {
            state
                .tokens
                .device_mark_ok(mark.value(), &username, &u.password_hash, now)
        }
        _ => false,
    };
    let keys = sign_in_keys(&state.settings.web, &username, &ip, known_device);
    let counted = match guesses::attempt(&state.db, &keys, now).await? {
        Ok(counted) => counted,
        Err(blocked) => {
            tracing::info!("staff sign-in refused: too many failures");
            let next = safe_next(form.next.as_deref(), "");
            let wait = Some(lang.too_many(blocked.retry_after_secs));
            let markup = login_form(lang, &expected, &next, wait);
            let response = page(&req, &state, StatusCode::TOO_MANY_REQUESTS, markup);
            return Ok(retry_after(response, blocked.retry_after_secs));
        }
    };
    let user = {
        // Hashing waits for a free slot here rather than holding a database connection.
        let _slot = state
            .password_checks
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let password = form.password.clone();
        tokio::task::spawn_blocking(move || staff::check_password(user, &password))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let Some(user) = user else {
        // Counted as a failure already, before the password was checked.
        let next = safe_next(form.next.as_deref(), "");
        tracing::info!("staff sign-in refused");
        return Ok(page(
            &req,
            &state,
            StatusCode::UNAUTHORIZED,
            login_form(
                lang,
                &expected,
                &next,
                Some(lang.t("wrong_login").to_string()),
            ),
        ));
    };
    guesses::succeeded(&state.db, &keys, counted, &[0]).await?;
    let until = now + chrono::Duration::hours(state.settings.web.session_hours.max(1));
    let (user_id, user_role) = (user.id.clone(), user.role.clone());
    let user_password_hash = user.password_hash.clone();
    let (token, _) = state
        .db
        .write(move |c| staff::start_session(c, &user_id, now, until))
        .await?;
    let role: Role = user_role.parse().unwrap_or(Role::Integration);
    let mut response = redirect(&safe_next(form.next.as_deref(), home_of(role)));
    let _ = response.add_cookie(&cookie(&state, SESSION, token));
    let mark = state
        .tokens
        .device_mark(&username, &user_password_hash, now);
    let mut known = cookie(&state, KNOWN_DEVICE, mark);
    known.set_max_age(actix_web::cookie::time::Duration::days(365));
    let _ = response.add_cookie(&known);
    let mut spent = cookie(&state, LOGIN_CSRF, String::new());
    spent.make_removal();
    let _ = response.add_cookie(&spent);
    Ok(response)
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let staff = match require(&req, &state, Role::ALL).await {
        Ok(s) => s,
        Err(_) => return Ok(redirect("/login")),
    };
    if !csrf_ok(&staff.csrf, form.csrf.as_deref()) {
        return Ok(expired_form(&req, &state, Some(&staff)));
    }
    if let Some(token) = req.cookie(SESSION).map(|c| c.value().to_string()) {
        state
            .db
            .write(move |c| staff::end_session(c, &token))
            .await?;
    }
    let mut response = redirect("/login");
    let mut gone = cookie(&state, SESSION, String::new());
    gone.make_removal();
    let _ = response.add_cookie(&gone);
    Ok(response)
}

/// Why a submitted form was not read.
pub enum FormError {
    /// Its CSRF token is missing or not the expected one (checked before any photo).
    Expired,
    Bad(AppError),
}

impl From<AppError> for FormError {
    fn from(e: AppError) -> Self {
        FormError::Bad(e)
    }
}

/// A form sent urlencoded, or multipart with photos: its fields, and its photos (known
/// by their bytes, size-limited). File inputs left empty are skipped. The form's
/// `csrf` must be `expected_csrf`; in a multipart form it must come first, so a
/// forged form is refused before its files are read.
pub async fn read_form(
    req: &HttpRequest,
    mut payload: web::Payload,
    expected_csrf: &str,
) -> Result<(HashMap<String, String>, Vec<Photo>), FormError> {
    use futures_util::StreamExt;
    const FIELDS_BYTES: usize = 64 << 10;
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let body = read_body(&mut payload, FIELDS_BYTES).await?;
        let fields: HashMap<String, String> = serde_urlencoded::from_bytes(&body)
            .map_err(|e| AppError::invalid("body", e.to_string()))?;
        if expected_csrf.is_empty()
            || !csrf_ok(expected_csrf, fields.get("csrf").map(String::as_str))
        {
            return Err(FormError::Expired);
        }
        return Ok((fields, Vec::new()));
    }
    let mut fields = HashMap::new();
    let mut photos = Vec::new();
    let mut field_bytes = 0;
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|e| AppError::invalid("body", e.to_string()))?;
        let name = part.name().unwrap_or_default().to_string();
        let is_file = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .is_some();
        if fields.is_empty() && (is_file || name != "csrf") {
            return Err(FormError::Expired);
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|e| AppError::invalid(name.clone(), e.to_string()))?;
            bytes.extend_from_slice(&chunk);
            if is_file && bytes.len() > photos::MAX_BYTES {
                return Err(photos::too_large(&name).into());
            }
            if !is_file && field_bytes + bytes.len() > FIELDS_BYTES {
                return Err(AppError::PayloadTooLarge {
                    limit: FIELDS_BYTES,
                }
                .into());
            }
        }
        if fields.is_empty()
            && (expected_csrf.is_empty()
                || !csrf_ok(expected_csrf, std::str::from_utf8(&bytes).ok()))
        {
            return Err(FormError::Expired);
        }
        if !is_file {
            field_bytes += name.len() + bytes.len();
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        } else if !bytes.is_empty() {
            if photos.len() == photos::MAX_PER_RMA {
                return Err(AppError::invalid(
                    name,
                    format!("at most {} photos", photos::MAX_PER_RMA),
                )
                .into());
            }
            photos.push(Photo::read(&name, bytes)?);
        }
    }
    if fields.is_empty() {
        return Err(FormError::Expired);
    }
    Ok((fields, photos))
}

#[cfg(test)]
mod tests {
    use super::lang_href;

    #[test]
    fn language_links_keep_the_rest_of_the_query() {
        let cases = [
            ("", "de", "?lang=de"),
            ("lang=en", "de", "?lang=de"),
            (
                "q_1=1&r_1=damaged&lang=fr",
                "zh",
                "?q_1=1&r_1=damaged&lang=zh",
            ),
            ("q=R-1234&", "es", "?q=R-1234&lang=es"),
            ("flang=x&lang=en&x=1", "en", "?flang=x&x=1&lang=en"),
        ];
        for (query, code, href) in cases {
            assert_eq!(lang_href(query, code), href, "{query}");
        }
    }
}
