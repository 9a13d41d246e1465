model m {
  input x : f32[2, 3]
  for t in range(3) {
    input z : f32[2]
    output y = x
    loss mse(x, x)
    optimizer sgd(lr = 0.1)
  }
  output y = x
}
