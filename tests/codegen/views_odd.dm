# Strided views and products written in place (passes/views.c) where they
# must stop or bend, at odd sizes: a transpose also read by a loop (a copy);
# a reshape merging axes that a transpose left unevenly spaced (gives up the
# view); a slice of step 2 on an inner axis read through strides; a product
# written into a concat beside an operand the concat copies; a transposed
# product that is also an output.  difftest compares it with the
# interpreter, tests/unit/cg_plan.c checks its views element by element.
model views_odd {
  input x : f32[2, 5, 12]
  input t : f32[2, 5, 9]
  param W : f32[12, 12] = xavier
  h = x @ W                                             # [2, 5, 12]
  h4 = reshape(h, [2, 5, 3, 4])
  a = transpose(h4, [0, 2, 1, 3])                       # [2, 3, 5, 4], also read by a loop
  s = a @ transpose(a, [0, 1, 3, 2]) + sum(a * 2)       # [2, 3, 5, 5]
  m = reshape(transpose(h4, [0, 1, 3, 2]), [2, 5, 12])  # merges the axes a transpose swapped
  p = m @ transpose(h, [0, 2, 1])                       # [2, 5, 5]
  e = transpose(reshape(h[:, :, 0:12:2], [2, 5, 2, 3]), [0, 2, 1, 3])   # step 2, [2, 2, 5, 3]
  q = e @ transpose(e, [0, 1, 3, 2])                    # [2, 2, 5, 5]
  r = transpose(s @ a, [0, 2, 1, 3])                    # [2, 5, 3, 4], written in place
  c = concat([reshape(r, [2, 5, 12]), x[:, :, 0:3]], axis = 2)   # [2, 5, 15]: x's part copied
  output o = transpose(q @ e, [0, 2, 1, 3])             # [2, 5, 2, 3]: written in place and stored
  y = c[:, :, 0:9] + p[:, :, 0:1] + sum(q) + reshape(o, [2, 5, 6])[:, :, 0:1]
  loss mse(y, t)
  optimizer sgd(lr = 0.01, momentum = 0.9)
}
