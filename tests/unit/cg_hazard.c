/* cg_hazard.c: a graph the IR allows but that a naive plan gets wrong: the
 * value of a load is read after the tensor has been stored.
 *
 *   %0 = load W; %2 = mul %0, 2; store W, %2; %5 = add %0, 1; store out, %5
 *
 * out must be computed from W's old value.  The graph is built with the
 * graph builder, compiled with cg_emit, linked into a shared object and run
 * on a bare data region (no runtime): for W = [1, 2, 3, 4, 5] the expected
 * results are, by hand, W = [2, 4, 6, 8, 10] and out = [2, 3, 4, 5, 6]. */
#include "dmc.h"
#include "dm.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    Arena *a = arena_new();
    Model *m = arena_alloc(a, sizeof *m);
    m->name = "hazard";
    m->loss_tensor = -1;
    Shape s5 = {1, {5}};
    int w = model_add_tensor(a, m, (Tensor){.name = "W", .kind = TK_PARAM, .dtype = DT_F32, .shape = s5, .param = -1});
    int out = model_add_tensor(a, m, (Tensor){.name = "out", .kind = TK_OUTPUT, .dtype = DT_F32, .shape = s5, .param = -1});
    Graph *g = &m->forward;
    graph_init(g, "forward");
    int l = graph_load(a, g, m, w);
    graph_store(a, g, w, graph_binary(a, g, OP_MUL, l, graph_scalar(a, g, 2)));
    graph_store(a, g, out, graph_binary(a, g, OP_ADD, l, graph_scalar(a, g, 1)));
    graph_verify(m, g);
    graph_init(&m->gradients, "gradients");
    graph_init(&m->apply, "apply");
    graph_init(&m->train_step, "train_step");
    Models models = {0};
    VEC_PUSH(a, models.items, models.n, models.cap, m);

    int failures = 0;
    for (int level = 0; level <= 2; level += 2) {
        char dir[] = "/tmp/cg_hazard.XXXXXX";
        if (!mkdtemp(dir)) return 2;
        const char *obj = arena_printf(a, "%s/h.o", dir), *so = arena_printf(a, "%s/h.so", dir);
        Options o = {.emit = EMIT_OBJ, .opt_level = level, .input = "hazard"};
        if (!cg_emit(a, &o, &models, obj) || system(arena_printf(a, "cc -shared -o %s %s", so, obj)) != 0) return 2;
        void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
        const dm_model_desc *d = h ? dlsym(h, "hazard_model") : NULL;
        if (!d) { fprintf(stderr, "cannot load %s\n", so); return 2; }
        uint8_t *data = aligned_alloc(64, (d->data_size + 63) / 64 * 64);
        float *W = NULL, *O = NULL;
        for (int i = 0; i < d->ntensors; i++) {
            if (strcmp(d->tensors[i].name, "W") == 0) W = (float *)(data + d->tensors[i].offset);
            if (strcmp(d->tensors[i].name, "out") == 0) O = (float *)(data + d->tensors[i].offset);
        }
        for (int i = 0; i < 5; i++) W[i] = (float)(i + 1);
        d->forward(data, NULL);
        for (int i = 0; i < 5; i++)
            if (W[i] != 2.0f * (float)(i + 1) || O[i] != (float)(i + 2)) {
                fprintf(stderr, "-O%d: element %d: W %g (want %g), out %g (want %g)\n", level, i, W[i],
                        2.0 * (i + 1), O[i], (double)(i + 2));
                failures++;
            }
        free(data);
        dlclose(h);
        unlink(obj), unlink(so), rmdir(dir);
    }
    arena_free(a);
    printf("cg_hazard: %d failures\n", failures);
    return failures != 0;
}
