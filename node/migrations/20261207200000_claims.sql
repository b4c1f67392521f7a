-- Claims of bounties and emissions: a row is written (pending, with the fulfilled jobs it pays)
-- before the claim is sent under the intent key `claim:<id>`, so a crash mid-claim resumes the
-- same intent instead of sending a second claim.
CREATE TABLE claims (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    jobs TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    amount TEXT,
    tx TEXT,
    reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
