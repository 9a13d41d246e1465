# link_a.dm: with link_b.dm, linked into one C program by link.test.sh.
# Two models in this file; both files use the standard layer Dense.
model affine {
  input x : f32[2, 3]
  param W : f32[3, 2] = [[1, 2], [3, 4], [5, 6]]
  param b : f32[2] = [0.5, -0.5]
  output y = x @ W + b
  output z = Dense(x, 4)
}

model square {
  input x : f32[4]
  output y = x * x
}
