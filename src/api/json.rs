//! `ApiJson<T>`: the JSON body extractor for every POST. It enforces the size limit,
//! reports the failing field by its path (`lines[0].quantity`), and keeps a digest of
//! the raw body so an `Idempotency-Key` can tell a replay from a different request.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::api::state::AppState;
use crate::error::AppError;

pub struct ApiJson<T> {
    pub value: T,
    /// SHA-256 of method, path and body.
    pub digest: String,
}

/// Parses JSON, naming the field that failed. An empty body or a JSON `null` reads
/// as `{}`, so endpoints whose fields are all optional accept no body at all (the
/// document calls those bodies optional, and OpenAPI clients send `null` for none).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) || body.trim_ascii() == b"null" {
        b"{}"
    } else {
        body
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        // serde_path_to_error writes `?` for a segment it could not name (a map key
        // being read): the field is the known part of the path, or the whole body.
        let path = e.path().to_string();
        let known = path.trim_end_matches('?').trim_end_matches('.');
        let field = if known.is_empty() {
            "body".to_string()
        } else {
            known.to_string()
        };
        AppError::invalid(field, e.into_inner().to_string())
    })?;
    de.end()
        .map_err(|e| AppError::invalid("body", e.to_string()))?;
    Ok(value)
}

/// A request body as bytes, read up to the size limit (webhooks verify signatures over
/// the exact bytes), with the same digest `ApiJson` keeps.
pub struct RawBody {
    pub bytes: web::BytesMut,
    pub digest: String,
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let raw = RawBody::from_request(req, payload);
        Box::pin(async move {
            let raw = raw.await?;
            Ok(ApiJson {
                value: parse(&raw.bytes)?,
                digest: raw.digest,
            })
        })
    }
}

/// A request body read whole, refused with 413 as soon as it passes `limit` bytes.
pub async fn read_body<S>(payload: &mut S, limit: usize) -> Result<web::BytesMut, AppError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>> + Unpin,
{
    let mut body = web::BytesMut::new();
    while let Some(chunk) = futures_util::StreamExt::next(payload).await {
        let chunk = chunk.map_err(|e| AppError::invalid("body", e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl FromRequest for RawBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(1 << 20, |s| s.settings.server.max_body_bytes);
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut hasher = Sha256::new();
        hasher.update(req.method().as_str());
        hasher.update(b" ");
        hasher.update(req.path());
        hasher.update(b"\n");
        let mut payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|n| n > limit) {
                return Err(AppError::PayloadTooLarge { limit });
            }
            let body = read_body(&mut payload, limit).await?;
            hasher.update(&body);
            Ok(RawBody {
                bytes: body,
                digest: hex::encode(hasher.finalize()),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        lines: Vec<Line>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Line {
        quantity: i64,
    }

    fn field_of(body: &str) -> String {
        match parse::<Body>(body.as_bytes()) {
            Err(AppError::Validation(errors)) => errors[0].field.clone(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            field_of(r#"{"lines":[{"quantity":"2"}]}"#),
            "lines[0].quantity"
        );
        assert_eq!(field_of(r#"{"lines":[{"quantity":1},{}]}"#), "lines[1]");
        assert_eq!(field_of("{"), "body");
        assert_eq!(
            field_of(""),
            "body",
            "an empty body is {{}}, which lacks lines"
        );
        assert_eq!(field_of(r#"{"lines":[]} x"#), "body");
    }

    #[derive(Debug, Default, serde::Deserialize)]
    struct AllOptional {
        note: Option<String>,
    }

    #[test]
    fn no_body_and_null_read_as_an_empty_object() {
        for body in ["", "  ", "null", " null\n"] {
            let parsed = parse::<AllOptional>(body.as_bytes()).expect(body);
            assert_eq!(parsed.note, None, "{body:?}");
        }
        assert!(parse::<AllOptional>(b"nul").is_err());
        assert!(parse::<AllOptional>(br#"{"note":null}"#).is_ok());
    }
}
