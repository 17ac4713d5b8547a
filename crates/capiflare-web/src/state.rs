//! The module's state (one page, one thread) and the life of a conversion: made once with its
//! event_id and time, then fired, held until consent, or dropped, as the core's consent decision
//! says.

use std::cell::RefCell;

use capiflare_core::consent::{self, Decision, Inputs, Policy, Signal};
use capiflare_core::{event, event_id, fields, pii};
use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

use crate::dom::{self, log};
use crate::{consent_signals, pixel, send};

/// The public configuration inlined into `t.js` by the worker.
#[derive(Debug, Default)]
pub(crate) struct Config {
    pub pixels: Vec<String>,
    pub events: Vec<(String, String)>,
    pub excluded: Vec<String>,
    pub form_origins: Vec<String>,
    pub policy: Policy,
    pub country: Option<String>,
}

/// The user object's hashed fields, by name (`email`, `phone`, …).
pub(crate) type User = Vec<(&'static str, Vec<String>)>;

/// One conversion: everything both channels need, personal data already hashed.
#[derive(Debug)]
pub(crate) struct Conversion {
    pub name: String,
    pub id: String,
    pub time_secs: u64,
    pub url: String,
    pub custom: JsValue,
    pub user: User,
    /// Whether capiflare makes the Pixel call (false for a site's own PageView it only tagged).
    pub pixel: bool,
}

#[derive(Debug)]
pub(crate) struct State {
    pub cfg: Config,
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
    pub identity: User,
    /// The landing's cookie call has finished; until then conversions wait in `waiting`.
    pub landed: bool,
    pub waiting: Vec<Conversion>,
    /// The calls queued before the module loaded have been replayed; until then new calls wait
    /// in `pending`.
    pub replayed: bool,
    pub pending: Vec<Array>,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Runs `f` on the state; `None` before `start` (or if called re-entrantly, which the module
/// avoids by never calling into the page while holding the state).
pub(crate) fn with<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    let mut f = Some(f);
    let mut out = None;
    with_dyn(&mut |s| out = f.take().map(|f| f(s)));
    out
}

/// The one non-generic access to the thread-local state (keeps the module small).
fn with_dyn(f: &mut dyn FnMut(&mut State)) {
    STATE.with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut()
            && let Some(state) = slot.as_mut()
        {
            f(state);
        }
    });
}

pub(crate) fn init(state: State) -> bool {
    STATE.with(|s| match s.try_borrow_mut() {
        Ok(mut slot) if slot.is_none() => {
            *slot = Some(state);
            true
        }
        _ => false,
    })
}

pub(crate) fn debug() -> bool {
    with(|s| s.debug).unwrap_or(false)
}

/// The event name configured for a trigger (`page_view`, `form`, `booking`).
pub(crate) fn event_name(trigger: &str) -> String {
    let fallback = match trigger {
        "page_view" => "PageView",
        "form" => "Lead",
        _ => "Schedule",
    };
    with(|s| {
        s.cfg
            .events
            .iter()
            .find(|(t, _)| t == trigger)
            .map(|(_, n)| n.clone())
    })
    .flatten()
    .unwrap_or_else(|| fallback.to_owned())
}

/// The current year from the browser's clock (dates of birth are checked against it).
pub(crate) fn current_year() -> u16 {
    event::civil_year(dom::now_ms() / 1000)
}

/// Hashes raw `(key, value)` pairs into a user object (the core normalizes and hashes).
pub(crate) fn hash(entries: &[(pii::Key, String)]) -> User {
    let refs: Vec<(pii::Key, &str)> = entries.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fields::hash_user(&refs, current_year())
}

/// Makes a conversion now (its event_id and time are fixed here) and fires, holds or drops it.
/// Returns the event id unless consent is denied.
pub(crate) fn convert(
    name: String,
    custom: JsValue,
    mut user: User,
    event_id: Option<String>,
    pixel: bool,
) -> Option<String> {
    let id = event_id.unwrap_or_else(dom::new_event_id);
    let href = dom::window().location().href().unwrap_or_default();
    for (k, v) in with(|s| s.identity.clone()).unwrap_or_default() {
        if !user.iter().any(|(have, _)| *have == k) {
            user.push((k, v));
        }
    }
    let conv = Conversion {
        name,
        id: id.clone(),
        time_secs: dom::now_ms() / 1000,
        url: fields::strip_personal_query(&href),
        custom,
        user,
        pixel,
    };
    match evaluate() {
        Decision::Allow => fire(conv),
        Decision::Pending => {
            log_event("held: no consent yet", &conv);
            with(|s| s.held.push(conv));
        }
        Decision::Deny => {
            log_event("dropped: no consent", &conv);
            return None;
        }
    }
    Some(id)
}

fn log_event(what: &str, conv: &Conversion) {
    dom::log_value(
        what,
        &JsValue::from_str(&[conv.name.as_str(), " ", &conv.id].concat()),
    );
}

fn fire(conv: Conversion) {
    log_event("fire", &conv);
    if conv.pixel {
        pixel::track(&conv.name, &conv.custom, &conv.id);
    }
    send::event(conv);
}

/// Reads every consent signal, asks the core, and applies a changed decision.
pub(crate) fn evaluate() -> Decision {
    let cmp = consent::combine_cmp(&[
        with(|s| s.tcf).flatten(),
        consent_signals::google(),
        consent_signals::onetrust(),
        consent_signals::cookiebot(),
    ]);
    let gpc = consent_signals::gpc();
    let inputs = with(|s| Inputs {
        gpc,
        policy: s.cfg.policy,
        country: s.cfg.country.clone(),
        explicit: s.explicit,
        cmp,
    })
    .unwrap_or_default();
    let decision = consent::decide(&inputs);
    let changed = with(|s| {
        s.cmp = cmp;
        s.decision.replace(decision) != Some(decision)
    })
    .unwrap_or(false);
    if changed {
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
            Decision::Allow => "consent: allow by ",
            Decision::Deny => "consent: deny by ",
            Decision::Pending => "consent: pending by ",
        };
        log(&[what, why].concat());
        apply(decision);
    }
    decision
}

/// Whether a signal, not the policy alone, granted consent (the worker wants `"consent":
/// "granted"` under opt-in).
pub(crate) fn granted() -> bool {
    with(|s| s.explicit.or(s.cmp) == Some(Signal::Granted)).unwrap_or(false)
}

fn apply(decision: Decision) {
    pixel::mirror_consent(decision);
    match decision {
        Decision::Allow => {
            let first = with(|s| !core::mem::replace(&mut s.active, true)).unwrap_or(false);
            if first {
                pixel::ensure();
                send::landing();
            }
            let held = with(|s| core::mem::take(&mut s.held)).unwrap_or_default();
            for conv in held {
                fire(conv);
            }
        }
        Decision::Deny => {
            let dropped = with(|s| core::mem::take(&mut s.held).len()).unwrap_or(0);
            if dropped > 0 {
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
    with(|s| s.explicit = Some(signal));
    evaluate();
}

/// `{eventID: id}` for the Pixel's fourth argument, and similar small objects.
pub(crate) fn object(pairs: &[(&str, &JsValue)]) -> JsValue {
    let o: JsValue = Object::new().into();
    for (k, v) in pairs {
        dom::set(&o, k, v);
    }
    o
}

/// A user object as JSON-ready JS: one value as a string, several as a list.
pub(crate) fn user_to_js(user: &User) -> JsValue {
    let o: JsValue = Object::new().into();
    for (k, v) in user {
        let value: JsValue = match v.as_slice() {
            [one] => JsValue::from_str(one),
            many => many
                .iter()
                .map(|s| JsValue::from_str(s))
                .collect::<Array>()
                .into(),
        };
        dom::set(&o, k, &value);
    }
    o
}

/// Whether `id` may be used as an event id.
pub(crate) fn valid_event_id(id: &str) -> bool {
    event_id::is_valid(id)
}
