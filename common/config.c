/*
 * Table-driven configuration: defaults, then the libconfig file, then the
 * environment. A bad value is an error naming the key, never a default.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libconfig.h>

#include "config.h"
#include "llm_http.h"
#include "log.h"
#include "oidc.h"
#include "provider.h"
#include "redis_url.h"
#include "util.h"
#include "x402.h"

enum config_type {
	CONFIG_STR,
	CONFIG_INT,
	CONFIG_MONEY,		/* decimal amount, kept in micro-units */
	CONFIG_BOOL		/* true/false, yes/no, on/off, 1/0 */
};

struct config_key {
	/* libconfig path, e.g. "llm.model"; config_env_name() names its env */
	const char		*path;
	enum config_type	 type;
	const char		*def;	/* NULL: unset */
	int64_t			 min;
	int64_t			 max;
	size_t			 off;
	int			 reloadable;
};

/*
 * A row: path, the member of struct config it fills, then type, default,
 * min, max and reloadable. The member follows from the path where it can:
 * CONFIG_KEY(listen, ...) is "listen" in listen, CONFIG_SEC(llm, model,
 * ...) "llm.model" in llm_model, CONFIG_SRC(mouser, ttl, ...)
 * "providers.mouser.ttl" in mouser.ttl; CONFIG_AT names both.
 */
#define CONFIG_AT(path, m, type, def, min, max, rel) \
	{ path, type, def, min, max, offsetof(struct config, m), rel }
#define CONFIG_KEY(m, ...)	CONFIG_AT(#m, m, __VA_ARGS__)
#define CONFIG_SEC(sec, name, ...) \
	CONFIG_AT(#sec "." #name, sec##_##name, __VA_ARGS__)
#define CONFIG_SRC(src, name, ...) \
	CONFIG_AT("providers." #src "." #name, src.name, __VA_ARGS__)

/*
 * The keys every live source has alike: on by default, credentials of 1
 * to 512 bytes, a base_url, how long its offers stay fresh and how many
 * requests it may make (the rate a minute is its own).
 */
#define CONFIG_SRC_ON(src) \
	CONFIG_SRC(src, enabled, CONFIG_BOOL, "true", 0, 1, 1)
#define CONFIG_SRC_CRED(src, name) \
	CONFIG_SRC(src, name, CONFIG_STR, NULL, 1, 512, 1)
#define CONFIG_SRC_URL(src, def) \
	CONFIG_SRC(src, base_url, CONFIG_STR, def, 8, 4096, 1)
#define CONFIG_SRC_BUDGET(src, rpm) \
	CONFIG_SRC(src, ttl, CONFIG_INT, "86400", 60, 2592000, 1), \
	CONFIG_SRC(src, per_minute, CONFIG_INT, rpm, 1, 100000, 1), \
	CONFIG_SRC(src, per_day, CONFIG_INT, "1000", 1, 10000000, 1)

/* min/max on strings bound the length; on money, the micro-units */
static const struct config_key config_keys[] = {
	CONFIG_KEY(database_url, CONFIG_STR, "postgresql:///bomd", 1, 4096, 0),
	CONFIG_KEY(database_role, CONFIG_STR, "bomd_app", 1, 63, 0),
	CONFIG_KEY(database_owner_url, CONFIG_STR, NULL, 1, 4096, 0),
	CONFIG_KEY(metrics_token, CONFIG_STR, NULL, 16, 1024, 1),
	CONFIG_KEY(redis_url, CONFIG_STR, "redis://127.0.0.1:6379/0",
	    1, 4096, 0),
	CONFIG_KEY(listen, CONFIG_STR, "127.0.0.1:8080", 1, 256, 0),
	CONFIG_KEY(workers, CONFIG_INT, NULL, 1, 256, 1),
	CONFIG_KEY(admin_key, CONFIG_STR, NULL, 16, 1024, 1),
	CONFIG_SEC(llm, provider, CONFIG_STR, "none", 1, 32, 1),
	CONFIG_SEC(llm, base_url, CONFIG_STR, "https://api.openai.com/v1",
	    1, 4096, 1),
	CONFIG_SEC(llm, api_key, CONFIG_STR, NULL, 1, 4096, 1),
	CONFIG_SEC(llm, model, CONFIG_STR, "gpt-5-mini", 1, 256, 1),
	CONFIG_SEC(llm, timeout_ms, CONFIG_INT, "60000", 100, 600000, 1),
	CONFIG_SEC(llm, max_retries, CONFIG_INT, "2", 0, 10, 1),
	CONFIG_SEC(llm, max_concurrency, CONFIG_INT, "8", 1, 64, 1),
	CONFIG_SEC(llm, connect_timeout_ms, CONFIG_INT, "10000",
	    100, 600000, 1),
	CONFIG_SEC(llm, deadline_ms, CONFIG_INT, "120000", 1000, 3600000, 1),
	CONFIG_SEC(llm, job_deadline_ms, CONFIG_INT, "120000",
	    1000, 86400000, 1),
	CONFIG_SEC(llm, max_reasks, CONFIG_INT, "2", 0, 5, 1),
	CONFIG_SEC(llm, batch_size, CONFIG_INT, "10", 1, 100, 1),
	CONFIG_SEC(llm, requests_per_min, CONFIG_INT, "0", 0, 1000000, 1),
	CONFIG_SEC(llm, tokens_per_min, CONFIG_INT, "0",
	    0, INT64_C(1000000000), 1),
	CONFIG_SEC(llm, backoff_base_ms, CONFIG_INT, "500", 1, 600000, 1),
	CONFIG_SEC(llm, backoff_cap_ms, CONFIG_INT, "8000", 1, 600000, 1),
	CONFIG_SEC(llm, retry_after_cap_ms, CONFIG_INT, "30000", 0, 600000, 1),
	CONFIG_AT("llm.price_in_per_1m", llm_price_in_micros, CONFIG_MONEY, "0",
	    0, 1000000 * MICROS_PER_UNIT, 1),
	CONFIG_AT("llm.price_out_per_1m", llm_price_out_micros, CONFIG_MONEY,
	    "0", 0, 1000000 * MICROS_PER_UNIT, 1),
	CONFIG_KEY(sync_wait, CONFIG_INT, "120", 0, 3600, 1),
	CONFIG_KEY(max_upload, CONFIG_INT, "10485760", 1024, 1073741824, 1),
	CONFIG_KEY(log_level, CONFIG_STR, "info", 1, 16, 1),
	CONFIG_KEY(job_max_attempts, CONFIG_INT, "5", 1, 100, 1),
	CONFIG_KEY(job_lease_ms, CONFIG_INT, "300000", 1000, 86400000, 1),
	CONFIG_KEY(job_timeout_ms, CONFIG_INT, "600000", 1000, 86400000, 1),
	CONFIG_KEY(job_retry_base_ms, CONFIG_INT, "1000", 10, 600000, 1),
	CONFIG_KEY(worker_max_jobs, CONFIG_INT, "0", 0, INT64_C(1000000000), 1),
	CONFIG_KEY(worker_inflight, CONFIG_INT, "64", 1, 1024, 1),
	CONFIG_AT("costing.attrition_bp", attrition_bp, CONFIG_INT, "0",
	    0, 10000, 1),
	CONFIG_AT("costing.setup_extra", setup_extra, CONFIG_INT, "0",
	    0, 1000000, 1),
	CONFIG_KEY(rate_limit, CONFIG_INT, "50", 0, 1000000, 1),
	CONFIG_KEY(rate_burst, CONFIG_INT, "200", 1, 1000000, 1),
	CONFIG_KEY(auth_fail_limit, CONFIG_INT, "30", 0, 1000000, 1),
	CONFIG_KEY(per_ip_connections, CONFIG_INT, "256", 0, 100000, 1),
	CONFIG_KEY(unauth_timeout, CONFIG_INT, "10", 1, 300, 1),
	CONFIG_KEY(streams_per_client, CONFIG_INT, "8", 0, 100000, 1),
	CONFIG_KEY(waits_per_client, CONFIG_INT, "256", 0, 100000, 1),
	CONFIG_KEY(chats_per_client, CONFIG_INT, "4", 0, 100000, 1),
	CONFIG_KEY(api_cache_bytes, CONFIG_INT, "67108864",
	    0, INT64_C(17179869184), 1),
	CONFIG_KEY(grace_period, CONFIG_INT, "60", 0, 3600, 1),
	CONFIG_KEY(api_probe_every, CONFIG_INT, "10", 0, 3600, 1),
	CONFIG_KEY(reconcile_after, CONFIG_INT, "60", 0, 86400, 1),
	CONFIG_SEC(retention, days, CONFIG_INT, "0", 0, 36500, 1),
	CONFIG_SEC(retention, trace_steps, CONFIG_INT, "1000", 0, 1000000, 1),
	CONFIG_SEC(retention, dead_max, CONFIG_INT, "10000",
	    0, INT64_C(100000000), 1),
	CONFIG_SEC(retention, every, CONFIG_INT, "3600", 1, 86400, 1),
	/* live offer sources: in use when enabled with credentials set */
	CONFIG_SRC_ON(digikey),
	CONFIG_SRC_CRED(digikey, client_id),
	CONFIG_SRC_CRED(digikey, client_secret),
	CONFIG_SRC_URL(digikey, "https://api.digikey.com"),
	CONFIG_SRC(digikey, locale_site, CONFIG_STR, "US", 2, 8, 1),
	CONFIG_SRC(digikey, locale_language, CONFIG_STR, "en", 2, 8, 1),
	CONFIG_SRC(digikey, currency, CONFIG_STR, "USD", 3, 3, 1),
	CONFIG_SRC_BUDGET(digikey, "120"),
	CONFIG_SRC_ON(mouser),
	CONFIG_SRC_CRED(mouser, api_key),
	CONFIG_SRC_URL(mouser, "https://api.mouser.com"),
	CONFIG_SRC_BUDGET(mouser, "30"),
	CONFIG_SRC_ON(nexar),
	CONFIG_SRC_CRED(nexar, client_id),
	CONFIG_SRC_CRED(nexar, client_secret),
	CONFIG_SRC_URL(nexar, "https://api.nexar.com"),
	CONFIG_SRC(nexar, token_url, CONFIG_STR,
	    "https://identity.nexar.com/connect/token", 8, 4096, 1),
	CONFIG_SRC(nexar, currency, CONFIG_STR, "USD", 3, 3, 1),
	CONFIG_SRC(nexar, country, CONFIG_STR, "US", 2, 2, 1),
	CONFIG_SRC_BUDGET(nexar, "60"),
	CONFIG_SRC(nexar, limit, CONFIG_INT, "3", 1, 10, 1),
	CONFIG_SEC(providers, timeout_ms, CONFIG_INT, "10000", 100, 120000, 1),
	CONFIG_SEC(providers, deadline_ms, CONFIG_INT, "20000", 500, 600000, 1),
	CONFIG_SEC(x402, enabled, CONFIG_BOOL, "false", 0, 1, 1),
	CONFIG_SEC(x402, facilitator_url, CONFIG_STR, NULL, 8, 2048, 1),
	CONFIG_SEC(x402, network, CONFIG_STR, "base-sepolia",
	    1, X402_NETWORK_MAX - 1, 1),
	CONFIG_SEC(x402, asset, CONFIG_STR, NULL,
	    X402_ADDR_LEN, X402_ADDR_LEN, 1),
	CONFIG_SEC(x402, asset_name, CONFIG_STR, "USDC", 1, 64, 1),
	CONFIG_SEC(x402, asset_version, CONFIG_STR, "2", 1, 32, 1),
	CONFIG_SEC(x402, asset_decimals, CONFIG_INT, "6", 0, 36, 1),
	CONFIG_SEC(x402, pay_to, CONFIG_STR, NULL,
	    X402_ADDR_LEN, X402_ADDR_LEN, 1),
	CONFIG_SEC(x402, price, CONFIG_STR, NULL, 1, 64, 1),
	CONFIG_SEC(x402, max_timeout_seconds, CONFIG_INT, "60", 1, 3600, 1),
	CONFIG_SEC(x402, verify_timeout_ms, CONFIG_INT, "10000",
	    100, 120000, 1),
	CONFIG_SEC(x402, settle_timeout_ms, CONFIG_INT, "30000",
	    100, 300000, 1),
	CONFIG_AT("oidc.jwks_ttl_seconds", oidc_jwks_ttl_s, CONFIG_INT, "600",
	    1, 86400, 1),
	CONFIG_AT("oidc.jwks_refetch_seconds", oidc_jwks_refetch_s, CONFIG_INT,
	    "60", 0, 3600, 1),
	CONFIG_AT("oidc.jwks_stale_seconds", oidc_jwks_stale_s, CONFIG_INT,
	    "3600", 0, 86400, 1),
	CONFIG_SEC(oidc, loopback_http, CONFIG_BOOL, "false", 0, 1, 1),
};

/* The words a CONFIG_BOOL takes: even index false, odd true. */
static const char *const config_bool_words[] = {
	"false", "true", "no", "yes", "off", "on", "0", "1"
};

#define NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))
#define NBOOLWORDS \
	(int)(sizeof(config_bool_words) / sizeof(config_bool_words[0]))

static int
config_set(struct config *cfg, const struct config_key *k, const char *val,
    const char *src, char *err, size_t errlen)
{
	char **sp;
	int64_t *ip;
	const char *why;
	size_t len;
	int n;

	if (k->type == CONFIG_STR) {
		len = strlen(val);
		if (len < (size_t)k->min || len > (size_t)k->max) {
			snprintf(err, errlen, "%s (%s): length must be %lld "
			    "to %lld", k->path, src, (long long)k->min,
			    (long long)k->max);
			return -1;
		}
		sp = (char **)((char *)cfg + k->off);
		free(*sp);
		*sp = xstrdup(val);
		return 0;
	}
	if (k->type == CONFIG_BOOL) {
		for (n = 0; n < NBOOLWORDS; n++)
			if (strcasecmp(val, config_bool_words[n]) == 0)
				break;
		if (n == NBOOLWORDS) {
			snprintf(err, errlen, "%s (%s): '%s' is not true or "
			    "false", k->path, src, val);
			return -1;
		}
		*(bool *)((char *)cfg + k->off) = n % 2 == 1;
		return 0;
	}
	ip = (int64_t *)((char *)cfg + k->off);
	if (k->type == CONFIG_MONEY) {
		if (parse_money(val, ip, &why) == 0) {
			if (*ip >= k->min && *ip <= k->max)
				return 0;
			why = "out of range";
		}
		snprintf(err, errlen, "%s (%s): '%s' is %s (want a decimal "
		    "amount up to %lld)", k->path, src, val, why,
		    (long long)(k->max / MICROS_PER_UNIT));
		return -1;
	}
	if (parse_i64(val, k->min, k->max, ip, &why) == -1) {
		snprintf(err, errlen, "%s (%s): '%s' is %s (want %lld..%lld)",
		    k->path, src, val, why, (long long)k->min,
		    (long long)k->max);
		return -1;
	}
	return 0;
}

/* Whether url is http:// or https:// (tests point the sources home). */
static bool
config_http_url(const char *url)
{
	return strncmp(url, "https://", 8) == 0 ||
	    strncmp(url, "http://", 7) == 0;
}

/* The sources' URLs are http:// or https://. */
static int
config_check_urls(const struct config *cfg, char *err, size_t errlen)
{
	const struct {
		const char	*path;
		const char	*url;
	} urls[] = {
		{ "providers.digikey.base_url", cfg->digikey.base_url },
		{ "providers.mouser.base_url", cfg->mouser.base_url },
		{ "providers.nexar.base_url", cfg->nexar.base_url },
		{ "providers.nexar.token_url", cfg->nexar.token_url },
	};
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		if (!config_http_url(urls[i].url)) {
			snprintf(err, errlen, "%s: must start with https:// "
			    "or http://", urls[i].path);
			return -1;
		}
	return 0;
}

/* The x402.* keys together: formats, and what enabled requires. */
static int
config_check_x402(const struct config *cfg, char *err, size_t errlen)
{
	/* what enabled requires; 1 and 2 are addresses */
	const struct { const char *key, *val; } need[] = {
		{ "facilitator_url", cfg->x402_facilitator_url },
		{ "asset", cfg->x402_asset },
		{ "pay_to", cfg->x402_pay_to },
		{ "price", cfg->x402_price },
	};
	char amount[X402_AMOUNT_MAX];
	const char *why, *url = cfg->x402_facilitator_url;
	size_t i;

	if (url != NULL && !config_http_url(url)) {
		snprintf(err, errlen, "x402.facilitator_url: '%s' is not an "
		    "http(s) URL", url);
		return -1;
	}
	if (cfg->x402_network[strspn(cfg->x402_network,
	    "abcdefghijklmnopqrstuvwxyz0123456789-:")] != '\0') {
		snprintf(err, errlen, "x402.network: '%s' is not a network "
		    "name such as base-sepolia", cfg->x402_network);
		return -1;
	}
	for (i = 1; i <= 2; i++)
		if (need[i].val != NULL && !x402_address_valid(need[i].val)) {
			snprintf(err, errlen, "x402.%s: '%s' is not 0x and 40 "
			    "hex digits", need[i].key, need[i].val);
			return -1;
		}
	if (cfg->x402_price != NULL && x402_price_atomic(cfg->x402_price,
	    (int)cfg->x402_asset_decimals, amount, sizeof(amount),
	    &why) == -1) {
		snprintf(err, errlen, "x402.price: '%s' is %s (want an amount "
		    "such as $0.05, at most %lld decimals)", cfg->x402_price,
		    why, (long long)cfg->x402_asset_decimals);
		return -1;
	}
	for (i = 0; cfg->x402_enabled && i < sizeof(need) / sizeof(need[0]);
	    i++)
		if (need[i].val == NULL) {
			snprintf(err, errlen, "x402.%s: required when "
			    "x402.enabled is true", need[i].key);
			return -1;
		}
	return 0;
}

static int
config_check(const struct config *cfg, char *err, size_t errlen)
{
	struct redis_url ru;
	struct sockaddr_in sa;

	if (strcmp(cfg->llm_provider, "none") != 0 &&
	    strcmp(cfg->llm_provider, "openai") != 0) {
		snprintf(err, errlen, "llm.provider: '%s' is not one of "
		    "none, openai", cfg->llm_provider);
		return -1;
	}
	if (cfg->llm_backoff_cap_ms < cfg->llm_backoff_base_ms) {
		snprintf(err, errlen, "llm.backoff_cap_ms: %lld is below "
		    "llm.backoff_base_ms %lld",
		    (long long)cfg->llm_backoff_cap_ms,
		    (long long)cfg->llm_backoff_base_ms);
		return -1;
	}
	if (log_parse_level(cfg->log_level) == -1) {
		snprintf(err, errlen, "log_level: '%s' is not one of "
		    "error, warn, info, debug", cfg->log_level);
		return -1;
	}
	if (config_listen_addr(cfg->listen, &sa) == -1) {
		snprintf(err, errlen, "listen: '%s' is not HOST:PORT",
		    cfg->listen);
		return -1;
	}
	if (config_check_urls(cfg, err, errlen) == -1)
		return -1;
	/* the url may hold a password: the reason does not quote it */
	if (redis_url_parse(cfg->redis_url, &ru, err, errlen) == -1)
		return -1;
	return config_check_x402(cfg, err, errlen);
}

/*
 * The environment variable of a key: BOMD_ and the path in upper case, '_'
 * for '.', without the section "costing." nor, for a source's own keys,
 * "providers." (costing.attrition_bp is BOMD_ATTRITION_BP,
 * providers.digikey.ttl BOMD_DIGIKEY_TTL, providers.timeout_ms
 * BOMD_PROVIDERS_TIMEOUT_MS).
 */
static void
config_env_name(const char *path, char *out, size_t len)
{
	char *q;

	if (strncmp(path, "costing.", 8) == 0)
		path += 8;
	else if (strncmp(path, "providers.", 10) == 0 &&
	    strchr(path + 10, '.') != NULL)
		path += 10;
	snprintf(out, len, "BOMD_%s", path);
	for (q = out; *q != '\0'; q++)
		*q = *q == '.' ? '_' : (char)toupper((unsigned char)*q);
}

/* Reads one key from the file; 1 when present, 0 when absent, -1 bad. */
static int
config_from_file(config_t *cf, const struct config_key *k, char *val,
    size_t vlen, char *err, size_t errlen)
{
	config_setting_t *s;
	const char *str;

	if ((s = config_lookup(cf, k->path)) == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		str = config_setting_get_string(s);
		if (snprintf(val, vlen, "%s", str) >= (int)vlen) {
			snprintf(err, errlen, "%s: value too long", k->path);
			return -1;
		}
		return 1;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if (k->type == CONFIG_STR)
			break;
		snprintf(val, vlen, "%lld",
		    (long long)config_setting_get_int64(s));
		return 1;
	case CONFIG_TYPE_BOOL:
		if (k->type != CONFIG_BOOL)
			break;
		snprintf(val, vlen, "%s", config_setting_get_bool(s) ?
		    "true" : "false");
		return 1;
	case CONFIG_TYPE_FLOAT:
		/* 0.15 is 0.1499.. as a double: six decimals round it back */
		if (k->type != CONFIG_MONEY)
			break;
		snprintf(val, vlen, "%.6f", config_setting_get_float(s));
		return 1;
	default:
		break;
	}
	snprintf(err, errlen, "%s: expected %s", k->path,
	    k->type == CONFIG_STR ? "a string" : k->type == CONFIG_INT ?
	    "an integer" : k->type == CONFIG_BOOL ? "true or false" :
	    "a decimal amount");
	return -1;
}

int
config_listen_addr(const char *listen, struct sockaddr_in *sa)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	int64_t port;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (parse_i64(colon + 1, 0, 65535, &port, NULL) == -1)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (host[0] == '\0' || strcmp(host, "*") == 0)
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (strcmp(host, "localhost") == 0)
		sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	return 0;
}

int
config_load(const char *path, struct config *cfg, char *err, size_t errlen)
{
	config_t cf;
	const struct config_key *k;
	const char *env, *file = path ? path : CONFIG_DEFAULT_PATH;
	char val[4200], ncpu[32], name[64];
	size_t i;
	int rc = -1, loaded = 0, r;
	long n;

	memset(cfg, 0, sizeof(*cfg));
	config_init(&cf);
	if (path != NULL || access(file, F_OK) == 0) {
		if (config_read_file(&cf, file) != CONFIG_TRUE) {
			if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
				snprintf(err, errlen, "%s: cannot read file",
				    file);
			else
				snprintf(err, errlen, "%s:%d: %s", file,
				    config_error_line(&cf),
				    config_error_text(&cf));
			goto out;
		}
		loaded = 1;
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(ncpu, sizeof(ncpu), "%ld", n < 1 ? 1 : (n > 256 ? 256 : n));
	for (i = 0; i < NKEYS; i++) {
		k = &config_keys[i];
		if (k->def != NULL &&
		    config_set(cfg, k, k->def, "default", err, errlen) == -1)
			goto out;
		if (k->def == NULL && k->type == CONFIG_INT &&
		    config_set(cfg, k, ncpu, "default", err, errlen) == -1)
			goto out;
		if (loaded) {
			r = config_from_file(&cf, k, val, sizeof(val), err,
			    errlen);
			if (r == -1)
				goto out;
			if (r == 1 && config_set(cfg, k, val, file, err,
			    errlen) == -1)
				goto out;
		}
		config_env_name(k->path, name, sizeof(name));
		if ((env = getenv(name)) != NULL && *env != '\0' &&
		    config_set(cfg, k, env, name, err, errlen) == -1)
			goto out;
	}
	if (config_check(cfg, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	config_destroy(&cf);
	if (rc == -1)
		config_free(cfg);
	return rc;
}

bool
config_llm_on(const struct config *cfg)
{
	return strcmp(cfg->llm_provider, "openai") == 0;
}

void
config_llm(const struct config *cfg, struct llm_config *out)
{
	llm_config_defaults(out);
	out->enabled = config_llm_on(cfg);
	out->base_url = cfg->llm_base_url;
	out->api_key = cfg->llm_api_key;
	out->model = cfg->llm_model;
	out->connect_timeout_ms = (long)cfg->llm_connect_timeout_ms;
	out->timeout_ms = (long)cfg->llm_timeout_ms;
	out->max_retries = (int)cfg->llm_max_retries;
	out->max_reasks = (int)cfg->llm_max_reasks;
	out->max_concurrency = (int)cfg->llm_max_concurrency;
	out->price_in_per_1m_micros = cfg->llm_price_in_micros;
	out->price_out_per_1m_micros = cfg->llm_price_out_micros;
	out->backoff_base_ms = cfg->llm_backoff_base_ms;
	out->backoff_cap_ms = cfg->llm_backoff_cap_ms;
	out->retry_after_cap_ms = cfg->llm_retry_after_cap_ms;
	out->deadline_ms = cfg->llm_deadline_ms;
}

/* One source's keys as provider settings (strings borrowed). */
static void
config_provider(const struct config_provider *p, struct provider_config *c)
{
	memset(c, 0, sizeof(*c));
	c->enabled = p->enabled;
	c->client_id = p->client_id;
	c->client_secret = p->client_secret;
	c->api_key = p->api_key;
	c->base_url = p->base_url;
	c->token_url = p->token_url;
	c->locale_site = p->locale_site;
	c->locale_language = p->locale_language;
	c->currency = p->currency;
	c->country = p->country;
	c->ttl_s = p->ttl;
	c->per_minute = p->per_minute;
	c->per_day = p->per_day;
	c->match_limit = p->limit;
}

void
config_providers(const struct config *cfg, struct provider_settings *out)
{
	memset(out, 0, sizeof(*out));
	config_provider(&cfg->digikey, &out->src[PROVIDER_DIGIKEY]);
	config_provider(&cfg->mouser, &out->src[PROVIDER_MOUSER]);
	config_provider(&cfg->nexar, &out->src[PROVIDER_NEXAR]);
	out->timeout_ms = cfg->providers_timeout_ms;
	out->deadline_ms = cfg->providers_deadline_ms;
}

void
config_x402(const struct config *cfg, struct x402_config *out)
{
	const char *why;

	x402_config_defaults(out);
	out->enabled = cfg->x402_enabled;
	out->facilitator_url = cfg->x402_facilitator_url;
	out->network = cfg->x402_network;
	out->asset = cfg->x402_asset;
	out->asset_name = cfg->x402_asset_name;
	out->asset_version = cfg->x402_asset_version;
	out->pay_to = cfg->x402_pay_to;
	out->max_timeout_s = cfg->x402_max_timeout_seconds;
	out->verify_timeout_ms = (long)cfg->x402_verify_timeout_ms;
	out->settle_timeout_ms = (long)cfg->x402_settle_timeout_ms;
	/* config_check_x402() accepted the price */
	if (cfg->x402_price == NULL || x402_price_atomic(cfg->x402_price,
	    (int)cfg->x402_asset_decimals, out->amount, sizeof(out->amount),
	    &why) == -1)
		out->amount[0] = '\0';
}

void
config_oidc(const struct config *cfg, struct oidc_config *out)
{
	oidc_config_defaults(out);
	out->ttl_s = cfg->oidc_jwks_ttl_s;
	out->refetch_s = cfg->oidc_jwks_refetch_s;
	out->stale_s = cfg->oidc_jwks_stale_s;
	out->loopback_http = cfg->oidc_loopback_http;
}

void
config_free(struct config *cfg)
{
	size_t i;
	char **sp;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		if (config_keys[i].type != CONFIG_STR)
			continue;
		sp = (char **)((char *)cfg + config_keys[i].off);
		free(*sp);
		*sp = NULL;
	}
}
