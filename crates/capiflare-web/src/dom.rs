//! Small page helpers: the window and document, the clock, randomness, cookies, visibility and the
//! debug log. No decisions here.

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, EventTarget, HtmlDocument, Window};

use crate::state;

pub(crate) fn window() -> Window {
    js_sys::global().unchecked_into()
}

pub(crate) fn document() -> Document {
    window().document().expect_throw("no document")
}

/// A property of a JS value, `undefined` when absent or when reading it throws.
pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    if target.is_object() || target.is_function() {
        Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// A string property, `None` when absent or not a string.
pub(crate) fn get_str(target: &JsValue, key: &str) -> Option<String> {
    get(target, key).as_string()
}

pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Unix milliseconds from the browser's clock.
pub(crate) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Bytes from `crypto.getRandomValues`.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    let filled = window()
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut buf).map(|_| ()));
    if filled.is_err() {
        for b in &mut buf {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    buf
}

/// A fresh event id: a UUID v4 from the browser's CSPRNG, formatted by the core.
#[must_use]
pub fn new_event_id() -> String {
    capiflare_core::event_id::from_random(random_bytes())
}

/// The value of the first cookie called `name` that this page can read.
#[must_use]
pub fn cookie(name: &str) -> Option<String> {
    let all = document().dyn_into::<HtmlDocument>().ok()?.cookie().ok()?;
    all.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.trim() == name).then(|| v.trim().to_owned())
    })
}

/// Writes a first-party cookie for 90 days: the fallback when the worker cannot set it.
pub(crate) fn set_cookie(name: &str, value: &str, domain: Option<&str>) {
    let secure = window().location().protocol().is_ok_and(|p| p == "https:");
    let mut c = [name, "=", value, "; Max-Age=7776000; Path=/; SameSite=Lax"].concat();
    if let Some(d) = domain {
        c.push_str("; Domain=");
        c.push_str(d);
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Ok(doc) = document().dyn_into::<HtmlDocument>() {
        let _ = doc.set_cookie(&c);
    }
}

/// Whether an element is rendered and not `visibility: hidden` or fully transparent.
pub(crate) fn rendered(el: &Element) -> bool {
    if el.get_client_rects().length() == 0 {
        return false;
    }
    match window().get_computed_style(el) {
        Ok(Some(style)) => {
            let prop = |p: &str| style.get_property_value(p).unwrap_or_default();
            prop("visibility") != "hidden" && prop("opacity") != "0"
        }
        _ => true,
    }
}

/// Whether humans can see an element: rendered, at least 2×2 pixels, and not placed off the
/// page to the left or the top.
pub(crate) fn visible_to_humans(el: &Element) -> bool {
    if !rendered(el) {
        return false;
    }
    let r = el.get_bounding_client_rect();
    let w = window();
    let (sx, sy) = (w.scroll_x().unwrap_or(0.0), w.scroll_y().unwrap_or(0.0));
    r.width() >= 2.0 && r.height() >= 2.0 && r.right() + sx > 0.0 && r.bottom() + sy > 0.0
}

/// The trimmed text of an element.
pub(crate) fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default().trim().to_owned()
}

/// `el.closest(selector)` is some (an invalid selector matches nothing).
pub(crate) fn within(el: &Element, selector: &str) -> bool {
    matches!(el.closest(selector), Ok(Some(_)))
}

/// `console.log` when the script tag has `data-debug`: each decision and why.
pub(crate) fn log(msg: &str) {
    if state::debug() {
        web_sys::console::log_2(&JsValue::from_str("[capiflare]"), &JsValue::from_str(msg));
    }
}

/// As [`log`], with a value.
pub(crate) fn log_value(msg: &str, value: &JsValue) {
    if state::debug() {
        let args = Array::of3(
            &JsValue::from_str("[capiflare]"),
            &JsValue::from_str(msg),
            value,
        );
        web_sys::console::log(&args);
    }
}

/// A JS function calling `f`, kept for the page's lifetime. Every callback goes through this one
/// closure type (and every one-shot callback through [`once`]): each closure type costs the
/// module its own glue.
pub(crate) fn callback(mut f: Box<dyn FnMut(JsValue)>) -> js_sys::Function {
    Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| f(v))
        .into_js_value()
        .unchecked_into()
}

/// A JS function that runs `f` once with its argument and returns what `f` returns.
pub(crate) fn once(f: Box<dyn FnOnce(JsValue) -> JsValue>) -> JsValue {
    Closure::once_into_js(move |v: JsValue| -> JsValue { f(v) })
}

/// `target.addEventListener(name, f, capture)`, for the page's lifetime.
pub(crate) fn listen(target: &EventTarget, name: &str, f: fn(JsValue), capture: bool) {
    let _ = target.add_event_listener_with_callback_and_bool(name, &callback(Box::new(f)), capture);
}

/// Runs `f` when the page is idle (`requestIdleCallback`, else after a short delay).
pub(crate) fn idle(f: Box<dyn FnOnce()>) {
    let cb = once(Box::new(move |_| {
        f();
        JsValue::UNDEFINED
    }));
    let w = window();
    match get(&w, "requestIdleCallback").dyn_into::<js_sys::Function>() {
        Ok(ric) => {
            let _ = ric.call1(&w, &cb);
        }
        Err(_) => {
            let _ =
                w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 500);
        }
    }
}

/// Runs `f` after `ms` milliseconds.
pub(crate) fn later(ms: i32, f: Box<dyn FnOnce()>) {
    let cb = once(Box::new(move |_| {
        f();
        JsValue::UNDEFINED
    }));
    let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms);
}

#[wasm_bindgen]
extern "C" {
    /// A promise, bound with plain-function `then`/`catch`.
    pub(crate) type Thenable;
    #[wasm_bindgen(method)]
    pub(crate) fn then(this: &Thenable, f: &JsValue) -> Thenable;
    #[wasm_bindgen(method)]
    fn catch(this: &Thenable, f: &JsValue) -> Thenable;
}

/// `promise.catch(on_error).then(next)`: `next` receives the value, or what `on_error` returned.
pub(crate) fn settle(promise: &JsValue, on_error: &JsValue, next: &JsValue) {
    let p: &Thenable = promise.unchecked_ref();
    let _ = p.catch(on_error).then(next);
}
