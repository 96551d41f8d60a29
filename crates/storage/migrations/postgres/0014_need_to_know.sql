-- Children's records behind one door (issue 10): involvement scopes and agency
-- levels, police-only parts of MASH checks, panel minutes per young person.

-- Each involvement says who in the agency it is for: 'agency', 'team:<slug>' or
-- 'person:<user id>'. The key now includes the scope.
ALTER TABLE child_involvements ADD COLUMN scope TEXT NOT NULL DEFAULT 'agency';
ALTER TABLE child_involvements DROP CONSTRAINT child_involvements_pkey;
ALTER TABLE child_involvements ADD PRIMARY KEY (child_id, agency_id, kind, scope);
-- The need-to-know filter: children an agency (in a scope) is involved with.
DROP INDEX child_involvements_agency;
CREATE INDEX child_involvements_agency ON child_involvements(agency_id, scope, child_id);

-- Agencies: how far an involvement with a child reaches their own people. Large
-- agencies (police, children's social care, NHS trusts) are involved team by team.
ALTER TABLE agencies ADD COLUMN involvement_level TEXT NOT NULL DEFAULT 'agency-wide';
UPDATE agencies SET involvement_level = 'team' WHERE kind IN ('police', 'childrens-social-care', 'health');

-- Involvements recorded before scopes existed get the scope the same work records
-- today, where the record says who did it: the raiser, recorder or invitee in person,
-- the routed team; the agency-wide row they replace is removed.
INSERT INTO child_involvements (child_id, agency_id, kind, scope, since)
SELECT r.child_id, r.agency_id, 'raised-concern', 'person:' || CAST(r.raised_by AS TEXT), MIN(SUBSTR(r.submitted_at, 1, 10))
FROM referrals r WHERE r.raised_by IS NOT NULL AND r.source <> 'return-interview'
GROUP BY r.child_id, r.agency_id, r.raised_by
ON CONFLICT DO NOTHING;

INSERT INTO child_involvements (child_id, agency_id, kind, scope, since)
SELECT e.child_id, m.agency_id, 'recorded-missing', 'person:' || CAST(e.recorded_by AS TEXT), MIN(SUBSTR(e.started_at, 1, 10))
FROM missing_episodes e JOIN partnership_members m ON m.user_id = e.recorded_by
GROUP BY e.child_id, m.agency_id, e.recorded_by
ON CONFLICT DO NOTHING;

INSERT INTO child_involvements (child_id, agency_id, kind, scope, since)
SELECT s.child_id, i.agency_id, 'invited-to-panel', 'person:' || CAST(i.user_id AS TEXT), MIN(SUBSTR(i.created_at, 1, 10))
FROM panel_invitations i JOIN panel_slots s ON s.id = i.slot_id
WHERE i.user_id IS NOT NULL AND i.agency_id IS NOT NULL
GROUP BY s.child_id, i.agency_id, i.user_id
ON CONFLICT DO NOTHING;

INSERT INTO child_involvements (child_id, agency_id, kind, scope, since)
SELECT n.child_id, m.agency_id, 'notified-of-placement', 'team:' || r.team, MIN(SUBSTR(n.recorded_at, 1, 10))
FROM placement_notifications n
JOIN notification_recipients r ON r.notification_id = n.id
JOIN team_members t ON t.team = r.team
JOIN partnership_members m ON m.user_id = t.user_id
GROUP BY n.child_id, m.agency_id, r.team
ON CONFLICT DO NOTHING;

INSERT INTO child_involvements (child_id, agency_id, kind, scope, since)
SELECT n.child_id, m.agency_id, 'notified-of-placement', 'person:' || CAST(n.recorded_by AS TEXT), MIN(SUBSTR(n.recorded_at, 1, 10))
FROM placement_notifications n JOIN partnership_members m ON m.user_id = n.recorded_by
GROUP BY n.child_id, m.agency_id, n.recorded_by
ON CONFLICT DO NOTHING;

DELETE FROM child_involvements
WHERE scope = 'agency' AND kind IN ('raised-concern', 'recorded-missing', 'invited-to-panel', 'notified-of-placement')
  AND EXISTS (SELECT 1 FROM child_involvements k WHERE k.child_id = child_involvements.child_id AND k.agency_id = child_involvements.agency_id
              AND k.kind = child_involvements.kind AND k.scope <> 'agency');

-- Plan actions: an action in a police-only section (Prosecute, perpetrators,
-- operations) involves its agency's police CSE unit, for police eyes only.
DELETE FROM child_involvements WHERE kind = 'holds-action';
INSERT INTO child_involvements (child_id, agency_id, kind, scope, since)
SELECT pl.child_id, a.agency_id, 'holds-action', 'agency', MIN(SUBSTR(v.created_at, 1, 10))
FROM plan_actions a JOIN plan_versions v ON v.id = a.version_id JOIN plans pl ON pl.id = v.plan_id
WHERE a.section NOT IN ('prosecute', 'perpetrators', 'operations')
GROUP BY pl.child_id, a.agency_id;
INSERT INTO child_involvements (child_id, agency_id, kind, scope, since)
SELECT pl.child_id, a.agency_id, 'holds-police-action', 'team:police-cse', MIN(SUBSTR(v.created_at, 1, 10))
FROM plan_actions a JOIN plan_versions v ON v.id = a.version_id JOIN plans pl ON pl.id = v.plan_id
WHERE a.section IN ('prosecute', 'perpetrators', 'operations')
GROUP BY pl.child_id, a.agency_id;

-- MASH checks: what may be shared with the referrer, and what is police-only. What
-- the police told the MASH before this split is kept as police-only.
ALTER TABLE mash_checks ADD COLUMN police_only TEXT NOT NULL DEFAULT '';
UPDATE mash_checks SET police_only = holds, holds = '' WHERE agency_id IN (SELECT id FROM agencies WHERE kind = 'police');

-- Panel minutes: each young person's discussion is kept with their slot (and read
-- under that child's rule); general business names no child. Minutes written before
-- the split stay in panels.minutes, shown only to the teams that see every child.
ALTER TABLE panel_slots ADD COLUMN discussion TEXT NOT NULL DEFAULT '';
ALTER TABLE panel_slots ADD COLUMN discussion_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE panels ADD COLUMN business TEXT NOT NULL DEFAULT '';
