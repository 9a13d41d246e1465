# a binding named like an unnamed call's instance: two tensors dense_0.W
model m {
  input x : f32[4, 3]
  dense_0 = Dense(x, 3)
  output y = relu(Dense(dense_0, 2))
}
