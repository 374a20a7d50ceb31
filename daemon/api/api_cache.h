/*
 * The API process's cache of rendered project documents (api_cache.c):
 * bounded in bytes, least recently used out first, keyed by tenant and
 * project and valid for one version of the project's row only.
 */
#ifndef BOMD_API_CACHE_H
#define BOMD_API_CACHE_H

#include <stdbool.h>
#include <stddef.h>

/* One cached document: its bytes, shared while anyone holds it. */
struct api_cache_doc;

/*
 * Sets the bound: at most max_bytes of documents (and their entries) are
 * kept; 0 keeps none. Call before the request threads start.
 */
void	api_cache_init(size_t max_bytes);

/* Drops every entry; those still held go with their last reference. */
void	api_cache_shutdown(void);

/* True when the cache keeps anything (a bound above 0). */
bool	api_cache_enabled(void);

/*
 * The document of project_id of client_id cached at exactly version, with
 * a reference the caller drops with api_cache_unref(); NULL when there is
 * none (an entry of another version is dropped).
 */
struct api_cache_doc *api_cache_get(const char *client_id,
	    const char *project_id, const char *version);

/*
 * Keeps data (len bytes, taken over: freed with free()) as the document
 * of project_id of client_id at version, replacing any other, and evicts
 * the least recently used until the bound holds. Returns the entry with
 * a reference for the caller (api_cache_unref()); never NULL.
 */
struct api_cache_doc *api_cache_put(const char *client_id,
	    const char *project_id, const char *version, char *data,
	    size_t len);

/* Forgets the document of project_id of client_id (deleted, say). */
void	api_cache_drop(const char *client_id, const char *project_id);

const char	*api_cache_data(const struct api_cache_doc *d);
size_t		 api_cache_len(const struct api_cache_doc *d);

/* Drops a reference (a void * for libmicrohttpd's free callback). */
void	api_cache_unref(void *d);

/* What the cache holds now: entries and bytes (for tests and metrics). */
void	api_cache_stats(size_t *entries, size_t *bytes);

#endif
