/*
 * CSV reading shared by the BOM and offers parsers: uploads decoded to UTF-8,
 * the delimiter guessed from the first rows, and RFC 4180 records split in
 * one pass with every malformed record reported by its line.
 */
#ifndef BOMD_CSV_H
#define BOMD_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* How records are split. */
struct csv_opts {
	char	delim;		/* ',', ';' or '\t' */
	size_t	max_field;	/* bytes in one field */
	size_t	max_fields;	/* fields in one record; 0 = no limit */
	bool	strict;		/* text after a closing quote is an error;
				   otherwise it is kept, as spreadsheets do */
};

/*
 * One pass over decoded text. Blanks around a field are dropped (inside
 * quotes they are kept), a doubled quote is a quote, and line ends inside
 * quotes become "\n". Read the fields of the current record with
 * csv_field(); the reader owns them until the next record.
 */
struct csv_reader {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	size_t		 line;		/* physical line at pos */
	size_t		 rec_line;	/* where the current record started */
	struct csv_opts	 opts;
	struct buf	 fields;	/* field bytes, each NUL-terminated */
	size_t		*offs;		/* field starts in fields */
	size_t		 nfields;
	size_t		 capfields;
	char		 err[96];	/* why the record is malformed */
	size_t		 err_line;	/* the line err is about */
};

/* Text decoded from an upload by csv_decode(). */
struct csv_text {
	const char	*data;		/* UTF-8, without a byte-order mark */
	size_t		 len;
	const char	*encoding;	/* "utf-8", "utf-8-bom" or "cp1252" */
	char		*owned;		/* the converted copy, or NULL */
};

/*
 * Length of a UTF-8 byte-order mark at the start of s[0..len): 3 or 0.
 */
size_t	csv_utf8_mark(const char *s, size_t len);

/*
 * Decodes an upload: a UTF-8 byte-order mark is dropped, and text that is
 * not valid UTF-8 is taken as CP1252 and converted. Returns 0 with t filled
 * (t->data may point into buf, which must outlive it), or -1 with a reason
 * in err for UTF-16. Release with csv_text_free(), also after -1.
 */
int	csv_decode(const char *buf, size_t len, struct csv_text *t, char *err,
	    size_t errlen);
void	csv_text_free(struct csv_text *t);

/*
 * Picks the delimiter (',', ';' or tab) whose split of the first scan
 * non-blank records finds a header earliest (ties: the record with more
 * fields); without any header, the one that splits the first non-blank
 * record into most fields, ',' on a tie. is_header(r, arg) says whether
 * the current record of r is a header. opts gives the other settings.
 */
char	csv_detect_delim(const char *text, size_t len,
	    const struct csv_opts *opts, size_t scan,
	    bool (*is_header)(const struct csv_reader *, void *), void *arg);

/* Starts a reader over s[0..len); release with csv_reader_free(). */
void	csv_reader_init(struct csv_reader *r, const char *s, size_t len,
	    const struct csv_opts *opts);
void	csv_reader_free(struct csv_reader *r);

/*
 * Reads the next record. Returns 1, 0 at the end of the input, or -1 when
 * the record is malformed (unterminated quote, NUL byte, field or record
 * too long, text after a closing quote when strict): r->err then says why
 * and r->err_line where; the record has been read to its end, so the next
 * call goes on with the one after it.
 */
int	csv_read_record(struct csv_reader *r);
/* Field i (< r->nfields) of the current record, NUL-terminated. */
const char *csv_field(const struct csv_reader *r, size_t i);
/* Its length (a well-formed record's fields hold no NUL). */
size_t	csv_field_len(const struct csv_reader *r, size_t i);
/* True when every field of the current record is empty. */
bool	csv_record_blank(const struct csv_reader *r);

#endif
