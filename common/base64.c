/*
 * Base64 encoding and strict decoding in both RFC 4648 alphabets; see
 * base64.h. Decoding refuses anything a second encoder would not write.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "util.h"

static const char base64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char base64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *
base64_encode_with(const unsigned char *p, size_t n, const char *abc,
    bool pad)
{
	char *out, *o;
	uint32_t v;
	size_t i;

	o = out = xmalloc((n + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		*o++ = abc[v >> 6 & 63];
		*o++ = abc[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		if (pad) {
			*o++ = '=';
			*o++ = '=';
		}
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		*o++ = abc[v >> 6 & 63];
		if (pad)
			*o++ = '=';
	}
	*o = '\0';
	return out;
}

char *
base64_encode(const void *p, size_t n)
{
	return base64_encode_with(p, n, base64_std, true);
}

char *
base64url_encode(const void *p, size_t n)
{
	return base64_encode_with(p, n, base64_url, false);
}

/*
 * The 6-bit value of c: its place in the alphabet the encoder writes with,
 * or -1 (also for '=').
 */
static int
base64_value(unsigned char c, const char *abc)
{
	const char *p;

	if (c == '\0' || (p = strchr(abc, c)) == NULL)
		return -1;
	return (int)(p - abc);
}

static unsigned char *
base64_decode_with(const char *s, size_t len, const char *abc, bool pad,
    size_t *outlen)
{
	unsigned char *out = NULL;
	uint32_t v = 0;
	size_t i, n = 0;
	int c;

	if (pad && len > 0 && len % 4 == 0 && s[len - 1] == '=') {
		len--;
		if (s[len - 1] == '=')
			len--;
	}
	if (len % 4 == 1)
		return NULL;
	out = xmalloc(len / 4 * 3 + 3);
	for (i = 0; i < len; i++) {
		if ((c = base64_value((unsigned char)s[i], abc)) == -1)
			goto bad;
		v = v << 6 | (uint32_t)c;
		if (i % 4 == 3) {
			out[n++] = v >> 16 & 0xff;
			out[n++] = v >> 8 & 0xff;
			out[n++] = v & 0xff;
			v = 0;
		}
	}
	/* a canonical encoder leaves the unused low bits zero */
	switch (len % 4) {
	case 2:
		if (v & 0xf)
			goto bad;
		out[n++] = v >> 4 & 0xff;
		break;
	case 3:
		if (v & 0x3)
			goto bad;
		out[n++] = v >> 10 & 0xff;
		out[n++] = v >> 2 & 0xff;
		break;
	}
	out[n] = '\0';
	*outlen = n;
	return out;
bad:
	free(out);
	return NULL;
}

unsigned char *
base64_decode(const char *s, size_t len, size_t *outlen)
{
	return base64_decode_with(s, len, base64_std, true, outlen);
}

unsigned char *
base64url_decode(const char *s, size_t len, size_t *outlen)
{
	return base64_decode_with(s, len, base64_url, false, outlen);
}
