//! capiflare's browser module. Thin: it reads the page (URL, cookies, DOM, messages) and the
//! browser's clock and randomness, asks `capiflare-core` for every decision, and performs the
//! effects the core returns: Meta's Pixel calls and the worker's `POST c` and `POST e`.
//!
//! The loader (`js/loader.js`) calls [`start`] once with the inlined configuration, the script
//! element and the calls queued before the module loaded, then forwards every later
//! `capiflare(...)` call to [`call`].
#![cfg_attr(all(feature = "module", target_arch = "wasm32"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

mod consent_signals;
mod dom;
mod forms;
mod frames;
mod pixel;
mod send;
mod state;

use capiflare_core::consent::{Policy, Signal};
use capiflare_core::{Error, fields, pii::Key};
use wasm_bindgen::prelude::*;

pub use dom::{cookie, new_event_id};
pub use forms::{FormRead, read_form};
pub use frames::{Js, submission_user};

use crate::dom::{at, attr, call0, get, get_str, is_array, js, len, list, log};
use crate::state::st;

const U: &JsValue = &JsValue::UNDEFINED;

/// The shipped module's panic handler: a trap, so no panic message is ever formatted (the core
/// and this crate never panic on purpose; a bug stops the module, never the page, as the loader
/// catches what the call throws).
#[cfg(all(feature = "module", target_arch = "wasm32"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The shipped module's allocator: a small free list (the page makes few, short-lived
/// allocations) instead of dlmalloc; the lock is free on one thread and keeps it `unsafe`-free.
#[cfg(all(feature = "module", target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// `new URL(url, base)`; `undefined` when `url` does not parse.
pub(crate) fn resolve(url: &str, base: &str) -> JsValue {
    dom::new_of("URL", &js(url), &js(base))
}

/// The worker's route `name` (`c`, `e`) next to the script's own URL (`…/capi/t.js` →
/// `…/capi/e`), or under the configured prefix when the script has no `src`.
fn route(src: &str, prefix: Option<&str>, name: &str) -> String {
    let base = get_str(&dom::document(), "baseURI").unwrap_or_default();
    match get_str(&resolve(src, &base), "href") {
        Some(script_url) if !src.is_empty() => {
            get_str(&resolve(name, &script_url), "href").unwrap_or_default()
        }
        _ => {
            let mut out = String::from(prefix.unwrap_or("/capi"));
            out.push('/');
            out.push_str(name);
            out
        }
    }
}

/// Starts the module: reads the configuration and the tag's `data-*` attributes (`data-debug`,
/// `data-fbq="off"`, `data-consent="opt-in|opt-out|by-region"`), installs the listeners, decides
/// consent, prepares the PageView and replays the queued calls. Runs once; later calls do
/// nothing.
#[wasm_bindgen]
pub fn start(config: JsValue, script: JsValue, queue: JsValue) {
    let script = if dom::is_a(&script, "Element") {
        script
    } else {
        JsValue::UNDEFINED
    };
    let tag = |name: &str| attr(&script, name);
    // The configuration is the worker's: a value that is not an object (the placeholder, when
    // `t.js` is served without the worker) gives the defaults.
    let tag_policy = tag("data-consent").and_then(|p| Policy::parse(&p));
    let policy = tag_policy
        .or_else(|| get_str(&config, "consent_policy").and_then(|p| Policy::parse(&p)))
        .unwrap_or_default();
    let country = get_str(&config, "country").filter(|c| !c.is_empty());
    let prefix = get_str(&config, "prefix");
    let src = tag("src").unwrap_or_default();
    let url_c = route(&src, prefix.as_deref(), "c");
    let url_e = route(&src, prefix.as_deref(), "e");
    let debug = tag("data-debug").is_some_and(|v| v != "false" && v != "0");
    let fbq_off = tag("data-fbq").as_deref() == Some("off");
    {
        let Some(mut s) = st() else { return };
        if s.started {
            return;
        }
        s.started = true;
        s.cfg = config.clone();
        s.policy = policy;
        s.country = country;
        s.url_c = url_c;
        s.url_e = url_e;
        s.debug = debug;
        s.fbq_off = fbq_off;
    }
    if !config.is_object() {
        log("not configured: t.js was not served by the worker");
    }
    dom::log_value("started", &config);
    let queued = if is_array(&queue) {
        list(&queue)
    } else {
        dom::array(&[])
    };
    // Explicit consent calls made before the module loaded count before the first decision.
    for i in 0..len(&queued) {
        let args = at(&queued, i);
        if command(&args).as_deref() == Some("consent") {
            let signal = match get_str(&args, "1").as_deref() {
                Some("grant") => Some(Signal::Granted),
                Some("revoke") => Some(Signal::Denied),
                _ => None,
            };
            if let (Some(signal), Some(mut s)) = (signal, st()) {
                s.explicit = Some(signal);
            }
        }
    }
    consent_signals::install();
    forms::install();
    frames::install();
    // The rest runs as the next task, so start() returns quickly; calls made meanwhile wait
    // behind the queued ones.
    dom::later(0, Box::new(move || begin(queued)));
}

/// The PageView, then the calls queued before the module loaded and those made since.
fn begin(queued: JsValue) {
    let site = pixel::site_page_view();
    state::evaluate();
    let page_view = state::event_name("page_view");
    match site {
        pixel::SitePageView::NoSitePixel => {
            state::convert(&page_view, U, &dom::object(), None, true);
        }
        pixel::SitePageView::Tagged(id) => {
            log("PageView: the site's, tagged; mirrored through CAPI");
            state::convert(&page_view, U, &dom::object(), Some(id), false);
        }
        pixel::SitePageView::Untagged => {
            log("PageView: the site's pixel sent it untagged; no CAPI copy");
        }
    }
    let later = st()
        .map(|mut s| {
            s.replayed = true;
            core::mem::take(&mut s.pending)
        })
        .unwrap_or_default();
    // Consent calls among the queued ones were applied first, above.
    for i in 0..len(&queued) {
        let args = at(&queued, i);
        if command(&args).as_deref() != Some("consent") {
            dispatch(&args);
        }
    }
    for args in &later {
        dispatch(args);
    }
    dom::idle(warm_up);
}

/// The first argument of a call, its command.
fn command(args: &JsValue) -> Option<String> {
    get_str(args, "0")
}

/// Runs, in idle time, the code a submission needs (reading the page's forms, classifying,
/// normalizing and hashing, building the worker's body; nothing is sent), so the browser compiles
/// it then rather than while the visitor waits on a submit.
fn warm_up() {
    let input = fields::Input {
        input_type: "text",
        name: "first_name",
        label: "Email address",
        ..fields::Input::default()
    };
    let _ = fields::classify(&input);
    let _ = capiflare_core::builders::success_signal("form-success", "status", "Thanks", false);
    let forms = list(&get(&dom::document(), "forms"));
    for i in 0..len(&forms) {
        let _ = read_form(&at(&forms, i));
    }
    let raw = [
        (Key::Em, "warm.up@example.com"),
        (Key::Ph, "+1 650 555 1212"),
        (Key::Fn, "Warm"),
        (Key::Ln, "Up"),
        (Key::Ct, "Menlo Park"),
        (Key::St, "California"),
        (Key::Zp, "94025"),
        (Key::Country, "United States"),
        (Key::Db, "1990-02-13"),
        (Key::Ge, "female"),
    ];
    let user = state::user_to_js(&state::hash(&raw.map(|(k, v)| (k, String::from(v)))));
    let url = fields::strip_personal_query("https://example.com/?email=a%40b.co");
    let ev = state::event("Lead", &new_event_id(), 0, &url, &user, U);
    let _ = send::event_body(&ev, false);
}

/// One `capiflare(...)` call, as the list of its arguments.
#[wasm_bindgen]
pub fn call(args: JsValue) {
    let waiting = st().is_some_and(|mut s| {
        if !s.replayed {
            s.pending.push(args.clone());
        }
        !s.replayed
    });
    if !waiting {
        dispatch(&args);
    }
}

fn dispatch(args: &JsValue) {
    match command(args).as_deref() {
        Some("track") => track(args),
        Some("consent") => state::set_explicit(&get_str(args, "1").unwrap_or_default()),
        Some("identify") => {
            let user = user_from(&get(args, "1"));
            // The first value given for a field is kept.
            let identity = st()
                .map(|s| s.identity.clone())
                .unwrap_or(JsValue::UNDEFINED);
            let identity = if identity.is_object() {
                identity
            } else {
                dom::object()
            };
            state::merge_user(&identity, &user);
            if let Some(mut s) = st() {
                s.identity = identity;
            }
            log("identify: hashed and kept for this page's events");
        }
        _ => log("unknown command"),
    }
}

/// A number as JavaScript's `String(n)` writes it.
pub(crate) fn number_text(v: &JsValue) -> Option<String> {
    v.as_f64()?;
    call0(v, "toString").as_string()
}

/// A site's `{email: …, phone: …}` (or Meta's keys `em`, `ph`, …) → a hashed user object.
fn user_from(v: &JsValue) -> JsValue {
    if !v.is_object() {
        return dom::object();
    }
    let mut raw: Vec<(Key, String)> = Vec::new();
    let all = dom::entries(v);
    for i in 0..len(&all) {
        let pair = at(&all, i);
        let name = at(&pair, 0).as_string().unwrap_or_default();
        let Some(key) = fields::user_key(&name) else {
            log("identify/track: unknown user field ignored");
            continue;
        };
        let value = at(&pair, 1);
        let values = if is_array(&value) {
            value
        } else {
            dom::array(&[&value])
        };
        for k in 0..len(&values) {
            let v = at(&values, k);
            if let Some(t) = v.as_string().or_else(|| number_text(&v)) {
                raw.push((key, t));
            }
        }
    }
    state::user_to_js(&state::hash(&raw))
}

/// `capiflare('track', name, data?, {eventID?, user?, callback?})`.
fn track(args: &JsValue) {
    let opts = get(args, "3");
    let callback = get(&opts, "callback");
    let answer = |result: &JsValue| {
        if callback.is_function() {
            dom::call2(&callback, "call", &JsValue::UNDEFINED, result);
        }
    };
    let Some(name) = get_str(args, "1").filter(|n| !n.trim().is_empty()) else {
        answer(&error(Error::EventNameInvalid));
        return;
    };
    let event_id = get_str(&opts, "eventID").or_else(|| get_str(&opts, "eventId"));
    if event_id
        .as_deref()
        .is_some_and(|id| !capiflare_core::event_id::is_valid(id))
    {
        answer(&error(Error::EventIdInvalid));
        return;
    }
    let user = user_from(&get(&opts, "user"));
    match state::convert(&name, &get(args, "2"), &user, event_id, true) {
        Some(id) => answer(&state::object("eventId", &js(&id))),
        None => answer(&JsValue::UNDEFINED),
    }
}

/// `{error: {code, message}}` for a callback.
fn error(e: Error) -> JsValue {
    let inner = state::object("code", &js(e.code()));
    dom::set(&inner, "message", &js(e.message()));
    state::object("error", &inner)
}
