/*
 * The header row of a BOM: names normalised (case, quotes, separators, a
 * byte-order mark), matched against the aliases EDA tools use.
 */
#include <ctype.h>
#include <string.h>

#include "bom_header.h"

#define BOM_HEADER_NAME		64	/* normalised header name */

/* Header names after bom_header_norm(); the strongest alias wins a role. */
static const struct {
	const char	*name;
	enum bom_col	 col;
	int		 strength;
} bom_header_aliases[] = {
	{ "refdes", BOM_COL_REF, 3 },
	{ "ref des", BOM_COL_REF, 3 },
	{ "ref designator", BOM_COL_REF, 3 },
	{ "ref designators", BOM_COL_REF, 3 },
	{ "reference designator", BOM_COL_REF, 3 },
	{ "reference designators", BOM_COL_REF, 3 },
	{ "reference designator(s)", BOM_COL_REF, 3 },
	{ "designator", BOM_COL_REF, 3 },
	{ "designators", BOM_COL_REF, 3 },
	{ "designator(s)", BOM_COL_REF, 3 },
	{ "reference", BOM_COL_REF, 2 },
	{ "references", BOM_COL_REF, 2 },
	{ "reference(s)", BOM_COL_REF, 2 },
	{ "ref", BOM_COL_REF, 2 },
	{ "refs", BOM_COL_REF, 2 },
	{ "part", BOM_COL_REF, 1 },
	{ "parts", BOM_COL_REF, 1 },
	{ "qty", BOM_COL_QTY, 3 },
	{ "quantity", BOM_COL_QTY, 3 },
	{ "qnty", BOM_COL_QTY, 3 },
	{ "qty per board", BOM_COL_QTY, 3 },
	{ "quantity per board", BOM_COL_QTY, 3 },
	{ "qty per pcb", BOM_COL_QTY, 3 },
	{ "qty/board", BOM_COL_QTY, 3 },
	{ "count", BOM_COL_QTY, 1 },
	{ "mpn", BOM_COL_MPN, 3 },
	{ "manufacturer part number", BOM_COL_MPN, 3 },
	{ "manufacturer part no", BOM_COL_MPN, 3 },
	{ "manufacturer part #", BOM_COL_MPN, 3 },
	{ "manufacturer pn", BOM_COL_MPN, 3 },
	{ "manufacturer p/n", BOM_COL_MPN, 3 },
	{ "mfr part number", BOM_COL_MPN, 3 },
	{ "mfr part no", BOM_COL_MPN, 3 },
	{ "mfr part #", BOM_COL_MPN, 3 },
	{ "mfr pn", BOM_COL_MPN, 3 },
	{ "mfr p/n", BOM_COL_MPN, 3 },
	{ "mfg part number", BOM_COL_MPN, 3 },
	{ "mfg part no", BOM_COL_MPN, 3 },
	{ "mfg part #", BOM_COL_MPN, 3 },
	{ "mfg pn", BOM_COL_MPN, 3 },
	{ "mfg p/n", BOM_COL_MPN, 3 },
	{ "part number", BOM_COL_MPN, 1 },
	{ "partnumber", BOM_COL_MPN, 1 },
	{ "part no", BOM_COL_MPN, 1 },
	{ "part #", BOM_COL_MPN, 1 },
	{ "p/n", BOM_COL_MPN, 1 },
	{ "pn", BOM_COL_MPN, 1 },
	{ "manufacturer", BOM_COL_MFR, 3 },
	{ "manufacturer name", BOM_COL_MFR, 3 },
	{ "mfr", BOM_COL_MFR, 3 },
	{ "mfr name", BOM_COL_MFR, 3 },
	{ "mfg", BOM_COL_MFR, 3 },
	{ "mfg name", BOM_COL_MFR, 3 },
	{ "description", BOM_COL_DESC, 3 },
	{ "desc", BOM_COL_DESC, 3 },
	{ "comment", BOM_COL_DESC, 1 },
	{ "comments", BOM_COL_DESC, 1 },
	{ "package", BOM_COL_PKG, 3 },
	{ "case/package", BOM_COL_PKG, 3 },
	{ "package/case", BOM_COL_PKG, 3 },
	{ "case", BOM_COL_PKG, 2 },
	{ "footprint", BOM_COL_PKG, 2 },
	{ "pcb footprint", BOM_COL_PKG, 2 },
	{ "value", BOM_COL_VALUE, 3 },
	{ "val", BOM_COL_VALUE, 3 },
	{ "dnp", BOM_COL_DNP, 3 },
	{ "dnf", BOM_COL_DNP, 3 },
	{ "do not place", BOM_COL_DNP, 3 },
	{ "do not populate", BOM_COL_DNP, 3 },
	{ "exclude from bom", BOM_COL_DNP, 3 },
	{ "populate", BOM_COL_FITTED, 3 },
	{ "populated", BOM_COL_FITTED, 3 },
	{ "fitted", BOM_COL_FITTED, 3 },
	{ "fit", BOM_COL_FITTED, 3 },
};

/*
 * Lower-cases a header cell, drops byte-order marks and quotes, treats
 * _ - . and runs of white space as one space, and trims.
 */
static void
bom_header_norm(const char *in, char *out, size_t outlen)
{
	size_t o = 0, mark;
	bool space = false;
	unsigned char c;

	while ((mark = csv_utf8_mark(in, strnlen(in, 3))) > 0)
		in += mark;
	for (; *in != '\0' && o + 1 < outlen; in++) {
		c = (unsigned char)*in;
		if (c == '"' || c == '\'')
			continue;
		if (c == '_' || c == '-' || c == '.' || isspace(c)) {
			space = true;
			continue;
		}
		if (space && o > 0 && o + 2 < outlen)
			out[o++] = ' ';
		space = false;
		out[o++] = (char)tolower(c);
	}
	out[o] = '\0';
}

static int
bom_header_alias(const char *name, int *strength)
{
	size_t i;

	for (i = 0; i < sizeof(bom_header_aliases) / sizeof(bom_header_aliases[0]); i++) {
		if (bom_header_aliases[i].name[0] != name[0])
			continue;
		if (strcmp(bom_header_aliases[i].name, name) == 0) {
			*strength = bom_header_aliases[i].strength;
			return (int)bom_header_aliases[i].col;
		}
	}
	return -1;
}

/*
 * True when the current record is a header with a part-number column; its
 * columns go to arg (a struct bom_cols).
 */
bool
bom_header_map(const struct csv_reader *r, void *arg)
{
	struct bom_cols *cols = arg;
	char name[BOM_HEADER_NAME];
	size_t i, n;
	int col, strength, partno = -1;

	for (i = 0; i < BOM_COL_COUNT; i++) {
		cols->idx[i] = -1;
		cols->strength[i] = 0;
	}
	cols->ncols = r->nfields;
	for (i = 0; i < r->nfields; i++) {
		bom_header_norm(csv_field(r, i), name, sizeof(name));
		col = bom_header_alias(name, &strength);
		/* Altium numbers alternates: "Manufacturer 1" is the first */
		n = strlen(name);
		if (col == -1 && n > 2 && strcmp(name + n - 2, " 1") == 0) {
			name[n - 2] = '\0';
			col = bom_header_alias(name, &strength);
		}
		if (strcmp(name, "part number") == 0)
			partno = (int)i;
		if (col == -1 || strength <= cols->strength[col])
			continue;
		cols->idx[col] = (int)i;
		cols->strength[col] = strength;
	}
	/*
	 * As the original service read its own sample BOM: a "Part Number"
	 * that is not the MPN column names the line's designators, when no
	 * other column does.
	 */
	if (partno != -1 && cols->idx[BOM_COL_REF] == -1 &&
	    cols->idx[BOM_COL_MPN] != partno) {
		cols->idx[BOM_COL_REF] = partno;
		cols->strength[BOM_COL_REF] = 1;
	}
	return cols->idx[BOM_COL_MPN] != -1;
}

