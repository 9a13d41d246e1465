/* rt_buffers.c: DM_BUFFER tensors in the runtime, on a hand-made descriptor
 * (no compiler): dm_new initialises them, dm_save writes params, then
 * buffers, then state; dm_load requires them as it requires params (a file
 * without one is refused and changes nothing), and a file without state
 * still loads its buffers while the state is reset; dm_reinit resets them.
 *
 * The model "buf": param w f32[2] (const 0.25), buffer r f32[3] (ones),
 * state opt/m/w f32[2] (zeros, of w), input x f32[2]; offsets 0, 64, 128,
 * 192.  Its entries are never run. */
#include "../runtime/fixture.h"
#include <stdlib.h>
#include <unistd.h>

static int no_entry(uint8_t *data, dm_exec *ex) { return 0; }

static const dm_tensor_desc buf_tensors[] = {
    {"w", (const int64_t[DM_MAX_RANK]){2}, &(const dm_init_desc){DM_INIT_CONST, 0.25, 0, 0, 0, NULL}, 2, 0, 8, DM_PARAM, DM_F32, -1, 1, 0, 0, 0, 0},
    {"bn.running_var", (const int64_t[DM_MAX_RANK]){3}, &(const dm_init_desc){DM_INIT_ONES, 0, 0, 0, 0, NULL}, 3, 64, 12, DM_BUFFER, DM_F32, -1, 1, 0, 0, 0, 0},
    {"opt/m/w", (const int64_t[DM_MAX_RANK]){2}, NULL, 2, 128, 8, DM_STATE, DM_F32, 0, 1, 0, 0, 0, 0},
    {"x", (const int64_t[DM_MAX_RANK]){2}, NULL, 2, 192, 8, DM_INPUT, DM_F32, -1, 1, 0, 0, 0, 0},
};
static const dm_model_desc buf_model = {
    DM_ABI_VERSION, "buf", 256, 0, 0, 4, buf_tensors, no_entry, no_entry, no_entry, no_entry, 0, NULL, NULL, 0, NULL,
};

/* Writes a safetensors file of the given header and data. */
static void write_st(const char *path, const char *header, const float *data, size_t n) {
    size_t hlen = strlen(header), padded = (hlen + 7) / 8 * 8;
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 8; i++) fputc((int)(padded >> (8 * i)) & 0xff, f);
    fputs(header, f);
    for (size_t i = hlen; i < padded; i++) fputc(' ', f);
    fwrite(data, sizeof *data, n, f);
    fclose(f);
}

int main(void) {
    char dir[] = "/tmp/rt_buffers_XXXXXX", path[64], part[64];
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/all.safetensors", dir);
    snprintf(part, sizeof part, "%s/part.safetensors", dir);

    dm_model *m = dm_new(&buf_model, 7);
    CHECK(m != NULL);
    if (!m) return 1;
    float *w = dm_data(m, "w"), *r = dm_data(m, "bn.running_var"), *s = dm_data(m, "opt/m/w");
    CHECK(w[0] == 0.25f && r[0] == 1 && r[1] == 1 && r[2] == 1 && s[0] == 0);   /* the initialisers */

    /* the saved order: params, buffers, state (the header's offsets say it) */
    r[0] = 2, r[1] = 3, r[2] = 4, s[0] = 5;
    CHECK_ERR(dm_save(m, path), DM_OK);
    char text[4096] = "";
    size_t n = fx_read_all(path, text, sizeof text - 1);
    text[n < sizeof text ? n : sizeof text - 1] = 0;
    const char *pw = strstr(text + 8, "\"w\""), *pr = strstr(text + 8, "\"bn.running_var\""),
               *ps = strstr(text + 8, "\"opt/m/w\"");
    CHECK(pw && pr && ps);
    CHECK(pr && strstr(pr, "\"data_offsets\":[8,20]"));   /* after w's 8 bytes */
    CHECK(ps && strstr(ps, "\"data_offsets\":[20,28]"));

    /* round trip into a fresh instance */
    dm_model *m2 = dm_new(&buf_model, 8);
    CHECK_ERR(dm_load(m2, path), DM_OK);
    float *r2 = dm_data(m2, "bn.running_var");
    CHECK(r2[0] == 2 && r2[1] == 3 && r2[2] == 4 && ((float *)dm_data(m2, "opt/m/w"))[0] == 5);

    /* a file without the buffer: refused, naming it, and nothing changes */
    static const float only_w[2] = {9, 9};
    write_st(part, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", only_w, 2);
    CHECK_ERR(dm_load(m2, part), DM_EMISMATCH);
    CHECK(strstr(dm_last_error(), "bn.running_var") != NULL);
    CHECK(((float *)dm_data(m2, "w"))[0] == 0.25f && r2[0] == 2);

    /* params and buffers without state (a PyTorch state_dict): loads, the state is reset */
    static const float w_and_r[5] = {1, 2, 7, 8, 9};
    write_st(part, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                   "\"bn.running_var\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[8,20]}}", w_and_r, 5);
    CHECK_ERR(dm_load(m2, part), DM_OK);
    CHECK(((float *)dm_data(m2, "w"))[1] == 2 && r2[0] == 7 && r2[2] == 9 && ((float *)dm_data(m2, "opt/m/w"))[0] == 0);

    /* dm_reinit draws the params again and resets the buffers to their initialiser */
    CHECK_ERR(dm_reinit(m2, 3), DM_OK);
    CHECK(r2[0] == 1 && r2[1] == 1 && r2[2] == 1);

    dm_free(m2);
    dm_free(m);
    unlink(path);
    unlink(part);
    rmdir(dir);
    FX_DONE();
}
