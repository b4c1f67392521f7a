-- The prover node: jobs (one per task it admitted), their transitions, refused tasks, and the
-- market watcher's block cursor (recent blocks with their hashes, to detect reorgs).
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id TEXT NOT NULL UNIQUE,
    model_id TEXT NOT NULL,
    task BLOB NOT NULL,
    input_data BLOB NOT NULL,
    bounty TEXT NOT NULL,
    collateral TEXT NOT NULL,
    deadline INTEGER NOT NULL,
    posted_block INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    proof BLOB,
    prove_ms INTEGER,
    fulfil_tx TEXT,
    gas_used INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_state ON jobs(state);

CREATE TABLE transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX transitions_job ON transitions(job_id);

CREATE TABLE rejections (
    statement_id TEXT PRIMARY KEY,
    model_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
);

CREATE TABLE blocks (
    number INTEGER PRIMARY KEY,
    hash TEXT NOT NULL
);
