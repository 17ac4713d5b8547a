//! Plain HTML forms: a `submit`, then the success signal (DESIGN.md section 2 item 4). A submit
//! that is not prevented and whose form is valid navigates: that is the success. A prevented
//! submit (AJAX) succeeds when, within a few seconds, an element inside or beside the form (or
//! the site's `data-capiflare-success` element) becomes visible and the core reads it as success,
//! or the form is hidden or removed; an error message instead means nothing. Fields are read and
//! hashed at submit time, so the page's own reset cannot lose them and raw values do not linger.

use std::cell::RefCell;
use std::rc::Rc;

use capiflare_core::builders;
use capiflare_core::fields::{self, Input, TrapFacts};
use capiflare_core::pii::Key;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event, HtmlFormElement, MutationObserver, MutationObserverInit};

use crate::dom::{self, get, get_str, log, window};
use crate::state::{self, User};

/// How long an AJAX form has to show its success (milliseconds).
const SUCCESS_WINDOW_MS: i32 = 10_000;

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
pub fn read_form(form: &HtmlFormElement) -> FormRead {
    let mut out = FormRead::default();
    let controls = form.elements();
    for i in 0..controls.length() {
        let Some(el) = controls.item(i) else { continue };
        let ty = get_str(&el, "type").unwrap_or_default();
        if ty.is_empty() || matches!(ty.as_str(), "fieldset" | "output") {
            continue;
        }
        if matches!(ty.as_str(), "radio" | "checkbox") && get(&el, "checked") != JsValue::TRUE {
            continue;
        }
        let value = get_str(&el, "value").unwrap_or_default();
        if value.trim().is_empty() {
            continue;
        }
        let attr = |name: &str| el.get_attribute(name).unwrap_or_default();
        let (name, id, autocomplete) = (attr("name"), el.id(), attr("autocomplete"));
        let label = label_of(&el);
        let input = Input {
            input_type: &ty,
            name: &name,
            id: &id,
            autocomplete: &autocomplete,
            label: &label,
        };
        let class = [
            el.class_name(),
            el.parent_element()
                .map(|p| p.class_name())
                .unwrap_or_default(),
        ]
        .join(" ");
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
            out.entries.extend(
                fields::entries(field, &value)
                    .into_iter()
                    .map(|(k, v)| (k, v.to_owned())),
            );
        }
    }
    out
}

/// The label text of a control: its `<label>`, `aria-label`, `aria-labelledby`, placeholder or
/// title.
fn label_of(el: &Element) -> String {
    let labels = get(el, "labels");
    if let Some(first) = labels
        .dyn_ref::<web_sys::NodeList>()
        .and_then(|l| l.item(0))
        .and_then(|n| n.dyn_into::<Element>().ok())
    {
        return dom::text(&first);
    }
    if let Some(l) = el.get_attribute("aria-label") {
        return l;
    }
    if let Some(by) = el
        .get_attribute("aria-labelledby")
        .and_then(|id| dom::document().get_element_by_id(&id))
    {
        return dom::text(&by);
    }
    el.get_attribute("placeholder")
        .or_else(|| el.get_attribute("title"))
        .unwrap_or_default()
}

/// Whether a form never fires: it belongs to a form builder (whose own event decides), carries
/// `data-capiflare-exclude`, matches an `EXCLUDED_FORMS` selector, or the page's path is
/// excluded.
pub(crate) fn excluded(el: &Element) -> Option<&'static str> {
    if dom::within(el, "[data-capiflare-exclude]") {
        return Some("excluded: data-capiflare-exclude");
    }
    let entries = state::with(|s| s.cfg.excluded.clone()).unwrap_or_default();
    if builders::excluded_selectors(&entries).any(|sel| dom::within(el, sel)) {
        return Some("excluded: EXCLUDED_FORMS");
    }
    let path = window().location().pathname().unwrap_or_default();
    if builders::path_excluded(&entries, &path) {
        return Some("excluded: path in EXCLUDED_FORMS");
    }
    None
}

pub(crate) fn install() {
    dom::listen(&window(), "submit", on_submit, true);
}

fn on_submit(ev: JsValue) {
    let ev: Event = ev.unchecked_into();
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
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
    let user = state::hash(&read.entries);
    dom::later(0, Box::new(move || after_submit(&ev, form, user)));
}

fn after_submit(ev: &Event, form: HtmlFormElement, user: User) {
    if !ev.default_prevented() {
        if form.check_validity() {
            log("form: submitted, navigating");
            state::convert(
                state::event_name("form"),
                JsValue::UNDEFINED,
                user,
                None,
                true,
            );
        } else {
            log("form: invalid");
        }
        return;
    }
    log("form: AJAX, waiting for success");
    watch(form, user);
}

struct Watch {
    form: HtmlFormElement,
    scope: Element,
    custom: Option<String>,
    before: Vec<(Element, String)>,
    user: Option<User>,
    observer: Option<MutationObserver>,
}

/// Elements that may signal success or failure: the core's candidates within the form's parent,
/// plus the site's own success element.
fn candidates(scope: &Element, custom: Option<&str>) -> Vec<(Element, bool)> {
    let mut out = Vec::new();
    if let Some(Ok(list)) = custom.map(|sel| dom::document().query_selector_all(sel)) {
        out.extend(
            (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
                .map(|e| (e, true)),
        );
    }
    if let Ok(list) = scope.query_selector_all(builders::SUCCESS_CANDIDATES) {
        out.extend(
            (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
                .map(|e| (e, false)),
        );
    }
    out
}

fn shown(el: &Element) -> bool {
    dom::rendered(el) && !dom::text(el).is_empty()
}

fn watch(form: HtmlFormElement, user: User) {
    let scope = form
        .parent_element()
        .unwrap_or_else(|| form.clone().unchecked_into());
    let custom = form.get_attribute("data-capiflare-success");
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
        observer: None,
    }));
    let w = Rc::clone(&watch);
    let on_mutation = dom::callback(Box::new(move |_| check(&w)));
    if let Ok(observer) = MutationObserver::new(&on_mutation) {
        let opts = MutationObserverInit::new();
        opts.set_child_list(true);
        opts.set_subtree(true);
        opts.set_attributes(true);
        opts.set_character_data(true);
        if let Some(root) = dom::document().document_element() {
            let _ = observer.observe_with_options(&root, &opts);
        }
        watch.borrow_mut().observer = Some(observer);
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
fn finish(watch: &Rc<RefCell<Watch>>) -> Option<User> {
    let mut w = watch.try_borrow_mut().ok()?;
    if let Some(o) = w.observer.take() {
        o.disconnect();
    }
    w.user.take()
}

fn check(watch: &Rc<RefCell<Watch>>) {
    let verdict = {
        let Ok(w) = watch.try_borrow() else { return };
        if w.user.is_none() {
            return;
        }
        if !w.form.is_connected() || !dom::rendered(&w.form) {
            Some((true, "form: hidden or removed, success"))
        } else {
            candidates(&w.scope, w.custom.as_deref())
                .into_iter()
                .filter(|(e, _)| shown(e))
                .filter(|(e, _)| {
                    let t = dom::text(e);
                    !w.before
                        .iter()
                        .any(|(b, bt)| b.is_same_node(Some(e)) && *bt == t)
                })
                .find_map(|(e, custom)| {
                    let id_class = [e.id(), e.class_name()].join(" ");
                    let role = e.get_attribute("role").unwrap_or_default();
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
        state::convert(
            state::event_name("form"),
            JsValue::UNDEFINED,
            user,
            None,
            true,
        );
    }
}
