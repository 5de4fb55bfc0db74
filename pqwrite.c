#include "pqwrite.h"

#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "encode.h"
#include "err.h"
#include "pqmeta.h"
#include "thrift_compact.h"
#include "types.h"

#if defined(__GNUC__) || defined(__clang__)
#  define PQW_INLINE static inline __attribute__((always_inline))
#  define PQW_PREFETCH(p) __builtin_prefetch(p)
#else
#  define PQW_INLINE static inline
#  define PQW_PREFETCH(p) ((void)(p))
#endif

#define OUT_BUF   (256u << 10)       /* output buffer, bytes */
#define PAGE_ROWS 65536              /* rows per data page at most */
#define STAT_MAX  64                 /* bytes of a string statistic */

/* How a column's values are held in encoder.vals and written. */
enum repr {
    R_BOOL,                          /* uint8_t 0/1; BOOLEAN */
    R_I32, R_U32, R_F32,             /* 4 bytes: int32_t, uint32_t, float; INT32 or FLOAT */
    R_I64, R_U64, R_F64,             /* 8 bytes: int64_t, uint64_t, double; INT64 or DOUBLE */
    R_FLBA,                          /* width bytes, big-endian two's complement (decimals) */
    R_BYTES                          /* struct enc_span: where the value lies in the
                                        batch text; BYTE_ARRAY */
};

struct layout {
    int repr;                        /* enum repr */
    int physical;                    /* enum pq_type */
    size_t width;                    /* bytes per value in vals */
    int utf8;                        /* R_BYTES: a string (validated, cut at characters) */
};

/* The fixed length of a decimal of this precision: the fewest bytes whose
   two's complement holds 10^precision - 1. */
static size_t decimal_bytes(int precision) {
    __extension__ unsigned __int128 p = 1;
    for (int i = 0; i < precision; i++)
        p *= 10;
    size_t n = 1;
    while ((__extension__ (unsigned __int128)1 << (8 * n - 1)) < p)
        n++;
    return n;
}

static struct layout layout_of(const struct ty_spec *sp) {
    struct layout l = { R_I64, PQ_INT64, 8, 0 };
    switch (sp->type) {
    case TY_BOOLEAN: l = (struct layout){ R_BOOL, PQ_BOOLEAN, 1, 0 }; break;
    case TY_INT8: case TY_INT16: case TY_INT32: case TY_DATE:
        l = (struct layout){ R_I32, PQ_INT32, 4, 0 };
        break;
    case TY_UINT8: case TY_UINT16: case TY_UINT32:
        l = (struct layout){ R_U32, PQ_INT32, 4, 0 };
        break;
    case TY_UINT64: l.repr = R_U64; break;
    case TY_FLOAT: l = (struct layout){ R_F32, PQ_FLOAT, 4, 0 }; break;
    case TY_DOUBLE: l = (struct layout){ R_F64, PQ_DOUBLE, 8, 0 }; break;
    case TY_TIME:
        if (sp->unit == TY_UNIT_MS)
            l = (struct layout){ R_I32, PQ_INT32, 4, 0 };
        break;
    case TY_DECIMAL:
        if (sp->precision <= 9)
            l = (struct layout){ R_I32, PQ_INT32, 4, 0 };
        else if (sp->precision > 18)
            l = (struct layout){ R_FLBA, PQ_FIXED_LEN_BYTE_ARRAY, decimal_bytes(sp->precision), 0 };
        break;
    case TY_STRING: l = (struct layout){ R_BYTES, PQ_BYTE_ARRAY, sizeof(struct enc_span), 1 }; break;
    case TY_BINARY: l = (struct layout){ R_BYTES, PQ_BYTE_ARRAY, sizeof(struct enc_span), 0 }; break;
    default: break;                  /* int64, timestamps, time(us|ns), decimal(10..18) */
    }
    return l;
}

/* Statistics being gathered for a page or a column chunk. */
struct stats {
    int64_t nulls, nans;
    int has;                         /* min and max are set */
    union {
        int64_t i; uint64_t u; double d;
        struct enc_span s;
        size_t at;                   /* R_FLBA: index of the value in vals */
    } min, max;
};

/* Bytes of one statistic bound, kept until the row group is encoded. */
struct stat_bytes { uint8_t min[STAT_MAX + 8], max[STAT_MAX + 8]; size_t nmin, nmax; int exact_max; };

/* The scratch of one column chunk encoder: one per thread.  Pages go
   straight to the output (streaming, one thread) or to buf, to be written
   in column order by the writer. */
struct encoder {
    pool_t *pool;
    struct codec_ctx *codec;
    struct tc_writer header;                 /* page header being encoded */
    uint8_t *defs; size_t defs_cap;          /* one per row */
    void *vals; size_t vals_cap;             /* typed non-null values, bytes */
    uint32_t *idx; size_t idx_cap;           /* dictionary index per value */
    uint8_t *page; size_t page_cap;          /* levels + values of one page */
    uint8_t *comp; size_t comp_cap;          /* compressed page */
    uint32_t *rank; size_t rank_cap;         /* dictionary order (n entries), then the page
                                                statistics' scratch: 20 bytes per entry */
    struct enc_dict *dict;                   /* reused from chunk to chunk */
    int dict_kind;                           /* ENC_DICT_* of dict */
    int buffered;                            /* pages go to buf, not the output */
    uint8_t *buf; size_t len, cap;           /* the encoded chunk (pool) */
    /* with threads */
    struct pqw_writer *w;
    pthread_t thread;
    int started;
    struct pqw_where where;                  /* of its last failed column */
};

struct pqw_writer {
    pool_t *pool;
    int fd;
    struct pqw_options opt;
    size_t ncols;
    struct pqw_column *cols;         /* names copied into the pool */
    struct encoder *enc;             /* opt.threads of them */
    int nenc;

    /* the row group being encoded by the threads (under lock) */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int sync_ready, quit;
    const struct csv_batch *batch;   /* the row group begun, until it ends */
    size_t next;                     /* columns handed out (see column_at) */
    size_t lead;                     /* the column handed out first */
    size_t costliest;                /* the column that took the most CPU time */
    uint64_t most;                   /*   so far in the row group, and its ns */
    size_t stop_at;                  /* the first column that failed, or ncols */
    int halt;                        /* hand out no more columns */
    size_t written;                  /* columns written, in order */
    int writing;                     /* a thread is writing chunks */
    int stopped;                     /* a column failed: no more handed out or written */
    int *done_by;                    /* ncols: encoder index, -1 while pending */
    int *result;                     /* ncols: ERR_* of each column */
    uint8_t **chunk;                 /* ncols: finished chunks not yet written (pool) */
    size_t *chunk_len;               /* ncols: their bytes */
    size_t held, hold_limit;         /* bytes of the finished chunks; past the
                                        limit, a thread waits for the writing */
    struct pqw_where io_where;       /* a failed write of a finished chunk */
    int64_t rg_start;                /* file offset of the row group begun */

    uint8_t *out; size_t out_len;    /* output buffer (pool) */
    uint64_t offset;                 /* bytes of the file so far */

    int64_t num_rows;
    uint32_t n_row_groups;
    struct tc_writer row_groups;     /* encoded RowGroup structs */

    struct pq_column_chunk *cc;      /* ncols, for the row group being written */
    struct stat_bytes *sb;           /* ncols */
    int *encodings;                  /* 3 per column */
    struct pq_page_encoding_stats *estats;  /* 2 per column */
    struct pq_bytes *paths;          /* ncols */
    uint8_t *probe;                  /* ncols: PROBE_* of each column's dictionary attempts */
};

static int set_where(struct pqw_where *where, int code, int64_t line, int64_t col,
                     const char *fmt, ...) {
    if (where) {
        where->line = line;
        where->column = col;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(where->detail, sizeof where->detail, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Make a scratch buffer hold at least need bytes.  Its contents are not
   kept, so the old buffer goes back to the pool before the new one is
   taken: growing never needs both at once. */
static int reserve(pool_t *pool, void **buf, size_t *cap, size_t need) {
    if (need <= *cap)
        return ERR_OK;
    pool_free(pool, *buf);
    size_t n = need + need / 4;
    void *p = pool_alloc(pool, n);
    if (!p)
        p = pool_alloc(pool, n = need);
    *buf = p;
    *cap = p ? n : 0;
    return p ? ERR_OK : ERR_NOMEM;
}

/* ---- output ---- */

static int write_all(int fd, const uint8_t *p, size_t n) {
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return ERR_IO;
        }
        p += k;
        n -= (size_t)k;
    }
    return ERR_OK;
}

static int flush_out(struct pqw_writer *w) {
    int e = write_all(w->fd, w->out, w->out_len);
    w->out_len = 0;
    return e;
}

static int emit(struct pqw_writer *w, const void *p, size_t n) {
    w->offset += n;
    if (w->out_len + n > OUT_BUF) {
        FORWARD_IF_ERROR(flush_out(w));
        if (n >= OUT_BUF)
            return write_all(w->fd, p, n);
    }
    memcpy(w->out + w->out_len, p, n);
    w->out_len += n;
    return ERR_OK;
}

/* Where an encoder's pages go: the output, or its chunk buffer. */
static int sink(struct pqw_writer *w, struct encoder *x, const void *p, size_t n) {
    if (!x->buffered)
        return emit(w, p, n);
    if (x->len + n > x->cap) {
        size_t cap = x->cap + x->cap / 2 + n;
        uint8_t *b = pool_realloc(x->pool, x->buf, cap);
        if (!b)                      /* just what it needs, when that fits */
            b = pool_realloc(x->pool, x->buf, cap = x->len + n);
        if (!b)
            return ERR_NOMEM;
        x->buf = b;
        x->cap = cap;
    }
    memcpy(x->buf + x->len, p, n);
    x->len += n;
    return ERR_OK;
}

/* The offset of the next byte an encoder writes: in the file, or in its
   buffer (the writer adds the chunk's file offset when it writes it). */
static int64_t position(const struct pqw_writer *w, const struct encoder *x) {
    return (int64_t)(x->buffered ? x->len : w->offset);
}

static int io_error(struct pqw_where *where) {
    return set_where(where, ERR_IO, 0, 0, "write error: %s", strerror(errno));
}

/* ---- the writer ---- */

/* encoder_init etc. need encode_chunk: declared here, defined below. */
static int encode_chunk(struct pqw_writer *w, struct encoder *x, const struct csv_batch *b, size_t c,
                        struct pqw_where *where);

/* ---- encoders and threads ---- */

/* Take an encoder's compressor and page buffers now, while the pool is not
   yet fragmented: compressing one page-sized buffer sizes the compressor
   for every page that follows. */
static int encoder_init(struct pqw_writer *w, struct encoder *x) {
    const struct pqw_options *o = &w->opt;
    x->pool = w->pool;
    tc_writer_init(&x->header, w->pool);
    int e = codec_create(w->pool, o->codec, o->level, &x->codec);
    if (!e)
        e = codec_set_max_input(x->codec, o->page_size);
    if (!e)
        e = reserve(w->pool, (void **)&x->page, &x->page_cap, o->page_size);
    if (!e)
        e = reserve(w->pool, (void **)&x->comp, &x->comp_cap, codec_bound(o->codec, o->page_size));
    size_t clen;
    if (!e) {
        memset(x->page, 0, o->page_size);
        e = codec_compress(x->codec, x->page, o->page_size, x->comp, x->comp_cap, &clen);
    }
    return e;
}

/* Give back the buffers that grow with the row group (not the compressor
   or the page buffers). */
static void encoder_shrink(struct encoder *x) {
    pool_free(x->pool, x->defs);
    pool_free(x->pool, x->vals);
    pool_free(x->pool, x->idx);
    pool_free(x->pool, x->rank);
    pool_free(x->pool, x->buf);
    x->defs = x->vals = NULL;
    x->idx = NULL;
    x->buf = NULL;
    x->rank = NULL;
    x->defs_cap = x->vals_cap = x->idx_cap = x->rank_cap = x->cap = x->len = 0;
    if (x->dict)
        enc_dict_free(x->dict);
    x->dict = NULL;
}

static void encoder_free(struct encoder *x) {
    if (!x->pool)
        return;
    encoder_shrink(x);
    codec_free(x->codec);
    tc_writer_free(&x->header);
    pool_free(x->pool, x->page);
    pool_free(x->pool, x->comp);
}

static int write_chunk(struct pqw_writer *w, uint8_t *buf, size_t len, size_t c);

/* Write the finished chunks that are next in column order, with the lock
   held on entry and on return (released while writing).  One thread writes
   at a time; a failed column stops the writing there, and no more columns
   are handed out. */
static void write_ready(struct pqw_writer *w) {
    if (w->writing)
        return;
    w->writing = 1;
    while (!w->stopped && !w->quit && w->written < w->ncols && w->done_by[w->written] >= 0) {
        size_t c = w->written;
        int e = w->result[c];
        if (e == ERR_OK) {
            uint8_t *buf = w->chunk[c];
            size_t len = w->chunk_len[c];
            w->chunk[c] = NULL;
            pthread_mutex_unlock(&w->lock);
            if ((e = write_chunk(w, buf, len, c)) != ERR_OK)
                e = io_error(&w->io_where);
            pthread_mutex_lock(&w->lock);
            w->held -= len;
            w->result[c] = e;
        }
        if (e != ERR_OK) {
            w->stopped = w->halt = 1;
            break;
        }
        w->written++;
    }
    w->writing = 0;
    pthread_cond_broadcast(&w->cond);
}

/* The k-th column handed out: w->lead first, then the others in order.
   The column that took longest in the last row group starts first, so
   that it does not run alone at the end while the other threads, done
   with the rest, wait: its chunk waits for the columns before it instead
   (one chunk more in memory). */
static size_t column_at(const struct pqw_writer *w, size_t k) {
    return k == 0 ? w->lead : k <= w->lead ? k - 1 : k;
}

/* Whether a worker may take the next column: none past a column that
   failed (those before it are still written), and while the finished
   chunks not yet written hold more than hold_limit bytes, only the column
   next in the writing order, which frees them. */
static int may_take(const struct pqw_writer *w) {
    if (!w->batch || w->halt || w->next >= w->ncols)
        return 0;
    size_t c = column_at(w, w->next);
    return c < w->stop_at && (w->held <= w->hold_limit || c == w->written);
}

static uint64_t thread_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A worker takes the next column of the row group, encodes it into its
   buffer, hands the finished chunk over, and writes whatever chunks are
   ready in column order.  While the finished chunks not yet written hold
   more than hold_limit bytes, it takes no other column (the thread on the
   next column in order writes and frees them). */
static void *worker(void *arg) {
    struct encoder *x = arg;
    struct pqw_writer *w = x->w;
    int index = (int)(x - w->enc);
    pthread_mutex_lock(&w->lock);
    w->sync_ready++;
    pthread_cond_broadcast(&w->cond);
    for (;;) {
        while (!w->quit && !may_take(w))
            pthread_cond_wait(&w->cond, &w->lock);
        if (w->quit)
            break;
        size_t c = column_at(w, w->next++);
        const struct csv_batch *b = w->batch;
        pthread_mutex_unlock(&w->lock);
        x->len = 0;
        uint64_t t0 = thread_ns();
        int e = encode_chunk(w, x, b, c, &x->where);
        uint64_t spent = thread_ns() - t0;
        pthread_mutex_lock(&w->lock);
        if (spent > w->most) {
            w->most = spent;
            w->costliest = c;
        }
        if (e == ERR_OK) {
            w->chunk[c] = x->buf;
            w->chunk_len[c] = x->len;
            w->held += x->len;
            /* Chunks differ in size from column to column: a buffer kept at
               the largest one ever seen would hold memory no other thread
               can use, so the next chunk starts a buffer of its own. */
            x->buf = NULL;
            x->cap = x->len = 0;
        }
        w->result[c] = e;
        w->done_by[c] = index;
        if (e != ERR_OK && c < w->stop_at)
            w->stop_at = c;          /* the writing stops at it: take none after it */
        write_ready(w);
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

#define THREAD_STACK ((size_t)512 << 10)

static int start_threads(struct pqw_writer *w) {
    if (pthread_mutex_init(&w->lock, NULL) || pthread_cond_init(&w->cond, NULL))
        return ERR_INTERNAL;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THREAD_STACK);
    for (int i = 0; i < w->nenc; i++) {
        w->enc[i].w = w;
        if (pthread_create(&w->enc[i].thread, &attr, worker, &w->enc[i]) != 0) {
            pthread_attr_destroy(&attr);
            return ERR_INTERNAL;
        }
        w->enc[i].started = 1;
    }
    pthread_attr_destroy(&attr);
    pthread_mutex_lock(&w->lock);
    while (w->sync_ready < w->nenc)
        pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
    return ERR_OK;
}

static void stop_threads(struct pqw_writer *w) {
    int any = 0;
    for (int i = 0; i < w->nenc; i++)
        any |= w->enc[i].started;
    if (!any)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    for (int i = 0; i < w->nenc; i++)
        if (w->enc[i].started)
            pthread_join(w->enc[i].thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
}

int pqw_create(pool_t *pool, int fd, const struct pqw_column *cols, size_t ncols,
               const struct pqw_options *o, struct pqw_writer **out,
               struct pqw_where *where) {
    *out = NULL;
    struct pqw_writer *w = pool_calloc(pool, 1, sizeof *w);
    if (!w)
        return set_where(where, ERR_NOMEM, 0, 0, "writer state");
    w->pool = pool;
    w->fd = fd;
    w->opt = *o;
    w->ncols = ncols;
    tc_writer_init(&w->row_groups, pool);
    *out = w;
    w->cols = pool_calloc(pool, ncols ? ncols : 1, sizeof *w->cols);
    w->cc = pool_calloc(pool, ncols ? ncols : 1, sizeof *w->cc);
    w->sb = pool_calloc(pool, ncols ? ncols : 1, sizeof *w->sb);
    w->encodings = pool_calloc(pool, 3 * (ncols ? ncols : 1), sizeof *w->encodings);
    w->estats = pool_calloc(pool, 2 * (ncols ? ncols : 1), sizeof *w->estats);
    w->paths = pool_calloc(pool, ncols ? ncols : 1, sizeof *w->paths);
    w->probe = pool_calloc(pool, ncols ? ncols : 1, sizeof *w->probe);
    w->out = pool_alloc(pool, OUT_BUF);
    if (!w->cols || !w->cc || !w->sb || !w->encodings || !w->estats || !w->paths ||
        !w->probe || !w->out)
        return set_where(where, ERR_NOMEM, 0, 0, "writer state for %zu columns", ncols);
    for (size_t c = 0; c < ncols; c++) {
        const struct ty_spec *sp = &cols[c].spec;
        int timed = sp->type == TY_TIME || sp->type == TY_TIMESTAMP || sp->type == TY_TIMESTAMP_UTC;
        if (sp->type < 0 || sp->type >= TY_COUNT_ || (timed && (sp->unit < 0 || sp->unit > 2)) ||
            (sp->type == TY_DECIMAL && (sp->precision < 1 || sp->precision > 38 ||
                                        sp->scale < 0 || sp->scale > sp->precision)))
            return set_where(where, ERR_USAGE, 0, (int64_t)c + 1,
                             "column \"%s\": not a valid type", cols[c].name);
        size_t n = strlen(cols[c].name);
        char *name = pool_alloc(pool, n + 1);
        if (!name)
            return set_where(where, ERR_NOMEM, 0, 0, "column names");
        memcpy(name, cols[c].name, n + 1);
        w->cols[c].name = name;
        w->cols[c].spec = cols[c].spec;
        w->cols[c].source = cols[c].source;
        w->paths[c].p = (const uint8_t *)name;
        w->paths[c].n = n;
    }
    int n = o->threads < 1 ? 1 : o->threads;
    if ((size_t)n > ncols)
        n = ncols ? (int)ncols : 1;
    w->enc = pool_calloc(pool, (size_t)n, sizeof *w->enc);
    w->done_by = pool_calloc(pool, ncols ? ncols : 1, sizeof *w->done_by);
    w->result = pool_calloc(pool, ncols ? ncols : 1, sizeof *w->result);
    w->chunk = pool_calloc(pool, ncols ? ncols : 1, sizeof *w->chunk);
    w->chunk_len = pool_calloc(pool, ncols ? ncols : 1, sizeof *w->chunk_len);
    w->hold_limit = pool_budget(pool) / 16;
    if (!w->enc || !w->done_by || !w->result || !w->chunk || !w->chunk_len)
        return set_where(where, ERR_NOMEM, 0, 0, "writer state for %zu columns", ncols);
    /* Each thread's encoder holds a compressor and page buffers: take no
       more threads than a third of the budget holds. */
    for (int i = 0; i < n; i++) {
        size_t before = pool_used(pool);
        w->nenc = i + 1;
        int e = encoder_init(w, &w->enc[i]);
        if (e)
            return set_where(where, e, 0, 0, "%s compressor and page buffers",
                             codec_name(o->codec));
        size_t each = pool_used(pool) - before;
        if (i == 0 && each && (size_t)n > pool_budget(pool) / 3 / each)
            n = (int)(pool_budget(pool) / 3 / each) > 1 ? (int)(pool_budget(pool) / 3 / each) : 1;
    }
    for (int i = 0; i < n; i++)
        w->enc[i].buffered = n > 1;
    if (n > 1) {
        int e = start_threads(w);
        if (e)
            return set_where(where, e, 0, 0, "cannot start %d threads", n);
    }
    if (emit(w, "PAR1", 4) != ERR_OK)
        return io_error(where);
    return ERR_OK;
}

/* ---- values ---- */

/* Eight bytes at p as a big-endian number: compares as memcmp would. */
PQW_INLINE uint64_t load_be64(const uint8_t *p) {
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | p[7];
}

/* Byte order of two byte arrays of the batch text, the shorter first on a
   common prefix; the first eight bytes decide most without memcmp. */
PQW_INLINE int str_cmp(const uint8_t *text, struct enc_span a, struct enc_span b) {
    const uint8_t *p = text + a.off, *q = text + b.off;
    size_t n = a.len < b.len ? a.len : b.len;
    if (n >= 8) {
        uint64_t x = load_be64(p), y = load_be64(q);
        if (x != y)
            return x < y ? -1 : 1;
    } else if (n && p[0] != q[0]) {
        return p[0] < q[0] ? -1 : 1;
    }
    int c = memcmp(p, q, n);
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

/* Widen the bounds [*mn, *mx] of byte arrays to take s (a new minimum is
   never a new maximum). */
PQW_INLINE void span_bounds(const uint8_t *text, struct enc_span s, struct enc_span *mn,
                            struct enc_span *mx) {
    if (str_cmp(text, s, *mn) < 0)
        *mn = s;
    else if (str_cmp(text, s, *mx) > 0)
        *mx = s;
}

/* Signed order of two big-endian two's complement values of n bytes. */
static int flba_cmp(const uint8_t *a, const uint8_t *b, size_t n) {
    if (a[0] != b[0])
        return (a[0] ^ 0x80) < (b[0] ^ 0x80) ? -1 : 1;
    return memcmp(a + 1, b + 1, n - 1);
}

/* Fold value i of the column's typed values into st. */
static void stats_add(struct stats *st, const struct layout *l, const void *vals, size_t i,
                      const uint8_t *text) {
    switch (l->repr) {
    case R_F32:
    case R_F64: {
        double d = l->repr == R_F32 ? ((const float *)vals)[i] : ((const double *)vals)[i];
        if (isnan(d)) {
            st->nans++;
            return;
        }
        if (!st->has || d < st->min.d) st->min.d = d;
        if (!st->has || d > st->max.d) st->max.d = d;
        if (d == 0) {                /* -0 for the minimum, +0 for the maximum */
            if (st->min.d == 0) st->min.d = -0.0;
            if (st->max.d == 0) st->max.d = 0.0;
        }
        break;
    }
    case R_BYTES: {
        struct enc_span s = ((const struct enc_span *)vals)[i];
        if (!st->has || str_cmp(text, s, st->min.s) < 0) st->min.s = s;
        if (!st->has || str_cmp(text, s, st->max.s) > 0) st->max.s = s;
        break;
    }
    case R_FLBA: {
        const uint8_t *v = (const uint8_t *)vals, *p = v + i * l->width;
        if (!st->has || flba_cmp(p, v + st->min.at * l->width, l->width) < 0) st->min.at = i;
        if (!st->has || flba_cmp(p, v + st->max.at * l->width, l->width) > 0) st->max.at = i;
        break;
    }
    case R_U32:
    case R_U64: {
        uint64_t u = l->repr == R_U32 ? ((const uint32_t *)vals)[i] : ((const uint64_t *)vals)[i];
        if (!st->has || u < st->min.u) st->min.u = u;
        if (!st->has || u > st->max.u) st->max.u = u;
        break;
    }
    default: {
        int64_t v = l->repr == R_BOOL ? ((const uint8_t *)vals)[i] :
                    l->repr == R_I32 ? ((const int32_t *)vals)[i] : ((const int64_t *)vals)[i];
        if (!st->has || v < st->min.i) st->min.i = v;
        if (!st->has || v > st->max.i) st->max.i = v;
        break;
    }
    }
    st->has = 1;
}

/* The smallest and largest of the integers [v0, v1) (v0 < v1) of a
   representation, repr a constant. */
PQW_INLINE void int_range(const void *vals, size_t v0, size_t v1, int64_t *lo, int64_t *hi,
                          const int repr) {
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    for (size_t i = v0; i < v1; i++) {
        int64_t v = repr == R_BOOL ? ((const uint8_t *)vals)[i] :
                    repr == R_I32 ? ((const int32_t *)vals)[i] : ((const int64_t *)vals)[i];
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
    }
    *lo = mn;
    *hi = mx;
}

PQW_INLINE void uint_range(const void *vals, size_t v0, size_t v1, uint64_t *lo, uint64_t *hi,
                           const int repr) {
    uint64_t mn = UINT64_MAX, mx = 0;
    for (size_t i = v0; i < v1; i++) {
        uint64_t v = repr == R_U32 ? ((const uint32_t *)vals)[i] : ((const uint64_t *)vals)[i];
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
    }
    *lo = mn;
    *hi = mx;
}

/* The smallest and largest of the floating values [v0, v1) that are not
   NaN, and how many are; 0 when all are NaN.  No branch on the values: a
   NaN compares false, so it never replaces a bound.  Of equal values
   (-0 and +0) either may be kept: the caller makes zeros -0 and +0. */
PQW_INLINE size_t float_range(const void *vals, size_t v0, size_t v1, double *lo, double *hi,
                              const int repr) {
    double mn0 = INFINITY, mn1 = INFINITY, mx0 = -INFINITY, mx1 = -INFINITY;
    size_t nans0 = 0, nans1 = 0, i = v0;
    for (; i + 2 <= v1; i += 2) {
        double a = repr == R_F32 ? ((const float *)vals)[i] : ((const double *)vals)[i];
        double b = repr == R_F32 ? ((const float *)vals)[i + 1] : ((const double *)vals)[i + 1];
        nans0 += a != a;
        nans1 += b != b;
        mn0 = a < mn0 ? a : mn0;
        mx0 = a > mx0 ? a : mx0;
        mn1 = b < mn1 ? b : mn1;
        mx1 = b > mx1 ? b : mx1;
    }
    if (i < v1) {
        double a = repr == R_F32 ? ((const float *)vals)[i] : ((const double *)vals)[i];
        nans0 += a != a;
        mn0 = a < mn0 ? a : mn0;
        mx0 = a > mx0 ? a : mx0;
    }
    *lo = mn1 < mn0 ? mn1 : mn0;
    *hi = mx1 > mx0 ? mx1 : mx0;
    return nans0 + nans1;
}

/* Byte arrays ahead of the one being compared whose text is fetched into
   the cache: a column's values lie a row of the batch text apart. */
#define STATS_AHEAD 8

/* Fold values [v0, v1) into st: what stats_add gives one value at a time
   (min and max are the same values; for floating types a zero bound is
   -0 as a minimum and +0 as a maximum either way). */
static void stats_add_range(struct stats *st, const struct layout *l, const void *vals,
                            size_t v0, size_t v1, const uint8_t *text) {
    if (v0 >= v1)
        return;
    switch (l->repr) {
    case R_BOOL: case R_I32: case R_I64: {
        int64_t lo, hi;
        if (l->repr == R_I64)
            int_range(vals, v0, v1, &lo, &hi, R_I64);
        else if (l->repr == R_I32)
            int_range(vals, v0, v1, &lo, &hi, R_I32);
        else
            int_range(vals, v0, v1, &lo, &hi, R_BOOL);
        if (!st->has || lo < st->min.i) st->min.i = lo;
        if (!st->has || hi > st->max.i) st->max.i = hi;
        break;
    }
    case R_U32: case R_U64: {
        uint64_t lo, hi;
        if (l->repr == R_U64)
            uint_range(vals, v0, v1, &lo, &hi, R_U64);
        else
            uint_range(vals, v0, v1, &lo, &hi, R_U32);
        if (!st->has || lo < st->min.u) st->min.u = lo;
        if (!st->has || hi > st->max.u) st->max.u = hi;
        break;
    }
    case R_F32: case R_F64: {
        double lo, hi;
        size_t nans = l->repr == R_F64 ? float_range(vals, v0, v1, &lo, &hi, R_F64)
                                       : float_range(vals, v0, v1, &lo, &hi, R_F32);
        st->nans += (int64_t)nans;
        if (nans == v1 - v0)
            return;
        if (lo == 0)
            lo = -0.0;
        if (hi == 0)
            hi = 0.0;
        if (!st->has || lo < st->min.d) st->min.d = lo;
        if (!st->has || hi > st->max.d) st->max.d = hi;
        break;
    }
    case R_BYTES: {
        const struct enc_span *sv = vals;
        size_t i = v0;
        if (!st->has) {
            st->min.s = st->max.s = sv[i++];
        }
        struct enc_span mn = st->min.s, mx = st->max.s;
        for (; i < v1; i++) {
            if (i + STATS_AHEAD < v1)
                PQW_PREFETCH(text + sv[i + STATS_AHEAD].off);
            span_bounds(text, sv[i], &mn, &mx);
        }
        st->min.s = mn;
        st->max.s = mx;
        break;
    }
    default:
        for (size_t i = v0; i < v1; i++)
            stats_add(st, l, vals, i, text);
        return;
    }
    st->has = 1;
}

/* stats_add_range for byte arrays in a dictionary of n entries, values
   [v0, v1) with the entry numbers idx: each entry is compared once, as the
   first of its values in the range, so a repeated value's text is not
   read again.  first (n entries) is scratch. */
static void stats_add_dict_spans(struct stats *st, const struct enc_span *sv, const uint32_t *idx,
                                 size_t n, uint32_t *first, size_t v0, size_t v1,
                                 const uint8_t *text) {
    if (v0 >= v1)
        return;
    for (size_t k = 0; k < n; k++)
        first[k] = UINT32_MAX;
    for (size_t i = v1; i-- > v0;)   /* backwards: the first occurrence stays */
        first[idx[i]] = (uint32_t)i;
    if (!st->has)
        st->min.s = st->max.s = sv[v0];
    struct enc_span mn = st->min.s, mx = st->max.s;
    for (size_t k = 0; k < n; k++)
        if (first[k] != UINT32_MAX)
            span_bounds(text, sv[first[k]], &mn, &mx);
    st->min.s = mn;
    st->max.s = mx;
    st->has = 1;
}

/* Fold the statistics of a page into those of its column chunk. */
static void stats_merge(struct stats *into, const struct stats *from, const struct layout *l,
                        const void *vals, const uint8_t *text) {
    into->nulls += from->nulls;
    into->nans += from->nans;
    if (!from->has)
        return;
    if (!into->has) {
        into->min = from->min;
        into->max = from->max;
        into->has = 1;
        return;
    }
    switch (l->repr) {
    case R_F32:
    case R_F64:
        if (from->min.d < into->min.d)  /* zeros are already -0 and +0 */
            into->min.d = from->min.d;
        if (from->max.d > into->max.d)
            into->max.d = from->max.d;
        break;
    case R_BYTES:
        if (str_cmp(text, from->min.s, into->min.s) < 0) into->min.s = from->min.s;
        if (str_cmp(text, from->max.s, into->max.s) > 0) into->max.s = from->max.s;
        break;
    case R_FLBA: {
        const uint8_t *v = vals;
        size_t n = l->width;
        if (flba_cmp(v + from->min.at * n, v + into->min.at * n, n) < 0) into->min.at = from->min.at;
        if (flba_cmp(v + from->max.at * n, v + into->max.at * n, n) > 0) into->max.at = from->max.at;
        break;
    }
    case R_U32:
    case R_U64:
        if (from->min.u < into->min.u) into->min.u = from->min.u;
        if (from->max.u > into->max.u) into->max.u = from->max.u;
        break;
    default:
        if (from->min.i < into->min.i) into->min.i = from->min.i;
        if (from->max.i > into->max.i) into->max.i = from->max.i;
        break;
    }
}

/* The PLAIN bytes of the statistics bounds.  Byte arrays longer than
   STAT_MAX are cut to a prefix for the minimum and to a larger prefix-based
   value for the maximum (its last byte incremented: for strings the last
   ASCII byte, so the bound stays UTF-8; for binary any byte below 0xff). */
static void stats_bytes(const struct stats *st, const struct layout *l, const void *vals,
                        const uint8_t *text, struct stat_bytes *b) {
    b->exact_max = 1;
    switch (l->repr) {
    case R_BOOL:
        b->min[0] = (uint8_t)st->min.i;
        b->max[0] = (uint8_t)st->max.i;
        b->nmin = b->nmax = 1;
        break;
    case R_I32:
    case R_U32:                      /* i and u share their low 32 bits */
        enc_store_u32le(b->min, (uint32_t)st->min.u);
        enc_store_u32le(b->max, (uint32_t)st->max.u);
        b->nmin = b->nmax = 4;
        break;
    case R_F32: {
        float lo = (float)st->min.d, hi = (float)st->max.d;
        uint32_t ulo, uhi;
        memcpy(&ulo, &lo, 4);
        memcpy(&uhi, &hi, 4);
        enc_store_u32le(b->min, ulo);
        enc_store_u32le(b->max, uhi);
        b->nmin = b->nmax = 4;
        break;
    }
    case R_F64: {
        uint64_t lo, hi;
        memcpy(&lo, &st->min.d, 8);
        memcpy(&hi, &st->max.d, 8);
        enc_store_u64le(b->min, lo);
        enc_store_u64le(b->max, hi);
        b->nmin = b->nmax = 8;
        break;
    }
    case R_FLBA:
        memcpy(b->min, (const uint8_t *)vals + st->min.at * l->width, l->width);
        memcpy(b->max, (const uint8_t *)vals + st->max.at * l->width, l->width);
        b->nmin = b->nmax = l->width;
        break;
    case R_BYTES: {
        const uint8_t *mn = text + st->min.s.off, *mx = text + st->max.s.off;
        size_t nmn = st->min.s.len, nmx = st->max.s.len;
        if (nmn > STAT_MAX) {        /* strings: cut at a character boundary */
            nmn = STAT_MAX;
            while (l->utf8 && nmn && (mn[nmn] & 0xc0) == 0x80)
                nmn--;
        }
        memcpy(b->min, mn, nmn);
        b->nmin = nmn;
        if (nmx <= STAT_MAX) {
            memcpy(b->max, mx, nmx);
            b->nmax = nmx;
        } else {
            size_t k = STAT_MAX;
            while (k && mx[k - 1] >= (l->utf8 ? 0x7f : 0xff))
                k--;
            b->exact_max = 0;
            if (k) {
                memcpy(b->max, mx, k);
                b->max[k - 1]++;
                b->nmax = k;
            } else {
                b->nmax = SIZE_MAX;  /* no usable bound */
            }
        }
        break;
    }
    default:                         /* R_I64, R_U64 */
        enc_store_u64le(b->min, st->min.u);
        enc_store_u64le(b->max, st->max.u);
        b->nmin = b->nmax = 8;
        break;
    }
}

static void stats_to_pq(const struct stats *st, const struct layout *l, const void *vals,
                        const uint8_t *text, struct stat_bytes *b, struct pq_statistics *ps) {
    memset(ps, 0, sizeof *ps);
    ps->has_null_count = 1;
    ps->null_count = st->nulls;
    if (l->repr == R_F32 || l->repr == R_F64) {
        ps->has_nan_count = 1;
        ps->nan_count = st->nans;
    }
    if (!st->has)
        return;
    stats_bytes(st, l, vals, text, b);
    int bytes = l->repr == R_BYTES;
    ps->has_min_value = 1;
    ps->min_value.p = b->min;
    ps->min_value.n = b->nmin;
    ps->has_is_min_value_exact = bytes;
    ps->is_min_value_exact = bytes && b->nmin == st->min.s.len;
    if (b->nmax != SIZE_MAX) {
        ps->has_max_value = 1;
        ps->max_value.p = b->max;
        ps->max_value.n = b->nmax;
        ps->has_is_max_value_exact = bytes;
        ps->is_max_value_exact = b->exact_max;
    }
}

/* Put a parsed value into slot k of vals, in the layout's form. */
static void store_value(const struct layout *l, int type, const union ty_value *v, void *vals,
                        size_t k) {
    switch (l->repr) {
    case R_BOOL: ((uint8_t *)vals)[k] = (uint8_t)v->i; break;
    case R_I32:
        ((int32_t *)vals)[k] = (int32_t)(type == TY_DECIMAL ? (int64_t)v->dec.lo : v->i);
        break;
    case R_U32: ((uint32_t *)vals)[k] = (uint32_t)v->u; break;
    case R_F32: ((float *)vals)[k] = (float)v->d; break;
    case R_I64: ((int64_t *)vals)[k] = type == TY_DECIMAL ? (int64_t)v->dec.lo : v->i; break;
    case R_U64: ((uint64_t *)vals)[k] = v->u; break;
    case R_F64: ((double *)vals)[k] = v->d; break;
    case R_FLBA: {
        uint8_t *o = (uint8_t *)vals + k * l->width;
        for (size_t j = 0; j < l->width; j++) {
            size_t shift = 8 * (l->width - 1 - j);   /* byte j, most significant first */
            o[j] = shift >= 64 ? (uint8_t)((uint64_t)v->dec.hi >> (shift - 64))
                               : (uint8_t)(v->dec.lo >> shift);
        }
        break;
    }
    default: break;
    }
}

/* How convert_rows reads a column's values: the inferred types through
   their own parsers (when no format changes how they read), byte arrays as
   spans of the batch text, anything else through ty_parse_value. */
enum conv {
    C_BOOL, C_INT64, C_DOUBLE, C_DATE, C_TIMESTAMP, C_TIMESTAMP_UTC, C_STRING, C_BINARY, C_OTHER
};

/* Rows ahead of the one being converted whose field text is fetched into
   the cache (their field ends twice as far ahead): a column's fields lie a
   row of the batch apart, and each is found through its field end. */
#define CONVERT_AHEAD 8

/* A value the column's own parser refused, or one of a type without one:
   ty_parse_value decides, as an explicit type may accept more.  1 when it
   fits, with the value in slot k of vals. */
static int convert_other(const struct pqw_writer *w, size_t c, const struct layout *l,
                         const char *s, size_t n, void *vals, size_t k) {
    const struct ty_spec *sp = &w->cols[c].spec;
    union ty_value v;
    if (!ty_parse_value(sp, &w->opt.format, s, n, &v))
        return 0;
    store_value(l, sp->type, &v, vals, k);
    return 1;
}

static int type_error(const struct pqw_writer *w, const struct csv_batch *b, size_t r, size_t c,
                      const char *s, size_t n, struct pqw_where *where) {
    char name[48];
    ty_spec_format(&w->cols[c].spec, name, sizeof name);
    return set_where(where, ERR_TYPE, b->line[r], (int64_t)c + 1,
                     "column \"%s\" is %s, but this value is \"%.*s\"%s",
                     w->cols[c].name, name, n > 40 ? 40 : (int)n, s, n > 40 ? "..." : "");
}

/* Convert the field of row r that spans text[start, end & ~CSV_NULL_BIT)
   (end carrying the NULL bit; text is b->text, held apart so that the
   parser calls do not make it read again): its level into defs[r], its
   value, when it has one, into slot *k of vals.  The batch's text ends at
   text_end: the parsers may read ahead of the field up to there. */
PQW_INLINE int convert_field(struct pqw_writer *w, const struct csv_batch *b, size_t c,
                             const struct layout *l, size_t r, const uint8_t *text,
                             uint32_t start, uint32_t end, uint32_t text_end, uint8_t *defs,
                             void *vals, size_t *k, struct pqw_where *where, const int conv) {
    defs[r] = (uint8_t)!(end & CSV_NULL_BIT);
    if (end & CSV_NULL_BIT)
        return ERR_OK;
    const char *s = (const char *)text + start;
    size_t n = end - start, readable = text_end - start;
    int ok;
    switch (conv) {
    case C_BOOL: {
        int v = 0;
        ok = ty_parse_bool(s, n, &v);
        ((uint8_t *)vals)[*k] = (uint8_t)v;
        break;
    }
    case C_INT64:
        ok = ty_parse_int64_in(s, n, readable, (int64_t *)vals + *k);
        break;
    case C_DOUBLE:
        ok = ty_parse_double_in(s, n, readable, (double *)vals + *k);
        break;
    case C_DATE:
        ok = ty_parse_date(s, n, (int32_t *)vals + *k);
        break;
    case C_TIMESTAMP:
    case C_TIMESTAMP_UTC: {
        int utc = 0;
        ok = ty_parse_timestamp(s, n, (int64_t *)vals + *k, &utc) &&
             utc == (conv == C_TIMESTAMP_UTC);
        break;
    }
    case C_STRING:
    case C_BINARY: {
        if (conv == C_STRING && !ty_utf8_valid((const unsigned char *)s, n))
            return set_where(where, ERR_TYPE, b->line[r], (int64_t)c + 1,
                             "invalid UTF-8 in column \"%s\"", w->cols[c].name);
        struct enc_span *ref = (struct enc_span *)vals + *k;
        ref->off = start;
        ref->len = (uint32_t)n;
        ok = 1;
        break;
    }
    default:
        ok = 0;
        break;
    }
    if (!ok && !convert_other(w, c, l, s, n, vals, *k))
        return type_error(w, b, r, c, s, n, where);
    ++*k;
    return ERR_OK;
}

/* convert_column's loop, with conv a constant in each copy.  The field of
   row r ends at e[r * ncols] and starts where the field before it ends:
   e[r * ncols - 1], or the batch's first offset.  Row 0 goes first, then
   the rows far enough from the end to fetch ahead without a test, then the
   rest. */
PQW_INLINE int convert_rows(struct pqw_writer *w, struct encoder *x, const struct csv_batch *b,
                            size_t c, const struct layout *l, size_t *nvals,
                            struct pqw_where *where, const int conv) {
    const size_t ncols = b->ncols, src = w->cols[c].source, nrows = b->nrows;
    const size_t fend_ahead = 2 * CONVERT_AHEAD * ncols, text_ahead = CONVERT_AHEAD * ncols - 1;
    const size_t fetching = nrows > 2 * CONVERT_AHEAD ? nrows - 2 * CONVERT_AHEAD : 1;
    const uint32_t *e = b->fend + src;
    uint8_t *defs = x->defs;
    void *vals = x->vals;
    size_t k = 0, r = 1;
    *nvals = 0;
    if (nrows == 0)
        return ERR_OK;
    const uint8_t *text = b->text;
    const uint32_t text_end = b->fend[nrows * ncols - 1] & ~CSV_NULL_BIT;
    FORWARD_IF_ERROR(convert_field(w, b, c, l, 0, text, src ? e[-1] & ~CSV_NULL_BIT : b->first,
                                   e[0], text_end, defs, vals, &k, where, conv));
    for (e += ncols; r < fetching; r++, e += ncols) {
        PQW_PREFETCH(e + fend_ahead);
        PQW_PREFETCH(text + (e[text_ahead] & ~CSV_NULL_BIT));
        FORWARD_IF_ERROR(convert_field(w, b, c, l, r, text, e[-1] & ~CSV_NULL_BIT, e[0],
                                       text_end, defs, vals, &k, where, conv));
    }
    for (; r < nrows; r++, e += ncols)
        FORWARD_IF_ERROR(convert_field(w, b, c, l, r, text, e[-1] & ~CSV_NULL_BIT, e[0],
                                       text_end, defs, vals, &k, where, conv));
    *nvals = k;
    return ERR_OK;
}

/* Convert column c of the batch to typed values: w->defs gets one level per
   row, w->vals the non-null values; *nvals their count.  The inferred
   types go through their own parsers first when no format changes how they
   read; ty_parse_value decides everything else (and whatever those
   parsers refuse, as an explicit type may accept more). */
static int convert_column(struct pqw_writer *w, struct encoder *x, const struct csv_batch *b, size_t c,
                          size_t *nvals, struct pqw_where *where) {
    const struct ty_spec *sp = &w->cols[c].spec;
    const struct ty_format *f = &w->opt.format;
    const struct layout l = layout_of(sp);
    if (reserve(w->pool, (void **)&x->defs, &x->defs_cap, b->nrows) ||
        reserve(w->pool, &x->vals, &x->vals_cap, b->nrows * l.width))
        return set_where(where, ERR_NOMEM, 0, (int64_t)c + 1,
                         "column \"%s\": a row group of %zu rows does not fit the memory budget",
                         w->cols[c].name, b->nrows);
    int conv = C_OTHER;
    int us = sp->unit == TY_UNIT_US && !f->date_format && !f->timestamp_format;
    switch (sp->type) {
    case TY_BOOLEAN: conv = C_BOOL; break;
    case TY_INT64: conv = C_INT64; break;
    case TY_DOUBLE: conv = f->decimal_comma ? C_OTHER : C_DOUBLE; break;
    case TY_DATE: conv = f->date_format ? C_OTHER : C_DATE; break;
    case TY_TIMESTAMP: conv = us ? C_TIMESTAMP : C_OTHER; break;
    case TY_TIMESTAMP_UTC: conv = us ? C_TIMESTAMP_UTC : C_OTHER; break;
    default:
        if (l.repr == R_BYTES)
            conv = l.utf8 ? C_STRING : C_BINARY;
        break;
    }
    switch (conv) {
    case C_BOOL: return convert_rows(w, x, b, c, &l, nvals, where, C_BOOL);
    case C_INT64: return convert_rows(w, x, b, c, &l, nvals, where, C_INT64);
    case C_DOUBLE: return convert_rows(w, x, b, c, &l, nvals, where, C_DOUBLE);
    case C_DATE: return convert_rows(w, x, b, c, &l, nvals, where, C_DATE);
    case C_TIMESTAMP: return convert_rows(w, x, b, c, &l, nvals, where, C_TIMESTAMP);
    case C_TIMESTAMP_UTC: return convert_rows(w, x, b, c, &l, nvals, where, C_TIMESTAMP_UTC);
    case C_STRING: return convert_rows(w, x, b, c, &l, nvals, where, C_STRING);
    case C_BINARY: return convert_rows(w, x, b, c, &l, nvals, where, C_BINARY);
    default: return convert_rows(w, x, b, c, &l, nvals, where, C_OTHER);
    }
}

/* PLAIN bytes of values [v0, v1). */
static size_t plain_size(const struct encoder *x, const struct layout *l, size_t v0, size_t v1) {
    switch (l->repr) {
    case R_BOOL: return (v1 - v0 + 7) / 8;
    case R_BYTES: {
        size_t n = 0;
        const struct enc_span *s = x->vals;
        for (size_t i = v0; i < v1; i++)
            n += 4 + s[i].len;
        return n;
    }
    default: return (v1 - v0) * l->width;
    }
}

static size_t plain_encode(const struct encoder *x, const struct layout *l, const uint8_t *text,
                           size_t v0, size_t v1, uint8_t *out) {
    uint8_t *o = out;
    const uint8_t *v = x->vals;
    switch (l->repr) {
    case R_BOOL:
        enc_plain_bool_encode(v + v0, v1 - v0, o);
        return (v1 - v0 + 7) / 8;
    case R_BYTES:
        for (size_t i = v0; i < v1; i++) {
            struct enc_span s = ((const struct enc_span *)x->vals)[i];
            enc_store_u32le(o, s.len);
            memcpy(o + 4, text + s.off, s.len);
            o += 4 + s.len;
        }
        break;
    case R_FLBA:                     /* already in file order */
        memcpy(o, v + v0 * l->width, (v1 - v0) * l->width);
        o += (v1 - v0) * l->width;
        break;
    default:
        if (l->width == 4) {
            for (size_t i = v0; i < v1; i++, o += 4) {
                uint32_t u;
                memcpy(&u, v + i * 4, 4);
                enc_store_u32le(o, u);
            }
        } else {
            for (size_t i = v0; i < v1; i++, o += 8) {
                uint64_t u;
                memcpy(&u, v + i * 8, 8);
                enc_store_u64le(o, u);
            }
        }
        break;
    }
    return (size_t)(o - out);
}

/* Compress a page body and write header + body.  h has its type-specific
   part filled in. */
static int put_page(struct pqw_writer *w, struct encoder *x, struct pq_page_header *h, const uint8_t *body,
                    size_t n, size_t *uncompressed, size_t *compressed) {
    size_t bound = codec_bound(w->opt.codec, n);
    FORWARD_IF_ERROR(reserve(w->pool, (void **)&x->comp, &x->comp_cap, bound));
    size_t clen;
    FORWARD_IF_ERROR(codec_compress(x->codec, body, n, x->comp, x->comp_cap, &clen));
    if (n > INT32_MAX || clen > INT32_MAX)
        return ERR_TOOBIG;
    h->uncompressed_page_size = (int32_t)n;
    h->compressed_page_size = (int32_t)clen;
    x->header.len = 0;
    pqm_encode_page_header(&x->header, h);
    FORWARD_IF_ERROR(tc_writer_error(&x->header));
    FORWARD_IF_ERROR(sink(w, x, x->header.buf, x->header.len));
    FORWARD_IF_ERROR(sink(w, x, x->comp, clen));
    *uncompressed += x->header.len + n;
    *compressed += x->header.len + clen;
    return ERR_OK;
}

/* What the dictionary attempt saw: the values scanned before it stopped
   (all of them, or up to the one that would pass a limit), the distinct
   ones among them, and its cost in bytes before compression (the PLAIN
   dictionary page and the bit-packed indices; 0 when it stopped). */
struct dict_scan { size_t scanned, distinct, cost; };

/* A column whose dictionary attempt in the last row group stopped at the
   limits with nearly every value distinct (identifiers, timestamps,
   full-precision measurements) is tried on the first DICT_PROBE values
   only: if those are as distinct (9 in 10 or more), this chunk's attempt
   stops there too, which saves most of the hashing; if they repeat, the
   attempt goes on over the rest as usual.  A chunk whose values are 9 in
   10 distinct and yet fit the limits would gain little from a dictionary
   (its PLAIN values are nearly all there again, plus the indices).  The
   flags of w->probe[c]: PROBE_LAST from the last row group (what the
   attempts read, the same for a chunk encoded again), PROBE_THIS from
   this one (pqw_begin_row_group moves it to PROBE_LAST). */
#define DICT_PROBE 4096
enum { PROBE_LAST = 1, PROBE_THIS = 2 };

static int mostly_distinct(const struct dict_scan *s) {
    return s->scanned > 0 && s->distinct * 10 >= s->scanned * 9;
}

/* Try dictionary encoding of the chunk's values: x->idx receives an index
   per value and *s what was seen; the dictionary is x->dict (reused from
   chunk to chunk).  With probe, the first DICT_PROBE values decide whether
   the attempt goes on (above).  ERR_NOMEM when the pool cannot hold it
   within the limits. */
static int build_dictionary(struct pqw_writer *w, struct encoder *x, const struct layout *l,
                            const uint8_t *text, size_t nvals, int probe, struct dict_scan *s) {
    memset(s, 0, sizeof *s);
    if (l->repr == R_BOOL || nvals == 0 || w->opt.dict_limit == 0)
        return ERR_OK;
    /* fixed widths 4, 8 or a decimal's FIXED_LEN_BYTE_ARRAY length (9..16) */
    int kind = l->repr == R_BYTES ? ENC_DICT_BYTES : (int)l->width;
    if (x->dict && x->dict_kind != kind) {
        enc_dict_free(x->dict);
        x->dict = NULL;
    }
    if (!x->dict && !(x->dict = enc_dict_create(w->pool, kind, 1024)))
        return ERR_NOMEM;
    x->dict_kind = kind;
    struct enc_dict *d = x->dict;
    enc_dict_reset(d);
    FORWARD_IF_ERROR(reserve(w->pool, (void **)&x->idx, &x->idx_cap, nvals * sizeof *x->idx));
    /* The limits are checked before each value goes in, so the
       dictionary's memory stays bounded and the choice depends on the
       data alone, never on how much memory happens to be free. */
    size_t done = 0, from = 0, n = probe && nvals > DICT_PROBE ? DICT_PROBE : nvals;
    for (;;) {
        size_t k;
        if (l->repr == R_BYTES)
            FORWARD_IF_ERROR(enc_dict_insert_spans(d, text, (const struct enc_span *)x->vals + from,
                                                   n - from, w->opt.dict_limit,
                                                   w->opt.dict_entries, x->idx + from, &k));
        else
            FORWARD_IF_ERROR(enc_dict_insert_fixed(d, (const uint8_t *)x->vals + from * l->width,
                                                   n - from, w->opt.dict_limit,
                                                   w->opt.dict_entries, x->idx + from, &k));
        done += k;
        if (done < n || n == nvals)
            break;
        struct dict_scan seen = { done, enc_dict_count(d), 0 };
        if (mostly_distinct(&seen))
            break;                   /* the probe: as distinct as the last chunk */
        from = n;
        n = nvals;
    }
    if (done < nvals) {
        s->scanned = done;
        s->distinct = enc_dict_count(d);
        return ERR_OK;
    }
    size_t bw = (size_t)enc_bit_width(enc_dict_count(d) - 1);
    s->scanned = nvals;
    s->distinct = enc_dict_count(d);
    s->cost = enc_dict_plain_size(d) + (nvals * bw + 7) / 8;
    return ERR_OK;
}

/* Bytes of the chunk's values in DELTA_BINARY_PACKED (INT32 and INT64). */
static size_t delta_size(const struct encoder *x, const struct layout *l, size_t nvals) {
    enum { BLOCK = 1024 };
    size_t size = 0;
    for (size_t i = 0; i < nvals; i += BLOCK) {
        size_t k = nvals - i < BLOCK ? nvals - i : BLOCK;
        size += l->width == 4 ? enc_delta_binary_size32((const int32_t *)x->vals + i, k)
                              : enc_delta_binary_size((const int64_t *)x->vals + i, k);
    }
    return size;
}

/* The share of a page's values that repeat an earlier value of the page,
   extrapolated from the dictionary attempt: drawn from a set much larger
   than the page, repeats grow in proportion to the values seen. */
static double page_repeats(const struct dict_scan *s, size_t page_values) {
    if (s->scanned == 0)
        return 1.0;
    double r = (double)(s->scanned - s->distinct) / (double)s->scanned;
    if (page_values > s->scanned)
        r *= (double)page_values / (double)s->scanned;
    return r;
}

/* About the size zstd makes of PLAIN integers that rarely repeat: the
   order-0 entropy of their bytes (its literals are Huffman-coded one byte at
   a time), counted on every 4th value; a repeated value costs about 3
   bytes as a match. */
static double plain_estimate(const struct encoder *x, const struct layout *l, size_t nvals,
                             double repeats) {
    uint32_t hist[256] = {0};
    size_t bytes = 0;
    const uint8_t *v = x->vals;
    for (size_t i = 0; i < nvals; i += 4, bytes += l->width)
        for (size_t k = 0; k < l->width; k++)
            hist[v[i * l->width + k]]++;
    double bits = 0;
    for (int c = 0; c < 256; c++)
        if (hist[c])
            bits -= hist[c] * log2((double)hist[c] / (double)bytes);
    double per_value = bits / 8 / (double)(bytes / l->width);
    if (repeats > 1)
        repeats = 1;
    return (double)nvals * ((1 - repeats) * per_value + repeats * 3);
}

/* How a column chunk's values are encoded. */
enum venc { V_PLAIN, V_DICT, V_DELTA, V_BSS, V_DBA };

static const int venc_pq[] = {
    PQ_ENC_PLAIN, PQ_ENC_RLE_DICTIONARY, PQ_ENC_DELTA_BINARY_PACKED,
    PQ_ENC_BYTE_STREAM_SPLIT, PQ_ENC_DELTA_BYTE_ARRAY
};

/* Bytes of the values [v0, v1) encoded as ve, at most. */
static size_t values_bound(const struct encoder *x, const struct layout *l, int ve, int bw,
                           size_t v0, size_t v1) {
    size_t n = v1 - v0;
    switch (ve) {
    case V_DICT: return 1 + enc_rle_bound(n, bw);
    case V_DELTA: return enc_delta_binary_bound_width(n, l->width == 4 ? 32 : 64);
    case V_DBA:                      /* prefix lengths all 0, then 32-bit lengths */
        return enc_delta_binary_bound_width(n, 0) + enc_delta_binary_bound_width(n, 32) +
               plain_size(x, l, v0, v1);
    default: return plain_size(x, l, v0, v1);
    }
}

/* Encode the values [v0, v1) as ve into out (values_bound bytes); returns
   the bytes written.  V_DBA uses x->idx[v0..v1) as scratch. */
static size_t encode_values(struct encoder *x, const struct layout *l, int ve, int bw,
                            const uint8_t *text, size_t v0, size_t v1, uint8_t *out) {
    size_t n = v1 - v0;
    uint8_t *o = out;
    switch (ve) {
    case V_DICT:
        *o = (uint8_t)bw;
        return 1 + enc_rle_encode(x->idx + v0, n, bw, o + 1);
    case V_DELTA:
        return l->width == 4 ? enc_delta_binary_encode32((const int32_t *)x->vals + v0, n, o)
                             : enc_delta_binary_encode((const int64_t *)x->vals + v0, n, o);
    case V_BSS: {
        if (l->width == 4) {
            const uint8_t *v = (const uint8_t *)x->vals + v0 * 4;
            for (size_t i = 0; i < n; i++) {
                uint32_t u;
                memcpy(&u, v + i * 4, 4);
                o[i] = (uint8_t)u;
                o[n + i] = (uint8_t)(u >> 8);
                o[2 * n + i] = (uint8_t)(u >> 16);
                o[3 * n + i] = (uint8_t)(u >> 24);
            }
        } else {
            const uint8_t *v = (const uint8_t *)x->vals + v0 * 8;
            for (size_t i = 0; i < n; i++) {
                uint64_t u;
                memcpy(&u, v + i * 8, 8);
                for (size_t k = 0; k < 8; k++)
                    o[k * n + i] = (uint8_t)(u >> (8 * k));
            }
        }
        return n * l->width;
    }
    case V_DBA: {
        /* prefix lengths, all 0 (the text stays whole for the codec to
           find its repeats), then the suffix lengths and the suffixes */
        if (n == 0) {                /* a page of NULLs: no value buffers */
            o += enc_delta_binary_encode32(NULL, 0, o);
            o += enc_delta_binary_encode32(NULL, 0, o);
            return (size_t)(o - out);
        }
        const struct enc_span *s = (const struct enc_span *)x->vals + v0;
        int32_t *len = (int32_t *)(x->idx + v0);
        memset(len, 0, n * sizeof *len);
        o += enc_delta_binary_encode32(len, n, o);
        for (size_t i = 0; i < n; i++)
            len[i] = (int32_t)s[i].len;
        o += enc_delta_binary_encode32(len, n, o);
        for (size_t i = 0; i < n; i++) {
            memcpy(o, text + s[i].off, s[i].len);
            o += s[i].len;
        }
        return (size_t)(o - out);
    }
    default:
        return plain_encode(x, l, text, v0, v1, out);
    }
}

/* The rows [r, *r1) and values [v, *v1) of the page that starts at row r
   (value v): rows are added until the values' bytes reach page_size or
   the page has PAGE_ROWS rows.  A value counts 1 byte as a dictionary
   index; a byte array its length plus 4 (PLAIN) or 1 (DELTA_BYTE_ARRAY);
   a boolean 8, as it always has; anything else its width.  nulls: the
   chunk has NULLs (without, a fixed cost per row gives the end at once). */
static void cut_page(const struct encoder *x, const struct layout *l, int ve, size_t nrows,
                     size_t page_size, int nulls, size_t r, size_t v, size_t *r1, size_t *v1) {
    const uint8_t *defs = x->defs;
    size_t lim = nrows - r < PAGE_ROWS ? nrows : r + PAGE_ROWS, bytes = 0, i = r, k = v;
    if (ve == V_DICT || l->repr != R_BYTES) {
        size_t cost = ve == V_DICT ? 1 : l->repr == R_BOOL ? 8 : l->width;
        if (!nulls) {                /* the rows whose bytes first reach page_size */
            size_t rows = page_size / cost + (page_size % cost != 0);
            i = lim - r < rows ? lim : r + rows;
            k = v + (i - r);
        } else {
            /* eight levels at a time while the page cannot fill within them */
            for (; lim - i >= 8 && bytes + 7 * cost < page_size; i += 8) {
                uint64_t d;
                memcpy(&d, defs + i, 8);
                size_t n = (size_t)((d * 0x0101010101010101u) >> 56);
                bytes += n * cost;
                k += n;
            }
            for (; i < lim && bytes < page_size; i++) {
                bytes += defs[i] * cost;
                k += defs[i];
            }
        }
    } else {
        const struct enc_span *sv = x->vals;
        size_t extra = ve == V_PLAIN ? 4 : 1;
        for (; i < lim && bytes < page_size; i++)
            if (defs[i])
                bytes += extra + sv[k++].len;
    }
    *r1 = i;
    *v1 = k;
}

/* How order_dictionary() compares two dictionary entries. */
struct rank_order {
    const struct enc_dict *dict;
    const struct layout *l;
    const uint32_t *count;           /* occurrences per entry, or NULL */
};

/* A fixed-width value's key in the order of its type. */
static uint64_t sort_key(const struct layout *l, const uint8_t *v) {
    if (l->width == 4) {
        uint32_t x;
        memcpy(&x, v, 4);
        switch (l->repr) {
        case R_I32: return x ^ 0x80000000u;
        case R_F32: return x & 0x80000000u ? ~x & 0xffffffffu : x | 0x80000000u;
        default: return x;
        }
    }
    uint64_t u;
    memcpy(&u, v, 8);
    switch (l->repr) {
    case R_I64: return u ^ 0x8000000000000000ull;
    case R_F64: return u & 0x8000000000000000ull ? ~u : u | 0x8000000000000000ull;
    default: return u;
    }
}

/* Whether entry a goes before entry b (byte arrays and decimals): with
   counts, the more frequent power of two first; then by value, byte by
   byte; then by first appearance. */
static int rank_before(const struct rank_order *o, uint32_t a, uint32_t b) {
    if (o->count) {
        int ca = enc_bit_width(o->count[a]), cb = enc_bit_width(o->count[b]);
        if (ca != cb)
            return ca > cb;
    }
    size_t na, nb;
    const uint8_t *va = enc_dict_value(o->dict, a, &na), *vb = enc_dict_value(o->dict, b, &nb);
    int c = memcmp(va, vb, na < nb ? na : nb);
    if (c || na != nb)
        return c ? c < 0 : na < nb;
    return a < b;
}

/* Merge sort of v[0..n) by rank_before, tmp holding n entries. */
static void rank_sort(const struct rank_order *o, uint32_t *v, uint32_t *tmp, size_t n) {
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = rank_before(o, v[j], v[i]) ? v[j++] : v[i++];
            while (i < mid)
                tmp[k++] = v[i++];
            while (j < hi)
                tmp[k++] = v[j++];
        }
        memcpy(v, tmp, n * sizeof *v);
    }
}

/* Sort v[0..n) by key[v[i]], tmp holding n entries: numbers in their
   type's order.  A radix sort, a byte of the key at a time from the
   lowest, each pass stable, so that after the last the keys ascend;
   sort_key is one to one, so no two keys are equal and the order is the
   one any sort gives.  One pass counts every byte position at once, and a
   byte every key shares (the high bytes of integers, mostly) is skipped. */
static void key_sort(const uint64_t *key, uint32_t *v, uint32_t *tmp, size_t n) {
    uint32_t count[8][256];
    if (n < 2)
        return;
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key[v[i]];
        for (int b = 0; b < 8; b++)
            count[b][k >> 8 * b & 0xff]++;
    }
    uint32_t *from = v, *to = tmp;
    for (int b = 0; b < 8; b++) {
        uint32_t *c = count[b];
        if (c[key[from[0]] >> 8 * b & 0xff] == n)
            continue;
        uint32_t at = 0;             /* each byte value's first place */
        for (int d = 0; d < 256; d++) {
            uint32_t k = c[d];
            c[d] = at;
            at += k;
        }
        for (size_t i = 0; i < n; i++)
            to[c[key[from[i]] >> 8 * b & 0xff]++] = from[i];
        uint32_t *t = from;
        from = to;
        to = t;
    }
    if (from != v)
        memcpy(v, from, n * sizeof *v);
}

/* Put the dictionary in the order its page compresses best in, and
   renumber the indices to match: numbers sorted, so that neighbours share
   their leading bytes; byte arrays sorted within classes of frequency
   (powers of two, the most frequent first), which keeps the indices of
   frequent values small.  x->rank receives, for each new index, the
   insertion index of its value.  ERR_NOMEM when the pool cannot hold 20
   bytes per entry. */
static int order_dictionary(struct pqw_writer *w, struct encoder *x, const struct layout *l,
                            size_t nvals) {
    size_t n = enc_dict_count(x->dict);
    FORWARD_IF_ERROR(reserve(w->pool, (void **)&x->rank, &x->rank_cap, n * 20));
    uint64_t *key = (uint64_t *)x->rank;
    uint32_t *perm = (uint32_t *)(key + n), *tmp = perm + n, *count = tmp + n;
    int numbers = l->repr != R_BYTES && l->repr != R_FLBA;
    if (numbers) {
        const uint8_t *v = enc_dict_fixed_values(x->dict);
        for (size_t k = 0; k < n; k++)
            key[k] = sort_key(l, v + k * l->width);
    }
    if (l->repr == R_BYTES) {        /* occurrences, for the frequency classes */
        memset(count, 0, n * sizeof *count);
        for (size_t i = 0; i < nvals; i++)
            count[x->idx[i]]++;
    }
    for (size_t k = 0; k < n; k++)
        perm[k] = (uint32_t)k;
    if (numbers) {
        key_sort(key, perm, tmp, n);
    } else {
        struct rank_order o = { x->dict, l, l->repr == R_BYTES ? count : NULL };
        rank_sort(&o, perm, tmp, n);
    }
    for (size_t r = 0; r < n; r++)
        count[perm[r]] = (uint32_t)r;
    for (size_t i = 0; i < nvals; i++)
        x->idx[i] = count[x->idx[i]];
    memmove(x->rank, perm, n * sizeof *perm);      /* write_dictionary's order */
    return ERR_OK;
}

/* The dictionary page: the PLAIN values in the order of x->rank. */
static void write_dictionary(const struct encoder *x, int bytes, uint8_t *out) {
    size_t n = enc_dict_count(x->dict);
    for (size_t r = 0; r < n; r++) {
        size_t len;
        const uint8_t *v = enc_dict_value(x->dict, x->rank[r], &len);
        if (bytes) {
            enc_store_u32le(out, (uint32_t)len);
            out += 4;
        }
        memcpy(out, v, len);
        out += len;
    }
}

/* The encoding of a column chunk's values, from what the dictionary
   attempt saw and the values themselves:
   - the dictionary when it holds every value and costs less than PLAIN
     (and than DELTA_BINARY_PACKED for integers);
   - integers: DELTA_BINARY_PACKED when its deltas are narrower than the
     type and, against PLAIN, unless PLAIN is likely to compress to a tenth
     less (repeated values far apart): zstd finds repeated deltas in its
     pages too, and takes about half the time over them (half the bytes or
     fewer, small tables, no search for 8-byte repeats); against a
     dictionary that did not cost less than the deltas, when the deltas
     are smaller than PLAIN is likely to compress to (the dictionary's
     indices compress as well);
   - FLOAT and DOUBLE: BYTE_STREAM_SPLIT when a page's values rarely repeat
     (full-precision measurements: the sign, exponent and leading mantissa
     bytes, each in a stream of their own, compress well), PLAIN when they
     do (zstd finds the repeated 8 bytes as matches) or without
     opt.byte_stream_split;
   - byte arrays: DELTA_BYTE_ARRAY with no shared prefixes, which is
     DELTA_LENGTH_BYTE_ARRAY in the form more readers know (Spark's
     vectorized reader before 3.4 and Arrow before 9 read only this one):
     the lengths apart, the text uninterrupted. */
static int choose_encoding(const struct pqw_writer *w, const struct encoder *x,
                           const struct layout *l, size_t nvals, const struct dict_scan *ds) {
    size_t plain = plain_size(x, l, 0, nvals);
    int dict = ds->cost && ds->cost < plain;
    switch (l->repr) {
    case R_I32: case R_U32: case R_I64: case R_U64: {
        if (nvals < 256)
            return dict ? V_DICT : V_PLAIN;
        size_t delta = delta_size(x, l, nvals);
        if (dict && ds->cost <= delta)
            return V_DICT;
        if (delta * 2 < plain)
            return V_DELTA;
        size_t page = w->opt.page_size / l->width;
        double est = plain_estimate(x, l, nvals, page_repeats(ds, page < nvals ? page : nvals));
        if ((double)delta < est * (dict ? 0.95 : 1.1) && delta < plain)
            return V_DELTA;
        return dict ? V_DICT : V_PLAIN;
    }
    case R_F32: case R_F64: {
        if (dict || !w->opt.byte_stream_split)
            return dict ? V_DICT : V_PLAIN;
        size_t page = w->opt.page_size / l->width;
        return page_repeats(ds, page < nvals ? page : nvals) < 0.035 ? V_BSS : V_PLAIN;
    }
    case R_BYTES:
        return dict ? V_DICT : V_DBA;
    default:
        return dict ? V_DICT : V_PLAIN;
    }
}

/* What the chunk's data pages hold, for the compressor (codec_set_data):
   byte arrays outside a dictionary are identifiers when the dictionary
   attempt saw no value twice and all have one length. */
static int page_data(const struct encoder *x, const struct layout *l, int ve, size_t nvals,
                     const struct dict_scan *ds) {
    if (l->repr != R_BYTES)
        return ve == V_DELTA ? CODEC_DATA_PACKED
             : ve == V_PLAIN && l->width == 8 ? CODEC_DATA_VALUES8 : CODEC_DATA_ANY;
    if (ve == V_DICT)
        return CODEC_DATA_ANY;
    if (ds->scanned == 0 || ds->distinct < ds->scanned)
        return CODEC_DATA_TEXT;
    const struct enc_span *s = x->vals;
    for (size_t i = 1; i < nvals; i++)
        if (s[i].len != s[0].len)
            return CODEC_DATA_TEXT;
    return CODEC_DATA_IDS;
}

/* Write column c of the batch as a column chunk and fill w->cc[c]. */
static int encode_chunk(struct pqw_writer *w, struct encoder *x, const struct csv_batch *b, size_t c,
                        struct pqw_where *where) {
    const struct layout l = layout_of(&w->cols[c].spec);
    struct stats cst = {0};
    size_t nvals = 0;
    FORWARD_IF_ERROR(convert_column(w, x, b, c, &nvals, where));

    struct dict_scan ds;
    int de = build_dictionary(w, x, &l, b->text, nvals, w->probe[c] & PROBE_LAST, &ds);
    if (de)
        return set_where(where, de, 0, (int64_t)c + 1,
                         "column \"%s\": the dictionary of a row group of %zu rows does not fit the memory budget",
                         w->cols[c].name, b->nrows);
    if (ds.scanned < nvals && mostly_distinct(&ds))
        w->probe[c] |= PROBE_THIS;
    int ve = choose_encoding(w, x, &l, nvals, &ds);
    struct enc_dict *dict = ve == V_DICT ? x->dict : NULL;
    int bw = dict ? enc_bit_width(enc_dict_count(dict) - 1) : 0;
    if (dict && order_dictionary(w, x, &l, nvals))
        return set_where(where, ERR_NOMEM, 0, (int64_t)c + 1,
                         "column \"%s\": the dictionary of a row group of %zu rows does not fit the memory budget",
                         w->cols[c].name, b->nrows);
    if (ve == V_DBA &&
        reserve(w->pool, (void **)&x->idx, &x->idx_cap, nvals * sizeof *x->idx))
        return set_where(where, ERR_NOMEM, 0, (int64_t)c + 1,
                         "column \"%s\": a row group of %zu rows does not fit the memory budget",
                         w->cols[c].name, b->nrows);
    size_t unc = 0, cmp = 0, npages = 0;
    int e = ERR_OK;
    struct pq_column_chunk *cc = &w->cc[c];
    memset(cc, 0, sizeof *cc);
    struct pq_column_meta *m = &cc->meta_data;
    cc->file_offset = position(w, x);

    codec_set_data(x->codec, l.repr == R_BYTES ? CODEC_DATA_TEXT : CODEC_DATA_ANY);
    if (dict) {
        size_t n = enc_dict_plain_size(dict);
        e = reserve(w->pool, (void **)&x->page, &x->page_cap, n);
        if (!e) {
            write_dictionary(x, l.repr == R_BYTES, x->page);
            struct pq_page_header h = {0};
            h.type = PQ_DICTIONARY_PAGE;
            h.has_dictionary_page_header = 1;
            h.dictionary_page_header.num_values = (int32_t)enc_dict_count(dict);
            h.dictionary_page_header.encoding = PQ_ENC_PLAIN;
            m->has_dictionary_page_offset = 1;
            m->dictionary_page_offset = position(w, x);
            e = put_page(w, x, &h, x->page, n, &unc, &cmp);
        }
    }
    m->data_page_offset = position(w, x);
    codec_set_data(x->codec, page_data(x, &l, ve, nvals, &ds));

    size_t r = 0, v = 0;
    while (!e && (r < b->nrows || npages == 0)) {
        /* rows [r, r1) and values [v, v1) make the next page */
        size_t r1, v1;
        cut_page(x, &l, ve, b->nrows, w->opt.page_size, nvals < b->nrows, r, v, &r1, &v1);
        struct stats pst = {0};
        pst.nulls = (int64_t)((r1 - r) - (v1 - v));
        if (dict && l.repr == R_BYTES)
            stats_add_dict_spans(&pst, x->vals, x->idx, enc_dict_count(dict),
                                 x->rank + enc_dict_count(dict), v, v1, b->text);
        else
            stats_add_range(&pst, &l, x->vals, v, v1, b->text);
        stats_merge(&cst, &pst, &l, x->vals, b->text);
        size_t lbound = enc_rle_bound(r1 - r, 1);
        e = reserve(w->pool, (void **)&x->page, &x->page_cap,
                    4 + lbound + values_bound(x, &l, ve, bw, v, v1));
        if (e)
            break;
        size_t nl = enc_rle_encode_u8(x->defs + r, r1 - r, 1, x->page + 4);
        enc_store_u32le(x->page, (uint32_t)nl);
        uint8_t *p = x->page + 4 + nl;
        p += encode_values(x, &l, ve, bw, b->text, v, v1, p);
        struct pq_page_header h = {0};
        struct stat_bytes psb;
        h.type = PQ_DATA_PAGE;
        h.has_data_page_header = 1;
        h.data_page_header.num_values = (int32_t)(r1 - r);
        h.data_page_header.encoding = venc_pq[ve];
        h.data_page_header.definition_level_encoding = PQ_ENC_RLE;
        h.data_page_header.repetition_level_encoding = PQ_ENC_RLE;
        h.data_page_header.has_statistics = 1;
        stats_to_pq(&pst, &l, x->vals, b->text, &psb, &h.data_page_header.statistics);
        e = put_page(w, x, &h, x->page, (size_t)(p - x->page), &unc, &cmp);
        npages++;
        r = r1;
        v = v1;
    }

    size_t ne = 0;
    int *enc = w->encodings + 3 * c;
    struct pq_page_encoding_stats *es = w->estats + 2 * c;
    if (dict) {
        enc[ne++] = PQ_ENC_PLAIN;
        enc[ne++] = PQ_ENC_RLE;
        enc[ne++] = PQ_ENC_RLE_DICTIONARY;
        es[0] = (struct pq_page_encoding_stats){PQ_DICTIONARY_PAGE, PQ_ENC_PLAIN, 1};
        es[1] = (struct pq_page_encoding_stats){PQ_DATA_PAGE, PQ_ENC_RLE_DICTIONARY, (int32_t)npages};
        m->n_encoding_stats = 2;
    } else {
        enc[ne++] = venc_pq[ve];
        enc[ne++] = PQ_ENC_RLE;
        es[0] = (struct pq_page_encoding_stats){PQ_DATA_PAGE, venc_pq[ve], (int32_t)npages};
        m->n_encoding_stats = 1;
    }
    if (e == ERR_IO)
        return io_error(where);
    if (e)
        return set_where(where, e, 0, (int64_t)c + 1,
                         "column \"%s\": a row group of %zu rows does not fit the memory budget",
                         w->cols[c].name, b->nrows);
    cc->has_meta_data = 1;
    m->type = l.physical;
    m->encodings = enc;
    m->n_encodings = (uint32_t)ne;
    m->encoding_stats = es;
    m->path_in_schema = &w->paths[c];
    m->n_path = 1;
    m->codec = w->opt.codec;
    m->num_values = (int64_t)b->nrows;
    m->total_uncompressed_size = (int64_t)unc;
    m->total_compressed_size = (int64_t)cmp;
    m->has_statistics = 1;
    stats_to_pq(&cst, &l, x->vals, b->text, &w->sb[c], &m->statistics);
    return ERR_OK;
}

/* Write column c's finished chunk and free it: its offsets were relative
   to the buffer. */
static int write_chunk(struct pqw_writer *w, uint8_t *buf, size_t len, size_t c) {
    struct pq_column_chunk *cc = &w->cc[c];
    int64_t base = (int64_t)w->offset;
    cc->file_offset += base;
    cc->meta_data.data_page_offset += base;
    if (cc->meta_data.has_dictionary_page_offset)
        cc->meta_data.dictionary_page_offset += base;
    int e = emit(w, buf, len);
    pool_free(w->pool, buf);
    return e;
}

/* The finished chunks not written (after a failed column) back to the pool. */
static void drop_chunks(struct pqw_writer *w) {
    for (size_t c = 0; c < w->ncols; c++) {
        pool_free(w->pool, w->chunk[c]);
        w->chunk[c] = NULL;
    }
    w->held = 0;
}

/* Hand the batch's columns from `from` on to the threads, lead first when
   from is 0: they encode them and write the chunks in column order as they
   finish. */
static void hand_out(struct pqw_writer *w, const struct csv_batch *b, size_t from, size_t lead) {
    pthread_mutex_lock(&w->lock);
    for (size_t c = from; c < w->ncols; c++)
        w->done_by[c] = -1;
    w->lead = lead;
    w->next = w->written = from;
    w->stop_at = w->ncols;
    w->stopped = w->halt = 0;
    w->batch = b;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void start_row_group(struct pqw_writer *w, const struct csv_batch *b) {
    w->most = 0;
    hand_out(w, b, 0, w->costliest);   /* the costliest of the last row group first */
}

/* Wait for the threads to write the row group's columns, or to stop at a
   failed one: *c receives the first column not written (ncols when all
   were) and *b the batch; returns that column's result. */
static int wait_written(struct pqw_writer *w, size_t *c, const struct csv_batch **b) {
    pthread_mutex_lock(&w->lock);
    while (w->written < w->ncols && !w->stopped)
        pthread_cond_wait(&w->cond, &w->lock);
    size_t taken = w->next;
    *c = w->written;
    w->halt = 1;                     /* hand out no more, wait for those under way */
    for (size_t k = 0; k < taken; k++)
        while (column_at(w, k) >= *c && w->done_by[column_at(w, k)] < 0)
            pthread_cond_wait(&w->cond, &w->lock);
    while (w->writing)
        pthread_cond_wait(&w->cond, &w->lock);
    drop_chunks(w);
    *b = w->batch;
    w->batch = NULL;
    int e = *c < w->ncols ? w->result[*c] : ERR_OK;
    pthread_mutex_unlock(&w->lock);
    return e;
}

/* Wait for the threads to write the row group.  A column that failed for
   lack of memory is encoded again alone while the other threads idle:
   into a buffer first, as before (nothing written if that fails again),
   then, when that does not fit, with every encoder's buffers given back
   and its pages written as they are made.  The threads go on from the
   column after it; the output is the same. */
static int end_threaded(struct pqw_writer *w, struct pqw_where *where) {
    for (;;) {
        size_t c;
        const struct csv_batch *b;
        int e = wait_written(w, &c, &b);
        if (e != ERR_NOMEM) {
            if (e == ERR_IO)         /* only the writing does I/O with threads */
                *where = w->io_where;
            else if (e != ERR_OK)
                *where = w->enc[w->done_by[c]].where;
            return e;
        }
        struct encoder *x = &w->enc[0];
        x->len = 0;
        if ((e = encode_chunk(w, x, b, c, where)) == ERR_OK) {
            if (write_chunk(w, x->buf, x->len, c) != ERR_OK)
                e = io_error(where);
            x->buf = NULL;
            x->cap = x->len = 0;
        } else if (e == ERR_NOMEM) {
            for (int i = 0; i < w->nenc; i++)
                encoder_shrink(&w->enc[i]);
            x->buffered = 0;
            e = encode_chunk(w, x, b, c, where);
            x->buffered = 1;
        }
        if (e != ERR_OK || c + 1 == w->ncols)
            return e;
        hand_out(w, b, c + 1, 0);
    }
}

/* Set the batch the threads look at, under their lock when they run (only
   the calling thread writes it, so it reads it without). */
static void set_batch(struct pqw_writer *w, const struct csv_batch *b) {
    if (w->nenc > 1)
        pthread_mutex_lock(&w->lock);
    w->batch = b;
    if (w->nenc > 1)
        pthread_mutex_unlock(&w->lock);
}

int pqw_begin_row_group(struct pqw_writer *w, const struct csv_batch *b,
                        struct pqw_where *where) {
    w->rg_start = (int64_t)w->offset;
    set_batch(w, NULL);
    if (b->nrows == 0)
        return ERR_OK;
    for (size_t c = 0; c < w->ncols; c++)
        w->probe[c] = w->probe[c] & PROBE_THIS ? PROBE_LAST : 0;
    if (w->nenc > 1) {
        start_row_group(w, b);
        return ERR_OK;
    }
    for (size_t c = 0; c < w->ncols; c++)
        FORWARD_IF_ERROR(encode_chunk(w, &w->enc[0], b, c, where));
    w->batch = b;
    return ERR_OK;
}

int pqw_end_row_group(struct pqw_writer *w, struct pqw_where *where) {
    const struct csv_batch *b = w->batch;
    if (!b)
        return ERR_OK;               /* no rows */
    if (w->nenc > 1)
        FORWARD_IF_ERROR(end_threaded(w, where));
    set_batch(w, NULL);
    int64_t total_unc = 0;
    for (size_t c = 0; c < w->ncols; c++)
        total_unc += w->cc[c].meta_data.total_uncompressed_size;
    struct pq_row_group rg = {0};
    rg.columns = w->cc;
    rg.n_columns = (uint32_t)w->ncols;
    rg.total_byte_size = total_unc;
    rg.num_rows = (int64_t)b->nrows;
    rg.has_file_offset = 1;
    rg.file_offset = w->rg_start;
    rg.has_total_compressed_size = 1;
    rg.total_compressed_size = (int64_t)w->offset - w->rg_start;
    rg.has_ordinal = w->n_row_groups < 32768;
    rg.ordinal = (int16_t)w->n_row_groups;
    pqm_encode_row_group(&w->row_groups, &rg);
    if (tc_writer_error(&w->row_groups))
        return set_where(where, tc_writer_error(&w->row_groups), b->line[0], 0,
                         "row group metadata");
    w->n_row_groups++;
    w->num_rows += (int64_t)b->nrows;
    return ERR_OK;
}

int pqw_write_row_group(struct pqw_writer *w, const struct csv_batch *b,
                        struct pqw_where *where) {
    FORWARD_IF_ERROR(pqw_begin_row_group(w, b, where));
    return pqw_end_row_group(w, where);
}

int pqw_finish(struct pqw_writer *w, struct pqw_where *where) {
    size_t n = w->ncols + 1;
    struct pq_schema_element *schema = pool_calloc(w->pool, n, sizeof *schema);
    int *orders = pool_calloc(w->pool, n, sizeof *orders);
    struct tc_writer footer;
    tc_writer_init(&footer, w->pool);
    int e = ERR_OK;
    if (!schema || !orders) {
        e = set_where(where, ERR_NOMEM, 0, 0, "footer");
        goto done;
    }
    schema[0].name.p = (const uint8_t *)"schema";
    schema[0].name.n = 6;
    schema[0].has_num_children = 1;
    schema[0].num_children = (int32_t)w->ncols;
    for (size_t c = 0; c < w->ncols; c++) {
        struct pq_schema_element *s = &schema[c + 1];
        const struct ty_spec *sp = &w->cols[c].spec;
        const struct layout l = layout_of(sp);
        int t = sp->type;
        static const int pq_unit[3] = { PQ_MICROS, PQ_MILLIS, PQ_NANOS };   /* TY_UNIT_* */
        s->name = w->paths[c];
        s->has_type = 1;
        s->type = l.physical;
        s->has_repetition_type = 1;
        s->repetition_type = PQ_OPTIONAL;
        orders[c] = 1;               /* TypeDefinedOrder: unsigned for UINT, signed for DECIMAL */
        switch (t) {
        case TY_STRING:
            s->has_converted_type = 1;
            s->converted_type = PQ_CT_UTF8;
            s->logical.kind = PQ_LT_STRING;
            break;
        case TY_DATE:
            s->has_converted_type = 1;
            s->converted_type = PQ_CT_DATE;
            s->logical.kind = PQ_LT_DATE;
            break;
        case TY_INT8: case TY_INT16: case TY_INT32:
        case TY_UINT8: case TY_UINT16: case TY_UINT32: case TY_UINT64: {
            static const struct { int ty, bits, is_signed, ct; } ints[] = {
                { TY_INT8, 8, 1, PQ_CT_INT_8 }, { TY_INT16, 16, 1, PQ_CT_INT_16 },
                { TY_INT32, 32, 1, PQ_CT_INT_32 }, { TY_UINT8, 8, 0, PQ_CT_UINT_8 },
                { TY_UINT16, 16, 0, PQ_CT_UINT_16 }, { TY_UINT32, 32, 0, PQ_CT_UINT_32 },
                { TY_UINT64, 64, 0, PQ_CT_UINT_64 },
            };
            for (size_t k = 0; k < sizeof ints / sizeof *ints; k++)
                if (ints[k].ty == t) {
                    s->has_converted_type = 1;
                    s->converted_type = ints[k].ct;
                    s->logical.kind = PQ_LT_INTEGER;
                    s->logical.bit_width = ints[k].bits;
                    s->logical.is_signed = ints[k].is_signed;
                }
            break;
        }
        case TY_DECIMAL:
            if (l.repr == R_FLBA) {
                s->has_type_length = 1;
                s->type_length = (int32_t)l.width;
            }
            s->has_converted_type = 1;
            s->converted_type = PQ_CT_DECIMAL;
            s->has_scale = s->has_precision = 1;
            s->scale = sp->scale;
            s->precision = sp->precision;
            s->logical.kind = PQ_LT_DECIMAL;
            s->logical.scale = sp->scale;
            s->logical.precision = sp->precision;
            break;
        case TY_TIME:
            /* Local time (isAdjustedToUTC = false), with the legacy
               TIME_MILLIS / TIME_MICROS that LogicalTypes.md asks writers
               to give local times as well; NANOS has none. */
            if (sp->unit != TY_UNIT_NS) {
                s->has_converted_type = 1;
                s->converted_type = sp->unit == TY_UNIT_MS ? PQ_CT_TIME_MILLIS : PQ_CT_TIME_MICROS;
            }
            s->logical.kind = PQ_LT_TIME;
            s->logical.unit = pq_unit[sp->unit];
            s->logical.is_adjusted_to_utc = 0;
            break;
        case TY_TIMESTAMP_UTC:
        case TY_TIMESTAMP:
            /* The legacy TIMESTAMP_MILLIS / MICROS mean UTC-adjusted to
               readers that know only them: given to UTC columns alone. */
            if (t == TY_TIMESTAMP_UTC && sp->unit != TY_UNIT_NS) {
                s->has_converted_type = 1;
                s->converted_type = sp->unit == TY_UNIT_MS ? PQ_CT_TIMESTAMP_MILLIS
                                                           : PQ_CT_TIMESTAMP_MICROS;
            }
            s->logical.kind = PQ_LT_TIMESTAMP;
            s->logical.unit = pq_unit[sp->unit];
            s->logical.is_adjusted_to_utc = t == TY_TIMESTAMP_UTC;
            break;
        default:                     /* boolean, int64, float, double, binary */
            break;
        }
    }
    struct pq_file_meta m = {0};
    m.version = 1;
    m.schema = schema;
    m.n_schema = (uint32_t)n;
    m.num_rows = w->num_rows;
    m.n_row_groups = w->n_row_groups;
    m.row_groups_encoded = w->row_groups.buf;
    m.row_groups_encoded_len = w->row_groups.len;
    m.has_created_by = 1;
    m.created_by.p = (const uint8_t *)w->opt.created_by;
    m.created_by.n = strlen(w->opt.created_by);
    m.column_orders = orders;
    m.n_column_orders = (uint32_t)w->ncols;
    pqm_encode_file_meta(&footer, &m);
    if ((e = tc_writer_error(&footer)) != ERR_OK) {
        set_where(where, e, 0, 0, "footer");
        goto done;
    }
    uint8_t tail[8];
    enc_store_u32le(tail, (uint32_t)footer.len);
    memcpy(tail + 4, "PAR1", 4);
    if (emit(w, footer.buf, footer.len) || emit(w, tail, 8) || flush_out(w))
        e = io_error(where);
done:
    tc_writer_free(&footer);
    pool_free(w->pool, schema);
    pool_free(w->pool, orders);
    return e;
}

int64_t pqw_rows(const struct pqw_writer *w) { return w->num_rows; }
uint32_t pqw_row_groups(const struct pqw_writer *w) { return w->n_row_groups; }
uint64_t pqw_bytes_out(const struct pqw_writer *w) { return w->offset; }
int pqw_threads(const struct pqw_writer *w) { return w->nenc; }

void pqw_free(struct pqw_writer *w) {
    if (!w)
        return;
    pool_t *pool = w->pool;
    if (w->cols)
        for (size_t c = 0; c < w->ncols; c++)
            pool_free(pool, (void *)w->cols[c].name);
    if (w->enc) {
        stop_threads(w);
        for (int i = 0; i < w->nenc; i++)
            encoder_free(&w->enc[i]);
        pool_free(pool, w->enc);
    }
    pool_free(pool, w->done_by);
    pool_free(pool, w->result);
    if (w->chunk)
        drop_chunks(w);
    pool_free(pool, w->chunk);
    pool_free(pool, w->chunk_len);
    tc_writer_free(&w->row_groups);
    pool_free(pool, w->cols);
    pool_free(pool, w->cc);
    pool_free(pool, w->sb);
    pool_free(pool, w->encodings);
    pool_free(pool, w->estats);
    pool_free(pool, w->paths);
    pool_free(pool, w->probe);
    pool_free(pool, w->out);
    pool_free(pool, w);
}
