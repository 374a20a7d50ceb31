/*
 * The header row of a BOM: which column holds which role, by the names
 * EDA tools give them (aliases, the strongest wins a role).
 */
#ifndef BOMD_BOM_HEADER_H
#define BOMD_BOM_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "csv.h"

enum bom_col {
	BOM_COL_REF,
	BOM_COL_QTY,
	BOM_COL_MPN,
	BOM_COL_MFR,
	BOM_COL_DESC,
	BOM_COL_PKG,
	BOM_COL_VALUE,
	BOM_COL_DNP,	/* truthy means "do not place" */
	BOM_COL_FITTED,	/* falsy means "do not place" */
	BOM_COL_COUNT
};

struct bom_cols {
	int	idx[BOM_COL_COUNT];		/* field index or -1 */
	int	strength[BOM_COL_COUNT];
	size_t	ncols;
};

/*
 * True when the current record of r is a header with a part-number
 * column; its columns go to arg (a struct bom_cols). A csv_detect_delim()
 * callback.
 */
bool	bom_header_map(const struct csv_reader *r, void *arg);

#endif
