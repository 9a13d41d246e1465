/* rt_buffer.c: checkpoints in memory (dm_save_buffer, dm_load_buffer).
 *
 *  - the size query, and the bytes, equal dm_save's file (the format's own
 *    tests, rt_safetensors.c and tests/runtime/safetensors_python.test.sh,
 *    check that file against the safetensors library);
 *  - the layout by hand: 8 + the header length (a multiple of 8) + the 64
 *    data bytes of the fixture's saved tensors (fc.W 24, fc.b 8, opt/m/fc.W
 *    24, rng/dropout 8);
 *  - a round trip into an instance of another seed restores parameters, state
 *    and metadata;
 *  - a buffer one byte too small: DM_ENOMEM, nothing written, the size needed;
 *  - every truncation and every corrupted header byte that is rejected leaves
 *    the model unchanged (and every truncation is rejected). */
#include "../runtime/fixture.h"
#include "rt.h"
#include <stdlib.h>
#include <unistd.h>


/* What a load may change: params, state and the metadata. */
static void snapshot(dm_model *m, uint8_t out[64 + 32]) {
    memcpy(out, dm_data(m, "fc.W"), 24);
    memcpy(out + 24, dm_data(m, "fc.b"), 8);
    memcpy(out + 32, dm_data(m, "opt/m/fc.W"), 24);
    memcpy(out + 56, dm_data(m, "rng/dropout"), 8);
    const char *epoch = dm_get_metadata(m, "epoch");
    memset(out + 64, 0, 32);
    snprintf((char *)out + 64, 32, "%s", epoch ? epoch : "(none)");
}

int main(void) {
    dm_model *a = dm_new(&fx_model, 1), *b = dm_new(&fx_model, 2), *c = dm_new(&fx_model, 3);
    float *x = dm_data(a, "x");
    for (int i = 0; i < 4; i++) x[i] = (float)(i + 1);
    CHECK(dm_train_step(a, NULL) == DM_OK && dm_train_step(a, NULL) == DM_OK);
    CHECK(dm_set_metadata(a, "epoch", "3") == DM_OK);

    size_t n = 0;
    CHECK(dm_save_buffer(a, NULL, 0, &n) == DM_OK);
    uint8_t *buf = malloc(n + 1);
    size_t written = 0;
    CHECK(dm_save_buffer(a, buf, n, &written) == DM_OK && written == n);
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++) hlen |= (uint64_t)buf[i] << (8 * i);
    CHECK(hlen % 8 == 0 && n == 8 + hlen + 64);

    char path[] = "/tmp/rt_buffer_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    CHECK(dm_save(a, path) == DM_OK);
    char *file = malloc(n + 16);
    CHECK(fx_read_all(path, file, n + 16) == n && memcmp(file, buf, n) == 0);
    unlink(path);

    /* Round trip. */
    uint8_t want[96], got[96], before[96];
    snapshot(a, want);
    snapshot(b, got);
    CHECK(memcmp(want, got, 64) != 0);
    CHECK(dm_load_buffer(b, buf, n) == DM_OK);
    snapshot(b, got);
    CHECK(memcmp(want, got, sizeof want) == 0);

    /* Too small: nothing written, the size needed. */
    uint8_t *small = malloc(n);
    memset(small, 0xab, n);
    written = 0;
    CHECK(dm_save_buffer(a, small, n - 1, &written) == DM_ENOMEM && written == n);
    int untouched = 1;
    for (size_t i = 0; i < n; i++) untouched &= small[i] == 0xab;
    CHECK(untouched);

    /* Truncations: all rejected, c unchanged. */
    snapshot(c, before);
    for (size_t k = 0; k < n; k++) {
        int rc = dm_load_buffer(c, buf, k);
        snapshot(c, got);
        if (rc == DM_OK || memcmp(before, got, sizeof got) != 0) {
            printf("FAIL: a checkpoint cut to %zu of %zu bytes: %d (%s), changed %d\n", k, n, rc, dm_last_error(),
                   memcmp(before, got, sizeof got) != 0);
            fx_failures++;
            break;
        }
    }
    /* Corruption: each header byte in turn flipped (bit 5: letters change
     * case, digits and spaces become control characters); a rejected load
     * leaves c unchanged.  Most flips are rejected (a flip inside the model's
     * name or a metadata value is not: those are free text). */
    int rejected = 0;
    for (size_t k = 0; k < 8 + hlen; k++) {
        buf[k] ^= 0x20;
        int rc = dm_load_buffer(c, buf, n);
        buf[k] ^= 0x20;
        snapshot(c, got);
        if (rc != DM_OK) {
            rejected++;
            if (memcmp(before, got, sizeof got) != 0) {
                printf("FAIL: byte %zu flipped: rejected (%s) but the model changed\n", k, dm_last_error());
                fx_failures++;
            }
        } else {
            CHECK(dm_load_buffer(c, buf, n) == DM_OK); /* accepted: back to a known state */
            snapshot(c, before);
        }
    }
    CHECK(rejected > (int)(8 + hlen) * 3 / 4);

    /* Misuse. */
    CHECK_ERR(dm_load_buffer(c, NULL, 16), DM_EINVAL);
    CHECK_ERR(dm_save_buffer(a, NULL, 0, NULL), DM_EINVAL);
    CHECK_ERR(dm_save_buffer(NULL, buf, n, &written), DM_EINVAL);
    CHECK_ERR(dm_load_buffer(c, "\x08\0\0\0\0\0\0\0{}      ", 16), DM_EMISMATCH); /* no parameters at all */

    dm_free(a), dm_free(b), dm_free(c);
    free(buf), free(small), free(file);
    FX_DONE();
}
