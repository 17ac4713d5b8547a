//! The module's state (one page, one thread) and the life of a conversion: made once with its
//! event_id and time, then fired, held until consent, or dropped, as the core's consent decision
//! says.
//!
//! Values that only travel between the page and the worker stay JS values: the configuration
//! object the worker inlined, the hashed user objects, and each conversion, which is made as the
//! very event object `POST e` carries (`event_name`, `event_id`, `event_time`,
//! `event_source_url`, `user`, `custom_data`). Rust keeps only what it decides on.

use alloc::string::String;
use alloc::vec::Vec;

use capiflare_core::consent::{self, Decision, Inputs, Policy, Signal};
use capiflare_core::{event, fields, pii};
use wasm_bindgen::JsValue;

use crate::dom::{self, at, get, get_str, js, len, log};
use crate::{consent_signals, pixel, send};

/// The user object's hashed fields, by name (`email`, `phone`, …).
pub(crate) type User = Vec<(&'static str, Vec<String>)>;

/// A conversion: the event object, and whether capiflare makes the Pixel call (false for a
/// site's own PageView it only tagged).
pub(crate) type Conversion = (JsValue, bool);

#[derive(Debug)]
pub(crate) struct State {
    /// `start` has run.
    pub started: bool,
    /// The public configuration the worker inlined into `t.js` (`events`, `pixels`,
    /// `excluded_forms`, `form_origins`, …); `undefined` when `t.js` was not served by it.
    pub cfg: JsValue,
    pub policy: Policy,
    pub country: Option<String>,
    pub debug: bool,
    pub fbq_off: bool,
    pub url_c: String,
    pub url_e: String,
    pub explicit: Option<Signal>,
    pub tcf: Option<Signal>,
    pub cmp: Option<Signal>,
    pub decision: Option<Decision>,
    pub active: bool,
    pub held: Vec<Conversion>,
    /// What `capiflare('identify', …)` gave: a hashed user object.
    pub identity: JsValue,
    /// The landing's cookie call has finished; until then conversions wait in `waiting`.
    pub landed: bool,
    pub waiting: Vec<JsValue>,
    /// The calls queued before the module loaded have been replayed; until then new calls wait
    /// in `pending`.
    pub replayed: bool,
    pub pending: Vec<JsValue>,
}

/// The page's one module state. A spin lock stands in for a thread-local (wasm32 runs one
/// thread; `try_lock` fails only on re-entry, as a `RefCell` borrow would).
static STATE: spin::Mutex<State> = spin::Mutex::new(State {
    started: false,
    cfg: JsValue::UNDEFINED,
    policy: Policy::ByRegion,
    country: None,
    debug: false,
    fbq_off: false,
    url_c: String::new(),
    url_e: String::new(),
    explicit: None,
    tcf: None,
    cmp: None,
    decision: None,
    active: false,
    held: Vec::new(),
    identity: JsValue::UNDEFINED,
    landed: false,
    waiting: Vec::new(),
    replayed: false,
    pending: Vec::new(),
});

/// The state, unless it is in use further up the stack (the module never calls into the page
/// while holding it, so that happens only on a re-entry it then ignores). Hold the guard briefly.
pub(crate) fn st() -> Option<spin::MutexGuard<'static, State>> {
    STATE.try_lock()
}

pub(crate) fn debug() -> bool {
    st().is_some_and(|s| s.debug)
}

/// A member of the configuration (`undefined` when absent).
pub(crate) fn config(key: &str) -> JsValue {
    let cfg = st().map(|s| s.cfg.clone()).unwrap_or(JsValue::UNDEFINED);
    get(&cfg, key)
}

/// The event name configured for a trigger (`page_view`, `form`, `booking`).
pub(crate) fn event_name(trigger: &str) -> String {
    let configured = get_str(&config("events"), trigger);
    // The worker inlines EVENTS with its defaults; these serve a t.js served without it.
    configured.unwrap_or_else(|| {
        String::from(capiflare_core::config::default_event(trigger).unwrap_or("Lead"))
    })
}

/// Hashes raw `(key, value)` pairs into a user object (the core normalizes and hashes), with
/// the current year from the browser's clock (dates of birth are checked against it).
pub(crate) fn hash(entries: &[(pii::Key, String)]) -> User {
    let mut refs = Vec::new();
    for (k, v) in entries {
        refs.push((*k, v.as_str()));
    }
    fields::hash_user(&refs, event::civil_year(dom::now_ms() / 1000))
}

/// A user object as JSON-ready JS: one value as a string, several as a list.
pub(crate) fn user_to_js(user: &User) -> JsValue {
    let o = dom::object();
    for (k, v) in user {
        let value = match v.as_slice() {
            [one] => js(one),
            many => {
                let list = dom::array(&[]);
                for s in many {
                    dom::call1(&list, "push", &js(s));
                }
                list
            }
        };
        dom::set(&o, k, &value);
    }
    o
}

/// Adds to `user` every field of `from` it does not have.
pub(crate) fn merge_user(user: &JsValue, from: &JsValue) {
    let all = dom::entries(from);
    for i in 0..len(&all) {
        let pair = at(&all, i);
        let key = at(&pair, 0).as_string().unwrap_or_default();
        if get(user, &key).is_undefined() {
            dom::set(user, &key, &at(&pair, 1));
        }
    }
}

/// Makes a conversion now (its event_id and time are fixed here) and fires, holds or drops it.
/// `user` is a hashed user object; `custom` the site's custom data. Returns the event id unless
/// consent is denied.
pub(crate) fn convert(
    name: &str,
    custom: &JsValue,
    user: &JsValue,
    event_id: Option<String>,
    pixel: bool,
) -> Option<String> {
    let id = event_id.unwrap_or_else(dom::new_event_id);
    let identity = st().map(|s| s.identity.clone());
    merge_user(user, &identity.unwrap_or(JsValue::UNDEFINED));
    let url = fields::strip_personal_query(&dom::location("href"));
    let ev = event(name, &id, dom::now_ms() / 1000, &url, user, custom);
    match evaluate() {
        Decision::Allow => fire((ev, pixel)),
        Decision::Pending => {
            log_event("held: no consent yet", &ev);
            if let Some(mut s) = st() {
                s.held.push((ev, pixel));
            }
        }
        Decision::Deny => {
            log_event("dropped: no consent", &ev);
            return None;
        }
    }
    Some(id)
}

/// The event object: `{event_name, event_id, event_time, event_source_url, user,
/// custom_data?}`; `custom_data` only when the site gave an object.
pub(crate) fn event(
    name: &str,
    id: &str,
    time_secs: u64,
    url: &str,
    user: &JsValue,
    custom: &JsValue,
) -> JsValue {
    let ev = dom::object();
    dom::set(&ev, "event_name", &js(name));
    dom::set(&ev, "event_id", &js(id));
    dom::set(&ev, "event_time", &JsValue::from_f64(time_secs as f64));
    dom::set(&ev, "event_source_url", &js(url));
    dom::set(&ev, "user", user);
    if custom.is_object() {
        dom::set(&ev, "custom_data", custom);
    }
    ev
}

fn log_event(what: &str, ev: &JsValue) {
    if debug() {
        let mut s = get_str(ev, "event_name").unwrap_or_default();
        s.push(' ');
        s.push_str(&get_str(ev, "event_id").unwrap_or_default());
        dom::log_value(what, &js(&s));
    }
}

fn fire((ev, pixel_call): Conversion) {
    log_event("fire", &ev);
    if pixel_call {
        pixel::track(&ev);
    }
    send::event(ev);
}

/// Reads every consent signal, asks the core, and applies a changed decision.
pub(crate) fn evaluate() -> Decision {
    let tcf = st().and_then(|s| s.tcf);
    let cmp = consent::combine_cmp(&[
        tcf,
        consent_signals::google(),
        consent_signals::onetrust(),
        consent_signals::cookiebot(),
    ]);
    let gpc = consent_signals::gpc();
    let inputs = st().map(|s| Inputs {
        gpc,
        policy: s.policy,
        country: s.country.clone(),
        explicit: s.explicit,
        cmp,
    });
    let inputs = inputs.unwrap_or_default();
    let decision = consent::decide(&inputs);
    let changed = st().is_some_and(|mut s| {
        s.cmp = cmp;
        s.decision.replace(decision) != Some(decision)
    });
    if changed {
        if debug() {
            let why = if gpc {
                "gpc"
            } else if inputs.explicit.is_some() {
                "explicit"
            } else if cmp.is_some() {
                "cmp"
            } else {
                "policy"
            };
            let what = match decision {
                Decision::Allow => "consent: allow by",
                Decision::Deny => "consent: deny by",
                Decision::Pending => "consent: pending by",
            };
            dom::log_value(what, &js(why));
        }
        apply(decision);
    }
    decision
}

/// Whether a signal, not the policy alone, granted consent (the worker wants `"consent":
/// "granted"` under opt-in).
pub(crate) fn granted() -> bool {
    st().is_some_and(|s| s.explicit.or(s.cmp) == Some(Signal::Granted))
}

fn apply(decision: Decision) {
    pixel::mirror_consent(decision);
    match decision {
        Decision::Allow => {
            let first = st().is_some_and(|mut s| !core::mem::replace(&mut s.active, true));
            if first {
                pixel::ensure();
                send::landing();
            }
            let held = st().map(|mut s| core::mem::take(&mut s.held));
            for conv in held.unwrap_or_default() {
                fire(conv);
            }
        }
        Decision::Deny => {
            let dropped = st().is_some_and(|mut s| !core::mem::take(&mut s.held).is_empty());
            if dropped {
                log("held dropped");
            }
        }
        Decision::Pending => {}
    }
}

/// An explicit `capiflare('consent', 'grant'|'revoke')`.
pub(crate) fn set_explicit(action: &str) {
    let signal = match action {
        "grant" => Signal::Granted,
        "revoke" => Signal::Denied,
        _ => {
            log("consent: grant|revoke?");
            return;
        }
    };
    if let Some(mut s) = st() {
        s.explicit = Some(signal);
    }
    evaluate();
}

/// `{key: value}` for the Pixel's fourth argument, and similar small objects.
pub(crate) fn object(key: &str, value: &JsValue) -> JsValue {
    let o = dom::object();
    dom::set(&o, key, value);
    o
}
