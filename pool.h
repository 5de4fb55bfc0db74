/* pool.h -- the fixed memory arena every large buffer comes from.

   A pool is one address range reserved once, at start, with the size of the
   memory budget (-m).  Every large buffer of the program (CSV chunks, the
   row group being built, page and compression buffers, dictionaries, the
   Parquet footer, the zstd/zlib/libcsv internals) is carved from it.  Pages
   of the range become resident only when first touched, so a small input
   costs little; a large input can never make the process grow past the
   budget.

   Worst-case memory of the process:

       peak RSS <= B + S + T * K

   where B is the budget given to pool_create() (the -m value), S the static
   footprint of the binary and libc (under 2 MiB), T the number of threads
   and K the stack of one thread (encoder threads run with 512 KiB stacks).

   Ownership: a buffer belongs to the caller from pool_alloc() until it is
   given back with pool_free().  pool_destroy() reports every buffer that
   did not come back, so a leak fails the tests.

   Failure: pool_alloc() and pool_realloc() return NULL when the request
   cannot be met inside the budget (they never fall back to malloc); the
   caller turns that into ERR_NOMEM and a message naming the cause.

   Thread safety: every call may be made from any thread.
 */
#ifndef CSV2PQ_POOL_H
#define CSV2PQ_POOL_H

#include <stddef.h>

typedef struct pool pool_t;

/* Reserve a pool of budget bytes (rounded up to a page).  Returns NULL when
   the address range cannot be reserved. */
pool_t *pool_create(size_t budget);

/* A buffer of at least n bytes, aligned to 16 bytes, or NULL when the budget
   cannot hold it.  n = 0 gives a valid minimal buffer. */
void *pool_alloc(pool_t *pool, size_t n);

/* Same as pool_alloc() but zero-filled. */
void *pool_calloc(pool_t *pool, size_t count, size_t size);

/* Resize a buffer, keeping its first min(old, n) bytes; p may be NULL.  On
   failure returns NULL and leaves p untouched and still owned by the caller. */
void *pool_realloc(pool_t *pool, void *p, size_t n);

/* Give a buffer back; p may be NULL. */
void pool_free(pool_t *pool, void *p);

/* Bytes of the budget in use now (including block headers), the most ever in
   use, the budget itself, the number of buffers handed out and not yet
   given back, and the size of the largest single request that could be met
   now. */
size_t pool_used(pool_t *pool);
size_t pool_peak(pool_t *pool);
size_t pool_budget(const pool_t *pool);
size_t pool_live(pool_t *pool);
size_t pool_largest_free(pool_t *pool);

/* Release the arena.  Returns the number of buffers that were never given
   back (0 when every buffer came back). */
size_t pool_destroy(pool_t *pool);

#endif
