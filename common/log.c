/*
 * Logging: plain lines on stderr, "<N>name: message", errno preserved.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

static char log_name[64] = "bomd";
static enum log_level log_level = LOG_LEVEL_INFO;

void
log_init(const char *procname, enum log_level level)
{
	log_setname(procname);
	log_level = level;
}

void
log_setname(const char *procname)
{
	snprintf(log_name, sizeof(log_name), "%s", procname);
}

void
log_setlevel(enum log_level level)
{
	log_level = level;
}

int
log_parse_level(const char *s)
{
	if (strcasecmp(s, "error") == 0)
		return LOG_LEVEL_ERR;
	if (strcasecmp(s, "warn") == 0 || strcasecmp(s, "warning") == 0)
		return LOG_LEVEL_WARN;
	if (strcasecmp(s, "info") == 0)
		return LOG_LEVEL_INFO;
	if (strcasecmp(s, "debug") == 0)
		return LOG_LEVEL_DEBUG;
	return -1;
}

static void
log_vemit(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char msg[2048];
	int saved = errno;

	if (level > log_level) {
		errno = saved;
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno)
		fprintf(stderr, "<%d>%s: %s: %s\n", level, log_name, msg,
		    strerror(saved));
	else
		fprintf(stderr, "<%d>%s: %s\n", level, log_name, msg);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_WARN, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_WARN, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
