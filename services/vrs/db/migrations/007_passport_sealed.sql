-- Issue 15: passport numbers encrypted at rest like My Number (AES-256-GCM with the municipality's
-- data key, bound to 自治体コード and 個別宛名番号). The clear column stays only until the VRS seals
-- the rows written before this migration, at its next start (records/seal-passports.ts).
ALTER TABLE passports ADD COLUMN passport_number_enc bytea;
ALTER TABLE passports ALTER COLUMN passport_number DROP NOT NULL;
ALTER TABLE passports ADD CONSTRAINT passports_number_present CHECK (passport_number IS NOT NULL OR passport_number_enc IS NOT NULL);
