/*
 * Tests for common/redis_url.c (the three forms of redis_url as a table of
 * {url, what it parses to or why it is refused}) and for redis_conn_check()
 * of common/redis_conn.c (which replies send a process to the primary).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "redis_conn.h"
#include "redis_url.h"
#include "unit.h"

/* u in one line: kind, nodes, name, credentials (a= data, s= sentinels) */
static void
render(const struct redis_url *u, char *buf, size_t len)
{
	static const char *kinds[] = { "tcp", "unix", "sentinel" };
	size_t i, o;

	o = (size_t)snprintf(buf, len, "%s ", kinds[u->kind]);
	for (i = 0; i < u->nnodes && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s:%d",
		    i > 0 ? "," : "", u->node[i].host, u->node[i].port);
	if (o < len)
		snprintf(buf + o, len - o, " m=%s a=%s:%s s=%s:%s db=%d",
		    u->master, u->user, u->pass, u->sentinel_user,
		    u->sentinel_pass, u->db);
}

/* What an error begins with; the reason follows. */
#define REFUSED		"redis_url: "

/*
 * Each url parses to what render() shows of it, or is refused with the
 * reason after REFUSED whole.
 */
UNIT_TEST(test_parse)
{
	static const struct {
		const char *url;
		const char *want;	/* render(), or REFUSED and why */
	} rows[] = {
		/* the forms bomd always read, unchanged */
		{ "redis://127.0.0.1:6379/0",
		    "tcp 127.0.0.1:6379 m= a=: s=: db=0" },
		{ "redis://", "tcp 127.0.0.1:6379 m= a=: s=: db=0" },
		{ "redis://h", "tcp h:6379 m= a=: s=: db=0" },
		{ "redis://:pw@h:7000/3", "tcp h:7000 m= a=:pw s=: db=3" },
		{ "redis://pw@h", "tcp h:6379 m= a=:pw s=: db=0" },
		{ "redis://bob:p@ss@h/15",
		    "tcp h:6379 m= a=bob:p@ss s=: db=15" },
		{ "redis://h:0", REFUSED "bad port" },
		{ "redis://h:65536", REFUSED "bad port" },
		{ "redis://h:x/1", REFUSED "bad port" },
		{ "redis://h/16", REFUSED "database is not 0 to 15" },
		{ "redis://h/1?db=2", REFUSED "database is not 0 to 15" },
		{ "unix:///run/redis.sock",
		    "unix /run/redis.sock:6379 m= a=: s=: db=0" },
		{ "http://x", REFUSED "must start with redis://, unix:// or "
		    "redis-sentinel://" },
		{ "http://h", REFUSED "must start with redis://, unix:// or "
		    "redis-sentinel://" },
		{ "", REFUSED "must start with redis://, unix:// or "
		    "redis-sentinel://" },
		/* sentinels */
		{ "redis-sentinel://s1:26379,s2:26380/mymaster",
		    "sentinel s1:26379,s2:26380 m=mymaster a=: s=: db=0" },
		{ "redis-sentinel://s1/m",
		    "sentinel s1:26379 m=m a=: s=: db=0" },
		{ "redis-sentinel://:secret@s1,s2:1/m.a_b-c?db=4",
		    "sentinel s1:26379,s2:1 m=m.a_b-c a=:secret s=: db=4" },
		{ "redis-sentinel://app:pa%40ss%2Fw@s1/m",
		    "sentinel s1:26379 m=m a=app:pa@ss/w s=: db=0" },
		{ "redis-sentinel://pw@s1/m",
		    "sentinel s1:26379 m=m a=:pw s=: db=0" },
		{ "redis-sentinel://s1/m?sentinel_password=s%26p&"
		    "sentinel_user=watch",
		    "sentinel s1:26379 m=m a=: s=watch:s&p db=0" },
		{ "redis-sentinel://[::1]:26379,[fe80::1]/m",
		    "sentinel ::1:26379,fe80::1:26379 m=m a=: s=: db=0" },
		{ "redis-sentinel://a,b,c,d,e,f,g,h/m",
		    "sentinel a:26379,b:26379,c:26379,d:26379,e:26379,f:26379,"
		    "g:26379,h:26379 m=m a=: s=: db=0" },
		{ "redis-sentinel://a,b,c,d,e,f,g,h,i/m",
		    REFUSED "more than 8 sentinels" },
		{ "redis-sentinel://s1", REFUSED "a sentinel url names its "
		    "primary: redis-sentinel://HOST[:PORT][,...]/NAME" },
		{ "redis-sentinel://s1/", REFUSED "a sentinel url names its "
		    "primary: redis-sentinel://HOST[:PORT][,...]/NAME" },
		{ "redis-sentinel:///m", REFUSED "a sentinel without a host" },
		{ "redis-sentinel://s1,/m",
		    REFUSED "a sentinel without a host" },
		{ "redis-sentinel://,s1/m",
		    REFUSED "a sentinel without a host" },
		{ "redis-sentinel://s1:/m", REFUSED "bad sentinel port" },
		{ "redis-sentinel://s1:0/m", REFUSED "bad sentinel port" },
		{ "redis-sentinel://s1:99999/m", REFUSED "bad sentinel port" },
		{ "redis-sentinel://[::1/m",
		    REFUSED "unclosed [ in a sentinel address" },
		{ "redis-sentinel://[::1]x/m",
		    REFUSED "junk after ] in a sentinel address" },
		{ "redis-sentinel://[]/m",
		    REFUSED "a sentinel without a host" },
		{ "redis-sentinel://s1/m/2", REFUSED "the primary's name has "
		    "a character other than A-Z a-z 0-9 . _ -" },
		{ "redis-sentinel://s1/m?",
		    REFUSED "a query option without '='" },
		{ "redis-sentinel://s1/m?db=16", REFUSED "db is not 0 to 15" },
		{ "redis-sentinel://s1/m?db",
		    REFUSED "a query option without '='" },
		{ "redis-sentinel://s1/m?timeout=3", REFUSED "unknown query "
		    "option (db, sentinel_user, sentinel_password)" },
		{ "redis-sentinel://s1/m#x", REFUSED "the primary's name has "
		    "a character other than A-Z a-z 0-9 . _ -" },
		{ "redis-sentinel://u%:p@s1/m", REFUSED "bad user" },
		{ "redis-sentinel://:p%4@s1/m", REFUSED "bad password" },
		{ "redis-sentinel://:p%00w@s1/m", REFUSED "bad password" },
		{ "redis-sentinel://:p%zzw@s1/m", REFUSED "bad password" },
		{ "redis-sentinel://s1/m?sentinel_user=%",
		    REFUSED "bad sentinel_user" },
		{ "redis-sentinel://s1/m?sentinel_password=%",
		    REFUSED "bad sentinel_password" },
	};
	struct redis_url u;
	char err[256], got[1024];
	size_t i;
	int rc, want_rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		want_rc = strncmp(rows[i].want, REFUSED,
		    strlen(REFUSED)) == 0 ? -1 : 0;
		err[0] = '\0';
		rc = redis_url_parse(rows[i].url, &u, err, sizeof(err));
		if (rc != want_rc)
			fail_msg("'%s': rc %d (%s), want %d", rows[i].url, rc,
			    err, want_rc);
		if (rc == 0)
			render(&u, got, sizeof(got));
		else
			snprintf(got, sizeof(got), "%s", err);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("'%s': want '%s', got '%s'", rows[i].url,
			    rows[i].want, got);
	}
}

/* A refused url's reason never quotes its password. */
UNIT_TEST(test_reason_hides_password)
{
	static const char *urls[] = {
		"redis-sentinel://:TOPSECRET@s1/m?db=99",
		"redis-sentinel://:TOPSECRET@s1:bad/m",
		"redis-sentinel://u:TOPSECRET@/m",
		"redis-sentinel://s1/m?sentinel_password=TOPSECRET%",
		"redis://:TOPSECRET@h:bad",
		"redis://:TOPSECRET@h/99",
	};
	struct redis_url u;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		assert_int_equal(redis_url_parse(urls[i], &u, err,
		    sizeof(err)), -1);
		if (strstr(err, "TOPSECRET") != NULL)
			fail_msg("'%s': reason '%s'", urls[i], err);
	}
}

/* A long url is refused, never cut short. */
UNIT_TEST(test_too_long)
{
	char url[2048], err[256];
	struct redis_url u;

	memset(url, 'a', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	memcpy(url, "redis-sentinel://", 17);
	url[600] = '/';
	assert_int_equal(redis_url_parse(url, &u, err, sizeof(err)), -1);
	memcpy(url, "redis://", 8);
	assert_int_equal(redis_url_parse(url, &u, err, sizeof(err)), -1);
	snprintf(url, sizeof(url), "redis-sentinel://s/%0200d", 0);
	assert_int_equal(redis_url_parse(url, &u, err, sizeof(err)), -1);
}

UNIT_TEST(test_conn_check)
{
	static const struct unit_str_int rows[] = {
		{ "READONLY You can't write against a read only replica.", 1 },
		{ "ERR Error running script (call to f_1): @user_script:1: "
		    "@user_script: 1: -READONLY You can't write", 1 },
		{ "LOADING Redis is loading the dataset in memory", 1 },
		{ "MASTERDOWN Link with MASTER is down", 1 },
		{ "NOGROUP No such key 'bomd:jobs'", 0 },
		{ "ERR unknown command", 0 },
		{ "BUSYGROUP Consumer Group name already exists", 0 },
	};
	redisContext c;
	redisReply r;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&c, 0, sizeof(c));
		memset(&r, 0, sizeof(r));
		r.type = REDIS_REPLY_ERROR;
		r.str = (char *)(uintptr_t)rows[i].in;
		r.len = strlen(rows[i].in);
		redis_conn_check(&c, &r);
		if ((c.err != 0) != rows[i].want)
			fail_msg("'%s': err %d", rows[i].in, c.err);
	}
	/* a reply that is no error, or none, leaves the context alone */
	memset(&c, 0, sizeof(c));
	r.type = REDIS_REPLY_STATUS;
	r.str = (char *)(uintptr_t)"READONLY";
	redis_conn_check(&c, &r);
	redis_conn_check(&c, NULL);
	redis_conn_check(NULL, &r);
	assert_int_equal(c.err, 0);
}
