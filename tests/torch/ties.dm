# The conventions where a derivative does not exist, compiled end to end
# (docs/autodiff.md): relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = alpha; max
# over an axis shares the gradient evenly among tied maxima (torch.amax);
# maxpool2d routes it to the first maximum of a window (PyTorch's CPU kernel).
# The parameters start exactly at the kinks and ties (ties.py).
model ties {
  input t : f32[2, 6]
  input u : f32[1, 2, 2, 2]
  param p : f32[2, 6]              # exact zeros and ordinary values
  param q : f32[2, 6]              # each row's maximum appears 2 and 3 times
  param g : f32[1, 2, 4, 4]        # windows with tied maxima
  r = relu(p) + abs(p) + leaky_relu(p, alpha = 0.3)
  m = max(q, axis = 1, keepdims = true)
  mp = maxpool2d(g, 2)
  output m
  loss mean(r * t) + mean(m * t) + mean(mp * u) + max(q) * 0.5
  optimizer sgd(lr = 0.1)
}
