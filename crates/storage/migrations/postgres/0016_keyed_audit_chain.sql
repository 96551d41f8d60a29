-- The audit chain is keyed (issue 12): each entry names the audit key its HMAC was
-- made with (kept outside the database); entries from before have none (plain SHA-256).
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
