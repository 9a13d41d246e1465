# min, var, std: f32 tensors, axes in range, unbiased a bool
model m {
  input x : f32[4, 3]
  input k : i32[4]
  a = var(x, unbiased = 1)
  b = var(k)
  c = min(x, 5)
  d = std(x, correction = 0)
  e = min(k)
  f = std(x, [0, 0])
  g = amin(x, 1)
  output y = min(x) + var(x, 0) + std(x, 1, true, false)
}
