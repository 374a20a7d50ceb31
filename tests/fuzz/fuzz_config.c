/*
 * Fuzzes config_load() on a file holding the input (libconfig syntax and
 * our checks of every key), kept in memory and read through /proc/self/fd.
 * Inputs with "@include" are skipped: they name other files, and a name
 * such as /dev/stdin would block.
 */
#define _GNU_SOURCE		/* memmem(), memfd_create() */

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

/* The file: nothing is left behind, however the run ends. */
static int fuzz_config_fd = -1;
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[512];

	if (memmem(data, size, "@include", 8) != NULL)
		return -1;
	if (fuzz_config_fd == -1) {
		if ((fuzz_config_fd = memfd_create("bomd.conf", 0)) == -1)
			abort();
		snprintf(fuzz_config_path, sizeof(fuzz_config_path),
		    "/proc/self/fd/%d", fuzz_config_fd);
	}
	if (ftruncate(fuzz_config_fd, 0) == -1 ||
	    pwrite(fuzz_config_fd, data, size, 0) != (ssize_t)size)
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
