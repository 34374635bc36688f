-- The domain's tables as the seed models them; see the SQLite twin for the why of each
-- column. utf8mb4_bin everywhere: bytes compare as on SQLite, so both behave alike.

CREATE TABLE members (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(320) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  nickname VARCHAR(120) NOT NULL,
  status_message VARCHAR(600) NOT NULL DEFAULT '',
  profile_image VARCHAR(1024),
  background_image VARCHAR(1024),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE KEY members_email (email),
  KEY members_nickname (nickname, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE friends (
  owner_id BIGINT NOT NULL,
  friend_id BIGINT NOT NULL,
  favorite TINYINT NOT NULL DEFAULT 0,
  hidden TINYINT NOT NULL DEFAULT 0,
  blocked TINYINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (owner_id, friend_id),
  KEY friends_friend (friend_id),
  CONSTRAINT friends_owner_fk FOREIGN KEY (owner_id) REFERENCES members (id) ON DELETE CASCADE,
  CONSTRAINT friends_friend_fk FOREIGN KEY (friend_id) REFERENCES members (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE rooms (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(16) NOT NULL,
  name VARCHAR(400),
  image VARCHAR(1024),
  direct_key VARCHAR(64),
  last_seq BIGINT NOT NULL DEFAULT 0,
  last_activity_at BIGINT NOT NULL,
  archived TINYINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE KEY rooms_direct_key (direct_key),
  KEY rooms_activity (last_activity_at, id),
  CONSTRAINT rooms_kind CHECK (kind IN ('direct', 'group'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE room_members (
  room_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  role VARCHAR(16) NOT NULL,
  joined_at BIGINT NOT NULL,
  read_seq BIGINT NOT NULL DEFAULT 0,
  muted TINYINT NOT NULL DEFAULT 0,
  PRIMARY KEY (room_id, member_id),
  KEY room_members_member (member_id, room_id),
  CONSTRAINT room_members_role CHECK (role IN ('owner', 'member')),
  CONSTRAINT room_members_room_fk FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE,
  CONSTRAINT room_members_member_fk FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE messages (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  room_id BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  sender_id BIGINT,
  type VARCHAR(16) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  client_msg_id VARCHAR(64),
  created_at BIGINT NOT NULL,
  UNIQUE KEY messages_room_seq (room_id, seq),
  UNIQUE KEY messages_client_msg (room_id, sender_id, client_msg_id),
  KEY messages_room_type (room_id, type, seq),
  CONSTRAINT messages_type CHECK (type IN ('text', 'image', 'file', 'system')),
  CONSTRAINT messages_room_fk FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE,
  CONSTRAINT messages_sender_fk FOREIGN KEY (sender_id) REFERENCES members (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
