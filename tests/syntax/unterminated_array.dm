model m {
  param W : f32[2] = [0.1, 0.2
}
