# Comparisons as f32 masks (no gradient through them), where with three
# broadcast operands, the casts f32 and i32, and the reductions min, var and
# std (torch.amin, torch.var, torch.std: correction 1 unless unbiased = false).
model masks {
  input x : f32[3, 7]
  input k : i32[7]               # labels in [0, 4)
  input t : f32[3, 7]
  param a : f32[3, 7]
  param b : f32[7]
  param c : f32                  # 0.2
  cmp = (x < b) + (x <= c) * 2 + (a > 0.1) + (a >= b) * 0.5 + (k == 2) + (k != 3) * 3
  w = where(x > 0, a * x, b) + where(a < b, c, x * b)
  n = f32(k) * b + f32(i32(x * 3)) * 0.1
  r = min(a, axis = 1, keepdims = true) + var(a, 1, true) + std(a, axis = 1, keepdims = true, unbiased = false)
  s = min(a) + var(a * b) + std(a, 0)
  output y = cmp * a + w + n + r + s
  loss mse(y, t)
  optimizer sgd(lr = 0.1, momentum = 0.9)
}
