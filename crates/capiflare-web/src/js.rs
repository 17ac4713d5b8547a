//! Reading the JS values the page driver passes (each call's array of arguments, lists of
//! strings, builder messages), through a few untyped helpers: every imported function costs the module its own glue, so these serve
//! every read. A read never throws: a failure reads as `undefined`.

use alloc::string::String;
use alloc::vec::Vec;

use capiflare_core::builders::JsonRead;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function g(o,k){try{if(o!==null&&(typeof o=='object'&&!Array.isArray(o)||typeof o=='function'))return o[k]??void 0}catch(e){}}
export function e(v){try{return Object.keys(v)}catch(e){return[]}}
export function a(v){return Array.isArray(v)}
export function j(t){try{return JSON.parse(t)}catch(e){}}
export function n(v){return typeof v=='number'?String(v):typeof v=='string'?v:void 0}
export function i(v,k){return v[k]}
export function z(v){return v.length}
export function l(s){return s.toLowerCase()}
export function t(s){return s}
")]
extern "C" {
    /// `target[key]`; `undefined` when the target is an array or not an object or function, when
    /// reading throws, and for `null`.
    #[wasm_bindgen(js_name = g)]
    fn get(target: &JsValue, key: &str) -> JsValue;
    /// `Object.keys(value)` (an empty array when that throws).
    #[wasm_bindgen(js_name = e)]
    fn keys(value: &JsValue) -> JsValue;
    /// `Array.isArray(value)`.
    #[wasm_bindgen(js_name = a)]
    fn is_array(value: &JsValue) -> bool;
    /// `JSON.parse(text)`; `undefined` when it is not JSON.
    #[wasm_bindgen(js_name = j)]
    fn parse_json(text: &str) -> JsValue;
    /// A string, or a number as JavaScript's `String(n)` writes it; `undefined` for anything
    /// else.
    #[wasm_bindgen(js_name = n)]
    fn scalar_text(value: &JsValue) -> Option<String>;
    /// `array[index]`.
    #[wasm_bindgen(js_name = i)]
    fn at(array: &JsValue, index: u32) -> JsValue;
    /// `array.length`.
    #[wasm_bindgen(js_name = z)]
    fn len(array: &JsValue) -> u32;
    /// Lowercasing for the core's normalization ([`capiflare_core::pii::Lower`]): JavaScript's
    /// `text.toLowerCase()`, Unicode's full mapping with the final-sigma rule, as the worker's
    /// `str::to_lowercase` (the tests compare the two on every code point), and as Meta's own
    /// normalizer lowercases. The browser has the case tables; the download need not carry them.
    #[wasm_bindgen(js_name = l)]
    pub(crate) fn lower(text: &str) -> String;
    /// `text` as a JS string: an answer handed to the page.
    #[wasm_bindgen(js_name = t)]
    pub(crate) fn text(text: &str) -> JsValue;
}

/// The items of an array from index `start` on (nothing when it is not one).
fn items_from(value: &JsValue, start: u32) -> Vec<Js> {
    let mut out = Vec::new();
    if is_array(value) {
        for i in start..len(value) {
            out.push(Js(at(value, i)));
        }
    }
    out
}

/// The items of an array (nothing when it is not one).
fn items(value: &JsValue) -> Vec<Js> {
    items_from(value, 0)
}

/// The strings of an array, in order, each item that is not a string read as empty (nothing
/// when it is not an array).
fn strings(value: &JsValue) -> Vec<String> {
    items(value)
        .iter()
        .map(|v| v.0.as_string().unwrap_or_default())
        .collect()
}

/// An export's arguments: the one JS array the page driver passes. A missing argument, or one of
/// another type, reads as empty, zero, false or `None`. The string arguments are read once, as
/// the array is: the functions borrow them.
#[derive(Debug)]
pub(crate) struct Args {
    values: Vec<Js>,
    texts: Vec<Option<String>>,
}

impl Args {
    fn from_items(values: Vec<Js>) -> Self {
        let texts = values.iter().map(|v| v.0.as_string()).collect();
        Self { values, texts }
    }

    /// A call's array, `[index, ...arguments]`: the index (`usize::MAX` unless it is a number,
    /// not negative) and the arguments.
    pub(crate) fn call(args: &JsValue) -> (usize, Self) {
        let index = if is_array(args) {
            at(args, 0).as_f64()
        } else {
            None
        };
        (
            // A NaN fails the comparison; a fraction is truncated, a huge number saturates.
            index
                .filter(|i| *i >= 0.0)
                .map_or(usize::MAX, |i| i as usize),
            Self::from_items(items_from(args, 1)),
        )
    }

    /// The argument itself (`undefined` when missing).
    pub(crate) fn value(&self, i: usize) -> Js {
        self.values
            .get(i)
            .cloned()
            .unwrap_or(Js(JsValue::UNDEFINED))
    }

    /// A string argument, `None` when it is not one.
    pub(crate) fn text(&self, i: usize) -> Option<&str> {
        self.texts.get(i)?.as_deref()
    }

    /// A string argument, empty when it is not one.
    pub(crate) fn str(&self, i: usize) -> &str {
        self.text(i).unwrap_or_default()
    }

    /// A number argument, 0 when it is not one.
    pub(crate) fn num(&self, i: usize) -> f64 {
        self.values.get(i).and_then(|v| v.0.as_f64()).unwrap_or(0.0)
    }

    /// A boolean argument, `None` when it is not one.
    pub(crate) fn boolean(&self, i: usize) -> Option<bool> {
        self.values.get(i)?.0.as_bool()
    }

    /// Whether the argument is `true`.
    pub(crate) fn flag(&self, i: usize) -> bool {
        self.boolean(i) == Some(true)
    }

    /// An array argument's strings (see [`strings`]).
    pub(crate) fn strings(&self, i: usize) -> Vec<String> {
        strings(&self.value(i).0)
    }

    /// An array argument, as arguments of its own; `None` when it is not an array.
    pub(crate) fn list(&self, i: usize) -> Option<Self> {
        let v = self.value(i).0;
        is_array(&v).then(|| Self::from_items(items(&v)))
    }

    /// How many arguments there are.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
}

/// A JS value as the core's [`JsonRead`]: the module needs no JSON parser of its own.
#[derive(Clone, Debug)]
pub(crate) struct Js(pub(crate) JsValue);

impl JsonRead for Js {
    fn parse(text: &str) -> Option<Self> {
        let v = parse_json(text);
        (!v.is_undefined()).then_some(Self(v))
    }
    fn member(&self, key: &str) -> Option<Self> {
        let v = get(&self.0, key);
        (!v.is_undefined()).then_some(Self(v))
    }
    fn keys(&self) -> Option<Vec<String>> {
        self.is_object().then(|| strings(&keys(&self.0)))
    }
    fn items(&self) -> Option<Vec<Self>> {
        is_array(&self.0).then(|| items(&self.0))
    }
    fn text(&self) -> Option<String> {
        self.0.as_string()
    }
    fn scalar(&self) -> Option<String> {
        scalar_text(&self.0)
    }
    fn is_object(&self) -> bool {
        self.0.is_object() && !is_array(&self.0)
    }
}
