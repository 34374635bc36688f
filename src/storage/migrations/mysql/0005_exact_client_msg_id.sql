-- A clientMsgId is the client's own bytes: two ids that differ only in case or in
-- trailing spaces are two messages. The server's collation (utf8mb4_unicode_ci, PAD SPACE)
-- made them one, so a second message was answered as a retry of the first and never
-- stored. Bytes compare exactly on MySQL and MariaDB alike (64 characters of at most 4
-- bytes each).
ALTER TABLE messages MODIFY client_msg_id VARBINARY(256);
