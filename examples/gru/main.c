/* gru: trains a GRU over the rows of Fashion-MNIST images (see --help).
 * The whole training loop is in examples/common/trainer.c. */
#include "gru.h"
#include "trainer.h"

int main(int argc, char **argv) {
    trainer_spec spec = {.program = "gru", .model = &gru_model, .default_epochs = 10, .cosine = 1};
    return trainer_main(&spec, argc, argv);
}
