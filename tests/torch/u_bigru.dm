# A bidirectional GRU over 6 steps at batch size 1: one GRUCell forward
# (t = 0 .. 5), another backward (t = 5 .. 0, a range counting down), their
# final states concatenated; per-step features stacked and a bce loss on a
# sigmoid head.  Sizes 1 x 6 x 5, hidden 7.
model u_bigru {
  input x : f32[1, 6, 5]
  input t : f32[1, 3]
  param h0 : f32[1, 7] = zeros
  f = h0 + 0
  b = h0 * 1
  for i in range(6) shared {
    f = GRUCell(x[:, i], f)              # f.i.W_ir, ...
  }
  for j in range(5, -1, -1) shared {
    b = GRUCell(x[:, j], b)              # b.j.W_ir, ...
  }
  both = concat([f, b], axis = -1)       # [1, 14]
  steps = stack([x[:, 0], x[:, -1]], axis = 1)   # [1, 2, 5]
  pooled = max(steps, axis = 1)          # [1, 5]
  logits = Dense(concat([both, pooled], axis = 1), 3)
  output p = sigmoid(logits)
  loss bce(p, t)
  optimizer adam(lr = 0.02, weight_decay = 0.001)
}
