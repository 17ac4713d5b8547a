//! capiflare's browser module. Thin: it reads the page (URL, cookies, DOM, messages) and the
//! browser's clock and randomness, asks `capiflare-core` for every decision, and performs the
//! effects the core returns: Meta's Pixel calls and the worker's `POST c` and `POST e`.
//!
//! The loader (`js/loader.js`) calls [`start`] once with the inlined configuration, the script
//! element and the calls queued before the module loaded, then forwards every later
//! `capiflare(...)` call to [`call`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod consent_signals;
mod dom;
mod forms;
mod frames;
mod pixel;
mod send;
mod state;

use capiflare_core::consent::Policy;
use capiflare_core::{Error, fields, pii::Key};
use js_sys::{Array, Function, Object};
use wasm_bindgen::prelude::*;
use web_sys::Element;

pub use dom::{cookie, new_event_id};
pub use forms::{FormRead, read_form};
pub use frames::{Js, submission_user};

use crate::dom::{get, get_str, log};
use crate::state::{Config, State, User};

fn strings(v: &JsValue) -> Vec<String> {
    if Array::is_array(v) {
        Array::from(v)
            .iter()
            .filter_map(|s| s.as_string())
            .collect()
    } else {
        Vec::new()
    }
}

/// The configuration the worker inlines into `t.js`; a value that is not an object (the
/// placeholder, when `t.js` is served without the worker) gives the defaults.
fn parse_config(v: &JsValue) -> Config {
    let events = get(v, "events");
    let events = if events.is_object() {
        Object::entries(events.unchecked_ref())
            .iter()
            .filter_map(|pair| Some((get_str(&pair, "0")?, get_str(&pair, "1")?)))
            .collect()
    } else {
        Vec::new()
    };
    Config {
        pixels: strings(&get(v, "pixels")),
        events,
        excluded: strings(&get(v, "excluded_forms")),
        form_origins: strings(&get(v, "form_origins")),
        policy: get_str(v, "consent_policy")
            .and_then(|p| Policy::parse(&p))
            .unwrap_or_default(),
        country: get_str(v, "country").filter(|c| !c.is_empty()),
    }
}

/// The worker's route `name` (`c`, `e`) next to the script's own URL (`…/capi/t.js` →
/// `…/capi/e`), or under the configured prefix when the script has no `src`.
fn route(script: Option<&Element>, prefix: Option<&str>, name: &str) -> String {
    let src = script
        .and_then(|s| s.get_attribute("src"))
        .unwrap_or_default();
    let base = dom::document()
        .base_uri()
        .ok()
        .flatten()
        .unwrap_or_default();
    let script_url = web_sys::Url::new_with_base(&src, &base).ok();
    match (script_url, prefix) {
        (Some(u), _) if !src.is_empty() => web_sys::Url::new_with_base(name, &u.href())
            .map(|r| r.href())
            .unwrap_or_default(),
        (_, p) => [p.unwrap_or("/capi"), "/", name].concat(),
    }
}

/// Starts the module: reads the configuration and the tag's `data-*` attributes (`data-debug`,
/// `data-fbq="off"`, `data-consent="opt-in|opt-out|by-region"`), installs the listeners, decides
/// consent, prepares the PageView and replays the queued calls. Runs once; later calls do
/// nothing.
#[wasm_bindgen]
pub fn start(config: JsValue, script: JsValue, queue: JsValue) {
    let script: Option<Element> = script.dyn_into().ok();
    let attr = |name: &str| script.as_ref().and_then(|s| s.get_attribute(name));
    let mut cfg = parse_config(&config);
    if let Some(policy) = attr("data-consent").and_then(|p| Policy::parse(&p)) {
        cfg.policy = policy;
    }
    let prefix = get_str(&config, "prefix");
    let debug = attr("data-debug").is_some_and(|v| v != "false" && v != "0");
    let state = State {
        url_c: route(script.as_ref(), prefix.as_deref(), "c"),
        url_e: route(script.as_ref(), prefix.as_deref(), "e"),
        cfg,
        debug,
        fbq_off: attr("data-fbq").as_deref() == Some("off"),
        explicit: None,
        tcf: None,
        cmp: None,
        decision: None,
        active: false,
        held: Vec::new(),
        identity: User::new(),
        landed: false,
        waiting: Vec::new(),
        replayed: false,
        pending: Vec::new(),
    };
    if !state::init(state) {
        return;
    }
    if !config.is_object() {
        log("not configured: t.js was not served by the worker");
    }
    dom::log_value("started", &config);
    let queued: Vec<Array> = if Array::is_array(&queue) {
        Array::from(&queue)
            .iter()
            .map(|a| Array::from(&a))
            .collect()
    } else {
        Vec::new()
    };
    // Explicit consent calls made before the module loaded count before the first decision.
    for args in &queued {
        if args.get(0).as_string().as_deref() == Some("consent")
            && let Some(action) = args.get(1).as_string()
        {
            state::with(|s| {
                s.explicit = match action.as_str() {
                    "grant" => Some(capiflare_core::consent::Signal::Granted),
                    "revoke" => Some(capiflare_core::consent::Signal::Denied),
                    _ => s.explicit,
                }
            });
        }
    }
    consent_signals::install();
    forms::install();
    frames::install();
    // The rest runs as the next task, so start() returns quickly; calls made meanwhile wait
    // behind the queued ones.
    dom::later(
        0,
        Box::new(move || {
            let site = pixel::site_page_view();
            state::evaluate();
            let page_view = state::event_name("page_view");
            match site {
                pixel::SitePageView::NoSitePixel => {
                    state::convert(page_view, JsValue::UNDEFINED, User::new(), None, true);
                }
                pixel::SitePageView::Tagged(id) => {
                    log("PageView: the site's, tagged; mirrored through CAPI");
                    state::convert(page_view, JsValue::UNDEFINED, User::new(), Some(id), false);
                }
                pixel::SitePageView::Untagged => {
                    log("PageView: the site's pixel sent it untagged; no CAPI copy");
                }
            }
            let later = state::with(|s| {
                s.replayed = true;
                core::mem::take(&mut s.pending)
            })
            .unwrap_or_default();
            // Consent calls among the queued ones were applied first, above.
            let queued = queued
                .iter()
                .filter(|a| a.get(0).as_string().as_deref() != Some("consent"));
            for args in queued.chain(&later) {
                dispatch(args);
            }
            dom::idle(Box::new(warm_up));
        }),
    );
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
    let forms = dom::document().forms();
    for i in 0..forms.length() {
        if let Some(form) = forms.item(i).and_then(|f| f.dyn_into().ok()) {
            let _ = read_form(&form);
        }
    }
    let user = state::hash(&[
        (Key::Em, "warm.up@example.com".to_owned()),
        (Key::Ph, "+1 650 555 1212".to_owned()),
        (Key::Fn, "Warm".to_owned()),
        (Key::Ln, "Up".to_owned()),
        (Key::Ct, "Menlo Park".to_owned()),
        (Key::St, "California".to_owned()),
        (Key::Zp, "94025".to_owned()),
        (Key::Country, "United States".to_owned()),
        (Key::Db, "1990-02-13".to_owned()),
        (Key::Ge, "female".to_owned()),
    ]);
    let _ = send::event_body(
        &state::Conversion {
            name: "Lead".to_owned(),
            id: new_event_id(),
            time_secs: 0,
            url: fields::strip_personal_query("https://example.com/?email=a%40b.co"),
            custom: JsValue::UNDEFINED,
            user,
            pixel: false,
        },
        false,
    );
}

/// One `capiflare(...)` call, as the list of its arguments.
#[wasm_bindgen]
pub fn call(args: JsValue) {
    let args = Array::from(&args);
    let waiting = state::with(|s| {
        if s.replayed {
            None
        } else {
            s.pending.push(args.clone());
            Some(())
        }
    })
    .flatten();
    if waiting.is_none() {
        dispatch(&args);
    }
}

fn dispatch(args: &Array) {
    match args.get(0).as_string().as_deref() {
        Some("track") => track(args),
        Some("consent") => state::set_explicit(&args.get(1).as_string().unwrap_or_default()),
        Some("identify") => {
            let user = user_from(&args.get(1));
            state::with(|s| s.identity.extend(user));
            log("identify: hashed and kept for this page's events");
        }
        _ => log("unknown command"),
    }
}

/// A site's `{email: …, phone: …}` (or Meta's keys `em`, `ph`, …) → hashed user fields.
fn user_from(v: &JsValue) -> User {
    if !v.is_object() {
        return User::new();
    }
    let mut entries: Vec<(Key, String)> = Vec::new();
    for pair in Object::entries(v.unchecked_ref()).iter() {
        let (name, value) = (get_str(&pair, "0").unwrap_or_default(), get(&pair, "1"));
        let Some(key) = fields::user_key(&name) else {
            log("identify/track: unknown user field ignored");
            continue;
        };
        let values: Vec<JsValue> = if Array::is_array(&value) {
            Array::from(&value).iter().collect()
        } else {
            vec![value]
        };
        for v in values {
            let text = v.as_string().or_else(|| {
                let n = js_sys::Number::from(v.as_f64()?);
                n.to_string_with_radix(10).ok().map(String::from)
            });
            if let Some(t) = text {
                entries.push((key, t));
            }
        }
    }
    state::hash(&entries)
}

/// `capiflare('track', name, data?, {eventID?, user?, callback?})`.
fn track(args: &Array) {
    let opts = args.get(3);
    let callback = get(&opts, "callback").dyn_into::<Function>().ok();
    let answer = |result: &JsValue| {
        if let Some(cb) = &callback {
            let _ = cb.call1(&JsValue::UNDEFINED, result);
        }
    };
    let Some(name) = args.get(1).as_string().filter(|n| !n.trim().is_empty()) else {
        answer(&error(Error::EventNameInvalid));
        return;
    };
    let event_id = get_str(&opts, "eventID").or_else(|| get_str(&opts, "eventId"));
    if event_id
        .as_deref()
        .is_some_and(|id| !state::valid_event_id(id))
    {
        answer(&error(Error::EventIdInvalid));
        return;
    }
    let user = user_from(&get(&opts, "user"));
    let custom = args.get(2);
    match state::convert(name, custom, user, event_id, true) {
        Some(id) => answer(&state::object(&[("eventId", &JsValue::from_str(&id))])),
        None => answer(&JsValue::UNDEFINED),
    }
}

/// `{error: {code, message}}` for a callback.
fn error(e: Error) -> JsValue {
    let inner = state::object(&[
        ("code", &JsValue::from_str(e.code())),
        ("message", &JsValue::from_str(e.message())),
    ]);
    state::object(&[("error", &inner)])
}
