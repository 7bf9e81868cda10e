-- The convergence policy a request chose (ferry or a reference policy), carried on its START commands; null: the
-- workers' default. Older rows stay null, which is what they ran under.
ALTER TABLE migration ADD COLUMN policy TEXT;
