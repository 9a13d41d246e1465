model m {
  input x : f32[4] )
}
