/*
 * Parses the redis_url setting (redis://, unix:// and redis-sentinel://)
 * into the addresses and credentials redis_conn.c connects with. Each step
 * returns why it refuses its part (NULL: accepted) and redis_url_parse()
 * alone writes that into err. The reasons never quote a password.
 */
#define _GNU_SOURCE		/* memrchr() */

#include <stdio.h>
#include <string.h>

#include "redis_url.h"
#include "util.h"

#define REDIS_URL_PORT		6379
#define REDIS_URL_DB_MAX	15

/*
 * Copies the n bytes at s into dst (size len), decoding %XX when decode;
 * -1 when they do not fit, an escape is bad or decodes to NUL.
 */
static int
redis_url_copy(char *dst, size_t len, const char *s, size_t n, int decode)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (o + 1 >= len)
			return -1;
		if (!decode || s[i] != '%') {
			dst[o++] = s[i];
			continue;
		}
		if (i + 2 >= n)
			return -1;
		if ((hi = hex_value((unsigned char)s[i + 1])) == -1 ||
		    (lo = hex_value((unsigned char)s[i + 2])) == -1 ||
		    (hi == 0 && lo == 0))
			return -1;
		dst[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	dst[o] = '\0';
	return 0;
}

/* The decimal in [s, s + n) within [min, max]; -1 when not. */
static int
redis_url_number(const char *s, size_t n, int64_t min, int64_t max,
    int *out)
{
	char num[16];
	int64_t v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_i64(num, min, max, &v, NULL) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

/* redis://[[user]:pass@]host[:port][/db], as bomd always read it. */
static const char *
redis_url_tcp(const char *p, struct redis_url *u)
{
	const char *at, *slash, *colon, *end;
	struct redis_node *nd = &u->node[0];

	if ((at = strrchr(p, '@')) != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon != NULL) {
			if (redis_url_copy(u->user, sizeof(u->user), p,
			    (size_t)(colon - p), 0) == -1 ||
			    redis_url_copy(u->pass, sizeof(u->pass), colon + 1,
			    (size_t)(at - colon - 1), 0) == -1)
				return "user or password too long";
		} else if (redis_url_copy(u->pass, sizeof(u->pass), p,
		    (size_t)(at - p), 0) == -1)
			return "password too long";
		p = at + 1;
	}
	slash = strchr(p, '/');
	end = slash != NULL ? slash : p + strlen(p);
	colon = memchr(p, ':', (size_t)(end - p));
	if (colon != NULL) {
		if (redis_url_number(colon + 1, (size_t)(end - colon - 1), 1,
		    65535, &nd->port) == -1)
			return "bad port";
	} else
		colon = end;
	if (redis_url_copy(nd->host, sizeof(nd->host), p,
	    (size_t)(colon - p), 0) == -1)
		return "host name too long";
	if (nd->host[0] == '\0')
		snprintf(nd->host, sizeof(nd->host), "127.0.0.1");
	if (slash != NULL && slash[1] != '\0' &&
	    redis_url_number(slash + 1, strlen(slash + 1), 0,
	    REDIS_URL_DB_MAX, &u->db) == -1)
		return "database is not 0 to 15";
	u->nnodes = 1;
	return NULL;
}

/* One sentinel, host[:port] or [v6][:port], from [s, s + n). */
static const char *
redis_url_node(const char *s, size_t n, struct redis_node *nd)
{
	const char *end = s + n, *hend, *colon;

	nd->port = REDIS_URL_SENTINEL_PORT;
	if (n > 0 && s[0] == '[') {
		if ((hend = memchr(s, ']', n)) == NULL)
			return "unclosed [ in a sentinel address";
		colon = hend + 1 < end ? hend + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return "junk after ] in a sentinel address";
		s++;
	} else {
		colon = memchr(s, ':', n);
		hend = colon != NULL ? colon : end;
	}
	if (hend == s)
		return "a sentinel without a host";
	if (redis_url_copy(nd->host, sizeof(nd->host), s, (size_t)(hend - s),
	    0) == -1)
		return "sentinel host name too long";
	if (colon != NULL && redis_url_number(colon + 1,
	    (size_t)(end - colon - 1), 1, 65535, &nd->port) == -1)
		return "bad sentinel port";
	return NULL;
}

/* The sentinels, host[:port] separated by commas, from [s, s + n). */
static const char *
redis_url_nodes(const char *s, size_t n, struct redis_url *u)
{
	const char *end = s + n, *comma, *why;

	for (;;) {
		if ((comma = memchr(s, ',', (size_t)(end - s))) == NULL)
			comma = end;
		if (u->nnodes == REDIS_URL_MAX_NODES)
			return "more than 8 sentinels";
		if ((why = redis_url_node(s, (size_t)(comma - s),
		    &u->node[u->nnodes])) != NULL)
			return why;
		u->nnodes++;
		if (comma == end)
			return NULL;
		s = comma + 1;
	}
}

/* One key=value of the query, from [s, s + n). */
static const char *
redis_url_option(const char *s, size_t n, struct redis_url *u)
{
	const char *eq = memchr(s, '=', n), *v;
	size_t klen, vlen;

	if (eq == NULL)
		return "a query option without '='";
	klen = (size_t)(eq - s);
	v = eq + 1;
	vlen = n - klen - 1;
	if (klen == 2 && memcmp(s, "db", 2) == 0) {
		if (redis_url_number(v, vlen, 0, REDIS_URL_DB_MAX, &u->db)
		    == -1)
			return "db is not 0 to 15";
	} else if (klen == 13 && memcmp(s, "sentinel_user", 13) == 0) {
		if (redis_url_copy(u->sentinel_user, sizeof(u->sentinel_user),
		    v, vlen, 1) == -1)
			return "bad sentinel_user";
	} else if (klen == 17 && memcmp(s, "sentinel_password", 17) == 0) {
		if (redis_url_copy(u->sentinel_pass, sizeof(u->sentinel_pass),
		    v, vlen, 1) == -1)
			return "bad sentinel_password";
	} else
		return "unknown query option (db, sentinel_user, "
		    "sentinel_password)";
	return NULL;
}

static const char *
redis_url_query(const char *s, struct redis_url *u)
{
	const char *amp, *why;

	for (;;) {
		if ((amp = strchr(s, '&')) == NULL)
			amp = s + strlen(s);
		if ((why = redis_url_option(s, (size_t)(amp - s), u)) != NULL)
			return why;
		if (*amp == '\0')
			return NULL;
		s = amp + 1;
	}
}

/* The primary's name: letters, digits, '.', '_' and '-'. */
static const char *
redis_url_master(const char *s, size_t n, struct redis_url *u)
{
	size_t i;

	if (n == 0)
		return "a sentinel url names its primary: "
		    "redis-sentinel://HOST[:PORT][,...]/NAME";
	for (i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') &&
		    s[i] != '.' && s[i] != '_' && s[i] != '-')
			return "the primary's name has a character other "
			    "than A-Z a-z 0-9 . _ -";
	if (redis_url_copy(u->master, sizeof(u->master), s, n, 0) == -1)
		return "the primary's name is too long";
	return NULL;
}

static const char *
redis_url_sentinel(const char *p, struct redis_url *u)
{
	const char *slash, *at, *colon, *host, *name, *q, *why;

	if ((slash = strchr(p, '/')) == NULL)
		return redis_url_master(p, 0, u);
	host = p;
	if ((at = memrchr(p, '@', (size_t)(slash - p))) != NULL) {
		if ((colon = memchr(p, ':', (size_t)(at - p))) == NULL)
			colon = p - 1;		/* a password alone */
		else if (redis_url_copy(u->user, sizeof(u->user), p,
		    (size_t)(colon - p), 1) == -1)
			return "bad user";
		if (redis_url_copy(u->pass, sizeof(u->pass), colon + 1,
		    (size_t)(at - colon - 1), 1) == -1)
			return "bad password";
		host = at + 1;
	}
	if ((why = redis_url_nodes(host, (size_t)(slash - host), u)) != NULL)
		return why;
	name = slash + 1;
	if ((q = strchr(name, '?')) == NULL)
		q = name + strlen(name);
	if ((why = redis_url_master(name, (size_t)(q - name), u)) != NULL)
		return why;
	return *q == '?' ? redis_url_query(q + 1, u) : NULL;
}

/* The url by its scheme: NULL, or why it is refused. */
static const char *
redis_url_read(const char *url, struct redis_url *u)
{
	memset(u, 0, sizeof(*u));
	u->node[0].port = REDIS_URL_PORT;
	if (strncmp(url, "unix://", 7) == 0) {
		u->kind = REDIS_URL_UNIX;
		u->nnodes = 1;
		if (redis_url_copy(u->node[0].host, sizeof(u->node[0].host),
		    url + 7, strlen(url + 7), 0) == -1)
			return "socket path too long";
		return NULL;
	}
	if (strncmp(url, "redis://", 8) == 0) {
		u->kind = REDIS_URL_TCP;
		return redis_url_tcp(url + 8, u);
	}
	if (strncmp(url, "redis-sentinel://", 17) == 0) {
		u->kind = REDIS_URL_SENTINEL;
		return redis_url_sentinel(url + 17, u);
	}
	return "must start with redis://, unix:// or redis-sentinel://";
}

int
redis_url_parse(const char *url, struct redis_url *u, char *err,
    size_t errlen)
{
	const char *why;

	if ((why = redis_url_read(url, u)) == NULL)
		return 0;
	snprintf(err, errlen, "redis_url: %s", why);
	return -1;
}
