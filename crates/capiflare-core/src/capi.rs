//! The Conversions API request and the meaning of Meta's answer.
//!
//! [`request_body`] builds what the worker POSTs to [`events_path`]: the JSON body
//! carries `data` (at most [`MAX_BATCH`] events), `access_token` (never in the URL) and, while
//! testing, `test_event_code`. [`classify`] reads Meta's answer into an [`Outcome`] that decides
//! what happens next: record, retry later, split the batch, or dead-letter.

use alloc::borrow::ToOwned;
use alloc::string::String;
use serde::Serialize;
use serde_json::Value;

use crate::Error;
use crate::event::ServerEvent;

/// The Graph API version capiflare targets (released 29 Jul 2026; CAPI versions live at least
/// two years). `META_API_VERSION` overrides it.
pub const GRAPH_API_VERSION: &str = "v26.0";
/// Meta accepts at most this many events in one request.
pub const MAX_BATCH: usize = 1000;
/// How long the worker waits for Meta before treating the call as a transient failure. Meta
/// recommends 1,500 ms; a batch of 1,000 events needs more.
pub const TIMEOUT_MS: u32 = 10_000;

/// The URL path of the events endpoint for one pixel.
#[must_use]
pub fn events_path(version: &str, pixel_id: &str) -> String {
    ["/", version, "/", pixel_id, "/events"].concat()
}

#[derive(Serialize)]
struct Body<'a> {
    data: &'a [ServerEvent],
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    test_event_code: Option<&'a str>,
}

/// The JSON body of a Conversions API request. Without a token (dry-run, or the copy kept for
/// the audit log) the body is the same, minus `access_token`.
///
/// # Errors
/// [`Error::BatchEmpty`] or [`Error::BatchTooLarge`].
pub fn request_body(
    events: &[ServerEvent],
    access_token: Option<&str>,
    test_event_code: Option<&str>,
) -> Result<String, Error> {
    if events.is_empty() {
        return Err(Error::BatchEmpty);
    }
    if events.len() > MAX_BATCH {
        return Err(Error::BatchTooLarge);
    }
    serde_json::to_string(&Body {
        data: events,
        access_token,
        test_event_code,
    })
    .map_err(|_| Error::BodyInvalid)
}

/// What Meta's answer means for the events of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Meta took the events.
    Success {
        /// How many events Meta says it received.
        events_received: u64,
        /// Meta's trace id for this request.
        fbtrace_id: Option<String>,
    },
    /// Try the same request again later: network failure, timeout, 5xx, throttling.
    Transient(Failure),
    /// Meta refused the content of the request. Meta rejects a whole batch when any of its events
    /// is invalid, so a batch of more than one event is split to isolate the bad ones; a single
    /// event with this answer is permanently refused.
    Rejected(Failure),
    /// Retrying or splitting cannot help (bad token, missing permission, unknown pixel):
    /// dead-letter and show it.
    Permanent(Failure),
}

/// Meta's error, as far as it told us (never contains the token: Meta does not echo it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The HTTP status, absent for a network failure or timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Graph's `error.code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// Graph's `error.error_subcode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subcode: Option<i64>,
    /// Graph's `error.message`, or what went wrong on our side of the wire.
    pub message: String,
    /// Graph's `error.fbtrace_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fbtrace_id: Option<String>,
}

/// Graph error codes that mean "slow down or try again" (Graph error handling and rate-limiting
/// pages): 1 unknown, 2 service, 4 app throttling, 17 user throttling, 32 page throttling,
/// 341 application limit, 613 custom rate limit, 80000-80099 business-use-case limits.
fn is_transient_code(code: i64) -> bool {
    matches!(code, 1 | 2 | 4 | 17 | 32 | 341 | 613) || (80_000..80_100).contains(&code)
}

/// Graph error codes about the caller, not the events: 190 invalid or expired token, 102 session,
/// 10 and 200-299 permissions, 803 unknown object (the pixel id), 368 blocked.
fn is_caller_code(code: i64) -> bool {
    matches!(code, 10 | 102 | 190 | 368 | 803) || (200..300).contains(&code)
}

/// Read Meta's answer. `status` is `None` when no HTTP answer arrived (network error, timeout);
/// `body` is whatever text came back.
#[must_use]
pub fn classify(status: Option<u16>, body: &str) -> Outcome {
    let Some(status) = status else {
        return Outcome::Transient(Failure {
            message: "no answer from the Graph API (network error or timeout)".into(),
            ..Failure::default()
        });
    };
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    if (200..300).contains(&status)
        && let Some(n) = json.get("events_received").and_then(Value::as_u64)
    {
        return Outcome::Success {
            events_received: n,
            fbtrace_id: json
                .get("fbtrace_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        };
    }
    let err = json.get("error");
    let field = |k: &str| err.and_then(|e| e.get(k));
    let failure = Failure {
        status: Some(status),
        code: field("code").and_then(Value::as_i64),
        subcode: field("error_subcode").and_then(Value::as_i64),
        message: field("message")
            .and_then(Value::as_str)
            .unwrap_or("unexpected answer from the Graph API")
            .chars()
            .take(500)
            .collect(),
        fbtrace_id: field("fbtrace_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    let transient_flag = field("is_transient").and_then(Value::as_bool) == Some(true);
    match failure.code {
        Some(c) if is_transient_code(c) => Outcome::Transient(failure),
        _ if transient_flag || status >= 500 || status == 429 || status == 408 => {
            Outcome::Transient(failure)
        }
        Some(c) if is_caller_code(c) => Outcome::Permanent(failure),
        _ if status == 401 || status == 403 || status == 404 => Outcome::Permanent(failure),
        Some(_) if (400..500).contains(&status) => Outcome::Rejected(failure),
        // A 2xx without events_received, or a 4xx without a Graph error: not Meta's shape.
        _ => Outcome::Transient(failure),
    }
}

/// Seconds to wait before delivery attempt `attempt + 1` after `attempt` transient failures
/// (1-based): about 2 s, 10 s, 30 s, then growing to at most an hour.
#[must_use]
pub fn retry_delay_secs(attempt: u32) -> u32 {
    match attempt {
        0 | 1 => 2,
        2 => 10,
        3 => 30,
        n => 60u32.saturating_mul(1 << (n - 4).min(6)).min(3600),
    }
}

/// After this many transient failures an event is dead-lettered (visible in the log, and the
/// cron sweeper keeps it until the retention ends).
pub const MAX_ATTEMPTS: u32 = 10;

/// When each Graph API version stops working (Unix seconds), from Meta's version table. v26.0 has
/// no announced date yet; CAPI versions live at least two years, so its date is the earliest it
/// can be (v25.0's).
const VERSION_ENDS: [(&str, u64); 8] = [
    ("v26.0", 1_848_441_600), // 2028-07-29 at the earliest
    ("v25.0", 1_848_441_600), // 2028-07-29
    ("v24.0", 1_834_444_800), // 2028-02-18
    ("v23.0", 1_822_953_600), // 2027-10-08
    ("v22.0", 1_810_771_200), // 2027-05-20
    ("v21.0", 1_800_489_600), // 2027-01-21
    ("v20.0", 1_790_208_000), // 2026-09-24
    ("v19.0", 1_779_321_600), // 2026-05-21
];

/// Days until `version` stops working (0 once it has), or `None` for a version this table does
/// not know.
#[must_use]
pub fn version_days_left(version: &str, now_secs: u64) -> Option<u64> {
    VERSION_ENDS
        .iter()
        .find(|(v, _)| *v == version)
        .map(|(_, end)| end.saturating_sub(now_secs) / 86_400)
}

/// Split a rejected batch into two halves, so the bad events are isolated in O(log n) rounds
/// while the good ones go through.
#[must_use]
pub fn split<T>(batch: &[T]) -> (&[T], &[T]) {
    batch.split_at(batch.len() / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn version_expiry() {
        assert_eq!(
            version_days_left("v20.0", 1_790_208_000 - 86_400 * 10),
            Some(10)
        );
        assert_eq!(version_days_left("v20.0", 1_790_208_000 + 1), Some(0));
        assert_eq!(
            version_days_left(GRAPH_API_VERSION, 0).map(|d| d > 365),
            Some(true)
        );
        assert_eq!(version_days_left("v99.0", 0), None);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn backoff_grows_and_is_bounded() {
        let d: Vec<u32> = (1..=12).map(retry_delay_secs).collect();
        assert_eq!(&d[..4], &[2, 10, 30, 60]);
        assert!(d.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*d.last().unwrap(), 3600);
    }
}
