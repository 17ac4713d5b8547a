//! Pure logic for capiflare, shared byte for byte by the browser module and the edge worker.
//!
//! No I/O: no clock, no randomness, no network, no DOM, no Workers APIs. Every input the world
//! provides (the time, random bytes, the visitor's region) is a parameter; every effect is a
//! returned value. The shells (`capiflare-web`, `capiflare-worker`) translate between the outside
//! world and these functions and decide nothing themselves.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

extern crate alloc;

pub mod builders;
pub mod capi;
pub mod config;
pub mod consent;
pub mod cookies;
pub mod error;
pub mod event;
pub mod event_id;
pub mod fields;
pub mod ingest;
pub mod pii;
mod sha256;
mod text;

pub use error::Error;
// The browser module splits the controls the page joins, and writes numbers, with the core's own
// small helpers.
pub use text::{push_decimal, split_once_at};
