//! What the site owner reads and erases: `GET api/events/{event_id}`, one stored conversion's
//! story (its status, the exact hashed payload and request Meta receives, minus the token, and
//! every attempt with Meta's answer), and `DELETE api/subjects`.

use capiflare_core::capi;
use serde_json::{Value, json};
use worker::{Env, Request};

use crate::http::{self, ApiError, Reply};
use crate::settings::Settings;
use crate::store;

/// `DELETE api/subjects`: erase everything stored about a person, named by email, phone or
/// external_id (raw or hashed). Answers `{"deleted": n}`.
pub(crate) async fn erase(mut req: Request, env: &Env, settings: &Settings) -> Reply {
    http::authorize(&req, settings)?;
    let body = http::body(&mut req, 64 * 1024).await?;
    let hashes = capiflare_core::ingest::erasure(&body, crate::ingest::now_ms() / 1000)
        .map_err(|e| ApiError::core(e, None))?;
    let deleted = store::erase(&env.d1("DB")?, &hashes).await?;
    worker::console_log!("capiflare: erased {deleted} stored events for one subject");
    http::json(200, &json!({ "deleted": deleted }))
}

pub(crate) async fn event(req: &Request, env: &Env, settings: &Settings, event_id: &str) -> Reply {
    http::authorize(req, settings)?;
    if !capiflare_core::event_id::is_valid(event_id) {
        return Err(ApiError::core(capiflare_core::Error::EventIdInvalid, None));
    }
    let (records, attempts) = store::by_event_id(&env.d1("DB")?, event_id).await?;
    if records.is_empty() {
        return Err(ApiError::new(
            404,
            "event_not_found",
            "no stored event has this event_id",
        ));
    }
    let records: Vec<Value> = records
        .into_iter()
        .map(|r| {
            let payload: Value = serde_json::from_str(&r.payload).unwrap_or(Value::Null);
            let mut body = json!({ "data": [payload] });
            if let Some(code) = &r.test_event_code {
                body["test_event_code"] = json!(code);
            }
            let history: Vec<&store::Attempt> = attempts
                .iter()
                .filter(|a| a.pixel_id == r.pixel_id && a.event_name == r.event_name)
                .collect();
            let url = [
                settings.config.graph_url.as_str(),
                &capi::events_path(&settings.config.api_version, &r.pixel_id),
            ]
            .concat();
            json!({
                "pixel_id": r.pixel_id, "event_name": r.event_name, "event_id": r.event_id,
                "source": r.source, "status": r.status, "received_at": r.received_at,
                "attempts": r.attempts, "next_attempt_at": r.next_attempt_at, "sent_at": r.sent_at,
                "last_error": r.last_error, "test_event_code": r.test_event_code,
                "payload": payload,
                "request": {
                    "method": "POST",
                    "url": url,
                    "body": body,
                    "note": "access_token is added to the body when sending; it is never stored or shown",
                },
                "history": history,
            })
        })
        .collect();
    http::json(200, &json!({ "event_id": event_id, "records": records }))
}
