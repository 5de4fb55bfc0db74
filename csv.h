/* csv.h -- the streaming CSV reader.

   libcsv tokenizes; this module feeds it the input (a regular file is
   mmap'ed, anything else is read in fixed 64 KiB chunks; gzip and zstd are
   decompressed on the way), finds the dialect when it is not given, tracks
   the physical line each row starts on, tells NULL from empty string, takes
   the header, and hands out the rows in batches of complete rows.

   libcsv is the tokenizer of record.  Whole rows that begin where libcsv
   is between rows, end within the bytes at hand, and hold only plain
   fields (no quote character) and well-formed quoted fields (a quote
   followed by the delimiter or a line end closes them; "" inside is one
   quote) are split here instead, straight into the row buffers as
   libcsv's field and row callbacks would fill them; libcsv takes every
   other byte.  tests/unit/test_csv.c holds the two to the same readings
   over the CSV corpus, csv-spectrum, the CSV fuzzing corpus and generated
   input, from a file and through a pipe (libcsv_only turns the split off).

   Input text: a UTF-8 byte-order mark at the start is dropped and UTF-16
   input refused; then the first `skip` physical lines (ended by LF, CRLF or
   CR, quotes not considered) are dropped before anything else.  With
   `comment` set, a line whose first byte is that character is left out where
   a row may start (inside a quoted field it is data); it is not a row.  A
   comment of 0 is detected (below); a line end means none, none detected.
   A skip of 0 lets a preamble be detected (below); below 0: none.
   Blank lines are skipped, except in a file of one column, where a blank
   line before a row of text is a row holding NULL (a run of more than 1024
   blank lines at the end is kept whole; a shorter one is dropped like the
   trailing blank lines of any file).  Line numbers are always physical
   line numbers of the input, skipped and comment lines counted.

   Dialect detection: a delimiter or quote of 0, or header -1, is decided
   from a sample: the first 64 KiB of the input text (after decompression,
   the byte-order mark and the skipped lines; all of it when shorter), in
   which the first 100 complete rows count (a row cut by the sample's end
   does not; blank and comment lines are no rows).  The sample is then
   parsed like the rest, so nothing is lost, and a file and the same bytes
   through a pipe see the same sample.  The sample is read the way libcsv
   reads it, for each candidate delimiter and quote:
     delimiter  among ',' ';' TAB '|', the one that gives the first row
                more than one field and the most rows (the first included)
                that same number of fields; ties go to more fields, then to
                that order.  When no candidate gives the first row two
                fields: ',', unless the sample read with ',' looks like
                one column whose values hold commas (the rows after the
                first have several widths, one field is the most common
                width or as common as any, the wider rows are not a block
                of one width ending the sample, and no preamble is found):
                then none, one column.  With format->decimal_comma, ','
                is not a candidate (and ';' the fallback).
     quote      '"', unless some field opens and closes with '\'' cleanly
                (the closing quote followed by the delimiter or the line
                end), none opens with '\'' and closes badly or stays open at
                the end of the input, no field opens with '"', and the rows
                agree at least as often with '\'' as with '"'.  The delimiter
                is then the best one for the quote chosen.
     header     a column is typed when the values of the sample's later rows
                that have the first row's field count, NULLs aside, share a
                type other than string (ty_mask_fmt with `format`; NULL
                reads as ty_mask does).  A first row of empty fields only
                is a header (names column_1 ...).  Else the first row is a header when, in some typed
                column, its value does not fit that type (including it would
                make the column a string); it is data (names column_1 ...)
                when every value of it fits and at least one column is
                typed.  When no column is typed (every column text, or no
                row after the first in the sample) it is a header: a
                headerless file of text alone needs header = 0.  Empty or
                repeated names do not count either way.
     comment    '#' (when it is not the delimiter or quote given), when
                some line of the sample starts with it where a row may
                start, and, read with the delimiter and quote found with
                '#' as the comment, the rows all have one field count
                with those lines left out but not with them read as rows
                ("#1,2" lines as wide as the data are rows).  The delimiter
                and quote are then the ones found with it.
     preamble   (skip 0, header not 0) read with the dialect found, when
                the sample's rows before the first one of the last row's
                field count are at most 20 lines, that count is 2 or
                more, every row from that first one on has it, those rows
                are at least 2 and at least as many as the rows before,
                and the first of them is a header (detected, or header
                1): the lines before it are skipped as with skip (counted
                as lines), so that it is the header.  It never changes the
                delimiter chosen.  Else (say "a" over rows "1,2") nothing
                is skipped and a ragged row is the error it was.
   Options given are never second-guessed; csv_delimiter(), csv_quote() and
   csv_has_header() tell what is in use.

   Batches: csv_next_batch() returns a view of up to max_rows complete rows,
   fewer when the row buffers are full; at the end (no view), the reader's
   buffers go back to the pool.  The view stays valid until the next
   call to csv_next_batch() or csv_close(); the reader owns every byte of it.
   Batches depend on the rows alone: a file and the same bytes through a
   pipe, in any sizes of reads, give the same batches.

   Fields: an empty unquoted field, and a field equal to one of the NULL
   markers, is NULL; a quoted empty field "" is an empty string.
   Leading and trailing spaces are kept.

   Rows of the wrong width: a row with more or fewer fields than the first
   row is an error (ERR_CSV, "expected N fields, found M", at the row's line
   and the first missing or extra column), unless bad_row is set: it is
   called with all the row's fields and decides (keep, drop or stop).

   Memory: all buffers come from the pool: the row buffers (row_bytes, fixed
   unless a single row is larger; the extra fields of a long row are held
   there while bad_row looks at them), libcsv's field buffer (the longest
   field), a 64 KiB read buffer for non-mmap'ed input, and while the dialect
   is detected, the 64 KiB sample (until it is parsed) and 13 bytes per
   column of the sample's first row; with csv_prefetch(), a second block of
   at most a quarter of the row buffers' size.  A field or row that does not fit the
   budget is ERR_NOMEM naming its line.

   Two threads (threads >= 2): when csv_next_batch() has to parse and the
   read-ahead block is idle (csv_prefetch() made it), the input is a mapped
   file (not a pipe, not compressed) past the sample and the skipped lines,
   no comment character is in use and the rows have two fields or more,
   a second thread (made at the first such call, ended at the end of the
   input or at csv_close()) parses rows from a line end ahead, chosen by an
   even count of quotes, into that block while the calling thread parses up
   to it; its rows are appended when the caller's parse ends exactly there
   between rows and they fit, and dropped otherwise.  It takes only rows
   the quote-aware split takes whole, of the header's width, and stops
   before any other row, so bad_row is called and errors are met by the
   calling thread alone, in input order.  Batches, rows, line numbers,
   bad_row calls and errors are those of one thread; csv_rows_split() counts
   the rows it parsed.  Its memory: a 64 KiB stack and 2 KiB of state from
   the pool.

   Failure: functions return ERR_OK or an error code (ERR_CSV for a row with
   the wrong number of fields or an unterminated quote, ERR_IO, ERR_CODEC,
   ERR_NOMEM, or bad_row's code) and fill csv_where() with the line, the
   column and a detail message.
 */
#ifndef CSV2PQ_CSV_H
#define CSV2PQ_CSV_H

#include <stddef.h>
#include <stdint.h>
#include "pool.h"
#include "types.h"

#define CSV_NULL_BIT 0x80000000u

/* A row whose field count is not the header's, as bad_row sees it. */
struct csv_bad_row {
    int64_t line;                    /* line the row starts on */
    size_t expected, found;          /* field counts */
    const unsigned char *text;       /* the found fields, as in a batch: */
    const uint32_t *fend;            /* field i is text[fend[i-1] .. fend[i]) */
    uint32_t first;                  /* start of field 0 */
};

enum { CSV_KEEP = -1, CSV_DROP = -2 };

struct csv_options {
    unsigned char delimiter;         /* field delimiter; 0: detect among , ; TAB |;
                                        '\n': none, every line one field */
    unsigned char quote;             /* quote character; 0: detect " or '; '\n': none,
                                        quotes are text */
    int header;                      /* 1: the first row names the columns, 0: it is data,
                                        -1: detect (text over typed rows is a header) */
    const char *const *nulls;        /* extra NULL markers */
    size_t n_nulls;
    unsigned char comment;           /* lines starting with this byte are skipped; 0: none */
    int64_t skip;                    /* leading lines skipped before the header */
    const struct ty_format *format;  /* how header detection reads values; NULL: defaults */
    /* Called for a row with too many or too few fields instead of failing
       (NULL: ERR_CSV).  It sees every field found, the extra ones of a long
       row included; the view is valid during the call only.  Returns
       CSV_KEEP (a short row is padded with NULLs, a long row cut to the
       header's count), CSV_DROP (the row is left out), or an ERR_* code
       that stops the reader with csv_where() naming the row as the error
       without bad_row would ("expected N fields, found M"; any other value
       counts as ERR_CSV).  Called from inside csv_open() and
       csv_next_batch(), never for the first row. */
    int (*bad_row)(void *ctx, const struct csv_bad_row *row);
    void *bad_row_ctx;
    int threads;                     /* 2 or more: a second thread parses part of the
                                        rows csv_next_batch() waits for (below) */
    int libcsv_only;                 /* every byte through libcsv (the differential tests) */
};

/* A run of complete rows; field i of row r is fend index r * ncols + c.
   The caller may edit a batch in place before using it: set NULL bits in
   fend, or drop rows with csv_batch_drop(). */
struct csv_batch {
    size_t ncols, nrows;
    unsigned char *text;             /* field bytes, owned by the reader */
    uint32_t *fend;                  /* end offset of each field | CSV_NULL_BIT */
    uint32_t first;                  /* offset of the batch's first field */
    int64_t *line;                   /* line each row starts on (1-based) */
};

/* Field i of a batch: sets *s and *n, returns 1 when the field is NULL. */
static inline int csv_field(const struct csv_batch *b, size_t i,
                            const char **s, size_t *n) {
    uint32_t start = i ? b->fend[i - 1] & ~CSV_NULL_BIT : b->first;
    uint32_t end = b->fend[i];
    *s = (const char *)b->text + start;
    *n = (end & ~CSV_NULL_BIT) - start;
    return (end & CSV_NULL_BIT) != 0;
}

struct csv_where {
    int64_t line, column;            /* 0 when unknown */
    char detail[256];
};

struct csv_reader;

/* Open a reader on fd (not closed by the reader) and read up to the end of
   the first row: the header, or the first data row with header = 0, which
   fixes the number of columns.  ncols is 0 for an input with no rows.
   row_bytes (at least 256 KiB) is the size of the row buffers, taken from
   the pool at once and shared between field text, field ends and line
   numbers in proportion to what the first 1024 rows need (half, a quarter
   and a quarter when they are too few or too large to tell); a batch ends
   when one of them is full. */
int csv_open(pool_t *pool, int fd, const struct csv_options *o, size_t row_bytes,
             struct csv_reader **r);

size_t csv_ncols(const struct csv_reader *r);
/* Column names: from the header, made unique ("a", "a_2", ...), an empty
   name becoming column_N; column_1 ... column_N without a header. */
const char *csv_name(const struct csv_reader *r, size_t col);

/* The next batch of at most max_rows rows, or *b = NULL at the end of the
   input. */
int csv_next_batch(struct csv_reader *r, size_t max_rows, struct csv_batch **b);

/* Read ahead while the caller works on the batch handed out: the rows
   after it are parsed into a second block, up to where the next
   csv_next_batch(r, max_rows) would cut (or until that block is full), and
   that call moves them back.  The block is a multiple of an 8th of the row
   buffers' size, at most a quarter of it: the most that keeps the pool's
   highest use so far (pool_peak, the block counted in) `keep` bytes short
   of the budget and that the pool has free in one piece; none below one
   8th (a later call may find the room).  Once made, it is kept from call
   to call and never grows (smaller when the peak has come within `keep`
   of the budget).  The batch stays
   valid and unchanged.  It changes nothing the reader hands out: batches,
   rows, line numbers and errors are those of csv_next_batch() alone; an
   error met while reading ahead is returned by the next csv_next_batch().
   bad_row may be called from it.  Without the memory for the block it
   does nothing. */
void csv_prefetch(struct csv_reader *r, size_t max_rows, size_t keep);

/* Make the read-ahead block now, by the rule csv_prefetch() follows, without
   parsing into it: called while nothing else takes memory from the pool
   (before the encoders start on a batch), the block's size depends on the
   input and the budget alone, not on what other threads happen to hold at
   the time csv_prefetch() is called. */
void csv_reserve_ahead(struct csv_reader *r, size_t keep);

/* Remove the rows whose keep[r] is 0 (r < b->nrows) from the batch, moving
   the rest, their text, field ends and line numbers, down in order;
   b->nrows becomes the number kept.  Only the batch's own bytes move: the
   rows after it are untouched, and the next csv_next_batch() works as if
   nothing had been dropped. */
void csv_batch_drop(struct csv_batch *b, const uint8_t *keep);

/* The dialect in use, detected or given: delimiter, quote, header. */
unsigned char csv_delimiter(const struct csv_reader *r);
unsigned char csv_quote(const struct csv_reader *r);
int csv_has_header(const struct csv_reader *r);

const struct csv_where *csv_where(const struct csv_reader *r);
uint64_t csv_bytes_in(const struct csv_reader *r);   /* input bytes consumed */
uint64_t csv_rows_split(const struct csv_reader *r); /* rows the second thread parsed */
void csv_close(struct csv_reader *r);

#endif
