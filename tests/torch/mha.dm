# The prelude's MultiHeadAttention against PyTorch's own multi-head attention
# (F.multi_head_attention_forward, nn.MultiheadAttention's code): causal with
# 2 heads, and unmasked with 4 heads after a LayerNorm; a Dense over [N, T, D].
model mha {
  input x : f32[3, 5, 8]
  input t : f32[3, 5, 6]
  a = MultiHeadAttention(x, 2, causal = true)
  b = MultiHeadAttention(LayerNorm(x), 4)
  output y = Dense(a + b, 6)
  loss mse(y, t)
  optimizer sgd(lr = 0.1, momentum = 0.9)   # not adam: the key bias's gradient is 0 up to rounding (softmax ignores a per-query shift), which adam would scale up to lr-sized steps
}
