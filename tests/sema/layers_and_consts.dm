# Two models in one file sharing a top-level const (overridden by -D hidden=6
# in layers_and_consts.flags), a user layer with a default and keyword
# arguments, constant expressions in dims, and Dense without its bias
# (bias = false: the instance has no parameter b).
const hidden = 5
const side = 2 * 2

layer Mlp2(x : f32[N, I], out, act_scale = 1.0) {
  h = Dense(x, hidden, bias = false)
  return Dense(relu(h) * act_scale, units = out)
}

model first {
  input x : f32[3, side * side / 4 + 1]
  output y = Mlp2(x, 2, act_scale = 0.5)
}

model second {
  const n = hidden - 1
  input x : f32[n, side]
  param W : f32[side, n] = ones
  output z = transpose(x @ W) * 2
  loss mean(z)
  optimizer sgd(lr = 0.1, momentum = 0.5, nesterov = true, weight_decay = 1e-4)
}
