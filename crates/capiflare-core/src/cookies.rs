//! The `_fbc` (click id) and `_fbp` (browser id) cookies: parsing, validation, building, and the
//! decision of what to write on a page view.
//!
//! Format (Meta, "ClickID and the fbp and fbc Parameters"): `fb.{subdomainIndex}.{creationTime}.{payload}`,
//! optionally followed by `.{appendix}`, the fifth part Meta's parameter builder adds (8 base64url
//! chars, or one of the legacy 2-char language tokens). The appendix is kept and written back
//! verbatim, never stripped; the payload is the fourth part (not "after the last dot").
//!
//! - `_fbc`: payload = the `fbclid` of the ad click, case preserved exactly.
//! - `_fbp`: payload = a random decimal number.
//! - `creationTime` is Unix time in milliseconds: a 13-digit number.
//!
//! Validation checks, in this order, and reports the first failure: 4 or 5 parts
//! ([`Error::CookieMissingParts`]), prefix `fb` ([`Error::CookieBadPrefix`]), subdomain index
//! `0`, `1` or `2` ([`Error::CookieBadSubdomainIndex`]), time ([`Error::CookieTimeNotMillis`] for a
//! 10-digit time, i.e. seconds; [`Error::CookieBadTime`] for anything else that is not a 13-digit
//! number without a leading zero), payload ([`Error::CookieClickIdTooLong`] above
//! [`MAX_CLICK_ID_LEN`]; [`Error::CookieBadPayload`] when empty or with characters outside
//! `[A-Za-z0-9_-]` for `_fbc`, or not 1 to [`MAX_BROWSER_ID_LEN`] digits for `_fbp`), appendix
//! ([`Error::CookieBadAppendix`]).

use crate::Error;
use crate::text::{self, push_decimal};
use alloc::borrow::ToOwned;
use alloc::string::String;

/// The longest click id accepted, in characters. Meta's fbclids are about 60 to 200 characters;
/// Meta's own parameter builder ignores fbclids longer than 500, and so does capiflare.
pub const MAX_CLICK_ID_LEN: usize = 500;

/// The longest `_fbp` random number accepted, in digits. The Pixel writes about 10 digits, Meta's
/// client parameter builder up to 18 (two 9-digit numbers concatenated).
pub const MAX_BROWSER_ID_LEN: usize = 32;

/// Legacy 2-char appendixes: the SDK language alone (PHP, Python, Java, Node.js, Ruby, client JS).
const LEGACY_APPENDIXES: &str = "AQ Ag Aw BA BQ Bg";

/// A parsed `_fbc` or `_fbp` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FbCookie {
    /// Which domain the cookie was set on: `com` = 0, `example.com` = 1, `www.example.com` = 2.
    pub subdomain_index: u8,
    /// When the cookie was created (or the click id first seen), Unix milliseconds.
    pub creation_time_ms: u64,
    /// The click id (`_fbc`, case preserved) or the random number (`_fbp`), as written.
    pub payload: String,
    /// The optional fifth part, kept verbatim.
    pub appendix: Option<String>,
}

impl FbCookie {
    /// The cookie value: `fb.{index}.{time}.{payload}` plus `.{appendix}` when there is one.
    #[must_use]
    pub fn to_cookie_value(&self) -> String {
        let mut out = String::with_capacity(24 + self.payload.len());
        out.push_str("fb.");
        push_decimal(&mut out, u64::from(self.subdomain_index));
        out.push('.');
        push_decimal(&mut out, self.creation_time_ms);
        out.push('.');
        out.push_str(&self.payload);
        if let Some(appendix) = &self.appendix {
            out.push('.');
            out.push_str(appendix);
        }
        out
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Click,
    Browser,
}

/// Parses and validates an `_fbc` value; the payload is the click id (`fbclid`).
///
/// # Errors
/// The first rule the value breaks (see the module documentation).
pub fn parse_fbc(value: &str) -> Result<FbCookie, Error> {
    parse(value, Kind::Click)
}

/// Parses and validates an `_fbp` value; the payload is the decimal random number.
///
/// # Errors
/// The first rule the value breaks (see the module documentation).
pub fn parse_fbp(value: &str) -> Result<FbCookie, Error> {
    parse(value, Kind::Browser)
}

fn parse(value: &str, kind: Kind) -> Result<FbCookie, Error> {
    let mut parts = text::split(value, b'.');
    let (Some(prefix), Some(index), Some(time), Some(payload)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::CookieMissingParts);
    };
    let appendix = parts.next();
    if parts.next().is_some() {
        return Err(Error::CookieMissingParts);
    }
    if prefix != "fb" {
        return Err(Error::CookieBadPrefix);
    }
    let subdomain_index = match index {
        "0" => 0,
        "1" => 1,
        "2" => 2,
        _ => return Err(Error::CookieBadSubdomainIndex),
    };
    let creation_time_ms = parse_time(time)?;
    check_payload(payload, kind)?;
    if appendix.is_some_and(|a| !is_appendix(a)) {
        return Err(Error::CookieBadAppendix);
    }
    Ok(FbCookie {
        subdomain_index,
        creation_time_ms,
        payload: payload.to_owned(),
        appendix: appendix.map(str::to_owned),
    })
}

fn parse_time(s: &str) -> Result<u64, Error> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::CookieBadTime);
    }
    match s.len() {
        13 if !s.starts_with('0') => Ok(s.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0'))),
        10 => Err(Error::CookieTimeNotMillis),
        _ => Err(Error::CookieBadTime),
    }
}

fn is_click_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn check_payload(payload: &str, kind: Kind) -> Result<(), Error> {
    let ok = match kind {
        Kind::Click if payload.len() > MAX_CLICK_ID_LEN => return Err(Error::CookieClickIdTooLong),
        Kind::Click => payload.bytes().all(is_click_id_byte),
        Kind::Browser => {
            payload.len() <= MAX_BROWSER_ID_LEN && payload.bytes().all(|b| b.is_ascii_digit())
        }
    };
    if ok && !payload.is_empty() {
        Ok(())
    } else {
        Err(Error::CookieBadPayload)
    }
}

fn is_appendix(a: &str) -> bool {
    (a.len() == 8 && a.bytes().all(is_click_id_byte)) || text::in_table(LEGACY_APPENDIXES, a)
}

/// Builds a new `_fbc` value `fb.{index}.{now_ms}.{fbclid}` (no appendix: that belongs to Meta's
/// parameter builder). `fbclid` is used exactly as given, never case-changed. An index above 2 is
/// written as 2 ([`subdomain_index`] never returns more).
///
/// # Errors
/// [`Error::CookieClickIdTooLong`] or [`Error::CookieBadPayload`] when `fbclid` is not a click id.
pub fn build_fbc(subdomain_index: u8, now_ms: u64, fbclid: &str) -> Result<String, Error> {
    check_payload(fbclid, Kind::Click)?;
    Ok(build(subdomain_index, now_ms, fbclid))
}

/// Builds a new `_fbp` value `fb.{index}.{now_ms}.{random}`, `random` written in decimal. An index
/// above 2 is written as 2.
#[must_use]
pub fn build_fbp(subdomain_index: u8, now_ms: u64, random: u32) -> String {
    let mut digits = String::with_capacity(10);
    push_decimal(&mut digits, u64::from(random));
    build(subdomain_index, now_ms, &digits)
}

fn build(subdomain_index: u8, now_ms: u64, payload: &str) -> String {
    FbCookie {
        subdomain_index: subdomain_index.min(2),
        creation_time_ms: now_ms,
        payload: payload.to_owned(),
        appendix: None,
    }
    .to_cookie_value()
}

/// The subdomain index Meta expects for a cookie set on `cookie_domain`: the number of its labels
/// minus one (`com` → 0, `example.com` → 1, `www.example.com` → 2), capped at 2. A leading or
/// trailing dot is ignored. Host-only cookies on `localhost`, an IPv4 or an IPv6 host get 0, as does
/// an empty domain.
#[must_use]
pub fn subdomain_index(cookie_domain: &str) -> u8 {
    let Some(name) = host_name(cookie_domain) else {
        return 0;
    };
    match name.bytes().filter(|&b| b == b'.').count() {
        0 => 0,
        1 => 1,
        _ => 2,
    }
}

/// The domain `_fbc`/`_fbp` are set on for a page or request on `host` (DESIGN.md section 5): the
/// site's `COOKIE_DOMAIN` when it sets one, else `host`'s [`registrable_domain`]; `None` for a
/// host-only cookie.
#[must_use]
pub fn domain(configured: Option<&str>, host: &str) -> Option<String> {
    match configured {
        Some(d) if !d.is_empty() => Some(d.to_owned()),
        _ => registrable_domain(host),
    }
}

/// The domain to set `_fbc`/`_fbp` on for a request to `host` (eTLD+1), lowercased, or `None` when
/// the cookie must be host-only: `localhost` and `*.localhost`, IPv4 and IPv6 hosts, single-label
/// hosts, and a host that is itself a public suffix. A `:port` is ignored.
///
/// Public suffixes come from a compact embedded rule, not the full Public Suffix List: a
/// two-letter country TLD under a generic second level (`ac`, `co`, `com`, `edu`, `go`, `gob`,
/// `gov`, `mil`, `ne`, `net`, `or`, `org`: `co.uk`, `com.au`, `co.jp`, `com.br`, ...), plus a short list of
/// others (`me.uk`, `id.au`, `govt.nz`, and shared hosting such as `workers.dev`, `pages.dev`,
/// `github.io`). A site whose domain this gets wrong sets `COOKIE_DOMAIN`, which overrides it.
#[must_use]
pub fn registrable_domain(host: &str) -> Option<String> {
    let host = host_name(host)?.to_ascii_lowercase();
    if text::split(&host, b'.').any(str::is_empty) {
        return None;
    }
    let mut labels = text::split(&host, b'.');
    let tld = labels.next_back()?;
    let sld = labels.next_back()?;
    if tld == "localhost" {
        return None;
    }
    let keep = if is_public_suffix(sld, tld) { 3 } else { 2 };
    if labels.count() + 2 < keep {
        return None;
    }
    // After the `keep`-th dot from the end.
    let (mut start, mut dots) = (0, 0);
    for (i, b) in host.bytes().enumerate().rev() {
        if b == b'.' {
            dots += 1;
            if dots == keep {
                start = i + 1;
                break;
            }
        }
    }
    host.get(start..).map(str::to_owned)
}

const GENERIC_SECOND_LEVELS: &str = "ac co com edu go gob gov mil ne net or org";

const OTHER_SUFFIXES: &str = "me.uk ltd.uk plc.uk id.au asn.au govt.nz gen.in firm.in ind.in gen.tr \
    workers.dev pages.dev github.io gitlab.io netlify.app vercel.app web.app firebaseapp.com \
    herokuapp.com appspot.com blogspot.com azurewebsites.net";

fn is_public_suffix(sld: &str, tld: &str) -> bool {
    (tld.len() == 2 && text::in_table(GENERIC_SECOND_LEVELS, sld))
        || text::table_words(OTHER_SUFFIXES).any(|s| {
            s.strip_suffix(tld)
                .and_then(|rest| rest.strip_suffix('.'))
                .is_some_and(|rest| rest == sld)
        })
}

/// The host name without port and outer dots, or `None` for an IP address or an empty name.
fn host_name(host: &str) -> Option<&str> {
    if host.starts_with('[') || host.bytes().filter(|&b| b == b':').count() > 1 {
        return None; // IPv6, bracketed or bare
    }
    let host = text::split(host, b':').next().unwrap_or_default();
    let host = host.trim_start_matches('.').trim_end_matches('.');
    // No top-level domain is numeric, so a numeric last label means an IPv4 address.
    let last = text::split(host, b'.').next_back().unwrap_or_default();
    if last.is_empty() || last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(host)
}

/// The `fbclid` parameter of a URL query string (with or without the leading `?`; a `#fragment`
/// is ignored): the first `fbclid` parameter, percent-decoded (`+` as a space, as
/// `URLSearchParams` does), case kept exactly. `None` when absent, empty, or not UTF-8 once decoded.
/// The value is not validated here: [`build_fbc`] and [`plan`] do that.
#[must_use]
pub fn fbclid_from_query(query: &str) -> Option<String> {
    text::query_param(query, "fbclid")
}

/// What the page or the worker must write, given the current cookies and the landing URL's fbclid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CookiePlan {
    /// `Some(value)`: write `_fbc` with this value. `None`: leave `_fbc` as it is.
    pub fbc: Option<String>,
    /// `Some(value)`: write `_fbp` with this value. `None`: leave `_fbp` as it is.
    pub fbp: Option<String>,
}

/// Decides which cookies to write (DESIGN.md section 5; Meta: "do not override or adjust the
/// `_fbc` or `_fbp` cookie").
///
/// `_fbc`:
/// - the URL carries a valid fbclid and there is no valid `_fbc`, or its click id differs (compared
///   exactly, case-sensitive): a new value with `now_ms` and `subdomain_index` (last click wins);
/// - the URL's fbclid equals the cookie's click id: the existing value, byte for byte, so the
///   writer refreshes its 90-day expiry without altering it;
/// - otherwise (no fbclid, or one that is not a valid click id): nothing. An invalid existing
///   cookie is never deleted, only replaced when a new click arrives.
///
/// `_fbp`: a new value from `random` when there is no valid `_fbp`; an existing valid value is
/// never rewritten.
#[must_use]
pub fn plan(
    existing_fbc: Option<&str>,
    existing_fbp: Option<&str>,
    fbclid: Option<&str>,
    subdomain_index: u8,
    now_ms: u64,
    random: u32,
) -> CookiePlan {
    let current = existing_fbc.and_then(|v| parse_fbc(v).ok().map(|c| (v, c.payload)));
    let fbc = match (current, fbclid) {
        (Some((value, payload)), Some(click)) if payload == click => Some(value.to_owned()),
        (_, Some(click)) => build_fbc(subdomain_index, now_ms, click).ok(),
        (_, None) => None,
    };
    let fbp = match existing_fbp.map(parse_fbp) {
        Some(Ok(_)) => None,
        _ => Some(build_fbp(subdomain_index, now_ms, random)),
    };
    CookiePlan { fbc, fbp }
}

/// How long `_fbc` and `_fbp` live: 90 days, in seconds (Meta's own cookie lifetime).
pub const MAX_AGE_SECS: u32 = 7_776_000;

/// The value of cookie `name` in a `Cookie` header or `document.cookie` string (`a=1; b=2`).
#[must_use]
pub fn read(cookies: &str, name: &str) -> Option<String> {
    text::split(cookies, b';').find_map(|pair| {
        let (k, v) = text::split_once_at(pair, b'=')?;
        (k.trim() == name).then(|| v.trim().to_owned())
    })
}

/// What the worker writes again when it stores a browser's event, from the request's `Cookie`
/// header: each of `_fbc` and `_fbp` that is valid and was written for the worker's cookie domain
/// (its subdomain index is that domain's, `subdomain_index`), byte for byte. That refreshes its
/// 90-day expiry without altering it (DESIGN.md section 5), as Meta's server parameter builder
/// does on every request, and makes a cookie a script wrote (the Pixel's own `_fbp`, or the
/// page's fallback), which Safari keeps 7 days at most, a first-party HTTP cookie. A name the
/// header holds twice (cookies set for different domains) is left alone: which of the two the page
/// reads is the browser's order, and writing one could leave the other in front.
// Only the worker calls it. `#[inline]` has it compiled where it is called, so the page's wasm,
// built from this crate too, stays byte for byte as it was: compiled here, it made that wasm,
// which never calls it, 109 bytes larger (one function more).
#[must_use]
#[inline]
pub fn refresh(cookies: &str, subdomain_index: u8) -> CookiePlan {
    let again = |name, parse: fn(&str) -> Result<FbCookie, Error>| {
        let value = read(cookies, name)?;
        let written_here = parse(&value).ok()?.subdomain_index == subdomain_index.min(2);
        let named = text::split(cookies, b';')
            .filter(|pair| text::split_once_at(pair, b'=').is_some_and(|(k, _)| k.trim() == name))
            .count();
        (written_here && named == 1).then_some(value)
    };
    CookiePlan {
        fbc: again("_fbc", parse_fbc),
        fbp: again("_fbp", parse_fbp),
    }
}

/// The text that writes a first-party `_fbc`/`_fbp` cookie: the same string serves a
/// `Set-Cookie` header and `document.cookie`. Not HttpOnly: the Pixel and the module read them.
/// `domain` `None` makes a host-only cookie (localhost, IP hosts).
#[must_use]
pub fn set_cookie(name: &str, value: &str, domain: Option<&str>, secure: bool) -> String {
    let mut out = text::cat(&[name, "=", value, "; Max-Age="]);
    push_decimal(&mut out, u64::from(MAX_AGE_SECS));
    out.push_str("; Path=/; SameSite=Lax");
    if let Some(d) = domain {
        out.push_str("; Domain=");
        out.push_str(d);
    }
    if secure {
        out.push_str("; Secure");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn suffix_tables_single_spaced() {
        for table in [GENERIC_SECOND_LEVELS, OTHER_SUFFIXES, LEGACY_APPENDIXES] {
            assert!(text::single_spaced(table), "{table}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn round_trip() {
        let v = "fb.1.1554763741205.IwAR2F4-dbP0l7Mn1Iaw.AQYCAQAA";
        assert_eq!(parse_fbc(v).map(|c| c.to_cookie_value()).as_deref(), Ok(v));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn cookie_header_round_trip() {
        let header = "a=1; _fbp=fb.1.1700000000000.42;_fbc= fb.1.1700000000000.AbC ";
        assert_eq!(
            read(header, "_fbp").as_deref(),
            Some("fb.1.1700000000000.42")
        );
        assert_eq!(
            read(header, "_fbc").as_deref(),
            Some("fb.1.1700000000000.AbC")
        );
        assert_eq!(read(header, "_fb"), None);
        assert_eq!(
            set_cookie("_fbc", "fb.1.1.x", Some("example.com"), true),
            "_fbc=fb.1.1.x; Max-Age=7776000; Path=/; SameSite=Lax; Domain=example.com; Secure"
        );
        assert_eq!(
            set_cookie("_fbp", "v", None, false),
            "_fbp=v; Max-Age=7776000; Path=/; SameSite=Lax"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn refresh_writes_valid_cookies_of_this_domain_again() {
        let fbc = "fb.1.1700000000000.AbC-x_1.AQYCAQAA";
        let fbp = "fb.1.1700000000000.1234567890";
        let plan = |header: &str, index| {
            let p = refresh(header, index);
            (p.fbc, p.fbp)
        };
        let both = (Some(fbc.to_owned()), Some(fbp.to_owned()));
        assert_eq!(plan(&format!("a=1; _fbc={fbc}; _fbp={fbp}"), 1), both);
        // Another domain's (index), an invalid one, an absent one: nothing.
        assert_eq!(plan(&format!("_fbc={fbc}; _fbp={fbp}"), 2), (None, None));
        assert_eq!(plan(&format!("_fbc={fbc}; _fbp={fbp}"), 0), (None, None));
        assert_eq!(
            plan(&format!("_fbc=fb.1.17.AbC; _fbp={fbp}"), 1),
            (None, both.1.clone())
        );
        assert_eq!(
            plan("_fbp=fb.1.1700000000000.12a; x=fb.1.1700000000000.1", 1),
            (None, None)
        );
        // An index above 2 is written as 2, as the cookies are built.
        let deep = "fb.2.1700000000000.42";
        assert_eq!(plan(&format!("_fbp={deep}"), 3).1.as_deref(), Some(deep));
        // Twice in the header: neither is written.
        let twice = format!("_fbc={fbc}; _fbp={fbp}; _fbp=fb.1.1700000000001.7");
        assert_eq!(plan(&twice, 1), (both.0, None));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn decimal() {
        let mut s = String::new();
        push_decimal(&mut s, u64::MAX);
        assert_eq!(s, u64::MAX.to_string());
        s.clear();
        push_decimal(&mut s, 0);
        assert_eq!(s, "0");
    }
}
