# Arguments of the standard layers that their bodies cannot use, reported
# at the user's argument (sema_standard.c).  The first three are what a
# PyTorch user writes from habit: a constructor's sizes (Linear(3, 8),
# BatchNorm2d(16), LayerNorm(8)), which dm takes from x instead; written
# positionally they would land on bias, momentum and eps.
model m {
  input v : f32[2, 3]
  input s : f32[2, 5, 8]
  input x : f32[4, 16, 5, 5]
  d = Dense(v, 3, 8)
  b = BatchNorm2d(x, 16)
  n = LayerNorm(s, 8)
  a0 = MultiHeadAttention(s, 0)
  a1 = MultiHeadAttention(s, 3)
  a2 = MultiHeadAttention(s, 2, causal = 1)
  b1 = BatchNorm1d(v, momentum = 1.5)
  b2 = BatchNorm1d(v, eps = -1)
  ok = BatchNorm1d(v, momentum = 1, eps = 0) + LayerNorm(v, eps = 0.5)
  output o = ok
}
