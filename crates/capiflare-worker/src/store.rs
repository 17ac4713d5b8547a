//! The D1 ledger: one row per (pixel, event_name, event_id), inserted once; and the audit log of
//! delivery attempts. Every statement is here, so the schema (migrations/) has one reader.

use capiflare_core::capi::Failure;
use serde::{Deserialize, Serialize};
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Result};

/// A row to insert.
pub(crate) struct NewRow<'a> {
    /// The event's index in its request.
    pub(crate) index: usize,
    pub(crate) pixel_id: &'a str,
    pub(crate) event_name: &'a str,
    pub(crate) event_id: &'a str,
    pub(crate) payload: String,
    pub(crate) event_time: u64,
    /// `pending` (to be sent) or `dry_run` (no token: stored and shown, never sent).
    pub(crate) status: &'static str,
}

fn num(n: u64) -> JsValue {
    // D1 numbers are JS numbers; every value stored here (ms timestamps, counts) is far below 2^53.
    #[allow(clippy::cast_precision_loss)]
    JsValue::from_f64(n as f64)
}

fn opt_str(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

/// Insert each row once; returns, per row, whether it was new (false: a duplicate).
pub(crate) async fn insert(
    db: &D1Database,
    rows: &[NewRow<'_>],
    source: &str,
    test_event_code: Option<&str>,
    now_ms: u64,
) -> Result<Vec<bool>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut statements = Vec::with_capacity(rows.len());
    for r in rows {
        statements.push(
            db.prepare(
                "INSERT INTO events (pixel_id, event_name, event_id, source, status, payload, \
                 test_event_code, received_at, event_time, next_attempt_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8) ON CONFLICT DO NOTHING",
            )
            .bind(&[
                r.pixel_id.into(),
                r.event_name.into(),
                r.event_id.into(),
                source.into(),
                r.status.into(),
                r.payload.as_str().into(),
                opt_str(test_event_code),
                num(now_ms),
                num(r.event_time),
            ])?,
        );
    }
    let results = db.batch(statements).await?;
    results
        .iter()
        .map(|res| Ok(res.meta()?.and_then(|m| m.changes).unwrap_or(0) > 0))
        .collect()
}

/// A row claimed for delivery.
#[derive(Debug, Deserialize)]
pub(crate) struct Claimed {
    pub(crate) event_name: String,
    pub(crate) event_id: String,
    pub(crate) payload: String,
    pub(crate) test_event_code: Option<String>,
    pub(crate) attempts: u32,
}

/// Atomically move up to `limit` due rows of a pixel from `pending` to `sending`, so no two
/// consumers ever send the same event.
pub(crate) async fn claim(
    db: &D1Database,
    pixel_id: &str,
    now_ms: u64,
    limit: usize,
) -> Result<Vec<Claimed>> {
    db.prepare(
        "UPDATE events SET status = 'sending', claimed_at = ?2 WHERE rowid IN (\
           SELECT rowid FROM events WHERE pixel_id = ?1 AND status = 'pending' \
           AND next_attempt_at <= ?2 ORDER BY received_at LIMIT ?3) \
         RETURNING event_name, event_id, payload, test_event_code, attempts",
    )
    .bind(&[pixel_id.into(), num(now_ms), num(limit as u64)])?
    .all()
    .await?
    .results()
}

/// The new state of a set of rows after one delivery attempt.
#[derive(Debug)]
pub(crate) struct Settle<'a> {
    /// `sent`, `pending` (retry later; becomes `dead` at `max_attempts`), `dead` or `stale`.
    pub(crate) status: &'a str,
    pub(crate) max_attempts: u32,
    pub(crate) next_attempt_at: u64,
    pub(crate) sent_at: Option<u64>,
    /// The stable code of the failure, if any.
    pub(crate) error: Option<&'a str>,
    /// For the audit log.
    pub(crate) outcome: &'a str,
    pub(crate) failure: Option<&'a Failure>,
    pub(crate) events_received: Option<u64>,
    pub(crate) fbtrace_id: Option<&'a str>,
    pub(crate) batch_size: usize,
    pub(crate) at: u64,
}

/// Record an attempt's outcome on the rows `keys` (event_name, event_id) of a pixel.
pub(crate) async fn settle(
    db: &D1Database,
    pixel_id: &str,
    keys: &[(&str, &str)],
    s: &Settle<'_>,
) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let keys_json =
        serde_json::to_string(keys).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let update = db
        .prepare(
            "UPDATE events SET status = CASE WHEN ?3 = 'pending' AND attempts + 1 >= ?4 \
             THEN 'dead' ELSE ?3 END, attempts = attempts + 1, next_attempt_at = ?5, \
             sent_at = COALESCE(?6, sent_at), claimed_at = NULL, last_error = ?7 \
             WHERE pixel_id = ?1 AND (event_name, event_id) IN (\
               SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?2))",
        )
        .bind(&[
            pixel_id.into(),
            keys_json.as_str().into(),
            s.status.into(),
            num(u64::from(s.max_attempts)),
            num(s.next_attempt_at),
            s.sent_at.map_or(JsValue::NULL, num),
            opt_str(s.error),
        ])?;
    let f = s.failure;
    let log = db
        .prepare(
            "INSERT INTO attempts (pixel_id, event_name, event_id, at, batch_size, outcome, \
             http_status, code, subcode, message, fbtrace_id, events_received) \
             SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?3, ?4, ?5, \
             ?6, ?7, ?8, ?9, ?10, ?11 FROM json_each(?2)",
        )
        .bind(&[
            pixel_id.into(),
            keys_json.as_str().into(),
            num(s.at),
            num(s.batch_size as u64),
            s.outcome.into(),
            f.and_then(|f| f.status)
                .map_or(JsValue::NULL, |v| num(u64::from(v))),
            f.and_then(|f| f.code)
                .map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64)),
            f.and_then(|f| f.subcode)
                .map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64)),
            opt_str(f.map(|f| f.message.as_str())),
            opt_str(
                s.fbtrace_id
                    .or_else(|| f.and_then(|f| f.fbtrace_id.as_deref())),
            ),
            s.events_received.map_or(JsValue::NULL, num),
        ])?;
    db.batch(vec![update, log]).await?;
    Ok(())
}

/// Pixels with rows due for delivery.
pub(crate) async fn due_pixels(db: &D1Database, now_ms: u64) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct P {
        pixel_id: String,
    }
    let rows: Vec<P> = db
        .prepare("SELECT DISTINCT pixel_id FROM events WHERE status = 'pending' AND next_attempt_at <= ?1")
        .bind(&[num(now_ms)])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|p| p.pixel_id).collect())
}

/// The sweeper's maintenance: release claims a crashed consumer left behind, and purge records
/// past the retention period.
pub(crate) fn maintenance(
    db: &D1Database,
    now_ms: u64,
    stale_claim_ms: u64,
    cutoff_ms: u64,
) -> Result<Vec<D1PreparedStatement>> {
    Ok(vec![
        db.prepare("UPDATE events SET status = 'pending', claimed_at = NULL WHERE status = 'sending' AND claimed_at < ?1")
            .bind(&[num(now_ms.saturating_sub(stale_claim_ms))])?,
        db.prepare("DELETE FROM attempts WHERE at < ?1").bind(&[num(cutoff_ms)])?,
        db.prepare("DELETE FROM events WHERE received_at < ?1").bind(&[num(cutoff_ms)])?,
    ])
}

/// One stored conversion, for `GET api/events/{id}`.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct Record {
    pub(crate) pixel_id: String,
    pub(crate) event_name: String,
    pub(crate) event_id: String,
    pub(crate) source: String,
    pub(crate) status: String,
    pub(crate) payload: String,
    pub(crate) test_event_code: Option<String>,
    pub(crate) received_at: u64,
    pub(crate) attempts: u32,
    pub(crate) next_attempt_at: u64,
    pub(crate) sent_at: Option<u64>,
    pub(crate) last_error: Option<String>,
}

/// One delivery attempt, as recorded.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct Attempt {
    pub(crate) pixel_id: String,
    pub(crate) event_name: String,
    pub(crate) at: u64,
    pub(crate) batch_size: u32,
    pub(crate) outcome: String,
    pub(crate) http_status: Option<u16>,
    pub(crate) code: Option<i64>,
    pub(crate) subcode: Option<i64>,
    pub(crate) message: Option<String>,
    pub(crate) fbtrace_id: Option<String>,
    pub(crate) events_received: Option<u64>,
}

pub(crate) async fn by_event_id(
    db: &D1Database,
    event_id: &str,
) -> Result<(Vec<Record>, Vec<Attempt>)> {
    let records = db
        .prepare(
            "SELECT pixel_id, event_name, event_id, source, status, payload, test_event_code, \
             received_at, attempts, next_attempt_at, sent_at, last_error FROM events \
             WHERE event_id = ?1 ORDER BY pixel_id, event_name",
        )
        .bind(&[event_id.into()])?
        .all()
        .await?
        .results()?;
    let attempts = db
        .prepare(
            "SELECT pixel_id, event_name, at, batch_size, outcome, http_status, code, subcode, \
             message, fbtrace_id, events_received FROM attempts WHERE event_id = ?1 ORDER BY id",
        )
        .bind(&[event_id.into()])?
        .all()
        .await?
        .results()?;
    Ok((records, attempts))
}

/// Delete every stored event whose em, ph or external_id is one of `hashes`, and its attempts.
/// Returns how many events were deleted.
pub(crate) async fn erase(db: &D1Database, hashes: &[String]) -> Result<usize> {
    let list =
        serde_json::to_string(hashes).map_err(|e| worker::Error::RustError(e.to_string()))?;
    const MATCH: &str = "(SELECT 1 FROM json_each(events.payload, '$.user_data.em') j \
        WHERE j.value IN (SELECT value FROM json_each(?1))) OR EXISTS \
        (SELECT 1 FROM json_each(events.payload, '$.user_data.ph') j \
        WHERE j.value IN (SELECT value FROM json_each(?1))) OR EXISTS \
        (SELECT 1 FROM json_each(events.payload, '$.user_data.external_id') j \
        WHERE j.value IN (SELECT value FROM json_each(?1)))";
    let attempts = db
        .prepare(
            [
                "DELETE FROM attempts WHERE (pixel_id, event_name, event_id) IN \
                 (SELECT pixel_id, event_name, event_id FROM events WHERE EXISTS ",
                MATCH,
                ")",
            ]
            .concat(),
        )
        .bind(&[list.as_str().into()])?;
    let events = db
        .prepare(["DELETE FROM events WHERE EXISTS ", MATCH].concat())
        .bind(&[list.as_str().into()])?;
    let results = db.batch(vec![attempts, events]).await?;
    Ok(results
        .last()
        .map(|r| r.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0))
        .unwrap_or(0))
}
