/* fashion_lenet: trains LANGUAGE.md's lenet on Fashion-MNIST (see --help).
 * The whole training loop is in examples/common/trainer.c. */
#include "fashion_lenet.h"
#include "trainer.h"

int main(int argc, char **argv) {
    trainer_spec spec = {"fashion_lenet", &lenet_model, 10};
    return trainer_main(&spec, argc, argv);
}
