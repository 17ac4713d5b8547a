//! Reading the consent signals the page exposes; the core turns each into a signal and decides.
//! GPC (`navigator.globalPrivacyControl`), IAB TCF v2.2 (`__tcfapi('addEventListener', 2, cb)`),
//! Google consent mode (`dataLayer` `consent` commands), OneTrust (`OnetrustActiveGroups`) and
//! Cookiebot (`Cookiebot.consent.marketing`). CMPs change their answer later: their events and a
//! light poll (once a second while a CMP is present or the decision is pending) re-evaluate.

use alloc::boxed::Box;
use alloc::vec::Vec;

use capiflare_core::consent::{self, Decision, GoogleConsent, GoogleConsentCommand, Signal};
use wasm_bindgen::prelude::*;

use crate::dom::{self, at, get, get_str, get_true, global, is_array, js, len};
use crate::state;

/// `navigator.globalPrivacyControl === true`.
pub(crate) fn gpc() -> bool {
    get_true(&global("navigator"), "globalPrivacyControl")
}

/// Google consent mode from the `dataLayer`'s `['consent', 'default'|'update', {...}]` entries.
pub(crate) fn google() -> Option<Signal> {
    let layer = global("dataLayer");
    if !is_array(&layer) {
        return None;
    }
    let mut state = GoogleConsent::default();
    for i in 0..len(&layer) {
        let entry = at(&layer, i);
        if get_str(&entry, "0").as_deref() != Some("consent") {
            continue;
        }
        let params = get(&entry, "2");
        let (storage, user_data) = (
            get_str(&params, "ad_storage"),
            get_str(&params, "ad_user_data"),
        );
        state.apply(&GoogleConsentCommand {
            command: &get_str(&entry, "1").unwrap_or_default(),
            regional: !get(&params, "region").is_undefined(),
            ad_storage: storage.as_deref(),
            ad_user_data: user_data.as_deref(),
        });
    }
    state.signal()
}

/// OneTrust's active groups.
pub(crate) fn onetrust() -> Option<Signal> {
    consent::onetrust_signal(&get_str(&dom::window(), "OnetrustActiveGroups")?)
}

/// Cookiebot's marketing consent.
pub(crate) fn cookiebot() -> Option<Signal> {
    let marketing = get(&get(&global("Cookiebot"), "consent"), "marketing");
    consent::cookiebot_signal(marketing.as_bool())
}

fn cmp_present() -> bool {
    let w = dom::window();
    ["__tcfapi", "dataLayer", "OnetrustActiveGroups", "Cookiebot"]
        .iter()
        .any(|k| !get(&w, k).is_undefined())
}

/// Registers the TCF listener, the CMP events and the poll.
pub(crate) fn install() {
    let w = dom::window();
    let tcfapi = get(&w, "__tcfapi");
    if tcfapi.is_function() {
        let args = dom::array(&[
            &js("addEventListener"),
            &JsValue::from(2),
            &dom::callback(Box::new(on_tcf)),
        ]);
        dom::call2(&tcfapi, "apply", &JsValue::UNDEFINED, &args);
    }
    for name in [
        "CookiebotOnConsentReady",
        "CookiebotOnAccept",
        "CookiebotOnDecline",
        "OneTrustGroupsUpdated",
    ] {
        dom::listen(&w, name, reevaluate, false);
    }
    let tick = dom::callback(Box::new(tick));
    dom::call2(&w, "setInterval", &tick, &JsValue::from(1000));
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
        .filter(|(_, key)| get_true(&consents, key))
        .map(|(p, _)| p)
        .collect();
    let signal = consent::tcf_signal(
        get(&data, "gdprApplies").as_bool(),
        &get_str(&data, "eventStatus").unwrap_or_default(),
        &purposes,
        None,
    );
    dom::log_value("tcf", &data);
    if let Some(mut s) = state::st() {
        s.tcf = signal;
    }
    state::evaluate();
}

fn reevaluate(_: JsValue) {
    state::evaluate();
}

fn tick(_: JsValue) {
    let pending = state::st().is_some_and(|s| s.decision == Some(Decision::Pending));
    if pending || cmp_present() {
        state::evaluate();
    }
}
