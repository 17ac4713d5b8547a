//! Embedded form builders: `message` events (HubSpot legacy `hsFormCallback`, Paperform's raw
//! `paperform:` message) and HubSpot's new-editor `hs-form-event:on-submission:success`. This
//! module only finds who sent a message (the page itself, or which builder iframe on the page)
//! and converts the data to JSON; the core applies the origin rule and decodes.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use capiflare_core::builders::JsonRead;
use capiflare_core::builders::{self, Builder, Message, Sender, Submission};
use capiflare_core::fields::{self, Input};
use capiflare_core::pii::Key;
use wasm_bindgen::prelude::*;

use crate::dom::{self, at, attr, call0, call1, get, get_str, global, is_array, js, len, log};
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
        let v = call1(&global("JSON"), "parse", &js(text));
        (!v.is_undefined()).then_some(Self(v))
    }
    fn member(&self, key: &str) -> Option<Self> {
        if is_array(&self.0) {
            return None;
        }
        Some(Self(get(&self.0, key))).filter(|v| !v.is_null())
    }
    fn members(&self) -> Option<Vec<(String, Self)>> {
        if !self.0.is_object() || is_array(&self.0) {
            return None;
        }
        let all = dom::entries(&self.0);
        let mut out = Vec::new();
        for i in 0..len(&all) {
            let pair = at(&all, i);
            if let Some(k) = at(&pair, 0).as_string() {
                out.push((k, Self(at(&pair, 1))));
            }
        }
        Some(out)
    }
    fn items(&self) -> Option<Vec<Self>> {
        if !is_array(&self.0) {
            return None;
        }
        let mut out = Vec::new();
        for i in 0..len(&self.0) {
            out.push(Self(at(&self.0, i)));
        }
        Some(out)
    }
    fn text(&self) -> Option<String> {
        self.0.as_string()
    }
    fn number(&self) -> Option<String> {
        crate::number_text(&self.0)
    }
    fn is_null(&self) -> bool {
        self.0.is_null() || self.0.is_undefined()
    }
    fn is_object(&self) -> bool {
        self.0.is_object() && !is_array(&self.0)
    }
}

pub(crate) fn install() {
    let w = dom::window();
    dom::listen(&w, "message", on_message, false);
    dom::listen(
        &w,
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

/// Which of the page's builder iframes has this window, with its element, its `src` origin and
/// Paperform's `_embed_id`.
fn find_frame(
    source: &JsValue,
    page_origin: &str,
) -> Option<(Builder, JsValue, String, Option<String>)> {
    let doc = dom::document();
    for (builder, selector) in FRAMES {
        let frames = dom::select_all(&doc, selector);
        for i in 0..len(&frames) {
            let frame = at(&frames, i);
            let content = get(&frame, "contentWindow");
            if !content.is_object() || !dom::same(&content, source) {
                continue;
            }
            let src = get_str(&frame, "src").unwrap_or_default();
            let base = get_str(&doc, "baseURI").unwrap_or_default();
            let url = crate::resolve(&src, &base);
            let origin = match get_str(&url, "origin") {
                Some(o) if !src.is_empty() && src != "about:blank" => o,
                _ => String::from(page_origin),
            };
            let embed_id = call1(&get(&url, "searchParams"), "get", &js("_embed_id")).as_string();
            return Some((builder, frame, origin, embed_id));
        }
    }
    None
}

fn on_message(ev: JsValue) {
    let data = Js(get(&ev, "data"));
    if !maybe_builder(&data.0) {
        return;
    }
    let w = dom::window();
    let page_origin = dom::location("origin");
    let source = get(&ev, "source");
    let frame = if dom::same(&source, &w) {
        None
    } else {
        find_frame(&source, &page_origin)
    };
    let sender = match &frame {
        None if dom::same(&source, &w) => Sender::Page,
        None => Sender::Other,
        Some((builder, _, origin, embed_id)) => Sender::Frame {
            builder: *builder,
            src_origin: origin,
            embed_id: embed_id.as_deref(),
        },
    };
    let form_origins = dom::strings(&state::config("form_origins"));
    let origin = get_str(&ev, "origin").unwrap_or_default();
    let msg = Message {
        origin: &origin,
        page_origin: &page_origin,
        sender,
        form_origins: &form_origins,
    };
    if builders::trusted_sender(&msg).is_none() {
        dom::log_value("message ignored: untrusted sender", &js(&origin));
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
    forms::convert(&state::user_to_js(&submission_user(&submission)));
}

/// A builder's answers → the hashed user (classified by the core, hashed at once).
#[must_use]
pub fn submission_user(sub: &Submission) -> User {
    let mut raw: Vec<(Key, String)> = Vec::new();
    for f in &sub.fields {
        let input = Input {
            input_type: &f.input_type,
            name: &f.name,
            label: &f.label,
            ..Input::default()
        };
        if let Some(field) = fields::classify(&input) {
            for v in &f.values {
                for (k, v) in fields::entries(field, v) {
                    raw.push((k, String::from(v)));
                }
            }
        }
    }
    state::hash(&raw)
}

fn on_hubspot_v4(ev: JsValue) {
    let form_id = get_str(&get(&ev, "detail"), "formId").unwrap_or_default();
    let mut ids = Vec::new();
    let mut container = None;
    let selector = ".hs-form-frame[data-form-id],.hs-form-html[data-form-id]";
    let list = dom::select_all(&dom::document(), selector);
    for i in 0..len(&list) {
        let el = at(&list, i);
        let id = attr(&el, "data-form-id").unwrap_or_default();
        if id == form_id && container.is_none() {
            container = Some(el);
        }
        ids.push(id);
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
    let api = global("HubSpotFormsV4");
    let form = call1(&api, "getFormFromEvent", &ev);
    let values = if form.is_undefined() {
        JsValue::NULL
    } else {
        let v = call0(&form, "getFormFieldValues");
        if v.is_undefined() { JsValue::NULL } else { v }
    };
    // The event id is fixed now; the values may arrive a moment later.
    let id = dom::new_event_id();
    let with_values = dom::once(Box::new(move |values: JsValue| {
        let user = builders::decode_hubspot_v4(&form_id, &Js(values))
            .map(|sub| submission_user(&sub))
            .unwrap_or_default();
        state::convert(
            &state::event_name("form"),
            &JsValue::UNDEFINED,
            &state::user_to_js(&user),
            Some(id),
            true,
        );
        JsValue::UNDEFINED
    }));
    let none = dom::once(Box::new(|_| JsValue::NULL));
    let promise = call1(&global("Promise"), "resolve", &values);
    dom::settle(&promise, &none, &with_values);
}
