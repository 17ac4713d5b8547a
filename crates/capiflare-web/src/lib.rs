//! capiflare's browser module. Thin: it reads the page (URL, cookies, DOM, messages) and the
//! browser's clock and randomness, asks `capiflare-core` for every decision, and performs the
//! effects the core returns.
use wasm_bindgen::prelude::*;

/// A UUID v4 event id from the browser's CSPRNG, formatted by the core.
#[wasm_bindgen(js_name = newEventId)]
pub fn new_event_id() -> String {
    let mut bytes = [0u8; 16];
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).unwrap_or_default();
    let _ = crypto; // replaced by web-sys Crypto in the browser module issue
    capiflare_core::event_id::from_random(bytes_mut(&mut bytes))
}

fn bytes_mut(b: &mut [u8; 16]) -> [u8; 16] {
    *b
}
