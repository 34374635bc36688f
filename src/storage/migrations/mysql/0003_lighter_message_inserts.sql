-- The SQLite schema's version 3 drops AUTOINCREMENT and makes the gallery's index hold
-- images only. InnoDB's AUTO_INCREMENT costs no extra write, and MySQL has no partial
-- indexes: here the gallery's index only takes the name it has on SQLite.
ALTER TABLE messages RENAME INDEX messages_room_type TO messages_gallery;
