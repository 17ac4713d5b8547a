//! The browser module's page-facing functions in headless Chromium (wasm-bindgen-test through
//! chromedriver; Chromium's flags are in `webdriver.json`): randomness from `crypto`, cookies,
//! reading and classifying a real form, honeypots, builder messages as the page receives them
//! (JS values read through the core's `JsonRead`), and hashing in wasm. Expected hashes were
//! computed with Python's hashlib, not by the code under test.
#![cfg(target_arch = "wasm32")]

use capiflare_core::builders::{self, Builder, Message, Sender};
use capiflare_core::pii::Key;
use capiflare_web::{FormRead, Js, cookie, new_event_id, read_form, submission_user};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlFormElement;

wasm_bindgen_test_configure!(run_in_browser);

const SHA_JO_EMAIL: &str = "f4e19df2e6c609fbd59a42b9063d0fadf44260218531ea21ad8c575f205c0453";
const SHA_JO: &str = "c278ec5a69c34aace42773e41b1163e6ce40c906f2a14f807d39d1b2a1c2dff5";
const SHA_DOE: &str = "799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f";
const SHA_PHONE: &str = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Puts `html` (one form) into the page and returns the form.
fn form(html: &str) -> HtmlFormElement {
    let doc = document();
    let host = doc.create_element("div").unwrap();
    host.set_inner_html(html);
    doc.body().unwrap().append_child(&host).unwrap();
    host.query_selector("form")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
fn event_ids_are_random_uuid_v4() {
    let a = new_event_id();
    let b = new_event_id();
    assert_ne!(a, b);
    for id in [&a, &b] {
        assert_eq!(id.len(), 36);
        let bytes = id.as_bytes();
        assert_eq!(bytes[14], b'4', "version 4: {id}");
        assert!(
            matches!(bytes[19], b'8' | b'9' | b'a' | b'b'),
            "variant: {id}"
        );
    }
}

#[wasm_bindgen_test]
fn cookies_are_read_by_exact_name() {
    let doc: web_sys::HtmlDocument = document().dyn_into().unwrap();
    doc.set_cookie("x_fbc=nope; Path=/").unwrap();
    doc.set_cookie("_fbc=fb.0.1700000000000.AbC-x_1; Path=/")
        .unwrap();
    assert_eq!(
        cookie("_fbc").as_deref(),
        Some("fb.0.1700000000000.AbC-x_1")
    );
    assert_eq!(cookie("_fb"), None);
}

#[wasm_bindgen_test]
fn a_real_form_is_read_classified_and_honeypots_noticed() {
    let f = form(
        r#"<form>
          <label for="e">Your e-mail</label><input id="e" name="field_1" type="text" value="Jo@Example.com">
          <input name="fullName" value="Jo Q. Doe">
          <input name="phone" type="tel" autocomplete="tel" value="+1 (650) 555-1212">
          <input name="company" value="ACME">
          <input type="hidden" name="email" value="hidden@example.com">
          <input type="checkbox" name="email_optin" value="yes" checked>
          <textarea name="message">hello</textarea>
          <div style="position:absolute;left:-9999px"><input name="website" tabindex="-1" autocomplete="off" value=""></div>
        </form>"#,
    );
    let read = read_form(&f);
    assert_eq!(
        read,
        FormRead {
            spam: false,
            entries: vec![
                (Key::Em, "Jo@Example.com".to_owned()),
                (Key::Fn, "Jo".to_owned()),
                (Key::Ln, "Doe".to_owned()),
                (Key::Ph, "+1 (650) 555-1212".to_owned()),
            ],
        }
    );
    let trap: web_sys::HtmlInputElement = f
        .query_selector("[name=website]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    trap.set_value("http://spam.example");
    assert!(
        read_form(&f).spam,
        "a filled, hidden, untabbable field is a honeypot"
    );
}

#[wasm_bindgen_test]
fn builder_messages_as_js_values() {
    let page = "http://localhost:8787";
    let form_origins = vec!["http://127.0.0.1:9797".to_owned()];
    let hubspot = js_sys::JSON::parse(
        r#"{"type":"hsFormCallback","eventName":"onFormSubmitted","id":"f1",
            "data":{"submissionValues":{"email":"jo@example.com","lastname":"Doe","phone":16505551212}}}"#,
    )
    .unwrap();
    let msg = Message {
        origin: page,
        page_origin: page,
        sender: Sender::Page,
        form_origins: &form_origins,
    };
    let sub = builders::decode_message(&msg, &Js(hubspot.clone())).expect("a submission");
    assert_eq!(sub.builder, Builder::HubSpot);
    assert_eq!(sub.form_id.as_deref(), Some("f1"));
    let user = submission_user(&sub);
    let email = user
        .iter()
        .find(|(k, _)| *k == "email")
        .map(|(_, v)| v.clone());
    assert_eq!(email, Some(vec![SHA_JO_EMAIL.to_owned()]));
    let ln = user
        .iter()
        .find(|(k, _)| *k == "last_name")
        .map(|(_, v)| v.clone());
    assert_eq!(ln, Some(vec![SHA_DOE.to_owned()]));
    let ph = user
        .iter()
        .find(|(k, _)| *k == "phone")
        .map(|(_, v)| v.clone());
    assert_eq!(
        ph,
        Some(vec![SHA_PHONE.to_owned()]),
        "a number answer is read as text"
    );

    // The same message from another frame, or a look-alike origin, is nothing.
    let other = Message {
        sender: Sender::Other,
        origin: "http://127.0.0.1:9797",
        ..msg
    };
    assert!(builders::decode_message(&other, &Js(hubspot)).is_none());
    let paperform = JsValue::from_str(
        r#"paperform:{"action":"submission","embed_id":0,"details":{"data":[{"type":"text","key":"k","label":"First name","value":"Jo"}]}}"#,
    );
    let frame = |origin: &'static str| Message {
        origin,
        page_origin: page,
        sender: Sender::Frame {
            builder: Builder::Paperform,
            src_origin: origin,
            embed_id: Some("0"),
        },
        form_origins: &form_origins,
    };
    let sub = builders::decode_message(&frame("https://x.paperform.co"), &Js(paperform.clone()))
        .expect("Paperform's own host");
    let fn_ = submission_user(&sub);
    assert_eq!(fn_, vec![("first_name", vec![SHA_JO.to_owned()])]);
    assert!(
        builders::decode_message(&frame("https://paperform.co.evil.test"), &Js(paperform))
            .is_none()
    );
    for junk in [
        JsValue::NULL,
        JsValue::from_f64(1.0),
        JsValue::from_str("paperform:{"),
        js_sys::Array::new().into(),
    ] {
        assert!(builders::decode_message(&frame("https://paperform.co"), &Js(junk)).is_none());
    }
}
