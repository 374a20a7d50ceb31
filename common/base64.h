/*
 * Base64 (RFC 4648): the standard alphabet, as X-PAYMENT and
 * X-PAYMENT-RESPONSE carry it, and the URL-safe one without padding, as
 * JWTs and JWKs carry it. Decoding is strict: no blanks, no stray bits.
 */
#ifndef BOMD_BASE64_H
#define BOMD_BASE64_H

#include <stddef.h>

/* Standard alphabet with "=" padding. Never NULL; caller frees. */
char		*base64_encode(const void *p, size_t n);
/* URL-safe alphabet, no padding. Never NULL; caller frees. */
char		*base64url_encode(const void *p, size_t n);

/*
 * Decodes len bytes of s (standard alphabet; the padding may be left out,
 * but when present it must be right). Returns the bytes with a NUL after
 * them (not counted in *outlen), or NULL when s is not canonical base64.
 * Caller frees.
 */
unsigned char	*base64_decode(const char *s, size_t len, size_t *outlen);
/* The same for the URL-safe alphabet; "=" is refused. */
unsigned char	*base64url_decode(const char *s, size_t len, size_t *outlen);

#endif
