-- Monitor (SQLite): outlets watched, their polling state, feed validators,
-- monitored articles and detections. Snapshots are JSON (monitor.Snapshot
-- without the raw body, which lives in the capture's WARC).
CREATE TABLE monitor_outlets (
    slug           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    country        TEXT NOT NULL DEFAULT '',
    language       TEXT NOT NULL DEFAULT '',
    homepage       TEXT NOT NULL,
    feeds          TEXT NOT NULL DEFAULT '[]',
    sitemaps       TEXT NOT NULL DEFAULT '[]',
    ignore_robots  INTEGER NOT NULL DEFAULT 0,
    poll_every_s   INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE TABLE monitor_outlet_state (
    slug          TEXT PRIMARY KEY,
    last_poll     TEXT,
    probe_at      TEXT,
    probe_status  INTEGER NOT NULL DEFAULT 0,
    probe_text    TEXT NOT NULL DEFAULT ''
);
CREATE TABLE monitor_validators (
    url            TEXT PRIMARY KEY,
    etag           TEXT NOT NULL DEFAULT '',
    last_modified  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE monitor_articles (
    url            TEXT PRIMARY KEY,
    outlet         TEXT NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    first_seen     TEXT NOT NULL,
    last_check     TEXT,
    next_check     TEXT NOT NULL,
    done           INTEGER NOT NULL DEFAULT 0,
    state          TEXT NOT NULL,
    baseline       TEXT NOT NULL DEFAULT '{}',
    gone           TEXT NOT NULL DEFAULT '{}',
    down_since     TEXT,
    down_reported  INTEGER NOT NULL DEFAULT 0,
    checks         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX monitor_articles_due ON monitor_articles(next_check, url) WHERE done = 0 AND state <> 'skipped';
CREATE INDEX monitor_articles_outlet ON monitor_articles(outlet, first_seen);
CREATE TABLE monitor_detections (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL,
    url                TEXT NOT NULL,
    outlet             TEXT NOT NULL,
    at                 TEXT NOT NULL,
    reason             TEXT NOT NULL DEFAULT '',
    parts              TEXT NOT NULL DEFAULT '[]',
    before_snap        TEXT NOT NULL DEFAULT '{}',
    after_snap         TEXT NOT NULL DEFAULT '{}',
    diff               TEXT NOT NULL DEFAULT '{}',
    before_capture_id  INTEGER REFERENCES captures(id),
    after_capture_id   INTEGER REFERENCES captures(id),
    incident_id        INTEGER REFERENCES incidents(id),
    review             TEXT NOT NULL DEFAULT 'open',
    reviewed_by        INTEGER REFERENCES users(id),
    reviewed_at        TEXT
);
CREATE INDEX monitor_detections_at ON monitor_detections(at, id);
CREATE INDEX monitor_detections_outlet ON monitor_detections(outlet, at);
CREATE INDEX monitor_detections_url ON monitor_detections(url, id);
CREATE INDEX monitor_detections_review ON monitor_detections(review, id);
