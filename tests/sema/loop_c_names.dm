# A loop's instance h.0 and a binding h_0 are different tensors but one
# name in the C header (m_h_0_W): reported at the later one.
model m {
  input x : f32[2, 3]
  h_0 = Dense(x, 3)
  h = h_0
  for i in range(2) {
    h = Dense(h, 3)
  }
  output y = h
}
