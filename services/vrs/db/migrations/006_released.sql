-- Issue 14: a reservation that was not printed (replaced, failed, cancelled, expired) is released
-- by the certificate center; a released certificate ID is never issued. Reconciliation reads
-- reservations by period.
ALTER TABLE certificate_issuances DROP CONSTRAINT certificate_issuances_status_check;
ALTER TABLE certificate_issuances ADD CONSTRAINT certificate_issuances_status_check CHECK (status IN ('reserved', 'issued', 'released'));
ALTER TABLE certificate_issuances ADD COLUMN released_at timestamptz;
ALTER TABLE certificate_issuances ADD COLUMN release_outcome text CHECK (release_outcome IN ('failed', 'cancelled', 'expired'));
CREATE INDEX certificate_issuances_reserved ON certificate_issuances (municipality_code, reserved_at);
