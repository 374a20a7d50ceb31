/*
 * Redis Streams queue on hiredis. Every command carries its own timeout
 * through the context; replies are freed where they are made. Entries move
 * between the stream, the retry set and the dead-letter stream only
 * through the Lua scripts below, each one atomic step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <jansson.h>

#include "log.h"
#include "queue.h"
#include "queue_master.h"
#include "redis_conn.h"
#include "util.h"

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
		redis_conn_check(c, r);
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
	char jid[QUEUE_JID_MAX];
	redisReply *r;
	int rc = -1;

	/* the job's identity beside it, for the reconciliation */
	if (queue_jid(job, len, jid, sizeof(jid)) == 0)
		r = redisCommand(c, "XADD %s * job %b %s %s", QUEUE_STREAM,
		    job, len, QUEUE_JID_FIELD, jid);
	else
		r = redisCommand(c, "XADD %s * job %b", QUEUE_STREAM, job,
		    len);
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
		const char *k = fields->element[i]->str;
		const redisReply *v = fields->element[i + 1];

		if (strcmp(k, "job") == 0 && e->job == NULL) {
			e->job_len = v->len;
			e->job = xstrndup(v->str, e->job_len);
		} else if (strcmp(k, "crashes") == 0)
			e->crashes = strtoll(v->str, NULL, 10);
		else if (strcmp(k, "retries") == 0)
			e->retries = strtoll(v->str, NULL, 10);
		else if (strcmp(k, "error") == 0 && e->last_error == NULL &&
		    v->len > 0)
			e->last_error = xstrndup(v->str, v->len);
	}
	if (e->crashes < 0)
		e->crashes = 0;
	if (e->retries < 0)
		e->retries = 0;
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

/*
 * Fills the delivery counts of entries e[0..n), pending for consumer, from
 * XPENDING (pipelined, one range per entry). An entry it cannot read keeps
 * 0. Only re-reads need it: a new entry has been delivered once.
 */
static void
queue_deliveries(redisContext *c, const char *consumer,
    struct queue_entry *e, int n)
{
	redisReply *r;
	int i, failed = 0;

	for (i = 0; i < n; i++)
		redisAppendCommand(c, "XPENDING %s %s %s %s 1 %s",
		    QUEUE_STREAM, QUEUE_GROUP, e[i].id, e[i].id, consumer);
	for (i = 0; i < n; i++) {
		r = NULL;
		if (failed || redisGetReply(c, (void **)&r) != REDIS_OK) {
			failed = 1;
			continue;
		}
		/* [[id, consumer, idle, deliveries]] */
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
		    r->element[0]->type == REDIS_REPLY_ARRAY &&
		    r->element[0]->elements == 4 &&
		    r->element[0]->element[3]->type == REDIS_REPLY_INTEGER)
			e[i].deliveries = r->element[0]->element[3]->integer;
		freeReplyObject(r);
	}
}

/*
 * The entries of list (XREADGROUP's or XAUTOCLAIM's) into out, at most
 * max, with their delivery counts when they are read again (again: a
 * failure that repeats is counted). How many, or 0.
 */
static int
queue_take(redisContext *c, const char *consumer, const redisReply *list,
    bool again, struct queue_entry *out, size_t max)
{
	int n;

	if ((n = queue_entries_from(list, out, max)) > 0 && again)
		queue_deliveries(c, consumer, out, n);
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
		n = queue_take(c, consumer, r->element[0]->element[1],
		    pending, out, max);
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
	n = queue_take(c, consumer, r->element[1], true, out, max);
out:
	if (r != NULL)
		freeReplyObject(r);
	return n;
}

int
queue_ack(redisContext *c, const char *id)
{
	return queue_ack_batch(c, &id, 1, NULL, 0);
}

int
queue_ack_batch(redisContext *c, const char *const *ids, size_t n,
    const char *const *keys, size_t nkeys)
{
	const char **argv;
	redisReply *r;
	size_t i, k, sent = 0;
	int rc = 0;

	if (n == 0 && nkeys == 0)
		return 0;
	argv = xcalloc(n + nkeys + 3, sizeof(*argv));
	redisAppendCommand(c, "MULTI");
	sent++;
	if (n > 0) {
		argv[0] = "XACK";
		argv[1] = QUEUE_STREAM;
		argv[2] = QUEUE_GROUP;
		for (i = 0; i < n; i++)
			argv[3 + i] = ids[i];
		redisAppendCommandArgv(c, (int)(n + 3), argv, NULL);
		argv[0] = "XDEL";
		for (i = 0; i < n; i++)
			argv[2 + i] = ids[i];
		redisAppendCommandArgv(c, (int)(n + 2), argv, NULL);
		sent += 2;
	}
	if (nkeys > 0) {
		argv[0] = "DEL";
		for (k = 0; k < nkeys; k++)
			argv[1 + k] = keys[k];
		redisAppendCommandArgv(c, (int)(nkeys + 1), argv, NULL);
		sent++;
	}
	redisAppendCommand(c, "EXEC");
	sent++;
	free(argv);
	for (i = 0; i < sent; i++) {
		r = NULL;
		if (redisGetReply(c, (void **)&r) != REDIS_OK) {
			log_warnx("redis: ack: %s", c->errstr);
			return -1;
		}
		if (r->type == REDIS_REPLY_ERROR && rc == 0) {
			log_warnx("redis: ack: %s", r->str);
			redis_conn_check(c, r);
			rc = -1;
		}
		/* EXEC's own reply: nil when the transaction was aborted */
		if (i == sent - 1 && r->type != REDIS_REPLY_ARRAY)
			rc = -1;
		freeReplyObject(r);
	}
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
	free(e->last_error);
	memset(e, 0, sizeof(*e));
}

/*
 * The move script. KEYS: the stream, the retry set, the dead stream. ARGV:
 * group, entry id, owner ("" = any consumer), destination (stream, retry,
 * dead), delay ms, then the new entry's field/value pairs.
 *
 * Why one script, and what each crash point leaves behind:
 * - The caller dies before the script: the entry is still pending for its
 *   consumer; the master hands it back (or a worker claims it after the
 *   lease) and it runs again. PostgreSQL fences the commit, so a job that
 *   had committed is only acknowledged.
 * - Redis runs a script atomically, and with AOF its effects are logged as
 *   one MULTI/EXEC block (a torn block is dropped at load): after a Redis
 *   crash the entry is either still pending or already moved, never both
 *   and never neither.
 * - The reply is lost after the script ran: the caller sees an error and
 *   may call again; the entry is no longer pending for owner, so the second
 *   call changes nothing (returns 0).
 * - The entry was claimed away (lease expired) while owner was still on
 *   it: the XPENDING owner check fails and nothing is duplicated.
 */
static const char queue_move_lua[] =
"local p\n"
"if ARGV[3] == '' then\n"
"  p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)\n"
"else\n"
"  p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1,\n"
"      ARGV[3])\n"
"end\n"
"if #p == 0 then return 0 end\n"
"redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
"redis.call('XDEL', KEYS[1], ARGV[2])\n"
"local f = {}\n"
"for i = 6, #ARGV do f[#f + 1] = ARGV[i] end\n"
"if ARGV[4] == 'stream' then\n"
"  redis.call('XADD', KEYS[1], '*', unpack(f))\n"
"elseif ARGV[4] == 'dead' then\n"
"  redis.call('XADD', KEYS[3], '*', 'id', ARGV[2], unpack(f))\n"
"else\n"
"  local t = redis.call('TIME')\n"
"  local due = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
"      + tonumber(ARGV[5])\n"
"  local k = KEYS[2] .. ':' .. ARGV[2]\n"
"  redis.call('DEL', k)\n"
"  redis.call('HSET', k, unpack(f))\n"
"  redis.call('ZADD', KEYS[2], due, ARGV[2])\n"
"end\n"
"return 1\n";

/*
 * The promote script: due members of the retry set (by the server's
 * clock) become new stream entries; XADD, DEL and ZREM in one step, so a
 * retry is either waiting or queued, never lost or doubled. KEYS: the
 * retry set, the stream. ARGV: at most how many.
 */
static const char queue_promote_lua[] =
"local t = redis.call('TIME')\n"
"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
"local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT',\n"
"    0, tonumber(ARGV[1]))\n"
"for _, id in ipairs(ids) do\n"
"  local k = KEYS[1] .. ':' .. id\n"
"  local f = redis.call('HGETALL', k)\n"
"  if #f > 0 then redis.call('XADD', KEYS[2], '*', unpack(f)) end\n"
"  redis.call('DEL', k)\n"
"  redis.call('ZREM', KEYS[1], id)\n"
"end\n"
"return #ids\n";

/*
 * The job text with "job_id" set to id when it has none, so the job keeps
 * its identity in a new entry (caller frees); NULL to keep it as it is.
 * Its identity goes to jid ("" when it has none: not a job object).
 */
static char *
queue_job_with_id(const char *job, size_t len, const char *id, char *jid,
    size_t jidlen)
{
	json_t *o, *v;
	char *s = NULL;

	jid[0] = '\0';
	if (job == NULL)
		return NULL;
	o = json_loadb(job, len, JSON_REJECT_DUPLICATES, NULL);
	if (o != NULL && json_is_object(o)) {
		v = json_object_get(o, "job_id");
		if (v == NULL || json_is_null(v)) {
			json_object_set_new(o, "job_id", json_string(id));
			s = json_dumps(o, JSON_COMPACT);
		}
		if (queue_jid_of(o, jid, jidlen) == -1)
			jid[0] = '\0';
	}
	json_decref(o);
	return s;
}

#define QUEUE_MOVE_MAXARGS	26

int
queue_move(redisContext *c, const char *id, const char *owner,
    const struct queue_move *mv)
{
	const char *argv[QUEUE_MOVE_MAXARGS];
	size_t lens[QUEUE_MOVE_MAXARGS];
	char delay[24], crashes[24], retries[24], jid[QUEUE_JID_MAX];
	char *job = NULL;
	const char *jtext = mv->job ? mv->job : "";
	size_t jlen = mv->job ? mv->job_len : 0;
	redisReply *r;
	int n = 0, rc = -1;

#define ARG(s, l) do { argv[n] = (s); lens[n] = (l); n++; } while (0)
#define SARG(s) ARG((s), strlen(s))
	jid[0] = '\0';
	if (mv->dest != QUEUE_TO_DEAD &&
	    (job = queue_job_with_id(mv->job, mv->job_len, id, jid,
	    sizeof(jid))) != NULL) {
		jtext = job;
		jlen = strlen(job);
	}
	snprintf(delay, sizeof(delay), "%lld", (long long)(mv->delay_ms > 0 ?
	    mv->delay_ms : 0));
	snprintf(crashes, sizeof(crashes), "%lld", (long long)mv->crashes);
	snprintf(retries, sizeof(retries), "%lld", (long long)mv->retries);
	SARG("EVAL");
	SARG(queue_move_lua);
	SARG("3");
	SARG(QUEUE_STREAM);
	SARG(QUEUE_RETRY);
	SARG(QUEUE_DEAD);
	SARG(QUEUE_GROUP);
	SARG(id);
	SARG(owner ? owner : "");
	SARG(mv->dest == QUEUE_TO_STREAM ? "stream" :
	    mv->dest == QUEUE_TO_RETRY ? "retry" : "dead");
	SARG(delay);
	SARG("job");
	ARG(jtext, jlen);
	if (mv->dest == QUEUE_TO_DEAD) {
		SARG("reason");
		SARG(mv->error ? mv->error : "");
		if (mv->client_id != NULL) {
			SARG("client_id");
			SARG(mv->client_id);
		}
		if (mv->job_id != NULL) {
			SARG("job_id");
			SARG(mv->job_id);
		}
	} else {
		SARG("crashes");
		SARG(crashes);
		SARG("retries");
		SARG(retries);
		if (jid[0] != '\0') {
			SARG(QUEUE_JID_FIELD);
			SARG(jid);
		}
		if (mv->error != NULL && mv->error[0] != '\0') {
			SARG("error");
			SARG(mv->error);
		}
	}
#undef SARG
#undef ARG
	r = redisCommandArgv(c, n, argv, lens);
	if (queue_reply_ok(c, r, "move") == 0 &&
	    r->type == REDIS_REPLY_INTEGER)
		rc = r->integer == 1 ? 1 : 0;
	if (r != NULL)
		freeReplyObject(r);
	free(job);
	return rc;
}

int
queue_dead(redisContext *c, const char *id, const char *job, size_t len,
    const char *reason)
{
	struct queue_move mv;

	memset(&mv, 0, sizeof(mv));
	mv.dest = QUEUE_TO_DEAD;
	mv.job = job;
	mv.job_len = len;
	mv.error = reason;
	return queue_move(c, id, "", &mv) == -1 ? -1 : 0;
}

int
queue_promote(redisContext *c, int max)
{
	redisReply *r;
	int n = -1;

	r = redisCommand(c, "EVAL %s 2 %s %s %d", queue_promote_lua,
	    QUEUE_RETRY, QUEUE_STREAM, max);
	if (queue_reply_ok(c, r, "promote") == 0 &&
	    r->type == REDIS_REPLY_INTEGER)
		n = (int)r->integer;
	if (r != NULL)
		freeReplyObject(r);
	return n;
}

int64_t
queue_backoff_ms(int64_t base_ms, int64_t n)
{
	int64_t d = base_ms > 0 ? base_ms : 1, j;

	while (--n > 0 && d < QUEUE_RETRY_CAP_MS)
		d *= 2;
	if (d > QUEUE_RETRY_CAP_MS)
		d = QUEUE_RETRY_CAP_MS;
	/* +-20% so jobs that failed together do not come back together */
	j = d / 5;
	if (j > 0)
		d += (int64_t)(random() % (2 * j + 1)) - j;
	return d;
}

/* Moves one entry pending for from; 1 moved, 0 not, -1 error. */
static int
queue_handback_one(redisContext *c, const char *from, const char *id,
    int crashed, const char *reason, int64_t base_ms)
{
	struct queue_move mv;
	struct queue_entry e;
	redisReply *r;
	int rc, n = 0;

	r = redisCommand(c, "XRANGE %s %s %s", QUEUE_STREAM, id, id);
	if (queue_reply_ok(c, r, "xrange") == -1) {
		if (r != NULL)
			freeReplyObject(r);
		return -1;
	}
	memset(&e, 0, sizeof(e));
	n = queue_entries_from(r, &e, 1);
	freeReplyObject(r);
	memset(&mv, 0, sizeof(mv));
	if (n == 0 || e.job == NULL) {
		/* trimmed from the stream: nothing left to run */
		mv.dest = QUEUE_TO_DEAD;
		mv.error = "entry was deleted from the stream";
		rc = queue_move(c, id, from, &mv);
		queue_entry_clear(&e);
		return rc;
	}
	mv.job = e.job;
	mv.job_len = e.job_len;
	mv.crashes = e.crashes + (crashed ? 1 : 0);
	mv.retries = e.retries + 1;
	mv.error = reason;
	/* once at once; a job that crashes again waits, with backoff */
	if (crashed && mv.crashes >= 2) {
		mv.dest = QUEUE_TO_RETRY;
		mv.delay_ms = queue_backoff_ms(base_ms, mv.crashes - 1);
	} else
		mv.dest = QUEUE_TO_STREAM;
	rc = queue_move(c, id, from, &mv);
	if (rc == 1)
		log_debug("entry %s of %s handed back%s (%s)", id, from,
		    mv.dest == QUEUE_TO_RETRY ? " with a delay" : "", reason);
	queue_entry_clear(&e);
	return rc;
}

int
queue_handback(redisContext *c, const char *from, int crashed,
    const char *reason, int64_t base_ms, size_t *nmoved)
{
	redisReply *r;
	size_t i, progress;
	int round, rv;

	*nmoved = 0;
	for (round = 0; round < 100; round++) {
		r = redisCommand(c, "XPENDING %s %s - + 100 %s", QUEUE_STREAM,
		    QUEUE_GROUP, from);
		if (r != NULL && r->type == REDIS_REPLY_ERROR &&
		    strncmp(r->str, "NOGROUP", 7) == 0) {
			freeReplyObject(r);
			return 0;
		}
		if (queue_reply_ok(c, r, "xpending") == -1) {
			if (r != NULL)
				freeReplyObject(r);
			return -1;
		}
		progress = 0;
		for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements;
		    i++) {
			const redisReply *it = r->element[i];

			if (it->type != REDIS_REPLY_ARRAY || it->elements < 1 ||
			    it->element[0]->type != REDIS_REPLY_STRING)
				continue;
			rv = queue_handback_one(c, from, it->element[0]->str,
			    crashed, reason, base_ms);
			if (rv == -1) {
				freeReplyObject(r);
				return -1;
			}
			if (rv == 1) {
				(*nmoved)++;
				progress++;
			}
		}
		freeReplyObject(r);
		if (progress == 0)
			break;
	}
	return 0;
}
