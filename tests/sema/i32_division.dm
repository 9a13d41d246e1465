model m {
  input n : i32[4]
  output y = n / 2
}
