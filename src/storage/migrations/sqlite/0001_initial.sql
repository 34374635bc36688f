-- The domain's tables as the seed models them. Times are UTC milliseconds since the
-- epoch, the same on SQLite and MySQL. Numbers are declared BIGINT, not INTEGER: both
-- are 64-bit to SQLite, but SOCI reads a column declared INTEGER as a 32-bit int.
-- Statements end with ';' at a line end.

CREATE TABLE members (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,               -- lower-cased: unique without regard to case
  password_hash TEXT NOT NULL,
  nickname TEXT NOT NULL,
  status_message TEXT NOT NULL DEFAULT '',
  profile_image TEXT,
  background_image TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX members_nickname ON members (nickname, id);

-- A member's friend list holds member ids; favorite, hidden and blocked are kinds of
-- the relation, not fields of the member.
CREATE TABLE friends (
  owner_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  friend_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  favorite BIGINT NOT NULL DEFAULT 0,
  hidden BIGINT NOT NULL DEFAULT 0,
  blocked BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (owner_id, friend_id)
);
CREATE INDEX friends_friend ON friends (friend_id);

CREATE TABLE rooms (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
  name TEXT,
  image TEXT,
  direct_key TEXT UNIQUE,                   -- 1:1 rooms: "<smaller id>:<larger id>", one room per pair
  last_seq BIGINT NOT NULL DEFAULT 0,      -- the newest message's seq; unread = last_seq - read_seq
  last_activity_at BIGINT NOT NULL,
  archived BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX rooms_activity ON rooms (last_activity_at, id);

-- room - room member - member: the relation carries its own data.
CREATE TABLE room_members (
  room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
  joined_at BIGINT NOT NULL,
  read_seq BIGINT NOT NULL DEFAULT 0,
  muted BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (room_id, member_id)
);
CREATE INDEX room_members_member ON room_members (member_id, room_id);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,                     -- 1, 2, 3... per room, assigned in the storing transaction
  sender_id BIGINT REFERENCES members (id) ON DELETE SET NULL,  -- NULL for system messages
  type TEXT NOT NULL CHECK (type IN ('text', 'image', 'file', 'system')),
  body TEXT NOT NULL,
  client_msg_id TEXT,                       -- makes a retried send return the first result
  created_at BIGINT NOT NULL,
  UNIQUE (room_id, seq)
);
CREATE UNIQUE INDEX messages_client_msg ON messages (room_id, sender_id, client_msg_id);
CREATE INDEX messages_room_type ON messages (room_id, type, seq);
