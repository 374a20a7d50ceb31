/*
 * BOM CSV intake: turns an uploaded CSV (any of the common EDA export
 * shapes) into a list of purchasable lines, with every rejected or
 * suspicious row reported by its line number.
 */
#ifndef BOMD_BOM_H
#define BOMD_BOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOM_MAX_BYTES	(10 * 1024 * 1024)
#define BOM_MAX_LINES	10000		/* BOM lines (data rows) */
#define BOM_MAX_FIELD	4096		/* bytes in one field */
#define BOM_MAX_DESIGNATORS 10000	/* expanded designators per line */
/*
 * Expanded designators in the whole BOM: a 3 KB file of "R1-R10000" rows
 * must not cost the API and the worker a million strings each.
 */
#define BOM_MAX_ALL_DESIGNATORS 50000

struct bom_limits {
	size_t	max_bytes;
	size_t	max_lines;
	size_t	max_field;
};

struct bom_line {
	size_t	  line_no;	/* 1-based physical line where the row starts */
	char	 *designator_text; /* as written, "" when none */
	char	**designators;	/* expanded: "R1-R4" gives R1 R2 R3 R4 */
	size_t	  ndesignators;
	int64_t	  quantity;	/* per board, >= 1 */
	char	 *mpn;		/* never NULL or empty */
	char	 *manufacturer;	/* "" when absent; all strings UTF-8 */
	char	 *description;
	char	 *package;
	char	 *value;
};

struct bom {
	struct bom_line	 *lines;
	size_t		  nlines;
	/* "line 7: DNP, excluded", "line 9: qty 3 but 4 designators", ... */
	char		**warnings;
	size_t		  nwarnings;
	size_t		  ndnp;		/* DNP lines excluded */
	size_t		  nrejected;	/* rows rejected (each has a warning) */
	const char	 *encoding;	/* "utf-8", "utf-8-bom" or "cp1252" */
	char		  delimiter;	/* ',', ';' or '\t' */
	struct bom_block *blocks;	/* private: the lines' strings */
};

/*
 * Parses a BOM. lim may be NULL for the defaults above. Returns a bom the
 * caller frees with bom_free(), or NULL with a one-line reason in err, e.g.
 * "No valid line items found in BOM: line 2: missing part number".
 */
struct bom	*bom_parse(const char *buf, size_t len,
		    const struct bom_limits *lim, char *err, size_t errlen);
void		 bom_free(struct bom *bom);

#endif
