-- Sessions that end when idle, API tokens that expire and can be listed and
-- revoked, login throttling per (login, address) pair, and a second factor.
-- PostgreSQL. Keep in step with 0005_auth.sqlite.sql: only types and time
-- arithmetic differ.

-- last_seen_at is when the session last served a request (to the minute),
-- for the idle timeout; sessions from before start from their creation.
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;
CREATE INDEX sessions_user ON sessions (user_id);

-- Tokens issued before expiry existed get the default lifetime from now.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN last_used_at TIMESTAMPTZ;
UPDATE api_tokens SET expires_at = now() + interval '90 days';
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- login_throttle counts the failed sign-ins of one login from one address
-- (an IPv6 address by its /64),
-- so that guessing from one place cannot lock the rightful user out from
-- another. It replaces login_failures, whose count-then-insert raced.
CREATE TABLE login_throttle (
	login       TEXT NOT NULL,
	remote_addr TEXT NOT NULL,
	failures    INTEGER NOT NULL,
	last_at     TIMESTAMPTZ NOT NULL, -- the latest attempt
	prev_at     TIMESTAMPTZ NOT NULL, -- the one before, for the delay
	PRIMARY KEY (login, remote_addr)
);
CREATE INDEX login_throttle_last ON login_throttle (last_at);
DROP TABLE login_failures;

-- The second factor: a TOTP secret (empty: none) and the last time step a
-- code was accepted for, so that no code is accepted twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_step BIGINT NOT NULL DEFAULT 0;

-- An organisation may require its supervisors and administrators to sign in
-- with a second factor.
ALTER TABLE orgs ADD COLUMN require_totp BOOLEAN NOT NULL DEFAULT FALSE;
