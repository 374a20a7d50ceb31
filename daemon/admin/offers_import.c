/*
 * Offers import: parse with offers.c, then upsert every good row in one
 * transaction, in batches of one parameterised statement each.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "log.h"
#include "offers.h"
#include "offers_import.h"
#include "util.h"

#define OFFERS_IMPORT_BATCH	2000

static int
offers_import_read(const char *path, struct buf *b)
{
	FILE *f;
	char chunk[65536];
	size_t n;
	int rc = -1;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "bomd: offers import: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b->len + n > OFFERS_MAX_BYTES) {
			fprintf(stderr, "bomd: offers import: %s is larger "
			    "than %d bytes\n", path, OFFERS_MAX_BYTES);
			goto out;
		}
		buf_append(b, chunk, n);
	}
	if (ferror(f)) {
		fprintf(stderr, "bomd: offers import: %s: read error\n", path);
		goto out;
	}
	rc = 0;
out:
	if (f != stdin)
		fclose(f);
	return rc;
}

static json_t *
offers_import_row(const struct offer *o)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, "
	    "s:s, s:o, s:s, s:s, s:o, s:s, s:s}", "supplier_id",
	    o->supplier_id, "sku", o->sku, "mpn", o->mpn, "manufacturer",
	    o->manufacturer, "supplier_name", o->supplier_name,
	    "supplier_type", name_of(&supplier_type_names, o->type),
	    "stock", (json_int_t)o->stock, "moq",
	    (json_int_t)(o->moq < 1 ? 1 : o->moq), "order_multiple",
	    (json_int_t)(o->order_multiple < 1 ? 1 : o->order_multiple),
	    "lead_time_days", (json_int_t)o->lead_time_days, "currency",
	    o->currency, "breaks", offer_breaks_json(o), "packaging",
	    o->packaging,
	    "lifecycle", name_of(&offer_lifecycle_names, o->lifecycle), "rohs",
	    o->rohs == OFFER_ROHS_UNKNOWN ? json_null() :
	    json_boolean(o->rohs == OFFER_ROHS_YES), "country_of_origin",
	    o->country, "datasheet_url", o->datasheet_url ?
	    o->datasheet_url : "");
}

static int
offers_import_batch(PGconn *db, json_t *rows)
{
	const char *params[1];
	char *text;
	int rc;

	text = json_dumps(rows, JSON_COMPACT);
	params[0] = text;
	/* the last row of a file wins when a (supplier_id, sku) repeats */
	rc = db_exec(db, "INSERT INTO offers (supplier_id, sku, mpn, "
	    "manufacturer, supplier_name, supplier_type, stock, moq, "
	    "order_multiple, lead_time_days, currency, breaks, packaging, "
	    "lifecycle, rohs, country_of_origin, datasheet_url) "
	    "SELECT DISTINCT ON (supplier_id, sku) supplier_id, sku, mpn, "
	    "manufacturer, supplier_name, supplier_type, stock, moq, "
	    "order_multiple, lead_time_days, currency, breaks, packaging, "
	    "lifecycle, rohs, country_of_origin, datasheet_url "
	    "FROM (SELECT x.*, ord FROM jsonb_array_elements($1::jsonb) "
	    "WITH ORDINALITY AS e(v, ord), jsonb_to_record(e.v) AS "
	    "x(supplier_id text, sku text, mpn text, manufacturer text, "
	    "supplier_name text, supplier_type text, stock bigint, moq bigint,"
	    " order_multiple bigint, lead_time_days int, currency text, "
	    "breaks jsonb, packaging text, lifecycle text, rohs boolean, "
	    "country_of_origin text, datasheet_url text)) s "
	    "ORDER BY supplier_id, sku, ord DESC "
	    "ON CONFLICT (supplier_id, sku) DO UPDATE SET mpn = EXCLUDED.mpn, "
	    "manufacturer = EXCLUDED.manufacturer, supplier_name = "
	    "EXCLUDED.supplier_name, supplier_type = EXCLUDED.supplier_type, "
	    "stock = EXCLUDED.stock, moq = EXCLUDED.moq, order_multiple = "
	    "EXCLUDED.order_multiple, lead_time_days = EXCLUDED.lead_time_days,"
	    " currency = EXCLUDED.currency, breaks = EXCLUDED.breaks, "
	    "packaging = EXCLUDED.packaging, lifecycle = EXCLUDED.lifecycle, "
	    "rohs = EXCLUDED.rohs, country_of_origin = "
	    "EXCLUDED.country_of_origin, datasheet_url = "
	    "EXCLUDED.datasheet_url, updated_at = now()", 1, params);
	free(text);
	return rc;
}

int
offers_import_file(PGconn *db, const char *path)
{
	struct offer_list list;
	struct buf b;
	json_t *rows = NULL;
	char err[512];
	size_t i;
	int rc = -1;

	buf_init(&b);
	memset(&list, 0, sizeof(list));
	if (offers_import_read(path, &b) == -1)
		goto out;
	if (offers_parse_csv(b.data ? b.data : "", b.len, &list, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "bomd: offers import: %s\n", err);
		goto out;
	}
	for (i = 0; i < list.nerrors; i++)
		fprintf(stderr, "bomd: offers import: %s\n", list.errors[i]);
	if (db_begin(db) == -1)
		goto out;
	rows = json_array();
	for (i = 0; i < list.n; i++) {
		json_array_append_new(rows, offers_import_row(&list.v[i]));
		if (json_array_size(rows) == OFFERS_IMPORT_BATCH ||
		    i + 1 == list.n) {
			if (offers_import_batch(db, rows) == -1) {
				db_rollback(db);
				fprintf(stderr, "bomd: offers import: database "
				    "error, nothing imported\n");
				goto out;
			}
			json_array_clear(rows);
		}
	}
	if (db_commit(db) == -1) {
		fprintf(stderr, "bomd: offers import: commit failed\n");
		goto out;
	}
	printf("imported %zu offers, %zu rows rejected\n", list.n, list.nbad);
	rc = 0;
out:
	json_decref(rows);
	offer_list_free(&list);
	buf_free(&b);
	return rc;
}
