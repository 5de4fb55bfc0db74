#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "encode.h"
#include "err.h"
#include "pool.h"
#include "pqmeta.h"
#include "pqread.h"
#include "pqvalue.h"
#include "types.h"

/* ---- value text: the forms DuckDB prints ---- */

static void check_double(double v, int is_float, const char *want) {
    char buf[40];
    size_t n = pqv_format_double(v, is_float, buf);
    buf[n] = 0;
    assert_string_equal(buf, want);
}

static void test_doubles(void **state) {
    (void)state;
    check_double(1.5, 0, "1.5");
    check_double(0.1, 0, "0.1");
    check_double(100, 0, "100.0");
    check_double(1e15, 0, "1000000000000000.0");
    check_double(1e16, 0, "1e+16");
    check_double(1e20, 0, "1e+20");
    check_double(1e-5, 0, "1e-05");
    check_double(0.0001, 0, "0.0001");
    check_double(0.000123, 0, "0.000123");
    check_double(-0.0, 0, "-0.0");
    check_double(0.0, 0, "0.0");
    check_double(5e-324, 0, "5e-324");
    check_double(1.7976931348623157e308, 0, "1.7976931348623157e+308");
    check_double(1.0 / 3, 0, "0.3333333333333333");
    check_double(9007199254740993.0, 0, "9007199254740992.0");
    check_double(12345678901234567890.0, 0, "1.2345678901234567e+19");
    check_double(1.0 / 0.0, 0, "inf");
    check_double(-1.0 / 0.0, 0, "-inf");
    check_double(0.0 / 0.0 > 0 ? 0 : __builtin_nan(""), 0, "nan");
    check_double(-__builtin_nan(""), 0, "-nan");
    check_double((float)0.1, 1, "0.1");
    check_double((float)(1.0 / 3), 1, "0.33333334");
    check_double(123456789.0f, 1, "123456790.0");
    check_double(1.17549435e-38f, 1, "1.1754944e-38");
    check_double(3.4e38f, 1, "3.4e+38");
    check_double(1e16f, 1, "1e+16");
}

static pool_t *pool;

static int setup(void **state) {
    (void)state;
    pool = pool_create(16 << 20);
    return pool ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    return pool_destroy(pool) == 0 ? 0 : -1;
}

/* Format one value of a schema element and compare. */
static void check_value(const struct pq_schema_element *e, const void *p, size_t n, const char *want) {
    struct pqv_type t;
    struct pqv_text out;
    pqv_resolve(e, &t);
    pqv_text_init(&out, pool);
    assert_int_equal(pqv_format(&t, p, n, &out), ERR_OK);
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.p, want, out.len);
    pqv_text_free(&out);
}

static struct pq_schema_element leaf(int type) {
    struct pq_schema_element e;
    memset(&e, 0, sizeof e);
    e.has_type = 1;
    e.type = type;
    return e;
}

static void test_integers_and_decimals(void **state) {
    (void)state;
    uint8_t b4[4], b8[8];
    struct pq_schema_element e = leaf(PQ_INT32);
    enc_store_u32le(b4, (uint32_t)-7);
    check_value(&e, b4, 4, "-7");
    e.has_converted_type = 1;
    e.converted_type = PQ_CT_UINT_32;
    check_value(&e, b4, 4, "4294967289");

    e = leaf(PQ_INT64);
    e.logical.kind = PQ_LT_INTEGER;
    e.logical.bit_width = 64;
    enc_store_u64le(b8, UINT64_MAX);
    check_value(&e, b8, 8, "18446744073709551615");
    e.logical.is_signed = 1;
    check_value(&e, b8, 8, "-1");

    e = leaf(PQ_INT32);
    e.logical.kind = PQ_LT_DECIMAL;
    e.logical.precision = 4;
    e.logical.scale = 2;
    enc_store_u32le(b4, 150);
    check_value(&e, b4, 4, "1.50");
    enc_store_u32le(b4, (uint32_t)-5);
    check_value(&e, b4, 4, "-0.05");
    enc_store_u32le(b4, 0);
    check_value(&e, b4, 4, "0.00");

    e = leaf(PQ_INT64);
    e.has_converted_type = 1;
    e.converted_type = PQ_CT_DECIMAL;
    e.has_scale = 1;
    e.scale = 0;
    enc_store_u64le(b8, (uint64_t)INT64_MIN);
    check_value(&e, b8, 8, "-9223372036854775808");

    /* 20 bytes big-endian: -(2^159) with scale 3 */
    uint8_t big[20] = { 0x80 };
    e = leaf(PQ_FIXED_LEN_BYTE_ARRAY);
    e.has_type_length = 1;
    e.type_length = 20;
    e.logical.kind = PQ_LT_DECIMAL;
    e.logical.precision = 48;
    e.logical.scale = 3;
    check_value(&e, big, 20, "-730750818665451459101842416358141509827966271.488");
    uint8_t one[3] = { 0, 0, 1 };
    e.type_length = 3;
    e.logical.scale = 5;
    check_value(&e, one, 3, "0.00001");

    e = leaf(PQ_BYTE_ARRAY);
    e.logical.kind = PQ_LT_DECIMAL;
    e.logical.scale = 2;
    uint8_t m[2] = { 0xff, 0x38 };      /* -200 */
    check_value(&e, m, 2, "-2.00");
}

static void test_dates_and_times(void **state) {
    (void)state;
    uint8_t b4[4], b8[8], b12[12];
    struct pq_schema_element e = leaf(PQ_INT32);
    e.logical.kind = PQ_LT_DATE;
    enc_store_u32le(b4, 18263);
    check_value(&e, b4, 4, "2020-01-02");
    enc_store_u32le(b4, (uint32_t)(int32_t)ty_days_from_civil(-44, 3, 15));
    check_value(&e, b4, 4, "0045-03-15 (BC)");

    e = leaf(PQ_INT64);
    e.logical.kind = PQ_LT_TIMESTAMP;
    e.logical.unit = PQ_MICROS;
    enc_store_u64le(b8, 1577934245500000);
    check_value(&e, b8, 8, "2020-01-02 03:04:05.5");
    e.logical.is_adjusted_to_utc = 1;
    check_value(&e, b8, 8, "2020-01-02 03:04:05.5+00");
    enc_store_u64le(b8, (uint64_t)-1);
    e.logical.is_adjusted_to_utc = 0;
    check_value(&e, b8, 8, "1969-12-31 23:59:59.999999");
    e.logical.unit = PQ_NANOS;
    enc_store_u64le(b8, 1577934245123456789);
    check_value(&e, b8, 8, "2020-01-02 03:04:05.123456789");
    e.logical.is_adjusted_to_utc = 1;
    check_value(&e, b8, 8, "2020-01-02 03:04:05.123456+00");
    e.logical.unit = PQ_MILLIS;
    e.logical.is_adjusted_to_utc = 0;
    enc_store_u64le(b8, 1577934245120);
    check_value(&e, b8, 8, "2020-01-02 03:04:05.12");

    e = leaf(PQ_INT32);
    e.logical.kind = PQ_LT_TIME;
    e.logical.unit = PQ_MILLIS;
    enc_store_u32le(b4, 3723250);
    check_value(&e, b4, 4, "01:02:03.25");
    e = leaf(PQ_INT64);
    e.logical.kind = PQ_LT_TIME;
    e.logical.unit = PQ_MICROS;
    e.logical.is_adjusted_to_utc = 1;
    enc_store_u64le(b8, 3723000000);
    check_value(&e, b8, 8, "01:02:03+00");

    /* INT96: nanoseconds of the day, then the Julian day */
    e = leaf(PQ_INT96);
    enc_store_u64le(b12, 60000000000ull);
    enc_store_u32le(b12 + 8, 2454833);
    check_value(&e, b12, 12, "2009-01-01 00:01:00");

    e = leaf(PQ_FIXED_LEN_BYTE_ARRAY);
    e.has_type_length = 1;
    e.type_length = 12;
    e.has_converted_type = 1;
    e.converted_type = PQ_CT_INTERVAL;
    enc_store_u32le(b12, 14);
    enc_store_u32le(b12 + 4, 2);
    enc_store_u32le(b12 + 8, 3500);
    check_value(&e, b12, 12, "1 year 2 months 2 days 00:00:03.5");
    memset(b12, 0, 12);
    check_value(&e, b12, 12, "00:00:00");
}

static void test_bytes(void **state) {
    (void)state;
    struct pq_schema_element e = leaf(PQ_BYTE_ARRAY);
    check_value(&e, "\x00\xff" "ab,\\'\"", 8, "\\x00\\xFFab,\\x5C\\x27\\x22");
    e.logical.kind = PQ_LT_STRING;
    check_value(&e, "a,\"b\"", 5, "a,\"b\"");
    e.logical.kind = PQ_LT_BSON;
    check_value(&e, "\x01\xab", 2, "01ab");
    e = leaf(PQ_FIXED_LEN_BYTE_ARRAY);
    e.has_type_length = 1;
    e.type_length = 16;
    e.logical.kind = PQ_LT_UUID;
    check_value(&e, "\x12\x34\x56\x78\x12\x34\x56\x78\x12\x34\x56\x78\x12\x34\x56\x78", 16,
                "12345678-1234-5678-1234-567812345678");
    e.type_length = 2;
    e.logical.kind = PQ_LT_FLOAT16;
    check_value(&e, "\x00\x3c", 2, "1.0");
    check_value(&e, "\x00\xc0", 2, "-2.0");
    check_value(&e, "\x00\x7e", 2, "nan");

    /* WKB point and linestring */
    e = leaf(PQ_BYTE_ARRAY);
    e.logical.kind = PQ_LT_GEOMETRY;
    uint8_t pt[21] = { 1, 1, 0, 0, 0 };
    double x = 30, y = 10.5;
    memcpy(pt + 5, &x, 8);
    memcpy(pt + 13, &y, 8);
    check_value(&e, pt, 21, "POINT (30 10.5)");
    check_value(&e, pt, 20, "\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00>@\\x00\\x00\\x00\\x00\\x00\\x00%");
}

static void test_json(void **state) {
    (void)state;
    struct pqv_type t;
    struct pqv_text out;
    struct pq_schema_element e = leaf(PQ_BYTE_ARRAY);
    e.logical.kind = PQ_LT_STRING;
    pqv_resolve(&e, &t);
    pqv_text_init(&out, pool);
    assert_int_equal(pqv_format_json(&t, (const uint8_t *)"a\"\\\n\x01", 5, &out), ERR_OK);
    assert_int_equal(out.len, strlen("\"a\\\"\\\\\\n\\u0001\""));
    assert_memory_equal(out.p, "\"a\\\"\\\\\\n\\u0001\"", out.len);
    e = leaf(PQ_DOUBLE);
    pqv_resolve(&e, &t);
    uint8_t b8[8];
    double inf = 1.0 / 0.0, half = 0.5;
    memcpy(b8, &inf, 8);
    out.len = 0;
    assert_int_equal(pqv_format_json(&t, b8, 8, &out), ERR_OK);
    assert_memory_equal(out.p, "\"inf\"", 5);
    memcpy(b8, &half, 8);
    out.len = 0;
    assert_int_equal(pqv_format_json(&t, b8, 8, &out), ERR_OK);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.p, "0.5", 3);
    pqv_text_free(&out);
}

/* ---- the reader on bytes that are not a good Parquet file ---- */

static int run_mem(const void *data, size_t size, int mode, struct pqr_where *w) {
    struct pqr_options o = { mode, ',', "", 0, NULL, -1, 0 };
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    int err = pqr_run_mem(pool, data, size, "t.parquet", fd[1], &o, w);
    close(fd[1]);
    close(fd[0]);
    assert_int_equal(pool_live(pool), 0);
    return err;
}

static void test_bad_files(void **state) {
    (void)state;
    struct pqr_where w;
    assert_int_equal(run_mem("", 0, PQR_CSV, &w), ERR_NOTPARQUET);
    assert_string_equal(w.file, "t.parquet");
    assert_int_equal(run_mem("PAR1PAR1", 8, PQR_CSV, &w), ERR_NOTPARQUET);
    assert_int_equal(run_mem("PAR1\xff\0\0\0PAR1", 12, PQR_CSV, &w), ERR_TRUNCATED);
    assert_int_equal(run_mem("PAR1\0\0\0\0PARE", 12, PQR_COUNT, &w), ERR_ENCRYPTED);
    assert_int_equal(run_mem("CSV!\0\0\0\0PAR1", 12, PQR_CSV, &w), ERR_NOTPARQUET);
    /* a footer of one byte: Thrift STOP of an empty FileMetaData */
    assert_int_not_equal(run_mem("PAR1\0\1\0\0\0PAR1", 13, PQR_SCHEMA, &w), ERR_OK);
    assert_int_equal(w.row_group, -1);
    assert_int_equal(w.page, -1);
}

static void test_where_format(void **state) {
    (void)state;
    struct pqr_where w;
    char buf[128];
    memset(&w, 0, sizeof w);
    w.row_group = w.page = w.offset = -1;
    pqr_where_format(&w, "f.parquet", buf, sizeof buf);
    assert_string_equal(buf, "f.parquet");
    w.row_group = 2;
    strcpy(w.column, "a.b");
    w.page = 7;
    pqr_where_format(&w, "f.parquet", buf, sizeof buf);
    assert_string_equal(buf, "f.parquet: row group 2, column \"a.b\", page 7");
    pqr_where_format(&w, "f.parquet", buf, 12);
    assert_string_equal(buf, "f.parquet: ");
}

/* Significant digits of a formatted double ("-0.00125" has 3). */
static int sig_digits(const char *s) {
    int n = 0, started = 0, pending_zeros = 0;
    for (; *s && *s != 'e'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (*s == '0' && !started)
            continue;
        started = 1;
        if (*s == '0') {
            pending_zeros++;
        } else {
            n += pending_zeros + 1;
            pending_zeros = 0;
        }
    }
    return n ? n : 1;
}

/* Random doubles, short decimals and arbitrary bit patterns alike: the text
   reads back to the same double and has as few significant digits as the
   shortest printf rendering that reads back. */
static void test_doubles_shortest(void **state) {
    (void)state;
    uint64_t x = 88172645463325252ull;
    char buf[64], ref[64];
    for (int i = 0; i < 400000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        if (i & 1) {
            uint64_t bits = x & 0x7fffffffffffffffull;
            memcpy(&v, &bits, 8);
            if (v != v || v > 1e300 || v < 1e-300)
                continue;
        } else {
            v = (double)(int64_t)(x % 100000000000ull) / (double)(1ull << (x >> 60) % 8) /
                (x >> 40 & 1 ? 100.0 : 1000.0);
        }
        size_t n = pqv_format_double(v, 0, buf);
        buf[n] = 0;
        assert_true(strtod(buf, NULL) == v);
        int p = 1;
        for (; p <= 17; p++) {
            snprintf(ref, sizeof ref, "%.*g", p, v);
            if (strtod(ref, NULL) == v)
                break;
        }
        if (sig_digits(buf) != p)
            fail_msg("%.17g printed as %s, but %d digits suffice (%s)", v, buf, p, ref);
    }
}

/* ---- the same CSV for every number of threads ---- */

/* Decode path with the options into a temporary file; its bytes in *out
   (malloc'ed), the error and its place as text in where_text. */
static int decode_file(const char *path, struct pqr_options *o, char **out, size_t *len, char *where_text) {
    FILE *f = tmpfile();
    assert_non_null(f);
    struct pqr_where w;
    int err = pqr_run(pool, path, fileno(f), o, &w);
    assert_int_equal(pool_live(pool), 0);
    pqr_where_format(&w, path, where_text, 400);
    size_t n = strlen(where_text);
    snprintf(where_text + n, 800 - n, ": %s", w.detail);
    long size = ftell(f);
    assert_true(size >= 0);
    *len = (size_t)size;
    *out = malloc(*len + 1);
    assert_non_null(*out);
    rewind(f);
    assert_int_equal(fread(*out, 1, *len, f), *len);
    fclose(f);
    return err;
}

/* Every file of the corpus, good and damaged, with several options: the
   output, the error and its place are the same with 1, 2, 3 and 7
   threads. */
static void test_threads_same_output(void **state) {
    (void)state;
    FILE *m = fopen("tests/parquet/expect/MANIFEST", "r");
    if (!m)
        skip();
    char line[1024];
    int files = 0;
    while (fgets(line, sizeof line, m)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = 0;
        char path[1100];
        snprintf(path, sizeof path, "tests/parquet/%s", line);
        for (int variant = 0; variant < 4; variant++) {
            struct pqr_options o = { PQR_CSV, ',', "", 0, NULL, -1, 1 };
            if (variant == 1)
                o.null_str = "1";            /* values equal to it are quoted */
            else if (variant == 2)
                o.delimiter = '.';
            else if (variant == 3)
                o.head = 5;
            char *want, *got, wwhere[800], gwhere[800];
            size_t wlen, glen;
            int werr = decode_file(path, &o, &want, &wlen, wwhere);
            for (int t = 2; t <= 7; t += t == 3 ? 4 : 1) {
                o.threads = t;
                int gerr = decode_file(path, &o, &got, &glen, gwhere);
                if (gerr != werr || glen != wlen || memcmp(got, want, wlen) || strcmp(gwhere, wwhere))
                    fail_msg("%s, variant %d, %d threads: error %d (%s), %zu bytes; 1 thread: error %d (%s), %zu bytes",
                             path, variant, t, gerr, gwhere, glen, werr, wwhere, wlen);
                free(got);
            }
            free(want);
        }
        files++;
    }
    fclose(m);
    assert_true(files > 50);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_doubles_shortest),
        cmocka_unit_test(test_integers_and_decimals),
        cmocka_unit_test(test_dates_and_times),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_where_format),
        cmocka_unit_test(test_threads_same_output),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
