# '@' multiplies f32 tensors
model m {
  input a : i32[2, 3]
  input b : i32[3, 2]
  output c = a @ b
}
