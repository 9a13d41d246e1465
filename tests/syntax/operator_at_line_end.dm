# A line that ends with an operator does not continue (only ( ) and [ ] do):
# a note says so, and the next line (meant as the continuation) is not an
# error of its own.
model m {
  input x : f32[4, 3]
  output y = x +
    1
}
