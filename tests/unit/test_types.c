#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>

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

/* A 64-bit generator for the differential tests (splitmix64). */
static uint64_t next_u64(uint64_t *seed) {
    uint64_t z = (*seed += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Doubles of every binary exponent printed with 1 to 21 significant
   digits, and mantissas of 1 to 19 digits with decimal exponents from
   -360 to 330: Clinger's path, Eisel-Lemire's (subnormals, underflow to
   zero, overflow to infinity included) and strtod's all give strtod's
   bits. */
static void test_double_differential(void **state) {
    (void)state;
    uint64_t seed = 1;
    char buf[96];
    for (int k = 0; k < 600000; k++) {
        uint64_t bits = next_u64(&seed), r = next_u64(&seed);
        double x;
        memcpy(&x, &bits, 8);
        int digits = (int)(r % 21) + 1;
        switch (k % 4) {
        case 0:
            if (!isfinite(x))
                continue;
            snprintf(buf, sizeof buf, "%.*e", digits - 1, x);
            break;
        case 1:
            if (!isfinite(x))
                continue;
            snprintf(buf, sizeof buf, "%.*g", digits, x);
            break;
        case 2: {                    /* m e q */
            uint64_t m = bits % 10000000000000000000u;
            for (int d = 19; d > digits && m; d--)
                m /= 10;
            snprintf(buf, sizeof buf, "%s%llue%d", r & 1 << 8 ? "-" : "", (unsigned long long)m,
                     (int)((r >> 16) % 691) - 360);
            break;
        }
        default: {                   /* digits with a point somewhere, 8-digit runs included */
            uint64_t m = bits % 10000000000000000000u;
            int len = snprintf(buf + 1, sizeof buf - 1, "%llu", (unsigned long long)m);
            int at = (int)((r >> 8) % (unsigned)(len + 1));
            buf[0] = '0';
            if (at == 0) {           /* 0.digits */
                memmove(buf + 2, buf + 1, (size_t)len + 1);
                buf[1] = '.';
            } else {                 /* digits with the point after `at` of them */
                memmove(buf, buf + 1, (size_t)at);
                buf[at] = '.';
            }
            break;
        }
        }
        check_bits(buf);
    }
}

/* Numbers exactly halfway between two doubles, and those next to them,
   with at most 19 or 20 digits: integers, fractions with 1 to 4 decimals
   and multiples of 10^q (q up to 23), where rounding to even decides. */
static void test_double_halfway(void **state) {
    (void)state;
    uint64_t seed = 3;
    char buf[64];
    for (int k = 0; k < 200000; k++) {
        /* odd: 54 bits, a 53-bit mantissa and the halfway bit */
        uint64_t odd = (uint64_t)1 << 53 | next_u64(&seed) >> 11 | 1, r = next_u64(&seed);
        uint64_t h = odd << (r % 11);
        for (int d = -1; d <= 1; d++) {
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)(h + (uint64_t)d));
            check_bits(buf);
        }
        uint64_t w = h;
        int z = 0;
        while (w % 10 == 0) {
            w /= 10;
            z++;
        }
        snprintf(buf, sizeof buf, "%llue%d", (unsigned long long)w, z);
        check_bits(buf);
        /* odd / 2^s = odd * 5^s / 10^s */
        int s = (int)((r >> 8) % 4) + 1;
        uint64_t m = odd;
        for (int i = 0; i < s; i++)
            m *= 5;
        int len = snprintf(buf, sizeof buf, "%llu", (unsigned long long)m);
        memmove(buf + len - s + 1, buf + len - s, (size_t)s + 1);
        buf[len - s] = '.';
        check_bits(buf);
        /* 5^q t 2^e with q <= e: a multiple of 10^q */
        int q = (int)((r >> 16) % 23) + 1;
        uint64_t p5 = 1;
        for (int i = 0; i < q; i++)
            p5 *= 5;
        uint64_t lo = ((uint64_t)1 << 53) / p5 + 1, hi = ((uint64_t)1 << 54) / p5;
        uint64_t t = (lo + (r >> 24) % (hi - lo + 1)) | 1;
        if (t * p5 >> 53 != 1)
            continue;
        snprintf(buf, sizeof buf, "%llue%d", (unsigned long long)(t << (r >> 40) % 8), q);
        check_bits(buf);
    }
}

/* Texts of 512 bytes or more are numbers only when Clinger's path takes
   them; one byte less, strtod decides.  A stray byte inside a run of
   digits read eight at a time is not a number. */
static void test_double_edges(void **state) {
    (void)state;
    char buf[700];
    double v;
    memcpy(buf, "1.5e", 4);
    memset(buf + 4, '0', 600);
    buf[604] = 0;
    assert_true(parse_d(buf, &v) && v == 1.5);
    memcpy(buf, "0.5", 3);
    memset(buf + 3, '0', 600);
    buf[603] = 0;
    assert_false(parse_d(buf, &v));
    buf[511] = 0;
    check_bits(buf);
    memset(buf, '9', 511);
    buf[511] = 0;
    check_bits(buf);
    buf[511] = '9';
    buf[512] = 0;
    assert_false(parse_d(buf, &v));
    memcpy(buf, "0.", 2);
    memset(buf + 2, '0', 508);
    memcpy(buf + 510, "1", 2);
    check_bits(buf);
    const char *base = "12345678901234567.123456789012345678";
    size_t n = strlen(base);
    for (size_t at = 0; at < n; at++) {
        for (int c = 1; c < 256; c++) {
            if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' || (at == 0 && c == '0'))
                continue;
            strcpy(buf, base);
            buf[at] = (char)c;
            if (base[at] == '.' || c < '0' || c > '9') {
                if (base[at] != '.' && ty_parse_double(buf, n, &v))
                    fail_msg("accepted %s", buf);
            } else {
                check_bits(buf);
            }
        }
    }
}

/* The grammar ty_parse_double reads (inf and nan aside): [+-] digits
   [. digits] [(e|E) [+-] digits], a mantissa digit at least, no leading
   zero before another integer digit. */
static int double_grammar(const char *s, size_t n) {
    size_t i = 0, d0, nd = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    for (d0 = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        nd++;
    if (nd > 1 && s[d0] == '0')
        return 0;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            nd++;
    if (nd == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t e0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e0)
            return 0;
    }
    return i == n;
}

/* ty_parse_double on s[0..n) copied to a buffer of exactly n bytes (so
   that ASan sees a read past the text) against the grammar and strtod's
   bits. */
static void check_exact(const char *s, size_t n) {
    char *t = malloc(n ? n : 1), z[64];
    memcpy(t, s, n);
    double a, b;
    int got = ty_parse_double(t, n, &a);
    free(t);
    int want = double_grammar(s, n);
    if (got != want)
        fail_msg("\"%.*s\": %s", (int)n, s, got ? "accepted" : "refused");
    if (!got)
        return;
    memcpy(z, s, n);
    z[n] = 0;
    b = strtod(z, NULL);
    if (memcmp(&a, &b, 8) != 0)
        fail_msg("%s: %a vs strtod %a", z, a, b);
}

/* Every text of up to 7 bytes over a small alphabet (signs, points,
   exponents, leading zeros, "-0", ".5", "5.", "-.e1" ...), and random texts
   of 1 to 40 bytes over it, each in a buffer of exactly its length: the
   one-pass path for plain decimals and the general path accept the grammar
   exactly, with strtod's bits.  Then mantissas of 1 to 21 digits with the
   point anywhere, near 2^53 and 10^19, with leading zeros. */
static void test_double_exhaustive(void **state) {
    (void)state;
    static const char alpha[] = "0159.-e";
    enum { NA = sizeof alpha - 1 };
    char buf[64];
    for (size_t len = 0; len <= 7; len++) {
        size_t total = 1;
        for (size_t j = 0; j < len; j++)
            total *= NA;
        for (size_t code = 0; code < total; code++) {
            size_t c = code;
            for (size_t j = 0; j < len; j++, c /= NA)
                buf[j] = alpha[c % NA];
            check_exact(buf, len);
        }
    }
    static const char wide[] = "0123456789.-+eE";
    uint64_t seed = 11;
    for (int k = 0; k < 300000; k++) {
        uint64_t r = next_u64(&seed);
        size_t len = r % 40 + 1;
        for (size_t j = 0; j < len; j++) {
            r = j % 8 == 7 ? next_u64(&seed) : r >> 8;
            /* mostly digits, so that long texts stay numbers */
            buf[j] = (r & 0xf0) ? (char)('0' + (r & 0xff) % 10) : wide[(r & 0xf) % (sizeof wide - 1)];
        }
        check_exact(buf, len);
    }
    static const char *const known[] = {
        "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995",
        "900719925474099.3", "90071992547409.93", "-9007199254740993", "1234567890123456",
        "12345678901234567", "1234567890123456.7", "123456789012345678", "1234567890123456789",
        "12345678901234567890", "99999999999999999999", "18446744073709551615",
        "18446744073709551616", "0.12345678901234567", "0.000000000000000000012345",
        "0.0000000000000000000000000000001", "-0", "+0", "-0.0", ".5", "5.", "-.5", "+5.",
        "0.5", "-0.00", "1.7976931348623157e308", "1.7976931348623159e308", "4.9406564584124654e-324",
        "2.4703282292062327e-324", "2.4703282292062328e-324", "2.2250738585072011e-308",
        "123456789012345.6", "1.000000000000000", "0.9999999999999999", "7.0e-10",
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        check_exact(known[i], strlen(known[i]));
    static const char *const bad[] = {
        ".", "-.", "+.", "..", "1..", "1.2.3", "00", "-01", "00.5", "+-1", "1-", "5.e",
        "1e.5", "0x1p3", "1 ", " 1", "1_000", "١",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        check_exact(bad[i], strlen(bad[i]));
}

/* Random signs, digits and stray bytes: ty_parse_int64 accepts exactly
   the optional sign and digits without a leading zero that strtoll reads
   in range, with its value. */
static void test_int64_differential(void **state) {
    (void)state;
    uint64_t seed = 5;
    char buf[48];
    static const char stray[] = ".x /:e+-\x80\xff";
    for (int k = 0; k < 400000; k++) {
        uint64_t r = next_u64(&seed);
        size_t p = 0;
        if (r & 1)
            buf[p++] = r & 2 ? '-' : '+';
        int nd = (int)((r >> 2) % 23);
        uint64_t digs = next_u64(&seed);
        for (int d = 0; d < nd; d++) {
            if (d % 16 == 15)
                digs = next_u64(&seed);
            buf[p++] = (char)('0' + digs % 10);
            digs /= 10;
        }
        if (p && (r >> 8) % 8 == 0)
            buf[(r >> 12) % p] = stray[(r >> 20) % (sizeof stray - 1)];
        buf[p] = 0;
        size_t i = buf[0] == '-' || buf[0] == '+';
        int grammar = p > i && (buf[i] != '0' || p - i == 1);
        for (size_t j = i; j < p; j++)
            grammar &= buf[j] >= '0' && buf[j] <= '9';
        errno = 0;
        char *end;
        long long want = strtoll(buf, &end, 10);
        int ok = grammar && errno == 0 && end == buf + p;
        int64_t v;
        int got = ty_parse_int64(buf, p, &v);
        if (got != ok)
            fail_msg("%s: %s, strtoll %s", buf, got ? "accepted" : "refused", ok ? "reads it" : "does not");
        if (ok && v != want)
            fail_msg("%s: %lld, strtoll %lld", buf, (long long)v, want);
    }
    int64_t v;
    assert_true(ty_parse_int64("1234567890123456789", 19, &v) && v == 1234567890123456789LL);
    assert_false(ty_parse_int64("12345678901234567890", 20, &v));
    assert_true(ty_parse_int64("-12345678", 9, &v) && v == -12345678);
}

/* The int64 strtoll reads from the whole of s[0..n) under the grammar
   ([+-] digits, no leading zero): 1 with the value, else 0. */
static int int64_reference(const char *s, size_t n, long long *v) {
    char z[64];
    size_t i = n && (s[0] == '-' || s[0] == '+');
    if (n >= sizeof z || n == i || (s[i] == '0' && n - i > 1))
        return 0;
    for (size_t j = i; j < n; j++)
        if (s[j] < '0' || s[j] > '9')
            return 0;
    memcpy(z, s, n);
    z[n] = 0;
    errno = 0;
    *v = strtoll(z, NULL, 10);
    return errno == 0;
}

/* The _in parsers on s[0..n) followed by tail bytes that may be read,
   in a buffer of exactly n + tail bytes (ASan sees a read past them):
   the same answers as the grammar and strtod or strtoll, whatever the
   tail holds. */
static void check_in(const char *s, size_t n, const char *tail, size_t nt) {
    char *t = malloc(n + nt ? n + nt : 1), z[64];
    memcpy(t, s, n);
    memcpy(t + n, tail, nt);
    double a;
    int got = ty_parse_double_in(t, n, n + nt, &a);
    if (got != double_grammar(s, n))
        fail_msg("\"%.*s\" + %zu bytes: %s", (int)n, s, nt, got ? "accepted" : "refused");
    if (got) {
        memcpy(z, s, n);
        z[n] = 0;
        double b = strtod(z, NULL);
        if (memcmp(&a, &b, 8) != 0)
            fail_msg("%s + %zu bytes: %a vs strtod %a", z, nt, a, b);
    }
    int64_t iv;
    long long want;
    got = ty_parse_int64_in(t, n, n + nt, &iv);
    int ok = int64_reference(s, n, &want);
    if (got != ok)
        fail_msg("\"%.*s\" + %zu bytes: %s as int64", (int)n, s, nt, got ? "accepted" : "refused");
    if (ok && iv != want)
        fail_msg("\"%.*s\": %lld, strtoll %lld", (int)n, s, (long long)iv, want);
    free(t);
}

/* Texts around the one-, two- and three-word paths (1 to 30 bytes: 8, 16
   and 24 are the boundaries), with and without a sign and a point (at
   every place), 19 and 20 digits, leading zeros, 2^53, the int64 limits,
   a stray byte anywhere: each alone (readable == n) and followed by up to
   24 bytes of digits, points, signs or other text that may be read but
   must not count. */
static void test_words_differential(void **state) {
    (void)state;
    static const char stray[] = ".e+- x/:\x80\xff" "0";
    static const char tails[] = "0123456789.-+eE ,\x80";
    static const char *const known[] = {
        "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "-9223372036854775809", "+9223372036854775807", "1234567890123456789",
        "12345678901234567890", "-1234567890123456789", "00", "-0", "+0", "0", "-", "+",
        "12345678", "-1234567", "-12345678", "123456789", "1234567890123456",
        "12345678901234567", "-1234567890123456", "-0.0000000000000001", "0.12345678901234567",
        "1234567.123456789", "12345678.12345678", "1234567.1234567890123", "9007199254740993",
        "9007199254740993.0", "900719925474099.3", "90071992547409.93", "-.12345678901234",
        "+.1234567", "1234567.", "-1234567.", "12345678.", "0.0000001", "-73.959681", "40.807745",
        "0.11791870367106105", "-240769.55335254443", "0.0015860069999796666", "99999999999999999.9",
        "1.7976931348623157", "12.34.56", "1..5", "1.5e10", "1234567e1", "123456789012345e-5",
        "0.000000000000000", "-0.0000000000000000", "0.000000000000000000", "0.0000000000000001",
        "-0.00000000000000123", "123456789012345.6", "-1234567890123456.7",
    };
    char tail[24];
    uint64_t seed = 13;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        for (size_t nt = 0; nt <= 24; nt += 8) {
            for (size_t j = 0; j < nt; j++)
                tail[j] = tails[next_u64(&seed) % (sizeof tails - 1)];
            check_in(known[i], strlen(known[i]), tail, nt);
        }
    char buf[40];
    for (int k = 0; k < 400000; k++) {
        uint64_t r = next_u64(&seed), d = next_u64(&seed);
        size_t len = (size_t)(r % 30) + 1, p = 0;
        if (r >> 5 & 1)
            buf[p++] = r >> 6 & 1 ? '-' : '+';
        while (p < len) {
            if (d < 16)
                d = next_u64(&seed);
            buf[p++] = (char)('0' + d % 10);
            d /= 10;
        }
        if ((r >> 8) % 4 != 0) {     /* a point, mostly among the first nine bytes */
            size_t at = (r >> 10) % 4 ? (r >> 12) % 10 : (r >> 12) % len;
            if (at < len)
                buf[at] = '.';
        }
        if ((r >> 16) % 8 == 0)      /* leading zero */
            buf[(buf[0] == '-' || buf[0] == '+') && len > 1] = '0';
        if ((r >> 19) % 6 == 0)      /* a stray byte */
            buf[(r >> 22) % len] = stray[(r >> 27) % (sizeof stray - 1)];
        size_t nt = (size_t)((r >> 32) % 25);
        for (size_t j = 0; j < nt; j++)
            tail[j] = tails[next_u64(&seed) % (sizeof tails - 1)];
        check_in(buf, len, tail, nt);
        check_in(buf, len, tail, 0);
    }
}

/* UTF-8 validity of s[0..n) by RFC 3629's table, fed one byte at a time:
   need is the continuation bytes still due, [lo, hi] the range of the
   next one. */
static int utf8_reference(const unsigned char *s, size_t n) {
    unsigned need = 0, lo = 0x80, hi = 0xbf;
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        if (need) {
            if (c < lo || c > hi)
                return 0;
            need--;
            lo = 0x80, hi = 0xbf;
        } else if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else if (c >= 0x80) {
            return 0;
        }
    }
    return need == 0;
}

/* Texts of ASCII runs of every length, characters of 2 to 4 bytes, bad
   leading and continuation bytes, surrogates, overlong forms and cut
   characters, and every piece of some: ty_utf8_valid agrees with the
   reference. */
static void test_utf8_differential(void **state) {
    (void)state;
    static const char *const pieces[] = {
        "a", "Hello, world", "0123456789abcdef0123", "\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac",
        "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80",
        "\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xed\xa0\x80",
        "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc3", "\xe6\x97",
        "\xf0\x9f\x98", "\xc3\x28", "\xe6\x28\xa5", "\x7f",
    };
    enum { NP = sizeof pieces / sizeof *pieces };
    uint64_t seed = 9;
    unsigned char buf[256];
    for (int k = 0; k < 200000; k++) {
        size_t n = 0;
        int count = (int)(next_u64(&seed) % 8);
        for (int i = 0; i < count; i++) {
            uint64_t r = next_u64(&seed);
            size_t idx = r % NP;
            if (idx >= 9 && r >> 32 & 3)  /* mostly valid text */
                idx = (r >> 8) % 9;
            size_t len = strlen(pieces[idx]);
            size_t rep = idx < 3 ? (r >> 16) % 4 + 1 : 1;
            for (size_t j = 0; j < rep && n + len <= sizeof buf; j++, n += len)
                memcpy(buf + n, pieces[idx], len);
        }
        for (size_t a = 0; a <= n && a < 3; a++)
            for (size_t b = n; b + 3 >= n && b >= a; b--) {
                int want = utf8_reference(buf + a, b - a);
                if (ty_utf8_valid(buf + a, b - a) != want ||
                    ty_utf8_valid_portable(buf + a, b - a) != want)
                    fail_msg("bytes %zu..%zu of a %zu-byte text: %s, the reference %s", a, b, n,
                             want ? "refused" : "accepted", want ? "accepts" : "refuses");
                if (b == 0)
                    break;
            }
    }
}

/* ty_utf8_valid and ty_utf8_valid_portable on a copy of s[0..n) in a
   block of exactly n bytes, so that the sanitizer build or valgrind sees
   a read past its end, after ASCII letters that put it at the edges of
   the 16-byte blocks the SIMD validator reads by; want is the answer it
   must give, or -1 for the reference's. */
static void check_utf8(const unsigned char *s, size_t n, int want) {
    static const size_t pads[] = {0, 5, 12, 13, 14, 15, 16, 29, 30, 31};
    int ref = utf8_reference(s, n);
    if (want >= 0 && ref != want)
        fail_msg("the reference %s a case that %s", ref ? "accepts" : "refuses",
                 want ? "is valid" : "is not");
    for (size_t k = 0; k < sizeof pads / sizeof *pads; k++) {
        size_t pad = pads[k];
        unsigned char *p = malloc(pad + n ? pad + n : 1);
        assert_non_null(p);
        memset(p, 'a', pad);
        if (n)
            memcpy(p + pad, s, n);
        int got = ty_utf8_valid(p, pad + n), portable = ty_utf8_valid_portable(p, pad + n);
        free(p);
        if (got != ref || portable != ref) {
            char hex[3 * 256 + 1] = "";
            for (size_t i = 0; i < n && i < 256; i++)
                snprintf(hex + 3 * i, 4, " %02x", s[i]);
            fail_msg("%s a %zu-byte text after %zu ASCII bytes the reference %s:%s",
                     got != ref ? (got ? "accepted" : "refused")
                                : (portable ? "the portable code accepted" : "the portable code refused"),
                     n, pad, ref ? "accepts" : "refuses", hex);
        }
    }
}

/* Every text of one and two bytes; every byte above 0x7f leading two and
   three bytes at the edges of the continuation ranges, or past them. */
static void test_utf8_exhaustive(void **state) {
    (void)state;
    static const unsigned char edges[] = {
        0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xf0, 0xff,
    };
    enum { NE = sizeof edges };
    unsigned char b[4] = {0};
    check_utf8(b, 0, 1);
    for (unsigned x = 0; x < 256; x++) {
        b[0] = (unsigned char)x;
        check_utf8(b, 1, x < 0x80);
        for (unsigned y = 0; y < 256; y++) {
            b[1] = (unsigned char)y;
            check_utf8(b, 2, -1);
        }
    }
    for (unsigned x = 0x80; x < 256; x++)
        for (size_t i = 0; i < NE; i++)
            for (size_t j = 0; j < NE; j++) {
                b[0] = (unsigned char)x, b[1] = edges[i], b[2] = edges[j];
                check_utf8(b, 3, -1);
                for (size_t k = 0; k < NE; k++) {
                    b[3] = edges[k];
                    check_utf8(b, 4, -1);
                }
            }
}

/* The first and last characters of each length and the ranges after E0,
   ED, F0 and F4, just inside and just outside, after every count of ASCII
   bytes up to three 16-byte blocks and before up to one; every proper
   prefix of each is refused at the end of a text and before ASCII. */
static void test_utf8_edges(void **state) {
    (void)state;
    static const struct { const char *bytes; int valid; } chars[] = {
        {"\xc2\x80", 1}, {"\xdf\xbf", 1}, {"\xe0\xa0\x80", 1}, {"\xe0\x9f\xbf", 0},
        {"\xed\x9f\xbf", 1}, {"\xed\xa0\x80", 0}, {"\xed\xbf\xbf", 0}, {"\xef\xbf\xbf", 1},
        {"\xf0\x90\x80\x80", 1}, {"\xf0\x8f\xbf\xbf", 0}, {"\xf4\x8f\xbf\xbf", 1},
        {"\xf4\x90\x80\x80", 0}, {"\xc1\xbf", 0}, {"\xf5\x80\x80\x80", 0},
    };
    unsigned char buf[80];
    for (size_t c = 0; c < sizeof chars / sizeof *chars; c++) {
        size_t k = strlen(chars[c].bytes);
        for (size_t pre = 0; pre <= 48; pre++)
            for (size_t post = 0; post <= 16; post++) {
                memset(buf, 'a', sizeof buf);
                memcpy(buf + pre, chars[c].bytes, k);
                check_utf8(buf, pre + k + post, chars[c].valid);
                for (size_t cut = 1; cut < k; cut++) {
                    memset(buf + pre + cut, 'b', k - cut);
                    check_utf8(buf, pre + cut + post, 0);
                }
            }
    }
}

/* A random character of 1 to 4 bytes at p, returning its length: now and
   then a surrogate, a code point past U+10FFFF or a byte set at random. */
static size_t random_char(unsigned char *p, uint64_t *seed) {
    uint64_t r = next_u64(seed);
    size_t k = 1 + r % 4;
    uint32_t lo[] = {0, 0x20, 0x80, 0x800, 0x10000}, hi[] = {0, 0x7f, 0x7ff, 0xffff, 0x13ffff};
    uint32_t span = hi[k] - lo[k] + 1, u = lo[k] + (uint32_t)(r >> 8) % span;
    if ((r >> 40) % 4 == 0)     /* the ends of the range */
        u = r >> 42 & 1 ? hi[k] : lo[k];
    if (k == 3 && u >= 0xd800 && u <= 0xdfff && (r >> 44) % 4)
        u -= 0x800;             /* surrogates, but fewer */
    if (k == 4 && u > 0x10ffff && (r >> 46) % 8)
        u -= 0x40000;           /* past U+10FFFF, but fewer */
    if (k == 1)
        p[0] = (unsigned char)u;
    else {
        for (size_t i = k - 1; i > 0; i--, u >>= 6)
            p[i] = (unsigned char)(0x80 | (u & 0x3f));
        p[0] = (unsigned char)((0xf00u >> k) | u);
    }
    if ((r >> 49) % 64 == 0)
        p[(r >> 55) % k] = (unsigned char)(r >> 24);
    return k;
}

/* Random texts of every length to 200 bytes, mostly ASCII with characters
   of 2 to 4 bytes, cut at the length (so a character may stop short at the
   end); then each of a set of characters, whole or cut, at every offset
   of ASCII texts of every length to 200. */
static void test_utf8_random(void **state) {
    (void)state;
    uint64_t seed = 3629;
    unsigned char buf[204];
    size_t valid = 0, tried = 0;
    for (size_t n = 0; n <= 200; n++)
        for (int t = 0; t < 100; t++) {
            uint64_t ascii = next_u64(&seed) % 32;   /* in 32, the share of ASCII */
            for (size_t i = 0; i < n;)
                if (next_u64(&seed) % 32 < ascii)
                    buf[i++] = (unsigned char)(0x20 + next_u64(&seed) % 95);
                else
                    i += random_char(buf + i, &seed);
            valid += utf8_reference(buf, n);
            tried++;
            check_utf8(buf, n, -1);
        }
    /* both answers are common enough to test */
    assert_true(valid > tried / 4 && valid < tried * 3 / 4);
    static const char *const chars[] = {
        "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xc2\x80", "\xf4\x8f\xbf\xbf",
        "\xed\xa0\x80", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xc0\xaf",
        "\xf8\x88\x80\x80", "\x80", "\xbf\xbf", "\xc3\x41", "\xe6\x97\x41", "\xff",
    };
    for (size_t n = 0; n <= 200; n++)
        for (size_t at = 0; at < n; at++)
            for (size_t c = 0; c < sizeof chars / sizeof *chars; c++) {
                memset(buf, 'x', n);
                size_t k = strlen(chars[c]);
                memcpy(buf + at, chars[c], at + k <= n ? k : n - at);
                check_utf8(buf, n, -1);
            }
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

/* n digits at s as a number, or -1. */
static int ref_digits(const char *s, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* ty_parse_timestamp's grammar a byte at a time:
   YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][Z|+hh|+hhmm|+hh:mm] with 1..6 fraction
   digits (or '-' for '+'). */
static int timestamp_reference(const char *s, size_t n, int64_t *us, int *utc) {
    if (n < 10 || s[4] != '-' || s[7] != '-')
        return 0;
    int y = ref_digits(s, 4), m = ref_digits(s + 5, 2), d = ref_digits(s + 8, 2);
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > dm[m - 1] + (m == 2 && leap))
        return 0;
    int64_t t = ty_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400000000LL;
    *utc = 0;
    size_t i = 10;
    if (n > 10) {
        int hh, mm, ss = 0;
        if (n < 16 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
            (hh = ref_digits(s + 11, 2)) < 0 || hh > 23 || (mm = ref_digits(s + 14, 2)) < 0 ||
            mm > 59)
            return 0;
        i = 16;
        int64_t frac = 0;
        if (i < n && s[i] == ':') {
            if (n < 19 || (ss = ref_digits(s + 17, 2)) < 0 || ss > 59)
                return 0;
            i = 19;
            if (i < n && s[i] == '.') {
                size_t f = ++i;
                while (i < n && s[i] >= '0' && s[i] <= '9')
                    i++;
                if (i == f || i - f > 6)
                    return 0;
                frac = ref_digits(s + f, i - f);
                for (size_t k = i - f; k < 6; k++)
                    frac *= 10;
            }
        }
        t += ((int64_t)hh * 3600 + mm * 60 + ss) * 1000000 + frac;
    }
    if (i < n) {
        if (s[i] == 'Z' && i + 1 == n) {
            *utc = 1;
        } else if (s[i] == '+' || s[i] == '-') {
            const char *z = s + i + 1;
            size_t rest = n - i - 1;
            int oh = -1, om = 0;
            if (rest == 2)
                oh = ref_digits(z, 2);
            else if (rest == 4)
                oh = ref_digits(z, 2), om = ref_digits(z + 2, 2);
            else if (rest == 5 && z[2] == ':')
                oh = ref_digits(z, 2), om = ref_digits(z + 3, 2);
            if (oh < 0 || oh > 23 || om < 0 || om > 59)
                return 0;
            t -= (int64_t)(s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60) * 1000000;
            *utc = 1;
        } else {
            return 0;
        }
    }
    *us = t;
    return 1;
}

/* Random timestamps of every shape the grammar has, runs of them on the
   same date (a date read once is remembered), and each with a byte
   changed anywhere, in a buffer of exactly their length: ty_parse_timestamp
   and ty_parse_date agree with the grammar read a byte at a time. */
static void test_timestamps_differential(void **state) {
    (void)state;
    static const char mutate[] = "0123456789-: T.Z+x/\x80";
    static const char *const tails[] = {
        "", "T00:00", " 23:59", " 12:34:56", "T12:34:56", " 00:00:00.5", " 01:02:03.123456",
        " 01:02:03.1234567", " 01:02:03Z", " 01:02:03+02", " 01:02:03-0130", " 01:02:03+05:45",
        " 01:02:03.25+01:00", " 24:00:00", " 23:60:00", " 23:59:60", " 1:02:03", " 01:02:",
        " 01:02:3", "T01:02:03 ", "Z",
    };
    enum { NT = sizeof tails / sizeof *tails };
    uint64_t seed = 17;
    char buf[48];
    int y = 2015, mo = 1, d = 1;
    for (int k = 0; k < 300000; k++) {
        uint64_t r = next_u64(&seed);
        if (r % 8 == 0) {            /* a new date, now and then */
            y = (int)(r >> 3) % 10000;
            mo = (int)(r >> 17) % 14;                 /* 0 and 13 do not exist */
            d = (int)(r >> 21) % 33;                  /* nor 0 and 32 */
        }
        const char *tail = tails[(r >> 27) % NT];
        int len = snprintf(buf, sizeof buf, "%04d-%02d-%02d%s", y, mo, d, tail);
        if ((r >> 32) % 4 == 0)      /* a byte changed */
            buf[(r >> 34) % (uint64_t)len] = mutate[(r >> 40) % (sizeof mutate - 1)];
        char *t = malloc((size_t)len);
        memcpy(t, buf, (size_t)len);
        int64_t us, want_us;
        int utc, want_utc;
        int got = ty_parse_timestamp(t, (size_t)len, &us, &utc);
        int want = timestamp_reference(buf, (size_t)len, &want_us, &want_utc);
        if (got != want)
            fail_msg("%.*s: %s", len, buf, got ? "accepted" : "refused");
        if (want && (us != want_us || utc != want_utc))
            fail_msg("%.*s: %lld%s, the grammar %lld%s", len, buf, (long long)us, utc ? " utc" : "",
                     (long long)want_us, want_utc ? " utc" : "");
        int32_t days;
        got = ty_parse_date(t, (size_t)len, &days);
        want = len == 10 && timestamp_reference(buf, 10, &want_us, &want_utc);
        if (got != want || (want && days * 86400000000LL != want_us))
            fail_msg("%.*s as a date: %s", len, buf, got ? "accepted" : "refused");
        free(t);
    }
    /* the remembered date is 1970-01-01 before any other: text of zeros
       or a near miss is still no date */
    int64_t us;
    int utc;
    assert_false(ty_parse_timestamp("\0\0\0\0\0\0\0\0\0\0", 10, &us, &utc));
    assert_true(ty_parse_timestamp("1970-01-01", 10, &us, &utc) && us == 0);
    assert_false(ty_parse_timestamp("1970-01-0x", 10, &us, &utc));
    assert_true(ty_parse_timestamp("1970-01-02", 10, &us, &utc) && us == 86400000000LL);
    assert_true(ty_parse_timestamp("1970-01-01", 10, &us, &utc) && us == 0);
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

/* ---- type specs ---- */

static void spec_round_trip(const char *text, const char *canonical, int type, int p, int sc,
                            int unit) {
    struct ty_spec sp, again;
    char buf[64];
    if (!ty_spec_parse(text, &sp))
        fail_msg("%s does not parse", text);
    assert_int_equal(sp.type, type);
    assert_int_equal(sp.inferred, 0);
    if (type == TY_DECIMAL) {
        assert_int_equal(sp.precision, p);
        assert_int_equal(sp.scale, sc);
    }
    assert_int_equal(sp.unit, unit);
    ty_spec_format(&sp, buf, sizeof buf);
    assert_string_equal(buf, canonical);
    assert_true(ty_spec_parse(buf, &again));
    assert_memory_equal(&sp, &again, sizeof sp);
}

static void test_spec(void **state) {
    (void)state;
    static const char *const simple[] = {
        "boolean", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float", "double", "date", "string", "binary",
    };
    static const int simple_types[] = {
        TY_BOOLEAN, TY_INT8, TY_INT16, TY_INT32, TY_INT64, TY_UINT8, TY_UINT16, TY_UINT32,
        TY_UINT64, TY_FLOAT, TY_DOUBLE, TY_DATE, TY_STRING, TY_BINARY,
    };
    for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
        spec_round_trip(simple[i], simple[i], simple_types[i], 0, 0, TY_UNIT_US);
    spec_round_trip("INT32", "int32", TY_INT32, 0, 0, TY_UNIT_US);
    spec_round_trip("decimal(12,2)", "decimal(12,2)", TY_DECIMAL, 12, 2, TY_UNIT_US);
    spec_round_trip("DECIMAL( 38 , 38 )", "decimal(38,38)", TY_DECIMAL, 38, 38, TY_UNIT_US);
    spec_round_trip("decimal(7)", "decimal(7,0)", TY_DECIMAL, 7, 0, TY_UNIT_US);
    spec_round_trip(" Decimal (1,0) ", "decimal(1,0)", TY_DECIMAL, 1, 0, TY_UNIT_US);
    spec_round_trip("time", "time", TY_TIME, 0, 0, TY_UNIT_US);
    spec_round_trip("time(ms)", "time(ms)", TY_TIME, 0, 0, TY_UNIT_MS);
    spec_round_trip("TIME(US)", "time", TY_TIME, 0, 0, TY_UNIT_US);
    spec_round_trip("time( ns )", "time(ns)", TY_TIME, 0, 0, TY_UNIT_NS);
    spec_round_trip("timestamp", "timestamp", TY_TIMESTAMP, 0, 0, TY_UNIT_US);
    spec_round_trip("timestamp(us)", "timestamp", TY_TIMESTAMP, 0, 0, TY_UNIT_US);
    spec_round_trip("Timestamp(MS)", "timestamp(ms)", TY_TIMESTAMP, 0, 0, TY_UNIT_MS);
    spec_round_trip("timestamp(ns)", "timestamp(ns)", TY_TIMESTAMP, 0, 0, TY_UNIT_NS);
    spec_round_trip("timestamp_utc", "timestamp_utc", TY_TIMESTAMP_UTC, 0, 0, TY_UNIT_US);
    spec_round_trip("TIMESTAMP_UTC(ms)", "timestamp_utc(ms)", TY_TIMESTAMP_UTC, 0, 0, TY_UNIT_MS);
    spec_round_trip("timestamp_utc (ns)", "timestamp_utc(ns)", TY_TIMESTAMP_UTC, 0, 0, TY_UNIT_NS);
    static const char *const bad[] = {
        "", "int", "int128", "decimal", "decimal()", "decimal(0,0)", "decimal(39,0)",
        "decimal(5,6)", "decimal(5,-1)", "decimal(5,2", "decimal(5,2,1)", "decimal(a,b)",
        "decimal(1000,2)", "time(s)", "time()", "timestamp(seconds)", "int32(4)", "string()",
        "strings", "date(ms)", "timestamp(ms)x", "timestamp ms", "decimal(,2)",
    };
    struct ty_spec sp;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (ty_spec_parse(bad[i], &sp))
            fail_msg("%s parsed", bad[i]);
    /* inferred types: their spec prints as their name */
    for (int t = 0; t < TY_INFERRED_; t++) {
        char buf[32];
        struct ty_spec of = ty_spec_of(t);
        assert_int_equal(of.inferred, 1);
        ty_spec_format(&of, buf, sizeof buf);
        assert_string_equal(buf, ty_name(t));
    }
    char small[6];
    assert_true(ty_spec_parse("decimal(12,2)", &sp));
    ty_spec_format(&sp, small, sizeof small);
    assert_string_equal(small, "decim");
}

/* ---- values of a spec ---- */

static struct ty_spec spec(const char *text) {
    struct ty_spec sp;
    if (!ty_spec_parse(text, &sp))
        fail_msg("%s", text);
    return sp;
}

static int value(const char *type, const struct ty_format *f, const char *s, union ty_value *v) {
    struct ty_spec sp = spec(type);
    return ty_parse_value(&sp, f, s, strlen(s), v);
}

#define FITS_I(type, s, want) do { union ty_value v_; \
    if (!value(type, NULL, s, &v_)) fail_msg("%s: %s does not fit", type, s); \
    if (v_.i != (int64_t)(want)) fail_msg("%s: %s is %lld", type, s, (long long)v_.i); } while (0)
#define FITS_U(type, s, want) do { union ty_value v_; \
    if (!value(type, NULL, s, &v_)) fail_msg("%s: %s does not fit", type, s); \
    assert_true(v_.u == (uint64_t)(want)); } while (0)
#define NOFIT(type, s) do { union ty_value v_; \
    if (value(type, NULL, s, &v_)) fail_msg("%s: %s fits", type, s); } while (0)

static void test_integer_values(void **state) {
    (void)state;
    FITS_I("int8", "-128", -128);
    FITS_I("int8", "127", 127);
    FITS_I("int8", "+0", 0);
    FITS_I("int8", "-0", 0);
    FITS_I("int8", "007", 7);
    FITS_I("int8", "-0000000000000000000000000127", -127);
    NOFIT("int8", "128");
    NOFIT("int8", "-129");
    FITS_I("int16", "-32768", -32768);
    FITS_I("int16", "32767", 32767);
    NOFIT("int16", "32768");
    NOFIT("int16", "-32769");
    FITS_I("int32", "-2147483648", INT32_MIN);
    FITS_I("int32", "2147483647", INT32_MAX);
    NOFIT("int32", "2147483648");
    NOFIT("int32", "-2147483649");
    FITS_I("int64", "-9223372036854775808", INT64_MIN);
    FITS_I("int64", "9223372036854775807", INT64_MAX);
    FITS_I("int64", "00", 0);
    NOFIT("int64", "9223372036854775808");
    NOFIT("int64", "99999999999999999999999");
    FITS_U("uint8", "255", 255);
    FITS_U("uint8", "+255", 255);
    FITS_U("uint8", "000255", 255);
    NOFIT("uint8", "256");
    NOFIT("uint8", "-1");
    NOFIT("uint8", "-0");
    FITS_U("uint16", "65535", 65535);
    NOFIT("uint16", "65536");
    FITS_U("uint32", "4294967295", UINT32_MAX);
    NOFIT("uint32", "4294967296");
    FITS_U("uint64", "18446744073709551615", UINT64_MAX);
    NOFIT("uint64", "18446744073709551616");
    static const char *const bad[] = { "", "+", "-", "1.0", "1e3", " 1", "1 ", "0x10", "1_000", "1,000", "--1", "+-1" };
    static const char *const types[] = { "int8", "int32", "int64", "uint8", "uint64" };
    for (size_t t = 0; t < sizeof types / sizeof *types; t++)
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
            NOFIT(types[t], bad[i]);
    /* inference's int64 keeps refusing leading zeros */
    struct ty_spec inf = ty_spec_of(TY_INT64);
    union ty_value v;
    assert_false(ty_parse_value(&inf, NULL, "007", 3, &v));
    assert_true(ty_parse_value(&inf, NULL, "-7", 2, &v) && v.i == -7);
    /* booleans */
    assert_true(value("boolean", NULL, "TRUE", &v) && v.i == 1);
    assert_true(value("boolean", NULL, "false", &v) && v.i == 0);
    assert_false(value("boolean", NULL, "1", &v));
    /* strings and binary fit anything */
    assert_true(value("string", NULL, "", &v));
    assert_true(value("binary", NULL, "\xff", &v));
}

static void test_real_values(void **state) {
    (void)state;
    union ty_value v;
    struct ty_format comma = { .decimal_comma = 1 };
    assert_true(value("double", NULL, "0.1", &v) && v.d == 0.1);
    assert_true(value("double", NULL, "007.5", &v) && v.d == 7.5);
    assert_true(value("double", NULL, "-00", &v) && v.d == 0 && signbit(v.d));
    assert_true(value("double", NULL, "1e400", &v) && isinf(v.d));
    assert_false(value("double", NULL, "1,5", &v));
    assert_true(value("double", &comma, "1,5", &v) && v.d == 1.5);
    assert_true(value("double", &comma, "-,5e1", &v) && v.d == -5);
    assert_true(value("double", &comma, "12", &v) && v.d == 12);
    assert_false(value("double", &comma, "1.5", &v));
    assert_false(value("double", &comma, "1,5,0", &v));
    assert_false(value("double", &comma, "1.000,5", &v));
    struct ty_spec inf = ty_spec_of(TY_DOUBLE);
    assert_false(ty_parse_value(&inf, NULL, "00.5", 4, &v));
    assert_true(ty_parse_value(&inf, &comma, "0,5", 3, &v) && v.d == 0.5);
    assert_false(ty_parse_value(&inf, &comma, "00,5", 4, &v));
    /* float: rounded once, to nearest; finite overflow does not fit */
    assert_true(value("float", NULL, "0.1", &v) && v.d == (double)0.1f);
    assert_true(value("float", NULL, "3.4028235e38", &v) && v.d == (double)FLT_MAX);
    assert_true(value("float", NULL, "3.40282356e38", &v) && v.d == (double)FLT_MAX);
    assert_false(value("float", NULL, "3.4028236e38", &v));
    assert_false(value("float", NULL, "-1e39", &v));
    assert_false(value("float", NULL, "1e400", &v));
    assert_true(value("float", NULL, "-inf", &v) && isinf(v.d) && v.d < 0);
    assert_true(value("float", NULL, "NaN", &v) && isnan(v.d));
    assert_true(value("float", NULL, "1e-50", &v) && v.d == 0);
    assert_true(value("float", NULL, "1e-45", &v) && v.d > 0);
    assert_true(value("float", NULL, "16777217", &v) && v.d == 16777216.0);
    /* 1 + 2^-24 + 2^-80: just above the midpoint of two floats, but its
       double is the midpoint itself, which rounds to even (down): rounding
       once, from the text, goes up */
    assert_true(value("float", NULL, "1.0000000596046447753906258271806190991376", &v) &&
                v.d == (double)nextafterf(1.0f, 2.0f));
    assert_true(value("float", &comma, "2,5", &v) && v.d == 2.5);
    assert_false(value("float", &comma, "2.5", &v));
}

static void check_dec(const char *type, const struct ty_format *f, const char *s, int64_t hi,
                      uint64_t lo) {
    union ty_value v;
    if (!value(type, f, s, &v))
        fail_msg("%s: %s does not fit", type, s);
    if (v.dec.hi != hi || v.dec.lo != lo)
        fail_msg("%s: %s is %lld:%llu", type, s, (long long)v.dec.hi, (unsigned long long)v.dec.lo);
}

static void test_decimal_values(void **state) {
    (void)state;
    struct ty_format comma = { .decimal_comma = 1 };
    check_dec("decimal(5,2)", NULL, "1.5", 0, 150);
    check_dec("decimal(5,2)", NULL, "-1.5", -1, (uint64_t)-150);
    check_dec("decimal(5,2)", NULL, "999.99", 0, 99999);
    check_dec("decimal(5,2)", NULL, "-999.99", -1, (uint64_t)-99999);
    check_dec("decimal(5,2)", NULL, "0001.2000", 0, 120);
    check_dec("decimal(5,2)", NULL, ".5", 0, 50);
    check_dec("decimal(5,2)", NULL, "5.", 0, 500);
    check_dec("decimal(5,2)", NULL, "+5", 0, 500);
    check_dec("decimal(5,2)", NULL, "-0", 0, 0);
    check_dec("decimal(5,2)", NULL, "1.5e2", 0, 15000);
    check_dec("decimal(5,2)", NULL, "1500E-4", 0, 15);  /* 0.1500 */
    check_dec("decimal(5,2)", NULL, "0e99999", 0, 0);
    check_dec("decimal(5,2)", NULL, "0.000000000000000000000000000000000000000000000", 0, 0);
    check_dec("decimal(5,2)", &comma, "-1,25", -1, (uint64_t)-125);
    check_dec("decimal(5,2)", &comma, "7", 0, 700);
    check_dec("decimal(1,0)", NULL, "9", 0, 9);
    check_dec("decimal(1,1)", NULL, "-.9", -1, (uint64_t)-9);
    check_dec("decimal(38,0)", NULL, "99999999999999999999999999999999999999",
              0x4b3b4ca85a86c47a, 0x098a223fffffffff);
    check_dec("decimal(38,0)", NULL, "-99999999999999999999999999999999999999",
              (int64_t)~0x4b3b4ca85a86c47aull, ~0x098a223fffffffffull + 1);
    check_dec("decimal(38,38)", NULL, "0.99999999999999999999999999999999999999",
              0x4b3b4ca85a86c47a, 0x098a223fffffffff);
    check_dec("decimal(20,0)", NULL, "18446744073709551616", 1, 0);
    check_dec("decimal(20,0)", NULL, "-18446744073709551616", -1, 0);
    union ty_value v;
    static const char *const bad52[] = {
        "1.234", "1000", "-1000", "99999.9", "1.5e3", "1e-3", "150E-4", "", ".", "-", "+.", "e5", "1e",
        "1e+", "1.2.3", "1,5", " 1", "1 ", "nan", "inf", "0x1", "1..2", "--1",
    };
    for (size_t i = 0; i < sizeof bad52 / sizeof *bad52; i++)
        if (value("decimal(5,2)", NULL, bad52[i], &v))
            fail_msg("decimal(5,2): %s fits", bad52[i]);
    assert_false(value("decimal(5,2)", &comma, "1.5", &v));
    assert_false(value("decimal(38,0)", NULL, "100000000000000000000000000000000000000", &v));
    assert_false(value("decimal(38,0)", NULL, "1e38", &v));
    assert_true(value("decimal(38,0)", NULL, "1e37", &v));
    assert_false(value("decimal(38,0)", NULL, "1e999999999999", &v));
    assert_false(value("decimal(1,0)", NULL, "10", &v));
    assert_true(value("decimal(3,1)", NULL, "12.30000000000000000000000000000000000000000000000", &v) &&
                v.dec.lo == 123);
}

static void test_time_values(void **state) {
    (void)state;
    FITS_I("time", "00:00", 0);
    FITS_I("time", "0:00", 0);
    FITS_I("time", "9:05:01", (9 * 3600 + 5 * 60 + 1) * 1000000LL);
    FITS_I("time", "23:59:59.999999", 86399999999LL);
    FITS_I("time", "12:00:00.5", 43200500000LL);
    FITS_I("time", "12:00:00.500000000", 43200500000LL);
    FITS_I("time(ms)", "23:59:59.999", 86399999);
    FITS_I("time(ms)", "00:00:00.1", 100);
    FITS_I("time(ns)", "23:59:59.999999999", 86399999999999LL);
    FITS_I("time(ns)", "00:00:00.000000001", 1);
    NOFIT("time(ms)", "00:00:00.0001");
    NOFIT("time", "00:00:00.0000001");
    NOFIT("time(ns)", "00:00:00.0000000001");
    NOFIT("time", "24:00");
    NOFIT("time", "23:60");
    NOFIT("time", "23:59:60");
    NOFIT("time", "123:00");
    NOFIT("time", "1:2");
    NOFIT("time", "12:00:");
    NOFIT("time", "12:00:00.");
    NOFIT("time", "12:00:00Z");
    NOFIT("time", "");
    NOFIT("time", "2024-01-01 12:00");
    struct ty_spec inf = spec("time(ms)");
    inf.inferred = 1;
    union ty_value v;
    assert_false(ty_parse_value(&inf, NULL, "00:00:00.1000", 13, &v));
}

static void test_timestamp_values(void **state) {
    (void)state;
    FITS_I("timestamp", "1970-01-01 00:00:01", 1000000);
    FITS_I("timestamp", "1970-01-01T00:00:00.000001", 1);
    FITS_I("timestamp", "1970-01-01 00:00:00.0000010", 1);
    FITS_I("timestamp", "1969-12-31", -86400000000LL);
    NOFIT("timestamp", "1970-01-01 00:00:00.0000001");
    NOFIT("timestamp", "1970-01-01 00:00:00Z");
    FITS_I("timestamp(ms)", "1970-01-01 00:00:01.5", 1500);
    FITS_I("timestamp(ms)", "0001-01-01", -62135596800000LL);
    FITS_I("timestamp(ms)", "9999-12-31 23:59:59.999", 253402300799999LL);
    NOFIT("timestamp(ms)", "1970-01-01 00:00:01.5001");
    FITS_I("timestamp(ns)", "1970-01-01 00:00:00.000000001", 1);
    FITS_I("timestamp(ns)", "2262-04-11 23:47:16.854775807", INT64_MAX);
    FITS_I("timestamp(ns)", "1677-09-21 00:12:43.145224192", INT64_MIN);
    NOFIT("timestamp(ns)", "2262-04-11 23:47:16.854775808");
    NOFIT("timestamp(ns)", "1677-09-21 00:12:43.145224191");
    NOFIT("timestamp(ns)", "9999-12-31");
    FITS_I("timestamp_utc", "1970-01-01 02:00+02:00", 0);
    FITS_I("timestamp_utc", "1970-01-01 00:00:00-0130", 5400000000LL);
    FITS_I("timestamp_utc", "1970-01-01 00:00:00-01", 3600000000LL);
    FITS_I("timestamp_utc(ns)", "1970-01-01T00:00:00.123456789Z", 123456789);
    FITS_I("timestamp_utc(ms)", "1970-01-01T00:00:00.123Z", 123);
    NOFIT("timestamp_utc", "1970-01-01 00:00:00");
    NOFIT("timestamp_utc", "1970-01-01");
    NOFIT("timestamp_utc", "1970-01-01 00:00:00+24:00");
    NOFIT("timestamp_utc", "1970-01-01 00:00:00+2");
    NOFIT("timestamp_utc(ns)", "2262-04-11 23:47:16.854775808Z");
    FITS_I("timestamp_utc(ns)", "2262-04-12 00:47:16.854775807+01:00", INT64_MAX);
    /* inference's timestamps keep refusing digits beyond microseconds */
    struct ty_spec inf = ty_spec_of(TY_TIMESTAMP);
    union ty_value v;
    const char *s = "1970-01-01 00:00:00.0000010";
    assert_false(ty_parse_value(&inf, NULL, s, strlen(s), &v));
    s = "1970-01-01 00:00:00.000001";
    assert_true(ty_parse_value(&inf, NULL, s, strlen(s), &v) && v.i == 1);
}

/* Dates through formats, and the ISO forms beside them. */
#define FMT_I(type, f, s, want) do { union ty_value v_; \
    if (!value(type, f, s, &v_)) fail_msg("%s: %s does not fit", type, s); \
    if (v_.i != (int64_t)(want)) fail_msg("%s: %s is %lld, not %lld", type, s, (long long)v_.i, (long long)(want)); } while (0)
#define FMT_NO(type, f, s) do { union ty_value v_; \
    if (value(type, f, s, &v_)) fail_msg("%s: %s fits", type, s); } while (0)

static void test_formats(void **state) {
    (void)state;
    const int64_t day = 86400000000LL, d20240203 = 19756;
    struct ty_format f = { .date_format = "%d/%m/%Y" };
    FMT_I("date", &f, "03/02/2024", d20240203);
    FMT_I("date", &f, "3/2/2024", d20240203);
    FMT_I("date", &f, "2024-02-03", d20240203);      /* ISO still fits */
    FMT_I("timestamp", &f, "3/2/2024", d20240203 * day);
    FMT_NO("date", &f, "30/02/2024");
    FMT_NO("date", &f, "3/2/24");
    FMT_NO("date", &f, "003/2/2024");
    FMT_NO("date", &f, "3/2/2024 ");
    FMT_NO("date", &f, "3-2-2024");
    FMT_NO("date", &f, "");
    f.date_format = "%Y-%d-%m";                        /* the format wins over ISO */
    FMT_I("date", &f, "2024-03-02", d20240203);
    f.date_format = "%Y%m%d";
    FMT_I("date", &f, "20240203", d20240203);
    f.date_format = "%b %e, %Y";
    FMT_I("date", &f, "Feb  3, 2024", d20240203);
    FMT_I("date", &f, "FEBRUARY 3, 2024", d20240203);
    FMT_I("date", &f, "feb 03, 2024", d20240203);
    FMT_NO("date", &f, "Fev 3, 2024");
    f.date_format = "%a %d %B %Y";
    FMT_I("date", &f, "Saturday 03 February 2024", d20240203);
    FMT_I("date", &f, "sat 03 February 2024", d20240203);
    FMT_NO("date", &f, "Sun 03 February 2024");
    f.date_format = "%Y.%j";
    FMT_I("date", &f, "2024.34", d20240203);
    FMT_I("date", &f, "2024.366", 19723 + 365);
    FMT_NO("date", &f, "2023.366");
    f.date_format = "%D";
    FMT_I("date", &f, "02/03/24", d20240203);
    FMT_I("date", &f, "02/03/69", -332);               /* 1969-02-03 */
    FMT_I("date", &f, "2/3/68", ty_days_from_civil(2068, 2, 3));
    f.date_format = "%F %%";
    FMT_I("date", &f, "2024-02-03 %", d20240203);
    f.date_format = "%d/%m/%Y %H:%M";                   /* a date: the time must be 0 */
    FMT_I("date", &f, "3/2/2024 00:00", d20240203);
    FMT_NO("date", &f, "3/2/2024 00:01");

    struct ty_format t = { .timestamp_format = "%d/%m/%Y %I:%M:%S %p" };
    FMT_I("timestamp", &t, "3/2/2024 12:00:00 AM", d20240203 * day);
    FMT_I("timestamp", &t, "3/2/2024 12:00:00 pm", d20240203 * day + 12 * 3600000000LL);
    FMT_I("timestamp", &t, "3/2/2024 1:02:03 PM", d20240203 * day + (13 * 3600 + 2 * 60 + 3) * 1000000LL);
    FMT_I("timestamp", &t, "2024-02-03 13:02:03", d20240203 * day + (13 * 3600 + 2 * 60 + 3) * 1000000LL);
    FMT_NO("timestamp", &t, "3/2/2024 13:02:03 PM");
    FMT_NO("timestamp", &t, "3/2/2024 0:02:03 PM");
    t.timestamp_format = "%Y-%m-%dT%T.%f%z";
    FMT_I("timestamp_utc", &t, "2024-02-03T01:00:00.5+01:00", d20240203 * day + 500000);
    FMT_I("timestamp_utc", &t, "2024-02-03T01:00:00.5+0100", d20240203 * day + 500000);
    FMT_I("timestamp_utc", &t, "2024-02-03T00:00:00.5Z", d20240203 * day + 500000);
    FMT_I("timestamp_utc", &t, "2024-02-03T00:00:00.5-00", d20240203 * day + 500000);
    FMT_I("timestamp_utc(ns)", &t, "2024-02-03T00:00:00.123456789Z", d20240203 * day * 1000 + 123456789);
    FMT_NO("timestamp_utc", &t, "2024-02-03T00:00:00.123456789Z");   /* finer than us */
    FMT_NO("timestamp", &t, "2024-02-03T00:00:00.5Z");               /* a zone: not local */
    FMT_NO("timestamp_utc", &t, "2024-02-03T00:00:00.1234567890Z");
    t.timestamp_format = "%d.%m.%Y %R %Z";
    FMT_I("timestamp_utc", &t, "3.2.2024 10:30 UTC", d20240203 * day + 37800000000LL);
    FMT_I("timestamp_utc", &t, "3.2.2024 10:30 GMT", d20240203 * day + 37800000000LL);
    FMT_NO("timestamp_utc", &t, "3.2.2024 10:30 CET");
    t.timestamp_format = "%Y-%m-%d %H";
    FMT_I("timestamp(ms)", &t, "1970-01-01 05", 5 * 3600000LL);
    t.timestamp_format = "%s";                                       /* not a directive */
    FMT_NO("timestamp", &t, "12");
    t.timestamp_format = "%Y-%m-%d %";
    FMT_NO("timestamp", &t, "2024-01-01 %");
    t.timestamp_format = "%H:%M";                                    /* no date */
    FMT_NO("timestamp", &t, "10:30");
}

static void test_format_check(void **state) {
    (void)state;
    char msg[128];
    assert_true(ty_format_check("%d/%m/%Y", TY_DATE, msg, sizeof msg));
    assert_true(ty_format_check("%Y.%j", TY_DATE, msg, sizeof msg));
    assert_true(ty_format_check("%D", TY_DATE, msg, sizeof msg));
    assert_true(ty_format_check("%d %b %Y %I:%M %p %z", TY_TIMESTAMP, msg, sizeof msg));
    assert_false(ty_format_check("%d/%m/%Y %H", TY_DATE, msg, sizeof msg));
    assert_non_null(strstr(msg, "%H"));
    assert_false(ty_format_check("%d/%m", TY_DATE, msg, sizeof msg));
    assert_non_null(strstr(msg, "year"));
    assert_false(ty_format_check("%Y-%m", TY_DATE, msg, sizeof msg));
    assert_non_null(strstr(msg, "day"));
    assert_false(ty_format_check("%F %I:%M", TY_TIMESTAMP, msg, sizeof msg));
    assert_non_null(strstr(msg, "%p"));
    assert_false(ty_format_check("%F %Q", TY_TIMESTAMP, msg, sizeof msg));
    assert_non_null(strstr(msg, "%Q"));
    assert_false(ty_format_check("%F %", TY_TIMESTAMP, msg, sizeof msg));
    assert_non_null(strstr(msg, "%"));
}

static void test_mask_fmt(void **state) {
    (void)state;
#define MF(f, s) ty_mask_fmt(f, s, strlen(s))
    /* no format: ty_mask itself */
    static const char *const samples[] = {
        "1", "-2.5", "007", "2024-01-01", "2024-01-01 10:00", "2024-01-01T10:00Z", "true", "",
        "x", "1e5", "12345678901234567890", "nan", "1,5",
    };
    struct ty_format none = {0};
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        assert_int_equal(MF(NULL, samples[i]), ty_mask(samples[i], strlen(samples[i])));
        assert_int_equal(MF(&none, samples[i]), ty_mask(samples[i], strlen(samples[i])));
    }
    struct ty_format f = { .date_format = "%Y%m%d", .timestamp_format = "%d/%m/%Y %H:%M%z" };
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++)   /* the formats add, never take */
        assert_int_equal(MF(&f, samples[i]) & ty_mask(samples[i], strlen(samples[i])),
                         ty_mask(samples[i], strlen(samples[i])));
    assert_int_equal(ty_from_mask(MF(&f, "20240203") & MF(&f, "20240204")), TY_DATE);
    assert_int_equal(ty_from_mask(MF(&f, "20240203") & MF(&f, "2024-02-04")), TY_DATE);
    assert_int_equal(ty_from_mask(MF(&f, "20240203") & MF(&f, "2024-02-04 10:00")), TY_TIMESTAMP);
    assert_int_equal(ty_from_mask(MF(&f, "20240203") & MF(&f, "5")), TY_STRING);
    assert_int_equal(ty_from_mask(MF(&f, "20241303")), TY_INT64);   /* no date: a number */
    assert_int_equal(ty_from_mask(MF(&f, "3/2/2024 10:00+01:00")), TY_TIMESTAMP_UTC);
    assert_int_equal(ty_from_mask(MF(&f, "3/2/2024 10:00+01:00") & MF(&f, "2024-01-01T00:00Z")),
                     TY_TIMESTAMP_UTC);
    assert_int_equal(ty_from_mask(MF(&f, "1") & MF(&f, "2.5")), TY_DOUBLE);
    assert_int_equal(ty_from_mask(MF(&f, "007")), TY_STRING);
    assert_int_equal(ty_from_mask(MF(&f, "2024-01-01 00:00:00.0000010")), TY_STRING);
    struct ty_format c = { .decimal_comma = 1 };
    assert_int_equal(ty_from_mask(MF(&c, "1,5") & MF(&c, "2")), TY_DOUBLE);
    assert_int_equal(ty_from_mask(MF(&c, "1.5")), TY_STRING);
    assert_int_equal(ty_from_mask(MF(&c, "12")), TY_INT64);
    assert_int_equal(ty_from_mask(MF(&c, "01,5")), TY_STRING);
    assert_int_equal(ty_from_mask(MF(&c, "2024-01-01")), TY_DATE);
    assert_int_equal(ty_from_mask(MF(&c, "TRUE")), TY_BOOLEAN);
    assert_int_equal(ty_from_mask(MF(&c, "")), TY_STRING);
#undef MF
}

static void test_compare(void **state) {
    (void)state;
    struct ty_spec u = spec("uint64"), i = spec("int64"), d = spec("double"), dec = spec("decimal(30,2)");
    union ty_value a, b;
    a.u = 1;
    b.u = UINT64_MAX;
    assert_true(ty_compare(&u, &a, &b) < 0);
    assert_true(ty_compare(&i, &a, &b) > 0);
    a.d = NAN;
    b.d = INFINITY;
    assert_true(ty_compare(&d, &a, &b) > 0);
    assert_true(ty_compare(&d, &b, &a) < 0);
    assert_int_equal(ty_compare(&d, &a, &a), 0);
    a.d = -0.0;
    b.d = 0.0;
    assert_int_equal(ty_compare(&d, &a, &b), 0);
    assert_true(value("decimal(30,2)", NULL, "-18446744073709551616", &a));
    assert_true(value("decimal(30,2)", NULL, "1", &b));
    assert_true(ty_compare(&dec, &a, &b) < 0);
    assert_true(ty_compare(&dec, &b, &a) > 0);
    assert_true(value("decimal(30,2)", NULL, "0.01", &a));
    assert_true(ty_compare(&dec, &a, &b) < 0);
    assert_int_equal(ty_compare(&dec, &b, &b), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_known),
        cmocka_unit_test(test_double_random),
        cmocka_unit_test(test_int64),
        cmocka_unit_test(test_double_differential),
        cmocka_unit_test(test_double_halfway),
        cmocka_unit_test(test_double_edges),
        cmocka_unit_test(test_double_exhaustive),
        cmocka_unit_test(test_int64_differential),
        cmocka_unit_test(test_words_differential),
        cmocka_unit_test(test_utf8_differential),
        cmocka_unit_test(test_utf8_exhaustive),
        cmocka_unit_test(test_utf8_edges),
        cmocka_unit_test(test_utf8_random),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_timestamps_differential),
        cmocka_unit_test(test_inference),
        cmocka_unit_test(test_spec),
        cmocka_unit_test(test_integer_values),
        cmocka_unit_test(test_real_values),
        cmocka_unit_test(test_decimal_values),
        cmocka_unit_test(test_time_values),
        cmocka_unit_test(test_timestamp_values),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_format_check),
        cmocka_unit_test(test_mask_fmt),
        cmocka_unit_test(test_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
