/*
 * Supplier offers: one row of the offers catalog (a part from one supplier
 * with stock, MOQ, order multiple, lead time and price breaks) and the
 * parser for the catalog CSV that `bomd offers import` loads.
 */
#ifndef BOMD_OFFERS_H
#define BOMD_OFFERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util.h"

#define OFFERS_MAX_BYTES	(50 * 1024 * 1024)
#define OFFERS_MAX_ROWS		1000000		/* data rows */
#define OFFERS_MAX_BREAKS	64		/* price breaks per offer */
#define OFFERS_MAX_FIELD	4096		/* bytes in one field */
#define OFFERS_MAX_ERRORS	1000		/* row errors kept */
#define OFFERS_MAX_QTY		((int64_t)1000000000000000)	/* 1e15 */
#define OFFERS_MAX_LEAD_DAYS	3650

/* The enums below and their names, X(VALUE, "name") (util.h). */
#define SUPPLIER_TYPES(X)						\
	X(SUPPLIER_AUTHORIZED, "authorized")				\
	X(SUPPLIER_BROKER, "broker")					\
	X(SUPPLIER_DIRECT, "direct")
enum supplier_type { SUPPLIER_TYPES(NAME_TABLE_ENUM) };

/* What a source says of a part's life; 0 (unknown) for catalog rows. */
#define OFFER_LIFECYCLES(X)						\
	X(OFFER_LIFECYCLE_UNKNOWN, "unknown")				\
	X(OFFER_LIFECYCLE_ACTIVE, "active")				\
	/* not recommended for new designs */				\
	X(OFFER_LIFECYCLE_NRND, "nrnd")					\
	/* last time buy, end of life */				\
	X(OFFER_LIFECYCLE_EOL, "eol")					\
	X(OFFER_LIFECYCLE_OBSOLETE, "obsolete")
enum offer_lifecycle { OFFER_LIFECYCLES(NAME_TABLE_ENUM) };

#define OFFER_ROHS(X)							\
	X(OFFER_ROHS_UNKNOWN, "unknown")				\
	X(OFFER_ROHS_YES, "yes")					\
	X(OFFER_ROHS_NO, "no")
enum offer_rohs { OFFER_ROHS(NAME_TABLE_ENUM) };

#define OFFER_SOURCE_LEN	16
#define OFFER_PACKAGING_LEN	48
#define OFFER_URL_MAX		2048	/* bytes of a datasheet URL */

struct price_break {
	int64_t	qty;		/* >= 1 */
	int64_t	unit_micros;	/* >= 0 */
};

/*
 * The strings of an offer are borrowed while it is filled in; then
 * offer_own_strings() copies them into one block the offer owns (strs).
 */
struct offer {
	const char		*mpn;
	const char		*manufacturer;	/* "" when unknown */
	const char		*supplier_id;
	const char		*supplier_name;	/* supplier_id when empty */
	const char		*sku;
	enum supplier_type	 type;
	int64_t			 stock;		/* >= 0 */
	int64_t			 moq;		/* <= 1 means no minimum */
	int64_t			 order_multiple; /* <= 1 means 1 */
	int64_t			 lead_time_days; /* >= 0 */
	char			 currency[4];	/* "USD", upper case */
	struct price_break	*breaks;	/* ascending qty, first >= 1 */
	size_t			 nbreaks;	/* 0: the offer has no price */
	size_t			 line_no;	/* CSV line or 0 */
	/* from a live source (provider.h); zero for catalog rows */
	char			 source[OFFER_SOURCE_LEN];	/* "digikey" */
	int64_t			 fetched_at;	/* Unix seconds */
	bool			 lead_unknown;	/* lead_time_days is 0, unknown */
	/* what sources and the catalog's optional columns say; empty or
	 * zero when unknown */
	char			 packaging[OFFER_PACKAGING_LEN]; /* "Cut Tape" */
	enum offer_lifecycle	 lifecycle;
	enum offer_rohs		 rohs;
	char			 country[3];	/* ISO alpha-2, upper case */
	const char		*datasheet_url;	/* NULL when unknown */
	char			*strs;		/* the strings above, or NULL */
};

struct offer_list {
	struct offer	 *v;
	size_t		  n;
	/* "line 7: bad breaks '1:x' (price: not a number)", at most
	 * OFFERS_MAX_ERRORS of them; nbad counts every skipped row */
	char		**errors;
	size_t		  nerrors;
	size_t		  nbad;
};

/*
 * Parses an offers catalog CSV (RFC 4180 quoting, comma separated, LF or
 * CRLF, optional UTF-8 BOM). The header must name the columns
 * mpn,manufacturer,supplier_id,supplier_name,supplier_type,sku,stock,moq,
 * order_multiple,lead_time_days,currency,breaks in any order (case and
 * blanks ignored; unknown extra columns are ignored); it may also name the
 * optional columns lifecycle (active|nrnd|eol|obsolete|unknown), rohs
 * (yes|no|unknown), country_of_origin (ISO 3166 alpha-2), packaging (at
 * most 47 bytes) and datasheet_url (http or https), whose empty cells mean
 * unknown. Bad rows are skipped
 * and reported in out->errors with their line number; good rows are kept.
 * When two rows share (supplier_id, sku) the later one wins, as a re-import
 * would, and the earlier one is reported and dropped.
 * Returns 0, or -1 with a reason in err (input over 50 MB, more than
 * 1,000,000 rows, missing or duplicate column, unterminated quote at the
 * end of the header). out is always initialised; the caller frees its
 * contents with offer_list_free(), also after -1.
 */
int	offers_parse_csv(const char *buf, size_t len, struct offer_list *out,
	    char *err, size_t errlen);

/*
 * Parses price breaks "1:0.10|10:0.08|100:0.05": quantities strictly
 * ascending and >= 1, prices through parse_money(), at most
 * OFFERS_MAX_BREAKS. An empty or blank string gives zero breaks.
 * Returns 0 with *out (caller frees with free(); NULL when *n is 0), or -1
 * with a static reason in *why.
 */
int	offer_parse_breaks(const char *s, struct price_break **out, size_t *n,
	    const char **why);

/* The supplier types' names: for name_of() and name_index(). */
extern const struct name_table supplier_type_names;
/* o's price breaks as a JSON array of [qty, unit_micros] (new reference). */
json_t	*offer_breaks_json(const struct offer *o);

/* The lifecycles' names: for name_of(). */
extern const struct name_table offer_lifecycle_names;
/* Parses those names (any case; empty is unknown). 0 or -1. */
int	offer_lifecycle_parse(const char *s, enum offer_lifecycle *l);
/* The RoHS states' names: for name_of(). */
extern const struct name_table offer_rohs_names;
/* Parses yes|no|unknown (also true/false; any case; empty is unknown). */
int	offer_rohs_parse(const char *s, enum offer_rohs *r);

/*
 * Copies the strings o borrows (mpn, manufacturer, supplier_id,
 * supplier_name, sku and datasheet_url; NULL ones stay NULL) into one
 * block o owns from now on. o must not own strings yet.
 */
void	offer_own_strings(struct offer *o);
/* Frees the strings and breaks of o and zeroes it; o itself is not freed. */
void	offer_free_fields(struct offer *o);
/* Frees the fields of the n offers of v, then v: an owned array. */
void	offer_array_free(struct offer *v, size_t n);
/* Frees the contents of l (offers and errors) and zeroes it; NULL is a
 * no-op; l itself is not freed. */
void	offer_list_free(struct offer_list *l);

#endif
