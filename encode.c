/* encode.c -- Parquet value and level encodings (see encode.h).

   Bit packing works on blocks of 32 values: 32 values of b bits fill exactly
   b 32-bit little-endian words, so a block is packed or unpacked with whole
   word loads and stores and no read or write past its 4*b bytes.  Groups of
   8 left over (short runs) have their own kernels, and a last partial group,
   or one too near the end of the input for 8-byte loads, goes through a
   zero-padded local copy.  Each kernel exists once per bit width, generated
   from one inline body with the width as a constant, so the compiler turns
   every shift and mask into an immediate.
 */
#include <string.h>

#include "encode.h"
#include "err.h"

#if defined(__GNUC__) || defined(__clang__)
#  define ENC_INLINE static inline __attribute__((always_inline))
#else
#  define ENC_INLINE static inline
#endif

#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
#  define ENC_UNROLL32 _Pragma("GCC unroll 32")
#else
#  define ENC_UNROLL32
#endif

/* Longest run the RLE/bit-packed hybrid may announce (Encodings.md, note 3),
   and the most groups of 8 one bit-packed header may announce. */
#define RLE_MAX_RUN    0x7fffffffu
#define RLE_MAX_GROUPS (RLE_MAX_RUN / 8)

int enc_bit_width(uint64_t v) {
#if defined(__GNUC__) || defined(__clang__)
    return v ? 64 - __builtin_clzll(v) : 0;
#else
    int w = 0;
    while (v) { w++; v >>= 1; }
    return w;
#endif
}

/* ---- varints ---- */

static uint8_t *put_uleb(uint8_t *o, uint64_t v) {
    while (v >= 0x80) {
        *o++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *o++ = (uint8_t)v;
    return o;
}

/* Read a ULEB128 value of at most 64 bits at p[*pos], never at or past
   p[len].  ERR_TRUNCATED when the data ends inside it, ERR_CORRUPT when it
   does not fit 64 bits. */
static int get_uleb(const uint8_t *p, size_t len, size_t *pos, uint64_t *v) {
    uint64_t x = 0;
    size_t i = *pos;
    for (int shift = 0; ; shift += 7) {
        RETURN_ERROR_IF(i >= len, ERR_TRUNCATED);
        uint8_t b = p[i++];
        RETURN_ERROR_IF(shift == 63 && b > 1, ERR_CORRUPT);
        x |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80)
            break;
    }
    *pos = i;
    *v = x;
    return ERR_OK;
}

static uint64_t zigzag(int64_t x) {
    uint64_t u = (uint64_t)x;
    return (u << 1) ^ (0 - (u >> 63));
}

static uint64_t unzigzag(uint64_t z) {
    return (z >> 1) ^ (0 - (z & 1));
}

/* ---- 32-bit packing in blocks of 32 values ---- */

/* Pack 32 values (masked to bw bits) into exactly 4*bw bytes, LSB first. */
ENC_INLINE void pack32(const uint32_t *v, uint8_t *out, const int bw) {
    const uint32_t mask = bw == 32 ? 0xffffffffu : (1u << bw) - 1;
    uint64_t acc = 0;
    int bits = 0;
    ENC_UNROLL32
    for (int i = 0; i < 32; i++) {
        acc |= (uint64_t)(v[i] & mask) << bits;
        bits += bw;
        if (bits >= 32) {
            enc_store_u32le(out, (uint32_t)acc);
            out += 4;
            acc >>= 32;
            bits -= 32;
        }
    }
}

/* Unpack 32 values of bw bits from exactly 4*bw bytes. */
ENC_INLINE void unpack32(const uint8_t *in, uint32_t *out, const int bw) {
    const uint32_t mask = bw == 32 ? 0xffffffffu : (1u << bw) - 1;
    uint64_t acc = 0;
    int bits = 0;
    ENC_UNROLL32
    for (int i = 0; i < 32; i++) {
        if (bits < bw) {
            acc |= (uint64_t)enc_load_u32le(in) << bits;
            in += 4;
            bits += 32;
        }
        out[i] = (uint32_t)acc & mask;
        acc >>= bw;
        bits -= bw;
    }
}

/* Pack 8 values (masked to bw bits) into exactly bw bytes. */
ENC_INLINE void pack8(const uint32_t *v, uint8_t *out, const int bw) {
    const uint32_t mask = bw == 32 ? 0xffffffffu : (1u << bw) - 1;
    uint64_t acc = 0;
    int bits = 0;
    ENC_UNROLL32
    for (int i = 0; i < 8; i++) {
        acc |= (uint64_t)(v[i] & mask) << bits;
        bits += bw;
        if (bits >= 32) {
            enc_store_u32le(out, (uint32_t)acc);
            out += 4;
            acc >>= 32;
            bits -= 32;
        }
    }
    ENC_UNROLL32
    for (; bits > 0; bits -= 8) {
        *out++ = (uint8_t)acc;
        acc >>= 8;
    }
}

/* Unpack 8 values of bw bits from a group of bw bytes; reads up to
   7 * bw / 8 + 8 bytes from in. */
ENC_INLINE void unpack8(const uint8_t *in, uint32_t *out, const int bw) {
    const uint32_t mask = bw == 32 ? 0xffffffffu : (1u << bw) - 1;
    ENC_UNROLL32
    for (int i = 0; i < 8; i++)
        out[i] = (uint32_t)(enc_load_u64le(in + i * bw / 8) >> (i * bw % 8)) & mask;
}

typedef void pack_fn(const uint32_t *v, uint8_t *out, size_t blocks);
typedef void unpack_fn(const uint8_t *in, uint32_t *out, size_t blocks);

#define ENC_WIDTHS(X) \
    X(1)  X(2)  X(3)  X(4)  X(5)  X(6)  X(7)  X(8)  X(9)  X(10) X(11) \
    X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) \
    X(23) X(24) X(25) X(26) X(27) X(28) X(29) X(30) X(31) X(32)

#define ENC_PACK_FNS(b) \
    static void pack_w##b(const uint32_t *v, uint8_t *out, size_t blocks) { \
        for (size_t k = 0; k < blocks; k++) \
            pack32(v + 32 * k, out + 4 * (b) * k, (b)); \
    } \
    static void unpack_w##b(const uint8_t *in, uint32_t *out, size_t blocks) { \
        for (size_t k = 0; k < blocks; k++) \
            unpack32(in + 4 * (b) * k, out + 32 * k, (b)); \
    } \
    static void pack8_w##b(const uint32_t *v, uint8_t *out, size_t groups) { \
        for (size_t k = 0; k < groups; k++) \
            pack8(v + 8 * k, out + (b) * k, (b)); \
    } \
    static void unpack8_w##b(const uint8_t *in, uint32_t *out, size_t groups) { \
        for (size_t k = 0; k < groups; k++) \
            unpack8(in + (b) * k, out + 8 * k, (b)); \
    }
ENC_WIDTHS(ENC_PACK_FNS)
#undef ENC_PACK_FNS

static pack_fn *const pack_tab[33] = {
    NULL,
#define ENC_PACK_ENTRY(b) pack_w##b,
    ENC_WIDTHS(ENC_PACK_ENTRY)
#undef ENC_PACK_ENTRY
};
static unpack_fn *const unpack_tab[33] = {
    NULL,
#define ENC_UNPACK_ENTRY(b) unpack_w##b,
    ENC_WIDTHS(ENC_UNPACK_ENTRY)
#undef ENC_UNPACK_ENTRY
};
static pack_fn *const pack8_tab[33] = {
    NULL,
#define ENC_PACK8_ENTRY(b) pack8_w##b,
    ENC_WIDTHS(ENC_PACK8_ENTRY)
#undef ENC_PACK8_ENTRY
};
static unpack_fn *const unpack8_tab[33] = {
    NULL,
#define ENC_UNPACK8_ENTRY(b) unpack8_w##b,
    ENC_WIDTHS(ENC_UNPACK8_ENTRY)
#undef ENC_UNPACK8_ENTRY
};

/* Pack k values (bw 1..32) LSB first, padding the last group of 8 with
   zeros; writes ceil(k/8)*bw bytes and returns the end. */
static uint8_t *pack_values(const uint32_t *v, size_t k, int bw, uint8_t *out) {
    size_t blocks = k / 32, groups = k % 32 / 8, rest = k % 8;
    pack_tab[bw](v, out, blocks);
    v += 32 * blocks;
    out += 4 * (size_t)bw * blocks;
    pack8_tab[bw](v, out, groups);
    v += 8 * groups;
    out += (size_t)bw * groups;
    if (rest) {
        uint32_t t[8] = {0};
        memcpy(t, v, rest * sizeof *t);
        pack8_tab[bw](t, out, 1);
        out += bw;
    }
    return out;
}

/* Unpack k values (bw 1..32) from in, which holds avail >= ceil(k*bw/8)
   bytes; reads nothing at or past in + avail and writes exactly k values. */
static void unpack_values(const uint8_t *in, size_t avail, uint32_t *out, size_t k, int bw) {
    size_t blocks = k / 32, groups = k % 32 / 8, rest = k % 8;
    const size_t gbytes = (size_t)bw, slack = 7 * gbytes / 8 + 8;
    unpack_tab[bw](in, out, blocks);
    in += 4 * gbytes * blocks;
    avail -= 4 * gbytes * blocks;
    out += 32 * blocks;
    /* Groups whose 8-byte loads stay inside the input, then the rest
       through a zero-padded copy. */
    size_t safe = avail >= slack ? (avail - slack) / gbytes + 1 : 0;
    size_t direct = groups < safe ? groups : safe;
    unpack8_tab[bw](in, out, direct);
    in += gbytes * direct;
    avail -= gbytes * direct;
    out += 8 * direct;
    for (size_t g = direct; g < groups + (rest != 0); g++) {
        uint8_t b[32 + 8] = {0};
        uint32_t t[8];
        size_t c = avail < gbytes ? avail : gbytes;
        memcpy(b, in, c);
        unpack8_tab[bw](b, t, 1);
        size_t m = g < groups ? 8 : rest;
        memcpy(out, t, m * sizeof *t);
        in += c;
        avail -= c;
        out += m;
    }
}

/* ---- RLE / bit-packed hybrid ---- */

size_t enc_rle_bound(size_t n, int bit_width) {
    if (bit_width < 0)
        bit_width = 0;
    return (n / 8 + (n % 8 != 0)) * ((size_t)bit_width + 1);
}

/* Values of either width: 32-bit, or one byte each (levels). */
ENC_INLINE uint32_t value_at(const void *v, size_t i, const int u8) {
    return u8 ? ((const uint8_t *)v)[i] : ((const uint32_t *)v)[i];
}

/* The 8 values from v[i] all equal to x. */
ENC_INLINE int group_is(const void *v, size_t i, uint32_t x, const int u8) {
    if (u8)
        return enc_load_u64le((const uint8_t *)v + i) == x * 0x0101010101010101u;
    const uint32_t *w = (const uint32_t *)v + i;
    return ((w[0] ^ x) | (w[1] ^ x) | (w[2] ^ x) | (w[3] ^ x) |
            (w[4] ^ x) | (w[5] ^ x) | (w[6] ^ x) | (w[7] ^ x)) == 0;
}

static uint8_t *put_rle_run(uint32_t x, size_t count, int bit_width, uint8_t *o) {
    size_t vbytes = ((size_t)bit_width + 7) / 8;
    while (count) {
        size_t run = count < RLE_MAX_RUN ? count : RLE_MAX_RUN;
        o = put_uleb(o, (uint64_t)run << 1);
        for (size_t i = 0; i < vbytes; i++)
            *o++ = (uint8_t)(x >> (8 * i));
        count -= run;
    }
    return o;
}

/* Bit-pack the k values from v[i]; one-byte values are widened through a
   local buffer in slices of whole groups. */
ENC_INLINE uint8_t *put_bitpacked_run(const void *v, size_t i, size_t k, int bit_width,
                                      uint8_t *o, const int u8) {
    size_t groups = k / 8 + (k % 8 != 0);
    while (groups) {
        size_t g = groups < RLE_MAX_GROUPS ? groups : RLE_MAX_GROUPS;
        size_t vals = g * 8 < k ? g * 8 : k;
        o = put_uleb(o, (uint64_t)g << 1 | 1);
        if (bit_width && !u8) {
            o = pack_values((const uint32_t *)v + i, vals, bit_width, o);
        } else if (bit_width) {
            const uint8_t *b = (const uint8_t *)v + i;
            uint32_t wide[256];
            for (size_t at = 0; at < vals; at += 256) {
                size_t c = vals - at < 256 ? vals - at : 256;
                for (size_t j = 0; j < c; j++)
                    wide[j] = b[at + j];
                o = pack_values(wide, c, bit_width, o);
            }
        }
        i += vals;
        k -= vals;
        groups -= g;
    }
    return o;
}

/* The stream is cut into groups of 8 counted from the end of the last RLE
   run.  A group of 8 equal values starts an RLE run, which then extends over
   every following equal value; other groups are bit-packed.  A run of 8 or
   more that does not cover a whole group is bit-packed with its
   neighbours. */
ENC_INLINE size_t rle_encode(const void *v, size_t n, int bit_width, uint8_t *out, const int u8) {
    uint8_t *o = out;
    size_t lit = 0;             /* first value not yet written */
    size_t g = 0;               /* group under examination */

    if (bit_width < 0 || bit_width > 32)
        return 0;
    while (n - g >= 8) {
        uint32_t x = value_at(v, g, u8);
        if (!group_is(v, g, x, u8)) {
            g += 8;
            continue;
        }
        size_t e = g + 8;
        while (n - e >= 8 && group_is(v, e, x, u8))
            e += 8;
        while (e < n && value_at(v, e, u8) == x)
            e++;
        if (g > lit)
            o = put_bitpacked_run(v, lit, g - lit, bit_width, o, u8);
        if (bit_width < 32)
            x &= (1u << bit_width) - 1;
        o = put_rle_run(x, e - g, bit_width, o);
        lit = g = e;
    }
    if (n > lit)
        o = put_bitpacked_run(v, lit, n - lit, bit_width, o, u8);
    return (size_t)(o - out);
}

size_t enc_rle_encode(const uint32_t *v, size_t n, int bit_width, uint8_t *out) {
    return rle_encode(v, n, bit_width, out, 0);
}

size_t enc_rle_encode_u8(const uint8_t *v, size_t n, int bit_width, uint8_t *out) {
    return rle_encode(v, n, bit_width, out, 1);
}

int enc_rle_decode(const uint8_t *p, size_t len, int bit_width,
                   uint32_t *out, size_t n, size_t *used) {
    size_t pos = 0, done = 0;
    size_t vbytes = ((size_t)bit_width + 7) / 8;

    RETURN_ERROR_IF(bit_width < 0 || bit_width > 32, ERR_CORRUPT);
    if (bit_width == 0) {
        if (n)
            memset(out, 0, n * sizeof *out);
        if (used)
            *used = 0;
        return ERR_OK;
    }
    while (done < n) {
        uint64_t h;
        size_t want = n - done;
        FORWARD_IF_ERROR(get_uleb(p, len, &pos, &h));
        if (h & 1) {
            uint64_t groups = h >> 1;
            size_t avail = len - pos;
            size_t k = groups < want / 8 + 1 ? (size_t)groups * 8 : want;
            if (k > want)
                k = want;
            size_t need = k / 8 * (size_t)bit_width + (k % 8 * (size_t)bit_width + 7) / 8;
            RETURN_ERROR_IF(need > avail, ERR_TRUNCATED);
            unpack_values(p + pos, avail, out + done, k, bit_width);
            done += k;
            /* A last run whose padding is missing ends with the data. */
            pos += groups <= avail / (size_t)bit_width ? (size_t)groups * (size_t)bit_width : avail;
        } else {
            uint64_t count = h >> 1;
            uint32_t x = 0;
            RETURN_ERROR_IF(vbytes > len - pos, ERR_TRUNCATED);
            for (size_t i = 0; i < vbytes; i++)
                x |= (uint32_t)p[pos + i] << (8 * i);
            pos += vbytes;
            RETURN_ERROR_IF((uint64_t)x >> bit_width, ERR_CORRUPT);
            size_t k = count < want ? (size_t)count : want;
            uint32_t *o = out + done;
            for (size_t i = 0; i < k; i++)
                o[i] = x;
            done += k;
        }
    }
    if (used)
        *used = pos;
    return ERR_OK;
}

int enc_bitpacked_legacy_decode(const uint8_t *p, size_t len, int bit_width,
                                uint32_t *out, size_t n) {
    RETURN_ERROR_IF(bit_width < 0 || bit_width > 32, ERR_CORRUPT);
    size_t need = n / 8 * (size_t)bit_width + (n % 8 * (size_t)bit_width + 7) / 8;
    RETURN_ERROR_IF(need > len, ERR_TRUNCATED);
    const uint64_t mask = ((uint64_t)1 << bit_width) - 1;
    uint64_t acc = 0;           /* the low `bits` bits are unread, MSB first */
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        while (bits < bit_width) {
            acc = acc << 8 | *p++;
            bits += 8;
        }
        bits -= bit_width;
        out[i] = (uint32_t)((acc >> bits) & mask);
    }
    return ERR_OK;
}

/* ---- PLAIN booleans ---- */

void enc_plain_bool_encode(const uint8_t *v, size_t n, uint8_t *out) {
    size_t i = 0;
    for (; n - i >= 8; i += 8)
        *out++ = (uint8_t)((v[i] != 0) | (v[i + 1] != 0) << 1 | (v[i + 2] != 0) << 2 |
                           (v[i + 3] != 0) << 3 | (v[i + 4] != 0) << 4 | (v[i + 5] != 0) << 5 |
                           (v[i + 6] != 0) << 6 | (v[i + 7] != 0) << 7);
    if (i < n) {
        uint8_t b = 0;
        for (int k = 0; i < n; i++, k++)
            b |= (uint8_t)((v[i] != 0) << k);
        *out = b;
    }
}

int enc_plain_bool_decode(const uint8_t *p, size_t len, uint8_t *out, size_t n) {
    RETURN_ERROR_IF(n / 8 + (n % 8 != 0) > len, ERR_TRUNCATED);
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(p[i / 8] >> (i % 8) & 1);
    return ERR_OK;
}

/* ---- dictionary ---- */

/* One hash table slot.  For fixed widths up to 8 bytes the key is the value
   itself (zero-extended); otherwise it is the value's 64-bit hash and a hit
   is confirmed against the stored bytes. */
struct dict_slot {
    uint64_t key;
    uint32_t index1;            /* insertion index + 1; 0 marks an empty slot */
    uint32_t off;               /* ENC_DICT_BYTES: arena offset of the length prefix */
};

struct enc_dict {
    pool_t *pool;
    int width;                  /* bytes per value; 0 for ENC_DICT_BYTES */
    struct dict_slot *slot;     /* cap entries, from the pool */
    size_t cap;                 /* a power of two >= 16 */
    int shift;                  /* 64 - log2(cap) */
    size_t count;               /* distinct values */
    uint8_t *arena;             /* the values' PLAIN encoding, end to end
                                   (under 4 GiB for ENC_DICT_BYTES) */
    size_t arena_len, arena_cap;    /* bytes */
    uint32_t *off;              /* ENC_DICT_BYTES: arena offset of value i's length prefix */
    size_t off_cap;             /* entries */
    int moved;                  /* the table grew since the last reset: values left
                                   the slots their probes reached when they went in */
};

#define HASH_MUL 0x9e3779b97f4a7c15u

static uint64_t mum(uint64_t a, uint64_t b) {
#ifdef __SIZEOF_INT128__
    unsigned __int128 r = (unsigned __int128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    uint64_t lo = (mid << 32) | (uint32_t)ll;
    uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return lo ^ hi;
#endif
}

/* A 64-bit hash of n bytes; reads only [p, p+n). */
static uint64_t hash_bytes(const uint8_t *p, size_t n) {
    const uint64_t k0 = 0xa0761d6478bd642fu, k1 = 0xe7037ed1a0b428dbu;
    uint64_t h = mum((uint64_t)n ^ k0, HASH_MUL);
    uint64_t a, b;
    if (n <= 16) {
        if (n >= 8) {
            a = enc_load_u64le(p);
            b = enc_load_u64le(p + n - 8);
        } else if (n >= 4) {
            a = enc_load_u32le(p);
            b = enc_load_u32le(p + n - 4);
        } else if (n > 0) {
            a = (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = n;
        while (i > 16) {
            h = mum(enc_load_u64le(p) ^ k0, enc_load_u64le(p + 8) ^ h);
            p += 16;
            i -= 16;
        }
        a = enc_load_u64le(p + i - 16);
        b = enc_load_u64le(p + i - 8);
    }
    return mum(k1 ^ n, mum(a ^ k1, b ^ h));
}

static uint64_t load_key(const uint8_t *p, int width) {
    uint64_t x = 0;
    for (int i = 0; i < width; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

static size_t slot_of(const struct enc_dict *d, uint64_t key) {
    return (size_t)((key * HASH_MUL) >> d->shift);
}

static int dict_set_cap(struct enc_dict *d, size_t cap) {
    struct dict_slot *s = pool_calloc(d->pool, cap, sizeof *s);
    RETURN_ERROR_IF(s == NULL, ERR_NOMEM);
    int lg = 0;
    while (((size_t)1 << lg) < cap)
        lg++;
    struct dict_slot *old = d->slot;
    size_t oldcap = d->cap;
    d->slot = s;
    d->cap = cap;
    d->shift = 64 - lg;
    d->moved |= d->count > 0;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].index1 == 0)
            continue;
        size_t j = slot_of(d, old[i].key);
        while (s[j].index1)
            j = (j + 1) & (cap - 1);
        s[j] = old[i];
    }
    pool_free(d->pool, old);
    return ERR_OK;
}

/* Make room for `more` bytes in *buf (capacity *cap): doubles, or grows
   just enough when doubling does not fit the pool. */
static int grow(pool_t *pool, void **buf, size_t *cap, size_t used, size_t more) {
    RETURN_ERROR_IF(more > SIZE_MAX - used, ERR_NOMEM);
    size_t need = used + more;
    if (need <= *cap)
        return ERR_OK;
    size_t want = *cap > need / 2 && *cap <= SIZE_MAX / 2 ? 2 * *cap : need;
    void *p = pool_realloc(pool, *buf, want);
    if (p == NULL && want > need)
        p = pool_realloc(pool, *buf, want = need);
    RETURN_ERROR_IF(p == NULL, ERR_NOMEM);
    *buf = p;
    *cap = want;
    return ERR_OK;
}

struct enc_dict *enc_dict_create(pool_t *pool, int kind, size_t hint) {
    if (kind < 0)
        return NULL;
    struct enc_dict *d = pool_alloc(pool, sizeof *d);
    if (d == NULL)
        return NULL;
    memset(d, 0, sizeof *d);
    d->pool = pool;
    d->width = kind;
    size_t cap = 16;
    while (cap / 2 < hint && cap < ((size_t)1 << 16))
        cap <<= 1;
    size_t per = kind ? (size_t)kind : 16;
    size_t vals = hint < 64 ? 64 : hint > 4096 ? 4096 : hint;
    d->arena_cap = vals * per;
    d->arena = pool_alloc(pool, d->arena_cap);
    if (kind == ENC_DICT_BYTES) {
        d->off_cap = cap / 2;
        d->off = pool_alloc(pool, d->off_cap * sizeof *d->off);
    }
    if (d->arena == NULL || (kind == ENC_DICT_BYTES && d->off == NULL) ||
        dict_set_cap(d, cap) != ERR_OK) {
        enc_dict_free(d);
        return NULL;
    }
    return d;
}

/* Add a value not in the table; pos is the empty slot its probe reached.
   Every allocation happens before any state changes, so ERR_NOMEM leaves
   the dictionary as it was. */
static int dict_add(struct enc_dict *d, size_t pos, uint64_t key,
                    const void *value, size_t n, uint32_t *index) {
    RETURN_ERROR_IF(d->count >= UINT32_MAX - 1, ERR_TOOBIG);
    size_t bytes = d->width ? n : n + 4;
    RETURN_ERROR_IF(d->width == 0 && bytes > UINT32_MAX - d->arena_len, ERR_TOOBIG);
    FORWARD_IF_ERROR(grow(d->pool, (void **)&d->arena, &d->arena_cap, d->arena_len, bytes));
    if (d->width == 0 && d->count == d->off_cap) {
        size_t cap = d->off_cap * sizeof *d->off;
        FORWARD_IF_ERROR(grow(d->pool, (void **)&d->off, &cap, cap, sizeof *d->off));
        d->off_cap = cap / sizeof *d->off;
    }
    if ((d->count + 1) * 2 > d->cap) {
        FORWARD_IF_ERROR(dict_set_cap(d, d->cap * 2));
        pos = slot_of(d, key);
        while (d->slot[pos].index1)
            pos = (pos + 1) & (d->cap - 1);
    }
    uint8_t *a = d->arena + d->arena_len;
    if (d->width == 0) {
        d->off[d->count] = (uint32_t)d->arena_len;
        enc_store_u32le(a, (uint32_t)n);
        a += 4;
    }
    if (n)
        memcpy(a, value, n);
    d->slot[pos].key = key;
    d->slot[pos].off = (uint32_t)d->arena_len;
    d->arena_len += bytes;
    d->slot[pos].index1 = (uint32_t)++d->count;
    *index = (uint32_t)(d->count - 1);
    return ERR_OK;
}

/* The slot of the byte array value (key its hash), or the empty slot its
   probe reaches. */
ENC_INLINE size_t probe_bytes(const struct enc_dict *d, uint64_t key, const uint8_t *value,
                              size_t n) {
    const struct dict_slot *s = d->slot;
    const size_t mask = d->cap - 1;
    size_t pos = slot_of(d, key);
    for (; s[pos].index1; pos = (pos + 1) & mask) {
        const uint8_t *a = d->arena + s[pos].off;
        if (s[pos].key == key && enc_load_u32le(a) == n && memcmp(a + 4, value, n) == 0)
            break;
    }
    return pos;
}

int enc_dict_insert(struct enc_dict *d, const void *value, size_t n, uint32_t *index) {
    const size_t mask = d->cap - 1;
    const struct dict_slot *s = d->slot;
    uint64_t key;
    size_t pos;

    if (d->width == 8 || d->width == 4) {
        RETURN_ERROR_IF(n != (size_t)d->width, ERR_INTERNAL);
        key = d->width == 8 ? enc_load_u64le(value) : enc_load_u32le(value);
        for (pos = slot_of(d, key); s[pos].index1; pos = (pos + 1) & mask) {
            if (s[pos].key == key) {
                *index = s[pos].index1 - 1;
                return ERR_OK;
            }
        }
    } else if (d->width == 0) {
        RETURN_ERROR_IF(n > UINT32_MAX - 4, ERR_TOOBIG);
        key = hash_bytes(value, n);
        pos = probe_bytes(d, key, value, n);
        if (s[pos].index1) {
            *index = s[pos].index1 - 1;
            return ERR_OK;
        }
    } else {
        RETURN_ERROR_IF(n != (size_t)d->width, ERR_INTERNAL);
        int exact = d->width <= 8;
        key = exact ? load_key(value, d->width) : hash_bytes(value, n);
        for (pos = slot_of(d, key); s[pos].index1; pos = (pos + 1) & mask) {
            if (s[pos].key == key &&
                (exact || memcmp(d->arena + (size_t)(s[pos].index1 - 1) * n, value, n) == 0)) {
                *index = s[pos].index1 - 1;
                return ERR_OK;
            }
        }
    }
    return dict_add(d, pos, key, value, n, index);
}

#if defined(__GNUC__) || defined(__clang__)
#  define ENC_PREFETCH(p) __builtin_prefetch(p)
#else
#  define ENC_PREFETCH(p) ((void)(p))
#endif

/* How far ahead of the value being inserted the slot of a later one (fixed
   widths: a large dictionary's table does not fit the cache) or its bytes
   (byte arrays, which lie apart in the caller's buffer) are fetched into
   the cache. */
#define DICT_AHEAD 16

/* The key of the fixed-width value at p (width 4 or 8, a constant). */
ENC_INLINE uint64_t fixed_key(const uint8_t *p, const int width) {
    return width == 8 ? enc_load_u64le(p) : enc_load_u32le(p);
}

/* enc_dict_insert_fixed for widths 4 and 8, the width a constant.  The
   limits change only when a value goes in, so they are checked then (and
   once before the first): the next value stops the loop as it would if
   checked before each. */
ENC_INLINE int insert_fixed(struct enc_dict *d, const uint8_t *v, size_t n, size_t max_plain,
                            size_t max_count, uint32_t *idx, size_t *done, const int width) {
    size_t i = 0;
    int e = ERR_OK;
    const struct dict_slot *s = d->slot;
    size_t mask = d->cap - 1;
    int shift = d->shift;
    if (d->arena_len + 4 + (size_t)width > max_plain || d->count >= max_count)
        n = 0;
    for (; i < n; i++) {
        if (i + DICT_AHEAD < n)
            ENC_PREFETCH(&s[(fixed_key(v + (i + DICT_AHEAD) * width, width) * HASH_MUL) >> shift]);
        uint64_t key = fixed_key(v + i * width, width);
        size_t pos = (size_t)((key * HASH_MUL) >> shift);
        while (s[pos].index1 && s[pos].key != key)
            pos = (pos + 1) & mask;
        if (s[pos].index1) {
            idx[i] = s[pos].index1 - 1;
            continue;
        }
        if (d->arena_len + width <= d->arena_cap && (d->count + 1) * 2 <= d->cap &&
            d->count < UINT32_MAX - 1) {
            /* dict_add without growing: room in the arena and the table */
            memcpy(d->arena + d->arena_len, v + i * width, (size_t)width);
            d->slot[pos].key = key;
            d->slot[pos].off = (uint32_t)d->arena_len;
            d->arena_len += (size_t)width;
            d->slot[pos].index1 = (uint32_t)++d->count;
            idx[i] = (uint32_t)(d->count - 1);
        } else {
            if ((e = dict_add(d, pos, key, v + i * width, (size_t)width, &idx[i])) != ERR_OK)
                break;
            s = d->slot;
            mask = d->cap - 1;
            shift = d->shift;
        }
        if (d->arena_len + 4 + (size_t)width > max_plain || d->count >= max_count) {
            i++;
            break;
        }
    }
    *done = i;
    return e;
}

int enc_dict_insert_fixed(struct enc_dict *d, const uint8_t *v, size_t n, size_t max_plain,
                          size_t max_count, uint32_t *idx, size_t *done) {
    *done = 0;
    RETURN_ERROR_IF(d->width == 0, ERR_INTERNAL);
    if (d->width == 8)
        return insert_fixed(d, v, n, max_plain, max_count, idx, done, 8);
    if (d->width == 4)
        return insert_fixed(d, v, n, max_plain, max_count, idx, done, 4);
    size_t w = (size_t)d->width, i = 0;
    int e = ERR_OK;
    for (; i < n; i++) {
        if (d->arena_len + 4 + w > max_plain || d->count >= max_count)
            break;
        if ((e = enc_dict_insert(d, v + i * w, w, &idx[i])) != ERR_OK)
            break;
    }
    *done = i;
    return e;
}

int enc_dict_insert_spans(struct enc_dict *d, const uint8_t *base, const struct enc_span *sp,
                          size_t n, size_t max_plain, size_t max_count, uint32_t *idx,
                          size_t *done) {
    *done = 0;
    RETURN_ERROR_IF(d->width != 0, ERR_INTERNAL);
    size_t i = 0;
    int e = ERR_OK;
    for (; i < n; i++) {
        if (i + DICT_AHEAD < n)
            ENC_PREFETCH(base + sp[i + DICT_AHEAD].off);
        const uint8_t *value = base + sp[i].off;
        size_t len = sp[i].len;
        if (d->arena_len + 4 + len > max_plain || d->count >= max_count)
            break;
        if (len > UINT32_MAX - 4) {
            e = ERR_TOOBIG;
            break;
        }
        uint64_t key = hash_bytes(value, len);
        size_t pos = probe_bytes(d, key, value, len);
        if (d->slot[pos].index1) {
            idx[i] = d->slot[pos].index1 - 1;
        } else if ((e = dict_add(d, pos, key, value, len, &idx[i])) != ERR_OK) {
            break;
        }
    }
    *done = i;
    return e;
}

const uint8_t *enc_dict_fixed_values(const struct enc_dict *d) {
    return d->width ? d->arena : NULL;
}

size_t enc_dict_count(const struct enc_dict *d) {
    return d->count;
}

size_t enc_dict_plain_size(const struct enc_dict *d) {
    return d->arena_len;
}

void enc_dict_write_plain(const struct enc_dict *d, uint8_t *out) {
    if (d->arena_len)
        memcpy(out, d->arena, d->arena_len);
}

const uint8_t *enc_dict_value(const struct enc_dict *d, uint32_t i, size_t *n) {
    if (i >= d->count) {
        *n = 0;
        return NULL;
    }
    if (d->width) {
        *n = (size_t)d->width;
        return d->arena + (size_t)i * (size_t)d->width;
    }
    const uint8_t *a = d->arena + d->off[i];
    *n = enc_load_u32le(a);
    return a + 4;
}

/* The key value i was inserted with (enc_dict_insert's: the value itself
   for widths up to 8, else its hash). */
static uint64_t key_of(const struct enc_dict *d, size_t i) {
    size_t n;
    const uint8_t *v = enc_dict_value(d, (uint32_t)i, &n);
    return d->width && d->width <= 8 ? load_key(v, d->width) : hash_bytes(v, n);
}

void enc_dict_reset(struct enc_dict *d) {
    if (!d->moved && d->count * 32 < d->cap) {
        /* A few values in a large table: empty their slots, the last
           inserted first, so that each is where its probe reached when it
           went in, past slots of earlier values only. */
        const size_t mask = d->cap - 1;
        for (size_t i = d->count; i-- > 0;) {
            size_t pos = slot_of(d, key_of(d, i));
            while (d->slot[pos].index1 != i + 1)
                pos = (pos + 1) & mask;
            d->slot[pos].index1 = 0;
        }
    } else {
        memset(d->slot, 0, d->cap * sizeof *d->slot);
    }
    d->moved = 0;
    d->count = 0;
    d->arena_len = 0;
}

void enc_dict_free(struct enc_dict *d) {
    if (d == NULL)
        return;
    pool_free(d->pool, d->slot);
    pool_free(d->pool, d->arena);
    pool_free(d->pool, d->off);
    pool_free(d->pool, d);
}

/* ---- DELTA_BINARY_PACKED ---- */

#define DELTA_BLOCK 128
#define DELTA_MINIBLOCKS 4
#define DELTA_MINI (DELTA_BLOCK / DELTA_MINIBLOCKS)

size_t enc_delta_binary_bound_width(size_t n, int width) {
    size_t blocks = n > 1 ? (n - 2) / DELTA_BLOCK + 1 : 0;
    /* Header: 2 + 1 + 10 + 10 bytes; a block: min delta, widths, bodies. */
    return 23 + blocks * (10 + DELTA_MINIBLOCKS + DELTA_BLOCK / 8 * (size_t)width);
}

size_t enc_delta_binary_bound(size_t n) {
    return enc_delta_binary_bound_width(n, 64);
}

/* Pack 32 values of w bits (0..64) into exactly 4*w bytes, LSB first
   (pack_tab's layout for w <= 32, which the encoder uses there). */
static uint8_t *pack64_32(const uint64_t *v, int w, uint8_t *o) {
    if (w == 0)
        return o;
    const uint64_t mask = w == 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
    uint64_t acc = 0;
    int bits = 0;
    for (int i = 0; i < 32; i++) {
        uint64_t x = v[i] & mask;
        acc |= x << bits;
        if (bits + w >= 64) {
            enc_store_u64le(o, acc);
            o += 8;
            acc = bits ? x >> (64 - bits) : 0;
            bits = bits + w - 64;
        } else {
            bits += w;
        }
    }
    if (bits) {
        enc_store_u32le(o, (uint32_t)acc);
        o += 4;
    }
    return o;
}

/* Unpack k <= 32 values of w bits (1..64) from a block of 32 starting at
   in, of which avail bytes exist (at least ceil(k*w/8)). */
static void unpack64_32(const uint8_t *in, size_t avail, uint64_t *v, size_t k, int w) {
    uint8_t t[4 * 64 + 8];
    const size_t bytes = 4 * (size_t)w;
    if (avail < bytes + 8) {
        size_t c = avail < bytes ? avail : bytes;
        memcpy(t, in, c);
        memset(t + c, 0, sizeof t - c);
        in = t;
    }
    const uint64_t mask = w == 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
    for (size_t i = 0; i < k; i++) {
        size_t bit = i * (size_t)w;
        unsigned sh = bit & 7;
        const uint8_t *q = in + bit / 8;
        uint64_t x = enc_load_u64le(q) >> sh;
        if (sh + (unsigned)w > 64)
            x |= (uint64_t)q[8] << (64 - sh);
        v[i] = x & mask;
    }
}

/* The deltas of the k values from v[i] on into d (each from the value
   before it; *prev holds the one before v[i] and ends as the last of
   them), taken modulo 2^64, or modulo 2^32 when v32 is given (INT32
   columns: every delta and width then fits 32 bits).  Returns their
   minimum. */
ENC_INLINE int64_t block_deltas(const int64_t *v64, const int32_t *v32, size_t i, size_t k,
                                int64_t *prev, int64_t *d) {
    int64_t min = INT64_MAX, p = *prev;
    for (size_t j = 0; j < k; j++) {
        int64_t cur;
        if (v32) {
            cur = v32[i + j];
            d[j] = (int32_t)(uint32_t)((uint64_t)cur - (uint64_t)p);
        } else {
            cur = v64[i + j];
            d[j] = (int64_t)((uint64_t)cur - (uint64_t)p);
        }
        p = cur;
        if (d[j] < min)
            min = d[j];
    }
    *prev = p;
    return min;
}

/* The bit width of miniblock m of a block of k deltas over min (the values
   past k count as 0). */
ENC_INLINE int miniblock_width(const int64_t *d, int64_t min, size_t k, size_t m) {
    uint64_t any = 0;
    for (size_t j = m * DELTA_MINI; j < (m + 1) * DELTA_MINI && j < k; j++)
        any |= (uint64_t)d[j] - (uint64_t)min;
    return enc_bit_width(any);
}

/* Encode with deltas taken as block_deltas takes them. */
static size_t delta_encode(const int64_t *v64, const int32_t *v32, size_t n, uint8_t *out) {
    uint8_t *o = out;
    o = put_uleb(o, DELTA_BLOCK);
    o = put_uleb(o, DELTA_MINIBLOCKS);
    o = put_uleb(o, n);
    if (n == 0)
        return (size_t)(put_uleb(o, 0) - out);
    int64_t prev = v32 ? v32[0] : v64[0];
    o = put_uleb(o, zigzag(prev));
    for (size_t i = 1; i < n; ) {
        int64_t d[DELTA_BLOCK];
        uint64_t rel[DELTA_BLOCK];
        size_t k = n - i < DELTA_BLOCK ? n - i : DELTA_BLOCK;
        int64_t min = block_deltas(v64, v32, i, k, &prev, d);
        for (size_t j = 0; j < DELTA_BLOCK; j++)
            rel[j] = j < k ? (uint64_t)d[j] - (uint64_t)min : 0;
        o = put_uleb(o, zigzag(min));
        uint8_t *widths = o;
        o += DELTA_MINIBLOCKS;
        for (size_t m = 0; m < DELTA_MINIBLOCKS; m++) {
            if (m * DELTA_MINI >= k) {
                widths[m] = 0;
                continue;
            }
            int w = miniblock_width(d, min, k, m);
            widths[m] = (uint8_t)w;
            if (w >= 1 && w <= 32) {  /* the same bits, packed at a constant width */
                uint32_t r32[DELTA_MINI];
                for (size_t j = 0; j < DELTA_MINI; j++)
                    r32[j] = (uint32_t)rel[m * DELTA_MINI + j];
                pack_tab[w](r32, o, 1);
                o += 4 * (size_t)w;
            } else {
                o = pack64_32(rel + m * DELTA_MINI, w, o);
            }
        }
        i += k;
    }
    return (size_t)(o - out);
}

/* put_uleb's length for v. */
static size_t uleb_len(uint64_t v) {
    size_t len = 1;
    for (; v >= 0x80; v >>= 7)
        len++;
    return len;
}

/* The bytes delta_encode writes, counted: the same headers, and per
   miniblock 32 values of its width (4 bytes per bit), without packing. */
static size_t delta_size(const int64_t *v64, const int32_t *v32, size_t n) {
    size_t size = uleb_len(DELTA_BLOCK) + uleb_len(DELTA_MINIBLOCKS) + uleb_len(n);
    if (n == 0)
        return size + uleb_len(0);
    int64_t prev = v32 ? v32[0] : v64[0];
    size += uleb_len(zigzag(prev));
    for (size_t i = 1; i < n; ) {
        int64_t d[DELTA_BLOCK];
        size_t k = n - i < DELTA_BLOCK ? n - i : DELTA_BLOCK;
        int64_t min = block_deltas(v64, v32, i, k, &prev, d);
        size += uleb_len(zigzag(min)) + DELTA_MINIBLOCKS;
        for (size_t m = 0; m < DELTA_MINIBLOCKS && m * DELTA_MINI < k; m++)
            size += 4 * (size_t)miniblock_width(d, min, k, m);
        i += k;
    }
    return size;
}

size_t enc_delta_binary_size(const int64_t *v, size_t n) {
    return delta_size(v, NULL, n);
}

size_t enc_delta_binary_size32(const int32_t *v, size_t n) {
    return delta_size(NULL, v, n);
}

size_t enc_delta_binary_encode(const int64_t *v, size_t n, uint8_t *out) {
    return delta_encode(v, NULL, n, out);
}

size_t enc_delta_binary_encode32(const int32_t *v, size_t n, uint8_t *out) {
    return delta_encode(NULL, v, n, out);
}

int enc_delta_binary_decode(const uint8_t *p, size_t len, int64_t *out, size_t n,
                            size_t *count, size_t *used) {
    size_t pos = 0;
    uint64_t block, minis, total, z;
    FORWARD_IF_ERROR(get_uleb(p, len, &pos, &block));
    FORWARD_IF_ERROR(get_uleb(p, len, &pos, &minis));
    FORWARD_IF_ERROR(get_uleb(p, len, &pos, &total));
    FORWARD_IF_ERROR(get_uleb(p, len, &pos, &z));
    RETURN_ERROR_IF(block == 0 || block % 128 || block > UINT32_MAX, ERR_CORRUPT);
    RETURN_ERROR_IF(minis == 0 || block % minis || block / minis % 32, ERR_CORRUPT);
    RETURN_ERROR_IF(total > n, ERR_CORRUPT);
    const size_t mini = (size_t)(block / minis);    /* values per miniblock */
    size_t done = 0;
    uint64_t prev = unzigzag(z);
    if (total > 0)
        out[done++] = (int64_t)prev;
    while (done < total) {
        uint64_t min;
        FORWARD_IF_ERROR(get_uleb(p, len, &pos, &z));
        min = unzigzag(z);
        RETURN_ERROR_IF(minis > len - pos, ERR_TRUNCATED);
        const uint8_t *widths = p + pos;
        pos += (size_t)minis;
        for (size_t m = 0; m < minis && done < total; m++) {
            int w = widths[m];
            RETURN_ERROR_IF(w > 64, ERR_CORRUPT);
            size_t k = total - done < mini ? (size_t)total - done : mini;
            size_t avail = len - pos;
            size_t need = k / 8 * (size_t)w + (k % 8 * (size_t)w + 7) / 8;
            RETURN_ERROR_IF(need > avail, ERR_TRUNCATED);
            if (w == 0) {
                for (size_t j = 0; j < k; j++)
                    out[done++] = (int64_t)(prev += min);
                continue;
            }
            for (size_t j = 0; j < k; j += 32) {
                uint64_t rel[32];
                size_t c = k - j < 32 ? k - j : 32;
                size_t at = j / 8 * (size_t)w;
                unpack64_32(p + pos + at, avail - at, rel, c, w);
                for (size_t i = 0; i < c; i++)
                    out[done++] = (int64_t)(prev += min + rel[i]);
            }
            size_t body = mini / 8 * (size_t)w;
            pos += body < avail ? body : avail;
        }
    }
    *count = (size_t)total;
    *used = pos;
    return ERR_OK;
}

/* ---- byte-array encodings ---- */

/* Check n decoded lengths against the avail bytes at data and record each
   value's place; *total receives the bytes they cover. */
static int place_values(const int64_t *lens, size_t n, const uint8_t *data, size_t avail,
                        struct enc_byte_array *out, size_t *total) {
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t l = lens[i];
        RETURN_ERROR_IF(l < 0, ERR_CORRUPT);
        RETURN_ERROR_IF((uint64_t)l > avail - at, ERR_TRUNCATED);
        RETURN_ERROR_IF(at > UINT32_MAX || (uint64_t)l > UINT32_MAX, ERR_TOOBIG);
        out->off[i] = (uint32_t)at;
        out->len[i] = (uint32_t)l;
        at += (size_t)l;
    }
    out->data = data;
    *total = at;
    return ERR_OK;
}

int enc_delta_length_decode(const uint8_t *p, size_t len, size_t n,
                            int64_t *tmp, struct enc_byte_array *out,
                            size_t *used) {
    size_t count, u, total;
    if (n == 0 && len == 0) {
        out->data = p;
        *used = 0;
        return ERR_OK;
    }
    FORWARD_IF_ERROR(enc_delta_binary_decode(p, len, tmp, n, &count, &u));
    RETURN_ERROR_IF(count != n, ERR_CORRUPT);
    FORWARD_IF_ERROR(place_values(tmp, n, p + u, len - u, out, &total));
    *used = u + total;
    return ERR_OK;
}

int enc_delta_byte_array_decode(const uint8_t *p, size_t len, size_t n,
                                int64_t *tmp, uint8_t *scratch,
                                size_t scratch_cap, struct enc_byte_array *out,
                                size_t *used) {
    size_t count, u1, u2, suffixes;
    const int64_t *prefix = tmp, *suffix = tmp + n;
    if (n == 0 && len == 0) {
        out->data = scratch;
        *used = 0;
        return ERR_OK;
    }
    FORWARD_IF_ERROR(enc_delta_binary_decode(p, len, tmp, n, &count, &u1));
    RETURN_ERROR_IF(count != n, ERR_CORRUPT);
    FORWARD_IF_ERROR(enc_delta_binary_decode(p + u1, len - u1, tmp + n, n, &count, &u2));
    RETURN_ERROR_IF(count != n, ERR_CORRUPT);
    const uint8_t *data = p + u1 + u2;
    FORWARD_IF_ERROR(place_values(suffix, n, data, len - u1 - u2, out, &suffixes));

    /* Validate the prefixes and size the rebuilt values before writing. */
    uint64_t need = 0, prev_len = 0;
    for (size_t i = 0; i < n; i++) {
        RETURN_ERROR_IF(prefix[i] < 0 || (uint64_t)prefix[i] > prev_len, ERR_CORRUPT);
        prev_len = (uint64_t)prefix[i] + out->len[i];
        need += prev_len;
        RETURN_ERROR_IF(need > UINT32_MAX, ERR_TOOBIG);
    }
    if (need > scratch_cap) {
        *used = (size_t)need;
        return ERR_TOOBIG;
    }
    size_t at = 0, prev_off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t pl = (size_t)prefix[i], sl = out->len[i];
        if (pl)
            memcpy(scratch + at, scratch + prev_off, pl);
        if (sl)
            memcpy(scratch + at + pl, data + out->off[i], sl);
        out->off[i] = (uint32_t)at;
        out->len[i] = (uint32_t)(pl + sl);
        prev_off = at;
        at += pl + sl;
    }
    out->data = scratch;
    *used = u1 + u2 + suffixes;
    return ERR_OK;
}

/* ---- BYTE_STREAM_SPLIT ---- */

ENC_INLINE void bss_gather(const uint8_t *p, uint8_t *out, size_t n, const size_t w) {
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < w; k++)
            out[i * w + k] = p[k * n + i];
}

ENC_INLINE void bss_scatter(const uint8_t *v, uint8_t *out, size_t n, const size_t w) {
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < w; k++)
            out[k * n + i] = v[i * w + k];
}

int enc_byte_stream_split_decode(const uint8_t *p, size_t len, size_t width,
                                 uint8_t *out, size_t n) {
    RETURN_ERROR_IF(width == 0, ERR_CORRUPT);
    RETURN_ERROR_IF(n > SIZE_MAX / width || len != n * width, ERR_CORRUPT);
    switch (width) {
    case 2: bss_gather(p, out, n, 2); break;
    case 4: bss_gather(p, out, n, 4); break;
    case 8: bss_gather(p, out, n, 8); break;
    default:
        for (size_t k = 0; k < width; k++)
            for (size_t i = 0; i < n; i++)
                out[i * width + k] = p[k * n + i];
    }
    return ERR_OK;
}

void enc_byte_stream_split_encode(const uint8_t *v, size_t n, size_t width, uint8_t *out) {
    switch (width) {
    case 2: bss_scatter(v, out, n, 2); break;
    case 4: bss_scatter(v, out, n, 4); break;
    case 8: bss_scatter(v, out, n, 8); break;
    default:
        for (size_t k = 0; k < width; k++)
            for (size_t i = 0; i < n; i++)
                out[k * n + i] = v[i * width + k];
    }
}
