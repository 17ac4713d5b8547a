//! The site's configuration: parsed from plain `NAME → string` settings (wrangler `[vars]`,
//! `.dev.vars`, `--var`), validated with errors that name the bad setting, and split into the
//! public part the browser module receives and the rest, which stays on the edge.

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use serde::{Deserialize, Serialize};

use crate::capi::GRAPH_API_VERSION;
use crate::consent::{LduMode, Policy};

/// One configured pixel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pixel {
    /// Meta's pixel (dataset) id: digits.
    pub id: String,
    /// A name for the site owner's logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The event names this pixel receives; absent means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
}

impl Pixel {
    /// Whether this pixel receives events called `event_name`.
    #[must_use]
    pub fn wants(&self, event_name: &str) -> bool {
        self.events
            .as_ref()
            .is_none_or(|e| e.iter().any(|n| n == event_name))
    }
}

/// The validated configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Config {
    pub pixels: Vec<Pixel>,
    pub graph_url: String,
    pub api_version: String,
    pub allowed_origins: Vec<String>,
    pub form_origins: Vec<String>,
    pub cookie_domain: Option<String>,
    pub route_prefix: String,
    /// Trigger (`page_view`, `form`, `booking`, …) → event name.
    pub events: BTreeMap<String, String>,
    pub excluded_forms: Vec<String>,
    pub consent_policy: Policy,
    pub ldu: LduMode,
    pub retention_days: u32,
    pub test_event_code: Option<String>,
}

/// The part of the configuration the browser module needs; inlined into `t.js`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct PublicConfig {
    pub pixels: Vec<String>,
    /// Pixel id → the event names it receives, for each pixel that does not receive them all.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pixel_events: BTreeMap<String, Vec<String>>,
    pub events: BTreeMap<String, String>,
    pub excluded_forms: Vec<String>,
    pub form_origins: Vec<String>,
    pub consent_policy: Policy,
    pub prefix: String,
    /// `COOKIE_DOMAIN`, for the cookies the module writes itself when the worker cannot be reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie_domain: Option<String>,
}

/// A setting that is missing or wrong. Names the setting, never repeats its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The name of the setting, as in wrangler.toml.
    pub setting: &'static str,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl ConfigError {
    /// The stable code of every configuration error.
    pub const CODE: &'static str = "config_invalid";
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "setting {}: {}", self.setting, self.problem)
    }
}

impl core::error::Error for ConfigError {}

const fn bad(setting: &'static str, problem: &'static str) -> ConfigError {
    ConfigError { setting, problem }
}

/// The `EVENTS` defaults: trigger → Meta event name.
pub const DEFAULT_EVENTS: [(&str, &str); 3] = [
    ("page_view", "PageView"),
    ("form", "Lead"),
    ("booking", "Schedule"),
];

/// The default event name of a trigger, when `EVENTS` does not name one.
#[must_use]
pub fn default_event(trigger: &str) -> Option<&'static str> {
    DEFAULT_EVENTS
        .iter()
        .find(|(t, _)| *t == trigger)
        .map(|(_, name)| *name)
}

/// Whether `id` looks like a Meta pixel id.
#[must_use]
pub fn is_pixel_id(id: &str) -> bool {
    (5..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

fn list(v: Option<&str>) -> Vec<String> {
    v.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `scheme://host[:port]` with nothing after it: what `Origin` headers and `event.origin` carry.
fn is_origin(o: &str) -> bool {
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"));
    rest.is_some_and(|h| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    })
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    setting: &'static str,
    default: u32,
    range: core::ops::RangeInclusive<u32>,
) -> Result<u32, ConfigError> {
    match get(setting) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| bad(setting, "must be a whole number in the allowed range")),
    }
}

impl Config {
    /// Read and validate every setting. `get` returns a setting's text, or `None` when unset
    /// (an empty string counts as unset).
    ///
    /// # Errors
    /// The first bad setting, by name.
    pub fn from_settings(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let pixels = match (get("PIXELS"), get("META_PIXEL_ID")) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "PIXELS",
                    "set either PIXELS or META_PIXEL_ID, not both",
                ));
            }
            (Some(json), None) => serde_json::from_str::<Vec<Pixel>>(&json).map_err(|_| {
                bad(
                    "PIXELS",
                    "must be a JSON list of {\"id\", \"name\"?, \"events\"?}",
                )
            })?,
            (None, Some(id)) => vec![Pixel {
                id: id.trim().to_owned(),
                name: None,
                events: None,
            }],
            (None, None) => return Err(bad("META_PIXEL_ID", "is required (or PIXELS)")),
        };
        if pixels.is_empty() {
            return Err(bad("PIXELS", "must list at least one pixel"));
        }
        if !pixels.iter().all(|p| is_pixel_id(&p.id)) {
            let setting = if get("PIXELS").is_some() {
                "PIXELS"
            } else {
                "META_PIXEL_ID"
            };
            return Err(bad(setting, "a pixel id must be 5 to 20 digits"));
        }
        let graph_url = get("META_GRAPH_URL")
            .unwrap_or_else(|| "https://graph.facebook.com".to_owned())
            .trim_end_matches('/')
            .to_owned();
        if !is_origin(&graph_url) {
            return Err(bad(
                "META_GRAPH_URL",
                "must be an http(s) origin without a path",
            ));
        }
        let api_version = get("META_API_VERSION").unwrap_or_else(|| GRAPH_API_VERSION.to_owned());
        let version_ok = api_version
            .strip_prefix('v')
            .and_then(|v| v.split_once('.'))
            .is_some_and(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
            });
        if !version_ok {
            return Err(bad("META_API_VERSION", "must look like v26.0"));
        }
        let allowed_origins = match get("ALLOWED_ORIGINS") {
            Some(v) => list(Some(&v)),
            None => list(Some("http://localhost:8787,http://127.0.0.1:8787")),
        };
        if !allowed_origins.iter().all(|o| is_origin(o)) {
            return Err(bad(
                "ALLOWED_ORIGINS",
                "each entry must be an origin like https://www.example.com",
            ));
        }
        let form_origins = list(get("FORM_ORIGINS").as_deref());
        if !form_origins.iter().all(|o| is_origin(o)) {
            return Err(bad(
                "FORM_ORIGINS",
                "each entry must be an origin like https://forms.example.com",
            ));
        }
        let cookie_domain =
            get("COOKIE_DOMAIN").map(|d| d.trim().trim_start_matches('.').to_ascii_lowercase());
        if cookie_domain.as_deref().is_some_and(|d| {
            !d.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
        }) {
            return Err(bad(
                "COOKIE_DOMAIN",
                "must be a domain name like example.com",
            ));
        }
        let route_prefix = get("ROUTE_PREFIX").unwrap_or_else(|| "/capi".to_owned());
        let prefix_ok = route_prefix.starts_with('/')
            && !route_prefix.ends_with('/')
            && route_prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_'));
        if !prefix_ok {
            return Err(bad(
                "ROUTE_PREFIX",
                "must start with / and not end with /, like /capi",
            ));
        }
        let mut events: BTreeMap<String, String> = DEFAULT_EVENTS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(json) = get("EVENTS") {
            let custom: BTreeMap<String, String> = serde_json::from_str(&json)
                .map_err(|_| bad("EVENTS", "must be a JSON object of trigger → event name"))?;
            events.extend(custom);
        }
        if !events.values().all(|n| {
            !n.is_empty()
                && n.len() <= 100
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }) {
            return Err(bad(
                "EVENTS",
                "event names must be 1 to 100 letters, digits or _",
            ));
        }
        let consent_policy = match get("CONSENT_POLICY") {
            None => Policy::ByRegion,
            Some(p) => Policy::parse(p.trim()).ok_or(bad(
                "CONSENT_POLICY",
                "must be by-region, opt-in or opt-out",
            ))?,
        };
        let ldu = match get("LDU") {
            None => LduMode::Auto,
            Some(v) => LduMode::parse(v.trim()).ok_or(bad("LDU", "must be auto, off or always"))?,
        };
        let test_event_code = get("TEST_EVENT_CODE").map(|c| c.trim().to_owned());
        if test_event_code
            .as_deref()
            .is_some_and(|c| !is_test_event_code(c))
        {
            return Err(bad("TEST_EVENT_CODE", "must be 1 to 64 letters or digits"));
        }
        Ok(Self {
            pixels,
            graph_url,
            api_version,
            allowed_origins,
            form_origins,
            cookie_domain,
            route_prefix,
            events,
            excluded_forms: list(get("EXCLUDED_FORMS").as_deref()),
            consent_policy,
            ldu,
            retention_days: number(&get, "RETENTION_DAYS", 7, 1..=3650)?,
            test_event_code,
        })
    }

    /// The pixel with this id, or the first one when `id` is `None`.
    #[must_use]
    pub fn pixel(&self, id: Option<&str>) -> Option<&Pixel> {
        match id {
            None => self.pixels.first(),
            Some(id) => self.pixels.iter().find(|p| p.id == id),
        }
    }

    /// What the browser module receives.
    #[must_use]
    pub fn public(&self) -> PublicConfig {
        PublicConfig {
            pixels: self.pixels.iter().map(|p| p.id.clone()).collect(),
            pixel_events: self
                .pixels
                .iter()
                .filter_map(|p| Some((p.id.clone(), p.events.clone()?)))
                .collect(),
            events: self.events.clone(),
            excluded_forms: self.excluded_forms.clone(),
            form_origins: self.form_origins.clone(),
            consent_policy: self.consent_policy,
            prefix: self.route_prefix.clone(),
            cookie_domain: self.cookie_domain.clone(),
        }
    }
}

/// Meta's test event codes are short alphanumeric strings like `TEST12345`.
#[must_use]
pub fn is_test_event_code(c: &str) -> bool {
    (1..=64).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric())
}
