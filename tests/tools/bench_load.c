/*
 * A small HTTP load generator for make bench (libcurl multi, keep-alive):
 * N requests at concurrency C, optionally paced at R requests/s (open
 * loop: latency counts from each request's scheduled start, so a stall is
 * not hidden), URLs taken round-robin. Prints one JSON object:
 * {"requests","ok","errors","seconds","rps","p50_ms","p90_ms","p99_ms",
 *  "max_ms","codes":{"200":n,...}}; "ok" counts 2xx answers.
 *
 * usage: bench_load [-n N] [-c C] [-r RATE] [-H "Header: v"]...
 *                   [-F name=@file]... [-X METHOD] URL...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define LOAD_MAX_HEADERS	16
#define LOAD_MAX_FIELDS		8
#define LOAD_MAX_CODES		16

struct slot {
	CURL	*easy;
	double	 start_ms;	/* scheduled (paced) or actual start */
	int	 busy;
	curl_mime *mime;
};

struct code_count {
	long	code;
	long	n;
};

static double
load_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static size_t
load_discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static int
load_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
load_pct(const double *v, long n, double p)
{
	long i;

	if (n == 0)
		return 0;
	i = (long)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static long
load_arg(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "bench_load: bad number: %s\n", s);
		exit(2);
	}
	return v;
}

static void
load_usage(void)
{
	fprintf(stderr, "usage: bench_load [-n N] [-c C] [-r RATE] "
	    "[-H header]... [-F name=@file]... [-X METHOD] URL...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *headers[LOAD_MAX_HEADERS], *fields[LOAD_MAX_FIELDS];
	const char *method = NULL, **urls;
	struct curl_slist *hl = NULL;
	struct slot *slots;
	struct code_count codes[LOAD_MAX_CODES];
	CURLM *multi;
	CURLMsg *msg;
	curl_mime *mime;
	curl_mimepart *part;
	double *lat, t0, now, elapsed, next_ms;
	long n = 1000, c = 8, rate = 0, started = 0, done = 0, ok = 0, errs = 0;
	long code, i, k;
	int nheaders = 0, nfields = 0, nurls, a, running, left, timeout;
	size_t ncodes = 0, j;
	char buf[1024], *eq;

	for (a = 1; a < argc && argv[a][0] == '-'; a++) {
		if (a + 1 >= argc)
			load_usage();
		if (strcmp(argv[a], "-n") == 0)
			n = load_arg(argv[++a], 100000000);
		else if (strcmp(argv[a], "-c") == 0)
			c = load_arg(argv[++a], 4096);
		else if (strcmp(argv[a], "-r") == 0)
			rate = load_arg(argv[++a], 10000000);
		else if (strcmp(argv[a], "-X") == 0)
			method = argv[++a];
		else if (strcmp(argv[a], "-H") == 0 &&
		    nheaders < LOAD_MAX_HEADERS)
			headers[nheaders++] = argv[++a];
		else if (strcmp(argv[a], "-F") == 0 &&
		    nfields < LOAD_MAX_FIELDS)
			fields[nfields++] = argv[++a];
		else
			load_usage();
	}
	if (a >= argc)
		load_usage();
	urls = (const char **)&argv[a];
	nurls = argc - a;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	for (k = 0; k < nheaders; k++)
		hl = curl_slist_append(hl, headers[k]);
	/* no "Expect: 100-continue" round trip on uploads */
	hl = curl_slist_append(hl, "Expect:");
	multi = curl_multi_init();
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, c);
	slots = calloc((size_t)c, sizeof(*slots));
	lat = calloc((size_t)n, sizeof(*lat));
	if (multi == NULL || slots == NULL || lat == NULL)
		return 1;
	for (k = 0; k < c; k++) {
		slots[k].easy = curl_easy_init();
		curl_easy_setopt(slots[k].easy, CURLOPT_WRITEFUNCTION,
		    load_discard);
		curl_easy_setopt(slots[k].easy, CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(slots[k].easy, CURLOPT_TIMEOUT, 60L);
		curl_easy_setopt(slots[k].easy, CURLOPT_PRIVATE, &slots[k]);
		curl_easy_setopt(slots[k].easy, CURLOPT_NOSIGNAL, 1L);
		if (nfields > 0) {
			mime = slots[k].mime = curl_mime_init(slots[k].easy);
			for (i = 0; i < nfields; i++) {
				snprintf(buf, sizeof(buf), "%s", fields[i]);
				if ((eq = strchr(buf, '=')) == NULL)
					load_usage();
				*eq++ = '\0';
				part = curl_mime_addpart(mime);
				curl_mime_name(part, buf);
				if (*eq == '@') {
					if (curl_mime_filedata(part, eq + 1) !=
					    CURLE_OK) {
						fprintf(stderr, "bench_load: "
						    "cannot read %s\n", eq + 1);
						return 2;
					}
				} else
					curl_mime_data(part, eq,
					    CURL_ZERO_TERMINATED);
			}
			curl_easy_setopt(slots[k].easy, CURLOPT_MIMEPOST,
			    mime);
		}
		if (method != NULL)
			curl_easy_setopt(slots[k].easy, CURLOPT_CUSTOMREQUEST,
			    method);
	}

	t0 = load_now_ms();
	while (done < n) {
		now = load_now_ms();
		for (k = 0; k < c && started < n; k++) {
			if (slots[k].busy)
				continue;
			next_ms = rate ? t0 + (double)started * 1000.0 /
			    (double)rate : now;
			if (next_ms > now)
				break;
			curl_easy_setopt(slots[k].easy, CURLOPT_URL,
			    urls[started % nurls]);
			slots[k].start_ms = next_ms;
			slots[k].busy = 1;
			curl_multi_add_handle(multi, slots[k].easy);
			started++;
		}
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
			struct slot *s;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&s);
			code = 0;
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(msg->easy_handle,
				    CURLINFO_RESPONSE_CODE, &code);
			lat[done++] = load_now_ms() - s->start_ms;
			if (code >= 200 && code < 300)
				ok++;
			else
				errs++;
			for (j = 0; j < ncodes && codes[j].code != code; j++)
				;
			if (j == ncodes && ncodes < LOAD_MAX_CODES)
				codes[ncodes++] = (struct code_count){ code, 0 };
			if (j < ncodes)
				codes[j].n++;
			curl_multi_remove_handle(multi, msg->easy_handle);
			s->busy = 0;
		}
		/*
		 * A free slot and a due request: start it without waiting.
		 * One due within the next millisecond is waited for (rounded
		 * up, an answer still wakes the poll): rounded down, the wait
		 * was 0 and the loop spun a core the server needs.
		 */
		timeout = 10;
		if (started < n && running < c) {
			next_ms = rate ? t0 + (double)started * 1000.0 /
			    (double)rate - load_now_ms() : 0;
			timeout = next_ms <= 0 ? 0 : (next_ms > 10 ? 10 :
			    (int)next_ms + 1);
		}
		if (timeout > 0 || running > 0)
			curl_multi_poll(multi, NULL, 0, timeout, NULL);
	}
	elapsed = (load_now_ms() - t0) / 1000.0;

	qsort(lat, (size_t)n, sizeof(*lat), load_cmp);
	printf("{\"requests\":%ld,\"ok\":%ld,\"errors\":%ld,\"seconds\":%.3f,"
	    "\"rps\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,"
	    "\"max_ms\":%.3f,\"codes\":{", n, ok, errs, elapsed,
	    elapsed > 0 ? (double)n / elapsed : 0, load_pct(lat, n, 0.50),
	    load_pct(lat, n, 0.90), load_pct(lat, n, 0.99), lat[n - 1]);
	for (j = 0; j < ncodes; j++)
		printf("%s\"%ld\":%ld", j ? "," : "", codes[j].code,
		    codes[j].n);
	printf("}}\n");

	for (k = 0; k < c; k++) {
		curl_easy_cleanup(slots[k].easy);
		curl_mime_free(slots[k].mime);
	}
	curl_multi_cleanup(multi);
	curl_slist_free_all(hl);
	curl_global_cleanup();
	free(slots);
	free(lat);
	return 0;
}
