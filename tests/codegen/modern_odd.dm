# The modern-models built-ins on odd sizes (5, 7, 33) with broadcasting,
# fused into elementwise loops: gelu (both forms), silu, erf, '**' and pow
# (every special exponent and a general one), clip, minimum, maximum,
# comparisons, where, the casts (saturating: i32 of NaN and of 1e10), i32
# operands, min, var and std.  nan_paths makes NaNs (sqrt and log of
# negatives) and checks that maximum, minimum and clip propagate them as the
# interpreter does; it stays out of the loss.
model modern_odd {
  input x : f32[7, 33]
  input k : i32[33]
  input t : f32[7, 33]
  param a : f32[33]
  param b : f32[7, 1]
  param c : f32
  g = gelu(x * a + b) + gelu(x - c, approximate = true) * 0.5 + silu(x * b) - erf(x * 2)
  p = square(x + b) + pow(abs(x) + 0.5, 1.5) + (abs(a) + 1) ** -1 + x ** 3 + pow(abs(b), 0.5) + (x * c) ** 0
  m = minimum(x, a) + maximum(x * b, c) + clip(x * a, -0.3, 0.4) + clip(x, lo = 0.1) + clip(x + b, hi = -0.2)
  i = minimum(k, 1) * 3 + maximum(k * 3 - 2, 0)
  masks = (x < a) + (x <= b) * 2 + (x > c) + (x >= 0.25) + (k == 1) + (k != 0) * 0.5 + (i > 1)
  w = where(x > b, g, p) + where(k, a, -a) + where(masks >= 2, 1, x * c)
  n = f32(i) * a + f32(i32(x * 7)) * 0.25
  r = min(g, axis = 1, keepdims = true) + var(p, 0) + std(m, axis = 1, keepdims = true, unbiased = false)
  output y = w + n + r + m * masks + var(g) + std(x * a) + min(p * b)
  output nan_paths = maximum(sqrt(x), 0.5) + minimum(sqrt(-x), a) + clip(log(x), -1, 1) + f32(i32(log(x)))
  output big = i32(x * 1e10) + i32(-x * 1e10)
  loss mse(y, t)
  optimizer adam(lr = 0.01)
}
