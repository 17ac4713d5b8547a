//! Meta's Pixel (`fbq`): loading `fbevents.js` with Meta's own queue stub, `init` per pixel,
//! `track`/`trackCustom` with the shared eventID, `consent` mirroring, and tagging a site's own
//! queued PageView (DESIGN.md section 2 item 3).

use capiflare_core::consent::Decision;
use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

use crate::dom::{self, get, log, window};
use crate::state;

#[wasm_bindgen(
    inline_js = "export function fbqStub(w){if(w.fbq)return;var n=w.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!w._fbq)w._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[]}"
)]
extern "C" {
    /// Meta's own `fbq` queue stub (the base code's first half), without loading anything.
    #[wasm_bindgen(js_name = fbqStub)]
    fn fbq_stub(w: &web_sys::Window);
}

const FBEVENTS: &str = "https://connect.facebook.net/en_US/fbevents.js";

/// Meta's standard event names (sent with `track`; any other name with `trackCustom`).
const STANDARD_EVENTS: [&str; 18] = [
    "AddPaymentInfo",
    "AddToCart",
    "AddToWishlist",
    "CompleteRegistration",
    "Contact",
    "CustomizeProduct",
    "Donate",
    "FindLocation",
    "InitiateCheckout",
    "Lead",
    "PageView",
    "Purchase",
    "Schedule",
    "Search",
    "StartTrial",
    "SubmitApplication",
    "Subscribe",
    "ViewContent",
];

fn fbq() -> Option<Function> {
    get(&window(), "fbq").dyn_into::<Function>().ok()
}

fn call(args: &[&JsValue]) {
    if let Some(f) = fbq() {
        let list: Array = args.iter().copied().collect();
        let _ = f.apply(&JsValue::UNDEFINED, &list);
    }
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// On the first `allow`: load Meta's pixel and `init` each configured pixel, unless the page
/// already has `fbq` or the tag says `data-fbq="off"`.
pub(crate) fn ensure() {
    let (off, pixels) = state::with(|s| (s.fbq_off, s.cfg.pixels.clone())).unwrap_or_default();
    if off {
        log("pixel: data-fbq=off");
        return;
    }
    if fbq().is_some() {
        log("pixel: the page's own");
        return;
    }
    let w = window();
    fbq_stub(&w);
    let doc = dom::document();
    if let Ok(script) = doc.create_element("script") {
        let _ = script.set_attribute("async", "");
        let _ = script.set_attribute("src", FBEVENTS);
        if let Some(head) = doc.document_element() {
            let _ = head.append_child(&script);
        }
    }
    call(&[&s("consent"), &s("grant")]);
    for id in &pixels {
        call(&[&s("init"), &s(id)]);
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

/// `fbq('track'|'trackCustom', name, custom_data, {eventID})`.
pub(crate) fn track(name: &str, custom: &JsValue, event_id: &str) {
    let method = if STANDARD_EVENTS.contains(&name) {
        "track"
    } else {
        "trackCustom"
    };
    let data = if custom.is_object() {
        custom.clone()
    } else {
        js_sys::Object::new().into()
    };
    let options = state::object(&[("eventID", &s(event_id))]);
    call(&[&s(method), &s(name), &data, &options]);
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
    if !Array::is_array(&queue) {
        return SitePageView::Untagged;
    }
    let queue: Array = queue.unchecked_into();
    for (i, entry) in queue.iter().enumerate() {
        let args = Array::from(&entry);
        if args.get(0).as_string().as_deref() != Some("track")
            || args.get(1).as_string().as_deref() != Some("PageView")
        {
            continue;
        }
        if let Some(id) =
            dom::get_str(&args.get(3), "eventID").filter(|id| state::valid_event_id(id))
        {
            return SitePageView::Tagged(id);
        }
        let id = dom::new_event_id();
        let params = args.get(2);
        let params = if params.is_object() {
            params
        } else {
            js_sys::Object::new().into()
        };
        let tagged = Array::of4(
            &s("track"),
            &s("PageView"),
            &params,
            &state::object(&[("eventID", &s(&id))]),
        );
        queue.set(u32::try_from(i).unwrap_or(u32::MAX), tagged.into());
        return SitePageView::Tagged(id);
    }
    SitePageView::Untagged
}
