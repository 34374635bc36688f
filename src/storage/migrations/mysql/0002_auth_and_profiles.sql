-- See the SQLite twin.
CREATE TABLE refresh_tokens (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  family_id VARCHAR(64) NOT NULL,
  token_hash CHAR(64) NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  spent_at BIGINT,
  revoked_at BIGINT,
  UNIQUE KEY refresh_tokens_hash (token_hash),
  KEY refresh_tokens_family (family_id),
  CONSTRAINT refresh_tokens_member_fk FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE profile_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  image VARCHAR(1024),
  created_at BIGINT NOT NULL,
  KEY profile_history_member (member_id, id),
  CONSTRAINT profile_history_kind CHECK (kind IN ('profile', 'background')),
  CONSTRAINT profile_history_member_fk FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
