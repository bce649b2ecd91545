#define _POSIX_C_SOURCE 200809L
#include "parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

enum {
  MAX_HELPERS = PARALLEL_MAX_THREADS - 1,
  MIN_FLOPS_PER_THREAD = 4000000, /* below this a thread costs more than it saves */
};

int parallel_threads(int wanted, double flops, long units, long min_units) {
  int threads = wanted > PARALLEL_MAX_THREADS ? PARALLEL_MAX_THREADS : wanted;
  while (threads > 1 && (flops / threads < MIN_FLOPS_PER_THREAD || units / threads < min_units)) threads--;
  return threads < 1 ? 1 : threads;
}
static const long HELPER_SPIN_NS = 100000; /* see parallel.h */
static const long CALLER_SPIN_NS = 50000;  /* then the waiting caller yields its core */

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* A kept helper thread: `posted` counts the shares given to it, `finished` those it has run. */
typedef struct {
  _Atomic unsigned long posted, finished;
  void (*fn)(void *);
  void *arg;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  int sleeping; /* under lock */
} helper;

static helper helpers[MAX_HELPERS];
static int helper_count;                                  /* under pool_lock */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER; /* held by the caller using the helpers */

static void *helper_main(void *arg) {
  helper *h = arg;
  unsigned long seen = 0;
  for (;;) {
    unsigned long next;
    const long since = now_ns();
    for (unsigned spins = 1; (next = atomic_load_explicit(&h->posted, memory_order_acquire)) == seen; spins++) {
      cpu_relax();
      if (spins % 64 == 0 && now_ns() - since > HELPER_SPIN_NS) {
        pthread_mutex_lock(&h->lock);
        h->sleeping = 1;
        while ((next = atomic_load_explicit(&h->posted, memory_order_acquire)) == seen) pthread_cond_wait(&h->wake, &h->lock);
        h->sleeping = 0;
        pthread_mutex_unlock(&h->lock);
        break;
      }
    }
    seen = next;
    h->fn(h->arg);
    atomic_store_explicit(&h->finished, seen, memory_order_release);
  }
  return NULL;
}

/* A child made by fork() has none of the parent's helpers (child_process spawns exec at once;
 * this keeps anything else that forks from waiting on helpers that are not there). */
static void forget_helpers(void) {
  helper_count = 0;
  pthread_mutex_init(&pool_lock, NULL);
}

static void watch_forks(void) { pthread_atfork(NULL, NULL, forget_helpers); }

/* Helpers [0, wanted) exist (pool_lock held); returns how many do. */
static int ensure_helpers(int wanted) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, watch_forks);
  while (helper_count < wanted) {
    helper *h = &helpers[helper_count];
    atomic_init(&h->posted, 0);
    atomic_init(&h->finished, 0);
    if (pthread_mutex_init(&h->lock, NULL) != 0) break;
    if (pthread_cond_init(&h->wake, NULL) != 0) {
      pthread_mutex_destroy(&h->lock);
      break;
    }
    h->sleeping = 0;
    pthread_t id;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int made = pthread_create(&id, &attr, helper_main, h) == 0;
    pthread_attr_destroy(&attr);
    if (!made) {
      pthread_cond_destroy(&h->wake);
      pthread_mutex_destroy(&h->lock);
      break;
    }
    helper_count++;
  }
  return helper_count < wanted ? helper_count : wanted;
}

typedef struct {
  void (*fn)(void *);
  void *arg;
} call;

static void *run_call(void *arg) {
  call *c = arg;
  c->fn(c->arg);
  return NULL;
}

/* The way every call ran before the helpers: a thread per share, made and joined here. */
static void run_with_new_threads(int n, void (*fn)(void *), char *items, size_t stride) {
  pthread_t ids[PARALLEL_MAX_THREADS];
  call calls[PARALLEL_MAX_THREADS];
  int started[PARALLEL_MAX_THREADS] = {0};
  for (int i = 1; i < n; i++) {
    calls[i] = (call){fn, items + i * stride};
    started[i] = pthread_create(&ids[i], NULL, run_call, &calls[i]) == 0;
  }
  fn(items);
  for (int i = 1; i < n; i++) {
    if (started[i]) pthread_join(ids[i], NULL);
    else fn(items + i * stride); /* no thread to be had: its share runs here */
  }
}

void parallel_run(int n, void (*fn)(void *), void *items, size_t stride) {
  char *base = items;
  if (n > PARALLEL_MAX_THREADS) n = PARALLEL_MAX_THREADS;
  if (n <= 1) {
    if (n == 1) fn(base);
    return;
  }
  if (pthread_mutex_trylock(&pool_lock) != 0) {
    run_with_new_threads(n, fn, base, stride);
    return;
  }
  const int helping = ensure_helpers(n - 1);
  unsigned long tickets[MAX_HELPERS];
  for (int i = 0; i < helping; i++) {
    helper *h = &helpers[i];
    h->fn = fn;
    h->arg = base + (size_t)(i + 1) * stride;
    tickets[i] = atomic_load_explicit(&h->posted, memory_order_relaxed) + 1;
    atomic_store_explicit(&h->posted, tickets[i], memory_order_release);
    pthread_mutex_lock(&h->lock);
    if (h->sleeping) pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
  }
  fn(base);
  for (int i = helping + 1; i < n; i++) fn(base + (size_t)i * stride); /* shares no helper could take */
  const long since = now_ns();
  for (int i = 0; i < helping; i++) {
    for (unsigned spins = 1; atomic_load_explicit(&helpers[i].finished, memory_order_acquire) != tickets[i]; spins++) {
      if (spins % 64 == 0 && now_ns() - since > CALLER_SPIN_NS) sched_yield();
      else cpu_relax();
    }
  }
  pthread_mutex_unlock(&pool_lock);
}

/* A's rows shifted by `offset`: a thread's share [offset, offset + M) as a GEMM of its own. */
typedef struct {
  pack_a_fn pack_a;
  const void *ctx;
  int offset;
} shifted_a;

static void pack_a_shifted(const void *ctx, int m0, int mr, int k0, int kc, int MR, float *dst) {
  const shifted_a *s = ctx;
  s->pack_a(s->ctx, m0 + s->offset, mr, k0, kc, MR, dst);
}

typedef struct {
  int M, N, K;
  shifted_a a;
  const strided_matrix *b;
  float *c;
  ptrdiff_t ldc;
  int status;
} share;

static void run_share(void *arg) {
  share *s = arg;
  s->status = gemm(s->M, s->N, s->K, pack_a_shifted, &s->a, s->b, s->c, s->ldc);
}

int gemm_parallel(int M, int N, int K, pack_a_fn pack_a, const void *a_ctx, const strided_matrix *b, float *c,
                  ptrdiff_t ldc, int threads) {
  const double flops = 2.0 * M * N * K;
  const int MR = gemm_mr();
  threads = parallel_threads(threads, flops, M, MR);
  if (threads == 1) return gemm(M, N, K, pack_a, a_ctx, b, c, ldc);
  /* Row shares of whole MR slivers: every thread packs the same B panel, and its own A. */
  share shares[PARALLEL_MAX_THREADS];
  const int slivers = (M + MR - 1) / MR;
  int row = 0;
  for (int t = 0; t < threads; t++) {
    const int end = t == threads - 1 ? M : (int)((long)slivers * (t + 1) / threads) * MR;
    shares[t] = (share){end - row, N, K, {pack_a, a_ctx, row}, b, c + (ptrdiff_t)row * ldc, ldc, 0};
    row = end;
  }
  parallel_run(threads, run_share, shares, sizeof(share));
  for (int t = 0; t < threads; t++)
    if (shares[t].status != 0) return shares[t].status;
  return 0;
}
