# Elementwise loops run by the kernel they read, as its epilogue (plan.c):
# a matmul's bias and activation computed in place in an output tensor, an
# epilogue that reads two other buffers, one whose result is also stored,
# a convolution with stride 2 (the im2col path) and one with unit stride
# and padding (the direct path) with their bias and relu, and max pooling's
# gradient followed by relu's mask.
model epilogue {
  input x : f32[5, 2, 9, 9]
  input v : f32[5, 40]
  input y : i32[5]
  a = maxpool2d(relu(Conv2d(x, 3, kernel = 3, pad = 1)), 2)     # direct, [5, 3, 4, 4]
  b = relu(Conv2d(x, 4, kernel = 3, stride = 2))                # im2col, [5, 4, 4, 4]
  output h = tanh(Dense(flatten(a), 40) + v * v)                # stored in place
  output g = sigmoid(Dense(flatten(b), 40)) * h
  logits = Dense(g, 6)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}
