-- 0015_identity_key_scopes: worker keys, and people linked only to members.
--
-- api_keys.scope   'member' (what every key was so far: it acts as its membership, with the
--                  member's role) or 'worker' (it runs the job worker protocol over HTTP and
--                  nothing else: no videos, no members, no keys; docs/jobs.md "Who may do what").
-- people.user_id   a person of an organization may stand for a user of that organization only:
--                  a composite foreign key to memberships replaces the one to users, so another
--                  organization's user and a made-up id are refused alike, by one constraint
--                  (people_user_membership_fk), and a person whose user leaves is kept, unlinked.

ALTER TABLE api_keys ADD COLUMN scope text NOT NULL DEFAULT 'member'
    CONSTRAINT api_keys_scope_valid CHECK (scope IN ('member', 'worker'));
GRANT SELECT (scope) ON api_keys TO mediabase_app;

-- Links made before this rule to users outside the organization are dropped, not the people.
UPDATE people p SET user_id = NULL
 WHERE p.user_id IS NOT NULL
   AND NOT EXISTS (SELECT FROM memberships m WHERE m.organization_id = p.organization_id AND m.user_id = p.user_id);
ALTER TABLE people DROP CONSTRAINT people_user_id_fkey;
ALTER TABLE people ADD CONSTRAINT people_user_membership_fk FOREIGN KEY (organization_id, user_id)
    REFERENCES memberships (organization_id, user_id) ON DELETE SET NULL (user_id);
-- the foreign key's reverse lookup (a member leaving)
CREATE INDEX people_user_idx ON people (organization_id, user_id) WHERE user_id IS NOT NULL;
