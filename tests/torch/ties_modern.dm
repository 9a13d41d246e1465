# The conventions of the modern-models built-ins at ties, kinks and zeros
# (docs/autodiff.md), compiled: x ** 2 and pow(x, 3) at 0; clip at exactly its
# bounds (gradient 1, as torch.clamp); minimum and maximum at p == q (half
# each); min with tied minima (shared evenly, as torch.amin); std of a
# constant row (gradient 0, as torch.std); where at its condition's edge.
# The parameters start exactly there (ties_modern.py).
model ties_modern {
  input t : f32[2, 6]
  param p : f32[2, 6]              # zeros, clip's bounds -1 and 1, ties with q
  param q : f32[2, 6]              # row minima twice and three times
  param s : f32[2, 3]              # row 0 constant
  a = p ** 2 + pow(p, 3) + clip(p, -1, 1) + minimum(p, q) * 2 + maximum(p, q) * 3
  m = min(q, axis = 1, keepdims = true)
  output a
  loss mean(a * t) + mean(m * t) + min(q) * 0.5 + sum(std(s, axis = 1)) + mean(where(p >= 0, p, q) * t)
  optimizer sgd(lr = 0.1)
}
