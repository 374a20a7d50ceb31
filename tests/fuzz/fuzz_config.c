/*
 * Fuzzes config_load() on a file holding the input (libconfig syntax and
 * our checks of every key). Inputs with "@include" are skipped: they name
 * other files, and a name such as /dev/stdin would block.
 */
#define _GNU_SOURCE		/* memmem() */

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

static char fuzz_config_path[64];

const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 (Debian 12) itself leaks the token its lexer was reading
 * when the file has a syntax error: a file holding just "" loses a byte
 * with a bare config_init/read_file/destroy. Those two lexer frames only.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig_yylex\nleak:strbuf_append\n";
}

static void
fuzz_config_cleanup(void)
{
	if (fuzz_config_path[0] != '\0')
		unlink(fuzz_config_path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[512];
	FILE *f;
	int fd;

	if (memmem(data, size, "@include", 8) != NULL)
		return -1;
	if (fuzz_config_path[0] == '\0') {
		snprintf(fuzz_config_path, sizeof(fuzz_config_path),
		    "/tmp/bomd-fuzz-config.XXXXXX");
		if ((fd = mkstemp(fuzz_config_path)) == -1)
			abort();
		close(fd);
		atexit(fuzz_config_cleanup);
	}
	if ((f = fopen(fuzz_config_path, "w")) == NULL ||
	    fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	err[0] = '\0';
	if (config_load(fuzz_config_path, &cfg, err, sizeof(err)) == -1) {
		assert(err[0] != '\0');
		return 0;
	}
	assert(cfg.database_url != NULL && cfg.redis_url != NULL &&
	    cfg.listen != NULL && cfg.llm_provider != NULL &&
	    cfg.log_level != NULL);
	assert(cfg.workers >= 1);
	config_free(&cfg);
	return 0;
}
