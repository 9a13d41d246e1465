# Every statement form.
model every {
  const batch = 8
  const scale = 0.5 * 2
  input x : f32[batch, 3]
  input labels : i32[batch]
  param W : f32[3, 2]
  param b : f32[2] = zeros
  param s : f32 = 1.5
  param u : f32[3, 2] = uniform(-0.1, 0.1)
  param v : f32[2] = normal(mean = 0, std = 0.02)
  h = x @ W + b
  output h
  output logits = h * s
  loss softmax_cross_entropy(logits, labels)
  optimizer adam
}

model opt2 {
  input x : f32
  output y = x
  optimizer adamw(lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01)
}
