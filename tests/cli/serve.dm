# serve.dm: a training model with dropout, and an inference model over the
# same parameters declared beside it (serve.test.sh).
model fit {
  const batch = 4
  input x : f32[batch, 3]
  input y : i32[batch]
  h = relu(Dense(x, 5))
  logits = Dense(dropout(h, 0.5), 2)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}

model serve {
  input x : f32[1, 3]
  h = relu(Dense(x, 5))
  logits = Dense(dropout(h, 0.5), 2)
  output probs = softmax(logits)
}
