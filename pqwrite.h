/* pqwrite.h -- the Parquet writer: typed column chunks from CSV batches.

   A writer turns each batch of CSV rows (csv.h) into one row group: every
   column's text is converted to its type, then written as one column chunk
   of data pages v1, definition levels in the RLE/bit-packed hybrid, each
   page compressed with the chosen codec.  A chunk's values are encoded one
   way, chosen from the values (see choose_encoding in pqwrite.c):
   dictionary (a PLAIN dictionary page, numbers in ascending order and byte
   arrays by frequency class, then RLE_DICTIONARY indices) when it holds
   every value within its limits and costs less than PLAIN; else, for INT32
   and INT64, DELTA_BINARY_PACKED when it is smaller than PLAIN is likely to
   compress to; for FLOAT and DOUBLE, BYTE_STREAM_SPLIT when the values
   rarely repeat (with opt.byte_stream_split); for BYTE_ARRAY,
   DELTA_BYTE_ARRAY (with no shared prefixes); else PLAIN.  With zstd, pages
   of 8-byte PLAIN values and of byte arrays are compressed with parameters
   tuned to them (codec_set_data).  Every column chunk and page header
   carries statistics (min_value, max_value, null_count, and nan_count for
   FLOAT and DOUBLE), in the column's sort order; the footer's column_orders
   are TypeDefinedOrder.  pqw_finish() writes the footer.  Columns are
   OPTIONAL.  With opt.threads > 1 the column chunks of a row group are
   encoded by that many threads and written in column order; the bytes are
   the same for every thread count.

   Types (types.h) and what they become:
     boolean            BOOLEAN
     int8, int16, int32 INT32, INTEGER(8|16|32, signed), INT_8|16|32
     int64              INT64, no annotation
     uint8|16|32        INT32, INTEGER(8|16|32, unsigned), UINT_8|16|32
     uint64             INT64, INTEGER(64, unsigned), UINT_64
     float, double      FLOAT, DOUBLE
     decimal(P,S)       DECIMAL(P,S) logical and converted, scale and
                        precision in the schema element: INT32 for P <= 9,
                        INT64 for P <= 18, else FIXED_LEN_BYTE_ARRAY of the
                        fewest bytes that hold 10^P - 1 (9..16), big-endian
                        two's complement
     date               INT32, DATE
     time(ms|us|ns)     INT32 TIME(MILLIS) + TIME_MILLIS, INT64 TIME(MICROS)
                        + TIME_MICROS, INT64 TIME(NANOS); isAdjustedToUTC
                        false (a local time of day)
     timestamp(ms|us|ns)      INT64 TIMESTAMP(unit, isAdjustedToUTC false)
     timestamp_utc(ms|us|ns)  INT64 TIMESTAMP(unit, true) + TIMESTAMP_MILLIS
                        or TIMESTAMP_MICROS (none for NANOS)
     string             BYTE_ARRAY, STRING + UTF8; the text must be UTF-8
     binary             BYTE_ARRAY, no annotation, any bytes
   Values are read with ty_parse_value() and opt.format (the inferred types
   through their own faster parsers first, with the same results).  String
   and binary statistics are cut to 64 bytes (is_*_value_exact tells).

   Output is written sequentially to a file descriptor (pipes work); the
   writer owns nothing of the caller's and the caller keeps the fd open.

   Memory (from the pool), per thread: the typed values of the column chunk
   being encoded (at most 8 bytes per row, 9..16 for decimals of precision
   above 18, plus 4 per row for dictionary indices and 1 for definition
   levels), the dictionary (at most dict_limit bytes of values and
   dict_entries entries, plus its table and 20 bytes per entry to order
   it), one page of levels and values, its compressed copy, the compressor
   (codec_workspace()), and with several threads the encoded chunk until it
   is written; with several threads, the finished chunks waiting for their
   turn (a thread takes no other column while they hold more than a 16th of
   the budget); plus a 256 KiB output buffer and the footer's row-group
   metadata (about 150 bytes per column chunk).  Threads: opt.threads, but
   no more than a third of the budget holds compressors and page buffers
   for.

   Failure: ERR_TYPE (a value that does not fit its column's type, or
   invalid UTF-8 in a string column: "column "NAME" is TYPE, but this value
   is "TEXT"" with TYPE as ty_spec_format() writes it), ERR_USAGE (a column
   spec outside its ranges), ERR_IO, ERR_NOMEM; *where names the line, the
   1-based column and a detail message.
 */
#ifndef CSV2PQ_PQWRITE_H
#define CSV2PQ_PQWRITE_H

#include <stddef.h>
#include <stdint.h>
#include "csv.h"
#include "pool.h"
#include "types.h"

struct pqw_column {
    const char *name;                /* copied by pqw_create */
    struct ty_spec spec;             /* type and parameters (types.h); spec.inferred
                                        keeps inference's rules for the values */
    size_t source;                   /* field index in the batch's rows */
};

struct pqw_options {
    int codec;                       /* CODEC_* of codec.h */
    int level;                       /* 0: the codec's default */
    size_t page_size;                /* bytes of values per data page */
    size_t dict_limit;               /* bytes of dictionary values at most */
    size_t dict_entries;             /* distinct values at most (bounds its table) */
    const char *created_by;
    int threads;                     /* column chunks encoded at once, 1..PQW_MAX_THREADS */
    int byte_stream_split;           /* 1: FLOAT and DOUBLE may be BYTE_STREAM_SPLIT
                                        (Spark's vectorized reader before 4.x
                                        cannot read it) */
    struct ty_format format;         /* how dates, timestamps, numbers are read */
};

#define PQW_MAX_THREADS 64

struct pqw_where {
    int64_t line;                    /* 0 when unknown */
    int64_t column;                  /* 1-based, 0 when unknown */
    char detail[320];
};

struct pqw_writer;

/* Start a file: writes the leading magic. */
int pqw_create(pool_t *pool, int fd, const struct pqw_column *cols, size_t ncols,
               const struct pqw_options *o, struct pqw_writer **w,
               struct pqw_where *where);

/* Write the batch as one row group: pqw_begin_row_group() then
   pqw_end_row_group(). */
int pqw_write_row_group(struct pqw_writer *w, const struct csv_batch *b,
                        struct pqw_where *where);

/* The same in two halves, so that the caller can work (read the next rows)
   while the threads encode.  With several threads, begin hands the columns
   to them and returns at once; they encode the chunks and write them in
   column order as they finish; end waits for them and adds the row group to
   the footer.  With one thread, begin writes the row group and end adds it.
   The batch must stay valid and unchanged until end returns.  Errors are
   those of pqw_write_row_group(), from begin or from end; after an error
   from begin, do not call end.  Every begin that succeeds needs its end
   before the next begin, pqw_finish() or pqw_free(). */
int pqw_begin_row_group(struct pqw_writer *w, const struct csv_batch *b,
                        struct pqw_where *where);
int pqw_end_row_group(struct pqw_writer *w, struct pqw_where *where);

/* Write the footer and flush.  The file is complete when this succeeds. */
int pqw_finish(struct pqw_writer *w, struct pqw_where *where);

int64_t pqw_rows(const struct pqw_writer *w);
uint32_t pqw_row_groups(const struct pqw_writer *w);
uint64_t pqw_bytes_out(const struct pqw_writer *w);
/* Threads encoding column chunks: opt.threads, fewer when a third of the
   memory budget does not hold that many compressors and page buffers. */
int pqw_threads(const struct pqw_writer *w);

void pqw_free(struct pqw_writer *w);

#endif
