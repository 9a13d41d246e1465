/* grad_hook_check.c (grad_hook.test.sh): dm_set_gradient_hook.  For the
 * model NAME compiled into this program (-DMODEL=NAME), every gradient is
 * reported exactly once per dm_gradients and per dm_train_step, in runs of
 * consecutive DM_GRAD tensors whose memory the report describes, with the
 * value the entry returns with.  The oracle is a second instance of the same
 * model with the same seed and inputs and no hook.  The hook poisons every
 * gradient it is handed (NaN) after copying it: had the entry read a
 * reported gradient again, the NaN would reach the other gradients or the
 * loss; had it written one, the NaN would be gone.  forward and apply report
 * nothing; removing the hook stops the reports.  Prints the reports. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR2(x) #x
#define STR(x) STR2(x)
#define HEADER(x) STR(x.h)
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#include HEADER(MODEL)
#define DESC CAT(MODEL, _model)

static int failures;
#define CHECK(c, ...) do { if (!(c)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
                                       fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

typedef struct seen {
    dm_model *m;
    int calls, poison;
    int *times;      /* per descriptor tensor: reports this entry call */
    float **copy;    /* per descriptor tensor: its value when reported */
} seen;

static void hook(void *ctx, int first, int n, float *grads, size_t count) {
    seen *s = ctx;
    s->calls++;
    printf(" [%d..%d]", first, first + n - 1);
    CHECK(n >= 1 && first >= 0 && first + n <= dm_tensor_count(s->m), "report %d, %d out of range", first, n);
    if (n < 1 || first < 0 || first + n > dm_tensor_count(s->m)) return;
    const dm_tensor_desc *a = dm_tensor_at(s->m, first), *z = dm_tensor_at(s->m, first + n - 1);
    CHECK(grads == (float *)dm_data(s->m, a->name), "report %d: grads is not %s's memory", first, a->name);
    CHECK(count == (z->offset + z->bytes - a->offset) / 4, "report %d: count %zu", first, count);
    for (int i = first; i < first + n; i++) {
        const dm_tensor_desc *t = dm_tensor_at(s->m, i);
        CHECK(t->kind == DM_GRAD, "report names %s, not a gradient", t->name);
        s->times[i]++;
        float *g = dm_data(s->m, t->name);
        memcpy(s->copy[i], g, t->bytes);
        if (s->poison)
            for (int64_t k = 0; k < t->count; k++) g[k] = NAN;
    }
}

static void fill(dm_model *m, unsigned salt) {
    for (int i = 0; i < dm_tensor_count(m); i++) {
        const dm_tensor_desc *t = dm_tensor_at(m, i);
        if (t->kind != DM_INPUT) continue;
        for (int64_t k = 0; k < t->count; k++) {
            unsigned h = (unsigned)(k * 2654435761u) ^ (salt * 40503u);
            if (t->dtype == DM_I32) ((int32_t *)dm_data(m, t->name))[k] = (int32_t)(h % (unsigned)(t->hi + 1));
            else ((float *)dm_data(m, t->name))[k] = (float)((h % 1000) / 500.0 - 1.0);
        }
    }
}

/* After an entry call: each gradient reported exactly `want` times; with
 * want 1, its copy equals the reference's bits. */
static void check_reports(seen *s, dm_model *ref, int want, const char *what) {
    for (int i = 0; i < dm_tensor_count(s->m); i++) {
        const dm_tensor_desc *t = dm_tensor_at(s->m, i);
        if (t->kind != DM_GRAD) continue;
        CHECK(s->times[i] == want, "%s: %s reported %d times, expected %d", what, t->name, s->times[i], want);
        if (want == 1 && s->times[i] == 1)
            CHECK(memcmp(s->copy[i], dm_data(ref, t->name), t->bytes) == 0, "%s: %s reported with other values than "
                  "the reference's final ones", what, t->name);
        s->times[i] = 0;
    }
    s->calls = 0;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    dm_model *m = dm_new(&DESC, 7), *ref = dm_new(&DESC, 7);
    if (!m || !ref) return fprintf(stderr, "dm_new: %s\n", dm_last_error()), 1;
    dm_set_threads(m, threads);
    dm_set_threads(ref, threads);
    int nt = dm_tensor_count(m);
    seen s = {m, 0, 1, calloc((size_t)nt, sizeof(int)), calloc((size_t)nt, sizeof(float *))};
    for (int i = 0; i < nt; i++) s.copy[i] = malloc(dm_tensor_at(m, i)->bytes + 4);
    CHECK(dm_set_gradient_hook(NULL, hook, &s) == DM_EINVAL, "NULL model accepted");
    CHECK(dm_set_gradient_hook(m, hook, &s) == DM_OK, "dm_set_gradient_hook: %s", dm_last_error());

    for (int step = 0; step < 3; step++) {
        fill(m, step), fill(ref, step);
        float lm, lr;
        /* gradients, poisoned: no gradient is read or written after its report */
        s.poison = 1;
        printf("%s gradients:", STR(MODEL));
        CHECK(dm_gradients(m, &lm) == DM_OK && dm_gradients(ref, &lr) == DM_OK, "dm_gradients: %s", dm_last_error());
        printf("\n");
        CHECK(memcmp(&lm, &lr, sizeof lm) == 0, "loss %g, reference %g", lm, lr);
        for (int i = 0; i < nt; i++) {
            const dm_tensor_desc *t = dm_tensor_at(m, i);
            if (t->kind != DM_GRAD || s.times[i] != 1) continue;
            float *g = dm_data(m, t->name);
            for (int64_t k = 0; k < t->count; k++)
                if (!isnan(g[k])) { CHECK(0, "%s[%lld] written after its report", t->name, (long long)k); break; }
            memcpy(g, s.copy[i], t->bytes);    /* back, for apply */
        }
        check_reports(&s, ref, 1, "dm_gradients");
        CHECK(dm_apply(m) == DM_OK && dm_apply(ref) == DM_OK, "dm_apply: %s", dm_last_error());
        check_reports(&s, ref, 0, "dm_apply");
        /* train_step: its apply reads the gradients, so no poison */
        s.poison = 0;
        CHECK(dm_train_step(m, &lm) == DM_OK && dm_train_step(ref, &lr) == DM_OK, "dm_train_step: %s", dm_last_error());
        check_reports(&s, ref, 1, "dm_train_step");
        CHECK(dm_forward(m) == DM_OK, "dm_forward: %s", dm_last_error());
        check_reports(&s, ref, 0, "dm_forward");
    }
    for (int i = 0; i < nt; i++) {   /* the same training: the same parameters and state, bit for bit */
        const dm_tensor_desc *t = dm_tensor_at(m, i);
        if (t->kind == DM_PARAM || t->kind == DM_STATE)
            CHECK(memcmp(dm_data(m, t->name), dm_data(ref, t->name), t->bytes) == 0, "%s differs", t->name);
    }
    CHECK(dm_set_gradient_hook(m, NULL, NULL) == DM_OK, "removing the hook: %s", dm_last_error());
    dm_gradients(m, NULL);
    CHECK(s.calls == 0, "%d reports after the hook was removed", s.calls);
    dm_free(m);
    dm_free(ref);
    for (int i = 0; i < nt; i++) free(s.copy[i]);
    free(s.copy);
    free(s.times);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
