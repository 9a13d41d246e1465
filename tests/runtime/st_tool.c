/* st_tool.c: a driver for safetensors_python.test.sh (built by that script).
 *
 *   st_tool gen SEED          print the initial values of a model with every random initialiser
 *   st_tool save PATH SEED    the fixture model (seed SEED), x = [1, 2, 3, 4], one train step, dm_save
 *   st_tool load PATH         dm_load into the fixture model, print its params and state
 * Values are printed as "name index value" with value in C's %a (exact). */
#include "fixture.h"
#include <stdlib.h>

static void print_tensor(dm_model *m, const dm_tensor_desc *t) {
    void *p = dm_data(m, t->name);
    for (int64_t i = 0; i < t->count; i++) {
        if (t->dtype == DM_I32)
            printf("%s %lld %d\n", t->name, (long long)i, ((int32_t *)p)[i]);
        else
            printf("%s %lld %a\n", t->name, (long long)i, ((float *)p)[i]);
    }
}

static void print_saved(dm_model *m) {
    const dm_model_desc *d = dm_desc(m);
    for (int i = 0; i < d->ntensors; i++)
        if (d->tensors[i].kind == DM_PARAM || d->tensors[i].kind == DM_STATE)
            print_tensor(m, &d->tensors[i]);
}

static const dm_tensor_desc gen_tensors[] = {
    {"u", (const int64_t[DM_MAX_RANK]){5}, &(const dm_init_desc){DM_INIT_UNIFORM, -1, 3, 0, 0, NULL}, 5, 0, 20, DM_PARAM, DM_F32, -1, 1, 0, 0, 0, 0},
    {"n", (const int64_t[DM_MAX_RANK]){5}, &(const dm_init_desc){DM_INIT_NORMAL, 2, 3, 0, 0, NULL}, 5, 64, 20, DM_PARAM, DM_F32, -1, 1, 0, 0, 0, 0},
    {"layer.he", (const int64_t[DM_MAX_RANK]){3}, &(const dm_init_desc){DM_INIT_HE, 0, 0, 200, 10, NULL}, 3, 128, 12, DM_PARAM, DM_F32, -1, 1, 0, 0, 0, 0},
    {"layer.xavier", (const int64_t[DM_MAX_RANK]){3, 2}, &(const dm_init_desc){DM_INIT_XAVIER, 0, 0, 3, 2, NULL}, 6, 192, 24, DM_PARAM, DM_F32, -1, 2, 0, 0, 0, 0},
    {"rng/dropout", (const int64_t[DM_MAX_RANK]){2}, &(const dm_init_desc){DM_INIT_SEED, 0, 0, 0, 0, NULL}, 2, 256, 8, DM_STATE, DM_I32, -1, 1, 0, 0, 0, 0},
};
static const dm_model_desc gen_model = {DM_ABI_VERSION, "gen", 320, 0, 0, 5, gen_tensors, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL};

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "gen")) {
        dm_model *m = dm_new(&gen_model, strtoull(argv[2], NULL, 0));
        print_saved(m);
        dm_free(m);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "save")) {
        dm_model *m = dm_new(&fx_model, strtoull(argv[3], NULL, 0));
        float *x = dm_data(m, "x"), loss;
        for (int i = 0; i < 4; i++)
            x[i] = (float)(i + 1);
        if (dm_train_step(m, &loss) || dm_save(m, argv[2])) {
            fprintf(stderr, "%s\n", dm_last_error());
            return 1;
        }
        dm_free(m);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "load")) {
        dm_model *m = dm_new(&fx_model, 0);
        int rc = dm_load(m, argv[2]);
        if (rc) {
            printf("error %d: %s\n", rc, dm_last_error());
            dm_free(m);   /* (a leak would make LeakSanitizer exit 1 under check-sanitize) */
            return 2;
        }
        print_saved(m);
        dm_free(m);
        return 0;
    }
    fprintf(stderr, "usage: st_tool gen SEED | save PATH SEED | load PATH\n");
    return 1;
}
