//! The worker's browser routes: `POST c` (first-party `_fbc`/`_fbp` cookies set by the worker;
//! script-written cookies only when it cannot be reached) and `POST e` (the conversion, with
//! every personal value already hashed). Bodies are `text/plain` JSON, so no CORS preflight.

use capiflare_core::cookies;
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use web_sys::{RequestCredentials, RequestInit, Response};

use crate::dom::{self, log, window};
use crate::state::{self, Conversion};

/// `fetch(url, {method: 'POST', body, keepalive: true, credentials: 'include'})`, then
/// `done(status)`; `navigator.sendBeacon` when fetch fails (`done(1)` if queued, `done(0)` if not).
fn post(url: String, body: String, done: Box<dyn FnOnce(u16)>) {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&body));
    dom::set(&init, "keepalive", &JsValue::TRUE);
    init.set_credentials(RequestCredentials::Include);
    let promise = window().fetch_with_str_and_init(&url, &init);
    let ok = dom::once(Box::new(|resp: JsValue| {
        JsValue::from(resp.unchecked_into::<Response>().status())
    }));
    let failed = dom::once(Box::new(move |_| {
        let queued = window()
            .navigator()
            .send_beacon_with_opt_str(&url, Some(&body))
            .unwrap_or(false);
        JsValue::from(u16::from(queued))
    }));
    let finish = dom::once(Box::new(move |status: JsValue| {
        done(status.as_f64().map_or(0, |s| s as u16));
        JsValue::UNDEFINED
    }));
    let statuses: &dom::Thenable = promise.unchecked_ref();
    dom::settle(&statuses.then(&ok), &failed, &finish);
}

fn stringify(v: &JsValue) -> String {
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The landing: asks the worker to set `_fbc` (from the URL's `fbclid`) and `_fbp` when the core's
/// cookie plan says one must be written, then releases the conversions waiting for it, so they
/// carry the cookies the page holds from then on.
pub(crate) fn landing() {
    let location = window().location();
    let fbclid = cookies::fbclid_from_query(&location.search().unwrap_or_default());
    let host = location.host().unwrap_or_default();
    let domain = cookies::registrable_domain(&host);
    let index = cookies::subdomain_index(domain.as_deref().unwrap_or_default());
    let (fbc, fbp) = (dom::cookie("_fbc"), dom::cookie("_fbp"));
    let plan = cookies::plan(
        fbc.as_deref(),
        fbp.as_deref(),
        fbclid.as_deref(),
        index,
        dom::now_ms(),
        u32::from_le_bytes(dom::random_bytes()),
    );
    if plan.fbc.is_none() && plan.fbp.is_none() {
        log("cookies: in place");
        landed();
        return;
    }
    let body: JsValue = Object::new().into();
    if let Some(click) = fbclid.as_deref().filter(|_| plan.fbc.is_some()) {
        dom::set(&body, "fbclid", &JsValue::from_str(click));
    }
    if state::granted() {
        dom::set(&body, "consent", &JsValue::from_str("granted"));
    }
    let url = state::with(|s| s.url_c.clone()).unwrap_or_default();
    post(
        url,
        stringify(&body),
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
    let waiting = state::with(|s| {
        s.landed = true;
        core::mem::take(&mut s.waiting)
    })
    .unwrap_or_default();
    for conv in waiting {
        event(conv);
    }
}

/// The `POST e` body for one conversion: the hashed user plus the `_fbc`/`_fbp` the page's
/// cookies hold now (when valid).
#[must_use]
pub(crate) fn event_body(conv: &Conversion, granted: bool) -> String {
    let ev: JsValue = Object::new().into();
    let put = |k: &str, v: &str| dom::set(&ev, k, &JsValue::from_str(v));
    put("event_name", &conv.name);
    put("event_id", &conv.id);
    dom::set(&ev, "event_time", &JsValue::from_f64(conv.time_secs as f64));
    put("event_source_url", &conv.url);
    let user = state::user_to_js(&conv.user);
    if let Some(fbc) = dom::cookie("_fbc").filter(|v| cookies::parse_fbc(v).is_ok()) {
        dom::set(&user, "fbc", &JsValue::from_str(&fbc));
    }
    if let Some(fbp) = dom::cookie("_fbp").filter(|v| cookies::parse_fbp(v).is_ok()) {
        dom::set(&user, "fbp", &JsValue::from_str(&fbp));
    }
    dom::set(&ev, "user", &user);
    if conv.custom.is_object() {
        dom::set(&ev, "custom_data", &conv.custom);
    }
    let root: JsValue = Object::new().into();
    if granted {
        dom::set(&root, "consent", &JsValue::from_str("granted"));
    }
    dom::set(&root, "events", &Array::of1(&ev));
    stringify(&root)
}

/// Sends one conversion to the worker once the landing's cookies are settled.
pub(crate) fn event(conv: Conversion) {
    let Some(conv) = state::with(|s| {
        if s.landed {
            Some(conv)
        } else {
            s.waiting.push(conv);
            None
        }
    })
    .flatten() else {
        return;
    };
    let body = event_body(&conv, state::granted());
    let url = state::with(|s| s.url_e.clone()).unwrap_or_default();
    let id = conv.id;
    post(
        url,
        body,
        Box::new(move |status| {
            let what = match status {
                202 => "sent: accepted",
                204 => "sent: refused for consent",
                0 => "not sent: worker unreachable",
                _ => "sent: error answer",
            };
            dom::log_value(what, &JsValue::from_str(&id));
        }),
    );
}
