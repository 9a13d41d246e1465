# The model's only output is inside a loop: that is the one error; "the
# model computes nothing" would only repeat it.
model m {
  input x : f32[3, 4]
  for t in range(3) {
    output y = x * t
  }
}
