model m {
  a = 1e
  b = 1.2.3
  c = 3x + 1e+
}
