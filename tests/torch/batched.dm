# '@' on batches, as torch.matmul: batch axes broadcast both ways
# ([2, 1, 3, 4] @ [1, 3, 4, 5]), a batch against one matrix on either side,
# vectors against batches, transposed operands (folded into the products);
# sgd with momentum.
model batched {
  input x : f32[3, 4, 5]
  input t : f32[2, 3, 3, 5]
  param A : f32[2, 1, 3, 4]
  param B : f32[1, 3, 4, 5]
  param W : f32[5, 2]
  param M : f32[3, 4]
  param u : f32[4]
  param w : f32[5]
  g = A @ B                                    # [2, 3, 3, 5]
  p = x @ W                                    # [3, 4, 2]
  m = M @ x                                    # [3, 3, 5]
  r = u @ x                                    # [3, 5]
  c = x @ w                                    # [3, 4]
  s = transpose(x, [0, 2, 1]) @ transpose(M)   # [3, 5, 3]
  a = transpose(B, [0, 1, 3, 2]) @ transpose(A, [0, 1, 3, 2])   # [2, 3, 5, 3]
  output y = g + m + reshape(r, [3, 1, 5]) + transpose(a + s, [0, 1, 3, 2])
  loss mse(y, t) + mean(p * p) + mean(c * c)
  optimizer sgd(lr = 0.05, momentum = 0.9)
}
