# '@' on batches (NumPy matmul): [2, 3, 4] @ [4, 5] and [3, 1, 3, 4] @ [2, 4, 5]
# are one matmul node each, the batch axes broadcast ([2, 3, 5] and
# [3, 2, 3, 5]); a vector on the left is a [1, 4] row reshaped in and the
# added axis reshaped away ([4] @ [2, 4, 5] -> [2, 5]); a vector on the
# right is a [5, 1] column ([2, 3, 5] @ [5] -> [2, 3]).
model m {
  input x : f32[2, 3, 4]
  input w : f32[4, 5]
  input a : f32[3, 1, 3, 4]
  input b : f32[2, 4, 5]
  input v : f32[4]
  input u : f32[5]
  output h = x @ w
  output g = a @ b
  output r = v @ b
  output c = h @ u
}
