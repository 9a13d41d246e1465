model m {
  input x : f32[2, 3, 4]
  output y = transpose(x, [0, 2, 2])
}
