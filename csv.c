#include "csv.h"

#include <csv.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "codec.h"
#include "err.h"

#define PIECE (64u << 10)            /* bytes handed to libcsv at a time */
#define MIN_PIECE 4096u              /* less room than this: the batch is full */
#define SAMPLE_ROWS 1024             /* rows that decide the row buffers' shares */
#define TEXT_MAX 0x7fff0000u         /* offsets keep a bit for NULL */
#define DROP_EVERY (1u << 18)        /* bytes of parsed map released at a time */
#define SAMPLE_BYTES PIECE           /* text the dialect is detected from */
#define DETECT_ROWS 100              /* rows of the sample that count */
#define PREAMBLE_LINES 20            /* lines a detected preamble may have */
#define BLANK_RUN 1024               /* trailing blank lines dropped, at most */
#define AHEAD_STEPS 8                /* the read-ahead block is a multiple of an 8th
                                        of the row buffers' size, */
#define AHEAD_MOST 2                 /*   at most 2 of them */
#define SPLIT_STACK ((size_t)64 << 10)  /* the second parsing thread's stack */
#define SPLIT_SPARE 64               /* rows beyond the estimate kept for the main thread's part */

struct csv_split;

struct csv_reader {
    pool_t *pool;
    int fd;
    struct csv_options opt;
    struct csv_parser parser;
    int parser_live;

    /* input */
    const unsigned char *map;        /* mmap'ed file, or NULL */
    size_t map_len, map_pos;
    size_t map_dropped;              /* bytes of the map given back to the OS */
    unsigned char *chunk;            /* read buffer (PIECE bytes, pool) */
    size_t pending, pend_off;        /* bytes in chunk read ahead, not yet parsed, and where */
    struct codec_stream *dec;        /* gzip or zstd input, or NULL */
    int dec_kind;                    /* CODEC_* */
    const unsigned char *zin;        /* compressed bytes not yet decompressed */
    size_t zlen, zpos;
    unsigned char *unpacked;         /* decompressed piece (PIECE bytes, pool) */
    uint64_t bytes_in;
    int at_start, eof;

    /* input text: after the byte-order mark and the skipped lines */
    int64_t skip_left;               /* --skip lines still to drop */
    int skip_cr;                     /* the last line dropped ended in CR */
    int text_end;                    /* the input text has ended */
    unsigned char *sample;           /* SAMPLE_BYTES (pool) while the dialect sample lasts */
    size_t sample_len, sample_pos;   /* bytes in it, bytes parsed */
    int sample_all;                  /* the sample is the whole input text */
    int sample_err;                  /* an input error after the sample, reported */
    struct csv_where sample_where;   /*   when the parse gets there */
    int in_comment;                  /* in a comment line's text */
    int comment_line;                /* the line end libcsv sees next ends a comment line */
    int no_quote;                    /* quote none: libcsv's quote is NUL (parse_run) */
    int no_delim;                    /* delimiter none: one column; libcsv's delimiter is NUL */
    unsigned char stop[256];         /* fast_row: the bytes that end a plain field
                                        (the delimiter, CR, LF, and the quote) */
    unsigned char qstop[256];        /* fast_row: the quote, CR and LF */
    int fast_quotes;                 /* fast_row splits quoted fields too */
    int detect_comment;              /* no comment character given */

    /* buffered rows: complete rows [0, nrows), then the fields of the row
       being parsed; rows below base_row were handed out already.  The three
       buffers are parts of one block from the pool. */
    unsigned char *block; size_t block_size;          /* pool, bytes */
    unsigned char *text; size_t text_len, text_cap;   /* in block, bytes */
    uint32_t *fend; size_t nfend, fend_cap;           /* in block, entries */
    int64_t *line; size_t nrows, line_cap;            /* in block, entries */
    size_t base_row;
    size_t text_limit, fend_limit, line_limit;  /* a batch's rows fit these */
    size_t text_base, fend_base, line_base;     /* the capacities they come from */
    struct csv_batch view;
    /* reading ahead (csv_prefetch): the rows after the batch handed out
       are parsed into a second, smaller block while the batch, in the held
       block, is in use; the next csv_next_batch moves them back */
    unsigned char *held; size_t held_size;           /* pool, the batch's block */
    size_t held_text_cap, held_fend_cap, held_line_cap;
    unsigned char *ahead; size_t ahead_size;         /* pool, the second block when idle */
    size_t ahead_most;               /* bytes the block may have (it never grows);
                                        SIZE_MAX before the first csv_prefetch */
    size_t ahead_tc, ahead_fc, ahead_lc;   /* its capacities: bytes, entries, entries */
    /* parsing on two threads (csv_options.threads): while csv_next_batch
       parses up to split_at, a second thread parses the rows from there
       into the idle read-ahead block (split_start) */
    struct csv_split *split;         /* pool, the thread and its reader; NULL: none yet */
    size_t split_at;                 /* map offset where it started; 0: not running */
    uint64_t rows_split;             /* rows it parsed that were kept */

    /* the row being parsed */
    size_t row_fields;               /* fields seen, stored or not */
    int64_t row_line;
    int64_t cur_line;                /* physical line the parser is on */
    int prev_term;                   /* terminator of the last row, or 0 */
    size_t blank_tail;               /* one column: rows of blank lines at the end
                                        of the buffer, held until a row follows */
    size_t blank_run;                /* blank lines since the last row of text */

    /* columns */
    size_t ncols;
    char **names;                    /* pool */
    int have_header;                 /* first row seen */

    int err;
    struct csv_where where;
};

/* libcsv allocates its field buffer through these; the buffer then counts
   against the budget like everything else. */
static _Thread_local pool_t *libcsv_pool;
static void *libcsv_realloc(void *p, size_t n) { return pool_realloc(libcsv_pool, p, n); }
static void libcsv_free(void *p) { pool_free(libcsv_pool, p); }
static int no_space(unsigned char c) { (void)c; return 0; }

static size_t room(const struct csv_reader *r);
static size_t room_for_row(struct csv_reader *r);
static void split_destroy(struct csv_reader *r);

static void fail(struct csv_reader *r, int code, int64_t line, int64_t col,
                 const char *fmt, ...) {
    if (r->err)
        return;
    r->err = code;
    r->where.line = line;
    r->where.column = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->where.detail, sizeof r->where.detail, fmt, ap);
    va_end(ap);
}

/* Bytes of a block holding these capacities, and where its parts start. */
static size_t block_bytes(size_t text_cap, size_t fend_cap, size_t line_cap,
                          size_t *tb, size_t *fb) {
    *tb = (text_cap + 7) & ~(size_t)7;
    *fb = (fend_cap * sizeof(uint32_t) + 7) & ~(size_t)7;
    return *tb + *fb + line_cap * sizeof(int64_t);
}

/* Point the row buffers at the parts of block b. */
static void place(struct csv_reader *r, unsigned char *b, size_t size,
                  size_t text_cap, size_t fend_cap, size_t line_cap) {
    size_t tb, fb;
    block_bytes(text_cap, fend_cap, line_cap, &tb, &fb);
    r->block = b;
    r->block_size = size;
    r->text = b;
    r->fend = (uint32_t *)(void *)(b + tb);
    r->line = (int64_t *)(void *)(b + tb + fb);
    r->text_cap = text_cap;
    r->fend_cap = fend_cap;
    r->line_cap = line_cap;
}

/* Lay the row buffers out in one block of the pool (text, then field ends,
   then line numbers) with these capacities, their contents moving along.
   The block is taken once at open and partitioned again in place; a larger
   one is taken only for a row that does not fit, and given back after it.
   Returns 0 when the pool cannot hold the block. */
static int layout(struct csv_reader *r, size_t text_cap, size_t fend_cap, size_t line_cap) {
    size_t tb, fb;
    size_t need = block_bytes(text_cap, fend_cap, line_cap, &tb, &fb);
    size_t uf = r->nfend * sizeof *r->fend, ul = r->nrows * sizeof *r->line;
    if (r->text_len > text_cap || r->nfend > fend_cap || r->nrows > line_cap)
        return 0;
    unsigned char *tmp = NULL;
    if (uf + ul) {                   /* the contents to move: small, or rare */
        if (!(tmp = pool_alloc(r->pool, uf + ul)))
            return 0;
        memcpy(tmp, r->fend, uf);
        memcpy(tmp + uf, r->line, ul);
    }
    unsigned char *b = r->block;
    size_t size = r->block_size;
    if (!b || need > size || need < size / 2) {
        if (!(b = pool_alloc(r->pool, need))) {
            pool_free(r->pool, tmp);
            return 0;
        }
        if (r->text_len)
            memcpy(b, r->text, r->text_len);
        pool_free(r->pool, r->block);
        size = need;
    }
    place(r, b, size, text_cap, fend_cap, line_cap);
    if (tmp) {
        memcpy(r->fend, tmp, uf);
        memcpy(r->line, tmp + uf, ul);
        pool_free(r->pool, tmp);
    }
    return 1;
}

/* Room for this much more text, field ends and line numbers. */
static int make_room(struct csv_reader *r, size_t text, size_t fends, size_t lines) {
    if (r->text_len + text <= r->text_cap && r->nfend + fends <= r->fend_cap &&
        r->nrows + lines <= r->line_cap)
        return 1;
    size_t t = r->text_cap, f = r->fend_cap, l = r->line_cap;
    if (r->text_len + text > t) t = r->text_len + text + t / 8;
    if (r->nfend + fends > f) f = r->nfend + fends + f / 8;
    if (r->nrows + lines > l) l = r->nrows + lines + l / 8;
    return layout(r, t, f, l);
}

static int is_null_marker(const struct csv_reader *r, const char *s, size_t n) {
    for (size_t i = 0; i < r->opt.n_nulls; i++)
        if (strlen(r->opt.nulls[i]) == n && memcmp(r->opt.nulls[i], s, n) == 0)
            return 1;
    return 0;
}

static void on_field(void *s, size_t n, void *data) {
    struct csv_reader *r = data;
    if (r->err)
        return;
    if (r->row_fields == 0)
        r->row_line = r->cur_line;
    r->prev_term = 0;
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\n' || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n')))
            r->cur_line++;
    r->row_fields++;
    if (r->ncols && r->row_fields > r->ncols && !r->opt.bad_row)
        return;                      /* counted, reported at the row's end */
    int null = !s || (r->opt.n_nulls && is_null_marker(r, s, n));
    if (r->text_len + n > TEXT_MAX) {
        fail(r, ERR_NOMEM, r->row_line, (int64_t)r->row_fields,
             "buffered rows exceed 2 GiB; lower -m or --row-group-size");
        return;
    }
    if (!make_room(r, n, 1, 0)) {
        fail(r, ERR_NOMEM, r->row_line, (int64_t)r->row_fields,
             "row does not fit the memory budget (-m %zu bytes)", pool_budget(r->pool));
        return;
    }

    if (!null && n)
        memcpy(r->text + r->text_len, s, n);
    r->text_len += null ? 0 : n;
    r->fend[r->nfend++] = (uint32_t)r->text_len | (null ? CSV_NULL_BIT : 0);
}

/* The names taken so far, for take_header: open addressing over
   power-of-two slots holding a column index + 1 (0: empty). */
struct name_set {
    uint32_t *slot;                  /* pool */
    size_t mask;
    char **names;
};

static size_t name_hash(const char *s) {
    uint64_t h = 14695981039346656037u;          /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)(h ^ (h >> 29));
}

/* The column holding name, or -1; *at is its slot or the free one. */
static long name_find(const struct name_set *set, const char *name, size_t *at) {
    size_t i = name_hash(name) & set->mask;
    for (; set->slot[i]; i = (i + 1) & set->mask)
        if (strcmp(set->names[set->slot[i] - 1], name) == 0)
            break;
    *at = i;
    return set->slot[i] ? (long)set->slot[i] - 1 : -1;
}

/* Make the column names from the fields of the first row, then drop them
   from the buffer.  A name ends at a NUL byte; an empty one is column_N;
   a name taken already gets _2, _3 ... (the first suffix free), each base
   name remembering the next suffix to try, so that many equal names cost
   no more than many different ones. */
static void take_header(struct csv_reader *r) {
    size_t n = r->row_fields, cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    struct name_set set = { pool_calloc(r->pool, cap, sizeof *set.slot), cap - 1, NULL };
    uint32_t *next = pool_calloc(r->pool, n, sizeof *next);   /* per column: next suffix */
    r->names = pool_calloc(r->pool, n, sizeof *r->names);
    set.names = r->names;
    if (!r->names || !set.slot || !next) {
        fail(r, ERR_NOMEM, r->row_line, 0, "header does not fit the memory budget");
        goto done;
    }
    r->ncols = n;
    for (size_t c = 0; c < n; c++) {
        uint32_t start = c ? r->fend[c - 1] & ~CSV_NULL_BIT : 0;
        uint32_t end = r->fend[c] & ~CSV_NULL_BIT;
        char base[64];
        const char *src = (const char *)r->text + start;
        size_t len = r->opt.header ? strnlen(src, end - start) : 0;
        if (len == 0) {
            snprintf(base, sizeof base, "column_%zu", c + 1);
            src = base;
            len = strlen(base);
        }
        long holder = -1;                /* the column holding the bare name */
        for (uint32_t k = 1;; k++) {
            char suffix[16] = "";
            if (k > 1)
                snprintf(suffix, sizeof suffix, "_%u", (unsigned)k);
            size_t sl = strlen(suffix), at;
            char *name = pool_alloc(r->pool, len + sl + 1);
            if (!name) {
                fail(r, ERR_NOMEM, r->row_line, 0, "header does not fit the memory budget");
                goto done;
            }
            memcpy(name, src, len);
            memcpy(name + len, suffix, sl + 1);
            long j = name_find(&set, name, &at);
            if (j < 0) {
                r->names[c] = name;
                set.slot[at] = (uint32_t)c + 1;
                if (holder >= 0)
                    next[holder] = k + 1;
                break;
            }
            pool_free(r->pool, name);
            if (k == 1) {                /* skip the suffixes this name used already */
                holder = j;
                k = next[j] > 2 ? next[j] - 1 : 1;
            }
        }
    }
    if (r->opt.header) {
        r->text_len = 0;
        r->nfend = 0;
    }
done:
    pool_free(r->pool, set.slot);
    pool_free(r->pool, next);
}

/* A row of the wrong width, its fields (all of them with bad_row) after
   the complete rows: fail, or let bad_row decide.  Returns 1 when the row
   stays, made ncols wide; 0 when it was dropped or the reader failed. */
static int misfit_row(struct csv_reader *r) {
    int64_t col = (int64_t)(r->row_fields < r->ncols ? r->row_fields + 1 : r->ncols + 1);
    size_t f0 = r->nrows * r->ncols;
    uint32_t first = f0 ? r->fend[f0 - 1] & ~CSV_NULL_BIT : 0;
    int v = ERR_CSV;
    if (r->opt.bad_row) {
        struct csv_bad_row b = {
            .line = r->row_line, .expected = r->ncols, .found = r->row_fields,
            .text = r->text, .fend = r->fend + f0, .first = first
        };
        v = r->opt.bad_row(r->opt.bad_row_ctx, &b);
    }
    if (v == CSV_DROP) {
        r->nfend = f0;
        r->text_len = first;
        return 0;
    }
    if (v == CSV_KEEP) {
        if (r->row_fields > r->ncols) {
            r->nfend = f0 + r->ncols;
            r->text_len = r->fend[r->nfend - 1] & ~CSV_NULL_BIT;
            return 1;
        }
        if (!make_room(r, 0, r->ncols - r->row_fields, 0)) {
            fail(r, ERR_NOMEM, r->row_line, 0, "row does not fit the memory budget");
            return 0;
        }
        while (r->nfend < f0 + r->ncols)
            r->fend[r->nfend++] = (uint32_t)r->text_len | CSV_NULL_BIT;
        return 1;
    }
    fail(r, v > 0 ? v : ERR_CSV, r->row_line, col,
         "expected %zu fields, found %zu", r->ncols, r->row_fields);
    return 0;
}

/* A blank line in a one-column file: a row holding NULL, on the line being
   ended.  It stays in the blank tail until a row of text follows; blank
   lines at the end of the input are dropped as in other files.  A run of
   more than BLANK_RUN blank lines is kept whole whatever follows, so that
   the tail stays small; a rule on the rows alone, like every cut. */
static void blank_row(struct csv_reader *r) {
    if (!make_room(r, 0, 1, 1)) {
        fail(r, ERR_NOMEM, r->cur_line, 0, "row does not fit the memory budget");
        return;
    }
    r->fend[r->nfend++] = (uint32_t)r->text_len | CSV_NULL_BIT;
    r->line[r->nrows++] = r->cur_line;
    r->blank_tail = ++r->blank_run > BLANK_RUN ? 0 : r->blank_tail + 1;
}

static void on_row(int c, void *data) {
    struct csv_reader *r = data;
    if (r->err)
        return;
    if (r->row_fields == 0) {        /* a blank line, or the LF of a CRLF */
        if (c != -1 && !(c == '\n' && r->prev_term == '\r')) {
            if (r->comment_line)
                r->comment_line = 0;
            else if (r->have_header && r->ncols == 1)
                blank_row(r);
            r->cur_line++;
        }
        r->prev_term = c;
        return;
    }
    int keep = 1;
    if (!r->have_header) {
        r->have_header = 1;
        take_header(r);
        if (r->err)
            return;
    } else if (r->row_fields != r->ncols) {
        keep = misfit_row(r);
        if (r->err)
            return;
    }
    if (keep && r->nfend == (r->nrows + 1) * r->ncols) {   /* not the header */
        if (!make_room(r, 0, 0, 1)) {
            fail(r, ERR_NOMEM, r->row_line, 0, "row does not fit the memory budget");
            return;
        }
        r->line[r->nrows++] = r->row_line;
    }
    r->blank_tail = r->blank_run = 0;
    if (c == '\n' || c == '\r')
        r->cur_line++;
    r->prev_term = c;
    r->row_fields = 0;
}

/* Give back the map's pages that lie wholly inside [lo, hi): text that has
   been copied into row buffers, or only scanned, need not stay resident
   (a later read faults it in again from the page cache).  madvise() takes
   whole pages of the system's size, which is not 4 KiB everywhere. */
static void drop_map(const unsigned char *lo, const unsigned char *hi) {
    long pg = sysconf(_SC_PAGESIZE);
    const uintptr_t page = pg > 0 ? (uintptr_t)pg : 4096;
    uintptr_t a = ((uintptr_t)lo + page - 1) & ~(page - 1), b = (uintptr_t)hi & ~(page - 1);
    if (b > a)
        madvise((void *)a, b - a, MADV_DONTNEED);
}

/* The next raw input bytes, at most max: a slice of the map, or a read
   into r->chunk (or the bytes read ahead to look for a compression magic). */
static int raw_next(struct csv_reader *r, size_t max, const unsigned char **p, size_t *n) {
    if (r->pending) {
        *p = r->chunk + r->pend_off;
        *n = r->pending < max ? r->pending : max;
        r->pending -= *n;
        r->pend_off = r->pending ? r->pend_off + *n : 0;
        return ERR_OK;
    }
    if (r->map) {
        *p = r->map + r->map_pos;
        *n = r->map_len - r->map_pos;
        if (*n > max)
            *n = max;
        r->map_pos += *n;
        /* Pages already parsed are copied out: drop them from the resident
           set so a large file does not count against memory. */
        if (r->map_pos - r->map_dropped >= DROP_EVERY) {
            size_t upto = (size_t)(*p - r->map) & ~(size_t)(DROP_EVERY - 1);
            drop_map(r->map + r->map_dropped, r->map + upto);
            r->map_dropped = upto;
        }
        return ERR_OK;
    }
    ssize_t got;
    do
        got = read(r->fd, r->chunk, max);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
        fail(r, ERR_IO, r->cur_line, 0, "read error: %s", strerror(errno));
        return r->err;
    }
    *p = r->chunk;
    *n = (size_t)got;
    return ERR_OK;
}

/* The next CSV bytes, at most max: raw, or decompressed into r->unpacked
   from gzip or zstd input. */
static int next_piece(struct csv_reader *r, size_t max, const unsigned char **p, size_t *n) {
    if (!r->dec)
        return raw_next(r, max, p, n);
    const char *name = r->dec_kind == CODEC_GZIP ? "gzip" : "zstd";
    for (;;) {
        if (r->zpos == r->zlen) {
            FORWARD_IF_ERROR(raw_next(r, PIECE, &r->zin, &r->zlen));
            r->zpos = 0;
            if (r->zlen == 0) {
                if (!codec_stream_finished(r->dec))
                    fail(r, ERR_CODEC, r->cur_line, 0,
                         "%s input ends in the middle of a %s (truncated?)", name,
                         r->dec_kind == CODEC_GZIP ? "member" : "frame");
                *n = 0;
                return r->err;
            }
        }
        size_t used, made;
        int e = codec_stream_read(r->dec, r->zin + r->zpos, r->zlen - r->zpos, &used,
                                  r->unpacked, max, &made);
        r->zpos += used;
        if (e == ERR_TOOBIG)
            fail(r, ERR_NOMEM, r->cur_line, 0, "zstd input needs a window larger than a "
                 "quarter of the memory budget (-m %zu bytes)", pool_budget(r->pool));
        else if (e == ERR_NOMEM)
            fail(r, ERR_NOMEM, r->cur_line, 0, "%s decompression does not fit the memory "
                 "budget (-m %zu bytes)", name, pool_budget(r->pool));
        else if (e)
            fail(r, ERR_CODEC, r->cur_line, 0, "corrupt %s input", name);
        if (r->err)
            return r->err;
        if (made) {
            *p = r->unpacked;
            *n = made;
            return ERR_OK;
        }
    }
}

/* Look at the first bytes of the input: gzip and zstd are decompressed on
   the way in. */
static int detect_compression(struct csv_reader *r) {
    const unsigned char *p = r->map ? r->map + r->map_pos : r->chunk;
    size_t n = r->map ? r->map_len - r->map_pos : 0;
    while (!r->map && r->pending < 4) {
        ssize_t got = read(r->fd, r->chunk + r->pending, PIECE - r->pending);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            fail(r, ERR_IO, 1, 0, "read error: %s", strerror(errno));
            return r->err;
        }
        if (got == 0)
            break;
        r->pending += (size_t)got;
        n = r->pending;
    }
    r->dec_kind = codec_stream_detect(p, n);
    if (r->dec_kind == CODEC_UNCOMPRESSED)
        return ERR_OK;
    int wlog = 10;
    while (wlog < 27 && ((size_t)2 << wlog) <= pool_budget(r->pool) / 4)
        wlog++;
    if (codec_stream_open(r->pool, r->dec_kind, wlog, &r->dec) != ERR_OK ||
        !(r->unpacked = pool_alloc(r->pool, PIECE))) {
        fail(r, ERR_NOMEM, 1, 0, "decompression does not fit the memory budget");
        return r->err;
    }
    return ERR_OK;
}

/* The next bytes of CSV text, at most max, *n = 0 at the end: the input
   after decompression, without the byte-order mark and the --skip lines
   (which count as read). */
static int text_next(struct csv_reader *r, size_t max, const unsigned char **p, size_t *n) {
    while (!r->text_end) {
        FORWARD_IF_ERROR(next_piece(r, max, p, n));
        if (*n == 0)
            break;
        const unsigned char *s = *p;
        size_t k = *n, i = 0;
        if (r->at_start) {
            r->at_start = 0;
            if (k >= 2 && ((s[0] == 0xff && s[1] == 0xfe) || (s[0] == 0xfe && s[1] == 0xff))) {
                fail(r, ERR_CSV, 1, 0, "UTF-16 input is not supported; "
                     "convert it first, e.g. iconv -f UTF-16 -t UTF-8");
                return r->err;
            }
            if (r->dec && codec_stream_detect(s, k) != CODEC_UNCOMPRESSED) {
                fail(r, ERR_CSV, 1, 0, "the decompressed input is compressed again; "
                     "take the outer layer off first: %s FILE | csv2pq",
                     r->dec_kind == CODEC_ZSTD ? "zstdcat" : "zcat");
                return r->err;
            }
            if (k >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
                i = 3;
        }
        /* physical lines: LF, CRLF or CR, quotes not considered */
        while (i < k && (r->skip_left || r->skip_cr)) {
            unsigned char c = s[i];
            if (r->skip_cr) {            /* the LF of a CRLF belongs to its line */
                r->skip_cr = 0;
                i += c == '\n';
                continue;
            }
            i++;
            if (c == '\n' || c == '\r') {
                r->skip_left--;
                r->cur_line++;
                r->skip_cr = c == '\r';
            }
        }
        r->bytes_in += i;
        if (i < k) {
            *p = s + i;
            *n = k - i;
            return ERR_OK;
        }
    }
    r->text_end = 1;
    *n = 0;
    return ERR_OK;
}

/* ---- dialect detection ----

   The sample is read here the way libcsv reads it (its non-strict state
   machine, no space trimming, comment lines left out where a row may
   start), once per candidate delimiter and quote; it is parsed for real
   afterwards. */

/* What one reading of the sample found. */
struct scan {
    unsigned char delim, quote;
    size_t rows;                     /* complete rows read, at most DETECT_ROWS */
    size_t width;                    /* fields of the first row */
    size_t agree;                    /* rows of that width, the first included */
    size_t quoted;                   /* fields opened by the quote and closed cleanly */
    size_t bad;                      /* fields opened by the quote and closed by
                                        other text, or open at the end of the input */
    unsigned char comment;           /* comment character of this reading, or 0 */
    int find_preamble;               /* look for preamble rows (--skip not given) */
    size_t comments;                 /* comment lines left out */
    size_t row_off;                  /* where the row being read starts */
    size_t nfields[DETECT_ROWS];     /* fields of each row read */
    size_t off[DETECT_ROWS];         /* where each row starts, from the sample's start */
    size_t misfit;                   /* rows not of the most common width */
    size_t preamble;                 /* rows before the consistent block, 0: none */
    size_t preamble_off;             /* where the block starts */
    /* with types != NULL, per column (cols entries, pool); a mask of 0 is NULL */
    size_t cols;
    unsigned *types;                 /* intersection over the later rows of that width */
    unsigned *row;                   /* the row being read */
    unsigned *head;                  /* the first row */
    unsigned char *seen;             /* a later row had a value in the column */
    int head_text;                   /* the first row has a field not empty, or quoted */
};

/* The types a value fits, read with the format (NULL: the defaults). */
static unsigned value_mask(const struct csv_reader *r, const char *s, size_t n) {
    return ty_mask_fmt(r->opt.format, s, n);
}

/* Field c of the row being read: text [p, p + n) when plain (else text
   with quotes in it, a string). */
static void scan_field(const struct csv_reader *r, struct scan *s, size_t c,
                       const unsigned char *p, size_t n, int quoted, int plain, int bad) {
    if (quoted)
        bad ? s->bad++ : s->quoted++;
    if (s->rows == 0 && (quoted || n))
        s->head_text = 1;
    if (!s->types || c >= s->cols)
        return;
    unsigned m;
    if (!plain)
        m = TY_BIT(TY_STRING);
    else if ((!quoted && n == 0) || (r->opt.n_nulls && is_null_marker(r, (const char *)p, n)))
        m = 0;
    else
        m = value_mask(r, (const char *)p, n);
    s->row[c] = m;
}

static void scan_row(struct scan *s, size_t nf) {
    if (s->rows < DETECT_ROWS) {
        s->nfields[s->rows] = nf;
        s->off[s->rows] = s->row_off;
    }
    if (s->rows == 0)
        s->width = nf;
    if (nf == s->width) {
        s->agree++;
        for (size_t c = 0; s->types && c < s->cols && c < nf; c++) {
            if (s->rows == 0)
                s->head[c] = s->row[c];
            else if (s->row[c]) {
                s->types[c] &= s->row[c];
                s->seen[c] = 1;
            }
        }
    }
    s->rows++;
}

static void scan_sample(const struct csv_reader *r, struct scan *s) {
    enum { ROW, FIELD, IN, QUOTE } st = ROW;   /* libcsv's ROW_NOT_BEGUN ... */
    const unsigned char *p = r->sample + r->sample_pos;
    size_t n = r->sample_len - r->sample_pos, i = 0, nf = 0, start = 0;
    unsigned char d = s->delim, q = s->quote, cm = s->comment;
    int quoted = 0, plain = 1, bad = 0;
    while (i < n && s->rows < DETECT_ROWS) {
        unsigned char c = p[i++];
        int term = c == '\n' || c == '\r';
        switch (st) {
        case ROW:
        case FIELD:
            if (term) {
                if (st == FIELD) {
                    scan_field(r, s, nf++, p, 0, 0, 1, 0);
                    scan_row(s, nf);
                    nf = 0;
                }
                st = ROW;
            } else if (st == ROW && cm && c == cm) {
                s->comments++;
                while (i < n && p[i] != '\n' && p[i] != '\r')
                    i++;
            } else if (c == d) {
                if (st == ROW)
                    s->row_off = i - 1;
                scan_field(r, s, nf++, p, 0, 0, 1, 0);
                st = FIELD;
            } else {
                if (st == ROW)
                    s->row_off = i - 1;
                st = IN;
                quoted = c == q;
                plain = 1;
                bad = 0;
                start = quoted ? i : i - 1;
            }
            break;
        case IN:
            if (quoted) {
                if (c == q)
                    st = QUOTE;
            } else if (c == d || term) {
                scan_field(r, s, nf++, p + start, i - 1 - start, 0, 1, 0);
                if (term) {
                    scan_row(s, nf);
                    nf = 0;
                }
                st = term ? ROW : FIELD;
            }
            break;
        case QUOTE:                      /* a quote in a quoted field */
            if (c == d || term) {
                scan_field(r, s, nf++, p + start, i - 2 - start, 1, plain, bad);
                if (term) {
                    scan_row(s, nf);
                    nf = 0;
                }
                st = term ? ROW : FIELD;
            } else {                     /* "" is a quote; other text, a stray one */
                bad |= c != q;
                plain = 0;
                st = IN;
            }
            break;
        }
    }
    if (i < n || !r->sample_all || s->rows >= DETECT_ROWS)
        return;                          /* a row cut by the sample's end does not count */
    if (st == IN && quoted) {            /* an open quote at the end: an error */
        s->bad++;
        return;
    }
    if (st == ROW)
        return;
    if (st == FIELD)
        scan_field(r, s, nf++, p, 0, 0, 1, 0);
    else if (st == IN)
        scan_field(r, s, nf++, p + start, n - start, 0, 1, 0);
    else
        scan_field(r, s, nf++, p + start, n - 1 - start, 1, plain, bad);
    scan_row(s, nf);
}

/* Physical lines (LF, CRLF, CR) ended in [p, p + n). */
static int64_t count_lines(const unsigned char *p, size_t n) {
    int64_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += p[i] == '\n' || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'));
    return lines;
}

/* Read the sample, then count the rows not of its most common width; with
   find_preamble, find the preamble too (the rules are in csv.h): the
   reading then has the block's width and rows. */
static void read_sample(const struct csv_reader *r, struct scan *s) {
    scan_sample(r, s);
    size_t n = s->rows, most = 0, k = 0;
    for (size_t a = 0; a < n; a++) {
        size_t same = 0;
        for (size_t b = 0; b < n; b++)
            same += s->nfields[b] == s->nfields[a];
        most = same > most ? same : most;
    }
    s->misfit = n - most;
    if (!s->find_preamble || n < 3)
        return;
    size_t w = s->nfields[n - 1];    /* the block's width: the last row's */
    while (s->nfields[k] != w)
        k++;
    for (size_t j = k; j < n; j++)
        if (s->nfields[j] != w)
            return;                  /* a row of another width in the block */
    if (w < 2 || k == 0 || n - k < 2 || n - k < k ||
        count_lines(r->sample + r->sample_pos, s->off[k]) > PREAMBLE_LINES)
        return;
    s->preamble = k;
    s->preamble_off = s->off[k];
    s->width = w;
    s->agree = n - k;
}

/* Whether a reading is a better delimiter than b: a first row of two
   fields or more, more rows of its width, more fields. */
static int better(const struct scan *a, const struct scan *b) {
    if ((a->width > 1) != (b->width > 1))
        return a->width > 1;
    if (a->agree != b->agree)
        return a->agree > b->agree;
    return a->width > b->width;
}

/* Whether the sample read as s looks like one column whose values hold
   s's delimiter: the rows after the first have several widths, more rows
   have one field than any other width, and the wider rows are not a block
   of one width ending the sample (a table under lines of text). */
static int one_column(const struct scan *s) {
    size_t n = s->rows < DETECT_ROWS ? s->rows : DETECT_ROWS, ones = 0, other = 0;
    size_t wide = n;                     /* the first row wider than one field */
    int differ = 0;
    for (size_t k = 0; k < n; k++) {
        size_t w = s->nfields[k], same = 0;
        for (size_t j = 0; j < n; j++)
            same += s->nfields[j] == w;
        if (w == 1)
            ones = same;
        else if (same > other)
            other = same;
        differ |= k > 1 && w != s->nfields[1];
        if (w > 1 && wide == n)
            wide = k;
    }
    int block = n - wide >= 2;
    for (size_t k = wide; block && k < n; k++)
        block = s->nfields[k] == s->nfields[wide];
    return differ && ones > other && !block;
}

/* Whether the reading s finds a preamble (when one may be detected). */
static int has_preamble(const struct csv_reader *r, const struct scan *s) {
    if (r->opt.skip != 0 || r->opt.header == 0)
        return 0;
    struct scan pre = { .delim = s->delim, .quote = s->quote, .comment = s->comment,
                        .find_preamble = 1 };
    read_sample(r, &pre);
    return pre.preamble != 0;
}

/* The best delimiter for quote q and comment character cm, among the given
   one or the candidates; none when no candidate splits the first row, the
   sample looks like one column (one_column) and no preamble explains the
   widths. */
static struct scan best_delimiter(const struct csv_reader *r, unsigned char q,
                                  unsigned char cm) {
    static const unsigned char cand[] = { ',', ';', '\t', '|' };
    /* with a decimal comma, the comma is not a delimiter */
    size_t k0 = r->opt.format && r->opt.format->decimal_comma ? 1 : 0;
    struct scan best = { .delim = r->opt.delimiter ? r->opt.delimiter : cand[k0], .quote = q,
                         .comment = cm };
    read_sample(r, &best);
    if (r->opt.delimiter)
        return best;
    struct scan first = best;
    for (size_t k = k0 + 1; k < sizeof cand; k++) {
        struct scan s = { .delim = cand[k], .quote = q, .comment = cm };
        read_sample(r, &s);
        if (better(&s, &best))
            best = s;
    }
    if (best.width > 1 || !one_column(&first) || has_preamble(r, &first))
        return best.width > 1 ? best : first;
    struct scan none = { .delim = '\n', .quote = q, .comment = cm };
    read_sample(r, &none);
    return none;
}

/* The delimiter and quote for comment character cm (the rules are in
   csv.h). */
static struct scan best_quote(const struct csv_reader *r, unsigned char cm) {
    struct scan chosen = best_delimiter(r, r->opt.quote ? r->opt.quote : '"', cm);
    if (!r->opt.quote) {
        struct scan single = best_delimiter(r, '\'', cm);
        if (single.quoted && !single.bad && !chosen.quoted && !chosen.bad &&
            single.agree >= chosen.agree)
            chosen = single;
    }
    return chosen;
}

/* The delimiter, quote and comment character: '#' when not given, not the
   delimiter or quote given, some line of the sample starts with it where a
   row may start, and with the delimiter and quote found for it, the rows
   all have one width with its lines left out, and not when they are
   read as rows. */
static struct scan best_dialect(const struct csv_reader *r) {
    if (!r->detect_comment || r->opt.delimiter == '#' || r->opt.quote == '#')
        return best_quote(r, r->opt.comment);
    struct scan hash = best_quote(r, '#');
    if (hash.comments) {
        struct scan plain = { .delim = hash.delim, .quote = hash.quote };
        read_sample(r, &plain);
        if (hash.misfit == 0 && plain.misfit > 0)
            return hash;
    }
    return best_quote(r, 0);
}

/* The header question for the chosen dialect (the rules are in csv.h). */
static int detect_header(struct csv_reader *r, const struct scan *chosen) {
    if (chosen->rows - chosen->preamble < 2 || chosen->width == 0)
        return 1;
    struct scan s = { .delim = chosen->delim, .quote = chosen->quote, .comment = chosen->comment,
                      .cols = chosen->width };
    size_t nc = s.cols;
    s.types = pool_alloc(r->pool, nc * sizeof *s.types);
    s.row = pool_alloc(r->pool, nc * sizeof *s.row);
    s.head = pool_alloc(r->pool, nc * sizeof *s.head);
    s.seen = pool_calloc(r->pool, nc, 1);
    int header = -1;
    if (s.types && s.row && s.head && s.seen) {
        for (size_t c = 0; c < nc; c++)
            s.types[c] = TY_ALL;
        scan_sample(r, &s);
        int typed = 0, misfit = 0;
        for (size_t c = 0; c < nc; c++) {
            if (!s.seen[c] || ty_from_mask(s.types[c]) == TY_STRING)
                continue;
            typed = 1;
            if (s.head[c] && ty_from_mask(s.types[c] & s.head[c]) == TY_STRING)
                misfit = 1;
        }
        header = misfit || !typed || !s.head_text;
    } else {
        fail(r, ERR_NOMEM, r->cur_line, 0, "%zu columns do not fit the memory budget", nc);
    }
    pool_free(r->pool, s.types);
    pool_free(r->pool, s.row);
    pool_free(r->pool, s.head);
    pool_free(r->pool, s.seen);
    return header;
}

/* Read the sample and settle the delimiter, quote and header not given. */
static int detect_dialect(struct csv_reader *r) {
    if (!(r->sample = pool_alloc(r->pool, SAMPLE_BYTES))) {
        fail(r, ERR_NOMEM, r->cur_line, 0, "the dialect sample does not fit the memory budget");
        return r->err;
    }
    while (r->sample_len < SAMPLE_BYTES) {     /* the same bytes from a file or a pipe */
        const unsigned char *p;
        size_t n;
        if (text_next(r, SAMPLE_BYTES - r->sample_len, &p, &n) != ERR_OK) {
            /* a read, decompression or encoding error: the text before it
               is parsed first, so that the message names the line reached */
            r->sample_err = r->err;
            r->sample_where = r->where;
            r->err = ERR_OK;
            r->text_end = 1;
            break;
        }
        if (n == 0)
            break;
        memcpy(r->sample + r->sample_len, p, n);
        r->sample_len += n;
    }
    r->sample_all = r->text_end && !r->sample_err;
    struct scan chosen = best_dialect(r);
    int header = r->opt.header;
    struct scan pre = { .delim = chosen.delim, .quote = chosen.quote, .comment = chosen.comment,
                        .find_preamble = 1 };
    if (r->opt.skip == 0 && header != 0)
        read_sample(r, &pre);
    if (pre.preamble) {
        /* the block's first row must be a header: else the preamble's
           last row is more likely the header of rows of another width */
        r->sample_pos = pre.preamble_off;
        if (header < 0)
            header = detect_header(r, &pre);
        if (r->err)
            return r->err;
        if (header == 0) {
            r->sample_pos = 0;
            header = r->opt.header;
        } else {                     /* skipped as --skip would: read, lines counted */
            chosen = pre;
            r->cur_line += count_lines(r->sample, r->sample_pos);
            r->bytes_in += r->sample_pos;
        }
    }
    r->opt.delimiter = chosen.delim;
    r->opt.quote = chosen.quote;
    r->opt.comment = chosen.comment;
    r->opt.header = header < 0 ? detect_header(r, &chosen) : header;
    return r->err;
}

#ifdef __SSE2__
/* From j on, sixteen bytes at a time while sixteen are at hand before
   end: the offset of the first byte equal to one of a, b, c and d, or
   where the look stopped (the caller's byte loop goes on from there). */
static inline size_t find16(const unsigned char *p, size_t j, size_t end,
                            __m128i a, __m128i b, __m128i c, __m128i d) {
    for (; j + 16 <= end; j += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, a), _mm_cmpeq_epi8(v, b)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, c), _mm_cmpeq_epi8(v, d)));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m)
            return j + (size_t)__builtin_ctz(m);
    }
    return j;
}
#endif

/* Where the bytes that end a plain field lie in 64 bytes of a piece:
   bit b of bits is set when p[base + b] is one.  Rows of short fields
   find several field ends in one block. */
struct stops {
    size_t base;
    uint64_t bits;
};

#ifdef __SSE2__
static inline uint64_t mask64(const unsigned char *p, __m128i a, __m128i b, __m128i c, __m128i d) {
    uint64_t m = 0;
    for (int h = 0; h < 4; h++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * h));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, a), _mm_cmpeq_epi8(v, b)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, c), _mm_cmpeq_epi8(v, d)));
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(hit) << (16 * h);
    }
    return m;
}

/* From j on: the offset of the first byte equal to one of a, b, c and d
   (the bytes stop marks), from the block in *sb when it holds j, else
   from the next blocks of 64 bytes at hand before end (the one with a hit
   kept in *sb), else sixteen bytes and then one at a time (p[end - 1], a
   line end, is one of them).  A block without a hit after j ends before
   end - 1, so j stays below end. */
static inline size_t find64(const unsigned char *p, size_t j, size_t end, struct stops *sb,
                            const unsigned char *stop, __m128i a, __m128i b, __m128i c, __m128i d) {
    size_t o = j - sb->base;
    if (o < 64) {
        uint64_t m = sb->bits >> o;
        if (m)
            return j + (size_t)__builtin_ctzll(m);
        j = sb->base + 64;
    }
    for (; j + 64 <= end; j += 64) {
        uint64_t m = mask64(p + j, a, b, c, d);
        if (m) {
            sb->base = j;
            sb->bits = m;
            return j + (size_t)__builtin_ctzll(m);
        }
    }
    j = find16(p, j, end, a, b, c, d);
    while (!stop[p[j]])              /* p[end - 1] stops it */
        j++;
    return j;
}
#endif

/* Copy a field's n bytes from src, where `left` bytes are at hand: a
   field of up to 16 or 32 bytes as one or two 16-byte moves, a call to
   memcpy saved.  fast_row's room check (the row's text fits before the
   piece's bytes are counted out) keeps the bytes after the field's end
   inside the row buffers. */
static inline void copy_field(unsigned char *dst, const unsigned char *src, size_t n, size_t left) {
    if (n <= 16 && left >= 16) {
        memcpy(dst, src, 16);
    } else if (n <= 32 && left >= 32) {
        memcpy(dst, src, 16);
        memcpy(dst + 16, src + 16, 16);
    } else {
        memcpy(dst, src, n);
    }
}

/* One whole row at p[i], where libcsv is between rows and p[i] is not a
   line end, split as libcsv splits it (non-strict, spaces kept, CR and LF
   row ends) straight into the row buffers, leaving the text, field ends,
   line numbers and row state that its on_field and on_row calls would.  A
   field is plain text up to the delimiter or a line end, or opens with the
   quote and holds any bytes up to a quote followed by the delimiter or a
   line end, "" standing for one quote and CR and LF being text (counted
   as lines the way on_field counts them).  An empty plain field is NULL,
   an empty quoted one the empty string.  p[end - 1] is a line end, and
   nothing at or past end is read.  Returns the offset past the row's line
   end, or 0 with the reader untouched when the row is left to libcsv: a
   quote inside a plain field or after a closing quote, a quoted field
   still open at end, a quoted field while fast_quotes is off, or less room
   in the buffers than end - i bytes could need (a row of them makes at most
   that much text and that many fields). */
static size_t fast_row(struct csv_reader *r, const unsigned char *p, size_t i, size_t end,
                       struct stops *sb) {
    size_t span = end - i;
    if (r->text_len + span > r->text_cap || r->text_len + span > TEXT_MAX ||
        r->nfend + span > r->fend_cap)
        return 0;
    const unsigned char *stop = r->stop, *qstop = r->qstop;
    int q = r->no_quote ? -1 : r->opt.quote;    /* -1: none */
    unsigned char *text = r->text, *t = text + r->text_len;
    uint32_t *fe = r->fend + r->nfend;
    /* fields past the header's count are counted, not stored, unless
       bad_row is to see them (as in on_field) */
    size_t keep = r->ncols && !r->opt.bad_row ? r->ncols : SIZE_MAX;
    size_t n_nulls = r->opt.n_nulls;
#ifdef __SSE2__
    const __m128i vd = _mm_set1_epi8((char)(r->no_delim ? '\n' : r->opt.delimiter));
    const __m128i vq = _mm_set1_epi8((char)(q < 0 ? '\n' : q));
    const __m128i vlf = _mm_set1_epi8('\n'), vcr = _mm_set1_epi8('\r');
#endif
    size_t nf = 0, j;                /* fields seen; the byte ending the field */
#ifndef __SSE2__
    (void)sb;                        /* the 64-byte search needs SSE2 */
#endif
    int64_t lines = 0;               /* line ends inside quoted fields */
    for (;;) {
        unsigned char *f = t;        /* the field's text starts here */
        int null = 0;
#ifdef __SSE2__
        j = find64(p, i, end, sb, stop, vd, vq, vlf, vcr);
        if (j > i) {                 /* plain text up to p[j] */
            if (p[j] == q)
                return 0;            /* a quote inside a plain field */
            copy_field(t, p + i, j - i, end - i);
            t += j - i;
            null = n_nulls && is_null_marker(r, (const char *)f, j - i);
        } else
#endif
        if (p[i] == q) {
            if (!r->fast_quotes)
                return 0;
            size_t s = i + 1, k = s; /* [s, k) is text not yet copied */
            for (;;) {
#ifdef __SSE2__
                if (!qstop[p[k]])    /* to the quote or a line end */
                    k = find16(p, k, end, vq, vq, vlf, vcr);
#endif
                while (!qstop[p[k]])
                    k++;
                if (p[k] != q) {     /* CR or LF: text */
                    if (k + 1 == end)
                        return 0;    /* open at the end */
                    lines += p[k] == '\n' || p[k + 1] != '\n';
                    k++;
                    continue;
                }
                copy_field(t, p + s, k - s, end - s);
                t += k - s;
                if (p[k + 1] == q) { /* "" */
                    *t++ = (unsigned char)q;
                    s = k = k + 2;
                    continue;
                }
                if (!stop[p[k + 1]])
                    return 0;        /* text after the closing quote */
                j = k + 1;
                break;
            }
            null = n_nulls && is_null_marker(r, (const char *)f, (size_t)(t - f));
        } else if (stop[p[i]]) {     /* the delimiter or a line end: empty */
            j = i;
            null = 1;
        } else {
            j = i + 1;
            while (!stop[p[j]])      /* p[end - 1] stops it */
                j++;
            if (p[j] == q)
                return 0;            /* a quote inside a plain field */
            copy_field(t, p + i, j - i, end - i);
            t += j - i;
            null = n_nulls && is_null_marker(r, (const char *)f, j - i);
        }
        nf++;
        if (null || nf > keep)
            t = f;
        if (nf <= keep)
            *fe++ = (uint32_t)(t - text) | (null ? CSV_NULL_BIT : 0);
        if (p[j] == '\n' || p[j] == '\r')
            break;
        i = j + 1;                   /* past the delimiter */
    }
    r->row_line = r->cur_line;
    r->cur_line += lines;
    r->row_fields = nf;
    r->prev_term = 0;
    r->text_len = (size_t)(t - text);
    r->nfend = (size_t)(fe - r->fend);
    on_row(p[j], r);
    return j + 1;
}

/* The whole rows at the start of [p, p + n), where libcsv is between rows:
   blank lines handed to on_row as libcsv hands them, other rows split by
   fast_row, up to the first row it leaves to libcsv or the last line end
   of the piece (a row cut by the piece's end is libcsv's: the rest of it
   may not be in memory yet).  Returns the bytes done. */
static size_t fast_rows(struct csv_reader *r, const unsigned char *p, size_t n) {
    size_t end = n;
    while (end && p[end - 1] != '\n' && p[end - 1] != '\r')
        end--;
    size_t i = 0;
    struct stops sb = {(size_t)0 - 64, 0};   /* no block yet */
    while (i < end && !r->err) {
        if (p[i] == '\n' || p[i] == '\r') {
            on_row(p[i], r);
            i++;
        } else {
            size_t k = fast_row(r, p, i, end, &sb);
            if (!k)
                break;
            i = k;
        }
    }
    return i;
}

static size_t parse_slow(struct csv_reader *r, const unsigned char *p, size_t n);

/* The first CR or LF in [p, p + n), or NULL. */
static const unsigned char *line_end(const unsigned char *p, size_t n) {
    const unsigned char *lf = memchr(p, '\n', n);
    const unsigned char *cr = memchr(p, '\r', lf ? (size_t)(lf - p) : n);
    return cr ? cr : lf;
}

/* Hand [p, p + n) to libcsv, the whole rows fast_rows can take split there
   instead: between rows, fast_rows takes the rows it can; libcsv takes a
   line at a time from the row it is in (a quoted field may span lines) or
   the row fast_rows left, and a row cut by the piece's end. */
static size_t parse_run(struct csv_reader *r, const unsigned char *p, size_t n) {
    if (r->opt.libcsv_only)
        return parse_slow(r, p, n);
    size_t done = 0;
    while (done < n) {
        if (r->parser.pstate == 0) {
            size_t k = fast_rows(r, p + done, n - done);
            done += k;
            if (k)
                continue;
        }
        const unsigned char *e = line_end(p + done, n - done);
        size_t upto = e ? (size_t)(e - p) + 1 : n;
        size_t k = parse_slow(r, p + done, upto - done);
        done += k;
        if (done < upto)
            break;                   /* libcsv failed */
    }
    return done;
}

static size_t parse_slow(struct csv_reader *r, const unsigned char *p, size_t n) {
    if (!r->no_quote && !r->no_delim)
        return csv_parse(&r->parser, p, n, on_field, on_row, r);
    /* No quoting or no delimiter: libcsv's quote or delimiter is NUL, and
       a NUL byte of the text is given alone, as text: the delimiter is
       then another byte, and at a field's start (where a quote opens a
       quoted field) the quote is a line end, which libcsv takes for one
       there. */
    unsigned char other = r->opt.quote == 1 ? 2 : 1;
    size_t done = 0;
    while (done < n) {
        const unsigned char *z = memchr(p + done, 0, n - done);
        size_t upto = z ? (size_t)(z - p) : n;
        done += csv_parse(&r->parser, p + done, upto - done, on_field, on_row, r);
        if (done < upto || !z)
            break;
        int at_start = r->no_quote && r->parser.pstate < 2;   /* ROW_ or FIELD_NOT_BEGUN */
        if (at_start)
            csv_set_quote(&r->parser, '\n');
        if (r->no_delim)
            csv_set_delim(&r->parser, other);
        size_t k = csv_parse(&r->parser, p + done, 1, on_field, on_row, r);
        if (at_start)
            csv_set_quote(&r->parser, 0);
        if (r->no_delim)
            csv_set_delim(&r->parser, 0);
        done += k;
        if (k != 1)
            break;
    }
    return done;
}

/* Hand n bytes of text to libcsv.  With --comment, the text of a comment
   line, all but its line end, is left out where a row may start, so that
   libcsv sees a blank line there.  Returns the bytes consumed: n, or fewer
   when libcsv failed. */
static size_t parse_text(struct csv_reader *r, const unsigned char *p, size_t n) {
    libcsv_pool = r->pool;
    unsigned char cm = r->opt.comment;
    if (!cm)
        return parse_run(r, p, n);
    size_t done = 0;
    while (done < n) {
        if (r->in_comment) {
            while (done < n && p[done] != '\n' && p[done] != '\r')
                done++;
            if (done == n)
                break;
            r->in_comment = 0;
            r->prev_term = 0;            /* the line end that follows is this line's */
        }
        const unsigned char *hit = memchr(p + done, cm, n - done);
        size_t upto = hit ? (size_t)(hit - p) : n;
        done += parse_run(r, p + done, upto - done);
        if (done < upto || !hit)
            break;
        if (r->parser.pstate == 0) {     /* ROW_NOT_BEGUN: a row may start here */
            r->in_comment = 1;
            r->comment_line = 1;
            done++;
        } else if (parse_run(r, p + done, 1) == 1) {
            done++;
        } else {
            break;
        }
    }
    return done;
}

/* Give libcsv the next piece of text (the sample first), at most max
   bytes, or finish it at the end. */
static int feed(struct csv_reader *r, size_t max) {
    const unsigned char *p;
    size_t n;
    int sampled = r->sample_pos < r->sample_len;
    if (sampled) {
        p = r->sample + r->sample_pos;
        n = r->sample_len - r->sample_pos;
        n = n < max ? n : max;
        r->sample_pos += n;
    } else if (r->sample_err) {
        fail(r, r->sample_err, r->cur_line, r->sample_where.column, "%s", r->sample_where.detail);
        return r->err;
    } else {
        FORWARD_IF_ERROR(text_next(r, max, &p, &n));
    }
    if (n == 0) {
        r->eof = 1;
        /* libcsv reports an open quote at the end only in strict mode, which
           would also refuse stray quotes inside unquoted fields: look at its
           state instead (a field begun, quoted). */
        if (r->parser.quoted && r->parser.pstate == 2) {
            fail(r, ERR_CSV, r->row_fields ? r->row_line : r->cur_line,
                 (int64_t)r->row_fields + 1,
                 "quoted field is not terminated; --quote '' reads quotes as text");
            return r->err;
        }
        libcsv_pool = r->pool;
        csv_fini(&r->parser, on_field, on_row, r);
        r->nrows -= r->blank_tail;   /* trailing blank lines: no rows */
        r->nfend -= r->blank_tail;
        r->blank_tail = 0;
        return r->err;
    }
    size_t done = parse_text(r, p, n);
    r->bytes_in += done;
    if (done != n && !r->err) {
        if (csv_error(&r->parser) == CSV_ENOMEM)
            fail(r, ERR_NOMEM, r->row_fields ? r->row_line : r->cur_line,
                 (int64_t)r->row_fields + 1,
                 "field does not fit the memory budget (-m %zu bytes)", pool_budget(r->pool));
        else
            fail(r, ERR_CSV, r->cur_line, 0, "%s", csv_strerror(csv_error(&r->parser)));
    }
    if (sampled && r->sample_pos == r->sample_len) {
        pool_free(r->pool, r->sample);
        r->sample = NULL;
        r->sample_len = r->sample_pos = 0;
    }
    return r->err;
}

/* Share the row buffers' bytes out in proportion to what the first rows
   need (text, 4 bytes per field, 8 per row), so that no buffer fills while
   the others are half empty.  The shares come from the first SAMPLE_ROWS
   rows alone, and only when those fit easily in the even split, so that a
   pipe and a file give the same batches. */
static void set_limits(struct csv_reader *r) {
    r->text_base = r->text_cap;
    r->fend_base = r->fend_cap;
    r->line_base = r->line_cap;
    /* headroom for the row being parsed: 60 KiB of text and every field of
       a row, so that only rows longer than that make the buffers grow */
    size_t tf = PIECE, ff = MIN_PIECE + 2 + r->ncols, lf = MIN_PIECE + 1;
    r->text_limit = r->text_cap > tf ? r->text_cap - tf : 0;
    r->fend_limit = r->fend_cap > ff ? r->fend_cap - ff : 0;
    r->line_limit = r->line_cap > lf ? r->line_cap - lf : 0;
}

static int proportion(struct csv_reader *r, size_t row_bytes) {
    size_t k = r->nrows < SAMPLE_ROWS ? r->nrows : SAMPLE_ROWS;
    set_limits(r);
    if (r->err || k == 0 || (k < SAMPLE_ROWS && !r->eof))
        return r->err;
    size_t tb = r->fend[k * r->ncols - 1] & ~CSV_NULL_BIT;
    size_t fb = k * r->ncols * sizeof *r->fend, lb = k * sizeof *r->line;
    if (tb > r->text_cap / 4 || fb > r->fend_cap * sizeof *r->fend / 4 ||
        lb > r->line_cap * sizeof *r->line / 4)
        return ERR_OK;
    tb += tb / 8 + 1;                /* text varies more from row to row */
    double scale = (double)row_bytes / (double)(tb + fb + lb);
    size_t text = (size_t)(tb * scale), fend = (size_t)(fb * scale), line = (size_t)(lb * scale);
    size_t least = row_bytes / 16;
    text = text < least ? least : text;
    fend = fend < least ? least : fend;
    line = line < least ? least : line;
    while (text + fend + line + 16 > row_bytes) {      /* the floors may overshoot */
        if (text > fend && text > line) text -= text / 16;
        else if (fend > line) fend -= fend / 16;
        else line -= line / 16;
    }
    if (!layout(r, text, fend / sizeof *r->fend, line / sizeof *r->line))
        return ERR_NOMEM;
    set_limits(r);
    return ERR_OK;
}

int csv_open(pool_t *pool, int fd, const struct csv_options *o, size_t row_bytes,
             struct csv_reader **out) {
    *out = NULL;
    struct csv_reader *r = pool_calloc(pool, 1, sizeof *r);
    if (!r)
        return ERR_NOMEM;
    r->pool = pool;
    r->fd = fd;
    r->opt = *o;
    r->detect_comment = !r->opt.comment;
    int detect = !r->opt.delimiter || !r->opt.quote || r->opt.header < 0 ||
                 r->detect_comment || r->opt.skip == 0;
    if (r->opt.comment == '\n' || r->opt.comment == '\r')
        r->opt.comment = 0;          /* a line end: no comments, none detected */
    if (r->opt.quote == '\r')
        r->opt.quote = '\n';
    if (r->opt.delimiter == '\r')
        r->opt.delimiter = '\n';
    r->no_quote = r->opt.quote == '\n'; /* no quoting: the sample never sees a quote */
    r->skip_left = r->opt.skip > 0 ? r->opt.skip : 0;
    r->ahead_most = SIZE_MAX;
    r->at_start = 1;
    r->cur_line = 1;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        off_t pos = lseek(fd, 0, SEEK_CUR);
        if (pos < 0)
            pos = 0;
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
            r->map = m;
            r->map_len = (size_t)st.st_size;
            r->map_pos = (size_t)pos < r->map_len ? (size_t)pos : r->map_len;
        }
    }
    if (row_bytes < 4 * PIECE)
        row_bytes = 4 * PIECE;
    if (!layout(r, row_bytes / 2, row_bytes / 4 / sizeof *r->fend, row_bytes / 4 / sizeof *r->line - 1) ||
        (!r->map && !(r->chunk = pool_alloc(pool, PIECE)))) {
        csv_close(r);
        return ERR_NOMEM;
    }
    libcsv_pool = pool;
    if (csv_init(&r->parser, CSV_EMPTY_IS_NULL | CSV_REPALL_NL) != 0) {
        csv_close(r);
        return ERR_NOMEM;
    }
    r->parser_live = 1;
    csv_set_realloc_func(&r->parser, libcsv_realloc);
    csv_set_free_func(&r->parser, libcsv_free);
    csv_set_blk_size(&r->parser, 4096);
    csv_set_space_func(&r->parser, no_space);
    *out = r;
    FORWARD_IF_ERROR(detect_compression(r));
    if (detect)
        FORWARD_IF_ERROR(detect_dialect(r));
    r->no_delim = r->opt.delimiter == '\n';
    csv_set_delim(&r->parser, r->no_delim ? 0 : r->opt.delimiter);
    csv_set_quote(&r->parser, r->no_quote ? 0 : r->opt.quote);
    r->stop['\n'] = r->stop['\r'] = 1;
    r->qstop['\n'] = r->qstop['\r'] = 1;
    if (!r->no_delim)
        r->stop[r->opt.delimiter] = 1;
    if (!r->no_quote)
        r->stop[r->opt.quote] = r->qstop[r->opt.quote] = 1;
    /* quoted fields are libcsv's with no delimiter (parse_slow's NUL
       bytes), and when the quote is the delimiter */
    r->fast_quotes = !r->no_quote && !r->no_delim && r->opt.quote != r->opt.delimiter;
    while (!r->have_header && !r->eof) {
        size_t n = room_for_row(r);
        FORWARD_IF_ERROR(r->err);
        FORWARD_IF_ERROR(feed(r, n));
    }
    while (!r->eof && r->nrows < SAMPLE_ROWS && room(r) >= MIN_PIECE)
        FORWARD_IF_ERROR(feed(r, room(r)));
    return proportion(r, row_bytes);
}

/* Move the rows and fields from buffers (text, fend, line), from row base
   and its text offset on, to the front of the current ones (which may be
   the same buffers). */
static void move_rows(struct csv_reader *r, const unsigned char *text, const uint32_t *fend,
                      const int64_t *line, size_t base, size_t text_len, size_t nfend,
                      size_t nrows) {
    size_t f0 = base * r->ncols;
    uint32_t t0 = f0 ? fend[f0 - 1] & ~CSV_NULL_BIT : 0;
    memmove(r->text, text + t0, text_len - t0);
    for (size_t i = f0; i < nfend; i++)
        r->fend[i - f0] = fend[i] - t0;
    memmove(r->line, line + base, (nrows - base) * sizeof *line);
    r->text_len = text_len - t0;
    r->nfend = nfend - f0;
    r->nrows = nrows - base;
    r->base_row = 0;
}

/* Move the rows not handed out yet, and the fields of the row being parsed,
   to the front of the buffers. */
static void compact(struct csv_reader *r) {
    if (r->base_row == 0)
        return;
    move_rows(r, r->text, r->fend, r->line, r->base_row, r->text_len, r->nfend, r->nrows);
    /* Buffers grown for a long row go back to their size once it is out. */
    if ((r->text_cap > r->text_base || r->fend_cap > r->fend_base || r->line_cap > r->line_base) &&
        r->text_len + MIN_PIECE <= r->text_base && r->nfend + MIN_PIECE + 2 <= r->fend_base &&
        r->nrows + MIN_PIECE + 1 <= r->line_base)
        layout(r, r->text_base, r->fend_base, r->line_base);
}

/* Bytes of input that can be parsed without outgrowing the row buffers: a
   piece of n bytes makes at most n + 1 fields and n rows. */
static size_t room(const struct csv_reader *r) {
    size_t t = r->text_cap - r->text_len;
    size_t f = r->fend_cap - r->nfend;
    size_t l = r->line_cap - r->nrows;
    size_t n = PIECE;
    if (t < n) n = t;
    if (f < n + 2) n = f > 2 ? f - 2 : 0;
    if (l < n + 1) n = l > 1 ? l - 1 : 0;
    return n;
}

/* room(), at least MIN_PIECE: the buffers grow when the row being parsed
   fills them (0 and a failure when the budget cannot hold that). */
static size_t room_for_row(struct csv_reader *r) {
    if (room(r) < MIN_PIECE && !make_room(r, PIECE, PIECE + 2, PIECE + 1)) {
        fail(r, ERR_NOMEM, r->row_fields ? r->row_line : r->cur_line, 0,
             "row does not fit the memory budget (-m %zu bytes)", pool_budget(r->pool));
        return 0;
    }
    return room(r);
}

/* How many of the avail rows from base_row fit the row buffers less
   MIN_PIECE of headroom: the cut depends on the rows alone, never on how
   the input happened to arrive, so a pipe and a file give the same
   batches.  The limits are fixed when the reader opens; the buffers grow
   past them only when a long row being parsed needs the room. */
static size_t rows_that_fit(const struct csv_reader *r, size_t avail) {
    size_t tl = r->text_limit, fl = r->fend_limit, ll = r->line_limit;
    size_t first = r->base_row ? r->fend[r->base_row * r->ncols - 1] & ~CSV_NULL_BIT : 0;
    size_t lo = 0, hi = avail;          /* the answer lies in [lo, hi] */
    while (lo < hi) {
        size_t k = lo + (hi - lo + 1) / 2;
        size_t end = r->fend[(r->base_row + k) * r->ncols - 1] & ~CSV_NULL_BIT;
        if (end - first <= tl && k * r->ncols <= fl && k <= ll)
            lo = k;
        else
            hi = k - 1;
    }
    return lo;
}

/* The buffers back to the pool: at the end of the input, once every row is
   handed out (the writer's footer needs room most when the columns are
   many; the reader keeps what it reports), and at close. */
static void release(struct csv_reader *r) {
    split_destroy(r);
    if (r->parser_live) {
        libcsv_pool = r->pool;
        csv_free(&r->parser);
        r->parser_live = 0;
    }
    pool_free(r->pool, r->chunk);
    pool_free(r->pool, r->sample);
    pool_free(r->pool, r->unpacked);
    pool_free(r->pool, r->block);
    pool_free(r->pool, r->held);
    pool_free(r->pool, r->ahead);
    r->chunk = r->sample = r->unpacked = r->block = r->held = r->ahead = NULL;
}

/* Make the read-ahead block, or keep the one made before (see
   csv_reserve_ahead()); 1 when the reader holds it idle in r->ahead, its
   capacities in r->ahead_tc, _fc and _lc, and the rows after the batch
   leave room in it. */
static int ahead_block(struct csv_reader *r, size_t keep) {
    if (r->err || r->eof || !r->block || r->held || !r->have_header || r->ncols == 0)
        return 0;
    /* the block: AHEAD_MOST steps of an AHEAD_STEPS'th of the row buffers'
       capacities, or as many as the pool may give, so that it is seldom
       taken again; sized at the first call that finds room, smaller later
       when the pool's peak rises, never larger (so that memory does not
       creep up with the input) */
    size_t tb, fb, full = block_bytes(r->text_base, r->fend_base, r->line_base, &tb, &fb);
    size_t have = r->ahead ? r->ahead_size : 0;
    size_t top = pool_peak(r->pool) + keep, budget = pool_budget(r->pool);
    size_t size = top <= budget ? have + (budget - top) : have > top - budget ? have - (top - budget) : 0;
    size_t step = full / AHEAD_STEPS, most = step * AHEAD_MOST;
    most = most < r->ahead_most ? most : r->ahead_most;
    size = size < most ? size : most;
    if (size > have) {               /* a new block: what the pool has in one piece */
        size_t largest = pool_largest_free(r->pool) + have;
        size = size < largest ? size : largest;
    }
    size -= size % step;
    if (size < step) {               /* none now; a later call may find room */
        pool_free(r->pool, r->ahead);
        r->ahead = NULL;
        return 0;
    }
    r->ahead_most = size;
    double k = (double)size / (double)full;
    size_t tc = (size_t)(r->text_base * k), fc = (size_t)(r->fend_base * k);
    size_t lc = (size_t)(r->line_base * k);
    size_t f0 = r->base_row * r->ncols;
    size_t t0 = f0 ? r->fend[f0 - 1] & ~CSV_NULL_BIT : 0;
    if (r->text_len - t0 + MIN_PIECE > tc || r->nfend - f0 + MIN_PIECE + 2 > fc ||
        r->nrows - r->base_row + MIN_PIECE + 1 > lc)
        return 0;                    /* the rows after the batch fill it already */
    size_t need = block_bytes(tc, fc, lc, &tb, &fb);
    if (!r->ahead || r->ahead_size != need) {
        pool_free(r->pool, r->ahead);
        r->ahead_size = need;
        if (!(r->ahead = pool_alloc(r->pool, need)))
            return 0;                /* no room to read ahead: read when asked */
    }
    r->ahead_tc = tc;
    r->ahead_fc = fc;
    r->ahead_lc = lc;
    return 1;
}

void csv_reserve_ahead(struct csv_reader *r, size_t keep) {
    (void)ahead_block(r, keep);
}

void csv_prefetch(struct csv_reader *r, size_t max_rows, size_t keep) {
    if (max_rows == 0)
        max_rows = 1;
    if (!ahead_block(r, keep))
        return;
    r->held = r->block;
    r->held_size = r->block_size;
    r->held_text_cap = r->text_cap;
    r->held_fend_cap = r->fend_cap;
    r->held_line_cap = r->line_cap;
    const unsigned char *text = r->text;
    const uint32_t *fend = r->fend;
    const int64_t *line = r->line;
    place(r, r->ahead, r->ahead_size, r->ahead_tc, r->ahead_fc, r->ahead_lc);
    r->ahead = NULL;
    move_rows(r, text, fend, line, r->base_row, r->text_len, r->nfend, r->nrows);
    /* parse as csv_next_batch would, up to where it would cut a batch */
    while (!r->err && !r->eof) {
        size_t avail = r->nrows - r->blank_tail;
        if (avail && (avail >= max_rows || rows_that_fit(r, avail) < avail))
            break;
        size_t n = room(r);
        if (n < MIN_PIECE || feed(r, n) != ERR_OK)
            break;
    }
}

/* After reading ahead: the rows go back to the held block, which the batch
   no longer needs (or, when a long row made them outgrow it, stay where
   they are). */
static void settle(struct csv_reader *r) {
    if (!r->held)
        return;
    unsigned char *b = r->block;
    size_t size = r->block_size;
    if (r->text_len <= r->held_text_cap && r->nfend <= r->held_fend_cap &&
        r->nrows <= r->held_line_cap) {
        const unsigned char *text = r->text;
        const uint32_t *fend = r->fend;
        const int64_t *line = r->line;
        size_t text_len = r->text_len, nfend = r->nfend, nrows = r->nrows;
        place(r, r->held, r->held_size, r->held_text_cap, r->held_fend_cap, r->held_line_cap);
        move_rows(r, text, fend, line, 0, text_len, nfend, nrows);
        if (size == r->ahead_size)
            r->ahead = b;            /* kept for the next batch */
        else
            pool_free(r->pool, b);
    } else {
        pool_free(r->pool, r->held);
    }
    r->held = NULL;
}

/* ---- parsing on two threads ----

   While csv_next_batch() fills the row buffers and nothing else runs (the
   encoders wait for the batch), a second thread parses the rows after a
   split point into the read-ahead block, idle at that time, and the main
   thread parses up to the split point.  When it gets there, the second
   thread stops after its current row and its rows are appended to the
   main thread's.  That is only correct where the main thread's reading at
   the split point is the second thread's at its start: between rows, after
   a LF, with no comment line or blank-row rule pending; so the second
   thread takes only what it can take the way fast_row does (whole rows of
   the header's width that fast_row splits, and blank lines in a file of
   two columns or more) and stops before anything else, and the rows are
   kept only when the main thread's parse ends at the split point between
   rows.  The split point is a line end whose next line holds an even
   count of quotes: most often a record boundary; where it is not, the
   check at the end throws the second thread's rows away and the main
   thread reads on alone. */
struct csv_split {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int job;                         /* a region is being parsed */
    int quit;
    atomic_int stop;                 /* the main thread reached the split point */
    struct csv_reader w;             /* the second thread's reader: the settings of the
                                        main one, the read-ahead block as row buffers,
                                        line numbers counted from the split point's */
    const unsigned char *p;          /* the region: the map from the split point on */
    size_t n;                        /* its bytes */
    size_t done;                     /* bytes parsed, up to the end of the last row */
    size_t max_rows;                 /* rows to parse at most */
};

/* The second thread's part: rows from s->p as fast_rows would split them,
   until the main thread stops it (not before the first window of lines:
   each start makes some headway, however late the thread runs), the rows
   or the buffers are full, or a row that fast_row leaves to libcsv or
   that is not the header's width. */
static void split_rows(struct csv_split *s) {
    struct csv_reader *w = &s->w;
    const unsigned char *p = s->p;
    size_t i = 0, from = 0, end = 0, dropped = 0;
    struct stops sb = {(size_t)0 - 64, 0};   /* no block yet */
    while (w->nrows < s->max_rows && w->nrows < w->line_cap &&
           (from == 0 || !atomic_load_explicit(&s->stop, memory_order_relaxed))) {
        if (i == end) {              /* the whole lines of the next bytes the buffers
                                        have room for (room(), a piece at most) */
            if (i - dropped >= DROP_EVERY) {   /* copied out: as raw_next() does */
                drop_map(p + dropped, p + i);
                dropped = i;
            }
            size_t n = room(w);
            from = i;
            end = s->n - i > n ? i + n : s->n;
            while (end > i && p[end - 1] != '\n' && p[end - 1] != '\r')
                end--;
            if (end == i)
                break;
        }
        if (p[i] == '\n' || p[i] == '\r') {
            on_row(p[i], w);         /* a blank line, or the LF of a CRLF */
            i++;
            continue;
        }
        size_t text_len = w->text_len, nfend = w->nfend;
        int64_t line = w->cur_line;
        int prev = w->prev_term;
        size_t k = fast_row(w, p, i, end, &sb);
        if (!k && i > from) {        /* a quoted line end, maybe: a window from here */
            end = i;
            continue;
        }
        if (!k)
            break;
        if (w->err) {                /* not the header's width: the main thread's */
            w->text_len = text_len;
            w->nfend = nfend;
            w->cur_line = line;
            w->prev_term = prev;
            w->row_fields = 0;
            break;
        }
        i = k;
    }
    s->done = i;
}

static void *split_thread(void *arg) {
    struct csv_split *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->job && !s->quit)
            pthread_cond_wait(&s->cond, &s->lock);
        if (s->quit)
            break;
        pthread_mutex_unlock(&s->lock);
        split_rows(s);
        pthread_mutex_lock(&s->lock);
        s->job = 0;
        pthread_cond_broadcast(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* The second thread, made at the first split; 0 when it cannot be. */
static int split_create(struct csv_reader *r) {
    if (r->split)
        return 1;
    struct csv_split *s = pool_calloc(r->pool, 1, sizeof *s);
    if (!s)
        return 0;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        pool_free(r->pool, s);
        return 0;
    }
    pthread_attr_t attr;
    int ok = pthread_cond_init(&s->cond, NULL) == 0;
    if (ok) {
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, SPLIT_STACK);
        ok = pthread_create(&s->thread, &attr, split_thread, s) == 0;
        pthread_attr_destroy(&attr);
        if (!ok)
            pthread_cond_destroy(&s->cond);
    }
    if (!ok) {
        pthread_mutex_destroy(&s->lock);
        pool_free(r->pool, s);
        r->opt.threads = 1;          /* no second thread: no more attempts */
        return 0;
    }
    r->split = s;
    return 1;
}

static void split_destroy(struct csv_reader *r) {
    struct csv_split *s = r->split;
    if (!s)
        return;
    atomic_store(&s->stop, 1);
    pthread_mutex_lock(&s->lock);
    s->quit = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    pool_free(r->pool, s);
    r->split = NULL;
    r->split_at = 0;
}

/* Bytes equal to c in [p, p + n), eight at a time. */
static size_t count_byte(const unsigned char *p, size_t n, unsigned char c) {
    const uint64_t ones = 0x0101010101010101u, low7 = 0x7f7f7f7f7f7f7f7fu;
    size_t k = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        x ^= ones * c;                   /* bytes equal to c are 0 */
        uint64_t t = ((x & low7) + low7) | x;   /* high bit set: byte not 0 */
        k += (size_t)__builtin_popcountll(~t & ~low7);
    }
    for (; i < n; i++)
        k += p[i] == c;
    return k;
}

/* Where the look for a split point for a part of d bytes from pos ends:
   2 d + 1 bytes on (or the map's end), so that a long line ahead is not
   scanned again at every call. */
static size_t split_limit(const struct csv_reader *r, size_t pos, size_t d) {
    return r->map_len - pos > 2 * d + 1 ? pos + 2 * d + 1 : r->map_len;
}

/* The split point for a main thread's part of about d bytes from pos: the
   first LF at or after pos + d whose next line holds an even count of
   quotes (the LF within 2 d bytes of pos, the line at most as long), or 0
   for none.  A line that starts a record does, in well-formed CSV, unless
   a field of it spans lines; the line after a quoted line end does not,
   unless it opens another quoted field.  A wrong guess costs the second
   thread's work, not rows (split_join). */
static size_t guess_split(const struct csv_reader *r, size_t pos, size_t d) {
    const unsigned char *m = r->map;
    size_t at = pos + d, lim = split_limit(r, pos, d);
    for (;;) {
        const unsigned char *lf = memchr(m + at, '\n', lim - at);
        if (!lf || (size_t)(lf - m) + 1 >= r->map_len)
            return 0;
        at = (size_t)(lf - m) + 1;
        if (r->no_quote)
            return at;
        size_t end = split_limit(r, at, d);
        const unsigned char *eol = memchr(m + at, '\n', end - at);
        if (!eol && end < r->map_len)
            return 0;                /* a longer line: the count decides */
        if (!(count_byte(m + at, (eol ? (size_t)(eol - m) : end) - at, r->opt.quote) & 1))
            return at;
    }
}

/* The split point where guess_split finds none (every line of a record
   spanning lines holds an odd count of quotes): the first LF at or after
   pos + d (d grown by the quotes of the part) with an even count of quotes
   since the last point outside quotes: pos, or when libcsv stands inside a
   quoted field (FIELD_BEGUN, quoted), the quote that opened it.  Exact in
   well-formed CSV, but a count over the whole part before the second
   thread can start; 0 for none within 2 d bytes. */
static size_t count_split(struct csv_reader *r, size_t pos, size_t d) {
    const unsigned char *m = r->map;
    size_t left = r->map_len - pos, quotes = count_byte(m + pos, d, r->opt.quote);
    size_t more = quotes;
    if (d + more >= left)
        return 0;
    quotes += count_byte(m + pos + d, more, r->opt.quote);
    d += more;
    size_t at = pos + d, lim = split_limit(r, pos, d);
    quotes += r->parser.pstate == 2 && r->parser.quoted;
    for (;;) {
        const unsigned char *lf = memchr(m + at, '\n', lim - at);
        if (!lf || (size_t)(lf - m) + 1 >= r->map_len)
            return 0;
        size_t e = (size_t)(lf - m) + 1;
        quotes += count_byte(m + at, e - at, r->opt.quote);
        at = e;
        if (!(quotes & 1))
            break;
    }
    drop_map(m + pos, m + at);       /* only scanned so far: need not stay resident */
    return at;
}

/* Start the second thread on the rows after a split point, when the main
   thread stands between rows in a mapped file and two fifths of the rows
   the batch still needs (as many as the read-ahead block holds at most)
   are worth a thread's wake-up.  The sizes are estimates from the rows
   buffered: a wrong one costs time, never rows. */
static void split_start(struct csv_reader *r, size_t max_rows) {
    if (r->opt.threads < 2 || !r->ahead || r->held || r->err || r->eof || !r->map ||
        r->dec || r->pending || r->sample || r->sample_err || r->skip_left || r->skip_cr ||
        r->at_start || r->text_end || r->opt.comment || r->in_comment || r->comment_line ||
        r->no_delim || r->ncols < 2 || r->opt.libcsv_only || !r->have_header ||
        r->base_row || r->nrows == 0 || r->text_cap > TEXT_MAX)
        return;
    size_t nc = r->ncols, avail = r->nrows - r->blank_tail;
    size_t per_row = r->text_len / r->nrows + 1;          /* text bytes */
    size_t rt = r->text_limit > r->text_len ? r->text_limit - r->text_len : 0;
    size_t rf = r->fend_limit > r->nfend ? r->fend_limit - r->nfend : 0;
    size_t rl = r->line_limit > r->nrows ? r->line_limit - r->nrows : 0;
    size_t rows = rt / per_row;                            /* the rows the batch still takes */
    rows = rows < rf / nc ? rows : rf / nc;
    rows = rows < rl ? rows : rl;
    if (max_rows <= avail)
        return;
    rows = rows < max_rows - avail ? rows : max_rows - avail;
    size_t second = r->ahead_tc / per_row;                 /* the block's rows */
    second = second < r->ahead_fc / nc ? second : r->ahead_fc / nc;
    second = second < r->ahead_lc ? second : r->ahead_lc;
    /* two fifths for the main thread: the second one's buffers leave room
       for the main thread's fields and rows and half as many again (they
       are estimated below), so a half would leave it a quarter */
    size_t first = rows * 2 / 5 < second ? rows * 2 / 5 : second;
    if (first * per_row < PIECE)
        return;
    second = second < rows - first ? second : rows - first;
    /* the main thread's bytes: text and a delimiter or line end per field */
    size_t pos = r->map_pos;
    size_t d = first * (per_row - 1 + nc);
    if (d >= r->map_len - pos)
        return;
    size_t at = guess_split(r, pos, d);
    if (!at && !r->no_quote)
        at = count_split(r, pos, d);
    if (!at)
        return;
    /* the main thread's part makes at most at - pos bytes of text; the
       fields and rows it makes are estimated with room to spare */
    size_t tc = r->text_cap - r->text_len > at - pos ? r->text_cap - r->text_len - (at - pos) : 0;
    size_t lspare = first + first / 2 + SPLIT_SPARE, fspare = lspare * nc;
    size_t fc = r->fend_cap - r->nfend > fspare ? r->fend_cap - r->nfend - fspare : 0;
    size_t lc = r->line_cap - r->nrows > lspare ? r->line_cap - r->nrows - lspare : 0;
    tc = tc < r->ahead_tc ? tc : r->ahead_tc;
    fc = fc < r->ahead_fc ? fc : r->ahead_fc;
    lc = lc < r->ahead_lc ? lc : r->ahead_lc;
    if (tc < PIECE || fc < nc * 16 || lc < 16 || lc < first / 4 || fc / nc < first / 4 ||
        !split_create(r))
        return;                      /* too little for the second thread to be worth its wake-up */
    struct csv_split *s = r->split;
    struct csv_reader *w = &s->w;
    *w = *r;
    place(w, r->ahead, r->ahead_size, r->ahead_tc, r->ahead_fc, r->ahead_lc);
    w->text_cap = tc;
    w->fend_cap = fc;
    w->line_cap = lc;
    w->text_len = w->nfend = w->nrows = 0;
    w->cur_line = 0;
    w->prev_term = '\n';
    w->opt.bad_row = NULL;           /* a row of another width ends its part */
    w->held = w->ahead = NULL;
    w->split = NULL;
    s->p = r->map + at;
    s->n = r->map_len - at;
    s->done = 0;
    s->max_rows = second;
    atomic_store(&s->stop, 0);
    pthread_mutex_lock(&s->lock);
    s->job = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    r->split_at = at;
}

/* Stop the second thread and wait for it; with keep, append its rows when
   the main thread's parse ended at the split point between rows and they
   fit the row buffers. */
static void split_join(struct csv_reader *r, int keep) {
    if (!r->split_at)
        return;
    struct csv_split *s = r->split;
    atomic_store(&s->stop, 1);
    pthread_mutex_lock(&s->lock);
    while (s->job)
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
    size_t at = r->split_at;
    r->split_at = 0;
    const struct csv_reader *w = &s->w;
    if (!keep || r->err || r->map_pos != at || r->parser.pstate != 0 || r->row_fields ||
        r->prev_term != '\n' || r->in_comment || r->comment_line || r->blank_tail ||
        r->text_len + w->text_len > r->text_cap || r->nfend + w->nfend > r->fend_cap ||
        r->nrows + w->nrows > r->line_cap)
        return;
    uint32_t off = (uint32_t)r->text_len;
    memcpy(r->text + r->text_len, w->text, w->text_len);
    for (size_t i = 0; i < w->nfend; i++)
        r->fend[r->nfend + i] = w->fend[i] + off;          /* the NULL bit stays */
    for (size_t i = 0; i < w->nrows; i++)
        r->line[r->nrows + i] = w->line[i] + r->cur_line;
    r->text_len += w->text_len;
    r->nfend += w->nfend;
    r->nrows += w->nrows;
    r->cur_line += w->cur_line;
    r->prev_term = w->prev_term;
    r->map_pos += s->done;
    r->bytes_in += s->done;
    r->rows_split += w->nrows;
}

int csv_next_batch(struct csv_reader *r, size_t max_rows, struct csv_batch **b) {
    *b = NULL;
    settle(r);
    if (r->err)
        return r->err;
    if (!r->block)
        return ERR_OK;               /* released at the end */
    if (max_rows == 0)
        max_rows = 1;
    for (;;) {
        size_t avail = r->nrows - r->blank_tail - r->base_row;
        size_t fit = avail ? rows_that_fit(r, avail) : 0;
        if (avail && (fit < avail || avail >= max_rows || r->eof)) {
            size_t k = fit < max_rows ? fit : max_rows;
            if (k == 0)
                k = 1;                   /* one row larger than the buffers */
            r->view.ncols = r->ncols;
            r->view.nrows = k;
            r->view.text = r->text;
            r->view.fend = r->fend + r->base_row * r->ncols;
            r->view.first = r->base_row ? r->fend[r->base_row * r->ncols - 1] & ~CSV_NULL_BIT : 0;
            r->view.line = r->line + r->base_row;
            r->base_row += k;
            *b = &r->view;
            split_join(r, 0);            /* the batch ended before the split point */
            return ERR_OK;
        }
        if (r->eof) {
            release(r);
            return ERR_OK;
        }
        if (r->split_at && r->map_pos == r->split_at) {
            split_join(r, 1);
            continue;
        }
        compact(r);
        if (!r->split_at)
            split_start(r, max_rows);
        size_t n = room_for_row(r);
        if (r->split_at && n > r->split_at - r->map_pos)
            n = r->split_at - r->map_pos;
        int e = r->err ? r->err : feed(r, n);
        if (e != ERR_OK) {
            split_join(r, 0);
            return e;
        }
    }
}

void csv_batch_drop(struct csv_batch *b, const uint8_t *keep) {
    size_t nc = b->ncols, kept = 0;
    if (nc == 0)
        return;
    uint32_t from = b->first, to = b->first;   /* row r's text, and where it goes */
    for (size_t r = 0; r < b->nrows; r++) {
        uint32_t end = b->fend[r * nc + nc - 1] & ~CSV_NULL_BIT;
        if (keep[r]) {
            if (kept != r) {
                uint32_t shift = from - to;
                memmove(b->text + to, b->text + from, end - from);
                for (size_t c = 0; c < nc; c++)
                    b->fend[kept * nc + c] = b->fend[r * nc + c] - shift;  /* the NULL bit stays */
                b->line[kept] = b->line[r];
            }
            to += end - from;
            kept++;
        }
        from = end;
    }
    b->nrows = kept;
}

size_t csv_ncols(const struct csv_reader *r) { return r->ncols; }
unsigned char csv_delimiter(const struct csv_reader *r) { return r->opt.delimiter; }
unsigned char csv_quote(const struct csv_reader *r) { return r->opt.quote; }
int csv_has_header(const struct csv_reader *r) { return r->opt.header != 0; }
const char *csv_name(const struct csv_reader *r, size_t col) { return r->names[col]; }
const struct csv_where *csv_where(const struct csv_reader *r) { return &r->where; }
uint64_t csv_bytes_in(const struct csv_reader *r) { return r->bytes_in; }
uint64_t csv_rows_split(const struct csv_reader *r) { return r->rows_split; }

void csv_close(struct csv_reader *r) {
    if (!r)
        return;
    pool_t *pool = r->pool;
    release(r);
    if (r->map)
        munmap((void *)r->map, r->map_len);
    if (r->names) {
        for (size_t c = 0; c < r->ncols; c++)
            pool_free(pool, r->names[c]);
        pool_free(pool, r->names);
    }
    codec_stream_free(r->dec);
    pool_free(pool, r);
}
