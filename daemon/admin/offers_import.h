/*
 * bomd offers import: loads the supplier offers catalog from a CSV file.
 */
#ifndef BOMD_OFFERS_IMPORT_H
#define BOMD_OFFERS_IMPORT_H

#include <libpq-fe.h>

/*
 * Imports path ("-" = stdin): good rows replace their (supplier_id, sku)
 * row, bad rows are reported on stderr with their line numbers, a summary
 * goes to stdout. 0 when the file was read and committed, -1 otherwise.
 */
int	offers_import_file(PGconn *db, const char *path);

#endif
