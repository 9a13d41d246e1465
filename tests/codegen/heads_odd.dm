# The prelude's MultiHeadAttention at odd sizes (3 heads of 5 features, 7
# positions): the heads of q, k and v, sliced from qkv, reshaped and
# transposed, and the transposed gradient of weights @ v are strided views
# that the batched products read in place (passes/views.c); views.test.sh
# checks that they have no copies.  sgd, not adam: the key bias's gradient
# is 0 up to rounding (tests/torch/mha.dm).
model heads_odd {
  input x : f32[2, 7, 15]
  input t : f32[2, 7, 4]
  a = MultiHeadAttention(x, 3, causal = true)
  output y = Dense(a, 4)
  loss mse(y, t)
  optimizer sgd(lr = 0.1, momentum = 0.9)
}
