#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "types.h"

static int parse_d(const char *s, double *v) { return ty_parse_double(s, strlen(s), v); }

/* Every accepted double has exactly strtod's bits. */
static void check_bits(const char *s) {
    double a, b = strtod(s, NULL);
    if (!parse_d(s, &a))
        fail_msg("rejected %s", s);
    if (memcmp(&a, &b, 8) != 0)
        fail_msg("%s: %a vs strtod %a", s, a, b);
}

static void test_double_known(void **state) {
    (void)state;
    const char *ok[] = {
        "0", "-0", "0.0", "1", "-1", "1.5", ".5", "5.", "0.1", "0.3", "1e10",
        "1E-5", "-2.5e+3", "123456789012345", "1234567890123456",
        "12345678901234567890", "9007199254740993", "0.000001", "1e22", "1e23",
        "1e-22", "1e-23", "4.9e-324", "1.7976931348623157e308", "2.2250738585072014e-308",
        "3.14159265358979323846264338327950288", "100000000000000000000000",
        "0.1000000000000000055511151231257827", "1e400", "-1e-400", "+7.25",
        "8.98846567431158e307", "40.807745", "-73.959681", "16.60", "0.00",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        check_bits(ok[i]);
    const char *bad[] = {
        "", "-", "+", ".", "e5", "1e", "1e+", "1.5.", "00.5", "01", "1,5", " 1", "1 ",
        "0x10", "1f", "--1", "in", "nanx", "1e5e5",
    };
    double v;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (parse_d(bad[i], &v))
            fail_msg("accepted %s", bad[i]);
    assert_true(parse_d("inf", &v) && v > 1e308);
    assert_true(parse_d("-Infinity", &v) && v < -1e308);
    assert_true(parse_d("NaN", &v) && v != v);
}

/* Random decimal literals of every shape: bits equal strtod's. */
static void test_double_random(void **state) {
    (void)state;
    unsigned seed = 7;
    char buf[64];
    for (int k = 0; k < 300000; k++) {
        seed = seed * 1103515245u + 12345u;
        int nd = (int)(seed >> 16) % 20 + 1, point = (int)(seed >> 8) % (nd + 1);
        size_t p = 0;
        if (seed & 1)
            buf[p++] = '-';
        for (int d = 0; d < nd; d++) {
            if (d == point && d > 0)
                buf[p++] = '.';
            seed = seed * 1103515245u + 12345u;
            char c = (char)('0' + (seed >> 16) % 10);
            if (d == 0 && c == '0' && point != 1)
                c = '1';
            buf[p++] = c;
        }
        if ((seed >> 3) % 3 == 0)
            p += (size_t)sprintf(buf + p, "e%d", (int)((seed >> 5) % 700) - 350);
        buf[p] = 0;
        check_bits(buf);
    }
}

static void test_int64(void **state) {
    (void)state;
    int64_t v;
    assert_true(ty_parse_int64("0", 1, &v) && v == 0);
    assert_true(ty_parse_int64("-9223372036854775808", 20, &v) && v == INT64_MIN);
    assert_true(ty_parse_int64("9223372036854775807", 19, &v) && v == INT64_MAX);
    assert_false(ty_parse_int64("9223372036854775808", 19, &v));
    assert_false(ty_parse_int64("-9223372036854775809", 20, &v));
    assert_false(ty_parse_int64("007", 3, &v));
    assert_false(ty_parse_int64("1.0", 3, &v));
    assert_false(ty_parse_int64("", 0, &v));
    assert_false(ty_parse_int64("-", 1, &v));
    assert_true(ty_parse_int64("+42", 3, &v) && v == 42);
}

static void test_dates(void **state) {
    (void)state;
    int32_t d;
    assert_true(ty_parse_date("1970-01-01", 10, &d) && d == 0);
    assert_true(ty_parse_date("2024-02-29", 10, &d) && d == 19782);
    assert_true(ty_parse_date("1969-12-31", 10, &d) && d == -1);
    assert_false(ty_parse_date("2023-02-29", 10, &d));
    assert_false(ty_parse_date("1900-02-29", 10, &d));
    assert_true(ty_parse_date("2000-02-29", 10, &d));
    assert_false(ty_parse_date("2024-13-01", 10, &d));
    assert_false(ty_parse_date("2024-1-01", 9, &d));
    for (int64_t z = -800000; z < 800000; z += 37) {
        int64_t y;
        unsigned m, dd;
        ty_civil_from_days(z, &y, &m, &dd);
        assert_int_equal(ty_days_from_civil(y, m, dd), z);
    }
}

static void test_timestamps(void **state) {
    (void)state;
    int64_t us;
    int utc;
#define TS(s) ty_parse_timestamp(s, strlen(s), &us, &utc)
    assert_true(TS("1970-01-01 00:00:01") && us == 1000000 && !utc);
    assert_true(TS("1970-01-01T00:01") && us == 60000000 && !utc);
    assert_true(TS("1970-01-01 00:00:00.5") && us == 500000);
    assert_true(TS("1970-01-01 00:00:00.000001") && us == 1);
    assert_false(TS("1970-01-01 00:00:00.0000001"));
    assert_true(TS("1970-01-01 02:00:00+02:00") && us == 0 && utc);
    assert_true(TS("1970-01-01 00:00:00-0130") && us == 5400000000LL && utc);
    assert_true(TS("1970-01-01 00:00:00Z") && us == 0 && utc);
    assert_true(TS("2024-01-01") && us == 19723 * 86400000000LL && !utc);
    assert_false(TS("1970-01-01 24:00:00"));
    assert_false(TS("1970-01-01 00:60"));
    assert_false(TS("1970-01-01 00:00:00 UTC"));
    assert_false(TS("1970-01-01 00:00:00+2"));
#undef TS
}

static void test_inference(void **state) {
    (void)state;
#define M(s) ty_mask(s, strlen(s))
    assert_int_equal(ty_from_mask(M("1") & M("2")), TY_INT64);
    assert_int_equal(ty_from_mask(M("1") & M("2.5")), TY_DOUBLE);
    assert_int_equal(ty_from_mask(M("1") & M("x")), TY_STRING);
    assert_int_equal(ty_from_mask(M("TRUE") & M("false")), TY_BOOLEAN);
    assert_int_equal(ty_from_mask(M("true") & M("1")), TY_STRING);
    assert_int_equal(ty_from_mask(M("2024-01-01") & M("2024-01-02")), TY_DATE);
    assert_int_equal(ty_from_mask(M("2024-01-01") & M("2024-01-02 10:00")), TY_TIMESTAMP);
    assert_int_equal(ty_from_mask(M("2024-01-02 10:00Z")), TY_TIMESTAMP_UTC);
    assert_int_equal(ty_from_mask(M("2024-01-02 10:00Z") & M("2024-01-02 10:00")), TY_STRING);
    assert_int_equal(ty_from_mask(M("007")), TY_STRING);
    assert_int_equal(ty_from_mask(M("12345678901234567890")), TY_STRING);
    assert_int_equal(ty_from_mask(M("")), TY_STRING);
    assert_int_equal(ty_from_name("timestamp_utc"), TY_TIMESTAMP_UTC);
    assert_int_equal(ty_from_name("nope"), -1);
#undef M
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_known),
        cmocka_unit_test(test_double_random),
        cmocka_unit_test(test_int64),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_inference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
