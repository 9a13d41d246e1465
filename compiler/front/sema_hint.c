/* sema_hint.c: what to say about a name dm does not know.  A call of an
 * unknown function or layer is reported before its arguments are evaluated
 * (so it is the only error of the call); names that other frameworks use
 * (PyTorch, Keras, NumPy) get a note on what dm has instead, or an honest
 * "not yet", rather than a suggestion close in spelling but wrong in
 * meaning (`elu` is not `relu`); argument keywords spelt as in PyTorch
 * (`padding`, `kernel_size`, `learning_rate`) are translated.
 * Needs: sema_builtin.c (the built-ins), sema_layer.c (the layers).
 * Guarantees: every hint names only what dm really has. */
#include "front/sema.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

typedef struct Foreign { const char *name, *hint; } Foreign;

#define ACTIVATIONS "dm's activations are relu, leaky_relu, sigmoid, tanh, softplus, gelu and silu"
static const Foreign functions[] = {
    {"swish", "dm calls it silu(x)"},
    {"clamp", "dm calls it clip(x, lo, hi) (either bound may be left out)"},
    {"amin", "dm calls it min(x, axis, keepdims)"},
    {"float", "dm converts to f32 with f32(x)"},
    {"int", "dm converts to i32 with i32(x) (toward zero)"},
    {"power", "dm calls it pow(x, p), or writes x ** p"},
    {"fmax", "dm calls it maximum(a, b)"},
    {"fmin", "dm calls it minimum(a, b)"},
    {"elu", "dm has no elu yet; " ACTIVATIONS},
    {"selu", "dm has no selu yet; " ACTIVATIONS},
    {"prelu", "dm has no prelu yet; leaky_relu(x, alpha = 0.25) has a fixed slope"},
    {"relu6", "dm has no relu6 yet; " ACTIVATIONS},
    {"mish", "dm has no mish yet; " ACTIVATIONS},
    {"hardtanh", "dm has no hardtanh yet; " ACTIVATIONS},
    {"amax", "dm calls it max(x, axis, keepdims)"},
    {"argmax", "dm has no argmax: it computes tensors of floats; the C program can pick the largest output"},
    {"argmin", "dm has no argmin: it computes tensors of floats; the C program can pick the smallest output"},
    {"sin", "dm has no trigonometric functions yet"},
    {"cos", "dm has no trigonometric functions yet"},
    {"tan", "dm has no trigonometric functions yet"},
    {"cat", "dm calls it concat([a, b], axis = 0)"},
    {"concatenate", "dm calls it concat([a, b], axis = 0)"},
    {"hstack", "concat([a, b], axis = -1) joins along the last axis"},
    {"vstack", "concat([a, b], axis = 0) joins along the first axis"},
    {"split", "dm has no split: slices are its parts, x[:, :4] and x[:, 4:]"},
    {"chunk", "dm has no chunk: slices are its parts, x[:, :4] and x[:, 4:]"},
    {"narrow", "dm slices with x[start:stop] on any axis"},
    {"matmul", "dm multiplies matrices with the '@' operator: a @ b"},
    {"mm", "dm multiplies matrices with the '@' operator: a @ b"},
    {"dot", "dm multiplies vectors and matrices with the '@' operator: a @ b"},
    {"linear", "write x @ W + b, or use the layer Dense(x, units)"},
    {"range", "range(...) is only the range of a loop: for i in range(N) { ... }"},
    {"add", "dm adds with the '+' operator"},
    {"sub", "dm subtracts with the '-' operator"},
    {"subtract", "dm subtracts with the '-' operator"},
    {"mul", "dm multiplies elementwise with the '*' operator"},
    {"multiply", "dm multiplies elementwise with the '*' operator"},
    {"div", "dm divides with the '/' operator"},
    {"divide", "dm divides with the '/' operator"},
    {"neg", "dm negates with the '-' operator: -x"},
    {"index_select", "dm calls it embedding(table, ids) or table[ids]: the rows of table named by ids"},
    {"take", "dm has embedding(table, ids): the rows of table named by ids"},
    {"view", "dm calls it reshape(x, [dims])"},
    {"squeeze", "reshape(x, [dims]) removes axes of size 1"},
    {"unsqueeze", "reshape(x, [dims]) adds axes of size 1"},
    {"expand_dims", "reshape(x, [dims]) adds axes of size 1"},
    {"permute", "dm calls it transpose(x, [perm])"},
    {"cross_entropy", "dm calls it softmax_cross_entropy(logits, labels); it takes the logits, as PyTorch's does"},
    {"nll_loss", "dm has softmax_cross_entropy(logits, labels); it takes the logits, not log-probabilities"},
    {"mse_loss", "dm calls it mse(pred, target)"},
    {"l1_loss", "dm has no l1 loss yet; mean(abs(pred - target)) computes it"},
    {"binary_cross_entropy", "dm calls it bce(prob, target)"},
    {"binary_cross_entropy_with_logits", "dm has no bce on logits yet; bce(sigmoid(z), target) computes it"},
    {"batch_norm", "dm's batch normalisation is the layer BatchNorm1d(x) or BatchNorm2d(x)"},
};

static const Foreign layers[] = {
    {"Linear", "dm's fully connected layer is Dense(x, units)"},
    {"Conv1d", "dm has Conv2d only"},
    {"Conv3d", "dm has Conv2d only"},
    {"ConvTranspose2d", "dm has no transposed convolution yet"},
    {"GroupNorm", "dm has no group normalisation yet; it has LayerNorm, BatchNorm1d and BatchNorm2d"},
    {"RNN", "dm has no recurrent layers yet"},
    {"LSTM", "dm has no recurrent layers yet"},
    {"GRU", "dm has no recurrent layers yet"},
    {"Sequential", "dm composes layers by calling them: Dense(relu(Dense(x, 64)), 10)"},
};

static const Foreign initialisers[] = {
    {"kaiming_normal", "dm calls it he (Kaiming normal, fan-in)"},
    {"he_normal", "dm calls it he (Kaiming normal, fan-in)"},
    {"kaiming_uniform", "dm has no Kaiming uniform yet; he is Kaiming normal"},
    {"he_uniform", "dm has no Kaiming uniform yet; he is Kaiming normal"},
    {"xavier_uniform", "dm calls it xavier (Glorot uniform)"},
    {"glorot_uniform", "dm calls it xavier (Glorot uniform)"},
    {"xavier_normal", "dm has no Glorot normal yet; xavier is Glorot uniform"},
    {"glorot_normal", "dm has no Glorot normal yet; xavier is Glorot uniform"},
    {"randn", "dm calls it normal(mean = 0, std = 1)"},
    {"rand", "dm calls it uniform(0, 1)"},
    {"constant", "write the number itself: param b : f32[3] = 0.1"},
};

static const char *foreign_hint(const Foreign *table, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0) return table[i].hint;
    return NULL;
}
#define FOREIGN(T, NAME) foreign_hint((T), (int)(sizeof (T) / sizeof (T)[0]), (NAME))

const char *sema_init_hint(const char *name) {
    return FOREIGN(initialisers, name);
}

/* ---- unknown calls ------------------------------------------------------------- */

static bool is_layer_name(const char *name) { return name[0] >= 'A' && name[0] <= 'Z'; }

static const char *lower_case(Sema *s, const char *name) {
    char *lower = arena_strdup(s->a, name);
    for (char *p = lower; *p; p++) *p = (char)tolower((unsigned char)*p);
    return lower;
}

static void unknown_layer(Sema *s, const Expr *call) {
    const char *name = call->name, *hint = FOREIGN(layers, name);
    const char **names = arena_alloc(s->a, (size_t)(s->nlayers + 1) * sizeof *names);
    for (int i = 0; i < s->nlayers; i++) names[i] = s->layers[i]->name;
    const char *near = diag_suggest(name, names, s->nlayers);
    const char *lower = lower_case(s, name);
    if (hint) sema_error(s, call->name_loc, "unknown layer '%s': %s", name, hint);
    else if (near) sema_error(s, call->name_loc, "unknown layer '%s'; did you mean '%s'?", name, near);
    else if (sema_is_builtin(lower))   /* `Relu(x)`: functions are lower case */
        sema_error(s, call->name_loc, "unknown layer '%s'; did you mean the function '%s'?", name, lower);
    else sema_error(s, call->name_loc, "unknown layer '%s'", name);
}

static void unknown_function(Sema *s, const Expr *call) {
    const char *name = call->name;
    const char *layer = NULL;   /* `dense(x, 3)`: the layer Dense */
    for (int i = 0; i < s->nlayers && !layer; i++) {
        if (strcmp(s->layers[i]->name, name) == 0) return;   /* a lower-case layer: reported where it is declared */
        if (strcasecmp(s->layers[i]->name, name) == 0) layer = s->layers[i]->name;
    }
    const char *names[SEMA_MAX_BUILTINS];
    int n = sema_builtin_names(names);
    const char *hint = FOREIGN(functions, name), *near = diag_suggest(name, names, n);
    if (layer) sema_error(s, call->name_loc, "unknown function '%s'; did you mean the layer '%s'?", name, layer);
    else if (hint) sema_error(s, call->name_loc, "unknown function '%s': %s", name, hint);
    else if (near) sema_error(s, call->name_loc, "unknown function '%s'; did you mean '%s'?", name, near);
    else sema_error(s, call->name_loc, "unknown function '%s'", name);
}

bool sema_callee_known(Sema *s, const Expr *call) {
    if (is_layer_name(call->name)) {
        for (int i = 0; i < s->nlayers; i++)
            if (strcmp(s->layers[i]->name, call->name) == 0) return true;
        unknown_layer(s, call);
        return false;
    }
    if (sema_is_builtin(call->name)) return true;
    unknown_function(s, call);
    return false;
}

/* ---- argument keywords ------------------------------------------------------------ */

/* Another framework's keyword and dm's names for it (the first the callee
 * has is meant), or, without a name, what to say instead. */
typedef struct ForeignKey { const char *key, *dm[2], *note; } ForeignKey;

static const ForeignKey keys[] = {
    {"padding", {"pad"}, NULL},
    {"kernel_size", {"kernel", "size"}, NULL},
    {"pool_size", {"size"}, NULL},
    {"strides", {"stride"}, NULL},
    {"learning_rate", {"lr"}, NULL},
    {"out_channels", {"filters"}, NULL},
    {"out_features", {"units"}, NULL},
    {"dim", {"axis"}, NULL},
    {"keepdim", {"keepdims"}, NULL},
    {"p", {"rate"}, NULL},
    {"negative_slope", {"alpha"}, NULL},
    {"use_bias", {"bias"}, NULL},
    {"epsilon", {"eps"}, NULL},
    {"beta_1", {"beta1"}, NULL},
    {"beta_2", {"beta2"}, NULL},
    {"num_classes", {"classes"}, NULL},
    {"low", {"lo"}, NULL},
    {"min", {"lo"}, NULL},
    {"max", {"hi"}, NULL},
    {"a_min", {"lo"}, NULL},
    {"a_max", {"hi"}, NULL},
    {"exponent", {"p"}, NULL},
    {"condition", {"cond"}, NULL},
    {"other", {"b"}, NULL},
    {"correction", {NULL}, "dm takes unbiased = true (correction 1, the default) or false (0)"},
    {"high", {"hi"}, NULL},
    {"in_features", {NULL}, "dm infers it from the input's shape"},
    {"in_channels", {NULL}, "dm infers it from the input's shape"},
    {"betas", {NULL}, "dm takes beta1 and beta2 as two arguments"},
    {"beta", {NULL}, "dm takes beta1 and beta2 as two arguments"},
    {"activation", {NULL}, "apply the function to the result, e.g. relu(Dense(x, units))"},
    {"reduction", {NULL}, "dm's losses average over the elements (PyTorch's reduction = 'mean')"},
    {"dilation", {NULL}, "dm's convolutions have no dilation yet"},
    {"groups", {NULL}, "dm's convolutions have no groups yet"},
    {"amsgrad", {NULL}, "dm has no amsgrad"},
    {"inplace", {NULL}, "dm has no in-place operations"},
};

static bool has_name(const char *name, const char *const *names, int n) {
    for (int i = 0; name && i < n; i++)
        if (strcmp(names[i], name) == 0) return true;
    return false;
}

const char *sema_key_hint(Sema *s, const char *key, const char *const *names, int n) {
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const ForeignKey *k = &keys[i];
        if (strcmp(k->key, key) != 0) continue;
        for (int j = 0; j < 2; j++)
            if (has_name(k->dm[j], names, n)) return arena_printf(s->a, "; dm calls it '%s'", k->dm[j]);
        if (k->note && (strncmp(k->key, "beta", 4) != 0 || has_name("beta1", names, n)))
            return arena_printf(s->a, ": %s", k->note);
    }
    return NULL;
}
