# indexing and slicing are not dm's: one error per statement
model m {
  input x : f32[4, 3]
  a = x[:, 0]
  b = relu(x)[0]
  c = x [1][2]
  output y = [1, 2] + a
}
