# a pattern of fixed rank refuses another rank; Dense takes f32[..., I] (any rank >= 1)
model m {
  input x : f32[4, 8]
  output y = Conv2d(x, 3, 3)
  output z = Dense(x, 3)
}
