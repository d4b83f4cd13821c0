-- Matches and their decisions, the records of the reunification workflow,
-- and attachments. SQLite. Keep in step with 0002_workflow.postgres.sql:
-- only types and identity columns differ.

-- matches holds one row per (case, located record) pair with the engine's
-- score and the standing decision; match_decisions keeps every decision.
CREATE TABLE matches (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id              INTEGER NOT NULL REFERENCES orgs (id),
	case_id             INTEGER NOT NULL REFERENCES cases (id),
	located_id          INTEGER NOT NULL REFERENCES located (id),
	probability         REAL NOT NULL,
	weight              REAL NOT NULL,
	explanation         TEXT NOT NULL DEFAULT '[]',
	model               TEXT NOT NULL DEFAULT '',
	case_fields_hash    TEXT NOT NULL DEFAULT '',
	located_fields_hash TEXT NOT NULL DEFAULT '',
	status              TEXT NOT NULL,
	reason              TEXT NOT NULL DEFAULT '',
	note                TEXT NOT NULL DEFAULT '',
	proposed_by         INTEGER NOT NULL DEFAULT 0,
	proposed_at         TEXT,
	decided_by          INTEGER NOT NULL DEFAULT 0,
	decided_at          TEXT,
	version             INTEGER NOT NULL DEFAULT 1,
	created_at          TEXT NOT NULL,
	updated_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX matches_pair ON matches (case_id, located_id);
CREATE INDEX matches_located ON matches (located_id);
CREATE INDEX matches_queue ON matches (org_id, status, probability);

CREATE TABLE match_decisions (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	match_id    INTEGER NOT NULL REFERENCES matches (id),
	action      TEXT NOT NULL,
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	reason      TEXT NOT NULL DEFAULT '',
	note        TEXT NOT NULL DEFAULT '',
	actor_id    INTEGER NOT NULL,
	at          TEXT NOT NULL
);
CREATE INDEX match_decisions_match ON match_decisions (match_id, id);

CREATE TABLE verifications (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id        INTEGER NOT NULL REFERENCES cases (id),
	method         TEXT NOT NULL,
	outcome        TEXT NOT NULL,
	performed_by   TEXT NOT NULL,
	performed_on   TEXT NOT NULL,
	notes          TEXT NOT NULL DEFAULT '',
	attachment_ids TEXT NOT NULL DEFAULT '[]',
	recorded_by    INTEGER NOT NULL,
	approved_by    INTEGER NOT NULL DEFAULT 0,
	approved_at    TEXT,
	version        INTEGER NOT NULL DEFAULT 1,
	created_at     TEXT NOT NULL
);
CREATE INDEX verifications_case ON verifications (case_id);

CREATE TABLE best_interests (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id      INTEGER NOT NULL REFERENCES cases (id),
	child_wishes TEXT NOT NULL,
	assessment   TEXT NOT NULL,
	panel        TEXT NOT NULL DEFAULT '[]',
	decision     TEXT NOT NULL,
	decided_on   TEXT NOT NULL,
	recorded_by  INTEGER NOT NULL,
	created_at   TEXT NOT NULL
);
CREATE INDEX best_interests_case ON best_interests (case_id);

CREATE TABLE handovers (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id       INTEGER NOT NULL REFERENCES cases (id),
	handover_on   TEXT NOT NULL,
	place         TEXT NOT NULL,
	route         TEXT NOT NULL DEFAULT '',
	third_country TEXT NOT NULL DEFAULT '',
	escort        TEXT NOT NULL,
	from_country  TEXT NOT NULL,
	to_country    TEXT NOT NULL,
	notes         TEXT NOT NULL DEFAULT '',
	recorded_by   INTEGER NOT NULL,
	created_at    TEXT NOT NULL
);
CREATE INDEX handovers_case ON handovers (case_id);

CREATE TABLE reunifications (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id      INTEGER NOT NULL REFERENCES cases (id),
	reunified_on TEXT NOT NULL,
	with_whom    TEXT NOT NULL,
	relation     TEXT NOT NULL,
	proof        TEXT NOT NULL,
	notes        TEXT NOT NULL DEFAULT '',
	recorded_by  INTEGER NOT NULL,
	created_at   TEXT NOT NULL
);
CREATE INDEX reunifications_case ON reunifications (case_id);

CREATE TABLE follow_ups (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id     INTEGER NOT NULL REFERENCES cases (id),
	visited_on  TEXT NOT NULL,
	visitor     TEXT NOT NULL,
	findings    TEXT NOT NULL,
	risk_flags  TEXT NOT NULL DEFAULT '[]',
	notes       TEXT NOT NULL DEFAULT '',
	recorded_by INTEGER NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE INDEX follow_ups_case ON follow_ups (case_id);

CREATE TABLE attachments (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id         INTEGER NOT NULL REFERENCES cases (id),
	org_id          INTEGER NOT NULL REFERENCES orgs (id),
	filename        TEXT NOT NULL DEFAULT '',
	content_type    TEXT NOT NULL,
	size            INTEGER NOT NULL,
	sha256          TEXT NOT NULL,
	liaison_visible BOOLEAN NOT NULL DEFAULT FALSE,
	data            BLOB NOT NULL,
	created_by      INTEGER NOT NULL,
	created_at      TEXT NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id);
