-- Live offer sources (DigiKey, Mouser, Nexar) beside the imported
-- catalog: where each offer came from and when, what the source says of
-- the part, and when each source was last asked about an MPN (also when
-- it had no offers), so a source is asked again only after its TTL.
-- Every statement on offers still bumps catalog_version (0008).

ALTER TABLE offers
	ADD COLUMN source text NOT NULL DEFAULT 'catalog',
	ADD COLUMN fetched_at timestamptz,
	ADD COLUMN packaging text NOT NULL DEFAULT '',
	ADD COLUMN lifecycle text NOT NULL DEFAULT 'unknown'
		CHECK (lifecycle IN ('unknown', 'active', 'nrnd', 'eol',
		    'obsolete')),
	ADD COLUMN rohs boolean,
	ADD COLUMN lead_time_known boolean NOT NULL DEFAULT true;
UPDATE offers SET fetched_at = updated_at;
ALTER TABLE offers
	ALTER COLUMN fetched_at SET DEFAULT now(),
	ALTER COLUMN fetched_at SET NOT NULL;
CREATE INDEX offers_source_mpn_idx ON offers (source, upper(mpn));

-- One row per (source, MPN) asked: mpn_key is upper(mpn), as the
-- worker's cache and offers_mpn_idx key MPNs.
CREATE TABLE offer_lookups (
	source		text NOT NULL,
	mpn_key		text NOT NULL,
	fetched_at	timestamptz NOT NULL,
	offers		integer NOT NULL DEFAULT 0 CHECK (offers >= 0),
	PRIMARY KEY (source, mpn_key)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON offer_lookups TO bomd_app;
