#!/usr/bin/env bash
# embedding.test.sh: embedding ids outside [0, rows) (tests/codegen/embedding.dm).
# Hand arithmetic first: one SGD step of `lookup` (E = [[1,2],[3,4],[5,6],[7,8]],
# ids [[0,1,1],[3,2,1]], x = 0) has loss mean(rows^2) = (5+25+25+113+61+25)/12
# = 254/12, and d loss / d E[v] = rows(v) * 2 * count(v) / 12: row 1, named three
# times, becomes [3,4] - 0.5 * [3,4] * 3/6 = [2.25, 3]; rows 0, 2, 3 (once each)
# are scaled by 1 - 0.5/6 = 11/12.  Then for each bad id (4 of 4 rows, -1, the
# float bits of 1.0f written into the i32 buffer) every entry that reads the ids
# (train_step, gradients, forward) returns DM_ERANGE, names the ids, the
# element and the value in dm_last_error(), and changes no tensor; with the ids
# in range again the instance trains on.  dm_tensor_range gives the ids' range
# [0, 3] and dm_check_inputs refuses a bad id.  `shifted` computes its ids (ids - 1):
# sum(E[[0, 3, 0]]) = 1+2+7+8+1+2 = 21, and ids - 1 = -1 is refused likewise.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/main.c" <<'C'
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "embedding.h"

static int fails;
#define CHECK(c, ...) do { if (!(c)) { printf("FAILED %s: ", #c); printf(__VA_ARGS__); printf("\n"); fails++; } } while (0)

/* Every tensor's bytes, concatenated in descriptor order. */
static size_t snapshot(dm_model *m, unsigned char *buf) {
    const dm_model_desc *d = dm_desc(m);
    size_t n = 0;
    for (int i = 0; i < d->ntensors; i++) {
        memcpy(buf + n, dm_data(m, d->tensors[i].name), d->tensors[i].bytes);
        n += d->tensors[i].bytes;
    }
    return n;
}

/* Every entry reading the ids refuses, says want, and changes nothing. */
static void refused(dm_model *m, int with_forward, const char *want) {
    static unsigned char before[1 << 12], after[1 << 12];
    size_t n = snapshot(m, before);
    float loss = 12345;
    const char *names[] = {"dm_train_step", "dm_gradients", "dm_forward"};
    for (int e = 0; e < 2 + with_forward; e++) {
        int rc = e == 0 ? dm_train_step(m, &loss) : e == 1 ? dm_gradients(m, &loss) : dm_forward(m);
        CHECK(rc == DM_ERANGE, "%s returned %d", names[e], rc);
        CHECK(strstr(dm_last_error(), names[e]) && strstr(dm_last_error(), want), "%s: '%s' lacks '%s'", names[e],
              dm_last_error(), want);
        CHECK(loss == 12345, "%s wrote the loss", names[e]);
        CHECK(snapshot(m, after) == n && memcmp(before, after, n) == 0, "%s changed a tensor", names[e]);
    }
}

static int near(float a, double b) { return fabs(a - b) <= 1e-6 * (1 + fabs(b)); }

int main(void) {
    static const int good[6] = {0, 1, 1, 3, 2, 1};
    dm_model *m = dm_new(&lookup_model, 7);
    memcpy(dm_data(m, "ids"), good, sizeof good);   /* x stays 0 */
    float loss;
    CHECK(dm_train_step(m, &loss) == 0, "%s", dm_last_error());
    CHECK(near(loss, 254.0 / 12), "loss %.9g", loss);
    const float *E = dm_data(m, "E");
    const double want[8] = {11.0 / 12, 22.0 / 12, 2.25, 3, 55.0 / 12, 66.0 / 12, 77.0 / 12, 88.0 / 12};
    for (int i = 0; i < 8; i++) CHECK(near(E[i], want[i]), "E[%d] = %.9g, want %.9g", i, E[i], want[i]);
    struct { int at, value; const char *want; } bad[] = {
        {5, 4, "input 'ids' holds 4 at [1, 2] (element 5), not a class index in [0, 4)"},
        {0, -1, "input 'ids' holds -1 at [0, 0] (element 0), not a class index in [0, 4)"},
        {3, 0x3f800000, "input 'ids' holds 1065353216 at [1, 0] (element 3), not a class index in [0, 4) "
                        "(the bits of the float 1: a float stored into an i32 buffer?)"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int *ids = dm_data(m, "ids");
        memcpy(ids, good, sizeof good);
        if (bad[k].value == 0x3f800000) ((float *)ids)[bad[k].at] = 1.0f;   /* the C mistake itself */
        else ids[bad[k].at] = bad[k].value;
        refused(m, 1, bad[k].want);
    }
    /* The descriptor knows the ids' range: a loader can check a batch before any entry runs. */
    memcpy(dm_data(m, "ids"), good, sizeof good);
    int64_t lo = -7, hi = -7;
    CHECK(dm_tensor_range(m, "ids", &lo, &hi) == 0 && lo == 0 && hi == 3, "range [%lld, %lld]", (long long)lo,
          (long long)hi);
    ((int *)dm_data(m, "ids"))[4] = 4;
    CHECK(dm_check_inputs(m, DM_ENTRY_FORWARD) == DM_ERANGE && strstr(dm_last_error(), "element 4 is 4, outside [0, 3]"),
          "%s", dm_last_error());
    memcpy(dm_data(m, "ids"), good, sizeof good);
    CHECK(dm_check_inputs(m, DM_ENTRY_TRAIN_STEP) == DM_OK, "%s", dm_last_error());
    CHECK(dm_forward(m) == 0, "%s", dm_last_error());
    CHECK(((float *)dm_data(m, "rows"))[2] == E[2], "rows[2] = %g, E[2] = %g", ((float *)dm_data(m, "rows"))[2], E[2]);
    CHECK(dm_train_step(m, &loss) == 0, "%s", dm_last_error());

    dm_model *s = dm_new(&shifted_model, 7);
    static const int sgood[3] = {1, 4, 1};
    memcpy(dm_data(s, "ids"), sgood, sizeof sgood);
    CHECK(dm_gradients(s, &loss) == 0 && loss == 21, "loss %g: %s", loss, dm_last_error());
    ((int *)dm_data(s, "ids"))[1] = 0;
    refused(s, 0, "the id tensor of embedding at tests/codegen/embedding.dm:");
    refused(s, 0, "holds -1 at [1], not a class index in [0, 4)");
    dm_free(m), dm_free(s);
    return fails != 0;
}
C
"$B/dmc" tests/codegen/embedding.dm -o "$tmp/embedding.o"
cc -std=c11 -Wall -Werror -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/embedding.o" "$B/libdmrt.a" -lm -lpthread -o "$tmp/main"
"$tmp/main" || exit 1
echo ok
