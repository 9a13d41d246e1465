model m {
  optimizer
  optimizer 3
  output
  input x : f32[2] = 1
}
