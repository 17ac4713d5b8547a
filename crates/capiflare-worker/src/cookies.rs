//! `POST c`: first-party `_fbc`/`_fbp` through `Set-Cookie`, so Safari's 7-day cap on
//! script-written cookies does not apply. The core plans which cookie to write; this route reads
//! the request and writes the headers.

use capiflare_core::consent::{self, Decision, Inputs, Signal};
use capiflare_core::cookies;
use serde::Deserialize;
use serde_json::json;
use worker::{Env, Request, Response};

use crate::http::{self, ApiError, Reply};
use crate::ingest::{geo, now_ms, random};
use crate::settings::Settings;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    fbclid: Option<String>,
    consent: Option<String>,
}

pub(crate) async fn handle(mut req: Request, env: &Env, settings: &Settings) -> Reply {
    let origin = http::allowed_origin(&req, settings)?;
    let ip = http::client_ip(&req);
    http::rate_limit(env, "RL_IP", ip.as_deref().unwrap_or("unknown")).await?;
    let gpc = http::header(req.headers(), "Sec-GPC").as_deref() == Some("1");
    if gpc {
        return http::with_cors(http::silent()?, &origin);
    }
    let text = http::body(&mut req, 4096).await?;
    let body: Body = serde_json::from_str(if text.trim().is_empty() { "{}" } else { &text })
        .map_err(|_| ApiError::core(capiflare_core::Error::BodyInvalid, None))?;
    let explicit = match body.consent.as_deref() {
        None => None,
        Some("granted") => Some(Signal::Granted),
        Some("denied") => Some(Signal::Denied),
        Some(_) => return Err(ApiError::core(capiflare_core::Error::BodyInvalid, None)),
    };
    let (country, _) = geo(&req);
    let decision = consent::decide(&Inputs {
        gpc,
        policy: settings.config.consent_policy,
        country,
        explicit,
        cmp: None,
    });
    if decision != Decision::Allow {
        return http::with_cors(http::silent()?, &origin);
    }
    let url = req.url()?;
    let host = url.host_str().unwrap_or_default();
    let domain = settings
        .config
        .cookie_domain
        .clone()
        .or_else(|| cookies::registrable_domain(host));
    let index = domain.as_deref().map_or(0, cookies::subdomain_index);
    let header = http::header(req.headers(), "Cookie").unwrap_or_default();
    let existing_fbc = cookies::read(&header, "_fbc");
    let existing_fbp = cookies::read(&header, "_fbp");
    let fbclid = body
        .fbclid
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let plan = cookies::plan(
        existing_fbc.as_deref(),
        existing_fbp.as_deref(),
        fbclid,
        index,
        now_ms(),
        u32::from_le_bytes(random()?),
    );
    let secure = url.scheme() == "https";
    let fbc = plan
        .fbc
        .clone()
        .or_else(|| existing_fbc.filter(|v| cookies::parse_fbc(v).is_ok()));
    let fbp = plan.fbp.clone().or(existing_fbp);
    let mut resp = Response::from_json(&json!({ "fbc": fbc, "fbp": fbp }))?;
    for (name, value) in [("_fbc", plan.fbc), ("_fbp", plan.fbp)] {
        if let Some(v) = value {
            resp.headers_mut().append(
                "Set-Cookie",
                &cookies::set_cookie(name, &v, domain.as_deref(), secure),
            )?;
        }
    }
    http::with_cors(resp, &origin)
}
