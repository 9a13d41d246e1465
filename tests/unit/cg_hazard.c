/* cg_hazard.c: graphs the IR allows but that a naive plan gets wrong.
 *
 * Model hazard: the value of a load is read after the tensor is stored.
 *   %0 = load W; %2 = mul %0, 2; store W, %2; %5 = add %0, 1; store out, %5
 * out must be computed from W's old value.
 *
 * Model hazard2: a stored value that fusion would put in a later loop (and
 * write to its tensor from there), while the old tensor is read after it.
 *   %0 = load W; %2 = mul %0, 2; store W, %2; %5 = add %2, 1; store out, %5;
 *   %7 = sum %0; store s, %7
 *
 * The graphs are built with the graph builder, compiled with cg_emit (both
 * models in one object), linked into a shared object and run on bare data
 * regions (no runtime).  For W = [1, 2, 3, 4, 5], by hand: W = [2, 4, 6, 8,
 * 10] in both; out = [2, 3, 4, 5, 6] (hazard) and [3, 5, 7, 9, 11] (hazard2);
 * s = 15. */
#include "cg/cg.h"
#include "dm.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static Model *model(Arena *a, const char *name, bool second) {
    Model *m = arena_alloc(a, sizeof *m);
    m->name = name;
    m->loss_tensor = -1;
    Shape s5 = {1, {5}}, scalar = {0, {0}};
    int w = model_add_tensor(a, m, (Tensor){.name = "W", .kind = TK_PARAM, .dtype = DT_F32, .shape = s5, .param = -1});
    int out = model_add_tensor(a, m, (Tensor){.name = "out", .kind = TK_OUTPUT, .dtype = DT_F32, .shape = s5, .param = -1});
    Graph *g = &m->forward;
    graph_init(g, "forward");
    int l = graph_load(a, g, m, w);
    int twice = graph_binary(a, g, OP_MUL, l, graph_scalar(a, g, 2));
    graph_store(a, g, w, twice);
    graph_store(a, g, out, graph_binary(a, g, OP_ADD, second ? twice : l, graph_scalar(a, g, 1)));
    if (second) {
        int s = model_add_tensor(a, m, (Tensor){.name = "s", .kind = TK_OUTPUT, .dtype = DT_F32, .shape = scalar, .param = -1});
        graph_store(a, g, s, graph_reduce(a, g, OP_SUM, l, 1, false));
    }
    graph_verify(m, g);
    graph_init(&m->gradients, "gradients");
    graph_init(&m->apply, "apply");
    graph_init(&m->train_step, "train_step");
    return m;
}

static float *tensor(const dm_model_desc *d, uint8_t *data, const char *name) {
    for (int i = 0; i < d->ntensors; i++)
        if (strcmp(d->tensors[i].name, name) == 0) return (float *)(data + d->tensors[i].offset);
    return NULL;
}

int main(void) {
    Arena *a = arena_new();
    Models models = {0};
    VEC_PUSH(a, models.items, models.n, models.cap, model(a, "hazard", false));
    VEC_PUSH(a, models.items, models.n, models.cap, model(a, "hazard2", true));

    int failures = 0;
    for (int level = 0; level <= 2; level += 2) {
        char dir[] = "/tmp/cg_hazard.XXXXXX";
        if (!mkdtemp(dir)) return 2;
        const char *obj = arena_printf(a, "%s/h.o", dir), *so = arena_printf(a, "%s/h.so", dir);
        Options o = {.emit = EMIT_OBJ, .opt_level = level, .input = "hazard"};
        if (!cg_emit(a, &o, &models, obj) || system(arena_printf(a, "cc -shared -o %s %s", so, obj)) != 0) return 2;
        void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
        if (!h) { fprintf(stderr, "cannot load %s\n", so); return 2; }
        for (int k = 0; k < 2; k++) {
            const dm_model_desc *d = dlsym(h, k ? "hazard2_model" : "hazard_model");
            if (!d) { fprintf(stderr, "no descriptor %d\n", k); return 2; }
            uint8_t *data = aligned_alloc(64, (d->data_size + 63) / 64 * 64);
            float *W = tensor(d, data, "W"), *O = tensor(d, data, "out");
            for (int i = 0; i < 5; i++) W[i] = (float)(i + 1);
            d->forward(data, NULL);
            for (int i = 0; i < 5; i++) {
                float want = k ? 2.0f * (float)(i + 1) + 1 : (float)(i + 2);
                if (W[i] != 2.0f * (float)(i + 1) || O[i] != want) {
                    fprintf(stderr, "%s -O%d: element %d: W %g (want %g), out %g (want %g)\n", d->name, level, i,
                            W[i], 2.0 * (i + 1), O[i], want);
                    failures++;
                }
            }
            if (k && *tensor(d, data, "s") != 15) {
                fprintf(stderr, "hazard2 -O%d: s %g (want 15)\n", level, *tensor(d, data, "s"));
                failures++;
            }
            free(data);
        }
        dlclose(h);
        unlink(obj), unlink(so), rmdir(dir);
    }
    arena_free(a);
    printf("cg_hazard: %d failures\n", failures);
    return failures != 0;
}
