-- Contract creations: an intent with creates = 1 deploys its data as creation code (target is unused).
ALTER TABLE intents ADD COLUMN creates INTEGER NOT NULL DEFAULT 0;
