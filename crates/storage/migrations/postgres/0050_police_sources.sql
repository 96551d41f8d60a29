-- R1: concerns reach the MASH through the police as a 101 notification, a 999 call or
-- a concern the public or a taxi driver reported to police; the last says who reported
-- it (a slug). Empty for every other source, and for the referrals made before.
ALTER TABLE referrals ADD COLUMN reported_by_kind TEXT;
