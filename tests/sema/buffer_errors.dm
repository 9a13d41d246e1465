# Errors of buffers, updates and the training flag.
layer UpdateParam(x : f32[N, D]) {
  param w : f32[D] = ones
  update w = mean(x, 0)
  return x * w
}

layer UpdateTwice(x : f32[N, D]) {
  buffer avg : f32[D]
  update avg = mean(x, 0)
  update avg = mean(x, 0) * 2
  return x + avg
}

layer UpdateArgument(x : f32[N, D]) {
  update x = x * 2
  return x
}

# a layer sees only its own buffers, not its caller's
layer UpdateCallers(x : f32[N, D]) {
  update s = mean(x, 0)
  return x
}

model m {
  input x : f32[4, 3]
  buffer count : i32[3]
  buffer s : f32[3]
  update s = x
  update nothing = 1
  update s2 = 1
  a = training
  b = select(training, x, sum(x))
  c = Dense(x, 3, bias = training)
  d = UpdateParam(x) + UpdateTwice(x) + UpdateArgument(x) + UpdateCallers(x)
  output o = x + s
  output s
  for i in range(2) {
    buffer q : f32[3]
    update s = s * 2
  }
}
