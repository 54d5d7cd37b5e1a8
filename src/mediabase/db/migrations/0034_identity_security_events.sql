-- 0034_identity_security_events: reserved; its owner is writing it.
SELECT 1;
