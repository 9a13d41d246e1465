layer Dense(x : f32[N, I], units, bias = true) {
  param W : f32[I, units] = xavier
  param b : f32[units] = zeros
  return x @ W + b
}
