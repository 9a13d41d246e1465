model last {
  input x : f32
  output y = -x
}