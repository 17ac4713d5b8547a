//! Embedded form builders: which messages count as a confirmed submission, and what they carry.
//!
//! The origin rule (DESIGN.md section 2): a `message` from a frame counts only when its
//! `event.source` is that builder's iframe on the page ([`Sender::Frame`], found by the browser
//! module), `event.origin` equals that iframe's origin exactly, and that origin is the builder's
//! own (`https`, on one of [`Builder::domains`] or a subdomain of one on a label boundary:
//! `x.paperform.co` yes, `paperform.co.evil.test` and `evilpaperform.co` no) or one the site
//! listed in `FORM_ORIGINS` (exact). A message the page posts to itself ([`Sender::Page`], as
//! HubSpot's legacy embed script does) is trusted like the page's own scripts. No substring tests
//! anywhere; data that is not the expected shape is nothing.
//!
//! Decoders:
//! - HubSpot legacy: `{type: "hsFormCallback", eventName: "onFormSubmitted", id, data}` with
//!   `data.submissionValues` (`{name: value}`) or `data` as `[{name, value}]`; every other event
//!   name (`onFormSubmit`, `onBeforeFormSubmit`, …) is not a confirmed success.
//! - HubSpot new editor: the values of `HubSpotFormsV4.getFormFromEvent(e).getFormFieldValues()`,
//!   `[{name, value}]` ([`decode_hubspot_v4`]), after an `hs-form-event:on-submission:success`
//!   whose form is on the page ([`hubspot_v4_form_known`]).
//! - Paperform: the raw string `"paperform:" + JSON` its iframe posts, with `action:
//!   "submission"`, an `embed_id` matching the iframe's `_embed_id` when both are known, and
//!   the answers in `details.data` (`[{type, key, label, value}]`). Paperform's own
//!   `PaperformSubmission` DOM event is not used: its embed script dispatches it for any frame.

use serde_json::Value;

/// A form builder whose submissions capiflare recognizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builder {
    /// HubSpot forms, legacy (`hbspt.forms.create`) and the new editor (`hs-form-frame`).
    HubSpot,
    /// Paperform embeds (`data-paperform-id`).
    Paperform,
}

impl Builder {
    /// The builder's name for logs: `hubspot`, `paperform`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HubSpot => "hubspot",
            Self::Paperform => "paperform",
        }
    }

    /// The builder's own domains; its frames are served from these hosts or their subdomains.
    #[must_use]
    pub const fn domains(self) -> &'static [&'static str] {
        match self {
            Self::HubSpot => &["hsforms.com", "hsforms.net", "hubspot.com", "hubspot.net"],
            Self::Paperform => &["paperform.co"],
        }
    }
}

/// Whether `host` is `domain` or a subdomain of it on a label boundary (ASCII case ignored).
/// `x.paperform.co` and `paperform.co` are in `paperform.co`; `paperform.co.evil.test` and
/// `evilpaperform.co` are not.
#[must_use]
pub fn host_in(host: &str, domain: &str) -> bool {
    let (host, domain) = (host.to_ascii_lowercase(), domain.to_ascii_lowercase());
    !domain.is_empty()
        && (host == domain
            || host
                .strip_suffix(&domain)
                .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.')))
}

/// Splits a serialized origin `scheme://host[:port]` into scheme, host and port (`None` when
/// absent). Anything with a path, user info, query or fragment is not an origin.
fn parse_origin(origin: &str) -> Option<(&str, &str, Option<&str>)> {
    let (scheme, rest) = origin.split_once("://")?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, _)) if !h.ends_with(']') && h.contains(':') => (rest, None), // bare IPv6: no port
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        Some(_) => return None,
        None => (rest, None),
    };
    (!host.is_empty()).then_some((scheme, host, port))
}

/// Whether two serialized origins are the same (scheme and host compared without ASCII case,
/// a trailing `/` of a configured origin ignored).
#[must_use]
pub fn same_origin(a: &str, b: &str) -> bool {
    let a = a.strip_suffix('/').unwrap_or(a);
    let b = b.strip_suffix('/').unwrap_or(b);
    parse_origin(a).is_some() && a.eq_ignore_ascii_case(b)
}

/// Whether a frame's `origin` may speak for `builder`: the site listed it in `FORM_ORIGINS`
/// (exactly), or it is `https://` on one of the builder's [`Builder::domains`] (exact host or
/// a subdomain on a label boundary) with no port other than 443.
#[must_use]
pub fn origin_allowed(builder: Builder, origin: &str, form_origins: &[String]) -> bool {
    if form_origins.iter().any(|o| same_origin(o, origin)) {
        return true;
    }
    let Some((scheme, host, port)) = parse_origin(origin) else {
        return false;
    };
    scheme.eq_ignore_ascii_case("https")
        && port.is_none_or(|p| p == "443")
        && builder.domains().iter().any(|d| host_in(host, d))
}

/// Who sent a `message`, as the browser module found out by comparing `event.source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender<'a> {
    /// The page's own window (`event.source === window`).
    Page,
    /// The window of a builder's iframe on the page.
    Frame {
        /// Which builder's container the iframe is in.
        builder: Builder,
        /// The origin of the iframe's `src` (the page's own origin for an iframe without one).
        src_origin: &'a str,
        /// Paperform: the iframe's `_embed_id` query parameter, if any.
        embed_id: Option<&'a str>,
    },
    /// Any other window: not a builder's iframe on this page.
    Other,
}

/// A `message` event, as far as the decision needs it.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    /// `event.origin`.
    pub origin: &'a str,
    /// The page's own origin (`location.origin`).
    pub page_origin: &'a str,
    /// Who sent it.
    pub sender: Sender<'a>,
    /// The site's `FORM_ORIGINS`.
    pub form_origins: &'a [String],
}

/// One answer of a submission, raw: the browser module classifies it with
/// [`crate::fields::classify`] and hashes it before anything leaves the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmittedField {
    /// The builder's question type (`email`, `phone`, `text`, …), empty when unknown.
    pub input_type: String,
    /// The field's name or key (`email`, `0-1/firstname`).
    pub name: String,
    /// The question's label, empty when unknown.
    pub label: String,
    /// The answer: one value, several for a multi-valued field, none for a non-text answer.
    pub values: Vec<String>,
}

/// A confirmed submission reported by a form builder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// Which builder reported it.
    pub builder: Builder,
    /// The builder's form id, when the message names one.
    pub form_id: Option<String>,
    /// The answers.
    pub fields: Vec<SubmittedField>,
}

/// Whether a `message` may be trusted at all under the origin rule (module documentation), and
/// for which builder. `None`: ignore it.
#[must_use]
pub fn trusted_sender<'a>(msg: &Message<'a>) -> Option<Sender<'a>> {
    match msg.sender {
        Sender::Page => same_origin(msg.page_origin, msg.origin).then_some(Sender::Page),
        Sender::Frame {
            builder,
            src_origin,
            ..
        } => {
            let exact = same_origin(src_origin, msg.origin);
            // HubSpot's legacy "shell" iframe has no src and runs as the page's own origin.
            let own_shell =
                builder == Builder::HubSpot && same_origin(msg.page_origin, msg.origin);
            let allowed = own_shell || origin_allowed(builder, msg.origin, msg.form_origins);
            (exact && allowed).then_some(msg.sender)
        }
        Sender::Other => None,
    }
}

/// A `message` event's data → the submission it reports, or `None` (not trusted under the
/// origin rule, not a submission, or not the expected shape). `data` is the message data as JSON:
/// a string stays a string, an object becomes an object.
#[must_use]
pub fn decode_message(msg: &Message<'_>, data: &Value) -> Option<Submission> {
    match trusted_sender(msg)? {
        Sender::Page
        | Sender::Frame {
            builder: Builder::HubSpot,
            ..
        } => decode_hubspot_legacy(data),
        Sender::Frame {
            builder: Builder::Paperform,
            embed_id,
            ..
        } => decode_paperform(data, embed_id),
        Sender::Other => None,
    }
}

/// HubSpot legacy `hsFormCallback` → a submission for `onFormSubmitted` only.
fn decode_hubspot_legacy(data: &Value) -> Option<Submission> {
    let obj = data.as_object()?;
    if obj.get("type")?.as_str()? != "hsFormCallback"
        || obj.get("eventName")?.as_str()? != "onFormSubmitted"
    {
        return None;
    }
    let form_id = match obj.get("id") {
        None | Some(Value::Null) => None,
        Some(id) => Some(id.as_str()?.to_owned()),
    };
    let fields = match obj.get("data") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => name_value_list(list)?,
        Some(Value::Object(inner)) => match inner.get("submissionValues") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(values)) => values
                .iter()
                .map(|(name, v)| field("", name, "", v))
                .collect(),
            Some(Value::Array(list)) => name_value_list(list)?,
            Some(_) => return None,
        },
        Some(_) => return None,
    };
    Some(Submission {
        builder: Builder::HubSpot,
        form_id,
        fields,
    })
}

/// `[{name, value}]` → fields; `None` when an item is not of that shape.
fn name_value_list(list: &[Value]) -> Option<Vec<SubmittedField>> {
    list.iter()
        .map(|item| {
            let name = item.get("name")?.as_str()?;
            Some(field("", name, "", item.get("value").unwrap_or(&Value::Null)))
        })
        .collect()
}

/// Text values of an answer: a string, a number, or a list of them; anything else gives none.
fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(list) => list.iter().flat_map(texts).collect(),
        _ => Vec::new(),
    }
}

fn field(input_type: &str, name: &str, label: &str, value: &Value) -> SubmittedField {
    SubmittedField {
        input_type: input_type.to_owned(),
        name: name.to_owned(),
        label: label.to_owned(),
        values: texts(value),
    }
}

/// The HubSpot new-editor form named by an `hs-form-event:*` event's `detail.formId` counts only
/// when that form is embedded on the page (`page_form_ids`: the `data-form-id` of every
/// `.hs-form-frame` / `.hs-form-html` container), compared exactly.
#[must_use]
pub fn hubspot_v4_form_known(form_id: &str, page_form_ids: &[String]) -> bool {
    !form_id.is_empty() && page_form_ids.iter().any(|id| id == form_id)
}

/// HubSpot new editor: the result of `getFormFieldValues()`, `[{name, value}]` with `value` a
/// string or a list of strings, → the submission's fields; `None` when it is not that shape.
#[must_use]
pub fn decode_hubspot_v4(form_id: &str, values: &Value) -> Option<Submission> {
    Some(Submission {
        builder: Builder::HubSpot,
        form_id: Some(form_id.to_owned()).filter(|f| !f.is_empty()),
        fields: name_value_list(values.as_array()?)?,
    })
}

/// Paperform's raw message `"paperform:" + JSON` with `action: "submission"`.
fn decode_paperform(data: &Value, frame_embed_id: Option<&str>) -> Option<Submission> {
    let json = data.as_str()?.strip_prefix("paperform:")?;
    let msg: Value = serde_json::from_str(json).ok()?;
    let obj = msg.as_object()?;
    if obj.get("action")?.as_str()? != "submission" {
        return None;
    }
    let embed_id = match obj.get("embed_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return None,
    };
    if let (Some(got), Some(want)) = (&embed_id, frame_embed_id)
        && got != want
    {
        return None;
    }
    let details = match obj.get("details") {
        None | Some(Value::Null) => None,
        Some(Value::Object(d)) => Some(d),
        Some(_) => return None,
    };
    let mut fields = Vec::new();
    let answers = details.and_then(|d| d.get("data"));
    match answers {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for item in list {
                let item = item.as_object()?;
                let text = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default();
                let name = [text("custom_key"), text("key")]
                    .into_iter()
                    .find(|s| !s.is_empty())
                    .unwrap_or_default();
                let label = [text("label"), text("display_label")]
                    .into_iter()
                    .find(|s| !s.is_empty())
                    .unwrap_or_default();
                let value = item.get("value").unwrap_or(&Value::Null);
                match value {
                    // An address answer: its parts as fields of their own (`city`, `postcode`, …).
                    Value::Object(parts) => fields.extend(
                        parts.iter().map(|(part, v)| field("text", part, "", v)),
                    ),
                    v => fields.push(field(text("type"), name, label, v)),
                }
            }
        }
        Some(_) => return None,
    }
    let form_id = details
        .and_then(|d| d.get("form_id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some(Submission {
        builder: Builder::Paperform,
        form_id,
        fields,
    })
}

/// Whether the page at `path` is excluded by an `EXCLUDED_FORMS` entry that is a path: an entry
/// starting with `/` matches that path exactly, or every path under it when it ends with `*`.
#[must_use]
pub fn path_excluded(entries: &[String], path: &str) -> bool {
    entries.iter().map(|e| e.trim()).any(|e| {
        e.starts_with('/')
            && e.strip_suffix('*')
                .map_or(e == path, |prefix| path.starts_with(prefix))
    })
}

/// The `EXCLUDED_FORMS` entries that are CSS selectors (every entry not starting with `/`), for
/// the browser module to match forms against (`form.closest(selector)`).
pub fn excluded_selectors(entries: &[String]) -> impl Iterator<Item = &str> {
    entries
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty() && !e.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            parse_origin("https://a.b:8443"),
            Some(("https", "a.b", Some("8443")))
        );
        assert_eq!(parse_origin("https://a.b/"), None);
        assert_eq!(parse_origin("http://[::1]:80"), Some(("http", "[::1]", Some("80"))));
        assert!(host_in("x.paperform.co", "paperform.co"));
        assert!(!host_in("xpaperform.co", "paperform.co"));
        assert!(!host_in(".paperform.co", "paperform.co"));
    }
}
