-- Issue 15: staff are added by invitation. Adding an address only records an invitation and mails
-- a one-time link to it; the account is made when the person at that address sets a password. So
-- the answer to "add this address" is the same whether or not the address has an account in
-- another municipality (no enumeration of other municipalities' staff). Like login challenges,
-- an invitation is looked up by its secret before the municipality is known, so the table is not
-- behind the per-municipality policy; the secret is kept only as a SHA-256 digest.

CREATE TABLE staff_invitations (
  id                uuid PRIMARY KEY,
  municipality_code char(6) NOT NULL REFERENCES municipalities(code),
  email             text NOT NULL,
  token_hash        text NOT NULL UNIQUE,          -- SHA-256 of the mailed token, hex
  invited_by        uuid REFERENCES staff(id) ON DELETE SET NULL,
  created_at        timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL,
  -- set once the invitation can no longer be used
  ended             text CHECK (ended IN ('accepted', 'revoked', 'expired')),
  staff_id          uuid REFERENCES staff(id) ON DELETE SET NULL
);
-- At most one open invitation per address and municipality.
CREATE UNIQUE INDEX staff_invitations_open ON staff_invitations (municipality_code, email) WHERE ended IS NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON staff_invitations TO vrs_app;
