model m {
  input x : f32[4]
  output y = x $ 2
  output z = x ; 2
}
