-- Transaction manager: intents, their nonce, every signed transaction, and each account's next nonce.
CREATE TABLE intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL,
    target TEXT NOT NULL,
    data BLOB NOT NULL,
    value TEXT NOT NULL,
    gas_limit INTEGER,
    state TEXT NOT NULL,
    nonce INTEGER,
    mined_block INTEGER,
    mined_block_hash TEXT,
    outcome_tx TEXT,
    outcome_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- One intent per nonce: a nonce is never signed for two intents.
CREATE UNIQUE INDEX intents_account_nonce ON intents(account, nonce) WHERE nonce IS NOT NULL;
CREATE INDEX intents_state ON intents(state);

CREATE TABLE txs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hash TEXT NOT NULL UNIQUE,
    intent_id INTEGER NOT NULL REFERENCES intents(id),
    nonce INTEGER NOT NULL,
    gas_limit INTEGER NOT NULL,
    max_fee TEXT NOT NULL,
    max_priority_fee TEXT NOT NULL,
    raw BLOB NOT NULL,
    sent_block INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX txs_intent ON txs(intent_id);

CREATE TABLE nonces (
    account TEXT PRIMARY KEY,
    next_nonce INTEGER NOT NULL
);
