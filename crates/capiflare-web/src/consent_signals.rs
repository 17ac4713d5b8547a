//! Reading the consent signals the page exposes; the core turns each into a signal and decides.
//! GPC (`navigator.globalPrivacyControl`), IAB TCF v2.2 (`__tcfapi('addEventListener', 2, cb)`),
//! Google consent mode (`dataLayer` `consent` commands), OneTrust (`OnetrustActiveGroups`) and
//! Cookiebot (`Cookiebot.consent.marketing`). CMPs change their answer later: their events and a
//! light poll (once a second while a CMP is present or the decision is pending) re-evaluate.

use capiflare_core::consent::{self, Decision, GoogleConsentCommand, Signal};
use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

use crate::dom::{self, get, get_str, window};
use crate::state;

/// `navigator.globalPrivacyControl === true`.
pub(crate) fn gpc() -> bool {
    get(&window().navigator(), "globalPrivacyControl") == JsValue::TRUE
}

/// Google consent mode from the `dataLayer`'s `['consent', 'default'|'update', {...}]` entries.
pub(crate) fn google() -> Option<Signal> {
    let layer = get(&window(), "dataLayer");
    if !Array::is_array(&layer) {
        return None;
    }
    let mut raw: Vec<(String, bool, Option<String>, Option<String>)> = Vec::new();
    for entry in Array::from(&layer).iter() {
        if get(&entry, "0").as_string().as_deref() != Some("consent") {
            continue;
        }
        let params = get(&entry, "2");
        raw.push((
            get_str(&entry, "1").unwrap_or_default(),
            !get(&params, "region").is_undefined(),
            get_str(&params, "ad_storage"),
            get_str(&params, "ad_user_data"),
        ));
    }
    if raw.is_empty() {
        return None;
    }
    let commands: Vec<GoogleConsentCommand<'_>> = raw
        .iter()
        .map(
            |(command, regional, storage, user_data)| GoogleConsentCommand {
                command,
                regional: *regional,
                ad_storage: storage.as_deref(),
                ad_user_data: user_data.as_deref(),
            },
        )
        .collect();
    consent::google_consent_signal(&commands)
}

/// OneTrust's active groups.
pub(crate) fn onetrust() -> Option<Signal> {
    consent::onetrust_signal(&get_str(&window(), "OnetrustActiveGroups")?)
}

/// Cookiebot's marketing consent.
pub(crate) fn cookiebot() -> Option<Signal> {
    let marketing = get(&get(&get(&window(), "Cookiebot"), "consent"), "marketing");
    consent::cookiebot_signal(marketing.as_bool())
}

fn cmp_present() -> bool {
    let w = window();
    ["__tcfapi", "dataLayer", "OnetrustActiveGroups", "Cookiebot"]
        .iter()
        .any(|k| !get(&w, k).is_undefined())
}

/// Registers the TCF listener, the CMP events and the poll.
pub(crate) fn install() {
    let w = window();
    if let Ok(tcfapi) = get(&w, "__tcfapi").dyn_into::<Function>() {
        let args = Array::of3(
            &JsValue::from_str("addEventListener"),
            &JsValue::from_f64(2.0),
            &dom::callback(Box::new(on_tcf)),
        );
        let _ = tcfapi.apply(&JsValue::UNDEFINED, &args);
    }
    for name in [
        "CookiebotOnConsentReady",
        "CookiebotOnAccept",
        "CookiebotOnDecline",
        "OneTrustGroupsUpdated",
    ] {
        dom::listen(&w, name, reevaluate, false);
    }
    let _ = w.set_interval_with_callback_and_timeout_and_arguments_0(
        &dom::callback(Box::new(tick)),
        1000,
    );
}

/// `__tcfapi('addEventListener', 2, cb)`'s callback: `cb(tcData, success)`; a failed call passes
/// no data.
fn on_tcf(data: JsValue) {
    if !data.is_object() {
        return;
    }
    let consents = get(&get(&data, "purpose"), "consents");
    let purposes: Vec<u16> = (1..=11u16)
        .zip(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"])
        .filter(|(_, key)| get(&consents, key) == JsValue::TRUE)
        .map(|(p, _)| p)
        .collect();
    let signal = consent::tcf_signal(
        get(&data, "gdprApplies").as_bool(),
        &get_str(&data, "eventStatus").unwrap_or_default(),
        &purposes,
        None,
    );
    dom::log_value("tcf", &data);
    state::with(|s| s.tcf = signal);
    state::evaluate();
}

fn reevaluate(_: JsValue) {
    state::evaluate();
}

fn tick(_: JsValue) {
    let pending = state::with(|s| s.decision == Some(Decision::Pending)).unwrap_or(false);
    if pending || cmp_present() {
        state::evaluate();
    }
}
