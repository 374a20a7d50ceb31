/*
 * Tests for common/http_fetch.c: http_multi_done() hands back each
 * finished transfer once, by its CURLOPT_PRIVATE, with its outcome; the
 * bodies land in a struct buf_cap through buf_cap_write().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http_fetch.h"
#include "unit.h"

UNIT_TEST(test_multi_done)
{
	char path[] = "/tmp/test_http_fetch.XXXXXX", url[64];
	int tags[2] = { 1, 2 }, seen[2] = { 0, 0 }, running, fd, n, *tag;
	struct buf_cap body[2] = { { .max = 16 }, { .max = 16 } };
	CURL *easy[2];
	CURLM *multi;
	CURLcode cc;
	size_t i;

	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	snprintf(url, sizeof(url), "file://%s", path);
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	assert_non_null(multi = curl_multi_init());
	for (i = 0; i < 2; i++) {
		assert_non_null(easy[i] = curl_easy_init());
		curl_easy_setopt(easy[i], CURLOPT_URL, i == 0 ? url :
		    "file:///nonexistent/test_http_fetch");
		buf_init(&body[i].buf);
		curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, buf_cap_write);
		curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &body[i]);
		curl_easy_setopt(easy[i], CURLOPT_PRIVATE, &tags[i]);
		curl_multi_add_handle(multi, easy[i]);
	}
	assert_null(http_multi_done(multi, &cc));
	for (n = 0; n < 2; ) {
		curl_multi_perform(multi, &running);
		while ((tag = http_multi_done(multi, &cc)) != NULL) {
			seen[*tag - 1]++;
			if (*tag == 1)
				assert_int_equal(cc, CURLE_OK);
			else
				assert_int_not_equal(cc, CURLE_OK);
			n++;
		}
		if (n < 2)
			curl_multi_poll(multi, NULL, 0, 100, NULL);
	}
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 1);
	assert_null(http_multi_done(multi, &cc));
	assert_string_equal(body[0].buf.data, "x");
	assert_int_equal(body[1].buf.len, 0);
	for (i = 0; i < 2; i++) {
		curl_multi_remove_handle(multi, easy[i]);
		curl_easy_cleanup(easy[i]);
		buf_free(&body[i].buf);
	}
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	unlink(path);
}
