/*
 * Tests for the live offer sources (common/provider*.c) against
 * tests/tools/mock_distributors and a private redis-server on a Unix
 * socket (started here, stopped by PID; the tests are skipped without
 * one): parsing of each API's answers, shared tokens and budgets, and
 * every scripted failure ending in the right outcome and reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "auth_fixture.h"
#include "provider.h"
#include "provider_redis.h"
#include "unit.h"

#define MOCK_BIN	"build/asan/tests/tools/mock_distributors"
#define DK		PROVIDER_BIT(PROVIDER_DIGIKEY)
#define MO		PROVIDER_BIT(PROVIDER_MOUSER)
#define NX		PROVIDER_BIT(PROVIDER_NEXAR)

static char		 tp_dir[64];
static char		 tp_sock[128];
static struct fixture_mock	 tp_redis;
static struct fixture_mock	 tp_mock;
static redisContext	*tp_rc;
static char		 tp_url[64];

static int
tp_group_setup(void **state)
{
	const char *argv[] = { "redis-server", "--port", "0",
	    "--unixsocket", tp_sock, "--save", "", "--appendonly", "no",
	    "--dir", tp_dir, NULL };
	int i;

	(void)state;
	if (access("/usr/bin/redis-server", X_OK) != 0 &&
	    access("/usr/local/bin/redis-server", X_OK) != 0)
		return 0;
	snprintf(tp_dir, sizeof(tp_dir), "/tmp/test_providers.XXXXXX");
	if (mkdtemp(tp_dir) == NULL)
		return -1;
	snprintf(tp_sock, sizeof(tp_sock), "%s/redis.sock", tp_dir);
	tp_redis.pid = fixture_spawn(argv, NULL);
	for (i = 0; i < 200 && tp_rc == NULL; i++) {
		usleep(25000);
		tp_rc = redisConnectUnix(tp_sock);
		if (tp_rc != NULL && tp_rc->err) {
			redisFree(tp_rc);
			tp_rc = NULL;
		}
	}
	return tp_rc != NULL ? 0 : -1;
}

static int
tp_group_teardown(void **state)
{
	(void)state;
	if (tp_rc != NULL)
		redisFree(tp_rc);
	tp_rc = NULL;
	fixture_mock_stop(&tp_redis);
	unlink(tp_sock);
	if (tp_dir[0] != '\0') {
		char p[128];

		snprintf(p, sizeof(p), "%s/script", tp_dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/log", tp_dir);
		unlink(p);
		rmdir(tp_dir);
	}
	return 0;
}

/* Settings for the sources in mask, pointing at the mock at tp_url. */
static void
tp_settings(struct provider_settings *s, unsigned mask)
{
	static char token_url[96];
	struct provider_config *c;
	int p;

	memset(s, 0, sizeof(*s));
	snprintf(token_url, sizeof(token_url), "%s/connect/token", tp_url);
	for (p = 0; p < PROVIDER_COUNT; p++) {
		c = &s->src[p];
		c->enabled = (mask & PROVIDER_BIT(p)) != 0;
		c->base_url = tp_url;
		c->ttl_s = 86400;
		c->per_minute = 1000;
		c->per_day = 1000;
		c->currency = "USD";
		c->country = "US";
		c->locale_site = "US";
		c->locale_language = "en";
		c->match_limit = 3;
	}
	s->src[PROVIDER_DIGIKEY].client_id = "dk-client-id";
	s->src[PROVIDER_DIGIKEY].client_secret = "dk-client-secret";
	s->src[PROVIDER_MOUSER].api_key = "mouser-test-key";
	s->src[PROVIDER_NEXAR].client_id = "nx-client-id";
	s->src[PROVIDER_NEXAR].client_secret = "nx-client-secret";
	s->src[PROVIDER_NEXAR].token_url = token_url;
	s->timeout_ms = 1000;
	s->deadline_ms = 8000;
}

/*
 * A fresh Redis and a mock running script (tokens living ttl seconds, NULL:
 * 600), and in s the settings for the sources in mask, pointing at it.
 */
static void
tp_start(struct provider_settings *s, unsigned mask, const char *script,
    const char *ttl)
{
	char spath[128], lpath[128];
	const char *argv[] = { MOCK_BIN, "--script", spath, "--log", lpath,
	    "--hang-ms", "1500", "--token-ttl", ttl != NULL ? ttl : "600",
	    NULL };
	redisReply *rep;
	FILE *f;

	if (tp_rc == NULL)
		skip();
	rep = redisCommand(tp_rc, "FLUSHALL");
	assert_non_null(rep);
	freeReplyObject(rep);
	snprintf(spath, sizeof(spath), "%s/script", tp_dir);
	snprintf(lpath, sizeof(lpath), "%s/log", tp_dir);
	assert_non_null(f = fopen(spath, "w"));
	fputs(script, f);
	fclose(f);
	unlink(lpath);
	fixture_mock_start(&tp_mock, argv);
	snprintf(tp_url, sizeof(tp_url), "http://127.0.0.1:%d", tp_mock.port);
	tp_settings(s, mask);
}

static int
tp_teardown(void **state)
{
	(void)state;
	fixture_mock_stop(&tp_mock);
	return 0;
}

UNIT_GROUP(tp_group_setup, tp_group_teardown)
UNIT_EACH(NULL, tp_teardown)

/* Requests the mock saw for api (NULL: all); with contract breaches. */
static int
tp_count(const char *api, int *breaches)
{
	char path[128], line[8192];
	json_t *v;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/log", tp_dir);
	if (breaches != NULL)
		*breaches = 0;
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((v = json_loads(line, 0, NULL)) == NULL)
			continue;
		if (api == NULL || strcmp(json_string_value(json_object_get(v,
		    "api")), api) == 0)
			n++;
		if (breaches != NULL && json_object_get(v, "contract") != NULL)
			(*breaches)++;
		json_decref(v);
	}
	fclose(f);
	return n;
}

static void
tp_fetch(const struct provider_settings *s, const char *const *mpns,
    size_t n, struct provider_batch *b)
{
	struct provider_set *ps;

	assert_non_null(ps = provider_set_new(s));
	assert_int_equal(provider_fetch(ps, tp_rc, mpns, n, NULL, b), 0);
	provider_set_free(ps);
}

static const struct offer *
tp_offer(const struct provider_batch *b, int p, size_t i, const char *sku)
{
	const struct provider_offers *r = &b->res[p][i];
	size_t k;

	for (k = 0; k < r->n; k++)
		if (strcmp(r->v[k].sku, sku) == 0)
			return &r->v[k];
	fail_msg("no offer %s", sku);
	return NULL;
}

UNIT_TEST(test_digikey_variations)
{
	const char *mpns[] = { "LM358MKT", "NOSUCH1" };
	struct provider_settings s;
	struct provider_batch b;
	const struct offer *o;
	int breaches;

	tp_start(&s, DK, "", NULL);
	tp_fetch(&s, mpns, 2, &b);
	assert_int_equal(b.status[PROVIDER_DIGIKEY].outcome, PROVIDER_OK);
	assert_int_equal(b.status[PROVIDER_DIGIKEY].calls, 3);
	assert_null(b.res[PROVIDER_MOUSER]);
	assert_int_equal(b.res[PROVIDER_DIGIKEY][0].n, 4);
	assert_int_equal(b.res[PROVIDER_DIGIKEY][1].outcome, PROVIDER_OK);
	assert_int_equal(b.res[PROVIDER_DIGIKEY][1].n, 0);
	o = tp_offer(&b, PROVIDER_DIGIKEY, 0, "LM358MKT-TR-ND");
	assert_int_equal(o->moq, 3000);
	assert_int_equal(o->order_multiple, 3000);
	assert_int_equal(o->stock, 9000);
	assert_int_equal(o->nbreaks, 1);
	assert_string_equal(o->packaging, "Tape & Reel (TR)");
	o = tp_offer(&b, PROVIDER_DIGIKEY, 0, "LM358MKT-CT-ND");
	assert_string_equal(o->supplier_id, "digikey");
	assert_int_equal(o->type, SUPPLIER_AUTHORIZED);
	assert_int_equal(o->stock, 12000);	/* shared, not summed */
	assert_int_equal(o->moq, 1);
	assert_int_equal(o->order_multiple, 1);
	assert_int_equal(o->nbreaks, 3);
	assert_int_equal(o->breaks[0].qty, 1);
	assert_int_equal(o->breaks[2].qty, 100);
	assert_true(o->breaks[0].unit_micros > o->breaks[2].unit_micros);
	assert_string_equal(o->currency, "USD");
	assert_int_equal(o->lead_time_days, 84);
	assert_false(o->lead_unknown);
	assert_int_equal(o->lifecycle, OFFER_LIFECYCLE_ACTIVE);
	assert_int_equal(o->rohs, OFFER_ROHS_YES);
	assert_string_equal(o->source, "digikey");
	assert_string_equal(o->mpn, "LM358MKT");
	assert_string_equal(o->manufacturer, "Mock Semi");
	assert_true(o->fetched_at > 0);
	o = tp_offer(&b, PROVIDER_DIGIKEY, 0, "LM358MKT-MKT");
	assert_int_equal(o->type, SUPPLIER_BROKER);
	assert_string_equal(o->supplier_id, "digikey-marketplace");
	assert_string_equal(o->supplier_name, "Rochester Electronics");
	assert_int_equal(tp_count("digikey_token", &breaches), 1);
	assert_int_equal(breaches, 0);
	provider_batch_free(&b);
}

UNIT_TEST(test_digikey_currency_from_answer)
{
	const char *mpns[] = { "BAV99" };
	struct provider_settings s;
	struct provider_batch b;

	tp_start(&s, DK, "digikey locale_usd\n", NULL);
	s.src[PROVIDER_DIGIKEY].currency = "EUR";
	tp_fetch(&s, mpns, 1, &b);
	assert_int_equal(b.status[PROVIDER_DIGIKEY].outcome, PROVIDER_OK);
	/* EUR was asked, USD was answered: the answer wins */
	assert_string_equal(b.res[PROVIDER_DIGIKEY][0].v[0].currency, "USD");
	provider_batch_free(&b);
}

UNIT_TEST(test_token_shared)
{
	const char *mpns[] = { "LM358" };
	struct provider_settings s;
	struct provider_batch b;

	tp_start(&s, DK | NX, "", NULL);
	/* two "processes": each its own set, one token each source */
	tp_fetch(&s, mpns, 1, &b);
	assert_int_equal(b.status[PROVIDER_DIGIKEY].outcome, PROVIDER_OK);
	assert_int_equal(b.status[PROVIDER_NEXAR].outcome, PROVIDER_OK);
	provider_batch_free(&b);
	tp_fetch(&s, mpns, 1, &b);
	assert_int_equal(b.status[PROVIDER_DIGIKEY].calls, 1);
	provider_batch_free(&b);
	assert_int_equal(tp_count("digikey_token", NULL), 1);
	assert_int_equal(tp_count("nexar_token", NULL), 1);
	assert_int_equal(tp_count("digikey", NULL), 2);
}

UNIT_TEST(test_token_expiry)
{
	const char *mpns[] = { "LM358" };
	struct provider_settings s;
	struct provider_batch b;

	/* tokens that die within two seconds are fetched again */
	tp_start(&s, DK, "", "2");
	tp_fetch(&s, mpns, 1, &b);
	provider_batch_free(&b);
	sleep(3);
	tp_fetch(&s, mpns, 1, &b);
	assert_int_equal(b.status[PROVIDER_DIGIKEY].outcome, PROVIDER_OK);
	provider_batch_free(&b);
	assert_int_equal(tp_count("digikey_token", NULL), 2);
	assert_int_equal(tp_count("digikey", NULL), 2);
}

/* One scripted scenario: what each source ends with. */
struct tp_row {
	const char	*script;
	unsigned	 mask;
	int		 outcome[PROVIDER_COUNT];
	const char	*reason;	/* in the first failing status */
	const char	*api;		/* requests counted */
	int		 nreq;
};

static void
tp_scenario(const struct tp_row *row)
{
	const char *mpns[] = { "LM358", "NE555", "BC547" };
	struct provider_settings s;
	struct provider_batch b;
	int p, breaches;
	bool seen = false;

	tp_start(&s, row->mask, row->script, NULL);
	tp_fetch(&s, mpns, 3, &b);
	for (p = 0; p < PROVIDER_COUNT; p++) {
		if (!(row->mask & PROVIDER_BIT(p)))
			continue;
		if ((int)b.status[p].outcome != row->outcome[p])
			fail_msg("'%s': %s ended %s (%s), want %s",
			    row->script, name_of(&provider_id_names, p),
			    name_of(&provider_outcome_names,
			    b.status[p].outcome), b.status[p].reason,
			    name_of(&provider_outcome_names, row->outcome[p]));
		/* secrets never reach a reason */
		assert_null(strstr(b.status[p].reason, "secret"));
		assert_null(strstr(b.status[p].reason, "mouser-test-key"));
		if (row->reason != NULL && !seen &&
		    b.status[p].outcome != PROVIDER_OK) {
			seen = true;
			if (strstr(b.status[p].reason, row->reason) == NULL)
				fail_msg("'%s': reason '%s' lacks '%s'",
				    row->script, b.status[p].reason,
				    row->reason);
		}
	}
	if (row->api != NULL && tp_count(row->api, NULL) != row->nreq)
		fail_msg("'%s': %d %s requests, want %d", row->script,
		    tp_count(row->api, NULL), row->api, row->nreq);
	tp_count(NULL, &breaches);
	assert_int_equal(breaches, 0);
	provider_batch_free(&b);
	fixture_mock_stop(&tp_mock);
}

#define OK	PROVIDER_OK
#define FAIL	PROVIDER_FAILED
#define NOB	PROVIDER_NO_BUDGET

UNIT_TEST(test_scenarios)
{
	static const struct tp_row rows[] = {
		{ "", DK | MO | NX, { OK, OK, OK }, NULL, "mouser", 1 },
		{ "digikey 401_expired\n", DK, { OK }, NULL,
		    "digikey_token", 2 },
		{ "digikey 401_expired7807\n", DK, { OK }, NULL,
		    "digikey_token", 2 },
		{ "digikey 401_expired7807\ndigikey 401_expired7807\n"
		    "digikey 401_expired7807\ndigikey 401_expired7807\n", DK,
		    { FAIL }, "token refused again", NULL, 0 },
		{ "digikey 401_invalid_client\n", DK, { FAIL },
		    "disabled: http 401: Invalid clientId", NULL, 0 },
		{ "digikey 401_not_subscribed\n", DK, { FAIL },
		    "not subscribed", NULL, 0 },
		{ "digikey_token 401_invalid_client\n", DK, { FAIL },
		    "disabled: token: http 401: invalid_client", "digikey", 0 },
		{ "digikey_token 500\n", DK, { FAIL }, "token: http 500",
		    "digikey", 0 },
		{ "digikey 429\n", DK, { OK }, NULL, "digikey", 4 },
		{ "digikey 429_noretry\n", DK, { OK }, NULL, "digikey", 4 },
		{ "digikey 429_day\n", DK, { NOB }, "daily limit spent",
		    NULL, 0 },
		{ "digikey 503\n", DK, { OK }, NULL, "digikey", 4 },
		{ "digikey 503\ndigikey 503\ndigikey 503\ndigikey 502\n"
		    "digikey 502\ndigikey 502\n", DK, { FAIL }, "http 50",
		    "digikey", 6 },
		{ "digikey hang\n", DK, { FAIL }, "timeout after 1000 ms",
		    NULL, 0 },
		{ "digikey html\n", DK, { FAIL }, "not JSON", NULL, 0 },
		{ "digikey truncated\n", DK, { FAIL }, "not JSON", NULL, 0 },
		{ "mouser errors200\n", MO, { 0, FAIL }, "InvalidCharacters",
		    NULL, 0 },
		{ "mouser badkey\n", MO, { 0, FAIL },
		    "disabled: Errors: Invalid", NULL, 0 },
		{ "mouser 429_day\n", MO, { 0, NOB }, "per day", NULL, 0 },
		{ "mouser 429\n", MO, { 0, OK }, NULL, "mouser", 2 },
		{ "mouser 500\nmouser 500\n", MO, { 0, FAIL }, "http 500",
		    NULL, 0 },
		{ "nexar expired\n", NX, { 0, 0, OK }, NULL, "nexar_token",
		    2 },
		{ "nexar partial\n", NX, { 0, 0, FAIL },
		    "match: Query timed out", NULL, 0 },
		{ "nexar gql_partial\n", NX, { 0, 0, FAIL },
		    "graphql: Service partially unavailable", NULL, 0 },
		{ "nexar 429_day\n", NX, { 0, 0, NOB }, "part limit", NULL,
		    0 },
		{ "nexar_token 401_invalid_client\n", NX, { 0, 0, FAIL },
		    "disabled", "nexar", 0 },
		{ "digikey 500\ndigikey 500\ndigikey 500\ndigikey 500\n"
		    "digikey 500\ndigikey 500\nmouser html\n", DK | MO | NX,
		    { FAIL, FAIL, OK }, "http 500", NULL, 0 },
	};
	size_t i;

	if (tp_rc == NULL)
		skip();
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tp_scenario(&rows[i]);
}

/* Source p's outcome in b is want, and its reason holds has (NULL: any). */
static void
tp_outcome(const struct provider_batch *b, enum provider_id p,
    enum provider_outcome want, const char *has)
{
	const char *why = b->status[p].reason;

	assert_int_equal(b->status[p].outcome, want);
	if (has != NULL && strstr(why, has) == NULL)
		fail_msg("%s: reason lacks '%s': %s",
		    name_of(&provider_id_names, p), has,
		    why);
}

UNIT_TEST(test_disabled_stays_off)
{
	const char *mpns[] = { "LM358" };
	struct provider_settings s;
	struct provider_batch b;

	tp_start(&s, DK, "digikey 401_invalid_client\n", NULL);
	tp_fetch(&s, mpns, 1, &b);
	provider_batch_free(&b);
	/* another process with the same credentials asks nothing */
	tp_fetch(&s, mpns, 1, &b);
	tp_outcome(&b, PROVIDER_DIGIKEY, PROVIDER_FAILED, "disabled");
	provider_batch_free(&b);
	assert_int_equal(tp_count("digikey", NULL), 1);
}

UNIT_TEST(test_budgets)
{
	const char *mpns[] = { "A1", "A2", "A3" };
	struct provider_settings s;
	struct provider_batch b;
	struct provider_budget bu;

	tp_start(&s, DK, "digikey 429_day\n", NULL);
	tp_fetch(&s, mpns, 1, &b);
	tp_outcome(&b, PROVIDER_DIGIKEY, PROVIDER_NO_BUDGET, NULL);
	provider_batch_free(&b);
	/* the daily hold keeps every process from asking */
	tp_fetch(&s, mpns, 1, &b);
	tp_outcome(&b, PROVIDER_DIGIKEY, PROVIDER_NO_BUDGET, NULL);
	provider_batch_free(&b);
	assert_int_equal(tp_count("digikey", NULL), 1);
	fixture_mock_stop(&tp_mock);

	/* a daily budget of 2: the third MPN is out of budget */
	tp_start(&s, DK, "", NULL);
	s.src[PROVIDER_DIGIKEY].per_day = 2;
	tp_fetch(&s, mpns, 3, &b);
	assert_int_equal(b.status[PROVIDER_DIGIKEY].nok, 2);
	tp_outcome(&b, PROVIDER_DIGIKEY, PROVIDER_NO_BUDGET,
	    "daily budget of 2");
	provider_batch_free(&b);
	assert_int_equal(tp_count("digikey", NULL), 2);
	fixture_mock_stop(&tp_mock);

	/* 1 a minute and a short deadline: one goes, two wait too long */
	tp_start(&s, DK, "", NULL);
	s.src[PROVIDER_DIGIKEY].per_minute = 1;
	s.deadline_ms = 1500;
	tp_fetch(&s, mpns, 3, &b);
	assert_int_equal(b.status[PROVIDER_DIGIKEY].nok, 1);
	tp_outcome(&b, PROVIDER_DIGIKEY, PROVIDER_NO_BUDGET,
	    "per-minute budget of 1");
	provider_batch_free(&b);
	assert_int_equal(provider_redis_budget(tp_rc,
	    "bomd:provider:digikey:none", 5, 10, false, &bu), 0);
	assert_int_equal(bu.status, PROVIDER_BUDGET_OK);
	assert_int_equal(bu.minute_left, 5);
	assert_int_equal(bu.day_left, 10);
}

UNIT_TEST(test_mouser_locales)
{
	const char *mpns[] = { "TL072", "TL072EUR", "TL072SEK", "TL072CNY",
	    "NOSUCH", "A|B", "M7", "M8", "M9", "M10", "M11", "M12" };
	struct provider_settings s;
	struct provider_batch b;
	const struct offer *o;

	tp_start(&s, MO, "", NULL);
	tp_fetch(&s, mpns, 12, &b);
	assert_int_equal(tp_count("mouser", NULL), 2);	/* 10 a request */
	assert_int_equal(b.res[PROVIDER_MOUSER][0].n, 1);	/* X dropped */
	o = &b.res[PROVIDER_MOUSER][0].v[0];
	assert_string_equal(o->sku, "595-TL072");
	assert_int_equal(o->stock, 6178);
	assert_int_equal(o->lead_time_days, 42);
	assert_string_equal(o->currency, "USD");
	assert_int_equal(o->nbreaks, 3);
	assert_int_equal(o->breaks[1].unit_micros, 50000);
	o = &b.res[PROVIDER_MOUSER][1].v[0];
	assert_string_equal(o->currency, "EUR");
	assert_int_equal(o->stock, 1234);
	assert_int_equal(o->breaks[2].unit_micros, 1234560000);
	o = &b.res[PROVIDER_MOUSER][2].v[0];
	assert_string_equal(o->currency, "SEK");
	assert_int_equal(o->stock, 12345);
	assert_int_equal(o->breaks[0].unit_micros, 7200000);
	assert_int_equal(o->breaks[2].unit_micros, 6817200000);
	o = &b.res[PROVIDER_MOUSER][3].v[0];
	assert_string_equal(o->currency, "CNY");
	assert_int_equal(o->breaks[0].unit_micros, 32800000);
	assert_int_equal(b.res[PROVIDER_MOUSER][4].outcome, PROVIDER_OK);
	assert_int_equal(b.res[PROVIDER_MOUSER][4].n, 0);
	assert_int_equal(b.res[PROVIDER_MOUSER][5].outcome, PROVIDER_FAILED);
	assert_int_equal(b.res[PROVIDER_MOUSER][11].n, 1);
	provider_batch_free(&b);
}

UNIT_TEST(test_nexar_sellers)
{
	const char *mpns[] = { "LM358", "NOSUCH" };
	struct provider_settings s;
	struct provider_batch b;
	const struct provider_offers *r;
	const struct offer *o;
	struct buf d;

	tp_start(&s, NX, "nexar partial\n", NULL);
	tp_fetch(&s, mpns, 2, &b);
	r = &b.res[PROVIDER_NEXAR][0];
	assert_int_equal(r->outcome, PROVIDER_FAILED);
	assert_int_equal(b.res[PROVIDER_NEXAR][1].outcome, PROVIDER_OK);
	buf_init(&d);
	provider_batch_describe(&b, 0, &d);
	assert_string_equal(d.data, "nexar: failed (match: Query timed out), "
	    "cached offers used");
	buf_free(&d);
	provider_batch_free(&b);
	fixture_mock_stop(&tp_mock);

	tp_start(&s, NX, "", NULL);
	tp_fetch(&s, mpns, 1, &b);
	r = &b.res[PROVIDER_NEXAR][0];
	assert_int_equal(r->n, 2);
	o = tp_offer(&b, PROVIDER_NEXAR, 0, "LM358-CT-ND");
	assert_string_equal(o->supplier_id, "digikey");
	assert_string_equal(o->supplier_name, "Digi-Key");
	assert_int_equal(o->type, SUPPLIER_AUTHORIZED);
	assert_int_equal(o->nbreaks, 2);	/* USD asked: EUR dropped */
	assert_string_equal(o->currency, "USD");
	assert_int_equal(o->lead_time_days, 84);
	assert_int_equal(o->stock, 12000);
	o = tp_offer(&b, PROVIDER_NEXAR, 0, "chip-broker-ltd:LM358:");
	assert_int_equal(o->type, SUPPLIER_BROKER);
	assert_true(o->lead_unknown);
	assert_int_equal(o->moq, 1);
	provider_batch_free(&b);
}

UNIT_TEST(test_no_redis)
{
	const char *mpns[] = { "LM358" };
	struct provider_settings s;
	struct provider_set *ps;
	struct provider_batch b;

	tp_start(&s, DK | MO, "", NULL);
	assert_non_null(ps = provider_set_new(&s));
	assert_int_equal(provider_set_configured(ps), DK | MO);
	assert_int_equal(provider_fetch(ps, NULL, mpns, 1, NULL, &b), 0);
	tp_outcome(&b, PROVIDER_MOUSER, PROVIDER_FAILED, "redis");
	provider_batch_free(&b);
	provider_set_free(ps);
	assert_int_equal(tp_count(NULL, NULL), 0);
	/* no credentials: not configured */
	s.src[PROVIDER_MOUSER].api_key = NULL;
	assert_non_null(ps = provider_set_new(&s));
	assert_int_equal(provider_set_configured(ps), DK);
	provider_set_free(ps);
}
