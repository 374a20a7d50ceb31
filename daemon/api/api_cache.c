/*
 * The cache of rendered project documents; see api_cache.h. A hash table
 * of entries on a least-recently-used list under one mutex. An entry
 * counts its readers: one evicted or replaced while a response still
 * sends its bytes is freed by the last reader, so the lock is never held
 * while bytes are copied or sent.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_cache.h"
#include "util.h"

#define API_CACHE_BUCKETS	4096	/* a power of two */
#define API_CACHE_VERSION_LEN	64

struct api_cache_doc {
	struct api_cache_doc	*next;		/* in its bucket */
	struct api_cache_doc	*newer;		/* on the LRU list */
	struct api_cache_doc	*older;
	char			 client_id[UUID_BUFSZ];
	char			 project_id[UUID_BUFSZ];
	char			 version[API_CACHE_VERSION_LEN];
	uint32_t		 hash;
	int			 refs;		/* table's and readers' */
	char			*data;
	size_t			 len;
};

static pthread_mutex_t api_cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_cache_doc *api_cache_table[API_CACHE_BUCKETS];
static struct api_cache_doc *api_cache_newest, *api_cache_oldest;
static size_t api_cache_max, api_cache_bytes, api_cache_count;

/* What an entry costs against the bound. */
static size_t
api_cache_cost(const struct api_cache_doc *d)
{
	return sizeof(*d) + d->len;
}

/* FNV-1a over the tenant and the project. */
static uint32_t
api_cache_hash(const char *client_id, const char *project_id)
{
	uint32_t h = 2166136261u;
	const char *s;

	for (s = client_id; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (s = project_id; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Frees d when its last reference went (with the lock held or not). */
static void
api_cache_release(struct api_cache_doc *d)
{
	free(d->data);
	free(d);
}

/* The entry of the key, or NULL; with the lock held. */
static struct api_cache_doc *
api_cache_find(uint32_t h, const char *client_id, const char *project_id)
{
	struct api_cache_doc *d;

	for (d = api_cache_table[h & (API_CACHE_BUCKETS - 1)]; d != NULL;
	    d = d->next)
		if (d->hash == h && strcmp(d->project_id, project_id) == 0 &&
		    strcmp(d->client_id, client_id) == 0)
			return d;
	return NULL;
}

static void
api_cache_lru_unlink(struct api_cache_doc *d)
{
	if (d->newer != NULL)
		d->newer->older = d->older;
	else
		api_cache_newest = d->older;
	if (d->older != NULL)
		d->older->newer = d->newer;
	else
		api_cache_oldest = d->newer;
	d->newer = d->older = NULL;
}

static void
api_cache_lru_front(struct api_cache_doc *d)
{
	d->older = api_cache_newest;
	d->newer = NULL;
	if (api_cache_newest != NULL)
		api_cache_newest->newer = d;
	api_cache_newest = d;
	if (api_cache_oldest == NULL)
		api_cache_oldest = d;
}

/*
 * Takes d out of the table and the list, with the lock held; true when
 * that was its last reference (the caller frees it after unlocking).
 */
static bool
api_cache_remove(struct api_cache_doc *d)
{
	struct api_cache_doc **pp;

	pp = &api_cache_table[d->hash & (API_CACHE_BUCKETS - 1)];
	while (*pp != d)
		pp = &(*pp)->next;
	*pp = d->next;
	d->next = NULL;
	api_cache_lru_unlink(d);
	api_cache_bytes -= api_cache_cost(d);
	api_cache_count--;
	return --d->refs == 0;
}

void
api_cache_init(size_t max_bytes)
{
	pthread_mutex_lock(&api_cache_mu);
	api_cache_max = max_bytes;
	pthread_mutex_unlock(&api_cache_mu);
}

void
api_cache_shutdown(void)
{
	struct api_cache_doc *d;

	pthread_mutex_lock(&api_cache_mu);
	while ((d = api_cache_oldest) != NULL)
		if (api_cache_remove(d))
			api_cache_release(d);
	api_cache_max = 0;
	pthread_mutex_unlock(&api_cache_mu);
}

bool
api_cache_enabled(void)
{
	bool on;

	pthread_mutex_lock(&api_cache_mu);
	on = api_cache_max > 0;
	pthread_mutex_unlock(&api_cache_mu);
	return on;
}

struct api_cache_doc *
api_cache_get(const char *client_id, const char *project_id,
    const char *version)
{
	uint32_t h = api_cache_hash(client_id, project_id);
	struct api_cache_doc *d, *gone = NULL;

	pthread_mutex_lock(&api_cache_mu);
	d = api_cache_find(h, client_id, project_id);
	if (d != NULL && strcmp(d->version, version) != 0) {
		/* the row moved on: this document will not be asked again */
		if (api_cache_remove(d))
			gone = d;
		d = NULL;
	}
	if (d != NULL) {
		d->refs++;
		api_cache_lru_unlink(d);
		api_cache_lru_front(d);
	}
	pthread_mutex_unlock(&api_cache_mu);
	if (gone != NULL)
		api_cache_release(gone);
	return d;
}

/* Evicts from the old end until the bound holds; the lock is held. */
static void
api_cache_evict(struct api_cache_doc **gone)
{
	struct api_cache_doc *d;

	while (api_cache_bytes > api_cache_max &&
	    (d = api_cache_oldest) != NULL)
		if (api_cache_remove(d)) {
			d->next = *gone;
			*gone = d;
		}
}

struct api_cache_doc *
api_cache_put(const char *client_id, const char *project_id,
    const char *version, char *data, size_t len)
{
	struct api_cache_doc *d, *old, *gone = NULL;
	size_t slot;

	d = xcalloc(1, sizeof(*d));
	snprintf(d->client_id, sizeof(d->client_id), "%s", client_id);
	snprintf(d->project_id, sizeof(d->project_id), "%s", project_id);
	snprintf(d->version, sizeof(d->version), "%s", version);
	d->hash = api_cache_hash(d->client_id, d->project_id);
	d->data = data;
	d->len = len;
	d->refs = 1;		/* the caller's */
	pthread_mutex_lock(&api_cache_mu);
	if ((old = api_cache_find(d->hash, d->client_id, d->project_id)) !=
	    NULL && api_cache_remove(old)) {
		old->next = gone;
		gone = old;
	}
	/* a key too long to keep whole, or a document over the bound */
	if (strlen(version) < sizeof(d->version) && strlen(client_id) <
	    sizeof(d->client_id) && strlen(project_id) <
	    sizeof(d->project_id) && api_cache_cost(d) <= api_cache_max) {
		slot = d->hash & (API_CACHE_BUCKETS - 1);
		d->next = api_cache_table[slot];
		api_cache_table[slot] = d;
		api_cache_lru_front(d);
		d->refs++;
		api_cache_bytes += api_cache_cost(d);
		api_cache_count++;
		api_cache_evict(&gone);
	}
	pthread_mutex_unlock(&api_cache_mu);
	while ((old = gone) != NULL) {
		gone = old->next;
		api_cache_release(old);
	}
	return d;
}

void
api_cache_drop(const char *client_id, const char *project_id)
{
	uint32_t h = api_cache_hash(client_id, project_id);
	struct api_cache_doc *d, *gone = NULL;

	pthread_mutex_lock(&api_cache_mu);
	if ((d = api_cache_find(h, client_id, project_id)) != NULL &&
	    api_cache_remove(d))
		gone = d;
	pthread_mutex_unlock(&api_cache_mu);
	if (gone != NULL)
		api_cache_release(gone);
}

const char *
api_cache_data(const struct api_cache_doc *d)
{
	return d->data;
}

size_t
api_cache_len(const struct api_cache_doc *d)
{
	return d->len;
}

void
api_cache_unref(void *p)
{
	struct api_cache_doc *d = p;
	bool last;

	if (d == NULL)
		return;
	pthread_mutex_lock(&api_cache_mu);
	last = --d->refs == 0;
	pthread_mutex_unlock(&api_cache_mu);
	if (last)
		api_cache_release(d);
}

void
api_cache_stats(size_t *entries, size_t *bytes)
{
	pthread_mutex_lock(&api_cache_mu);
	*entries = api_cache_count;
	*bytes = api_cache_bytes;
	pthread_mutex_unlock(&api_cache_mu);
}
