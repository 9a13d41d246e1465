# clip: constant bounds, at least one, in order; PyTorch's spellings get a hint
model m {
  input x : f32[4]
  a = clip(x)
  b = clip(x, 1, 0)
  c = clip(x, min = 0)
  d = clamp(x, 0, 1)
  e = clip(x, lo = x)
  f = clip(x, 0, hi = 1, lo = 2)
  output y = clip(x, -1, 1)
}
