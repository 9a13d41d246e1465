# Loops: plain, shared, nested, range with 1-3 arguments, a body on one line,
# `shared` as an ordinary name elsewhere.
layer Stack(x, depth) {
  for i in range(depth) { x = Dense(x, 4) }
  return x
}
model m {
  input x : f32[2, 4]
  shared = x
  h = shared
  for t in range(1, 7, 2) shared {
    h = tanh(Dense(h, 4) + h)
  }
  for i in range(2) {
    for j in range(i, 3) {
      const k = i * 3 + j
      param w : f32[k + 1] = zeros
    }
    h = Stack(h, 2)
  }
  output y = h
}
