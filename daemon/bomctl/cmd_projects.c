/*
 * bomctl projects and show: the tenant's projects, and the decision table
 * of one project with its totals and report.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "bomctl/bomctl.h"

/* The rows of projects as a table. */
static void
cmd_projects_table(const json_t *arr)
{
	char created[40], lines[24];
	json_t *p;
	size_t i, wname, wstatus;

	/* id 36, status, lines 5, created 20, name takes the rest */
	wstatus = table_width(arr, "status", 6, 10);
	wname = table_width(arr, "project_name", 4,
	    BOMCTL_COLUMNS - 36 - wstatus - 5 - 20 - 4);
	table_cell("PROJECT", 36, false);
	table_cell("STATUS", wstatus, false);
	printf("%5s ", "LINES");
	table_cell("CREATED", 20, false);
	table_cell("NAME", wname, true);
	printf("\n");
	json_array_foreach(arr, i, p) {
		table_ts(bomctl_str(p, "created_at", "-"), created,
		    sizeof(created));
		snprintf(lines, sizeof(lines), "%lld", (long long)
		    json_integer_value(json_object_get(p,
		    "line_item_count")));
		table_cell(bomctl_str(p, "project_id", "?"), 36, false);
		table_cell(bomctl_str(p, "status", "?"), wstatus, false);
		printf("%5s ", lines);
		table_cell(created, 20, false);
		table_cell(bomctl_str(p, "project_name", ""), wname, true);
		printf("\n");
	}
}

/* projects [--limit N] */
int
cmd_projects(struct bomctl *ctl, int argc, char **argv)
{
	return fetch_list(ctl, "projects", argc, argv, "/projects",
	    "project", "no projects", cmd_projects_table);
}

/* Parses "CMD PROJECT_ID" into the project's path; the exit code. */
static int
cmd_projects_path(struct bomctl *ctl, const char *cmd, int argc,
    char **argv, char *path, size_t len)
{
	const char *pos[1];
	int rc;

	if ((rc = bomctl_parse(ctl, cmd, argc, argv, NULL, pos, 1, 1,
	    "a PROJECT_ID")) != BOMCTL_EXIT_OK)
		return rc;
	return http_id_arg(ctl, cmd, "project id", "/projects/", pos[0], "",
	    path, len);
}

enum {
	SHOW_LINE, SHOW_MPN, SHOW_DECISION, SHOW_SUPPLIER, SHOW_QTY, SHOW_UNIT,
	SHOW_EXT, SHOW_REASON, SHOW_NCOLS
};

/* The show columns of one line item; caller frees each cell. */
static void
cmd_projects_cells(const json_t *it, char **cells)
{
	const json_t *fd = json_object_get(it, "final_decision");
	const json_t *q = json_object_get(it, "order_quantity");
	const char *sel = bomctl_str(it, "selected_mpn", NULL);
	const char *mpn = bomctl_str(it, "mpn", "");
	char tmp[64];
	struct buf b;

	snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(
	    json_object_get(it, "line_number")));
	cells[SHOW_LINE] = xstrdup(tmp);
	/* an alternate part shows as "BOM-MPN>BOUGHT-MPN" */
	buf_init(&b);
	if (sel != NULL && strcmp(sel, mpn) != 0)
		buf_printf(&b, "%s>%s", mpn, sel);
	else
		buf_puts(&b, mpn);
	cells[SHOW_MPN] = buf_steal(&b);
	cells[SHOW_DECISION] = xstrdup(bomctl_str(fd, "status",
	    bomctl_str(it, "status", "-")));
	cells[SHOW_SUPPLIER] = xstrdup(bomctl_str(it, "selected_supplier",
	    "-"));
	if (json_is_integer(q))
		snprintf(tmp, sizeof(tmp), "%lld",
		    (long long)json_integer_value(q));
	else
		snprintf(tmp, sizeof(tmp), "-");
	cells[SHOW_QTY] = xstrdup(tmp);
	table_money(json_object_get(it, "unit_price"), tmp, sizeof(tmp));
	cells[SHOW_UNIT] = xstrdup(tmp);
	table_money(json_object_get(it, "extended_price"), tmp, sizeof(tmp));
	cells[SHOW_EXT] = xstrdup(tmp);
	cells[SHOW_REASON] = table_first_sentence(bomctl_str(fd, "reasoning",
	    ""));
}

/* show PROJECT_ID */
int
cmd_show(struct bomctl *ctl, int argc, char **argv)
{
	static const char *heads[SHOW_NCOLS] = { "LINE", "MPN", "DECISION",
	    "SUPPLIER", "QTY", "UNIT", "EXTENDED", "REASON" };
	static const size_t caps[SHOW_NCOLS] = { 5, 24, 9, 14, 9, 12, 14, 0 };
	char *cells[SHOW_NCOLS];
	size_t w[SHOW_NCOLS], used, i, c, n, nitems;
	json_t *proj = NULL, *items, *totals, *warn;
	char path[BOMCTL_MAX_URL], money[40], created[40];
	const char *cur;
	int rc;

	if ((rc = cmd_projects_path(ctl, "show", argc, argv, path,
	    sizeof(path))) != BOMCTL_EXIT_OK ||
	    (rc = fetch_get(ctl, path, &proj)) != BOMCTL_EXIT_OK ||
	    proj == NULL)
		return rc;
	items = json_object_get(proj, "line_items");
	nitems = json_array_size(items);
	table_ts(bomctl_str(proj, "created_at", "-"), created,
	    sizeof(created));
	printf("project %s: %s\n", bomctl_str(proj, "project_id", "?"),
	    bomctl_str(proj, "project_name", ""));
	printf("status %s, %zu line items, created %s\n\n",
	    bomctl_str(proj, "status", "?"), nitems, created);

	/* two passes: measure the columns, then print them */
	for (c = 0; c < SHOW_NCOLS; c++)
		w[c] = strlen(heads[c]);
	for (i = 0; i <= nitems * 2; i++) {
		bool print = i >= nitems;
		size_t row = print ? i - nitems : i;

		if (print && row == 0) {
			used = 0;
			for (c = 0; c < SHOW_REASON; c++) {
				if (caps[c] > 0 && w[c] > caps[c])
					w[c] = caps[c];
				used += w[c] + 1;
			}
			w[SHOW_REASON] = used + 10 < BOMCTL_COLUMNS ?
			    BOMCTL_COLUMNS - used : 10;
			for (c = 0; c < SHOW_NCOLS; c++)
				table_cell(heads[c], w[c], c == SHOW_REASON);
			printf("\n");
		}
		if (row == nitems)
			break;
		cmd_projects_cells(json_array_get(items, row), cells);
		for (c = 0; c < SHOW_NCOLS; c++) {
			if (!print) {
				n = table_utf8_len(cells[c]);
				if (n > w[c])
					w[c] = n;
			} else if (c == SHOW_LINE || c == SHOW_QTY ||
			    c == SHOW_UNIT || c == SHOW_EXT) {
				/* numbers align right */
				n = table_utf8_len(cells[c]);
				if (n > w[c])
					table_cell(cells[c], w[c], false);
				else
					printf("%*s%s ", (int)(w[c] - n), "",
					    cells[c]);
			} else
				table_cell(cells[c], w[c], c == SHOW_REASON);
			free(cells[c]);
		}
		if (print)
			printf("\n");
	}

	totals = json_object_get(proj, "totals");
	cur = bomctl_str(totals, "currency", "USD");
	if (json_is_integer(json_object_get(totals, "extended_price_micros")))
		money_format(json_integer_value(json_object_get(totals,
		    "extended_price_micros")), money, sizeof(money));
	else
		table_money(json_object_get(totals, "extended_price"), money,
		    sizeof(money));
	if (json_is_object(totals))
		printf("\ntotals: %lld approved, %lld rejected, %lld "
		    "escalated; approved lines cost %s %s\n",
		    (long long)json_integer_value(json_object_get(totals,
		    "approved")), (long long)json_integer_value(
		    json_object_get(totals, "rejected")), (long long)
		    json_integer_value(json_object_get(totals, "escalated")),
		    money, cur);
	else
		printf("\ntotals: not computed yet\n");
	json_array_foreach(json_object_get(proj, "warnings"), i, warn) {
		if (json_is_string(warn))
			printf("warning: %s\n", json_string_value(warn));
	}
	cmd_strategies_report(proj);
	json_decref(proj);
	return rc;
}
