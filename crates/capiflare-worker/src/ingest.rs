//! `POST e` (the browser) and `POST api/events` (the site's backend): one pipeline.
//! validate → origin or key → rate limit → consent → enrich → insert once → enqueue → 202.
//! The decisions are the core's ([`capiflare_core::ingest::plan`]); this file does the I/O.

use capiflare_core::capi;
use capiflare_core::ingest::{self, Plan, Refusal};
use serde::Serialize;
use worker::{Env, Request};

use crate::deliver;
use crate::http::{self, ApiError, Reply};
use crate::settings::Settings;
use crate::store::{self, NewRow};

/// A browser sends one conversion at a time; 64 KiB is generous for it.
const BROWSER_BODY_LIMIT: usize = 64 * 1024;
/// 1,000 server events with rich custom data.
const SERVER_BODY_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Serialize)]
struct Accepted<'a> {
    accepted: usize,
    duplicates: usize,
    rejected: Vec<RejectedItem>,
    event_ids: &'a [String],
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    dry_run: bool,
}

#[derive(Serialize)]
struct RejectedItem {
    index: usize,
    code: &'static str,
}

pub(crate) fn now_ms() -> u64 {
    // Date.now() is a whole number of milliseconds.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let ms = worker::Date::now().as_millis();
    ms
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|_| ApiError::new(500, "internal_error", "no randomness available"))?;
    Ok(bytes)
}

/// The visitor's country and region, as the edge places them.
pub(crate) fn geo(req: &Request) -> (Option<String>, Option<String>) {
    req.cf()
        .map(|cf| {
            (
                cf.country().map(|c| c.to_ascii_lowercase()),
                cf.region_code(),
            )
        })
        .unwrap_or_default()
}

pub(crate) async fn browser(mut req: Request, env: &Env, settings: &Settings) -> Reply {
    let call = http::browser_call(&req, env, settings).await?;
    if call.gpc {
        // Nothing may happen: do not even read the body.
        return http::with_cors(http::silent()?, &call.origin);
    }
    let body = http::body(&mut req, BROWSER_BODY_LIMIT).await?;
    let ua = http::header(req.headers(), "User-Agent");
    let (country, region) = geo(&req);
    let request = ingest::Request {
        body: &body,
        now_secs: now_ms() / 1000,
        seed: random()?,
        browser: true,
        gpc: call.gpc,
        client_ip: call.ip.as_deref(),
        user_agent: ua.as_deref(),
        country: country.as_deref(),
        region: region.as_deref(),
    };
    let mut reply = run(env, settings, &request, "browser").await?;
    // Stored (consent allowed it): the cookies the page sent it with, written again.
    if reply.status_code() == 202 {
        crate::cookies::refresh(&req, &mut reply, settings)?;
    }
    http::with_cors(reply, &call.origin)
}

pub(crate) async fn server(mut req: Request, env: &Env, settings: &Settings) -> Reply {
    http::authorize(&req, settings)?;
    http::rate_limit(env, "RL_KEY", "api").await?;
    let body = http::body(&mut req, SERVER_BODY_LIMIT).await?;
    let request = ingest::Request {
        body: &body,
        now_secs: now_ms() / 1000,
        seed: random()?,
        browser: false,
        gpc: false,
        client_ip: None,
        user_agent: None,
        country: None,
        region: None,
    };
    run(env, settings, &request, "server").await
}

async fn run(env: &Env, settings: &Settings, request: &ingest::Request<'_>, source: &str) -> Reply {
    let plan = ingest::plan(&settings.config, request)
        .map_err(|Refusal { error, index }| ApiError::core(error, index))?;
    let Plan::Store {
        rows,
        rejected,
        event_ids,
        test_event_code,
    } = plan
    else {
        return http::silent();
    };
    let db = env.d1("DB")?;
    let now = now_ms();
    let mut new_rows = Vec::with_capacity(rows.len());
    for r in &rows {
        let payload = serde_json::to_string(&r.event)
            .map_err(|_| ApiError::core(capiflare_core::Error::BodyInvalid, Some(r.index)))?;
        new_rows.push(NewRow {
            index: r.index,
            pixel_id: &r.pixel_id,
            event_name: &r.event.event_name,
            event_id: &r.event.event_id,
            payload,
            event_time: r.event.event_time,
            // A pixel without a token is in dry-run: stored with the exact payload, never sent.
            status: if settings.token(&r.pixel_id).is_some() {
                "pending"
            } else {
                "dry_run"
            },
        });
    }
    let mut fresh = Vec::with_capacity(new_rows.len());
    for chunk in new_rows.chunks(capi::MAX_BATCH) {
        fresh.extend(store::insert(&db, chunk, source, test_event_code.as_deref(), now).await?);
    }
    // An event counts once, however many pixels it went to.
    let mut new_by_index = std::collections::BTreeMap::new();
    let mut kick: Vec<&str> = Vec::new();
    for (row, is_new) in new_rows.iter().zip(&fresh) {
        *new_by_index.entry(row.index).or_insert(false) |= *is_new;
        if *is_new && row.status == "pending" && !kick.contains(&row.pixel_id) {
            kick.push(row.pixel_id);
        }
    }
    let accepted = new_by_index.values().filter(|n| **n).count();
    for pixel in &kick {
        // The rows are persisted: if the queue is unavailable, the cron sweeper sends them later.
        if let Err(e) = deliver::enqueue(env, pixel, 0).await {
            worker::console_error!("capiflare: enqueue failed, the sweeper will retry: {e}");
        }
    }
    http::json(
        202,
        &Accepted {
            accepted,
            duplicates: new_by_index.len() - accepted,
            rejected: rejected
                .into_iter()
                .map(|(index, code)| RejectedItem { index, code })
                .collect(),
            event_ids: &event_ids,
            dry_run: new_rows.iter().any(|r| r.status == "dry_run"),
        },
    )
}
