//! Plain HTML forms: a `submit`, then the success signal (DESIGN.md section 2 item 4). A submit
//! that is not prevented and whose form is valid navigates: that is the success. A prevented
//! submit (AJAX) succeeds when, within a few seconds, an element inside or beside the form (or
//! the site's `data-capiflare-success` element) becomes visible and the core reads it as success,
//! or the form is hidden or removed; an error message instead means nothing. Fields are read and
//! hashed at submit time, so the page's own reset cannot lose them and raw values do not linger.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use capiflare_core::builders;
use capiflare_core::fields::{self, Input, TrapFacts};
use capiflare_core::pii::Key;
use wasm_bindgen::prelude::*;

use crate::dom::{self, at, attr, call0, call1, get, get_str, get_true, js, len, log};
use crate::state;

/// How long an AJAX form has to show its success (milliseconds).
const SUCCESS_WINDOW_MS: u32 = 10_000;

/// What a form's fields give at submit time.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FormRead {
    /// A honeypot field holds a value: the submission is spam.
    pub spam: bool,
    /// The customer fields found, raw (the caller hashes them at once).
    pub entries: Vec<(Key, String)>,
}

/// Reads a form's controls: classifies each by the core's rules and checks for filled honeypots.
#[must_use]
pub fn read_form(form: &JsValue) -> FormRead {
    let mut out = FormRead::default();
    let controls = dom::list(&get(form, "elements"));
    for i in 0..len(&controls) {
        let el = at(&controls, i);
        let ty = get_str(&el, "type").unwrap_or_default();
        if ty.is_empty() || matches!(ty.as_str(), "fieldset" | "output") {
            continue;
        }
        if matches!(ty.as_str(), "radio" | "checkbox") && !get_true(&el, "checked") {
            continue;
        }
        let value = get_str(&el, "value").unwrap_or_default();
        if value.trim().is_empty() {
            continue;
        }
        let attr = |name: &str| attr(&el, name).unwrap_or_default();
        let (name, id, autocomplete) = (attr("name"), attr("id"), attr("autocomplete"));
        let label = label_of(&el);
        let input = Input {
            input_type: &ty,
            name: &name,
            id: &id,
            autocomplete: &autocomplete,
            label: &label,
        };
        let mut class = get_str(&el, "className").unwrap_or_default();
        class.push(' ');
        class.push_str(&get_str(&get(&el, "parentElement"), "className").unwrap_or_default());
        let mut facts = TrapFacts {
            input,
            class: &class,
            hidden: true,
            untabbable: attr("tabindex").trim().starts_with('-'),
            aria_hidden: dom::within(&el, "[aria-hidden=\"true\"]"),
        };
        // Hiding can only make a field a honeypot, never stop it being one: ask first as if it
        // were hidden, and measure (which forces a layout) only when the answer depends on it.
        if fields::is_honeypot(&facts) {
            facts.hidden = !dom::visible_to_humans(&el);
            if fields::is_honeypot(&facts) {
                out.spam = true;
                continue;
            }
        }
        if let Some(field) = fields::classify(&input) {
            for (k, v) in fields::entries(field, &value) {
                out.entries.push((k, String::from(v)));
            }
        }
    }
    out
}

/// The label text of a control: its `<label>`, `aria-label`, `aria-labelledby`, placeholder or
/// title.
fn label_of(el: &JsValue) -> String {
    let first = get(&get(el, "labels"), "0");
    if first.is_object() {
        return dom::text(&first);
    }
    if let Some(l) = attr(el, "aria-label") {
        return l;
    }
    if let Some(id) = attr(el, "aria-labelledby") {
        let by = call1(&dom::document(), "getElementById", &js(&id));
        if by.is_object() {
            return dom::text(&by);
        }
    }
    attr(el, "placeholder")
        .or_else(|| attr(el, "title"))
        .unwrap_or_default()
}

/// Whether a form never fires: it belongs to a form builder (whose own event decides), carries
/// `data-capiflare-exclude`, matches an `EXCLUDED_FORMS` selector, or the page's path is
/// excluded.
pub(crate) fn excluded(el: &JsValue) -> Option<&'static str> {
    if dom::within(el, "[data-capiflare-exclude]") {
        return Some("excluded: data-capiflare-exclude");
    }
    let entries = dom::strings(&state::config("excluded_forms"));
    for sel in builders::excluded_selectors(&entries) {
        if dom::within(el, sel) {
            return Some("excluded: EXCLUDED_FORMS");
        }
    }
    let path = dom::location("pathname");
    if builders::path_excluded(&entries, &path) {
        return Some("excluded: path in EXCLUDED_FORMS");
    }
    None
}

pub(crate) fn install() {
    dom::listen(&dom::window(), "submit", on_submit, true);
}

fn on_submit(ev: JsValue) {
    let form = get(&ev, "target");
    if !dom::is_a(&form, "HTMLFormElement") {
        return;
    }
    if dom::within(&form, builders::BUILDER_CONTAINERS) {
        log("form: a builder's, its own event decides");
        return;
    }
    if let Some(why) = excluded(&form) {
        log(why);
        return;
    }
    let read = read_form(&form);
    if read.spam {
        log("form: honeypot filled, spam");
        return;
    }
    let user = state::user_to_js(&state::hash(&read.entries));
    dom::later(0, Box::new(move || after_submit(&ev, form, user)));
}

fn after_submit(ev: &JsValue, form: JsValue, user: JsValue) {
    if !get_true(ev, "defaultPrevented") {
        if call0(&form, "checkValidity").as_bool() == Some(true) {
            log("form: submitted, navigating");
            convert(&user);
        } else {
            log("form: invalid");
        }
        return;
    }
    log("form: AJAX, waiting for success");
    watch(form, user);
}

struct Watch {
    form: JsValue,
    scope: JsValue,
    custom: Option<String>,
    before: Vec<(JsValue, String)>,
    /// The hashed user object, until the watch ends.
    user: Option<JsValue>,
    observer: JsValue,
}

/// Elements that may signal success or failure: the site's own success element, then the core's
/// candidates within the form's parent.
fn candidates(scope: &JsValue, custom: Option<&str>) -> Vec<(JsValue, bool)> {
    let mut out = Vec::new();
    let mut add = |list: JsValue, custom: bool| {
        for i in 0..len(&list) {
            out.push((at(&list, i), custom));
        }
    };
    if let Some(sel) = custom {
        add(dom::select_all(&dom::document(), sel), true);
    }
    add(dom::select_all(scope, builders::SUCCESS_CANDIDATES), false);
    out
}

fn shown(el: &JsValue) -> bool {
    dom::rendered(el) && !dom::text(el).is_empty()
}

fn watch(form: JsValue, user: JsValue) {
    let parent = get(&form, "parentElement");
    let scope = if parent.is_object() {
        parent
    } else {
        form.clone()
    };
    let custom = attr(&form, "data-capiflare-success");
    let before = candidates(&scope, custom.as_deref())
        .into_iter()
        .filter(|(e, _)| shown(e))
        .map(|(e, _)| {
            let t = dom::text(&e);
            (e, t)
        })
        .collect();
    let watch = Rc::new(RefCell::new(Watch {
        form,
        scope,
        custom,
        before,
        user: Some(user),
        observer: JsValue::UNDEFINED,
    }));
    let w = Rc::clone(&watch);
    let on_mutation = dom::callback(Box::new(move |_| check(&w)));
    let observer = dom::new_of("MutationObserver", &on_mutation, &JsValue::UNDEFINED);
    if observer.is_object() {
        let opts = dom::object();
        for key in ["childList", "subtree", "attributes", "characterData"] {
            dom::set(&opts, key, &JsValue::TRUE);
        }
        let root = get(&dom::document(), "documentElement");
        if root.is_object() {
            dom::call2(&observer, "observe", &root, &opts);
        }
        if let Ok(mut w) = watch.try_borrow_mut() {
            w.observer = observer;
        }
    }
    let w = Rc::clone(&watch);
    dom::later(
        SUCCESS_WINDOW_MS,
        Box::new(move || {
            if finish(&w).is_some() {
                log("form: no success signal");
            }
        }),
    );
    check(&watch);
}

/// Ends a watch; returns its user the first time.
fn finish(watch: &Rc<RefCell<Watch>>) -> Option<JsValue> {
    let mut w = watch.try_borrow_mut().ok()?;
    let observer = core::mem::replace(&mut w.observer, JsValue::UNDEFINED);
    if observer.is_object() {
        call0(&observer, "disconnect");
    }
    w.user.take()
}

fn check(watch: &Rc<RefCell<Watch>>) {
    let verdict = {
        let Ok(w) = watch.try_borrow() else { return };
        if w.user.is_none() {
            return;
        }
        if !get_true(&w.form, "isConnected") || !dom::rendered(&w.form) {
            Some((true, "form: hidden or removed, success"))
        } else {
            candidates(&w.scope, w.custom.as_deref())
                .into_iter()
                .filter(|(e, _)| shown(e))
                .filter(|(e, _)| {
                    let t = dom::text(e);
                    !w.before.iter().any(|(b, bt)| dom::same(b, e) && *bt == t)
                })
                .find_map(|(e, custom)| {
                    let mut id_class = get_str(&e, "id").unwrap_or_default();
                    id_class.push(' ');
                    id_class.push_str(&get_str(&e, "className").unwrap_or_default());
                    let role = attr(&e, "role").unwrap_or_default();
                    builders::success_signal(&id_class, &role, &dom::text(&e), custom)
                })
                .map(|ok| {
                    if ok {
                        (true, "form: success shown")
                    } else {
                        (false, "form: error shown")
                    }
                })
        }
    };
    let Some((ok, why)) = verdict else { return };
    let Some(user) = finish(watch) else { return };
    log(why);
    if ok {
        convert(&user);
    }
}

/// A form's conversion.
pub(crate) fn convert(user: &JsValue) {
    state::convert(
        &state::event_name("form"),
        &JsValue::UNDEFINED,
        user,
        None,
        true,
    );
}
