//! The worker's browser routes: `POST c` (first-party `_fbc`/`_fbp` cookies set by the worker;
//! script-written cookies only when it cannot be reached) and `POST e` (the conversion, with
//! every personal value already hashed). Bodies are `text/plain` JSON, so no CORS preflight.

use alloc::boxed::Box;
use alloc::string::String;

use capiflare_core::cookies;
use wasm_bindgen::prelude::*;

use crate::dom::{self, call1, get, global, js, log};
use crate::state;

/// `POST url` with `body` (`fetch` with `keepalive`, else `sendBeacon`), then `done(status)`:
/// the answer's status, 1 or 0 when the beacon was or was not queued.
fn post(url: &str, body: &str, done: Box<dyn FnOnce(u16)>) {
    let finish = dom::once(Box::new(move |status: JsValue| {
        done(status.as_f64().map_or(0, |s| s as u16));
        JsValue::UNDEFINED
    }));
    dom::post_raw(url, body, &finish);
}

fn stringify(v: &JsValue) -> String {
    call1(&global("JSON"), "stringify", v)
        .as_string()
        .unwrap_or_default()
}

/// The landing: asks the worker to set `_fbc` (from the URL's `fbclid`) and `_fbp` when the core's
/// cookie plan says one must be written, then releases the conversions waiting for it, so they
/// carry the cookies the page holds from then on.
pub(crate) fn landing() {
    let fbclid = cookies::fbclid_from_query(&dom::location("search"));
    let host = dom::location("host");
    let domain = cookies::registrable_domain(&host);
    let index = cookies::subdomain_index(domain.as_deref().unwrap_or_default());
    let (fbc, fbp) = (dom::cookie("_fbc"), dom::cookie("_fbp"));
    let plan = cookies::plan(
        fbc.as_deref(),
        fbp.as_deref(),
        fbclid.as_deref(),
        index,
        dom::now_ms(),
        dom::random_u32(),
    );
    if plan.fbc.is_none() && plan.fbp.is_none() {
        log("cookies: in place");
        landed();
        return;
    }
    let body = dom::object();
    if let Some(click) = fbclid.as_deref().filter(|_| plan.fbc.is_some()) {
        dom::set(&body, "fbclid", &js(click));
    }
    if state::granted() {
        dom::set(&body, "consent", &js("granted"));
    }
    let url = state::st().map(|s| s.url_c.clone()).unwrap_or_default();
    post(
        &url,
        &stringify(&body),
        Box::new(move |status| {
            if (200..300).contains(&status) {
                log("cookies: set by the worker");
            } else {
                log("cookies: worker failed, script cookies");
                for (name, value) in [("_fbc", &plan.fbc), ("_fbp", &plan.fbp)] {
                    if let Some(v) = value {
                        dom::set_cookie(name, v, domain.as_deref());
                    }
                }
            }
            landed();
        }),
    );
}

fn landed() {
    let waiting = state::st()
        .map(|mut s| {
            s.landed = true;
            core::mem::take(&mut s.waiting)
        })
        .unwrap_or_default();
    for ev in waiting {
        event(ev);
    }
}

/// The `POST e` body for one conversion's event object: its user gets the `_fbc`/`_fbp` the
/// page's cookies hold now (when valid).
#[must_use]
pub(crate) fn event_body(ev: &JsValue, granted: bool) -> String {
    let user = get(ev, "user");
    if let Some(fbc) = dom::cookie("_fbc").filter(|v| cookies::parse_fbc(v).is_ok()) {
        dom::set(&user, "fbc", &js(&fbc));
    }
    if let Some(fbp) = dom::cookie("_fbp").filter(|v| cookies::parse_fbp(v).is_ok()) {
        dom::set(&user, "fbp", &js(&fbp));
    }
    let root = dom::object();
    if granted {
        dom::set(&root, "consent", &js("granted"));
    }
    dom::set(&root, "events", &dom::array(&[ev]));
    stringify(&root)
}

/// Sends one conversion to the worker once the landing's cookies are settled.
pub(crate) fn event(ev: JsValue) {
    let url = {
        let Some(mut s) = state::st() else { return };
        if !s.landed {
            s.waiting.push(ev);
            return;
        }
        s.url_e.clone()
    };
    let body = event_body(&ev, state::granted());
    let id = get(&ev, "event_id");
    post(
        &url,
        &body,
        Box::new(move |status| {
            let what = match status {
                202 => "sent: accepted",
                204 => "sent: refused for consent",
                0 => "not sent: worker unreachable",
                _ => "sent: error answer",
            };
            dom::log_value(what, &id);
        }),
    );
}
