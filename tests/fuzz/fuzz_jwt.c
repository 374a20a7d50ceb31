/*
 * Fuzzes bearer tokens: jwt_shaped() and jwt_parse() on the token text,
 * then jwt_verify() against a fixed key set (one RS256, one ES256 key;
 * the seeds are tokens these keys signed, so the claim checks are reached).
 * Also the base64url decoder under the token, and its round trip.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "fuzz.h"
#include "jwks.h"
#include "jwt.h"

/* Public keys only; their private halves signed the seeds, then went. */
static const char fuzz_jwt_keys[] =
	"{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"rsa\",\"use\":\"sig\",\"alg\":"
	"\"RS256\",\"n\":\"lyroYNRZ8JOQWGX3Sn0BiSx1YXD6JT9WOHqfS8N19FIY5IoenP"
	"cZjvGLww7vVNjdZPczvUl4ilspEp-WMgRZhVVTPF9c4uPrtTNMzZyZjkyPF29rwxQpQJ"
	"Gt6rl-krKQbJUR0sSqLapiaWbHsxZLtSuZr4ct5WZyV1hO6yfhFVtsw2V9poNLwI265D"
	"7L-QIwwXYPmJNLxUZWosAh0PGvK8cMY4L3ePhnsIi-sOoiMxcO4rG8Ky-9ggXjYM6y-W"
	"e3azHcYCYnB7Mn8o1RNzhIZrQ56lrmJvY4xJ4eeKpgGVKFtwUfViA0Rw5GhfyEjDSaJt"
	"LgB8_46hLLIIixqMYIqw\",\"e\":\"AQAB\"},{\"kty\":\"EC\",\"kid\":\"ec"
	"\",\"use\":\"sig\",\"alg\":\"ES256\",\"crv\":\"P-256\",\"x\":\"eeA0N"
	"oIHOr_SbXBhN-PvxBOSfp158OQXYpT1kRI8GSU\",\"y\":\"3lPpt4JIu7lkE9VNOco"
	"0dgBn6qL28SNoX_zPoo4r-vs\"}]}";

static struct jwks *fuzz_jwt_set;

/* base64url of the input decodes back to it. */
static void
fuzz_jwt_base64(const uint8_t *data, size_t size)
{
	unsigned char *back;
	char *enc;
	size_t n;

	enc = base64url_encode(data, size);
	back = base64url_decode(enc, strlen(enc), &n);
	assert(back != NULL && n == size && memcmp(back, data, n) == 0);
	free(back);
	free(enc);
	/* the input as base64url text: canonical or refused */
	if ((back = base64url_decode((const char *)data, size, &n)) != NULL) {
		enc = base64url_encode(back, n);
		assert(strlen(enc) == size && memcmp(enc, data, size) == 0);
		free(enc);
		free(back);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct jwt_expect want = {
		"https://issuer.example", "bomd", 1767225600	/* 2026-01-01 */
	};
	struct jwt *jwt;
	char *token, err[256];
	enum jwt_result r;

	if (fuzz_jwt_set == NULL) {
		fuzz_jwt_set = jwks_parse(fuzz_jwt_keys,
		    sizeof(fuzz_jwt_keys) - 1, err, sizeof(err));
		assert(fuzz_jwt_set != NULL && jwks_count(fuzz_jwt_set) == 2);
	}
	fuzz_jwt_base64(data, size);
	token = fuzz_str(data, size);
	(void)jwt_shaped(token);
	err[0] = '\0';
	if ((jwt = jwt_parse(token, err, sizeof(err))) == NULL) {
		assert(err[0] != '\0');
		free(token);
		return 0;
	}
	(void)jwt_issuer(jwt);
	(void)jwt_kid(jwt);
	(void)jwt_subject(jwt);
	(void)jwt_scope(jwt);
	err[0] = '\0';
	r = jwt_verify(jwt, fuzz_jwt_set, &want, err, sizeof(err));
	assert(r == JWT_OK || err[0] != '\0');
	jwt_free(jwt);
	free(token);
	return 0;
}
