/* Unit tests for thrift_compact.c and pqmeta.c: known byte vectors, hostile
   input, and metadata round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pool.h"
#include "codec.h"
#include "thrift_compact.h"
#include "pqmeta.h"

static pool_t *pool;

static int setup(void **state) {
    (void)state;
    pool = pool_create((size_t)64 << 20);
    return pool == NULL ? -1 : 0;
}

static int teardown(void **state) {
    (void)state;
    size_t leaked = pool_destroy(pool);
    pool = NULL;
    return leaked == 0 ? 0 : -1;
}

/* The writer holds exactly the listed bytes and no error. */
#define EXPECT_BYTES(w, ...) do { \
        static const uint8_t exp_[] = { __VA_ARGS__ }; \
        assert_int_equal((w)->err, ERR_OK); \
        assert_int_equal((w)->len, sizeof exp_); \
        assert_memory_equal((w)->buf, exp_, sizeof exp_); \
    } while (0)

#define READER(r, ...) \
    static const uint8_t r##_in_[] = { __VA_ARGS__ }; \
    struct tc_reader r; \
    tc_reader_init(&r, r##_in_, sizeof r##_in_)

static struct pq_bytes bytes_of(const char *s) {
    struct pq_bytes b = { (const uint8_t *)s, strlen(s) };
    return b;
}

/* ---- writer: known byte vectors ---- */

static void check_varint(uint64_t v, const uint8_t *exp, size_t n) {
    struct tc_writer w;
    struct tc_reader r;
    tc_writer_init(&w, pool);
    tc_write_varint(&w, v);
    assert_int_equal(w.err, ERR_OK);
    assert_int_equal(w.len, n);
    assert_memory_equal(w.buf, exp, n);
    tc_reader_init(&r, w.buf, w.len);
    assert_true(tc_read_varint(&r) == v);
    assert_int_equal(r.err, ERR_OK);
    assert_ptr_equal(r.p, r.end);
    tc_writer_free(&w);
}

static void test_varint(void **state) {
    (void)state;
    check_varint(0, (const uint8_t[]){ 0x00 }, 1);
    check_varint(1, (const uint8_t[]){ 0x01 }, 1);
    check_varint(127, (const uint8_t[]){ 0x7F }, 1);
    check_varint(128, (const uint8_t[]){ 0x80, 0x01 }, 2);
    check_varint(300, (const uint8_t[]){ 0xAC, 0x02 }, 2);
    check_varint(50399, (const uint8_t[]){ 0xDF, 0x89, 0x03 }, 3);
    check_varint((uint64_t)1 << 32,
                 (const uint8_t[]){ 0x80, 0x80, 0x80, 0x80, 0x10 }, 5);
    check_varint(UINT64_MAX, (const uint8_t[]){ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                                0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, 10);
    assert_int_equal(pool_live(pool), 0);
}

static void check_i32(int32_t v, const uint8_t *exp, size_t n) {
    struct tc_writer w;
    struct tc_reader r;
    tc_writer_init(&w, pool);
    tc_write_i32(&w, v);
    assert_int_equal(w.len, n);
    assert_memory_equal(w.buf, exp, n);
    tc_reader_init(&r, w.buf, w.len);
    assert_int_equal(tc_read_i32(&r), v);
    assert_int_equal(r.err, ERR_OK);
    assert_ptr_equal(r.p, r.end);
    tc_writer_free(&w);
}

static void check_i64(int64_t v, const uint8_t *exp, size_t n) {
    struct tc_writer w;
    struct tc_reader r;
    tc_writer_init(&w, pool);
    tc_write_i64(&w, v);
    assert_int_equal(w.len, n);
    assert_memory_equal(w.buf, exp, n);
    tc_reader_init(&r, w.buf, w.len);
    assert_true(tc_read_i64(&r) == v);
    assert_int_equal(r.err, ERR_OK);
    assert_ptr_equal(r.p, r.end);
    tc_writer_free(&w);
}

static void test_zigzag(void **state) {
    (void)state;
    check_i32(0, (const uint8_t[]){ 0x00 }, 1);
    check_i32(-1, (const uint8_t[]){ 0x01 }, 1);
    check_i32(1, (const uint8_t[]){ 0x02 }, 1);
    check_i32(-2, (const uint8_t[]){ 0x03 }, 1);
    check_i32(-64, (const uint8_t[]){ 0x7F }, 1);
    check_i32(64, (const uint8_t[]){ 0x80, 0x01 }, 2);
    check_i32(INT32_MAX, (const uint8_t[]){ 0xFE, 0xFF, 0xFF, 0xFF, 0x0F }, 5);
    check_i32(INT32_MIN, (const uint8_t[]){ 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, 5);
    check_i64(0, (const uint8_t[]){ 0x00 }, 1);
    check_i64(-1, (const uint8_t[]){ 0x01 }, 1);
    check_i64(1, (const uint8_t[]){ 0x02 }, 1);
    check_i64(-2, (const uint8_t[]){ 0x03 }, 1);
    check_i64(INT64_MAX, (const uint8_t[]){ 0xFE, 0xFF, 0xFF, 0xFF, 0xFF,
                                            0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, 10);
    check_i64(INT64_MIN, (const uint8_t[]){ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                            0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, 10);

    struct tc_writer w;
    tc_writer_init(&w, pool);
    tc_write_i16(&w, INT16_MIN);
    tc_write_i16(&w, INT16_MAX);
    tc_write_byte(&w, -2);
    EXPECT_BYTES(&w, 0xFF, 0xFF, 0x03, 0xFE, 0xFF, 0x03, 0xFE);
    struct tc_reader r;
    tc_reader_init(&r, w.buf, w.len);
    assert_int_equal(tc_read_i16(&r), INT16_MIN);
    assert_int_equal(tc_read_i16(&r), INT16_MAX);
    assert_int_equal(tc_read_byte(&r), -2);
    assert_int_equal(r.err, ERR_OK);
    tc_writer_free(&w);

    /* Values that do not fit the type are malformed, not truncated. */
    READER(r32, 0x80, 0x80, 0x80, 0x80, 0x10);
    assert_int_equal(tc_read_i32(&r32), 0);
    assert_int_equal(r32.err, ERR_THRIFT);
    READER(r16, 0x80, 0x80, 0x04);
    assert_int_equal(tc_read_i16(&r16), 0);
    assert_int_equal(r16.err, ERR_THRIFT);
}

static void test_field_headers(void **state) {
    (void)state;
    struct tc_writer w;
    tc_writer_init(&w, pool);
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 0);       /* delta 1: short */
    tc_field_i32(&w, 16, 1);      /* delta 15: short */
    tc_field_i32(&w, 32, -1);     /* delta 16: long */
    tc_field_i32(&w, 5, 2);       /* backwards: long */
    tc_field_i32(&w, 6, 3);       /* delta 1 again */
    tc_field_i64(&w, 300, 4);     /* long, two-byte id */
    tc_field_i32(&w, -1, 5);      /* negative id: long */
    tc_write_struct_end(&w);
    EXPECT_BYTES(&w,
        0x15, 0x00,
        0xF5, 0x02,
        0x05, 0x40, 0x01,
        0x05, 0x0A, 0x04,
        0x15, 0x06,
        0x06, 0xD8, 0x04, 0x08,
        0x05, 0x01, 0x0A,
        0x00);

    static const int16_t ids[] = { 1, 16, 32, 5, 6, 300, -1 };
    static const int32_t vals[] = { 0, 1, -1, 2, 3, 4, 5 };
    struct tc_reader r;
    int type;
    int16_t id;
    tc_reader_init(&r, w.buf, w.len);
    tc_read_struct_begin(&r);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(tc_read_field_begin(&r, &type, &id), 1);
        assert_int_equal(id, ids[i]);
        assert_int_equal(type, i == 5 ? TC_I64 : TC_I32);
        if (type == TC_I64)
            assert_true(tc_read_i64(&r) == vals[i]);
        else
            assert_int_equal(tc_read_i32(&r), vals[i]);
    }
    assert_int_equal(tc_read_field_begin(&r, &type, &id), 0);
    tc_read_struct_end(&r);
    assert_int_equal(r.err, ERR_OK);
    assert_int_equal(r.depth, 0);
    assert_ptr_equal(r.p, r.end);
    tc_writer_free(&w);
}

static void test_bool(void **state) {
    (void)state;
    struct tc_writer w;
    tc_writer_init(&w, pool);
    tc_write_struct_begin(&w);
    tc_field_bool(&w, 1, 1);
    tc_field_bool(&w, 2, 0);
    tc_field_bool(&w, 20, 7);
    tc_field_list_begin(&w, 21, TC_BOOL, 3);
    tc_write_bool(&w, 1);
    tc_write_bool(&w, 0);
    tc_write_bool(&w, 1);
    tc_write_struct_end(&w);
    EXPECT_BYTES(&w, 0x11, 0x12, 0x01, 0x28, 0x19, 0x31, 0x01, 0x02, 0x01, 0x00);

    struct tc_reader r;
    int type;
    int16_t id;
    tc_reader_init(&r, w.buf, w.len);
    tc_read_struct_begin(&r);
    assert_int_equal(tc_read_field_begin(&r, &type, &id), 1);
    assert_int_equal(type, TC_BOOL_TRUE);
    assert_int_equal(id, 1);
    assert_int_equal(tc_read_bool_field(&r, type), 1);
    assert_int_equal(tc_read_field_begin(&r, &type, &id), 1);
    assert_int_equal(type, TC_BOOL_FALSE);
    assert_int_equal(id, 2);
    assert_int_equal(tc_read_bool_field(&r, type), 0);
    assert_int_equal(tc_read_field_begin(&r, &type, &id), 1);
    assert_int_equal(id, 20);
    assert_int_equal(tc_read_bool_field(&r, type), 1);
    assert_int_equal(tc_read_field_begin(&r, &type, &id), 1);
    assert_int_equal(type, TC_LIST);
    assert_int_equal(tc_read_list_begin(&r, &type), 3);
    assert_int_equal(type, TC_BOOL);
    assert_int_equal(tc_read_bool(&r), 1);
    assert_int_equal(tc_read_bool(&r), 0);
    assert_int_equal(tc_read_bool(&r), 1);
    assert_int_equal(tc_read_field_begin(&r, &type, &id), 0);
    assert_int_equal(r.err, ERR_OK);
    tc_writer_free(&w);

    /* Element type 2 is a bool list too; 0 is a false element as the old
       spec text wrote it; 3 is no bool. */
    READER(r2, 0x32, 0x00, 0x01, 0x03);
    assert_int_equal(tc_read_list_begin(&r2, &type), 3);
    assert_int_equal(type, TC_BOOL);
    assert_int_equal(tc_read_bool(&r2), 0);
    assert_int_equal(tc_read_bool(&r2), 1);
    assert_int_equal(r2.err, ERR_OK);
    assert_int_equal(tc_read_bool(&r2), 0);
    assert_int_equal(r2.err, ERR_THRIFT);
}

static void check_list_header(uint32_t n, const uint8_t *exp, size_t hlen) {
    struct tc_writer w;
    struct tc_reader r;
    int type;
    tc_writer_init(&w, pool);
    tc_write_list_begin(&w, TC_I32, n);
    assert_int_equal(w.len, hlen);
    assert_memory_equal(w.buf, exp, hlen);
    for (uint32_t i = 0; i < n; i++)
        tc_write_i32(&w, (int32_t)i);
    assert_int_equal(w.err, ERR_OK);
    tc_reader_init(&r, w.buf, w.len);
    assert_int_equal(tc_read_list_begin(&r, &type), n);
    assert_int_equal(type, TC_I32);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(tc_read_i32(&r), i);
    assert_int_equal(r.err, ERR_OK);
    assert_ptr_equal(r.p, r.end);
    tc_writer_free(&w);
}

static void test_list_headers(void **state) {
    (void)state;
    check_list_header(0, (const uint8_t[]){ 0x05 }, 1);
    check_list_header(1, (const uint8_t[]){ 0x15 }, 1);
    check_list_header(14, (const uint8_t[]){ 0xE5 }, 1);
    check_list_header(15, (const uint8_t[]){ 0xF5, 0x0F }, 2);
    check_list_header(1000, (const uint8_t[]){ 0xF5, 0xE8, 0x07 }, 3);

    struct tc_writer w;
    tc_writer_init(&w, pool);
    tc_write_list_begin(&w, TC_STRUCT, 2);
    tc_write_list_begin(&w, TC_BINARY, 20);
    EXPECT_BYTES(&w, 0x2C, 0xF8, 0x14);
    tc_writer_free(&w);
    assert_int_equal(pool_live(pool), 0);
}

static void test_nested_structs(void **state) {
    (void)state;
    struct tc_writer w;
    tc_writer_init(&w, pool);
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 1);
    tc_field_struct_begin(&w, 2);
    tc_field_i32(&w, 1, 2);       /* the inner frame starts at 0 */
    tc_field_i32(&w, 20, 3);
    tc_field_struct_begin(&w, 21);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_field_i32(&w, 3, 3);       /* outer frame back at 2: delta 1 */
    tc_field_list_begin(&w, 4, TC_STRUCT, 2);
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 2, 4);
    tc_write_struct_end(&w);
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 2, 5);
    tc_write_struct_end(&w);
    tc_field_i32(&w, 5, 6);
    tc_write_struct_end(&w);
    EXPECT_BYTES(&w,
        0x15, 0x02,
        0x1C,
            0x15, 0x04,
            0x05, 0x28, 0x06,
            0x1C, 0x00,
            0x00,
        0x15, 0x06,
        0x19, 0x2C,
            0x25, 0x08, 0x00,
            0x25, 0x0A, 0x00,
        0x15, 0x0C,
        0x00);
    assert_int_equal(w.depth, 0);

    struct tc_reader r;
    int type;
    int16_t id;
    tc_reader_init(&r, w.buf, w.len);
    tc_read_struct_begin(&r);
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 1 && type == TC_I32);
    assert_int_equal(tc_read_i32(&r), 1);
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 2 && type == TC_STRUCT);
    tc_read_struct_begin(&r);
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 1);
    assert_int_equal(tc_read_i32(&r), 2);
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 20);
    assert_int_equal(tc_read_i32(&r), 3);
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 21 && type == TC_STRUCT);
    tc_skip(&r, type);
    assert_int_equal(tc_read_field_begin(&r, &type, &id), 0);
    tc_read_struct_end(&r);
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 3);
    assert_int_equal(tc_read_i32(&r), 3);
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 4 && type == TC_LIST);
    assert_int_equal(tc_read_list_begin(&r, &type), 2);
    assert_int_equal(type, TC_STRUCT);
    for (int i = 0; i < 2; i++) {
        tc_read_struct_begin(&r);
        assert_true(tc_read_field_begin(&r, &type, &id) && id == 2);
        assert_int_equal(tc_read_i32(&r), 4 + i);
        assert_int_equal(tc_read_field_begin(&r, &type, &id), 0);
        tc_read_struct_end(&r);
    }
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 5);
    assert_int_equal(tc_read_i32(&r), 6);
    assert_int_equal(tc_read_field_begin(&r, &type, &id), 0);
    tc_read_struct_end(&r);
    assert_int_equal(r.err, ERR_OK);
    assert_int_equal(r.depth, 0);
    assert_ptr_equal(r.p, r.end);
    tc_writer_free(&w);
}

static void test_binary_double(void **state) {
    (void)state;
    struct tc_writer w;
    tc_writer_init(&w, pool);
    tc_write_binary(&w, "abc", 3);
    tc_write_binary(&w, NULL, 0);
    tc_write_double(&w, 1.0);
    tc_write_double(&w, -2.5);
    tc_write_struct_begin(&w);
    tc_field_string(&w, 1, "hi");
    tc_field_double(&w, 2, 0.5);
    tc_write_struct_end(&w);
    EXPECT_BYTES(&w,
        0x03, 'a', 'b', 'c',
        0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xC0,
        0x18, 0x02, 'h', 'i',
        0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x3F,
        0x00);

    struct tc_reader r;
    size_t n;
    const uint8_t *p;
    tc_reader_init(&r, w.buf, w.len);
    p = tc_read_binary(&r, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "abc", 3);
    assert_ptr_equal(p, w.buf + 1);           /* no copy */
    p = tc_read_binary(&r, &n);
    assert_non_null(p);
    assert_int_equal(n, 0);
    assert_true(tc_read_double(&r) == 1.0);
    assert_true(tc_read_double(&r) == -2.5);
    assert_int_equal(r.err, ERR_OK);
    tc_writer_free(&w);

    READER(rd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0);
    assert_true(tc_read_double(&rd) == 0.0);
    assert_int_equal(rd.err, ERR_TRUNCATED);
    assert_ptr_equal(rd.p, rd_in_);
}

static void test_writer_depth(void **state) {
    (void)state;
    struct tc_writer w;
    tc_writer_init(&w, pool);
    for (int i = 0; i < TC_MAX_DEPTH; i++)
        tc_field_struct_begin(&w, 1);
    assert_int_equal(w.err, ERR_OK);
    size_t len = w.len;
    tc_field_struct_begin(&w, 1);
    assert_int_equal(w.err, ERR_DEPTH);
    size_t after = w.len;
    tc_write_struct_end(&w);
    tc_field_i64(&w, 2, 5);
    tc_write_binary(&w, "x", 1);
    assert_int_equal(w.len, after);
    assert_true(after <= len + 1);
    assert_int_equal(w.err, ERR_DEPTH);
    tc_writer_free(&w);

    tc_writer_init(&w, pool);
    tc_write_struct_end(&w);             /* no struct open */
    assert_int_equal(w.err, ERR_INTERNAL);
    tc_writer_free(&w);
}

static void test_writer_nomem(void **state) {
    (void)state;
    pool_t *small = pool_create(64 << 10);
    assert_non_null(small);
    size_t big = 1 << 20;
    uint8_t *data = calloc(1, big);
    assert_non_null(data);
    struct tc_writer w;
    tc_writer_init(&w, small);
    tc_write_i32(&w, 7);
    tc_write_binary(&w, data, big);
    assert_int_equal(w.err, ERR_NOMEM);
    size_t len = w.len;
    tc_write_i32(&w, 7);
    tc_write_struct_begin(&w);
    assert_int_equal(w.len, len);
    assert_int_equal(w.err, ERR_NOMEM);
    tc_writer_free(&w);
    free(data);
    assert_int_equal(pool_destroy(small), 0);
}

/* ---- reader: hostile input ---- */

static void test_overlong_varint(void **state) {
    (void)state;
    READER(r1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    assert_true(tc_read_varint(&r1) == 0);
    assert_int_equal(r1.err, ERR_THRIFT);
    READER(r2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02);
    assert_true(tc_read_varint(&r2) == 0);
    assert_int_equal(r2.err, ERR_THRIFT);
    READER(r3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    assert_true(tc_read_varint(&r3) == 0);          /* long but in range */
    assert_int_equal(r3.err, ERR_OK);
    READER(r4, 0x80, 0x80);
    assert_true(tc_read_varint(&r4) == 0);
    assert_int_equal(r4.err, ERR_TRUNCATED);
    struct tc_reader r5;
    tc_reader_init(&r5, NULL, 0);
    assert_true(tc_read_varint(&r5) == 0);
    assert_int_equal(r5.err, ERR_TRUNCATED);
}

static void test_bad_headers(void **state) {
    (void)state;
    int type;
    int16_t id;

    READER(r1, 0xF5, 0x64, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);   /* 100 > 10 left */
    assert_int_equal(tc_read_list_begin(&r1, &type), 0);
    assert_int_equal(r1.err, ERR_TOOBIG);
    READER(r2, 0xF3, 0x81, 0x80, 0x80, 0x08);                /* 2^24 + 1 */
    assert_int_equal(tc_read_list_begin(&r2, &type), 0);
    assert_int_equal(r2.err, ERR_TOOBIG);
    READER(r3, 0x27, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7);  /* 2 doubles, 15 bytes */
    assert_int_equal(tc_read_list_begin(&r3, &type), 0);
    assert_int_equal(r3.err, ERR_TOOBIG);
    READER(r4, 0x1E, 0x00);                                  /* element type 14 */
    assert_int_equal(tc_read_list_begin(&r4, &type), 0);
    assert_int_equal(r4.err, ERR_THRIFT);
    READER(r5, 0x10);                                        /* 1 element of type 0 */
    assert_int_equal(tc_read_list_begin(&r5, &type), 0);
    assert_int_equal(r5.err, ERR_THRIFT);
    READER(r6, 0x00);                                        /* empty, type 0: fine */
    assert_int_equal(tc_read_list_begin(&r6, &type), 0);
    assert_int_equal(r6.err, ERR_OK);

    READER(b1, 0x05, 'a', 'b', 'c', 'd');
    size_t n = 9;
    assert_null(tc_read_binary(&b1, &n));
    assert_int_equal(n, 0);
    assert_int_equal(b1.err, ERR_TOOBIG);
    READER(b2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
    assert_null(tc_read_binary(&b2, &n));
    assert_int_equal(b2.err, ERR_TOOBIG);

    READER(f1, 0x1E, 0x00);                                  /* field type 14 */
    tc_read_struct_begin(&f1);
    assert_int_equal(tc_read_field_begin(&f1, &type, &id), 0);
    assert_int_equal(f1.err, ERR_THRIFT);
    READER(f2, 0x10, 0x00);                                  /* delta 1, type 0 */
    tc_read_struct_begin(&f2);
    assert_int_equal(tc_read_field_begin(&f2, &type, &id), 0);
    assert_int_equal(f2.err, ERR_THRIFT);
    READER(f3, 0x05, 0xFE, 0xFF, 0x03, 0x00, 0x15, 0x00);    /* id 32767, then +1 */
    tc_read_struct_begin(&f3);
    assert_int_equal(tc_read_field_begin(&f3, &type, &id), 1);
    assert_int_equal(id, INT16_MAX);
    assert_int_equal(tc_read_i32(&f3), 0);
    assert_int_equal(tc_read_field_begin(&f3, &type, &id), 0);
    assert_int_equal(f3.err, ERR_THRIFT);
    READER(f4, 0x05, 0x80, 0x80, 0x04, 0x00);                /* id out of i16 */
    tc_read_struct_begin(&f4);
    assert_int_equal(tc_read_field_begin(&f4, &type, &id), 0);
    assert_int_equal(f4.err, ERR_THRIFT);
    READER(f5, 0x15);                                        /* no STOP */
    tc_read_struct_begin(&f5);
    assert_int_equal(tc_read_field_begin(&f5, &type, &id), 1);
    assert_int_equal(tc_read_field_begin(&f5, &type, &id), 0);
    assert_int_equal(f5.err, ERR_TRUNCATED);
    READER(f6, 0x19, 0x1D);                                  /* list of 1 uuid, no body */
    tc_read_struct_begin(&f6);
    assert_int_equal(tc_read_field_begin(&f6, &type, &id), 1);
    tc_skip(&f6, type);
    assert_int_equal(f6.err, ERR_TOOBIG);
}

/* D nested structs (each the field 1 of its parent) or D nested lists. */
static uint8_t *nest(int d, int lists, size_t *n) {
    uint8_t *p = malloc((size_t)2 * d);
    size_t k = 0;
    assert_non_null(p);
    for (int i = 0; i < d - 1; i++)
        p[k++] = lists ? 0x19 : 0x1C;
    if (lists) {
        p[k++] = 0x09;
    } else {
        for (int i = 0; i < d; i++)
            p[k++] = 0x00;
    }
    *n = k;
    return p;
}

static void test_depth(void **state) {
    (void)state;
    for (int lists = 0; lists < 2; lists++) {
        size_t n;
        struct tc_reader r;
        uint8_t *p = nest(TC_MAX_DEPTH, lists, &n);
        tc_reader_init(&r, p, n);
        tc_skip(&r, lists ? TC_LIST : TC_STRUCT);
        assert_int_equal(r.err, ERR_OK);
        assert_ptr_equal(r.p, r.end);
        assert_int_equal(r.depth, 0);
        free(p);

        p = nest(TC_MAX_DEPTH + 1, lists, &n);
        tc_reader_init(&r, p, n);
        tc_skip(&r, lists ? TC_LIST : TC_STRUCT);
        assert_int_equal(r.err, ERR_DEPTH);
        free(p);

        p = nest(100000, lists, &n);
        tc_reader_init(&r, p, n);
        tc_skip(&r, lists ? TC_LIST : TC_STRUCT);
        assert_int_equal(r.err, ERR_DEPTH);
        free(p);
    }

    struct tc_reader r;
    tc_reader_init(&r, "", 0);
    for (int i = 0; i < TC_MAX_DEPTH; i++)
        tc_read_struct_begin(&r);
    assert_int_equal(r.err, ERR_OK);
    tc_read_struct_begin(&r);
    assert_int_equal(r.err, ERR_DEPTH);
}

/* A struct holding one field of every type, maps and sets included, then
   field 99 of the enclosing struct. */
static void put_every_type(struct tc_writer *w) {
    tc_write_struct_begin(w);
    tc_field_bool(w, 1, 1);
    tc_field_bool(w, 2, 0);
    tc_field_begin(w, TC_BYTE, 3);
    tc_write_byte(w, -1);
    tc_field_begin(w, TC_I16, 4);
    tc_write_i16(w, -300);
    tc_field_i32(w, 5, 1 << 30);
    tc_field_i64(w, 6, INT64_MIN);
    tc_field_double(w, 7, 3.25);
    tc_field_string(w, 8, "binary");
    tc_field_list_begin(w, 9, TC_LIST, 2);          /* list<list<i64>> */
    tc_write_list_begin(w, TC_I64, 2);
    tc_write_i64(w, 1);
    tc_write_i64(w, -1);
    tc_write_list_begin(w, TC_I64, 0);
    tc_field_begin(w, TC_SET, 10);                  /* set<string> */
    tc_write_list_begin(w, TC_BINARY, 16);
    for (int i = 0; i < 16; i++)
        tc_write_binary(w, "s", 1);
    tc_field_begin(w, TC_MAP, 11);                  /* map<i32, struct> */
    tc_write_varint(w, 2);
    tc_write_byte(w, (TC_I32 << 4) | TC_STRUCT);
    for (int i = 0; i < 2; i++) {
        tc_write_i32(w, i);
        tc_write_struct_begin(w);
        tc_field_string(w, 1, "v");
        tc_field_bool(w, 2, 1);
        tc_write_struct_end(w);
    }
    tc_field_begin(w, TC_MAP, 12);                  /* empty map */
    tc_write_varint(w, 0);
    tc_field_begin(w, TC_MAP, 13);                  /* map<bool, list<bool>> */
    tc_write_varint(w, 1);
    tc_write_byte(w, (TC_BOOL_TRUE << 4) | TC_LIST);
    tc_write_bool(w, 0);
    tc_write_list_begin(w, TC_BOOL, 2);
    tc_write_bool(w, 1);
    tc_write_bool(w, 0);
    tc_field_begin(w, 13, 14);                      /* uuid */
    for (int i = 0; i < 16; i++)
        tc_write_byte(w, (int8_t)i);
    tc_field_list_begin(w, 15, TC_DOUBLE, 1);
    tc_write_double(w, 1.5);
    tc_field_struct_begin(w, 40);
    tc_field_list_begin(w, 1, TC_STRUCT, 1);
    tc_write_struct_begin(w);
    tc_write_struct_end(w);
    tc_write_struct_end(w);
    tc_write_struct_end(w);
}

static void test_skip(void **state) {
    (void)state;
    struct tc_writer w;
    tc_writer_init(&w, pool);
    tc_write_struct_begin(&w);
    tc_field_begin(&w, TC_STRUCT, 1);
    put_every_type(&w);
    tc_field_i32(&w, 99, 42);
    tc_write_struct_end(&w);
    assert_int_equal(w.err, ERR_OK);

    struct tc_reader r;
    int type;
    int16_t id;
    tc_reader_init(&r, w.buf, w.len);
    tc_read_struct_begin(&r);
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 1 && type == TC_STRUCT);
    tc_skip(&r, type);
    assert_int_equal(r.err, ERR_OK);
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 99 && type == TC_I32);
    assert_int_equal(tc_read_i32(&r), 42);
    assert_int_equal(tc_read_field_begin(&r, &type, &id), 0);
    tc_read_struct_end(&r);
    assert_int_equal(r.err, ERR_OK);
    assert_ptr_equal(r.p, r.end);

    /* Field by field: each skip lands on the next header. */
    tc_reader_init(&r, w.buf, w.len);
    tc_read_struct_begin(&r);
    assert_true(tc_read_field_begin(&r, &type, &id) && id == 1);
    tc_read_struct_begin(&r);
    int count = 0;
    int16_t last = 0;
    while (tc_read_field_begin(&r, &type, &id)) {
        assert_true(id > last);
        last = id;
        tc_skip(&r, type);
        count++;
    }
    tc_read_struct_end(&r);
    assert_int_equal(count, 16);
    assert_int_equal(r.err, ERR_OK);

    /* Every strict prefix fails, never reading past the copy. */
    for (size_t k = 0; k < w.len; k++) {
        uint8_t *p = malloc(k ? k : 1);
        assert_non_null(p);
        memcpy(p, w.buf, k);
        tc_reader_init(&r, p, k);
        tc_skip(&r, TC_STRUCT);
        assert_int_not_equal(r.err, ERR_OK);
        free(p);
    }
    tc_writer_free(&w);

    READER(m1, 0x02, 0xE5, 0x00, 0x00, 0x00, 0x00);     /* key type 14 */
    tc_skip(&m1, TC_MAP);
    assert_int_equal(m1.err, ERR_THRIFT);
    READER(m2, 0x03, 0x55, 0x00, 0x00, 0x00, 0x00);     /* 3 pairs in 4 bytes */
    tc_skip(&m2, TC_MAP);
    assert_int_equal(m2.err, ERR_TOOBIG);
    READER(m3, 0x01, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); /* 15 < 16 */
    tc_skip(&m3, TC_MAP);
    assert_int_equal(m3.err, ERR_TOOBIG);
    READER(m4, 0x00);
    tc_skip(&m4, TC_MAP);
    assert_int_equal(m4.err, ERR_OK);
    assert_ptr_equal(m4.p, m4.end);
    READER(s1, 0x00);
    tc_skip(&s1, TC_STOP);
    assert_int_equal(s1.err, ERR_THRIFT);
    READER(s2, 0x00);
    tc_skip(&s2, TC_BOOL_TRUE);                     /* a bool field has no body */
    assert_int_equal(s2.err, ERR_OK);
    assert_ptr_equal(s2.p, s2_in_);
}

static void test_sticky_reader(void **state) {
    (void)state;
    int type = 5;
    int16_t id = 5;
    size_t n = 5;
    READER(r, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
           0x15, 0x02, 0x03, 'a', 'b', 'c', 0x00);
    assert_true(tc_read_varint(&r) == 0);
    assert_int_equal(r.err, ERR_THRIFT);
    const uint8_t *at = r.p;
    tc_read_struct_begin(&r);
    assert_int_equal(tc_read_field_begin(&r, &type, &id), 0);
    assert_int_equal(type, TC_STOP);
    assert_int_equal(id, 0);
    assert_int_equal(tc_read_byte(&r), 0);
    assert_int_equal(tc_read_i16(&r), 0);
    assert_int_equal(tc_read_i32(&r), 0);
    assert_true(tc_read_i64(&r) == 0);
    assert_true(tc_read_double(&r) == 0.0);
    assert_int_equal(tc_read_bool(&r), 0);
    assert_int_equal(tc_read_bool_field(&r, TC_BOOL_TRUE), 0);
    assert_null(tc_read_binary(&r, &n));
    assert_int_equal(n, 0);
    assert_int_equal(tc_read_list_begin(&r, &type), 0);
    tc_skip(&r, TC_STRUCT);
    tc_skip(&r, 14);                                /* would be ERR_THRIFT anyway */
    tc_read_struct_end(&r);                         /* would be ERR_INTERNAL */
    assert_ptr_equal(r.p, at);
    assert_int_equal(r.err, ERR_THRIFT);

    READER(t, 0x15);                                /* the first error stays */
    tc_read_struct_begin(&t);
    assert_int_equal(tc_read_field_begin(&t, &type, &id), 1);
    (void)tc_read_i32(&t);
    assert_int_equal(t.err, ERR_TRUNCATED);
    tc_skip(&t, 15);
    assert_int_equal(t.err, ERR_TRUNCATED);
}

/* ---- pqmeta round trips ---- */

#define NCOL 10

struct sample {
    struct pq_file_meta m;
    struct pq_schema_element schema[NCOL + 1];
    struct pq_row_group rg[2];
    struct pq_column_chunk cc[2][NCOL];
    int encodings[4];
    struct pq_bytes path[NCOL];
    struct pq_key_value kv[2], col_kv[1];
    struct pq_page_encoding_stats es[2];
    int orders[NCOL];
    uint8_t minv[2][NCOL][8], maxv[2][NCOL][8];
};

static void leaf(struct pq_schema_element *e, const char *name, int type, int rep) {
    e->name = bytes_of(name);
    e->has_type = 1;
    e->type = type;
    e->has_repetition_type = 1;
    e->repetition_type = rep;
}

static void build_sample(struct sample *s) {
    memset(s, 0, sizeof(*s));
    struct pq_schema_element *e = s->schema;
    e[0].name = bytes_of("schema");
    e[0].has_num_children = 1;
    e[0].num_children = NCOL;
    leaf(&e[1], "name", PQ_BYTE_ARRAY, PQ_OPTIONAL);
    e[1].has_converted_type = 1;
    e[1].converted_type = PQ_CT_UTF8;
    e[1].logical.kind = PQ_LT_STRING;
    leaf(&e[2], "id", PQ_INT64, PQ_REQUIRED);
    e[2].has_field_id = 1;
    e[2].field_id = 7;
    leaf(&e[3], "score", PQ_DOUBLE, PQ_OPTIONAL);
    leaf(&e[4], "day", PQ_INT32, PQ_OPTIONAL);
    e[4].has_converted_type = 1;
    e[4].converted_type = PQ_CT_DATE;
    e[4].logical.kind = PQ_LT_DATE;
    leaf(&e[5], "ts_utc", PQ_INT64, PQ_OPTIONAL);
    e[5].has_converted_type = 1;
    e[5].converted_type = PQ_CT_TIMESTAMP_MICROS;
    e[5].logical.kind = PQ_LT_TIMESTAMP;
    e[5].logical.is_adjusted_to_utc = 1;
    e[5].logical.unit = PQ_MICROS;
    leaf(&e[6], "ts_local", PQ_INT64, PQ_OPTIONAL);
    e[6].logical.kind = PQ_LT_TIMESTAMP;
    e[6].logical.is_adjusted_to_utc = 0;
    e[6].logical.unit = PQ_MICROS;
    leaf(&e[7], "price", PQ_FIXED_LEN_BYTE_ARRAY, PQ_OPTIONAL);
    e[7].has_type_length = 1;
    e[7].type_length = 9;
    e[7].has_converted_type = 1;
    e[7].converted_type = PQ_CT_DECIMAL;
    e[7].has_scale = 1;
    e[7].scale = 2;
    e[7].has_precision = 1;
    e[7].precision = 20;
    e[7].logical.kind = PQ_LT_DECIMAL;
    e[7].logical.scale = 2;
    e[7].logical.precision = 20;
    leaf(&e[8], "small", PQ_INT32, PQ_OPTIONAL);
    e[8].has_converted_type = 1;
    e[8].converted_type = PQ_CT_INT_16;
    e[8].logical.kind = PQ_LT_INTEGER;
    e[8].logical.bit_width = 16;
    e[8].logical.is_signed = 1;
    leaf(&e[9], "tiny", PQ_INT32, PQ_OPTIONAL);
    e[9].has_converted_type = 1;
    e[9].converted_type = PQ_CT_UINT_8;
    e[9].logical.kind = PQ_LT_INTEGER;
    e[9].logical.bit_width = 8;
    e[9].logical.is_signed = 0;
    leaf(&e[10], "clock", PQ_INT64, PQ_OPTIONAL);
    e[10].logical.kind = PQ_LT_TIME;
    e[10].logical.is_adjusted_to_utc = 1;
    e[10].logical.unit = PQ_NANOS;

    s->encodings[0] = PQ_ENC_PLAIN;
    s->encodings[1] = PQ_ENC_RLE;
    s->encodings[2] = PQ_ENC_RLE_DICTIONARY;
    s->encodings[3] = 42;                         /* unknown: kept */
    s->es[0] = (struct pq_page_encoding_stats){ PQ_DICTIONARY_PAGE, PQ_ENC_PLAIN, 1 };
    s->es[1] = (struct pq_page_encoding_stats){ PQ_DATA_PAGE, PQ_ENC_RLE_DICTIONARY, 12 };
    s->col_kv[0].key = bytes_of("col.key");
    s->col_kv[0].value = bytes_of("col.value");
    s->col_kv[0].has_value = 1;

    for (int g = 0; g < 2; g++) {
        struct pq_row_group *rg = &s->rg[g];
        rg->columns = s->cc[g];
        rg->n_columns = NCOL;
        rg->total_byte_size = 123456 + g;
        rg->num_rows = 1000 + g;
        rg->has_file_offset = 1;
        rg->file_offset = 4 + 100000 * g;
        rg->has_total_compressed_size = g == 1;
        rg->total_compressed_size = g == 1 ? 77777 : 0;
        rg->has_ordinal = 1;
        rg->ordinal = (int16_t)g;
        for (int c = 0; c < NCOL; c++) {
            struct pq_column_chunk *cc = &s->cc[g][c];
            struct pq_column_meta *cm = &cc->meta_data;
            struct pq_statistics *st = &cm->statistics;
            s->path[c] = e[c + 1].name;
            cc->file_offset = 1000 * c + 100000 * g + 4;
            cc->has_meta_data = 1;
            cm->type = e[c + 1].type;
            cm->encodings = s->encodings;
            cm->n_encodings = 4;
            cm->path_in_schema = &s->path[c];
            cm->n_path = 1;
            cm->codec = g ? CODEC_ZSTD : CODEC_SNAPPY;
            cm->num_values = 1000 + g;
            cm->total_uncompressed_size = 5000 + c;
            cm->total_compressed_size = 3000 + c;
            cm->data_page_offset = cc->file_offset + 50;
            if (c % 2 == 0) {
                cm->has_dictionary_page_offset = 1;
                cm->dictionary_page_offset = cc->file_offset;
            }
            if (c == 5) {
                cm->has_index_page_offset = 1;
                cm->index_page_offset = 99;
            }
            if (c == 1) {
                cm->encoding_stats = s->es;
                cm->n_encoding_stats = 2;
            }
            if (c == 2) {
                cm->key_value_metadata = s->col_kv;
                cm->n_key_value_metadata = 1;
            }
            if (c == 3) {
                cc->has_file_path = 1;
                cc->file_path = bytes_of("part-0.parquet");
            }
            if (c == 4) {
                cc->has_offset_index = 1;
                cc->offset_index_offset = INT64_MAX - 5;
                cc->offset_index_length = 321;
                cc->has_column_index = 1;
                cc->column_index_offset = 1LL << 40;
                cc->column_index_length = 0;
            }
            cm->has_statistics = c != 6;
            if (!cm->has_statistics)
                continue;
            for (int i = 0; i < 8; i++) {
                s->minv[g][c][i] = (uint8_t)(g * 16 + c + i);
                s->maxv[g][c][i] = (uint8_t)(0xF0 - g * 16 - c - i);
            }
            st->has_min_value = st->has_max_value = 1;
            st->min_value.p = s->minv[g][c];
            st->min_value.n = c == 0 ? 0 : 8;      /* an empty string min */
            st->max_value.p = s->maxv[g][c];
            st->max_value.n = 8;
            st->has_null_count = 1;
            st->null_count = 3 * g + c;
            st->has_distinct_count = c % 3 == 0;
            st->distinct_count = c % 3 == 0 ? 500 - c : 0;
            st->has_is_min_value_exact = st->has_is_max_value_exact = c % 2;
            st->is_min_value_exact = c % 2 && c % 4 == 1;
            st->is_max_value_exact = c % 2 && c % 4 == 3;
            if (c == 0) {
                st->has_min = st->has_max = 1;
                st->min = st->min_value;
                st->max = st->max_value;
            }
            if (c == 2) {
                st->has_nan_count = 1;
                st->nan_count = 17;
            }
        }
    }

    s->kv[0].key = bytes_of("writer");
    s->kv[0].value = bytes_of("csv2pq");
    s->kv[0].has_value = 1;
    s->kv[1].key = bytes_of("novalue");
    for (int c = 0; c < NCOL; c++)
        s->orders[c] = c == 2 ? 2 : 1;

    s->m.version = 2;
    s->m.schema = s->schema;
    s->m.n_schema = NCOL + 1;
    s->m.num_rows = 2001;
    s->m.row_groups = s->rg;
    s->m.n_row_groups = 2;
    s->m.key_value_metadata = s->kv;
    s->m.n_key_value_metadata = 2;
    s->m.has_created_by = 1;
    s->m.created_by = bytes_of("csv2pq version 0.1.0");
    s->m.column_orders = s->orders;
    s->m.n_column_orders = NCOL;
}

static void eq_bytes(const struct pq_bytes *a, const struct pq_bytes *b) {
    assert_int_equal(a->n, b->n);
    if (a->n)
        assert_memory_equal(a->p, b->p, a->n);
}

static void eq_statistics(const struct pq_statistics *a, const struct pq_statistics *b) {
    assert_int_equal(a->has_min_value, b->has_min_value);
    assert_int_equal(a->has_max_value, b->has_max_value);
    assert_int_equal(a->has_null_count, b->has_null_count);
    assert_int_equal(a->has_distinct_count, b->has_distinct_count);
    assert_int_equal(a->has_min, b->has_min);
    assert_int_equal(a->has_max, b->has_max);
    assert_int_equal(a->has_is_min_value_exact, b->has_is_min_value_exact);
    assert_int_equal(a->has_is_max_value_exact, b->has_is_max_value_exact);
    assert_int_equal(a->has_nan_count, b->has_nan_count);
    eq_bytes(&a->min_value, &b->min_value);
    eq_bytes(&a->max_value, &b->max_value);
    eq_bytes(&a->min, &b->min);
    eq_bytes(&a->max, &b->max);
    assert_true(a->null_count == b->null_count);
    assert_true(a->distinct_count == b->distinct_count);
    assert_true(a->nan_count == b->nan_count);
    assert_int_equal(a->is_min_value_exact, b->is_min_value_exact);
    assert_int_equal(a->is_max_value_exact, b->is_max_value_exact);
}

static void eq_key_values(const struct pq_key_value *a, uint32_t na,
                          const struct pq_key_value *b, uint32_t nb) {
    assert_int_equal(na, nb);
    assert_int_equal(a == NULL, b == NULL);
    for (uint32_t i = 0; i < na; i++) {
        eq_bytes(&a[i].key, &b[i].key);
        assert_int_equal(a[i].has_value, b[i].has_value);
        eq_bytes(&a[i].value, &b[i].value);
    }
}

static void eq_schema_element(const struct pq_schema_element *a,
                              const struct pq_schema_element *b) {
    eq_bytes(&a->name, &b->name);
    assert_int_equal(a->has_type, b->has_type);
    assert_int_equal(a->has_type_length, b->has_type_length);
    assert_int_equal(a->has_repetition_type, b->has_repetition_type);
    assert_int_equal(a->has_num_children, b->has_num_children);
    assert_int_equal(a->has_converted_type, b->has_converted_type);
    assert_int_equal(a->has_scale, b->has_scale);
    assert_int_equal(a->has_precision, b->has_precision);
    assert_int_equal(a->has_field_id, b->has_field_id);
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->type_length, b->type_length);
    assert_int_equal(a->repetition_type, b->repetition_type);
    assert_int_equal(a->num_children, b->num_children);
    assert_int_equal(a->converted_type, b->converted_type);
    assert_int_equal(a->scale, b->scale);
    assert_int_equal(a->precision, b->precision);
    assert_int_equal(a->field_id, b->field_id);
    assert_int_equal(a->logical.kind, b->logical.kind);
    assert_int_equal(a->logical.scale, b->logical.scale);
    assert_int_equal(a->logical.precision, b->logical.precision);
    assert_int_equal(a->logical.is_adjusted_to_utc, b->logical.is_adjusted_to_utc);
    assert_int_equal(a->logical.unit, b->logical.unit);
    assert_int_equal(a->logical.bit_width, b->logical.bit_width);
    assert_int_equal(a->logical.is_signed, b->logical.is_signed);
}

static void eq_column_chunk(const struct pq_column_chunk *a, const struct pq_column_chunk *b) {
    assert_int_equal(a->has_file_path, b->has_file_path);
    assert_int_equal(a->has_meta_data, b->has_meta_data);
    assert_int_equal(a->is_encrypted, b->is_encrypted);
    eq_bytes(&a->file_path, &b->file_path);
    assert_true(a->file_offset == b->file_offset);
    assert_int_equal(a->has_offset_index, b->has_offset_index);
    assert_int_equal(a->has_column_index, b->has_column_index);
    assert_true(a->offset_index_offset == b->offset_index_offset);
    assert_true(a->column_index_offset == b->column_index_offset);
    assert_int_equal(a->offset_index_length, b->offset_index_length);
    assert_int_equal(a->column_index_length, b->column_index_length);

    const struct pq_column_meta *x = &a->meta_data, *y = &b->meta_data;
    assert_int_equal(x->type, y->type);
    assert_int_equal(x->n_encodings, y->n_encodings);
    for (uint32_t i = 0; i < x->n_encodings; i++)
        assert_int_equal(x->encodings[i], y->encodings[i]);
    assert_int_equal(x->n_path, y->n_path);
    for (uint32_t i = 0; i < x->n_path; i++)
        eq_bytes(&x->path_in_schema[i], &y->path_in_schema[i]);
    assert_int_equal(x->codec, y->codec);
    assert_true(x->num_values == y->num_values);
    assert_true(x->total_uncompressed_size == y->total_uncompressed_size);
    assert_true(x->total_compressed_size == y->total_compressed_size);
    assert_true(x->data_page_offset == y->data_page_offset);
    assert_int_equal(x->has_index_page_offset, y->has_index_page_offset);
    assert_int_equal(x->has_dictionary_page_offset, y->has_dictionary_page_offset);
    assert_int_equal(x->has_statistics, y->has_statistics);
    assert_true(x->index_page_offset == y->index_page_offset);
    assert_true(x->dictionary_page_offset == y->dictionary_page_offset);
    eq_statistics(&x->statistics, &y->statistics);
    assert_int_equal(x->n_encoding_stats, y->n_encoding_stats);
    assert_int_equal(x->encoding_stats == NULL, y->encoding_stats == NULL);
    for (uint32_t i = 0; i < x->n_encoding_stats; i++) {
        assert_int_equal(x->encoding_stats[i].page_type, y->encoding_stats[i].page_type);
        assert_int_equal(x->encoding_stats[i].encoding, y->encoding_stats[i].encoding);
        assert_int_equal(x->encoding_stats[i].count, y->encoding_stats[i].count);
    }
    eq_key_values(x->key_value_metadata, x->n_key_value_metadata,
                  y->key_value_metadata, y->n_key_value_metadata);
}

static void eq_file_meta(const struct pq_file_meta *a, const struct pq_file_meta *b) {
    assert_int_equal(a->version, b->version);
    assert_true(a->num_rows == b->num_rows);
    assert_int_equal(a->n_schema, b->n_schema);
    for (uint32_t i = 0; i < a->n_schema; i++)
        eq_schema_element(&a->schema[i], &b->schema[i]);
    assert_int_equal(a->n_row_groups, b->n_row_groups);
    for (uint32_t g = 0; g < a->n_row_groups; g++) {
        const struct pq_row_group *x = &a->row_groups[g], *y = &b->row_groups[g];
        assert_true(x->total_byte_size == y->total_byte_size);
        assert_true(x->num_rows == y->num_rows);
        assert_int_equal(x->has_file_offset, y->has_file_offset);
        assert_int_equal(x->has_total_compressed_size, y->has_total_compressed_size);
        assert_int_equal(x->has_ordinal, y->has_ordinal);
        assert_true(x->file_offset == y->file_offset);
        assert_true(x->total_compressed_size == y->total_compressed_size);
        assert_int_equal(x->ordinal, y->ordinal);
        assert_int_equal(x->n_columns, y->n_columns);
        for (uint32_t c = 0; c < x->n_columns; c++)
            eq_column_chunk(&x->columns[c], &y->columns[c]);
    }
    eq_key_values(a->key_value_metadata, a->n_key_value_metadata,
                  b->key_value_metadata, b->n_key_value_metadata);
    assert_int_equal(a->has_created_by, b->has_created_by);
    eq_bytes(&a->created_by, &b->created_by);
    assert_int_equal(a->n_column_orders, b->n_column_orders);
    assert_int_equal(a->column_orders == NULL, b->column_orders == NULL);
    for (uint32_t i = 0; i < a->n_column_orders; i++)
        assert_int_equal(a->column_orders[i], b->column_orders[i]);
}

static void test_file_meta_roundtrip(void **state) {
    (void)state;
    static struct sample s;
    struct tc_writer w;
    struct tc_reader r;
    struct pq_file_meta m;
    build_sample(&s);
    tc_writer_init(&w, pool);
    pqm_encode_file_meta(&w, &s.m);
    assert_int_equal(w.err, ERR_OK);
    assert_int_equal(w.depth, 0);

    tc_reader_init(&r, w.buf, w.len);
    assert_int_equal(pqm_decode_file_meta(&r, pool, &m), ERR_OK);
    assert_ptr_equal(r.p, r.end);
    assert_int_equal(r.depth, 0);
    eq_file_meta(&s.m, &m);
    /* Spot checks that do not rely on the comparison above. */
    assert_int_equal(m.schema[7].logical.kind, PQ_LT_DECIMAL);
    assert_int_equal(m.schema[7].logical.precision, 20);
    assert_int_equal(m.schema[6].logical.is_adjusted_to_utc, 0);
    assert_int_equal(m.schema[5].logical.is_adjusted_to_utc, 1);
    assert_int_equal(m.schema[10].logical.unit, PQ_NANOS);
    assert_int_equal(m.row_groups[1].columns[9].meta_data.encodings[3], 42);
    assert_int_equal(m.column_orders[2], 2);
    assert_null(m.row_groups[0].columns[0].meta_data.encoding_stats);
    assert_memory_equal(m.created_by.p, "csv2pq version 0.1.0", 20);
    pqm_free_file_meta(pool, &m);
    assert_null(m.schema);
    assert_int_equal(pool_live(pool), 1);           /* only w.buf */

    /* Row groups encoded one at a time and spliced in: the same bytes. */
    {
        struct tc_writer rgw, whole;
        tc_writer_init(&rgw, pool);
        for (uint32_t g = 0; g < s.m.n_row_groups; g++)
            pqm_encode_row_group(&rgw, &s.m.row_groups[g]);
        assert_int_equal(rgw.err, ERR_OK);
        assert_int_equal(rgw.depth, 0);
        struct pq_file_meta spliced = s.m;
        spliced.row_groups = NULL;
        spliced.row_groups_encoded = rgw.buf;
        spliced.row_groups_encoded_len = rgw.len;
        tc_writer_init(&whole, pool);
        pqm_encode_file_meta(&whole, &spliced);
        assert_int_equal(whole.err, ERR_OK);
        assert_int_equal(whole.len, w.len);
        assert_memory_equal(whole.buf, w.buf, w.len);
        tc_writer_free(&whole);
        tc_writer_free(&rgw);
    }

    /* Optional lists left out stay out. */
    s.m.key_value_metadata = NULL;
    s.m.n_key_value_metadata = 0;
    s.m.column_orders = NULL;
    s.m.n_column_orders = 0;
    s.m.has_created_by = 0;
    s.m.created_by.p = NULL;
    s.m.created_by.n = 0;
    w.len = 0;
    pqm_encode_file_meta(&w, &s.m);
    tc_reader_init(&r, w.buf, w.len);
    assert_int_equal(pqm_decode_file_meta(&r, pool, &m), ERR_OK);
    eq_file_meta(&s.m, &m);
    assert_null(m.column_orders);
    assert_null(m.key_value_metadata);
    pqm_free_file_meta(pool, &m);

    /* Empty optional list present: non-NULL, count 0. */
    s.m.column_orders = s.orders;
    w.len = 0;
    pqm_encode_file_meta(&w, &s.m);
    tc_reader_init(&r, w.buf, w.len);
    assert_int_equal(pqm_decode_file_meta(&r, pool, &m), ERR_OK);
    assert_non_null(m.column_orders);
    assert_int_equal(m.n_column_orders, 0);
    pqm_free_file_meta(pool, &m);
    tc_writer_free(&w);
    assert_int_equal(pool_live(pool), 0);
}

/* Every field csv2pq keeps, written once through pqm_encode_file_meta()
   and once by hand with the field ids of parquet.thrift: the bytes must be
   the same, and decoding must give the struct back. */
static void test_file_meta_field_ids(void **state) {
    (void)state;
    struct pq_schema_element e[4];
    struct pq_column_chunk cc;
    struct pq_row_group rg;
    struct pq_key_value kv = { { (const uint8_t *)"k", 1 }, { NULL, 0 }, 0 };
    struct pq_key_value ckv = { { (const uint8_t *)"a", 1 }, { (const uint8_t *)"b", 1 }, 1 };
    struct pq_page_encoding_stats es = { PQ_DATA_PAGE, PQ_ENC_RLE_DICTIONARY, 2 };
    struct pq_bytes path = { (const uint8_t *)"d", 1 };
    int encodings[2] = { PQ_ENC_PLAIN, PQ_ENC_RLE };
    int orders[1] = { 1 };
    struct pq_file_meta m;

    memset(e, 0, sizeof e);
    e[0].name = bytes_of("root");
    e[0].has_num_children = 1;
    e[0].num_children = 3;
    leaf(&e[1], "d", PQ_FIXED_LEN_BYTE_ARRAY, PQ_OPTIONAL);
    e[1].has_type_length = 1;
    e[1].type_length = 16;
    e[1].has_converted_type = 1;
    e[1].converted_type = PQ_CT_DECIMAL;
    e[1].has_scale = 1;
    e[1].scale = 3;
    e[1].has_precision = 1;
    e[1].precision = 30;
    e[1].has_field_id = 1;
    e[1].field_id = 9;
    e[1].logical.kind = PQ_LT_DECIMAL;
    e[1].logical.scale = 3;
    e[1].logical.precision = 30;
    leaf(&e[2], "i", PQ_INT32, PQ_REQUIRED);
    e[2].logical.kind = PQ_LT_INTEGER;
    e[2].logical.bit_width = 32;
    e[2].logical.is_signed = 1;
    leaf(&e[3], "t", PQ_INT64, PQ_REPEATED);
    e[3].logical.kind = PQ_LT_TIME;
    e[3].logical.is_adjusted_to_utc = 0;
    e[3].logical.unit = PQ_MILLIS;

    memset(&cc, 0, sizeof cc);
    cc.has_file_path = 1;
    cc.file_path = bytes_of("f");
    cc.file_offset = 4;
    cc.has_meta_data = 1;
    cc.meta_data.type = PQ_FIXED_LEN_BYTE_ARRAY;
    cc.meta_data.encodings = encodings;
    cc.meta_data.n_encodings = 2;
    cc.meta_data.path_in_schema = &path;
    cc.meta_data.n_path = 1;
    cc.meta_data.codec = CODEC_ZSTD;
    cc.meta_data.num_values = 10;
    cc.meta_data.total_uncompressed_size = 100;
    cc.meta_data.total_compressed_size = 80;
    cc.meta_data.key_value_metadata = &ckv;
    cc.meta_data.n_key_value_metadata = 1;
    cc.meta_data.data_page_offset = 30;
    cc.meta_data.has_index_page_offset = 1;
    cc.meta_data.index_page_offset = 20;
    cc.meta_data.has_dictionary_page_offset = 1;
    cc.meta_data.dictionary_page_offset = 4;
    cc.meta_data.has_statistics = 1;
    struct pq_statistics *st = &cc.meta_data.statistics;
    st->has_max = st->has_min = st->has_null_count = st->has_distinct_count = 1;
    st->has_max_value = st->has_min_value = 1;
    st->has_is_max_value_exact = st->has_is_min_value_exact = st->has_nan_count = 1;
    st->max = bytes_of("M");
    st->min = bytes_of("m");
    st->null_count = 1;
    st->distinct_count = 2;
    st->max_value = bytes_of("MV");
    st->min_value = bytes_of("mv");
    st->is_max_value_exact = 1;
    st->is_min_value_exact = 0;
    st->nan_count = 3;
    cc.meta_data.encoding_stats = &es;
    cc.meta_data.n_encoding_stats = 1;
    cc.has_offset_index = 1;
    cc.offset_index_offset = 500;
    cc.offset_index_length = 10;
    cc.has_column_index = 1;
    cc.column_index_offset = 510;
    cc.column_index_length = 12;

    memset(&rg, 0, sizeof rg);
    rg.columns = &cc;
    rg.n_columns = 1;
    rg.total_byte_size = 100;
    rg.num_rows = 10;
    rg.has_file_offset = 1;
    rg.file_offset = 4;
    rg.has_total_compressed_size = 1;
    rg.total_compressed_size = 80;
    rg.has_ordinal = 1;
    rg.ordinal = 0;

    memset(&m, 0, sizeof m);
    m.version = 2;
    m.schema = e;
    m.n_schema = 4;
    m.num_rows = 10;
    m.row_groups = &rg;
    m.n_row_groups = 1;
    m.key_value_metadata = &kv;
    m.n_key_value_metadata = 1;
    m.has_created_by = 1;
    m.created_by = bytes_of("me");
    m.column_orders = orders;
    m.n_column_orders = 1;

    struct tc_writer a, b;
    tc_writer_init(&a, pool);
    pqm_encode_file_meta(&a, &m);
    tc_writer_init(&b, pool);
    tc_write_struct_begin(&b);                      /* FileMetaData */
    tc_field_i32(&b, 1, 2);
    tc_field_list_begin(&b, 2, TC_STRUCT, 4);
    tc_write_struct_begin(&b);
    tc_field_string(&b, 4, "root");
    tc_field_i32(&b, 5, 3);
    tc_write_struct_end(&b);
    tc_write_struct_begin(&b);                      /* SchemaElement d */
    tc_field_i32(&b, 1, 7);
    tc_field_i32(&b, 2, 16);
    tc_field_i32(&b, 3, 1);
    tc_field_string(&b, 4, "d");
    tc_field_i32(&b, 6, 5);
    tc_field_i32(&b, 7, 3);
    tc_field_i32(&b, 8, 30);
    tc_field_i32(&b, 9, 9);
    tc_field_struct_begin(&b, 10);                  /* LogicalType */
    tc_field_struct_begin(&b, 5);                   /* DECIMAL */
    tc_field_i32(&b, 1, 3);
    tc_field_i32(&b, 2, 30);
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);
    tc_write_struct_begin(&b);                      /* SchemaElement i */
    tc_field_i32(&b, 1, 1);
    tc_field_i32(&b, 3, 0);
    tc_field_string(&b, 4, "i");
    tc_field_struct_begin(&b, 10);
    tc_field_struct_begin(&b, 10);                  /* INTEGER */
    tc_field_begin(&b, TC_BYTE, 1);
    tc_write_byte(&b, 32);
    tc_field_bool(&b, 2, 1);
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);
    tc_write_struct_begin(&b);                      /* SchemaElement t */
    tc_field_i32(&b, 1, 2);
    tc_field_i32(&b, 3, 2);
    tc_field_string(&b, 4, "t");
    tc_field_struct_begin(&b, 10);
    tc_field_struct_begin(&b, 7);                   /* TIME */
    tc_field_bool(&b, 1, 0);
    tc_field_struct_begin(&b, 2);                   /* TimeUnit */
    tc_field_struct_begin(&b, 1);                   /* MILLIS */
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);
    tc_field_i64(&b, 3, 10);
    tc_field_list_begin(&b, 4, TC_STRUCT, 1);
    tc_write_struct_begin(&b);                      /* RowGroup */
    tc_field_list_begin(&b, 1, TC_STRUCT, 1);
    tc_write_struct_begin(&b);                      /* ColumnChunk */
    tc_field_string(&b, 1, "f");
    tc_field_i64(&b, 2, 4);
    tc_field_struct_begin(&b, 3);                   /* ColumnMetaData */
    tc_field_i32(&b, 1, 7);
    tc_field_list_begin(&b, 2, TC_I32, 2);
    tc_write_i32(&b, 0);
    tc_write_i32(&b, 3);
    tc_field_list_begin(&b, 3, TC_BINARY, 1);
    tc_write_binary(&b, "d", 1);
    tc_field_i32(&b, 4, 6);
    tc_field_i64(&b, 5, 10);
    tc_field_i64(&b, 6, 100);
    tc_field_i64(&b, 7, 80);
    tc_field_list_begin(&b, 8, TC_STRUCT, 1);
    tc_write_struct_begin(&b);
    tc_field_string(&b, 1, "a");
    tc_field_string(&b, 2, "b");
    tc_write_struct_end(&b);
    tc_field_i64(&b, 9, 30);
    tc_field_i64(&b, 10, 20);
    tc_field_i64(&b, 11, 4);
    tc_field_struct_begin(&b, 12);                  /* Statistics */
    tc_field_string(&b, 1, "M");
    tc_field_string(&b, 2, "m");
    tc_field_i64(&b, 3, 1);
    tc_field_i64(&b, 4, 2);
    tc_field_string(&b, 5, "MV");
    tc_field_string(&b, 6, "mv");
    tc_field_bool(&b, 7, 1);
    tc_field_bool(&b, 8, 0);
    tc_field_i64(&b, 9, 3);
    tc_write_struct_end(&b);
    tc_field_list_begin(&b, 13, TC_STRUCT, 1);
    tc_write_struct_begin(&b);                      /* PageEncodingStats */
    tc_field_i32(&b, 1, 0);
    tc_field_i32(&b, 2, 8);
    tc_field_i32(&b, 3, 2);
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);
    tc_field_i64(&b, 4, 500);
    tc_field_i32(&b, 5, 10);
    tc_field_i64(&b, 6, 510);
    tc_field_i32(&b, 7, 12);
    tc_write_struct_end(&b);
    tc_field_i64(&b, 2, 100);
    tc_field_i64(&b, 3, 10);
    tc_field_i64(&b, 5, 4);
    tc_field_i64(&b, 6, 80);
    tc_field_begin(&b, TC_I16, 7);
    tc_write_i16(&b, 0);
    tc_write_struct_end(&b);
    tc_field_list_begin(&b, 5, TC_STRUCT, 1);
    tc_write_struct_begin(&b);
    tc_field_string(&b, 1, "k");
    tc_write_struct_end(&b);
    tc_field_string(&b, 6, "me");
    tc_field_list_begin(&b, 7, TC_STRUCT, 1);
    tc_write_struct_begin(&b);                      /* ColumnOrder */
    tc_field_struct_begin(&b, 1);                   /* TYPE_ORDER */
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);
    tc_write_struct_end(&b);

    assert_int_equal(a.err, ERR_OK);
    assert_int_equal(b.err, ERR_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);

    struct tc_reader r;
    struct pq_file_meta d;
    tc_reader_init(&r, b.buf, b.len);
    assert_int_equal(pqm_decode_file_meta(&r, pool, &d), ERR_OK);
    eq_file_meta(&m, &d);
    pqm_free_file_meta(pool, &d);
    tc_writer_free(&a);
    tc_writer_free(&b);
    assert_int_equal(pool_live(pool), 0);
}

static void test_file_meta_truncated_and_mutated(void **state) {
    (void)state;
    static struct sample s;
    struct tc_writer w;
    struct tc_reader r;
    struct pq_file_meta m;
    build_sample(&s);
    tc_writer_init(&w, pool);
    pqm_encode_file_meta(&w, &s.m);
    assert_int_equal(w.err, ERR_OK);
    size_t len = w.len;
    uint8_t *copy = malloc(len);
    assert_non_null(copy);

    for (size_t k = 0; k < len; k++) {
        uint8_t *p = malloc(k ? k : 1);
        assert_non_null(p);
        memcpy(p, w.buf, k);
        tc_reader_init(&r, p, k);
        int err = pqm_decode_file_meta(&r, pool, &m);
        assert_int_not_equal(err, ERR_OK);
        assert_int_equal(err, r.err);
        pqm_free_file_meta(pool, &m);
        free(p);
    }
    assert_int_equal(pool_live(pool), 1);

    /* Single-byte mutations and random multi-byte ones: any result, but
       no crash, no read past the end, and nothing leaked. */
    static const uint8_t subst[] = { 0x00, 0xFF, 0x80, 0x7F, 0x19, 0x1C, 0xF9 };
    for (size_t i = 0; i < len; i++) {
        for (size_t j = 0; j < sizeof subst; j++) {
            memcpy(copy, w.buf, len);
            copy[i] = subst[j];
            tc_reader_init(&r, copy, len);
            (void)pqm_decode_file_meta(&r, pool, &m);
            pqm_free_file_meta(pool, &m);
        }
    }
    uint32_t seed = 12345;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(copy, w.buf, len);
        for (int k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % len;
            seed = seed * 1103515245u + 12345u;
            copy[at] = (uint8_t)(seed >> 16);
        }
        seed = seed * 1103515245u + 12345u;
        size_t cut = len - (seed >> 8) % 16;
        uint8_t *p = malloc(cut);
        assert_non_null(p);
        memcpy(p, copy, cut);
        tc_reader_init(&r, p, cut);
        (void)pqm_decode_file_meta(&r, pool, &m);
        pqm_free_file_meta(pool, &m);
        free(p);
    }
    assert_int_equal(pool_live(pool), 1);
    free(copy);
    tc_writer_free(&w);
}

static void sample_statistics(struct pq_statistics *st) {
    memset(st, 0, sizeof(*st));
    st->has_min_value = st->has_max_value = 1;
    st->min_value = bytes_of("apple");
    st->max_value = bytes_of("pear");
    st->has_null_count = 1;
    st->null_count = 4;
    st->has_distinct_count = 1;
    st->distinct_count = 9;
    st->has_is_min_value_exact = st->has_is_max_value_exact = 1;
    st->is_min_value_exact = 1;
    st->is_max_value_exact = 0;
    st->has_nan_count = 1;
    st->nan_count = 0;
}

static void eq_page_header(const struct pq_page_header *a, const struct pq_page_header *b) {
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->uncompressed_page_size, b->uncompressed_page_size);
    assert_int_equal(a->compressed_page_size, b->compressed_page_size);
    assert_int_equal(a->has_crc, b->has_crc);
    assert_int_equal(a->crc, b->crc);
    assert_int_equal(a->has_data_page_header, b->has_data_page_header);
    assert_int_equal(a->has_dictionary_page_header, b->has_dictionary_page_header);
    assert_int_equal(a->has_data_page_header_v2, b->has_data_page_header_v2);
    if (a->has_data_page_header) {
        const struct pq_data_page_header *x = &a->data_page_header, *y = &b->data_page_header;
        assert_int_equal(x->num_values, y->num_values);
        assert_int_equal(x->encoding, y->encoding);
        assert_int_equal(x->definition_level_encoding, y->definition_level_encoding);
        assert_int_equal(x->repetition_level_encoding, y->repetition_level_encoding);
        assert_int_equal(x->has_statistics, y->has_statistics);
        eq_statistics(&x->statistics, &y->statistics);
    }
    if (a->has_dictionary_page_header) {
        const struct pq_dictionary_page_header *x = &a->dictionary_page_header;
        const struct pq_dictionary_page_header *y = &b->dictionary_page_header;
        assert_int_equal(x->num_values, y->num_values);
        assert_int_equal(x->encoding, y->encoding);
        assert_int_equal(x->has_is_sorted, y->has_is_sorted);
        assert_int_equal(x->is_sorted, y->is_sorted);
    }
    if (a->has_data_page_header_v2) {
        const struct pq_data_page_header_v2 *x = &a->data_page_header_v2;
        const struct pq_data_page_header_v2 *y = &b->data_page_header_v2;
        assert_int_equal(x->num_values, y->num_values);
        assert_int_equal(x->num_nulls, y->num_nulls);
        assert_int_equal(x->num_rows, y->num_rows);
        assert_int_equal(x->encoding, y->encoding);
        assert_int_equal(x->definition_levels_byte_length, y->definition_levels_byte_length);
        assert_int_equal(x->repetition_levels_byte_length, y->repetition_levels_byte_length);
        assert_int_equal(x->is_compressed, y->is_compressed);
        assert_int_equal(x->has_statistics, y->has_statistics);
        eq_statistics(&x->statistics, &y->statistics);
    }
}

/* Encode h, decode it back, compare, and check every strict prefix fails. */
static void page_header_roundtrip(const struct pq_page_header *h) {
    struct tc_writer w;
    struct tc_reader r;
    struct pq_page_header d;
    tc_writer_init(&w, pool);
    pqm_encode_page_header(&w, h);
    assert_int_equal(w.err, ERR_OK);
    tc_reader_init(&r, w.buf, w.len);
    assert_int_equal(pqm_decode_page_header(&r, &d), ERR_OK);
    assert_ptr_equal(r.p, r.end);
    eq_page_header(h, &d);
    for (size_t k = 0; k < w.len; k++) {
        uint8_t *p = malloc(k ? k : 1);
        assert_non_null(p);
        memcpy(p, w.buf, k);
        tc_reader_init(&r, p, k);
        assert_int_not_equal(pqm_decode_page_header(&r, &d), ERR_OK);
        free(p);
    }
    tc_writer_free(&w);
}

static void test_page_header_roundtrip(void **state) {
    (void)state;
    struct pq_page_header h;

    memset(&h, 0, sizeof h);
    h.type = PQ_DATA_PAGE;
    h.uncompressed_page_size = 1 << 20;
    h.compressed_page_size = 54321;
    h.has_crc = 1;
    h.crc = (int32_t)0xDEADBEEF;
    h.has_data_page_header = 1;
    h.data_page_header.num_values = 20000;
    h.data_page_header.encoding = PQ_ENC_RLE_DICTIONARY;
    h.data_page_header.definition_level_encoding = PQ_ENC_RLE;
    h.data_page_header.repetition_level_encoding = PQ_ENC_BIT_PACKED;
    h.data_page_header.has_statistics = 1;
    sample_statistics(&h.data_page_header.statistics);
    page_header_roundtrip(&h);

    memset(&h, 0, sizeof h);
    h.type = PQ_DICTIONARY_PAGE;
    h.uncompressed_page_size = 800;
    h.compressed_page_size = 800;
    h.has_dictionary_page_header = 1;
    h.dictionary_page_header.num_values = 100;
    h.dictionary_page_header.encoding = PQ_ENC_PLAIN;
    h.dictionary_page_header.has_is_sorted = 1;
    h.dictionary_page_header.is_sorted = 1;
    page_header_roundtrip(&h);
    h.dictionary_page_header.has_is_sorted = 0;
    h.dictionary_page_header.is_sorted = 0;
    page_header_roundtrip(&h);

    memset(&h, 0, sizeof h);
    h.type = PQ_DATA_PAGE_V2;
    h.uncompressed_page_size = 4096;
    h.compressed_page_size = 4096;
    h.has_data_page_header_v2 = 1;
    h.data_page_header_v2.num_values = 1000;
    h.data_page_header_v2.num_nulls = 10;
    h.data_page_header_v2.num_rows = 1000;
    h.data_page_header_v2.encoding = PQ_ENC_DELTA_BINARY_PACKED;
    h.data_page_header_v2.definition_levels_byte_length = 130;
    h.data_page_header_v2.repetition_levels_byte_length = 0;
    h.data_page_header_v2.is_compressed = 0;
    h.data_page_header_v2.has_statistics = 1;
    sample_statistics(&h.data_page_header_v2.statistics);
    page_header_roundtrip(&h);
    h.data_page_header_v2.is_compressed = 1;
    h.data_page_header_v2.has_statistics = 0;
    memset(&h.data_page_header_v2.statistics, 0, sizeof h.data_page_header_v2.statistics);
    page_header_roundtrip(&h);
    assert_int_equal(pool_live(pool), 0);
}

static void test_page_header_bytes(void **state) {
    (void)state;
    struct pq_page_header h;
    struct tc_writer w;
    memset(&h, 0, sizeof h);
    h.type = PQ_DATA_PAGE;
    h.uncompressed_page_size = 100;
    h.compressed_page_size = 50;
    h.has_data_page_header = 1;
    h.data_page_header.num_values = 10;
    h.data_page_header.encoding = PQ_ENC_PLAIN;
    h.data_page_header.definition_level_encoding = PQ_ENC_RLE;
    h.data_page_header.repetition_level_encoding = PQ_ENC_RLE;
    tc_writer_init(&w, pool);
    pqm_encode_page_header(&w, &h);
    EXPECT_BYTES(&w,
        0x15, 0x00,                 /* 1: type DATA_PAGE */
        0x15, 0xC8, 0x01,           /* 2: uncompressed 100 */
        0x15, 0x64,                 /* 3: compressed 50 */
        0x2C,                       /* 5: data_page_header */
            0x15, 0x14,             /* num_values 10 */
            0x15, 0x00,             /* PLAIN */
            0x15, 0x06,             /* RLE */
            0x15, 0x06,             /* RLE */
            0x00,
        0x00);

    memset(&h, 0, sizeof h);
    h.type = PQ_DICTIONARY_PAGE;
    h.uncompressed_page_size = 8;
    h.compressed_page_size = 8;
    h.has_crc = 1;
    h.crc = -1;
    h.has_dictionary_page_header = 1;
    h.dictionary_page_header.num_values = 2;
    h.dictionary_page_header.encoding = PQ_ENC_PLAIN_DICTIONARY;
    h.dictionary_page_header.has_is_sorted = 1;
    h.dictionary_page_header.is_sorted = 0;
    w.len = 0;
    pqm_encode_page_header(&w, &h);
    EXPECT_BYTES(&w,
        0x15, 0x04, 0x15, 0x10, 0x15, 0x10, 0x15, 0x01,
        0x3C,                       /* 7: dictionary_page_header */
            0x15, 0x04, 0x15, 0x04, 0x12, 0x00,
        0x00);

    memset(&h, 0, sizeof h);
    h.type = PQ_DATA_PAGE_V2;
    h.uncompressed_page_size = 3;
    h.compressed_page_size = 3;
    h.has_data_page_header_v2 = 1;
    h.data_page_header_v2.num_values = 1;
    h.data_page_header_v2.num_rows = 1;
    h.data_page_header_v2.is_compressed = 0;
    h.data_page_header_v2.has_statistics = 1;
    h.data_page_header_v2.statistics.has_null_count = 1;
    h.data_page_header_v2.statistics.has_is_max_value_exact = 1;
    h.data_page_header_v2.statistics.is_max_value_exact = 1;
    w.len = 0;
    pqm_encode_page_header(&w, &h);
    EXPECT_BYTES(&w,
        0x15, 0x06, 0x15, 0x06, 0x15, 0x06,
        0x5C,                       /* 8: data_page_header_v2 */
            0x15, 0x02, 0x15, 0x00, 0x15, 0x02, 0x15, 0x00,
            0x15, 0x00, 0x15, 0x00,
            0x12,                   /* 7: is_compressed false */
            0x1C,                   /* 8: statistics */
                0x36, 0x00,         /* 3: null_count 0 */
                0x41,               /* 7: is_max_value_exact true */
                0x00,
            0x00,
        0x00);

    /* is_compressed is written when true as well. */
    h.data_page_header_v2.is_compressed = 1;
    h.data_page_header_v2.has_statistics = 0;
    w.len = 0;
    pqm_encode_page_header(&w, &h);
    EXPECT_BYTES(&w,
        0x15, 0x06, 0x15, 0x06, 0x15, 0x06,
        0x5C,
            0x15, 0x02, 0x15, 0x00, 0x15, 0x02, 0x15, 0x00,
            0x15, 0x00, 0x15, 0x00,
            0x11,
            0x00,
        0x00);
    tc_writer_free(&w);
}

/* ---- pqmeta decode validation ---- */

static int decode_page(struct tc_writer *w, struct pq_page_header *h) {
    struct tc_reader r;
    assert_int_equal(w->err, ERR_OK);
    tc_reader_init(&r, w->buf, w->len);
    return pqm_decode_page_header(&r, h);
}

static void test_page_header_validation(void **state) {
    (void)state;
    struct tc_writer w;
    struct pq_page_header h;
    tc_writer_init(&w, pool);

    /* Missing compressed_page_size. */
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, PQ_DICTIONARY_PAGE);
    tc_field_i32(&w, 2, 10);
    tc_write_struct_end(&w);
    assert_int_equal(decode_page(&w, &h), ERR_CORRUPT);

    /* Negative size. */
    w.len = 0;
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, PQ_INDEX_PAGE);
    tc_field_i32(&w, 2, -1);
    tc_field_i32(&w, 3, 0);
    tc_write_struct_end(&w);
    assert_int_equal(decode_page(&w, &h), ERR_CORRUPT);

    /* An index page with its header skipped, unknown fields skipped, no
       v2 header: is_compressed still defaults to 1. */
    w.len = 0;
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, PQ_INDEX_PAGE);
    tc_field_i32(&w, 2, 5);
    tc_field_i32(&w, 3, 5);
    tc_field_struct_begin(&w, 6);
    tc_field_string(&w, 3, "future");
    tc_write_struct_end(&w);
    tc_field_list_begin(&w, 30, TC_DOUBLE, 1);
    tc_write_double(&w, 1.0);
    tc_write_struct_end(&w);
    assert_int_equal(decode_page(&w, &h), ERR_OK);
    assert_int_equal(h.type, PQ_INDEX_PAGE);
    assert_int_equal(h.compressed_page_size, 5);
    assert_int_equal(h.data_page_header_v2.is_compressed, 1);

    /* A data page without its data_page_header. */
    w.len = 0;
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, PQ_DATA_PAGE);
    tc_field_i32(&w, 2, 5);
    tc_field_i32(&w, 3, 5);
    tc_write_struct_end(&w);
    assert_int_equal(decode_page(&w, &h), ERR_CORRUPT);

    /* v2 without is_compressed: defaults to 1. */
    w.len = 0;
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, PQ_DATA_PAGE_V2);
    tc_field_i32(&w, 2, 5);
    tc_field_i32(&w, 3, 5);
    tc_field_struct_begin(&w, 8);
    for (int16_t i = 1; i <= 6; i++)
        tc_field_i32(&w, i, i == 5 ? 5 : i == 6 ? 0 : 1);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    assert_int_equal(decode_page(&w, &h), ERR_OK);
    assert_int_equal(h.data_page_header_v2.is_compressed, 1);
    assert_int_equal(h.data_page_header_v2.definition_levels_byte_length, 5);

    /* v2 levels longer than the page. */
    w.len = 0;
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, PQ_DATA_PAGE_V2);
    tc_field_i32(&w, 2, 5);
    tc_field_i32(&w, 3, 5);
    tc_field_struct_begin(&w, 8);
    for (int16_t i = 1; i <= 6; i++)
        tc_field_i32(&w, i, i >= 5 ? 3 : 1);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    assert_int_equal(decode_page(&w, &h), ERR_CORRUPT);

    /* Negative num_values. */
    w.len = 0;
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, PQ_DATA_PAGE);
    tc_field_i32(&w, 2, 5);
    tc_field_i32(&w, 3, 5);
    tc_field_struct_begin(&w, 5);
    tc_field_i32(&w, 1, -3);
    for (int16_t i = 2; i <= 4; i++)
        tc_field_i32(&w, i, 0);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    assert_int_equal(decode_page(&w, &h), ERR_CORRUPT);

    /* A required field of the wrong wire type is skipped, then missing. */
    w.len = 0;
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, PQ_DICTIONARY_PAGE);
    tc_field_i64(&w, 2, 5);
    tc_field_i32(&w, 3, 5);
    tc_write_struct_end(&w);
    assert_int_equal(decode_page(&w, &h), ERR_CORRUPT);

    /* A repeated field. */
    w.len = 0;
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, PQ_INDEX_PAGE);
    tc_field_i32(&w, 2, 5);
    tc_field_i32(&w, 3, 5);
    tc_field_i32(&w, 3, 5);
    tc_write_struct_end(&w);
    assert_int_equal(decode_page(&w, &h), ERR_THRIFT);

    tc_writer_free(&w);
}

/* FileMetaData fields 1..4 with a schema of the root and one leaf of
   leaf_type (none when negative), and the header of a row_groups list of
   n_row_groups (written by the caller); the struct is left open. */
static void put_min_file_meta(struct tc_writer *w, int leaf_type, uint32_t n_row_groups) {
    tc_write_struct_begin(w);
    tc_field_i32(w, 1, 1);
    tc_field_list_begin(w, 2, TC_STRUCT, leaf_type >= 0 ? 2 : 1);
    tc_write_struct_begin(w);
    tc_field_string(w, 4, "root");
    tc_field_i32(w, 5, leaf_type >= 0 ? 1 : 0);
    tc_write_struct_end(w);
    if (leaf_type >= 0) {
        tc_write_struct_begin(w);
        tc_field_i32(w, 1, leaf_type);
        tc_field_string(w, 4, "x");
        tc_write_struct_end(w);
    }
    tc_field_i64(w, 3, 0);
    tc_field_list_begin(w, 4, TC_STRUCT, n_row_groups);
}

static int decode_meta(struct tc_writer *w, struct pq_file_meta *m) {
    struct tc_reader r;
    assert_int_equal(w->err, ERR_OK);
    tc_reader_init(&r, w->buf, w->len);
    int err = pqm_decode_file_meta(&r, pool, m);
    assert_int_equal(err, r.err);
    return err;
}

/* A schema list of elements given as (num_children or -2 for none). */
static int decode_schema(const int *children, int n) {
    struct tc_writer w;
    struct pq_file_meta m;
    tc_writer_init(&w, pool);
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 1);
    tc_field_list_begin(&w, 2, TC_STRUCT, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        tc_write_struct_begin(&w);
        if (children[i] == -2)
            tc_field_i32(&w, 1, PQ_INT32);
        tc_field_string(&w, 4, "e");
        if (children[i] != -2)
            tc_field_i32(&w, 5, children[i]);
        tc_write_struct_end(&w);
    }
    tc_field_i64(&w, 3, 0);
    tc_field_list_begin(&w, 4, TC_STRUCT, 0);
    tc_write_struct_end(&w);
    int err = decode_meta(&w, &m);
    pqm_free_file_meta(pool, &m);
    tc_writer_free(&w);
    return err;
}

static void test_file_meta_validation(void **state) {
    (void)state;
    struct tc_writer w;
    struct pq_file_meta m;

    assert_int_equal(decode_schema((const int[]){ 0 }, 1), ERR_OK);
    assert_int_equal(decode_schema((const int[]){ 2, -2, 1, -2 }, 4), ERR_OK);
    assert_int_equal(decode_schema((const int[]){ 2, -2 }, 2), ERR_CORRUPT);
    assert_int_equal(decode_schema((const int[]){ 1, -2, -2 }, 3), ERR_CORRUPT);
    assert_int_equal(decode_schema((const int[]){ -1, -2 }, 2), ERR_CORRUPT);
    assert_int_equal(decode_schema((const int[]){ 2, 5, -2 }, 3), ERR_CORRUPT);
    assert_int_equal(decode_schema((const int[]){ 1, 2147483647, -2 }, 3), ERR_CORRUPT);
    assert_int_equal(decode_schema(NULL, 0), ERR_CORRUPT);

    tc_writer_init(&w, pool);
    put_min_file_meta(&w, PQ_INT32, 0);
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_OK);
    assert_int_equal(m.n_schema, 2);
    assert_int_equal(m.n_row_groups, 0);
    assert_non_null(m.row_groups);
    pqm_free_file_meta(pool, &m);

    w.len = 0;
    put_min_file_meta(&w, 8, 0);                        /* Type out of range */
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_CORRUPT);
    pqm_free_file_meta(pool, &m);

    w.len = 0;                                       /* encryption_algorithm */
    put_min_file_meta(&w, PQ_INT32, 0);
    tc_field_struct_begin(&w, 8);
    tc_field_struct_begin(&w, 1);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_ENCRYPTED);
    pqm_free_file_meta(pool, &m);

    w.len = 0;                                       /* a nameless element */
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 1);
    tc_field_list_begin(&w, 2, TC_STRUCT, 1);
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 5, 0);
    tc_write_struct_end(&w);
    tc_field_i64(&w, 3, 0);
    tc_field_list_begin(&w, 4, TC_STRUCT, 0);
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_CORRUPT);
    pqm_free_file_meta(pool, &m);

    w.len = 0;                                       /* num_rows missing */
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 1);
    tc_field_list_begin(&w, 2, TC_STRUCT, 1);
    tc_write_struct_begin(&w);
    tc_field_string(&w, 4, "root");
    tc_write_struct_end(&w);
    tc_field_list_begin(&w, 4, TC_STRUCT, 0);
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_CORRUPT);
    pqm_free_file_meta(pool, &m);

    w.len = 0;                                       /* schema list twice */
    put_min_file_meta(&w, PQ_INT32, 0);
    tc_field_list_begin(&w, 2, TC_STRUCT, 0);
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_THRIFT);
    pqm_free_file_meta(pool, &m);

    w.len = 0;                                       /* schema of i32s */
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 1);
    tc_field_list_begin(&w, 2, TC_I32, 1);
    tc_write_i32(&w, 0);
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_THRIFT);
    pqm_free_file_meta(pool, &m);

    w.len = 0;                                       /* negative num_rows */
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 1);
    tc_field_list_begin(&w, 2, TC_STRUCT, 1);
    tc_write_struct_begin(&w);
    tc_field_string(&w, 4, "root");
    tc_write_struct_end(&w);
    tc_field_i64(&w, 3, -1);
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_CORRUPT);
    pqm_free_file_meta(pool, &m);

    tc_writer_free(&w);
    assert_int_equal(pool_live(pool), 0);
}

/* A ColumnMetaData with its required fields, left open. */
static void put_min_column_meta(struct tc_writer *w) {
    tc_write_struct_begin(w);
    tc_field_i32(w, 1, PQ_INT32);
    tc_field_list_begin(w, 2, TC_I32, 1);
    tc_write_i32(w, PQ_ENC_PLAIN);
    tc_field_list_begin(w, 3, TC_BINARY, 1);
    tc_write_binary(w, "x", 1);
    tc_field_i32(w, 4, CODEC_UNCOMPRESSED);
    tc_field_i64(w, 5, 1);
    tc_field_i64(w, 6, 10);
    tc_field_i64(w, 7, 10);
    tc_field_i64(w, 9, 4);
}

static void test_file_meta_unknown(void **state) {
    (void)state;
    struct tc_writer w;
    struct pq_file_meta m;
    tc_writer_init(&w, pool);

    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 2);
    tc_field_list_begin(&w, 2, TC_STRUCT, 4);
    tc_write_struct_begin(&w);
    tc_field_string(&w, 4, "root");
    tc_field_i32(&w, 5, 3);
    tc_write_struct_end(&w);
    tc_write_struct_begin(&w);                      /* LogicalType FILE (19) */
    tc_field_i32(&w, 1, PQ_BYTE_ARRAY);
    tc_field_string(&w, 4, "a");
    tc_field_struct_begin(&w, 10);
    tc_field_struct_begin(&w, 19);
    tc_field_i32(&w, 1, 5);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_field_list_begin(&w, 11, TC_I64, 2);         /* unknown field */
    tc_write_i64(&w, 1);
    tc_write_i64(&w, 2);
    tc_write_struct_end(&w);
    tc_write_struct_begin(&w);                      /* TIMESTAMP, unknown unit */
    tc_field_i32(&w, 1, PQ_INT64);
    tc_field_string(&w, 4, "b");
    tc_field_struct_begin(&w, 10);
    tc_field_struct_begin(&w, PQ_LT_TIMESTAMP);
    tc_field_bool(&w, 1, 1);
    tc_field_struct_begin(&w, 2);
    tc_field_struct_begin(&w, 9);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_begin(&w);                      /* VARIANT with a body */
    tc_field_i32(&w, 1, PQ_BYTE_ARRAY);
    tc_field_string(&w, 4, "c");
    tc_field_struct_begin(&w, 10);
    tc_field_struct_begin(&w, PQ_LT_VARIANT);
    tc_field_begin(&w, TC_BYTE, 1);
    tc_write_byte(&w, 1);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_field_i64(&w, 3, 5);
    tc_field_list_begin(&w, 4, TC_STRUCT, 1);
    tc_write_struct_begin(&w);                      /* RowGroup */
    tc_field_list_begin(&w, 1, TC_STRUCT, 2);
    tc_write_struct_begin(&w);                      /* ColumnChunk, encrypted */
    tc_field_i64(&w, 2, 4);
    tc_field_begin(&w, TC_STRUCT, 3);
    put_min_column_meta(&w);
    tc_field_struct_begin(&w, 16);                  /* size_statistics */
    tc_field_i64(&w, 1, 100);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_field_struct_begin(&w, 8);
    tc_field_struct_begin(&w, 1);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_begin(&w);                      /* ColumnChunk, plain */
    tc_field_i64(&w, 2, 40);
    tc_field_begin(&w, TC_STRUCT, 3);
    put_min_column_meta(&w);
    tc_write_struct_end(&w);
    tc_field_i64(&w, 4, 7);                         /* offset without length */
    tc_write_struct_end(&w);
    tc_field_i64(&w, 2, 20);
    tc_field_i64(&w, 3, 5);
    tc_field_list_begin(&w, 4, TC_STRUCT, 1);       /* sorting_columns */
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 0);
    tc_field_bool(&w, 2, 1);
    tc_field_bool(&w, 3, 0);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_field_i32(&w, 6, 12);                        /* created_by as i32: skipped */
    tc_field_list_begin(&w, 7, TC_STRUCT, 2);
    tc_write_struct_begin(&w);
    tc_field_struct_begin(&w, 3);                   /* INT96_TIMESTAMP_ORDER */
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_begin(&w);
    tc_field_struct_begin(&w, 2);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_field_begin(&w, TC_MAP, 20);                 /* unknown map field */
    tc_write_varint(&w, 1);
    tc_write_byte(&w, (TC_I32 << 4) | TC_BINARY);
    tc_write_i32(&w, 1);
    tc_write_binary(&w, "v", 1);
    tc_write_struct_end(&w);

    assert_int_equal(decode_meta(&w, &m), ERR_OK);
    assert_int_equal(m.schema[1].logical.kind, PQ_LT_OTHER);
    assert_int_equal(m.schema[2].logical.kind, PQ_LT_TIMESTAMP);
    assert_int_equal(m.schema[2].logical.is_adjusted_to_utc, 1);
    assert_int_equal(m.schema[2].logical.unit, 0);
    assert_int_equal(m.schema[3].logical.kind, PQ_LT_VARIANT);
    assert_int_equal(m.schema[0].logical.kind, PQ_LT_NONE);
    assert_int_equal(m.n_row_groups, 1);
    assert_int_equal(m.row_groups[0].n_columns, 2);
    assert_int_equal(m.row_groups[0].columns[0].is_encrypted, 1);
    assert_int_equal(m.row_groups[0].columns[0].has_meta_data, 1);
    assert_int_equal(m.row_groups[0].columns[0].meta_data.n_path, 1);
    assert_int_equal(m.row_groups[0].columns[1].is_encrypted, 0);
    assert_int_equal(m.row_groups[0].columns[1].has_offset_index, 0);
    assert_true(m.row_groups[0].columns[1].file_offset == 40);
    assert_true(m.row_groups[0].num_rows == 5);
    assert_int_equal(m.has_created_by, 0);
    assert_int_equal(m.n_column_orders, 2);
    assert_int_equal(m.column_orders[0], 0);
    assert_int_equal(m.column_orders[1], 2);
    pqm_free_file_meta(pool, &m);

    /* Two members in one LogicalType union. */
    w.len = 0;
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 2);
    tc_field_list_begin(&w, 2, TC_STRUCT, 1);
    tc_write_struct_begin(&w);
    tc_field_string(&w, 4, "root");
    tc_field_struct_begin(&w, 10);
    tc_field_struct_begin(&w, 1);
    tc_write_struct_end(&w);
    tc_field_struct_begin(&w, 6);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_field_i64(&w, 3, 0);
    tc_field_list_begin(&w, 4, TC_STRUCT, 0);
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_THRIFT);
    pqm_free_file_meta(pool, &m);

    /* A DECIMAL without precision. */
    w.len = 0;
    tc_write_struct_begin(&w);
    tc_field_i32(&w, 1, 2);
    tc_field_list_begin(&w, 2, TC_STRUCT, 1);
    tc_write_struct_begin(&w);
    tc_field_string(&w, 4, "root");
    tc_field_struct_begin(&w, 10);
    tc_field_struct_begin(&w, PQ_LT_DECIMAL);
    tc_field_i32(&w, 1, 2);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_field_i64(&w, 3, 0);
    tc_field_list_begin(&w, 4, TC_STRUCT, 0);
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_CORRUPT);
    pqm_free_file_meta(pool, &m);

    /* A column chunk missing data_page_offset, deep inside: no leak. */
    w.len = 0;
    put_min_file_meta(&w, PQ_INT32, 1);
    tc_write_struct_begin(&w);
    tc_field_list_begin(&w, 1, TC_STRUCT, 1);
    tc_write_struct_begin(&w);
    tc_field_i64(&w, 2, 4);
    tc_field_struct_begin(&w, 3);
    tc_field_i32(&w, 1, PQ_INT32);
    tc_field_list_begin(&w, 2, TC_I32, 1);
    tc_write_i32(&w, PQ_ENC_PLAIN);
    tc_field_list_begin(&w, 3, TC_BINARY, 1);
    tc_write_binary(&w, "x", 1);
    tc_field_i32(&w, 4, CODEC_UNCOMPRESSED);
    tc_field_i64(&w, 5, 1);
    tc_field_i64(&w, 6, 10);
    tc_field_i64(&w, 7, 10);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    tc_field_i64(&w, 2, 20);
    tc_field_i64(&w, 3, 5);
    tc_write_struct_end(&w);
    tc_write_struct_end(&w);
    assert_int_equal(decode_meta(&w, &m), ERR_CORRUPT);
    assert_int_equal(m.n_row_groups, 1);
    assert_int_equal(m.row_groups[0].n_columns, 1);
    assert_int_equal(m.row_groups[0].columns[0].meta_data.n_encodings, 1);
    assert_int_equal(m.row_groups[0].columns[0].meta_data.n_path, 1);
    assert_true(pool_live(pool) > 1);
    pqm_free_file_meta(pool, &m);
    assert_int_equal(pool_live(pool), 1);
    tc_writer_free(&w);
    assert_int_equal(pool_live(pool), 0);
}

static void test_encode_errors(void **state) {
    (void)state;
    struct tc_writer w;
    struct pq_file_meta m;
    struct pq_schema_element e[2];
    memset(&m, 0, sizeof m);
    memset(e, 0, sizeof e);
    e[0].name = bytes_of("root");
    e[0].has_num_children = 1;
    e[0].num_children = 1;
    leaf(&e[1], "t", PQ_INT64, PQ_OPTIONAL);
    e[1].logical.kind = PQ_LT_TIMESTAMP;
    e[1].logical.unit = 0;                           /* no unit */
    m.schema = e;
    m.n_schema = 2;

    tc_writer_init(&w, pool);
    pqm_encode_file_meta(&w, &m);
    assert_int_equal(w.err, ERR_INTERNAL);
    tc_writer_free(&w);

    e[1].logical.kind = PQ_LT_OTHER;
    tc_writer_init(&w, pool);
    pqm_encode_file_meta(&w, &m);
    assert_int_equal(w.err, ERR_INTERNAL);
    tc_writer_free(&w);

    int orders[1] = { 0 };
    e[1].logical.kind = PQ_LT_NONE;
    m.column_orders = orders;
    m.n_column_orders = 1;
    tc_writer_init(&w, pool);
    pqm_encode_file_meta(&w, &m);
    assert_int_equal(w.err, ERR_INTERNAL);
    tc_writer_free(&w);

    /* The schema root: name and num_children only. */
    m.column_orders = NULL;
    m.n_column_orders = 0;
    m.n_schema = 1;
    e[0].num_children = 0;
    tc_writer_init(&w, pool);
    pqm_encode_file_meta(&w, &m);
    EXPECT_BYTES(&w,
        0x15, 0x00,                                 /* version 0 */
        0x19, 0x1C,                                 /* schema: 1 struct */
            0x48, 0x04, 'r', 'o', 'o', 't',         /* 4: name */
            0x15, 0x00,                             /* 5: num_children 0 */
            0x00,
        0x16, 0x00,                                 /* num_rows 0 */
        0x19, 0x0C,                                 /* row_groups: empty */
        0x00);
    tc_writer_free(&w);
    assert_int_equal(pool_live(pool), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_varint),
        T(test_zigzag),
        T(test_field_headers),
        T(test_bool),
        T(test_list_headers),
        T(test_nested_structs),
        T(test_binary_double),
        T(test_writer_depth),
        T(test_writer_nomem),
        T(test_overlong_varint),
        T(test_bad_headers),
        T(test_depth),
        T(test_skip),
        T(test_sticky_reader),
        T(test_file_meta_roundtrip),
        T(test_file_meta_field_ids),
        T(test_file_meta_truncated_and_mutated),
        T(test_page_header_roundtrip),
        T(test_page_header_bytes),
        T(test_page_header_validation),
        T(test_file_meta_validation),
        T(test_file_meta_unknown),
        T(test_encode_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
