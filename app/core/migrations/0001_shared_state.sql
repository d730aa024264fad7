-- Everything a replica would otherwise keep in its own files or memory. Times the SQLite stores
-- keep as fixed-width ISO text stay text here, so the two backends order and compare them alike.

-- Conversations (app/service/conversations_pg.py)
CREATE TABLE sessions (
    session_id text PRIMARY KEY,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    context jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE turns (
    turn_id bigserial PRIMARY KEY,
    session_id text NOT NULL REFERENCES sessions (session_id),
    at text NOT NULL,
    question text NOT NULL,
    answer text NOT NULL,
    action text,
    category text,
    reason text,
    escalated integer NOT NULL,
    total_ms double precision,
    confidence double precision,
    decision jsonb NOT NULL,
    escalation jsonb,
    citations jsonb NOT NULL,
    flags jsonb NOT NULL,
    latency_ms jsonb NOT NULL,
    region text,
    context jsonb NOT NULL,
    generator text,
    channel text
);
CREATE TABLE feedback (
    feedback_id bigserial PRIMARY KEY,
    session_id text NOT NULL REFERENCES sessions (session_id),
    turn_id bigint REFERENCES turns (turn_id),
    at text NOT NULL,
    rating text NOT NULL,
    comment text
);
CREATE INDEX turns_by_session ON turns (session_id, turn_id);
CREATE INDEX turns_by_time ON turns (at);
CREATE INDEX feedback_by_session ON feedback (session_id);
CREATE INDEX feedback_by_time ON feedback (at);
CREATE INDEX sessions_by_update ON sessions (updated_at);

-- Handoff tickets and resume codes (app/handoff/tickets_pg.py)
CREATE TABLE tickets (
    ticket_id text PRIMARY KEY,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    session_id text NOT NULL,
    status text NOT NULL,
    reason text NOT NULL,
    category text NOT NULL,
    priority text NOT NULL,
    state text NOT NULL,
    assigned_to text,
    body jsonb NOT NULL
);
CREATE INDEX tickets_queue ON tickets (status, priority, created_at);
CREATE INDEX tickets_session ON tickets (session_id);
CREATE TABLE resume_codes (
    code_hash text PRIMARY KEY,
    session_id text NOT NULL,
    created_at text NOT NULL
);
CREATE INDEX resume_by_session ON resume_codes (session_id);

-- The encrypted values of handed-over conversations, and the reveal audit (app/handoff/)
CREATE TABLE sealed_values (
    seq bigserial,
    session_id text NOT NULL,
    placeholder text NOT NULL,
    entity_type text NOT NULL,
    token bytea NOT NULL,
    sealed_at text NOT NULL,
    PRIMARY KEY (session_id, placeholder)
);
CREATE TABLE reveals (
    reveal_id bigserial PRIMARY KEY,
    at text NOT NULL,
    revealed_by text NOT NULL,
    ticket_id text NOT NULL,
    placeholder text NOT NULL,
    entity_type text NOT NULL,
    assigned_to text
);
CREATE INDEX reveals_by_ticket ON reveals (ticket_id);
CREATE INDEX reveals_by_time ON reveals (at);

-- The decision log (app/handoff/decision_log.py)
CREATE TABLE decisions (
    decision_id bigserial PRIMARY KEY,
    at text NOT NULL,
    session_id text NOT NULL,
    entry jsonb NOT NULL
);
CREATE INDEX decisions_by_session ON decisions (session_id);
CREATE INDEX decisions_by_time ON decisions (at);

-- A conversation's working state between turns (app/chain/sessions_pg.py): the recent turns,
-- the region, the open ticket, and the PII vault encrypted with BEACON_VAULT_KEY.
CREATE TABLE session_state (
    session_id text PRIMARY KEY,
    touched_at timestamptz NOT NULL DEFAULT now(),
    state jsonb NOT NULL,
    vault bytea
);

-- Rate limits (app/service/rate_limits.py): token buckets and daily counts
CREATE TABLE rate_buckets (
    bucket text PRIMARY KEY,
    tokens double precision NOT NULL,
    refreshed_at timestamptz NOT NULL,
    allowed boolean NOT NULL
);
CREATE TABLE daily_counts (
    bucket text NOT NULL,
    day date NOT NULL,
    used integer NOT NULL,
    PRIMARY KEY (bucket, day)
);

-- Work that runs once across replicas (the retention sweep)
CREATE TABLE leases (
    name text PRIMARY KEY,
    holder text NOT NULL,
    until timestamptz NOT NULL
);

-- The keyword index, built once per ingest (app/index/keyword_store.py): each version's files,
-- in parts, for replicas to copy beside them and memory-map.
CREATE TABLE keyword_index_versions (
    version bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    fingerprint text NOT NULL,
    complete boolean NOT NULL DEFAULT false
);
CREATE TABLE keyword_index_parts (
    version bigint NOT NULL REFERENCES keyword_index_versions (version) ON DELETE CASCADE,
    name text NOT NULL,
    part integer NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (version, name, part)
);
