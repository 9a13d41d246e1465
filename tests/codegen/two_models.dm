# Two models in one object (every symbol prefixed by the model's name); the
# second has no loss, so only its forward entry exists; it also stores one
# value into two outputs and reads an i32 input through a cast.
model first {
  input x : f32[3, 7]
  input t : f32[3]
  param w : f32[7]
  output p = sigmoid(x @ w)
  loss bce(p, t * 0.5 + 0.5)
  optimizer sgd(lr = 0.5)
}

model second {
  input x : f32[33]
  input k : i32[33]
  param s : f32[33] = ones
  y = x * s + sum(one_hot(k, 3), axis = 1)
  output a = y
  output b = y
}
