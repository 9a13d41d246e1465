# The activations and elementwise functions of recent models: gelu (exact
# and tanh), silu, erf, square, pow and '**' (x ** p binds tighter than a
# unary minus), clip, minimum and maximum with broadcasting.  The values
# (modern.py) keep x away from clip's bounds and a, b from ties; ties.dm
# covers the ties.
model modern {
  input x : f32[3, 7]
  input t : f32[3, 7]
  param a : f32[3, 7]            # in [0.5, 2]: pow's fractional exponents
  param b : f32[7]
  param c : f32                  # 0.3
  g = gelu(x * a) + gelu(x + b, approximate = true) + silu(x - c) + erf(x * c)
  p = square(x - b) + pow(a, 1.5) + a ** -0.5 - x ** 2 + a ** 3 + pow(a, 0.5) + (x * c) ** 1
  m = minimum(x, b) + maximum(a, c) + clip(x * a, -0.6, 0.7) + clip(x, lo = 0.25) + clip(b, hi = 0.1)
  output y = g + p * 0.25 + m
  loss mse(y, t)
  optimizer adam(lr = 0.01)
}
