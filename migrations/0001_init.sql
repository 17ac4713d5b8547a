-- The ledger: one row per conversion per pixel. The primary key is Meta's deduplication key, so a
-- replayed or retried request can never become a second conversion.
CREATE TABLE events (
  pixel_id        TEXT    NOT NULL,
  event_name      TEXT    NOT NULL,
  event_id        TEXT    NOT NULL,
  source          TEXT    NOT NULL,               -- browser | server
  status          TEXT    NOT NULL,               -- pending | sending | sent | dead | stale | dry_run
  payload         TEXT    NOT NULL,               -- the hashed event exactly as it goes into `data`
  test_event_code TEXT,
  subjects        TEXT    NOT NULL DEFAULT '',    -- hashed em/ph/external_id, space-separated, for erasure
  received_at     INTEGER NOT NULL,               -- ms
  event_time      INTEGER NOT NULL,               -- s
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,     -- ms
  claimed_at      INTEGER,                        -- ms, while status = sending
  sent_at         INTEGER,                        -- ms
  last_error      TEXT,                           -- stable code of the last failure
  PRIMARY KEY (pixel_id, event_name, event_id)
);
CREATE INDEX events_due ON events (status, pixel_id, next_attempt_at);
CREATE INDEX events_by_id ON events (event_id);
CREATE INDEX events_received ON events (received_at);

-- The audit log: every delivery attempt and Meta's answer.
CREATE TABLE attempts (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  pixel_id        TEXT    NOT NULL,
  event_name      TEXT    NOT NULL,
  event_id        TEXT    NOT NULL,
  at              INTEGER NOT NULL,               -- ms
  batch_size      INTEGER NOT NULL,
  outcome         TEXT    NOT NULL,               -- success | transient | rejected | permanent | stale
  http_status     INTEGER,
  code            INTEGER,
  subcode         INTEGER,
  message         TEXT,
  fbtrace_id      TEXT,
  events_received INTEGER
);
CREATE INDEX attempts_event ON attempts (pixel_id, event_name, event_id);
CREATE INDEX attempts_at ON attempts (at);
