model m {
  input x : f32[2, 3, 4]
  output y = transpose(x)
}
