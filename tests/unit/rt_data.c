/* rt_data.c: the data utilities on small hand-made files.
 *
 * Oracles: CRC-32's published check value (crc32("123456789") = cbf43926);
 * a gzip file assembled by hand around one stored DEFLATE block (header
 * 1f 8b 08 00 + 6 zero bytes, block byte 01 = final + stored, LEN/NLEN, the
 * bytes, then CRC-32 and length little-endian); a fixed-Huffman block
 * written by hand (below); IDX files written byte by byte; counting
 * arguments for the shuffle and the batches. */
#include "dm_data.h"
#include "../runtime/fixture.h"
#include <stdlib.h>
#include <unistd.h>
#include <math.h>

static char dir[256];

static const char *write_file(const char *name, const uint8_t *bytes, size_t n) {
    static char path[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    FILE *f = fopen(path[k], "wb");
    fwrite(bytes, 1, n, f);
    fclose(f);
    return path[k];
}

static void test_crc_and_gzip(void) {
    CHECK(dm_crc32(0, (const uint8_t *)"123456789", 9) == 0xcbf43926u);
    CHECK(dm_crc32(dm_crc32(0, (const uint8_t *)"1234", 4), (const uint8_t *)"56789", 5) == 0xcbf43926u);
    CHECK(dm_crc32(0, NULL, 0) == 0);

    /* "123456789" in one stored block: LEN = 9 (09 00), NLEN = ~9 (f6 ff). */
    uint8_t gz[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x01, 0x09, 0x00, 0xf6, 0xff, '1', '2', '3', '4',
                    '5',  '6',  '7', '8', '9', 0x26, 0x39, 0xf4, 0xcb, 9, 0, 0, 0};
    uint8_t *out;
    size_t n;
    CHECK_ERR(dm_gunzip(gz, sizeof gz, &out, &n, "hand.gz"), DM_OK);
    CHECK(n == 9 && memcmp(out, "123456789", 9) == 0);
    free(out);
    /* The same through a file: dm_read_file sniffs the magic. */
    CHECK_ERR(dm_read_file(write_file("hand.gz", gz, sizeof gz), &out, &n), DM_OK);
    CHECK(n == 9 && memcmp(out, "123456789", 9) == 0);
    free(out);
    /* Not gzip: returned as is. */
    CHECK_ERR(dm_read_file(write_file("plain", (const uint8_t *)"plain", 5), &out, &n), DM_OK);
    CHECK(n == 5 && memcmp(out, "plain", 5) == 0);
    free(out);

    /* A fixed-Huffman block holding "a" (0x61 = code 0x30 + 0x61 = 10010001, 8 bits)
     * then end-of-block (0000000, 7 bits).  Bits, first to last: 1 (final), 10 (type 1
     * read LSB first: 1 then 0), then the codes MSB first: 10010001 0000000.
     * Packed LSB first: byte 0 = bits 1,1,0,1,0,0,1,0 -> 0x4b; byte 1 = 0,0,1,0,0,0,0,0
     * -> 0x04; byte 2 = the last 0 bit, padding -> 0x00.  CRC-32("a") = e8b7be43. */
    uint8_t fixed[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x4b, 0x04, 0x00, 0x43, 0xbe, 0xb7, 0xe8, 1, 0, 0, 0};
    CHECK_ERR(dm_gunzip(fixed, sizeof fixed, &out, &n, "fixed.gz"), DM_OK);
    CHECK(n == 1 && out[0] == 'a');
    free(out);

    /* Damage: a wrong CRC, a wrong NLEN, a cut stream. */
    gz[24] ^= 1;
    CHECK_ERR(dm_gunzip(gz, sizeof gz, &out, &n, "hand.gz"), DM_EFORMAT);
    CHECK(strstr(dm_last_error(), "hand.gz") && strstr(dm_last_error(), "CRC-32"));
    gz[24] ^= 1;
    gz[13] = 0;
    CHECK_ERR(dm_gunzip(gz, sizeof gz, &out, &n, "hand.gz"), DM_EFORMAT);
    gz[13] = 0xf6;
    for (size_t cut = 0; cut < sizeof gz; cut++)
        CHECK_ERR(dm_gunzip(gz, cut, &out, &n, "cut.gz"), DM_EFORMAT);
    CHECK_ERR(dm_read_file(NULL, &out, &n), DM_EINVAL);
}

/* 5 images of 2x3 bytes (value 10 * image + pixel) and 5 labels 4, 3, 2, 1, 0. */
static void write_dataset(const char **images, const char **labels) {
    uint8_t img[4 + 12 + 30] = {0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 3};
    for (int i = 0; i < 30; i++)
        img[16 + i] = (uint8_t)(10 * (i / 6) + i % 6);
    uint8_t lab[8 + 5] = {0, 0, 8, 1, 0, 0, 0, 5, 4, 3, 2, 1, 0};
    *images = write_file("images", img, sizeof img);
    *labels = write_file("labels", lab, sizeof lab);
}

static void test_idx_and_dataset(void) {
    const char *images, *labels;
    write_dataset(&images, &labels);
    dm_idx idx;
    CHECK_ERR(dm_idx_read(images, &idx), DM_OK);
    CHECK(idx.rank == 3 && idx.dims[0] == 5 && idx.dims[1] == 2 && idx.dims[2] == 3 && idx.count == 30);
    CHECK(idx.bytes[29] == 45);
    dm_idx_free(&idx);

    dm_dataset ds;
    CHECK_ERR(dm_dataset_load(&ds, images, labels), DM_OK);
    CHECK(ds.count == 5 && ds.sample_rank == 2 && ds.sample_size == 6 && ds.classes == 5);
    CHECK(ds.x[6 * 4 + 5] == (float)(45.0 / 255.0) && ds.x[0] == 0.0f && ds.y[0] == 4 && ds.y[4] == 0);
    /* mean of (10 k + p) / 255 over k < 5, p < 6: (20 + 2.5) / 255 */
    float mean, std;
    dm_dataset_stats(&ds, &mean, &std);
    CHECK(fabsf(mean - 22.5f / 255) < 1e-6f && std > 0);
    CHECK_ERR(dm_dataset_normalize(&ds, mean, std), DM_OK);
    dm_dataset_stats(&ds, &mean, &std);
    CHECK(fabsf(mean) < 1e-5f && fabsf(std - 1) < 1e-5f);
    CHECK_ERR(dm_dataset_normalize(&ds, 0, 0), DM_EINVAL);
    dm_dataset_free(&ds);

    /* Errors name the file. */
    uint8_t short_img[] = {0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3};
    CHECK_ERR(dm_dataset_load(&ds, write_file("short", short_img, sizeof short_img), labels), DM_EFORMAT);
    CHECK(strstr(dm_last_error(), "short: truncated") != NULL);
    uint8_t lab4[] = {0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4};
    CHECK_ERR(dm_dataset_load(&ds, images, write_file("lab4", lab4, sizeof lab4)), DM_EMISMATCH);
    CHECK(strstr(dm_last_error(), "4 labels") && strstr(dm_last_error(), "5 images"));
    uint8_t header_cut[] = {0, 0, 8, 3, 0, 0};
    CHECK_ERR(dm_idx_read(write_file("cut", header_cut, sizeof header_cut), &idx), DM_EFORMAT);
    CHECK_ERR(dm_idx_read("/nonexistent/file", &idx), DM_EIO);
    CHECK(ds.x == NULL && ds.y == NULL); /* nothing left allocated after a failure */
}

static void test_shuffle(void) {
    enum { N = 1000 };
    int64_t a[N], b[N], c[N];
    dm_shuffle(a, N, 7, 0);
    dm_shuffle(b, N, 7, 0);
    dm_shuffle(c, N, 7, 1);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(memcmp(a, c, sizeof a) != 0);
    int seen[N] = {0}, fixed_points = 0;
    for (int i = 0; i < N; i++) {
        if (a[i] < 0 || a[i] >= N || seen[a[i]]++) {
            CHECK(!"not a permutation");
            break;
        }
        fixed_points += a[i] == i;
    }
    CHECK(fixed_points < 8); /* expected 1 for a uniform permutation; P(>= 8) < 1e-5 */
    /* Position 0 over 20000 shuffles of 4: each value about 5000 times (+- 5 sigma = 306). */
    int first[4] = {0};
    for (int e = 0; e < 20000; e++) {
        int64_t p[4];
        dm_shuffle(p, 4, 3, (uint64_t)e);
        first[p[0]]++;
    }
    for (int v = 0; v < 4; v++)
        CHECK(first[v] > 5000 - 306 && first[v] < 5000 + 306);
}

static void test_batches(void) {
    const char *images, *labels;
    write_dataset(&images, &labels);
    dm_dataset ds;
    dm_dataset_load(&ds, images, labels);
    float x[2 * 6], hot[2 * 5];
    int32_t y[2];
    dm_batches it;
    /* drop_last: 5 samples in batches of 2 -> 2 batches, the fifth sample dropped. */
    CHECK(dm_batches_count(&ds, 2, 1) == 2 && dm_batches_count(&ds, 2, 0) == 3);
    dm_batches_begin(&it, &ds, NULL, 2, 1);
    CHECK(dm_batches_next(&it, x, y, hot) == 2 && y[0] == 4 && y[1] == 3 && x[6] == (float)(10.0 / 255));
    CHECK(hot[4] == 1 && hot[0] == 0 && hot[5 + 3] == 1);
    CHECK(dm_batches_next(&it, x, y, NULL) == 2 && y[1] == 1);
    CHECK(dm_batches_next(&it, x, y, NULL) == 0);
    /* keep the last: a third batch with 1 real sample, padded with a zero image, label 0, zero one-hot. */
    dm_batches_begin(&it, &ds, NULL, 2, 0);
    dm_batches_next(&it, x, y, hot);
    dm_batches_next(&it, x, y, hot);
    memset(x, 0xff, sizeof x);
    CHECK(dm_batches_next(&it, x, y, hot) == 1 && y[0] == 0 && hot[0] == 1);
    CHECK(x[6] == 0 && x[11] == 0 && y[1] == 0 && hot[5] == 0 && hot[9] == 0);
    CHECK(dm_batches_next(&it, x, y, hot) == 0);
    /* In a given order. */
    int64_t order[5] = {4, 0, 3, 1, 2};
    dm_batches_begin(&it, &ds, order, 2, 1);
    CHECK(dm_batches_next(&it, x, y, NULL) == 2 && y[0] == 0 && y[1] == 4 && x[0] == (float)(40.0 / 255));
    dm_dataset_free(&ds);

    /* argmax per row: row 0 -> 2 (label 2, right), row 1 -> 0 (tie 0/1: first; label 1, wrong),
     * row 2 -> 1 (label 1, right); only the first n = 2 rows count in the second call. */
    float scores[9] = {0.1f, 0.2f, 0.7f, 5, 5, -1, -3, -2, -2.5f};
    int32_t truth[3] = {2, 1, 1};
    CHECK(dm_count_correct(scores, truth, 3, 3) == 2);
    CHECK(dm_count_correct(scores, truth, 2, 3) == 1);
}

int main(void) {
    snprintf(dir, sizeof dir, "%s/rt_data.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return perror("mkdtemp"), 1;
    test_crc_and_gzip();
    test_idx_and_dataset();
    test_shuffle();
    test_batches();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    FX_DONE();
}
