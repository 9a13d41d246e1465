# Two tensors whose names differ only in '.' versus '_' (or split differently
# between the model's name and the tensor's) would define the same macros in
# the C header: an error at the later one.
model m {
  input x : f32[2, 4]
  fc = Dense(x, 3)
  output fc_W = x * 2
  output y = fc
}

model a {
  input b_c : f32[2]
  output y = b_c
}

model a_b {
  input c : f32[3]
  output y = c
}
