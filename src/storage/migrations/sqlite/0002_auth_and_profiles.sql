-- Refresh tokens, stored only as hashes, in families: a reissue spends one token and
-- adds the next to its family; presenting a spent one revokes the whole family.
CREATE TABLE refresh_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  family_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,          -- SHA-256 of the token, hex
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  spent_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Every change of a member's profile or background image, newest first by id.
CREATE TABLE profile_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('profile', 'background')),
  image TEXT,                               -- NULL: the image was removed
  created_at BIGINT NOT NULL
);
CREATE INDEX profile_history_member ON profile_history (member_id, id);
