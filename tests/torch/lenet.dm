# The LeNet of docs/language.md, verbatim (the suite compiles it with -D batch=8).
# Covers: Conv2d with pad, maxpool2d, flatten, nested unnamed Dense naming,
# sgd with momentum.
model lenet {
  const batch = 64
  input x : f32[batch, 1, 28, 28]                  # NCHW
  input y : i32[batch]
  c1 = maxpool2d(relu(Conv2d(x, 6, kernel = 5, pad = 2)), 2)
  c2 = maxpool2d(relu(Conv2d(c1, 16, kernel = 5)), 2)
  f  = flatten(c2)                                 # [batch, 400]
  logits = Dense(relu(Dense(relu(Dense(f, 120)), 84)), 10)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.05, momentum = 0.9)
}
