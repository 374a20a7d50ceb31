/*
 * bomctl parts: the part knowledge of the tenant (bans, approved
 * alternates, usage) under /knowledge/parts. An MPN may contain '/': it
 * goes out percent-encoded.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bomctl/bomctl.h"

#define PARTS_BASE	"/knowledge/parts/"

/* A part, as parts show prints it (arg unused). */
static void
cmd_parts_print(const json_t *p, const char *const *arg)
{
	const json_t *alts = json_object_get(p, "approved_alternates_detail"),
	    *a;
	char v[256];
	size_t i;

	(void)arg;
	table_kv("part", p, "mpn");
	if (json_is_true(json_object_get(p, "banned"))) {
		table_value(json_object_get(p, "ban_reason"), v, sizeof(v));
		printf("%-14syes: %s\n", "banned", v);
	} else
		printf("%-14sno\n", "banned");
	table_kv("preferred", p, "preferred");
	printf("%-14s%lld (in %zu projects)\n", "times used",
	    (long long)json_integer_value(json_object_get(p, "times_used")),
	    json_array_size(json_object_get(p, "projects_used_in")));
	table_kv("failures", p, "failure_count");
	table_kv("last used", p, "last_used_date");
	table_kv("notes", p, "notes");
	if (json_array_size(alts) == 0)
		printf("%-14s-\n", "alternates");
	json_array_foreach(alts, i, a) {
		table_value(json_object_get(a, "reason"), v, sizeof(v));
		printf("%-14s%s%s%s%s\n", i == 0 ? "alternates" : "",
		    bomctl_str(a, "alternate_mpn", "?"),
		    strcmp(v, "-") != 0 ? " (" : "",
		    strcmp(v, "-") != 0 ? v : "",
		    strcmp(v, "-") != 0 ? ")" : "");
	}
	table_kv("created", p, "created_at");
	table_kv("updated", p, "updated_at");
}

/* The rows of parts as a table. */
static void
cmd_parts_table(const json_t *arr)
{
	char n[24];
	const char *note;
	json_t *p;
	size_t i, wmpn, wnote;
	bool banned;

	/* MPN, BANNED 6, ALTS 4, USED 5, the ban reason or notes */
	wmpn = table_width(arr, "mpn", 3, 32);
	wnote = BOMCTL_COLUMNS - wmpn - 1 - 7 - 5 - 6;
	table_cell("MPN", wmpn, false);
	printf("%-6s %4s %5s ", "BANNED", "ALTS", "USED");
	table_cell("REASON/NOTES", wnote, true);
	printf("\n");
	json_array_foreach(arr, i, p) {
		banned = json_is_true(json_object_get(p, "banned"));
		table_cell(bomctl_str(p, "mpn", "?"), wmpn, false);
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(
		    json_object_get(p, "times_used")));
		printf("%-6s %4zu %5s ", banned ? "yes" : "no",
		    json_array_size(json_object_get(p,
		    "approved_alternates")), n);
		note = json_string_value(json_array_get(json_object_get(p,
		    "notes"), 0));
		table_cell(banned ? bomctl_str(p, "ban_reason", "") :
		    note != NULL ? note : "", wnote, true);
		printf("\n");
	}
}

/* parts [list] [--limit N] */
int
cmd_parts_list(struct bomctl *ctl, int argc, char **argv)
{
	return fetch_list(ctl, "parts", argc, argv, "/knowledge/parts",
	    "part", "no parts known yet", cmd_parts_table);
}

/* parts show MPN */
const struct fetch_one cmd_parts_show = {
	.cmd = "parts show", .posnames = "an MPN", .what = "MPN",
	.base = PARTS_BASE, .suffix = "", .print = cmd_parts_print
};

/* parts ban MPN --reason R [--user U] */
const struct fetch_one cmd_parts_ban = {
	.cmd = "parts ban", .posnames = "an MPN", .what = "MPN",
	.base = PARTS_BASE, .suffix = "/ban", .post = true,
	.opts = { "reason", "user" },
	.need = "(say why the part must not be bought)",
	.idkey = "mpn", .said = "part %s banned: %s"
};

/* parts unban MPN [--user U] */
const struct fetch_one cmd_parts_unban = {
	.cmd = "parts unban", .posnames = "an MPN", .what = "MPN",
	.base = PARTS_BASE, .suffix = "/unban", .post = true,
	.opts = { "user" }, .idkey = "mpn", .said = "part %s unbanned"
};

/*
 * parts alternates MPN: with --json the server's list of MPNs; else who
 * approved each, when and why, from the part.
 */
int
cmd_parts_alternates(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1];
	char path[BOMCTL_MAX_URL], added[40];
	json_t *part = NULL, *arr, *a;
	size_t i, walt, wuser;
	int rc;

	if ((rc = bomctl_parse(ctl, "parts alternates", argc, argv, NULL, pos,
	    1, 1, "an MPN")) != BOMCTL_EXIT_OK ||
	    (rc = http_id_arg(ctl, "parts alternates", "MPN", PARTS_BASE,
	    pos[0], ctl->json ? "/alternates" : "", path, sizeof(path))) !=
	    BOMCTL_EXIT_OK ||
	    (rc = fetch_get(ctl, path, &part)) != BOMCTL_EXIT_OK ||
	    part == NULL)
		return rc;
	arr = json_object_get(part, "approved_alternates_detail");
	if (json_array_size(arr) == 0) {
		printf("%s has no approved alternates\n", pos[0]);
		goto out;
	}
	walt = table_width(arr, "alternate_mpn", 9, 32);
	wuser = table_width(arr, "user", 4, 20);
	table_cell("ALTERNATE", walt, false);
	table_cell("ADDED", 20, false);
	table_cell("USER", wuser, false);
	table_cell("REASON", BOMCTL_COLUMNS - walt - wuser - 23, true);
	printf("\n");
	json_array_foreach(arr, i, a) {
		table_ts(bomctl_str(a, "added_at", "-"), added,
		    sizeof(added));
		table_cell(bomctl_str(a, "alternate_mpn", "?"), walt, false);
		table_cell(added, 20, false);
		table_cell(bomctl_str(a, "user", "-"), wuser, false);
		table_cell(bomctl_str(a, "reason", "-"),
		    BOMCTL_COLUMNS - walt - wuser - 23, true);
		printf("\n");
	}
out:
	json_decref(part);
	return rc;
}

static void
cmd_parts_added(const json_t *p, const char *const *arg)
{
	printf("%s approved as an alternate to %s (alternates now: %zu)\n",
	    arg[1], bomctl_str(p, "mpn", arg[0]),
	    json_array_size(json_object_get(json_object_get(p, "part"),
	    "approved_alternates")));
}

/* parts add-alternate MPN ALT [--reason R] [--user U] */
const struct fetch_one cmd_parts_add_alternate = {
	.cmd = "parts add-alternate",
	.posnames = "an MPN and its alternate MPN", .what = "MPN",
	.base = PARTS_BASE, .suffix = "/alternates", .post = true,
	.value = "alternate_mpn", .opts = { "reason", "user" },
	.print = cmd_parts_added
};
