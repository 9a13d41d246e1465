# NumPy broadcasting of + - * / between ranks 0 to 4, both operands growing
# (g [1,5] / b [3,1,1] -> [3,1,5]), literals on either side.
model broadcast {
  input x : f32[2, 3, 4, 5]
  input t : f32[2, 3, 4, 5]
  param a : f32[5]
  param b : f32[3, 1, 1]
  param c : f32[4, 1]
  param d : f32
  param e : f32[2, 1, 4, 1]
  param g : f32[1, 5]
  y1 = x * a + b
  y2 = (c - x) / (e * e + 1)
  y3 = d * x + g / (1 + b * b)
  y4 = (a - c) * (d / e)                 # [4,5] and [2,1,4,1] -> [2,1,4,5]
  output y = y1 + y2 - y3 + y4 * 0.5
  loss mse(y, t)
  optimizer sgd(lr = 0.05, momentum = 0.5)
}
