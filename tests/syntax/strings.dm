# dm has no strings: one error per string, the statement dropped; gelu's
# PyTorch spelling gets the dm one
model m {
  input x : f32[4]
  a = gelu(x, approximate = "tanh")
  b = gelu(x, approximate = 'tanh')
  c = softmax(x, axis = "last")
  output y = x
}
