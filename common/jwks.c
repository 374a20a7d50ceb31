/*
 * JSON Web Key Sets: RSA and EC P-256 public keys made into EVP_PKEYs with
 * OSSL_PARAM_BLD and EVP_PKEY_fromdata, then checked; see jwks.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base64.h"
#include "jwks.h"
#include "jwt_internal.h"
#include "util.h"

#define JWKS_MAX_KEYS		64
#define JWKS_RSA_MIN_BITS	2048
#define JWKS_RSA_MAX_BITS	8192

/* A base64url member of a JWK as a BIGNUM of 1..max bytes, or NULL. */
static BIGNUM *
jwks_bn(const json_t *jwk, const char *name, size_t max)
{
	const char *s = json_string_value(json_object_get(jwk, name));
	unsigned char *raw;
	BIGNUM *bn = NULL;
	size_t n;

	if (s == NULL || (raw = base64url_decode(s, strlen(s), &n)) == NULL)
		return NULL;
	if (n >= 1 && n <= max)
		bn = BN_bin2bn(raw, (int)n, NULL);
	free(raw);
	return bn;
}

/*
 * The public key the params describe, checked, of min..max bits; NULL
 * when they describe none.
 */
static EVP_PKEY *
jwks_fromdata(const char *type, OSSL_PARAM_BLD *bld, int min, int max)
{
	EVP_PKEY_CTX *ctx = NULL, *check = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	/* an EC point off the curve, an even RSA modulus, a short key */
	if ((check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_public_check(check) != 1 ||
	    EVP_PKEY_get_bits(pkey) < min || EVP_PKEY_get_bits(pkey) > max) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *
jwks_rsa(const json_t *jwk)
{
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n, *e;

	n = jwks_bn(jwk, "n", JWKS_RSA_MAX_BITS / 8 + 1);
	e = jwks_bn(jwk, "e", 8);
	if (n != NULL && e != NULL && (bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1)
		pkey = jwks_fromdata("RSA", bld, JWKS_RSA_MIN_BITS,
		    JWKS_RSA_MAX_BITS);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

static EVP_PKEY *
jwks_p256(const json_t *jwk)
{
	unsigned char pub[1 + 2 * JWT_P256_COORD];
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	const char *coord[2] = { "x", "y" };
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char *raw;
	const char *s;
	size_t i, n;

	if (crv == NULL || strcmp(crv, "P-256") != 0)
		return NULL;
	pub[0] = 0x04;		/* uncompressed point */
	for (i = 0; i < 2; i++) {
		if ((s = json_string_value(json_object_get(jwk,
		    coord[i]))) == NULL ||
		    (raw = base64url_decode(s, strlen(s), &n)) == NULL)
			return NULL;
		if (n == JWT_P256_COORD)
			memcpy(pub + 1 + i * JWT_P256_COORD, raw, n);
		free(raw);
		if (n != JWT_P256_COORD)
			return NULL;
	}
	if ((bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, sizeof(pub)) == 1)
		pkey = jwks_fromdata("EC", bld, 256, 256);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* True when the JWK's optional use, key_ops and alg allow alg. */
static bool
jwks_usable(const json_t *jwk, enum jwt_alg alg)
{
	const json_t *ops = json_object_get(jwk, "key_ops"), *op;
	const json_t *use = json_object_get(jwk, "use");
	const json_t *a = json_object_get(jwk, "alg");
	bool verify = false;
	size_t i;

	if (use != NULL && (!json_is_string(use) ||
	    strcmp(json_string_value(use), "sig") != 0))
		return false;
	if (a != NULL && (!json_is_string(a) ||
	    strcmp(json_string_value(a), jwt_alg_names[alg]) != 0))
		return false;
	if (ops == NULL)
		return true;
	json_array_foreach(ops, i, op)
		if (json_is_string(op) &&
		    strcmp(json_string_value(op), "verify") == 0)
			verify = true;
	return verify;
}

/* Adds one JWK to keys when usable; false when skipped. */
static bool
jwks_add(struct jwks *keys, const json_t *jwk)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const json_t *kid = json_object_get(jwk, "kid");
	enum jwt_alg alg;
	EVP_PKEY *pkey;
	struct jwk *k;

	if (kty == NULL)
		return false;
	if (strcmp(kty, "RSA") == 0)
		alg = JWT_RS256;
	else if (strcmp(kty, "EC") == 0)
		alg = JWT_ES256;
	else
		return false;
	if (kid != NULL && !jwt_kid_ok(kid))
		return false;
	if (!jwks_usable(jwk, alg))
		return false;
	pkey = alg == JWT_RS256 ? jwks_rsa(jwk) : jwks_p256(jwk);
	if (pkey == NULL)
		return false;
	k = &keys->keys[keys->n++];
	k->kid = kid != NULL ? xstrdup(json_string_value(kid)) : NULL;
	k->alg = alg;
	k->pkey = pkey;
	return true;
}

struct jwks *
jwks_parse(const char *json, size_t len, char *err, size_t errlen)
{
	struct jwks *keys = NULL;
	const json_t *list, *jwk;
	json_t *doc;
	size_t i, skipped = 0;

	if ((doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL)) ==
	    NULL || !json_is_array(list = json_object_get(doc, "keys"))) {
		snprintf(err, errlen, "key set is not {\"keys\": [...]}");
		goto out;
	}
	if (json_array_size(list) > JWKS_MAX_KEYS) {
		snprintf(err, errlen, "key set has over %d keys",
		    JWKS_MAX_KEYS);
		goto out;
	}
	keys = xcalloc(1, sizeof(*keys));
	keys->keys = xcalloc(json_array_size(list) + 1, sizeof(*keys->keys));
	json_array_foreach(list, i, jwk)
		if (!json_is_object(jwk) || !jwks_add(keys, jwk))
			skipped++;
	if (keys->n == 0) {
		snprintf(err, errlen, "key set has no usable RS256 or ES256 "
		    "key (%zu skipped)", skipped);
		jwks_free(keys);
		keys = NULL;
	}
out:
	json_decref(doc);
	return keys;
}

void
jwks_free(struct jwks *keys)
{
	size_t i;

	if (keys == NULL)
		return;
	for (i = 0; i < keys->n; i++) {
		free(keys->keys[i].kid);
		EVP_PKEY_free(keys->keys[i].pkey);
	}
	free(keys->keys);
	free(keys);
}

size_t
jwks_count(const struct jwks *keys)
{
	return keys->n;
}
