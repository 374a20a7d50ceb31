/*
 * The set of offer sources and the results of a fetch: names, settings
 * and their Redis prefixes, the batch's per-MPN answers, and the helpers
 * every source uses to turn its answer into offers.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "http_fetch.h"
#include "provider.h"
#include "provider_digikey.h"
#include "provider_internal.h"
#include "provider_mouser.h"
#include "provider_nexar.h"
#include "provider_redis.h"

/* The sources in provider_id order. */
static const struct provider_ops *const provider_ops_table[PROVIDER_COUNT] = {
	&provider_digikey_ops,
	&provider_mouser_ops,
	&provider_nexar_ops,
};

/* Their names, in the same order. */
const struct name_table provider_id_names = { "unknown", {
	"digikey", "mouser", "nexar"
} };

struct provider_set {
	struct provider_src	 src[PROVIDER_COUNT];
	int64_t			 timeout_ms;
	int64_t			 deadline_ms;
	CURLM			*multi;
};

const struct name_table provider_outcome_names = { "unknown", {
	[PROVIDER_SKIPPED] = "skipped",
	[PROVIDER_OK] = "ok",
	[PROVIDER_FAILED] = "failed",
	[PROVIDER_NO_BUDGET] = "out_of_budget",
} };

/*
 * Copies c into s: its strings into one block s owns (s->strs), empty
 * ones as NULL, so that one wipe and one free release them all.
 */
static void
provider_src_copy(struct provider_src *s, const struct provider_config *c)
{
	const char **const f[] = { &s->cfg.client_id, &s->cfg.client_secret,
	    &s->cfg.api_key, &s->cfg.base_url, &s->cfg.token_url,
	    &s->cfg.locale_site, &s->cfg.locale_language, &s->cfg.currency,
	    &s->cfg.country };
	size_t i, n = sizeof(f) / sizeof(f[0]);

	s->cfg = *c;
	for (i = 0; i < n; i++)
		if (*f[i] != NULL && **f[i] == '\0')
			*f[i] = NULL;
	s->strs = xstrs_pack(f, n, &s->strs_len);
}

/* Copies c into s and derives the Redis prefix from the credentials. */
static void
provider_src_init(struct provider_src *s, enum provider_id id,
    const struct provider_config *c)
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	struct buf b;

	s->ops = provider_ops_table[id];
	provider_src_copy(s, c);
	s->configured = c->enabled && s->cfg.base_url != NULL &&
	    (s->ops->oauth ? s->cfg.client_id != NULL &&
	    s->cfg.client_secret != NULL : s->cfg.api_key != NULL);
	buf_init(&b);
	buf_printf(&b, "%s\n%s\n%s\n%s", provider_id_names.names[id],
	    s->cfg.client_id ? s->cfg.client_id : "",
	    s->cfg.client_secret ? s->cfg.client_secret : "",
	    s->cfg.api_key ? s->cfg.api_key : "");
	SHA256((const unsigned char *)b.data, b.len, d);
	explicit_bzero(b.data, b.len);
	buf_free(&b);
	hex_encode(d, sizeof(d), hex);
	snprintf(s->prefix, sizeof(s->prefix), "bomd:provider:%s:%.12s",
	    provider_id_names.names[id], hex);
	if (id == PROVIDER_DIGIKEY && s->cfg.base_url != NULL) {
		buf_init(&b);
		buf_printf(&b, "%s/v1/oauth2/token", s->cfg.base_url);
		s->token_url = buf_steal(&b);
	} else if (s->cfg.token_url != NULL)
		s->token_url = xstrdup(s->cfg.token_url);
}

struct provider_set *
provider_set_new(const struct provider_settings *s)
{
	struct provider_set *ps;
	int i;

	ps = xcalloc(1, sizeof(*ps));
	for (i = 0; i < PROVIDER_COUNT; i++)
		provider_src_init(&ps->src[i], (enum provider_id)i,
		    &s->src[i]);
	ps->timeout_ms = s->timeout_ms > 0 ? s->timeout_ms : 10000;
	ps->deadline_ms = s->deadline_ms > 0 ? s->deadline_ms : 20000;
	/*
	 * No source configured, no fetch: curl (and the TLS library it
	 * initialises, some 2 MB of pages touched) is not set up.
	 */
	if (provider_set_configured(ps) == 0)
		return ps;
	if ((ps->multi = http_multi_new("providers")) == NULL) {
		provider_set_free(ps);
		return NULL;
	}
	return ps;
}

void
provider_set_free(struct provider_set *ps)
{
	struct provider_src *s;
	int i;

	if (ps == NULL)
		return;
	for (i = 0; i < PROVIDER_COUNT; i++) {
		s = &ps->src[i];
		/* the credentials are in the block */
		if (s->strs != NULL)
			explicit_bzero(s->strs, s->strs_len);
		free(s->strs);
		free(s->token_url);
	}
	if (ps->multi != NULL)
		curl_multi_cleanup(ps->multi);
	free(ps);
}

unsigned
provider_set_configured(const struct provider_set *ps)
{
	unsigned m = 0;
	int i;

	for (i = 0; i < PROVIDER_COUNT; i++)
		if (ps->src[i].configured)
			m |= PROVIDER_BIT(i);
	return m;
}

unsigned
provider_set_available(const struct provider_set *ps, redisContext *redis)
{
	const struct provider_src *src;
	struct provider_budget b;
	char why[256];
	unsigned m = 0;
	int i;

	if (redis == NULL || redis->err)
		return 0;
	for (i = 0; i < PROVIDER_COUNT; i++) {
		src = &ps->src[i];
		if (!src->configured || src->disabled[0] != '\0' ||
		    provider_redis_disabled(redis, src->prefix, why,
		    sizeof(why)) != 0 || provider_redis_budget(redis,
		    src->prefix, src->cfg.per_minute, src->cfg.per_day, false,
		    &b) == -1 || b.status == PROVIDER_BUDGET_DAY)
			continue;
		m |= PROVIDER_BIT(i);
	}
	return m;
}

void
provider_set_metrics(const struct provider_set *ps, redisContext *redis,
    struct buf *out)
{
	const struct provider_src *src;
	struct provider_budget b;
	int i;

	if (redis != NULL && redis->err)
		redis = NULL;
	provider_redis_counters_text(redis, out);
	buf_puts(out, "# HELP bomd_provider_budget_remaining Requests a live "
	    "offer source may still make (-1: not configured or unknown).\n"
	    "# TYPE bomd_provider_budget_remaining gauge\n");
	for (i = 0; i < PROVIDER_COUNT; i++) {
		src = &ps->src[i];
		if (!src->configured || redis == NULL ||
		    provider_redis_budget(redis, src->prefix,
		    src->cfg.per_minute, src->cfg.per_day, false, &b) == -1)
			b.minute_left = b.day_left = -1;
		else if (b.status == PROVIDER_BUDGET_DAY)
			b.day_left = 0;
		buf_printf(out, "bomd_provider_budget_remaining{provider=\"%s\","
		    "window=\"minute\"} %lld\n"
		    "bomd_provider_budget_remaining{provider=\"%s\","
		    "window=\"day\"} %lld\n", provider_id_names.names[i],
		    (long long)b.minute_left, provider_id_names.names[i],
		    (long long)b.day_left);
	}
}

const struct provider_config *
provider_set_config(const struct provider_set *ps, enum provider_id id)
{
	return &ps->src[id].cfg;
}

struct provider_src *
provider_set_src(struct provider_set *ps, enum provider_id id)
{
	return &ps->src[id];
}

CURLM *
provider_set_multi(struct provider_set *ps, int64_t *timeout_ms,
    int64_t *deadline_ms)
{
	*timeout_ms = ps->timeout_ms;
	*deadline_ms = ps->deadline_ms;
	return ps->multi;
}

void
provider_batch_free(struct provider_batch *b)
{
	struct provider_offers *r;
	size_t i;
	int p;

	if (b == NULL)
		return;
	for (p = 0; p < PROVIDER_COUNT; p++) {
		if (b->res[p] == NULL)
			continue;
		for (i = 0; i < b->n; i++) {
			r = &b->res[p][i];
			offer_array_free(r->v, r->n);
			free(r->reason);
		}
		free(b->res[p]);
	}
	for (i = 0; i < b->n; i++)
		free(b->mpns[i]);
	free(b->mpns);
	memset(b, 0, sizeof(*b));
}

int
provider_batch_find(const struct provider_batch *b, const char *mpn,
    size_t *i)
{
	size_t k;

	for (k = 0; k < b->n; k++)
		if (strcasecmp(b->mpns[k], mpn) == 0) {
			*i = k;
			return 0;
		}
	return -1;
}

void
provider_batch_describe(const struct provider_batch *b, size_t i,
    struct buf *out)
{
	const struct provider_offers *r;
	const char *sep = "";
	int p;

	for (p = 0; p < PROVIDER_COUNT; p++) {
		if (b->res[p] == NULL || i >= b->n ||
		    b->res[p][i].outcome == PROVIDER_SKIPPED)
			continue;
		r = &b->res[p][i];
		if (r->outcome == PROVIDER_OK)
			buf_printf(out, "%s%s: %zu offer%s", sep,
			    provider_id_names.names[p], r->n,
			    r->n == 1 ? "" : "s");
		else
			buf_printf(out, "%s%s: %s (%s), cached offers used",
			    sep, provider_id_names.names[p], r->outcome ==
			    PROVIDER_NO_BUDGET ? "out of budget" : "failed",
			    r->reason != NULL ? r->reason : "no reason");
		sep = "; ";
	}
}

const char *
provider_call_mpn(const struct provider_call *call, size_t k)
{
	return call->run->batch->mpns[call->idx[k]];
}

static struct provider_offers *
provider_call_res(struct provider_call *call, size_t k)
{
	struct provider_batch *b = call->run->batch;

	return &b->res[call->run->src->ops->id][call->idx[k]];
}

void
provider_call_offer(struct provider_call *call, size_t k, struct offer *o)
{
	struct provider_offers *r = provider_call_res(call, k);

	o->mpn = provider_call_mpn(call, k);
	if (o->manufacturer == NULL)
		o->manufacturer = "";
	if (o->supplier_name == NULL)
		o->supplier_name = o->supplier_id;
	offer_own_strings(o);
	snprintf(o->source, sizeof(o->source), "%s",
	    provider_id_names.names[call->run->src->ops->id]);
	o->fetched_at = call->run->batch->fetched_at;
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n++] = *o;
	memset(o, 0, sizeof(*o));
}

void
provider_call_done(struct provider_call *call, size_t k)
{
	struct provider_offers *r = provider_call_res(call, k);

	if (r->outcome != PROVIDER_FAILED)
		r->outcome = PROVIDER_OK;
}

void
provider_call_fail(struct provider_call *call, size_t k, const char *why)
{
	struct provider_offers *r = provider_call_res(call, k);

	/* a failed MPN keeps no half answer */
	offer_array_free(r->v, r->n);
	r->v = NULL;
	r->n = 0;
	r->outcome = PROVIDER_FAILED;
	free(r->reason);
	r->reason = xstrdup(why);
}

void
provider_mpn_key(const char *mpn, char *out, size_t len)
{
	size_t n = 0;

	for (; mpn != NULL && *mpn != '\0' && n + 1 < len; mpn++)
		if (!isspace((unsigned char)*mpn))
			out[n++] = (char)toupper((unsigned char)*mpn);
	out[n] = '\0';
}

bool
provider_mpn_same(const char *a, const char *b)
{
	char ka[OFFERS_MAX_FIELD + 1], kb[OFFERS_MAX_FIELD + 1];

	if (a == NULL || b == NULL)
		return false;
	provider_mpn_key(a, ka, sizeof(ka));
	provider_mpn_key(b, kb, sizeof(kb));
	return ka[0] != '\0' && strcmp(ka, kb) == 0;
}

void
provider_supplier_id(const char *name, char *out, size_t len)
{
	static const struct {
		const char	*name;
		const char	*id;
	} known[] = {
		{ "DIGIKEY", "digikey" }, { "MOUSER", "mouser" },
		{ "MOUSERELECTRONICS", "mouser" }, { "ARROWELECTRONICS",
		"arrow" }, { "NEWARK", "newark" }, { "FARNELL", "farnell" },
	};
	char key[128];
	size_t i, n = 0;
	bool dash = false;

	/* the known names with punctuation and blanks dropped */
	for (i = 0; name != NULL && name[i] != '\0' && n + 1 < sizeof(key);
	    i++)
		if (isalnum((unsigned char)name[i]))
			key[n++] = (char)toupper((unsigned char)name[i]);
	key[n] = '\0';
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(key, known[i].name) == 0) {
			snprintf(out, len, "%s", known[i].id);
			return;
		}
	for (i = n = 0; name != NULL && name[i] != '\0' && n + 1 < len; i++) {
		if (isalnum((unsigned char)name[i])) {
			if (dash && n > 0 && n + 2 < len)
				out[n++] = '-';
			out[n++] = (char)tolower((unsigned char)name[i]);
			dash = false;
		} else
			dash = true;
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, len, "unknown");
}

static int
provider_break_cmp(const void *a, const void *b)
{
	const struct price_break *x = a, *y = b;

	return x->qty < y->qty ? -1 : x->qty > y->qty;
}

void
provider_breaks_tidy(struct offer *o)
{
	size_t i, j;

	if (o->nbreaks == 0)
		return;
	qsort(o->breaks, o->nbreaks, sizeof(*o->breaks), provider_break_cmp);
	for (i = j = 0; i < o->nbreaks; i++) {
		if (o->breaks[i].qty < 1 || o->breaks[i].unit_micros < 0 ||
		    (j > 0 && o->breaks[i].qty == o->breaks[j - 1].qty))
			continue;
		o->breaks[j++] = o->breaks[i];
	}
	o->nbreaks = j < OFFERS_MAX_BREAKS ? j : OFFERS_MAX_BREAKS;
	if (o->nbreaks == 0) {
		free(o->breaks);
		o->breaks = NULL;
	}
}

int64_t
provider_json_micros(const json_t *v)
{
	double d;

	if (json_is_integer(v))
		return json_integer_value(v) < 0 || json_integer_value(v) >
		    INT64_MAX / MICROS_PER_UNIT ? -1 :
		    json_integer_value(v) * MICROS_PER_UNIT;
	if (!json_is_real(v))
		return -1;
	d = json_real_value(v);
	/* the server's decimal went through a double: round it back */
	if (!(d >= 0) || d > (double)(INT64_MAX / MICROS_PER_UNIT))
		return -1;
	return llround(d * 1e6);
}

int64_t
provider_json_int(const json_t *v, int64_t dflt)
{
	int64_t n;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v) && json_real_value(v) >= 0 &&
	    json_real_value(v) < 1e15)
		return (int64_t)json_real_value(v);
	if (json_is_string(v) && parse_i64(json_string_value(v), INT64_MIN,
	    INT64_MAX, &n, NULL) == 0)
		return n;
	return dflt;
}

void
provider_reason(char *why, size_t len, const char *prefix, const char *msg)
{
	size_t n, i;

	n = (size_t)snprintf(why, len, "%s%s%.*s", prefix, msg != NULL &&
	    *msg != '\0' ? ": " : "", PROVIDER_REASON_MAX, msg != NULL ?
	    msg : "");
	for (i = 0; i < n && i < len && why[i] != '\0'; i++)
		if ((unsigned char)why[i] < 0x20)
			why[i] = ' ';
}

enum offer_rohs
provider_rohs(const char *s)
{
	if (str_contains_ci(s, "non") || str_contains_ci(s, "not "))
		return OFFER_ROHS_NO;
	if (str_contains_ci(s, "compliant"))
		return OFFER_ROHS_YES;
	return OFFER_ROHS_UNKNOWN;
}
