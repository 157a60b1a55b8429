-- Issue 18. (1) Overseas certificates issued at a municipal counter (窓口) or in the app (アプリ):
-- a kiosk's overseas certificate takes its passport data from the holder's latest one issued on or
-- after 2022-07-21, when its passport number is the one on file (records/overseas-source.ts).
-- (2) Each municipality's 問合せ先 (office and telephone), shown on the kiosk's refusal screens.

CREATE TABLE overseas_issuances (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  municipality_code   char(6) NOT NULL,
  atena_number        text NOT NULL,
  channel             text NOT NULL CHECK (channel IN ('counter', 'app')),
  issued_on           date NOT NULL,
  -- 証明書ID printed at the counter or in the app, when the municipality's file gives it
  certificate_id      text,
  name_roman          text NOT NULL,
  nationality         char(3) NOT NULL,
  -- sealed like passports.passport_number_enc (same key, bound to 自治体コード and 個別宛名番号);
  -- the clear column only holds numbers copied below from passports rows not sealed yet, until
  -- the VRS seals them at its next start (records/seal-passports.ts)
  passport_number     text,
  passport_number_enc bytea,
  other_name          text,
  -- 'csv': the overseas-issuances import; 'passport_csv': a passport row of a resident without
  -- issuances, counted as a counter issuance dated at import; 'migration': passports on file here
  origin              text NOT NULL CHECK (origin IN ('csv', 'passport_csv', 'migration')),
  recorded_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT overseas_issuances_number_present CHECK (passport_number IS NOT NULL OR passport_number_enc IS NOT NULL),
  UNIQUE (municipality_code, atena_number, channel, issued_on),
  FOREIGN KEY (municipality_code, atena_number) REFERENCES residents(municipality_code, atena_number) ON DELETE CASCADE
);
CREATE INDEX overseas_issuances_latest ON overseas_issuances (municipality_code, atena_number, issued_on DESC);

-- The date the passport data on file dates from (an issuance's date, or the day of a passport import).
ALTER TABLE passports ADD COLUMN recorded_on date;

-- Passport data on file before this migration keeps working: each row counts as a counter issuance
-- dated at its import (JST day of updated_at). The owner writes past row-level security here only,
-- inside this migration's transaction.
ALTER TABLE passports NO FORCE ROW LEVEL SECURITY;
UPDATE passports SET recorded_on = ((updated_at AT TIME ZONE 'UTC') + interval '9 hours')::date;
INSERT INTO overseas_issuances (municipality_code, atena_number, channel, issued_on, name_roman, nationality, passport_number, passport_number_enc, other_name, origin)
SELECT municipality_code, atena_number, 'counter', recorded_on, name_roman, nationality, passport_number, passport_number_enc, other_name, 'migration'
  FROM passports;
ALTER TABLE passports FORCE ROW LEVEL SECURITY;
ALTER TABLE passports ALTER COLUMN recorded_on SET NOT NULL;
ALTER TABLE passports ALTER COLUMN recorded_on SET DEFAULT ((now() AT TIME ZONE 'UTC') + interval '9 hours')::date;

ALTER TABLE overseas_issuances ENABLE ROW LEVEL SECURITY;
ALTER TABLE overseas_issuances FORCE ROW LEVEL SECURITY;
CREATE POLICY own_municipality ON overseas_issuances USING (municipality_code = app_municipality()) WITH CHECK (municipality_code = app_municipality());
GRANT SELECT, INSERT, UPDATE, DELETE ON overseas_issuances TO vrs_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO vrs_app;

-- 問合せ先: readable by all like the rest of the row (the kiosk menu carries it); each municipality
-- changes only its own (policy change_own of 001).
ALTER TABLE municipalities ADD COLUMN contact_office text;
ALTER TABLE municipalities ADD COLUMN contact_phone text;
