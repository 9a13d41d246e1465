/* The seed's logistic model, trained from C: four samples, 1000 epochs of SGD
 * at learning rate 0.01 (the rate is compiled into logreg.o from logreg.dm),
 * the loss every 100 epochs, then predictions for [1, 1] and [2, 2].
 *
 *   dmc logreg.dm -o logreg.o && cc main.c logreg.o -ldmrt -lm */
#include <stdio.h>
#include <string.h>

#include "dm.h"
#include "logreg.h"

static int fail(const char *what) {
    fprintf(stderr, "logreg: %s: %s\n", what, dm_last_error());
    return 1;
}

int main(void) {
    static const float x_train[4][2] = {{1, 2}, {2, 3}, {3, 4}, {4, 5}};
    static const float y_train[4] = {0, 1, 1, 0};

    dm_model *m = dm_new(&logreg_model, 0);
    if (!m) return fail("dm_new");
    /* logreg.h's typed accessors (dm_data(m, "x") looks the same buffers up by name). */
    float *x = logreg_x(m), *y = logreg_y(m), *p = logreg_p(m);

    for (int epoch = 0; epoch < 1000; epoch++) {
        memcpy(x, x_train, sizeof x_train);
        memcpy(y, y_train, sizeof y_train);
        float loss;
        if (dm_train_step(m, &loss) != 0) return fail("dm_train_step");
        if (epoch % 100 == 0) printf("Epoch %d: Loss = %.8g\n", epoch, loss);
    }

    /* The model's input has four rows; the last two are padding, ignored. */
    static const float x_new[4][2] = {{1, 1}, {2, 2}, {0, 0}, {0, 0}};
    memcpy(x, x_new, sizeof x_new);
    if (dm_forward(m) != 0) return fail("dm_forward");
    printf("Predictions: [%.8g %.8g]\n", p[0], p[1]);

    const float *W = logreg_W(m), *b = logreg_b(m);
    printf("Parameters: W = [%.8g %.8g], b = %.8g\n", W[0], W[1], b[0]);
    dm_free(m);
    return 0;
}
