# In a layer: a loop may carry an argument (x), but not return from a loop;
# an error in a layer instance made in a loop is reported once, at the
# first iteration, with the call chain.
layer Tower(x : f32[N, D], depth) {
  for i in range(depth) {
    x = Dense(x, D)
    return x
  }
  return x
}
layer Widen(x : f32[N, D]) {
  for i in range(3) {
    x = Dense(x, D + i)
  }
  return x
}
model m {
  input x : f32[2, 3]
  h = Tower(x, 2)
  for k in range(2) {
    w = Widen(x)
  }
  output y = h
}
