model m {
  input loss : f32
  output model = 1
}
