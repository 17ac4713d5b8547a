//! Embedded form builders: `message` events (HubSpot legacy `hsFormCallback`, Paperform's raw
//! `paperform:` message) and HubSpot's new-editor `hs-form-event:on-submission:success`. This
//! module only finds who sent a message (the page itself, or which builder iframe on the page)
//! and converts the data to JSON; the core applies the origin rule and decodes.

use capiflare_core::builders::JsonRead;
use capiflare_core::builders::{self, Builder, Message, Sender, Submission};
use capiflare_core::fields::{self, Input};
use capiflare_core::pii::Key;
use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlIFrameElement, MessageEvent, Url};

use crate::dom::{self, get, get_str, log, window};
use crate::forms;
use crate::state::{self, User};

/// The iframes that are a builder's, by builder.
const FRAMES: [(Builder, &str); 2] = [
    (
        Builder::HubSpot,
        "iframe.hs-form-iframe,.hs-form-frame iframe,.hbspt-form iframe",
    ),
    (Builder::Paperform, "[data-paperform-id] iframe"),
];

/// A JS value as the core's [`JsonRead`]: the module needs no JSON parser of its own.
#[derive(Clone, Debug)]
pub struct Js(pub JsValue);

impl JsonRead for Js {
    fn parse(text: &str) -> Option<Self> {
        js_sys::JSON::parse(text).ok().map(Self)
    }
    fn member(&self, key: &str) -> Option<Self> {
        if Array::is_array(&self.0) {
            return None;
        }
        Some(Self(get(&self.0, key))).filter(|v| !v.is_null())
    }
    fn members(&self) -> Option<Vec<(String, Self)>> {
        if !self.0.is_object() || Array::is_array(&self.0) {
            return None;
        }
        let entries = Object::entries(self.0.unchecked_ref());
        Some(
            entries
                .iter()
                .filter_map(|pair| Some((get_str(&pair, "0")?, Self(get(&pair, "1")))))
                .collect(),
        )
    }
    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(&self.0).then(|| Array::from(&self.0).iter().map(Self).collect())
    }
    fn text(&self) -> Option<String> {
        self.0.as_string()
    }
    fn number(&self) -> Option<String> {
        let n = js_sys::Number::from(self.0.as_f64()?);
        n.to_string_with_radix(10).ok().map(String::from)
    }
    fn is_null(&self) -> bool {
        self.0.is_null() || self.0.is_undefined()
    }
}

pub(crate) fn install() {
    dom::listen(&window(), "message", on_message, false);
    dom::listen(
        &window(),
        "hs-form-event:on-submission:success",
        on_hubspot_v4,
        false,
    );
}

/// Whether the data may be a builder's (checked cheaply first: pages receive many unrelated
/// messages). The core decides.
fn maybe_builder(data: &JsValue) -> bool {
    match data.as_string() {
        Some(s) => s.starts_with("paperform:"),
        None => get_str(data, "type").as_deref() == Some("hsFormCallback"),
    }
}

/// Which of the page's builder iframes has this window, with its element and `src` origin.
fn find_frame(
    source: &JsValue,
    page_origin: &str,
) -> Option<(Builder, Element, String, Option<String>)> {
    let doc = dom::document();
    for (builder, selector) in FRAMES {
        let Ok(list) = doc.query_selector_all(selector) else {
            continue;
        };
        for i in 0..list.length() {
            let Some(frame) = list
                .item(i)
                .and_then(|n| n.dyn_into::<HtmlIFrameElement>().ok())
            else {
                continue;
            };
            let same = frame
                .content_window()
                .is_some_and(|w| Object::is(&w, source));
            if !same {
                continue;
            }
            let src = frame.src();
            let base = doc.base_uri().ok().flatten().unwrap_or_default();
            let url = Url::new_with_base(&src, &base).ok();
            let origin = match &url {
                Some(u) if !src.is_empty() && src != "about:blank" => u.origin(),
                _ => page_origin.to_owned(),
            };
            let embed_id = url.and_then(|u| u.search_params().get("_embed_id"));
            return Some((builder, frame.into(), origin, embed_id));
        }
    }
    None
}

fn on_message(ev: JsValue) {
    let ev: MessageEvent = ev.unchecked_into();
    let data = Js(ev.data());
    if !maybe_builder(&data.0) {
        return;
    }
    let page_origin = window().location().origin().unwrap_or_default();
    let source: JsValue = ev.source().map(Into::into).unwrap_or(JsValue::NULL);
    let frame = if Object::is(&source, &window()) {
        None
    } else {
        find_frame(&source, &page_origin)
    };
    let sender = match &frame {
        None if Object::is(&source, &window()) => Sender::Page,
        None => Sender::Other,
        Some((builder, _, origin, embed_id)) => Sender::Frame {
            builder: *builder,
            src_origin: origin,
            embed_id: embed_id.as_deref(),
        },
    };
    let form_origins = state::with(|s| s.cfg.form_origins.clone()).unwrap_or_default();
    let origin = ev.origin();
    let msg = Message {
        origin: &origin,
        page_origin: &page_origin,
        sender,
        form_origins: &form_origins,
    };
    if builders::trusted_sender(&msg).is_none() {
        dom::log_value(
            "message ignored: untrusted sender",
            &JsValue::from_str(&origin),
        );
        return;
    }
    let Some(submission) = builders::decode_message(&msg, &data) else {
        log("message ignored: not a submission");
        return;
    };
    if let Some(why) = frame.as_ref().and_then(|(_, el, _, _)| forms::excluded(el)) {
        log(why);
        return;
    }
    log(match submission.builder {
        Builder::HubSpot => "HubSpot submission",
        Builder::Paperform => "Paperform submission",
    });
    let user = submission_user(&submission);
    state::convert(
        state::event_name("form"),
        JsValue::UNDEFINED,
        user,
        None,
        true,
    );
}

/// A builder's answers → the hashed user (classified by the core, hashed at once).
#[must_use]
pub fn submission_user(sub: &Submission) -> User {
    let mut entries: Vec<(Key, String)> = Vec::new();
    for f in &sub.fields {
        let input = Input {
            input_type: &f.input_type,
            name: &f.name,
            label: &f.label,
            ..Input::default()
        };
        if let Some(field) = fields::classify(&input) {
            for v in &f.values {
                entries.extend(
                    fields::entries(field, v)
                        .into_iter()
                        .map(|(k, v)| (k, v.to_owned())),
                );
            }
        }
    }
    state::hash(&entries)
}

fn on_hubspot_v4(ev: JsValue) {
    let form_id = get_str(&get(&ev, "detail"), "formId").unwrap_or_default();
    let doc = dom::document();
    let mut ids = Vec::new();
    let mut container = None;
    if let Ok(list) =
        doc.query_selector_all(".hs-form-frame[data-form-id],.hs-form-html[data-form-id]")
    {
        for i in 0..list.length() {
            let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let id = el.get_attribute("data-form-id").unwrap_or_default();
            if id == form_id && container.is_none() {
                container = Some(el);
            }
            ids.push(id);
        }
    }
    if !builders::hubspot_v4_form_known(&form_id, &ids) {
        log("HubSpot event ignored: form not on this page");
        return;
    }
    if let Some(why) = container.as_ref().and_then(forms::excluded) {
        log(why);
        return;
    }
    log("HubSpot submission");
    let api = get(&window(), "HubSpotFormsV4");
    let values = get(&api, "getFormFromEvent")
        .dyn_into::<Function>()
        .ok()
        .and_then(|f| f.call1(&api, &ev).ok())
        .and_then(|form| {
            let read = get(&form, "getFormFieldValues")
                .dyn_into::<Function>()
                .ok()?;
            read.call0(&form).ok()
        })
        .unwrap_or(JsValue::NULL);
    // The event id is fixed now; the values may arrive a moment later.
    let id = dom::new_event_id();
    let with_values = dom::once(Box::new(move |values: JsValue| {
        let user = builders::decode_hubspot_v4(&form_id, &Js(values))
            .map(|sub| submission_user(&sub))
            .unwrap_or_default();
        state::convert(
            state::event_name("form"),
            JsValue::UNDEFINED,
            user,
            Some(id),
            true,
        );
        JsValue::UNDEFINED
    }));
    let none = dom::once(Box::new(|_| JsValue::NULL));
    dom::settle(&Promise::resolve(&values), &none, &with_values);
}
