model m {
  input x : f32[4]
  h = x @ * x
  output y = h
  loss )
}
