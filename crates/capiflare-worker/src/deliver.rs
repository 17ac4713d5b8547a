//! Delivery: the queue consumer that sends stored events to the Conversions API, exactly once
//! per (pixel, event_name, event_id), and the cron sweeper that is its backstop.
//!
//! Queue messages are only kicks ("pixel P has events due"); the rows in D1 are the truth. The
//! consumer claims due rows atomically (so two consumers never send the same event), sends them
//! in batches of up to 1,000, and settles each row from Meta's answer as the core classifies it.

use core::pin::pin;
use core::time::Duration;

use capiflare_core::capi::{self, Outcome};
use capiflare_core::event::{self, ServerEvent};
use futures_util::future::{Either, select};
use serde::{Deserialize, Serialize};
use worker::wasm_bindgen::JsValue;
use worker::{
    AbortController, D1Database, Delay, Env, Fetch, Headers, MessageBatch, MessageBuilder,
    MessageExt, Method, QueueRetryOptionsBuilder, Request, RequestInit, Result,
};

use crate::ingest::now_ms;
use crate::settings::Settings;
use crate::store::{self, Claimed, Settle};

/// The dead-letter queue's name, as in wrangler.toml.
pub(crate) const DEAD_QUEUE: &str = "capiflare-dead";
/// A consumer that claimed rows and died leaves them `sending`; the sweeper frees them after this.
const STALE_CLAIM_MS: u64 = 5 * 60 * 1000;
/// At most this many Graph calls per pixel per invocation; the rest waits for the next kick.
const MAX_ROUNDS: usize = 10;

/// A queue message: "pixel P has events due".
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Kick {
    pub(crate) pixel: String,
}

pub(crate) async fn enqueue(env: &Env, pixel: &str, delay_secs: u32) -> Result<()> {
    let kick = Kick {
        pixel: pixel.to_owned(),
    };
    env.queue("DELIVERY")?
        .send(MessageBuilder::new(kick).delay_seconds(delay_secs).build())
        .await
}

pub(crate) async fn consume(
    batch: MessageBatch<Kick>,
    env: &Env,
    settings: &Settings,
) -> Result<()> {
    let messages = batch.messages()?;
    let mut pixels: Vec<&str> = Vec::new();
    for m in &messages {
        if !pixels.contains(&m.body().pixel.as_str()) {
            pixels.push(&m.body().pixel);
        }
    }
    let db = env.d1("DB")?;
    for pixel in pixels {
        let retry = match drain(&db, settings, pixel).await {
            Ok(retry) => retry,
            Err(e) => {
                worker::console_error!("capiflare: delivery for pixel {pixel} failed: {e}");
                Some(capi::retry_delay_secs(1))
            }
        };
        for m in messages.iter().filter(|m| m.body().pixel == pixel) {
            match retry {
                // The queue's own retry, with a delay: rows failed transiently and are due later.
                Some(delay) => m.retry_with_options(
                    &QueueRetryOptionsBuilder::new()
                        .with_delay_seconds(delay)
                        .build(),
                ),
                None => m.ack(),
            }
        }
    }
    Ok(())
}

/// Send every due row of a pixel. Returns the delay after which a retry is due, if some rows
/// failed transiently.
async fn drain(db: &D1Database, settings: &Settings, pixel: &str) -> Result<Option<u32>> {
    let Some(token) = settings.token(pixel) else {
        return Ok(None);
    };
    let mut retry: Option<u32> = None;
    for _ in 0..MAX_ROUNDS {
        let claimed = store::claim(db, pixel, now_ms(), capi::MAX_BATCH).await?;
        if claimed.is_empty() {
            return Ok(retry);
        }
        // One request carries one test_event_code (or none).
        let mut groups: Vec<(Option<String>, Vec<Claimed>)> = Vec::new();
        for row in claimed {
            match groups
                .iter_mut()
                .find(|(code, _)| *code == row.test_event_code)
            {
                Some((_, rows)) => rows.push(row),
                None => groups.push((row.test_event_code.clone(), vec![row])),
            }
        }
        for (code, rows) in groups {
            if let Some(d) = send_rows(db, settings, pixel, &token, code.as_deref(), rows).await? {
                retry = Some(retry.map_or(d, |r| r.min(d)));
            }
        }
    }
    // More rows than one invocation should carry: come back at once.
    Ok(Some(retry.unwrap_or(0)))
}

async fn send_rows(
    db: &D1Database,
    settings: &Settings,
    pixel: &str,
    token: &str,
    test_event_code: Option<&str>,
    rows: Vec<Claimed>,
) -> Result<Option<u32>> {
    let now = now_ms();
    let mut ready: Vec<(Claimed, ServerEvent)> = Vec::with_capacity(rows.len());
    for row in rows {
        let checked = serde_json::from_str::<ServerEvent>(&row.payload)
            .map_err(|_| capiflare_core::Error::BodyInvalid)
            .and_then(|ev| event::validate(&ev, now / 1000).map(|()| ev));
        match checked {
            Ok(ev) => ready.push((row, ev)),
            Err(e) => {
                // Meta refuses a whole request for one event older than 7 days: such an event
                // goes nowhere, and the ledger says why.
                let status = if e == capiflare_core::Error::EventTooOld {
                    "stale"
                } else {
                    "dead"
                };
                let key = [(row.event_name.as_str(), row.event_id.as_str())];
                store::settle(
                    db,
                    pixel,
                    &key,
                    &Settle {
                        status,
                        max_attempts: capi::MAX_ATTEMPTS,
                        next_attempt_at: now,
                        sent_at: None,
                        error: Some(e.code()),
                        outcome: status,
                        failure: None,
                        events_received: None,
                        fbtrace_id: None,
                        batch_size: 1,
                        at: now,
                    },
                )
                .await?;
            }
        }
    }
    let mut retry = None;
    // Meta rejects a whole batch for one bad event: split until the bad ones are alone.
    let mut pending: Vec<&[(Claimed, ServerEvent)]> = vec![&ready];
    while let Some(part) = pending.pop() {
        if part.is_empty() {
            continue;
        }
        let events: Vec<ServerEvent> = part.iter().map(|(_, ev)| ev.clone()).collect();
        let body = capi::request_body(&events, Some(token), test_event_code)
            .map_err(|e| worker::Error::RustError(e.code().to_owned()))?;
        let url = [
            settings.config.graph_url.as_str(),
            &capi::events_path(&settings.config.api_version, pixel),
        ]
        .concat();
        let (status, text) = post(&url, body).await;
        let outcome = capi::classify(status, &text);
        let keys: Vec<(&str, &str)> = part
            .iter()
            .map(|(r, _)| (r.event_name.as_str(), r.event_id.as_str()))
            .collect();
        let attempts = part.iter().map(|(r, _)| r.attempts).max().unwrap_or(0) + 1;
        let at = now_ms();
        let mut settle = Settle {
            status: "sent",
            max_attempts: capi::MAX_ATTEMPTS,
            next_attempt_at: at,
            sent_at: None,
            error: None,
            outcome: "success",
            failure: None,
            events_received: None,
            fbtrace_id: None,
            batch_size: part.len(),
            at,
        };
        match &outcome {
            Outcome::Success {
                events_received,
                fbtrace_id,
            } => {
                settle.sent_at = Some(at);
                settle.events_received = Some(*events_received);
                settle.fbtrace_id = fbtrace_id.as_deref();
                worker::console_log!(
                    "capiflare: pixel {pixel}: {} events sent, Meta received {events_received}",
                    part.len()
                );
            }
            Outcome::Transient(f) => {
                let delay = capi::retry_delay_secs(attempts);
                settle.status = "pending";
                settle.next_attempt_at = at + u64::from(delay) * 1000;
                settle.error = Some("graph_transient");
                settle.outcome = "transient";
                settle.failure = Some(f);
                retry = Some(retry.map_or(delay, |r: u32| r.min(delay)));
                if attempts >= capi::MAX_ATTEMPTS {
                    worker::console_error!(
                        "capiflare: pixel {pixel}: {} events dead-lettered after {attempts} transient failures (code {:?})",
                        part.len(),
                        f.code
                    );
                } else {
                    worker::console_warn!(
                        "capiflare: pixel {pixel}: transient failure (status {:?}, code {:?}), retry in {delay} s",
                        f.status,
                        f.code
                    );
                }
            }
            Outcome::Rejected(_) if part.len() > 1 => {
                let (left, right) = capi::split(part);
                pending.push(right);
                pending.push(left);
                continue;
            }
            Outcome::Rejected(f) | Outcome::Permanent(f) => {
                let rejected = matches!(outcome, Outcome::Rejected(_));
                settle.status = "dead";
                settle.error = Some(if rejected {
                    "graph_rejected"
                } else {
                    "graph_permanent"
                });
                settle.outcome = if rejected { "rejected" } else { "permanent" };
                settle.failure = Some(f);
                worker::console_error!(
                    "capiflare: pixel {pixel}: {} events dead-lettered, Meta refused them (status {:?}, code {:?}, subcode {:?}, fbtrace_id {:?})",
                    part.len(),
                    f.status,
                    f.code,
                    f.subcode,
                    f.fbtrace_id
                );
            }
        }
        store::settle(db, pixel, &keys, &settle).await?;
    }
    Ok(retry)
}

/// POST the body; `(None, "")` when no answer came in time.
async fn post(url: &str, body: String) -> (Option<u16>, String) {
    let send = async {
        let headers = Headers::new();
        headers.set("Content-Type", "application/json")?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(JsValue::from_str(&body)));
        let controller = AbortController::default();
        let signal = controller.signal();
        let request = Fetch::Request(Request::new_with_init(url, &init)?);
        let fetch = request.send_with_signal(&signal);
        let timeout = Delay::from(Duration::from_millis(u64::from(capi::TIMEOUT_MS)));
        match select(pin!(fetch), pin!(timeout)).await {
            Either::Left((resp, _)) => {
                let mut resp = resp?;
                let text = resp.text().await.unwrap_or_default();
                Ok::<_, worker::Error>((Some(resp.status_code()), text))
            }
            Either::Right(((), _)) => {
                controller.abort();
                Ok((None, String::new()))
            }
        }
    };
    send.await.unwrap_or_else(|e| {
        worker::console_warn!("capiflare: Graph API unreachable: {e}");
        (None, String::new())
    })
}

/// The dead-letter queue: kicks the delivery queue gave up on. The rows are still in D1; send a
/// fresh kick while any are pending, so nothing is lost (rows themselves die after
/// `MAX_ATTEMPTS`).
pub(crate) async fn dead_letters(batch: MessageBatch<Kick>, env: &Env) -> Result<()> {
    let db = env.d1("DB")?;
    let due = store::due_pixels(&db, u64::MAX).await?;
    for m in batch.messages()? {
        let pixel = &m.body().pixel;
        if due.contains(pixel) {
            worker::console_warn!(
                "capiflare: delivery kick for pixel {pixel} dead-lettered; re-kicking"
            );
            enqueue(env, pixel, 60).await?;
        }
    }
    batch.ack_all();
    Ok(())
}

/// The cron sweeper: frees abandoned claims, re-enqueues anything received but not sent, purges
/// records past `RETENTION_DAYS`, and warns when the Graph API version nears its end.
pub(crate) async fn sweep(env: &Env, settings: &Settings) -> Result<()> {
    let db = env.d1("DB")?;
    let now = now_ms();
    let cutoff = now.saturating_sub(u64::from(settings.config.retention_days) * 86_400_000);
    db.batch(store::maintenance(&db, now, STALE_CLAIM_MS, cutoff)?)
        .await?;
    for pixel in store::due_pixels(&db, now).await? {
        enqueue(env, &pixel, 0).await?;
    }
    if let Some(days) = capi::version_days_left(&settings.config.api_version, now / 1000)
        && days < 180
    {
        worker::console_warn!(
            "capiflare: Graph API {} ends in {days} days: set META_API_VERSION to a newer version",
            settings.config.api_version
        );
    }
    Ok(())
}
