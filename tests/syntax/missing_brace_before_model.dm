model a {
  input x : f32

model b {
  input y : f32
  output z = y +
}
