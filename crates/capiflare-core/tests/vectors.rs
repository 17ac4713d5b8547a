//! Every official normalization vector against `pii::normalize` and `pii::hash`: the 2,295 rows
//! recorded from Meta's capi-param-builder tests and the examples of Meta's customer-information
//! page. The project's deliberate departures from capi-param-builder, each backed by a sentence of
//! Meta's documentation, are listed row by row in `tests/vectors/departures.json`; a listed row is
//! checked against the departure's value instead. Expected values come only from these files.

use std::collections::BTreeMap;

use capiflare_core::pii::{self, Context, Key};
use serde::Deserialize;

const CPB_FILE: &str = "capi-param-builder.json";
const META_FILE: &str = "meta-docs.json";
const CPB: &str = include_str!("../../../tests/vectors/capi-param-builder.json");
const META: &str = include_str!("../../../tests/vectors/meta-docs.json");
const DEPARTURES: &str = include_str!("../../../tests/vectors/departures.json");
/// The vectors were recorded in 2026; a few date-of-birth rows depend on it.
const YEAR: u16 = 2026;
const NO_COUNTRY: Context<'static> = Context {
    country: None,
    current_year: YEAR,
    lower: str::to_lowercase,
};

#[derive(Deserialize)]
struct Cases<T> {
    cases: Vec<T>,
}

#[derive(Deserialize)]
struct CpbCase {
    #[serde(rename = "type")]
    kind: String,
    input: String,
    expected: Option<String>,
    sha256: Option<String>,
}

#[derive(Deserialize)]
struct MetaCase {
    key: String,
    input: String,
    normalized: Option<String>,
    sha256: Option<String>,
}

#[derive(Deserialize)]
struct Departures {
    departures: Vec<Departure>,
    /// Vector rows that no normalizer given that input string can produce, each with `why`.
    #[serde(default)]
    not_reproducible: Vec<Row>,
}

#[derive(Deserialize)]
struct Departure {
    id: String,
    doc: String,
    rows: Vec<Row>,
}

/// One row a departure changes: a row of a vector file (`file` set), or one of our own (no
/// `file`, usually with a `country`), whose type is then a key of Meta's `user_data`.
#[derive(Deserialize)]
struct Row {
    file: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    input: String,
    country: Option<String>,
    cpb_expected: Option<String>,
    ours: Option<String>,
    sha256: Option<String>,
    why: Option<String>,
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The keys a capi-param-builder type stands for; none for a type it does not know.
fn cpb_keys(kind: &str) -> &'static [Key] {
    match kind {
        "email" => &[Key::Em],
        "phone" => &[Key::Ph],
        "name(fn/ln)" => &[Key::Fn, Key::Ln],
        "date_of_birth" => &[Key::Db],
        "gender" => &[Key::Ge],
        "city" => &[Key::Ct],
        "state" => &[Key::St],
        "zip_code" => &[Key::Zp],
        "country" => &[Key::Country],
        "external_id" => &[Key::ExternalId],
        _ => &[],
    }
}

fn row_keys(row: &Row) -> Vec<Key> {
    match row.file.as_deref() {
        Some(CPB_FILE) => cpb_keys(&row.kind).to_vec(),
        _ => Key::from_key(&row.kind).into_iter().collect(),
    }
}

/// The listed rows of the vector files (departures and rows not reproducible), by (file, type,
/// input).
fn departed_rows(departures: &Departures) -> BTreeMap<(&str, &str, &str), &Row> {
    let mut rows = BTreeMap::new();
    let listed = departures.departures.iter().flat_map(|d| &d.rows);
    for row in listed.chain(&departures.not_reproducible) {
        if let Some(file) = row.file.as_deref() {
            rows.insert((file, row.kind.as_str(), row.input.as_str()), row);
        }
    }
    rows
}

/// Checks one row: what `normalize` gives (nothing for `null` or `""`) and what `hash` gives.
/// A row with a normalized value but no `sha256` is an already-hashed value: Meta receives the
/// value itself, lowercased.
fn check(
    failures: &mut Vec<String>,
    label: &str,
    keys: &[Key],
    input: &str,
    ctx: &Context<'_>,
    expected: Option<&str>,
    sha256: Option<&str>,
) {
    let expected = expected.filter(|e| !e.is_empty());
    let hashed = match (expected, sha256) {
        (None, _) => None,
        (Some(_), Some(sha)) => Some(sha.to_owned()),
        (Some(e), None) if pii::is_sha256_hex(e) => Some(e.to_ascii_lowercase()),
        (Some(e), None) => {
            failures.push(format!("{label}: the file gives {e:?} without a sha256"));
            return;
        }
    };
    if keys.is_empty() && expected.is_some() {
        failures.push(format!("{label}: unknown type, yet a value is expected"));
    }
    for &key in keys {
        let normalized = pii::normalize(key, input, ctx);
        if normalized.as_deref() != expected {
            failures.push(format!(
                "{label} as {}: {input:?} normalized to {normalized:?}, expected {expected:?}",
                key.as_str()
            ));
        }
        let got = pii::hash(key, input, ctx);
        if got != hashed {
            failures.push(format!(
                "{label} as {}: {input:?} hashed to {got:?}, expected {hashed:?}",
                key.as_str()
            ));
        }
    }
}

fn assert_none(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failing rows:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn capi_param_builder_vectors() {
    let cases: Cases<CpbCase> = parse(CPB_FILE, CPB);
    let departures: Departures = parse("departures.json", DEPARTURES);
    let departed = departed_rows(&departures);
    let mut failures = Vec::new();
    for (index, case) in cases.cases.iter().enumerate() {
        let label = format!("{CPB_FILE} #{index} ({})", case.kind);
        let (expected, sha256) = match departed.get(&(CPB_FILE, &case.kind, &case.input)) {
            Some(row) => (row.ours.as_deref(), row.sha256.as_deref()),
            None => (case.expected.as_deref(), case.sha256.as_deref()),
        };
        let keys = cpb_keys(&case.kind);
        check(
            &mut failures,
            &label,
            keys,
            &case.input,
            &NO_COUNTRY,
            expected,
            sha256,
        );
    }
    assert_none(&failures);
    assert_eq!(cases.cases.len(), 2295, "rows in {CPB_FILE}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn meta_docs_vectors() {
    let cases: Cases<MetaCase> = parse(META_FILE, META);
    let departures: Departures = parse("departures.json", DEPARTURES);
    let departed = departed_rows(&departures);
    let mut failures = Vec::new();
    for (index, case) in cases.cases.iter().enumerate() {
        let label = format!("{META_FILE} #{index} ({})", case.key);
        let Some(key) = Key::from_key(&case.key) else {
            failures.push(format!("{label}: unknown key"));
            continue;
        };
        let (expected, sha256) = match departed.get(&(META_FILE, &case.key, &case.input)) {
            Some(row) => (row.ours.as_deref(), row.sha256.as_deref()),
            None => (case.normalized.as_deref(), case.sha256.as_deref()),
        };
        check(
            &mut failures,
            &label,
            &[key],
            &case.input,
            &NO_COUNTRY,
            expected,
            sha256,
        );
    }
    assert_none(&failures);
    assert_eq!(cases.cases.len(), 18, "rows in {META_FILE}");
}

/// Checks a row listed in departures.json: it really departs from capi-param-builder; a vector
/// row exists in its file with that file's value (a Meta-docs row with the page's value, which
/// ours must be); a row of our own (with its country) gives the listed value.
fn check_listed(
    failures: &mut Vec<String>,
    label: &str,
    row: &Row,
    cpb: &[CpbCase],
    meta: &[MetaCase],
) {
    let ours = row.ours.as_deref().filter(|o| !o.is_empty());
    let cpb_expected = row.cpb_expected.as_deref().filter(|e| !e.is_empty());
    if ours == cpb_expected {
        failures.push(format!("{label}: does not depart from capi-param-builder"));
    }
    let (file_value, wanted) = match row.file.as_deref() {
        Some(CPB_FILE) => (
            cpb.iter()
                .find(|c| c.kind == row.kind && c.input == row.input)
                .map(|c| c.expected.as_deref()),
            row.cpb_expected.as_deref(),
        ),
        Some(META_FILE) => (
            meta.iter()
                .find(|c| c.key == row.kind && c.input == row.input)
                .map(|c| c.normalized.as_deref()),
            row.ours.as_deref(),
        ),
        Some(other) => {
            failures.push(format!("{label}: unknown file {other}"));
            return;
        }
        None => {
            let keys = row_keys(row);
            if keys.is_empty() {
                failures.push(format!("{label}: unknown key"));
            }
            let ctx = Context {
                country: row.country.as_deref(),
                current_year: YEAR,
                lower: str::to_lowercase,
            };
            let sha256 = row.sha256.as_deref();
            check(failures, label, &keys, &row.input, &ctx, ours, sha256);
            return;
        }
    };
    match file_value {
        None => failures.push(format!("{label}: no such row in its file")),
        Some(value) if value != wanted => {
            failures.push(format!("{label}: the file gives {value:?}, not {wanted:?}"));
        }
        Some(_) => {}
    }
    if row.country.is_some() {
        failures.push(format!(
            "{label}: a vector row is checked without a country"
        ));
    }
}

/// Exactly the three known departures, each documented and changing at least one row; every row
/// listed really departs; a row listed twice is given the same value; a row not reproducible
/// says why.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn departures_are_documented_and_really_depart() {
    let departures: Departures = parse("departures.json", DEPARTURES);
    let cpb: Cases<CpbCase> = parse(CPB_FILE, CPB);
    let meta: Cases<MetaCase> = parse(META_FILE, META);
    let mut failures = Vec::new();
    let ids: Vec<&str> = departures
        .departures
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    if ids != ["zip_no_spaces", "us_zip_5", "phone_country_code"] {
        failures.push(format!(
            "expected exactly the three known departures, got {ids:?}"
        ));
    }
    for departure in &departures.departures {
        let id = &departure.id;
        if departure.doc.trim().is_empty() {
            failures.push(format!("{id}: no documentation sentence"));
        }
        if departure.rows.is_empty() {
            failures.push(format!("{id}: lists no row"));
        }
        for (index, row) in departure.rows.iter().enumerate() {
            let label = format!("{id} row #{index} ({} {:?})", row.kind, row.input);
            check_listed(&mut failures, &label, row, &cpb.cases, &meta.cases);
        }
    }
    for (index, row) in departures.not_reproducible.iter().enumerate() {
        let label = format!("not_reproducible #{index} ({} {:?})", row.kind, row.input);
        if row.why.as_deref().is_none_or(|why| why.trim().is_empty()) {
            failures.push(format!("{label}: says not why"));
        }
        if row.file.is_none() {
            failures.push(format!("{label}: names no file"));
        }
        check_listed(&mut failures, &label, row, &cpb.cases, &meta.cases);
    }
    let mut seen = BTreeMap::new();
    let listed = departures.departures.iter().flat_map(|d| &d.rows);
    for row in listed.chain(&departures.not_reproducible) {
        if let Some(file) = row.file.as_deref() {
            let value = (row.ours.as_deref(), row.sha256.as_deref());
            if let Some(earlier) = seen.insert((file, &row.kind, &row.input), value)
                && earlier != value
            {
                failures.push(format!(
                    "{file} {:?}: listed twice with different values",
                    row.input
                ));
            }
        }
    }
    assert_none(&failures);
}

/// A number written internationally (`+`, `00`) is never given another calling code: with a
/// known country, capi-param-builder's phone rows keep their file values.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn international_phone_numbers_keep_their_code() {
    let cases: Cases<CpbCase> = parse(CPB_FILE, CPB);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (index, case) in cases.cases.iter().enumerate() {
        let written = case.input.trim();
        if case.kind != "phone" || !(written.starts_with('+') || written.starts_with("00")) {
            continue;
        }
        checked += 1;
        for country in ["us", "gb", "fr"] {
            let ctx = Context {
                country: Some(country),
                current_year: YEAR,
                lower: str::to_lowercase,
            };
            let label = format!("{CPB_FILE} #{index} (phone, country {country})");
            let (expected, sha256) = (case.expected.as_deref(), case.sha256.as_deref());
            check(
                &mut failures,
                &label,
                &[Key::Ph],
                &case.input,
                &ctx,
                expected,
                sha256,
            );
        }
    }
    assert_none(&failures);
    assert!(checked > 0, "no international phone row");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn already_hashed_values_pass_through_lowercased() {
    let meta: Cases<MetaCase> = parse(META_FILE, META);
    let mut failures = Vec::new();
    for case in &meta.cases {
        let Some(digest) = case.sha256.as_deref() else {
            continue;
        };
        let shouted = format!(" \t{}\n ", digest.to_ascii_uppercase());
        for key in Key::ALL {
            for input in [digest, shouted.as_str()] {
                let got = pii::hash(key, input, &NO_COUNTRY);
                if got.as_deref() != Some(digest) {
                    failures.push(format!("{} {input:?} gave {got:?}", key.as_str()));
                }
            }
        }
        // A 32-hex value (an MD5, or a real identifier) is not taken as hashed.
        let half = digest.get(..32).unwrap_or_default();
        let got = pii::hash(Key::ExternalId, half, &NO_COUNTRY);
        if got
            .as_deref()
            .is_none_or(|g| g == half || !pii::is_sha256_hex(g))
        {
            failures.push(format!("external_id {half:?} gave {got:?}"));
        }
    }
    assert_none(&failures);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn nothing_to_send_is_none() {
    let us = Context {
        country: Some("us"),
        current_year: YEAR,
        lower: str::to_lowercase,
    };
    for key in Key::ALL {
        for input in ["", "   ", "\t\n"] {
            for ctx in [&NO_COUNTRY, &us] {
                assert_eq!(
                    pii::normalize(key, input, ctx),
                    None,
                    "{} {input:?}",
                    key.as_str()
                );
                assert_eq!(
                    pii::hash(key, input, ctx),
                    None,
                    "{} {input:?}",
                    key.as_str()
                );
            }
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn key_names_round_trip() {
    for key in Key::ALL {
        assert_eq!(Key::from_key(key.as_str()), Some(key));
    }
    assert_eq!(Key::from_key("email"), None);
}
