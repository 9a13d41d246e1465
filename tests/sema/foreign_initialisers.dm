# other frameworks' initialiser names: dm's name, or what dm has
model m {
  input x : f32[4, 3]
  param A : f32[3, 3] = kaiming_normal
  param B : f32[3, 3] = glorot_uniform
  param C : f32[3, 3] = he_uniform
  param D : f32[3, 3] = randn()
  output y = x @ A @ B @ C @ D
}
