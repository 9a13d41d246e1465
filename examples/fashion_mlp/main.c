/* fashion_mlp: trains docs/language.md's mlp on Fashion-MNIST (see --help).
 * The whole training loop is in examples/common/trainer.c. */
#include "fashion_mlp.h"
#include "trainer.h"

int main(int argc, char **argv) {
    trainer_spec spec = {.program = "fashion_mlp", .model = &mlp_model, .default_epochs = 10, .cosine = 1};
    return trainer_main(&spec, argc, argv);
}
