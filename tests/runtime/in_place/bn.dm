# in_place.test.sh: a small CNN with batch norm (its running statistics are
# buffers the train step stores), max pooling and plain sgd.
model bn {
  input x : f32[4, 2, 6, 6]
  input y : i32[4]
  c = Conv2d(x, 3, kernel = 3, bias = false)
  b = BatchNorm2d(c)
  p = maxpool2d(relu(b), 2)
  logits = Dense(flatten(p), 3)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.1)
}
