/* data_tool.c: a driver for the data utilities' script tests (built by them).
 *
 *   data_tool read IN OUT          dm_read_file (gunzips when gzip) and write the bytes to OUT
 *   data_tool idx PATH             rank, dims, the first 16 bytes, the byte sum
 *   data_tool dataset IMAGES LABELS count, sample dims, classes, first labels, pixel sums
 * On an error: "error CODE: MESSAGE" on stdout and exit status 2. */
#include "dm_data.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(int rc) {
    printf("error %d: %s\n", rc, dm_last_error());
    return 2;
}

int main(int argc, char **argv) {
    int rc;
    if (argc == 4 && !strcmp(argv[1], "read")) {
        uint8_t *data;
        size_t n;
        if ((rc = dm_read_file(argv[2], &data, &n)))
            return fail(rc);
        FILE *f = fopen(argv[3], "wb");
        if (!f || fwrite(data, 1, n, f) != n || fclose(f))
            return perror(argv[3]), 1;
        free(data);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "idx")) {
        dm_idx idx;
        if ((rc = dm_idx_read(argv[2], &idx)))
            return fail(rc);
        printf("rank %d dims", idx.rank);
        for (int r = 0; r < idx.rank; r++)
            printf(" %lld", (long long)idx.dims[r]);
        printf("\nfirst");
        for (int64_t i = 0; i < idx.count && i < 16; i++)
            printf(" %d", idx.bytes[i]);
        unsigned long long sum = 0;
        for (int64_t i = 0; i < idx.count; i++)
            sum += idx.bytes[i];
        printf("\nsum %llu\n", sum);
        dm_idx_free(&idx);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "dataset")) {
        dm_dataset ds;
        if ((rc = dm_dataset_load(&ds, argv[2], argv[3])))
            return fail(rc);
        printf("count %lld sample", (long long)ds.count);
        for (int r = 0; r < ds.sample_rank; r++)
            printf(" %lld", (long long)ds.sample_dims[r]);
        printf("\nclasses %d\nlabels", ds.classes);
        for (int i = 0; i < 10 && i < ds.count; i++)
            printf(" %d", ds.y[i]);
        double first = 0, all = 0;
        for (int64_t i = 0; i < ds.sample_size; i++)
            first += ds.x[i];
        for (int64_t i = 0; i < ds.count * ds.sample_size; i++)
            all += ds.x[i];
        printf("\nfirst_image_sum %.6f\nmean %.7f\n", first, all / (double)(ds.count * ds.sample_size));
        dm_dataset_free(&ds);
        return 0;
    }
    fprintf(stderr, "usage: data_tool read IN OUT | idx PATH | dataset IMAGES LABELS\n");
    return 1;
}
