#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <zlib.h>
#include <zstd.h>
#include <lz4.h>
#include <lz4frame.h>

#include "codec.h"
#include "err.h"
#include "pool.h"

#define BIG_POOL ((size_t)256 << 20)

/* ---- helpers ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static uint8_t *random_bytes(size_t n) {
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(rng() >> 32);
    return p;
}

/* CSV-like text: repetitive in shape, varied in values. */
static uint8_t *csv_text(size_t n) {
    static const char *const city[] = {
        "Amsterdam", "Berlin", "Chicago", "Dakar", "Edinburgh", "Florence",
        "Geneva", "Hanoi", "Istanbul", "Johannesburg"
    };
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    size_t pos = 0;
    unsigned long id = 1;
    char line[128];
    while (pos < n) {
        int len = snprintf(line, sizeof line, "%lu,%s,%u.%02u,2024-%02u-%02u\n",
                           id++, city[rng() % 10], (unsigned)(rng() % 1000),
                           (unsigned)(rng() % 100), (unsigned)(rng() % 12 + 1),
                           (unsigned)(rng() % 28 + 1));
        size_t take = n - pos < (size_t)len ? n - pos : (size_t)len;
        memcpy(p + pos, line, take);
        pos += take;
    }
    return p;
}

/* A copy of n bytes in a buffer of exactly n bytes, so that ASan flags any
   read past the end. */
static uint8_t *exact_copy(const uint8_t *src, size_t n) {
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    if (n)
        memcpy(p, src, n);
    return p;
}

static int snappy_vector(const uint8_t *comp, size_t comp_len,
                         const void *expect, size_t expect_len) {
    uint8_t *in = exact_copy(comp, comp_len);
    uint8_t *out = malloc(expect_len ? expect_len : 1);
    assert_non_null(out);
    int err = snappy_decompress(in, comp_len, out, expect_len);
    if (err == ERR_OK)
        assert_memory_equal(out, expect, expect_len);
    free(in);
    free(out);
    return err;
}

static size_t snappy_pack(const uint8_t *src, size_t n, uint8_t **out) {
    *out = malloc(snappy_bound(n));
    assert_non_null(*out);
    size_t len = snappy_compress(src, n, *out);
    assert_true(len <= snappy_bound(n));
    return len;
}

static void snappy_round_trip(const uint8_t *src, size_t n) {
    uint8_t *comp;
    size_t clen = snappy_pack(src, n, &comp);
    size_t announced = (size_t)-1;
    assert_int_equal(snappy_uncompressed_length(comp, clen, &announced),
                     ERR_OK);
    assert_int_equal(announced, n);
    uint8_t *in = exact_copy(comp, clen);
    uint8_t *out = malloc(n ? n : 1);
    assert_non_null(out);
    assert_int_equal(snappy_decompress(in, clen, out, n), ERR_OK);
    if (n)
        assert_memory_equal(out, src, n);
    free(in);
    free(out);
    free(comp);
}

/* Compress with a fresh context and decompress through codec_decompress. */
static void codec_round_trip(pool_t *pool, int codec, int level,
                             const uint8_t *src, size_t n, size_t *clen_out) {
    struct codec_ctx *ctx;
    assert_int_equal(codec_create(pool, codec, level, &ctx), ERR_OK);
    size_t cap = codec_bound(codec, n);
    uint8_t *comp = malloc(cap ? cap : 1);
    assert_non_null(comp);
    size_t clen = 0;
    assert_int_equal(codec_compress(ctx, src, n, comp, cap, &clen), ERR_OK);
    assert_true(clen <= cap);
    uint8_t *in = exact_copy(comp, clen);
    uint8_t *out = malloc(n ? n : 1);
    assert_non_null(out);
    assert_int_equal(codec_decompress(pool, codec, in, clen, out, n), ERR_OK);
    if (n)
        assert_memory_equal(out, src, n);
    if (clen_out)
        *clen_out = clen;
    free(in);
    free(out);
    free(comp);
    codec_free(ctx);
}

static int decompress_exact(pool_t *pool, int codec, const uint8_t *comp,
                            size_t clen, const uint8_t *expect, size_t n) {
    uint8_t *in = exact_copy(comp, clen);
    uint8_t *out = malloc(n ? n : 1);
    assert_non_null(out);
    int err = codec_decompress(pool, codec, in, clen, out, n);
    if (err == ERR_OK && n)
        assert_memory_equal(out, expect, n);
    free(in);
    free(out);
    return err;
}

static size_t compress_with(struct codec_ctx *ctx, int codec,
                            const uint8_t *src, size_t n, uint8_t **out) {
    size_t cap = codec_bound(codec, n);
    *out = malloc(cap);
    assert_non_null(*out);
    size_t clen = 0;
    assert_int_equal(codec_compress(ctx, src, n, *out, cap, &clen), ERR_OK);
    return clen;
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint64_t load_le64_test(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* ---- names ---- */

static void test_codec_name(void **state) {
    (void)state;
    static const char *const expect[] = {
        "UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD",
        "LZ4_RAW"
    };
    for (int i = 0; i < 8; i++)
        assert_string_equal(codec_name(i), expect[i]);
    assert_string_equal(codec_name(-1), "UNKNOWN");
    assert_string_equal(codec_name(8), "UNKNOWN");
    assert_string_equal(codec_name(1000), "UNKNOWN");
}

/* ---- snappy known vectors (format_description.txt) ---- */

static void test_snappy_vectors(void **state) {
    (void)state;

    /* literal only: tag (5-1)<<2 */
    static const uint8_t lit[] = { 0x05, 0x10, 'h', 'e', 'l', 'l', 'o' };
    assert_int_equal(snappy_vector(lit, sizeof lit, "hello", 5), ERR_OK);

    /* "xababab" = <literal "xab"> <copy-1 offset=2 length=4> */
    static const uint8_t c1[] = { 0x07, 0x08, 'x', 'a', 'b', 0x01, 0x02 };
    assert_int_equal(snappy_vector(c1, sizeof c1, "xababab", 7), ERR_OK);

    /* copy-2: <literal "abcd"> <copy-2 offset=4 length=8> */
    static const uint8_t c2[] = { 0x0c, 0x0c, 'a', 'b', 'c', 'd',
                                  0x1e, 0x04, 0x00 };
    assert_int_equal(snappy_vector(c2, sizeof c2, "abcdabcdabcd", 12), ERR_OK);

    /* copy-4: <literal "abc"> <copy-4 offset=3 length=6> */
    static const uint8_t c4[] = { 0x09, 0x08, 'a', 'b', 'c',
                                  0x17, 0x03, 0x00, 0x00, 0x00 };
    assert_int_equal(snappy_vector(c4, sizeof c4, "abcabcabc", 9), ERR_OK);

    /* run: <literal "a"> <copy-2 offset=1 length=64> */
    static const uint8_t run[] = { 0x41, 0x00, 'a', 0xfe, 0x01, 0x00 };
    char a65[65];
    memset(a65, 'a', sizeof a65);
    assert_int_equal(snappy_vector(run, sizeof run, a65, 65), ERR_OK);

    /* empty stream */
    static const uint8_t empty[] = { 0x00 };
    assert_int_equal(snappy_vector(empty, 1, "", 0), ERR_OK);

    /* literal of 61 bytes: tag 60<<2, one length byte (len-1) */
    uint8_t buf[2048];
    uint8_t *r = random_bytes(1200);
    buf[0] = 61;
    buf[1] = 60 << 2;
    buf[2] = 60;
    memcpy(buf + 3, r, 61);
    assert_int_equal(snappy_vector(buf, 3 + 61, r, 61), ERR_OK);

    /* literal of 1000 bytes (tag 61<<2, two length bytes), then a copy-1
       whose offset uses the tag's upper bits: offset 1000, length 11 */
    uint8_t expect[1011];
    memcpy(expect, r, 1000);
    memcpy(expect + 1000, r, 11);
    size_t k = 0;
    buf[k++] = 0xf3;                       /* varint 1011 = 0x3f3 */
    buf[k++] = 0x07;
    buf[k++] = 61 << 2;
    buf[k++] = (uint8_t)(999 & 0xff);
    buf[k++] = (uint8_t)(999 >> 8);
    memcpy(buf + k, r, 1000);
    k += 1000;
    buf[k++] = (uint8_t)(1 | (11 - 4) << 2 | (1000 >> 8) << 5);
    buf[k++] = (uint8_t)(1000 & 0xff);
    assert_int_equal(snappy_vector(buf, k, expect, sizeof expect), ERR_OK);
    free(r);

    /* the preamble example of the format description */
    static const uint8_t pre[] = { 0xfe, 0xff, 0x7f };
    size_t len = 0;
    assert_int_equal(snappy_uncompressed_length(pre, sizeof pre, &len), ERR_OK);
    assert_int_equal(len, 2097150);
    static const uint8_t pre_max[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
    assert_int_equal(snappy_uncompressed_length(pre_max, 5, &len), ERR_OK);
    assert_int_equal(len, 0xffffffffu);
}

/* A copy-4 element reaching back past 64 KiB, after a literal with a
   three-byte length. */
static void test_snappy_far_copy4(void **state) {
    (void)state;
    const size_t lit = 70000, copy = 64, total = lit + copy;
    uint8_t *r = random_bytes(lit);
    uint8_t *buf = malloc(lit + 32);
    uint8_t *expect = malloc(total);
    assert_non_null(buf);
    assert_non_null(expect);
    memcpy(expect, r, lit);
    memcpy(expect + lit, r, copy);
    size_t k = 0;
    for (size_t v = total; ; v >>= 7) {
        buf[k++] = (uint8_t)(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
        if (v < 0x80)
            break;
    }
    buf[k++] = 62 << 2;
    buf[k++] = (uint8_t)((lit - 1) & 0xff);
    buf[k++] = (uint8_t)((lit - 1) >> 8 & 0xff);
    buf[k++] = (uint8_t)((lit - 1) >> 16);
    memcpy(buf + k, r, lit);
    k += lit;
    buf[k++] = (uint8_t)(3 | (copy - 1) << 2);
    buf[k++] = (uint8_t)(lit & 0xff);
    buf[k++] = (uint8_t)(lit >> 8 & 0xff);
    buf[k++] = (uint8_t)(lit >> 16 & 0xff);
    buf[k++] = 0;
    assert_int_equal(snappy_vector(buf, k, expect, total), ERR_OK);
    free(r);
    free(buf);
    free(expect);
}

/* Overlapping copies (offset < length) of every short offset and length,
   with and without room after them, against a byte-by-byte expansion. */
static void test_snappy_overlap(void **state) {
    (void)state;
    uint8_t *r = random_bytes(200);
    uint8_t stream[512], expect[512];
    for (size_t offset = 1; offset <= 20; offset++) {
        for (size_t len = 1; len <= 64; len++) {
            for (size_t tail = 0; tail <= 100; tail += 100) {
                size_t total = offset + len + tail, k = 0;
                stream[k++] = (uint8_t)(total | 0x80);
                stream[k++] = (uint8_t)(total >> 7);
                stream[k++] = (uint8_t)((offset - 1) << 2);
                memcpy(stream + k, r, offset);
                k += offset;
                stream[k++] = (uint8_t)(2 | (len - 1) << 2);
                stream[k++] = (uint8_t)offset;
                stream[k++] = 0;
                if (tail) {
                    stream[k++] = 61 << 2;
                    stream[k++] = (uint8_t)(tail - 1);
                    stream[k++] = 0;
                    memcpy(stream + k, r + 100, tail);
                    k += tail;
                }
                memcpy(expect, r, offset);
                for (size_t i = 0; i < len; i++)
                    expect[offset + i] = expect[i];
                memcpy(expect + offset + len, r + 100, tail);
                assert_int_equal(snappy_vector(stream, k, expect, total),
                                 ERR_OK);
            }
        }
    }
    free(r);
}

/* ---- snappy compressor ---- */

static void test_snappy_compressor_output(void **state) {
    (void)state;
    uint8_t out[64];

    /* too short to search for matches: one literal */
    size_t n = snappy_compress((const uint8_t *)"hello", 5, out);
    static const uint8_t hello[] = { 0x05, 0x10, 'h', 'e', 'l', 'l', 'o' };
    assert_int_equal(n, sizeof hello);
    assert_memory_equal(out, hello, sizeof hello);

    n = snappy_compress((const uint8_t *)"", 0, out);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 0);

    /* a run compresses to a literal and a few copies */
    uint8_t run[1000];
    memset(run, 'z', sizeof run);
    uint8_t comp[1200];
    n = snappy_compress(run, sizeof run, comp);
    assert_true(n < 64);
    assert_int_equal(snappy_vector(comp, n, run, sizeof run), ERR_OK);

    /* repeated phrase */
    const char *s = "the quick brown fox jumps over the lazy dog; "
                    "the quick brown fox jumps over the lazy dog; "
                    "the quick brown fox jumps over the lazy cat.";
    n = snappy_compress((const uint8_t *)s, strlen(s), comp);
    assert_true(n < strlen(s) / 2);
    assert_int_equal(snappy_vector(comp, n, s, strlen(s)), ERR_OK);
}

static void test_snappy_round_trips(void **state) {
    (void)state;
    snappy_round_trip((const uint8_t *)"", 0);
    snappy_round_trip((const uint8_t *)"x", 1);

    /* every small size, and sizes around the block boundary */
    uint8_t *text = csv_text(300000);
    for (size_t n = 0; n <= 300; n++)
        snappy_round_trip(text, n);
    static const size_t edge[] = { 65535, 65536, 65537, 131071, 131072,
                                   131073, 65536 * 3 + 15, 65536 * 3 + 16 };
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++)
        snappy_round_trip(text, edge[i]);
    free(text);

    /* random data does not compress but stays inside the bound */
    uint8_t *r = random_bytes(100000);
    uint8_t *comp;
    size_t clen = snappy_pack(r, 100000, &comp);
    assert_true(clen >= 100000);
    free(comp);
    snappy_round_trip(r, 100000);
    free(r);

    /* 1 MB of CSV-like text compresses well */
    text = csv_text(1 << 20);
    clen = snappy_pack(text, 1 << 20, &comp);
    assert_true(clen < (1 << 20) / 2);
    free(comp);
    snappy_round_trip(text, 1 << 20);
    free(text);

    /* matches that lie beyond 64 KiB: a random block repeated; the
       compressor cannot reach them, and must still be correct */
    size_t half = 200000;
    uint8_t *rep = random_bytes(2 * half);
    memcpy(rep + half, rep, half);
    snappy_round_trip(rep, 2 * half);
    /* long runs: matches longer than 64 bytes, split into several copies */
    memset(rep, 'q', half);
    snappy_round_trip(rep, 2 * half);
    clen = snappy_pack(rep, half, &comp);
    assert_true(clen < half / 20);
    free(comp);
    free(rep);
}

/* ---- snappy hostile input ---- */

static void test_snappy_hostile(void **state) {
    (void)state;

    /* copy offset beyond what has been written */
    static const uint8_t far[] = { 0x05, 0x00, 'a', 0x01, 0x02 };
    assert_int_equal(snappy_vector(far, sizeof far, "aaaaa", 5), ERR_CODEC);
    static const uint8_t far2[] = { 0x05, 0x00, 'a', 0x0e, 0x02, 0x00 };
    assert_int_equal(snappy_vector(far2, sizeof far2, "aaaaa", 5), ERR_CODEC);
    static const uint8_t far4[] = { 0x05, 0x00, 'a', 0x0f, 0x00, 0x00, 0x01,
                                    0x00 };
    assert_int_equal(snappy_vector(far4, sizeof far4, "aaaaa", 5), ERR_CODEC);
    /* offset 0 */
    static const uint8_t zero[] = { 0x05, 0x00, 'a', 0x01, 0x00 };
    assert_int_equal(snappy_vector(zero, sizeof zero, "aaaaa", 5), ERR_CODEC);
    static const uint8_t zero2[] = { 0x05, 0x00, 'a', 0x0e, 0x00, 0x00 };
    assert_int_equal(snappy_vector(zero2, sizeof zero2, "aaaaa", 5), ERR_CODEC);
    /* stream starting with a copy */
    static const uint8_t first[] = { 0x04, 0x01, 0x01 };
    assert_int_equal(snappy_vector(first, sizeof first, "aaaa", 4), ERR_CODEC);

    /* preamble mismatch, both ways */
    static const uint8_t lit[] = { 0x05, 0x10, 'h', 'e', 'l', 'l', 'o' };
    assert_int_equal(snappy_vector(lit, sizeof lit, "hell", 4), ERR_CODEC);
    assert_int_equal(snappy_vector(lit, sizeof lit, "hello!", 6), ERR_CODEC);
    /* preamble larger than the data that follows */
    static const uint8_t short_out[] = { 0x06, 0x10, 'h', 'e', 'l', 'l', 'o' };
    assert_int_equal(snappy_vector(short_out, sizeof short_out, "hello!", 6),
                     ERR_CODEC);
    /* ... even when the elements alone would fill dst_len exactly */
    assert_int_equal(snappy_vector(short_out, sizeof short_out, "hello", 5),
                     ERR_CODEC);
    static const uint8_t long_pre[] = { 0x04, 0x10, 'h', 'e', 'l', 'l', 'o' };
    assert_int_equal(snappy_vector(long_pre, sizeof long_pre, "hello", 5),
                     ERR_CODEC);

    /* literal running past the end of the input */
    static const uint8_t past_in[] = { 0x0a, 0x24, 'a', 'b', 'c' };
    assert_int_equal(snappy_vector(past_in, sizeof past_in, "abcdefghij", 10),
                     ERR_CODEC);
    /* literal running past the announced output */
    static const uint8_t past_out[] = { 0x02, 0x08, 'a', 'b', 'c' };
    assert_int_equal(snappy_vector(past_out, sizeof past_out, "ab", 2),
                     ERR_CODEC);
    /* long literal whose length bytes are missing, or are huge */
    static const uint8_t no_len[] = { 0x05, 0xf4, 0x01 };
    assert_int_equal(snappy_vector(no_len, sizeof no_len, "aaaaa", 5),
                     ERR_CODEC);
    static const uint8_t huge_len[] = { 0x05, 0xfc, 0xff, 0xff, 0xff, 0xff,
                                        'a' };
    assert_int_equal(snappy_vector(huge_len, sizeof huge_len, "aaaaa", 5),
                     ERR_CODEC);
    /* copy running past the announced output */
    static const uint8_t copy_past[] = { 0x05, 0x00, 'a', 0x0d, 0x01 };
    assert_int_equal(snappy_vector(copy_past, sizeof copy_past, "aaaaa", 5),
                     ERR_CODEC);
    /* copy elements cut short */
    static const uint8_t cut1[] = { 0x05, 0x00, 'a', 0x01 };
    assert_int_equal(snappy_vector(cut1, sizeof cut1, "aaaaa", 5), ERR_CODEC);
    static const uint8_t cut2[] = { 0x05, 0x00, 'a', 0x0e, 0x01 };
    assert_int_equal(snappy_vector(cut2, sizeof cut2, "aaaaa", 5), ERR_CODEC);
    static const uint8_t cut4[] = { 0x05, 0x00, 'a', 0x0f, 0x01, 0x00, 0x00 };
    assert_int_equal(snappy_vector(cut4, sizeof cut4, "aaaaa", 5), ERR_CODEC);
    /* the same elements complete are fine */
    static const uint8_t ok4[] = { 0x05, 0x00, 'a', 0x0f, 0x01, 0x00, 0x00,
                                   0x00 };
    assert_int_equal(snappy_vector(ok4, sizeof ok4, "aaaaa", 5), ERR_OK);
    /* data after the output is complete */
    static const uint8_t extra[] = { 0x01, 0x00, 'a', 0x00, 'b' };
    assert_int_equal(snappy_vector(extra, sizeof extra, "a", 1), ERR_CODEC);

    /* malformed preambles */
    assert_int_equal(snappy_vector((const uint8_t *)"", 0, "", 0), ERR_CODEC);
    static const uint8_t cont[] = { 0x80 };
    assert_int_equal(snappy_vector(cont, 1, "", 0), ERR_CODEC);
    static const uint8_t six[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
    assert_int_equal(snappy_vector(six, sizeof six, "", 0), ERR_CODEC);
    static const uint8_t over[] = { 0xff, 0xff, 0xff, 0xff, 0x1f };
    size_t len;
    assert_int_equal(snappy_uncompressed_length(over, sizeof over, &len),
                     ERR_CODEC);
    assert_int_equal(snappy_uncompressed_length(cont, 1, &len), ERR_CODEC);
}

/* Every proper prefix of a valid stream is rejected. */
static void test_snappy_truncated(void **state) {
    (void)state;
    size_t n = 20000;
    uint8_t *text = csv_text(n);
    uint8_t *r = random_bytes(3000);
    memcpy(text + 5000, r, 3000);      /* long literals too */
    uint8_t *comp;
    size_t clen = snappy_pack(text, n, &comp);
    uint8_t *out = malloc(n);
    assert_non_null(out);
    for (size_t k = 0; k < clen; k++) {
        uint8_t *in = exact_copy(comp, k);
        assert_int_equal(snappy_decompress(in, k, out, n), ERR_CODEC);
        free(in);
    }
    assert_int_equal(snappy_vector(comp, clen, text, n), ERR_OK);
    free(out);
    free(comp);
    free(text);
    free(r);
}

/* Random corruption never crashes nor writes out of bounds (ASan checks
   the exact-size buffers). */
static void test_snappy_mutations(void **state) {
    (void)state;
    size_t n = 4000;
    uint8_t *text = csv_text(n);
    uint8_t *comp;
    size_t clen = snappy_pack(text, n, &comp);
    uint8_t *out = malloc(n);
    assert_non_null(out);
    int ok = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t *in = exact_copy(comp, clen);
        int flips = 1 + (int)(rng() % 4);
        for (int f = 0; f < flips; f++)
            in[1 + rng() % (clen - 1)] ^= (uint8_t)(1u << (rng() % 8));
        int err = snappy_decompress(in, clen, out, n);
        assert_true(err == ERR_OK || err == ERR_CODEC);
        ok += err == ERR_OK;
        free(in);
    }
    assert_true(ok < 20000);
    free(out);
    free(comp);
    free(text);
}

/* ---- every codec: round trips ---- */

static void test_round_trips(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    size_t n = 1 << 20;
    uint8_t *text = csv_text(n);
    uint8_t *r = random_bytes(100000);

    static const struct { int codec, level; } cases[] = {
        { CODEC_UNCOMPRESSED, 0 }, { CODEC_SNAPPY, 0 },
        { CODEC_GZIP, 0 }, { CODEC_GZIP, 1 }, { CODEC_GZIP, 9 },
        { CODEC_ZSTD, 0 }, { CODEC_ZSTD, 1 }, { CODEC_ZSTD, 19 },
        { CODEC_ZSTD, -5 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t clen;
        codec_round_trip(pool, cases[i].codec, cases[i].level, text, n, &clen);
        if (cases[i].codec == CODEC_UNCOMPRESSED)
            assert_int_equal(clen, n);
        else
            assert_true(clen < n / 2);
        codec_round_trip(pool, cases[i].codec, cases[i].level, r, 100000,
                         NULL);
        codec_round_trip(pool, cases[i].codec, cases[i].level, text, 0, NULL);
        codec_round_trip(pool, cases[i].codec, cases[i].level, text, 1, NULL);
    }
    free(text);
    free(r);
    assert_int_equal(pool_live(pool), 0);
    assert_int_equal(pool_destroy(pool), 0);
}

/* Levels reach the library: a higher level gives a smaller result. */
static void test_levels(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    size_t n = 1 << 20;
    uint8_t *text = csv_text(n);
    size_t lo, hi, def;
    codec_round_trip(pool, CODEC_GZIP, 1, text, n, &lo);
    codec_round_trip(pool, CODEC_GZIP, 9, text, n, &hi);
    codec_round_trip(pool, CODEC_GZIP, 0, text, n, &def);
    assert_true(hi < lo);
    uint8_t *ref = malloc(compressBound(n));
    assert_non_null(ref);
    uLongf ref_len = compressBound(n);
    assert_int_equal(compress2(ref, &ref_len, text, n, 6), Z_OK);
    assert_int_equal(def, ref_len - 6 + 18);   /* zlib wrapper vs gzip's */
    free(ref);

    codec_round_trip(pool, CODEC_ZSTD, 1, text, n, &lo);
    codec_round_trip(pool, CODEC_ZSTD, 19, text, n, &hi);
    codec_round_trip(pool, CODEC_ZSTD, 0, text, n, &def);
    assert_true(hi < lo);
    size_t cap = ZSTD_compressBound(n);
    uint8_t *zref = malloc(cap);
    assert_non_null(zref);
    size_t zlen = ZSTD_compress(zref, cap, text, n, 3);
    assert_false(ZSTD_isError(zlen));
    assert_int_equal(def, zlen);
    free(zref);
    free(text);

    struct codec_ctx *ctx = NULL;
    assert_int_equal(codec_create(pool, CODEC_GZIP, 10, &ctx), ERR_UNSUPPORTED);
    assert_null(ctx);
    assert_int_equal(codec_create(pool, CODEC_GZIP, -1, &ctx), ERR_UNSUPPORTED);
    assert_int_equal(codec_create(pool, CODEC_ZSTD, ZSTD_maxCLevel() + 1, &ctx),
                     ERR_UNSUPPORTED);
    assert_int_equal(pool_destroy(pool), 0);
}

/* One context compresses many pages; each result stands alone. */
static void test_context_reuse(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    static const int codecs[] = { CODEC_UNCOMPRESSED, CODEC_SNAPPY, CODEC_GZIP,
                                  CODEC_ZSTD };
    uint8_t *text = csv_text(300000);
    uint8_t *r = random_bytes(50000);
    for (size_t c = 0; c < 4; c++) {
        struct codec_ctx *ctx;
        assert_int_equal(codec_create(pool, codecs[c], 0, &ctx), ERR_OK);
        for (int page = 0; page < 12; page++) {
            const uint8_t *src = page % 3 == 2 ? r : text + page * 1000;
            size_t n = page % 3 == 2 ? 50000 : 100000 + (size_t)page * 7;
            uint8_t *comp;
            size_t clen = compress_with(ctx, codecs[c], src, n, &comp);
            assert_int_equal(decompress_exact(pool, codecs[c], comp, clen, src,
                                              n), ERR_OK);
            free(comp);
        }
        codec_free(ctx);
    }
    free(text);
    free(r);
    assert_int_equal(pool_destroy(pool), 0);
}

/* The kinds of data a static zstd context is tuned to: every kind fits the
   workspace codec_set_max_input() took (exactly codec_workspace()), each
   page stands alone whatever the kind before it, a page of 8-byte values
   that come back compresses better as CODEC_DATA_VALUES8, and one of
   deltas packed at 33 bits (whole seconds in microseconds) no worse as
   CODEC_DATA_PACKED, whose tables are a fraction of the level's. */
static void test_data_kinds(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    const size_t max = 1 << 20;
    struct codec_ctx *ctx;
    assert_int_equal(codec_create(pool, CODEC_ZSTD, 0, &ctx), ERR_OK);
    size_t before = pool_used(pool);
    assert_int_equal(codec_set_max_input(ctx, max), ERR_OK);
    assert_true(pool_used(pool) + (16 << 10) >= before + codec_workspace(CODEC_ZSTD, 0, max));
    assert_true(pool_used(pool) < before + codec_workspace(CODEC_ZSTD, 0, max) + (64 << 10));
    /* 100000 values drawn from 150000: a third of them come back */
    size_t nv = 100000, n = nv * 8;
    uint8_t *vals = malloc(n);
    assert_non_null(vals);
    uint32_t seed = 7;
    for (size_t i = 0; i < nv; i++) {
        seed = seed * 1103515245u + 12345u;
        double d = -74.0 + (double)((seed >> 8) % 150000) * 1e-6;
        memcpy(vals + i * 8, &d, 8);
    }
    uint8_t *text = csv_text(max);
    /* deltas of trip ends (up to an hour after starts 0 to 3 s apart) in
       microseconds, less the smallest, packed at 33 bits */
    size_t np = 60000, plen = np / 8 * 33;
    uint8_t *packed = calloc(plen + 8, 1);
    assert_non_null(packed);
    int64_t start = 0, last = 0;
    for (size_t i = 0; i < np; i++) {
        seed = seed * 1103515245u + 12345u;
        start += (seed >> 8) % 4;
        seed = seed * 1103515245u + 12345u;
        int64_t end = (start + 60 + (int64_t)((seed >> 8) % 3541)) * 1000000;
        uint64_t d = (uint64_t)(end - last + 3600000000ll);
        last = end;
        for (int b = 0; b < 33; b++)
            if (d >> b & 1)
                packed[(i * 33 + (size_t)b) / 8] |= (uint8_t)(1u << ((i * 33 + (size_t)b) % 8));
    }
    size_t sizes[CODEC_DATA_PACKED + 1][2];
    static const int kinds[] = { CODEC_DATA_ANY, CODEC_DATA_VALUES8, CODEC_DATA_TEXT,
                                 CODEC_DATA_IDS, CODEC_DATA_PACKED, CODEC_DATA_VALUES8,
                                 CODEC_DATA_ANY };
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        codec_set_data(ctx, kinds[k]);
        for (int page = 0; page < 3; page++) {
            const uint8_t *src = page == 0 ? vals : page == 1 ? packed : text;
            size_t len = page == 0 ? n : page == 1 ? plen : max;
            uint8_t *comp;
            size_t clen = compress_with(ctx, CODEC_ZSTD, src, len, &comp);
            assert_int_equal(decompress_exact(pool, CODEC_ZSTD, comp, clen, src, len), ERR_OK);
            if (page < 2 && k <= CODEC_DATA_PACKED)
                sizes[k][page] = clen;
            free(comp);
        }
    }
    assert_true(sizes[CODEC_DATA_VALUES8][0] < sizes[CODEC_DATA_ANY][0] * 95 / 100);
    assert_true(sizes[CODEC_DATA_PACKED][1] <= sizes[CODEC_DATA_ANY][1] * 101 / 100);
    assert_true(sizes[CODEC_DATA_PACKED][1] < plen * 95 / 100);   /* it finds repeats */
    free(packed);
    /* other codecs take the hint and ignore it */
    struct codec_ctx *g;
    assert_int_equal(codec_create(pool, CODEC_GZIP, 0, &g), ERR_OK);
    codec_set_data(g, CODEC_DATA_VALUES8);
    uint8_t *comp;
    size_t clen = compress_with(g, CODEC_GZIP, vals, n, &comp);
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, comp, clen, vals, n), ERR_OK);
    free(comp);
    codec_free(g);
    codec_free(ctx);
    free(vals);
    free(text);
    assert_int_equal(pool_destroy(pool), 0);
}

/* ---- pages of 8-byte values (CODEC_DATA_VALUES8) ---- */

enum { V8_PAGES = 9 };

/* A data page of kind k: prefix bytes of levels, then nv values, the
   first `head` of them decimals (which send the page to the parser of
   8-byte values; without them only kind 0 goes there).  Kinds: 0 decimals
   as doubles (6 places, in a narrow range, many repeats), 1 timestamps in
   microseconds (unsorted within a day, some repeats), 2 random doubles, 3
   zeros, 4 one value, 5 two values in turn, 6 random bytes, 7 values in a
   run that comes back after 100 KiB, 8 counters. */
static size_t v8_page(int kind, size_t prefix, size_t nv, size_t head, uint8_t *out) {
    for (size_t i = 0; i < prefix; i++)
        out[i] = (uint8_t)(i == 0 ? nv << 1 : i == 1 ? 1 : 0);
    uint8_t *v = out + prefix;
    for (size_t i = 0; i < nv; i++) {
        uint64_t u = 0;
        double d;
        switch (i < head ? 0 : kind) {
        case 0:
            d = -74.0 + (double)(rng() % 90000) * 1e-6;
            memcpy(&u, &d, 8);
            break;
        case 1:
            u = UINT64_C(1420070400000000) + (rng() % 86400) * 1000000;
            break;
        case 2:
            d = (double)(rng() >> 11) / 9007199254740992.0;
            memcpy(&u, &d, 8);
            break;
        case 3:
            break;
        case 4:
            u = UINT64_C(0x4052c0ffee123456);
            break;
        case 5:
            u = i % 2 ? 7 : UINT64_C(0x8000000000000001);
            break;
        case 6:
            u = rng();
            break;
        case 7:
            u = i >= 12800 && i < 12800 + 2000 ? load_le64_test(v + (i - 12800) * 8) : rng();
            break;
        default:
            u = i * 3 + (i >> 7);
            break;
        }
        memcpy(v + i * 8, &u, 8);
    }
    return prefix + nv * 8;
}

/* Compress src as VALUES8 with ctx; the result is one zstd frame (which
   announces n bytes or no size, as a static context's frames do) that
   gives back src, to zstd and to codec_decompress. */
static size_t v8_round_trip(pool_t *pool, struct codec_ctx *ctx, const uint8_t *src, size_t n,
                            uint8_t **comp) {
    codec_set_data(ctx, CODEC_DATA_VALUES8);
    size_t clen = compress_with(ctx, CODEC_ZSTD, src, n, comp);
    assert_true(clen <= ZSTD_compressBound(n));
    unsigned long long announced = ZSTD_getFrameContentSize(*comp, clen);
    assert_true(announced == n || announced == ZSTD_CONTENTSIZE_UNKNOWN);
    assert_int_equal(ZSTD_findFrameCompressedSize(*comp, clen), clen);
    uint8_t *back = malloc(n + 1);
    assert_non_null(back);
    assert_int_equal(ZSTD_decompress(back, n + 1, *comp, clen), n);
    if (n)
        assert_memory_equal(back, src, n);
    free(back);
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, *comp, clen, src, n), ERR_OK);
    return clen;
}

/* Pages of 8-byte values (levels 3 and 4 take the parser for those whose
   low bytes repeat): every kind of page, every alignment of its values,
   sizes from 0 to beyond the maximum, matches across block ends; the same
   bytes every time, whatever came before; no memory beyond the workspace;
   and against zstd's own level 3, smaller on the pages the parser is made
   for, no larger on the others. */
static void test_values8(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    const size_t max = 1 << 20;
    uint8_t *page = malloc(max + 64), *text = csv_text(max);
    assert_non_null(page);
    struct codec_ctx *ctx;
    assert_int_equal(codec_create(pool, CODEC_ZSTD, 0, &ctx), ERR_OK);
    assert_int_equal(codec_set_max_input(ctx, max), ERR_OK);
    size_t used = pool_used(pool);

    /* every kind and alignment, at sizes around the block size of 128 KiB,
       through the parser (a head of decimals) and through zstd's finder */
    static const size_t counts[] = { 0, 1, 2, 3, 8, 100, 16383, 16384, 16385, 40000, 52132 };
    for (size_t head = 0; head <= 3000; head += 3000)
        for (int kind = 0; kind < V8_PAGES; kind++)
            for (size_t prefix = 0; prefix <= 9; prefix++)
                for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
                    if (counts[c] > 16385 && prefix % 4 != 0)
                        continue;
                    size_t n = v8_page(kind, prefix, counts[c], head, page);
                    uint8_t *comp;
                    v8_round_trip(pool, ctx, page, n, &comp);
                    free(comp);
                }
    /* every size from 0 to 300 bytes, then near the maximum and beyond it */
    for (size_t n = 0; n <= 300; n++) {
        v8_page(n % V8_PAGES, 0, 40, n % 2 ? 40 : 0, page);
        uint8_t *comp;
        v8_round_trip(pool, ctx, page, n, &comp);
        free(comp);
    }
    static const size_t big[] = { max - 9, max - 8, max, max + 1, max + 56 };
    for (size_t i = 0; i < sizeof big / sizeof *big; i++) {
        v8_page((int)i % 2 ? 4 : 1, 8, (big[i] + 7) / 8, 3000, page);
        uint8_t *comp;
        v8_round_trip(pool, ctx, page, big[i], &comp);
        free(comp);
    }

    /* a run copied from earlier ends 1..9 bytes past a block's end */
    for (size_t over = 1; over <= 9; over++) {
        size_t n = v8_page(6, 0, 40000, 3000, page);
        size_t len = 1000 + over, at = (size_t)ZSTD_BLOCKSIZE_MAX + over - len;
        memcpy(page + at, page + 5000, len);
        uint8_t *comp;
        v8_round_trip(pool, ctx, page, n, &comp);
        free(comp);
    }

    /* the same bytes for the same page, whatever the context did before */
    size_t n = v8_page(0, 8, 52132, 0, page);
    uint8_t *first, *again;
    size_t len1 = v8_round_trip(pool, ctx, page, n, &first);
    codec_set_data(ctx, CODEC_DATA_ANY);
    uint8_t *other;
    free((compress_with(ctx, CODEC_ZSTD, text, max, &other), other));
    size_t len2 = v8_round_trip(pool, ctx, page, n, &again);
    assert_int_equal(len1, len2);
    assert_memory_equal(first, again, len1);
    free(again);
    struct codec_ctx *fresh;
    assert_int_equal(codec_create(pool, CODEC_ZSTD, 0, &fresh), ERR_OK);
    assert_int_equal(codec_set_max_input(fresh, max), ERR_OK);
    len2 = v8_round_trip(pool, fresh, page, n, &again);
    assert_int_equal(len1, len2);
    assert_memory_equal(first, again, len1);
    free(again);
    codec_free(fresh);
    assert_int_equal(pool_used(pool), used);

    /* against zstd's level 3: much smaller on decimals, no larger on
       timestamps and random doubles */
    for (int kind = 0; kind < 3; kind++) {
        n = v8_page(kind, 8, 52132, 0, page);
        uint8_t *comp;
        size_t clen = v8_round_trip(pool, ctx, page, n, &comp);
        size_t cap = ZSTD_compressBound(n);
        uint8_t *ref = malloc(cap);
        assert_non_null(ref);
        size_t ref_len = ZSTD_compress(ref, cap, page, n, 3);
        assert_false(ZSTD_isError(ref_len));
        if (kind == 0)
            assert_true(clen < ref_len * 90 / 100);
        else
            assert_true(clen <= ref_len + 64);
        free(ref);
        free(comp);
    }
    free(first);
    codec_free(ctx);

    /* other levels (the parser's or zstd's match finders), a smaller maximum */
    static const int levels[] = { -5, 1, 2, 4, 5, 9 };
    for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
        assert_int_equal(codec_create(pool, CODEC_ZSTD, levels[l], &ctx), ERR_OK);
        assert_int_equal(codec_set_max_input(ctx, 100000), ERR_OK);
        for (int kind = 0; kind < V8_PAGES; kind++) {
            n = v8_page(kind, 8, kind % 2 ? 12499 : 30000, kind % 3 ? 2000 : 0, page);
            uint8_t *comp;
            v8_round_trip(pool, ctx, page, n, &comp);
            free(comp);
        }
        codec_free(ctx);
    }
    free(page);
    free(text);
    assert_int_equal(pool_destroy(pool), 0);
}

static void test_gzip_members(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    size_t na = 70000, nb = 50000;
    uint8_t *text = csv_text(na + nb);
    struct codec_ctx *ctx;
    assert_int_equal(codec_create(pool, CODEC_GZIP, 0, &ctx), ERR_OK);
    uint8_t *a, *b, *e;
    size_t la = compress_with(ctx, CODEC_GZIP, text, na, &a);
    size_t lb = compress_with(ctx, CODEC_GZIP, text + na, nb, &b);
    size_t le = compress_with(ctx, CODEC_GZIP, text, 0, &e);
    /* a gzip member: magic 1f 8b, method 8 */
    assert_int_equal(a[0], 0x1f);
    assert_int_equal(a[1], 0x8b);
    assert_int_equal(a[2], 8);

    /* member A, an empty member, member B */
    uint8_t *cat = malloc(la + le + lb + 4);
    assert_non_null(cat);
    memcpy(cat, a, la);
    memcpy(cat + la, e, le);
    memcpy(cat + la + le, b, lb);
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, cat, la + le + lb,
                                      text, na + nb), ERR_OK);
    /* wrong total size, either way */
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, cat, la + le + lb,
                                      text, na + nb - 1), ERR_CODEC);
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, cat, la + le + lb,
                                      text, na + nb + 1), ERR_CODEC);
    /* the first member alone is not the whole page */
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, cat, la, text,
                                      na + nb), ERR_CODEC);
    /* trailing garbage after the last member */
    memcpy(cat + la + le + lb, "junk", 4);
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, cat, la + le + lb + 4,
                                      text, na + nb), ERR_CODEC);
    /* truncated member */
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, a, la - 1, text, na),
                     ERR_CODEC);
    /* empty page */
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, e, le, text, 0),
                     ERR_OK);
    /* corrupt CRC */
    a[la - 5] ^= 1;
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, a, la, text, na),
                     ERR_CODEC);

    /* a zlib-wrapped stream is accepted too */
    uLongf zl = compressBound(na);
    uint8_t *z = malloc(zl);
    assert_non_null(z);
    assert_int_equal(compress2(z, &zl, text, na, 6), Z_OK);
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, z, zl, text, na),
                     ERR_OK);

    free(z);
    free(a);
    free(b);
    free(e);
    free(cat);
    free(text);
    codec_free(ctx);
    assert_int_equal(pool_destroy(pool), 0);
}

static void test_zstd_frames(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    size_t na = 90000, nb = 40000;
    uint8_t *text = csv_text(na + nb);
    struct codec_ctx *ctx;
    assert_int_equal(codec_create(pool, CODEC_ZSTD, 0, &ctx), ERR_OK);
    uint8_t *a, *b;
    size_t la = compress_with(ctx, CODEC_ZSTD, text, na, &a);
    size_t lb = compress_with(ctx, CODEC_ZSTD, text + na, nb, &b);

    /* frame A, a skippable frame of 5 bytes, frame B */
    static const uint8_t skip[] = { 0x53, 0x2a, 0x4d, 0x18, 5, 0, 0, 0,
                                    1, 2, 3, 4, 5 };
    uint8_t *cat = malloc(la + sizeof skip + lb + 8);
    assert_non_null(cat);
    memcpy(cat, a, la);
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, cat, la, text, na),
                     ERR_OK);
    memcpy(cat + la, b, lb);
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, cat, la + lb, text,
                                      na + nb), ERR_OK);
    memcpy(cat + la, skip, sizeof skip);
    memcpy(cat + la + sizeof skip, b, lb);
    size_t total = la + sizeof skip + lb;
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, cat, total, text,
                                      na + nb), ERR_OK);
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, cat, total, text,
                                      na + nb - 1), ERR_CODEC);
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, cat, total, text,
                                      na + nb + 1), ERR_CODEC);
    /* truncated, trailing bytes, empty input */
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, cat, total - 1, text,
                                      na + nb), ERR_CODEC);
    memcpy(cat + total, "\x28\xb5\x2f", 3);
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, cat, total + 3, text,
                                      na + nb), ERR_CODEC);
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, cat, 0, text, 0),
                     ERR_CODEC);
    /* not a zstd frame */
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, text, 1000, text, 1000),
                     ERR_CODEC);

    free(a);
    free(b);
    free(cat);
    free(text);
    codec_free(ctx);
    assert_int_equal(pool_destroy(pool), 0);
}

/* Hadoop framing of src in blocks of at most block bytes. */
static size_t lz4_hadoop(const uint8_t *src, size_t n, size_t block,
                         uint8_t *out) {
    size_t k = 0, pos = 0;
    do {
        size_t len = n - pos < block ? n - pos : block;
        int c = LZ4_compress_default((const char *)src + pos,
                                     (char *)out + k + 8, (int)len,
                                     LZ4_compressBound((int)len));
        assert_true(c > 0);
        put_be32(out + k, (uint32_t)len);
        put_be32(out + k + 4, (uint32_t)c);
        k += 8 + (size_t)c;
        pos += len;
    } while (pos < n);
    return k;
}

static void test_lz4(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    size_t n = 300000;
    uint8_t *text = csv_text(n);
    uint8_t *comp = malloc((size_t)LZ4_compressBound((int)n) + 4096);
    assert_non_null(comp);

    /* LZ4_RAW: one raw block */
    int c = LZ4_compress_default((const char *)text, (char *)comp, (int)n,
                                 LZ4_compressBound((int)n));
    assert_true(c > 0);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4_RAW, comp, (size_t)c,
                                      text, n), ERR_OK);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4_RAW, comp, (size_t)c,
                                      text, n - 1), ERR_CODEC);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4_RAW, comp, (size_t)c,
                                      text, n + 1), ERR_CODEC);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4_RAW, comp,
                                      (size_t)c - 1, text, n), ERR_CODEC);
    /* a raw block given as the deprecated LZ4 codec */
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, comp, (size_t)c, text,
                                      n), ERR_OK);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, comp, (size_t)c, text,
                                      n + 1), ERR_CODEC);

    /* LZ4 with Hadoop framing: one block, and several */
    size_t k = lz4_hadoop(text, n, n, comp);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, comp, k, text, n),
                     ERR_OK);
    k = lz4_hadoop(text, n, 64 << 10, comp);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, comp, k, text, n),
                     ERR_OK);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, comp, k, text, n - 1),
                     ERR_CODEC);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, comp, k, text, n + 1),
                     ERR_CODEC);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, comp, k - 1, text, n),
                     ERR_CODEC);
    /* a block header announcing more than remains */
    put_be32(comp + 4, 0x7fffffff);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, comp, k, text, n),
                     ERR_CODEC);

    /* the LZ4 frame format */
    size_t fcap = LZ4F_compressFrameBound(n, NULL);
    uint8_t *frame = malloc(fcap);
    assert_non_null(frame);
    size_t fl = LZ4F_compressFrame(frame, fcap, text, n, NULL);
    assert_false(LZ4F_isError(fl));
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, frame, fl, text, n),
                     ERR_OK);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, frame, fl, text, n - 1),
                     ERR_CODEC);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, frame, fl, text, n + 1),
                     ERR_CODEC);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, frame, fl - 1, text, n),
                     ERR_CODEC);
    free(frame);

    /* empty output */
    static const uint8_t empty_block[] = { 0x00 };
    assert_int_equal(decompress_exact(pool, CODEC_LZ4_RAW, empty_block, 1,
                                      text, 0), ERR_OK);
    free(comp);
    free(text);
    assert_int_equal(pool_destroy(pool), 0);
}

static void test_unsupported(void **state) {
    (void)state;
    pool_t *pool = pool_create(1 << 20);
    assert_non_null(pool);
    uint8_t in[16] = { 0 }, out[16];
    static const int no[] = { CODEC_BROTLI, CODEC_LZO, 8, -1, 99 };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        assert_int_equal(codec_decompress(pool, no[i], in, 16, out, 16),
                         ERR_UNSUPPORTED);
        struct codec_ctx *ctx = (struct codec_ctx *)1;
        assert_int_equal(codec_create(pool, no[i], 0, &ctx), ERR_UNSUPPORTED);
        assert_null(ctx);
    }
    /* LZ4 variants are read, not written */
    struct codec_ctx *ctx;
    assert_int_equal(codec_create(pool, CODEC_LZ4_RAW, 0, &ctx),
                     ERR_UNSUPPORTED);
    assert_int_equal(codec_create(pool, CODEC_LZ4, 0, &ctx), ERR_UNSUPPORTED);
    assert_int_equal(pool_live(pool), 0);
    assert_int_equal(pool_destroy(pool), 0);
}

/* A page that does not expand to exactly dst_len is an error. */
static void test_wrong_size(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    size_t n = 50000;
    uint8_t *text = csv_text(n);
    static const int codecs[] = { CODEC_UNCOMPRESSED, CODEC_SNAPPY, CODEC_GZIP,
                                  CODEC_ZSTD };
    for (size_t c = 0; c < 4; c++) {
        struct codec_ctx *ctx;
        assert_int_equal(codec_create(pool, codecs[c], 0, &ctx), ERR_OK);
        uint8_t *comp;
        size_t clen = compress_with(ctx, codecs[c], text, n, &comp);
        assert_int_equal(decompress_exact(pool, codecs[c], comp, clen, text,
                                          n), ERR_OK);
        assert_int_equal(decompress_exact(pool, codecs[c], comp, clen, text,
                                          n - 1), ERR_CODEC);
        assert_int_equal(decompress_exact(pool, codecs[c], comp, clen, text,
                                          n + 1), ERR_CODEC);
        assert_int_equal(decompress_exact(pool, codecs[c], comp, clen, text,
                                          0), ERR_CODEC);
        free(comp);
        codec_free(ctx);
    }
    free(text);
    assert_int_equal(pool_destroy(pool), 0);
}

/* codec_bound holds for incompressible data at every level. */
static void test_bounds(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    assert_int_equal(codec_bound(CODEC_UNCOMPRESSED, 1234), 1234);
    assert_int_equal(codec_bound(CODEC_SNAPPY, 600), 32 + 600 + 100);
    assert_int_equal(snappy_bound(600), 32 + 600 + 100);
    assert_int_equal(codec_bound(CODEC_ZSTD, 100000),
                     ZSTD_compressBound(100000));
    assert_true(codec_bound(CODEC_GZIP, 100000) >= compressBound(100000) + 12);
    assert_int_equal(codec_bound(CODEC_BROTLI, 100), 0);

    static const size_t sizes[] = { 0, 1, 100, 65536, 1000000 };
    uint8_t *r = random_bytes(1000000);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        for (int level = 1; level <= 9; level += 4) {
            struct codec_ctx *ctx;
            assert_int_equal(codec_create(pool, CODEC_GZIP, level, &ctx),
                             ERR_OK);
            uint8_t *comp;
            size_t clen = compress_with(ctx, CODEC_GZIP, r, sizes[s], &comp);
            assert_true(clen <= codec_bound(CODEC_GZIP, sizes[s]));
            free(comp);
            codec_free(ctx);
        }
    }
    free(r);

    /* a capacity below the bound is the caller's mistake, never an
       overflow */
    struct codec_ctx *ctx;
    assert_int_equal(codec_create(pool, CODEC_SNAPPY, 0, &ctx), ERR_OK);
    uint8_t small[8];
    size_t len;
    assert_int_equal(codec_compress(ctx, "0123456789", 10, small, sizeof small,
                                    &len), ERR_INTERNAL);
    codec_free(ctx);
    assert_int_equal(codec_create(pool, CODEC_GZIP, 0, &ctx), ERR_OK);
    assert_int_equal(codec_compress(ctx, "0123456789", 10, small, sizeof small,
                                    &len), ERR_INTERNAL);
    codec_free(ctx);
    assert_int_equal(codec_create(pool, CODEC_ZSTD, 0, &ctx), ERR_OK);
    assert_int_equal(codec_compress(ctx, "0123456789", 10, small, 4, &len),
                     ERR_INTERNAL);
    codec_free(ctx);
    assert_int_equal(pool_destroy(pool), 0);
}

/* ---- memory comes from the pool ---- */

static void test_pool_accounting(void **state) {
    (void)state;
    pool_t *pool = pool_create(BIG_POOL);
    assert_non_null(pool);

    /* zstd: the CCtx, then its workspace on the first page */
    struct codec_ctx *z;
    size_t before = pool_used(pool);
    assert_int_equal(codec_create(pool, CODEC_ZSTD, 0, &z), ERR_OK);
    size_t after_create = pool_used(pool);
    assert_true(after_create > before + 4096);
    size_t n = 1 << 20;
    uint8_t *text = csv_text(n);
    uint8_t *comp;
    size_t clen = compress_with(z, CODEC_ZSTD, text, n, &comp);
    assert_true(pool_used(pool) > after_create + (256 << 10));

    /* gzip: deflate's window and tables, about 256 KiB at memLevel 8 */
    struct codec_ctx *g;
    before = pool_used(pool);
    assert_int_equal(codec_create(pool, CODEC_GZIP, 0, &g), ERR_OK);
    assert_true(pool_used(pool) > before + (200 << 10));

    /* decompression state is taken and given back */
    codec_free(z);
    codec_free(g);
    assert_int_equal(pool_live(pool), 0);
    assert_int_equal(pool_used(pool), 0);
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, comp, clen, text, n),
                     ERR_OK);
    assert_int_equal(pool_live(pool), 0);
    free(comp);

    /* the zstd DCtx (~95 KiB) shows in the peak */
    pool_t *p2 = pool_create(BIG_POOL);
    assert_non_null(p2);
    assert_int_equal(codec_create(p2, CODEC_ZSTD, 1, &z), ERR_OK);
    clen = compress_with(z, CODEC_ZSTD, text, 1000, &comp);
    codec_free(z);
    assert_true(pool_peak(p2) < 64 << 10);
    assert_int_equal(decompress_exact(p2, CODEC_ZSTD, comp, clen, text, 1000),
                     ERR_OK);
    assert_true(pool_peak(p2) >= 64 << 10);
    free(comp);

    /* gzip's inflate state too (about 7 KiB; no window is needed when the
       whole page is at hand) */
    pool_t *p3 = pool_create(BIG_POOL);
    assert_non_null(p3);
    assert_int_equal(codec_create(p3, CODEC_GZIP, 1, &g), ERR_OK);
    clen = compress_with(g, CODEC_GZIP, text, 100000, &comp);
    codec_free(g);
    pool_t *p4 = pool_create(BIG_POOL);
    assert_non_null(p4);
    assert_int_equal(decompress_exact(p4, CODEC_GZIP, comp, clen, text,
                                      100000), ERR_OK);
    assert_true(pool_peak(p4) >= 4 << 10);
    free(comp);

    /* the LZ4 frame decoder */
    size_t fcap = LZ4F_compressFrameBound(100000, NULL);
    comp = malloc(fcap);
    assert_non_null(comp);
    clen = LZ4F_compressFrame(comp, fcap, text, 100000, NULL);
    assert_false(LZ4F_isError(clen));
    pool_t *p5 = pool_create(BIG_POOL);
    assert_non_null(p5);
    assert_int_equal(decompress_exact(p5, CODEC_LZ4, comp, clen, text, 100000),
                     ERR_OK);
    assert_true(pool_peak(p5) > 0);
    free(comp);
    free(text);

    assert_int_equal(pool_destroy(pool), 0);
    assert_int_equal(pool_destroy(p2), 0);
    assert_int_equal(pool_destroy(p3), 0);
    assert_int_equal(pool_destroy(p4), 0);
    assert_int_equal(pool_destroy(p5), 0);
}

static void test_pool_too_small(void **state) {
    (void)state;
    struct codec_ctx *ctx = (struct codec_ctx *)1;

    /* room for the codec_ctx, not for the zstd CCtx nor deflate's state */
    pool_t *pool = pool_create(2048);
    assert_non_null(pool);
    assert_int_equal(codec_create(pool, CODEC_ZSTD, 0, &ctx), ERR_NOMEM);
    assert_null(ctx);
    assert_int_equal(codec_create(pool, CODEC_GZIP, 0, &ctx), ERR_NOMEM);
    assert_int_equal(pool_live(pool), 0);
    /* snappy and uncompressed need only the context */
    assert_int_equal(codec_create(pool, CODEC_SNAPPY, 0, &ctx), ERR_OK);
    codec_free(ctx);
    assert_int_equal(pool_destroy(pool), 0);

    /* nothing at all */
    pool = pool_create(0);
    assert_non_null(pool);
    assert_int_equal(codec_create(pool, CODEC_SNAPPY, 0, &ctx), ERR_NOMEM);
    assert_int_equal(pool_destroy(pool), 0);

    /* room for the CCtx, not for the workspace of a large page */
    size_t n = 1 << 20;
    uint8_t *text = csv_text(n);
    pool = pool_create(64 << 10);
    assert_non_null(pool);
    assert_int_equal(codec_create(pool, CODEC_ZSTD, 0, &ctx), ERR_OK);
    size_t cap = codec_bound(CODEC_ZSTD, n), len;
    uint8_t *comp = malloc(cap);
    assert_non_null(comp);
    assert_int_equal(codec_compress(ctx, text, n, comp, cap, &len), ERR_NOMEM);
    codec_free(ctx);
    assert_int_equal(pool_destroy(pool), 0);

    /* decompression state that does not fit */
    pool = pool_create(BIG_POOL);
    assert_non_null(pool);
    assert_int_equal(codec_create(pool, CODEC_ZSTD, 0, &ctx), ERR_OK);
    assert_int_equal(codec_compress(ctx, text, n, comp, cap, &len), ERR_OK);
    codec_free(ctx);
    assert_int_equal(pool_destroy(pool), 0);
    pool = pool_create(16 << 10);
    assert_non_null(pool);
    assert_int_equal(decompress_exact(pool, CODEC_ZSTD, comp, len, text, n),
                     ERR_NOMEM);
    assert_int_equal(pool_live(pool), 0);
    assert_int_equal(pool_destroy(pool), 0);

    uLongf zl = compressBound(n);
    assert_true(zl <= cap);
    assert_int_equal(compress2(comp, &zl, text, n, 1), Z_OK);
    pool = pool_create(1024);
    assert_non_null(pool);
    assert_int_equal(decompress_exact(pool, CODEC_GZIP, comp, zl, text, n),
                     ERR_NOMEM);
    assert_int_equal(pool_destroy(pool), 0);

    size_t fl = LZ4F_compressFrame(comp, cap, text, n, NULL);
    assert_false(LZ4F_isError(fl));
    pool = pool_create(1024);
    assert_non_null(pool);
    assert_int_equal(decompress_exact(pool, CODEC_LZ4, comp, fl, text, n),
                     ERR_NOMEM);
    assert_int_equal(pool_destroy(pool), 0);

    free(comp);
    free(text);
}

static void test_uncompressed(void **state) {
    (void)state;
    pool_t *pool = pool_create(1 << 20);
    assert_non_null(pool);
    assert_int_equal(decompress_exact(pool, CODEC_UNCOMPRESSED,
                                      (const uint8_t *)"abc", 3,
                                      (const uint8_t *)"abc", 3), ERR_OK);
    assert_int_equal(decompress_exact(pool, CODEC_UNCOMPRESSED,
                                      (const uint8_t *)"abc", 3,
                                      (const uint8_t *)"ab", 2), ERR_CODEC);
    assert_int_equal(codec_decompress(pool, CODEC_UNCOMPRESSED, NULL, 0, NULL,
                                      0), ERR_OK);
    assert_int_equal(codec_decompress(pool, CODEC_SNAPPY, "\0", 1, NULL, 0),
                     ERR_OK);
    assert_int_equal(pool_destroy(pool), 0);
}

/* Once sized for a page size, the zstd compressor takes no more memory,
   whatever the sizes of the pages that follow, and its output still
   decompresses. */
static void test_zstd_fixed_memory(void **state) {
    (void)state;
    pool_t *pool = pool_create(16 << 20);
    struct codec_ctx *c;
    assert_int_equal(codec_create(pool, CODEC_ZSTD, 0, &c), ERR_OK);
    assert_int_equal(codec_set_max_input(c, 256 << 10), ERR_OK);
    size_t used = pool_used(pool);
    /* inputs larger than the size given keep the same memory too */
    size_t sizes[] = {256 << 10, 100, 200000, 5, 70000, 1 << 20, 1000, (256 << 10) + 40};
    uint8_t *src = malloc(1 << 20), *dst = malloc(ZSTD_compressBound(1 << 20)), *back = malloc(1 << 20);
    for (size_t i = 0; i < (1u << 20); i++)
        src[i] = (uint8_t)("csv2pq,1.25,2024-01-01\n"[i % 23] + (i / 4096 % 3));
    for (int round = 0; round < 200; round++) {
        size_t n = sizes[round % 8], out;
        assert_int_equal(codec_compress(c, src, n, dst, ZSTD_compressBound(n), &out), ERR_OK);
        assert_int_equal(pool_used(pool), used);
        assert_int_equal(codec_decompress(pool, CODEC_ZSTD, dst, out, back, n), ERR_OK);
        assert_memory_equal(back, src, n);
    }
    codec_free(c);
    free(src);
    free(dst);
    free(back);
    assert_int_equal(pool_destroy(pool), 0);
}

/* Streaming decompression of whole inputs: gzip members and zstd frames
   across any split of the input, truncation seen at the end, garbage
   refused, and everything back in the pool. */
static void test_stream(void **state) {
    (void)state;
    pool_t *pool = pool_create(32 << 20);
    enum { N = 300000 };
    uint8_t *src = malloc(N), *packed = malloc(2 * N + 1024), *out = malloc(N + 16);
    for (size_t i = 0; i < N; i++)
        src[i] = (uint8_t)("id,name\n1,x\n"[i % 12] ^ (i / 7919 % 2));
    for (int kind = 0; kind < 2; kind++) {
        size_t plen = 0;
        for (int part = 0; part < 2; part++) {   /* two members / frames */
            const uint8_t *p = src + part * (N / 2);
            if (kind == 0) {
                z_stream z = {0};
                assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
                z.next_in = (Bytef *)p;
                z.avail_in = N / 2;
                z.next_out = packed + plen;
                z.avail_out = (uInt)(2 * N + 1024 - plen);
                assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
                plen += z.total_out;
                deflateEnd(&z);
            } else {
                plen += ZSTD_compress(packed + plen, 2 * N + 1024 - plen, p, N / 2, 3);
            }
        }
        int codec = kind ? CODEC_ZSTD : CODEC_GZIP;
        assert_int_equal(codec_stream_detect(packed, plen), codec);
        for (size_t step = 1; step <= 65536; step *= 16) {
            struct codec_stream *s;
            assert_int_equal(codec_stream_open(pool, codec, 23, &s), ERR_OK);
            size_t in = 0, got = 0;
            while (in < plen) {
                size_t n = plen - in < step ? plen - in : step, used, made;
                assert_int_equal(codec_stream_read(s, packed + in, n, &used, out + got,
                                                   N + 16 - got, &made), ERR_OK);
                in += used;
                got += made;
                assert_true(used || made);
            }
            assert_int_equal(got, N);
            assert_memory_equal(out, src, N);
            assert_true(codec_stream_finished(s));
            codec_stream_free(s);
        }
        /* cut short: not finished */
        struct codec_stream *s;
        assert_int_equal(codec_stream_open(pool, codec, 23, &s), ERR_OK);
        size_t used, made;
        assert_int_equal(codec_stream_read(s, packed, plen / 3, &used, out, N + 16, &made), ERR_OK);
        assert_false(codec_stream_finished(s));
        codec_stream_free(s);
        /* a damaged header: gzip's reserved flag bits, zstd's reserved bit */
        if (kind == 0)
            packed[3] = 0xe0;
        else
            memset(packed + 4, 0xff, 64);
        assert_int_equal(codec_stream_open(pool, codec, 23, &s), ERR_OK);
        assert_int_equal(codec_stream_read(s, packed, 68, &used, out, N + 16, &made), ERR_CODEC);
        codec_stream_free(s);
    }
    assert_int_equal(codec_stream_detect("a,b\n", 4), CODEC_UNCOMPRESSED);
    free(src);
    free(packed);
    free(out);
    assert_int_equal(pool_destroy(pool), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec_name),
        cmocka_unit_test(test_snappy_vectors),
        cmocka_unit_test(test_snappy_far_copy4),
        cmocka_unit_test(test_snappy_overlap),
        cmocka_unit_test(test_snappy_compressor_output),
        cmocka_unit_test(test_snappy_round_trips),
        cmocka_unit_test(test_snappy_hostile),
        cmocka_unit_test(test_snappy_truncated),
        cmocka_unit_test(test_snappy_mutations),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_context_reuse),
        cmocka_unit_test(test_data_kinds),
        cmocka_unit_test(test_values8),
        cmocka_unit_test(test_gzip_members),
        cmocka_unit_test(test_zstd_frames),
        cmocka_unit_test(test_lz4),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_wrong_size),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_pool_accounting),
        cmocka_unit_test(test_pool_too_small),
        cmocka_unit_test(test_uncompressed),
        cmocka_unit_test(test_zstd_fixed_memory),
        cmocka_unit_test(test_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
