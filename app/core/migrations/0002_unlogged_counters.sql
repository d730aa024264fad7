-- Rate-limit counters are rewritten on nearly every request and are worth nothing after a crash
-- of the database (a bucket that starts full again costs a customer nothing): unlogged tables
-- skip the write-ahead log for them. After a crash or a fail-over to a standby they start empty,
-- which lifts the limits for at most one window (a minute; a day for the daily cap).
ALTER TABLE rate_buckets SET UNLOGGED;
ALTER TABLE daily_counts SET UNLOGGED;
-- The working state of a conversation is updated in place every turn: leave room on each page
-- so the new row version lands beside the old one (a HOT update, no index entry, less vacuum).
ALTER TABLE session_state SET (fillfactor = 70);
