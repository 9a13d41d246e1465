/* rt_safetensors.c: checkpoints: round trip, the file's layout, every
 * validation failure of dm_load (leaving the model unchanged) and dm_save's
 * atomicity (the old checkpoint survives a failed save).
 *
 * The files of the validation cases are written by hand below: the fixture's
 * saved tensors are fc.W f32[3,2] (24 bytes), fc.b f32[2] (8), opt/m/fc.W
 * f32[3,2] (24), rng/dropout i32[2] (8): 64 data bytes. */
#include "../runtime/fixture.h"
#include "rt.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static char *path_in(const char *name) {
    static char buf[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Writes 8-byte length + header (padded with spaces to a multiple of 8) + data.
 * A nonzero fake_len is written as the length instead of the true one. */
static void write_st(const char *path, const char *header, const void *data, size_t n, uint64_t fake_len) {
    size_t hlen = strlen(header), padded = (hlen + 7) / 8 * 8;
    uint64_t len = fake_len ? fake_len : padded;
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 8; i++)
        fputc((int)(len >> (8 * i)) & 0xff, f);
    fwrite(header, 1, hlen, f);
    for (size_t i = hlen; i < padded; i++)
        fputc(' ', f);
    fwrite(data, 1, n, f);
    fclose(f);
}

static uint8_t *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(*n + 1);
    *n = fread(buf, 1, *n, f);
    fclose(f);
    return buf;
}

/* The bytes dm_load may change: params and state. */
static void snapshot(dm_model *m, uint8_t out[64]) {
    memcpy(out, dm_data(m, "fc.W"), 24);
    memcpy(out + 24, dm_data(m, "fc.b"), 8);
    memcpy(out + 32, dm_data(m, "opt/m/fc.W"), 24);
    memcpy(out + 56, dm_data(m, "rng/dropout"), 8);
}

static const char *W = "\"fc.W\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]}";
static const char *B = "\"fc.b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}";
static const char *M = "\"opt/m/fc.W\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[32,56]}";
static const char *R = "\"rng/dropout\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[56,64]}";

/* One load that must fail with code and a message containing `says`, leaving m unchanged. */
static void expect_reject(dm_model *m, const char *what, const char *header, size_t nbytes, uint64_t fake_len,
                          int code, const char *says) {
    static uint8_t data[128];
    for (int i = 0; i < 128; i++)
        data[i] = (uint8_t)(i + 1);
    const char *p = path_in("bad.safetensors");
    write_st(p, header, data, nbytes, fake_len);
    uint8_t before[64], after[64];
    snapshot(m, before);
    int rc = dm_load(m, p);
    snapshot(m, after);
    if (rc != code || !strstr(dm_last_error(), says) || memcmp(before, after, 64) != 0) {
        fprintf(stderr, "%s: dm_load returned %d (expected %d), said \"%s\" (expected to contain \"%s\")%s\n", what, rc,
                code, dm_last_error(), says, memcmp(before, after, 64) ? ", and changed the model" : "");
        fx_failures++;
    }
    /* dm_load_buffer on the same bytes: the same verdict, the model unchanged. */
    size_t n;
    uint8_t *bytes = read_all(p, &n);
    rc = dm_load_buffer(m, bytes, n);
    snapshot(m, after);
    if (rc != code || !strstr(dm_last_error(), says) || memcmp(before, after, 64) != 0) {
        fprintf(stderr, "%s: dm_load_buffer returned %d (expected %d), said \"%s\"%s\n", what, rc, code,
                dm_last_error(), memcmp(before, after, 64) ? ", and changed the model" : "");
        fx_failures++;
    }
    free(bytes);
}

/* dm_save_buffer writes the bytes dm_save writes; dm_load_buffer reads them. */
static void test_buffers(void) {
    dm_model *a = dm_new(&fx_model, 5), *b = dm_new(&fx_model, 6);
    float loss;
    ((float *)dm_data(a, "x"))[0] = 2;
    dm_train_step(a, &loss);
    const char *p = path_in("buf.safetensors");
    CHECK_ERR(dm_save(a, p), DM_OK);
    size_t n, need = 0, written = 0;
    uint8_t *file = read_all(p, &n);
    CHECK_ERR(dm_save_buffer(a, NULL, 0, &need), DM_ENOMEM);   /* the size query */
    CHECK(need == n);
    uint8_t *buf = malloc(n + 1);
    CHECK_ERR(dm_save_buffer(a, buf, n - 1, &written), DM_ENOMEM);   /* one byte short */
    CHECK(written == n);
    memset(buf, 0xAA, n + 1);
    CHECK_ERR(dm_save_buffer(a, buf, n + 1, &written), DM_OK);
    CHECK(written == n && memcmp(buf, file, n) == 0 && buf[n] == 0xAA);
    uint8_t sa[64], sb[64];
    snapshot(a, sa);
    CHECK_ERR(dm_load_buffer(b, buf, written), DM_OK);
    snapshot(b, sb);
    CHECK(memcmp(sa, sb, 64) == 0);
    CHECK_ERR(dm_load_buffer(b, buf, 7), DM_EFORMAT);   /* shorter than the header length */
    CHECK_ERR(dm_load_buffer(b, NULL, 8), DM_EINVAL);
    CHECK_ERR(dm_save_buffer(NULL, buf, n, &written), DM_EINVAL);
    free(file), free(buf);
    dm_free(a), dm_free(b);
}

static void test_round_trip(void) {
    dm_model *a = dm_new(&fx_model, 1), *b = dm_new(&fx_model, 2);
    float loss;
    ((float *)dm_data(a, "x"))[0] = 3;
    dm_train_step(a, &loss);
    dm_train_step(a, &loss);
    const char *p = path_in("a.safetensors");
    CHECK_ERR(dm_save(a, p), DM_OK);
    uint8_t sa[64], sb[64];
    snapshot(a, sa);
    snapshot(b, sb);
    CHECK(memcmp(sa, sb, 64) != 0);
    CHECK_ERR(dm_load(b, p), DM_OK);
    snapshot(b, sb);
    CHECK(memcmp(sa, sb, 64) == 0);
    CHECK(((int32_t *)dm_data(b, "rng/dropout"))[1] == 2); /* two steps */

    /* Layout: length, header padded to a multiple of 8, then exactly 64 data bytes,
     * params first (fc.W's bytes start the data section). */
    size_t n;
    uint8_t *file = read_all(p, &n);
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++)
        hlen |= (uint64_t)file[i] << (8 * i);
    CHECK(hlen % 8 == 0 && n == 8 + hlen + 64);
    CHECK(memcmp(file + 8 + hlen, dm_data(a, "fc.W"), 24) == 0);
    CHECK(memcmp(file + 8 + hlen + 56, dm_data(a, "rng/dropout"), 8) == 0);
    char *header = calloc(1, hlen + 1);
    memcpy(header, file + 8, hlen);
    CHECK(strstr(header, "\"__metadata__\":{\"format\":\"dmc\",\"model\":\"tiny\"}") != NULL);
    CHECK(strstr(header, "\"fc.W\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]}") != NULL);
    CHECK(strstr(header, "\"rng/dropout\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[56,64]}") != NULL);
    CHECK(strstr(header, "grad/") == NULL && strstr(header, "\"x\"") == NULL && strstr(header, "loss") == NULL);
    CHECK(strstr(header, "fc.W") < strstr(header, "fc.b") && strstr(header, "fc.b") < strstr(header, "opt/m"));
    free(header);
    free(file);

    /* A hand-written file with the tensors in another order and no metadata loads too. */
    char h[1024];
    snprintf(h, sizeof h, "{%s,%s,%s,%s}", R, M, B, W);
    float vals[16];
    for (int i = 0; i < 14; i++)
        vals[i] = (float)i - 0.25f;
    int32_t key[2] = {123, 45};
    memcpy(vals + 14, key, 8);
    write_st(path_in("hand.safetensors"), h, vals, 64, 0);
    CHECK_ERR(dm_load(b, path_in("hand.safetensors")), DM_OK);
    CHECK(((float *)dm_data(b, "fc.W"))[5] == 4.75f && ((float *)dm_data(b, "fc.b"))[1] == 6.75f);
    CHECK(((float *)dm_data(b, "opt/m/fc.W"))[0] == 7.75f);
    CHECK(((int32_t *)dm_data(b, "rng/dropout"))[0] == 123 && ((int32_t *)dm_data(b, "rng/dropout"))[1] == 45);

    /* Params only: the state is reset to its initial values (zeros; the seed key of seed 2, step 0). */
    dm_model *fresh = dm_new(&fx_model, 2);
    snprintf(h, sizeof h, "{%s,%s}", W, B);
    write_st(path_in("weights.safetensors"), h, vals, 32, 0);
    CHECK_ERR(dm_load(b, path_in("weights.safetensors")), DM_OK);
    CHECK(((float *)dm_data(b, "fc.b"))[0] == 5.75f);
    CHECK(memcmp(dm_data(b, "opt/m/fc.W"), dm_data(fresh, "opt/m/fc.W"), 24) == 0);
    CHECK(memcmp(dm_data(b, "rng/dropout"), dm_data(fresh, "rng/dropout"), 8) == 0);
    dm_free(fresh), dm_free(a), dm_free(b);
}

static void test_metadata(void) {
    dm_model *m = dm_new(&fx_model, 1);
    const char *p = path_in("meta.safetensors");
    const char *keys[] = {"epoch", "note"}, *values[] = {"7", "quote \" and \\ and \n"};
    CHECK_ERR(dm_save_with_metadata(m, p, 2, keys, values), DM_OK);
    char buf[64];
    CHECK_ERR(dm_load_metadata(p, "epoch", buf, sizeof buf), DM_OK);
    CHECK(strcmp(buf, "7") == 0);
    CHECK_ERR(dm_load_metadata(p, "note", buf, sizeof buf), DM_OK);
    CHECK(strcmp(buf, values[1]) == 0);
    CHECK_ERR(dm_load_metadata(p, "model", buf, sizeof buf), DM_OK);
    CHECK(strcmp(buf, "tiny") == 0);
    CHECK_ERR(dm_load_metadata(p, "format", buf, sizeof buf), DM_OK);
    CHECK(strcmp(buf, "dmc") == 0);
    CHECK_ERR(dm_load_metadata(p, "nope", buf, sizeof buf), DM_EMISMATCH);
    CHECK(strstr(dm_last_error(), "'nope'") != NULL);
    CHECK_ERR(dm_load_metadata(p, "model", buf, 4), DM_ENOMEM); /* "tiny" needs 5 bytes */
    CHECK_ERR(dm_load_metadata(p, "epoch", NULL, 4), DM_EINVAL);
    CHECK_ERR(dm_load_metadata(path_in("missing"), "epoch", buf, sizeof buf), DM_EIO);
    CHECK_ERR(dm_load(m, p), DM_OK); /* the extra metadata does not disturb loading */
    const char *reserved[] = {"model"};
    CHECK_ERR(dm_save_with_metadata(m, p, 1, reserved, values), DM_EINVAL);
    CHECK_ERR(dm_save_with_metadata(m, p, 1, NULL, values), DM_EINVAL);
    dm_free(m);
}

static void test_rejections(void) {
    dm_model *m = dm_new(&fx_model, 9);
    char h[2048];
    CHECK_ERR(dm_load(m, path_in("does-not-exist.safetensors")), DM_EIO);
    CHECK(strstr(dm_last_error(), "does-not-exist.safetensors") != NULL);
    CHECK_ERR(dm_load(m, dir), DM_EIO); /* a directory */

    snprintf(h, sizeof h, "{%s,%s,%s,%s}", W, B, M, R);
    expect_reject(m, "valid header, data cut short", h, 40, 0, DM_EFORMAT, "outside the data section");
    expect_reject(m, "header length too big", h, 64, 1ull << 40, DM_EFORMAT, "exceeds the file");
    expect_reject(m, "header length past the end", h, 64, 4096, DM_EFORMAT, "exceeds the file");
    FILE *f = fopen(path_in("short.safetensors"), "wb");
    fwrite("\x10\0\0", 1, 3, f);
    fclose(f);
    CHECK_ERR(dm_load(m, path_in("short.safetensors")), DM_EFORMAT);
    CHECK(strstr(dm_last_error(), "too short") != NULL);

    snprintf(h, sizeof h, "{%s,%s,%s,%s", W, B, M, R);
    expect_reject(m, "unterminated object", h, 64, 0, DM_EFORMAT, "not valid JSON");
    snprintf(h, sizeof h, "{%s,%s,%s,%s,}", W, B, M, R);
    expect_reject(m, "trailing comma", h, 64, 0, DM_EFORMAT, "not valid JSON");
    snprintf(h, sizeof h, "{%s,%s,%s,%s} x", W, B, M, R);
    expect_reject(m, "text after the object", h, 64, 0, DM_EFORMAT, "not valid JSON");
    expect_reject(m, "leading zero", "{\"fc.W\":{\"dtype\":\"F32\",\"shape\":[03,2],\"data_offsets\":[0,24]}}", 64, 0,
                  DM_EFORMAT, "not valid JSON");
    expect_reject(m, "not an object", "[1,2,3]", 64, 0, DM_EFORMAT, "not a JSON object");
    expect_reject(m, "empty header", "", 64, 0, DM_EFORMAT, "not valid JSON");

    snprintf(h, sizeof h, "{%s,\"fc.b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[24,32]},%s,%s}", W, M, R);
    expect_reject(m, "wrong dtype", h, 64, 0, DM_EMISMATCH, "tensor 'fc.b' has dtype I32, the model expects F32");
    snprintf(h, sizeof h, "{%s,\"fc.b\":{\"dtype\":\"F99\",\"shape\":[2],\"data_offsets\":[24,32]},%s,%s}", W, M, R);
    expect_reject(m, "unknown dtype", h, 64, 0, DM_EFORMAT, "unknown dtype \"F99\"");
    snprintf(h, sizeof h, "{\"fc.W\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},%s,%s,%s}", B, M, R);
    expect_reject(m, "wrong shape", h, 64, 0, DM_EMISMATCH, "tensor 'fc.W' has shape [2, 3], the model expects [3, 2]");
    snprintf(h, sizeof h, "{\"fc.W\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]},%s,%s,%s}", B, M, R);
    expect_reject(m, "wrong rank", h, 64, 0, DM_EMISMATCH, "has shape [6], the model expects [3, 2]");
    snprintf(h, sizeof h, "{%s,%s,%s,%s,\"fc.Z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[64,68]}}", W, B,
             M, R);
    expect_reject(m, "unknown name", h, 68, 0, DM_EMISMATCH, "unknown tensor 'fc.Z'");
    snprintf(h, sizeof h, "{%s,%s,%s,%s,\"grad/fc.b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[64,72]}}", W,
             B, M, R);
    expect_reject(m, "a gradient is not saved state", h, 72, 0, DM_EMISMATCH, "unknown tensor 'grad/fc.b'");
    snprintf(h, sizeof h, "{%s,%s,%s}", W, M, R);
    expect_reject(m, "missing param", h, 64, 0, DM_EMISMATCH, "missing parameter 'fc.b'");
    snprintf(h, sizeof h, "{%s,%s,%s}", W, B, M);
    expect_reject(m, "part of the state", h, 64, 0, DM_EMISMATCH, "but not 'rng/dropout'");
    snprintf(h, sizeof h, "{%s,\"fc.b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},%s,%s}", W, M, R);
    expect_reject(m, "overlapping offsets", h, 64, 0, DM_EFORMAT, "overlap");
    snprintf(h, sizeof h, "{%s,%s,%s,\"rng/dropout\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[60,68]}}", W,
             B, M);
    expect_reject(m, "offsets outside the file", h, 64, 0, DM_EFORMAT, "outside the data section");
    snprintf(h, sizeof h, "{%s,\"fc.b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,36]},%s,%s}", W, M, R);
    expect_reject(m, "size disagrees with shape", h, 64, 0, DM_EFORMAT, "the shape needs 8");
    snprintf(h, sizeof h, "{\"fc.W\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[24,0]},%s,%s,%s}", B, M, R);
    expect_reject(m, "begin after end", h, 64, 0, DM_EFORMAT, "outside the data section");
    snprintf(h, sizeof h, "{%s,%s,%s,%s,%s}", W, W, B, M, R);
    expect_reject(m, "duplicate name", h, 64, 0, DM_EFORMAT, "twice");
    snprintf(h, sizeof h, "{%s,%s,%s,%s,\"__metadata__\":{\"format\":7}}", W, B, M, R);
    expect_reject(m, "metadata not strings", h, 64, 0, DM_EFORMAT, "__metadata__");
    snprintf(h, sizeof h, "{\"fc.W\":{\"dtype\":\"F32\",\"shape\":[3,-2],\"data_offsets\":[0,24]},%s,%s,%s}", B, M, R);
    expect_reject(m, "negative dimension", h, 64, 0, DM_EFORMAT, "shape must be");
    snprintf(h, sizeof h, "{\"fc.W\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24],\"x\":1},%s,%s,%s}", B,
             M, R);
    expect_reject(m, "extra field", h, 64, 0, DM_EFORMAT, "unknown field 'x'");
    dm_free(m);
}

/* The strict JSON reader on its own: what RFC 8259 allows and what it does not. */
static void test_json(void) {
    char why[128];
    size_t at;
    const char *good = " {\"a\": [1, 2.5e3, -0, true, false, null, \"\\u00e9\\ud83d\\ude00\\n\"], \"b\": {}, \"c\": 18446744073709551615} ";
    rt_json *v = rt_json_parse(good, strlen(good), why, sizeof why, &at);
    CHECK(v != NULL);
    if (v) {
        const rt_json *a = rt_json_get(v, "a");
        CHECK(a && a->kind == RT_JSON_ARRAY && a->count == 7);
        CHECK(a->items[0]->is_uint && a->items[0]->uint == 1);
        CHECK(a->items[1]->number == 2500 && !a->items[1]->is_uint);
        CHECK(!a->items[2]->is_uint); /* -0 is not a plain non-negative integer */
        CHECK(a->items[3]->kind == RT_JSON_BOOL && a->items[3]->boolean && !a->items[4]->boolean);
        CHECK(a->items[5]->kind == RT_JSON_NULL);
        /* U+00E9 = c3 a9, U+1F600 = f0 9f 98 80 */
        CHECK(a->items[6]->len == 7 && memcmp(a->items[6]->string, "\xc3\xa9\xf0\x9f\x98\x80\n", 7) == 0);
        CHECK(rt_json_get(v, "c")->is_uint && rt_json_get(v, "c")->uint == UINT64_MAX);
        CHECK(rt_json_get(v, "b")->kind == RT_JSON_OBJECT && rt_json_get(v, "zz") == NULL);
        rt_json_free(v);
    }
    const char *bad[] = {"[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "\"\\x\"", "\"a\tb\"", "\"\\ud800\"", "\"\\udc00\"",
                         "1 2", "nul", "[1", "{1:2}", "-", "1.", "1e", "'a'", "/* c */ 1", "", "   ", "\"abc",
                         "[\"\\u12\"]", "+1", ".5", "tru", "[1 2]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = rt_json_parse(bad[i], strlen(bad[i]), why, sizeof why, &at);
        if (v) {
            fprintf(stderr, "JSON %s was accepted\n", bad[i]);
            fx_failures++;
            rt_json_free(v);
        }
    }
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    CHECK(rt_json_parse(deep, 200, why, sizeof why, &at) == NULL && strstr(why, "deep"));
    v = rt_json_parse(deep + 40, 120, why, sizeof why, &at);
    CHECK(v != NULL);
    rt_json_free(v);
}

/* Random damage to a valid checkpoint: every load either succeeds or fails
 * leaving the model unchanged; none crashes. */
static void test_fuzz(void) {
    dm_model *src = dm_new(&fx_model, 3), *m = dm_new(&fx_model, 8);
    const char *p = path_in("fuzz-src.safetensors");
    CHECK_ERR(dm_save(src, p), DM_OK);
    size_t n;
    uint8_t *orig = read_all(p, &n), *buf = malloc(n);
    uint32_t state = 12345;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, orig, n);
        size_t len = n;
        int changes = 1 + iter % 3;
        for (int k = 0; k < changes; k++) {
            state = state * 1664525u + 1013904223u;
            size_t at = (state >> 8) % n;
            state = state * 1664525u + 1013904223u;
            buf[at] = (uint8_t)(iter % 2 ? state >> 24 : "{}[],:\"0123456789 -e.\\"[(state >> 24) % 22]);
        }
        if (iter % 7 == 0) {
            state = state * 1664525u + 1013904223u;
            len = (state >> 8) % n;
        }
        FILE *f = fopen(p, "wb");
        fwrite(buf, 1, len, f);
        fclose(f);
        uint8_t before[64], after[64];
        snapshot(m, before);
        int rc = dm_load(m, p);
        snapshot(m, after);
        int rc_buffer = dm_load_buffer(m, buf, len);
        if (rc_buffer != rc) {
            fprintf(stderr, "fuzz %d: dm_load returned %d, dm_load_buffer %d\n", iter, rc, rc_buffer);
            fx_failures++;
        }
        if (rc != DM_OK && memcmp(before, after, 64) != 0) {
            fprintf(stderr, "fuzz %d: failed load (%s) changed the model\n", iter, dm_last_error());
            fx_failures++;
        }
        if (rc != DM_OK && rc != DM_EFORMAT && rc != DM_EMISMATCH) {
            fprintf(stderr, "fuzz %d: unexpected code %d (%s)\n", iter, rc, dm_last_error());
            fx_failures++;
        }
    }
    free(orig), free(buf);
    dm_free(src), dm_free(m);
}

static int count_temp_files(void) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static void test_save_failures(void) {
    dm_model *m = dm_new(&fx_model, 4);
    /* A missing directory. */
    CHECK_ERR(dm_save(m, path_in("no/such/dir/x.safetensors")), DM_EIO);
    CHECK(strstr(dm_last_error(), "x.safetensors") != NULL);

    /* A target whose temporary file cannot be created (its name would be too long):
     * the old checkpoint stays as it was. */
    char name[256];
    memset(name, 'c', 250);
    strcpy(name + 250, ".st");
    const char *old = path_in(name);
    FILE *f = fopen(old, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs("the old checkpoint", f);
        fclose(f);
        CHECK_ERR(dm_save(m, old), DM_EIO);
        size_t n;
        uint8_t *bytes = read_all(old, &n);
        CHECK(bytes && n == 18 && memcmp(bytes, "the old checkpoint", 18) == 0);
        free(bytes);
        unlink(old);
    }

    /* A target that cannot be replaced (a non-empty directory): the temporary file is removed. */
    const char *sub = path_in("target-dir");
    mkdir(sub, 0755);
    char inside[700];
    snprintf(inside, sizeof inside, "%s/keep", sub);
    f = fopen(inside, "w");
    fclose(f);
    CHECK_ERR(dm_save(m, sub), DM_EIO);
    CHECK(count_temp_files() == 0);
    unlink(inside);
    rmdir(sub);

    /* A read-only directory (meaningless for root, who may write anyway). */
    if (geteuid() != 0) {
        const char *ro = path_in("ro");
        mkdir(ro, 0755);
        char target[700];
        snprintf(target, sizeof target, "%s/ck.safetensors", ro);
        CHECK_ERR(dm_save(m, target), DM_OK);
        size_t n0, n1;
        uint8_t *before = read_all(target, &n0);
        chmod(ro, 0555);
        ((float *)dm_data(m, "fc.b"))[0] = 42;
        CHECK_ERR(dm_save(m, target), DM_EIO);
        uint8_t *after = read_all(target, &n1);
        CHECK(n0 == n1 && memcmp(before, after, n0) == 0);
        chmod(ro, 0755);
        unlink(target);
        rmdir(ro);
        free(before), free(after);
    }

    /* Saving over an existing checkpoint replaces it. */
    const char *p = path_in("over.safetensors");
    ((float *)dm_data(m, "fc.b"))[0] = 1;
    CHECK_ERR(dm_save(m, p), DM_OK);
    ((float *)dm_data(m, "fc.b"))[0] = 2;
    CHECK_ERR(dm_save(m, p), DM_OK);
    ((float *)dm_data(m, "fc.b"))[0] = 3;
    CHECK_ERR(dm_load(m, p), DM_OK);
    CHECK(((float *)dm_data(m, "fc.b"))[0] == 2);
    CHECK(count_temp_files() == 0);
    dm_free(m);
}

static void remove_dir(void) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1024];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

int main(void) {
    snprintf(dir, sizeof dir, "%s/rt_safetensors.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trip();
    test_buffers();
    test_metadata();
    test_rejections();
    test_json();
    test_fuzz();
    test_save_failures();
    remove_dir();
    FX_DONE();
}
