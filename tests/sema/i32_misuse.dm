# i32 tensors are only accepted where labels are
model m {
  input x : f32[4, 3]
  input labels : i32[4]
  output a = relu(labels)
  output b = x + labels
}
