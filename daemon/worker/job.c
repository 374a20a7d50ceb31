/*
 * Job parsing and bookkeeping: the request's fields checked once, the
 * error text, the LLM-mode lines packed while they wait, and job-scoped
 * log lines (the trace is job_trace.c's).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>
#include <zlib.h>

#include "bom.h"
#include "job.h"
#include "log.h"
#include "queue.h"
#include "sourcing.h"
#include "util.h"

struct job *
job_new(const char *stream_id)
{
	struct job *job;

	job = xcalloc(1, sizeof(*job));
	snprintf(job->stream_id, sizeof(job->stream_id), "%s", stream_id);
	buf_init(&job->trace);
	job->warnings = json_array();
	return job;
}

void
job_free(struct job *job)
{
	size_t i;

	if (job == NULL)
		return;
	free(job->bom_csv);
	free(job->bom_filename);
	free(job->project_name);
	free(job->basis);
	json_decref(job->sets);
	json_decref(job->req);
	json_decref(job->own_intake);
	free(job->context_text);
	json_decref(job->context);
	json_decref(job->totals);
	json_decref(job->warnings);
	buf_free(&job->trace);
	json_decref(job->llm_calls);
	bom_free(job->bom);
	for (i = 0; i < job->ndecisions; i++) {
		line_decision_free(&job->decisions[i]);
		if (job->od_text != NULL)
			free(job->od_text[i]);
	}
	free(job->decisions);
	free(job->od_text);
	free(job->od_z);
	free(job);
}

int
job_od_pack(struct job *job)
{
	unsigned char *z;
	uLongf zlen;
	struct buf b;
	size_t i;

	if (job->od_z != NULL) {
		/* packed already: the texts are a copy (job_od_peek()) */
		job_od_unpeek(job);
		return 0;
	}
	if (job->od_text == NULL)
		return 0;
	/* each line's text and its NUL; a line without one is "" */
	buf_init(&b);
	for (i = 0; i < job->ndecisions; i++) {
		if (job->od_text[i] != NULL)
			buf_puts(&b, job->od_text[i]);
		buf_append(&b, "", 1);
	}
	zlen = compressBound((uLong)b.len);
	z = xmalloc(zlen);
	if (compress2(z, &zlen, (const Bytef *)b.data, (uLong)b.len,
	    Z_BEST_SPEED) != Z_OK) {
		free(z);
		buf_free(&b);
		return -1;
	}
	job->od_rawlen = b.len;
	buf_free(&b);
	job->od_z = xrealloc(z, zlen);
	job->od_zlen = zlen;
	for (i = 0; i < job->ndecisions; i++)
		free(job->od_text[i]);
	free(job->od_text);
	job->od_text = NULL;
	return 0;
}

/* job->od_text from job->od_z; od_z goes unless keep. 0, or -1. */
static int
job_od_inflate(struct job *job, bool keep)
{
	char *raw, *p, *end;
	uLongf len;
	size_t i;

	if (job->od_z == NULL)
		return 0;
	if (job->od_text != NULL) {
		/* a copy read before: it is the packed texts */
		if (!keep) {
			free(job->od_z);
			job->od_z = NULL;
			job->od_zlen = job->od_rawlen = 0;
		}
		return 0;
	}
	len = (uLongf)job->od_rawlen;
	raw = xmalloc(job->od_rawlen + 1);
	if (uncompress((Bytef *)raw, &len, job->od_z,
	    (uLong)job->od_zlen) != Z_OK || len != job->od_rawlen) {
		free(raw);
		return -1;
	}
	raw[len] = '\0';
	job->od_text = xcalloc(job->ndecisions + 1, sizeof(*job->od_text));
	end = raw + len;
	for (i = 0, p = raw; i < job->ndecisions && p < end; i++) {
		if (*p != '\0')
			job->od_text[i] = xstrdup(p);
		p += strlen(p) + 1;
	}
	free(raw);
	if (!keep) {
		free(job->od_z);
		job->od_z = NULL;
		job->od_zlen = job->od_rawlen = 0;
	}
	return 0;
}

int
job_od_unpack(struct job *job)
{
	return job_od_inflate(job, false);
}

int
job_od_peek(struct job *job)
{
	return job_od_inflate(job, true);
}

void
job_od_unpeek(struct job *job)
{
	size_t i;

	if (job->od_z == NULL || job->od_text == NULL)
		return;
	for (i = 0; i < job->ndecisions; i++)
		free(job->od_text[i]);
	free(job->od_text);
	job->od_text = NULL;
}

void
job_seterr(struct job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(job->error, sizeof(job->error), fmt, ap);
	va_end(ap);
}

static const char *
job_str(const json_t *req, const char *key, size_t max, struct job *job,
    int *bad)
{
	const json_t *v = json_object_get(req, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || json_string_length(v) > max) {
		job_seterr(job, "job field %s: expected a string of at most "
		    "%zu bytes", key, max);
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

/* Copies a canonical UUID in lower case. */
static void
job_lower_copy(char dst[UUID_BUFSZ], const char *uuid)
{
	size_t i;

	for (i = 0; i < UUID_STRLEN && uuid[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)uuid[i]);
	dst[i] = '\0';
}

/*
 * The project of an inline job, derived from client and job id (SHA-256,
 * as an RFC 9562 version 8 UUID), so every try of the job names the same
 * project and a retry finds its live progress.
 */
static void
job_project_id(struct job *job)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char in[sizeof(job->client_id) + sizeof(job->job_id) + 1], hex[33];
	int n;

	n = snprintf(in, sizeof(in), "%s\n%s", job->client_id, job->job_id);
	SHA256((const unsigned char *)in, (size_t)n, md);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x80);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	hex_encode(md, 16, hex);
	snprintf(job->project_id, sizeof(job->project_id),
	    "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
	    hex + 20);
}

/* The top-level strings of a job, in the order they are checked. */
enum {
	JF_CLIENT, JF_JOB, JF_PROJECT, JF_CSV, JF_FILENAME, JF_NAME, JF_N
};

static const struct {
	const char	*key;
	size_t		 max;	/* bytes */
} job_fields[JF_N] = {
	{ "client_id", 64 },
	{ "job_id", 128 },
	{ "project_id", 64 },
	{ "bom_csv", QUEUE_MAX_JOB },
	{ "bom_filename", 255 },
	{ "project_name", 200 },
};

/*
 * The checks of a parsed job: f[] holds the strings (NULL when absent or
 * null), each within its bound. 0, or -1 with job->error set. The caller
 * keeps f[JF_CSV]'s text as job->bom_csv: the scan hands over the copy it
 * decoded, jansson's path copies it.
 */
static int
job_apply(struct job *job, const char *const f[JF_N])
{
	const char *client = f[JF_CLIENT], *jid = f[JF_JOB];
	const char *pid = f[JF_PROJECT], *csv = f[JF_CSV];

	if (client == NULL || !uuid_valid(client)) {
		job_seterr(job, "job field client_id: missing or not a "
		    "client id");
		return -1;
	}
	/* one spelling of an id: lower case (row-level security compares) */
	job_lower_copy(job->client_id, client);
	if (jid != NULL && jid[0] == '\0') {
		job_seterr(job, "job field job_id: empty");
		return -1;
	}
	/* without an idempotency key the stream entry is the job */
	snprintf(job->job_id, sizeof(job->job_id), "%s",
	    jid ? jid : job->stream_id);
	if (pid != NULL) {
		if (!uuid_valid(pid)) {
			job_seterr(job, "job field project_id: not a project "
			    "id");
			return -1;
		}
		job_lower_copy(job->project_id, pid);
		job->reprocess = true;
	} else if (csv == NULL) {
		job_seterr(job, "job needs bom_csv or project_id");
		return -1;
	}
	if (pid == NULL)	/* a new project: its id follows from the job */
		job_project_id(job);
	return 0;
}

int
job_parse_jansson(struct job *job, const char *text, size_t len)
{
	json_error_t jerr;
	const char *f[JF_N], *s;
	int bad = 0;
	size_t i;

	job->req_text = text;
	job->req_len = len;
	job->req = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (job->req == NULL || !json_is_object(job->req)) {
		job_seterr(job, "job is not a JSON object: %s",
		    job->req ? "wrong type" : jerr.text);
		return -1;
	}
	for (i = JF_CLIENT; i <= JF_CSV; i++)
		f[i] = job_str(job->req, job_fields[i].key, job_fields[i].max,
		    job, &bad);
	if (bad)
		return -1;
	f[JF_FILENAME] = f[JF_NAME] = NULL;
	if (job_apply(job, f) == -1)
		return -1;
	if (f[JF_CSV] != NULL)
		job->bom_csv = xstrdup(f[JF_CSV]);
	if ((s = job_str(job->req, "bom_filename", 255, job, &bad)) != NULL)
		job->bom_filename = xstrdup(s);
	if ((s = job_str(job->req, "project_name", 200, job, &bad)) != NULL)
		job->project_name = xstrdup(s);
	if (bad)
		return -1;
	job->intake = json_object_get(job->req, "intake");
	if (job->intake != NULL && json_is_null(job->intake))
		job->intake = NULL;
	if (job->intake != NULL && !json_is_object(job->intake)) {
		job_seterr(job, "job field intake: expected an object");
		return -1;
	}
	return 0;
}

/*
 * The direct scan: a JSON object whose known keys hold strings or null
 * (intake: an object or null), each key once and without escapes. It
 * accepts only what jansson accepts, with the same values; whatever it
 * does not handle (other types, escaped keys, deep nesting, bad text)
 * goes to jansson, which then says what is wrong.
 */
#define JOB_SCAN_KEYS	32	/* keys of the top level */
#define JOB_SCAN_DEPTH	64	/* nesting of a value parsed alone */

struct job_scan {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	char		*str[JF_N];	/* decoded, owned */
	json_t		*intake;
	size_t		 intake_off;	/* its text */
	size_t		 intake_len;
	size_t		 keys[JOB_SCAN_KEYS][2];	/* offset, length */
	size_t		 nkeys;
};

static void
job_scan_ws(struct job_scan *sc)
{
	while (sc->pos < sc->len && (sc->s[sc->pos] == ' ' ||
	    sc->s[sc->pos] == '\t' || sc->s[sc->pos] == '\n' ||
	    sc->s[sc->pos] == '\r'))
		sc->pos++;
}

static int
job_hex4(const char *p, uint32_t *v)
{
	size_t i;
	int d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
			d = (p[i] | 0x20) - 'a' + 10;
		else
			return -1;
		*v = (*v << 4) | (uint32_t)d;
	}
	return 0;
}


/* The escape at p[0..end) (p[0] is the backslash): its code point. */
static int
job_scan_escape(const char *p, const char *end, uint32_t *cp, size_t *used)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *c;
	uint32_t lo;

	if (end - p < 2)
		return -1;
	if (p[1] != 'u') {
		if (p[1] == '\0' || (c = strchr(from, p[1])) == NULL)
			return -1;
		*cp = (unsigned char)to[c - from];
		*used = 2;
		return 0;
	}
	if (end - p < 6 || job_hex4(p + 2, cp) == -1 || *cp == 0)
		return -1;
	*used = 6;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return -1;
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
	    job_hex4(p + 8, &lo) == -1 || lo < 0xdc00 || lo > 0xdfff)
		return -1;
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	*used = 12;
	return 0;
}

/*
 * True when none of the eight bytes at p needs a look of its own: a
 * quote, a backslash, a control character or a byte of a multi-byte
 * character (the tests may err towards a look, never away from one).
 */
static inline bool
job_plain8(const char *p)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t w, q, b;

	memcpy(&w, p, 8);
	q = w ^ (ones * '"');
	b = w ^ (ones * '\\');
	return ((w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
	    ((b - ones) & ~b)) & high) == 0;
}

/*
 * The string at sc->pos (its opening quote), decoded into a new
 * NUL-terminated copy in *out (when out is not NULL) of *outlen bytes.
 */
static int
job_scan_string(struct job_scan *sc, char **out, size_t *outlen)
{
	const char *s = sc->s, *p, *end = sc->s + sc->len, *close;
	char *o = NULL;
	size_t n = 0, k, used;
	uint32_t cp;

	/* its closing quote: the first one no backslash escapes */
	for (p = s + sc->pos + 1; p < end && *p != '"'; p++) {
		while (end - p > 8 && job_plain8(p))
			p += 8;
		if (*p == '"')
			break;
		if (*p == '\\' && ++p == end)
			return -1;
	}
	if (p == end)
		return -1;
	close = p;
	if (out != NULL)
		o = xmalloc((size_t)(close - (s + sc->pos)));
	for (p = s + sc->pos + 1; p < close; ) {
		unsigned char c;

		if (close - p >= 8 && job_plain8(p)) {
			if (o != NULL)
				memcpy(o + n, p, 8);
			n += 8;
			p += 8;
			continue;
		}
		c = (unsigned char)*p;

		if (c >= 0x20 && c < 0x80 && c != '\\') {
			if (o != NULL)
				o[n] = (char)c;
			n++;
			p++;
			continue;
		}
		if (c < 0x20)
			goto bad;
		if (c == '\\') {
			if (job_scan_escape(p, close, &cp, &used) == -1)
				goto bad;
			p += used;
			if (o != NULL)
				n += utf8_put(o + n, cp);
			continue;
		}
		if ((k = utf8_seq((const unsigned char *)p,
		    (size_t)(close - p))) == 0)
			goto bad;
		if (o != NULL)
			memcpy(o + n, p, k);
		n += k;
		p += k;
	}
	if (o != NULL) {
		o[n] = '\0';
		*out = o;
		*outlen = n;
	}
	sc->pos = (size_t)(close - s) + 1;
	return 0;
bad:
	free(o);
	return -1;
}

/* Any value, parsed alone by jansson; a new reference or NULL. */
static json_t *
job_scan_value(struct job_scan *sc)
{
	const char *s = sc->s;
	size_t start = sc->pos, depth = 0;
	json_error_t jerr;

	if (s[sc->pos] == '"') {
		if (job_scan_string(sc, NULL, NULL) == -1)
			return NULL;
	} else if (s[sc->pos] == '{' || s[sc->pos] == '[') {
		do {
			if (s[sc->pos] == '"') {
				if (job_scan_string(sc, NULL, NULL) == -1)
					return NULL;
				continue;
			}
			if (s[sc->pos] == '{' || s[sc->pos] == '[') {
				if (++depth > JOB_SCAN_DEPTH)
					return NULL;
			} else if (s[sc->pos] == '}' || s[sc->pos] == ']')
				depth--;
			sc->pos++;
		} while (depth > 0 && sc->pos < sc->len);
		if (depth > 0)
			return NULL;
	} else
		while (sc->pos < sc->len && strchr(",}] \t\r\n",
		    s[sc->pos]) == NULL)
			sc->pos++;
	return json_loadb(s + start, sc->pos - start, JSON_DECODE_ANY |
	    JSON_REJECT_DUPLICATES, &jerr);
}

/* True when the null literal is at sc->pos (then skipped). */
static bool
job_scan_null(struct job_scan *sc)
{
	if (sc->len - sc->pos < 4 || memcmp(sc->s + sc->pos, "null", 4) != 0)
		return false;
	sc->pos += 4;
	return true;
}

/* One key and its value. 0, or -1 to leave the job to jansson. */
static int
job_scan_member(struct job_scan *sc)
{
	const char *s = sc->s, *key;
	size_t klen, i, n, start;
	json_t *v;

	if (sc->pos >= sc->len || s[sc->pos] != '"' ||
	    sc->nkeys == JOB_SCAN_KEYS)
		return -1;
	key = s + ++sc->pos;
	while (sc->pos < sc->len && s[sc->pos] != '"') {
		/* escaped, control or non-ASCII: jansson's */
		if (s[sc->pos] == '\\' || (unsigned char)s[sc->pos] < 0x20 ||
		    (unsigned char)s[sc->pos] >= 0x80)
			return -1;
		sc->pos++;
	}
	if (sc->pos >= sc->len)
		return -1;
	klen = (size_t)(s + sc->pos - key);
	sc->pos++;
	for (i = 0; i < sc->nkeys; i++)
		if (sc->keys[i][1] == klen &&
		    memcmp(s + sc->keys[i][0], key, klen) == 0)
			return -1;
	sc->keys[sc->nkeys][0] = (size_t)(key - s);
	sc->keys[sc->nkeys++][1] = klen;
	job_scan_ws(sc);
	if (sc->pos >= sc->len || s[sc->pos] != ':')
		return -1;
	sc->pos++;
	job_scan_ws(sc);
	if (sc->pos >= sc->len)
		return -1;
	for (i = 0; i < JF_N; i++)
		if (strlen(job_fields[i].key) == klen &&
		    memcmp(job_fields[i].key, key, klen) == 0)
			break;
	if (i < JF_N) {
		if (job_scan_null(sc))
			return 0;
		if (s[sc->pos] != '"' ||
		    job_scan_string(sc, &sc->str[i], &n) == -1 ||
		    n > job_fields[i].max || memchr(sc->str[i], '\0', n))
			return -1;
		return 0;
	}
	start = sc->pos;
	if ((v = job_scan_value(sc)) == NULL)
		return -1;
	if (klen == 6 && memcmp(key, "intake", 6) == 0) {
		if (json_is_null(v)) {
			json_decref(v);
			return 0;
		}
		if (!json_is_object(v)) {
			json_decref(v);
			return -1;
		}
		sc->intake = v;
		sc->intake_off = start;
		sc->intake_len = sc->pos - start;
		return 0;
	}
	json_decref(v);
	return 0;
}

static int
job_scan(struct job_scan *sc, const char *text, size_t len)
{
	memset(sc, 0, sizeof(*sc));
	sc->s = text;
	sc->len = len;
	job_scan_ws(sc);
	if (sc->pos >= len || text[sc->pos++] != '{')
		return -1;
	job_scan_ws(sc);
	if (sc->pos < len && text[sc->pos] == '}')
		sc->pos++;
	else
		for (;;) {
			if (job_scan_member(sc) == -1)
				return -1;
			job_scan_ws(sc);
			if (sc->pos >= len)
				return -1;
			if (text[sc->pos++] == '}')
				break;
			if (text[sc->pos - 1] != ',')
				return -1;
			job_scan_ws(sc);
		}
	job_scan_ws(sc);
	return sc->pos == len ? 0 : -1;
}

static void
job_scan_free(struct job_scan *sc)
{
	size_t i;

	for (i = 0; i < JF_N; i++)
		free(sc->str[i]);
	json_decref(sc->intake);
}

int
job_parse(struct job *job, const char *text, size_t len)
{
	struct job_scan sc;
	int rc = -1;

	if (text == NULL) {
		job_seterr(job, "entry has no job field");
		return -1;
	}
	if (len > QUEUE_MAX_JOB) {
		job_seterr(job, "job is larger than %d bytes", QUEUE_MAX_JOB);
		return -1;
	}
	if (job_scan(&sc, text, len) == -1) {
		job_scan_free(&sc);
		return job_parse_jansson(job, text, len);
	}
	job->req_text = text;
	job->req_len = len;
	if (job_apply(job, (const char *const *)sc.str) == -1)
		goto out;
	job->bom_csv = sc.str[JF_CSV];
	job->bom_filename = sc.str[JF_FILENAME];
	job->project_name = sc.str[JF_NAME];
	sc.str[JF_CSV] = sc.str[JF_FILENAME] = sc.str[JF_NAME] = NULL;
	job->intake = job->own_intake = sc.intake;
	if (sc.intake != NULL) {
		job->intake_text = text + sc.intake_off;
		job->intake_len = sc.intake_len;
	}
	sc.intake = NULL;
	rc = 0;
out:
	job_scan_free(&sc);
	return rc;
}

json_t *
job_request(const struct job *job)
{
	json_error_t jerr;

	if (job->req != NULL)
		return json_incref(job->req);
	if (job->req_text == NULL)
		return NULL;
	return json_loadb(job->req_text, job->req_len,
	    JSON_REJECT_DUPLICATES, &jerr);
}

void
log_job(enum log_level level, const struct job *job, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_emit(level, 0, "job=%s tenant=%.8s %s", job->job_id,
	    job->client_id, msg);
}
