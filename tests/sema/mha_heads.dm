# D = 6 is not a multiple of 4 heads
model m {
  input x : f32[2, 5, 6]
  output y = MultiHeadAttention(x, 4)
}
