# buffers.test.sh's model: BatchNorm1d on inputs the test knows, so its
# running statistics are hand arithmetic.
model bn {
  input x : f32[2, 3]
  input t : f32[2, 3]
  b = BatchNorm1d(x)
  output y = b
  loss mse(b, t)
  optimizer sgd(lr = 0.1)
}
