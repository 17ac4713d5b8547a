//! The page, reached through a few untyped JavaScript helpers instead of typed bindings: every
//! imported function costs the module its own glue and every typed call its own code, so these
//! serve every DOM and browser call. Reading a property or calling a method never throws: a
//! failure reads as `undefined`, as the module always treated it. Also the clock, randomness,
//! cookies, visibility and the debug log. No decisions here.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use wasm_bindgen::prelude::*;

use crate::state;

#[wasm_bindgen(inline_js = "
function t(a){while(a.length&&a[a.length-1]===void 0)a.pop();return a}
export function w(){return window}
export function o(){return{}}
export function g(o,k){try{if(o!==null&&(typeof o=='object'||typeof o=='function'))return o[k]}catch(e){}}
export function s(o,k,v){try{o[k]=v}catch(e){}}
export function c(o,m,...a){try{return o[m](...t(a))}catch(e){}}
export function n(k,...a){try{return new window[k](...t(a))}catch(e){}}
export function k(v,c){try{return v instanceof window[c]}catch(e){return!1}}
export function a(v){return Array.isArray(v)}
export function l(v){try{return Array.from(v)}catch(e){return[]}}
export function e(v){try{return Object.entries(v)}catch(e){return[]}}
export function q(r,s){try{return Array.from(r.querySelectorAll(s))}catch(e){return[]}}
export function i(v,k){return v[k]}
export function z(v){return v.length}
export function r(){try{return crypto.getRandomValues(new Uint32Array(1))[0]}catch(e){return Math.random()*4294967296>>>0}}
export function p(u,b,d){fetch(u,{method:'POST',body:b,keepalive:!0,credentials:'include'}).then(r=>r.status).catch(()=>{try{return navigator.sendBeacon(u,b)?1:0}catch(e){return 0}}).then(d)}
")]
extern "C" {
    /// `window`.
    #[wasm_bindgen(js_name = w)]
    pub(crate) fn window() -> JsValue;
    /// A new empty object, `{}`.
    #[wasm_bindgen(js_name = o)]
    pub(crate) fn object() -> JsValue;
    /// `target[key]`; `undefined` when the target is not an object or function, or reading throws.
    #[wasm_bindgen(js_name = g)]
    pub(crate) fn get(target: &JsValue, key: &str) -> JsValue;
    /// `target[key] = value`, ignoring a failure.
    #[wasm_bindgen(js_name = s)]
    pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue);
    /// `target[method](a, b, c, d)` without the trailing `undefined` arguments; `undefined` when it
    /// throws or is not a method.
    #[wasm_bindgen(js_name = c)]
    fn call_raw(
        target: &JsValue,
        method: &str,
        a: &JsValue,
        b: &JsValue,
        c: &JsValue,
        d: &JsValue,
    ) -> JsValue;
    /// `new window[class](a, b)` without the trailing `undefined` arguments; `undefined` when it
    /// throws.
    #[wasm_bindgen(js_name = n)]
    pub(crate) fn new_of(class: &str, a: &JsValue, b: &JsValue) -> JsValue;
    /// `value instanceof window[class]`.
    #[wasm_bindgen(js_name = k)]
    pub(crate) fn is_a(value: &JsValue, class: &str) -> bool;
    /// `Array.isArray(value)`.
    #[wasm_bindgen(js_name = a)]
    pub(crate) fn is_array(value: &JsValue) -> bool;
    /// `Array.from(value)`: the items of an array-like value (an array, a `NodeList`,
    /// `arguments`), an empty array when it is not one.
    #[wasm_bindgen(js_name = l)]
    pub(crate) fn list(value: &JsValue) -> JsValue;
    /// `Object.entries(value)`: `[name, value]` pairs of its own enumerable properties (an empty
    /// array when that throws).
    #[wasm_bindgen(js_name = e)]
    pub(crate) fn entries(value: &JsValue) -> JsValue;
    /// `root.querySelectorAll(selector)` as an array (empty for an invalid selector).
    #[wasm_bindgen(js_name = q)]
    pub(crate) fn select_all(root: &JsValue, selector: &str) -> JsValue;
    /// `array[index]`.
    #[wasm_bindgen(js_name = i)]
    pub(crate) fn at(array: &JsValue, index: u32) -> JsValue;
    /// `array.length`.
    #[wasm_bindgen(js_name = z)]
    pub(crate) fn len(array: &JsValue) -> u32;
    /// `fetch(url, {method: 'POST', body, keepalive: true, credentials: 'include'})`, then
    /// `done(status)`; `navigator.sendBeacon` when fetch fails (`done(1)` if queued, `done(0)` if
    /// not).
    #[wasm_bindgen(js_name = p)]
    pub(crate) fn post_raw(url: &str, body: &str, done: &JsValue);
    /// A random `u32` from `crypto.getRandomValues` (`Math.random` if the page has no `crypto`).
    #[wasm_bindgen(js_name = r)]
    pub(crate) fn random_u32() -> u32;
}

const U: &JsValue = &JsValue::UNDEFINED;

/// `target[method]()`.
pub(crate) fn call0(target: &JsValue, method: &str) -> JsValue {
    call_raw(target, method, U, U, U, U)
}

/// `target[method](a)`.
pub(crate) fn call1(target: &JsValue, method: &str, a: &JsValue) -> JsValue {
    call_raw(target, method, a, U, U, U)
}

/// `target[method](a, b)`.
pub(crate) fn call2(target: &JsValue, method: &str, a: &JsValue, b: &JsValue) -> JsValue {
    call_raw(target, method, a, b, U, U)
}

/// `target[method](a, b, c)`.
pub(crate) fn call3(
    target: &JsValue,
    method: &str,
    a: &JsValue,
    b: &JsValue,
    c: &JsValue,
) -> JsValue {
    call_raw(target, method, a, b, c, U)
}

/// A JS string.
pub(crate) fn js(s: &str) -> JsValue {
    JsValue::from_str(s)
}

/// `window[key]`.
pub(crate) fn global(key: &str) -> JsValue {
    get(&window(), key)
}

pub(crate) fn document() -> JsValue {
    global("document")
}

/// `location[key]`, or empty.
pub(crate) fn location(key: &str) -> String {
    get_str(&global("location"), key).unwrap_or_default()
}

/// A string property, `None` when absent or not a string.
pub(crate) fn get_str(target: &JsValue, key: &str) -> Option<String> {
    get(target, key).as_string()
}

/// `target[key] === true`.
pub(crate) fn get_true(target: &JsValue, key: &str) -> bool {
    is_true(&get(target, key))
}

/// `value === true`.
pub(crate) fn is_true(value: &JsValue) -> bool {
    value.as_bool() == Some(true)
}

/// `el.getAttribute(name)`.
pub(crate) fn attr(el: &JsValue, name: &str) -> Option<String> {
    call1(el, "getAttribute", &js(name)).as_string()
}

/// The strings of an array (nothing when it is not an array).
pub(crate) fn strings(value: &JsValue) -> Vec<String> {
    let mut out = Vec::new();
    if is_array(value) {
        for i in 0..len(value) {
            out.extend(at(value, i).as_string());
        }
    }
    out
}

/// `Object.is(a, b)`.
pub(crate) fn same(a: &JsValue, b: &JsValue) -> bool {
    is_true(&call2(&global("Object"), "is", a, b))
}

/// A new array of the values.
pub(crate) fn array(values: &[&JsValue]) -> JsValue {
    let out = new_of("Array", U, U);
    for v in values {
        call1(&out, "push", v);
    }
    out
}

/// A number, or 0.
pub(crate) fn number(value: &JsValue) -> f64 {
    value.as_f64().unwrap_or(0.0)
}

/// Unix milliseconds from the browser's clock.
pub(crate) fn now_ms() -> u64 {
    number(&call0(&global("Date"), "now")) as u64
}

/// 16 random bytes (see [`random_u32`]).
fn random_bytes() -> [u8; 16] {
    let mut out = [0u8; 16];
    let mut r = 0;
    for (i, b) in out.iter_mut().enumerate() {
        if i % 4 == 0 {
            r = random_u32();
        }
        *b = r.to_le_bytes()[i % 4];
    }
    out
}

/// A fresh event id: a UUID v4 from the browser's CSPRNG, formatted by the core.
#[must_use]
pub fn new_event_id() -> String {
    capiflare_core::event_id::from_random(random_bytes())
}

/// The value of the first cookie called `name` that this page can read.
#[must_use]
pub fn cookie(name: &str) -> Option<String> {
    capiflare_core::cookies::read(&get_str(&document(), "cookie")?, name)
}

/// Writes a first-party cookie for 90 days: the fallback when the worker cannot set it.
pub(crate) fn set_cookie(name: &str, value: &str, domain: Option<&str>) {
    let secure = location("protocol") == "https:";
    let c = capiflare_core::cookies::set_cookie(name, value, domain, secure);
    set(&document(), "cookie", &js(&c));
}

/// Whether an element is rendered and not `visibility: hidden` or fully transparent.
pub(crate) fn rendered(el: &JsValue) -> bool {
    if get(&call0(el, "getClientRects"), "length").as_f64() == Some(0.0) {
        return false;
    }
    let style = call1(&window(), "getComputedStyle", el);
    if !style.is_object() {
        return true;
    }
    let prop = |p: &str| call1(&style, "getPropertyValue", &js(p)).as_string();
    prop("visibility").as_deref() != Some("hidden") && prop("opacity").as_deref() != Some("0")
}

/// Whether humans can see an element: rendered, at least 2×2 pixels, and not placed off the
/// page to the left or the top.
pub(crate) fn visible_to_humans(el: &JsValue) -> bool {
    if !rendered(el) {
        return false;
    }
    let r = call0(el, "getBoundingClientRect");
    let n = |o: &JsValue, k: &str| number(&get(o, k));
    let w = window();
    n(&r, "width") >= 2.0
        && n(&r, "height") >= 2.0
        && n(&r, "right") + n(&w, "scrollX") > 0.0
        && n(&r, "bottom") + n(&w, "scrollY") > 0.0
}

/// The trimmed text of an element.
pub(crate) fn text(el: &JsValue) -> String {
    String::from(get_str(el, "textContent").unwrap_or_default().trim())
}

/// `el.closest(selector)` is an element (an invalid selector matches nothing).
pub(crate) fn within(el: &JsValue, selector: &str) -> bool {
    call1(el, "closest", &js(selector)).is_object()
}

/// `console.log` when the script tag has `data-debug`: each decision and why.
pub(crate) fn log(msg: &str) {
    log_value(msg, U);
}

/// As [`log`], with a value (none when `undefined`).
pub(crate) fn log_value(msg: &str, value: &JsValue) {
    if state::debug() {
        call3(
            &global("console"),
            "log",
            &js("[capiflare]"),
            &js(msg),
            value,
        );
    }
}

/// A JS function calling `f`, kept for the page's lifetime. Every callback goes through this one
/// closure type (and every one-shot callback through [`once`]): each closure type costs the
/// module its own glue.
pub(crate) fn callback(f: Box<dyn FnMut(JsValue)>) -> JsValue {
    Closure::<dyn FnMut(JsValue)>::wrap(f).into_js_value()
}

/// A JS function that runs `f` once with its argument and returns what `f` returns.
pub(crate) fn once(f: Box<dyn FnOnce(JsValue) -> JsValue>) -> JsValue {
    Closure::once_into_js(f)
}

/// `target.addEventListener(name, f, capture)`, for the page's lifetime.
pub(crate) fn listen(target: &JsValue, name: &str, f: fn(JsValue), capture: bool) {
    let f = callback(Box::new(f));
    call3(
        target,
        "addEventListener",
        &js(name),
        &f,
        &JsValue::from_bool(capture),
    );
}

/// Runs `f` when the page is idle (`requestIdleCallback`, else after a short delay).
pub(crate) fn idle(f: fn()) {
    let cb = once(Box::new(move |_| {
        f();
        JsValue::UNDEFINED
    }));
    let w = window();
    if get(&w, "requestIdleCallback").is_function() {
        call1(&w, "requestIdleCallback", &cb);
    } else {
        call2(&w, "setTimeout", &cb, &JsValue::from(500));
    }
}

/// Runs `f` after `ms` milliseconds.
pub(crate) fn later(ms: u32, f: Box<dyn FnOnce()>) {
    let cb = once(Box::new(move |_| {
        f();
        JsValue::UNDEFINED
    }));
    call2(&window(), "setTimeout", &cb, &JsValue::from(ms));
}

/// `promise.catch(on_error).then(next)`: `next` receives the value, or what `on_error` returned.
pub(crate) fn settle(promise: &JsValue, on_error: &JsValue, next: &JsValue) {
    call1(&call1(promise, "catch", on_error), "then", next);
}
