//! capiflare's browser module, its wasm half: every decision the page needs, made by
//! `capiflare-core`, behind a narrow set of exports. The page driver (`js/page.js`, bundled into
//! `t.js`) reads the page (URL, cookies, DOM, messages, consent signals), the clock and
//! `crypto.getRandomValues`, calls these functions, and performs what they answer: the Pixel
//! calls and the worker's `POST c` and `POST e`. Nothing here touches the page or keeps state.
//!
//! The boundary: text crosses as strings, lists and values the page supplies (form answers,
//! `dataLayer` entries, builder messages) as JS values read through [`js`], and answers with
//! several parts as one string whose parts are separated by [`SEP`] (U+001F; every part is a
//! fixed word, a Set-Cookie line, a validated cookie value or JSON, none of which can hold it).
#![cfg_attr(all(feature = "module", target_arch = "wasm32"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use capiflare_core::builders::{self, Builder, Message, Sender, Submission};
use capiflare_core::consent::{
    self, Decision, GoogleConsent, GoogleConsentCommand, Policy, Signal,
};
use capiflare_core::fields::{self, Field, Input, TrapFacts};
use capiflare_core::pii::Key;
use capiflare_core::{Error, cookies, event, event_id};
use wasm_bindgen::prelude::*;

mod js;

use js::{Js, strings};

/// The separator between the parts of an answer with several.
pub const SEP: char = '\u{1f}';

/// The shipped module's panic handler: a trap, so no panic message is ever formatted (the core
/// never panics on purpose; a bug makes the one call throw, which the page driver catches).
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

fn join(parts: &[&str]) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push(SEP);
        }
        out.push_str(p);
    }
    out
}

/// A consent signal as the driver keeps it: 0 none, 1 granted, 2 denied.
fn signal(code: u8) -> Option<Signal> {
    match code {
        1 => Some(Signal::Granted),
        2 => Some(Signal::Denied),
        _ => None,
    }
}

const fn signal_code(s: Option<Signal>) -> u8 {
    match s {
        None => 0,
        Some(Signal::Granted) => 1,
        Some(Signal::Denied) => 2,
    }
}

/// `capiflare('consent', action)` → the explicit signal (1 grant, 2 revoke), 0 for anything else.
#[wasm_bindgen]
#[must_use]
pub fn explicit(action: &str) -> u8 {
    signal_code(match action {
        "grant" => Some(Signal::Granted),
        "revoke" => Some(Signal::Denied),
        _ => None,
    })
}

/// IAB TCF v2.2: the `tcData` of `__tcfapi('addEventListener', 2, cb)` → a signal code.
/// `purposes` has bit `p` set when `purpose.consents[p] === true` (p = 1..11).
#[wasm_bindgen]
#[must_use]
pub fn tcf(gdpr_applies: Option<bool>, event_status: &str, purposes: u32) -> u8 {
    let granted: Vec<u16> = (1..=11u16).filter(|p| purposes & (1 << p) != 0).collect();
    signal_code(consent::tcf_signal(
        gdpr_applies,
        event_status,
        &granted,
        None,
    ))
}

/// The consent decision: `"allow|deny|pending by gpc|explicit|cmp|policy"`, then ` granted` when
/// it allows because a signal (explicit or a CMP) granted consent, which the worker wants to hear
/// under opt-in.
///
/// The policy is the tag's `data-consent` when valid, else the configuration's; `country` is the
/// visitor's as the edge placed it (empty when unknown). `google` lists the `dataLayer`'s consent
/// commands as strings, four per command: the command, `"1"` when it carried a `region`,
/// `ad_storage` and `ad_user_data` (empty when absent). `onetrust` is `OnetrustActiveGroups`,
/// `cookiebot` is `Cookiebot.consent.marketing`.
#[wasm_bindgen]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub fn consent(
    tag_policy: &str,
    config_policy: &str,
    country: &str,
    gpc: bool,
    explicit: u8,
    tcf: u8,
    google: &JsValue,
    onetrust: Option<String>,
    cookiebot: Option<bool>,
) -> String {
    let mut commands = GoogleConsent::default();
    let g = strings(google);
    for c in g.chunks(4) {
        let part = |i: usize| c.get(i).map_or("", String::as_str);
        commands.apply(&GoogleConsentCommand {
            command: part(0),
            regional: part(1) == "1",
            ad_storage: Some(part(2)),
            ad_user_data: Some(part(3)),
        });
    }
    let cmp = consent::combine_cmp(&[
        signal(tcf),
        commands.signal(),
        onetrust.as_deref().and_then(consent::onetrust_signal),
        consent::cookiebot_signal(cookiebot),
    ]);
    let inputs = consent::Inputs {
        gpc,
        policy: Policy::parse(tag_policy)
            .or_else(|| Policy::parse(config_policy))
            .unwrap_or_default(),
        country: Some(String::from(country)).filter(|c| !c.is_empty()),
        explicit: signal(explicit),
        cmp,
    };
    let decided = consent::decide(&inputs);
    let decision = match decided {
        Decision::Allow => "allow by ",
        Decision::Deny => "deny by ",
        Decision::Pending => "pending by ",
    };
    let why = if gpc {
        "gpc"
    } else if inputs.explicit.is_some() {
        "explicit"
    } else if cmp.is_some() {
        "cmp"
    } else {
        "policy"
    };
    let mut out = String::from(decision);
    out.push_str(why);
    if decided == Decision::Allow && inputs.explicit.or(cmp) == Some(Signal::Granted) {
        out.push_str(" granted");
    }
    out
}

/// The landing's cookies (DESIGN.md section 5): empty when both are in place; else the click id
/// to send the worker (empty when `_fbc` stays), then the fallback `Set-Cookie` lines for `_fbc`
/// and `_fbp` (empty for the one that stays), for when the worker cannot be reached.
#[wasm_bindgen]
#[must_use]
pub fn landing(
    search: &str,
    host: &str,
    cookie: &str,
    now_ms: f64,
    random: u32,
    secure: bool,
) -> String {
    let fbclid = cookies::fbclid_from_query(search);
    let domain = cookies::registrable_domain(host);
    let index = cookies::subdomain_index(domain.as_deref().unwrap_or_default());
    let plan = cookies::plan(
        cookies::read(cookie, "_fbc").as_deref(),
        cookies::read(cookie, "_fbp").as_deref(),
        fbclid.as_deref(),
        index,
        now_ms as u64,
        random,
    );
    if plan.fbc.is_none() && plan.fbp.is_none() {
        return String::new();
    }
    let line = |name: &str, value: &Option<String>| {
        value.as_deref().map_or_else(String::new, |v| {
            cookies::set_cookie(name, v, domain.as_deref(), secure)
        })
    };
    let click = fbclid.filter(|_| plan.fbc.is_some()).unwrap_or_default();
    join(&[&click, &line("_fbc", &plan.fbc), &line("_fbp", &plan.fbp)])
}

/// The `_fbc` and `_fbp` values the page's cookies hold now, each empty unless valid.
#[wasm_bindgen]
#[must_use]
pub fn browser_ids(cookie: &str) -> String {
    let valid = |name: &str, parse: fn(&str) -> Result<cookies::FbCookie, Error>| {
        cookies::read(cookie, name)
            .filter(|v| parse(v).is_ok())
            .unwrap_or_default()
    };
    join(&[
        &valid("_fbc", cookies::parse_fbc),
        &valid("_fbp", cookies::parse_fbp),
    ])
}

/// One form control → the customer field it holds (`email`, `full_name`, …), empty for none,
/// `!` for a filled honeypot (the submission is spam), or `?` when that depends on whether humans
/// can see the control: measure, then ask again with `flags` bit 4 set (and bit 8 when hidden).
/// Bit 1: `tabindex` is negative; bit 2: inside `[aria-hidden="true"]`. `class` is the
/// control's class and its parent's.
#[wasm_bindgen]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub fn field(
    input_type: &str,
    name: &str,
    id: &str,
    autocomplete: &str,
    label: &str,
    class: &str,
    flags: u8,
) -> String {
    let input = Input {
        input_type,
        name,
        id,
        autocomplete,
        label,
    };
    let measured = flags & 4 != 0;
    let facts = TrapFacts {
        input,
        class,
        // Hiding can only make a field a honeypot, never stop it being one: ask as if hidden
        // first, so the page measures (a forced layout) only when the answer depends on it.
        hidden: !measured || flags & 8 != 0,
        untabbable: flags & 1 != 0,
        aria_hidden: flags & 2 != 0,
    };
    let answer = if !fields::is_honeypot(&facts) {
        fields::classify(&input).map_or("", Field::as_str)
    } else if measured {
        "!"
    } else {
        "?"
    };
    String::from(answer)
}

/// Normalizes and hashes raw values: `entries` lists names and values, alternately. A name is a
/// field (`email`, `full_name`, …, as [`field`] answers) or a user key of the public API (`email`
/// or Meta's `em`, …); values are strings. Answers the user object as JSON (each field a hash, or
/// a list of them), then the names it did not know, if any.
#[wasm_bindgen]
#[must_use]
pub fn hash(entries: &JsValue, now_ms: f64) -> String {
    let list = strings(entries);
    let mut raw: Vec<(Key, &str)> = Vec::new();
    let mut unknown = String::new();
    for pair in list.chunks(2) {
        let [name, value] = pair else { continue };
        if let Some(f) = Field::parse(name) {
            raw.extend(fields::entries(f, value));
        } else if let Some(key) = fields::user_key(name) {
            raw.push((key, value));
        } else {
            unknown.push(SEP);
            unknown.push_str(name);
        }
    }
    let mut out = user_json(&raw, now_ms);
    out.push_str(&unknown);
    out
}

/// The hashed user object of raw `(key, value)` pairs, as JSON, with the current year from the
/// browser's clock (dates of birth are checked against it).
fn user_json(raw: &[(Key, &str)], now_ms: f64) -> String {
    let user = fields::hash_user(raw, event::civil_year(now_ms as u64 / 1000));
    let mut out = String::from("{");
    for (i, (name, hashes)) in user.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Names are fixed words and values SHA-256 hex: nothing to escape.
        out.push('"');
        out.push_str(name);
        out.push_str("\":");
        let many = hashes.len() > 1;
        if many {
            out.push('[');
        }
        for (j, h) in hashes.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(h);
            out.push('"');
        }
        if many {
            out.push(']');
        }
    }
    out.push('}');
    out
}

/// A builder's answers → the hashed user object as JSON (classified by the core, hashed at once).
fn submission_json(sub: &Submission, now_ms: f64) -> String {
    let mut raw: Vec<(Key, &str)> = Vec::new();
    for f in &sub.fields {
        let input = Input {
            input_type: &f.input_type,
            name: &f.name,
            label: &f.label,
            ..Input::default()
        };
        if let Some(field) = fields::classify(&input) {
            for v in &f.values {
                raw.extend(fields::entries(field, v));
            }
        }
    }
    user_json(&raw, now_ms)
}

/// A `message` event under the origin rule (DESIGN.md section 2 item 4). `sender` is `page`
/// (`event.source === window`), a builder's name (`hubspot`, `paperform`: the source is the
/// window of one of that builder's iframes, whose `src` origin is `src_origin` and whose
/// `_embed_id` is `embed_id`), or anything else for another window. Answers `untrusted`,
/// `ignored` (trusted, but not a submission), or the builder's name and the hashed user as JSON.
#[wasm_bindgen]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub fn message(
    origin: &str,
    page_origin: &str,
    sender: &str,
    src_origin: &str,
    embed_id: Option<String>,
    form_origins: &JsValue,
    data: JsValue,
    now_ms: f64,
) -> String {
    let sender = match (sender, Builder::parse(sender)) {
        ("page", _) => Sender::Page,
        (_, Some(builder)) => Sender::Frame {
            builder,
            src_origin,
            embed_id: embed_id.as_deref(),
        },
        _ => Sender::Other,
    };
    let form_origins = strings(form_origins);
    let msg = Message {
        origin,
        page_origin,
        sender,
        form_origins: &form_origins,
    };
    if builders::trusted_sender(&msg).is_none() {
        return String::from("untrusted");
    }
    match builders::decode_message(&msg, &Js(data)) {
        Some(sub) => join(&[sub.builder.as_str(), &submission_json(&sub, now_ms)]),
        None => String::from("ignored"),
    }
}

/// HubSpot new editor: whether `form_id` (an `hs-form-event`'s `detail.formId`) is one of the
/// page's forms (`page_ids`: the `data-form-id` of each [`selectors`]' fifth part).
#[wasm_bindgen]
#[must_use]
pub fn hubspot_v4(form_id: &str, page_ids: &JsValue) -> bool {
    builders::hubspot_v4_form_known(form_id, &strings(page_ids))
}

/// HubSpot new editor: `getFormFieldValues()`'s result → the hashed user object as JSON (`{}`
/// when it is not the expected shape).
#[wasm_bindgen]
#[must_use]
pub fn hubspot_v4_user(form_id: &str, values: JsValue, now_ms: f64) -> String {
    builders::decode_hubspot_v4(form_id, &Js(values))
        .map_or_else(|| String::from("{}"), |sub| submission_json(&sub, now_ms))
}

/// `EXCLUDED_FORMS`' selectors, separated by [`SEP`].
#[wasm_bindgen]
#[must_use]
pub fn excluded_selectors(entries: &JsValue) -> String {
    let entries = strings(entries);
    let list: Vec<&str> = builders::excluded_selectors(&entries).collect();
    join(&list)
}

/// Whether `EXCLUDED_FORMS` excludes every form on the page at `path`.
#[wasm_bindgen]
#[must_use]
pub fn path_excluded(entries: &JsValue, path: &str) -> bool {
    builders::path_excluded(&strings(entries), path)
}

/// The core's selectors, separated by [`SEP`]: builder containers (a form inside one is its
/// builder's), AJAX success candidates, HubSpot's iframes, Paperform's iframes, HubSpot
/// new-editor containers.
#[wasm_bindgen]
#[must_use]
pub fn selectors() -> String {
    join(&[
        builders::BUILDER_CONTAINERS,
        builders::SUCCESS_CANDIDATES,
        Builder::HubSpot.frames(),
        Builder::Paperform.frames(),
        builders::HUBSPOT_V4_CONTAINERS,
    ])
}

/// What an element that has just become visible near an AJAX form says: 1 success, 2 an error
/// message, 0 neither. `custom`: the site named it with `data-capiflare-success`.
#[wasm_bindgen]
#[must_use]
pub fn success(id_and_class: &str, role: &str, text: &str, custom: bool) -> u8 {
    match builders::success_signal(id_and_class, role, text, custom) {
        Some(true) => 1,
        Some(false) => 2,
        None => 0,
    }
}

/// A UUID v4 event id from 16 bytes of `crypto.getRandomValues`; empty if there are not 16.
#[wasm_bindgen]
#[must_use]
pub fn new_event_id(random: &[u8]) -> String {
    <[u8; 16]>::try_from(random).map_or_else(|_| String::new(), event_id::from_random)
}

/// Whether a site's own `eventID` is usable.
#[wasm_bindgen]
#[must_use]
pub fn valid_event_id(id: &str) -> bool {
    event_id::is_valid(id)
}

/// `capiflare('track', name, …, {eventID})`: empty when usable, else the error's stable code and
/// message.
#[wasm_bindgen]
#[must_use]
pub fn check_track(name: &str, event_id: Option<String>) -> String {
    let error = if name.trim().is_empty() {
        Error::EventNameInvalid
    } else if event_id
        .as_deref()
        .is_some_and(|id| !event_id::is_valid(id))
    {
        Error::EventIdInvalid
    } else {
        return String::new();
    };
    join(&[error.code(), error.message()])
}

/// Whether `name` is one of Meta's standard events (`fbq('track')`), else `trackCustom`.
#[wasm_bindgen]
#[must_use]
pub fn standard(name: &str) -> bool {
    event::is_standard(name)
}

/// The default event name of a trigger (`page_view`, `form`, `booking`), for a `t.js` served
/// without the worker's configuration.
#[wasm_bindgen]
#[must_use]
pub fn default_event(trigger: &str) -> String {
    String::from(capiflare_core::config::default_event(trigger).unwrap_or("Lead"))
}

/// The page's URL as `event_source_url`: personal data stripped from its query string.
#[wasm_bindgen]
#[must_use]
pub fn source_url(href: &str) -> String {
    fields::strip_personal_query(href)
}
