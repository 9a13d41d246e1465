# -D width=10: the 3 heads no longer divide the width; the error notes -D.
const width = 12
model m {
  input x : f32[2, 4, width]
  output y = MultiHeadAttention(x, 3)
}
