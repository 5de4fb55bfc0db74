#include "types.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[TY_COUNT_] = {
    "boolean", "int64", "double", "date", "timestamp", "timestamp_utc", "string",
    "int8", "int16", "int32", "uint8", "uint16", "uint32", "uint64",
    "float", "decimal", "time", "binary"
};

const char *ty_name(int type) {
    return type >= 0 && type < TY_COUNT_ ? names[type] : "unknown";
}

int ty_from_name(const char *name) {
    for (int t = 0; t < TY_COUNT_; t++)
        if (strcmp(name, names[t]) == 0)
            return t;
    return -1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int lower_eq(const char *s, size_t n, const char *word) {
    size_t k = strlen(word);
    if (n != k)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

int ty_parse_bool(const char *s, size_t n, int *v) {
    if (lower_eq(s, n, "true")) {
        *v = 1;
        return 1;
    }
    if (lower_eq(s, n, "false")) {
        *v = 0;
        return 1;
    }
    return 0;
}

int ty_parse_int64(const char *s, size_t n, int64_t *v) {
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == n || !is_digit(s[i]))
        return 0;
    if (s[i] == '0' && n - i > 1)     /* leading zeros would be lost */
        return 0;
    uint64_t acc = 0;
    for (; i < n; i++) {
        if (!is_digit(s[i]))
            return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (acc > (UINT64_MAX - d) / 10)
            return 0;
        acc = acc * 10 + d;
    }
    if (neg) {
        if (acc > (uint64_t)INT64_MAX + 1)
            return 0;
        *v = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    } else {
        if (acc > (uint64_t)INT64_MAX)
            return 0;
        *v = (int64_t)acc;
    }
    return 1;
}

/* Parse a decimal floating-point literal: [+-] digits [. digits]
   [e [+-] digits], with at least one mantissa digit and no superfluous
   leading zero, or an inf/infinity/nan word.  Returns 0 when the text is
   not one.  Short mantissas with small exponents take Clinger's exact fast
   path (both the mantissa and the power of ten are exact doubles, so one
   multiplication or division rounds correctly); everything else goes to
   strtod, so the bits always equal strtod's in the C locale. */
int ty_parse_double(const char *s, size_t n, double *v) {
    static const double pow10[23] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };
    size_t i = 0;
    int neg = 0;
    if (n == 0)
        return 0;
    if (s[0] == '-' || s[0] == '+')
        neg = s[i++] == '-';
    if (i < n && !is_digit(s[i]) && s[i] != '.') {
        if (!lower_eq(s + i, n - i, "inf") && !lower_eq(s + i, n - i, "infinity") &&
            !lower_eq(s + i, n - i, "nan"))
            return 0;
        *v = s[i] == 'n' || s[i] == 'N' ? (neg ? -NAN : NAN) : (neg ? -INFINITY : INFINITY);
        return 1;
    }
    uint64_t m = 0;
    int digits_m = 0;                /* significant digits accumulated in m */
    int exp10 = 0;
    size_t int_start = i;
    for (; i < n && is_digit(s[i]); i++) {
        if (m == 0 && s[i] == '0')
            continue;
        if (digits_m < 19) {
            m = m * 10 + (uint64_t)(s[i] - '0');
            digits_m++;
        } else {
            exp10++;
            digits_m = 99;           /* too many digits for the fast path */
        }
    }
    size_t int_digits = i - int_start;
    if (int_digits > 1 && s[int_start] == '0')
        return 0;
    size_t frac_digits = 0;
    if (i < n && s[i] == '.') {
        size_t f = ++i;
        for (; i < n && is_digit(s[i]); i++) {
            if (m == 0 && s[i] == '0') {
                exp10--;
                continue;
            }
            if (digits_m < 19) {
                m = m * 10 + (uint64_t)(s[i] - '0');
                digits_m++;
                exp10--;
            } else {
                digits_m = 99;
            }
        }
        frac_digits = i - f;
    }
    if (int_digits + frac_digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        size_t e0 = i;
        int e = 0;
        for (; i < n && is_digit(s[i]); i++)
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
        if (i == e0)
            return 0;
        exp10 += eneg ? -e : e;
    }
    if (i != n)
        return 0;
    if (digits_m <= 15 && m <= (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
        double d = (double)m;
        d = exp10 < 0 ? d / pow10[-exp10] : d * pow10[exp10];
        *v = neg ? -d : d;
        return 1;
    }
    char buf[512];
    if (n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    *v = strtod(buf, &end);
    return end == buf + n;
}

int64_t ty_days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void ty_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* n digits at s as a number, or -1. */
static int digits(const char *s, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int days_in_month(int y, int m) {
    static const unsigned char dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* YYYY-MM-DD at the start of s (at least 10 bytes). */
static int date_prefix(const char *s, int64_t *days) {
    if (s[4] != '-' || s[7] != '-')
        return 0;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return 0;
    *days = ty_days_from_civil(y, (unsigned)m, (unsigned)d);
    return 1;
}

int ty_parse_date(const char *s, size_t n, int32_t *days) {
    int64_t d;
    if (n != 10 || !date_prefix(s, &d))
        return 0;
    *days = (int32_t)d;
    return 1;
}

int ty_parse_timestamp(const char *s, size_t n, int64_t *micros, int *utc) {
    int64_t days;
    if (n < 10 || !date_prefix(s, &days))
        return 0;
    int64_t us = days * 86400000000LL;
    *utc = 0;
    if (n == 10) {
        *micros = us;
        return 1;
    }
    if (n < 16 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':')
        return 0;
    int hh = digits(s + 11, 2), mm = digits(s + 14, 2), ss = 0;
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
        return 0;
    size_t i = 16;
    int64_t frac = 0;
    if (i < n && s[i] == ':') {
        if (n - i < 3 || (ss = digits(s + i + 1, 2)) < 0 || ss > 59)
            return 0;
        i += 3;
        if (i < n && s[i] == '.') {
            size_t f = ++i;
            while (i < n && is_digit(s[i]))
                i++;
            size_t nd = i - f;
            if (nd == 0 || nd > 6)    /* finer than microseconds would be lost */
                return 0;
            frac = digits(s + f, nd);
            for (size_t k = nd; k < 6; k++)
                frac *= 10;
        }
    }
    us += ((int64_t)hh * 3600 + mm * 60 + ss) * 1000000LL + frac;
    if (i < n) {
        if (s[i] == 'Z' && i + 1 == n) {
            *utc = 1;
        } else if (s[i] == '+' || s[i] == '-') {
            int sign = s[i] == '-' ? -1 : 1;
            size_t rest = n - i - 1;
            const char *z = s + i + 1;
            int oh, om = 0;
            if (rest == 2)
                oh = digits(z, 2);
            else if (rest == 4)
                oh = digits(z, 2), om = digits(z + 2, 2);
            else if (rest == 5 && z[2] == ':')
                oh = digits(z, 2), om = digits(z + 3, 2);
            else
                return 0;
            if (oh < 0 || oh > 23 || om < 0 || om > 59)
                return 0;
            us -= sign * ((int64_t)oh * 3600 + om * 60) * 1000000LL;
            *utc = 1;
        } else {
            return 0;
        }
    }
    *micros = us;
    return 1;
}

unsigned ty_mask(const char *s, size_t n) {
    unsigned m = TY_BIT(TY_STRING);
    if (n == 0)
        return m;
    char c = s[0];
    if (c == 't' || c == 'T' || c == 'f' || c == 'F') {
        int b;
        if (ty_parse_bool(s, n, &b))
            return m | TY_BIT(TY_BOOLEAN);
    }
    if (n >= 10 && is_digit(c) && s[4] == '-') {
        int32_t d;
        int64_t us;
        int utc;
        if (ty_parse_date(s, n, &d))
            return m | TY_BIT(TY_DATE) | TY_BIT(TY_TIMESTAMP);
        if (ty_parse_timestamp(s, n, &us, &utc))
            return m | TY_BIT(utc ? TY_TIMESTAMP_UTC : TY_TIMESTAMP);
        return m;
    }
    int64_t i;
    if (ty_parse_int64(s, n, &i))
        return m | TY_BIT(TY_INT64) | TY_BIT(TY_DOUBLE);
    size_t k = s[0] == '-' || s[0] == '+';
    while (k < n && is_digit(s[k]))
        k++;
    if (k == n)                       /* an integer beyond int64: as a double */
        return m;                     /* it would be rounded, so keep the text */
    double v;
    if (ty_parse_double(s, n, &v))
        return m | TY_BIT(TY_DOUBLE);
    return m;
}

int ty_from_mask(unsigned mask) {
    for (int t = 0; t < TY_COUNT_; t++)
        if (mask & TY_BIT(t))
            return t;
    return TY_STRING;
}

struct ty_spec ty_spec_of(int type) {
    struct ty_spec s = { .type = type, .unit = TY_UNIT_US };
    return s;
}
