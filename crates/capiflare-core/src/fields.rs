//! Form fields: which customer field an input holds, whether it is a honeypot, and how the
//! values a page collected become the hashed `user` object the browser module posts.
//!
//! [`classify`] looks at what a page tells about an input, in this order:
//!
//! 1. its type: buttons, passwords, files, hidden inputs, check boxes and text areas hold no
//!    customer field (a radio group may hold only a gender);
//! 2. its `autocomplete` tokens (WHATWG autofill names: `email`, `tel`, `given-name`, …), which
//!    decide outright when they name a field or a part of one (`tel-extension`, `bday-year`);
//! 3. the words of its `name`, then its `id`, then its label text (camelCase, `_`, `-`, `/`, `[`
//!    split words; letters folded to ASCII; English, German, French, Spanish, Portuguese and
//!    Italian words), the first of them that says something deciding: a word that makes the
//!    value someone else's or not personal (`friend`, `company`, `message`, `fax`, `middle`, …)
//!    means no field at all;
//! 4. `type="email"` and `type="tel"` then win over the words, and a `date` input can only be a
//!    date of birth.
//!
//! Everything here is a pure function of strings; the browser module reads the DOM.

use crate::pii::{self, Key};
use crate::text;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

/// The customer field an input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// Email address.
    Email,
    /// Phone number.
    Phone,
    /// First (given) name.
    FirstName,
    /// Last (family) name.
    LastName,
    /// The whole name in one input; split by [`split_full_name`].
    FullName,
    /// City or town.
    City,
    /// State, province or region.
    State,
    /// Zip or postal code.
    Zip,
    /// Country.
    Country,
    /// Date of birth.
    DateOfBirth,
    /// Gender.
    Gender,
}

impl Field {
    /// Every field.
    pub const ALL: [Self; 11] = [
        Self::Email,
        Self::Phone,
        Self::FirstName,
        Self::LastName,
        Self::FullName,
        Self::City,
        Self::State,
        Self::Zip,
        Self::Country,
        Self::DateOfBirth,
        Self::Gender,
    ];

    /// The field's name: `email`, `phone`, `first_name`, `last_name`, `full_name`, `city`,
    /// `state`, `zip`, `country`, `date_of_birth`, `gender`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::FullName => "full_name",
            Self::City => "city",
            Self::State => "state",
            Self::Zip => "zip",
            Self::Country => "country",
            Self::DateOfBirth => "date_of_birth",
            Self::Gender => "gender",
        }
    }

    /// The field named `s` (the inverse of [`Field::as_str`]).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|f| f.as_str() == s).copied()
    }

    /// The `user_data` key the field's value goes to; `None` for [`Field::FullName`], which
    /// gives two ([`entries`]).
    #[must_use]
    pub const fn key(self) -> Option<Key> {
        Some(match self {
            Self::Email => Key::Em,
            Self::Phone => Key::Ph,
            Self::FirstName => Key::Fn,
            Self::LastName => Key::Ln,
            Self::FullName => return None,
            Self::City => Key::Ct,
            Self::State => Key::St,
            Self::Zip => Key::Zp,
            Self::Country => Key::Country,
            Self::DateOfBirth => Key::Db,
            Self::Gender => Key::Ge,
        })
    }
}

/// What a page tells about one input. Absent attributes are empty strings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Input<'a> {
    /// The input's type as the DOM reports it (`text`, `email`, `tel`, `select-one`,
    /// `textarea`, …), or a form builder's question type (`email`, `phone`, `date`, …).
    pub input_type: &'a str,
    /// The `name` attribute, or a form builder's field key (`0-1/email`).
    pub name: &'a str,
    /// The `id` attribute.
    pub id: &'a str,
    /// The `autocomplete` attribute.
    pub autocomplete: &'a str,
    /// The label text (`<label>`, `aria-label`, or the placeholder), or a builder's question.
    pub label: &'a str,
}

/// Input types that never hold a customer field.
const IGNORED_TYPES: &str = "hidden password submit button reset image file checkbox range color search textarea \
    select-multiple month week";

/// Which customer field `input` holds, if any (see the module documentation for the order of
/// the rules).
#[must_use]
pub fn classify(input: &Input<'_>) -> Option<Field> {
    let ty = input.input_type.trim().to_ascii_lowercase();
    if text::in_table(IGNORED_TYPES, &ty) {
        return None;
    }
    if let Some(decided) = from_autocomplete(input.autocomplete) {
        return decided.filter(|f| allowed_for_type(*f, &ty));
    }
    let mut found = None;
    for &text in &[input.name, input.id, input.label] {
        match verdict(text) {
            Verdict::Veto => return None,
            Verdict::Field(f) => {
                found = Some(f);
                break;
            }
            Verdict::Nothing => {}
        }
    }
    let found = match ty.as_str() {
        "email" => Some(Field::Email),
        "tel" | "phone" => Some(Field::Phone),
        _ => found,
    };
    found.filter(|f| allowed_for_type(*f, &ty))
}

fn allowed_for_type(field: Field, ty: &str) -> bool {
    match ty {
        "radio" => field == Field::Gender,
        "date" => field == Field::DateOfBirth,
        _ => true,
    }
}

/// `Some(Some(field))` or `Some(None)` when the autocomplete tokens decide, `None` when they
/// say nothing (absent, `on`, `off`, or unknown).
fn from_autocomplete(autocomplete: &str) -> Option<Option<Field>> {
    let lower = autocomplete.to_ascii_lowercase();
    // The last token that is not a section or an address or contact kind, and whether one of
    // those before it is `fax` or `pager`: one pass forward.
    let (mut last, mut fax) = (None, false);
    for t in lower.split_ascii_whitespace() {
        if !(t.starts_with("section-")
            || matches!(t, "shipping" | "billing" | "home" | "work" | "mobile"))
        {
            fax |= last.is_some_and(|p| matches!(p, "fax" | "pager"));
            last = Some(t);
        }
    }
    let token = last?;
    if fax {
        return Some(None);
    }
    Some(Some(match token {
        "email" => Field::Email,
        "tel" | "tel-national" => Field::Phone,
        "name" => Field::FullName,
        "given-name" => Field::FirstName,
        "family-name" => Field::LastName,
        "address-level2" => Field::City,
        "address-level1" => Field::State,
        "postal-code" => Field::Zip,
        "country" | "country-name" => Field::Country,
        "bday" => Field::DateOfBirth,
        "sex" => Field::Gender,
        "on" | "off" => return None,
        t if text::in_table(KNOWN_OTHER_AUTOCOMPLETE, t)
            || t.starts_with("tel-")
            || t.starts_with("bday-")
            || t.starts_with("cc-")
            || t.starts_with("address-")
            || t.starts_with("transaction-") =>
        {
            return Some(None);
        }
        _ => return None,
    }))
}

/// Autofill names that are known and hold no field capiflare sends.
const KNOWN_OTHER_AUTOCOMPLETE: &str = "honorific-prefix additional-name honorific-suffix nickname username new-password \
    current-password one-time-code organization-title organization street-address language \
    url photo impp webauthn fax pager";

enum Verdict {
    Field(Field),
    Veto,
    Nothing,
}

/// Phrases per field, in priority order; a phrase is space-separated words that must appear
/// as consecutive words; a leading `=` means the words must be the whole text.
const RULES: [(Field, &str); 11] = [
    (
        Field::DateOfBirth,
        "date|of|birth dateofbirth date|birth birth|date birthdate birthday dob bday \
         geburtsdatum geburtstag date|de|naissance fecha|de|nacimiento fecha|nacimiento \
         data|de|nascimento data|di|nascita",
    ),
    (
        Field::Email,
        "email e|mail mail emailaddress correo courriel epost e|post",
    ),
    (
        Field::Phone,
        "phone telephone tel telefon telefono mobile mobilephone cell cellphone handy mobil \
         mobilnummer telefonnummer phonenumber whatsapp celular movil landline",
    ),
    (
        Field::FullName,
        "full|name fullname nombre|completo nom|complet nome|completo vollstandiger|name",
    ),
    (
        Field::FirstName,
        "first|name firstname fname given|name givenname forename vorname prenom name|first \
         =first nombre nome",
    ),
    (
        Field::LastName,
        "last|name lastname lname surname family|name familyname nachname apellido apellidos \
         nom name|last =last cognome sobrenome",
    ),
    (Field::FullName, "your|name name yourname contactname"),
    (
        Field::Zip,
        "zip zipcode zip|code postcode post|code postal|code postalcode postal plz \
         postleitzahl code|postal codigo|postal cep",
    ),
    (
        Field::City,
        "city town stadt ort ville ciudad cidade citta locality wohnort suburb",
    ),
    (Field::Country, "country land pays pais"),
    (
        Field::State,
        "state province region bundesland provincia estado",
    ),
];

const GENDER_WORDS: &str = "gender sex geschlecht genero sexo sexe genre";

/// Words that make any value someone else's, a part of a field, or not a customer field.
const VETO: &str = "friend friends referral referrer referee refer recipient emergency spouse \
    colleague search query captcha password subject message comment comments honeypot middle \
    maiden fax ext extension coupon promo card cardholder holder bank iban domain website url \
    dial calling prefix area day month year";

/// Words that make a name someone's or something's other than the person's.
const NAME_VETO: &str = "company business organisation organization org firma unternehmen \
    employer school university user username account product file project team event pet \
    brand store shop campaign job title street app list group category display screen site \
    page form channel";

/// Words that make a place not the person's own.
const PLACE_VETO: &str = "birth company business employer";

fn verdict(text: &str) -> Verdict {
    let words = words(text);
    if words.is_empty() {
        return Verdict::Nothing;
    }
    let has_any = |list: &str| words.iter().any(|x| text::in_table(list, x));
    if has_any(VETO) {
        return Verdict::Veto;
    }
    let rule = RULES
        .iter()
        .find(|(_, phrases)| text::table_words(phrases).any(|p| phrase_in(p, &words)))
        .map(|&(f, _)| f)
        .or_else(|| has_any(GENDER_WORDS).then_some(Field::Gender));
    let Some(field) = rule else {
        return Verdict::Nothing;
    };
    let vetoed = match field {
        Field::FirstName | Field::LastName | Field::FullName => has_any(NAME_VETO),
        Field::City | Field::State | Field::Zip | Field::Country => has_any(PLACE_VETO),
        _ => false,
    };
    if vetoed {
        Verdict::Veto
    } else {
        Verdict::Field(field)
    }
}

/// Whether the `|`-separated phrase occurs as consecutive words (`=` first: is all the words).
fn phrase_in(phrase: &str, words: &[String]) -> bool {
    let (exact, phrase) = phrase
        .strip_prefix('=')
        .map_or((false, phrase), |p| (true, p));
    let starts = if exact { 0..1 } else { 0..words.len() };
    starts.into_iter().any(|i| {
        let mut rest = words.get(i..).unwrap_or_default().iter();
        text::split(phrase, b'|').all(|p| rest.next().is_some_and(|w| w == p))
            && !(exact && rest.next().is_some())
    })
}

/// The words of an attribute or a label: split at anything but letters and digits, between a
/// lowercase letter and an uppercase one (`firstName`), and between letters and digits
/// (`email2`); lowercased, with Latin letters folded to ASCII (`Prénom` → `prenom`).
///
/// Letters are ASCII letters and every character from U+00C0 on that is not white space or
/// general punctuation (so the browser module carries no Unicode letter tables); case is told
/// for ASCII and Latin-1 letters only.
#[must_use]
pub fn words(text: &str) -> Vec<String> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Class {
        Lower,
        Upper,
        Digit,
        Other,
    }
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev = Class::Other;
    for c in text.chars() {
        let class = if c.is_ascii_digit() {
            Class::Digit
        } else if c.is_ascii_uppercase() || (('\u{c0}'..='\u{de}').contains(&c) && c != '\u{d7}') {
            Class::Upper
        } else if c.is_ascii_lowercase()
            || (c >= '\u{c0}'
                && c != '\u{d7}'
                && c != '\u{f7}'
                && !c.is_whitespace()
                && !('\u{2000}'..='\u{2bff}').contains(&c)
                && !('\u{3000}'..='\u{303f}').contains(&c))
        {
            Class::Lower
        } else {
            Class::Other
        };
        let boundary = class == Class::Other
            || (prev == Class::Lower && class == Class::Upper)
            || ((prev == Class::Digit) != (class == Class::Digit) && prev != Class::Other);
        if boundary && !current.is_empty() {
            out.push(core::mem::take(&mut current));
        }
        if class != Class::Other {
            fold_into(c, &mut current);
        }
        prev = class;
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Appends `c` lowercased (ASCII and Latin-1), with Latin diacritics removed (`É` → `e`,
/// `ß` → `ss`).
fn fold_into(c: char, out: &mut String) {
    if c == 'ß' {
        out.push_str("ss");
        return;
    }
    let folded = u32::from(c)
        .checked_sub(0xc0)
        .and_then(|i| FOLDS.get(i as usize))
        .filter(|&&b| b != b'.');
    out.push(folded.map_or_else(|| c.to_ascii_lowercase(), |&b| char::from(b)));
}

/// The ASCII letter each character from U+00C0 to U+017F folds to, `.` where it stays as it is
/// (Latin-1 Supplement and Latin Extended-A, 32 characters a line): a table instead of a `match`,
/// which compiles to several times its size.
const FOLDS: &[u8; 192] = b"aaaaaa.ceeeeiiii.nooooo.ouuuuy..\
    aaaaaa.ceeeeiiii.nooooo.ouuuuy.y\
    .a.a.a.c.....c.....e...e.e.e....\
    ...........i...i.i..............\
    .ll.n...n....o...o.........s....\
    ss.........u...u.u........z.zzz.";

/// What a page tells about an input when looking for a honeypot: a field humans never see or
/// fill, which only bots fill in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrapFacts<'a> {
    /// The input itself.
    pub input: Input<'a>,
    /// The `class` attribute of the input and of its wrapper, space-separated.
    pub class: &'a str,
    /// Humans cannot see it ([`hidden_from_humans`]).
    pub hidden: bool,
    /// It has a negative `tabindex`, so keyboards skip it.
    pub untabbable: bool,
    /// It or an ancestor has `aria-hidden="true"`.
    pub aria_hidden: bool,
}

/// Where a control sits, as the page measures it: whether the browser renders it at all (it has
/// layout boxes, is not `visibility: hidden` and not fully transparent), and its box in CSS
/// pixels, `right` and `bottom` measured from the page's top-left corner (scrolling included).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Layout {
    /// The browser renders it.
    pub rendered: bool,
    /// Its width.
    pub width: f64,
    /// Its height.
    pub height: f64,
    /// Its right edge, from the page's left.
    pub right: f64,
    /// Its bottom edge, from the page's top.
    pub bottom: f64,
}

/// Whether humans cannot see a control ([`TrapFacts::hidden`]): not rendered, smaller than 2×2
/// pixels, or placed off the page to the left or the top (the usual `left: -9999px`).
#[must_use]
pub fn hidden_from_humans(l: &Layout) -> bool {
    !l.rendered || l.width < 2.0 || l.height < 2.0 || l.right <= 0.0 || l.bottom <= 0.0
}

/// Words that name a honeypot.
const HONEYPOT_WORDS: &str = "honeypot hpot hp gotcha trap botcheck nospam antispam";

/// What one control of a submitted form is, as far as the page has measured it ([`judge`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Control {
    /// Not a honeypot: the customer field it holds, if any.
    Field(Option<Field>),
    /// A filled honeypot: the submission is spam.
    Honeypot,
    /// A honeypot only if humans cannot see it: its [`Layout`] decides.
    Unmeasured,
}

/// One control of a submitted form, as the page reads it: its facts, what it submits and, once
/// measured, its layout.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SubmittedControl<'a> {
    /// Its facts (their `hidden` is not used: the layout decides).
    pub facts: TrapFacts<'a>,
    /// Its value.
    pub value: &'a str,
    /// Whether it is checked (only a checkbox or a radio button that is submits its value).
    pub checked: bool,
    /// Its layout, once measured.
    pub layout: Option<Layout>,
}

/// What a submitted form holds ([`read_submission`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormVerdict<'a> {
    /// A honeypot is filled: the submission is spam and nothing fires.
    Spam,
    /// Whether it is spam depends on whether humans can see some controls: ask again with the
    /// layouts.
    Measure,
    /// Not spam: the customer fields' `user_data` keys and raw values.
    Fields(Vec<(Key, &'a str)>),
}

/// One control of a submitted form. One that submits nothing (a blank value, a checkbox or a
/// radio button not checked) is neither a field nor a honeypot: a honeypot counts only when
/// filled. Hiding can only make a field a honeypot, never stop it being one, so without a layout
/// a control is judged as if hidden: the page measures (a forced layout) only when an answer
/// depends on it.
fn judge(c: &SubmittedControl<'_>) -> Control {
    // A control's `type` property is lowercase.
    let unchecked = !c.checked && matches!(c.facts.input.input_type, "checkbox" | "radio");
    if unchecked || c.value.trim().is_empty() {
        return Control::Field(None);
    }
    let facts = TrapFacts {
        hidden: c.layout.as_ref().is_none_or(hidden_from_humans),
        ..c.facts
    };
    if !is_honeypot(&facts) {
        Control::Field(classify(&facts.input))
    } else if c.layout.is_some() {
        Control::Honeypot
    } else {
        Control::Unmeasured
    }
}

/// A submitted form's controls → what it holds. A control that submits nothing (a blank value, a
/// checkbox or a radio button not checked) is neither a field nor a honeypot, and one filled
/// honeypot makes the whole submission spam. Whether a control is a honeypot may depend on
/// whether humans can see it ([`hidden_from_humans`]): then its layout is needed.
#[must_use]
pub fn read_submission<'a>(controls: &[SubmittedControl<'a>]) -> FormVerdict<'a> {
    let mut fields = Vec::new();
    let mut measure = false;
    for c in controls {
        match judge(c) {
            Control::Honeypot => return FormVerdict::Spam,
            Control::Unmeasured => measure = true,
            Control::Field(Some(f)) => fields.extend(entries(f, c.value)),
            Control::Field(None) => {}
        }
    }
    if measure {
        FormVerdict::Measure
    } else {
        FormVerdict::Fields(fields)
    }
}

/// Whether an input is a honeypot: named like one (`honeypot`, `_gotcha`, `bot-field`, `hp_…`,
/// a label saying "leave this blank"), or hidden from humans in a way a legitimate field is
/// not (invisible and also skipped by the keyboard, hidden from assistive technology, or with
/// autofill turned off). `type="hidden"` inputs are never honeypots: scripts fill them.
///
/// A honeypot that holds a value marks the submission as spam; the module then fires nothing.
#[must_use]
pub fn is_honeypot(facts: &TrapFacts<'_>) -> bool {
    let input = &facts.input;
    if input.input_type.eq_ignore_ascii_case("hidden") {
        return false;
    }
    let named = [input.name, input.id, facts.class, input.label]
        .iter()
        .any(|text| {
            let w = words(text);
            let has = |x: &str| w.iter().any(|y| y == x);
            w.iter().any(|y| text::in_table(HONEYPOT_WORDS, y))
                || (has("bot") && has("field"))
                || (has("leave") && (has("blank") || has("empty")))
                || (has("fill") && (has("not") || has("dont") || has("don")))
        });
    let autofill_off = input.autocomplete.trim().eq_ignore_ascii_case("off");
    named || (facts.hidden && (facts.untabbable || facts.aria_hidden || autofill_off))
}

/// Splits a full name into first and last: `"Jane Q. Doe"` → (`Jane`, `Doe`), `"Doe, Jane"` →
/// (`Jane`, `Doe`), one word → first name only.
#[must_use]
pub fn split_full_name(full: &str) -> (Option<&str>, Option<&str>) {
    if let Some((last, first)) = text::split_once_at(full, b',') {
        let (only, last_of_many) = first_and_last(last);
        return (first_and_last(first).0, last_of_many.or(only));
    }
    first_and_last(full)
}

/// The first and the last of the words of `s` (separated by Unicode white space, as
/// `split_whitespace` separates them); the last is `None` when there is only one word. Two
/// searches over `char_indices` instead of `SplitWhitespace`, whose searches in both directions
/// are several times their size.
fn first_and_last(s: &str) -> (Option<&str>, Option<&str>) {
    let s = s.trim();
    let space = |&(_, c): &(usize, char)| c.is_whitespace();
    match (s.char_indices().find(space), s.char_indices().rfind(space)) {
        (Some((i, _)), Some((j, c))) => (s.get(..i), s.get(j + c.len_utf8()..)),
        _ => ((!s.is_empty()).then_some(s), None),
    }
}

/// The `user_data` keys and raw values a field's value gives: one, or two for a full name.
#[must_use]
pub fn entries(field: Field, value: &str) -> Vec<(Key, &str)> {
    let mut out = Vec::new();
    match field.key() {
        Some(key) => out.push((key, value)),
        None => {
            let (first, last) = split_full_name(value);
            if let Some(first) = first {
                out.push((Key::Fn, first));
            }
            if let Some(last) = last {
                out.push((Key::Ln, last));
            }
        }
    }
    out
}

/// The name of `key` in the `user` object of the browser's `POST e` and the server-event API:
/// `email`, `phone`, `first_name`, `last_name`, `gender`, `date_of_birth`, `city`, `state`,
/// `zip`, `country`, `external_id`.
#[must_use]
pub const fn user_name(key: Key) -> &'static str {
    match key {
        Key::Em => "email",
        Key::Ph => "phone",
        Key::Fn => "first_name",
        Key::Ln => "last_name",
        Key::Ge => "gender",
        Key::Db => "date_of_birth",
        Key::Ct => "city",
        Key::St => "state",
        Key::Zp => "zip",
        Key::Country => "country",
        Key::ExternalId => "external_id",
    }
}

/// The key a site names in `capiflare('track', …, {user})` or `capiflare('identify', …)`:
/// a [`user_name`] (`email`) or Meta's own key (`em`).
#[must_use]
pub fn user_key(name: &str) -> Option<Key> {
    Key::ALL
        .iter()
        .find(|k| user_name(**k) == name || k.as_str() == name)
        .copied()
}

/// Normalizes and hashes raw values into the `user` object's fields (by [`user_name`], in the
/// order of [`Key::ALL`]), each a list of distinct SHA-256 hex values. The first country given
/// is the context for phone numbers and zip codes. Values that normalize to nothing are left
/// out, as are keys left without a value. Already hashed values pass through.
#[must_use]
pub fn hash_user(
    values: &[(Key, &str)],
    current_year: u16,
    lower: pii::Lower,
) -> Vec<(&'static str, Vec<String>)> {
    let plain = pii::Context {
        country: None,
        current_year,
        lower,
    };
    let mut country = None;
    for (k, v) in values {
        if country.is_none() && *k == Key::Country && !pii::is_sha256_hex(v.trim()) {
            country = pii::normalize(Key::Country, v, &plain);
        }
    }
    let ctx = pii::Context {
        country: country.as_deref(),
        current_year,
        lower,
    };
    let mut out = Vec::new();
    for &key in &Key::ALL {
        let mut list: Vec<String> = Vec::new();
        for (k, raw) in values {
            if *k == key
                && let Some(hash) = pii::hash(key, raw, &ctx)
                && !list.contains(&hash)
            {
                list.push(hash);
            }
        }
        if !list.is_empty() {
            out.push((user_name(key), list));
        }
    }
    out
}

/// The page's URL as `event_source_url`: without its `#fragment`, and without every query
/// parameter whose name is a customer field ([`classify`] on the name: `email`, `phone`,
/// `name`, `zip`, …) or whose value reads like an email address. A path that holds an email
/// address is cut back to `/`. The parameters kept are written back byte for byte.
#[must_use]
pub fn strip_personal_query(url: &str) -> String {
    let url = text::split(url, b'#').next().unwrap_or_default();
    let (base, query) = text::split_once_at(url, b'?').unwrap_or((url, ""));
    let personal = |s: &str| crate::event::looks_personal(&decoded(s));
    let mut out = match origin_of(base) {
        Some(origin) if personal(base) => text::cat(&[origin, "/"]),
        _ => base.to_owned(),
    };
    let mut first = true;
    for pair in text::split(query, b'&') {
        let (name, value) = text::split_once_at(pair, b'=').unwrap_or((pair, ""));
        let name = decoded(name);
        let as_field = Input {
            input_type: "text",
            name: &name,
            ..Input::default()
        };
        if !pair.is_empty() && classify(&as_field).is_none() && !personal(value) {
            out.push(if first { '?' } else { '&' });
            out.push_str(pair);
            first = false;
        }
    }
    out
}

/// Percent-decoded as `URLSearchParams` does; empty when not UTF-8.
fn decoded(s: &str) -> String {
    text::percent_decode(s).unwrap_or_default()
}

/// `scheme://host[:port]` of an absolute URL.
fn origin_of(url: &str) -> Option<&str> {
    let after = text::find(url, "://")? + 3;
    let end = url
        .get(after..)?
        .bytes()
        .position(|b| b == b'/')
        .map_or(url.len(), |i| after + i);
    url.get(..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The classic honeypot: untabbable, autofill off; one only if humans cannot see it.
    fn classic_trap() -> TrapFacts<'static> {
        TrapFacts {
            input: Input {
                input_type: "text",
                name: "website",
                autocomplete: "off",
                ..Input::default()
            },
            untabbable: true,
            ..TrapFacts::default()
        }
    }

    /// A layout humans see.
    const SEEN: Layout = Layout {
        rendered: true,
        width: 200.0,
        height: 20.0,
        right: 400.0,
        bottom: 300.0,
    };

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn hidden_from_humans_by_layout() {
        let seen = Layout {
            rendered: true,
            width: 200.0,
            height: 20.0,
            right: 400.0,
            bottom: 300.0,
        };
        assert!(!hidden_from_humans(&seen));
        for hidden in [
            Layout {
                rendered: false,
                ..seen
            },
            Layout { width: 1.0, ..seen },
            Layout {
                height: 1.5,
                ..seen
            },
            Layout {
                right: -9799.0,
                ..seen
            },
            Layout {
                bottom: 0.0,
                ..seen
            },
        ] {
            assert!(hidden_from_humans(&hidden), "{hidden:?}");
        }
        assert!(
            !hidden_from_humans(&Layout {
                width: 2.0,
                height: 2.0,
                ..seen
            }),
            "2×2 is seen"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn tables_single_spaced() {
        let tables = [
            IGNORED_TYPES,
            KNOWN_OTHER_AUTOCOMPLETE,
            GENDER_WORDS,
            VETO,
            NAME_VETO,
            PLACE_VETO,
            HONEYPOT_WORDS,
        ];
        for table in tables.into_iter().chain(RULES.map(|(_, phrases)| phrases)) {
            assert!(text::single_spaced(table), "{table}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_control_is_measured_only_when_that_decides() {
        // A filled control with these facts, measured or not.
        let filled = |facts, layout| SubmittedControl {
            facts,
            value: "x",
            checked: false,
            layout,
        };
        let trap = classic_trap();
        let seen = SEEN;
        let off_page = Layout {
            right: -9799.0,
            ..seen
        };
        assert_eq!(judge(&filled(trap, None)), Control::Unmeasured);
        assert_eq!(judge(&filled(trap, Some(off_page))), Control::Honeypot);
        assert_eq!(judge(&filled(trap, Some(seen))), Control::Field(None));
        // `hidden` as given is not used: the layout decides.
        let claimed = TrapFacts {
            hidden: true,
            ..trap
        };
        assert_eq!(judge(&filled(claimed, Some(seen))), Control::Field(None));
        let email = TrapFacts {
            input: Input {
                input_type: "email",
                name: "email",
                ..Input::default()
            },
            ..TrapFacts::default()
        };
        assert_eq!(
            judge(&filled(email, None)),
            Control::Field(Some(Field::Email))
        );
        let named = TrapFacts {
            input: Input {
                name: "_gotcha",
                ..Input::default()
            },
            ..TrapFacts::default()
        };
        assert_eq!(
            judge(&filled(named, Some(seen))),
            Control::Honeypot,
            "named like one"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_submission_is_spam_with_one_filled_honeypot_and_reads_only_what_is_submitted() {
        let control = |input_type, name, value, checked| SubmittedControl {
            facts: TrapFacts {
                input: Input {
                    input_type,
                    name,
                    ..Input::default()
                },
                ..TrapFacts::default()
            },
            value,
            checked,
            layout: None,
        };
        let email = control("email", "email", "jo@example.com", false);
        // Named like a honeypot, and measured: humans see it.
        let gotcha = |value| SubmittedControl {
            layout: Some(SEEN),
            ..control("text", "_gotcha", value, false)
        };
        let fields = |list: &[(Key, &'static str)]| FormVerdict::Fields(list.to_vec());
        assert_eq!(
            read_submission(&[email, gotcha("x")]),
            FormVerdict::Spam,
            "one filled honeypot: the whole submission is spam"
        );
        assert_eq!(
            read_submission(&[email, gotcha(" \t")]),
            fields(&[(Key::Em, "jo@example.com")]),
            "a blank honeypot is not filled"
        );
        let opted = |checked| control("radio", "gender", "female", checked);
        assert_eq!(
            read_submission(&[opted(false), email]),
            fields(&[(Key::Em, "jo@example.com")]),
            "an unchecked radio button submits nothing"
        );
        assert_eq!(
            read_submission(&[opted(true)]),
            fields(&[(Key::Ge, "female")]),
            "a checked one submits its value"
        );
        let trap = SubmittedControl {
            facts: classic_trap(),
            value: "https://spam.example",
            ..SubmittedControl::default()
        };
        assert_eq!(
            read_submission(&[email, trap]),
            FormVerdict::Measure,
            "a control that is a honeypot only if hidden: measured"
        );
        assert_eq!(judge(&email), Control::Field(Some(Field::Email)));
        assert_eq!(judge(&trap), Control::Unmeasured, "the one to measure");
        assert_eq!(
            read_submission(&[trap, gotcha("x")]),
            FormVerdict::Spam,
            "a filled honeypot: spam, whatever the measure would tell"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn word_splitting() {
        assert_eq!(words("firstName"), ["first", "name"]);
        assert_eq!(words("0-1/email"), ["0", "1", "email"]);
        assert_eq!(words("ADDRESS[zip]"), ["address", "zip"]);
        assert_eq!(words("Prénom *"), ["prenom"]);
        assert_eq!(words("email2"), ["email", "2"]);
        assert_eq!(words("Straße"), ["strasse"]);
        assert_eq!(words("ÉCOLE–Prénom"), ["ecole", "prenom"]);
        assert_eq!(words("ÀÆŽžſÿ Łódź"), ["aÆzzſy", "lodz"]);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn full_names() {
        assert_eq!(
            split_full_name(" Jane Q. Doe "),
            (Some("Jane"), Some("Doe"))
        );
        assert_eq!(split_full_name("Doe, Jane"), (Some("Jane"), Some("Doe")));
        assert_eq!(split_full_name("Jane"), (Some("Jane"), None));
        assert_eq!(split_full_name(""), (None, None));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn full_names_as_split_whitespace() {
        fn std(full: &str) -> (Option<&str>, Option<&str>) {
            if let Some((last, first)) = full.split_once(',') {
                return (
                    first.split_whitespace().next(),
                    last.split_whitespace().next_back(),
                );
            }
            let mut words = full.split_whitespace();
            (words.next(), words.next_back())
        }
        for full in [
            "",
            " ",
            ",",
            " , ",
            "a",
            " a ",
            "a b",
            "a\u{3000}b\u{85}",
            "\u{a0}é b c\t",
            "a,",
            ",b",
            "x y, a b",
            "x\u{2028}y ,\u{2029}a b ",
            "Doe , Jane Q.",
            "\u{feff}a b",
        ] {
            assert_eq!(split_full_name(full), std(full), "{full:?}");
        }
    }
}
