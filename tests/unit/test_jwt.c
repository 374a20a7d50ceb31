/*
 * Tests for common/jwt.c: tokens signed at test time (keys from the
 * openssl command line, tokens from mock_oidc mint) against the key set
 * mock_oidc makes of the same keys, every refusal with its reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth_fixture.h"
#include "base64.h"
#include "fixture_cases.h"
#include "jwks.h"
#include "jwt.h"
#include "unit.h"
#include "util.h"

#define ISS	"https://id.example.com/tenant-a"
#define AUD	"bomd-api"
#define NOW	INT64_C(1800000000)

static char	*keydir;	/* rsa.pem, ec.pem, rsa_pub.key */
static char	*jwks_text;	/* mock_oidc's set of keydir */
static char	 rsa[256], ec[256], rsa_pub[256];

static int
group_setup(void **state)
{
	const char *jwks[] = { FIXTURE_MOCK_OIDC, "jwks", NULL,
	    NULL };
	const char *pub[] = { "openssl", "pkey", "-in",
	    rsa, "-pubout", "-out", rsa_pub, NULL };

	(void)state;
	keydir = fixture_tmpdir("test_jwt");
	fixture_key(keydir, "rsa", "rsa2048");
	fixture_key(keydir, "ec", "p256");
	snprintf(rsa, sizeof(rsa), "%s/rsa.pem", keydir);
	snprintf(ec, sizeof(ec), "%s/ec.pem", keydir);
	/* not .pem, so not in the key set */
	snprintf(rsa_pub, sizeof(rsa_pub), "%s/rsa_pub.key", keydir);
	assert_int_equal(fixture_run(pub, NULL), 0);
	jwks[2] = keydir;
	assert_int_equal(fixture_run(jwks, &jwks_text), 0);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	fixture_rmtree(keydir);
	free(keydir);
	free(jwks_text);
	return 0;
}

UNIT_GROUP(group_setup, group_teardown)

/* The base claims with over's members set (null: removed). */
static json_t *
claims_with(json_t *over)
{
	json_t *c, *v;
	const char *k;

	c = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", ISS, "aud", AUD,
	    "sub", "user-1", "iat", (json_int_t)NOW, "exp",
	    (json_int_t)(NOW + 600), "scope", "openid read");
	if (over == NULL)
		return c;
	json_object_foreach(over, k, v) {
		if (json_is_null(v))
			json_object_del(c, k);
		else
			json_object_set(c, k, v);
	}
	return c;
}

static struct jwks *
the_keys(void)
{
	char err[256];
	struct jwks *keys;

	keys = jwks_parse(jwks_text, strlen(jwks_text), err, sizeof(err));
	assert_non_null(keys);
	assert_int_equal(jwks_count(keys), 2);
	return keys;
}

/*
 * A case of tests/fixtures/cases/jwt.json: a token signed with key ("rsa",
 * "ec", or "pub": HMAC keyed with the RSA public key's PEM; absent: none),
 * naming kid (absent: none) and alg (absent: the key's), its signature
 * broken when tampered, carrying the base claims changed by claims (a
 * null member removes one). want is what jwt_parse() and jwt_verify() make
 * of it ("ok", "invalid", "no key", or "not parsed"), and any but "ok"
 * names its reason, a part of the error.
 */
struct jwt_case {
	const char	*name;
	const char	*key, *kid, *alg;
	int		 tampered;
	json_t		*claims;
	const char	*want;
	const char	*reason;
	bool		 parses;	/* want is not "not parsed" */
	enum jwt_result	 result;	/* jwt_verify()'s, when it parses */
};

/* Case i of cases, into c. */
static void
jwt_case_get(const json_t *cases, size_t i, struct jwt_case *c)
{
	memset(c, 0, sizeof(*c));
	fixture_case_unpack(cases, i, "{s:s, s?s, s?s, s?s, s?b, s?o, s:s, "
	    "s?s}", "name", &c->name, "key", &c->key, "kid", &c->kid,
	    "alg", &c->alg, "tampered", &c->tampered, "claims", &c->claims,
	    "want", &c->want, "reason", &c->reason);
	c->parses = true;
	if (strcmp(c->want, "ok") == 0)
		c->result = JWT_OK;
	else if (strcmp(c->want, "invalid") == 0)
		c->result = JWT_INVALID;
	else if (strcmp(c->want, "no key") == 0)
		c->result = JWT_NO_KEY;
	else if (strcmp(c->want, "not parsed") == 0)
		c->parses = false;
	else
		fail_msg("%s: want '%s' is none of ok, invalid, no key, "
		    "not parsed", c->name, c->want);
	if ((strcmp(c->want, "ok") != 0) != (c->reason != NULL))
		fail_msg("%s: a reason goes with a refusal, and only there",
		    c->name);
}

/* The token case c describes: caller frees. */
static char *
jwt_case_token(const struct jwt_case *c)
{
	const char *key = NULL;
	json_t *claims;
	char *token;

	if (c->key == NULL)
		;
	else if (strcmp(c->key, "rsa") == 0)
		key = rsa;
	else if (strcmp(c->key, "ec") == 0)
		key = ec;
	else if (strcmp(c->key, "pub") == 0)
		key = rsa_pub;
	else
		fail_msg("%s: unknown key '%s' (rsa, ec or pub)", c->name,
		    c->key);
	claims = claims_with(c->claims);
	token = fixture_mint(key, c->kid, c->alg, c->tampered, claims);
	json_decref(claims);
	return token;
}

UNIT_TEST(test_cases)
{
	struct jwt_expect want = { ISS, AUD, NOW };
	json_t *cases = fixture_cases("jwt");
	struct jwks *keys = the_keys();
	struct jwt_case c;
	struct jwt *jwt;
	char err[256], *token;
	size_t i;

	for (i = 0; i < json_array_size(cases); i++) {
		jwt_case_get(cases, i, &c);
		token = jwt_case_token(&c);
		assert_true(jwt_shaped(token));
		err[0] = '\0';
		jwt = jwt_parse(token, err, sizeof(err));
		if (!c.parses) {
			if (jwt != NULL)
				fail_msg("%s: parsed", c.name);
		} else if (jwt == NULL)
			fail_msg("%s: %s", c.name, err);
		else if (jwt_verify(jwt, keys, &want, err, sizeof(err)) !=
		    c.result)
			fail_msg("%s: got '%s'", c.name, err);
		if (c.reason != NULL && strstr(err, c.reason) == NULL)
			fail_msg("%s: '%s' lacks '%s'", c.name, err, c.reason);
		jwt_free(jwt);
		free(token);
	}
	jwks_free(keys);
	json_decref(cases);
}

UNIT_TEST(test_claims_read)
{
	struct jwt_expect want = { ISS, AUD, NOW };
	struct jwks *keys = the_keys();
	json_t *claims = claims_with(NULL);
	char err[256], *token;
	struct jwt *jwt;

	token = fixture_mint(rsa, "rsa", NULL, false, claims);
	assert_non_null(jwt = jwt_parse(token, err, sizeof(err)));
	assert_string_equal(jwt_issuer(jwt), ISS);
	assert_string_equal(jwt_kid(jwt), "rsa");
	assert_int_equal(jwt_verify(jwt, keys, &want, err, sizeof(err)),
	    JWT_OK);
	assert_string_equal(jwt_subject(jwt), "user-1");
	assert_string_equal(jwt_scope(jwt), "openid read");
	jwt_free(jwt);
	free(token);
	json_decref(claims);
	jwks_free(keys);
}

/* jwt_verify() with keys of a token pem signs under kid, with claims. */
static enum jwt_result
verify_minted(const char *pem, const char *kid, const json_t *claims,
    const struct jwks *keys)
{
	struct jwt_expect want = { ISS, AUD, NOW };
	enum jwt_result res;
	char err[256], *token;
	struct jwt *jwt;

	token = fixture_mint(pem, kid, NULL, false, claims);
	assert_non_null(jwt = jwt_parse(token, err, sizeof(err)));
	res = jwt_verify(jwt, keys, &want, err, sizeof(err));
	jwt_free(jwt);
	free(token);
	return res;
}

/* With one key in the set a token need not name it. */
UNIT_TEST(test_single_key_no_kid)
{
	json_t *set, *claims = claims_with(NULL);
	char err[256], *one;
	struct jwks *keys;

	set = json_loads(jwks_text, 0, NULL);
	json_array_remove(json_object_get(set, "keys"), 0);	/* the EC */
	one = json_dumps(set, 0);
	assert_non_null(keys = jwks_parse(one, strlen(one), err,
	    sizeof(err)));
	assert_int_equal(verify_minted(rsa, NULL, claims, keys), JWT_OK);
	assert_int_equal(verify_minted(ec, NULL, claims, keys), JWT_INVALID);
	jwks_free(keys);
	free(one);
	json_decref(set);
	json_decref(claims);
}

UNIT_TEST(test_shaped)
{
	static const struct { const char *s; bool want; } rows[] = {
		{ "a.b.c", true }, { "a.b.", true }, { "eyJ.eyJ.s-_9", true },
		{ "abc", false }, { "a.b", false }, { "a..c", false },
		{ ".b.c", false }, { "a.b.c.d", false }, { "a.b.c=", false },
		{ "a b.c.d", false }, { "bk_0123456789abcdef", false },
		{ "pbom_sk_abc", false }, { "", false },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (jwt_shaped(rows[i].s) != rows[i].want)
			fail_msg("jwt_shaped(%s)", rows[i].s);
}

/* header.claims.sig from the three texts, each base64url-encoded. */
static char *
handmade(const char *hdr, const char *claims, const char *sig)
{
	char *h = base64url_encode(hdr, strlen(hdr));
	char *c = base64url_encode(claims, strlen(claims));
	char *s = base64url_encode(sig, strlen(sig));
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s.%s.%s", h, c, s);
	free(h);
	free(c);
	free(s);
	return buf_steal(&b);
}

UNIT_TEST(test_parse_refusals)
{
	static const struct { const char *hdr, *claims, *sig, *why; } rows[] = {
		{ "not json", "{}", "sig", "header" },
		{ "[1]", "{}", "sig", "header" },
		{ "{}", "{}", "sig", "no alg" },
		{ "{\"alg\":\"RS512\"}", "{}", "sig", "RS512 refused" },
		{ "{\"alg\":\"PS256\"}", "{}", "sig", "PS256 refused" },
		{ "{\"alg\":\"none\"}", "{}", "", "none refused" },
		{ "{\"alg\":\"RS256\",\"crit\":[\"b64\"]}", "{}", "sig",
		    "crit" },
		{ "{\"alg\":\"RS256\",\"kid\":7}", "{}", "sig", "kid" },
		{ "{\"alg\":\"RS256\",\"alg\":\"none\"}", "{}", "sig",
		    "header" },
		{ "{\"alg\":\"RS256\"}", "{\"iss\":\"a\",\"iss\":\"b\"}",
		    "sig", "claims" },
		{ "{\"alg\":\"RS256\"}", "\"text\"", "sig", "claims" },
		{ "{\"alg\":\"RS256\"}", "{}", "", "signature" },
	};
	char err[256], *token;
	struct jwt *jwt;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		token = handmade(rows[i].hdr, rows[i].claims, rows[i].sig);
		err[0] = '\0';
		if ((jwt = jwt_parse(token, err, sizeof(err))) != NULL)
			fail_msg("row %zu parsed", i);
		if (strstr(err, rows[i].why) == NULL)
			fail_msg("row %zu: '%s' lacks '%s'", i, err,
			    rows[i].why);
		free(token);
	}
	assert_null(jwt_parse("a.b.c=", err, sizeof(err)));
	assert_string_equal(err, "token is not a JWT");
}

/* A signature cut or flipped is refused, ES256 of the wrong size too. */
UNIT_TEST(test_signature_bytes)
{
	struct jwt_expect want = { ISS, AUD, NOW };
	struct jwks *keys = the_keys();
	json_t *claims = claims_with(NULL);
	const char *pems[2] = { rsa, ec }, *kids[2] = { "rsa", "ec" };
	char err[256], *token, *dot;
	struct jwt *jwt;
	size_t i, n;

	for (i = 0; i < 2; i++) {
		token = fixture_mint(pems[i], kids[i], NULL, false, claims);
		dot = strrchr(token, '.');
		/* one changed character of the signature */
		dot[5] = dot[5] == 'A' ? 'B' : 'A';
		assert_non_null(jwt = jwt_parse(token, err, sizeof(err)));
		assert_int_equal(jwt_verify(jwt, keys, &want, err,
		    sizeof(err)), JWT_INVALID);
		jwt_free(jwt);
		/* three bytes fewer (the new last character's spare bits 0) */
		n = strlen(token);
		token[n - 5] = 'A';
		token[n - 4] = '\0';
		assert_non_null(jwt = jwt_parse(token, err, sizeof(err)));
		assert_int_equal(jwt_verify(jwt, keys, &want, err,
		    sizeof(err)), JWT_INVALID);
		assert_non_null(strstr(err, "signature"));
		jwt_free(jwt);
		free(token);
	}
	json_decref(claims);
	jwks_free(keys);
}

/* The JWK of kid in the test key set, copied. */
static json_t *
jwk_of(const char *kid)
{
	json_t *set = json_loads(jwks_text, 0, NULL), *k, *copy = NULL;
	size_t i;

	json_array_foreach(json_object_get(set, "keys"), i, k)
		if (strcmp(json_string_value(json_object_get(k, "kid")),
		    kid) == 0)
			copy = json_deep_copy(k);
	json_decref(set);
	assert_non_null(copy);
	return copy;
}

/* Sets member m of k to the JSON v, or removes it (v NULL); m NULL: no-op. */
static void
with_member(json_t *k, const char *m, const char *v)
{
	if (m == NULL)
		return;
	if (v == NULL)
		json_object_del(k, m);
	else
		json_object_set_new(k, m, json_loads(v, JSON_DECODE_ANY,
		    NULL));
}

/* How many keys jwks_parse() keeps of {"keys": [k]}; -1 for NULL. */
static int
kept(json_t *k)
{
	json_t *set = json_pack("{s:[o]}", "keys", k);
	char *text = json_dumps(set, 0), err[256];
	struct jwks *keys;
	int n = -1;

	if ((keys = jwks_parse(text, strlen(text), err, sizeof(err))) !=
	    NULL)
		n = (int)jwks_count(keys);
	jwks_free(keys);
	free(text);
	json_decref(set);
	return n;
}

/* base64url of 31 and of 32 bytes 0x01 */
#define SHORT	"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"
#define OFF	"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"

UNIT_TEST(test_jwks_skips)
{
	/* a key of the test set with up to two members changed */
	static const struct {
		const char *kid;
		const char *m1, *v1;	/* JSON; NULL: the member removed */
		const char *m2, *v2;
		int want;		/* keys kept; -1: none */
	} rows[] = {
		{ "rsa", NULL, NULL, NULL, NULL, 1 },
		{ "ec", NULL, NULL, NULL, NULL, 1 },
		{ "rsa", "alg", NULL, "use", NULL, 1 },
		{ "rsa", "alg", "\"RS384\"", NULL, NULL, -1 },
		{ "rsa", "use", "\"enc\"", NULL, NULL, -1 },
		{ "rsa", "key_ops", "[\"encrypt\"]", NULL, NULL, -1 },
		{ "rsa", "key_ops", "[\"verify\"]", NULL, NULL, 1 },
		{ "rsa", "kid", "7", NULL, NULL, -1 },
		{ "rsa", "e", "\"AQAB=\"", NULL, NULL, -1 },
		{ "ec", "alg", "\"RS256\"", NULL, NULL, -1 },
		{ "ec", "crv", "\"P-384\"", NULL, NULL, -1 },
		/* a coordinate one byte short; a point off the curve */
		{ "ec", "x", "\"" SHORT "\"", NULL, NULL, -1 },
		{ "ec", "x", "\"" OFF "\"", "y", "\"" OFF "\"", -1 },
	};
	char zeros[64], err[256], *set_text, *dir, *small;
	const char *jwks[] = { FIXTURE_MOCK_OIDC, "jwks", NULL, NULL };
	json_t *k, *set;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		k = jwk_of(rows[i].kid);
		with_member(k, rows[i].m1, rows[i].v1);
		with_member(k, rows[i].m2, rows[i].v2);
		if (kept(k) != rows[i].want)
			fail_msg("row %zu", i);
	}
	/* a symmetric key is never a verification key here */
	memset(zeros, 'A', sizeof(zeros) - 1);
	zeros[sizeof(zeros) - 1] = '\0';
	assert_int_equal(kept(json_pack("{s:s, s:s, s:s}", "kty", "oct",
	    "kid", "rsa", "k", zeros)), -1);
	/* an RSA key under 2048 bits */
	dir = fixture_tmpdir("test_jwt_small");
	fixture_key(dir, "small", "rsa1024");
	jwks[2] = dir;
	assert_int_equal(fixture_run(jwks, &small), 0);
	assert_null(jwks_parse(small, strlen(small), err, sizeof(err)));
	assert_non_null(strstr(err, "no usable"));
	free(small);
	fixture_rmtree(dir);
	free(dir);
	/* documents that are no key set */
	assert_null(jwks_parse("nope", 4, err, sizeof(err)));
	assert_null(jwks_parse("{\"keys\":{}}", 11, err, sizeof(err)));
	assert_null(jwks_parse("{\"keys\":[]}", 11, err, sizeof(err)));
	set = json_pack("{s:[]}", "keys");
	for (i = 0; i < 65; i++)
		json_array_append_new(json_object_get(set, "keys"),
		    jwk_of("rsa"));
	set_text = json_dumps(set, 0);
	assert_null(jwks_parse(set_text, strlen(set_text), err, sizeof(err)));
	assert_non_null(strstr(err, "over 64"));
	free(set_text);
	json_decref(set);
}
