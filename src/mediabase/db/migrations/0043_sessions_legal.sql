SELECT 1;  -- placeholder: sign-in sessions, tokens, invitations, legal acceptances and consents (issue 16)
