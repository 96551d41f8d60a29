-- The CSE dataset reads a month's referrals by the day they reached the MASH and by
-- the day they were decided (issue 16). Without these, each month's count read every
-- referral ever made: at national scale (1,000,000 referrals) about 400 ms a period
-- rule on SQLite, measured by scripts/dataset-bench.
CREATE INDEX referrals_submitted ON referrals(submitted_at);
CREATE INDEX referrals_decided ON referrals(decided_at);
