/*
 * Tests for common/oidc.c against tests/tools/mock_oidc (one per test, on
 * a free port, serving its own copy of keys made with openssl): discovery,
 * the key set cache and its TTL, unknown kids and rotation, fetch failures
 * with cached keys, and one fetch at a time under concurrent requests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "auth_fixture.h"
#include "http_fetch.h"
#include "jwt.h"
#include "oidc.h"
#include "unit.h"
#include "util.h"

#define AUD	"bomd-api"

static char			*masterdir;	/* rsa.pem, ec.pem, rsa2.pem */
static int64_t			 t0;

/* One test's mock issuer and its key directory. */
static struct issuer {
	struct fixture_mock	 mock;
	char			*keys;
	char			 url[128];	/* the issuer, path /t */
} the_issuer;

static int
group_setup(void **state)
{
	(void)state;
	masterdir = fixture_tmpdir("test_oidc");
	fixture_key(masterdir, "rsa", "rsa2048");
	fixture_key(masterdir, "ec", "p256");
	fixture_key(masterdir, "rsa2", "rsa2048");
	t0 = (int64_t)time(NULL);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	fixture_rmtree(masterdir);
	free(masterdir);
	return 0;
}

UNIT_GROUP(group_setup, group_teardown)

/* Copies masterdir/name.pem into the issuer's key directory. */
static void
key_add(const char *name)
{
	char from[256], to[256];
	const char *argv[] = { "cp", from, to, NULL };

	snprintf(from, sizeof(from), "%s/%s.pem", masterdir, name);
	snprintf(to, sizeof(to), "%s/%s.pem", the_issuer.keys, name);
	assert_int_equal(fixture_run(argv, NULL), 0);
}

static void
key_remove(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s.pem", the_issuer.keys, name);
	assert_int_equal(remove(path), 0);
}

static int
issuer_setup(void **state)
{
	struct issuer *is = &the_issuer;
	const char *argv[] = { FIXTURE_MOCK_OIDC, "serve",
	    "--keys", NULL, NULL };

	(void)state;
	is->keys = fixture_tmpdir("test_oidc_keys");
	key_add("rsa");
	key_add("ec");
	argv[3] = is->keys;
	fixture_mock_start(&is->mock, argv);
	snprintf(is->url, sizeof(is->url), "http://127.0.0.1:%d/t",
	    is->mock.port);
	return 0;
}

static int
issuer_teardown(void **state)
{
	int status;

	(void)state;
	status = fixture_mock_stop(&the_issuer.mock);
	fixture_rmtree(the_issuer.keys);
	free(the_issuer.keys);
	/* a sanitizer report in the mock fails the test too */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

/* A request to the mock's control routes; the answer when a GET. */
static json_t *
control(const char *method, const char *query)
{
	char url[256], err[128];
	struct http_fetch req = { url, NULL, 2000, 5000, 65536 };
	struct buf body;
	json_t *v = NULL;
	bool timed_out;
	long status;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/control%s",
	    the_issuer.mock.port, query);
	if (strcmp(method, "POST") == 0)
		req.json = "{}";
	assert_int_equal(http_fetch(&req, &status, &body, &timed_out, err,
	    sizeof(err)), 0);
	assert_int_equal(status, 200);
	v = json_loadb(body.data, body.len, 0, NULL);
	buf_free(&body);
	return v;
}

static int
fetches(const char *what)
{
	json_t *stats = control("GET", "/stats");
	int n = (int)json_integer_value(json_object_get(stats, what));

	json_decref(stats);
	return n;
}

/* A token of the issuer signed with masterdir/pem.pem under kid. */
static struct jwt *
token(const char *pem, const char *kid)
{
	char path[256], err[256], *t;
	struct jwt *jwt;
	json_t *claims;

	snprintf(path, sizeof(path), "%s/%s.pem", masterdir, pem);
	claims = json_pack("{s:s, s:s, s:I, s:I}", "iss", the_issuer.url,
	    "aud", AUD, "iat", (json_int_t)t0, "exp",
	    (json_int_t)(t0 + 86400));
	t = fixture_mint(path, kid, NULL, false, claims);
	json_decref(claims);
	jwt = jwt_parse(t, err, sizeof(err));
	assert_non_null(jwt);
	free(t);
	return jwt;
}

/* A cache that may fetch from the mock (plain http on loopback). */
static struct oidc *
test_oidc_new(void)
{
	struct oidc_config cfg;

	oidc_config_defaults(&cfg);
	cfg.loopback_http = true;
	return oidc_new(&cfg);
}

/* oidc_verify() of a fresh token at t0 + dt. */
static enum jwt_result
verify_at(struct oidc *o, const char *pem, const char *kid, int64_t dt,
    char *err, size_t errlen)
{
	struct jwt *jwt = token(pem, kid);
	enum jwt_result r;

	r = oidc_verify(o, jwt, the_issuer.url, AUD, t0 + dt, err, errlen);
	jwt_free(jwt);
	return r;
}

/*
 * A request dt seconds after t0 with a token signed with pem under kid:
 * its verification answers want, and then the issuer's counter what
 * (NULL: none) stands at n.
 */
static void
step(struct oidc *o, const char *pem, const char *kid, int64_t dt,
    enum jwt_result want, const char *what, int n)
{
	char err[256] = "";
	enum jwt_result r;

	if ((r = verify_at(o, pem, kid, dt, err, sizeof(err))) != want)
		fail_msg("%s/%s at %lld s: %d, want %d (%s)", pem, kid,
		    (long long)dt, r, want, err);
	if (what != NULL)
		assert_int_equal(fetches(what), n);
}

UNIT_TEST_WITH(test_fetch_and_cache, issuer_setup, issuer_teardown)
{
	struct oidc *o = test_oidc_new();
	char err[256];

	step(o, "rsa", "rsa", 0, JWT_OK, "discovery", 1);
	assert_int_equal(fetches("jwks"), 1);
	step(o, "ec", "ec", 5, JWT_OK, NULL, 0);
	step(o, "rsa", "rsa", 599, JWT_OK, "jwks", 1);
	/* the TTL: fetched again at 600 s */
	step(o, "rsa", "rsa", 600, JWT_OK, "discovery", 2);
	assert_int_equal(fetches("jwks"), 2);
	/* the audience is still checked */
	{
		struct jwt *jwt = token("rsa", "rsa");

		assert_int_equal(oidc_verify(o, jwt, the_issuer.url,
		    "another-api", t0 + 601, err, sizeof(err)), JWT_INVALID);
		jwt_free(jwt);
	}
	oidc_free(o);
}

UNIT_TEST_WITH(test_unknown_kid_and_rotation, issuer_setup, issuer_teardown)
{
	struct oidc *o = test_oidc_new();

	step(o, "rsa", "rsa", 0, JWT_OK, NULL, 0);
	/* the issuer rotates: a new key, then the old one goes */
	key_add("rsa2");
	/* within a minute of the last fetch: no refetch */
	step(o, "rsa2", "rsa2", 10, JWT_NO_KEY, "jwks", 1);
	step(o, "rsa2", "rsa2", 61, JWT_OK, "jwks", 2);
	/* a kid nobody has: one refetch a minute at most */
	step(o, "rsa", "ghost", 70, JWT_NO_KEY, NULL, 0);
	step(o, "rsa", "ghost", 80, JWT_NO_KEY, "jwks", 2);
	step(o, "rsa", "ghost", 122, JWT_NO_KEY, "jwks", 3);
	key_remove("rsa");
	/* the old key stays in use until the set is fetched again */
	step(o, "rsa", "rsa", 130, JWT_OK, NULL, 0);
	step(o, "rsa", "rsa", 722, JWT_NO_KEY, "jwks", 4);
	step(o, "rsa2", "rsa2", 723, JWT_OK, NULL, 0);
	oidc_free(o);
}

UNIT_TEST_WITH(test_fetch_failure_keeps_keys, issuer_setup, issuer_teardown)
{
	struct oidc *o = test_oidc_new();
	char err[256];
	json_t *v;

	step(o, "rsa", "rsa", 0, JWT_OK, NULL, 0);
	json_decref(control("POST", "?fail_jwks=-1"));
	/* past the TTL the fetch fails: the cached keys serve */
	step(o, "rsa", "rsa", 601, JWT_OK, "jwks_failed", 1);
	step(o, "ec", "ec", 620, JWT_OK, "jwks_failed", 1);
	step(o, "rsa", "rsa", 4199, JWT_OK, "jwks_failed", 2);
	/* an hour past the TTL they stop */
	assert_int_equal(verify_at(o, "rsa", "rsa", 4200, err, sizeof(err)),
	    JWT_UNAVAILABLE);
	assert_non_null(strstr(err, "unavailable"));
	assert_non_null(strstr(err, "http 500"));
	v = control("POST", "?fail_jwks=0");
	json_decref(v);
	step(o, "rsa", "rsa", 4260, JWT_OK, NULL, 0);
	oidc_free(o);
}

UNIT_TEST_WITH(test_discovery_refusals, issuer_setup, issuer_teardown)
{
	struct oidc *o = test_oidc_new();
	char err[256];
	struct jwt *jwt;

	/* discovery naming another issuer */
	json_decref(control("POST", "?issuer_suffix=x"));
	assert_int_equal(verify_at(o, "rsa", "rsa", 0, err, sizeof(err)),
	    JWT_UNAVAILABLE);
	assert_non_null(strstr(err, "another issuer"));
	assert_int_equal(fetches("jwks"), 0);
	json_decref(control("POST", "?issuer_suffix="));
	/* failures are retried once a minute, not on every request */
	step(o, "rsa", "rsa", 30, JWT_UNAVAILABLE, "discovery", 1);
	step(o, "rsa", "rsa", 60, JWT_OK, NULL, 0);
	/* nothing listening */
	jwt = token("rsa", "rsa");
	assert_int_equal(oidc_verify(o, jwt, "http://192.0.2.1/none", AUD,
	    t0, err, sizeof(err)), JWT_INVALID);
	assert_int_equal(oidc_verify(o, jwt, "http://127.0.0.1:1/none", AUD,
	    t0, err, sizeof(err)), JWT_UNAVAILABLE);
	oidc_free(o);
	/* by default a plain http issuer is never fetched */
	o = oidc_new(NULL);
	assert_int_equal(oidc_verify(o, jwt, the_issuer.url, AUD, t0, err,
	    sizeof(err)), JWT_INVALID);
	assert_int_equal(fetches("discovery"), 2);
	jwt_free(jwt);
	oidc_free(o);
}

struct racer {
	struct oidc	*o;
	struct jwt	*jwt;
	enum jwt_result	 res;
};

static void *
race(void *arg)
{
	struct racer *r = arg;
	char err[256];

	r->res = oidc_verify(r->o, r->jwt, the_issuer.url, AUD, t0, err,
	    sizeof(err));
	return NULL;
}

UNIT_TEST_WITH(test_one_fetch_at_a_time, issuer_setup, issuer_teardown)
{
	struct racer r[8];
	pthread_t th[8];
	struct oidc *o = test_oidc_new();
	size_t i;

	json_decref(control("POST", "?hang_ms=300"));
	for (i = 0; i < 8; i++) {
		r[i].o = o;
		r[i].jwt = token(i % 2 ? "ec" : "rsa", i % 2 ? "ec" : "rsa");
		assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].res, JWT_OK);
		jwt_free(r[i].jwt);
	}
	assert_int_equal(fetches("discovery"), 1);
	assert_int_equal(fetches("jwks"), 1);
	oidc_free(o);
}

UNIT_TEST(test_issuer_valid)
{
	/* ok: without and with loopback http allowed */
	static const struct { const char *url; bool ok, ok_test; } rows[] = {
		{ "https://id.example.com", true, true },
		{ "https://id.example.com/realms/a", true, true },
		{ "https://login.microsoftonline.com/x/v2.0", true, true },
		{ "http://127.0.0.1:8080/t", false, true },
		{ "http://localhost/t", false, true },
		{ "http://[::1]:9000", false, true },
		{ "http://id.example.com", false, false },
		{ "http://localhost.evil.com", false, false },
		{ "http://127.0.0.1.nip.io", false, false },
		{ "https://", false, false },
		{ "https:///path", false, false },
		{ "ftp://id.example.com", false, false },
		{ "https://id.example.com/?a=b", false, false },
		{ "https://id.example.com/#f", false, false },
		{ "https://id.example.com/a b", false, false },
		{ "", false, false },
	};
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (oidc_issuer_valid(rows[i].url, false, err, sizeof(err)) !=
		    rows[i].ok || oidc_issuer_valid(rows[i].url, true, err,
		    sizeof(err)) != rows[i].ok_test)
			fail_msg("oidc_issuer_valid(%s)", rows[i].url);
}
