-- Batched fulfilments: the batch a `submitted` job was sent in (hex keccak256 of the batch's
-- sorted statement ids; NULL for a single `fulfil`). It is written with the transition to
-- `submitted`, before `fulfilBatch` is sent under the intent key prefix `fulfilBatch:<batch>`, so
-- a restart re-sends the same batch (all its members) and the transaction manager returns the
-- intent it already has.
ALTER TABLE jobs ADD COLUMN batch TEXT;
CREATE INDEX jobs_batch ON jobs(batch);
