//! The script tag's files: `t.js` (the loader) with the site's public configuration inlined, and
//! the browser module's content-hashed script and wasm with long-lived caching. All are built
//! into `www/dist/` and read through the assets binding.

use serde::Serialize;
use worker::{Env, Request, Response};

use crate::http::{ApiError, Reply};
use crate::ingest::geo;
use crate::settings::Settings;

/// The loader's placeholder for the configuration (see js/loader.js).
const PLACEHOLDER: &str = "\"__CAPIFLARE_CONFIG__\"";

#[derive(Serialize)]
struct Inlined<'a> {
    #[serde(flatten)]
    public: capiflare_core::config::PublicConfig,
    /// The edge's guess of the visitor's country, for the `by-region` consent policy.
    country: Option<&'a str>,
}

async fn built(env: &Env, path: &str) -> Result<Response, ApiError> {
    let resp = env
        .assets("ASSETS")?
        .fetch(["https://assets.invalid/dist", path].concat(), None)
        .await?;
    if resp.status_code() == 200 {
        Ok(resp)
    } else {
        Err(ApiError::new(
            404,
            "not_found",
            "the browser module is not built (run the build)",
        ))
    }
}

pub(crate) async fn loader(req: &Request, env: &Env, settings: &Settings) -> Reply {
    let mut resp = built(env, "/t.js").await?;
    let script = resp.text().await?;
    let (country, _) = geo(req);
    let config = serde_json::to_string(&Inlined {
        public: settings.config.public(),
        country: country.as_deref(),
    })
    .map_err(|_| {
        ApiError::new(
            500,
            "internal_error",
            "configuration could not be serialized",
        )
    })?;
    let mut out = Response::ok(script.replacen(PLACEHOLDER, &config, 1))?;
    let h = out.headers_mut();
    h.set("Content-Type", "text/javascript; charset=utf-8")?;
    // The inlined country differs per visitor: cache privately and briefly.
    h.set("Cache-Control", "private, max-age=300")?;
    h.set("X-Content-Type-Options", "nosniff")?;
    Ok(out)
}

/// The content type of a content-hashed file of the browser module (`/m.<hash>.js`, its debug
/// build `/d.<hash>.js`, `/t.<hash>.wasm`), `None` for any other route.
pub(crate) fn hashed_type(route: &str) -> Option<&'static str> {
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    let script = route
        .strip_prefix("/m.")
        .or_else(|| route.strip_prefix("/d."));
    if let Some(h) = script.and_then(|r| r.strip_suffix(".js")) {
        return hex(h).then_some("text/javascript; charset=utf-8");
    }
    let h = route.strip_prefix("/t.")?.strip_suffix(".wasm")?;
    hex(h).then_some("application/wasm")
}

/// A content-hashed file: the same for every visitor, cached for good.
pub(crate) async fn hashed(env: &Env, route: &str) -> Reply {
    let mut resp = built(env, route).await?;
    let bytes = resp.bytes().await?;
    let mut out = Response::from_bytes(bytes)?;
    let h = out.headers_mut();
    h.set(
        "Content-Type",
        hashed_type(route).unwrap_or("application/octet-stream"),
    )?;
    h.set("Cache-Control", "public, max-age=31536000, immutable")?;
    h.set("X-Content-Type-Options", "nosniff")?;
    h.set("Access-Control-Allow-Origin", "*")?;
    Ok(out)
}
