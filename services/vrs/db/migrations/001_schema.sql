-- VRS schema. Every table holding resident data carries municipality_code and is protected by
-- row-level security keyed by the transaction setting app.municipality (自治体コード), with FORCE
-- ROW LEVEL SECURITY so that even the owner is bound. The application works as role vrs_app, which
-- owns nothing (see db/database.ts, withMunicipality).

DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vrs_app') THEN CREATE ROLE vrs_app NOLOGIN; END IF;
END $$;

CREATE OR REPLACE FUNCTION app_municipality() RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.municipality', true), '') $$;

-- 市区町村. Readable by all (menu needs names and participation); each changes only its own row.
CREATE TABLE municipalities (
  code            char(6) PRIMARY KEY,
  name            text NOT NULL,
  participates    boolean NOT NULL DEFAULT false,
  suspended       boolean NOT NULL DEFAULT false,
  suspended_at    timestamptz,
  -- the municipality's AES-256 data key, wrapped (AES-256-GCM) by the master key: iv ‖ ciphertext ‖ tag
  data_key_wrapped bytea NOT NULL
);

-- 接種対象者 (resident registration), keyed by 個別宛名番号 within a municipality.
CREATE TABLE residents (
  municipality_code char(6) NOT NULL REFERENCES municipalities(code),
  atena_number      text NOT NULL,
  family_name       text,
  given_name        text,
  family_kana       text,
  given_kana        text,
  birth_date        date,
  sex               char(1),
  ticket_number     text,
  -- 転出/死亡フラグ: NULL, '1' moved out, '2' died, '3' other removal (a '9' in a CSV clears it)
  flag              char(1) CHECK (flag IN ('1', '2', '3')),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, atena_number)
);

-- My Number, encrypted with the municipality's data key, linked only to the 個別宛名番号.
CREATE TABLE my_number_links (
  municipality_code char(6) NOT NULL,
  atena_number      text NOT NULL,
  my_number_hmac    bytea NOT NULL,
  my_number_enc     bytea NOT NULL,
  PRIMARY KEY (municipality_code, atena_number),
  FOREIGN KEY (municipality_code, atena_number) REFERENCES residents(municipality_code, atena_number) ON DELETE CASCADE
);
CREATE INDEX my_number_links_hmac ON my_number_links (my_number_hmac);

-- Which municipalities hold records for a keyed hash of a My Number (no personal data besides the
-- keyed hash): the one cross-municipality read, needed to build the kiosk menu.
CREATE TABLE my_number_index (
  my_number_hmac    bytea NOT NULL,
  municipality_code char(6) NOT NULL REFERENCES municipalities(code),
  PRIMARY KEY (my_number_hmac, municipality_code)
);

CREATE TABLE vaccinations (
  municipality_code char(6) NOT NULL,
  atena_number      text NOT NULL,
  dose              smallint NOT NULL CHECK (dose BETWEEN 1 AND 99),
  vaccinated_on     date NOT NULL,
  vaccine_type      text NOT NULL,
  maker             text NOT NULL,
  product           text NOT NULL,
  lot               text NOT NULL,
  amount            text,
  venue             text,
  vaccination_municipality_code char(6),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, atena_number, dose),
  FOREIGN KEY (municipality_code, atena_number) REFERENCES residents(municipality_code, atena_number) ON DELETE CASCADE
);

-- Passport data on file (from an earlier counter or app issuance); needed for overseas certificates.
CREATE TABLE passports (
  municipality_code char(6) NOT NULL,
  atena_number      text NOT NULL,
  name_roman        text NOT NULL,
  nationality       char(3) NOT NULL,
  passport_number   text NOT NULL,
  other_name        text,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, atena_number),
  FOREIGN KEY (municipality_code, atena_number) REFERENCES residents(municipality_code, atena_number) ON DELETE CASCADE
);

-- Certificate issuances: a row is reserved when the relay fetches certificate data and becomes
-- 'issued' when the completion notice arrives. `source` is the issuance source data VRS keeps
-- (seed 001 art. 21).
CREATE TABLE certificate_issuances (
  certificate_id    varchar(12) PRIMARY KEY,
  municipality_code char(6) NOT NULL REFERENCES municipalities(code),
  atena_number      text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('domestic', 'overseas')),
  channel           text NOT NULL DEFAULT 'kiosk',
  status            text NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved', 'issued')),
  reserved_at       timestamptz NOT NULL DEFAULT now(),
  issued_at         timestamptz,
  copies            smallint,
  fee               integer,
  kiosk_id          text,
  store_id          text,
  source            jsonb NOT NULL
);
CREATE INDEX certificate_issuances_log ON certificate_issuances (municipality_code, issued_at DESC) WHERE status = 'issued';

-- 完了通知 received from the certificate center, de-duplicated by certificate ID.
CREATE TABLE completion_notices (
  certificate_id    varchar(12) PRIMARY KEY,
  municipality_code char(6) NOT NULL,
  received_at       timestamptz NOT NULL DEFAULT now(),
  notice            jsonb NOT NULL
);

-- Municipality staff (at most 10 per municipality, enforced by the portal).
CREATE TABLE staff (
  id                uuid PRIMARY KEY,
  municipality_code char(6) NOT NULL REFERENCES municipalities(code),
  email             text NOT NULL UNIQUE,
  password_hash     text NOT NULL,
  disabled          boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now()
);

-- Staff operations log of each municipality.
CREATE TABLE staff_audit (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  municipality_code char(6) NOT NULL,
  staff_id          uuid,
  action            text NOT NULL,
  detail            jsonb NOT NULL DEFAULT '{}'::jsonb,
  at                timestamptz NOT NULL DEFAULT now()
);

-- Row-level security: own municipality only.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['residents', 'my_number_links', 'vaccinations', 'passports',
                           'certificate_issuances', 'completion_notices', 'staff_audit'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY own_municipality ON %I USING (municipality_code = app_municipality()) WITH CHECK (municipality_code = app_municipality())', t);
  END LOOP;
END $$;

ALTER TABLE municipalities ENABLE ROW LEVEL SECURITY;
ALTER TABLE municipalities FORCE ROW LEVEL SECURITY;
CREATE POLICY read_all ON municipalities FOR SELECT USING (true);
CREATE POLICY change_own ON municipalities FOR UPDATE USING (code = app_municipality()) WITH CHECK (code = app_municipality());

ALTER TABLE my_number_index ENABLE ROW LEVEL SECURITY;
ALTER TABLE my_number_index FORCE ROW LEVEL SECURITY;
CREATE POLICY read_all ON my_number_index FOR SELECT USING (true);
CREATE POLICY write_own ON my_number_index FOR INSERT WITH CHECK (municipality_code = app_municipality());
CREATE POLICY delete_own ON my_number_index FOR DELETE USING (municipality_code = app_municipality());

-- Staff rows are found by e-mail at login, before a municipality is known; changes stay own-only.
ALTER TABLE staff ENABLE ROW LEVEL SECURITY;
ALTER TABLE staff FORCE ROW LEVEL SECURITY;
CREATE POLICY read_all ON staff FOR SELECT USING (true);
CREATE POLICY insert_own ON staff FOR INSERT WITH CHECK (municipality_code = app_municipality());
CREATE POLICY update_own ON staff FOR UPDATE USING (municipality_code = app_municipality()) WITH CHECK (municipality_code = app_municipality());

GRANT USAGE ON SCHEMA public TO vrs_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO vrs_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO vrs_app;
GRANT EXECUTE ON FUNCTION app_municipality() TO vrs_app;
