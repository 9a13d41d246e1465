# Precedence, high to low: call, unary minus, @ * /, + -; left associative.
model prec {
  a1 = a + b * c @ d - -e
  a2 = a - b - c
  a3 = a / b / c
  a4 = a @ b * c / d
  a5 = -a @ b
  a6 = -f(x) * 2
  a7 = (a + b) * (c - d)
  a8 = a * -b + - - c
  a9 = a - -1
  a10 = 2 * (3 + 4) @ W
  a11 = ((((x))))
  a12 = a + b - c + d
}
