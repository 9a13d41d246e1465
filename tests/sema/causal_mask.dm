# causal_mask(T): a whole positive size, bounded (it is a constant in the object).
model m {
  input x : f32[4, 4]
  a = x + causal_mask(0)
  b = x + causal_mask(2.5)
  c = x + causal_mask(5000)
  output y = x + causal_mask(3)
}
