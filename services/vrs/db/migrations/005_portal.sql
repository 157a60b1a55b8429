-- Municipality portal: login challenges (password checked, one-time code mailed) and server-side
-- sessions. Both are looked up by a random identifier before the municipality is known, so they
-- are not behind the per-municipality policy; they hold no resident data, and no secret in the
-- clear: the one-time code is kept as an HMAC, the session id as a SHA-256 digest.

CREATE TABLE portal_login_challenges (
  id                text PRIMARY KEY,            -- 128-bit random, hex
  staff_id          uuid NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  municipality_code char(6) NOT NULL REFERENCES municipalities(code),
  code_hmac         text NOT NULL,               -- HMAC-SHA256 (lookup key) of challenge id and code, hex
  wrong_attempts    smallint NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL,
  -- set once the challenge can no longer be answered: 'verified' or 'locked'
  ended             text CHECK (ended IN ('verified', 'locked'))
);
CREATE INDEX portal_login_challenges_expiry ON portal_login_challenges (expires_at);

CREATE TABLE portal_sessions (
  id_hash           text PRIMARY KEY,            -- SHA-256 of the cookie value, hex
  staff_id          uuid NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  municipality_code char(6) NOT NULL REFERENCES municipalities(code),
  csrf_token        text NOT NULL,
  created_at        timestamptz NOT NULL,
  last_seen_at      timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL          -- absolute end, whatever the activity
);
CREATE INDEX portal_sessions_staff ON portal_sessions (staff_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON portal_login_challenges, portal_sessions TO vrs_app;
