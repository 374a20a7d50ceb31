/*
 * Key scopes: "all" (every tenant route), "read" (every read),
 * "project:<uuid>" (one project: what its routes allow, as reading,
 * tracing, following and deleting it) and "admin" (what X-Admin-Key may do
 * on /api-keys and /clients; nothing else). Routes declare what they need.
 */
#ifndef BOMD_SCOPE_H
#define BOMD_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define SCOPE_MAX	8	/* scopes one key or token carries */
#define SCOPE_PROJECT	"project:"
#define SCOPE_ADMIN	"admin"		/* given only by bomd key create */
#define SCOPE_LEN	(sizeof(SCOPE_PROJECT) - 1 + UUID_BUFSZ)

/* A key's scopes, kept inline: no allocation, nothing to free. */
struct scope_set {
	size_t	n;
	char	v[SCOPE_MAX][SCOPE_LEN];
};

/* What a route needs; the 403 names it as "read" or "all". */
enum scope_need {
	SCOPE_NEED_READ,	/* "read" or "all" */
	SCOPE_NEED_WRITE	/* "all" */
};

enum scope_verdict {
	SCOPE_OK,
	SCOPE_MISSING,		/* 403 Missing required scope: <need> */
	SCOPE_OTHER_PROJECT	/* a project key on another project: 404 */
};

/* True for "all", "read", "admin" and "project:" followed by a UUID. */
bool		 scope_valid(const char *s);

/*
 * Parses words separated by blanks or commas into set (emptied first),
 * lower-casing project ids and dropping repeats. An unknown word is an
 * error naming it, unless skip_unknown (a JWT's scope claim also holds
 * "openid", "profile" and the like; "admin" is skipped there too: a claim
 * never gives it). Returns 0 or -1 with err.
 */
int		 scope_set_parse(struct scope_set *set, const char *words,
		    bool skip_unknown, char *err, size_t errlen);

/* Whether set holds scope s, as written (parsed scopes are lower case). */
bool		 scope_set_has(const struct scope_set *set, const char *s);

/*
 * Writes set's scopes joined by sep into buf (string_to_array() input
 * for text[]). Returns 0, or -1 when buf is too small.
 */
int		 scope_set_join(const struct scope_set *set, const char *sep,
		    char *buf, size_t len);

/*
 * Whether set allows a route that needs need. When project_route, the
 * route acts on project_id and a "project:<project_id>" scope suffices;
 * a set whose only grants are other projects gets SCOPE_OTHER_PROJECT.
 */
enum scope_verdict scope_check(const struct scope_set *set,
		    enum scope_need need, bool project_route,
		    const char *project_id);

/* "read" or "all": the scope a need names in the 403 detail. */
const char	*scope_need_name(enum scope_need need);

#endif
