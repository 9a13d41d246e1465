model m {
  y = f(1,
       2
  z = 3
  w = 4
}
