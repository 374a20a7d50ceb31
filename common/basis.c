/*
 * The basis of a job's decisions, written by the worker and read back by
 * the API to decide the lines again in words; see basis.h. Stored form:
 * {"costing":[attrition_bp, setup_extra, decided_on],
 *  "offers":[[mpn, manufacturer, supplier_id, supplier_name, type, sku,
 *             stock, moq, order_multiple, lead_time_days, currency,
 *             [[qty, unit_micros], ...], lifecycle, rohs,
 *             country_of_origin, packaging, datasheet_url], ...],
 *  "trust":[[supplier_id, level, order_cost_micros]],
 *  "banned":[[mpn, reason]], "alternates":[[mpn, alternate_mpn, reason]]}
 * A basis written before the engineering checks has no decided_on, offers
 * of 12 elements and trust pairs: it reads with those unknown (and 0).
 * A basis may end with "sets":["hash", ...]: offer sets stored once in
 * offer_sets, which bomd_basis() (SQL) puts back among the offers before
 * it is read here.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "basis.h"

static void
basis_push(const char ***v, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = s;
}

static bool
basis_has(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(v[i], s) == 0)
			return true;
	return false;
}

/* The next element of an array: a comma, then s ("" for NULL). */
static void
basis_next_str(struct buf *b, const char *s)
{
	buf_puts(b, ",");
	buf_jstr(b, s != NULL ? s : "");
}

/* The next element of an array: a comma, then v. */
static void
basis_next_int(struct buf *b, int64_t v)
{
	buf_puts(b, ",");
	buf_jint(b, v);
}

void
basis_begin(struct basis_writer *w, struct buf *b,
    const struct basis_costing *c)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	buf_puts(b, "{\"costing\":[");
	buf_jint(b, c->attrition_bp);
	basis_next_int(b, c->setup_extra);
	basis_next_int(b, c->decided_on);
	buf_puts(b, "],\"offers\":[");
}

void
basis_offers_text(const struct offer *o, size_t n, struct buf *b)
{
	size_t i, k;

	for (i = 0; i < n; i++, o++) {
		buf_puts(b, i > 0 ? ",[" : "[");
		buf_jstr(b, o->mpn);
		basis_next_str(b, o->manufacturer);
		basis_next_str(b, o->supplier_id);
		basis_next_str(b, o->supplier_name);
		basis_next_str(b, name_of(&supplier_type_names, o->type));
		basis_next_str(b, o->sku);
		basis_next_int(b, o->stock);
		basis_next_int(b, o->moq);
		basis_next_int(b, o->order_multiple);
		basis_next_int(b, o->lead_time_days);
		basis_next_str(b, o->currency);
		buf_puts(b, ",[");
		for (k = 0; k < o->nbreaks; k++) {
			buf_puts(b, k > 0 ? ",[" : "[");
			buf_jint(b, o->breaks[k].qty);
			basis_next_int(b, o->breaks[k].unit_micros);
			buf_puts(b, "]");
		}
		buf_puts(b, "]");
		basis_next_str(b, name_of(&offer_lifecycle_names,
		    o->lifecycle));
		basis_next_str(b, name_of(&offer_rohs_names, o->rohs));
		basis_next_str(b, o->country);
		basis_next_str(b, o->packaging);
		basis_next_str(b, o->datasheet_url);
		buf_puts(b, "]");
	}
}

/*
 * Notes the offers of mpn: false when they were added already (the same
 * offers under another spelling of the MPN: once).
 */
static bool
basis_note(struct basis_writer *w, const char *mpn, const void *key,
    const struct offer *o, size_t n)
{
	size_t i;

	for (i = 0; key != NULL && i < w->nkeys; i++)
		if (w->keys[i] == key)
			return false;
	if (key == NULL && basis_has(w->mpns, w->nmpns, mpn))
		return false;
	if (key != NULL) {
		if (w->nkeys == w->capkeys) {
			w->capkeys = w->capkeys ? w->capkeys * 2 : 64;
			w->keys = xrealloc(w->keys, w->capkeys *
			    sizeof(*w->keys));
		}
		w->keys[w->nkeys++] = key;
	}
	basis_push(&w->mpns, &w->nmpns, &w->capmpns, mpn);
	if (n > 0) {
		if (w->nnoted == w->capnoted) {
			w->capnoted = w->capnoted ? w->capnoted * 2 : 64;
			w->noted = xrealloc(w->noted, w->capnoted *
			    sizeof(*w->noted));
		}
		w->noted[w->nnoted].o = o;
		w->noted[w->nnoted++].n = n;
	}
	return true;
}

/* Whether an offer added so far is from supplier sid (any case). */
static bool
basis_has_supplier(const struct basis_writer *w, const char *sid)
{
	size_t i, k;

	for (i = 0; i < w->nnoted; i++)
		for (k = 0; k < w->noted[i].n; k++)
			if (w->noted[i].o[k].supplier_id != NULL &&
			    strcasecmp(w->noted[i].o[k].supplier_id, sid) == 0)
				return true;
	return false;
}

void
basis_add_offers_text(struct basis_writer *w, const char *mpn,
    const void *key, const struct offer *o, size_t n, const char *text,
    size_t len)
{
	if (!basis_note(w, mpn, key, o, n) || n == 0)
		return;
	if (w->noffers++ > 0)
		buf_puts(w->b, ",");
	buf_append(w->b, text, len);
}

void
basis_add_offers_ref(struct basis_writer *w, const char *mpn,
    const void *key, const struct offer *o, size_t n, const char *hash)
{
	if (!basis_note(w, mpn, key, o, n) || n == 0)
		return;
	if (w->nrefs++ == 0)
		buf_init(&w->refs);
	else
		buf_append(&w->refs, ",", 1);
	buf_append(&w->refs, "\"", 1);
	buf_puts(&w->refs, hash);
	buf_append(&w->refs, "\"", 1);
}

void
basis_hash(const char *text, size_t len, char hash[BASIS_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[SHA256_DIGEST_LENGTH];
	size_t i;

	SHA256((const unsigned char *)text, len, d);
	for (i = 0; i < BASIS_HASH_LEN / 2; i++) {
		hash[2 * i] = hex[d[i] >> 4];
		hash[2 * i + 1] = hex[d[i] & 0xf];
	}
	hash[BASIS_HASH_LEN] = '\0';
}

void
basis_add_offers(struct basis_writer *w, const char *mpn,
    const struct offer *o, size_t n)
{
	struct buf t;

	buf_init(&t);
	basis_offers_text(o, n, &t);
	basis_add_offers_text(w, mpn, NULL, o, n, t.data, t.len);
	buf_free(&t);
}

static void
basis_pair(struct buf *b, bool *first, const char *x, const char *y,
    const char *z)
{
	buf_puts(b, *first ? "[" : ",[");
	*first = false;
	buf_jstr(b, x ? x : "");
	basis_next_str(b, y);
	if (z != NULL)
		basis_next_str(b, z);
	buf_puts(b, "]");
}

void
basis_add_knowledge(struct basis_writer *w,
    const struct supplier_rule *trust, size_t ntrust,
    const struct banned_part *banned, size_t nbanned,
    const struct alternate *alternates, size_t nalternates)
{
	struct buf *b = w->b;
	bool first = true;
	size_t i;

	buf_puts(b, "],\"trust\":[");
	for (i = 0; i < ntrust; i++)
		if (trust[i].supplier_id != NULL &&
		    basis_has_supplier(w, trust[i].supplier_id)) {
			buf_puts(b, first ? "[" : ",[");
			first = false;
			buf_jstr(b, trust[i].supplier_id);
			basis_next_str(b, name_of(&trust_level_names,
			    trust[i].trust));
			basis_next_int(b, trust[i].order_cost_micros);
			buf_puts(b, "]");
		}
	buf_puts(b, "],\"banned\":[");
	first = true;
	for (i = 0; i < nbanned; i++)
		if (banned[i].mpn != NULL &&
		    basis_has(w->mpns, w->nmpns, banned[i].mpn))
			basis_pair(b, &first, banned[i].mpn, banned[i].reason,
			    NULL);
	buf_puts(b, "],\"alternates\":[");
	first = true;
	for (i = 0; i < nalternates; i++)
		if (alternates[i].mpn != NULL &&
		    basis_has(w->mpns, w->nmpns, alternates[i].mpn))
			basis_pair(b, &first, alternates[i].mpn,
			    alternates[i].alternate_mpn,
			    alternates[i].reason ? alternates[i].reason : "");
	buf_puts(b, "]");
}

void
basis_end(struct basis_writer *w)
{
	/* last, and the only "sets" key: bomd_basis() finds it there */
	if (w->nrefs > 0) {
		buf_puts(w->b, ",\"sets\":[");
		buf_append(w->b, w->refs.data, w->refs.len);
		buf_puts(w->b, "]");
		buf_free(&w->refs);
	}
	buf_puts(w->b, "}");
	free(w->mpns);
	free(w->noted);
	free(w->keys);
	memset(w, 0, sizeof(*w));
}

static int
basis_offer_cmp(const void *a, const void *b)
{
	const struct offer *x = a, *y = b;
	int c;

	if ((c = strcasecmp(x->mpn, y->mpn)) != 0)
		return c;
	if ((c = strcmp(x->supplier_id, y->supplier_id)) != 0)
		return c;
	return strcmp(x->sku, y->sku);
}

/* The string at a[i], "" when there is none (borrowed from a). */
static const char *
basis_cstr(const json_t *a, size_t i)
{
	const char *s = json_string_value(json_array_get(a, i));

	return s != NULL ? s : "";
}

static char *
basis_str(const json_t *a, size_t i)
{
	return xstrdup(basis_cstr(a, i));
}

static int64_t
basis_int(const json_t *a, size_t i)
{
	return json_integer_value(json_array_get(a, i));
}

/* The details of stored offer a (members 12 to 16) into o; -1: bad. */
static int
basis_offer_details(const json_t *a, struct offer *o)
{
	if (offer_lifecycle_parse(json_string_value(json_array_get(a, 12)),
	    &o->lifecycle) == -1 || offer_rohs_parse(json_string_value(
	    json_array_get(a, 13)), &o->rohs) == -1)
		return -1;
	snprintf(o->country, sizeof(o->country), "%s", basis_cstr(a, 14));
	snprintf(o->packaging, sizeof(o->packaging), "%s", basis_cstr(a, 15));
	if (json_string_length(json_array_get(a, 16)) > 0)
		o->datasheet_url = basis_cstr(a, 16);
	return 0;
}

/* One stored offer into o (its strings its own). -1 when malformed. */
static int
basis_offer(const json_t *a, struct offer *o)
{
	const json_t *br, *e;
	const char *cur;
	size_t k;
	int v;

	memset(o, 0, sizeof(*o));
	if (!json_is_array(a) || (json_array_size(a) != 12 &&
	    json_array_size(a) != 17))
		return -1;
	o->mpn = basis_cstr(a, 0);
	o->manufacturer = basis_cstr(a, 1);
	o->supplier_id = basis_cstr(a, 2);
	o->supplier_name = basis_cstr(a, 3);
	if ((v = name_index(&supplier_type_names,
	    json_string_value(json_array_get(a, 4)))) == -1)
		return -1;
	o->type = (enum supplier_type)v;
	o->sku = basis_cstr(a, 5);
	o->stock = basis_int(a, 6);
	o->moq = basis_int(a, 7);
	o->order_multiple = basis_int(a, 8);
	o->lead_time_days = basis_int(a, 9);
	if ((cur = json_string_value(json_array_get(a, 10))) == NULL)
		return -1;
	snprintf(o->currency, sizeof(o->currency), "%s", cur);
	br = json_array_get(a, 11);
	if (!json_is_array(br) || json_array_size(br) > OFFERS_MAX_BREAKS)
		return -1;
	o->nbreaks = json_array_size(br);
	o->breaks = o->nbreaks ? xcalloc(o->nbreaks, sizeof(*o->breaks)) :
	    NULL;
	json_array_foreach(br, k, e) {
		o->breaks[k].qty = basis_int(e, 0);
		o->breaks[k].unit_micros = basis_int(e, 1);
	}
	/* an offer written before the details (12 members): unknown */
	if (json_array_size(a) == 17 && basis_offer_details(a, o) == -1)
		return -1;
	offer_own_strings(o);
	return 0;
}

int
basis_parse(const char *text, size_t len, struct basis *out)
{
	json_t *root, *a, *e, *c;
	json_error_t jerr;
	size_t i;
	int rc = -1, v;

	memset(out, 0, sizeof(*out));
	if ((root = json_loadb(text, len, 0, &jerr)) == NULL)
		return -1;
	c = json_object_get(root, "costing");
	out->costing.attrition_bp = basis_int(c, 0);
	out->costing.setup_extra = basis_int(c, 1);
	out->costing.decided_on = json_is_integer(json_array_get(c, 2)) ?
	    basis_int(c, 2) : -1;
	a = json_object_get(root, "offers");
	out->offers = xcalloc(json_array_size(a) + 1, sizeof(*out->offers));
	json_array_foreach(a, i, e) {
		if (basis_offer(e, &out->offers[out->noffers]) == -1) {
			offer_free_fields(&out->offers[out->noffers]);
			goto out;
		}
		out->noffers++;
	}
	qsort(out->offers, out->noffers, sizeof(*out->offers),
	    basis_offer_cmp);
	a = json_object_get(root, "trust");
	out->trust = xcalloc(json_array_size(a) + 1, sizeof(*out->trust));
	json_array_foreach(a, i, e) {
		if ((v = name_index(&trust_level_names,
		    json_string_value(json_array_get(e, 1)))) == -1)
			goto out;
		out->trust[out->ntrust].trust = (enum trust_level)v;
		out->trust[out->ntrust].order_cost_micros = basis_int(e, 2);
		out->trust[out->ntrust++].supplier_id = basis_str(e, 0);
	}
	a = json_object_get(root, "banned");
	out->banned = xcalloc(json_array_size(a) + 1, sizeof(*out->banned));
	json_array_foreach(a, i, e) {
		out->banned[out->nbanned].mpn = basis_str(e, 0);
		out->banned[out->nbanned++].reason = basis_str(e, 1);
	}
	a = json_object_get(root, "alternates");
	out->alternates = xcalloc(json_array_size(a) + 1,
	    sizeof(*out->alternates));
	json_array_foreach(a, i, e) {
		out->alternates[out->nalternates].mpn = basis_str(e, 0);
		out->alternates[out->nalternates].alternate_mpn =
		    basis_str(e, 1);
		out->alternates[out->nalternates++].reason = basis_str(e, 2);
	}
	rc = 0;
out:
	json_decref(root);
	if (rc == -1)
		basis_free(out);
	return rc;
}

void
basis_free(struct basis *b)
{
	offer_array_free(b->offers, b->noffers);
	sourcing_knowledge_free(b->trust, b->ntrust, b->banned, b->nbanned,
	    b->alternates, b->nalternates);
	memset(b, 0, sizeof(*b));
}

const struct offer *
basis_lookup(void *ctx, const char *mpn, size_t *n)
{
	const struct basis *b = ctx;
	size_t lo = 0, hi = b->noffers, mid, first;

	*n = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcasecmp(b->offers[mid].mpn, mpn) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < b->noffers && strcasecmp(b->offers[lo].mpn, mpn) == 0)
		lo++;
	*n = lo - first;
	return *n ? &b->offers[first] : NULL;
}

void
basis_setup(const struct intake_view *v,
    const struct supplier_rule *trust, size_t ntrust,
    const struct banned_part *banned, size_t nbanned,
    const struct alternate *alternates, size_t nalternates,
    const struct basis_costing *c, struct sourcing_rules *rules,
    struct cost_params *p)
{
	int64_t day;

	memset(rules, 0, sizeof(*rules));
	rules->suppliers = trust;
	rules->nsuppliers = ntrust;
	rules->banned = banned;
	rules->nbanned = nbanned;
	rules->alternates = alternates;
	rules->nalternates = nalternates;
	rules->avoid_parts = v->avoid;
	rules->navoid = v->navoid;
	rules->preferred = v->preferred;
	rules->npreferred = v->npreferred;
	rules->allow_brokers = v->allow_brokers;
	rules->allow_alternates = v->allow_alternates;
	memset(p, 0, sizeof(*p));
	p->build_qty = v->quantity;
	p->attrition_bp = (int32_t)c->attrition_bp;
	p->setup_extra = c->setup_extra;
	p->max_lead_time_days = v->max_lead_time_days;
	rules->max_lead_days = v->max_lead_time_days;
	if ((rules->legacy = c->decided_on < 0))
		return;
	rules->product_type = v->product_type;
	rules->rohs_required = v->rohs_required;
	rules->restricted = v->restricted;
	rules->nrestricted = v->nrestricted;
	rules->critical = v->critical;
	rules->ncritical = v->ncritical;
	rules->single_source_ok = v->single_source_ok;
	rules->makers = v->makers;
	if (v->deadline != NULL &&
	    intake_date_days(v->deadline, &day) == 0) {
		rules->deadline = v->deadline;
		rules->deadline_days = day - c->decided_on;
		day = rules->deadline_days < 0 ? 0 : rules->deadline_days;
		if (p->max_lead_time_days < 0 || day < p->max_lead_time_days)
			p->max_lead_time_days = day;
	}
}
