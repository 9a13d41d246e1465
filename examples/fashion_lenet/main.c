/* fashion_lenet: trains docs/language.md's lenet on Fashion-MNIST (see --help).
 * The whole training loop is in examples/common/trainer.c. */
#include "fashion_lenet.h"
#include "trainer.h"

int main(int argc, char **argv) {
    trainer_spec spec = {.program = "fashion_lenet", .model = &lenet_model, .default_epochs = 10, .cosine = 1};
    return trainer_main(&spec, argc, argv);
}
