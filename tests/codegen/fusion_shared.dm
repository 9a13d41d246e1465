# Fusion with shared operands inside one chain: (x * w - t) squared, and a
# deep chain in which every value is used twice by the next; each is one loop
# computing a shared value once per element (and must not blow up the
# compiler: 2^30 paths if walked naively).  tanh keeps every value in (-1, 1).
model fusion_shared {
  input x : f32[7, 33]
  input t : f32[7, 33]
  param w : f32[33]
  d = x * w - t
  e1 = tanh(d * d - d)
  e2 = tanh(e1 * e1 - e1 * 0.5)
  e3 = tanh(e2 * e2 - e2 * 0.5)
  e4 = tanh(e3 * e3 - e3 * 0.5)
  e5 = tanh(e4 * e4 - e4 * 0.5)
  e6 = tanh(e5 * e5 - e5 * 0.5)
  e7 = tanh(e6 * e6 - e6 * 0.5)
  e8 = tanh(e7 * e7 - e7 * 0.5)
  e9 = tanh(e8 * e8 - e8 * 0.5)
  e10 = tanh(e9 * e9 - e9 * 0.5)
  e11 = tanh(e10 * e10 - e10 * 0.5)
  e12 = tanh(e11 * e11 - e11 * 0.5)
  e13 = tanh(e12 * e12 - e12 * 0.5)
  e14 = tanh(e13 * e13 - e13 * 0.5)
  e15 = tanh(e14 * e14 - e14 * 0.5)
  e16 = tanh(e15 * e15 - e15 * 0.5)
  e17 = tanh(e16 * e16 - e16 * 0.5)
  e18 = tanh(e17 * e17 - e17 * 0.5)
  e19 = tanh(e18 * e18 - e18 * 0.5)
  e20 = tanh(e19 * e19 - e19 * 0.5)
  e21 = tanh(e20 * e20 - e20 * 0.5)
  e22 = tanh(e21 * e21 - e21 * 0.5)
  e23 = tanh(e22 * e22 - e22 * 0.5)
  e24 = tanh(e23 * e23 - e23 * 0.5)
  e25 = tanh(e24 * e24 - e24 * 0.5)
  e26 = tanh(e25 * e25 - e25 * 0.5)
  e27 = tanh(e26 * e26 - e26 * 0.5)
  e28 = tanh(e27 * e27 - e27 * 0.5)
  e29 = tanh(e28 * e28 - e28 * 0.5)
  e30 = tanh(e29 * e29 - e29 * 0.5)
  output y = e30
  loss mean(d * d) + mean(e30)
  optimizer sgd(lr = 0.01)
}
