#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "encode.h"
#include "err.h"
#include "pool.h"

/* ---- helpers ---- */

static uint64_t rng_state = 0x853c49e6748fea9bu;

static uint64_t rnd(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* A copy of b[0..n) in a buffer of exactly n bytes, so that AddressSanitizer
   catches any read past the end. */
static uint8_t *exact_copy(const uint8_t *b, size_t n) {
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    if (n)
        memcpy(p, b, n);
    return p;
}

static void put_bits_lsb(uint8_t *out, size_t bit, uint64_t v, int w) {
    for (int i = 0; i < w; i++, bit++)
        if (v >> i & 1)
            out[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static uint64_t get_bits_lsb(const uint8_t *in, size_t bit, int w) {
    uint64_t v = 0;
    for (int i = 0; i < w; i++, bit++)
        v |= (uint64_t)(in[bit / 8] >> (bit % 8) & 1) << i;
    return v;
}

static size_t put_varint(uint8_t *o, uint64_t v) {
    size_t i = 0;
    while (v >= 0x80) {
        o[i++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    o[i++] = (uint8_t)v;
    return i;
}

static uint64_t get_varint(const uint8_t *p, size_t *pos) {
    uint64_t v = 0;
    for (int s = 0; ; s += 7) {
        uint8_t b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << s;
        if (b < 0x80)
            return v;
    }
}

/* A plain reading of the hybrid grammar, for checking the encoder. */
static size_t ref_rle_decode(const uint8_t *p, size_t len, int bw, uint32_t *out, size_t n) {
    size_t pos = 0, done = 0;
    while (done < n) {
        assert_true(pos < len);
        uint64_t h = get_varint(p, &pos);
        if (h & 1) {
            size_t vals = (size_t)(h >> 1) * 8;
            assert_true(vals > 0);
            for (size_t i = 0; i < vals && done < n; i++)
                out[done++] = (uint32_t)get_bits_lsb(p + pos, i * (size_t)bw, bw);
            pos += (size_t)(h >> 1) * (size_t)bw;
        } else {
            uint32_t x = 0;
            assert_true(h >> 1 > 0);
            for (int i = 0; i < (bw + 7) / 8; i++)
                x |= (uint32_t)p[pos++] << (8 * i);
            for (uint64_t i = 0; i < h >> 1 && done < n; i++)
                out[done++] = x;
        }
    }
    assert_int_equal(pos, len);
    return pos;
}

/* Values of one of several shapes, each < 2^bw. */
static void fill_values(uint32_t *v, size_t n, int bw, int shape) {
    uint32_t mask = bw == 32 ? 0xffffffffu : (1u << bw) - 1;
    size_t i = 0;
    while (i < n) {
        uint32_t x = (uint32_t)rnd() & mask;
        size_t run;
        switch (shape) {
        case 0:  run = 1; break;                          /* random */
        case 1:  run = 1 + rnd() % 40; break;             /* runs of 1..40 */
        case 2:  run = n; x = mask; break;                /* constant */
        default: run = 1 + rnd() % 12; break;             /* short runs near 8 */
        }
        for (size_t k = 0; k < run && i < n; k++)
            v[i++] = x;
    }
}

/* ---- RLE / bit-packed hybrid ---- */

static void test_bit_width(void **state) {
    (void)state;
    assert_int_equal(enc_bit_width(0), 0);
    assert_int_equal(enc_bit_width(1), 1);
    assert_int_equal(enc_bit_width(7), 3);
    assert_int_equal(enc_bit_width(8), 4);
    assert_int_equal(enc_bit_width(UINT32_MAX), 32);
    assert_int_equal(enc_bit_width(UINT64_MAX), 64);
}

static void test_rle_spec_vectors(void **state) {
    (void)state;
    uint8_t out[64];
    uint32_t v[16], back[16];

    /* Encodings.md: 0..7 at width 3 bit-pack to 10001000 11000110 11111010. */
    for (uint32_t i = 0; i < 8; i++)
        v[i] = i;
    static const uint8_t packed[] = { 0x03, 0x88, 0xc6, 0xfa };
    size_t sz = enc_rle_encode(v, 8, 3, out);
    assert_int_equal(sz, sizeof packed);
    assert_memory_equal(out, packed, sizeof packed);
    size_t used = 0;
    assert_int_equal(enc_rle_decode(packed, sizeof packed, 3, back, 8, &used), ERR_OK);
    assert_int_equal(used, sizeof packed);
    assert_memory_equal(back, v, 8 * sizeof *v);

    /* An RLE run: header (count << 1), value in ceil(width / 8) bytes. */
    for (int i = 0; i < 10; i++)
        v[i] = 5;
    static const uint8_t run3[] = { 0x14, 0x05 };
    sz = enc_rle_encode(v, 10, 3, out);
    assert_int_equal(sz, sizeof run3);
    assert_memory_equal(out, run3, sizeof run3);
    for (int i = 0; i < 10; i++)
        v[i] = 0x123456;
    static const uint8_t run24[] = { 0x14, 0x56, 0x34, 0x12 };
    sz = enc_rle_encode(v, 10, 24, out);
    assert_int_equal(sz, sizeof run24);
    assert_memory_equal(out, run24, sizeof run24);
    for (int i = 0; i < 10; i++)
        v[i] = 0x80000001u;
    static const uint8_t run32[] = { 0x14, 0x01, 0x00, 0x00, 0x80 };
    sz = enc_rle_encode(v, 10, 32, out);
    assert_int_equal(sz, sizeof run32);
    assert_memory_equal(out, run32, sizeof run32);
    assert_int_equal(enc_rle_decode(run32, sizeof run32, 32, back, 10, NULL), ERR_OK);
    assert_memory_equal(back, v, 10 * sizeof *v);

    /* 300 equal values: a two-byte header (600 = 0xd8 0x04). */
    uint32_t big[300];
    for (int i = 0; i < 300; i++)
        big[i] = 1;
    static const uint8_t run300[] = { 0xd8, 0x04, 0x01 };
    sz = enc_rle_encode(big, 300, 1, out);
    assert_int_equal(sz, sizeof run300);
    assert_memory_equal(out, run300, sizeof run300);

    /* Bit-packed group then RLE run, as another writer might lay them out. */
    static const uint8_t mixed[] = { 0x03, 0x88, 0xc6, 0xfa, 0x10, 0x05 };
    assert_int_equal(enc_rle_decode(mixed, sizeof mixed, 3, back, 16, &used), ERR_OK);
    assert_int_equal(used, sizeof mixed);
    for (uint32_t i = 0; i < 16; i++)
        assert_int_equal(back[i], i < 8 ? i : 5);

    /* A tail of 3 values is one padded group. */
    v[0] = 1; v[1] = 0; v[2] = 1;
    static const uint8_t tail[] = { 0x03, 0x05 };
    sz = enc_rle_encode(v, 3, 1, out);
    assert_int_equal(sz, sizeof tail);
    assert_memory_equal(out, tail, sizeof tail);

    /* 1, eight 0s, 2: the run of 0s covers no whole group of 8, so all ten
       values are bit-packed in two groups. */
    static const uint32_t offgrid[10] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
    static const uint8_t offgrid_enc[] = { 0x05, 0x01, 0x00, 0x08, 0x00 };
    sz = enc_rle_encode(offgrid, 10, 2, out);
    assert_int_equal(sz, sizeof offgrid_enc);
    assert_memory_equal(out, offgrid_enc, sizeof offgrid_enc);

    /* Literal group, RLE run of 12, literal tail. */
    static const uint32_t lit_run[21] = { 0, 1, 2, 3, 4, 5, 6, 7, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1 };
    static const uint8_t lit_run_enc[] = { 0x03, 0x88, 0xc6, 0xfa, 0x18, 0x03, 0x03, 0x01, 0x00, 0x00 };
    sz = enc_rle_encode(lit_run, 21, 3, out);
    assert_int_equal(sz, sizeof lit_run_enc);
    assert_memory_equal(out, lit_run_enc, sizeof lit_run_enc);
}

static void test_rle_roundtrip_all_widths(void **state) {
    (void)state;
    static const size_t sizes[] = { 0, 1, 7, 8, 9, 31, 32, 33, 1000, 4099 };
    uint32_t *v = malloc(4099 * sizeof *v);
    uint32_t *back = malloc((4099 + 1) * sizeof *back);
    uint8_t *out = malloc(enc_rle_bound(4099, 32) + 1);
    assert_non_null(v);
    assert_non_null(back);
    assert_non_null(out);
    for (int bw = 0; bw <= 32; bw++) {
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
            size_t n = sizes[si];
            for (int shape = 0; shape < 4; shape++) {
                fill_values(v, n, bw, shape);
                size_t bound = enc_rle_bound(n, bw);
                memset(out, 0xee, bound + 1);
                size_t sz = enc_rle_encode(v, n, bw, out);
                assert_true(sz <= bound);
                assert_int_equal(out[bound], 0xee);

                /* Independent reading of the bytes. */
                if (n && bw) {
                    ref_rle_decode(out, sz, bw, back, n);
                    assert_memory_equal(back, v, n * sizeof *v);
                }

                uint8_t *in = exact_copy(out, sz);
                size_t used = 12345;
                back[n] = 0xdeadbeef;
                assert_int_equal(enc_rle_decode(in, sz, bw, back, n, &used), ERR_OK);
                if (n)
                    assert_memory_equal(back, v, n * sizeof *v);
                assert_int_equal(back[n], 0xdeadbeef);
                assert_int_equal(used, bw ? sz : 0);
                free(in);

                /* A constant stream of 1000 is one RLE run. */
                if (shape == 2 && n == 1000)
                    assert_int_equal(sz, 2 + (size_t)(bw + 7) / 8);
            }
        }
    }
    /* The worst case meets the bound: at width 1, alternating groups of
       mixed values and runs of exactly 8 cost 2 bytes per 8 values. */
    for (size_t i = 0; i < 4096; i++)
        v[i] = i / 8 % 2 ? 1 : (uint32_t)i % 2;
    assert_int_equal(enc_rle_encode(v, 4096, 1, out), enc_rle_bound(4096, 1));
    ref_rle_decode(out, enc_rle_bound(4096, 1), 1, back, 4096);
    assert_memory_equal(back, v, 4096 * sizeof *v);
    free(v);
    free(back);
    free(out);
}

/* Levels held one byte each encode to the same bytes as 32-bit values. */
static void test_rle_encode_u8(void **state) {
    (void)state;
    enum { N = 5000 };
    static const size_t sizes[] = { 0, 1, 7, 8, 9, 255, 256, 257, 1000, N };
    uint32_t *v = malloc(N * sizeof *v), *back = malloc(N * sizeof *back);
    uint8_t *lv = malloc(N);
    uint8_t *a = malloc(enc_rle_bound(N, 32)), *b = malloc(enc_rle_bound(N, 32));
    assert_non_null(v);
    assert_non_null(back);
    assert_non_null(lv);
    assert_non_null(a);
    assert_non_null(b);
    for (int bw = 0; bw <= 32; bw++) {
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
            size_t n = sizes[si];
            for (int shape = 0; shape < 4; shape++) {
                fill_values(v, n, bw < 8 ? bw : 8, shape);
                for (size_t i = 0; i < n; i++)
                    lv[i] = (uint8_t)v[i];
                size_t sa = enc_rle_encode(v, n, bw, a);
                size_t sb = enc_rle_encode_u8(lv, n, bw, b);
                assert_int_equal(sa, sb);
                if (sa)
                    assert_memory_equal(a, b, sa);
                uint8_t *in = exact_copy(b, sb);
                assert_int_equal(enc_rle_decode(in, sb, bw, back, n, NULL), ERR_OK);
                if (n)
                    assert_memory_equal(back, v, n * sizeof *v);
                free(in);
            }
        }
    }
    /* All-ones definition levels: one RLE run. */
    memset(lv, 1, N);
    static const uint8_t ones[] = { 0x90, 0x4e, 0x01 };
    assert_int_equal(enc_rle_encode_u8(lv, N, 1, b), sizeof ones);
    assert_memory_equal(b, ones, sizeof ones);
    free(v);
    free(back);
    free(lv);
    free(a);
    free(b);
}

/* Streams laid out by hand with random run kinds and lengths, so the
   decoder is checked against bytes its own encoder would not write. */
static void test_rle_decode_foreign_layout(void **state) {
    (void)state;
    enum { N = 3000 };
    uint32_t *want = malloc(N * sizeof *want), *back = malloc(N * sizeof *back);
    uint8_t *buf = malloc(64 * N);
    assert_non_null(want);
    assert_non_null(back);
    assert_non_null(buf);
    for (int bw = 1; bw <= 32; bw++) {
        uint32_t mask = bw == 32 ? 0xffffffffu : (1u << bw) - 1;
        size_t pos = 0, n = 0;
        memset(buf, 0, 64 * N);
        while (n < N) {
            if (rnd() % 2) {
                size_t groups = 1 + rnd() % 70;     /* two-byte headers too */
                pos += put_varint(buf + pos, groups << 1 | 1);
                for (size_t i = 0; i < groups * 8; i++) {
                    uint32_t x = (uint32_t)rnd() & mask;
                    put_bits_lsb(buf + pos, i * (size_t)bw, x, bw);
                    if (n < N)
                        want[n++] = x;
                }
                pos += groups * (size_t)bw;
            } else {
                size_t count = 1 + rnd() % 200;
                uint32_t x = (uint32_t)rnd() & mask;
                pos += put_varint(buf + pos, count << 1);
                for (int i = 0; i < (bw + 7) / 8; i++)
                    buf[pos++] = (uint8_t)(x >> (8 * i));
                for (size_t i = 0; i < count && n < N; i++)
                    want[n++] = x;
            }
        }
        uint8_t *in = exact_copy(buf, pos);
        assert_int_equal(enc_rle_decode(in, pos, bw, back, N, NULL), ERR_OK);
        assert_memory_equal(back, want, N * sizeof *want);
        /* Fewer values than the stream holds is fine. */
        assert_int_equal(enc_rle_decode(in, pos, bw, back, N / 3, NULL), ERR_OK);
        assert_memory_equal(back, want, N / 3 * sizeof *want);
        free(in);
    }
    free(want);
    free(back);
    free(buf);
}

/* The values a well-formed stream holds, padding included. */
static size_t rle_capacity(const uint8_t *p, size_t len, int bw) {
    size_t pos = 0, vals = 0;
    while (pos < len) {
        uint64_t h = get_varint(p, &pos);
        vals += h & 1 ? (size_t)(h >> 1) * 8 : (size_t)(h >> 1);
        pos += h & 1 ? (size_t)(h >> 1) * (size_t)bw : (size_t)(bw + 7) / 8;
    }
    assert_int_equal(pos, len);
    return vals;
}

static void test_rle_truncated(void **state) {
    (void)state;
    enum { N = 200 };
    uint32_t v[N], back[N + 1];
    uint8_t out[1000];
    int strict_seen = 0;
    for (int bw = 1; bw <= 32; bw++) {
        for (int shape = 0; shape < 4; shape++) {
            fill_values(v, N, bw, shape);
            size_t sz = enc_rle_encode(v, N, bw, out);
            /* Without padding every cut loses a value.  An RLE run shifts
               the groups after it, so a last group may be padded; a cut in
               that padding may decode, but only to the right values. */
            int strict = rle_capacity(out, sz, bw) == N;
            strict_seen += strict;
            for (size_t cut = 0; cut < sz; cut++) {
                uint8_t *in = exact_copy(out, cut);
                int rc = enc_rle_decode(in, cut, bw, back, N, NULL);
                if (strict)
                    assert_int_equal(rc, ERR_TRUNCATED);
                else if (rc == ERR_OK)
                    assert_memory_equal(back, v, N * sizeof *v);
                else
                    assert_int_equal(rc, ERR_TRUNCATED);
                free(in);
            }
            /* One value more than the stream holds. */
            if (strict) {
                uint8_t *in = exact_copy(out, sz);
                assert_int_equal(enc_rle_decode(in, sz, bw, back, N + 1, NULL), ERR_TRUNCATED);
                free(in);
            }
        }
    }
    assert_true(strict_seen >= 32);
    /* With a padded last group, a cut inside the padding may still decode,
       but only to the right values. */
    for (int bw = 1; bw <= 32; bw++) {
        fill_values(v, 13, bw, 0);
        size_t sz = enc_rle_encode(v, 13, bw, out);
        for (size_t cut = 0; cut < sz; cut++) {
            uint8_t *in = exact_copy(out, cut);
            int rc = enc_rle_decode(in, cut, bw, back, 13, NULL);
            if (rc == ERR_OK)
                assert_memory_equal(back, v, 13 * sizeof *v);
            else
                assert_int_equal(rc, ERR_TRUNCATED);
            free(in);
        }
    }
}

static void test_rle_hostile(void **state) {
    (void)state;
    uint32_t back[200];
    static const uint8_t one[] = { 0x02, 0x01 };
    assert_int_equal(enc_rle_decode(one, 2, 33, back, 1, NULL), ERR_CORRUPT);
    assert_int_equal(enc_rle_decode(one, 2, -1, back, 1, NULL), ERR_CORRUPT);
    /* An RLE value wider than the bit width. */
    static const uint8_t wide[] = { 0x10, 0x09 };
    assert_int_equal(enc_rle_decode(wide, 2, 3, back, 8, NULL), ERR_CORRUPT);
    static const uint8_t wide12[] = { 0x10, 0x00, 0x10 };
    assert_int_equal(enc_rle_decode(wide12, 3, 12, back, 8, NULL), ERR_CORRUPT);
    /* A varint longer than 64 bits. */
    static const uint8_t longv[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };
    assert_int_equal(enc_rle_decode(longv, sizeof longv, 1, back, 1, NULL), ERR_CORRUPT);
    static const uint8_t over[] = { 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02 };
    assert_int_equal(enc_rle_decode(over, sizeof over, 1, back, 1, NULL), ERR_CORRUPT);
    /* A varint cut short. */
    static const uint8_t cut[] = { 0x81 };
    assert_int_equal(enc_rle_decode(cut, 1, 1, back, 1, NULL), ERR_TRUNCATED);
    /* Enormous group and run counts: no overflow, no over-read. */
    static const uint8_t huge_bp[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0xab };
    assert_int_equal(enc_rle_decode(huge_bp, sizeof huge_bp, 32, back, 200, NULL), ERR_TRUNCATED);
    assert_int_equal(enc_rle_decode(huge_bp, sizeof huge_bp, 1, back, 200, NULL), ERR_TRUNCATED);
    assert_int_equal(enc_rle_decode(huge_bp, sizeof huge_bp, 1, back, 8, NULL), ERR_OK);
    static const uint8_t huge_run[] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x01 };
    size_t used;
    assert_int_equal(enc_rle_decode(huge_run, sizeof huge_run, 1, back, 200, &used), ERR_OK);
    assert_int_equal(used, sizeof huge_run);
    for (int i = 0; i < 200; i++)
        assert_int_equal(back[i], 1);
    /* Zero-length runs carry no values; they cannot loop since each header
       consumes input, and a stream of nothing else is truncated. */
    static const uint8_t zeros[] = { 0x00, 0x01, 0x01, 0x00, 0x01 };
    assert_int_equal(enc_rle_decode(zeros, sizeof zeros, 3, back, 1, NULL), ERR_TRUNCATED);
    static const uint8_t zero_then[] = { 0x01, 0x00, 0x01, 0x04, 0x02 };
    assert_int_equal(enc_rle_decode(zero_then, sizeof zero_then, 3, back, 2, NULL), ERR_OK);
    assert_int_equal(back[0], 2);
    assert_int_equal(back[1], 2);
    /* bit width 0 reads nothing. */
    back[3] = 7;
    assert_int_equal(enc_rle_decode(NULL, 0, 0, back, 3, &used), ERR_OK);
    assert_int_equal(back[0] | back[1] | back[2], 0);
    assert_int_equal(back[3], 7);
    assert_int_equal(used, 0);
    /* Empty input with values wanted. */
    assert_int_equal(enc_rle_decode(one, 0, 1, back, 1, NULL), ERR_TRUNCATED);
    /* Random bytes: any answer but a crash or a write past n. */
    uint8_t junk[64];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = rnd() % sizeof junk;
        for (size_t i = 0; i < len; i++)
            junk[i] = (uint8_t)rnd();
        uint8_t *in = exact_copy(junk, len);
        size_t n = rnd() % 150;
        uint32_t *dst = malloc((n ? n : 1) * sizeof *dst);
        int rc = enc_rle_decode(in, len, (int)(rnd() % 34), dst, n, &used);
        if (rc == ERR_OK)
            assert_true(used <= len);
        free(dst);
        free(in);
    }
}

static void test_legacy_bitpacked(void **state) {
    (void)state;
    uint32_t back[64];
    /* Encodings.md: 0..7 at width 3, MSB first: 00000101 00111001 01110111. */
    static const uint8_t spec[] = { 0x05, 0x39, 0x77 };
    assert_int_equal(enc_bitpacked_legacy_decode(spec, 3, 3, back, 8), ERR_OK);
    for (uint32_t i = 0; i < 8; i++)
        assert_int_equal(back[i], i);
    assert_int_equal(enc_bitpacked_legacy_decode(spec, 2, 3, back, 8), ERR_TRUNCATED);
    assert_int_equal(enc_bitpacked_legacy_decode(spec, 3, 33, back, 1), ERR_CORRUPT);
    /* 2 values of width 12: 0xabc, 0x123. */
    static const uint8_t w12[] = { 0xab, 0xc1, 0x23 };
    assert_int_equal(enc_bitpacked_legacy_decode(w12, 3, 12, back, 2), ERR_OK);
    assert_int_equal(back[0], 0xabc);
    assert_int_equal(back[1], 0x123);
    /* Width 32 and width 1. */
    static const uint8_t w32[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x01 };
    assert_int_equal(enc_bitpacked_legacy_decode(w32, 8, 32, back, 2), ERR_OK);
    assert_int_equal(back[0], 0xdeadbeefu);
    assert_int_equal(back[1], 1);
    static const uint8_t w1[] = { 0xa0 };
    assert_int_equal(enc_bitpacked_legacy_decode(w1, 1, 1, back, 3), ERR_OK);
    assert_int_equal(back[0], 1);
    assert_int_equal(back[1], 0);
    assert_int_equal(back[2], 1);
    assert_int_equal(enc_bitpacked_legacy_decode(w1, 1, 1, back, 9), ERR_TRUNCATED);
}

static void test_plain_bool(void **state) {
    (void)state;
    static const uint8_t v[] = { 1, 0, 1, 1, 0, 0, 0, 0, 1, 1 };
    uint8_t out[2], back[10];
    enc_plain_bool_encode(v, 10, out);
    assert_int_equal(out[0], 0x0d);
    assert_int_equal(out[1], 0x03);
    assert_int_equal(enc_plain_bool_decode(out, 2, back, 10), ERR_OK);
    assert_memory_equal(back, v, 10);
    assert_int_equal(enc_plain_bool_decode(out, 1, back, 10), ERR_TRUNCATED);
    assert_int_equal(enc_plain_bool_decode(out, 1, back, 8), ERR_OK);
    assert_int_equal(enc_plain_bool_decode(out, 0, back, 0), ERR_OK);
}

/* ---- dictionary ---- */

static void test_dict_bytes(void **state) {
    (void)state;
    pool_t *pool = pool_create(32 << 20);
    assert_non_null(pool);
    struct enc_dict *d = enc_dict_create(pool, ENC_DICT_BYTES, 4);
    assert_non_null(d);
    static const char *const in[] = { "Hello", "", "World", "Hello", "", "Hell", "World" };
    static const uint32_t want[] = { 0, 1, 2, 0, 1, 3, 2 };
    for (int i = 0; i < 7; i++) {
        uint32_t idx = 99;
        assert_int_equal(enc_dict_insert(d, in[i], strlen(in[i]), &idx), ERR_OK);
        assert_int_equal(idx, want[i]);
    }
    assert_int_equal(enc_dict_count(d), 4);
    static const uint8_t plain[] = {
        5, 0, 0, 0, 'H', 'e', 'l', 'l', 'o',
        0, 0, 0, 0,
        5, 0, 0, 0, 'W', 'o', 'r', 'l', 'd',
        4, 0, 0, 0, 'H', 'e', 'l', 'l',
    };
    assert_int_equal(enc_dict_plain_size(d), sizeof plain);
    uint8_t out[sizeof plain];
    enc_dict_write_plain(d, out);
    assert_memory_equal(out, plain, sizeof plain);
    size_t n;
    const uint8_t *p = enc_dict_value(d, 2, &n);
    assert_int_equal(n, 5);
    assert_memory_equal(p, "World", 5);
    p = enc_dict_value(d, 1, &n);
    assert_int_equal(n, 0);
    assert_null(enc_dict_value(d, 4, &n));

    /* Growth through many resizes; every value keeps its index. */
    char buf[32];
    for (uint32_t i = 0; i < 50000; i++) {
        uint32_t idx;
        int len = snprintf(buf, sizeof buf, "value-%u", i * 7919u);
        assert_int_equal(enc_dict_insert(d, buf, (size_t)len, &idx), ERR_OK);
        assert_int_equal(idx, 4 + i);
    }
    for (uint32_t i = 0; i < 50000; i += 7) {
        uint32_t idx;
        int len = snprintf(buf, sizeof buf, "value-%u", i * 7919u);
        assert_int_equal(enc_dict_insert(d, buf, (size_t)len, &idx), ERR_OK);
        assert_int_equal(idx, 4 + i);
        p = enc_dict_value(d, idx, &n);
        assert_int_equal(n, (size_t)len);
        assert_memory_equal(p, buf, n);
    }
    assert_int_equal(enc_dict_count(d), 50004);

    /* Reset forgets the values and keeps the memory. */
    size_t before = pool_used(pool);
    enc_dict_reset(d);
    assert_int_equal(enc_dict_count(d), 0);
    assert_int_equal(enc_dict_plain_size(d), 0);
    uint32_t idx;
    assert_int_equal(enc_dict_insert(d, "World", 5, &idx), ERR_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(enc_dict_insert(d, "Hello", 5, &idx), ERR_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(pool_used(pool), before);
    enc_dict_free(d);
    assert_int_equal(pool_destroy(pool), 0);
}

static void test_dict_fixed(void **state) {
    (void)state;
    pool_t *pool = pool_create(64 << 20);
    assert_non_null(pool);

    /* FIXED8: plain output is the values little-endian, in index order. */
    struct enc_dict *d = enc_dict_create(pool, ENC_DICT_FIXED8, 0);
    assert_non_null(d);
    static const int64_t vals[] = { 3, -1, 3, 0, INT64_MIN, -1, 0 };
    static const uint32_t want[] = { 0, 1, 0, 2, 3, 1, 2 };
    for (int i = 0; i < 7; i++) {
        uint8_t b[8];
        uint32_t idx;
        enc_store_u64le(b, (uint64_t)vals[i]);
        assert_int_equal(enc_dict_insert(d, b, 8, &idx), ERR_OK);
        assert_int_equal(idx, want[i]);
    }
    static const uint8_t plain[] = {
        3, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0x80,
    };
    assert_int_equal(enc_dict_count(d), 4);
    assert_int_equal(enc_dict_plain_size(d), sizeof plain);
    uint8_t out[sizeof plain];
    enc_dict_write_plain(d, out);
    assert_memory_equal(out, plain, sizeof plain);

    /* Growth: 200000 sequential and scattered keys. */
    enc_dict_reset(d);
    for (uint64_t i = 0; i < 200000; i++) {
        uint8_t b[8];
        uint32_t idx;
        enc_store_u64le(b, i % 2 ? i << 32 : i);
        assert_int_equal(enc_dict_insert(d, b, 8, &idx), ERR_OK);
        assert_int_equal(idx, i);
    }
    for (uint64_t i = 0; i < 200000; i += 3) {
        uint8_t b[8];
        uint32_t idx;
        size_t n;
        enc_store_u64le(b, i % 2 ? i << 32 : i);
        assert_int_equal(enc_dict_insert(d, b, 8, &idx), ERR_OK);
        assert_int_equal(idx, i);
        assert_memory_equal(enc_dict_value(d, idx, &n), b, 8);
        assert_int_equal(n, 8);
    }
    assert_int_equal(enc_dict_count(d), 200000);
    assert_int_equal(enc_dict_plain_size(d), 200000 * 8);
    uint32_t idx;
    assert_int_equal(enc_dict_insert(d, "abcd", 4, &idx), ERR_INTERNAL);
    enc_dict_free(d);

    /* FIXED4 and INT96-sized values. */
    d = enc_dict_create(pool, ENC_DICT_FIXED4, 1000);
    assert_non_null(d);
    for (uint32_t i = 0; i < 5000; i++) {
        uint8_t b[4];
        enc_store_u32le(b, i * 2654435761u);
        assert_int_equal(enc_dict_insert(d, b, 4, &idx), ERR_OK);
        assert_int_equal(idx, i);
    }
    uint8_t b4[4];
    enc_store_u32le(b4, 7 * 2654435761u);
    assert_int_equal(enc_dict_insert(d, b4, 4, &idx), ERR_OK);
    assert_int_equal(idx, 7);
    assert_int_equal(enc_dict_plain_size(d), 5000 * 4);
    enc_dict_free(d);

    d = enc_dict_create(pool, 12, 0);
    assert_non_null(d);
    for (uint32_t i = 0; i < 3000; i++) {
        uint8_t b[12] = {0};
        enc_store_u32le(b + 8, i);
        assert_int_equal(enc_dict_insert(d, b, 12, &idx), ERR_OK);
        assert_int_equal(idx, i);
    }
    uint8_t b12[12] = {0};
    enc_store_u32le(b12 + 8, 2999);
    assert_int_equal(enc_dict_insert(d, b12, 12, &idx), ERR_OK);
    assert_int_equal(idx, 2999);
    assert_int_equal(enc_dict_plain_size(d), 3000 * 12);
    enc_dict_free(d);

    assert_int_equal(pool_destroy(pool), 0);
}

/* Insert values one at a time as enc_dict_insert_fixed/_spans do, the
   limits checked before each: the reference for the batch functions. */
static int dict_one_by_one(struct enc_dict *d, const uint8_t *base, const struct enc_span *sp,
                           const uint8_t *v, size_t width, size_t n, size_t max_plain,
                           size_t max_count, uint32_t *idx, size_t *done) {
    size_t i = 0;
    int e = ERR_OK;
    for (; i < n; i++) {
        size_t len = width ? width : sp[i].len;
        if (enc_dict_plain_size(d) + 4 + len > max_plain || enc_dict_count(d) >= max_count)
            break;
        e = enc_dict_insert(d, width ? v + i * width : base + sp[i].off, len, &idx[i]);
        if (e)
            break;
    }
    *done = i;
    return e;
}

/* The batch inserts, into a dictionary reset after many values (whose
   table grew) and after a few (in a larger table), against one value at a
   time into a new dictionary, for every kind, with limits that stop them
   anywhere (on a repeat too): the same indices, counts and PLAIN bytes. */
static void test_dict_batches(void **state) {
    (void)state;
    enum { N = 20000 };
    pool_t *pool = pool_create(64 << 20);
    assert_non_null(pool);
    uint8_t *vals = malloc(N * 12), *text = malloc(N * 24);
    struct enc_span *sp = malloc(N * sizeof *sp);
    uint32_t *ia = malloc(N * sizeof *ia), *ib = malloc(N * sizeof *ib);
    static const int kinds[] = { ENC_DICT_FIXED4, ENC_DICT_FIXED8, 12, ENC_DICT_BYTES };
    for (size_t kk = 0; kk < sizeof kinds / sizeof *kinds; kk++) {
        int kind = kinds[kk];
        size_t width = (size_t)kind;
        struct enc_dict *b = enc_dict_create(pool, kind, 16);
        assert_non_null(b);
        /* distinct values: many, then few, then many, then few */
        static const size_t distinct[] = { 15000, 7, 3000, 40, 1, 12000 };
        for (size_t round = 0; round < sizeof distinct / sizeof *distinct; round++) {
            size_t t = 0;
            for (size_t i = 0; i < N; i++) {
                uint64_t x = rnd() % distinct[round] * 0x9e3779b97f4a7c15u;
                if (width) {
                    memset(vals + i * width, 0, width);
                    for (size_t k = 0; k < width && k < 8; k++)
                        vals[i * width + k] = (uint8_t)(x >> (8 * k));
                } else {
                    size_t len = (size_t)(x >> 60);
                    sp[i].off = (uint32_t)t;
                    sp[i].len = (uint32_t)len;
                    for (size_t k = 0; k < len; k++)
                        text[t++] = (uint8_t)(x >> (4 * k));
                }
            }
            size_t limits[][2] = {
                { SIZE_MAX, SIZE_MAX }, { 2000, SIZE_MAX }, { SIZE_MAX, 5 }, { SIZE_MAX, 1 },
                { 100000, 10000 },
            };
            for (size_t li = 0; li < sizeof limits / sizeof *limits; li++) {
                size_t da, db;
                struct enc_dict *a = enc_dict_create(pool, kind, 16);   /* never reset */
                assert_non_null(a);
                enc_dict_reset(b);
                memset(ia, 0xee, N * sizeof *ia);
                memset(ib, 0xee, N * sizeof *ib);
                int ea = dict_one_by_one(a, text, sp, vals, width, N, limits[li][0], limits[li][1],
                                         ia, &da);
                int eb = width ? enc_dict_insert_fixed(b, vals, N, limits[li][0], limits[li][1], ib, &db)
                               : enc_dict_insert_spans(b, text, sp, N, limits[li][0], limits[li][1],
                                                       ib, &db);
                assert_int_equal(ea, ERR_OK);
                assert_int_equal(eb, ERR_OK);
                assert_int_equal(da, db);
                assert_memory_equal(ia, ib, da * sizeof *ia);
                assert_int_equal(enc_dict_count(a), enc_dict_count(b));
                assert_int_equal(enc_dict_plain_size(a), enc_dict_plain_size(b));
                size_t np = enc_dict_plain_size(a);
                uint8_t *pa = malloc(np + 1), *pb = malloc(np + 1);
                enc_dict_write_plain(a, pa);
                enc_dict_write_plain(b, pb);
                assert_memory_equal(pa, pb, np);
                if (width)
                    assert_memory_equal(enc_dict_fixed_values(b), pb, np);
                else
                    assert_null(enc_dict_fixed_values(b));
                free(pa);
                free(pb);
                enc_dict_free(a);
            }
        }
        uint32_t idx;
        size_t done;
        assert_int_equal(width ? enc_dict_insert_spans(b, text, sp, 1, SIZE_MAX, SIZE_MAX, &idx, &done)
                               : enc_dict_insert_fixed(b, vals, 1, SIZE_MAX, SIZE_MAX, &idx, &done),
                         ERR_INTERNAL);
        assert_int_equal(done, 0);
        enc_dict_free(b);
    }
    /* Out of memory part way: the values before the one that failed are in. */
    pool_t *small = pool_create(16 << 10);
    assert_non_null(small);
    struct enc_dict *d = enc_dict_create(small, ENC_DICT_FIXED8, 0);
    assert_non_null(d);
    for (uint64_t i = 0; i < N; i++)
        enc_store_u64le(vals + i * 8, i * 3);
    size_t done;
    assert_int_equal(enc_dict_insert_fixed(d, vals, N, SIZE_MAX, SIZE_MAX, ib, &done), ERR_NOMEM);
    assert_true(done > 0 && done < N);
    assert_int_equal(enc_dict_count(d), done);
    for (size_t i = 0; i < done; i++)
        assert_int_equal(ib[i], i);
    enc_dict_free(d);
    assert_int_equal(pool_destroy(small), 0);
    free(vals);
    free(text);
    free(sp);
    free(ia);
    free(ib);
    assert_int_equal(pool_destroy(pool), 0);
}

static void test_dict_nomem(void **state) {
    (void)state;
    for (int kind = 0; kind <= 8; kind += 4) {
        pool_t *pool = pool_create(16 << 10);
        assert_non_null(pool);
        struct enc_dict *d = enc_dict_create(pool, kind, 0);
        assert_non_null(d);
        uint32_t i, idx;
        int rc = ERR_OK;
        uint8_t b[16];
        for (i = 0; i < 100000; i++) {
            memset(b, 0, sizeof b);
            enc_store_u32le(b, i);
            rc = enc_dict_insert(d, b, kind ? (size_t)kind : 6, &idx);
            if (rc != ERR_OK)
                break;
            assert_int_equal(idx, i);
        }
        assert_int_equal(rc, ERR_NOMEM);
        /* Still usable: the count stands and old values are found. */
        assert_int_equal(enc_dict_count(d), i);
        assert_int_equal(enc_dict_plain_size(d), i * (size_t)(kind ? kind : 10));
        for (uint32_t k = 0; k < i; k++) {
            memset(b, 0, sizeof b);
            enc_store_u32le(b, k);
            assert_int_equal(enc_dict_insert(d, b, kind ? (size_t)kind : 6, &idx), ERR_OK);
            assert_int_equal(idx, k);
        }
        size_t n;
        const uint8_t *p = enc_dict_value(d, i - 1, &n);
        assert_non_null(p);
        assert_int_equal(enc_load_u32le(p), i - 1);
        enc_dict_reset(d);
        assert_int_equal(enc_dict_insert(d, b, kind ? (size_t)kind : 6, &idx), ERR_OK);
        assert_int_equal(idx, 0);
        enc_dict_free(d);
        assert_int_equal(pool_destroy(pool), 0);
    }
    /* A pool too small for the dictionary itself. */
    pool_t *pool = pool_create(1);
    assert_non_null(pool);
    assert_null(enc_dict_create(pool, ENC_DICT_BYTES, 1 << 20));
    assert_int_equal(pool_destroy(pool), 0);
}

/* ---- DELTA_BINARY_PACKED ---- */

/* A writer with any block size and miniblock count, packing bit by bit;
   unused miniblocks of the last block get the width byte `junk`. */
static size_t ref_delta_encode(const int64_t *v, size_t n, size_t block, size_t minis,
                               uint8_t junk, uint8_t *out) {
    size_t pos = 0, mini = block / minis;
    uint64_t *rel = malloc(block * sizeof *rel);
    assert_non_null(rel);
    pos += put_varint(out + pos, block);
    pos += put_varint(out + pos, minis);
    pos += put_varint(out + pos, n);
    uint64_t first = n ? (uint64_t)v[0] : 0;
    pos += put_varint(out + pos, first << 1 ^ (0 - (first >> 63)));
    for (size_t i = 1; i < n; i += block) {
        size_t k = n - i < block ? n - i : block;
        int64_t min = INT64_MAX;
        for (size_t j = 0; j < k; j++) {
            int64_t dlt = (int64_t)((uint64_t)v[i + j] - (uint64_t)v[i + j - 1]);
            if (dlt < min)
                min = dlt;
        }
        for (size_t j = 0; j < block; j++)
            rel[j] = j < k ? (uint64_t)v[i + j] - (uint64_t)v[i + j - 1] - (uint64_t)min : 0;
        uint64_t zm = (uint64_t)min;
        pos += put_varint(out + pos, zm << 1 ^ (0 - (zm >> 63)));
        size_t wpos = pos;
        pos += minis;
        for (size_t m = 0; m < minis; m++) {
            if (m * mini >= k) {
                out[wpos + m] = junk;
                continue;
            }
            uint64_t any = 0;
            for (size_t j = 0; j < mini; j++)
                any |= rel[m * mini + j];
            int w = enc_bit_width(any);
            out[wpos + m] = (uint8_t)w;
            memset(out + pos, 0, mini * (size_t)w / 8);
            for (size_t j = 0; j < mini; j++)
                put_bits_lsb(out + pos, j * (size_t)w, rel[m * mini + j], w);
            pos += mini * (size_t)w / 8;
        }
    }
    free(rel);
    return pos;
}

static void fill_delta(int64_t *v, size_t n, int shape) {
    for (size_t i = 0; i < n; i++) {
        switch (shape) {
        case 0: v[i] = (int64_t)rnd(); break;
        case 1: v[i] = i ? v[i - 1] + (int64_t)(rnd() % 1000) : 12345; break;
        case 2: v[i] = -(int64_t)(rnd() % 100000) - 1; break;
        case 3: v[i] = i % 2 ? INT64_MIN : INT64_MAX; break;
        case 4: v[i] = (int64_t)((uint64_t)(i % 3 ? INT64_MIN : INT64_MAX) + rnd() % 3 - 1); break;
        default: v[i] = 42; break;
        }
    }
}

static void test_delta_spec_examples(void **state) {
    (void)state;
    int64_t out[16];
    size_t count, used;
    /* Example 1 (1, 2, 3, 4, 5) with a valid block size of 128, one
       miniblock: min delta 1, width 0, no body. */
    static const uint8_t ex1[] = { 0x80, 0x01, 0x01, 0x05, 0x02, 0x02, 0x00 };
    assert_int_equal(enc_delta_binary_decode(ex1, sizeof ex1, out, 16, &count, &used), ERR_OK);
    assert_int_equal(count, 5);
    assert_int_equal(used, sizeof ex1);
    for (int i = 0; i < 5; i++)
        assert_int_equal(out[i], i + 1);

    /* Example 2 (7, 5, 3, 1, 2, 3, 4, 5): min delta -2, relative deltas
       0 0 0 3 3 3 3 at width 2 in a 128-value miniblock (32 bytes). */
    uint8_t ex2[5 + 2 + 32] = { 0x80, 0x01, 0x01, 0x08, 0x0e, 0x03, 0x02, 0xc0, 0x3f };
    assert_int_equal(enc_delta_binary_decode(ex2, sizeof ex2, out, 16, &count, &used), ERR_OK);
    static const int64_t want2[] = { 7, 5, 3, 1, 2, 3, 4, 5 };
    assert_int_equal(count, 8);
    assert_int_equal(used, sizeof ex2);
    assert_memory_equal(out, want2, sizeof want2);

    /* Our encoder on example 1: block 128, 4 miniblocks, all widths 0. */
    static const int64_t v1[] = { 1, 2, 3, 4, 5 };
    static const uint8_t enc1[] = { 0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0 };
    uint8_t buf[64];
    size_t sz = enc_delta_binary_encode(v1, 5, buf);
    assert_int_equal(sz, sizeof enc1);
    assert_memory_equal(buf, enc1, sizeof enc1);
    /* ... and on example 2: width 2 in the first miniblock only. */
    uint8_t enc2[5 + 1 + 4 + 8] = { 0x80, 0x01, 0x04, 0x08, 0x0e, 0x03, 0x02, 0, 0, 0, 0xc0, 0x3f };
    sz = enc_delta_binary_encode(want2, 8, buf);
    assert_int_equal(sz, sizeof enc2);
    assert_memory_equal(buf, enc2, sizeof enc2);
}

static void test_delta_roundtrip(void **state) {
    (void)state;
    static const size_t sizes[] = { 0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 257, 10000 };
    int64_t *v = malloc(10000 * sizeof *v), *back = malloc(10001 * sizeof *back);
    uint8_t *buf = malloc(enc_delta_binary_bound(10000));
    assert_non_null(v);
    assert_non_null(back);
    assert_non_null(buf);
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        size_t n = sizes[si];
        for (int shape = 0; shape < 6; shape++) {
            fill_delta(v, n, shape);
            size_t sz = enc_delta_binary_encode(v, n, buf);
            assert_true(sz <= enc_delta_binary_bound(n));
            assert_int_equal(enc_delta_binary_size(v, n), sz);
            uint8_t *in = exact_copy(buf, sz);
            size_t count = 99, used = 99;
            back[n] = 0x5a5a;
            assert_int_equal(enc_delta_binary_decode(in, sz, back, n + 1, &count, &used), ERR_OK);
            assert_int_equal(count, n);
            assert_int_equal(used, sz);
            if (n)
                assert_memory_equal(back, v, n * sizeof *v);
            assert_int_equal(back[n], 0x5a5a);
            if (n)
                assert_int_equal(enc_delta_binary_decode(in, sz, back, n - 1, &count, &used),
                                 ERR_CORRUPT);
            free(in);
        }
    }
    free(v);
    free(back);
    free(buf);
}

static void test_delta_int32(void **state) {
    (void)state;
    enum { N = 1000 };
    int32_t v[N];
    int64_t back[N];
    uint8_t buf[16384];
    for (int shape = 0; shape < 3; shape++) {
        for (int i = 0; i < N; i++)
            v[i] = shape == 0 ? (i % 2 ? INT32_MIN : INT32_MAX)
                 : shape == 1 ? (int32_t)(uint32_t)rnd() : -i;
        size_t sz = enc_delta_binary_encode32(v, N, buf);
        assert_true(sz <= enc_delta_binary_bound(N));
        /* Every miniblock width fits 32 bits (the spec's rule for INT32). */
        size_t pos = 0;
        for (int h = 0; h < 4; h++)
            get_varint(buf, &pos);
        for (size_t done = 1; done < N; done += 128) {
            get_varint(buf, &pos);
            size_t k = N - done < 128 ? N - done : 128;
            uint8_t w[4];
            memcpy(w, buf + pos, 4);
            pos += 4;
            for (int m = 0; m < 4; m++) {
                assert_true(w[m] <= 32);
                if ((size_t)m * 32 < k)
                    pos += 4 * (size_t)w[m];
            }
        }
        assert_int_equal(pos, sz);
        size_t count, used;
        assert_int_equal(enc_delta_binary_decode(buf, sz, back, N, &count, &used), ERR_OK);
        assert_int_equal(count, N);
        assert_int_equal(used, sz);
        for (int i = 0; i < N; i++)
            assert_int_equal((int32_t)(uint32_t)(uint64_t)back[i], v[i]);
        /* the size alone, for every count up to 300 and some beyond */
        for (size_t n = 0; n <= N; n += n < 300 ? 1 : 97)
            assert_int_equal(enc_delta_binary_size32(v, n), enc_delta_binary_encode32(v, n, buf));
    }
}

/* Deltas of every width from 0 to 64 bits, a width per miniblock, the
   last block full or cut anywhere: our encoder writes exactly the bytes
   of the bit-by-bit writer (which gives unused miniblocks width 0). */
static void test_delta_every_width(void **state) {
    (void)state;
    enum { N = 1 + 4 * 128 };
    int64_t v[N];
    uint8_t *got = malloc(enc_delta_binary_bound(N)), *want = malloc(enc_delta_binary_bound(N));
    assert_non_null(got);
    assert_non_null(want);
    for (int w = 0; w <= 64; w++) {
        for (int rep = 0; rep < 4; rep++) {
            v[0] = (int64_t)rnd();
            for (size_t i = 1; i < N; i++) {
                /* miniblock widths w, w - 1, w / 2, 0 in turn: a width-w
                   delta above a zero one keeps the miniblock at w bits */
                size_t mb = (i - 1) / 32 % 4;
                int bw = mb == 0 ? w : mb == 1 ? (w ? w - 1 : 0) : mb == 2 ? w / 2 : 0;
                uint64_t mask = bw == 64 ? ~(uint64_t)0 : ((uint64_t)1 << bw) - 1;
                uint64_t d = (uint64_t)rnd() << 32 ^ (uint64_t)rnd();
                if ((i - 1) % 32 == 0)
                    d = 0;            /* the block minimum: rel = delta */
                else if ((i - 1) % 32 == 1 && bw)
                    d = mask;         /* the width reached */
                v[i] = (int64_t)((uint64_t)v[i - 1] + (d & mask));
            }
            size_t n = rep == 0 ? N : 2 + (size_t)rnd() % (N - 2);
            size_t a = enc_delta_binary_encode(v, n, got);
            size_t b = ref_delta_encode(v, n, 128, 4, 0, want);
            assert_int_equal(a, b);
            assert_memory_equal(got, want, a);
            assert_int_equal(enc_delta_binary_size(v, n), a);
        }
    }
    free(got);
    free(want);
}

static void test_delta_foreign_layout(void **state) {
    (void)state;
    static const size_t shapes[][2] = { { 128, 1 }, { 128, 4 }, { 256, 8 }, { 512, 4 }, { 256, 2 } };
    enum { N = 3000 };
    int64_t *v = malloc(N * sizeof *v), *back = malloc(N * sizeof *back);
    uint8_t *buf = malloc(N * 10 + 4096);
    assert_non_null(v);
    assert_non_null(back);
    assert_non_null(buf);
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        for (int shape = 0; shape < 6; shape++) {
            size_t n = 1 + rnd() % N;
            fill_delta(v, n, shape);
            /* Unused miniblocks carry junk widths and no bodies. */
            size_t sz = ref_delta_encode(v, n, shapes[s][0], shapes[s][1], 0xff, buf);
            uint8_t *in = exact_copy(buf, sz);
            size_t count, used;
            assert_int_equal(enc_delta_binary_decode(in, sz, back, N, &count, &used), ERR_OK);
            assert_int_equal(count, n);
            assert_int_equal(used, sz);
            assert_memory_equal(back, v, n * sizeof *v);
            free(in);
        }
    }
    free(v);
    free(back);
    free(buf);
}

static void test_delta_hostile(void **state) {
    (void)state;
    int64_t out[300];
    size_t count, used;
    uint8_t b[64];
    /* Block size not a multiple of 128, zero, or too large. */
    static const uint8_t bs100[] = { 0x64, 0x01, 0x01, 0x00 };
    assert_int_equal(enc_delta_binary_decode(bs100, sizeof bs100, out, 8, &count, &used), ERR_CORRUPT);
    static const uint8_t bs64[] = { 0x40, 0x02, 0x01, 0x00 };
    assert_int_equal(enc_delta_binary_decode(bs64, sizeof bs64, out, 8, &count, &used), ERR_CORRUPT);
    static const uint8_t bs0[] = { 0x00, 0x01, 0x01, 0x00 };
    assert_int_equal(enc_delta_binary_decode(bs0, sizeof bs0, out, 8, &count, &used), ERR_CORRUPT);
    static const uint8_t bsbig[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x01, 0x01, 0x00 };
    assert_int_equal(enc_delta_binary_decode(bsbig, sizeof bsbig, out, 8, &count, &used), ERR_CORRUPT);
    /* Miniblock count 0, not a divisor, or miniblocks of 16 values. */
    static const uint8_t mb0[] = { 0x80, 0x01, 0x00, 0x01, 0x00 };
    assert_int_equal(enc_delta_binary_decode(mb0, sizeof mb0, out, 8, &count, &used), ERR_CORRUPT);
    static const uint8_t mb3[] = { 0x80, 0x01, 0x03, 0x01, 0x00 };
    assert_int_equal(enc_delta_binary_decode(mb3, sizeof mb3, out, 8, &count, &used), ERR_CORRUPT);
    static const uint8_t mb8[] = { 0x80, 0x01, 0x08, 0x01, 0x00 };
    assert_int_equal(enc_delta_binary_decode(mb8, sizeof mb8, out, 8, &count, &used), ERR_CORRUPT);
    /* More values than the caller has room for. */
    static const uint8_t many[] = { 0x80, 0x01, 0x04, 0x09, 0x00 };
    assert_int_equal(enc_delta_binary_decode(many, sizeof many, out, 8, &count, &used), ERR_CORRUPT);
    /* A miniblock width over 64. */
    static const uint8_t w65[] = { 0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 65, 0, 0, 0 };
    assert_int_equal(enc_delta_binary_decode(w65, sizeof w65, out, 8, &count, &used), ERR_CORRUPT);
    /* One value: header only. */
    static const uint8_t single[] = { 0x80, 0x01, 0x04, 0x01, 0x03 };
    assert_int_equal(enc_delta_binary_decode(single, sizeof single, out, 1, &count, &used), ERR_OK);
    assert_int_equal(count, 1);
    assert_int_equal(out[0], -2);
    assert_int_equal(used, sizeof single);
    /* Width 64 with wrapping arithmetic: INT64_MIN, then +INT64_MAX... */
    int64_t ext[3] = { INT64_MIN, INT64_MAX, INT64_MIN };
    size_t sz = enc_delta_binary_encode(ext, 3, b);
    assert_int_equal(enc_delta_binary_decode(b, sz, out, 3, &count, &used), ERR_OK);
    assert_memory_equal(out, ext, sizeof ext);

    /* Truncation at every length of several streams. */
    static const size_t sizes[] = { 129, 200, 1000 };
    int64_t v[1000], back[1000];
    uint8_t *buf = malloc(enc_delta_binary_bound(1000));
    assert_non_null(buf);
    for (size_t si = 0; si < 3; si++) {
        for (int shape = 0; shape < 5; shape++) {
            size_t n = sizes[si];
            fill_delta(v, n, shape);
            sz = enc_delta_binary_encode(v, n, buf);
            for (size_t cut = 0; cut < sz; cut++) {
                uint8_t *in = exact_copy(buf, cut);
                int rc = enc_delta_binary_decode(in, cut, back, n, &count, &used);
                if (n == 129) {
                    /* No padding anywhere: every cut loses a value. */
                    assert_true(rc == ERR_TRUNCATED || rc == ERR_CORRUPT);
                } else if (rc == ERR_OK) {
                    /* Only the last miniblock's padding may go missing. */
                    assert_int_equal(count, n);
                    assert_memory_equal(back, v, n * sizeof *v);
                    assert_true(used <= cut);
                } else {
                    assert_int_equal(rc, ERR_TRUNCATED);
                }
                free(in);
            }
        }
    }
    free(buf);

    /* Random bytes after a valid header: no crash. */
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 5 + rnd() % 59;
        memcpy(b, "\x80\x01\x04", 3);
        b[3] = (uint8_t)(rnd() % 120);
        for (size_t i = 4; i < len; i++)
            b[i] = (uint8_t)rnd();
        if (iter % 2)
            for (size_t i = 6; i < 10 && i < len; i++)
                b[i] %= 70;
        uint8_t *in = exact_copy(b, len);
        int rc = enc_delta_binary_decode(in, len, out, 300, &count, &used);
        if (rc == ERR_OK)
            assert_true(used <= len && count <= 300);
        free(in);
    }
}

/* ---- byte-array encodings ---- */

static void test_delta_length(void **state) {
    (void)state;
    /* Encodings.md: "Hello", "World", "Foobar", "ABCDEF". */
    static const uint8_t page[] = {
        0x80, 0x01, 0x04, 0x04, 0x0a,      /* block 128, 4 miniblocks, 4 values, first 5 */
        0x00, 0x01, 0x00, 0x00, 0x00,      /* min delta 0; widths 1 0 0 0 */
        0x02, 0x00, 0x00, 0x00,            /* relative deltas 0 1 0 */
        'H', 'e', 'l', 'l', 'o', 'W', 'o', 'r', 'l', 'd',
        'F', 'o', 'o', 'b', 'a', 'r', 'A', 'B', 'C', 'D', 'E', 'F',
    };
    static const int64_t lens[] = { 5, 5, 6, 6 };
    uint8_t enc[64];
    assert_int_equal(enc_delta_binary_encode(lens, 4, enc), 14);
    assert_memory_equal(enc, page, 14);

    int64_t tmp[4];
    uint32_t off[4], len[4];
    struct enc_byte_array ba = { NULL, off, len };
    size_t used;
    uint8_t *in = exact_copy(page, sizeof page);
    assert_int_equal(enc_delta_length_decode(in, sizeof page, 4, tmp, &ba, &used), ERR_OK);
    assert_int_equal(used, sizeof page);
    static const char *const want[] = { "Hello", "World", "Foobar", "ABCDEF" };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(len[i], strlen(want[i]));
        assert_memory_equal(ba.data + off[i], want[i], len[i]);
    }
    /* Fewer values announced than wanted. */
    assert_int_equal(enc_delta_length_decode(in, sizeof page, 5, (int64_t[5]){0}, &ba, &used),
                     ERR_CORRUPT);
    free(in);
    /* Every truncation fails. */
    for (size_t cut = 0; cut < sizeof page; cut++) {
        in = exact_copy(page, cut);
        int rc = enc_delta_length_decode(in, cut, 4, tmp, &ba, &used);
        assert_true(rc == ERR_TRUNCATED || rc == ERR_CORRUPT);
        free(in);
    }
    /* A negative length. */
    static const int64_t neg[] = { 3, -1 };
    size_t sz = enc_delta_binary_encode(neg, 2, enc);
    memcpy(enc + sz, "abcdef", 6);
    assert_int_equal(enc_delta_length_decode(enc, sz + 6, 2, tmp, &ba, &used), ERR_CORRUPT);
    /* Lengths past the data. */
    static const int64_t big[] = { 3, 4 };
    sz = enc_delta_binary_encode(big, 2, enc);
    memcpy(enc + sz, "abcdef", 6);
    assert_int_equal(enc_delta_length_decode(enc, sz + 6, 2, tmp, &ba, &used), ERR_TRUNCATED);
    assert_int_equal(enc_delta_length_decode(enc, sz + 7, 2, tmp, &ba, &used), ERR_OK);
}

static size_t build_dba(const int64_t *prefix, const int64_t *suffix, size_t n,
                        const char *data, uint8_t *out) {
    size_t sz = enc_delta_binary_encode(prefix, n, out);
    sz += enc_delta_binary_encode(suffix, n, out + sz);
    memcpy(out + sz, data, strlen(data));
    return sz + strlen(data);
}

static void test_delta_byte_array(void **state) {
    (void)state;
    /* Encodings.md: "axis", "axle", "babble", "babyhood". */
    static const int64_t prefix[] = { 0, 2, 0, 3 }, suffix[] = { 4, 2, 6, 5 };
    uint8_t page[128];
    size_t sz = build_dba(prefix, suffix, 4, "axislebabbleyhood", page);
    int64_t tmp[8];
    uint32_t off[4], len[4];
    uint8_t scratch[64];
    struct enc_byte_array ba = { NULL, off, len };
    size_t used;
    uint8_t *in = exact_copy(page, sz);
    assert_int_equal(enc_delta_byte_array_decode(in, sz, 4, tmp, scratch, sizeof scratch, &ba, &used),
                     ERR_OK);
    assert_int_equal(used, sz);
    static const char *const want[] = { "axis", "axle", "babble", "babyhood" };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(len[i], strlen(want[i]));
        assert_memory_equal(ba.data + off[i], want[i], len[i]);
    }
    /* Scratch too small: ERR_TOOBIG and the size needed. */
    assert_int_equal(enc_delta_byte_array_decode(in, sz, 4, tmp, scratch, 21, &ba, &used), ERR_TOOBIG);
    assert_int_equal(used, 22);
    assert_int_equal(enc_delta_byte_array_decode(in, sz, 4, tmp, scratch, 22, &ba, &used), ERR_OK);
    for (size_t cut = 0; cut < sz; cut++) {
        uint8_t *c = exact_copy(page, cut);
        int rc = enc_delta_byte_array_decode(c, cut, 4, tmp, scratch, sizeof scratch, &ba, &used);
        assert_true(rc == ERR_TRUNCATED || rc == ERR_CORRUPT);
        free(c);
    }
    free(in);

    /* A prefix longer than the previous value, a first prefix, a negative
       prefix or suffix. */
    static const int64_t p_long[] = { 0, 5 }, s_ok[] = { 4, 1 };
    sz = build_dba(p_long, s_ok, 2, "axisx", page);
    assert_int_equal(enc_delta_byte_array_decode(page, sz, 2, tmp, scratch, sizeof scratch, &ba, &used),
                     ERR_CORRUPT);
    static const int64_t p_first[] = { 1, 0 };
    sz = build_dba(p_first, s_ok, 2, "axisx", page);
    assert_int_equal(enc_delta_byte_array_decode(page, sz, 2, tmp, scratch, sizeof scratch, &ba, &used),
                     ERR_CORRUPT);
    static const int64_t p_neg[] = { 0, -1 };
    sz = build_dba(p_neg, s_ok, 2, "axisx", page);
    assert_int_equal(enc_delta_byte_array_decode(page, sz, 2, tmp, scratch, sizeof scratch, &ba, &used),
                     ERR_CORRUPT);
    static const int64_t p_ok[] = { 0, 4 }, s_neg[] = { 5, -1 };
    sz = build_dba(p_ok, s_neg, 2, "axisx", page);
    assert_int_equal(enc_delta_byte_array_decode(page, sz, 2, tmp, scratch, sizeof scratch, &ba, &used),
                     ERR_CORRUPT);
    /* Full-prefix repeats: "abc", "abc", "abcd". */
    static const int64_t p_rep[] = { 0, 3, 3 }, s_rep[] = { 3, 0, 1 };
    sz = build_dba(p_rep, s_rep, 3, "abcd", page);
    assert_int_equal(enc_delta_byte_array_decode(page, sz, 3, tmp, scratch, sizeof scratch, &ba, &used),
                     ERR_OK);
    assert_int_equal(len[1], 3);
    assert_memory_equal(ba.data + off[1], "abc", 3);
    assert_int_equal(len[2], 4);
    assert_memory_equal(ba.data + off[2], "abcd", 4);
}

/* ---- BYTE_STREAM_SPLIT ---- */

static void test_byte_stream_split(void **state) {
    (void)state;
    static const uint8_t v[] = { 0xaa, 0xbb, 0xcc, 0xdd, 0x00, 0x11, 0x22, 0x33, 0xa3, 0xb4, 0xc5, 0xd6 };
    static const uint8_t split[] = { 0xaa, 0x00, 0xa3, 0xbb, 0x11, 0xb4, 0xcc, 0x22, 0xc5, 0xdd, 0x33, 0xd6 };
    uint8_t out[12], back[12];
    enc_byte_stream_split_encode(v, 3, 4, out);
    assert_memory_equal(out, split, 12);
    assert_int_equal(enc_byte_stream_split_decode(split, 12, 4, back, 3), ERR_OK);
    assert_memory_equal(back, v, 12);
    assert_int_equal(enc_byte_stream_split_decode(split, 11, 4, back, 3), ERR_CORRUPT);
    assert_int_equal(enc_byte_stream_split_decode(split, 12, 4, back, 2), ERR_CORRUPT);
    assert_int_equal(enc_byte_stream_split_decode(split, 12, 0, back, 3), ERR_CORRUPT);
    assert_int_equal(enc_byte_stream_split_decode(split, 12, SIZE_MAX / 2, back, 3), ERR_CORRUPT);

    static const size_t widths[] = { 1, 2, 3, 4, 8, 16 };
    static const size_t counts[] = { 0, 1, 5, 1001 };
    for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++) {
        for (size_t ci = 0; ci < sizeof counts / sizeof *counts; ci++) {
            size_t w = widths[wi], n = counts[ci], bytes = w * n;
            uint8_t *src = malloc(bytes + 1), *enc = malloc(bytes + 1), *dec = malloc(bytes + 1);
            assert_non_null(src);
            assert_non_null(enc);
            assert_non_null(dec);
            for (size_t i = 0; i < bytes; i++)
                src[i] = (uint8_t)rnd();
            enc_byte_stream_split_encode(src, n, w, enc);
            for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < w; k++)
                    assert_int_equal(enc[k * n + i], src[i * w + k]);
            uint8_t *in = exact_copy(enc, bytes);
            assert_int_equal(enc_byte_stream_split_decode(in, bytes, w, dec, n), ERR_OK);
            if (bytes)
                assert_memory_equal(dec, src, bytes);
            free(in);
            free(src);
            free(enc);
            free(dec);
        }
    }
}

/* The 32-bit variant stays within the bound for 32 bits a value, values
   all equal within the bound for 0: the worst cases (widths from the
   extremes, every count around the block and miniblock sizes). */
static void test_delta_bound_width(void **state) {
    (void)state;
    enum { N = 1000 };
    int32_t v[N];
    for (size_t n = 0; n <= N; n += n < 300 ? 1 : 97) {
        /* buffers of exactly the bound: ASan sees a byte past it */
        uint8_t *buf = malloc(enc_delta_binary_bound_width(n, 32));
        assert_non_null(buf);
        for (size_t i = 0; i < n; i++)
            v[i] = i % 2 ? INT32_MAX : INT32_MIN;
        size_t sz = enc_delta_binary_encode32(v, n, buf);
        assert_true(sz <= enc_delta_binary_bound_width(n, 32));
        free(buf);
        buf = malloc(enc_delta_binary_bound_width(n, 0));
        assert_non_null(buf);
        for (size_t i = 0; i < n; i++)
            v[i] = 7;
        sz = enc_delta_binary_encode32(v, n, buf);
        assert_true(sz <= enc_delta_binary_bound_width(n, 0));
        free(buf);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bit_width),
        cmocka_unit_test(test_rle_spec_vectors),
        cmocka_unit_test(test_rle_roundtrip_all_widths),
        cmocka_unit_test(test_rle_encode_u8),
        cmocka_unit_test(test_rle_decode_foreign_layout),
        cmocka_unit_test(test_rle_truncated),
        cmocka_unit_test(test_rle_hostile),
        cmocka_unit_test(test_legacy_bitpacked),
        cmocka_unit_test(test_plain_bool),
        cmocka_unit_test(test_dict_bytes),
        cmocka_unit_test(test_dict_fixed),
        cmocka_unit_test(test_dict_nomem),
        cmocka_unit_test(test_dict_batches),
        cmocka_unit_test(test_delta_spec_examples),
        cmocka_unit_test(test_delta_roundtrip),
        cmocka_unit_test(test_delta_int32),
        cmocka_unit_test(test_delta_every_width),
        cmocka_unit_test(test_delta_bound_width),
        cmocka_unit_test(test_delta_foreign_layout),
        cmocka_unit_test(test_delta_hostile),
        cmocka_unit_test(test_delta_length),
        cmocka_unit_test(test_delta_byte_array),
        cmocka_unit_test(test_byte_stream_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
