# Reductions with axis and keepdims, reshape with -1, transpose with and
# without a permutation, broadcasting of a [5] parameter against [3, 4, 5],
# and a loss that is an expression of two scalars.
model reshaping {
  input x : f32[3, 4, 5]
  input t : f32[4, 3]
  param scale : f32[5] = uniform(0.5, 1.5)
  s = x * scale                              # [3, 4, 5]
  m = mean(s, axis = 2)                      # [3, 4]
  peak = max(s, axis = 1, keepdims = true)   # [3, 1, 5]
  r = reshape(s - peak, [-1, 10])            # [6, 10]
  total = sum(r, axis = 0)                   # [10]
  p = transpose(s, [2, 0, 1])                # [5, 3, 4]
  output mt = transpose(m)                   # [4, 3]
  output total
  output q = sum(p * p, axis = -1, keepdims = true) / 4 + log(exp(-abs(total)) + 1) * sqrt(abs(mean(p)) + 1)
  loss mse(transpose(m), t) + mean(total * total) * 0.01
  optimizer adam(lr = 0.01)
}
