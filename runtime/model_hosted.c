/* model_hosted.c: instances in memory the runtime allocates (dm_new), the
 * hosted library's part of model.c (the freestanding core has no malloc:
 * there the caller gives the memory to dm_init). */
#include "rt.h"

#include <stdlib.h>

dm_model *dm_new(const dm_model_desc *d, uint64_t seed) {
    rt_clear_error();
    if (rt_check_desc(d) != DM_OK)
        return NULL;
    size_t size = dm_memory_size(d);
    void *block = d->data_size > SIZE_MAX / 2 ? NULL : malloc(size);
    if (!block) {
        rt_error(DM_ENOMEM, "dm_new: cannot allocate %zu bytes for model '%s'", size, d->name);
        return NULL;
    }
    dm_model *m = dm_init(d, block, size, seed);
    if (!m) {
        free(block);
        return NULL;
    }
    m->block = block;
    return m;
}

void rt_release_block(void *block) {
    free(block);
}
