# A misspelt keyword reads as a name; the message names the keyword it is
# close to, and a misspelt `model` skips its whole body (no cascade).
modle m {
  input x : f32[2]
  output y = x
}

layr B(x) {
  return x
}

model q {
  input x : f32[2]
  imput z : f32[2]
  optimiser sgd(lr = 1)
  los mse(x, x)
  lose = x
  outputt y
  output w = lose
}
