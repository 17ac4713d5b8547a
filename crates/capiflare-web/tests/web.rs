//! The browser module's wasm exports in headless Chromium (wasm-bindgen-test through
//! chromedriver; Chromium's flags are in `webdriver.json`), across the JS boundary the page driver
//! uses: JS lists read as strings, builder messages as the page receives them (JS values read
//! through the core's `JsonRead`), answers split on the separator. Expected hashes were computed
//! with Python's hashlib, not by the code under test. The driver itself (`js/page.js`) is tested
//! end to end in `tests/e2e/`.
#![cfg(target_arch = "wasm32")]

use capiflare_web::{
    SEP, browser_ids, consent, field, hash, landing, message, new_event_id, source_url,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SHA_JO_EMAIL: &str = "f4e19df2e6c609fbd59a42b9063d0fadf44260218531ea21ad8c575f205c0453";
const SHA_JO: &str = "c278ec5a69c34aace42773e41b1163e6ce40c906f2a14f807d39d1b2a1c2dff5";
const SHA_DOE: &str = "799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f";
const SHA_PHONE: &str = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176";
/// 2026-11-23T12:00:00Z.
const NOW_MS: f64 = 1_795_435_200_000.0;

fn list(items: &[&str]) -> JsValue {
    let out = js_sys::Array::new();
    for s in items {
        out.push(&JsValue::from_str(s));
    }
    out.into()
}

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

fn parts(answer: &str) -> Vec<&str> {
    answer.split(SEP).collect()
}

#[wasm_bindgen_test]
fn event_ids_are_uuid_v4_from_the_given_bytes() {
    assert_eq!(
        new_event_id(&[0; 16]),
        "00000000-0000-4000-8000-000000000000"
    );
    assert_eq!(
        new_event_id(&[0xff; 16]),
        "ffffffff-ffff-4fff-bfff-ffffffffffff"
    );
    assert_eq!(new_event_id(&[0; 15]), "", "not 16 bytes: no id");
}

#[wasm_bindgen_test]
fn controls_are_classified_and_honeypots_need_a_measure_only_when_it_matters() {
    assert_eq!(
        field("text", "field_1", "e", "", "Your e-mail", "", 0),
        "email"
    );
    assert_eq!(field("tel", "phone", "", "tel", "", "", 0), "phone");
    assert_eq!(field("text", "company", "", "", "", "", 0), "");
    // The classic honeypot: untabbable, autofill off. Whether it is one depends on whether humans
    // see it: the module asks for a measure (`?`), then gets the answer.
    let trap = |flags| field("text", "website", "", "off", "", "", flags);
    assert_eq!(trap(1), "?");
    assert_eq!(trap(1 | 4 | 8), "!", "measured hidden: a honeypot");
    assert_eq!(trap(1 | 4), "", "measured visible: an ordinary field");
    assert_eq!(
        field("text", "_gotcha", "", "", "", "", 4),
        "!",
        "named like one"
    );
}

#[wasm_bindgen_test]
fn a_js_list_of_raw_values_is_normalized_and_hashed() {
    let answer = hash(
        &list(&[
            "email",
            " Jo@Example.com ",
            "full_name",
            "Jo Q. Doe",
            "phone",
            "+1 (650) 555-1212",
            "nickname",
            "JD",
        ]),
        NOW_MS,
    );
    let parts = parts(&answer);
    assert_eq!(parts.len(), 2, "the user, then the unknown name: {answer}");
    assert_eq!(
        parts[0],
        format!(
            r#"{{"email":"{SHA_JO_EMAIL}","phone":"{SHA_PHONE}","first_name":"{SHA_JO}","last_name":"{SHA_DOE}"}}"#
        )
    );
    assert_eq!(parts[1], "nickname");
    // Meta's own keys, several values, and values already hashed.
    let answer = hash(
        &list(&["em", "jo@example.com", "em", SHA_JO, "ln", "DOE"]),
        NOW_MS,
    );
    assert_eq!(
        answer,
        format!(r#"{{"email":["{SHA_JO_EMAIL}","{SHA_JO}"],"last_name":"{SHA_DOE}"}}"#)
    );
    assert_eq!(hash(&JsValue::NULL, NOW_MS), "{}", "not a list: nothing");
}

#[wasm_bindgen_test]
fn builder_messages_as_js_values() {
    let page = "http://localhost:8787";
    let form_origins = list(&["http://127.0.0.1:9797"]);
    let hubspot = r#"{"type":"hsFormCallback","eventName":"onFormSubmitted","id":"f1",
        "data":{"submissionValues":{"email":"jo@example.com","lastname":"Doe","phone":16505551212}}}"#;
    let answer = message(
        page,
        page,
        "page",
        "",
        None,
        &form_origins,
        json(hubspot),
        NOW_MS,
    );
    assert_eq!(
        parts(&answer),
        [
            "hubspot",
            &format!(
                r#"{{"email":"{SHA_JO_EMAIL}","phone":"{SHA_PHONE}","last_name":"{SHA_DOE}"}}"#
            )
        ],
        "a number answer is read as text"
    );
    // The same message from another window is nothing.
    let other = message(
        "http://127.0.0.1:9797",
        page,
        "other",
        "",
        None,
        &form_origins,
        json(hubspot),
        NOW_MS,
    );
    assert_eq!(other, "untrusted");

    let paperform = r#"paperform:{"action":"submission","embed_id":0,"details":{"data":[{"type":"text","key":"k","label":"First name","value":"Jo"}]}}"#;
    let from = |origin: &str, data: JsValue| {
        message(
            origin,
            page,
            "paperform",
            origin,
            Some("0".into()),
            &form_origins,
            data,
            NOW_MS,
        )
    };
    assert_eq!(
        from("https://x.paperform.co", JsValue::from_str(paperform)),
        format!("paperform{SEP}{{\"first_name\":\"{SHA_JO}\"}}"),
        "Paperform's own host"
    );
    assert_eq!(
        from(
            "https://paperform.co.evil.test",
            JsValue::from_str(paperform)
        ),
        "untrusted"
    );
    for junk in [
        JsValue::NULL,
        JsValue::from_f64(1.0),
        JsValue::from_str("paperform:{"),
        js_sys::Array::new().into(),
    ] {
        assert_eq!(from("https://paperform.co", junk), "ignored");
    }
}

#[wasm_bindgen_test]
fn consent_reads_the_signals_the_page_passes() {
    let none = JsValue::NULL;
    let decide = |policy: &str, gpc: bool, explicit: u8, google: &JsValue| {
        consent("", policy, "", gpc, explicit, 0, google, None, None)
    };
    assert_eq!(decide("opt-in", false, 0, &none), "pending by policy");
    assert_eq!(decide("opt-out", false, 0, &none), "allow by policy");
    assert_eq!(decide("opt-out", true, 1, &none), "deny by gpc");
    assert_eq!(
        decide("opt-in", false, 1, &none),
        "allow by explicit granted"
    );
    let google = list(&[
        "default", "", "denied", "denied", "update", "", "granted", "granted",
    ]);
    assert_eq!(decide("opt-in", false, 0, &google), "allow by cmp granted");
    let denied = list(&[
        "default", "", "granted", "granted", "update", "", "denied", "",
    ]);
    assert_eq!(decide("opt-out", false, 0, &denied), "deny by cmp");
    // The tag's policy wins when valid; the visitor's region decides `by-region`.
    assert_eq!(
        consent("opt-out", "opt-in", "", false, 0, 0, &none, None, None),
        "allow by policy"
    );
    assert_eq!(
        consent("nonsense", "opt-in", "", false, 0, 0, &none, None, None),
        "pending by policy"
    );
    assert_eq!(
        consent("", "by-region", "DE", false, 0, 0, &none, None, None),
        "pending by policy"
    );
    assert_eq!(
        consent("", "by-region", "US", false, 0, 0, &none, None, None),
        "allow by policy"
    );
    assert_eq!(
        consent(
            "",
            "opt-out",
            "",
            false,
            0,
            0,
            &none,
            Some(",C0001,".into()),
            None
        ),
        "deny by cmp",
        "OneTrust without targeting"
    );
    assert_eq!(
        consent("", "opt-in", "", false, 0, 0, &none, None, Some(true)),
        "allow by cmp granted",
        "Cookiebot marketing"
    );
}

#[wasm_bindgen_test]
fn landing_cookies_and_the_ids_sent_with_events() {
    let plan = landing("?fbclid=AbC-x_1", "localhost:8787", "", NOW_MS, 7, false);
    let plan = parts(&plan);
    assert_eq!(plan[0], "AbC-x_1", "the click for the worker");
    assert!(
        plan[1].starts_with("_fbc=fb.0.1795435200000.AbC-x_1; Max-Age=7776000; Path=/"),
        "{}",
        plan[1]
    );
    assert!(
        plan[2].starts_with("_fbp=fb.0.1795435200000.7; Max-Age=7776000"),
        "{}",
        plan[2]
    );
    let held = "_fbc=fb.0.1700000000000.AbC-x_1; _fbp=fb.0.1700000000000.123";
    assert_eq!(
        landing("?x=1", "localhost", held, NOW_MS, 7, false),
        "",
        "both in place"
    );
    assert_eq!(
        landing("?fbclid=AbC-x_1", "localhost", held, NOW_MS, 7, false),
        format!(
            "AbC-x_1{SEP}_fbc=fb.0.1700000000000.AbC-x_1; Max-Age=7776000; Path=/; SameSite=Lax{SEP}"
        ),
        "the same click: the value kept byte for byte, its expiry refreshed"
    );
    assert_eq!(
        browser_ids("x_fbc=nope; _fbc=fb.0.1700000000000.AbC-x_1; _fbp=fb.1.17.nope"),
        format!("fb.0.1700000000000.AbC-x_1{SEP}"),
        "read by exact name, an invalid value left out"
    );
    assert_eq!(
        source_url("https://example.com/thanks?email=jo%40example.com&utm_source=fb#top"),
        "https://example.com/thanks?utm_source=fb"
    );
}
