/*
 * The queue as the master sees it; see queue_master.h. The stream is
 * searched on the server by a Lua script a chunk at a time, comparing only
 * the jid field of each entry (no job is parsed or sent).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "queue.h"
#include "queue_master.h"
#include "util.h"

#define QUEUE_MASTER_CHUNK	"2000"	/* entries a script call reads */

/*
 * KEYS: the stream, the retry set. ARGV: what to search ("stream" or
 * "retry"), where to start (a stream id, "-" first; an index of the retry
 * set), then the jids. Returns {next start or "", jids found...}.
 */
static const char queue_master_lua[] =
"local want = {}\n"
"for i = 3, #ARGV do want[ARGV[i]] = true end\n"
"local found = {''}\n"
"local n = tonumber(" QUEUE_MASTER_CHUNK ")\n"
"local function seen(v)\n"
"  if v and want[v] then found[#found + 1] = v want[v] = nil end\n"
"end\n"
"if ARGV[1] == 'stream' then\n"
"  local r = redis.call('XRANGE', KEYS[1], ARGV[2], '+', 'COUNT', n)\n"
"  for _, e in ipairs(r) do\n"
"    local f = e[2]\n"
"    for j = 1, #f, 2 do\n"
"      if f[j] == '" QUEUE_JID_FIELD "' then seen(f[j + 1]) break end\n"
"    end\n"
"  end\n"
"  if #r == n then found[1] = '(' .. r[#r][1] end\n"
"else\n"
"  local at = tonumber(ARGV[2])\n"
"  local ids = redis.call('ZRANGE', KEYS[2], at, at + n - 1)\n"
"  for _, id in ipairs(ids) do\n"
"    seen(redis.call('HGET', KEYS[2] .. ':' .. id, '" QUEUE_JID_FIELD
    "'))\n"
"  end\n"
"  if #ids == n then found[1] = tostring(at + n) end\n"
"end\n"
"return found\n";

int
queue_jid_of(const json_t *o, char *jid, size_t len)
{
	const char *client, *job;
	char lower[UUID_BUFSZ];
	size_t i;

	client = json_string_value(json_object_get(o, "client_id"));
	job = json_string_value(json_object_get(o, "job_id"));
	if (client == NULL || !uuid_valid(client) || job == NULL ||
	    job[0] == '\0' || strlen(job) > 128)
		return -1;
	for (i = 0; i < UUID_STRLEN; i++)
		lower[i] = (char)tolower((unsigned char)client[i]);
	lower[i] = '\0';
	return snprintf(jid, len, "%s:%s", lower, job) >= (int)len ? -1 : 0;
}

int
queue_jid(const char *job, size_t len, char *jid, size_t jidlen)
{
	json_t *o;
	int rc = -1;

	if (job == NULL)
		return -1;
	o = json_loadb(job, len, JSON_REJECT_DUPLICATES, NULL);
	if (o != NULL && json_is_object(o))
		rc = queue_jid_of(o, jid, jidlen);
	json_decref(o);
	return rc;
}

/*
 * One script call: searches where from start, clears missing[] of what it
 * found, copies the next start into next ("" when done). 0 or -1.
 */
static int
queue_master_step(redisContext *c, const char *where, const char *start,
    const char *const *jids, size_t n, bool *missing, char *next,
    size_t nextlen)
{
	const char **argv;
	redisReply *r;
	size_t i, k, argc = 0;
	int rc = -1;

	argv = xcalloc(n + 7, sizeof(*argv));
	argv[argc++] = "EVAL";
	argv[argc++] = queue_master_lua;
	argv[argc++] = "2";
	argv[argc++] = QUEUE_STREAM;
	argv[argc++] = QUEUE_RETRY;
	argv[argc++] = where;
	argv[argc++] = start;
	for (i = 0; i < n; i++)
		if (missing[i])
			argv[argc++] = jids[i];
	r = redisCommandArgv(c, (int)argc, argv, NULL);
	free(argv);
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    r->element[0]->type != REDIS_REPLY_STRING) {
		log_warnx("redis: reconcile: %s", r == NULL ? c->errstr :
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		goto out;
	}
	snprintf(next, nextlen, "%s", r->element[0]->str);
	for (k = 1; k < r->elements; k++)
		for (i = 0; i < n; i++)
			if (r->element[k]->type == REDIS_REPLY_STRING &&
			    strcmp(jids[i], r->element[k]->str) == 0)
				missing[i] = false;
	rc = 0;
out:
	if (r != NULL)
		freeReplyObject(r);
	return rc;
}

int
queue_missing(redisContext *c, const char *const *jids, size_t n,
    bool *missing)
{
	static const char *const where[] = { "stream", "retry" };
	static const char *const first[] = { "-", "0" };
	char start[64], next[64];
	size_t i, w, left;

	for (i = 0; i < n; i++)
		missing[i] = true;
	for (w = 0; w < 2; w++) {
		snprintf(start, sizeof(start), "%s", first[w]);
		do {
			for (left = 0, i = 0; i < n; i++)
				left += missing[i];
			if (left == 0)
				return 0;
			if (queue_master_step(c, where[w], start, jids, n,
			    missing, next, sizeof(next)) == -1)
				return -1;
			snprintf(start, sizeof(start), "%s", next);
		} while (start[0] != '\0');
	}
	return 0;
}

int
queue_trim_dead(redisContext *c, int64_t max, int64_t *trimmed)
{
	redisReply *r;
	int rc = -1;

	*trimmed = 0;
	r = redisCommand(c, "XTRIM %s MAXLEN %lld", QUEUE_DEAD,
	    (long long)max);
	if (r != NULL && r->type == REDIS_REPLY_INTEGER) {
		*trimmed = r->integer;
		rc = 0;
	} else
		log_warnx("redis: trim %s: %s", QUEUE_DEAD, r == NULL ?
		    c->errstr : r->type == REDIS_REPLY_ERROR ? r->str :
		    "unexpected reply");
	if (r != NULL)
		freeReplyObject(r);
	return rc;
}

/* The value of a two-element CONFIG GET reply, or NULL. */
static const char *
queue_config_value(const redisReply *r)
{
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 2 ||
	    r->element[1]->type != REDIS_REPLY_STRING)
		return NULL;
	return r->element[1]->str;
}

int
queue_check_server(redisContext *c)
{
	redisReply *pol = NULL, *save = NULL, *info = NULL;
	const char *v;
	int aof = 0, rdb = 0, rc = -1;

	pol = redisCommand(c, "CONFIG GET maxmemory-policy");
	save = redisCommand(c, "CONFIG GET save");
	info = redisCommand(c, "INFO persistence");
	if (pol == NULL || save == NULL || info == NULL ||
	    pol->type == REDIS_REPLY_ERROR || save->type == REDIS_REPLY_ERROR ||
	    info->type != REDIS_REPLY_STRING) {
		log_warnx("redis: cannot check maxmemory-policy and "
		    "persistence: %s", pol && pol->type == REDIS_REPLY_ERROR ?
		    pol->str : c->errstr[0] ? c->errstr : "unexpected reply");
		goto out;
	}
	v = queue_config_value(pol);
	if (v != NULL && strcmp(v, "noeviction") != 0)
		log_warnx("redis: maxmemory-policy is %s, not noeviction: "
		    "queued jobs may be evicted under memory pressure", v);
	v = queue_config_value(save);
	rdb = v != NULL && v[0] != '\0';
	aof = strstr(info->str, "aof_enabled:1") != NULL;
	if (!aof && !rdb)
		log_warnx("redis: persistence is off (no AOF, no RDB "
		    "snapshots): a Redis restart loses queued jobs");
	rc = 0;
out:
	if (pol != NULL)
		freeReplyObject(pol);
	if (save != NULL)
		freeReplyObject(save);
	if (info != NULL)
		freeReplyObject(info);
	return rc;
}
