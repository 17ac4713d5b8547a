//! `POST c`, and `POST e`'s refresh: first-party `_fbc`/`_fbp` through `Set-Cookie`, so Safari's
//! 7-day cap on script-written cookies does not apply. The core plans which cookie to write; the
//! worker reads the request and writes the headers.

use capiflare_core::cookies;
use capiflare_core::ingest::{CookieAsk, browser_allows, consent_answer};
use serde_json::json;
use worker::{Env, Request, Response};

use crate::http::{self, ApiError, Reply};
use crate::ingest::{geo, now_ms, random};
use crate::settings::Settings;

pub(crate) async fn handle(mut req: Request, env: &Env, settings: &Settings) -> Reply {
    let call = http::browser_call(&req, env, settings).await?;
    if call.gpc {
        return http::with_cors(http::silent()?, &call.origin);
    }
    let text = http::body(&mut req, 4096).await?;
    let invalid = |_| ApiError::core(capiflare_core::Error::BodyInvalid, None);
    let ask: CookieAsk =
        serde_json::from_str(if text.trim().is_empty() { "{}" } else { &text }).map_err(invalid)?;
    let explicit = consent_answer(ask.consent.as_deref()).map_err(|e| ApiError::core(e, None))?;
    let (country, _) = geo(&req);
    if !browser_allows(&settings.config, country.as_deref(), explicit) {
        return http::with_cors(http::silent()?, &call.origin);
    }
    let place = Place::of(&req, settings)?;
    let header = http::header(req.headers(), "Cookie").unwrap_or_default();
    let existing_fbc = cookies::read(&header, "_fbc");
    let existing_fbp = cookies::read(&header, "_fbp");
    let fbclid = ask
        .fbclid
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let plan = cookies::plan(
        existing_fbc.as_deref(),
        existing_fbp.as_deref(),
        fbclid,
        place.index,
        now_ms(),
        u32::from_le_bytes(random()?),
    );
    // The values in force after this answer, for the page to send with its events.
    let fbc = plan
        .fbc
        .clone()
        .or_else(|| existing_fbc.filter(|v| cookies::parse_fbc(v).is_ok()));
    let fbp = plan.fbp.clone().or(existing_fbp);
    let mut resp = Response::from_json(&json!({ "fbc": fbc, "fbp": fbp }))?;
    place.write(&mut resp, plan)?;
    http::with_cors(resp, &call.origin)
}

/// Where the worker writes `_fbc`/`_fbp` for a request: the cookie domain (`None`: host-only),
/// its subdomain index, and whether the cookies are `Secure` (an https request).
struct Place {
    domain: Option<String>,
    index: u8,
    secure: bool,
}

impl Place {
    fn of(req: &Request, settings: &Settings) -> Result<Self, ApiError> {
        let url = req.url()?;
        let domain = cookies::domain(
            settings.config.cookie_domain.as_deref(),
            url.host_str().unwrap_or_default(),
        );
        Ok(Self {
            index: domain.as_deref().map_or(0, cookies::subdomain_index),
            domain,
            secure: url.scheme() == "https",
        })
    }

    /// `Set-Cookie` for each cookie `plan` writes.
    fn write(&self, resp: &mut Response, plan: cookies::CookiePlan) -> Result<(), ApiError> {
        for (name, value) in [("_fbc", plan.fbc), ("_fbp", plan.fbp)] {
            if let Some(v) = value {
                let cookie = cookies::set_cookie(name, &v, self.domain.as_deref(), self.secure);
                resp.headers_mut().append("Set-Cookie", &cookie)?;
            }
        }
        Ok(())
    }
}

/// `POST e`'s answer once it has stored the page's event (consent allowed it): the `_fbc` and
/// `_fbp` the request carried, written again as they are ([`cookies::refresh`]), so a visitor
/// who keeps coming back keeps them, in Safari too.
pub(crate) fn refresh(
    req: &Request,
    resp: &mut Response,
    settings: &Settings,
) -> Result<(), ApiError> {
    let place = Place::of(req, settings)?;
    let header = http::header(req.headers(), "Cookie").unwrap_or_default();
    place.write(resp, cookies::refresh(&header, place.index))
}
