//! Consent decisions as pure functions of plain inputs: the shells read the signals (the browser:
//! `navigator.globalPrivacyControl`, the CMPs, `capiflare('consent', …)`; the worker: `Sec-GPC`,
//! the edge's country) and the core decides. One decision covers both channels, Pixel and CAPI.
//!
//! Precedence in [`decide`]: GPC denies everything; then the site's explicit call; then the CMPs
//! (combined with [`combine_cmp`]); then the site's [`Policy`] default for the visitor's region.
//!
//! CMP readers ([`tcf_signal`], [`google_consent_signal`], [`onetrust_signal`],
//! [`cookiebot_signal`]) turn one CMP's raw state into a [`Signal`], or `None` when that CMP has
//! not answered. A CMP's state counts as it reads: CMPs apply their own regional defaults, so an
//! opt-in visitor who has not answered a OneTrust or Cookiebot banner yet reads as denied (the safe
//! side).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// The site's consent policy (`CONSENT_POLICY`) for visitors without an explicit or CMP answer.
/// Serialized as its setting value (`"by-region"`, `"opt-in"`, `"opt-out"`). Ordered from the
/// loosest to the strictest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// `opt-out`: allowed unless GPC, a CMP or the explicit API says no.
    OptOut,
    /// `by-region` (default): opt-in where [`requires_opt_in`] says so or the region is unknown,
    /// opt-out elsewhere.
    #[default]
    ByRegion,
    /// `opt-in`: nothing until a CMP or the explicit API grants consent.
    OptIn,
}

impl Policy {
    /// Parses `by-region`, `opt-in` or `opt-out` (exact, lowercase).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "by-region" => Some(Self::ByRegion),
            "opt-in" => Some(Self::OptIn),
            "opt-out" => Some(Self::OptOut),
            _ => None,
        }
    }

    /// The stricter of two policies (`opt-in`, then `by-region`, then `opt-out`). A tag's
    /// `data-consent` may tighten the site's policy on its page, never loosen it: the worker
    /// decides the CAPI copies by the site's own, so a looser page would fire the Pixel alone.
    #[must_use]
    pub fn stricter(self, other: Self) -> Self {
        self.max(other)
    }
}

/// One answer: a CMP's or the site's explicit `capiflare('consent', 'grant'|'revoke')`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Consent to the Pixel and CAPI.
    Granted,
    /// No consent.
    Denied,
}

/// What the shells know when deciding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Global Privacy Control: `navigator.globalPrivacyControl === true` or `Sec-GPC: 1`.
    pub gpc: bool,
    /// The site's policy.
    pub policy: Policy,
    /// The visitor's ISO 3166-1 alpha-2 country from the edge (any case); `None` when unknown.
    pub country: Option<String>,
    /// The site's latest explicit call, if any (the shell keeps only the latest).
    pub explicit: Option<Signal>,
    /// The CMPs' combined answer ([`combine_cmp`]), if any.
    pub cmp: Option<Signal>,
}

/// The outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Send: Pixel, CAPI and the cookies.
    Allow,
    /// Send nothing, write no cookies, drop what was held.
    Deny,
    /// No answer yet where one is needed: hold conversions (with their event ids) until a
    /// [`Signal`] arrives; send nothing and write no cookies meanwhile.
    Pending,
}

/// What a [`Decision`] rests on, in the order [`decide`] looks: GPC, the explicit call, the CMPs'
/// signal, the policy alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Global Privacy Control.
    Gpc,
    /// The site's explicit `capiflare('consent', …)`.
    Explicit,
    /// A CMP's signal.
    Cmp,
    /// The policy, with no signal.
    Policy,
}

impl Basis {
    /// `gpc`, `explicit`, `cmp`, `policy`: for logs.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Gpc => "gpc",
            Self::Explicit => "explicit",
            Self::Cmp => "cmp",
            Self::Policy => "policy",
        }
    }
}

/// Decides. GPC denies always; then the explicit call; then the CMP signal; then the policy:
/// `OptOut` allows, `OptIn` waits, `ByRegion` waits when [`requires_opt_in`] holds for the
/// country or the country is unknown (unknown is treated as opt-in, to be safe), else allows.
#[must_use]
pub fn decide(inputs: &Inputs) -> Decision {
    decide_on(inputs).0
}

/// [`decide`], with what the decision rests on. A decision that allows on the explicit call or a
/// CMP's signal means a signal granted consent (which the worker wants to hear under opt-in).
#[must_use]
pub fn decide_on(inputs: &Inputs) -> (Decision, Basis) {
    if inputs.gpc {
        return (Decision::Deny, Basis::Gpc);
    }
    let basis = if inputs.explicit.is_some() {
        Basis::Explicit
    } else {
        Basis::Cmp
    };
    match inputs.explicit.or(inputs.cmp) {
        Some(Signal::Granted) => (Decision::Allow, basis),
        Some(Signal::Denied) => (Decision::Deny, basis),
        None => (
            match inputs.policy {
                Policy::OptOut => Decision::Allow,
                Policy::OptIn => Decision::Pending,
                Policy::ByRegion => match inputs.country.as_deref() {
                    Some(c) if !is_unknown_country(c) && !requires_opt_in(c) => Decision::Allow,
                    _ => Decision::Pending,
                },
            },
            Basis::Policy,
        ),
    }
}

/// Cloudflare's codes for "no country": `XX` (unknown) and `T1` (Tor); also an empty string.
fn is_unknown_country(c: &str) -> bool {
    c.is_empty() || c.eq_ignore_ascii_case("xx") || c.eq_ignore_ascii_case("t1")
}

/// Countries and territories where GDPR-style opt-in applies (ISO 3166-1 alpha-2, any case).
// The 27 EU member states; EU territory with its own code (Åland, French Guiana, Guadeloupe,
// Martinique, Mayotte, Réunion, Saint Martin); the rest of the EEA, the UK, Switzerland.
const OPT_IN: &str = "at be bg cy cz de dk ee es fi fr gr hr hu ie it lt lu lv mt nl pl pt ro se si \
    sk ax gf gp mq yt re mf is li no gb ch";

/// Whether visitors from `country` need opt-in consent under the `by-region` policy: the EU
/// (including its outermost regions that have their own ISO code, and Åland), the rest of the EEA
/// (Iceland, Liechtenstein, Norway), the United Kingdom (`gb`) and Switzerland.
#[must_use]
pub fn requires_opt_in(country: &str) -> bool {
    crate::text::table_words(OPT_IN).any(|c| c.eq_ignore_ascii_case(country))
}

/// The TCF purposes whose consent capiflare requires: 1 store and/or access information on a
/// device, 3 create profiles for personalised advertising, 4 use profiles to select personalised
/// advertising, 7 measure advertising performance (what the Meta Pixel does with the data).
pub const TCF_PURPOSES: [u16; 4] = [1, 3, 4, 7];

/// IAB TCF v2.2 (`__tcfapi('addEventListener', 2, cb)`): the answer in a `tcData`.
///
/// - `event_status` other than `tcloaded` or `useractioncomplete` (e.g. `cmpuishown`): `None`,
///   the visitor has not answered yet.
/// - `gdpr_applies == Some(false)`: `None`. TCF then has nothing to say and the decision falls to
///   the other CMPs and the policy (reference section 8.6: "defer to next adapter"); `None`
///   (undetermined) is treated as applying.
/// - otherwise `Granted` when every purpose in [`TCF_PURPOSES`] is in `purpose_consents` (the ids
///   whose `purpose.consents[id]` is true) and the Meta vendor consent is not `Some(false)`.
///   `vendor_consent_meta` is `None` when Meta's vendor id is not known or Meta is not in the Global
///   Vendor List (its id was not verified: reference section 9), then only the purposes count.
#[must_use]
pub fn tcf_signal(
    gdpr_applies: Option<bool>,
    event_status: &str,
    purpose_consents: &[u16],
    vendor_consent_meta: Option<bool>,
) -> Option<Signal> {
    if !matches!(event_status, "tcloaded" | "useractioncomplete") || gdpr_applies == Some(false) {
        return None;
    }
    let purposes = TCF_PURPOSES.iter().all(|p| purpose_consents.contains(p));
    Some(granted_if(purposes && vendor_consent_meta != Some(false)))
}

/// One Google consent mode command from the `dataLayer`, `['consent', command, {…}]`, in order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GoogleConsentCommand<'a> {
    /// `default` or `update`; anything else is ignored.
    pub command: &'a str,
    /// Whether the command carried a `region` list (a region-specific default).
    pub regional: bool,
    /// The `ad_storage` value, `granted` or `denied`, if present (other values are ignored).
    pub ad_storage: Option<&'a str>,
    /// The `ad_user_data` value (consent mode v2), if present.
    pub ad_user_data: Option<&'a str>,
}

/// Google consent mode (`gtag('consent', 'default'|'update', {…})`), read from the `dataLayer`.
///
/// Per key (`ad_storage`, `ad_user_data`): the last `update` wins over any `default`; without an
/// update, the last global `default`. A region-specific default cannot be matched to the visitor
/// here, so one that denies a key makes a global `granted` default for that key unknown (the
/// decision falls to the policy) instead of letting it grant.
///
/// Result: `Denied` when either key is denied; `Granted` when `ad_storage` is granted and
/// `ad_user_data` is granted or never set (consent mode v1 sites); else `None`.
#[must_use]
pub fn google_consent_signal(commands: &[GoogleConsentCommand<'_>]) -> Option<Signal> {
    let mut state = GoogleConsent::default();
    for c in commands {
        state.apply(c);
    }
    state.signal()
}

/// [`google_consent_signal`] one command at a time, for a shell that reads them one by one.
#[derive(Clone, Copy, Debug, Default)]
pub struct GoogleConsent {
    storage: GoogleKey,
    user_data: GoogleKey,
}

impl GoogleConsent {
    /// Takes the next command.
    pub fn apply(&mut self, c: &GoogleConsentCommand<'_>) {
        let update = match c.command {
            "default" => false,
            "update" => true,
            _ => return,
        };
        self.storage.apply(update, c.regional, c.ad_storage);
        self.user_data.apply(update, c.regional, c.ad_user_data);
    }

    /// The signal of the commands taken so far, as [`google_consent_signal`] gives it.
    #[must_use]
    pub fn signal(&self) -> Option<Signal> {
        match (self.storage.value(), self.user_data.value()) {
            (Some(false), _) | (_, Some(false)) => Some(Signal::Denied),
            (Some(true), _) => Some(Signal::Granted),
            (None, _) => None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct GoogleKey {
    update: Option<bool>,
    default: Option<bool>,
    regional_denied: bool,
}

impl GoogleKey {
    fn apply(&mut self, update: bool, regional: bool, value: Option<&str>) {
        let value = match value {
            Some("granted") => true,
            Some("denied") => false,
            _ => return,
        };
        match (update, regional) {
            (true, _) => self.update = Some(value),
            (false, false) => self.default = Some(value),
            (false, true) => self.regional_denied |= !value,
        }
    }

    fn value(&self) -> Option<bool> {
        self.update.or(match self.default {
            Some(true) if self.regional_denied => None,
            other => other,
        })
    }
}

/// The OneTrust category id for targeting (advertising) cookies in OneTrust's default setup.
pub const ONETRUST_TARGETING: &str = "C0004";

/// OneTrust: `window.OnetrustActiveGroups`, e.g. `",C0001,C0004,"`. `Granted` when the targeting
/// group [`ONETRUST_TARGETING`] (`C0004`) is active, `Denied` otherwise; `None` when the string
/// lists no group at all (OneTrust not loaded yet). Group ids are OneTrust's defaults: C0001
/// strictly necessary, C0002 performance, C0003 functional, C0004 targeting, C0005 social media.
#[must_use]
pub fn onetrust_signal(active_groups: &str) -> Option<Signal> {
    let mut groups = crate::text::split(active_groups, b',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .peekable();
    groups.peek()?;
    Some(granted_if(groups.any(|g| g == ONETRUST_TARGETING)))
}

/// Cookiebot: `Cookiebot.consent.marketing` (`None` when Cookiebot is absent or not loaded).
#[must_use]
pub fn cookiebot_signal(marketing: Option<bool>) -> Option<Signal> {
    marketing.map(granted_if)
}

/// Combines several CMPs' answers: any `Denied` → `Denied`, else any `Granted` → `Granted`, else
/// `None`.
#[must_use]
pub fn combine_cmp(signals: &[Option<Signal>]) -> Option<Signal> {
    let mut out = None;
    for s in signals.iter().flatten() {
        match s {
            Signal::Denied => return Some(Signal::Denied),
            Signal::Granted => out = Some(Signal::Granted),
        }
    }
    out
}

const fn granted_if(yes: bool) -> Signal {
    if yes { Signal::Granted } else { Signal::Denied }
}

/// The `LDU` setting: when to send Meta's Limited Data Use flag. Serialized as its setting value
/// (`"auto"`, `"off"`, `"always"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LduMode {
    /// `auto` (default): for visitors the edge places in a US state with a consumer privacy law,
    /// or whose location it does not know.
    #[default]
    Auto,
    /// `off`: never.
    Off,
    /// `always`: on every event, letting Meta geolocate.
    Always,
}

impl LduMode {
    /// Parses `auto`, `off` or `always` (exact, lowercase).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(Self::Auto),
            "off" => Some(Self::Off),
            "always" => Some(Self::Always),
            _ => None,
        }
    }
}

/// US states with a Meta Data Processing Options state code (Meta's DPO page: 1000 California …
/// 1013 Rhode Island), as (USPS code, Meta code).
const META_STATE_CODES: [(&str, u16); 14] = [
    ("CA", 1000),
    ("CO", 1001),
    ("CT", 1002),
    ("FL", 1003),
    ("OR", 1004),
    ("TX", 1005),
    ("MT", 1006),
    ("DE", 1007),
    ("NE", 1008),
    ("NH", 1009),
    ("NJ", 1010),
    ("MN", 1011),
    ("MD", 1012),
    ("RI", 1013),
];

/// Other US states with a comprehensive consumer privacy law in force by 2026 for which Meta
/// documents no state code: Virginia, Utah, Iowa, Tennessee, Indiana, Kentucky.
const OTHER_PRIVACY_STATES: [&str; 6] = ["VA", "UT", "IA", "TN", "IN", "KY"];

/// Meta's Limited Data Use options for one event: `(data_processing_options,
/// data_processing_options_country, data_processing_options_state)`, or `None` to send none.
///
/// `country` is the edge's ISO 3166-1 alpha-2 code and `region_code` its first-level subdivision
/// (Cloudflare `request.cf.regionCode`, the USPS state code in the US), any case.
///
/// - `Always`: `(["LDU"], 0, 0)`, Meta geolocates the event.
/// - `Off`: `None`.
/// - `Auto`: in the US, `(["LDU"], 1, code)` for a state Meta has a code for (1000 California, 1001
///   Colorado, 1002 Connecticut, 1003 Florida, 1004 Oregon, 1005 Texas, 1006 Montana, 1007
///   Delaware, 1008 Nebraska, 1009 New Hampshire, 1010 New Jersey, 1011 Minnesota, 1012 Maryland,
///   1013 Rhode Island); `(["LDU"], 0, 0)` for the other states with a privacy law (Virginia,
///   Utah, Iowa, Tennessee, Indiana, Kentucky: Meta documents no code, so Meta geolocates) and
///   for a US visitor whose state is unknown; `None` for other US states. An unknown country
///   (`None`, `XX`, `T1`) gets `(["LDU"], 0, 0)`; any other country `None`.
#[must_use]
pub fn data_processing_options(
    mode: LduMode,
    country: Option<&str>,
    region_code: Option<&str>,
) -> Option<(Vec<&'static str>, u8, u16)> {
    let (country_code, state) = match mode {
        LduMode::Off => return None,
        LduMode::Always => (0, 0),
        LduMode::Auto => auto_ldu(country.unwrap_or_default(), region_code.unwrap_or_default())?,
    };
    Some((vec!["LDU"], country_code, state))
}

/// `LduMode::Auto`: `(country, state)` for Meta, or `None` when LDU does not apply.
fn auto_ldu(country: &str, region: &str) -> Option<(u8, u16)> {
    if is_unknown_country(country) {
        return Some((0, 0)); // Meta geolocates
    }
    if !country.eq_ignore_ascii_case("us") {
        return None;
    }
    if let Some(&(_, code)) = META_STATE_CODES
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(region))
    {
        return Some((1, code));
    }
    let law = OTHER_PRIVACY_STATES
        .iter()
        .any(|s| s.eq_ignore_ascii_case(region));
    (region.is_empty() || law).then_some((0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn opt_in_table_single_spaced() {
        assert!(crate::text::single_spaced(OPT_IN));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn what_a_decision_rests_on() {
        let on = |gpc, explicit, cmp, policy| {
            decide_on(&Inputs {
                gpc,
                policy,
                country: None,
                explicit,
                cmp,
            })
        };
        let (g, d) = (Some(Signal::Granted), Some(Signal::Denied));
        assert_eq!(on(true, g, g, Policy::OptOut), (Decision::Deny, Basis::Gpc));
        assert_eq!(
            on(false, d, g, Policy::OptOut),
            (Decision::Deny, Basis::Explicit)
        );
        assert_eq!(
            on(false, None, g, Policy::OptIn),
            (Decision::Allow, Basis::Cmp)
        );
        assert_eq!(
            on(false, None, None, Policy::OptIn),
            (Decision::Pending, Basis::Policy)
        );
        assert_eq!(
            on(false, None, None, Policy::OptOut),
            (Decision::Allow, Basis::Policy)
        );
    }
}
