# Batched matrix products (a @ b of rank 3 and 4) at odd sizes: single-head
# attention (the scores' transpose folds into the product, the scaling runs
# as its epilogue), batch axes broadcast both ways ([2, 1, 3, 5] @ [1, 4, 5, 7]),
# a matrix or a vector against a batch on either side, transposed operands,
# a batch of one and matrices of one row, column or step.
model bmm_attention {
  input x : f32[3, 7, 17]
  input t : f32[3, 7, 9]
  param Wq : f32[17, 9] = xavier
  param Wk : f32[17, 9] = xavier
  param Wv : f32[17, 9] = xavier
  q = x @ Wq
  k = x @ Wk
  v = x @ Wv
  s = softmax(q @ transpose(k, [0, 2, 1]) / 3)
  output y = s @ v
  loss mse(y, t)
  optimizer adam(lr = 0.01)
}

model bmm_broadcast {
  param x : f32[4, 5, 7] = normal(std = 0.5)
  param A : f32[2, 1, 3, 5] = normal(std = 0.5)
  param B : f32[1, 4, 5, 7] = normal(std = 0.5)
  param W : f32[3, 5] = normal(std = 0.5)
  param v : f32[5] = normal(std = 0.5)
  param u : f32[7] = normal(std = 0.5)
  param E : f32[3, 1, 1] = normal(std = 0.5)
  param F : f32[1, 1, 4] = normal(std = 0.5)
  c1 = A @ B                                                    # [2, 4, 3, 7]
  c2 = W @ x                                                    # [4, 3, 7]
  c3 = v @ x                                                    # [4, 7]
  c4 = x @ u                                                    # [4, 5]
  c5 = transpose(x, [0, 2, 1]) @ transpose(W)                   # [4, 7, 3]
  c6 = transpose(B, [0, 1, 3, 2]) @ transpose(A, [0, 1, 3, 2])  # [2, 4, 7, 3]
  c7 = E @ F                                                    # [3, 1, 4]
  c8 = u @ transpose(x, [0, 2, 1]) @ v                          # [4]
  output y = c1
  loss mean(c1 * c1) + mean(tanh(c2)) + mean(c3 * c3) + mean(c4 * c4) + mean(c5 * c5) + mean(c6 * transpose(c1, [0, 1, 3, 2])) + mean(c7 * c7) + mean(c8 * c8)
  optimizer sgd(lr = 0.1, momentum = 0.9)
}

# Ranks up to 6: batch axes of 1 on either side (dropped), broadcast ones
# between full ones, a result whose matrices are single columns, and one
# product of a single row.
model bmm_rank6 {
  param A : f32[2, 1, 3, 1, 4, 5] = normal(std = 0.5)
  param B : f32[3, 1, 1, 5, 1] = normal(std = 0.5)
  param C : f32[1, 1, 1, 6] = normal(std = 0.5)
  param D : f32[1, 6, 3] = normal(std = 0.5)
  c = A @ B                                    # [2, 3, 3, 1, 4, 1]
  e = C @ D                                    # [1, 1, 1, 3]
  f = transpose(c, [0, 1, 2, 3, 5, 4]) @ A     # [2, 3, 3, 1, 1, 5]
  output y = c
  loss mean(c * c) + mean(e * e) + mean(f * f)
  optimizer sgd(lr = 0.1)
}
