// a C comment: one error, then read as a comment
model m {
  input x : f32[4]   // the input
  output y = x // 2
}
