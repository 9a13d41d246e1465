# The benchmark's LeNet: docs/language.md's lenet, trained with Adam like the
# PyTorch reference (../shared/bench/torch_ref.py).
model lenet {
  const batch = 64
  input x : f32[batch, 1, 28, 28]
  input y : i32[batch]
  c1 = maxpool2d(relu(Conv2d(x, 6, kernel = 5, pad = 2)), 2)
  c2 = maxpool2d(relu(Conv2d(c1, 16, kernel = 5)), 2)
  f  = flatten(c2)
  logits = Dense(relu(Dense(relu(Dense(f, 120)), 84)), 10)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.001)
}
