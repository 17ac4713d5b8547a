//! capiflare's edge worker: the server half of every conversion.
//!
//! Thin by design: it reads the request, the clock, randomness, the bindings and the settings,
//! asks `capiflare-core` for every decision, and performs what the core returns: D1 writes,
//! queue messages, Graph API calls, HTTP answers. Persist first, send second (ARCHITECTURE.md).
#![forbid(unsafe_code)]

mod assets;
mod cookies;
mod deliver;
mod http;
mod ingest;
mod inspect;
mod settings;
mod store;

use worker::{
    Context, Env, MessageBatch, Method, Request, Response, Result, ScheduleContext, ScheduledEvent,
    event,
};

use crate::http::{ApiError, error_response};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let settings = match settings::Settings::load(&env) {
        Ok(s) => s,
        Err(e) => {
            worker::console_error!("capiflare: configuration error: {e}");
            return error_response(&ApiError::config(e));
        }
    };
    let path = req.path();
    let Some(route) = path.strip_prefix(settings.config.route_prefix.as_str()) else {
        return env.assets("ASSETS")?.fetch_request(req).await;
    };
    let route = route.to_owned();
    let result = match (req.method(), route.as_str()) {
        (Method::Get, "/healthz") => http::json(200, &serde_json::json!({ "ok": true })),
        (Method::Get, "/t.js") => assets::loader(&req, &env, &settings).await,
        (Method::Get, r) if assets::hashed_type(r).is_some() => assets::hashed(&env, r).await,
        (Method::Post, "/c") => cookies::handle(req, &env, &settings).await,
        (Method::Post, "/e") => ingest::browser(req, &env, &settings).await,
        (Method::Options, "/e" | "/c") => http::preflight(&req, &settings),
        (Method::Post, "/api/events") => ingest::server(req, &env, &settings).await,
        (Method::Delete, "/api/subjects") => inspect::erase(req, &env, &settings).await,
        (Method::Get, r) if r.starts_with("/api/events/") => {
            inspect::event(&req, &env, &settings, r.trim_start_matches("/api/events/")).await
        }
        _ => Err(ApiError::new(404, "not_found", "no such route")),
    };
    result.or_else(|e| error_response(&e))
}

#[event(queue)]
async fn queue(batch: MessageBatch<deliver::Kick>, env: Env, _ctx: Context) -> Result<()> {
    let settings =
        settings::Settings::load(&env).map_err(|e| worker::Error::RustError(e.to_string()))?;
    if batch.queue() == deliver::DEAD_QUEUE {
        return deliver::dead_letters(batch, &env).await;
    }
    deliver::consume(batch, &env, &settings).await
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    match settings::Settings::load(&env) {
        Ok(settings) => {
            if let Err(e) = deliver::sweep(&env, &settings).await {
                worker::console_error!("capiflare: sweep failed: {e}");
            }
        }
        Err(e) => worker::console_error!("capiflare: configuration error: {e}"),
    }
}
