/*
 * Logging: plain lines on stderr, "<N>name: message", errno preserved;
 * control characters in a message are escaped, one event one line.
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

/*
 * Control characters of in as \xNN, into out: a job id or an error body
 * with a newline cannot start a line of its own (a forged one).
 */
static void
log_escape(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	unsigned char ch;

	for (; *in != '\0' && o + 5 < outlen; in++) {
		ch = (unsigned char)*in;
		if (ch < 0x20 || ch == 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x",
			    ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
}

static void
log_vemit(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char raw[2048], msg[4 * sizeof(raw)];
	int saved = errno;

	if (level > log_level) {
		errno = saved;
		return;
	}
	vsnprintf(raw, sizeof(raw), fmt, ap);
	log_escape(raw, msg, sizeof(msg));
	if (with_errno)
		fprintf(stderr, "<%d>%s: %s: %s\n", level, log_name, msg,
		    strerror(saved));
	else
		fprintf(stderr, "<%d>%s: %s\n", level, log_name, msg);
	errno = saved;
}

void
log_emit(enum log_level level, int with_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(level, with_errno, fmt, ap);
	va_end(ap);
}

void
log_fatal(int with_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERR, with_errno, fmt, ap);
	va_end(ap);
	exit(1);
}
