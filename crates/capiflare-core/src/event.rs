//! The event model: what arrives (from the browser module or the site's backend), how it becomes
//! the server event Meta receives, and the checks every event passes before it is stored.
//!
//! One shape serves both ingest paths: [`IncomingEvent`] is an item of the server-event API's
//! `events` array and also the body the browser module posts (with its customer fields already
//! hashed in the page). [`prepare`] turns it into a [`ServerEvent`]: every personal value
//! normalized and hashed by [`crate::pii`], defaults filled in, and the result validated.

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Error;
use crate::pii::{self, Key};

/// Meta's standard event names: the Pixel sends them with `track`, any other name with
/// `trackCustom` (Meta Pixel reference).
const STANDARD_EVENTS: &str = "AddPaymentInfo AddToCart AddToWishlist CompleteRegistration \
    Contact CustomizeProduct Donate FindLocation InitiateCheckout Lead PageView Purchase Schedule \
    Search StartTrial SubmitApplication Subscribe ViewContent";

/// Whether `name` is one of Meta's standard events (else the Pixel needs `trackCustom`).
#[must_use]
pub fn is_standard(name: &str) -> bool {
    crate::text::in_table(STANDARD_EVENTS, name)
}

/// The PageView of a page that runs Meta's pixel itself (DESIGN.md section 2 item 3): the browser
/// keeps exactly one, and CAPI mirrors it only when both carry the same event_id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SitePageView {
    /// No CAPI copy: the pixel has already sent its PageView, or queued none (an unpaired server
    /// copy would be counted a second time).
    NoCopy,
    /// The queued PageView carries a valid `eventID` of its own: mirrored with it.
    Own,
    /// The queued PageView carries no valid `eventID`: given a new one, then mirrored.
    Tag,
}

/// What becomes of the site's own PageView: `queued` is the `eventID` of the PageView waiting in
/// the `fbq` queue (empty when it has none), `None` when none waits (the pixel has run, or queued
/// no PageView).
#[must_use]
pub fn site_page_view(queued: Option<&str>) -> SitePageView {
    match queued {
        None => SitePageView::NoCopy,
        Some(id) if crate::event_id::is_valid(id) => SitePageView::Own,
        Some(_) => SitePageView::Tag,
    }
}

/// Meta rejects any request with an event older than this (seconds).
pub const MAX_AGE_SECS: u64 = 7 * 24 * 3600;
/// How far in the future an event_time may lie (clock skew between browser, edge and backend).
pub const MAX_FUTURE_SECS: u64 = 60;

/// Where a conversion happened (Meta's `action_source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ActionSource {
    Email,
    Website,
    App,
    PhoneCall,
    Chat,
    PhysicalStore,
    SystemGenerated,
    BusinessMessaging,
    Other,
}

/// One value or a list of values (Meta types every hashed key as "string or `list<string>`").
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single value.
    One(String),
    /// Several values (several emails, say).
    Many(Vec<String>),
}

impl OneOrMany {
    fn values(&self) -> &[String] {
        match self {
            Self::One(v) => core::slice::from_ref(v),
            Self::Many(v) => v,
        }
    }
}

/// Customer information as the API receives it: raw or already hashed, every field optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct IncomingUser {
    pub email: Option<OneOrMany>,
    pub phone: Option<OneOrMany>,
    pub first_name: Option<OneOrMany>,
    pub last_name: Option<OneOrMany>,
    pub city: Option<OneOrMany>,
    pub state: Option<OneOrMany>,
    pub zip: Option<OneOrMany>,
    pub country: Option<OneOrMany>,
    pub date_of_birth: Option<OneOrMany>,
    pub gender: Option<OneOrMany>,
    pub external_id: Option<OneOrMany>,
    pub client_ip_address: Option<String>,
    pub client_user_agent: Option<String>,
    pub fbc: Option<String>,
    pub fbp: Option<String>,
}

impl IncomingUser {
    /// The personal fields, each with the Meta key it becomes.
    fn personal(&self) -> [(Key, Option<&OneOrMany>); 11] {
        [
            (Key::Em, self.email.as_ref()),
            (Key::Ph, self.phone.as_ref()),
            (Key::Fn, self.first_name.as_ref()),
            (Key::Ln, self.last_name.as_ref()),
            (Key::Ct, self.city.as_ref()),
            (Key::St, self.state.as_ref()),
            (Key::Zp, self.zip.as_ref()),
            (Key::Country, self.country.as_ref()),
            (Key::Db, self.date_of_birth.as_ref()),
            (Key::Ge, self.gender.as_ref()),
            (Key::ExternalId, self.external_id.as_ref()),
        ]
    }
}

/// An event as the server-event API and the browser module send it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct IncomingEvent {
    pub event_name: String,
    pub event_id: Option<String>,
    /// Unix seconds; defaults to now.
    pub event_time: Option<u64>,
    pub action_source: Option<ActionSource>,
    pub event_source_url: Option<String>,
    pub referrer_url: Option<String>,
    pub pixel_id: Option<String>,
    #[serde(default)]
    pub user: IncomingUser,
    pub custom_data: Option<Map<String, Value>>,
}

/// Customer information as Meta receives it: hashed keys as lists of SHA-256 hex, and the
/// four keys Meta wants in clear.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserData {
    /// `em`, `ph`, `fn`, … → SHA-256 hex values, keyed by [`Key::as_str`].
    #[serde(flatten)]
    pub hashed: BTreeMap<String, Vec<String>>,
    /// The visitor's IP address, never hashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip_address: Option<String>,
    /// The visitor's browser user agent, never hashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_user_agent: Option<String>,
    /// The `_fbc` click cookie, never hashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fbc: Option<String>,
    /// The `_fbp` browser cookie, never hashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fbp: Option<String>,
}

impl UserData {
    fn has(&self, key: Key) -> bool {
        self.hashed.get(key.as_str()).is_some_and(|v| !v.is_empty())
    }
}

/// One event exactly as it goes into the `data` array of a Conversions API request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct ServerEvent {
    pub event_name: String,
    /// Unix seconds.
    pub event_time: u64,
    pub event_id: String,
    pub action_source: ActionSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer_url: Option<String>,
    pub user_data: UserData,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub custom_data: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_processing_options: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_processing_options_country: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_processing_options_state: Option<u32>,
}

/// What the shell knows about the request an event arrived in.
#[derive(Clone, Copy, Debug)]
pub struct Arrival<'a> {
    /// The edge's clock, Unix seconds.
    pub now_secs: u64,
    /// The year of `now_secs` (dates of birth are checked against it).
    pub current_year: u16,
    /// A fresh UUID v4 text, used when the event brings no event_id.
    pub fresh_event_id: &'a str,
    /// The connecting client's IP (the browser path); when given it wins over the event's own.
    pub client_ip: Option<&'a str>,
    /// The connecting client's User-Agent (the browser path); when given it wins over the event's.
    pub user_agent: Option<&'a str>,
    /// True on the browser path: raw personal data must never have left the page.
    pub require_hashed: bool,
}

/// Normalize, hash, default and validate one incoming event.
///
/// # Errors
/// The first problem found, as a stable [`Error`]; [`Error::is_rejection`] tells an event that
/// is well-formed but unusable (too old, no identifier) from a malformed one.
pub fn prepare(ev: &IncomingEvent, at: &Arrival<'_>) -> Result<ServerEvent, Error> {
    let user = &ev.user;
    let hashed = hash_user(user, at.current_year, at.require_hashed)?;
    let clean = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let user_data = UserData {
        hashed,
        client_ip_address: at
            .client_ip
            .map(str::to_owned)
            .or_else(|| clean(&user.client_ip_address)),
        client_user_agent: at
            .user_agent
            .map(str::to_owned)
            .or_else(|| clean(&user.client_user_agent)),
        fbc: clean(&user.fbc),
        fbp: clean(&user.fbp),
    };
    let event_source_url = clean(&ev.event_source_url);
    let action_source = ev.action_source.unwrap_or_else(|| {
        if event_source_url.is_some() {
            ActionSource::Website
        } else {
            ActionSource::SystemGenerated
        }
    });
    let event = ServerEvent {
        event_name: ev.event_name.trim().to_owned(),
        event_time: ev.event_time.unwrap_or(at.now_secs),
        event_id: clean(&ev.event_id).unwrap_or_else(|| at.fresh_event_id.to_owned()),
        action_source,
        event_source_url,
        referrer_url: clean(&ev.referrer_url),
        user_data,
        custom_data: ev.custom_data.clone().unwrap_or_default(),
        data_processing_options: None,
        data_processing_options_country: None,
        data_processing_options_state: None,
    };
    validate(&event, at.now_secs)?;
    Ok(event)
}

/// The customer fields of `user`, normalized and hashed, keyed by Meta's names (`em`, `ph`, …),
/// each list without repeats. The first country given is the context for phone and zip.
///
/// # Errors
/// [`Error::NotHashed`] when `require_hashed` and a value is not SHA-256 hex.
pub fn hash_user(
    user: &IncomingUser,
    current_year: u16,
    require_hashed: bool,
) -> Result<BTreeMap<String, Vec<String>>, Error> {
    let country = user
        .country
        .as_ref()
        .and_then(|c| c.values().first())
        .filter(|c| !pii::is_sha256_hex(c.trim()))
        .and_then(|c| {
            let ctx = pii::Context {
                country: None,
                current_year,
                lower: str::to_lowercase,
            };
            pii::normalize(Key::Country, c, &ctx)
        });
    let ctx = pii::Context {
        country: country.as_deref(),
        current_year,
        lower: str::to_lowercase,
    };
    let mut hashed = BTreeMap::new();
    for (key, values) in user.personal() {
        let Some(values) = values else { continue };
        let mut out: Vec<String> = Vec::new();
        for raw in values.values() {
            if require_hashed && !pii::is_sha256_hex(raw.trim()) {
                return Err(Error::NotHashed);
            }
            if let Some(h) = pii::hash(key, raw, &ctx)
                && !out.contains(&h)
            {
                out.push(h);
            }
        }
        if !out.is_empty() {
            hashed.insert(key.as_str().to_owned(), out);
        }
    }
    Ok(hashed)
}

/// Whether `name` is a valid event name: 1 to 100 ASCII letters, digits, spaces, `_` or `-`
/// ([`prepare`] trims it first). The browser module checks a site's `track` name with it, so the
/// Pixel never gets an event its CAPI copy would lose.
#[must_use]
pub fn is_valid_name(name: &str) -> bool {
    // A loop: `bytes().all` and `chars().all` cost the page's wasm 40 to 80 bytes more (brotli).
    for c in name.bytes() {
        if !(c.is_ascii_alphanumeric() || matches!(c, b' ' | b'_' | b'-')) {
            return false;
        }
    }
    (1..=100).contains(&name.len())
}

/// The checks every event passes before it is stored and again before it is sent.
///
/// # Errors
/// The first problem found.
pub fn validate(ev: &ServerEvent, now_secs: u64) -> Result<(), Error> {
    if !is_valid_name(&ev.event_name) {
        return Err(Error::EventNameInvalid);
    }
    if !crate::event_id::is_valid(&ev.event_id) {
        return Err(Error::EventIdInvalid);
    }
    let u = &ev.user_data;
    for (key, values) in &u.hashed {
        if Key::from_key(key).is_none() {
            return Err(Error::UnknownUserField);
        }
        if !values
            .iter()
            .all(|v| v.len() == 64 && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        {
            return Err(Error::NotHashed);
        }
    }
    let clear = [&u.fbc, &u.fbp, &u.client_ip_address, &u.client_user_agent];
    if clear
        .iter()
        .any(|v| v.as_deref().is_some_and(pii::is_sha256_hex))
    {
        return Err(Error::MustNotBeHashed);
    }
    if let Some(fbc) = &u.fbc {
        crate::cookies::parse_fbc(fbc)?;
    }
    if let Some(fbp) = &u.fbp {
        crate::cookies::parse_fbp(fbp)?;
    }
    if let Some(ip) = &u.client_ip_address {
        ip.parse::<core::net::IpAddr>()
            .map_err(|_| Error::IpAddressInvalid)?;
    }
    if let Some(url) = &ev.event_source_url
        && !is_http_url(url)
    {
        return Err(Error::EventSourceUrlInvalid);
    }
    if ev.referrer_url.as_deref().is_some_and(|r| !is_http_url(r)) {
        return Err(Error::EventSourceUrlInvalid);
    }
    check_custom_data(&ev.custom_data)?;
    let urls = [&ev.event_source_url, &ev.referrer_url];
    if urls
        .iter()
        .any(|u| u.as_deref().is_some_and(looks_personal))
    {
        return Err(Error::RawPersonalData);
    }
    if ev.action_source == ActionSource::Website {
        if ev.event_source_url.is_none() {
            return Err(Error::EventSourceUrlMissing);
        }
        if u.client_user_agent.is_none() {
            return Err(Error::UserAgentMissing);
        }
    }
    // Timing and identity last: these make a well-formed event unusable, not malformed.
    if ev.event_time >= 100_000_000_000 {
        return Err(Error::EventTimeNotSeconds);
    }
    if ev.event_time > now_secs.saturating_add(MAX_FUTURE_SECS) {
        return Err(Error::EventInFuture);
    }
    if ev.event_time.saturating_add(MAX_AGE_SECS) < now_secs {
        return Err(Error::EventTooOld);
    }
    let identified = u.has(Key::Em)
        || u.has(Key::Ph)
        || u.has(Key::ExternalId)
        || u.fbc.is_some()
        || u.fbp.is_some()
        || (u.client_ip_address.is_some() && u.client_user_agent.is_some());
    if !identified {
        return Err(Error::NoCustomerIdentifier);
    }
    Ok(())
}

/// The proleptic Gregorian year of a Unix time (UTC), for the date-of-birth range check.
#[must_use]
pub fn civil_year(unix_secs: u64) -> u16 {
    // Howard Hinnant's days-to-civil algorithm, years only.
    let z = unix_secs / 86_400 + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let year = yoe + era * 400 + u64::from(mp >= 10);
    u16::try_from(year).unwrap_or(u16::MAX)
}

/// Names of custom_data keys that would carry personal data in clear.
const PERSONAL_KEYS: &[&str] = &[
    "email",
    "e-mail",
    "mail",
    "phone",
    "tel",
    "telephone",
    "mobile",
    "first_name",
    "firstname",
    "last_name",
    "lastname",
    "full_name",
    "fullname",
    "name",
    "address",
    "street",
    "zip",
    "postcode",
    "postal_code",
    "date_of_birth",
    "dob",
    "birthday",
    "password",
];

fn check_custom_data(data: &Map<String, Value>) -> Result<(), Error> {
    if let Some(v) = data.get("value")
        && !v.is_number()
    {
        return Err(Error::CustomDataInvalid);
    }
    if let Some(c) = data.get("currency") {
        let ok = c
            .as_str()
            .is_some_and(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()));
        if !ok {
            return Err(Error::CustomDataInvalid);
        }
    }
    if contains_personal(&Value::Object(data.clone())) {
        return Err(Error::RawPersonalData);
    }
    Ok(())
}

fn contains_personal(v: &Value) -> bool {
    match v {
        Value::String(s) => looks_personal(s),
        Value::Array(a) => a.iter().any(contains_personal),
        Value::Object(o) => o.iter().any(|(k, v)| {
            let k = k.to_ascii_lowercase();
            (PERSONAL_KEYS.contains(&k.as_str()) && !v.is_null()) || contains_personal(v)
        }),
        _ => false,
    }
}

/// Whether a string carries something that reads as an email address (also percent-encoded,
/// as in a URL's query string).
#[must_use]
pub fn looks_personal(s: &str) -> bool {
    // Byte by byte and without lowercasing: every byte the tests accept is ASCII and none of them
    // tells case, so the answers are those of the same tests on the lowercased characters.
    let at = crate::text::find(s, "@").or_else(|| crate::text::find(s, "%40"));
    let Some((local, domain)) = at.and_then(|i| s.split_at_checked(i)) else {
        return false;
    };
    let local_ok = local
        .bytes()
        .next_back()
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'));
    let mut domain = domain.trim_start_matches('@');
    while let Some(rest) = domain.strip_prefix("%40") {
        domain = rest;
    }
    let label = domain
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
    let (mut dot, mut last) = (false, 0);
    for b in label {
        dot |= b == b'.';
        last = b;
    }
    local_ok && dot && last != b'.'
}

/// An absolute `http:` or `https:` URL with a host, at most 2,048 bytes.
fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.contains(char::is_whitespace) && s.len() <= 2048
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn event_names() {
        assert!(is_valid_name("Lead") && is_valid_name("Webinar Sign-up_2"));
        assert!(is_valid_name(&"x".repeat(100)) && !is_valid_name(&"x".repeat(101)));
        for bad in ["", "Lead!", "Webinar <Signup>", "Léad", "a.b", "tab\tname"] {
            assert!(!is_valid_name(bad), "{bad:?}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn standard_event_names() {
        assert!(crate::text::single_spaced(STANDARD_EVENTS));
        assert!(is_standard("Lead") && is_standard("PageView") && is_standard("Schedule"));
        assert!(!is_standard("lead") && !is_standard("Lea") && !is_standard("SignUp"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_site_s_own_page_view() {
        assert_eq!(site_page_view(None), SitePageView::NoCopy);
        assert_eq!(site_page_view(Some("pv-1")), SitePageView::Own);
        assert_eq!(site_page_view(Some("")), SitePageView::Tag, "no eventID");
        assert_eq!(
            site_page_view(Some("pv 1")),
            SitePageView::Tag,
            "an eventID that is not valid"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn civil_year_at_boundaries() {
        assert_eq!(civil_year(0), 1970);
        assert_eq!(civil_year(1_767_225_599), 2025); // 2025-12-31T23:59:59Z
        assert_eq!(civil_year(1_767_225_600), 2026); // 2026-01-01T00:00:00Z
        assert_eq!(civil_year(1_709_164_800), 2024); // 2024-02-29
        assert_eq!(civil_year(951_868_800), 2000); // 2000-03-01
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn looks_personal_finds_emails_but_not_handles() {
        assert!(looks_personal("https://x.test/?e=a.b%40example.com"));
        assert!(looks_personal("mail me: jo@example.org"));
        assert!(!looks_personal("@handle on x"));
        assert!(!looks_personal("https://x.test/@user/post"));
    }
}
