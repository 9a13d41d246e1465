model m {
  input x : f32
  output y =
}
