# NaN and infinities through the reductions, pooling, softmax and the losses:
# max propagates NaN (its gradient is then NaN, as torch.amax's), maxpool2d
# too (the gradient goes to a window's last NaN), softmax and log_softmax of
# rows with infinities and of a row of -inf (NaN, as PyTorch), the losses of
# such rows and values.  nan_nn.py holds the values and PyTorch's model.
model nan_nn {
  input u : f32[6, 3]             # weights of the softmax outputs in the loss
  input y : f32[6]                # mse targets
  input t : f32[6]                # bce targets
  input k : i32[6]                # softmax_cross_entropy labels
  input k2 : i32[2, 3]            # all -100: every position ignored (NaN loss, zero gradient)
  param m0 : f32[3, 5]
  param m1 : f32[3, 5]
  param m2 : f32[3, 5]
  param m3 : f32[2, 3, 4]         # max over axes 0 and 2: the kernel's general walk
  param q : f32[1, 2, 4, 70]      # 2 x 2 windows: the kernel's 16-window vectors and its tail
  param q3 : f32[1, 1, 5, 7]      # 3 x 3 windows, stride 2: the general loop
  param s : f32[6, 3]
  param ls : f32[6, 3]
  param z : f32[6, 3]
  param p : f32[6]
  param b : f32[6]
  param z2 : f32[2, 3, 4]
  param mA : f32[5, 7]            # matmul and avgpool2d of NaN and infinities: IEEE sums of products
  param mB : f32[7, 9]
  param ap : f32[1, 1, 4, 6]
  output a0 = max(m0, axis = 1)
  output a1 = max(m1, axis = 0)
  output a2 = max(m2)
  output a3 = max(m3, axis = [0, 2])
  output pool = maxpool2d(q, 2)
  output pool3 = maxpool2d(q3, 3, stride = 2)
  output sm = softmax(s)
  output lsm = log_softmax(ls)
  output mm = mA @ mB
  output av = avgpool2d(ap, 2)
  losses = softmax_cross_entropy(z, k) + mse(p, y) + bce(b, t) + softmax_cross_entropy(z2, k2, ignore = -100)
  linear = sum(mm) + sum(av)
  loss sum(a0) + sum(a1) + a2 + sum(a3) + sum(pool) + sum(pool3) + sum(sm * u) + sum(lsm * u) + losses + linear
  optimizer sgd(lr = 0.1)
}
