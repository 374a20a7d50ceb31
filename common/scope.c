/*
 * Key scope parsing and checking; see scope.h. Scopes are few and short,
 * so a set is a small inline array walked linearly.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scope.h"

#define SCOPE_SEPS	" \t\r\n,"

bool
scope_valid(const char *s)
{
	size_t n = sizeof(SCOPE_PROJECT) - 1;

	if (strcmp(s, "all") == 0 || strcmp(s, "read") == 0 ||
	    strcmp(s, SCOPE_ADMIN) == 0)
		return true;
	return strncmp(s, SCOPE_PROJECT, n) == 0 && uuid_valid(s + n);
}

bool
scope_set_has(const struct scope_set *set, const char *s)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i], s) == 0)
			return true;
	return false;
}

/* Adds scope s to set unless it is there; -1 with err when set is full. */
static int
scope_set_add(struct scope_set *set, const char *s, char *err,
    size_t errlen)
{
	if (scope_set_has(set, s))
		return 0;
	if (set->n == SCOPE_MAX) {
		snprintf(err, errlen, "more than %d scopes", SCOPE_MAX);
		return -1;
	}
	memcpy(set->v[set->n++], s, strlen(s) + 1);
	return 0;
}

int
scope_set_parse(struct scope_set *set, const char *words, bool skip_unknown,
    char *err, size_t errlen)
{
	char word[SCOPE_LEN];
	const char *p = words;
	size_t len, i;

	set->n = 0;
	for (;;) {
		p += strspn(p, SCOPE_SEPS);
		if (*p == '\0')
			return 0;
		len = strcspn(p, SCOPE_SEPS);
		if (len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
			for (i = 0; i < len; i++)
				word[i] = (char)tolower((unsigned char)word[i]);
		}
		/*
		 * a token's claim (skip_unknown) never carries admin: an
		 * issuer is the tenant's own, admin is the operator's
		 */
		if (len >= sizeof(word) || !scope_valid(word) ||
		    (skip_unknown && strcmp(word, SCOPE_ADMIN) == 0)) {
			if (skip_unknown) {
				p += len;
				continue;
			}
			snprintf(err, errlen, "unknown scope '%.*s' (want all, "
			    "read, admin or project:<id>)",
			    (int)(len > 64 ? 64 : len), p);
			return -1;
		}
		p += len;
		if (scope_set_add(set, word, err, errlen) == -1)
			return -1;
	}
}

int
scope_set_join(const struct scope_set *set, const char *sep, char *buf,
    size_t len)
{
	size_t i, off = 0;
	int n;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < set->n; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i ? sep : "",
		    set->v[i]);
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

enum scope_verdict
scope_check(const struct scope_set *set, enum scope_need need,
    bool project_route, const char *project_id)
{
	size_t i, n = sizeof(SCOPE_PROJECT) - 1;
	bool other = false, wider = false;

	/* one walk: any scope that grants the need is enough */
	for (i = 0; i < set->n; i++) {
		if (strcmp(set->v[i], "all") == 0 ||
		    (need == SCOPE_NEED_READ && strcmp(set->v[i], "read") == 0))
			return SCOPE_OK;
		if (strncmp(set->v[i], SCOPE_PROJECT, n) != 0) {
			wider = true;
			continue;
		}
		if (project_route && project_id != NULL &&
		    strcasecmp(set->v[i] + n, project_id) == 0)
			return SCOPE_OK;
		other = true;
	}
	/* a project key never learns whether another project exists */
	if (project_route && project_id != NULL && other && !wider)
		return SCOPE_OTHER_PROJECT;
	return SCOPE_MISSING;
}

const char *
scope_need_name(enum scope_need need)
{
	return need == SCOPE_NEED_WRITE ? "all" : "read";
}
