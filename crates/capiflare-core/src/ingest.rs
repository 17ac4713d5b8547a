//! The ingest decision, shared by the browser route (`POST e`) and the server-event API
//! (`POST api/events`): parse the body, apply consent, prepare every event, pick its pixels and
//! add Limited Data Use. The worker performs what [`plan`] returns (store, enqueue, answer) and
//! decides nothing itself.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use serde::Deserialize;
use serde_json::Value;

use crate::config::{Config, is_test_event_code};
use crate::consent::{self, Decision, Inputs, Signal};
use crate::event::{self, Arrival, IncomingEvent, ServerEvent};
use crate::{Error, capi, event_id};

/// What arrived, and what the edge knows about it.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The request body, as text (the browser sends `text/plain` JSON).
    pub body: &'a str,
    /// The edge's clock, Unix seconds.
    pub now_secs: u64,
    /// 16 random bytes; event ids the request lacks are derived from them.
    pub seed: [u8; 16],
    /// True for the browser route: raw personal data is refused, GPC and the consent policy
    /// apply, and IP and User-Agent come from the connection.
    pub browser: bool,
    /// `Sec-GPC: 1` was sent.
    pub gpc: bool,
    /// The connecting client's IP (`CF-Connecting-IP`).
    pub client_ip: Option<&'a str>,
    /// The connecting client's `User-Agent`.
    pub user_agent: Option<&'a str>,
    /// The edge's idea of the client's country (ISO alpha-2) and region (`regionCode`).
    pub country: Option<&'a str>,
    /// See `country`.
    pub region: Option<&'a str>,
}

/// A refused request: 400 with this error, and the index of the first bad event when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Why.
    pub error: Error,
    /// The index, in the request's `events`, of the event at fault.
    pub index: Option<usize>,
}

/// One ledger row to insert: an event for one pixel.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The pixel it goes to.
    pub pixel_id: String,
    /// Its index in the request.
    pub index: usize,
    /// The event exactly as Meta will receive it.
    pub event: ServerEvent,
}

/// What the worker must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// Consent or GPC says nothing may happen: store nothing, answer 204.
    Silent,
    /// Insert these rows once each, enqueue their pixels, answer 202.
    Store {
        /// The rows, in request order.
        rows: Vec<Row>,
        /// Well-formed but unusable events: (index, code).
        rejected: Vec<(usize, &'static str)>,
        /// Every event's id, in request order, rejected ones included.
        event_ids: Vec<String>,
        /// The test code these events carry (the request's, else `TEST_EVENT_CODE`).
        test_event_code: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    #[serde(default)]
    test_event_code: Option<String>,
    #[serde(default)]
    consent: Option<String>,
    events: Vec<Value>,
}

const fn refuse(error: Error, index: Option<usize>) -> Refusal {
    Refusal { error, index }
}

/// The `consent` field of a browser or API body: `"granted"`, `"denied"` or absent.
///
/// # Errors
/// [`Error::BodyInvalid`] for any other value.
pub fn consent_answer(answer: Option<&str>) -> Result<Option<Signal>, Error> {
    match answer {
        None => Ok(None),
        Some("granted") => Ok(Some(Signal::Granted)),
        Some("denied") => Ok(Some(Signal::Denied)),
        Some(_) => Err(Error::BodyInvalid),
    }
}

/// Whether the edge may act for a browser (GPC already excluded): the page's own answer, else
/// the site's policy for the visitor's country. The page reads the CMPs; the edge cannot.
#[must_use]
pub fn browser_allows(config: &Config, country: Option<&str>, explicit: Option<Signal>) -> bool {
    consent::decide(&Inputs {
        gpc: false,
        policy: config.consent_policy,
        country: country.map(str::to_owned),
        explicit,
        cmp: None,
    }) == Decision::Allow
}

/// What the page asks of `POST c`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CookieAsk {
    /// The landing URL's click id, case kept.
    #[serde(default)]
    pub fbclid: Option<String>,
    /// The page's consent answer: `"granted"`, `"denied"` or absent.
    #[serde(default)]
    pub consent: Option<String>,
}

/// An event id derived from the request's random seed and the event's position.
fn derived_id(seed: &[u8; 16], index: usize) -> String {
    let mut input = [0u8; 24];
    for (i, b) in input
        .iter_mut()
        .zip(seed.iter().chain(&(index as u64).to_le_bytes()))
    {
        *i = *b;
    }
    let digest = crate::sha256::digest(&input);
    let mut bytes = [0u8; 16];
    for (b, d) in bytes.iter_mut().zip(digest) {
        *b = d;
    }
    event_id::from_random(bytes)
}

/// Decide what to do with one ingest request.
///
/// # Errors
/// A [`Refusal`] when the request is malformed: the whole request is refused (400).
pub fn plan(config: &Config, req: &Request<'_>) -> Result<Plan, Refusal> {
    let env: Envelope =
        serde_json::from_str(req.body).map_err(|_| refuse(Error::BodyInvalid, None))?;
    let explicit = consent_answer(env.consent.as_deref()).map_err(|e| refuse(e, None))?;
    // The site's backend answers for its own visitors; GPC and the policy guard the browser route.
    let allowed = if req.browser {
        !req.gpc && browser_allows(config, req.country, explicit)
    } else {
        explicit != Some(Signal::Denied)
    };
    if !allowed {
        return Ok(Plan::Silent);
    }
    if env.events.is_empty() {
        return Err(refuse(Error::BatchEmpty, None));
    }
    if env.events.len() > capi::MAX_BATCH {
        return Err(refuse(Error::BatchTooLarge, None));
    }
    let test_event_code = env
        .test_event_code
        .or_else(|| config.test_event_code.clone());
    if test_event_code
        .as_deref()
        .is_some_and(|c| !is_test_event_code(c))
    {
        return Err(refuse(Error::TestEventCodeInvalid, None));
    }
    let ldu = consent::data_processing_options(
        config.ldu,
        if req.browser { req.country } else { None },
        if req.browser { req.region } else { None },
    );
    let current_year = event::civil_year(req.now_secs);
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    let mut event_ids = Vec::with_capacity(env.events.len());
    for (i, raw) in env.events.into_iter().enumerate() {
        let incoming: IncomingEvent =
            serde_json::from_value(raw).map_err(|_| refuse(Error::BodyInvalid, Some(i)))?;
        let fresh = derived_id(&req.seed, i);
        let pixels: Vec<&str> = match incoming.pixel_id.as_deref() {
            Some(id) => match config.pixel(Some(id)) {
                Some(p) => vec![p.id.as_str()],
                None => return Err(refuse(Error::PixelUnknown, Some(i))),
            },
            None => config
                .pixels
                .iter()
                .filter(|p| p.wants(incoming.event_name.trim()))
                .map(|p| p.id.as_str())
                .collect(),
        };
        let at = Arrival {
            now_secs: req.now_secs,
            current_year,
            fresh_event_id: &fresh,
            client_ip: if req.browser { req.client_ip } else { None },
            user_agent: if req.browser { req.user_agent } else { None },
            require_hashed: req.browser,
        };
        let prepared = event::prepare(&incoming, &at).and_then(|ev| {
            if pixels.is_empty() {
                Err(Error::NoPixelForEvent)
            } else {
                Ok(ev)
            }
        });
        match prepared {
            Ok(mut ev) => {
                if let Some((options, country, state)) = &ldu {
                    ev.data_processing_options =
                        Some(options.iter().map(|o| (*o).to_owned()).collect());
                    ev.data_processing_options_country = Some(u32::from(*country));
                    ev.data_processing_options_state = Some(u32::from(*state));
                }
                event_ids.push(ev.event_id.clone());
                for pixel_id in pixels {
                    rows.push(Row {
                        pixel_id: pixel_id.to_owned(),
                        index: i,
                        event: ev.clone(),
                    });
                }
            }
            Err(e) if e.is_rejection() => {
                event_ids.push(
                    incoming
                        .event_id
                        .as_deref()
                        .map_or_else(|| fresh.clone(), |s| s.trim().to_owned()),
                );
                rejected.push((i, e.code()));
            }
            Err(e) => return Err(refuse(e, Some(i))),
        }
    }
    Ok(Plan::Store {
        rows,
        rejected,
        event_ids,
        test_event_code,
    })
}

/// The hashes that identify a person to erase (`DELETE api/subjects`): the body names them by
/// `email`, `phone` and `external_id`, raw or hashed, as in an event's `user`.
///
/// # Errors
/// [`Error::BodyInvalid`] for a malformed body, [`Error::NoCustomerIdentifier`] when it names
/// nobody.
pub fn erasure(body: &str, now_secs: u64) -> Result<Vec<String>, Error> {
    let user: event::IncomingUser = serde_json::from_str(body).map_err(|_| Error::BodyInvalid)?;
    let hashed = event::hash_user(&user, event::civil_year(now_secs), false)?;
    let hashes: Vec<String> = ["em", "ph", "external_id"]
        .iter()
        .filter_map(|k| hashed.get(*k))
        .flatten()
        .cloned()
        .collect();
    if hashes.is_empty() {
        return Err(Error::NoCustomerIdentifier);
    }
    Ok(hashes)
}
