/*
 * The worker's caches of the offers catalog and of tenant knowledge, kept
 * across jobs and checked against PostgreSQL's versions once per batch.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "basis.h"
#include "cache.h"
#include "db.h"
#include "log.h"

/* One MPN of the catalog: its offers (possibly none), owned. */
struct cache_mpn {
	char		*key;		/* upper case; NULL: free slot */
	struct offer	*offers;
	size_t		 n;
	char		*basis;		/* the offers as a basis stores them */
	size_t		 basislen;
	char		 hash[BASIS_HASH_LEN + 1];	/* of basis */
};

struct cache {
	int64_t			 catalog_version;	/* 0: unknown */
	struct cache_mpn	*slots;
	size_t			 nslots;	/* a power of two */
	size_t			 nused;
	struct tenant_knowledge	*tenants;
	size_t			 ntenants;
};

/* The upper-case key of an MPN into buf; -1 when it does not fit. */
static int
cache_key(const char *mpn, char *buf, size_t len)
{
	size_t i;

	for (i = 0; mpn[i] != '\0'; i++) {
		if (i + 1 >= len)
			return -1;
		buf[i] = (char)toupper((unsigned char)mpn[i]);
	}
	buf[i] = '\0';
	return 0;
}

static struct cache_mpn *
cache_slot(const struct cache *c, const char *key)
{
	size_t i, mask = c->nslots - 1;

	if (c->nslots == 0)
		return NULL;
	for (i = str_hash(key) & mask;; i = (i + 1) & mask)
		if (c->slots[i].key == NULL ||
		    strcmp(c->slots[i].key, key) == 0)
			return &c->slots[i];
}

static void
cache_mpns_clear(struct cache *c)
{
	size_t i;

	for (i = 0; i < c->nslots; i++) {
		if (c->slots[i].key == NULL)
			continue;
		offer_array_free(c->slots[i].offers, c->slots[i].n);
		free(c->slots[i].key);
		free(c->slots[i].basis);
	}
	free(c->slots);
	c->slots = NULL;
	c->nslots = c->nused = 0;
}

/* Room for one more key (rehashing at 50% load). */
static void
cache_grow(struct cache *c)
{
	struct cache_mpn *old = c->slots, *s;
	size_t i, n = c->nslots;

	if ((c->nused + 1) * 2 <= c->nslots)
		return;
	c->nslots = n ? n * 2 : 1024;
	c->slots = xcalloc(c->nslots, sizeof(*c->slots));
	for (i = 0; i < n; i++) {
		if (old[i].key == NULL)
			continue;
		s = cache_slot(c, old[i].key);
		*s = old[i];
	}
	free(old);
}

static void
cache_tenant_clear(struct tenant_knowledge *t)
{
	sourcing_knowledge_free(t->suppliers, t->nsuppliers, t->banned,
	    t->nbanned, t->alternates, t->nalternates);
	t->suppliers = NULL;
	t->banned = NULL;
	t->alternates = NULL;
	t->nsuppliers = t->nbanned = t->nalternates = 0;
	t->version = 0;
}

struct cache *
cache_new(void)
{
	return xcalloc(1, sizeof(struct cache));
}

void
cache_free(struct cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	cache_mpns_clear(c);
	for (i = 0; i < c->ntenants; i++)
		cache_tenant_clear(&c->tenants[i]);
	free(c->tenants);
	free(c);
}

const struct tenant_knowledge *
cache_tenant(const struct cache *c, const char *client_id)
{
	size_t i;

	for (i = 0; i < c->ntenants; i++)
		if (strcmp(c->tenants[i].client_id, client_id) == 0)
			return c->tenants[i].seen ? &c->tenants[i] : NULL;
	return NULL;
}

static struct tenant_knowledge *
cache_tenant_get(struct cache *c, const char *client_id)
{
	size_t i;

	for (i = 0; i < c->ntenants; i++)
		if (strcmp(c->tenants[i].client_id, client_id) == 0)
			return &c->tenants[i];
	if (c->ntenants >= CACHE_MAX_TENANTS) {
		for (i = 0; i < c->ntenants; i++)
			cache_tenant_clear(&c->tenants[i]);
		c->ntenants = 0;
	}
	c->tenants = xrealloc(c->tenants, (c->ntenants + 1) *
	    sizeof(*c->tenants));
	memset(&c->tenants[c->ntenants], 0, sizeof(*c->tenants));
	snprintf(c->tenants[c->ntenants].client_id, UUID_BUFSZ, "%s",
	    client_id);
	return &c->tenants[c->ntenants++];
}

/* Reads one tenant's supplier trust, bans and alternates. 0 or -1. */
static int
cache_load_tenant(struct tenant_knowledge *t, PGconn *db, int64_t version)
{
	const char *params[1] = { t->client_id };
	struct db_stmt st[2] = {
		{ "SELECT supplier_id, trust_level, order_cost_micros "
		    "FROM supplier_knowledge "
		    "WHERE client_id = $1", 1, params, NULL, NULL },
		{ "SELECT mpn, banned, COALESCE(ban_reason, ''), "
		    "approved_alternates::text FROM part_knowledge "
		    "WHERE client_id = $1 AND (banned OR "
		    "jsonb_array_length(approved_alternates) > 0)", 1, params,
		    NULL, NULL }
	};
	PGresult *r;
	json_t *alts, *a;
	json_error_t jerr;
	size_t k;
	int i, n, v;

	if (db_pipeline(db, st, 2) == -1)
		return -1;
	cache_tenant_clear(t);
	r = st[0].res;
	n = PQntuples(r);
	t->suppliers = xcalloc((size_t)n + 1, sizeof(*t->suppliers));
	for (i = 0; i < n; i++) {
		if ((v = name_index(&trust_level_names,
		    PQgetvalue(r, i, 1))) == -1)
			continue;
		t->suppliers[t->nsuppliers].trust = (enum trust_level)v;
		t->suppliers[t->nsuppliers].order_cost_micros =
		    strtoll(PQgetvalue(r, i, 2), NULL, 10);
		t->suppliers[t->nsuppliers++].supplier_id =
		    xstrdup(PQgetvalue(r, i, 0));
	}
	r = st[1].res;
	n = PQntuples(r);
	t->banned = xcalloc((size_t)n + 1, sizeof(*t->banned));
	for (i = 0; i < n; i++) {
		if (strcmp(PQgetvalue(r, i, 1), "t") == 0) {
			t->banned[t->nbanned].mpn = xstrdup(PQgetvalue(r, i, 0));
			t->banned[t->nbanned++].reason =
			    xstrdup(PQgetvalue(r, i, 2));
		}
		if ((alts = json_loads(PQgetvalue(r, i, 3), 0, &jerr)) == NULL)
			continue;
		t->alternates = xrealloc(t->alternates, (t->nalternates +
		    json_array_size(alts) + 1) * sizeof(*t->alternates));
		json_array_foreach(alts, k, a) {
			const char *am = json_string_value(json_object_get(a,
			    "alternate_mpn"));
			const char *ar = json_string_value(json_object_get(a,
			    "reason"));

			if (am == NULL)
				continue;
			t->alternates[t->nalternates].mpn =
			    xstrdup(PQgetvalue(r, i, 0));
			t->alternates[t->nalternates].alternate_mpn =
			    xstrdup(am);
			t->alternates[t->nalternates++].reason =
			    xstrdup(ar ? ar : "");
		}
		json_decref(alts);
	}
	db_pipeline_clear(st, 2);
	t->version = version;
	return 0;
}

#define CACHE_REFRESH_STMT	"bomd_cache_refresh"

/*
 * The batch's read of its tenants and the versions, prepared once per
 * session: planned anew, it cost more than it ran. It runs before the
 * batch's transaction, as db_query_prepared() wants. The result, or NULL
 * (logged).
 */
static PGresult *
cache_refresh_query(PGconn *db, const char *ids)
{
	const char *params[1] = { ids };

	return db_query_prepared(db, CACHE_REFRESH_STMT, "SELECT "
	    "client_id::text, active, knowledge_version FROM clients "
	    "WHERE client_id = ANY ($1::uuid[]) UNION ALL "
	    "SELECT NULL, NULL, version FROM catalog_version", 1, params);
}

int
cache_refresh(struct cache *c, PGconn *db, const char *const *client_ids,
    size_t n)
{
	struct tenant_knowledge *t;
	struct buf ids;
	PGresult *r;
	int64_t v;
	size_t i;
	int row, rows, rc = -1;

	buf_init(&ids);
	buf_puts(&ids, "{");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&ids, ",");
		buf_puts(&ids, client_ids[i]);
	}
	buf_puts(&ids, "}");
	r = cache_refresh_query(db, ids.data);
	buf_free(&ids);
	if (r == NULL)
		return -1;
	for (i = 0; i < c->ntenants; i++)
		c->tenants[i].seen = false;
	rows = PQntuples(r);
	for (row = 0; row < rows; row++) {
		v = strtoll(PQgetvalue(r, row, 2), NULL, 10);
		if (PQgetisnull(r, row, 0)) {
			if (v != c->catalog_version) {
				cache_mpns_clear(c);
				c->catalog_version = v;
			}
			continue;
		}
		t = cache_tenant_get(c, PQgetvalue(r, row, 0));
		t->seen = true;
		t->active = strcmp(PQgetvalue(r, row, 1), "t") == 0;
		if (t->active && t->version != v &&
		    cache_load_tenant(t, db, v) == -1)
			goto out;
	}
	rc = 0;
out:
	PQclear(r);
	return rc;
}

/*
 * Reads one offers row into o (its strings its own); -1 when the row is
 * unusable.
 */
static int
cache_offer_from_row(PGresult *r, int i, struct offer *o)
{
	json_t *breaks, *b;
	json_error_t jerr;
	size_t k;
	int rc = -1, v;

	memset(o, 0, sizeof(*o));
	o->mpn = PQgetvalue(r, i, 0);
	o->manufacturer = PQgetvalue(r, i, 1);
	o->supplier_id = PQgetvalue(r, i, 2);
	o->supplier_name = PQgetvalue(r, i, 3);
	o->sku = PQgetvalue(r, i, 5);
	if ((v = name_index(&supplier_type_names,
	    PQgetvalue(r, i, 4))) == -1 ||
	    parse_i64(PQgetvalue(r, i, 6), 0, INT64_MAX, &o->stock, NULL) ||
	    parse_i64(PQgetvalue(r, i, 7), 0, INT64_MAX, &o->moq, NULL) ||
	    parse_i64(PQgetvalue(r, i, 8), 0, INT64_MAX, &o->order_multiple,
	    NULL) ||
	    parse_i64(PQgetvalue(r, i, 9), 0, INT64_MAX, &o->lead_time_days,
	    NULL))
		return -1;
	o->type = (enum supplier_type)v;
	snprintf(o->currency, sizeof(o->currency), "%s", PQgetvalue(r, i, 10));
	snprintf(o->packaging, sizeof(o->packaging), "%s",
	    PQgetvalue(r, i, 12));
	if (offer_lifecycle_parse(PQgetvalue(r, i, 13), &o->lifecycle) == -1)
		o->lifecycle = OFFER_LIFECYCLE_UNKNOWN;
	o->rohs = PQgetisnull(r, i, 14) ? OFFER_ROHS_UNKNOWN :
	    strcmp(PQgetvalue(r, i, 14), "t") == 0 ? OFFER_ROHS_YES :
	    OFFER_ROHS_NO;
	snprintf(o->country, sizeof(o->country), "%s", PQgetvalue(r, i, 15));
	if (PQgetvalue(r, i, 16)[0] != '\0')
		o->datasheet_url = PQgetvalue(r, i, 16);
	if ((breaks = json_loads(PQgetvalue(r, i, 11), 0, &jerr)) == NULL)
		return -1;
	if (!json_is_array(breaks) || json_array_size(breaks) == 0 ||
	    json_array_size(breaks) > OFFERS_MAX_BREAKS)
		goto out;
	o->nbreaks = json_array_size(breaks);
	o->breaks = xcalloc(o->nbreaks, sizeof(*o->breaks));
	json_array_foreach(breaks, k, b) {
		if (!json_is_integer(json_array_get(b, 0)) ||
		    !json_is_integer(json_array_get(b, 1)))
			goto out;
		o->breaks[k].qty = json_integer_value(json_array_get(b, 0));
		o->breaks[k].unit_micros =
		    json_integer_value(json_array_get(b, 1));
	}
	offer_own_strings(o);
	rc = 0;
out:
	json_decref(breaks);
	return rc;
}

/* Adds an MPN (no offers yet) under key; the slot. */
static struct cache_mpn *
cache_add(struct cache *c, const char *key)
{
	struct cache_mpn *s;

	cache_grow(c);
	s = cache_slot(c, key);
	if (s->key == NULL) {
		s->key = xstrdup(key);
		c->nused++;
	}
	return s;
}

/* A text[] literal of the missing keys; their count. */
static size_t
cache_missing(struct cache *c, const char *const *mpns, size_t n,
    struct buf *b)
{
	char key[OFFERS_MAX_FIELD + 1];
	struct cache_mpn *s;
	size_t i, nmiss = 0;
	const char *p;

	buf_puts(b, "{");
	for (i = 0; i < n; i++) {
		if (cache_key(mpns[i], key, sizeof(key)) == -1)
			continue;
		if ((s = cache_slot(c, key)) != NULL && s->key != NULL)
			continue;
		/* added now, so a repeat in this batch is not asked twice */
		cache_add(c, key);
		if (nmiss++ > 0)
			buf_puts(b, ",");
		buf_puts(b, "\"");
		for (p = key; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_append(b, "\\", 1);
			buf_append(b, p, 1);
		}
		buf_puts(b, "\"");
	}
	buf_puts(b, "}");
	return nmiss;
}

int
cache_load_offers(struct cache *c, PGconn *db, const char *const *mpns,
    size_t n)
{
	char key[OFFERS_MAX_FIELD + 1];
	const char *params[1];
	struct cache_mpn *s;
	struct offer o;
	struct buf b;
	PGresult *r;
	int i, rows;

	if (c->nused + n > CACHE_MAX_MPNS)
		cache_mpns_clear(c);
	buf_init(&b);
	if (cache_missing(c, mpns, n, &b) == 0) {
		buf_free(&b);
		return 0;
	}
	params[0] = b.data;
	r = db_query(db, "SELECT mpn, manufacturer, supplier_id, "
	    "supplier_name, supplier_type, sku, stock, moq, order_multiple, "
	    "lead_time_days, currency, breaks::text, packaging, lifecycle, "
	    "rohs, country_of_origin, datasheet_url FROM offers "
	    "WHERE upper(mpn) = ANY ($1::text[]) "
	    "ORDER BY upper(mpn), supplier_id, sku", 1, params, NULL, 0);
	if (r == NULL) {
		/* the keys just added must not pass for "no offers" */
		cache_mpns_clear(c);
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	rows = PQntuples(r);
	for (i = 0; i < rows; i++) {
		if (cache_offer_from_row(r, i, &o) == -1) {
			log_warnx("enrich: offers row %s/%s unusable, skipped",
			    PQgetvalue(r, i, 2), PQgetvalue(r, i, 5));
			offer_free_fields(&o);
			continue;
		}
		if (cache_key(o.mpn, key, sizeof(key)) == -1) {
			offer_free_fields(&o);
			continue;
		}
		s = cache_add(c, key);
		s->offers = xrealloc(s->offers, (s->n + 1) * sizeof(o));
		s->offers[s->n++] = o;
	}
	PQclear(r);
	return 0;
}

const struct offer *
cache_offers(const struct cache *c, const char *mpn, size_t *n)
{
	char key[OFFERS_MAX_FIELD + 1];
	struct cache_mpn *s;

	*n = 0;
	if (cache_key(mpn, key, sizeof(key)) == -1 ||
	    (s = cache_slot(c, key)) == NULL || s->key == NULL)
		return NULL;
	*n = s->n;
	return s->n ? s->offers : NULL;
}

size_t
cache_nmpns(const struct cache *c)
{
	return c->nused;
}

const struct offer *
cache_offers_basis(const struct cache *c, const char *mpn, size_t *n,
    const char **text, size_t *len, const char **hash, const void **key)
{
	char k[OFFERS_MAX_FIELD + 1];
	struct cache_mpn *s;
	struct buf b;

	*n = 0;
	*text = "";
	*len = 0;
	*hash = "";
	*key = NULL;
	if (cache_key(mpn, k, sizeof(k)) == -1 ||
	    (s = cache_slot(c, k)) == NULL || s->key == NULL)
		return NULL;
	if (s->basis == NULL) {
		buf_init(&b);
		basis_offers_text(s->offers, s->n, &b);
		s->basislen = b.len;
		s->basis = buf_steal(&b);
		basis_hash(s->basis, s->basislen, s->hash);
	}
	*n = s->n;
	*text = s->basis;
	*len = s->basislen;
	*hash = s->hash;
	*key = s;
	return s->n ? s->offers : NULL;
}

int
cache_check_catalog(struct cache *c, PGconn *db)
{
	PGresult *r;
	int64_t v;

	r = db_query(db, "SELECT version FROM catalog_version", 0, NULL, NULL,
	    0);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		if (v != c->catalog_version) {
			cache_mpns_clear(c);
			c->catalog_version = v;
		}
	}
	PQclear(r);
	return 0;
}
