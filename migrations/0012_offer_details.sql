-- Issue 15: what the engineering checks read. Offers carry the optional
-- catalog columns (lifecycle, RoHS, country of origin, packaging,
-- datasheet); a supplier in a tenant's knowledge carries its order cost
-- (shipping and handling per order, micro-units), which couples the lines
-- of a sourcing strategy. IF NOT EXISTS: the live offer sources add some
-- of the same columns with the same types.

ALTER TABLE offers
	ADD COLUMN IF NOT EXISTS packaging text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS lifecycle text NOT NULL DEFAULT 'unknown'
		CHECK (lifecycle IN ('unknown', 'active', 'nrnd', 'eol',
		    'obsolete')),
	ADD COLUMN IF NOT EXISTS rohs boolean,
	ADD COLUMN IF NOT EXISTS country_of_origin text NOT NULL DEFAULT ''
		CHECK (country_of_origin ~ '^([A-Z]{2})?$'),
	ADD COLUMN IF NOT EXISTS datasheet_url text NOT NULL DEFAULT ''
		CHECK (length(datasheet_url) <= 2048);

ALTER TABLE supplier_knowledge
	ADD COLUMN IF NOT EXISTS order_cost_micros bigint NOT NULL DEFAULT 0
		CHECK (order_cost_micros >= 0);
