/*
 * Small helpers shared by every module: allocation that never returns NULL,
 * checked number parsing, money in int64 micro-units, a growable buffer,
 * UTF-8 cuts and error messages, random ids and RFC 3339 timestamps.
 */
#ifndef BOMD_UTIL_H
#define BOMD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MICROS_PER_UNIT	((int64_t)1000000)

/* Allocation: call fatal() on out-of-memory, never return NULL. */
void	*xmalloc(size_t n);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *p, size_t n);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/*
 * Copies the strings the n fields point at into one block and points each
 * field at its copy (a NULL field stays NULL). Returns the block, NULL when
 * every field is NULL, and its size in *len when len is not NULL. The
 * strings may lie in a block the caller frees afterwards.
 */
char	*xstrs_pack(const char **const *fields, size_t n, size_t *len);

/*
 * Parses a whole string as a base-10 int64 within [min, max]. Leading and
 * trailing blanks are allowed; anything else (empty, junk, overflow) is an
 * error. Returns 0, or -1 with a short reason in *why.
 */
int	parse_i64(const char *s, int64_t min, int64_t max, int64_t *out,
	    const char **why);

/*
 * Parses a decimal amount such as "0.10", "12", "1.234567" into micro-units
 * (6 decimals; more digits are an error, not rounded). Negative amounts are
 * rejected. Returns 0, or -1 with a reason in *why.
 */
int	parse_money(const char *s, int64_t *micros, const char **why);

/*
 * How a parser that names its reason answers: 0 when reason is NULL, else
 * -1 with reason in *why (why may be NULL). The parser's own steps return
 * the reason (NULL: accepted), so none of them has to mind a NULL why.
 */
int	parse_result(const char *reason, const char **why);

/*
 * Formats micro-units as a decimal string with at least 2 and at most 6
 * decimals ("0.10", "1.234567"). buf should hold 32 bytes.
 */
void	money_format(int64_t micros, char *buf, size_t len);

/* Micro-units as a double in currency units, for JSON output only. */
double	money_to_double(int64_t micros);

/* Overflow-checked arithmetic: 0 on success, -1 on overflow. */
int	i64_mul(int64_t a, int64_t b, int64_t *out);
int	i64_add(int64_t a, int64_t b, int64_t *out);

/* A growable, always NUL-terminated byte buffer. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	bool	 sink;	/* discards what is written (buf_init_sink()) */
};

void	buf_init(struct buf *b);
/* A buffer that discards everything: text nobody will read costs nothing. */
void	buf_init_sink(struct buf *b);
void	buf_free(struct buf *b);
/* Room for extra more bytes and the NUL (not for a sink). */
void	buf_reserve(struct buf *b, size_t extra);
void	buf_append(struct buf *b, const void *p, size_t n);
void	buf_puts(struct buf *b, const char *s);
void	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string (UTF-8 passed through, quotes and control
 * characters escaped), and v as a JSON integer. */
void	buf_jstr(struct buf *b, const char *s);
void	buf_jint(struct buf *b, int64_t v);
/*
 * Appends s as jansson writes json_string(s) in a compact dump (no
 * JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH): \b \f \n \r \t, other
 * controls as \u00XX (upper case). Returns -1 and appends nothing when
 * jansson would refuse s: not UTF-8 (overlong forms, surrogates and code
 * points past U+10FFFF included).
 */
int	buf_jansson_str(struct buf *b, const char *s);
/*
 * Hands the data to the caller (free() it), cut to its length, and resets
 * the buffer.
 */
char	*buf_steal(struct buf *b);

/*
 * An answer read into buf, at most max bytes: a longer one sets over and
 * keeps only what came before it.
 */
struct buf_cap {
	struct buf	 buf;
	size_t		 max;
	bool		 over;
};

/*
 * libcurl's CURLOPT_WRITEFUNCTION for a struct buf_cap (arg): appends
 * size * n bytes, or returns 0, which stops the transfer, when they would
 * take the buffer past max.
 */
size_t	buf_cap_write(char *p, size_t size, size_t n, void *arg);

/*
 * Length of the longest prefix of s[0..n) that does not end inside a UTF-8
 * character: n when s[0..n) ends on a character boundary. Cutting text to
 * at most max bytes is s[0..utf8_prefix(s, max)) when it is longer.
 */
size_t	utf8_prefix(const char *s, size_t n);
/*
 * Length of the valid UTF-8 sequence at s[0..n) (s[0] >= 0x80: no
 * overlong forms, surrogates or code points past U+10FFFF), or 0.
 */
size_t	utf8_seq(const unsigned char *s, size_t n);
/* Writes code point cp (<= U+10FFFF) as UTF-8 at out: 1 to 4 bytes. */
size_t	utf8_put(char *out, uint32_t cp);
/*
 * Formats a message into err like snprintf(), cut on a UTF-8 character
 * boundary when it does not fit; nothing when err is NULL or errlen 0.
 */
void	err_printf(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * The names of an enum's values, indexed by value: one table and the two
 * functions below serve every enum, both ways. An enum lists each value
 * once beside its name, as X(VALUE, "name") rows that make both:
 *
 *	#define FRUITS(X)	X(FRUIT_APPLE, "apple") X(FRUIT_PEAR, "pear")
 *	enum fruit { FRUITS(NAME_TABLE_ENUM) };
 *	const struct name_table fruit_names = { "other",
 *	    { FRUITS(NAME_TABLE_ROW) } };
 */
#define NAME_TABLE_MAX	8
#define NAME_TABLE_ENUM(v, name)	v,
#define NAME_TABLE_ROW(v, name)		[v] = name,
struct name_table {
	const char	*other;		/* the name of any other value */
	const char	*names[NAME_TABLE_MAX]; /* NULL: a value without one */
};

/*
 * The value whose name is s, ASCII case ignored; -1 when no value has that
 * name or s is NULL.
 */
int	name_index(const struct name_table *t, const char *s);
/* The name of value i; t->other when it has none. */
const char *name_of(const struct name_table *t, int i);

/* Fills p with n bytes from the OS random source. 0 or -1. */
int	random_bytes(void *p, size_t n);
/* The text length of a UUID, and its buffer size with the NUL. */
#define UUID_STRLEN	36
#define UUID_BUFSZ	(UUID_STRLEN + 1)
/* Writes a random RFC 4122 version 4 UUID. 0 or -1. */
int	uuid_v4(char out[UUID_BUFSZ]);
/* True when s is a canonical (lower or upper case) UUID. */
bool	uuid_valid(const char *s);
/* The 64-bit FNV-1a hash of s, for tables in memory (not a secret). */
uint64_t str_hash(const char *s);
/* Whether s contains needle, in any case (ASCII); false for a NULL s. */
bool	str_contains_ci(const char *s, const char *needle);
/* Hex-encodes n bytes into out (2n+1 bytes). */
void	hex_encode(const unsigned char *p, size_t n, char *out);
/* The value of hex digit c (either case), or -1 when c is not one. */
int	hex_value(int c);

/* Formats t as RFC 3339 UTC ("2026-11-25T17:43:47Z"); out holds 32 bytes. */
void	time_rfc3339(time_t t, char *out, size_t len);
/* Monotonic clock in milliseconds. */
int64_t	now_ms(void);
/* Wall clock (Unix epoch) in milliseconds. */
int64_t	wall_ms(void);

#endif
