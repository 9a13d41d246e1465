# in_place.test.sh: an MLP trained by plain sgd (the baremetal demo's shape).
model mlp {
  input x : f32[8, 64]
  input y : i32[8]
  h1 = relu(Dense(x, 32))
  h2 = relu(Dense(h1, 16))
  logits = Dense(h2, 4)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.05)
}
