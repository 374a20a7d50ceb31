/*
 * JWT parsing, and RS256/ES256 verification with OpenSSL 3 EVP against a
 * key of a set from jwks.c; see jwt.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "base64.h"
#include "jwt.h"
#include "jwt_internal.h"
#include "util.h"

#define JWT_KID_MAX	256

const char *const jwt_alg_names[2] = { "RS256", "ES256" };

/*
 * One allocation holds the struct and what it keeps of the token: the
 * decoded signature, the signed part and the kid. Only the claims are
 * owned apart.
 */
struct jwt {
	const unsigned char *sig;	/* in text[] */
	size_t		 siglen;
	const char	*signed_part;	/* in text[]: "header.claims" */
	enum jwt_alg	 alg;
	const char	*kid;		/* in text[]; NULL: none */
	json_t		*claims;
	char		 text[];
};

static bool
jwt_b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool
jwt_kid_ok(const json_t *kid)
{
	return json_is_string(kid) && json_string_length(kid) > 0 &&
	    json_string_length(kid) <= JWT_KID_MAX &&
	    strlen(json_string_value(kid)) == json_string_length(kid);
}

bool
jwt_shaped(const char *token)
{
	size_t i, dots = 0, seg = 0;

	for (i = 0; token[i] != '\0'; i++) {
		if (i >= JWT_MAX_LEN)
			return false;
		if (token[i] == '.') {
			/* header and claims are never empty */
			if (seg == 0 || ++dots > 2)
				return false;
			seg = 0;
		} else if (jwt_b64url_char(token[i]))
			seg++;
		else
			return false;
	}
	return dots == 2;
}

/* Decodes one base64url segment holding a JSON object; NULL when not. */
static json_t *
jwt_segment_json(const char *s, size_t len)
{
	unsigned char *raw;
	json_t *v;
	size_t n;

	if ((raw = base64url_decode(s, len, &n)) == NULL)
		return NULL;
	v = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
	free(raw);
	if (v != NULL && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

/* The header's alg as ours; -1 with the reason when refused. */
static int
jwt_header_alg(const json_t *hdr, enum jwt_alg *alg, char *err,
    size_t errlen)
{
	const char *name = json_string_value(json_object_get(hdr, "alg"));
	size_t i;

	if (name == NULL) {
		snprintf(err, errlen, "token header has no alg");
		return -1;
	}
	for (i = 0; i < sizeof(jwt_alg_names) / sizeof(jwt_alg_names[0]); i++)
		if (strcmp(name, jwt_alg_names[i]) == 0) {
			*alg = (enum jwt_alg)i;
			return 0;
		}
	snprintf(err, errlen, "token alg %.32s refused (RS256 and ES256 "
	    "only)", name);
	return -1;
}

/*
 * The block is made once every part is known good: a refused token
 * leaves nothing half-built.
 */
struct jwt *
jwt_parse(const char *token, char *err, size_t errlen)
{
	const char *dot1, *dot2, *kid = NULL;
	json_t *hdr = NULL, *claims = NULL, *k;
	size_t signed_len, siglen, kid_size = 0;
	struct jwt *jwt = NULL;
	unsigned char *sig;
	enum jwt_alg alg;

	if (!jwt_shaped(token)) {
		snprintf(err, errlen, "token is not a JWT");
		goto out;
	}
	dot1 = strchr(token, '.');
	dot2 = strchr(dot1 + 1, '.');
	if ((hdr = jwt_segment_json(token, (size_t)(dot1 - token))) == NULL) {
		snprintf(err, errlen, "token header is not a JSON object");
		goto out;
	}
	if (jwt_header_alg(hdr, &alg, err, errlen) == -1)
		goto out;
	if (json_object_get(hdr, "crit") != NULL) {
		snprintf(err, errlen, "token header has crit extensions");
		goto out;
	}
	if ((k = json_object_get(hdr, "kid")) != NULL) {
		if (!jwt_kid_ok(k)) {
			snprintf(err, errlen, "token kid is not a short "
			    "string");
			goto out;
		}
		kid = json_string_value(k);
		kid_size = strlen(kid) + 1;
	}
	if ((claims = jwt_segment_json(dot1 + 1,
	    (size_t)(dot2 - dot1 - 1))) == NULL) {
		snprintf(err, errlen, "token claims are not a JSON object");
		goto out;
	}
	if ((sig = base64url_decode(dot2 + 1, strlen(dot2 + 1), &siglen)) ==
	    NULL || siglen == 0) {
		free(sig);
		snprintf(err, errlen, "token signature is missing or bad");
		goto out;
	}
	signed_len = (size_t)(dot2 - token);
	jwt = xcalloc(1, sizeof(*jwt) + siglen + signed_len + 1 + kid_size);
	jwt->sig = memcpy(jwt->text, sig, siglen);
	jwt->siglen = siglen;
	free(sig);
	jwt->signed_part = memcpy(jwt->text + siglen, token, signed_len);
	if (kid != NULL)
		jwt->kid = memcpy(jwt->text + siglen + signed_len + 1, kid,
		    kid_size);
	jwt->alg = alg;
	jwt->claims = claims;
	claims = NULL;
out:
	json_decref(hdr);
	json_decref(claims);
	return jwt;
}

void
jwt_free(struct jwt *jwt)
{
	if (jwt == NULL)
		return;
	json_decref(jwt->claims);
	free(jwt);
}

/* A string claim without embedded NULs, or NULL. */
static const char *
jwt_claim_str(const struct jwt *jwt, const char *name)
{
	const json_t *v = json_object_get(jwt->claims, name);

	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

const char *
jwt_issuer(const struct jwt *jwt)
{
	return jwt_claim_str(jwt, "iss");
}

const char *
jwt_kid(const struct jwt *jwt)
{
	return jwt->kid;
}

const char *
jwt_subject(const struct jwt *jwt)
{
	return jwt_claim_str(jwt, "sub");
}

const char *
jwt_scope(const struct jwt *jwt)
{
	return jwt_claim_str(jwt, "scope");
}

/*
 * The key for jwt: by kid (and the token's alg), else the only one.
 * NULL with *res JWT_NO_KEY or JWT_INVALID and the reason in err.
 */
static const struct jwk *
jwt_pick_key(const struct jwt *jwt, const struct jwks *keys,
    enum jwt_result *res, char *err, size_t errlen)
{
	const struct jwk *k;
	bool other_alg = false;
	size_t i;

	*res = JWT_INVALID;
	if (jwt->kid == NULL) {
		if (keys->n != 1) {
			snprintf(err, errlen, "token has no kid and the "
			    "issuer has %zu keys", keys->n);
			return NULL;
		}
		if (keys->keys[0].alg != jwt->alg) {
			snprintf(err, errlen, "token alg %s is not its key's "
			    "%s", jwt_alg_names[jwt->alg],
			    jwt_alg_names[keys->keys[0].alg]);
			return NULL;
		}
		return &keys->keys[0];
	}
	for (i = 0; i < keys->n; i++) {
		k = &keys->keys[i];
		if (k->kid == NULL || strcmp(k->kid, jwt->kid) != 0)
			continue;
		if (k->alg == jwt->alg)
			return k;
		other_alg = true;
	}
	if (other_alg)
		snprintf(err, errlen, "token alg %s is not its key's",
		    jwt_alg_names[jwt->alg]);
	else {
		*res = JWT_NO_KEY;
		snprintf(err, errlen, "no key with the token's kid");
	}
	return NULL;
}

/* ES256's raw r || s as the DER ECDSA-Sig-Value EVP wants; caller frees. */
static unsigned char *
jwt_es256_der(const unsigned char *sig, size_t siglen, size_t *derlen)
{
	unsigned char *der = NULL, *p;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int n;

	if (siglen != 2 * JWT_P256_COORD || (es = ECDSA_SIG_new()) == NULL)
		return NULL;
	r = BN_bin2bn(sig, JWT_P256_COORD, NULL);
	s = BN_bin2bn(sig + JWT_P256_COORD, JWT_P256_COORD, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	if ((n = i2d_ECDSA_SIG(es, NULL)) <= 0)
		goto out;
	p = der = xmalloc((size_t)n);
	if (i2d_ECDSA_SIG(es, &p) != n) {
		free(der);
		der = NULL;
		goto out;
	}
	*derlen = (size_t)n;
out:
	ECDSA_SIG_free(es);
	return der;
}

static bool
jwt_signature_ok(const struct jwt *jwt, const struct jwk *k)
{
	const unsigned char *sig = jwt->sig;
	unsigned char *der = NULL;
	size_t siglen = jwt->siglen;
	EVP_MD_CTX *md;
	bool ok = false;

	if (k->alg == JWT_ES256) {
		if ((der = jwt_es256_der(jwt->sig, jwt->siglen, &siglen)) ==
		    NULL)
			return false;
		sig = der;
	}
	if ((md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, k->pkey,
	    NULL) == 1)
		ok = EVP_DigestVerify(md, sig, siglen,
		    (const unsigned char *)jwt->signed_part,
		    strlen(jwt->signed_part)) == 1;
	EVP_MD_CTX_free(md);
	free(der);
	return ok;
}

/*
 * A NumericDate claim: 0 with *v, 1 when absent, -1 when not a number
 * (fractions are cut toward the past).
 */
static int
jwt_claim_time(const struct jwt *jwt, const char *name, int64_t *v)
{
	const json_t *j = json_object_get(jwt->claims, name);
	double d;

	if (j == NULL)
		return 1;
	if (json_is_integer(j)) {
		*v = (int64_t)json_integer_value(j);
		return 0;
	}
	if (!json_is_real(j))
		return -1;
	d = floor(json_real_value(j));
	if (!(d > -9.0e15 && d < 9.0e15))
		return -1;
	*v = (int64_t)d;
	return 0;
}

static bool
jwt_audience_ok(const struct jwt *jwt, const char *audience)
{
	const json_t *aud = json_object_get(jwt->claims, "aud"), *a;
	size_t i;

	if (json_is_string(aud))
		return json_string_length(aud) == strlen(audience) &&
		    strcmp(json_string_value(aud), audience) == 0;
	json_array_foreach(aud, i, a)
		if (json_is_string(a) &&
		    json_string_length(a) == strlen(audience) &&
		    strcmp(json_string_value(a), audience) == 0)
			return true;
	return false;
}

static enum jwt_result
jwt_claims_ok(const struct jwt *jwt, const struct jwt_expect *want,
    char *err, size_t errlen)
{
	const char *iss = jwt_issuer(jwt);
	int64_t exp, nbf, iat;
	int r;

	if (iss == NULL || strcmp(iss, want->issuer) != 0) {
		snprintf(err, errlen, "token iss is not the client's issuer");
		return JWT_INVALID;
	}
	if (!jwt_audience_ok(jwt, want->audience)) {
		snprintf(err, errlen, "token aud is not the client's audience");
		return JWT_INVALID;
	}
	if (jwt_claim_time(jwt, "exp", &exp) != 0) {
		snprintf(err, errlen, "token has no valid exp");
		return JWT_INVALID;
	}
	if (exp <= want->now - JWT_LEEWAY_S) {
		snprintf(err, errlen, "token expired");
		return JWT_INVALID;
	}
	if ((r = jwt_claim_time(jwt, "nbf", &nbf)) == -1 ||
	    (r == 0 && want->now + JWT_LEEWAY_S < nbf)) {
		snprintf(err, errlen, "token not yet valid (nbf)");
		return JWT_INVALID;
	}
	if ((r = jwt_claim_time(jwt, "iat", &iat)) == -1 ||
	    (r == 0 && iat > want->now + JWT_LEEWAY_S)) {
		snprintf(err, errlen, "token issued in the future (iat)");
		return JWT_INVALID;
	}
	if (json_object_get(jwt->claims, "scope") != NULL &&
	    jwt_scope(jwt) == NULL) {
		snprintf(err, errlen, "token scope is not a string");
		return JWT_INVALID;
	}
	return JWT_OK;
}

enum jwt_result
jwt_verify(const struct jwt *jwt, const struct jwks *keys,
    const struct jwt_expect *want, char *err, size_t errlen)
{
	const struct jwk *k;
	enum jwt_result res;

	if ((k = jwt_pick_key(jwt, keys, &res, err, errlen)) == NULL)
		return res;
	if (!jwt_signature_ok(jwt, k)) {
		snprintf(err, errlen, "token signature does not verify");
		return JWT_INVALID;
	}
	return jwt_claims_ok(jwt, want, err, errlen);
}
