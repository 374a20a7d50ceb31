-- Warnings about the project's intake (unknown keys in the intake file or
-- form), kept apart from projects.warnings, which every processing run
-- rewrites with its own (BOM rows, budget). The API shows both.
ALTER TABLE projects
	ADD COLUMN intake_warnings jsonb NOT NULL DEFAULT '[]';
