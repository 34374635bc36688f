-- A message's type was checked with `type IN ('text', 'image', 'file', 'system')`, and
-- SQLite evaluates a constant IN list by building a temporary index of it: on every
-- insert, a dozen allocations and more time than the rest of the check. The same rule
-- spelled with OR is checked in place. SQLite cannot change a CHECK in place: the table
-- is rebuilt as in version 3.
CREATE TABLE messages_next (
  id INTEGER PRIMARY KEY,
  room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,                     -- 1, 2, 3... per room, assigned in the storing transaction
  sender_id BIGINT REFERENCES members (id) ON DELETE SET NULL,  -- NULL for system messages
  type TEXT NOT NULL CHECK (type = 'text' OR type = 'image' OR type = 'file' OR type = 'system'),
  body TEXT NOT NULL,
  client_msg_id TEXT,                       -- makes a retried send return the first result
  created_at BIGINT NOT NULL,
  UNIQUE (room_id, seq)
);
INSERT INTO messages_next (id, room_id, seq, sender_id, type, body, client_msg_id, created_at)
  SELECT id, room_id, seq, sender_id, type, body, client_msg_id, created_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_next RENAME TO messages;
CREATE UNIQUE INDEX messages_client_msg ON messages (room_id, sender_id, client_msg_id);
CREATE INDEX messages_gallery ON messages (room_id, seq) WHERE type = 'image';
