model m {
  input x : f32[4]
  param a : f32[4] = normal(0, -1)
  param b : f32[4] = uniform(2, 1)
  param c : f32[4] = he(3)
  param d : f32[4] = x
  output y = x * a * b * c * d
}
