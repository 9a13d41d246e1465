# ';' is not needed: one error each, and the statements around it are read
model m {
  input x : f32[4];
  a = relu(x); b = a * 2
  output y = b
}
