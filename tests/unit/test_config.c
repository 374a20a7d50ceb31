/*
 * Unit tests for common/config.c: defaults, file values, environment
 * overrides winning over the file, and bad values naming their key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fixture_cases.h"
#include "llm_http.h"
#include "provider.h"
#include "unit.h"
#include "x402.h"

#define ASSET	"0x036CbD53842c5426634e7929541eC2318f3dCF7e"
#define PAY_TO	"0x209693Bc6afc0C5328bA36FaF03C514EF312287C"

static const char *env_keys[] = {
	"BOMD_DATABASE_URL", "BOMD_REDIS_URL", "BOMD_LISTEN", "BOMD_WORKERS",
	"BOMD_ADMIN_KEY", "BOMD_LLM_PROVIDER", "BOMD_LLM_BASE_URL",
	"BOMD_LLM_API_KEY", "BOMD_LLM_MODEL", "BOMD_SYNC_WAIT",
	"BOMD_MAX_UPLOAD", "BOMD_LOG_LEVEL", "BOMD_LLM_TIMEOUT_MS",
	"BOMD_LLM_MAX_RETRIES", "BOMD_LLM_MAX_CONCURRENCY",
	"BOMD_LLM_CONNECT_TIMEOUT_MS", "BOMD_LLM_DEADLINE_MS",
	"BOMD_LLM_JOB_DEADLINE_MS", "BOMD_LLM_MAX_REASKS",
	"BOMD_LLM_BATCH_SIZE", "BOMD_LLM_BACKOFF_BASE_MS",
	"BOMD_LLM_BACKOFF_CAP_MS", "BOMD_LLM_RETRY_AFTER_CAP_MS",
	"BOMD_LLM_PRICE_IN_PER_1M", "BOMD_LLM_PRICE_OUT_PER_1M",
	"BOMD_DIGIKEY_ENABLED", "BOMD_DIGIKEY_CLIENT_ID",
	"BOMD_DIGIKEY_CLIENT_SECRET", "BOMD_MOUSER_API_KEY",
	"BOMD_MOUSER_PER_DAY", "BOMD_NEXAR_LIMIT", "BOMD_NEXAR_BASE_URL",
	"BOMD_X402_ENABLED", "BOMD_X402_FACILITATOR_URL", "BOMD_X402_NETWORK",
	"BOMD_X402_ASSET", "BOMD_X402_ASSET_NAME", "BOMD_X402_ASSET_VERSION",
	"BOMD_X402_ASSET_DECIMALS", "BOMD_X402_PAY_TO", "BOMD_X402_PRICE",
	"BOMD_X402_MAX_TIMEOUT_SECONDS", "BOMD_ATTRITION_BP",
	"BOMD_PROVIDERS_TIMEOUT_MS", "BOMD_MOUSER_TTL",
};

static int
clear_env(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++)
		unsetenv(env_keys[i]);
	return 0;
}

/* The test's config file, if any: write_conf() makes it. */
static char conf_path[64];

/* Removes the test's config file and clears the environment. */
static int
conf_teardown(void **state)
{
	if (conf_path[0] != '\0')
		unlink(conf_path);
	conf_path[0] = '\0';
	return clear_env(state);
}

/* the environment starts clear; each test's teardown clears it */
UNIT_GROUP(clear_env, NULL)
UNIT_EACH(NULL, conf_teardown)

/* A config file holding text, in place of the test's last one. */
static char *
write_conf(const char *text)
{
	FILE *f;
	int fd;

	if (conf_path[0] != '\0')
		unlink(conf_path);
	snprintf(conf_path, sizeof(conf_path), "/tmp/bomd-test-conf-XXXXXX");
	fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return conf_path;
}

/* config_load() of path (NULL: none) into c, which must succeed. */
static void
load(const char *path, struct config *c)
{
	char err[256];

	if (config_load(path, c, err, sizeof(err)) != 0)
		fail_msg("config_load: %s", err);
}

UNIT_TEST(test_defaults)
{
	struct config c;

	load(NULL, &c);
	assert_string_equal(c.database_url, "postgresql:///bomd");
	assert_string_equal(c.redis_url, "redis://127.0.0.1:6379/0");
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_string_equal(c.llm_provider, "none");
	assert_false(config_llm_on(&c));
	assert_string_equal(c.llm_base_url, "https://api.openai.com/v1");
	assert_string_equal(c.llm_model, "gpt-5-mini");
	assert_null(c.admin_key);
	assert_null(c.llm_api_key);
	assert_int_equal(c.sync_wait, 120);
	assert_int_equal(c.max_upload, 10485760);
	assert_string_equal(c.log_level, "info");
	assert_true(c.workers >= 1);
	assert_int_equal(c.llm_connect_timeout_ms, 10000);
	assert_int_equal(c.llm_deadline_ms, 120000);
	assert_int_equal(c.llm_job_deadline_ms, 120000);
	assert_int_equal(c.llm_max_reasks, 2);
	assert_int_equal(c.llm_batch_size, 10);
	assert_int_equal(c.llm_backoff_base_ms, 500);
	assert_int_equal(c.llm_backoff_cap_ms, 8000);
	assert_int_equal(c.llm_retry_after_cap_ms, 30000);
	assert_int_equal(c.llm_price_in_micros, 0);
	assert_int_equal(c.llm_price_out_micros, 0);
	config_free(&c);
}

/* llm.* keys: file values (string, integer and float prices), env wins,
 * and the client settings made from them. */
UNIT_TEST(test_llm_keys)
{
	struct config c;
	struct llm_config lc;
	char *path;

	path = write_conf("llm = { provider = \"openai\"; max_reasks = 1;\n"
	    "batch_size = 25; deadline_ms = 5000; job_deadline_ms = 9000;\n"
	    "connect_timeout_ms = 700; backoff_base_ms = 20;\n"
	    "backoff_cap_ms = 40; retry_after_cap_ms = 0;\n"
	    "price_in_per_1m = 0.15; price_out_per_1m = \"0.6\"; };\n");
	load(path, &c);
	assert_int_equal(c.llm_max_reasks, 1);
	assert_int_equal(c.llm_batch_size, 25);
	assert_int_equal(c.llm_deadline_ms, 5000);
	assert_int_equal(c.llm_job_deadline_ms, 9000);
	assert_int_equal(c.llm_connect_timeout_ms, 700);
	assert_int_equal(c.llm_backoff_base_ms, 20);
	assert_int_equal(c.llm_backoff_cap_ms, 40);
	assert_int_equal(c.llm_retry_after_cap_ms, 0);
	assert_int_equal(c.llm_price_in_micros, 150000);
	assert_int_equal(c.llm_price_out_micros, 600000);
	config_llm(&c, &lc);
	assert_int_equal(lc.enabled, 1);
	assert_int_equal(lc.max_reasks, 1);
	assert_int_equal(lc.deadline_ms, 5000);
	assert_int_equal(lc.connect_timeout_ms, 700);
	assert_int_equal(lc.backoff_base_ms, 20);
	assert_int_equal(lc.backoff_cap_ms, 40);
	assert_int_equal(lc.retry_after_cap_ms, 0);
	assert_int_equal(lc.price_in_per_1m_micros, 150000);
	assert_int_equal(lc.price_out_per_1m_micros, 600000);
	assert_int_equal(lc.timeout_ms, 60000);
	assert_int_equal(lc.max_retries, 2);
	assert_int_equal(lc.max_concurrency, 8);
	assert_string_equal(lc.model, "gpt-5-mini");
	assert_null(lc.api_key);
	config_free(&c);

	setenv("BOMD_LLM_PRICE_IN_PER_1M", "2.5", 1);
	setenv("BOMD_LLM_BATCH_SIZE", "3", 1);
	setenv("BOMD_LLM_PROVIDER", "none", 1);
	load(path, &c);
	assert_int_equal(c.llm_price_in_micros, 2500000);
	assert_int_equal(c.llm_batch_size, 3);
	config_llm(&c, &lc);
	assert_int_equal(lc.enabled, 0);
	config_free(&c);
}

/* x402.* keys: defaults, a boolean and a price from the file, env wins. */
UNIT_TEST(test_x402_keys)
{
	struct config c;
	struct x402_config xc;
	char *path;

	load(NULL, &c);
	assert_false(c.x402_enabled);
	assert_string_equal(c.x402_network, "base-sepolia");
	assert_string_equal(c.x402_asset_name, "USDC");
	assert_string_equal(c.x402_asset_version, "2");
	assert_int_equal(c.x402_asset_decimals, 6);
	assert_int_equal(c.x402_max_timeout_seconds, 60);
	assert_null(c.x402_facilitator_url);
	assert_null(c.x402_asset);
	assert_null(c.x402_pay_to);
	assert_null(c.x402_price);
	config_x402(&c, &xc);
	assert_false(xc.enabled);
	assert_string_equal(xc.amount, "");
	config_free(&c);

	path = write_conf("x402 = { enabled = true;\n"
	    "facilitator_url = \"https://x402.org/facilitator\";\n"
	    "asset = \"" ASSET "\"; pay_to = \"" PAY_TO "\";\n"
	    "price = \"$0.05\"; max_timeout_seconds = 90; };\n");
	load(path, &c);
	config_x402(&c, &xc);
	assert_true(xc.enabled);
	assert_string_equal(xc.facilitator_url,
	    "https://x402.org/facilitator");
	assert_string_equal(xc.network, "base-sepolia");
	assert_string_equal(xc.asset, ASSET);
	assert_string_equal(xc.pay_to, PAY_TO);
	assert_string_equal(xc.asset_name, "USDC");
	assert_string_equal(xc.asset_version, "2");
	assert_string_equal(xc.amount, "50000");
	assert_int_equal(xc.max_timeout_s, 90);
	assert_true(xc.settle_timeout_ms > 0 && xc.verify_timeout_ms > 0);
	config_free(&c);

	setenv("BOMD_X402_ENABLED", "off", 1);
	setenv("BOMD_X402_PRICE", "1.5", 1);
	setenv("BOMD_X402_ASSET_DECIMALS", "18", 1);
	setenv("BOMD_X402_NETWORK", "base", 1);
	setenv("BOMD_X402_ASSET_NAME", "USD Coin", 1);
	setenv("BOMD_X402_ASSET_VERSION", "1", 1);
	load(path, &c);
	config_x402(&c, &xc);
	assert_false(xc.enabled);
	assert_string_equal(xc.amount, "1500000000000000000");
	assert_string_equal(xc.network, "base");
	assert_string_equal(xc.asset_name, "USD Coin");
	assert_string_equal(xc.asset_version, "1");
	config_free(&c);
}

/*
 * A key's environment variable follows from its path by one rule: the
 * section "costing." and, for a source's own keys, "providers." drop out.
 */
UNIT_TEST(test_env_names)
{
	static const struct {
		const char	*env;	/* its key's path, in the comment */
		size_t		 off;
	} rows[] = {
		/* costing.attrition_bp */
		{ "BOMD_ATTRITION_BP", offsetof(struct config, attrition_bp) },
		/* providers.timeout_ms: no source's, keeps its section */
		{ "BOMD_PROVIDERS_TIMEOUT_MS",
		    offsetof(struct config, providers_timeout_ms) },
		/* providers.mouser.ttl */
		{ "BOMD_MOUSER_TTL", offsetof(struct config, mouser.ttl) },
	};
	struct config c;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		setenv(rows[i].env, "700", 1);
	load(NULL, &c);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(*(const int64_t *)(const void *)
		    ((const char *)&c + rows[i].off), 700);
	config_free(&c);
}

UNIT_TEST(test_provider_keys)
{
	struct provider_settings ps;
	struct config c;
	char err[256], *path;

	path = write_conf("providers = { digikey = { enabled = false;\n"
	    "client_id = \"id\"; locale_site = \"DE\"; ttl = 3600; };\n"
	    "mouser = { per_minute = 10; }; timeout_ms = 500; };\n");
	setenv("BOMD_DIGIKEY_CLIENT_SECRET", "s3cret", 1);
	setenv("BOMD_MOUSER_API_KEY", "mk", 1);
	setenv("BOMD_MOUSER_PER_DAY", "50", 1);
	setenv("BOMD_NEXAR_LIMIT", "5", 1);
	load(path, &c);
	config_providers(&c, &ps);
	assert_false(ps.src[PROVIDER_DIGIKEY].enabled);
	assert_string_equal(ps.src[PROVIDER_DIGIKEY].client_id, "id");
	assert_string_equal(ps.src[PROVIDER_DIGIKEY].client_secret,
	    "s3cret");
	assert_string_equal(ps.src[PROVIDER_DIGIKEY].locale_site, "DE");
	assert_string_equal(ps.src[PROVIDER_DIGIKEY].base_url,
	    "https://api.digikey.com");
	assert_int_equal(ps.src[PROVIDER_DIGIKEY].ttl_s, 3600);
	assert_int_equal(ps.src[PROVIDER_DIGIKEY].per_minute, 120);
	assert_true(ps.src[PROVIDER_MOUSER].enabled);
	assert_string_equal(ps.src[PROVIDER_MOUSER].api_key, "mk");
	assert_int_equal(ps.src[PROVIDER_MOUSER].per_minute, 10);
	assert_int_equal(ps.src[PROVIDER_MOUSER].per_day, 50);
	assert_int_equal(ps.src[PROVIDER_NEXAR].match_limit, 5);
	assert_null(ps.src[PROVIDER_NEXAR].client_id);
	assert_string_equal(ps.src[PROVIDER_NEXAR].token_url,
	    "https://identity.nexar.com/connect/token");
	assert_int_equal(ps.timeout_ms, 500);
	assert_int_equal(ps.deadline_ms, 20000);
	config_free(&c);
	/* the environment wins, in words too; a bad one names its key */
	setenv("BOMD_DIGIKEY_ENABLED", "yes", 1);
	load(path, &c);
	assert_true(c.digikey.enabled);
	config_free(&c);
	setenv("BOMD_DIGIKEY_ENABLED", "maybe", 1);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "providers.digikey.enabled"));
	unsetenv("BOMD_DIGIKEY_ENABLED");
	setenv("BOMD_NEXAR_BASE_URL", "ftp://nexar.example", 1);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "providers.nexar.base_url"));
	/* a secret's value never appears in an error */
	setenv("BOMD_NEXAR_BASE_URL", "https://x", 1);
	setenv("BOMD_DIGIKEY_CLIENT_SECRET", "", 1);
	setenv("BOMD_MOUSER_PER_DAY", "0", 1);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	assert_null(strstr(err, "s3cret"));
}

UNIT_TEST(test_file_then_env)
{
	struct config c;
	char *path;

	path = write_conf("database_url = \"postgresql://db/x\";\n"
	    "workers = 3;\nsync_wait = 5;\n"
	    "llm = { provider = \"openai\"; model = \"gpt-5-nano\"; };\n");
	load(path, &c);
	assert_string_equal(c.database_url, "postgresql://db/x");
	assert_int_equal(c.workers, 3);
	assert_int_equal(c.sync_wait, 5);
	assert_string_equal(c.llm_provider, "openai");
	assert_true(config_llm_on(&c));
	assert_string_equal(c.llm_model, "gpt-5-nano");
	config_free(&c);

	setenv("BOMD_WORKERS", "7", 1);
	setenv("BOMD_LLM_MODEL", "gpt-4o-mini", 1);
	load(path, &c);
	assert_int_equal(c.workers, 7);
	assert_string_equal(c.llm_model, "gpt-4o-mini");
	assert_int_equal(c.sync_wait, 5);
	config_free(&c);
}

/*
 * The refusals of tests/fixtures/cases/config_refusals.json: with the
 * environment variables of "env" set, or a config file holding "conf",
 * config_load() fails with an error of which "error" is a part.
 */
UNIT_TEST(test_bad_values)
{
	json_t *cases = fixture_cases("config_refusals"), *env, *v;
	const char *conf, *want, *k;
	struct config c;
	char err[256], *path;
	size_t i;

	for (i = 0; i < json_array_size(cases); i++) {
		env = NULL;
		conf = NULL;
		fixture_case_unpack(cases, i, "{s?o, s?s, s:s}", "env", &env,
		    "conf", &conf, "error", &want);
		if (env == NULL && conf == NULL)
			fail_msg("case %zu: neither env nor conf", i);
		clear_env(NULL);
		path = NULL;
		if (env != NULL && !json_is_object(env))
			fail_msg("case %zu: env is not an object", i);
		json_object_foreach(env, k, v) {
			if (!json_is_string(v))
				fail_msg("case %zu: %s is not a string", i, k);
			setenv(k, json_string_value(v), 1);
		}
		if (conf != NULL)
			path = write_conf(conf);
		err[0] = '\0';
		if (config_load(path, &c, err, sizeof(err)) != -1)
			fail_msg("case %zu: loaded, want '%s'", i, want);
		if (strstr(err, want) == NULL)
			fail_msg("case %zu: error '%s' lacks '%s'", i, err,
			    want);
	}
	json_decref(cases);
}

UNIT_TEST(test_missing_explicit_file)
{
	struct config c;
	char err[256];

	assert_int_equal(config_load("/nonexistent/bomd.conf", &c, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/bomd.conf"));
}

/* listen's one parse: what config_check() accepts, the API binds. */
UNIT_TEST(test_listen_addr)
{
	struct sockaddr_in sa;

	assert_int_equal(config_listen_addr("127.0.0.1:8080", &sa), 0);
	assert_int_equal(ntohs(sa.sin_port), 8080);
	assert_int_equal(ntohl(sa.sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_equal(config_listen_addr("localhost:9000", &sa), 0);
	assert_int_equal(ntohl(sa.sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_equal(config_listen_addr("*:80", &sa), 0);
	assert_int_equal(ntohl(sa.sin_addr.s_addr), INADDR_ANY);
	assert_int_equal(config_listen_addr(":0", &sa), 0);
	assert_int_equal(ntohl(sa.sin_addr.s_addr), INADDR_ANY);
	assert_int_equal(config_listen_addr("8080", &sa), -1);
	assert_int_equal(config_listen_addr("api.example.com:8080", &sa), -1);
	assert_int_equal(config_listen_addr("10.0.0.1:65536", &sa), -1);
	assert_int_equal(config_listen_addr("10.0.0.1:x", &sa), -1);
}
