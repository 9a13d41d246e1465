/* classify: deployment.  Three inference-only objects (dmc --no-train -D batch=1:
 * mlp.dm, lenet.dm and cnn.dm are the training examples' own models) linked
 * into one program; a checkpoint written by fashion_mlp, fashion_lenet or
 * fashion_cnn --save picks which one classifies (an inference object ignores
 * the checkpoint's optimizer and dropout state).  Images come from the test set or from PGM files.
 *
 *   classify CHECKPOINT [--data DIR] [--first K] [--count N]   test images K .. K+N-1
 *   classify CHECKPOINT image.pgm ...                          28x28 grey images */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include "dm_data.h"
#include "cnn.h"
#include "lenet.h"
#include "mlp.h"

static const char *const class_names[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

/* Reads a binary (P5) or text (P2) PGM of 28x28 pixels into 784 bytes. */
static int read_pgm(const char *path, unsigned char pixels[784]) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    char magic[3] = {0};
    int w, h, maxval, ok = fscanf(f, "%2s %d %d %d", magic, &w, &h, &maxval) == 4;
    ok = ok && (!strcmp(magic, "P5") || !strcmp(magic, "P2")) && w == 28 && h == 28 && maxval > 0 && maxval < 256;
    if (ok && magic[1] == '5') {
        fgetc(f);   /* the single whitespace before the raster */
        ok = fread(pixels, 1, 784, f) == 784;
    } else {
        for (int i = 0, v; ok && i < 784; i++) {
            ok = fscanf(f, "%d", &v) == 1 && v >= 0 && v <= maxval;
            pixels[i] = (unsigned char)(ok ? v * 255 / maxval : 0);
        }
    }
    fclose(f);
    if (!ok) fprintf(stderr, "classify: %s: not a 28x28 PGM image (P5 or P2, maxval < 256)\n", path);
    return ok ? 0 : -1;
}

static float metadata_float(const char *path, const char *key) {
    char text[64];
    if (dm_load_metadata(path, key, text, sizeof text) != 0) {
        fprintf(stderr, "classify: %s\n", dm_last_error());
        exit(1);
    }
    return strtof(text, NULL);
}

/* Classifies one image given as 784 bytes; prints the line, returns the class. */
static int classify(dm_model *m, const unsigned char *pixels, float mean, float std, const char *what,
                    int label) {
    float *x = dm_data(m, "x"), *probs = dm_data(m, "probs");
    for (int i = 0; i < 784; i++) x[i] = (pixels[i] / 255.0f - mean) / std;
    if (dm_forward(m) != 0) {
        fprintf(stderr, "classify: %s\n", dm_last_error());
        exit(1);
    }
    int best = 0;
    for (int k = 1; k < 10; k++)
        if (probs[k] > probs[best]) best = k;
    printf("%-14s %-12s %5.1f%%", what, class_names[best], 100 * probs[best]);
    if (label >= 0) printf("   (truth: %s%s)", class_names[label], label == best ? "" : ", wrong");
    printf("\n");
    return best;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: classify CHECKPOINT [--data DIR] [--first K] [--count N] | CHECKPOINT image.pgm ...\n");
        return argc < 2 ? 2 : 0;
    }
    const char *checkpoint = argv[1], *data = "/usr/share/datasets/fashion-mnist";
    long first = 0, count = 8;
    int nimages = 0;
    char **images = calloc((size_t)argc, sizeof *images);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        else if (!strcmp(argv[i], "--first") && i + 1 < argc) first = atol(argv[++i]);
        else if (!strcmp(argv[i], "--count") && i + 1 < argc) count = atol(argv[++i]);
        else images[nimages++] = argv[i];
    }

    char model_name[64];
    if (dm_load_metadata(checkpoint, "model", model_name, sizeof model_name) != 0) {
        fprintf(stderr, "classify: %s\n", dm_last_error());
        return 1;
    }
    const dm_model_desc *desc = !strcmp(model_name, "mlp") ? &mlp_model
                              : !strcmp(model_name, "lenet") ? &lenet_model
                              : !strcmp(model_name, "cnn") ? &cnn_model : NULL;
    if (!desc) {
        fprintf(stderr, "classify: %s holds model '%s'; this program knows mlp, lenet and cnn\n", checkpoint,
                model_name);
        return 1;
    }
    dm_model *m = dm_new(desc, 0);
    if (!m || dm_load(m, checkpoint) != 0) {
        fprintf(stderr, "classify: %s\n", dm_last_error());
        return 1;
    }
    float mean = metadata_float(checkpoint, "mean"), std = metadata_float(checkpoint, "std");
    printf("classify: model '%s' from %s\n", model_name, checkpoint);

    if (nimages) {
        for (int i = 0; i < nimages; i++) {
            unsigned char pixels[784];
            if (read_pgm(images[i], pixels) == 0) classify(m, pixels, mean, std, images[i], -1);
        }
    } else {
        char images_path[4096], labels_path[4096];
        snprintf(images_path, sizeof images_path, "%s/t10k-images-idx3-ubyte.gz", data);
        snprintf(labels_path, sizeof labels_path, "%s/t10k-labels-idx1-ubyte.gz", data);
        dm_idx img, lab;
        if (dm_idx_read(images_path, &img) != 0 || dm_idx_read(labels_path, &lab) != 0) {
            fprintf(stderr, "classify: %s\n", dm_last_error());
            return 1;
        }
        if (first < 0 || first >= img.dims[0]) first = 0;
        int right = 0, n = 0;
        for (long i = first; i < first + count && i < img.dims[0]; i++, n++) {
            char what[32];
            snprintf(what, sizeof what, "test #%ld", i);
            right += classify(m, img.bytes + i * 784, mean, std, what, lab.bytes[i]) == lab.bytes[i];
        }
        printf("%d of %d right\n", right, n);
        dm_idx_free(&img);
        dm_idx_free(&lab);
    }
    free(images);
    dm_free(m);
    return 0;
}
