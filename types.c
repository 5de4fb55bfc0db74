#include "types.h"

#include <float.h>
#include <pthread.h>
#include <stdatomic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <tmmintrin.h>
#define TY_SSSE3 1                   /* ty_utf8_valid_text by 16 bytes where the CPU has SSSE3 */
#endif

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#if defined(__GNUC__) || defined(__clang__)
#  define TY_INLINE static inline __attribute__((always_inline))
#else
#  define TY_INLINE static inline
#endif

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

/* Whether s (k bytes at least) starts with the lower-case word's first k
   letters, in any case. */
static int lower_prefix(const char *s, const char *word, size_t k) {
    for (size_t i = 0; i < k; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

/* Whether s[0..n) is the lower-case word, in any case. */
static int lower_eq(const char *s, size_t n, const char *word) {
    return n == strlen(word) && lower_prefix(s, word, n);
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

/* Eight bytes of text at p as a little-endian word (the first byte lowest). */
TY_INLINE uint64_t load8(const char *p) {
    const unsigned char *u = (const unsigned char *)p;
    return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 | (uint64_t)u[3] << 24 |
           (uint64_t)u[4] << 32 | (uint64_t)u[5] << 40 | (uint64_t)u[6] << 48 |
           (uint64_t)u[7] << 56;
}

/* Four bytes of text at p as a little-endian word. */
TY_INLINE uint32_t load4(const char *p) {
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

/* The high bit of each byte of a word of digit values (a byte of text
   XOR '0': 0..9 for a digit) that is above 9, and of no other byte: no
   carry crosses from byte to byte. */
TY_INLINE uint64_t above9(uint64_t x) {
    return (((x & 0x7f7f7f7f7f7f7f7fu) + 0x7676767676767676u) | x) & 0x8080808080808080u;
}

/* The number eight digit values (0..9, a byte each) spell, the first byte
   the most significant: pairs, then quadruples, then the whole, by
   multiplications. */
TY_INLINE uint32_t value8(uint64_t x) {
    x = x * 10 + (x >> 8);
    x = ((x & 0x000000ff000000ffu) * 0x000f424000000064u +
         ((x >> 16) & 0x000000ff000000ffu) * 0x0000271000000001u) >> 32;
    return (uint32_t)x;
}

/* Read the digits at s[i..n): *m becomes *m * 10^k + their value, modulo
   2^64, for the k digits read, eight at a time while eight remain.
   Returns the index of the first non-digit (or n). */
TY_INLINE size_t digit_run(const char *s, size_t n, size_t i, uint64_t *m) {
    uint64_t acc = *m;
    while (n - i >= 8) {
        uint64_t x = load8(s + i) ^ 0x3030303030303030u;
        if (above9(x))
            break;
        acc = acc * 100000000u + value8(x);
        i += 8;
    }
    for (; i < n && is_digit(s[i]); i++)
        acc = acc * 10 + (uint64_t)(s[i] - '0');
    *m = acc;
    return i;
}

/* ---- numbers, a word at a time ----

   The common texts of integers (up to 24 bytes) and of doubles (9 to 24
   bytes) are read in one, two or three eight-byte words of digit values
   (a byte XOR '0': 0..9 for a digit), tested and valued a word at a time:
   no branch depends on a byte, nor on the length within a word, so that
   columns whose values vary in length and sign cost no mispredicted loop
   exits, and long values no loop at all.  Only the number of words and
   the point's presence choose a path.  Anything else (exponents, inf and
   nan, leading zeros, more digits) goes to the readers of a byte at a
   time, which decide.  Whole words are loaded when the caller says that
   many bytes are readable (the _in parsers), else the last word is put
   together from loads that stop at the text's end. */

/* The first avail bytes at p (1 <= avail <= 8) in a load8() word, the
   bytes past them zero, without reading p[avail] or beyond: two
   overlapping four-byte loads, or three single bytes. */
TY_INLINE uint64_t load_upto8(const char *p, size_t avail) {
    if (avail >= 8)
        return load8(p);
    if (avail >= 4)
        return load4(p) | (uint64_t)load4(p + avail - 4) << 8 * (avail - 4);
    const unsigned char *u = (const unsigned char *)p;
    return (uint64_t)u[0] | (uint64_t)u[avail / 2] << 8 * (avail / 2) |
           (uint64_t)u[avail - 1] << 8 * (avail - 1);
}

/* Whether the text starts with a sign, and the mask that clears its byte
   in a load8() word (all ones when there is none). */
TY_INLINE size_t sign_of(const char *s, uint64_t *keep) {
    size_t sign = s[0] == '-' || s[0] == '+';
    *keep = ~(-(uint64_t)sign & 0xff);
    return sign;
}

/* The text s[0..n), 1 <= n <= 8, as one word of digit values moved to the
   word's top (its last byte the highest), zeros below it, the sign's byte
   (when the text has one, *sign = 1) made a leading zero.  A whole word
   is read when readable (>= n) is 8 or more. */
TY_INLINE uint64_t text_word(const char *s, size_t n, size_t readable, size_t *sign) {
    uint64_t keep, w = readable >= 8 ? load8(s) : load_upto8(s, n);
    *sign = sign_of(s, &keep);
    return ((w ^ 0x3030303030303030u) & keep) << 8 * (8 - n);
}

/* The text s[0..n), 8 (words - 1) < n <= 8 words (2 or 3), as words of
   digit values in text order, the sign's byte made a leading zero, the
   last word's text moved to its top (zeros below), so that the words
   spell the text's digits in turn. */
TY_INLINE void text_words(const char *s, size_t n, size_t readable, uint64_t *x, size_t *sign,
                          const int words) {
    size_t last = n - 8 * (size_t)(words - 1);     /* bytes of text in the last word */
    const char *p = s + 8 * (words - 1);
    uint64_t keep, w = readable >= 8 * (size_t)words ? load8(p) : load_upto8(p, last);
    *sign = sign_of(s, &keep);
    for (int k = 0; k < words - 1; k++)
        x[k] = load8(s + 8 * k) ^ 0x3030303030303030u;
    x[0] &= keep;
    x[words - 1] = (w ^ 0x3030303030303030u) << 8 * (8 - last);
}

static const uint32_t pow10_8[9] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
};

/* The number text_words() spell, modulo 2^64 (exact up to 19 digits). */
TY_INLINE uint64_t words_value(const uint64_t *x, size_t n, const int words) {
    uint64_t acc = 0;
    for (int k = 0; k < words - 1; k++)
        acc = acc * 100000000u + value8(x[k]);
    return acc * pow10_8[n - 8 * (size_t)(words - 1)] + value8(x[words - 1]);
}

/* The int64 of sign and magnitude into *v: 0 when out of range. */
TY_INLINE int signed_value(int neg, uint64_t acc, int64_t *v) {
    if (acc > (uint64_t)INT64_MAX + neg)
        return 0;
    *v = neg ? (int64_t)(0 - acc) : (int64_t)acc;   /* two's complement: INT64_MIN too */
    return 1;
}

/* ty_parse_int64 for texts of 9 to 24 bytes: [+-] digits, 8 to 19 of
   them, no leading zero, in two or three words. */
static __attribute__((noinline)) int integer_words(const char *s, size_t n, size_t readable,
                                                  int64_t *v) {
    uint64_t x[3], acc;
    size_t sign;
    if (n <= 16) {
        text_words(s, n, readable, x, &sign, 2);
        if (above9(x[0]) | above9(x[1]))
            return 0;
        acc = words_value(x, n, 2);
    } else {
        text_words(s, n, readable, x, &sign, 3);
        if (above9(x[0]) | above9(x[1]) | above9(x[2]) || n - sign > 19)
            return 0;
        acc = words_value(x, n, 3);
    }
    return s[sign] != '0' && signed_value(s[0] == '-', acc, v);
}

int ty_parse_int64_in(const char *s, size_t n, size_t readable, int64_t *v) {
    if (n - 1 >= 8)
        return n - 1 < 24 && integer_words(s, n, readable, v);
    if (n == 1) {                    /* a column of flags or small counts */
        unsigned d = (unsigned char)s[0] - (unsigned)'0';
        if (d > 9)
            return 0;
        *v = d;
        return 1;
    }
    size_t sign;                     /* 2 to 8 bytes: a digit at least */
    uint64_t t = text_word(s, n, readable, &sign);
    if (above9(t) || (s[sign] == '0' && n - sign > 1))
        return 0;                    /* a non-digit, or a leading zero */
    return signed_value(s[0] == '-', value8(t), v);
}

int ty_parse_int64(const char *s, size_t n, int64_t *v) {
    return ty_parse_int64_in(s, n, n, v);
}

/* 5^q for q in [-342, 308], normalised so that the top bit is set and cut
   to 128 bits (high word first): truncated for q >= 0; for q < 0 the
   reciprocal 2^b / 5^-q rounded up, as the Eisel-Lemire algorithm needs
   them (Lemire, "Number Parsing at a Gigabyte per Second", 2021; b is
   worked out in pow5_init).  Computed once, on first use, with exact
   integers. */
#define POW5_MIN (-342)
#define POW5_MAX 308
static uint64_t pow5_128[POW5_MAX - POW5_MIN + 1][2];
static pthread_once_t pow5_once = PTHREAD_ONCE_INIT;
static atomic_int pow5_ready;        /* 1 once pow5_init has run: no call to
                                        pthread_once per number after that */

/* An unsigned integer of up to 26 32-bit limbs, the lowest first (5^342 <
   2^795). */
struct big {
    uint32_t w[26];
    int n;                           /* limbs in use; w[n - 1] != 0 */
};

static void big_mul5(struct big *b) {
    uint64_t c = 0;
    for (int i = 0; i < b->n; i++) {
        c += (uint64_t)b->w[i] * 5;
        b->w[i] = (uint32_t)c;
        c >>= 32;
    }
    if (c)
        b->w[b->n++] = (uint32_t)c;
}

static int big_bits(const struct big *b) {
    return b->n * 32 - __builtin_clz(b->w[b->n - 1]);
}

static int big_bit(const struct big *b, int k) {
    return k >= 0 && k / 32 < b->n ? (int)(b->w[k / 32] >> (k % 32)) & 1 : 0;
}

/* r = 2r, then r -= d when r >= d; returns whether it subtracted. */
static int big_step(struct big *r, const struct big *d) {
    uint32_t carry = 0;
    for (int i = 0; i < r->n; i++) {
        uint32_t w = r->w[i];
        r->w[i] = w << 1 | carry;
        carry = w >> 31;
    }
    if (carry)
        r->w[r->n++] = carry;
    int ge = r->n != d->n ? r->n > d->n : 1;
    for (int i = r->n - 1; i >= 0 && r->n == d->n; i--)
        if (r->w[i] != d->w[i]) {
            ge = r->w[i] > d->w[i];
            break;
        }
    if (!ge)
        return 0;
    int64_t borrow = 0;
    for (int i = 0; i < r->n; i++) {
        int64_t v = (int64_t)r->w[i] - (i < d->n ? d->w[i] : 0) - borrow;
        borrow = v < 0;
        r->w[i] = (uint32_t)(v + (borrow ? (int64_t)1 << 32 : 0));
    }
    while (r->n > 1 && r->w[r->n - 1] == 0)
        r->n--;
    return 1;
}

/* Append bit to the 128-bit number hi:lo. */
static void push_bit(uint64_t *hi, uint64_t *lo, int bit) {
    *hi = *hi << 1 | *lo >> 63;
    *lo = *lo << 1 | (uint64_t)bit;
}

static void pow5_init(void) {
    struct big b = { { 1 }, 1 };     /* 5^k, k = 0, 1, ... */
    for (int k = 0; k <= -POW5_MIN; k++) {
        int len = big_bits(&b);
        if (k <= POW5_MAX) {         /* 5^k: its top 128 bits */
            uint64_t hi = 0, lo = 0;
            for (int i = 1; i <= 128; i++)
                push_bit(&hi, &lo, big_bit(&b, len - i));
            pow5_128[k - POW5_MIN][0] = hi;
            pow5_128[k - POW5_MIN][1] = lo;
        }
        if (k > 0) {                 /* 5^-k: the reciprocal, below */
            struct big r = { { 0 }, (len - 1) / 32 + 1 };
            r.w[(len - 1) / 32] = (uint32_t)1 << ((len - 1) % 32);   /* 2^(len - 1) < 5^k */
            uint64_t hi = 0, lo = 0;
            for (int i = 0; i < 128; i++)    /* 2^(len + 127) / 5^k, truncated */
                push_bit(&hi, &lo, big_step(&r, &b));
            /* plus one for k <= 27; beyond, one more than 2^(2 len + 128) /
               5^k, truncated to its top 128 bits: one more only when the
               len + 1 bits below those are all ones */
            int ones = 1;
            for (int i = 0; k > 27 && ones && i <= len; i++)
                ones = big_step(&r, &b);
            lo += (uint64_t)ones;
            hi += ones && lo == 0;
            pow5_128[-k - POW5_MIN][0] = hi;
            pow5_128[-k - POW5_MIN][1] = lo;
        }
        big_mul5(&b);
    }
    atomic_store_explicit(&pow5_ready, 1, memory_order_release);
}
/* The double nearest to m * 10^q (m > 0, q in [POW5_MIN, POW5_MAX]),
   rounded to even on a tie, by the Eisel-Lemire algorithm: m is scaled by
   the 128-bit power of five and the exponent worked out from q.  Returns
   0 when the 128-bit product cannot decide the rounding (the caller asks
   strtod), else 1 with the value in *d. */
TY_INLINE int eisel_lemire(uint64_t m, int q, double *d) {
    int lz = __builtin_clzll(m);
    m <<= lz;
    if (!atomic_load_explicit(&pow5_ready, memory_order_acquire))
        pthread_once(&pow5_once, pow5_init);
    const uint64_t *p = pow5_128[q - POW5_MIN];
    u128 first = (u128)m * p[0];
    uint64_t hi = (uint64_t)(first >> 64), lo = (uint64_t)first;
    if ((hi & 0x1ff) == 0x1ff) {      /* the bits below the 55 kept may take a carry */
        u128 second = (u128)m * p[1];
        uint64_t shi = (uint64_t)(second >> 64);
        lo += shi;
        if (shi > lo)
            hi++;
    }
    if (lo == UINT64_MAX && (q < -27 || q > 55))   /* 5^q inexact: undecided */
        return 0;
    int upper = (int)(hi >> 63);
    int shift = upper + 64 - 52 - 3;
    uint64_t mant = hi >> shift;
    /* the biased binary exponent: floor(q log2(10)) in 16-bit fixed point */
    int power2 = ((q * (152170 + 65536)) >> 16) + 63 + upper - lz + 1023;
    uint64_t bits;
    if (power2 <= 0) {                /* subnormal, or zero */
        if (-power2 + 1 >= 64) {
            bits = 0;
        } else {
            mant >>= -power2 + 1;
            mant += mant & 1;
            mant >>= 1;
            bits = mant;              /* a carry into bit 52 makes it the smallest normal */
        }
    } else {
        /* a product exactly halfway between two doubles rounds to even */
        if (lo <= 1 && q >= -4 && q <= 23 && (mant & 3) == 1 && (mant << shift) == hi)
            mant &= ~(uint64_t)1;
        mant += mant & 1;
        mant >>= 1;
        if (mant >= (uint64_t)2 << 52) {
            mant = (uint64_t)1 << 52;
            power2++;
        }
        mant &= ~((uint64_t)1 << 52);
        bits = power2 >= 0x7ff ? (uint64_t)0x7ff << 52 : (uint64_t)power2 << 52 | mant;
    }
    memcpy(d, &bits, 8);
    return 1;
}

static const double pow10_22[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* The double nearest to m * 10^exp10 (m exact, at most 19 significant
   digits) for text s[0..n): Clinger's fast path (m and the power of ten
   both exact doubles: one multiplication or division rounds correctly),
   else zero or infinity beyond the powers of five, else Eisel-Lemire,
   else strtod.  Returns 0 when the text is refused (512 bytes or more
   and not on Clinger's path). */
static __attribute__((noinline)) int double_of(const char *s, size_t n, int neg, uint64_t m, int64_t exp10, double *v) {
    double d;
    if (m <= (uint64_t)1 << 53 && exp10 >= -22 && exp10 <= 22) {
        d = (double)m;
        d = exp10 < 0 ? d / pow10_22[-exp10] : d * pow10_22[exp10];
        *v = neg ? -d : d;
        return 1;
    }
    if (n >= 512)
        return 0;
    if (m == 0 || exp10 < POW5_MIN || exp10 > POW5_MAX) {
        d = m == 0 || exp10 < POW5_MIN ? 0.0 : INFINITY;
        *v = neg ? -d : d;
        return 1;
    }
    if (eisel_lemire(m, (int)exp10, &d)) {
        *v = neg ? -d : d;
        return 1;
    }
    char buf[512];
    memcpy(buf, s, n);
    buf[n] = 0;
    *v = strtod(buf, NULL);
    return 1;
}

/* ty_parse_double for every text its fast path leaves: exponents, words,
   more than 19 mantissa digits, and refusals. */
static __attribute__((noinline)) int parse_double_general(const char *s, size_t n, double *v) {
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
    uint64_t m = 0;                  /* every mantissa digit, modulo 2^64 */
    size_t int_start = i;
    i = digit_run(s, n, i, &m);
    size_t int_digits = i - int_start;
    if (int_digits > 1 && s[int_start] == '0')
        return 0;
    size_t frac_start = i, frac_digits = 0;
    if (i < n && s[i] == '.') {
        frac_start = ++i;
        i = digit_run(s, n, i, &m);
        frac_digits = i - frac_start;
    }
    if (int_digits + frac_digits == 0)
        return 0;
    int64_t exp10 = -(int64_t)frac_digits;
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
    /* Significant digits: all but the zeros before the first other one
       (only "0." and fraction digits can lead). */
    size_t sig = int_digits + frac_digits;
    if (sig > 19) {
        size_t z = int_digits == 1 && s[int_start] == '0';
        if (int_digits == z)
            while (z - int_digits < frac_digits && s[frac_start + z - int_digits] == '0')
                z++;
        sig -= z;
    }
    if (sig <= 19)
        return double_of(s, n, neg, m, exp10, v);
    char buf[512];
    if (n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    *v = strtod(buf, &end);
    return end == buf + n;
}

/* The double m / 10^frac_digits, m of the text's digits (at most 19 of
   them, frac_digits at most 19), negated when neg, into *v: Clinger's path
   for up to 15 digits (m below 10^15, so exact as a double), else
   Eisel-Lemire's (it rounds any m exactly, when it can decide), else
   strtod (double_of).  The choice by the count of digits, not by m <=
   2^53, keeps it predicted in a column of 15 to 17 significant digits,
   where m falls either side of 2^53 at random. */
TY_INLINE int decimal_value(const char *s, size_t n, int neg, uint64_t m, size_t digits,
                            size_t frac_digits, double *v) {
    double d;
    if (digits <= 15 || m == 0)
        d = (double)m / pow10_22[frac_digits];
    else if (!eisel_lemire(m, -(int)frac_digits, &d))
        return double_of(s, n, neg, m, -(int64_t)frac_digits, v);
    *v = neg ? -d : d;
    return 1;
}

/* decimal_words for a text of 2 or 3 words. */
TY_INLINE int decimal_words_of(const char *s, size_t n, size_t readable, double *v,
                               const int words) {
    uint64_t x[3];
    size_t sign;
    text_words(s, n, readable, x, &sign, words);
    /* the bytes that are no digit: at most one, the point, in x[0] */
    uint64_t point = above9(x[0]), odd = (point & (point - 1)) | above9(x[1]);
    if (words == 3)
        odd |= above9(x[2]);
    uint64_t unit = point >> 7;      /* the point's lowest bit */
    if (odd || (x[0] & unit * 0xff) != unit * ('.' ^ '0'))
        return parse_double_general(s, n, v);
    size_t at = point ? (size_t)__builtin_ctzll(point) / 8 : n;
    size_t int_digits = at - sign, frac_digits = point ? n - at - 1 : 0;
    if (int_digits + frac_digits > 19 || (int_digits > 1 && s[sign] == '0'))
        return parse_double_general(s, n, v);   /* too many digits, or a leading zero */
    /* the point taken out: the bytes below it move up into its place, and
       a leading zero comes in below them (no point: nothing moves) */
    uint64_t below = unit - 1;
    if (point)
        x[0] = (x[0] & below) << 8 | (x[0] & ~below << 8);
    return decimal_value(s, n, s[0] == '-', words_value(x, n, words), int_digits + frac_digits,
                         frac_digits, v);
}

/* ty_parse_double for texts of 9 bytes or more: the common text of up to
   24 bytes, with the point (if any) in its first eight, from its words;
   anything else from parse_double_general. */
static __attribute__((noinline)) int decimal_words(const char *s, size_t n, size_t readable,
                                                  double *v) {
    if (n - 9 < 8)
        return decimal_words_of(s, n, readable, v, 2);
    if (n - 17 < 8)
        return decimal_words_of(s, n, readable, v, 3);
    return parse_double_general(s, n, v);   /* none, or beyond 24 bytes */
}

/* Parse a decimal floating-point literal: [+-] digits [. digits]
   [e [+-] digits], with at least one mantissa digit and no superfluous
   leading zero, or an inf/infinity/nan word.  Returns 0 when the text is
   not one.  With at most 19 significant digits the value is exact in m
   and comes from Clinger's fast path (m and the power of ten both exact
   doubles: one multiplication or division rounds correctly) or else from
   the Eisel-Lemire algorithm; longer mantissas, and the rare products
   Eisel-Lemire cannot round, go to strtod.  Each path rounds correctly,
   so the bits always equal strtod's in the C locale.  A text of 512 bytes
   or more is refused unless Clinger's path takes it.

   The common text, [+-] digits [. digits] with 1 to 19 digits, is read
   in one pass: up to eight bytes a byte at a time, 9 to 24 bytes with the
   point (if any) among the first eight a word at a time (decimal_words);
   when the mantissa is at most 2^53 it is divided by its power of ten at
   once.  The rest of the work (strtod and its 512-byte buffer) lies in
   functions of its own, and anything else (exponents, words, longer
   mantissas, refusals) goes to parse_double_general, which reads the text
   again. */
int ty_parse_double_in(const char *s, size_t n, size_t readable, double *v) {
    if (n - 1 >= 8)
        return decimal_words(s, n, readable, v);
    /* Up to eight bytes: a byte at a time.  Word arithmetic would avoid
       the branches, but its longer chain of dependent operations (the
       point's place decides how the digits are put together) costs more
       than the branches do in a column of similar values, where they are
       predicted. */
    size_t i = s[0] == '-' || s[0] == '+';
    uint64_t m = 0;
    size_t int_start = i;
    for (; i < n && is_digit(s[i]); i++)
        m = m * 10 + (uint64_t)(s[i] - '0');
    size_t int_digits = i - int_start, frac_digits = 0;
    if (int_digits > 1 && s[int_start] == '0')
        return 0;
    if (i < n && s[i] == '.') {
        size_t frac_start = ++i;
        for (; i < n && is_digit(s[i]); i++)
            m = m * 10 + (uint64_t)(s[i] - '0');
        frac_digits = i - frac_start;
    }
    if (i != n || int_digits + frac_digits == 0)
        return parse_double_general(s, n, v);
    double d = (double)m / pow10_22[frac_digits];   /* Clinger's path: 8 digits at most */
    *v = s[0] == '-' ? -d : d;
    return 1;
}

int ty_parse_double(const char *s, size_t n, double *v) {
    return ty_parse_double_in(s, n, n, v);
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

/* Fixed layouts of digits and separators, a word at a time: in a load8()
   word of text, the high bit of each byte that must be a digit, and the
   bytes that must be separators with their values.  The digit bytes, made
   digit values (XOR '0') with the separators zeroed, become the values of
   the two-digit fields by one multiplication: byte k of pairs(x) is
   10 x[k] + x[k + 1]. */
#define YMD_DIGITS  0x0080800080808080u   /* "YYYY-MM-": Y Y Y Y - M M - */
#define YMD_SEPS    0xff0000ff00000000u
#define YMD_DASHES  0x2d00002d00000000u   /* '-' at bytes 4 and 7 */
#define HMS_DIGITS  0x8080008080008080u   /* "HH:MM:SS" */
#define HMS_SEPS    0x0000ff0000ff0000u
#define HMS_COLONS  0x00003a00003a0000u   /* ':' at bytes 2 and 5 */

TY_INLINE uint64_t pairs(uint64_t x) {
    return x * 10 + (x >> 8);
}

/* The last date date_prefix read, per thread: in a column of timestamps
   (or dates) consecutive values mostly share their date, whose day count
   is then taken from here rather than worked out again.  Its text is the
   load8() word of "YYYY-MM-" and the two bytes of "DD"; it starts as
   1970-01-01, day 0. */
static _Thread_local struct {
    uint64_t ymd;
    uint32_t dd;
    int64_t days;
} last_date = { 0x2d31302d30373931u, 0x3130u, 0 };

/* YYYY-MM-DD at the start of s (at least 10 bytes). */
static int date_prefix(const char *s, int64_t *days) {
    uint64_t a = load8(s), x = a ^ 0x3030303030303030u;
    uint32_t dd = (uint32_t)(unsigned char)s[8] | (uint32_t)(unsigned char)s[9] << 8;
    if (a == last_date.ymd && dd == last_date.dd) {
        *days = last_date.days;
        return 1;
    }
    unsigned d1 = (dd & 0xff) - (unsigned)'0', d0 = (dd >> 8) - (unsigned)'0';
    if ((a & YMD_SEPS) != YMD_DASHES || (above9(x) & YMD_DIGITS) || d1 > 9 || d0 > 9)
        return 0;
    uint64_t p = pairs(x & ~YMD_SEPS);
    int y = (int)(p & 0xff) * 100 + (int)(p >> 16 & 0xff), m = (int)(p >> 40 & 0xff);
    int d = (int)(d1 * 10 + d0);
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return 0;
    *days = ty_days_from_civil(y, (unsigned)m, (unsigned)d);
    last_date.ymd = a;
    last_date.dd = dd;
    last_date.days = *days;
    return 1;
}

int ty_parse_date(const char *s, size_t n, int32_t *days) {
    int64_t d;
    if (n != 10 || !date_prefix(s, &d))
        return 0;
    *days = (int32_t)d;
    return 1;
}

/* A zone offset that is the whole of s[0..n): +HH, +HHMM or +HH:MM (or
   '-'); *offset in seconds east of UTC.  Returns 0 when it is not one. */
static int zone_offset(const char *s, size_t n, int32_t *offset) {
    if (n < 1 || (s[0] != '+' && s[0] != '-'))
        return 0;
    int sign = s[0] == '-' ? -1 : 1;
    size_t rest = n - 1;
    const char *z = s + 1;
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
    *offset = sign * (oh * 3600 + om * 60);
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
    if (n < 16 || (s[10] != ' ' && s[10] != 'T'))
        return 0;
    int hh, mm, ss = 0;
    size_t i;
    if (n >= 19 && s[16] == ':') {   /* HH:MM:SS, as one word */
        uint64_t c = load8(s + 11), x = c ^ 0x3030303030303030u;
        if ((c & HMS_SEPS) != HMS_COLONS || (above9(x) & HMS_DIGITS))
            return 0;
        uint64_t p = pairs(x & ~HMS_SEPS);
        hh = (int)(p & 0xff), mm = (int)(p >> 24 & 0xff), ss = (int)(p >> 48 & 0xff);
        if (hh > 23 || mm > 59 || ss > 59)
            return 0;
        i = 19;
    } else {
        if (s[13] != ':' || (hh = digits(s + 11, 2)) < 0 || hh > 23 ||
            (mm = digits(s + 14, 2)) < 0 || mm > 59)
            return 0;
        i = 16;
        if (i < n && s[i] == ':')    /* a colon without two digits after it */
            return 0;
    }
    int64_t frac = 0;
    if (i == 19) {
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
            int32_t offset;
            if (!zone_offset(s + i, n - i, &offset))
                return 0;
            us -= (int64_t)offset * 1000000LL;
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
    size_t k = s[0] == '-' || s[0] == '+';
    while (k < n && is_digit(s[k]))
        k++;
    if (k == n) {                     /* [+-] digits: an int64, or text */
        int64_t i;                    /* (beyond int64 a double would round it) */
        return ty_parse_int64(s, n, &i) ? m | TY_BIT(TY_INT64) | TY_BIT(TY_DOUBLE) : m;
    }
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
    struct ty_spec s = { .type = type, .unit = TY_UNIT_US, .inferred = 1 };
    return s;
}

/* ---- type specs ---- */

static const char *const unit_names[3] = { "us", "ms", "ns" };   /* TY_UNIT_* */

static int is_space(char c) { return c == ' ' || c == '\t'; }

static void trim(const char **s, size_t *n) {
    while (*n && is_space(**s))
        (*s)++, (*n)--;
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* A parameter: a number of 1..3 digits (surrounding spaces ignored), or -1. */
static int spec_number(const char *s, size_t n) {
    trim(&s, &n);
    return n == 0 || n > 3 ? -1 : digits(s, n);
}

static int spec_unit(const char *s, size_t n) {
    trim(&s, &n);
    for (int u = 0; u < 3; u++)
        if (lower_eq(s, n, unit_names[u]))
            return u;
    return -1;
}

int ty_spec_parse(const char *text, struct ty_spec *spec) {
    const char *s = text;
    size_t n = strlen(text);
    trim(&s, &n);
    const char *open = memchr(s, '(', n), *args = NULL;
    size_t name_len = open ? (size_t)(open - s) : n, nargs = 0;
    while (name_len && is_space(s[name_len - 1]))
        name_len--;
    if (open) {
        if (s[n - 1] != ')')
            return 0;
        args = open + 1;
        nargs = (size_t)(s + n - 1 - args);
    }
    int t = -1;
    for (int k = 0; k < TY_COUNT_ && t < 0; k++)
        if (lower_eq(s, name_len, names[k]))
            t = k;
    if (t < 0)
        return 0;
    struct ty_spec r = { .type = t, .unit = TY_UNIT_US };
    if (t == TY_DECIMAL) {
        if (!args)
            return 0;
        const char *comma = memchr(args, ',', nargs);
        size_t np = comma ? (size_t)(comma - args) : nargs;
        r.precision = spec_number(args, np);
        r.scale = comma ? spec_number(comma + 1, nargs - np - 1) : 0;
        if (r.precision < 1 || r.precision > 38 || r.scale < 0 || r.scale > r.precision)
            return 0;
    } else if (t == TY_TIME || t == TY_TIMESTAMP || t == TY_TIMESTAMP_UTC) {
        if (args && (r.unit = spec_unit(args, nargs)) < 0)
            return 0;
    } else if (args) {
        return 0;
    }
    *spec = r;
    return 1;
}

void ty_spec_format(const struct ty_spec *spec, char *buf, size_t n) {
    int t = spec->type;
    if (n == 0)
        return;
    if (t == TY_DECIMAL)
        snprintf(buf, n, "decimal(%d,%d)", spec->precision, spec->scale);
    else if ((t == TY_TIME || t == TY_TIMESTAMP || t == TY_TIMESTAMP_UTC) &&
             spec->unit != TY_UNIT_US && spec->unit >= 0 && spec->unit < 3)
        snprintf(buf, n, "%s(%s)", ty_name(t), unit_names[spec->unit]);
    else
        snprintf(buf, n, "%s", ty_name(t));
}

/* ---- numbers of a spec ---- */

/* All-digit text as a number: 0 when empty, not all digits, beyond
   UINT64_MAX, or with a leading zero when zeros_ok is 0. */
static int unsigned_digits(const char *s, size_t n, int zeros_ok, uint64_t *v) {
    if (n == 0 || (!zeros_ok && s[0] == '0' && n > 1))
        return 0;
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (acc > (UINT64_MAX - d) / 10)
            return 0;
        acc = acc * 10 + d;
    }
    *v = acc;
    return 1;
}

static int parse_signed(const char *s, size_t n, int zeros_ok, int64_t min, int64_t max,
                        int64_t *v) {
    size_t i = 0;
    int neg = 0;
    if (n && (s[0] == '-' || s[0] == '+'))
        neg = s[i++] == '-';
    uint64_t a;
    if (!unsigned_digits(s + i, n - i, zeros_ok, &a))
        return 0;
    if (neg) {
        if (a > (uint64_t)(-(min + 1)) + 1)
            return 0;
        *v = a == 0 ? 0 : -(int64_t)(a - 1) - 1;
    } else {
        if (a > (uint64_t)max)
            return 0;
        *v = (int64_t)a;
    }
    return 1;
}

/* Unsigned: an optional '+', never a '-'. */
static int parse_unsigned(const char *s, size_t n, uint64_t max, uint64_t *v) {
    size_t i = n && s[0] == '+';
    uint64_t a;
    if (!unsigned_digits(s + i, n - i, 1, &a) || a > max)
        return 0;
    *v = a;
    return 1;
}

#define REAL_MAX 512                 /* longest double or float text read */

/* The text of a double or float into buf (NUL-terminated) with the
   format's decimal point made '.' and, when zeros_ok, leading zeros of the
   integer part dropped.  Its length, or 0 when it cannot be a number (a
   '.' with decimal_comma, too long). */
static size_t real_text(const struct ty_format *f, int zeros_ok, const char *s, size_t n,
                        char *buf) {
    if (n == 0 || n >= REAL_MAX)
        return 0;
    size_t i = 0, k = 0;
    if (s[0] == '-' || s[0] == '+')
        buf[k++] = s[i++];
    if (zeros_ok)
        while (i + 1 < n && s[i] == '0' && is_digit(s[i + 1]))
            i++;
    for (; i < n; i++) {
        char c = s[i];
        if (f->decimal_comma) {
            if (c == '.')
                return 0;
            if (c == ',')
                c = '.';
        }
        buf[k++] = c;
    }
    buf[k] = 0;
    return k;
}

static int parse_double_fmt(const struct ty_format *f, int zeros_ok, const char *s, size_t n,
                            double *v) {
    if (!f->decimal_comma && !zeros_ok)
        return ty_parse_double(s, n, v);
    char buf[REAL_MAX];
    size_t k = real_text(f, zeros_ok, s, n, buf);
    return k && ty_parse_double(buf, k, v);
}

/* A float: the double grammar, rounded once by strtof; a finite text
   beyond the float range does not fit. */
static int parse_float(const struct ty_format *f, int zeros_ok, const char *s, size_t n,
                       double *v) {
    char buf[REAL_MAX];
    size_t k = real_text(f, zeros_ok, s, n, buf);
    double d;
    if (!k || !ty_parse_double(buf, k, &d))
        return 0;
    if (isnan(d) || isinf(d)) {
        size_t i = buf[0] == '-' || buf[0] == '+';
        if (is_digit(buf[i]) || buf[i] == '.')   /* a number beyond double */
            return 0;
        *v = d;
        return 1;
    }
    char *end;
    float r = strtof(buf, &end);
    if (isinf(r))
        return 0;
    *v = (double)r;
    return 1;
}

static u128 pow10_u128(int k) {
    u128 p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

/* [+-] digits [point digits] [e [+-] digits] as the unscaled integer of a
   decimal(precision, scale): digits beyond the scale must be zeros and the
   result must have at most precision digits. */
static int parse_decimal(const struct ty_format *f, int precision, int scale,
                         const char *s, size_t n, union ty_value *v) {
    if (precision < 1 || precision > 38 || scale < 0 || scale > precision)
        return 0;
    char point = f->decimal_comma ? ',' : '.';
    size_t i = 0;
    int neg = 0;
    if (n && (s[0] == '-' || s[0] == '+'))
        neg = s[i++] == '-';
    size_t ia = i;
    while (i < n && is_digit(s[i]))
        i++;
    size_t ni = i - ia, fa = i, nf = 0;
    if (i < n && s[i] == point) {
        fa = ++i;
        while (i < n && is_digit(s[i]))
            i++;
        nf = i - fa;
    }
    if (ni + nf == 0)
        return 0;
    int64_t e = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        size_t e0 = i;
        for (; i < n && is_digit(s[i]); i++)
            if (e < 1000000)
                e = e * 10 + (s[i] - '0');
        if (i == e0)
            return 0;
        if (eneg)
            e = -e;
    }
    if (i != n)
        return 0;
    /* unscaled = digits * 10^shift; the last -shift digits must be zeros */
    int64_t shift = e - (int64_t)nf + scale;
    size_t total = ni + nf;
    size_t keep = shift >= 0 ? total : (uint64_t)-shift >= total ? 0 : total - (size_t)-shift;
    u128 limit = pow10_u128(precision) - 1, acc = 0;
    for (size_t j = 0; j < total; j++) {
        unsigned d = (unsigned)((j < ni ? s[ia + j] : s[fa + j - ni]) - '0');
        if (j >= keep) {
            if (d)
                return 0;
        } else {
            if (acc > (limit - d) / 10)
                return 0;
            acc = acc * 10 + d;
        }
    }
    for (int64_t k = 0; acc && k < shift; k++) {
        if (acc > limit / 10)
            return 0;
        acc *= 10;
    }
    u128 x = neg ? (u128)0 - acc : acc;
    v->dec.lo = (uint64_t)x;
    v->dec.hi = (int64_t)(uint64_t)(x >> 64);
    return 1;
}

/* ---- dates and times of a spec ---- */

static const int64_t unit_nanos[3] = { 1000, 1000000, 1 };   /* TY_UNIT_* */
static const int unit_digits[3] = { 6, 3, 9 };

/* Nanoseconds as a count of the unit: 0 when finer than the unit or
   beyond int64. */
static int to_unit(i128 ns, int unit, int64_t *v) {
    if (unit < 0 || unit > 2 || ns % unit_nanos[unit])
        return 0;
    i128 q = ns / unit_nanos[unit];
    if (q < INT64_MIN || q > INT64_MAX)
        return 0;
    *v = (int64_t)q;
    return 1;
}

/* HH:MM[:SS[.f]] at s[*pos] (H:MM too when short_hour), with at most
   max_frac fraction digits: nanoseconds since midnight in *nod. */
static int clock_text(const char *s, size_t n, size_t *pos, int short_hour, int max_frac,
                      int64_t *nod) {
    size_t i = *pos, h0 = i;
    while (i < n && i - h0 < 2 && is_digit(s[i]))
        i++;
    if (i == h0 || (i - h0 == 1 && !short_hour))
        return 0;
    int hh = digits(s + h0, i - h0), mm, ss = 0;
    if (hh > 23 || n - i < 3 || s[i] != ':' || (mm = digits(s + i + 1, 2)) < 0 || mm > 59)
        return 0;
    i += 3;
    int64_t frac = 0;
    if (i < n && s[i] == ':') {
        if (n - i < 3 || (ss = digits(s + i + 1, 2)) < 0 || ss > 59)
            return 0;
        i += 3;
        if (i < n && s[i] == '.') {
            size_t f = ++i;
            while (i < n && i - f < 9 && is_digit(s[i]))
                i++;
            size_t nd = i - f;
            if (nd == 0 || (int)nd > max_frac)
                return 0;
            frac = digits(s + f, nd);
            for (size_t k = nd; k < 9; k++)
                frac *= 10;
        }
    }
    *nod = ((int64_t)hh * 3600 + mm * 60 + ss) * 1000000000LL + frac;
    *pos = i;
    return 1;
}

/* ISO date [( |T) clock [zone]]: days, nanoseconds of the day, and the
   zone's offset in seconds east of UTC (*zone 1 when there is one). */
static int iso_timestamp(const char *s, size_t n, int max_frac, int64_t *days, int64_t *nod,
                         int *zone, int32_t *offset) {
    if (n < 10 || !date_prefix(s, days))
        return 0;
    *nod = 0;
    *zone = 0;
    *offset = 0;
    if (n == 10)
        return 1;
    size_t i = 11;
    if ((s[10] != ' ' && s[10] != 'T') || !clock_text(s, n, &i, 0, max_frac, nod))
        return 0;
    if (i == n)
        return 1;
    if (s[i] == 'Z' && i + 1 == n) {
        *zone = 1;
        return 1;
    }
    if (!zone_offset(s + i, n - i, offset))
        return 0;
    *zone = 1;
    return 1;
}

/* What a format matched; -1 where nothing was. */
struct when {
    int year, mon, mday, yday, wday;
    int hour, hour12, pm, min, sec;
    int64_t nanos;
    int zone;
    int32_t offset;                  /* seconds east of UTC */
};

static const char *const month_names[12] = {
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december"
};
static const char *const day_names[7] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"
};

/* min..max digits at s[*i] (greedy) as a number in [lo, hi]. */
static int num_field(const char *s, size_t n, size_t *i, size_t min, size_t max, int lo, int hi,
                     int *v) {
    size_t k = *i;
    int x = 0;
    while (k < n && k - *i < max && is_digit(s[k]))
        x = x * 10 + (s[k++] - '0');
    if (k - *i < min || x < lo || x > hi)
        return 0;
    *i = k;
    *v = x;
    return 1;
}

/* One of the names (full, or its first three letters), any case. */
static int name_field(const char *s, size_t n, size_t *i, const char *const *list, int count,
                      int *v) {
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < count; k++) {
            size_t len = pass ? 3 : strlen(list[k]);
            if (n - *i >= len && lower_prefix(s + *i, list[k], len)) {
                *i += len;
                *v = k;
                return 1;
            }
        }
    return 0;
}

/* Z, +hh, +hhmm or +hh:mm (or '-'). */
static int zone_field(const char *s, size_t n, size_t *i, int32_t *offset) {
    size_t k = *i;
    if (k < n && s[k] == 'Z') {
        *i = k + 1;
        *offset = 0;
        return 1;
    }
    if (k >= n || (s[k] != '+' && s[k] != '-'))
        return 0;
    int sign = s[k++] == '-' ? -1 : 1;
    int hh, mm = 0;
    if (n - k < 2 || (hh = digits(s + k, 2)) < 0)
        return 0;
    k += 2;
    if (n - k >= 3 && s[k] == ':' && digits(s + k + 1, 2) >= 0) {
        mm = digits(s + k + 1, 2);
        k += 3;
    } else if (n - k >= 2 && digits(s + k, 2) >= 0) {
        mm = digits(s + k, 2);
        k += 2;
    }
    if (hh > 23 || mm > 59)
        return 0;
    *i = k;
    *offset = sign * (hh * 3600 + mm * 60);
    return 1;
}

/* Match the format against s from *i on, filling w. */
static int match(const char *fmt, const char *s, size_t n, size_t *i, struct when *w) {
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            if (*i >= n || s[*i] != *p)
                return 0;
            (*i)++;
            continue;
        }
        int ok, x = 0;
        switch (*++p) {
        case 'Y': ok = num_field(s, n, i, 4, 4, 0, 9999, &w->year); break;
        case 'y':
            ok = num_field(s, n, i, 1, 2, 0, 99, &x);
            w->year = x < 69 ? 2000 + x : 1900 + x;
            break;
        case 'm': ok = num_field(s, n, i, 1, 2, 1, 12, &w->mon); break;
        case 'e':
            if (*i < n && s[*i] == ' ')
                (*i)++;
            /* fall through */
        case 'd': ok = num_field(s, n, i, 1, 2, 1, 31, &w->mday); break;
        case 'j': ok = num_field(s, n, i, 1, 3, 1, 366, &w->yday); break;
        case 'b': case 'B': case 'h':
            ok = name_field(s, n, i, month_names, 12, &x);
            w->mon = x + 1;
            break;
        case 'a': case 'A': ok = name_field(s, n, i, day_names, 7, &w->wday); break;
        case 'H': ok = num_field(s, n, i, 1, 2, 0, 23, &w->hour); break;
        case 'I': ok = num_field(s, n, i, 1, 2, 1, 12, &w->hour12); break;
        case 'M': ok = num_field(s, n, i, 1, 2, 0, 59, &w->min); break;
        case 'S': ok = num_field(s, n, i, 1, 2, 0, 59, &w->sec); break;
        case 'p':
            ok = n - *i >= 2 && (lower_eq(s + *i, 2, "am") || lower_eq(s + *i, 2, "pm"));
            if (ok) {
                w->pm = s[*i] == 'p' || s[*i] == 'P';
                *i += 2;
            }
            break;
        case 'f': {
            size_t k = *i;
            int64_t f = 0;
            while (k < n && k - *i < 9 && is_digit(s[k]))
                f = f * 10 + (s[k++] - '0');
            ok = k > *i;
            for (size_t d = k - *i; d < 9; d++)
                f *= 10;
            w->nanos = f;
            *i = k;
            break;
        }
        case 'z': ok = w->zone = zone_field(s, n, i, &w->offset); break;
        case 'Z':
            ok = 1;
            if (n - *i >= 3 && (memcmp(s + *i, "UTC", 3) == 0 || memcmp(s + *i, "GMT", 3) == 0))
                *i += 3;
            else if (*i < n && s[*i] == 'Z')
                *i += 1;
            else
                ok = 0;
            w->zone |= ok;
            w->offset = 0;
            break;
        case 'T': ok = match("%H:%M:%S", s, n, i, w); break;
        case 'R': ok = match("%H:%M", s, n, i, w); break;
        case 'F': ok = match("%Y-%m-%d", s, n, i, w); break;
        case 'D': ok = match("%m/%d/%y", s, n, i, w); break;
        case '%': ok = *i < n && s[*i] == '%'; *i += ok; break;
        default: return 0;           /* unknown, or a '%' ending the format */
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/* The whole text read with fmt: days, nanoseconds of the day, zone. */
static int with_format(const char *fmt, const char *s, size_t n, int64_t *days, int64_t *nod,
                       int *zone, int32_t *offset) {
    struct when w = { -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0 };
    size_t i = 0;
    if (!match(fmt, s, n, &i, &w) || i != n || w.year < 0)
        return 0;
    int64_t d;
    if (w.mon > 0 && w.mday > 0) {
        if (w.mday > days_in_month(w.year, w.mon))
            return 0;
        d = ty_days_from_civil(w.year, (unsigned)w.mon, (unsigned)w.mday);
        if (w.yday > 0 && d - ty_days_from_civil(w.year, 1, 1) + 1 != w.yday)
            return 0;
    } else if (w.yday > 0 && w.mon < 0 && w.mday < 0) {
        if (w.yday > 365 + (days_in_month(w.year, 2) == 29))
            return 0;
        d = ty_days_from_civil(w.year, 1, 1) + w.yday - 1;
    } else {
        return 0;
    }
    if (w.wday >= 0 && ((d + 4) % 7 + 7) % 7 != w.wday)   /* 1970-01-01 was a Thursday */
        return 0;
    int hour = w.hour;
    if (w.hour12 >= 0) {
        if (w.pm < 0)
            return 0;
        int h = w.hour12 % 12 + (w.pm ? 12 : 0);
        if (hour >= 0 && hour != h)
            return 0;
        hour = h;
    }
    *days = d;
    *nod = ((int64_t)(hour < 0 ? 0 : hour) * 3600 + (w.min < 0 ? 0 : w.min) * 60 +
            (w.sec < 0 ? 0 : w.sec)) * 1000000000LL + w.nanos;
    *zone = w.zone;
    *offset = w.offset;
    return 1;
}

static int parse_date_value(const struct ty_format *f, const char *s, size_t n, int64_t *v) {
    int64_t days, nod;
    int zone;
    int32_t offset;
    if (f->date_format && with_format(f->date_format, s, n, &days, &nod, &zone, &offset) &&
        nod == 0 && !zone) {
        *v = days;
        return 1;
    }
    int32_t d;
    if (!ty_parse_date(s, n, &d))
        return 0;
    *v = d;
    return 1;
}

static int parse_time_value(const struct ty_spec *sp, const char *s, size_t n, int64_t *v) {
    size_t i = 0;
    int64_t nod;
    if (sp->unit < 0 || sp->unit > 2)
        return 0;
    return clock_text(s, n, &i, 1, sp->inferred ? unit_digits[sp->unit] : 9, &nod) && i == n &&
           to_unit(nod, sp->unit, v);
}

static int parse_timestamp_value(const struct ty_spec *sp, const struct ty_format *f,
                                 const char *s, size_t n, int64_t *v) {
    int64_t days, nod;
    int zone;
    int32_t offset;
    if (sp->unit < 0 || sp->unit > 2)
        return 0;
    if (!(f->timestamp_format &&
          with_format(f->timestamp_format, s, n, &days, &nod, &zone, &offset)) &&
        !(f->date_format && with_format(f->date_format, s, n, &days, &nod, &zone, &offset)) &&
        !iso_timestamp(s, n, sp->inferred ? unit_digits[sp->unit] : 9, &days, &nod, &zone,
                       &offset))
        return 0;
    if (zone != (sp->type == TY_TIMESTAMP_UTC))
        return 0;
    return to_unit((i128)days * 86400000000000LL + nod - (i128)offset * 1000000000LL,
                   sp->unit, v);
}

int ty_parse_value(const struct ty_spec *sp, const struct ty_format *f, const char *s, size_t n,
                   union ty_value *v) {
    static const struct ty_format defaults;
    if (!f)
        f = &defaults;
    int zeros_ok = !sp->inferred, b;
    switch (sp->type) {
    case TY_BOOLEAN:
        if (!ty_parse_bool(s, n, &b))
            return 0;
        v->i = b;
        return 1;
    case TY_INT8: return parse_signed(s, n, zeros_ok, INT8_MIN, INT8_MAX, &v->i);
    case TY_INT16: return parse_signed(s, n, zeros_ok, INT16_MIN, INT16_MAX, &v->i);
    case TY_INT32: return parse_signed(s, n, zeros_ok, INT32_MIN, INT32_MAX, &v->i);
    case TY_INT64: return parse_signed(s, n, zeros_ok, INT64_MIN, INT64_MAX, &v->i);
    case TY_UINT8: return parse_unsigned(s, n, UINT8_MAX, &v->u);
    case TY_UINT16: return parse_unsigned(s, n, UINT16_MAX, &v->u);
    case TY_UINT32: return parse_unsigned(s, n, UINT32_MAX, &v->u);
    case TY_UINT64: return parse_unsigned(s, n, UINT64_MAX, &v->u);
    case TY_DOUBLE: return parse_double_fmt(f, zeros_ok, s, n, &v->d);
    case TY_FLOAT: return parse_float(f, zeros_ok, s, n, &v->d);
    case TY_DECIMAL: return parse_decimal(f, sp->precision, sp->scale, s, n, v);
    case TY_DATE: return parse_date_value(f, s, n, &v->i);
    case TY_TIME: return parse_time_value(sp, s, n, &v->i);
    case TY_TIMESTAMP:
    case TY_TIMESTAMP_UTC: return parse_timestamp_value(sp, f, s, n, &v->i);
    case TY_STRING:
    case TY_BINARY: return 1;
    default: return 0;
    }
}

int ty_compare(const struct ty_spec *spec, const union ty_value *a, const union ty_value *b) {
    switch (spec->type) {
    case TY_UINT8: case TY_UINT16: case TY_UINT32: case TY_UINT64:
        return (a->u > b->u) - (a->u < b->u);
    case TY_DOUBLE: case TY_FLOAT:
        if (isnan(a->d) || isnan(b->d))
            return !!isnan(a->d) - !!isnan(b->d);
        return (a->d > b->d) - (a->d < b->d);
    case TY_DECIMAL:
        if (a->dec.hi != b->dec.hi)
            return a->dec.hi < b->dec.hi ? -1 : 1;
        return (a->dec.lo > b->dec.lo) - (a->dec.lo < b->dec.lo);
    case TY_STRING: case TY_BINARY:
        return 0;
    default:
        return (a->i > b->i) - (a->i < b->i);
    }
}

unsigned ty_mask_fmt(const struct ty_format *f, const char *s, size_t n) {
    if (!f || (!f->date_format && !f->timestamp_format && !f->decimal_comma))
        return ty_mask(s, n);
    unsigned m = TY_BIT(TY_STRING), t = 0;
    int b;
    if (n == 0)
        return m;
    if (ty_parse_bool(s, n, &b))
        return m | TY_BIT(TY_BOOLEAN);
    static const int temporal[3] = { TY_DATE, TY_TIMESTAMP, TY_TIMESTAMP_UTC };
    for (int k = 0; k < 3; k++) {
        struct ty_spec sp = ty_spec_of(temporal[k]);
        union ty_value v;
        if (ty_parse_value(&sp, f, s, n, &v))
            t |= TY_BIT(temporal[k]);
    }
    if (t)                           /* a date or time, never a number */
        return m | t;
    size_t k = s[0] == '-' || s[0] == '+';
    while (k < n && is_digit(s[k]))
        k++;
    if (k == n) {                     /* [+-] digits: an int64, or text */
        int64_t i;
        return ty_parse_int64(s, n, &i) ? m | TY_BIT(TY_INT64) | TY_BIT(TY_DOUBLE) : m;
    }
    double d;
    if (parse_double_fmt(f, 0, s, n, &d))
        return m | TY_BIT(TY_DOUBLE);
    return m;
}

int ty_format_check(const char *fmt, int type, char *msg, size_t n) {
    int year = 0, month = 0, day = 0, yday = 0, hour12 = 0, ampm = 0;
    char timed = 0;
    const char *why = NULL;
    for (const char *p = fmt; *p && !why; p++) {
        if (*p != '%')
            continue;
        char c = *++p;
        switch (c) {
        case 'Y': case 'y': year = 1; break;
        case 'm': case 'b': case 'B': case 'h': month = 1; break;
        case 'd': case 'e': day = 1; break;
        case 'j': yday = 1; break;
        case 'a': case 'A': case '%': break;
        case 'F': case 'D': year = month = day = 1; break;
        case 'I': hour12 = 1; timed = c; break;
        case 'p': ampm = 1; timed = c; break;
        case 'H': case 'M': case 'S': case 'f': case 'z': case 'Z': case 'T': case 'R':
            timed = c;
            break;
        case 0: why = "ends in a lone %"; p--; break;
        default:
            snprintf(msg, n, "%%%c is not a directive (see csv2pq(1) for the list)", c);
            return 0;
        }
    }
    if (!why && !year)
        why = "has no year (%Y or %y)";
    else if (!why && !(month && day) && !yday)
        why = "has no month and day (%m or %b, and %d), nor %j";
    else if (!why && hour12 && !ampm)
        why = "has %I without %p";
    else if (!why && type == TY_DATE && timed)
        snprintf(msg, n, "is a date format, but %%%c is a time or zone directive", timed);
    if (type == TY_DATE && timed && !why)
        return 0;
    if (why)
        snprintf(msg, n, "%s", why);
    return !why;
}

/* UTF-8 as a shift DFA (Per Vognsen's): a state is a bit offset, a
   multiple of 6 below 64, and byte c takes state q to bits q..q+5 of
   utf8_next[c].  A step is then a load that does not wait for q and one
   shift, instead of branches on the kind of byte.  q carries the rest of
   the entry above those six bits; only q & 63 is the state.  U8_ERR is 0,
   so bits 0..5 of every entry keep it there, and every transition an
   entry does not name leads to it.  The states above U8_ACC are inside a
   character: U8_C1..U8_C3 await that many continuation bytes; after E0,
   ED, F0 and F4 the next byte has a narrower range (no overlong forms, no
   surrogates, nothing above U+10FFFF). */
enum { U8_ERR = 0, U8_ACC = 6, U8_C1 = 12, U8_C2 = 18, U8_C3 = 24,
       U8_E0 = 30, U8_ED = 36, U8_F0 = 42, U8_F4 = 48 };
#define U8_GO(q, to) ((uint64_t)(to) << (q))
#define U8_ASCII U8_GO(U8_ACC, U8_ACC)
#define U8_CONT (U8_GO(U8_C1, U8_ACC) | U8_GO(U8_C2, U8_C1) | U8_GO(U8_C3, U8_C2))
#define U8_80 (U8_CONT | U8_GO(U8_ED, U8_C1) | U8_GO(U8_F4, U8_C2))   /* 80..8F */
#define U8_90 (U8_CONT | U8_GO(U8_ED, U8_C1) | U8_GO(U8_F0, U8_C2))   /* 90..9F */
#define U8_A0 (U8_CONT | U8_GO(U8_E0, U8_C1) | U8_GO(U8_F0, U8_C2))   /* A0..BF */
#define U8_LEAD2 U8_GO(U8_ACC, U8_C1)
#define U8_LEAD3 U8_GO(U8_ACC, U8_C2)
#define U8_LEAD4 U8_GO(U8_ACC, U8_C3)
#define U8_X4(e) e, e, e, e
#define U8_X16(e) U8_X4(e), U8_X4(e), U8_X4(e), U8_X4(e)
static const uint64_t utf8_next[256] = {
    U8_X16(U8_ASCII), U8_X16(U8_ASCII), U8_X16(U8_ASCII), U8_X16(U8_ASCII),
    U8_X16(U8_ASCII), U8_X16(U8_ASCII), U8_X16(U8_ASCII), U8_X16(U8_ASCII),
    U8_X16(U8_80), U8_X16(U8_90), U8_X16(U8_A0), U8_X16(U8_A0),
    /* C0..CF: C0 and C1 could only start overlong forms */
    0, 0, U8_LEAD2, U8_LEAD2, U8_X4(U8_LEAD2), U8_X4(U8_LEAD2), U8_X4(U8_LEAD2),
    U8_X16(U8_LEAD2),
    /* E0..EF */
    U8_GO(U8_ACC, U8_E0), U8_LEAD3, U8_LEAD3, U8_LEAD3, U8_X4(U8_LEAD3), U8_X4(U8_LEAD3),
    U8_LEAD3, U8_GO(U8_ACC, U8_ED), U8_LEAD3, U8_LEAD3,
    /* F0..FF: past F4 only code points above U+10FFFF */
    U8_GO(U8_ACC, U8_F0), U8_LEAD4, U8_LEAD4, U8_LEAD4, U8_GO(U8_ACC, U8_F4),
    0, 0, 0, U8_X4(0), U8_X4(0),
};

/* Bit k set for each byte k of a word (the first byte lowest) above 0x7f:
   one multiply gathers the high bits into the top byte, no two products
   landing on the same bit. */
TY_INLINE unsigned high8(uint64_t w) {
    return (unsigned)((((w & 0x8080808080808080u) >> 7) * 0x0102040810204080u) >> 56);
}

/* Bit k set for each byte p[k] above 0x7f, k < 16. */
TY_INLINE unsigned high16(const unsigned char *p) {
#ifdef __SSE2__
    return (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)p));
#else
    return high8(load8((const char *)p)) | high8(load8((const char *)p + 8)) << 8;
#endif
}

/* high16 of p[0..n), 0 < n < 16, through loads that overlap rather than
   pass p + n. */
TY_INLINE unsigned high_short(const unsigned char *p, size_t n) {
    const char *t = (const char *)p;
    if (n >= 8)
        return high8(load8(t)) | high8(load8(t + n - 8)) << (n - 8);
    if (n >= 4)
        return high8(load4(t)) | high8(load4(t + n - 4)) << (n - 4);
    return (unsigned)(p[0] >> 7 | (p[n / 2] >> 7) << n / 2 | (p[n - 1] >> 7) << (n - 1));
}

/* ASCII goes by sixteen bytes at a time.  From a byte above 0x7f the DFA
   takes the next eight bytes whatever they are, so that a character, or
   a word of them, costs one exit from the ASCII loop and no branch per
   byte; it goes on by eight while a character is open, then back to the
   ASCII loop.  The last bytes take a shorter loop: nothing past s + n is
   read. */
int ty_utf8_valid_portable(const unsigned char *s, size_t n) {
    size_t i = 0;
    for (;;) {
        unsigned m;
        while (n - i >= 16) {
            if ((m = high16(s + i)))
                goto multibyte;
            i += 16;
        }
        if (i == n)
            return 1;
        m = n >= 16 ? high16(s + n - 16) >> (16 - (n - i)) : high_short(s + i, n - i);
        if (!m)
            return 1;
    multibyte:
        i += (size_t)__builtin_ctz(m);
        uint64_t q = U8_ACC;
        do {
            if (n - i < 8) {
                for (; i < n; i++)
                    q = utf8_next[s[i]] >> (q & 63);
                return (q & 63) == U8_ACC;
            }
            /* written out, as gcc -O2 keeps a loop of eight (and through a
               helper taking the byte it loaded all eight entries first,
               into registers that every call, ASCII or not, then saved) */
            q = utf8_next[s[i]] >> (q & 63);
            q = utf8_next[s[i + 1]] >> (q & 63);
            q = utf8_next[s[i + 2]] >> (q & 63);
            q = utf8_next[s[i + 3]] >> (q & 63);
            q = utf8_next[s[i + 4]] >> (q & 63);
            q = utf8_next[s[i + 5]] >> (q & 63);
            q = utf8_next[s[i + 6]] >> (q & 63);
            q = utf8_next[s[i + 7]] >> (q & 63);
            i += 8;
        } while ((q & 63) > U8_ACC);
        if ((q & 63) == U8_ERR)
            return 0;
    }
}

#ifdef TY_SSSE3
/* UTF-8 validity sixteen bytes at a time, without a branch on the bytes
   (Keiser and Lemire, "Validating UTF-8 in less than one instruction per
   byte", 2021): three table lookups on the high and low halves of each
   byte and the high half of the byte before it flag every bad pair of
   bytes (a continuation byte with no lead, a lead without its
   continuations, overlong forms, surrogates, code points above U+10FFFF);
   a continuation byte two or three after a lead of three or four bytes
   is told from a stray one by the lead's value.  Bits of the tables: */
enum {
    U8V_SHORT = 1 << 0,              /* a lead, then no continuation byte */
    U8V_LONG = 1 << 1,               /* ASCII, then a continuation byte */
    U8V_OVER3 = 1 << 2,              /* E0 80..9F */
    U8V_LARGE = 1 << 3,              /* F4 90..BF, F5..FF 90..BF */
    U8V_SURR = 1 << 4,               /* ED A0..BF */
    U8V_OVER2 = 1 << 5,              /* C0..C1 80..BF */
    U8V_LARGE80 = 1 << 6,            /* F5..FF 80..8F; as U8V_OVER4: F0 80..8F */
    U8V_TWO = 1 << 7,                /* two continuation bytes in a row */
    U8V_CARRY = U8V_SHORT | U8V_LONG | U8V_TWO,
};

__attribute__((target("ssse3")))
static inline __m128i utf8_errors16(__m128i in, __m128i prev) {
    const __m128i nib = _mm_set1_epi8(0x0f);
    const __m128i lead_high = _mm_setr_epi8(    /* the byte before, high half */
        U8V_LONG, U8V_LONG, U8V_LONG, U8V_LONG, U8V_LONG, U8V_LONG, U8V_LONG, U8V_LONG,
        (char)U8V_TWO, (char)U8V_TWO, (char)U8V_TWO, (char)U8V_TWO,
        U8V_SHORT | U8V_OVER2, U8V_SHORT, U8V_SHORT | U8V_OVER3 | U8V_SURR,
        U8V_SHORT | U8V_LARGE | U8V_LARGE80);
    const __m128i lead_low = _mm_setr_epi8(     /* the byte before, low half */
        (char)(U8V_CARRY | U8V_OVER3 | U8V_OVER2 | U8V_LARGE80), (char)(U8V_CARRY | U8V_OVER2),
        (char)U8V_CARRY, (char)U8V_CARRY, (char)(U8V_CARRY | U8V_LARGE),
        (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80), (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80),
        (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80), (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80),
        (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80), (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80),
        (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80), (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80),
        (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80 | U8V_SURR),
        (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80), (char)(U8V_CARRY | U8V_LARGE | U8V_LARGE80));
    const __m128i this_high = _mm_setr_epi8(    /* the byte, high half */
        U8V_SHORT, U8V_SHORT, U8V_SHORT, U8V_SHORT, U8V_SHORT, U8V_SHORT, U8V_SHORT, U8V_SHORT,
        (char)(U8V_LONG | U8V_OVER2 | U8V_TWO | U8V_OVER3 | U8V_LARGE80),
        (char)(U8V_LONG | U8V_OVER2 | U8V_TWO | U8V_OVER3 | U8V_LARGE),
        (char)(U8V_LONG | U8V_OVER2 | U8V_TWO | U8V_SURR | U8V_LARGE),
        (char)(U8V_LONG | U8V_OVER2 | U8V_TWO | U8V_SURR | U8V_LARGE),
        U8V_SHORT, U8V_SHORT, U8V_SHORT, U8V_SHORT);
    __m128i prev1 = _mm_alignr_epi8(in, prev, 15);
    __m128i flags = _mm_and_si128(
        _mm_and_si128(_mm_shuffle_epi8(lead_high, _mm_and_si128(_mm_srli_epi16(prev1, 4), nib)),
                      _mm_shuffle_epi8(lead_low, _mm_and_si128(prev1, nib))),
        _mm_shuffle_epi8(this_high, _mm_and_si128(_mm_srli_epi16(in, 4), nib)));
    /* 0x80 where a byte must continue a lead of three or four bytes */
    __m128i third = _mm_subs_epu8(_mm_alignr_epi8(in, prev, 14), _mm_set1_epi8((char)(0xe0 - 0x80)));
    __m128i fourth = _mm_subs_epu8(_mm_alignr_epi8(in, prev, 13), _mm_set1_epi8((char)(0xf0 - 0x80)));
    __m128i must = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8((char)0x80));
    return _mm_xor_si128(must, flags);
}

/* p[0..n), 0 < n < 16, and zeros after, through loads that overlap rather
   than pass p + n. */
static inline __m128i load_short16(const unsigned char *p, size_t n) {
    const char *t = (const char *)p;
    uint64_t lo, hi = 0;
    if (n >= 8) {
        lo = load8(t);
        if (n > 8)
            hi = load8(t + n - 8) >> (8 * (16 - n));
    } else if (n >= 4) {
        lo = load4(t) | (uint64_t)load4(t + n - 4) >> (8 * (8 - n)) << 32;
    } else {
        lo = p[0] | (n > 1 ? (uint64_t)p[1] << 8 : 0) | (n > 2 ? (uint64_t)p[2] << 16 : 0);
    }
    return _mm_set_epi64x((long long)hi, (long long)lo);
}

/* Whole blocks of sixteen, then the last bytes moved to the front of a
   block with zeros after them (the block ending at s + n, shuffled), or a
   block of zeros: a character cut at the end meets a zero byte, which no
   lead accepts. */
__attribute__((target("ssse3")))
static int utf8_valid_ssse3(const unsigned char *s, size_t n) {
    static const signed char tail_shuffle[32] = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    };
    __m128i prev = _mm_setzero_si128(), err = _mm_setzero_si128(), in;
    if (n < 16) {
        if (n == 0)
            return 1;
        in = load_short16(s, n);
    } else {
        size_t k = 0;
        for (; n - k >= 16; k += 16) {
            in = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
            err = _mm_or_si128(err, utf8_errors16(in, prev));
            prev = in;
        }
        size_t r = n - k;
        in = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + n - 16)),
                              _mm_loadu_si128((const __m128i *)(const void *)(tail_shuffle + 16 - r)));
    }
    err = _mm_or_si128(err, utf8_errors16(in, prev));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(err, _mm_setzero_si128())) == 0xffff;
}
#endif

/* The validity of s[0..n) as UTF-8: by sixteen bytes with SSSE3, else
   ty_utf8_valid_portable. */
int ty_utf8_valid_text(const unsigned char *s, size_t n) {
#ifdef TY_SSSE3
    static atomic_int have;          /* 0 not known yet, 1 no SSSE3, 2 SSSE3 */
    int h = atomic_load_explicit(&have, memory_order_relaxed);
    if (!h) {
        __builtin_cpu_init();
        h = __builtin_cpu_supports("ssse3") ? 2 : 1;
        atomic_store_explicit(&have, h, memory_order_relaxed);
    }
    if (h == 2)
        return utf8_valid_ssse3(s, n);
#endif
    return ty_utf8_valid_portable(s, n);
}
