# The GEMM and convolution kernels (compiler/cg/kernels/linalg.c, conv.c) at odd sizes:
# every transpose combination, sizes 1, 3, 7, 33, 65 and 100, and sizes just
# past the kernel's blocks (MR 8 rows, NR 32 columns, KC 256, MC 128, NCB 512,
# a single row read four panels at a time); convolutions whose im2col needs
# several chunks, with stride 2 and padding.
model gemm_trans {
  input a : f32[7, 33]
  input at : f32[33, 7]
  input t : f32[7, 65]
  param W : f32[33, 65] = normal(std = 0.1)
  param Wt : f32[65, 33] = normal(std = 0.1)
  output y = a @ W + transpose(at) @ W + a @ transpose(Wt) + transpose(at) @ transpose(Wt)
  loss mse(y, t)
  optimizer sgd(lr = 0.01)
}

model gemm_blocks {
  input x : f32[130, 300]
  input t : f32[130, 3]
  param W : f32[300, 520] = normal(std = 0.05)
  param V : f32[520, 3] = normal(std = 0.05)
  output y = tanh(x @ W) @ V
  loss mse(y, t)
  optimizer sgd(lr = 0.01)
}

model gemm_row {
  input x : f32[1, 100]
  input t : f32[1, 1]
  param W : f32[100, 257] = normal(std = 0.1)
  param V : f32[257, 3] = normal(std = 0.1)
  param U : f32[3, 1] = normal(std = 0.1)
  output y = relu(relu(x @ W) @ V) @ U
  loss mse(y, t)
  optimizer adam(lr = 0.01)
}

model conv_chunks {
  input x : f32[3, 16, 20, 20]
  input y : i32[3]
  c1 = relu(Conv2d(x, 8, kernel = 3, pad = 1))     # [3, 8, 20, 20]: 144 rows x 400 positions
  c2 = Conv2d(c1, 4, kernel = 3, stride = 2)        # [3, 4, 9, 9]
  logits = Dense(flatten(c2), 5)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.01)
}
