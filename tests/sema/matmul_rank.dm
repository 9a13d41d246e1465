model m {
  input x : f32[2, 3, 4]
  input v : f32[4]
  output h = x @ v
}
