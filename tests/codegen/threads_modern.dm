# The modern-models elementwise ops in loops split over threads (at least
# 2^17 elements, 37 rows of an odd length).
model threads_modern {
  input x : f32[37, 4099]
  input t : f32[37, 4099]
  param w : f32[4099]
  param b : f32[37, 1]
  y = where(x > b, gelu(x * w), silu(x - b)) + clip(x * w, -0.5, 0.5) + minimum(x, b) ** 2 + erf(x)
  output y
  loss mse(y, t)
  optimizer adam(lr = 0.01)
}
