/*
 * Process titles: rewrites the argv area (what ps shows) and the kernel's
 * comm name (what top and systemctl show).
 */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "proctitle.h"

static char	*title_base;
static size_t	 title_len;

void
proctitle_init(int argc, char **argv)
{
	int i;

	if (argc < 1 || argv[0] == NULL)
		return;
	title_base = argv[0];
	/* the argv strings are contiguous; use all of them */
	for (i = 0; i < argc && argv[i] != NULL; i++) {
		if (argv[i] != title_base + title_len && i > 0)
			break;
		title_len += strlen(argv[i]) + 1;
	}
}

void
proctitle_set(const char *title)
{
	if (title_base != NULL && title_len > 1) {
		memset(title_base, 0, title_len);
		snprintf(title_base, title_len, "%s", title);
	}
	prctl(PR_SET_NAME, title, 0, 0, 0);
}
