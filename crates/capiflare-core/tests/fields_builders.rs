//! Form-field classification, honeypots, full names, `event_source_url` stripping and the user
//! object's hashing (`tests/vectors/form_fields.json`); the builders' origin rule and message
//! decoders (`tests/vectors/builders.json`). Every case runs; all failures are reported together.
//! Runs natively and on wasm32 from the same files.

use std::collections::BTreeMap;

use capiflare_core::builders::{
    self, AjaxOutcome, Builder, Message, Sender, Submission, SubmittedField,
};
use capiflare_core::fields::{self, Input, TrapFacts};
use serde_json::Value;

const FIELDS: &str = include_str!("../../../tests/vectors/form_fields.json");
const BUILDERS: &str = include_str!("../../../tests/vectors/builders.json");

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn b(v: &Value, k: &str) -> bool {
    v.get(k).and_then(Value::as_bool).unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn list<'a>(file: &'a Value, k: &str) -> &'a [Value] {
    file[k].as_array().map(Vec::as_slice).unwrap()
}

fn input(v: &Value) -> Input<'_> {
    Input {
        input_type: s(v, "type"),
        name: s(v, "name"),
        id: s(v, "id"),
        autocomplete: s(v, "autocomplete"),
        label: s(v, "label"),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn classify_vectors() {
    let file: Value = serde_json::from_str(FIELDS).unwrap();
    let mut failures = Vec::new();
    for case in list(&file, "classify") {
        let got = fields::classify(&input(&case["input"])).map(fields::Field::as_str);
        let want = case["expected"].as_str();
        if got != want {
            failures.push(format!("{}: got {got:?}, want {want:?}", s(case, "name")));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn honeypot_vectors() {
    let file: Value = serde_json::from_str(FIELDS).unwrap();
    let mut failures = Vec::new();
    for case in list(&file, "honeypot") {
        let f = &case["facts"];
        let facts = TrapFacts {
            input: input(f),
            class: s(f, "class"),
            hidden: b(f, "hidden"),
            untabbable: b(f, "untabbable"),
            aria_hidden: b(f, "aria_hidden"),
        };
        if fields::is_honeypot(&facts) != b(case, "expected") {
            failures.push(s(case, "name").to_owned());
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn full_name_and_url_vectors() {
    let file: Value = serde_json::from_str(FIELDS).unwrap();
    let mut failures = Vec::new();
    for case in list(&file, "split_full_name") {
        let got = fields::split_full_name(s(case, "input"));
        let want = (case["first"].as_str(), case["last"].as_str());
        if got != want {
            failures.push(format!("split {:?}: got {got:?}", s(case, "input")));
        }
    }
    for case in list(&file, "strip_personal_query") {
        let got = fields::strip_personal_query(s(case, "input"));
        if got != s(case, "expected") {
            failures.push(format!("strip {:?}: got {got:?}", s(case, "input")));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hash_user_vectors() {
    let file: Value = serde_json::from_str(FIELDS).unwrap();
    let mut failures = Vec::new();
    for case in list(&file, "hash_user") {
        let name = s(case, "name");
        let mut entries = Vec::new();
        for e in case["entries"].as_array().unwrap() {
            let key = e[0].as_str().unwrap();
            match fields::user_key(key) {
                Some(k) => entries.push((k, e[1].as_str().unwrap())),
                None => failures.push(format!("{name}: unknown key {key}")),
            }
        }
        let year = u16::try_from(case["year"].as_u64().unwrap()).unwrap();
        let got = fields::hash_user(&entries, year, str::to_lowercase);
        let want: BTreeMap<String, Vec<String>> =
            serde_json::from_value(case["expected"].clone()).unwrap();
        let keys: Vec<&str> = got.iter().map(|(k, _)| *k).collect();
        let mut sorted = keys.clone();
        sorted.dedup();
        if sorted.len() != keys.len() {
            failures.push(format!("{name}: a field appears twice: {keys:?}"));
        }
        let got: BTreeMap<String, Vec<String>> =
            got.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        if got != want {
            failures.push(format!("{name}: got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// An outcome as the vectors name it.
fn outcome_name(o: AjaxOutcome) -> &'static str {
    match o {
        AjaxOutcome::FormGone => "form_gone",
        AjaxOutcome::SuccessShown => "success_shown",
        AjaxOutcome::ErrorShown => "error_shown",
        AjaxOutcome::BuilderSuccess => "builder_success",
        AjaxOutcome::BuilderError => "builder_error",
    }
}

fn builder(name: &str) -> Builder {
    Builder::parse(name).unwrap_or_else(|| panic!("unknown builder {name}"))
}

/// A submission as comparable JSON, fields in name order (object iteration order is not part of
/// the contract).
fn submission_json(sub: Option<Submission>) -> Value {
    let Some(sub) = sub else { return Value::Null };
    let mut fields: Vec<&SubmittedField> = sub.fields.iter().collect();
    fields.sort_by(|a, b| a.name.cmp(&b.name));
    serde_json::json!({
        "builder": sub.builder.as_str(),
        "form_id": sub.form_id,
        "fields": fields.iter().map(|f| serde_json::json!({
            "input_type": f.input_type, "name": f.name, "label": f.label, "values": f.values,
        })).collect::<Vec<_>>(),
    })
}

fn sorted_expected(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(fields) = v.get_mut("fields").and_then(Value::as_array_mut) {
        fields.sort_by(|a, b| s(a, "name").cmp(s(b, "name")));
    }
    v
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn origin_vectors() {
    let file: Value = serde_json::from_str(BUILDERS).unwrap();
    let mut failures = Vec::new();
    for case in list(&file, "host_in") {
        let (host, domain) = (case[0].as_str().unwrap(), case[1].as_str().unwrap());
        if builders::host_in(host, domain) != case[2].as_bool().unwrap() {
            failures.push(format!("host_in({host:?}, {domain:?})"));
        }
    }
    for case in list(&file, "origin_allowed") {
        let got = builders::origin_allowed(
            builder(s(case, "builder")),
            s(case, "origin"),
            &strings(&case["form_origins"]),
        );
        if got != b(case, "expected") {
            failures.push(format!("origin_allowed: {}", s(case, "name")));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn message_vectors() {
    let file: Value = serde_json::from_str(BUILDERS).unwrap();
    let page_origin = s(&file, "page_origin");
    let mut failures = Vec::new();
    for case in list(&file, "messages") {
        let name = s(case, "name");
        let sv = &case["sender"];
        let sender = match s(sv, "kind") {
            "page" => Sender::Page,
            "frame" => Sender::Frame {
                builder: builder(s(sv, "builder")),
                src_origin: s(sv, "src_origin"),
                embed_id: sv.get("embed_id").and_then(Value::as_str),
            },
            _ => Sender::Other,
        };
        let form_origins = strings(&case["form_origins"]);
        let msg = Message {
            origin: s(case, "origin"),
            page_origin,
            sender,
            form_origins: &form_origins,
        };
        let got = submission_json(builders::decode_message(&msg, &case["data"]));
        let want = sorted_expected(&case["expected"]);
        if got != want {
            failures.push(format!("{name}: got {got}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hubspot_v4_success_and_exclusion_vectors() {
    let file: Value = serde_json::from_str(BUILDERS).unwrap();
    let mut failures = Vec::new();
    for case in list(&file, "hubspot_v4") {
        let got = submission_json(builders::decode_hubspot_v4(
            s(case, "form_id"),
            &case["values"],
        ));
        if got != sorted_expected(&case["expected"]) {
            failures.push(format!("v4 {}: got {got}", s(case, "name")));
        }
    }
    for case in list(&file, "v4_known") {
        let got = builders::hubspot_v4_form_known(s(case, "form_id"), &strings(&case["page"]));
        if got != b(case, "expected") {
            failures.push(format!("v4_known {case}"));
        }
    }
    for case in list(&file, "success_signal") {
        let got = builders::success_signal(
            s(case, "id_class"),
            s(case, "role"),
            s(case, "text"),
            b(case, "custom"),
        );
        if got != case["expected"].as_bool() {
            failures.push(format!("success_signal {case}: got {got:?}"));
        }
    }
    for case in list(&file, "ajax_outcome") {
        let shown = case["shown"].as_array().unwrap().iter().map(|c| {
            let part = |i: usize| c[i].as_str().unwrap();
            (part(0), part(1), part(2), c[3].as_bool().unwrap())
        });
        let got = builders::ajax_outcome(b(case, "form_shown"), shown).map(outcome_name);
        if got != case["expected"].as_str() {
            failures.push(format!("ajax_outcome {}: got {got:?}", s(case, "name")));
        }
    }
    for case in list(&file, "form_event") {
        let got = builders::form_event(s(case, "event")).map(outcome_name);
        if got != case["expected"].as_str() {
            failures.push(format!("form_event {}: got {got:?}", s(case, "name")));
        }
    }
    for case in list(&file, "path_excluded") {
        let got = builders::path_excluded(&strings(&case["entries"]), s(case, "path"));
        if got != b(case, "expected") {
            failures.push(format!("path_excluded {case}"));
        }
    }
    for case in list(&file, "excluded_selectors") {
        let entries = strings(&case["entries"]);
        let got: Vec<&str> = builders::excluded_selectors(&entries).collect();
        if got != strings(&case["expected"]) {
            failures.push(format!("excluded_selectors: got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
