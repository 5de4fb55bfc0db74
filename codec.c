#include "codec.h"

#include <limits.h>
#include <string.h>

#define ZSTD_STATIC_LINKING_ONLY     /* ZSTD_customMem, ZSTD_create*_advanced */
#include <zstd.h>
#include <zstd_errors.h>
#include <zlib.h>
#include <lz4.h>
#define LZ4F_STATIC_LINKING_ONLY     /* LZ4F_CustomMem, LZ4F_getErrorCode */
#include <lz4frame.h>

#include "err.h"

/* ---- names ---- */

const char *codec_name(int codec) {
    static const char *const name[] = {
        "UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD",
        "LZ4_RAW"
    };
    return codec >= 0 && codec < (int)(sizeof name / sizeof *name) ?
           name[codec] : "UNKNOWN";
}

/* ---- byte access ---- */

static inline uint32_t load32(const uint8_t *p) {     /* native order */
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint64_t load64(const uint8_t *p) {     /* native order */
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint32_t get_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint32_t get_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* Index of the first differing byte in memory order, given x = a ^ b != 0
   of two native-order 8-byte loads. */
static inline size_t first_diff_byte(uint64_t x) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (size_t)__builtin_ctzll(x) >> 3;
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (size_t)__builtin_clzll(x) >> 3;
#else
    uint8_t a[8];
    size_t i = 0;
    memcpy(a, &x, 8);
    while (a[i] == 0)
        i++;
    return i;
#endif
}

/* ---- snappy ----

   The compressor cuts the input into 64 KiB blocks and finds matches only
   inside the current block, so offsets stay below 65536 and copies use the
   1- and 2-byte-offset forms.  All blocks share the one preamble: the
   output is a single snappy block-format stream. */

#define SNAPPY_BLOCK     65536
#define SNAPPY_HASH_MAX  14          /* log2 of the largest hash table */
#define SNAPPY_MARGIN    15          /* bytes kept past the last match probe */

size_t snappy_bound(size_t n) {
    size_t b = 32 + n + n / 6;
    return b < n ? SIZE_MAX : b;
}

static uint8_t *snappy_put_varint(uint8_t *op, uint64_t v) {
    while (v >= 0x80) {
        *op++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *op++ = (uint8_t)v;
    return op;
}

static uint8_t *snappy_emit_literal(uint8_t *op, const uint8_t *lit,
                                    size_t len) {
    size_t n = len - 1;
    if (n < 60)
        *op++ = (uint8_t)(n << 2);
    else if (n < (1u << 8)) {
        *op++ = 60 << 2;
        *op++ = (uint8_t)n;
    } else if (n < (1u << 16)) {
        *op++ = 61 << 2;
        *op++ = (uint8_t)n;
        *op++ = (uint8_t)(n >> 8);
    } else if (n < (1u << 24)) {
        *op++ = 62 << 2;
        *op++ = (uint8_t)n;
        *op++ = (uint8_t)(n >> 8);
        *op++ = (uint8_t)(n >> 16);
    } else {
        *op++ = (uint8_t)(63 << 2);
        *op++ = (uint8_t)n;
        *op++ = (uint8_t)(n >> 8);
        *op++ = (uint8_t)(n >> 16);
        *op++ = (uint8_t)(n >> 24);
    }
    memcpy(op, lit, len);
    return op + len;
}

/* One copy element of 4..64 bytes at offset 1..65535. */
static uint8_t *snappy_emit_copy64(uint8_t *op, size_t offset, size_t len) {
    if (len < 12 && offset < 2048) {
        *op++ = (uint8_t)(1 | (len - 4) << 2 | (offset >> 8) << 5);
        *op++ = (uint8_t)offset;
    } else {
        *op++ = (uint8_t)(2 | (len - 1) << 2);
        *op++ = (uint8_t)offset;
        *op++ = (uint8_t)(offset >> 8);
    }
    return op;
}

/* A copy of len >= 4 bytes, split so that no piece is shorter than 4. */
static uint8_t *snappy_emit_copy(uint8_t *op, size_t offset, size_t len) {
    while (len >= 68) {
        op = snappy_emit_copy64(op, offset, 64);
        len -= 64;
    }
    if (len > 64) {
        op = snappy_emit_copy64(op, offset, 60);
        len -= 60;
    }
    return snappy_emit_copy64(op, offset, len);
}

/* Bytes from a and b that agree, b not passing b_end; a < b. */
static inline size_t snappy_match_length(const uint8_t *a, const uint8_t *b,
                                         const uint8_t *b_end) {
    const uint8_t *b0 = b;
    while (b_end - b >= 8) {
        uint64_t x = load64(a) ^ load64(b);
        if (x)
            return (size_t)(b - b0) + first_diff_byte(x);
        a += 8;
        b += 8;
    }
    while (b < b_end && *a == *b) {
        a++;
        b++;
    }
    return (size_t)(b - b0);
}

static inline uint32_t snappy_hash(const uint8_t *p, int shift) {
    return (load32(p) * 0x1e35a7bdu) >> shift;
}

/* Compress one block of at most SNAPPY_BLOCK bytes; matches never reach
   before in.  table holds 1 << SNAPPY_HASH_MAX positions relative to in. */
static uint8_t *snappy_compress_block(const uint8_t *in, size_t len,
                                      uint8_t *op, uint16_t *table) {
    const uint8_t *ip = in, *end = in + len, *next_emit = in;

    if (len > SNAPPY_MARGIN) {
        int bits = 8;
        while (bits < SNAPPY_HASH_MAX && ((size_t)1 << bits) < len)
            bits++;
        int shift = 32 - bits;
        memset(table, 0, sizeof *table << bits);

        const uint8_t *ip_limit = end - SNAPPY_MARGIN;
        uint32_t next_hash = snappy_hash(++ip, shift);
        for (;;) {
            /* Find a 4-byte match, probing more sparsely the longer none
               turns up (incompressible data goes by quickly). */
            uint32_t skip = 32;
            const uint8_t *next_ip = ip, *candidate;
            do {
                ip = next_ip;
                uint32_t h = next_hash;
                next_ip = ip + (skip++ >> 5);
                if (next_ip > ip_limit)
                    goto remainder;
                next_hash = snappy_hash(next_ip, shift);
                candidate = in + table[h];
                table[h] = (uint16_t)(ip - in);
            } while (load32(ip) != load32(candidate));

            op = snappy_emit_literal(op, next_emit, (size_t)(ip - next_emit));

            /* Emit copies as long as the position right after one copy
               starts another match. */
            do {
                const uint8_t *start = ip;
                size_t matched = 4 + snappy_match_length(candidate + 4, ip + 4,
                                                         end);
                ip += matched;
                op = snappy_emit_copy(op, (size_t)(start - candidate), matched);
                next_emit = ip;
                if (ip >= ip_limit)
                    goto remainder;
                table[snappy_hash(ip - 1, shift)] = (uint16_t)(ip - 1 - in);
                uint32_t h = snappy_hash(ip, shift);
                candidate = in + table[h];
                table[h] = (uint16_t)(ip - in);
            } while (load32(ip) == load32(candidate));
            next_hash = snappy_hash(++ip, shift);
        }
    }
remainder:
    if (next_emit < end)
        op = snappy_emit_literal(op, next_emit, (size_t)(end - next_emit));
    return op;
}

/* Writes at most snappy_bound(n) bytes.  n must be below 2^32 for the
   result to be a valid snappy stream (the preamble's limit). */
size_t snappy_compress(const uint8_t *src, size_t n, uint8_t *dst) {
    uint16_t table[1 << SNAPPY_HASH_MAX];
    uint8_t *op = snappy_put_varint(dst, n);
    size_t pos = 0;
    while (pos < n) {
        size_t len = n - pos < SNAPPY_BLOCK ? n - pos : SNAPPY_BLOCK;
        op = snappy_compress_block(src + pos, len, op, table);
        pos += len;
    }
    return (size_t)(op - dst);
}

/* The preamble: a little-endian varint of at most 5 bytes whose value fits
   32 bits.  *used receives its length. */
static int snappy_preamble(const uint8_t *src, size_t n, uint32_t *len,
                           size_t *used) {
    uint32_t v = 0;
    for (size_t i = 0; i < 5; i++) {
        RETURN_ERROR_IF(i >= n, ERR_CODEC);
        uint32_t b = src[i];
        RETURN_ERROR_IF(i == 4 && b > 0x0f, ERR_CODEC);
        v |= (b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *len = v;
            *used = i + 1;
            return ERR_OK;
        }
    }
    return ERR_CODEC;
}

int snappy_uncompressed_length(const uint8_t *src, size_t n, size_t *len) {
    uint32_t v;
    size_t used;
    FORWARD_IF_ERROR(snappy_preamble(src, n, &v, &used));
    *len = v;
    return ERR_OK;
}

/* Never reads outside [src, src+n) nor writes outside [dst, dst+dst_len);
   every copy must refer to bytes already written. */
int snappy_decompress(const uint8_t *src, size_t n, uint8_t *dst,
                      size_t dst_len) {
    uint32_t announced;
    size_t used;
    FORWARD_IF_ERROR(snappy_preamble(src, n, &announced, &used));
    RETURN_ERROR_IF(announced != dst_len, ERR_CODEC);

    const uint8_t *ip = src + used, *const ip_end = src + n;
    uint8_t *op = dst, *const op_end = dst + dst_len;
    while (ip < ip_end) {
        unsigned tag = *ip++;
        size_t len, offset;
        switch (tag & 3) {
        case 0:
            len = (tag >> 2) + 1;
            if (len > 60) {
                size_t extra = len - 60;
                RETURN_ERROR_IF((size_t)(ip_end - ip) < extra, ERR_CODEC);
                uint32_t v = 0;
                for (size_t i = 0; i < extra; i++)
                    v |= (uint32_t)ip[i] << (8 * i);
                ip += extra;
                RETURN_ERROR_IF(v >= (size_t)(op_end - op), ERR_CODEC);
                len = (size_t)v + 1;
            }
            RETURN_ERROR_IF(len > (size_t)(ip_end - ip) ||
                            len > (size_t)(op_end - op), ERR_CODEC);
            if (len <= 64 && ip_end - ip >= 64 && op_end - op >= 64) {
                /* whole chunks; the excess is overwritten later */
                for (size_t i = 0; i < len; i += 16)
                    memcpy(op + i, ip + i, 16);
            } else {
                memcpy(op, ip, len);
            }
            ip += len;
            op += len;
            continue;
        case 1:
            RETURN_ERROR_IF(ip_end - ip < 1, ERR_CODEC);
            len = 4 + ((tag >> 2) & 7);
            offset = (size_t)(tag >> 5) << 8 | ip[0];
            ip += 1;
            break;
        case 2:
            RETURN_ERROR_IF(ip_end - ip < 2, ERR_CODEC);
            len = (tag >> 2) + 1;
            offset = (size_t)ip[0] | (size_t)ip[1] << 8;
            ip += 2;
            break;
        default:
            RETURN_ERROR_IF(ip_end - ip < 4, ERR_CODEC);
            len = (tag >> 2) + 1;
            offset = get_le32(ip);
            ip += 4;
            break;
        }
        RETURN_ERROR_IF(offset == 0 || offset > (size_t)(op - dst) ||
                        len > (size_t)(op_end - op), ERR_CODEC);
        const uint8_t *from = op - offset;
        if (op_end - op >= 80) {
            /* Room to copy in whole chunks past op + len (len <= 64); the
               excess is overwritten later.  Each chunk reads only bytes
               already written. */
            if (offset >= 16) {
                for (size_t i = 0; i < len; i += 16)
                    memcpy(op + i, from + i, 16);
            } else if (offset >= 8) {
                for (size_t i = 0; i < len; i += 8)
                    memcpy(op + i, from + i, 8);
            } else {
                /* a pattern of period offset, written every multiple of
                   offset that fits in 16 bytes */
                uint8_t pat[16];
                size_t step = 16 - 16 % offset;
                memcpy(pat, from, offset);
                for (size_t i = offset; i < 16; i++)
                    pat[i] = pat[i - offset];
                for (size_t i = 0; i < len; i += step)
                    memcpy(op + i, pat, 16);
            }
            op += len;
        } else if (offset >= len) {
            memcpy(op, from, len);
            op += len;
        } else {
            for (size_t i = 0; i < len; i++)
                op[i] = from[i];
            op += len;
        }
    }
    RETURN_ERROR_IF(op != op_end, ERR_CODEC);
    return ERR_OK;
}

/* ---- allocator glue: every library allocation comes from the pool ---- */

static void *zstd_pool_alloc(void *opaque, size_t size) {
    return pool_alloc(opaque, size);
}

static void zstd_pool_free(void *opaque, void *p) {
    pool_free(opaque, p);
}

static voidpf zlib_pool_alloc(voidpf opaque, uInt items, uInt size) {
    if (size != 0 && items > SIZE_MAX / size)
        return Z_NULL;
    return pool_alloc(opaque, (size_t)items * size);
}

static void zlib_pool_free(voidpf opaque, voidpf p) {
    pool_free(opaque, p);
}

static void *lz4f_pool_alloc(void *opaque, size_t size) {
    return pool_alloc(opaque, size);
}

static void *lz4f_pool_calloc(void *opaque, size_t size) {
    return pool_calloc(opaque, 1, size);
}

static void lz4f_pool_free(void *opaque, void *p) {
    pool_free(opaque, p);
}

static ZSTD_customMem zstd_mem(pool_t *pool) {
    ZSTD_customMem mem = { zstd_pool_alloc, zstd_pool_free, pool };
    return mem;
}

static int zstd_err(size_t r) {
    return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ?
           ERR_NOMEM : ERR_CODEC;
}

/* ---- compression ---- */

/* Parameter sets: one per CODEC_DATA_*, and the context that codes the
   sequences of the parser of 8-byte values (v8_parse). */
enum { ZSTD_SET_V8 = CODEC_DATA_PACKED + 1, ZSTD_SETS };

/* How the parser of 8-byte values (v8_parse) shares a static context's
   workspace: a region for the context, which holds the parser's tables
   while it parses (the context is built again after), then the sequences. */
struct v8_layout {
    size_t zstd;                /* bytes of the region, a multiple of 64; 0: no parser */
    size_t max;                 /* largest input the parser takes */
    size_t seq_cap;             /* sequences it may write for max (v8_seq_cap) */
    size_t size;                /* bytes in all */
    int touched;                /* the sequences' part was written once */
};

enum { LAYOUT_NONE, LAYOUT_FULL, LAYOUT_V8 };  /* what the static context is built on */

struct codec_ctx {
    pool_t *pool;               /* where this struct and the state live */
    int codec;
    ZSTD_CCtx *zstd;            /* ZSTD only */
    z_stream gz;                /* GZIP only; must not move once set up */
    int gz_ready;               /* deflateInit2() succeeded */
    int level;                  /* as given, 0 for the default */
    void *zstd_ws;              /* workspace of a static zstd context, or NULL */
    size_t zstd_ws_len;         /* its bytes */
    int zstd_layout;            /* LAYOUT_*: the whole workspace, or its V8 share */
    int data;                   /* CODEC_DATA_* of codec_set_data() */
    int zstd_params;            /* set in force (CODEC_DATA_*, ZSTD_SET_V8), -1 none */
    ZSTD_compressionParameters params[ZSTD_SETS];     /* after codec_set_max_input */
    struct v8_layout v8;        /* after codec_set_max_input */
};

int codec_create(pool_t *pool, int codec, int level, struct codec_ctx **ctx) {
    *ctx = NULL;
    switch (codec) {
    case CODEC_UNCOMPRESSED:
    case CODEC_SNAPPY:
        break;
    case CODEC_GZIP:
        RETURN_ERROR_IF(level < 0 || level > 9, ERR_UNSUPPORTED);
        break;
    case CODEC_ZSTD:
        RETURN_ERROR_IF(level < ZSTD_minCLevel() || level > ZSTD_maxCLevel(),
                        ERR_UNSUPPORTED);
        break;
    default:
        return ERR_UNSUPPORTED;
    }

    struct codec_ctx *c = pool_alloc(pool, sizeof *c);
    RETURN_ERROR_IF(c == NULL, ERR_NOMEM);
    memset(c, 0, sizeof *c);
    c->pool = pool;
    c->codec = codec;
    c->level = level;

    if (codec == CODEC_ZSTD) {
        c->zstd = ZSTD_createCCtx_advanced(zstd_mem(pool));
        if (c->zstd == NULL) {
            codec_free(c);
            return ERR_NOMEM;
        }
        size_t r = ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_compressionLevel,
                                          level ? level : ZSTD_CLEVEL_DEFAULT);
        if (ZSTD_isError(r)) {
            codec_free(c);
            return ERR_INTERNAL;
        }
    } else if (codec == CODEC_GZIP) {
        c->gz.zalloc = zlib_pool_alloc;
        c->gz.zfree = zlib_pool_free;
        c->gz.opaque = pool;
        int r = deflateInit2(&c->gz, level ? level : 6, Z_DEFLATED, 15 + 16,
                             8, Z_DEFAULT_STRATEGY);
        if (r != Z_OK) {
            codec_free(c);
            return r == Z_MEM_ERROR ? ERR_NOMEM : ERR_INTERNAL;
        }
        c->gz_ready = 1;
    }
    *ctx = c;
    return ERR_OK;
}

/* ---- zstd for pages of 8-byte values ----

   A page of PLAIN INT64 or DOUBLE values is a run of 8-byte units after the
   page's levels, so the units are counted back from the page's end.
   Decimals stored as doubles repeat in a way zstd's match finders pay
   dearly for: two values that differ by a multiple of a power of two share
   their low mantissa bytes, so most units repeat the low 5 bytes of one
   far back, and the high bytes of the unit before with them.  zstd's
   double-fast finder finds these through a large table of short hashes,
   looking at every byte, which is most of the time spent on such pages;
   v8_parse() looks once per unit, and zstd only codes what it found
   (ZSTD_compressSequences), an ordinary frame.  Pages whose low bytes do
   not repeat (timestamps, counters, random values: v8_low_repeats()) go
   to zstd's own finder (values_params), which does as well on them.

   Per unit: a table keeps the last two units for each hash of the low 5
   bytes; a unit seen before gives a match of the whole unit (and on), else
   of its low bytes, either one taking along the high bytes of the unit
   before when they agree with those before the earlier unit.  Then the
   high bytes (4 or more) against the units 8 and 16 bytes back and at the
   last offset.  The match kept is the one whose bytes outweigh its
   offset's cost by most (a repeated offset costs almost nothing, a new one
   about its bits).  When units keep matching nothing, the parser skips
   more of them the longer the run of literals. */

enum {
    V8_MIN_MATCH = 4,           /* shortest match, the context's minMatch */
    V8_SKIP_LOG = 11,           /* one more unit skipped per 2^11 bytes of literals */
    V8_REP_COST = 2,            /* bits of a repeated offset, */
    V8_OFFSET_COST = 8,         /* and of a new one on top of its own bits */
    V8_MIN_GAIN = 8,            /* bits a match must save */
    V8_SAMPLE = 2048,           /* units v8_low_repeats() looks at, */
    V8_SAMPLE_LOG = 11,         /* the log2 of its table's entries */
    V8_TABLE_LOG_MIN = 6
};

#define V8_LOW5 UINT64_C(0xFFFFFFFFFF)
#define V8_PRIME UINT64_C(0x9E3779B97F4A7C15)

/* Sequences v8_parse() may write for n bytes: a match per unit, and per
   block of ZSTD_BLOCKSIZE_MAX a delimiter and the part of a match that
   crosses into it. */
static size_t v8_seq_cap(size_t n) {
    return n / 8 + 2 * (n / ZSTD_BLOCKSIZE_MAX) + 4;
}

/* Bytes of the table for buckets of 2^log, two units each. */
static size_t v8_table_size(int log) {
    return sizeof(uint32_t) * ((size_t)2 << log);
}

/* log2 of the buckets for n bytes (about one per two units), as far as
   room bytes hold them; -1 when not even the smallest fits. */
static int v8_table_log(size_t n, size_t room) {
    int log = V8_TABLE_LOG_MIN;
    if (v8_table_size(log) > room)
        return -1;
    while (log < 24 && ((size_t)2 << log) < n / 8 && v8_table_size(log + 1) <= room)
        log++;
    return log;
}

/* The parameters for pages of 8-byte values (PLAIN INT64 and DOUBLE) that
   v8_parse() does not take.  A value that comes back is a match of 8 bytes
   or more at a distance of up to a whole page; the double-fast strategy
   (levels 3 and 4) finds it through its table of 8-byte hashes, which at
   level 3 holds 2^16 positions: a page of 1 MiB overwrites most before
   they are matched.  A larger table, and a smaller one of short hashes,
   which such pages rarely use, keep them. */
static ZSTD_compressionParameters values_params(ZSTD_compressionParameters p, size_t max) {
    if (p.strategy != ZSTD_dfast)
        return p;
    unsigned want = 10;
    while (want < 19 && ((size_t)1 << want) < max)
        want++;
    if (p.chainLog < want)
        p.chainLog = want;
    if (p.hashLog > 14)
        p.hashLog = 14;
    return p;
}

/* The parameters of the context that codes the parser's sequences: the
   level's own strategy, so that literals and sequences are coded as the
   level codes them, and the smallest tables (it finds no matches itself).
   The parser takes the place of the double-fast finder only (levels 3 and
   4 for large pages), whose speed and size it is made to beat; for other
   levels p stays as it is and the parser is not used. */
static ZSTD_compressionParameters v8_params(ZSTD_compressionParameters p) {
    if (p.strategy != ZSTD_dfast)
        return p;
    p.hashLog = ZSTD_HASHLOG_MIN;
    p.chainLog = ZSTD_CHAINLOG_MIN;
    p.searchLog = 1;
    p.minMatch = V8_MIN_MATCH;
    p.targetLength = 0;
    return p;
}

/* The parser's share for inputs of up to max bytes, within room bytes (the
   workspace the other parameter sets need): larger inputs, if any, go to
   zstd's finder. */
static struct v8_layout v8_layout_for(ZSTD_compressionParameters any, size_t max, size_t room) {
    struct v8_layout l = {0};
    if (any.strategy != ZSTD_dfast || max > UINT32_MAX - 16)   /* positions + 1 in 32 bits */
        return l;
    l.zstd = (ZSTD_estimateCCtxSize_usingCParams(v8_params(any)) + 63) / 64 * 64;
    if (l.zstd >= room || v8_table_log(max, l.zstd) < 0) {
        l.zstd = 0;
        return l;
    }
    size_t seqs = (room - l.zstd) / sizeof(ZSTD_Sequence);
    while (max > 0 && v8_seq_cap(max) > seqs)
        max = max / 16 * 15;
    l.max = max;
    l.seq_cap = v8_seq_cap(max);
    l.size = l.zstd + l.seq_cap * sizeof(ZSTD_Sequence);
    return l;
}

/* Bits of x > 0. */
static inline int v8_bits(uint64_t x) {
#if defined(__GNUC__)
    return 64 - __builtin_clzll(x);
#else
    int b = 0;
    while (x) {
        b++;
        x >>= 1;
    }
    return b;
#endif
}

#if defined(__GNUC__)
#define V8_PREFETCH(p) __builtin_prefetch(p)
#else
#define V8_PREFETCH(p) ((void)(p))
#endif

/* Index of the last differing byte in memory order (the highest of a
   little-endian value), given x = a ^ b != 0 of two native-order loads. */
static inline size_t last_diff_byte(uint64_t x) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return 7 - ((size_t)__builtin_clzll(x) >> 3);
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return 7 - ((size_t)__builtin_ctzll(x) >> 3);
#else
    uint8_t a[8];
    size_t i = 7;
    memcpy(a, &x, 8);
    while (a[i] == 0)
        i--;
    return i;
#endif
}

/* The sequences so far, and the block being filled. */
struct v8_out {
    ZSTD_Sequence *seq;
    size_t count;
    size_t anchor;              /* first byte not in a sequence yet */
    size_t block_end;           /* end of the current block */
    size_t n;
};

static inline void v8_put(struct v8_out *o, size_t offset, size_t lit, size_t match) {
    ZSTD_Sequence *q = &o->seq[o->count++];
    q->offset = (unsigned)offset;
    q->litLength = (unsigned)lit;
    q->matchLength = (unsigned)match;
    q->rep = 0;
}

/* Close the current block: its last literals, as a block delimiter. */
static void v8_end_block(struct v8_out *o) {
    v8_put(o, 0, o->block_end - o->anchor, 0);
    o->anchor = o->block_end;
    o->block_end = o->n - o->block_end > ZSTD_BLOCKSIZE_MAX ? o->block_end + ZSTD_BLOCKSIZE_MAX
                                                             : o->n;
}

/* The match [s, s + len) at offset off, s >= anchor; split where it
   crosses a block's end, a piece shorter than V8_MIN_MATCH left to the
   literals. */
static inline void v8_match(struct v8_out *o, size_t s, size_t len, size_t off) {
    if (s + len <= o->block_end) {
        v8_put(o, off, s - o->anchor, len);
        o->anchor = s + len;
        return;
    }
    while (s >= o->block_end)
        v8_end_block(o);
    while (s + len > o->block_end) {
        size_t first = o->block_end - s;
        if (first >= V8_MIN_MATCH) {
            v8_put(o, off, s - o->anchor, first);
            o->anchor = o->block_end;
        }
        v8_end_block(o);
        s += first;
        len -= first;
        if (len < V8_MIN_MATCH)
            return;
    }
    v8_put(o, off, s - o->anchor, len);
    o->anchor = s + len;
}

/* Whether the page's low bytes repeat: in its first V8_SAMPLE units, at
   least one in 64 repeats the low 5 bytes of an earlier one (the last of
   the same hash) and not its high bytes; none in the first half ends the
   look.  (Decimals as doubles do so several times as often, timestamps
   and random values never.) */
static int v8_low_repeats(const uint8_t *src, size_t n) {
    uint32_t last[1 << V8_SAMPLE_LOG];     /* positions + 1, 0 for none */
    size_t units = n / 8 < V8_SAMPLE ? n / 8 : V8_SAMPLE;
    size_t need = (units + 63) / 64, repeats = 0;
    if (units == 0)
        return 0;
    memset(last, 0, sizeof last);
    for (size_t p = n % 8, i = 0; i < units; p += 8, i++) {
        uint64_t v = load64(src + p);
        uint32_t *e = last + (((v & V8_LOW5) * V8_PRIME) >> (64 - V8_SAMPLE_LOG));
        if (*e) {
            uint64_t x = load64(src + *e - 1) ^ v;
            repeats += x != 0 && (x & V8_LOW5) == 0;
            if (repeats >= need)
                return 1;
        }
        *e = (uint32_t)p + 1;
        if (repeats == 0 && i == V8_SAMPLE / 2)
            return 0;
    }
    return 0;
}

/* Bytes at the high end of two units that agree. */
static inline size_t v8_high_common(uint64_t a, uint64_t b) {
    return a == b ? 8 : 7 - last_diff_byte(a ^ b);
}

/* Parse [src, src + n) into zstd sequences with block delimiters, for
   ZSTD_compressSequences() with ZSTD_sf_explicitBlockDelimiters.  seq holds
   v8_seq_cap(n); table holds v8_table_size(log) bytes.  Every match is at
   least V8_MIN_MATCH bytes, every offset at most window.  Returns the
   number of sequences.  Depends on nothing but its input. */
static size_t v8_parse(const uint8_t *src, size_t n, ZSTD_Sequence *seq, uint32_t *table,
                       int log, size_t window) {
    struct v8_out o = { seq, 0, 0, n > ZSTD_BLOCKSIZE_MAX ? ZSTD_BLOCKSIZE_MAX : n, n };
    const uint8_t *end = src + n;
    const int shift = 64 - log;
    size_t rep[3] = { 1, 4, 8 };     /* zstd's offsets at a frame's start */
    size_t step = 8;
    memset(table, 0, v8_table_size(log));
#define V8_COST(OFF) ((OFF) == rep[0] || (OFF) == rep[1] || (OFF) == rep[2] ? V8_REP_COST \
                      : v8_bits(OFF) + V8_OFFSET_COST)
    for (size_t p = n % 8; p + 8 <= n; p += step) {
        uint64_t v = load64(src + p);
        if (p + 24 <= n) {      /* the bucket two units on, the units of the next bucket */
            V8_PREFETCH(table + 2 * (size_t)(((load64(src + p + 16) & V8_LOW5) * V8_PRIME) >> shift));
            const uint32_t *next = table + 2 * (size_t)(((load64(src + p + 8) & V8_LOW5) *
                                                         V8_PRIME) >> shift);
            V8_PREFETCH(src + next[0]);
            V8_PREFETCH(src + next[1]);
        }
        /* the bucket of the low 5 bytes: the last two units of distinct
           low bytes, positions + 1 (0: none) */
        uint32_t *b = table + 2 * (size_t)(((v & V8_LOW5) * V8_PRIME) >> shift);
        uint32_t c0 = b[0], c1 = b[1];
        uint64_t x0 = c0 ? load64(src + c0 - 1) ^ v : ~(uint64_t)0;
        uint64_t x1 = c1 ? load64(src + c1 - 1) ^ v : ~(uint64_t)0;
        b[1] = (x0 & V8_LOW5) == 0 ? c1 : c0;
        b[0] = (uint32_t)p + 1;
        step = 8;
        if (p + 8 <= o.anchor)
            continue;
        size_t lits = p > o.anchor ? p - o.anchor : 0;   /* before p, not in a match */

        /* from the table: a repeat of the whole unit, else of its low bytes,
           taking along the high bytes before it that agree */
        size_t best_s = 0, best_len = 0, best_off = 0;
        int best_gain = V8_MIN_GAIN;
        size_t r = 0;
        uint64_t x = 0;
        if (x0 == 0 || (x1 != 0 && (x0 & V8_LOW5) == 0)) {
            r = c0;
            x = x0;
        } else if ((x1 & V8_LOW5) == 0) {
            r = c1;
            x = x1;
        }
        if (r && p - (r - 1) <= window) {
            r--;                /* the position */
            size_t len = x ? first_diff_byte(x)
                           : 8 + snappy_match_length(src + r + 8, src + p + 8, end);
            size_t back = 0;
            if (r >= 8 && lits) {
                back = v8_high_common(load64(src + r - 8), load64(src + p - 8));
                back = back < lits ? back : lits;
            }
            size_t s = p - back;
            len += back;
            if (s < o.anchor) {      /* the unit's start is in the last match */
                len = s + len > o.anchor ? s + len - o.anchor : 0;
                s = o.anchor;
            }
            int gain = 8 * (int)len - V8_COST(p - r);
            if (len >= V8_MIN_MATCH && gain > best_gain) {
                best_gain = gain;
                best_s = s;
                best_len = len;
                best_off = p - r;
            }
        }

        /* the high bytes, against the units close by and at the last
           offset: the best by its bytes in this unit */
        if (best_len < 8 && p >= 16) {
            /* a whole unit (8) comes from the table; fewer than
               V8_MIN_MATCH bytes is no match */
#define V8_USABLE(H) ((H) >= V8_MIN_MATCH && (H) < 8)
            size_t off = 0, high = 0;
            int gain = best_gain;
            size_t h8 = v8_high_common(v, load64(src + p - 8));
            size_t h16 = v8_high_common(v, load64(src + p - 16));
            if (V8_USABLE(h8) && 8 * (int)h8 - V8_COST(8) > gain) {
                gain = 8 * (int)h8 - V8_COST(8);
                off = 8;
                high = h8;
            }
            if (V8_USABLE(h16) && 8 * (int)h16 - V8_COST(16) > gain) {
                gain = 8 * (int)h16 - V8_COST(16);
                off = 16;
                high = h16;
            }
            size_t r0 = rep[0];
            if (r0 % 8 == 0 && r0 > 16 && r0 <= p && r0 <= window) {
                size_t h = v8_high_common(v, load64(src + p - r0));
                if (V8_USABLE(h) && 8 * (int)h - V8_REP_COST > gain) {
                    off = r0;
                    high = h;
                }
            }
#undef V8_USABLE
            if (off) {
                size_t s = p + 8 - high;
                size_t len = high + snappy_match_length(src + p + 8 - off, src + p + 8, end);
                if (s < o.anchor) {
                    len = s + len > o.anchor ? s + len - o.anchor : 0;
                    s = o.anchor;
                }
                int g = 8 * (int)len - V8_COST(off);
                if (len >= V8_MIN_MATCH && g > best_gain) {
                    best_s = s;
                    best_len = len;
                    best_off = off;
                }
            }
        }

        if (best_len) {
            v8_match(&o, best_s, best_len, best_off);
            if (best_off == rep[1]) {
                rep[1] = rep[0];
                rep[0] = best_off;
            } else if (best_off != rep[0]) {
                rep[2] = rep[1];
                rep[1] = rep[0];
                rep[0] = best_off;
            }
        } else if (lits) {
            step = 8 * (1 + (lits >> V8_SKIP_LOG));
        }
    }
#undef V8_COST
    while (o.block_end < n)
        v8_end_block(&o);
    v8_put(&o, 0, n - o.anchor, 0);
    return o.count;
}

/* The parameters for text (byte arrays): zstd's minimum match of 5 bytes
   at level 3 takes short matches that cost more than the literals they
   replace in random-looking text (identifiers, hashes); 6 gives the same
   size on prose. */
static ZSTD_compressionParameters text_params(ZSTD_compressionParameters p) {
    if (p.strategy == ZSTD_dfast && p.minMatch < 6)
        p.minMatch = 6;
    return p;
}

/* The parameters for identifiers (codec.h's CODEC_DATA_IDS) whose page
   looks random (ids_look_random): hexadecimal, base64 or decimal digits
   hold many chance repeats of 6 bytes, which the double-fast strategy
   finds and codes at about the cost of their literals, and few of 7.  The
   fast strategy with a minimum match of 7 and a table of 16 KiB gives the
   same size (UUIDs about 0.1% smaller, decimal digits 3%) in a fifth of
   the time. */
static ZSTD_compressionParameters ids_params(ZSTD_compressionParameters p) {
    if (p.strategy != ZSTD_dfast)
        return p;
    p.strategy = ZSTD_fast;
    p.minMatch = 7;
    p.hashLog = 12;
    return p;
}

/* The parameters for bit-packed integers (codec.h's CODEC_DATA_PACKED):
   the deltas of values that do not change steadily (timestamps out of
   order, random numbers), packed at 10 to 40 bits, whose repeats are those
   of single deltas at one of eight bit offsets.  The double-fast strategy
   with the level's tables (512 and 256 KiB for a page of 1 MiB) takes
   nearly twice the time it takes with tables of 32 KiB each and a minimum
   match of 4 bytes, which find as much: the tables' misses in the cache,
   not the search, take the time on such pages. */
static ZSTD_compressionParameters packed_params(ZSTD_compressionParameters p) {
    if (p.strategy != ZSTD_dfast)
        return p;
    p.minMatch = 4;
    p.hashLog = 13;
    p.chainLog = 13;
    return p;
}

/* Whether a page of identifiers looks random: in its last 16 KiB (the text
   itself in every byte-array encoding the writer uses), fewer than 1 byte
   in 40 lies in a repeat of 6 bytes or more.  Timestamps, codes with common
   prefixes or zero-padded numbers repeat far more, and keep the text
   parameters, whose shorter matches pay there. */
static int ids_look_random(const uint8_t *src, size_t n) {
    enum { SAMPLE = 1 << 14, HASH_LOG = 12 };
    uint16_t table[1 << HASH_LOG];           /* sample offsets, 0 for none */
    if (n < 4 * SAMPLE)
        return 0;
    const uint8_t *s = src + n - SAMPLE;
    size_t covered = 0;
    memset(table, 0, sizeof table);
    for (size_t i = 1; i + 8 <= SAMPLE;) {
        uint64_t v = load32(s + i) | (uint64_t)load32(s + i + 2) << 32;  /* bytes 0..5 */
        uint32_t h = (uint32_t)((v * 0x9e3779b185ebca87u) >> (64 - HASH_LOG));
        size_t c = table[h];
        table[h] = (uint16_t)i;
        if (c && memcmp(s + c, s + i, 6) == 0) {
            size_t len = 6;
            while (i + len < SAMPLE && s[c + len] == s[i + len])
                len++;
            covered += len;
            i += len;
        } else {
            i++;
        }
    }
    return covered * 40 < SAMPLE;
}

static void zstd_params_for(int level, size_t max, ZSTD_compressionParameters p[ZSTD_SETS]) {
    p[CODEC_DATA_ANY] = ZSTD_getCParams(level ? level : ZSTD_CLEVEL_DEFAULT, max, 0);
    p[CODEC_DATA_VALUES8] = values_params(p[CODEC_DATA_ANY], max);
    p[CODEC_DATA_TEXT] = text_params(p[CODEC_DATA_ANY]);
    p[CODEC_DATA_IDS] = ids_params(p[CODEC_DATA_ANY]);
    p[CODEC_DATA_PACKED] = packed_params(p[CODEC_DATA_ANY]);
    p[ZSTD_SET_V8] = v8_params(p[CODEC_DATA_ANY]);
}

/* Bytes of a workspace that can compress with any of the sets (the parser
   of 8-byte values takes a share of it, v8_layout_for). */
static size_t zstd_ws_size(const ZSTD_compressionParameters p[ZSTD_SETS]) {
    size_t most = 0;
    for (int i = 0; i < ZSTD_SETS; i++) {
        size_t x = ZSTD_estimateCCtxSize_usingCParams(p[i]);
        if (x > most)
            most = x;
    }
    return most;
}

/* Build the static context on the whole workspace (LAYOUT_FULL) or on the
   parser's share of it (LAYOUT_V8), whose context takes no input buffer
   and sequences from ZSTD_compressSequences() with block delimiters. */
static int zstd_layout(struct codec_ctx *ctx, int layout) {
    if (ctx->zstd_layout == layout)
        return ERR_OK;
    int level = ctx->level ? ctx->level : ZSTD_CLEVEL_DEFAULT;
    ctx->zstd_layout = LAYOUT_NONE;
    ctx->zstd_params = -1;
    ZSTD_CCtx *z = ZSTD_initStaticCCtx(ctx->zstd_ws, layout == LAYOUT_V8 ? ctx->v8.zstd
                                                                         : ctx->zstd_ws_len);
    RETURN_ERROR_IF(z == NULL, ERR_INTERNAL);
    ctx->zstd = z;
    RETURN_ERROR_IF(ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, level)),
                    ERR_INTERNAL);
    if (layout == LAYOUT_V8) {
        const struct { ZSTD_cParameter k; int v; } set[] = {
            {ZSTD_c_blockDelimiters, ZSTD_sf_explicitBlockDelimiters},
            {ZSTD_c_searchForExternalRepcodes, ZSTD_ps_enable},
            {ZSTD_c_stableInBuffer, 1}, {ZSTD_c_stableOutBuffer, 1},
        };
        for (size_t i = 0; i < sizeof set / sizeof *set; i++)
            RETURN_ERROR_IF(ZSTD_isError(ZSTD_CCtx_setParameter(z, set[i].k, set[i].v)),
                            ERR_INTERNAL);
    }
    ctx->zstd_layout = layout;
    return ERR_OK;
}

/* Set the context up for a parameter set (CODEC_DATA_* or ZSTD_SET_V8). */
static int zstd_use(struct codec_ctx *ctx, int which) {
    FORWARD_IF_ERROR(zstd_layout(ctx, which == ZSTD_SET_V8 ? LAYOUT_V8 : LAYOUT_FULL));
    if (ctx->zstd_params == which)
        return ERR_OK;
    const ZSTD_compressionParameters *p = &ctx->params[which];
    const struct { ZSTD_cParameter k; int v; } set[] = {
        {ZSTD_c_windowLog, (int)p->windowLog}, {ZSTD_c_chainLog, (int)p->chainLog},
        {ZSTD_c_hashLog, (int)p->hashLog}, {ZSTD_c_searchLog, (int)p->searchLog},
        {ZSTD_c_minMatch, (int)p->minMatch}, {ZSTD_c_targetLength, (int)p->targetLength},
        {ZSTD_c_strategy, (int)p->strategy},
    };
    for (size_t i = 0; i < sizeof set / sizeof *set; i++)
        if (ZSTD_isError(ZSTD_CCtx_setParameter(ctx->zstd, set[i].k, set[i].v)))
            return ERR_INTERNAL;
    ctx->zstd_params = which;
    return ERR_OK;
}

int codec_set_max_input(struct codec_ctx *ctx, size_t max) {
    if (ctx->codec != CODEC_ZSTD)
        return ERR_OK;
    /* A static context in one block from the pool: zstd never allocates
       again, and smaller inputs, which take smaller tables, fit in it. */
    int level = ctx->level ? ctx->level : ZSTD_CLEVEL_DEFAULT;
    ZSTD_compressionParameters p[ZSTD_SETS];
    zstd_params_for(level, max, p);
    size_t size = zstd_ws_size(p);
    void *ws = pool_alloc(ctx->pool, size);
    RETURN_ERROR_IF(ws == NULL, ERR_NOMEM);
    ZSTD_CCtx *z = ZSTD_initStaticCCtx(ws, size);
    if (z == NULL) {
        pool_free(ctx->pool, ws);
        return ERR_INTERNAL;
    }
    if (ctx->zstd_ws)
        pool_free(ctx->pool, ctx->zstd_ws);
    else
        ZSTD_freeCCtx(ctx->zstd);
    ctx->zstd = z;
    ctx->zstd_ws = ws;
    ctx->zstd_ws_len = size;
    ctx->zstd_layout = LAYOUT_NONE;
    memcpy(ctx->params, p, sizeof p);
    ctx->v8 = v8_layout_for(p[CODEC_DATA_ANY], max, size);
    ctx->zstd_params = -1;
    /* The parameters are set one by one, not left to the level: zstd then
       keeps them for a larger input (a page with one long value) instead of
       moving to the tables of a larger size class, which would not fit. */
    return zstd_use(ctx, CODEC_DATA_ANY);
}

void codec_set_data(struct codec_ctx *ctx, int data) {
    ctx->data = data >= CODEC_DATA_ANY && data <= CODEC_DATA_PACKED ? data : CODEC_DATA_ANY;
}

size_t codec_workspace(int codec, int level, size_t max) {
    switch (codec) {
    case CODEC_ZSTD: {
        ZSTD_compressionParameters p[ZSTD_SETS];
        zstd_params_for(level, max, p);
        return zstd_ws_size(p);
    }
    case CODEC_GZIP:
        return (size_t)300 << 10;
    default:
        return 0;
    }
}

void codec_free(struct codec_ctx *ctx) {
    if (ctx == NULL)
        return;
    if (ctx->zstd_ws)
        pool_free(ctx->pool, ctx->zstd_ws);
    else if (ctx->zstd)
        ZSTD_freeCCtx(ctx->zstd);
    if (ctx->gz_ready)
        deflateEnd(&ctx->gz);
    pool_free(ctx->pool, ctx);
}

/* zlib's deflateBound() for windowBits 15, memLevel 8 and a plain gzip
   header (18 bytes of wrapper), without needing a stream. */
static size_t gzip_bound(size_t n) {
    size_t b = n + (n >> 12) + (n >> 14) + (n >> 25) + 7 + 18;
    return b < n ? SIZE_MAX : b;
}

size_t codec_bound(int codec, size_t n) {
    switch (codec) {
    case CODEC_UNCOMPRESSED:
        return n;
    case CODEC_SNAPPY:
        return snappy_bound(n);
    case CODEC_GZIP:
        return gzip_bound(n);
    case CODEC_ZSTD:
        return ZSTD_compressBound(n);
    default:
        return 0;
    }
}

/* A page of 8-byte values (n at most ctx->v8.max) through v8_parse(), whose
   tables take the context's region; the context is built there again for
   ZSTD_compressSequences(). */
static int v8_compress(struct codec_ctx *ctx, const uint8_t *src, size_t n, void *dst,
                       size_t cap, size_t *out_len) {
    uint8_t *ws = ctx->zstd_ws;
    ZSTD_Sequence *seq = (ZSTD_Sequence *)(void *)(ws + ctx->v8.zstd);
    size_t window = (size_t)1 << ctx->params[ZSTD_SET_V8].windowLog;
    ctx->zstd_layout = LAYOUT_NONE;
    size_t count = v8_parse(src, n, seq, (uint32_t *)(void *)ws, v8_table_log(n, ctx->v8.zstd),
                            window);
    FORWARD_IF_ERROR(zstd_use(ctx, ZSTD_SET_V8));
    size_t r = ZSTD_compressSequences(ctx->zstd, dst, cap, seq, count, src, n);
    if (ZSTD_isError(r))
        return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? ERR_NOMEM : ERR_INTERNAL;
    *out_len = r;
    return ERR_OK;
}

int codec_compress(struct codec_ctx *ctx, const void *src, size_t n,
                   void *dst, size_t cap, size_t *out_len) {
    static const uint8_t none[1];
    *out_len = 0;
    if (src == NULL)
        src = none;
    switch (ctx->codec) {
    case CODEC_UNCOMPRESSED:
        RETURN_ERROR_IF(cap < n, ERR_INTERNAL);
        if (n)
            memcpy(dst, src, n);
        *out_len = n;
        return ERR_OK;
    case CODEC_SNAPPY:
        RETURN_ERROR_IF(n > UINT32_MAX, ERR_TOOBIG);
        RETURN_ERROR_IF(cap < snappy_bound(n), ERR_INTERNAL);
        *out_len = snappy_compress(src, n, dst);
        return ERR_OK;
    case CODEC_ZSTD: {
        if (ctx->zstd_ws) {
            int data = ctx->data;
            if (data == CODEC_DATA_IDS && !ids_look_random(src, n))
                data = CODEC_DATA_TEXT;
            if (data == CODEC_DATA_VALUES8 && ctx->v8.zstd && !ctx->v8.touched) {
                /* the parser's memory becomes resident at the first page
                   of 8-byte values, whether the parser takes it or not, so
                   that the memory in use does not depend on which pages it
                   takes */
                memset((uint8_t *)ctx->zstd_ws + ctx->v8.zstd, 0, ctx->v8.size - ctx->v8.zstd);
                ctx->v8.touched = 1;
            }
            if (data == CODEC_DATA_VALUES8 && ctx->v8.zstd && n <= ctx->v8.max &&
                v8_low_repeats(src, n))
                return v8_compress(ctx, src, n, dst, cap, out_len);
            FORWARD_IF_ERROR(zstd_use(ctx, data));
        }
        size_t r = ZSTD_compress2(ctx->zstd, dst, cap, src, n);
        if (ZSTD_isError(r))
            return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ?
                   ERR_NOMEM : ERR_INTERNAL;
        *out_len = r;
        return ERR_OK;
    }
    case CODEC_GZIP: {
        RETURN_ERROR_IF(n > UINT_MAX, ERR_TOOBIG);
        int r = deflateReset(&ctx->gz);
        RETURN_ERROR_IF(r != Z_OK, ERR_INTERNAL);
        ctx->gz.next_in = (Bytef *)(uintptr_t)src;
        ctx->gz.avail_in = (uInt)n;
        ctx->gz.next_out = dst;
        ctx->gz.avail_out = cap > UINT_MAX ? UINT_MAX : (uInt)cap;
        r = deflate(&ctx->gz, Z_FINISH);
        if (r == Z_MEM_ERROR)
            return ERR_NOMEM;
        RETURN_ERROR_IF(r != Z_STREAM_END, ERR_INTERNAL);
        *out_len = (size_t)ctx->gz.total_out;
        return ERR_OK;
    }
    default:
        return ERR_INTERNAL;
    }
}

/* ---- decompression ---- */

static int zstd_decompress(pool_t *pool, const uint8_t *src, size_t src_len,
                           uint8_t *dst, size_t dst_len) {
    RETURN_ERROR_IF(src_len == 0, ERR_CODEC);
    ZSTD_DCtx *d = ZSTD_createDCtx_advanced(zstd_mem(pool));
    RETURN_ERROR_IF(d == NULL, ERR_NOMEM);

    /* Frame by frame, so that only RFC 8878 frames (and skippable ones) are
       accepted: the legacy decoders would allocate outside the pool. */
    int err = ERR_OK;
    size_t in = 0, out = 0;
    while (in < src_len) {
        size_t left = src_len - in;
        if (left < 4) {
            err = ERR_CODEC;
            break;
        }
        uint32_t magic = get_le32(src + in);
        size_t frame = ZSTD_findFrameCompressedSize(src + in, left);
        if (ZSTD_isError(frame) || frame == 0 || frame > left) {
            err = ERR_CODEC;
            break;
        }
        if ((magic & ZSTD_MAGIC_SKIPPABLE_MASK) != ZSTD_MAGIC_SKIPPABLE_START) {
            if (magic != ZSTD_MAGICNUMBER) {
                err = ERR_CODEC;
                break;
            }
            size_t r = ZSTD_decompressDCtx(d, dst + out, dst_len - out,
                                           src + in, frame);
            if (ZSTD_isError(r)) {
                err = zstd_err(r);
                break;
            }
            out += r;
        }
        in += frame;
    }
    ZSTD_freeDCtx(d);
    FORWARD_IF_ERROR(err);
    RETURN_ERROR_IF(out != dst_len, ERR_CODEC);
    return ERR_OK;
}

/* One or more gzip members (a zlib stream is accepted too), which must
   consume every input byte and yield exactly dst_len bytes. */
static int gzip_decompress(pool_t *pool, const uint8_t *src, size_t src_len,
                           uint8_t *dst, size_t dst_len) {
    RETURN_ERROR_IF(src_len > UINT_MAX || dst_len > UINT_MAX, ERR_TOOBIG);
    z_stream z;
    memset(&z, 0, sizeof z);
    z.zalloc = zlib_pool_alloc;
    z.zfree = zlib_pool_free;
    z.opaque = pool;
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)src_len;
    int r = inflateInit2(&z, 15 + 32);
    if (r != Z_OK)
        return r == Z_MEM_ERROR ? ERR_NOMEM : ERR_INTERNAL;
    z.next_out = dst;
    z.avail_out = (uInt)dst_len;

    /* Z_FINISH: all input is present, so inflate needs no window and each
       call either ends a member or fails. */
    int err = ERR_OK;
    for (;;) {
        r = inflate(&z, Z_FINISH);
        if (r == Z_STREAM_END) {
            if (z.avail_in == 0)
                break;
            if (inflateReset(&z) != Z_OK) {
                err = ERR_INTERNAL;
                break;
            }
            continue;
        }
        if (r == Z_OK)          /* progress was made; zlib 1.2 never says so */
            continue;
        /* Z_BUF_ERROR: truncated input or more output than dst_len */
        err = r == Z_MEM_ERROR ? ERR_NOMEM : ERR_CODEC;
        break;
    }
    inflateEnd(&z);
    FORWARD_IF_ERROR(err);
    RETURN_ERROR_IF(z.avail_out != 0, ERR_CODEC);
    return ERR_OK;
}

static int lz4_raw_decompress(const uint8_t *src, size_t src_len,
                              uint8_t *dst, size_t dst_len) {
    RETURN_ERROR_IF(src_len > INT_MAX || dst_len > INT_MAX, ERR_TOOBIG);
    int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len,
                                (int)dst_len);
    RETURN_ERROR_IF(r < 0 || (size_t)r != dst_len, ERR_CODEC);
    return ERR_OK;
}

/* Hadoop's framing: blocks of [4-byte big-endian uncompressed size]
   [4-byte big-endian compressed size][raw LZ4 block], filling dst_len
   exactly and consuming all of src. */
static int lz4_hadoop_decompress(const uint8_t *src, size_t src_len,
                                 uint8_t *dst, size_t dst_len) {
    size_t in = 0, out = 0;
    RETURN_ERROR_IF(src_len < 8, ERR_CODEC);
    while (src_len - in >= 8) {
        size_t usize = get_be32(src + in), csize = get_be32(src + in + 4);
        in += 8;
        RETURN_ERROR_IF(csize > src_len - in || usize > dst_len - out,
                        ERR_CODEC);
        FORWARD_IF_ERROR(lz4_raw_decompress(src + in, csize, dst + out, usize));
        in += csize;
        out += usize;
    }
    RETURN_ERROR_IF(in != src_len || out != dst_len, ERR_CODEC);
    return ERR_OK;
}

/* One or more LZ4 frames (lz4frame.h), state from the pool. */
static int lz4_frame_decompress(pool_t *pool, const uint8_t *src,
                                size_t src_len, uint8_t *dst, size_t dst_len) {
    LZ4F_CustomMem mem = { lz4f_pool_alloc, lz4f_pool_calloc, lz4f_pool_free,
                           pool };
    LZ4F_dctx *d = LZ4F_createDecompressionContext_advanced(mem, LZ4F_VERSION);
    RETURN_ERROR_IF(d == NULL, ERR_NOMEM);
    LZ4F_decompressOptions_t opt;
    memset(&opt, 0, sizeof opt);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    opt.skipChecksums = 1;
#endif
    int err = ERR_OK;
    size_t in = 0, out = 0, hint = 1;
    while (in < src_len) {
        size_t in_sz = src_len - in, out_sz = dst_len - out;
        hint = LZ4F_decompress(d, dst + out, &out_sz, src + in, &in_sz, &opt);
        if (LZ4F_isError(hint)) {
            err = LZ4F_getErrorCode(hint) == LZ4F_ERROR_allocation_failed ?
                  ERR_NOMEM : ERR_CODEC;
            break;
        }
        in += in_sz;
        out += out_sz;
        if (in_sz == 0 && out_sz == 0) {
            err = ERR_CODEC;
            break;
        }
    }
    LZ4F_freeDecompressionContext(d);
    FORWARD_IF_ERROR(err);
    RETURN_ERROR_IF(hint != 0 || out != dst_len, ERR_CODEC);
    return ERR_OK;
}

int codec_decompress(pool_t *pool, int codec, const void *src_, size_t src_len,
                     void *dst_, size_t dst_len) {
    static const uint8_t no_input[1];
    uint8_t no_output[1];
    const uint8_t *src = src_ ? src_ : no_input;
    uint8_t *dst = dst_ ? dst_ : no_output;

    switch (codec) {
    case CODEC_UNCOMPRESSED:
        RETURN_ERROR_IF(src_len != dst_len, ERR_CODEC);
        if (dst_len)
            memcpy(dst, src, dst_len);
        return ERR_OK;
    case CODEC_SNAPPY:
        return snappy_decompress(src, src_len, dst, dst_len);
    case CODEC_GZIP:
        return gzip_decompress(pool, src, src_len, dst, dst_len);
    case CODEC_ZSTD:
        return zstd_decompress(pool, src, src_len, dst, dst_len);
    case CODEC_LZ4_RAW:
        return lz4_raw_decompress(src, src_len, dst, dst_len);
    case CODEC_LZ4: {
        if (lz4_hadoop_decompress(src, src_len, dst, dst_len) == ERR_OK)
            return ERR_OK;
        int err = lz4_raw_decompress(src, src_len, dst, dst_len);
        if (err != ERR_OK && src_len >= 4 && get_le32(src) == 0x184D2204)
            err = lz4_frame_decompress(pool, src, src_len, dst, dst_len);
        return err;
    }
    default:
        return ERR_UNSUPPORTED;
    }
}

/* ---- streaming decompression of whole input files ---- */

struct codec_stream {
    pool_t *pool;
    int kind;                   /* CODEC_GZIP or CODEC_ZSTD */
    z_stream gz;
    int gz_ready;
    ZSTD_DStream *zstd;
    int in_frame;               /* a gzip member or zstd frame is not finished */
};

int codec_stream_detect(const void *p, size_t n) {
    const uint8_t *b = p;
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return CODEC_GZIP;
    if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
        return CODEC_ZSTD;
    return CODEC_UNCOMPRESSED;
}

int codec_stream_open(pool_t *pool, int kind, int window_log_max, struct codec_stream **out) {
    *out = NULL;
    RETURN_ERROR_IF(kind != CODEC_GZIP && kind != CODEC_ZSTD, ERR_UNSUPPORTED);
    struct codec_stream *s = pool_calloc(pool, 1, sizeof *s);
    RETURN_ERROR_IF(s == NULL, ERR_NOMEM);
    s->pool = pool;
    s->kind = kind;
    if (kind == CODEC_GZIP) {
        s->gz.zalloc = zlib_pool_alloc;
        s->gz.zfree = zlib_pool_free;
        s->gz.opaque = pool;
        int r = inflateInit2(&s->gz, 15 + 16);
        if (r != Z_OK) {
            codec_stream_free(s);
            return r == Z_MEM_ERROR ? ERR_NOMEM : ERR_INTERNAL;
        }
        s->gz_ready = 1;
    } else {
        s->zstd = ZSTD_createDStream_advanced(zstd_mem(pool));
        if (s->zstd == NULL ||
            ZSTD_isError(ZSTD_DCtx_setParameter(s->zstd, ZSTD_d_windowLogMax, window_log_max))) {
            codec_stream_free(s);
            return ERR_NOMEM;
        }
    }
    *out = s;
    return ERR_OK;
}

int codec_stream_read(struct codec_stream *s, const void *src, size_t src_len, size_t *used,
                      void *dst, size_t cap, size_t *made) {
    *used = *made = 0;
    if (s->kind == CODEC_GZIP) {
        const uint8_t *in = src;
        uint8_t *out = dst;
        while (*made < cap && *used < src_len) {
            if (!s->in_frame) {         /* a new member starts here */
                RETURN_ERROR_IF(inflateReset(&s->gz) != Z_OK, ERR_INTERNAL);
                s->in_frame = 1;
            }
            size_t in_n = src_len - *used, out_n = cap - *made;
            s->gz.next_in = (Bytef *)(uintptr_t)(in + *used);
            s->gz.avail_in = in_n > UINT_MAX ? UINT_MAX : (uInt)in_n;
            s->gz.next_out = out + *made;
            s->gz.avail_out = out_n > UINT_MAX ? UINT_MAX : (uInt)out_n;
            uInt before_in = s->gz.avail_in, before_out = s->gz.avail_out;
            int r = inflate(&s->gz, Z_NO_FLUSH);
            *used += before_in - s->gz.avail_in;
            *made += before_out - s->gz.avail_out;
            if (r == Z_STREAM_END)
                s->in_frame = 0;
            else if (r == Z_MEM_ERROR)
                return ERR_NOMEM;
            else if (r != Z_OK && r != Z_BUF_ERROR)
                return ERR_CODEC;
            else if (before_in == s->gz.avail_in && before_out == s->gz.avail_out)
                break;
        }
        return ERR_OK;
    }
    ZSTD_inBuffer in = { src, src_len, 0 };
    ZSTD_outBuffer out = { dst, cap, 0 };
    while (out.pos < out.size && in.pos < in.size) {
        size_t r = ZSTD_decompressStream(s->zstd, &out, &in);
        if (ZSTD_isError(r))
            return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? ERR_NOMEM :
                   ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge ? ERR_TOOBIG :
                   ERR_CODEC;
        s->in_frame = r != 0;
    }
    *used = in.pos;
    *made = out.pos;
    return ERR_OK;
}

int codec_stream_finished(const struct codec_stream *s) {
    return !s->in_frame;
}

void codec_stream_free(struct codec_stream *s) {
    if (s == NULL)
        return;
    if (s->gz_ready)
        inflateEnd(&s->gz);
    if (s->zstd)
        ZSTD_freeDStream(s->zstd);
    pool_free(s->pool, s);
}
