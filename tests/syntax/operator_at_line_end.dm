# A line that ends with an operator does not continue (only ( ) and [ ] do):
# a note says so.
model m {
  input x : f32[4, 3]
  output y = x +
    1
}
