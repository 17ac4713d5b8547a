//! Meta's Pixel (`fbq`): loading `fbevents.js` with Meta's own queue stub, `init` per pixel,
//! `track`/`trackCustom` with the shared eventID, `consent` mirroring, and tagging a site's own
//! queued PageView (DESIGN.md section 2 item 3).

use alloc::string::String;

use capiflare_core::consent::Decision;
use wasm_bindgen::prelude::*;

use crate::dom::{self, at, call1, call2, call3, get, global, js, len, log};
use crate::state;

#[wasm_bindgen(
    inline_js = "export function fbqStub(w){if(w.fbq)return;var n=w.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!w._fbq)w._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[]}"
)]
extern "C" {
    /// Meta's own `fbq` queue stub (the base code's first half), without loading anything.
    #[wasm_bindgen(js_name = fbqStub)]
    fn fbq_stub(w: &JsValue);
}

const FBEVENTS: &str = "https://connect.facebook.net/en_US/fbevents.js";

/// `window.fbq`, when it is a function.
fn fbq() -> Option<JsValue> {
    Some(global("fbq")).filter(JsValue::is_function)
}

/// `fbq(...args)`, called as a plain function.
fn call(args: &[&JsValue]) {
    if let Some(f) = fbq() {
        call2(&f, "apply", &JsValue::UNDEFINED, &dom::array(args));
    }
}

fn s(v: &str) -> JsValue {
    js(v)
}

/// On the first `allow`: load Meta's pixel and `init` each configured pixel, unless the page
/// already has `fbq` or the tag says `data-fbq="off"`.
pub(crate) fn ensure() {
    if state::st().is_some_and(|s| s.fbq_off) {
        log("pixel: data-fbq=off");
        return;
    }
    if fbq().is_some() {
        log("pixel: the page's own");
        return;
    }
    fbq_stub(&dom::window());
    let doc = dom::document();
    let script = call1(&doc, "createElement", &s("script"));
    if script.is_object() {
        call2(&script, "setAttribute", &s("async"), &s(""));
        call2(&script, "setAttribute", &s("src"), &s(FBEVENTS));
        call1(&get(&doc, "documentElement"), "appendChild", &script);
    }
    call(&[&s("consent"), &s("grant")]);
    let pixels = state::config("pixels");
    for id in dom::strings(&pixels) {
        call(&[&s("init"), &s(&id)]);
    }
    log("pixel: loading");
}

/// `fbq('consent', 'grant'|'revoke')` mirrors every decision on a page that has `fbq`.
pub(crate) fn mirror_consent(decision: Decision) {
    let action = if decision == Decision::Allow {
        "grant"
    } else {
        "revoke"
    };
    call(&[&s("consent"), &s(action)]);
}

/// `fbq('track'|'trackCustom', name, custom_data, {eventID})` for a conversion's event object.
pub(crate) fn track(ev: &JsValue) {
    let name = get(ev, "event_name");
    let standard = name
        .as_string()
        .is_some_and(|n| capiflare_core::event::is_standard(&n));
    let method = if standard { "track" } else { "trackCustom" };
    let custom = get(ev, "custom_data");
    let data = if custom.is_object() {
        custom
    } else {
        dom::object()
    };
    let options = state::object("eventID", &get(ev, "event_id"));
    call(&[&s(method), &name, &data, &options]);
}

/// What to do about the PageView on a page that already runs its own pixel.
#[derive(Debug)]
pub(crate) enum SitePageView {
    /// The page has no `fbq`: capiflare sends its own PageView on both channels.
    NoSitePixel,
    /// The site's PageView waits in the `fbq` queue and now carries this eventID; mirror it
    /// through CAPI only.
    Tagged(String),
    /// The site's pixel already ran (or queued no PageView): no CAPI PageView, since an unpaired
    /// server copy would be counted a second time.
    Untagged,
}

/// Finds the site's queued `fbq('track', 'PageView', …)` and gives it an eventID (its own, when
/// it already has one).
pub(crate) fn site_page_view() -> SitePageView {
    let Some(f) = fbq() else {
        return SitePageView::NoSitePixel;
    };
    if get(&f, "callMethod").is_function() {
        return SitePageView::Untagged;
    }
    let queue = get(&f, "queue");
    if !dom::is_array(&queue) {
        return SitePageView::Untagged;
    }
    for i in 0..len(&queue) {
        let args = at(&queue, i);
        if dom::get_str(&args, "0").as_deref() != Some("track")
            || dom::get_str(&args, "1").as_deref() != Some("PageView")
        {
            continue;
        }
        if let Some(id) = dom::get_str(&get(&args, "3"), "eventID")
            .filter(|id| capiflare_core::event_id::is_valid(id))
        {
            return SitePageView::Tagged(id);
        }
        let id = dom::new_event_id();
        let params = get(&args, "2");
        let params = if params.is_object() {
            params
        } else {
            dom::object()
        };
        let tagged = dom::array(&[
            &s("track"),
            &s("PageView"),
            &params,
            &state::object("eventID", &s(&id)),
        ]);
        call3(
            &queue,
            "splice",
            &JsValue::from(i),
            &JsValue::from(1),
            &tagged,
        );
        return SitePageView::Tagged(id);
    }
    SitePageView::Untagged
}
