# Distinct instances per iteration (docs/language.md "Loops"): a plain loop
# makes a Block per iteration, named by the binding and the index (h.0,
# h.1, h.2), whose hidden width uses the loop variable (6, 7, 8); nested
# loops name the outer index first (g.0.0 ... g.1.1); in a loop inside a
# layer the names nest under the call's (tower.x.0, tower.x.1), and unnamed
# calls keep counting across iterations (tower.dense_0, tower.dense_1).
# A param declared before a plain loop is one tensor read by every iteration.
layer Block(x : f32[N, D], hidden) {
  h = relu(Dense(x, hidden))
  return x + Dense(h, D, bias = false)
}

layer Tower(x : f32[N, D], depth) {
  for i in range(depth) {
    x = Dense(tanh(Dense(x, D)), D)
  }
  return x
}

model stacked {
  input x : f32[5, 4]
  input y : i32[5]
  param scale : f32[4] = ones
  h = x
  for i in range(3) {
    h = Block(h, 6 + i)
  }
  g = h * scale
  for i in range(2) {
    for j in range(2) {
      g = Block(g * scale, 3 + j)
    }
  }
  tower = Tower(g, 2)
  logits = Dense(tower, 3)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}
