//! The browser module's wasm exports in headless Chromium (wasm-bindgen-test through
//! chromedriver; Chromium's flags are in `webdriver.json`), across the JS boundary the page driver
//! uses: JS lists read as strings, builder messages as the page receives them (JS values read
//! through the core's `JsonRead`), answers split on the separator. Expected hashes were computed
//! with Python's hashlib, not by the code under test. The driver itself (`js/page.js`) is tested
//! end to end in `tests/e2e/`.
#![cfg(target_arch = "wasm32")]

use capiflare_core::builders::{self, Builder};
use capiflare_web::{NAMES, SEP, call};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SHA_JO_EMAIL: &str = "f4e19df2e6c609fbd59a42b9063d0fadf44260218531ea21ad8c575f205c0453";
const SHA_JO: &str = "c278ec5a69c34aace42773e41b1163e6ce40c906f2a14f807d39d1b2a1c2dff5";
const SHA_DOE: &str = "799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f";
/// `f`, a normalized gender.
const SHA_F: &str = "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111";
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

/// An export's arguments, as the page driver passes them: one array.
fn args(items: &[JsValue]) -> JsValue {
    let out = js_sys::Array::new();
    for v in items {
        out.push(v);
    }
    out.into()
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn n(x: f64) -> JsValue {
    JsValue::from_f64(x)
}

fn b(x: bool) -> JsValue {
    JsValue::from_bool(x)
}

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// The module's one export, as the page calls it, its answer read back: a JS string always.
fn answer(args: &JsValue) -> String {
    call(args).as_string().expect("every answer is a string")
}

/// The index of a function's name in `NAMES`, as the page driver's build writes it.
fn index(name: &str) -> JsValue {
    let at = NAMES.iter().position(|n| *n == name).expect("listed");
    JsValue::from_f64(at as f64)
}

/// The module's functions, called as the page calls them: `call([index, ...arguments])`.
macro_rules! functions {
    ($($name:ident),*) => {$(
        fn $name(arguments: &JsValue) -> String {
            let all = js_sys::Array::of1(&index(stringify!($name)));
            if let Some(list) = arguments.dyn_ref::<js_sys::Array>() {
                return answer(&all.concat(list));
            }
            answer(&all)
        }
    )*};
}
functions!(
    browser_ids,
    check_track,
    consent,
    explicit,
    form,
    hash,
    landing,
    message,
    new_event_id,
    outcome,
    selectors,
    source_url,
    tcf
);

fn parts(answer: &str) -> Vec<&str> {
    answer.split(SEP).collect()
}

#[wasm_bindgen_test]
fn a_call_names_its_function_by_index() {
    assert_eq!(explicit(&args(&[s("grant")])), "granted");
    let at = |first: JsValue| answer(&args(&[first, s("grant")]));
    assert_eq!(at(index("explicit")), "granted");
    for other in [
        n(NAMES.len() as f64),
        n(-1.0),
        n(f64::NAN),
        n(1e300),
        s("explicit"),
        JsValue::NULL,
    ] {
        assert_eq!(at(other), "", "no function: empty");
    }
    assert_eq!(answer(&JsValue::NULL), "", "not an array: empty");
}

#[wasm_bindgen_test]
fn event_ids_are_uuid_v4_from_the_given_words() {
    let words = |w: &[f64]| args(&[args(&w.iter().map(|x| n(*x)).collect::<Vec<_>>())]);
    assert_eq!(
        new_event_id(&words(&[0.0; 4])),
        "00000000-0000-4000-8000-000000000000"
    );
    assert_eq!(
        new_event_id(&words(&[4_294_967_295.0; 4])),
        "ffffffff-ffff-4fff-bfff-ffffffffffff"
    );
    assert_eq!(
        new_event_id(&words(&[
            19_088_743.0,
            2_309_737_967.0,
            19_088_743.0,
            2_309_737_967.0
        ])),
        "01234567-89ab-4def-8123-456789abcdef",
        "0x01234567 0x89abcdef twice, big-endian, with the version and variant bits set"
    );
    assert_eq!(new_event_id(&words(&[0.0; 3])), "", "not 4 words: no id");
}

#[wasm_bindgen_test]
fn a_form_is_classified_and_hashed_and_honeypots_need_a_measure_only_when_it_matters() {
    /// A control's eight facts, joined as the page joins them (with its layout, once measured).
    type Control = (JsValue, Option<[f64; 5]>);
    let control = |facts: [&str; 6], flags: u8, value: &str, layout| -> Control {
        let joined = format!("{}{SEP}{flags}{SEP}{value}", facts.join(&SEP.to_string()));
        (s(&joined), layout)
    };
    // As the page calls it: one string per control, the layouts by index (`false` where none).
    let submitted = |controls: &[Control]| {
        let facts: Vec<JsValue> = controls.iter().map(|c| c.0.clone()).collect();
        let layouts: Vec<JsValue> = controls
            .iter()
            .map(|c| match c.1 {
                Some([rendered, rest @ ..]) => {
                    let mut l = vec![b(rendered == 1.0)];
                    l.extend(rest.iter().map(|x| n(*x)));
                    args(&l)
                }
                None => b(false),
            })
            .collect();
        form(&args(&[args(&facts), n(NOW_MS), args(&layouts)]))
    };
    let email = control(
        ["text", "field_1", "e", "", "Your e-mail", ""],
        0,
        " Jo@Example.com ",
        None,
    );
    let phone = control(
        ["tel", "phone", "", "tel", "", ""],
        0,
        "+1 (650) 555-1212",
        None,
    );
    let company = control(["text", "company", "", "", "", ""], 0, "Acme", None);
    let only_email = format!(r#"{{"email":"{SHA_JO_EMAIL}"}}"#);
    assert_eq!(
        submitted(&[email.clone(), phone, company]),
        format!(r#"{{"email":"{SHA_JO_EMAIL}","phone":"{SHA_PHONE}"}}"#),
        "classified by label, type and autocomplete, normalized and hashed; the rest left out"
    );
    // The classic honeypot: untabbable, autofill off. Whether it is one depends on whether humans
    // see it: the module asks for the controls' layouts (`?`), then gets the answer from them.
    let trap = |layout| {
        control(
            ["text", "website", "", "off", "", ""],
            1,
            "https://spam.example",
            layout,
        )
    };
    assert_eq!(submitted(&[email.clone(), trap(None)]), "?");
    let off_page = [1.0, 200.0, 20.0, -9799.0, 300.0];
    assert_eq!(
        submitted(&[email.clone(), trap(Some(off_page))]),
        "!",
        "placed off the page: a honeypot, spam"
    );
    assert_eq!(
        submitted(&[trap(Some([0.0, 200.0, 20.0, 400.0, 300.0])), email.clone()]),
        "!",
        "not rendered"
    );
    assert_eq!(
        submitted(&[trap(Some([1.0, 1.0, 1.0, 400.0, 300.0]))]),
        "!",
        "1×1 pixel"
    );
    let on_page = [1.0, 200.0, 20.0, 400.0, 300.0];
    assert_eq!(
        submitted(&[email.clone(), trap(Some(on_page))]),
        only_email,
        "visible: an ordinary field"
    );
    let named = control(["text", "_gotcha", "", "", "", ""], 0, "x", Some(on_page));
    assert_eq!(submitted(&[email.clone(), named]), "!", "named like one");
    // Flag 4: checked. The page passes every control; what submits nothing counts for nothing.
    let gender = |flags| control(["radio", "gender", "", "", "", ""], flags, "f", None);
    let blank_trap = control(["text", "_gotcha", "", "", "", ""], 0, " ", Some(on_page));
    assert_eq!(
        submitted(&[email.clone(), gender(0), blank_trap]),
        only_email,
        "an unchecked radio button, a blank honeypot"
    );
    assert_eq!(
        submitted(&[email, gender(4)]),
        format!(r#"{{"email":"{SHA_JO_EMAIL}","gender":"{SHA_F}"}}"#),
        "checked"
    );
    // The value is all that follows the seventh separator: one typed into a honeypot cannot cut
    // it short to look blank.
    let cut = control(
        ["text", "_gotcha", "", "", "", ""],
        0,
        &format!(" {SEP}spam"),
        Some(on_page),
    );
    assert_eq!(submitted(&[cut]), "!", "a separator in the value");
    assert_eq!(form(&JsValue::NULL), "{}", "no arguments: no fields");
}

#[wasm_bindgen_test]
fn a_js_list_of_raw_values_is_normalized_and_hashed() {
    let entries = list(&[
        "email",
        " Jo@Example.com ",
        "full_name",
        "Jo Q. Doe",
        "phone",
        "+1 (650) 555-1212",
        "nickname",
        "JD",
    ]);
    let answer = hash(&args(&[entries, n(NOW_MS)]));
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
    let answer = hash(&args(&[
        list(&["em", "jo@example.com", "em", SHA_JO, "ln", "DOE"]),
        n(NOW_MS),
    ]));
    assert_eq!(
        answer,
        format!(r#"{{"email":["{SHA_JO_EMAIL}","{SHA_JO}"],"last_name":"{SHA_DOE}"}}"#)
    );
    assert_eq!(
        hash(&args(&[JsValue::NULL, n(NOW_MS)])),
        "{}",
        "not a list: nothing"
    );
}

/// The module lowercases with JavaScript's `toLowerCase`, the worker with `str::to_lowercase`:
/// both must give every character, and Greek's final sigma, the same lowercase.
#[wasm_bindgen_test]
fn javascript_lowercases_as_the_worker_does() {
    let every: String = (0..=0x10_FFFF_u32)
        .filter_map(char::from_u32)
        .flat_map(|c| [c, ' '])
        .collect();
    let js = String::from(js_sys::JsString::from(every.as_str()).to_lower_case());
    assert!(
        js == every.to_lowercase(),
        "a character lowercases differently"
    );
    for words in [
        "ΟΔΥΣΣΕΥΣ",
        "ΑΣ.",
        "Σ",
        "ΑΣΑ",
        "Α\u{301}Σ",
        "ΑΣ\u{301}Β",
        "ΑΣ ΒΣ",
        "İSTANBUL",
    ] {
        let js = String::from(js_sys::JsString::from(words).to_lower_case());
        assert_eq!(js, words.to_lowercase(), "{words}");
    }
    // Through the module: a last name keeps its final sigma, a first name its accent.
    let answer = hash(&args(&[
        list(&["ln", "ΟΔΥΣΣΕΥΣ", "fn", "ÉLODIE"]),
        n(NOW_MS),
    ]));
    assert_eq!(
        answer,
        r#"{"first_name":"36bac2631d17463d569eaf1b869e7bf8d40e4636fd8b2b778ee93f504baf6691","last_name":"3c70e8e70fb6820b6ae6de04be9249923ba46e8aaa0f6ecfae7a1ee8880f574d"}"#
    );
}

#[wasm_bindgen_test]
fn builder_messages_as_js_values() {
    let page = "http://localhost:8787";
    let form_origins = list(&["http://127.0.0.1:9797"]);
    let hubspot = r#"{"type":"hsFormCallback","eventName":"onFormSubmitted","id":"f1",
        "data":{"submissionValues":{"email":"jo@example.com","lastname":"Doe","phone":16505551212}}}"#;
    let from = |origin: &str, sender: &str, src: &str, data: JsValue| {
        // The frame's URL query, where the core reads the embed id.
        let query = match sender {
            "paperform" => s("?embed=1&_embed_id=0"),
            "typeform" => s("?typeform-embed-id=x7&typeform-embed=embed-widget"),
            _ => s(""),
        };
        message(&args(&[
            s(origin),
            s(page),
            s(sender),
            s(src),
            query,
            form_origins.clone(),
            data,
            n(NOW_MS),
        ]))
    };
    assert_eq!(
        parts(&from(page, "page", "", json(hubspot))),
        [
            "form",
            &format!(
                r#"{{"email":"{SHA_JO_EMAIL}","phone":"{SHA_PHONE}","last_name":"{SHA_DOE}"}}"#
            ),
            "f1",
        ],
        "a number answer is read as text; the form's id, for the page to find it (exclusions)"
    );
    // The same message from another window is nothing.
    assert_eq!(
        from("http://127.0.0.1:9797", "other", "", json(hubspot)),
        "untrusted"
    );

    let paperform = r#"paperform:{"action":"submission","embed_id":0,"details":{"data":[{"type":"text","key":"k","label":"First name","value":"Jo"}]}}"#;
    let frame = |origin: &str, data: JsValue| from(origin, "paperform", origin, data);
    assert_eq!(
        frame("https://x.paperform.co", s(paperform)),
        format!("form{SEP}{{\"first_name\":\"{SHA_JO}\"}}{SEP}"),
        "Paperform's own host"
    );
    assert_eq!(
        frame("https://paperform.co.evil.test", s(paperform)),
        "untrusted"
    );
    for junk in [
        JsValue::NULL,
        n(1.0),
        s("paperform:{"),
        js_sys::Array::new().into(),
    ] {
        assert_eq!(frame("https://paperform.co", junk), "ignored");
    }

    // A booking in Calendly's iframe fires the booking trigger, with no user data of its own.
    let booked = r#"{"event":"calendly.event_scheduled","payload":{"invitee":{"uri":"https://api.calendly.com/x"}}}"#;
    let calendly = |data: &str| {
        from(
            "https://calendly.com",
            "calendly",
            "https://calendly.com",
            json(data),
        )
    };
    assert_eq!(calendly(booked), format!("booking{SEP}{{}}{SEP}"));
    assert_eq!(
        calendly(r#"{"event":"calendly.date_and_time_selected","payload":{}}"#),
        "ignored"
    );

    // Typeform: its own embed's submission is a form's; another embed's (the id in the frame's
    // URL is x7) is nothing.
    let typeform = |embed_id: &str| {
        let data = format!(r#"{{"type":"form-submit","embedId":"{embed_id}","formId":"F1"}}"#);
        let origin = "https://form.typeform.com";
        from(origin, "typeform", origin, json(&data))
    };
    assert_eq!(typeform("x7"), format!("form{SEP}{{}}{SEP}F1"));
    assert_eq!(typeform("y9"), "ignored");
}

#[wasm_bindgen_test]
fn a_site_s_track_call_is_checked_as_the_worker_checks_it() {
    let u = JsValue::UNDEFINED;
    assert_eq!(
        check_track(&args(&[s("  Webinar Signup "), u.clone()])),
        "Webinar Signup",
        "trimmed, as the worker stores it"
    );
    let refused = check_track(&args(&[s("Webinar <Signup>"), u.clone()]));
    assert_eq!(parts(&refused)[0], "event_name_invalid");
    assert!(
        !refused.contains("Signup"),
        "the message does not echo the name"
    );
    assert_eq!(
        parts(&check_track(&args(&[s(" "), u])))[0],
        "event_name_invalid"
    );
    let id = check_track(&args(&[s("Lead"), s("order 77")]));
    assert_eq!(parts(&id)[0], "event_id_invalid");
    assert_eq!(check_track(&args(&[s("Lead"), s("order-77")])), "Lead");
}

#[wasm_bindgen_test]
fn an_ajax_form_s_outcome_from_what_the_page_shows() {
    let shown =
        |form_shown: bool, candidates: &[&str]| outcome(&args(&[b(form_shown), list(candidates)]));
    assert_eq!(
        shown(false, &["field-error", "", "Required", ""]),
        "gone",
        "the form hidden wins"
    );
    assert_eq!(shown(true, &[]), "", "nothing shown yet");
    assert_eq!(
        shown(
            true,
            &["toast", "", "Saved", "", "", "status", "Thank you", ""]
        ),
        "shown",
        "the first candidate that says something decides"
    );
    assert_eq!(
        shown(true, &["", "alert", "Please enter a valid email", ""]),
        "-error",
        "an error message, no conversion"
    );
    assert_eq!(
        shown(true, &["error", "", "", "1"]),
        "shown",
        "the site's own element"
    );
    assert_eq!(
        shown(true, &["lead-success", "", "Thanks"]),
        "shown",
        "a short last candidate"
    );
    // A builder's event decides alone, whatever the page shows.
    let event = |form_shown: bool, candidates: &[&str], name: &str| {
        outcome(&args(&[b(form_shown), list(candidates), s(name)]))
    };
    assert_eq!(
        event(true, &["", "alert", "Error", ""], "wpcf7mailsent"),
        "sent"
    );
    assert_eq!(event(false, &[], "wpcf7invalid"), "-failed");
    assert_eq!(event(false, &[], "wpcf7submit"), "", "not an outcome");
    // The page's list of selectors and marks: every builder's iframes, one line each, named as
    // `message` reads its sender; then the marks, the builders' events and the watch window.
    let list = selectors(&args(&[]));
    let list = parts(&list);
    let frames: Vec<(Option<Builder>, &str)> = list[2]
        .split('\n')
        .map(|line| {
            let (name, selector) = line.split_once('\t').expect("name, tab, selector");
            (Builder::parse(name), selector)
        })
        .collect();
    let every: Vec<(Option<Builder>, &str)> = Builder::ALL.map(|b| (Some(b), b.frames())).to_vec();
    assert_eq!(frames, every);
    let window = builders::SUCCESS_WINDOW_MS.to_string();
    assert_eq!(
        list[4..],
        [
            builders::HUBSPOT_LEGACY_TYPE,
            builders::PAPERFORM_PREFIX,
            builders::CALENDLY_SCHEDULED,
            builders::TYPEFORM_SUBMIT,
            builders::FORM_EVENTS,
            window.as_str(),
        ]
    );
}

#[wasm_bindgen_test]
fn consent_reads_the_signals_the_page_passes() {
    let u = JsValue::UNDEFINED;
    // [tagPolicy, configPolicy, country, gpc, explicit, tcf, google, onetrust, cookiebot]
    let decide =
        |tag: &str, policy: &str, country: &str, gpc: bool, explicit: &str, google: JsValue| {
            consent(&args(&[
                s(tag),
                s(policy),
                s(country),
                b(gpc),
                s(explicit),
                s(""),
                google,
                u.clone(),
                u.clone(),
            ]))
        };
    assert_eq!(
        decide("", "opt-in", "", false, "", u.clone()),
        "pending by policy"
    );
    assert_eq!(
        decide("", "opt-out", "", false, "", u.clone()),
        "allow by policy"
    );
    assert_eq!(
        decide("", "opt-out", "", true, "granted", u.clone()),
        "deny by gpc"
    );
    assert_eq!(
        decide("", "opt-in", "", false, "granted", u.clone()),
        "allow by explicit granted"
    );
    let google = list(&[
        "default", "", "denied", "denied", "update", "", "granted", "granted",
    ]);
    assert_eq!(
        decide("", "opt-in", "", false, "", google),
        "allow by cmp granted"
    );
    let denied = list(&[
        "default", "", "granted", "granted", "update", "", "denied", "",
    ]);
    assert_eq!(decide("", "opt-out", "", false, "", denied), "deny by cmp");
    // The tag's policy may tighten the site's, never loosen it; the visitor's region decides
    // `by-region`.
    assert_eq!(
        decide("opt-out", "opt-in", "", false, "", u.clone()),
        "pending by policy"
    );
    assert_eq!(
        decide("opt-in", "opt-out", "", false, "", u.clone()),
        "pending by policy"
    );
    assert_eq!(
        decide("opt-out", "by-region", "DE", false, "", u.clone()),
        "pending by policy"
    );
    assert_eq!(
        decide("by-region", "opt-out", "US", false, "", u.clone()),
        "allow by policy"
    );
    assert_eq!(
        decide("nonsense", "opt-in", "", false, "", u.clone()),
        "pending by policy"
    );
    assert_eq!(
        decide("", "by-region", "DE", false, "", u.clone()),
        "pending by policy"
    );
    assert_eq!(
        decide("", "by-region", "US", false, "", u.clone()),
        "allow by policy"
    );
    let cmp = |tcf: &str, onetrust: JsValue, cookiebot: JsValue| {
        consent(&args(&[
            s(""),
            s("opt-in"),
            s(""),
            b(false),
            s(""),
            s(tcf),
            u.clone(),
            onetrust,
            cookiebot,
        ]))
    };
    assert_eq!(
        cmp("", s(",C0001,"), u.clone()),
        "deny by cmp",
        "OneTrust without targeting"
    );
    assert_eq!(
        cmp("", u.clone(), b(true)),
        "allow by cmp granted",
        "Cookiebot marketing"
    );
    assert_eq!(
        cmp("", u.clone(), s("true")),
        "pending by policy",
        "not a boolean: no answer"
    );
    assert_eq!(
        cmp("granted", u.clone(), u.clone()),
        "allow by cmp granted",
        "TCF"
    );
    // The TCF reading: purposes 1, 3, 4 and 7 are required.
    let tcf_of = |purposes: u32| {
        tcf(&args(&[
            b(true),
            s("useractioncomplete"),
            n(f64::from(purposes)),
        ]))
    };
    let required = (1 << 1) | (1 << 3) | (1 << 4) | (1 << 7);
    assert_eq!(tcf_of(required), "granted");
    assert_eq!(tcf_of(required & !(1 << 4)), "denied");
    assert_eq!(explicit(&args(&[s("grant")])), "granted");
    assert_eq!(explicit(&args(&[s("revoke")])), "denied");
    assert_eq!(explicit(&args(&[s("maybe")])), "");
}

#[wasm_bindgen_test]
fn landing_cookies_and_the_ids_sent_with_events() {
    let land = |search: &str, host: &str, cookie: &str| {
        landing(&args(&[
            s(search),
            s(host),
            s(cookie),
            n(NOW_MS),
            n(7.0),
            b(false),
        ]))
    };
    let plan = land("?fbclid=AbC-x_1", "localhost:8787", "");
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
    // On the site's domain, with its subdomain index: the registrable domain, or COOKIE_DOMAIN.
    let on = |host: &str, configured: Option<&str>| {
        let mut items = vec![s(""), s(host), s(""), n(NOW_MS), n(7.0), b(true)];
        items.extend(configured.map(s));
        parts(&landing(&args(&items)))[2].to_owned()
    };
    assert_eq!(
        on("www.shop.example.com", None),
        "_fbp=fb.1.1795435200000.7; Max-Age=7776000; Path=/; SameSite=Lax; Domain=example.com; Secure"
    );
    assert_eq!(
        on("www.shop.example.com", Some("shop.example.com")),
        "_fbp=fb.2.1795435200000.7; Max-Age=7776000; Path=/; SameSite=Lax; Domain=shop.example.com; Secure"
    );
    let held = "_fbc=fb.0.1700000000000.AbC-x_1; _fbp=fb.0.1700000000000.123";
    assert_eq!(land("?x=1", "localhost", held), "", "both in place");
    assert_eq!(
        land("?fbclid=AbC-x_1", "localhost", held),
        format!(
            "AbC-x_1{SEP}_fbc=fb.0.1700000000000.AbC-x_1; Max-Age=7776000; Path=/; SameSite=Lax{SEP}"
        ),
        "the same click: the value kept byte for byte, its expiry refreshed"
    );
    assert_eq!(
        browser_ids(&args(&[s(
            "x_fbc=nope; _fbc=fb.0.1700000000000.AbC-x_1; _fbp=fb.1.17.nope"
        )])),
        format!("fb.0.1700000000000.AbC-x_1{SEP}"),
        "read by exact name, an invalid value left out"
    );
    assert_eq!(
        source_url(&args(&[s(
            "https://example.com/thanks?email=jo%40example.com&utm_source=fb#top"
        )])),
        "https://example.com/thanks?utm_source=fb"
    );
}
