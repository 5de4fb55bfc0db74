#include "pool.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A boundary-tag allocator over one mmap'ed range.  Every block starts with
   a 16-byte header: the size of the previous block (valid when that block
   is free) and this block's size with two flag bits.  Free blocks sit in
   segregated lists by power-of-two size class and coalesce with free
   neighbours, so the range never fragments into unusable slivers for long. */

#define ALIGN     16
#define HDR       sizeof(struct blk_hdr)
#define MIN_BLOCK 48                 /* header + two list links, aligned */
#define USED      ((size_t)1)
#define PREV_USED ((size_t)2)
#define FLAGS     (USED | PREV_USED)
#define NBINS     64

struct blk_hdr {
    size_t prev_size;                /* bytes, when the previous block is free */
    size_t head;                     /* bytes of this block | flags */
};

struct free_blk {
    struct blk_hdr h;
    struct free_blk *next, *prev;    /* in the size-class list */
};

struct pool {
    pthread_mutex_t lock;
    unsigned char *base;             /* the mmap'ed range */
    size_t size;                     /* bytes mapped */
    size_t budget;                   /* bytes asked for */
    size_t used, peak;               /* bytes of blocks in use */
    size_t live;                     /* buffers handed out */
    struct free_blk *bins[NBINS];
};

static size_t blk_size(const struct blk_hdr *b) { return b->head & ~FLAGS; }
static struct blk_hdr *blk_next(struct blk_hdr *b) {
    return (struct blk_hdr *)((unsigned char *)b + blk_size(b));
}
static struct blk_hdr *blk_of(void *p) {
    return (struct blk_hdr *)((unsigned char *)p - HDR);
}

static int bin_of(size_t size) {
    return 63 - __builtin_clzll((unsigned long long)size);
}

static void bin_insert(pool_t *pool, struct free_blk *f) {
    int i = bin_of(blk_size(&f->h));
    f->prev = NULL;
    f->next = pool->bins[i];
    if (f->next)
        f->next->prev = f;
    pool->bins[i] = f;
}

static void bin_remove(pool_t *pool, struct free_blk *f) {
    if (f->prev)
        f->prev->next = f->next;
    else
        pool->bins[bin_of(blk_size(&f->h))] = f->next;
    if (f->next)
        f->next->prev = f->prev;
}

/* Mark a block free of the given size (flags of the previous block kept),
   set the footer seen by the next block, and file it. */
static void make_free(pool_t *pool, struct blk_hdr *b, size_t size) {
    b->head = size | (b->head & PREV_USED);
    struct blk_hdr *n = blk_next(b);
    n->prev_size = size;
    n->head &= ~PREV_USED;
    bin_insert(pool, (struct free_blk *)b);
}

pool_t *pool_create(size_t budget) {
    long pg = sysconf(_SC_PAGESIZE);
    size_t page = pg > 0 ? (size_t)pg : 4096;
    if (budget > SIZE_MAX / 2)
        return NULL;
    size_t size = (budget + 2 * HDR + page - 1) / page * page;
    if (size < 2 * page)
        size = 2 * page;
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    pool_t *pool = base;              /* the pool's own state heads the range */
    memset(pool, 0, sizeof *pool);
    if (pthread_mutex_init(&pool->lock, NULL) != 0) {
        munmap(base, size);
        return NULL;
    }
    pool->base = base;
    pool->size = size;
    pool->budget = budget;
    size_t start = (sizeof *pool + ALIGN - 1) / ALIGN * ALIGN;
    size_t end = size - HDR;          /* the sentinel's header */
    struct blk_hdr *first = (struct blk_hdr *)(pool->base + start);
    struct blk_hdr *sentinel = (struct blk_hdr *)(pool->base + end);
    sentinel->head = USED;
    first->head = PREV_USED;
    make_free(pool, first, end - start);
    return pool;
}

/* Find and carve a block of exactly `need` bytes (need is aligned and at
   least MIN_BLOCK); NULL when none is large enough.  Caller holds the lock. */
static struct blk_hdr *carve(pool_t *pool, size_t need) {
    struct free_blk *f = NULL;
    for (int i = bin_of(need); i < NBINS && !f; i++)
        for (struct free_blk *c = pool->bins[i]; c; c = c->next)
            if (blk_size(&c->h) >= need) {
                f = c;
                break;
            }
    if (!f)
        return NULL;
    bin_remove(pool, f);
    struct blk_hdr *b = &f->h;
    size_t have = blk_size(b);
    if (have - need >= MIN_BLOCK) {
        b->head = need | USED | (b->head & PREV_USED);
        struct blk_hdr *rest = blk_next(b);
        rest->head = PREV_USED;
        make_free(pool, rest, have - need);
    } else {
        b->head |= USED;
        blk_next(b)->head |= PREV_USED;
    }
    return b;
}

static size_t need_for(size_t n) {
    if (n > SIZE_MAX - HDR - ALIGN)
        return SIZE_MAX;
    size_t need = (n + HDR + ALIGN - 1) / ALIGN * ALIGN;
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

/* The accounting after a block of `size` bytes changes hands. */
static void account(pool_t *pool, size_t add, size_t sub) {
    pool->used = pool->used + add - sub;
    if (pool->used > pool->peak)
        pool->peak = pool->used;
}

void *pool_alloc(pool_t *pool, size_t n) {
    size_t need = need_for(n);
    if (need == SIZE_MAX)
        return NULL;
    pthread_mutex_lock(&pool->lock);
    void *p = NULL;
    if (pool->used + need <= pool->budget + HDR) {
        struct blk_hdr *b = carve(pool, need);
        if (b) {
            account(pool, blk_size(b), 0);
            pool->live++;
            p = (unsigned char *)b + HDR;
        }
    }
    pthread_mutex_unlock(&pool->lock);
    return p;
}

void *pool_calloc(pool_t *pool, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = pool_alloc(pool, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

/* Give the pages inside a large free block back to the OS, so the resident
   set follows what is in use rather than what was ever touched. */
#define RELEASE_MIN ((size_t)1 << 20)
static void drop_pages(struct blk_hdr *b, size_t size) {
    uintptr_t lo = (uintptr_t)b + sizeof(struct free_blk);
    uintptr_t hi = (uintptr_t)b + size;
    long pg = sysconf(_SC_PAGESIZE);
    uintptr_t page = pg > 0 ? (uintptr_t)pg : 4096;
    lo = (lo + page - 1) & ~(page - 1);
    hi &= ~(page - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* Free a block, merging it with free neighbours.  Caller holds the lock. */
static void release(pool_t *pool, struct blk_hdr *b) {
    size_t size = blk_size(b);
    struct blk_hdr *n = blk_next(b);
    if (!(n->head & USED)) {
        bin_remove(pool, (struct free_blk *)n);
        size += blk_size(n);
    }
    if (!(b->head & PREV_USED)) {
        struct blk_hdr *p = (struct blk_hdr *)((unsigned char *)b - b->prev_size);
        bin_remove(pool, (struct free_blk *)p);
        size += blk_size(p);
        b = p;
    }
    make_free(pool, b, size);
    if (size >= RELEASE_MIN)
        drop_pages(b, size);
}

void pool_free(pool_t *pool, void *p) {
    if (!p)
        return;
    struct blk_hdr *b = blk_of(p);
    pthread_mutex_lock(&pool->lock);
    account(pool, 0, blk_size(b));
    pool->live--;
    release(pool, b);
    pthread_mutex_unlock(&pool->lock);
}

void *pool_realloc(pool_t *pool, void *p, size_t n) {
    if (!p)
        return pool_alloc(pool, n);
    size_t need = need_for(n);
    if (need == SIZE_MAX)
        return NULL;
    struct blk_hdr *b = blk_of(p);
    pthread_mutex_lock(&pool->lock);
    size_t have = blk_size(b);
    if (need <= have) {               /* shrink in place when worth it */
        if (have - need >= MIN_BLOCK) {
            b->head = need | (b->head & FLAGS);
            struct blk_hdr *rest = blk_next(b);
            rest->head = (have - need) | PREV_USED | USED;
            account(pool, 0, have - need);
            release(pool, rest);
        }
        pthread_mutex_unlock(&pool->lock);
        return p;
    }
    struct blk_hdr *nx = blk_next(b);
    if (!(nx->head & USED) && have + blk_size(nx) >= need &&
        pool->used + (need - have) <= pool->budget + HDR) {
        size_t total = have + blk_size(nx);
        bin_remove(pool, (struct free_blk *)nx);
        if (total - need >= MIN_BLOCK) {
            b->head = need | (b->head & FLAGS);
            struct blk_hdr *rest = blk_next(b);
            rest->head = PREV_USED;
            make_free(pool, rest, total - need);
            account(pool, need - have, 0);
        } else {
            b->head = total | (b->head & FLAGS);
            blk_next(b)->head |= PREV_USED;
            account(pool, total - have, 0);
        }
        pthread_mutex_unlock(&pool->lock);
        return p;
    }
    pthread_mutex_unlock(&pool->lock);
    void *q = pool_alloc(pool, n);
    if (!q)
        return NULL;
    memcpy(q, p, have - HDR);
    pool_free(pool, p);
    return q;
}

/* The counts change under the lock on every thread. */
static size_t locked_read(pool_t *pool, const size_t *v) {
    pthread_mutex_lock(&pool->lock);
    size_t n = *v;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

size_t pool_used(pool_t *pool) { return locked_read(pool, &pool->used); }
size_t pool_peak(pool_t *pool) { return locked_read(pool, &pool->peak); }
size_t pool_budget(const pool_t *pool) { return pool->budget; }
size_t pool_live(pool_t *pool) { return locked_read(pool, &pool->live); }

size_t pool_largest_free(pool_t *pool) {
    size_t best = 0;
    pthread_mutex_lock(&pool->lock);
    for (int i = NBINS - 1; i >= 0 && !best; i--)
        for (struct free_blk *c = pool->bins[i]; c; c = c->next)
            if (blk_size(&c->h) > best)
                best = blk_size(&c->h);
    size_t room = pool->budget + HDR > pool->used ? pool->budget + HDR - pool->used : 0;
    pthread_mutex_unlock(&pool->lock);
    if (best > room)
        best = room;
    return best > HDR ? best - HDR : 0;
}

size_t pool_destroy(pool_t *pool) {
    if (!pool)
        return 0;
    size_t live = pool->live;
    pthread_mutex_destroy(&pool->lock);
    munmap(pool->base, pool->size);
    return live;
}
