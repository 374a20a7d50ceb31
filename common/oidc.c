/*
 * The per-process cache of OIDC issuers' key sets; see oidc.h. One mutex
 * guards the table; fetches run outside it, one per issuer, and key sets
 * are reference-counted so a verification never holds the lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http_fetch.h"
#include "jwks.h"
#include "log.h"
#include "oidc.h"
#include "util.h"

#define OIDC_MAX_ISSUERS	256	/* idle issuers beyond are forgotten */
#define OIDC_ISSUER_MAX		2048
#define OIDC_WELL_KNOWN		"/.well-known/openid-configuration"

/* A key set shared by the threads verifying with it. */
struct oidc_keys {
	struct jwks	*set;
	int		 refs;
};

struct oidc_issuer {
	char		*url;		/* as the client configured it */
	struct oidc_keys *keys;		/* NULL: none yet */
	int64_t		 fetched;	/* when keys arrived */
	int64_t		 attempted;	/* when the last fetch began; 0 never */
	int64_t		 used;
	bool		 fetching;
	int		 busy;		/* callers holding this entry */
	char		 error[192];	/* why the last fetch failed */
};

struct oidc {
	struct oidc_config	 cfg;
	pthread_mutex_t		 mu;
	pthread_cond_t		 fetched;	/* some fetch ended */
	struct oidc_issuer	**issuers;
	size_t			 n;
	size_t			 cap;
};

void
oidc_config_defaults(struct oidc_config *cfg)
{
	cfg->ttl_s = 600;
	cfg->refetch_s = 60;
	cfg->stale_s = 3600;
	cfg->connect_timeout_ms = 3000;
	cfg->timeout_ms = 5000;
	cfg->max_bytes = 256 * 1024;
	cfg->loopback_http = false;
}

struct oidc *
oidc_new(const struct oidc_config *cfg)
{
	struct oidc *o = xcalloc(1, sizeof(*o));

	if (cfg != NULL)
		o->cfg = *cfg;
	else
		oidc_config_defaults(&o->cfg);
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->fetched, NULL);
	return o;
}

/* Drops one reference; the last frees the set. Called with o->mu held. */
static void
oidc_keys_drop_locked(struct oidc_keys *k)
{
	if (k == NULL || --k->refs > 0)
		return;
	jwks_free(k->set);
	free(k);
}

static void
oidc_keys_drop(struct oidc *o, struct oidc_keys *k)
{
	pthread_mutex_lock(&o->mu);
	oidc_keys_drop_locked(k);
	pthread_mutex_unlock(&o->mu);
}

static void
oidc_issuer_free(struct oidc_issuer *e)
{
	oidc_keys_drop_locked(e->keys);
	free(e->url);
	free(e);
}

void
oidc_free(struct oidc *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++)
		oidc_issuer_free(o->issuers[i]);
	free(o->issuers);
	pthread_cond_destroy(&o->fetched);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

/* The entry for url, made when new, marked busy. Called with o->mu held. */
static struct oidc_issuer *
oidc_entry(struct oidc *o, const char *url, int64_t now)
{
	struct oidc_issuer *e = NULL;
	size_t i, idle = SIZE_MAX;

	for (i = 0; i < o->n && e == NULL; i++)
		if (strcmp(o->issuers[i]->url, url) == 0)
			e = o->issuers[i];
	if (e == NULL) {
		for (i = 0; i < o->n && o->n >= OIDC_MAX_ISSUERS; i++)
			if (o->issuers[i]->busy == 0 && (idle == SIZE_MAX ||
			    o->issuers[i]->used < o->issuers[idle]->used))
				idle = i;
		if (idle != SIZE_MAX) {
			oidc_issuer_free(o->issuers[idle]);
			o->issuers[idle] = o->issuers[--o->n];
		}
		if (o->n == o->cap) {
			o->cap = o->cap ? o->cap * 2 : 8;
			o->issuers = xrealloc(o->issuers,
			    o->cap * sizeof(*o->issuers));
		}
		e = o->issuers[o->n++] = xcalloc(1, sizeof(*e));
		e->url = xstrdup(url);
	}
	e->used = now;
	e->busy++;
	return e;
}

/* A JSON object from an http_fetch() of url with status 200, or NULL. */
static json_t *
oidc_get_json(const struct oidc *o, const char *url, struct buf *body,
    char *err, size_t errlen)
{
	struct http_fetch req = { url, NULL, o->cfg.connect_timeout_ms,
	    o->cfg.timeout_ms, o->cfg.max_bytes };
	json_t *doc = NULL;
	bool timed_out;
	long status;

	if (http_fetch(&req, &status, body, &timed_out, err, errlen) == -1)
		return NULL;
	if (status != 200)
		snprintf(err, errlen, "http %ld", status);
	else if ((doc = json_loadb(body->data, body->len,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL || !json_is_object(doc)) {
		snprintf(err, errlen, "answer is not a JSON object");
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

/* Discovery, then the key set. NULL with the reason in err. */
static struct jwks *
oidc_fetch(const struct oidc *o, const char *issuer, char *err,
    size_t errlen)
{
	char url[OIDC_ISSUER_MAX + sizeof(OIDC_WELL_KNOWN)], why[160];
	const json_t *iss, *jwks_uri;
	struct jwks *set = NULL;
	struct buf body;
	json_t *doc;
	size_t len = strlen(issuer);
	const char *uri;

	/* OpenID Connect Discovery 1.0, section 4: drop a trailing "/" */
	if (len > 0 && issuer[len - 1] == '/')
		len--;
	if (snprintf(url, sizeof(url), "%.*s%s", (int)len, issuer,
	    OIDC_WELL_KNOWN) >= (int)sizeof(url)) {
		snprintf(err, errlen, "issuer too long");
		return NULL;
	}
	if ((doc = oidc_get_json(o, url, &body, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "discovery: %s", why);
		goto out;
	}
	iss = json_object_get(doc, "issuer");
	if (!json_is_string(iss) || json_string_length(iss) !=
	    strlen(issuer) || strcmp(json_string_value(iss), issuer) != 0) {
		snprintf(err, errlen, "discovery names another issuer");
		goto out;
	}
	jwks_uri = json_object_get(doc, "jwks_uri");
	uri = json_string_value(jwks_uri);
	if (uri == NULL || (strncmp(uri, "https://", 8) != 0 &&
	    (strncmp(uri, "http://", 7) != 0 ||
	    strncmp(issuer, "http://", 7) != 0))) {
		snprintf(err, errlen, "discovery has no https jwks_uri");
		goto out;
	}
	if (snprintf(url, sizeof(url), "%s", uri) >= (int)sizeof(url)) {
		snprintf(err, errlen, "discovery has a jwks_uri too long");
		goto out;
	}
	buf_free(&body);
	json_decref(doc);
	if ((doc = oidc_get_json(o, url, &body, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "jwks: %s", why);
		goto out;
	}
	if ((set = jwks_parse(body.data, body.len, why, sizeof(why))) == NULL)
		snprintf(err, errlen, "jwks: %s", why);
out:
	buf_free(&body);
	json_decref(doc);
	return set;
}

/*
 * Fetches e's keys unless a fetch is under way (then waits for it) or the
 * last one began under refetch_s ago. Called with o->mu held, which is
 * released during the fetch.
 */
static void
oidc_refresh(struct oidc *o, struct oidc_issuer *e, int64_t now)
{
	struct oidc_keys *k;
	struct jwks *set;
	char err[sizeof(e->error)];

	if (e->fetching) {
		while (e->fetching)
			pthread_cond_wait(&o->fetched, &o->mu);
		return;
	}
	if (e->attempted != 0 && now - e->attempted < o->cfg.refetch_s)
		return;
	e->fetching = true;
	e->attempted = now;
	pthread_mutex_unlock(&o->mu);
	/* e->url stays: e is busy, so never freed meanwhile */
	set = oidc_fetch(o, e->url, err, sizeof(err));
	if (set == NULL)
		log_warnx("oidc: %s: %s", e->url, err);
	pthread_mutex_lock(&o->mu);
	if (set != NULL) {
		k = xcalloc(1, sizeof(*k));
		k->set = set;
		k->refs = 1;
		oidc_keys_drop_locked(e->keys);
		e->keys = k;
		e->fetched = now;
		e->error[0] = '\0';
	} else
		snprintf(e->error, sizeof(e->error), "%s", err);
	e->fetching = false;
	pthread_cond_broadcast(&o->fetched);
}

/*
 * A reference to e's keys, or NULL (reason in err) when there are none
 * or they are stale_s past their TTL. Called with o->mu held.
 */
static struct oidc_keys *
oidc_keys_take(const struct oidc *o, struct oidc_issuer *e, int64_t now,
    char *err, size_t errlen)
{
	if (e->keys == NULL ||
	    now >= e->fetched + o->cfg.ttl_s + o->cfg.stale_s) {
		snprintf(err, errlen, "keys of the issuer unavailable%s%s",
		    e->error[0] ? ": " : "", e->error);
		return NULL;
	}
	e->keys->refs++;
	return e->keys;
}

enum jwt_result
oidc_verify(struct oidc *o, const struct jwt *jwt, const char *issuer,
    const char *audience, int64_t now, char *err, size_t errlen)
{
	struct jwt_expect want = { issuer, audience, now };
	struct oidc_keys *keys, *again = NULL;
	struct oidc_issuer *e;
	enum jwt_result res = JWT_UNAVAILABLE;

	/* never fetched: a plain http issuer, unless a test allows it */
	if (!oidc_issuer_valid(issuer, o->cfg.loopback_http, err, errlen))
		return JWT_INVALID;
	pthread_mutex_lock(&o->mu);
	e = oidc_entry(o, issuer, now);
	if (e->keys == NULL || now >= e->fetched + o->cfg.ttl_s)
		oidc_refresh(o, e, now);
	keys = oidc_keys_take(o, e, now, err, errlen);
	pthread_mutex_unlock(&o->mu);
	if (keys == NULL)
		goto out;
	if ((res = jwt_verify(jwt, keys->set, &want, err, errlen)) !=
	    JWT_NO_KEY)
		goto out;
	/* an unknown kid: the issuer may have rotated its keys */
	pthread_mutex_lock(&o->mu);
	oidc_refresh(o, e, now);
	if (e->keys != keys)
		again = oidc_keys_take(o, e, now, err, errlen);
	pthread_mutex_unlock(&o->mu);
	if (again != NULL) {
		res = jwt_verify(jwt, again->set, &want, err, errlen);
		oidc_keys_drop(o, again);
	}
out:
	pthread_mutex_lock(&o->mu);
	oidc_keys_drop_locked(keys);
	e->busy--;
	pthread_mutex_unlock(&o->mu);
	return res;
}

bool
oidc_issuer_valid(const char *issuer, bool loopback_http, char *err,
    size_t errlen)
{
	static const char *const local[] = {
		"http://localhost", "http://127.0.0.1", "http://[::1]"
	};
	const char *host = NULL;
	size_t i, n;

	if (strlen(issuer) > OIDC_ISSUER_MAX) {
		snprintf(err, errlen, "issuer is over %d bytes",
		    OIDC_ISSUER_MAX);
		return false;
	}
	if (strncmp(issuer, "https://", 8) == 0)
		host = issuer + 8;
	for (i = 0; loopback_http && host == NULL &&
	    i < sizeof(local) / sizeof(local[0]); i++) {
		n = strlen(local[i]);
		if (strncmp(issuer, local[i], n) == 0 && (issuer[n] == '\0' ||
		    issuer[n] == ':' || issuer[n] == '/'))
			host = issuer + 7;
	}
	if (host == NULL || *host == '\0' || *host == '/' || *host == ':') {
		snprintf(err, errlen, "issuer must be an https:// URL");
		return false;
	}
	if (issuer[strcspn(issuer, "?# \t\r\n")] != '\0') {
		snprintf(err, errlen, "issuer has a query, fragment or blank");
		return false;
	}
	return true;
}
