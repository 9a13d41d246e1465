model types {
  input a : f32
  input b : f32[]
  input c : f32[4]
  input d : i32[2, 3]
  input e : f32[batch, 28 * 28]
  input f : f32[n + 1, 2 * (k - 1), m / 2]
  input g : i32[ 1 ,2,  3 , 4 ]
  input h : f32[
    64,
    784
  ]
}
