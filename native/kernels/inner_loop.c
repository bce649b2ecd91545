#define _POSIX_C_SOURCE 200809L
#include "inner_loop.h"

#include <string.h>
#include <time.h>

#include "conv4_body.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void update(const conv4_workspace *ws, const conv4_tensors *t, int step) {
  for (int q = 0; q < CONV4_PARAMS; q++)
    if (t->adapt[q]) conv4_add_rated(ws->c, t->rate[q], step, -1, ws->grad[q], t->out[q], ws->size[q]);
}

int conv4_adapt(const conv4_config *c, const float *x, const int *labels, const conv4_tensors *t) {
  if ((c->stride != 1 && c->stride != 2) || c->images < 1 || c->filters < 1 || c->classes < 1 || c->steps < 0 || c->channels < 1)
    return -2;
  for (int n = 0; n < c->images; n++)
    if (labels[n] < 0 || labels[n] >= c->classes) return -2;
  const size_t bytes = conv4_workspace_bytes(c, 0);
  if (bytes == 0) return -2;
  void *memory = conv4_workspace_memory(bytes);
  if (!memory) return -1;
  conv4_workspace ws;
  conv4_workspace_init(&ws, c, t->mean, t->variance, 0, memory);
  for (int q = 0; q < CONV4_PARAMS; q++)
    if (!(c->prototype && q >= 12)) memcpy(t->out[q], t->theta[q], sizeof(float) * (size_t)ws.size[q]);
  float *const *params = t->out;
  int status = 0;
  double ms[4] = {0}, t0 = now_ms(), t1;
  for (int step = 0; step < c->steps && status == 0; step++) {
    status = conv4_forward(&ws, params, x, NULL);
    if (status != 0) break;
    if (step == 0 && c->prototype) conv4_prototype_head(&ws, labels, t->out[12], t->out[13]);
    t1 = now_ms(), ms[0] += t1 - t0, t0 = t1;
    status = conv4_backward(&ws, params, labels);
    t1 = now_ms(), ms[1] += t1 - t0, t0 = t1;
    if (status == 0) update(&ws, t, step);
    t1 = now_ms(), ms[2] += t1 - t0, t0 = t1;
  }
  if (status == 0) status = conv4_forward(&ws, params, x, c->frozen ? NULL : t->moments);
  if (status == 0) {
    if (c->steps == 0 && c->prototype) conv4_prototype_head(&ws, labels, t->out[12], t->out[13]);
    int correct;
    t->metrics[0] = (float)conv4_softmax(&ws, params[12], params[13], labels, ws.p, &correct);
    t->metrics[1] = (float)correct / c->images;
    ms[3] = now_ms() - t0;
    for (int i = 0; i < 4; i++) t->metrics[2 + i] = (float)ms[i];
  }
  conv4_workspace_done((size_t)64 << 20); /* the API's threads: 5-20 images fit */
  return status;
}
