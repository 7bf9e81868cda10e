-- Whether the forecast at request time said the migration would converge within its limits: kept beside the outcome,
-- so that how often admission control's prediction was right can be shown. Older rows stay null (not known).
ALTER TABLE migration ADD COLUMN predicted_converges BOOLEAN;
