-- The two documents rewritten on every turn are large enough to be compressed (TOAST, from about
-- 2 KB): a ticket's body, whose transcript grows with each follow-up, and a conversation's working
-- state. lz4 compresses and decompresses them several times faster than the default pglz, which
-- PostgreSQL spent most of a turn's statement time on (bench/pg_turn_cost.py). It applies to
-- values written from now on; a server built without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE tickets ALTER COLUMN body SET COMPRESSION lz4;
    ALTER TABLE session_state ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this PostgreSQL has no lz4: tickets and session state stay compressed with pglz';
END
$$;
