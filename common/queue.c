/*
 * Redis Streams queue on hiredis. Every command carries its own timeout
 * through the context; replies are freed where they are made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "log.h"
#include "queue.h"
#include "util.h"

static int
queue_parse_url(const char *url, char *host, size_t hlen, int *port,
    char *user, size_t ulen, char *pass, size_t plen, int *db,
    int *is_unix)
{
	const char *p, *at, *slash, *colon;
	int64_t v;

	*port = 6379;
	*db = 0;
	*is_unix = 0;
	user[0] = pass[0] = '\0';
	if (strncmp(url, "unix://", 7) == 0) {
		*is_unix = 1;
		return snprintf(host, hlen, "%s", url + 7) >= (int)hlen ?
		    -1 : 0;
	}
	if (strncmp(url, "redis://", 8) != 0)
		return -1;
	p = url + 8;
	if ((at = strrchr(p, '@')) != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon != NULL) {
			if ((size_t)(colon - p) >= ulen ||
			    (size_t)(at - colon - 1) >= plen)
				return -1;
			memcpy(user, p, (size_t)(colon - p));
			user[colon - p] = '\0';
			memcpy(pass, colon + 1, (size_t)(at - colon - 1));
			pass[at - colon - 1] = '\0';
		} else {
			if ((size_t)(at - p) >= plen)
				return -1;
			memcpy(pass, p, (size_t)(at - p));
			pass[at - p] = '\0';
		}
		p = at + 1;
	}
	slash = strchr(p, '/');
	colon = strchr(p, ':');
	if (colon != NULL && (slash == NULL || colon < slash)) {
		char num[16];
		size_t n = (size_t)((slash ? slash : p + strlen(p)) - colon - 1);

		if (n == 0 || n >= sizeof(num))
			return -1;
		memcpy(num, colon + 1, n);
		num[n] = '\0';
		if (parse_i64(num, 1, 65535, &v, NULL) == -1)
			return -1;
		*port = (int)v;
	} else
		colon = slash ? slash : p + strlen(p);
	if ((size_t)(colon - p) >= hlen)
		return -1;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	if (host[0] == '\0')
		snprintf(host, hlen, "127.0.0.1");
	if (slash != NULL && slash[1] != '\0') {
		if (parse_i64(slash + 1, 0, 15, &v, NULL) == -1)
			return -1;
		*db = (int)v;
	}
	return 0;
}

redisContext *
queue_connect(const char *url, int timeout_ms, char *err, size_t errlen)
{
	char host[256], user[128], pass[256];
	struct timeval tv;
	redisContext *c = NULL;
	redisReply *r = NULL;
	int port, db, is_unix;

	if (queue_parse_url(url, host, sizeof(host), &port, user,
	    sizeof(user), pass, sizeof(pass), &db, &is_unix) == -1) {
		snprintf(err, errlen, "redis: bad url");
		return NULL;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	c = is_unix ? redisConnectUnixWithTimeout(host, tv) :
	    redisConnectWithTimeout(host, port, tv);
	if (c == NULL || c->err) {
		snprintf(err, errlen, "redis: %s", c ? c->errstr :
		    "out of memory");
		goto fail;
	}
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		snprintf(err, errlen, "redis: cannot set timeout");
		goto fail;
	}
	if (pass[0] != '\0') {
		r = user[0] ? redisCommand(c, "AUTH %s %s", user, pass) :
		    redisCommand(c, "AUTH %s", pass);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			snprintf(err, errlen, "redis: authentication failed");
			goto fail;
		}
		freeReplyObject(r);
		r = NULL;
	}
	if (db != 0) {
		r = redisCommand(c, "SELECT %d", db);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			snprintf(err, errlen, "redis: cannot select db %d", db);
			goto fail;
		}
		freeReplyObject(r);
	}
	return c;
fail:
	if (r != NULL)
		freeReplyObject(r);
	if (c != NULL)
		redisFree(c);
	return NULL;
}

static int
queue_reply_ok(redisContext *c, redisReply *r, const char *what)
{
	if (r == NULL) {
		log_warnx("redis: %s: %s", what, c->errstr[0] ? c->errstr :
		    "no reply");
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_warnx("redis: %s: %s", what, r->str);
		return -1;
	}
	return 0;
}

int
queue_ensure_group(redisContext *c)
{
	redisReply *r;
	int rc = 0;

	r = redisCommand(c, "XGROUP CREATE %s %s 0 MKSTREAM", QUEUE_STREAM,
	    QUEUE_GROUP);
	if (r == NULL) {
		log_warnx("redis: xgroup create: %s", c->errstr);
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9)) {
		log_warnx("redis: xgroup create: %s", r->str);
		rc = -1;
	}
	freeReplyObject(r);
	return rc;
}

int
queue_add(redisContext *c, const char *job, size_t len, char *id,
    size_t idlen)
{
	redisReply *r;
	int rc = -1;

	r = redisCommand(c, "XADD %s * job %b", QUEUE_STREAM, job, len);
	if (queue_reply_ok(c, r, "xadd") == -1)
		goto out;
	if (r->type != REDIS_REPLY_STRING) {
		log_warnx("redis: xadd: unexpected reply");
		goto out;
	}
	if (id != NULL)
		snprintf(id, idlen, "%s", r->str);
	rc = 0;
out:
	if (r != NULL)
		freeReplyObject(r);
	return rc;
}

/* Fills e from one [id, [field, value, ...]] stream entry. */
static int
queue_entry_from(const redisReply *item, struct queue_entry *e)
{
	const redisReply *fields;
	size_t i;

	memset(e, 0, sizeof(*e));
	if (item->type != REDIS_REPLY_ARRAY || item->elements < 2 ||
	    item->element[0]->type != REDIS_REPLY_STRING)
		return -1;
	e->id = xstrdup(item->element[0]->str);
	fields = item->element[1];
	/* a deleted entry comes back with a nil field list */
	if (fields->type != REDIS_REPLY_ARRAY)
		return 0;
	for (i = 0; i + 1 < fields->elements; i += 2) {
		if (fields->element[i]->type != REDIS_REPLY_STRING ||
		    fields->element[i + 1]->type != REDIS_REPLY_STRING)
			continue;
		if (strcmp(fields->element[i]->str, "job") == 0 &&
		    e->job == NULL) {
			e->job_len = fields->element[i + 1]->len;
			e->job = xstrndup(fields->element[i + 1]->str,
			    e->job_len);
		}
	}
	return 0;
}

static int
queue_entries_from(const redisReply *list, struct queue_entry *out,
    size_t max)
{
	size_t i;
	int n = 0;

	if (list->type != REDIS_REPLY_ARRAY)
		return 0;
	for (i = 0; i < list->elements && (size_t)n < max; i++)
		if (queue_entry_from(list->element[i], &out[n]) == 0)
			n++;
	return n;
}

int
queue_read(redisContext *c, const char *consumer, int pending, int block_ms,
    struct queue_entry *out, size_t max)
{
	redisReply *r;
	struct timeval tv;
	int n = -1;

	if (pending)
		r = redisCommand(c, "XREADGROUP GROUP %s %s COUNT %d STREAMS "
		    "%s 0", QUEUE_GROUP, consumer, (int)max, QUEUE_STREAM);
	else {
		/* the socket timeout must outlast the server-side block */
		tv.tv_sec = block_ms / 1000 + 5;
		tv.tv_usec = 0;
		redisSetTimeout(c, tv);
		r = redisCommand(c, "XREADGROUP GROUP %s %s COUNT %d BLOCK %d "
		    "STREAMS %s >", QUEUE_GROUP, consumer, (int)max, block_ms,
		    QUEUE_STREAM);
		tv.tv_sec = 5;
		redisSetTimeout(c, tv);
	}
	if (r != NULL && r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOGROUP", 7) == 0) {
		freeReplyObject(r);
		return queue_ensure_group(c) == 0 ? 0 : -1;
	}
	if (queue_reply_ok(c, r, "xreadgroup") == -1)
		goto out;
	n = 0;
	if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
	    r->element[0]->type == REDIS_REPLY_ARRAY &&
	    r->element[0]->elements == 2)
		n = queue_entries_from(r->element[0]->element[1], out, max);
out:
	if (r != NULL)
		freeReplyObject(r);
	return n;
}

int
queue_autoclaim(redisContext *c, const char *consumer, int64_t min_idle_ms,
    char *cursor, struct queue_entry *out, size_t max)
{
	redisReply *r;
	int n = -1;

	r = redisCommand(c, "XAUTOCLAIM %s %s %s %lld %s COUNT %d",
	    QUEUE_STREAM, QUEUE_GROUP, consumer, (long long)min_idle_ms,
	    cursor, (int)max);
	if (queue_reply_ok(c, r, "xautoclaim") == -1)
		goto out;
	n = 0;
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 2)
		goto out;
	if (r->element[0]->type == REDIS_REPLY_STRING)
		snprintf(cursor, 32, "%s", r->element[0]->str);
	n = queue_entries_from(r->element[1], out, max);
out:
	if (r != NULL)
		freeReplyObject(r);
	return n;
}

int
queue_claim_from(redisContext *c, const char *from, const char *to,
    size_t *nclaimed)
{
	redisReply *r = NULL, *cr;
	size_t i;
	int rc = -1;

	*nclaimed = 0;
	for (;;) {
		r = redisCommand(c, "XPENDING %s %s - + 100 %s", QUEUE_STREAM,
		    QUEUE_GROUP, from);
		if (queue_reply_ok(c, r, "xpending") == -1)
			goto out;
		if (r->type != REDIS_REPLY_ARRAY || r->elements == 0)
			break;
		for (i = 0; i < r->elements; i++) {
			if (r->element[i]->type != REDIS_REPLY_ARRAY ||
			    r->element[i]->elements < 1)
				continue;
			cr = redisCommand(c, "XCLAIM %s %s %s 0 %s JUSTID",
			    QUEUE_STREAM, QUEUE_GROUP, to,
			    r->element[i]->element[0]->str);
			if (queue_reply_ok(c, cr, "xclaim") == -1) {
				if (cr != NULL)
					freeReplyObject(cr);
				goto out;
			}
			freeReplyObject(cr);
			(*nclaimed)++;
		}
		freeReplyObject(r);
		r = NULL;
	}
	rc = 0;
out:
	if (r != NULL)
		freeReplyObject(r);
	return rc;
}

int
queue_ack(redisContext *c, const char *id)
{
	redisReply *r;
	int rc;

	r = redisCommand(c, "XACK %s %s %s", QUEUE_STREAM, QUEUE_GROUP, id);
	rc = queue_reply_ok(c, r, "xack");
	if (r != NULL)
		freeReplyObject(r);
	return rc;
}

int
queue_dead(redisContext *c, const char *id, const char *job, size_t len,
    const char *reason)
{
	redisReply *r;
	int rc;

	r = redisCommand(c, "XADD %s * id %s job %b reason %s", QUEUE_DEAD,
	    id, job ? job : "", job ? len : 0, reason);
	rc = queue_reply_ok(c, r, "xadd dead");
	if (r != NULL)
		freeReplyObject(r);
	if (rc == 0)
		rc = queue_ack(c, id);
	return rc;
}

int64_t
queue_depth(redisContext *c)
{
	redisReply *r;
	int64_t n = -1;
	size_t i;

	r = redisCommand(c, "XINFO GROUPS %s", QUEUE_STREAM);
	if (queue_reply_ok(c, r, "xinfo") == -1)
		goto out;
	if (r->type != REDIS_REPLY_ARRAY || r->elements == 0)
		goto out;
	/* the group's "lag" plus "pending" (Redis 7) */
	for (i = 0; i + 1 < r->element[0]->elements; i += 2) {
		const redisReply *k = r->element[0]->element[i];
		const redisReply *v = r->element[0]->element[i + 1];

		if (k->type != REDIS_REPLY_STRING ||
		    v->type != REDIS_REPLY_INTEGER)
			continue;
		if (strcmp(k->str, "lag") == 0 ||
		    strcmp(k->str, "pending") == 0)
			n = (n < 0 ? 0 : n) + v->integer;
	}
out:
	if (r != NULL)
		freeReplyObject(r);
	return n;
}

void
queue_entry_clear(struct queue_entry *e)
{
	free(e->id);
	free(e->job);
	memset(e, 0, sizeof(*e));
}
