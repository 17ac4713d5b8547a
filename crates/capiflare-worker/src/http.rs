//! HTTP plumbing shared by the routes: JSON answers, the stable error body, body limits, the
//! origin check, the bearer key and the rate limits.

use capiflare_core::config::ConfigError;
use serde::Serialize;
use worker::{Env, Headers, Request, Response};

use crate::settings::Settings;

/// What a route answers when it refuses: `{"error":{"code","message","index"?}}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) index: Option<usize>,
}

/// A route's result.
pub(crate) type Reply = Result<Response, ApiError>;

impl ApiError {
    pub(crate) fn new(status: u16, code: &'static str, message: &str) -> Self {
        Self {
            status,
            code,
            message: message.to_owned(),
            index: None,
        }
    }

    /// A domain error from the core: its stable code and fixed message (never input values).
    pub(crate) fn core(err: capiflare_core::Error, index: Option<usize>) -> Self {
        Self {
            status: 400,
            code: err.code(),
            message: err.message().to_owned(),
            index,
        }
    }

    pub(crate) fn config(err: ConfigError) -> Self {
        Self {
            status: 500,
            code: ConfigError::CODE,
            message: err.to_string(),
            index: None,
        }
    }
}

/// Failures of the platform (D1, Queues, assets): logged in full, answered without detail.
impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        worker::console_error!("capiflare: internal error: {e}");
        Self::new(
            500,
            "internal_error",
            "the worker could not complete the request",
        )
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorInner<'a>,
}

#[derive(Serialize)]
struct ErrorInner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

pub(crate) fn error_response(e: &ApiError) -> worker::Result<Response> {
    let body = ErrorBody {
        error: ErrorInner {
            code: e.code,
            message: &e.message,
            index: e.index,
        },
    };
    Ok(Response::from_json(&body)?.with_status(e.status))
}

pub(crate) fn json<T: Serialize>(status: u16, body: &T) -> Reply {
    Ok(Response::from_json(body)?.with_status(status))
}

/// 204: consent or GPC says nothing may happen. No body, so the page logs no error.
pub(crate) fn silent() -> Reply {
    Ok(Response::empty()?.with_status(204))
}

/// The body as text, refused with 413 above `limit` bytes (by header first, then by length).
pub(crate) async fn body(req: &mut Request, limit: usize) -> Result<String, ApiError> {
    let too_large = || ApiError::new(413, "body_too_large", "the request body is too large");
    let declared = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let bytes = req.bytes().await?;
    if bytes.len() > limit {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|_| ApiError::core(capiflare_core::Error::BodyInvalid, None))
}

/// The browser routes answer only pages of the site: the `Origin` must be one of
/// `ALLOWED_ORIGINS`, compared exactly. Returns that origin for the CORS answer.
fn allowed_origin(req: &Request, settings: &Settings) -> Result<String, ApiError> {
    let origin = req.headers().get("Origin")?.unwrap_or_default();
    if settings.config.allowed_origins.contains(&origin) {
        Ok(origin)
    } else {
        Err(ApiError::new(
            403,
            "origin_not_allowed",
            "this origin may not send events",
        ))
    }
}

/// A request on a browser route (`c`, `e`) that passed the origin check and the per-IP limit.
pub(crate) struct BrowserCall {
    pub(crate) origin: String,
    pub(crate) ip: Option<String>,
    /// `Sec-GPC: 1`: nothing may happen, answer [`silent`].
    pub(crate) gpc: bool,
}

/// The guards every browser route passes first: exact origin, then the per-IP rate limit.
pub(crate) async fn browser_call(
    req: &Request,
    env: &Env,
    settings: &Settings,
) -> Result<BrowserCall, ApiError> {
    let origin = allowed_origin(req, settings)?;
    let ip = client_ip(req);
    rate_limit(env, "RL_IP", ip.as_deref().unwrap_or("unknown")).await?;
    let gpc = header(req.headers(), "Sec-GPC").as_deref() == Some("1");
    Ok(BrowserCall { origin, ip, gpc })
}

/// CORS headers for an allowed origin (the tag may be served from another subdomain).
pub(crate) fn with_cors(mut resp: Response, origin: &str) -> Reply {
    let h = resp.headers_mut();
    h.set("Access-Control-Allow-Origin", origin)?;
    h.set("Access-Control-Allow-Credentials", "true")?;
    h.set("Vary", "Origin")?;
    Ok(resp)
}

pub(crate) fn preflight(req: &Request, settings: &Settings) -> Reply {
    let origin = allowed_origin(req, settings)?;
    let mut resp = Response::empty()?.with_status(204);
    let h = resp.headers_mut();
    h.set("Access-Control-Allow-Methods", "POST")?;
    h.set("Access-Control-Allow-Headers", "Content-Type")?;
    h.set("Access-Control-Max-Age", "86400")?;
    with_cors(resp, &origin)
}

/// `Authorization: Bearer <CAPIFLARE_API_KEY>`, compared in constant time.
pub(crate) fn authorize(req: &Request, settings: &Settings) -> Result<(), ApiError> {
    let unauthorized = || ApiError::new(401, "unauthorized", "a valid bearer key is required");
    let Some(key) = settings.api_key.as_deref() else {
        return Err(unauthorized());
    };
    let given = req.headers().get("Authorization")?.unwrap_or_default();
    let given = given.strip_prefix("Bearer ").unwrap_or_default().as_bytes();
    let want = key.as_bytes();
    let diff = given
        .iter()
        .zip(want)
        .fold(given.len() ^ want.len(), |acc, (a, b)| {
            acc | usize::from(a ^ b)
        });
    if diff == 0 {
        Ok(())
    } else {
        Err(unauthorized())
    }
}

/// The rate-limiting binding; `Ok(())` when within the limit.
pub(crate) async fn rate_limit(env: &Env, binding: &str, key: &str) -> Result<(), ApiError> {
    let outcome = env.rate_limiter(binding)?.limit(key.to_owned()).await?;
    if outcome.success {
        Ok(())
    } else {
        Err(ApiError::new(
            429,
            "rate_limited",
            "too many requests, slow down",
        ))
    }
}

pub(crate) fn header(headers: &Headers, name: &str) -> Option<String> {
    headers.get(name).ok().flatten().filter(|v| !v.is_empty())
}

/// The connecting client's IP as the edge saw it.
fn client_ip(req: &Request) -> Option<String> {
    header(req.headers(), "CF-Connecting-IP")
}
