/*
 * A mock OpenID Connect issuer for tests, and the tokens it "issues". Keys
 * are PEM files the tests make with the openssl command line.
 *
 * usage: mock_oidc serve --keys DIR [--port N] [--log FILE]
 *        mock_oidc jwks DIR
 *        mock_oidc mint [--key PEM] [--kid KID] [--alg ALG] [--tamper]
 *            CLAIMS_JSON
 *
 * serve answers for any path prefix P, so one server is many issuers:
 *   GET P/.well-known/openid-configuration
 *       {"issuer": "http://127.0.0.1:PORT" P, "jwks_uri": issuer "/jwks"}
 *   GET P/jwks   every DIR/NAME.pem as a JWK with kid NAME, read again on
 *                each request: add and remove files to rotate keys
 *   POST /control?fail_jwks=N&hang_ms=N&issuer_suffix=S
 *                the next N key set requests fail with 500 (-1: all until
 *                set again), key sets are answered after N ms, discovery
 *                names issuer S-suffixed (a mismatch); each is optional
 *   GET /control/stats   {"discovery": n, "jwks": n, "jwks_failed": n}
 * --port 0 (the default) picks a free port and prints "port=N" on stdout.
 *
 * jwks prints DIR's key set. mint prints a token for CLAIMS_JSON signed
 * with the PEM's private key, alg RS256 or ES256 from the key unless
 * --alg says: HS256 uses the PEM file's bytes as the HMAC secret (the key
 * confusion attack), none leaves the signature empty; --tamper swaps in
 * claims with "scope": "all" after signing.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base64.h"
#include "mock_http.h"
#include "util.h"

#define MOCK_OIDC_WELL_KNOWN	"/.well-known/openid-configuration"
#define MOCK_OIDC_JWKS	"/jwks"
#define MOCK_OIDC_COORD	32		/* bytes of a P-256 coordinate */

static const char	*mock_oidc_keys_dir;
static atomic_int	 mock_oidc_fail_jwks;
static atomic_long	 mock_oidc_hang_ms;
static atomic_long	 mock_oidc_n_discovery, mock_oidc_n_jwks;
static atomic_long	 mock_oidc_n_jwks_failed;
static pthread_mutex_t	 mock_oidc_lock = PTHREAD_MUTEX_INITIALIZER;
static char		 mock_oidc_issuer_suffix[256];

/* A key from a PEM file: the private key, else (when allowed) public. */
static EVP_PKEY *
mock_oidc_load_key(const char *path, bool public_ok)
{
	EVP_PKEY *k;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (k == NULL && public_ok) {
		rewind(f);
		k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	}
	fclose(f);
	return k;
}

/* A BIGNUM parameter of k, base64url of its big-endian bytes (pad: 0). */
static json_t *
mock_oidc_bn_b64(const EVP_PKEY *k, const char *param, int pad)
{
	unsigned char raw[1024];
	BIGNUM *bn = NULL;
	json_t *v = NULL;
	char *s;
	int n;

	if (EVP_PKEY_get_bn_param(k, param, &bn) != 1)
		return NULL;
	n = pad > 0 ? BN_bn2binpad(bn, raw, pad) : BN_num_bytes(bn) <=
	    (int)sizeof(raw) ? BN_bn2bin(bn, raw) : -1;
	if (n > 0) {
		s = base64url_encode(raw, (size_t)n);
		v = json_string(s);
		free(s);
	}
	BN_free(bn);
	return v;
}

/* The public JWK of k with kid, or NULL for another kind of key. */
static json_t *
mock_oidc_jwk(const EVP_PKEY *k, const char *kid)
{
	if (EVP_PKEY_is_a(k, "RSA"))
		return json_pack("{s:s, s:s, s:s, s:s, s:o*, s:o*}", "kty",
		    "RSA", "kid", kid, "use", "sig", "alg", "RS256",
		    "n", mock_oidc_bn_b64(k, OSSL_PKEY_PARAM_RSA_N, 0),
		    "e", mock_oidc_bn_b64(k, OSSL_PKEY_PARAM_RSA_E, 0));
	if (EVP_PKEY_is_a(k, "EC"))
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o*, s:o*}",
		    "kty", "EC", "crv", "P-256", "kid", kid, "use", "sig",
		    "alg", "ES256",
		    "x", mock_oidc_bn_b64(k, OSSL_PKEY_PARAM_EC_PUB_X,
		    MOCK_OIDC_COORD),
		    "y", mock_oidc_bn_b64(k, OSSL_PKEY_PARAM_EC_PUB_Y,
		    MOCK_OIDC_COORD));
	return NULL;
}

static int
mock_oidc_pem_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && strcmp(d->d_name + n - 4, ".pem") == 0;
}

/* {"keys": [...]} for every DIR/NAME.pem, sorted by name. */
static json_t *
mock_oidc_key_set(const char *dir)
{
	struct dirent **ents;
	char path[4096], kid[256];
	json_t *keys = json_array(), *jwk;
	EVP_PKEY *k;
	int i, n;

	if ((n = scandir(dir, &ents, mock_oidc_pem_file, alphasort)) < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		snprintf(kid, sizeof(kid), "%.*s",
		    (int)strlen(ents[i]->d_name) - 4, ents[i]->d_name);
		if ((k = mock_oidc_load_key(path, true)) != NULL &&
		    (jwk = mock_oidc_jwk(k, kid)) != NULL)
			json_array_append_new(keys, jwk);
		EVP_PKEY_free(k);
		free(ents[i]);
	}
	if (n > 0)
		free(ents);
	return json_pack("{s:o}", "keys", keys);
}

/* The path before suffix when path ends with it, or NULL; caller frees. */
static char *
mock_oidc_prefix(const char *path, const char *suffix)
{
	size_t n = strlen(path), s = strlen(suffix);

	if (n < s || strcmp(path + n - s, suffix) != 0)
		return NULL;
	return xstrndup(path, n - s);
}

static enum MHD_Result
mock_oidc_control(struct mock_http_request *req)
{
	const char *v, *why;
	int64_t n;

	if (strcmp(req->method, "GET") == 0 &&
	    strcmp(req->path, "/control/stats") == 0)
		return mock_http_reply(req->con, 200, json_pack("{s:I, s:I, "
		    "s:I}", "discovery", (json_int_t)mock_oidc_n_discovery,
		    "jwks", (json_int_t)mock_oidc_n_jwks,
		    "jwks_failed", (json_int_t)mock_oidc_n_jwks_failed));
	if (strcmp(req->method, "POST") != 0 ||
	    strcmp(req->path, "/control") != 0)
		return mock_http_reply(req->con, 404, json_pack("{s:s}",
		    "error", "not found"));
	if ((v = mock_http_arg(req, "fail_jwks")) != NULL) {
		if (parse_i64(v, -1, 1000000, &n, &why) == -1)
			goto bad;
		atomic_store(&mock_oidc_fail_jwks, (int)n);
	}
	if ((v = mock_http_arg(req, "hang_ms")) != NULL) {
		if (parse_i64(v, 0, 600000, &n, &why) == -1)
			goto bad;
		atomic_store(&mock_oidc_hang_ms, (long)n);
	}
	if ((v = mock_http_arg(req, "issuer_suffix")) != NULL) {
		pthread_mutex_lock(&mock_oidc_lock);
		snprintf(mock_oidc_issuer_suffix,
		    sizeof(mock_oidc_issuer_suffix), "%s", v);
		pthread_mutex_unlock(&mock_oidc_lock);
	}
	return mock_http_reply(req->con, 200, json_pack("{s:b}", "ok", 1));
bad:
	return mock_http_reply(req->con, 400, json_pack("{s:s}", "error",
	    "bad control value"));
}

/* Takes one scripted JWKS failure: true when this request fails. */
static bool
mock_oidc_jwks_fails(void)
{
	int n = atomic_load(&mock_oidc_fail_jwks);

	while (n > 0 && !atomic_compare_exchange_weak(&mock_oidc_fail_jwks, &n,
	    n - 1))
		;
	return n != 0;
}

static enum MHD_Result
mock_oidc_serve(struct mock_http_request *req)
{
	char issuer[512], *prefix;
	unsigned int status = 200;
	json_t *answer = NULL;

	if (strncmp(req->path, "/control", 8) == 0)
		return mock_oidc_control(req);
	if (strcmp(req->method, "GET") != 0)
		status = 405;
	else if ((prefix = mock_oidc_prefix(req->path,
	    MOCK_OIDC_WELL_KNOWN)) != NULL) {
		atomic_fetch_add(&mock_oidc_n_discovery, 1);
		pthread_mutex_lock(&mock_oidc_lock);
		snprintf(issuer, sizeof(issuer), "http://127.0.0.1:%u%s%s",
		    mock_http_port(), prefix, mock_oidc_issuer_suffix);
		pthread_mutex_unlock(&mock_oidc_lock);
		answer = json_pack("{s:s, s:s+, s:[s], s:[s]}", "issuer",
		    issuer, "jwks_uri", issuer, MOCK_OIDC_JWKS,
		    "id_token_signing_alg_values_supported", "RS256",
		    "response_types_supported", "code");
		free(prefix);
	} else if ((prefix = mock_oidc_prefix(req->path,
	    MOCK_OIDC_JWKS)) != NULL) {
		free(prefix);
		atomic_fetch_add(&mock_oidc_n_jwks, 1);
		mock_http_sleep_ms(atomic_load(&mock_oidc_hang_ms));
		if (mock_oidc_jwks_fails()) {
			atomic_fetch_add(&mock_oidc_n_jwks_failed, 1);
			status = 500;
		} else
			answer = mock_oidc_key_set(mock_oidc_keys_dir);
	} else
		status = 404;
	mock_http_log(json_pack("{s:s, s:s, s:i}", "method", req->method,
	    "path", req->path, "status", (int)status));
	if (status != 200)
		return mock_http_reply(req->con, status, json_pack("{s:s}",
		    "error", "mock failure"));
	return mock_http_reply(req->con, status, answer);
}

/* The signature of input with k under alg; caller frees. NULL on error. */
static unsigned char *
mock_oidc_sign(EVP_PKEY *k, const char *alg, const char *input, size_t *siglen)
{
	unsigned char der[256], *sig = NULL;
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	EVP_MD_CTX *md;
	size_t len = sizeof(der);

	if ((md = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, k,
	    NULL) != 1 || EVP_DigestSign(md, NULL, &len,
	    (const unsigned char *)input, strlen(input)) != 1)
		goto out;
	sig = xmalloc(len);
	if (EVP_DigestSign(md, sig, &len, (const unsigned char *)input,
	    strlen(input)) != 1)
		goto fail;
	*siglen = len;
	if (strcmp(alg, "ES256") != 0)
		goto out;
	/* JWS wants ES256 as raw r || s, not DER */
	if (len > sizeof(der))
		goto fail;
	memcpy(der, sig, len);
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		goto fail;
	ECDSA_SIG_get0(es, &r, &s);
	BN_bn2binpad(r, sig, MOCK_OIDC_COORD);
	BN_bn2binpad(s, sig + MOCK_OIDC_COORD, MOCK_OIDC_COORD);
	ECDSA_SIG_free(es);
	*siglen = 2 * MOCK_OIDC_COORD;
	goto out;
fail:
	free(sig);
	sig = NULL;
out:
	EVP_MD_CTX_free(md);
	return sig;
}

/* HMAC-SHA256 of input keyed with the bytes of path; caller frees. */
static unsigned char *
mock_oidc_hs256(const char *path, const char *input, size_t *siglen)
{
	unsigned char secret[16384], *mac = xmalloc(32);
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		goto fail;
	n = fread(secret, 1, sizeof(secret), f);
	fclose(f);
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, n,
	    (const unsigned char *)input, strlen(input), mac, 32,
	    siglen) != NULL)
		return mac;
fail:
	free(mac);
	return NULL;
}

static char *
mock_oidc_b64_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS), *b;

	if (s == NULL)
		return NULL;
	b = base64url_encode(s, strlen(s));
	free(s);
	return b;
}

static int
mock_oidc_mint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "kid", required_argument, NULL, 'i' },
		{ "alg", required_argument, NULL, 'a' },
		{ "tamper", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key = NULL, *kid = NULL, *alg = NULL;
	char *h = NULL, *c = NULL, *input = NULL, *sig64 = NULL;
	unsigned char *sig = NULL;
	json_t *hdr = NULL, *claims = NULL;
	EVP_PKEY *k = NULL;
	size_t siglen = 0;
	bool tamper = false;
	int ch, rc = 1;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': key = optarg; break;
		case 'i': kid = optarg; break;
		case 'a': alg = optarg; break;
		case 't': tamper = true; break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || (key == NULL && (alg == NULL ||
	    strcmp(alg, "none") != 0)))
		return 2;
	if ((claims = json_loads(argv[optind], 0, NULL)) == NULL ||
	    !json_is_object(claims)) {
		fprintf(stderr, "mock_oidc: claims are not a JSON object\n");
		goto out;
	}
	if (alg == NULL || strcmp(alg, "RS256") == 0 ||
	    strcmp(alg, "ES256") == 0) {
		if ((k = mock_oidc_load_key(key, false)) == NULL) {
			fprintf(stderr, "mock_oidc: %s: no private key\n", key);
			goto out;
		}
		if (alg == NULL)
			alg = EVP_PKEY_is_a(k, "EC") ? "ES256" : "RS256";
	}
	hdr = json_pack("{s:s, s:s}", "alg", alg, "typ", "JWT");
	if (kid != NULL)
		json_object_set_new(hdr, "kid", json_string(kid));
	h = mock_oidc_b64_json(hdr);
	c = mock_oidc_b64_json(claims);
	if (h == NULL || c == NULL)
		goto out;
	input = xmalloc(strlen(h) + strlen(c) + 2);
	sprintf(input, "%s.%s", h, c);
	if (strcmp(alg, "HS256") == 0)
		sig = mock_oidc_hs256(key, input, &siglen);
	else if (strcmp(alg, "none") == 0)
		sig = xcalloc(1, 1);
	else if (k != NULL)
		sig = mock_oidc_sign(k, alg, input, &siglen);
	if (sig == NULL) {
		fprintf(stderr, "mock_oidc: cannot sign with %s\n", alg);
		goto out;
	}
	if (tamper) {
		json_object_set_new(claims, "scope", json_string("all"));
		free(c);
		if ((c = mock_oidc_b64_json(claims)) == NULL)
			goto out;
	}
	sig64 = base64url_encode(sig, siglen);
	printf("%s.%s.%s\n", h, c, sig64);
	rc = 0;
out:
	free(sig64);
	free(sig);
	free(input);
	free(h);
	free(c);
	json_decref(hdr);
	json_decref(claims);
	EVP_PKEY_free(k);
	return rc;
}

/* serve --keys DIR [--port N] [--log FILE]; a usage error says so. */
static int
mock_oidc_cmd_serve(int argc, char **argv)
{
	static const struct mock_http_text_opt texts[] = {
		{ "keys", "DIR", &mock_oidc_keys_dir },
		{ NULL, NULL, NULL }
	};
	static const struct mock_http_server srv = {
		"mock_oidc serve", NULL, texts, NULL, mock_oidc_serve
	};

	return mock_http_main(&srv, argc, argv);
}

static int
mock_oidc_cmd_jwks(int argc, char **argv)
{
	json_t *set;
	char *s;

	if (argc != 2)
		return 2;
	set = mock_oidc_key_set(argv[1]);
	s = json_dumps(set, JSON_COMPACT);
	json_decref(set);
	if (s == NULL)
		return 1;
	printf("%s\n", s);
	free(s);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return mock_oidc_cmd_serve(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "jwks") == 0)
		rc = mock_oidc_cmd_jwks(argc - 1, argv + 1);
	else if (argc >= 2 && strcmp(argv[1], "mint") == 0)
		rc = mock_oidc_mint(argc - 1, argv + 1);
	if (rc == 2)
		fprintf(stderr, "usage: mock_oidc serve --keys DIR [--port N] "
		    "[--log FILE]\n"
		    "       mock_oidc jwks DIR\n"
		    "       mock_oidc mint [--key PEM] [--kid KID] [--alg ALG] "
		    "[--tamper] CLAIMS_JSON\n");
	return rc;
}
