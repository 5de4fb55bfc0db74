/* pqread.h -- the Parquet reader: any Parquet file to CSV, or a look inside.

   pqr_run() opens the file itself: a regular file (or a regular file on
   stdin) is mmap'ed; stdin that cannot seek is first copied to a temporary
   file under $TMPDIR (default /tmp), which is unlinked as soon as it is
   created, so nothing stays behind whatever happens next.  The footer is
   decoded, the schema becomes a tree, and then one of:

     PQR_CSV     one CSV row per record: RFC 4180, a header line (unless
                 no_header), LF line ends, a field quoted only when it
                 contains the delimiter, a quote, CR or LF, or when it equals
                 the NULL text (so with the default "" an empty string is
                 written "" and a NULL as nothing).  Each top-level field is
                 one column; a nested one is one compact JSON text per
                 record: a struct an object, a LIST (or a repeated field,
                 or a legacy 2-level list, by LogicalTypes.md's backward
                 compatibility rules) an array, a MAP an object keyed by
                 the key's text (a MAP without a value field: an array of
                 its keys).  Value formats: pqvalue.h.
     PQR_SCHEMA  the schema in parquet-mr's message syntax: repetition,
                 physical type, name, logical (or converted) type, field id,
                 groups nested with their children.
     PQR_META    file, row-group and column-chunk metadata, one
                 "key: value" per line, with page counts and statistics.
     PQR_COUNT   the row count of the footer.

   threads is the number of threads making CSV (0: one per online CPU, at
   most 16).

   columns ("a,b") keeps only those top-level fields, in the order given,
   and reads only their column chunks (a name not in the file, or named
   twice, is ERR_UNSUPPORTED); head >= 0 stops after that many rows and
   reads only the row groups and pages they need.

   CSV is made a batch of rows at a time (about 512 KiB of text): each
   selected field's cells into a buffer of its own, then the rows put
   together from them and written without a copy.  With threads > 1 the
   fields of a batch are formatted at once, each by one thread (the
   caller's included), and the rows put together by slices; the output,
   and the error and place reported for a damaged file, are the same for
   every thread count, and are those a row-by-row walk would give: an
   error ends the output after the cells before it in row order.  Other
   output goes to out_fd through a 64 KiB buffer; the reader never prints
   anything else and never exits.

   Failure: ERR_OK or an ERR_* code, with *where naming the place (row
   group, leaf column, page) and, in detail, a complete message meant to be
   printed instead of err_str() when not empty:
   ERR_NOTPARQUET (empty, too short, no PAR1 magic), ERR_ENCRYPTED (PARE
   footer, encryption_algorithm, or an encrypted column chunk),
   ERR_UNSUPPORTED (BROTLI or LZO pages, an encoding a column's type cannot
   have, a column chunk in another file, --columns: "no column named X"),
   ERR_TRUNCATED / ERR_CORRUPT / ERR_THRIFT / ERR_DEPTH / ERR_TOOBIG (a
   damaged file), ERR_CODEC (a page that does not decompress to its size),
   ERR_NOMEM, ERR_IO (open, read, spool or write failed: detail is
   strerror's text, "write error: Broken pipe" included, where->sys_errno
   the errno).  Output written before the error stays written.

   Safety: every length, offset and count read from the file is checked
   against the bytes that remain before use; a file whose contents change
   while it is read (truncated under the mmap) is outside this contract.

   Memory (from the pool): the footer's decoded arrays (about 150 bytes per
   column chunk plus the schema, 100 bytes per schema element), and for
   each selected leaf column of the current row group one page at a time
   (its buffers are kept for the next row group's pages): its decompressed
   copy (none when stored uncompressed: pages are read in place from the
   mapped file), its levels (1 byte per entry for each kind), its decoded
   values (at most 16 bytes per value, none for PLAIN values, which are
   read in place; dictionary indices 1, 2 or 4 bytes by the dictionary's
   size; DELTA_BYTE_ARRAY values rebuilt in full) and its dictionary page,
   decompressed, with 8 bytes per entry, plus the entries' CSV text once
   used (at most three times the dictionary page and 64 KiB); per thread,
   4 bytes per entry of the largest page (levels and indices are decoded
   through it) and one nested record's JSON text; the cells of a batch
   (about 512 KiB; a field whose cells pass 4 MiB stops and the batch is
   cut there) and its rows put together; 64 KiB of output buffer and a
   64 KiB copy buffer for stdin.  Threads run with 512 KiB stacks, outside
   the pool.  The compressed pages of the mapped file leave the resident
   set once decompressed, the rest at the end of each row group.  Every
   buffer is given back before pqr_run() returns, on success and on error.
 */
#ifndef CSV2PQ_PQREAD_H
#define CSV2PQ_PQREAD_H

#include <stddef.h>
#include <stdint.h>
#include "pool.h"

enum pqr_mode { PQR_CSV, PQR_SCHEMA, PQR_META, PQR_COUNT };

struct pqr_options {
    int mode;                        /* enum pqr_mode */
    char delimiter;                  /* ',' */
    const char *null_str;            /* text of a NULL; "" when NULL */
    int no_header;
    const char *columns;             /* "a,b" or NULL for every column */
    int64_t head;                    /* rows at most; -1 for all */
    int threads;                     /* CSV: threads making it; 0: one per online CPU */
};

/* Where an error happened; fields not known stay at their unset value. */
struct pqr_where {
    const char *file;                /* the path, or "<stdin>"; never NULL */
    int64_t row_group;               /* 0-based, -1 unset */
    char column[256];                /* dotted path of the leaf column, "" unset */
    int64_t page;                    /* 0-based within the column chunk, -1 unset */
    int64_t offset;                  /* byte offset in the file, -1 unset */
    int sys_errno;                   /* errno for ERR_IO, 0 otherwise */
    char detail[320];                /* extra text, "" when none */
};

/* Read path (NULL or "-" for stdin) as the options say, writing to out_fd.
   *where is always initialised.  Returns ERR_OK or an ERR_* code. */
int pqr_run(pool_t *pool, const char *path, int out_fd,
            const struct pqr_options *o, struct pqr_where *where);

/* The same for a file already in memory: data[0..size) stands for the
   file (the caller keeps it alive and unchanged during the call), name is
   the file name for *where. */
int pqr_run_mem(pool_t *pool, const void *data, size_t size, const char *name, int out_fd,
                const struct pqr_options *o, struct pqr_where *where);

/* The place of an error as text: "FILE: row group R, column "NAME", page P",
   leaving out the parts not set; file stands in when where->file is NULL.
   Always NUL-terminated (truncated to size). */
void pqr_where_format(const struct pqr_where *where, const char *file, char *buf, size_t size);

#endif
