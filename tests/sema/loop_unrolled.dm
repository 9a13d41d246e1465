# Unrolling (docs/language.md "Loops"): the shared loop applies one Dense
# (dense_0: one load of dense_0.W and dense_0.b, read by all three steps)
# to the carried h; the plain loop makes a Dense per iteration, named by the
# binding and the index (z.0, z.1), an unnamed Dense per iteration that
# continues the count (dense_1, dense_2), and a param per iteration (s.0, s.1).
model unrolled {
  input x : f32[2, 3]
  h = x
  for t in range(3) shared {
    h = tanh(Dense(h, 3) + h)
  }
  for i in range(2) {
    param s : f32 = 1
    z = Dense(h, 3)
    h = Dense(z, 3) * s
  }
  output y = h
}
