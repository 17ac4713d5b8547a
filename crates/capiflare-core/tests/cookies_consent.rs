//! `_fbc`/`_fbp`, consent and event ids against the shared vectors in `tests/vectors/cookies.json`
//! and `tests/vectors/consent.json` (the rust-url pattern: every failing case is collected, then the
//! list must be empty). The vectors are compiled in, so the same tests run natively and on wasm32.

use capiflare_core::consent::{
    self, Decision, GoogleConsentCommand, Inputs, LduMode, Policy, Signal,
};
use capiflare_core::cookies::{self, CookiePlan, FbCookie};
use capiflare_core::event_id;
use serde::Deserialize;

const COOKIES: &str = include_str!("../../../tests/vectors/cookies.json");
const CONSENT: &str = include_str!("../../../tests/vectors/consent.json");

/// Collects one line per failing case.
#[derive(Default)]
struct Report {
    cases: usize,
    failures: Vec<String>,
}

impl Report {
    fn check<T: PartialEq + std::fmt::Debug>(&mut self, name: &str, got: T, expected: T) {
        self.cases += 1;
        if got != expected {
            self.failures
                .push(format!("{name}: got {got:?}, expected {expected:?}"));
        }
    }

    fn finish(self, what: &str) {
        assert!(self.cases > 0, "{what}: no cases ran");
        assert!(
            self.failures.is_empty(),
            "{what}: {} of {} cases failed:\n{}",
            self.failures.len(),
            self.cases,
            self.failures.join("\n")
        );
    }
}

fn load<T: for<'de> Deserialize<'de>>(json: &str) -> T {
    serde_json::from_str(json).expect("vectors parse")
}

// ---------------------------------------------------------------------------------------------
// cookies.json

#[derive(Deserialize)]
struct CookieVectors {
    parse: Vec<ParseCase>,
    build_fbc: Vec<BuildFbcCase>,
    build_fbp: Vec<BuildFbpCase>,
    subdomain_index: Vec<InOut<String, u8>>,
    registrable_domain: Vec<InOut<String, Option<String>>>,
    fbclid_from_query: Vec<InOut<String, Option<String>>>,
    plan: Vec<PlanCase>,
}

#[derive(Deserialize)]
struct InOut<I, O> {
    input: I,
    expected: O,
}

#[derive(Deserialize)]
struct ParseCase {
    name: String,
    kind: String,
    input: String,
    expected: Option<ExpectedCookie>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ExpectedCookie {
    subdomain_index: u8,
    creation_time_ms: u64,
    payload: String,
    appendix: Option<String>,
}

#[derive(Deserialize)]
struct BuildFbcCase {
    name: String,
    subdomain_index: u8,
    now_ms: u64,
    fbclid: String,
    expected: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct BuildFbpCase {
    name: String,
    subdomain_index: u8,
    now_ms: u64,
    random: u32,
    expected: String,
}

#[derive(Deserialize)]
struct PlanCase {
    name: String,
    existing_fbc: Option<String>,
    existing_fbp: Option<String>,
    fbclid: Option<String>,
    subdomain_index: u8,
    now_ms: u64,
    random: u32,
    fbc: Option<String>,
    fbp: Option<String>,
}

/// A result as `Ok(value)` or `Err(code)`, comparable with what the vectors say.
fn expected_result<T>(expected: Option<T>, error: Option<String>) -> Result<T, String> {
    match (expected, error) {
        (Some(v), None) => Ok(v),
        (None, Some(code)) => Err(code),
        _ => panic!("a case needs exactly one of expected and error"),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn cookie_parse_vectors() {
    let v: CookieVectors = load(COOKIES);
    let mut r = Report::default();
    for c in v.parse {
        let got = match c.kind.as_str() {
            "fbc" => cookies::parse_fbc(&c.input),
            "fbp" => cookies::parse_fbp(&c.input),
            other => panic!("{}: unknown kind {other}", c.name),
        };
        let expected = expected_result(
            c.expected.map(|e| FbCookie {
                subdomain_index: e.subdomain_index,
                creation_time_ms: e.creation_time_ms,
                payload: e.payload,
                appendix: e.appendix,
            }),
            c.error,
        );
        // A valid value must also come back unchanged from to_cookie_value (nothing stripped).
        if let Ok(cookie) = &got {
            r.check(
                &format!("{} (round trip)", c.name),
                cookie.to_cookie_value(),
                c.input.clone(),
            );
        }
        r.check(&c.name, got.map_err(|e| e.code().to_owned()), expected);
    }
    r.finish("parse");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn cookie_build_vectors() {
    let v: CookieVectors = load(COOKIES);
    let mut r = Report::default();
    for c in v.build_fbc {
        let got = cookies::build_fbc(c.subdomain_index, c.now_ms, &c.fbclid);
        let expected = expected_result(c.expected, c.error);
        r.check(&c.name, got.map_err(|e| e.code().to_owned()), expected);
    }
    for c in v.build_fbp {
        let got = cookies::build_fbp(c.subdomain_index, c.now_ms, c.random);
        r.check(&c.name, got, c.expected);
    }
    r.finish("build");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn cookie_domain_vectors() {
    let v: CookieVectors = load(COOKIES);
    let mut r = Report::default();
    for c in v.subdomain_index {
        let name = format!("subdomain_index({:?})", c.input);
        r.check(&name, cookies::subdomain_index(&c.input), c.expected);
    }
    for c in v.registrable_domain {
        let name = format!("registrable_domain({:?})", c.input);
        r.check(&name, cookies::registrable_domain(&c.input), c.expected);
    }
    r.finish("domains");
    // The site's COOKIE_DOMAIN, when set, wins over the host's registrable domain.
    assert_eq!(
        cookies::domain(Some("shop.example.com"), "www.shop.example.com").as_deref(),
        Some("shop.example.com")
    );
    for configured in [None, Some("")] {
        assert_eq!(
            cookies::domain(configured, "www.shop.example.com").as_deref(),
            Some("example.com")
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn fbclid_from_query_vectors() {
    let v: CookieVectors = load(COOKIES);
    let mut r = Report::default();
    for c in v.fbclid_from_query {
        let name = format!("fbclid_from_query({:?})", c.input);
        r.check(&name, cookies::fbclid_from_query(&c.input), c.expected);
    }
    r.finish("fbclid_from_query");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn cookie_plan_vectors() {
    let v: CookieVectors = load(COOKIES);
    let mut r = Report::default();
    for c in v.plan {
        let got = cookies::plan(
            c.existing_fbc.as_deref(),
            c.existing_fbp.as_deref(),
            c.fbclid.as_deref(),
            c.subdomain_index,
            c.now_ms,
            c.random,
        );
        let expected = CookiePlan {
            fbc: c.fbc,
            fbp: c.fbp,
        };
        r.check(&c.name, got, expected);
    }
    r.finish("plan");
}

// ---------------------------------------------------------------------------------------------
// consent.json

#[derive(Deserialize)]
struct ConsentVectors {
    decide: Vec<DecideCase>,
    policy_parse: Vec<InOut<String, Option<String>>>,
    requires_opt_in: Vec<OptInCase>,
    tcf: Vec<TcfCase>,
    google_consent: Vec<GoogleCase>,
    onetrust: Vec<InOut<String, Option<String>>>,
    cookiebot: Vec<CookiebotCase>,
    combine_cmp: Vec<CombineCase>,
    ldu_parse: Vec<InOut<String, Option<String>>>,
    ldu: Vec<LduCase>,
}

#[derive(Deserialize)]
struct DecideCase {
    name: String,
    gpc: bool,
    policy: String,
    country: Option<String>,
    explicit: Option<String>,
    cmp: Option<String>,
    expected: String,
}

#[derive(Deserialize)]
struct OptInCase {
    country: String,
    expected: bool,
}

#[derive(Deserialize)]
struct TcfCase {
    name: String,
    gdpr_applies: Option<bool>,
    event_status: String,
    purpose_consents: Vec<u16>,
    vendor_consent_meta: Option<bool>,
    expected: Option<String>,
}

#[derive(Deserialize)]
struct GoogleCase {
    name: String,
    commands: Vec<GoogleCommand>,
    expected: Option<String>,
}

#[derive(Deserialize)]
struct GoogleCommand {
    command: String,
    regional: bool,
    ad_storage: Option<String>,
    ad_user_data: Option<String>,
}

#[derive(Deserialize)]
struct CookiebotCase {
    marketing: Option<bool>,
    expected: Option<String>,
}

#[derive(Deserialize)]
struct CombineCase {
    signals: Vec<Option<String>>,
    expected: Option<String>,
}

#[derive(Deserialize)]
struct LduCase {
    name: String,
    mode: String,
    country: Option<String>,
    region_code: Option<String>,
    expected: Option<LduExpected>,
}

#[derive(Deserialize)]
struct LduExpected {
    options: Vec<String>,
    country: u8,
    state: u16,
}

fn signal(s: Option<&str>) -> Option<Signal> {
    match s {
        None => None,
        Some("granted") => Some(Signal::Granted),
        Some("denied") => Some(Signal::Denied),
        Some(other) => panic!("unknown signal {other}"),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn consent_decide_vectors() {
    let v: ConsentVectors = load(CONSENT);
    let mut r = Report::default();
    for c in v.decide {
        let inputs = Inputs {
            gpc: c.gpc,
            policy: Policy::parse(&c.policy).expect("policy in vectors"),
            country: c.country,
            explicit: signal(c.explicit.as_deref()),
            cmp: signal(c.cmp.as_deref()),
        };
        let expected = match c.expected.as_str() {
            "allow" => Decision::Allow,
            "deny" => Decision::Deny,
            "pending" => Decision::Pending,
            other => panic!("unknown decision {other}"),
        };
        r.check(&c.name, consent::decide(&inputs), expected);
    }
    for c in v.policy_parse {
        let expected = c.expected.as_deref().map(|p| match p {
            "by-region" => Policy::ByRegion,
            "opt-in" => Policy::OptIn,
            "opt-out" => Policy::OptOut,
            other => panic!("unknown policy {other}"),
        });
        r.check(
            &format!("Policy::parse({:?})", c.input),
            Policy::parse(&c.input),
            expected,
        );
    }
    for c in v.requires_opt_in {
        r.check(
            &format!("requires_opt_in({:?})", c.country),
            consent::requires_opt_in(&c.country),
            c.expected,
        );
    }
    r.finish("decide");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn consent_cmp_vectors() {
    let v: ConsentVectors = load(CONSENT);
    let mut r = Report::default();
    for c in v.tcf {
        let got = consent::tcf_signal(
            c.gdpr_applies,
            &c.event_status,
            &c.purpose_consents,
            c.vendor_consent_meta,
        );
        r.check(
            &format!("tcf: {}", c.name),
            got,
            signal(c.expected.as_deref()),
        );
    }
    for c in v.google_consent {
        let commands: Vec<GoogleConsentCommand<'_>> = c
            .commands
            .iter()
            .map(|g| GoogleConsentCommand {
                command: &g.command,
                regional: g.regional,
                ad_storage: g.ad_storage.as_deref(),
                ad_user_data: g.ad_user_data.as_deref(),
            })
            .collect();
        r.check(
            &format!("google: {}", c.name),
            consent::google_consent_signal(&commands),
            signal(c.expected.as_deref()),
        );
    }
    for c in v.onetrust {
        r.check(
            &format!("onetrust_signal({:?})", c.input),
            consent::onetrust_signal(&c.input),
            signal(c.expected.as_deref()),
        );
    }
    for c in v.cookiebot {
        r.check(
            &format!("cookiebot_signal({:?})", c.marketing),
            consent::cookiebot_signal(c.marketing),
            signal(c.expected.as_deref()),
        );
    }
    for c in v.combine_cmp {
        let signals: Vec<Option<Signal>> = c.signals.iter().map(|s| signal(s.as_deref())).collect();
        r.check(
            &format!("combine_cmp({:?})", c.signals),
            consent::combine_cmp(&signals),
            signal(c.expected.as_deref()),
        );
    }
    r.finish("cmp");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn ldu_vectors() {
    let v: ConsentVectors = load(CONSENT);
    let mut r = Report::default();
    let mode = |s: &str| match s {
        "auto" => LduMode::Auto,
        "off" => LduMode::Off,
        "always" => LduMode::Always,
        other => panic!("unknown LDU mode {other}"),
    };
    for c in v.ldu_parse {
        r.check(
            &format!("LduMode::parse({:?})", c.input),
            LduMode::parse(&c.input),
            c.expected.as_deref().map(mode),
        );
    }
    for c in v.ldu {
        let got = consent::data_processing_options(
            mode(&c.mode),
            c.country.as_deref(),
            c.region_code.as_deref(),
        )
        .map(|(options, country, state)| {
            (
                options.iter().map(|o| (*o).to_owned()).collect::<Vec<_>>(),
                country,
                state,
            )
        });
        let expected = c.expected.map(|e| (e.options, e.country, e.state));
        r.check(&format!("ldu: {}", c.name), got, expected);
    }
    r.finish("ldu");
}

// ---------------------------------------------------------------------------------------------
// event ids

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn event_id_known_bytes() {
    // Expected texts from Python: str(uuid.UUID(bytes=b, version=4)).
    let cases: [([u8; 16], &str); 4] = [
        (
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
            "00010203-0405-4607-8809-0a0b0c0d0e0f",
        ),
        ([0xff; 16], "ffffffff-ffff-4fff-bfff-ffffffffffff"),
        ([0; 16], "00000000-0000-4000-8000-000000000000"),
        (
            [
                0x9f, 0x3c, 0x2a, 0x7b, 0xe1, 0x4d, 0x0c, 0x88, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6,
                0x07, 0x18,
            ],
            "9f3c2a7b-e14d-4c88-a1b2-c3d4e5f60718",
        ),
    ];
    let mut r = Report::default();
    for (bytes, expected) in cases {
        r.check(expected, event_id::from_random(bytes).as_str(), expected);
    }
    r.finish("event_id known bytes");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn event_id_format_and_bits() {
    let mut r = Report::default();
    // Every byte value in every position: layout, version nibble, variant bits.
    for value in 0..=255u8 {
        for pos in 0..16 {
            let mut bytes = [0x5a; 16];
            bytes[pos] = value;
            let id = event_id::from_random(bytes);
            let name = format!("byte {pos} = {value:#04x}: {id}");
            let layout_ok = id.len() == 36
                && id.char_indices().all(|(i, ch)| match i {
                    8 | 13 | 18 | 23 => ch == '-',
                    _ => matches!(ch, '0'..='9' | 'a'..='f'),
                });
            r.check(&format!("{name} layout"), layout_ok, true);
            r.check(&format!("{name} version"), id.as_bytes()[14], b'4');
            r.check(
                &format!("{name} variant"),
                matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
                true,
            );
            r.check(&format!("{name} valid"), event_id::is_valid(&id), true);
        }
    }
    r.finish("event_id format");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn event_id_validity() {
    let long_ok = "x".repeat(100);
    let too_long = "x".repeat(101);
    let cases: [(&str, bool); 14] = [
        ("9f3c2a7b-e14d-4c88-a1b2-c3d4e5f60718", true),
        ("order-12345", true),
        ("a", true),
        ("!~#$%&'()*+,./:;<=>?@[]^_`{|}", true),
        (&long_ok, true),
        ("", false),
        (&too_long, false),
        ("has space", false),
        (" leading", false),
        ("tab\t", false),
        ("line\nbreak", false),
        ("nul\0", false),
        ("caf\u{e9}", false),
        ("\u{7f}del", false),
    ];
    let mut r = Report::default();
    for (input, expected) in cases {
        r.check(
            &format!("is_valid({input:?})"),
            event_id::is_valid(input),
            expected,
        );
    }
    r.finish("event_id validity");
}

/// A tag's policy may tighten the site's, never loosen it: every pair, both ways.
#[test]
fn the_stricter_policy_wins() {
    use Policy::{ByRegion, OptIn, OptOut};
    let order = [OptOut, ByRegion, OptIn];
    for (i, a) in order.iter().enumerate() {
        for (j, b) in order.iter().enumerate() {
            assert_eq!(a.stricter(*b), order[i.max(j)], "{a:?} with {b:?}");
        }
    }
}
