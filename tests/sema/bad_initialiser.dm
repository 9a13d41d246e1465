model m {
  input x : f32[4]
  param w : f32[4] = xavir
  param v : f32[4] = uniform(1)
  output y = x * w * v
}
