-- Initial schema, SQLite. Times are fixed-width UTC text (2006-01-02T15:04:05.000000Z)
-- so that they compare as text and round-trip at microsecond precision.
-- Keep in step with 0001_init.postgres.sql: only types and identity columns differ.
-- AUTOINCREMENT so that the ID of a deleted row (an expired upload) is never reused.

CREATE TABLE orgs (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX orgs_name ON orgs (lower(name));

CREATE TABLE users (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id        INTEGER NOT NULL REFERENCES orgs (id),
	login         TEXT NOT NULL,
	display_name  TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL,
	locale        TEXT NOT NULL DEFAULT '',
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	password_hash TEXT NOT NULL DEFAULT '',
	version       INTEGER NOT NULL DEFAULT 1,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_login ON users (lower(login));
CREATE INDEX users_org ON users (org_id);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name       TEXT NOT NULL DEFAULT '',
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);

CREATE TABLE login_failures (
	id          INTEGER PRIMARY KEY,
	login       TEXT NOT NULL,
	remote_addr TEXT NOT NULL,
	at          TEXT NOT NULL
);
CREATE INDEX login_failures_login ON login_failures (login, at);
CREATE INDEX login_failures_addr ON login_failures (remote_addr, at);

CREATE TABLE reference_counters (
	year INTEGER PRIMARY KEY,
	last_n INTEGER NOT NULL
);

CREATE TABLE cases (
	id                     INTEGER PRIMARY KEY AUTOINCREMENT,
	reference              TEXT NOT NULL UNIQUE,
	org_id                 INTEGER NOT NULL REFERENCES orgs (id),
	given_name             TEXT NOT NULL DEFAULT '',
	family_name            TEXT NOT NULL DEFAULT '',
	patronymic             TEXT NOT NULL DEFAULT '',
	other_names            TEXT NOT NULL DEFAULT '[]',
	sex                    TEXT NOT NULL DEFAULT '',
	birth_year             INTEGER NOT NULL DEFAULT 0,
	birth_month            INTEGER NOT NULL DEFAULT 0,
	birth_day              INTEGER NOT NULL DEFAULT 0,
	birth_precision        TEXT NOT NULL DEFAULT '',
	birth_estimated_age    INTEGER NOT NULL DEFAULT 0,
	birth_age_as_of        TEXT,
	birth_place            TEXT NOT NULL DEFAULT '',
	last_seen_place        TEXT NOT NULL DEFAULT '',
	last_seen_date         TEXT NOT NULL DEFAULT '',
	circumstance           TEXT NOT NULL DEFAULT '',
	distinguishing_marks   TEXT NOT NULL DEFAULT '',
	notes                  TEXT NOT NULL DEFAULT '',
	family                 TEXT NOT NULL DEFAULT '[]',
	siblings               TEXT NOT NULL DEFAULT '[]',
	consent_tracing        BOOLEAN NOT NULL DEFAULT FALSE,
	consent_share_mediator BOOLEAN NOT NULL DEFAULT FALSE,
	consent_dna            BOOLEAN NOT NULL DEFAULT FALSE,
	consent_recorded_at    TEXT,
	stage                  TEXT NOT NULL,
	close_reason           TEXT NOT NULL DEFAULT '',
	import_key             TEXT NOT NULL DEFAULT '',
	search_text            TEXT NOT NULL DEFAULT '',
	version                INTEGER NOT NULL DEFAULT 1,
	created_by             INTEGER NOT NULL DEFAULT 0,
	created_at             TEXT NOT NULL,
	updated_at             TEXT NOT NULL
);
CREATE INDEX cases_org_created ON cases (org_id, created_at);
CREATE UNIQUE INDEX cases_import_key ON cases (org_id, import_key) WHERE import_key <> '';

CREATE TABLE located (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id              INTEGER NOT NULL REFERENCES orgs (id),
	given_name          TEXT NOT NULL DEFAULT '',
	family_name         TEXT NOT NULL DEFAULT '',
	patronymic          TEXT NOT NULL DEFAULT '',
	sex                 TEXT NOT NULL DEFAULT '',
	birth_year          INTEGER NOT NULL DEFAULT 0,
	birth_month         INTEGER NOT NULL DEFAULT 0,
	birth_day           INTEGER NOT NULL DEFAULT 0,
	birth_precision     TEXT NOT NULL DEFAULT '',
	birth_estimated_age INTEGER NOT NULL DEFAULT 0,
	birth_age_as_of     TEXT,
	birth_place         TEXT NOT NULL DEFAULT '',
	location_kind       TEXT NOT NULL DEFAULT '',
	institution         TEXT NOT NULL DEFAULT '',
	region              TEXT NOT NULL DEFAULT '',
	observed_at         TEXT NOT NULL DEFAULT '',
	source              TEXT NOT NULL DEFAULT '',
	source_ref          TEXT NOT NULL DEFAULT '',
	reliability         TEXT NOT NULL DEFAULT '',
	notes               TEXT NOT NULL DEFAULT '',
	import_key          TEXT NOT NULL DEFAULT '',
	search_text         TEXT NOT NULL DEFAULT '',
	version             INTEGER NOT NULL DEFAULT 1,
	created_by          INTEGER NOT NULL DEFAULT 0,
	created_at          TEXT NOT NULL,
	updated_at          TEXT NOT NULL
);
CREATE INDEX located_org_created ON located (org_id, created_at);
CREATE UNIQUE INDEX located_import_key ON located (org_id, import_key) WHERE import_key <> '';

-- shares lets another organisation see one record.
CREATE TABLE shares (
	entity_type TEXT NOT NULL,
	entity_id   INTEGER NOT NULL,
	org_id      INTEGER NOT NULL REFERENCES orgs (id),
	created_by  INTEGER NOT NULL DEFAULT 0,
	created_at  TEXT NOT NULL,
	PRIMARY KEY (entity_type, entity_id, org_id)
);
CREATE INDEX shares_org ON shares (org_id, entity_type);

-- events is the append-only, hash-chained log. IDs are assigned by the store
-- (gapless); data is kept as text byte for byte because the hash covers it.
CREATE TABLE events (
	id          INTEGER PRIMARY KEY,
	at          TEXT NOT NULL,
	actor_id    INTEGER NOT NULL,
	org_id      INTEGER NOT NULL,
	entity_type TEXT NOT NULL,
	entity_id   INTEGER NOT NULL,
	action      TEXT NOT NULL,
	data        TEXT NOT NULL DEFAULT '',
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL
);
CREATE INDEX events_entity ON events (entity_type, entity_id);

-- event_head holds the last event's ID and hash: one row that every writer
-- locks first, which serialises appends.
CREATE TABLE event_head (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	last_id   INTEGER NOT NULL,
	last_hash TEXT NOT NULL
);
INSERT INTO event_head (id, last_id, last_hash) VALUES (1, 0, '');

CREATE TABLE uploads (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id     INTEGER NOT NULL REFERENCES orgs (id),
	user_id    INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	filename   TEXT NOT NULL DEFAULT '',
	data       BLOB NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX uploads_created ON uploads (created_at);
