//! capiflare's browser module, its wasm half: every decision the page needs, made by
//! `capiflare-core`, behind one export. The page driver (`js/page.js`, in the
//! module script `m.<hash>.js`) reads the page (URL, cookies, DOM, messages, consent signals), the
//! clock and `crypto.getRandomValues`, calls these functions, and performs what they answer: the
//! Pixel calls and the worker's `POST c` and `POST e`. Nothing here touches the page or keeps
//! state.
//!
//! The boundary is one export, [`call`]: a JS array holding a function's index in [`NAMES`] and
//! its arguments (read through [`js::Args`]), and one string back (made a JS string by an import,
//! so the glue neither reads it out of the wasm's memory nor frees it there), so the glue is one
//! wrapper and the wasm one entry point. Each function below is named as the page driver calls
//! it; its build writes the name as the index. An answer with
//! several parts separates them by [`SEP`] (U+001F; every part is a fixed word, a Set-Cookie line,
//! a validated cookie value or JSON, none of which can hold it).
#![cfg_attr(all(feature = "module", target_arch = "wasm32"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use capiflare_core::builders::{self, AjaxOutcome, Builder, Message, Sender, Submission};
use capiflare_core::consent::{
    self, Basis, Decision, GoogleConsent, GoogleConsentCommand, Policy, Signal,
};
use capiflare_core::fields::{self, Field, FormVerdict, Input, SubmittedControl, TrapFacts};
use capiflare_core::pii::Key;
use capiflare_core::{Error, cookies, event, event_id, push_decimal, split_once_at};
use wasm_bindgen::prelude::*;

mod js;

use js::Args;

/// The separator between the parts of an answer with several.
pub const SEP: char = '\u{1f}';

/// The module's one export: `[index, ...arguments]` → the answer of the function [`NAMES`]
/// names at `index` (empty for any other first item).
#[wasm_bindgen]
#[must_use]
pub fn call(args: &JsValue) -> JsValue {
    let (index, a) = Args::call(args);
    js::text(&FUNCTIONS.get(index).map_or_else(String::new, |f| f(&a)))
}

/// A function the page calls: its arguments → its answer.
type Function = fn(&Args) -> String;

/// The functions the page calls, in one list: [`NAMES`] and the table [`call`] indexes, in the
/// same order. The page driver is written with the names (`core('landing', …)`); its build
/// (`js/build.mjs`) reads this list and writes each as its index, so no name is in the download
/// and a call is one indirect call.
macro_rules! functions {
    ($($name:ident),* $(,)?) => {
        /// The functions' names, in the order [`call`] indexes them.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];
        const FUNCTIONS: &[Function] = &[$($name),*];
    };
}

functions!(
    explicit,
    tcf,
    consent,
    landing,
    browser_ids,
    form,
    hash,
    message,
    hubspot_v4,
    hubspot_v4_user,
    excluded,
    selectors,
    outcome,
    new_event_id,
    check_track,
    standard,
    site_page_view,
    default_event,
    source_url,
);

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

/// `list` in groups of `N` strings (a list the page flattened), the last padded with empty ones.
fn groups<const N: usize>(list: &[String]) -> impl Iterator<Item = [&str; N]> {
    list.chunks(N)
        .map(|c| core::array::from_fn(|i| c.get(i).map_or("", String::as_str)))
}

const fn yes(b: bool) -> &'static str {
    if b { "1" } else { "" }
}

/// A consent signal as the driver keeps it: `granted`, `denied`, or empty for none.
fn signal(s: &str) -> Option<Signal> {
    match s {
        "granted" => Some(Signal::Granted),
        "denied" => Some(Signal::Denied),
        _ => None,
    }
}

fn signal_name(s: Option<Signal>) -> String {
    String::from(match s {
        None => "",
        Some(Signal::Granted) => "granted",
        Some(Signal::Denied) => "denied",
    })
}

/// `[action]` of `capiflare('consent', action)` → the explicit signal: `grant` → `granted`,
/// `revoke` → `denied`, anything else none.
fn explicit(a: &Args) -> String {
    signal_name(match a.str(0) {
        "grant" => Some(Signal::Granted),
        "revoke" => Some(Signal::Denied),
        _ => None,
    })
}

/// IAB TCF v2.2, `[gdprApplies, eventStatus, purposes]` from the `tcData` of
/// `__tcfapi('addEventListener', 2, cb)` → a signal. `gdprApplies` is a boolean or absent;
/// `purposes` has bit `p` set when `purpose.consents[p] === true` (p = 1..11).
fn tcf(a: &Args) -> String {
    let purposes = a.num(2) as u32;
    // Purpose p where its bit is set, 0 (no purpose) where not.
    let granted: [u16; 11] = core::array::from_fn(|i| {
        let p = i as u16 + 1;
        if purposes & (1 << p) != 0 { p } else { 0 }
    });
    signal_name(consent::tcf_signal(a.boolean(0), a.str(1), &granted, None))
}

/// The consent decision: `"allow|deny|pending by gpc|explicit|cmp|policy"`, then ` granted` when
/// it allows because a signal (explicit or a CMP) granted consent, which the worker wants to hear
/// under opt-in.
///
/// `[tagPolicy, configPolicy, country, gpc, explicit, tcf, google, onetrust, cookiebot]`: the
/// policy is the configuration's, or the tag's `data-consent` where that is stricter (the worker
/// decides by the configuration's); `country` is the visitor's as the edge placed it (empty when
/// unknown); `gpc` is `navigator.globalPrivacyControl === true`; `explicit` and `tcf` are signals
/// as [`explicit`] and [`tcf`] answer them; `google` lists the `dataLayer`'s consent commands as
/// strings, four per command: the command, `"1"` when it carried a `region`, `ad_storage` and
/// `ad_user_data` (empty when absent); `onetrust` is `OnetrustActiveGroups` and `cookiebot` is
/// `Cookiebot.consent.marketing`, each when the page has it.
fn consent(a: &Args) -> String {
    let mut commands = GoogleConsent::default();
    let google = a.strings(6);
    for [command, regional, ad_storage, ad_user_data] in groups(&google) {
        commands.apply(&GoogleConsentCommand {
            command,
            regional: regional == "1",
            ad_storage: Some(ad_storage),
            ad_user_data: Some(ad_user_data),
        });
    }
    let cmp = consent::combine_cmp(&[
        signal(a.str(5)),
        commands.signal(),
        a.text(7).and_then(consent::onetrust_signal),
        consent::cookiebot_signal(a.boolean(8)),
    ]);
    let inputs = consent::Inputs {
        gpc: a.flag(3),
        policy: Policy::parse(a.str(1))
            .unwrap_or_default()
            .stricter(Policy::parse(a.str(0)).unwrap_or(Policy::OptOut)),
        country: a.text(2).filter(|c| !c.is_empty()).map(String::from),
        explicit: signal(a.str(4)),
        cmp,
    };
    let (decided, basis) = consent::decide_on(&inputs);
    let mut out = String::from(match decided {
        Decision::Allow => "allow by ",
        Decision::Deny => "deny by ",
        Decision::Pending => "pending by ",
    });
    out.push_str(basis.as_str());
    if decided == Decision::Allow && matches!(basis, Basis::Explicit | Basis::Cmp) {
        out.push_str(" granted");
    }
    out
}

/// The landing's cookies (DESIGN.md section 5), from `[location.search, location.host,
/// document.cookie, now_ms, random u32, https, COOKIE_DOMAIN]`: empty when both are in place; else
/// the click id to send the worker (empty when `_fbc` stays), then the fallback `Set-Cookie` lines
/// for `_fbc` and `_fbp` (empty for the one that stays), for when the worker cannot be reached:
/// on the domain, and with the subdomain index, the worker would have used.
fn landing(a: &Args) -> String {
    let (cookie, domain) = (a.str(2), cookies::domain(a.text(6), a.str(1)));
    let fbclid = cookies::fbclid_from_query(a.str(0));
    let index = cookies::subdomain_index(domain.as_deref().unwrap_or_default());
    let plan = cookies::plan(
        cookies::read(cookie, "_fbc").as_deref(),
        cookies::read(cookie, "_fbp").as_deref(),
        fbclid.as_deref(),
        index,
        a.num(3) as u64,
        a.num(4) as u32,
    );
    if plan.fbc.is_none() && plan.fbp.is_none() {
        return String::new();
    }
    let line = |name: &str, value: &Option<String>| {
        value.as_deref().map_or_else(String::new, |v| {
            cookies::set_cookie(name, v, domain.as_deref(), a.flag(5))
        })
    };
    let click = fbclid.filter(|_| plan.fbc.is_some()).unwrap_or_default();
    join(&[&click, &line("_fbc", &plan.fbc), &line("_fbp", &plan.fbp)])
}

/// `[document.cookie]` → the `_fbc` and `_fbp` values it holds, each empty unless valid.
fn browser_ids(a: &Args) -> String {
    let cookie = a.str(0);
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

/// The control whose facts `facts` joins with [`SEP`] (see [`form`]), with its `layout` when
/// measured. The value is what follows the seventh separator, whatever it holds.
fn control(facts: &str, layout: Option<Args>) -> SubmittedControl<'_> {
    let mut rest = facts;
    let [input_type, name, id, autocomplete, label, class, flags] = core::array::from_fn(|_| {
        let (fact, after) = split_once_at(rest, SEP as u8).unwrap_or((rest, ""));
        rest = after;
        fact
    });
    // One digit, `0` to `7`: its low three bits are the flags.
    let flags = flags.bytes().next().unwrap_or(0);
    SubmittedControl {
        facts: TrapFacts {
            input: Input {
                input_type,
                name,
                id,
                autocomplete,
                label,
            },
            class,
            hidden: false,
            untabbable: flags & 1 != 0,
            aria_hidden: flags & 2 != 0,
        },
        value: rest,
        checked: flags & 4 != 0,
        layout: layout.map(|l| fields::Layout {
            rendered: l.flag(0),
            width: l.num(1),
            height: l.num(2),
            right: l.num(3),
            bottom: l.num(4),
        }),
    }
}

/// A submitted form, `[controls, now_ms, layouts]`, in one call (the visitor waits on it), read
/// by [`fields::read_submission`]. `controls` holds one string per control, its eight facts
/// joined with [`SEP`] (one string crosses into the wasm where eight would, each a round trip):
/// `type, name, id, autocomplete, label, class, flags, value`; `flags` is one digit whose bit 1
/// means the control's `tabindex` is negative, bit 2 that it is inside `[aria-hidden="true"]`, bit
/// 4 that it is checked; `class` is the control's class and its parent's. `layouts` holds, at a
/// control's index, its layout once measured: `[rendered, width, height, right, bottom]` (see
/// [`fields::Layout`]).
///
/// Answers `!` when a honeypot is filled (the submission is spam); `?` when that depends on
/// whether humans can see some controls (ask again with the `layouts`); else the hashed user
/// object of the customer fields, as JSON (as [`hash`]).
fn form(a: &Args) -> String {
    let (list, layouts) = (a.strings(0), a.list(2));
    let mut controls = Vec::new();
    for (i, facts) in list.iter().enumerate() {
        controls.push(control(facts, layouts.as_ref().and_then(|l| l.list(i))));
    }
    match fields::read_submission(&controls) {
        FormVerdict::Spam => String::from("!"),
        FormVerdict::Measure => String::from("?"),
        FormVerdict::Fields(raw) => user_json(&raw, a.num(1)),
    }
}

/// Normalizes and hashes raw values: `[entries, now_ms]`, where `entries` lists names and values,
/// alternately. A name is a customer field (`email`, `full_name`, …) or a user key
/// of the public API (`email` or Meta's `em`, …); values are strings. Answers the user object as
/// JSON (each field a hash, or a list of them), then the names it did not know, if any.
fn hash(a: &Args) -> String {
    let list = a.strings(0);
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
    let mut out = user_json(&raw, a.num(1));
    out.push_str(&unknown);
    out
}

/// The hashed user object of raw `(key, value)` pairs, as JSON, with the current year from the
/// browser's clock (dates of birth are checked against it).
fn user_json(raw: &[(Key, &str)], now_ms: f64) -> String {
    let user = fields::hash_user(raw, event::civil_year(now_ms as u64 / 1000), js::lower);
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

/// A `message` event under the origin rule (DESIGN.md section 2 item 4): `[origin, pageOrigin,
/// sender, srcOrigin, srcQuery, formOrigins, data, now_ms]`. `sender` is `page`
/// (`event.source === window`), a builder's name (`hubspot`, `paperform`, `calendly`,
/// `typeform`: the source is the window of one of that builder's iframes, whose `src` has the
/// origin `srcOrigin` and the query `srcQuery`, where the core reads its embed id), or anything
/// else for another window.
/// Answers `untrusted`, `ignored` (trusted, but not a submission), or the trigger the submission
/// fires (`form`, or `booking` for Calendly: [`Builder::trigger`]), the hashed user as JSON and the
/// builder's form id (empty when the message names none).
fn message(a: &Args) -> String {
    let [origin, page_origin, sender, src_origin, src_query] = core::array::from_fn(|i| a.str(i));
    let builder = Builder::parse(sender);
    let embed_id = builder.and_then(|b| b.embed_id(src_query));
    let sender = match (sender, builder) {
        ("page", _) => Sender::Page,
        (_, Some(builder)) => Sender::Frame {
            builder,
            src_origin,
            embed_id: embed_id.as_deref(),
        },
        _ => Sender::Other,
    };
    let form_origins = a.strings(5);
    let msg = Message {
        origin,
        page_origin,
        sender,
        form_origins: &form_origins,
    };
    if builders::trusted_sender(&msg).is_none() {
        return String::from("untrusted");
    }
    match builders::decode_message(&msg, &a.value(6)) {
        Some(sub) => join(&[
            sub.builder.trigger(),
            &submission_json(&sub, a.num(7)),
            sub.form_id.as_deref().unwrap_or_default(),
        ]),
        None => String::from("ignored"),
    }
}

/// HubSpot new editor, `[formId, pageIds]`: `1` when `formId` (an `hs-form-event`'s
/// `detail.formId`) is one of the page's forms (`pageIds`: the `data-form-id` of each container
/// [`selectors`] names fifth), else empty.
fn hubspot_v4(a: &Args) -> String {
    String::from(yes(builders::hubspot_v4_form_known(
        a.str(0),
        &a.strings(1),
    )))
}

/// HubSpot new editor, `[formId, values, now_ms]`: `getFormFieldValues()`'s result → the hashed
/// user object as JSON (`{}` when it is not the expected shape).
fn hubspot_v4_user(a: &Args) -> String {
    builders::decode_hubspot_v4(a.str(0), &a.value(1))
        .map_or_else(|| String::from("{}"), |sub| submission_json(&sub, a.num(2)))
}

/// `[EXCLUDED_FORMS, location.pathname]` → `/` when the page's path is excluded (every form on
/// it), else the entries that are selectors, separated by [`SEP`].
fn excluded(a: &Args) -> String {
    let entries = a.strings(0);
    if builders::path_excluded(&entries, a.str(1)) {
        return String::from("/");
    }
    let list: Vec<&str> = builders::excluded_selectors(&entries).collect();
    join(&list)
}

/// The core's selectors, message marks and watch window, separated by [`SEP`]: builder
/// containers (a form inside one is its builder's), AJAX success candidates, every builder's
/// iframes (one line per builder: its name, a tab, the selector of its iframes), HubSpot
/// new-editor containers; then the marks with which the page skips, without a call, every other
/// `message` a page receives: the `type` of HubSpot's legacy messages, the prefix of
/// Paperform's, the `event` of Calendly's booking message and the `type` of Typeform's submission
/// message; then the builders' events at a plain form that settle its AJAX submission
/// (space-separated) and how long an AJAX form is watched for its outcome (ms).
fn selectors(_: &Args) -> String {
    let mut frames = String::new();
    for builder in Builder::ALL {
        if !frames.is_empty() {
            frames.push('\n');
        }
        frames.push_str(builder.as_str());
        frames.push('\t');
        frames.push_str(builder.frames());
    }
    let mut window = String::new();
    push_decimal(&mut window, builders::SUCCESS_WINDOW_MS.into());
    join(&[
        builders::BUILDER_CONTAINERS,
        builders::SUCCESS_CANDIDATES,
        &frames,
        builders::HUBSPOT_V4_CONTAINERS,
        builders::HUBSPOT_LEGACY_TYPE,
        builders::PAPERFORM_PREFIX,
        builders::CALENDLY_SCHEDULED,
        builders::TYPEFORM_SUBMIT,
        builders::FORM_EVENTS,
        &window,
    ])
}

/// What an AJAX form reports now, from `[formShown, shown, event]`: with `event`, the type of a
/// builder's event at the form ([`builders::form_event`]), that event alone; else
/// [`builders::ajax_outcome`] of `formShown`, whether the form is in the page and rendered, and
/// `shown`, four strings per candidate showing a text it did not show at the submit, in order: its
/// id and class, its role, that text, and `1` when the site named it with
/// `data-capiflare-success`. Answers `gone` (the form hidden or removed), `shown` (a success
/// message), `sent` (the builder's success event), `-error` (an error message) or `-failed` (the
/// builder's failure event), or empty while it reports nothing. A leading `-` marks an outcome
/// that is no conversion ([`AjaxOutcome::converts`]).
fn outcome(a: &Args) -> String {
    let list = a.strings(1);
    let shown = groups(&list)
        .map(|[id_and_class, role, text, custom]| (id_and_class, role, text, custom == "1"));
    let verdict = match a.text(2) {
        Some(event) => builders::form_event(event),
        None => builders::ajax_outcome(a.flag(0), shown),
    };
    let Some(verdict) = verdict else {
        return String::new();
    };
    let mut out = String::from(if verdict.converts() { "" } else { "-" });
    out.push_str(match verdict {
        AjaxOutcome::FormGone => "gone",
        AjaxOutcome::SuccessShown => "shown",
        AjaxOutcome::BuilderSuccess => "sent",
        AjaxOutcome::ErrorShown => "error",
        AjaxOutcome::BuilderError => "failed",
    });
    out
}

/// `[words]`, 4 numbers from `crypto.getRandomValues(new Uint32Array(4))` (fewer to read than 16
/// bytes) → a UUID v4 event id of their 16 bytes, each word big-endian; empty if there are not 4.
fn new_event_id(a: &Args) -> String {
    match a.list(0) {
        Some(words) if words.len() == 4 => event_id::from_random(core::array::from_fn(|i| {
            (words.num(i / 4) as u32).to_be_bytes()[i % 4]
        })),
        _ => String::new(),
    }
}

/// `capiflare('track', name, …, {eventID})`, `[name, eventID]` (the id absent when the site gave
/// none): the name as the worker stores it (trimmed) when both are usable, else the error's
/// stable code and message (two parts; a valid name holds no separator).
fn check_track(a: &Args) -> String {
    let name = a.str(0).trim();
    let error = if !event::is_valid_name(name) {
        Error::EventNameInvalid
    } else if a.text(1).is_some_and(|id| !event_id::is_valid(id)) {
        Error::EventIdInvalid
    } else {
        return String::from(name);
    };
    join(&[error.code(), error.message()])
}

/// `[name]`: `1` when it is one of Meta's standard events (`fbq('track')`), else empty
/// (`trackCustom`).
fn standard(a: &Args) -> String {
    String::from(yes(event::is_standard(a.str(0))))
}

/// The site's own PageView when the page runs Meta's pixel itself ([`event::site_page_view`]),
/// from `[eventID]`: the `eventID` of the PageView waiting in the `fbq` queue (empty when it has
/// none), absent when none waits. Answers `own` (mirrored with that eventID), `tag` (given a new
/// one) or empty (no CAPI copy).
fn site_page_view(a: &Args) -> String {
    String::from(match event::site_page_view(a.text(0)) {
        event::SitePageView::NoCopy => "",
        event::SitePageView::Own => "own",
        event::SitePageView::Tag => "tag",
    })
}

/// `[trigger]` (`page_view`, `form`, `booking`) → its default event name, for a `t.js` served
/// without the worker's configuration.
fn default_event(a: &Args) -> String {
    String::from(capiflare_core::config::default_event(a.str(0)).unwrap_or("Lead"))
}

/// `[location.href]` → the page's URL as `event_source_url`: personal data stripped from its
/// query string.
fn source_url(a: &Args) -> String {
    fields::strip_personal_query(a.str(0))
}
