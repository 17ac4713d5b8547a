//! Prints the core's cost per event: normalizing and hashing a full set of customer fields, and
//! building and serializing a 1,000-event CAPI request. Run: `cargo bench -p capiflare-core`.
#![allow(clippy::disallowed_methods, missing_docs)] // a benchmark reads the clock; the core never does

use std::hint::black_box;
use std::time::Instant;

use capiflare_core::capi;
use capiflare_core::event::{self, Arrival, IncomingEvent};

fn incoming(i: usize) -> IncomingEvent {
    serde_json::from_value(serde_json::json!({
        "event_name": "Lead",
        "event_id": format!("evt-{i}"),
        "event_source_url": "https://www.example.com/contact",
        "user": {
            "email": " John_Smith@Gmail.com ", "phone": "+1 (650) 555-1212",
            "first_name": "Valéry", "last_name": "Smith-Jones", "city": "New York",
            "state": "California", "zip": "94035-1234", "country": "United States",
            "date_of_birth": "2/16/1997", "gender": "female", "external_id": "User 12345",
            "client_ip_address": "2001:db8::1", "client_user_agent": "Mozilla/5.0 (bench)",
            "fbc": "fb.1.1795000000000.AbC-x_1", "fbp": "fb.1.1795000000000.1234567890"
        },
        "custom_data": { "value": 12.5, "currency": "EUR" }
    }))
    .expect("bench input parses")
}

fn main() {
    let now = 1_795_450_000;
    let at = Arrival {
        now_secs: now,
        current_year: event::civil_year(now),
        fresh_event_id: "unused",
        client_ip: None,
        user_agent: None,
        require_hashed: false,
    };
    let inputs: Vec<IncomingEvent> = (0..1000).map(incoming).collect();

    // Warm up, then measure.
    for ev in inputs.iter().take(100) {
        black_box(event::prepare(ev, &at).expect("valid"));
    }
    let rounds = 5;
    let start = Instant::now();
    let mut prepared = Vec::new();
    for _ in 0..rounds {
        prepared = inputs
            .iter()
            .map(|ev| event::prepare(ev, &at).expect("valid"))
            .collect();
    }
    let per_event = start.elapsed() / (rounds * 1000);
    println!("normalize + hash + validate, 11 customer fields: {per_event:?} per event");

    let start = Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        let body = capi::request_body(black_box(&prepared), Some("TOKEN"), None).expect("≤ 1,000");
        bytes = body.len();
    }
    let per_request = start.elapsed() / rounds;
    println!(
        "build + serialize a 1,000-event request: {per_request:?} ({:?} per event, {bytes} bytes)",
        per_request / 1000
    );
}
