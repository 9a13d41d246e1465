model m {
  input x : f32[4]
  output y = flatten(x)
}
