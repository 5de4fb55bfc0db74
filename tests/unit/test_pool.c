#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pool.h"

static void test_bound(void **state) {
    (void)state;
    pool_t *pool = pool_create(1 << 20);
    assert_non_null(pool);
    void *a = pool_alloc(pool, 600 << 10);
    assert_non_null(a);
    /* The budget holds no second buffer of that size. */
    assert_null(pool_alloc(pool, 600 << 10));
    assert_true(pool_used(pool) <= pool_budget(pool) + 64);
    /* A request larger than the whole budget fails cleanly. */
    assert_null(pool_alloc(pool, 2 << 20));
    assert_null(pool_alloc(pool, SIZE_MAX));
    assert_null(pool_calloc(pool, SIZE_MAX / 2, 4));
    pool_free(pool, a);
    void *b = pool_alloc(pool, 900 << 10);
    assert_non_null(b);
    pool_free(pool, b);
    assert_int_equal(pool_used(pool), 0);
    assert_int_equal(pool_destroy(pool), 0);
}

static void test_leak_check(void **state) {
    (void)state;
    pool_t *pool = pool_create(1 << 16);
    void *a = pool_alloc(pool, 100);
    void *b = pool_alloc(pool, 200);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(pool_live(pool), 2);
    pool_free(pool, a);
    assert_int_equal(pool_live(pool), 1);
    /* b never comes back: teardown reports it. */
    assert_int_equal(pool_destroy(pool), 1);
}

static void test_alignment_and_contents(void **state) {
    (void)state;
    pool_t *pool = pool_create(1 << 20);
    unsigned char *p[64];
    for (int i = 0; i < 64; i++) {
        p[i] = pool_alloc(pool, (size_t)i * 37 + 1);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 16, 0);
        memset(p[i], i, (size_t)i * 37 + 1);
    }
    for (int i = 0; i < 64; i++)
        for (size_t k = 0; k < (size_t)i * 37 + 1; k++)
            assert_int_equal(p[i][k], i);
    for (int i = 0; i < 64; i += 2)
        pool_free(pool, p[i]);
    for (int i = 1; i < 64; i += 2)
        pool_free(pool, p[i]);
    assert_int_equal(pool_used(pool), 0);
    assert_int_equal(pool_destroy(pool), 0);
}

static void test_resize(void **state) {
    (void)state;
    pool_t *pool = pool_create(4 << 20);
    unsigned char *p = pool_realloc(pool, NULL, 10);
    assert_non_null(p);
    for (int i = 0; i < 10; i++)
        p[i] = (unsigned char)i;
    for (size_t n = 10; n < (2 << 20); n *= 3) {
        unsigned char *q = pool_realloc(pool, p, n);
        assert_non_null(q);
        p = q;
        for (int i = 0; i < 10; i++)
            assert_int_equal(p[i], i);
    }
    /* Growth past the budget fails and leaves the buffer intact. */
    assert_null(pool_realloc(pool, p, 8 << 20));
    for (int i = 0; i < 10; i++)
        assert_int_equal(p[i], i);
    p = pool_realloc(pool, p, 16);
    assert_non_null(p);
    for (int i = 0; i < 10; i++)
        assert_int_equal(p[i], i);
    pool_free(pool, p);
    assert_int_equal(pool_live(pool), 0);
    assert_int_equal(pool_destroy(pool), 0);
}

/* Random allocation and release: the pool never hands out overlapping
   buffers, stays within its budget, and coalesces back to one block. */
static void test_random_churn(void **state) {
    (void)state;
    size_t budget = 8 << 20;
    pool_t *pool = pool_create(budget);
    enum { N = 256 };
    unsigned char *p[N] = {0};
    size_t len[N] = {0};
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        seed = seed * 1103515245u + 12345u;
        int i = (int)((seed >> 8) % N);
        if (p[i]) {
            for (size_t k = 0; k < len[i]; k += 97)
                assert_int_equal(p[i][k], (unsigned char)i);
            pool_free(pool, p[i]);
            p[i] = NULL;
        } else {
            len[i] = (seed >> 4) % 70000 + 1;
            p[i] = (round & 1) ? pool_alloc(pool, len[i]) : pool_realloc(pool, NULL, len[i]);
            if (p[i])
                memset(p[i], i, len[i]);
        }
        assert_true(pool_used(pool) <= budget + 64);
    }
    for (int i = 0; i < N; i++)
        pool_free(pool, p[i]);
    assert_int_equal(pool_used(pool), 0);
    assert_true(pool_largest_free(pool) >= budget - 4096);
    assert_true(pool_peak(pool) > 0);
    assert_int_equal(pool_destroy(pool), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_leak_check),
        cmocka_unit_test(test_alignment_and_contents),
        cmocka_unit_test(test_resize),
        cmocka_unit_test(test_random_churn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
