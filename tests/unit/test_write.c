/* Writer tests: every column type written with pqwrite and read back with
   pqread (values as csv2pq -d prints them), the schema annotations, the
   encodings chosen and the statistics.

   With CSV2PQ_WRITE_KEEP=DIR the files stay in DIR as NAME.parquet beside
   NAME.csv (the values as read back), so tests/interop/check.mjs --dir DIR
   can read them with DuckDB, Polars, arrow-rs and hyparquet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "codec.h"
#include "csv.h"
#include "err.h"
#include "pool.h"
#include "pqread.h"
#include "pqwrite.h"
#include "types.h"

static pool_t *pool;
static char dir[256];                /* where the files go */
static int keep;                     /* CSV2PQ_WRITE_KEEP given */

static int setup(void **state) {
    (void)state;
    pool = pool_create(64 << 20);
    const char *k = getenv("CSV2PQ_WRITE_KEEP");
    if (k && *k) {
        snprintf(dir, sizeof dir, "%s", k);
        keep = 1;
    } else {
        snprintf(dir, sizeof dir, "%s/csv2pq-test-write.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(dir))
            return -1;
    }
    return pool ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    if (!keep) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return -1;
    }
    return pool_destroy(pool) == 0 ? 0 : -1;
}

/* ---- batches built by hand ---- */

struct built {
    struct csv_batch b;
    unsigned char *text;
    uint32_t *fend;
    int64_t *line;
};

/* A batch of nrows x ncols cells (row major); NULL cells are NULL. */
static void build(struct built *t, size_t ncols, size_t nrows, const char *const *cells) {
    size_t bytes = 1;
    for (size_t i = 0; i < ncols * nrows; i++)
        bytes += cells[i] ? strlen(cells[i]) : 0;
    t->text = malloc(bytes);
    t->fend = malloc((ncols * nrows + 1) * sizeof *t->fend);
    t->line = malloc((nrows + 1) * sizeof *t->line);
    assert_non_null(t->text);
    uint32_t off = 0;
    for (size_t i = 0; i < ncols * nrows; i++) {
        size_t n = cells[i] ? strlen(cells[i]) : 0;
        memcpy(t->text + off, cells[i] ? cells[i] : "", n);
        off += (uint32_t)n;
        t->fend[i] = off | (cells[i] ? 0 : CSV_NULL_BIT);
    }
    for (size_t r = 0; r < nrows; r++)
        t->line[r] = (int64_t)r + 2;
    t->b = (struct csv_batch){ ncols, nrows, t->text, t->fend, 0, t->line };
}

static void unbuild(struct built *t) {
    free(t->text);
    free(t->fend);
    free(t->line);
}

/* ---- writing and reading back ---- */

/* Column c named names[c], of type types[c], from field c. */
static void set_columns(struct pqw_column *cols, int n, const char *const *names,
                        const char *const *types) {
    for (int c = 0; c < n; c++) {
        cols[c].name = names[c];
        cols[c].source = (size_t)c;
        assert_true(ty_spec_parse(types[c], &cols[c].spec));
    }
}

static void path_of(const char *name, const char *ext, char *buf, size_t n) {
    snprintf(buf, n, "%s/%s.%s", dir, name, ext);
}

/* A writer of cols into NAME.parquet, made in *f, its first row groups
   written: batches[0 .. n). */
static struct pqw_writer *writer_with(const char *name, const struct pqw_column *cols, size_t ncols,
                                      const struct pqw_options *o,
                                      const struct csv_batch *const *batches, size_t n, FILE **f) {
    char path[512];
    path_of(name, "parquet", path, sizeof path);
    *f = fopen(path, "w+b");
    assert_non_null(*f);
    struct pqw_writer *w;
    struct pqw_where where;
    assert_int_equal(pqw_create(pool, fileno(*f), cols, ncols, o, &w, &where), ERR_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(pqw_write_row_group(w, batches[i], &where), ERR_OK);
    return w;
}

/* The whole of the file f (malloc'ed), its length in *len. */
static char *file_bytes(FILE *f, long *len) {
    *len = ftell(f);
    char *p = malloc(*len ? (size_t)*len : 1);
    assert_non_null(p);
    rewind(f);
    assert_int_equal(fread(p, 1, (size_t)*len, f), (size_t)*len);
    return p;
}

/* The batches written with o at one thread as NAME1.parquet and at
   `threads` as NAME2.parquet: the two files must hold the same bytes. */
static void same_bytes(const char *name1, const char *name2, int threads,
                       const char *const *names, const char *const *types, size_t ncols,
                       struct pqw_options o, const struct csv_batch *const *batches, size_t n) {
    char *bytes[2];
    long len[2];
    for (int k = 0; k < 2; k++) {
        struct pqw_column cols[16];
        assert_true(ncols <= 16);
        set_columns(cols, (int)ncols, names, types);
        o.threads = k ? threads : 1;
        FILE *f;
        struct pqw_writer *w = writer_with(k ? name2 : name1, cols, ncols, &o, batches, n, &f);
        struct pqw_where where;
        assert_int_equal(pqw_finish(w, &where), ERR_OK);
        pqw_free(w);
        bytes[k] = file_bytes(f, &len[k]);
        fclose(f);
    }
    assert_int_equal(len[0], len[1]);
    assert_memory_equal(bytes[0], bytes[1], (size_t)len[0]);
    free(bytes[0]);
    free(bytes[1]);
}

/* Write the batch as NAME.parquet with columns named by names[] of the
   given type texts (ty_spec_parse); returns the writer's error and fills
   where. */
static int write_file(const char *name, size_t ncols, const char *const *names,
                      const char *const *types, const struct ty_format *fmt,
                      const struct csv_batch *const *batches, size_t nbatches,
                      struct pqw_where *where) {
    struct pqw_column cols[16];
    assert_true(ncols <= 16);
    for (size_t c = 0; c < ncols; c++) {
        cols[c].name = names[c];
        cols[c].source = c;
        if (!ty_spec_parse(types[c], &cols[c].spec))
            fail_msg("type %s does not parse", types[c]);
    }
    struct pqw_options o = {
        .codec = CODEC_ZSTD, .page_size = 1 << 20, .dict_limit = 1 << 20,
        .dict_entries = 1 << 16, .created_by = "csv2pq test", .threads = 1, .byte_stream_split = 1,
    };
    if (fmt)
        o.format = *fmt;
    char path[512];
    path_of(name, "parquet", path, sizeof path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    struct pqw_writer *w = NULL;
    memset(where, 0, sizeof *where);
    int e = pqw_create(pool, fileno(f), cols, ncols, &o, &w, where);
    for (size_t i = 0; !e && i < nbatches; i++)
        e = pqw_write_row_group(w, batches[i], where);
    if (!e)
        e = pqw_finish(w, where);
    pqw_free(w);
    fclose(f);
    if (e)
        unlink(path);
    return e;
}

/* What pqread makes of NAME.parquet in the mode; the text is malloc'ed. */
static char *read_back(const char *name, int mode) {
    char path[512], out[512];
    path_of(name, "parquet", path, sizeof path);
    path_of(name, mode == PQR_CSV ? "csv" : "meta", out, sizeof out);
    FILE *f = fopen(out, "w+b");
    assert_non_null(f);
    struct pqr_options o = { .mode = mode, .delimiter = ',', .null_str = "", .head = -1 };
    struct pqr_where where;
    int e = pqr_run(pool, path, fileno(f), &o, &where);
    if (e)
        fail_msg("%s: reading back: %d %s", name, e, where.detail);
    long n = ftell(f);
    char *text = malloc((size_t)n + 1);
    rewind(f);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = 0;
    fclose(f);
    if (mode != PQR_CSV)
        unlink(out);
    return text;
}

/* Write one batch and compare what reads back with the expected CSV. */
static void round_trip(const char *name, size_t ncols, size_t nrows, const char *const *names,
                       const char *const *types, const struct ty_format *fmt,
                       const char *const *cells, const char *want) {
    struct built t;
    build(&t, ncols, nrows, cells);
    const struct csv_batch *bs[1] = { &t.b };
    struct pqw_where where;
    int e = write_file(name, ncols, names, types, fmt, bs, 1, &where);
    unbuild(&t);
    if (e)
        fail_msg("%s: write: %d line %lld column %lld: %s", name, e, (long long)where.line,
                 (long long)where.column, where.detail);
    char *got = read_back(name, PQR_CSV);
    if (strcmp(got, want) != 0)
        fail_msg("%s: read back\n%s\nwanted\n%s", name, got, want);
    free(got);
}

/* One column, one value: the writer's error message, or "" when it fits. */
static void expect_error(const char *type, const struct ty_format *fmt, const char *value,
                         const char *message) {
    const char *names[1] = { "x" }, *types[1] = { type }, *cells[1] = { value };
    struct built t;
    build(&t, 1, 1, cells);
    const struct csv_batch *bs[1] = { &t.b };
    struct pqw_where where;
    int e = write_file("error", 1, names, types, fmt, bs, 1, &where);
    unbuild(&t);
    if (!message) {
        if (e)
            fail_msg("%s %s: %s", type, value, where.detail);
        char path[512];
        path_of("error", "parquet", path, sizeof path);
        unlink(path);
        return;
    }
    assert_int_equal(e, ERR_TYPE);
    assert_int_equal(where.line, 2);
    assert_int_equal(where.column, 1);
    assert_string_equal(where.detail, message);
}

/* ---- tests ---- */

static void test_integers(void **state) {
    (void)state;
    const char *names[] = { "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64" };
    const char *types[] = { "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64" };
    const char *cells[] = {
        "-128", "-32768", "-2147483648", "-9223372036854775808", "0", "0", "0", "0",
        "127", "32767", "2147483647", "9223372036854775807", "255", "65535", "4294967295", "18446744073709551615",
        "007", "+12", "-0", "0042", "+5", "00", "2147483648", "9223372036854775808",
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    };
    round_trip("integers", 8, 4, names, types, NULL, cells,
               "i8,i16,i32,i64,u8,u16,u32,u64\n"
               "-128,-32768,-2147483648,-9223372036854775808,0,0,0,0\n"
               "127,32767,2147483647,9223372036854775807,255,65535,4294967295,18446744073709551615\n"
               "7,12,0,42,5,0,2147483648,9223372036854775808\n"
               ",,,,,,,\n");
    char *meta = read_back("integers", PQR_SCHEMA);
    const char *want[] = {
        "optional int32 i8 (INTEGER(8,true))", "optional int32 i16 (INTEGER(16,true))",
        "optional int32 i32 (INTEGER(32,true))", "optional int64 i64;",
        "optional int32 u8 (INTEGER(8,false))", "optional int32 u16 (INTEGER(16,false))",
        "optional int32 u32 (INTEGER(32,false))", "optional int64 u64 (INTEGER(64,false))",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(meta, want[i]))
            fail_msg("schema lacks %s:\n%s", want[i], meta);
    free(meta);
}

static void test_integer_errors(void **state) {
    (void)state;
    expect_error("int8", NULL, "128", "column \"x\" is int8, but this value is \"128\"");
    expect_error("int8", NULL, "-129", "column \"x\" is int8, but this value is \"-129\"");
    expect_error("int16", NULL, "32768", "column \"x\" is int16, but this value is \"32768\"");
    expect_error("int32", NULL, "-2147483649", "column \"x\" is int32, but this value is \"-2147483649\"");
    expect_error("uint8", NULL, "256", "column \"x\" is uint8, but this value is \"256\"");
    expect_error("uint8", NULL, "-1", "column \"x\" is uint8, but this value is \"-1\"");
    expect_error("uint8", NULL, "-0", "column \"x\" is uint8, but this value is \"-0\"");
    expect_error("uint64", NULL, "18446744073709551616",
                 "column \"x\" is uint64, but this value is \"18446744073709551616\"");
    expect_error("int32", NULL, "1.0", "column \"x\" is int32, but this value is \"1.0\"");
    expect_error("int32", NULL, " 1", "column \"x\" is int32, but this value is \" 1\"");
    expect_error("int64", NULL, "007", NULL);     /* a type given accepts leading zeros */
}

/* Unsigned statistics compare unsigned; they and the others are checked
   through the metadata pqread prints. */
static void test_statistics(void **state) {
    (void)state;
    const char *names[] = { "u64", "u32", "f", "d", "dec" };
    const char *types[] = { "uint64", "uint32", "float", "decimal(30,2)", "decimal(9,1)" };
    const char *cells[] = {
        "1", "4294967295", "nan", "-1.5", "-0.5",
        "18446744073709551615", "7", "-0", "99999999999999999999999999.99", "12.5",
        "9223372036854775808", "0", "0.25", "-99999999999999999999999999.99", "-99999999.9",
    };
    round_trip("statistics", 5, 3, names, types, NULL, cells,
               "u64,u32,f,d,dec\n"
               "1,4294967295,nan,-1.50,-0.5\n"
               "18446744073709551615,7,-0.0,99999999999999999999999999.99,12.5\n"
               "9223372036854775808,0,0.25,-99999999999999999999999999.99,-99999999.9\n");
    char *meta = read_back("statistics", PQR_META);
    const char *want[] = {
        "min: 1\n", "max: 18446744073709551615\n",
        "min: 0\n", "max: 4294967295\n",
        "min: -0.0\n", "max: 0.25\n", "nan_count: 1",
        "min: -99999999999999999999999999.99\n", "max: 99999999999999999999999999.99\n",
        "min: -99999999.9\n", "max: 12.5\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(meta, want[i]))
            fail_msg("metadata lacks %s:\n%s", want[i], meta);
    free(meta);
}

static void test_floats(void **state) {
    (void)state;
    const char *names[] = { "f", "d" };
    const char *types[] = { "float", "double" };
    const char *cells[] = {
        "0.1", "0.1",
        "3.4028235e38", "1e308",
        "-0", "-0",
        "inf", "-inf",
        "1e-50", "007.5",
        "16777217", "1e400",
    };
    round_trip("floats", 2, 6, names, types, NULL, cells,
               "f,d\n0.1,0.1\n3.4028235e+38,1e+308\n-0.0,-0.0\ninf,-inf\n0.0,7.5\n16777216.0,inf\n");
    expect_error("float", NULL, "3.5e38", "column \"x\" is float, but this value is \"3.5e38\"");
    expect_error("float", NULL, "1e400", "column \"x\" is float, but this value is \"1e400\"");
    expect_error("float", NULL, "1,5", "column \"x\" is float, but this value is \"1,5\"");
}

static void test_decimals(void **state) {
    (void)state;
    const char *names[] = { "d52", "d184", "d2010", "d380", "d9" };
    const char *types[] = { "decimal(5,2)", "decimal(18,4)", "decimal(20,10)", "decimal(38)", "decimal(9,9)" };
    const char *cells[] = {
        "1.5", "-12345678901234.5678", "1234567890.0123456789", "99999999999999999999999999999999999999", ".123456789",
        "-0.05", "0", "-9999999999.9999999999", "-99999999999999999999999999999999999999", "-0.999999999",
        "999.99", "1e3", "0.00000000010", "1E37", "0",
        "+000.100", "12.50000", "1", "-1", "-0",
        NULL, NULL, NULL, NULL, NULL,
    };
    round_trip("decimals", 5, 5, names, types, NULL, cells,
               "d52,d184,d2010,d380,d9\n"
               "1.50,-12345678901234.5678,1234567890.0123456789,99999999999999999999999999999999999999,0.123456789\n"
               "-0.05,0.0000,-9999999999.9999999999,-99999999999999999999999999999999999999,-0.999999999\n"
               "999.99,1000.0000,0.0000000001,10000000000000000000000000000000000000,0.000000000\n"
               "0.10,12.5000,1.0000000000,-1,0.000000000\n"
               ",,,,\n");
    char *schema = read_back("decimals", PQR_SCHEMA);
    const char *want[] = {
        "optional int32 d52 (DECIMAL(5,2))", "optional int64 d184 (DECIMAL(18,4))",
        "optional fixed_len_byte_array(9) d2010 (DECIMAL(20,10))",
        "optional fixed_len_byte_array(16) d380 (DECIMAL(38,0))",
        "optional int32 d9 (DECIMAL(9,9))",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(schema, want[i]))
            fail_msg("schema lacks %s:\n%s", want[i], schema);
    free(schema);
    expect_error("decimal(5,2)", NULL, "1.234", "column \"x\" is decimal(5,2), but this value is \"1.234\"");
    expect_error("decimal(5,2)", NULL, "1000", "column \"x\" is decimal(5,2), but this value is \"1000\"");
    expect_error("decimal(5,2)", NULL, "1.230", NULL);
    expect_error("decimal(38,0)", NULL, "100000000000000000000000000000000000000",
                 "column \"x\" is decimal(38,0), but this value is \"100000000000000000000000000000000000000\"");
    expect_error("decimal(5,2)", NULL, "1e-3", "column \"x\" is decimal(5,2), but this value is \"1e-3\"");
    expect_error("decimal(5,2)", NULL, "nan", "column \"x\" is decimal(5,2), but this value is \"nan\"");
    expect_error("decimal(5,2)", NULL, ".", "column \"x\" is decimal(5,2), but this value is \".\"");
}

static void test_times(void **state) {
    (void)state;
    const char *names[] = { "ms", "us", "ns" };
    const char *types[] = { "time(ms)", "time", "time(ns)" };
    const char *cells[] = {
        "00:00", "0:00:00", "00:00:00.000000001",
        "23:59:59.999", "23:59:59.999999", "23:59:59.999999999",
        "12:34:56.7", "9:05", "12:00:00.100000000",
    };
    round_trip("times", 3, 3, names, types, NULL, cells,
               "ms,us,ns\n00:00:00,00:00:00,00:00:00.000000001\n"
               "23:59:59.999,23:59:59.999999,23:59:59.999999999\n"
               "12:34:56.7,09:05:00,12:00:00.1\n");
    char *schema = read_back("times", PQR_SCHEMA);
    const char *want[] = {
        "optional int32 ms (TIME(MILLIS,false))", "optional int64 us (TIME(MICROS,false))",
        "optional int64 ns (TIME(NANOS,false))",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(schema, want[i]))
            fail_msg("schema lacks %s:\n%s", want[i], schema);
    free(schema);
    expect_error("time(ms)", NULL, "00:00:00.0001", "column \"x\" is time(ms), but this value is \"00:00:00.0001\"");
    expect_error("time(ms)", NULL, "00:00:00.1230", NULL);
    expect_error("time", NULL, "24:00:00", "column \"x\" is time, but this value is \"24:00:00\"");
    expect_error("time", NULL, "12:60", "column \"x\" is time, but this value is \"12:60\"");
    expect_error("time", NULL, "12:00:60", "column \"x\" is time, but this value is \"12:00:60\"");
}

static void test_timestamps(void **state) {
    (void)state;
    const char *names[] = { "ms", "us", "ns", "ums", "uus", "uns" };
    const char *types[] = { "timestamp(ms)", "timestamp", "timestamp(ns)",
                            "timestamp_utc(ms)", "timestamp_utc", "timestamp_utc(ns)" };
    const char *cells[] = {
        "2024-01-02 03:04:05.678", "2024-01-02 03:04:05.678901", "2024-01-02 03:04:05.678901234",
        "2024-01-02 03:04:05.678Z", "2024-01-02 03:04:05.678901+01:00", "2024-01-02T03:04:05.678901-0130",
        "1677-09-22", "0001-01-01", "1677-09-21 00:12:44.123456789",
        "1970-01-01T00:00Z", "9999-12-31 23:59:59.999999Z", "1677-09-21 00:12:43.145225Z",
        "1970-01-01 00:00:00.100000", "1970-01-01 00:00:00.1000000", "1970-01-01",
        "2000-02-29 12:00+00", "2000-02-29 12:00:00.000000000+00:00", "2000-02-29 12:00Z",
    };
    round_trip("timestamps", 6, 3, names, types, NULL, cells,
               "ms,us,ns,ums,uus,uns\n"
               "2024-01-02 03:04:05.678,2024-01-02 03:04:05.678901,2024-01-02 03:04:05.678901234,"
               "2024-01-02 03:04:05.678+00,2024-01-02 02:04:05.678901+00,2024-01-02 04:34:05.678901+00\n"
               "1677-09-22 00:00:00,0001-01-01 00:00:00,1677-09-21 00:12:44.123456789,"
               "1970-01-01 00:00:00+00,9999-12-31 23:59:59.999999+00,1677-09-21 00:12:43.145225+00\n"
               "1970-01-01 00:00:00.1,1970-01-01 00:00:00.1,1970-01-01 00:00:00,"
               "2000-02-29 12:00:00+00,2000-02-29 12:00:00+00,2000-02-29 12:00:00+00\n");
    /* Nanoseconds: near both ends of the int64 range.  (DuckDB takes the
       int64 extremes for infinities and reads a UTC-adjusted column as
       microseconds; csv2pq -d prints what DuckDB reads.  The extremes
       themselves are only written here.) */
    const char *ns_names[] = { "ns", "uns" };
    const char *ns_types[] = { "timestamp(ns)", "timestamp_utc(ns)" };
    const char *ns_cells[] = {
        "2262-04-11 23:47:16.854775806", "2262-04-11 23:47:16.854775806Z",
        "1677-09-21 00:12:44.123456789", "1677-09-21T00:12:44.123456789+00:00",
        "1970-01-01 00:00:00.000000001", "1970-01-01 00:00:00.000000001Z",
    };
    round_trip("timestamps_ns", 2, 3, ns_names, ns_types, NULL, ns_cells,
               "ns,uns\n"
               "2262-04-11 23:47:16.854775806,2262-04-11 23:47:16.854775+00\n"
               "1677-09-21 00:12:44.123456789,1677-09-21 00:12:44.123457+00\n"
               "1970-01-01 00:00:00.000000001,1970-01-01 00:00:00+00\n");
    expect_error("timestamp(ns)", NULL, "2262-04-11 23:47:16.854775807", NULL);
    expect_error("timestamp(ns)", NULL, "1677-09-21 00:12:43.145224192", NULL);
    expect_error("timestamp(ns)", NULL, "2262-04-11 23:47:16.854775808",
                 "column \"x\" is timestamp(ns), but this value is \"2262-04-11 23:47:16.854775808\"");
    expect_error("timestamp(ns)", NULL, "1677-09-21 00:12:43.145224191",
                 "column \"x\" is timestamp(ns), but this value is \"1677-09-21 00:12:43.145224191\"");
    char *schema = read_back("timestamps", PQR_SCHEMA);
    const char *want[] = {
        "optional int64 ms (TIMESTAMP(MILLIS,false))", "optional int64 us (TIMESTAMP(MICROS,false))",
        "optional int64 ns (TIMESTAMP(NANOS,false))", "optional int64 ums (TIMESTAMP(MILLIS,true))",
        "optional int64 uus (TIMESTAMP(MICROS,true))", "optional int64 uns (TIMESTAMP(NANOS,true))",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(schema, want[i]))
            fail_msg("schema lacks %s:\n%s", want[i], schema);
    free(schema);
    expect_error("timestamp(ns)", NULL, "2262-04-12",
                 "column \"x\" is timestamp(ns), but this value is \"2262-04-12\"");
    expect_error("timestamp(ns)", NULL, "1677-09-21",
                 "column \"x\" is timestamp(ns), but this value is \"1677-09-21\"");
    expect_error("timestamp(ms)", NULL, "2024-01-01 00:00:00.0001",
                 "column \"x\" is timestamp(ms), but this value is \"2024-01-01 00:00:00.0001\"");
    expect_error("timestamp", NULL, "2024-01-01 00:00:00Z",
                 "column \"x\" is timestamp, but this value is \"2024-01-01 00:00:00Z\"");
    expect_error("timestamp_utc(ms)", NULL, "2024-01-01 00:00:00",
                 "column \"x\" is timestamp_utc(ms), but this value is \"2024-01-01 00:00:00\"");
}

/* Formats and the decimal comma reach the writer's parsing. */
static void test_formats(void **state) {
    (void)state;
    struct ty_format fmt = { "%d/%m/%Y", "%d %b %Y %I:%M:%S.%f %p %z", 1 };
    const char *names[] = { "date", "ts", "tsz", "dbl", "dec", "flt" };
    const char *types[] = { "date", "timestamp(ns)", "timestamp_utc(ms)", "double", "decimal(6,3)", "float" };
    const char *cells[] = {
        "3/2/2024", "3/2/2024", "03 Feb 2024 12:00:00.5 AM +01:00", "1,5", "-1,25", "0,1",
        "2024-02-03", "2024-02-03 10:00:00.123456789", "2024-02-03 10:00Z", "-2e3", "7", "1e1",
        "29/02/2000", "29/02/2000", "1 january 2000 1:02:03.004 pm -0000", "0,", ",5", "-0",
    };
    round_trip("formats", 6, 3, names, types, &fmt, cells,
               "date,ts,tsz,dbl,dec,flt\n"
               "2024-02-03,2024-02-03 00:00:00,2024-02-02 23:00:00.5+00,1.5,-1.250,0.1\n"
               "2024-02-03,2024-02-03 10:00:00.123456789,2024-02-03 10:00:00+00,-2000.0,7.000,10.0\n"
               "2000-02-29,2000-02-29 00:00:00,2000-01-01 13:02:03.004+00,0.0,0.500,-0.0\n");
    expect_error("double", &fmt, "1.5", "column \"x\" is double, but this value is \"1.5\"");
    expect_error("decimal(6,3)", &fmt, "1.5", "column \"x\" is decimal(6,3), but this value is \"1.5\"");
    expect_error("date", &fmt, "31/02/2024", "column \"x\" is date, but this value is \"31/02/2024\"");
}

/* A string is checked as UTF-8 whatever its length and wherever the byte
   that breaks it: 0xff, or a lead byte cut off at the end, at every place
   of strings of 1 to 80 bytes (ty_utf8_valid takes ASCII up to 64 bytes
   inline, in words that overlap at the end; past 20 bytes, at the words'
   edges and in the last 9 bytes); an accented letter there is taken. */
static void test_utf8_every_place(void **state) {
    (void)state;
    char v[96];
    for (size_t n = 1; n <= 80; n++) {
        if (n > 20 && n % 8 > 1 && n % 8 < 7)
            continue;                /* around each word's edge, and all short ones */
        for (size_t at = 0; at < n; at++) {
            if (n > 20 && at % 8 != 0 && at % 8 != 7 && at + 9 < n)
                continue;
            memset(v, 'a', n);
            v[n] = 0;
            v[at] = '\xff';
            expect_error("string", NULL, v, "invalid UTF-8 in column \"x\"");
            if (at + 1 < n) {
                v[at] = '\xc3';     /* é */
                v[at + 1] = '\xa9';
                expect_error("string", NULL, v, NULL);
            }
        }
        memset(v, 'a', n);
        v[n - 1] = '\xc3';          /* a lead byte without its continuation */
        v[n] = 0;
        expect_error("string", NULL, v, "invalid UTF-8 in column \"x\"");
    }
}

/* Binary takes any bytes; strings must be UTF-8.  Binary bounds are cut
   at STAT_MAX bytes like strings, the maximum's last byte below 0xff
   incremented. */
static void test_binary(void **state) {
    (void)state;
    const char *names[] = { "b", "s" };
    const char *types[] = { "binary", "string" };
    static char longbin[100];
    memset(longbin, 'z', 99);
    longbin[0] = longbin[1] = longbin[63] = '\xff';
    const char *cells[] = {
        "\xff\xfe\x01", "x",
        "plain", "",
        "", NULL,
        longbin, "y",
    };
    round_trip("binary", 2, 4, names, types, NULL, cells,
               "b,s\n\\xFF\\xFE\\x01,x\nplain,\"\"\n\"\",\n"
               "\\xFF\\xFFzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\\xFF"
               "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz,y\n");
    expect_error("string", NULL, "\xff", "invalid UTF-8 in column \"x\"");
    char *schema = read_back("binary", PQR_SCHEMA);
    if (!strstr(schema, "optional binary b;"))
        fail_msg("schema: %s", schema);
    free(schema);
    char *meta = read_back("binary", PQR_META);
    /* min "" exact; max cut before the 0xff at byte 63, its last 'z' made '{' */
    if (!strstr(meta, "min: \n"))
        fail_msg("binary min:\n%s", meta);
    if (!strstr(meta, "max: \\xFF\\xFFzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz{\n"))
        fail_msg("binary max:\n%s", meta);
    free(meta);

    enum { N = 1000 };
    const char *dict_names[] = { "b" }, *dict_types[] = { "binary" };
    const char *dict_cells[N];
    static const char *const keys[3] = { "\x01\x02", "\x80", "k" };
    static char want[N * 12 + 8];
    size_t wl = (size_t)sprintf(want, "b\n");
    for (int r = 0; r < N; r++) {
        dict_cells[r] = keys[r % 3];
        wl += (size_t)sprintf(want + wl, "%s\n", r % 3 == 0 ? "\\x01\\x02" : r % 3 == 1 ? "\\x80" : "k");
    }
    round_trip("binary_dict", 1, N, dict_names, dict_types, NULL, dict_cells, want);
    meta = read_back("binary_dict", PQR_META);
    if (!strstr(meta, "RLE_DICTIONARY"))
        fail_msg("binary_dict:\n%s", meta);
    free(meta);
}

static void test_booleans(void **state) {
    (void)state;
    const char *names[] = { "b" }, *types[] = { "boolean" };
    const char *cells[] = { "TRUE", "false", NULL };
    round_trip("booleans", 1, 3, names, types, NULL, cells, "b\ntrue\nfalse\n\n");
    expect_error("boolean", NULL, "1", "column \"x\" is boolean, but this value is \"1\"");
}

/* Many rows: dictionary, DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT and PLAIN
   chosen for the types of every width, and the values survive each. */
static void test_encodings(void **state) {
    (void)state;
    enum { N = 5000, C = 9 };
    const char *names[C] = { "dict_u32", "delta_i16", "plain_f", "dict_dec", "delta_dec",
                             "flba_dict", "flba_plain", "delta_u64", "time_delta" };
    const char *types[C] = { "uint32", "int16", "float", "decimal(9,2)", "decimal(18,0)",
                             "decimal(25,3)", "decimal(25,3)", "uint64", "time(ms)" };
    char **cells = calloc(N * C, sizeof *cells);
    char *want = malloc(N * 400 + 200);
    assert_non_null(cells);
    size_t wl = (size_t)sprintf(want, "dict_u32,delta_i16,plain_f,dict_dec,delta_dec,flba_dict,flba_plain,delta_u64,time_delta\n");
    uint32_t seed = 12345;
    for (int r = 0; r < N; r++) {
        char v[C][64], w[C][64];
        seed = seed * 1103515245u + 12345u;
        snprintf(v[0], 64, "%u", 4000000000u + (unsigned)(r % 7));
        snprintf(w[0], 64, "%s", v[0]);
        snprintf(v[1], 64, "%d", -30000 + r * 3);
        snprintf(w[1], 64, "%s", v[1]);
        snprintf(v[2], 64, "%u", seed >> 8);        /* floats exact up to 2^24 */
        snprintf(w[2], 64, "%u.0", seed >> 8);
        snprintf(v[3], 64, "%d.5", -(r % 5));
        snprintf(w[3], 64, "%s%d.50", r % 5 ? "-" : "", r % 5);
        snprintf(v[4], 64, "%lld", 100000000000000000LL + r);
        snprintf(w[4], 64, "%s", v[4]);
        snprintf(v[5], 64, "-1234567890123456789012.%03d", r % 3);
        snprintf(w[5], 64, "%s", v[5]);
        snprintf(v[6], 64, "%u%09u.%03u", seed % 1000000, seed, (unsigned)r % 1000);
        snprintf(w[6], 64, "%u%09u.%03u", seed % 1000000, seed, (unsigned)r % 1000);
        if (seed % 1000000 == 0)    /* no leading zero to strip in the expected text */
            snprintf(w[6], 64, "%u.%03u", seed, (unsigned)r % 1000);
        snprintf(v[7], 64, "%llu", 18446744073709000000ULL + (unsigned long long)r * 3);
        snprintf(w[7], 64, "%s", v[7]);
        snprintf(v[8], 64, "%02d:%02d:%02d.%03d", r / 3600 % 24, r / 60 % 60, r % 60, r % 1000);
        snprintf(w[8], 64, "%02d:%02d:%02d", r / 3600 % 24, r / 60 % 60, r % 60);
        if (r % 1000) {              /* the fraction without trailing zeros */
            char frac[8];
            snprintf(frac, sizeof frac, "%03d", r % 1000);
            for (int k = 2; frac[k] == '0'; k--)
                frac[k] = 0;
            strcat(w[8], ".");
            strcat(w[8], frac);
        }
        for (int c = 0; c < C; c++) {
            cells[r * C + c] = strdup(v[c]);
            wl += (size_t)sprintf(want + wl, "%s%s", w[c], c + 1 < C ? "," : "\n");
        }
    }
    round_trip("encodings", C, N, names, types, NULL, (const char *const *)cells, want);
    for (int i = 0; i < N * C; i++)
        free(cells[i]);
    free(cells);
    free(want);
    char *meta = read_back("encodings", PQR_META);
    /* each column's encodings, in order */
    const char *enc[C] = {
        "RLE_DICTIONARY", "DELTA_BINARY_PACKED", "encodings: BYTE_STREAM_SPLIT,RLE\n", "RLE_DICTIONARY",
        "DELTA_BINARY_PACKED", "RLE_DICTIONARY", "encodings: PLAIN,RLE\n", "DELTA_BINARY_PACKED",
        "DELTA_BINARY_PACKED",
    };
    const char *p = meta;
    for (int c = 0; c < C; c++) {
        char col[64];
        snprintf(col, sizeof col, "column: %s\n", names[c]);
        const char *at = strstr(p, col);
        assert_non_null(at);
        const char *next = strstr(at + 1, "column: ");
        const char *e = strstr(at, enc[c]);
        if (!e || (next && e > next))
            fail_msg("column %s is not %s:\n%.*s", names[c], enc[c],
                     (int)(next ? next - at : (ptrdiff_t)strlen(at)), at);
        p = at;
    }
    free(meta);
}

/* The encoding each kind of values gets, and the values survive it:
   full-precision doubles BYTE_STREAM_SPLIT, doubles that often come back
   PLAIN, unique strings DELTA_BYTE_ARRAY, random integers narrower
   than 64 bits DELTA_BINARY_PACKED and full-width ones PLAIN; dictionaries
   of doubles and strings, whatever order their pages put the values in,
   give back the same values; whole seconds in microseconds, rising with
   jitter of up to an hour (a trip's end after its start), whose values
   come back now and then, DELTA_BINARY_PACKED too.  NULLs sit between
   them. */
static void test_value_encodings(void **state) {
    (void)state;
    enum { N = 20000, C = 8 };
    const char *names[C] = { "bss_d", "plain_d", "dba_s", "delta_i", "plain_i", "dict_d", "dict_s",
                             "delta_t" };
    const char *types[C] = { "double", "double", "string", "int64", "int64", "double", "string",
                             "int64" };
    const char *enc[C] = {
        "encodings: BYTE_STREAM_SPLIT,RLE\n", "encodings: PLAIN,RLE\n",
        "encodings: DELTA_BYTE_ARRAY,RLE\n", "encodings: DELTA_BINARY_PACKED,RLE\n",
        "encodings: PLAIN,RLE\n", "RLE_DICTIONARY", "RLE_DICTIONARY",
        "encodings: DELTA_BINARY_PACKED,RLE\n",
    };
    static const char *const tags[] = { "red", "green", "blue;red", "vip", "new;vip;red", "b2b" };
    char **cells = calloc(N * C, sizeof *cells);
    char *want = malloc((size_t)N * 300 + 200);
    assert_non_null(cells);
    assert_non_null(want);
    size_t wl = (size_t)sprintf(want, "bss_d,plain_d,dba_s,delta_i,plain_i,dict_d,dict_s,delta_t\n");
    uint64_t seed = 88172645463325252ull;
    for (int r = 0; r < N; r++) {
        char v[C][64], w[C][64];
        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
        /* 0.xxx with 16 digits: no value comes back */
        snprintf(v[0], 64, "0.%016llu", (unsigned long long)(seed % 10000000000000000ull));
        snprintf(w[0], 64, "%s", v[0]);
        /* 19000 values, the first 19000 rows distinct, then repeats */
        snprintf(v[1], 64, "-73.%06d", (int)((unsigned)r * 7919u % 19000u) + 900000);
        snprintf(w[1], 64, "%s", v[1]);
        snprintf(v[2], 64, "%016llx-%d", (unsigned long long)seed, r);
        snprintf(w[2], 64, "%s", v[2]);
        snprintf(v[3], 64, "%llu", (unsigned long long)(seed >> 24));
        snprintf(w[3], 64, "%s", v[3]);
        snprintf(v[4], 64, "%lld", (long long)seed);
        snprintf(w[4], 64, "%s", v[4]);
        snprintf(v[5], 64, "%d.%02d", (int)(seed % 300) - 150, (int)(seed % 97));
        snprintf(w[5], 64, "%s", v[5]);
        snprintf(v[6], 64, "%s", tags[seed % 6]);
        snprintf(w[6], 64, "%s", v[6]);
        snprintf(v[7], 64, "%lld", (1420070400ll + r * 3 / 2 + 60 + (long long)(seed >> 20) % 3541) *
                                   1000000);
        snprintf(w[7], 64, "%s", v[7]);
        for (int c = 0; c < C; c++) {
            int null = (r + c) % 97 == 0;
            cells[r * C + c] = null ? NULL : strdup(v[c]);
            wl += (size_t)sprintf(want + wl, "%s%s", null ? "" : w[c], c + 1 < C ? "," : "\n");
        }
    }
    struct built t;
    build(&t, C, N, (const char *const *)cells);
    const struct csv_batch *bs[1] = { &t.b };
    struct pqw_where where;
    int e = write_file("value_encodings", C, names, types, NULL, bs, 1, &where);
    unbuild(&t);
    if (e)
        fail_msg("write: %d line %lld column %lld: %s", e, (long long)where.line,
                 (long long)where.column, where.detail);
    for (int i = 0; i < N * C; i++)
        free(cells[i]);
    free(cells);
    char *got = read_back("value_encodings", PQR_CSV);
    /* doubles print as DuckDB prints them: compare the other columns
       exactly, the doubles by value */
    const char *g = got, *x = want;
    for (int line = 0; *g && *x; line++) {
        const char *ge = strchr(g, '\n'), *xe = strchr(x, '\n');
        assert_non_null(ge);
        assert_non_null(xe);
        char gl[512], xl[512];
        snprintf(gl, sizeof gl, "%.*s", (int)(ge - g), g);
        snprintf(xl, sizeof xl, "%.*s", (int)(xe - x), x);
        char *gs = gl, *xs = xl;
        for (int c = 0; c < C; c++) {
            char *gf = strsep(&gs, ","), *xf = strsep(&xs, ",");
            assert_non_null(gf);
            assert_non_null(xf);
            int numeric = line > 0 && (c == 0 || c == 1 || c == 5) && *gf && *xf;
            if (numeric ? strtod(gf, NULL) != strtod(xf, NULL) : strcmp(gf, xf) != 0)
                fail_msg("line %d column %s: got %s, wanted %s", line, names[c], gf, xf);
        }
        g = ge + 1;
        x = xe + 1;
    }
    assert_true(*g == 0 && *x == 0);
    free(got);
    free(want);
    char *meta = read_back("value_encodings", PQR_META);
    for (int c = 0; c < C; c++) {
        char col[64];
        snprintf(col, sizeof col, "column: %s\n", names[c]);
        const char *at = strstr(meta, col);
        assert_non_null(at);
        const char *next = strstr(at + 1, "column: ");
        const char *p = strstr(at, enc[c]);
        if (!p || (next && p > next))
            fail_msg("column %s is not %s:\n%.*s", names[c], enc[c],
                     (int)(next ? next - at : (ptrdiff_t)strlen(at)), at);
    }
    free(meta);
}

/* Write the batch as one row group to the test file NAME with o; returns
   what pqread makes of its metadata (read_back, PQR_META). */
static char *write_meta(const char *name, const struct pqw_column *cols, size_t ncols,
                        const struct pqw_options *o, const struct csv_batch *b) {
    char path[512];
    path_of(name, "parquet", path, sizeof path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    struct pqw_writer *w;
    struct pqw_where where;
    assert_int_equal(pqw_create(pool, fileno(f), cols, ncols, o, &w, &where), ERR_OK);
    assert_int_equal(pqw_write_row_group(w, b, &where), ERR_OK);
    assert_int_equal(pqw_finish(w, &where), ERR_OK);
    pqw_free(w);
    fclose(f);
    return read_back(name, PQR_META);
}

/* Statistics of a column chunk of many pages, folded from its pages':
   NaN, zeros of both signs, infinities, byte arrays that share their
   first eight bytes, and byte arrays in a dictionary (each entry compared
   once per page), the bounds in different pages. */
static void test_page_statistics(void **state) {
    (void)state;
    enum { N = 6000, C = 6 };
    const char *types[C] = { "double", "double", "double", "string", "int64", "string" };
    const char *names[C] = { "d", "pos", "neg", "s", "i", "w" };
    char **cells = calloc(N * C, sizeof *cells);
    int nans = 0;
    for (int r = 0; r < N; r++) {
        char v[64];
        if (r % 97 == 5) {
            cells[r * C] = strdup("nan");
            nans++;
        } else {
            snprintf(v, 64, "%d.%d", r - 3000, r % 7);
            cells[r * C] = strdup(r == 4321 ? "-1e300" : r == 777 ? "inf" : v);
        }
        snprintf(v, 64, "%d.25", r % 50 + 1);
        cells[r * C + 1] = strdup(r == 3000 ? "0" : v);
        snprintf(v, 64, "-%d.75", r % 50 + 1);
        cells[r * C + 2] = strdup(r == 2500 ? "-0" : v);
        snprintf(v, 64, "key-0000%05d-%s", (r * 7919) % N, r % 3 ? "x" : "yy");
        cells[r * C + 3] = r % 11 == 0 ? NULL : strdup(r == 5554 ? "key-0000" : r == 1 ? "kez" : v);
        snprintf(v, 64, "%d", (r * 31) % 1000 - 400);
        cells[r * C + 4] = strdup(r == 4000 ? "-9223372036854775808" : v);
        snprintf(v, 64, "w%02d", r % 40);
        cells[r * C + 5] = r % 13 == 0 ? NULL : strdup(r == 4999 ? "a" : r == 17 ? "zz" : v);
    }
    struct built t;
    build(&t, C, N, (const char *const *)cells);
    struct pqw_column cols[C];
    set_columns(cols, C, names, types);
    struct pqw_options o = {
        .codec = CODEC_ZSTD, .page_size = 2048, .dict_limit = 1 << 20,
        .dict_entries = 1 << 16, .created_by = "csv2pq test", .threads = 1,
    };
    char *meta = write_meta("page_statistics", cols, C, &o, &t.b);
    char nan_line[64];
    snprintf(nan_line, sizeof nan_line, "nan_count: %d\n", nans);
    const char *want[] = {
        nan_line, "min: -1e+300\n", "max: inf\n",
        "min: -0.0\n", "max: 50.25\n",
        "min: -50.75\n", "max: 0.0\n",
        "min: key-0000\n", "max: kez\n",
        "min: -9223372036854775808\n", "max: 599\n",
        "min: a\n", "max: zz\n",
    };
    const char *at = meta;
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const char *p = strstr(at, want[i]);
        if (!p)
            fail_msg("metadata lacks %s after %.40s:\n%s", want[i], at, meta);
        at = p;
    }
    if (!strstr(meta, "pages: "))
        fail_msg("no page count:\n%s", meta);
    const char *w = strstr(meta, "column: w\n");
    if (!w || !strstr(w, "RLE_DICTIONARY"))
        fail_msg("column w is not in a dictionary:\n%s", meta);
    free(meta);
    unbuild(&t);
    for (int i = 0; i < N * C; i++)
        free(cells[i]);
    free(cells);
}

/* Data pages per column as the page rule gives them: rows are added until
   the values' bytes reach page_size (cost bytes a value, NULLs free). */
static int pages_expected(const char *const *cells, size_t ncols, size_t c, size_t nrows,
                          size_t cost, size_t page_size) {
    int pages = 0;
    for (size_t r = 0; r < nrows; pages++) {
        size_t bytes = 0;
        for (; r < nrows && bytes < page_size; r++)
            bytes += cells[r * ncols + c] ? cost : 0;
    }
    return pages;
}

/* Page cuts at and around exact page_size boundaries, for fixed-width
   PLAIN values and dictionary indices, with and without NULLs (runs of
   NULLs longer than eight rows included). */
static void test_page_cuts(void **state) {
    (void)state;
    enum { N = 1000, C = 4 };
    const char *types[C] = { "double", "double", "string", "string" };
    const char *names[C] = { "d", "dn", "s", "sn" };
    const size_t cost[C] = { 8, 8, 1, 1 };
    char **cells = calloc(N * C, sizeof *cells);
    for (int r = 0; r < N; r++) {
        char v[64];
        int null = r % 3 == 0 || (r >= 500 && r < 530) || (r >= 700 && r < 709);
        snprintf(v, 64, "%d.5", r);
        cells[r * C] = strdup(v);
        cells[r * C + 1] = null ? NULL : strdup(v);
        cells[r * C + 2] = strdup(r % 3 ? "abc" : "xyz");
        cells[r * C + 3] = null ? NULL : strdup(r % 3 ? "abc" : "xyz");
    }
    struct built t;
    build(&t, C, N, (const char *const *)cells);
    struct pqw_column cols[C];
    set_columns(cols, C, names, types);
    static const size_t sizes[] = { 1, 7, 8, 9, 63, 64, 65, 792, 799, 800, 801, 808, 4000 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        struct pqw_options o = {
            .codec = CODEC_ZSTD, .page_size = sizes[i], .dict_limit = 1 << 20,
            .dict_entries = 1 << 16, .created_by = "csv2pq test", .threads = 1,
        };
        char *meta = write_meta("page_cuts", cols, C, &o, &t.b);
        const char *at = meta;
        for (size_t c = 0; c < C; c++) {
            const char *p = strstr(at, "pages: ");
            if (!p)
                fail_msg("page_size %zu: column %zu has no page count:\n%s", sizes[i], c, meta);
            long long total = 0, dict = 0, data = 0;
            assert_int_equal(sscanf(p, "pages: %lld (%lld dictionary, %lld data", &total, &dict,
                                    &data), 3);
            assert_int_equal(dict, c >= 2);
            int want = pages_expected((const char *const *)cells, C, c, N, cost[c], sizes[i]);
            if (data != want)
                fail_msg("page_size %zu, column %s: %lld data pages, want %d", sizes[i],
                         names[c], data, want);
            at = p + 1;
        }
        free(meta);
    }
    unbuild(&t);
    for (int i = 0; i < N * C; i++)
        free(cells[i]);
    free(cells);
}

/* Several row groups, several threads: the same bytes. */
static void test_threads_same_bytes(void **state) {
    (void)state;
    enum { N = 3000, C = 4 };
    const char *types[C] = { "decimal(30,4)", "uint16", "timestamp_utc(ns)", "float" };
    const char *names[C] = { "a", "b", "c", "d" };
    char **cells = calloc(N * C, sizeof *cells);
    for (int r = 0; r < N; r++) {
        char v[64];
        snprintf(v, 64, "%d.%04d", r * 7919 % 100000, r % 10000);
        cells[r * C] = strdup(v);
        snprintf(v, 64, "%d", r * 31 % 65536);
        cells[r * C + 1] = strdup(v);
        snprintf(v, 64, "2024-03-01 12:00:00.%09lldZ", (long long)r * 1234567 % 1000000000);
        cells[r * C + 2] = r % 10 ? strdup(v) : NULL;
        snprintf(v, 64, "%d.25", r - 1500);
        cells[r * C + 3] = strdup(v);
    }
    struct built t[2];
    build(&t[0], C, N / 2, (const char *const *)cells);
    build(&t[1], C, N - N / 2, (const char *const *)cells + (N / 2) * C);
    const struct csv_batch *bs[2] = { &t[0].b, &t[1].b };
    struct pqw_options o = {
        .codec = CODEC_SNAPPY, .page_size = 4096, .dict_limit = 1 << 20,
        .dict_entries = 1 << 16, .created_by = "csv2pq test", .byte_stream_split = 1,
    };
    same_bytes("threads1", "threads4", 4, names, types, C, o, bs, 2);
    if (!keep) {
        char path[512];
        path_of("threads4", "parquet", path, sizeof path);
        unlink(path);
    } else {
        free(read_back("threads1", PQR_CSV));
        free(read_back("threads4", PQR_CSV));
    }
    unbuild(&t[0]);
    unbuild(&t[1]);
    for (int i = 0; i < N * C; i++)
        free(cells[i]);
    free(cells);
}

/* The encodings line of column NAME in row group RG of pqread's metadata. */
static void chunk_encodings(const char *meta, int rg, const char *name, char *out, size_t n) {
    char key[64];
    snprintf(key, sizeof key, "row_group: %d\n", rg);
    const char *at = strstr(meta, key);
    assert_non_null(at);
    snprintf(key, sizeof key, "column: %s\n", name);
    at = strstr(at, key);
    assert_non_null(at);
    at = strstr(at, "encodings: ");
    assert_non_null(at);
    const char *end = strchr(at, '\n');
    snprintf(out, n, "%.*s", (int)(end - at), at);
}

/* A column whose dictionary attempt stopped at the limits with nearly
   every value distinct is tried on its first 4096 values in the next row
   group.  Row groups of an int64 and a string column: 0 distinct (past
   the 5000 entries); 1 ten values (the probe repeats: a dictionary);
   2 distinct again (a full attempt, past the limits); 3 4096 distinct
   values then one repeated, which a full attempt would take as a
   dictionary of 4097 entries, and the probe does not; 4 the same, again
   no dictionary.  One thread and three write the same bytes. */
static void test_dictionary_probe(void **state) {
    (void)state;
    enum { N = 12000, C = 2, G = 5 };
    const char *types[C] = { "int64", "string" };
    const char *names[C] = { "i", "s" };
    char **cells = calloc((size_t)G * N * C, sizeof *cells);
    assert_non_null(cells);
    for (int g = 0; g < G; g++)
        for (int r = 0; r < N; r++) {
            long long v = g * 1000003LL + r;
            if (g == 1)
                v = r % 10;
            else if (g >= 3 && r >= 4096)
                v = 7;
            char buf[64];
            snprintf(buf, sizeof buf, "%lld", v * 7919);
            cells[((size_t)g * N + r) * C] = strdup(buf);
            snprintf(buf, sizeof buf, "id-%012lld", v);
            cells[((size_t)g * N + r) * C + 1] = strdup(buf);
        }
    struct built t[G];
    const struct csv_batch *bs[G];
    for (int g = 0; g < G; g++) {
        build(&t[g], C, N, (const char *const *)cells + (size_t)g * N * C);
        bs[g] = &t[g].b;
    }
    struct pqw_options o = {
        .codec = CODEC_ZSTD, .page_size = 1 << 20, .dict_limit = 1 << 20,
        .dict_entries = 5000, .created_by = "csv2pq test",
    };
    same_bytes("probe1", "probe3", 3, names, types, C, o, bs, G);
    char *meta = read_back("probe1", PQR_META);
    for (int c = 0; c < C; c++)
        for (int g = 0; g < G; g++) {
            char enc[128];
            chunk_encodings(meta, g, names[c], enc, sizeof enc);
            int dict = strstr(enc, "RLE_DICTIONARY") != NULL;
            if (dict != (g == 1))
                fail_msg("column %s, row group %d: %s", names[c], g, enc);
        }
    free(meta);
    for (int g = 0; g < G; g++)
        unbuild(&t[g]);
    for (size_t i = 0; i < (size_t)G * N * C; i++)
        free(cells[i]);
    free(cells);
}

/* Write n trip ends in whole seconds as microseconds (a start that rises
   by 1.5 s a row on average, divided by dense, plus up to an hour) as one
   row group with the dictionary's limits of the default budget, check
   that they come back, and put the chunk's encodings in enc. */
static void trip_ends(const char *name, int n, int dense, char *enc, size_t enc_len) {
    char **cells = calloc((size_t)n, sizeof *cells);
    char *want = malloc((size_t)n * 24 + 64);
    assert_non_null(cells);
    assert_non_null(want);
    size_t wl = (size_t)sprintf(want, "end\n");
    uint64_t seed = 88172645463325252ull, start = 0;
    for (int r = 0; r < n; r++) {
        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
        start += seed % 4;
        long long trip = 60 + (long long)(seed >> 20) % 3541;
        char v[32];
        snprintf(v, sizeof v, "%lld", (1420070400ll + (long long)start / dense + trip) * 1000000);
        cells[r] = strdup(v);
        wl += (size_t)sprintf(want + wl, "%s\n", v);
    }
    struct built t;
    build(&t, 1, (size_t)n, (const char *const *)cells);
    const char *names[1] = { "end" }, *types[1] = { "int64" };
    struct pqw_column cols[1];
    set_columns(cols, 1, names, types);
    struct pqw_options o = {
        .codec = CODEC_ZSTD, .page_size = 1 << 20, .dict_limit = 1 << 20,
        .dict_entries = 16384, .created_by = "csv2pq test", .threads = 1,
    };
    char *meta = write_meta(name, cols, 1, &o, &t.b);
    chunk_encodings(meta, 0, "end", enc, enc_len);
    free(meta);
    char *got = read_back(name, PQR_CSV);
    assert_string_equal(got, want);
    free(got);
    free(want);
    unbuild(&t);
    for (int r = 0; r < n; r++)
        free(cells[r]);
    free(cells);
}

/* Integers whose PLAIN pages zstd may make a little smaller than their
   deltas (values that come back now and then) are DELTA_BINARY_PACKED,
   which it codes in about half the time: trip ends (above), too many for
   the dictionary's limits.  Trip ends of starts four times as close
   together, fewer than the limits, whose dictionary is estimated a little
   larger than the deltas (before compression) keep the dictionary, which
   zstd makes a third smaller than the deltas. */
static void test_delta_over_plain(void **state) {
    (void)state;
    char enc[128];
    trip_ends("delta_over_plain", 52000, 1, enc, sizeof enc);
    if (strcmp(enc, "encodings: DELTA_BINARY_PACKED,RLE") != 0)
        fail_msg("trip ends: %s", enc);
    trip_ends("delta_over_plain_dense", 20000, 4, enc, sizeof enc);
    if (!strstr(enc, "RLE_DICTIONARY"))
        fail_msg("dense trip ends: %s", enc);
}

/* With threads the column that took longest in the last row group is
   handed out first.  Here that is a text column after 1000 small ones,
   whose chunk alone holds more than the finished chunks may (a sixteenth
   of the pool) and is done before the small ones are: the columns before
   it must still be handed out, one at a time, and written first.  When it
   fails (invalid UTF-8 in the third row group), the columns before it
   are still encoded and written and the error is its own.  A hang here is
   one of those going wrong (the alarm ends the test). */
static void test_threads_lead(void **state) {
    (void)state;
    enum { N = 1000, C = 1001, W = 5000 };
    static const char *digit[7] = { "0", "1", "2", "3", "4", "5", "6" };
    const char *types[C], *names[C];
    static char name[C][8];
    for (int c = 0; c < C; c++) {
        snprintf(name[c], sizeof name[c], "c%d", c);
        names[c] = name[c];
        types[c] = c < C - 1 ? "int64" : "string";
    }
    char **cells = calloc((size_t)3 * N * C, sizeof *cells);
    uint64_t x = 12345;
    for (int r = 0; r < 3 * N; r++) {
        char *t = malloc(W + 1);
        for (int c = 0; c < C - 1; c++)
            cells[(size_t)r * C + c] = (char *)digit[(r + c) % 7];
        for (int i = 0; i < W; i++) {        /* letters that do not repeat */
            x = x * 6364136223846793005u + 1442695040888963407u;
            t[i] = (char)('a' + (x >> 33) % 26);
        }
        t[W] = 0;
        cells[(size_t)r * C + C - 1] = t;
    }
    cells[(size_t)(2 * N + 9) * C + C - 1][5] = (char)0xff;
    struct built t[3];
    for (int i = 0; i < 3; i++)
        build(&t[i], C, N, (const char *const *)cells + (size_t)i * N * C);
    char *bytes[2] = { NULL, NULL };
    long len[2];
    assert_true((size_t)N * W > pool_budget(pool) / 16);
    alarm(60);
    for (int k = 0; k < 2; k++) {
        struct pqw_column cols[C];
        set_columns(cols, C, names, types);
        struct pqw_options o = {
            .codec = CODEC_UNCOMPRESSED, .page_size = 1 << 20, .dict_limit = 1 << 20,
            .dict_entries = 1 << 16, .created_by = "csv2pq test", .threads = k ? 2 : 1,
        };
        const struct csv_batch *bs[2] = { &t[0].b, &t[1].b };
        for (int fails = 0; fails < 2; fails++) {
            FILE *f;
            struct pqw_writer *w = writer_with("lead", cols, C, &o, bs, 2, &f);
            struct pqw_where where;
            if (fails) {
                memset(&where, 0, sizeof where);
                assert_int_equal(pqw_write_row_group(w, &t[2].b, &where), ERR_TYPE);
                assert_int_equal(where.column, C);
                assert_int_equal(where.line, 2 + 9);
            } else {
                assert_int_equal(pqw_finish(w, &where), ERR_OK);
                bytes[k] = file_bytes(f, &len[k]);
            }
            pqw_free(w);
            fclose(f);
        }
    }
    alarm(0);
    assert_int_equal(len[0], len[1]);
    assert_memory_equal(bytes[0], bytes[1], (size_t)len[0]);
    free(bytes[0]);
    free(bytes[1]);
    for (int i = 0; i < 3; i++)
        unbuild(&t[i]);
    for (int r = 0; r < 3 * N; r++)
        free(cells[(size_t)r * C + C - 1]);
    free(cells);
}

/* Budgets from tight to ample: wherever one thread writes the file, two
   write the same bytes, though at some of them the two threads' buffers
   together do not fit and a column is encoded again alone (into a buffer
   at some budgets, at others, where even that does not fit, with every
   buffer given back and its pages written as they are made). */
static void test_threads_tight(void **state) {
    (void)state;
    enum { N = 6000, C = 4, W = 600 };
    const char *types[C] = { "string", "int64", "string", "int64" };
    const char *names[C] = { "a", "b", "c", "d" };
    char **cells = calloc((size_t)2 * N * C, sizeof *cells);
    uint64_t x = 99;
    for (int r = 0; r < 2 * N; r++) {
        for (int c = 0; c < C; c += 2) {
            char *t = malloc(W + 1);
            for (int i = 0; i < W; i++) {
                x = x * 6364136223846793005u + 1442695040888963407u;
                t[i] = (char)('a' + (x >> 33) % 26);
            }
            t[W] = 0;
            cells[(size_t)r * C + c] = t;
            char v[32];
            snprintf(v, sizeof v, "%llu", (unsigned long long)(x >> 20));
            cells[(size_t)r * C + c + 1] = strdup(v);
        }
    }
    struct built t[2];
    for (int i = 0; i < 2; i++)
        build(&t[i], C, N, (const char *const *)cells + (size_t)i * N * C);
    int both = 0;
    for (size_t budget = 8u << 20; budget <= 24u << 20; budget += 1u << 19) {
        char *bytes[2] = { NULL, NULL };
        long len[2] = { 0, 0 };
        int ok[2];
        for (int k = 0; k < 2; k++) {
            pool_t *p = pool_create(budget);
            assert_non_null(p);
            struct pqw_column cols[C];
            set_columns(cols, C, names, types);
            struct pqw_options o = {
                .codec = CODEC_UNCOMPRESSED, .page_size = 1 << 18, .dict_limit = 1 << 20,
                .dict_entries = 1 << 14, .created_by = "csv2pq test", .threads = k ? 2 : 1,
            };
            char path[512];
            path_of("tight", "parquet", path, sizeof path);
            FILE *f = fopen(path, "w+b");
            struct pqw_writer *w;
            struct pqw_where where;
            ok[k] = pqw_create(p, fileno(f), cols, C, &o, &w, &where) == ERR_OK;
            for (int i = 0; i < 2 && ok[k]; i++)
                ok[k] = pqw_write_row_group(w, &t[i].b, &where) == ERR_OK;
            if (ok[k])
                ok[k] = pqw_finish(w, &where) == ERR_OK;
            if (w)
                pqw_free(w);
            if (ok[k]) {
                bytes[k] = file_bytes(f, &len[k]);
            }
            fclose(f);
            unlink(path);
            pool_destroy(p);
        }
        if (ok[0]) {
            if (!ok[1])
                fail_msg("budget %zu: one thread writes the file, two do not", budget);
            assert_int_equal(len[0], len[1]);
            assert_memory_equal(bytes[0], bytes[1], (size_t)len[0]);
            both++;
        }
        free(bytes[0]);
        free(bytes[1]);
    }
    assert_true(both > 0);
    for (int i = 0; i < 2; i++)
        unbuild(&t[i]);
    for (size_t i = 0; i < (size_t)2 * N * C; i++)
        free(cells[i]);
    free(cells);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_integer_errors),
        cmocka_unit_test(test_statistics),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_decimals),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_value_encodings),
        cmocka_unit_test(test_page_statistics),
        cmocka_unit_test(test_page_cuts),
        cmocka_unit_test(test_threads_same_bytes),
        cmocka_unit_test(test_threads_lead),
        cmocka_unit_test(test_threads_tight),
        cmocka_unit_test(test_dictionary_probe),
        cmocka_unit_test(test_delta_over_plain),
        cmocka_unit_test(test_utf8_every_place),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
