# mutual recursion is reported once, naming the cycle
layer Ping(x) {
  return Pong(x)
}
layer Pong(x) {
  return Ping(relu(x))
}
model m {
  input x : f32[4]
  output y = Ping(x)
}
