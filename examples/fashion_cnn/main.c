/* fashion_cnn: trains a two-block CNN on Fashion-MNIST (see --help).
 * The whole training loop is in examples/common/trainer.c. */
#include "fashion_cnn.h"
#include "trainer.h"

int main(int argc, char **argv) {
    trainer_spec spec = {.program = "fashion_cnn", .model = &cnn_model, .default_epochs = 10, .cosine = 1};
    return trainer_main(&spec, argc, argv);
}
