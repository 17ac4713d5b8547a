//! Embedded form builders: which messages count as a confirmed submission, and what they carry.
//!
//! The origin rule (DESIGN.md section 2): a `message` from a frame counts only when its
//! `event.source` is that builder's iframe on the page ([`Sender::Frame`], found by the browser
//! module), `event.origin` equals that iframe's origin exactly, and that origin is the builder's
//! own (`https`, on one of [`Builder::domains`] or a subdomain of one on a label boundary:
//! `x.paperform.co` yes, `paperform.co.evil.test` and `evilpaperform.co` no) or one the site
//! listed in `FORM_ORIGINS` (exact). A message the page posts to itself ([`Sender::Page`], as
//! HubSpot's legacy embed script does) is trusted like the page's own scripts. No substring tests
//! on origins anywhere; data that is not the expected shape is nothing.
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
//! - Typeform: `{type: "form-submit", embedId, formId, responseId}` from its iframe, with an
//!   `embedId` matching the iframe's `typeform-embed-id` when both are known (as Typeform's own
//!   SDK checks); IDs only, so the submission has no fields.
//! - Calendly: `{event: "calendly.event_scheduled", payload}` from its iframe, a booking (the
//!   `booking` trigger, [`Builder::trigger`]); its payload (API URIs, no answers) is not read, so
//!   the submission has no fields. Calendly's other events (a page viewed, a time picked) are not.
//!
//! Plain forms (DESIGN.md section 2 item 4): [`SUCCESS_CANDIDATES`] are the elements near an AJAX
//! form that may report its outcome, [`success_signal`] reads one that has just become visible,
//! [`ajax_outcome`] decides what the form reports within [`SUCCESS_WINDOW_MS`], unless the builder
//! that submits it reports on its own ([`FORM_EVENTS`], read by [`form_event`]: Contact Form 7's);
//! forms inside [`BUILDER_CONTAINERS`] are left to their builder's own event. `EXCLUDED_FORMS`
//! entries are paths ([`path_excluded`]) or selectors ([`excluded_selectors`]).

use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::Value;

use crate::text;

/// Read access to a JSON-like value: `serde_json::Value` natively, the page's own JS values in the
/// browser module (which then needs no JSON parser of its own). Absent, `null` and `undefined`
/// read as nothing.
pub trait JsonRead: Sized {
    /// Parses JSON text (`JSON.parse`); `None` when it is not valid JSON.
    fn parse(text: &str) -> Option<Self>;
    /// A member of an object (not of an array); `None` when absent or null.
    fn member(&self, key: &str) -> Option<Self>;
    /// The keys of a plain object's members, in any order; `None` when not an object (arrays are
    /// not).
    fn keys(&self) -> Option<Vec<String>>;
    /// The items of an array; `None` when not an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// The value of a string.
    fn text(&self) -> Option<String>;
    /// The value of a string, or a number written in decimal (as JavaScript's `String(n)` writes
    /// it).
    fn scalar(&self) -> Option<String>;
    /// Whether the value is a plain object (not an array): `keys()` is some.
    fn is_object(&self) -> bool {
        self.keys().is_some()
    }
}

impl JsonRead for Value {
    fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
    fn member(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn keys(&self) -> Option<Vec<String>> {
        Some(self.as_object()?.keys().cloned().collect())
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn scalar(&self) -> Option<String> {
        match self {
            Self::String(s) => Some(s.clone()),
            Self::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// A form builder whose submissions capiflare recognizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builder {
    /// HubSpot forms, legacy (`hbspt.forms.create`) and the new editor (`hs-form-frame`).
    HubSpot,
    /// Paperform embeds (`data-paperform-id`).
    Paperform,
    /// Calendly's scheduling embeds (inline and popup widgets, or its page in a bare iframe): a
    /// booking, not a form.
    Calendly,
    /// Typeform embeds (`@typeform/embed`: widget, popup, slider, popover, side tab).
    Typeform,
}

impl Builder {
    /// Every builder, in the order a page tries their iframes' selectors: Calendly's last, as it
    /// takes any iframe whose URL names `calendly.com`, which another builder's may too (a
    /// Typeform's hidden field). The others' selectors never share a frame.
    pub const ALL: [Self; 4] = [
        Self::Typeform,
        Self::Paperform,
        Self::HubSpot,
        Self::Calendly,
    ];

    /// The builder's name for logs: `hubspot`, `paperform`, `calendly`, `typeform`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HubSpot => "hubspot",
            Self::Paperform => "paperform",
            Self::Calendly => "calendly",
            Self::Typeform => "typeform",
        }
    }

    /// The trigger its submissions fire (the key of `EVENTS` that names the event): `booking` for
    /// a scheduling embed, `form` for a form.
    #[must_use]
    pub const fn trigger(self) -> &'static str {
        match self {
            Self::Calendly => "booking",
            _ => "form",
        }
    }

    /// The builder named `s` (the inverse of [`Builder::as_str`]).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// The CSS selector of the builder's iframes on a page: a `message` whose `event.source` is
    /// the window of one of these is [`Sender::Frame`] for this builder.
    #[must_use]
    pub const fn frames(self) -> &'static str {
        match self {
            Self::HubSpot => "iframe.hs-form-iframe,.hs-form-frame iframe,.hbspt-form iframe",
            Self::Paperform => "[data-paperform-id] iframe",
            // The inline and popup widgets' containers, and an iframe pasted without them (which
            // host it is on is the origin rule's: `calendly.com.evil.test` matches and is refused).
            Self::Calendly => {
                ".calendly-inline-widget iframe,.calendly-overlay iframe,iframe[src*=\"calendly.com\"]"
            }
            // The SDK's frames, whatever their container: the embed id in their URL (which frame
            // sent a message, not whose origin it is: that is the origin rule's).
            Self::Typeform => "iframe[src*=\"typeform-embed-id=\"]",
        }
    }

    /// The embed id in one of its iframes' URL query (`?…`), which its messages repeat:
    /// Paperform's `_embed_id`, Typeform's `typeform-embed-id`; `None` for the others, or when
    /// absent or empty.
    #[must_use]
    pub fn embed_id(self, query: &str) -> Option<String> {
        let param = match self {
            Self::Paperform => "_embed_id",
            Self::Typeform => "typeform-embed-id",
            _ => return None,
        };
        text::query_param(query, param)
    }

    /// The builder's own domains; its frames are served from these hosts or their subdomains.
    #[must_use]
    pub const fn domains(self) -> &'static [&'static str] {
        match self {
            Self::HubSpot => &["hsforms.com", "hsforms.net", "hubspot.com", "hubspot.net"],
            Self::Paperform => &["paperform.co"],
            Self::Calendly => &["calendly.com"],
            Self::Typeform => &["typeform.com", "typeform.eu"],
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
    let (scheme, rest) = text::split_once(origin, "://")?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return None;
    }
    let (host, port) = match text::rsplit_once_at(rest, b':') {
        Some((h, _)) if !h.ends_with(']') && h.bytes().any(|b| b == b':') => (rest, None), // bare IPv6: no port
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
        /// The iframe's embed id, if any: its `_embed_id` query parameter (Paperform) or
        /// `typeform-embed-id` (Typeform).
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
            let own_shell = builder == Builder::HubSpot && same_origin(msg.page_origin, msg.origin);
            let allowed = own_shell || origin_allowed(builder, msg.origin, msg.form_origins);
            (exact && allowed).then_some(msg.sender)
        }
        Sender::Other => None,
    }
}

/// A `message` event's data → the submission it reports, or `None` (not trusted under the
/// origin rule, not a submission, or not the expected shape). `data` is the message data as it
/// arrived: a string stays a string, an object is an object.
#[must_use]
pub fn decode_message<J: JsonRead>(msg: &Message<'_>, data: &J) -> Option<Submission> {
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
        Sender::Frame {
            builder: Builder::Typeform,
            embed_id,
            ..
        } => decode_typeform(data, embed_id),
        Sender::Frame {
            builder: Builder::Calendly,
            ..
        } => (data.is_object() && member_text(data, "event")? == CALENDLY_SCHEDULED).then_some(
            Submission {
                builder: Builder::Calendly,
                form_id: None,
                fields: Vec::new(),
            },
        ),
        Sender::Other => None,
    }
}

/// HubSpot legacy `hsFormCallback` → a submission for `onFormSubmitted` only.
fn decode_hubspot_legacy<J: JsonRead>(data: &J) -> Option<Submission> {
    if !data.is_object()
        || member_text(data, "type")? != HUBSPOT_LEGACY_TYPE
        || member_text(data, "eventName")? != "onFormSubmitted"
    {
        return None;
    }
    let form_id = match data.member("id") {
        None => None,
        Some(id) => Some(id.text()?),
    };
    let mut fields = Vec::new();
    if let Some(inner) = data.member("data") {
        let list = match inner.items() {
            Some(list) => list,
            None if inner.is_object() => match inner.member("submissionValues") {
                None => Vec::new(),
                Some(values) => match values.items() {
                    Some(list) => list,
                    None => {
                        member_fields(&values, "", &mut fields)?;
                        Vec::new()
                    }
                },
            },
            None => return None,
        };
        name_value_list(&list, &mut fields)?;
    }
    Some(Submission {
        builder: Builder::HubSpot,
        form_id,
        fields,
    })
}

/// The string member `key` of `v`; `None` when absent or not a string.
fn member_text<J: JsonRead>(v: &J, key: &str) -> Option<String> {
    v.member(key)?.text()
}

/// `[{name, value}]` → fields; `None` when an item is not of that shape.
fn name_value_list<J: JsonRead>(list: &[J], out: &mut Vec<SubmittedField>) -> Option<()> {
    for item in list {
        let name = member_text(item, "name")?;
        out.push(field("", &name, "", item.member("value").as_ref()));
    }
    Some(())
}

/// Each member of a plain object `{name: value}` → a field; `None` when not an object.
fn member_fields<J: JsonRead>(
    object: &J,
    input_type: &str,
    out: &mut Vec<SubmittedField>,
) -> Option<()> {
    for name in object.keys()? {
        out.push(field(input_type, &name, "", object.member(&name).as_ref()));
    }
    Some(())
}

/// Text values of an answer: a string, a number, or a list of them; anything else gives none.
fn texts<J: JsonRead>(v: &J, out: &mut Vec<String>) {
    match v.items() {
        Some(list) => {
            for item in &list {
                texts(item, out);
            }
        }
        None => out.extend(v.scalar()),
    }
}

fn field<J: JsonRead>(
    input_type: &str,
    name: &str,
    label: &str,
    value: Option<&J>,
) -> SubmittedField {
    let mut values = Vec::new();
    if let Some(v) = value {
        texts(v, &mut values);
    }
    SubmittedField {
        input_type: input_type.to_owned(),
        name: name.to_owned(),
        label: label.to_owned(),
        values,
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
pub fn decode_hubspot_v4<J: JsonRead>(form_id: &str, values: &J) -> Option<Submission> {
    let mut fields = Vec::new();
    name_value_list(&values.items()?, &mut fields)?;
    Some(Submission {
        builder: Builder::HubSpot,
        form_id: Some(form_id.to_owned()).filter(|f| !f.is_empty()),
        fields,
    })
}

/// `Some` unless the message's embed id (its member `key`, a string or a number) and the frame's
/// are both known and differ, or the message's is neither a string nor a number.
fn same_embed<J: JsonRead>(msg: &J, key: &str, frame_embed_id: Option<&str>) -> Option<()> {
    // Written so for size: a `let … else` with `is_none_or` made the module 90 bytes larger.
    match (msg.member(key), frame_embed_id) {
        (Some(id), want) => {
            (id.scalar()? == want.unwrap_or_default() || want.is_none()).then_some(())
        }
        (None, _) => Some(()),
    }
}

/// Typeform's `{type: "form-submit", embedId, formId}`.
fn decode_typeform<J: JsonRead>(data: &J, frame_embed_id: Option<&str>) -> Option<Submission> {
    if !data.is_object() || member_text(data, "type")? != TYPEFORM_SUBMIT {
        return None;
    }
    same_embed(data, "embedId", frame_embed_id)?;
    Some(Submission {
        builder: Builder::Typeform,
        form_id: member_text(data, "formId"),
        fields: Vec::new(),
    })
}

/// Paperform's raw message `"paperform:" + JSON` with `action: "submission"`.
fn decode_paperform<J: JsonRead>(data: &J, frame_embed_id: Option<&str>) -> Option<Submission> {
    let text = data.text()?;
    let msg = J::parse(text.strip_prefix(PAPERFORM_PREFIX)?)?;
    if !msg.is_object() || member_text(&msg, "action")? != "submission" {
        return None;
    }
    same_embed(&msg, "embed_id", frame_embed_id)?;
    let details = match msg.member("details") {
        None => None,
        Some(d) if d.is_object() => Some(d),
        Some(_) => return None,
    };
    let mut fields = Vec::new();
    if let Some(answers) = details.as_ref().and_then(|d| d.member("data")) {
        for item in answers.items()? {
            if !item.is_object() {
                return None;
            }
            let text = |k: &str| member_text(&item, k).unwrap_or_default();
            let first = |a: String, b: String| if a.is_empty() { b } else { a };
            let name = first(text("custom_key"), text("key"));
            let label = first(text("label"), text("display_label"));
            let value = item.member("value");
            // An address answer (an object): its parts as fields of their own (`city`,
            // `postcode`, …).
            if value
                .as_ref()
                .and_then(|v| member_fields(v, "text", &mut fields))
                .is_none()
            {
                fields.push(field(&text("type"), &name, &label, value.as_ref()));
            }
        }
    }
    let form_id = details.and_then(|d| member_text(&d, "form_id"));
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

/// Containers of embedded builders' forms: a form inside one is left to the builder's own success
/// event, never detected as a plain form (HubSpot's raw-HTML and developer embeds render a real
/// `<form>` in the page).
pub const BUILDER_CONTAINERS: &str =
    ".hs-form-frame,.hs-form-html,.hbspt-form,form.hs-form,[data-paperform-id]";

/// The `type` of HubSpot's legacy messages (an object): the only objects worth decoding.
pub const HUBSPOT_LEGACY_TYPE: &str = "hsFormCallback";

/// The start of Paperform's raw messages (a string): the only strings worth decoding.
pub const PAPERFORM_PREFIX: &str = "paperform:";

/// The `type` of Typeform's message for a form submitted (an object).
pub const TYPEFORM_SUBMIT: &str = "form-submit";

/// The `event` of Calendly's message for a booking made (an object): the only Calendly message
/// worth decoding.
pub const CALENDLY_SCHEDULED: &str = "calendly.event_scheduled";

/// HubSpot new-editor form containers, whose `data-form-id` [`hubspot_v4_form_known`] compares.
pub const HUBSPOT_V4_CONTAINERS: &str = ".hs-form-frame[data-form-id],.hs-form-html[data-form-id]";

/// Elements near a form that may signal an AJAX submission's outcome: a live region
/// (`role=status|alert`), or an id or class containing a success or an error word. The leading
/// `:is([id],[class],[role])` changes nothing it selects, but lets the browser pass over an element
/// with none of the three before testing the sixteen alternatives (ARCHITECTURE.md, main-thread
/// time: the page's query on a landing page of 1,400 elements).
pub const SUCCESS_CANDIDATES: &str = ":is([id],[class],[role]):is([role=status],[role=alert],\
[id*=success i],[class*=success i],[id*=thank i],[class*=thank i],[id*=done i],[class*=done i],\
[id*=confirm i],[class*=confirm i],[id*=error i],[class*=error i],[id*=fail i],[class*=fail i],\
[id*=invalid i],[class*=invalid i])";

const ERROR_MARKS: &str = "error fail invalid danger warning";
const SUCCESS_MARKS: &str = "success thank done confirm";
const ERROR_TEXT: &str = "error|valid|fail|required|try again|incorrect|missing|wrong|problem|\
    unable|could not|couldn't|please enter|please fill|please select|please provide|fehler|erreur|\
    ungültig|falsch";

/// What an element that has just become visible near an AJAX form says (DESIGN.md section 2
/// item 4): `Some(true)` success, `Some(false)` an error message (no conversion), `None` neither.
///
/// - the site named it with `data-capiflare-success` (`custom`): success;
/// - its id or class contains `error`, `fail`, `invalid`, `danger` or `warning`: error;
/// - its id or class contains `success`, `thank`, `done` or `confirm`: success;
/// - a live region (`role` `status` or `alert`): error when its text reads like one (`error`,
///   `valid` as in "enter a valid email" or `invalid`, `required`, `try again`, `please enter`,
///   …), else success;
/// - anything else: neither.
#[must_use]
pub fn success_signal(id_and_class: &str, role: &str, text: &str, custom: bool) -> Option<bool> {
    if custom {
        return Some(true);
    }
    let marks = id_and_class.to_ascii_lowercase();
    if text::table_words(ERROR_MARKS).any(|m| text::contains(&marks, m)) {
        return Some(false);
    }
    if text::table_words(SUCCESS_MARKS).any(|m| text::contains(&marks, m)) {
        return Some(true);
    }
    if role.eq_ignore_ascii_case("status") || role.eq_ignore_ascii_case("alert") {
        let lower = text.to_ascii_lowercase();
        return Some(!text::split(ERROR_TEXT, b'|').any(|w| text::contains(&lower, w)));
    }
    None
}

/// How long the browser module watches an AJAX form for its outcome after the submit (ms): the
/// "few seconds" of DESIGN.md section 2 item 4, long enough for a slow server's answer.
pub const SUCCESS_WINDOW_MS: u32 = 10_000;

/// What an AJAX form (its submit prevented) reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AjaxOutcome {
    /// The form itself was hidden or removed: a success.
    FormGone,
    /// An element shown since the submit says success.
    SuccessShown,
    /// An element shown since the submit is an error message: no conversion.
    ErrorShown,
    /// The form's builder dispatched its own success event ([`form_event`]).
    BuilderSuccess,
    /// The form's builder dispatched its own event for a submission that failed, was invalid or
    /// was judged spam ([`form_event`]): no conversion.
    BuilderError,
}

impl AjaxOutcome {
    /// Whether the form's submission is a conversion: a success, not an error.
    #[must_use]
    pub const fn converts(self) -> bool {
        matches!(
            self,
            Self::FormGone | Self::SuccessShown | Self::BuilderSuccess
        )
    }
}

/// The events a form builder dispatches at a plain `<form>` it submits by AJAX (or at an element
/// around it, to which the event bubbles) once its server has answered: the builder's own success
/// event of DESIGN.md section 2 item 4, and its failures. Contact Form 7 (reference section 1:
/// `wpcf7mailsent` on success; `wpcf7mailfailed`, `wpcf7invalid`, `wpcf7unaccepted`, `wpcf7spam`,
/// `wpcf7aborted` otherwise). The page listens for these words; [`form_event`] reads each.
pub const FORM_EVENTS: &str =
    "wpcf7mailsent wpcf7mailfailed wpcf7invalid wpcf7unaccepted wpcf7spam wpcf7aborted";

/// Of [`FORM_EVENTS`], those that report a success.
const FORM_SUCCESS_EVENTS: &str = "wpcf7mailsent";

/// What a builder's event at a watched AJAX form reports (see [`FORM_EVENTS`]): its success, its
/// failure, or `None` for any other event. The builder's own word decides at once, whatever the
/// page shows: its messages may be in any language.
#[must_use]
pub fn form_event(name: &str) -> Option<AjaxOutcome> {
    if text::in_table(FORM_SUCCESS_EVENTS, name) {
        Some(AjaxOutcome::BuilderSuccess)
    } else if text::in_table(FORM_EVENTS, name) {
        Some(AjaxOutcome::BuilderError)
    } else {
        None
    }
}

/// What an AJAX form reports now (DESIGN.md section 2 item 4): `form_shown` is whether it is still
/// in the page and rendered; `shown` lists the candidates near it that show a text they did not
/// show at the submit, in the page's order after the site's own (`data-capiflare-success`), each
/// `(id and class, role, text, custom)` as [`success_signal`] reads it. The form hidden or removed
/// is a success whatever is shown; else the first candidate that says success or error decides;
/// `None` while it reports nothing.
#[must_use]
pub fn ajax_outcome<'a>(
    form_shown: bool,
    shown: impl IntoIterator<Item = (&'a str, &'a str, &'a str, bool)>,
) -> Option<AjaxOutcome> {
    if !form_shown {
        return Some(AjaxOutcome::FormGone);
    }
    shown
        .into_iter()
        .find_map(|(id_and_class, role, text, custom)| {
            success_signal(id_and_class, role, text, custom).map(|success| {
                if success {
                    AjaxOutcome::SuccessShown
                } else {
                    AjaxOutcome::ErrorShown
                }
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn mark_tables_single_spaced() {
        assert!(text::single_spaced(ERROR_MARKS) && text::single_spaced(SUCCESS_MARKS));
        assert!(text::single_spaced(FORM_EVENTS) && text::single_spaced(FORM_SUCCESS_EVENTS));
        // The page listens only for FORM_EVENTS: every success event must be one of them.
        assert!(text::table_words(FORM_SUCCESS_EVENTS).all(|e| text::in_table(FORM_EVENTS, e)));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn embed_ids_from_frame_queries() {
        let id = |b: Builder, q: &str| b.embed_id(q);
        assert_eq!(
            id(Builder::Paperform, "?embed=1&_embed_id=3").as_deref(),
            Some("3")
        );
        assert_eq!(
            id(Builder::Typeform, "?typeform-embed-id=a%20b&x=1").as_deref(),
            Some("a b")
        );
        assert_eq!(
            id(Builder::Paperform, "?typeform-embed-id=3"),
            None,
            "another's"
        );
        assert_eq!(id(Builder::Paperform, "?_embed_id="), None, "empty");
        assert_eq!(
            id(Builder::Paperform, "?x=1#_embed_id=3"),
            None,
            "in the fragment"
        );
        assert_eq!(
            id(Builder::HubSpot, "?_embed_id=3"),
            None,
            "HubSpot has none"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn only_successes_convert() {
        use AjaxOutcome::*;
        assert!(FormGone.converts() && SuccessShown.converts() && BuilderSuccess.converts());
        assert!(!ErrorShown.converts() && !BuilderError.converts());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn origins() {
        assert_eq!(
            parse_origin("https://a.b:8443"),
            Some(("https", "a.b", Some("8443")))
        );
        assert_eq!(parse_origin("https://a.b/"), None);
        assert_eq!(
            parse_origin("http://[::1]:80"),
            Some(("http", "[::1]", Some("80")))
        );
        assert!(host_in("x.paperform.co", "paperform.co"));
        assert!(!host_in("xpaperform.co", "paperform.co"));
        assert!(!host_in(".paperform.co", "paperform.co"));
    }
}
