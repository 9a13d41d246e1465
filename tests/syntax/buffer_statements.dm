# buffer and update are statements of a model or layer: not declarations,
# and an update needs '= value'.
buffer b : f32[3]
model m {
  input x : f32[3]
  buffer s : f32[3]
  update s x
  update = x
  output y = x + s
}
