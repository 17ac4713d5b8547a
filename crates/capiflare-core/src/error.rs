//! The one error type of the core. Every variant has a stable snake_case code (the same string
//! the browser, the HTTP API and the logs show) and a fixed message that never contains input
//! values, so no personal data can leak through an error.

use core::fmt;

/// Everything that can be wrong with an input the core was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// `_fbc`/`_fbp`: fewer than 4 or more than 5 dot-separated parts.
    CookieMissingParts,
    /// `_fbc`/`_fbp`: does not start with `fb`.
    CookieBadPrefix,
    /// `_fbc`/`_fbp`: the subdomain index is not 0, 1 or 2.
    CookieBadSubdomainIndex,
    /// `_fbc`/`_fbp`: the creation time looks like seconds, not milliseconds.
    CookieTimeNotMillis,
    /// `_fbc`/`_fbp`: the creation time is not a number.
    CookieBadTime,
    /// `_fbc`: the click id is longer than Meta accepts.
    CookieClickIdTooLong,
    /// `_fbc`/`_fbp`: the payload is empty or has characters a click id or browser id cannot have.
    CookieBadPayload,
    /// `_fbc`/`_fbp`: the fifth part (appendix) is malformed.
    CookieBadAppendix,
    /// The request body is not valid JSON of the expected shape.
    BodyInvalid,
    /// The request carries no events.
    BatchEmpty,
    /// At most 1,000 events fit in one request.
    BatchTooLarge,
    /// Event_name must be 1 to 100 letters, digits, spaces, '_' or '-'.
    EventNameInvalid,
    /// Event_id must be 1 to 100 printable characters without spaces.
    EventIdInvalid,
    /// Event_time must be Unix seconds, not milliseconds.
    EventTimeNotSeconds,
    /// Event_time is more than 7 days in the past.
    EventTooOld,
    /// Event_time is in the future.
    EventInFuture,
    /// Website events need event_source_url.
    EventSourceUrlMissing,
    /// Event_source_url must be an absolute http(s) URL.
    EventSourceUrlInvalid,
    /// Website events need client_user_agent.
    UserAgentMissing,
    /// The event carries no customer identifier (em, ph, external_id, fbc, fbp, or IP with user agent).
    NoCustomerIdentifier,
    /// Client_ip_address is not a valid IPv4 or IPv6 address.
    IpAddressInvalid,
    /// Fbc, fbp, client_ip_address and client_user_agent must not be hashed.
    MustNotBeHashed,
    /// A customer-information field is not a SHA-256 hash.
    NotHashed,
    /// User data has a field Meta does not know.
    UnknownUserField,
    /// Raw personal data found outside the hashed user fields.
    RawPersonalData,
    /// Custom_data must be a JSON object with a numeric value and a 3-letter currency.
    CustomDataInvalid,
    /// The pixel id is not one this site configured.
    PixelUnknown,
    /// No configured pixel receives events of this name (`PIXELS` lists each pixel's events).
    NoPixelForEvent,
    /// Test_event_code must be 1 to 64 letters or digits.
    TestEventCodeInvalid,
}

impl Error {
    /// The stable code: part of the public contract (HTTP error bodies, JS errors, logs).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::CookieMissingParts => "cookie_missing_parts",
            Self::CookieBadPrefix => "cookie_bad_prefix",
            Self::CookieBadSubdomainIndex => "cookie_bad_subdomain_index",
            Self::CookieTimeNotMillis => "cookie_time_not_millis",
            Self::CookieBadTime => "cookie_bad_time",
            Self::CookieClickIdTooLong => "cookie_click_id_too_long",
            Self::CookieBadPayload => "cookie_bad_payload",
            Self::CookieBadAppendix => "cookie_bad_appendix",
            Self::BodyInvalid => "body_invalid",
            Self::BatchEmpty => "batch_empty",
            Self::BatchTooLarge => "batch_too_large",
            Self::EventNameInvalid => "event_name_invalid",
            Self::EventIdInvalid => "event_id_invalid",
            Self::EventTimeNotSeconds => "event_time_not_seconds",
            Self::EventTooOld => "event_too_old",
            Self::EventInFuture => "event_in_future",
            Self::EventSourceUrlMissing => "event_source_url_missing",
            Self::EventSourceUrlInvalid => "event_source_url_invalid",
            Self::UserAgentMissing => "user_agent_missing",
            Self::NoCustomerIdentifier => "no_customer_identifier",
            Self::IpAddressInvalid => "ip_address_invalid",
            Self::MustNotBeHashed => "must_not_be_hashed",
            Self::NotHashed => "not_hashed",
            Self::UnknownUserField => "unknown_user_field",
            Self::RawPersonalData => "raw_personal_data",
            Self::CustomDataInvalid => "custom_data_invalid",
            Self::PixelUnknown => "pixel_unknown",
            Self::NoPixelForEvent => "no_pixel_for_event",
            Self::TestEventCodeInvalid => "test_event_code_invalid",
        }
    }

    /// Whether the error makes a well-formed event unusable (listed as rejected in a 202
    /// answer) rather than the request malformed (400).
    #[must_use]
    pub const fn is_rejection(self) -> bool {
        matches!(
            self,
            Self::EventTooOld
                | Self::EventInFuture
                | Self::NoCustomerIdentifier
                | Self::NoPixelForEvent
        )
    }

    /// A fixed human description; never contains the offending value.
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            Self::CookieMissingParts => "cookie value must have 4 or 5 dot-separated parts",
            Self::CookieBadPrefix => "cookie value must start with 'fb'",
            Self::CookieBadSubdomainIndex => "cookie subdomain index must be 0, 1 or 2",
            Self::CookieTimeNotMillis => {
                "cookie creation time must be in milliseconds, not seconds"
            }
            Self::CookieBadTime => "cookie creation time must be a 13-digit number of milliseconds",
            Self::CookieClickIdTooLong => "click id is too long",
            Self::CookieBadPayload => "cookie payload is empty or has invalid characters",
            Self::CookieBadAppendix => "cookie appendix is malformed",
            Self::BodyInvalid => "the request body is not valid JSON of the expected shape",
            Self::BatchEmpty => "the request carries no events",
            Self::BatchTooLarge => "at most 1,000 events fit in one request",
            Self::EventNameInvalid => {
                "event_name must be 1 to 100 letters, digits, spaces, '_' or '-'"
            }
            Self::EventIdInvalid => "event_id must be 1 to 100 printable characters without spaces",
            Self::EventTimeNotSeconds => "event_time must be Unix seconds, not milliseconds",
            Self::EventTooOld => "event_time is more than 7 days in the past",
            Self::EventInFuture => "event_time is in the future",
            Self::EventSourceUrlMissing => "website events need event_source_url",
            Self::EventSourceUrlInvalid => "event_source_url must be an absolute http(s) URL",
            Self::UserAgentMissing => "website events need client_user_agent",
            Self::NoCustomerIdentifier => {
                "the event carries no customer identifier (em, ph, external_id, fbc, fbp, or IP with user agent)"
            }
            Self::IpAddressInvalid => "client_ip_address is not a valid IPv4 or IPv6 address",
            Self::MustNotBeHashed => {
                "fbc, fbp, client_ip_address and client_user_agent must not be hashed"
            }
            Self::NotHashed => "a customer-information field is not a SHA-256 hash",
            Self::UnknownUserField => "user data has a field Meta does not know",
            Self::RawPersonalData => "raw personal data found outside the hashed user fields",
            Self::CustomDataInvalid => {
                "custom_data must be a JSON object with a numeric value and a 3-letter currency"
            }
            Self::PixelUnknown => "the pixel id is not one this site configured",
            Self::NoPixelForEvent => "no configured pixel receives events of this name",
            Self::TestEventCodeInvalid => "test_event_code must be 1 to 64 letters or digits",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for Error {}
